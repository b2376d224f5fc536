"""The programme's part of a report of a portfolio folder (one with ``portfolio.yaml``): the
tables of ``bpr portfolio`` (maturity benchmarking with the gap to each target, the
prioritisation with its formula, the data-exchange backlog, the acts to amend, the life events)
and the charts people would rather look at (the shares at each stage against the targets, the
applicant hours each redesign saves a year), independent of the report's format.

A report is of a portfolio folder where its model files are exactly those of one folder that
holds a portfolio file: ``bpr report models`` has the section, ``bpr report models/one-service``
(no portfolio file there) and a folder without ``portfolio.yaml`` do not, so their reports stay
as they were.

>>> section = portfolio_section(collect(["tests/data/portfolio"]))  # doctest: +SKIP
>>> [t.id for t in section.tables][:3]  # doctest: +SKIP
['stages', 'shares', 'savings']
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from bpr.core import i18n
from bpr.core.i18n import domain
from bpr.errors import BprError
from bpr.files.finder import find_models
from bpr.portfolio import PORTFOLIO_FILE, PortfolioTable, PortfolioView, build_portfolio, tables
from bpr.portfolio.tables import Cell, ColumnKind, cell_text, share_text
from bpr.report.charts import COLOURS, BarChart, Series
from bpr.report.collect import Portfolio

__all__ = [
    "NUMERIC_KINDS",
    "SAVINGS_CHART_SERVICES",
    "PortfolioSection",
    "portfolio_cell",
    "portfolio_folder",
    "portfolio_section",
    "savings_chart",
    "shares_chart",
]

_, ngettext, pgettext = domain("report")

#: The most services the savings chart shows (the first of the ranking); the table has all.
SAVINGS_CHART_SERVICES = 30


@dataclass(frozen=True)
class PortfolioSection:
    """What a report shows of the programme: the folder, the portfolio file, the tables in the
    order ``bpr portfolio`` prints them and a chart by the id of the table it belongs under;
    or, where the portfolio could not be read, only ``error`` (the report goes on without it)."""

    folder: str
    file: str | None
    tables: tuple[PortfolioTable, ...] = ()
    charts: dict[str, BarChart] = field(default_factory=dict)
    error: str | None = None


def portfolio_folder(portfolio: Portfolio) -> Path | None:
    """The folder the report is of where it is a portfolio folder: the one folder holding
    every model file of the report, with a portfolio file, whose model files are all in the
    report; None for any other report."""
    if not portfolio.files:
        return None
    folders = [os.path.abspath(p.parent) for p in portfolio.files]
    common = Path(os.path.commonpath(folders))
    if not (common / PORTFOLIO_FILE).is_file():
        return None
    found = {os.path.abspath(p) for p in find_models([common])}
    if found != {os.path.abspath(p) for p in portfolio.files}:
        return None
    # the folder as the files name it (relative where they are), for the report's text
    named = Path(os.path.commonpath([os.fspath(p.parent) for p in portfolio.files]))
    return named if os.path.abspath(named) == os.fspath(common) else common


def portfolio_section(portfolio: Portfolio) -> PortfolioSection | None:
    """The programme's tables and charts for a report of a portfolio folder, else None."""
    folder = portfolio_folder(portfolio)
    if folder is None:
        return None
    try:
        view = build_portfolio(folder)
    except BprError as exc:  # a model the report skips, or a wrong portfolio file
        return PortfolioSection(
            os.fspath(folder), os.fspath(folder / PORTFOLIO_FILE), error=str(exc)
        )
    charts = {"shares": shares_chart(view)}
    savings = savings_chart(view)
    if savings is not None:
        charts["savings"] = savings
    return PortfolioSection(view.folder, view.spec.file, tuple(tables(view)), charts)


def shares_chart(view: PortfolioView) -> BarChart:
    """The share of the portfolio at each stage or above: now, planned and the target (no bar
    where a stage has no target)."""
    shares = view.maturity.shares
    # TRANSLATORS: a category of the maturity chart: the services at this stage or a higher one
    categories = tuple(_("stage ≥ {stage}").format(stage=x.stage) for x in shares)
    series = (
        # TRANSLATORS: the bars of the maturity chart: the share of services at a stage now
        Series(pgettext("chart", "now"), tuple(x.now for x in shares)),
        # TRANSLATORS: the share of services at a stage once the To-Bes are in place
        Series(pgettext("chart", "planned"), tuple(x.planned for x in shares)),
        # TRANSLATORS: the share of services at a stage that the programme's targets ask for
        Series(pgettext("chart", "target"), tuple(x.target for x in shares)),
    )
    if view.spec.by:
        title = _("Share of services at each stage or above, against the targets by {date}")
        title = title.format(date=i18n.date(view.spec.by))
    else:
        title = _("Share of services at each stage or above, against the targets")
    return BarChart(title, categories, series, percent=True, label=share_text)


def savings_chart(view: PortfolioView) -> BarChart | None:
    """The applicant hours each redesign saves a year, by service in the order of the ranking
    (the first :data:`SAVINGS_CHART_SERVICES`); None where no service has them."""
    ranked = [
        (p.service, p.yearly["applicant_hours"])
        for p in view.ranking.savings
        if p.yearly["applicant_hours"] is not None
    ]
    if not ranked:
        return None
    shown = ranked[:SAVINGS_CHART_SERVICES]
    if len(shown) < len(ranked):
        title = _("Applicant hours saved a year, the first {n} services of the ranking").format(
            n=len(shown)
        )
    else:
        title = _("Applicant hours saved a year, by service")
    series = (Series(_("hours a year"), tuple(h for _s, h in shown), COLOURS[1]),)
    return BarChart(
        title,
        tuple(service for service, _hours in shown),
        series,
        horizontal=True,
        unit=_("hours a year"),
    )


def portfolio_cell(value: Cell, kind: ColumnKind) -> str:
    """A cell of a portfolio table as a report writes it (as ``bpr portfolio`` does): a share
    as a whole percentage, yearly amounts whole, money with its
    currency, "–" for an unknown number; a score to two decimals (three, as the terminal
    writes it, would read as a thousand where the comma is the decimal sign: "4,000").

    >>> portfolio_cell(0.5, "share"), portfolio_cell(None, "amount"), portfolio_cell(3.2, "score")
    ('50%', '–', '3.20')
    """
    return cell_text(value, kind, score_format=".2f")


#: The kinds of column whose cells are numbers (aligned right).
NUMERIC_KINDS = frozenset({"stage", "share", "score", "amount", "measure", "money"})
