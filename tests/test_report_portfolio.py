"""The programme's part of ``bpr report`` of a portfolio folder (issue 15): the tables of
``bpr portfolio``, the charts of the shares against the targets and of the savings, and a
passport page per service, in HTML, Markdown, Excel and Word.

The figures of tests/data/report-programme are those of tests/data/portfolio, worked out by
hand in tests/test_portfolio.py: three services (alpha and beta with a To-Be, gamma without);
stages now 1, 2, 1 and planned 3, 3, 1, so the shares at stage >= 1..4 are now 3/3, 1/3, 0, 0
and planned 3/3, 2/3, 2/3, 0 against the targets 50 % at stage 3 and 33 % at stage 4; alpha
saves 750 applicant hours a year and beta 600 (alpha ranks first, 3.625 against 3.2); the
backlog has Agency B -> Agency C (gamma, 2,000 cases) before Agency B -> Agency A (alpha's
1,000 cases a year, counted by lint on its As-Is, and beta's 400: 1,400).
"""

from __future__ import annotations

import doctest
import io
import re
import shutil
import sys
from pathlib import Path

import pytest

from bpr.core import i18n
from bpr.errors import DependencyError, OutputError
from bpr.report import charts as charts_module
from bpr.report import collect, render_report, write_report
from bpr.report import portfolio_section as section_module
from bpr.report.charts import BarChart, Series, chart_svg
from bpr.report.portfolio_section import portfolio_folder, portfolio_section
from tests.conftest import without_cairo_library

DATA = Path(__file__).resolve().parent / "data"
PROGRAMME = DATA / "report-programme"
NO_PORTFOLIO_FILE = DATA / "report" / "portfolio"

NOW = [1.0, 1 / 3, 0.0, 0.0]
PLANNED = [1.0, 2 / 3, 2 / 3, 0.0]
TARGET = [None, None, 0.5, 0.33]


@pytest.fixture(autouse=True)
def english() -> object:
    with i18n.use("en"):
        yield


@pytest.fixture(scope="module")
def html() -> str:
    with i18n.use("en"):
        text, _ = render_report(collect([PROGRAMME]), "html")
    assert isinstance(text, str)
    return text


def _bars(svg: str) -> list[dict[str, str]]:
    return [
        dict(re.findall(r'([\w-]+)="([^"]*)"', attrs))
        for attrs in re.findall(r'<rect class="bar" ([^>]*)>', svg)
    ]


def _charts(html_text: str) -> list[str]:
    return re.findall(r'<figure class="chart">(<svg.*?</svg>)</figure>', html_text, flags=re.S)


def _rows(html_text: str, table_id: str) -> list[list[str]]:
    table = re.search(rf'<table id="programme-{table_id}">(.*?)</table>', html_text, re.S)
    assert table is not None, table_id
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)
    return [
        [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r)]
        for r in rows
    ]


# -- which reports have the programme --------------------------------------------------------


def test_only_the_report_of_a_whole_folder_with_a_portfolio_file_has_the_programme(
    tmp_path: Path,
) -> None:
    assert portfolio_folder(collect([PROGRAMME])) == PROGRAMME
    assert portfolio_section(collect([NO_PORTFOLIO_FILE])) is None
    assert portfolio_section(collect([PROGRAMME / "alpha"])) is None  # one service folder
    # two of the three services: not the portfolio the file's targets are about
    assert portfolio_section(collect([PROGRAMME / "alpha", PROGRAMME / "beta"])) is None


def test_a_folder_without_portfolio_yaml_keeps_its_report(tmp_path: Path) -> None:
    text, files = render_report(collect([NO_PORTFOLIO_FILE]), "markdown", diagrams="d")
    assert isinstance(text, str)
    assert "Programme" not in text and "### Passport" not in text
    assert not [name for name in files if name.startswith("programme-")]
    page, _ = render_report(collect([NO_PORTFOLIO_FILE]), "html")
    assert 'id="programme"' not in page and "<h3>Passport</h3>" not in page


