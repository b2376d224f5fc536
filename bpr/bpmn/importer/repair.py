"""Repair parallel splits the format cannot hold as they are: branches that end apart get a
join before the end (exact), splits that still break the rule become choices (reported)."""

from __future__ import annotations

from typing import Any

from bpr.bpmn.importer.state import State, Step
from bpr.bpmn.importer.warnings import describe, warn
from bpr.core.flow import (
    FlowGraph,
    broken_splits,
    check_parallel,
    closing_joins,
    immediate_postdominators,
    reachable,
)
from bpr.core.model import END
from bpr.core.text import for_yaml_comment

__all__ = ["repair_parallel"]


def repair_parallel(st: State) -> None:
    """Fit parallel splits to the format's rule that every split closes with one join.

    Branches that each run to an end event meet where the case ends (BPMN ends a case when
    all its branches have ended), so they get an added join step before the end: exact.
    Splits that still break the rule (branches that merge without a join, a join entered
    from outside) become exclusive choices, reported. Joins that then close nothing go.
    """
    for _ in range(2 * len(st.steps) + 2):
        check = check_parallel(_graph(st.steps))
        broken = check.broken_splits
        if not broken:
            break
        key = min(broken, key=lambda k: len(reachable_from(st, k)))
        if not join_at_end(st, key):
            shares = any(
                issue.code == "flow-branches-share-step" and key in issue.splits
                for issue in check.issues
            )
            split_to_choice(st, key, shared=_shared_step(st, key) if shares else None)
            if "endjoin:" + key in st.steps:
                splice(st, "endjoin:" + key)  # a choice's branches do not meet at the end
    closing = closing_joins(_graph(st.steps))
    for key, step in list(st.steps.items()):
        if not step.join or key in closing:
            continue
        step.join = False
        if step.added_join and step.kind == "seq" and key != st.first and step.targets != [key]:
            splice(st, key)
        else:
            step.comments.append(
                "the BPMN join before this step closes no split the format keeps (its "
                "branches hold no activity, or the split became a choice): dropped"
            )


def splice(st: State, key: str) -> None:
    """Remove a step that only passes the case on, leading its predecessors past it."""
    target = st.steps.pop(key).targets[0]
    for step in st.steps.values():
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


def reachable_from(st: State, key: str) -> set[str]:
    """The steps reachable from a step (itself only where a loop leads back to it)."""
    return reachable(st.successors(), st.steps[key].targets) - {END}


def join_at_end(st: State, key: str) -> bool:
    """Close a split whose branches each run to the end with an added join before the end; False
    where that does not mend it."""
    region = reachable_from(st, key)
    if key in region:
        return False
    ending = [k for k in region if END in st.steps[k].targets]
    if not ending:
        return False
    split = st.steps[key]
    join_key = "endjoin:" + key
    if join_key in st.steps:
        return False  # added before, and the split broke the rules again since
    join = Step(split.node, name="All branches done", actor=split.actor, join=True, targets=[END])
    where = place_of(st, split)
    terminating = [st.steps[k].terminates for k in ending if st.steps[k].terminates]
    if terminating:
        event = st.nodes[terminating[0]]
        join.comments.append(
            f"added by bpr import: branches after {where} end apart; the terminate end "
            f"'{for_yaml_comment(event.name or event.id, 30)}' (line {event.line}) "
            "would cancel the others: here all end (no work)"
        )
    else:
        join.comments.append(
            f"added by bpr import: the parallel branches after {where} end apart; a case ends "
            "when all have ended (no work)"
        )
    st.steps[join_key] = join
    saved = {k: list(st.steps[k].targets) for k in ending}
    for k in ending:
        st.steps[k].targets = [join_key if t == END else t for t in st.steps[k].targets]
    if key not in broken_splits(_graph(st.steps)):
        if terminating:
            warn(
                st,
                f"{describe(st.nodes[terminating[0]].element)} is a terminate end event in a "
                f"branch of the parallel split after {where}: it cancels the other branches, "
                "which the format cannot hold; imported as an end that waits for them (the "
                "lead time is the longest branch's, an upper bound)",
                st.nodes[terminating[0]].element,
            )
        return True
    for k, targets in saved.items():
        st.steps[k].targets = targets
    del st.steps[join_key]
    return False


def split_to_choice(st: State, key: str, *, shared: str | None = None) -> None:
    """Approximate a parallel split the format cannot hold as an exclusive choice, reported;
    ``shared`` is a step two of its branches share before the join, where that is the cause."""
    step = st.steps[key]
    node = st.nodes.get(step.node)
    leaving = _leaving_boundaries(st, key)
    if shared is not None:
        why = f"two of its branches share {place_of(st, st.steps[shared])} before the join"
    elif leaving:
        why = f"{leaving[0]} leads out of a branch, so that the branch never reaches the join"
    else:
        why = "its branches merge without a join, or a join is entered from outside"
    warn(
        st,
        f"the parallel split after {place_of(st, step)} does not close with one join as the "
        f"format needs ({why}); imported as an exclusive choice",
        node.element if node is not None else None,
    )
    step.kind = "choice"
    step.probabilities = [None] * len(step.targets)
    step.whens = [None] * len(step.targets)
    step.flow_comment = "a parallel split in BPMN that does not join: approximated as a choice"


def _leaving_boundaries(st: State, key: str) -> list[str]:
    """The boundary events (named as in messages) on activities inside the branches of the
    parallel split at ``key``: the ways a branch can be left before its join."""
    region = reachable_from(st, key)
    out = []
    for host, events in st.boundaries.items():
        if host not in region:
            continue
        for event in events:
            if event in st.nodes and event not in st.caught and st.out.get(event):
                element = st.nodes[event].element
                out.append(f"{describe(element)} on {describe(st.nodes[host].element)}")
    return out


def place_of(st: State, step: Step) -> str:
    """How a message names the BPMN element of a step: its kind, name and line."""
    node = st.nodes.get(step.node)
    if node is not None and node.element is not None:
        return f"{node.tag} '{for_yaml_comment(node.name or node.id, 60)}' (line {node.line})"
    return f"step '{step.name}'"


def _graph(steps: dict[str, Step]) -> FlowGraph:
    """The steps so far as the plain flow graph that the format's flow rules judge."""
    return FlowGraph(
        {key: step.targets for key, step in steps.items()},
        parallel=frozenset(key for key, step in steps.items() if step.kind == "par"),
        joins=frozenset(key for key, step in steps.items() if step.join),
    )


def _shared_step(st: State, key: str) -> str | None:
    """The first step (in the order the steps were made) that two branches of the parallel
    split at ``key`` both reach before the split closes."""
    successors = st.successors()
    join = immediate_postdominators(successors).get(key)
    inside = {k: t for k, t in successors.items() if k != join}
    seen: set[str] = set()
    for start in st.steps[key].targets:
        region = reachable(inside, [start]) - {END, join}
        for other in st.steps:
            if other in region and other in seen:
                return other
        seen |= region
    return None
