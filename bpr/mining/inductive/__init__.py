"""bpr's own inductive miner: a process tree from a variant log, as pm4py 2.7 mines it.

A variant log maps traces (tuples of activity names) to their numbers of cases;
:func:`inductive_tree` runs IM on it (noise 0) or IMf (noise in (0, 1)) and returns the
folded, sorted :class:`Tree`, the same tree pm4py's inductive miner gives on the same
variants (``str`` prints it in pm4py's notation). The modules, one per job:

- :mod:`~bpr.mining.inductive.graph`: the directly-follows graph and the graph algorithms;
- :mod:`~bpr.mining.inductive.xor`, :mod:`~bpr.mining.inductive.sequence`,
  :mod:`~bpr.mining.inductive.concurrency`, :mod:`~bpr.mining.inductive.loop`: the cuts,
  each finding its groups on the graph and splitting the log;
- :mod:`~bpr.mining.inductive.base`: the base cases;
- :mod:`~bpr.mining.inductive.fallthrough`: the fall-throughs;
- :mod:`~bpr.mining.inductive.noise`: IMf's filtering;
- :mod:`~bpr.mining.inductive.tree`: the tree, its folding and its canonical order;
- :mod:`~bpr.mining.inductive.miner`: the miner itself.

>>> print(inductive_tree({("a", "b"): 3, ("a",): 1}))
->( 'a', X( tau, 'b' ) )
"""

from __future__ import annotations

from bpr.mining.inductive.miner import inductive_tree
from bpr.mining.inductive.tree import Operator, Tree

__all__ = ["Operator", "Tree", "inductive_tree"]
