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

from bpr.core import i18n
from bpr.core.i18n import domain, number, numeral
from bpr.core.money import Money
from bpr.portfolio.build import PortfolioView
from bpr.portfolio.bundles import BundleMeasures
from bpr.portfolio.priority import MEASURES, Priority

__all__ = [
    "Cell",
    "ColumnKind",
    "PortfolioTable",
    "cell_text",
    "formula",
    "measure_column",
    "share_text",
    "tables",
]

_, ngettext, pgettext = domain("portfolio")

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
    weights = ", ".join(f"{measure_column(k)} {number(v, 'g')}" for k, v in ranking.weights.items())
    notes: tuple[str, ...] = (formula(), _("weights: {weights}").format(weights=weights))
    if ranking.unranked:
        notes += (
            _("not ranked (a To-Be without an As-Is): {services}").format(
                services=", ".join(ranking.unranked)
            ),
        )
    if ranking.savings:
        title = _("What the redesign saves a year")
        found.append(_ranked("savings", title, ranking.savings, notes))
        notes = ()
    if ranking.costs:
        title = _("Services without a To-Be: what the As-Is costs a year")
        found.append(_ranked("costs", title, ranking.costs, notes))
    found += [_exchanges(view), _acts(view)]
    found += [_bundle(b) for b in view.bundles]
    return found


def share_text(share: float) -> str:
    """A share as the tables write it, a whole percentage in the language's way: ``17%``."""
    # TRANSLATORS: a percentage; {value} is the number already written
    return pgettext("percent", "{value}%").format(value=number(share, ".0%")[:-1])


def cell_text(value: Cell, kind: ColumnKind, *, score_format: str = ".3f") -> str:
    """A cell of a portfolio table as text: a share as a whole percentage, yearly amounts
    whole, money with its currency, "–" for an unknown number, a score with ``score_format``
    (the terminal's three decimals; a report writes two, since "4,000" would read as a
    thousand where the comma is the decimal sign). Text is returned as it is: each output
    makes it safe in its own way.

    >>> cell_text(0.5, "share"), cell_text(None, "amount"), cell_text(3.2, "score")
    ('50%', '–', '3.200')
    """
    if value is None:
        return "" if kind in ("text", "share") else "–"
    if isinstance(value, tuple):
        return ", ".join(str(m) for m in value)
    if isinstance(value, Money | str):
        return str(value)
    if kind == "share":
        return share_text(value)
    if kind == "score":
        return number(value, score_format)
    if kind == "amount":
        return number(value, ",.0f")
    if kind == "measure":
        text = f"{value:,.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"
        return numeral(text)
    return str(value)


def measure_column(key: str) -> str:
    """The header of a measure's column, in the output language (the key itself in English,
    as the portfolio file's ``weights`` name the measure)."""
    # TRANSLATORS: a column of the portfolio's tables, headed in English by the measure's key
    # (as the portfolio file's weights name it); translate it as the measure's name
    names = {
        "applicant_hours": pgettext("portfolio column", "applicant_hours"),
        "admin_cost": pgettext("portfolio column", "admin_cost"),
        "visits": pgettext("portfolio column", "visits"),
        "certificates": pgettext("portfolio column", "certificates"),
        "steps": pgettext("portfolio column", "steps"),
        "documents_from_applicant": pgettext("portfolio column", "documents_from_applicant"),
    }
    return names.get(key, key)


def formula() -> str:
    """The priority score's formula as the tables show it (the JSON keeps the English
    :data:`~bpr.portfolio.priority.FORMULA`)."""
    # TRANSLATORS: {measures} lists the measures' columns; {money} is the column of the
    # administrative cost; volume and uptake are the model's cases a year and the share of them
    # that take the To-Be
    text = _(
        "score = sum over k in ({measures}) of weight_k * yearly_k / max_k; yearly_k = (As-Is - "
        "To-Be) per case * volume * uptake (saving), or As-Is per case * volume where there is "
        "no To-Be (cost); max_k = the largest yearly_k ranked together ({money}: per currency)"
    )
    return text.format(
        measures=", ".join(measure_column(k) for k in MEASURES),
        money=measure_column("admin_cost"),
    )


