"""Fit the flow to the format: the flow after each activity, followed through gateways and
events as a tree of choices, parallel splits and joins, becomes the ``next`` of its step.

Where BPMN has a gateway with no task before or after it to hang on, a step is added.
Probabilities missing from the file are shared evenly, with a warning.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any

from bpr.bpmn.importer.documents import data_links
from bpr.bpmn.importer.scan import AUTOMATIC_TAGS, boundary_ids
from bpr.bpmn.importer.state import (
    IN_BPMN,
    IN_BPR,
    Choice,
    Edge,
    Join,
    Leaf,
    Par,
    State,
    Step,
    number_of,
)
from bpr.bpmn.importer.warnings import bpr_data, describe, warn
from bpr.bpmn.xml import BpmnError
from bpr.core.durations import DurationError, parse_duration
from bpr.core.flow import reachable
from bpr.core.model import CHANNELS, END
from bpr.core.schema import ID_PATTERN
from bpr.core.text import for_yaml_comment

__all__ = ["GATEWAY_TAGS", "fit_flow"]

#: The gateways whose name is a question that their flows answer.
GATEWAY_TAGS = frozenset({"exclusiveGateway", "inclusiveGateway", "complexGateway"})


def fit_flow(st: State, process: Any) -> None:
    """Find where a case starts and fill in the ``next`` of every step reached from there;
    activities no flow reaches are reported and left out."""
    starts = [s for s in st.starts if s in st.nodes]
    if not starts:
        starts = [
            n.id
            for n in st.nodes.values()
            if not st.inc.get(n.id)
            and n.kind != "end"
            and "#" not in n.id
            and n.id not in boundary_ids(st)
            and n.element is not None
            and n.element.getparent() is process
        ]
        if not starts:
            raise BpmnError(
                f"{st.file}:{process.sourceline}: the process has no start event and every "
                "activity has an incoming flow: there is no place where a case starts"
            )
        warn(
            st,
            "the process has no start event: a case starts at every element without an "
            "incoming flow (" + ", ".join(st.nodes[s].name or s for s in starts[:6]) + ")",
            process,
        )
        trees = [
            Leaf(s) if st.nodes[s].kind == "activity" else follow(st, s, frozenset())
            for s in starts
        ]
        start_tree: Any = trees[0] if len(trees) == 1 else Par("start", tuple(trees))
    elif len(starts) == 1:
        start_tree = follow_out(st, starts[0], frozenset())
    else:
        names = ", ".join(describe(st.nodes[s].element) for s in starts)
        warn(
            st,
            f"the process has {len(starts)} start events ({names}); a case starts at one of "
            "them: imported as a first step 'Start' that chooses among them",
            st.nodes[starts[0]].element,
        )
        st.spread.add("start")
        start_tree = Choice(
            "start",
            tuple((follow_out(st, s, frozenset()), None, st.nodes[s].name or None) for s in starts),
        )
    if isinstance(start_tree, Leaf) and start_tree.node != END:
        first = step_for(st, start_tree.node)
    elif isinstance(start_tree, Leaf):
        raise BpmnError(
            f"{st.file}:{process.sourceline}: the start event leads straight to the end; "
            "the process has no activity to import"
        )
    else:
        origin = start_tree.gateway if isinstance(start_tree, Join) else start_tree.origin
        first = added_step(st, origin, start_tree, name="Start")
    st.first = first
    # Steps are created as they are reached; fill in each one's flow, in the order they were
    # created, until none is new. Steps are only added here, each at the end of the dict, so
    # the ones a step adds are its last entries.
    queue = list(st.steps)
    at = 0
    while at < len(queue):
        key = queue[at]
        at += 1
        step = st.steps[key]
        if step.node in st.nodes and st.nodes[step.node].kind == "activity" and key == step.node:
            set_next(st, step, follow_out(st, step.node, frozenset()))
        added = len(st.steps) - len(queue)
        if added:
            queue += reversed(list(islice(reversed(st.steps), added)))
    report_unreached(st)


def step_for(st: State, node_id: str) -> str:
    """The key of the step of an activity node, created on first use."""
    if node_id not in st.steps:
        node = st.nodes[node_id]
        step = Step(node_id, name=node.name, actor=node.lane or st.default_actor)
        element = node.element
        ext = element.find(f"{IN_BPMN}extensionElements/{IN_BPR}step")
        if ext is not None:
            read_step_extension(st, step, ext)
            step.name = element.get("name") or ""  # bpr's own file: exactly as written
        elif node.tag in AUTOMATIC_TAGS:
            step.channel = "automatic"
        needs, produces = data_links(st, element)
        step.needs, step.produces = needs, produces
        for note in st.notes.get(node_id, []):
            step.comments.append(f"note: {note}")
        if node.tag == "callActivity" and element.get("calledElement"):
            called = for_yaml_comment(element.get("calledElement"), 60)
            step.comments.append(f"calls '{called}': imported as one step")
        st.steps[node_id] = step
    return node_id


def read_step_extension(st: State, step: Step, ext: Any) -> None:
    """Take a step's figures from bpr's own extension element (a file bpr exported)."""

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
                warn(st, f'{key}="{for_yaml_comment(text, 40)}" of bpr:step: {exc}; ignored', ext)
    fee = number_of(ext.get("fee"))
    if fee is not None:
        step.fee = fee
    index = ext.get("index")
    if index is not None and index.isdigit():
        step.index = int(index)
    step.replaces = [r for r in (ext.get("replaces") or "").split() if ID_PATTERN.fullmatch(r)]
    step.extra = bpr_data(st, ext, "step")


def added_step(st: State, origin: str, tree: Any, *, name: str = "") -> str:
    """A step the format needs where BPMN has a gateway with no task before or after it."""
    key = "added:" + origin
    if key in st.steps:
        return key
    node = st.nodes.get(origin)
    kind = "join" if isinstance(tree, Join) else type(tree).__name__.strip("_").lower()
    defaults = {
        "choice": "Decide",
        "par": "Split into parallel work",
        "join": "Wait for all branches",
    }
    label = (
        (node.name if node is not None and node.name else "") or name or defaults.get(kind, "Route")
    )
    lane = (node.lane if node is not None else None) or lane_near(st, origin)
    step = Step(origin, name=label, actor=lane)
    if node is not None and node.element is not None:
        step.comments.append(
            f"added by bpr import: the {node.tag} at line {node.line} has no task right "
            f"{'after' if isinstance(tree, Join) else 'before'} it to hang on (no work)"
        )
    else:
        step.comments.append("added by bpr import: where a case starts (no work)")
    st.steps[key] = step
    if isinstance(tree, Join):
        step.join = step.added_join = True
        set_next(st, step, tree.inner)
    else:
        set_next(st, step, tree)
    return key


def lane_near(st: State, node_id: str) -> str:
    """The lane of the nearest node along the flows, for a step added at a gateway outside any
    lane."""
    seen = {node_id}
    frontier = [node_id]
    while frontier:
        current = frontier.pop(0)
        for edge in st.inc.get(current, []) + st.out.get(current, []):
            for other in (edge.source, edge.target):
                if other in seen:
                    continue
                seen.add(other)
                lane = st.nodes[other].lane if other in st.nodes else None
                if lane:
                    return lane
                frontier.append(other)
    return st.default_actor


def follow(st: State, node_id: str, visiting: frozenset[str]) -> Any:
    """The flow from a node on, as a tree down to the next activities (or the end)."""
    node = st.nodes[node_id]
    st.budget -= 1
    if st.budget < 0:
        near = describe(node.element) if node.element is not None else node_id
        raise BpmnError(
            f"{st.file}:{node.line}: the flow has too many ways through its gateways to "
            f"follow (near {near}): gateways that split and merge again with no activity "
            "between them multiply the ways; simplify them in your BPMN tool"
        )
    if node.kind == "activity":
        return Leaf(node_id)
    if node.kind == "end":
        return Leaf(END, terminate=node_id if node_id in st.terminates else "")
    if node_id in visiting:
        warn(
            st,
            f"a loop of gateways and events without any activity passes through "
            f"{describe(node.element)}; the loop is cut there and the case ends",
            node.element,
        )
        return Leaf(END)
    visiting = visiting | {node_id}
    outs = st.out.get(node_id, [])
    if not outs:
        return Leaf(END)
    if node.kind == "and":
        if len(outs) == 1:
            inner = follow(st, outs[0].target, visiting)
        else:
            inner = fan_out(st, node_id, outs, visiting, parallel=True)
        if len(st.inc.get(node_id, [])) > 1:
            return Join(node_id, inner)
        return inner
    if node.kind in ("xor", "or", "event-gw"):
        if len(outs) == 1:
            return follow(st, outs[0].target, visiting)
        if node.kind == "or" and node_id not in st.reported:
            st.reported.add(node_id)
            warn(
                st,
                f"{describe(node.element)} lets one or more branches run; the format "
                "has exclusive choices and parallel splits: imported as an exclusive choice",
                node.element,
            )
        elif node.kind == "event-gw" and node_id not in st.reported:
            st.reported.add(node_id)
            warn(
                st,
                f"{describe(node.element)} is imported as an "
                "exclusive choice among the events that follow it",
                node.element,
            )
        return fan_out(st, node_id, outs, visiting, parallel=False)
    return follow_out(st, node_id, visiting)


def follow_out(st: State, node_id: str, visiting: frozenset[str]) -> Any:
    """The flow after a task or event: one flow, or several (parallel unless conditional)."""
    outs = st.out.get(node_id, [])
    if not outs:
        return Leaf(END)
    if len(outs) == 1:
        return follow(st, outs[0].target, visiting | {node_id})
    conditional = any(e.condition for e in outs)
    node = st.nodes[node_id]
    if (
        node_id not in st.reported
        and node.element is not None
        and node.tag not in ("pass", "boundary")
    ):
        st.reported.add(node_id)
        warn(st,
            f"{describe(node.element)} has {len(outs)} outgoing flows without a gateway; "
            + ("they carry conditions: imported as an exclusive choice" if conditional
               else "all of them run: imported as a parallel split"),
            node.element,
        )  # fmt: skip
    return fan_out(st, node_id, outs, visiting | {node_id}, parallel=not conditional)


def fan_out(
    st: State, node_id: str, outs: list[Edge], visiting: frozenset[str], *, parallel: bool
) -> Any:
    """The branches leaving a node: a parallel split, or a choice with each flow's probability and
    label."""
    if parallel:
        return Par(node_id, tuple(follow(st, e.target, visiting) for e in outs))
    node = st.nodes[node_id]
    question = node.name if node.tag in GATEWAY_TAGS else ""
    branches = []
    for e in outs:
        label = e.when or e.name or _short(e.condition) or None
        if question and label and e.when is None and e.p is None:
            # The gateway asks, the flow answers: "Data complete? Yes" says what "Yes" means.
            label = label if label.startswith(question) else f"{question} {label}"
        branches.append((follow(st, e.target, visiting), e.p, label))
    return Choice(node_id, tuple(branches))


def set_next(st: State, step: Step, tree: Any) -> None:
    """Fit a tree into the step's ``next`` (and ``join`` marks on the steps it reaches)."""
    for event in terminate_events(tree):
        if not step.terminates:
            step.terminates = event
            end = st.nodes[event]
            step.comments.append(
                f"the flow after this step can reach the terminate end event "
                f"'{for_yaml_comment(end.name or end.id, 40)}' (line {end.line}): "
                "the whole case ends there at once"
            )
    if isinstance(tree, Leaf):
        step.kind, step.targets = "seq", [leaf_target(st, tree)]
    elif isinstance(tree, Join):
        step.kind, step.targets = "seq", [join_target(st, tree)]
    elif isinstance(tree, Par):
        targets: list[str] = []
        for branch in tree.branches:
            if isinstance(branch, Leaf) and branch.node == END:
                continue  # a branch that ends at once adds nothing
            target = branch_target(st, branch)
            if target not in targets:
                targets.append(target)
        if len(targets) > 1:
            step.kind, step.targets = "par", targets
        else:
            step.kind, step.targets = "seq", targets or [END]
    else:
        flat = list(flatten(st, tree, 1.0, None))
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
        keep_question(st, step, tree, merged)
        if len(merged) == 1:
            step.kind, step.targets = "seq", list(merged)
            return
        step.kind = "choice"
        step.targets = list(merged)
        nested = any(isinstance(b[0], Choice) for b in tree.branches)
        keep = nested or any(v[2] for v in merged.values())
        step.probabilities = [v[0] if keep else None for v in merged.values()]
        step.whens = [v[1] for v in merged.values()]
        if tree.origin in st.spread or any(o in st.spread for o in origins(st, tree)):
            step.flow_comment = "the BPMN file gives no probabilities: the branches share evenly"


