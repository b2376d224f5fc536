"""Monte Carlo simulation of a model: the distribution of lead times, paths, effort and fees.

Where actors have ``staff`` or ``hours``, the cases queue for them (:mod:`bpr.simulate.queueing`);
otherwise every case is alone in the world, as below.

The simulation follows the same semantics as the measures (:mod:`bpr.analysis.measures`): each step
takes ``work + wait`` of elapsed time, a choice takes one branch by its probability, loops are
followed as often as their dice say, and a parallel split takes as long as its slowest branch.
Durations are drawn from their distributions (fixed, uniform or triangular).

It is vectorised over cases: the cases waiting at a step are handled together with numpy, so
the Python-level work grows with the number of steps (and loop rounds), not with the cases. A
group takes each run of plain steps (up to the next choice or parallel split) at once: its
durations are summed before they are added to the cases' clocks, so that the time goes on the
draws and additions themselves (benchmarks/RESULTS.md sets it against numpy's own time for
them).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bpr.analysis.measures import expected_totals
from bpr.analysis.table import measure_label, measure_name
from bpr.core.calendar import Arrivals, Schedule, ScheduleError, parse_hours
from bpr.core.flow import ParallelBlock, analyse, strongly_connected_components
from bpr.core.i18n import N_, current, domain, number
from bpr.core.model import END, Model, Step
from bpr.core.vocab import DEFAULT_LANGUAGE
from bpr.errors import DependencyError, SimulationError, did_you_mean
from bpr.files.eventlog import EventTable
from bpr.files.output import atomic_write
from bpr.simulate.arrivals import arrival_times
from bpr.simulate.calendar import OfficeCalendar, WeeklyHours, weekly_hours
from bpr.simulate.queueing import ActorQueue, QueueRun, Staffing, run_queued

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "PathShare",
    "SimulationError",
    "SimulationResult",
    "plot_lead_times",
    "simulate",
]

#: How many paths the result lists one by one; the rest are summed up as "other paths".
TOP_PATHS = 10
# A case that goes round one loop more often than this means the loop has (almost) no way out.
_ = domain("simulate").gettext
ngettext = domain("simulate").ngettext
pgettext = domain("simulate").pgettext

#: The figures the plot marks on a histogram (the percentiles are written as they are).
_MARK_WORDS = {"mean": N_("mean")}

_MAX_ROUNDS = 200_000
_HASH_FACTOR = 1_000_003


@dataclass(frozen=True)
class PathShare:
    """One path through the model's choices (``step->target`` for each choice made)."""

    path: tuple[str, ...]
    cases: int
    share: float

    def as_dict(self) -> dict[str, Any]:
        return {"path": list(self.path), "cases": self.cases, "share": round(self.share, 6)}


@dataclass
class SimulationResult:
    """The simulated cases of one model.

    Per-case figures are numpy arrays in the order of the cases: ``lead_time_hours``,
    ``applicant_hours``, ``fees``; ``step_runs`` is the total number of runs of each step.
    """

    service: str
    variant: str
    cases: int
    seed: int | None
    lead_time_hours: np.ndarray
    applicant_hours: np.ndarray
    fees: np.ndarray
    work_hours: float  # total over all cases and actors
    step_runs: dict[str, int]
    paths: list[PathShare]
    path_count: int  # distinct paths seen
    expected_lead_time_days: float
    events: EventTable | None = field(default=None, repr=False)
    #: Where cases queued for staff: the queue at each actor, and each case's queue waiting.
    queues: dict[str, ActorQueue] | None = None
    queue_hours: np.ndarray | None = field(default=None, repr=False)
    deadline_hours: float | None = None

    @property
    def lead_time_days(self) -> np.ndarray:
        return self.lead_time_hours / 24.0

    @property
    def over_deadline(self) -> float | None:
        """The share of cases whose lead time is longer than the deadline (None without one)."""
        if self.deadline_hours is None:
            return None
        return float((self.lead_time_hours > self.deadline_hours + 1e-9).mean())

    def summary(self) -> dict[str, Any]:
        """Everything ``bpr simulate --json`` prints: distributions, paths, effort and fees.

        Where cases queued for staff, ``queue_days`` (each case's time waiting for staff) and
        ``actors`` (per actor: staff, utilisation, queue waiting, mean queue length) follow;
        with a deadline, ``deadline_days`` and ``over_deadline`` (the share of cases over it).
        """
        import numpy as np

        listed = sum(p.cases for p in self.paths)
        other = self.cases - listed
        summary = {
            "service": self.service,
            "variant": self.variant,
            "cases": self.cases,
            "seed": self.seed,
            "lead_time_days": _distribution(self.lead_time_days),
            "expected_lead_time_days": round(self.expected_lead_time_days, 6),
            "applicant_hours": _distribution(self.applicant_hours),
            "fees": _distribution(self.fees),
            "work_hours_mean": round(self.work_hours / self.cases, 6),
            "step_runs_mean": {
                step: round(runs / self.cases, 6) for step, runs in self.step_runs.items()
            },
            "paths": [p.as_dict() for p in self.paths],
            "other_paths": {
                "paths": self.path_count - len(self.paths),
                "cases": int(other),
                "share": round(float(np.float64(other) / self.cases), 6),
            },
        }
        if self.queues is not None and self.queue_hours is not None:
            summary["queue_days"] = _distribution(self.queue_hours / 24.0)
            summary["actors"] = {a: q.as_dict() for a, q in self.queues.items()}
        if self.deadline_hours is not None:
            summary["deadline_days"] = _round(self.deadline_hours / 24.0)
            summary["over_deadline"] = _round(self.over_deadline)
        return summary


