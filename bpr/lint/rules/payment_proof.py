"""payment-proof: the applicant brings the receipt of a payment to a step of staff."""

from __future__ import annotations

from collections.abc import Iterator

from bpr.core.i18n import N_, domain
from bpr.lint.context import LintContext, Rule, clean, quote
from bpr.lint.findings import Finding
from bpr.lint.rules._carried import carried

__all__ = ["RULE", "check"]

_, ngettext, _pgettext = domain("lint")


def check(ctx: LintContext) -> Iterator[Finding]:
    """A document of kind ``receipt`` that a step of staff needs and the applicant brings."""
    for paper in carried(ctx):
        if paper.kind != "receipt":
            continue
        doc = paper.document
        change = ctx.gains.exchange([doc.id]) if doc.issuer is not None else None
        yield paper.finding(
            ctx,
            "payment-proof",
            "warning",
            # TRANSLATORS: counted by the steps {steps} names (Russian: на шаг, на шаги)
            ngettext(
                "the applicant must bring '{document}' ({id}), the proof of a payment, to "
                "{steps}: verify the payment itself through the payment system or the treasury "
                "instead, so that nobody carries a receipt",
                "the applicant must bring '{document}' ({id}), the proof of a payment, to "
                "{steps}: verify the payment itself through the payment system or the treasury "
                "instead, so that nobody carries a receipt",
                len(paper.users),
            ).format(document=clean(doc.name), id=doc.id, steps=quote(s.id for s in paper.users)),
            change,
        )


RULE = Rule(
    "payment-proof",
    "warning",
    N_(
        "a payment receipt that the applicant brings: verify the payment through the payment "
        "system or the treasury instead"
    ),
    check,
)