def test_a_wrong_portfolio_file_leaves_the_programme_out_and_says_why(tmp_path: Path) -> None:
    folder = tmp_path / "programme"
    shutil.copytree(PROGRAMME, folder)
    (folder / "portfolio.yaml").write_text("targets:\n  maturity: {3: 2}\n", encoding="utf-8")
    page, _ = render_report(collect([folder]), "html")
    assert "The programme&#x27;s tables are left out" in page
    assert "bad-share" in page or "0 to 1" in page
    assert '<section class="service"' in page  # the rest of the report is there


# -- HTML -------------------------------------------------------------------------------------


def test_the_contents_link_to_the_programme_before_the_services(html: str) -> None:
    toc = re.search(r'<nav class="toc">(.*?)</nav>', html, re.S)
    assert toc is not None
    links = re.findall(r'<a href="#([^"]+)">', toc.group(1))
    assert links[0] == "programme" and len(links) == 4  # the programme, then three services
    assert 'id="programme"' in html


def test_the_html_has_every_table_of_the_programme(html: str) -> None:
    assert _rows(html, "stages")[1:] == [
        ["alpha", "1", "1", "3", "3", ""],
        ["beta", "2", "2", "4", "3", "to-be"],
        ["gamma", "1", "1", "–", "–", ""],
    ]
    assert _rows(html, "shares")[1:] == [
        ["&gt;= 1", "100%", "100%", "", ""],
        ["&gt;= 2", "33%", "67%", "", ""],
        ["&gt;= 3", "0%", "67%", "50%", "met"],
        ["&gt;= 4", "0%", "0%", "33%", "33% short (1 more)"],
    ]
    savings = _rows(html, "savings")
    assert [row[:4] for row in savings[1:]] == [
        ["1", "alpha", "3.62", "750"],
        ["2", "beta", "3.20", "600"],
    ]
    assert "score = sum over k in (applicant_hours, admin_cost, visits, certificates)" in html
    assert [row[:5] for row in _rows(html, "exchanges")[1:]] == [
        ["Agency B", "Agency C", "gamma:cert", "gamma", "2,000"],
        ["Agency B", "Agency A", "alpha:cert, beta:cert, beta:extract", "alpha, beta", "1,400"],
    ]
    assert _rows(html, "acts")[1:] == [
        ["law", "Law on C", "3", "alpha: fetch"],
        ["law", "Law on C", "7", "alpha: cert"],
    ]
    assert _rows(html, "bundle-life")[1][:2] == ["now", "4"]
    assert "once-only opportunities: 1 distinct certificate" in html


def test_the_shares_chart_draws_each_share_as_its_height(html: str) -> None:
    shares = _charts(html)[0]
    assert "<script" not in shares
    assert re.search(r'<title id="chart-shares-title">Share of services at each stage', shares)
    bars = _bars(shares)
    by_series: dict[str, list[float]] = {}
    for bar in bars:
        by_series.setdefault(bar["data-series"], []).append(float(bar["data-value"]))
    assert by_series["now"] == pytest.approx(NOW)
    assert by_series["planned"] == pytest.approx(PLANNED)
    assert by_series["target"] == pytest.approx([0.5, 0.33])  # no target at stages 1 and 2
    full = float(bars[0]["height"])  # stage >= 1, now: 100 %
    assert full > 100
    for bar in bars:
        assert float(bar["height"]) == pytest.approx(float(bar["data-value"]) * full, abs=0.02)
    # every bar stands on the same baseline
    assert len({round(float(b["y"]) + float(b["height"]), 1) for b in bars}) == 1


def test_the_savings_chart_draws_each_service_s_hours_as_its_length(html: str) -> None:
    savings = _charts(html)[1]
    bars = _bars(savings)
    assert [(b["data-category"], b["data-value"]) for b in bars] == [
        ("alpha", "750"),
        ("beta", "600"),
    ]
    # the axis ends at 800 hours: the bars are 750/800 and 600/800 of it
    assert float(bars[1]["width"]) / float(bars[0]["width"]) == pytest.approx(600 / 750)
    assert ">800</text>" in savings and ">200</text>" in savings


