"""Tests of the simulation with staff: queueing theory, office hours, staff search, errors.

The steady-state checks compare the mean queue waiting with the Pollaczek-Khinchine formula
(one desk, fixed work) and the Erlang C formula (several desks, exponential work). Waits of
successive cases are correlated, so the tolerance is four standard errors estimated by batch
means (50 batches of 1,000 cases after a warm-up): a correct simulator fails such a check
about once in 15,000 runs, and a wrong formula (a queue discipline that is not FCFS, a desk
count off by one, a work time held twice) is off by far more.
"""

from __future__ import annotations

import datetime
import math

import numpy as np
import pytest

import bpr
from bpr.core.calendar import Arrivals, parse_hours
from bpr.core.durations import Duration
from bpr.core.model import Model
from bpr.simulate import (
    SimulationError,
    find_staff,
    parse_target,
    simulate,
    staff_needed,
)
from bpr.simulate.arrivals import arrival_times
from bpr.simulate.calendar import OfficeCalendar, weekly_hours
from bpr.simulate.queueing import Staffing, run_queued

HEAD = "bpr: 1\nservice: s\nvariant: as-is\n"
MONDAY = datetime.date(2026, 1, 5)
NINE_TO_SIX = "Mon-Fri 09:00-13:00, 14:00-18:00"  # lunch 13-14
WEEKDAYS_9_TO_6 = weekly_hours(parse_hours(NINE_TO_SIX))


def model(text: str) -> Model:
    return bpr.loads(HEAD + text)


def one_desk(work: str = "1h", volume: float = 4380) -> Model:
    return model(
        f"volume: {volume}\nactors: {{desk: {{name: Desk}}}}\n"
        f"steps:\n  - {{id: serve, actor: desk, work: {work}}}\n"
    )


def with_exponential_work(m: Model, mean_hours: float) -> Model:
    """The model with its one step's work exponential (a kind only Python can give)."""
    import dataclasses

    step = dataclasses.replace(m.steps[0], work=Duration(0.0, mean_hours, math.inf, "exponential"))
    return dataclasses.replace(m, steps=(step,))


def batch_mean_error(values: np.ndarray, warm_up: int = 2_000, batches: int = 50) -> tuple:
    kept = values[warm_up:]
    size = len(kept) // batches
    means = kept[: size * batches].reshape(batches, size).mean(axis=1)
    return float(kept.mean()), float(means.std(ddof=1) / math.sqrt(batches))


# -- queueing theory ---------------------------------------------------------------------------


def test_one_desk_fixed_work_waits_as_pollaczek_khinchine():
    # lambda = 0.6 an hour (5,256 a year), work 1 h: rho 0.6, Wq = lambda E[S^2] / (2 (1 - rho))
    volume = 0.6 * 365.25 * 24
    result = simulate(one_desk("1h", volume), 52_000, seed=3, staff={"desk": 1})
    expected = 0.6 * 1.0 / (2 * (1 - 0.6))  # 0.75 h
    mean, error = batch_mean_error(result.queue_hours)
    assert abs(mean - expected) < 4 * error
    assert error < 0.05 * expected  # the check is sharp enough to mean something
    assert result.queues["desk"].utilisation == pytest.approx(0.6, abs=0.01)


def test_several_desks_exponential_work_wait_as_erlang_c():
    # c = 3 desks, mu = 1 an hour, lambda = 2.4 an hour: rho 0.8
    c, lam, mu = 3, 2.4, 1.0
    a = lam / mu
    top = a**c / math.factorial(c) * c / (c - a)
    erlang_c = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    expected = erlang_c / (c * mu - lam)
    m = with_exponential_work(one_desk("1h", lam * 365.25 * 24), 1 / mu)
    result = simulate(m, 52_000, seed=5, staff={"desk": c})
    mean, error = batch_mean_error(result.queue_hours)
    assert abs(mean - expected) < 4 * error
    assert error < 0.08 * expected
    queue = result.queues["desk"]
    assert queue.utilisation == pytest.approx(0.8, abs=0.015)
    # Little's law: mean queue length = lambda * mean wait
    assert queue.queue_length_mean == pytest.approx(lam * queue.wait_mean_hours, rel=0.02)


