"""Process mining with pm4py: a draft As-Is from an event log, and conformance of a model to a log.

Discovery uses pm4py's inductive miner (infrequent variant, IMf): its process tree is sound by
construction, and it is converted recursively into the format's structure (sequences,
exclusive choices with probabilities, parallel blocks, loops). Where the format needs a step
that the log does not have (a parallel split or join that no activity can carry, a choice at
the very start), a zero-time routing step is added and marked with a comment.

Conformance replays the log on a Petri net built from the model's steps (token-based replay
or alignments). Steps that match no activity of the log are silent in the replay (the
agencies' systems do not record them) and are reported as such.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bpr.core.model import END, Model
from bpr.errors import BprError, EventLogError
from bpr.files.eventlog import (
    ACTIVITY,
    CASE,
    GROUP,
    RESOURCE,
    START,
    TIMESTAMP,
    LogColumns,
    read_log,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ConformanceResult",
    "DiscoveryResult",
    "conform",
    "discover",
    "mine",
    "slugify",
]

_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "end", "~"}
_ROUTING = "routing"


def slugify(text: str, taken: Iterable[str] = ()) -> str:
    """A step or actor id from a name: lower case, ``_`` between words, unique among ``taken``.

    >>> slugify("T02 Check confirmation of receipt")
    't02_check_confirmation_of_receipt'
    >>> slugify("end", ["end"])
    'end_2'
    """
    base = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:48].strip("_") or "step"
    used = set(taken) | {END}
    slug, number = base, 2
    while slug in used:
        slug = f"{base}_{number}"
        number += 1
    return slug


def _scalar(text: str) -> str:
    """Text as a YAML scalar: plain where that reads back the same, else double-quoted."""
    if (
        re.fullmatch(r"[A-Za-z_][A-Za-z0-9_ .()/-]*", text)
        and text.lower() not in _YAML_WORDS
        and not text.endswith((" ", ":"))
        and "  " not in text
    ):
        return text
    return json.dumps(text, ensure_ascii=False)


def _duration_text(hours: float) -> str:
    """A readable duration of the format, rounded to what a median of a log can tell."""
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


# -- discovery -------------------------------------------------------------------------------


@dataclass
class _Step:
    id: str
    name: str
    actor: str = ""
    routing: str = ""  # why a routing step was added ("" for an activity)
    next: dict[str, float] = field(default_factory=dict)
    parallel: list[str] | None = None  # branch starts of a parallel split
    join: bool = False
    work: float = 0.0
    wait: float = 0.0
    events: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class DiscoveryResult:
    """A discovered draft model: its YAML text (with comments) and the loaded model."""

    text: str
    model: Model
    cases: int
    events: int
    activities: int
    routing_steps: list[str]


class _TreeConverter:
    """Converts a pm4py process tree into steps with flows, parallel blocks and loops."""

    def __init__(self, counts: dict[str, int], cases: int, ids: dict[str, str]) -> None:
        self.counts = counts
        self.cases = cases
        self.ids = ids
        self.steps: dict[str, _Step] = {}
        self.taken: set[str] = set(ids.values())
        self.routing_number = 0

    # Estimated executions, bottom up: activities by their events, operators from children.
    def observed(self, node: Any) -> float | None:
        from pm4py.objects.process_tree.obj import Operator

        if not node.children:
            return None if node.label is None else float(self.counts.get(node.label, 0))
        known = [v for v in (self.observed(c) for c in node.children) if v is not None]
        if not known:
            return None
        if node.operator == Operator.XOR:
            return sum(known)
        if node.operator == Operator.LOOP:
            first = self.observed(node.children[0])
            return first if first is not None else max(known)
        return max(known)

    def skippable(self, node: Any) -> bool:
        from pm4py.objects.process_tree.obj import Operator

        if not node.children:
            return node.label is None
        if node.operator in (Operator.XOR, Operator.OR):
            return any(self.skippable(c) for c in node.children)
        if node.operator == Operator.LOOP:
            return self.skippable(node.children[0])
        return all(self.skippable(c) for c in node.children)

    def routing(self, kind: str, reason: str) -> _Step:
        self.routing_number += 1
        step_id = slugify(f"{kind}_{self.routing_number}", self.taken)
        self.taken.add(step_id)
        step = _Step(step_id, f"({kind})", routing=reason)
        self.steps[step_id] = step
        return step

    def emit(self, node: Any, cont: dict[str, float], runs: float) -> dict[str, float]:
        """Set the flows inside ``node`` so that it continues to ``cont``; return its entry.

        ``runs`` is the estimated number of times the node runs in the log (for choices).
        """
        from pm4py.objects.process_tree.obj import Operator

        if not node.children:
            if node.label is None:
                return dict(cont)
            step_id = self.ids[node.label]
            step = self.steps.setdefault(step_id, _Step(step_id, node.label))
            step.next = dict(cont)
            return {step_id: 1.0}
        children = list(node.children)
        operator = node.operator
        if operator == Operator.SEQUENCE:
            entry = cont
            for child in reversed(children):
                entry = self.emit(child, entry, runs)
            return entry
        if operator == Operator.XOR:
            return self.emit_choice(children, cont, runs)
        if operator == Operator.LOOP:
            return self.emit_loop(children[0], children[1:], cont, runs)
        if operator in (Operator.PARALLEL, Operator.OR, Operator.INTERLEAVING):
            # OR and interleaving: every child may run; drawn as parallel branches
            return self.emit_parallel(children, cont, runs, optional=operator == Operator.OR)
        # a partial order or another operator pm4py may add: treat as a sequence
        entry = cont
        for child in reversed(children):
            entry = self.emit(child, entry, runs)
        return entry

    def weights(self, children: list[Any], runs: float) -> list[float]:
        known = [self.observed(c) for c in children]
        covered = sum(v for v in known if v is not None)
        silent = [i for i, v in enumerate(known) if v is None]
        rest = max(runs - covered, 0.0)
        weights = [v if v is not None else rest / len(silent) for v in known]
        total = sum(weights)
        if total <= 0:
            return [1 / len(children)] * len(children)
        # a branch the estimate gives nothing still happened in the log (or is a skip)
        floor = 0.001
        weights = [max(w / total, floor) for w in weights]
        total = sum(weights)
        return [w / total for w in weights]

    def emit_choice(
        self, children: list[Any], cont: dict[str, float], runs: float
    ) -> dict[str, float]:
        entry: dict[str, float] = {}
        for child, weight in zip(children, self.weights(children, runs), strict=True):
            for target, p in self.emit(child, cont, runs * weight).items():
                entry[target] = entry.get(target, 0.0) + weight * p
        return entry

    def emit_loop(
        self, body: Any, redo: list[Any], cont: dict[str, float], runs: float
    ) -> dict[str, float]:
        done = self.observed(body)
        rounds = max(done if done is not None else runs, runs)
        redone = [self.observed(r) for r in redo]
        if any(r is not None for r in redone):
            # every run of the body is followed by a run of the redo part or by the exit
            repeats = sum(r for r in redone if r is not None)
            again = max(repeats / (repeats + runs) if runs > 0 else 0.5, 0.001)
        else:
            again = 0.0 if rounds <= 0 else (rounds - runs) / rounds
        again = min(again, 0.95)
        # The loop's head is a routing step at first; _simplify() folds it into the steps that
        # lead to it wherever the format allows.
        head = self.routing("loop", "the head of a loop (cases come back here)")
        back = {head.id: 1.0}
        if len(redo) == 1:
            repeat = self.emit(redo[0], back, rounds * again)
        else:
            repeat = self.emit_choice(redo, back, rounds * again)
        after = {t: again * p for t, p in repeat.items()}
        for target, p in cont.items():
            after[target] = after.get(target, 0.0) + (1 - again) * p
        head.next = self.emit(body, after, rounds)
        return {head.id: 1.0}

    def emit_parallel(
        self, children: list[Any], cont: dict[str, float], runs: float, optional: bool
    ) -> dict[str, float]:
        join = self.routing("join", "the parallel branches meet here (the format joins at a step)")
        join.join = True
        join.next = dict(cont)
        starts = []
        for child in children:
            if optional:
                weight = min((self.observed(child) or 0.0) / runs, 1.0) if runs else 1.0
                entry = {t: weight * p for t, p in self.emit(child, {join.id: 1.0}, runs).items()}
                entry[join.id] = entry.get(join.id, 0.0) + 1 - weight
            else:
                entry = self.emit(child, {join.id: 1.0}, runs)
            entry = {t: p for t, p in entry.items() if p > 1e-12}
            if len(entry) == 1:
                starts.append(next(iter(entry)))
                continue
            branch = self.routing(
                "branch", "a parallel branch that starts with a choice (a branch starts at a step)"
            )
            branch.next = entry
            starts.append(branch.id)
        split = self.routing(
            "split", "the parallel branches start here (the format splits at a step)"
        )
        split.parallel = list(dict.fromkeys(starts))
        return {split.id: 1.0}


def _simplify(steps: dict[str, _Step], first: str) -> str:
    """Remove routing steps that the format does not need; returns the (new) first step."""
    changed = True
    while changed:
        changed = False
        predecessors: dict[str, list[str]] = {s: [] for s in steps}
        for step in steps.values():
            for target in step.parallel or step.next:
                if target in predecessors:
                    predecessors[target].append(step.id)
        for step in list(steps.values()):
            if not step.routing or step.join:
                if step.routing and step.join and _merge_join(steps, step, predecessors):
                    changed = True
                    break
                continue
            sources = [s for s in predecessors[step.id] if s != step.id]
            if step.parallel is not None:
                if (
                    len(sources) == 1
                    and step.id != first
                    and steps[sources[0]].parallel is None
                    and not steps[sources[0]].join
                    and list(steps[sources[0]].next) == [step.id]
                ):
                    source = steps[sources[0]]
                    source.parallel, source.next = step.parallel, {}
                    del steps[step.id]
                    changed = True
                    break
                continue
            if step.id == first:
                targets = [t for t in step.next if t != step.id]
                if (
                    len(targets) == 1
                    and targets[0] != END
                    and not steps[targets[0]].join
                    and all(steps[s].parallel is None for s in sources)
                ):
                    # the head of a loop at the very start: the steps that come back to it
                    # come back to its one target instead
                    (target,) = targets
                    for source_id in sources:
                        source = steps[source_id]
                        weight = source.next.pop(step.id)
                        source.next[target] = source.next.get(target, 0.0) + weight
                    first = target
                    del steps[step.id]
                    changed = True
                    break
                continue
            if any(steps[s].parallel is not None for s in sources):
                continue
            onward = {t: p for t, p in step.next.items() if t != step.id}
            total = sum(onward.values())
            if total <= 0:
                continue
            for source_id in sources:
                source = steps[source_id]
                weight = source.next.pop(step.id)
                for target, p in onward.items():
                    source.next[target] = source.next.get(target, 0.0) + weight * p / total
            del steps[step.id]
            changed = True
            break
    return first


def _renumber(steps: dict[str, _Step], first: str) -> tuple[dict[str, _Step], str]:
    """Number the routing steps that remain in reading order: split_1, join_1, loop_1, ..."""
    order = _order(steps, first)
    taken = {s.id for s in steps.values() if not s.routing}
    counters: dict[str, int] = {}
    names: dict[str, str] = {}
    for step_id in order:
        step = steps[step_id]
        if not step.routing:
            names[step_id] = step_id
            continue
        kind = step.name.strip("()")
        counters[kind] = counters.get(kind, 0) + 1
        names[step_id] = slugify(f"{kind}_{counters[kind]}", taken)
        taken.add(names[step_id])
    renamed: dict[str, _Step] = {}
    for step_id in order:
        step = steps[step_id]
        step.id = names[step_id]
        step.next = {names.get(t, t): p for t, p in step.next.items()}
        if step.parallel is not None:
            step.parallel = [names[t] for t in step.parallel]
        renamed[step.id] = step
    return renamed, names[first]


def _merge_join(steps: dict[str, _Step], join: _Step, predecessors: dict[str, list[str]]) -> bool:
    """Let the activity right after a routing join be the join itself."""
    if join.parallel is not None or list(join.next) == [] or len(join.next) != 1:
        return False
    (target,) = join.next
    if target == END or target == join.id:
        return False
    after = steps[target]
    if after.routing or after.join or predecessors[target] != [join.id]:
        return False
    after.join = True
    for source_id in predecessors[join.id]:
        source = steps[source_id]
        if source.parallel is not None:
            source.parallel = [target if t == join.id else t for t in source.parallel]
        if join.id in source.next:
            source.next[target] = source.next.get(target, 0.0) + source.next.pop(join.id)
    del steps[join.id]
    return True


def _pm4py_frame(log: pd.DataFrame) -> pd.DataFrame:
    """The columns pm4py's algorithms want: case and activity as plain strings."""
    frame = log[[CASE, ACTIVITY, TIMESTAMP]].copy()
    frame[CASE] = frame[CASE].astype(str)
    frame[ACTIVITY] = frame[ACTIVITY].astype(str)
    return frame


