"""Diagrams in the analyst's language: every word a diagram writes comes from the "diagram"
catalogue, counts take the language's plural forms, numbers its separators, and Cyrillic,
Kazakh and Azerbaijani letters are measured so that a label stays inside its box.

English is proved unchanged by the golden DOT files of tests/test_render.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest

import bpr
from bpr.comparison import compare
from bpr.core import i18n
from bpr.core.i18n import use
from bpr.core.model import Model
from bpr.core.textmetrics import text_width
from bpr.layout.content import PADDING, TASK_WIDTH, document_lines, figures, task_box
from bpr.render import (
    comparison_dot,
    comparison_pages,
    convert,
    process_dot,
    process_pages,
)
from bpr.render._compare import mark_steps
from bpr.render._draw import headline
from tests.conftest import DATA, MODELS
from tests.i18n_words import english_words

SERVICE = MODELS / "property-registration"
PHASES = DATA / "render" / "phases.yaml"
CYRILLIC = DATA / "i18n"
NBSP = "\u00a0"
_XLINK = "{http://www.w3.org/1999/xlink}title"
_FONTS = Path("/usr/share/fonts/truetype/dejavu")


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    """A command run with --lang chooses the language for the process; the next test starts
    in English again."""
    yield
    i18n.choose("en")


def _load(path: Path, lang: str) -> Model:
    with use(lang):
        return bpr.load(path)


def _names(*models: Model) -> set[str]:
    """The analyst's own words in a model: ids, names, agencies, conditions, the currency."""
    words: set[str] = set()
    for model in models:
        words |= {model.service, model.variant, model.title or "", model.name or ""}
        words.add(model.currency or "")
        for actor in model.actors.values():
            words |= {actor.id, actor.name or "", actor.agency or ""}
        for document in model.documents.values():
            words |= {document.id, document.name or "", document.issuer or ""}
        for phase_id, phase in model.phases.items():
            words |= {phase_id, phase.name or ""}
        for step in model.steps:
            words |= {step.id, step.name or "", step.label or ""}
            words |= {branch.when or "" for branch in step.next.branches}
    return words


def _svg_words(svg: bytes) -> str:
    """What a reader sees of an SVG: its text and its tooltips."""
    root = ElementTree.fromstring(svg)
    parts = [element.text or "" for element in root.iter() if element.tag.endswith("text")]
    parts += [element.get(_XLINK) or "" for element in root.iter()]
    parts += [element.text or "" for element in root.iter() if element.tag.endswith("title")]
    return "\n".join(parts)


def _labels(dot: str) -> str:
    """The text of every label and tooltip of bpr's DOT, without the markup."""
    found = re.findall(r'label=<(.*?)>\];|tooltip="((?:[^"\\]|\\.)*)"', dot)
    text = "\n".join(label or tip for label, tip in found)
    return re.sub(r"<[^>]*>", " ", text).replace("&amp;", "&").replace("&#39;", "'")


def test_a_russian_diagram_has_no_english_word_of_bpr() -> None:
    model = _load(SERVICE / "as-is.yaml", "ru")
    with use("ru"):
        svg = convert(process_dot(model), "svg")
    text = _svg_words(svg)
    assert "Начало" in text and "Конец" in text and "◉ ЛИЧНО" in text
    assert english_words(text, allowed=_names(model)) == set()


def test_a_russian_comparison_has_no_english_word_of_bpr() -> None:
    as_is, to_be = _load(SERVICE / "as-is.yaml", "ru"), _load(SERVICE / "to-be.yaml", "ru")
    with use("ru"):
        svg = convert(comparison_dot(as_is, to_be), "svg")
    text = _svg_words(svg)
    for word in ("Условные", "− ИСКЛЮЧЁН", "⇄ ЗАМЕНЁН НА:", "изменено:", "Шаги 12 → 10"):
        assert word in text, word
    assert english_words(text, allowed=_names(as_is, to_be)) == set()


def test_russian_pages_with_their_step_tables_have_no_english_word_of_bpr() -> None:
    as_is, to_be = _load(SERVICE / "as-is.yaml", "ru"), _load(SERVICE / "to-be.yaml", "ru")
    with use("ru"):
        pages = comparison_pages(as_is, to_be, page="A4")
        text = "\n".join(_labels(scene.to_dot()) for scene in pages)
    for word in ("Все шаги As-Is полностью", "Участник", "Канал", "лично", "страница 1 из"):
        assert word in text, word
    assert english_words(text, allowed=_names(as_is, to_be)) == set()


def test_phases_and_their_tooltips_are_in_russian() -> None:
    model = _load(PHASES, "ru")
    with use("ru"):
        text = _labels(process_dot(model)) + _labels(process_pages(model, page="A4")[0].to_dot())
    assert "Этап: " in text
    assert english_words(text, allowed=_names(model)) == set()


