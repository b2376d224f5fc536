"""Questions the measures do not answer, asked of the networkx graph of a model.

Run from the repository root: ``python examples/graph_analysis.py [MODEL]``. Prints the
critical path (the chain of steps that sets the lead time when no rework happens), the
agencies a case passes through along it, and the rework loops.
"""

from __future__ import annotations

import sys

import networkx as nx

import bpr


def critical_path(model: bpr.Model) -> list[str]:
    """The longest chain of work and waiting from the first step to the end, loops cut."""
    graph = model.graph
    first_pass = nx.DiGraph()
    for source, target in graph.edges:
        if target == "end" or graph.nodes[target]["index"] > graph.nodes[source]["index"]:
            first_pass.add_edge(source, target)  # a flow back to an earlier step is rework
    hours = {s: graph.nodes[s]["work"] + graph.nodes[s]["wait"] for s in first_pass if s != "end"}
    to_end: dict[str, float] = {"end": 0.0}
    following: dict[str, str] = {}
    for step in reversed(list(nx.topological_sort(first_pass))):
        onward = [t for t in first_pass.successors(step) if t in to_end]
        if step == "end" or not onward:
            continue  # "end" is set; a step that only leads back has no way to the end
        best = max(onward, key=lambda t: to_end[t])
        following[step] = best
        to_end[step] = hours[step] + to_end[best]
    path = [model.first.id]
    while path[-1] != "end":
        path.append(following[path[-1]])
    return path


def main(file: str) -> None:
    model = bpr.load(file)
    graph = model.graph
    print(model.title)
    path = critical_path(model)
    hours = sum(graph.nodes[s]["work"] + graph.nodes[s]["wait"] for s in path if s != "end")
    print(f"critical path ({hours / 24:.1f} days without rework): " + " -> ".join(path))
    agencies = [
        graph.nodes[s]["agency"] or model.actors[graph.nodes[s]["actor"]].name
        for s in path
        if s != "end"
    ]
    route = [a for i, a in enumerate(agencies) if i == 0 or a != agencies[i - 1]]
    print("agencies in turn: " + " -> ".join(route))
    loops = sorted(nx.simple_cycles(graph), key=len)
    for loop in loops:
        names = ", ".join(graph.nodes[s]["name"] for s in loop)
        print(f"rework loop over {len(loop)} step(s): {names}")
    if not loops:
        print("no rework loops")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "models/property-registration/as-is.yaml")