def test_waiting_percentiles_follow_the_exponential_tail_of_m_m_1():
    # M/M/1: P(Wq > t) = rho exp(-(mu - lambda) t); p90 solves rho exp(-(mu-lambda) t) = 0.1
    lam, mu = 0.5, 1.0
    m = with_exponential_work(one_desk("1h", lam * 365.25 * 24), 1 / mu)
    queue = simulate(m, 60_000, seed=2, staff={"desk": 1}).queues["desk"]
    p90 = math.log(lam / mu / 0.1) / (mu - lam)
    assert queue.wait_p90_hours == pytest.approx(p90, rel=0.06)
    assert queue.wait_p50_hours == pytest.approx(0.0, abs=0.01)  # half the cases find it free


# -- office hours: a hand-worked day -----------------------------------------------------------


def day_model(holiday: datetime.date | None = None):
    m = one_desk("3h")
    calendar = OfficeCalendar.build(WEEKDAYS_9_TO_6, MONDAY, [holiday] if holiday else [])
    # Monday 08:00, 10:00 and 17:00
    return m, Staffing({"desk": 1}, {"desk": calendar}, np.array([8.0, 10.0, 17.0]))


def test_a_hand_worked_day_at_one_desk_with_office_hours():
    # 1: waits for 09:00, works 09-12.  2: arrives 10:00, the desk is busy until 12:00; works
    # 12-13 and 14-16 after lunch.  3: arrives 17:00 at a free desk; works 17-18 and on Tuesday
    # 09-11, done at 35 h.
    m, staffing = day_model()
    run = run_queued(m, staffing, seed=1)
    assert run.lead_time_hours.tolist() == [4.0, 6.0, 18.0]
    assert run.queue_hours.tolist() == [1.0, 2.0, 0.0]
    desk = run.queues["desk"]
    assert desk.work_hours == 9.0
    # open hours from 08:00 Monday to 11:00 Tuesday: 8 + 2 = 10
    assert desk.utilisation == pytest.approx(0.9)
    assert desk.queue_length_mean == pytest.approx(3.0 / 27.0)
    assert desk.wait_mean_hours == pytest.approx(1.0)
    assert desk.wait_p50_hours == pytest.approx(1.0, rel=0.002)


def test_a_holiday_closes_the_office_for_the_day():
    m, staffing = day_model(holiday=datetime.date(2026, 1, 6))  # Tuesday
    run = run_queued(m, staffing, seed=1)
    assert run.lead_time_hours.tolist() == [4.0, 6.0, 42.0]  # case 3 ends Wednesday 11:00


def test_the_calendar_runs_on_past_its_horizon_and_over_weekends():
    calendar = OfficeCalendar.build(WEEKDAYS_9_TO_6, MONDAY, [], horizon_days=7)
    assert calendar.week_hours == 40
    friday_5pm = 4 * 24 + 17.0
    assert calendar.advance(friday_5pm, 2.0) == 7 * 24 + 10.0  # Monday 10:00
    far = 52 * 7 * 24 + 4 * 24 + 17.0  # a Friday a year on, past the horizon
    assert calendar.advance(far, 2.0) == far + 3 * 24 - 17 + 10.0
    assert calendar.next_open(5 * 24 + 12.0) == 7 * 24 + 9.0  # Saturday noon: Monday 09:00
    assert calendar.open_hours(7 * 24.0) == 40


def test_office_hours_without_staff_delay_work_but_queue_nobody():
    m = one_desk("1h")
    result = simulate(m, 500, seed=1, hours={"desk": NINE_TO_SIX})
    assert result.queues["desk"].staff is None
    assert result.queues["desk"].utilisation is None
    assert result.lead_time_hours.min() >= 1.0 - 1e-9
    assert result.lead_time_hours.max() > 24  # some arrive at night or at weekends


# -- arrivals ----------------------------------------------------------------------------------


