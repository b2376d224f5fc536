"""Life-event bundles: services an applicant meets together, measured as one journey.

A bundle's measures add up its member services (the As-Is of each; the To-Be where a service
has one for the planned journey). A document is the same across services where its id and
its issuing agency are the same (a ``contract`` of a notary is not a kindergarten's): a
certificate that the applicant carries (needed and not exchanged, with an issuer) to two
services of the bundle is one once-only opportunity, not two; an agency that two services
involve is shared.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bpr.analysis.measures import Measures
from bpr.core.model import Model
from bpr.core.money import totals_by_currency
from bpr.portfolio.services import Service, agency_of
from bpr.portfolio.targets import Bundle

__all__ = ["BundleMeasures", "measure_bundle"]

_SUMMED = (
    "steps",
    "visits",
    "documents_from_applicant",
    "certificates",
    "applicant_hours",
    "lead_time_days",
)


@dataclass(frozen=True)
class BundleMeasures:
    """A bundle's summed measures, now and planned, and what its services share."""

    bundle: Bundle
    services: tuple[str, ...]
    missing: tuple[str, ...]  # listed in the bundle, not found in the portfolio
    now: dict[str, Any]
    planned: dict[str, Any]
    shared_documents: dict[tuple[str, str], tuple[str, ...]]  # (id, issuer agency): services
    shared_agencies: dict[str, tuple[str, ...]]  # agency: the services it works in
    once_only: int  # distinct carried certificates across the bundle (As-Is)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.bundle.id,
            "name": self.bundle.name,
            "services": list(self.services),
            "missing": list(self.missing),
            "now": self.now,
            "planned": self.planned,
            "shared_documents": [
                {"document": d, "issuer": a, "services": list(s)}
                for (d, a), s in self.shared_documents.items()
            ],
            "shared_agencies": {k: list(v) for k, v in self.shared_agencies.items()},
            "once_only_opportunities": self.once_only,
        }


def measure_bundle(bundle: Bundle, services: list[Service]) -> BundleMeasures:
    """Add up a bundle's member services and count what they share."""
    by_id = {s.id: s for s in services}
    members = [by_id[s] for s in bundle.services if s in by_id]
    missing = tuple(s for s in bundle.services if s not in by_id)
    now = [(s.as_is, s.as_is_measures) for s in members if s.as_is and s.as_is_measures]
    planned = [
        (s.to_be, s.to_be_measures) if s.to_be and s.to_be_measures else (s.as_is, s.as_is_measures)
        for s in members
    ]
    carried: dict[tuple[str, str], list[str]] = {}
    agencies: dict[str, list[str]] = {}
    for service in members:
        model = service.as_is or service.to_be
        assert model is not None
        for doc in _carried_certificates(model):
            carried.setdefault(doc, []).append(service.id)
        used = {model.actors[s.actor].agency for s in model.steps} - {None}
        for agency in sorted(a for a in used if a):
            agencies.setdefault(agency, []).append(service.id)
    return BundleMeasures(
        bundle,
        tuple(s.id for s in members),
        missing,
        _sum(now),
        _sum(planned),  # type: ignore[arg-type]
        {d: tuple(s) for d, s in sorted(carried.items()) if len(s) > 1},
        {a: tuple(s) for a, s in sorted(agencies.items()) if len(s) > 1},
        len(carried),
    )


def _carried_certificates(model: Model) -> list[tuple[str, str]]:
    """(id, issuing agency) of each certificate a step needs and nobody exchanges."""
    needed = dict.fromkeys(d for step in model.steps for d in step.needs)
    found = []
    for doc_id in needed:
        document = model.documents[doc_id]
        if document.issuer is not None and not document.exchange:
            found.append((doc_id, agency_of(model, document.issuer)))
    return found


def _sum(pairs: list[tuple[Model, Measures]]) -> dict[str, Any]:
    totals: dict[str, Any] = {k: 0.0 for k in _SUMMED}
    for _, measures in pairs:
        for key in _SUMMED:
            totals[key] += getattr(measures, key)
    money = totals_by_currency((m.admin_cost, model.currency) for model, m in pairs)
    for key in ("steps", "visits", "documents_from_applicant", "certificates"):
        totals[key] = int(totals[key])
    totals["applicant_hours"] = round(totals["applicant_hours"], 2)
    totals["lead_time_days"] = round(totals["lead_time_days"], 2)
    totals["admin_cost"] = dict(sorted(money.items()))
    return totals
