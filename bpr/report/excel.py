"""The report as an Excel workbook: measures per variant, changes, numbers kept as numbers."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from typing import Any

from bpr.analysis.measures import MEASURE_KEYS
from bpr.comparison.rows import STAGE_MEASURES, stage_change
from bpr.core import i18n
from bpr.core.i18n import N_, domain
from bpr.core.money import Money, excel_number_format, money_cell
from bpr.core.text import for_spreadsheet
from bpr.portfolio import PortfolioTable
from bpr.portfolio.tables import measure_column
from bpr.report.charts import BarChart
from bpr.report.collect import Portfolio, Service, Variant
from bpr.report.content import (
    applicants_text,
    change_records,
    has_passport,
    phase_table,
    portfolio_table,
    unit_of,
)
from bpr.report.measure_words import measure_label, measure_unit_kind
from bpr.report.portfolio_section import PortfolioSection, portfolio_section

__all__ = ["excel_report", "sheet_title"]

_, ngettext, pgettext = domain("report")

_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
_NUMBER_FORMATS = {"percent": '+0.0"%";-0.0"%";0"%"', "number": "#,##0.##"}


def sheet_title(label: str, taken: set[str]) -> str:
    """A valid, unique sheet title for a free-text label (at most 31 characters, no []:*?/\\).

    >>> sheet_title("to-be/2030?", set())
    'to-be_2030_'
    """
    base = _BAD_TITLE.sub("_", str(for_spreadsheet(label))).strip("'") or "sheet"
    title = base[:31]
    n = 2
    while title.lower() in {t.lower() for t in taken}:
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(title)
    return title


def _write_rows(
    sheet: Any,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    kinds: Sequence[str] | None = None,
) -> None:
    from openpyxl.styles import Font

    bold = Font(bold=True)
    for column, header in enumerate(headers, start=1):
        sheet.cell(row=1, column=column, value=header).font = bold
    # cell by cell: looking rows up by index (sheet[n]) scans the whole sheet each time
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            if isinstance(value, Money):  # the amount stays a number, shown in its currency
                cell = sheet.cell(row=number, column=column, value=value.amount)
                cell.number_format = excel_number_format(value.currency)
                continue
            cell = sheet.cell(row=number, column=column, value=for_spreadsheet(value))
            if isinstance(value, str):
                # model text is data, never a formula: "=cmd|..." stays text
                cell.data_type = "s"
            elif kinds is not None and isinstance(value, int | float):
                cell.number_format = _NUMBER_FORMATS.get(kinds[column - 1], "General")
    sheet.freeze_panes = "B2"
    for index, header in enumerate(headers, start=1):
        width = max(
            [len(str(header))]
            + [len(_shown(r[index - 1])) for r in rows[:200] if r[index - 1] is not None]
        )
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(
            max(width + 2, 8), 60
        )


def _shown(value: Any) -> str:
    return str(value)  # an amount as format_money writes it, code included


def _currency_header(services: Sequence[Service]) -> str | None:
    currencies = {s.currency for s in services} - {None}
    return currencies.pop() if len(currencies) == 1 else None


def _measure_rows(
    variants: Sequence[tuple[Service, Variant]], currency: str | None
) -> tuple[list[str], list[list[Any]], list[str]]:
    headers = [_("Service"), _("Variant"), _("Name"), _("File")]
    kinds = ["text"] * 4
    for key in MEASURE_KEYS:
        unit = unit_of(key, currency)
        headers.append(f"{measure_label(key)} ({unit})" if unit else measure_label(key))
        kinds.append("money" if measure_unit_kind(key) == "money" else "number")
    headers += [
        _("Volume (cases per year)"),
        _("Tariff (currency per applicant hour)"),
        _("Currency"),
    ]
    kinds += ["number", "number", "text"]
    rows = []
    for service, variant in variants:
        model = variant.model
        row: list[Any] = [service.id, model.variant, model.title, model.file]
        row += [
            money_cell(variant.measures.get(key), model.currency)
            if measure_unit_kind(key) == "money"
            else variant.measures.get(key)
            for key in MEASURE_KEYS
        ]
        row += [model.volume, money_cell(model.tariff, model.currency), model.currency or ""]
        rows.append(row)
    return headers, rows, kinds


#: The programme's sheets by the id of their table; a life event's is named by its id.
_PROGRAMME_SHEETS = {
    "stages": N_("Maturity"),
    "shares": N_("Stage shares"),
    "savings": N_("Savings"),
    "costs": N_("Costs"),
    "exchanges": N_("Exchange backlog"),
    "acts": N_("Acts to amend"),
}
#: Excel's number format of each kind of a programme table's column.
_PROGRAMME_FORMATS = {"share": "0%", "score": "0.00", "amount": "#,##0", "measure": "#,##0.##"}


def _programme_sheet(
    workbook: Any, table: PortfolioTable, chart: BarChart | None, taken: set[str]
) -> None:
    """A sheet of one of the programme's tables: its title, the formula or other lines above
    it, the rows (shares, scores and amounts as numbers), the notes below, and its chart as a
    native Excel bar chart of the rows' cells beside the table."""
    from openpyxl.styles import Font

    if table.id.startswith("bundle-"):
        name = _("Life event {id}").format(id=table.id.removeprefix("bundle-"))
    else:
        name = _(_PROGRAMME_SHEETS.get(table.id, table.id))
    sheet = workbook.create_sheet(sheet_title(name, taken))
    sheet.cell(row=1, column=1, value=for_spreadsheet(table.title)).font = Font(bold=True, size=12)
    row = 2
    for line in table.intro:
        cell = sheet.cell(row=row, column=1, value=for_spreadsheet(line))
        cell.data_type = "s"
        row += 1
    header = row + 1
    bold = Font(bold=True)
    for column, name in enumerate(table.columns, start=1):
        sheet.cell(row=header, column=column, value=for_spreadsheet(name)).font = bold
    for number, values in enumerate(table.rows, start=header + 1):
        for column, (value, kind) in enumerate(zip(values, table.kinds, strict=True), start=1):
            if isinstance(value, Money):
                cell = sheet.cell(row=number, column=column, value=value.amount)
                cell.number_format = excel_number_format(value.currency)
            elif isinstance(value, tuple):  # totals in several currencies, never added
                cell = sheet.cell(row=number, column=column, value=", ".join(map(str, value)))
                cell.data_type = "s"
            elif isinstance(value, str):
                cell = sheet.cell(row=number, column=column, value=for_spreadsheet(value))
                cell.data_type = "s"  # model text is data, never a formula
            elif value is not None:
                cell = sheet.cell(row=number, column=column, value=value)
                cell.number_format = _PROGRAMME_FORMATS.get(kind, "General")
    last = header + len(table.rows)
    for n, line in enumerate(table.notes):
        cell = sheet.cell(row=last + 2 + n, column=1, value=for_spreadsheet(line))
        cell.data_type = "s"
    for index, name in enumerate(table.columns, start=1):
        texts = [str(r[index - 1]) for r in table.rows if r[index - 1] is not None]
        width = max([len(name), 6, *(len(t) for t in texts)])
        sheet.column_dimensions[sheet.cell(header, index).column_letter].width = min(width + 2, 50)
    sheet.freeze_panes = sheet.cell(header + 1, 1)
    if chart is not None and table.rows:
        _native_chart(sheet, table, chart, header, last)