def _quiet_pm4py() -> None:
    """No progress bars from pm4py on the terminal: the commands print their own output."""
    os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "false")
    try:
        from pm4py.util import constants

        constants.SHOW_PROGRESS_BAR = False
    except (ImportError, AttributeError):  # pragma: no cover
        pass


def _import_pm4py(feature: str) -> Any:
    from bpr.errors import DependencyError

    _quiet_pm4py()
    try:
        import pm4py
    except ImportError:
        raise DependencyError("pm4py", feature, "mining") from None
    return pm4py


def discover(
    log: pd.DataFrame,
    *,
    source: str = "the event log",
    service: str = "discovered",
    variant: str = "as-is",
    noise: float = 0.2,
    actor_from: str = "auto",
) -> DiscoveryResult:
    """Discover a draft model from a log read by :func:`bpr.files.eventlog.read_log`.

    ``actor_from`` is ``group`` (``org:group``), ``resource`` (``org:resource``) or ``auto``
    (the group where most events have one, else the resource). ``noise`` is the inductive
    miner's noise threshold (0 keeps every behaviour; 0.2 drops rare ones).
    """
    import numpy as np
    import pandas as pd

    from bpr.core.schema import ID_PATTERN
    from bpr.files.load import loads

    if not ID_PATTERN.fullmatch(service):
        raise BprError(
            f"the service id '{service}' may hold only letters, digits, _ and -, "
            f"such as '{slugify(service).replace('_', '-')}'"
        )
    pm4py = _import_pm4py("bpr mine")
    if log.empty:
        raise EventLogError(f"{source}: the log has no events")
    cases = int(log[CASE].nunique())
    counts = {str(k): int(v) for k, v in log[ACTIVITY].astype(str).value_counts().items()}
    ids: dict[str, str] = {}
    for activity in sorted(counts, key=lambda a: -counts[a]):
        ids[activity] = slugify(activity, ids.values())
    with warnings.catch_warnings():  # pm4py's own deprecation notices are no news to the user
        warnings.simplefilter("ignore")
        tree = pm4py.discover_process_tree_inductive(_pm4py_frame(log), noise_threshold=noise)
    converter = _TreeConverter(counts, cases, ids)
    entry = converter.emit(tree, {END: 1.0}, float(cases))
    steps = converter.steps
    if len(entry) == 1 and next(iter(entry)) != END:
        first = next(iter(entry))
    else:
        start = converter.routing("start", "cases begin with different activities")
        start.next = entry
        first = start.id
    first = _simplify(steps, first)
    steps, first = _renumber(steps, first)

    # durations from the timestamps: medians per activity
    frame = log.copy()
    frame[ACTIVITY] = frame[ACTIVITY].astype(str)
    has_start = START in frame and frame[START].notna().any()
    previous_end = frame.groupby(CASE, observed=True)[TIMESTAMP].shift(1)
    began = frame[START].fillna(frame[TIMESTAMP]) if has_start else frame[TIMESTAMP]
    hours = pd.Timedelta(hours=1)
    frame["_work"] = ((frame[TIMESTAMP] - began) / hours).clip(lower=0) if has_start else 0.0
    frame["_wait"] = ((began - previous_end) / hours).clip(lower=0)
    work = frame.groupby(ACTIVITY)["_work"].median()
    wait = frame.groupby(ACTIVITY)["_wait"].median()

    # actors
    actor_column = _actor_column(log, actor_from, source)
    actors: dict[str, dict[str, str]] = {}
    actor_of: dict[str, tuple[str, float, str]] = {}
    resource_group: dict[str, str] = {}
    if actor_column == RESOURCE and GROUP in log:
        pairs = log[[RESOURCE, GROUP]].dropna().astype(str)
        if not pairs.empty:
            resource_group = (
                pairs.groupby(RESOURCE)[GROUP].agg(lambda s: s.mode().iloc[0]).to_dict()
            )
    fallback_column = RESOURCE if actor_column == GROUP and RESOURCE in log else None
    for column in (actor_column, fallback_column):
        if column is None:
            continue
        values = log[[ACTIVITY, column]].dropna().astype(str)
        values = values[values[column].str.strip() != ""]
        for activity, group in values.groupby(ACTIVITY):
            if str(activity) in actor_of:
                continue
            tally = group[column].value_counts()
            share = float(tally.iloc[0] / tally.sum())
            actor_of[str(activity)] = (str(tally.index[0]), share, column)
    actor_ids: dict[str, str] = {}

    def actor_id(name: str) -> str:
        if name not in actor_ids:
            actor_ids[name] = slugify(name, actor_ids.values())
            entry: dict[str, str] = {"name": name}
            if name in resource_group:
                entry["agency"] = resource_group[name]
            actors[actor_ids[name]] = entry
        return actor_ids[name]

    fallback = "staff"
    for step in steps.values():
        if step.routing:
            continue
        step.events = counts.get(step.name, 0)
        step.work = float(work.get(step.name, 0.0)) if has_start else 0.0
        waited = wait.get(step.name, np.nan)
        step.wait = 0.0 if pd.isna(waited) else float(waited)
        if step.name in actor_of:
            name, share, column = actor_of[step.name]
            step.actor = actor_id(name)
            if column != actor_column:
                step.notes.append(f"actor: its events have no {actor_column}; from {column}")
            elif share < 0.999:
                step.notes.append(f"actor: the most frequent {column} ({share:.0%} of its events)")
        else:
            step.actor = actor_id(fallback)
            step.notes.append("actor: guessed; the log names no resource or group for it")
    _route_actors(steps, first, actor_id, fallback)

    volume = _volume(log)
    text = _yaml_text(
        steps=steps,
        first=first,
        actors=actors,
        service=service,
        variant=variant,
        source=source,
        cases=cases,
        events=len(log),
        noise=noise,
        volume=volume,
        has_start=has_start,
        actor_column=actor_column,
    )
    try:
        model = loads(text, f"<discovered from {source}>")
    except BprError as exc:  # a bug in the conversion: say so plainly
        raise BprError(
            f"{source}: the discovered model is not valid (please report this as a bug):\n{exc}"
        ) from None
    return DiscoveryResult(
        text=text,
        model=model,
        cases=cases,
        events=len(log),
        activities=len(counts),
        routing_steps=[s.id for s in steps.values() if s.routing],
    )


