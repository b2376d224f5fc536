"""physical-item: the applicant must bring a physical item, such as a company seal."""

from __future__ import annotations

from collections.abc import Iterator

from bpr.comparison.acts import act_title, citations
from bpr.lint.context import LintContext, Rule, clean, quote
from bpr.lint.edits import exchange_documents
from bpr.lint.findings import Finding
from bpr.lint.rules._carried import carried

__all__ = ["RULE", "check"]


def check(ctx: LintContext) -> Iterator[Finding]:
    """A document of kind ``object`` that a step of staff needs."""
    for paper in carried(ctx):
        if paper.kind != "object":
            continue
        doc = paper.document
        edit = exchange_documents(ctx.model, [doc.id]) if doc.issuer is not None else None
        law = [
            clean(act_title(ctx.model, act)) + (f", art. {clean(article)}" if article else "")
            for act, article in citations(doc)
        ]
        provision = f" ({'; '.join(law)})" if law else ""
        yield ctx.finding(
            "physical-item",
            "warning",
            f"the applicant must bring '{clean(doc.name)}' ({doc.id}), a physical item, to "
            f"{quote(s.id for s in paper.users)}: no registry can carry it; abolish the "
            f"requirement by amending the provision that imposes it{provision}",
            steps=[*(s.id for s in paper.users), *paper.makers],
            documents=[doc.id],
            line=ctx.document_line(doc.id),
            edit=edit,
        )


RULE = Rule(
    "physical-item",
    "warning",
    "a physical item (such as a seal) that the applicant must bring: abolish the requirement",
    check,
)