def _distribution(values: np.ndarray) -> dict[str, float]:
    import numpy as np

    p50, p90, p95 = np.percentile(values, [50, 90, 95])
    return {
        "mean": _round(values.mean()),
        "std": _round(values.std()),
        "min": _round(values.min()),
        "p50": _round(p50),
        "p90": _round(p90),
        "p95": _round(p95),
        "max": _round(values.max()),
    }


def _round(value: Any) -> float:
    return round(float(value), 6)


def simulate(
    model: Model,
    cases: int = 10_000,
    seed: int | None = None,
    *,
    events: bool = False,
    start: str = "2026-01-05",
    top_paths: int = TOP_PATHS,
    staff: Mapping[str, int] | None = None,
    hours: Mapping[str, Schedule | str] | None = None,
    holidays: Iterable[datetime.date] | None = None,
    arrivals: Arrivals | None = None,
    deadline_hours: float | None = None,
) -> SimulationResult:
    """Simulate ``cases`` cases of a model; the same seed gives the same result.

    With ``events=True`` the result also holds every step run as an event (``result.events``,
    an :class:`bpr.files.eventlog.EventTable`) with start and complete times from ``start`` (an ISO
    date); cases arrive at the model's ``volume`` per year (or ``cases`` over one year).

    Where an actor has ``staff`` (the model's, or ``staff={actor: desks}``, which overrides it)
    or ``hours`` (the model's, or ``hours={actor: "Mon-Fri 09:00-18:00"}``), the cases queue
    for its staff first come, first served, and its work goes on in its hours only, closed on
    the model's ``holidays`` (or ``holidays=[dates]``); cases then arrive as a Poisson process
    of the model's ``volume`` a year, spread as its ``arrivals`` (or ``arrivals=``) say. A
    ``deadline_hours`` (or the model's ``deadline``) gives the share of cases over it.

    >>> import bpr
    >>> m = bpr.loads(
    ...     "bpr: 1\\nservice: s\\nvariant: as-is\\nactors: {a: {name: A}}\\n"
    ...     "steps:\\n  - {id: x, actor: a, work: 1h, wait: 1d..3d}\\n"
    ... )
    >>> r = simulate(m, cases=1000, seed=1)
    >>> bool(1.9 < r.lead_time_days.mean() < 2.2)
    True
    """
    import numpy as np

    if cases < 1:
        raise SimulationError(
            _("the number of cases must be at least 1, not {cases}").format(cases=cases)
        )
    if seed is not None and seed < 0:
        raise SimulationError(
            _("the seed is a whole number from 0 up, not {seed}").format(seed=seed)
        )
    base = _start_date(start) if events else None
    _check_memory(model, cases, events)
    deadline = deadline_hours if deadline_hours is not None else _model_deadline(model)
    desks = _staff_of(model, staff)
    office = _hours_of(model, hours)
    if desks or office:
        return _simulate_queued(
            model, cases, seed, events, start, top_paths, desks, office,
            holidays, arrivals, deadline,
        )  # fmt: skip
    rng = np.random.default_rng(seed)
    try:
        engine = _Engine(model, cases, rng, record_events=events)
        lead = engine.run()
        paths, distinct = engine.paths(top_paths)
        table = None
        if events:
            assert base is not None
            table = engine.event_table(base, np.random.default_rng([seed or 0, 1]))
    except MemoryError:
        raise SimulationError(_too_many(model, cases, events)) from None
    return SimulationResult(
        service=model.service,
        variant=model.variant,
        cases=cases,
        seed=seed,
        lead_time_hours=lead,
        applicant_hours=engine.applicant,
        fees=engine.fees,
        work_hours=engine.work_total,
        step_runs=dict(engine.runs),
        paths=paths,
        path_count=distinct,
        expected_lead_time_days=expected_totals(model)[0] / 24.0,
        events=table,
        deadline_hours=deadline,
    )


def _model_deadline(model: Model) -> float | None:
    return None if model.deadline is None else model.deadline.mean


