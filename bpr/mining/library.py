"""pm4py for mining: imported on first use, kept quiet, and given the log frame it wants."""

from __future__ import annotations

import os
from collections import Counter
from typing import TYPE_CHECKING, Any

from bpr.errors import DependencyError
from bpr.files.eventlog import ACTIVITY, CASE, TIMESTAMP

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["inductive_tree", "load_pm4py", "pm4py_frame"]


def pm4py_frame(log: pd.DataFrame) -> pd.DataFrame:
    """The columns pm4py's algorithms want: case and activity as plain strings."""
    frame = log[[CASE, ACTIVITY, TIMESTAMP]].copy()
    frame[CASE] = frame[CASE].astype(str)
    frame[ACTIVITY] = frame[ACTIVITY].astype(str)
    return frame


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


def inductive_tree(variants: dict[tuple[str, ...], int], noise: float) -> Any:
    """pm4py's inductive miner on variants with their cases: IMf for ``noise`` > 0, else IM.

    The same tree pm4py makes from the whole log, which it reduces to these variants first;
    the events themselves are never needed.
    """
    import warnings

    load_pm4py("bpr mine")
    from pm4py.algo.discovery.inductive.dtypes.im_ds import IMDataStructureUVCL
    from pm4py.algo.discovery.inductive.variants.im import IMUVCL
    from pm4py.algo.discovery.inductive.variants.imf import IMFUVCL
    from pm4py.objects.process_tree.utils import generic

    parameters = {"noise_threshold": noise}
    miner = IMFUVCL(parameters) if noise > 0 else IMUVCL(parameters)
    with warnings.catch_warnings():  # pm4py's own deprecation notices are no news to the user
        warnings.simplefilter("ignore")
        tree = miner.apply(IMDataStructureUVCL(Counter(variants)), parameters)
        tree = generic.fold(tree)
        generic.tree_sort(tree)
    return tree
