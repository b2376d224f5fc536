"""Reports: grouping into services, the portfolio, and the HTML, Markdown and Excel outputs."""

from __future__ import annotations

import doctest
import importlib
import io
import os
import re
import shutil
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import bpr
from bpr.files.writer import yaml_scalar
from bpr.report import collect, render_report, report_format, write_report
from bpr.report import diagrams as diagrams_module
from bpr.report.content import variant_facts
from bpr.report.html import _SCRIPT, _hash
from tests.conftest import DATA

REPORT = DATA / "report"
PORTFOLIO = REPORT / "portfolio"
BROKEN = REPORT / "broken"
HOSTILE = REPORT / "hostile"
HOSTILE_TEXTS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "</table><script>alert(5)</script>",
    "\"'><svg onload=alert(6)>",
]


def relative(text: str) -> str:
    """Report text with the checkout's location taken out, for golden files."""
    return text.replace(str(DATA), "tests/data")


# -- grouping --------------------------------------------------------------------------------


def test_variants_are_grouped_into_services_wherever_the_files_lie(tmp_path: Path) -> None:
    scattered = tmp_path / "scattered"
    scattered.mkdir()
    shutil.copy(PORTFOLIO / "alpha" / "as-is.yaml", scattered / "one.yaml")
    (tmp_path / "deep" / "er").mkdir(parents=True)
    shutil.copy(PORTFOLIO / "alpha" / "to-be.yaml", tmp_path / "deep" / "er" / "two.yaml")
    shutil.copy(PORTFOLIO / "beta" / "as-is.yaml", scattered / "three.yaml")
    portfolio = collect([tmp_path])
    assert [s.id for s in portfolio.services] == ["alpha", "beta"]
    alpha = portfolio.services[0]
    assert [v.label for v in alpha.variants] == ["as-is", "to-be"]
    assert len(alpha.pairs) == 1 and alpha.primary is alpha.pairs[0]


def test_each_to_be_is_compared_with_the_as_is_and_to_be_is_the_primary() -> None:
    portfolio = collect([PORTFOLIO])
    alpha, beta, gamma = portfolio.services
    assert [v.label for v in alpha.variants] == ["as-is", "to-be", "to-be-2030"]
    assert [(p.as_is.label, p.to_be.label) for p in alpha.pairs] == [
        ("as-is", "to-be"),
        ("as-is", "to-be-2030"),
    ]
    assert alpha.primary is not None and alpha.primary.to_be.label == "to-be"
    assert alpha.title == "Alpha permit"  # "(As-Is)" taken off the model's name
    assert beta.title == "Beta benefit"
    assert gamma.pairs == [] and gamma.primary is None and gamma.title == "gamma"


def test_a_model_that_fails_is_skipped_with_its_error_and_its_service_named() -> None:
    portfolio = collect([PORTFOLIO, BROKEN])
    assert [s.id for s in portfolio.services] == ["alpha", "beta", "gamma"]
    (skipped,) = portfolio.skipped
    assert skipped.file.endswith("beta-to-be-2031.yaml")
    assert (skipped.service, skipped.variant) == ("beta", "to-be-2031")
    assert "unknown actor 'robot'" in skipped.reason and ":8:" in skipped.reason
    beta = portfolio.services[1]
    assert beta.skipped == [skipped]
    assert portfolio.skipped_without_service == []


def test_an_unreadable_file_is_skipped_without_a_service(tmp_path: Path) -> None:
    (tmp_path / "junk.yaml").write_text("- just\n- a list\n")
    (tmp_path / "bad.yaml").write_text("bpr: 1\nservice: [unclosed\n")
    portfolio = collect([tmp_path])
    assert portfolio.services == []
    assert {Path(s.file).name for s in portfolio.skipped} == {"junk.yaml", "bad.yaml"}
    assert all(s.service is None for s in portfolio.skipped)
    assert len(portfolio.skipped_without_service) == 2


def test_a_model_whose_measures_overflow_is_skipped_not_the_whole_report(tmp_path: Path) -> None:
    """Issue 18 #10: fees that are each a number but add up past 1.8e308 are refused where the
    measures are taken; the report skips that file with the reason and reports the rest."""
    (tmp_path / "huge.yaml").write_text(
        "bpr: 1\nservice: huge\nvariant: as-is\nactors: {a: {name: A}}\n"
        "steps: [{id: x, actor: a, fee: 1e308}, {id: y, actor: a, fee: 1e308}]\n"
    )
    result = write_report([tmp_path / "huge.yaml", PORTFOLIO / "gamma"], tmp_path / "r.html")
    assert result.services == 1 and [s.file for s in result.skipped] == [
        str(tmp_path / "huge.yaml")
    ]
    assert "too large" in result.skipped[0].reason and result.skipped[0].service == "huge"
    assert "Infinity" not in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_a_second_file_with_the_same_service_and_variant_is_skipped(tmp_path: Path) -> None:
    shutil.copy(PORTFOLIO / "alpha" / "as-is.yaml", tmp_path / "a.yaml")
    shutil.copy(PORTFOLIO / "alpha" / "as-is.yaml", tmp_path / "b.yaml")
    portfolio = collect([tmp_path])
    (skipped,) = portfolio.skipped
    assert skipped.file.endswith("b.yaml")
    assert "already in" in skipped.reason and "a.yaml" in skipped.reason


def test_a_comparison_error_is_shown_not_raised(tmp_path: Path) -> None:
    shutil.copy(PORTFOLIO / "alpha" / "as-is.yaml", tmp_path / "as-is.yaml")
    text = (PORTFOLIO / "alpha" / "to-be.yaml").read_text()
    (tmp_path / "to-be.yaml").write_text(
        text.replace("replaces: [fetch, apply]", "replaces: [nowhere]")
    )
    portfolio = collect([tmp_path])
    (pair,) = portfolio.services[0].pairs
    assert pair.comparison is None and "nowhere" in (pair.error or "")
    html, _ = render_report(portfolio, "html")
    assert "Not compared" in str(html) and "nowhere" in str(html)


