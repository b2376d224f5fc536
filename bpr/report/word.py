"""The report as an editable Word document (.docx), for notes that ministries print, comment
and route for approval.

The document is built with python-docx from real Word parts: Heading styles (so Word's
navigation pane lists every service), tables (measures, documents, steps, changes), bulleted
redesign sentences, pictures with numbered captions (a ``SEQ Figure`` field) and the sources as
a numbered list. Each page of a page-fit drawing is one picture printed at 100 %: the SVG the
PDF and HTML reports print (an ``asvg:svgBlip``, which Word 2016 and later show, text as text)
and a PNG of that SVG at 220 pixels per inch for older readers (LibreOffice 7.4 among them),
both made with the diagrams by the report's workers and kept in the diagram cache
(:func:`bpr.report.diagrams.picture_sheets_in_order`): this module only puts them in place.

A ``template`` (a reference .docx, as pandoc takes one) gives the styles, page size, margins,
headers and footers: its body is cleared and the report written into it.

>>> data = word_report(collect(["models/traffic-fine-payment"]))  # doctest: +SKIP
>>> data[:2]  # doctest: +SKIP
b'PK'
"""

from __future__ import annotations

import datetime as _dt
import importlib
import io
import itertools
import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

from bpr.backend.git import is_modified, last_commit
from bpr.core import i18n
from bpr.core.i18n import domain
from bpr.core.text import for_xml
from bpr.core.version import __version__
from bpr.errors import OutputError
from bpr.portfolio import PortfolioTable
from bpr.render.page import page_size
from bpr.report.charts import BarChart, chart_png
from bpr.report.collect import Pair, Portfolio, Service, Variant
from bpr.report.content import (
    Table,
    cell_text,
    change_records,
    display_label,
    document_table,
    format_percent,
    format_value,
    has_passport,
    headline,
    measure_table,
    passport_table,
    phase_table,
    step_table,
)
from bpr.report.diagrams import PICTURE_CROP, PagePicture, PictureSheet, picture_sheets_in_order
from bpr.report.portfolio_section import (
    NUMERIC_KINDS,
    PortfolioSection,
    portfolio_cell,
    portfolio_section,
)

__all__ = ["ESTIMATE_WORDS", "WORD_LANGUAGES", "estimate_files", "word_report"]

_, ngettext, pgettext = domain("report")

#: The language tag Word spells each output language with (its spelling and hyphenation).
WORD_LANGUAGES = {
    "en": "en-US",
    "ru": "ru-RU",
    "uz": "uz-Latn-UZ",
    "uz-Cyrl": "uz-Cyrl-UZ",
    "az": "az-Latn-AZ",
    "kk": "kk-KZ",
}

#: Words in a model's sources or comments that mark its figures as estimates.
ESTIMATE_WORDS = re.compile(r"\b(estimat\w*|assum\w*|approximat\w*)", re.IGNORECASE)
_MARGIN = 20.0  # mm


def estimate_files(portfolio: Portfolio) -> list[str]:
    """The model files whose sources or comments say that figures are estimates or
    assumptions."""
    out = []
    for service in portfolio.services:
        for variant in service.variants:
            model = variant.model
            if any(ESTIMATE_WORDS.search(s) for s in model.sources) or _comments_say(model.file):
                out.append(model.file)
    return out


def _comments_say(file: str) -> bool:
    try:
        text = Path(file).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    for line in text.splitlines():
        hash_at = line.find("#")
        if hash_at >= 0 and ESTIMATE_WORDS.search(line[hash_at:]):
            return True
    return False


# -- python-docx helpers ------------------------------------------------------------------------


