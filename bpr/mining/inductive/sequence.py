"""The sequence cut (strict, as in IM and IMf): groups the activities pass through in order.

Two activities are in the same group when each reaches the other in the graph, or neither
does; the groups are then in the order of reachability. The strict cut merges groups that
cases can skip together (Leemans, *Robust Process Mining with Guarantees*, p. 233), and each
trace is split where the fewest of its events fall on the wrong side.

>>> from bpr.mining.inductive.graph import Graph
>>> log = {("a", "b", "c"): 2, ("a", "c", "b"): 1, ("a", "d"): 1}
>>> groups = sequence_cut(Graph.of(log))
>>> [sorted(g) for g in groups]
[['a'], ['b', 'c', 'd']]
>>> sequence_split(log, groups)
[{('a',): 4}, {('b', 'c'): 2, ('c', 'b'): 1, ('d',): 1}]
"""

from __future__ import annotations

from bisect import bisect_left

from bpr.mining.inductive.graph import (
    Graph,
    VariantLog,
    bits,
    components,
    reachability,
    transpose,
)

__all__ = ["sequence_cut", "sequence_split"]


def _ordered_groups(graph: Graph) -> list[set[str]] | None:
    """The plain sequence cut: the groups in order, or ``None`` for fewer than two."""
    names, _, successors = graph.indexed()
    if not names:
        return None
    after = reachability(successors)
    before = transpose(after)
    everything = (1 << len(names)) - 1
    # related: both reach each other, or neither does
    related = [~(after[i] ^ before[i]) & everything & ~(1 << i) for i in range(len(names))]
    found = components(related)
    if len(found) < 2:
        return None
    # a group's place: how many activities outside it reach it (any of its activities gives
    # the same number, as the groups are totally ordered)
    place = {g: (before[(g & -g).bit_length() - 1] & ~g).bit_count() for g in found}
    found.sort(key=place.__getitem__)
    return [{names[i] for i in bits(g)} for g in found]


def sequence_cut(graph: Graph) -> list[set[str]] | None:
    """The strict sequence cut of the graph: its groups in order, or ``None``.

    As pm4py's, it may come back with a single group when the skippable groups all merge.
    """
    groups = _ordered_groups(graph)
    if groups is None:
        return None
    starts, ends = set(graph.starts), set(graph.ends)
    count = len(groups)
    group_of = {a: i for i, group in enumerate(groups) for a in group}
    big = 1 << 62
    # the earliest group an edge comes from into each group, the latest one each group reaches
    earliest = [-big if group & starts else big for group in groups]
    latest = [big if group & ends else -big for group in groups]
    for a, b in graph.edges:
        ga, gb = group_of[a], group_of[b]
        earliest[gb] = min(earliest[gb], ga)
        latest[ga] = max(latest[ga], gb)
    for p in range(count):
        if not _skippable(p, graph, starts, ends, groups):
            continue
        q = p - 1
        while q >= 0 and latest[q] <= p:
            groups[p] |= groups[q]
            groups[q] = set()
            q -= 1
        q = p + 1
        while q < count and earliest[q] >= p:
            groups[p] |= groups[q]
            groups[q] = set()
            q += 1
    return [group for group in groups if group]


def _skippable(
    p: int, graph: Graph, starts: set[str], ends: set[str], groups: list[set[str]]
) -> bool:
    """Whether cases can pass group ``p`` by: an edge over it, a start after it or an end
    before it (with the groups as merged so far)."""
    group_of = {a: i for i, group in enumerate(groups) for a in group}
    for a, b in graph.edges:
        if group_of[a] < p < group_of[b]:
            return True
    if any(group_of[a] > p for a in starts if a in group_of):
        return True
    return any(group_of[a] < p for a in ends if a in group_of)


def sequence_split(log: VariantLog, groups: list[set[str]]) -> list[VariantLog]:
    """Each trace cut into one piece per group: group ``i``'s piece ends where the events of
    later groups (and of no group) minus those of group ``i`` are fewest, the earliest such
    place; it keeps only group ``i``'s events."""
    group_of = {a: i for i, group in enumerate(groups) for a in group}
    logs: list[VariantLog] = [{} for _ in groups]
    count = len(groups)
    for trace, cases in log.items():
        marks = [group_of.get(a, count) for a in trace]
        places: dict[int, list[int]] = {}
        for position, mark in enumerate(marks):
            places.setdefault(mark, []).append(position)
        split = 0
        for i in range(count):
            own = places.get(i, ())
            remaining = len(own) - bisect_left(own, split) if own else 0
            end = split
            if remaining:
                cost = least = 0
                position = split
                while position < len(marks) and cost - remaining < least:
                    mark = marks[position]
                    if mark == i:
                        cost -= 1
                        remaining -= 1
                    elif mark > i:
                        cost += 1
                    position += 1
                    if cost < least:
                        least = cost
                        end = position
            piece = tuple(trace[j] for j in range(split, end) if marks[j] == i)
            target = logs[i]
            target[piece] = target.get(piece, 0) + cases
            split = end
    return logs
