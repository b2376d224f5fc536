"""Running the lint rules on a model: :func:`lint` and :func:`lint_result`.

One :class:`~bpr.lint.context.LintContext` per run holds the flow analysis and the measures
that every rule of :data:`bpr.lint.rules.REGISTRY` shares.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bpr.core.model import Model
from bpr.lint.context import LintContext
from bpr.lint.findings import SEVERITIES, Finding
from bpr.lint.rules import REGISTRY, RULES

__all__ = ["DEFAULT_REWORK_THRESHOLD", "LintResult", "SwitchedOff", "lint", "lint_result"]

#: A loop back taken by at least this share of cases is reported by the rework rule.
DEFAULT_REWORK_THRESHOLD = 0.2


def lint(
    model: Model,
    *,
    rework_threshold: float = DEFAULT_REWORK_THRESHOLD,
    apply_ignore: bool = True,
) -> list[Finding]:
    """Every finding of every rule on a model, in the order of their lines in the file.

    Rules that the file switches off (``lint: {ignore: [rule-id]}``) are left out unless
    ``apply_ignore`` is False. ``rework_threshold`` is the share of cases (above 0, at most 1)
    from which a loop back counts as rework.

    >>> import bpr
    >>> model = bpr.loads(
    ...     "bpr: 1\\nservice: s\\nvariant: as-is\\n"
    ...     "actors: {me: {name: Me, kind: applicant}, desk: {name: Desk}}\\n"
    ...     "steps:\\n"
    ...     "  - {id: apply, actor: desk, channel: in-person, work: 1h}\\n"
    ...     "  - {id: collect, actor: desk, channel: in-person, work: 30m}\\n"
    ... )
    >>> [(f.rule, f.steps, f.gain) for f in lint(model)]
    [('repeated-contact', ('apply', 'collect'), {'visits': -1, 'applicant_hours': -0.5})]
    """
    return _run(_context(model, rework_threshold), apply_ignore)


def _context(model: Model, rework_threshold: float) -> LintContext:
    if not 0 < rework_threshold <= 1:
        raise ValueError(
            "the rework threshold is a share of cases above 0 and at most 1, "
            f"not {rework_threshold}"
        )
    return LintContext(model, rework_threshold, RULES)


def _run(context: LintContext, apply_ignore: bool) -> list[Finding]:
    found = [finding for rule in REGISTRY for finding in rule.check(context)]
    if apply_ignore:
        ignored = context.model.lint.get("ignore", {})
        found = [f for f in found if f.rule not in ignored]
    order = {rule.id: i for i, rule in enumerate(REGISTRY)}
    found.sort(key=lambda f: (f.line, order.get(f.rule, len(order)), f.steps, f.documents))
    return found


@dataclass(frozen=True)
class SwitchedOff:
    """A rule that the file switches off, why, and how many findings it hides."""

    rule: str
    reason: str
    line: int
    hidden: int


@dataclass(frozen=True)
class LintResult:
    """The findings on one model and the rules its file switches off."""

    model: Model
    findings: tuple[Finding, ...]
    switched_off: tuple[SwitchedOff, ...]

    def counts(self) -> dict[str, int]:
        """The number of findings of each severity."""
        return {s: sum(1 for f in self.findings if f.severity == s) for s in SEVERITIES}

    def fails(self, severity: str = "info") -> bool:
        """Whether a finding is at least as serious as ``severity``."""
        return any(f.is_at_least(severity) for f in self.findings)

    def as_dict(self) -> dict[str, Any]:
        """The object ``bpr lint --json`` prints for one file."""
        return {
            "file": self.model.file,
            "service": self.model.service,
            "variant": self.model.variant,
            "counts": self.counts(),
            "findings": [f.as_dict() for f in self.findings],
            "switched_off": [
                {"rule": s.rule, "reason": s.reason, "line": s.line, "hidden": s.hidden}
                for s in self.switched_off
            ],
        }


def lint_result(model: Model, *, rework_threshold: float = DEFAULT_REWORK_THRESHOLD) -> LintResult:
    """Lint a model and account for the rules its file switches off.

    >>> import bpr
    >>> model = bpr.loads(
    ...     "bpr: 1\\nservice: s\\nvariant: as-is\\nlint: {ignore: [{rule: repeated-contact, "
    ...     "reason: one desk by law}]}\\nactors: {desk: {name: Desk}}\\nsteps:\\n"
    ...     "  - {id: apply, actor: desk, channel: in-person}\\n"
    ...     "  - {id: collect, actor: desk, channel: in-person}\\n"
    ... )
    >>> result = lint_result(model)
    >>> result.findings, result.switched_off[0].hidden, result.switched_off[0].reason
    ((), 1, 'one desk by law')
    """
    context = _context(model, rework_threshold)
    everything = _run(context, apply_ignore=False)
    ignored: dict[str, str] = model.lint.get("ignore", {})
    switched = tuple(
        SwitchedOff(
            rule,
            reason,
            context.item_line(("lint", "ignore"), rule),
            sum(1 for f in everything if f.rule == rule),
        )
        for rule, reason in ignored.items()
        if rule in RULES
    )
    shown = tuple(f for f in everything if f.rule not in ignored)
    return LintResult(model, shown, switched)
