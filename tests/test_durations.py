"""Durations: units, sums, ranges, triangular distributions and their errors."""

from __future__ import annotations

import pytest

from bpr.core.durations import Duration, DurationError, format_hours, parse_duration


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("30m", 0.5),
        ("2h", 2),
        ("1.5h", 1.5),
        ("5d", 120),
        ("1w", 168),
        ("1h 30m", 1.5),
        ("1d4h", 28),
        (".5h", 0.5),
        (0, 0),
        (None, 0),
    ],
)
def test_fixed(text: object, hours: float) -> None:
    duration = parse_duration(text)
    assert duration.kind == "fixed"
    assert duration.mean == pytest.approx(hours)


def test_uniform_range() -> None:
    d = parse_duration("2d..9d")
    assert (d.kind, d.low, d.high, d.mean) == ("uniform", 48, 216, 132)
    assert str(d) == "2d..9d"


def test_triangular() -> None:
    d = parse_duration({"min": "2d", "mode": "3d", "max": "10d"})
    assert d.kind == "triangular"
    assert d.mean == pytest.approx(5 * 24)
    assert str(d) == "{min: 2d, mode: 3d, max: 10d}"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("5", "has no unit"),
        (5, "has no unit"),
        ("5 days", "unknown unit 'days'"),
        ("", "empty duration"),
        ("abc", "cannot read duration"),
        ("9d..2d", "runs backwards"),
        ({"min": "1d"}, "keys min, mode and max"),
        ({"min": "3d", "mode": "1d", "max": "5d"}, "min <= mode <= max"),
        (True, "expected a duration"),
        ([1], "expected a duration"),
    ],
)
def test_errors(value: object, message: str) -> None:
    with pytest.raises(DurationError, match=message):
        parse_duration(value)


@pytest.mark.parametrize(
    ("hours", "text"),
    [
        (0, "0h"),
        (0.5, "30m"),
        (2, "2h"),
        (48, "2d"),
        (336, "2w"),
        (30.5, "30h 30m"),
        (1.2345, "1.2345h"),
    ],
)
def test_format_hours(hours: float, text: str) -> None:
    assert format_hours(hours) == text
    assert parse_duration(text).mean == pytest.approx(hours)


def test_fixed_constructor() -> None:
    assert Duration.fixed(3).mean == 3 and not Duration.fixed(3).is_zero