def _chain(steps: int) -> Model:
    body = "".join(f"  - {{id: s{n}, actor: a}}\n" for n in range(steps))
    return bpr.loads(
        f"bpr: 1\nservice: s\nvariant: as-is\nactors: {{a: {{name: A}}}}\nsteps:\n{body}"
    )


@pytest.mark.parametrize(
    ("n", "steps", "documents"),
    [
        (1, "1 шаг", "+1 документ"),
        (2, "2 шага", "+2 документа"),
        (5, "5 шагов", "+5 документов"),
        (11, "11 шагов", "+11 документов"),
        (21, "21 шаг", "+21 документ"),
    ],
)
def test_russian_counts_take_their_plural_form(n: int, steps: str, documents: str) -> None:
    with use("ru"):
        assert headline(_chain(n)).startswith(steps + " · ")
        names = ["Паспорт"] + [f"Справка номер {k} для заявления" for k in range(n)]
        assert documents in " ".join(document_lines(names, 116, 2))


def test_russian_numbers_have_a_decimal_comma_and_no_break_spaces() -> None:
    model = _load(SERVICE / "as-is.yaml", "ru")
    with use("ru"):
        title = headline(model)
        svg = convert(process_dot(model), "svg").decode("utf-8")
    assert f"срок 29,68{NBSP}дн." in title
    assert f"платежи 410{NBSP}000{NBSP}UZS" in title
    assert f"время заявителя 7,94{NBSP}ч" in title
    # Graphviz keeps the no-break spaces, so a number is never cut at the end of a line
    assert f"410{NBSP}000" in svg or "410&#160;000" in svg


def test_durations_and_fees_in_a_box_use_the_language_s_units() -> None:
    model = bpr.loads(
        "bpr: 1\nservice: s\nvariant: as-is\ncurrency: UZS\nactors: {a: {name: A}}\n"
        "steps:\n  - {id: x, actor: a, work: 1.5h, wait: 2d..4d, fee: 1234.5}\n"
        "  - {id: y, actor: a, wait: {min: 1d, mode: 2d, max: 9d}}\n"
    )
    first, second = model.steps
    with use("ru"):
        assert figures(model, first) == (
            f"работа 1{NBSP}ч 30{NBSP}мин · ожидание 2{NBSP}дн.–4{NBSP}дн. · "
            f"плата 1{NBSP}234,50{NBSP}UZS"
        )
        assert figures(model, second) == f"ожидание 1{NBSP}дн.–9{NBSP}дн., чаще всего 2{NBSP}дн."
    with use("uz"):
        assert figures(model, first).startswith(f"ish 1{NBSP}soat 30{NBSP}daq.")
        assert f"toʻlov 1{NBSP}234,50" in figures(model, first)  # ʻ is U+02BB, as in the glossary
    assert figures(model, first) == "work 1h 30m · wait 2d..4d · fee 1,234.50 UZS"
    assert figures(model, second) == "wait {min: 1d, mode: 2d, max: 9d}"


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("uz", ("Boshlanish", "Yakun", "◉ SHAXSAN", "ish ")),
        ("uz-Cyrl", ("Бошланиш", "Якун", "◉ ШАХСАН", "иш ")),
        ("az", ("Başlanğıc", "Son", "◉ ŞƏXSƏN", "iş ")),
        ("kk", ("Басы", "Соңы", "◉ ЖЕКЕ КЕЛУ", "жұмыс ")),
    ],
)
def test_each_language_draws_its_own_words(lang: str, words: tuple[str, ...]) -> None:
    model = _load(SERVICE / "as-is.yaml", lang)
    with use(lang):
        text = _labels(process_dot(model))
    for word in words:
        assert word in text, word


def _font(bold: bool):  # type: ignore[no-untyped-def]
    ttlib = pytest.importorskip("fontTools.ttLib", reason="measuring glyphs needs fontTools")
    path = _FONTS / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if not path.exists():
        pytest.skip(f"{path} is not installed (scripts/setup.sh installs fonts-dejavu)")
    return ttlib.TTFont(path)


def _real_width(font, text: str, size: float) -> float:  # type: ignore[no-untyped-def]
    cmap, metrics = font.getBestCmap(), font["hmtx"]
    units = font["head"].unitsPerEm
    return sum(metrics[cmap[ord(char)]][0] for char in text) / units * size


#: The letters the Cyrillic languages write, the Azerbaijani schwa and the Uzbek ʻ and ʼ.
CYRILLIC_AND_MORE = (
    "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюя"  # Russian
    "ӘәҒғҚқҢңӨөҰұҮүҺһІі"  # Kazakh
    "ЎўҚқҒғҲҳ"  # Uzbek Cyrillic
    "Əəʻʼ"
)
#: Azerbaijani and Uzbek letters with a Latin base letter, measured as that letter.
LATIN_MORE = "ĞğıİÖöÜüŞşÇç"


