"""``bpr diff`` in every language: the diff catalogue's words, plural forms and numbers.

English is proved unchanged by the existing goldens (tests/golden/diff) and tests; these tests
read the other languages' output of the shipped services and of small hand-made models.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import bpr
from bpr.comparison import compare, to_html, to_markdown, to_text, variant_files
from bpr.comparison.html import html_page
from bpr.core.i18n import use
from bpr.core.model import Model
from tests.conftest import MODELS
from tests.i18n_words import english_words

Render = Callable[..., str]
RENDERERS: dict[str, Render] = {"text": to_text, "markdown": to_markdown, "html": to_html}


def _pairs() -> Iterator[tuple[Path, Path]]:
    for folder in sorted(p for p in MODELS.iterdir() if (p / "as-is.yaml").is_file()):
        as_is, to_bes = variant_files(folder)
        for to_be in to_bes:
            yield as_is, to_be


PAIRS = list(_pairs())


def _model_words(model: Model) -> set[str]:
    """The analyst's own text in a model: ids, names, titles, act titles and numbers."""
    words: set[str | None] = {model.service, model.variant, model.name, model.title, model.file}
    for actor_id, actor in model.actors.items():
        words |= {actor_id, actor.name, actor.agency or ""}
    for doc_id, document in model.documents.items():
        words |= {doc_id, document.name}
    for step in model.steps:
        words |= {step.id, step.name or "", step.label}
    for phase_id, phase in model.phases.items():
        words |= {phase_id, phase.name}
    for act_id, act in model.acts.items():
        words |= {act_id, act.title, act.number}
    return {w for w in words if w}


def _plain(text: str, fmt: str) -> str:
    """What a reader sees: the HTML without its tags and attributes."""
    return html.unescape(re.sub(r"<[^>]*>", " ", text)) if fmt == "html" else text


def _russian(as_is: Path, to_be: Path, fmt: str) -> tuple[str, set[str]]:
    with use("ru"):
        old, new = bpr.load(as_is), bpr.load(to_be)
        text = RENDERERS[fmt](compare(old, new))
    return _plain(text, fmt), _model_words(old) | _model_words(new)


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
@pytest.mark.parametrize(
    ("as_is", "to_be"), PAIRS, ids=[f"{a.parent.name}-{b.stem}" for a, b in PAIRS]
)
def test_the_russian_diff_of_every_shipped_service_has_no_english_word(
    as_is: Path, to_be: Path, fmt: str
) -> None:
    text, allowed = _russian(as_is, to_be, fmt)
    assert "Реинжиниринг" in text
    assert english_words(text, allowed=allowed) == set()


def test_the_shipped_services_are_all_compared() -> None:
    assert len(PAIRS) >= 6


def _removing(n: int) -> tuple[Model, Model]:
    """An As-Is of n + 1 steps and a To-Be that keeps only the first."""
    head = "bpr: 1\nservice: s\nactors: {a: {name: Clerk}}\n"
    steps = "".join(f"  - {{id: s{i}, actor: a}}\n" for i in range(n + 1))
    old = bpr.loads(head + "variant: as-is\nsteps:\n" + steps)
    new = bpr.loads(head + "variant: to-be\nsteps:\n  - {id: s0, actor: a}\n")
    return old, new


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "1 шаг больше не выполняется"),
        (2, "2 шага больше не выполняются"),
        (5, "5 шагов больше не выполняются"),
        (11, "11 шагов больше не выполняются"),
        (21, "21 шаг больше не выполняется"),
    ],
)
def test_russian_counts_take_the_three_plural_forms(n: int, expected: str) -> None:
    with use("ru"):
        (redesign,) = [r for r in compare(*_removing(n)).redesigns if r.kind == "task-elimination"]
        assert redesign.sentence.startswith(expected + ": ")
        assert redesign.title == "Исключение шагов"


@pytest.mark.parametrize(
    ("visits", "expected"),
    [(1, "(раньше: 1 визит)"), (2, "(раньше: 2 визита)"), (5, "(раньше: 5 визитов)")],
)
def test_russian_visits_are_counted_in_their_plural_form(visits: int, expected: str) -> None:
    head = "bpr: 1\nservice: s\nactors: {a: {name: Clerk}}\n"
    steps = "".join(f"  - {{id: v{i}, actor: a, channel: in-person}}\n" for i in range(visits))
    old = bpr.loads(head + "variant: as-is\nsteps:\n" + steps)
    new = bpr.loads(head + "variant: to-be\nsteps:\n" + steps.replace("in-person", "online"))
    with use("ru"):
        sentences = {r.kind: r.sentence for r in compare(old, new).redesigns}
    assert sentences["contact-reduction"] == (
        f"Заявителю больше не нужно приходить в ведомства {expected}."
    )


