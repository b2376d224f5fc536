"""The base cases: a log with nothing in it, or with one trace of at most one activity.

>>> print(base_case({}), base_case({("a",): 4}), base_case({(): 2}), base_case({("a", "a"): 1}))
tau a tau None
"""

from __future__ import annotations

from bpr.mining.inductive.graph import VariantLog
from bpr.mining.inductive.tree import Tree

__all__ = ["base_case"]


def base_case(log: VariantLog) -> Tree | None:
    """The leaf for an empty log (tau) or a log of one trace of one activity or none; else
    ``None``."""
    if not log:
        return Tree()
    if len(log) != 1:
        return None
    (trace,) = log
    if len(trace) > 1:
        return None
    return Tree(label=trace[0]) if trace else Tree()
