"""A model as BPMN 2.0 XML: one pool with a lane per actor, tasks, gateways, data objects, BPMNDI.

The figures BPMN has no element for (work, wait, fee, channel, probabilities, document
issuers) travel in extension elements of the namespace ``urn:bpr:bpmn:1`` (prefix ``bpr``), so
that ``bpr import`` gives back the same model; BPMN tools keep extension elements they do not
know. Positions come from :func:`bpr.layout.engine.layout_model`, the layout of bpr's own diagrams.
"""

from __future__ import annotations

import os
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from bpr.analysis.flownet import END_ID, START_ID, FlowEdge, FlowNet, FlowNode, flow_net
from bpr.bpmn.extdata import extra_fields, write_data
from bpr.bpmn.xml import (
    BPMN_NS,
    BPMNDI_NS,
    BPR_NS,
    DC_NS,
    DI_NS,
    MAX_BYTES,
    BpmnError,
    for_xml,
    lxml_etree,
    ncname,
)
from bpr.core._gc import gc_paused
from bpr.core.model import END, Model, Step
from bpr.core.textmetrics import wrap
from bpr.core.version import __version__
from bpr.core.vocab import SYSTEM
from bpr.files.output import atomic_write
from bpr.files.writer import model_data
from bpr.layout.engine import (
    GATEWAY_SIZE,
    MAX_STEPS,
    EdgeRoute,
    Layout,
    NodeBox,
    Rect,
    lane_order,
    layout_model,
)
from bpr.layout.phases import phase_boxes

__all__ = [
    "MAX_DIAGRAM_STEPS",
    "BpmnNet",
    "bpmn_net",
    "check_diagram_size",
    "check_file_size",
    "export_bpmn",
    "task_type",
    "to_bpmn",
]

#: The most steps whose diagram the export lays out: the layout's own limit, one number for
#: every diagram. Without the layout (``diagram=False``) any model is written, in linear time.
MAX_DIAGRAM_STEPS = MAX_STEPS

# Room BPMN tools draw a pool's and a lane's name in (vertical text at the left), and margins.
POOL_HEADER = 30.0
LANE_HEADER = 30.0
MARGIN = 20.0
DATA_WIDTH = 36.0
DATA_HEIGHT = 50.0
DATA_LABEL_WIDTH = 96.0
DATA_BAND = DATA_HEIGHT + 56.0  # the row of documents under the lanes: icon, name, padding
TASK_NAME_SIZE = 11.0
SUB_PAD_X = 60.0  # room in a phase's sub-process for its start and end events
SUB_PAD_Y = 10.0
SUB_LABEL = 18.0  # room for the phase's name at the top of its sub-process


def task_type(model: Model, step: Step) -> str:
    """The BPMN task type of a step.

    The applicant's own steps and in-person work are user tasks (a person does the work),
    ``automatic`` steps and the steps of an information system (``kind: system``) service
    tasks, ``post`` steps manual tasks (paper is handled), and the
    rest plain tasks.

    >>> import bpr
    >>> m = bpr.loads(
    ...     "bpr: 1\\nservice: s\\nvariant: as-is\\nactors: {a: {name: A}}\\n"
    ...     "steps: [{id: x, actor: a, channel: automatic}, {id: y, actor: a, channel: post}]\\n"
    ... )
    >>> [task_type(m, s) for s in m.steps]
    ['serviceTask', 'manualTask']
    """
    if model.is_applicant_step(step):
        return "userTask"
    if step.channel == "automatic" or model.actors[step.actor].kind == SYSTEM:
        return "serviceTask"
    if step.channel == "post":
        return "manualTask"
    return "task"


@dataclass
class BpmnNet:
    """The flow net with what BPMN needs besides: a merge gateway before every task or end
    event that several flows reach (bpmnlint's "fake-join" rule), and each node's BPMN id."""

    net: FlowNet
    ids: dict[str, str] = field(default_factory=dict)


def bpmn_net(model: Model) -> BpmnNet:
    """The BPMN-ready flow net of a model (see :class:`BpmnNet`).

    >>> import bpr
    >>> m = bpr.loads(
    ...     "bpr: 1\\nservice: s\\nvariant: as-is\\nactors: {a: {name: A}}\\n"
    ...     "steps:\\n- {id: x, actor: a, next: [{to: x, p: 0.5}, {to: end, p: 0.5}]}\\n"
    ... )
    >>> sorted(bpmn_net(m).ids.values())
    ['EndEvent_1', 'Gateway_merge_x', 'Gateway_xor_x', 'StartEvent_1', 'Task_x']
    """
    base = flow_net(model)
    # Two branches of one choice to the same step are one flow in BPMN (bpmnlint refuses
    # duplicate flows): their probabilities add up, their labels are joined.
    merged: dict[tuple[str, str], FlowEdge] = {}
    for edge in base.edges:
        key = (edge.source, edge.target)
        if key in merged:
            first = merged[key]
            label = " / ".join(x for x in (first.label, edge.label) if x) or None
            p = (first.p or 0.0) + (edge.p or 0.0) if first.p is not None else None
            merged[key] = FlowEdge(first.source, first.target, label, p)
        else:
            merged[key] = edge
    base = FlowNet(base.nodes, list(merged.values()))
    incoming: dict[str, int] = {}
    for edge in base.edges:
        incoming[edge.target] = incoming.get(edge.target, 0) + 1
    merges = {n.id for n in base.nodes if n.kind in ("task", "end") and incoming.get(n.id, 0) > 1}
    net = FlowNet()
    for node in base.nodes:
        if node.id in merges:
            net.nodes.append(FlowNode(_merge_id(node.id), "merge", node.lane, node.step, ""))
        net.nodes.append(node)
    for edge in base.edges:
        if edge.target in merges:
            net.edges.append(FlowEdge(edge.source, _merge_id(edge.target), edge.label, edge.p))
        else:
            net.edges.append(edge)
    position = {node.id: i for i, node in enumerate(base.nodes)}
    for target in sorted(merges, key=position.__getitem__):
        net.edges.append(FlowEdge(_merge_id(target), target))
    ids = {}
    for node in net.nodes:
        ids[node.id] = _bpmn_id(node)
    return BpmnNet(net, ids)


@dataclass(frozen=True)
class _Flow:
    """A sequence flow as written: between BPMN ids, in the process or in a phase's
    sub-process; ``edge`` is the flow net's edge it draws (None for the flows from a
    sub-process's own start event and to its own end event)."""

    id: str
    source: str
    target: str
    phase: str | None = None  # the sub-process it lies in
    edge: int | None = None
    label: str | None = None
    p: float | None = None


_IN_BPMN = f"{{{BPMN_NS}}}"


def _merge_id(node_id: str) -> str:
    return f"merge:{node_id}"


