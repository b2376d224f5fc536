"""Comparison of two variants of a service: what changed, by which redesign, and what it gained."""

from __future__ import annotations

import html
import math
import os
import re
import textwrap
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bpr.analysis.measures import MEASURE_KEYS, measure
from bpr.core.flow import analyse, strongly_connected_components
from bpr.core.model import END, Model, Step
from bpr.errors import ComparisonError, did_you_mean

__all__ = [
    "CONTACT_CHANNELS",
    "REDESIGN_KINDS",
    "STEP_FIELDS_COMPARED",
    "Comparison",
    "MeasureChange",
    "Redesign",
    "compare",
    "compare_folder",
    "to_html",
    "to_markdown",
    "to_text",
    "variant_files",
]

#: The step fields compared for the "changed" list, in the order they are reported. ``agency``
#: is the agency of the step's actor: it differs where the step moved to another organisation.
STEP_FIELDS_COMPARED = (
    "name",
    "actor",
    "agency",
    "channel",
    "work",
    "wait",
    "fee",
    "needs",
    "produces",
    "next",
    "join",
)

#: Channels over which the applicant and an agency are in contact (a visit, a web form, a call,
#: a letter); ``automatic`` and ``internal`` steps are not contacts.
CONTACT_CHANNELS = ("in-person", "online", "phone", "post")

#: The redesign classes, in report order: kind -> (title, what it detects). The kinds follow
#: the best practices of Reijers and Limam Mansar (2005) and the e-government practice of
#: once-only data exchange.
REDESIGN_KINDS: dict[str, tuple[str, str]] = {
    "task-elimination": ("Task elimination", "As-Is steps that no To-Be step keeps or replaces."),
    "integration": (
        "Integration",
        "Several As-Is steps merged into one To-Be step through replaces (task composition).",
    ),
    "automation": ("Task automation", "A step, or the step that replaces it, is now automatic."),
    "digitisation": (
        "Digitisation",
        "A step done in person is now done online, by phone or by post; or by post, now online.",
    ),
    "once-only": (
        "Once-only",
        "A document the applicant brought is now exchanged between agencies, or no longer needed.",
    ),
    "contact-reduction": (
        "Contact reduction",
        "Fewer visits to an office, or fewer contacts between the applicant and the agencies.",
    ),
    "parallelism": (
        "Parallelism",
        "Steps that ran one after the other now run in branches of one parallel split.",
    ),
    "resequencing": (
        "Resequencing",
        "Two steps kept in both variants now run in the opposite order.",
    ),
    "delegation": (
        "Delegation",
        "The work of a step moved to another actor or another agency.",
    ),
    "numerical-involvement": (
        "Numerical involvement",
        "Fewer agencies (or, with as many agencies, fewer actors) take part in the process.",
    ),
}

_REMOTE = {"online": "online", "phone": "by phone", "post": "by post"}
# Sentences about pairs of steps (parallelism, resequencing) name at most this many steps per
# part and this many parts: a To-Be that reorders everything must still give a sentence.
_LISTED = 6


@dataclass(frozen=True)
class MeasureChange:
    """One row of the measure table: a measure before and after, its change and percent."""

    key: str
    before: float | int | None
    after: float | int | None
    change: float | int | None
    percent: float | None

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def as_dict(self) -> dict[str, Any]:
        """The contract's ``{from, to, change, percent}``."""
        return {
            "from": self.before,
            "to": self.after,
            "change": self.change,
            "percent": self.percent,
        }


@dataclass(frozen=True)
class Redesign:
    """One classified change: which redesign practice, a sentence for reports, what it concerns.

    ``steps`` are step ids of either file (an id in both files is the same step); ``documents``
    are document ids.
    """

    kind: str
    title: str
    sentence: str
    steps: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title,
            "sentence": self.sentence,
            "steps": list(self.steps),
            "documents": list(self.documents),
        }


