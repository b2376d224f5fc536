"""The report as Markdown, with its diagrams as SVG files beside it, for guides kept in git."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import closing
from typing import Any

from bpr.comparison.markdown import redesign_items
from bpr.comparison.rows import act_lines
from bpr.core.i18n import domain
from bpr.core.text import for_markdown
from bpr.core.version import __version__
from bpr.portfolio import PortfolioTable
from bpr.report.charts import chart_svg
from bpr.report.collect import Pair, Portfolio, Service, Skipped
from bpr.report.content import (
    Table,
    cell_text,
    change_records,
    compact_money,
    display_label,
    document_table,
    format_money,
    format_percent,
    format_value,
    gain_text,
    has_passport,
    headline,
    made_with,
    measure_table,
    passport_table,
    phase_table,
    portfolio_table,
    severity_text,
    skipped_heading,
    step_table,
    variant_facts,
)
from bpr.report.diagrams import ServiceDiagrams, diagrams_in_order, inline_svg
from bpr.report.portfolio_section import (
    NUMERIC_KINDS,
    PortfolioSection,
    portfolio_cell,
    portfolio_section,
)

__all__ = ["markdown_report"]

_, ngettext, pgettext = domain("report")


def _table(
    table: Table, money: Callable[[Any], str] | None = None, links: bool = False
) -> list[str]:
    headings = []
    for column in table.columns:
        heading = column.heading
        if column.group:
            heading = f"{column.group} {column.label}" + (
                f" ({column.unit})" if column.unit else ""
            )
        headings.append(for_markdown(heading))
    align = ["---:" if c.kind in ("number", "percent", "money") else "---" for c in table.columns]
    lines = ["| " + " | ".join(headings) + " |", "| " + " | ".join(align) + " |"]
    for r, row in enumerate(table.rows):
        cells = []
        for c, (column, value) in enumerate(zip(table.columns, row, strict=True)):
            text = cell_text(value, column, compact=bool(money) and column.kind == "money")
            cell = for_markdown(text)
            link = table.links[r] if links and r < len(table.links) else None
            if c == 0 and link:
                cell = f"[{cell}](#{link})"
            cells.append(cell)
        lines.append("| " + " | ".join(cells) + " |")
    return [*lines, ""]


def _row(*cells: str) -> str:
    """A row of a Markdown table, each cell's text made inert."""
    return "| " + " | ".join(for_markdown(cell) for cell in cells) + " |"


def _skipped(entries: list[Skipped], heading: str) -> list[str]:
    if not entries:
        return []
    lines = [f"> **{for_markdown(heading)}**", ">"]
    fence, safe = "```", "'''"
    for entry in entries:
        where = ""
        if entry.service and entry.variant:
            where = " " + _("(service {service}, variant {variant})").format(
                service=for_markdown(entry.service), variant=for_markdown(entry.variant)
            )
        elif entry.service:
            where = " " + _("(service {service})").format(service=for_markdown(entry.service))
        name = entry.file.replace("`", "")
        lines += [f"> - `{name}`{where}:", ">", f">   {fence}"]
        lines += [">   " + problem.replace(fence, safe) for problem in entry.reason.splitlines()]
        lines += [f">   {fence}", ">"]
    return [*lines[:-1], ""]


def _figure(svg: str, name: str, caption: str, files: dict[str, str], folder: str) -> list[str]:
    try:
        files[name] = inline_svg(svg, name.removesuffix(".svg"), caption) + "\n"
    except ValueError as exc:  # one broken diagram must not cost the whole report
        return [f"*{for_markdown(caption)}: {for_markdown(str(exc))}*", ""]
    return [f"![{for_markdown(caption)}]({folder}/{name})", ""]


def _portfolio_table(table: PortfolioTable) -> list[str]:
    """One of the programme's tables, numbers aligned right."""
    align = ["---:" if kind in NUMERIC_KINDS else "---" for kind in table.kinds]
    lines = [_row(*table.columns), "| " + " | ".join(align) + " |"]
    for row in table.rows:
        lines.append(_row(*(portfolio_cell(v, k) for v, k in zip(row, table.kinds, strict=True))))
    return [*lines, ""]


