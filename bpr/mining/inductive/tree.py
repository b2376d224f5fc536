"""The process tree the inductive miner builds, its folding and its canonical order.

A node is an operator with children (sequence, exclusive choice, parallel, loop) or a leaf:
an activity's label, or ``None`` for a silent step (tau). ``str`` prints pm4py's notation,
so a tree can be compared with the one pm4py prints:

>>> tree = Tree(Operator.SEQUENCE, [Tree(label="a"), Tree(Operator.XOR, [Tree(label="b"), Tree()])])
>>> print(tree)
->( 'a', X( 'b', tau ) )
>>> print(fold(Tree(Operator.SEQUENCE, [tree, Tree(), Tree(label="c")])))
->( 'a', X( 'b', tau ), 'c' )

:func:`fold` removes what adds nothing (silent steps in sequences and parallel blocks, all but
one silent choice, operators with one child) and flattens an operator nested in the same
operator (sequence, choice, parallel), until nothing changes; it does exactly what pm4py's
``generic.fold`` does, including its passes' order (a silent child right after another is
removed only by the next pass), so that the two give the same tree. :func:`canonical_sort`
orders the children of choices and parallel blocks by the sum of their labels' MD5 numbers,
as pm4py's ``generic.tree_sort`` does (a stable sort: ties keep their order).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from enum import Enum

__all__ = ["Operator", "Tree", "canonical_sort", "fold"]


class Operator(Enum):
    """The operators of a process tree, with pm4py's symbols.

    >>> str(Operator.LOOP)
    '*'
    """

    SEQUENCE = "->"
    XOR = "X"
    PARALLEL = "+"
    LOOP = "*"

    def __str__(self) -> str:
        return self.value


class Tree:
    """A node of a process tree: ``operator`` with ``children``, or a leaf with ``label``
    (``None``: a silent step).

    >>> Tree(label="a").is_leaf, Tree().is_tau, str(Tree())
    (True, True, 'tau')
    >>> str(Tree(Operator.LOOP, [Tree(label="a"), Tree()]))
    "*( 'a', tau )"
    """

    __slots__ = ("children", "label", "operator")

    def __init__(
        self,
        operator: Operator | None = None,
        children: list[Tree] | None = None,
        label: str | None = None,
    ) -> None:
        self.operator = operator
        self.children: list[Tree] = [] if children is None else children
        self.label = label

    @property
    def is_leaf(self) -> bool:
        """No operator and no children: an activity or a silent step."""
        return self.operator is None and not self.children

    @property
    def is_tau(self) -> bool:
        """A silent leaf."""
        return self.operator is None and self.label is None and not self.children

    def nodes(self) -> Iterator[Tree]:
        """Every node below and including this one, children before their parent."""
        stack: list[tuple[Tree, bool]] = [(self, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded or not node.children:
                yield node
                continue
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.children))

    def copy(self) -> Tree:
        """A deep copy."""
        made: dict[int, Tree] = {}
        for node in self.nodes():
            made[id(node)] = Tree(node.operator, [made[id(c)] for c in node.children], node.label)
        return made[id(self)]

    def __str__(self) -> str:
        text: dict[int, str] = {}
        for node in self.nodes():
            if node.operator is None and not node.children:
                text[id(node)] = "tau" if node.label is None else f"'{node.label}'"
                continue
            inner = ", ".join(text.pop(id(c)) for c in node.children)
            text[id(node)] = f"{node.operator}( {inner} )"
        if self.operator is None and not self.children and self.label is not None:
            return self.label  # pm4py quotes labels only inside an operator
        return text[id(self)]

    def __repr__(self) -> str:
        return f"Tree({self})"


def _silent_like(node: Tree) -> bool:
    """No label and no children: what pm4py's tree equality takes for a silent leaf."""
    return node.label is None and not node.children


def _drop_first_silent(children: list[Tree]) -> None:
    index = next(i for i, c in enumerate(children) if _silent_like(c))
    del children[index]


