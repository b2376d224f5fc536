"""The portfolio as text for the terminal (``bpr portfolio``) and as JSON (``--json``)."""

from __future__ import annotations

import json

from bpr.core.i18n import domain
from bpr.core.text import for_terminal
from bpr.portfolio.build import PortfolioView
from bpr.portfolio.tables import Cell, ColumnKind, PortfolioTable, cell_text, tables

__all__ = ["to_json", "to_text"]

_, ngettext = domain("portfolio")[:2]


def to_json(view: PortfolioView) -> str:
    """``bpr portfolio --json``: the schema of docs/portfolio.md."""
    return json.dumps(view.as_dict(), ensure_ascii=False, indent=2) + "\n"


def to_text(view: PortfolioView) -> str:
    """Every table of :func:`~bpr.portfolio.tables.tables` as plain text, one after another."""
    n = len(view.services)
    heading = ngettext("Portfolio {folder}: {n} service", "Portfolio {folder}: {n} services", n)
    out = [heading.format(folder=for_terminal(view.folder), n=n)]
    if view.spec.file:
        out.append(_("Targets from {file}").format(file=for_terminal(view.spec.file)))
    for table in tables(view):
        out += ["", *_table(table)]
    return "\n".join(out) + "\n"


def _table(table: PortfolioTable) -> list[str]:
    out = [for_terminal(table.title), *(f"  {for_terminal(line)}" for line in table.intro)]
    if table.rows:
        text = [[_cell(c, k) for c, k in zip(row, table.kinds, strict=True)] for row in table.rows]
        header = list(table.columns)
        widths = [max(len(r[i]) for r in [header, *text]) for i in range(len(header))]

        def line(cells: list[str]) -> str:
            return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

        out += [line(header), line(["-" * w for w in widths]), *(line(r) for r in text)]
    out += [f"  {for_terminal(note)}" for note in table.notes]
    return out


def _cell(value: Cell, kind: ColumnKind) -> str:
    return for_terminal(value) if isinstance(value, str) else cell_text(value, kind)