def test_print_draws_each_variant_once_its_own_drawing_only_where_no_comparison_shows_it(
    tmp_path: Path,
) -> None:
    """A compared pair prints both variants' bands and step tables: their own drawings would
    print the same again (issue 11: 4-7 pages per variant). The screen keeps both."""
    from bpr.report.diagrams import printed_variants, service_sheets

    alpha, _, gamma = collect([PORTFOLIO]).services
    assert len(alpha.pairs) == 2 and printed_variants(alpha) == []
    captions = [sheet.caption for sheet in service_sheets(alpha)]
    assert len(captions) == 2 and all("→" in caption for caption in captions)
    assert printed_variants(gamma) == gamma.variants  # an As-Is alone: its own drawing
    assert len(service_sheets(gamma)) == 1
    # a pair that could not be compared prints each variant on its own
    shutil.copy(PORTFOLIO / "alpha" / "as-is.yaml", tmp_path / "as-is.yaml")
    text = (PORTFOLIO / "alpha" / "to-be.yaml").read_text()
    (tmp_path / "to-be.yaml").write_text(
        text.replace("replaces: [fetch, apply]", "replaces: [nowhere]")
    )
    (broken,) = collect([tmp_path]).services
    assert printed_variants(broken) == broken.variants
    assert [s.caption for s in service_sheets(broken)] == [v.model.title for v in broken.variants]


def test_totals_add_the_yearly_gains_of_the_primary_to_be() -> None:
    totals = collect([PORTFOLIO]).totals()
    # alpha: (2 h - 0.5 h) x 100 cases = 150 h, 2500 - 500 = 2000 EUR;
    # beta: (1 h - 0.5 h) x 1000 cases = 500 h, 20000 - 10000 = 10000 EUR; gamma has no To-Be
    assert totals.counted == 2
    assert totals.applicant_hours_saved == pytest.approx(650)
    assert totals.money_saved == {"EUR": pytest.approx(12000)}
    assert totals.left_out == []


def test_a_service_without_volume_is_left_out_of_the_totals_and_named(tmp_path: Path) -> None:
    for name in ("as-is.yaml", "to-be.yaml"):
        text = (PORTFOLIO / "beta" / name).read_text()
        (tmp_path / name).write_text(text.replace("volume: 1000\n", ""))
    totals = collect([tmp_path, PORTFOLIO / "alpha"]).totals()
    assert totals.counted == 1 and totals.left_out == ["beta"]
    assert totals.money_saved == {"EUR": pytest.approx(2000)}


# -- HTML ------------------------------------------------------------------------------------


