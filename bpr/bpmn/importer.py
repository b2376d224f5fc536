"""BPMN 2.0 XML to a model of the format: lanes to actors, tasks to steps, gateways to flows.

The import reads what other tools write (Camunda, bpmn.io, Signavio, Trisotech, ARIS, Bizagi,
Bonita, ...). Where the format cannot hold an element it is mapped to the nearest thing the
format has and the approximation is reported, as a warning on stderr and a comment in the
YAML; an activity is never dropped without a warning that names it with its id and line.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bpr.bpmn.xml import BPMN_NS, BPMNDI_NS, BPR_NS, BpmnError, parse_xml
from bpr.core.ids import IdMaker, slug
from bpr.core.model import CHANNELS, END, Model
from bpr.core.schema import ACTOR_KINDS, ID_PATTERN
from bpr.core.text import clean_name, for_yaml_comment
from bpr.errors import ModelError, Problem
from bpr.files.writer import yaml_scalar

__all__ = ["ImportResult", "import_bpmn"]

_B = "{" + BPMN_NS + "}"
_X = "{" + BPR_NS + "}"

ACTIVITY_TAGS = {
    "task", "userTask", "manualTask", "serviceTask", "scriptTask", "businessRuleTask",
    "sendTask", "receiveTask", "callActivity",
}  # fmt: skip
SUBPROCESS_TAGS = {"subProcess", "transaction", "adHocSubProcess"}
GATEWAY_KINDS = {
    "exclusiveGateway": "xor",
    "parallelGateway": "and",
    "inclusiveGateway": "or",
    "complexGateway": "or",
    "eventBasedGateway": "event-gw",
}
EVENT_TAGS = {"intermediateCatchEvent", "intermediateThrowEvent"}
# Task types that no person performs: a system does the work.
AUTOMATIC_TAGS = {"serviceTask", "scriptTask", "businessRuleTask"}
# Flow elements and artifacts that carry no process content of their own.
_QUIET_TAGS = {
    "sequenceFlow", "laneSet", "dataObject", "dataObjectReference", "dataStoreReference",
    "textAnnotation", "association", "documentation", "extensionElements", "ioSpecification",
    "property", "auditing", "monitoring", "dataInput", "dataOutput", "inputSet", "outputSet",
    "potentialOwner", "performer", "humanPerformer", "resourceRole", "incoming", "outgoing",
    "correlationSubscription", "supports", "category", "categoryValue",
}  # fmt: skip


@dataclass
class ImportResult:
    """What :func:`import_bpmn` gives: the YAML text, the model loaded from it, the warnings."""

    text: str
    model: Model
    warnings: list[Problem]
    process: str


@dataclass
class _Node:
    id: str
    kind: str  # activity, start, end, xor, and, or, event-gw, pass
    tag: str
    name: str
    line: int
    lane: str | None = None
    element: Any = None


@dataclass
class _Edge:
    id: str
    source: str
    target: str
    name: str = ""
    condition: str = ""
    line: int = 0
    p: float | None = None
    when: str | None = None


# The flow after a node as a small tree, before it is fitted to the format's steps.
@dataclass(frozen=True)
class _Leaf:
    node: str  # an activity node id, or END


@dataclass(frozen=True)
class _Choice:
    origin: str
    branches: tuple[tuple[Any, float | None, str | None], ...]


@dataclass(frozen=True)
class _Par:
    origin: str
    branches: tuple[Any, ...]


@dataclass(frozen=True)
class _Join:
    gateway: str
    inner: Any


@dataclass
class _Step:
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


def import_bpmn(
    source: str | os.PathLike[str] | bytes,
    *,
    file: str | None = None,
    process: str | None = None,
    service: str | None = None,
    variant: str | None = None,
) -> ImportResult:
    """Read a BPMN 2.0 file into a model of the format.

    ``source`` is a path or the file's bytes (then ``file`` names it in messages). ``process``
    picks a pool (participant or process, by id or name) where the file has several; by
    default the one with the most activities. Raises :class:`BpmnError` for files that cannot
    be read; everything approximated is in ``warnings``.

    >>> result = import_bpmn("tests/data/bpmn/simple.bpmn")  # doctest: +SKIP
    >>> print(result.text)  # doctest: +SKIP
    """
    if isinstance(source, bytes):
        data, name = source, file or "<bytes>"
    else:
        name = file or os.fspath(source)
        try:
            data = Path(source).read_bytes()
        except FileNotFoundError:
            raise BpmnError(f"{name}: no such file; check the path") from None
        except IsADirectoryError:
            raise BpmnError(f"{name}: this is a folder; name a .bpmn file") from None
        except OSError as exc:
            raise BpmnError(f"{name}: cannot read the file: {exc.strerror}") from None
    tree = parse_xml(data, name)
    try:
        return _Importer(tree, name, process, service, variant).run()
    except RecursionError:
        raise BpmnError(
            f"{name}: the flow runs through hundreds of gateways or events in a row without an "
            "activity between them (or sub-processes nested as deep); bpr cannot follow it. "
            "Simplify the flow in your BPMN tool"
        ) from None


class _Importer:
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
        self.nodes: dict[str, _Node] = {}
        self.edges: list[_Edge] = []
        self.out: dict[str, list[_Edge]] = {}
        self.inc: dict[str, list[_Edge]] = {}
        self.by_id: dict[str, Any] = {}
        self.expanded: dict[str, bool] = {}
        self.lane_of: dict[str, str] = {}
        self.boundaries: dict[str, list[str]] = {}
        self.starts: list[str] = []
        self.links: dict[str, list[str]] = {}  # link name -> catching event ids
        self.notes: dict[str, list[str]] = {}  # node id -> text annotations
        self.spread: set[str] = set()  # gateways whose probabilities were spread evenly
        self.steps: dict[str, _Step] = {}  # node key -> step
        self.added: dict[str, _Step] = {}  # gateway id -> added step
        self.actor_ids = IdMaker()
        self.actors: dict[str, dict[str, Any]] = {}  # actor id -> fields
        self.documents: dict[str, dict[str, Any]] = {}
        self.doc_of: dict[str, str] = {}  # data object id -> document id
        self.step_ids = IdMaker()
        self.scopes: list[tuple[str, list[str], list[str]]] = []  # sub-process, starts, ends
        self.reported: set[str] = set()
        self.resource_actor: dict[str, str] = {}
        self.join_targets: dict[str, str] = {}
        self.default_actor = ""
        self.first = ""
        self.model_fields: dict[str, Any] = {}
        self.caught: set[str] = set()  # boundary events reached from end events inside
        self.written: list[str] = []  # step keys in the order of the YAML
        self.budget = 0  # how many more nodes the walks along the flow may visit

    # -- reporting -----------------------------------------------------------------------------

    def warn(self, message: str, element: Any = None, line: int = 0) -> None:
        if element is not None:
            line = element.sourceline or 0
        self.warnings.append(Problem(message, self.file, line, 0, "", "warning"))

    def describe(self, element: Any) -> str:
        """How a message names an element: its kind, name, id and line."""
        tag = _local(element.tag)
        name = clean_name(element.get("name"))
        label = f" '{for_yaml_comment(name, 60)}'" if name else ""
        return f"{tag}{label} (id {element.get('id')}, line {element.sourceline})"

    # -- the whole import ----------------------------------------------------------------------

    def run(self) -> ImportResult:
        root = self.root
        if not isinstance(root.tag, str) or _local(root.tag) != "definitions":
            raise BpmnError(
                f"{self.file}:{root.sourceline}: not a BPMN 2.0 file: the root element is "
                f"<{_local(str(root.tag))}>, expected <definitions> in the namespace {BPMN_NS}"
            )
        if root.tag != _B + "definitions":
            namespace = str(root.tag)[1:].partition("}")[0] if str(root.tag).startswith("{") else ""
            raise BpmnError(
                f"{self.file}:{root.sourceline}: not a BPMN 2.0 file: <definitions> is in the "
                f"namespace '{namespace}', expected {BPMN_NS} (BPMN 2.0 as the OMG published "
                "it; export the diagram from your tool as BPMN 2.0 XML)"
            )
        for element in root.iter():
            ident = element.get("id") if isinstance(element.tag, str) else None
            if ident:
                self.by_id.setdefault(ident, element)
        for shape in root.iter("{" + BPMNDI_NS + "}BPMNShape"):
            if shape.get("isExpanded") is not None and shape.get("bpmnElement"):
                self.expanded[shape.get("bpmnElement")] = shape.get("isExpanded") == "true"
        process, participant = self.choose_process()
        self.read_process(process)
        # Diamonds of gateways with no activity between them multiply the ways through
        # (2 to the number of diamonds); real files need a few visits per node.
        self.budget = max(200_000, 50 * len(self.nodes))
        self.read_lanes(process, participant)
        self.read_documents(process)
        self.model_fields = self.read_model_fields(process, participant)
        self.compile(process)
        text = self.write_yaml(process)
        try:
            from bpr.files.load import loads

            model = loads(text, self.file + " (imported)")
        except ModelError as exc:
            raise self.refused(exc) from None
        self.warnings.sort(key=lambda p: p.line)
        return ImportResult(text, model, self.warnings, process.get("id") or "")

    # -- which process ---------------------------------------------------------------------

    def choose_process(self) -> tuple[Any, Any]:
        processes = [p for p in self.root if p.tag == _B + "process"]
        participants: dict[str, Any] = {}
        for collaboration in self.root.iter(_B + "collaboration"):
            for participant in collaboration.iter(_B + "participant"):
                if participant.get("processRef"):
                    participants.setdefault(participant.get("processRef"), participant)
        if not processes:
            raise BpmnError(
                f"{self.file}: the file has no <process>: there is nothing to import (a "
                "choreography or conversation diagram has no activities of one organisation)"
            )
        counts = {p.get("id"): sum(1 for _ in _activities(p)) for p in processes}
        if self.want_process is not None:
            wanted = self.want_process
            chosen = None
            for p in processes:
                names = {p.get("id"), clean_name(p.get("name"))}
                participant = participants.get(p.get("id"))
                if participant is not None:
                    names |= {participant.get("id"), clean_name(participant.get("name"))}
                if wanted in names:
                    chosen = p
                    break
            if chosen is None:
                choices = []
                for p in processes:
                    participant = participants.get(p.get("id"))
                    label = clean_name((participant if participant is not None else p).get("name"))
                    choices.append(f"{p.get('id')}" + (f" ({label})" if label else ""))
                raise BpmnError(
                    f"{self.file}: no pool or process '{wanted}'; the file has: "
                    + ", ".join(choices)
                )
        else:
            chosen = max(processes, key=lambda p: counts[p.get("id")])
        if counts[chosen.get("id")] == 0:
            raise BpmnError(
                f"{self.file}:{chosen.sourceline}: the process '{chosen.get('id')}' has no "
                "activities (tasks or sub-processes): there is nothing to import"
            )
        for p in processes:
            if p is chosen or counts[p.get("id")] == 0:
                continue
            participant = participants.get(p.get("id"))
            pool = clean_name((participant if participant is not None else p).get("name"))
            listed = ", ".join(self.describe(a) for a in _activities(p))
            callers = [
                c for c in chosen.iter(_B + "callActivity") if c.get("calledElement") == p.get("id")
            ]
            if callers:
                self.warn(
                    f"process {p.get('id')} is called by {self.describe(callers[0])}, which is "
                    f"imported as one step; its own activities ({listed}) are not; import them "
                    f"with --process {p.get('id')}",
                    p,
                )
                continue
            self.warn(
                "the file has several pools; this import takes "
                f"'{self.pool_label(chosen, participants)}' and leaves out pool "
                f"'{pool or p.get('id')}' (process {p.get('id')}) with its activities {listed}; "
                f"import it with --process {p.get('id')}",
                p,
            )
        for flow in self.root.iter(_B + "messageFlow"):
            self.warn(
                f"{self.describe(flow)} between pools is not held by the format; left out",
                flow,
            )
        return chosen, participants.get(chosen.get("id"))

    def refused(self, exc: ModelError) -> BpmnError:
        """The error for a flow that maps to a model the format refuses, such as a loop that
        no flow leaves (a case could never finish): named by the BPMN element of the step."""
        lines = []
        for problem in exc.problems:
            if not problem.is_error:
                continue
            where, line = "", 0
            index = problem.path.removeprefix("steps[").partition("]")[0]
            if problem.path.startswith("steps[") and index.isdigit():
                key = self.written[int(index)] if int(index) < len(self.written) else None
                node = self.nodes.get(self.steps[key].node) if key in self.steps else None
                if node is not None and node.element is not None:
                    where, line = f"after {self.describe(node.element)}: ", node.line
            lines.append(f"{self.file}:{line}: {where}{problem.message}")
        return BpmnError(
            f"{self.file}: the process cannot be imported as a model of the format:\n"
            + "\n".join(lines or [str(exc)])
            + "\nFix the flow in your BPMN tool (a loop needs a way out to an end event; flows "
            "out of a task without a gateway all run at once); if it is right there, please "
            "report it as a bug in bpr with the file attached"
        )

    @staticmethod
    def pool_label(process: Any, participants: dict[str, Any]) -> str:
        participant = participants.get(process.get("id"))
        name = clean_name((participant if participant is not None else process).get("name"))
        return name or process.get("id")

    # -- the graph of one process ----------------------------------------------------------

    def read_process(self, process: Any) -> None:
        self.read_scope(process, scope=None)
        for element in process.iter(_B + "association"):
            source, target = element.get("sourceRef"), element.get("targetRef")
            for a, b in ((source, target), (target, source)):
                annotation = self.by_id.get(b or "")
                if annotation is not None and _local(annotation.tag) == "textAnnotation":
                    text = clean_name("".join(annotation.itertext()))
                    if text and a:
                        self.notes.setdefault(a, []).append(text)
        self.link_events()
        self.check_edges()
        self.connect_scopes()
        self.attach_boundaries()

    def add_node(self, element: Any, kind: str, *, node_id: str | None = None) -> _Node:
        ident = node_id or element.get("id")
        if not ident:
            raise BpmnError(
                f"{self.file}:{element.sourceline}: <{_local(element.tag)}> has no id; every "
                "flow element of BPMN needs one"
            )
        if ident in self.nodes:
            raise BpmnError(
                f"{self.file}:{element.sourceline}: the id '{ident}' is used twice; ids must "
                "be unique in a BPMN file"
            )
        node = _Node(ident, kind, _local(element.tag), clean_name(element.get("name")),
                     element.sourceline or 0, element=element)  # fmt: skip
        self.nodes[ident] = node
        self.out.setdefault(ident, [])
        self.inc.setdefault(ident, [])
        return node

    def add_edge(self, edge: _Edge) -> None:
        self.edges.append(edge)
        self.out.setdefault(edge.source, []).append(edge)
        self.inc.setdefault(edge.target, []).append(edge)

    def read_scope(self, container: Any, scope: str | None) -> None:
        """Read the flow elements of a process or an expanded sub-process."""
        starts: list[str] = []
        ends: list[str] = []
        for element in container:
            if not isinstance(element.tag, str) or not element.tag.startswith(_B):
                continue
            tag = _local(element.tag)
            if tag in ACTIVITY_TAGS:
                self.add_node(element, "activity")
                self.note_activity(element)
            elif tag in SUBPROCESS_TAGS:
                self.read_subprocess(element)
            elif tag == "startEvent":
                self.add_node(element, "start")
                starts.append(element.get("id"))
            elif tag == "endEvent":
                self.add_node(element, "end" if scope is None else "pass")
                ends.append(element.get("id"))
            elif tag in GATEWAY_KINDS:
                self.add_node(element, GATEWAY_KINDS[tag])
            elif tag in EVENT_TAGS:
                self.read_event(element)
            elif tag == "boundaryEvent":
                self.add_node(element, "pass")
                attached = element.get("attachedToRef") or ""
                self.boundaries.setdefault(attached, []).append(element.get("id"))
            elif tag == "sequenceFlow":
                self.read_flow(element)
            elif tag == "dataStoreReference":
                self.warn(
                    f"{self.describe(element)} is a data store: a system or registry, not a "
                    "document the format holds; left out",
                    element,
                )
            elif tag not in _QUIET_TAGS:
                self.warn(f"{self.describe(element)} is not held by the format; left out", element)
        if scope is None:
            self.starts = starts
        else:
            self.scopes.append((scope, starts, ends))

    def note_activity(self, element: Any) -> None:
        for marker in ("standardLoopCharacteristics", "multiInstanceLoopCharacteristics"):
            if element.find(_B + marker) is not None:
                self.warn(
                    f"{self.describe(element)} repeats ({marker.replace('LoopCharacteristics', '')}"
                    " loop marker); the format holds one run of a step: imported as one run",
                    element,
                )

    def read_subprocess(self, element: Any) -> None:
        ident = element.get("id")
        inner = list(_activities(element))
        if element.get("triggeredByEvent") == "true":
            listed = ", ".join(self.describe(a) for a in inner) or "no activities"
            self.warn(
                f"{self.describe(element)} is an event sub-process: it runs only when its event "
                f"occurs; the format cannot hold it: left out with {listed}",
                element,
            )
            return
        has_flow = any(
            _local(c.tag) in ACTIVITY_TAGS | SUBPROCESS_TAGS | {"startEvent"}
            for c in element
            if isinstance(c.tag, str)
        )
        expanded = self.expanded.get(ident, True) and has_flow
        if _local(element.tag) == "adHocSubProcess" or not expanded:
            self.add_node(element, "activity")
            self.note_activity(element)
            if inner:
                listed = ", ".join(self.describe(a) for a in inner)
                kind = (
                    "runs its activities in any order"
                    if _local(element.tag) == "adHocSubProcess"
                    else "is collapsed"
                )
                node_comment = (
                    f"{self.describe(element)} {kind}; imported as one step standing for its "
                    f"{len(inner)} activities: {listed}"
                )
                self.warn(node_comment, element)
                names = ", ".join(clean_name(a.get("name")) or a.get("id") for a in inner)
                self.notes.setdefault(ident, []).append(f"stands for the activities {names}")
            return
        # An expanded sub-process is flattened: its entry and exit become pass-through nodes.
        self.add_node(element, "pass")
        self.add_node(element, "pass", node_id=_exit_id(ident))
        self.read_scope(element, scope=ident)
        if _local(element.tag) == "transaction":
            self.warn(
                f"{self.describe(element)}: its activities are imported as steps; "
                "cancellation and compensation are not held by the format",
                element,
            )

    def connect_scopes(self) -> None:
        """Flatten expanded sub-processes: entry to their start, their ends to the exit."""
        boundary = self.boundary_ids()
        for scope, starts, ends in self.scopes:
            entry, exit_ = scope, _exit_id(scope)
            for edge in self.out[entry]:
                edge.source = exit_
                self.out[exit_].append(edge)
            self.out[entry] = []
            element = self.nodes[scope].element
            members = [
                n.id
                for n in self.nodes.values()
                if n.element is not None
                and n.element.getparent() is element
                and n.id not in boundary
            ]
            # A nested sub-process stands here twice, as its entry and its exit: the entry may
            # start the flow, the exit may end it.
            targets = starts or [m for m in members if not self.inc.get(m) and "#" not in m]
            if len(targets) > 1:
                # Without a start event every node with no incoming flow starts at once.
                self.nodes[entry].kind = "xor" if starts else "and"
            for target in targets:
                self.add_edge(
                    _Edge(f"{entry}->{target}", entry, target, line=self.nodes[entry].line)
                )
            for member in members:
                if member in ends or not self.out.get(member):
                    caught = self.caught_by(scope, member) if member in ends else None
                    target = caught or exit_
                    self.add_edge(
                        _Edge(f"{member}->{target}", member, target, line=self.nodes[member].line)
                    )  # fmt: skip

    def caught_by(self, scope: str, end: str) -> str | None:
        """The boundary event of a sub-process that catches the error or escalation one of its
        end events throws: the case goes on there, exactly as BPMN runs it."""
        kinds = _event_kinds(self.nodes[end].element)
        thrown = [k for k in kinds if k in ("error", "escalation")]
        if not thrown:
            return None
        for event_id in self.boundaries.get(scope, []):
            if thrown[0] in _event_kinds(self.nodes[event_id].element):
                self.caught.add(event_id)
                return event_id
        return None

    def boundary_ids(self) -> set[str]:
        return {b for bs in self.boundaries.values() for b in bs}

    def read_event(self, element: Any) -> None:
        link = element.find(_B + "linkEventDefinition")
        node = self.add_node(element, "pass")
        if link is not None:
            name = clean_name(link.get("name")) or node.name
            if _local(element.tag) == "intermediateCatchEvent":
                self.links.setdefault(name, []).append(node.id)
            else:
                node.tag = "link-throw"
                node.name = name
            return
        what = "/".join(_event_kinds(element)) or "none"
        self.warn(
            f"{self.describe(element)} ({what} event) is not held by the format; "
            "the flow passes through it",
            element,
        )

    def read_flow(self, element: Any) -> None:
        ident = element.get("id") or f"flow@{element.sourceline}"
        condition = element.find(_B + "conditionExpression")
        text = clean_name("".join(condition.itertext())) if condition is not None else ""
        edge = _Edge(
            ident,
            element.get("sourceRef") or "",
            element.get("targetRef") or "",
            clean_name(element.get("name")),
            text or ("(condition)" if condition is not None else ""),
            element.sourceline or 0,
        )
        branch = element.find(f"{_B}extensionElements/{_X}branch")
        if branch is not None:
            edge.p = self.probability(branch)
            edge.when = branch.get("when") or None
        self.add_edge(edge)

    def probability(self, element: Any) -> float | None:
        text = element.get("p")
        if text is None:
            return None
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        if not 0 <= value <= 1:
            self.warn(
                f'the probability p="{for_yaml_comment(text, 30)}" is not between 0 and 1; ignored',
                element,
            )
            return None
        return value

    def link_events(self) -> None:
        for node in list(self.nodes.values()):
            if node.tag != "link-throw":
                continue
            catches = self.links.get(node.name, [])
            if len(catches) != 1:
                problem = (
                    "no catching link event" if not catches else "several catching link events"
                )
                self.warn(
                    f"{self.describe(node.element)} throws a link, but there is {problem} named "
                    f"'{for_yaml_comment(node.name, 60)}'; the flow ends there",
                    node.element,
                )
                continue
            self.add_edge(_Edge(f"{node.id}->{catches[0]}", node.id, catches[0], line=node.line))

    def attach_boundaries(self) -> None:
        """An activity with boundary events gets a decision after it: done, or the event."""
        for activity, events in self.boundaries.items():
            host = self.nodes.get(activity)
            if host is None:
                element = self.by_id.get(events[0])
                raise BpmnError(
                    f"{self.file}:{element.sourceline if element is not None else 0}: boundary "
                    f"event '{events[0]}' is attached to '{activity}', which is not an activity "
                    "of this process (a dangling attachedToRef)"
                )
            source = _exit_id(activity) if _exit_id(activity) in self.nodes else activity
            kept = []
            for event_id in events:
                if event_id in self.caught:
                    continue
                event = self.nodes[event_id]
                element = event.element
                kinds = _event_kinds(element)
                what = "/".join(kinds) or "none"
                if "compensate" in kinds or not self.out.get(event_id):
                    self.warn(
                        f"{self.describe(element)} ({what} event) leads nowhere in the "
                        "flow; not held by the format, left out",
                        element,
                    )
                    continue
                interrupting = element.get("cancelActivity", "true") != "false"
                self.warn(
                    f"{self.describe(element)} ({what} event"
                    f"{'' if interrupting else ', non-interrupting'}) is imported as a branch of a "
                    "choice after its activity"
                    + ("" if interrupting else ": the activity does not go on in parallel")
                    + "; set the branch's probability p in the YAML",
                    element,
                )
                if not event.name:
                    event.name = what
                kept.append(event_id)
            if not kept:
                continue
            # The host's own outgoing flows now leave from a pass node after the decision.
            normal = f"{source}#done"
            decision = f"{source}#boundary"
            host_element = self.nodes[activity].element
            self.nodes[normal] = _Node(
                normal, "pass", host.tag, host.name, host.line, element=host_element
            )
            self.nodes[decision] = _Node(
                decision, "xor", "boundary", "", host.line, element=host_element
            )
            self.out[normal], self.inc[normal] = [], []
            self.out[decision], self.inc[decision] = [], []
            for edge in list(self.out.get(source, [])):
                edge.source = normal
                self.out[normal].append(edge)
            self.out[source] = []
            self.add_edge(_Edge(f"{source}->done", source, decision, line=host.line))
            self.add_edge(_Edge(f"{decision}->done", decision, normal, line=host.line))
            for event_id in kept:
                label = self.nodes[event_id].name
                self.add_edge(_Edge(f"{decision}->{event_id}", decision, event_id, when=label,
                                    line=self.nodes[event_id].line))  # fmt: skip

    def check_edges(self) -> None:
        for edge in self.edges:
            for end, ident in (("sourceRef", edge.source), ("targetRef", edge.target)):
                if ident in self.nodes:
                    continue
                element = self.by_id.get(ident)
                where = (
                    "which is not in the file"
                    if element is None
                    else f"a <{_local(element.tag)}> that is not a flow node of this process"
                )
                raise BpmnError(
                    f"{self.file}:{edge.line}: sequence flow '{edge.id}' has {end}='{ident}', "
                    f"{where} (a dangling reference); fix or remove the flow in your BPMN tool"
                )

    # -- actors ----------------------------------------------------------------------------

    def read_lanes(self, process: Any, participant: Any) -> None:
        lanes: list[tuple[Any, str]] = []

        def walk(lane_set: Any) -> None:
            for lane in lane_set.findall(_B + "lane"):
                actor = self.add_actor(lane, clean_name(lane.get("name")))
                lanes.append((lane, actor))
                for ref in lane.findall(_B + "flowNodeRef"):
                    target = (ref.text or "").strip()
                    if target in self.nodes:
                        self.lane_of[target] = actor  # inner lanes come later and win
                    elif target not in self.by_id:
                        self.warn(
                            f"lane {self.describe(lane)} refers to "
                            f"'{for_yaml_comment(target, 60)}', "
                            "which is not in the file (a dangling flowNodeRef); ignored",
                            ref,
                        )
                for child in lane.findall(_B + "childLaneSet"):
                    walk(child)

        for lane_set in process.findall(_B + "laneSet"):
            walk(lane_set)
        if lanes:
            # Nested lanes: the innermost lane is the actor; lanes that only hold lanes go.
            used = set(self.lane_of.values())
            for lane, actor in lanes:
                if lane.find(_B + "childLaneSet") is not None and actor not in used:
                    del self.actors[actor]
        else:
            self.read_performers()
        # Nodes inside flattened sub-processes take the lane of their sub-process.
        for node in self.nodes.values():
            if node.id in self.lane_of or node.element is None:
                continue
            ancestor = node.element if "#" in node.id else node.element.getparent()
            while ancestor is not None and ancestor.get("id") not in self.lane_of:
                ancestor = ancestor.getparent()
            if ancestor is not None:
                self.lane_of[node.id] = self.lane_of[ancestor.get("id")]
        missing = [
            n for n in self.nodes.values() if n.kind == "activity" and n.id not in self.lane_of
        ]
        if missing or not self.actors:
            name = clean_name((participant if participant is not None else process).get("name"))
            default = self.add_actor(None, name or "Performer")
            for node in missing:
                self.lane_of[node.id] = default
            self.default_actor = default
            if lanes and missing:
                self.warn(
                    f"{len(missing)} activities lie in no lane; they are given the actor "
                    f"'{default}': " + ", ".join(self.describe(n.element) for n in missing[:10]),
                    missing[0].element,
                )
        else:
            self.default_actor = next(iter(self.actors))
        for node in self.nodes.values():
            node.lane = self.lane_of.get(node.id)

    def read_performers(self) -> None:
        """Without lanes, the resource of a task's performer (or potential owner) is its actor."""
        for node in self.nodes.values():
            if node.kind != "activity":
                continue
            for role in node.element:
                if not isinstance(role.tag, str) or _local(role.tag) not in (
                    "performer", "humanPerformer", "potentialOwner",
                ):  # fmt: skip
                    continue
                ref = role.find(_B + "resourceRef")
                resource = self.by_id.get((ref.text or "").strip()) if ref is not None else None
                if resource is None:
                    continue
                key = "resource:" + resource.get("id")
                if key not in self.resource_actor:
                    self.resource_actor[key] = self.add_actor(
                        None, clean_name(resource.get("name")) or "Performer"
                    )
                self.lane_of[node.id] = self.resource_actor[key]
                break

    def add_actor(self, lane: Any, name: str, *, ext: Any = None) -> str:
        fields: dict[str, Any] = {"name": name or "Lane"}
        if lane is not None:
            ext = lane.find(f"{_B}extensionElements/{_X}actor")
        ident = None
        if ext is not None:
            wanted = ext.get("id") or ""
            if ID_PATTERN.fullmatch(wanted) and self.actor_ids.claim(wanted):
                ident = wanted
            if ext.get("kind") in ACTOR_KINDS and ext.get("kind") != "staff":
                fields["kind"] = ext.get("kind")
            if ext.get("agency"):
                fields["agency"] = ext.get("agency")
            if ext.get("name"):
                fields["name"] = ext.get("name")
            elif lane is not None and lane.get("name"):
                fields["name"] = lane.get("name")  # bpr's own file: the name exactly as written
            if (ext.get("index") or "").isdigit():
                fields["index"] = int(ext.get("index"))
        if ident is None:
            ident = self.actor_ids.make(name, fallback="actor")
        self.actors[ident] = fields
        return ident

    # -- documents -------------------------------------------------------------------------

    def read_documents(self, process: Any) -> None:
        doc_ids = IdMaker()
        by_name: dict[str, str] = {}
        objects = [e for e in process.iter(_B + "dataObject")]
        for element in objects:
            ext = element.find(f"{_B}extensionElements/{_X}document")
            name = clean_name(element.get("name"))
            if not name:
                refs = [
                    r
                    for r in process.iter(_B + "dataObjectReference")
                    if r.get("dataObjectRef") == element.get("id") and r.get("name")
                ]
                name = _without_state(clean_name(refs[0].get("name"))) if refs else ""
            if name and name.lower() in by_name and ext is None:
                self.doc_of[element.get("id")] = by_name[name.lower()]
                continue
            fields: dict[str, Any] = {"name": name or "Document"}
            ident = None
            if ext is not None:
                wanted = ext.get("id") or ""
                if ID_PATTERN.fullmatch(wanted) and doc_ids.claim(wanted):
                    ident = wanted
                if ext.get("name"):
                    fields["name"] = ext.get("name")
                elif element.get("name"):
                    fields["name"] = element.get("name")  # bpr's own file: exactly as written
                if ext.get("issuer"):
                    fields["issuer_key"] = ext.get("issuer")
                if ext.get("exchange") == "true":
                    fields["exchange"] = True
            if ident is None:
                ident = doc_ids.make(name, fallback="document")
            self.documents[ident] = fields
            self.doc_of[element.get("id")] = ident
            if name:
                by_name.setdefault(name.lower(), ident)
        # References without a data object (some tools write only the reference).
        for ref in process.iter(_B + "dataObjectReference"):
            target = ref.get("dataObjectRef")
            if not ref.get("id"):
                continue  # nothing can refer to it
            if target and target in self.doc_of:
                self.doc_of[ref.get("id")] = self.doc_of[target]
                continue
            name = _without_state(clean_name(ref.get("name")))
            if name.lower() in by_name:
                self.doc_of[ref.get("id")] = by_name[name.lower()]
                continue
            if target and target not in self.by_id:
                self.warn(
                    f"{self.describe(ref)} refers to '{for_yaml_comment(target, 60)}',"
                    " which is not in the file (a dangling dataObjectRef); read as a document of "
                    "its own",
                    ref,
                )
            ident = doc_ids.make(name, fallback="document")
            self.documents[ident] = {"name": name or "Document"}
            self.doc_of[ref.get("id")] = ident
            if name:
                by_name.setdefault(name.lower(), ident)
        # Data inputs and outputs of the process itself are documents too.
        spec = process.find(_B + "ioSpecification")
        if spec is not None:
            for element in spec:
                if isinstance(element.tag, str) and _local(element.tag) in (
                    "dataInput",
                    "dataOutput",
                ):
                    name = clean_name(element.get("name"))
                    if name.lower() in by_name:
                        self.doc_of[element.get("id")] = by_name[name.lower()]
                        continue
                    ident = doc_ids.make(name, fallback="document")
                    self.documents[ident] = {"name": name or "Document"}
                    self.doc_of[element.get("id")] = ident
                    if name:
                        by_name.setdefault(name.lower(), ident)

    def data_links(self, element: Any) -> tuple[list[str], list[str]]:
        """The documents an activity needs and produces, from its data associations."""
        needs: list[str] = []
        produces: list[str] = []
        for tag, side, into in (
            ("dataInputAssociation", "sourceRef", needs),
            ("dataOutputAssociation", "targetRef", produces),
        ):
            for association in element.findall(_B + tag):
                for ref in association.findall(_B + side):
                    target = (ref.text or "").strip()
                    document = self.doc_of.get(target)
                    if document is not None:
                        if document not in into:
                            into.append(document)
                        continue
                    found = self.by_id.get(target)
                    if found is None:
                        raise BpmnError(
                            f"{self.file}:{ref.sourceline}: {tag} '{association.get('id')}' of "
                            f"{self.describe(element)} refers to '{for_yaml_comment(target, 60)}', "
                            "which is not in the file (a dangling reference)"
                        )
                    # Data stores were reported once where they stand; the activity's own
                    # inputs and outputs (ioSpecification) are not documents.
        return needs, produces

    # -- model-level fields ---------------------------------------------------------------

    def read_model_fields(self, process: Any, participant: Any) -> dict[str, Any]:
        ext = process.find(f"{_B}extensionElements/{_X}model")
        fields: dict[str, Any] = {}
        title = clean_name((participant if participant is not None else process).get("name"))
        title = title or clean_name(process.get("name")) or clean_name(self.root.get("name"))
        if ext is not None:
            for key in ("service", "variant", "name", "currency"):
                if ext.get(key):
                    fields[key] = ext.get(key)
            for key in ("volume", "tariff"):
                number = _number(ext.get(key))
                if number is not None:
                    fields[key] = number
            maturity = ext.get("maturity")
            if maturity in ("1", "2", "3", "4"):
                fields["maturity"] = int(maturity)
            sources = ["".join(s.itertext()) for s in ext.findall(_X + "source")]
            if sources:
                fields["sources"] = [s for s in sources if s]
            for actor in ext.findall(_X + "actor"):  # actors without a lane: issuers
                self.add_actor(None, clean_name(actor.get("name")) or "Actor", ext=actor)
        if "service" in fields and not ID_PATTERN.fullmatch(fields["service"]):
            del fields["service"]
        if self.want_service:
            fields["service"] = self.want_service
        if "service" not in fields:
            stem = Path(self.file).stem if not self.file.startswith("<") else ""
            fields["service"] = slug(title, "-") or slug(stem, "-") or "imported-process"
        if self.want_variant:
            fields["variant"] = self.want_variant
        fields.setdefault("variant", "as-is")
        if title and "name" not in fields:
            fields["name"] = title
        return fields

    # -- fitting the flow to the format ------------------------------------------------------

    def compile(self, process: Any) -> None:
        starts = [s for s in self.starts if s in self.nodes]
        if not starts:
            starts = [
                n.id
                for n in self.nodes.values()
                if not self.inc.get(n.id)
                and n.kind != "end"
                and "#" not in n.id
                and n.id not in self.boundary_ids()
                and n.element is not None
                and n.element.getparent() is process
            ]
            if not starts:
                raise BpmnError(
                    f"{self.file}:{process.sourceline}: the process has no start event and every "
                    "activity has an incoming flow: there is no place where a case starts"
                )
            self.warn(
                "the process has no start event: a case starts at every element without an "
                "incoming flow (" + ", ".join(self.nodes[s].name or s for s in starts[:6]) + ")",
                process,
            )
            trees = [
                _Leaf(s) if self.nodes[s].kind == "activity" else self.follow(s, frozenset())
                for s in starts
            ]
            start_tree: Any = trees[0] if len(trees) == 1 else _Par("start", tuple(trees))
        elif len(starts) == 1:
            start_tree = self.follow_out(starts[0], frozenset())
        else:
            names = ", ".join(self.describe(self.nodes[s].element) for s in starts)
            self.warn(
                f"the process has {len(starts)} start events ({names}); a case starts at one of "
                "them: imported as a first step 'Start' that chooses among them",
                self.nodes[starts[0]].element,
            )
            self.spread.add("start")
            start_tree = _Choice(
                "start",
                tuple(
                    (self.follow_out(s, frozenset()), None, self.nodes[s].name or None)
                    for s in starts
                ),
            )
        if isinstance(start_tree, _Leaf) and start_tree.node != END:
            first = self.step_for(start_tree.node)
        elif isinstance(start_tree, _Leaf):
            raise BpmnError(
                f"{self.file}:{process.sourceline}: the start event leads straight to the end; "
                "the process has no activity to import"
            )
        else:
            origin = start_tree.gateway if isinstance(start_tree, _Join) else start_tree.origin
            first = self.added_step(origin, start_tree, name="Start")
        self.first = first
        # Steps are created as they are reached; fill in each one's flow until none is new.
        done: set[str] = set()
        while True:
            pending = [k for k in self.steps if k not in done]
            if not pending:
                break
            for key in pending:
                done.add(key)
                step = self.steps[key]
                if (
                    step.node in self.nodes
                    and self.nodes[step.node].kind == "activity"
                    and key == step.node
                ):
                    self.set_next(step, self.follow_out(step.node, frozenset()))
        self.report_unreached()
        self.repair_parallel()

    def step_for(self, node_id: str) -> str:
        """The key of the step of an activity node, created on first use."""
        if node_id not in self.steps:
            node = self.nodes[node_id]
            step = _Step(node_id, name=node.name, actor=node.lane or self.default_actor)
            element = node.element
            ext = element.find(f"{_B}extensionElements/{_X}step")
            if ext is not None:
                self.read_step_extension(step, ext)
                step.name = element.get("name") or ""  # bpr's own file: exactly as written
            elif node.tag in AUTOMATIC_TAGS:
                step.channel = "automatic"
            needs, produces = self.data_links(element)
            step.needs, step.produces = needs, produces
            for note in self.notes.get(node_id, []):
                step.comments.append(f"note: {note}")
            if node.tag == "callActivity" and element.get("calledElement"):
                called = for_yaml_comment(element.get("calledElement"), 60)
                step.comments.append(f"calls '{called}': imported as one step")
            self.steps[node_id] = step
        return node_id

    def read_step_extension(self, step: _Step, ext: Any) -> None:
        from bpr.core.durations import DurationError, parse_duration

        wanted = ext.get("id") or ""
        if ID_PATTERN.fullmatch(wanted) and wanted != END:
            step.id = wanted
        if ext.get("channel") in CHANNELS:
            step.channel = ext.get("channel")
        for key in ("work", "wait"):
            text = ext.get(key)
            if text:
                try:
                    setattr(step, key, str(parse_duration(_duration_value(text))))
                except DurationError as exc:
                    self.warn(
                        f'{key}="{for_yaml_comment(text, 40)}" of bpr:step: {exc}; ignored', ext
                    )
        fee = _number(ext.get("fee"))
        if fee is not None:
            step.fee = fee
        index = ext.get("index")
        if index is not None and index.isdigit():
            step.index = int(index)
        step.replaces = [r for r in (ext.get("replaces") or "").split() if ID_PATTERN.fullmatch(r)]

    def added_step(self, origin: str, tree: Any, *, name: str = "") -> str:
        """A step the format needs where BPMN has a gateway with no task before or after it."""
        key = "added:" + origin
        if key in self.steps:
            return key
        node = self.nodes.get(origin)
        kind = "join" if isinstance(tree, _Join) else type(tree).__name__.strip("_").lower()
        defaults = {
            "choice": "Decide",
            "par": "Split into parallel work",
            "join": "Wait for all branches",
        }
        label = (
            (node.name if node is not None and node.name else "")
            or name
            or defaults.get(kind, "Route")
        )
        lane = (node.lane if node is not None else None) or self.lane_near(origin)
        step = _Step(origin, name=label, actor=lane)
        if node is not None and node.element is not None:
            step.comments.append(
                f"added by bpr import: the {node.tag} at line {node.line} has no task right "
                f"{'after' if isinstance(tree, _Join) else 'before'} it to hang on (no work)"
            )
        else:
            step.comments.append("added by bpr import: where a case starts (no work)")
        self.steps[key] = step
        if isinstance(tree, _Join):
            step.join = step.added_join = True
            self.set_next(step, tree.inner)
        else:
            self.set_next(step, tree)
        return key

    def lane_near(self, node_id: str) -> str:
        seen = {node_id}
        frontier = [node_id]
        while frontier:
            current = frontier.pop(0)
            for edge in self.inc.get(current, []) + self.out.get(current, []):
                for other in (edge.source, edge.target):
                    if other in seen:
                        continue
                    seen.add(other)
                    lane = self.nodes[other].lane if other in self.nodes else None
                    if lane:
                        return lane
                    frontier.append(other)
        return self.default_actor

    # The flow after a node, as a tree of choices, parallel splits and joins over activities.

    def follow(self, node_id: str, visiting: frozenset[str]) -> Any:
        node = self.nodes[node_id]
        self.budget -= 1
        if self.budget < 0:
            near = self.describe(node.element) if node.element is not None else node_id
            raise BpmnError(
                f"{self.file}:{node.line}: the flow has too many ways through its gateways to "
                f"follow (near {near}): gateways that split and merge again with no activity "
                "between them multiply the ways; simplify them in your BPMN tool"
            )
        if node.kind == "activity":
            return _Leaf(node_id)
        if node.kind == "end":
            return _Leaf(END)
        if node_id in visiting:
            self.warn(
                f"a loop of gateways and events without any activity passes through "
                f"{self.describe(node.element)}; the loop is cut there and the case ends",
                node.element,
            )
            return _Leaf(END)
        visiting = visiting | {node_id}
        outs = self.out.get(node_id, [])
        if not outs:
            return _Leaf(END)
        if node.kind == "and":
            if len(outs) == 1:
                inner = self.follow(outs[0].target, visiting)
            else:
                inner = self.fan_out(node_id, outs, visiting, parallel=True)
            if len(self.inc.get(node_id, [])) > 1:
                return _Join(node_id, inner)
            return inner
        if node.kind in ("xor", "or", "event-gw"):
            if len(outs) == 1:
                return self.follow(outs[0].target, visiting)
            if node.kind == "or" and node_id not in self.reported:
                self.reported.add(node_id)
                self.warn(
                    f"{self.describe(node.element)} lets one or more branches run; the format "
                    "has exclusive choices and parallel splits: imported as an exclusive choice",
                    node.element,
                )
            elif node.kind == "event-gw" and node_id not in self.reported:
                self.reported.add(node_id)
                self.warn(
                    f"{self.describe(node.element)} is imported as an "
                    "exclusive choice among the events that follow it",
                    node.element,
                )
            return self.fan_out(node_id, outs, visiting, parallel=False)
        return self.follow_out(node_id, visiting)

    def follow_out(self, node_id: str, visiting: frozenset[str]) -> Any:
        """The flow after a task or event: one flow, or several (parallel unless conditional)."""
        outs = self.out.get(node_id, [])
        if not outs:
            return _Leaf(END)
        if len(outs) == 1:
            return self.follow(outs[0].target, visiting | {node_id})
        conditional = any(e.condition for e in outs)
        node = self.nodes[node_id]
        if (
            node_id not in self.reported
            and node.element is not None
            and node.tag not in ("pass", "boundary")
        ):
            self.reported.add(node_id)
            self.warn(
                f"{self.describe(node.element)} has {len(outs)} outgoing flows without a gateway; "
                + ("they carry conditions: imported as an exclusive choice" if conditional
                   else "all of them run: imported as a parallel split"),
                node.element,
            )  # fmt: skip
        return self.fan_out(node_id, outs, visiting | {node_id}, parallel=not conditional)

    def fan_out(
        self, node_id: str, outs: list[_Edge], visiting: frozenset[str], *, parallel: bool
    ) -> Any:
        if parallel:
            return _Par(node_id, tuple(self.follow(e.target, visiting) for e in outs))
        branches = tuple(
            (self.follow(e.target, visiting), e.p, e.when or e.name or _short(e.condition) or None)
            for e in outs
        )
        return _Choice(node_id, branches)

    def set_next(self, step: _Step, tree: Any) -> None:
        """Fit a tree into the step's ``next`` (and ``join`` marks on the steps it reaches)."""
        if isinstance(tree, _Leaf):
            step.kind, step.targets = "seq", [self.target(tree)]
        elif isinstance(tree, _Join):
            step.kind, step.targets = "seq", [self.join_target(tree)]
        elif isinstance(tree, _Par):
            targets: list[str] = []
            for branch in tree.branches:
                if isinstance(branch, _Leaf) and branch.node == END:
                    continue  # a branch that ends at once adds nothing
                target = self.leaf(branch)
                if target not in targets:
                    targets.append(target)
            if len(targets) > 1:
                step.kind, step.targets = "par", targets
            else:
                step.kind, step.targets = "seq", targets or [END]
        else:
            flat = list(self.flatten(tree, 1.0, None))
            merged: dict[str, list[Any]] = {}
            for target, p, when, given in flat:
                if target in merged:
                    entry = merged[target]
                    entry[0] += p
                    if when and when not in (entry[1] or ""):
                        entry[1] = f"{entry[1]} / {when}" if entry[1] else when
                    entry[2] = True  # a merged share is no longer an even one
                else:
                    merged[target] = [p, when, given]
            if len(merged) == 1:
                step.kind, step.targets = "seq", list(merged)
                return
            step.kind = "choice"
            step.targets = list(merged)
            nested = any(isinstance(b[0], _Choice) for b in tree.branches)
            keep = nested or any(v[2] for v in merged.values())
            step.probabilities = [v[0] if keep else None for v in merged.values()]
            step.whens = [v[1] for v in merged.values()]
            if tree.origin in self.spread or any(o in self.spread for o in self.origins(tree)):
                step.flow_comment = (
                    "the BPMN file gives no probabilities: the branches share evenly"
                )

    def origins(self, tree: Any) -> Iterator[str]:
        if isinstance(tree, _Choice):
            yield tree.origin
            for branch in tree.branches:
                yield from self.origins(branch[0])

    def flatten(
        self, tree: _Choice, weight: float, outer_when: str | None, *, nested: bool = False
    ) -> Iterator[tuple[str, float, str | None, bool]]:
        given = [p for _, p, _ in tree.branches if p is not None]
        missing = sum(1 for _, p, _ in tree.branches if p is None)
        total = sum(given)
        if missing:
            share = max(0.0, 1.0 - total) / missing
            if tree.origin not in self.spread:
                self.spread.add(tree.origin)
                node = self.nodes.get(tree.origin)
                if node is not None and node.element is not None and node.tag != "boundary":
                    self.warn(
                        f"the branches after {self.describe(node.element)} carry no "
                        "probabilities; they share evenly: set p in the YAML",
                        node.element,
                    )
        elif total > 0 and abs(total - 1) > 1e-6:
            node = self.nodes.get(tree.origin)
            self.warn(
                f"the probabilities after {tree.origin} add up to {total:g}, not 1; scaled to 1",
                node.element if node is not None else None,
            )
        for branch, p, when in tree.branches:
            if p is None:
                p = share
            elif not missing and total > 0:
                p = p / total
            if nested and when and self.nodes.get(tree.origin) is not None:
                gateway = self.nodes[tree.origin]
                if gateway.name and gateway.tag != "boundary":
                    when = f"{gateway.name} {when}"
            label = "; ".join(w for w in (outer_when, when) if w) or None
            if isinstance(branch, _Choice):
                yield from self.flatten(branch, weight * p, label, nested=True)
            else:
                yield self.leaf(branch), weight * p, label, bool(given)

    def target(self, leaf: _Leaf) -> str:
        return END if leaf.node == END else self.step_for(leaf.node)

    def leaf(self, tree: Any) -> str:
        """A branch target as one step: an added step where the branch starts with a gateway."""
        if isinstance(tree, _Leaf):
            return self.target(tree)
        if isinstance(tree, _Join):
            return self.join_target(tree)
        return self.added_step(tree.origin, tree)

    def join_target(self, tree: _Join) -> str:
        """The step where parallel branches meet: the task right after the join, or an added one."""
        key = "join:" + tree.gateway
        cached = self.join_targets.get(key)
        if cached is not None:
            return cached
        inner = tree.inner
        single = None
        if isinstance(inner, _Leaf) and inner.node != END:
            # The task after the join holds the join only if nothing else leads into it.
            current = self.out[tree.gateway][0].target if len(self.out[tree.gateway]) == 1 else None
            while (
                current is not None
                and self.nodes[current].kind == "pass"
                and len(self.inc[current]) == 1
            ):
                outs = self.out[current]
                current = outs[0].target if len(outs) == 1 else None
            if current == inner.node and len(self.inc[current]) == 1:
                single = inner.node
        if single is not None:
            result = self.step_for(single)
            self.steps[result].join = True
        else:
            result = self.added_step(tree.gateway, tree)
        self.join_targets[key] = result
        return result

    def report_unreached(self) -> None:
        reached = self.reachable()
        for key in list(self.steps):
            if key not in reached:
                del self.steps[key]
        for node in self.nodes.values():
            if node.kind == "activity" and node.id not in self.steps:
                why = (
                    "is a compensation activity, outside the normal flow (compensation is not "
                    "held by the format)"
                    if node.element.get("isForCompensation") == "true"
                    else "cannot be reached from the start of the process"
                )
                self.warn(f"{self.describe(node.element)} {why}; left out", node.element)

    def reachable(self) -> set[str]:
        seen = {self.first}
        stack = [self.first]
        while stack:
            key = stack.pop()
            for target in self.steps[key].targets:
                if target != END and target not in seen:
                    seen.add(target)
                    stack.append(target)
        return seen

    def repair_parallel(self) -> None:
        """Fit parallel splits to the format's rule that every split closes with one join.

        Branches that each run to an end event meet where the case ends (BPMN ends a case when
        all its branches have ended), so they get an added join step before the end: exact.
        Splits that still break the rule (branches that merge without a join, a join entered
        from outside) become exclusive choices, reported. Joins that then close nothing go.
        """
        for _ in range(2 * len(self.steps) + 2):
            broken = _broken_splits(self.steps)
            if not broken:
                break
            key = min(broken, key=lambda k: len(self.region(k)))
            if not self.join_at_end(key):
                self.split_to_choice(key)
        closing = _closing_joins(self.steps)
        for key, step in list(self.steps.items()):
            if not step.join or key in closing:
                continue
            step.join = False
            if (
                step.added_join
                and step.kind == "seq"
                and key != self.first
                and step.targets != [key]
            ):
                self.splice(key)
            else:
                step.comments.append(
                    "the BPMN join before this step closes no split the format keeps (its "
                    "branches hold no activity, or the split became a choice): dropped"
                )

    def splice(self, key: str) -> None:
        """Remove a step that only passes the case on, leading its predecessors past it."""
        target = self.steps.pop(key).targets[0]
        for step in self.steps.values():
            if key not in step.targets:
                continue
            targets = [target if t == key else t for t in step.targets]
            if step.kind == "choice":
                merged: dict[str, list[Any]] = {}
                for t, p, w in zip(targets, step.probabilities, step.whens, strict=True):
                    if t in merged:
                        entry = merged[t]
                        entry[0] = None if entry[0] is None or p is None else entry[0] + p
                        entry[1] = " / ".join(x for x in (entry[1], w) if x) or None
                    else:
                        merged[t] = [p, w]
                if any(v[0] is None for v in merged.values()) and len(merged) < len(targets):
                    share = 1 / len(targets)  # evenly spread shares that were merged
                    merged = {}
                    for t, w in zip(targets, step.whens, strict=True):
                        entry = merged.setdefault(t, [0.0, None])
                        entry[0] += share
                        entry[1] = " / ".join(x for x in (entry[1], w) if x) or None
                step.targets = list(merged)
                step.probabilities = [v[0] for v in merged.values()]
                step.whens = [v[1] for v in merged.values()]
            else:
                step.targets = list(dict.fromkeys(targets))
            if len(step.targets) == 1:
                step.kind = "seq"

    def region(self, key: str) -> set[str]:
        """The steps reachable from a step."""
        seen: set[str] = set()
        stack = [t for t in self.steps[key].targets if t != END]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            stack.extend(t for t in self.steps[current].targets if t != END)
        return seen

    def join_at_end(self, key: str) -> bool:
        region = self.region(key)
        if key in region:
            return False
        ending = [k for k in region if END in self.steps[k].targets]
        if not ending:
            return False
        split = self.steps[key]
        join_key = "endjoin:" + key
        join = _Step(
            split.node, name="All branches done", actor=split.actor, join=True, targets=[END]
        )
        where = self.where(split)
        join.comments.append(
            f"added by bpr import: the parallel branches after {where} end apart; a case ends "
            "when all have ended (no work)"
        )
        self.steps[join_key] = join
        saved = {k: list(self.steps[k].targets) for k in ending}
        for k in ending:
            self.steps[k].targets = [join_key if t == END else t for t in self.steps[k].targets]
        if key not in _broken_splits(self.steps):
            return True
        for k, targets in saved.items():
            self.steps[k].targets = targets
        del self.steps[join_key]
        return False

    def split_to_choice(self, key: str) -> None:
        step = self.steps[key]
        node = self.nodes.get(step.node)
        self.warn(
            f"the parallel split after {self.where(step)} does not close with one join as the "
            "format needs (its branches merge without a join, or a join is entered from "
            "outside); imported as an exclusive choice",
            node.element if node is not None else None,
        )
        step.kind = "choice"
        step.probabilities = [None] * len(step.targets)
        step.whens = [None] * len(step.targets)
        step.flow_comment = "a parallel split in BPMN that does not join: approximated as a choice"

    def where(self, step: _Step) -> str:
        node = self.nodes.get(step.node)
        if node is not None and node.element is not None:
            return f"{node.tag} '{for_yaml_comment(node.name or node.id, 60)}' (line {node.line})"
        return f"step '{step.name}'"

    # -- the YAML text ----------------------------------------------------------------------

    def write_yaml(self, process: Any) -> str:
        order = self.written = self.order()
        # Ids from bpr's own extension first, so that a step added in a BPMN tool whose name
        # gives the same id does not take it from the step that has it.
        for key in order:
            step = self.steps[key]
            if step.id and not self.step_ids.claim(step.id):
                step.id = ""
        for key in order:
            step = self.steps[key]
            if not step.id:
                step.id = self.step_ids.make(step.name, fallback="step")
        fields = self.model_fields
        lines = [
            f"# Imported by bpr from {for_yaml_comment(Path(self.file).name, 100)} (process "
            f"{for_yaml_comment(process.get('id') or '', 60)}).",
        ]
        if self.warnings:
            lines.append(
                f"# {len(self.warnings)} approximation(s) reported on import; comments below "
                "mark them."
            )
        lines += [
            "bpr: 1",
            f"service: {yaml_scalar(fields['service'])}",
            f"variant: {yaml_scalar(fields['variant'])}",
        ]
        if "name" in fields:
            lines.append(f"name: {yaml_scalar(fields['name'])}")
        for key in ("maturity", "volume", "currency", "tariff"):
            if key in fields:
                value = fields[key]
                text = yaml_scalar(value) if isinstance(value, str) else _format_number(value)
                lines.append(f"{key}: {text}")
        if fields.get("sources"):
            lines.append("sources:")
            lines += [f"  - {yaml_scalar(s)}" for s in fields["sources"]]
        lines += ["", "actors:"]
        actors = list(self.actors.items())
        if all("index" in a for _, a in actors):  # bpr's own file: the model's order
            actors.sort(key=lambda item: item[1]["index"])
        for ident, actor in actors:
            parts = [f"name: {yaml_scalar(actor['name'])}"]
            if actor.get("kind"):
                parts.append(f"kind: {actor['kind']}")
            if actor.get("agency"):
                parts.append(f"agency: {yaml_scalar(actor['agency'])}")
            lines.append(f"  {ident}: {{{', '.join(parts)}}}")
        if self.documents:
            lines += ["", "documents:"]
            for ident, document in self.documents.items():
                parts = [f"name: {yaml_scalar(document['name'])}"]
                issuer = document.get("issuer_key")
                if issuer in self.actors:
                    parts.append(f"issuer: {issuer}")
                    if document.get("exchange"):
                        parts.append("exchange: true")
                lines.append(f"  {ident}: {{{', '.join(parts)}}}")
        lines += ["", "steps:"]
        for position, key in enumerate(order):
            step = self.steps[key]
            following = order[position + 1] if position + 1 < len(order) else END
            lines += self.step_lines(step, following)
        return "\n".join(lines) + "\n"

    def step_lines(self, step: _Step, following: str) -> list[str]:
        out = []
        for comment in step.comments:
            out.append(f"  # {for_yaml_comment(comment)}")
        out.append(f"  - id: {yaml_scalar(step.id)}")
        if step.name and step.name != step.id:
            out.append(f"    name: {yaml_scalar(step.name)}")
        out.append(f"    actor: {step.actor}")
        if step.channel and step.channel != "internal":
            out.append(f"    channel: {step.channel}")
        if step.join:
            out.append("    join: all")
        for key in ("work", "wait"):
            value = getattr(step, key)
            if value and value != "0h":
                out.append(f"    {key}: {value}")
        if step.fee:
            out.append(f"    fee: {_format_number(step.fee)}")
        for key in ("needs", "produces"):
            values = getattr(step, key)
            if values:
                out.append(f"    {key}: [{', '.join(values)}]")
        if step.replaces:
            out.append(f"    replaces: [{', '.join(step.replaces)}]")
        ids = [END if t == END else self.steps[t].id for t in step.targets]
        comment = f"  # {for_yaml_comment(step.flow_comment)}" if step.flow_comment else ""
        if step.kind == "seq":
            if step.targets[0] != following:
                out.append(f"    next: {ids[0]}{comment}")
        elif step.kind == "par":
            out.append(f"    next: {{all: [{', '.join(ids)}]}}{comment}")
        else:
            out.append(f"    next:{comment}")
            for ident, p, when in zip(ids, step.probabilities, step.whens, strict=True):
                parts = [f"to: {ident}"]
                if p is not None:
                    parts.append(f"p: {_format_p(p, exact=not step.flow_comment)}")
                if when:
                    parts.append(f"when: {yaml_scalar(for_yaml_comment(when, 80))}")
                out.append(f"      - {{{', '.join(parts)}}}")
        return out

    def order(self) -> list[str]:
        """Steps in the file's order where the file is bpr's own, else in flow order."""
        keys = list(self.steps)
        if all(self.steps[k].index is not None for k in keys):
            ordered = sorted(keys, key=lambda k: self.steps[k].index or 0)
            if ordered[0] == self.first:
                return ordered
        # Reverse postorder of a depth-first walk: every step after the steps that lead to it,
        # loops aside; the branches of a split one after the other.
        seen: set[str] = set()
        post: list[str] = []

        def later_first(key: str) -> Iterator[str]:
            return reversed(self.steps[key].targets)

        stack: list[tuple[str, Iterator[str]]] = [(self.first, later_first(self.first))]
        seen.add(self.first)
        while stack:
            key, targets = stack[-1]
            for target in targets:
                if target != END and target not in seen:
                    seen.add(target)
                    stack.append((target, later_first(target)))
                    break
            else:
                post.append(key)
                stack.pop()
        return post[::-1]


