"""The measures' labels in the output language, as the measures' own catalogue translates them.

The labels are written once, in :data:`bpr.analysis.measures.MEASURE_LABELS`, and translated
once, in the ``measures`` catalogue (``bpr metrics`` prints the same words). This module holds
no message of its own: it only looks the labels up, so a report and ``bpr metrics`` never
call one measure by two names.

>>> measure_label("lead_time_days")
'Lead time'
>>> measure_label("no-such-key")
'no-such-key'
"""

from __future__ import annotations

from bpr.analysis.measures import MEASURE_LABELS
from bpr.core.i18n import domain

__all__ = ["measure_label", "measure_unit_kind"]

_measure_text = domain("measures").gettext


def measure_label(key: str) -> str:
    """The label of measure ``key`` in the current language (the key itself if unknown)."""
    label = MEASURE_LABELS.get(key, (key, ""))[0]
    return _measure_text(label) if key in MEASURE_LABELS else label


def measure_unit_kind(key: str) -> str:
    """The unit of measure ``key`` as the measures name it: ``days``, ``hours``, ``money``
    (the model's currency) or ``""``; the report writes it in words of its own."""
    return MEASURE_LABELS.get(key, (key, ""))[1]
