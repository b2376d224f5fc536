"""bpr's own token-based replay (bpr.mining.tokenreplay): token counts worked out by hand on
tiny nets, every figure equal to pm4py's replay on bpr's nets (the shipped models, the test
logs, the real permit log, random models), and ``bpr conform`` without pm4py or pandas."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bpr
from bpr.analysis.petri import PlainNet, plain_net, pm4py_net
from bpr.errors import ModelError
from bpr.files.eventlog import read_log, write_log
from bpr.mining import conform, discover, match_activities
from bpr.mining import conformance as conformance_module
from bpr.mining.library import load_pm4py
from bpr.mining.tokenreplay import TokenReplay, TraceReplay, replay
from bpr.simulate import simulate
from tests.conftest import TINY_COLUMNS, script_module

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
LOGS = Path(__file__).parent / "data" / "logs"
SHARED = ROOT.parent / "shared" / "data"


def _net(*transitions: tuple[str, str | None, list[str], list[str]]) -> PlainNet:
    """A net of the transitions given; its places in the order they are first named."""
    net = PlainNet()
    for name, label, ins, outs in transitions:
        for place in (*ins, *outs):
            if place not in net.places:
                net.place(place)
        net.transition(name, label, ins, outs)
    return net


def _counts(result: TraceReplay) -> tuple[int, int, int, int, bool]:
    return (result.missing, result.consumed, result.remaining, result.produced, result.fit)


# -- counted by hand -----------------------------------------------------------------------------

# a -> b -> c in sequence
SEQUENCE = _net(
    ("a", "a", ["source"], ["p1"]), ("b", "b", ["p1"], ["p2"]), ("c", "c", ["p2"], ["sink"])
)


def test_a_fit_trace_consumes_what_it_produces():
    result = TokenReplay(SEQUENCE).replay(["a", "b", "c"])
    # produced: the initial token and one per step; consumed: one per step and the final one
    assert _counts(result) == (0, 4, 0, 4, True)
    assert result.fitness == 1.0


def test_a_skipped_step_is_a_missing_token_and_a_remaining_one():
    result = TokenReplay(SEQUENCE).replay(["a", "c"])
    # c fires on a token put in by hand at p2; the token a left at p1 is still there
    assert _counts(result) == (1, 3, 1, 3, False)
    assert result.fitness == pytest.approx(2 / 3)


def test_a_step_out_of_order():
    result = TokenReplay(SEQUENCE).replay(["a", "c", "b"])
    # c lacks its token (missing 1); b then fires and leaves its token at p2 (remaining 1)
    assert _counts(result) == (1, 4, 1, 4, False)
    assert result.fitness == pytest.approx(0.75)


def test_an_unknown_activity_counts_with_its_own_transition_and_not_without():
    with_own = _net(
        ("a", "a", ["source"], ["p1"]),
        ("b", "b", ["p1"], ["sink"]),
        ("x", "x", ["unknown-in"], ["unknown-out"]),
    )
    assert _counts(TokenReplay(with_own).replay(["a", "x", "b"])) == (1, 4, 1, 4, False)
    # an activity no transition carries passes unseen: this is why conform gives it one
    assert _counts(TokenReplay(with_own).replay(["a", "y", "b"])) == (0, 3, 0, 3, True)


def test_a_loop_goes_back_through_its_silent_branch():
    loop = _net(
        ("a", "a", ["source"], ["p1"]),
        ("b", "b", ["p1"], ["p2"]),
        ("again", None, ["p2"], ["p1"]),
        ("on", None, ["p2"], ["p3"]),
        ("c", "c", ["p3"], ["sink"]),
    )
    # a, b, again, b, on, c fire: six transitions, each one token in and one out
    assert _counts(TokenReplay(loop).replay(["a", "b", "b", "c"])) == (0, 7, 0, 7, True)
    assert _counts(TokenReplay(loop).replay(["a", "b", "c"])) == (0, 5, 0, 5, True)
    # c before b: c's token is put in by hand, the token at p1 remains
    assert _counts(TokenReplay(loop).replay(["a", "c"])) == (1, 3, 1, 3, False)


def test_a_parallel_block_with_a_branch_missing():
    parallel = _net(
        ("a", "a", ["source"], ["p1", "p2"]),
        ("b", "b", ["p1"], ["p3"]),
        ("c", "c", ["p2"], ["p4"]),
        ("d", "d", ["p3", "p4"], ["sink"]),
    )
    assert _counts(TokenReplay(parallel).replay(["a", "c", "b", "d"])) == (0, 6, 0, 6, True)
    result = TokenReplay(parallel).replay(["a", "b", "d"])
    # d lacks c's token (missing 1) and the token at p2 is never taken (remaining 1)
    assert _counts(result) == (1, 5, 1, 5, False)
    assert result.fitness == pytest.approx(0.8)


CHOICE = _net(
    ("a", "a", ["source"], ["p1"]),
    ("to-b", None, ["p1"], ["p2"]),
    ("to-c", None, ["p1"], ["p3"]),
    ("skip", None, ["p1"], ["p4"]),
    ("b", "b", ["p2"], ["p4"]),
    ("c", "c", ["p3"], ["p4"]),
    ("d", "d", ["p4"], ["sink"]),
)


def test_a_silent_branch_of_a_choice_enables_the_step_after_it():
    # c is enabled by the silent to-c: a, to-c, c, d fire
    assert _counts(TokenReplay(CHOICE).replay(["a", "c", "d"])) == (0, 5, 0, 5, True)
    # d is enabled by the silent skip (the shortest way from p1 to p4)
    assert _counts(TokenReplay(CHOICE).replay(["a", "d"])) == (0, 4, 0, 4, True)
    # b and c both: the second branch finds no token
    assert _counts(TokenReplay(CHOICE).replay(["a", "b", "c", "d"])) == (1, 6, 1, 6, False)


def test_the_end_is_reached_through_silent_transitions():
    # after a, no silent path leads from p1 to sink (d is a step): nothing more fires, the
    # final token is missing and a's token remains at p1
    assert _counts(TokenReplay(CHOICE).replay(["a"])) == (1, 2, 1, 2, False)
    ending = _net(("a", "a", ["source"], ["p1"]), ("done", None, ["p1"], ["sink"]))
    # the silent done takes the token from p1 to sink after the last event
    assert _counts(TokenReplay(ending).replay(["a"])) == (0, 3, 0, 3, True)
    # and a trace of nothing: the initial token goes nowhere (a is not silent)
    assert _counts(TokenReplay(ending).replay([])) == (1, 1, 1, 1, False)


def test_traces_sharing_a_beginning_give_what_each_gives_alone():
    traces = [["a", "b", "c"], ["a", "c"], ["a", "b"], ["a", "c", "b"], ["a", "b", "c"]]
    together = replay(SEQUENCE, traces)
    assert together == [TokenReplay(SEQUENCE).replay(t) for t in traces]
    assert [r.fit for r in together] == [True, False, False, False, True]


# two steps of one activity, "check", with a step between
TWICE = _net(
    ("a", "a", ["source"], ["p1"]),
    ("check1", "check", ["p1"], ["p2"]),
    ("b", "b", ["p2"], ["p3"]),
    ("check2", "check", ["p3"], ["sink"]),
)


def test_of_two_enabled_steps_of_one_activity_the_case_takes_the_one_it_has_reached():
    twice = TWICE
    assert _counts(TokenReplay(twice).replay(["a", "check", "b", "check"])) == (0, 5, 0, 5, True)
    # b out of turn leaves a's token at p1 and puts one at p3: both checks are enabled, and
    # the one b has just enabled runs (check1 would leave p2 and p3 marked, sink empty)
    assert _counts(TokenReplay(twice).replay(["a", "b", "check"])) == (1, 4, 1, 4, False)


def test_of_steps_of_one_activity_none_enabled_the_last_named_fires():
    twice = TWICE
    # neither "check" is enabled at the start: check2 (the last name) fires on a token put in
    # by hand and reaches sink; the initial token remains
    assert _counts(TokenReplay(twice).replay(["check"])) == (1, 2, 1, 2, False)


# a silent join on the way to d's place: it needs a token that another silent path brings
JOIN_ON_THE_WAY = _net(
    ("a", "a", ["source"], ["p1", "p2"]),
    ("bring", None, ["p2"], ["r"]),
    ("join", None, ["p1", "r"], ["q"]),
    ("short", None, ["p2"], ["q"]),
    ("d", "d", ["q"], ["sink"]),
)


def test_a_silent_transition_on_the_way_is_enabled_in_turn():
    # d lacks q: the shortest ways there are join (from p1) and short (from p2); join lacks r
    # and is enabled in turn by bring, so bring and join fire and both of a's tokens are
    # used (had short fired instead, p1's token would remain)
    assert _counts(TokenReplay(JOIN_ON_THE_WAY).replay(["a", "d"])) == (0, 6, 0, 6, True)


# one silent step forks into two silent ways, each to one input of t
FORK = _net(
    ("a", "a", ["source"], ["p1"]),
    ("h", None, ["p1"], ["m"]),
    ("x1", None, ["m"], ["q1"]),
    ("x2", None, ["m"], ["q2"]),
    ("t", "t", ["q1", "q2"], ["sink"]),
)


def test_no_silent_transition_fires_twice_for_one_event():
    # a twice puts two tokens at p1 (the second by hand); t needs q1 and q2, each at the end
    # of a silent path beginning with h: h fires once, on the way to q1, and q2's token is
    # put in by hand; p1's second token remains
    assert _counts(TokenReplay(FORK).replay(["a", "a", "t"])) == (2, 7, 1, 6, False)


HAND_MADE = [
    (SEQUENCE, ["a", "b", "c"]),
    (SEQUENCE, ["a", "c"]),
    (SEQUENCE, ["a", "c", "b"]),
    (CHOICE, ["a", "c", "d"]),
    (CHOICE, ["a", "d"]),
    (CHOICE, ["a", "b", "c", "d"]),
    (CHOICE, ["a"]),
    (JOIN_ON_THE_WAY, ["a", "d"]),
    (JOIN_ON_THE_WAY, ["d", "a", "d"]),
    (TWICE, ["a", "check", "b", "check"]),
    (TWICE, ["check"]),
    (FORK, ["a", "a", "t"]),
]


@pytest.mark.parametrize(("net", "trace"), HAND_MADE)
def test_the_hand_made_cases_are_counted_as_pm4py_counts_them(net, trace):
    assert TokenReplay(net).replay(trace) == _pm4py_replay(net, [tuple(trace)])[0]


def test_a_net_needs_a_source_and_a_sink():
    with pytest.raises(ValueError, match="source"):
        TokenReplay(_net(("a", "a", ["start"], ["sink"])))


# -- equal to pm4py ------------------------------------------------------------------------------


def _pm4py_replay(net: PlainNet, traces: list[tuple[str, ...]]) -> list[TraceReplay]:
    """pm4py's token-based replay of the traces on the net, as bpr conform called it."""
    pytest.importorskip("pm4py")
    pd = pytest.importorskip("pandas")
    pm4py = load_pm4py("the tests")
    petri, initial, final = pm4py_net(net)
    rows = [
        (f"v{i:09d}", activity, pd.Timestamp("2000-01-01", tz="UTC") + pd.Timedelta(seconds=j))
        for i, trace in enumerate(traces)
        for j, activity in enumerate(trace)
    ]
    frame = pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "time:timestamp"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = pm4py.conformance_diagnostics_token_based_replay(frame, petri, initial, final)
    return [
        TraceReplay(
            r["missing_tokens"],
            r["consumed_tokens"],
            r["remaining_tokens"],
            r["produced_tokens"],
            bool(r["trace_is_fit"]),
            float(r["trace_fitness"]),
        )
        for r in found
    ]


