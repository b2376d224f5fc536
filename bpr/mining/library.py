"""pm4py for mining: imported on first use, kept quiet, and given the log frame it wants."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from bpr.errors import DependencyError
from bpr.files.eventlog import ACTIVITY, CASE, TIMESTAMP

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["load_pm4py", "pm4py_frame"]


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
