"""What bpr lint reports: findings, their severities (from the most to the least serious,
:data:`bpr.core.vocab.SEVERITIES`), and how findings and gains read as text. The rules
themselves are in :mod:`bpr.lint.rules`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bpr.core.vocab import SEVERITIES, Severity

__all__ = [
    "SAFE_RULES",
    "SEVERITIES",
    "Finding",
    "format_finding",
    "format_gain",
]

#: The rules whose suggestion ``bpr lint --fix-draft`` applies to the draft To-Be.
SAFE_RULES = ("once-only", "sequential-independent")

# The measures the one-line gain shows, in this order, with their unit.
_GAIN_TEXT: tuple[tuple[str, str], ...] = (
    ("visits", "visit"),
    ("certificates", "certificate"),
    ("handoffs", "handoff"),
    ("steps", "step"),
    ("applicant_hours", "h"),
    ("lead_time_days", "d"),
    ("fees", "fees"),
    ("burden", "/case"),
    ("annual_burden", "/year"),
)
_COUNTED = {"visit", "certificate", "handoff", "step"}


@dataclass(frozen=True)
class Finding:
    """One redesign opportunity (or model inconsistency) that a rule found.

    ``line`` is where the finding points in the model's file (0 where unknown); ``locations``
    holds ``(kind, id, line)`` for every step and document concerned. ``gain`` is the change of
    each measure (To-Be minus As-Is, only those that change) on the model with the suggestion
    applied, or None where the suggestion cannot be simulated.

    >>> f = Finding("rework", "warning", "20% of cases go back", ("check",), line=12,
    ...             gain={"lead_time_days": -1.5})
    >>> f.as_dict()["gain"], f.is_at_least("warning"), f.is_at_least("error")
    ({'lead_time_days': -1.5}, True, False)
    """

    rule: str
    severity: Severity
    message: str
    steps: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    line: int = 0
    gain: dict[str, float] | None = field(default=None, hash=False)
    locations: tuple[tuple[str, str, int], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The finding as ``bpr lint --json`` prints it."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "steps": list(self.steps),
            "documents": list(self.documents),
            "line": self.line,
            "gain": None if self.gain is None else dict(self.gain),
            "locations": [
                {"kind": kind, "id": ident, "line": line} for kind, ident, line in self.locations
            ],
        }

    def is_at_least(self, severity: str) -> bool:
        """Whether the finding is as serious as ``severity`` or more."""
        return SEVERITIES.index(self.severity) <= SEVERITIES.index(severity)


def format_gain(gain: Mapping[str, float] | None, currency: str | None = None) -> str:
    """The gain in a few words: visits, certificates, applicant hours, days, fees, burden.

    Fees are shown apart only where they change; the burden per case includes them.

    >>> format_gain({"visits": -1, "applicant_hours": -2.5, "lead_time_days": -3,
    ...              "burden": -40000, "annual_burden": -4e9}, "UZS")
    '-1 visit, -2.5 h, -3 d, -40,000 UZS/case, -4,000,000,000 UZS/year'
    >>> format_gain({"fees": -50, "burden": -50})
    '-50 in fees, -50 per case'
    >>> format_gain({"work_hours": -0.5}), format_gain({}), format_gain(None)
    ('-0.5 h of work', 'no measurable change', '')
    """
    if gain is None:
        return ""
    currency = " ".join(currency.split()) if currency else None  # the gain stays on one line
    parts = []
    for key, unit in _GAIN_TEXT:
        value = gain.get(key)
        if not value:
            continue
        if unit == "fees":
            parts.append(f"{_signed(value)} {currency + ' ' if currency else ''}in fees")
        elif unit.startswith("/"):
            parts.append(f"{_signed(value)} {currency + unit if currency else 'per ' + unit[1:]}")
        elif unit in _COUNTED:
            plural = "" if abs(value) == 1 else "s"
            parts.append(f"{_signed(value)} {unit}{plural}")
        else:
            parts.append(f"{_signed(value)} {unit}")
    if not parts and gain.get("work_hours"):
        parts.append(f"{_signed(gain['work_hours'])} h of work")
    if not parts and any(gain.values()):
        parts = [f"{_signed(v)} {k}" for k, v in gain.items() if v]
    return ", ".join(parts) if parts else "no measurable change"


def format_finding(finding: Finding, file: str, currency: str | None = None) -> str:
    """One line of ``bpr lint``: ``FILE:LINE: rule-id: message (gain: ...)``.

    >>> print(format_finding(Finding("rework", "warning", "loop", line=7, gain={"visits": -1}),
    ...                      "a.yaml"))
    a.yaml:7: rework: loop (gain: -1 visit)
    """
    where = f"{file}:{finding.line}" if finding.line else file
    text = f"{where}: {finding.rule}: {finding.message}"
    if finding.gain is not None:
        text += f" (gain: {format_gain(finding.gain, currency)})"
    return text


def _signed(value: float) -> str:
    """A change with its sign and a precision that suits its size."""
    size = abs(value)
    if size >= 100:
        body = f"{size:,.0f}"
    elif size >= 0.01:
        body = f"{size:.2f}".rstrip("0").rstrip(".")
    else:
        body = f"{size:.2g}"
    return ("-" if value < 0 else "+") + body
