"""Cases that compete for staff: a discrete-event simulation compiled with numba.

Where an actor has ``staff``, each run of one of its steps holds one of them for the step's
``work`` (its ``wait`` holds nobody); cases wait first come, first served, and work goes on
only in the actor's office hours (:mod:`bpr.simulate.calendar`). Actors without ``staff``
have as many desks as cases. The flow follows the same rules as :mod:`bpr.simulate.cases`:
choices by their probabilities, loops, parallel blocks that go on when the slowest branch has
arrived.

The loop over events is compiled (numba): one event per step run goes through a binary heap,
arrivals are read in order from an array, and only the cases in the process at one time are
held (a pool of tokens); queue waiting is counted in a fine logarithmic histogram per actor,
so that the memory for a million cases is the per-case figures (lead time, applicant hours,
fees, path) and nothing per step run, unless the events are asked for.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bpr.core.flow import analyse
from bpr.core.i18n import domain, number
from bpr.core.model import END, Model
from bpr.errors import SimulationError
from bpr.files.load import loads
from bpr.simulate import calendar as _cal
from bpr.simulate.calendar import advance, next_open

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "WAIT_BIN_RATIO",
    "ActorQueue",
    "QueueRun",
    "Staffing",
    "compile_now",
    "compiled_on_disk",
    "run_queued",
]

#: The catalogue's gettext (this module uses ``_`` for values it throws away).
gettext = domain("simulate").gettext

#: Queue waits are counted in bins whose edges grow by this ratio (0.2 %) from 1e-4 hours:
#: the percentiles of waiting are exact to 0.1 %; means are exact.
WAIT_BIN_RATIO = 1.002
_WAIT_LOW = 1e-4
_WAIT_BINS = 12_000
_LOG_RATIO = math.log(WAIT_BIN_RATIO)
_HASH_FACTOR = 1_000_003
# A case with more step runs than this goes round a loop with (almost) no way out.
_MAX_RUNS = 2_000_000


@dataclass(frozen=True)
class Staffing:
    """What the queueing simulation needs beyond the model's flow.

    ``staff``: desks per actor id (an actor not listed has as many as cases); ``calendars``:
    the office calendar of each actor id that keeps hours (others are open always);
    ``arrivals``: the arrival time of each case, hours from the start, ascending.
    """

    staff: dict[str, int]
    calendars: dict[str, _cal.OfficeCalendar]
    arrivals: np.ndarray


@dataclass(frozen=True)
class ActorQueue:
    """The queue at one actor: how busy its staff were and how long cases waited for them."""

    actor: str
    staff: int | None  # None: as many as cases
    runs: int  # step runs of this actor
    work_hours: float
    utilisation: float | None  # busy share of the staff's open hours
    wait_mean_hours: float
    wait_p50_hours: float
    wait_p90_hours: float
    wait_p95_hours: float
    queue_length_mean: float  # cases waiting, averaged over the simulated period

    def as_dict(self) -> dict[str, Any]:
        def r(value: float | None) -> float | None:
            return None if value is None else round(float(value), 6)

        return {
            "staff": self.staff,
            "runs": self.runs,
            "work_hours": r(self.work_hours),
            "utilisation": r(self.utilisation),
            "wait_hours": {
                "mean": r(self.wait_mean_hours),
                "p50": r(self.wait_p50_hours),
                "p90": r(self.wait_p90_hours),
                "p95": r(self.wait_p95_hours),
            },
            "queue_length_mean": r(self.queue_length_mean),
        }


@dataclass
class QueueRun:
    """What the compiled simulation leaves: per case, per step, per actor."""

    lead_time_hours: np.ndarray
    queue_hours: np.ndarray  # per case: time spent waiting for staff
    applicant_hours: np.ndarray
    fees: np.ndarray
    path_hash: np.ndarray
    decisions: tuple[np.ndarray, np.ndarray]  # (case, code), in the order they were made
    codes: list[str]
    step_runs: dict[str, int]
    work_total: float
    queues: dict[str, ActorQueue]
    events: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None  # case, step, begin, end


def run_queued(
    model: Model, staffing: Staffing, seed: int | None, *, events: bool = False
) -> QueueRun:
    """Simulate the cases arriving at ``staffing.arrivals`` through the model's flow."""
    import numpy as np

    flow = _compile_flow(model)
    actors = list(model.actors)
    actor_index = {a: i for i, a in enumerate(actors)}
    capacity = np.zeros(len(actors), dtype=np.int64)
    for actor, count in staffing.staff.items():
        capacity[actor_index[actor]] = count
    calendar_of = np.full(len(actors), -1, dtype=np.int64)
    parts: list[_cal.CalendarArrays] = []
    for actor, calendar in staffing.calendars.items():
        calendar_of[actor_index[actor]] = len(parts)
        parts.append(calendar.arrays())
    cal = _flatten_calendars(parts)
    step_actor = np.array([actor_index[s.actor] for s in model.steps], dtype=np.int64)
    arrivals = np.ascontiguousarray(staffing.arrivals, dtype=np.float64)
    kernel = _kernel()
    out = kernel(
        arrivals,
        np.uint64(0 if seed is None else seed % 2**32),
        bool(events),
        step_actor,
        capacity,
        calendar_of,
        *cal,
        *flow.arrays,
    )
    (lead, queued, applicant, fees, hashes, dec_case, dec_code, runs, work, waits, hist,
     waited_runs, last, ev_case, ev_step, ev_begin, ev_end, status) = out  # fmt: skip
    if status == 1:
        raise SimulationError(
            gettext(
                "{file}: a case ran more than {n} steps going round a loop; give the loop a "
                "larger probability of leaving it"
            ).format(file=model.file, n=number(_MAX_RUNS, ","))
        )
    first = float(arrivals[0]) if len(arrivals) else 0.0
    queues = {}
    for i, actor in enumerate(actors):
        actor_runs = int(runs[step_actor == i].sum())
        if not actor_runs or (not capacity[i] and calendar_of[i] < 0):
            continue  # no queue: as many desks as cases, always open
        staff = int(capacity[i]) or None
        period = _open_period(parts[calendar_of[i]] if calendar_of[i] >= 0 else None, first, last)
        p50, p90, p95 = _histogram_percentiles(hist[i], waited_runs[i], (0.5, 0.9, 0.95))
        queues[actor] = ActorQueue(
            actor=actor,
            staff=staff,
            runs=actor_runs,
            work_hours=float(work[i]),
            utilisation=float(work[i] / (staff * period)) if staff and period > 0 else None,
            wait_mean_hours=float(waits[i] / waited_runs[i]) if waited_runs[i] else 0.0,
            wait_p50_hours=p50,
            wait_p90_hours=p90,
            wait_p95_hours=p95,
            queue_length_mean=float(waits[i] / (last - first)) if last > first else 0.0,
        )
    return QueueRun(
        lead_time_hours=lead,
        queue_hours=queued,
        applicant_hours=applicant,
        fees=fees,
        path_hash=hashes,
        decisions=(dec_case, dec_code),
        codes=flow.codes,
        step_runs={s.id: int(runs[i]) for i, s in enumerate(model.steps)},
        work_total=float(work.sum()),
        queues=queues,
        events=(ev_case, ev_step, ev_begin, ev_end) if events else None,
    )


