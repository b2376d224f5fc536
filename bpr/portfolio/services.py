"""The services of a portfolio folder: for each, its As-Is, its first To-Be and their measures."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bpr.analysis.measures import Measures, measure
from bpr.core.model import Model
from bpr.errors import ModelError, Problem
from bpr.files.finder import find_models, find_variants
from bpr.files.load import load

__all__ = ["Service", "agency_of", "load_services"]


@dataclass(frozen=True)
class Service:
    """One service of the portfolio: its variants (either may be missing) and their measures."""

    id: str
    folder: str
    as_is: Model | None
    to_be: Model | None
    as_is_measures: Measures | None
    to_be_measures: Measures | None

    @property
    def main(self) -> Model:
        """The As-Is, or the To-Be where there is no As-Is."""
        model = self.as_is or self.to_be
        assert model is not None
        return model

    @property
    def volume(self) -> float | None:
        """Cases a year: the As-Is's ``volume``, else the To-Be's."""
        for model in (self.as_is, self.to_be):
            if model is not None and model.volume is not None:
                return model.volume
        return None


def load_services(folder: str | os.PathLike[str]) -> list[Service]:
    """Every service folder under ``folder`` (a folder with ``as-is.yaml`` or ``to-be*.yaml``),
    sorted by service id. The first To-Be (``to-be.yaml``) stands for the redesign."""
    folders = sorted(dict.fromkeys(p.parent for p in find_models([folder])))
    services: list[Service] = []
    for place in folders:
        variants = find_variants(place)
        as_is = load(variants.as_is) if variants.as_is else None
        to_be = load(variants.to_be[0]) if variants.to_be else None
        if as_is is None and to_be is None:
            continue
        services.append(
            Service(
                id=(as_is or to_be).service,  # type: ignore[union-attr]
                folder=os.fspath(Path(place)),
                as_is=as_is,
                to_be=to_be,
                as_is_measures=measure(as_is) if as_is else None,
                to_be_measures=measure(to_be) if to_be else None,
            )
        )
    _refuse_duplicates(services)
    return sorted(services, key=lambda s: s.id)


def _refuse_duplicates(services: list[Service]) -> None:
    """Two folders of the same service would count it twice in every share and total."""
    first: dict[str, Service] = {}
    problems = []
    for service in services:
        earlier = first.setdefault(service.id, service)
        if earlier is not service:
            problems.append(
                Problem(
                    f"service {service.id!r} is also in {earlier.folder}; a portfolio holds each "
                    "service once: rename the service or move one folder out",
                    service.main.file,
                    code="duplicate-service",
                )
            )
    if problems:
        raise ModelError(problems)


def agency_of(model: Model, actor_id: str) -> str:
    """The agency of an actor: its ``agency``, else its name."""
    actor = model.actors[actor_id]
    return actor.agency or actor.name
