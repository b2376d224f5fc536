"""Process mining and the soundness check in the output language: ``bpr mine``, ``bpr conform``
and ``bpr check --soundness`` write the 'mining' and 'measures' catalogues' words, count in
each language's plural forms and write numbers in its way; their JSON stays English."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import bpr
from bpr.analysis.flownet import FlowEdge, FlowNet, FlowNode
from bpr.core import i18n
from bpr.core.i18n import use
from bpr.errors import EventLogError
from bpr.files.eventlog import read_log
from bpr.mining.conformance import Coverage
from bpr.mining.discovery import lead_time_comparison
from bpr.mining.reduce import Percentiles
from tests.conftest import MODELS
from tests.i18n_words import english_words

pytest.importorskip("babel", reason="the vocabulary of English words is read with Babel")
pytest.importorskip("pm4py")

NBSP = "\u00a0"
KINDERGARTEN = MODELS / "kindergarten-enrolment" / "as-is.yaml"
STRAY_JOIN = Path(__file__).parent / "data" / "bpmn" / "stray-join.yaml"
#: Names every language writes in Latin letters: the mining library, its miner, DuckDB.
PROGRAMS = {"pm4py", "IMf", "IM", "DuckDB"}


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    yield
    i18n.choose("en")


@pytest.fixture(scope="module")
def log_21(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A log of 21 cases of the kindergarten enrolment As-Is, its activities in English."""
    from bpr.files.eventlog import write_log
    from bpr.simulate import simulate

    path = tmp_path_factory.mktemp("logs") / "kindergarten.csv"
    result = simulate(bpr.load(KINDERGARTEN), 21, seed=3, events=True)
    assert result.events is not None
    write_log(path, result.events)
    return path


def _allowed(log: Path, *files: Path) -> set[str]:
    """The analyst's words, which no catalogue translates: ids, names, activities, paths."""
    allowed = {str(log), *PROGRAMS, *(str(f) for f in files)}
    allowed |= {row.split(",")[1] for row in log.read_text(encoding="utf-8").splitlines()[1:]}
    for file in files:
        model = bpr.load(file)
        allowed |= {model.service, model.variant, *model.actors, *model.documents}
        allowed |= {s.id for s in model.steps} | {s.name for s in model.steps}
        allowed |= {a.name for a in model.actors.values()}
    return allowed


def test_russian_mine_writes_no_english_word(run_bpr, tmp_path: Path, log_21: Path) -> None:
    draft = tmp_path / "draft.yaml"
    result = run_bpr("mine", "--lang", "ru", log_21, "-o", draft, "--service", "kg")
    assert result.exit_code == 0, result.stderr
    text = result.stdout + result.stderr
    assert english_words(text, allowed=_allowed(log_21, draft)) == set()
    assert "21 обращение" in text
    assert "переходы: индуктивный алгоритм (IMf, порог шума 0,2) по всем вариантам" in text
    assert "Срок: в черновике " in text and " дня, у обращений журнала: медиана " in text
    # the draft's comments are Russian; its keys, values and routing step names are the format's
    lines = draft.read_text(encoding="utf-8").splitlines()
    comments = " ".join(line.split("# ", 1)[1] for line in lines if "# " in line)
    typed = {"work", "wait", "org:group", "org:resource", "split", "join", "branch", "loop", "mine"}
    assert english_words(comments, allowed=_allowed(log_21) | typed | {"start"}) == set()
    assert lines[0] == "# Черновик As-Is, построенный 'bpr mine' по kindergarten.csv: " + (
        "обращений 21, событий 248."
    )
    assert "медиана по событиям: 21" in comments
    assert bpr.load(draft).service == "kg"


def test_russian_conform_of_a_shipped_model_writes_no_english_word(run_bpr, log_21) -> None:
    to_be = KINDERGARTEN.with_name("to-be.yaml")
    for model in (KINDERGARTEN, to_be):
        result = run_bpr("conform", "--lang", "ru", model, log_21)
        assert result.exit_code == 0, result.stderr
        text = result.stdout + result.stderr
        assert english_words(text, allowed=_allowed(log_21, model)) == set()
        assert "Воспроизведено: все варианты (" in text
    # the model's names are Russian in Russian, the log's English: the steps still match
    assert (
        "Действия журнала, которых нет в модели: 0"
        in run_bpr("conform", "--lang", "ru", KINDERGARTEN, log_21).stdout
    )


