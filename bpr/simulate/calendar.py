"""Office calendars for the simulation: a weekly schedule with holidays, as open hours.

A calendar is kept as the function ``F(t)``: the open hours from the simulation's start
(``t = 0``, midnight of the start date) up to ``t`` hours. The office works ``w`` hours from
``t`` when ``F`` has grown by ``w``, so work that does not fit before closing time goes on at
the next opening. Within ``horizon`` hours the calendar is a list of open intervals (holidays
taken out); after it the plain week repeats, so no run of the simulation falls off its end.

>>> week = {day: [(9.0, 18.0)] for day in range(5)}   # Monday to Friday, 09:00-18:00
>>> import datetime
>>> cal = OfficeCalendar.build(week, datetime.date(2026, 1, 5), [], horizon_days=14)
>>> cal.week_hours
45.0
>>> cal.advance(17.0, 2.0)            # Monday 17:00, two hours of work: Tuesday 10:00
34.0
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bpr.core.calendar import Schedule
from bpr.core.i18n import domain, number
from bpr.errors import SimulationError

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "CalendarArrays",
    "OfficeCalendar",
    "WeeklyHours",
    "advance",
    "next_open",
    "open_hours",
    "weekly_hours",
]

_ = domain("simulate").gettext

#: Open hours of each weekday (0 Monday ... 6 Sunday) as ``(from, to)`` hours of that day.
WeeklyHours = Mapping[int, Sequence[tuple[float, float]]]

_WEEK = 168.0

#: A calendar as the leading arguments of :func:`open_hours`, :func:`advance`, :func:`next_open`.
CalendarArrays = tuple[
    "np.ndarray", "np.ndarray", "np.ndarray", "np.ndarray", "np.ndarray", "np.ndarray",
    float, float, float,
]  # fmt: skip


@dataclass(frozen=True)
class OfficeCalendar:
    """Open intervals (hours from the start) and their cumulative open hours.

    ``starts``, ``ends`` and ``before`` (open hours before each interval) cover
    ``[0, horizon)``; ``week_starts``/``week_ends``/``week_before`` are one plain week from
    ``horizon`` on, which repeats.
    """

    starts: np.ndarray
    ends: np.ndarray
    before: np.ndarray
    horizon: float
    open_at_horizon: float
    week_starts: np.ndarray
    week_ends: np.ndarray
    week_before: np.ndarray
    week_hours: float

    @classmethod
    def build(
        cls,
        week: WeeklyHours,
        start: datetime.date,
        holidays: Iterable[datetime.date] = (),
        *,
        horizon_days: int = 366,
    ) -> OfficeCalendar:
        """The calendar of ``week`` from ``start`` for at least ``horizon_days`` days."""
        import numpy as np

        closed = set(holidays)
        last = max((d for d in closed if d >= start), default=start)
        days = max(horizon_days, (last - start).days + 1)
        days = -(-days // 7) * 7  # whole weeks, so that the plain week follows on
        spans = _day_spans(week)
        starts: list[float] = []
        ends: list[float] = []
        for offset in range(days):
            day = start + datetime.timedelta(days=offset)
            if day in closed:
                continue
            for low, high in spans[day.weekday()]:
                _append(starts, ends, offset * 24.0 + low, offset * 24.0 + high)
        plain_starts: list[float] = []
        plain_ends: list[float] = []
        for offset in range(7):
            weekday = (start.weekday() + offset) % 7
            for low, high in spans[weekday]:
                _append(plain_starts, plain_ends, offset * 24.0 + low, offset * 24.0 + high)
        week_hours = float(sum(e - s for s, e in zip(plain_starts, plain_ends, strict=True)))
        if week_hours <= 0:
            raise SimulationError(_("an office calendar must be open at some hour of the week"))
        s, e = np.array(starts, dtype=float), np.array(ends, dtype=float)
        ws, we = np.array(plain_starts, dtype=float), np.array(plain_ends, dtype=float)
        before = np.concatenate([[0.0], np.cumsum(e - s)[:-1]]) if len(s) else np.zeros(0)
        return cls(
            starts=s,
            ends=e,
            before=before,
            horizon=days * 24.0,
            open_at_horizon=float((e - s).sum()),
            week_starts=ws,
            week_ends=we,
            week_before=np.concatenate([[0.0], np.cumsum(we - ws)[:-1]]),
            week_hours=week_hours,
        )

    def open_hours(self, t: float) -> float:
        """``F(t)``: the open hours from the start up to ``t``."""
        return float(open_hours(*self.arrays(), t))

    def advance(self, t: float, work: float) -> float:
        """When ``work`` open hours begun at ``t`` are done (``t`` itself for no work)."""
        return float(advance(*self.arrays(), t, work))

    def next_open(self, t: float) -> float:
        """The first open moment from ``t`` on (``t`` itself where the office is open)."""
        return float(next_open(*self.arrays(), t))

    def times_at(self, hours: np.ndarray) -> np.ndarray:
        """For each count of open hours (ascending), the first time ``F`` reaches it."""
        import numpy as np

        hours = np.asarray(hours, dtype=float)
        inside = hours <= self.open_at_horizon
        out = np.empty(len(hours))
        if len(self.starts):
            reached = self.before + (self.ends - self.starts)
            i = np.minimum(np.searchsorted(reached, hours[inside], side="left"), len(reached) - 1)
            out[inside] = self.starts[i] + (hours[inside] - self.before[i])
        arrays = self.arrays()
        for k in np.flatnonzero(~inside):
            out[k] = at_open_hours(*arrays, hours[k])
        return out

    def arrays(self) -> CalendarArrays:
        """The calendar as the arguments of :func:`open_hours` and :func:`advance`."""
        return (
            self.starts,
            self.ends,
            self.before,
            self.week_starts,
            self.week_ends,
            self.week_before,
            self.horizon,
            self.open_at_horizon,
            self.week_hours,
        )


def weekly_hours(schedule: Schedule) -> WeeklyHours:
    """The format's schedule (minutes since midnight per weekday) as hours of the day.

    >>> from bpr.core.calendar import parse_hours
    >>> weekly_hours(parse_hours("Mon 09:00-12:30"))[0]
    [(9.0, 12.5)]
    """
    return {
        day: [(a / 60, b / 60) for a, b in periods] for day, periods in enumerate(schedule.days)
    }


def _day_spans(week: WeeklyHours) -> list[list[tuple[float, float]]]:
    spans: list[list[tuple[float, float]]] = []
    for day in range(7):
        merged: list[tuple[float, float]] = []
        for low, high in sorted((float(a), float(b)) for a, b in week.get(day, ())):
            if not 0 <= low < high <= 24:
                raise SimulationError(
                    _(
                        "office hours {low}-{high} of weekday {day} are not within one day; "
                        "write them as from-to hours between 00:00 and 24:00"
                    ).format(low=number(low, "g"), high=number(high, "g"), day=day)
                )
            if merged and low <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(high, merged[-1][1]))
            else:
                merged.append((low, high))
        spans.append(merged)
    return spans


def _append(starts: list[float], ends: list[float], low: float, high: float) -> None:
    if starts and ends[-1] == low:  # open across midnight: one interval
        ends[-1] = high
    else:
        starts.append(low)
        ends.append(high)


# The functions below are plain Python over numpy arrays so that numba compiles them into the
# queueing loop (bpr.simulate.queueing); called from Python they serve the methods above. The
# arguments are those of OfficeCalendar.arrays(), then the time.


def open_hours(
    s: np.ndarray,
    e: np.ndarray,
    b: np.ndarray,
    ws: np.ndarray,
    we: np.ndarray,
    wb: np.ndarray,
    horizon: float,
    at_horizon: float,
    week_hours: float,
    t: float,
) -> float:
    """``F(t)``: the open hours from the start up to ``t``."""
    if t < horizon:
        i = _last_at_or_before(s, t)
        if i < 0:
            return 0.0
        return b[i] + min(t, e[i]) - s[i]
    rest = t - horizon
    weeks = rest // _WEEK
    r = rest - weeks * _WEEK
    i = _last_at_or_before(ws, r)
    inside = 0.0 if i < 0 else wb[i] + min(r, we[i]) - ws[i]
    return at_horizon + weeks * week_hours + inside


def at_open_hours(
    s: np.ndarray,
    e: np.ndarray,
    b: np.ndarray,
    ws: np.ndarray,
    we: np.ndarray,
    wb: np.ndarray,
    horizon: float,
    at_horizon: float,
    week_hours: float,
    c: float,
) -> float:
    """The first time at which ``F`` reaches ``c`` open hours."""
    if c <= at_horizon and len(s) > 0:
        i = _first_reaching(s, e, b, c)
        return s[i] + (c - b[i])
    rest = c - at_horizon
    weeks = rest // week_hours
    r = rest - weeks * week_hours
    if r == 0.0 and weeks > 0:  # exactly at the end of a week's open hours
        weeks -= 1
        r = week_hours
    i = _first_reaching(ws, we, wb, r)
    return horizon + weeks * _WEEK + ws[i] + (r - wb[i])


def advance(
    s: np.ndarray,
    e: np.ndarray,
    b: np.ndarray,
    ws: np.ndarray,
    we: np.ndarray,
    wb: np.ndarray,
    horizon: float,
    at_horizon: float,
    week_hours: float,
    t: float,
    work: float,
) -> float:
    """When ``work`` open hours begun at ``t`` are done (``t`` itself for no work)."""
    if work <= 0.0:
        return t
    c = open_hours(s, e, b, ws, we, wb, horizon, at_horizon, week_hours, t) + work
    return at_open_hours(s, e, b, ws, we, wb, horizon, at_horizon, week_hours, c)


def next_open(
    s: np.ndarray,
    e: np.ndarray,
    b: np.ndarray,
    ws: np.ndarray,
    we: np.ndarray,
    wb: np.ndarray,
    horizon: float,
    at_horizon: float,
    week_hours: float,
    t: float,
) -> float:
    """The first open moment from ``t`` on (``t`` itself where the office is open)."""
    if t < horizon:
        i = _last_at_or_before(s, t)
        if i >= 0 and t < e[i]:
            return t
        if i + 1 < len(s):
            return s[i + 1]
        t = horizon
    rest = t - horizon
    weeks = rest // _WEEK
    r = rest - weeks * _WEEK
    i = _last_at_or_before(ws, r)
    if i >= 0 and r < we[i]:
        return t
    if i + 1 < len(ws):
        return horizon + weeks * _WEEK + ws[i + 1]
    return horizon + (weeks + 1) * _WEEK + ws[0]


def _last_at_or_before(values: np.ndarray, t: float) -> int:
    low, high = 0, len(values)
    while low < high:
        mid = (low + high) // 2
        if values[mid] <= t:
            low = mid + 1
        else:
            high = mid
    return low - 1


def _first_reaching(s: np.ndarray, e: np.ndarray, b: np.ndarray, c: float) -> int:
    """The first interval whose cumulative open hours at its end reach ``c``."""
    low, high = 0, len(b)
    while low < high:
        mid = (low + high) // 2
        if b[mid] + e[mid] - s[mid] < c:
            low = mid + 1
        else:
            high = mid
    return min(low, len(b) - 1)
