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
    "ACT_KINDS",
    "APPLICANT",
    "APPLICANT_TYPES",
    "CHANNELS",
    "DEFAULT_ACTOR_KIND",
    "DEFAULT_CHANNEL",
    "DEFAULT_FEE_KIND",
    "DEFAULT_LANGUAGE",
    "DOCUMENT_KINDS",
    "FEE_KINDS",
    "FLOW_KINDS",
    "LANGUAGES",
    "PROBLEM_SEVERITIES",
    "SEVERITIES",
    "SYSTEM",
    "ActKind",
    "ActorKind",
    "ApplicantType",
    "Channel",
    "DocumentKind",
    "FeeKind",
    "FlowKind",
    "Language",
    "ProblemSeverity",
    "Severity",
    "is_act_kind",
    "is_actor_kind",
    "is_applicant_type",
    "is_channel",
    "is_document_kind",
    "is_fee_kind",
    "is_language",
]

#: How a step reaches the applicant (or not): ``internal`` is the default.
Channel = Literal["in-person", "online", "phone", "post", "automatic", "internal"]
#: Who an actor is: the citizen or business that applies, staff of an agency (default), or
#: an information system (its steps are automatic work, not staff time).
ActorKind = Literal["applicant", "staff", "system"]
#: What a document is; words bpr writes follow the kind (a receipt is never a certificate).
DocumentKind = Literal[
    "certificate",
    "form",
    "receipt",
    "identity",
    "contract",
    "decision",
    "permit",
    "object",
    "other",
]
#: What a fee is: a state duty, tax or fine (a financial cost) or the price of a service the
#: applicant must buy (an administrative cost under the Standard Cost Model; the default).
FeeKind = Literal["duty", "charge"]
#: What kind of legal act a provision stands in.
ActKind = Literal["law", "code", "decree", "resolution", "order", "regulation", "other"]
#: The languages bpr's users write in (BCP 47 tags).
Language = Literal["en", "ru", "uz", "uz-Cyrl", "az", "kk"]
#: Who applies for a service (the service passport).
ApplicantType = Literal["citizen", "business", "both"]
#: Where a case goes after a step: one way, one of several, or all of several at once.
FlowKind = Literal["sequence", "choice", "parallel"]
#: How bad a problem in an input file is.
ProblemSeverity = Literal["error", "warning"]
#: How bad a finding is (``bpr lint``): the problem severities and ``info``.
Severity = Literal["error", "warning", "info"]

CHANNELS: tuple[Channel, ...] = get_args(Channel)
ACTOR_KINDS: tuple[ActorKind, ...] = get_args(ActorKind)
FLOW_KINDS: tuple[FlowKind, ...] = get_args(FlowKind)
DOCUMENT_KINDS: tuple[DocumentKind, ...] = get_args(DocumentKind)
FEE_KINDS: tuple[FeeKind, ...] = get_args(FeeKind)
ACT_KINDS: tuple[ActKind, ...] = get_args(ActKind)
LANGUAGES: tuple[Language, ...] = get_args(Language)
APPLICANT_TYPES: tuple[ApplicantType, ...] = get_args(ApplicantType)
PROBLEM_SEVERITIES: tuple[ProblemSeverity, ...] = get_args(ProblemSeverity)
SEVERITIES: tuple[Severity, ...] = get_args(Severity)

DEFAULT_CHANNEL: Channel = "internal"
DEFAULT_ACTOR_KIND: ActorKind = "staff"
#: The actor kind of the citizen or business that applies.
APPLICANT: ActorKind = "applicant"
#: The actor kind of an information system.
SYSTEM: ActorKind = "system"
DEFAULT_FEE_KIND: FeeKind = "charge"
DEFAULT_LANGUAGE: Language = "en"


def is_channel(value: object) -> TypeGuard[Channel]:
    """Whether ``value`` is one of :data:`CHANNELS`."""
    return isinstance(value, str) and value in CHANNELS


def is_document_kind(value: object) -> TypeGuard[DocumentKind]:
    """Whether ``value`` is one of :data:`DOCUMENT_KINDS`."""
    return isinstance(value, str) and value in DOCUMENT_KINDS


def is_fee_kind(value: object) -> TypeGuard[FeeKind]:
    """Whether ``value`` is one of :data:`FEE_KINDS`."""
    return isinstance(value, str) and value in FEE_KINDS


def is_act_kind(value: object) -> TypeGuard[ActKind]:
    """Whether ``value`` is one of :data:`ACT_KINDS`."""
    return isinstance(value, str) and value in ACT_KINDS


def is_language(value: object) -> TypeGuard[Language]:
    """Whether ``value`` is one of :data:`LANGUAGES`."""
    return isinstance(value, str) and value in LANGUAGES


def is_applicant_type(value: object) -> TypeGuard[ApplicantType]:
    """Whether ``value`` is one of :data:`APPLICANT_TYPES`."""
    return isinstance(value, str) and value in APPLICANT_TYPES


def is_actor_kind(value: object) -> TypeGuard[ActorKind]:
    """Whether ``value`` is one of :data:`ACTOR_KINDS`."""
    return isinstance(value, str) and value in ACTOR_KINDS
