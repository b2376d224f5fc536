"""Maturity benchmarking: the stage of each service and the shares of the portfolio at each
stage, against the programme's targets.

A service's stage is the ``derived_maturity`` of its flow (spec "Added measures"): a declared
stage counts only where the model supports it. The stage *now* is the As-Is's; the stage
*planned* is the To-Be's (the As-Is's where no To-Be exists). Shares are cumulative, as targets
are written: the share at stage 3 is the share of services at stage 3 or 4.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from bpr.portfolio.services import Service
from bpr.portfolio.targets import STAGES

__all__ = ["Benchmark", "ServiceStage", "StageShare", "benchmark"]


@dataclass(frozen=True)
class ServiceStage:
    """Declared and derived stages of one service's As-Is and To-Be (None: no such variant)."""

    service: str
    declared_as_is: int | None
    derived_as_is: int | None
    declared_to_be: int | None
    derived_to_be: int | None

    @property
    def now(self) -> int:
        return self.derived_as_is or self.derived_to_be or 1

    @property
    def planned(self) -> int:
        return self.derived_to_be or self.derived_as_is or 1

    def unsupported(self) -> list[str]:
        """The variants whose declared stage is above what their flow supports."""
        pairs = (
            ("as-is", self.declared_as_is, self.derived_as_is),
            ("to-be", self.declared_to_be, self.derived_to_be),
        )
        return [v for v, declared, derived in pairs if declared and derived and declared > derived]


@dataclass(frozen=True)
class StageShare:
    """The share of the portfolio at ``stage`` or above, now and planned, and the target."""

    stage: int
    now: float
    planned: float
    target: float | None
    services_needed: int | None  # more services at this stage that the target needs (planned)

    @property
    def gap(self) -> float | None:
        """Target minus the planned share (positive: short of the target)."""
        return None if self.target is None else self.target - self.planned


@dataclass(frozen=True)
class Benchmark:
    stages: tuple[ServiceStage, ...]
    shares: tuple[StageShare, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "services": [
                {
                    "service": s.service,
                    "as_is": {"declared": s.declared_as_is, "derived": s.derived_as_is},
                    "to_be": {"declared": s.declared_to_be, "derived": s.derived_to_be},
                    "unsupported": s.unsupported(),
                }
                for s in self.stages
            ],
            "shares": [
                {
                    "stage": x.stage,
                    "now": round(x.now, 4),
                    "planned": round(x.planned, 4),
                    "target": x.target,
                    "gap": None if x.gap is None else round(x.gap, 4),
                    "services_needed": x.services_needed,
                }
                for x in self.shares
            ],
            "unsupported": [
                {"service": s.service, "variant": v} for s in self.stages for v in s.unsupported()
            ],
        }


def benchmark(services: list[Service], targets: dict[int, float]) -> Benchmark:
    """Stages per service and cumulative shares per stage, with the gap to each target."""
    stages = tuple(
        ServiceStage(
            s.id,
            s.as_is.maturity if s.as_is else None,
            s.as_is_measures.derived_maturity if s.as_is_measures else None,
            s.to_be.maturity if s.to_be else None,
            s.to_be_measures.derived_maturity if s.to_be_measures else None,
        )
        for s in services
    )
    n = len(stages)
    shares = []
    for stage in STAGES:
        now = sum(1 for s in stages if s.now >= stage)
        planned = sum(1 for s in stages if s.planned >= stage)
        target = targets.get(stage)
        # a small tolerance: 0.5 of 6 services is 3, not 4
        needed = None if target is None else max(0, math.ceil(target * n - 1e-9) - planned)
        shares.append(
            StageShare(stage, now / n if n else 0.0, planned / n if n else 0.0, target, needed)
        )
    return Benchmark(stages, tuple(shares))