def _open(template: str | os.PathLike[str] | None, page: str = "A4") -> Any:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.shared import Mm, Pt

    if template is None:
        document = docx.Document()
        width, height = page_size(page, "portrait")
        for section in document.sections:
            section.page_width, section.page_height = Pt(width), Pt(height)
            for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
                setattr(section, side, Mm(_MARGIN))
        return document
    try:
        document = docx.Document(os.fspath(template))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise OutputError(
            f"{template}: cannot read it as a Word template ({exc}); name a .docx file saved "
            "by Word or LibreOffice"
        ) from None
    body = document.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):  # the page setup stays, the content goes
            body.remove(child)
    return document


def _style(document: Any, name: str, level: int | None = None) -> Any:
    """The style ``name``; where a template lacks it, one made on Normal (a heading gets its
    outline level, so that it still shows in the navigation pane)."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement
    from docx.shared import Pt

    styles = document.styles
    try:
        return styles[name]
    except KeyError:
        pass
    style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles["Normal"]
    if level is not None:
        style.font.bold = True
        style.font.size = Pt(max(11, 18 - 2 * level))
        outline = OxmlElement("w:outlineLvl")
        outline.set(qn("w:val"), str(level - 1))
        style.element.get_or_add_pPr().append(outline)
    return style


def _heading(document: Any, text: str, level: int) -> Any:
    return document.add_paragraph(for_xml(text), style=_style(document, f"Heading {level}", level))


def _paragraph(document: Any, text: str = "", style: str | None = None) -> Any:
    return document.add_paragraph(for_xml(text), style=_style(document, style) if style else None)


def _table_style(document: Any) -> Any:
    try:
        return document.styles["Table Grid"]
    except KeyError:
        return None


def _repeat_header(row: Any) -> None:
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _word_table(
    document: Any, headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[bool]
) -> Any:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    table = document.add_table(rows=1, cols=len(headers))
    style = _table_style(document)
    if style is not None:
        table.style = style
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    for cell, text, right in zip(table.rows[0].cells, headers, numeric, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(for_xml(text))
        run.bold = True
        run.font.size = Pt(9)
        if right:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _repeat_header(table.rows[0])
    for values in rows:
        cells = table.add_row().cells
        for cell, text, right in zip(cells, values, numeric, strict=True):
            run = cell.paragraphs[0].add_run(for_xml(text))
            run.font.size = Pt(9)
            if right:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _widths(document, table, [headers, *rows])
    _paragraph(document)  # Word joins two tables that touch: keep them apart
    return table


def _widths(document: Any, table: Any, rows: Sequence[Sequence[str]]) -> None:
    """Column widths after their texts over the whole width of the text: each column gets
    room for its longest word (numbers never wrap), the rest goes to the long texts."""
    from docx.shared import Emu

    columns = len(rows[0])
    need = [7] * columns  # in characters: a bold heading such as "Work" stays whole
    want = [1] * columns
    for row in rows:
        for i, text in enumerate(row):
            longest_word = max((len(w) for w in text.split()), default=0) + 3  # + padding
            need[i] = max(need[i], min(longest_word, 26))
            want[i] = max(want[i], min(len(text) + 3, 60))
    section = document.sections[-1]
    room = section.page_width - section.left_margin - section.right_margin
    characters = room / 12700 / 5.0  # points per character of 9 pt text, on average
    spare = max(0.0, characters - sum(need))
    extra = [max(0, w - n) for w, n in zip(want, need, strict=True)]
    total_extra = sum(extra) or 1
    chars = [n + spare * min(1.0, e / total_extra) for n, e in zip(need, extra, strict=True)]
    total = sum(chars)
    table.autofit = False
    for column, length in zip(table.columns, chars, strict=True):
        width = Emu(int(room * length / total))
        column.width = width
        for cell in column.cells:
            cell.width = width


def _content_table(document: Any, table: Table) -> Any:
    headers = [f"{c.group} {c.label}".strip() if c.group else c.heading for c in table.columns]
    numeric = [c.kind in ("number", "percent", "money") for c in table.columns]
    rows = [
        [cell_text(value, column) for value, column in zip(row, table.columns, strict=True)]
        for row in table.rows
    ]
    return _word_table(document, headers, rows, numeric)


def _caption(document: Any, text: str, number: int) -> None:
    """``Figure N: text`` with N a SEQ field, so Word numbers, cross-references and lists the
    figures itself (References > Insert Table of Figures)."""
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    paragraph = _paragraph(document, "", "Caption")
    # TRANSLATORS: the word before a figure's number in its caption ("Figure 3: ...")
    paragraph.add_run(for_xml(_("Figure") + " "))

    def field_char(kind: str) -> Any:
        run = paragraph.add_run()
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        run._r.append(char)
        return run

    field_char("begin")
    instruction = paragraph.add_run()
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = " SEQ Figure \\* ARABIC "
    instruction._r.append(code)
    field_char("separate")
    paragraph.add_run(str(number))  # shown until Word updates the field
    field_char("end")
    paragraph.add_run(for_xml(f": {text}"))


_SHEET_MARGINS = (8.0, 14.0)  # top and bottom of a drawing's page, in points

#: Word 2016's SVG picture: an ``asvg:svgBlip`` in an extension of the PNG's ``a:blip``.
_SVG_NAMESPACE = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"
_SVG_EXTENSION = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"
_SVG_CONTENT_TYPE = "image/svg+xml"


def _vector_picture(
    document: Any, run: Any, svg: bytes, png: bytes, width: float, height: float
) -> Any:
    """``svg`` as a picture of ``width`` x ``height`` points in ``run``: its SVG part (which
    Word 2016 and later show) with ``png``, the same drawing, for older readers."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.opc.part import Part
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement
    from docx.shared import Pt

    shape = run.add_picture(io.BytesIO(png), width=Pt(width), height=Pt(height))
    part = document.part
    package = part.package
    name = package.next_partname("/word/media/image%d.svg")
    relation = part.relate_to(Part(name, _SVG_CONTENT_TYPE, svg, package), RELATIONSHIP_TYPE.IMAGE)
    blip = shape._inline.graphic.graphicData.pic.blipFill.find(qn("a:blip"))
    extensions = OxmlElement("a:extLst")
    extension = OxmlElement("a:ext")
    extension.set("uri", _SVG_EXTENSION)
    etree: Any = importlib.import_module("lxml.etree")
    svg_blip = etree.SubElement(
        extension, f"{{{_SVG_NAMESPACE}}}svgBlip", nsmap={"asvg": _SVG_NAMESPACE}
    )
    svg_blip.set(qn("r:embed"), relation)
    extensions.append(extension)
    blip.append(extensions)
    return shape


