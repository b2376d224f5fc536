"""What bpr lint reports: findings, their severities (from the most to the least serious,
:data:`bpr.core.vocab.SEVERITIES`), and how findings and gains read as text. The rules
themselves are in :mod:`bpr.lint.rules`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bpr.core.i18n import N_, domain, numeral
from bpr.core.vocab import SEVERITIES, Severity

__all__ = [
    "SAFE_RULES",
    "SEVERITIES",
    "Finding",
    "format_finding",
    "format_gain",
    "plural_count",
]

#: The rules whose suggestion ``bpr lint --fix-draft`` applies to the draft To-Be.
SAFE_RULES = ("once-only", "sequential-independent")

_, ngettext, _pgettext = domain("lint")

# The measures the one-line gain shows, in this order: the counts (see _counted), the units of
# time, then money per case and per year.
_COUNTED = ("visits", "certificates", "handoffs", "steps")
_TIMES: tuple[tuple[str, str], ...] = (
    # TRANSLATORS: hours of the applicant's time, abbreviated as in "-0.5 h"
    ("applicant_hours", N_("{n} h")),
    # TRANSLATORS: calendar days of lead time, abbreviated as in "-3 d"
    ("lead_time_days", N_("{n} d")),
)


@dataclass(frozen=True)
class Finding:
    """One redesign opportunity (or model inconsistency) that a rule found.

    ``line`` is where the finding points in the model's file (0 where unknown); ``locations``
    holds ``(kind, id, line)`` for every step and document concerned. ``gain`` is the change of
    each measure (To-Be minus As-Is, only those that change) on the model with the suggestion
    applied, or None where the suggestion cannot be simulated. ``message`` is written in the
    output language in force when the rule ran (:func:`bpr.core.i18n.use`); ``rule``,
    ``severity`` and the ids stay as they are in every language.

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
    for key in _COUNTED:
        value = gain.get(key)
        if value:
            parts.append(_counted(key, plural_count(value)).format(n=_signed(value)))
    for key, template in _TIMES:
        value = gain.get(key)
        if value:
            parts.append(_(template).format(n=_signed(value)))
    if gain.get("fees"):
        n = _signed(gain["fees"])
        if currency:
            parts.append(_("{n} {currency} in fees").format(n=n, currency=currency))
        else:
            parts.append(_("{n} in fees").format(n=n))
    if gain.get("burden"):
        n = _signed(gain["burden"])
        if currency:
            # TRANSLATORS: money per case, as in "-6,000 UZS/case"; {currency} is its ISO code
            parts.append(_("{n} {currency}/case").format(n=n, currency=currency))
        else:
            parts.append(_("{n} per case").format(n=n))
    if gain.get("annual_burden"):
        n = _signed(gain["annual_burden"])
        if currency:
            # TRANSLATORS: money per year, as in "-720,000,000 UZS/year"
            parts.append(_("{n} {currency}/year").format(n=n, currency=currency))
        else:
            parts.append(_("{n} per year").format(n=n))
    if not parts and gain.get("work_hours"):
        parts.append(_("{n} h of work").format(n=_signed(gain["work_hours"])))
    if not parts and any(gain.values()):
        # a measure with no words of its own is named by its JSON key
        parts = [f"{_signed(v)} {k}" for k, v in gain.items() if v]
    return ", ".join(parts) if parts else _("no measurable change")


def _counted(key: str, n: int) -> str:
    """The template of a change of count ``key`` by ``n`` (``{n} visits``)."""
    if key == "visits":
        return ngettext("{n} visit", "{n} visits", n)
    if key == "certificates":
        return ngettext("{n} certificate", "{n} certificates", n)
    if key == "handoffs":
        return ngettext("{n} handoff", "{n} handoffs", n)
    return ngettext("{n} step", "{n} steps", n)


def format_finding(finding: Finding, file: str, currency: str | None = None) -> str:
    """One line of ``bpr lint``: ``FILE:LINE: rule-id: message (gain: ...)``.

    >>> print(format_finding(Finding("rework", "warning", "loop", line=7, gain={"visits": -1}),
    ...                      "a.yaml"))
    a.yaml:7: rework: loop (gain: -1 visit)
    """
    where = f"{file}:{finding.line}" if finding.line else file
    text = f"{where}: {finding.rule}: {finding.message}"
    if finding.gain is not None:
        # TRANSLATORS: {finding} is "FILE:LINE: rule-id: message"; the gain is what it saves
        text = _("{finding} (gain: {gain})").format(
            finding=text, gain=format_gain(finding.gain, currency)
        )
    return text


def plural_count(value: float) -> int:
    """The count that picks a plural form for ``value``: the number itself where it is whole,
    else 2, which takes the form a fraction takes (English "0.5 visits", Russian "0,5 визита",
    the genitive singular).

    >>> plural_count(1), plural_count(-3.0), plural_count(0.5)
    (1, 3, 2)
    """
    size = abs(value)
    whole = round(size)
    return int(whole) if abs(size - whole) < 1e-9 * max(1.0, size) else 2


def _signed(value: float) -> str:
    """A change with its sign and a precision that suits its size."""
    size = abs(value)
    if size >= 100:
        body = f"{size:,.0f}"
    elif size >= 0.01:
        body = f"{size:.2f}".rstrip("0").rstrip(".")
    else:
        body = f"{size:.2g}"
    return numeral(("-" if value < 0 else "+") + body)
