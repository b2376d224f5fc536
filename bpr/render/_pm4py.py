"""The pm4py view of a model: pm4py's BPMN object, drawn by pm4py's BPMN visualiser."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from typing import Any

from bpr.backend.graphviz import run_graphviz
from bpr.core.model import Model
from bpr.core.text import for_graphviz, one_line
from bpr.errors import DependencyError
from bpr.layout.content import diagram_net
from bpr.layout.engine import edge_text
from bpr.render._draw import flow_text
from bpr.render._output import DEFAULT_DPI

__all__ = ["pm4py_picture", "to_pm4py_bpmn"]


def _bpmn_id(node_id: str) -> str:
    """An XML-safe id for a flow-net node (step ids may start with a digit or a hyphen)."""
    kind, _, rest = node_id.partition(":")
    return f"{kind}_{rest}" if rest else f"task_{node_id}"


def to_pm4py_bpmn(model: Model, *, name: Callable[[str], str] = str) -> Any:
    """The model as ``pm4py.objects.bpmn.obj.BPMN``: tasks, gateways, events, sequence flows.

    Node ids are ``task_<step>``, ``xor_<step>``, ``split_<step>``, ``join_<step>``,
    ``event_start`` and ``event_end``; ``name`` transforms every name (the visualiser escapes
    them with it).

    >>> import bpr
    >>> bpmn = to_pm4py_bpmn(bpr.load("tests/data/contract-example.yaml"))  # doctest: +SKIP
    >>> len(bpmn.get_nodes()), len(bpmn.get_flows())  # doctest: +SKIP
    (13, 13)
    """
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            from pm4py.objects.bpmn.obj import BPMN  # its first import prints a banner
    except ImportError:
        raise DependencyError("pm4py", "the pm4py view (--engine pm4py)", "mining") from None

    process = f"process_{model.service}_{model.variant}"
    bpmn = BPMN(process_id=process, name=name(one_line(model.title)))
    net = diagram_net(model)  # the events named in the output language
    nodes: dict[str, Any] = {}
    for node in net.nodes:
        bpmn_id = _bpmn_id(node.id)
        if node.kind == "start":
            obj: Any = BPMN.NormalStartEvent(id=bpmn_id, name=name(node.label), process=process)
        elif node.kind == "end":
            obj = BPMN.NormalEndEvent(id=bpmn_id, name=name(node.label), process=process)
        elif node.kind == "task":
            obj = BPMN.Task(id=bpmn_id, name=name(one_line(node.label)), process=process)
        elif node.kind in ("xor", "merge"):
            obj = BPMN.ExclusiveGateway(
                id=bpmn_id,
                gateway_direction=BPMN.Gateway.Direction.DIVERGING
                if node.kind == "xor"
                else BPMN.Gateway.Direction.CONVERGING,
                process=process,
            )
        else:
            direction = (
                BPMN.Gateway.Direction.CONVERGING
                if node.kind == "and-join"
                else BPMN.Gateway.Direction.DIVERGING
            )
            obj = BPMN.ParallelGateway(id=bpmn_id, gateway_direction=direction, process=process)
        nodes[node.id] = obj
        bpmn.add_node(obj)
    for index, edge in enumerate(net.edges):
        label = ""
        if edge.label or edge.p is not None:
            label = name(flow_text(edge_text(edge), edge.p))
        flow = BPMN.SequenceFlow(
            nodes[edge.source], nodes[edge.target], id=f"flow_{index}", name=label, process=process
        )
        bpmn.add_flow(flow)
    return bpmn


def pm4py_picture(model: Model, fmt: str, dpi: float | None = None) -> bytes:
    """pm4py's BPMN drawing of the model in ``svg``, ``png``, ``pdf`` or ``dot``."""
    import graphviz

    def safe(text: str) -> str:
        # Backslashes and <...> keep their plain meaning in the DOT that pm4py writes.
        return str(graphviz.escape(one_line(text)))

    bpmn = to_pm4py_bpmn(model, name=safe)
    from pm4py.visualization.bpmn import visualizer

    gviz = visualizer.apply(
        bpmn,
        parameters={
            "format": "svg" if fmt == "dot" else fmt,
            "graph_title": for_graphviz(model.title),
            "enable_graph_title": True,
        },
    )
    gviz.attr(fontname="DejaVu Sans")
    gviz.node_attr["fontname"] = "DejaVu Sans"
    source = str(gviz.source)
    if fmt == "dot":
        return source.encode("utf-8")
    args = [f"-T{fmt}"]
    if fmt == "png":
        args.append(f"-Gdpi={dpi or DEFAULT_DPI:g}")
    return run_graphviz("dot", args, source)
