"""Reports of one service or a portfolio of services: HTML, Markdown, an Excel workbook, a Word
document or a PDF.

>>> from bpr.report import write_report
>>> result = write_report(["models"], "portfolio.html")  # doctest: +SKIP
>>> print(result.summary())  # doctest: +SKIP
portfolio.html: 6 services from 12 model files
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bpr.backend.chromium import find_chromium
from bpr.core.i18n import domain
from bpr.errors import OutputError
from bpr.files.finder import find_models
from bpr.files.output import atomic_write, refuse_overwriting_inputs
from bpr.render.page import page_size
from bpr.report.cache import caching
from bpr.report.collect import Collected, Pair, Portfolio, Service, Skipped, Variant, collect
from bpr.report.excel import excel_report
from bpr.report.html import html_report
from bpr.report.markdown import markdown_report
from bpr.report.pdf import pdf_report
from bpr.report.word import word_report

__all__ = [
    "FORMATS",
    "Collected",
    "Pair",
    "Portfolio",
    "ReportResult",
    "Service",
    "Skipped",
    "Variant",
    "collect",
    "render_report",
    "report_format",
    "write_report",
]

_, ngettext, pgettext = domain("report")

#: Output formats by file suffix.
FORMATS = {
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".xlsx": "excel",
    ".docx": "word",
    ".pdf": "pdf",
}

#: ``progress(stage, done, total)``: stage is ``"load"`` (per file) or ``"write"`` (per service).
Progress = Callable[[str, int, int], None]


@dataclass
class ReportResult:
    """What one report run wrote."""

    output: Path
    format: str
    services: int
    files: int
    skipped: list[Skipped] = field(default_factory=list)
    extra_files: list[Path] = field(default_factory=list)  # the SVGs beside a Markdown report

    def summary(self) -> str:
        """What was written, in one line (in the output language).

        >>> ReportResult(Path("r.md"), "markdown", 2, 4, [], [Path("r_files/a.svg")]).summary()
        'r.md: 2 services from 4 model files, 1 diagram in r_files'
        """
        # TRANSLATORS: {services} is "6 services", {from_files} is "from 12 model files"
        text = _("{output}: {services} {from_files}").format(
            output=self.output,
            services=ngettext("{n} service", "{n} services", self.services).format(n=self.services),
            from_files=ngettext("from {n} model file", "from {n} model files", self.files).format(
                n=self.files
            ),
        )
        if self.extra_files:
            count = len(self.extra_files)
            text += ngettext(
                ", {n} diagram in {folder}", ", {n} diagrams in {folder}", count
            ).format(n=count, folder=self.extra_files[0].parent)
        if self.skipped:
            count = len(self.skipped)
            text += ngettext(
                "; {n} skipped (see the report)", "; {n} skipped (see the report)", count
            ).format(n=count)
        return text


def report_format(output: str | os.PathLike[str], fmt: str | None = None) -> str:
    """The format named by ``fmt`` or by the suffix of ``output``."""
    if fmt is not None:
        if fmt not in set(FORMATS.values()):
            valid = ", ".join(sorted(set(FORMATS.values())))
            raise OutputError(
                _("unknown report format '{format}'; valid: {valid}").format(
                    format=fmt, valid=valid
                )
            )
        return fmt
    suffix = Path(output).suffix.lower()
    if suffix not in FORMATS:
        if suffix:
            message = _(
                "{output}: cannot tell the report format from '{suffix}'; name the output "
                ".html, .md, .xlsx, .docx or .pdf"
            )
        else:
            message = _(
                "{output}: cannot tell the report format from 'no suffix'; name the output "
                ".html, .md, .xlsx, .docx or .pdf"
            )
        raise OutputError(message.format(output=output, suffix=suffix))
    return FORMATS[suffix]


def diagram_folder(output: str | os.PathLike[str]) -> Path:
    """Where a Markdown report's SVG diagrams go: ``OUT_files`` beside ``OUT.md``.

    The folder belongs to the report: SVG files in it that the report no longer links to are
    removed after each run.
    """
    path = Path(output)
    return path.with_name(f"{path.stem}_files")


def _check_output_folders(target: Path, diagrams: Path | None) -> None:
    """Refuse, before any model is read, an output that could not be written at the end: one
    whose folder is a file. Folders that do not exist yet are made when the report is written.
    """
    blocked = next((p for p in target.parents if p.exists() and not p.is_dir()), None)
    if blocked is not None:
        raise OutputError(
            _(
                "{output}: cannot make the folder {folder}: {blocked} is a file, not a folder; "
                "choose another output path"
            ).format(output=target, folder=target.parent, blocked=blocked)
        )
    if diagrams is not None and diagrams.exists() and not diagrams.is_dir():
        raise OutputError(
            _(
                "{output}: its diagrams go to the folder {folder}, which is a file; move that "
                "file or choose another output name"
            ).format(output=target, folder=diagrams)
        )


def render_report(
    portfolio: Portfolio,
    fmt: str,
    *,
    title: str | None = None,
    refresh: int = 0,
    on_service: Callable[[Service], None] | None = None,
    diagrams: str = "",
    template: str | os.PathLike[str] | None = None,
    page: str = "A4",
    orientation: str | None = None,
) -> tuple[str | bytes, dict[str, str]]:
    """The report's content in memory, and (Markdown) the SVG files by name. ``template``
    is a Word document whose styles and page setup a Word report takes; ``page`` (A4, A3,
    letter) and ``orientation`` (portrait, landscape, None for the better of both) are the
    printed pages of a Word or PDF report."""
    if fmt == "word":
        data = word_report(
            portfolio,
            title=title,
            template=template,
            on_service=on_service,
            page=page,
            orientation=orientation,
        )
        return data, {}
    if fmt == "pdf":
        data = pdf_report(
            portfolio, title=title, on_service=on_service, page=page, orientation=orientation
        )
        return data, {}
    if fmt == "html":
        return html_report(portfolio, title=title, refresh=refresh, on_service=on_service), {}
    if fmt == "markdown":
        return markdown_report(portfolio, title=title, diagram_dir=diagrams, on_service=on_service)
    return excel_report(portfolio, on_service=on_service), {}


def write_report(
    paths: Sequence[str | os.PathLike[str]],
    output: str | os.PathLike[str],
    *,
    fmt: str | None = None,
    title: str | None = None,
    refresh: int = 0,
    progress: Progress | None = None,
    template: str | os.PathLike[str] | None = None,
    page: str = "A4",
    orientation: str | None = None,
    cache: bool | None = None,
    memo: Collected | None = None,
) -> ReportResult:
    """Build the report of the models among ``paths`` and write it to ``output``.

    The format follows the suffix (.html, .md, .xlsx, .docx, .pdf) unless ``fmt`` names it;
    ``template`` is a reference .docx for a Word report's styles (as pandoc takes one);
    ``page`` and ``orientation`` choose the printed pages of a Word or PDF report. Models that
    fail to load are skipped and listed in the report. Each file is written whole or not at
    all, and never over an input. The diagrams are drawn on every core and kept in the cache
    of :mod:`bpr.report.cache`; ``cache=False`` draws them all again (None: as
    ``BPR_NO_CACHE`` says). ``memo`` keeps what was loaded and compared for the next call
    with it, which reads again only the files that changed (see :class:`Collected`).
    """
    fmt = report_format(output, fmt)
    if template is not None and fmt != "word":
        raise OutputError(
            _("{template}: a template is for Word reports (.docx) only").format(template=template)
        )
    if template is not None and not Path(template).is_file():
        raise OutputError(
            _("{template}: no such Word template; name a .docx file").format(template=template)
        )
    page_size(page, orientation or "portrait")  # an unknown page or orientation stops here
    if fmt == "pdf":
        find_chromium()  # before any model is read: a missing browser is told at once
    files = list(find_models(paths))
    named = [os.fspath(p) for p in paths]
    if not files:
        raise OutputError(
            _("no *.yaml or *.yml files in {paths}; name model files or folders").format(
                paths=", ".join(named)
            )
        )
    inputs: list[str | os.PathLike[str]] = [*named, *files]
    if template is not None:
        inputs.append(template)
    refuse_overwriting_inputs(output, inputs)
    target = Path(output)
    folder = diagram_folder(target)
    _check_output_folders(target, folder if fmt == "markdown" else None)

    done = 0

    def on_file(_path: Path) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress("load", done, len(files))

    portfolio = collect(files, on_file=on_file, memo=memo)
    written = 0

    def on_service(_service: Service) -> None:
        nonlocal written
        written += 1
        if progress is not None:
            progress("write", written, len(portfolio.services))

    with caching(cache):
        content, extra = render_report(
            portfolio,
            fmt,
            title=title,
            refresh=refresh,
            on_service=on_service,
            diagrams=folder.name,
            template=template,
            page=page,
            orientation=orientation,
        )
    extra_files = []
    # only an input named *.svg could be overwritten by a diagram: checking every input
    # for each of hundreds of diagrams would cost more than drawing them
    svg_inputs = [p for p in inputs if os.fspath(p).lower().endswith(".svg")]
    if extra:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(
                _("{folder}: cannot make the folder for the diagrams of {output}: {reason}").format(
                    folder=folder, output=target, reason=exc.strerror or exc
                )
            ) from None
        for name, svg in extra.items():
            extra_files.append(atomic_write(folder / name, svg, inputs=svg_inputs))
    atomic_write(target, content, inputs=inputs)
    if fmt == "markdown" and folder.is_dir():
        # diagrams of services or variants no longer in the report would linger in git; a
        # model file that happens to be named *.svg in that folder is an input, never removed
        kept = {Path(p).resolve() for p in svg_inputs}
        for stale in folder.glob("*.svg"):
            if stale.name not in extra and stale.resolve() not in kept:
                stale.unlink()
    return ReportResult(
        target, fmt, len(portfolio.services), len(files), portfolio.skipped, extra_files
    )
