"""``bpr validate`` and ``bpr metrics``: the commands an analyst runs on every save."""

from __future__ import annotations

from pathlib import Path

import click

from bpr.analysis.measures import MEASURE_KEYS, MEASURE_LABELS, measure, measures_json
from bpr.analysis.table import format_number, measure_label, text_table
from bpr.cli._common import echo_json, lang_option, load_models
from bpr.core.i18n import domain, numeral
from bpr.core.model import Model
from bpr.core.money import format_money
from bpr.core.text import for_terminal

__all__ = ["metrics", "validate"]

_, ngettext = domain("measures")[:2]

_PATHS = click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))


@click.command()
@lang_option
@_PATHS
@click.option("-q", "--quiet", is_flag=True, help="Print problems only, not the files that pass.")
def validate(paths: tuple[str, ...], quiet: bool) -> int:
    """Check model files against the format and the flow rules.

    PATHS are model files or folders (searched for *.yaml and *.yml). Every problem is printed
    as FILE:LINE:COL with the place in the model and how to fix it. Exit status 1 when a file
    is invalid.
    """
    models, failures = load_models(paths)
    if not quiet:
        for model in models:
            n = len(model.steps)
            # TRANSLATORS: a file that passed validation; {n} counts its steps (the English
            # writes "steps" for one as well)
            line = ngettext(
                "ok  {file}  ({n} steps, {service}/{variant})",
                "ok  {file}  ({n} steps, {service}/{variant})",
                n,
            )
            click.echo(
                line.format(
                    file=for_terminal(model.file),
                    n=n,
                    service=model.service,
                    variant=for_terminal(model.variant),
                )
            )
        total = len(models) + len(failures)
        summary = ngettext(
            "{n} file checked: {valid} valid, {invalid} invalid",
            "{n} files checked: {valid} valid, {invalid} invalid",
            total,
        )
        click.echo(summary.format(n=total, valid=len(models), invalid=len(failures)))
    return 1 if failures else 0


@click.command()
@lang_option
@_PATHS
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the contract's JSON object (an array for several files).",
)
def metrics(paths: tuple[str, ...], as_json: bool) -> int:
    """Measure models: steps, handoffs, visits, documents, lead time, effort, fees, burden.

    One file gives one JSON object with --json; several files or a folder give an array of
    objects, each with a "file" key. Invalid files are reported and skipped (exit status 1);
    one invalid file gives its problems and no JSON at all.
    """
    models, failures = load_models(paths)
    one_file = len(paths) == 1 and not Path(paths[0]).is_dir()
    if as_json:
        if one_file and models:
            echo_json(measures_json(models[0]))
        elif not one_file:
            echo_json([{"file": m.file, **measures_json(m)} for m in models])
    elif models:
        click.echo(_metrics_table(models))
    return 1 if failures else 0


def _metrics_table(models: list[Model]) -> str:
    currencies = {m.currency for m in models}
    currency = currencies.pop() if len(currencies) == 1 else None
    results = [measure(m).as_dict() for m in models]
    # TRANSLATORS: the header of the column of measure names in bpr metrics
    headers = [_("measure"), *(f"{m.service}/{for_terminal(m.variant)}" for m in models)]
    unit = None if currency is None else for_terminal(currency)

    def cell(key: str, model: Model, value: object) -> str:
        if MEASURE_LABELS[key][1] != "money" or value is None:
            return numeral(format_number(value))
        # amounts keep their currency's minor units; where the files' currencies differ,
        # each cell names its own, so 480,000 UZS never stands unlabelled beside 2.81 AZN
        shown = None if model.currency is None else for_terminal(model.currency)
        return format_money(float(str(value)), shown, unit=currency is None)

    rows = [
        [
            measure_label(key, unit),
            *(cell(key, m, r[key]) for m, r in zip(models, results, strict=True)),
        ]
        for key in MEASURE_KEYS
    ]
    return text_table(headers, rows)
