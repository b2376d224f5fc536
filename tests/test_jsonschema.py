"""The JSON Schema of the format: shipped as generated, accepts what the loader accepts."""

from __future__ import annotations

import datetime
import doctest
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

import bpr
import bpr.files.jsonschema as module
from bpr.core.schema import (
    ACTOR_FIELDS,
    BRANCH_FIELDS,
    DOCUMENT_FIELDS,
    LINT_FIELDS,
    STEP_FIELDS,
    TOP_FIELDS,
)
from bpr.files.jsonschema import json_schema, schema_text, shipped_schema_text
from tests.conftest import DATA, MODELS

VALIDATOR = jsonschema.Draft7Validator(json_schema())

HEAD = "bpr: 1\nservice: s\nvariant: as-is\nactors: {a: {name: A}}\n"


def errors(data: Any) -> list[str]:
    return [e.message for e in VALIDATOR.iter_errors(data)]


def test_the_shipped_file_is_the_generated_schema() -> None:
    # refresh with: bpr schema -o bpr/data/model.schema.json
    assert shipped_schema_text() == schema_text()
    assert (Path(bpr.__file__).parent / "data" / "model.schema.json").read_text(
        encoding="utf-8"
    ) == schema_text()


def test_it_is_a_valid_draft_7_schema() -> None:
    jsonschema.Draft7Validator.check_schema(json_schema())


def model_files() -> list[Path]:
    return sorted([*MODELS.glob("**/*.yaml"), *DATA.glob("**/*.yaml"), *DATA.glob("**/*.yml")])


def as_editors_read(data: Any) -> Any:
    """YAML as editors' schema checkers read it (YAML 1.2: a date is text, not a date)."""
    if isinstance(data, dict):
        return {k: as_editors_read(v) for k, v in data.items()}
    if isinstance(data, list):
        return [as_editors_read(v) for v in data]
    if isinstance(data, datetime.date):
        return data.isoformat()
    return data


def test_every_valid_model_file_in_the_repository_validates() -> None:
    checked = 0
    for path in model_files():
        try:
            bpr.load(path)
        except bpr.ModelError:
            continue  # deliberately broken test files
        data = as_editors_read(yaml.safe_load(path.read_bytes()))
        assert errors(data) == [], path
        checked += 1
    assert checked >= 12


def test_a_model_the_loader_refuses_is_refused_by_the_schema_too() -> None:
    data = yaml.safe_load((DATA / "report" / "broken" / "beta-to-be-2031.yaml").read_text())
    data["steps"][0]["chanel"] = "online"
    assert any("chanel" in e for e in errors(data))


# Variations the loader accepts: the schema must accept each one as well.
ACCEPTED = [
    "steps: [{id: x, actor: a}]",
    "steps: [{id: x, actor: a, work: 30m, wait: 2d..5d}]",
    "steps: [{id: x, actor: a, work: 1h 30m, wait: {min: 1d, mode: 2d, max: 6d}}]",
    "steps: [{id: x, actor: a, work: 0, wait: 1.5w, fee: 12.5}]",
    "steps: [{id: x, actor: a, work: , wait: , fee: , name: , next: , join: }]",
    "steps: [{id: x, actor: a, next: end}]",
    "steps: [{id: x, actor: a, next: [{to: x, p: 0.2}, {to: end, when: done}]}, ]",
    "steps: [{id: x, actor: a, next: [x, end]}]",
    "steps: [{id: x, actor: a, next: {all: [y, z]}}, {id: y, actor: a, next: w},"
    " {id: z, actor: a}, {id: w, actor: a, join: all}]",
    "documents: {d: {name: D, issuer: a, exchange: true}, e: {name: E, issuer: }}\n"
    "steps: [{id: x, actor: a, needs: d, produces: [e]}]",
    "steps: [{id: x, actor: a, replaces: old}]",
    "steps: [{id: x, actor: a, replaces: [old, older]}]",
    "name: 2030\ncurrency: 1\nvolume: 0\ntariff: 3.5\nmaturity: 4\nsources: one text\n"
    "steps: [{id: x, actor: a}]",
    "sources: [one, 2]\nsteps: [{id: 1, actor: a, name: 5}]",
    "lint: {ignore: [rule-a, {rule: rule-b, reason: because}]}\nsteps: [{id: x, actor: a}]",
    "lint: {ignore: rule-a}\nsteps: [{id: x, actor: a}]",
    "x-owner: the analyst\nsteps: [{id: x, actor: a, x-note: checked}]",
    "name:\nmaturity:\nvolume:\ndocuments:\nlint:\nsteps: [{id: x, actor: a}]",
]