@dataclass
class Comparison:
    """What changed from one variant (``as_is``) to another (``to_be``) of one service.

    Step lists follow the order of the steps in their own file (the As-Is for removed steps,
    the To-Be for the others); document lists follow the order of the ``documents`` section.

    >>> import bpr
    >>> head = "bpr: 1\\nservice: s\\nactors: {a: {name: A}}\\n"
    >>> old = bpr.loads(head + "variant: as-is\\nsteps: [{id: x, actor: a}, {id: y, actor: a}]")
    >>> new = bpr.loads(head + "variant: to-be\\nsteps: [{id: x, actor: a, channel: automatic}]")
    >>> c = compare(old, new)
    >>> c.removed_steps, c.changed_steps, [r.kind for r in c.redesigns]
    (['y'], {'x': ['channel', 'next']}, ['task-elimination', 'automation'])
    >>> c.measures["steps"]
    MeasureChange(key='steps', before=2, after=1, change=-1, percent=-50.0)
    >>> c.field_change("x", "channel")
    'channel internal -> automatic'
    """

    as_is: Model
    to_be: Model
    removed_steps: list[str]
    added_steps: list[str]
    replaced_steps: dict[str, list[str]]
    changed_steps: dict[str, list[str]]
    unchanged_steps: list[str]
    removed_documents: list[str]
    added_documents: list[str]
    now_exchanged_documents: list[str]
    measures: dict[str, MeasureChange]
    redesigns: list[Redesign]
    #: Documents needed in both, exchanged in the As-Is and brought by the applicant again now
    #: (not in the contract's JSON; shown in the reports).
    no_longer_exchanged_documents: list[str] = field(default_factory=list)
    #: Remarks for the user: the same file twice, swapped variants, different currencies.
    notes: list[str] = field(default_factory=list)
    #: To-Be step id -> the As-Is steps it stands for (itself where matched by id, and what it
    #: replaces), in As-Is order.
    sources: dict[str, list[str]] = field(default_factory=dict, repr=False)

    @property
    def is_empty(self) -> bool:
        """Whether nothing changed: no step, document or measure differs."""
        return not (
            self.removed_steps
            or self.added_steps
            or self.replaced_steps
            or self.changed_steps
            or self.removed_documents
            or self.added_documents
            or self.now_exchanged_documents
            or self.no_longer_exchanged_documents
            or any(m.changed for m in self.measures.values())
        )

    def as_dict(self) -> dict[str, Any]:
        """The contract's JSON object of ``bpr diff --json``, plus the ``redesign`` list."""
        return {
            "service": self.as_is.service,
            "from": self.as_is.variant,
            "to": self.to_be.variant,
            "steps": {
                "removed": list(self.removed_steps),
                "added": list(self.added_steps),
                "replaced": {k: list(v) for k, v in self.replaced_steps.items()},
                "changed": {k: list(v) for k, v in self.changed_steps.items()},
                "unchanged": list(self.unchanged_steps),
            },
            "documents": {
                "removed": list(self.removed_documents),
                "added": list(self.added_documents),
                "now_exchanged": list(self.now_exchanged_documents),
            },
            "metrics": {key: m.as_dict() for key, m in self.measures.items()},
            "redesign": [r.as_dict() for r in self.redesigns],
        }

    def field_change(self, step_id: str, name: str) -> str:
        """A short text of how one field of a step in both files changed: ``work 2h -> 1h``."""
        old, new = self.as_is.step(step_id), self.to_be.step(step_id)
        if name in ("needs", "produces"):
            before, after = getattr(old, name), getattr(new, name)
            parts = [f"+{d}" for d in after if d not in before]
            parts += [f"-{d}" for d in before if d not in after]
            return f"{name} {' '.join(parts)}" if parts else name
        if name == "next":
            return f"next {_flow_text(old)} -> {_flow_text(new)}"
        if name == "agency":
            return _one_line(
                f"agency {self.as_is.actors[old.actor].agency or '(none)'} -> "
                f"{self.to_be.actors[new.actor].agency or '(none)'}"
            )
        if name == "name":
            return "name"
        before_text, after_text = _field_text(old, name), _field_text(new, name)
        return f"{name} {before_text} -> {after_text}"


def _field_text(step: Step, name: str) -> str:
    value = getattr(step, name)
    if name == "fee":
        return _number(value)
    if value is None:
        return "(none)"
    return str(value)


def _flow_text(step: Step) -> str:
    flow = step.next
    if flow.kind == "parallel":
        return "all(" + ", ".join(flow.targets) + ")"
    if flow.kind == "choice":
        return " | ".join(f"{b.to} {_number(b.p)}" for b in flow.branches)
    return flow.targets[0]


# -- comparing -----------------------------------------------------------------------------


def compare(as_is: Model, to_be: Model) -> Comparison:
    """Compare two variants of one service, matching steps by id and through ``replaces``.

    Raises :class:`bpr.ComparisonError` where the files describe different services, or where
    a To-Be step replaces a step that the As-Is does not have (with the file and line of each
    such entry). A model compared with itself gives an empty comparison.
    """
    if as_is.service != to_be.service:
        raise ComparisonError(
            f"{_where(as_is, 'service')}: service '{as_is.service}' and "
            f"{_where(to_be, 'service')}: service '{to_be.service}' are different services; "
            "bpr diff compares two variants of one service (files with the same 'service')"
        )
    notes = _notes(as_is, to_be)
    replaces = _effective_replaces(as_is, to_be)

    sources: dict[str, list[str]] = {}
    for step in to_be.steps:
        own = [step.id] if step.id in as_is else []
        sources[step.id] = _in_order(as_is, [*own, *replaces.get(step.id, [])])
    named = {old for olds in replaces.values() for old in olds}

    removed = [s.id for s in as_is.steps if s.id not in to_be and s.id not in named]
    added = [s.id for s in to_be.steps if s.id not in as_is and not replaces.get(s.id)]
    replaced = {s.id: _in_order(as_is, replaces[s.id]) for s in to_be.steps if replaces.get(s.id)}
    changed: dict[str, list[str]] = {}
    unchanged: list[str] = []
    for step in to_be.steps:
        if step.id in as_is:
            fields = _changed_fields(as_is, to_be, as_is.step(step.id), step)
            if fields:
                changed[step.id] = fields
            else:
                unchanged.append(step.id)

    needed_before, needed_after = _needed(as_is), _needed(to_be)
    removed_docs = [d for d in as_is.documents if d in needed_before and d not in needed_after]
    added_docs = [d for d in to_be.documents if d in needed_after and d not in needed_before]
    both = [d for d in to_be.documents if d in needed_after and d in needed_before]
    now_exchanged = [
        d for d in both if to_be.documents[d].exchange and not as_is.documents[d].exchange
    ]
    no_longer_exchanged = [
        d for d in both if as_is.documents[d].exchange and not to_be.documents[d].exchange
    ]

    comparison = Comparison(
        as_is=as_is,
        to_be=to_be,
        removed_steps=removed,
        added_steps=added,
        replaced_steps=replaced,
        changed_steps=changed,
        unchanged_steps=unchanged,
        removed_documents=removed_docs,
        added_documents=added_docs,
        now_exchanged_documents=now_exchanged,
        measures=_measure_changes(as_is, to_be),
        redesigns=[],
        no_longer_exchanged_documents=no_longer_exchanged,
        notes=notes,
        sources=sources,
    )
    comparison.redesigns = _Classifier(comparison).run()
    return comparison


