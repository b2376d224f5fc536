"""Turning DOT text into the file format that the output's suffix names."""

from __future__ import annotations

import os
from pathlib import Path

from bpr.backend.graphviz import run_graphviz
from bpr.errors import OutputError

__all__ = ["DEFAULT_DPI", "FORMATS", "convert", "output_format"]

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
        choices = ", ".join(FORMATS)
        shown = f"'{suffix}'" if suffix else "no suffix"
        raise OutputError(
            f"{path}: {shown} is not a diagram format; end the output's name in one of "
            f"{choices} (for example {Path(path).stem or 'diagram'}.svg)"
        )
    return suffix[1:]


def convert(dot: str, fmt: str, dpi: float | None = None) -> bytes:
    """Draw DOT text made by bpr (every position fixed) in ``svg``, ``png`` or ``pdf``."""
    if fmt == "dot":
        return dot.encode("utf-8")
    args = ["-n2", f"-T{fmt}"]
    if fmt == "png":
        args.append(f"-Gdpi={dpi or DEFAULT_DPI:g}")
    return run_graphviz("neato", args, dot)
