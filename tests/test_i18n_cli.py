"""The command line in the analyst's language: validate, metrics, simulate and portfolio.

English output is proved unchanged by the existing golden files and CLI tests; these tests
check the other languages: no English word of bpr's vocabulary left in Russian, Russian plural
forms, Russian numbers, and one known word per other language.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import bpr
from bpr.core import i18n
from tests.conftest import MODELS
from tests.i18n_words import english_words

pytest.importorskip("babel", reason="the vocabulary of English words is read with Babel")

TINY = (
    "bpr: 1\nservice: tiny\nvariant: as-is\n"
    "actors: {clerk: {name: Clerk}}\n"
    "steps:\n  - {id: check, actor: clerk, name: Check, work: 1h}\n"
)
INCOME = MODELS / "income-tax-return" / "as-is.yaml"
NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    """A command run in-process chooses its language for the process; the next test starts
    in English again."""
    yield
    i18n.choose("en")


def _names(*paths: Path) -> set[str]:
    """What the analyst wrote, which no catalogue translates: ids, names and file paths."""
    allowed: set[str] = set()
    for path in paths:
        for file in [path] if path.is_file() else sorted(path.rglob("*.yaml")):
            allowed.add(str(file))
            try:
                model = bpr.load(file)
            except bpr.BprError:
                continue
            allowed |= {model.service, model.variant, model.name or "", model.title or ""}
            allowed |= set(model.actors) | {a.name for a in model.actors.values()}
            allowed |= {a.agency or "" for a in model.actors.values()}
            allowed |= set(model.documents) | {d.name for d in model.documents.values()}
            allowed |= {s.id for s in model.steps} | {s.name for s in model.steps}
    return allowed


def _folder(tmp_path: Path, n: int) -> Path:
    folder = tmp_path / f"n{n}"
    folder.mkdir()
    for i in range(n):
        (folder / f"m{i:02d}.yaml").write_text(TINY.replace("tiny", f"tiny{i}"), "utf-8")
    return folder


# validate


def test_validate_in_russian_has_no_english_word(run_bpr) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("validate", "--lang", "ru", MODELS)
    assert result.exit_code == 0, result.stderr
    assert "12 файлов проверено: корректных 12, с ошибками 0" in result.stdout
    assert english_words(result.stdout, allowed=_names(MODELS)) == set()
    assert "шагов" in result.stdout


@pytest.mark.parametrize(
    ("n", "files"),
    [
        (1, "1 файл проверен"),
        (2, "2 файла проверено"),
        (5, "5 файлов проверено"),
        (11, "11 файлов проверено"),
        (21, "21 файл проверен"),
    ],
)
def test_validate_counts_files_in_the_russian_plural_forms(  # type: ignore[no-untyped-def]
    run_bpr, tmp_path: Path, n: int, files: str
) -> None:
    result = run_bpr("validate", "--lang", "ru", _folder(tmp_path, n))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith(files + ":")
    assert "верно  " in result.stdout and "(1 шаг, tiny0/as-is)" in result.stdout


def test_bpr_lang_works_like_the_option(run_bpr, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BPR_LANG", "ru")
    by_env = run_bpr("validate", MODELS)
    monkeypatch.delenv("BPR_LANG")
    by_option = run_bpr("validate", "--lang", "ru", MODELS)
    assert by_env.stdout == by_option.stdout and "проверено" in by_env.stdout
    assert run_bpr("validate", MODELS).stdout.endswith("12 files checked: 12 valid, 0 invalid\n")


@pytest.mark.parametrize("command", ["validate", "metrics", "simulate", "portfolio"])
def test_an_unknown_language_is_a_usage_error_listing_the_languages(  # type: ignore[no-untyped-def]
    run_bpr, command: str
) -> None:
    result = run_bpr(command, "--lang", "fr", INCOME)
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert "unknown language 'fr'" in result.stderr
    assert all(code in result.stderr for code in ("en", "ru", "uz", "uz-Cyrl", "az", "kk"))


def test_an_unknown_bpr_lang_is_a_usage_error(run_bpr, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BPR_LANG", "russian")
    result = run_bpr("validate", MODELS)
    assert result.exit_code == 2 and "BPR_LANG" in result.stderr
    assert "uz-Cyrl" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("lang", "word"),
    [
        ("uz", "fayl tekshirildi"),
        ("uz-Cyrl", "файл текширилди"),
        ("az", "fayl yoxlanıldı"),
        ("kk", "файл тексерілді"),
    ],
)
def test_validate_in_each_other_language(run_bpr, lang: str, word: str) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("validate", "--lang", lang, MODELS)
    assert word in result.stdout


# metrics


def test_metrics_in_russian_has_no_english_word(run_bpr) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("metrics", "--lang", "ru", INCOME)
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert english_words(text, allowed=_names(INCOME)) == set()
    assert text.startswith("показатель")
    assert re.search(r"Срок \(календарные дни\) +39,09\n", text)
    assert re.search(
        rf"Нагрузка на заявителей в год \(UZS\) +14{NBSP}400{NBSP}000{NBSP}000,00\n", text
    )
    assert "Время заявителя (ч)" in text


def test_metrics_json_stays_the_contract_in_every_language(run_bpr) -> None:  # type: ignore[no-untyped-def]
    english = run_bpr("metrics", "--json", INCOME).stdout
    assert run_bpr("metrics", "--json", "--lang", "ru", INCOME).stdout == english


@pytest.mark.parametrize(
    ("lang", "word"),
    [("uz", "Qadamlar"), ("uz-Cyrl", "Қадамлар"), ("az", "Addımlar"), ("kk", "Қадамдар")],
)
def test_metrics_in_each_other_language(run_bpr, lang: str, word: str) -> None:  # type: ignore[no-untyped-def]
    text = run_bpr("metrics", "--lang", lang, INCOME).stdout
    assert re.search(rf"^{word} +10$", text, re.MULTILINE)
    if lang == "az":
        assert "39,09" in text and "15.000,00" in text


# simulate

NESTED = Path(__file__).parent / "data" / "logs" / "nested.yaml"
STAFFED = Path(__file__).parent / "data" / "additions" / "everything.yaml"
#: Typed by the analyst, so never translated: command names, options and their values, and
#: ``end``, the target a model's branch names (the paths list ``apply->end``).
TYPED = {"bpr metrics", "--seed", "--find-staff", "--target", "p90<=30d", "deadline", "end"}


@pytest.mark.parametrize("model", [NESTED, STAFFED])
def test_simulate_in_russian_has_no_english_word(run_bpr, model: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("simulate", "--lang", "ru", model, "-n", "2000", "--seed", "7")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert english_words(text, allowed=_names(model) | TYPED) == set()
    assert f"2{NBSP}000 смоделированных обращений (начальное число 7; повторить: --seed 7)" in text
    assert re.search(r"^Срок \(календарные дни\) +\d+,\d\d +", text, re.MULTILINE)
    assert "Ожидаемый срок (bpr metrics): " in text


def test_simulate_queues_and_staff_search_in_russian(run_bpr) -> None:  # type: ignore[no-untyped-def]
    text = run_bpr("simulate", "--lang", "ru", STAFFED, "-n", "500", "--seed", "2").stdout
    assert "длина очереди" in text and "Сверх нормативного срока 15 дн.: " in text
    assert re.search(rf"desk +3 +\d+,\d{NBSP}% ", text)
    search = run_bpr(
        "simulate",
        "--lang",
        "ru",
        STAFFED,
        "-n",
        "500",
        "--seed",
        "2",
        "--find-staff",
        "--target",
        "p90<=30d",
    )
    assert search.exit_code == 0, search.stderr
    assert english_words(search.stdout, allowed=_names(STAFFED) | TYPED) == set()
    assert "Наименьшее число сотрудников для цели p90<=30d: desk 1" in search.stdout
    assert re.search(r"p90 \d+,\d\d дн\. +да", search.stdout)


@pytest.mark.parametrize(
    ("n", "cases"),
    [
        (1, "1 смоделированное обращение"),
        (2, "2 смоделированных обращения"),
        (5, "5 смоделированных обращений"),
        (11, "11 смоделированных обращений"),
        (21, "21 смоделированное обращение"),
    ],
)
def test_simulate_counts_cases_in_the_russian_plural_forms(run_bpr, n: int, cases: str) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("simulate", "--lang", "ru", NESTED, "-n", str(n), "--seed", "1")
    assert result.stdout.startswith(f"nested/as-is: {cases} (")


def test_simulate_usage_errors_in_russian(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("simulate", "--lang", "ru", NESTED, "--find-staff")
    assert result.exit_code == 2 and "для --find-staff нужен --target" in result.stderr
    result = run_bpr("simulate", "--lang", "ru", NESTED, "--plot", tmp_path / "a.gif")
    assert result.exit_code == 2 and "укажите файл .png или .svg" in result.stderr
    result = run_bpr("simulate", "--lang", "ru", NESTED, "--find-staff", "--target", "p90<15d")
    assert result.exit_code == 2 and "не удаётся прочитать цель 'p90<15d'" in result.stderr


def test_the_simulation_plot_in_russian(  # type: ignore[no-untyped-def]
    run_bpr, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    matplotlib = pytest.importorskip("matplotlib")
    monkeypatch.setitem(matplotlib.rcParams, "svg.fonttype", "none")  # text as text, to read
    plot = tmp_path / "lead.svg"
    result = run_bpr(
        "simulate", "--lang", "ru", STAFFED, "-n", "300", "--seed", "1", "--plot", plot
    )
    assert result.exit_code == 0, result.stderr
    assert f"записан файл {plot}" in result.stderr
    svg = plot.read_text("utf-8")
    words = " ".join(re.findall(r">([^<>]+)</text>", svg))
    assert english_words(words, allowed=_names(STAFFED)) == set()
    for text in ("Обращения", "Срок (календарные дни)", "среднее", "смоделированных обращений"):
        assert text in words
    assert "DejaVu Sans" in svg


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("uz", "modellashtirilgan murojaat"),
        ("uz-Cyrl", "моделлаштирилган мурожаат"),
        ("az", "modelləşdirilmiş müraciət"),
        ("kk", "модельденген өтініш"),
    ],
)
def test_simulate_in_each_other_language(run_bpr, lang: str, words: str) -> None:  # type: ignore[no-untyped-def]
    text = run_bpr("simulate", "--lang", lang, NESTED, "-n", "2000", "--seed", "7").stdout
    assert words in text
    thousands = "2.000" if lang == "az" else f"2{NBSP}000"
    assert text.startswith(f"nested/as-is: {thousands} ")


# portfolio


def _services(tmp_path: Path, n: int) -> Path:
    folder = tmp_path / f"services{n}"
    for i in range(n):
        (folder / f"s{i:02d}").mkdir(parents=True)
        (folder / f"s{i:02d}" / "as-is.yaml").write_text(TINY.replace("tiny", f"s{i}"), "utf-8")
    return folder


def test_portfolio_in_russian_has_no_english_word(run_bpr) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("portfolio", "--lang", "ru", MODELS)
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    targets = MODELS / "portfolio.yaml"  # the analyst's bundle names and targets
    allowed = _names(MODELS) | {str(MODELS), str(targets), targets.read_text("utf-8")}
    assert english_words(text, allowed=allowed) == set()
    assert text.startswith("Портфель услуг ")
    assert "Акты, требующие изменения" in text and "Справки" in text
    assert re.search(
        rf"traffic-fine-payment +4,000 +2{NBSP}846{NBSP}250 +9{NBSP}993{NBSP}750,00 AZN", text
    )
    assert re.search(
        rf">= 3 +0{NBSP}% +33{NBSP}% +50{NBSP}% +не хватает 17{NBSP}% \(ещё 1 услуга\)", text
    )


@pytest.mark.parametrize(
    ("n", "services"),
    [(1, "1 услуга"), (2, "2 услуги"), (5, "5 услуг"), (11, "11 услуг"), (21, "21 услуга")],
)
def test_portfolio_counts_services_in_the_russian_plural_forms(  # type: ignore[no-untyped-def]
    run_bpr, tmp_path: Path, n: int, services: str
) -> None:
    folder = _services(tmp_path, n)
    result = run_bpr("portfolio", "--lang", "ru", folder)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"Портфель услуг {folder}: {services}\n")


def test_portfolio_usage_error_in_russian(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("portfolio", "--lang", "ru", tmp_path)
    assert result.exit_code == 2
    assert f"в {tmp_path} нет папки услуги (as-is.yaml, to-be*.yaml)" in result.stderr


def test_portfolio_json_stays_the_contract_in_every_language(run_bpr) -> None:  # type: ignore[no-untyped-def]
    english = run_bpr("portfolio", "--json", MODELS).stdout
    assert run_bpr("portfolio", "--json", "--lang", "kk", MODELS).stdout == english


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("uz", "Xizmatlar portfeli"),
        ("uz-Cyrl", "Хизматлар портфели"),
        ("az", "Xidmətlər portfeli"),
        ("kk", "Қызметтер портфелі"),
    ],
)
def test_portfolio_in_each_other_language(run_bpr, lang: str, words: str) -> None:  # type: ignore[no-untyped-def]
    text = run_bpr("portfolio", "--lang", lang, MODELS).stdout
    assert text.startswith(words)
    assert ("4.500.000" if lang == "az" else f"4{NBSP}500{NBSP}000") in text


# the command line's own messages


def test_usage_errors_of_the_commands_in_russian(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("diff", "--lang", "ru", INCOME)
    assert result.exit_code == 2
    assert f"{INCOME} — один файл; укажите файлы As-Is и To-Be" in result.stderr
    paths = [INCOME, INCOME, INCOME]
    result = run_bpr("render", "--lang", "ru", *paths, "-o", tmp_path / "a.svg")
    assert result.exit_code == 2 and "указано 3 пути" in result.stderr
    result = run_bpr("report", "--lang", "ru", INCOME, "-o", tmp_path / "a.html", "--page", "A4")
    assert (
        result.exit_code == 2 and "--page, --portrait и --landscape — для печатных" in result.stderr
    )


def test_what_was_written_in_russian(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    model = MODELS / "traffic-fine-payment" / "as-is.yaml"
    svg, bpmn = tmp_path / "a.svg", tmp_path / "a.bpmn"
    result = run_bpr("render", "--lang", "ru", model, "-o", svg)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"записан файл {svg} (traffic-fine-payment/as-is, svg)\n"
    result = run_bpr("export", "--lang", "ru", model, "-o", bpmn)
    assert result.exit_code == 0, result.stderr
    assert (
        result.stdout == f"записан файл {bpmn} (traffic-fine-payment/as-is: 8 задач, 4 дорожки)\n"
    )
    back = tmp_path / "back.yaml"
    result = run_bpr("import", "--lang", "ru", bpmn, "-o", back, "-q")
    assert result.exit_code == 0, result.stderr
    assert re.fullmatch(
        rf"записан файл {back} \(traffic-fine-payment/as-is: 8 шагов, 4 участника, "
        r"\d+ документ\w*; \d+ предупреждени\w+\)\n",
        result.stdout,
    )


def test_an_error_of_bpr_itself_in_kazakh(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "as-is.yaml").write_text(TINY, "utf-8")
    result = run_bpr("init", "--lang", "kk", "bad id", "--dir", tmp_path)
    assert result.exit_code == 2 and "қызмет идентификаторы ретінде жарамсыз" in result.stderr


def test_a_simulation_error_in_russian(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "cases.csv"
    result = run_bpr("simulate", "--lang", "ru", NESTED, "--log", log, "--start", "2026-13-01")
    assert result.exit_code == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(
        "bpr: ошибка: не удаётся прочитать дату начала '2026-13-01'; запишите её как YYYY-MM-DD"
    )
    assert not log.exists()
