"""Tests of the simulation's fast paths (issue 20) and of its queueing at a busy desk (issue 16).

The plain simulation takes each run of plain steps at once, picks branches by comparisons
and ranks paths without a full stable sort; these tests hold each shortcut to the slow way
it replaces, exactly, and the whole simulation to the measures. The queueing checks at a
utilisation of 0.9 pool independent runs, whose spread gives an error free of any
assumption about the correlation of successive waits.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

import bpr
from bpr.core.durations import Duration
from bpr.simulate import simulate
from bpr.simulate.cases import _branch_drawn, _top_paths

HEAD = "bpr: 1\nservice: s\nvariant: as-is\n"


# -- the shortcuts against the slow ways ---------------------------------------------------------


@pytest.mark.parametrize("branches", [1, 2, 3, 5, 8, 9, 12])
def test_branches_are_drawn_as_searchsorted_draws_them(branches):
    rng = np.random.default_rng(branches)
    shares = rng.random(branches)
    shares[rng.random(branches) < 0.3] = 0.0  # some branches never taken
    shares[-1] += 0.1
    cumulative = np.cumsum(shares / shares.sum())
    cumulative[-1] = 1.0
    dice = np.concatenate([rng.random(5_000), cumulative[:-1], [0.0]])  # the edges too
    expected = np.searchsorted(cumulative, dice, side="right")
    assert _branch_drawn(cumulative, dice).tolist() == expected.tolist()


def test_the_top_paths_are_those_of_a_full_sort_ties_to_the_first_case():
    rng = np.random.default_rng(7)
    for trial in range(200):
        cases = int(rng.integers(1, 2_000))
        top = int(rng.integers(0, 14))
        kinds = int(rng.integers(1, 150))  # from one path to many ties of one case each
        hashes = rng.integers(0, kinds, cases).astype(np.uint64) * np.uint64(1_000_003)
        distinct, first, counts = np.unique(hashes, return_index=True, return_counts=True)
        order = np.lexsort((first, -counts))[:top]
        found = _top_paths(hashes, top)
        assert found[0].tolist() == first[order].tolist(), trial
        assert found[1].tolist() == counts[order].tolist(), trial
        assert found[2] == len(distinct), trial


def test_a_run_of_plain_steps_draws_each_duration_as_the_step_alone_would():
    # one group of cases through five plain steps: the chain draws the same numbers, in the
    # same order, as one numpy call per duration, and adds them all
    m = bpr.loads(
        HEAD + "actors: {a: {name: A}, me: {name: Me, kind: applicant}}\nsteps:\n"
        "  - {id: p, actor: me, work: 1h..5h, wait: {min: 2h, mode: 3h, max: 10h}}\n"
        "  - {id: q, actor: a, work: {min: 1h, mode: 1h, max: 4h}, wait: 2h, fee: 7}\n"
        "  - {id: r, actor: a, work: 30m}\n"
        "  - {id: s, actor: me, work: 2h, wait: {min: 1h, mode: 6h, max: 6h}, fee: 3}\n"
        "  - {id: t, actor: a, work: 1d..2d}\n"
    )
    cases = 5_000
    result = simulate(m, cases, seed=9)
    rng = np.random.default_rng(9)
    p_work, p_wait = rng.uniform(1, 5, cases), rng.triangular(2, 3, 10, cases)
    q_work = rng.triangular(1, 1, 4, cases)
    s_wait = rng.triangular(1, 6, 6, cases)
    t_work = rng.uniform(24, 48, cases)
    lead = p_work + p_wait + q_work + 2 + 0.5 + 2 + s_wait + t_work
    np.testing.assert_allclose(result.lead_time_hours, lead, rtol=1e-12)
    np.testing.assert_allclose(result.applicant_hours, p_work + 2, rtol=1e-12)
    assert set(result.fees) == {10.0}
    work = p_work.sum() + q_work.sum() + (0.5 + 2) * cases + t_work.sum()
    assert result.work_hours == pytest.approx(work, rel=1e-12)
    assert result.step_runs == dict.fromkeys("pqrst", cases)


def test_fixed_chains_around_loops_and_a_parallel_block_add_up_exactly():
    # every duration fixed: a case's lead time is the sum over its path; the path is known
    # from its step runs, so each case can be checked exactly
    m = bpr.loads(
        HEAD + "actors: {a: {name: A}, me: {name: Me, kind: applicant}}\nsteps:\n"
        "  - {id: a1, actor: me, work: 1h, fee: 2}\n"
        "  - {id: a2, actor: a, work: 2h, wait: 1d}\n"
        "  - {id: a3, actor: a, work: 3h, next: [{to: a2, p: 0.3}, {to: b1, p: 0.7}]}\n"
        "  - {id: b1, actor: a, work: 1h, next: {all: [c1, d1]}}\n"
        "  - {id: c1, actor: a, work: 5h}\n"
        "  - {id: c2, actor: a, work: 5h, next: j}\n"
        "  - {id: d1, actor: me, work: 1h, wait: 2d, next: j}\n"
        "  - {id: j, actor: a, join: all, work: 1h}\n"
        "  - {id: k, actor: a, work: 1h, fee: 5}\n"
    )
    result = simulate(m, 20_000, seed=4, events=True)
    table = result.events
    assert table is not None
    rounds = np.bincount(table.case[table.activity == 2], minlength=20_000)  # runs of a3
    assert rounds.min() == 1 and rounds.max() > 3
    # a1, then (a2 + a3) per round, b1, the slower branch (d1: 49 h > c1 + c2: 10 h), j, k
    expected = 1 + rounds * (2 + 24 + 3) + 1 + 49 + 1 + 1
    np.testing.assert_allclose(result.lead_time_hours, expected)
    assert set(result.applicant_hours) == {2.0}
    assert set(result.fees) == {7.0}
    plain = simulate(m, 20_000, seed=4)  # without events, the steps run as chains
    assert plain.lead_time_hours.mean() == pytest.approx(result.lead_time_hours.mean(), rel=0.01)


def test_the_mean_lead_time_converges_to_the_measures():
    m = bpr.loads(
        HEAD + "actors: {a: {name: A}, me: {name: Me, kind: applicant}}\nsteps:\n"
        "  - {id: a1, actor: me, work: 1h..3h, wait: 1d..3d, fee: 2}\n"
        "  - {id: a2, actor: a, work: {min: 1h, mode: 2h, max: 6h}, wait: 1d}\n"
        "  - {id: a3, actor: a, work: 3h, next: [{to: a2, p: 0.25}, {to: b1, p: 0.75}]}\n"
        "  - {id: b1, actor: a, work: 1h, wait: 4h..8h, fee: 5}\n"
        "  - {id: b2, actor: me, work: 30m, next: [{to: b4, p: 0.4}, {to: b3, p: 0.6}]}\n"
        "  - {id: b3, actor: a, work: 2d}\n"
        "  - {id: b4, actor: a, work: 1h}\n"
    )
    result = simulate(m, 100_000, seed=12)
    measures = bpr.measure(m)
    error = result.lead_time_days.std() / math.sqrt(result.cases)
    assert abs(result.lead_time_days.mean() - measures.lead_time_days) < 5 * error
    assert error < 0.01 * measures.lead_time_days  # sharp enough to mean something
    assert result.step_runs["a2"] / result.cases == pytest.approx(4 / 3, rel=0.01)
    assert result.fees.mean() == pytest.approx(7.0)


# -- queueing theory at a utilisation of 0.9, from independent runs -----------------------------


def _one_desk(rate: float, exponential: bool = False) -> bpr.Model:
    m = bpr.loads(
        HEAD + f"volume: {rate * 365.25 * 24}\nactors: {{desk: {{name: Desk}}}}\n"
        "steps:\n  - {id: serve, actor: desk, work: 1h}\n"
    )
    if not exponential:
        return m
    step = dataclasses.replace(m.steps[0], work=Duration(0.0, 1.0, math.inf, "exponential"))
    return dataclasses.replace(m, steps=(step,))


def _pooled_mean(m: bpr.Model, desks: int, runs: int, cases: int) -> tuple[float, float]:
    """The mean waiting over independent runs (each after a warm-up of 1 %), and its
    standard error from the spread of the runs' means."""
    means = []
    for seed in range(runs):
        waits = simulate(m, cases, seed=100 + seed, staff={"desk": desks}).queue_hours
        assert waits is not None
        means.append(waits[cases // 100 :].mean())
    return float(np.mean(means)), float(np.std(means, ddof=1) / math.sqrt(runs))


def test_a_busy_desk_with_fixed_work_waits_as_pollaczek_khinchine():
    mean, error = _pooled_mean(_one_desk(0.9), 1, runs=10, cases=30_000)
    expected = 0.9 / (2 * (1 - 0.9))  # 4.5 h
    assert abs(mean - expected) < 4 * error
    assert error < 0.05 * expected


def test_busy_desks_with_exponential_work_wait_as_erlang_c():
    desks, load = 5, 4.5  # rho 0.9
    top = load**desks / math.factorial(desks) * desks / (desks - load)
    waiting = top / (sum(load**k / math.factorial(k) for k in range(desks)) + top)
    expected = waiting / (desks - load)  # 1.525 h
    mean, error = _pooled_mean(_one_desk(load, exponential=True), desks, runs=10, cases=30_000)
    assert abs(mean - expected) < 4 * error
    assert error < 0.08 * expected
