"""The fall-throughs: what the miner does with a log that has no base case and no cut.

Tried in this order, the first that applies wins:

1. empty traces: a choice between a silent step and the non-empty traces;
2. an activity once per trace (the first such by name): in parallel with the rest;
3. an activity concurrent (the first by name whose removal leaves a log with a cut): in
   parallel with the rest;
4. a strict tau loop: the traces cut where an end activity is followed by a start activity
   become the body of a loop with a silent redo;
5. a tau loop: the same, cut before every start activity that is not the trace's first;
6. a flower: a loop of a silent body and a choice of every activity.

Each returns the node's operator (or a leaf) and the logs of its children:

>>> operator, logs = fall_through({("a", "b"): 1, ("b", "a"): 1, ("a", "b", "b"): 2})
>>> operator, logs
(<Operator.PARALLEL: '+'>, [{('a',): 4}, {('b',): 2, ('b', 'b'): 2}])
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

from bpr.mining.inductive.concurrency import concurrency_cut
from bpr.mining.inductive.graph import Graph, VariantLog
from bpr.mining.inductive.loop import loop_cut
from bpr.mining.inductive.sequence import sequence_cut
from bpr.mining.inductive.tree import Operator, Tree
from bpr.mining.inductive.xor import xor_cut

__all__ = ["fall_through", "has_cut"]

#: The cuts in the order the miner tries them.
CUTS: tuple[Callable[[Graph], list[set[str]] | None], ...] = (
    xor_cut,
    sequence_cut,
    concurrency_cut,
    loop_cut,
)


def has_cut(graph: Graph) -> bool:
    """Whether any cut holds on the graph."""
    return any(cut(graph) is not None for cut in CUTS)


def _alphabet(log: VariantLog) -> list[str]:
    return sorted({a for trace in log for a in trace})


def _add(log: VariantLog, trace: tuple[str, ...], cases: int) -> None:
    log[trace] = log.get(trace, 0) + cases


def _once_per_trace(log: VariantLog) -> str | None:
    candidates = set(_alphabet(log))
    for trace in log:
        seen: set[str] = set()
        twice: set[str] = set()
        for a in trace:
            (twice if a in seen else seen).add(a)
        candidates &= seen - twice
        if not candidates:
            return None
    return min(candidates) if candidates else None


def _concurrent(log: VariantLog) -> str | None:
    for candidate in _alphabet(log):
        edges: dict[tuple[str, str], int] = {}
        starts: dict[str, int] = {}
        ends: dict[str, int] = {}
        for trace in log:
            rest = [a for a in trace if a != candidate]
            if not rest:
                continue
            starts[rest[0]] = 1
            ends[rest[-1]] = 1
            for pair in pairwise(rest):
                edges[pair] = 1
        if has_cut(Graph(edges, starts, ends)):
            return candidate
    return None


def _parallel_with(log: VariantLog, activity: str) -> tuple[Operator, list[VariantLog]]:
    alone: VariantLog = {}
    others: VariantLog = {}
    for trace, cases in log.items():
        _add(alone, tuple(a for a in trace if a == activity), cases)
        _add(others, tuple(a for a in trace if a != activity), cases)
    return Operator.PARALLEL, [alone, others]


def _cut_log(log: VariantLog, strict: bool) -> VariantLog:
    starts = {trace[0] for trace in log if trace}
    ends = {trace[-1] for trace in log if trace}
    pieces: VariantLog = {}
    for trace, cases in log.items():
        begin = 0
        for i in range(1, len(trace)):
            if trace[i] in starts and (not strict or trace[i - 1] in ends):
                _add(pieces, trace[begin:i], cases)
                begin = i
        _add(pieces, trace[begin:], cases)
    return pieces


def fall_through(log: VariantLog) -> tuple[Operator | Tree, list[VariantLog]]:
    """The first fall-through that applies: an operator with its children's logs, or a
    leaf (a log of empty traces only) with none."""
    if () in log:
        rest = {t: n for t, n in log.items() if t}
        if not rest:
            return Tree(), []
        return Operator.XOR, [{}, rest]
    activity = _once_per_trace(log)
    if activity is None:
        activity = _concurrent(log)
    if activity is not None:
        return _parallel_with(log, activity)
    total = sum(log.values())
    for strict in (True, False):
        pieces = _cut_log(log, strict)
        if sum(pieces.values()) > total:
            return Operator.LOOP, [pieces, {}]
    return Operator.LOOP, [{}, {(a,): 1 for a in _alphabet(log)}]
