"""The report as an Excel workbook: measures per variant, changes, numbers kept as numbers."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from typing import Any

from bpr.analysis.measures import MEASURE_KEYS
from bpr.comparison.rows import STAGE_MEASURES, stage_change
from bpr.core import i18n
from bpr.core.i18n import domain
from bpr.core.money import Money, excel_number_format, money_cell
from bpr.core.text import for_spreadsheet
from bpr.report.collect import Portfolio, Service, Variant
from bpr.report.content import change_records, phase_table, portfolio_table, unit_of
from bpr.report.measure_words import measure_label, measure_unit_kind

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