class _Tags(HTMLParser):
    """Every element and attribute of a page, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)
        else:
            self.text.append(data)


def parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser


def test_all_text_from_the_models_is_escaped_in_the_html() -> None:
    html = str(render_report(collect([HOSTILE]), "html")[0])
    page = parse(html)
    text = "".join(page.text)
    for hostile in HOSTILE_TEXTS:
        assert hostile in text  # shown as text ...
        assert hostile not in html  # ... never as markup
    tags = [tag for tag, _ in page.tags]
    assert tags.count("script") == 1 and "img" not in tags and "foreignobject" not in tags
    handlers = [(tag, name) for tag, attrs in page.tags for name in attrs if name.startswith("on")]
    assert handlers == []
    assert all(
        "javascript:" not in (value or "") for _, attrs in page.tags for value in attrs.values()
    )


def test_the_only_script_is_pinned_by_the_content_security_policy() -> None:
    html = str(render_report(collect([PORTFOLIO]), "html")[0])
    page = parse(html)
    (policy,) = [
        a["content"] for t, a in page.tags if a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert policy is not None and "default-src 'none'" in policy
    assert page.scripts == [_SCRIPT]
    assert _hash(page.scripts[0]) in policy
    # nothing to fetch: no address outside the SVG namespace declarations
    addresses = [
        value
        for _, attrs in page.tags
        for name, value in attrs.items()
        if not name.startswith("xmlns") and value and re.search(r"(https?|ftp|file):", value)
    ]
    assert addresses == []


def test_the_html_of_one_service_has_every_part() -> None:
    html = str(render_report(collect([PORTFOLIO / "alpha"]), "html")[0])
    text = "".join(parse(html).text)
    assert "<title>Alpha permit</title>" in html
    assert 'id="portfolio"' not in html  # one service: no portfolio page
    for part in (
        "Comparison: As-Is → To-Be",
        "Comparison: As-Is → To-Be 2030",
        "Swimlane diagrams",
        "Measures",
        "Changes: As-Is → To-Be",
        "Documents",
        "Sources",
    ):
        assert part in text
    assert 'class="cards"' in html
    # the classified changes, with names from the files
    assert "Step replaces" in text and "Fetch the certificate, Apply at the office" in text
    assert "Document now exchanged" in text and "Registry certificate" in text
    # the documents table: who issues each and how it travels in each variant
    assert "Registry (Registry agency)" in text
    assert "applicant collects and carries" in text and "data exchange" in text
    assert "Interview at the alpha office, 2024" in text
    # headline: lead time 148 h = 6.17 d -> 25.5 h = 1.06 d, -82.8 %
    assert "6.17 → 1.06 days" in text and "-82.8%" in text


def test_the_portfolio_has_a_sortable_row_per_service_linked_to_its_section() -> None:
    html = str(render_report(collect([PORTFOLIO, BROKEN]), "html")[0])
    page = parse(html)
    sections = [a["id"] for t, a in page.tags if t == "section" and a.get("class") == "service"]
    assert sections == ["service-alpha", "service-beta", "service-gamma"]
    rows = re.findall(r'<tr><td data-sort="[^"]*"><a href="#(service-[a-z]+)">', html)
    assert rows == sections
    assert '<table class="sortable">' in html and html.count('data-column="') == 18
    text = "".join(page.text)
    assert "applicants save 650 hours and 12,000.00 EUR per year" in text
    assert "1 model file skipped" in text and "unknown actor 'robot'" in text
    assert "(service beta, variant to-be-2031)" in text


def test_the_portfolio_row_gives_each_measure_before_after_and_its_change() -> None:
    from bpr.report.content import portfolio_table

    table = portfolio_table(collect([PORTFOLIO]))
    headings = [(c.group, c.label) for c in table.columns]
    for group in ("Steps", "Visits", "Certificates", "Lead time", "Burden per year"):
        assert [label for g, label in headings if g == group] == ["As-Is", "To-Be", "Change"]
    assert headings[-2:] == [("Maturity stage", "As-Is"), ("Maturity stage", "To-Be")]
    alpha = dict(zip(headings, table.rows[0], strict=True))
    # by hand from the files: 3 steps -> 2, two visits -> none, the registry certificate is
    # exchanged; lead time 148 h -> 25.5 h; burden 2500 -> 500 EUR a year
    assert (alpha[("Steps", "As-Is")], alpha[("Steps", "To-Be")]) == (3, 2)
    assert alpha[("Steps", "Change")] == pytest.approx(-33.33)
    assert (alpha[("Visits", "As-Is")], alpha[("Visits", "To-Be")]) == (2, 0)
    assert alpha[("Visits", "Change")] == -100
    assert (alpha[("Certificates", "As-Is")], alpha[("Certificates", "Change")]) == (1, -100)
    assert alpha[("Lead time", "Change")] == pytest.approx(-82.77, abs=0.01)
    assert alpha[("Burden per year", "Change")] == -80
    assert (alpha[("Maturity stage", "As-Is")], alpha[("Maturity stage", "To-Be")]) == (1, 3)
    gamma = dict(zip(headings, table.rows[2], strict=True))  # an As-Is alone: nothing to compare
    assert gamma[("Steps", "To-Be")] is None and gamma[("Steps", "Change")] is None


def test_a_refreshing_page_for_watch_reloads_and_pins_its_second_script() -> None:
    html = str(render_report(collect([PORTFOLIO / "beta"]), "html", refresh=3)[0])
    page = parse(html)
    assert '<meta http-equiv="refresh" content="3">' in html
    assert len(page.scripts) == 2
    policy = next(
        a["content"] for t, a in page.tags if a.get("http-equiv") == "Content-Security-Policy"
    )
    assert all(_hash(s) in (policy or "") for s in page.scripts)


# -- diagrams ------------------------------------------------------------------------------


HOSTILE_SVG = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
    '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'viewBox="0 0 10 10"><defs><marker id="arrow"/></defs>'
    "<script>alert(7)</script><foreignObject><div>x</div></foreignObject>"
    '<path d="M0 0L9 9" marker-end="url(#arrow)" onclick="alert(8)"/>'
    '<a xlink:href="javascript:alert(9)"><text>&lt;b&gt;{label}</text></a></svg>'
)


@pytest.fixture
def fake_render(monkeypatch: pytest.MonkeyPatch) -> None:
    """Diagrams from a stand-in for bpr.render that puts hostile content in its SVG."""

    def process_dot(model: bpr.Model) -> str:
        return f"swimlane {model.variant}"

    def comparison_dot(
        as_is: bpr.Model, to_be: bpr.Model, *, stacked: bool, comparison: bpr.Comparison
    ) -> str:
        assert stacked and (comparison.as_is, comparison.to_be) == (as_is, to_be)
        return f"comparison {as_is.variant} {to_be.variant}"

    def convert(dot: str, fmt: str) -> bytes:
        assert fmt == "svg"
        return HOSTILE_SVG.replace("{label}", escape(dot)).encode()

    monkeypatch.setattr(diagrams_module, "process_dot", process_dot)
    monkeypatch.setattr(diagrams_module, "comparison_dot", comparison_dot)
    monkeypatch.setattr(diagrams_module, "convert", convert)


def test_inline_diagrams_are_stripped_of_scripts_and_keep_their_own_ids(fake_render: None) -> None:
    html = str(render_report(collect([PORTFOLIO / "alpha"]), "html")[0])
    page = parse(html)
    svgs = [a for t, a in page.tags if t == "svg"]
    assert len(svgs) == 5  # two comparisons, three swimlanes
    markers = [a["id"] for t, a in page.tags if t == "marker"]
    assert len(set(markers)) == 5  # no two diagrams share an id
    assert all(f"url(#{m})" in html for m in markers)
    assert "alert(" not in html and "foreignobject" not in [t for t, _ in page.tags]
    assert "<!DOCTYPE svg" not in html and "<?xml" not in html


def test_markdown_writes_its_diagrams_beside_it(fake_render: None, tmp_path: Path) -> None:
    out = tmp_path / "guide.md"
    result = write_report([PORTFOLIO / "alpha", HOSTILE], out)
    folder = tmp_path / "guide_files"
    names = sorted(p.name for p in folder.iterdir())
    assert len(names) == 8 and sorted(p.name for p in result.extra_files) == names
    text = out.read_text(encoding="utf-8")
    for name in names:
        assert f"(guide_files/{name})" in text
        svg = (folder / name).read_text(encoding="utf-8")
        assert svg.startswith("<svg") and "<script" not in svg and "onclick" not in svg
        assert "javascript:" not in svg and "foreignObject" not in svg
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+", n) for n in names)  # hostile labels tamed


# -- Markdown ------------------------------------------------------------------------------


def _cells(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line)) - 1


def assert_tables_are_whole(text: str) -> None:
    """Every row of every Markdown table has as many cells as its header: no stray '|'."""
    header = 0
    for line in text.splitlines():
        if not line.startswith("|"):
            header = 0
        elif not header:
            header = _cells(line)
        else:
            assert _cells(line) == header, line


@pytest.fixture
def without_lint(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reports without bpr.lint's findings, whose wording is that module's to change."""
    collect_module = importlib.import_module("bpr.report.collect")
    monkeypatch.setattr(collect_module, "lint", lambda model: [])