def _staff_of(model: Model, override: Mapping[str, int] | None) -> dict[str, int]:
    """Desks per actor: the model's ``staff``, then the overrides (actor ids checked)."""
    desks: dict[str, int] = {}
    for actor_id, actor in model.actors.items():
        if actor.staff is not None:
            desks[actor_id] = actor.staff
    for name, count in (override or {}).items():
        if name not in model.actors:
            raise SimulationError(
                _("{file}: no actor '{actor}' to give staff to").format(file=model.file, actor=name)
                + did_you_mean(name, list(model.actors))
            )
        if int(count) < 1:
            raise SimulationError(
                _("the staff of '{actor}' is a whole number from 1 up, not {count}").format(
                    actor=name, count=count
                )
            )
        desks[name] = int(count)
    return desks


def _hours_of(
    model: Model, override: Mapping[str, Schedule | str] | None
) -> dict[str, WeeklyHours]:
    """Open hours per actor that keeps hours: the model's ``hours``, then the overrides."""
    week: dict[str, WeeklyHours] = {}
    for actor_id, actor in model.actors.items():
        if actor.hours is not None and not actor.hours.always:
            week[actor_id] = weekly_hours(actor.hours)
    for name, schedule in (override or {}).items():
        if name not in model.actors:
            raise SimulationError(
                _("{file}: no actor '{actor}' to give office hours to").format(
                    file=model.file, actor=name
                )
                + did_you_mean(name, list(model.actors))
            )
        if isinstance(schedule, str):
            try:
                schedule = parse_hours(schedule)
            except ScheduleError as error:
                raise SimulationError(
                    _("the hours of '{actor}': {error}").format(actor=name, error=error)
                ) from None
        if schedule.always:
            week.pop(name, None)
        else:
            week[name] = weekly_hours(schedule)
    return week


def _arrival_calendar(
    model: Model, desks: Mapping[str, int], calendars: Mapping[str, OfficeCalendar]
) -> OfficeCalendar | None:
    """The hours that ``office-hours`` arrivals fall in: those of the first staffed actor a
    case meets (by the order of the steps), or of the first actor with hours without staff."""
    for wanted in (desks, calendars):
        for step in model.steps:
            if step.actor in wanted:
                return calendars.get(step.actor)
    return None


def _simulate_queued(
    model: Model,
    cases: int,
    seed: int | None,
    events: bool,
    start: str,
    top_paths: int,
    desks: dict[str, int],
    office: dict[str, WeeklyHours],
    holidays: Iterable[datetime.date] | None,
    arrivals: Arrivals | None,
    deadline: float | None,
) -> SimulationResult:
    import numpy as np

    volume = model.volume
    if not volume and desks:
        who = next(iter(desks))
        line = model.locate("actors", who, "staff")[0] or model.locate("actors", who)[0]
        where = f"{model.file}:{line}" if line else model.file
        raise SimulationError(
            _(
                "{where}: actor '{actor}' has staff, so the cases queue for them, and the "
                "simulation needs to know how many arrive: add the yearly `volume: N` at the top "
                "of the model"
            ).format(where=where, actor=who)
        )
    if not volume:  # office hours only, nobody queues: the cases arrive over one year
        volume = float(cases)
    day = datetime.date.fromisoformat(str(_start_date(start).astype("M8[D]")))
    closed = list(holidays if holidays is not None else model.holidays)
    span_days = int(cases / volume * 366) + 60
    calendars = {
        actor: OfficeCalendar.build(week, day, closed, horizon_days=span_days)
        for actor, week in office.items()
    }
    pattern = arrivals if arrivals is not None else model.arrivals
    opening = _arrival_calendar(model, desks, calendars)
    if pattern.kind == "office-hours" and opening is None:
        pattern = Arrivals()  # the first staffed actor works around the clock
    rng = np.random.default_rng([seed or 0, 2])
    times = arrival_times(cases, volume, rng, pattern, day, opening)
    run = run_queued(model, Staffing(desks, calendars, times), seed, events=events)
    paths, distinct = _queued_paths(run, cases, top_paths)
    table = _queued_events(model, run, times, start) if events else None
    return SimulationResult(
        service=model.service,
        variant=model.variant,
        cases=cases,
        seed=seed,
        lead_time_hours=run.lead_time_hours,
        applicant_hours=run.applicant_hours,
        fees=run.fees,
        work_hours=run.work_total,
        step_runs=run.step_runs,
        paths=paths,
        path_count=distinct,
        expected_lead_time_days=expected_totals(model)[0] / 24.0,
        events=table,
        queues=run.queues,
        queue_hours=run.queue_hours,
        deadline_hours=deadline,
    )


def _queued_paths(run: QueueRun, cases: int, top: int) -> tuple[list[PathShare], int]:
    import numpy as np

    representatives, counts, distinct = _top_paths(run.path_hash, top)
    marks = np.full(cases, -1, dtype=np.int64)
    marks[representatives] = np.arange(len(representatives))
    taken: list[list[str]] = [[] for _ in representatives]
    case, code = run.decisions
    hit = marks[case]
    for slot, c in zip(hit[hit >= 0], code[hit >= 0], strict=True):
        taken[int(slot)].append(run.codes[int(c)])
    shares = [
        PathShare(tuple(taken[i]), int(count), float(count) / cases)
        for i, count in enumerate(counts)
    ]
    return shares, distinct


