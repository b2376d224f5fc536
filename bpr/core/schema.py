"""The keys of the model format and what each one means: one table for the loader and the docs."""

from __future__ import annotations

import re

from bpr.core.vocab import (
    ACT_KINDS,
    ACTOR_KINDS,
    APPLICANT_TYPES,
    CHANNELS,
    DOCUMENT_KINDS,
    FEE_KINDS,
    LANGUAGES,
)

__all__ = [
    "ACTOR_FIELDS",
    "ACTOR_KINDS",
    "ACT_FIELDS",
    "ARRIVALS_FIELDS",
    "BASIS_FIELDS",
    "BRANCH_FIELDS",
    "CHANNELS",
    "DOCUMENT_FIELDS",
    "FORMAT_VERSION",
    "ID_PATTERN",
    "LINT_FIELDS",
    "PHASE_FIELDS",
    "STEP_FIELDS",
    "TOP_FIELDS",
    "is_extension_key",
]

#: The version of the format this release reads and writes (the ``bpr:`` key).
FORMAT_VERSION = 1

#: Ids of services, actors, documents and steps: letters, digits, ``_`` and ``-``.
ID_PATTERN = re.compile(r"[A-Za-z0-9_-]+")

# Each table maps a key to (required, description). The descriptions feed the JSON Schema and
# the format reference; keep them one sentence.
TOP_FIELDS: dict[str, tuple[bool, str]] = {
    "bpr": (True, "Format version: the integer 1."),
    "service": (True, "Id of the service; the variants of one service share it."),
    "variant": (True, "Which variant this file is: as-is, to-be, or a label such as to-be-2030."),
    "name": (False, "Title of the variant, shown on diagrams and reports."),
    "maturity": (False, "UN e-service maturity stage, 1 (information) to 4 (proactive)."),
    "volume": (False, "Cases per year, for the yearly figures."),
    "currency": (False, "Currency of fees and the tariff, such as UZS."),
    "tariff": (False, "Value of one hour of the applicant's time, in the currency."),
    "sources": (False, "Where the facts come from: a list of text."),
    "actors": (True, "Who performs steps: a mapping of actor id to actor."),
    "documents": (False, "What steps need and produce: a mapping of document id to document."),
    "steps": (True, "The steps in order; a case starts at the first."),
    "lint": (False, "Settings of bpr lint for this file, such as {ignore: [rule-id]}."),
    "language": (False, f"Language of the file's plain-text names: {', '.join(LANGUAGES)}."),
    "phases": (False, "Phases of the service in order: a mapping of phase id to {name}."),
    "acts": (False, "Legal acts the provisions stand in: a mapping of act id to act."),
    "basis": (False, "The provisions the service stands on: {act, article} or act ids."),
    "travel": (False, "The applicant's trip to an office, for each in-person step."),
    "queue": (False, "The applicant's wait at an office, for each in-person step."),
    "staff_tariff": (False, "Cost of one staff hour, in the currency."),
    "uptake": (False, "In a To-Be: the share, 0 to 1, of cases that use it (default 1)."),
    "owner": (False, "Service passport: the agency that owns the service."),
    "applicants": (False, f"Service passport: who applies: {', '.join(APPLICANT_TYPES)}."),
    "result": (False, "Service passport: what the applicant gets."),
    "deadline": (False, "Service passport: the legal deadline, such as 15d."),
    "register_id": (False, "Service passport: the id in the register of public services."),
    "arrivals": (
        False,
        "How cases arrive: uniform (default), office-hours, or {months: [12], weekdays: [7]}.",
    ),
    "holidays": (False, "Dates (YYYY-MM-DD) on which no actor with hours works."),
}

ACTOR_FIELDS: dict[str, tuple[bool, str]] = {
    "name": (True, "Name of the actor."),
    "kind": (
        False,
        "applicant (the citizen or business), staff (default) or system (an information system).",
    ),
    "agency": (False, "The organisation the actor belongs to."),
    "registry": (
        False,
        "true where its agency keeps a register other agencies can query; false where not.",
    ),
    "staff": (False, "How many people (desks) perform its steps at once; default unlimited."),
    "hours": (False, "When it works, such as Mon-Fri 09:00-18:00; default always."),
}

DOCUMENT_FIELDS: dict[str, tuple[bool, str]] = {
    "name": (True, "Name of the document."),
    "issuer": (False, "Id of the actor whose agency issues it: it is then a certificate."),
    "exchange": (
        False,
        "true where the agency that needs it pulls it from the issuer's registry (once-only).",
    ),
    "kind": (
        False,
        f"{', '.join(DOCUMENT_KINDS)}; default certificate with an issuer, else form.",
    ),
    "basis": (False, "The provisions that require it: {act, article} or act ids."),
}

STEP_FIELDS: dict[str, tuple[bool, str]] = {
    "id": (True, "Id of the step."),
    "actor": (True, "Id of the actor who performs it."),
    "name": (False, "Name of the step (default: the id)."),
    "channel": (False, f"{', '.join(CHANNELS[:-1])} or {CHANNELS[-1]} (default)."),
    "work": (False, "Hands-on time of the actor, such as 30m, 2h, 1d or 2d..5d."),
    "wait": (False, "Elapsed time the case waits at this step."),
    "fee": (False, "Money the applicant pays at this step."),
    "needs": (False, "Ids of the documents the step needs."),
    "produces": (False, "Ids of the documents the step produces."),
    "next": (False, "Where the case goes next: a step id, end, a choice list, or {all: [...]}."),
    "join": (False, "all: the step waits for every branch of the parallel split before it."),
    "replaces": (False, "In a To-Be: ids of As-Is steps this step replaces or merges."),
    "fee_kind": (False, f"{' or '.join(FEE_KINDS)}: a state duty, tax or fine, or a price."),
    "travel": (False, "The applicant's trip to the office of this in-person step."),
    "queue": (False, "The applicant's wait at the office of this in-person step."),
    "phase": (False, "Id of the phase the step belongs to."),
    "basis": (False, "The provisions that impose the step: {act, article} or act ids."),
}

BRANCH_FIELDS: dict[str, tuple[bool, str]] = {
    "to": (True, "Id of the next step, or end."),
    "p": (False, "Probability of the branch; the branches of a choice add up to 1."),
    "when": (False, "Label of the branch, such as complete or incomplete."),
}

ACT_FIELDS: dict[str, tuple[bool, str]] = {
    "title": (True, "Title of the act."),
    "number": (False, "Its number, such as 106 or PP-1889."),
    "date": (False, "Its date, YYYY-MM-DD."),
    "kind": (False, f"{', '.join(ACT_KINDS)}."),
}

PHASE_FIELDS: dict[str, tuple[bool, str]] = {
    "name": (True, "Name of the phase."),
}

BASIS_FIELDS: dict[str, tuple[bool, str]] = {
    "act": (True, "Id of the act."),
    "article": (False, "The article, paragraph or point of the act."),
}

ARRIVALS_FIELDS: dict[str, tuple[bool, str]] = {
    "months": (False, "12 relative weights of the months, January first."),
    "weekdays": (False, "7 relative weights of the weekdays, Monday first."),
}

LINT_FIELDS: dict[str, tuple[bool, str]] = {
    "ignore": (False, "Rules switched off for this file: rule ids, or {rule, reason} mappings."),
}


def is_extension_key(key: object) -> bool:
    """Keys starting with ``x-`` are the analyst's own and are kept out of validation."""
    return isinstance(key, str) and key.startswith("x-")
