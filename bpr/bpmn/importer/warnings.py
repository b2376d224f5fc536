"""The import's messages: how an element is named in them, a warning, the refusal of a flow."""

from __future__ import annotations

from typing import Any

from bpr.bpmn.extdata import read_data
from bpr.bpmn.importer.state import State, local
from bpr.bpmn.xml import BpmnError
from bpr.core.schema import ACTOR_FIELDS, DOCUMENT_FIELDS, STEP_FIELDS, TOP_FIELDS
from bpr.core.text import clean_name, for_yaml_comment
from bpr.errors import ModelError, Problem

__all__ = ["bpr_data", "describe", "refused", "warn"]

_FIELDS = {
    "model": TOP_FIELDS,
    "actor": ACTOR_FIELDS,
    "document": DOCUMENT_FIELDS,
    "step": STEP_FIELDS,
}


def warn(st: State, message: str, element: Any = None, line: int = 0) -> None:
    """Report an approximation at the element's line (or at ``line``)."""
    if element is not None:
        line = element.sourceline or 0
    st.warnings.append(Problem(message, st.file, line, 0, "", "warning"))


# Problems of the imported model that come from the file's own flow, not from the import: a
# loop that a case can never leave (also in BPMN, where it never completes), or leaves only
# by a way whose probability is nil.
_THE_FILES_OWN = frozenset({"flow-loop-without-exit", "flow-loop-exit-negligible"})


def bpr_data(st: State, ext: Any, part: str) -> dict[str, Any]:
    """The fields that a ``bpr:data`` element carries for one part of the model (``model``,
    ``actor``, ``document``, ``step``), less those this version of the format does not know
    (written by a later bpr), each reported."""
    data = read_data(ext)
    owner = ext.getparent()
    while owner.getparent() is not None and not (owner.get("id") and "}" in owner.tag):
        owner = owner.getparent()  # the BPMN element the extension belongs to
    for key in [k for k in data if k not in _FIELDS[part]]:
        del data[key]
        warn(
            st,
            f"bpr:data of {describe(owner)} carries the field '{key}', "
            "which this version of bpr's format does not have (the file comes from a later "
            "bpr); left out",
            ext,
        )
    return data


def describe(element: Any) -> str:
    """How a message names an element: its kind, name, id and line."""
    tag = local(element.tag)
    name = clean_name(element.get("name"))
    label = f" '{for_yaml_comment(name, 60)}'" if name else ""
    return f"{tag}{label} (id {element.get('id')}, line {element.sourceline})"


def refused(st: State, exc: ModelError) -> BpmnError:
    """The error for a flow that maps to a model the format refuses, such as a loop that
    no flow leaves (a case could never finish): named by the BPMN element of the step."""
    lines = []
    errors = [p for p in exc.problems if p.is_error]
    for problem in errors:
        where, line = "", 0
        index = problem.path.removeprefix("steps[").partition("]")[0]
        if problem.path.startswith("steps[") and index.isdigit():
            key = st.written[int(index)] if int(index) < len(st.written) else None
            node = st.nodes.get(st.steps[key].node) if key in st.steps else None
            if node is not None and node.element is not None:
                where, line = f"after {describe(node.element)}: ", node.line
        lines.append(f"{st.file}:{line}: {where}{problem.message}")
    fix = (
        "Fix the flow in your BPMN tool (a loop needs a way out to an end event; flows "
        "out of a task without a gateway all run at once)"
    )
    if not errors or any(p.code not in _THE_FILES_OWN for p in errors):
        fix += "; if it is right there, please report it as a bug in bpr with the file attached"
    return BpmnError(
        f"{st.file}: the process cannot be imported as a model of the format:\n"
        + "\n".join(lines or [str(exc)])
        + "\n"
        + fix
    )