def _sheet_page(document: Any, picture: PagePicture, caption: str, number: int | None) -> None:
    """One page of a page-fit drawing at 100 % (every word at its drawn size, 7 pt or more),
    with the drawing's caption under its first page (whose picture has lost the blank under
    the drawing, so that a caption of two or three lines shares its page)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    layout = paragraph.paragraph_format
    layout.space_before = layout.space_after = Pt(0)
    layout.keep_with_next = number is not None
    run = paragraph.add_run()
    _vector_picture(document, run, picture.svg, picture.png, picture.width, picture.height)
    if number is not None:
        _caption(document, caption, number)


def _numbered(document: Any, items: Sequence[str]) -> None:
    """A numbered list that starts again at 1, whatever lists came before it."""
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    style = _style(document, "List Number")
    paragraphs = [document.add_paragraph(for_xml(item), style=style) for item in items]
    numbering = document.part.numbering_part.numbering_definitions._numbering
    style_num = style.element.xpath("./w:pPr/w:numPr/w:numId/@w:val")
    if not style_num:
        return  # a template's list style without numbering: the items stay a plain list
    abstract = numbering.xpath(f'./w:num[@w:numId="{style_num[0]}"]/w:abstractNumId/@w:val')
    if not abstract:
        return
    num = numbering.add_num(int(abstract[0]))
    override = num.add_lvlOverride(ilvl=0)
    start = OxmlElement("w:startOverride")
    start.set(qn("w:val"), "1")
    override.append(start)
    for paragraph in paragraphs:
        properties = paragraph._p.get_or_add_pPr()
        num_pr = properties.get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = 0
        num_pr.get_or_add_numId().val = num.numId


# -- the document -------------------------------------------------------------------------------


def _cover(document: Any, portfolio: Portfolio, title: str, estimates: list[str]) -> None:
    from docx.shared import Pt

    _paragraph(document, title, "Title")
    services = portfolio.services
    _paragraph(
        document,
        ngettext("{n} service: {names}", "{n} services: {names}", len(services)).format(
            n=len(services), names="; ".join(s.title for s in services)
        ),
        "Subtitle",
    )
    _paragraph(document, _("Date: {date}").format(date=i18n.date(_dt.date.today())))
    if estimates:
        note = _paragraph(document)
        run = note.add_run(for_xml(_("Draft: figures are estimates.") + " "))
        run.bold = True
        run.font.size = Pt(12)
        note.add_run(
            for_xml(
                _(
                    "The sources or comments of these model files say that some durations, "
                    "fees or volumes are estimates or assumptions: {files}."
                ).format(files=", ".join(estimates))
            )
        )
    _heading(document, _("Model files"), 2)
    rows = []
    for path in portfolio.files:
        commit = last_commit(path)
        if commit is not None and is_modified(path):
            # TRANSLATORS: after a git commit id: the file has changed since that commit
            commit = _("{commit} (changed since)").format(commit=commit)
        variant = next(
            (
                v.model.variant
                for s in services
                for v in s.variants
                if os.path.abspath(v.model.file) == os.path.abspath(path)
            ),
            _("skipped"),
        )
        rows.append([os.fspath(path), variant, commit or _("not in git")])
    headers = [_("File"), _("Variant"), _("Git commit")]
    _word_table(document, headers, rows, [False, False, False])
    _paragraph(document, _("Made with bpr {version}.").format(version=__version__))


def _headline_rows(service: Service) -> tuple[list[str], list[list[str]], list[bool]]:
    items = headline(service)
    compared = any(item.compared for item in items)
    if compared:
        headers = [_("Measure"), "As-Is", "To-Be", _("Change")]
        rows = [
            [
                item.label + (f" ({item.unit})" if item.unit else ""),
                format_value(item.before),
                format_value(item.after),
                format_percent(item.percent),
            ]
            for item in items
        ]
        return headers, rows, [False, True, True, True]
    rows = [
        [item.label + (f" ({item.unit})" if item.unit else ""), format_value(item.before)]
        for item in items
    ]
    return [_("Measure"), _("Value")], rows, [False, True]


def _changes(document: Any, pair: Pair) -> None:
    title = _("Changes: {before} → {after}").format(
        before=display_label(pair.as_is.label), after=display_label(pair.to_be.label)
    )
    _heading(document, title, 2)
    if pair.comparison is None:
        _paragraph(document, _("Not compared: {reason}").format(reason=pair.error or ""))
        return
    redesigns = pair.comparison.redesigns
    if redesigns:
        _heading(document, _("Redesigns"), 3)
        for redesign in redesigns:
            paragraph = _paragraph(document, "", "List Bullet")
            paragraph.add_run(for_xml(f"{redesign.title}. ")).bold = True
            paragraph.add_run(for_xml(redesign.sentence))
    records = [r for r in change_records(pair) if r.kind != "Redesign"]
    if records:
        _heading(document, _("Changed steps and documents"), 3)
        _word_table(
            document,
            [_("Change"), _("Name"), _("Detail")],
            [[r.title, r.name, r.detail] for r in records],
            [False, False, False],
        )
    elif not redesigns:
        _paragraph(document, _("No steps or documents changed."))


def _variant_steps(document: Any, variant: Variant) -> None:
    _heading(document, _("Steps: {variant}").format(variant=variant.model.title), 3)
    _content_table(document, step_table(variant))


def _chart(document: Any, chart: BarChart, number: int) -> None:
    """A chart as a PNG picture as wide as the text (at most its own size), with a caption."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Emu, Pt

    png = chart_png(chart)
    pixels = int.from_bytes(png[16:20], "big")  # the width in the PNG's header (IHDR)
    section = document.sections[-1]
    room = section.page_width - section.left_margin - section.right_margin
    width = min(Emu(int(room)), Pt(pixels / 3 * 0.75))  # its 12 px labels print at 9 pt
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.keep_with_next = True
    paragraph.add_run().add_picture(io.BytesIO(png), width=width)
    _caption(document, chart.title, number)


