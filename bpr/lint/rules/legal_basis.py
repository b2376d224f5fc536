"""legal-basis: an As-Is that records no legal basis for the service."""

from __future__ import annotations

from collections.abc import Iterator

from bpr.comparison.acts import citations
from bpr.lint.context import LintContext, Rule
from bpr.lint.findings import Finding

__all__ = ["RULE", "check"]


def check(ctx: LintContext) -> Iterator[Finding]:
    """An As-Is without a top-level ``basis``: the provisions that establish the service."""
    model = ctx.model
    if model.variant != "as-is" or citations(model):
        return
    cited = any(citations(s) for s in model.steps) or any(
        citations(d) for d in model.documents.values()
    )
    also = "; its steps and documents cite provisions, but not the service itself" if cited else ""
    yield ctx.finding(
        "legal-basis",
        "info",
        "the file records no legal basis for the service"
        f"{also}: add 'basis' (the act and article that establish the service) and the "
        "'acts' it cites, and the basis of the steps and documents a provision imposes, so "
        "that bpr diff can name the provisions a redesign must amend",
        line=model.locate("service")[0],
    )


RULE = Rule(
    "legal-basis",
    "info",
    "an As-Is that records no legal basis (basis) for the service: record the provisions, so "
    "that a redesign can name the acts to amend",
    check,
)
