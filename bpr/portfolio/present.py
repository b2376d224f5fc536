"""The portfolio as text for the terminal (``bpr portfolio``) and as JSON (``--json``)."""

from __future__ import annotations

import json
from typing import Any

from bpr.core.money import format_money
from bpr.core.text import for_terminal
from bpr.portfolio.build import PortfolioView
from bpr.portfolio.priority import MEASURES, Priority

__all__ = ["to_json", "to_text"]


def to_json(view: PortfolioView) -> str:
    """``bpr portfolio --json``: the schema of docs/portfolio.md."""
    return json.dumps(view.as_dict(), ensure_ascii=False, indent=2) + "\n"


def to_text(view: PortfolioView) -> str:
    """The four tables of the portfolio (and the bundles) as plain text."""
    out: list[str] = []
    n = len(view.services)
    out.append(f"Portfolio {for_terminal(view.folder)}: {n} service{'s' if n != 1 else ''}")
    if view.spec.file:
        out.append(f"Targets from {for_terminal(view.spec.file)}")
    out += ["", *_maturity(view), "", *_priority(view), "", *_exchanges(view), "", *_acts(view)]
    for bundle in view.bundles:
        out += ["", *_bundle(bundle.as_dict())]
    return "\n".join(out) + "\n"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()  # noqa: E731
    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def _stage(value: int | None) -> str:
    return "–" if value is None else str(value)


def _maturity(view: PortfolioView) -> list[str]:
    by = f" by {view.spec.by.isoformat()}" if view.spec.by else ""
    out = ["Maturity benchmarking (stage = what the flow supports, derived_maturity)"]
    rows = [
        [
            s.service,
            _stage(s.declared_as_is),
            _stage(s.derived_as_is),
            _stage(s.declared_to_be),
            _stage(s.derived_to_be),
            ", ".join(s.unsupported()) or "",
        ]
        for s in view.maturity.stages
    ]
    header = ["service", "As-Is declared", "derived", "To-Be declared", "derived", "unsupported"]
    out += _table(header, rows)
    out += ["", f"Share of the portfolio at each stage or above, against the targets{by}"]
    share_rows = []
    for x in view.maturity.shares:
        target = "" if x.target is None else f"{x.target:.0%}"
        gap = ""
        if x.gap is not None:
            gap = "met" if x.gap <= 0 else f"{x.gap:.0%} short ({x.services_needed} more)"
        share_rows.append([f">= {x.stage}", f"{x.now:.0%}", f"{x.planned:.0%}", target, gap])
    out += _table(["stage", "now", "planned", "target", "gap"], share_rows)
    unsupported = [(s.service, v) for s in view.maturity.stages for v in s.unsupported()]
    if unsupported:
        out.append(
            "Declared stage not supported by the flow: "
            + ", ".join(f"{s} ({v})" for s, v in unsupported)
        )
    return out


def _amount(value: float | None, key: str, item: Priority) -> str:
    if value is None:
        return "–"
    if key == "admin_cost":
        return format_money(value, item.currency)
    return f"{value:,.0f}"


def _ranked(title: str, items: tuple[Priority, ...]) -> list[str]:
    rows = [
        [str(i), p.service, "–" if p.score is None else f"{p.score:.3f}"]
        + [_amount(p.yearly[k], k, p) for k in MEASURES]
        for i, p in enumerate(items, 1)
    ]
    return [title, *_table(["#", "service", "score", *MEASURES], rows)]


def _priority(view: PortfolioView) -> list[str]:
    ranking = view.ranking
    weights = ", ".join(f"{k} {v:g}" for k, v in ranking.weights.items())
    out = ["Prioritisation", f"  {ranking.as_dict()['formula']}", f"  weights: {weights}"]
    if ranking.savings:
        out += _ranked("What the redesign saves a year", ranking.savings)
    if ranking.costs:
        out += _ranked("Services without a To-Be: what the As-Is costs a year", ranking.costs)
    if ranking.unranked:
        out.append(f"  not ranked (a To-Be without an As-Is): {', '.join(ranking.unranked)}")
    if not ranking.savings and not ranking.costs:
        out.append("  no service has an As-Is to rank")
    return out


def _exchanges(view: PortfolioView) -> list[str]:
    out = ["Data-exchange backlog (by cases served a year)"]
    if not view.exchanges:
        return [*out, "  no exchange found"]
    rows = []
    for e in view.exchanges:
        data = e.as_dict()
        rows.append(
            [
                for_terminal(e.issuer),
                for_terminal(e.requester),
                ", ".join(f"{c['service']}:{c['document']}" for c in data["certificates"]),
                ", ".join(data["services"]),
                f"{e.cases_served:,.0f}" + (" +?" if data["cases_unknown"] else ""),
                e.registry,
                "+".join(data["sources"]),
            ]
        )
    header = ["issuer", "requester", "certificates", "services", "cases", "registry", "source"]
    return [*out, *_table(header, rows)]


def _acts(view: PortfolioView) -> list[str]:
    out = ["Acts to amend"]
    if view.pairs == 0:
        return [*out, "  skipped: no service has both an As-Is and a To-Be to compare"]
    if not view.acts:
        return [*out, "  none: no redesign removes a step or document whose basis is cited"]
    for act in view.acts:
        article = f", art. {act.article}" if act.article else ""
        uses = "; ".join(f"{s}: {', '.join(f) or 'the service'}" for s, f in act.uses)
        out.append(f"  {for_terminal(act.title)}{for_terminal(article)} ({act.act}): {uses}")
    return out


def _bundle(data: dict[str, Any]) -> list[str]:
    out = [f"Life event {for_terminal(data['name'])} ({data['id']}): {', '.join(data['services'])}"]
    if data["missing"]:
        out.append(f"  not in the portfolio: {', '.join(data['missing'])}")
    keys = ["steps", "visits", "documents_from_applicant", "certificates", "applicant_hours"]
    rows = [
        [
            label,
            *(f"{data[when][k]:g}" for k in keys),
            ", ".join(format_money(v, c) for c, v in data[when]["admin_cost"].items()) or "–",
        ]
        for label, when in (("now", "now"), ("planned", "planned"))
    ]
    out += _table(["", *keys, "admin_cost"], rows)
    shared = data["shared_documents"]
    out.append(
        f"  once-only opportunities: {data['once_only_opportunities']} distinct "
        + ("certificate" if data["once_only_opportunities"] == 1 else "certificates")
        + (
            "; carried to several services: "
            + "; ".join(f"{x['document']} ({', '.join(x['services'])})" for x in shared)
            if shared
            else ""
        )
    )
    if data["shared_agencies"]:
        out.append(
            "  agencies shared: "
            + "; ".join(
                f"{for_terminal(a)} ({', '.join(s)})" for a, s in data["shared_agencies"].items()
            )
        )
    return out
