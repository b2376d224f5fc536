"""Prioritisation: which services to reengineer first.

A service with a To-Be is ranked by what its redesign saves a year; a service without one by
what its As-Is costs a year. For each measure ``k`` (``applicant_hours``, ``admin_cost``,
``visits``, ``certificates``) the yearly amount is

- with a To-Be: ``(As-Is per case - To-Be per case) * volume * uptake`` (``uptake`` of the To-Be);
- without one: ``As-Is per case * volume``;

and the score is ``sum_k weight_k * amount_k / max_k``, where ``max_k`` is the largest amount
of ``k`` among the services ranked together (of the same currency for ``admin_cost``: money of
different currencies is never added or compared). Each term is so a share from 0 to 1 and the
weights need no units. A service without ``volume`` has no yearly amounts and comes last.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bpr.analysis.measures import Measures
from bpr.core.money import totals_by_currency
from bpr.portfolio.services import Service

__all__ = ["FORMULA", "MEASURES", "Priority", "Ranking", "prioritise"]

#: The measures the score weighs, in this order.
MEASURES = ("applicant_hours", "admin_cost", "visits", "certificates")
#: The score's formula as the output shows it.
FORMULA = (
    "score = sum over k in (applicant_hours, admin_cost, visits, certificates) of "
    "weight_k * yearly_k / max_k; yearly_k = (As-Is - To-Be) per case * volume * uptake "
    "(saving), or As-Is per case * volume where there is no To-Be (cost); max_k = the largest "
    "yearly_k ranked together (admin_cost: per currency)"
)


@dataclass(frozen=True)
class Priority:
    """One service's yearly amounts (None where unknown) and its score."""

    service: str
    yearly: dict[str, float | None]
    currency: str | None
    volume: float | None
    uptake: float
    score: float | None = None

    def as_dict(self, rank: int) -> dict[str, Any]:
        return {
            "rank": rank,
            "service": self.service,
            "score": None if self.score is None else round(self.score, 4),
            "volume": self.volume,
            "uptake": self.uptake,
            "currency": self.currency,
            **{k: _round(v) for k, v in self.yearly.items()},
        }


@dataclass(frozen=True)
class Ranking:
    """Services with a To-Be ranked by yearly savings; services without, by yearly cost."""

    savings: tuple[Priority, ...]
    costs: tuple[Priority, ...]
    weights: dict[str, float]
    unranked: tuple[str, ...] = ()  # services with a To-Be but no As-Is to measure it against

    def as_dict(self) -> dict[str, Any]:
        return {
            "formula": FORMULA,
            "weights": self.weights,
            "savings": [p.as_dict(i) for i, p in enumerate(self.savings, 1)],
            "costs": [p.as_dict(i) for i, p in enumerate(self.costs, 1)],
            "savings_total": _totals(self.savings),
            "costs_total": _totals(self.costs),
            "unranked": list(self.unranked),
        }


def prioritise(services: list[Service], weights: dict[str, float]) -> Ranking:
    """Rank the portfolio's services (see the module's docstring for the score)."""
    savings = [_saving(s) for s in services if s.to_be_measures and s.as_is_measures]
    costs = [_cost(s) for s in services if s.as_is_measures and not s.to_be_measures]
    unranked = tuple(s.id for s in services if not s.as_is_measures)
    return Ranking(_ranked(savings, weights), _ranked(costs, weights), dict(weights), unranked)


def _saving(service: Service) -> Priority:
    old, new = service.as_is_measures, service.to_be_measures
    assert old is not None and new is not None and service.to_be is not None
    assert service.as_is is not None
    volume, uptake = service.volume, service.to_be.uptake
    same_money = service.as_is.currency == service.to_be.currency
    yearly: dict[str, float | None] = {}
    for key in MEASURES:
        before, after = _per_case(old, key), _per_case(new, key)
        if volume is None or before is None or after is None or not same_money:
            yearly[key] = None
        else:
            yearly[key] = (before - after) * volume * uptake
    return Priority(service.id, yearly, service.as_is.currency, volume, uptake)


def _cost(service: Service) -> Priority:
    old, model = service.as_is_measures, service.as_is
    assert old is not None and model is not None
    volume = service.volume
    yearly: dict[str, float | None] = {}
    for key in MEASURES:
        value = _per_case(old, key)
        yearly[key] = None if volume is None or value is None else value * volume
    return Priority(service.id, yearly, model.currency, volume, 1.0)


def _per_case(measures: Measures, key: str) -> float | None:
    value = getattr(measures, key)
    return None if value is None else float(value)


def _ranked(items: list[Priority], weights: dict[str, float]) -> tuple[Priority, ...]:
    scored: list[Priority] = []
    for item in items:
        if item.volume is None:
            scored.append(item)
            continue
        score = 0.0
        for key in MEASURES:
            value = item.yearly[key]
            if value is None:
                continue
            peers = [
                p.yearly[key]
                for p in items
                if p.yearly[key] is not None
                and (key != "admin_cost" or p.currency == item.currency)
            ]
            top = max((v for v in peers if v is not None), default=0.0)
            if top > 0:
                score += weights.get(key, 0.0) * value / top
        scored.append(
            Priority(item.service, item.yearly, item.currency, item.volume, item.uptake, score)
        )
    return tuple(sorted(scored, key=lambda p: (p.score is None, -(p.score or 0.0), p.service)))


def _totals(items: tuple[Priority, ...]) -> dict[str, Any]:
    money = totals_by_currency((p.yearly["admin_cost"], p.currency) for p in items)
    return {
        **{
            k: _round(sum(p.yearly[k] or 0.0 for p in items)) for k in MEASURES if k != "admin_cost"
        },
        "admin_cost": dict(sorted(money.items())),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
