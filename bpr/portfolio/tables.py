"""The portfolio's tables as plain values, for every output: the terminal text of
``bpr portfolio`` renders them, and a report (HTML, Excel, Word) can render the same tables.

Each :class:`PortfolioTable` has column names, the kind of each column and rows of cells:
``text`` (str), ``stage`` (int or None), ``share`` (a float from 0 to 1, or None), ``score``
(float or None), ``amount`` (a yearly count or number of hours, float or None), ``measure``
(a per-case or summed measure, float), ``money`` (a :class:`~bpr.core.money.Money`, a tuple of
them for totals in several currencies, or None). Money of different currencies is never added.

>>> from bpr.portfolio import build_portfolio
>>> [t.id for t in tables(build_portfolio("tests/data/portfolio"))]  # doctest: +SKIP
['stages', 'shares', 'savings', 'costs', 'exchanges', 'acts', 'bundle-life', 'bundle-mixed']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bpr.core.money import Money
from bpr.portfolio.build import PortfolioView
from bpr.portfolio.bundles import BundleMeasures
from bpr.portfolio.priority import FORMULA, MEASURES, Priority

__all__ = ["Cell", "ColumnKind", "PortfolioTable", "tables"]

ColumnKind = Literal["text", "stage", "share", "score", "amount", "measure", "money"]
Cell = str | int | float | Money | tuple[Money, ...] | None


@dataclass(frozen=True)
class PortfolioTable:
    """One table: ``id`` is stable (``stages``, ``shares``, ``savings``, ``costs``,
    ``exchanges``, ``acts``, ``bundle-<id>``); ``intro`` lines are shown above the rows (the
    score's formula), ``notes`` below them."""

    id: str
    title: str
    columns: tuple[str, ...]
    kinds: tuple[ColumnKind, ...]
    rows: tuple[tuple[Cell, ...], ...]
    notes: tuple[str, ...] = ()
    intro: tuple[str, ...] = ()


def tables(view: PortfolioView) -> list[PortfolioTable]:
    """The portfolio's tables in the order ``bpr portfolio`` prints them; the ranking tables
    only where services are ranked in them, the bundles only where the portfolio file has some."""
    found = [_stages(view), _shares(view)]
    ranking = view.ranking
    weights = ", ".join(f"{k} {v:g}" for k, v in ranking.weights.items())
    notes: tuple[str, ...] = (FORMULA, f"weights: {weights}")
    if ranking.unranked:
        notes += (f"not ranked (a To-Be without an As-Is): {', '.join(ranking.unranked)}",)
    if ranking.savings:
        found.append(_ranked("savings", "What the redesign saves a year", ranking.savings, notes))
        notes = ()
    if ranking.costs:
        title = "Services without a To-Be: what the As-Is costs a year"
        found.append(_ranked("costs", title, ranking.costs, notes))
    found += [_exchanges(view), _acts(view)]
    found += [_bundle(b) for b in view.bundles]
    return found


def _stages(view: PortfolioView) -> PortfolioTable:
    unsupported = [(s.service, v) for s in view.maturity.stages for v in s.unsupported()]
    note = (
        "Declared stage not supported by the flow: "
        + ", ".join(f"{s} ({v})" for s, v in unsupported)
        if unsupported
        else "Every declared stage is supported by its flow."
    )
    return PortfolioTable(
        "stages",
        "Maturity benchmarking (stage = what the flow supports, derived_maturity)",
        ("service", "As-Is declared", "derived", "To-Be declared", "derived", "unsupported"),
        ("text", "stage", "stage", "stage", "stage", "text"),
        tuple(
            (
                s.service,
                s.declared_as_is,
                s.derived_as_is,
                s.declared_to_be,
                s.derived_to_be,
                ", ".join(s.unsupported()),
            )
            for s in view.maturity.stages
        ),
        (note,),
    )


def _shares(view: PortfolioView) -> PortfolioTable:
    by = f" by {view.spec.by.isoformat()}" if view.spec.by else ""
    rows = []
    for x in view.maturity.shares:
        status = ""
        if x.gap is not None:
            status = "met" if x.gap <= 0 else f"{x.gap:.0%} short ({x.services_needed} more)"
        rows.append((f">= {x.stage}", x.now, x.planned, x.target, status))
    return PortfolioTable(
        "shares",
        f"Share of the portfolio at each stage or above, against the targets{by}",
        ("stage", "now", "planned", "target", "gap"),
        ("text", "share", "share", "share", "text"),
        tuple(rows),
    )


def _ranked(
    table_id: str, title: str, items: tuple[Priority, ...], intro: tuple[str, ...]
) -> PortfolioTable:
    rows = []
    for i, p in enumerate(items, 1):
        cells: list[Cell] = [str(i), p.service, p.score]
        for key in MEASURES:
            value = p.yearly[key]
            cells.append(
                Money(value, p.currency) if key == "admin_cost" and value is not None else value
            )
        rows.append(tuple(cells))
    kinds: tuple[ColumnKind, ...] = ("text", "text", "score", "amount", "money", "amount", "amount")
    columns = ("#", "service", "score", *MEASURES)
    return PortfolioTable(table_id, title, columns, kinds, tuple(rows), intro=intro)


def _exchanges(view: PortfolioView) -> PortfolioTable:
    rows = []
    for e in view.exchanges:
        data = e.as_dict()
        cases = f"{e.cases_served:,.0f}" + (" +?" if data["cases_unknown"] else "")
        rows.append(
            (
                e.issuer,
                e.requester,
                ", ".join(f"{c['service']}:{c['document']}" for c in data["certificates"]),
                ", ".join(data["services"]),
                cases,
                e.registry,
                "+".join(data["sources"]),
            )
        )
    return PortfolioTable(
        "exchanges",
        "Data-exchange backlog (by cases served a year)",
        ("issuer", "requester", "certificates", "services", "cases", "registry", "source"),
        ("text", "text", "text", "text", "text", "text", "text"),
        tuple(rows),
        () if rows else ("no exchange found",),
    )


def _acts(view: PortfolioView) -> PortfolioTable:
    if view.pairs == 0:
        note: tuple[str, ...] = ("skipped: no service has both an As-Is and a To-Be to compare",)
    elif not view.acts:
        note = ("none: no redesign removes a step or document whose basis is cited",)
    else:
        note = ()
    rows = tuple(
        (
            a.act,
            a.title,
            a.article or "",
            "; ".join(f"{s}: {', '.join(f) or 'the service'}" for s, f in a.uses),
        )
        for a in view.acts
    )
    return PortfolioTable(
        "acts",
        "Acts to amend",
        ("act", "title", "article", "services: what it is cited for"),
        ("text", "text", "text", "text"),
        rows,
        note,
    )


_BUNDLE_MEASURES = (
    "steps",
    "visits",
    "documents_from_applicant",
    "certificates",
    "applicant_hours",
)


def _bundle(bundle: BundleMeasures) -> PortfolioTable:
    data = bundle.as_dict()
    rows = []
    for label in ("now", "planned"):
        measures = data[label]
        money = tuple(Money(v, c or None) for c, v in measures["admin_cost"].items())
        rows.append((label, *(measures[k] for k in _BUNDLE_MEASURES), money or None))
    count = data["once_only_opportunities"]
    line = f"once-only opportunities: {count} distinct " + (
        "certificate" if count == 1 else "certificates"
    )
    if data["shared_documents"]:
        line += "; carried to several services: " + "; ".join(
            f"{x['document']} ({', '.join(x['services'])})" for x in data["shared_documents"]
        )
    notes = [line]
    intro = (f"not in the portfolio: {', '.join(data['missing'])}",) if data["missing"] else ()
    if data["shared_agencies"]:
        notes.append(
            "agencies shared: "
            + "; ".join(f"{a} ({', '.join(s)})" for a, s in data["shared_agencies"].items())
        )
    measure: ColumnKind = "measure"
    kinds: tuple[ColumnKind, ...] = ("text", *(measure for _ in _BUNDLE_MEASURES), "money")
    return PortfolioTable(
        f"bundle-{bundle.bundle.id}",
        f"Life event {bundle.bundle.name} ({bundle.bundle.id}): {', '.join(bundle.services)}",
        ("", *_BUNDLE_MEASURES, "admin_cost"),
        kinds,
        tuple(rows),
        tuple(notes),
        intro,
    )
