"""Reports in the output language: every word of the 'report' catalogue translated, counts in
each language's plural forms, numbers in its way, and the document's language declared.

The words that other areas write into a report (measure labels, redesign sentences, lint
findings, diagram text) come from their own catalogues; the vocabulary checked here is the
report's own messages, so this test fails exactly when a report message is left in English.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pytest

from bpr.comparison.rows import act_lines, document_changes, stage_change, step_changes
from bpr.core import i18n
from bpr.core.i18n import use
from bpr.lint import format_gain
from bpr.report import collect, render_report
from bpr.report.content import made_with, skipped_heading
from bpr.report.measure_words import measure_label
from tests.i18n_words import KEPT

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@cache
def report_vocabulary() -> frozenset[str]:
    """The English words of the report's own messages (the msgids of its catalogue)."""
    read_po = pytest.importorskip("babel.messages.pofile").read_po
    path = i18n.LOCALE_DIR / "ru" / "LC_MESSAGES" / "report.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    words: set[str] = set()
    for message in catalog:
        for text in message.id if isinstance(message.id, tuple) else (message.id,):
            for word in _WORD.findall(_PLACEHOLDER.sub(" ", text)):
                if len(word) >= 3:
                    words.add(word.lower())
    # names of things every language writes in Latin letters: Git, the Esc key, Word
    return frozenset(words - KEPT - {"git", "esc", "word"})


def report_english(text: str, allowed: Iterable[str]) -> set[str]:
    """The words of the report's English vocabulary in ``text``, other than ``allowed``."""
    allowed_words = {w.lower() for item in allowed for w in _WORD.findall(item)}
    return {w.lower() for w in _WORD.findall(text)} & report_vocabulary() - allowed_words


def _others(portfolio) -> list[str]:  # type: ignore[no-untyped-def]
    """What the report shows that is not its own words: the analyst's names, ids, files and
    sources, and the text of the areas with catalogues of their own."""
    out: list[str] = ["diagrams", str(MODELS), str(MODELS / "portfolio.yaml")]
    for service in portfolio.services:
        out += [service.id, service.title]
        for variant in service.variants:
            model = variant.model
            out += [model.service, model.variant, model.title, model.file, *model.sources]
            out += [
                model.name or "",
                model.owner or "",
                model.result or "",
                model.register_id or "",
            ]
            out += [str(model.applicants or "")]
            for actor in model.actors.values():
                out += [actor.id, actor.name, actor.agency or ""]
            for document in model.documents.values():
                out += [document.id, document.name]
            for step in model.steps:
                out += [step.id, step.label, *(b.when or "" for b in step.next.branches)]
            out += [phase.name for phase in model.phases.values()] + list(model.phases)
            for finding in variant.findings:
                out += [finding.rule, finding.message, format_gain(finding.gain, model.currency)]
                out += list(finding.steps)
        for pair in service.pairs:
            out.append(pair.error or "")
            comparison = pair.comparison
            if comparison is None:
                continue
            out += [r.title for r in comparison.redesigns] + [r.kind for r in comparison.redesigns]
            out += [r.sentence for r in comparison.redesigns]
            out += [c.detail for c in [*step_changes(comparison), *document_changes(comparison)]]
            for heading, items in act_lines(comparison):
                out += [heading, *items]
            for key in ("maturity", "derived_maturity"):
                before, after, _ = pair.change(key)
                out.append(stage_change(before, after))
    out += [measure_label(key) for key in _measure_keys()]
    return out


def _measure_keys() -> list[str]:
    from bpr.analysis.measures import MEASURE_KEYS

    return list(MEASURE_KEYS)


@cache
def _russian(fmt: str) -> tuple[object, str]:
    """The Russian report of models/ in ``fmt`` as text, and the portfolio it shows."""
    with use("ru"):
        portfolio = collect([MODELS])
        content, _ = render_report(portfolio, fmt, diagrams="diagrams")
        allowed = _others(portfolio)
    return (portfolio, allowed), _as_text(fmt, content)


