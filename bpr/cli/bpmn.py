"""``bpr export``, ``bpr import`` and ``bpr check``: BPMN 2.0 interchange and soundness."""

from __future__ import annotations

from pathlib import Path

import click

from bpr.analysis.petri import check_soundness
from bpr.bpmn.export import check_diagram_size, export_bpmn, to_bpmn
from bpr.bpmn.importer import import_bpmn
from bpr.cli._common import echo_json, echo_problems, lang_option, load_models, output_option
from bpr.core.i18n import domain
from bpr.core.schema import ID_PATTERN
from bpr.errors import OutputError
from bpr.files.output import atomic_write, refuse_model_name

__all__ = ["check", "export", "import_"]

_, ngettext, pgettext = domain("measures")

_STDOUT = "-"
# Past this many steps an export takes seconds (2,000 steps with the diagram: 2.4 s), so it
# says what it is doing on stderr.
_SAY_FROM_STEPS = 2000


@click.command()
@lang_option
@click.argument("model", type=click.Path(exists=True, dir_okay=False))
@output_option("The .bpmn file to write; - writes to standard output.", allow_dash=True)
@click.option(
    "--no-diagram",
    is_flag=True,
    help="Do not lay the diagram out: each lane a row, its elements side by side in the "
    "order of the process, straight flows (fast at any size; a BPMN tool's auto-layout can "
    "tidy it).",
)
def export(model: str, output: str, no_diagram: bool) -> int:
    """Write a model as a BPMN 2.0 file that BPMN tools open as a laid-out diagram.

    One pool with a lane per actor; tasks, exclusive and parallel gateways, start and end
    events; documents as data objects with input and output associations. The figures BPMN
    has no element for (work, wait, fee, channel, probabilities) are kept in bpr's extension
    elements, so that bpr import gives the same model back.

    \b
    Examples:
      bpr export models/property-registration/as-is.yaml -o as-is.bpmn
      bpr export as-is.yaml -o - | xmllint --format -
    """
    try:
        refuse_model_name(output, "a BPMN file", ".bpmn")
    except OutputError as exc:
        raise click.BadParameter(str(exc), param_hint="'-o' / '--output'") from None
    models, failures = load_models([model])
    if failures:
        return 1
    loaded = models[0]
    if len(loaded.steps) > _SAY_FROM_STEPS:
        if not no_diagram:
            check_diagram_size(loaded)  # refuse before saying what it would do
        n = len(loaded.steps)
        if no_diagram:
            doing = ngettext(
                "bpr export: {file}: {n} steps: writing the process; at this size it takes a while",
                "bpr export: {file}: {n} steps: writing the process; at this size it takes a while",
                n,
            )
        else:
            doing = ngettext(
                "bpr export: {file}: {n} steps: laying out the diagram; at this size it takes a "
                "while",
                "bpr export: {file}: {n} steps: laying out the diagram; at this size it takes a "
                "while",
                n,
            )
        click.echo(doing.format(file=loaded.file, n=n), err=True)
    if output == _STDOUT:
        click.echo(to_bpmn(loaded, diagram=not no_diagram).decode("utf-8"), nl=False)
        return 0
    export_bpmn(loaded, output, diagram=not no_diagram, inputs=(model,))
    lanes = len({s.actor for s in loaded.steps})
    counts = {
        # TRANSLATORS: the BPMN tasks written (the English says "tasks" for one as well)
        "tasks": ngettext("{n} tasks", "{n} tasks", len(loaded.steps)).format(n=len(loaded.steps)),
        "lanes": ngettext("{n} lane", "{n} lanes", lanes).format(n=lanes),
    }
    if no_diagram:
        wrote = _("wrote {path} ({service}/{variant}: {tasks}, {lanes}, no diagram)")
    else:
        wrote = _("wrote {path} ({service}/{variant}: {tasks}, {lanes})")
    click.echo(wrote.format(path=output, service=loaded.service, variant=loaded.variant, **counts))
    return 0


