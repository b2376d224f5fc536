"""How many staff does each actor need? Targets, and the search for the fewest staff.

A target is a bound on the simulated lead time (``p90<=15d``, ``mean<=10d``, also ``p50``,
``p95``, ``max``) or on the share of cases within the deadline (``deadline>=0.95``, or
``95%``). :func:`find_staff` starts each actor at the fewest staff that can keep up with its
work at all (more work per year than open hours means a queue without end), then adds one
desk at a time where it brings the figure closest to the target (each actor's extra desk is
tried), until the target is met; then it tries one fewer at each actor. Every trial uses
the same seed, so that the trials differ by the staff only.

>>> parse_target("p90<=15d").limit
360.0
>>> parse_target("deadline>=95%").limit
0.95
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bpr.core.durations import DurationError, parse_duration
from bpr.core.i18n import N_, domain, number
from bpr.core.model import Model
from bpr.errors import SimulationError
from bpr.simulate.cases import SimulationResult, simulate

__all__ = ["StaffSearch", "Target", "Trial", "find_staff", "parse_target", "staff_needed"]

_ = domain("simulate").gettext
pgettext = domain("simulate").pgettext

_LEAD = ("mean", "p50", "p90", "p95", "max")
#: The lead-time figures as a person reads them (the percentiles are written as they are).
_FIGURE_WORDS = {"mean": N_("mean"), "max": N_("max")}
_PATTERN = re.compile(r"^\s*([a-z0-9]+)\s*(<=|>=)\s*(.+?)\s*$", re.IGNORECASE)
#: The most trials a search runs before it gives up.
MAX_TRIALS = 60


@dataclass(frozen=True)
class Target:
    """``measure`` is a lead-time figure (``mean``, ``p50``, ``p90``, ``p95``, ``max``), whose
    ``limit`` is in hours, or ``deadline``, whose ``limit`` is the share of cases within it."""

    measure: str
    limit: float
    text: str

    def value(self, result: SimulationResult) -> float:
        """The figure the target bounds: lead-time hours, or the share within the deadline."""
        import numpy as np

        if self.measure == "deadline":
            over = result.over_deadline
            if over is None:
                raise SimulationError(
                    _(
                        "the target '{target}' needs the legal deadline: give the model a "
                        "`deadline` or pass one (--deadline 15d)"
                    ).format(target=self.text)
                )
            return 1.0 - over
        hours = result.lead_time_hours
        if self.measure == "mean":
            return float(hours.mean())
        if self.measure == "max":
            return float(hours.max())
        return float(np.percentile(hours, float(self.measure[1:])))

    def better(self, value: float) -> float:
        """A score that grows as ``value`` comes closer to meeting the target."""
        return value if self.measure == "deadline" else -value

    def met(self, result: SimulationResult) -> bool:
        value = self.value(result)
        if self.measure == "deadline":
            return value >= self.limit - 1e-12
        return value <= self.limit + 1e-9

    def describe(self, value: float) -> str:
        """The figure as the table prints it: days for lead times, a percentage for shares."""
        if self.measure == "deadline":
            return _("{share}% within the deadline").format(share=number(100 * value, ".1f"))
        figure = self.measure
        if figure in _FIGURE_WORDS:
            figure = _(_FIGURE_WORDS[figure])
        # TRANSLATORS: a lead-time figure of the simulated cases: "p90 14.20 d" (d: days)
        return pgettext("lead time figure", "{figure} {days} d").format(
            figure=figure, days=number(value / 24, ",.2f")
        )


def parse_target(text: str) -> Target:
    """Read a target such as ``p90<=15d`` or ``deadline>=0.95``."""
    found = _PATTERN.match(text or "")
    hint = _("write it as p90<=15d (mean, p50, p90, p95 or max of the lead time) or deadline>=0.95")
    if not found:
        raise SimulationError(
            _("cannot read the target '{target}'; {hint}").format(target=text, hint=hint)
        )
    measure, op, value = found.group(1).lower(), found.group(2), found.group(3)
    if measure == "deadline":
        if op != ">=":
            raise SimulationError(
                _("the target '{target}' bounds a share from below: use >=").format(target=text)
            )
        try:
            share = float(value[:-1]) / 100 if value.endswith("%") else float(value)
        except ValueError:
            raise SimulationError(
                _("cannot read the share in '{target}'; {hint}").format(target=text, hint=hint)
            ) from None
        if not 0 < share <= 1:
            raise SimulationError(
                _("the share in '{target}' is above 0 and at most 1 (or 100%)").format(target=text)
            )
        return Target("deadline", share, text.strip())
    if measure not in _LEAD:
        raise SimulationError(
            _("unknown figure '{figure}' in the target '{target}'; {hint}").format(
                figure=measure, target=text, hint=hint
            )
        )
    if op != "<=":
        raise SimulationError(
            _("the target '{target}' bounds the lead time from above: use <=").format(target=text)
        )
    try:
        limit = parse_duration(value).mean
    except DurationError as error:
        raise SimulationError(
            _("cannot read the duration in '{target}': {error}").format(target=text, error=error)
        ) from None
    return Target(measure, limit, text.strip())


@dataclass(frozen=True)
class Trial:
    """One simulation of the search: the staff tried and what they gave."""

    staff: dict[str, int]
    value: float
    met: bool
    utilisation: dict[str, float | None]

    def as_dict(self) -> dict[str, Any]:
        return {
            "staff": dict(self.staff),
            "value": round(self.value, 6),
            "met": self.met,
            "utilisation": {
                a: None if u is None else round(u, 6) for a, u in self.utilisation.items()
            },
        }


@dataclass
class StaffSearch:
    """The trials of a search in order, and the fewest staff found (None: target not met)."""

    target: Target
    actors: list[str]
    trials: list[Trial] = field(default_factory=list)
    best: dict[str, int] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": self.target.text,
            "actors": list(self.actors),
            "trials": [t.as_dict() for t in self.trials],
            "staff": self.best,
        }


def find_staff(
    model: Model,
    target: Target | str,
    *,
    cases: int = 20_000,
    seed: int = 1,
    actors: list[str] | None = None,
    staff: Mapping[str, int] | None = None,
    max_trials: int = MAX_TRIALS,
    **options: Any,
) -> StaffSearch:
    """Search the fewest staff of ``actors`` that meet ``target``.

    ``actors`` default to those with ``staff`` in the model, or else every actor that is
    neither the applicant nor a system and does work, leaving out those whose staff
    ``staff`` fixes. ``options`` go to :func:`bpr.simulate.simulate` (``hours``,
    ``deadline_hours``...).
    """
    goal = parse_target(target) if isinstance(target, str) else target
    fixed = dict(staff or {})
    sized = actors or _actors_to_size(model, fixed)
    if not sized:
        raise SimulationError(
            _("{file}: no actor does work that staff could share").format(file=model.file)
        )
    search = StaffSearch(goal, list(sized))
    unlimited = {a: cases for a in sized}
    free = simulate(model, cases, seed, staff={**fixed, **unlimited}, **options)
    if not goal.met(free):
        raise SimulationError(
            _(
                "{file}: even with a desk for every case, the simulation gives {figure}, which "
                "does not meet {target}: the steps' own work, waits and office hours take that "
                "long, so no number of staff meets it; shorten the process or relax the target"
            ).format(file=model.file, figure=goal.describe(goal.value(free)), target=goal.text)
        )
    current = {a: _fewest_stable(free, a) for a in sized}
    tried: dict[tuple[int, ...], Trial] = {}

    def attempt(counts: dict[str, int]) -> tuple[Trial, SimulationResult | None]:
        """The trial of ``counts`` (simulated once: the same staff give the same figures)."""
        key = tuple(counts[a] for a in sized)
        if key in tried:
            return tried[key], None
        if len(search.trials) >= max_trials:
            raise _OutOfTrials
        result = simulate(model, cases, seed, staff={**fixed, **counts}, **options)
        assert result.queues is not None
        trial = Trial(
            dict(counts),
            goal.value(result),
            goal.met(result),
            {a: result.queues[a].utilisation if a in result.queues else None for a in sized},
        )
        tried[key] = trial
        search.trials.append(trial)
        return trial, result

    try:
        trial, _result = attempt(current)
        while not trial.met:  # one more desk where it helps most
            choices = [{**current, a: current[a] + 1} for a in sized]
            trials = [attempt(choice)[0] for choice in choices]
            best = max(range(len(choices)), key=lambda i: goal.better(trials[i].value))
            current, trial = choices[best], trials[best]
        for actor in sized:  # one fewer where that still meets the target
            while current[actor] > 1:
                fewer = {**current, actor: current[actor] - 1}
                trial, _result = attempt(fewer)
                if not trial.met:
                    break
                current = fewer
        search.best = dict(current)
    except _OutOfTrials:
        search.best = None
    return search


def staff_needed(model: Model, target: Target | str, **options: Any) -> dict[str, int] | None:
    """The fewest staff per actor that meet ``target`` (see :func:`find_staff`), or None."""
    return find_staff(model, target, **options).best


class _OutOfTrials(Exception):
    pass


def _actors_to_size(model: Model, fixed: Mapping[str, int]) -> list[str]:
    """The actors with ``staff`` in the model, or else every actor that does staff work;
    those whose staff ``fixed`` gives are kept as given."""
    declared = [a for a, actor in model.actors.items() if actor.staff is not None]
    if not declared:
        working = {s.actor for s in model.steps if not s.work.is_zero}
        declared = [
            a
            for a, actor in model.actors.items()
            if a in working and not actor.is_applicant and not actor.is_system
        ]
    return [a for a in declared if a not in fixed]


def _fewest_stable(free: SimulationResult, actor: str) -> int:
    """The fewest staff whose open hours exceed the actor's work (else the queue never ends)."""
    queues = free.queues or {}
    queue = queues.get(actor)
    if queue is None or queue.work_hours <= 0:
        return 1
    period = queue.work_hours / queue.utilisation if queue.utilisation else 0.0
    # ``utilisation`` of the run with a desk per case is work / (cases * open hours)
    open_hours = period / free.cases if period else 0.0
    if open_hours <= 0:
        return 1
    load = queue.work_hours / open_hours
    return max(1, math.floor(load) + 1)