@pytest.mark.parametrize(
    ("letters", "bold"),
    [(CYRILLIC_AND_MORE, False), (CYRILLIC_AND_MORE, True), (LATIN_MORE, False)],
    ids=["cyrillic", "cyrillic-bold", "latin-based"],
)
def test_every_letter_of_the_languages_is_measured_at_least_as_wide_as_the_font_draws_it(
    letters: str, bold: bool
) -> None:
    font = _font(bold)
    narrow = {
        letter: (
            round(text_width(letter, 10, bold=bold), 2),
            round(_real_width(font, letter, 10), 2),
        )
        for letter in letters
        if text_width(letter, 10, bold=bold) < _real_width(font, letter, 10) - 0.05
    }
    assert narrow == {}


@pytest.mark.parametrize("lang", ["ru", "kk", "uz-Cyrl"])
def test_every_line_of_a_cyrillic_box_stays_inside_it_in_the_font(lang: str) -> None:
    """Badges (bold capitals), channel marks, names, figures and documents of a service named
    in Cyrillic, measured with the font's own advance widths."""
    regular, bold = _font(False), _font(True)
    as_is, to_be = _load(CYRILLIC / "as-is.yaml", lang), _load(CYRILLIC / "to-be.yaml", lang)
    inner = TASK_WIDTH - 2 * PADDING
    roles: set[str] = set()
    with use(lang):
        old, new, _old_words, _new_words = mark_steps(compare(as_is, to_be), as_is, to_be)
        for model, marks in ((as_is, old), (to_be, new)):
            for step in model.steps:
                mark = marks.get(step.id)
                for line in task_box(model, step, mark.badge if mark else None).lines:
                    font = bold if line.bold else regular
                    assert _real_width(font, line.text, line.size) <= inner + 0.5, line.text
                    roles.add(line.role)
    assert roles == {"badge", "channel", "name", "figures", "documents"}


def test_a_cyrillic_comparison_looks_right_in_kazakh(tmp_path: Path) -> None:
    """A Kazakh comparison of a service named in Kazakh has only Kazakh words of bpr."""
    as_is, to_be = _load(CYRILLIC / "as-is.yaml", "kk"), _load(CYRILLIC / "to-be.yaml", "kk")
    with use("kk"):
        svg = convert(comparison_dot(as_is, to_be), "svg")
    text = _svg_words(svg)
    for word in ("АЛЫНЫП ТАСТАЛҒАН", "Шартты", "Қызмет көрсету орталығына", "Басы", "Соңы"):
        assert word in text, word
    assert english_words(text, allowed=_names(as_is, to_be)) == set()


@pytest.mark.parametrize("lang", ["kk", "uz-Cyrl", "az", "uz"])
def test_the_fonts_have_a_glyph_for_every_character_drawn(lang: str) -> None:
    """No missing-glyph boxes: DejaVu Sans draws every character of the labels."""
    regular, bold = _font(False), _font(True)
    as_is, to_be = _load(CYRILLIC / "as-is.yaml", lang), _load(CYRILLIC / "to-be.yaml", lang)
    with use(lang):
        text = _labels(comparison_dot(as_is, to_be))
    missing = {
        char
        for char in set(text)
        if not char.isspace()
        and not (ord(char) in regular.getBestCmap() and ord(char) in bold.getBestCmap())
    }
    assert missing == set()


def test_render_lang_ru_writes_a_russian_picture(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "comparison.svg"
    result = run_bpr("render", "--lang", "ru", SERVICE, "-o", out)
    assert result.exit_code == 0, result.stderr
    text = _svg_words(out.read_bytes())
    assert "Условные" in text and "Legend" not in text
    as_is, to_be = _load(SERVICE / "as-is.yaml", "ru"), _load(SERVICE / "to-be.yaml", "ru")
    assert english_words(text, allowed=_names(as_is, to_be)) == set()


def test_a_decision_s_probability_is_written_the_language_s_way() -> None:
    text = (
        "bpr: 1\nservice: s\nvariant: as-is\nactors: {a: {name: A}}\nsteps:\n"
        "  - {id: x, actor: a, next: [{to: y, p: 0.125, when: да}, {to: end, p: 0.875}]}\n"
        "  - {id: y, actor: a}\n"
    )
    with use("ru"):
        russian = _labels(process_dot(bpr.loads(text)))
    assert "да 12,5%" in russian and "87,5%" in russian
    assert "да 12.5%" in _labels(process_dot(bpr.loads(text)))


def test_a_wrong_output_suffix_is_told_in_the_language(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("render", "--lang", "ru", SERVICE / "as-is.yaml", "-o", tmp_path / "a.txt")
    assert result.exit_code == 2  # wrong usage
    assert "'.txt' — не формат схемы" in result.stderr and ".svg, .png, .pdf, .dot" in result.stderr
    assert "Traceback" not in result.stderr