def _broken_splits(steps: dict[str, _Step]) -> list[str]:
    """Parallel splits that break the format's rules (see bpr.graph): not closed by a join at
    their immediate postdominator, a branch looping back before the split, entered from outside."""
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_node(END)
    for key, step in steps.items():
        graph.add_node(key)
        for target in step.targets:
            graph.add_edge(key, target)
    reverse = graph.reverse(copy=True)
    reachable_to_end = nx.ancestors(graph, END) | {END}
    postdom = nx.immediate_dominators(reverse.subgraph(reachable_to_end), END)
    broken: list[str] = []
    blocks: list[tuple[str, str, set[str]]] = []
    for key, step in steps.items():
        if step.kind != "par":
            continue
        join = postdom.get(key)
        if join is None or join == END or not steps[join].join:
            broken.append(key)
            continue
        inside: set[str] = set()
        looped = False
        for start in step.targets:
            if start == join:
                continue
            region = {start}
            stack = [start]
            while stack:
                current = stack.pop()
                for target in steps[current].targets if current != END else []:
                    if target not in (join, END) and target not in region:
                        region.add(target)
                        stack.append(target)
            if key in region:
                looped = True
            inside |= region
        if looped:
            broken.append(key)
            continue
        blocks.append((key, join, inside))
    if broken:
        return broken
    feeds: dict[str, set[str]] = {}
    for split, join, inside in blocks:
        feeds.setdefault(join, set()).update(inside | {split})
        for member in inside:
            for source in graph.predecessors(member):
                if source != split and source not in inside:
                    broken.append(split)
                    break
    for split, join, _ in blocks:
        if (
            any(source not in feeds[join] for source in graph.predecessors(join))
            and split not in broken
        ):
            broken.append(split)
    return broken


