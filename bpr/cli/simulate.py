"""``bpr simulate``: Monte Carlo simulation of a model's cases."""

from __future__ import annotations

from typing import Any

import click

from bpr.analysis.table import format_number, text_table
from bpr.cli._common import echo_json, echo_problems, lang_option
from bpr.core.durations import DurationError, parse_duration
from bpr.core.text import for_terminal
from bpr.errors import SimulationError
from bpr.files.eventlog import LOG_SUFFIXES, write_log
from bpr.files.load import load
from bpr.simulate import StaffSearch, find_staff, parse_target, plot_lead_times
from bpr.simulate import simulate as run
from bpr.simulate.queueing import compiled_on_disk

__all__ = ["simulate"]


@click.command()
@lang_option
@click.argument("model", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-n",
    "--cases",
    default=10_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Number of cases to simulate.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=None,
    help="Seed of the random numbers: the same seed gives the same result "
    "[default: a fresh seed, printed].",
)
@click.option("--json", "as_json", is_flag=True, help="Print every figure as one JSON object.")
@click.option(
    "--plot",
    "plot",
    type=click.Path(dir_okay=False),
    help="Write a histogram of the lead times (.png or .svg).",
)
@click.option(
    "--log",
    "log",
    type=click.Path(dir_okay=False),
    help="Write the simulated cases as an event log (.xes or .csv, optionally .gz, or .parquet).",
)
@click.option(
    "--start",
    default="2026-01-05",
    show_default=True,
    help="Date (YYYY-MM-DD) the first simulated case arrives, for --log.",
)
@click.option(
    "--paths",
    "top_paths",
    default=10,
    show_default=True,
    type=click.IntRange(min=0),
    help="How many of the most frequent paths to list.",
)
@click.option(
    "--staff",
    "staff",
    multiple=True,
    metavar="ACTOR=N",
    help="Give ACTOR N staff (desks) instead of the model's; repeat for more actors. Cases "
    "then queue for them first come, first served.",
)
@click.option(
    "--deadline",
    "deadline",
    metavar="DURATION",
    help="The legal deadline (such as 15d) instead of the model's: the share of cases over it.",
)
@click.option(
    "--find-staff",
    "find",
    is_flag=True,
    help="Search the fewest staff per actor that meet --target, and print the staff tried.",
)
@click.option(
    "--target",
    "target",
    metavar="TARGET",
    help="What --find-staff must meet: p90<=15d (mean, p50, p90, p95, max of the lead time) "
    "or deadline>=0.95 (the share of cases within the deadline).",
)
def simulate(
    model: str,
    cases: int,
    seed: int | None,
    as_json: bool,
    plot: str | None,
    log: str | None,
    start: str,
    top_paths: int,
    staff: tuple[str, ...],
    deadline: str | None,
    find: bool,
    target: str | None,
) -> int:
    """Simulate cases of MODEL: the spread of lead times behind the expected value.

    Each case follows the choices by their probabilities, goes round loops as its dice say,
    waits for the slowest branch of a parallel split, and draws durations from their ranges
    (2d..9d) or triangles ({min, mode, max}). Prints the lead time's mean and percentiles, the
    share of cases per path, and the applicant's hours and fees per case.

    Where actors have staff (or --staff gives them some), the cases arrive at the model's
    volume a year and queue for the staff, who work in their office hours: the report adds
    each actor's utilisation, queue waiting and queue length.
    """
    import secrets

    if plot and not plot.lower().endswith((".png", ".svg")):
        raise click.BadParameter("name a .png or .svg file", param_hint="--plot")
    if log and not log.lower().endswith(LOG_SUFFIXES):
        raise click.BadParameter(
            "name a file ending in " + ", ".join(LOG_SUFFIXES), param_hint="--log"
        )
    desks = _staff_option(staff)
    deadline_hours = _deadline_option(deadline)
    if find and not target:
        raise click.UsageError("--find-staff needs a --target, such as --target p90<=15d")
    if target and not find:
        raise click.UsageError("--target is what --find-staff searches for: add --find-staff")
    goal = None
    if target:
        try:
            goal = parse_target(target)
        except SimulationError as error:
            raise click.BadParameter(str(error), param_hint="--target") from None
    loaded = load(model)
    echo_problems(loaded.warnings)
    if seed is None:
        seed = secrets.randbelow(2**31)
    queued = bool(desks) or any(
        a.staff is not None or (a.hours is not None and not a.hours.always)
        for a in loaded.actors.values()
    )
    if queued and not compiled_on_disk():
        click.echo(
            "compiling the simulation with staff, once (about 20 s); later runs start at once",
            err=True,
        )
    if goal is not None:
        search = find_staff(
            loaded, goal, cases=cases, seed=seed, staff=desks, deadline_hours=deadline_hours
        )
        if as_json:
            echo_json(search.as_dict())
        else:
            click.echo(_search_report(search, loaded.service, loaded.variant, cases, seed))
        return 0 if search.best is not None else 1
    result = run(
        loaded,
        cases,
        seed,
        events=log is not None,
        start=start,
        top_paths=top_paths,
        staff=desks,
        deadline_hours=deadline_hours,
    )
    if plot:
        plot_lead_times(result, plot, inputs=(model,))
    if log:
        assert result.events is not None
        write_log(log, result.events, inputs=(model,))
    if as_json:
        echo_json(result.summary())
    else:
        click.echo(_report(result.summary(), loaded.currency))
    for written in (plot, log):
        if written:
            click.echo(f"wrote {for_terminal(written)}", err=True)
    return 0


