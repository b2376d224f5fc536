"""Plain-text tables and number formats for the terminal.

The measures' labels are written in the output language (the ``measures`` catalogue); numbers
from :func:`format_number` stay in the English way, for a caller to pass through
:func:`bpr.core.i18n.numeral` where it writes them for a person.

>>> from bpr.core.i18n import use
>>> with use("ru"):
...     measure_label("lead_time_days"), measure_label("fees", "UZS")
('Срок (календарные дни)', 'Платежи заявителя (UZS)')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bpr.analysis.measures import MEASURE_LABELS
from bpr.core.i18n import domain

__all__ = ["format_number", "measure_label", "measure_name", "text_table"]

_ = domain("measures").gettext
pgettext = domain("measures").pgettext


def format_number(value: Any, decimals: int = 2) -> str:
    """Readable numbers: thousands separated, integers without decimals, None as a dash.

    >>> format_number(21632500000.0), format_number(13.2604166), format_number(None)
    ('21,632,500,000', '13.26', '-')
    >>> format_number(12210000.000000002)
    '12,210,000'
    """
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and abs(value - round(value)) < 1e-9 * max(1.0, abs(value)):
        value = round(value)  # float noise such as 12210000.000000002 is a whole amount
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.{decimals}f}"
    return str(value)


def measure_name(key: str) -> str:
    """The label of a measure without its unit, in the output language (``Lead time``)."""
    label = MEASURE_LABELS.get(key, (key, ""))[0]
    return _(label) if key in MEASURE_LABELS else label


def measure_label(key: str, currency: str | None = None) -> str:
    """The label of a measure with its unit: ``Lead time (days)``, ``Fees (UZS)``."""
    unit = MEASURE_LABELS.get(key, (key, ""))[1]
    if unit == "money":
        shown = currency or ""
    elif unit == "days":
        # TRANSLATORS: the unit of the lead time in a measure's label: "Lead time (days)"
        shown = pgettext("measure unit", "days")
    elif unit == "hours":
        # TRANSLATORS: the unit of work and time in a measure's label: "Staff time (hours)"
        shown = pgettext("measure unit", "hours")
    else:
        shown = unit
    name = measure_name(key)
    return f"{name} ({shown})" if shown else name


def text_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool] | None = None
) -> str:
    """Align columns; by default the first column is left-aligned and the others right-aligned."""
    if right is None:
        right = [False] + [True] * (len(headers) - 1)
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.rjust(widths[i]) if right[i] else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])