def test_each_service_has_its_passport_under_its_heading(html: str) -> None:
    alpha = html[html.index('id="service-alpha"') : html.index('id="service-beta"')]
    passport = alpha[alpha.index("<h3>Passport</h3>") :]
    rows = re.findall(r"<tr>(.*?)</tr>", passport.split("</table>")[0], re.S)
    cells = [
        [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r)]
        for r in rows
    ]
    assert cells == [
        ["", "As-Is", "To-Be"],
        ["Owner", "Agency A", "Agency A"],
        ["Applicants", "citizens", "citizens"],
        ["Result", "Certificate C issued", "Certificate C issued"],
        ["Legal deadline", "15d", "5d"],
        ["Register id", "SRV-0042", "SRV-0042"],
        ["Declared maturity stage", "1 (information)", "3 (transactional)"],
        ["Maturity stage the flow supports", "1 (information)", "3 (transactional)"],
        ["Cases per year", "1,000", "1,000"],
    ]
    assert alpha.index("<h3>Passport</h3>") < alpha.index('class="cards"')
    beta = html[html.index('id="service-beta"') :]
    assert "<h3>Passport</h3>" in beta  # a portfolio's report has one for every service


def test_chart_text_is_escaped_and_the_chart_says_what_it_shows() -> None:
    chart = BarChart('<b>"x"</b>', ("<script>",), (Series("a&b", (2.0,)),))
    svg = chart_svg(chart, "p")
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg and "a&amp;b" in svg
    assert 'aria-labelledby="p-title p-desc"' in svg
    assert '<desc id="p-desc">&lt;script&gt;: a&amp;b 2</desc>' in svg


# -- Markdown, Excel, Word -------------------------------------------------------------------


def test_markdown_has_the_tables_and_the_charts_beside_it() -> None:
    text, files = render_report(collect([PROGRAMME]), "markdown", diagrams="r_files")
    assert isinstance(text, str)
    assert "## Programme: maturity, priorities, data exchanges" in text
    assert "| >= 3 | 0% | 67% | 50% | met |" in text
    assert "| Agency B | Agency C | gamma:cert | gamma | 2,000 | no | lint |" in text
    assert "| 1 | alpha | 3.62 | 750 | 7,500.00 UZS | 1,000 | 500 |" in text
    assert "![Share of services at each stage or above, against the targets by 2020-12-31]" in text
    assert "(r_files/programme-shares.svg)" in text
    assert _bars(files["programme-savings.svg"])[0]["data-value"] == "750"
    assert "| Register id | SRV-0042 | SRV-0042 |" in text


