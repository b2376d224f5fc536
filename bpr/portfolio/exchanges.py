"""The data-exchange backlog: which exchanges between agencies' registers serve the most cases.

Each row is one exchange, from the agency that issues a certificate to the agency whose staff
ask for it. Its sources are the To-Bes (a document with ``exchange: true`` that a staff step
needs) and the once-only findings of ``bpr lint`` on the As-Is (a certificate the applicant
carries from its issuer to another agency). A row lists the certificates it removes (service
and document), the services it serves and their cases a year (a To-Be's ``uptake`` applied;
the larger figure where one service counts through both sources), and whether the issuer keeps
a register others can query (``registry``: ``yes``, ``no`` where any issuer says
``registry: false``, else ``unknown``). Rows are sorted by cases served, the largest first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bpr.core.model import Model
from bpr.lint import lint
from bpr.portfolio.services import Service, agency_of

__all__ = ["Exchange", "backlog"]


@dataclass
class Exchange:
    """One (issuing agency -> requesting agency) exchange across the portfolio."""

    issuer: str
    requester: str
    certificates: dict[tuple[str, str], str] = field(default_factory=dict)  # (service, doc): name
    cases: dict[str, float | None] = field(default_factory=dict)  # service: cases a year
    sources: set[str] = field(default_factory=set)  # "to-be", "lint"
    registries: set[bool | None] = field(default_factory=set)

    @property
    def cases_served(self) -> float:
        return sum(v for v in self.cases.values() if v is not None)

    @property
    def registry(self) -> str:
        if False in self.registries:
            return "no"
        if self.registries == {True}:
            return "yes"
        return "unknown"

    def as_dict(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "requester": self.requester,
            "certificates": [
                {"service": s, "document": d, "name": n}
                for (s, d), n in sorted(self.certificates.items())
            ],
            "services": sorted(self.cases),
            "cases": round(self.cases_served, 2),
            "cases_unknown": sorted(s for s, v in self.cases.items() if v is None),
            "registry": self.registry,
            "sources": sorted(self.sources),
        }


def backlog(services: list[Service]) -> list[Exchange]:
    """Every exchange the To-Bes rely on or lint proposes for the As-Is, by cases served."""
    rows: dict[tuple[str, str], Exchange] = {}
    for service in services:
        volume = service.volume
        if service.to_be is not None:
            model = service.to_be
            exchanged = [d.id for d in model.documents.values() if d.exchange and d.issuer]
            cases = None if volume is None else volume * model.uptake
            _add(rows, service.id, model, exchanged, cases, "to-be")
        if service.as_is is not None:
            proposed = [
                doc
                for finding in lint(service.as_is)
                if finding.rule == "once-only"
                for doc in finding.documents
            ]
            _add(rows, service.id, service.as_is, proposed, volume, "lint")
    return sorted(rows.values(), key=lambda r: (-r.cases_served, r.issuer, r.requester))


def _add(
    rows: dict[tuple[str, str], Exchange],
    service: str,
    model: Model,
    documents: list[str],
    cases: float | None,
    source: str,
) -> None:
    for doc_id in dict.fromkeys(documents):
        document = model.documents[doc_id]
        if document.issuer is None:
            continue
        issuer = agency_of(model, document.issuer)
        requesters = {
            agency_of(model, step.actor)
            for step in model.steps
            if doc_id in step.needs and not model.actors[step.actor].is_applicant
        } - {issuer}
        for requester in sorted(requesters):
            row = rows.setdefault((issuer, requester), Exchange(issuer, requester))
            row.certificates[(service, doc_id)] = document.name
            known = row.cases.get(service)
            row.cases[service] = (
                cases if known is None else known if cases is None else max(known, cases)
            )
            row.sources.add(source)
            row.registries.add(model.actors[document.issuer].registry)