def keep_question(st: State, step: Step, tree: Choice, merged: dict[str, list[Any]]) -> None:
    """A comment on the step for each decision whose question no branch's ``when`` carries
    (its flows have no labels, or all lead to one place), so that no question is lost."""
    said = " ".join(v[1] for v in merged.values() if v[1]) if len(merged) > 1 else ""
    for origin in dict.fromkeys(origins(st, tree)):
        gateway = st.nodes.get(origin)
        if gateway is None or gateway.tag not in GATEWAY_TAGS or not gateway.name:
            continue
        if gateway.name in said or all(e.p is not None for e in st.out.get(origin, [])):
            continue  # said, or bpr's own file (its "Outcome?" asks nothing)
        why = (
            "its flows carry no labels" if len(merged) > 1 else "all its flows lead on to one place"
        )
        step.comments.append(
            f"the decision '{for_yaml_comment(gateway.name, 80)}' ({gateway.tag} id "
            f"{for_yaml_comment(gateway.id, 40)}, line {gateway.line}): {why}"
        )


def terminate_events(tree: Any) -> Iterator[str]:
    """The terminate end events a tree of the flow reaches directly."""
    if isinstance(tree, Leaf):
        if tree.terminate:
            yield tree.terminate
    elif isinstance(tree, Join):
        yield from terminate_events(tree.inner)
    elif isinstance(tree, Choice):
        for branch in tree.branches:
            yield from terminate_events(branch[0])
    elif isinstance(tree, Par):
        for branch in tree.branches:
            yield from terminate_events(branch)


