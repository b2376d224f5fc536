"""``bpr diff``: what changed from the As-Is to the To-Be, and which redesign it applies."""

from __future__ import annotations

import json
from pathlib import Path

import click

from bpr.cli._common import echo_problems, lang_option, output_option
from bpr.comparison import Comparison, compare, to_html, to_markdown, to_text, variant_files
from bpr.comparison.html import html_page, page_title
from bpr.core._gc import gc_paused
from bpr.core.i18n import domain
from bpr.core.model import Model
from bpr.core.text import for_terminal
from bpr.files.load import load
from bpr.files.output import STDOUT, atomic_write

__all__ = ["diff"]

_, ngettext = domain("measures")[:2]

_FORMATS = ("text", "json", "markdown", "html")


@click.command()
@lang_option
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "--format",
    "-f",
    "output_format",
    type=click.Choice(_FORMATS),
    default=None,
    help="text (default: a report for the terminal), json, markdown or html (a whole page "
    "in a file, a fragment on standard output).",
)
@click.option(
    "--fragment/--page",
    default=None,
    help="With --format html: only the <section> to embed in another page, or a whole page "
    "(default: a page when -o names a file, a fragment when printed).",
)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@output_option(
    "Write the report to this file instead of printing it (- prints it).",
    required=False,
    allow_dash=True,
)
def diff(
    paths: tuple[str, ...],
    output_format: str | None,
    fragment: bool | None,
    as_json: bool,
    output: str | None,
) -> int:
    """Compare the As-Is with the To-Be: steps, documents, measures and redesigns.

    PATHS is AS_IS TO_BE (two model files of one service), or one SERVICE_FOLDER holding
    as-is.yaml and to-be.yaml; a folder with several To-Be variants (to-be-2030.yaml ...)
    compares each with the As-Is.

    \b
    Examples:
      bpr diff models/property-registration
      bpr diff as-is.yaml to-be.yaml --json
      bpr diff models/property-registration --format html -o comparison.html
      bpr diff models/property-registration --format html --fragment -o part.html
    """
    if as_json and output_format not in (None, "json"):
        raise click.UsageError(
            _("--json and --format {format} contradict; give one of them").format(
                format=output_format
            )
        )
    fmt = "json" if as_json else output_format or "text"
    with gc_paused():  # two models, many small objects and no cycles (see bpr.core._gc)
        inputs, comparisons = _compare(paths)
    if fmt != "text":  # the text report shows its notes; other formats go to files or tools
        for comparison in comparisons:
            for note in comparison.notes:
                click.echo(_("note: {note}").format(note=for_terminal(note)), err=True)
    if fragment is not None and fmt != "html":
        raise click.UsageError(_("--fragment and --page are for --format html"))
    text = _render(comparisons, fmt, several=len(comparisons) > 1)
    to_file = bool(output and output != STDOUT)
    if fmt == "html" and (not fragment if fragment is not None else to_file):
        title = page_title(comparisons[0].as_is.service)
        text = html_page([to_html(c) for c in comparisons], title)
    if output and output != STDOUT:
        atomic_write(output, text, inputs=inputs)
        click.echo(_("wrote {path}").format(path=for_terminal(output)), err=True)
    else:
        click.echo(text, nl=False)
    return 0


def _compare(paths: tuple[str, ...]) -> tuple[list[str], list[Comparison]]:
    if len(paths) == 1:
        folder = Path(paths[0])
        if not folder.is_dir():
            raise click.UsageError(
                _(
                    "{path} is one file; name the As-Is and the To-Be files "
                    "(bpr diff AS_IS TO_BE) or a service folder with as-is.yaml and to-be.yaml"
                ).format(path=paths[0])
            )
        as_is_path, to_be_paths = variant_files(folder)
        as_is = _load(as_is_path)
        return [paths[0]], [compare(as_is, _load(path)) for path in to_be_paths]
    if len(paths) != 2:
        raise click.UsageError(
            ngettext(
                "{n} paths given; name two files (bpr diff AS_IS TO_BE) or one service folder",
                "{n} paths given; name two files (bpr diff AS_IS TO_BE) or one service folder",
                len(paths),
            ).format(n=len(paths))
        )
    for path in paths:
        if Path(path).is_dir():
            raise click.UsageError(
                _(
                    "{path} is a folder; with two paths, name two model files "
                    "(bpr diff AS_IS TO_BE)"
                ).format(path=path)
            )
    return list(paths), [compare(_load(paths[0]), _load(paths[1]))]


def _load(path: str | Path) -> Model:
    model = load(path)
    echo_problems(model.warnings)
    return model


def _render(comparisons: list[Comparison], fmt: str, *, several: bool) -> str:
    if fmt == "json":
        if several:
            data = [
                {"files": {"from": c.as_is.file, "to": c.to_be.file}, **c.as_dict()}
                for c in comparisons
            ]
            return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        return json.dumps(comparisons[0].as_dict(), indent=2, ensure_ascii=False) + "\n"
    render = {"text": to_text, "markdown": to_markdown, "html": to_html}[fmt]
    return "\n".join(render(c) for c in comparisons)
