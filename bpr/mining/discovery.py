"""Discovery: a draft As-Is model from an event log.

The log is first reduced (:mod:`bpr.mining.reduce`, in memory or in DuckDB) to its variants
and per-activity figures. The inductive miner (infrequent variant, IMf; bpr's own,
:mod:`bpr.mining.inductive`, which makes the trees pm4py makes) finds the flows from the
variants (:mod:`bpr.mining.tree` turns its process tree into steps); the choices'
probabilities come from replaying the variants on the steps (:mod:`bpr.mining.replay`); the
timestamps give each activity's median work and wait, the log's groups or resources the
actors, and the span of the cases a yearly volume. The draft is written with every guess
marked (:mod:`bpr.mining.draft`) and checked like any model.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from textwrap import wrap
from typing import TYPE_CHECKING, Any

from bpr.analysis.measures import measure
from bpr.core.i18n import N_, domain, number
from bpr.core.ids import IdMaker, slug
from bpr.core.model import END, Model
from bpr.core.schema import ID_PATTERN
from bpr.errors import BprError, EventLogError
from bpr.files.eventlog import GROUP, RESOURCE, LogColumns
from bpr.files.load import loads
from bpr.mining.draft import draft_text
from bpr.mining.library import inductive_tree
from bpr.mining.reduce import Percentiles, ReducedLog, reduce_frame, reduce_log
from bpr.mining.replay import replay_probabilities
from bpr.mining.tree import DraftStep, TreeConverter, renumber, simplify

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DISCOVERY_VARIANTS", "DiscoveryResult", "discover", "lead_time_comparison", "mine"]

_, ngettext, _pgettext = domain("mining")


#: Discovery runs on every variant up to this many; beyond, on the most frequent ones.
DISCOVERY_VARIANTS = 5000


@dataclass
class DiscoveryResult:
    """A discovered draft model: its YAML text (with comments) and the loaded model.

    ``method`` says what the flows were mined from (``IMf on all 116 variants``);
    ``lead_time_days`` is the draft's lead time, ``case_days`` the log's measured case
    durations (percentiles) and ``mean_case_days`` their mean, for the comparison the draft
    states in a comment and ``bpr mine`` on its output.
    """

    text: str
    model: Model
    cases: int
    events: int
    activities: int
    routing_steps: list[str]
    method: str = ""
    lead_time_days: float = 0.0
    case_days: Percentiles | None = None
    mean_case_days: float | None = None
    engine: str = "memory"
    seconds: float = 0.0

    def lead_time_line(self) -> str:
        """One line comparing the draft's lead time with the log's case durations."""
        return lead_time_comparison(self.lead_time_days, self.case_days, self.mean_case_days)


def lead_time_comparison(
    draft_days: float, case_days: Percentiles | None, mean_days: float | None
) -> str:
    """How the draft's lead time stands beside the log's measured case duration, in the
    output language.

    >>> lead_time_comparison(0.02, Percentiles(0.01, 0.03, 14.1), 5.41)[:57]
    "Lead time: the draft's 0.02 days against the log's cases:"
    >>> from bpr.core.i18n import use
    >>> with use("ru"):
    ...     lead_time_comparison(0.5, None, None)
    'Срок: в черновике 0,50 дня (в журнале нет длительностей обращений).'
    """
    if case_days is None or mean_days is None:
        return _("Lead time: the draft's {draft} days (the log gives no case durations).").format(
            draft=_days(draft_days)
        )
    line = _(
        # TRANSLATORS: the numbers are days with decimals (0.02, 14.10)
        "Lead time: the draft's {draft} days against the log's cases: median {median} days, "
        "mean {mean}, 90th percentile {p90}."
    ).format(
        draft=_days(draft_days),
        median=_days(case_days.median),
        mean=_days(mean_days),
        p90=_days(case_days.p90),
    )
    if mean_days > 0 and not 0.5 <= draft_days / mean_days <= 2:
        advice = _(
            "The draft adds up each activity's median work and wait; most cases wait far less"
            " than a few do, so the draft stands for the typical case: lengthen the waits where"
            " the log's cases take long if it is to stand for the average one."
        )
        line = f"{line} {advice}"
    return line


def _days(value: float) -> str:
    """Days with two decimals, or two significant digits below 0.1 (0.0042, not 0.00)."""
    return number(value, ".2f" if value >= 0.1 or value == 0 else ".2g")


def _discovery_variants(variants: dict[tuple[str, ...], int]) -> dict[tuple[str, ...], int]:
    """The variants the miner sees."""
    if len(variants) <= DISCOVERY_VARIANTS:
        return variants
    return dict(list(variants.items())[:DISCOVERY_VARIANTS])


def _method_text(mined: int, variants: int, cases: int, share_cases: int, noise: float) -> str:
    """What the flows were mined from, in the output language."""
    if noise > 0:
        miner = _("the inductive miner (IMf, noise threshold {noise})").format(
            noise=number(noise, "g")
        )
    else:
        miner = _("the inductive miner (IM)")
    if mined == variants:
        # TRANSLATORS: {miner} is "the inductive miner (...)"; the count is of variants
        return ngettext(
            "{miner} on the log's one variant", "{miner} on all {n} variants", variants
        ).format(miner=miner, n=number(variants, ","))
    share = share_cases / cases if cases else 1.0
    return _("{miner} on the {mined} most frequent of {n} variants ({share} of cases)").format(
        miner=miner,
        mined=number(mined, ","),
        n=number(variants, ","),
        share=number(share, ".1%"),
    )


def discover(
    log: pd.DataFrame | ReducedLog,
    *,
    source: str = "the event log",
    service: str = "discovered",
    variant: str = "as-is",
    noise: float = 0.2,
    actor_from: str = "auto",
) -> DiscoveryResult:
    """Discover a draft model from a log read by :func:`bpr.files.eventlog.read_log`, or from
    its reduced form (:mod:`bpr.mining.reduce`: both give the same draft).

    ``actor_from`` is ``group`` (``org:group``), ``resource`` (``org:resource``) or ``auto``
    (the group where most events have one, else the resource). ``noise`` is the inductive
    miner's noise threshold (0 keeps every behaviour; 0.2 drops rare ones).
    """
    if not ID_PATTERN.fullmatch(service):
        raise BprError(
            _(
                "the service id '{service}' may hold only letters, digits, _ and -, "
                "such as '{example}'"
            ).format(service=service, example=slug(service, "-") or "my-service")
        )
    if not isinstance(log, ReducedLog):
        if log.empty:
            raise EventLogError(_("{source}: the log has no events").format(source=source))
        reduced = reduce_frame(log, source)
    else:
        reduced = log
    cases = reduced.cases
    counts = reduced.activity_events
    step_ids = IdMaker()
    ids = {a: step_ids.make(a, fallback="step") for a in sorted(counts, key=lambda a: -counts[a])}
    mined = _discovery_variants(reduced.variants)
    method = _method_text(len(mined), len(reduced.variants), cases, sum(mined.values()), noise)
    tree = inductive_tree(mined, noise)
    converter = TreeConverter(counts, cases, ids)
    entry = converter.emit(tree, {END: 1.0}, float(cases))
    steps = converter.steps
    if len(entry) == 1 and next(iter(entry)) != END:
        first = next(iter(entry))
    else:
        start = converter.routing("start", N_("cases begin with different activities"))
        start.next = entry
        first = start.id
    first = simplify(steps, first)
    steps, first = renumber(steps, first)
    replayed = replay_probabilities(steps, first, reduced.variants)

    # actors
    actor_column = _actor_column(reduced, actor_from, source)
    actors: dict[str, dict[str, str]] = {}
    actor_of: dict[str, tuple[str, float, str]] = {}
    resource_group = reduced.resource_group if actor_column == RESOURCE else {}
    fallback_column = RESOURCE if actor_column == GROUP and reduced.valued[RESOURCE] else None
    for column in (actor_column, fallback_column):
        if column is None:
            continue
        for activity, tally in reduced.actors[column].items():
            if activity in actor_of:
                continue
            # the most frequent value; a tie goes to the first in order of text
            top = min(tally, key=lambda v: (-tally[v], v))
            actor_of[activity] = (top, tally[top] / sum(tally.values()), column)
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
    has_start = reduced.has_start
    for step in steps.values():
        if step.routing:
            continue
        step.events = counts.get(step.name, 0)
        work = reduced.work.get(step.name)
        step.work = work.median if has_start and work else 0.0
        wait = reduced.wait.get(step.name)
        step.wait = wait.median if wait else 0.0
        if step.name in actor_of:
            name, share, column = actor_of[step.name]
            step.actor = actor_id(name)
            if column != actor_column:
                # TRANSLATORS: a comment of the draft; the columns are org:group, org:resource
                note = _("its events have no {column}; from {other}").format(
                    column=actor_column, other=column
                )
            elif share < 0.999:
                note = _("the most frequent {column} ({share} of its events)").format(
                    column=column, share=number(share, ".0%")
                )
            else:
                note = ""
            if note:
                step.notes.append("actor: " + note)
        else:
            step.actor = actor_id(fallback)
            step.notes.append("actor: " + _("guessed; the log names no resource or group for it"))
    _route_actors(steps, first, actor_id, fallback)

    def text_with(lead_time: list[str]) -> str:
        return draft_text(
            steps=steps,
            first=first,
            actors=actors,
            service=service,
            variant=variant,
            source=source,
            cases=cases,
            events=reduced.events,
            method=method,
            replayed=replayed,
            volume=_volume(reduced),
            has_start=has_start,
            actor_column=actor_column,
            lead_time=lead_time,
        )

    def checked(text: str) -> Model:
        try:
            return loads(text, f"<discovered from {source}>")
        except BprError as exc:  # a bug in the conversion: say so plainly
            raise BprError(
                _(
                    "{source}: the discovered model is not valid (please report this as a bug):"
                    "\n{problems}"
                ).format(source=source, problems=exc)
            ) from None

    # the draft's lead time is known once it is a model; the comparison then goes in its header
    lead_time_days = measure(checked(text_with([]))).lead_time_days
    comparison = lead_time_comparison(lead_time_days, reduced.case_days, reduced.mean_case_days)
    text = text_with(wrap(comparison, 92))
    return DiscoveryResult(
        text=text,
        model=checked(text),
        cases=cases,
        events=reduced.events,
        activities=len(counts),
        routing_steps=[s.id for s in steps.values() if s.routing],
        method=method,
        lead_time_days=lead_time_days,
        case_days=reduced.case_days,
        mean_case_days=reduced.mean_case_days,
        engine=reduced.engine,
        seconds=reduced.seconds,
    )


def _actor_column(log: ReducedLog, actor_from: str, source: str) -> str | None:
    if actor_from not in ("auto", "group", "resource"):
        raise BprError(
            _("unknown actor source '{source}'; valid: auto, group, resource").format(
                source=actor_from
            )
        )
    if actor_from in ("group", "resource"):
        column, option = (GROUP, "--group") if actor_from == "group" else (RESOURCE, "--resource")
        if not log.valued[column]:
            other = RESOURCE if column == GROUP else GROUP
            if log.valued[other]:
                # TRANSLATORS: {column} is the log's attribute (org:group, org:resource),
                # {option} and {choice} what to type on the command line
                message = _(
                    "{source}: the log has no {column} values for the actors; name the column "
                    "or attribute that holds them with {option}, or use --actor {choice}"
                )
            else:
                message = _(
                    "{source}: the log has no {column} values for the actors; name the column "
                    "or attribute that holds them with {option}, or use --actor auto (every "
                    "step then goes to one actor, 'staff')"
                )
            choice = "resource" if column == GROUP else "group"
            raise EventLogError(
                message.format(source=source, column=column, option=option, choice=choice)
            )
        return column
    if log.events and log.valued[GROUP] / log.events >= 0.5:
        return GROUP
    if log.valued[RESOURCE]:
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


def _volume(log: ReducedLog) -> int | None:
    if log.first_times is None or log.cases < 2:
        return None
    earliest, latest = log.first_times
    span = (latest - earliest).total_seconds() / (365 * 86400)
    if not span or span < 7 / 365:
        return None  # less than a week of cases says little about a year
    return max(round(log.cases / span), 1)


def mine(
    log_path: str | os.PathLike[str],
    columns: LogColumns | None = None,
    *,
    engine: str = "auto",
    memory: int | None = None,
    progress: Callable[[str], None] | None = None,
    **options: Any,
) -> DiscoveryResult:
    """Read an event log and discover a draft model from it (see :func:`discover`).

    The log is reduced by :func:`bpr.mining.reduce.reduce_log` (``engine``: ``auto``,
    ``memory`` or ``duckdb``; ``memory`` bounds DuckDB, in bytes).

    >>> result = mine("../shared/data/running-example.xes")  # doctest: +SKIP
    >>> result.model.first.id  # doctest: +SKIP
    'register_request'
    """
    reduced = reduce_log(log_path, columns, engine=engine, memory=memory, progress=progress)
    options.setdefault("service", slug(_stem(os.fspath(log_path)), "-") or "discovered")
    return discover(reduced, source=os.fspath(log_path), **options)


def _stem(path: str) -> str:
    name = os.path.basename(path)
    for suffix in (".gz", ".xes", ".csv", ".parquet"):
        name = name.removesuffix(suffix)
    return name or "log"
