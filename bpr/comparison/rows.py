"""What every report of a comparison shows, whatever its format: the rows of the measure table
and the changed steps and documents.

The renderers (:mod:`bpr.comparison.text`, :mod:`~bpr.comparison.markdown`,
:mod:`~bpr.comparison.html`) and the service reports of :mod:`bpr.report` build their tables
from these lists, so that each is worked out once. Names are the model's text as written:
each renderer makes them safe for its target.

>>> from bpr.files.load import loads
>>> from bpr.comparison.diff import compare
>>> head = "bpr: 1\\nservice: s\\nactors: {a: {name: A}}\\n"
>>> old = loads(head + "variant: as-is\\nsteps: [{id: x, actor: a}, {id: y, actor: a}]")
>>> new = loads(head + "variant: to-be\\nsteps: [{id: x, actor: a, wait: 1d}]")
>>> [(change.kind, change.id, change.detail) for change in step_changes(compare(old, new))]
[('removed', 'y', ''), ('changed', 'x', 'wait 0h -> 1d; next y -> end')]
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bpr.analysis.table import measure_label
from bpr.comparison.acts import Provision, provision_title
from bpr.comparison.diff import Comparison
from bpr.comparison.words import join, number, quoted
from bpr.core.i18n import N_, domain, numeral
from bpr.core.model import Model
from bpr.core.text import for_terminal

__all__ = [
    "ACTS_NEW",
    "ACTS_TO_AMEND",
    "NO_CHANGE",
    "STAGE_MEASURES",
    "Change",
    "act_lines",
    "change_label",
    "change_text",
    "document_changes",
    "heading",
    "measure_rows",
    "stage_change",
    "step_changes",
]

_, ngettext, pgettext = domain("diff")

#: The measures that are a stage on the UN e-service maturity scale, not a quantity: their
#: change reads ``stage 1 -> 3``, never a percent (a stage is not three times another).
STAGE_MEASURES = ("maturity", "derived_maturity")

#: The headings of the two lists of provisions every report shows.
#: (English: translate them with ``domain("diff").gettext`` where they are written.)
ACTS_TO_AMEND = N_("Acts to amend")
ACTS_NEW = N_("Provisions the To-Be relies on")

#: What every report says of two variants that do not differ (English, as :data:`ACTS_NEW`).
NO_CHANGE = N_("No change: the two variants have the same steps, documents and measures.")


@dataclass(frozen=True)
class Change:
    """One changed step or document.

    ``kind`` is ``removed``, ``added``, ``replaced`` or ``changed`` for a step, and
    ``removed``, ``added``, ``now exchanged`` or ``no longer exchanged`` for a document.
    ``name`` is the step's label or the document's name in the variant where the change is
    seen (the As-Is for what was removed, else the To-Be); ``replaces`` the As-Is steps a
    replacing step stands for, with ``replaced_names`` their labels; ``detail`` how a changed
    step's fields changed (``wait 0h -> 1d; next y -> end``); ``phase`` the name of the phase
    a step is in (see :meth:`~bpr.comparison.diff.Comparison.step_phases`), else empty.
    """

    kind: str
    id: str
    name: str
    detail: str = ""
    replaces: tuple[str, ...] = ()
    replaced_names: tuple[str, ...] = ()
    phase: str = ""


def step_changes(c: Comparison) -> list[Change]:
    """The steps removed, added, replaced and changed, in that order."""
    old, new = c.as_is, c.to_be
    changes = [Change("removed", s, old.step(s).label) for s in c.removed_steps]
    changes += [Change("added", s, new.step(s).label) for s in c.added_steps]
    changes += [
        Change(
            "replaced",
            s,
            new.step(s).label,
            replaces=tuple(olds),
            replaced_names=tuple(old.step(o).label for o in olds),
        )
        for s, olds in c.replaced_steps.items()
    ]
    changes += [
        Change("changed", s, new.step(s).label, "; ".join(c.field_change(s, f) for f in fields))
        for s, fields in c.changed_steps.items()
    ]
    phases = c.step_phases()
    if phases:
        changes = [replace(ch, phase=_phase_name(c, phases.get(ch.id))) for ch in changes]
    return changes


def _phase_name(c: Comparison, phase: str | None) -> str:
    if phase is None:
        return ""
    found = c.to_be.phases.get(phase) or c.as_is.phases.get(phase)
    return found.name if found is not None else phase


def document_changes(c: Comparison) -> list[Change]:
    """The documents removed, added, now exchanged and no longer exchanged, in that order."""
    old, new = c.as_is.documents, c.to_be.documents
    changes = [Change("removed", d, old[d].name) for d in c.removed_documents]
    changes += [Change("added", d, new[d].name) for d in c.added_documents]
    changes += [Change("now exchanged", d, new[d].name) for d in c.now_exchanged_documents]
    changes += [
        Change("no longer exchanged", d, new[d].name) for d in c.no_longer_exchanged_documents
    ]
    return changes


def change_label(kind: str) -> str:
    """What the change column says of a :attr:`Change.kind`, in the current language."""
    labels = {
        # TRANSLATORS: a step or a document of the As-Is that the To-Be no longer has
        "removed": pgettext("change", "removed"),
        "added": pgettext("change", "added"),
        "replaced": pgettext("change", "replaced"),
        "changed": pgettext("change", "changed"),
        # TRANSLATORS: a document the agencies now obtain from each other (data exchange)
        "now exchanged": pgettext("change", "now exchanged"),
        # TRANSLATORS: a document the applicant has to bring again
        "no longer exchanged": pgettext("change", "no longer exchanged"),
    }
    return labels.get(kind, kind)


def change_text(change: Change) -> str:
    """What the last column of a step or document table says of one change, as one line fit
    for a terminal (the Markdown and HTML renderers escape it further)."""
    if change.kind == "changed":
        text = change.detail
    elif change.kind == "replaced":
        text = _("{name} (replaces {steps})").format(
            name=for_terminal(change.name), steps=", ".join(change.replaces)
        )
    else:
        text = for_terminal(change.name)
    if not change.phase:
        return text
    return _("{text} (phase: {phase})").format(text=text, phase=for_terminal(change.phase))


def heading(c: Comparison, arrow: str = "->") -> str:
    """``service: as-is -> to-be`` (model text, not yet made safe)."""
    return f"{c.as_is.service}: {c.as_is.variant} {arrow} {c.to_be.variant}"


def measure_rows(c: Comparison) -> list[list[str]]:
    """One row per measure: its label (with the currency where both files use one), the value
    before and after, the signed change and the percent.

    A maturity stage changes as ``stage 1 -> 3``, with no percent (:data:`STAGE_MEASURES`).
    """
    currency = c.as_is.currency if c.as_is.currency == c.to_be.currency else None
    rows = []
    for m in c.measures.values():
        change, percent = _signed(m.change), _percent(m.percent)
        if m.key in STAGE_MEASURES:
            change, percent = stage_change(m.before, m.after), "-"
        label = measure_label(m.key, currency)
        rows.append([label, number(m.before), number(m.after), change, percent])
    return rows


def stage_change(before: float | int | None, after: float | int | None) -> str:
    """How a maturity stage moved, in words: ``stage 1 -> 3``, ``stage 2`` where it stays.

    >>> stage_change(1, 3), stage_change(2, 2), stage_change(None, 4)
    ('stage 1 -> 3', 'stage 2', 'none -> stage 4')
    """
    if before == after:
        return "-" if before is None else _stage(before)
    if before is None or after is None:
        return f"{_stage(before)} -> {_stage(after)}"
    # TRANSLATORS: a maturity stage (UN e-service model) that moved, e.g. stage 1 -> 3
    return _("stage {before} -> {after}").format(before=number(before), after=number(after))


def _stage(stage: float | int | None) -> str:
    if stage is None:
        # TRANSLATORS: no maturity stage given
        return pgettext("stage", "none")
    # TRANSLATORS: a maturity stage of the UN e-service model
    return _("stage {stage}").format(stage=number(stage))


def _signed(value: float | int | None) -> str:
    if value is None:
        return "-"
    text = number(value)
    return text if value <= 0 or text.startswith("-") else "+" + text


def _percent(value: float | None) -> str:
    if value is None:
        return "-"
    figure = "0.0" if value == 0 else f"{value:+,.1f}"
    # TRANSLATORS: a percent change in the measure table; Russian puts a no-break space
    # before the sign
    return pgettext("percent", "{value}%").format(value=numeral(figure))


def act_lines(c: Comparison) -> list[tuple[str, list[str]]]:
    """The acts to amend and the provisions the To-Be newly relies on, as (heading, lines),
    each list left out where empty. A line names the provision and what it is cited for:
    ``Tax Code, No. 2370, art. 5: for Have the seal made (make_seal) and Company seal
    (seal)`` (model text, not yet made safe)."""
    sections = []
    if c.acts.to_amend:
        lines = [_provision_line(c, p, c.as_is) for p in c.acts.to_amend]
        sections.append((_(ACTS_TO_AMEND), lines))
    if c.acts.new:
        sections.append((_(ACTS_NEW), [_provision_line(c, p, c.to_be) for p in c.acts.new]))
    return sections


def _provision_line(c: Comparison, provision: Provision, model: Model) -> str:
    title = provision_title(c.acts, provision)
    if not provision.for_ids:
        return _("{title}: the basis of the service").format(title=title)
    names = []
    for ident in provision.for_ids:
        if ident in model:
            label = model.step(ident).label
        elif ident in model.documents:
            label = model.documents[ident].name
        else:
            label = ident
        names.append(ident if label == ident else f"{quoted(label)} ({ident})")
    # TRANSLATORS: a provision and the steps and documents it is cited for
    return _("{title}: for {names}").format(title=title, names=join(names))