def _actor_column(log: pd.DataFrame, actor_from: str, source: str) -> str | None:
    if actor_from not in ("auto", "group", "resource"):
        raise BprError(f"unknown actor source '{actor_from}'; valid: auto, group, resource")
    if actor_from in ("group", "resource"):
        column, option = (GROUP, "--group") if actor_from == "group" else (RESOURCE, "--resource")
        if column not in log or log[column].isna().all():
            other = RESOURCE if column == GROUP else GROUP
            instead = (
                f"use --actor {'resource' if column == GROUP else 'group'}"
                if other in log and log[other].notna().any()
                else "use --actor auto (every step then goes to one actor, 'staff')"
            )
            raise EventLogError(
                f"{source}: the log has no {column} values for the actors; name the column or "
                f"attribute that holds them with {option}, or {instead}"
            )
        return column
    if GROUP in log and log[GROUP].notna().mean() >= 0.5:
        return GROUP
    if RESOURCE in log and log[RESOURCE].notna().any():
        return RESOURCE
    return None


def _route_actors(steps: dict[str, _Step], first: str, actor_id: Any, fallback: str) -> None:
    """A routing step belongs to the actor of the activity it leads to (fewest handoffs)."""
    for _ in range(len(steps)):
        pending = [s for s in steps.values() if not s.actor]
        if not pending:
            return
        for step in pending:
            targets = step.parallel or sorted(step.next, key=lambda t: -step.next[t])
            for target in targets:
                if target != END and steps[target].actor:
                    step.actor = steps[target].actor
                    break
    for step in steps.values():
        if not step.actor:
            step.actor = actor_id(fallback)


