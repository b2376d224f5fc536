"""Scan the XML of one process into a graph: flow nodes, sequence flows, sub-processes
flattened, link events joined, boundary events turned into a decision after their activity.

Each kind of BPMN element has its reader here (``read_scope`` dispatches on the tag), the way
SpiffWorkflow's parser has one per element.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from bpr.bpmn.extdata import read_data
from bpr.bpmn.importer.state import IN_BPMN, IN_BPR, Edge, Label, Node, State, exit_id, local
from bpr.bpmn.importer.warnings import describe, warn
from bpr.bpmn.xml import BPMN_NS, BPMNDI_NS, BpmnError
from bpr.core.text import clean_name, for_yaml_comment

__all__ = [
    "ACTIVITY_TAGS",
    "AUTOMATIC_TAGS",
    "EVENT_TAGS",
    "GATEWAY_KINDS",
    "SUBPROCESS_TAGS",
    "activities",
    "boundary_ids",
    "event_kinds",
    "read_definitions",
    "read_process",
]

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


def read_definitions(st: State) -> None:
    """Check that the file is BPMN 2.0 and index its elements by id."""
    root = st.root
    if not isinstance(root.tag, str) or local(root.tag) != "definitions":
        raise BpmnError(
            f"{st.file}:{root.sourceline}: not a BPMN 2.0 file: the root element is "
            f"<{local(str(root.tag))}>, expected <definitions> in the namespace {BPMN_NS}"
        )
    if root.tag != IN_BPMN + "definitions":
        namespace = str(root.tag)[1:].partition("}")[0] if str(root.tag).startswith("{") else ""
        raise BpmnError(
            f"{st.file}:{root.sourceline}: not a BPMN 2.0 file: <definitions> is in the "
            f"namespace '{namespace}', expected {BPMN_NS} (BPMN 2.0 as the OMG published "
            "it; export the diagram from your tool as BPMN 2.0 XML)"
        )
    for element in root.iter():
        ident = element.get("id") if isinstance(element.tag, str) else None
        if ident:
            st.by_id.setdefault(ident, element)
    unprefix_references(st)
    inline_event_definitions(st)
    for shape in root.iter("{" + BPMNDI_NS + "}BPMNShape"):
        if shape.get("isExpanded") is not None and shape.get("bpmnElement"):
            st.expanded[shape.get("bpmnElement")] = shape.get("isExpanded") == "true"


# Attributes and elements whose value is the id of another element (BPMN's QName references).
_REF_ATTRIBUTES = {
    "sourceRef", "targetRef", "attachedToRef", "processRef", "calledElement", "default",
    "dataObjectRef", "dataStoreRef", "bpmnElement", "errorRef", "escalationRef", "messageRef",
    "signalRef", "categoryValueRef", "itemSubjectRef", "activityRef",
}  # fmt: skip
_REF_ELEMENTS = {
    "flowNodeRef", "sourceRef", "targetRef", "resourceRef", "eventDefinitionRef", "incoming",
    "outgoing", "dataInputRefs", "dataOutputRefs",
}  # fmt: skip


def unprefix_references(st: State) -> None:
    """Read references written with a namespace prefix (``attachedToRef="tns:Task_1"``, as the
    XSD's QName references allow) as the plain id they name, wherever the prefix is declared
    and the plain id is in the file; the tree is changed in place, once, so every reader after
    this sees plain ids."""

    def plain(text: str, element: Any) -> str | None:
        prefix, colon, rest = text.partition(":")
        if colon and rest in st.by_id and text not in st.by_id and prefix in element.nsmap:
            return rest
        return None

    # Only values with a colon can carry a prefix: libxml2 finds them (a superset: any such
    # attribute, any reference element whose text holds one), and each is judged as before.
    for found in st.root.xpath("//@*[contains(., ':')]"):
        key, element = found.attrname, found.getparent()
        if key in _REF_ATTRIBUTES:
            value = plain(element.get(key).strip(), element)
            if value is not None:
                element.set(key, value)
    named = " or ".join(f"local-name()='{name}'" for name in sorted(_REF_ELEMENTS))
    for element in st.root.xpath(f"//*[({named}) and contains(., ':')]"):
        if local(element.tag) in _REF_ELEMENTS and element.text and ":" in element.text:
            value = plain(element.text.strip(), element)
            if value is not None:
                element.text = value


def inline_event_definitions(st: State) -> None:
    """An event whose definition is given by reference (``<eventDefinitionRef>`` to a
    definition at the top of the file, as ARIS writes them) gets a copy of that definition
    in place of the reference, so that it is read as the error, timer or terminate event
    it is; a reference to nothing is reported."""
    import copy

    for ref in list(st.root.iter(IN_BPMN + "eventDefinitionRef")):
        target = st.by_id.get((ref.text or "").strip())
        parent = ref.getparent()
        if target is None or not str(target.tag).endswith("EventDefinition"):
            warn(
                st,
                f"{describe(parent)} refers to the event definition "
                f"'{for_yaml_comment((ref.text or '').strip(), 60)}', which is not in the "
                "file (a dangling eventDefinitionRef); read as a plain event",
                ref,
            )
            parent.remove(ref)
            continue
        definition = copy.deepcopy(target)
        definition.attrib.pop("id", None)
        definition.tail = ref.tail
        parent.replace(ref, definition)


def read_process(st: State, process: Any) -> None:
    """The graph of one process: its flow nodes and flows, with annotations, link events, sub-
    processes and boundary events resolved."""
    read_scope(st, process, scope=None)
    for element in process.iter(IN_BPMN + "association"):
        source, target = element.get("sourceRef"), element.get("targetRef")
        for a, b in ((source, target), (target, source)):
            annotation = st.by_id.get(b or "")
            if annotation is not None and local(annotation.tag) == "textAnnotation":
                text = clean_name("".join(annotation.itertext()))
                if text and a:
                    st.notes.setdefault(a, []).append(text)
    link_events(st)
    check_edges(st)
    connect_scopes(st)
    attach_boundaries(st)


def add_node(st: State, element: Any, kind: str, *, node_id: str | None = None) -> Node:
    """A flow node of the graph; an element without an id, or an id used twice, is refused."""
    ident = node_id or element.get("id")
    if not ident:
        raise BpmnError(
            f"{st.file}:{element.sourceline}: <{local(element.tag)}> has no id; every "
            "flow element of BPMN needs one"
        )
    if ident in st.nodes:
        raise BpmnError(
            f"{st.file}:{element.sourceline}: the id '{ident}' is used twice; ids must "
            "be unique in a BPMN file"
        )
    node = Node(ident, kind, local(element.tag), clean_name(element.get("name")),
                 element.sourceline or 0, element=element)  # fmt: skip
    st.nodes[ident] = node
    st.out.setdefault(ident, [])
    st.inc.setdefault(ident, [])
    return node


def add_edge(st: State, edge: Edge) -> None:
    """A flow of the graph."""
    st.edges.append(edge)
    st.out.setdefault(edge.source, []).append(edge)
    st.inc.setdefault(edge.target, []).append(edge)


def read_scope(st: State, container: Any, scope: str | None) -> None:
    """Read the flow elements of a process or an expanded sub-process."""
    starts: list[str] = []
    ends: list[str] = []
    for element in container:
        if not isinstance(element.tag, str) or not element.tag.startswith(IN_BPMN):
            continue
        tag = local(element.tag)
        if tag == "callActivity" and element.get("id") in st.inlined:
            read_call(st, element)
        elif tag in ACTIVITY_TAGS:
            add_node(st, element, "activity")
            note_activity(st, element)
        elif tag in SUBPROCESS_TAGS:
            read_subprocess(st, element)
        elif tag == "startEvent":
            add_node(st, element, "start")
            starts.append(element.get("id"))
        elif tag == "endEvent":
            add_node(st, element, "end" if scope is None else "pass")
            ends.append(element.get("id"))
            if "terminate" in event_kinds(element):
                if scope is None:
                    st.terminates.add(element.get("id"))
                else:
                    warn(
                        st,
                        f"{describe(element)} is a terminate end event inside a sub-process: "
                        "it ends the sub-process (and any of its branches still running), "
                        "and the case goes on after it; imported as the sub-process's end",
                        element,
                    )
        elif tag in GATEWAY_KINDS:
            add_node(st, element, GATEWAY_KINDS[tag])
        elif tag in EVENT_TAGS:
            read_event(st, element)
        elif tag == "boundaryEvent":
            add_node(st, element, "pass")
            attached = element.get("attachedToRef") or ""
            st.boundaries.setdefault(attached, []).append(element.get("id"))
        elif tag == "sequenceFlow":
            read_flow(st, element)
        elif tag == "dataStoreReference":
            warn(
                st,
                f"{describe(element)} is a data store: a system or registry, not a "
                "document the format holds; left out",
                element,
            )
        elif (
            tag == "group" and element.find(f"{IN_BPMN}extensionElements/{IN_BPR}phase") is not None
        ):
            pass  # bpr's own drawing of a phase: the steps' phase travels in bpr:data
        elif tag not in _QUIET_TAGS:
            warn(st, f"{describe(element)} is not held by the format; left out", element)
    if scope is None:
        st.starts = starts
    else:
        st.scopes.append((scope, starts, ends))


def note_activity(st: State, element: Any) -> None:
    """Warn that a loop or multi-instance marker is imported as one run."""
    for marker in ("standardLoopCharacteristics", "multiInstanceLoopCharacteristics"):
        if element.find(IN_BPMN + marker) is not None:
            warn(
                st,
                f"{describe(element)} repeats ({marker.replace('LoopCharacteristics', '')}"
                " loop marker); the format holds one run of a step: imported as one run",
                element,
            )


def read_subprocess(st: State, element: Any) -> None:
    """A sub-process: one step where it is collapsed or ad hoc, flattened where it is expanded,
    left out where an event starts it."""
    ident = element.get("id")
    inner = list(activities(element))
    if element.get("triggeredByEvent") == "true":
        listed = ", ".join(describe(a) for a in inner) or "no activities"
        warn(
            st,
            f"{describe(element)} is an event sub-process: it runs only when its event "
            f"occurs; the format cannot hold it: left out with {listed}{decisions(element)}",
            element,
        )
        return
    has_flow = any(
        local(c.tag) in ACTIVITY_TAGS | SUBPROCESS_TAGS | {"startEvent"}
        for c in element
        if isinstance(c.tag, str)
    )
    expanded = st.expanded.get(ident, True) and has_flow
    if local(element.tag) == "adHocSubProcess" or not expanded:
        add_node(st, element, "activity")
        note_activity(st, element)
        if inner:
            listed = ", ".join(describe(a) for a in inner)
            kind = (
                "runs its activities in any order"
                if local(element.tag) == "adHocSubProcess"
                else "is collapsed"
            )
            node_comment = (
                f"{describe(element)} {kind}; imported as one step standing for its "
                f"{len(inner)} activities: {listed}"
            )
            warn(st, node_comment, element)
            names = ", ".join(clean_name(a.get("name")) or a.get("id") for a in inner)
            st.notes.setdefault(ident, []).append(f"stands for the activities {names}")
        return
    # An expanded sub-process is flattened: its entry and exit become pass-through nodes.
    add_node(st, element, "pass")
    add_node(st, element, "pass", node_id=exit_id(ident))
    read_scope(st, element, scope=ident)
    if local(element.tag) == "transaction":
        warn(
            st,
            f"{describe(element)}: its activities are imported as steps; "
            "cancellation and compensation are not held by the format",
            element,
        )


def read_call(st: State, element: Any) -> None:
    """An expanded call activity whose process is in the file: that process is read in its
    place, flattened like an expanded sub-process (its activities become a phase)."""
    ident = element.get("id")
    add_node(st, element, "pass")
    add_node(st, element, "pass", node_id=exit_id(ident))
    read_scope(st, st.inlined[ident], scope=ident)


def scope_element(st: State, scope: str) -> Any:
    """The element whose children a flattened scope's nodes are: the sub-process, or the
    process an expanded call activity calls."""
    return st.inlined.get(scope, st.nodes[scope].element)


def enclosing(st: State, element: Any) -> Any:
    """The element that holds ``element`` in the flow: its parent, or for the top of a called
    process read in place of a call activity, that call activity."""
    parent = element.getparent()
    if parent is not None and parent.tag == IN_BPMN + "process":
        return st.called_by.get(parent.get("id"), parent)
    return parent


def connect_scopes(st: State) -> None:
    """Flatten expanded sub-processes: entry to their start, their ends to the exit."""
    boundary = boundary_ids(st)
    for scope, starts, ends in st.scopes:
        entry, exit_ = scope, exit_id(scope)
        for edge in st.out[entry]:
            edge.source = exit_
            st.out[exit_].append(edge)
        st.out[entry] = []
        element = scope_element(st, scope)
        members = [
            n.id
            for n in st.nodes.values()
            if n.element is not None and n.element.getparent() is element and n.id not in boundary
        ]
        # A nested sub-process stands here twice, as its entry and its exit: the entry may
        # start the flow, the exit may end it.
        targets = starts or [m for m in members if not st.inc.get(m) and "#" not in m]
        if len(targets) > 1:
            # Without a start event every node with no incoming flow starts at once.
            st.nodes[entry].kind = "xor" if starts else "and"
        for target in targets:
            add_edge(st, Edge(f"{entry}->{target}", entry, target, line=st.nodes[entry].line))
        for member in members:
            if member in ends or not st.out.get(member):
                caught = caught_by(st, scope, member) if member in ends else None
                target = caught or exit_
                add_edge(st,
                    Edge(f"{member}->{target}", member, target, line=st.nodes[member].line)
                )  # fmt: skip


def caught_by(st: State, scope: str, end: str) -> str | None:
    """The boundary event of a sub-process that catches the error or escalation one of its
    end events throws: the case goes on there, exactly as BPMN runs it."""
    kinds = event_kinds(st.nodes[end].element)
    thrown = [k for k in kinds if k in ("error", "escalation")]
    if not thrown:
        return None
    for event_id in st.boundaries.get(scope, []):
        if thrown[0] in event_kinds(st.nodes[event_id].element):
            st.caught.add(event_id)
            return event_id
    return None


def boundary_ids(st: State) -> set[str]:
    """The ids of every boundary event."""
    return {b for bs in st.boundaries.values() for b in bs}


def read_event(st: State, element: Any) -> None:
    """An intermediate event: a link is followed, any other event the flow passes through."""
    link = element.find(IN_BPMN + "linkEventDefinition")
    node = add_node(st, element, "pass")
    if link is not None:
        name = clean_name(link.get("name")) or node.name
        if local(element.tag) == "intermediateCatchEvent":
            st.links.setdefault(name, []).append(node.id)
        else:
            node.tag = "link-throw"
            node.name = name
        return
    what = "/".join(event_kinds(element)) or "none"
    warn(
        st,
        f"{describe(element)} ({what} event) is not held by the format; the flow passes through it",
        element,
    )


def read_flow(st: State, element: Any) -> None:
    """A sequence flow with its name, condition and (in bpr's own files) probability."""
    ident = element.get("id") or f"flow@{element.sourceline}"
    condition = element.find(IN_BPMN + "conditionExpression")
    text = clean_name("".join(condition.itertext())) if condition is not None else ""
    edge = Edge(
        ident,
        element.get("sourceRef") or "",
        element.get("targetRef") or "",
        clean_name(element.get("name")),
        text or ("(condition)" if condition is not None else ""),
        element.sourceline or 0,
    )
    branch = element.find(f"{IN_BPMN}extensionElements/{IN_BPR}branch")
    if branch is not None:
        edge.p = probability(st, branch)
        edge.when = branch.get("when") or None
        names = read_data(branch).get("when")
        if (
            edge.when
            and isinstance(names, dict)
            and all(isinstance(v, str) for v in names.values())
        ):
            edge.when = Label(edge.when, names)  # bpr's own file: the when in every language
    add_edge(st, edge)


def probability(st: State, element: Any) -> float | None:
    """The ``p`` of bpr's branch extension, where it is a probability."""
    text = element.get("p")
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 <= value <= 1:
        warn(
            st,
            f'the probability p="{for_yaml_comment(text, 30)}" is not between 0 and 1; ignored',
            element,
        )
        return None
    return value


def link_events(st: State) -> None:
    """Each link thrown leads to the one catching event of its name."""
    for node in list(st.nodes.values()):
        if node.tag != "link-throw":
            continue
        catches = st.links.get(node.name, [])
        if len(catches) != 1:
            problem = "no catching link event" if not catches else "several catching link events"
            warn(
                st,
                f"{describe(node.element)} throws a link, but there is {problem} named "
                f"'{for_yaml_comment(node.name, 60)}'; the flow ends there",
                node.element,
            )
            continue
        add_edge(st, Edge(f"{node.id}->{catches[0]}", node.id, catches[0], line=node.line))


def attach_boundaries(st: State) -> None:
    """An activity with boundary events gets a decision after it: done, or the event."""
    for activity, events in st.boundaries.items():
        host = st.nodes.get(activity)
        if host is None:
            element = st.by_id.get(events[0])
            raise BpmnError(
                f"{st.file}:{element.sourceline if element is not None else 0}: boundary "
                f"event '{events[0]}' is attached to '{activity}', which is not an activity "
                "of this process (a dangling attachedToRef)"
            )
        source = exit_id(activity) if exit_id(activity) in st.nodes else activity
        kept = []
        for event_id in events:
            if event_id in st.caught:
                continue
            event = st.nodes[event_id]
            element = event.element
            kinds = event_kinds(element)
            what = "/".join(kinds) or "none"
            if "compensate" in kinds or not st.out.get(event_id):
                warn(
                    st,
                    f"{describe(element)} ({what} event) leads nowhere in the "
                    "flow; not held by the format, left out",
                    element,
                )
                continue
            interrupting = element.get("cancelActivity", "true") != "false"
            warn(
                st,
                f"{describe(element)} ({what} event"
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
        host_element = st.nodes[activity].element
        st.nodes[normal] = Node(
            normal, "pass", host.tag, host.name, host.line, element=host_element
        )
        st.nodes[decision] = Node(decision, "xor", "boundary", "", host.line, element=host_element)
        st.out[normal], st.inc[normal] = [], []
        st.out[decision], st.inc[decision] = [], []
        for edge in list(st.out.get(source, [])):
            edge.source = normal
            st.out[normal].append(edge)
        st.out[source] = []
        add_edge(st, Edge(f"{source}->done", source, decision, line=host.line))
        add_edge(st, Edge(f"{decision}->done", decision, normal, line=host.line))
        for event_id in kept:
            label = st.nodes[event_id].name
            add_edge(st, Edge(f"{decision}->{event_id}", decision, event_id, when=label,
                                line=st.nodes[event_id].line))  # fmt: skip


def check_edges(st: State) -> None:
    """Refuse a sequence flow whose source or target is not a flow node of the process."""
    for edge in st.edges:
        for end, ident in (("sourceRef", edge.source), ("targetRef", edge.target)):
            if ident in st.nodes:
                continue
            element = st.by_id.get(ident)
            where = (
                "which is not in the file"
                if element is None
                else f"a <{local(element.tag)}> that is not a flow node of this process"
            )
            raise BpmnError(
                f"{st.file}:{edge.line}: sequence flow '{edge.id}' has {end}='{ident}', "
                f"{where} (a dangling reference); fix or remove the flow in your BPMN tool"
            )


def activities(container: Any) -> Iterator[Any]:
    """Activities inside a process or sub-process, sub-processes' insides included."""
    for element in container:
        if not isinstance(element.tag, str) or not element.tag.startswith(IN_BPMN):
            continue
        tag = local(element.tag)
        if tag in ACTIVITY_TAGS:
            yield element
        elif tag in SUBPROCESS_TAGS:
            inner = list(activities(element))
            if inner and element.get("triggeredByEvent") != "true":
                yield from inner
            else:
                yield element


def decisions(container: Any) -> str:
    """The sub-processes holding activities and the questions of the named decision gateways
    inside a process or sub-process, for a message that says what is left out with its
    activities: ``" in subProcess 'Pay' (id ...) and its decisions 'Paid?'"``, or empty."""
    holders = [
        describe(e)
        for e in container.iter(*(IN_BPMN + t for t in SUBPROCESS_TAGS))
        if e is not container and any(True for _ in activities(e))
    ]
    tags = [IN_BPMN + t for t in ("exclusiveGateway", "inclusiveGateway", "complexGateway")]
    names = [clean_name(g.get("name")) for g in container.iter(*tags)]
    asked = [f"'{for_yaml_comment(n, 60)}'" for n in names if n]
    return (f" in {', '.join(holders)}" if holders else "") + (
        f" and its decisions {', '.join(asked)}" if asked else ""
    )


def event_kinds(element: Any) -> list[str]:
    """The kinds of an event's definitions: ``['timer']``, ``['error']``; empty for none."""
    return [
        local(d.tag).replace("EventDefinition", "")
        for d in element
        if isinstance(d.tag, str) and d.tag.endswith("EventDefinition")
    ]
