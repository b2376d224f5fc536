"""bpr lint in the analyst's language: no English word of bpr's own left in Russian, plural
forms, numbers, the other languages, the draft To-Be and the JSON contract."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import bpr
from bpr.core import i18n
from bpr.core.i18n import use
from bpr.core.model import Model
from bpr.lint import RULES, build_draft, format_gain, lint, lint_result
from bpr.lint.lines import rule_lines, summary
from tests.conftest import DATA, MODELS, ROOT
from tests.i18n_words import english_words

LINT = DATA / "lint"

#: Words a lint message writes in Latin letters in every language: the keys of the format it
#: tells the analyst to write (basis, acts, needs, produces, registry: false, lint.ignore,
#: {rule: ..., reason: ...}), its channel values, and the command line (bpr diff,
#: bpr lint --rules, --min-gain, --fix-draft).
KEYS_AND_COMMANDS = (
    "basis acts needs produces registry false lint ignore rule reason",
    "in-person online post phone automatic",
    "bpr diff lint --rules --min-gain --fix-draft",
)


@pytest.fixture(autouse=True)
def _language_restored() -> Iterator[None]:
    """A command run with --lang chooses the language for the whole process; put it back."""
    before = i18n.current()
    yield
    i18n.choose(before)


def _model_words(model: Model) -> list[str]:
    """The analyst's own text of a model, in every language it holds: ids and names (the
    allowed words of :func:`english_words`)."""
    words = [model.service, model.variant, model.file or "", model.currency or ""]
    words += [model.name or "", *model.names.values()]
    for actor in model.actors.values():
        words += [actor.id, actor.name, actor.agency or "", *actor.names.values()]
    for doc in model.documents.values():
        words += [doc.id, doc.name, *doc.names.values()]
    for step in model.steps:
        words += [step.id, step.name, *step.names.values()]
        for branch in step.next.branches:
            words += [branch.to, branch.when or "", *branch.whens.values()]
    for act_id, act in model.acts.items():
        words += [act_id, act.title, *act.names.values()]
    for phase_id, phase in model.phases.items():
        words += [phase_id, phase.name, *phase.names.values()]
    for cited in (model, *model.steps, *model.documents.values()):
        words += [b.article or "" for b in getattr(cited, "basis", ()) or ()]
    ignored: dict[str, str] = model.lint.get("ignore", {})
    words += [*ignored, *ignored.values()]
    return words


def _allowed(paths: list[Path]) -> list[str]:
    words = [*KEYS_AND_COMMANDS, *RULES]
    for path in paths:
        words += _model_words(bpr.load(path))
    return words


def _lint_files() -> list[Path]:
    return [*sorted(MODELS.glob("*/*.yaml")), *sorted(LINT.glob("*.yaml"))]


@pytest.mark.parametrize("path", _lint_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_russian_lint_output_has_no_english_word_of_bpr(run_bpr, path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)
    relative = path.relative_to(ROOT)
    result = run_bpr("lint", "--lang", "ru", "--min-gain", "0", relative)
    assert result.stderr == ""
    assert result.stdout.strip()
    assert english_words(result.stdout, allowed=_allowed([relative])) == set()
    assert "замечан" in result.stdout.splitlines()[-1]


def test_russian_rule_list_and_summary_have_no_english_word() -> None:
    with use("ru"):
        text = "\n".join(rule_lines())
    assert english_words(text, allowed=[*RULES, *KEYS_AND_COMMANDS]) == set()
    assert "(применяется с --fix-draft)" in text
    assert "справка, которую выдаёт одно ведомство" in text


def test_russian_draft_to_be_comments_and_name(tmp_path: Path) -> None:
    path = LINT / "once-only.yaml"
    with use("ru"):
        model = bpr.load(path)
        draft = build_draft(model, lint(model))
    comments = [line for line in draft.text.splitlines() if line.lstrip().startswith("#")]
    header = comments[
        : comments.index("# - once-only, строка 17: birth_extract, apply, fetch_extract") + 1
    ]
    ours = [*header, *(c for c in comments if "lint:" in c and "once-only:" in c)]
    assert english_words("\n".join(ours), allowed=_allowed([path])) == set()
    assert (
        "# Черновик To-Be услуги lint-once-only, составленный командой `bpr lint --fix-draft`"
        in (draft.text)
    )
    assert "# Применено (1):" in draft.text and "# Не применено: ничего." in draft.text
    # the name is written in Russian and kept in English beside it
    again = bpr.loads(draft.text)
    assert again.names == {
        "ru": "Черновик To-Be от bpr lint: lint-once-only (as-is)",
        "en": "Draft To-Be from bpr lint: lint-once-only (as-is)",
    }
    with use("ru"):
        assert bpr.loads(draft.text).name == "Черновик To-Be от bpr lint: lint-once-only (as-is)"
    assert again.documents["birth_extract"].exchange is True


def test_the_cli_says_in_russian_where_the_draft_went(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "draft.yaml"
    result = run_bpr("lint", "--lang", "ru", "--fix-draft", LINT / "rework.yaml", "-o", out)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == (
        f"черновик To-Be записан в {out}: 0 предложений применено, 1 оставлено аналитику; "
        "проверьте его комментарии 'lint:'"
    )
    assert "# - rework, строка 29: check, submit (требует решения аналитика)" in (
        out.read_text(encoding="utf-8")
    )


def _loop(steps: int) -> Model:
    """A model whose check sends 30% of cases back over ``steps`` steps (itself included)."""
    lines = [
        "bpr: 1",
        "service: loop",
        "variant: as-is",
        "acts: {law: {title: Law}}",
        "basis: [law]",
        "actors: {desk: {name: Desk}}",
        "steps:",
    ]
    ids = [f"s{i}" for i in range(1, steps)] + ["check"]
    for ident in ids[:-1]:
        lines.append(f"  - {{id: {ident}, actor: desk, work: 1h}}")
    back = ids[0]
    lines.append(
        f"  - {{id: check, actor: desk, work: 1h, next: [{{to: end, p: 0.7}}, {{to: {back}, p: 0.3}}]}}"
    )
    return bpr.loads("\n".join(lines) + "\n")


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (1, "1 шаг повторно"),
        (2, "2 шага повторно"),
        (5, "5 шагов повторно"),
        (11, "11 шагов повторно"),
        (21, "21 шаг повторно"),
    ],
)
def test_russian_counts_steps_run_again_in_three_forms(n: int, words: str) -> None:
    with use("ru"):
        (finding,) = [f for f in lint(_loop(n)) if f.rule == "rework"]
    assert "30\u00a0% обращений возвращаются с «check» на «" in finding.message
    assert f"и проходят {words}:" in finding.message


@pytest.mark.parametrize(
    ("n", "visits", "files"),
    [
        (1, "-1 визит", "в 1 файле"),
        (2, "-2 визита", "в 2 файлах"),
        (5, "-5 визитов", "в 5 файлах"),
        (11, "-11 визитов", "в 11 файлах"),
        (21, "-21 визит", "в 21 файле"),
    ],
)
def test_russian_counts_visits_and_files_in_three_forms(n: int, visits: str, files: str) -> None:
    clean = lint_result(bpr.load(LINT / "clean.yaml"))
    with use("ru"):
        assert format_gain({"visits": -n}) == visits
        assert summary([clean] * n) == f"нет замечаний {files}"
        assert (
            format_gain({"certificates": -n, "steps": -n}).split(", ")[0].startswith(f"-{n} справ")
        )


def test_russian_writes_a_fraction_of_a_visit_with_the_genitive_singular() -> None:
    with use("ru"):
        assert format_gain({"visits": -0.5}) == "-0,5 визита"


def test_russian_numbers_have_the_decimal_comma_and_the_no_break_space(
    run_bpr, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)
    text = run_bpr("lint", "--lang", "ru", "tests/data/lint/once-only.yaml").stdout
    assert (
        "(эффект: -1 визит, -1 справка, -1 ч, -10\u00a0000 UZS на одно обращение, "
        "-10\u00a0000\u00a0000 UZS в год)"
    ) in text
    rework = run_bpr("lint", "--lang", "ru", "tests/data/lint/rework.yaml").stdout
    assert "40\u00a0% обращений" in rework and "-0,67 ч, -0,75 дн., -13,33 EUR" in rework
    assert "13.33" not in rework and "10,000" not in text


@pytest.mark.parametrize(
    ("lang", "word", "number"),
    [
        ("uz", "maʼlumotnoma", "-10\u00a0000 UZS"),
        ("uz-Cyrl", "маълумотнома", "-10\u00a0000 UZS"),
        ("az", "arayış", "-10.000 UZS"),
        ("kk", "анықтама", "-10\u00a0000 UZS"),
    ],
)
def test_the_other_languages_write_their_own_words(
    run_bpr, monkeypatch, lang: str, word: str, number: str
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)
    text = run_bpr("lint", "--lang", lang, "tests/data/lint/once-only.yaml").stdout
    assert f"-1 {word}" in text
    assert number in text
    assert "certificate" not in text and "gain" not in text


def test_json_keeps_ids_keys_and_reasons_and_writes_messages_in_the_language(
    run_bpr, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "draft.yaml"
    english = json.loads(run_bpr("lint", "--json", LINT / "rework.yaml").stdout)
    result = run_bpr(
        "lint", "--lang", "ru", "--json", "--fix-draft", LINT / "rework.yaml", "-o", out
    )
    russian = json.loads(result.stdout)
    assert russian.keys() == english.keys() | {"draft"}
    (finding,) = russian["findings"]
    (original,) = english["findings"]
    assert {k: v for k, v in finding.items() if k != "message"} == {
        k: v for k, v in original.items() if k != "message"
    }
    assert finding["message"].startswith("40\u00a0% обращений возвращаются")
    assert russian["draft"]["not_applied"][0]["why"] == "needs the analyst's judgement"
    assert json.loads(run_bpr("lint", "--lang", "ru", "--rules", "--json").stdout) == RULES


def test_english_is_unchanged_after_another_language() -> None:
    with use("ru"):
        format_gain({"visits": -2})
    assert format_gain({"visits": -2, "burden": -1234.5}, "UZS") == "-2 visits, -1,234 UZS/case"


def test_russian_lint_settings_suggest_the_rule_meant() -> None:
    text = (
        "bpr: 1\nservice: s\nvariant: as-is\nacts: {law: {title: L}}\nbasis: [law]\n"
        "lint: {ignore: [{rule: rewrok, reason: x}, {rule: zzz, reason: y}, repeated-contact]}\n"
        "actors: {desk: {name: Desk}}\nsteps:\n  - {id: a, actor: desk}\n"
    )
    with use("ru"):
        messages = [f.message for f in lint(bpr.loads(text)) if f.rule == "lint-config"]
    assert messages[0] == (
        "в lint.ignore указано «rewrok», но такого правила нет; возможно, имелось в виду "
        "«rework»; список правил выводит 'bpr lint --rules'"
    )
    assert messages[1].startswith("в lint.ignore указано «zzz», но такого правила нет; допустимы: ")
    assert "dead-document, knock-out-order" in messages[1]
    assert messages[2].startswith("правило «repeated-contact» отключено без указания причины")
    allowed = [*RULES, *KEYS_AND_COMMANDS, "rewrok", "zzz"]
    assert english_words("\n".join(messages), allowed=allowed) == set()
