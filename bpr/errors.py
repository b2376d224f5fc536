"""The exceptions of bpr: one root type, and subclasses that also inherit the fitting builtin."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "BpmnError",
    "BprError",
    "ComparisonError",
    "DependencyError",
    "EventLogError",
    "ExecutableNotFound",
    "GraphvizError",
    "ModelError",
    "OutputError",
    "Problem",
    "SimulationError",
    "UsageError",
    "closest",
    "did_you_mean",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or doubtful) in an input file, with where it is and how to fix it.

    ``path`` is the place inside the model, such as ``steps[3].next``; ``line`` and
    ``column`` are 1-based and 0 where unknown. ``code`` names the kind of problem with a
    stable kebab-case word (``unknown-actor``, ``yaml-syntax``; listed in docs/format.md), for
    tools that sort or filter problems without parsing the message.

    >>> problem = Problem("unknown actor 'fnd'", "a.yaml", 12, 12, code="unknown-actor")
    >>> problem.as_dict()["code"]
    'unknown-actor'
    """

    message: str
    file: str = "<string>"
    line: int = 0
    column: int = 0
    path: str = ""
    severity: str = "error"
    code: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}:{self.column or 1}"
        inside = f"{self.path}: " if self.path else ""
        return f"{where}: {self.severity}: {inside}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def as_dict(self) -> dict[str, str | int]:
        """The problem as a JSON object: file, line, column, path, severity, code, message."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }


class BprError(Exception):
    """Root of every error that bpr raises on purpose; the CLI prints these without a traceback."""

    exit_code = 1


class ModelError(BprError, ValueError):
    """A model file that cannot be loaded: every problem found, each with its location.

    >>> err = ModelError([Problem("unknown actor 'fnd'", "a.yaml", 12, 12, "steps[3].actor")])
    >>> print(err)
    a.yaml:12:12: error: steps[3].actor: unknown actor 'fnd'
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(self.problems)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


class ComparisonError(BprError, ValueError):
    """Two models that cannot be compared (different services, a dangling ``replaces``)."""


class BpmnError(BprError, ValueError):
    """A BPMN file that cannot be read: malformed, not BPMN, unsafe, or inconsistent."""


class SimulationError(BprError, ValueError):
    """A model that cannot be simulated as asked (no cases, a loop without a way out)."""


class GraphvizError(BprError, RuntimeError):
    """A Graphviz program that failed on input that bpr generated (a bug worth reporting)."""


class EventLogError(BprError, ValueError):
    """An event log that is malformed, empty or lacks a needed attribute."""


class OutputError(BprError, OSError):
    """An output that cannot be written, or that would overwrite an input."""


class UsageError(BprError, ValueError):
    """An option or setting given a value bpr does not know (such as an unknown language)."""


class DependencyError(BprError, ImportError):
    """An optional Python package that a command needs is not installed."""

    def __init__(self, package: str, feature: str, extra: str = "all") -> None:
        self.package = package
        super().__init__(
            f"{feature} needs the Python package '{package}', which is not installed; "
            f"install it with: pip install 'bpr[{extra}]' (or pip install {package})"
        )


class ExecutableNotFound(BprError, RuntimeError):
    """An external program (such as Graphviz's ``dot``) is not on the PATH."""

    def __init__(self, program: str, install_hint: str) -> None:
        self.program = program
        super().__init__(
            f"the program '{program}' was not found; make sure it is installed and on your "
            f"PATH ({install_hint})"
        )


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The valid choice closest to a mistyped ``word``, or None where none is close
    (what :func:`did_you_mean` suggests; for a hint written in another language).

    >>> closest("fnd", ["fund", "tax"]), closest("xyz", ["fund"])
    ('fund', None)
    """
    close = difflib.get_close_matches(word, sorted(set(choices)), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A hint naming the closest valid choice, or listing the valid choices.

    >>> did_you_mean("fnd", ["fund", "tax"])
    "; did you mean 'fund'?"
    """
    options = sorted(set(choices))
    close = closest(word, options)
    if close is not None:
        return f"; did you mean '{close}'?"
    if not options:
        return ""
    if len(options) <= 12:
        return "; valid: " + ", ".join(options)
    return "; valid: " + ", ".join(options[:12]) + f", ... ({len(options)} in all)"
