"""Discovery: a draft As-Is model from an event log.

pm4py's inductive miner (infrequent variant, IMf) finds the flows (:mod:`bpr.mining.tree`
turns its process tree into steps); the timestamps give each activity's median work and wait,
the log's groups or resources the actors, and the span of the cases a yearly volume. The
draft is written with every guess marked (:mod:`bpr.mining.draft`) and checked like any model.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bpr.core.ids import IdMaker, slug
from bpr.core.model import END, Model
from bpr.core.schema import ID_PATTERN
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
from bpr.files.load import loads
from bpr.mining.draft import draft_text
from bpr.mining.library import load_pm4py, pm4py_frame
from bpr.mining.tree import DraftStep, TreeConverter, renumber, simplify

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DiscoveryResult", "discover", "mine"]


@dataclass
class DiscoveryResult:
    """A discovered draft model: its YAML text (with comments) and the loaded model."""

    text: str
    model: Model
    cases: int
    events: int
    activities: int
    routing_steps: list[str]


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

    if not ID_PATTERN.fullmatch(service):
        raise BprError(
            f"the service id '{service}' may hold only letters, digits, _ and -, "
            f"such as '{slug(service, '-') or 'my-service'}'"
        )
    pm4py = load_pm4py("bpr mine")
    if log.empty:
        raise EventLogError(f"{source}: the log has no events")
    cases = int(log[CASE].nunique())
    counts = {str(k): int(v) for k, v in log[ACTIVITY].astype(str).value_counts().items()}
    step_ids = IdMaker()
    ids = {a: step_ids.make(a, fallback="step") for a in sorted(counts, key=lambda a: -counts[a])}
    with warnings.catch_warnings():  # pm4py's own deprecation notices are no news to the user
        warnings.simplefilter("ignore")
        tree = pm4py.discover_process_tree_inductive(pm4py_frame(log), noise_threshold=noise)
    converter = TreeConverter(counts, cases, ids)
    entry = converter.emit(tree, {END: 1.0}, float(cases))
    steps = converter.steps
    if len(entry) == 1 and next(iter(entry)) != END:
        first = next(iter(entry))
    else:
        start = converter.routing("start", "cases begin with different activities")
        start.next = entry
        first = start.id
    first = simplify(steps, first)
    steps, first = renumber(steps, first)

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
    made_actor_ids = IdMaker()

    def actor_id(name: str) -> str:
        if name not in actor_ids:
            actor_ids[name] = made_actor_ids.make(name, fallback="actor")
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
    text = draft_text(
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


def _route_actors(steps: dict[str, DraftStep], first: str, actor_id: Any, fallback: str) -> None:
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
    options.setdefault("service", slug(_stem(os.fspath(log_path)), "-") or "discovered")
    return discover(log, source=os.fspath(log_path), **options)


def _stem(path: str) -> str:
    name = os.path.basename(path)
    for suffix in (".gz", ".xes", ".csv"):
        name = name.removesuffix(suffix)
    return name or "log"
