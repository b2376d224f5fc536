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

from bpr.core.i18n import domain, numeral
from bpr.files.output import atomic_write
from bpr.layout.content import DETAILS, diagram_net
from bpr.layout.engine import Layout, check_size, layout_model
from bpr.render._compare import comparison_scene
from bpr.render._draw import process_scene
from bpr.render._output import DEFAULT_DPI, FORMATS, convert, output_format
from bpr.render._pm4py import pm4py_picture
from bpr.render._pm4py import to_pm4py_bpmn as _to_pm4py_bpmn
from bpr.render._scene import Scene
from bpr.render.page import ORIENTATIONS, PAGE_SIZES, comparison_pages, process_pages

if TYPE_CHECKING:
    from bpr.comparison.diff import Comparison
    from bpr.core.model import Model

_, ngettext, pgettext = domain("diagram")

__all__ = [
    "DEFAULT_DPI",
    "DETAILS",
    "ENGINES",
    "FORMATS",
    "ORIENTATIONS",
    "PAGE_SIZES",
    "Progress",
    "comparison_dot",
    "comparison_pages",
    "convert",
    "join_pdf",
    "output_format",
    "page_paths",
    "process_dot",
    "process_pages",
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
    n = len(model.steps)
    # TRANSLATORS: a model being drawn, in the progress messages: its file and its steps
    return ngettext("{file} ({n} steps)", "{file} ({n} steps)", n).format(
        file=model.file or f"{model.service}/{model.variant}", n=numeral(f"{n:,}")
    )


def process_dot(model: Model, layout: Layout | None = None) -> str:
    """The swimlane diagram of one process as DOT text with every position fixed."""
    return process_scene(model, layout or layout_model(model, diagram_net(model))).to_dot()


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
    page: str | None = None,
    orientation: str | None = None,
    detail: str | None = None,
) -> Path:
    """Draw one process into ``output``; the suffix picks the format (.svg .png .pdf .dot).

    A model of more than :data:`bpr.layout.engine.MAX_STEPS` steps raises
    :class:`bpr.layout.engine.DiagramTooLarge` at once; ``progress`` is told each stage.

    ``page`` (``"A4"``, ``"A3"`` or ``"letter"``) lays the process out to fit that page with
    every word at least 7 points high at 100 %: bands joined by link events, then the step
    table (see :func:`bpr.render.page.process_pages`); ``orientation`` (``"portrait"`` or
    ``"landscape"``) and ``detail`` (``"full"``, ``"standard"``, ``"names"``) are chosen to
    fit where not given. A PDF holds one page per page; SVG, PNG and DOT write one file per
    page: ``output`` and then ``<stem>-2<suffix>``, ... (:func:`page_paths`).
    """
    fmt = output_format(output)
    check_size(model)
    if page is not None:
        if engine != "bpr":
            raise ValueError(_("a page-fit drawing is bpr's own; leave out the pm4py engine"))
        progress(_("laying out {model} on {page} pages").format(model=_name(model), page=page))
        scenes = process_pages(model, page=page, orientation=orientation, detail=detail)
        return _write_pages(scenes, output, fmt, dpi, (*inputs, model.file), progress)
    if engine == "pm4py":
        progress(_("drawing pm4py's BPMN view of {model}").format(model=_name(model)))
        data = pm4py_picture(model, fmt, dpi)
    elif engine == "bpr":
        progress(_("laying out {model}").format(model=_name(model)))
        dot = process_dot(model)
        if fmt != "dot":
            progress(_("drawing the {format} with Graphviz").format(format=fmt.upper()))
        data = convert(dot, fmt, dpi)
    else:
        raise ValueError(
            _("unknown engine '{engine}'; the engines are {engines}").format(
                engine=engine, engines=", ".join(ENGINES)
            )
        )
    progress(_("writing {file}").format(file=os.fspath(output)))
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
    page: str | None = None,
    orientation: str | None = None,
    detail: str | None = None,
) -> Path:
    """Draw the comparison of two variants into ``output`` (.svg .png .pdf .dot); the sizes,
    ``progress`` and the page-fit choices (``page``, ``orientation``, ``detail``, which
    always stack the To-Be under the As-Is) are as for :func:`render_model`."""
    fmt = output_format(output)
    if page is not None:
        progress(
            _("comparing and laying out {as_is} and {to_be} on {page} pages").format(
                as_is=_name(as_is), to_be=_name(to_be), page=page
            )
        )
        scenes = comparison_pages(as_is, to_be, page=page, orientation=orientation, detail=detail)
        files = (*inputs, as_is.file, to_be.file)
        return _write_pages(scenes, output, fmt, dpi, files, progress)
    progress(
        _("comparing and laying out {as_is} and {to_be}").format(
            as_is=_name(as_is), to_be=_name(to_be)
        )
    )
    dot = comparison_dot(as_is, to_be, stacked=stacked)
    if fmt != "dot":
        progress(_("drawing the {format} with Graphviz").format(format=fmt.upper()))
    data = convert(dot, fmt, dpi)
    progress(_("writing {file}").format(file=os.fspath(output)))
    return atomic_write(output, data, inputs=(*inputs, as_is.file, to_be.file))


def page_paths(output: str | os.PathLike[str], count: int) -> list[Path]:
    """The files of a drawing of ``count`` pages in SVG, PNG or DOT: the output itself, then
    one per further page with its number after the stem.

    >>> [str(p) for p in page_paths("note/figure.svg", 3)]
    ['note/figure.svg', 'note/figure-2.svg', 'note/figure-3.svg']
    """
    path = Path(output)
    return [path] + [path.with_name(f"{path.stem}-{n}{path.suffix}") for n in range(2, count + 1)]


def _write_pages(
    scenes: list[Scene],
    output: str | os.PathLike[str],
    fmt: str,
    dpi: float | None,
    inputs: tuple[str | os.PathLike[str] | None, ...],
    progress: Progress,
) -> Path:
    """Pages into one PDF, or into one SVG, PNG or DOT file each."""
    sources = tuple(i for i in inputs if i is not None)
    if fmt != "dot":
        n = len(scenes)
        progress(
            ngettext("drawing {n} page with Graphviz", "drawing {n} pages with Graphviz", n).format(
                n=n
            )
        )
    pictures = [convert(scene.to_dot(), fmt, dpi) for scene in scenes]
    progress(_("writing {file}").format(file=os.fspath(output)))
    if fmt == "pdf":
        return atomic_write(output, join_pdf(pictures), inputs=sources)
    paths = page_paths(output, len(pictures))
    for path, data in zip(paths, pictures, strict=True):
        atomic_write(path, data, inputs=sources)
    return paths[0]


def join_pdf(documents: list[bytes]) -> bytes:
    """PDF documents one after the other in one PDF (with pypdf)."""
    if len(documents) == 1:
        return documents[0]
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    for data in documents:
        writer.append(io.BytesIO(data))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def to_pm4py_bpmn(model: Model) -> Any:
    """The model as pm4py's BPMN object (``pm4py.objects.bpmn.obj.BPMN``), lanes included."""
    return _to_pm4py_bpmn(model)