def test_markdown_has_the_tables(golden: Any, without_lint: None) -> None:
    text, files = render_report(collect([PORTFOLIO, BROKEN]), "markdown", diagrams="p_files")
    assert isinstance(text, str)
    assert len(files) == 9  # every diagram the report links to is drawn
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| Service |"))
    assert lines[header + 1].startswith("| --- | ---: |")
    assert [line.split(" | ")[0] for line in lines[header + 2 : header + 5]] == [
        "| [Alpha permit](#service-alpha)",
        "| [Beta benefit](#service-beta)",
        "| [gamma](#service-gamma)",
    ]
    assert (
        "| Lead time \\(days\\)" not in text
        and "| Lead time (days) | 6.17 | 1.06 | -82.8% |" in text
    )
    assert_tables_are_whole(text)
    golden.check("report/portfolio.md", relative(text))


def test_markdown_escapes_model_text() -> None:
    from markdown_it import MarkdownIt  # installed with rich

    text = str(render_report(collect([HOSTILE]), "markdown")[0])
    assert re.search(r"(?<!\\)<(?!a id=|/a>)", text) is None  # only the anchors are tags
    page = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    assert "<script" not in page and "<svg" not in page
    assert re.search(r"<[a-z]+\s[^>]*\bon\w+=", page) is None  # no element has a handler
    assert all(src.endswith(".svg") for src in re.findall(r'<img src="([^"]*)"', page))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown as written
    assert "alert\\(1\\)" not in text  # parentheses stay readable
    assert "\\<script>alert(1)\\</script>" in text  # the one Markdown escaper of bpr.core.text
    assert "\\| pipe \\| \\*bold\\* \\[link\\](javascript:alert(3)) \\`code\\`" in text
    assert text.count("| --- |") >= 4
    assert_tables_are_whole(text)


# -- Excel -----------------------------------------------------------------------------------


def _workbook(tmp_path: Path, *paths: Path) -> Any:
    from openpyxl import load_workbook

    out = tmp_path / "report.xlsx"
    write_report(list(paths), out)
    return load_workbook(out)


def _rows(sheet: Any) -> list[dict[str, Any]]:
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def test_the_workbook_has_the_right_numbers(tmp_path: Path) -> None:
    book = _workbook(tmp_path, PORTFOLIO, BROKEN)
    assert book.sheetnames == [
        "Portfolio",
        "as-is",
        "to-be",
        "to-be-2030",
        "Changes",
        "Measure changes",
        "Skipped",
    ]
    as_is = {row["Service"]: row for row in _rows(book["as-is"])}
    alpha = as_is["alpha"]
    assert alpha["Lead time (days)"] == pytest.approx(148 / 24)
    assert alpha["Applicant's time (hours)"] == 2
    assert alpha["Applicant's time and payments (EUR)"] == 25
    assert alpha["Applicant's time and payments a year (EUR)"] == 2500
    assert alpha["Maturity stage"] == 1
    assert as_is["beta"]["Lead time (days)"] == pytest.approx(147 / 24)
    assert as_is["gamma"]["Applicant's time and payments a year (EUR)"] is None
    to_be = {row["Service"]: row for row in _rows(book["to-be"])}
    assert to_be["alpha"]["Lead time (days)"] == pytest.approx(25.5 / 24)
    assert to_be["beta"]["Applicant's time and payments a year (EUR)"] == 10000
    later = _rows(book["to-be-2030"])
    assert [(r["Service"], r["Steps"], r["Lead time (days)"]) for r in later] == [
        ("alpha", 1, pytest.approx(1 / 24))
    ]
    for sheet in ("as-is", "to-be", "Portfolio", "Measure changes"):
        for row in book[sheet].iter_rows(min_row=2):
            for cell in row:
                assert not (
                    isinstance(cell.value, str) and re.fullmatch(r"-?[\d.,]+", cell.value)
                ), f"{sheet}!{cell.coordinate} holds a number as text"


def test_the_workbook_portfolio_and_changes(tmp_path: Path) -> None:
    book = _workbook(tmp_path, PORTFOLIO, BROKEN)
    portfolio = {row["Service"]: row for row in _rows(book["Portfolio"])}
    assert portfolio["Alpha permit"]["Lead time Change (%)"] == pytest.approx(-82.76, abs=0.01)
    assert portfolio["Beta benefit"]["Burden per year As-Is (EUR)"] == 20000
    assert portfolio["Beta benefit"]["Maturity stage To-Be"] == 3
    changes = [(r["Service"], r["To"], r["Change"], r["Id"]) for r in _rows(book["Changes"])]
    assert ("alpha", "to-be", "Step replaces", "apply_online") in changes
    assert ("alpha", "to-be", "Document now exchanged", "cert") in changes
    assert ("beta", "to-be", "Step changed", "submit") in changes
    measures = [r for r in _rows(book["Measure changes"]) if r["Service"] == "beta"]
    lead = next(r for r in measures if r["Measure"] == "Lead time" and r["To"] == "to-be")
    assert (lead["Unit"], lead["Before"], lead["After"]) == (
        "days",
        pytest.approx(6.125),
        pytest.approx(1.0625),
    )
    assert lead["Change (%)"] == pytest.approx(-82.65, abs=0.01)
    (skipped,) = _rows(book["Skipped"])
    assert skipped["Service"] == "beta" and "unknown actor 'robot'" in skipped["Reason"]