def _programme(section: PortfolioSection, files: dict[str, str], folder: str) -> list[str]:
    """The programme's part of a portfolio folder's report: its tables, and its charts as SVG
    files beside the report."""
    lines = ["## " + _("Programme: maturity, priorities, data exchanges"), ""]
    if section.error is not None:
        text = _("The programme's tables are left out: {reason}").format(reason="")
        error = section.error.replace("```", "'''")
        return [*lines, for_markdown(text.rstrip()), "", "```", error, "```", ""]
    if section.file:
        text = _("Targets and weights from {file}.").format(file=f"`{section.file}`")
        lines += [text, ""]
    for table in section.tables:
        lines += [f"### {for_markdown(table.title)}", ""]
        for line in table.intro:
            lines += [f"*{for_markdown(line)}*", ""]
        if table.rows:
            lines += _portfolio_table(table)
        for line in table.notes:
            lines += [for_markdown(line), ""]
        chart = section.charts.get(table.id)
        if chart is not None:
            name = f"programme-{table.id}.svg"
            files[name] = chart_svg(chart, f"chart-{table.id}") + "\n"
            lines += [f"![{for_markdown(chart.title)}]({folder}/{name})", ""]
    return lines


def _changes(pair: Pair) -> list[str]:
    before, after = display_label(pair.as_is.label), display_label(pair.to_be.label)
    heading = _("Changes: {before} → {after}").format(
        before=for_markdown(before), after=for_markdown(after)
    )
    lines = [f"### {heading}", ""]
    if pair.comparison is None:
        error = (pair.error or "").replace("```", "'''")
        return [*lines, _("Not compared:"), "", "```", error, "```", ""]
    redesigns = pair.comparison.redesigns
    if redesigns:
        lines += [*redesign_items(redesigns), ""]
    for heading_text, items in act_lines(pair.comparison):
        lines += [f"#### {heading_text}", "", *(f"- {for_markdown(i)}" for i in items), ""]
    changes = [r for r in change_records(pair) if r.kind != "Redesign"]
    if changes:
        lines += [_row(_("Change"), _("Id"), _("Name"), _("Detail")), "| --- | --- | --- | --- |"]
        lines += [_row(r.title, r.item, r.name, r.detail) for r in changes]
        lines.append("")
    elif not redesigns:
        lines += [_("No steps or documents changed."), ""]
    return lines


def _service(
    service: Service,
    drawn: ServiceDiagrams,
    files: dict[str, str],
    folder: str,
    *,
    passport: bool = False,
) -> list[str]:
    lines = [f'<a id="{service.anchor}"></a>', "", f"## {for_markdown(service.title)}", ""]
    labels = ", ".join(display_label(v.label) for v in service.variants)
    meta = _("Service {service}; variants: {variants}").format(
        service=f"`{service.id}`", variants=for_markdown(labels)
    )
    lines += [meta, ""]
    lines += _skipped(service.skipped, _("Files of this service left out of the report:"))
    if passport:
        lines += ["### " + _("Passport"), "", *_table(passport_table(service))]
    cards = headline(service)
    if cards and cards[0].compared:
        lines += [
            _row(_("Measure"), _("Before"), _("After"), _("Change")),
            "| --- | ---: | ---: | ---: |",
        ]
        for item in cards:
            unit = f" ({item.unit})" if item.unit else ""
            before, after = format_value(item.before), format_value(item.after)
            lines.append(_row(item.label + unit, before, after, format_percent(item.percent)))
    else:
        lines += [_row(_("Measure"), _("Value")), "| --- | ---: |"]
        for item in cards:
            unit = f" ({item.unit})" if item.unit else ""
            lines.append(_row(item.label + unit, format_value(item.before)))
    lines.append("")
    for pair, svg in zip(service.pairs, drawn.comparisons, strict=True):
        if svg is None:
            continue  # not compared: shown under the changes
        before, after = display_label(pair.as_is.label), display_label(pair.to_be.label)
        heading = _("Comparison: {before} → {after}").format(
            before=for_markdown(before), after=for_markdown(after)
        )
        lines += [f"### {heading}", ""]
        caption = f"{pair.as_is.model.title} → {pair.to_be.model.title}"
        name = f"{service.id}--{pair.as_is.label}--{pair.to_be.label}.svg"
        lines += _figure(svg, _file_name(name), caption, files, folder)
    lines += ["### " + _("Swimlane diagrams"), ""]
    for variant, svg in zip(service.variants, drawn.swimlanes, strict=True):
        lines += [f"#### {for_markdown(variant.model.title)}", ""]
        for term, value in variant_facts(variant):
            lines.append(f"- {for_markdown(term)}: {for_markdown(value)}")
        lines.append("")
        name = _file_name(f"{service.id}--{variant.label}.svg")
        lines += _figure(svg, name, variant.model.title, files, folder)
    lines += ["### " + _("Measures"), "", *_table(measure_table(service))]
    phases = phase_table(service)
    if phases is not None:
        lines += ["### " + _("Measures by phase"), "", *_table(phases)]
    for pair in service.pairs:
        lines += _changes(pair)
    lines += ["### " + _("Steps"), ""]
    for variant in service.variants:
        title = _("Steps: {variant}").format(variant=for_markdown(variant.model.title))
        lines += [f"#### {title}", ""]
        lines += _table(step_table(variant))
    lines += ["### " + _("Documents"), ""]
    documents = document_table(service)
    lines += _table(documents) if documents.rows else [_("No documents declared."), ""]
    base = service.as_is
    if base is not None and base.findings:
        label = for_markdown(display_label(base.label))
        heading = _("Redesign opportunities in the {variant}").format(variant=label)
        lines += [f"### {heading}", ""]
        lines += [
            _row(_("Rule"), _("Severity"), _("Finding"), _("Steps"), _("Possible gain")),
            "| --- | --- | --- | --- | --- |",
        ]
        for finding in base.findings:
            cells = [
                finding.rule,
                severity_text(finding.severity),
                finding.message,
                ", ".join(finding.steps),
                gain_text(finding.gain, service.currency),
            ]
            lines.append(_row(*cells))
        lines.append("")
    sources = [v for v in service.variants if v.model.sources]
    if sources:
        lines += ["### " + _("Sources"), ""]
        for variant in sources:
            lines += [f"#### {for_markdown(variant.model.title)}", ""]
            lines += [f"- {for_markdown(s)}" for s in variant.model.sources]
            lines.append("")
    return lines


