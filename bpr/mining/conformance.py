"""Conformance: does a model describe what really runs? The log replayed on the model.

Each step matches the log activity it stands for (:func:`match_activities`); the model's one
Petri net (:func:`bpr.analysis.petri.plain_net`, the compact form of the net the soundness
check uses) carries those activities on its transitions (steps the log does not have are
silent: the agencies' systems do not record them; each log activity the model lacks gets a
transition of its own), and each variant of the log is replayed once, weighted by its number
of cases: by bpr's own token-based replay (:mod:`bpr.mining.tokenreplay`, the figures of
pm4py's, without pm4py or pandas), or with ``method="alignments"`` by pm4py's alignments.
"""

from __future__ import annotations

import random
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bpr.analysis.petri import PlainNet, plain_net, pm4py_net
from bpr.core.i18n import domain, number
from bpr.core.ids import slug
from bpr.core.model import Model
from bpr.errors import BprError, EventLogError
from bpr.files.eventlog import ACTIVITY, CASE, TIMESTAMP
from bpr.mining.library import load_pm4py
from bpr.mining.reduce import ReducedLog, reduce_frame
from bpr.mining.tokenreplay import TokenReplay

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CHEAP_VARIANTS",
    "SAMPLED_VARIANTS",
    "ConformanceResult",
    "Coverage",
    "conform",
    "match_activities",
    "select_variants",
]

_, ngettext, pgettext = domain("mining")

#: Every variant is replayed up to this many; beyond, the most frequent ones and a sample.
CHEAP_VARIANTS = 1000
#: How many of the other variants are replayed, at random, beyond the most frequent ones.
SAMPLED_VARIANTS = 100


@dataclass(frozen=True)
class Coverage:
    """Which variants were replayed: all, or the most frequent covering ``target`` of the
    cases plus a random sample of the rest (weighted to stand for all of the rest)."""

    variants: int
    cases: int
    top_variants: int
    top_cases: int
    sampled_variants: int
    sampled_cases: int
    target: float

    @property
    def complete(self) -> bool:
        return self.top_variants == self.variants

    def as_dict(self) -> dict[str, Any]:
        return {
            "all_variants": self.complete,
            "variants": self.variants,
            "replayed_variants": self.top_variants + self.sampled_variants,
            "most_frequent_variants": self.top_variants,
            "sampled_variants": self.sampled_variants,
            "replayed_cases": self.top_cases + self.sampled_cases,
            "cases_share": round((self.top_cases + self.sampled_cases) / self.cases, 6)
            if self.cases
            else None,
            "most_frequent_share": round(self.top_cases / self.cases, 6) if self.cases else None,
            "target": self.target,
            "estimated": not self.complete,
        }

    def text(self) -> str:
        """One line for the terminal, in the output language.

        >>> Coverage(3, 10, 3, 10, 0, 0, 0.99).text()
        'all 3 variants (100% of cases)'
        >>> Coverage(1, 10, 1, 10, 0, 0, 0.99).text()
        'the one variant (100% of cases)'
        """
        if self.complete:
            return ngettext(
                "the one variant (100% of cases)",
                "all {n} variants (100% of cases)",
                self.variants,
            ).format(n=number(self.variants, ","))
        top = self.top_cases / self.cases if self.cases else 1.0
        sampled = self.sampled_cases / self.cases if self.cases else 0.0
        return _(
            "{top} most frequent of {n} variants ({top_share} of cases, target {target}) and "
            "{sampled} sampled from the rest ({sampled_share}); fitness and fitting cases "
            "estimated"
        ).format(
            top=number(self.top_variants, ","),
            n=number(self.variants, ","),
            top_share=number(top, ".1%"),
            target=number(self.target, ".0%"),
            sampled=number(self.sampled_variants, ","),
            sampled_share=number(sampled, ".2%"),
        )