def _where(model: Model, *path: str | int) -> str:
    line, column = model.locate(*path)
    return f"{model.file}:{line}:{column}" if line else model.file


def _same_file(a: Model, b: Model) -> bool:
    if a is b:
        return True
    try:
        return os.path.samefile(a.file, b.file)
    except OSError:
        return False


def _notes(as_is: Model, to_be: Model) -> list[str]:
    notes = []
    if _same_file(as_is, to_be):
        notes.append(f"{to_be.file} is compared with itself: there is no change to report")
    elif to_be.variant == "as-is" and as_is.variant != "as-is":
        notes.append(
            f"the second file ({to_be.file}) is the As-Is and the first ({as_is.variant}) is "
            "not; did you mean to swap them? bpr diff takes the As-Is first"
        )
    if as_is.currency != to_be.currency:
        notes.append(
            f"the files use different currencies ({as_is.currency or 'none'} and "
            f"{to_be.currency or 'none'}); fees and burden are compared as plain numbers"
        )
    return notes


def _effective_replaces(as_is: Model, to_be: Model) -> dict[str, list[str]]:
    """The As-Is steps each To-Be step replaces, checked against the As-Is.

    A step in both files that already names an entry in the As-Is carries it over from an
    earlier comparison: such entries (and a step naming itself) are not changes of this one.
    """
    found: dict[str, list[str]] = {}
    problems: list[str] = []
    for step in to_be.steps:
        inherited = set(as_is.step(step.id).replaces) | {step.id} if step.id in as_is else set()
        kept: list[str] = []
        for i, old in enumerate(step.replaces):
            if old in inherited or old in kept:
                continue
            if old not in as_is:
                problems.append(_dangling(as_is, to_be, step, i, old))
                continue
            kept.append(old)
        if kept:
            found[step.id] = kept
    if problems:
        message = problems[0]
        if len(problems) > 1:
            message = (
                f"{len(problems)} entries of replaces in {to_be.file} name steps that the As-Is "
                f"{as_is.file} does not have:\n  " + "\n  ".join(problems)
            )
        error = ComparisonError(message)
        error.problems = problems  # type: ignore[attr-defined]
        raise error
    return found


def _dangling(as_is: Model, to_be: Model, step: Step, i: int, old: str) -> str:
    path: tuple[str | int, ...] = ("steps", step.index, "replaces")
    scalar = to_be.source is not None and to_be.source.scalar_text(path) is not None
    if not scalar:
        path = (*path, i)
    line, column = to_be.locate(*path)
    where = f"{to_be.file}:{line}:{column}" if line else to_be.file
    dotted = f"steps[{step.index}].replaces" + ("" if scalar else f"[{i}]")
    hint = did_you_mean(old, [s.id for s in as_is.steps])
    end = " " if hint.endswith("?") else ". "
    return (
        f"{where}: {dotted}: step '{step.id}' replaces '{old}', which is not a step of the "
        f"As-Is {as_is.file}{hint}{end}Correct the id, or remove it from replaces"
    )


def _in_order(model: Model, ids: Iterable[str]) -> list[str]:
    unique = dict.fromkeys(ids)
    return sorted(unique, key=lambda i: model.step(i).index)


def _changed_fields(as_is: Model, to_be: Model, old: Step, new: Step) -> list[str]:
    fields = []
    for name in STEP_FIELDS_COMPARED:
        if name == "agency":
            same = as_is.actors[old.actor].agency == to_be.actors[new.actor].agency
        elif name in ("work", "wait"):
            a, b = getattr(old, name), getattr(new, name)
            same = a.kind == b.kind and all(
                math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9)
                for x, y in ((a.low, b.low), (a.mode, b.mode), (a.high, b.high))
            )
        elif name == "fee":
            same = math.isclose(old.fee, new.fee, rel_tol=1e-9, abs_tol=1e-9)
        elif name in ("needs", "produces"):
            same = set(getattr(old, name)) == set(getattr(new, name))
        elif name == "next":
            same = _flow_key(old) == _flow_key(new)
        else:
            same = getattr(old, name) == getattr(new, name)
        if not same:
            fields.append(name)
    return fields


def _flow_key(step: Step) -> tuple[str, list[tuple[str, float, str]]]:
    merged: dict[tuple[str, str], float] = {}
    for branch in step.next.branches:
        key = (branch.to, branch.when or "")
        merged[key] = merged.get(key, 0.0) + branch.p
    return step.next.kind, sorted((to, round(p, 9), when) for (to, when), p in merged.items())


def _needed(model: Model) -> set[str]:
    return {doc for step in model.steps for doc in step.needs}


def _tidy(value: float | int) -> float | int:
    value = round(value, 9)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value + 0  # no negative zero


def _measure_changes(as_is: Model, to_be: Model) -> dict[str, MeasureChange]:
    before, after = measure(as_is).as_dict(), measure(to_be).as_dict()
    changes = {}
    for key in MEASURE_KEYS:
        old, new = before[key], after[key]
        change = None if old is None or new is None else _tidy(new - old)
        percent = None
        if change is not None and old:
            percent = round(100 * change / old, 2) + 0.0
        changes[key] = MeasureChange(key, old, new, change, percent)
    return changes


# -- classifying ---------------------------------------------------------------------------


