"""``bpr portfolio``: the portfolio as a programme manages it (docs/portfolio.md)."""

from __future__ import annotations

import click

from bpr.cli._common import echo_json, lang_option
from bpr.core.i18n import domain
from bpr.portfolio import build_portfolio, to_text

__all__ = ["portfolio"]

_ = domain("portfolio").gettext


@click.command()
@lang_option
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print JSON (schema: docs/portfolio.md).")
@click.option(
    "--targets",
    type=click.Path(exists=True, dir_okay=False),
    help="The portfolio file with the targets, weights and bundles "
    "(default: FOLDER/portfolio.yaml where it exists).",
)
def portfolio(folder: str, as_json: bool, targets: str | None) -> None:
    """Maturity against the targets, what to reengineer first, the data-exchange backlog,
    the acts to amend and the life-event bundles of the services under FOLDER."""
    view = build_portfolio(folder, targets)
    if not view.services:
        raise click.UsageError(
            _("no service folder (as-is.yaml, to-be*.yaml) under {folder}").format(folder=folder)
        )
    if as_json:
        echo_json(view.as_dict())
    else:
        click.echo(to_text(view), nl=False)
