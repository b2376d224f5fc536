"""The loop cut: a body (the start and end activities and what cannot be told from them)
and one redo part that leads from the body's ends back to its starts.

>>> from bpr.mining.inductive.graph import Graph
>>> log = {("a", "b"): 2, ("a", "b", "c", "a", "b"): 1}
>>> groups = loop_cut(Graph.of(log))
>>> [sorted(g) for g in groups]
[['a', 'b'], ['c']]
>>> loop_split(log, groups)
[{('a', 'b'): 4}, {('c',): 1}]
"""

from __future__ import annotations

from bpr.mining.inductive.graph import Graph, VariantLog, bits, components

__all__ = ["loop_cut", "loop_split"]


def loop_cut(graph: Graph) -> list[set[str]] | None:
    """The body and the redo part, or ``None`` when nothing is left to redo."""
    if not graph.edges:
        return None
    starts, ends = set(graph.starts), set(graph.ends)
    edges = graph.edges
    names, index, successors = graph.indexed()
    body_bits = 0
    for a in starts | ends:
        body_bits |= 1 << index[a]
    # the pieces of the graph without its start and end activities
    neighbours = [0] * len(names)
    for node, targets in enumerate(successors):
        if body_bits >> node & 1:
            continue
        for target in bits(targets & ~body_bits):
            neighbours[node] |= 1 << target
            neighbours[target] |= 1 << node
    pieces = [{names[i] for i in bits(c)} for c in components(neighbours) if not c & body_bits]
    body = starts | ends
    # a piece that a start (not an end) leads into, or that leads into an end (not a
    # start), is part of the body
    into_body: set[str] = set()
    for a, b in edges:
        if a in starts and a not in ends:
            into_body.add(b)
        if b in ends and b not in starts:
            into_body.add(a)
    redo: list[set[str]] = []
    for piece in pieces:
        if piece & into_body:
            body |= piece
        else:
            redo.append(piece)
    # a piece that goes back to some start activities but not to all, or that some end
    # activities lead into but not all, is part of the body too
    kept: list[set[str]] = []
    for piece in redo:
        if any(
            any((a, s) in edges for s in starts) and any((a, s) not in edges for s in starts)
            for a in piece
        ):
            body |= piece
        else:
            kept.append(piece)
    rest: set[str] = set()
    for piece in kept:
        if any(
            any((e, a) in edges for e in ends) and any((e, a) not in edges for e in ends)
            for a in piece
        ):
            body |= piece
        else:
            rest |= piece
    if not rest:
        return None
    return [body, rest]


def loop_split(log: VariantLog, groups: list[set[str]]) -> list[VariantLog]:
    """The body's stretches of each trace to the first log, the redo part's to the second;
    every trace gives the body log its last stretch (empty when it ends in the redo part)."""
    body, redo = groups
    body_log: VariantLog = {}
    redo_log: VariantLog = {}
    for trace, cases in log.items():
        stretch: list[str] = []
        in_body = True
        for activity in trace:
            if activity in body:
                if not in_body and stretch:
                    key = tuple(stretch)
                    redo_log[key] = redo_log.get(key, 0) + cases
                    stretch = []
                in_body = True
                stretch.append(activity)
            elif activity in redo:
                if in_body and stretch:
                    key = tuple(stretch)
                    body_log[key] = body_log.get(key, 0) + cases
                    stretch = []
                in_body = False
                stretch.append(activity)
            else:  # in neither: ends the stretch
                if stretch:
                    target = body_log if in_body else redo_log
                    key = tuple(stretch)
                    target[key] = target.get(key, 0) + cases
                    stretch = []
        last: tuple[str, ...] = ()
        if stretch:
            if in_body:
                last = tuple(stretch)
            else:
                key = tuple(stretch)
                redo_log[key] = redo_log.get(key, 0) + cases
        body_log[last] = body_log.get(last, 0) + cases
    return [body_log, redo_log]
