"""The directly-follows graph of a variant log, and the graph algorithms the cuts share.

A variant log maps each trace (a tuple of activity names) to its number of cases. Its graph
counts how often one activity directly follows another, and how many cases start and end
with each activity:

>>> graph = Graph.of({("a", "b"): 3, ("a", "c", "b"): 1, (): 2})
>>> graph.edges
{('a', 'b'): 3, ('a', 'c'): 1, ('c', 'b'): 1}
>>> graph.starts, graph.ends, sorted(graph.activities())
({'a': 4}, {'b': 4}, ['a', 'b', 'c'])

The graph's activities are those of its edges, starts and ends: a graph that IMf has
filtered (:mod:`bpr.mining.inductive.noise`) may have lost some of its log's activities.
The algorithms work on bit sets (an ``int`` per activity, bit ``i`` for the ``i``-th activity
in order of text), iteratively, so that long chains of activities need no deep recursion.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise

__all__ = ["Graph", "VariantLog", "bits", "components", "reachability", "transpose"]

#: Traces (tuples of activity names) with their numbers of cases.
VariantLog = dict[tuple[str, ...], int]


class Graph:
    """The directly-follows graph: edge counts, start counts and end counts."""

    __slots__ = ("edges", "ends", "starts")

    def __init__(
        self, edges: dict[tuple[str, str], int], starts: dict[str, int], ends: dict[str, int]
    ) -> None:
        self.edges = edges
        self.starts = starts
        self.ends = ends

    @classmethod
    def of(cls, log: VariantLog) -> Graph:
        """The graph of a variant log (empty traces add nothing)."""
        edges: dict[tuple[str, str], int] = {}
        starts: dict[str, int] = {}
        ends: dict[str, int] = {}
        for trace, cases in log.items():
            if not trace:
                continue
            starts[trace[0]] = starts.get(trace[0], 0) + cases
            ends[trace[-1]] = ends.get(trace[-1], 0) + cases
            for pair in pairwise(trace):
                edges[pair] = edges.get(pair, 0) + cases
        return cls(edges, starts, ends)

    def activities(self) -> set[str]:
        """The activities of the edges, starts and ends."""
        found = set(self.starts) | set(self.ends)
        for a, b in self.edges:
            found.add(a)
            found.add(b)
        return found

    def indexed(self) -> tuple[list[str], dict[str, int], list[int]]:
        """The activities in order of text, their indexes, and each one's successors as a bit
        set."""
        names = sorted(self.activities())
        index = {a: i for i, a in enumerate(names)}
        successors = [0] * len(names)
        for a, b in self.edges:
            successors[index[a]] |= 1 << index[b]
        return names, index, successors


def bits(value: int) -> Iterable[int]:
    """The indexes of the bits set in ``value``, lowest first."""
    while value:
        low = value & -value
        yield low.bit_length() - 1
        value ^= low


def components(neighbours: list[int]) -> list[int]:
    """The connected components of an undirected graph given by each node's neighbours (a bit
    set, symmetric), as bit sets, in order of their lowest node."""
    found: list[int] = []
    seen = 0
    for start in range(len(neighbours)):
        if seen >> start & 1:
            continue
        component = frontier = 1 << start
        while frontier:
            reached = 0
            for node in bits(frontier):
                reached |= neighbours[node]
            frontier = reached & ~component
            component |= frontier
        seen |= component
        found.append(component)
    return found


def reachability(successors: list[int]) -> list[int]:
    """For each node, the nodes reachable from it by one edge or more (a bit set; a node
    reaches itself only on a cycle).

    Tarjan's strongly connected components, iteratively; a component's reach is its
    successors' reach, built in the order the components are completed (successors first).
    """
    count = len(successors)
    order = [-1] * count
    low = [0] * count
    on_stack = [False] * count
    stack: list[int] = []
    component_of = [-1] * count
    reach: list[int] = []  # per component
    counter = 0
    for root in range(count):
        if order[root] >= 0:
            continue
        work: list[tuple[int, list[int]]] = [(root, list(bits(successors[root])))]
        order[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        while work:
            node, pending = work[-1]
            if pending:
                nxt = pending.pop()
                if order[nxt] < 0:
                    order[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack[nxt] = True
                    work.append((nxt, list(bits(successors[nxt]))))
                elif on_stack[nxt]:
                    low[node] = min(low[node], order[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] != order[node]:
                continue
            members = 0
            while True:
                member = stack.pop()
                on_stack[member] = False
                component_of[member] = len(reach)
                members |= 1 << member
                if member == node:
                    break
            outgoing = 0
            for member in bits(members):
                outgoing |= successors[member]
            reached = outgoing
            for target in bits(outgoing & ~members):
                reached |= reach[component_of[target]]
            reach.append(reached)
    return [reach[component_of[node]] for node in range(count)]


def transpose(successors: list[int]) -> list[int]:
    """Each node's predecessors, from each node's successors."""
    predecessors = [0] * len(successors)
    for node, targets in enumerate(successors):
        for target in bits(targets):
            predecessors[target] |= 1 << node
    return predecessors