class _Pm4pyReplay:
    """Stands in for TokenReplay in conform: pm4py's figures, with bpr's kept beside them."""

    compared: ClassVar[list[tuple[tuple[str, ...], TraceReplay, TraceReplay]]] = []

    def __init__(self, net: PlainNet) -> None:
        self.net = net

    def replay_all(self, traces: list[tuple[str, ...]]) -> list[TraceReplay]:
        theirs = _pm4py_replay(self.net, [tuple(t) for t in traces])
        ours = TokenReplay(self.net).replay_all(traces)
        self.compared.extend(zip([tuple(t) for t in traces], ours, theirs, strict=True))
        return theirs


def _same_as_pm4py(
    monkeypatch: pytest.MonkeyPatch, model: bpr.Model, log: Any, **options: Any
) -> dict[str, Any]:
    """conform() on the log gives what it gives with pm4py's replay, trace by trace too."""
    pytest.importorskip("pm4py")
    ours = conform(model, log, **options).as_dict()
    with monkeypatch.context() as patch:
        _Pm4pyReplay.compared = []
        patch.setattr(conformance_module, "TokenReplay", _Pm4pyReplay)
        theirs = conform(model, log, **options).as_dict()
    assert _Pm4pyReplay.compared
    different = [(t, a, b) for t, a, b in _Pm4pyReplay.compared if a != b]
    assert not different, different[:3]
    assert ours == theirs
    return ours