def test_conform_json_is_the_same_in_every_language(run_bpr, log_21) -> None:
    english = json.loads(run_bpr("conform", KINDERGARTEN, log_21, "--json").stdout)
    russian = json.loads(run_bpr("conform", "--lang", "ru", KINDERGARTEN, log_21, "--json").stdout)
    assert russian == english


def test_russian_soundness_reasons(run_bpr) -> None:
    result = run_bpr("check", "--soundness", "--lang", "ru", STRAY_JOIN)
    assert result.exit_code == 1
    assert english_words(result.stdout, allowed=_allowed_model(STRAY_JOIN)) == set()
    assert "НЕКОРРЕКТНА: обращение может застрять в слиянии перед шагом 'decide'" in result.stdout
    sound = run_bpr("check", "--soundness", "--lang", "ru", KINDERGARTEN)
    assert sound.exit_code == 0
    assert "корректна: каждое обращение всегда может дойти до конца" in sound.stdout


def _allowed_model(path: Path) -> set[str]:
    model = bpr.load(path)
    return {str(path), *(s.id for s in model.steps), *(s.name for s in model.steps)}


def test_the_soundness_json_reason_stays_english(run_bpr) -> None:
    result = run_bpr("check", "--soundness", "--json", "--lang", "ru", STRAY_JOIN)
    reason = json.loads(result.stdout)["reason"]
    assert reason.startswith("a case can get stuck at the join before step 'decide'")


def _net(nodes: list[tuple[str, str]], edges: list[tuple[str, str]]) -> FlowNet:
    return FlowNet(
        [FlowNode(i, k, "a", i if k == "task" else None, i) for i, k in nodes],
        [FlowEdge(s, t) for s, t in edges],
    )


