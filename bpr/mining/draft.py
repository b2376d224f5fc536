"""The YAML text of a discovered draft: the steps with every guess marked by a comment."""

from __future__ import annotations

import os
from textwrap import wrap
from typing import Any

from bpr.core.i18n import domain, number
from bpr.core.model import END
from bpr.files.writer import Commented, model_text
from bpr.mining.tree import DraftStep, probabilities, reading_order

__all__ = ["draft_text", "duration_text"]

_ = domain("mining").gettext


def duration_text(hours: float) -> str:
    """A readable duration of the format, rounded to what a median of a log can tell.

    >>> duration_text(1.75), duration_text(50.2), duration_text(0)
    ('1h 45m', '2d 2h', '0h')
    """
    if hours <= 0:
        return "0h"
    minutes = round(hours * 60)
    if hours >= 48:
        minutes = round(hours) * 60
    if minutes == 0:
        minutes = 1
    days, rest = divmod(minutes, 24 * 60)
    whole_hours, mins = divmod(rest, 60)
    parts = [f"{days}d"] if days else []
    if whole_hours:
        parts.append(f"{whole_hours}h")
    if mins:
        parts.append(f"{mins}m")
    return " ".join(parts)


def draft_text(
    *,
    steps: dict[str, DraftStep],
    first: str,
    actors: dict[str, dict[str, str]],
    service: str,
    variant: str,
    source: str,
    cases: int,
    events: int,
    method: str,
    replayed: bool,
    volume: int | None,
    has_start: bool,
    actor_column: str | None,
    lead_time: list[str] | None = None,
) -> str:
    """The draft's YAML, written by the one model writer with every guess in a comment (in
    the output language; keys, values and the model's name stay as the format writes them).

    Steps come in the order a reader follows them; a ``next`` that only names the step
    written below is left out. ``method`` says what the flows were mined from, ``replayed``
    whether the choices' probabilities come from replaying the variants, ``lead_time`` the
    lines that compare the draft's lead time with the log's.
    """
    base = os.path.basename(source)
    if has_start:
        timing = _(
            "work and wait are medians over each activity's events (work: start to complete)."
        )
    else:
        timing = _(
            "work and wait are medians over each activity's events (the log has no start "
            "times: all time is counted as wait)."
        )
    if replayed:
        flows = _(
            "Flows: {method}, its process tree converted into steps; choice probabilities from "
            "replaying the variants (the branch each case took)."
        )
    else:
        flows = _(
            "Flows: {method}, its process tree converted into steps; choice probabilities are "
            "estimated from activity frequencies."
        )
    header = [
        _(
            "Draft As-Is discovered by 'bpr mine' from {log}: {cases} cases, {events} events."
        ).format(log=base, cases=number(cases, ","), events=number(events, ",")),
        *wrap(flows.format(method=method), 92),
        # the English lines as the draft has always had them: a long line is left whole
        *wrap(timing, 112),
        *(lead_time or []),
        *wrap(
            _(
                "Steps named '(split)', '(join)', '(branch)', '(loop)' or '(start)' are zero-time "
                "routing steps the format needs where no activity can carry the gateway."
            ),
            80,
        ),
        *wrap(_("Check and edit every guess before using this model."), 92),
    ]
    data: dict[str, Any] = {
        "bpr": 1,
        "service": service,
        "variant": variant,
        "name": f"{service} ({variant}, discovered from {base})",
    }
    if volume is not None:
        data["volume"] = Commented(volume, after=_("guessed: cases per year over the log's span"))
    data["sources"] = [f"Event log {base} ({cases} cases, {events} events), discovered by bpr mine"]
    data["actors"] = Commented(
        actors,
        after=_("from the log's {column}").format(column=actor_column) if actor_column else "",
    )
    order = reading_order(steps, first)
    following = [*order[1:], END]
    chances = (
        _("probabilities from the log's variants")
        if replayed
        else _("probabilities estimated from the log")
    )
    data["steps"] = [
        _step(steps[s], after, chances) for s, after in zip(order, following, strict=True)
    ]
    return model_text(data, header)


def _step(step: DraftStep, following: str, chances: str) -> Commented:
    """One step of the draft as plain data; a routing step says why it was added."""
    fields: dict[str, Any] = {"id": step.id, "name": step.name}
    fields["actor"] = Commented(step.actor, after=_note(step, "actor"))
    if step.routing:
        fields["channel"] = "automatic"
    if step.join:
        fields["join"] = "all"
    if not step.routing:
        timed = [key for key, hours in (("work", step.work), ("wait", step.wait)) if hours]
        for key in timed:
            after = (
                _("median over {n} events").format(n=number(step.events, ","))
                if key == timed[-1]
                else ""
            )
            fields[key] = Commented(duration_text(getattr(step, key)), after=after)
    if step.parallel is not None:
        fields["next"] = {"all": list(step.parallel)}
    else:
        branches = probabilities(step.next) if step.next else [(END, 1.0)]
        if len(branches) > 1:
            fields["next"] = Commented(
                [{"to": target, "p": p} for target, p in branches],
                after=chances,
            )
        elif branches[0][0] != following:
            fields["next"] = branches[0][0]
    added = _("added by bpr mine: {reason}").format(reason=step.routing) if step.routing else ""
    return Commented(fields, after=added)


def _note(step: DraftStep, topic: str) -> str:
    return "; ".join(n.split(": ", 1)[1] for n in step.notes if n.startswith(topic + ":"))