def _stages(view: PortfolioView) -> PortfolioTable:
    unsupported = [(s.service, v) for s in view.maturity.stages for v in s.unsupported()]
    note = (
        _("Declared stage not supported by the flow: {services}").format(
            services=", ".join(f"{s} ({v})" for s, v in unsupported)
        )
        if unsupported
        else _("Every declared stage is supported by its flow.")
    )
    # TRANSLATORS: the columns of the maturity table: the service, the stage its As-Is file
    # declares, the stage its flow supports, the same for the To-Be, the variants whose
    # declared stage the flow does not support
    columns = (
        pgettext("portfolio column", "service"),
        pgettext("portfolio column", "As-Is declared"),
        pgettext("portfolio column", "derived"),
        pgettext("portfolio column", "To-Be declared"),
        pgettext("portfolio column", "derived"),
        pgettext("portfolio column", "unsupported"),
    )
    return PortfolioTable(
        "stages",
        _("Maturity benchmarking (stage = what the flow supports, derived_maturity)"),
        columns,
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
    if view.spec.by:
        title = _(
            "Share of the portfolio at each stage or above, against the targets by {date}"
        ).format(date=i18n.date(view.spec.by))
    else:
        title = _("Share of the portfolio at each stage or above, against the targets")
    rows = []
    for x in view.maturity.shares:
        status = ""
        if x.gap is not None:
            if x.gap <= 0:
                # TRANSLATORS: the share of the portfolio at a stage has reached the target
                status = pgettext("target", "met")
            else:
                more = x.services_needed
                status = ngettext(
                    "{gap} short ({n} more)", "{gap} short ({n} more)", more or 0
                ).format(gap=share_text(x.gap), n=more)
        rows.append((f">= {x.stage}", x.now, x.planned, x.target, status))
    # TRANSLATORS: the columns of the shares table: the stage, the share of services at it
    # now, planned by the To-Bes, the target share, and how far short of the target
    columns = (
        pgettext("portfolio column", "stage"),
        pgettext("portfolio column", "now"),
        pgettext("portfolio column", "planned"),
        pgettext("portfolio column", "target"),
        pgettext("portfolio column", "gap"),
    )
    return PortfolioTable(
        "shares",
        title,
        columns,
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
    columns = (
        "#",
        pgettext("portfolio column", "service"),
        # TRANSLATORS: the column of the priority score of a service
        pgettext("portfolio column", "score"),
        *(measure_column(k) for k in MEASURES),
    )
    return PortfolioTable(table_id, title, columns, kinds, tuple(rows), intro=intro)


def _exchanges(view: PortfolioView) -> PortfolioTable:
    rows = []
    for e in view.exchanges:
        data = e.as_dict()
        cases = number(e.cases_served, ",.0f") + (" +?" if data["cases_unknown"] else "")
        rows.append(
            (
                e.issuer,
                e.requester,
                ", ".join(f"{c['service']}:{c['document']}" for c in data["certificates"]),
                ", ".join(data["services"]),
                cases,
                _registry(e.registry),
                "+".join(_source(s) for s in data["sources"]),
            )
        )
    # TRANSLATORS: the columns of the data-exchange backlog: the agency that issues the
    # certificate, the one that asks for it, the certificates, the services, the cases a year,
    # whether the issuer keeps a register others can query, where the row comes from
    columns = (
        pgettext("portfolio column", "issuer"),
        pgettext("portfolio column", "requester"),
        pgettext("portfolio column", "certificates"),
        pgettext("portfolio column", "services"),
        pgettext("portfolio column", "cases"),
        pgettext("portfolio column", "registry"),
        pgettext("portfolio column", "source"),
    )
    return PortfolioTable(
        "exchanges",
        _("Data-exchange backlog (by cases served a year)"),
        columns,
        ("text", "text", "text", "text", "text", "text", "text"),
        tuple(rows),
        () if rows else (_("no exchange found"),),
    )


def _registry(value: str) -> str:
    """Whether an issuer keeps a register others can query: ``yes``, ``no``, ``unknown``."""
    words = {
        "yes": pgettext("registry", "yes"),
        "no": pgettext("registry", "no"),
        "unknown": pgettext("registry", "unknown"),
    }
    return words.get(value, value)


def _source(value: str) -> str:
    """Where an exchange was found: ``lint`` (bpr lint's once-only rule) or ``to-be``."""
    # TRANSLATORS: a data exchange found by bpr lint (its once-only rule) in an As-Is
    return pgettext("exchange source", "lint") if value == "lint" else value


def _acts(view: PortfolioView) -> PortfolioTable:
    if view.pairs == 0:
        note: tuple[str, ...] = (_("skipped: no service has both an As-Is and a To-Be to compare"),)
    elif not view.acts:
        note = (_("none: no redesign removes a step or document whose basis is cited"),)
    else:
        note = ()
    # TRANSLATORS: an act cited for a service as a whole, not for one of its steps or documents
    whole = _("the service")
    rows = tuple(
        (
            a.act,
            a.title,
            a.article or "",
            "; ".join(f"{s}: {', '.join(f) or whole}" for s, f in a.uses),
        )
        for a in view.acts
    )
    # TRANSLATORS: the columns of the acts to amend: the act's id, its title, the article, and
    # for each service what (steps, documents) it is cited for
    columns = (
        pgettext("portfolio column", "act"),
        pgettext("portfolio column", "title"),
        pgettext("portfolio column", "article"),
        pgettext("portfolio column", "services: what it is cited for"),
    )
    return PortfolioTable(
        "acts",
        _("Acts to amend"),
        columns,
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
    # TRANSLATORS: the rows of a life event's table: the As-Is figures (now) and the To-Be's
    labels = {"now": pgettext("bundle row", "now"), "planned": pgettext("bundle row", "planned")}
    for label in ("now", "planned"):
        measures = data[label]
        money = tuple(Money(v, c or None) for c, v in measures["admin_cost"].items())
        rows.append((labels[label], *(measures[k] for k in _BUNDLE_MEASURES), money or None))
    count = data["once_only_opportunities"]
    line = ngettext(
        "once-only opportunities: {n} distinct certificate",
        "once-only opportunities: {n} distinct certificates",
        count,
    ).format(n=count)
    if data["shared_documents"]:
        line = _("{opportunities}; carried to several services: {documents}").format(
            opportunities=line,
            documents="; ".join(
                f"{x['document']} ({', '.join(x['services'])})" for x in data["shared_documents"]
            ),
        )
    notes = [line]
    intro = (
        (_("not in the portfolio: {services}").format(services=", ".join(data["missing"])),)
        if data["missing"]
        else ()
    )
    if data["shared_agencies"]:
        shared = "; ".join(f"{a} ({', '.join(s)})" for a, s in data["shared_agencies"].items())
        notes.append(_("agencies shared: {agencies}").format(agencies=shared))
    measure: ColumnKind = "measure"
    kinds: tuple[ColumnKind, ...] = ("text", *(measure for _ in _BUNDLE_MEASURES), "money")
    title = _("Life event {name} ({id}): {services}").format(
        name=bundle.bundle.name, id=bundle.bundle.id, services=", ".join(bundle.services)
    )
    return PortfolioTable(
        f"bundle-{bundle.bundle.id}",
        title,
        ("", *(measure_column(k) for k in _BUNDLE_MEASURES), measure_column("admin_cost")),
        kinds,
        tuple(rows),
        tuple(notes),
        intro,
    )