def _open_period(calendar: _cal.CalendarArrays | None, first: float, last: float) -> float:
    if calendar is None:
        return last - first
    return float(_cal.open_hours(*calendar, last) - _cal.open_hours(*calendar, first))


def _histogram_percentiles(
    counts: np.ndarray, total: int, quantiles: tuple[float, ...]
) -> tuple[float, ...]:
    """Percentiles of the waits counted in ``counts`` (bin 0: no wait), as numpy interpolates."""
    import numpy as np

    if total == 0:
        return tuple(0.0 for _ in quantiles)
    cumulative = np.cumsum(counts)
    found = []
    for q in quantiles:
        rank = q * (total - 1)  # the 0-based rank numpy's linear percentile reads
        k = int(np.searchsorted(cumulative, rank + 1, side="left"))
        if k == 0:
            found.append(0.0)
        else:
            low = _WAIT_LOW * WAIT_BIN_RATIO ** (k - 1)
            found.append(float(low * np.sqrt(WAIT_BIN_RATIO)))
    return tuple(found)


# -- the flow as arrays ---------------------------------------------------------------------------


@dataclass
class _Flow:
    arrays: tuple[Any, ...]
    codes: list[str]


# How the compiled loop draws each kind of duration. ``exponential`` (its mean as ``mode``) is
# not a kind of the format: it is there for checks against queueing theory from Python.
_KINDS = {"fixed": 0, "uniform": 1, "triangular": 2, "exponential": 3}