def _native_chart(
    sheet: Any, table: PortfolioTable, chart: BarChart, header: int, last: int
) -> None:
    """The chart as an Excel bar chart whose series are the table's columns of the chart's
    series (by name) and whose categories are the first column of its rows."""
    from openpyxl.chart import BarChart as ExcelBarChart
    from openpyxl.chart import Reference
    from openpyxl.chart.data_source import AxDataSource, StrRef

    columns = _chart_columns(table, chart)
    native = ExcelBarChart()
    native.type = "bar" if chart.horizontal else "col"
    native.grouping = "clustered"
    native.title = chart.title
    native.y_axis.title = chart.unit or None
    if chart.percent:
        native.y_axis.number_format = "0%"
        native.y_axis.scaling.min, native.y_axis.scaling.max = 0, 1
    for column in columns:
        data = Reference(sheet, min_col=column, min_row=header, max_row=last)
        native.add_data(data, titles_from_data=True)
    first = 2 if table.id in ("savings", "costs") else 1  # the service, not the rank
    names = Reference(sheet, min_col=first, min_row=header + 1, max_row=last)
    for n, series in enumerate(native.series):
        # the categories are text (stages, services): a string reference, as Excel writes it
        series.cat = AxDataSource(strRef=StrRef(f=str(names)))
        fill = chart.series[min(n, len(chart.series) - 1)].fill(n).lstrip("#")
        series.graphicalProperties.solidFill = fill
        series.graphicalProperties.line.solidFill = fill
    if chart.horizontal:
        native.x_axis.scaling.orientation = "maxMin"  # the first of the ranking on top
    native.legend.position = "b"
    native.height = 7.5 + (0.5 * len(table.rows) if chart.horizontal else 0)
    native.width = 18
    anchor = sheet.cell(header, len(table.columns) + 2).coordinate
    sheet.add_chart(native, anchor)