def _frame(traces: list[tuple[str, ...]], cases: list[int] | None = None) -> Any:
    """A log of each trace run by ``cases[i]`` cases (one each by default)."""
    pd = pytest.importorskip("pandas")
    rows = []
    for i, trace in enumerate(traces):
        for copy in range(cases[i] if cases else 1):
            rows.extend((f"c{i}-{copy}", activity) for activity in trace)
    return pd.DataFrame(
        {
            "case:concept:name": [c for c, _ in rows],
            "concept:name": [a for _, a in rows],
            "time:timestamp": pd.Timestamp("2026-01-01", tz="UTC")
            + pd.to_timedelta(range(len(rows)), unit="s"),
        }
    )


def _perturbed(variants: list[tuple[str, ...]], seed: int) -> list[tuple[str, ...]]:
    """Each variant with a step dropped, two swapped, one repeated, an unknown one inserted."""
    rng = random.Random(seed)
    out: list[tuple[str, ...]] = []
    for variant in variants:
        trace = list(variant)
        at = rng.randrange(len(trace))
        out.append(tuple(trace[:at] + trace[at + 1 :]))
        if len(trace) > 1:
            at = rng.randrange(len(trace) - 1)
            swapped = trace[:]
            swapped[at], swapped[at + 1] = swapped[at + 1], swapped[at]
            out.append(tuple(swapped))
        at = rng.randrange(len(trace))
        out.append(tuple(trace[: at + 1] + trace[at:]))
        at = rng.randrange(len(trace) + 1)
        out.append(tuple([*trace[:at], "Not a step of the model", *trace[at:]]))
    return [t for t in dict.fromkeys(out) if t]


