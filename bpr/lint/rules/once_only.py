"""once-only: a certificate that one agency issues and the applicant carries to another."""

from __future__ import annotations

from collections.abc import Iterator

from bpr.lint.context import LintContext, Rule, clean, quote, who
from bpr.lint.edits import exchange_documents
from bpr.lint.findings import Finding

__all__ = ["RULE", "check"]


def check(ctx: LintContext) -> Iterator[Finding]:
    """A document with an issuer that the applicant brings to a step of staff."""
    model = ctx.model
    for doc in model.documents.values():
        if doc.exchange or doc.issuer is None or model.actors[doc.issuer].is_applicant:
            continue
        issuer = model.actors[doc.issuer]
        users = [s for s in model.steps if doc.id in s.needs and not ctx.actor(s).is_applicant]
        if not users:
            continue
        makers = [s.id for s in model.steps if doc.id in s.produces and s not in users]
        own = [
            s
            for s in users
            if s.actor == issuer.id or (issuer.agency and ctx.actor(s).agency == issuer.agency)
        ]
        name = f"'{clean(doc.name)}' ({doc.id})"
        edit = exchange_documents(model, [doc.id])
        trips = [n.id for n in edit.notes if n.kind == "step"] if edit else []
        trip = f"; the trip to fetch it ({quote(trips)}) becomes a registry query" if trips else ""
        if len(own) == len(users):
            message = (
                f"the applicant must bring {name} to {quote(s.id for s in users)}, though "
                f"{who(issuer)} issues it: look it up in the issuer's own registry instead "
                f"(once-only){trip}"
            )
        else:
            message = (
                f"{name} is issued by {who(issuer)} and the applicant carries it to "
                f"{quote(s.id for s in users)}: pull it from the issuer's registry by data "
                f"exchange instead (once-only){trip}"
            )
        yield ctx.finding(
            "once-only",
            "warning",
            message,
            steps=[*(s.id for s in users), *makers],
            documents=[doc.id],
            line=ctx.document_line(doc.id),
            edit=edit,
        )


RULE = Rule(
    "once-only",
    "warning",
    "a certificate that one agency issues and the applicant carries to another: "
    "exchange the data instead",
    check,
)
