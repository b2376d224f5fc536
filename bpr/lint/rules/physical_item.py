"""physical-item: the applicant must bring a physical item, such as a company seal."""

from __future__ import annotations

from collections.abc import Iterator

from bpr.comparison.acts import act_title, citations
from bpr.core.i18n import N_, domain
from bpr.lint.context import LintContext, Rule, clean, quote
from bpr.lint.findings import Finding
from bpr.lint.rules._carried import carried

__all__ = ["RULE", "check"]

_, ngettext, _pgettext = domain("lint")


def check(ctx: LintContext) -> Iterator[Finding]:
    """A document of kind ``object`` that a step of staff needs."""
    for paper in carried(ctx):
        if paper.kind != "object":
            continue
        doc = paper.document
        change = ctx.gains.exchange([doc.id]) if doc.issuer is not None else None
        law = [
            # TRANSLATORS: an act and its article, as in "Law on seals, art. 3"
            _("{act}, art. {article}").format(
                act=clean(act_title(ctx.model, act)), article=clean(article)
            )
            if article
            else clean(act_title(ctx.model, act))
            for act, article in citations(doc)
        ]
        names = {
            "document": clean(doc.name),
            "id": doc.id,
            "steps": quote(s.id for s in paper.users),
        }
        if law:
            # TRANSLATORS: counted by the steps {steps} names (Russian: на шаг, на шаги)
            message = ngettext(
                "the applicant must bring '{document}' ({id}), a physical item, to {steps}: no "
                "registry can carry it; abolish the requirement by amending the provision that "
                "imposes it ({provisions})",
                "the applicant must bring '{document}' ({id}), a physical item, to {steps}: no "
                "registry can carry it; abolish the requirement by amending the provision that "
                "imposes it ({provisions})",
                len(paper.users),
            ).format(provisions="; ".join(law), **names)
        else:
            # TRANSLATORS: counted by the steps {steps} names (Russian: на шаг, на шаги)
            message = ngettext(
                "the applicant must bring '{document}' ({id}), a physical item, to {steps}: no "
                "registry can carry it; abolish the requirement by amending the provision that "
                "imposes it",
                "the applicant must bring '{document}' ({id}), a physical item, to {steps}: no "
                "registry can carry it; abolish the requirement by amending the provision that "
                "imposes it",
                len(paper.users),
            ).format(**names)
        yield paper.finding(
            ctx,
            "physical-item",
            "warning",
            message,
            change,
        )


RULE = Rule(
    "physical-item",
    "warning",
    N_("a physical item (such as a seal) that the applicant must bring: abolish the requirement"),
    check,
)