def _bpmn_id(node: FlowNode) -> str:
    if node.id == START_ID:
        return "StartEvent_1"
    if node.id == END_ID:
        return "EndEvent_1"
    if node.kind == "task":
        return ncname("Task_", node.id)
    kind, _, rest = node.id.partition(":")
    if kind == "merge":
        rest = "end" if rest == END_ID else rest
    return ncname(f"Gateway_{kind}_", rest)


def to_bpmn(model: Model, *, diagram: bool = True) -> bytes:
    """The model as BPMN 2.0 XML (UTF-8) with its diagram interchange: laid out as bpr's own
    diagrams, or with ``diagram=False`` in a plain grid written in linear time (each lane a
    row, its elements in the order of the process), which every BPMN tool still opens.

    >>> import bpr
    >>> xml = to_bpmn(bpr.load("models/property-registration/as-is.yaml"))  # doctest: +SKIP
    """
    if diagram:
        check_diagram_size(model)
    etree = lxml_etree()

    with gc_paused():  # many small objects and no cycles (see bpr.core._gc)
        root = _Writer(model, diagram=diagram).document(diagram)
        data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    check_file_size(model, data)
    return data


def check_file_size(model: Model, data: bytes, limit: int | None = None) -> None:
    r"""Raise :class:`BpmnError` if the BPMN file ``data`` of ``model`` is larger than ``bpr
    import`` reads (``limit``, by default :data:`bpr.bpmn.xml.MAX_BYTES`), so that every file
    the export writes can be imported again.

    >>> import bpr
    >>> m = bpr.loads(
    ...     "bpr: 1\nservice: s\nvariant: as-is\nactors: {a: {name: A}}\n"
    ...     "steps: [{id: x, actor: a}]\n",
    ...     "big.yaml",
    ... )
    >>> check_file_size(m, to_bpmn(m), limit=2 * 1024 * 1024)
    >>> check_file_size(m, b"x" * (3 * 1024 * 1024), limit=2 * 1024 * 1024)
    Traceback (most recent call last):
    ...
    bpr.errors.BpmnError: big.yaml: its BPMN file would be 3 MB, more than bpr import reads ...
    """
    limit = MAX_BYTES if limit is None else limit
    if len(data) > limit:
        raise BpmnError(
            f"{model.file or '<model>'}: its BPMN file would be {len(data) // 2**20} MB, more "
            f"than bpr import reads (the limit is {limit // 2**20} MB); split the service into "
            "stages, one model per stage, and export each"
        )


def check_diagram_size(model: Model, limit: int | None = None) -> None:
    r"""Raise :class:`BpmnError` if the model has more steps than ``limit`` (by default
    :data:`MAX_DIAGRAM_STEPS`) to lay out as a diagram.

    >>> import bpr
    >>> big = bpr.loads(
    ...     "bpr: 1\nservice: s\nvariant: as-is\nactors: {a: {name: A}}\nsteps:\n"
    ...     + "".join(f"  - {{id: s{i}, actor: a}}\n" for i in range(4)),
    ...     "big.yaml",
    ... )
    >>> check_diagram_size(big, limit=3)
    Traceback (most recent call last):
    ...
    bpr.errors.BpmnError: big.yaml: 4 steps are too many ... (the limit is 3 steps); ...diagram...
    """
    count, limit = len(model.steps), MAX_DIAGRAM_STEPS if limit is None else limit
    if count > limit:
        raise BpmnError(
            f"{model.file or '<model>'}: {count} steps are too many to lay out as a diagram "
            f"(the limit is {limit} steps); export the process without its diagram "
            "(bpr export --no-diagram), which BPMN tools can lay out themselves"
        )


def export_bpmn(
    model: Model,
    path: str | os.PathLike[str],
    *,
    diagram: bool = True,
    inputs: tuple[str | os.PathLike[str], ...] = (),
) -> Path:
    """Write the model as a BPMN 2.0 file, whole or not at all, never over one of ``inputs``."""

    return atomic_write(path, to_bpmn(model, diagram=diagram), inputs=(model.file, *inputs))


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