def _chart_columns(table: PortfolioTable, chart: BarChart) -> list[int]:
    """The table's columns (1-based) that hold the chart's series."""
    if table.id == "shares":
        return [2, 3, 4]  # now, planned, target
    return [table.columns.index(measure_column("applicant_hours")) + 1]


def _programme_sheets(workbook: Any, section: PortfolioSection, taken: set[str]) -> None:
    if section.error is not None:
        sheet = workbook.create_sheet(sheet_title(_("Programme"), taken))
        text = _("The programme's tables are left out: {reason}").format(reason=section.error)
        sheet.cell(row=1, column=1, value=for_spreadsheet(text)).data_type = "s"
        return
    for table in section.tables:
        _programme_sheet(workbook, table, section.charts.get(table.id), taken)


def _passport_sheet(workbook: Any, services: Sequence[Service], taken: set[str]) -> None:
    """The passports of the services, a row per variant, numbers kept as numbers: the legal
    deadline in days, the stages, the cases a year."""
    sheet = workbook.create_sheet(sheet_title(_("Passports"), taken))
    headers = [
        _("Service"),
        _("Variant"),
        _("Owner"),
        _("Applicants"),
        _("Result"),
        _("Legal deadline (days)"),
        _("Register id"),
        _("Declared maturity stage"),
        _("Maturity stage the flow supports"),
        _("Cases per year"),
    ]
    rows: list[list[Any]] = []
    for service in services:
        for variant in service.variants:
            model = variant.model
            deadline = None if model.deadline is None else round(model.deadline.mean / 24, 2)
            rows.append(
                [
                    service.id,
                    model.variant,
                    model.owner or "",
                    applicants_text(model.applicants) if model.applicants else "",
                    model.result or "",
                    deadline,
                    model.register_id or "",
                    model.maturity,
                    variant.measures.get("derived_maturity"),
                    model.volume,
                ]
            )
    _write_rows(sheet, headers, rows, ["text"] * 5 + ["number", "text"] + ["number"] * 3)


