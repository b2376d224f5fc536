"""The exclusive-choice cut: the graph falls apart into pieces that no edge joins.

>>> from bpr.mining.inductive.graph import Graph
>>> log = {("a", "b"): 2, ("c",): 1, ("b", "a"): 1}
>>> groups = xor_cut(Graph.of(log))
>>> [sorted(g) for g in groups]
[['a', 'b'], ['c']]
>>> xor_split(log, groups)
[{('a', 'b'): 2, ('b', 'a'): 1}, {('c',): 1}]
"""

from __future__ import annotations

from bpr.mining.inductive.graph import Graph, VariantLog, bits, components

__all__ = ["xor_cut", "xor_split"]


def xor_cut(graph: Graph) -> list[set[str]] | None:
    """The connected components of the graph (its edges taken both ways) when there are two
    or more, in order of their activities' sorted names; else ``None``."""
    names, _, successors = graph.indexed()
    neighbours = list(successors)
    for node, targets in enumerate(successors):
        for target in bits(targets):
            neighbours[target] |= 1 << node
    found = components(neighbours)
    if len(found) < 2:
        return None
    groups = [{names[i] for i in bits(component)} for component in found]
    return sorted(groups, key=sorted)


def xor_split(log: VariantLog, groups: list[set[str]]) -> list[VariantLog]:
    """Each trace goes to the group most of its events belong to (a tie to the later group),
    with only that group's events."""
    group_of = {a: i for i, group in enumerate(groups) for a in group}
    logs: list[VariantLog] = [{} for _ in groups]
    last = len(groups) - 1
    for trace, cases in log.items():
        tally = [0] * len(groups)
        for activity in trace:
            index = group_of.get(activity)
            if index is not None:
                tally[index] += 1
        best = max(range(last, -1, -1), key=tally.__getitem__)
        kept = tuple(a for a in trace if group_of.get(a) == best)
        target = logs[best]
        target[kept] = target.get(kept, 0) + cases
    return logs
