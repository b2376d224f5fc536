"""Pools and lanes: which process is imported, who performs each activity (lanes, else
performers), and the model's own fields (service, variant, name) from the pool."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bpr.bpmn.importer.scan import activities, decisions, enclosing
from bpr.bpmn.importer.state import IN_BPMN, IN_BPR, State, local, number_of
from bpr.bpmn.importer.warnings import bpr_data, describe, warn
from bpr.bpmn.xml import BpmnError
from bpr.core.ids import slug
from bpr.core.schema import ACTOR_KINDS, ID_PATTERN
from bpr.core.text import clean_name, for_yaml_comment

__all__ = ["add_actor", "choose_process", "read_lanes", "read_model_fields"]


def choose_process(st: State) -> tuple[Any, Any]:
    """The process to import (``--process``, else the one with the most activities) and its
    participant; the other pools and message flows are reported."""
    processes = [p for p in st.root if p.tag == IN_BPMN + "process"]
    participants: dict[str, Any] = {}
    for collaboration in st.root.iter(IN_BPMN + "collaboration"):
        for participant in collaboration.iter(IN_BPMN + "participant"):
            if participant.get("processRef"):
                participants.setdefault(participant.get("processRef"), participant)
    if not processes:
        raise BpmnError(
            f"{st.file}: the file has no <process>: there is nothing to import (a "
            "choreography or conversation diagram has no activities of one organisation)"
        )
    counts = {p.get("id"): sum(1 for _ in activities(p)) for p in processes}
    if st.want_process is not None:
        wanted = st.want_process
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
                f"{st.file}: no pool or process '{wanted}'; the file has: " + ", ".join(choices)
            )
    else:
        chosen = max(processes, key=lambda p: counts[p.get("id")])
    if counts[chosen.get("id")] == 0:
        raise BpmnError(
            f"{st.file}:{chosen.sourceline}: the process '{chosen.get('id')}' has no "
            "activities (tasks or sub-processes): there is nothing to import"
        )
    for p in processes:
        if p is chosen or counts[p.get("id")] == 0:
            continue
        participant = participants.get(p.get("id"))
        pool = clean_name((participant if participant is not None else p).get("name"))
        listed = ", ".join(describe(a) for a in activities(p))
        callers = [
            c
            for c in chosen.iter(IN_BPMN + "callActivity")
            if c.get("calledElement") == p.get("id")
        ]
        expanded = [c for c in callers if st.expanded.get(c.get("id") or "")]
        if expanded and participant is None and list(activities(p)):
            # Drawn expanded: the called process is read in place of the call, as a phase.
            st.inlined[expanded[0].get("id")] = p
            st.called_by[p.get("id")] = expanded[0]
            for other in callers[1:]:
                warn(
                    st,
                    f"{describe(other)} calls process {p.get('id')} again, which is read in "
                    f"place of {describe(expanded[0])}; this call is imported as one step",
                    other,
                )
            continue
        if callers:
            warn(
                st,
                f"process {p.get('id')} is called by {describe(callers[0])}, which is "
                f"imported as one step; its own activities ({listed}){decisions(p)} are not; "
                "import them "
                f"with --process {p.get('id')}",
                p,
            )
            continue
        warn(
            st,
            "the file has several pools; this import takes "
            f"'{pool_label(chosen, participants)}' and leaves out pool "
            f"'{pool or p.get('id')}' (process {p.get('id')}) with its activities {listed}"
            f"{decisions(p)}; "
            f"import it with --process {p.get('id')}",
            p,
        )
    for flow in st.root.iter(IN_BPMN + "messageFlow"):
        warn(
            st,
            f"{describe(flow)} between pools is not held by the format; left out",
            flow,
        )
    return chosen, participants.get(chosen.get("id"))


def pool_label(process: Any, participants: dict[str, Any]) -> str:
    """How a message names a pool: its participant's name, the process's, or its id."""
    participant = participants.get(process.get("id"))
    name = clean_name((participant if participant is not None else process).get("name"))
    return name or process.get("id")


def read_lanes(st: State, process: Any, participant: Any) -> None:
    """Actors from the lanes (the innermost of nested lanes), else from the tasks' performers;
    every activity gets one."""
    lanes: list[tuple[Any, str]] = []

    def walk(lane_set: Any) -> None:
        for lane in lane_set.findall(IN_BPMN + "lane"):
            actor = add_actor(st, lane, clean_name(lane.get("name")))
            lanes.append((lane, actor))
            for ref in lane.findall(IN_BPMN + "flowNodeRef"):
                target = (ref.text or "").strip()
                if target in st.nodes:
                    st.lane_of[target] = actor  # inner lanes come later and win
                elif target not in st.by_id:
                    warn(
                        st,
                        f"lane {describe(lane)} refers to "
                        f"'{for_yaml_comment(target, 60)}', "
                        "which is not in the file (a dangling flowNodeRef); ignored",
                        ref,
                    )
            for child in lane.findall(IN_BPMN + "childLaneSet"):
                walk(child)

    for lane_set in process.findall(IN_BPMN + "laneSet"):
        walk(lane_set)
    if lanes:
        # Nested lanes: the innermost lane is the actor; lanes that only hold lanes go.
        used = set(st.lane_of.values())
        for lane, actor in lanes:
            if lane.find(IN_BPMN + "childLaneSet") is not None and actor not in used:
                del st.actors[actor]
    else:
        read_performers(st)
    # Nodes inside flattened sub-processes take the lane of their sub-process.
    for node in st.nodes.values():
        if node.id in st.lane_of or node.element is None:
            continue
        ancestor = node.element if "#" in node.id else enclosing(st, node.element)
        while ancestor is not None and ancestor.get("id") not in st.lane_of:
            ancestor = enclosing(st, ancestor)
        if ancestor is not None:
            st.lane_of[node.id] = st.lane_of[ancestor.get("id")]
    missing = [n for n in st.nodes.values() if n.kind == "activity" and n.id not in st.lane_of]
    if missing or not st.actors:
        name = clean_name((participant if participant is not None else process).get("name"))
        default = add_actor(st, None, name or "Performer")
        for node in missing:
            st.lane_of[node.id] = default
        st.default_actor = default
        if lanes and missing:
            warn(
                st,
                f"{len(missing)} activities lie in no lane; they are given the actor "
                f"'{default}': " + ", ".join(describe(n.element) for n in missing[:10]),
                missing[0].element,
            )
    else:
        st.default_actor = next(iter(st.actors))
    for node in st.nodes.values():
        node.lane = st.lane_of.get(node.id)


def read_performers(st: State) -> None:
    """Without lanes, the resource of a task's performer (or potential owner) is its actor."""
    for node in st.nodes.values():
        if node.kind != "activity":
            continue
        for role in node.element:
            if not isinstance(role.tag, str) or local(role.tag) not in (
                "performer", "humanPerformer", "potentialOwner",
            ):  # fmt: skip
                continue
            ref = role.find(IN_BPMN + "resourceRef")
            resource = st.by_id.get((ref.text or "").strip()) if ref is not None else None
            if resource is None:
                continue
            key = "resource:" + resource.get("id")
            if key not in st.resource_actor:
                st.resource_actor[key] = add_actor(
                    st, None, clean_name(resource.get("name")) or "Performer"
                )
            st.lane_of[node.id] = st.resource_actor[key]
            break


