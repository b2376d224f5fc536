"""``bpr simulate``: Monte Carlo simulation of a model's cases."""

from __future__ import annotations

from typing import Any

import click

from bpr.analysis.table import format_number, measure_label, text_table
from bpr.cli._common import echo_json, echo_problems, lang_option
from bpr.core.durations import DurationError, parse_duration
from bpr.core.i18n import N_, domain, number, numeral
from bpr.core.text import for_terminal
from bpr.errors import SimulationError
from bpr.files.eventlog import LOG_SUFFIXES, write_log
from bpr.files.load import load
from bpr.simulate import StaffSearch, find_staff, parse_target, plot_lead_times
from bpr.simulate import simulate as run
from bpr.simulate.queueing import compiled_on_disk

__all__ = ["simulate"]

_, ngettext, pgettext = domain("simulate")

#: The figures of a distribution, as the tables head their columns.
_FIGURES = {
    # TRANSLATORS: a column of the simulation's table: the mean of the simulated values
    "mean": N_("mean"),
    "p50": "p50",
    "p90": "p90",
    "p95": "p95",
    # TRANSLATORS: a column of the simulation's table: the largest simulated value
    "max": N_("max"),
}


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
        raise click.BadParameter(_("name a .png or .svg file"), param_hint="--plot")
    if log and not log.lower().endswith(LOG_SUFFIXES):
        raise click.BadParameter(
            _("name a file ending in {suffixes}").format(suffixes=", ".join(LOG_SUFFIXES)),
            param_hint="--log",
        )
    desks = _staff_option(staff)
    deadline_hours = _deadline_option(deadline)
    if find and not target:
        raise click.UsageError(_("--find-staff needs a --target, such as --target p90<=15d"))
    if target and not find:
        raise click.UsageError(_("--target is what --find-staff searches for: add --find-staff"))
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
            _("compiling the simulation with staff, once (about 20 s); later runs start at once"),
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
            click.echo(_("wrote {path}").format(path=for_terminal(written)), err=True)
    return 0