class _Writer:
    def __init__(self, model: Model, *, diagram: bool = False) -> None:
        self.model = model
        # The model as the plain data of its file: the fields BPMN has no place for travel
        # from here as bpr:data (see bpr.bpmn.extdata).
        self.data = model_data(model)
        self.step_data = {entry["id"]: entry for entry in self.data["steps"]}
        self.bnet = bpmn_net(model)
        self.net = self.bnet.net
        self.ids = self.bnet.ids
        # Looked up once, so that no element of the file costs a scan of the whole net.
        self.lanes = self.net.lanes()
        self.node_by_id = {node.id: node for node in self.net.nodes}
        self.after_merge: dict[str, str] = {}  # a merge gateway: the node its one flow reaches
        for edge in self.net.edges:
            if self.node_by_id[edge.source].kind == "merge":
                self.after_merge.setdefault(edge.source, edge.target)
        self.ordered_lanes = lane_order(model, self.lanes)
        self.layout: Layout | None = None
        self.set_blocks(self.block_phases())
        # A sub-process across lanes is a rectangle over all of them: where an element of
        # no phase (a branch that goes round the phase) would stand inside it, the phase is
        # a group instead, so that no element looks as if it were in the sub-process.
        crossed = self.crossed_blocks(diagram)
        if crossed:
            self.set_blocks({p: n for p, n in self.blocks.items() if p not in crossed})
            self.layout = None
            self.crossed_blocks(diagram)  # lays the diagram out again
        self.service = model.service
        self.process_id = ncname("Process_", f"{model.service}_{model.variant}")
        self.collaboration_id = "Collaboration_1"
        self.participant_id = "Participant_1"

    # -- helpers ------------------------------------------------------------------------------

    @staticmethod
    def bpmn(parent: Any, tag: str, **attrs: str) -> Any:
        attrib = {key: for_xml(value) for key, value in attrs.items()}
        return lxml_etree().SubElement(parent, _IN_BPMN + tag, attrib)

    @staticmethod
    def ext(parent: Any, tag: str, **attrs: str | None) -> Any:
        etree = lxml_etree()

        holder = parent.find(f"{{{BPMN_NS}}}extensionElements")
        if holder is None:
            holder = etree.SubElement(parent, f"{{{BPMN_NS}}}extensionElements")
        element = etree.SubElement(holder, f"{{{BPR_NS}}}{tag}")
        for key, value in attrs.items():
            if value is not None:
                element.set(key, for_xml(value))
        return element

    def documentation(self, parent: Any, text: str) -> None:
        if text:
            self.bpmn(parent, "documentation").text = for_xml(text)

    # -- the document -----------------------------------------------------------------------

    def document(self, diagram: bool) -> Any:
        etree = lxml_etree()

        model = self.model
        root = etree.Element(
            f"{{{BPMN_NS}}}definitions",
            nsmap={"bpmn": BPMN_NS, "bpmndi": BPMNDI_NS, "dc": DC_NS, "di": DI_NS, "bpr": BPR_NS},
        )
        root.set("id", ncname("Definitions_", f"{model.service}_{model.variant}"))
        root.set("targetNamespace", f"urn:bpr:model:{model.service}:{_uri_part(model.variant)}")
        root.set("exporter", "bpr")
        root.set("exporterVersion", __version__)
        collaboration = self.bpmn(root, "collaboration", id=self.collaboration_id)
        self.bpmn(
            collaboration,
            "participant",
            id=self.participant_id,
            name=model.title,
            processRef=self.process_id,
        )
        process = self.bpmn(
            root, "process", id=self.process_id, name=model.title, isExecutable="false"
        )
        self.process_header(process)
        lanes = self.lane_set(process)
        self.flow_nodes(process)
        self.data_objects(process)
        self.flows(process)
        self.phase_groups(root, process)
        if diagram:
            self.diagram(root, lanes)
        else:
            self.plain_diagram(root, lanes)
        return root

    # -- phases ---------------------------------------------------------------------------------

    def phases(self) -> dict[str, list[str]]:
        """Each phase of the model that holds steps, in the order of its ``phases``, with the
        flow nodes of its steps (their tasks and the gateways that belong to them)."""
        # From the model itself where it holds phases (the loader's), else from the plain
        # data the model writer gives.
        declared = getattr(self.model, "phases", None) or self.data.get("phases") or {}
        of_step = {
            step.id: getattr(step, "phase", None) or self.step_data[step.id].get("phase")
            for step in self.model.steps
        }
        members: dict[str, list[str]] = {p: [] for p in declared}
        for node in self.net.nodes:
            phase = of_step.get(node.step or "")
            if phase in members:
                members[phase].append(node.id)
        return {p: nodes for p, nodes in members.items() if nodes}

    def phase_name(self, phase: str) -> str:
        """The phase's name as text (the file's language first, where it is a map of names)."""
        declared = getattr(self.model, "phases", None) or {}
        if phase in declared:
            return str(getattr(declared[phase], "name", phase))
        name = (self.data.get("phases") or {}).get(phase, {}).get("name", phase)
        if isinstance(name, dict):
            language = self.data.get("language", "en")
            name = name.get(language) or name.get("en") or next(iter(name.values()), phase)
        return str(name)

    def phase_groups(self, root: Any, process: Any) -> None:
        """A ``group`` per phase, named by a ``categoryValue`` of the category "Phases": BPMN's
        way to mark elements that belong together without changing the flow."""
        phases = [p for p in self.phases() if p not in self.blocks]
        if not phases:
            return
        category = self.bpmn(root, "category", id="Category_phases", name="Phases")
        for phase in phases:
            value = ncname("CategoryValue_", phase)
            self.bpmn(category, "categoryValue", id=value, value=self.phase_name(phase))
            group = self.bpmn(process, "group", id=ncname("Group_", phase), categoryValueRef=value)
            self.documentation(group, f"Phase: {self.phase_name(phase)}")
            self.ext(group, "phase", id=phase)
        # BPMN wants root elements in order: the category before the collaboration.
        root.remove(category)
        root.insert(0, category)

    def sub_shapes(
        self,
        shape: Callable[..., Any],
        boxes: dict[str, tuple[float, float, float, float]],
        extent: dict[str, tuple[float, float, float, float]],
        rows: dict[str, tuple[float, float]],
    ) -> dict[str, tuple[float, float, float, float]]:
        """The shapes of the phases' sub-processes around the ``extent`` of their elements
        (their boxes with the room left for the sub-process's own start and end events);
        every element's box by its BPMN id. A sub-process stays inside the ``rows`` (top,
        bottom) of its lane."""
        placed = {self.ids[node]: box for node, box in boxes.items()}
        entries: dict[str, str] = {}  # a sub-process's start event: the element it leads to
        exits: dict[str, str] = {}  # its end event: the element that leads to it
        for f in self.seq_flows:
            entries.setdefault(f.source, f.target)
            exits.setdefault(f.target, f.source)
        for phase, nodes in self.blocks.items():
            inside = [extent[n] for n in nodes]
            left = min(b[0] for b in inside) - 4
            top = min(b[1] for b in inside) - SUB_PAD_Y - SUB_LABEL
            right = max(b[0] + b[2] for b in inside) + 4
            bottom = max(b[1] + b[3] for b in inside) + SUB_PAD_Y
            spanned = [rows[lane] for lane in self.lanes_of_block[phase] if lane in rows]
            if spanned:  # inside the lanes of its elements
                top = max(top, min(r[0] for r in spanned) + 2)
                bottom = min(bottom, max(r[1] for r in spanned) - 2)
            sub = (left, top, right - left, bottom - top)
            shape(_sub_id(phase), *sub, isExpanded="true")
            placed[_sub_id(phase)] = sub
            entry = entries[ncname("StartEvent_", phase)]
            last = exits[ncname("EndEvent_", phase)]
            for event, beside, x in (
                (ncname("StartEvent_", phase), placed[entry], left + 10),
                (ncname("EndEvent_", phase), placed[last], right - 46),
            ):
                y = beside[1] + beside[3] / 2 - 18
                shape(event, x, y, 36.0, 36.0)
                placed[event] = (x, y, 36.0, 36.0)
        return placed

    def group_shapes(
        self,
        shape: Callable[..., Any],
        layout: Layout,
        x_of: Callable[[float], float] = float,
        y_of: Callable[[float], float] = float,
    ) -> None:
        """The shape of each phase's group and its name's place by the rule of bpr's own
        diagrams (:func:`bpr.layout.phases.phase_boxes`) over ``layout``: the group encloses
        the same boxes with the same padding, its name at the top where no box, label or flow
        crosses it (else at its bottom). ``x_of`` and ``y_of`` map the layout's coordinates
        to the file's."""
        etree = lxml_etree()
        for box in phase_boxes(self.model, layout):
            if box.phase in self.blocks:
                continue
            # Each edge moves as the box nearest it does (a band of documents under a lane
            # moves what is below it), so the padding and the name keep their room.
            low = max(layout.nodes[n].rect.bottom for n in box.nodes)
            high = min(layout.nodes[n].rect.y for n in box.nodes)
            down, up = y_of(low) - low, y_of(high) - high
            rect, name = box.rect, box.label_rect
            top, bottom = rect.y + up, rect.bottom + down
            left = x_of(rect.x)
            item = shape(ncname("Group_", box.phase), left, top, rect.width, bottom - top)
            place = (x_of(name.x), name.y + (down if name.y > low else up))
            holder = etree.SubElement(item, f"{{{BPMNDI_NS}}}BPMNLabel")
            bounds = etree.SubElement(holder, f"{{{DC_NS}}}Bounds")
            for key, value in zip("xy", place, strict=True):
                bounds.set(key, _coordinate(value))
            bounds.set("width", _coordinate(name.width))
            bounds.set("height", _coordinate(name.height))

    def process_header(self, process: Any) -> None:
        model = self.model
        self.documentation(process, "\n".join(model.sources))
        fields: dict[str, str | None] = {
            "bpr": str(model.version),
            "service": model.service,
            "variant": model.variant,
            "name": model.name,
            "maturity": str(model.maturity) if model.maturity is not None else None,
            "volume": _number(model.volume) if model.volume is not None else None,
            "currency": model.currency,
            "tariff": _number(model.tariff) if model.tariff is not None else None,
        }
        holder = self.ext(process, "model", **fields)
        etree = lxml_etree()
        write_data(holder, extra_fields("model", self.data))

        for source in model.sources:
            etree.SubElement(holder, f"{{{BPR_NS}}}source").text = for_xml(source)
        # Actors that perform no step have no lane; they are kept here (document issuers).
        for actor in model.actors.values():
            if actor.id not in self.lanes:
                element = etree.SubElement(holder, f"{{{BPR_NS}}}actor")
                element.set("id", actor.id)
                element.set("index", str(list(model.actors).index(actor.id)))
                element.set("name", for_xml(actor.name))
                if actor.kind != "staff":
                    element.set("kind", actor.kind)
                if actor.agency:
                    element.set("agency", for_xml(actor.agency))
                write_data(element, extra_fields("actor", self.data["actors"][actor.id]))

    def lane_order(self) -> list[str]:
        return self.ordered_lanes

    def lane_set(self, process: Any) -> dict[str, str]:
        lane_set = self.bpmn(process, "laneSet", id="LaneSet_1")
        lane_ids = {}
        for actor_id in self.lane_order():
            actor = self.model.actors[actor_id]
            lane_id = ncname("Lane_", actor_id)
            lane_ids[actor_id] = lane_id
            lane = self.bpmn(lane_set, "lane", id=lane_id, name=actor.name)
            if actor.agency:
                self.documentation(lane, f"Agency: {actor.agency}")
            ext = self.ext(
                lane,
                "actor",
                id=actor.id,
                index=str(list(self.model.actors).index(actor_id)),
                kind=actor.kind if actor.kind != "staff" else None,
                agency=actor.agency,
            )
            write_data(ext, extra_fields("actor", self.data["actors"][actor_id]))
            placed: set[str] = set()
            for node in self.net.nodes:
                if node.lane != actor_id:
                    continue
                phase = self.block_of.get(node.id)
                refs = [self.ids[node.id]]
                if phase is not None:
                    # In one lane, a phase's sub-process stands for its elements; across
                    # lanes, it is in the lane of its first element, and each element in
                    # its own lane too, so that every step keeps its actor.
                    across = len(self.lanes_of_block[phase]) > 1
                    first = self.lanes_of_block[phase][0] == actor_id
                    refs = ([_sub_id(phase)] if first else []) + (refs if across else [])
                for ref in refs:
                    if ref not in placed:
                        placed.add(ref)
                        self.bpmn(lane, "flowNodeRef").text = ref
        return lane_ids

    def flow_nodes(self, process: Any) -> None:
        model = self.model
        incoming: dict[str, list[str]] = {}
        outgoing: dict[str, list[str]] = {}
        for flow in self.seq_flows:
            outgoing.setdefault(flow.source, []).append(flow.id)
            incoming.setdefault(flow.target, []).append(flow.id)
        self.subs: dict[str, Any] = {}
        for node in self.net.nodes:
            bpmn_id = self.ids[node.id]
            phase = self.block_of.get(node.id)
            if phase is not None and phase not in self.subs:
                self.subs[phase] = self.sub_process(process, phase, incoming, outgoing)
            parent = process if phase is None else self.subs[phase]
            if node.kind == "start":
                element = self.bpmn(parent, "startEvent", id=bpmn_id, name="Start")
            elif node.kind == "end":
                element = self.bpmn(parent, "endEvent", id=bpmn_id, name="End")
            elif node.kind == "task":
                assert node.step is not None
                step = model.step(node.step)
                element = self.bpmn(parent, task_type(model, step), id=bpmn_id, name=step.label)
                self.task_details(element, step)
            elif node.kind == "xor":
                element = self.bpmn(parent, "exclusiveGateway", id=bpmn_id, name="Outcome?")
            elif node.kind == "merge":
                element = self.bpmn(parent, "exclusiveGateway", id=bpmn_id)
            else:
                element = self.bpmn(parent, "parallelGateway", id=bpmn_id)
            for flow_id in incoming.get(bpmn_id, []):
                self.bpmn(element, "incoming").text = flow_id
            for flow_id in outgoing.get(bpmn_id, []):
                self.bpmn(element, "outgoing").text = flow_id
            if node.kind == "task":
                assert node.step is not None
                self.data_associations(element, model.step(node.step))

    def task_details(self, element: Any, step: Step) -> None:
        model = self.model
        facts = [f"channel: {step.channel}"]
        if not step.work.is_zero:
            facts.append(f"work: {step.work}")
        if not step.wait.is_zero:
            facts.append(f"wait: {step.wait}")
        if step.fee:
            facts.append(
                f"fee: {_number(step.fee)}" + (f" {model.currency}" if model.currency else "")
            )
        self.documentation(element, "; ".join(facts))
        ext = self.ext(
            element,
            "step",
            id=step.id,
            index=str(step.index),
            channel=step.channel,
            work=str(step.work) if not step.work.is_zero else None,
            wait=str(step.wait) if not step.wait.is_zero else None,
            fee=_number(step.fee) if step.fee else None,
            replaces=" ".join(step.replaces) or None,
        )
        write_data(ext, extra_fields("step", self.step_data[step.id]))

    def data_associations(self, element: Any, step: Step) -> None:
        task_id = element.get("id")
        if step.needs:
            self.bpmn(element, "property", id=f"{task_id}_input", name="__targetRef_placeholder")
        for i, document in enumerate(step.needs):
            association = self.bpmn(element, "dataInputAssociation", id=f"{task_id}_needs_{i + 1}")
            self.bpmn(association, "sourceRef").text = _reference_id(document, step.actor)
            self.bpmn(association, "targetRef").text = f"{task_id}_input"
        for i, document in enumerate(step.produces):
            association = self.bpmn(
                element, "dataOutputAssociation", id=f"{task_id}_produces_{i + 1}"
            )
            self.bpmn(association, "targetRef").text = _reference_id(document, step.actor)

    def data_objects(self, process: Any) -> None:
        for document in self.model.documents.values():
            data_object = self.bpmn(
                process, "dataObject", id=ncname("DataObject_", document.id), name=document.name
            )
            issuer = self.model.actors.get(document.issuer or "")
            notes = []
            if issuer is not None:
                notes.append(f"issued by {issuer.name}")
            if document.exchange:
                notes.append("pulled by data exchange: the applicant does not bring it")
            self.documentation(data_object, "; ".join(notes))
            ext = self.ext(
                data_object,
                "document",
                id=document.id,
                issuer=document.issuer,
                exchange="true" if document.exchange else None,
            )
            write_data(ext, extra_fields("document", self.data["documents"][document.id]))
        # One reference per lane that uses the document, drawn near the steps that use it.
        lanes = self.documents_by_lane()
        for document in self.model.documents.values():
            for lane in [lane for lane in self.lane_order() if document.id in lanes.get(lane, {})]:
                self.bpmn(
                    process,
                    "dataObjectReference",
                    id=_reference_id(document.id, lane),
                    name=document.name,
                    dataObjectRef=ncname("DataObject_", document.id),
                )

    def flows(self, process: Any) -> None:
        for item in self.seq_flows:
            parent = process if item.phase is None else self.subs[item.phase]
            flow = self.bpmn(
                parent, "sequenceFlow", id=item.id, sourceRef=item.source, targetRef=item.target
            )
            if item.label:
                flow.set("name", for_xml(item.label))
            if item.p is not None:
                self.documentation(flow, f"probability {item.p:.6g}")
                ext = self.ext(flow, "branch", p=repr(float(item.p)), when=item.label)
                names = self.when_names(item)
                if names:
                    write_data(ext, {"when": names})

    def when_names(self, flow: _Flow) -> dict[str, str] | None:
        """The names in every language of the branch a flow out of a decision stands for, where
        the file gives its ``when`` as such a map (and the flow stands for one branch)."""
        if flow.edge is None:
            return None
        edge = self.net.edges[flow.edge]
        nodes = self.node_by_id
        source, target = nodes[edge.source], nodes[edge.target]
        while target.kind == "merge":  # a merge before the step (or the end) the branch reaches
            target = nodes[self.after_merge[target.id]]
        to = END if target.kind == "end" else target.step
        branches = self.step_data.get(source.step or "", {}).get("next")
        if not isinstance(branches, list):
            return None
        matching = [b for b in branches if isinstance(b, dict) and b.get("to") == to]
        if len(matching) == 1 and isinstance(matching[0].get("when"), dict):
            return dict(matching[0]["when"])
        return None

    # -- phases as sub-processes -------------------------------------------------------------

    def block_phases(self) -> dict[str, frozenset[str]]:
        """The phases written as expanded sub-processes, with the flow nodes inside: those
        whose steps are one block of the flow (one flow in, one flow out), in one lane or
        across several."""
        phases = self.phases()
        if not phases:
            return {}
        phase_of = {node: phase for phase, nodes in phases.items() for node in nodes}
        ins = dict.fromkeys(phases, 0)  # flows from outside into the phase, and out of it
        outs = dict.fromkeys(phases, 0)
        for edge in self.net.edges:
            into, out_of = phase_of.get(edge.target), phase_of.get(edge.source)
            if into != out_of:
                if into is not None:
                    ins[into] += 1
                if out_of is not None:
                    outs[out_of] += 1
        return {
            phase: frozenset(nodes)
            for phase, nodes in phases.items()
            if ins[phase] == 1 and outs[phase] == 1
        }

    def set_blocks(self, blocks: dict[str, frozenset[str]]) -> None:
        """Write ``blocks`` as sub-processes: who is inside which, their lanes, the flows."""
        self.blocks = blocks
        self.block_of = {node: phase for phase, nodes in blocks.items() for node in nodes}
        self.lanes_of_block: dict[str, list[str | None]] = {}  # the lane of its first element first
        for node in self.net.nodes:
            if node.id in self.block_of:
                lanes = self.lanes_of_block.setdefault(self.block_of[node.id], [])
                if node.lane not in lanes:
                    lanes.append(node.lane)
        self.seq_flows = self.sequence_flows()

    def crossed_blocks(self, diagram: bool) -> set[str]:
        """The sub-processes across lanes whose rectangle (as :meth:`sub_shapes` draws it)
        would hold an element of no phase or of another: in the laid-out diagram (which this
        lays out, as ``self.layout``), or in the columns of the plain one (element ``i`` of
        the process in column ``i``). Each phase looks only at the elements within its width."""
        wide = [p for p, lanes in self.lanes_of_block.items() if len(lanes) > 1]
        if diagram:
            self.layout = layout_model(self.model, self.net, sizes=self.sizes())
        if not wide:
            return set()
        crossed = set()
        if self.layout is not None:
            boxes = sorted((box.rect.x, n) for n, box in self.layout.nodes.items())
            starts = [x for x, _ in boxes]
            widest = max(box.rect.width for box in self.layout.nodes.values())
        column = {node.id: i for i, node in enumerate(self.net.nodes)}
        order = {lane: i for i, lane in enumerate(self.lane_order())}
        for phase in wide:
            members = self.blocks[phase]
            if self.layout is not None:
                rects = [self.layout.nodes[n].rect for n in members]
                left, right = min(r.x for r in rects) - 4, max(r.right for r in rects) + 4
                top = min(r.y for r in rects) - SUB_PAD_Y - SUB_LABEL
                bottom = max(r.bottom for r in rects) + SUB_PAD_Y
                near = boxes[bisect_left(starts, left - widest) : bisect_left(starts, right)]
                inside = [
                    n
                    for _, n in near
                    if n not in members
                    and left < self.layout.nodes[n].rect.right
                    and self.layout.nodes[n].rect.y < bottom
                    and top < self.layout.nodes[n].rect.bottom
                ]
            else:
                rows = [order.get(lane or "", 0) for lane in self.lanes_of_block[phase]]
                columns = [column[n] for n in members]
                inside = [
                    n.id
                    for n in self.net.nodes[min(columns) : max(columns) + 1]
                    if n.id not in members and min(rows) <= order.get(n.lane or "", 0) <= max(rows)
                ]
            if inside:
                crossed.add(phase)
        return crossed

    def sequence_flows(self) -> list[_Flow]:
        """The flows of the net as BPMN writes them: a flow into or out of a phase's
        sub-process runs to or from the sub-process, and inside it from its start event and
        to its end event."""
        flows = []
        outer = {}
        for i, edge in enumerate(self.net.edges):
            flow_id = f"Flow_{i + 1}"
            into, out_of = self.block_of.get(edge.target), self.block_of.get(edge.source)
            if into is not None and into == out_of:
                outer[i] = into
            source = (
                _sub_id(out_of) if out_of is not None and out_of != into else self.ids[edge.source]
            )
            target = _sub_id(into) if into is not None and into != out_of else self.ids[edge.target]
            flows.append(_Flow(flow_id, source, target, outer.get(i), i, edge.label, edge.p))
            if out_of is not None and out_of != into:
                flows.append(
                    _Flow(ncname("Flow_", f"{out_of}_end"), self.ids[edge.source],
                          ncname("EndEvent_", out_of), out_of)
                )  # fmt: skip
            if into is not None and into != out_of:
                flows.append(
                    _Flow(ncname("Flow_", f"{into}_start"), ncname("StartEvent_", into),
                          self.ids[edge.target], into)
                )  # fmt: skip
        return flows

    def sub_process(
        self,
        process: Any,
        phase: str,
        incoming: dict[str, list[str]],
        outgoing: dict[str, list[str]],
    ) -> Any:
        """The expanded sub-process of a phase, with its own start and end events."""
        sub_id = _sub_id(phase)
        element = self.bpmn(process, "subProcess", id=sub_id, name=self.phase_name(phase))
        self.documentation(element, f"Phase: {self.phase_name(phase)}")
        self.ext(element, "phase", id=phase)
        for flow_id in incoming.get(sub_id, []):
            self.bpmn(element, "incoming").text = flow_id
        for flow_id in outgoing.get(sub_id, []):
            self.bpmn(element, "outgoing").text = flow_id
        start = self.bpmn(element, "startEvent", id=ncname("StartEvent_", phase), name="Start")
        self.bpmn(start, "outgoing").text = ncname("Flow_", f"{phase}_start")
        end = self.bpmn(element, "endEvent", id=ncname("EndEvent_", phase), name="End")
        self.bpmn(end, "incoming").text = ncname("Flow_", f"{phase}_end")
        return element

    # -- diagram interchange -----------------------------------------------------------------

    def plain_diagram(self, root: Any, lane_ids: dict[str, str]) -> None:
        """Diagram interchange without a layout, in time linear in the model: each lane a row,
        its elements side by side in the order of the process, flows as straight lines.

        Every element a BPMN tool draws gets its shape (bpmnlint's ``no-bpmndi`` rule, and
        tools that refuse a file without them), and nothing overlaps: element ``i`` of the
        process stands in column ``i``. A tool's own auto-layout can tidy it.
        """
        etree = lxml_etree()
        column, row = 150.0, 180.0
        order = self.lane_order()
        top = {lane: MARGIN + i * row for i, lane in enumerate(order)}
        widened = self.widened()
        width = POOL_HEADER + LANE_HEADER + column * (len(self.net.nodes) + 1)
        width += 2 * SUB_PAD_X * len(widened)
        sizes = {"task": (100.0, 80.0), "start": (36.0, 36.0), "end": (36.0, 36.0)}
        diagram = etree.SubElement(root, f"{{{BPMNDI_NS}}}BPMNDiagram", id="BPMNDiagram_1")
        plane = etree.SubElement(
            diagram,
            f"{{{BPMNDI_NS}}}BPMNPlane",
            id="BPMNPlane_1",
            bpmnElement=self.collaboration_id,
        )

        def shape(element_id: str, x: float, y: float, w: float, h: float, **attrs: str) -> Any:
            item = etree.SubElement(plane, f"{{{BPMNDI_NS}}}BPMNShape")
            item.set("id", f"{element_id}_di")
            item.set("bpmnElement", element_id)
            for key, text in attrs.items():
                item.set(key, text)
            if element_id == self.participant_id or element_id in lane_ids.values():
                item.set("isHorizontal", "true")
            bounds = etree.SubElement(item, f"{{{DC_NS}}}Bounds")
            for key, value in (("x", x), ("y", y), ("width", w), ("height", h)):
                bounds.set(key, _coordinate(value))
            return item

        shape(self.participant_id, MARGIN, MARGIN, width, row * len(order))
        for lane in order:
            shape(lane_ids[lane], MARGIN + POOL_HEADER, top[lane], width - POOL_HEADER, row)
        centre: dict[str, tuple[float, float, float]] = {}  # node: x, y, half width
        left = MARGIN + POOL_HEADER + LANE_HEADER + column / 2
        boxes: dict[str, tuple[float, float, float, float]] = {}
        extent: dict[str, tuple[float, float, float, float]] = {}
        x = left
        for node in self.net.nodes:
            w, h = sizes.get(node.kind, (50.0, 50.0))
            pad = SUB_PAD_X if node.id in widened else 0.0
            x += pad
            y = top.get(node.lane or "", top[order[0]]) + 70
            shape(self.ids[node.id], x - w / 2, y - h / 2, w, h)
            centre[node.id] = (x, y, w / 2)
            boxes[node.id] = (x - w / 2, y - h / 2, w, h)
            extent[node.id] = (x - w / 2 - pad, y - h / 2, w + 2 * pad, h)
            x += column + pad
        rows = {lane: (top[lane], top[lane] + row) for lane in order}
        placed = self.sub_shapes(shape, boxes, extent, rows)
        # The groups by the diagrams' rule, around the boxes as placed here and clear of
        # the straight flows between them.
        plain = Layout(
            width,
            row * len(order),
            [],
            {n.id: NodeBox(n, Rect(*boxes[n.id])) for n in self.net.nodes},
            [
                EdgeRoute(
                    self.net.edges[f.edge], tuple(_straight(placed[f.source], placed[f.target]))
                )
                for f in self.seq_flows
                if f.edge is not None
            ],
        )
        self.group_shapes(shape, plain)
        for flow in self.seq_flows:
            item = etree.SubElement(plane, f"{{{BPMNDI_NS}}}BPMNEdge")
            item.set("id", f"{flow.id}_di")
            item.set("bpmnElement", flow.id)
            for x, y in _straight(placed[flow.source], placed[flow.target]):
                point = etree.SubElement(item, f"{{{DI_NS}}}waypoint")
                point.set("x", _coordinate(x))
                point.set("y", _coordinate(y))
        # Each lane's document references in a row under its elements.
        for lane, documents in self.documents_by_lane().items():
            for j, document in enumerate(documents):
                x = left + j * column
                shape(_reference_id(document, lane), x - DATA_WIDTH / 2,
                      top[lane] + row - DATA_HEIGHT - 5, DATA_WIDTH, DATA_HEIGHT)  # fmt: skip

    def diagram(self, root: Any, lane_ids: dict[str, str]) -> None:
        etree = lxml_etree()

        layout = self.layout or layout_model(self.model, self.net, sizes=self.sizes())
        documents = self.documents_by_lane()
        # Each lane whose steps use documents gets a band at its bottom for their data objects;
        # everything below moves down by the bands above it.
        bands = [DATA_BAND if documents.get(lane.actor) else 0.0 for lane in layout.lanes]

        shift = _band_shift([lane.rect.bottom for lane in layout.lanes], bands)

        dx = MARGIN + POOL_HEADER + LANE_HEADER - layout.header_width
        dy = MARGIN
        pool_width = POOL_HEADER + LANE_HEADER + layout.width - layout.header_width
        pool_height = layout.height + sum(bands)

        def X(x: float) -> float:  # a coordinate transform
            return x + dx

        def Y(y: float) -> float:
            return shift(y) + dy

        def bounds(parent: Any, x: float, y: float, width: float, height: float) -> None:
            element = etree.SubElement(parent, f"{{{DC_NS}}}Bounds")
            element.set("x", _coordinate(x))
            element.set("y", _coordinate(y))
            element.set("width", _coordinate(width))
            element.set("height", _coordinate(height))

        def shape(element_id: str, x: float, y: float, w: float, h: float, **attrs: str) -> Any:
            item = etree.SubElement(plane, f"{{{BPMNDI_NS}}}BPMNShape")
            item.set("id", f"{element_id}_di")
            item.set("bpmnElement", element_id)
            for key, value in attrs.items():
                item.set(key, value)
            bounds(item, x, y, w, h)
            return item

        def label(item: Any, rect: Rect | None) -> None:
            if rect is not None:
                holder = etree.SubElement(item, f"{{{BPMNDI_NS}}}BPMNLabel")
                bounds(holder, X(rect.x), Y(rect.y), rect.width, rect.height)

        def edge(element_id: str, points: list[tuple[float, float]]) -> Any:
            item = etree.SubElement(plane, f"{{{BPMNDI_NS}}}BPMNEdge")
            item.set("id", f"{element_id}_di")
            item.set("bpmnElement", element_id)
            for x, y in points:
                point = etree.SubElement(item, f"{{{DI_NS}}}waypoint")
                point.set("x", _coordinate(x))
                point.set("y", _coordinate(y))
            return item

        diagram = etree.SubElement(root, f"{{{BPMNDI_NS}}}BPMNDiagram", id="BPMNDiagram_1")
        plane = etree.SubElement(
            diagram,
            f"{{{BPMNDI_NS}}}BPMNPlane",
            id="BPMNPlane_1",
            bpmnElement=self.collaboration_id,
        )
        shape(self.participant_id, MARGIN, MARGIN, pool_width, pool_height, isHorizontal="true")
        for lane, band in zip(layout.lanes, bands, strict=True):
            top = Y(lane.rect.y)
            shape(
                lane_ids[lane.actor],
                MARGIN + POOL_HEADER,
                top,
                pool_width - POOL_HEADER,
                lane.rect.height + band,
                isHorizontal="true",
            )
        boxes: dict[str, tuple[float, float, float, float]] = {}
        extent: dict[str, tuple[float, float, float, float]] = {}  # with a sub-process's room
        widened = self.widened()
        for node in self.net.nodes:
            box = layout.nodes[node.id]
            rect = box.rect
            attrs = {"isMarkerVisible": "true"} if node.kind in ("xor", "merge") else {}
            extent[node.id] = (X(rect.x), Y(rect.y), rect.width, rect.height)
            pad = SUB_PAD_X if node.id in widened else 0.0
            x, width = X(rect.x) + pad, rect.width - 2 * pad
            item = shape(self.ids[node.id], x, Y(rect.y), width, rect.height, **attrs)
            label(item, box.label)
            boxes[node.id] = (x, Y(rect.y), width, rect.height)
        self.group_shapes(shape, layout, X, Y)
        rows = {
            lane.actor: (Y(lane.rect.y), Y(lane.rect.y) + lane.rect.height) for lane in layout.lanes
        }
        placed = self.sub_shapes(shape, boxes, extent, rows)
        for flow in self.seq_flows:
            if flow.edge is None:  # from a sub-process's start event, or to its end event
                edge(flow.id, _straight(placed[flow.source], placed[flow.target]))
                continue
            route = layout.edges[flow.edge]
            points = [(X(x), Y(y)) for x, y in route.points]
            if flow.target.startswith("SubProcess_"):
                points = _clip(points, placed[flow.target], entering=True)
            if flow.source.startswith("SubProcess_"):
                points = _clip(points, placed[flow.source], entering=False)
            # A flow that leaves or reaches a widened element at its side starts or ends at
            # the side as drawn, not at the room kept for the sub-process's event.
            net_edge = self.net.edges[flow.edge]
            for end, ident in ((0, net_edge.source), (-1, net_edge.target)):
                if ident in widened and len(points) > 1:
                    points = _to_side(points, end, boxes[ident])
            item = edge(flow.id, points)
            label(item, route.label)
        for lane, band in zip(layout.lanes, bands, strict=True):
            if not band:
                continue
            top = Y(lane.rect.y) + lane.rect.height + 10
            left = X(layout.header_width) + DATA_LABEL_WIDTH / 2
            right = MARGIN + pool_width - DATA_LABEL_WIDTH / 2
            wanted = []
            for document, steps in documents[lane.actor].items():
                first = min((X(layout.nodes[s].rect.center[0]) for s in steps), default=right)
                wanted.append((first, document))
            wanted.sort()
            # Flows that run down through the band: keep the icons off their lines.
            lines = [
                X(a[0])
                for route in layout.edges
                for a, b in zip(route.points, route.points[1:], strict=False)
                if a[0] == b[0] and min(Y(a[1]), Y(b[1])) < top + DATA_HEIGHT
                and max(Y(a[1]), Y(b[1])) > top
            ]  # fmt: skip

            def clear(centre: float, lines: list[float] = lines) -> float:
                for x in sorted(lines):
                    if abs(x - centre) < DATA_WIDTH / 2 + 6:
                        centre = x + DATA_WIDTH / 2 + 7
                return centre

            centres: list[float] = []
            for x, _ in wanted:
                low = centres[-1] + DATA_LABEL_WIDTH + 6 if centres else left
                centres.append(clear(max(x, low)))
            if centres and centres[-1] > right:
                # No room at the right edge: move the row left, as little as needed.
                gap = DATA_LABEL_WIDTH + 6
                for i in range(len(centres) - 1, -1, -1):
                    limit = right if i == len(centres) - 1 else centres[i + 1] - gap
                    centres[i] = min(centres[i], limit)
                if centres[0] < left:  # more documents than the lane is wide: one row from the left
                    centres = [left + i * gap for i in range(len(centres))]
            for (_, document), centre in zip(wanted, centres, strict=True):
                ref = _reference_id(document, lane.actor)
                item = shape(ref, centre - DATA_WIDTH / 2, top, DATA_WIDTH, DATA_HEIGHT)
                holder = etree.SubElement(item, f"{{{BPMNDI_NS}}}BPMNLabel")
                bounds(holder, centre - DATA_LABEL_WIDTH / 2, top + DATA_HEIGHT + 3,
                       DATA_LABEL_WIDTH, 36)  # fmt: skip
                for step_id in documents[lane.actor][document]:
                    step = self.model.step(step_id)
                    task = layout.nodes[step_id].rect
                    anchor = (
                        min(max(centre, X(task.x) + 12), X(task.right) - 12),
                        Y(task.y) + task.height,
                    )
                    icon = (centre, top)
                    task_id = self.ids[step_id]
                    if document in step.needs:
                        i = step.needs.index(document) + 1
                        edge(f"{task_id}_needs_{i}", [icon, anchor])
                    if document in step.produces:
                        i = step.produces.index(document) + 1
                        edge(f"{task_id}_produces_{i}", [anchor, icon])

    def documents_by_lane(self) -> dict[str, dict[str, list[str]]]:
        """Per lane, the documents its steps use, each with those steps; documents that no
        step uses are drawn in the last lane."""
        users: dict[str, dict[str, dict[str, None]]] = {}
        for step in self.model.steps:
            for document in (*step.needs, *step.produces):
                users.setdefault(step.actor, {}).setdefault(document, {})[step.id] = None
        out = {
            lane: {document: list(steps) for document, steps in documents.items()}
            for lane, documents in users.items()
        }
        used = {d for lane in out.values() for d in lane}
        for document in self.model.documents:
            if document not in used:
                out.setdefault(self.lane_order()[-1], {})[document] = []
        return out

    def sizes(self) -> dict[str, tuple[float, float]]:
        """Task boxes as BPMN tools draw them: the name only, at least 100 by 80."""

        sizes = {}
        for node in self.net.nodes:
            if node.kind == "task":
                lines = wrap(node.label, 104, TASK_NAME_SIZE, max_lines=8)
                sizes[node.id] = (120.0, max(80.0, 24 + 14 * len(lines)))
        # The first and last element of a phase's sub-process are laid out wider, so that
        # the sub-process's own start and end events have room beside them.
        for ident in self.widened():
            width, height = sizes.get(ident, (GATEWAY_SIZE, GATEWAY_SIZE))
            sizes[ident] = (width + 2 * SUB_PAD_X, height)
        return sizes

    def widened(self) -> set[str]:
        """The flow nodes where a phase's sub-process is entered and left."""
        own = {ncname("StartEvent_", p) for p in self.blocks} | {
            ncname("EndEvent_", p) for p in self.blocks
        }
        by_bpmn = {bpmn: node for node, bpmn in self.ids.items()}
        return {
            by_bpmn[end]
            for f in self.seq_flows
            if f.edge is None
            for end in (f.source, f.target)
            if end not in own
        }