def _volume(log: pd.DataFrame) -> int | None:
    import pandas as pd

    starts = log.groupby(CASE, observed=True)[TIMESTAMP].min()
    span = (starts.max() - starts.min()) / pd.Timedelta(days=365)
    if not span or span < 7 / 365 or len(starts) < 2:
        return None  # less than a week of cases says little about a year
    return max(round(len(starts) / span), 1)


def _probabilities(flow: dict[str, float]) -> list[tuple[str, float]]:
    """Branches with probabilities rounded to 4 places that still add up to exactly 1."""
    flow = {t: p for t, p in flow.items() if p > 1e-12} or flow
    total = sum(flow.values())
    items = sorted(flow.items(), key=lambda kv: -kv[1])
    rounded = [(t, max(round(p / total, 4), 0.0001)) for t, p in items]
    excess = round(sum(p for _, p in rounded) - 1.0, 4)
    target, p = rounded[0]
    rounded[0] = (target, round(p - excess, 4))
    return rounded


def _order(steps: dict[str, _Step], first: str) -> list[str]:
    """Steps in the order a reader follows them: depth first along the likeliest flows."""
    order: list[str] = []
    seen: set[str] = set()
    stack = [first]
    while stack:
        step_id = stack.pop()
        if step_id in seen or step_id == END:
            continue
        seen.add(step_id)
        order.append(step_id)
        step = steps[step_id]
        targets = step.parallel or [t for t, _ in sorted(step.next.items(), key=lambda kv: -kv[1])]
        stack.extend(reversed(targets))
    order.extend(s for s in steps if s not in seen)
    return order