def excel_report(
    portfolio: Portfolio, *, on_service: Callable[[Service], None] | None = None
) -> bytes:
    """The workbook as bytes: a Portfolio sheet, one sheet of measures per variant label,
    a Changes sheet, a Measure changes sheet, and a Skipped sheet where files were skipped.
    """
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.properties.language = i18n.current()
    taken: set[str] = set()
    services = portfolio.services
    currency = _currency_header(services)

    portfolio_sheet = workbook.active
    portfolio_sheet.title = sheet_title(_("Portfolio"), taken)
    table = portfolio_table(portfolio)
    headers = []
    for column in table.columns:
        name = f"{column.group} {column.label}" if column.group else column.label
        unit = "%" if column.kind == "percent" else column.unit
        headers.append(f"{name} ({unit})" if unit else name)
    kinds = [c.kind for c in table.columns]
    _write_rows(portfolio_sheet, headers, table.rows, kinds)

    by_label: dict[str, list[tuple[Service, Variant]]] = {}
    for service in services:
        for variant in service.variants:
            by_label.setdefault(variant.label.lower(), []).append((service, variant))
    for label, variants in by_label.items():
        sheet = workbook.create_sheet(sheet_title(variants[0][1].label or label, taken))
        headers, rows, kinds = _measure_rows(variants, currency)
        _write_rows(sheet, headers, rows, kinds)

    programme = portfolio_section(portfolio)
    if programme is not None or any(has_passport(s) for s in services):
        _passport_sheet(workbook, services, taken)
    if programme is not None:
        _programme_sheets(workbook, programme, taken)

    changes = workbook.create_sheet(sheet_title(_("Changes"), taken))
    change_rows: list[list[Any]] = []
    measure_rows: list[list[Any]] = []
    for service in services:
        for pair in service.pairs:
            head = [service.id, pair.as_is.label, pair.to_be.label]
            if pair.error:
                change_rows.append([*head, _("Not compared"), "", "", pair.error])
            for record in change_records(pair):
                change_rows.append([*head, record.title, record.item, record.name, record.detail])
            for key in MEASURE_KEYS:
                before, after, percent = pair.change(key)
                change: float | int | str | None = None
                if pair.comparison is not None:
                    change = pair.comparison.measures[key].change
                if key in STAGE_MEASURES:  # a stage moves "stage 1 -> 3", never by a percent
                    change, percent = stage_change(before, after), None
                unit = unit_of(key, service.currency)
                values = [before, after, change]
                if measure_unit_kind(key) == "money":
                    values = [money_cell(v, service.currency) for v in values]
                measure_rows.append([*head, measure_label(key), unit, *values, percent])
        if on_service is not None:
            on_service(service)
    change_headers = [
        _("Service"),
        _("From"),
        _("To"),
        _("Change"),
        _("Id"),
        _("Name"),
        _("Detail"),
    ]
    _write_rows(changes, change_headers, change_rows)

    sheet = workbook.create_sheet(sheet_title(_("Measure changes"), taken))
    _write_rows(
        sheet,
        [
            _("Service"),
            _("From"),
            _("To"),
            _("Measure"),
            _("Unit"),
            _("Before"),
            _("After"),
            _("Change"),
            _("Change (%)"),
        ],
        measure_rows,
        ["text"] * 5 + ["number", "number", "number", "percent"],
    )
    phase_rows: list[list[Any]] = []
    phase_headers: list[str] = []
    phase_kinds: list[str] = []
    for service in services:
        phases = phase_table(service)
        if phases is None:
            continue
        phase_headers = [_("Service")] + [
            f"{c.group} {c.label}".strip() if c.group else c.label for c in phases.columns
        ]
        phase_kinds = ["text"] + [c.kind for c in phases.columns]
        phase_rows += [[service.id, *row] for row in phases.rows]
    if phase_rows:
        sheet = workbook.create_sheet(sheet_title(_("Phases"), taken))
        _write_rows(sheet, phase_headers, phase_rows, phase_kinds)
    if portfolio.skipped:
        sheet = workbook.create_sheet(sheet_title(_("Skipped"), taken))
        _write_rows(
            sheet,
            [_("File"), _("Service"), _("Variant"), _("Reason")],
            [[s.file, s.service or "", s.variant or "", s.reason] for s in portfolio.skipped],
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