_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def _file_name(name: str) -> str:
    """Variant labels are free text: keep file names to safe characters."""
    return _UNSAFE_NAME.sub("_", name)


def markdown_report(
    portfolio: Portfolio,
    *,
    title: str | None = None,
    diagram_dir: str = "diagrams",
    on_service: Callable[[Service], None] | None = None,
) -> tuple[str, dict[str, str]]:
    """The Markdown text, and the SVG diagrams it links to (file name -> SVG text).

    The diagrams are linked as ``DIAGRAM_DIR/NAME.svg``, relative to the Markdown file.
    """
    services = portfolio.services
    if title is None:
        title = services[0].title if len(services) == 1 else _("Process redesign portfolio")
    files: dict[str, str] = {}
    lines = [
        f"# {for_markdown(title)}",
        "",
        made_with(len(services), len(portfolio.files), __version__),
        "",
    ]
    lines += _skipped(portfolio.skipped, skipped_heading(len(portfolio.skipped)))
    if len(services) > 1:
        lines += ["## " + _("Portfolio"), ""]
        totals = portfolio.totals()
        if totals.counted:
            money = "; ".join(
                format_money(v, c or None) for c, v in sorted(totals.money_saved.items())
            )
            hours = round(totals.applicant_hours_saved)
            # TRANSLATORS: {money} is "4,000,000 UZS" (amounts of several currencies: "; ")
            text = ngettext(
                "Across {n} service with yearly volumes, applicants save {hours} hours and "
                "{money} per year.",
                "Across {n} services with yearly volumes, applicants save {hours} hours and "
                "{money} per year.",
                totals.counted,
            )
            lines += [
                text.format(n=totals.counted, hours=format_value(hours), money=for_markdown(money)),
                "",
            ]
            if totals.left_out:
                names = for_markdown(", ".join(totals.left_out))
                note = _("Not counted (no volume in both variants): {services}.")
                lines += [note.format(services=names), ""]
        else:
            lines += [_("No service has a yearly volume in both variants: no yearly totals."), ""]
        lines += _table(portfolio_table(portfolio), money=compact_money, links=True)
    programme = portfolio_section(portfolio)
    if programme is not None:
        lines += _programme(programme, files, diagram_dir)
    if not services:
        lines += [_("No model could be loaded: nothing to report."), ""]
    with closing(diagrams_in_order(services)) as drawn:
        for service in services:
            passport = programme is not None or has_passport(service)
            lines += _service(service, next(drawn), files, diagram_dir, passport=passport)
            if on_service is not None:
                on_service(service)
    return "\n".join(lines).rstrip("\n") + "\n", files
