"""The loader's campaign: whatever the input, a Model or a located ModelError, never anything else.

Random text, random bytes and random YAML documents (with the scalars YAML 1.1 reads as
something else: ``off``, ``007``, ``0x1f``, ``1e6``) never raise anything but ModelError, and
every problem names a documented code. Random valid models written by the one model writer
load back with the same ids, references and numbers.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import bpr
from bpr.core.schema import ID_PATTERN
from bpr.core.vocab import ACTOR_KINDS, CHANNELS
from bpr.errors import ModelError
from bpr.files.writer import model_text

DOCUMENTED_CODES = {
    line.split("`")[1]
    for line in (Path(__file__).parent.parent / "docs" / "format.md")
    .read_text(encoding="utf-8")
    .splitlines()
    if line.startswith("| `")
}
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text YAML 1.1 reads as booleans, numbers, null or dates, and ids that look like them.
TRICKY = [
    "off", "on", "no", "yes", "y", "n", "true", "False", "null", "~", "007", "7", "0x1f",
    "0o17", "12_30", "1e6", "1.5e3", "-1", ".inf", ".nan", "2024-01-02", "12:30", "end", "all",
]  # fmt: skip

TRICKY_IDS = [t for t in TRICKY if ID_PATTERN.fullmatch(t) and t not in ("end", "all")]
ids = st.one_of(st.sampled_from(TRICKY_IDS), st.from_regex(r"[A-Za-z0-9_-]{1,8}", fullmatch=True))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**300, max_value=10**320),
    st.floats(),
    st.sampled_from(TRICKY),
    st.text(max_size=10),
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(TRICKY), st.text(max_size=6)), inner, max_size=4),
    ),
    max_leaves=12,
)
model_keys = st.sampled_from(
    ["bpr", "service", "variant", "actors", "documents", "steps", "volume", "fee", "next",
     "needs", "actor", "id", "p", "to", "all", "join", "work", "wait", "channel", "kind"]
)  # fmt: skip
model_like = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(model_keys, inner, max_size=5)
    ),
    max_leaves=20,
)


def outcome(data: str | bytes) -> bpr.Model | None:
    """Load ``data``; a ModelError is fine when each problem is located and documented."""
    try:
        return bpr.loads(data, "m.yaml")
    except ModelError as exc:
        assert exc.problems, "a ModelError names at least one problem"
        for problem in exc.problems:
            assert problem.code in DOCUMENTED_CODES or (problem.code == "" and problem.path), (
                problem
            )
            assert problem.file == "m.yaml"
            assert "\n" not in problem.message
        return None


@FAST
@given(st.text(max_size=300))
def test_random_text_loads_or_is_a_model_error(text: str) -> None:
    outcome(text)


@FAST
@given(st.binary(max_size=300))
def test_random_bytes_load_or_are_a_model_error(data: bytes) -> None:
    outcome(data)


@FAST
@given(documents)
def test_random_yaml_documents_load_or_are_a_model_error(document: Any) -> None:
    outcome(yaml.safe_dump(document, allow_unicode=True))


@FAST
@given(model_like)
def test_random_model_shaped_documents_load_or_are_a_model_error(document: Any) -> None:
    outcome(yaml.safe_dump(document, allow_unicode=True, default_flow_style=True))


@FAST
@given(st.lists(st.sampled_from(["a:", " b: 1", "\t", "- x", "{", "}", "[", "&a", "*a", "<<: *a",
                                 "!!str", "? k", "---", "...", "|", "'q", '"q\\x"', "#", ":", "\n"]),
                max_size=30))  # fmt: skip
def test_random_yaml_token_soup_loads_or_is_a_model_error(tokens: list[str]) -> None:
    outcome(" ".join(tokens))


@st.composite
def valid_models(draw: st.DrawFn) -> dict[str, Any]:
    actor_ids = draw(st.lists(ids, min_size=1, max_size=4, unique=True))
    document_ids = draw(st.lists(ids, max_size=4, unique=True))
    step_ids = draw(st.lists(ids.filter(lambda i: i != "end"), min_size=1, max_size=6, unique=True))
    actors = {
        a: {
            "name": draw(st.text(min_size=1, max_size=12)),
            "kind": draw(st.sampled_from(ACTOR_KINDS)),
        }
        for a in actor_ids
    }
    docs = {d: {"name": draw(st.text(min_size=1, max_size=12))} for d in document_ids}
    steps = []
    for index, step_id in enumerate(step_ids):
        step: dict[str, Any] = {
            "id": step_id,
            "actor": draw(st.sampled_from(actor_ids)),
            "channel": draw(st.sampled_from(CHANNELS)),
            "work": f"{draw(st.integers(0, 90))}m",
            "fee": draw(st.sampled_from([0, 1, 2.5, 1e6, 1500.0])),
        }
        if document_ids:
            step["needs"] = draw(st.lists(st.sampled_from(document_ids), max_size=2, unique=True))
        later = step_ids[index + 1 :]
        if later and draw(st.booleans()):
            step["next"] = [{"to": later[0], "p": 0.25}, {"to": "end", "p": 0.75}]
        steps.append(step)
    return {
        "bpr": 1,
        "service": draw(ids),
        "variant": draw(st.sampled_from(["as-is", "to-be", "off", "2030"])),
        "volume": draw(st.sampled_from([1, 1e6, 25000])),
        "actors": actors,
        "documents": docs,
        "steps": steps,
    }


@FAST
@given(valid_models())
def test_valid_random_models_written_by_the_model_writer_load_back(data: dict[str, Any]) -> None:
    assume(all(name.strip() for a in data["actors"].values() for name in [a["name"]]))
    model = bpr.loads(model_text(data), "m.yaml")
    assert model.service == data["service"] and model.variant == data["variant"]
    assert list(model.actors) == list(data["actors"])
    assert [a.kind for a in model.actors.values()] == [a["kind"] for a in data["actors"].values()]
    assert list(model.documents) == list(data["documents"])
    assert [s.id for s in model.steps] == [s["id"] for s in data["steps"]]
    for step, written in zip(model.steps, data["steps"], strict=True):
        assert step.actor == written["actor"] and step.channel == written["channel"]
        assert list(step.needs) == written.get("needs", [])
        assert math.isclose(step.fee, written["fee"])
        if "next" in written:
            assert step.next.targets == tuple(b["to"] for b in written["next"])
    assert model.volume == data["volume"]
    # and the plain YAML dump of the same data loads to the same model
    again = bpr.loads(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "m.yaml")
    assert [(s.id, s.actor, s.needs, s.next.targets) for s in again.steps] == [
        (s.id, s.actor, s.needs, s.next.targets) for s in model.steps
    ]
    assert list(again.actors) == list(model.actors)
