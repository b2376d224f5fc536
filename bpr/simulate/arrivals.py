"""When the simulated cases arrive: a Poisson process of ``volume`` cases a year.

Evenly over the whole year by default; ``office-hours`` spreads them over the open hours of a
calendar only; a ``pattern`` of weights by month and weekday makes some seasons and days
busier (the weights are relative: they are scaled so that a year still brings ``volume``
cases). The rule is the model's ``arrivals`` (:class:`bpr.core.calendar.Arrivals`).

>>> import numpy as np
>>> times = arrival_times(1000, 8766, np.random.default_rng(1))
>>> bool(0.9 < times[-1] / 1000 < 1.1)    # one an hour
True
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from bpr.core.calendar import Arrivals
from bpr.core.i18n import domain
from bpr.errors import SimulationError
from bpr.simulate.calendar import OfficeCalendar

if TYPE_CHECKING:
    import numpy as np

__all__ = ["arrival_times"]

_ = domain("simulate").gettext

_YEAR_HOURS = 365.25 * 24


def arrival_times(
    cases: int,
    volume: float,
    rng: np.random.Generator,
    pattern: Arrivals | None = None,
    start: datetime.date = datetime.date(2026, 1, 5),
    calendar: OfficeCalendar | None = None,
) -> np.ndarray:
    """The arrival time of each case in hours from ``start``, ascending.

    ``calendar`` gives the open hours that ``office-hours`` arrivals fall in.
    """
    import numpy as np

    if volume <= 0:
        raise SimulationError(
            _("the yearly volume must be above 0 to simulate queues, not {volume}").format(
                volume=volume
            )
        )
    # unit-rate arrivals on the scale of expected cases, then mapped to clock time
    expected = np.concatenate([[0.0], np.cumsum(rng.exponential(1.0, cases - 1))])
    if pattern is None or pattern.kind == "uniform":
        return expected * (_YEAR_HOURS / volume)
    if pattern.kind == "office-hours":
        if calendar is None:
            raise SimulationError(_("arrivals in office hours need the office's hours"))
        per_open_hour = volume / (calendar.week_hours * _YEAR_HOURS / 168.0)
        return calendar.times_at(expected / per_open_hour)
    if pattern.kind == "pattern":
        return _weighted(expected, volume, pattern, start)
    raise SimulationError(
        _("unknown arrivals '{kind}'; use uniform, office-hours or a pattern").format(
            kind=pattern.kind
        )
    )


def _weighted(
    expected: np.ndarray, volume: float, pattern: Arrivals, start: datetime.date
) -> np.ndarray:
    """Arrivals whose daily rate follows the month and weekday weights (uniform in a day)."""
    import numpy as np

    months = np.asarray(pattern.months, dtype=float)
    weekdays = np.asarray(pattern.weekdays, dtype=float)
    if len(months) != 12 or len(weekdays) != 7 or (months < 0).any() or (weekdays < 0).any():
        raise SimulationError(
            _("arrival weights are 12 for the months and 7 for the weekdays, >= 0")
        )
    if months.sum() == 0 or weekdays.sum() == 0:
        raise SimulationError(_("arrival weights must not all be 0"))
    days_needed = int(expected[-1] / volume * 365.25 * 1.5 / months.max() * months.mean()) + 400
    days = np.arange(days_needed)
    dates = np.datetime64(start.isoformat(), "D") + days
    month = dates.astype("datetime64[M]").astype(int) % 12
    weekday = (dates.astype(int) + 3) % 7  # 1970-01-01 was a Thursday
    year_days = np.arange(366 * 4)
    ref = np.datetime64("2024-01-01", "D") + year_days  # four years: the mean of the weights
    month_mean = months[ref.astype("datetime64[M]").astype(int) % 12].mean()
    rate = volume / 365.25 * months[month] / month_mean * weekdays[weekday] / weekdays.mean()
    cumulative = np.concatenate([[0.0], np.cumsum(rate)])
    if cumulative[-1] < expected[-1]:  # pragma: no cover - days_needed leaves a margin
        raise SimulationError(_("arrival weights leave too few cases a year"))
    return np.interp(expected, cumulative, np.arange(len(cumulative)) * 24.0)