def _top_paths(path_hash: np.ndarray, top: int) -> tuple[np.ndarray, np.ndarray, int]:
    """The ``top`` most frequent paths: a case of each (the first), their counts, and the
    number of distinct paths; ties go to the path whose first case came first.

    Only the candidates for the top (every path as frequent as the ``top``-th) are looked up
    for their first case, which spares the stable sort of every case that a full
    ``np.unique(..., return_index=True)`` would take.

    >>> import numpy as np
    >>> first, counts, distinct = _top_paths(np.array([7, 5, 5, 9, 7, 5], dtype=np.uint64), 2)
    >>> first.tolist(), counts.tolist(), distinct
    ([1, 0], [3, 2], 3)
    """
    import numpy as np

    hashes, counts = np.unique(path_hash, return_counts=True)
    keep = min(top, len(hashes))
    if keep <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), len(hashes)
    least = np.partition(counts, len(counts) - keep)[len(counts) - keep]
    candidates = np.flatnonzero(counts >= least)
    if len(candidates) > 4 * keep + 16:  # many ties: the plain way
        hashes, first, counts = np.unique(path_hash, return_index=True, return_counts=True)
        order = np.lexsort((first, -counts))[:keep]
        return first[order], counts[order], len(hashes)
    wanted = hashes[candidates]
    where = np.flatnonzero(np.isin(path_hash, wanted))
    _seen, first = np.unique(path_hash[where], return_index=True)
    first = where[first]  # the values seen are sorted, as wanted is
    order = np.lexsort((first, -counts[candidates]))[:keep]
    return first[order], counts[candidates][order], len(hashes)


def _queued_events(model: Model, run: QueueRun, times: np.ndarray, start: str) -> EventTable:
    import numpy as np

    assert run.events is not None
    case, step, begin, end = run.events
    order = np.lexsort((end, begin, case))
    base = _start_date(start)
    limit = (np.datetime64(_LOG_END, "ms") - base) / np.timedelta64(1, "h")
    if len(end) and float(end.max()) > limit:
        raise SimulationError(
            _(
                "the simulated log would run past {date}, the last date that pandas before "
                "version 3 can read; simulate fewer cases with --log"
            ).format(date=_LOG_END)
        )
    steps: list[Step] = list(model.steps)
    return EventTable(
        case=case[order],
        activity=step[order].astype(np.int32),
        names=[s.label for s in steps],
        resources=[s.actor for s in steps],
        groups=[model.actors[s.actor].agency for s in steps],
        start=base + np.round(begin[order] * 3_600_000).astype("timedelta64[ms]"),
        complete=base + np.round(end[order] * 3_600_000).astype("timedelta64[ms]"),
    )


@dataclass
class _Region:
    """The steps between ``start`` and ``stop``, as components in the order cases meet them."""

    components: list[tuple[list[str], bool]]  # (steps, has a loop)


