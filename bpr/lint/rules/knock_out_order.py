"""knock-out-order: a check that can end the case runs after costly steps."""

from __future__ import annotations

from collections.abc import Iterator

from bpr.core.i18n import N_, domain
from bpr.core.model import END
from bpr.lint.context import LintContext, Rule, clean, percent, quote
from bpr.lint.edits import single_target
from bpr.lint.findings import Finding

__all__ = ["RULE", "check"]

_, ngettext, _pgettext = domain("lint")


def check(ctx: LintContext) -> Iterator[Finding]:
    """A choice that ends some cases, after a chain of steps it does not depend on."""
    model = ctx.model
    for decision in model.steps:
        if decision.next.kind != "choice" or decision.join is not None:
            continue
        if ctx.in_loop(decision.id):
            continue
        ending = [b for b in decision.next.branches if b.to == END and b.p > 0]
        going = [b for b in decision.next.branches if b.to != END and b.p > 0]
        if not ending or not going:
            continue
        chain: list[str] = []
        current = decision.id
        while len(ctx.preds[current]) == 1:
            before = model.step(ctx.preds[current][0])
            if single_target(before) != current or before.join is not None:
                break
            if before.id == decision.id or ctx.in_loop(before.id):
                break
            chain.insert(0, before.id)
            current = before.id
        for start in range(len(chain)):
            change = ctx.gains.check_first(decision.id, chain[start:])
            if change is None:
                continue
            if not any(
                change.gain.get(k, 0) < 0 for k in ("burden", "lead_time_days", "work_hours")
            ):
                continue
            rejected = sum(b.p for b in ending)
            labels = [clean(b.when) for b in ending if b.when]
            moved = chain[start:]
            names = {"step": decision.id, "share": percent(rejected), "steps": quote(moved)}
            if labels:
                message = _(
                    "'{step}' ends {share} of cases ({when}) but runs after {steps}, which it "
                    "does not depend on: check first, so that the cases it ends skip them"
                ).format(when=", ".join(labels), **names)
            else:
                message = _(
                    "'{step}' ends {share} of cases but runs after {steps}, which it does not "
                    "depend on: check first, so that the cases it ends skip them"
                ).format(**names)
            yield ctx.finding(
                "knock-out-order",
                "warning",
                message,
                steps=[decision.id, *moved],
                line=ctx.step_line(decision.id),
                change=change,
            )
            break


RULE = Rule(
    "knock-out-order",
    "warning",
    N_("a check that can reject the case runs after costly steps it does not depend on"),
    check,
)
