"""``bpr mine`` and ``bpr conform``: from event logs to models and back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from bpr.analysis.table import format_number, text_table
from bpr.cli._common import echo_json, echo_problems, lang_option, output_option
from bpr.core.i18n import domain, number, numeral
from bpr.core.text import for_terminal
from bpr.files.eventlog import LogColumns
from bpr.files.load import load
from bpr.files.output import atomic_write
from bpr.mining import conform as run_conform
from bpr.mining import mine as run_mine
from bpr.mining.progress import Progress
from bpr.mining.reduce import ENGINES, memory_problem, parse_memory, reduce_log

__all__ = ["conform", "mine"]

_, ngettext = domain("measures")[:2]


def _column_options(function: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option(
            "--case",
            "case",
            default="case:concept:name",
            show_default=True,
            help="Column (CSV) or trace attribute (XES) of the case id.",
        ),
        click.option(
            "--activity",
            default="concept:name",
            show_default=True,
            help="Column or event attribute of the activity.",
        ),
        click.option(
            "--timestamp",
            default="time:timestamp",
            show_default=True,
            help="Column or event attribute of the (complete) timestamp.",
        ),
        click.option(
            "--start-timestamp",
            default=None,
            help="Column of the start timestamp "
            "[default: start_timestamp where present; XES start events].",
        ),
        click.option(
            "--resource",
            default=None,
            help="Column or attribute of the resource [default: org:resource where present].",
        ),
        click.option(
            "--group",
            default=None,
            help="Column or attribute of the group [default: org:group where present].",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _engine_options(function: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option(
            "--engine",
            default="auto",
            show_default=True,
            type=click.Choice(ENGINES),
            help="How the log is reduced to its variants and figures: in memory (pandas, reads "
            "every date form), in DuckDB (large logs, ISO 8601 times), or auto (DuckDB for "
            "Parquet and files of 32 MB and more).",
        ),
        click.option(
            "--memory",
            default=None,
            metavar="SIZE",
            help="Most memory the command may use, such as 2GB: DuckDB gets what the rest of "
            "the process leaves of it and spills beyond that to a temporary folder removed "
            "at the end [default: DuckDB's own, 80% of the machine].",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _memory(log: str, engine: str, text: str | None) -> int | None:
    """The memory limit in bytes, and a warning where it cannot be kept to as asked."""
    memory = parse_memory(text) if text else None
    warning = memory_problem(log, engine, memory)
    if warning is not None:
        echo_problems([warning])
    return memory


def _summary(
    progress: Progress, log: str, engine: str, memory: str | None, what: str, seconds: float
) -> None:
    """The one line on standard error after a reduction that took more than a second."""
    if engine != "duckdb":
        # TRANSLATORS: the log was reduced by pandas, in the memory of this process
        line = _("reduced {log} (in memory): {what}")
    elif memory:
        line = _("reduced {log} (DuckDB, memory limit {memory}): {what}")
    else:
        line = _("reduced {log} (DuckDB): {what}")
    progress.summary(for_terminal(line.format(log=log, memory=memory, what=what)), seconds)


def _log_size(events: int, cases: int) -> str:
    """``1,200 events, 100 cases`` in the output language."""
    return _("{events}, {cases}").format(
        events=ngettext("{n} events", "{n} events", events).format(n=number(events, ",")),
        cases=ngettext("{n} cases", "{n} cases", cases).format(n=number(cases, ",")),
    )


def _columns(options: dict[str, Any]) -> LogColumns:
    return LogColumns(
        case=options["case"],
        activity=options["activity"],
        timestamp=options["timestamp"],
        resource=options["resource"],
        group=options["group"],
        start=options["start_timestamp"],
    )


@click.command()
@lang_option
@click.argument("log", type=click.Path(exists=True, dir_okay=False))
@output_option("The model file to write (.yaml).")
@click.option(
    "--service", default=None, help="Service id of the model [default: from the log's file name]."
)
@click.option("--variant", default="as-is", show_default=True, help="Variant label of the model.")
@click.option(
    "--noise",
    default=0.2,
    show_default=True,
    type=click.FloatRange(0, 1),
    help="Noise threshold of the inductive miner: 0 keeps every path, higher drops rare ones.",
)
@click.option(
    "--actor",
    "actor_from",
    default="auto",
    show_default=True,
    type=click.Choice(["auto", "group", "resource"]),
    help="Where actors come from: org:group, org:resource, "
    "or auto (the group where most events have one).",
)
@_engine_options
@_column_options
def mine(
    log: str,
    output: str,
    service: str | None,
    variant: str,
    noise: float,
    actor_from: str,
    engine: str,
    memory: str | None,
    **columns: Any,
) -> int:
    """Discover a draft As-Is model from the event LOG (XES, gzipped XES, CSV or Parquet).

    The log is reduced to its variants and per-activity figures (in DuckDB for large logs).
    Flows come from the inductive miner (IMf, as pm4py's) on the variants, converted into steps,
    choices with the share of cases that took each branch, parallel blocks and loops; work
    and wait are medians of the timestamps; actors the most frequent group or resource of each
    activity; volume the cases per year. Guesses are marked with comments in the YAML, and the
    draft's lead time is set beside the log's case durations. The result is checked like any
    model before it is written.
    """
    if not output.lower().endswith((".yaml", ".yml")):
        raise click.BadParameter(_("name a .yaml file"), param_hint="--output")
    options: dict[str, Any] = {"variant": variant, "noise": noise, "actor_from": actor_from}
    if service:
        options["service"] = service
    limit = _memory(log, engine, memory)
    progress = Progress()
    result = run_mine(
        log, _columns(columns), engine=engine, memory=limit, progress=progress, **options
    )
    atomic_write(output, result.text, inputs=(log,))
    what = _log_size(result.events, result.cases)
    _summary(progress, log, result.engine, memory, what, result.seconds)
    echo_problems(result.model.warnings)
    steps, routing = len(result.model.steps), len(result.routing_steps)
    counts = {
        "path": for_terminal(output),
        # TRANSLATORS: the counts of bpr mine's summary (the English says "steps",
        # "activities", "cases" and "events" for one as well)
        "steps": ngettext("{n} steps", "{n} steps", steps).format(n=steps),
        "activities": ngettext("{n} activities", "{n} activities", result.activities).format(
            n=result.activities
        ),
        "cases": ngettext("{n} cases", "{n} cases", result.cases).format(
            n=number(result.cases, ",")
        ),
        "events": ngettext("{n} events", "{n} events", result.events).format(
            n=number(result.events, ",")
        ),
        "routing": ngettext("{n} routing steps", "{n} routing steps", routing).format(n=routing),
    }
    if routing:
        wrote = _("wrote {path}: {steps}, {routing} from {activities}, {cases}, {events}")
    else:
        wrote = _("wrote {path}: {steps} from {activities}, {cases}, {events}")
    click.echo(wrote.format(**counts))
    # TRANSLATORS: how the flows were found (the discovery method's name follows)
    click.echo(_("flows: {method}").format(method=result.method))
    click.echo(result.lead_time_line())
    return 0


@click.command()
@lang_option
@click.argument("model", type=click.Path(exists=True, dir_okay=False))
@click.argument("log", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--method",
    default="tbr",
    show_default=True,
    type=click.Choice(["tbr", "alignments"]),
    help="Token-based replay (fast) or alignments (exact, slower).",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the figures as one JSON object (fitness under 'fitness').",
)
@click.option(
    "--variants",
    "top_variants",
    default=10,
    show_default=True,
    type=click.IntRange(min=0),
    help="How many of the most frequent deviating variants to list.",
)
@click.option(
    "--coverage",
    default=0.99,
    show_default=True,
    type=click.FloatRange(0, 1, min_open=True),
    help="Past 1,000 variants, replay the most frequent ones holding this share of the cases, "
    "and a sample of 100 of the rest.",
)
@_engine_options
@_column_options
def conform(
    model: str,
    log: str,
    method: str,
    as_json: bool,
    top_variants: int,
    coverage: float,
    engine: str,
    memory: str | None,
    **columns: Any,
) -> int:
    """Replay the event LOG on MODEL: does the model describe what really runs?

    Reports the fitness, the log's activities that no step of the model matches (by id, name,
    or the id made from the name), the steps the log never shows (silent in the replay), and
    the most frequent variants that deviate from the model. Every variant is replayed once;
    past 1,000 variants, those chosen by --coverage, which the result states.
    """
    loaded = load(model)
    echo_problems(loaded.warnings)
    limit = _memory(log, engine, memory)
    progress = Progress()
    reduced = reduce_log(log, _columns(columns), engine=engine, memory=limit, progress=progress)
    result = run_conform(
        loaded, reduced, log_file=log, method=method, top_variants=top_variants, coverage=coverage
    )
    _summary(
        progress,
        log,
        reduced.engine,
        memory,
        _("{size}, {variants}").format(
            size=_log_size(reduced.events, reduced.cases),
            variants=ngettext("{n} variants", "{n} variants", len(reduced.variants)).format(
                n=number(len(reduced.variants), ",")
            ),
        ),
        reduced.seconds,
    )
    if as_json:
        echo_json(result.as_dict())
        return 0
    data = result.as_dict()
    if method == "tbr":
        heading = _("{model} against {log} (token-based replay)")
    else:
        heading = _("{model} against {log} (alignments)")
    share = number(100 * (data["fitting_share"] or 0), ".1f")
    # TRANSLATORS: the cases whose trace the model replays without deviation, and their share
    fitting = _("{n} ({share}%)").format(n=number(data["fitting_cases"], ","), share=share)
    lines = [
        for_terminal(heading.format(model=model, log=log)),
        "",
        text_table(
            # TRANSLATORS: the two columns of bpr conform's table
            [_("measure"), _("value")],
            [
                [_("Fitness"), number(data["fitness"], ".4f")],
                [_("Cases"), numeral(format_number(data["cases"]))],
                [_("Events"), numeral(format_number(data["events"]))],
                [_("Cases that fit"), fitting],
            ],
        ),
    ]
    if result.coverage is not None:
        lines.append(_("Replayed: {coverage}").format(coverage=result.coverage.text()))
    missing = data["activities_missing_in_model"]
    lines += ["", _("Activities of the log that the model lacks: {n}").format(n=len(missing))]
    lines += [
        f"  {numeral(format(m['events'], '>8,'))}  {for_terminal(m['activity'])}" for m in missing
    ]
    unseen = data["steps_not_in_log"]
    lines += ["", _("Steps of the model that the log never shows: {n}").format(n=len(unseen))]
    lines += [f"  {s}" for s in unseen]
    variants = data["deviating_variants"]
    lines += ["", _("Most frequent deviating variants: {n}").format(n=len(variants))]
    for entry in variants:
        trace = " > ".join(for_terminal(activity) for activity in entry["variant"])
        line = ngettext(
            "  {n} cases  fitness {fitness}  {trace}",
            "  {n} cases  fitness {fitness}  {trace}",
            entry["cases"],
        )
        lines.append(
            line.format(
                n=numeral(format(entry["cases"], ">6,")),
                fitness=number(entry["fitness"], ".3f"),
                trace=trace,
            )
        )
    click.echo("\n".join(lines))
    return 0
