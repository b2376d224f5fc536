"""sequential-independent: consecutive steps of different actors that could run side by side."""

from __future__ import annotations

from collections.abc import Iterator

from bpr.core.i18n import N_, domain
from bpr.core.model import END
from bpr.lint.context import LintContext, Rule, clean, quote
from bpr.lint.edits import single_target
from bpr.lint.findings import Finding

__all__ = ["RULE", "check"]

_, ngettext, _pgettext = domain("lint")


def check(ctx: LintContext) -> Iterator[Finding]:
    """A step that waits for the one before though it needs nothing that one produces."""
    model = ctx.model
    for first in model.steps:
        target = single_target(first)
        if target is None or target == END:
            continue
        second = model.step(target)
        if ctx.preds[second.id] != [first.id] or first.actor == second.actor:
            continue
        if set(first.produces) & set(second.needs):
            continue  # a document passes from the first to the second
        change = ctx.gains.parallel(first.id, second.id)
        if change is None:
            continue
        if change.gain.get("lead_time_days", 0) >= 0:
            continue
        # the advice says what the draft does (bpr.lint.edits.parallelise): where the first
        # already joins a split, the second becomes one more branch of it, before the first
        block = ctx.gains.joined.get(first.id)
        names = {
            "second": second.id,
            "second_actor": clean(ctx.actor(second).name),
            "first": first.id,
            "first_actor": clean(ctx.actor(first).name),
        }
        if block is None:
            message = _(
                "'{second}' ({second_actor}) waits for '{first}' ({first_actor}) but needs "
                "nothing it produces: run the two side by side in a parallel split"
            ).format(**names)
        else:
            message = _(
                "'{second}' ({second_actor}) waits for '{first}' ({first_actor}) but needs "
                "nothing it produces: run '{second}' as one more branch of the parallel split at "
                "'{split}', beside {beside}, so that it is done before '{first}' starts"
            ).format(
                split=block.split,
                beside=quote(start for start in block.branches if start != block.join),
                **names,
            )
        yield ctx.finding(
            "sequential-independent",
            "info",
            message,
            steps=[first.id, second.id],
            line=ctx.step_line(second.id),
            change=change,
        )


RULE = Rule(
    "sequential-independent",
    "info",
    N_(
        "consecutive steps of different actors with no document between them, which could run "
        "in a parallel split"
    ),
    check,
)