def _band_shift(bottoms: list[float], bands: list[float]) -> Callable[[float], float]:
    """``y`` moved down by the ``bands`` of the lanes whose bottom is at or above it (a lane's
    band of documents pushes down everything below the lane).

    Where the bottoms ascend, as the layout's lanes do, the lanes above ``y`` are a prefix,
    found by bisection, and their sum is added up once in the same order as the plain sum
    (so the figures are the same to the last bit).

    >>> shift = _band_shift([100.0, 200.0, 300.0], [10.0, 0.0, 5.0])
    >>> [shift(y) for y in (50.0, 100.0, 250.0, 300.0)]
    [50.0, 110.0, 260.0, 315.0]
    """
    limits = [bottom - 1e-6 for bottom in bottoms]
    if any(b < a for a, b in pairwise(limits)):

        def plain(y: float) -> float:
            return y + sum(b for limit, b in zip(limits, bands, strict=True) if y >= limit)

        return plain
    totals = [0.0]
    for band in bands:
        totals.append(totals[-1] + band)

    def shift(y: float) -> float:
        return y + totals[bisect_right(limits, y)]

    return shift


def _straight(
    source: tuple[float, float, float, float], target: tuple[float, float, float, float]
) -> list[tuple[float, float]]:
    """A straight flow from the side of one box to the facing side of another."""
    forward = target[0] >= source[0]
    start_x = source[0] + source[2] if forward else source[0]
    end_x = target[0] if forward else target[0] + target[2]
    return [(start_x, source[1] + source[3] / 2), (end_x, target[1] + target[3] / 2)]


