"""The lines ``bpr lint`` prints around its findings, in the output language: the rule list,
the rules a file switches off, the closing summary and the note on a written draft.

>>> from bpr.lint.lines import summary
>>> summary([])
'no findings in 0 files'
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from bpr.core.i18n import domain, number
from bpr.lint.draft import Draft
from bpr.lint.findings import SAFE_RULES, SEVERITIES, format_finding
from bpr.lint.rules import RULES
from bpr.lint.run import LintResult

__all__ = ["describe", "draft_note", "result_lines", "rule_lines", "summary"]

_, ngettext, _pgettext = domain("lint")


def describe(rule: str) -> str:
    """What a rule looks for, in the output language (:data:`bpr.lint.rules.RULES` holds the
    English that ``bpr lint --rules --json`` prints).

    >>> describe("rework")
    'a loop back that many cases take: check completeness at submission or pre-fill the form'
    """
    return _(RULES[rule])


def rule_lines() -> list[str]:
    """``bpr lint --rules``: each rule id, what it looks for, and whether the draft applies it."""
    width = max(len(rule) for rule in RULES)
    lines = []
    for rule in RULES:
        mark = "  " + _("(--fix-draft applies it)") if rule in SAFE_RULES else ""
        lines.append(f"{rule.ljust(width)}  {describe(rule)}{mark}")
    return lines


def result_lines(result: LintResult) -> Iterator[str]:
    """The findings of one file, one line each, then each rule the file switches off with the
    number of findings it hides and why (model text as it is: the caller makes it safe)."""
    model = result.model
    for finding in result.findings:
        yield format_finding(finding, model.file, model.currency)
    for off in result.switched_off:
        where = f"{model.file}:{off.line}" if off.line else model.file
        reason = off.reason or _("no reason given")
        yield ngettext(
            "{where}: {rule} switched off ({n} finding not shown): {reason}",
            "{where}: {rule} switched off ({n} findings not shown): {reason}",
            off.hidden,
        ).format(where=where, rule=off.rule, n=off.hidden, reason=reason)


def _severity_count(severity: str, n: int) -> str:
    if severity == "error":
        return ngettext("{n} error", "{n} errors", n).format(n=n)
    if severity == "warning":
        return ngettext("{n} warning", "{n} warnings", n).format(n=n)
    # TRANSLATORS: findings of severity info ("4 info"); English does not inflect it
    return ngettext("{n} info", "{n} info", n).format(n=n)


def summary(results: Sequence[LintResult]) -> str:
    """The last line of ``bpr lint``: the findings by severity, the files, and the smaller
    gains left out.

    >>> from bpr.core.i18n import use
    >>> with use("ru"):
    ...     summary([])
    'нет замечаний в 0 файлах'
    """
    files = ngettext("in {n} file", "in {n} files", len(results)).format(n=len(results))
    counts = {s: sum(r.counts()[s] for r in results) for s in SEVERITIES}
    total = sum(counts.values())
    small = sum(len(r.below_min_gain) for r in results)
    below = ""
    if small:
        # TRANSLATORS: {share} is a percentage such as "1%"
        below = ngettext(
            "; {n} smaller gain (below {share} of the model's figures) not shown, see --min-gain",
            "; {n} smaller gains (below {share} of the model's figures) not shown, see --min-gain",
            small,
        ).format(n=small, share=_share(results[0].min_gain))
    if not total:
        return _("no findings {files}{below}").format(files=files, below=below)
    parts = ", ".join(_severity_count(s, counts[s]) for s in SEVERITIES if counts[s])
    # TRANSLATORS: "13 findings (2 errors, 7 warnings, 4 info) in 11 files"; {files} is
    # "in 11 files"; {below} is empty or "; 2 smaller gains (...) not shown, see --min-gain"
    return ngettext(
        "{n} finding ({counts}) {files}{below}",
        "{n} findings ({counts}) {files}{below}",
        total,
    ).format(n=total, counts=parts, files=files, below=below)


def _share(min_gain: float) -> str:
    # TRANSLATORS: a percentage; Russian writes a no-break space before the sign
    return _("{n}%").format(n=number(min_gain * 100, "g"))


def draft_note(draft: Draft, output: str) -> str:
    """The line that says where the draft To-Be went and what it applied."""
    applied = ngettext("{n} suggestion applied", "{n} suggestions applied", len(draft.applied))
    left = ngettext("{n} left to the analyst", "{n} left to the analyst", len(draft.skipped))
    # TRANSLATORS: {applied} is "2 suggestions applied", {left} "3 left to the analyst"
    note = _("draft To-Be written to {path}: {applied}, {left}; review its 'lint:' comments")
    return note.format(
        path=output,
        applied=applied.format(n=len(draft.applied)),
        left=left.format(n=len(draft.skipped)),
    )