def _as_text(fmt: str, content: str | bytes) -> str:
    if fmt == "html":
        assert isinstance(content, str)
        # the page's own words: the text and the labels a reader sees, not its script, style
        # or diagrams (the diagrams' words are the diagram catalogue's)
        body = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", content, flags=re.S)
        labels = " ".join(re.findall(r'aria-label="([^"]*)"', body))
        return re.sub(r"<[^>]+>", " ", body) + " " + labels
    if fmt == "markdown":
        assert isinstance(content, str)
        return content
    if fmt == "word":
        docx = pytest.importorskip("docx")
        document = docx.Document(io.BytesIO(content))
        texts = [p.text for p in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                texts += [cell.text for cell in row.cells]
        return "\n".join(texts)
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    texts = list(workbook.sheetnames)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            texts += [str(v) for v in row if v is not None]
    return "\n".join(texts)


@pytest.mark.parametrize("fmt", ["html", "markdown", "excel", "word"])
def test_the_russian_report_of_the_shipped_models_has_no_english_word_of_the_report(
    fmt: str,
) -> None:
    (_, allowed), text = _russian(fmt)
    assert report_english(text, allowed) == set()


def test_the_russian_report_is_in_russian() -> None:
    _, html = _russian("html")
    for words in ("Портфель реинжиниринга процессов", "Показатели", "Источники", "Шаг"):
        assert words in html
    _, markdown = _russian("markdown")
    assert "Схемы процессов по дорожкам" in markdown
    assert "Стадия зрелости: 2 (формы для скачивания)" in markdown  # a passport fact


def test_the_report_loads_the_models_names_in_its_language() -> None:
    _, markdown = _russian("markdown")
    assert "## Зачисление в государственный детский сад" in markdown
    with use("uz"):
        page, _ = render_report(collect([MODELS / "kindergarten-enrolment"]), "markdown")
    assert isinstance(page, str)
    assert page.startswith("# Davlat maktabgacha taʼlim tashkilotiga qabul qilish\n")
    with use("en"):
        english, _ = render_report(collect([MODELS / "kindergarten-enrolment"]), "markdown")
    assert isinstance(english, str) and english.startswith("# Enrolment in a state kindergarten\n")


def test_the_vocabulary_check_finds_a_report_word_left_in_english() -> None:
    assert report_english("Шаги и Documents", allowed=[]) == {"documents"}
    assert report_english("Шаги и Documents", allowed=["Documents"]) == set()


def test_the_html_page_names_its_language() -> None:
    with use("kk"):
        portfolio = collect([MODELS / "traffic-fine-payment"])
        page, _ = render_report(portfolio, "html")
    assert isinstance(page, str)
    assert '<html lang="kk">' in page
    with use("uz-Cyrl"):
        page, _ = render_report(portfolio, "html")
    assert isinstance(page, str) and '<html lang="uz-Cyrl">' in page


def test_the_page_s_buttons_speak_its_language() -> None:
    with use("ru"):
        portfolio = collect([MODELS / "traffic-fine-payment"])
        page, _ = render_report(portfolio, "html")
    assert isinstance(page, str)
    script = re.findall(r"<script>(.*?)</script>", page, flags=re.S)[0]
    assert "Full size" not in script and "Close (Esc)" not in script
    # written as JavaScript escapes, so that no text can close the script element
    assert (
        '"\\u0412\\u043e \\u0432\\u0435\\u0441\\u044c \\u044d\\u043a\\u0440\\u0430\\u043d"'
        in script
    )
    assert ">Во весь экран</button>" in page
    policy = re.search(r"script-src ([^\"]+)\"", page)
    assert policy is not None and "sha256-" in policy.group(1)  # the script's own hash


@pytest.mark.parametrize(
    ("n", "services", "files"),
    [
        (1, "1 услуга", "из 1 файла модели"),
        (2, "2 услуги", "из 2 файлов моделей"),
        (5, "5 услуг", "из 5 файлов моделей"),
        (11, "11 услуг", "из 11 файлов моделей"),
        (21, "21 услуга", "из 21 файла модели"),
    ],
)
def test_counts_take_the_russian_plural_forms(n: int, services: str, files: str) -> None:
    with use("ru"):
        line = made_with(n, n, "1.0")
        heading = skipped_heading(n)
    assert line == f"{services} {files}; создано с помощью bpr 1.0."
    expected = {1: "Пропущен 1 файл модели:", 2: "Пропущено 2 файла моделей:"}
    expected |= {5: "Пропущено 5 файлов моделей:", 11: "Пропущено 11 файлов моделей:"}
    expected |= {21: "Пропущен 21 файл модели:"}
    assert heading == expected[n]


def test_english_counts_are_as_before() -> None:
    with use("en"):
        assert made_with(1, 2, "1.0") == "1 service from 2 model files; made with bpr 1.0."
        assert skipped_heading(1) == "1 model file skipped:"


def test_russian_numbers_have_the_decimal_comma_and_no_break_spaces() -> None:
    _, markdown = _russian("markdown")
    assert "Обращений в год: 30\u00a0000" in markdown  # grouped with a no-break space
    assert re.search(r"\| 8,69 \| 2,16 \| -75,1\u00a0% \|", markdown)  # lead time and its change
    cells = [
        c.strip()
        for line in markdown.splitlines()
        if line.startswith("| ")
        for c in line.split("|")
    ]
    numbers = [
        c for c in cells if re.fullmatch(r"-?[\d\u00a0.,]+( %| ч)?", c) and re.search(r"\d", c)
    ]
    assert numbers and not [c for c in numbers if re.search(r"\d\.\d|\d,\d{3}\b", c)]
    _, word = _russian("word")
    assert "30\u00a0000" in word


def test_durations_are_written_with_the_language_s_units() -> None:
    _, markdown = _russian("markdown")
    # a step's work such as "1 ч" or "30 мин" in the step table, the number and its unit held
    # together by a no-break space as in the diagrams and the diff
    rows = [line for line in markdown.splitlines() if line.startswith("| ") and "\u00a0ч |" in line]
    assert rows
    assert re.search(r"\| \d+\u00a0мин \|", markdown)


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("uz", ["Koʻrsatkichlar", "Manbalar"]),
        ("uz-Cyrl", ["Кўрсаткичлар", "Манбалар"]),
        ("az", ["Göstəricilər", "Mənbələr"]),
        ("kk", ["Көрсеткіштер", "Дереккөздер"]),
    ],
)
def test_each_language_writes_its_own_headings(lang: str, words: list[str]) -> None:
    with use(lang):
        portfolio = collect([MODELS / "traffic-fine-payment"])
        markdown, _ = render_report(portfolio, "markdown")
    assert isinstance(markdown, str)
    for word in words:
        assert f"### {word}" in markdown