def test_the_workbook_has_a_sheet_per_table_with_native_charts_of_its_cells(
    tmp_path: Path,
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "r.xlsx"
    write_report([PROGRAMME], out)
    book = openpyxl.load_workbook(out)
    for name in (
        "Passports",
        "Maturity",
        "Stage shares",
        "Savings",
        "Costs",
        "Exchange backlog",
        "Acts to amend",
        "Life event life",
        "Life event mixed",
    ):
        assert name in book.sheetnames
    shares = book["Stage shares"]
    (chart,) = shares._charts
    refs = [s.val.numRef.f for s in chart.series]
    assert refs == [
        "'Stage shares'!$B$4:$B$7",
        "'Stage shares'!$C$4:$C$7",
        "'Stage shares'!$D$4:$D$7",
    ]
    assert chart.series[0].cat.strRef.f == "'Stage shares'!$A$4:$A$7"
    assert [shares.cell(3, c).value for c in (2, 3, 4)] == ["now", "planned", "target"]
    columns = [[shares.cell(r, c).value for r in range(4, 8)] for c in (2, 3, 4)]
    assert columns[0] == pytest.approx(NOW)
    assert columns[1] == pytest.approx(PLANNED)
    assert columns[2] == [None, None, 0.5, 0.33]
    assert shares.cell(4, 2).number_format == "0%"
    savings = book["Savings"]
    (chart,) = savings._charts
    assert chart.type == "bar"
    ref = chart.series[0].val.numRef.f
    assert ref == "'Savings'!$D$6:$D$7"
    assert [savings["D6"].value, savings["D7"].value] == [750, 600]
    assert [savings["B6"].value, savings["B7"].value] == ["alpha", "beta"]
    assert chart.series[0].cat.strRef.f == "'Savings'!$B$6:$B$7"
    assert str(savings["A2"].value).startswith("score = sum over k")
    backlog = book["Exchange backlog"]
    assert [backlog.cell(4, c).value for c in (1, 2, 5)] == ["Agency B", "Agency C", "2,000"]
    passports = book["Passports"]
    header = [c.value for c in passports[1]]
    alpha = [c.value for c in passports[2]]
    assert dict(zip(header, alpha, strict=True)) == {
        "Service": "alpha",
        "Variant": "as-is",
        "Owner": "Agency A",
        "Applicants": "citizens",
        "Result": "Certificate C issued",
        "Legal deadline (days)": 15,
        "Register id": "SRV-0042",
        "Declared maturity stage": 1,
        "Maturity stage the flow supports": 1,
        "Cases per year": 1000,
    }


def test_the_word_document_has_the_tables_the_chart_pictures_and_the_passports(
    tmp_path: Path,
) -> None:
    docx = pytest.importorskip("docx")
    out = tmp_path / "r.docx"
    write_report([PROGRAMME], out)
    document = docx.Document(out)
    texts = [p.text for p in document.paragraphs]
    start = texts.index("Programme: maturity, priorities, data exchanges")
    captions = [t for t in texts if t.startswith("Figure ")]
    assert captions[:2] == [
        "Figure 1: Share of services at each stage or above, against the targets by 2020-12-31",
        "Figure 2: Applicant hours saved a year, by service",
    ]
    assert start < texts.index(captions[0])
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    backlog = next(t for t in tables if t[0][0] == "issuer")
    assert backlog[1][:5] == ["Agency B", "Agency C", "gamma:cert", "gamma", "2,000"]
    shares = next(t for t in tables if t[0][0] == "stage")
    assert shares[3] == [">= 3", "0%", "67%", "50%", "met"]
    passport = next(t for t in tables if t[0] == ["", "As-Is", "To-Be"] and t[1][0] == "Owner")
    assert passport[5] == ["Register id", "SRV-0042", "SRV-0042"]
    # the chart pictures are PNGs in the document, each as wide as it is drawn or the text
    images = [r for r in document.part.rels.values() if "image" in r.reltype]
    svg = "image/svg+xml"  # the drawings' pages are SVG pictures with a PNG beside them
    pngs = [r.target_part.blob for r in images if r.target_part.content_type != svg]
    assert all(blob[:8] == b"\x89PNG\r\n\x1a\n" for blob in pngs)
    assert len(pngs) >= 2


def test_the_russian_programme_is_in_russian() -> None:
    with i18n.use("ru"):
        text, _ = render_report(collect([PROGRAMME]), "markdown", diagrams="d")
    assert isinstance(text, str)
    assert "## Программа: зрелость, приоритеты, обмен данными" in text
    assert "### Паспорт услуги" in text
    assert "| Номер в реестре услуг | SRV-0042 | SRV-0042 |" in text
    assert "| 1 | alpha | 3,62 |" in text


@pytest.mark.parametrize("module", [charts_module, section_module])
def test_docstring_examples(module: object) -> None:
    assert doctest.testmod(module).failed == 0  # type: ignore[arg-type]


def test_chart_pictures_are_pngs_of_the_svg() -> None:
    png = charts_module.chart_png(BarChart("t", ("a",), (Series("s", (1.0,)),)))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pytest.importorskip("PIL")
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        assert image.size[0] > 300


def test_without_cairo_the_word_charts_say_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    chart = BarChart("t", ("a",), (Series("s", (1.0,)),))
    monkeypatch.setitem(sys.modules, "cairosvg", None)  # the package is not installed
    with pytest.raises(DependencyError, match="pip install cairosvg"):
        charts_module.chart_png(chart)
    monkeypatch.undo()
    without_cairo_library(monkeypatch)
    with pytest.raises(OutputError, match="apt-get install libcairo2"):
        charts_module.chart_png(chart)