def origins(st: State, tree: Any) -> Iterator[str]:
    """The gateways of a choice and of the choices nested in it."""
    if isinstance(tree, Choice):
        yield tree.origin
        for branch in tree.branches:
            yield from origins(st, branch[0])


def flatten(
    st: State, tree: Choice, weight: float, outer_when: str | None
) -> Iterator[tuple[str, float, str | None, bool]]:
    """A choice with the choices nested in it as one list of ``(target, p, when, given)``;
    probabilities the file lacks are shared evenly."""
    given = [p for _, p, _ in tree.branches if p is not None]
    missing = sum(1 for _, p, _ in tree.branches if p is None)
    total = sum(given)
    if missing:
        share = max(0.0, 1.0 - total) / missing
        if tree.origin not in st.spread:
            st.spread.add(tree.origin)
            node = st.nodes.get(tree.origin)
            if node is not None and node.element is not None and node.tag != "boundary":
                warn(
                    st,
                    f"the branches after {describe(node.element)} carry no "
                    "probabilities; they share evenly: set p in the YAML",
                    node.element,
                )
    elif total > 0 and abs(total - 1) > 1e-6:
        node = st.nodes.get(tree.origin)
        warn(
            st,
            f"the probabilities after {tree.origin} add up to {total:g}, not 1; scaled to 1",
            node.element if node is not None else None,
        )
    for branch, p, when in tree.branches:
        if p is None:
            p = share
        elif not missing and total > 0:
            p = p / total
        label = f"{outer_when}; {when}" if outer_when and when else when or outer_when
        if isinstance(branch, Choice):
            yield from flatten(st, branch, weight * p, label)
        else:
            yield branch_target(st, branch), weight * p, label, bool(given)