def _portfolio_table(document: Any, table: PortfolioTable) -> None:
    numeric = [kind in NUMERIC_KINDS for kind in table.kinds]
    rows = [
        [portfolio_cell(v, k) for v, k in zip(row, table.kinds, strict=True)] for row in table.rows
    ]
    _word_table(document, list(table.columns), rows, numeric)


def _landscape(document: Any) -> None:
    """Start a new section on a new page: the text's page turned to landscape, its margins."""
    from docx.enum.section import WD_ORIENT, WD_SECTION

    first = document.sections[0]
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    width, height = first.page_width, first.page_height
    section.page_width, section.page_height = max(width, height), min(width, height)
    for name in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, name, getattr(first, name))


def _programme(document: Any, section: PortfolioSection, numbers: Iterator[int]) -> None:
    """The programme's part of a portfolio folder's report, on pages of its own: the tables
    of ``bpr portfolio`` and the charts under the tables they show."""
    _landscape(document)  # the backlog's seven columns need the width of a landscape page
    _heading(document, _("Programme: maturity, priorities, data exchanges"), 1)
    if section.error is not None:
        text = _("The programme's tables are left out: {reason}").format(reason=section.error)
        _paragraph(document, text)
        return
    if section.file:
        _paragraph(document, _("Targets and weights from {file}.").format(file=section.file))
    for table in section.tables:
        _heading(document, table.title, 2)
        for line in table.intro:
            _paragraph(document, line)
        if table.rows:
            _portfolio_table(document, table)
        for line in table.notes:
            _paragraph(document, line)
        chart = section.charts.get(table.id)
        if chart is not None:
            _chart(document, chart, next(numbers))