class _Engine:
    """Moves groups of cases through the model, one step at a time for all of them at once."""

    def __init__(self, model: Model, cases: int, rng: np.random.Generator, record_events: bool):
        import numpy as np

        self.model = model
        self.n = cases
        self.rng = rng
        analysis = analyse(model)
        if analysis.problems and any(p.is_error for p in analysis.problems):
            raise SimulationError(str(analysis.problems[0]))
        self.blocks: dict[str, ParallelBlock] = {b.split: b for b in analysis.blocks}
        self.successors = {
            step.id: [self.blocks[step.id].join]
            if step.id in self.blocks
            else [t for t, p in analysis.successors[step.id] if p > 0]
            for step in model.steps
        }
        self.regions: dict[tuple[str, str], _Region] = {}
        self.identities: dict[int, np.ndarray] = {}
        self.applicant = np.zeros(cases)
        self.fees = np.zeros(cases)
        self.work_total = 0.0
        self.runs: dict[str, int] = {step.id: 0 for step in model.steps}
        self.path_hash = np.zeros(cases, dtype=np.uint64)
        #: Per choice made by a group: the codes of its branches, the case ids, the branch taken.
        self.decisions: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.codes: list[str] = []
        self.branch_codes: dict[str, np.ndarray] = {}
        self.branch_marks: dict[str, np.ndarray] = {}  # code + 1 per branch, for the path hash
        self.cumulative: dict[str, np.ndarray] = {}
        #: (step, whether the applicant spends its work) along each chain
        self.chains: dict[tuple[str, str], tuple[tuple[Step, bool], ...]] = {}
        for step in model.steps:
            if step.next.kind == "choice":
                codes = []
                for branch in step.next.branches:
                    codes.append(len(self.codes))
                    self.codes.append(f"{step.id}->{branch.to}")
                self.branch_codes[step.id] = np.array(codes, dtype=np.int64)
                self.branch_marks[step.id] = np.array(codes, dtype=np.uint64) + np.uint64(1)
                p = np.array([max(b.p, 0.0) for b in step.next.branches], dtype=float)
                cum = np.cumsum(p / p.sum())
                cum[-1] = 1.0
                self.cumulative[step.id] = cum
        self.record_events = record_events
        self.event_chunks: list[tuple[np.ndarray, int, np.ndarray, np.ndarray]] = []
        self.index = {step.id: i for i, step in enumerate(model.steps)}

    # -- the flow ---------------------------------------------------------------------------

    def region(self, start: str, stop: str) -> _Region:
        key = (start, stop)
        found = self.regions.get(key)
        if found is None:

            def onward(node: Any) -> list[str]:
                return [t for t in self.successors[node] if t not in (stop, END)]

            components = strongly_connected_components([start], onward)
            ordered = []
            for component in reversed(components):  # sources first
                members: list[str] = sorted(component, key=self.index.__getitem__)  # type: ignore[arg-type]
                cyclic = len(members) > 1 or members[0] in onward(members[0])
                ordered.append((members, cyclic))
            found = self.regions[key] = _Region(ordered)
        return found

    def run(self) -> np.ndarray:
        import numpy as np

        everyone = np.arange(self.n)
        return self.run_region(self.model.first.id, END, everyone, np.zeros(self.n), top=True)

    def identity(self, count: int) -> np.ndarray:
        """``np.arange(count)``, made once per size (read-only: groups of cases are never
        changed in place, so every region of that size can share it)."""
        import numpy as np

        found = self.identities.get(count)
        if found is None:
            found = self.identities[count] = np.arange(count)
            found.flags.writeable = False
        return found

    def run_region(
        self, start: str, stop: str, cases: np.ndarray, clock: np.ndarray, top: bool = False
    ) -> np.ndarray:
        """Run the cases from ``start`` until they reach ``stop``; returns their end times.

        ``cases`` are global case numbers and ``clock`` their start times (hours); inside, the
        cases are addressed by their position in ``cases`` (a case is at one step at a time).
        """
        import numpy as np

        region = self.region(start, stop)
        everyone = self.identity(len(cases))
        pending: dict[str, list[np.ndarray]] = {start: [everyone]}
        for members, cyclic in region.components:
            rounds = 0
            while True:
                moved = False
                for node in members:
                    groups = pending.pop(node, None)
                    if not groups:
                        continue
                    moved = True
                    where = groups[0] if len(groups) == 1 else np.concatenate(groups)
                    whole = where is everyone
                    self.run_step(node, stop, where, whole, cases, clock, top, pending)
                if not cyclic or not moved:
                    break
                rounds += 1
                if rounds > _MAX_ROUNDS:
                    raise SimulationError(
                        _(
                            "{file}: a case went round the loop through step '{step}' more "
                            "than {n} times; give the loop a larger probability of leaving it"
                        ).format(file=self.model.file, step=members[0], n=number(_MAX_ROUNDS, ","))
                    )
        return clock

    def chain(self, node: str, stop: str) -> tuple[tuple[Step, bool], ...]:
        """The steps a group of cases goes through from ``node`` without a decision.

        The chain follows plain sequence flows and ends at a choice, a parallel split, the
        region's ``stop``, the end, or a step already in it; with events recorded, every step
        is a chain of its own (each needs its own times). A group takes its whole chain at
        once: one sum of the durations and one addition to its clocks instead of one per step.
        """
        key = (node, stop)
        found = self.chains.get(key)
        if found is None:
            steps = [self.model.step(node)]
            seen = {node}
            while not self.record_events:
                last = steps[-1]
                if last.id in self.blocks or last.next.kind == "choice":
                    break
                target = last.next.branches[0].to
                if target in (stop, END) or target in seen:
                    break
                steps.append(self.model.step(target))
                seen.add(target)
            found = self.chains[key] = tuple(
                (step, self.model.is_applicant_step(step)) for step in steps
            )
        return found

    def run_step(
        self,
        node: str,
        stop: str,
        where: np.ndarray,
        whole: bool,
        cases: np.ndarray,
        clock: np.ndarray,
        top: bool,
        pending: dict[str, list[np.ndarray]],
    ) -> None:
        import numpy as np

        chain = self.chain(node, stop)
        count = len(where)
        elapsed: Any = 0.0
        spent: Any = 0.0  # the applicant's work along the chain
        fee = 0.0
        for step, applicant in chain:
            self.runs[step.id] += count
            work = self.draw(step.work, count)
            wait = self.draw(step.wait, count)
            if self.record_events:  # a chain of one step
                arrival = clock.copy() if whole else clock[where]
                begin = arrival + wait
                ids = where if top else cases[where]
                self.event_chunks.append((ids, self.index[step.id], begin, begin + work))
            if isinstance(work, np.ndarray):
                self.work_total += float(work.sum())
            else:
                self.work_total += work * count
            if applicant and not _is_zero(work):
                spent = _add(spent, work)
            # the draws are not used again: the sum may take them as its own
            elapsed = _add(_add(elapsed, work, own=True), wait, own=True)
            fee += step.fee or 0.0
        if whole:
            clock += elapsed
        elif not _is_zero(elapsed):
            clock[where] += elapsed
        step = chain[-1][0]
        need_ids = not _is_zero(spent) or fee or step.next.kind == "choice"
        ids = (where if top else cases[where]) if need_ids else where
        if not _is_zero(spent):
            if whole and top:
                self.applicant += spent
            else:
                self.applicant[ids] += spent
        if fee:
            if whole and top:
                self.fees += fee
            else:
                self.fees[ids] += fee
        node = step.id
        block = self.blocks.get(node)
        if block is not None:
            self.run_block(block, where, whole, cases, clock, top)
            self.forward(block.join, stop, where, pending)
            return
        if step.next.kind != "choice":
            self.forward(step.next.branches[0].to, stop, where, pending)
            return
        cumulative = self.cumulative[node]
        drawn = _branch_drawn(cumulative, self.rng.random(count))
        taken = self.branch_marks[node][drawn]
        if whole and top:
            self.path_hash *= np.uint64(_HASH_FACTOR)
            self.path_hash += taken
        else:
            self.path_hash[ids] = self.path_hash[ids] * np.uint64(_HASH_FACTOR) + taken
        self.decisions.append((self.branch_codes[node], ids, drawn.astype(np.uint16, copy=False)))
        for position, branch in enumerate(step.next.branches):
            if cumulative[position] == (cumulative[position - 1] if position else 0.0):
                continue  # probability 0: never taken
            picked = where[drawn == position]
            if len(picked):
                self.forward(branch.to, stop, picked, pending)

    def run_block(
        self,
        block: ParallelBlock,
        where: np.ndarray,
        whole: bool,
        cases: np.ndarray,
        clock: np.ndarray,
        top: bool,
    ) -> None:
        """Every branch of a parallel block; the cases go on when the slowest has arrived."""
        import numpy as np

        ids = where if top else cases[where]
        began = clock.copy() if whole else clock[where]
        starts = [start for start in block.branches if start != block.join]
        latest = began  # an empty branch (the split straight to the join) takes no time
        for position, branch_start in enumerate(starts):
            # each branch moves a clock of its own; the last may move ``began`` itself
            own = began if position == len(starts) - 1 else began.copy()
            ended = self.run_region(branch_start, block.join, ids, own)
            if position == 0:
                latest = ended
            else:
                np.maximum(latest, ended, out=latest)
        if whole:
            clock[:] = latest
        else:
            clock[where] = latest

    @staticmethod
    def forward(
        target: str, stop: str, where: np.ndarray, pending: dict[str, list[np.ndarray]]
    ) -> None:
        if target in (stop, END):
            return
        pending.setdefault(target, []).append(where)

    def draw(self, duration: Any, count: int) -> Any:
        """Hours of one duration for ``count`` cases: a number where fixed, else an array."""
        if duration.kind == "fixed" or duration.low == duration.high:
            return duration.mode
        if duration.kind == "uniform":
            return self.rng.uniform(duration.low, duration.high, count)
        return self.rng.triangular(duration.low, duration.mode, duration.high, count)

    # -- what the run leaves -----------------------------------------------------------------

    def paths(self, top: int) -> tuple[list[PathShare], int]:
        """The most frequent paths with a readable form of each, and the number of paths."""
        import numpy as np

        representatives, counts, distinct = _top_paths(self.path_hash, top)
        marks = np.full(self.n, -1, dtype=np.int64)
        marks[representatives] = np.arange(len(representatives))
        taken: list[list[str]] = [[] for _ in representatives]
        for codes, ids, drawn in self.decisions:
            hit = marks[ids]
            listed = hit >= 0
            for slot, branch in zip(hit[listed], drawn[listed], strict=True):
                taken[int(slot)].append(self.codes[int(codes[branch])])
        shares = [
            PathShare(tuple(taken[i]), int(count), float(count) / self.n)
            for i, count in enumerate(counts)
        ]
        return shares, distinct

    def event_table(self, base: np.datetime64, rng: np.random.Generator) -> EventTable:
        """The step runs as events with timestamps from ``base``, sorted by case and time."""
        import numpy as np

        volume = self.model.volume or self.n
        gap_hours = 365 * 24 / volume
        arrival = np.concatenate([[0.0], np.cumsum(rng.exponential(gap_hours, self.n - 1))])
        if self.event_chunks:
            case = np.concatenate([c[0] for c in self.event_chunks])
            step = np.concatenate(
                [np.full(len(c[0]), c[1], dtype=np.int32) for c in self.event_chunks]
            )
            begin = np.concatenate([np.broadcast_to(c[2], len(c[0])) for c in self.event_chunks])
            end = np.concatenate([np.broadcast_to(c[3], len(c[0])) for c in self.event_chunks])
        else:  # pragma: no cover - every model has a first step
            case = step = begin = end = np.zeros(0)
        order = np.lexsort((end, begin, case))
        case, step = case[order], step[order]
        begin = begin[order] + arrival[case]
        end = end[order] + arrival[case]
        latest = float(end.max()) if len(end) else 0.0
        limit = (np.datetime64(_LOG_END, "ms") - base) / np.timedelta64(1, "h")
        if latest > limit:  # also keeps the milliseconds from overflowing
            years = latest / (365.25 * 24)
            raise SimulationError(
                _(
                    "the simulated log would run for {years} years from {start}, past {date}, "
                    "the last date that pandas before version 3 (and so many process mining "
                    "tools) can read: the {cases} cases arrive at {volume} a year (the model's "
                    "volume); simulate fewer cases with --log"
                ).format(
                    years=number(years, ",.0f"),
                    start=base.astype("M8[D]"),
                    date=_LOG_END,
                    cases=number(self.n, ","),
                    volume=number(self.model.volume or self.n, ",g"),
                )
            )
        steps: list[Step] = list(self.model.steps)
        return EventTable(
            case=case,
            activity=step,
            names=[s.label for s in steps],
            resources=[s.actor for s in steps],
            groups=[self.model.actors[s.actor].agency for s in steps],
            start=base + np.round(begin * 3_600_000).astype("timedelta64[ms]"),
            complete=base + np.round(end * 3_600_000).astype("timedelta64[ms]"),
        )


