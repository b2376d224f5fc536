"""What an import knows so far: the graph read from the XML, the steps fitted to it, the warnings.

The graph holds BPMN's flow nodes (:class:`Node`) and sequence flows (:class:`Edge`); the flow
after a node is then described as a small tree (:class:`Leaf`, :class:`Choice`, :class:`Par`,
:class:`Join`) and fitted into the format's steps (:class:`Step`). One :class:`State` travels
through the jobs of the import, each of which reads and fills in its part.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from bpr.bpmn.xml import BPMN_NS, BPR_NS
from bpr.core.ids import IdMaker
from bpr.errors import Problem

__all__ = [
    "IN_BPMN",
    "IN_BPR",
    "Choice",
    "Edge",
    "Join",
    "Label",
    "Leaf",
    "Node",
    "Par",
    "State",
    "Step",
    "exit_id",
    "local",
    "number_of",
]

#: The prefix of an element tag in BPMN's namespace: ``IN_BPMN + "task"``.
IN_BPMN = "{" + BPMN_NS + "}"
#: The prefix of an element tag in bpr's extension namespace: ``IN_BPR + "step"``.
IN_BPR = "{" + BPR_NS + "}"


@dataclass
class Node:
    """A flow node of the BPMN process (an activity, an event, a gateway)."""

    id: str
    kind: str  # activity, start, end, xor, and, or, event-gw, pass
    tag: str
    name: str
    line: int
    lane: str | None = None
    element: Any = None


@dataclass
class Edge:
    """A sequence flow, with what it says about the branch it starts."""

    id: str
    source: str
    target: str
    name: str = ""
    condition: str = ""
    line: int = 0
    p: float | None = None
    when: str | None = None


class Label(str):
    """A branch's ``when`` as text, with the names in other languages that bpr's own file
    gave for it (``{"en": "rejected", "ru": "отказ"}``); text made from it (a question put
    before it, labels joined) is plain text again.

    >>> label = Label("rejected", {"en": "rejected", "ru": "отказ"})
    >>> label, label.names["ru"], type("Paid? " + label).__name__
    ('rejected', 'отказ', 'str')
    """

    names: dict[str, str]

    def __new__(cls, text: str, names: dict[str, str]) -> Label:
        label = super().__new__(cls, text)
        label.names = names
        return label


# The flow after a node as a small tree, before it is fitted to the format's steps.
@dataclass(frozen=True)
class Leaf:
    """The flow reaches an activity (or the end)."""

    node: str  # an activity node id, or END
    terminate: str = ""  # the terminate end event the flow ends at, where it is one


@dataclass(frozen=True)
class Choice:
    """An exclusive choice among branches: ``(tree, p, when)`` each."""

    origin: str
    branches: tuple[tuple[Any, float | None, str | None], ...]


@dataclass(frozen=True)
class Par:
    """A parallel split into branches."""

    origin: str
    branches: tuple[Any, ...]


@dataclass(frozen=True)
class Join:
    """A parallel join (its gateway), then the flow after it."""

    gateway: str
    inner: Any


@dataclass
class Step:
    """A step of the model being built, keyed by the BPMN node it comes from."""

    node: str  # the BPMN node (or the gateway, for an added step)
    id: str = ""
    name: str = ""
    actor: str = ""
    channel: str | None = None
    work: str | None = None
    wait: str | None = None
    fee: float | None = None
    needs: list[str] = field(default_factory=list)
    produces: list[str] = field(default_factory=list)
    replaces: list[str] = field(default_factory=list)
    kind: str = "seq"  # seq, choice, par
    targets: list[str] = field(default_factory=list)  # node keys of steps, or END
    probabilities: list[float | None] = field(default_factory=list)
    whens: list[str | None] = field(default_factory=list)
    join: bool = False
    comments: list[str] = field(default_factory=list)
    flow_comment: str = ""
    index: int | None = None
    added_join: bool = False  # added for a BPMN join with no task after it
    terminates: str = ""  # the id of the terminate end event its flow reaches, if any
    extra: dict[str, Any] = field(default_factory=dict)  # other fields, from bpr:data


class State:
    """One import under way: the file, what was asked for, and everything read so far."""

    def __init__(
        self,
        tree: Any,
        file: str,
        process: str | None,
        service: str | None,
        variant: str | None,
    ) -> None:
        self.tree = tree
        self.root = tree.getroot()
        self.file = file
        self.want_process = process
        self.want_service = service
        self.want_variant = variant
        self.warnings: list[Problem] = []
        self.nodes: dict[str, Node] = {}
        self.edges: list[Edge] = []
        self.out: dict[str, list[Edge]] = {}
        self.inc: dict[str, list[Edge]] = {}
        self.by_id: dict[str, Any] = {}
        self.expanded: dict[str, bool] = {}
        self.lane_of: dict[str, str] = {}
        self.boundaries: dict[str, list[str]] = {}
        self.starts: list[str] = []
        self.links: dict[str, list[str]] = {}  # link name -> catching event ids
        self.notes: dict[str, list[str]] = {}  # node id -> text annotations
        self.spread: set[str] = set()  # gateways whose probabilities were spread evenly
        self.steps: dict[str, Step] = {}  # node key -> step
        self.actor_ids = IdMaker()
        self.actors: dict[str, dict[str, Any]] = {}  # actor id -> fields
        self.documents: dict[str, dict[str, Any]] = {}
        self.doc_of: dict[str, str] = {}  # data object id -> document id
        self.step_ids = IdMaker()
        self.scopes: list[tuple[str, list[str], list[str]]] = []  # sub-process, starts, ends
        # Expanded call activities whose process is in the file: the process read in their
        # place (call activity id -> process element), and back (process id -> call element).
        self.inlined: dict[str, Any] = {}
        self.called_by: dict[str, Any] = {}
        self.phases: dict[str, dict[str, Any]] = {}  # phase id -> {"name", "element"}
        self.phase_of: dict[str, str] = {}  # flattened scope id -> its phase id
        self.reported: set[str] = set()
        self.resource_actor: dict[str, str] = {}
        self.join_targets: dict[str, str] = {}
        self.default_actor = ""
        self.first = ""
        self.model_fields: dict[str, Any] = {}
        self.terminates: set[str] = set()  # terminate end events of the process itself
        self.caught: set[str] = set()  # boundary events reached from end events inside
        self.written: list[str] = []  # step keys in the order of the YAML
        self.budget = 0  # how many more nodes the walks along the flow may visit

    def successors(self) -> dict[str, list[str]]:
        """The steps built so far as a successor map: step key -> its targets (or ``END``)."""
        return {key: step.targets for key, step in self.steps.items()}


def local(tag: str) -> str:
    """A tag without its namespace.

    >>> local(IN_BPMN + "task")
    'task'
    """
    return tag.rpartition("}")[2]


def exit_id(ident: str) -> str:
    """The id of the node where a flattened sub-process is left."""
    return ident + "#exit"


def number_of(text: str | None) -> float | None:
    """A non-negative finite number of an attribute, or None.

    >>> number_of("12.5"), number_of("-1"), number_of("inf"), number_of("x")
    (12.5, None, None, None)
    """
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None