def _yaml_text(
    *,
    steps: dict[str, _Step],
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
    base = os.path.basename(source)
    lines = [
        f"# Draft As-Is discovered by 'bpr mine' from {base}: {cases:,} cases, {events:,} events.",
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
        f"service: {_scalar(service)}",
        f"variant: {_scalar(variant)}",
        f"name: {_scalar(f'{service} ({variant}, discovered from {base})')}",
    ]
    if volume is not None:
        lines.append(f"volume: {volume}            # guessed: cases per year over the log's span")
    lines += [
        "sources:",
        "  - "
        + _scalar(f"Event log {base} ({cases} cases, {events} events), discovered by bpr mine"),
        "",
        "actors:" + (f"                 # from the log's {actor_column}" if actor_column else ""),
    ]
    for actor, entry in actors.items():
        fields = [f"name: {_scalar(entry['name'])}"]
        if "agency" in entry:
            fields.append(f"agency: {_scalar(entry['agency'])}")
        lines.append(f"  {actor}: {{{', '.join(fields)}}}")
    lines += ["", "steps:"]
    order = _order(steps, first)
    for position, step_id in enumerate(order):
        step = steps[step_id]
        following = order[position + 1] if position + 1 < len(order) else END
        lines.append(f"  - id: {_scalar(step.id)}")
        if step.routing:
            lines[-1] += f"          # added by bpr mine: {step.routing}"
            lines.append(f"    name: {_scalar(step.name)}")
        else:
            lines.append(f"    name: {_scalar(step.name)}")
        lines.append(f"    actor: {_scalar(step.actor)}" + _note(step, "actor"))
        if step.routing:
            lines.append("    channel: automatic")
        if step.join:
            lines.append("    join: all")
        if not step.routing:
            if step.work:
                lines.append(f"    work: {_duration_text(step.work)}")
            if step.wait:
                lines.append(f"    wait: {_duration_text(step.wait)}")
            if step.work or step.wait:
                lines[-1] += f"   # median over {step.events:,} events"
        if step.parallel is not None:
            lines.append(f"    next: {{all: [{', '.join(_scalar(t) for t in step.parallel)}]}}")
            continue
        branches = _probabilities(step.next) if step.next else [(END, 1.0)]
        if len(branches) == 1:
            target = branches[0][0]
            if target != following:
                lines.append(f"    next: {_scalar(target) if target != END else 'end'}")
            continue
        lines.append("    next:                  # probabilities estimated from the log")
        for target, p in branches:
            shown = "end" if target == END else _scalar(target)
            lines.append(f"      - {{to: {shown}, p: {p:g}}}")
    return "\n".join(lines) + "\n"


def _note(step: _Step, topic: str) -> str:
    notes = [n.split(": ", 1)[1] for n in step.notes if n.startswith(topic + ":")]
    return f"   # {'; '.join(notes)}" if notes else ""


def mine(
    log_path: str | os.PathLike[str],
    columns: LogColumns | None = None,
    **options: Any,
) -> DiscoveryResult:
    """Read an event log and discover a draft model from it (see :func:`discover`).

    >>> result = mine("../shared/data/running-example.xes")  # doctest: +SKIP
    >>> result.model.first.id  # doctest: +SKIP
    'register_request'
    """
    log = read_log(log_path, columns)
    options.setdefault("service", slugify(_stem(os.fspath(log_path))).replace("_", "-"))
    return discover(log, source=os.fspath(log_path), **options)


def _stem(path: str) -> str:
    name = os.path.basename(path)
    for suffix in (".gz", ".xes", ".csv"):
        name = name.removesuffix(suffix)
    return name or "log"


# -- conformance -----------------------------------------------------------------------------


@dataclass
class ConformanceResult:
    """How well a log fits a model; ``as_dict()`` is what ``bpr conform --json`` prints."""

    model_file: str
    log_file: str
    method: str
    fitness: float
    cases: int
    events: int
    fitting_cases: int
    activity_of_step: dict[str, str | None]
    missing_in_model: list[tuple[str, int]]  # log activities no step matches, with events
    steps_not_in_log: list[str]
    deviating_variants: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model_file,
            "log": self.log_file,
            "method": self.method,
            "fitness": round(self.fitness, 6),
            "cases": self.cases,
            "events": self.events,
            "fitting_cases": self.fitting_cases,
            "fitting_share": round(self.fitting_cases / self.cases, 6) if self.cases else None,
            "activities_missing_in_model": [
                {"activity": a, "events": n} for a, n in self.missing_in_model
            ],
            "steps_not_in_log": self.steps_not_in_log,
            "deviating_variants": self.deviating_variants,
            "matched_steps": self.activity_of_step,
        }


