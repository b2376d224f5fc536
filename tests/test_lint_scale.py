"""bpr lint at scale: each suggestion's gain measured incrementally equals the gain measured
on the changed model, and a lint run measures the whole model a fixed number of times however
large it is (no timing here: benchmarks/bench_lint.py measures the time)."""

from __future__ import annotations

import doctest
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import bpr
import bpr.analysis.measures as measures_module
from bpr.analysis.measures import expected_totals
from bpr.core.flow import analyse, reachable
from bpr.core.model import END
from bpr.lint import build_draft, edits, incremental, lint
from bpr.lint.context import LintContext
from bpr.lint.incremental import Baseline, Change, FastGains
from tests.conftest import ROOT, script_module

GENERATE = script_module("benchmarks/generate.py")
IRREGULAR = script_module("benchmarks/generate_irregular.py")


def busy_model_text(units: int) -> str:
    """Nine steps a unit, made for the rules the generators leave idle: a certificate fetched
    in person and carried to the desk (once-only), visits to one desk (repeated-contact), a
    check that rejects 5% of cases after two steps (knock-out-order), a return of a quarter of
    the cases (rework) and two independent steps (sequential-independent)."""
    head = (
        "bpr: 1\nservice: busy\nvariant: as-is\nmaturity: 2\nvolume: 1000\ncurrency: KZT\n"
        "tariff: 2500\nactors:\n  me: {name: Applicant, kind: applicant}\n"
        "  desk: {name: Front desk, agency: Akimat}\n"
        "  office: {name: Back office, agency: Akimat}\n"
        "  registry: {name: Registry, agency: Ministry of Justice}\n"
        "  archive: {name: Archive, agency: Ministry of Justice}\n"
        "documents:\n  passport: {name: Identity card}\n"
    )
    documents, steps = [], []
    for i in range(units):
        documents.append(f"  c{i}: {{name: Certificate {i}, issuer: registry}}\n")
        after = "end" if i == units - 1 else f"g{i + 1}"
        steps.append(
            f"  - {{id: g{i}, actor: registry, channel: in-person, work: 30m, wait: 1d,"
            f" needs: [passport], produces: [c{i}]}}\n"
            f"  - {{id: a{i}, actor: desk, channel: in-person, work: 20m,"
            f" needs: [passport, c{i}]}}\n"
            f"  - {{id: p{i}, actor: desk, work: 10m, wait: 2h}}\n"
            f"  - {{id: q{i}, actor: office, work: 1h, wait: 1d}}\n"
            f"  - {{id: k{i}, actor: office, work: 15m,"
            f" next: [{{to: end, p: 0.05, when: rejected}}, {{to: x{i}, p: 0.95}}]}}\n"
            f"  - {{id: x{i}, actor: desk, channel: in-person, work: 15m}}\n"
            f"  - {{id: y{i}, actor: office, work: 30m, wait: 4h,"
            f" next: [{{to: x{i}, p: 0.25, when: incomplete}}, {{to: z{i}, p: 0.75}}]}}\n"
            f"  - {{id: z{i}, actor: registry, work: 1h, wait: 1d}}\n"
            f"  - {{id: w{i}, actor: archive, work: 30m, wait: 2d, next: {after}}}\n"
        )
    return head + "".join(documents) + "steps:\n" + "".join(steps)


def _models() -> Iterator[tuple[str, bpr.Model]]:
    yield "generate-300", bpr.loads(GENERATE.model_text(300))
    for seed in (1, 2, 5):
        yield f"irregular-{seed}", bpr.loads(IRREGULAR.irregular_model_text(300, seed=seed))
    yield "irregular-small-blocks", bpr.loads(IRREGULAR.irregular_model_text(250, 4, largest=8))
    yield "busy-30", bpr.loads(busy_model_text(30))


# The builders of bpr.lint.edits that each fast measure stands for.
_EXACT: dict[str, Callable[..., edits.Edit | None]] = {
    "exchange": edits.exchange_documents,
    "online": edits.make_online,
    "parallel": edits.parallelise,
    "rework": edits.remove_rework,
    "check_first": lambda model, check, chain: edits.move_check_before(model, check, list(chain)),
}


