"""sequential-independent: consecutive steps of different actors that could run side by side."""

from __future__ import annotations

from collections.abc import Iterator

from bpr.core.model import END
from bpr.lint.context import LintContext, Rule, clean, quote
from bpr.lint.edits import gain, parallelise, single_target
from bpr.lint.findings import Finding

__all__ = ["RULE", "check"]


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
        edit = parallelise(model, first.id, second.id)
        if edit is None:
            continue
        change = gain(model, edit.model)
        if change.get("lead_time_days", 0) >= 0:
            continue
        # the advice says what the draft does (bpr.lint.edits.parallelise): where the first
        # already joins a split, the second becomes one more branch of it, before the first
        block = next((b for b in ctx.analysis.blocks if b.join == first.id), None)
        if block is None:
            advice = "run the two side by side in a parallel split"
        else:
            beside = quote(start for start in block.branches if start != block.join)
            advice = (
                f"run '{second.id}' as one more branch of the parallel split at "
                f"'{block.split}', beside {beside}, so that it is done before '{first.id}' "
                "starts"
            )
        yield ctx.finding(
            "sequential-independent",
            "info",
            f"'{second.id}' ({clean(ctx.actor(second).name)}) waits for '{first.id}' "
            f"({clean(ctx.actor(first).name)}) but needs nothing it produces: {advice}",
            steps=[first.id, second.id],
            line=ctx.step_line(second.id),
            edit=edit,
        )


RULE = Rule(
    "sequential-independent",
    "info",
    "consecutive steps of different actors with no document between them, which could run "
    "in a parallel split",
    check,
)
