"""bpr: business-process reengineering of public services.

Load a model of one variant of a service, check it, measure it:

>>> import bpr
>>> model = bpr.load("models/property-registration/as-is.yaml")  # doctest: +SKIP
>>> bpr.measure(model).lead_time_days  # doctest: +SKIP
"""

from bpr.comparison import Comparison, MeasureChange, Redesign, compare
from bpr.durations import Duration, parse_duration
from bpr.errors import (
    BprError,
    ComparisonError,
    DependencyError,
    EventLogError,
    ExecutableNotFound,
    ModelError,
    OutputError,
    Problem,
)
from bpr.eventlog import EventTable, LogColumns, read_log, write_log
from bpr.graph import ParallelBlock, build_graph
from bpr.jsonschema import json_schema
from bpr.layout import Layout, layout_model
from bpr.lint import RULES as LINT_RULES
from bpr.lint import Finding, draft_to_be, lint_result
from bpr.load import find_models, load, loads
from bpr.measures import MEASURE_KEYS, Measures, measure
from bpr.mining import ConformanceResult, DiscoveryResult, conform, discover, mine
from bpr.model import Actor, Branch, Document, Flow, Model, Step
from bpr.render import render_comparison, render_model, to_pm4py_bpmn
from bpr.report import write_report
from bpr.simulate import SimulationError, SimulationResult, simulate

__version__ = "0.1.0"

__all__ = [
    "LINT_RULES",
    "MEASURE_KEYS",
    "Actor",
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
    "Step",
    "__version__",
    "build_graph",
    "compare",
    "conform",
    "discover",
    "draft_to_be",
    "find_models",
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
    "simulate",
    "to_pm4py_bpmn",
    "write_log",
    "write_report",
]
