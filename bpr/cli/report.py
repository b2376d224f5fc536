"""``bpr report``: one service or a whole portfolio as HTML, Markdown, Excel, Word or PDF."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from bpr.cli._common import lang_option, model_paths, output_option
from bpr.core.i18n import domain
from bpr.core.text import for_terminal
from bpr.errors import OutputError
from bpr.files.output import STDOUT
from bpr.report import report_format, write_report

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["progress_bar", "report"]

_ = domain("measures").gettext


@contextmanager
def progress_bar(
    enabled: bool, console: Console | None = None
) -> Iterator[Callable[[str, int, int], None] | None]:
    """A rich progress bar on the terminal's stderr (or ``console``); nothing unless enabled."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
    )

    # TRANSLATORS: the stages of the report's progress bar
    names = {"load": _("Reading models"), "write": _("Writing services")}
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console or Console(stderr=True), transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(names.get(stage, stage), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update


def _on_terminal() -> bool:
    return sys.stderr.isatty() and sys.stdout.isatty()


@click.command()
@lang_option
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@output_option(
    "The report file: .html (one self-contained page), .md (with SVG diagrams in "
    "OUT_files/), .xlsx (an Excel workbook), .docx (an editable Word document) or .pdf "
    "(printed by Chromium); - with --format html prints the page.",
    allow_dash=True,
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "markdown", "excel", "word", "pdf"]),
    help="The format, where the output's suffix does not tell it.",
)
@click.option(
    "--title",
    help="The report's title (default: the service's name, or 'Process redesign portfolio').",
)
@click.option(
    "--template",
    type=click.Path(exists=True, dir_okay=False),
    help="A Word document (.docx) whose styles, page size, headers and footers a .docx report "
    "takes (as pandoc's --reference-doc); its own text is left out.",
)
@click.option(
    "--page",
    type=click.Choice(["A4", "A3", "letter"], case_sensitive=False),
    default=None,
    help="The printed page of a .docx or .pdf report (default A4); the drawings are laid out "
    "for it, every word at least 7 pt.",
)
@click.option(
    "--portrait/--landscape",
    "portrait",
    default=None,
    help="The drawings' pages upright or turned (default: the one that needs fewer pages, "
    "for each drawing).",
)
@click.option(
    "--progress/--no-progress", default=None, help="Show a progress bar (default: on a terminal)."
)
@click.option(
    "--cache/--no-cache",
    default=None,
    help="Read the diagrams drawn by an earlier run from the cache in ~/.cache/bpr (default; "
    "BPR_NO_CACHE=1 turns it off), or draw them all again.",
)
def report(
    paths: tuple[str, ...],
    output: str,
    fmt: str | None,
    title: str | None,
    template: str | None,
    page: str | None,
    portrait: bool | None,
    progress: bool | None,
    cache: bool | None,
) -> int:
    """Write a report of the services in PATHS: measures, diagrams, changes, documents.

    PATHS are model files or folders; their variants are grouped into services by their
    `service` field, wherever the files lie. With several services the report opens with a
    sortable portfolio table and the yearly totals. A model that fails to load is reported
    and skipped (exit status 1; the report is written all the same).

    \b
    Examples:
      bpr report models/property-registration -o property.html
      bpr report models -o portfolio.html
      bpr report models -o guide/portfolio.md
      bpr report models -o portfolio.xlsx
      bpr report models/property-registration -o note.docx --template ministry.docx
      bpr report models -o portfolio.pdf
      bpr report models -o portfolio.pdf --page A3 --landscape
    """
    if output == STDOUT and fmt != "html":
        raise click.UsageError(
            _(
                "-o - prints the report with --format html only: a Markdown report writes its "
                "diagrams beside its file, and a workbook is not text; name a file"
            )
        )
    try:
        chosen = report_format(output, fmt)
    except OutputError as exc:
        raise click.UsageError(str(exc)) from None
    if template is not None and chosen != "word":
        raise click.UsageError(_("--template is for Word reports: name the output .docx"))
    if (page is not None or portrait is not None) and chosen not in ("word", "pdf"):
        raise click.UsageError(
            _(
                "--page, --portrait and --landscape are for printed reports: name the output "
                ".docx or .pdf"
            )
        )
    sizes = {"a4": "A4", "a3": "A3", "letter": "letter"}
    orientation = None if portrait is None else "portrait" if portrait else "landscape"
    model_paths(paths)  # a folder without model files is wrong usage, as for bpr metrics
    enabled = _on_terminal() if progress is None else progress
    with progress_bar(enabled) as update:
        result = write_report(
            paths,
            output,
            fmt=fmt,
            title=title,
            progress=update,
            template=template,
            page=sizes[(page or "A4").lower()],
            orientation=orientation,
            cache=cache,
        )
    for entry in result.skipped:  # file names and reasons are shown, never obeyed, by a terminal
        click.echo(_("skipped {file}:").format(file=for_terminal(entry.file)), err=True)
        for line in entry.reason.splitlines():
            indent = len(line) - len(line.lstrip(" "))
            click.echo(f"  {' ' * indent}{for_terminal(line)}", err=True)
    # the page itself went to standard output: the summary goes beside it, not into it
    # TRANSLATORS: {summary} says which report was written where
    wrote = _("wrote {summary}").format(summary=for_terminal(result.summary()))
    click.echo(wrote, err=output == STDOUT)
    return 1 if result.skipped else 0