def test_word_and_excel_declare_the_document_language() -> None:
    docx = pytest.importorskip("docx")
    openpyxl = pytest.importorskip("openpyxl")
    with use("ru"):
        portfolio = collect([MODELS / "traffic-fine-payment"])
        data, _ = render_report(portfolio, "excel")
    assert isinstance(data, bytes)
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.properties.language == "ru"
    assert workbook.sheetnames[:2] == ["Портфель услуг", "as-is"]
    assert all(len(name) <= 31 for name in workbook.sheetnames)
    _, word = _russian("word")
    assert word  # built above
    with use("az"):
        content, _ = render_report(collect([MODELS / "traffic-fine-payment"]), "word")
    document = docx.Document(io.BytesIO(content))
    assert document.core_properties.language == "az-Latn-AZ"
    defaults = document.styles.element.xpath("./w:docDefaults/w:rPrDefault/w:rPr/w:lang/@w:val")
    assert defaults == ["az-Latn-AZ"]
    assert "Göstəricilər" in [p.text for p in document.paragraphs]


def test_the_diagrams_drawn_ahead_in_threads_are_in_the_report_s_language() -> None:
    from bpr.report.diagrams import diagrams_in_order, service_diagrams

    with use("en"):
        service = collect([MODELS / "traffic-fine-payment"]).services[0]
        english = service_diagrams(service).swimlanes[0]
    with use("ru"):
        here = service_diagrams(service).swimlanes[0]
        drawn = diagrams_in_order([service], workers=2)
        threaded = next(drawn).swimlanes[0]
        drawn.close()
    assert threaded == here  # drawn in a thread, in the language of the caller's context
    assert threaded != english and "Начало" in threaded
