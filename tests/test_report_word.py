"""The Word report: opened with python-docx as Word would read it, and printed by LibreOffice.

The numbers checked are those hand-checked in the models of tests/data/report/portfolio
(alpha: lead time 148 h = 6.17 days, burden 25 EUR a case, 2,500 EUR a year).
"""

from __future__ import annotations

import html
import itertools
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import PIL.Image
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lxml import etree

import bpr
from bpr.report import write_report
from tests.conftest import DATA, MODELS, without_cairo_library

docx = pytest.importorskip("docx", reason="python-docx is a dependency of bpr: pip install .")

PORTFOLIO = DATA / "report" / "portfolio"
LIBREOFFICE_PACKAGE = "libreoffice-writer-nogui"


@pytest.fixture(scope="module")
def note(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("word") / "note.docx"
    write_report([PORTFOLIO], out)
    return out


def _document(path: Path) -> Any:
    return docx.Document(str(path))


def _tables(document: Any) -> list[list[list[str]]]:
    return [[[cell.text for cell in row.cells] for row in t.rows] for t in document.tables]


def _table_with(document: Any, header: list[str]) -> list[list[list[str]]]:
    return [t for t in _tables(document) if t[0][: len(header)] == header]


def test_every_service_has_a_heading_the_navigation_pane_shows(note: Path) -> None:
    document = _document(note)
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["Alpha permit", "Beta benefit", "gamma"]
    for paragraph in document.paragraphs:
        if paragraph.style.name == "Heading 1":
            assert paragraph.paragraph_format.page_break_before  # each service starts a page
    # the navigation pane lists paragraphs of styles with an outline level
    style = document.styles["Heading 1"]
    assert style.element.xpath("./w:pPr/w:outlineLvl/@w:val") == ["0"] or style.builtin


def test_the_cover_names_the_services_the_files_and_their_commits(note: Path) -> None:
    document = _document(note)
    assert document.paragraphs[0].style.name == "Title"
    assert document.paragraphs[0].text == "Process redesign portfolio"
    assert "Alpha permit; Beta benefit; gamma" in document.paragraphs[1].text
    assert any(re.fullmatch(r"Date: \d{4}-\d{2}-\d{2}", p.text) for p in document.paragraphs)
    (files,) = _table_with(document, ["File", "Variant", "Git commit"])
    assert len(files) == 1 + 6
    commits = {Path(row[0]).name + "/" + row[1]: row[2] for row in files[1:]}
    assert all(re.match(r"[0-9a-f]{7,}", c) for c in commits.values()), commits
    # no model of this portfolio says its figures are estimates
    assert not any("Draft: figures are estimates" in p.text for p in document.paragraphs)


def test_a_model_that_says_estimate_makes_the_cover_say_draft(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "as-is.yaml").write_text(
        "bpr: 1\nservice: s\nvariant: as-is\nactors: {a: {name: A}}\n"
        "steps:\n  - {id: x, actor: a, work: 2h}   # an estimate from one interview\n",
        encoding="utf-8",
    )
    out = tmp_path / "s.docx"
    write_report([folder], out)
    document = _document(out)
    draft = [p.text for p in document.paragraphs if "Draft: figures are estimates" in p.text]
    assert draft and str(folder / "as-is.yaml") in draft[0]
    (files,) = _table_with(document, ["File", "Variant", "Git commit"])
    assert files[1][2] == "not in git"


def test_the_measures_documents_and_steps_are_word_tables_with_the_numbers(note: Path) -> None:
    document = _document(note)
    measures = _table_with(document, ["Measure", "Unit", "As-Is", "To-Be", "Change", "%"])
    alpha = {row[0]: row for row in measures[0]}
    assert alpha["Lead time"][1:4] == ["days", "6.17", "1.06"]
    assert alpha["Fees"][1:4] == ["EUR", "5.00", "0.00"]  # money keeps its cents
    assert alpha["Applicant's time and payments a year"][2:4] == ["2,500.00", "500.00"]
    steps = _table_with(
        document, ["Step", "Actor", "Channel", "Work", "Wait", "Fee (EUR)", "Documents"]
    )
    fetch = next(row for row in steps[0] if row[0] == "Fetch the certificate")
    assert fetch == [
        "Fetch the certificate",
        "Registry",
        "in-person",
        "1h",
        "2d",
        "5.00",
        "ID card",
    ]
    apply = next(row for row in steps[0] if row[0] == "Apply at the office")
    assert apply[-1] == "ID card, Registry certificate"  # the full list, never cut
    documents = _table_with(document, ["Document", "Issued by"])
    assert any(row[0] == "Registry certificate" for row in documents[0])
    # a header row that repeats on every page of a long table
    first = document.tables[0].rows[0]._tr
    assert first.xpath("./w:trPr/w:tblHeader")


def test_the_redesigns_are_sentences_in_a_bulleted_list(note: Path) -> None:
    document = _document(note)
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert any(text.startswith("Once-only.") for text in bullets), bullets
    changes = _table_with(document, ["Change", "Name", "Detail"])
    details = [row[2] for table in changes for row in table[1:]]
    assert "work: 1h instead of 2h; wait: 1d instead of 3d" in details


def test_each_drawing_prints_at_100_percent_on_its_pages_with_a_numbered_caption(
    note: Path,
) -> None:
    document = _document(note)
    captions = [p for p in document.paragraphs if p.style.name == "Caption"]
    # alpha: 2 comparisons; beta: 1; gamma: its one variant (a compared variant is not drawn
    # again on its own)
    assert len(captions) == 4
    assert [re.match(r"Figure (\d+):", c.text).group(1) for c in captions] == [  # type: ignore[union-attr]
        str(n) for n in range(1, 5)
    ]
    assert all(c._p.xpath(".//w:instrText[contains(., 'SEQ Figure')]") for c in captions)
    assert captions[0].text == "Figure 1: Alpha permit (As-Is) → Alpha permit online (To-Be)"
    assert len(document.inline_shapes) >= 4  # a page-fit drawing takes one or more pages
    long_side, short_side = docx.shared.Mm(297), docx.shared.Mm(210)
    crop = docx.shared.Pt(22)
    one_pt = docx.shared.Pt(1)
    for here, after in itertools.pairwise(document.paragraphs):
        extents = here._p.xpath(".//wp:extent")
        if not extents:
            continue
        width, height = (int(extents[0].get(side)) + 2 * crop for side in ("cx", "cy"))
        # the A4 page of the drawing (either way up) less the blank 22 pt cut from each edge
        page_height = long_side if abs(width - short_side) < one_pt else short_side
        assert abs(width + page_height - short_side - long_side) < one_pt
        if after.style.name == "Caption":  # its page loses the blank under the drawing too
            assert height < page_height + one_pt
        else:
            assert abs(height - page_height) < one_pt
    body = document.element.body
    for section in document.sections:
        if section.top_margin < docx.shared.Pt(10):  # a drawing's page: its pictures fit
            room = section.page_width - section.left_margin - section.right_margin
            height = section.page_height - section.top_margin - section.bottom_margin
            assert room > 0 and height > 0
    for paragraph in body.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"):
        extents = paragraph.xpath(".//wp:extent")
        assert len(extents) <= 1  # one picture to a paragraph, a page each


SVG_MAIN = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"
SVG_EXTENSION = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"
CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _package_types(path: Path) -> dict[str, str]:
    """Each part of the .docx by name (``word/media/image1.svg``) with its content type, as
    [Content_Types].xml says, read with zipfile rather than python-docx."""
    with zipfile.ZipFile(path) as package:
        names = set(package.namelist())
        root = etree.fromstring(package.read("[Content_Types].xml"))
    defaults = {
        d.get("Extension").lower(): d.get("ContentType")
        for d in root.iter(f"{CONTENT_TYPES}Default")
    }
    overrides = {
        o.get("PartName").lstrip("/"): o.get("ContentType")
        for o in root.iter(f"{CONTENT_TYPES}Override")
    }
    return {
        name: overrides.get(name) or defaults.get(name.rsplit(".", 1)[-1].lower(), "")
        for name in names
    }


def _relationships(path: Path) -> dict[str, str]:
    """The main document's relationships: id -> part name in the package."""
    with zipfile.ZipFile(path) as package:
        root = etree.fromstring(package.read("word/_rels/document.xml.rels"))
    return {
        r.get("Id"): "word/" + r.get("Target") for r in root.iter(f"{RELATIONSHIPS}Relationship")
    }


def _pictures(path: Path) -> list[tuple[Any, bytes, bytes]]:
    """Each picture of the document: its inline shape, its PNG and its SVG (the bytes of the
    parts its ``a:blip`` and its ``asvg:svgBlip`` point to)."""
    qn = docx.oxml.ns.qn
    types, relations = _package_types(path), _relationships(path)
    out = []
    with zipfile.ZipFile(path) as package:
        for shape in _document(path).inline_shapes:
            (blip,) = shape._inline.iter(qn("a:blip"))
            (extension,) = blip.findall(qn("a:extLst") + "/" + qn("a:ext"))
            assert extension.get("uri") == SVG_EXTENSION
            (svg_blip,) = extension.findall(f"{{{SVG_MAIN}}}svgBlip")
            png_name = relations[blip.get(qn("r:embed"))]
            svg_name = relations[svg_blip.get(qn("r:embed"))]
            assert types[png_name] == "image/png"
            assert types[svg_name] == "image/svg+xml"
            out.append((shape, package.read(png_name), package.read(svg_name)))
    return out


def test_each_drawing_page_is_an_svg_picture_with_its_png_for_older_readers(note: Path) -> None:
    pictures = _pictures(note)
    assert len(pictures) == len(_document(note).inline_shapes) > 0
    texts: set[str] = set()
    for shape, png, svg in pictures:
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        pixels = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
        tree = etree.ElementTree(etree.fromstring(svg, parser))
        root = tree.getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert not tree.docinfo.doctype  # no DTD to fetch
        width, height = (float(root.get(side).removesuffix("pt")) for side in ("width", "height"))
        # the SVG is as big as the picture, and the PNG has its shape, at 220 pixels an inch
        assert abs(width - shape.width.pt) < 0.1 and abs(height - shape.height.pt) < 0.1
        # each side to the pixel at 220 pixels an inch: the same aspect
        assert abs(pixels[0] - width / 72 * 220) <= 1 and abs(pixels[1] - height / 72 * 220) <= 1
        for element in root.iter():
            assert isinstance(element.tag, str), "no comments or processing instructions"
            name = etree.QName(element).localname
            assert name not in ("style", "script", "image", "foreignObject", "a", "title")
            assert not {"style", "class"} & set(element.attrib), element.attrib
            assert "transparent" not in element.attrib.values()  # not a colour in SVG 1.1
            for attribute, value in element.attrib.items():
                if etree.QName(attribute).localname == "href":
                    assert value.startswith("#"), "nothing outside the picture"
            if name == "text":
                assert element.get("font-family") == "DejaVu Sans"  # the diagrams' family
                assert float(element.get("font-size")) >= 7
                texts.add(element.text or "")
    # the words of the drawings are text in the SVG, not shapes
    assert {"Citizen", "Benefit clerk", "Check the claim"} <= {t.strip() for t in texts}


def test_the_sources_are_a_numbered_list_that_starts_at_one_for_each_service(
    tmp_path: Path,
) -> None:
    for service in ("one", "two"):
        (tmp_path / f"{service}.yaml").write_text(
            f"bpr: 1\nservice: {service}\nvariant: as-is\nactors: {{a: {{name: A}}}}\n"
            f"sources: [First source of {service}, Second source of {service}]\n"
            "steps: [{id: x, actor: a}]\n",
            encoding="utf-8",
        )
    out = tmp_path / "note.docx"
    write_report([tmp_path], out)
    document = _document(out)
    numbered = [p for p in document.paragraphs if p.style.name == "List Number"]
    assert [p.text for p in numbered] == [
        "First source of one",
        "Second source of one",
        "First source of two",
        "Second source of two",
    ]
    lists = [p._p.xpath("./w:pPr/w:numPr/w:numId/@w:val")[0] for p in numbered]
    assert lists[0] == lists[1] != lists[2] == lists[3]
    numbering = document.part.numbering_part.element
    for list_id in {lists[0], lists[2]}:
        start = numbering.xpath(
            f'./w:num[@w:numId="{list_id}"]/w:lvlOverride/w:startOverride/@w:val'
        )
        assert start == ["1"]


def test_a_template_gives_its_styles_and_page_and_loses_its_text(tmp_path: Path) -> None:
    template = docx.Document()
    template.add_paragraph("Ministry letterhead text that is not part of the report")
    logo = tmp_path / "logo.png"
    PIL.Image.new("RGB", (40, 20), "navy").save(logo)
    template.sections[0].header.paragraphs[0].add_run().add_picture(str(logo))  # image1.png
    template.styles["Heading 1"].font.color.rgb = docx.shared.RGBColor(0x80, 0x00, 0x20)
    template.styles["Heading 1"].font.name = "Liberation Serif"
    section = template.sections[0]
    section.page_width, section.page_height = docx.shared.Mm(210), docx.shared.Mm(297)
    section.left_margin = docx.shared.Mm(30)
    path = tmp_path / "ministry.docx"
    template.save(str(path))

    out = tmp_path / "note.docx"
    write_report([PORTFOLIO / "beta"], out, template=path)
    document = _document(out)
    assert all("letterhead" not in p.text for p in document.paragraphs)
    heading = document.styles["Heading 1"]
    assert heading.font.color.rgb == docx.shared.RGBColor(0x80, 0x00, 0x20)
    assert heading.font.name == "Liberation Serif"
    assert abs(document.sections[0].left_margin - docx.shared.Mm(30)) < docx.shared.Mm(0.1)
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == ["Beta benefit"]
    # the drawings are SVG pictures beside the template's own picture, each in a part of its own
    assert _pictures(out)
    with zipfile.ZipFile(out) as package:
        names = package.namelist()
    assert len(names) == len(set(names))
    assert document.sections[0].header.part.related_parts  # the logo is still there


def test_a_template_that_is_not_a_word_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "ministry.docx"
    bad.write_text("not a zip", encoding="utf-8")
    with pytest.raises(bpr.OutputError, match="cannot read it as a Word template"):
        write_report([PORTFOLIO / "beta"], tmp_path / "note.docx", template=bad)
    assert not (tmp_path / "note.docx").exists()
    with pytest.raises(bpr.OutputError, match="for Word reports"):
        write_report([PORTFOLIO / "beta"], tmp_path / "note.html", template=bad)


def _libreoffice() -> str:
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip(
        f"LibreOffice is not installed: apt-get install -y {LIBREOFFICE_PACKAGE} to print the "
        "Word report in this test"
    )


def _poppler(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        pytest.skip(f"{program} is not installed: apt-get install -y poppler-utils")
    return found


def _svg_first(note: Path, out: Path) -> None:
    """A copy of ``note`` whose pictures point at their SVG where they point at their PNG:
    the document as a reader that takes the ``asvg:svgBlip`` (Word 2016 and later) shows it,
    for a LibreOffice that shows the PNG of such a picture."""
    qn = docx.oxml.ns.qn
    document = _document(note)
    for blip in document.element.body.iter(qn("a:blip")):
        (svg_blip,) = blip.iter(f"{{{SVG_MAIN}}}svgBlip")
        blip.set(qn("r:embed"), svg_blip.get(qn("r:embed")))
    document.save(str(out))


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """The Word report of property-registration, its PDF printed by LibreOffice, and the PDF
    of its copy that shows the SVG pictures (:func:`_svg_first`), printed in the same run."""
    folder = tmp_path_factory.mktemp("printed")
    note = folder / "property.docx"
    write_report([MODELS / "property-registration"], note)
    _svg_first(note, folder / "property-svg.docx")
    profile = folder / "profile"
    subprocess.run(
        [
            _libreoffice(),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(note),
            str(folder / "property-svg.docx"),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return note, folder / "property.pdf", folder / "property-svg.pdf"


def _pdf_pages(pdf: Path) -> int:
    info = subprocess.run(
        [_poppler("pdfinfo"), str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]


def _images(pdf: Path) -> dict[int, list[int]]:
    """The pixel pictures on each page of ``pdf`` (those that have one): their pixels per inch."""
    listing = subprocess.run(
        [_poppler("pdfimages"), "-list", str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    out: dict[int, list[int]] = {}
    for line in listing.splitlines()[2:]:
        fields = line.split()
        if fields[2] == "image":  # not the transparency mask of one
            out.setdefault(int(fields[0]), []).append(int(fields[12]))
    return out


def _words(pdf: Path, page: int) -> list[tuple[str, float]]:
    """The words of one page as text (not as shapes or pixels), with their heights in points."""
    bbox = subprocess.run(
        [_poppler("pdftotext"), "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    words = re.findall(
        r'<word xMin="[^"]+" yMin="([^"]+)" xMax="[^"]+" yMax="([^"]+)">([^<]*)<', bbox
    )
    return [(html.unescape(text), float(y1) - float(y0)) for y0, y1, text in words]


def test_libreoffice_prints_the_word_report_with_its_tables_and_numbers(
    printed: tuple[Path, Path, Path],
) -> None:
    _note, pdf, _ = printed
    info = subprocess.run(
        [_poppler("pdfinfo"), str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert 10 <= pages <= 40  # the text, then each drawing's pages
    assert "(A4)" in info
    text = subprocess.run(
        [_poppler("pdftotext"), "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "Registration of property rights to an apartment" in text
    assert "60,000.00" in text  # the cadastral passport fee in UZS, with its tiyin
    assert re.search(r"Lead time\s+days\s+29\.68\s+3\.26", text), "the measures table"
    assert "Figure 1:" in text  # the comparison, which draws both variants


def _svg_words(svg: bytes) -> set[str]:
    """The words of a drawing's SVG that are letters only (no symbols a PDF may draw in
    another font)."""
    root = etree.fromstring(svg)
    texts = root.iter("{http://www.w3.org/2000/svg}text")
    return {w for t in texts for w in (t.text or "").split() if w.isalpha()}


def test_libreoffice_prints_each_drawing_page_on_a_page_and_the_svg_words_as_text(
    printed: tuple[Path, Path, Path],
) -> None:
    """LibreOffice 7.4 shows the PNG of a picture (it does not read ``asvg:svgBlip``); Word
    2016 and later LibreOffice show the SVG. Either way each page of a drawing prints on one
    page, and where the SVG is shown (here: in the copy that points at it) the drawing's words
    are text, at 7 pt or more, on the same pages."""
    note, pdf, svg_pdf = printed
    pictures = _pictures(note)
    pages = _pdf_pages(pdf)
    assert _pdf_pages(svg_pdf) == pages, "the SVG pictures take the pages the PNG ones take"
    assert not _images(svg_pdf), "every drawing drawn as lines and text, no pixels"
    found = []
    page = 0
    for _shape, _png, svg in pictures:
        wanted = _svg_words(svg)
        assert wanted
        while True:
            page += 1
            assert page <= pages, f"the words of drawing page {len(found) + 1} are not text"
            words = _words(svg_pdf, page)
            if wanted <= {text for text, _height in words}:
                break
        found.append(page)
        assert min(height for text, height in words if text in wanted) >= 7.0
    shown = _images(pdf)
    if shown:  # this LibreOffice shows the PNGs: on those pages, at 220 pixels an inch
        assert sorted(shown) == found
        assert all(len(ppi) == 1 and abs(ppi[0] - 220) <= 1 for ppi in shown.values())
    else:  # it shows the SVGs, as the copy does
        assert all(_words(pdf, n) == _words(svg_pdf, n) for n in found)


#: A stand-in page of a drawing: an A4 landscape SVG with one word.
STAND_IN_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="842pt" height="595pt" '
    'viewBox="0 0 841.89 595.28"><text x="40" y="40" font-family="DejaVu Sans" '
    'font-size="9">Apply</text></svg>'
)


@pytest.fixture
def stand_in_pictures(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each drawing as one page with one word: the text of the document is what these tests
    read."""
    from bpr.report import diagrams as diagrams_module

    def drawn(service: Any, *args: Any, **kwargs: Any) -> Any:
        sheets = [
            diagrams_module.Sheet(v.model.title, (STAND_IN_SVG,), (841.89, 595.28))
            for v in service.variants
        ]
        return diagrams_module.ServiceDiagrams(sheets=sheets)

    monkeypatch.setattr(diagrams_module, "service_diagrams", drawn)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(names=st.lists(st.text(min_size=1, max_size=30), min_size=4, max_size=4))
def test_property_any_model_text_makes_a_document_word_opens(
    stand_in_pictures: None, tmp_path_factory: pytest.TempPathFactory, names: list[str]
) -> None:
    """Names from all of Unicode (control characters too, which XML cannot hold) give a
    document that opens, with each name's text where XML allows it."""
    from bpr.core.text import for_xml
    from bpr.files.writer import yaml_scalar
    from bpr.report import collect, render_report

    service, step, actor, document_name = (yaml_scalar(n) for n in names)
    folder = tmp_path_factory.mktemp("names")
    (folder / "as-is.yaml").write_text(
        f"bpr: 1\nservice: s\nvariant: as-is\nname: {service}\n"
        f"actors:\n  a:\n    name: {actor}\ndocuments:\n  d:\n    name: {document_name}\n"
        f"steps:\n  - id: x\n    name: {step}\n    actor: a\n    needs: [d]\n",
        encoding="utf-8",
    )
    portfolio = collect([folder])
    assume(not portfolio.skipped)
    data = render_report(portfolio, "word")[0]
    assert isinstance(data, bytes)
    import io

    opened = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in opened.paragraphs) + "\n".join(
        cell.text for t in opened.tables for row in t.rows for cell in row.cells
    )
    model = portfolio.services[0].variants[0].model
    # Word holds a carriage return as a line break, which python-docx reads back as \n
    expected = for_xml(model.step("x").label).replace("\r\n", "\n").replace("\r", "\n")
    assert expected.strip() in text


def test_the_page_chooses_the_text_pages_and_the_drawings_pages(
    stand_in_pictures: None, tmp_path: Path
) -> None:
    out = tmp_path / "letter.docx"
    write_report([PORTFOLIO / "beta"], out, page="letter")
    sections = _document(out).sections
    assert (round(sections[0].page_width.pt), round(sections[0].page_height.pt)) == (612, 792)
    sizes = {(round(s.page_width.pt), round(s.page_height.pt)) for s in sections}
    assert sizes <= {(612, 792), (842, 595)}  # the stand-in drawings are A4 landscape
    with pytest.raises(bpr.OutputError, match="unknown page size 'B5'"):
        write_report([PORTFOLIO / "beta"], tmp_path / "b5.docx", page="B5")


def test_a_drawing_loses_the_blank_under_it_on_the_page_its_caption_shares(
    stand_in_pictures: None, tmp_path: Path
) -> None:
    out = tmp_path / "beta.docx"
    write_report([PORTFOLIO / "beta"], out)
    pictures = _pictures(out)
    assert len(pictures) == 2  # the stand-in drawings: one page for each variant
    for shape, png, svg in pictures:
        # 'Apply' in 9 pt DejaVu Sans on the baseline at 40 pt: its descenders end near
        # 42.1 pt; 22 pt are cut above it, and under it 4 pt are kept and the 2 pt of a pixel
        # of the 36 dpi sketch that finds the blank: 26.1 pt, give or take that pixel
        assert 24.1 <= shape.height.pt < 28.5
        assert abs(shape.width.pt - (841.89 - 44)) < 0.1  # the full width, less the edges
        root = etree.fromstring(svg)
        assert root.get("viewBox").split()[:3] == ["22", "22", "797.89"]
        assert abs(float(root.get("height").removesuffix("pt")) - shape.height.pt) < 0.01
        assert abs(int.from_bytes(png[20:24], "big") - shape.height.pt / 72 * 220) <= 1


def test_without_cairo_the_word_drawings_say_what_to_install(
    stand_in_pictures: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import sys

    out = tmp_path / "note.docx"
    monkeypatch.setitem(sys.modules, "cairosvg", None)  # the package is not installed
    with pytest.raises(bpr.DependencyError, match=r"diagrams in Word reports.*cairosvg"):
        write_report([PORTFOLIO / "gamma"], out)
    monkeypatch.delitem(sys.modules, "cairosvg")
    without_cairo_library(monkeypatch)
    with pytest.raises(bpr.OutputError, match="diagrams of a Word report need the cairo"):
        write_report([PORTFOLIO / "gamma"], out)
    assert not out.exists()  # nothing half-written