def _compile_flow(model: Model) -> _Flow:
    import numpy as np

    analysis = analyse(model)
    if analysis.problems and any(p.is_error for p in analysis.problems):
        raise SimulationError(str(analysis.problems[0]))
    blocks = {b.split: b for b in analysis.blocks}
    index = {s.id: i for i, s in enumerate(model.steps)}
    n = len(model.steps)
    durations = np.zeros((n, 8))  # work kind, low, mode, high; wait kind, low, mode, high
    applicant = np.zeros(n, dtype=np.bool_)
    fee = np.zeros(n)
    parallel = np.zeros(n, dtype=np.bool_)
    join_of = np.full(n, -1, dtype=np.int64)
    offsets = [0]
    targets: list[int] = []
    cumulative: list[float] = []
    branch_codes: list[int] = []
    codes: list[str] = []
    for i, step in enumerate(model.steps):
        for column, duration in ((0, step.work), (4, step.wait)):
            kind = 0 if duration.low == duration.high else _KINDS[duration.kind]
            durations[i, column : column + 4] = (kind, duration.low, duration.mode, duration.high)
        applicant[i] = model.is_applicant_step(step)
        fee[i] = step.fee
        block = blocks.get(step.id)
        if block is not None:
            parallel[i] = True
            join_of[i] = index[block.join]
            for start in block.branches:
                targets.append(index[start])
                cumulative.append(1.0)
                branch_codes.append(-1)
        elif step.next.kind == "choice":
            p = np.array([max(b.p, 0.0) for b in step.next.branches], dtype=float)
            cum = np.cumsum(p / p.sum())
            cum[-1] = 1.0
            for branch, c in zip(step.next.branches, cum, strict=True):
                targets.append(-1 if branch.to == END else index[branch.to])
                cumulative.append(float(c))
                branch_codes.append(len(codes))
                codes.append(f"{step.id}->{branch.to}")
        else:
            to = step.next.branches[0].to
            targets.append(-1 if to == END else index[to])
            cumulative.append(1.0)
            branch_codes.append(-1)
        offsets.append(len(targets))
    arrays = (
        durations,
        applicant,
        fee,
        parallel,
        join_of,
        np.array(offsets, dtype=np.int64),
        np.array(targets, dtype=np.int64),
        np.array(cumulative, dtype=float),
        np.array(branch_codes, dtype=np.int64),
        np.int64(index[model.first.id]),
    )
    return _Flow(arrays, codes)


def _flatten_calendars(parts: list[_cal.CalendarArrays]) -> tuple[np.ndarray, ...]:
    """All calendars in flat arrays with offsets, for the compiled loop."""
    import numpy as np

    def flat(position: int) -> tuple[np.ndarray, np.ndarray]:
        arrays = [np.asarray(p[position], dtype=float) for p in parts] or [np.zeros(0)]
        offsets = np.concatenate([[0], np.cumsum([len(a) for a in arrays])]).astype(np.int64)
        return np.concatenate(arrays), offsets

    s, so = flat(0)
    e, _ = flat(1)
    b, _ = flat(2)
    ws, wo = flat(3)
    we, _ = flat(4)
    wb, _ = flat(5)
    scalars = np.array([[p[6], p[7], p[8]] for p in parts] or [[0.0, 0.0, 0.0]], dtype=float)
    return s, e, b, so, ws, we, wb, wo, scalars


