"""The portfolio as a programme manages it: maturity against targets, what to reengineer
first, the data-exchange backlog, the acts to amend and life-event bundles (docs/portfolio.md).

>>> from bpr.portfolio import build_portfolio, to_text
>>> print(to_text(build_portfolio("models")))  # doctest: +SKIP
"""

from bpr.portfolio.build import JSON_VERSION, PortfolioView, build_portfolio
from bpr.portfolio.present import to_json, to_text
from bpr.portfolio.tables import PortfolioTable, tables
from bpr.portfolio.targets import (
    DEFAULT_WEIGHTS,
    PORTFOLIO_FILE,
    Bundle,
    PortfolioSpec,
    load_portfolio,
    loads_portfolio,
)

__all__ = [
    "DEFAULT_WEIGHTS",
    "JSON_VERSION",
    "PORTFOLIO_FILE",
    "Bundle",
    "PortfolioSpec",
    "PortfolioTable",
    "PortfolioView",
    "build_portfolio",
    "load_portfolio",
    "loads_portfolio",
    "tables",
    "to_json",
    "to_text",
]
