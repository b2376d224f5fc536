"""What the document rules share: the papers an applicant carries to a step of staff.

:func:`carried` finds each document that a step of staff needs and the applicant brings (not
exchanged), with who issues it and where the process itself makes it. The rules built on it
differ in what they advise, by the document's kind (:func:`bpr.comparison.words.document_kind`):
a certificate is pulled from the issuer's registry (``once-only``), a payment receipt is
replaced by a check of the payment itself (``payment-proof``), a physical item such as a seal
is a requirement to abolish (``physical-item``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from bpr.comparison.words import document_kind
from bpr.core.model import Actor, Document, Step
from bpr.core.vocab import Severity
from bpr.lint.context import LintContext
from bpr.lint.findings import Finding
from bpr.lint.incremental import Change

__all__ = ["Carried", "carried"]


@dataclass(frozen=True)
class Carried:
    """A document the applicant brings to steps of staff."""

    document: Document
    kind: str
    issuer: Actor | None
    users: tuple[Step, ...]  # the steps of staff that need it, in file order
    makers: tuple[str, ...]  # the steps that produce it (other than its users)
    own: bool  # every user belongs to the issuer (the same actor or agency)

    def finding(
        self,
        ctx: LintContext,
        rule: str,
        severity: Severity,
        message: str,
        change: Change | None,
    ) -> Finding:
        """A finding about this paper: at its document's line, naming the steps that need it
        and those that make it, with the gain of ``change``."""
        return ctx.finding(
            rule,
            severity,
            message,
            steps=[*(s.id for s in self.users), *self.makers],
            documents=[self.document.id],
            line=ctx.document_line(self.document.id),
            change=change,
        )


def carried(ctx: LintContext) -> Iterator[Carried]:
    """Each document a step of staff needs that the applicant supplies (no ``exchange``),
    in the order of the ``documents`` section; documents the applicant issues are left out."""
    model = ctx.model
    needing: dict[str, list[Step]] = {}
    for step in model.steps:
        if not ctx.actor(step).is_applicant:
            for need in dict.fromkeys(step.needs):
                needing.setdefault(need, []).append(step)
    producing = ctx.gains.makers
    for doc in model.documents.values():
        if doc.exchange:
            continue
        issuer = model.actors[doc.issuer] if doc.issuer is not None else None
        if issuer is not None and issuer.is_applicant:
            continue
        users = tuple(needing.get(doc.id, ()))
        if not users:
            continue
        makers = tuple(s.id for s in producing.get(doc.id, ()) if s not in users)
        own = issuer is not None and all(
            s.actor == issuer.id or (issuer.agency and ctx.actor(s).agency == issuer.agency)
            for s in users
        )
        yield Carried(doc, document_kind(doc), issuer, users, makers, bool(own))