# -- the compiled loop ----------------------------------------------------------------------------

_COMPILED: list[Any] = []


def compiled_on_disk() -> bool:
    """Whether numba's cache holds the compiled loop, so that a first run starts at once.

    Without it, the first simulation with staff compiles the loop (some 15 to 25 seconds on
    two cores; see benchmarks/RESULTS.md) and stores it for every later run.
    """
    try:
        cache = _kernel()._cache
        return bool(cache._cache_file._index_path and _exists(cache._cache_file._index_path))
    except (AttributeError, OSError):  # pragma: no cover - a numba without these internals
        return False


def _exists(path: str) -> bool:
    import os

    return os.path.exists(path)


def compile_now() -> None:
    """Compile the loop into numba's cache, as an installer may do so that no user waits.

    ``python -c "from bpr.simulate.queueing import compile_now; compile_now()"``
    """
    import numpy as np

    model = loads(
        "bpr: 1\nservice: compile\nvariant: as-is\nvolume: 1000\n"
        "actors: {a: {name: A}}\nsteps:\n  - {id: x, actor: a, work: 1h}\n"
    )
    run_queued(model, Staffing({"a": 1}, {}, np.zeros(1)), seed=0)


def _kernel() -> Any:
    """The compiled simulation (numba compiles it on first use and caches it on disk)."""
    if _COMPILED:
        return _COMPILED[0]
    import numba
    import numpy

    jit = numba.njit(cache=True, nogil=True)
    scope: dict[str, Any] = {
        "np": numpy,
        "_WEEK": 168.0,
        "_WAIT_LOW": _WAIT_LOW,
        "_LOG_RATIO": _LOG_RATIO,
        "_WAIT_BINS": _WAIT_BINS,
        "_HASH_FACTOR": _HASH_FACTOR,
        "_MAX_RUNS": _MAX_RUNS,
        "_READY": _READY,
        "_DONE": _DONE,
    }
    helpers = [
        _cal._last_at_or_before,
        _cal._first_reaching,
        _cal.open_hours,
        _cal.at_open_hours,
        _cal.advance,
        _cal.next_open,
        _draw,
        _heap_push,
        _heap_pop,
        _grow_f,
        _grow_i,
    ]
    for function in helpers:  # each compiled with the ones before it as its globals
        scope[function.__name__] = _rebind(function, scope, jit)
    kernel = _rebind(_simulate_kernel, scope, jit)
    _COMPILED.append(kernel)
    return kernel


def _rebind(function: Any, names: dict[str, Any], jit: Any) -> Any:
    """``function`` compiled with ``names`` as its globals (the compiled helpers)."""
    import types

    scope = dict(function.__globals__)
    scope.update(names)
    clone = types.FunctionType(
        function.__code__, scope, function.__name__, function.__defaults__, function.__closure__
    )
    clone.__module__ = function.__module__
    clone.__qualname__ = function.__qualname__
    return jit(clone)


def _draw(kind, low, mode, high):  # type: ignore[no-untyped-def]
    if kind == 0:
        return mode
    if kind == 1:
        return np.random.uniform(low, high)
    if kind == 3:
        return np.random.exponential(mode)
    return np.random.triangular(low, mode, high)


def _heap_push(times, seqs, items, size, time, seq, item):  # type: ignore[no-untyped-def]
    i = size
    times[i], seqs[i], items[i] = time, seq, item
    while i > 0:
        parent = (i - 1) // 2
        if times[parent] < times[i] or (times[parent] == times[i] and seqs[parent] < seqs[i]):
            break
        times[i], times[parent] = times[parent], times[i]
        seqs[i], seqs[parent] = seqs[parent], seqs[i]
        items[i], items[parent] = items[parent], items[i]
        i = parent
    return size + 1


