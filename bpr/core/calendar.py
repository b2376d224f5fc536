"""Working hours and arrival patterns: when an actor works and when cases arrive.

An actor's ``hours`` are a weekly schedule written the way offices post them::

    Mon-Fri 09:00-18:00
    Mon-Fri 09:00-13:00, 14:00-18:00; Sat 10:00-14:00

Days are ``Mon`` to ``Sun`` (ranges such as ``Mon-Fri`` and lists such as ``Mon,Wed``); each
day group has one or more time ranges ``HH:MM-HH:MM`` (``24:00`` ends a day); groups are
separated by ``;``. ``always`` (the default where ``hours`` is absent) means around the clock.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from bpr.core.i18n import domain

__all__ = [
    "ALWAYS",
    "DAYS",
    "Arrivals",
    "Schedule",
    "ScheduleError",
    "parse_hours",
]

#: The days of the week as schedules write them, Monday first.
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_INDEX = {d.lower(): i for i, d in enumerate(DAYS)}
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_ = domain("validate").gettext


class ScheduleError(ValueError):
    """Hours that cannot be read; the message says what is wrong and how to write them."""


@dataclass(frozen=True)
class Schedule:
    """A weekly schedule: for each day, Monday first, the working periods in minutes since
    midnight as ``(start, end)`` pairs, in order and not overlapping.

    >>> s = parse_hours("Mon-Fri 09:00-13:00, 14:00-18:00; Sat 10:00-14:00")
    >>> s.days[0], s.days[5], s.days[6], s.hours_per_week
    (((540, 780), (840, 1080)), ((600, 840),), (), 44.0)
    """

    days: tuple[tuple[tuple[int, int], ...], ...]
    text: str = ""

    @property
    def hours_per_week(self) -> float:
        return sum(end - start for day in self.days for start, end in day) / 60

    @property
    def always(self) -> bool:
        return all(day == ((0, 1440),) for day in self.days)


#: Around the clock, every day: the schedule of an actor without ``hours``.
ALWAYS = Schedule(tuple(((0, 1440),) for _day in DAYS), "always")


@dataclass(frozen=True)
class Arrivals:
    """How cases arrive over the year: ``uniform`` (a Poisson process spread evenly, the
    default), ``office-hours`` (only while the first staffed actor works), or ``pattern``
    with relative weights of the 12 months (January first) and the 7 weekdays (Monday first).
    """

    kind: str = "uniform"
    months: tuple[float, ...] = (1.0,) * 12
    weekdays: tuple[float, ...] = (1.0,) * 7


def _minutes(text: str, where: str) -> int:
    match = _TIME.match(text.strip())
    if not match:
        raise ScheduleError(
            # TRANSLATORS: {where} is the day group as written, such as Mon-Fri 09:00-18:00
            _("{where}: {text} is not a time; write HH:MM, such as 09:00").format(
                where=where, text=repr(text.strip())
            )
        )
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise ScheduleError(
            _("{where}: {text} is not a time of day (00:00 to 24:00)").format(
                where=where, text=repr(text.strip())
            )
        )
    return hours * 60 + minutes


def _days(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        part = part.strip()
        first, _dash, last = part.partition("-")
        if first.lower() not in _DAY_INDEX or (last and last.lower() not in _DAY_INDEX):
            raise ScheduleError(
                _(
                    "{part} is not a day or a range of days; write {days}, "
                    "a range such as Mon-Fri or a list such as Mon,Wed"
                ).format(part=repr(part), days=", ".join(DAYS))
            )
        start = _DAY_INDEX[first.lower()]
        end = _DAY_INDEX[last.lower()] if last else start
        if end < start:
            raise ScheduleError(
                _("{part} runs backwards; write the earlier day first").format(part=repr(part))
            )
        out.extend(range(start, end + 1))
    return out


def parse_hours(text: str) -> Schedule:
    """A :class:`Schedule` from its written form; :class:`ScheduleError` says what is wrong.

    >>> parse_hours("always").always, parse_hours("Mon-Fri 09:00-18:00").hours_per_week
    (True, 45.0)
    >>> parse_hours("Mon-Fry 09:00-18:00")
    Traceback (most recent call last):
    ...
    bpr.core.calendar.ScheduleError: 'Mon-Fry' is not a day or a range of days; ...
    """
    written = " ".join(text.split())
    if written.lower() in ("always", "24/7"):
        return ALWAYS
    if not written:
        raise ScheduleError(_("the hours are empty; write them such as Mon-Fri 09:00-18:00"))
    days: list[list[tuple[int, int]]] = [[] for _day in DAYS]
    for group in written.split(";"):
        group = group.strip()
        if not group:
            continue
        day_text, _space, times = group.partition(" ")
        if not times.strip():
            raise ScheduleError(
                _(
                    "{group} has no time range; write the days, then HH:MM-HH:MM, "
                    "such as Mon-Fri 09:00-18:00"
                ).format(group=repr(group))
            )
        numbers = _days(day_text.replace(" ", ""))
        for period in times.split(","):
            start_text, dash, end_text = period.partition("-")
            if not dash:
                raise ScheduleError(
                    _(
                        "{period} is not a time range; write HH:MM-HH:MM, such as 09:00-18:00"
                    ).format(period=repr(period.strip()))
                )
            start = _minutes(start_text, group)
            end = _minutes(end_text, group)
            if end <= start:
                raise ScheduleError(
                    _(
                        "{group}: the range {period} ends before it starts; a period "
                        "that runs past midnight is written as two, one on each day"
                    ).format(group=group, period=period.strip())
                )
            for day in numbers:
                days[day].append((start, end))
    for number, periods in enumerate(days):
        periods.sort()
        for (_start, end), (start, _end) in itertools.pairwise(periods):
            if start < end:
                raise ScheduleError(
                    _("the periods of {day} overlap; list each time once").format(day=DAYS[number])
                )
    if not any(days):
        raise ScheduleError(_("the hours give no working time; write such as Mon-Fri 09:00-18:00"))
    return Schedule(tuple(tuple(p) for p in days), written)
