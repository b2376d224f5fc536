"""``bpr simulate``: Monte Carlo simulation of a model's cases."""

from __future__ import annotations

from typing import Any

import click

from bpr.analysis.table import format_number, text_table
from bpr.cli._common import echo_json, echo_problems
from bpr.core.text import for_terminal
from bpr.files.eventlog import LOG_SUFFIXES, write_log
from bpr.files.load import load
from bpr.simulate import plot_lead_times
from bpr.simulate import simulate as run

__all__ = ["simulate"]


@click.command()
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
    help="Write the simulated cases as an event log (.xes or .csv, optionally .gz).",
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
def simulate(
    model: str,
    cases: int,
    seed: int | None,
    as_json: bool,
    plot: str | None,
    log: str | None,
    start: str,
    top_paths: int,
) -> int:
    """Simulate cases of MODEL: the spread of lead times behind the expected value.

    Each case follows the choices by their probabilities, goes round loops as its dice say,
    waits for the slowest branch of a parallel split, and draws durations from their ranges
    (2d..9d) or triangles ({min, mode, max}). Prints the lead time's mean and percentiles, the
    share of cases per path, and the applicant's hours and fees per case.
    """
    import secrets

    if plot and not plot.lower().endswith((".png", ".svg")):
        raise click.BadParameter("name a .png or .svg file", param_hint="--plot")
    if log and not log.lower().endswith(LOG_SUFFIXES):
        raise click.BadParameter(
            "name a file ending in " + ", ".join(LOG_SUFFIXES), param_hint="--log"
        )
    loaded = load(model)
    echo_problems(loaded.warnings)
    if seed is None:
        seed = secrets.randbelow(2**31)
    result = run(loaded, cases, seed, events=log is not None, start=start, top_paths=top_paths)
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


def _report(summary: dict[str, Any], currency: str | None) -> str:
    figures = ("mean", "p50", "p90", "p95", "max")
    lead = summary["lead_time_days"]
    lines = [
        f"{summary['service']}/{summary['variant']}: {summary['cases']:,} simulated cases "
        f"(seed {summary['seed']}; repeat with --seed {summary['seed']})",
        "",
        text_table(
            ["per case", *figures],
            [
                ["Lead time (days)", *(format_number(lead[f]) for f in figures)],
                [
                    "Applicant's time (hours)",
                    *(format_number(summary["applicant_hours"][f]) for f in figures),
                ],
                [
                    f"Fees ({currency})" if currency else "Fees",
                    *(format_number(summary["fees"][f]) for f in figures),
                ],
            ],
        ),
        "",
        f"Expected lead time (bpr metrics): {format_number(summary['expected_lead_time_days'])} "
        f"days; work of all actors: {format_number(summary['work_hours_mean'])} hours per case",
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