def _heap_pop(times, seqs, items, size):  # type: ignore[no-untyped-def]
    size -= 1
    times[0], seqs[0], items[0] = times[size], seqs[size], items[size]
    i = 0
    while True:
        left = 2 * i + 1
        if left >= size:
            break
        child = left
        right = left + 1
        if right < size and (
            times[right] < times[left] or (times[right] == times[left] and seqs[right] < seqs[left])
        ):
            child = right
        if times[i] < times[child] or (times[i] == times[child] and seqs[i] < seqs[child]):
            break
        times[i], times[child] = times[child], times[i]
        seqs[i], seqs[child] = seqs[child], seqs[i]
        items[i], items[child] = items[child], items[i]
        i = child
    return size


def _grow_f(values):  # type: ignore[no-untyped-def]
    bigger = np.empty(2 * len(values) + 16, dtype=values.dtype)
    bigger[: len(values)] = values
    return bigger


def _grow_i(values):  # type: ignore[no-untyped-def]
    bigger = np.empty(2 * len(values) + 16, dtype=values.dtype)
    bigger[: len(values)] = values
    return bigger


# Event kinds in the heap: a token is ready for work (its wait is over), or its work is done.
_READY, _DONE = 0, 1


def _simulate_kernel(  # type: ignore[no-untyped-def]
    arrivals,
    seed,
    record,
    step_actor,
    capacity,
    calendar_of,
    cs,
    ce,
    cb,
    co,
    cws,
    cwe,
    cwb,
    cwo,
    cscalars,
    durations,
    applicant,
    fee,
    parallel,
    join_of,
    offsets,
    targets,
    cumulative,
    branch_codes,
    first_step,
):
    np.random.seed(seed)
    n = len(arrivals)
    n_steps = len(step_actor)
    n_actors = len(capacity)
    lead = np.zeros(n)
    queued = np.zeros(n)
    applicant_hours = np.zeros(n)
    fees = np.zeros(n)
    hashes = np.zeros(n, dtype=np.uint64)
    case_runs = np.zeros(n, dtype=np.int64)
    runs = np.zeros(n_steps, dtype=np.int64)
    work_sum = np.zeros(n_actors)
    wait_sum = np.zeros(n_actors)
    waited = np.zeros(n_actors, dtype=np.int64)
    hist = np.zeros((n_actors, _WAIT_BINS + 1), dtype=np.int64)
    busy = np.zeros(n_actors, dtype=np.int64)
    q_head = np.full(n_actors, -1, dtype=np.int64)
    q_tail = np.full(n_actors, -1, dtype=np.int64)
    dec_case = np.zeros(1024, dtype=np.int64)
    dec_code = np.zeros(1024, dtype=np.int64)
    n_dec = 0
    ev_case = np.zeros(1024 if record else 0, dtype=np.int64)
    ev_step = np.zeros(1024 if record else 0, dtype=np.int64)
    ev_begin = np.zeros(1024 if record else 0)
    ev_end = np.zeros(1024 if record else 0)
    n_ev = 0
    # tokens: one per case and parallel branch in the process
    cap = 1024
    t_case = np.zeros(cap, dtype=np.int64)
    t_step = np.zeros(cap, dtype=np.int64)
    t_frame = np.zeros(cap, dtype=np.int64)
    t_ready = np.zeros(cap)
    t_begin = np.zeros(cap)
    t_work = np.zeros(cap)
    t_hold = np.zeros(cap, dtype=np.int64)
    t_link = np.zeros(cap, dtype=np.int64)
    free_tokens = np.zeros(cap, dtype=np.int64)
    n_free = 0
    n_tokens = 0
    # frames of parallel blocks: the join, branches still out, the latest arrival, the parent
    f_join = np.zeros(64, dtype=np.int64)
    f_left = np.zeros(64, dtype=np.int64)
    f_time = np.zeros(64)
    f_parent = np.zeros(64, dtype=np.int64)
    free_frames = np.zeros(64, dtype=np.int64)
    n_free_frames = 0
    n_frames = 0
    # the heap of events: time, sequence number (first come, first served), token * 2 + kind
    h_time = np.zeros(cap)
    h_seq = np.zeros(cap, dtype=np.int64)
    h_item = np.zeros(cap, dtype=np.int64)
    h_size = 0
    seq = 0
    last = 0.0
    status = 0
    next_case = 0
    # stack of pending routings (token, step, time) so that one event may fan out
    s_tok = np.zeros(64, dtype=np.int64)
    s_step = np.zeros(64, dtype=np.int64)
    s_time = np.zeros(64)
    while True:
        n_stack = 0
        if next_case < n and (h_size == 0 or arrivals[next_case] <= h_time[0]):
            # a new case: a token at the first step
            if n_free > 0:
                n_free -= 1
                tok = free_tokens[n_free]
            else:
                if n_tokens == len(t_case):
                    t_case = _grow_i(t_case)
                    t_step = _grow_i(t_step)
                    t_frame = _grow_i(t_frame)
                    t_ready = _grow_f(t_ready)
                    t_begin = _grow_f(t_begin)
                    t_work = _grow_f(t_work)
                    t_hold = _grow_i(t_hold)
                    t_link = _grow_i(t_link)
                    free_tokens = _grow_i(free_tokens)
                tok = n_tokens
                n_tokens += 1
            t_case[tok] = next_case
            t_frame[tok] = -1
            s_tok[0], s_step[0], s_time[0] = tok, first_step, arrivals[next_case]
            n_stack = 1
            next_case += 1
        elif h_size > 0:
            now = h_time[0]
            item = h_item[0]
            h_size = _heap_pop(h_time, h_seq, h_item, h_size)
            tok = item // 2
            kind = item % 2
            step = t_step[tok]
            actor = step_actor[step]
            ci = calendar_of[actor]
            if kind == _READY:
                w = _draw(durations[step, 0], durations[step, 1], durations[step, 2],
                          durations[step, 3])  # fmt: skip
                t_work[tok] = w
                t_ready[tok] = now
                work_sum[actor] += w
                if applicant[step]:
                    applicant_hours[t_case[tok]] += w
                if capacity[actor] > 0 and w > 0.0 and busy[actor] >= capacity[actor]:
                    t_link[tok] = -1  # joins the queue
                    if q_tail[actor] < 0:
                        q_head[actor] = tok
                    else:
                        t_link[q_tail[actor]] = tok
                    q_tail[actor] = tok
                    continue
                hold = 1 if (capacity[actor] > 0 and w > 0.0) else 0
                t_hold[tok] = hold
                busy[actor] += hold
                start = now
                done = now
                if w > 0.0:
                    if ci >= 0:
                        a, b, c, d = co[ci], co[ci + 1], cwo[ci], cwo[ci + 1]
                        start = next_open(cs[a:b], ce[a:b], cb[a:b], cws[c:d], cwe[c:d],
                                          cwb[c:d], cscalars[ci, 0], cscalars[ci, 1],
                                          cscalars[ci, 2], now)  # fmt: skip
                        done = advance(cs[a:b], ce[a:b], cb[a:b], cws[c:d], cwe[c:d],
                                       cwb[c:d], cscalars[ci, 0], cscalars[ci, 1],
                                       cscalars[ci, 2], start, w)  # fmt: skip
                    else:
                        done = now + w
                if capacity[actor] > 0:
                    waited[actor] += 1
                    if start > now:
                        wait_sum[actor] += start - now
                        queued[t_case[tok]] += start - now
                        k = int(np.log((start - now) / _WAIT_LOW) / _LOG_RATIO) + 1
                        hist[actor, min(max(k, 1), _WAIT_BINS)] += 1
                    else:
                        hist[actor, 0] += 1
                t_begin[tok] = start
                if h_size == len(h_time):
                    h_time = _grow_f(h_time)
                    h_seq = _grow_i(h_seq)
                    h_item = _grow_i(h_item)
                h_size = _heap_push(h_time, h_seq, h_item, h_size, done, seq, tok * 2 + _DONE)
                seq += 1
                continue
            # the work is done: free the desk for the next in the queue, then move on
            if now > last:
                last = now
            if t_hold[tok]:
                head = q_head[actor]
                if head >= 0:
                    q_head[actor] = t_link[head]
                    if q_head[actor] < 0:
                        q_tail[actor] = -1
                    start = now
                    done = now
                    if ci >= 0:
                        a, b, c, d = co[ci], co[ci + 1], cwo[ci], cwo[ci + 1]
                        start = next_open(cs[a:b], ce[a:b], cb[a:b], cws[c:d], cwe[c:d],
                                          cwb[c:d], cscalars[ci, 0], cscalars[ci, 1],
                                          cscalars[ci, 2], now)  # fmt: skip
                        done = advance(cs[a:b], ce[a:b], cb[a:b], cws[c:d], cwe[c:d],
                                       cwb[c:d], cscalars[ci, 0], cscalars[ci, 1],
                                       cscalars[ci, 2], start, t_work[head])  # fmt: skip
                    else:
                        done = now + t_work[head]
                    delay = start - t_ready[head]
                    waited[actor] += 1
                    wait_sum[actor] += delay
                    queued[t_case[head]] += delay
                    if delay > 0.0:
                        k = int(np.log(delay / _WAIT_LOW) / _LOG_RATIO) + 1
                        hist[actor, min(max(k, 1), _WAIT_BINS)] += 1
                    else:
                        hist[actor, 0] += 1
                    t_hold[head] = 1
                    t_begin[head] = start
                    if h_size == len(h_time):
                        h_time = _grow_f(h_time)
                        h_seq = _grow_i(h_seq)
                        h_item = _grow_i(h_item)
                    h_size = _heap_push(h_time, h_seq, h_item, h_size, done, seq, head * 2 + _DONE)
                    seq += 1
                else:
                    busy[actor] -= 1
            if record:
                if n_ev == len(ev_case):
                    ev_case = _grow_i(ev_case)
                    ev_step = _grow_i(ev_step)
                    ev_begin = _grow_f(ev_begin)
                    ev_end = _grow_f(ev_end)
                ev_case[n_ev] = t_case[tok]
                ev_step[n_ev] = step
                ev_begin[n_ev] = t_begin[tok]
                ev_end[n_ev] = now
                n_ev += 1
            # where the token goes next
            case = t_case[tok]
            o = offsets[step]
            if parallel[step]:
                if n_frames == len(f_join) and n_free_frames == 0:
                    f_join = _grow_i(f_join)
                    f_left = _grow_i(f_left)
                    f_time = _grow_f(f_time)
                    f_parent = _grow_i(f_parent)
                    free_frames = _grow_i(free_frames)
                if n_free_frames > 0:
                    n_free_frames -= 1
                    frame = free_frames[n_free_frames]
                else:
                    frame = n_frames
                    n_frames += 1
                join = join_of[step]
                f_join[frame] = join
                f_time[frame] = now
                f_parent[frame] = t_frame[tok]
                out = 0
                for k in range(o, offsets[step + 1]):
                    if targets[k] != join:
                        out += 1
                f_left[frame] = out
                if out == 0:
                    t_frame[tok] = f_parent[frame]
                    free_frames[n_free_frames] = frame
                    n_free_frames += 1
                    s_tok[0], s_step[0], s_time[0] = tok, join, now
                    n_stack = 1
                else:
                    used = False
                    for k in range(o, offsets[step + 1]):
                        if targets[k] == join:
                            continue
                        if not used:
                            branch_tok = tok
                            used = True
                        else:
                            if n_free > 0:
                                n_free -= 1
                                branch_tok = free_tokens[n_free]
                            else:
                                if n_tokens == len(t_case):
                                    t_case = _grow_i(t_case)
                                    t_step = _grow_i(t_step)
                                    t_frame = _grow_i(t_frame)
                                    t_ready = _grow_f(t_ready)
                                    t_begin = _grow_f(t_begin)
                                    t_work = _grow_f(t_work)
                                    t_hold = _grow_i(t_hold)
                                    t_link = _grow_i(t_link)
                                    free_tokens = _grow_i(free_tokens)
                                branch_tok = n_tokens
                                n_tokens += 1
                            t_case[branch_tok] = case
                        t_frame[branch_tok] = frame
                        if n_stack == len(s_tok):
                            s_tok = _grow_i(s_tok)
                            s_step = _grow_i(s_step)
                            s_time = _grow_f(s_time)
                        s_tok[n_stack], s_step[n_stack], s_time[n_stack] = (
                            branch_tok,
                            targets[k],
                            now,
                        )
                        n_stack += 1
            else:
                pick = o
                if offsets[step + 1] - o > 1:
                    u = np.random.random()
                    while pick < offsets[step + 1] - 1 and cumulative[pick] <= u:
                        pick += 1
                code = branch_codes[pick]
                if code >= 0:
                    hashes[case] = hashes[case] * np.uint64(_HASH_FACTOR) + np.uint64(code + 1)
                    if n_dec == len(dec_case):
                        dec_case = _grow_i(dec_case)
                        dec_code = _grow_i(dec_code)
                    dec_case[n_dec] = case
                    dec_code[n_dec] = code
                    n_dec += 1
                s_tok[0], s_step[0], s_time[0] = tok, targets[pick], now
                n_stack = 1
        else:
            break
        # route the tokens on the stack: into a join, to the end, or into their next step
        while n_stack > 0:
            n_stack -= 1
            tok, step, now = s_tok[n_stack], s_step[n_stack], s_time[n_stack]
            frame = t_frame[tok]
            if frame >= 0 and step == f_join[frame]:
                if now > f_time[frame]:
                    f_time[frame] = now
                f_left[frame] -= 1
                if f_left[frame] > 0:
                    free_tokens[n_free] = tok
                    n_free += 1
                    continue
                now = f_time[frame]
                t_frame[tok] = f_parent[frame]
                free_frames[n_free_frames] = frame
                n_free_frames += 1
            if step < 0:
                case = t_case[tok]
                lead[case] = now - arrivals[case]
                free_tokens[n_free] = tok
                n_free += 1
                continue
            t_step[tok] = step
            runs[step] += 1
            fees[t_case[tok]] += fee[step]
            case_runs[t_case[tok]] += 1
            if case_runs[t_case[tok]] > _MAX_RUNS:
                status = 1
                break
            wait = _draw(durations[step, 4], durations[step, 5], durations[step, 6],
                         durations[step, 7])  # fmt: skip
            if h_size == len(h_time):
                h_time = _grow_f(h_time)
                h_seq = _grow_i(h_seq)
                h_item = _grow_i(h_item)
            h_size = _heap_push(h_time, h_seq, h_item, h_size, now + wait, seq, tok * 2 + _READY)
            seq += 1
        if status:
            break
    return (
        lead,
        queued,
        applicant_hours,
        fees,
        hashes,
        dec_case[:n_dec].copy(),
        dec_code[:n_dec].copy(),
        runs,
        work_sum,
        wait_sum,
        hist,
        waited,
        last,
        ev_case[:n_ev].copy(),
        ev_step[:n_ev].copy(),
        ev_begin[:n_ev].copy(),
        ev_end[:n_ev].copy(),
        status,
    )