def _candidates(
    monkeypatch: pytest.MonkeyPatch, model: bpr.Model
) -> list[tuple[str, tuple[Any, ...], Change | None]]:
    """Every suggestion the rules measure on ``model`` (every gain, however small)."""
    seen: list[tuple[str, tuple[Any, ...], Change | None]] = []
    for name in _EXACT:
        fast = getattr(FastGains, name)

        def record(self: FastGains, *args: Any, _name: str = name, _fast: Any = fast) -> Any:
            found = _fast(self, *args)
            seen.append((_name, args, found))
            return found

        monkeypatch.setattr(FastGains, name, record)
    lint(model, min_gain=0)
    monkeypatch.undo()
    return seen


@pytest.mark.parametrize(("label", "model"), list(_models()), ids=lambda x: str(x)[:24])
def test_fast_gains_equal_the_gains_of_the_changed_model(
    monkeypatch: pytest.MonkeyPatch, label: str, model: bpr.Model
) -> None:
    candidates = _candidates(monkeypatch, model)
    kinds = {name for name, _, found in candidates if found is not None}
    assert kinds, label
    for name, args, found in candidates:
        edit = _EXACT[name](model, *args)
        assert (found is None) == (edit is None), (label, name, args)
        if found is None or edit is None:
            continue
        exact = edits.gain(model, edit.model)
        assert found.notes == edit.notes
        assert found.gain.keys() == exact.keys(), (label, name, args, found.gain, exact)
        for key, value in exact.items():
            assert found.gain[key] == pytest.approx(value, rel=1e-9, abs=1e-9), (label, key)


