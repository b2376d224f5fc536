"""bpr: business-process reengineering of public services.

Load a model of one variant of a service, check it, measure it:

>>> import bpr
>>> model = bpr.load("models/property-registration/as-is.yaml")  # doctest: +SKIP
>>> bpr.measure(model).lead_time_days  # doctest: +SKIP
"""

from typing import TYPE_CHECKING, Any

from bpr.analysis.measures import MEASURE_KEYS, Measures, measure
from bpr.core.durations import Duration, parse_duration
from bpr.core.flow import ParallelBlock
from bpr.core.model import Actor, Branch, Document, Flow, Model, Step, build_graph
from bpr.core.version import __version__
from bpr.errors import (
    BpmnError,
    BprError,
    ComparisonError,
    DependencyError,
    EventLogError,
    ExecutableNotFound,
    GraphvizError,
    ModelError,
    OutputError,
    Problem,
    SimulationError,
)
from bpr.files.finder import find_models
from bpr.files.load import load, loads

if TYPE_CHECKING:
    from bpr.bpmn import (
        ImportResult,
        Soundness,
        check_soundness,
        export_bpmn,
        import_bpmn,
        to_bpmn,
    )
    from bpr.comparison import Comparison, MeasureChange, Redesign, compare
    from bpr.files.eventlog import EventTable, LogColumns, read_log, write_log
    from bpr.files.jsonschema import json_schema
    from bpr.layout.engine import Layout, layout_model
    from bpr.lint import RULES as LINT_RULES
    from bpr.lint import Finding, draft_to_be, lint_result
    from bpr.mining import ConformanceResult, DiscoveryResult, conform, discover, mine
    from bpr.render import render_comparison, render_model, to_pm4py_bpmn
    from bpr.report import write_report
    from bpr.simulate import SimulationResult

# `bpr.simulate` is the module (its function is `bpr.simulate.simulate`), so that names and
# submodules never shadow each other.
# The later pipeline stages load on first use, so that `import bpr` (and every `bpr` command)
# stays quick: name -> (module, attribute).
_LAZY: dict[str, tuple[str, str]] = {
    **{
        name: ("bpr.bpmn", name)
        for name in (
            "ImportResult",
            "Soundness",
            "check_soundness",
            "export_bpmn",
            "import_bpmn",
            "to_bpmn",
        )
    },
    **{
        name: ("bpr.comparison", name)
        for name in ("Comparison", "MeasureChange", "Redesign", "compare")
    },
    **{
        name: ("bpr.files.eventlog", name)
        for name in ("EventTable", "LogColumns", "read_log", "write_log")
    },
    "json_schema": ("bpr.files.jsonschema", "json_schema"),
    "Layout": ("bpr.layout.engine", "Layout"),
    "layout_model": ("bpr.layout.engine", "layout_model"),
    "LINT_RULES": ("bpr.lint", "RULES"),
    **{name: ("bpr.lint", name) for name in ("Finding", "draft_to_be", "lint_result")},
    **{
        name: ("bpr.mining", name)
        for name in ("ConformanceResult", "DiscoveryResult", "conform", "discover", "mine")
    },
    **{
        name: ("bpr.render", name)
        for name in ("render_comparison", "render_model", "to_pm4py_bpmn")
    },
    "write_report": ("bpr.report", "write_report"),
    **{name: ("bpr.simulate", name) for name in ("SimulationResult",)},
}
_SUBMODULES = {
    "analysis",
    "authoring",
    "backend",
    "bpmn",
    "comparison",
    "core",
    "files",
    "layout",
    "lint",
    "mining",
    "render",
    "report",
}


def __getattr__(name: str) -> Any:
    import importlib

    if name in _LAZY:
        module, attribute = _LAZY[name]
        value = getattr(importlib.import_module(module), attribute)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"bpr.{name}")
    raise AttributeError(f"module 'bpr' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | _SUBMODULES)


__all__ = [
    "LINT_RULES",
    "MEASURE_KEYS",
    "Actor",
    "BpmnError",
    "BprError",
    "Branch",
    "Comparison",
    "ComparisonError",
    "ConformanceResult",
    "DependencyError",
    "DiscoveryResult",
    "Document",
    "Duration",
    "EventLogError",
    "EventTable",
    "ExecutableNotFound",
    "Finding",
    "Flow",
    "GraphvizError",
    "ImportResult",
    "Layout",
    "LogColumns",
    "MeasureChange",
    "Measures",
    "Model",
    "ModelError",
    "OutputError",
    "ParallelBlock",
    "Problem",
    "Redesign",
    "SimulationError",
    "SimulationResult",
    "Soundness",
    "Step",
    "__version__",
    "build_graph",
    "check_soundness",
    "compare",
    "conform",
    "discover",
    "draft_to_be",
    "export_bpmn",
    "find_models",
    "import_bpmn",
    "json_schema",
    "layout_model",
    "lint_result",
    "load",
    "loads",
    "measure",
    "mine",
    "parse_duration",
    "read_log",
    "render_comparison",
    "render_model",
    "to_bpmn",
    "to_pm4py_bpmn",
    "write_log",
    "write_report",
]
