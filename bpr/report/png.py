"""SVG drawn as PNG for the Word report (its charts, and the fallback picture of each
drawing page for Word before 2016), through cairosvg: the one place that imports it and
says what to install when it or the cairo library it loads is missing."""

from __future__ import annotations

from bpr.errors import DependencyError, OutputError

__all__ = ["svg_to_png"]


def svg_to_png(
    svg: bytes,
    *,
    purpose: str,
    no_cairo: str,
    dpi: float | None = None,
    scale: float | None = None,
    background: str | None = None,
) -> bytes:
    """``svg`` as a PNG at ``dpi`` (or ``scale`` times its size in pixels), on ``background``
    (transparent where None).

    ``purpose`` names what needs cairosvg when the package is missing ("charts in Word
    reports"); ``no_cairo`` is the caller's sentence for a machine without the cairo
    library (it says what to install), raised as an `OutputError`."""
    try:
        import cairosvg  # type: ignore[import-untyped]
    except ImportError:
        raise DependencyError("cairosvg", purpose) from None
    except OSError:  # cairocffi found no cairo library to load
        raise OutputError(no_cairo) from None
    options: dict[str, object] = {"bytestring": svg}
    if dpi is not None:
        options["dpi"] = dpi
    if scale is not None:
        options["scale"] = scale
    if background is not None:
        options["background_color"] = background
    png = cairosvg.svg2png(**options)
    assert isinstance(png, bytes)
    return png
