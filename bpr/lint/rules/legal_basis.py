"""legal-basis: an As-Is that records no legal basis for the service."""

from __future__ import annotations

from collections.abc import Iterator

from bpr.comparison.acts import citations
from bpr.core.i18n import N_, domain
from bpr.lint.context import LintContext, Rule
from bpr.lint.findings import Finding

__all__ = ["RULE", "check"]

_, ngettext, _pgettext = domain("lint")


def check(ctx: LintContext) -> Iterator[Finding]:
    """An As-Is without a top-level ``basis``: the provisions that establish the service."""
    model = ctx.model
    if model.variant != "as-is" or citations(model):
        return
    cited = any(citations(s) for s in model.steps) or any(
        citations(d) for d in model.documents.values()
    )
    if cited:
        message = _(
            "the file records no legal basis for the service; its steps and documents cite "
            "provisions, but not the service itself: add 'basis' (the act and article that "
            "establish the service) and the 'acts' it cites, and the basis of the steps and "
            "documents a provision imposes, so that bpr diff can name the provisions a redesign "
            "must amend"
        )
    else:
        message = _(
            "the file records no legal basis for the service: add 'basis' (the act and article "
            "that establish the service) and the 'acts' it cites, and the basis of the steps "
            "and documents a provision imposes, so that bpr diff can name the provisions a "
            "redesign must amend"
        )
    yield ctx.finding(
        "legal-basis",
        "info",
        message,
        line=model.locate("service")[0],
    )


RULE = Rule(
    "legal-basis",
    "info",
    N_(
        "an As-Is that records no legal basis (basis) for the service: record the provisions, "
        "so that a redesign can name the acts to amend"
    ),
    check,
)