def _closing_joins(steps: dict[str, _Step]) -> set[str]:
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_node(END)
    for key, step in steps.items():
        for target in step.targets:
            graph.add_edge(key, target)
    reverse = graph.reverse(copy=True)
    reachable_to_end = nx.ancestors(graph, END) | {END}
    postdom = nx.immediate_dominators(reverse.subgraph(reachable_to_end), END)
    return {postdom[k] for k, s in steps.items() if s.kind == "par" and k in postdom}


def _activities(container: Any) -> Iterator[Any]:
    """Activities inside a process or sub-process, sub-processes' insides included."""
    for element in container:
        if not isinstance(element.tag, str) or not element.tag.startswith(_B):
            continue
        tag = _local(element.tag)
        if tag in ACTIVITY_TAGS:
            yield element
        elif tag in SUBPROCESS_TAGS:
            inner = list(_activities(element))
            if inner and element.get("triggeredByEvent") != "true":
                yield from inner
            else:
                yield element


def _event_kinds(element: Any) -> list[str]:
    """The kinds of an event's definitions: ``['timer']``, ``['error']``; empty for none."""
    return [
        _local(d.tag).replace("EventDefinition", "")
        for d in element
        if isinstance(d.tag, str) and d.tag.endswith("EventDefinition")
    ]


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _exit_id(ident: str) -> str:
    return ident + "#exit"


