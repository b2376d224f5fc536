"""Redesign opportunities in a model, the way a linter points at code smells, with their gain.

>>> import bpr
>>> from bpr.lint import lint, format_finding
>>> model = bpr.load("models/property-registration/as-is.yaml")  # doctest: +SKIP
>>> for finding in lint(model):  # doctest: +SKIP
...     print(format_finding(finding, model.file, model.currency))
"""

from bpr.lint.context import LintContext, Rule
from bpr.lint.draft import Draft, build_draft, draft_to_be
from bpr.lint.findings import SAFE_RULES, SEVERITIES, Finding, format_finding, format_gain
from bpr.lint.rules import REGISTRY, RULES
from bpr.lint.run import (
    DEFAULT_MIN_GAIN,
    DEFAULT_REWORK_THRESHOLD,
    LintResult,
    SwitchedOff,
    lint,
    lint_result,
    worth_reporting,
)

__all__ = [
    "DEFAULT_MIN_GAIN",
    "DEFAULT_REWORK_THRESHOLD",
    "REGISTRY",
    "RULES",
    "SAFE_RULES",
    "SEVERITIES",
    "Draft",
    "Finding",
    "LintContext",
    "LintResult",
    "Rule",
    "SwitchedOff",
    "build_draft",
    "draft_to_be",
    "format_finding",
    "format_gain",
    "lint",
    "lint_result",
    "worth_reporting",
]
