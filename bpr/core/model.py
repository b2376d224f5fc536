"""The process model: actors, documents and steps of one variant of one public service."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol

from bpr.core.calendar import Arrivals, Schedule
from bpr.core.durations import ZERO, Duration
from bpr.core.vocab import (
    APPLICANT,
    CHANNELS,
    DEFAULT_ACTOR_KIND,
    DEFAULT_CHANNEL,
    DEFAULT_FEE_KIND,
    DEFAULT_LANGUAGE,
    SYSTEM,
    ActKind,
    ActorKind,
    ApplicantType,
    Channel,
    DocumentKind,
    FeeKind,
    FlowKind,
    ProblemSeverity,
)

if TYPE_CHECKING:
    import networkx as nx

    from bpr.errors import Problem

__all__ = [
    "APPLICANT",
    "CHANNELS",
    "END",
    "NO_NAMES",
    "Act",
    "Actor",
    "Basis",
    "Branch",
    "Document",
    "Flow",
    "Model",
    "Phase",
    "Step",
    "build_graph",
    "localized",
]


class SourceMap(Protocol):
    """Where the parts of a model stand in its file (the loader's positions)."""

    #: The file's text as read.
    text: str

    def locate(self, path: Sequence[str | int], *, key: bool = False) -> tuple[int, int]: ...

    def problem(
        self,
        path: Sequence[str | int],
        message: str,
        *,
        key: bool = False,
        severity: ProblemSeverity = "error",
        code: str = "",
    ) -> Problem: ...

    def scalar_text(self, path: Sequence[str | int]) -> str | None: ...


#: The reserved target that ends a case.
END = "end"
#: The names of a thing written as plain text: no language map.
NO_NAMES: Mapping[str, str] = {}


def localized(names: Mapping[str, str], fallback: str, lang: str | None, file_language: str) -> str:
    """The text for output language ``lang``: that language, else the file's language, else
    English, else the first given; ``fallback`` (the plain text) where ``names`` is empty.

    >>> names = {"ru": "Подать заявление", "en": "Submit the application"}
    >>> localized(names, "x", "ru", "en"), localized(names, "x", "kk", "en")
    ('Подать заявление', 'Submit the application')
    >>> localized({}, "Check", "ru", "en")
    'Check'
    """
    if not names:
        return fallback
    for choice in (lang, file_language, "en"):
        if choice and choice in names:
            return names[choice]
    return next(iter(names.values()))


@dataclass(frozen=True)
class Act:
    """A legal act that provisions of the service stand in."""

    id: str
    title: str
    number: str | None = None
    date: datetime.date | None = None
    kind: ActKind = "other"
    names: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Basis:
    """A provision: an act, and the article of it where one is named."""

    act: str
    article: str | None = None


@dataclass(frozen=True)
class Phase:
    """A phase of the service (application, review, decision, delivery...)."""

    id: str
    name: str
    names: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Actor:
    """Who performs steps: the applicant, or staff of an agency."""

    id: str
    name: str
    kind: ActorKind = DEFAULT_ACTOR_KIND
    agency: str | None = None
    registry: bool | None = None  # the agency keeps a register others can query; None: unknown
    staff: int | None = None  # people (desks) who perform its steps at once; None: unlimited
    hours: Schedule | None = None  # when it works; None: always
    names: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_applicant(self) -> bool:
        return self.kind == APPLICANT

    @property
    def is_system(self) -> bool:
        """An information system: its steps are automatic work, not staff time."""
        return self.kind == SYSTEM


@dataclass(frozen=True)
class Document:
    """What steps need and produce; with an issuer it is a certificate of that actor."""

    id: str
    name: str
    issuer: str | None = None
    exchange: bool = False
    kind: DocumentKind | None = None  # always set: certificate with an issuer, else form
    basis: tuple[Basis, ...] = ()
    names: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind is None:
            object.__setattr__(self, "kind", "certificate" if self.issuer else "form")


@dataclass(frozen=True)
class Branch:
    """One way out of a step: to a step id or ``end``, with its probability and label."""

    to: str
    p: float = 1.0
    when: str | None = None
    whens: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Flow:
    """Where a case goes after a step.

    ``kind`` is ``"sequence"`` (one branch, taken always), ``"choice"`` (exactly one branch,
    by probability) or ``"parallel"`` (every branch runs).
    """

    kind: FlowKind
    branches: tuple[Branch, ...]
    implicit: bool = False  # True where the file had no ``next`` and the case falls through

    @property
    def targets(self) -> tuple[str, ...]:
        return tuple(b.to for b in self.branches)


@dataclass(frozen=True)
class Step:
    """One step of the process, performed by one actor over one channel."""

    id: str
    actor: str
    name: str = ""
    channel: Channel = DEFAULT_CHANNEL
    work: Duration = ZERO
    wait: Duration = ZERO
    fee: float = 0.0
    needs: tuple[str, ...] = ()
    produces: tuple[str, ...] = ()
    next: Flow = field(default_factory=lambda: Flow("sequence", (Branch(END),), implicit=True))
    join: str | None = None
    replaces: tuple[str, ...] = ()
    index: int = 0  # position in the file's list of steps
    fee_kind: FeeKind = DEFAULT_FEE_KIND
    travel: Duration | None = None  # None: the model's travel (for an in-person step)
    queue: Duration | None = None  # None: the model's queue (for an in-person step)
    phase: str | None = None
    basis: tuple[Basis, ...] = ()
    names: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def label(self) -> str:
        return self.name or self.id

    @property
    def is_visit(self) -> bool:
        return self.channel == "in-person"


@dataclass(eq=False)
class Model:
    """One variant (As-Is or To-Be) of one public service, as loaded from its file.

    >>> import bpr
    >>> m = bpr.loads(
    ...     "bpr: 1\\nservice: demo\\nvariant: as-is\\n"
    ...     "actors: {clerk: {name: Clerk}}\\n"
    ...     "steps:\\n  - {id: a, actor: clerk, work: 1h}\\n  - {id: b, actor: clerk}\\n"
    ... )
    >>> [s.id for s in m.steps], m.first.id, m.step("b").next.targets
    (['a', 'b'], 'a', ('end',))
    """

    service: str
    variant: str
    actors: dict[str, Actor]
    steps: tuple[Step, ...]
    documents: dict[str, Document] = field(default_factory=dict)
    name: str | None = None
    maturity: int | None = None
    volume: float | None = None
    currency: str | None = None
    tariff: float | None = None
    sources: tuple[str, ...] = ()
    version: int = 1
    lint: dict[str, Any] = field(default_factory=dict)
    file: str = "<string>"
    source: SourceMap | None = field(default=None, repr=False)
    warnings: list[Problem] = field(default_factory=list, repr=False)
    # the additions of the format (all optional; their defaults are the old behaviour)
    language: str = DEFAULT_LANGUAGE
    names: Mapping[str, str] = field(default_factory=dict, repr=False)
    phases: dict[str, Phase] = field(default_factory=dict)
    acts: dict[str, Act] = field(default_factory=dict)
    basis: tuple[Basis, ...] = ()
    travel: Duration = ZERO  # the applicant's trip to an office, per in-person step
    queue: Duration = ZERO  # the applicant's wait at the office, per in-person step
    staff_tariff: float | None = None
    uptake: float = 1.0
    owner: str | None = None  # the service passport
    applicants: ApplicantType | None = None
    result: str | None = None
    deadline: Duration | None = None
    register_id: str | None = None
    arrivals: Arrivals = field(default_factory=Arrivals)
    holidays: tuple[datetime.date, ...] = ()

    def __post_init__(self) -> None:
        self._by_id = {s.id: s for s in self.steps}

    @property
    def title(self) -> str:
        return self.name or f"{self.service} ({self.variant})"

    @property
    def first(self) -> Step:
        """The step where every case starts."""
        return self.steps[0]

    def step(self, step_id: str) -> Step:
        """The step with this id; raises KeyError naming the valid ids."""
        try:
            return self._by_id[step_id]
        except KeyError:
            raise KeyError(f"no step '{step_id}' in {self.file}") from None

    def __contains__(self, step_id: object) -> bool:
        return step_id in self._by_id

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __len__(self) -> int:
        return len(self.steps)

    def actor_of(self, step: Step) -> Actor:
        return self.actors[step.actor]

    def travel_of(self, step: Step) -> Duration:
        """The applicant's trip to the office of an in-person step (zero for other steps)."""
        if not step.is_visit:
            return ZERO
        return self.travel if step.travel is None else step.travel

    def queue_of(self, step: Step) -> Duration:
        """The applicant's wait at the office of an in-person step (zero for other steps)."""
        if not step.is_visit:
            return ZERO
        return self.queue if step.queue is None else step.queue

    def text(self, names: Mapping[str, str], fallback: str, lang: str | None = None) -> str:
        """The text of a name for output language ``lang`` (see :func:`localized`)."""
        return localized(names, fallback, lang, self.language)

    def in_language(self, lang: str) -> Model:
        """This model with every name (service, actors, documents, steps, phases, acts, branch
        labels) in output language ``lang``, as :func:`localized` chooses; the model itself
        where it holds no name maps. Names are only words: ids, measures and the file stay.

        >>> import bpr
        >>> m = bpr.loads(
        ...     "bpr: 1\\nservice: demo\\nvariant: as-is\\nlanguage: ru\\n"
        ...     "actors: {clerk: {name: {ru: Специалист, en: Clerk}}}\\n"
        ...     "steps:\\n  - {id: a, actor: clerk, name: {ru: Проверить, uz: Tekshirish}}\\n"
        ... )
        >>> uz, en = m.in_language("uz"), m.in_language("en")
        >>> m.steps[0].name, uz.steps[0].name, en.actors["clerk"].name
        ('Проверить', 'Tekshirish', 'Clerk')
        """
        if not self._has_name_maps():
            return self

        def text(names: Mapping[str, str], plain: str) -> str:
            return localized(names, plain, lang, self.language)

        def branches(flow: Flow) -> Flow:
            if not any(b.whens for b in flow.branches):
                return flow
            return replace(
                flow,
                branches=tuple(
                    replace(b, when=text(b.whens, b.when or "")) if b.whens else b
                    for b in flow.branches
                ),
            )

        other = replace(
            self,
            name=text(self.names, self.name or "") if self.names else self.name,
            actors={k: replace(a, name=text(a.names, a.name)) for k, a in self.actors.items()},
            documents={
                k: replace(d, name=text(d.names, d.name)) for k, d in self.documents.items()
            },
            steps=tuple(
                replace(s, name=text(s.names, s.name), next=branches(s.next)) for s in self.steps
            ),
            phases={k: replace(p, name=text(p.names, p.name)) for k, p in self.phases.items()},
            acts={k: replace(a, title=text(a.names, a.title)) for k, a in self.acts.items()},
        )
        other.warnings = list(self.warnings)
        return other

    def _has_name_maps(self) -> bool:
        groups: tuple[Iterable[Any], ...] = (
            self.actors.values(),
            self.documents.values(),
            self.steps,
            self.phases.values(),
            self.acts.values(),
        )
        return (
            bool(self.names)
            or any(item.names for group in groups for item in group)
            or any(b.whens for s in self.steps for b in s.next.branches)
        )

    def is_applicant_step(self, step: Step) -> bool:
        """Whether the applicant spends the step's work: their own step, or a visit."""
        return self.actors[step.actor].is_applicant or step.is_visit

    def locate(self, *path: str | int, key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of a value in the model's file, ``(0, 0)`` where unknown.

        >>> m.locate("steps", 1, "id")  # doctest: +SKIP
        (6, 10)
        """
        if self.source is None:
            return (0, 0)
        return self.source.locate(path, key=key)

    def step_line(self, step_id: str) -> int:
        """The line where a step starts in the file (0 where unknown)."""
        return self.locate("steps", self.step(step_id).index)[0]

    @cached_property
    def graph(self) -> nx.DiGraph:
        """The flow graph: one node per step plus ``end``; see :func:`build_graph`."""
        return build_graph(self)


def build_graph(model: Model) -> nx.DiGraph:
    """The model as a networkx DiGraph: a node per step plus ``end``, an edge per flow.

    Step nodes carry ``name``, ``actor``, ``agency``, ``channel``, ``work``, ``wait``
    (hours, expected), ``fee`` and ``index``; edges carry ``p`` (summed where a choice names a
    step twice), ``when`` and ``kind`` (``sequence``, ``choice`` or ``parallel``).

    >>> import bpr
    >>> g = bpr.loads(
    ...     "bpr: 1\\nservice: s\\nvariant: as-is\\nactors: {a: {name: A}}\\n"
    ...     "steps: [{id: x, actor: a}, {id: y, actor: a}]\\n"
    ... ).graph
    >>> sorted(g.edges)
    [('x', 'y'), ('y', 'end')]
    """
    import networkx as nx

    graph = nx.DiGraph(service=model.service, variant=model.variant, name=model.title)
    for step in model.steps:
        actor = model.actors[step.actor]
        graph.add_node(
            step.id,
            name=step.label,
            actor=step.actor,
            agency=actor.agency,
            channel=step.channel,
            work=step.work.mean,
            wait=step.wait.mean,
            fee=step.fee,
            join=step.join,
            index=step.index,
        )
    graph.add_node(END, name="end")
    for step in model.steps:
        for branch in step.next.branches:
            if graph.has_edge(step.id, branch.to):
                graph.edges[step.id, branch.to]["p"] += branch.p
                continue
            graph.add_edge(step.id, branch.to, p=branch.p, when=branch.when, kind=step.next.kind)
    return graph