def leaf_target(st: State, leaf: Leaf) -> str:
    """The step of an activity the flow reaches, or ``END``."""
    return END if leaf.node == END else step_for(st, leaf.node)


def branch_target(st: State, tree: Any) -> str:
    """A branch target as one step: an added step where the branch starts with a gateway."""
    if isinstance(tree, Leaf):
        return leaf_target(st, tree)
    if isinstance(tree, Join):
        return join_target(st, tree)
    return added_step(st, tree.origin, tree)


def join_target(st: State, tree: Join) -> str:
    """The step where parallel branches meet: the task right after the join, or an added one."""
    key = "join:" + tree.gateway
    cached = st.join_targets.get(key)
    if cached is not None:
        return cached
    inner = tree.inner
    single = None
    if isinstance(inner, Leaf) and inner.node != END:
        # The task after the join holds the join only if nothing else leads into it.
        current = st.out[tree.gateway][0].target if len(st.out[tree.gateway]) == 1 else None
        while (
            current is not None and st.nodes[current].kind == "pass" and len(st.inc[current]) == 1
        ):
            outs = st.out[current]
            current = outs[0].target if len(outs) == 1 else None
        if current == inner.node and len(st.inc[current]) == 1:
            single = inner.node
    if single is not None:
        result = step_for(st, single)
        st.steps[result].join = True
    else:
        result = added_step(st, tree.gateway, tree)
    st.join_targets[key] = result
    return result


def report_unreached(st: State) -> None:
    """Drop the steps the first step does not lead to, and warn about every activity left out."""
    reached = reachable(st.successors(), [st.first]) - {END}
    for key in list(st.steps):
        if key not in reached:
            del st.steps[key]
    for node in st.nodes.values():
        if node.kind == "activity" and node.id not in st.steps:
            why = (
                "is a compensation activity, outside the normal flow (compensation is not "
                "held by the format)"
                if node.element.get("isForCompensation") == "true"
                else "cannot be reached from the start of the process"
            )
            warn(st, f"{describe(node.element)} {why}; left out", node.element)


def _short(condition: str) -> str:
    """A condition short enough to be a branch's ``when``."""
    return for_yaml_comment(condition, 60) if condition and condition != "(condition)" else ""


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