def test_model_text_in_the_workbook_is_never_a_formula(tmp_path: Path) -> None:
    book = _workbook(tmp_path, HOSTILE)
    cells = [
        c for sheet in book for row in sheet.iter_rows() for c in row if isinstance(c.value, str)
    ]
    formulas = [c for c in cells if c.value.startswith("=")]
    assert formulas, "the hostile model has names starting with '='"
    assert all(c.data_type == "s" for c in formulas)
    assert any(c.value.startswith("=HYPERLINK") for c in formulas)


def test_non_characters_in_names_and_labels_do_not_break_the_workbook(tmp_path: Path) -> None:
    """Issue 18 #19: U+FFFE and U+FFFF (valid in YAML escapes, impossible in XML) in a name, a
    step and a variant label used to stop the Excel report with lxml's ValueError."""
    head = (
        'bpr: 1\nservice: s\nname: "Permit \\uFFFE\\uFFFF"\nactors: {a: {name: "Desk \\uFFFF"}}\n'
    )
    (tmp_path / "as-is.yaml").write_text(
        head
        + 'variant: as-is\nsteps: [{id: x, actor: a}, {id: y, actor: a, name: "Step \\uFFFE"}]\n'
    )
    (tmp_path / "to-be.yaml").write_text(
        head + 'variant: "to-be \\uFFFF"\nsteps: [{id: x, actor: a}]\n'
    )
    book = _workbook(tmp_path, tmp_path)
    assert "to-be " in book.sheetnames
    texts = [c for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
    assert not [t for t in texts if isinstance(t, str) and ("\ufffe" in t or "\uffff" in t)]
    (change,) = [r for r in _rows(book["Changes"]) if r["Change"] == "Step removed"]
    assert change["Id"] == "y" and change["Name"] == "Step "


def test_sheet_titles_from_labels_are_valid_and_unique() -> None:
    from bpr.report.excel import sheet_title

    taken: set[str] = set()
    titles = [sheet_title(label, taken) for label in ("a/b", "a?b", "x" * 40, "x" * 40, "'q'")]
    assert titles[0] == "a_b" and titles[1] == "a_b (2)"
    assert len(titles[2]) == 31 and titles[3].endswith(" (2)") and len(titles[3]) == 31
    assert titles[4] == "q"


# -- writing -------------------------------------------------------------------------------


def test_the_format_follows_the_suffix() -> None:
    names = ("a.html", "a.HTM", "a.md", "b.markdown", "c.xlsx", "d.docx", "e.PDF")
    assert [report_format(n) for n in names] == [
        "html",
        "html",
        "markdown",
        "markdown",
        "excel",
        "word",
        "pdf",
    ]
    with pytest.raises(bpr.OutputError, match=r"\.html, \.md, \.xlsx, \.docx or \.pdf"):
        report_format("a.odt")
    assert report_format("a.odt", "html") == "html"


def test_an_output_that_is_an_input_is_refused(tmp_path: Path) -> None:
    model = tmp_path / "model.html"  # a model file given by name, whatever its suffix
    shutil.copy(PORTFOLIO / "beta" / "as-is.yaml", model)
    before = model.read_bytes()
    with pytest.raises(bpr.OutputError, match="would overwrite the input"):
        write_report([model], model)
    assert model.read_bytes() == before


def test_nothing_is_half_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "report.html"
    out.write_text("the previous report")
    report_module = importlib.import_module("bpr.report")

    def fail(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(report_module, "html_report", fail)
    with pytest.raises(RuntimeError):
        write_report([PORTFOLIO], out)
    assert out.read_text() == "the previous report"
    assert sorted(os.listdir(tmp_path)) == ["report.html"]


def test_no_model_files_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(bpr.OutputError, match=r"no \*\.yaml"):
        write_report([tmp_path], tmp_path / "r.html")
    assert not (tmp_path / "r.html").exists()


def test_progress_is_reported_per_file_and_per_service(tmp_path: Path) -> None:
    calls: list[tuple[str, int, int]] = []
    write_report([PORTFOLIO], tmp_path / "r.html", progress=lambda *a: calls.append(a))
    assert [c for c in calls if c[0] == "load"] == [("load", i, 6) for i in range(1, 7)]
    assert [c for c in calls if c[0] == "write"] == [("write", i, 3) for i in range(1, 4)]


@pytest.mark.parametrize(
    "name",
    [
        "bpr.report",
        "bpr.report.content",
        "bpr.report.diagrams",
        "bpr.report.excel",
        "bpr.report.markdown",
    ],
)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    assert doctest.testmod(module, optionflags=doctest.ELLIPSIS).failed == 0


def test_diagrams_no_longer_in_the_markdown_report_are_removed(
    fake_render: None, tmp_path: Path
) -> None:
    out = tmp_path / "guide.md"
    write_report([PORTFOLIO / "alpha", PORTFOLIO / "beta"], out)
    assert len(list((tmp_path / "guide_files").glob("beta*.svg"))) == 3
    (tmp_path / "guide_files" / "notes.txt").write_text("mine")
    write_report([PORTFOLIO / "alpha"], out)
    names = sorted(p.name for p in (tmp_path / "guide_files").iterdir())
    assert not [n for n in names if n.startswith("beta")] and "notes.txt" in names


def test_diagrams_drawn_by_threads_are_those_drawn_one_by_one() -> None:
    from bpr.report.diagrams import diagrams_in_order

    services = collect([PORTFOLIO]).services
    serial = list(diagrams_in_order(services, workers=1))
    threaded = list(diagrams_in_order(services, workers=3))
    assert serial == threaded
    assert [len(d.swimlanes) for d in serial] == [3, 2, 1]
    assert all(svg and svg.lstrip().startswith("<?xml") for d in serial for svg in d.swimlanes)


def test_each_pair_is_compared_once_and_its_diagram_draws_that_comparison(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    collect_module = importlib.import_module("bpr.report.collect")
    drawing_module = importlib.import_module("bpr.render._compare")
    calls: list[str] = []
    real = collect_module.compare

    def counted(as_is: bpr.Model, to_be: bpr.Model) -> bpr.Comparison:
        calls.append(to_be.variant)
        return real(as_is, to_be)

    def never(as_is: bpr.Model, to_be: bpr.Model) -> bpr.Comparison:
        raise AssertionError("the diagram compared the pair again")

    monkeypatch.setattr(collect_module, "compare", counted)
    monkeypatch.setattr(drawing_module, "compare", never)
    portfolio = collect([PORTFOLIO / "alpha"])
    page = str(render_report(portfolio, "html")[0])
    assert calls == ["to-be", "to-be-2030"] and page.count('<figure class="diagram">') == 5


def test_the_as_is_gets_the_redesign_opportunities_of_bpr_lint() -> None:
    portfolio = collect([PORTFOLIO / "beta"])
    findings = portfolio.services[0].as_is.findings  # type: ignore[union-attr]
    (finding,) = [f for f in findings if f.rule == "rework"]
    assert finding.gain
    html = str(render_report(portfolio, "html")[0])
    text = str(render_report(portfolio, "markdown")[0])
    for page in (html, text):
        assert "Redesign opportunities in the As-Is" in page
        assert "rework" in page and "-0.5 h" in page


def test_without_lint_there_is_no_opportunities_section(without_lint: None) -> None:
    portfolio = collect([PORTFOLIO / "beta"])
    assert portfolio.services[0].as_is.findings == []  # type: ignore[union-attr]
    assert "Redesign opportunities" not in str(render_report(portfolio, "html")[0])


@pytest.mark.parametrize("name", ["all.html", "all.md", "all.xlsx"])
def test_a_report_where_every_model_fails_still_says_why(tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    result = write_report([BROKEN], out)
    assert result.services == 0 and len(result.skipped) == 1
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        (row,) = _rows(load_workbook(out)["Skipped"])
        assert "unknown actor 'robot'" in row["Reason"]
    else:
        text = out.read_text(encoding="utf-8")
        assert "No model could be loaded" in text and "unknown actor" in text


def test_a_diagram_is_never_written_over_an_input(fake_render: None, tmp_path: Path) -> None:
    folder = tmp_path / "guide_files"
    folder.mkdir()
    model = folder / "beta--as-is.svg"  # a model file, oddly named like a diagram
    shutil.copy(PORTFOLIO / "beta" / "as-is.yaml", model)
    with pytest.raises(bpr.OutputError, match="would overwrite the input"):
        write_report([model], tmp_path / "guide.md")
    assert model.read_text().startswith("# Hand-checked")


def test_workbook_headers_name_the_currency_or_say_currency(tmp_path: Path) -> None:
    book = _workbook(tmp_path, PORTFOLIO / "beta", HOSTILE)  # EUR and "<b>X</b>"
    headers = next(book["as-is"].iter_rows(values_only=True))
    assert "Applicant's time and payments (currency)" in headers
    assert "Currency" in headers
    portfolio = next(book["Portfolio"].iter_rows(values_only=True))
    assert "Burden per year Change (%)" in portfolio and "Currency" in portfolio


@pytest.mark.parametrize("name", ["r.html", "r.md", "r.xlsx"])
def test_an_output_folder_that_does_not_exist_is_made(tmp_path: Path, name: str) -> None:
    """Issue 19: ``bpr report models -o guide/portfolio.md`` works as the docs show it."""
    out = tmp_path / "guide" / "2026" / name
    result = write_report([PORTFOLIO / "beta"], out)
    assert out.is_file() and result.output == out
    if name.endswith(".md"):
        assert len(list((tmp_path / "guide" / "2026" / "r_files").glob("*.svg"))) == 3


@pytest.mark.parametrize("name", ["r.html", "r.md", "r.xlsx"])
def test_an_output_under_a_file_is_an_error_before_any_work(
    tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    report_module = importlib.import_module("bpr.report")

    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the models were read although the report cannot be written")

    monkeypatch.setattr(report_module, "collect", never)
    (tmp_path / "notes").write_text("mine")
    out = tmp_path / "notes" / "sub" / name
    with pytest.raises(bpr.OutputError, match=r"notes is a file, not a folder"):
        write_report([PORTFOLIO / "beta"], out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes"]


def test_a_file_where_the_diagrams_go_is_an_error_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "guide_files").write_text("my notes")
    with pytest.raises(bpr.OutputError, match=r"guide_files, which is a file"):
        write_report([PORTFOLIO / "beta"], tmp_path / "guide.md")
    assert (tmp_path / "guide_files").read_text() == "my notes"
    assert not (tmp_path / "guide.md").exists()


def test_the_cleanup_of_old_diagrams_never_removes_an_input(
    fake_render: None, tmp_path: Path
) -> None:
    folder = tmp_path / "guide_files"
    folder.mkdir()
    model = folder / "my-model.svg"  # a model file, oddly named, that no diagram overwrites
    shutil.copy(PORTFOLIO / "gamma" / "as-is.yaml", model)
    (folder / "old--as-is.svg").write_text("<svg/>")  # a diagram of an earlier run
    result = write_report([model], tmp_path / "guide.md")
    assert sorted(p.name for p in folder.iterdir()) == ["gamma--as-is.svg", "my-model.svg"]
    assert model.read_bytes() == (PORTFOLIO / "gamma" / "as-is.yaml").read_bytes()
    assert result.summary().endswith(f"1 diagram in {folder}")


def test_markdown_totals_name_the_services_left_out(tmp_path: Path, without_lint: None) -> None:
    for name in ("as-is.yaml", "to-be.yaml"):
        text = (PORTFOLIO / "beta" / name).read_text()
        (tmp_path / name).write_text(text.replace("volume: 1000\n", ""))
    text = str(render_report(collect([tmp_path, PORTFOLIO / "alpha"]), "markdown")[0])
    assert (
        "Across 1 service with yearly volumes, applicants save 150 hours and 2,000.00 EUR" in text
    )
    assert "Not counted (no volume in both variants): beta." in text
    alone = str(render_report(collect([tmp_path, PORTFOLIO / "gamma"]), "markdown")[0])
    assert "No service has a yearly volume in both variants: no yearly totals." in alone


def test_a_file_named_twice_is_one_variant_not_a_duplicate(tmp_path: Path) -> None:
    beta = PORTFOLIO / "beta"
    link = tmp_path / "link"
    link.symlink_to(beta, target_is_directory=True)
    for paths in ([PORTFOLIO, beta / "as-is.yaml"], [beta, link], [beta / "to-be.yaml"] * 2):
        portfolio = collect(paths)
        assert portfolio.skipped == [], paths
        assert len({s.id for s in portfolio.services}) == len(portfolio.services)
    result = write_report([beta, beta / "as-is.yaml", link], tmp_path / "r.html")
    assert (result.files, result.services, result.skipped) == (2, 1, [])


# -- campaign: any text a model may hold, in every format ------------------------------------

ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(names=st.lists(ANY_TEXT, min_size=5, max_size=5))
def test_property_no_model_text_breaks_or_becomes_markup_in_any_format(
    fake_render: None, tmp_path_factory: pytest.TempPathFactory, names: list[str]
) -> None:
    """Service, step, actor, document names and a variant label drawn from all of Unicode:
    the HTML holds no element or control character the page did not put there, the Markdown
    no unescaped markup, and the workbook is written and reads back."""
    service, step, actor, document, variant = (yaml_scalar(n) for n in names)
    folder = tmp_path_factory.mktemp("campaign")
    head = (
        f"bpr: 1\nservice: s\nname: {service}\nactors:\n  a:\n    name: {actor}\n"
        f"documents:\n  d:\n    name: {document}\n"
    )
    (folder / "as-is.yaml").write_text(
        head + "variant: as-is\nsteps:\n  - id: x\n    actor: a\n    needs: [d]\n"
        f"  - id: y\n    name: {step}\n    actor: a\n    channel: in-person\n",
        encoding="utf-8",
    )
    (folder / "to-be.yaml").write_text(
        head + f"variant: {variant}\nsteps:\n  - id: x\n    actor: a\n", encoding="utf-8"
    )
    portfolio = collect([folder])
    assume(not portfolio.skipped)  # a label the loader refuses is not the report's to show
    html = str(render_report(portfolio, "html")[0])
    page = parse(html)
    assert [t for t, _ in page.tags].count("script") == 1 and not _CONTROLS.search(html)
    assert not [n for _, attrs in page.tags for n in attrs if n.startswith("on")]
    markdown = str(render_report(portfolio, "markdown")[0])
    assert re.search(r"(?<!\\)<(?!a id=|/a>)", markdown) is None
    assert not _CONTROLS.search(markdown.replace("\n", ""))
    assert_tables_are_whole(markdown)
    workbook = render_report(portfolio, "excel")[0]
    assert isinstance(workbook, bytes)
    from openpyxl import load_workbook

    load_workbook(io.BytesIO(workbook))


# -- money -------------------------------------------------------------------------------------

MIXED = DATA / "report" / "currencies"


def _mixed_models(tmp_path: Path) -> Path:
    """Two services, one in AZN with a fee under one manat, one in UZS."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    head = "bpr: 1\nactors: {a: {name: Applicant, kind: applicant}, o: {name: Office}}\n"
    for service, currency, fee in (("fine", "AZN", 0.97), ("permit", "UZS", 480000)):
        for variant, steps in (
            ("as-is", f"[{{id: pay, actor: a, channel: in-person, fee: {fee}}}]"),
            ("to-be", f"[{{id: pay, actor: a, channel: online, fee: {fee / 2}}}]"),
        ):
            (folder / f"{service}-{variant}.yaml").write_text(
                f"{head}service: {service}\nvariant: {variant}\ncurrency: {currency}\n"
                f"volume: 1000\ntariff: 1\nsteps: {steps}\n",
                encoding="utf-8",
            )
    return folder


def test_excel_amounts_keep_their_decimals_and_name_their_currency(tmp_path: Path) -> None:
    book = _workbook(tmp_path, _mixed_models(tmp_path))
    sheet = book["as-is"]
    headers = [c.value for c in sheet[1]]
    fees = headers.index("Fees (currency)") + 1
    cells = {sheet.cell(r, 1).value: sheet.cell(r, fees) for r in range(2, sheet.max_row + 1)}
    assert cells["fine"].value == pytest.approx(0.97)
    assert cells["fine"].number_format == '#,##0.00 "AZN"'
    assert cells["permit"].value == 480000
    assert cells["permit"].number_format == '#,##0.00 "UZS"'
    portfolio = book["Portfolio"]
    burden = next(c.column for c in portfolio[1] if "Burden per year As-Is" in str(c.value))
    formats = {portfolio.cell(r, burden).number_format for r in range(2, portfolio.max_row + 1)}
    assert formats == {'#,##0.00 "AZN"', '#,##0.00 "UZS"'}


def test_html_labels_every_amount_of_a_mixed_portfolio_and_sorts_within_currency(
    tmp_path: Path,
) -> None:
    from bpr.report.content import portfolio_table

    portfolio = collect([_mixed_models(tmp_path)])
    html, _ = render_report(portfolio, "html")
    assert isinstance(html, str)
    table = portfolio_table(portfolio)
    money_columns = [i for i, c in enumerate(table.columns) if c.kind == "money"]
    assert money_columns and all(table.columns[i].currency is None for i in money_columns)
    # 1000 cases x 0.97 AZN = 970 AZN a year; 1000 x 480,000 UZS = 480 M UZS
    assert "970.00 AZN" in html
    assert "480 M UZS" in html
    assert "485.00 AZN; 240,000,000.00 UZS per year" in html  # the totals, per currency
    assert 'data-sort="AZN|' in html and 'data-sort="UZS|' in html
    assert totals_line(html).count("AZN") == 1 and totals_line(html).count("UZS") == 1


def totals_line(html: str) -> str:
    line = next(part for part in html.split("<p>") if "per year" in part and "save" in part)
    return line.split("</p>")[0]


def test_a_fee_under_one_manat_keeps_its_cents_in_the_html(tmp_path: Path) -> None:
    html, _ = render_report(collect([_mixed_models(tmp_path)]), "html")
    assert ">0.97<" in html  # the step table: the column heading names AZN
    assert "0.97 AZN" in html  # the measures of the service's cards


def test_change_details_read_as_sentences(tmp_path: Path) -> None:
    from bpr.report.content import change_records

    folder = tmp_path / "s"
    folder.mkdir()
    head = (
        "bpr: 1\nservice: s\ncurrency: AZN\nactors: {a: {name: Applicant, kind: applicant}, "
        "o: {name: Office}}\ndocuments: {passport: {name: Passport}, form: {name: Form}}\n"
    )
    (folder / "as-is.yaml").write_text(
        head + "variant: as-is\nsteps: [{id: x, actor: o, needs: [passport], fee: 3, work: 2h}]\n",
        encoding="utf-8",
    )
    (folder / "to-be.yaml").write_text(
        head + "variant: to-be\nsteps: [{id: x, actor: a, needs: [form], fee: 0.5, work: 1h}]\n",
        encoding="utf-8",
    )
    service = collect([folder]).services[0]
    (record,) = [r for r in change_records(service.pairs[0]) if r.kind == "Step changed"]
    assert "done by Applicant instead of Office" in record.detail
    assert "work: 1h instead of 2h" in record.detail
    assert "fee: 0.50 AZN instead of 3.00 AZN" in record.detail
    assert "needs: Passport no longer; Form now as well" in record.detail
    assert "->" not in record.detail and "-passport" not in record.detail


def test_the_report_lists_the_provisions_and_shows_stages_not_percents(tmp_path: Path) -> None:
    """Issue 'the redesign as ministries see it': a stage moves 'stage 1 -> 3' in the measure
    table (never +200 %), and the provisions the To-Be relies on are listed by act."""
    models = Path(__file__).resolve().parent.parent / "models" / "property-registration"
    portfolio = collect([models])
    markdown = str(render_report(portfolio, "markdown")[0])
    maturity = next(line for line in markdown.splitlines() if line.startswith("| Maturity stage"))
    assert "stage 1 -> 3" in maturity and "%" not in maturity
    assert "#### Provisions the To-Be relies on" in markdown
    assert "No. 106 of 2017-02-27" in markdown
    html = str(render_report(portfolio, "html")[0])
    assert "<h4>Provisions the To-Be relies on</h4>" in html and "+200" not in html


STAFFED_TO_BE = """bpr: 1
service: desk
variant: to-be
volume: 20000
deadline: 2d
owner: Justice Ministry
applicants: citizen
register_id: REG-7
actors:
  applicant: {name: Applicant, kind: applicant}
  clerk: {name: Clerk, staff: 1}
steps:
  - {id: apply, actor: applicant, channel: online, work: 10m}
  - {id: examine, actor: clerk, work: 1h}
"""


def test_the_report_says_what_staff_a_to_be_needs_for_its_deadline(tmp_path: Path) -> None:
    """20,000 cases a year of one hour's work round the clock is 2.3 hours of work an hour:
    one clerk can never keep up, three can; the fewest meeting 95 % within 2 days is 3."""
    (tmp_path / "to-be.yaml").write_text(STAFFED_TO_BE, encoding="utf-8")
    portfolio = collect([tmp_path])
    facts = dict(variant_facts(portfolio.services[0].variants[0]))
    assert facts["Staff needed for the deadline"].startswith("Clerk 3 (95% of cases")
    assert (facts["Owner"], facts["Applicants"], facts["Register id"]) == (
        "Justice Ministry",
        "citizen",
        "REG-7",
    )
    assert facts["Legal deadline"] == "2d"
    as_is = dict(variant_facts(collect([_as_is(tmp_path)]).services[0].variants[0]))
    assert "Staff needed for the deadline" not in as_is


def _as_is(tmp_path: Path) -> Path:
    folder = tmp_path / "other"
    folder.mkdir()
    (folder / "as-is.yaml").write_text(STAFFED_TO_BE.replace("to-be", "as-is"), encoding="utf-8")
    return folder