def _to_side(
    points: list[tuple[float, float]], end: int, box: tuple[float, float, float, float]
) -> list[tuple[float, float]]:
    """``points`` with the point at ``end`` (0 or -1) moved onto the side of ``box`` it
    faces, where it lies beside the box on its first or last segment, a horizontal one."""
    (x, y), ny = points[end], points[1 if end == 0 else -2][1]
    left, right = box[0], box[0] + box[2]
    if y != ny or left <= x <= right:
        return points
    moved = (left if x < left else right, y)
    return [moved, *points[1:]] if end == 0 else [*points[:-1], moved]


def _clip(
    points: list[tuple[float, float]], box: tuple[float, float, float, float], *, entering: bool
) -> list[tuple[float, float]]:
    """A route cut where it crosses the edge of ``box``: a flow into a sub-process ends on
    its border (``entering``), a flow out of one starts there.

    >>> _clip([(0, 5), (20, 5)], (10, 0, 10, 10), entering=True)
    [(0, 5), (10.0, 5.0)]
    >>> _clip([(15, 5), (40, 5)], (10, 0, 10, 10), entering=False)
    [(20.0, 5.0), (40, 5)]
    """
    x0, y0, w, h = box

    def inside(p: tuple[float, float]) -> bool:
        return x0 <= p[0] <= x0 + w and y0 <= p[1] <= y0 + h

    def border(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
        # a outside, b inside: walk from b towards a until the border (segments are straight).
        lo, hi = 0.0, 1.0
        for _ in range(40):
            mid = (lo + hi) / 2
            p = (b[0] + (a[0] - b[0]) * mid, b[1] + (a[1] - b[1]) * mid)
            lo, hi = (mid, hi) if inside(p) else (lo, mid)
        t = (lo + hi) / 2
        return (round(b[0] + (a[0] - b[0]) * t, 1), round(b[1] + (a[1] - b[1]) * t, 1))

    if entering:
        for i in range(1, len(points)):
            if inside(points[i]) and not inside(points[i - 1]):
                return [*points[:i], border(points[i - 1], points[i])]
        return points
    for i in range(len(points) - 1, 0, -1):
        if inside(points[i - 1]) and not inside(points[i]):
            return [border(points[i], points[i - 1]), *points[i:]]
    return points


def _sub_id(phase: str) -> str:
    return ncname("SubProcess_", phase)


def _reference_id(document: str, lane: str) -> str:
    return ncname("DataObjectReference_", f"{document}_{lane}")


def _uri_part(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="-_.")


def _coordinate(value: float) -> str:
    rounded = round(float(value), 1)
    return str(int(rounded)) if rounded.is_integer() else str(rounded)
