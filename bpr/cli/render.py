"""``bpr render``: draw one process, or an As-Is and a To-Be side by side."""

from __future__ import annotations

import threading
from pathlib import Path
from types import TracebackType

import click

from bpr.cli._common import lang_option, load_models, model_paths, output_option
from bpr.core.i18n import domain
from bpr.core.text import for_terminal
from bpr.errors import OutputError
from bpr.render import DETAILS, PAGE_SIZES, output_format, render_comparison, render_model

__all__ = ["PROGRESS_AFTER", "render"]

_, ngettext = domain("measures")[:2]

#: Seconds a drawing runs quietly; after that it says on stderr what it is doing (a model of
#: 2,000 steps takes about 1 s, one of 5,000, the most a diagram is drawn for, about 4 s).
PROGRESS_AFTER = 2.0


class _Progress:
    """Says on stderr what a drawing is doing, once it has run :data:`PROGRESS_AFTER` s."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stage = ""
        self._late = False
        self._timer = threading.Timer(PROGRESS_AFTER, self._now_late)
        self._timer.daemon = True

    def __enter__(self) -> _Progress:
        self._timer.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._timer.cancel()

    def __call__(self, stage: str) -> None:
        with self._lock:
            self._stage = stage
            if self._late:
                self._say()

    def _now_late(self) -> None:
        with self._lock:
            self._late = True
            if self._stage:
                self._say()

    def _say(self) -> None:
        # TRANSLATORS: what a long drawing is doing now, on standard error
        click.echo(_("bpr render: {stage} ...").format(stage=for_terminal(self._stage)), err=True)


@click.command()
@lang_option
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@output_option("The file to write; its suffix picks the format: .svg, .png, .pdf or .dot.")
@click.option(
    "--dpi",
    type=click.FloatRange(min=20, max=1200),
    default=None,
    help="Resolution of a .png in dots per inch (default 150).",
)
@click.option(
    "--engine",
    type=click.Choice(["bpr", "pm4py"]),
    default="bpr",
    show_default=True,
    help="bpr draws swimlanes; pm4py draws pm4py's BPMN view of one process.",
)
@click.option(
    "--stacked", is_flag=True, help="Comparison: put the To-Be below the As-Is, not beside it."
)
@click.option(
    "--page",
    type=click.Choice(list(PAGE_SIZES), case_sensitive=False),
    default=None,
    help="Fit the drawing to pages of this size, every word at least 7 pt at 100 %: bands "
    "joined by link events, then the step table (PDF: one file of pages; SVG, PNG: one "
    "file per page).",
)
@click.option(
    "--portrait/--landscape",
    "portrait",
    default=None,
    help="With --page: the page's orientation (default: the one that needs fewer pages).",
)
@click.option(
    "--detail",
    type=click.Choice(list(DETAILS)),
    default=None,
    help="With --page: what the boxes write: full, standard (short document lists) or "
    "names; the step table has the rest (default: the most that fits).",
)
def render(
    paths: tuple[str, ...],
    output: str,
    dpi: float | None,
    engine: str,
    stacked: bool,
    page: str | None,
    portrait: bool | None,
    detail: str | None,
) -> int:
    """Draw a process as a swimlane diagram, or compare two variants.

    One model file draws that process. Two files (As-Is first, then To-Be), or a service
    folder with an as-is and a to-be file, draw both side by side with the removed, added,
    replaced and changed steps marked. The output's suffix picks the format: .svg, .png
    (with --dpi), .pdf, or .dot (the Graphviz text, the same bytes on every run).

    \b
    Examples:
      bpr render models/property-registration/as-is.yaml -o as-is.svg
      bpr render models/property-registration -o comparison.png --dpi 200
      bpr render as-is.yaml to-be.yaml -o comparison.pdf
      bpr render as-is.yaml --engine pm4py -o as-is-bpmn.png
      bpr render models/property-registration -o note-figure.pdf --page A4 --landscape

    A drawing that runs for more than two seconds says on stderr what it is doing; a model
    of more than 5,000 steps is refused (split the service into stages and draw each).
    """
    try:
        fmt = output_format(output)
    except OutputError as exc:
        raise click.BadParameter(str(exc), param_hint="'-o' / '--output'") from None
    if dpi is not None and fmt != "png":
        note = _("bpr: note: --dpi applies to .png only; {path} is .{format}")
        click.echo(note.format(path=for_terminal(output), format=fmt), err=True)
    if page is None and (portrait is not None or detail is not None):
        raise click.UsageError(
            _("--portrait, --landscape and --detail go with --page A4, A3 or letter")
        )
    if page is not None and engine != "bpr":
        raise click.UsageError(_("--page draws bpr's swimlanes; drop --engine pm4py"))
    if page is not None:
        page = next(name for name in PAGE_SIZES if name.lower() == page.lower())
    orientation = None if portrait is None else ("portrait" if portrait else "landscape")
    fit = {"page": page, "orientation": orientation, "detail": detail}
    files = _files(paths)
    with _Progress() as progress:
        progress(_("reading {files}").format(files=", ".join(str(f) for f in dict.fromkeys(files))))
        models, failures = [], []
        for index, file in enumerate(files):  # one by one: a file named twice is compared
            loaded, failed = load_models([str(file)], warnings=file not in files[:index])
            models += loaded
            failures += failed
        if failures:
            return 1
        if len(models) == 1:
            model = models[0]
            render_model(
                model,
                output,
                dpi=dpi,
                engine=engine,
                inputs=tuple(paths),
                progress=progress,
                **fit,
            )
            name = for_terminal(f"{model.service}/{model.variant}")
            click.echo(_wrote(output, name, fmt, page))
            return 0
        if engine != "bpr":
            raise click.UsageError(
                _(
                    "--engine pm4py draws one process; name one model file, or drop --engine to "
                    "compare two"
                )
            )
        as_is, to_be = models
        render_comparison(
            as_is,
            to_be,
            output,
            dpi=dpi,
            stacked=stacked,
            inputs=tuple(paths),
            progress=progress,
            **fit,
        )
    name = for_terminal(f"{as_is.service}: {as_is.variant} -> {to_be.variant}")
    click.echo(_wrote(output, name, fmt, page))
    return 0


def _wrote(output: str, name: str, fmt: str, page: str | None) -> str:
    """The line that says what was drawn where: ``wrote a.pdf (s/as-is, pdf, fitted to A4
    pages)``."""
    path = for_terminal(output)
    if page:
        # TRANSLATORS: {page} is a paper size (A4, A3, letter)
        text = _("wrote {path} ({name}, {format}, fitted to {page} pages)")
        return text.format(path=path, name=name, format=fmt, page=page)
    return _("wrote {path} ({name}, {format})").format(path=path, name=name, format=fmt)


def _files(paths: tuple[str, ...]) -> list[Path]:
    """One model file, or two to compare; a service folder gives its as-is and to-be files."""
    if len(paths) > 2:
        raise click.UsageError(
            ngettext(
                "bpr render takes one model, or two to compare (As-Is, then To-Be); got {n} paths",
                "bpr render takes one model, or two to compare (As-Is, then To-Be); got {n} paths",
                len(paths),
            ).format(n=len(paths))
        )
    if len(paths) == 2:
        found = [Path(p) for p in paths]
        folders = [p for p in found if p.is_dir()]
        if folders:
            raise click.UsageError(
                _(
                    "{path} is a folder; to compare, name two model files, or one service "
                    "folder alone"
                ).format(path=folders[0])
            )
        return found
    path = Path(paths[0])
    if not path.is_dir():
        return [path]
    found = model_paths([str(path)])
    if len(found) == 1:
        return found
    by_stem = {p.stem: p for p in found}
    if "as-is" in by_stem:
        others = [p for p in found if p.stem != "as-is"]
        chosen = by_stem.get("to-be") or (others[0] if len(others) == 1 else None)
        if chosen is not None:
            return [by_stem["as-is"], chosen]
    names = ", ".join(p.name for p in found)
    raise click.UsageError(
        ngettext(
            "{path} holds {n} models ({names}); name the two to compare, such as "
            "bpr render {as_is} {to_be} -o OUT",
            "{path} holds {n} models ({names}); name the two to compare, such as "
            "bpr render {as_is} {to_be} -o OUT",
            len(found),
        ).format(
            path=path,
            n=len(found),
            names=names,
            as_is=path / "as-is.yaml",
            to_be=path / "to-be.yaml",
        )
    )