def _staff_option(values: tuple[str, ...]) -> dict[str, int]:
    desks: dict[str, int] = {}
    for value in values:
        actor, equals, count = value.partition("=")
        if not equals or not actor.strip() or not count.strip().isdigit() or int(count) < 1:
            raise click.BadParameter(
                f"'{value}': write ACTOR=N with the actor's id and a whole number from 1 up, "
                "such as --staff desk=3",
                param_hint="--staff",
            )
        desks[actor.strip()] = int(count)
    return desks


def _deadline_option(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        hours = parse_duration(value).mean
    except DurationError as error:
        raise click.BadParameter(str(error), param_hint="--deadline") from None
    if hours <= 0:
        raise click.BadParameter("the deadline must be longer than 0", param_hint="--deadline")
    return hours


def _search_report(search: StaffSearch, service: str, variant: str, cases: int, seed: int) -> str:
    actors = search.actors
    rows = []
    for number, trial in enumerate(search.trials, 1):
        rows.append(
            [
                str(number),
                *(str(trial.staff[a]) for a in actors),
                search.target.describe(trial.value),
                "yes" if trial.met else "no",
                ", ".join(
                    f"{a} {100 * u:.0f}%" for a, u in trial.utilisation.items() if u is not None
                ),
            ]
        )
    lines = [
        f"{service}/{variant}: the fewest staff for {search.target.text} "
        f"({cases:,} simulated cases a trial, seed {seed})",
        "",
        text_table(["trial", *actors, "gave", "met", "utilisation"], rows),
        "",
    ]
    if search.best is None:
        lines.append(f"No staff met {search.target.text} within {len(search.trials)} trials.")
    else:
        found = ", ".join(f"{a} {n}" for a, n in search.best.items())
        lines.append(f"Fewest staff that meet {search.target.text}: {found}")
    return "\n".join(lines)


def _report(summary: dict[str, Any], currency: str | None) -> str:
    figures = ("mean", "p50", "p90", "p95", "max")
    lead = summary["lead_time_days"]
    per_case = [
        ["Lead time (days)", *(format_number(lead[f]) for f in figures)],
    ]
    if "queue_days" in summary:
        per_case.append(
            [
                "Waiting for staff (days)",
                *(format_number(summary["queue_days"][f]) for f in figures),
            ]
        )
    per_case += [
        [
            "Applicant's time (hours)",
            *(format_number(summary["applicant_hours"][f]) for f in figures),
        ],
        [
            f"Fees ({currency})" if currency else "Fees",
            *(format_number(summary["fees"][f]) for f in figures),
        ],
    ]
    lines = [
        f"{summary['service']}/{summary['variant']}: {summary['cases']:,} simulated cases "
        f"(seed {summary['seed']}; repeat with --seed {summary['seed']})",
        "",
        text_table(["per case", *figures], per_case),
        "",
        f"Expected lead time (bpr metrics): {format_number(summary['expected_lead_time_days'])} "
        f"days; work of all actors: {format_number(summary['work_hours_mean'])} hours per case",
    ]
    if "deadline_days" in summary:
        lines.append(
            f"Over the deadline of {format_number(summary['deadline_days'])} days: "
            f"{100 * summary['over_deadline']:.2f}% of cases"
        )
    if "actors" in summary:
        rows = []
        for actor, queue in summary["actors"].items():
            wait = queue["wait_hours"]
            rows.append(
                [
                    actor,
                    "-" if queue["staff"] is None else str(queue["staff"]),
                    "-" if queue["utilisation"] is None else f"{100 * queue['utilisation']:.1f}%",
                    *(format_number(wait[f]) for f in ("mean", "p50", "p90", "p95")),
                    format_number(queue["queue_length_mean"]),
                ]
            )
        lines += [
            "",
            "Queues (staff '-': as many as cases; waiting in hours, for staff and opening time):",
            text_table(
                ["actor", "staff", "busy", "wait mean", "p50", "p90", "p95", "queue length"],
                rows,
            ),
        ]
    if summary["paths"]:
        lines += ["", "Paths through the choices (share of cases):"]
        for entry in summary["paths"]:
            steps = _compact(entry["path"]) or "(no choices)"
            lines.append(f"  {100 * entry['share']:6.2f}%  {steps}")
        other = summary["other_paths"]
        if other["paths"]:
            lines.append(f"  {100 * other['share']:6.2f}%  {other['paths']:,} other paths")
    return "\n".join(lines)


def _compact(path: list[str]) -> str:
    """A path for reading: repeats in a row written once with their count.

    >>> _compact(["a->b", "a->b", "a->c"])
    'a->b (x2), a->c'
    """
    parts: list[list[object]] = []
    for choice in path:
        if parts and parts[-1][0] == choice:
            parts[-1][1] = int(parts[-1][1]) + 1  # type: ignore[call-overload]
        else:
            parts.append([choice, 1])
    return ", ".join(f"{c} (x{n})" if n != 1 else str(c) for c, n in parts)
