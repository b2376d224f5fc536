"""The concurrency cut: groups whose activities all follow each other both ways.

Two activities are in the same group unless each directly follows the other; a group with
no start or no end activity joins a neighbouring group (groups taken from the smallest).

>>> from bpr.mining.inductive.graph import Graph
>>> log = {("a", "b"): 2, ("b", "a"): 1}
>>> groups = concurrency_cut(Graph.of(log))
>>> [sorted(g) for g in groups]
[['a'], ['b']]
>>> concurrency_split(log, groups)
[{('a',): 3}, {('b',): 3}]
"""

from __future__ import annotations

from bpr.mining.inductive.graph import Graph, VariantLog, bits, components

__all__ = ["concurrency_cut", "concurrency_split"]


def concurrency_cut(graph: Graph) -> list[set[str]] | None:
    """The groups of the concurrency cut, or ``None`` for fewer than two."""
    names, _, successors = graph.indexed()
    if not names:
        return None
    everything = (1 << len(names)) - 1
    predecessors = [0] * len(names)
    for node, targets in enumerate(successors):
        for target in bits(targets):
            predecessors[target] |= 1 << node
    # joined: every other activity that is not both a successor and a predecessor
    joined = [
        everything & ~(successors[i] & predecessors[i]) & ~(1 << i) for i in range(len(names))
    ]
    found = components(joined)  # in order of their first activity's name
    groups = sorted(({names[i] for i in bits(c)} for c in found), key=len)
    starts, ends = set(graph.starts), set(graph.ends)
    i = 0
    while i < len(groups) and len(groups) > 1:
        if groups[i] & starts and groups[i] & ends:
            i += 1
            continue
        group = groups.pop(i)
        groups[i - 1 if i else 0] |= group
    return groups if len(groups) > 1 else None


def concurrency_split(log: VariantLog, groups: list[set[str]]) -> list[VariantLog]:
    """Each trace projected on each group's activities."""
    group_of = {a: i for i, group in enumerate(groups) for a in group}
    logs: list[VariantLog] = [{} for _ in groups]
    for trace, cases in log.items():
        pieces: list[list[str]] = [[] for _ in groups]
        for activity in trace:
            index = group_of.get(activity)
            if index is not None:
                pieces[index].append(activity)
        for target, piece in zip(logs, pieces, strict=True):
            key = tuple(piece)
            target[key] = target.get(key, 0) + cases
    return logs
