"""Gathering model files into services (As-Is and To-Be variants), measured and compared."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bpr.analysis.measures import measure
from bpr.comparison import Comparison, compare
from bpr.core import i18n
from bpr.core.i18n import domain
from bpr.core.model import Model
from bpr.errors import BprError, ModelError
from bpr.files.finder import find_models
from bpr.files.load import load
from bpr.files.yamlsource import parse_yaml
from bpr.lint import Finding, lint

__all__ = [
    "AS_IS",
    "PRIMARY_TO_BE",
    "Collected",
    "Pair",
    "Portfolio",
    "Service",
    "Skipped",
    "Totals",
    "Variant",
    "collect",
]

_, ngettext, pgettext = domain("report")

#: The variant label of today's procedure; every other label is a To-Be.
AS_IS = "as-is"
#: The To-Be that a service's portfolio row and totals use where there are several.
PRIMARY_TO_BE = "to-be"


@dataclass
class Variant:
    """One loaded model with its measures (the contract's JSON object)."""

    model: Model
    measures: dict[str, Any]
    findings: list[Finding] = field(default_factory=list)  # bpr.lint's, of the As-Is only

    @property
    def label(self) -> str:
        return self.model.variant


@dataclass
class Pair:
    """An As-Is and one To-Be of the same service, with their comparison (None, with the
    ``error`` that says why, where the two could not be compared)."""

    as_is: Variant
    to_be: Variant
    comparison: Comparison | None = None
    error: str | None = None

    def change(self, key: str) -> tuple[Any, Any, float | None]:
        """Before, after and the percent change of one measure key."""
        if self.comparison is not None and key in self.comparison.measures:
            entry = self.comparison.measures[key]
            return entry.before, entry.after, entry.percent
        return self.as_is.measures.get(key), self.to_be.measures.get(key), None


@dataclass
class Skipped:
    """A model file left out of the report, and why."""

    file: str
    reason: str
    service: str | None = None  # read from the file where it could be
    variant: str | None = None


@dataclass
class Service:
    """The variants of one service found among the inputs."""

    id: str
    variants: list[Variant]
    pairs: list[Pair] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def as_is(self) -> Variant | None:
        for variant in self.variants:
            if variant.label.lower() == AS_IS:
                return variant
        return None

    @property
    def to_bes(self) -> list[Variant]:
        base = self.as_is
        return [v for v in self.variants if v is not base]

    @property
    def primary(self) -> Pair | None:
        """The pair shown in the portfolio: the To-Be labelled ``to-be``, else the first."""
        for pair in self.pairs:
            if pair.to_be.label.lower() == PRIMARY_TO_BE:
                return pair
        return self.pairs[0] if self.pairs else None

    @property
    def title(self) -> str:
        for variant in self.variants:
            name = variant.model.name
            if name:
                return _strip_variant_note(name)
        return self.id

    @property
    def anchor(self) -> str:
        return f"service-{self.id}"

    @property
    def currency(self) -> str | None:
        currencies = {v.model.currency for v in self.variants} - {None}
        return currencies.pop() if len(currencies) == 1 else None


def _strip_variant_note(name: str) -> str:
    """``Registration of property rights (As-Is, 2016)`` -> ``Registration of property rights``."""
    head, bracket, tail = name.rpartition(" (")
    if bracket and tail.endswith(")") and tail.lower().startswith(("as-is", "to-be")):
        return head
    return name


@dataclass
class Totals:
    """Yearly gains across the portfolio, from each service's As-Is and primary To-Be."""

    applicant_hours_saved: float = 0.0
    money_saved: dict[str, float] = field(default_factory=dict)  # by currency ("" unknown)
    counted: int = 0  # services with volume in both variants
    left_out: list[str] = field(default_factory=list)  # service ids without the figures


@dataclass
class Portfolio:
    """Everything a report shows: the services in input order and the files skipped."""

    services: list[Service]
    skipped: list[Skipped]
    files: list[Path]

    @property
    def skipped_without_service(self) -> list[Skipped]:
        known = {s.id for s in self.services}
        return [s for s in self.skipped if s.service not in known]

    def totals(self) -> Totals:
        totals = Totals()
        for service in self.services:
            pair = service.primary
            if pair is None:
                continue
            before, after = pair.as_is, pair.to_be
            volumes = (before.model.volume, after.model.volume)
            if volumes[0] is None or volumes[1] is None:
                totals.left_out.append(service.id)
                continue
            totals.counted += 1
            totals.applicant_hours_saved += (
                before.measures["applicant_hours"] * volumes[0]
                - after.measures["applicant_hours"] * volumes[1]
            )
            currency = service.currency or ""
            saved = before.measures["annual_burden"] - after.measures["annual_burden"]
            totals.money_saved[currency] = totals.money_saved.get(currency, 0.0) + saved
        return totals


@dataclass
class Collected:
    """What one :func:`collect` loaded, measured, linted and compared, for the next one to
    take again where nothing changed (``bpr watch`` keeps one across its rebuilds): each
    file's model by its bytes, each As-Is's findings and each pair's comparison by the
    models and the language."""

    files: dict[str, tuple[bytes, Model, dict[str, Any]]] = field(default_factory=dict)
    findings: dict[tuple[int, str], list[Finding]] = field(default_factory=dict)
    pairs: dict[tuple[int, int, str], tuple[Comparison | None, str | None]] = field(
        default_factory=dict
    )

    def forget(self, model: int) -> None:
        """Drop the findings and comparisons of the model with this id."""
        self.findings = {k: v for k, v in self.findings.items() if k[0] != model}
        self.pairs = {k: v for k, v in self.pairs.items() if model not in k[:2]}


def _loaded(path: Path, memo: Collected | None) -> tuple[Model, dict[str, Any]]:
    """The model of ``path`` and its measures: from ``memo`` while the file's bytes are the
    same, else loaded (raises ModelError)."""
    if memo is None:
        model = load(path)
        return model, measure(model).as_dict()  # a model can load and still not measure
    try:
        data = path.read_bytes()
    except OSError:
        data = None
    known = memo.files.get(str(path))
    if data is not None and known is not None and known[0] == data:
        return known[1], known[2]
    if known is not None:  # forgotten while the old model lives: its id is not reused yet
        memo.files.pop(str(path))
        memo.forget(id(known[1]))
    model = load(path)
    measures = measure(model).as_dict()
    if data is not None:
        memo.files[str(path)] = (data, model, measures)
    return model, measures


def collect(
    paths: Iterable[str | os.PathLike[str]],
    *,
    on_file: Callable[[Path], None] | None = None,
    memo: Collected | None = None,
) -> Portfolio:
    """Load the model files among ``paths`` and group them into services by ``service``.

    Files that fail to load are skipped with their problems; so is a second file with the
    same service and variant. Each To-Be is compared with its service's As-Is, once: the
    report shows that comparison; the As-Is is checked by ``bpr.lint``. ``on_file`` is called
    after each file
    (for a progress bar).

    >>> portfolio = collect(["models"])  # doctest: +SKIP
    >>> [s.id for s in portfolio.services]  # doctest: +SKIP
    ['business-registration', ...]

    With ``memo`` (a :class:`Collected`), a file whose bytes did not change since the last
    call with it is not loaded again, nor its service linted and compared again.
    """
    files = list(find_models(paths))
    groups: dict[str, list[Variant]] = {}
    skipped: list[Skipped] = []
    seen: dict[tuple[str, str], str] = {}
    for path in files:
        try:
            model, measures = _loaded(path, memo)
        except ModelError as exc:
            service, variant = _peek(path)
            skipped.append(Skipped(str(path), str(exc), service, variant))
        else:
            key = (model.service, model.variant.lower())
            if key in seen:
                skipped.append(
                    Skipped(
                        str(path),
                        _(
                            "{file}: the service '{service}' variant '{variant}' is already in "
                            "{other}; give each variant its own label"
                        ).format(
                            file=path,
                            service=model.service,
                            variant=model.variant,
                            other=seen[key],
                        ),
                        model.service,
                        model.variant,
                    )
                )
            else:
                seen[key] = str(path)
                groups.setdefault(model.service, []).append(Variant(model, measures))
        if on_file is not None:
            on_file(path)

    services = [_service(sid, variants, memo) for sid, variants in groups.items()]
    if memo is not None:  # what is no longer among the inputs is forgotten
        kept = {str(p) for p in files}
        for name in [n for n in memo.files if n not in kept]:
            memo.forget(id(memo.files.pop(name)[1]))
    by_id = {s.id: s for s in services}
    for entry in skipped:
        if entry.service in by_id:
            by_id[entry.service].skipped.append(entry)
    return Portfolio(services, skipped, files)


def _order(variant: Variant) -> tuple[int, str]:
    label = variant.label.lower()
    return (0 if label == AS_IS else 1 if label == PRIMARY_TO_BE else 2, label)


def _service(service_id: str, variants: list[Variant], memo: Collected | None = None) -> Service:
    service = Service(service_id, sorted(variants, key=_order))
    base = service.as_is
    if base is None:
        return service
    language = i18n.current()  # the findings and the comparisons are written in it
    linted = None if memo is None else memo.findings.get((id(base.model), language))
    if linted is None:
        linted = list(lint(base.model))
        if memo is not None:
            memo.findings[(id(base.model), language)] = linted
    base.findings = list(linted)
    for to_be in service.to_bes:
        pair = Pair(base, to_be)
        key = (id(base.model), id(to_be.model), language)
        if memo is not None and key in memo.pairs:
            pair.comparison, pair.error = memo.pairs[key]
        else:
            try:
                pair.comparison = compare(base.model, to_be.model)
            except BprError as exc:
                pair.error = str(exc)
            if memo is not None:
                memo.pairs[key] = (pair.comparison, pair.error)
        service.pairs.append(pair)
    return service


def _peek(path: Path) -> tuple[str | None, str | None]:
    """The service and variant written in a file that does not load, where readable."""
    try:
        raw, _ = parse_yaml(path.read_bytes(), str(path))
    except (OSError, BprError):
        return None, None
    if not isinstance(raw, dict):
        return None, None
    service, variant = raw.get("service"), raw.get("variant")
    return (
        service if isinstance(service, str) else None,
        variant if isinstance(variant, str) else None,
    )
