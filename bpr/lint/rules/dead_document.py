"""dead-document: a document produced and never needed, or needed and never available."""

from __future__ import annotations

from collections.abc import Iterator

from bpr.core.i18n import N_, domain
from bpr.core.vocab import Severity
from bpr.lint.context import LintContext, Rule, clean, quote
from bpr.lint.edits import unavailable_needs
from bpr.lint.findings import Finding

__all__ = ["RULE", "check"]

_, ngettext, _pgettext = domain("lint")

# Channels that bring a document to the applicant: a document a step makes over one of these
# is the applicant's to keep (a result of the service), even if no later step needs it.
_TO_APPLICANT = ("in-person", "online", "post", "phone")


def check(ctx: LintContext) -> Iterator[Finding]:
    """Needs that no earlier step surely produces (an error where none can, a warning where
    some ways miss it); documents declared and unused, or produced and never needed."""
    model = ctx.model
    makers: dict[str, list[str]] = {}
    users: dict[str, list[str]] = {}
    for step in model.steps:
        for made in step.produces:
            makers.setdefault(made, []).append(step.id)
        for needed in step.needs:
            users.setdefault(needed, []).append(step.id)
    for step_id, doc_id in unavailable_needs(model):
        doc = model.documents[doc_id]
        earlier = ctx.ancestors(step_id)
        names = {
            "step": step_id,
            "document": clean(doc.name),
            "id": doc_id,
            "makers": quote(makers[doc_id]),
        }
        severity: Severity
        if any(m in earlier for m in makers[doc_id]):
            severity = "warning"
            message = ngettext(
                "'{step}' needs '{document}' ({id}), which only {makers} produces, and not on "
                "every way to '{step}': a case can reach '{step}' without it; reorder the "
                "steps, or correct their needs and produces",
                "'{step}' needs '{document}' ({id}), which only {makers} produce, and not on "
                "every way to '{step}': a case can reach '{step}' without it; reorder the "
                "steps, or correct their needs and produces",
                len(makers[doc_id]),
            )
        else:
            severity = "error"
            message = ngettext(
                "'{step}' needs '{document}' ({id}), which only {makers} produces, and never "
                "before '{step}': a case can reach '{step}' without it; reorder the steps, or "
                "correct their needs and produces",
                "'{step}' needs '{document}' ({id}), which only {makers} produce, and never "
                "before '{step}': a case can reach '{step}' without it; reorder the steps, or "
                "correct their needs and produces",
                len(makers[doc_id]),
            )
        yield ctx.finding(
            "dead-document",
            severity,
            message.format(**names),
            steps=[step_id, *makers[doc_id]],
            documents=[doc_id],
            line=ctx.item_line(("steps", model.step(step_id).index, "needs"), doc_id),
        )
    for doc_id, doc in model.documents.items():
        if doc_id in users:
            continue
        if doc_id not in makers:
            yield ctx.finding(
                "dead-document",
                "info",
                _(
                    "'{document}' ({id}) is declared but no step needs or produces it: remove "
                    "it, or add it to the needs of the step that asks for it"
                ).format(document=clean(doc.name), id=doc_id),
                documents=[doc_id],
            )
            continue
        delivered = [
            s
            for s in makers[doc_id]
            if model.step(s).channel in _TO_APPLICANT
            and not model.actors[model.step(s).actor].is_applicant
        ]
        if delivered:
            continue  # handed to the applicant: a result of the service
        yield ctx.finding(
            "dead-document",
            "info",
            # TRANSLATORS: counted by the steps {steps} names (Russian: на шаг, на шаги)
            ngettext(
                "'{document}' ({id}) is produced at {steps} but no step needs it: stop "
                "producing it, or add it to the needs of the step that uses it",
                "'{document}' ({id}) is produced at {steps} but no step needs it: stop "
                "producing it, or add it to the needs of the step that uses it",
                len(makers[doc_id]),
            ).format(document=clean(doc.name), id=doc_id, steps=quote(makers[doc_id])),
            steps=makers[doc_id],
            documents=[doc_id],
            line=ctx.document_line(doc_id),
        )


RULE = Rule(
    "dead-document",
    "error",
    N_("a document produced and never needed, or needed and never available"),
    check,
)