def match_activities(model: Model, activities: Iterable[str]) -> dict[str, str | None]:
    """Which log activity each step stands for: by id, name, or the id made from the name.

    >>> import bpr
    >>> m = bpr.loads("bpr: 1\\nservice: s\\nvariant: v\\nactors: {a: {name: A}}\\n"
    ...               "steps: [{id: check_form, actor: a, name: Check the form}]\\n")
    >>> match_activities(m, ["Check Form"])
    {'check_form': 'Check Form'}
    """
    by_key: dict[str, str] = {}
    for activity in activities:
        for key in (activity, activity.lower(), slugify(activity)):
            by_key.setdefault(key, activity)
    found: dict[str, str | None] = {}
    for step in model.steps:
        found[step.id] = None
        for key in (step.id, step.name, step.label.lower(), step.id.lower(), slugify(step.label)):
            if key and key in by_key:
                found[step.id] = by_key[key]
                break
    return found


def petri_net(model: Model, labels: dict[str, str | None]) -> tuple[Any, Any, Any]:
    """The model as a pm4py Petri net with initial and final marking.

    A step is a transition labelled with its log activity (silent where it has none); a choice
    is a place with one silent transition per branch; a parallel split produces a token for
    each branch, and its join consumes one from each.
    """
    from pm4py.objects.petri_net.obj import Marking, PetriNet
    from pm4py.objects.petri_net.utils.petri_utils import add_arc_from_to

    from bpr.core.flow import analyse

    net = PetriNet(f"{model.service}-{model.variant}")
    places: dict[str, Any] = {}

    def place(name: str) -> Any:
        if name not in places:
            places[name] = PetriNet.Place(name)
            net.places.add(places[name])
        return places[name]

    blocks = analyse(model).blocks
    branch_of: dict[tuple[str, str], str] = {}  # (step, join) -> branch start
    for block in blocks:
        for start, members in block.branches.items():
            for member in members:
                branch_of[(member, block.join)] = start

    def entry(source: str, target: str, branch: str | None = None) -> Any:
        if target == END:
            return place("sink")
        if model.step(target).join == "all":
            key = branch if branch is not None else branch_of.get((source, target), source)
            return place(f"in:{target}:{key}")
        return place(f"in:{target}")

    for step in model.steps:
        transition = PetriNet.Transition(f"t:{step.id}", labels.get(step.id))
        net.transitions.add(transition)
        if step.join == "all":
            for block in blocks:
                if block.join == step.id:
                    for start in block.branches:
                        add_arc_from_to(place(f"in:{step.id}:{start}"), transition, net)
        else:
            add_arc_from_to(place(f"in:{step.id}"), transition, net)
        flow = step.next
        if flow.kind == "parallel":
            for start in flow.targets:
                add_arc_from_to(transition, entry(step.id, start, branch=start), net)
        elif flow.kind == "sequence":
            add_arc_from_to(transition, entry(step.id, flow.targets[0]), net)
        else:
            out = place(f"out:{step.id}")
            add_arc_from_to(transition, out, net)
            for number, target in enumerate(dict.fromkeys(flow.targets)):
                silent = PetriNet.Transition(f"xor:{step.id}:{number}", None)
                net.transitions.add(silent)
                add_arc_from_to(out, silent, net)
                add_arc_from_to(silent, entry(step.id, target), net)
    initial = Marking({place(f"in:{model.first.id}"): 1})
    final = Marking({place("sink"): 1})
    return net, initial, final


