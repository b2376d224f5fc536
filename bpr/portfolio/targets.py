"""The portfolio file: the programme's maturity targets, the weights of the prioritisation and
the life-event bundles (``portfolio.yaml`` beside the service folders).

>>> spec = loads_portfolio("targets: {maturity: {3: 0.5, 4: 0.33}, by: 2020-12-31}\\n"
...                        "bundles: {start: {name: Starting a business, services: [a, b]}}")
>>> spec.targets, str(spec.by), spec.weights["visits"], spec.bundles[0].services
({3: 0.5, 4: 0.33}, '2020-12-31', 1.0, ('a', 'b'))
"""

from __future__ import annotations

import datetime
import math
import os
from dataclasses import dataclass, field
from typing import Any

from bpr.errors import ModelError, Problem, did_you_mean
from bpr.files.yamlsource import SourceMap, parse_yaml

__all__ = [
    "DEFAULT_WEIGHTS",
    "PORTFOLIO_FILE",
    "STAGES",
    "Bundle",
    "PortfolioSpec",
    "load_portfolio",
    "loads_portfolio",
]

#: The name of the portfolio file that ``bpr portfolio DIR`` reads from ``DIR``.
PORTFOLIO_FILE = "portfolio.yaml"
#: The UN e-service maturity stages a target may name.
STAGES = (1, 2, 3, 4)
#: The weight of each saving in the priority score; each saving is first divided by the
#: portfolio's largest saving of its kind, so the weights need no units.
DEFAULT_WEIGHTS: dict[str, float] = {
    "applicant_hours": 1.0,
    "admin_cost": 1.0,
    "visits": 1.0,
    "certificates": 1.0,
}

_TOP = ("targets", "weights", "bundles")
_TARGETS = ("maturity", "by")
_BUNDLE = ("name", "services")


@dataclass(frozen=True)
class Bundle:
    """A life event: services that an applicant meets together (starting a business)."""

    id: str
    name: str
    services: tuple[str, ...]
    line: int = 0


@dataclass(frozen=True)
class PortfolioSpec:
    """What a portfolio file says; an absent file gives the defaults (no targets)."""

    targets: dict[int, float] = field(default_factory=dict)
    by: datetime.date | None = None
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    bundles: tuple[Bundle, ...] = ()
    file: str | None = None


def load_portfolio(path: str | os.PathLike[str]) -> PortfolioSpec:
    """Read and check a portfolio file; raises :class:`~bpr.errors.ModelError` listing every
    problem with its file, line and a stable code."""
    name = os.fspath(path)
    try:
        with open(name, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise ModelError(
            [Problem("no such portfolio file; check the path", name, code="file-not-found")]
        ) from None
    except OSError as error:
        raise ModelError(
            [Problem(f"cannot read the portfolio file: {error.strerror}", name, code="unreadable")]
        ) from None
    return loads_portfolio(data, name)


def loads_portfolio(data: bytes | str, file: str = "<string>") -> PortfolioSpec:
    """Check a portfolio file's text (see :func:`load_portfolio`)."""
    value, source = parse_yaml(data, file)
    reader = _Reader(source)
    spec = reader.read(value, file)
    if reader.problems:
        raise ModelError(reader.problems)
    return spec


class _Reader:
    def __init__(self, source: SourceMap) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def error(
        self, path: tuple[str | int, ...], message: str, code: str, key: bool = False
    ) -> None:
        self.problems.append(self.source.problem(path, message, key=key, code=code))

    def mapping(self, value: Any, path: tuple[str | int, ...], what: str) -> dict[Any, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.error(path, f"{what} must be a mapping of keys and values", "wrong-type")
            return {}
        return value

    def known(
        self, value: dict[Any, Any], keys: tuple[str, ...], path: tuple[str | int, ...], what: str
    ) -> None:
        for key in value:
            if key not in keys:
                hint = did_you_mean(str(key), keys)
                self.error(
                    (*path, key), f"unknown key {key!r} in {what}{hint}", "unknown-key", True
                )

    def read(self, value: Any, file: str) -> PortfolioSpec:
        top = self.mapping(value, (), "the portfolio file")
        self.known(top, _TOP, (), "the portfolio file")
        targets_value = self.mapping(top.get("targets"), ("targets",), "targets")
        self.known(targets_value, _TARGETS, ("targets",), "targets")
        return PortfolioSpec(
            targets=self.maturity(targets_value.get("maturity")),
            by=self.date(targets_value.get("by")),
            weights=self.weights(top.get("weights")),
            bundles=self.bundles(top.get("bundles")),
            file=file,
        )

    def maturity(self, value: Any) -> dict[int, float]:
        path: tuple[str | int, ...] = ("targets", "maturity")
        shares: dict[int, float] = {}
        for key, share in self.mapping(value, path, "targets.maturity").items():
            stage = int(key) if isinstance(key, str) and key.isdigit() else key
            if isinstance(stage, bool) or stage not in STAGES:
                self.error(
                    (*path, key),
                    f"{key!r} is not a maturity stage; write 1, 2, 3 or 4",
                    "unknown-stage",
                    True,
                )
            elif not _is_share(share):
                self.error(
                    (*path, key),
                    f"the target share of stage {stage} must be a number from 0 to 1 (0.5 "
                    "for half of the services)",
                    "bad-share",
                )
            else:
                shares[int(stage)] = float(share)
        return dict(sorted(shares.items()))

    def date(self, value: Any) -> datetime.date | None:
        if value is None or (
            isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)
        ):
            return value
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                pass
        self.error(("targets", "by"), "targets.by must be a date written YYYY-MM-DD", "bad-date")
        return None

    def weights(self, value: Any) -> dict[str, float]:
        weights = dict(DEFAULT_WEIGHTS)
        for key, weight in self.mapping(value, ("weights",), "weights").items():
            if key not in DEFAULT_WEIGHTS:
                hint = did_you_mean(str(key), DEFAULT_WEIGHTS)
                self.error(("weights", key), f"unknown weight {key!r}{hint}", "unknown-key", True)
            elif (
                isinstance(weight, bool)
                or not isinstance(weight, int | float)
                or not (math.isfinite(weight) and weight >= 0)
            ):
                self.error(
                    ("weights", key), "a weight must be a number of at least 0", "bad-weight"
                )
            else:
                weights[key] = float(weight)
        return weights

    def bundles(self, value: Any) -> tuple[Bundle, ...]:
        found: list[Bundle] = []
        for bundle_id, body in self.mapping(value, ("bundles",), "bundles").items():
            path: tuple[str | int, ...] = ("bundles", bundle_id)
            if not isinstance(body, dict):
                self.error(path, "a bundle must be a mapping with name and services", "wrong-type")
                continue
            self.known(body, _BUNDLE, path, f"bundle {bundle_id!r}")
            services = body.get("services")
            if (
                not isinstance(services, list)
                or not services
                or not all(isinstance(s, str) and s for s in services)
            ):
                self.error(
                    (*path, "services") if "services" in body else path,
                    "a bundle needs services: a list of the service ids it joins",
                    "bad-bundle",
                )
                continue
            name = body.get("name", bundle_id)
            line, _ = self.source.locate(path, key=True)
            found.append(Bundle(str(bundle_id), str(name), tuple(dict.fromkeys(services)), line))
        return tuple(found)


def _is_share(value: Any) -> bool:
    return (
        not isinstance(value, bool)
        and isinstance(value, int | float)
        and math.isfinite(value)
        and 0 <= value <= 1
    )