class _Classifier:
    """Recognises the redesign practices that the differences between two variants apply."""

    def __init__(self, comparison: Comparison) -> None:
        self.c = comparison
        self.old = comparison.as_is
        self.new = comparison.to_be
        self.orders = (_Order(self.old), _Order(self.new))

    def run(self) -> list[Redesign]:
        found = [
            self.task_elimination(),
            self.integration(),
            self.automation(),
            self.digitisation(),
            self.once_only(),
            self.contact_reduction(),
            self.parallelism(),
            self.resequencing(),
            self.delegation(),
            self.numerical_involvement(),
        ]
        return [r for r in found if r is not None]

    def make(
        self, kind: str, sentence: str, steps: Iterable[str] = (), documents: Iterable[str] = ()
    ) -> Redesign:
        return Redesign(
            kind, REDESIGN_KINDS[kind][0], sentence, tuple(dict.fromkeys(steps)), tuple(documents)
        )

    def old_name(self, step_id: str) -> str:
        return _one_line(self.old.step(step_id).label)

    def new_name(self, step_id: str) -> str:
        return _one_line(self.new.step(step_id).label)

    def task_elimination(self) -> Redesign | None:
        removed = self.c.removed_steps
        if not removed:
            return None
        sentence = (
            f"{_count(len(removed), 'step')} {_be(len(removed))} no longer done: "
            f"{_join(self.old_name(s) for s in removed)}."
        )
        return self.make("task-elimination", sentence, removed)

    def integration(self) -> Redesign | None:
        merges = [(new, olds) for new, olds in self.c.sources.items() if len(olds) > 1]
        if not merges:
            return None
        total = sum(len(olds) for _, olds in merges)
        parts = [
            f"{_join(self.old_name(o) for o in olds)} become {self.new_name(new)}"
            for new, olds in merges
        ]
        sentence = f"{total} steps are merged into {len(merges)}: {'; '.join(parts)}."
        steps = [s for new, olds in merges for s in (*olds, new)]
        return self.make("integration", sentence, steps)

    def pairs(self) -> list[tuple[str, Step, Step]]:
        """(To-Be id, As-Is step, To-Be step) for every To-Be step and what it stands for."""
        return [
            (new_id, self.old.step(old_id), self.new.step(new_id))
            for new_id, olds in self.c.sources.items()
            for old_id in olds
        ]

    def automation(self) -> Redesign | None:
        steps = [
            new_id
            for new_id, old, new in self.pairs()
            if new.channel == "automatic" and old.channel != "automatic"
        ]
        steps = list(dict.fromkeys(steps))
        if not steps:
            return None
        sentence = (
            f"{_count(len(steps), 'step')} {_be(len(steps))} now done automatically: "
            f"{_join(self.new_name(s) for s in steps)}."
        )
        return self.make("automation", sentence, steps)

    def digitisation(self) -> Redesign | None:
        """Visits that became online, phone or postal contacts; letters that went online."""
        visits: dict[str, None] = {}
        letters: dict[str, None] = {}
        for new_id, old, new in self.pairs():
            if old.channel == "in-person" and new.channel in _REMOTE:
                visits[new_id] = None
            elif old.channel == "post" and new.channel == "online":
                letters[new_id] = None
        letters = {s: None for s in letters if s not in visits}
        if not visits and not letters:
            return None
        parts = []
        if visits:
            n = len(visits)
            lead = f"{_count(n, 'step')} that needed a visit {_be(n)} now done"
            channels = {self.new.step(s).channel for s in visits}
            if len(channels) == 1:
                how = _REMOTE[channels.pop()]
                parts.append(f"{lead} {how}: {_join(self.new_name(s) for s in visits)}")
            else:
                listed = _join(
                    f"{self.new_name(s)} ({_REMOTE[self.new.step(s).channel]})" for s in visits
                )
                parts.append(f"{lead} without a visit: {listed}")
        if letters:
            n = len(letters)
            parts.append(
                f"{_count(n, 'step')} done by post {_be(n)} now done online: "
                f"{_join(self.new_name(s) for s in letters)}"
            )
        sentence = "; ".join(parts) + "."
        sentence = sentence[0].upper() + sentence[1:]
        return self.make("digitisation", sentence, _in_order(self.new, [*visits, *letters]))

    def once_only(self) -> Redesign | None:
        exchanged = self.c.now_exchanged_documents
        dropped = [d for d in self.c.removed_documents if not self.old.documents[d].exchange]
        if not exchanged and not dropped:
            return None
        parts = []
        if exchanged:
            noun = self.document_noun(exchanged)
            parts.append(
                f"{_count(len(exchanged), noun)} {_be(len(exchanged))} now obtained by the "
                f"agencies themselves through data exchange: {self.doc_names(exchanged)}"
            )
        if dropped:
            noun = self.document_noun(dropped)
            parts.append(
                f"{_count(len(dropped), noun)} {_be(len(dropped))} no longer asked for: "
                f"{self.doc_names(dropped)}"
            )
        sentence = "; ".join(parts) + "."
        sentence = sentence[0].upper() + sentence[1:]
        steps = [s.id for s in self.new.steps if set(s.needs) & set(exchanged)]
        steps += [s.id for s in self.old.steps if set(s.needs) & set(dropped)]
        return self.make("once-only", sentence, steps, [*exchanged, *dropped])

    def document_noun(self, documents: Sequence[str]) -> str:
        issued = all(self.old.documents[d].issuer is not None for d in documents)
        return "certificate" if issued else "document"

    def doc_names(self, documents: Iterable[str]) -> str:
        return _join(_one_line(self.old.documents[d].name) for d in documents)

    def contact_reduction(self) -> Redesign | None:
        visits = self.c.measures["visits"]
        before_contacts = sum(1 for s in self.old.steps if s.channel in CONTACT_CHANNELS)
        after_contacts = sum(1 for s in self.new.steps if s.channel in CONTACT_CHANNELS)
        fewer_visits = (
            visits.after is not None and visits.before is not None and visits.after < visits.before
        )
        if not fewer_visits and after_contacts >= before_contacts:
            return None
        parts = []
        if visits.before != visits.after:
            if visits.after == 0:
                before = _count(int(visits.before or 0), "visit")
                parts.append(f"no longer visits any office ({before} before)")
            else:
                parts.append(
                    f"makes {_count(int(visits.after or 0), 'visit')} to an office instead of "
                    f"{visits.before}"
                )
        if before_contacts != after_contacts:
            parts.append(
                f"has {_count(after_contacts, 'contact')} with the agencies in all instead of "
                f"{before_contacts}"
            )
        sentence = f"The applicant {' and '.join(parts)}."
        gone = self.lost(lambda s: s.is_visit) + self.lost(lambda s: s.channel in CONTACT_CHANNELS)
        return self.make("contact-reduction", sentence, _in_order(self.old, gone))

    def lost(self, kind: Callable[[Step], bool]) -> list[str]:
        """As-Is steps of a kind that no To-Be step of that kind carries on one to one."""
        carried: set[str] = set()
        for new_id, olds in self.c.sources.items():
            if kind(self.new.step(new_id)):
                heirs = [o for o in olds if kind(self.old.step(o))]
                if heirs:
                    carried.add(new_id if new_id in heirs else heirs[0])
        return [s.id for s in self.old.steps if kind(s) and s.id not in carried]

    def parallelism(self) -> Redesign | None:
        old_order, new_order = self.orders
        pairs = [
            (a, b)
            for a, b in new_order.concurrent_pairs()
            if any(
                x != y and old_order.sequential(x, y) and not old_order.concurrent(x, y)
                for x in self.c.sources[a]
                for y in self.c.sources[b]
            )
        ]
        if not pairs:
            return None
        parts = [
            f"{self.new_name(head)} alongside "
            + _join(_some([self.new_name(o) for o in others], _LISTED, "other steps"))
            for head, others in _group(pairs, self.new)
        ]
        parts = _some(parts, _LISTED, "more steps run alongside others")
        sentence = (
            "Steps that ran one after the other now run at the same time: " + "; ".join(parts) + "."
        )
        steps = _in_order(self.new, [s for pair in pairs for s in pair])
        return self.make("parallelism", sentence, steps)

    def resequencing(self) -> Redesign | None:
        old_order, new_order = self.orders
        kept = [s.id for s in self.new.steps if s.id in self.old]
        # Bit sets over the kept steps: a pair flips where a came before b and now comes after.
        old_after, _ = old_order.masks(kept)
        _, new_before = new_order.masks(kept)
        flips = [(a, kept[j]) for a in kept for j in _bits(old_after[a] & new_before[a])]
        if not flips:
            return None
        parts = []
        for head, others in _group(flips, self.new):
            where = []
            for word, side in (
                ("after", [o for o in others if new_order.before(o, head)]),
                ("before", [o for o in others if new_order.before(head, o)]),
            ):
                if side:
                    names = _some([self.new_name(o) for o in side], _LISTED, "other steps")
                    where.append(f"{word} {_join(names)}")
            parts.append(f"{self.new_name(head)} now comes {' and '.join(where)}")
        parts = _some(parts, _LISTED, "more steps moved")
        sentence = "Steps run in a new order: " + "; ".join(parts) + "."
        return self.make(
            "resequencing", sentence, _in_order(self.new, [s for f in flips for s in f])
        )

    def delegation(self) -> Redesign | None:
        """Work of staff that other staff now do; automated steps and the applicant's own
        steps are left to automation and digitisation."""
        moves: list[tuple[str, str, str]] = []  # As-Is id, To-Be id, text
        for new_id, old, new in self.pairs():
            old_actor, new_actor = self.old.actors[old.actor], self.new.actors[new.actor]
            if new.channel == "automatic" or old_actor.is_applicant or new_actor.is_applicant:
                continue
            # an actor whose id alone was renamed (same name, same agency) is the same actor
            if old.actor != new.actor and old_actor.name != new_actor.name:
                now, before = new_actor.name, old_actor.name
            elif old_actor.agency != new_actor.agency:
                now = new_actor.agency or new_actor.name
                before = old_actor.agency or old_actor.name
            else:
                continue
            text = f"now done by {_one_line(now)} instead of {_one_line(before)}"
            moves.append((old.id, new_id, text))
        if not moves:
            return None
        listed = "; ".join(f"{self.old_name(o)}, {text}" for o, _, text in moves)
        n = len(moves)
        sentence = f"{_count(n, 'step')} moved to another actor: {listed}."
        steps = [s for o, new_id, _ in moves for s in (o, new_id)]
        return self.make("delegation", sentence, steps)

    def numerical_involvement(self) -> Redesign | None:
        agencies, actors = self.c.measures["agencies"], self.c.measures["actors"]
        if (
            agencies.after is None
            or agencies.before is None
            or actors.after is None
            or actors.before is None
        ):
            return None
        if agencies.after < agencies.before:
            old_agencies = _agencies(self.old)
            gone = [a for a in old_agencies if a not in _agencies(self.new)]
            sentence = (
                "Fewer organisations take part: "
                f"{_count(int(agencies.after), 'agency', 'agencies')} instead of {agencies.before}"
            )
            steps = [s.id for s in self.old.steps if self.old.actors[s.actor].agency in gone]
        elif agencies.after == agencies.before and actors.after < actors.before:
            used = {s.actor for s in self.new.steps}
            gone = [
                self.old.actors[a].name
                for a in dict.fromkeys(s.actor for s in self.old.steps)
                if a not in used
            ]
            sentence = f"Fewer actors take part: {actors.after} instead of {actors.before}"
            steps = [s.id for s in self.old.steps if s.actor not in used]
        else:
            return None
        if gone:
            verb = "takes" if len(gone) == 1 else "take"
            sentence += f"; {_join(_one_line(g) for g in gone)} no longer {verb} part"
        return self.make("numerical-involvement", sentence + ".", steps)


