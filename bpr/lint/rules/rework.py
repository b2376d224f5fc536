"""rework: a loop back that many cases take."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bpr.core.i18n import N_, domain
from bpr.core.model import END
from bpr.lint.context import LintContext, Rule, clean, percent
from bpr.lint.findings import Finding

__all__ = ["CAPACITY_WORDS", "RULE", "check", "is_capacity_wait"]

_, ngettext, _pgettext = domain("lint")

#: Words of a branch's ``when`` label that mark a capacity wait: the case goes round again
#: because there is no place, slot or capacity this round (a kindergarten with no free place),
#: not because work was wrong. Such a loop is not rework.
CAPACITY_WORDS = (
    "capacity",
    "no place",
    "no places",
    "no free place",
    "no vacancy",
    "no vacancies",
    "no slot",
    "no slots",
    "queue",
    "waiting list",
    "fully booked",
)
_CAPACITY = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in CAPACITY_WORDS) + r")\b")


def is_capacity_wait(when: str | None) -> bool:
    """Whether a branch labelled ``when`` is a capacity wait (see :data:`CAPACITY_WORDS`).

    >>> is_capacity_wait("no place this round"), is_capacity_wait("Waiting list")
    (True, True)
    >>> is_capacity_wait("papers missing"), is_capacity_wait(None)
    (False, False)
    """
    return isinstance(when, str) and _CAPACITY.search(" ".join(when.lower().split())) is not None


def check(ctx: LintContext) -> Iterator[Finding]:
    """A branch of a choice that goes back to work already done, taken by at least the
    rework threshold's share of cases; a capacity wait (:func:`is_capacity_wait`) is not."""
    model = ctx.model
    for step in model.steps:
        if step.next.kind != "choice":
            continue
        loop = ctx.component.get(step.id, frozenset())
        for index, branch in enumerate(step.next.branches):
            if branch.to == END or branch.to not in loop or branch.p <= 0:
                continue
            if not ctx.leads_back(branch.to, step.id):
                continue  # on into the loop's own path, not back
            if branch.p < ctx.rework_threshold - 1e-12:
                continue
            if is_capacity_wait(branch.when):
                continue  # waiting for a place is no error to prevent at submission
            members = sorted(loop, key=lambda s: model.step(s).index)
            again = [m for m in members if m not in (step.id, branch.to)]
            names = {
                "share": percent(branch.p),
                "step": step.id,
                "back": branch.to,
                "n": len(members),
            }
            if branch.when:
                message = ngettext(
                    "{share} of cases go back from '{step}' to '{back}' ({when}) and run {n} "
                    "step again: remove the cause of the returns, such as with a completeness "
                    "check at submission or a pre-filled form; the gain assumes no case returns",
                    "{share} of cases go back from '{step}' to '{back}' ({when}) and run {n} "
                    "steps again: remove the cause of the returns, such as with a completeness "
                    "check at submission or a pre-filled form; the gain assumes no case returns",
                    len(members),
                ).format(when=clean(branch.when), **names)
            else:
                message = ngettext(
                    "{share} of cases go back from '{step}' to '{back}' and run {n} step again: "
                    "remove the cause of the returns, such as with a completeness check at "
                    "submission or a pre-filled form; the gain assumes no case returns",
                    "{share} of cases go back from '{step}' to '{back}' and run {n} steps again: "
                    "remove the cause of the returns, such as with a completeness check at "
                    "submission or a pre-filled form; the gain assumes no case returns",
                    len(members),
                ).format(**names)
            yield ctx.finding(
                "rework",
                "warning",
                message,
                steps=[step.id, branch.to, *again],
                line=ctx.model.locate("steps", step.index, "next", index)[0],
                change=ctx.gains.rework(step.id, index),
            )


RULE = Rule(
    "rework",
    "warning",
    N_("a loop back that many cases take: check completeness at submission or pre-fill the form"),
    check,
)