def _variants(frame: Any) -> list[tuple[str, ...]]:
    ordered = frame.sort_values(["case:concept:name", "time:timestamp"], kind="stable")
    traces = ordered.groupby("case:concept:name", sort=False)["concept:name"].agg(tuple)
    return list(dict.fromkeys(traces))


# every model of the shipped services (the portfolio file beside them lists services)
MODEL_FILES = sorted(p for p in MODELS.glob("**/*.yaml") if p.name != "portfolio.yaml")


@pytest.mark.parametrize("path", MODEL_FILES, ids=lambda p: str(p.relative_to(MODELS)))
def test_every_shipped_model_replays_as_with_pm4py(monkeypatch, path):
    model = bpr.load(path)
    simulated = simulate(model, 300, seed=7, events=True)
    assert simulated.events is not None
    log = simulated.events.to_frame()
    own = _same_as_pm4py(monkeypatch, model, log)
    assert own["fitness"] == pytest.approx(1.0) and own["fitting_cases"] == own["cases"]
    variants = _variants(log)
    perturbed = _perturbed(variants, seed=len(variants))
    weights = [1 + i % 4 for i in range(len(perturbed))]
    deviating = _same_as_pm4py(monkeypatch, model, _frame(perturbed, weights), top_variants=50)
    assert deviating["fitness"] < 1.0 and deviating["deviating_variants"]


def test_the_test_logs_replay_on_their_models_as_with_pm4py(monkeypatch):
    nested = bpr.load(LOGS / "nested.yaml")
    simulated = simulate(nested, 200, seed=3, events=True)
    assert simulated.events is not None
    frame = simulated.events.to_frame()
    _same_as_pm4py(monkeypatch, nested, frame)
    _same_as_pm4py(monkeypatch, nested, _frame(_perturbed(_variants(frame), seed=3)))
    russian = _same_as_pm4py(
        monkeypatch, bpr.load(LOGS / "russian.yaml"), read_log(LOGS / "russian.csv")
    )
    assert russian["steps_not_in_log"]
    for path, columns in ((LOGS / "tiny.csv", TINY_COLUMNS), (LOGS / "lifecycle.xes", None)):
        log = read_log(path, columns)
        draft = discover(log, source=path.name, service=path.stem)
        _same_as_pm4py(monkeypatch, draft.model, log)
        _same_as_pm4py(monkeypatch, draft.model, _frame(_perturbed(_variants(log), seed=2)))


def test_the_permit_log_replays_on_its_discovered_model_as_with_pm4py(monkeypatch):
    path = SHARED / "receipt.csv"
    if not path.exists():
        pytest.skip(f"receipt.csv is not in {SHARED} (the shared data beside this checkout)")
    log = read_log(path)
    draft = discover(log, source="receipt.csv", service="receipt")
    result = _same_as_pm4py(monkeypatch, draft.model, log, top_variants=200)
    assert 0.9 < result["fitness"] < 1.0 and result["deviating_variants"]
    variants = _variants(log)
    _same_as_pm4py(monkeypatch, draft.model, _frame(_perturbed(variants, seed=1)[:300]))


# -- random models -------------------------------------------------------------------------------