def _agencies(model: Model) -> list[str]:
    found = (model.actors[s.actor].agency for s in model.steps)
    return [a for a in dict.fromkeys(found) if a is not None]


def _group(pairs: list[tuple[str, str]], model: Model) -> list[tuple[str, list[str]]]:
    """Group pairs around the step that takes part in most of them, greedily.

    ``[(a, b), (a, c), (d, e)]`` becomes ``[(a, [b, c]), (d, [e])]``: one sentence part per
    step that moved, naming the steps it moved relative to.
    """
    partners: dict[str, set[str]] = {}
    for a, b in pairs:
        partners.setdefault(a, set()).add(b)
        partners.setdefault(b, set()).add(a)
    groups: list[tuple[str, list[str]]] = []
    while True:
        left = [s for s, others in partners.items() if others]
        if not left:
            return groups
        head = max(left, key=lambda s: (len(partners[s]), -model.step(s).index))
        others = partners[head]
        for other in others:
            partners[other].discard(head)
        groups.append((head, _in_order(model, others)))
        partners[head] = set()


def _some(parts: list[str], limit: int, more: str) -> list[str]:
    """The first ``limit`` parts, then one that says how many more there are."""
    if len(parts) <= limit:
        return parts
    return [*parts[:limit], f"{len(parts) - limit} {more}"]


