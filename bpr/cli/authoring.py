"""``bpr init``, ``bpr schema`` and ``bpr watch``: starting, editing and previewing models."""

from __future__ import annotations

from collections.abc import Iterable

import click

from bpr.authoring import RebuildResult, init_service, watch_models
from bpr.cli._common import lang_option, output_option
from bpr.core.i18n import domain
from bpr.core.schema import ID_PATTERN
from bpr.errors import BprError, OutputError
from bpr.files.jsonschema import schema_text
from bpr.files.output import atomic_write, refuse_model_name
from bpr.report import report_format

__all__ = ["init", "schema", "watch"]

_ = domain("measures").gettext


@click.command()
@lang_option
@click.argument("service")
@click.option(
    "--dir",
    "directory",
    default=".",
    show_default=True,
    type=click.Path(file_okay=False),
    help="The folder that holds the service folders.",
)
@click.option("--title", help="The service's name in the files (default: from SERVICE).")
@click.option(
    "--schema",
    "schema_ref",
    help="What the files' '# yaml-language-server: $schema=' line points to (a path or an "
    "address); by default DIR/model.schema.json, which is written too.",
)
@click.option("--force", is_flag=True, help="Overwrite existing files.")
def init(
    service: str, directory: str, title: str | None, schema_ref: str | None, force: bool
) -> int:
    """Start a service: write DIR/SERVICE/as-is.yaml and to-be.yaml, commented.

    The two files are a small working example (they validate and compare) to edit into the
    real procedure. Editors with the YAML language server read the schema named on their first
    line and offer completion and checks as you type.

    \b
    Example:
      bpr init birth-registration --dir models
    """
    if not ID_PATTERN.fullmatch(service):
        raise click.UsageError(
            _(
                "'{service}' is not a valid service id: use letters, digits, '_' and '-' only "
                "(such as birth-registration)"
            ).format(service=service)
        )
    result = init_service(service, directory, force=force, title=title, schema=schema_ref)
    for path in result.written:
        click.echo(_("wrote {path}").format(path=path))
    for note in result.kept:
        click.echo(_("note: {note}").format(note=note), err=True)
    folder = f"{directory.rstrip('/')}/{service}"
    click.echo(_("next: edit the files, then run  bpr validate {folder}").format(folder=folder))
    return 0


@click.command()
@lang_option
@output_option("Write the schema to this file instead of printing it.", required=False)
def schema(output: str | None) -> int:
    """Print the JSON Schema of the model format, for editors and validators.

    With the YAML language server (VS Code's YAML extension and others), a model file whose
    first line is '# yaml-language-server: $schema=PATH' gets completion, descriptions on hover
    and red squiggles for keys and values the format does not allow. The same schema ships in
    the package as bpr/data/model.schema.json.

    \b
    Example:
      bpr schema -o models/model.schema.json
    """
    text = schema_text()
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            refuse_model_name(output, "a JSON Schema file", ".json")
        except OutputError as exc:
            raise click.BadParameter(str(exc), param_hint="'-o' / '--output'") from None
        atomic_write(output, text)
        click.echo(_("wrote {path}").format(path=output), err=True)
    return 0


@click.command()
@lang_option
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@output_option("The report to keep up to date (.html, .md, .xlsx, .docx or .pdf).")
@click.option(
    "--refresh",
    default=2,
    show_default=True,
    type=click.IntRange(min=0),
    help="Seconds after which the HTML page reloads itself in the browser (0: never).",
)
def watch(paths: tuple[str, ...], output: str, refresh: int) -> int:
    """Rebuild the report whenever a model file under PATHS is saved; stop with Ctrl-C.

    Open the HTML report in a browser: it reloads itself every few seconds and keeps its place
    on the page, so it shows each save. A file with errors is listed in the report and on the
    terminal until it is fixed.

    \b
    Example:
      bpr watch models/property-registration -o /tmp/preview.html
    """
    try:
        fmt = report_format(output)
    except BprError as exc:
        raise click.UsageError(str(exc)) from None

    def show(result: RebuildResult, changed: Iterable[str]) -> None:
        names = ", ".join(changed)
        if names:
            click.echo(_("changed: {files}").format(files=names), err=True)
        click.echo(result.summary(), err=not result.ok)
        if result.report is not None:
            for entry in result.report.skipped:
                reason = entry.reason.splitlines()[0]
                skipped = _("  skipped {file}: {reason}").format(file=entry.file, reason=reason)
                click.echo(skipped, err=True)

    watching = _("watching {paths}; press Ctrl-C to stop").format(paths=", ".join(paths))
    click.echo(watching, err=True)
    watch_models(paths, output, refresh=refresh if fmt == "html" else 0, on_rebuild=show)
    return 0
