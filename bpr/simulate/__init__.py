"""Simulation of a model's cases: lead-time distributions, and queues where actors have staff.

- :func:`simulate` runs cases of a model (:mod:`bpr.simulate.cases`); where an actor has
  ``staff`` (or ``staff=`` says so), the cases queue for them first come, first served, within
  office hours (:mod:`bpr.simulate.queueing`, :mod:`bpr.simulate.calendar`);
- :func:`find_staff` and :func:`staff_needed` search the fewest staff that meet a target
  (:mod:`bpr.simulate.staffing`);
- :func:`plot_lead_times` draws the lead times (and the queue waiting, where there are queues).
"""

from __future__ import annotations

from bpr.errors import SimulationError
from bpr.simulate.cases import PathShare, SimulationResult, plot_lead_times, simulate
from bpr.simulate.queueing import ActorQueue
from bpr.simulate.staffing import (
    StaffSearch,
    Target,
    Trial,
    find_staff,
    parse_target,
    staff_needed,
)

__all__ = [
    "ActorQueue",
    "PathShare",
    "SimulationError",
    "SimulationResult",
    "StaffSearch",
    "Target",
    "Trial",
    "find_staff",
    "parse_target",
    "plot_lead_times",
    "simulate",
    "staff_needed",
]