def add_actor(st: State, lane: Any, name: str, *, ext: Any = None) -> str:
    """A new actor for a lane or resource, with the id bpr's extension gives or one made from the
    name."""
    fields: dict[str, Any] = {"name": name or "Lane"}
    if lane is not None:
        ext = lane.find(f"{IN_BPMN}extensionElements/{IN_BPR}actor")
    ident = None
    if ext is not None:
        wanted = ext.get("id") or ""
        if ID_PATTERN.fullmatch(wanted) and st.actor_ids.claim(wanted):
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
        fields["extra"] = bpr_data(st, ext, "actor")
    if ident is None:
        ident = st.actor_ids.make(name, fallback="actor")
    st.actors[ident] = fields
    return ident


def read_model_fields(st: State, process: Any, participant: Any) -> dict[str, Any]:
    """The model's own fields (service, variant, name, figures) from bpr's extension, the pool and
    the options."""
    ext = process.find(f"{IN_BPMN}extensionElements/{IN_BPR}model")
    fields: dict[str, Any] = {}
    title = clean_name((participant if participant is not None else process).get("name"))
    title = title or clean_name(process.get("name")) or clean_name(st.root.get("name"))
    if ext is not None:
        for key in ("service", "variant", "name", "currency"):
            if ext.get(key):
                fields[key] = ext.get(key)
        for key in ("volume", "tariff"):
            number = number_of(ext.get(key))
            if number is not None:
                fields[key] = number
        maturity = ext.get("maturity")
        if maturity in ("1", "2", "3", "4"):
            fields["maturity"] = int(maturity)
        sources = ["".join(s.itertext()) for s in ext.findall(IN_BPR + "source")]
        if sources:
            fields["sources"] = [s for s in sources if s]
        fields["extra"] = bpr_data(st, ext, "model")
        for actor in ext.findall(IN_BPR + "actor"):  # actors without a lane: issuers
            add_actor(st, None, clean_name(actor.get("name")) or "Actor", ext=actor)
    if "service" in fields and not ID_PATTERN.fullmatch(fields["service"]):
        del fields["service"]
    if st.want_service:
        fields["service"] = st.want_service
    if "service" not in fields:
        stem = Path(st.file).stem if not st.file.startswith("<") else ""
        fields["service"] = slug(title, "-") or slug(stem, "-") or "imported-process"
    if st.want_variant:
        fields["variant"] = st.want_variant
    fields.setdefault("variant", "as-is")
    if title and "name" not in fields and ext is None:
        fields["name"] = title  # bpr's own file says the name (none: the pool shows the title)
    return fields