@click.command("import")
@lang_option
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@output_option("The model file (.yaml) to write; - writes to standard output.", allow_dash=True)
@click.option(
    "--process",
    metavar="ID",
    help="The pool to import where the file has several: a participant or process id or name "
    "(default: the one with the most activities).",
)
@click.option(
    "--service", metavar="ID", help="The service id of the model (default: from the file)."
)
@click.option("--variant", metavar="LABEL", help="The variant (default: as-is, or the file's own).")
@click.option("-q", "--quiet", is_flag=True, help="Do not print the warnings about approximations.")
@click.option(
    "--strict",
    is_flag=True,
    help="Make every approximation an error: exit 1, each one named, nothing written.",
)
def import_(
    file: str,
    output: str,
    process: str | None,
    service: str | None,
    variant: str | None,
    quiet: bool,
    strict: bool,
) -> int:
    """Read a BPMN 2.0 file (Camunda, bpmn.io, Signavio, ARIS, Bizagi, ...) into a model.

    Lanes become actors, tasks steps, exclusive gateways choices (the probabilities the file
    does not carry are spread evenly), parallel gateways splits and joins, data objects
    documents. What the format cannot hold (message flows, boundary and intermediate events,
    event sub-processes, inclusive and event-based gateways) is mapped to the nearest thing
    it has, or left out; each such place is printed as FILE:LINE: warning: ... and marked by
    a comment in the YAML. Review the model and fill in work, wait and fees.

    \b
    Examples:
      bpr import signavio-export.bpmn -o models/licensing/as-is.yaml
      bpr import pools.bpmn --process Participant_Agency -o agency.yaml
      bpr import exact.bpmn --strict -o model.yaml     # refuse any approximation
    """
    if service is not None and not ID_PATTERN.fullmatch(service):
        raise click.BadParameter(
            _("'{service}' is not a valid service id: use letters, digits, '_' and '-'").format(
                service=service
            ),
            param_hint="'--service'",
        )
    if variant is not None and not variant.strip():
        raise click.BadParameter(_("the variant is empty"), param_hint="'--variant'")
    result = import_bpmn(file, process=process, service=service, variant=variant, strict=strict)
    if not quiet:
        echo_problems(result.warnings)
    if output == _STDOUT:
        click.echo(result.text, nl=False)
        return 0
    if not output.endswith((".yaml", ".yml")):
        raise click.BadParameter(
            _("{path}: a model file ends in .yaml or .yml").format(path=output),
            param_hint="'-o' / '--output'",
        )
    atomic_write(output, result.text, inputs=(file,))
    model = result.model
    steps, actors = len(model.steps), len(model.actors)
    documents, warnings = len(model.documents), len(result.warnings)
    counts = {
        # TRANSLATORS: the steps of the imported model (the English says "steps" for one too)
        "steps": ngettext("{n} steps", "{n} steps", steps).format(n=steps),
        "actors": ngettext("{n} actor", "{n} actors", actors).format(n=actors),
        "documents": ngettext("{n} document", "{n} documents", documents).format(n=documents),
        "warnings": ngettext("{n} warning", "{n} warnings", warnings).format(n=warnings),
    }
    wrote = _("wrote {path} ({service}/{variant}: {steps}, {actors}, {documents}; {warnings})")
    click.echo(wrote.format(path=output, service=model.service, variant=model.variant, **counts))
    return 0


@click.command()
@lang_option
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "--soundness",
    is_flag=True,
    help="Check that each model is a sound workflow net. The default, and for now the only check.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the verdicts as JSON.")
def check(paths: tuple[str, ...], soundness: bool, as_json: bool) -> int:
    """Second opinions on models beyond the validator's rules.

    --soundness turns each model into a Petri net (with pm4py) and checks that it is a sound
    workflow net: every case can always reach the end, ends with no branch still running, and
    every step can run in some case. The verdict comes from a walk over every state a case
    can be in, which names the step or join where a problem lies, and from pm4py's Woflan
    (on nets of up to 80 transitions and 100 states; it grows slow beyond). Exit status 0
    when every model is sound, 1 otherwise.

    \b
    Examples:
      bpr check models/property-registration/as-is.yaml --soundness
      bpr check models --soundness --json
    """
    models, failures = load_models(paths)
    verdicts = []
    for model in models:
        verdict = check_soundness(model)
        verdicts.append((model, verdict))
    if as_json:
        rows = [{"file": m.file, **v.as_dict()} for m, v in verdicts]
        single = len(paths) == 1 and len(rows) == 1 and not Path(paths[0]).is_dir()
        echo_json(rows[0] if single else rows)
    else:
        for model, verdict in verdicts:
            # TRANSLATORS: the verdict of the soundness check of a model
            word = pgettext("soundness", "sound") if verdict.sound else _("NOT SOUND")
            click.echo(
                _("{file}: {verdict}: {reason}").format(
                    file=model.file, verdict=word, reason=verdict.reason
                )
            )
    unsound = sum(1 for _, v in verdicts if not v.sound)
    return 1 if failures or unsound else 0
