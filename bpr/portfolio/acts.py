"""The acts to amend across the portfolio: each provision that a redesign removes the reason
for (``bpr diff --json``'s ``acts.to_amend``), with the services that need it amended."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bpr.comparison import compare
from bpr.comparison.acts import act_title
from bpr.portfolio.services import Service

__all__ = ["ActToAmend", "acts_to_amend"]


@dataclass(frozen=True)
class ActToAmend:
    act: str
    title: str
    article: str | None
    uses: tuple[tuple[str, tuple[str, ...]], ...]  # (service, ids of the steps and documents)

    def as_dict(self) -> dict[str, Any]:
        return {
            "act": self.act,
            "title": self.title,
            "article": self.article,
            "services": [{"service": s, "for": list(f)} for s, f in self.uses],
        }


def acts_to_amend(services: list[Service]) -> list[ActToAmend]:
    """Every provision to amend, by act id and article, from each As-Is/To-Be pair."""
    found: dict[tuple[str, str | None], tuple[str, list[tuple[str, tuple[str, ...]]]]] = {}
    for service in services:
        if service.as_is is None or service.to_be is None:
            continue
        for change in compare(service.as_is, service.to_be).acts.to_amend:
            title = act_title(service.as_is, change.act)
            entry = found.setdefault((change.act, change.article), (title, []))
            entry[1].append((service.id, tuple(change.for_ids)))
    return [
        ActToAmend(act, title, article, tuple(uses))
        for (act, article), (title, uses) in sorted(
            found.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")
        )
    ]