class _Order:
    """Which steps of a model come before which, and which run in parallel branches."""

    def __init__(self, model: Model) -> None:
        self.model = model
        analysis = analyse(model)
        successors = analysis.successors
        components = strongly_connected_components(
            [model.first.id], lambda n: (t for t, _ in successors[str(n)] if t != END)
        )
        self.component: dict[str, int] = {}
        for number, members in enumerate(components):
            for member in members:
                self.component[str(member)] = number
        self.components = [[str(m) for m in members] for members in components]
        self.successors = successors
        self.reach = self._propagate({n: 1 << n for n in range(len(components))}, forward=True)
        self.branch_of: dict[str, list[tuple[int, str]]] = {}
        for i, block in enumerate(analysis.blocks):
            for start, region in block.branches.items():
                for step_id in region:
                    self.branch_of.setdefault(step_id, []).append((i, start))
        self.blocks = analysis.blocks

    def _propagate(self, own: dict[int, int], *, forward: bool) -> list[int]:
        """For each component, the union of ``own`` over the components it reaches (``forward``)
        or that reach it; a component's own bits are not included.

        Components come sinks first, so walking them in that order (or the reverse, backward)
        finds every neighbour's result before it is needed.
        """
        neighbours: list[set[int]] = [set() for _ in self.components]
        for number, members in enumerate(self.components):
            for member in members:
                for target, _ in self.successors[member]:
                    other = self.component.get(target)
                    if other is None or other == number:
                        continue
                    if forward:
                        neighbours[number].add(other)
                    else:
                        neighbours[other].add(number)
        result = [0] * len(self.components)
        order = range(len(self.components))
        for number in order if forward else reversed(order):
            bits = 0
            for other in neighbours[number]:
                bits |= result[other] | own.get(other, 0)
            result[number] = bits
        return result

    def masks(self, ids: Sequence[str]) -> tuple[dict[str, int], dict[str, int]]:
        """Bit sets over positions in ``ids``: for each id, the ids after it and before it."""
        own: dict[int, int] = {}
        for position, step_id in enumerate(ids):
            number = self.component[step_id]
            own[number] = own.get(number, 0) | 1 << position
        after = self._propagate(own, forward=True)
        before = self._propagate(own, forward=False)
        return (
            {i: after[self.component[i]] for i in ids},
            {i: before[self.component[i]] for i in ids},
        )

    def before(self, a: str, b: str) -> bool:
        """Whether every way from ``a`` to ``b`` goes forward and none comes back."""
        x, y = self.component.get(a), self.component.get(b)
        if x is None or y is None or x == y:
            return False
        return bool(self.reach[x] >> y & 1)

    def sequential(self, a: str, b: str) -> bool:
        return self.before(a, b) or self.before(b, a)

    def concurrent(self, a: str, b: str) -> bool:
        """Whether the two steps lie in different branches of one parallel split."""
        mine = self.branch_of.get(a, [])
        theirs = dict(self.branch_of.get(b, []))
        return any(block in theirs and theirs[block] != start for block, start in mine)

    def concurrent_pairs(self) -> list[tuple[str, str]]:
        pairs: dict[tuple[str, str], None] = {}
        for block in self.blocks:
            regions = list(block.branches.values())
            for i, first in enumerate(regions):
                for second in regions[i + 1 :]:
                    for a in first - second:
                        for b in second - first:
                            pairs[_ordered(self.model, a, b)] = None
        return sorted(
            pairs, key=lambda p: (self.model.step(p[0]).index, self.model.step(p[1]).index)
        )


def _bits(mask: int) -> list[int]:
    """Positions of the set bits of ``mask``, lowest first."""
    found = []
    while mask:
        low = mask & -mask
        found.append(low.bit_length() - 1)
        mask ^= low
    return found


def _ordered(model: Model, a: str, b: str) -> tuple[str, str]:
    return (a, b) if model.step(a).index <= model.step(b).index else (b, a)


# -- plain language ------------------------------------------------------------------------


def _count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def _be(n: int) -> str:
    return "is" if n == 1 else "are"