def test_the_models_exercise_every_kind_of_suggestion(monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparisons above cover every suggestion that changes the model, and some that
    the flow rules refuse."""
    measured: set[str] = set()
    refused: set[str] = set()
    for _, model in _models():
        for name, _, found in _candidates(monkeypatch, model):
            (measured if found is not None else refused).add(name)
    assert measured == set(_EXACT)
    assert {"parallel", "check_first"} <= refused


def test_shipped_models_fast_gains_equal_the_changed_models(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for path in sorted((ROOT / "models").glob("*/*.yaml")):
        model = bpr.load(path)
        for name, args, found in _candidates(monkeypatch, model):
            edit = _EXACT[name](model, *args)
            assert (found is None) == (edit is None), (path, name, args)
            if found is not None and edit is not None:
                assert found.gain == edits.gain(model, edit.model), (path, name, args)


def test_a_refused_rework_is_refused_without_measuring(monkeypatch: pytest.MonkeyPatch) -> None:
    """A choice whose only way out is the branch back: without it no case would end."""
    model = bpr.loads(
        "bpr: 1\nservice: s\nvariant: as-is\nactors: {a: {name: A}, b: {name: B}}\nsteps:\n"
        "  - {id: fill, actor: a, work: 1h}\n"
        "  - {id: look, actor: b, work: 1h, next: [{to: fill, p: 0.5}, {to: again, p: 0.5}]}\n"
        "  - {id: again, actor: b, next: [{to: look, p: 0.6}, {to: end, p: 0.4}]}\n"
    )
    gains = FastGains(model)
    assert gains.rework("again", 1) is None  # the branch to the end is the loop's only exit
    assert edits.remove_rework(model, "again", 1) is None
    change = gains.rework("look", 0)
    assert change is not None
    # before: look runs 1 / (1 - 0.5 - 0.5 x 0.6) = 5 times, fill 1 + 0.5 x 5 = 3.5 times:
    # 8.5 h of work; without look's way back to fill: fill once, look 1 / (1 - 0.6) = 2.5
    # times: 3.5 h
    assert change.gain["work_hours"] == pytest.approx(3.5 - 8.5)


def test_a_rework_that_would_trap_the_case_is_refused() -> None:
    """Without its way back, the choice sends all but 2e-10 of its cases round a loop of two
    steps: the loop is left with a probability too small to measure (flow-loop-exit-negligible)
    though a way to the end remains."""
    model = bpr.loads(
        "bpr: 1\nservice: s\nvariant: as-is\nactors: {a: {name: A}}\nsteps:\n"
        "  - {id: fill, actor: a, work: 1h, next: [{to: look, p: 0.9}, {to: end, p: 0.1}]}\n"
        "  - id: look\n    actor: a\n"
        "    next: [{to: fill, p: 0.5}, {to: side, p: 0.4999999999}, {to: end, p: 1.0e-10}]\n"
        "  - {id: side, actor: a, next: look}\n"
    )
    assert edits.remove_rework(model, "look", 0) is None
    assert FastGains(model).rework("look", 0) is None


def test_a_step_is_not_run_beside_the_branches_that_make_its_papers() -> None:
    """'sign' needs the report that one branch of the split makes: as one more branch it
    would start without it, so the change is refused; 'file' needs nothing and may."""
    text = (
        "bpr: 1\nservice: s\nvariant: as-is\n"
        "actors: {a: {name: A}, b: {name: B}, c: {name: C}}\n"
        "documents: {report: {name: Report}}\nsteps:\n"
        "  - {id: open, actor: a, next: {all: [write, check]}}\n"
        "  - {id: write, actor: b, work: 2h, produces: [report], next: done}\n"
        "  - {id: check, actor: c, work: 1h, next: done}\n"
        "  - {id: done, actor: a, join: all, work: 1h}\n"
        "  - {id: sign, actor: b, work: 1h, wait: 1d, needs: [report]}\n"
        "  - {id: file, actor: c, work: 1h, wait: 2d}\n"
    )
    model = bpr.loads(text)
    gains = FastGains(model)
    assert edits.parallelise(model, "done", "sign") is None
    assert gains.parallel("done", "sign") is None
    unneeded = bpr.loads(text.replace(", needs: [report]", ""))
    change = FastGains(unneeded).parallel("done", "sign")
    edit = edits.parallelise(unneeded, "done", "sign")
    assert change is not None and edit is not None
    # sign's day now passes beside write's 2 h: the block takes max(2 h, 25 h) instead of
    # 2 h + 25 h
    assert change.gain == edits.gain(unneeded, edit.model)
    assert change.gain["lead_time_days"] == pytest.approx(-2 / 24, abs=1e-6)


def test_a_check_is_not_moved_before_the_step_that_makes_its_papers() -> None:
    text = (
        "bpr: 1\nservice: s\nvariant: as-is\n"
        "actors: {a: {name: A}, b: {name: B}, c: {name: C}}\n"
        "documents: {memo: {name: Memo}}\nsteps:\n"
        "  - {id: start, actor: a, work: 1h}\n"
        "  - {id: write, actor: b, work: 2h, wait: 1d, produces: [memo]}\n"
        "  - {id: stamp, actor: c, work: 1h}\n"
        "  - id: check\n    actor: a\n    work: 30m\n    needs: [memo]\n"
        "    next: [{to: end, p: 0.25}, {to: after, p: 0.75}]\n"
        "  - {id: after, actor: b, work: 1h}\n"
    )
    model = bpr.loads(text)
    assert edits.move_check_before(model, "check", ["write", "stamp"]) is None
    assert FastGains(model).check_first("check", ["write", "stamp"]) is None
    free = bpr.loads(text.replace("    needs: [memo]\n", ""))
    change = FastGains(free).check_first("check", ["write", "stamp"])
    edit = edits.move_check_before(free, "check", ["write", "stamp"])
    assert change is not None and edit is not None
    assert change.gain == edits.gain(free, edit.model)
    # a quarter of the cases now skip write and stamp: 0.25 x 3 h of work, 0.25 x 27 h elapsed
    assert change.gain["work_hours"] == pytest.approx(-0.75)
    assert change.gain["lead_time_days"] == pytest.approx(-0.25 * 27 / 24, abs=1e-6)


def _count_measures(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls = [0]
    inner = measures_module._measure

    def counted(model: bpr.Model) -> Any:
        calls[0] += 1
        return inner(model)

    monkeypatch.setattr(measures_module, "_measure", counted)
    return calls


@pytest.mark.parametrize("make", ["generate", "irregular", "busy"])
def test_full_measures_do_not_grow_with_the_model(
    monkeypatch: pytest.MonkeyPatch, make: str
) -> None:
    texts = {
        "generate": lambda n: GENERATE.model_text(n),
        "irregular": lambda n: IRREGULAR.irregular_model_text(n, seed=2),
        "busy": lambda n: busy_model_text(n // 9),
    }[make]
    counts = []
    for steps in (90, 360, 900):
        model = bpr.loads(texts(steps))
        calls = _count_measures(monkeypatch)
        found = lint(model, min_gain=0)
        monkeypatch.undo()
        counts.append(calls[0])
        assert found
    assert counts == [1, 1, 1]


def test_baseline_totals_are_the_measures_totals() -> None:
    for _, model in _models():
        assert Baseline(model).totals == list(expected_totals(model))


def test_baseline_runs_hand_checked() -> None:
    """A loop taken back by half the cases, inside one branch of a parallel block after a
    choice that 30% of cases skip: each figure worked out by hand."""
    model = bpr.loads(
        "bpr: 1\nservice: s\nvariant: as-is\nactors: {a: {name: A}, b: {name: B}}\nsteps:\n"
        "  - {id: start, actor: a, next: [{to: split, p: 0.7}, {to: skip, p: 0.3}]}\n"
        "  - {id: split, actor: a, next: {all: [work, side]}}\n"
        "  - {id: work, actor: b, work: 2h}\n"
        "  - {id: review, actor: b, work: 1h, next: [{to: work, p: 0.5}, {to: join, p: 0.5}]}\n"
        "  - {id: side, actor: a, work: 1h, wait: 1d, next: join}\n"
        "  - {id: join, actor: a, join: all, next: after}\n"
        "  - {id: skip, actor: a}\n"
        "  - {id: after, actor: a}\n"
    )
    runs = Baseline(model).case_runs()
    assert runs == pytest.approx(
        {
            "start": 1,
            "split": 0.7,
            "work": 1.4,
            "review": 1.4,
            "side": 0.7,
            "join": 0.7,
            "skip": 0.3,
            "after": 1,
        }
    )
    assert LintContext(model, 0.2).runs == pytest.approx(runs)
    # 0.7 of the cases wait for the slower branch: the loop (2 x 3 h = 6 h) or side (25 h)
    totals = Baseline(model).totals
    assert totals[0] == pytest.approx(0.7 * 25)
    assert totals[1] == pytest.approx(0.7 * (6 + 1))
    # the reviews no longer sending half back: 0.7 x (3 h + 1 h) of work, elapsed unchanged
    change = FastGains(model).rework("review", 0)
    assert change is not None
    assert change.gain == {"work_hours": pytest.approx(0.7 * 4 - 0.7 * 7)}


def test_visits_reached_are_the_steps_reached() -> None:
    for _, model in _models():
        context = LintContext(model, 0.2)
        onward = {
            s: [t for t, _ in ts] for s, ts in context.analysis.successors.items() if s != END
        }
        visits = [s.id for s in model.steps if s.is_visit][:40]
        for first in visits:
            beyond = reachable(onward, onward[first])
            for second in visits:
                assert context.reaches(first, second) == (second in beyond)


def test_incremental_examples_run() -> None:
    assert doctest.testmod(incremental).failed == 0


def test_busy_model_is_valid_and_linted(tmp_path: Path) -> None:
    model = bpr.loads(busy_model_text(3))
    rules = {f.rule for f in lint(model, min_gain=0)}
    assert {"once-only", "repeated-contact", "knock-out-order", "rework"} <= rules


@pytest.mark.parametrize(("label", "model"), list(_models()), ids=lambda x: str(x)[:24])
def test_quick_parallel_split_is_the_checked_one(
    monkeypatch: pytest.MonkeyPatch, label: str, model: bpr.Model
) -> None:
    """The draft runs steps side by side without running the flow rules again: the model,
    its flow analysis, predecessors and available documents are those the rules give, one
    change after the other, and the draft is the same."""
    findings = lint(model, min_gain=0)
    current = model
    applied = 0
    for finding in findings:
        if finding.rule != "sequential-independent":
            continue
        quick = edits.parallelise(current, *finding.steps, quick=True)
        checked = edits.parallelise(current, *finding.steps)
        assert (quick is None) == (checked is None), (label, finding.steps)
        if quick is None or checked is None:
            continue
        assert quick.model.steps == checked.model.steps and quick.notes == checked.notes
        derived, fresh = quick.model.__dict__["_analysis"], analyse(checked.model)
        assert derived is not fresh
        assert derived.successors == fresh.successors and derived.blocks == fresh.blocks
        assert len(derived.problems) == len(fresh.problems)
        assert quick.model.__dict__["_lint_preds"] == edits.predecessors(checked.model, fresh)
        available = edits.available_documents(checked.model)
        assert quick.model.__dict__["_lint_available"] == available
        current = quick.model
        applied += 1
    assert applied, label
    quick_draft = build_draft(model, findings)
    exact = edits.parallelise
    monkeypatch.setattr("bpr.lint.draft.parallelise", lambda m, a, b, quick=False: exact(m, a, b))
    checked_draft = build_draft(model, findings)
    assert quick_draft.text == checked_draft.text
    assert quick_draft.applied == checked_draft.applied