def _reduce_taus(root: Tree) -> None:
    """Remove silent children that add nothing, bottom up (pm4py's ``reduce_tau_leafs``).

    A sequence or parallel block drops its silent children, a choice keeps its last one; the
    children are walked while they are removed, so of two silent steps side by side in a
    sequence only the first goes in one call.
    """
    for node in root.nodes():
        children = node.children
        if not children:
            continue
        silent = sum(1 for c in children if c.is_tau)
        if not silent:
            continue
        if silent == len(children):
            if node.operator is not Operator.LOOP:
                _keep_one_silent(children, silent)
            elif len(children) == 2:
                _walk_dropping_silent(children)
        elif node.operator in (Operator.SEQUENCE, Operator.PARALLEL):
            _walk_dropping_silent(children)
        elif node.operator is Operator.XOR:
            _keep_one_silent(children, silent)


def _walk_dropping_silent(children: list[Tree]) -> None:
    """Walk the children while dropping the silent ones: the child after each dropped one
    is stepped over (pm4py removes from the list it iterates)."""
    i = 0
    while i < len(children):
        if children[i].is_tau:
            _drop_first_silent(children)
        i += 1


def _keep_one_silent(children: list[Tree], silent: int) -> None:
    """Drop the first silent children until one is left."""
    while silent > 1:
        _drop_first_silent(children)
        silent -= 1


def _fold_pass(root: Tree) -> Tree:
    """One pass of pm4py's ``_fold``: each node, top down, first reduces the silent steps of
    its whole subtree; then, bottom up, an operator with one child becomes that child, a
    sequence or parallel block drops its silent children, and a child with its parent's
    operator (sequence, choice, parallel) gives its children to the parent."""
    result: dict[int, Tree] = {}
    stack: list[tuple[Tree, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if not expanded:
            _reduce_taus(node)
            if node.children:
                stack.append((node, True))
                stack.extend((child, False) for child in reversed(node.children))
            else:
                result[id(node)] = node
            continue
        children = [result.pop(id(c)) for c in node.children]
        node.children = children
        if len(children) == 1:
            result[id(node)] = children[0]
            continue
        if node.operator in (Operator.SEQUENCE, Operator.PARALLEL):
            children = [c for c in children if not (c.operator is None and c.label is None)]
            node.children = children
            if not children:
                node.operator = None
        if node.operator in (Operator.SEQUENCE, Operator.XOR, Operator.PARALLEL):
            flat: list[Tree] = []
            for child in children:
                if child.operator is node.operator:
                    flat.extend(child.children)
                else:
                    flat.append(child)
            node.children = flat
        result[id(node)] = node
    return result[id(root)]


def _fold_until_still(tree: Tree) -> Tree:
    """Fold passes until one changes nothing (any change shortens the printed tree, which is
    how pm4py tells): a pass, then the root's single children taken as the root, then the
    silent steps reduced once more (a change there starts over)."""
    while True:
        tree = _fold_pass(tree)
        while len(tree.children) == 1:
            tree = tree.children[0]
        length = len(str(tree))
        _reduce_taus(tree)
        if len(str(tree)) != length:
            continue
        again = _fold_pass(tree)
        if len(str(again)) == length:
            return tree
        tree = again


def fold(tree: Tree) -> Tree:
    """The tree folded as pm4py's ``generic.fold`` folds it (``tree`` itself is unchanged).

    >>> print(fold(Tree(Operator.XOR, [Tree(), Tree(Operator.XOR, [Tree(label="a"), Tree()])])))
    X( 'a', tau )
    """
    return _fold_until_still(tree.copy())


def _label_number(label: str) -> int:
    return int(hashlib.md5(label.encode("utf-8"), usedforsecurity=False).hexdigest(), 16)


def canonical_sort(tree: Tree) -> Tree:
    """Order the children of every choice and parallel block by the sum of their labels' MD5
    numbers (stable), in place, as pm4py's ``generic.tree_sort`` does; returns ``tree``.

    >>> print(canonical_sort(Tree(Operator.XOR, [Tree(label="a"), Tree(label="b"), Tree()])))
    X( tau, 'a', 'b' )
    """
    total: dict[int, int] = {}
    for node in tree.nodes():
        value = sum(total[id(c)] for c in node.children)
        if node.label is not None:
            value += _label_number(node.label)
        total[id(node)] = value
        if node.operator in (Operator.PARALLEL, Operator.XOR):
            node.children = sorted(node.children, key=lambda c: total[id(c)])
    return tree