def _join(items: Iterable[str]) -> str:
    words = list(items)
    if len(words) <= 2:
        return " and ".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _one_line(text: str) -> str:
    """Model text fit for one line of a terminal: whitespace runs collapsed, controls shown."""
    cleaned = "".join(
        c if not unicodedata.category(c).startswith("C") or c in "\t\n\r" else f"\\x{ord(c):02x}"
        for c in text
    )
    return " ".join(cleaned.split())


def _number(value: Any) -> str:
    from bpr.analysis.table import format_number

    return format_number(value)


def _signed(value: float | int | None) -> str:
    if value is None:
        return "-"
    text = _number(value)
    return text if value <= 0 or text.startswith("-") else "+" + text


def _percent(value: float | None) -> str:
    if value is None:
        return "-"
    return ("0.0" if value == 0 else f"{value:+,.1f}") + "%"


# -- reports -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    change: str
    step: str
    text: str


def _currency(c: Comparison) -> str | None:
    return c.as_is.currency if c.as_is.currency == c.to_be.currency else None


def _measure_rows(c: Comparison) -> list[list[str]]:
    from bpr.analysis.table import measure_label

    currency = _currency(c)
    return [
        [
            measure_label(m.key, currency),
            _number(m.before),
            _number(m.after),
            _signed(m.change),
            _percent(m.percent),
        ]
        for m in c.measures.values()
    ]


def _step_rows(c: Comparison) -> list[_Row]:
    rows = [_Row("removed", s, _one_line(c.as_is.step(s).label)) for s in c.removed_steps]
    rows += [_Row("added", s, _one_line(c.to_be.step(s).label)) for s in c.added_steps]
    rows += [
        _Row("replaced", s, f"{_one_line(c.to_be.step(s).label)} (replaces {', '.join(olds)})")
        for s, olds in c.replaced_steps.items()
    ]
    rows += [
        _Row("changed", s, "; ".join(c.field_change(s, f) for f in fields))
        for s, fields in c.changed_steps.items()
    ]
    return rows


def _document_rows(c: Comparison) -> list[_Row]:
    def name(model: Model, d: str) -> str:
        return _one_line(model.documents[d].name)

    rows = [_Row("removed", d, name(c.as_is, d)) for d in c.removed_documents]
    rows += [_Row("added", d, name(c.to_be, d)) for d in c.added_documents]
    rows += [_Row("now exchanged", d, name(c.to_be, d)) for d in c.now_exchanged_documents]
    rows += [
        _Row("no longer exchanged", d, name(c.to_be, d)) for d in c.no_longer_exchanged_documents
    ]
    return rows


def _heading(c: Comparison, arrow: str = "->") -> str:
    return f"{c.as_is.service}: {c.as_is.variant} {arrow} {c.to_be.variant}"


def to_text(comparison: Comparison, width: int = 100) -> str:
    """The terminal report: measures, redesigns, then the step and document changes."""
    from bpr.analysis.table import text_table

    c = comparison
    out = [_one_line(_heading(c))]
    for label, model in (("from", c.as_is), ("to", c.to_be)):
        out.append(f"  {label:<4}  {_one_line(model.file)}  {_one_line(model.title)}")
    for note in c.notes:
        out.append(f"  note: {_one_line(note)}")
    if c.is_empty:
        out += ["", "No change: the two variants have the same steps, documents and measures."]
        return "\n".join(out) + "\n"
    variants = [_one_line(c.as_is.variant), _one_line(c.to_be.variant)]
    out += ["", text_table(["measure", *variants, "change", "percent"], _measure_rows(c))]
    if c.redesigns:
        out += ["", "Redesign"]
        for r in c.redesigns:
            out.append(
                textwrap.fill(
                    f"{r.title}: {r.sentence}",
                    width=width,
                    initial_indent="  - ",
                    subsequent_indent="    ",
                    break_on_hyphens=False,
                )
            )
    steps = _step_rows(c)
    if steps:
        out += ["", "Steps", _wrapped_table(["change", "step", "what"], steps, width)]
    if c.unchanged_steps:
        out.append(
            textwrap.fill(
                "unchanged: " + ", ".join(c.unchanged_steps),
                width=width,
                subsequent_indent="  ",
                break_on_hyphens=False,
            )
        )
    documents = _document_rows(c)
    if documents:
        out += ["", "Documents", _wrapped_table(["change", "document", "name"], documents, width)]
    return "\n".join(out) + "\n"


def _wrapped_table(headers: Sequence[str], rows: Sequence[_Row], width: int) -> str:
    """A left-aligned table whose last column wraps onto continuation lines to fit ``width``."""
    from bpr.analysis.table import text_table

    first = max(len(headers[0]), *(len(r.change) for r in rows))
    second = max(len(headers[1]), *(len(r.step) for r in rows))
    room = max(30, width - first - second - 4)
    lines: list[list[str]] = []
    for row in rows:
        parts = textwrap.wrap(row.text, room, break_on_hyphens=False) or [""]
        lines.append([row.change, row.step, parts[0]])
        lines += [["", "", part] for part in parts[1:]]
    return text_table(headers, lines, right=[False, False, False])


# Backslash escapes keep these literal in CommonMark: no emphasis, links, code, HTML tags,
# entities or extra table cells can come from a model's text.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|#<&~!])")