def select_variants(
    variants: dict[tuple[str, ...], int],
    coverage: float = 0.99,
    *,
    cheap: int = CHEAP_VARIANTS,
    sample: int = SAMPLED_VARIANTS,
    seed: int = 0,
) -> tuple[list[tuple[tuple[str, ...], int, float]], Coverage]:
    """The variants to replay as ``(trace, cases, weight)``, and what they cover.

    All of them when there are at most ``cheap``; otherwise the most frequent until they hold
    ``coverage`` of the cases, plus ``sample`` others drawn at random (``seed``), each weighted
    so that the sample stands for every case left out.

    >>> chosen, cover = select_variants({("a",): 90, ("b",): 9, ("c",): 1}, 0.9, cheap=1, sample=1)
    >>> [(t, n, w) for t, n, w in chosen], cover.top_cases, cover.sampled_variants
    ([(('a',), 90, 90.0), (('c',), 1, 10.0)], 90, 1)
    """
    if not 0 < coverage <= 1:
        raise BprError(
            _("the coverage {coverage} is not a share of cases; give one above 0, up to 1").format(
                coverage=f"{coverage:g}"
            )
        )
    ordered = sorted(variants.items(), key=lambda kv: (-kv[1], kv[0]))
    total = sum(variants.values())
    if len(ordered) <= cheap:
        chosen = [(t, n, float(n)) for t, n in ordered]
        return chosen, Coverage(len(ordered), total, len(ordered), total, 0, 0, coverage)
    top: list[tuple[tuple[str, ...], int, float]] = []
    held = 0
    for trace, cases in ordered:
        if held >= coverage * total:
            break
        top.append((trace, cases, float(cases)))
        held += cases
    rest = ordered[len(top) :]
    drawn = random.Random(seed).sample(rest, min(sample, len(rest)))
    drawn_cases = sum(n for _, n in drawn)
    scale = (total - held) / drawn_cases if drawn_cases else 0.0
    chosen = top + [(t, n, n * scale) for t, n in drawn]
    return chosen, Coverage(len(ordered), total, len(top), held, len(drawn), drawn_cases, coverage)


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
    coverage: Coverage | None = field(default=None)

    def as_dict(self) -> dict[str, Any]:
        data = {
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
        if self.coverage is not None:
            data["coverage"] = self.coverage.as_dict()
        return data


def match_activities(model: Model, activities: Iterable[str]) -> dict[str, str | None]:
    """Which log activity each step stands for (``None``: the log never shows the step).

    A step matches by its id or name (in the output language, else in any of its name map's
    languages): first as written, then ignoring case and spacing, then
    by the id :func:`bpr.core.ids.slug` makes of both (which reads Cyrillic and Azerbaijani or
    Uzbek Latin). An activity that one step matches more closely is not given to another.

    >>> import bpr
    >>> m = bpr.loads("bpr: 1\\nservice: s\\nvariant: v\\nactors: {a: {name: A}}\\n"
    ...               "steps: [{id: check_form, actor: a, name: Check the form}]\\n")
    >>> match_activities(m, ["Check Form"])
    {'check_form': 'Check Form'}
    """
    names = list(dict.fromkeys(activities))
    found: dict[str, str | None] = {step.id: None for step in model.steps}
    claimed: set[str] = set()
    for key in (_as_written, _folded, slug):
        by_key: dict[str, str] = {}
        for activity in names:
            if activity not in claimed and key(activity):
                by_key.setdefault(key(activity), activity)
        for step in model.steps:
            if found[step.id] is not None:
                continue
            # the name in the output language first, then its names in the other languages
            # (a log records one of them, whatever language the command writes in)
            for text in (step.id, step.label, *step.names.values()):
                if key(text) and key(text) in by_key:
                    found[step.id] = by_key[key(text)]
                    break
        claimed.update(a for a in found.values() if a is not None)
    return found


def _as_written(text: str) -> str:
    return text


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def _add_unknown_activities(net: PlainNet, activities: list[str]) -> None:
    """Give each activity the model lacks a transition of its own, outside the flow.

    Token-based replay then counts each of its events as one missing and one remaining token,
    as it would for any step run out of order; without it the replay would skip them unseen.
    """
    for index, activity in enumerate(activities):
        before = net.place(f"unknown-in:{index}")
        after = net.place(f"unknown-out:{index}")
        net.transition(f"unknown:{index}", activity, [before], [after])


def conform(
    model: Model,
    log: pd.DataFrame | ReducedLog,
    *,
    log_file: str = "the event log",
    method: str = "tbr",
    top_variants: int = 10,
    coverage: float = 0.99,
) -> ConformanceResult:
    """Replay a log on a model; ``method`` is ``tbr`` (token-based replay) or ``alignments``.

    ``log`` is a frame of :func:`bpr.files.eventlog.read_log` or its reduced form
    (:mod:`bpr.mining.reduce`): both give the same result. Each distinct trace (variant) is
    replayed once and weighted by its number of cases; past :data:`CHEAP_VARIANTS` variants,
    only those chosen by :func:`select_variants` for ``coverage`` (see ``result.coverage``).
    """
    if method not in ("tbr", "alignments"):
        raise BprError(
            _("unknown replay method '{method}'; valid: tbr, alignments").format(method=method)
        )
    pm4py = load_pm4py("bpr conform") if method == "alignments" else None
    reduced = log if isinstance(log, ReducedLog) else reduce_frame(log, log_file)
    chosen, covered = select_variants(
        reduced.variants, coverage, cheap=CHEAP_VARIANTS, sample=SAMPLED_VARIANTS
    )
    counts = [(str(a), int(n)) for a, n in reduced.activity_events.items()]
    labels = match_activities(model, [a for a, _n in counts])
    known = {a for a in labels.values() if a}
    if not known:
        # Every step would be silent: the model would "replay" any log without a single
        # activity in common, and token-based replay would still give a fitness well above 0.
        activities = ", ".join(f"'{a}'" for a, _n in counts[:5])
        steps = ", ".join(f"'{s.id}'" for s in model.steps[:5])
        raise EventLogError(
            # TRANSLATORS: {activities} and {steps} are lists in quotes, ending in ", ..."
            # where there are more; --activity is the option to type
            ngettext(
                "{log}: none of its {n} activities ({activities}) matches a step of {model} "
                "({steps}) by id, name or the id made from the name, so there is nothing to "
                "replay; check that the log is of this service, or name the log's activity "
                "column with --activity",
                "{log}: none of its {n} activities ({activities}) matches a step of {model} "
                "({steps}) by id, name or the id made from the name, so there is nothing to "
                "replay; check that the log is of this service, or name the log's activity "
                "column with --activity",
                len(counts),
            ).format(
                log=log_file,
                n=len(counts),
                activities=activities + (", ..." if len(counts) > 5 else ""),
                model=model.file,
                steps=steps + (", ..." if len(model.steps) > 5 else ""),
            )
        )
    net = plain_net(model, labels, compact=True)
    _add_unknown_activities(net, [a for a, _n in counts if a not in known])
    weights = [weight for _, _, weight in chosen]
    traces = [trace for trace, _, _ in chosen]
    if pm4py is None:
        fit_flags, trace_fitness = [], []
        missing = consumed = remaining = produced = 0.0
        for weight, trace, result in zip(
            weights, traces, TokenReplay(net).replay_all(traces), strict=True
        ):
            missing += weight * result.missing
            consumed += weight * result.consumed
            remaining += weight * result.remaining
            produced += weight * result.produced
            unknown = any(a not in known for a in trace)
            fit_flags.append(result.fit and not unknown)
            trace_fitness.append(result.fitness)
        fitness = 1.0
        if consumed and produced:
            fitness = 0.5 * (1 - missing / consumed) + 0.5 * (1 - remaining / produced)
    else:
        diagnostics = _alignments(pm4py, net, model.service, traces)
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
            "cases": int(cases),
            "fitness": round(trace_fit, 6),
        }
        for (trace, cases, _), fit, trace_fit in zip(chosen, fit_flags, trace_fitness, strict=True)
        if not fit
    ]
    deviating.sort(key=lambda v: (-int(v["cases"]), float(v["fitness"])))
    fitting = round(sum(w for w, f in zip(weights, fit_flags, strict=True) if f))
    return ConformanceResult(
        model_file=model.file,
        log_file=log_file,
        method=method,
        fitness=float(fitness),
        cases=reduced.cases,
        events=reduced.events,
        fitting_cases=fitting,
        activity_of_step=labels,
        missing_in_model=[(a, n) for a, n in counts if a not in known],
        steps_not_in_log=[s for s, a in labels.items() if a is None],
        deviating_variants=deviating[:top_variants],
        coverage=covered,
    )


def _alignments(
    pm4py: Any, net: PlainNet, name: str, traces: list[tuple[str, ...]]
) -> list[dict[str, Any]]:
    """pm4py's alignment of each trace on the net."""
    import pandas as pd

    petri, initial, final = pm4py_net(net, name)
    rows = [
        (f"v{index:09d}", activity, position)
        for index, trace in enumerate(traces)
        for position, activity in enumerate(trace)
    ]
    replay_log = pd.DataFrame(rows, columns=[CASE, ACTIVITY, "_position"])
    replay_log[TIMESTAMP] = pd.Timestamp("2000-01-01", tz="UTC") + pd.to_timedelta(
        replay_log["_position"], unit="s"
    )
    replay_log = replay_log.drop(columns="_position")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return list(pm4py.conformance_diagnostics_alignments(replay_log, petri, initial, final))
