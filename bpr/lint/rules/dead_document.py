"""dead-document: a document produced and never needed, or needed and never available."""

from __future__ import annotations

from collections.abc import Iterator

from bpr.core.vocab import Severity
from bpr.lint.context import LintContext, Rule, clean, quote
from bpr.lint.edits import unavailable_needs
from bpr.lint.findings import Finding

__all__ = ["RULE", "check"]

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
        made = f"{quote(makers[doc_id])} produce{'s' if len(makers[doc_id]) == 1 else ''}"
        severity: Severity
        if any(m in earlier for m in makers[doc_id]):
            severity, when = "warning", f"not on every way to '{step_id}'"
        else:
            severity, when = "error", f"never before '{step_id}'"
        yield ctx.finding(
            "dead-document",
            severity,
            f"'{step_id}' needs '{clean(doc.name)}' ({doc_id}), which only {made}, and "
            f"{when}: a case can reach '{step_id}' without it; reorder the steps, or correct "
            "their needs and produces",
            steps=[step_id, *makers[doc_id]],
            documents=[doc_id],
            line=ctx.item_line(("steps", model.step(step_id).index, "needs"), doc_id),
        )
    for doc_id, doc in model.documents.items():
        name = f"'{clean(doc.name)}' ({doc_id})"
        if doc_id in users:
            continue
        if doc_id not in makers:
            yield ctx.finding(
                "dead-document",
                "info",
                f"{name} is declared but no step needs or produces it: remove it, or add it to "
                "the needs of the step that asks for it",
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
            f"{name} is produced at {quote(makers[doc_id])} but no step needs it: stop "
            "producing it, or add it to the needs of the step that uses it",
            steps=makers[doc_id],
            documents=[doc_id],
            line=ctx.document_line(doc_id),
        )


RULE = Rule(
    "dead-document",
    "error",
    "a document produced and never needed, or needed and never available",
    check,
)
