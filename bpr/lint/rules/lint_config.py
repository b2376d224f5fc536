"""lint-config: a lint setting of the file that is wrong or incomplete."""

from __future__ import annotations

from collections.abc import Iterator

from bpr.core.i18n import N_, domain
from bpr.errors import closest, did_you_mean
from bpr.lint.context import LintContext, Rule, clean
from bpr.lint.findings import Finding

__all__ = ["RULE", "check"]

_, ngettext, _pgettext = domain("lint")


def check(ctx: LintContext) -> Iterator[Finding]:
    """An ignored rule id that no rule has, or a rule switched off without a reason."""
    ignored: dict[str, str] = ctx.model.lint.get("ignore", {})
    for rule, reason in ignored.items():
        line = ctx.item_line(("lint", "ignore"), rule)
        if rule not in ctx.rule_ids:
            suggestion = closest(rule, ctx.rule_ids)
            if suggestion is not None:
                message = _(
                    "lint.ignore names '{rule}', which is no rule; did you mean '{suggestion}'?; "
                    "'bpr lint --rules' lists them"
                ).format(rule=clean(rule), suggestion=suggestion)
            elif ctx.rule_ids:
                message = _(
                    "lint.ignore names '{rule}', which is no rule; valid: {choices}; "
                    "'bpr lint --rules' lists them"
                ).format(
                    rule=clean(rule),
                    choices=did_you_mean(rule, list(ctx.rule_ids)).removeprefix("; valid: "),
                )
            else:
                message = _(
                    "lint.ignore names '{rule}', which is no rule; 'bpr lint --rules' lists them"
                ).format(rule=clean(rule))
            yield ctx.finding("lint-config", "info", message, line=line)
        elif not reason.strip():
            yield ctx.finding(
                "lint-config",
                "info",
                _(
                    "rule '{rule}' is switched off without a reason: write it as {entry} so "
                    "that reviewers know why"
                ).format(rule=rule, entry=f"{{rule: {rule}, reason: ...}}"),
                line=line,
            )


RULE = Rule(
    "lint-config",
    "info",
    N_(
        "a lint setting of the file that is wrong or incomplete, such as an ignored rule id "
        "that no rule has"
    ),
    check,
)