def _walks(net: PlainNet, rng: random.Random, count: int) -> list[tuple[str, ...]]:
    """Traces of random runs of the net (labelled transitions only)."""
    traces = []
    for _ in range(count):
        marking = {"source": 1}
        trace: list[str] = []
        for _ in range(40):
            enabled = [t for t in net.transitions if all(marking.get(p, 0) > 0 for p in t[2])]
            if not enabled or marking.get("sink"):
                break
            _name, label, ins, outs, _node = rng.choice(enabled)
            for place in ins:
                marking[place] -= 1
            for place in outs:
                marking[place] = marking.get(place, 0) + 1
            if label is not None:
                trace.append(label)
        traces.append(tuple(trace))
    return traces


def _random_models() -> st.SearchStrategy[str]:
    from tests.test_flow_properties import models_with_choices, random_flows
    from tests.test_lint import random_models

    return st.one_of(random_flows(), random_models(), models_with_choices())


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
@given(text=_random_models(), rng=st.randoms(use_true_random=False))
def test_random_traces_on_random_models_replay_as_with_pm4py(text, rng):
    pytest.importorskip("pm4py")
    try:
        model = bpr.loads(text, "random.yaml")
    except ModelError:
        return
    ids = [step.id for step in model.steps]
    net = plain_net(model, {i: i for i in ids}, compact=True)
    net.place("unknown-in:0")
    net.place("unknown-out:0")
    net.transition("unknown:0", "zz", ["unknown-in:0"], ["unknown-out:0"])
    traces = _walks(net, rng, 8)
    traces += [tuple(rng.choice([*ids, "zz"]) for _ in range(rng.randrange(1, 9))) for _ in "1234"]
    traces += _perturbed([t for t in traces[:8] if t], seed=rng.randrange(1000))
    traces = [t for t in dict.fromkeys(traces) if t]  # a log has no case without events
    assert TokenReplay(net).replay_all(traces) == _pm4py_replay(net, traces)


# -- fast -----------------------------------------------------------------------------------------


def test_thousands_of_variants_of_a_hundred_steps_replay_in_well_under_a_second():
    model = bpr.loads(script_module("benchmarks/generate.py").model_text(100), "generated.yaml")
    simulated = simulate(model, 4000, seed=2, events=True)
    events = simulated.events
    assert events is not None
    cases: dict[int, list[str]] = {}
    for case, code in zip(events.case.tolist(), events.activity.tolist(), strict=True):
        cases.setdefault(case, []).append(events.names[code])
    variants = list(dict.fromkeys(tuple(t) for t in cases.values()))
    rng = random.Random(2)
    swapped = []
    for variant in variants:
        at = rng.randrange(len(variant) - 1)
        swapped.append((*variant[:at], variant[at + 1], variant[at], *variant[at + 2 :]))
    assert len(variants) > 2000 and min(map(len, variants)) >= 100
    net = plain_net(model, match_activities(model, events.names), compact=True)
    begun = time.process_time()
    fitting = TokenReplay(net).replay_all(variants)
    deviating = TokenReplay(net).replay_all(swapped)
    spent = time.process_time() - begun
    assert all(r.fit for r in fitting) and not all(r.fit for r in deviating)
    # some 0.4 s of processor time for the 7,500 variants of both sets on the test machine
    assert spent < 1.5, f"{spent:.2f} s for {2 * len(variants)} variants"


# -- no pm4py, no pandas ---------------------------------------------------------------------------

_CONFORM = """
import json, sys
import bpr
from bpr.mining import conform
from bpr.mining.reduce import reduce_log
reduced = reduce_log(sys.argv[2], engine="duckdb")
result = conform(bpr.load(sys.argv[1]), reduced, log_file="nested.parquet")
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"pm4py", "pandas"})
print(json.dumps({"heavy": heavy, "engine": reduced.engine, "result": result.as_dict()}))
"""


def test_conform_by_token_replay_imports_neither_pm4py_nor_pandas(tmp_path):
    pytest.importorskip("duckdb")
    model = bpr.load(LOGS / "nested.yaml")
    simulated = simulate(model, 100, seed=11, events=True)
    assert simulated.events is not None
    parquet = write_log(tmp_path / "nested.parquet", simulated.events)
    done = subprocess.run(
        [sys.executable, "-c", _CONFORM, str(LOGS / "nested.yaml"), str(parquet)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    found = json.loads(done.stdout)
    assert found["engine"] == "duckdb"
    assert found["heavy"] == []
    assert found["result"]["fitness"] == pytest.approx(1.0)
    assert found["result"]["cases"] == 100
