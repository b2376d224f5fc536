"""The inductive miner over a variant log: IM (noise 0) and IMf (noise in (0, 1)).

Each log becomes a node: a base case (:mod:`~bpr.mining.inductive.base`) is a leaf; else
the first cut that holds on the log's directly-follows graph (exclusive choice, strict
sequence, concurrency, loop) gives an operator and splits the log into its children's logs;
else (IMf) the same cuts on the noise-filtered graph; else a fall-through
(:mod:`~bpr.mining.inductive.fallthrough`). Empty traces are looked at first: IM makes a
choice with a silent step of them, IMf does so when they are more than the noise threshold's
share of the cases and drops them otherwise. The tree is then folded and sorted
(:mod:`~bpr.mining.inductive.tree`).

The result is pm4py 2.7's (``IMUVCL``/``IMFUVCL`` on the same variants, then ``fold`` and
``tree_sort``), node for node. Where pm4py walks sets, its outcome could depend on the
order of iteration (string hashing varies from run to run): its exclusive-choice groups are
sorted by their names, its concurrency cut and fall-throughs walk the activities in order of
their names, and its sequence cut's order of groups and its loop cut's body and redo part
do not depend on which activity of a group it looks at; this miner takes the same orders,
so its result is deterministic and is the one pm4py gives under every hash seed (the tests
compare the two under several seeds).

The nodes are expanded from an explicit stack, so a deep tree needs no deep recursion.

>>> log = {("a", "b", "c"): 20, ("a", "c", "b"): 15, ("a", "c"): 1}
>>> print(inductive_tree(log, 0.0))
->( 'a', +( 'c', X( tau, 'b' ) ) )
>>> print(inductive_tree(log, 0.2))
->( 'a', +( 'c', 'b' ) )
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bpr.mining.inductive.base import base_case
from bpr.mining.inductive.concurrency import concurrency_cut, concurrency_split
from bpr.mining.inductive.fallthrough import fall_through
from bpr.mining.inductive.graph import Graph, VariantLog
from bpr.mining.inductive.loop import loop_cut, loop_split
from bpr.mining.inductive.noise import empty_traces_kept, filter_graph
from bpr.mining.inductive.sequence import sequence_cut, sequence_split
from bpr.mining.inductive.tree import Operator, Tree, canonical_sort, fold
from bpr.mining.inductive.xor import xor_cut, xor_split

__all__ = ["inductive_tree"]

_Split = Callable[[VariantLog, list[set[str]]], list[VariantLog]]
_CUTS: tuple[tuple[Operator, Callable[[Graph], list[set[str]] | None], _Split], ...] = (
    (Operator.XOR, xor_cut, xor_split),
    (Operator.SEQUENCE, sequence_cut, sequence_split),
    (Operator.PARALLEL, concurrency_cut, concurrency_split),
    (Operator.LOOP, loop_cut, loop_split),
)


def _cut(log: VariantLog, graph: Graph) -> tuple[Operator | Tree, list[VariantLog]] | None:
    for operator, find, split in _CUTS:
        groups = find(graph)
        if groups is not None:
            return operator, split(log, groups)
    return None


def _expand(log: VariantLog, noise: float) -> tuple[Operator | Tree, list[VariantLog]]:
    """The node a log becomes: an operator with its children's logs, or a leaf."""
    if () in log:
        rest = {t: n for t, n in log.items() if t}
        if rest:
            if noise <= 0 or empty_traces_kept(log, noise):
                return Operator.XOR, [{}, rest]
            log = rest
        elif noise <= 0:
            return Tree(), []
    leaf = base_case(log)
    if leaf is not None:
        return leaf, []
    graph = Graph.of(log)
    found = _cut(log, graph)
    if found is None and noise > 0:
        found = _cut(log, filter_graph(graph, noise))
    return fall_through(log) if found is None else found


def _mine_tree(variants: Mapping[tuple[str, ...], int], noise: float = 0.0) -> Tree:
    """The miner's tree before folding and sorting."""
    root = Tree(Operator.SEQUENCE)  # holds the tree as its one child
    stack: list[tuple[VariantLog, Tree]] = [({tuple(t): n for t, n in variants.items()}, root)]
    while stack:
        log, parent = stack.pop()
        made, logs = _expand(log, noise)
        node = made if isinstance(made, Tree) else Tree(made)
        parent.children.append(node)
        stack.extend((child, node) for child in reversed(logs))
    return root.children[0]


def inductive_tree(variants: Mapping[tuple[str, ...], int], noise: float = 0.0) -> Tree:
    """The process tree of the variants (traces with their numbers of cases), folded and
    sorted: IM for ``noise`` 0, IMf with that noise threshold above."""
    return canonical_sort(fold(_mine_tree(variants, noise)))
