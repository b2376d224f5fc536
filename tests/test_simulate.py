"""Tests of bpr.simulate: agreement with the measures, distributions, paths, events, plots."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

import bpr
from bpr.core.durations import DurationError, parse_duration
from bpr.core.flow import analyse
from bpr.core.model import END, Model
from bpr.simulate import SimulationError, plot_lead_times, simulate

DATA = Path(__file__).parent / "data"
NESTED = DATA / "logs" / "nested.yaml"
CONTRACT = DATA / "contract-example.yaml"
MODELS = Path(__file__).resolve().parent.parent / "models"

HEAD = "bpr: 1\nservice: s\nvariant: as-is\n"


def model(text: str) -> Model:
    return bpr.loads(HEAD + text)


def contract() -> Model:
    if CONTRACT.exists():
        return bpr.load(CONTRACT)
    return bpr.load(NESTED)  # pragma: no cover - the contract example is shipped with the tests


# -- duration distributions (parsed by the core; the simulator draws from them) ---------------


@pytest.mark.parametrize(
    ("text", "kind", "low", "high", "mean"),
    [
        ("5d", "fixed", 120, 120, 120),
        ("2d..9d", "uniform", 48, 216, 132),
        ("30m..1h 30m", "uniform", 0.5, 1.5, 1.0),
        ({"min": "2d", "mode": "3d", "max": "9d"}, "triangular", 48, 216, 112),
        ({"min": "1h", "max": "3h"}, "triangular", 1, 3, 2),
    ],
)
def test_duration_distributions_parse_with_their_means(text, kind, low, high, mean):
    duration = parse_duration(text)
    assert (duration.kind, duration.low, duration.high) == (kind, low, high)
    assert duration.mean == pytest.approx(mean)


@pytest.mark.parametrize(
    "text",
    ["9d..2d", {"min": "3d", "mode": "1d", "max": "4d"}, {"min": "1d"}, "2d..", "2 days..3d"],
)
def test_bad_distributions_are_refused(text):
    with pytest.raises(DurationError):
        parse_duration(text)


def test_distributions_measure_by_their_means():
    m = model(
        "actors: {a: {name: A}}\nsteps:\n"
        "  - {id: x, actor: a, wait: 2d..4d}\n"
        "  - {id: y, actor: a, wait: {min: 1d, mode: 2d, max: 6d}}\n"
    )
    assert bpr.measure(m).lead_time_days == pytest.approx(3 + 3)


# -- agreement with the measures ---------------------------------------------------------------


def _within_sampling_error(values: np.ndarray, expected: float, sigmas: float = 5.0) -> bool:
    error = values.std() / np.sqrt(len(values))
    return bool(abs(values.mean() - expected) <= sigmas * error + 1e-9)


@pytest.mark.parametrize(
    "path", [*sorted(MODELS.glob("*/*.yaml")), CONTRACT], ids=lambda p: f"{p.parent.name}/{p.stem}"
)
def test_simulated_means_agree_with_the_measures(path):
    if not path.exists():
        pytest.skip("model not present")
    m = bpr.load(path)
    branch_choices = any(
        m.step(s).next.kind == "choice" for b in analyse(m).blocks for s in b.steps
    )
    result = simulate(m, 20_000, seed=11)
    measures = bpr.measure(m)
    if branch_choices:  # the mean of the slowest branch exceeds the slowest mean branch
        assert result.lead_time_hours.mean() >= measures.lead_time_days * 24 * 0.99
    else:
        assert _within_sampling_error(result.lead_time_hours, measures.lead_time_days * 24)
    assert _within_sampling_error(result.applicant_hours, measures.applicant_hours)
    assert _within_sampling_error(result.fees, measures.fees)
    assert result.work_hours / result.cases == pytest.approx(measures.work_hours, rel=0.05)


def test_the_contract_example_in_detail():
    m = contract()
    result = simulate(m, 50_000, seed=5)
    summary = result.summary()
    assert summary["expected_lead_time_days"] == pytest.approx(13.260417, abs=1e-6)
    assert summary["lead_time_days"]["mean"] == pytest.approx(13.2604, abs=0.05)
    # a case without rework takes 293.5 hours; each rework adds notarise and check (98 hours)
    assert summary["lead_time_days"]["min"] == pytest.approx(293.5 / 24)
    assert summary["lead_time_days"]["p50"] == pytest.approx(293.5 / 24)
    assert summary["lead_time_days"]["p90"] == pytest.approx((293.5 + 99) / 24)
    assert summary["step_runs_mean"]["notarise"] == pytest.approx(1.25, abs=0.02)
    assert summary["step_runs_mean"]["receive"] == 1
    first = summary["paths"][0]
    assert first["path"] == ["check->register"]
    assert first["share"] == pytest.approx(0.8, abs=0.01)
    assert summary["paths"][1]["path"] == ["check->notarise", "check->register"]


# -- a reference: one case at a time in plain Python ----------------------------------------------


def _reference(m: Model, cases: int, seed: int) -> np.ndarray:
    """Lead times by a slow, obvious per-case walk (the semantics of the format)."""
    rng = random.Random(seed)
    blocks = {b.split: b for b in analyse(m).blocks}

    def hours(duration) -> float:
        if duration.kind == "uniform":
            return rng.uniform(duration.low, duration.high)
        if duration.kind == "triangular":
            return rng.triangular(duration.low, duration.high, duration.mode)
        return duration.mode

    def walk(start: str, stop: str) -> float:
        node, elapsed = start, 0.0
        while node not in (stop, END):
            step = m.step(node)
            elapsed += hours(step.work) + hours(step.wait)
            if node in blocks:
                block = blocks[node]
                elapsed += max(
                    (walk(b, block.join) for b in block.branches if b != block.join), default=0.0
                )
                node = block.join
                continue
            branches = step.next.branches
            if step.next.kind == "choice":
                draw, total = rng.random(), 0.0
                for branch in branches:
                    total += branch.p
                    if draw < total:
                        node = branch.to
                        break
                else:
                    node = branches[-1].to
            else:
                node = branches[0].to
        return elapsed

    return np.array([walk(m.first.id, END) for _ in range(cases)])


def test_nested_blocks_and_loops_match_a_per_case_reference():
    m = bpr.load(NESTED)
    fast = simulate(m, 40_000, seed=3).lead_time_hours
    slow = _reference(m, 8_000, seed=3)
    spread = np.sqrt(fast.var() / len(fast) + slow.var() / len(slow))
    assert abs(fast.mean() - slow.mean()) < 5 * spread
    assert np.percentile(fast, 50) == pytest.approx(np.percentile(slow, 50), rel=0.05)
    assert np.percentile(fast, 90) == pytest.approx(np.percentile(slow, 90), rel=0.05)
    # a loop inside a branch makes the slowest branch slower on average than the measures say
    assert fast.mean() > bpr.measure(m).lead_time_days * 24 + 5


def test_distributions_are_drawn_from():
    m = model(
        "actors: {a: {name: A}}\nsteps:\n"
        "  - {id: x, actor: a, wait: 1d..3d}\n"
        "  - {id: y, actor: a, work: {min: 1h, mode: 2h, max: 6h}}\n"
    )
    result = simulate(m, 30_000, seed=9)
    lead = result.lead_time_hours
    assert 25 <= lead.min() < 26 and 77 < lead.max() <= 78
    assert _within_sampling_error(lead, 48 + 3)
    assert np.percentile(lead, 50) == pytest.approx(48 + 3, rel=0.05)


def test_a_parallel_split_takes_its_slowest_branch():
    m = model(
        "actors: {a: {name: A}}\nsteps:\n"
        "  - {id: s, actor: a, work: 1h, next: {all: [fast, slow, j]}}\n"
        "  - {id: fast, actor: a, wait: 1d, next: j}\n"
        "  - {id: slow, actor: a, wait: 3d, next: j}\n"
        "  - {id: j, actor: a, join: all, work: 1h}\n"
    )
    result = simulate(m, 100, seed=1)
    assert set(result.lead_time_hours) == {1 + 72 + 1}
    assert result.work_hours == pytest.approx(200)


# -- determinism, paths, edge cases -------------------------------------------------------------


def test_the_same_seed_gives_the_same_result():
    m = bpr.load(NESTED)
    one, two = simulate(m, 5_000, seed=42), simulate(m, 5_000, seed=42)
    assert np.array_equal(one.lead_time_hours, two.lead_time_hours)
    assert one.summary() == two.summary()
    other = simulate(m, 5_000, seed=43)
    assert not np.array_equal(one.lead_time_hours, other.lead_time_hours)


def test_events_do_not_change_the_figures():
    m = bpr.load(NESTED)
    plain = simulate(m, 2_000, seed=4)
    logged = simulate(m, 2_000, seed=4, events=True)
    assert np.array_equal(plain.lead_time_hours, logged.lead_time_hours)


def test_paths_are_capped_and_shares_add_up():
    m = bpr.load(NESTED)
    result = simulate(m, 20_000, seed=2, top_paths=3)
    summary = result.summary()
    assert len(summary["paths"]) == 3
    shares = [p["share"] for p in summary["paths"]]
    assert shares == sorted(shares, reverse=True)
    assert sum(shares) + summary["other_paths"]["share"] == pytest.approx(1.0)
    assert summary["other_paths"]["paths"] == result.path_count - 3 > 0


def test_a_model_without_choices_has_one_empty_path():
    m = model("actors: {a: {name: A}}\nsteps: [{id: x, actor: a, work: 1h}]\n")
    summary = simulate(m, 10, seed=0).summary()
    assert summary["paths"] == [{"path": [], "cases": 10, "share": 1.0}]
    assert summary["lead_time_days"]["max"] == pytest.approx(1 / 24, abs=1e-6)


def test_a_branch_with_probability_zero_is_never_taken():
    m = model(
        "actors: {a: {name: A}}\nsteps:\n"
        "  - {id: x, actor: a, next: [{to: y, p: 0}, {to: end, p: 1}]}\n"
        "  - {id: y, actor: a, work: 1h}\n"
    )
    result = simulate(m, 1_000, seed=0)
    assert result.step_runs["y"] == 0


def test_no_cases_is_an_error():
    with pytest.raises(SimulationError, match="at least 1"):
        simulate(bpr.load(NESTED), 0)


def test_a_loop_that_hardly_ever_ends_is_stopped(monkeypatch):
    monkeypatch.setattr("bpr.simulate.cases._MAX_ROUNDS", 50)
    m = model(
        "actors: {a: {name: A}}\nsteps:\n"
        "  - {id: x, actor: a, next: [{to: x, p: 0.99}, {to: end, p: 0.01}]}\n"
    )
    with pytest.raises(SimulationError, match="more than 50 times"):
        simulate(m, 1_000, seed=0)


# -- events -------------------------------------------------------------------------------------


def test_events_follow_the_flow():
    m = bpr.load(NESTED)
    result = simulate(m, 300, seed=8, events=True, start="2026-03-02")
    table = result.events
    assert table is not None
    assert len(table) == sum(result.step_runs.values())
    assert np.all(table.start <= table.complete)
    assert np.all(np.diff(table.case) >= 0)
    assert table.start.min() >= np.datetime64("2026-03-02")
    index = {name: i for i, name in enumerate(table.names)}
    for case in range(20):
        rows = table.case == case
        names = [table.names[a] for a in table.activity[rows]]
        starts, ends = table.start[rows], table.complete[rows]
        assert names[0] == "apply" and names[-1] == "decide"
        # the inner join waits for both tests; the lab's join for the branch before it
        done = {n: ends[i] for i, n in enumerate(names)}
        begun = {n: starts[i] for i, n in enumerate(names)}
        assert begun["lab_done"] >= max(done["test_a"], done["test_b"])
        assert begun["merge"] >= done["lab_done"]
        assert begun["merge"] >= done["check"]
    assert "apply" in index


def test_cases_arrive_at_the_models_volume():
    m = bpr.load(NESTED)  # volume 5000 a year
    table = simulate(m, 2_000, seed=1, events=True).events
    assert table is not None
    firsts = table.start[np.r_[True, np.diff(table.case) != 0]]
    days = (firsts.max() - firsts.min()) / np.timedelta64(1, "D")
    assert days == pytest.approx(2_000 / 5_000 * 365, rel=0.1)


def test_a_bad_start_date_is_refused():
    with pytest.raises(SimulationError, match="YYYY-MM-DD"):
        simulate(bpr.load(NESTED), 5, seed=1, events=True, start="next monday")
    for word in ("now", "today", "99999-01-01"):  # numpy reads these; pandas and pm4py do not
        with pytest.raises(SimulationError, match="YYYY-MM-DD"):
            simulate(bpr.load(NESTED), 5, seed=1, events=True, start=word)
    with pytest.raises(SimulationError, match="outside the years 1900 to 2200"):
        simulate(bpr.load(NESTED), 5, seed=1, events=True, start="2300-01-01")
    table = simulate(bpr.load(NESTED), 5, seed=1, events=True, start=" 2200-12-31 ").events
    assert table is not None and table.start.min() >= np.datetime64("2200-12-31")


def test_a_log_past_what_pandas_reads_is_refused():
    # a volume of 1 a year spreads 1,000 cases over 1,000 years: timestamps after April 2262
    # are beyond pandas before version 3, past 9999 beyond ISO 8601 and any reader
    m = model("volume: 1\nactors: {a: {name: A}}\nsteps: [{id: x, actor: a, work: 1h}]\n")
    with pytest.raises(SimulationError, match=r"past 2262-04-11.*1,000 cases arrive at 1 a year"):
        simulate(m, 1_000, seed=1, events=True)
    table = simulate(m, 100, seed=1, events=True).events  # a century fits
    assert table is not None and table.complete.max() < np.datetime64("2262-04-11")
    tiny = model("volume: 0.001\nactors: {a: {name: A}}\nsteps: [{id: x, actor: a}]\n")
    with pytest.raises(SimulationError, match="would run for"):
        simulate(tiny, 10_000, seed=1, events=True)


def test_a_negative_seed_is_refused():
    with pytest.raises(SimulationError, match="from 0 up, not -1"):
        simulate(bpr.load(NESTED), 5, seed=-1)


def test_more_cases_than_memory_holds_are_refused_before_the_start(monkeypatch):
    monkeypatch.setattr("bpr.simulate.cases._available_memory", lambda: 50 * 2**20)
    m = bpr.load(NESTED)
    assert simulate(m, 100_000, seed=1).cases == 100_000  # about 19 MiB
    with pytest.raises(SimulationError, match=r"not enough memory to simulate 1,000,000 cases"):
        simulate(m, 1_000_000, seed=1)
    with pytest.raises(SimulationError, match="with their events"):
        simulate(m, 50_000, seed=1, events=True)  # 10 steps: about 57 MiB


def test_running_out_of_memory_is_an_error_not_a_traceback(monkeypatch):
    monkeypatch.setattr("bpr.simulate.cases._available_memory", lambda: None)  # not known

    def full(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr("bpr.simulate.cases._Engine.run", full)
    with pytest.raises(SimulationError, match="not enough memory to simulate 5 cases"):
        simulate(bpr.load(NESTED), 5, seed=1)


# -- plots --------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_plots_are_written(tmp_path, suffix):
    result = simulate(contract(), 2_000, seed=1)
    target = tmp_path / f"lead.{suffix}"
    plot_lead_times(result, str(target))
    data = target.read_bytes()
    if suffix == "png":
        assert data.startswith(b"\x89PNG")
    else:
        assert b"<svg" in data and b"p90" in data


def test_a_plot_of_identical_lead_times_works(tmp_path):
    m = model("actors: {a: {name: A}}\nsteps: [{id: x, actor: a, work: 1h}]\n")
    target = tmp_path / "flat.png"
    plot_lead_times(simulate(m, 50, seed=1), str(target))
    assert target.stat().st_size > 1000


def test_a_plot_needs_a_known_format(tmp_path):
    with pytest.raises(SimulationError, match=r"\.png or \.svg"):
        plot_lead_times(simulate(contract(), 10, seed=1), str(tmp_path / "x.gif"))


def _random_model(seed: int) -> Model:
    """A chain of steps with random rework loops, skips and an optional parallel block."""
    rng = random.Random(seed)
    count = rng.randint(3, 12)
    lines = ["actors: {a: {name: A}, me: {name: Me, kind: applicant}}", "steps:"]
    block_at = rng.randint(1, count - 2) if count > 4 and rng.random() < 0.5 else None
    for i in range(count):
        fields = [
            f"id: s{i}",
            f"actor: {rng.choice(['a', 'me'])}",
            f"work: {rng.randint(0, 3)}h",
            f"wait: {rng.randint(0, 48)}h..{rng.randint(48, 96)}h",
            f"fee: {rng.choice([0, 0, 5])}",
        ]
        if block_at is not None and i == block_at:
            fields.append(f"next: {{all: [b{i}, c{i}]}}")
        elif block_at is not None and i == block_at + 1:
            fields.append("join: all")
        in_block = block_at is not None and i in (block_at, block_at + 1)
        if i > 0 and not in_block and rng.random() < 0.4:
            back = rng.randint(0, i)
            if block_at is not None and back == block_at + 1:
                back = i  # a loop may not enter the block through its join
            target = f"s{i + 1}" if i + 1 < count else "end"
            q = round(rng.uniform(0.05, 0.5), 2)
            fields.append(f"next: [{{to: s{back}, p: {q}}}, {{to: {target}, p: {1 - q:.2f}}}]")
        lines.append("  - {" + ", ".join(fields) + "}")
        if block_at is not None and i == block_at:
            lines.append(f"  - {{id: b{i}, actor: a, wait: {rng.randint(1, 9)}h, next: s{i + 1}}}")
            lines.append(f"  - {{id: c{i}, actor: a, wait: {rng.randint(1, 9)}h, next: s{i + 1}}}")
    return model("\n".join(lines) + "\n")


@pytest.mark.parametrize("seed", range(12))
def test_random_models_agree_with_the_measures(seed):
    m = _random_model(seed)
    result = simulate(m, 20_000, seed=seed)
    measures = bpr.measure(m)
    assert _within_sampling_error(result.lead_time_hours, measures.lead_time_days * 24)
    assert _within_sampling_error(result.applicant_hours, measures.applicant_hours)
    assert _within_sampling_error(result.fees, measures.fees)
