"""Diagrams of processes and of As-Is/To-Be comparisons, drawn with Graphviz.

>>> import bpr
>>> from bpr.render import render_model
>>> render_model(bpr.load("models/property-registration/as-is.yaml"), "as-is.svg")  # doctest: +SKIP
PosixPath('as-is.svg')
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bpr.files.output import atomic_write
from bpr.layout.engine import Layout, check_size, layout_model
from bpr.render._compare import comparison_scene
from bpr.render._draw import process_scene
from bpr.render._output import DEFAULT_DPI, FORMATS, convert, output_format
from bpr.render._pm4py import pm4py_picture
from bpr.render._pm4py import to_pm4py_bpmn as _to_pm4py_bpmn

if TYPE_CHECKING:
    from bpr.comparison.diff import Comparison
    from bpr.core.model import Model

__all__ = [
    "DEFAULT_DPI",
    "ENGINES",
    "FORMATS",
    "Progress",
    "comparison_dot",
    "convert",
    "output_format",
    "process_dot",
    "render_comparison",
    "render_model",
    "to_pm4py_bpmn",
]

#: ``bpr`` draws swimlanes; ``pm4py`` draws pm4py's BPMN view of the same flow.
ENGINES = ("bpr", "pm4py")
#: Told what a drawing is doing as it goes (``"laying out as-is.yaml (4,000 steps)"``), for a
#: command to show where it takes a while.
Progress = Callable[[str], None]


def _quiet(stage: str) -> None:
    """The progress of a caller that did not ask for it."""


def _name(model: Model) -> str:
    return f"{model.file or f'{model.service}/{model.variant}'} ({len(model.steps):,} steps)"


def process_dot(model: Model, layout: Layout | None = None) -> str:
    """The swimlane diagram of one process as DOT text with every position fixed."""
    return process_scene(model, layout or layout_model(model)).to_dot()


def comparison_dot(
    as_is: Model, to_be: Model, *, stacked: bool = False, comparison: Comparison | None = None
) -> str:
    """The As-Is and To-Be side by side (or one above the other) with the changes marked;
    ``comparison`` is their :func:`bpr.comparison.compare`, where the caller has it already."""
    return comparison_scene(as_is, to_be, stacked=stacked, comparison=comparison).to_dot()


def render_model(
    model: Model,
    output: str | os.PathLike[str],
    *,
    dpi: float | None = None,
    engine: str = "bpr",
    inputs: tuple[str | os.PathLike[str], ...] = (),
    progress: Progress = _quiet,
) -> Path:
    """Draw one process into ``output``; the suffix picks the format (.svg .png .pdf .dot).

    A model of more than :data:`bpr.layout.engine.MAX_STEPS` steps raises
    :class:`bpr.layout.engine.DiagramTooLarge` at once; ``progress`` is told each stage.
    """
    fmt = output_format(output)
    check_size(model)
    if engine == "pm4py":
        progress(f"drawing pm4py's BPMN view of {_name(model)}")
        data = pm4py_picture(model, fmt, dpi)
    elif engine == "bpr":
        progress(f"laying out {_name(model)}")
        dot = process_dot(model)
        if fmt != "dot":
            progress(f"drawing the {fmt.upper()} with Graphviz")
        data = convert(dot, fmt, dpi)
    else:
        raise ValueError(f"unknown engine '{engine}'; the engines are {', '.join(ENGINES)}")
    progress(f"writing {os.fspath(output)}")
    return atomic_write(output, data, inputs=(*inputs, model.file))


def render_comparison(
    as_is: Model,
    to_be: Model,
    output: str | os.PathLike[str],
    *,
    dpi: float | None = None,
    stacked: bool = False,
    inputs: tuple[str | os.PathLike[str], ...] = (),
    progress: Progress = _quiet,
) -> Path:
    """Draw the comparison of two variants into ``output`` (.svg .png .pdf .dot); the sizes
    and ``progress`` are as for :func:`render_model`."""
    fmt = output_format(output)
    progress(f"comparing and laying out {_name(as_is)} and {_name(to_be)}")
    dot = comparison_dot(as_is, to_be, stacked=stacked)
    if fmt != "dot":
        progress(f"drawing the {fmt.upper()} with Graphviz")
    data = convert(dot, fmt, dpi)
    progress(f"writing {os.fspath(output)}")
    return atomic_write(output, data, inputs=(*inputs, as_is.file, to_be.file))


def to_pm4py_bpmn(model: Model) -> Any:
    """The model as pm4py's BPMN object (``pm4py.objects.bpmn.obj.BPMN``), lanes included."""
    return _to_pm4py_bpmn(model)
