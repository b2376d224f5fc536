"""The diff of two variants of a service: which steps and documents changed, and the measures.

:func:`compare` matches steps by id and through ``replaces``; the redesigns the changes apply
come from :mod:`bpr.comparison.redesign`, and the reports from :mod:`bpr.comparison.text`,
:mod:`~bpr.comparison.markdown` and :mod:`~bpr.comparison.html`.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bpr.analysis.measures import MEASURE_KEYS, measure
from bpr.comparison.acts import ActChanges, act_changes
from bpr.comparison.order import in_file_order
from bpr.comparison.redesign import Redesign, classify
from bpr.comparison.words import number
from bpr.core._gc import gc_paused
from bpr.core.durations import Duration
from bpr.core.i18n import domain
from bpr.core.model import Model, Step
from bpr.core.text import for_terminal
from bpr.core.words import channel_name, duration_text, step_field
from bpr.errors import ComparisonError, closest, did_you_mean
from bpr.files.finder import find_variants
from bpr.files.load import load

__all__ = [
    "STEP_FIELDS_COMPARED",
    "Comparison",
    "MeasureChange",
    "compare",
    "compare_folder",
    "variant_files",
]

_, ngettext, pgettext = domain("diff")


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
    "phase",
)


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
    #: The provisions to amend and those the To-Be newly relies on (from ``basis``).
    acts: ActChanges = field(default_factory=ActChanges)

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
        """The contract's JSON object of ``bpr diff --json``, plus the ``redesign`` list and
        the ``acts`` of the format additions (``to_amend``, ``new``), and ``phases`` (step id ->
        phase id, see :meth:`step_phases`) only where either model has phases."""
        with gc_paused():  # a list per changed step, and no cycles (see bpr.core._gc)
            return self._as_dict()

    def _as_dict(self) -> dict[str, Any]:
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
            "acts": self.acts.as_dict(),
            **({"phases": self.step_phases()} if self.as_is.phases or self.to_be.phases else {}),
        }

    def step_phases(self) -> dict[str, str]:
        """Each removed, added, replaced or changed step that is in a phase -> the phase's id.

        A removed step's phase is the As-Is one, any other the To-Be one (for a changed step
        the As-Is one where the To-Be step has none).

        >>> import bpr
        >>> head = "bpr: 1\\nservice: s\\nactors: {a: {name: A}}\\nphases: {p: P}\\n"
        >>> old = bpr.loads(head + "variant: as-is\\nsteps: [{id: x, actor: a, phase: p}]")
        >>> new = bpr.loads(head + "variant: to-be\\nsteps: [{id: y, actor: a}]")
        >>> compare(old, new).step_phases()
        {'x': 'p'}
        """
        found: dict[str, str] = {}
        for ident in self.removed_steps:
            phase = self.as_is.step(ident).phase
            if phase is not None:
                found[ident] = phase
        for ident in [*self.added_steps, *self.replaced_steps, *self.changed_steps]:
            phase = self.to_be.step(ident).phase
            if phase is None and ident in self.changed_steps:
                phase = self.as_is.step(ident).phase
            if phase is not None:
                found[ident] = phase
        return found

    def field_change(self, step_id: str, name: str) -> str:
        """A short text of how one field of a step in both files changed: ``work 2h -> 1h``
        (the field's name and its values in the current language; ids and durations as the
        file writes them)."""
        old, new = self.as_is.step(step_id), self.to_be.step(step_id)
        label = step_field(name)
        if name in ("needs", "produces"):
            before, after = getattr(old, name), getattr(new, name)
            parts = [f"+{d}" for d in after if d not in before]
            parts += [f"-{d}" for d in before if d not in after]
            return f"{label} {' '.join(parts)}" if parts else label
        if name == "next":
            return f"{label} {_flow_text(old)} -> {_flow_text(new)}"
        if name == "agency":
            none = _("(none)")
            return for_terminal(
                f"{label} {self.as_is.actors[old.actor].agency or none} -> "
                f"{self.to_be.actors[new.actor].agency or none}"
            )
        if name == "name":
            return label
        before_text, after_text = _field_text(old, name), _field_text(new, name)
        return f"{label} {before_text} -> {after_text}"


def _field_text(step: Step, name: str) -> str:
    value = getattr(step, name)
    if name == "fee":
        return number(value)
    if value is None:
        return _("(none)")
    if name == "channel":
        return channel_name(value)
    if isinstance(value, Duration):
        return duration_text(value)
    if name == "join" and value == "all":
        # TRANSLATORS: join: all, a step that waits for every branch
        return pgettext("join", "all")
    return str(value)


def _flow_text(step: Step) -> str:
    flow = step.next
    if flow.kind == "parallel":
        # TRANSLATORS: a parallel split into these steps
        return _("all({steps})").format(steps=", ".join(_target(t) for t in flow.targets))
    if flow.kind == "choice":
        return " | ".join(f"{_target(b.to)} {number(b.p)}" for b in flow.branches)
    return _target(flow.targets[0])


def _target(target: str) -> str:
    # TRANSLATORS: the end of the process, as the target of a flow
    return pgettext("flow target", "end") if target == "end" else target


# -- comparing -----------------------------------------------------------------------------


def compare(as_is: Model, to_be: Model) -> Comparison:
    """Compare two variants of one service, matching steps by id and through ``replaces``.

    Raises :class:`bpr.ComparisonError` where the files describe different services, or where
    a To-Be step replaces a step that the As-Is does not have (with the file and line of each
    such entry). A model compared with itself gives an empty comparison.
    """
    with gc_paused():  # many small objects and no cycles (see bpr.core._gc)
        return _compare(as_is, to_be)


def _compare(as_is: Model, to_be: Model) -> Comparison:
    if as_is.service != to_be.service:
        raise ComparisonError(
            _(
                "{where}: service '{service}' and {other_where}: service '{other}' are "
                "different services; bpr diff compares two variants of one service (files "
                "with the same 'service')"
            ).format(
                where=_where(as_is, "service"),
                service=as_is.service,
                other_where=_where(to_be, "service"),
                other=to_be.service,
            )
        )
    notes = _notes(as_is, to_be)
    replaces = _effective_replaces(as_is, to_be)

    sources: dict[str, list[str]] = {}
    for step in to_be.steps:
        own = [step.id] if step.id in as_is else []
        more = replaces.get(step.id)
        sources[step.id] = in_file_order(as_is, [*own, *more]) if more else own
    named = {old for olds in replaces.values() for old in olds}

    removed = [s.id for s in as_is.steps if s.id not in to_be and s.id not in named]
    added = [s.id for s in to_be.steps if s.id not in as_is and not replaces.get(s.id)]
    replaced = {
        s.id: in_file_order(as_is, replaces[s.id]) for s in to_be.steps if replaces.get(s.id)
    }
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
        acts=act_changes(as_is, to_be, removed, removed_docs, now_exchanged),
    )
    comparison.redesigns = classify(comparison)
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
        notes.append(
            _("{file} is compared with itself: there is no change to report").format(
                file=to_be.file
            )
        )
    elif to_be.variant == "as-is" and as_is.variant != "as-is":
        notes.append(
            _(
                "the second file ({file}) is the As-Is and the first ({variant}) is not; did you "
                "mean to swap them? bpr diff takes the As-Is first"
            ).format(file=to_be.file, variant=as_is.variant)
        )
    if as_is.currency != to_be.currency:
        none = pgettext("currency", "none")
        notes.append(
            _(
                "the files use different currencies ({currency} and {other}); fees and burden "
                "are compared as plain numbers"
            ).format(currency=as_is.currency or none, other=to_be.currency or none)
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
        if not step.replaces:
            continue
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
            message = ngettext(
                "{n} entry of replaces in {file} names steps that the As-Is {as_is} does not "
                "have:\n  {problems}",
                "{n} entries of replaces in {file} name steps that the As-Is {as_is} does not "
                "have:\n  {problems}",
                len(problems),
            ).format(
                n=len(problems), file=to_be.file, as_is=as_is.file, problems="\n  ".join(problems)
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
    ids = [s.id for s in as_is.steps]
    suggestion, hint = closest(old, ids), did_you_mean(old, ids)
    values = {"where": where, "path": dotted, "step": step.id, "old": old, "file": as_is.file}
    choices = "; valid: "
    if suggestion is not None:
        text = _(
            "{where}: {path}: step '{step}' replaces '{old}', which is not a step of the As-Is "
            "{file}; did you mean '{suggestion}'? Correct the id, or remove it from replaces"
        )
        values["suggestion"] = suggestion
    elif hint.startswith(choices):
        text = _(
            "{where}: {path}: step '{step}' replaces '{old}', which is not a step of the As-Is "
            "{file}; valid: {choices}. Correct the id, or remove it from replaces"
        )
        values["choices"] = hint[len(choices) :]
    else:
        text = _(
            "{where}: {path}: step '{step}' replaces '{old}', which is not a step of the As-Is "
            "{file}. Correct the id, or remove it from replaces"
        )
    return text.format(**values)


def _changed_fields(as_is: Model, to_be: Model, old: Step, new: Step) -> list[str]:
    fields = []
    for name in STEP_FIELDS_COMPARED:
        if name == "agency":
            same = as_is.actors[old.actor].agency == to_be.actors[new.actor].agency
        elif name in ("work", "wait"):
            a, b = getattr(old, name), getattr(new, name)
            same = a == b or (
                a.kind == b.kind
                and all(
                    math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9)
                    for x, y in ((a.low, b.low), (a.mode, b.mode), (a.high, b.high))
                )
            )
        elif name == "fee":
            same = old.fee == new.fee or math.isclose(old.fee, new.fee, rel_tol=1e-9, abs_tol=1e-9)
        elif name in ("needs", "produces"):
            mine, theirs = getattr(old, name), getattr(new, name)
            same = mine == theirs or set(mine) == set(theirs)
        elif name == "next":
            same = (
                old.next.kind == new.next.kind and old.next.branches == new.next.branches
            ) or _flow_key(old) == _flow_key(new)
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


# -- folders -------------------------------------------------------------------------------


def variant_files(folder: str | os.PathLike[str]) -> tuple[Path, list[Path]]:
    """The As-Is file of a service folder and its To-Be files (``to-be*.yaml``).

    ``to-be.yaml`` comes first, then the other To-Be variants in name order (as
    :func:`bpr.files.finder.find_variants` finds them). Raises :class:`bpr.ComparisonError`
    where the folder lacks either.
    """
    as_is, to_be = find_variants(folder)
    if as_is is None:
        raise ComparisonError(
            _(
                "{folder}: no as-is.yaml in this folder; a service folder holds as-is.yaml and "
                "to-be.yaml (or to-be-LABEL.yaml), or name two files: bpr diff AS_IS TO_BE"
            ).format(folder=folder)
        )
    if not to_be:
        raise ComparisonError(
            _(
                "{folder}: no to-be.yaml (or to-be-LABEL.yaml) beside {file}; add the "
                "redesigned variant, or name two files: bpr diff AS_IS TO_BE"
            ).format(folder=folder, file=as_is.name)
        )
    return as_is, to_be


def compare_folder(folder: str | os.PathLike[str]) -> list[Comparison]:
    """Compare the As-Is of a service folder with each of its To-Be variants."""
    as_is_path, to_be_paths = variant_files(folder)
    as_is = load(as_is_path)
    return [compare(as_is, load(path)) for path in to_be_paths]
