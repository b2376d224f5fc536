"""Lanes, positions and routes of a process diagram, shared by the drawings and the BPMN
export's diagram, and the content of each task box."""

from bpr.layout.engine import (
    EVENT_SIZE,
    GATEWAY_SIZE,
    MAX_STEPS,
    TASK_HEIGHT,
    TASK_WIDTH,
    DiagramTooLarge,
    EdgeRoute,
    GroupBox,
    LaneBox,
    Layout,
    NodeBox,
    Rect,
    check_size,
    edge_text,
    lane_order,
    layout_model,
)

__all__ = [
    "EVENT_SIZE",
    "GATEWAY_SIZE",
    "MAX_STEPS",
    "TASK_HEIGHT",
    "TASK_WIDTH",
    "DiagramTooLarge",
    "EdgeRoute",
    "GroupBox",
    "LaneBox",
    "Layout",
    "NodeBox",
    "Rect",
    "check_size",
    "edge_text",
    "lane_order",
    "layout_model",
]