def _staff_option(values: tuple[str, ...]) -> dict[str, int]:
    desks: dict[str, int] = {}
    for value in values:
        actor, equals, count = value.partition("=")
        if not equals or not actor.strip() or not count.strip().isdigit() or int(count) < 1:
            raise click.BadParameter(
                _(
                    "'{value}': write ACTOR=N with the actor's id and a whole number from 1 up, "
                    "such as --staff desk=3"
                ).format(value=value),
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
        raise click.BadParameter(_("the deadline must be longer than 0"), param_hint="--deadline")
    return hours


def _search_report(search: StaffSearch, service: str, variant: str, cases: int, seed: int) -> str:
    actors = search.actors
    rows = []
    for count, trial in enumerate(search.trials, 1):
        rows.append(
            [
                str(count),
                *(str(trial.staff[a]) for a in actors),
                search.target.describe(trial.value),
                # TRANSLATORS: whether a trial's staff met the target
                pgettext("target met", "yes") if trial.met else pgettext("target met", "no"),
                ", ".join(
                    f"{a} {_percent(number(100 * u, '.0f'))}"
                    for a, u in trial.utilisation.items()
                    if u is not None
                ),
            ]
        )
    # TRANSLATORS: the columns of the staff search: the trial's number, then one column per
    # actor (its staff), the figure the trial gave, whether it met the target, the
    # utilisation of each actor's staff
    headers = [_("trial"), *actors, _("gave"), _("met"), _("utilisation")]
    title = ngettext(
        "{service}/{variant}: the fewest staff for {target} ({cases} simulated cases a trial, "
        "seed {seed})",
        "{service}/{variant}: the fewest staff for {target} ({cases} simulated cases a trial, "
        "seed {seed})",
        cases,
    )
    lines = [
        title.format(
            service=service,
            variant=variant,
            target=search.target.text,
            cases=number(cases, ","),
            seed=seed,
        ),
        "",
        text_table(headers, rows),
        "",
    ]
    if search.best is None:
        tried = len(search.trials)
        none = ngettext(
            "No staff met {target} within {n} trials.",
            "No staff met {target} within {n} trials.",
            tried,
        )
        lines.append(none.format(target=search.target.text, n=tried))
    else:
        found = ", ".join(f"{a} {n}" for a, n in search.best.items())
        lines.append(
            _("Fewest staff that meet {target}: {staff}").format(
                target=search.target.text, staff=found
            )
        )
    return "\n".join(lines)


def _figures(values: dict[str, Any], figures: tuple[str, ...]) -> list[str]:
    return [numeral(format_number(values[f])) for f in figures]


def _report(summary: dict[str, Any], currency: str | None) -> str:
    figures = ("mean", "p50", "p90", "p95", "max")
    per_case = [[measure_label("lead_time_days"), *_figures(summary["lead_time_days"], figures)]]
    if "queue_days" in summary:
        per_case.append([_("Waiting for staff (days)"), *_figures(summary["queue_days"], figures)])
    per_case += [
        [measure_label("applicant_hours"), *_figures(summary["applicant_hours"], figures)],
        [measure_label("fees", currency), *_figures(summary["fees"], figures)],
    ]
    cases, seed = summary["cases"], summary["seed"]
    # TRANSLATORS: the English writes "cases" for one case as well
    title = ngettext(
        "{service}/{variant}: {cases} simulated cases (seed {seed}; repeat with --seed {seed})",
        "{service}/{variant}: {cases} simulated cases (seed {seed}; repeat with --seed {seed})",
        cases,
    )
    lines = [
        title.format(
            service=summary["service"],
            variant=summary["variant"],
            cases=number(cases, ","),
            seed=seed,
        ),
        "",
        # TRANSLATORS: the header of the column of the simulation's figures per case
        text_table([_("per case"), *(_(_FIGURES[f]) for f in figures)], per_case),
        "",
        _(
            "Expected lead time (bpr metrics): {days} days; work of all actors: {hours} hours "
            "per case"
        ).format(
            days=numeral(format_number(summary["expected_lead_time_days"])),
            hours=numeral(format_number(summary["work_hours_mean"])),
        ),
    ]
    if "deadline_days" in summary:
        lines.append(
            _("Over the deadline of {days} days: {share}% of cases").format(
                days=numeral(format_number(summary["deadline_days"])),
                share=number(100 * summary["over_deadline"], ".2f"),
            )
        )
    if "actors" in summary:
        rows = []
        for actor, queue in summary["actors"].items():
            wait = queue["wait_hours"]
            busy = queue["utilisation"]
            rows.append(
                [
                    actor,
                    "-" if queue["staff"] is None else str(queue["staff"]),
                    "-" if busy is None else _percent(number(100 * busy, ".1f")),
                    *_figures(wait, ("mean", "p50", "p90", "p95")),
                    numeral(format_number(queue["queue_length_mean"])),
                ]
            )
        # TRANSLATORS: the columns of the queues' table: the actor's id, its staff, the share
        # of their time they are busy, the mean wait and its percentiles, the mean queue length
        headers = [
            _("actor"),
            _("staff"),
            _("busy"),
            _("wait mean"),
            "p50",
            "p90",
            "p95",
            _("queue length"),
        ]
        lines += [
            "",
            _(
                "Queues (staff '-': as many as cases; waiting in hours, for staff and opening "
                "time):"
            ),
            text_table(headers, rows),
        ]
    if summary["paths"]:
        lines += ["", _("Paths through the choices (share of cases):")]
        for entry in summary["paths"]:
            steps = _compact(entry["path"]) or _("(no choices)")
            lines.append(f"  {_share(entry['share'])}  {steps}")
        other = summary["other_paths"]
        if other["paths"]:
            paths = ngettext("{n} other paths", "{n} other paths", other["paths"])
            lines.append(
                f"  {_share(other['share'])}  {paths.format(n=number(other['paths'], ','))}"
            )
    return "\n".join(lines)


def _share(share: float) -> str:
    """A share of cases as the paths list writes it, six characters wide: `` 12.50%``."""
    return _percent(numeral(f"{100 * share:6.2f}"))


def _percent(figure: str) -> str:
    """A percentage written the language's way (Russian puts a no-break space before %)."""
    # TRANSLATORS: a percentage; {value} is the number already written
    return pgettext("percent", "{value}%").format(value=figure)


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