#: Flow nets the validator would refuse, one per reason of the walk over a case's states.
UNSOUND = {
    "two tokens meet": (
        [("event:start", "start"), ("x", "task"), ("split:x", "and-split"), ("y", "task"),
         ("z", "task"), ("w", "task"), ("event:end", "end")],
        [("event:start", "x"), ("x", "split:x"), ("split:x", "y"), ("split:x", "z"),
         ("y", "w"), ("z", "w"), ("w", "event:end")],
        "две фишки одного обращения одновременно попадают в вход шага 'w'",
    ),
    "a loop without way out": (
        [("event:start", "start"), ("x", "task"), ("y", "task"), ("xor:y", "xor"),
         ("event:end", "end")],
        [("event:start", "x"), ("x", "y"), ("y", "xor:y"), ("xor:y", "x"), ("xor:y", "y")],
        "обращение может бесконечно ходить по циклу, не доходя до конца (начало процесса): "
        "дайте циклу выход",
    ),
    "a step never runs": (
        [("event:start", "start"), ("x", "task"), ("split:x", "and-split"), ("y", "task"),
         ("join:z", "and-join"), ("z", "task"), ("w", "task"), ("event:end", "end")],
        [("event:start", "x"), ("x", "split:x"), ("split:x", "y"), ("split:x", "join:z"),
         ("y", "join:z"), ("join:z", "z"), ("z", "event:end"), ("w", "event:end")],
        "шаг 'w' никогда не может быть выполнен",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(UNSOUND))
def test_the_reasons_of_the_walk_in_russian(case: str) -> None:
    from bpr.analysis.petri import _translate, _walk

    nodes, edges, expected = UNSOUND[case]
    net = _net(nodes, edges)
    model = bpr.loads(
        "bpr: 1\nservice: s\nvariant: as-is\nactors: {a: {name: A}}\n"
        "steps: [{id: x, actor: a}, {id: y, actor: a}, {id: z, actor: a}, {id: w, actor: a}]\n"
    )
    _, english = _walk(model, net, _translate(net))
    with use("ru"):
        sound, russian = _walk(model, net, _translate(net))
    assert sound is False and expected in russian
    # 'join: all' is what the analyst types, kept as it is
    assert english_words(russian, allowed={"x", "y", "z", "w", "join", "all"}) == set()
    assert english_words(english, allowed={"x", "y", "z", "w"}) != set()


@pytest.mark.parametrize(
    ("n", "words"),
    [(1, "1 трасса"), (2, "2 трассы"), (5, "5 трасс"), (11, "11 трасс"), (21, "21 трасса")],
)
def test_russian_counts_the_traces_of_an_empty_log(tmp_path: Path, n: int, words: str) -> None:
    log = tmp_path / "empty.xes"
    log.write_text("<log>" + "<trace></trace>" * n + "</log>", encoding="utf-8")
    with use("ru"), pytest.raises(EventLogError) as caught:
        read_log(log)
    assert f"журнал пуст ({words} и ни одного события)" in str(caught.value)


@pytest.mark.parametrize(
    ("n", "words"),
    [(1, "1 обращение"), (2, "2 обращения"), (5, "5 обращений"), (11, "11 обращений")],
)
def test_russian_mine_counts_cases(run_bpr, tmp_path: Path, n: int, words: str) -> None:
    log = tmp_path / "log.csv"
    rows = ["case:concept:name,concept:name,time:timestamp"]
    for case in range(n):
        rows.append(f"c{case},Receive,2026-01-05T09:{case:02d}:00+00:00")
        rows.append(f"c{case},Decide,2026-01-05T10:{case:02d}:00+00:00")
    log.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = run_bpr("mine", "--lang", "ru", log, "-o", tmp_path / "d.yaml")
    assert result.exit_code == 0, result.stderr
    assert f"2 шага (журнал: 2 действия, {words}, {2 * n} событ" in result.stdout


def test_russian_numbers_have_a_decimal_comma_and_a_no_break_space() -> None:
    with use("ru"):
        line = lead_time_comparison(1234.5, Percentiles(0.01, 0.0042, 1500.25), 5.41)
        cover = Coverage(12345, 100000, 1500, 99012, 100, 120, 0.99).text()
    assert line.startswith("Срок: в черновике 1234,50 дня, у обращений журнала: медиана 0,0042")
    assert "90-й перцентиль 1500,25." in line and "Черновик складывает медианы" in line
    assert cover.startswith(f"самые частые варианты: 1{NBSP}500 из 12{NBSP}345 (99,0% обращений")
    assert "выборка из остальных: 100 (0,12%)" in cover


@pytest.mark.parametrize(
    ("lang", "word"),
    [
        ("uz", "Muddat: loyihada"),
        ("uz-Cyrl", "Муддат: лойиҳада"),
        ("az", "Müddət: layihədə"),
        ("kk", "Мерзім: жобада"),
    ],
)
def test_the_lead_time_line_in_each_language(lang: str, word: str) -> None:
    with use(lang):
        line = lead_time_comparison(2.5, None, None)
    assert line.startswith(word) and "2,50" in line


def test_english_is_unchanged() -> None:
    assert lead_time_comparison(2.5, None, None) == (
        "Lead time: the draft's 2.50 days (the log gives no case durations)."
    )
    assert Coverage(3, 10, 3, 10, 0, 0, 0.99).text() == "all 3 variants (100% of cases)"


@pytest.mark.parametrize(
    ("lang", "one", "many"),
    [
        ("en", "the one variant (100% of cases)", "all 21 variants (100% of cases)"),
        ("ru", "все варианты (1; 100 % обращений)", "все варианты (21; 100 % обращений)"),
        ("kk", "жалғыз нұсқа (өтініштердің 100%)", "барлық нұсқалар (21; өтініштердің 100%)"),
    ],
)
def test_one_variant_is_not_counted_as_many(lang: str, one: str, many: str) -> None:
    """'all 1 variants' is no English; Russian's first form also counts 21, so its words fit
    every number."""
    with use(lang):
        assert Coverage(1, 10, 1, 10, 0, 0, 0.99).text() == one
        assert Coverage(21, 30, 21, 30, 0, 0, 0.99).text() == many


def test_a_draft_of_a_log_with_one_variant_says_so(tmp_path: Path) -> None:
    from bpr.mining import mine

    log = tmp_path / "one.csv"
    log.write_text(
        "case:concept:name,concept:name,time:timestamp\n"
        "c1,Check,2026-01-05T09:00:00Z\nc1,Decide,2026-01-05T10:00:00Z\n"
        "c2,Check,2026-01-06T09:00:00Z\nc2,Decide,2026-01-06T11:00:00Z\n"
    )
    assert mine(log).method.endswith("on the log's one variant")
    with use("uz"):
        assert mine(log).method.endswith("jurnalning yagona varianti boʻyicha")