def test_arrivals_in_office_hours_fall_only_within_them():
    calendar = OfficeCalendar.build(WEEKDAYS_9_TO_6, MONDAY, [], horizon_days=400)
    times = arrival_times(
        20_000, 10_000, np.random.default_rng(1), Arrivals("office-hours"), MONDAY, calendar
    )
    hour = times % 24
    day = (times // 24) % 7
    assert ((hour >= 9) & (hour <= 18) & ~((hour > 13) & (hour < 14))).all()
    assert (day < 5).all()
    years = times[-1] / (365.25 * 24)
    assert 20_000 / years == pytest.approx(10_000, rel=0.03)


def test_arrivals_follow_month_and_weekday_weights():
    months = (2.0,) + (1.0,) * 11  # January twice as busy
    weekdays = (1.0,) * 5 + (0.0, 0.0)  # nobody at weekends
    pattern = Arrivals("pattern", months=months, weekdays=weekdays)
    times = arrival_times(40_000, 10_000, np.random.default_rng(2), pattern, MONDAY)
    dates = np.datetime64(MONDAY.isoformat()) + (times // 24).astype("timedelta64[D]")
    weekday = (dates.astype(int) + 3) % 7
    assert (weekday < 5).all()
    month = dates.astype("datetime64[M]").astype(int) % 12
    january = (month == 0).sum() / 31
    february = (month == 1).sum() / 28.25
    assert january / february == pytest.approx(2.0, rel=0.08)


# -- the result, and staying as before without staff -------------------------------------------


def test_without_staff_the_result_is_exactly_as_before():
    m = one_desk("1h")
    plain = simulate(m, 2_000, seed=4)
    assert plain.queues is None and "actors" not in plain.summary()
    assert "queue_days" not in plain.summary() and "over_deadline" not in plain.summary()


def test_with_a_desk_for_every_case_the_queue_engine_agrees_with_the_plain_one():
    m = model(
        "volume: 9000\nactors: {a: {name: A}, b: {name: B}}\nsteps:\n"
        "  - {id: x, actor: a, work: 1h, wait: 1h..5h, next: [{to: y, p: 0.5}, {to: x, p: 0.1},"
        " {to: end, p: 0.4}]}\n"
        "  - {id: y, actor: b, work: 30m, next: {all: [z, w]}}\n"
        "  - {id: z, actor: b, work: 1h, next: v}\n"
        "  - {id: w, actor: a, work: 2h..3h, next: v}\n"
        "  - {id: v, actor: a, join: all}\n"
    )
    plain = simulate(m, 40_000, seed=1)
    queued = simulate(m, 40_000, seed=1, staff={"a": 40_000, "b": 40_000})
    for ours, theirs in ((queued, plain),):
        error = theirs.lead_time_hours.std() / math.sqrt(40_000)
        assert abs(ours.lead_time_hours.mean() - theirs.lead_time_hours.mean()) < 6 * error
    assert queued.queue_hours.max() == 0
    shares = {tuple(p.path): p.share for p in queued.paths}
    assert shares[("x->y",)] == pytest.approx(0.5, abs=0.01)
    assert shares[("x->x", "x->end")] == pytest.approx(0.1 * 0.4, abs=0.005)
    runs = queued.summary()["step_runs_mean"]
    assert runs["x"] == pytest.approx(1 / 0.9, abs=0.01)
    assert runs["z"] == runs["w"] == runs["v"]  # every branch of the block, once per split


def test_the_deadline_share_and_the_summary_keys():
    m = one_desk("1h", volume=0.9 * 365.25 * 24)
    result = simulate(m, 20_000, seed=1, staff={"desk": 1}, deadline_hours=8)
    over = float((result.lead_time_hours > 8).mean())
    assert 0 < over < 1 and result.over_deadline == pytest.approx(over)
    summary = result.summary()
    assert summary["deadline_days"] == pytest.approx(8 / 24, abs=1e-6)
    assert summary["over_deadline"] == pytest.approx(over, abs=1e-6)
    assert set(summary["actors"]["desk"]) == {
        "staff", "runs", "work_hours", "utilisation", "wait_hours", "queue_length_mean"
    }  # fmt: skip
    assert summary["queue_days"]["mean"] == pytest.approx(result.queue_hours.mean() / 24, 1e-5)


def test_the_same_seed_gives_the_same_queues():
    m = one_desk("1h", volume=7000)
    first = simulate(m, 5_000, seed=9, staff={"desk": 1}).summary()
    assert simulate(m, 5_000, seed=9, staff={"desk": 1}).summary() == first
    assert simulate(m, 5_000, seed=10, staff={"desk": 1}).summary() != first


def test_events_with_staff_show_the_queue():
    m = one_desk("1h", volume=8000)
    result = simulate(m, 300, seed=1, staff={"desk": 1}, events=True)
    table = result.events
    assert table is not None and len(table.case) == 300
    starts = table.start.astype("int64")
    ends = table.complete.astype("int64")
    order = np.argsort(starts)
    # one desk: no step run starts before the one before it has ended
    assert (starts[order][1:] >= ends[order][:-1] - 1).all()


# -- errors ------------------------------------------------------------------------------------


def test_staff_needs_a_volume_but_office_hours_alone_do_not():
    m = model("actors: {desk: {name: Desk}}\nsteps:\n  - {id: x, actor: desk, work: 1h}\n")
    with pytest.raises(SimulationError, match=r"actor 'desk' has staff.*`volume: N`"):
        simulate(m, 100, seed=1, staff={"desk": 1})
    alone = simulate(m, 100, seed=1, hours={"desk": NINE_TO_SIX})  # 100 cases in a year
    assert alone.queues is not None and alone.lead_time_hours.min() >= 1 - 1e-9


def test_staff_for_an_unknown_actor_is_refused_with_the_closest_one():
    with pytest.raises(SimulationError, match=r"no actor 'dsk'.*'desk'"):
        simulate(one_desk(), 100, seed=1, staff={"dsk": 1})
    with pytest.raises(SimulationError, match="from 1 up"):
        simulate(one_desk(), 100, seed=1, staff={"desk": 0})


def test_a_calendar_never_open_is_refused():
    with pytest.raises(SimulationError, match="open"):
        OfficeCalendar.build({}, MONDAY)
    with pytest.raises(SimulationError, match="within one day"):
        OfficeCalendar.build({0: [(9.0, 25.0)]}, MONDAY)


# -- the search for staff ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "measure", "limit"),
    [("p90<=15d", "p90", 360.0), ("mean <= 2h", "mean", 2.0), ("deadline>=0.95", "deadline", 0.95),
     ("deadline>=90%", "deadline", 0.9)],
)  # fmt: skip
def test_targets_are_read(text, measure, limit):
    target = parse_target(text)
    assert (target.measure, target.limit) == (measure, pytest.approx(limit))


@pytest.mark.parametrize("text", ["p90>=15d", "p99<=1d", "deadline>=2", "deadline<=0.9", "p90"])
def test_bad_targets_are_refused(text):
    with pytest.raises(SimulationError):
        parse_target(text)


def two_actors() -> Model:
    return model(
        "volume: 20000\nactors: {a: {name: A}, b: {name: B}}\nsteps:\n"
        "  - {id: x, actor: a, work: 1h, wait: 1d}\n  - {id: y, actor: b, work: 2h..4h}\n"
    )


def test_find_staff_starts_where_the_desks_keep_up_and_keeps_the_fewest():
    # 20,000 a year is 2.28 an hour: a needs more than 2.28 desks, b more than 6.85
    search = find_staff(two_actors(), "p90<=3d", cases=10_000, seed=1)
    assert search.actors == ["a", "b"]
    assert search.trials[0].staff == {"a": 3, "b": 7}
    assert search.best == {"a": 3, "b": 7}
    failed = [t for t in search.trials if not t.met]
    assert {tuple(t.staff.values()) for t in failed} == {(2, 7), (3, 6)}  # one fewer fails
    assert staff_needed(two_actors(), "p90<=3d", cases=10_000, seed=1) == {"a": 3, "b": 7}


def test_find_staff_adds_desks_where_cases_wait_longest():
    search = find_staff(two_actors(), "p95<=1d 6h", cases=10_000, seed=1)
    best = search.best
    assert best is not None and best["b"] > 7  # b's queue is the long one
    met = {tuple(t.staff.values()): t.met for t in search.trials}
    assert met[(best["a"], best["b"])]
    # the fewest: one desk fewer at either actor was tried and missed the target
    assert met[(best["a"] - 1, best["b"])] is False
    assert met[(best["a"], best["b"] - 1)] is False


def test_a_target_no_staff_can_meet_is_refused():
    with pytest.raises(SimulationError, match="no number of staff"):
        find_staff(two_actors(), "p90<=12h", cases=2_000, seed=1)


def test_arrivals_in_the_office_hours_of_the_first_staffed_actor():
    m = one_desk("10m", volume=5000)
    result = simulate(
        m, 3_000, seed=1, staff={"desk": 1}, hours={"desk": "Mon-Fri 09:00-18:00"},
        arrivals=Arrivals("office-hours"), events=True,
    )  # fmt: skip
    assert result.events is not None
    hours = (result.events.start - np.datetime64("2026-01-05")) / np.timedelta64(1, "h")
    assert ((hours % 24 >= 9) & (hours % 24 < 18)).all()  # no work starts out of hours
    assert result.queues["desk"].utilisation == pytest.approx(5000 / 6 / (45 * 52.18), rel=0.05)
    # a staffed actor without hours works around the clock: the arrivals are then uniform
    uniform = simulate(m, 3_000, seed=1, staff={"desk": 1})
    assert (
        simulate(m, 3_000, seed=1, staff={"desk": 1}, arrivals=Arrivals("office-hours")).summary()
        == uniform.summary()
    )


def test_the_waiting_percentiles_of_the_histogram_match_the_exact_ones():
    # one step: each case's queue waiting is its one step run's waiting
    result = simulate(one_desk("1h", volume=0.85 * 8766), 20_000, seed=6, staff={"desk": 1})
    queue = result.queues["desk"]
    waits = result.queue_hours
    for got, q in (
        (queue.wait_p50_hours, 50),
        (queue.wait_p90_hours, 90),
        (queue.wait_p95_hours, 95),
    ):
        assert got == pytest.approx(np.percentile(waits, q), rel=0.003, abs=1e-4)
    assert queue.wait_mean_hours == pytest.approx(waits.mean(), rel=1e-9)


# -- the model's own keys ----------------------------------------------------------------------

KEYED = """volume: 6000
deadline: 2d
holidays: [2026-01-07, 2026-03-08]
arrivals: {months: [2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], weekdays: [1, 1, 1, 1, 1, 0.5, 0]}
actors:
  desk: {name: Desk, staff: 2, hours: "Mon-Fri 09:00-13:00, 14:00-18:00; Sat 10:00-14:00"}
  back: {name: Back office, staff: 1}
steps:
  - {id: serve, actor: desk, work: 20m..40m}
  - {id: file, actor: back, work: 15m, wait: 1d}
"""


def test_the_models_staff_hours_holidays_arrivals_and_deadline_are_used():
    keyed = model(KEYED)
    plain = model(
        "\n".join(
            line.replace(
                ', staff: 2, hours: "Mon-Fri 09:00-13:00, 14:00-18:00; Sat 10:00-14:00"', ""
            ).replace(", staff: 1", "")
            for line in KEYED.splitlines()
            if not line.startswith(("deadline", "holidays", "arrivals"))
        )
        + "\n"
    )
    assert all(a.staff is None and a.hours is None for a in plain.actors.values())
    by_keys = simulate(keyed, 4_000, seed=3).summary()
    by_arguments = simulate(
        plain, 4_000, seed=3, staff={"desk": 2, "back": 1},
        hours={"desk": "Mon-Fri 09:00-13:00, 14:00-18:00; Sat 10:00-14:00"},
        holidays=keyed.holidays, arrivals=keyed.arrivals, deadline_hours=48,
    ).summary()  # fmt: skip
    assert by_keys == by_arguments
    assert by_keys["deadline_days"] == 2 and 0 <= by_keys["over_deadline"] <= 1
    assert by_keys["actors"]["desk"]["staff"] == 2
    # overrides win over the model's keys
    more = simulate(keyed, 4_000, seed=3, staff={"back": 3}).summary()
    assert more["actors"]["back"]["staff"] == 3 and more["actors"]["desk"]["staff"] == 2
    always = simulate(keyed, 4_000, seed=3, hours={"desk": "always"})
    assert always.queues["desk"].utilisation < by_keys["actors"]["desk"]["utilisation"]


def test_find_staff_keeps_the_staff_it_is_given():
    search = find_staff(two_actors(), "p90<=3d", cases=10_000, seed=1, staff={"b": 8})
    assert search.actors == ["a"]
    assert all(t.staff == {"a": t.staff["a"]} for t in search.trials)
    assert search.best == {"a": 3}


@pytest.mark.parametrize(
    "name",
    [
        "bpr.simulate.calendar",
        "bpr.simulate.arrivals",
        "bpr.simulate.staffing",
        "bpr.simulate.cases",
    ],
)
def test_the_docstring_examples_run(name):
    import doctest
    import importlib

    failures, tried = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert tried > 0 and failures == 0
