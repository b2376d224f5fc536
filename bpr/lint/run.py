"""Running the lint rules on a model: :func:`lint` and :func:`lint_result`.

One :class:`~bpr.lint.context.LintContext` per run holds the flow analysis and the measures
that every rule of :data:`bpr.lint.rules.REGISTRY` shares.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bpr.core._gc import gc_paused
from bpr.core.i18n import domain, number
from bpr.core.model import Model
from bpr.lint.context import LintContext
from bpr.lint.findings import SEVERITIES, Finding
from bpr.lint.rules import REGISTRY, RULES

__all__ = [
    "DEFAULT_MIN_GAIN",
    "DEFAULT_REWORK_THRESHOLD",
    "LintResult",
    "SwitchedOff",
    "lint",
    "lint_result",
    "worth_reporting",
]

_, ngettext, _pgettext = domain("lint")

#: A loop back taken by at least this share of cases is reported by the rework rule.
DEFAULT_REWORK_THRESHOLD = 0.2

#: A measured gain smaller than this share of the model's own figure is not reported.
DEFAULT_MIN_GAIN = 0.01

# What a gain must cut to be reported: a count (one visit, certificate, step or document less
# is worth saying), or this share of the model's own figure of a time or a cost.
_COUNTS = ("visits", "certificates", "steps", "documents", "documents_from_applicant")
_SHARES = ("lead_time_days", "applicant_hours", "work_hours", "burden")


def worth_reporting(
    gain: Mapping[str, float] | None, before: Mapping[str, Any], min_gain: float
) -> bool:
    """Whether a finding's gain is big enough to report.

    A finding with no measured gain (a model inconsistency) always is. A gain is reported
    where it removes a visit, a certificate, a step or a document, or moves the lead time, the
    applicant's hours, the work of all actors or the applicant's cost (``burden``: time and
    payments) by at least ``min_gain`` of the model's own figure (0.01: 1%); a change that
    makes a figure worse is reported by the same measure, so that it is not hidden.

    >>> worth_reporting({"lead_time_days": -0.01}, {"lead_time_days": 20}, 0.01)
    False
    >>> worth_reporting({"lead_time_days": -0.5}, {"lead_time_days": 20}, 0.01)
    True
    >>> worth_reporting({"visits": -1}, {}, 0.5), worth_reporting(None, {}, 0.5)
    (True, True)
    """
    if gain is None:
        return True
    if any(gain.get(key, 0) < 0 for key in _COUNTS):
        return True
    for key in _SHARES:
        own = before.get(key)
        change = gain.get(key, 0)
        if change and own and abs(change) >= min_gain * abs(own) - 1e-12:
            return True
    return False


def lint(
    model: Model,
    *,
    rework_threshold: float = DEFAULT_REWORK_THRESHOLD,
    min_gain: float = DEFAULT_MIN_GAIN,
    apply_ignore: bool = True,
) -> list[Finding]:
    """Every finding of every rule on a model, in the order of their lines in the file.

    Rules that the file switches off (``lint: {ignore: [rule-id]}``) are left out unless
    ``apply_ignore`` is False. ``rework_threshold`` is the share of cases (above 0, at most 1)
    from which a loop back counts as rework; findings whose gain is below ``min_gain`` (a
    share, 0 to 1, see :func:`worth_reporting`) are left out.

    >>> import bpr
    >>> model = bpr.loads(
    ...     "bpr: 1\\nservice: s\\nvariant: as-is\\nacts: {law: {title: Law}}\\nbasis: [law]\\n"
    ...     "actors: {me: {name: Me, kind: applicant}, desk: {name: Desk}}\\n"
    ...     "steps:\\n"
    ...     "  - {id: apply, actor: desk, channel: in-person, work: 1h}\\n"
    ...     "  - {id: collect, actor: desk, channel: in-person, work: 30m}\\n"
    ... )
    >>> [(f.rule, f.steps, f.gain) for f in lint(model)]
    [('repeated-contact', ('apply', 'collect'), {'visits': -1, 'applicant_hours': -0.5})]
    """
    return _run(_context(model, rework_threshold, min_gain), apply_ignore)[0]


def _context(model: Model, rework_threshold: float, min_gain: float) -> LintContext:
    if not 0 < rework_threshold <= 1:
        raise ValueError(
            _("the rework threshold is a share of cases above 0 and at most 1, not {n}").format(
                n=number(rework_threshold)
            )
        )
    if not 0 <= min_gain <= 1:
        raise ValueError(
            _("the minimum gain is a share from 0 to 1, not {n}").format(n=number(min_gain))
        )
    return LintContext(model, rework_threshold, RULES, min_gain)


def _run(context: LintContext, apply_ignore: bool) -> tuple[list[Finding], list[Finding]]:
    """The findings worth reporting, and those whose gain is below the minimum (errors, such
    as a maturity stage the channels contradict, are reported whatever their gain)."""
    with gc_paused():  # many small objects and no cycles, as in loading and measuring
        found = [finding for rule in REGISTRY for finding in rule.check(context)]
        before = context.gains.before
    kept = {
        id(f)
        for f in found
        if f.severity == "error" or worth_reporting(f.gain, before, context.min_gain)
    }
    small = [f for f in found if id(f) not in kept]
    found = [f for f in found if id(f) in kept]
    if apply_ignore:
        ignored = context.model.lint.get("ignore", {})
        found = [f for f in found if f.rule not in ignored]
    order = {rule.id: i for i, rule in enumerate(REGISTRY)}
    found.sort(key=lambda f: (f.line, order.get(f.rule, len(order)), f.steps, f.documents))
    return found, small


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
    #: Findings left out because their gain is below the minimum gain.
    below_min_gain: tuple[Finding, ...] = ()
    #: The minimum gain the findings were held to (a share of the model's own figures).
    min_gain: float = DEFAULT_MIN_GAIN

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
            "min_gain": self.min_gain,
            "below_min_gain": len(self.below_min_gain),
        }


def lint_result(
    model: Model,
    *,
    rework_threshold: float = DEFAULT_REWORK_THRESHOLD,
    min_gain: float = DEFAULT_MIN_GAIN,
) -> LintResult:
    """Lint a model and account for the rules its file switches off.

    >>> import bpr
    >>> model = bpr.loads(
    ...     "bpr: 1\\nservice: s\\nvariant: as-is\\nlint: {ignore: [{rule: repeated-contact, "
    ...     "reason: one desk by law}]}\\nacts: {law: {title: Law}}\\nbasis: [law]\\n"
    ...     "actors: {desk: {name: Desk}}\\nsteps:\\n"
    ...     "  - {id: apply, actor: desk, channel: in-person}\\n"
    ...     "  - {id: collect, actor: desk, channel: in-person}\\n"
    ... )
    >>> result = lint_result(model)
    >>> result.findings, result.switched_off[0].hidden, result.switched_off[0].reason
    ((), 1, 'one desk by law')
    """
    context = _context(model, rework_threshold, min_gain)
    everything, small = _run(context, apply_ignore=False)
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
    below = tuple(f for f in small if f.rule not in ignored)
    return LintResult(model, shown, switched, below, min_gain)
