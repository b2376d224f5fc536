"""The whole portfolio view of a folder of services: benchmarking, priorities, the exchange
backlog, the acts to amend and the life-event bundles."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bpr.portfolio.acts import ActToAmend, acts_to_amend
from bpr.portfolio.bundles import BundleMeasures, measure_bundle
from bpr.portfolio.exchanges import Exchange, backlog
from bpr.portfolio.maturity import Benchmark, benchmark
from bpr.portfolio.priority import Ranking, prioritise
from bpr.portfolio.services import Service, load_services
from bpr.portfolio.targets import PORTFOLIO_FILE, PortfolioSpec, load_portfolio

__all__ = ["JSON_VERSION", "PortfolioView", "build_portfolio"]

#: The version of ``bpr portfolio --json``'s schema (docs/portfolio.md); extended additively.
JSON_VERSION = 1


@dataclass(frozen=True)
class PortfolioView:
    folder: str
    spec: PortfolioSpec
    services: tuple[Service, ...]
    maturity: Benchmark
    ranking: Ranking
    exchanges: tuple[Exchange, ...]
    acts: tuple[ActToAmend, ...]
    bundles: tuple[BundleMeasures, ...]

    @property
    def pairs(self) -> int:
        """Services with both an As-Is and a To-Be (the acts to amend come from these)."""
        return sum(1 for s in self.services if s.as_is and s.to_be)

    def as_dict(self) -> dict[str, Any]:
        """The ``bpr portfolio --json`` object (docs/portfolio.md)."""
        return {
            "version": JSON_VERSION,
            "folder": self.folder,
            "portfolio_file": self.spec.file,
            "targets": {
                "maturity": {str(k): v for k, v in self.spec.targets.items()},
                "by": None if self.spec.by is None else self.spec.by.isoformat(),
            },
            "services": [s.id for s in self.services],
            "maturity": self.maturity.as_dict(),
            "priority": self.ranking.as_dict(),
            "exchanges": [e.as_dict() for e in self.exchanges],
            "acts": {
                "to_amend": [a.as_dict() for a in self.acts],
                "pairs": self.pairs,
            },
            "bundles": [b.as_dict() for b in self.bundles],
        }


def build_portfolio(
    folder: str | os.PathLike[str], targets: str | os.PathLike[str] | None = None
) -> PortfolioView:
    """Read every service under ``folder`` and the portfolio file (``targets``, else
    ``folder/portfolio.yaml`` where it exists, else no targets and the default weights).

    >>> view = build_portfolio("models")  # doctest: +SKIP
    >>> view.maturity.shares[2].target  # doctest: +SKIP
    0.5
    """
    default = Path(folder) / PORTFOLIO_FILE
    if targets is not None:
        spec = load_portfolio(targets)
    elif default.is_file():
        spec = load_portfolio(default)
    else:
        spec = PortfolioSpec()
    services = load_services(folder)
    return PortfolioView(
        folder=os.fspath(folder),
        spec=spec,
        services=tuple(services),
        maturity=benchmark(services, spec.targets),
        ranking=prioritise(services, spec.weights),
        exchanges=tuple(backlog(services)),
        acts=tuple(acts_to_amend(services)),
        bundles=tuple(measure_bundle(b, services) for b in spec.bundles),
    )
