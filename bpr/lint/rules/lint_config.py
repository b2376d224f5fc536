"""lint-config: a lint setting of the file that is wrong or incomplete."""

from __future__ import annotations

from collections.abc import Iterator

from bpr.errors import did_you_mean
from bpr.lint.context import LintContext, Rule, clean
from bpr.lint.findings import Finding

__all__ = ["RULE", "check"]


def check(ctx: LintContext) -> Iterator[Finding]:
    """An ignored rule id that no rule has, or a rule switched off without a reason."""
    ignored: dict[str, str] = ctx.model.lint.get("ignore", {})
    for rule, reason in ignored.items():
        line = ctx.item_line(("lint", "ignore"), rule)
        if rule not in ctx.rule_ids:
            yield ctx.finding(
                "lint-config",
                "info",
                f"lint.ignore names '{clean(rule)}', which is no rule"
                f"{did_you_mean(rule, list(ctx.rule_ids))}; 'bpr lint --rules' lists them",
                line=line,
            )
        elif not reason.strip():
            yield ctx.finding(
                "lint-config",
                "info",
                f"rule '{rule}' is switched off without a reason: write it as "
                f"{{rule: {rule}, reason: ...}} so that reviewers know why",
                line=line,
            )


RULE = Rule(
    "lint-config",
    "info",
    "a lint setting of the file that is wrong or incomplete, such as an ignored rule id that "
    "no rule has",
    check,
)