def _md(text: str) -> str:
    """Model text safe inside Markdown: no HTML, no emphasis, no table breaks."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", _one_line(text))


def to_markdown(comparison: Comparison) -> str:
    """The comparison as a Markdown fragment: a heading, the measure table, redesigns, changes."""
    c = comparison
    out = [f"## {_md(_heading(c, '→'))}", ""]
    out.append(
        f"From {_md(c.as_is.title)} ({_md(c.as_is.file)}) "
        f"to {_md(c.to_be.title)} ({_md(c.to_be.file)})."
    )
    out.append("")
    if c.is_empty:
        out += ["No change: the two variants have the same steps, documents and measures.", ""]
        return "\n".join(out)
    out.append(f"| Measure | {_md(c.as_is.variant)} | {_md(c.to_be.variant)} | Change | Percent |")
    out.append("|---|--:|--:|--:|--:|")
    for row in _measure_rows(c):
        out.append("| " + " | ".join(_md(cell) for cell in row) + " |")
    if c.redesigns:
        out += ["", "### Redesign", ""]
        out += [f"- **{_md(r.title)}.** {_md(r.sentence)}" for r in c.redesigns]
    steps = _step_rows(c)
    if steps or c.unchanged_steps:
        out += ["", "### Steps", ""]
    if steps:
        out += ["| Change | Step | What |", "|---|---|---|"]
        out += [f"| {r.change} | `{r.step}` | {_md(r.text)} |" for r in steps]
    if c.unchanged_steps:
        out += ["", "Unchanged: " + ", ".join(f"`{s}`" for s in c.unchanged_steps) + "."]
    documents = _document_rows(c)
    if documents:
        out += ["", "### Documents", "", "| Change | Document | Name |", "|---|---|---|"]
        out += [f"| {r.change} | `{r.step}` | {_md(r.text)} |" for r in documents]
    out.append("")
    return "\n".join(out)


def _h(text: str) -> str:
    return html.escape(_one_line(text), quote=False)


def _html_table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[bool]
) -> list[str]:
    right, left = ' style="text-align:right"', ' style="text-align:left"'
    out = ["<table>", "<thead><tr>"]
    out += [
        f"<th{right if n else left}>{_h(h)}</th>" for h, n in zip(headers, numeric, strict=True)
    ]
    out += ["</tr></thead>", "<tbody>"]
    for row in rows:
        cells = "".join(
            f"<td{right if n else ''}>{_h(cell)}</td>" for cell, n in zip(row, numeric, strict=True)
        )
        out.append(f"<tr>{cells}</tr>")
    out += ["</tbody>", "</table>"]
    return out


def to_html(comparison: Comparison) -> str:
    """The comparison as a self-contained HTML fragment (no scripts, style sheets or links;
    number columns are right-aligned by a ``style`` attribute).

    Every text that comes from a model is escaped.
    """
    c = comparison
    out = ['<section class="bpr-diff">', f"<h2>{_h(_heading(c, '→'))}</h2>"]
    out.append(
        f"<p>From {_h(c.as_is.title)} (<code>{_h(c.as_is.file)}</code>) to "
        f"{_h(c.to_be.title)} (<code>{_h(c.to_be.file)}</code>).</p>"
    )
    if c.is_empty:
        out += ["<p>No change: the two variants have the same steps, documents and measures.</p>"]
        out.append("</section>")
        return "\n".join(out) + "\n"
    out += _html_table(
        ["Measure", c.as_is.variant, c.to_be.variant, "Change", "Percent"],
        _measure_rows(c),
        [False, True, True, True, True],
    )
    if c.redesigns:
        out += ["<h3>Redesign</h3>", "<ul>"]
        out += [
            f'<li data-kind="{r.kind}"><strong>{_h(r.title)}.</strong> {_h(r.sentence)}</li>'
            for r in c.redesigns
        ]
        out.append("</ul>")
    steps = _step_rows(c)
    if steps or c.unchanged_steps:
        out.append("<h3>Steps</h3>")
    if steps:
        out += _html_table(
            ["Change", "Step", "What"], [[r.change, r.step, r.text] for r in steps], [False] * 3
        )
    if c.unchanged_steps:
        out.append(f"<p>Unchanged: {_h(', '.join(c.unchanged_steps))}.</p>")
    documents = _document_rows(c)
    if documents:
        out.append("<h3>Documents</h3>")
        out += _html_table(
            ["Change", "Document", "Name"],
            [[r.change, r.step, r.text] for r in documents],
            [False] * 3,
        )
    out.append("</section>")
    return "\n".join(out) + "\n"


# -- folders -------------------------------------------------------------------------------


def variant_files(folder: str | os.PathLike[str]) -> tuple[Path, list[Path]]:
    """The As-Is file of a service folder and its To-Be files (``to-be*.yaml``).

    ``to-be.yaml`` comes first, then the other To-Be variants in name order. Raises
    :class:`bpr.ComparisonError` where the folder lacks either.
    """
    base = Path(folder)
    as_is = [base / name for name in ("as-is.yaml", "as-is.yml") if (base / name).is_file()]
    if not as_is:
        raise ComparisonError(
            f"{folder}: no as-is.yaml in this folder; a service folder holds as-is.yaml and "
            "to-be.yaml (or to-be-LABEL.yaml), or name two files: bpr diff AS_IS TO_BE"
        )
    to_be = sorted(
        (
            p
            for p in base.iterdir()
            if p.is_file() and p.name.startswith("to-be") and p.suffix in (".yaml", ".yml")
        ),
        key=lambda p: (p.stem != "to-be", p.name),
    )
    if not to_be:
        raise ComparisonError(
            f"{folder}: no to-be.yaml (or to-be-LABEL.yaml) beside {as_is[0].name}; add the "
            "redesigned variant, or name two files: bpr diff AS_IS TO_BE"
        )
    return as_is[0], to_be


def compare_folder(folder: str | os.PathLike[str]) -> list[Comparison]:
    """Compare the As-Is of a service folder with each of its To-Be variants."""
    from bpr.files.load import load

    as_is_path, to_be_paths = variant_files(folder)
    as_is = load(as_is_path)
    return [compare(as_is, load(path)) for path in to_be_paths]
