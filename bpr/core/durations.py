"""Durations of the model format: fixed (``5d``), uniform ranges (``2d..9d``), triangular."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bpr.core.i18n import N_, domain

__all__ = ["UNITS", "Duration", "DurationError", "format_hours", "parse_duration"]

#: Hours in one unit of each duration unit; a day is 24 hours of elapsed time.
UNITS: dict[str, float] = {"m": 1 / 60, "h": 1.0, "d": 24.0, "w": 168.0}

_TERM = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*([a-zA-Z]+)")
_ = domain("validate").gettext


class DurationError(ValueError):
    """A duration that cannot be read; the loader turns it into a located problem."""


@dataclass(frozen=True)
class Duration:
    """A duration in hours: fixed, or a uniform or triangular distribution.

    >>> parse_duration("2d..4d").mean
    72.0
    """

    low: float
    mode: float
    high: float
    kind: str = "fixed"  # "fixed", "uniform" or "triangular"

    @classmethod
    def fixed(cls, hours: float) -> Duration:
        return cls(hours, hours, hours, "fixed")

    @property
    def mean(self) -> float:
        """Expected value in hours: the measures use this."""
        if self.kind == "uniform":
            return (self.low + self.high) / 2
        if self.kind == "triangular":
            return (self.low + self.mode + self.high) / 3
        return self.mode

    @property
    def is_zero(self) -> bool:
        return self.high == 0

    def __str__(self) -> str:
        if self.kind == "uniform":
            return f"{format_hours(self.low)}..{format_hours(self.high)}"
        if self.kind == "triangular":
            return (
                f"{{min: {format_hours(self.low)}, mode: {format_hours(self.mode)}, "
                f"max: {format_hours(self.high)}}}"
            )
        return format_hours(self.mode)


ZERO = Duration.fixed(0.0)


@lru_cache(maxsize=4096)  # the same few durations recur across steps and files
def _parse_fixed(text: str) -> float:
    """Hours in ``30m``, ``1.5h``, ``5d``, ``2w`` or a sum of such terms (``1h 30m``)."""
    stripped = text.strip()
    if not stripped:
        raise DurationError(
            _(
                "empty duration; write a number and a unit: 30m (minutes), 2h (hours), "
                "5d (days) or 1w (weeks)"
            )
        )
    position, hours = 0, 0.0
    for match in _TERM.finditer(stripped):
        if stripped[position : match.start()].strip():
            break
        unit = match.group(2)
        if unit not in UNITS:
            raise DurationError(
                _("unknown unit '{unit}' in duration '{text}'; the units are m, h, d and w").format(
                    unit=unit, text=text
                )
            )
        hours += float(match.group(1)) * UNITS[unit]
        position = match.end()
    if position == 0 or stripped[position:].strip():
        if re.fullmatch(r"\d+(\.\d*)?", stripped):
            raise DurationError(_(_NO_UNIT).format(text=text))
        raise DurationError(
            _(
                "cannot read duration '{text}'; write a number and a unit: 30m (minutes), "
                "2h (hours), 5d (days) or 1w (weeks)"
            ).format(text=text)
        )
    return hours


def parse_duration(value: Any) -> Duration:
    """Read a duration as written in a model file.

    >>> parse_duration("1h 30m").mean
    1.5
    >>> parse_duration({"min": "1d", "mode": "2d", "max": "6d"}).mean
    72.0
    """
    if value is None:
        return ZERO
    if isinstance(value, bool):
        raise DurationError(
            _(
                "expected a duration, got {value}; write a number and a unit: 30m (minutes), "
                "2h (hours), 5d (days) or 1w (weeks)"
            ).format(value=repr(value))
        )
    if isinstance(value, int | float):
        if value == 0:
            return ZERO
        raise DurationError(_(_NO_UNIT).format(text=value))
    if isinstance(value, dict):
        unknown = set(value) - {"min", "mode", "max"}
        if unknown or not {"min", "max"} <= set(value):
            raise DurationError(
                _(
                    "a triangular duration is a mapping with the keys min, mode and max, "
                    "such as {{min: 2d, mode: 3d, max: 9d}}"
                ).format()
            )
        low = _parse_fixed(str(value["min"]))
        high = _parse_fixed(str(value["max"]))
        mode = _parse_fixed(str(value["mode"])) if "mode" in value else (low + high) / 2
        if not low <= mode <= high:
            raise DurationError(_("a triangular duration needs min <= mode <= max"))
        return Duration(low, mode, high, "triangular")
    if isinstance(value, list):
        raise DurationError(
            _(
                "expected a duration, got a list; write a number and a unit: 30m (minutes), "
                "2h (hours), 5d (days) or 1w (weeks)"
            )
        )
    if not isinstance(value, str):
        raise DurationError(
            _(
                "expected a duration, got a {type}; write a number and a unit: 30m (minutes), "
                "2h (hours), 5d (days) or 1w (weeks)"
            ).format(type=type(value).__name__)
        )
    if ".." in value:
        first, _dots, second = value.partition("..")
        low, high = _parse_fixed(first), _parse_fixed(second)
        if low > high:
            raise DurationError(
                _("the range '{value}' runs backwards; write the shorter time first").format(
                    value=value
                )
            )
        return Duration(low, (low + high) / 2, high, "uniform")
    return Duration.fixed(_parse_fixed(value))


_NO_UNIT = N_(
    "duration '{text}' has no unit; write a number and a unit: 30m (minutes), 2h (hours), "
    "5d (days) or 1w (weeks)"
)


def format_hours(hours: float) -> str:
    """The shortest exact way to write a number of hours in the format's units.

    >>> format_hours(30.5), format_hours(0.5), format_hours(48.0)
    ('30h 30m', '30m', '2d')
    """
    if hours == 0:
        return "0h"
    for unit in ("w", "d", "h"):
        amount = hours / UNITS[unit]
        if abs(amount - round(amount)) < 1e-9:
            return f"{round(amount)}{unit}"
    if hours < 1 and abs(hours * 60 - round(hours * 60)) < 1e-6:
        return f"{round(hours * 60)}m"
    whole = int(hours)
    minutes = (hours - whole) * 60
    if whole and abs(minutes - round(minutes)) < 1e-6:
        return f"{whole}h {round(minutes)}m"
    return f"{hours:g}h"