def _service(
    document: Any,
    service: Service,
    sheets: list[PictureSheet],
    numbers: Iterator[int],
    *,
    passport: bool = False,
) -> None:
    heading = _heading(document, service.title, 1)
    heading.paragraph_format.page_break_before = True  # every service starts a page
    labels = ", ".join(display_label(v.label) for v in service.variants)
    _paragraph(
        document,
        _("Service {service}; variants: {variants}.").format(service=service.id, variants=labels),
    )
    if passport:
        _heading(document, _("Passport"), 2)
        _content_table(document, passport_table(service))
    for entry in service.skipped:
        reason = entry.reason.splitlines()[0]
        _paragraph(document, _("Left out: {file}: {reason}").format(file=entry.file, reason=reason))
    headers, rows, numeric = _headline_rows(service)
    _word_table(document, headers, rows, numeric)
    for pair in service.pairs:
        _changes(document, pair)
    _heading(document, _("Measures"), 2)
    _content_table(document, measure_table(service))
    phases = phase_table(service)
    if phases is not None:
        _heading(document, _("Measures by phase"), 2)
        _content_table(document, phases)
    _heading(document, _("Documents"), 2)
    documents = document_table(service)
    if documents.rows:
        _content_table(document, documents)
    else:
        _paragraph(document, _("No documents declared."))
    _heading(document, _("Steps"), 2)
    for variant in service.variants:
        _variant_steps(document, variant)
    sources = [s for v in service.variants for s in v.model.sources]
    if sources:
        _heading(document, _("Sources"), 2)
        _numbered(document, list(dict.fromkeys(sources)))
    size = None
    for sheet in sheets:
        if not sheet.pages:
            continue
        # each page of a drawing is a page of its own size, printed at 100 %
        if sheet.size != size:
            _turn(document, sheet.size)
            size = sheet.size
        for n, picture in enumerate(sheet.pages):
            _sheet_page(document, picture, sheet.caption, next(numbers) if n == 0 else None)
    if size is not None:
        _turn(document, None)


