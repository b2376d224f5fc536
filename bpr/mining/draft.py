"""The YAML text of a discovered draft: the steps with every guess marked by a comment."""

from __future__ import annotations

import os

from bpr.core.model import END
from bpr.core.text import for_yaml_comment
from bpr.files.writer import yaml_scalar
from bpr.mining.tree import DraftStep, probabilities, reading_order

__all__ = ["draft_text", "duration_text"]


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
    noise: float,
    volume: int | None,
    has_start: bool,
    actor_column: str | None,
) -> str:
    """The draft's YAML, loadable as it is; the log's file name is shown in comments safely."""
    base = os.path.basename(source)
    lines = [
        f"# Draft As-Is discovered by 'bpr mine' from {for_yaml_comment(base)}: "
        f"{cases:,} cases, {events:,} events.",
        f"# Flows: pm4py's inductive miner (IMf, noise threshold {noise:g}), its process tree",
        "# converted into steps; choice probabilities are estimated from activity frequencies.",
        "# work and wait are medians over each activity's events "
        + (
            "(work: start to complete)."
            if has_start
            else "(the log has no start times: all time is counted as wait)."
        ),
        "# Steps named '(split)', '(join)', '(branch)', '(loop)' or '(start)' are zero-time",
        "# routing steps the format needs where no activity can carry the gateway.",
        "# Check and edit every guess before using this model.",
        "bpr: 1",
        f"service: {yaml_scalar(service)}",
        f"variant: {yaml_scalar(variant)}",
        f"name: {yaml_scalar(f'{service} ({variant}, discovered from {base})')}",
    ]
    if volume is not None:
        lines.append(f"volume: {volume}            # guessed: cases per year over the log's span")
    lines += [
        "sources:",
        "  - "
        + yaml_scalar(f"Event log {base} ({cases} cases, {events} events), discovered by bpr mine"),
        "",
        "actors:" + (f"                 # from the log's {actor_column}" if actor_column else ""),
    ]
    for actor, entry in actors.items():
        fields = [f"name: {yaml_scalar(entry['name'])}"]
        if "agency" in entry:
            fields.append(f"agency: {yaml_scalar(entry['agency'])}")
        lines.append(f"  {yaml_scalar(actor)}: {{{', '.join(fields)}}}")
    lines += ["", "steps:"]
    order = reading_order(steps, first)
    for position, step_id in enumerate(order):
        step = steps[step_id]
        following = order[position + 1] if position + 1 < len(order) else END
        lines.append(f"  - id: {yaml_scalar(step.id)}")
        if step.routing:
            lines[-1] += f"          # added by bpr mine: {step.routing}"
            lines.append(f"    name: {yaml_scalar(step.name)}")
        else:
            lines.append(f"    name: {yaml_scalar(step.name)}")
        lines.append(f"    actor: {yaml_scalar(step.actor)}" + _note(step, "actor"))
        if step.routing:
            lines.append("    channel: automatic")
        if step.join:
            lines.append("    join: all")
        if not step.routing:
            if step.work:
                lines.append(f"    work: {duration_text(step.work)}")
            if step.wait:
                lines.append(f"    wait: {duration_text(step.wait)}")
            if step.work or step.wait:
                lines[-1] += f"   # median over {step.events:,} events"
        if step.parallel is not None:
            lines.append(f"    next: {{all: [{', '.join(yaml_scalar(t) for t in step.parallel)}]}}")
            continue
        branches = probabilities(step.next) if step.next else [(END, 1.0)]
        if len(branches) == 1:
            target = branches[0][0]
            if target != following:
                lines.append(f"    next: {yaml_scalar(target) if target != END else 'end'}")
            continue
        lines.append("    next:                  # probabilities estimated from the log")
        for target, p in branches:
            shown = "end" if target == END else yaml_scalar(target)
            lines.append(f"      - {{to: {shown}, p: {p:g}}}")
    return "\n".join(lines) + "\n"


def _note(step: DraftStep, topic: str) -> str:
    notes = [n.split(": ", 1)[1] for n in step.notes if n.startswith(topic + ":")]
    return f"   # {'; '.join(notes)}" if notes else ""
