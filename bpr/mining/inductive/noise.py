"""IMf's noise filtering: of the empty traces, and of the directly-follows graph.

A share of empty traces above the noise threshold makes the log's node a choice with a
silent step; a smaller share is dropped. When no cut is found, the graph is filtered and
the cuts are tried once more on it: an edge stays when it is more frequent than the
threshold times the most frequent way out of its source (its edges and its ends), a start
activity when it starts at least the threshold times as many cases as the most frequent
one; the end activities stay. A cut found on the filtered graph splits the log's traces as
IM splits them; an activity the filtered graph has lost is in no group and is left out of
the split logs. The split logs themselves are filtered only by the rule on empty traces,
when the miner comes to each of them.

>>> from bpr.mining.inductive.graph import Graph
>>> graph = Graph.of({("a", "b"): 9, ("a", "c", "b"): 1, ("c", "b"): 1})
>>> kept = filter_graph(graph, 0.2)
>>> kept.edges, kept.starts, kept.ends
({('a', 'b'): 9, ('c', 'b'): 2}, {'a': 10}, {'b': 11})
>>> empty_traces_kept({(): 1, ("a",): 9}, 0.2), empty_traces_kept({(): 3, ("a",): 7}, 0.2)
(False, True)
"""

from __future__ import annotations

from bpr.mining.inductive.graph import Graph, VariantLog

__all__ = ["empty_traces_kept", "filter_graph"]


def empty_traces_kept(log: VariantLog, noise: float) -> bool:
    """Whether the log's empty traces are more than ``noise`` of its cases (then the log's
    node is a choice with a silent step; else they are dropped as noise)."""
    total = sum(log.values())
    empty = log.get((), 0)
    return total - (total - empty) > noise * total


def filter_graph(graph: Graph, noise: float) -> Graph:
    """The graph without its infrequent edges and start activities."""
    most_out: dict[str, int] = {}
    for (a, _), count in graph.edges.items():
        most_out[a] = max(most_out.get(a, count), count, graph.ends.get(a, 0))
    edges = {(a, b): count for (a, b), count in graph.edges.items() if count > noise * most_out[a]}
    top = max(graph.starts.values())
    starts = {a: count for a, count in graph.starts.items() if count >= top * noise}
    return Graph(edges, starts, dict(graph.ends))
