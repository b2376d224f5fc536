"""Turning DOT text into the file format that the output's suffix names."""

from __future__ import annotations

import os
import re
from pathlib import Path

from bpr.backend.graphviz import run_graphviz
from bpr.core.i18n import domain
from bpr.errors import OutputError

_, ngettext, pgettext = domain("diagram")

__all__ = ["DEFAULT_DPI", "FORMATS", "convert", "output_format", "strip_titles"]

#: Output suffixes and what they hold.
FORMATS = {
    ".svg": "SVG vector picture (web pages, Word, LibreOffice)",
    ".png": "PNG bitmap (slides, e-mail); resolution with --dpi",
    ".pdf": "PDF vector page (print)",
    ".dot": "Graphviz DOT text with every position fixed (deterministic)",
}
DEFAULT_DPI = 150.0


def output_format(path: str | os.PathLike[str]) -> str:
    """The format named by a file's suffix (``svg``, ``png``, ``pdf`` or ``dot``).

    >>> output_format("guide/figure-1.PNG")
    'png'
    """
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        values = {
            "path": path,
            "suffix": suffix,
            "choices": ", ".join(FORMATS),
            "example": f"{Path(path).stem or 'diagram'}.svg",
        }
        if suffix:
            # TRANSLATORS: {choices} are file suffixes (.svg, .png, .pdf, .dot)
            message = _(
                "{path}: '{suffix}' is not a diagram format; end the output's name in one of "
                "{choices} (for example {example})"
            )
        else:
            message = _(
                "{path}: no suffix is not a diagram format; end the output's name in one of "
                "{choices} (for example {example})"
            )
        raise OutputError(message.format(**values))
    return suffix[1:]


def convert(dot: str, fmt: str, dpi: float | None = None) -> bytes:
    """Draw DOT text made by bpr (every position fixed) in ``svg``, ``png`` or ``pdf``.

    In SVG the ``<title>`` that Graphviz gives each box, band and line (its internal name:
    ``cluster_lane_0``, ``submit->audit``) is taken out, so that a viewer's tooltips show
    only the model's names (the ``tooltip`` attributes bpr sets).
    """
    if fmt == "dot":
        return dot.encode("utf-8")
    args = ["-n2", f"-T{fmt}"]
    if fmt == "png":
        args.append(f"-Gdpi={dpi or DEFAULT_DPI:g}")
    data = run_graphviz("neato", args, dot)
    return strip_titles(data) if fmt == "svg" else data


# Graphviz writes each object as <g id=".." class="node|edge|cluster">, then its <title>.
_OBJECT_TITLE = re.compile(
    rb'(<g id="[^"]*" class="(?:node|edge|cluster)">\n?)<title>[^<]*</title>\n?'
)


def strip_titles(svg: bytes) -> bytes:
    """Graphviz SVG without the ``<title>`` of its nodes, edges and clusters (the picture's
    own title stays).

    >>> strip_titles(b'<g id="e1" class="edge">\\n<title>a&#45;&gt;b</title>\\n<path/>')
    b'<g id="e1" class="edge">\\n<path/>'
    """
    return _OBJECT_TITLE.sub(rb"\1", svg)