@pytest.mark.parametrize("body", ACCEPTED)
def test_what_the_loader_accepts_the_schema_accepts(body: str) -> None:
    text = HEAD + body
    bpr.loads(text)  # the premise: a valid model
    assert errors(yaml.safe_load(text)) == []


# Mistakes the loader refuses and an editor should underline as the analyst types.
REFUSED = [
    (
        "bpr: 2\nservice: s\nvariant: as-is\nactors: {a: {name: A}}\nsteps: [{id: x, actor: a}]",
        "1 was expected",
    ),
    (HEAD + "steps: [{id: x, actor: a, chanel: online}]", "chanel"),
    (HEAD + "steps: [{id: x, actor: a, channel: email}]", "email"),
    (HEAD + "steps: [{id: x, actor: a, work: 5 days}]", "5 days"),
    (HEAD + "steps: [{id: x, actor: a, work: 5}]", "5"),
    (HEAD + "steps: [{id: end, actor: a}]", "end"),
    (HEAD + "steps: [{id: x, actor: a, next: [{to: end, p: 1.5}]}]", "1.5"),
    (HEAD + "steps: [{id: x, actor: a, join: any}]", "any"),
    (HEAD + "steps: [{id: x, actor: a, next: {any: [x]}}]", "any"),
    (HEAD + "maturity: 5\nsteps: [{id: x, actor: a}]", "5"),
    (HEAD + "volume: -1\nsteps: [{id: x, actor: a}]", "-1"),
    (HEAD + "documents: {d: {name: D, exchange: true}}\nsteps: [{id: x, actor: a}]", "issuer"),
    (HEAD + "steps: [{id: 'x y', actor: a}]", "x y"),
    (HEAD + "steps: []", "[]"),
    ("bpr: 1\nservice: s\nvariant: as-is\nsteps: [{id: x, actor: a}]", "actors"),
    (HEAD + "actors: {b: {kind: staff}}\nsteps: [{id: x, actor: b}]", "name"),
]


@pytest.mark.parametrize(
    ("text", "word"), REFUSED, ids=[t.splitlines()[-1][:40] for t, _ in REFUSED]
)
def test_what_the_loader_refuses_the_schema_underlines(text: str, word: str) -> None:
    with pytest.raises(bpr.ModelError):
        bpr.loads(text)
    found = errors(yaml.safe_load(text))
    assert any(word in message for message in found), found


def _properties(schema: dict[str, Any]) -> dict[str, Any]:
    return dict(schema["properties"])


@pytest.mark.parametrize(
    ("where", "table"),
    [
        ((), TOP_FIELDS),
        (("definitions", "actor"), ACTOR_FIELDS),
        (("definitions", "document"), DOCUMENT_FIELDS),
        (("definitions", "step"), STEP_FIELDS),
        (("definitions", "branch"), BRANCH_FIELDS),
        (("definitions", "lint"), LINT_FIELDS),
    ],
)
def test_every_key_has_its_description_from_bpr_schema(
    where: tuple[str, ...], table: dict[str, tuple[bool, str]]
) -> None:
    node: Any = json_schema()
    for part in where:
        node = node[part]
    properties = _properties(node)
    assert list(properties) == list(table)
    for key, (required, text) in table.items():
        assert properties[key]["description"] == text
        assert (key in node["required"]) == required


def test_the_schema_json_round_trips() -> None:
    assert json.loads(schema_text()) == json_schema()


def test_docstring_examples() -> None:
    assert doctest.testmod(module, optionflags=doctest.ELLIPSIS).failed == 0