# Memory per case (its figures and the arrays that move it) and per event (step run), in bytes:
# measured peaks are about 140 and 60; the estimate leaves room for temporaries.
_BYTES_PER_CASE = 200
_BYTES_PER_EVENT = 100


def _check_memory(model: Model, cases: int, events: bool) -> None:
    """Refuse a simulation that cannot fit in the memory available, before it starts.

    Without the check, the operating system ends the process part of the way through.
    Events are counted as one per step and case (loops add more, so this is a lower bound).
    """
    need = cases * (_BYTES_PER_CASE + (_BYTES_PER_EVENT * len(model.steps) if events else 0))
    available = _available_memory()
    if available is not None and need > available:
        raise SimulationError(_too_many(model, cases, events, need, available))


def _available_memory() -> int | None:
    """Bytes of memory available to a new process (Linux), or None where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _too_many(
    model: Model, cases: int, events: bool, need: int | None = None, available: int | None = None
) -> str:
    if events:
        what = _("{cases} cases of {file} with their events")
    else:
        what = _("{cases} cases of {file}")
    what = what.format(cases=number(cases, ","), file=model.file)
    if need is not None and available is not None:
        what = _("{what} (about {need} GiB; {free} GiB are free)").format(
            what=what, need=number(need / 2**30, ",.1f"), free=number(available / 2**30, ",.1f")
        )
    per_million = number(_BYTES_PER_CASE * 1_000_000 / 2**20, ",.0f")
    if events:
        text = _(
            "not enough memory to simulate {what}; simulate fewer cases: a million take about "
            "{size} MiB, and each step run of the log {event} bytes more"
        )
    else:
        text = _(
            "not enough memory to simulate {what}; simulate fewer cases: a million take about "
            "{size} MiB"
        )
    return text.format(what=what, size=per_million, event=_BYTES_PER_EVENT)


# Event logs are read with pandas and pm4py; before pandas 3, timestamps end in April 2262. A
# start date up to 2200 leaves room for cases that run for decades.
_FIRST_YEAR, _LAST_YEAR = 1900, 2200
_LOG_END = "2262-04-11"


def _start_date(start: str) -> np.datetime64:
    """The ``--start`` date as a numpy datetime (midnight UTC), or a SimulationError."""
    import datetime

    import numpy as np

    try:
        day = datetime.date.fromisoformat(start.strip())
    except (ValueError, AttributeError):
        raise SimulationError(
            _(
                "cannot read the start date '{start}'; write it as YYYY-MM-DD, such as 2026-01-05"
            ).format(start=start)
        ) from None
    if not _FIRST_YEAR <= day.year <= _LAST_YEAR:
        raise SimulationError(
            _(
                "the start date {date} is outside the years {first} to {last}, whose logs "
                "process mining tools read; choose a date such as 2026-01-05"
            ).format(date=day.isoformat(), first=_FIRST_YEAR, last=_LAST_YEAR)
        )
    return np.datetime64(day.isoformat(), "ms")


def _branch_drawn(cumulative: np.ndarray, dice: np.ndarray) -> np.ndarray:
    """The branch each die in [0, 1) picks: how many of the cumulative shares are at most it.

    The same as ``np.searchsorted(cumulative, dice, side="right")`` (the last share is 1), by
    a comparison per branch, which is several times faster for the few branches of a choice.

    >>> import numpy as np
    >>> _branch_drawn(np.array([0.2, 0.5, 1.0]), np.array([0.1, 0.2, 0.7])).tolist()
    [0, 1, 2]
    """
    import numpy as np

    if len(cumulative) > 8:
        return np.searchsorted(cumulative, dice, side="right")
    drawn = np.zeros(len(dice), dtype=np.uint8)
    for share in cumulative[:-1]:
        drawn += dice >= share
    return drawn


def _add(total: Any, value: Any, own: bool = False) -> Any:
    """``total + value`` where either is a number or an array of the group's cases.

    An array total is the chain's own and is added to in place; an array ``value`` is never
    changed unless ``own`` says that the caller will not use it again (then it may become the
    total, which spares a copy).

    >>> _add(_add(0.0, 2.0), 0.5)
    2.5
    """
    import numpy as np

    if not isinstance(value, np.ndarray):
        if value == 0:
            return total
        if not isinstance(total, np.ndarray):
            return float(total) + float(value)
        total += value
        return total
    if not isinstance(total, np.ndarray):
        if not own:
            return value + total  # a new array: ``value`` may be used again
        if total != 0:
            value += total
        return value
    total += value
    return total


def _is_zero(value: Any) -> bool:
    import numpy as np

    return not isinstance(value, np.ndarray) and bool(value == 0)


def plot_lead_times(result: SimulationResult, path: str, *, inputs: tuple[str, ...] = ()) -> None:
    """Draw a histogram of the simulated lead times with the mean and percentiles marked.

    The format follows the file ending: ``.png`` or ``.svg``.
    """
    import io

    suffix = path.lower().rpartition(".")[2]
    if suffix not in ("png", "svg"):
        raise SimulationError(
            _("{path}: the plot is a .png or .svg file; name one of those").format(path=path)
        )
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise DependencyError("matplotlib", "bpr simulate --plot", "mining") from None

    queued = result.queue_hours is not None
    # DejaVu Sans has every letter of the six languages (Cyrillic, ə, ğ, ʻ...)
    with plt.rc_context({"font.family": "DejaVu Sans"}):
        figure, panels = plt.subplots(
            1, 2 if queued else 1, figsize=(12 if queued else 8, 4.5), dpi=120, squeeze=False
        )
        try:
            _histogram(panels[0][0], result.lead_time_days, measure_label("lead_time_days"))
            # TRANSLATORS: the plot's title; the English writes "cases" for one case as well
            title = ngettext(
                "{service} ({variant}): {cases} simulated cases",
                "{service} ({variant}): {cases} simulated cases",
                result.cases,
            ).format(
                service=result.service, variant=result.variant, cases=number(result.cases, ",")
            )
            if queued:
                assert result.queue_hours is not None
                _histogram(panels[0][1], result.queue_hours / 24.0, _("Waiting for staff (days)"))
                panels[0][0].set_title(measure_name("lead_time_days"), fontsize=10)
                panels[0][1].set_title(_("Of which waiting in queues for staff"), fontsize=10)
                figure.suptitle(title, fontsize=11)
            else:
                panels[0][0].set_title(title, fontsize=11)
            figure.tight_layout()
            buffer = io.BytesIO()
            figure.savefig(
                buffer, format=suffix, metadata={"Date": None} if suffix == "svg" else None
            )
        finally:
            plt.close(figure)
    atomic_write(path, buffer.getvalue(), inputs=inputs)


def _histogram(axes: Any, days: np.ndarray, label: str) -> None:
    """A histogram of ``days`` with its mean and percentiles marked."""
    summary = _distribution(days)
    spread = float(days.max() - days.min())
    bins = 60 if spread > 0 else 1
    axes.hist(days, bins=bins, color="#9ecae1", edgecolor="#3182bd", linewidth=0.4)
    marks = [
        ("mean", summary["mean"], "#d62728", "-"),
        ("p50", summary["p50"], "#2ca02c", "--"),
        ("p90", summary["p90"], "#ff7f0e", "--"),
        ("p95", summary["p95"], "#9467bd", ":"),
    ]
    for name, value, colour, style in marks:
        figure = _(_MARK_WORDS[name]) if name in _MARK_WORDS else name
        text = pgettext("lead time figure", "{figure} {days} d").format(
            figure=figure, days=number(value, ",.2f")
        )
        axes.axvline(value, color=colour, linestyle=style, linewidth=1.4, label=text)
    axes.set_xlabel(label)
    if current() != DEFAULT_LANGUAGE:  # the ticks in the language's way too: 1 234,5
        from matplotlib.ticker import FuncFormatter

        ticks = FuncFormatter(lambda value, _position: number(value, ",g"))
        axes.xaxis.set_major_formatter(ticks)
        axes.yaxis.set_major_formatter(ticks)
    # TRANSLATORS: the vertical axis of the lead-time histogram: how many simulated cases
    axes.set_ylabel(pgettext("plot axis", "Cases"))
    axes.legend(frameon=False, fontsize=9)
    axes.spines[["top", "right"]].set_visible(False)
