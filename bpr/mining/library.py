"""The mining libraries: bpr's own inductive miner, and pm4py (for alignments), imported on
first use and kept quiet."""

from __future__ import annotations

import os
from typing import Any

from bpr.errors import DependencyError
from bpr.mining.inductive import Tree
from bpr.mining.inductive import inductive_tree as _inductive_tree

__all__ = ["inductive_tree", "load_pm4py"]


def _quiet() -> None:
    """No progress bars from pm4py on the terminal: the commands print their own output."""
    os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "false")
    try:
        from pm4py.util import constants

        constants.SHOW_PROGRESS_BAR = False
    except (ImportError, AttributeError):  # pragma: no cover
        pass


def load_pm4py(feature: str) -> Any:
    """pm4py, imported on first use; ``feature`` names what needs it in the error."""
    _quiet()
    try:
        import pm4py
    except ImportError:
        raise DependencyError("pm4py", feature, "mining") from None
    return pm4py


def inductive_tree(variants: dict[tuple[str, ...], int], noise: float) -> Tree:
    """The inductive miner's process tree of the variants with their cases: IMf for
    ``noise`` > 0, else IM (:mod:`bpr.mining.inductive`, bpr's own, which mines the tree
    pm4py 2.7 mines from the same variants, without importing pm4py).

    The events themselves are never needed: the variants are all the miner looks at.
    """
    return _inductive_tree(variants, noise)