def test_russian_numbers_have_the_decimal_comma_and_the_no_break_space() -> None:
    folder = MODELS / "property-registration"
    text, _ = _russian(folder / "as-is.yaml", folder / "to-be.yaml", "text")
    assert "-87,5\u00a0%" in text  # visits in person, 8 -> 1
    assert "410\u00a0000" in text and "29,68" in text  # fees (UZS), lead time (days)
    assert "-87.5%" not in text and "410,000" not in text


def test_the_json_stays_the_english_contract_in_any_language() -> None:
    folder = MODELS / "property-registration"
    old, new = bpr.load(folder / "as-is.yaml"), bpr.load(folder / "to-be.yaml")
    english = json.dumps(compare(old, new).as_dict())
    with use("ru"):
        assert json.dumps(compare(old, new).as_dict()) == english
        assert "Task elimination" in english


def test_a_comparison_is_written_in_the_language_current_when_it_is_rendered() -> None:
    folder = MODELS / "traffic-fine-payment"
    comparison = compare(bpr.load(folder / "as-is.yaml"), bpr.load(folder / "to-be.yaml"))
    english = to_text(comparison)
    with use("ru"):
        russian = to_text(comparison)
    assert "Redesign" in english and "Реинжиниринг" in russian
    assert to_text(comparison) == english


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("uz", ["Qadamlar", "Qayta loyihalash", "oʻzgarish"]),
        ("uz-Cyrl", ["Қадамлар", "Қайта лойиҳалаш", "ўзгариш"]),
        ("az", ["Addımlar", "Yenidən layihələndirmə", "dəyişiklik"]),
        ("kk", ["Қадамдар", "Қайта жобалау", "өзгеріс"]),
    ],
)
def test_each_language_writes_its_own_words(lang: str, words: list[str]) -> None:
    folder = MODELS / "property-registration"
    with use(lang):
        text = to_text(compare(bpr.load(folder / "as-is.yaml"), bpr.load(folder / "to-be.yaml")))
    assert all(word in text for word in words), text[:2000]
    assert "Redesign" not in text and "Steps" not in text
    if lang == "uz":
        assert "'" not in "".join(words) and "o'" not in text  # the letter is U+02BB


@pytest.mark.parametrize("lang", ["en", "ru", "uz-Cyrl", "kk"])
def test_the_html_page_declares_the_language(lang: str) -> None:
    with use(lang):
        page = html_page(["<section>x</section>"], "t")
    assert f'<html lang="{lang}">' in page


def test_the_page_bpr_diff_writes_is_in_the_chosen_language(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "page.html"
    result = run_bpr(
        "diff", MODELS / "property-registration", "--format", "html", "-o", out, "--lang", "ru"
    )
    assert result.exit_code == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert '<html lang="ru">' in page
    assert "<title>property-registration: сравнение As-Is и To-Be</title>" in page


def test_a_missing_variant_is_explained_in_the_language(tmp_path: Path) -> None:
    (tmp_path / "as-is.yaml").write_text("bpr: 1\n", encoding="utf-8")
    with use("ru"), pytest.raises(bpr.ComparisonError, match=r"нет to-be\.yaml"):
        variant_files(tmp_path)


def test_a_replaces_that_names_no_step_is_explained_in_the_language() -> None:
    head = "bpr: 1\nservice: s\nactors: {a: {name: Clerk}}\n"
    old = bpr.loads(head + "variant: as-is\nsteps: [{id: check, actor: a}]", "as-is.yaml")
    new = bpr.loads(
        head + "variant: to-be\nsteps: [{id: new, actor: a, replaces: [chek]}]", "to-be.yaml"
    )
    with use("ru"), pytest.raises(bpr.ComparisonError) as caught:
        compare(old, new)
    message = str(caught.value)
    assert "шаг 'new' заменяет 'chek', но такого шага нет в As-Is as-is.yaml" in message
    assert "может быть, имелся в виду 'check'? Исправьте id" in message
    assert (
        english_words(message, allowed=["steps[0].replaces", "chek", "check", "new", "id"]) == set()
    )