def _set_language(document: Any, tag: str) -> None:
    """Mark the document as written in ``tag`` (``ru-RU``): its properties, and the language
    of every run by default, so that Word checks the spelling in that language."""
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    document.core_properties.language = tag
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    run_defaults = defaults.find(qn("w:rPrDefault"))
    if run_defaults is None:
        run_defaults = OxmlElement("w:rPrDefault")
        defaults.insert(0, run_defaults)
    properties = run_defaults.find(qn("w:rPr"))
    if properties is None:
        properties = OxmlElement("w:rPr")
        run_defaults.append(properties)
    language = properties.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        properties.append(language)
    language.set(qn("w:val"), tag)


def _turn(document: Any, size: tuple[float, float] | None) -> None:
    """Start a new section on a new page: of ``size`` (points) for a drawing, with left and
    right margins its picture's crop leaves; or, with None, like the first section again (the
    text's page and margins)."""
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.shared import Pt

    first = document.sections[0]
    section = document.add_section(WD_SECTION.NEW_PAGE)
    if size is None:
        section.orientation = first.orientation
        section.page_width, section.page_height = first.page_width, first.page_height
        for name in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, name, getattr(first, name))
        section.header_distance, section.footer_distance = (
            first.header_distance,
            first.footer_distance,
        )
        return
    landscape = size[0] > size[1]
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Pt(size[0]), Pt(size[1])
    section.left_margin = section.right_margin = Pt(PICTURE_CROP)  # the picture spans the page
    section.top_margin, section.bottom_margin = Pt(_SHEET_MARGINS[0]), Pt(_SHEET_MARGINS[1])
    section.header_distance = section.footer_distance = Pt(0)


def word_report(
    portfolio: Portfolio,
    *,
    title: str | None = None,
    template: str | os.PathLike[str] | None = None,
    on_service: Callable[[Service], None] | None = None,
    page: str = "A4",
    orientation: str | None = None,
) -> bytes:
    """The Word document's bytes: a cover, then a part per service starting on a new page.

    The text is on ``page`` in portrait (or the template's page); the drawings are laid out
    for ``page`` in ``orientation`` (the better of both for each drawing where None)."""
    services = portfolio.services
    if title is None:
        title = services[0].title if len(services) == 1 else _("Process redesign portfolio")
    document = _open(template, page)
    document.core_properties.title = for_xml(title)[:255]
    document.core_properties.author = "bpr"
    _set_language(document, WORD_LANGUAGES.get(i18n.current(), "en-US"))
    _cover(document, portfolio, title, estimate_files(portfolio))
    if portfolio.skipped:
        _heading(document, _("Files left out"), 2)
        for entry in portfolio.skipped:
            _paragraph(document, f"{entry.file}: {entry.reason}", "List Bullet")
    numbers = itertools.count(1)
    programme = portfolio_section(portfolio)
    if programme is not None:
        _programme(document, programme, numbers)
        _turn(document, None)  # the services on the text's pages again
    with closing(picture_sheets_in_order(services, page=page, orientation=orientation)) as drawn:
        for service in services:
            passport = programme is not None or has_passport(service)
            _service(document, service, next(drawn), numbers, passport=passport)
            if on_service is not None:
                on_service(service)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
