"""The closed vocabularies of the format: channels, actor kinds, flow kinds, severities.

Each is a :data:`typing.Literal` alias, so that the type checker knows the valid values, and
a tuple of those values derived from it, so that the loader, the JSON Schema and the docs
list them in one order. The values stay plain ``str``: the JSON, the YAML and the diagrams
hold them as text.

>>> CHANNELS
('in-person', 'online', 'phone', 'post', 'automatic', 'internal')
>>> is_channel("online"), is_channel("fax")
(True, False)
"""

from __future__ import annotations

from typing import Literal, TypeGuard, get_args

__all__ = [
    "ACTOR_KINDS",
    "APPLICANT",
    "CHANNELS",
    "DEFAULT_ACTOR_KIND",
    "DEFAULT_CHANNEL",
    "FLOW_KINDS",
    "PROBLEM_SEVERITIES",
    "SEVERITIES",
    "ActorKind",
    "Channel",
    "FlowKind",
    "ProblemSeverity",
    "Severity",
    "is_actor_kind",
    "is_channel",
]

#: How a step reaches the applicant (or not): ``internal`` is the default.
Channel = Literal["in-person", "online", "phone", "post", "automatic", "internal"]
#: Who an actor is: the citizen or business that applies, or staff of an agency (default).
ActorKind = Literal["applicant", "staff"]
#: Where a case goes after a step: one way, one of several, or all of several at once.
FlowKind = Literal["sequence", "choice", "parallel"]
#: How bad a problem in an input file is.
ProblemSeverity = Literal["error", "warning"]
#: How bad a finding is (``bpr lint``): the problem severities and ``info``.
Severity = Literal["error", "warning", "info"]

CHANNELS: tuple[Channel, ...] = get_args(Channel)
ACTOR_KINDS: tuple[ActorKind, ...] = get_args(ActorKind)
FLOW_KINDS: tuple[FlowKind, ...] = get_args(FlowKind)
PROBLEM_SEVERITIES: tuple[ProblemSeverity, ...] = get_args(ProblemSeverity)
SEVERITIES: tuple[Severity, ...] = get_args(Severity)

DEFAULT_CHANNEL: Channel = "internal"
DEFAULT_ACTOR_KIND: ActorKind = "staff"
#: The actor kind of the citizen or business that applies.
APPLICANT: ActorKind = "applicant"


def is_channel(value: object) -> TypeGuard[Channel]:
    """Whether ``value`` is one of :data:`CHANNELS`."""
    return isinstance(value, str) and value in CHANNELS


def is_actor_kind(value: object) -> TypeGuard[ActorKind]:
    """Whether ``value`` is one of :data:`ACTOR_KINDS`."""
    return isinstance(value, str) and value in ACTOR_KINDS
