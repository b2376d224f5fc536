"""The draft To-Be of ``bpr lint --fix-draft``: the safe suggestions applied, written as YAML.

The draft is the analyst's own file edited in place (:func:`bpr.files.writer.edit_model_text`):
their comments, key order and every step the suggestions do not touch stay as they were.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bpr.core import i18n
from bpr.core.i18n import N_, domain
from bpr.core.model import Model
from bpr.files.writer import REMOVE, Commented, edit_model_text, model_data, model_text
from bpr.lint.edits import Edit, Note, exchange_documents, parallelise
from bpr.lint.findings import SAFE_RULES, Finding

__all__ = ["NOT_SAFE", "NO_LONGER_FITS", "Draft", "build_draft", "draft_to_be"]

_, ngettext, _pgettext = domain("lint")

#: Why a finding is not applied to the draft (English, as ``bpr lint --json`` writes it;
#: translated where a person reads it, with :func:`reason`).
NOT_SAFE = N_("needs the analyst's judgement")
NO_LONGER_FITS = N_("does not fit after the changes above")


@dataclass(frozen=True)
class Draft:
    """A draft To-Be: its YAML text, its model, and which findings it applies and which not.

    The reason of each skipped finding is :data:`NOT_SAFE` or :data:`NO_LONGER_FITS`, in
    English; ``_(why)`` of the ``lint`` domain is its text in the output language.
    """

    text: str
    model: Model
    applied: tuple[Finding, ...]
    skipped: tuple[tuple[Finding, str], ...]  # (finding, why it was not applied)


def draft_to_be(model: Model, findings: Iterable[Finding]) -> str:
    """The YAML text of a draft To-Be with the safe suggestions among ``findings`` applied.

    Certificates become exchanged (once-only) and independent steps run in parallel
    (sequential-independent); every change is marked with a ``# lint:`` comment, and the
    header lists the findings left to the analyst. The text loads with :func:`bpr.loads`.

    >>> import bpr
    >>> from bpr.lint import lint
    >>> m = bpr.loads(
    ...     "bpr: 1\\nservice: s\\nvariant: as-is\\n"
    ...     "actors: {tax: {name: Tax office}, desk: {name: Desk}}\\n"
    ...     "documents: {clearance: {name: No-debt certificate, issuer: tax}}\\n"
    ...     "steps: [{id: apply, actor: desk, needs: [clearance]}]\\n"
    ... )
    >>> draft = bpr.loads(draft_to_be(m, lint(m)))
    >>> draft.variant, draft.documents["clearance"].exchange
    ('to-be-draft', True)
    """
    return build_draft(model, findings).text


def build_draft(model: Model, findings: Iterable[Finding], text: str | None = None) -> Draft:
    """Apply the safe suggestions one after the other and write the result.

    A suggestion that no longer fits the model changed by the earlier ones is skipped.
    ``text`` is the model's file (by default the text it was read from): the draft is that
    text with the changes made, everything else kept. A model built in code, with no text,
    is written anew in the house style.
    """
    order = {rule: i for i, rule in enumerate(SAFE_RULES)}
    current = model
    notes: list[Note] = []
    applied: list[Finding] = []
    skipped: list[tuple[Finding, str]] = []
    for finding in sorted(findings, key=lambda f: (order.get(f.rule, len(order)), f.line)):
        if finding.rule not in order:
            skipped.append((finding, NOT_SAFE))
            continue
        edit = _edit(current, finding)
        if edit is None:
            skipped.append((finding, NO_LONGER_FITS))
            continue
        current = edit.model
        notes.extend(edit.notes)
        applied.append(finding)
    variant = "to-be-draft" if model.variant == "as-is" else f"{model.variant}-draft"
    name, names = _draft_name(model)
    drafted = dataclasses.replace(current, variant=variant, name=name, names=names)
    if text is None:
        text = _file_text(model)
    header = _header(model, applied, skipped)
    by_entity: dict[tuple[str, str], list[str]] = {}
    for note in notes:
        by_entity.setdefault((f"{note.kind}s", note.id), []).append(f"lint: {note.text}")
    written = None
    if text is not None:
        try:
            written = edit_model_text(
                text, _changes(model, drafted), notes=by_entity, header=header
            )
        except (ValueError, KeyError):
            written = None  # a text that is not the model's any more: write the model anew
    if written is None:
        written = _write_new(drafted, by_entity, header)
    return Draft(written, drafted, tuple(applied), tuple(skipped))


def _draft_name(model: Model) -> tuple[str, dict[str, str]]:
    """The draft's name in the output language, and its name map: the name in the output
    language, English, the file's language and every language the model's own name has
    (none for an English draft of a model without one, which writes a plain name)."""
    lang = i18n.current()
    if lang == "en" and not model.names:
        return _draft_title(model.title), {}
    names: dict[str, str] = {}
    for code in dict.fromkeys((lang, "en", model.language, *model.names)):
        title = model.text(model.names, model.title, code) if model.names else model.title
        with i18n.use(code):
            names[code] = _draft_title(title)
    return names[lang], names


def _draft_title(title: str) -> str:
    # TRANSLATORS: the name of the draft To-Be model; {title} is the As-Is model's name
    return _("Draft To-Be from bpr lint: {title}").format(title=title)


def _edit(model: Model, finding: Finding) -> Edit | None:
    if finding.rule == "once-only":
        return exchange_documents(model, finding.documents)
    if finding.rule == "sequential-independent" and len(finding.steps) == 2:
        return parallelise(model, finding.steps[0], finding.steps[1], quick=True)
    return None


# -- writing YAML -------------------------------------------------------------------------------


def _file_text(model: Model) -> str | None:
    """The text the model was read from, if any."""
    if model.source is None or not model.source.text:
        return None
    return model.source.text


def _changes(before: Model, after: Model) -> dict[tuple[str, ...], dict[str, Any]]:
    """The fields of the file that differ between two models, as plain data."""
    old, new = model_data(before), model_data(after)
    changes: dict[tuple[str, ...], dict[str, Any]] = {}
    sections = ("actors", "documents", "steps")
    top = _differences(
        {k: v for k, v in old.items() if k not in sections},
        {k: v for k, v in new.items() if k not in sections},
    )
    if top:
        changes[()] = top
    for section in sections:
        old_entries = _entries(old.get(section))
        for ident, entry in _entries(new.get(section)).items():
            if ident in old_entries:
                changed = _differences(old_entries[ident], entry)
                if changed:
                    changes[(section, ident)] = changed
    return changes


def _entries(section: Any) -> dict[str, dict[str, Any]]:
    if isinstance(section, Mapping):
        return dict(section)
    return {entry["id"]: entry for entry in section or ()}


def _differences(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    changed = {key: value for key, value in new.items() if old.get(key) != value}
    changed.update({key: REMOVE for key in old if key not in new})
    return changed


def _summary(finding: Finding) -> str:
    head = finding.rule
    if finding.line:
        head = _("{rule}, line {line}").format(rule=finding.rule, line=finding.line)
    what = ", ".join((*finding.documents, *finding.steps))
    return f"{head}: {what}" if what else head


def _header(
    original: Model, applied: Sequence[Finding], skipped: Sequence[tuple[Finding, str]]
) -> list[str]:
    # TRANSLATORS: the top of the draft's header comment; keep the line break
    top = _("Draft To-Be of {service}, written by `bpr lint --fix-draft`\nfrom {file} ({variant}).")
    # TRANSLATORS: a paragraph of the draft's header comment, in lines of up to 90 characters;
    # 'lint:' is what the comments start with
    about = _(
        "It applies the safe suggestions of bpr lint (certificates exchanged, independent steps\n"
        "in parallel); each change is marked by a comment starting with 'lint:'. The work, wait\n"
        "and fee of the changed steps are those of the original: review every change, then edit."
    )
    return [
        *top.format(service=original.service, file=original.file, variant=original.variant).split(
            "\n"
        ),
        *about.split("\n"),
        "",
        _("Applied ({n}):").format(n=len(applied)) if applied else _("Applied: none."),
        *(f"- {_summary(f)}" for f in applied),
        _("Not applied ({n}):").format(n=len(skipped)) if skipped else _("Not applied: none."),
        *(f"- {_summary(f)} ({_(why)})" for f, why in skipped),
    ]


def _write_new(model: Model, notes: Mapping[tuple[str, str], list[str]], header: list[str]) -> str:
    """A model with no file of its own, written anew with the notes above what they are on."""
    data = model_data(model)
    for section in ("documents", "steps"):
        entries = data.get(section)
        if isinstance(entries, dict):
            data[section] = {
                ident: Commented(entry, tuple(notes.get((section, ident), ())))
                for ident, entry in entries.items()
            }
        elif entries:
            data[section] = [
                Commented(entry, tuple(notes.get((section, entry["id"]), ()))) for entry in entries
            ]
    return model_text(data, header)