def _add_unknown_activities(net: Any, activities: list[str]) -> None:
    """Give each activity the model lacks a transition of its own, outside the flow.

    Token-based replay then counts each of its events as one missing and one remaining token,
    as it would for any step run out of order; without it the replay would skip them unseen.
    """
    from pm4py.objects.petri_net.obj import PetriNet
    from pm4py.objects.petri_net.utils.petri_utils import add_arc_from_to

    for number, activity in enumerate(activities):
        before = PetriNet.Place(f"unknown-in:{number}")
        after = PetriNet.Place(f"unknown-out:{number}")
        transition = PetriNet.Transition(f"unknown:{number}", activity)
        net.places.update([before, after])
        net.transitions.add(transition)
        add_arc_from_to(before, transition, net)
        add_arc_from_to(transition, after, net)


def conform(
    model: Model,
    log: pd.DataFrame,
    *,
    log_file: str = "the event log",
    method: str = "tbr",
    top_variants: int = 10,
) -> ConformanceResult:
    """Replay a log on a model; ``method`` is ``tbr`` (token-based replay) or ``alignments``.

    Each distinct trace (variant) is replayed once and weighted by its number of cases.
    """
    import pandas as pd

    if method not in ("tbr", "alignments"):
        raise BprError(f"unknown replay method '{method}'; valid: tbr, alignments")
    pm4py = _import_pm4py("bpr conform")
    frame = _pm4py_frame(log)
    traces = frame.groupby(CASE, sort=False)[ACTIVITY].agg(tuple)
    variants = traces.value_counts(sort=False)
    counts = frame[ACTIVITY].value_counts()
    labels = match_activities(model, [str(a) for a in counts.index])
    known = {a for a in labels.values() if a}
    if not known:
        # Every step would be silent: the model would "replay" any log without a single
        # activity in common, and token-based replay would still give a fitness well above 0.
        activities = ", ".join(f"'{a}'" for a in list(counts.index.astype(str))[:5])
        steps = ", ".join(f"'{s.id}'" for s in model.steps[:5])
        raise EventLogError(
            f"{log_file}: none of its {len(counts)} activities ({activities}"
            f"{', ...' if len(counts) > 5 else ''}) matches a step of {model.file} ({steps}"
            f"{', ...' if len(model.steps) > 5 else ''}) by id, name or the id made from the "
            "name, so there is nothing to replay; check that the log is of this service, or "
            "name the log's activity column with --activity"
        )
    net, initial, final = petri_net(model, labels)
    _add_unknown_activities(net, [str(a) for a in counts.index if str(a) not in known])
    # one trace per variant, replayed once
    rows = []
    for number, trace in enumerate(variants.index):
        for position, activity in enumerate(trace):
            rows.append((f"v{number:09d}", activity, position))
    replay_log = pd.DataFrame(rows, columns=[CASE, ACTIVITY, "_position"])
    replay_log[TIMESTAMP] = pd.Timestamp("2000-01-01", tz="UTC") + pd.to_timedelta(
        replay_log["_position"], unit="s"
    )
    replay_log = replay_log.drop(columns="_position")
    weights = variants.to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "tbr":
            diagnostics = pm4py.conformance_diagnostics_token_based_replay(
                replay_log, net, initial, final
            )
        else:
            diagnostics = pm4py.conformance_diagnostics_alignments(replay_log, net, initial, final)
    if method == "tbr":
        missing = consumed = remaining = produced = 0.0
        fit_flags, trace_fitness = [], []
        for weight, trace, result in zip(weights, variants.index, diagnostics, strict=True):
            missing += weight * result["missing_tokens"]
            consumed += weight * result["consumed_tokens"]
            remaining += weight * result["remaining_tokens"]
            produced += weight * result["produced_tokens"]
            unknown = any(a not in known for a in trace)
            fit_flags.append(bool(result["trace_is_fit"]) and not unknown)
            trace_fitness.append(float(result["trace_fitness"]))
        fitness = 1.0
        if consumed and produced:
            fitness = 0.5 * (1 - missing / consumed) + 0.5 * (1 - remaining / produced)
    else:
        fit_flags = [float(r["fitness"]) >= 1.0 - 1e-9 for r in diagnostics]
        trace_fitness = [float(r["fitness"]) for r in diagnostics]
        from pm4py.objects.petri_net.utils.align_utils import STD_MODEL_LOG_MOVE_COST

        # pm4py's log fitness of alignments: moves cost 1 each, silent steps nothing
        costs = sum(
            w * (r["cost"] // STD_MODEL_LOG_MOVE_COST)
            for w, r in zip(weights, diagnostics, strict=True)
        )
        worst = sum(
            w * (r.get("bwc", 0) // STD_MODEL_LOG_MOVE_COST)
            for w, r in zip(weights, diagnostics, strict=True)
        )
        fitness = 1 - costs / worst if worst else 1.0
    deviating: list[dict[str, Any]] = [
        {
            "variant": list(trace),
            "cases": int(weight),
            "fitness": round(trace_fit, 6),
        }
        for trace, weight, fit, trace_fit in zip(
            variants.index, weights, fit_flags, trace_fitness, strict=True
        )
        if not fit
    ]
    deviating.sort(key=lambda v: (-int(v["cases"]), float(v["fitness"])))
    fitting = int(sum(w for w, f in zip(weights, fit_flags, strict=True) if f))
    return ConformanceResult(
        model_file=model.file,
        log_file=log_file,
        method=method,
        fitness=float(fitness),
        cases=int(weights.sum()),
        events=len(frame),
        fitting_cases=fitting,
        activity_of_step=labels,
        missing_in_model=[(str(a), int(n)) for a, n in counts.items() if str(a) not in known],
        steps_not_in_log=[s for s, a in labels.items() if a is None],
        deviating_variants=deviating[:top_variants],
    )