def _without_state(name: str) -> str:
    """A data object reference's name without its state: 'Invoice [approved]' -> 'Invoice'."""
    if name.endswith("]") and "[" in name:
        return name[: name.rindex("[")].strip()
    return name


def _short(condition: str) -> str:
    return for_yaml_comment(condition, 60) if condition and condition != "(condition)" else ""


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def _duration_value(text: str) -> Any:
    """A duration as the loader reads it: ``{min: .., mode: .., max: ..}`` text becomes a dict."""
    stripped = text.strip()
    if stripped.startswith("{") and stripped.endswith("}"):
        out = {}
        for part in stripped[1:-1].split(","):
            key, _, value = part.partition(":")
            out[key.strip()] = value.strip()
        return out
    return stripped


def _format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _format_p(p: float, *, exact: bool = False) -> str:
    """A probability in at most 12 significant digits: exact for what analysts write (0.8),
    and within the loader's tolerance for shares such as 1/3; ``exact`` keeps every digit of
    a probability the file gives (bpr's own files: export then import changes nothing).

    >>> _format_p(0.8), _format_p(1 / 3), _format_p(1 / 3, exact=True)
    ('0.8', '0.333333333333', '0.3333333333333333')
    """
    text = f"{p:.12g}"
    return repr(float(p)) if exact and float(text) != p else text
