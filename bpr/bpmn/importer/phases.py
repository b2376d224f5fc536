"""Phases: each expanded sub-process (and each expanded call activity read in place) that the
import flattens is a phase of that name; its activities' steps are in it.

The format's phases do not nest: a sub-process inside another puts its activities in the
outermost one's phase, said in a warning that names both.
"""

from __future__ import annotations

from typing import Any

from bpr.bpmn.importer.scan import enclosing
from bpr.bpmn.importer.state import IN_BPMN, IN_BPR, State
from bpr.bpmn.importer.warnings import describe, warn
from bpr.core.ids import IdMaker
from bpr.core.schema import ID_PATTERN
from bpr.core.text import clean_name

__all__ = ["phase_for", "read_phases"]


def read_phases(st: State) -> None:
    """A phase for every outermost flattened scope; nested ones are reported."""
    ids = IdMaker()
    flattened = {scope for scope, _, _ in st.scopes}
    outermost: dict[str, str] = {}
    for scope, _, _ in st.scopes:
        element = st.nodes[scope].element
        outer = scope
        ancestor = enclosing(st, element)
        while ancestor is not None:
            if ancestor.get("id") in flattened:
                outer = ancestor.get("id")
            ancestor = enclosing(st, ancestor)
        outermost[scope] = outer
    for scope, _, _ in st.scopes:  # in the order of the file: outer ones first
        if outermost[scope] != scope:
            continue
        element = st.nodes[scope].element
        name = clean_name(element.get("name")) or element.get("id")
        ext = element.find(f"{IN_BPMN}extensionElements/{IN_BPR}phase")
        wanted = ext.get("id") if ext is not None else ""
        if wanted and ID_PATTERN.fullmatch(wanted) and ids.claim(wanted):
            ident = wanted
        else:
            ident = ids.make(name, fallback="phase")
        st.phases[ident] = {"name": name, "element": element}
        st.phase_of[scope] = ident
    for scope, outer in outermost.items():
        if outer == scope:
            continue
        st.phase_of[scope] = st.phase_of[outer]
        inner, around = st.nodes[scope].element, st.nodes[outer].element
        warn(
            st,
            f"{describe(inner)} lies inside {describe(around)}; the format's phases do not "
            f"nest: its activities are in the phase '{st.phases[st.phase_of[outer]]['name']}'",
            inner,
        )


def phase_for(st: State, node_id: str) -> str | None:
    """The phase of the steps of a node: that of the innermost flattened scope around it."""
    node = st.nodes.get(node_id)
    element: Any = node.element if node is not None else None
    if element is None:
        return None
    ancestor = enclosing(st, element) if node_id == element.get("id") else element
    while ancestor is not None:
        phase = st.phase_of.get(ancestor.get("id") or "")
        if phase is not None:
            return phase
        ancestor = enclosing(st, ancestor)
    return None
