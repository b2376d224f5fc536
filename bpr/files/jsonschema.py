"""A JSON Schema of the model format, built from the field tables of :mod:`bpr.core.schema`."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from bpr.core.schema import (
    ACT_FIELDS,
    ACTOR_FIELDS,
    ARRIVALS_FIELDS,
    BASIS_FIELDS,
    BRANCH_FIELDS,
    DOCUMENT_FIELDS,
    FORMAT_VERSION,
    ID_PATTERN,
    LINT_FIELDS,
    PHASE_FIELDS,
    STEP_FIELDS,
    TOP_FIELDS,
)
from bpr.core.vocab import (
    ACT_KINDS,
    ACTOR_KINDS,
    APPLICANT_TYPES,
    CHANNELS,
    DOCUMENT_KINDS,
    FEE_KINDS,
    LANGUAGES,
)

__all__ = ["SCHEMA_FILE", "SCHEMA_ID", "json_schema", "schema_text", "shipped_schema_text"]

#: The schema's ``$id``: a name, not an address that is fetched.
SCHEMA_ID = f"urn:bpr:model-format:{FORMAT_VERSION}"
#: Where the package ships the schema (inside the ``bpr`` package).
SCHEMA_FILE = "data/model.schema.json"

_ID = "^" + ID_PATTERN.pattern + "$"
_ID_DESCRIPTION = "Letters, digits, '_' and '-'."
# A number with a unit (30m, 2h, 1.5d, 1w), optionally several summed (1h 30m).
_FIXED = r"\s*(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*[mhdw]\s*)+"
_DURATION_PATTERN = f"^{_FIXED}(?:\\.\\.{_FIXED})?$"


def _described(schema: dict[str, Any], description: str) -> dict[str, Any]:
    if "$ref" in schema:  # draft-07 ignores the siblings of a $ref: wrap it
        return {"description": description, "allOf": [schema]}
    return {"description": description, **schema}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """An optional key may be left empty (``name:``): the loader reads that as absent.

    Null joins the ``type`` (or ``enum``, or ``anyOf``) where it can, rather than wrapping the
    schema: validators and editors then name the precise mistake instead of "not valid under
    any of the given schemas".
    """
    if "anyOf" in schema:
        return {**schema, "anyOf": [*schema["anyOf"], {"type": "null"}]}
    if "const" in schema:
        rest = {k: v for k, v in schema.items() if k != "const"}
        return {**rest, "enum": [schema["const"], None]}
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        return {**schema, "type": [*types, "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


# The loader reads what YAML takes for a number or yes/no as the text it was written as, so
# text and ids accept those YAML types too.
_TEXT: dict[str, Any] = {"type": ["string", "number", "boolean"]}
_IDENT: dict[str, Any] = {
    "anyOf": [{"type": "string", "pattern": _ID}, {"type": ["integer", "boolean"]}]
}
_ID_TEXT: dict[str, Any] = {"type": "string", "pattern": _ID}
# A single id stands for a list of one, where it is written as text.
_ID_LIST: dict[str, Any] = {
    "anyOf": [_ID_TEXT, {"type": "array", "items": {"$ref": "#/definitions/id"}}]
}
_AMOUNT: dict[str, Any] = {"type": "number", "minimum": 0}
# A name in one language, or a mapping of language codes to text.
_NAME: dict[str, Any] = {
    "anyOf": [
        _TEXT,
        {
            "type": "object",
            "description": "The name in several languages: {ru: ..., uz: ..., en: ...}.",
            "propertyNames": {"enum": list(LANGUAGES)},
            "additionalProperties": _TEXT,
            "minProperties": 1,
        },
    ]
}
_DATE: dict[str, Any] = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}


def _object(
    fields: dict[str, tuple[bool, str]],
    types: dict[str, dict[str, Any]],
    title: str,
    description: str,
) -> dict[str, Any]:
    """An object whose keys are those of a field table; ``x-`` keys are the analyst's own."""
    missing = set(fields) ^ set(types)
    if missing:  # pragma: no cover - a guard for whoever adds a key to bpr.schema
        raise AssertionError(f"bpr.jsonschema lacks the type of: {', '.join(sorted(missing))}")
    return {
        "title": title,
        "description": description,
        "type": "object",
        "properties": {key: _described(types[key], text) for key, (_, text) in fields.items()},
        "required": [key for key, (required, _) in fields.items() if required],
        "patternProperties": {"^x-": {"description": "The analyst's own key; bpr ignores it."}},
        "additionalProperties": False,
    }


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft-07) of a model file, for editors and validators.

    Every key carries its description from :mod:`bpr.core.schema`; the schema accepts what the
    loader accepts (the flow rules, such as choices adding up to 1, are left to ``bpr validate``).

    >>> schema = json_schema()
    >>> schema["required"]
    ['bpr', 'service', 'variant', 'actors', 'steps']
    >>> schema["properties"]["volume"]["description"]
    'Cases per year, for the yearly figures.'
    """
    duration = {
        "anyOf": [
            {
                "type": "string",
                "pattern": _DURATION_PATTERN,
                "examples": ["30m", "2h", "5d", "2d..5d"],
            },
            {"const": 0},
            {
                "type": "object",
                "description": "A triangular duration: {min: 2d, mode: 3d, max: 9d}.",
                "properties": {
                    k: {"$ref": "#/definitions/fixedDuration"} for k in ("min", "mode", "max")
                },
                "required": ["min", "max"],
                "additionalProperties": False,
            },
            {"type": "null"},
        ]
    }
    actor = _object(
        ACTOR_FIELDS,
        {
            "name": _NAME,
            "kind": {"enum": list(ACTOR_KINDS)},
            "agency": _nullable(_TEXT),
            "registry": _nullable({"type": "boolean"}),
            "staff": _nullable({"type": "integer", "minimum": 1}),
            "hours": _nullable({"type": "string", "examples": ["Mon-Fri 09:00-18:00", "always"]}),
        },
        "Actor",
        "Who performs steps: the applicant, or staff of an agency.",
    )
    document = _object(
        DOCUMENT_FIELDS,
        {
            "name": _NAME,
            "issuer": _nullable({"$ref": "#/definitions/id"}),
            "exchange": {"type": "boolean", "default": False},
            "kind": _nullable({"enum": list(DOCUMENT_KINDS)}),
            "basis": _nullable({"$ref": "#/definitions/basis"}),
        },
        "Document",
        "What steps need and produce; with an issuer it is a certificate of that actor.",
    )
    document["if"] = {"properties": {"exchange": {"const": True}}, "required": ["exchange"]}
    document["then"] = {
        "required": ["issuer"],
        "properties": {"issuer": {"$ref": "#/definitions/id"}},
    }
    branch = _object(
        BRANCH_FIELDS,
        {
            "to": {"$ref": "#/definitions/id"},
            "p": _nullable({"type": "number", "minimum": 0, "maximum": 1}),
            "when": _nullable(_NAME),
        },
        "Branch",
        "One way out of a choice: the next step (or end), its probability and its label.",
    )
    parallel = {
        "title": "Parallel split",
        "description": "Every branch runs; the step where they meet has join: all.",
        "type": "object",
        "properties": {
            "all": {
                "description": "Ids of the first step of each branch.",
                "type": "array",
                "minItems": 1,
                "items": {"$ref": "#/definitions/id"},
            }
        },
        "required": ["all"],
        "additionalProperties": False,
    }
    step = _object(
        STEP_FIELDS,
        {
            "id": {"allOf": [{"$ref": "#/definitions/id"}, {"not": {"const": "end"}}]},
            "actor": {"$ref": "#/definitions/id"},
            "name": _nullable(_NAME),
            "channel": {"enum": list(CHANNELS), "default": "internal"},
            "work": {"$ref": "#/definitions/duration"},
            "wait": {"$ref": "#/definitions/duration"},
            "fee": _nullable(_AMOUNT),
            "needs": _nullable(_ID_LIST),
            "produces": _nullable(_ID_LIST),
            "next": {
                "anyOf": [
                    {"$ref": "#/definitions/id"},
                    {
                        "type": "array",
                        "description": "An exclusive choice: the case takes one branch.",
                        "minItems": 1,
                        "items": {"anyOf": [_ID_TEXT, {"$ref": "#/definitions/branch"}]},
                    },
                    {"$ref": "#/definitions/parallel"},
                    {"type": "null"},
                ]
            },
            "join": _nullable({"const": "all"}),
            "replaces": _nullable(_ID_LIST),
            "fee_kind": _nullable({"enum": list(FEE_KINDS), "default": "charge"}),
            "travel": {"$ref": "#/definitions/duration"},
            "queue": {"$ref": "#/definitions/duration"},
            "phase": _nullable({"$ref": "#/definitions/id"}),
            "basis": _nullable({"$ref": "#/definitions/basis"}),
        },
        "Step",
        "One step of the process, performed by one actor over one channel.",
    )
    ignored_rule = {
        "anyOf": [
            _TEXT,
            {
                "type": "object",
                "properties": {
                    "rule": _described(_TEXT, "Id of the rule."),
                    "reason": _described(_TEXT, "Why the rule does not apply here."),
                },
                "required": ["rule"],
            },
        ]
    }
    lint = _object(
        LINT_FIELDS,
        {
            "ignore": _nullable(
                {"anyOf": [ignored_rule, {"type": "array", "items": ignored_rule}]}
            ),
        },
        "Lint settings",
        "Settings of bpr lint for this file.",
    )
    act = _object(
        ACT_FIELDS,
        {
            "title": _NAME,
            "number": _nullable(_TEXT),
            "date": _nullable(_DATE),
            "kind": _nullable({"enum": list(ACT_KINDS)}),
        },
        "Act",
        "A legal act that provisions of the service stand in.",
    )
    provision = _object(
        BASIS_FIELDS,
        {"act": {"$ref": "#/definitions/id"}, "article": _nullable(_TEXT)},
        "Provision",
        "An act and, where one is named, its article.",
    )
    basis = {
        "description": "Provisions: {act, article} mappings or bare act ids.",
        "anyOf": [
            _ID_TEXT,
            {"$ref": "#/definitions/provision"},
            {
                "type": "array",
                "items": {"anyOf": [_ID_TEXT, {"$ref": "#/definitions/provision"}]},
            },
        ],
    }
    phase = _object(PHASE_FIELDS, {"name": _NAME}, "Phase", "A phase of the service.")
    weights = {"type": "array", "items": {"type": "number", "minimum": 0}}
    arrivals_pattern = _object(
        ARRIVALS_FIELDS,
        {
            "months": _nullable({**weights, "minItems": 12, "maxItems": 12}),
            "weekdays": _nullable({**weights, "minItems": 7, "maxItems": 7}),
        },
        "Arrival pattern",
        "Relative weights of the months and weekdays at which cases arrive.",
    )
    top = _object(
        TOP_FIELDS,
        {
            "bpr": {"const": FORMAT_VERSION},
            "service": {"$ref": "#/definitions/id"},
            "variant": {
                "anyOf": [{"type": "string", "pattern": "\\S"}, {"type": ["number", "boolean"]}],
                "examples": ["as-is", "to-be"],
            },
            "name": _nullable(_NAME),
            "maturity": _nullable({"type": "integer", "minimum": 1, "maximum": 4}),
            "volume": _nullable(_AMOUNT),
            "currency": _nullable(_TEXT),
            "tariff": _nullable(_AMOUNT),
            "sources": _nullable(
                {"anyOf": [{"type": "string"}, {"type": "array", "items": _TEXT}]}
            ),
            "actors": {
                "type": "object",
                "minProperties": 1,
                "propertyNames": {"pattern": _ID},
                "additionalProperties": {"$ref": "#/definitions/actor"},
            },
            "documents": _nullable(
                {
                    "type": "object",
                    "propertyNames": {"pattern": _ID},
                    "additionalProperties": {"$ref": "#/definitions/document"},
                }
            ),
            "steps": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/step"}},
            "lint": _nullable({"$ref": "#/definitions/lint"}),
            "language": _nullable({"enum": list(LANGUAGES), "default": "en"}),
            "phases": _nullable(
                {
                    "type": "object",
                    "propertyNames": {"pattern": _ID},
                    "additionalProperties": {"anyOf": [_TEXT, {"$ref": "#/definitions/phase"}]},
                }
            ),
            "acts": _nullable(
                {
                    "type": "object",
                    "propertyNames": {"pattern": _ID},
                    "additionalProperties": {"$ref": "#/definitions/act"},
                }
            ),
            "basis": _nullable({"$ref": "#/definitions/basis"}),
            "travel": {"$ref": "#/definitions/duration"},
            "queue": {"$ref": "#/definitions/duration"},
            "staff_tariff": _nullable(_AMOUNT),
            "uptake": _nullable({"type": "number", "minimum": 0, "maximum": 1}),
            "owner": _nullable(_TEXT),
            "applicants": _nullable({"enum": list(APPLICANT_TYPES)}),
            "result": _nullable(_TEXT),
            "deadline": {"$ref": "#/definitions/duration"},
            "register_id": _nullable(_TEXT),
            "arrivals": _nullable(
                {
                    "anyOf": [
                        {"enum": ["uniform", "office-hours"]},
                        {"$ref": "#/definitions/arrivals"},
                    ]
                }
            ),
            "holidays": _nullable({"type": "array", "items": _DATE}),
        },
        "bpr process model",
        "One variant (As-Is or To-Be) of one public service, in the bpr model format "
        f"version {FORMAT_VERSION}.",
    )
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_ID,
        **top,
        "definitions": {
            "id": {
                **_IDENT,
                "description": _ID_DESCRIPTION,
            },
            "duration": {
                **duration,
                "description": "A number and a unit (m, h, d, w), a range 2d..5d, or "
                "{min, mode, max}.",
            },
            "fixedDuration": {
                "type": "string",
                "pattern": f"^{_FIXED}$",
                "description": "A number and a unit: 30m, 2h, 5d or 1w.",
            },
            "actor": actor,
            "document": document,
            "step": step,
            "branch": branch,
            "parallel": parallel,
            "lint": lint,
            "act": act,
            "provision": provision,
            "basis": basis,
            "phase": phase,
            "arrivals": arrivals_pattern,
        },
    }


def schema_text() -> str:
    """The schema as the JSON text that ``bpr schema`` prints and the package ships."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def shipped_schema_text() -> str:
    """The schema file shipped inside the package (``bpr/data/model.schema.json``)."""
    return resources.files("bpr").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
