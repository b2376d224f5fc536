"""Property tests: random edits of valid models load or raise ModelError, never anything else."""

from __future__ import annotations

import contextlib
import copy
import math
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bpr
from bpr.errors import ModelError
from tests.conftest import DATA, model_files

SOURCES = [DATA / "contract-example.yaml", *model_files()]
TEXTS = [p.read_text(encoding="utf-8") for p in SOURCES]
RAW = [yaml.safe_load(t) for t in TEXTS]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 10),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        ["", "end", "all", "1h", "2d..1d", "5", "x", "in-person", "applicant", "fund", "check"]
    ),
    st.text(max_size=8),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += paths(value, (*prefix, i))
    return found


def check_loads(text: str) -> None:
    try:
        model = bpr.loads(text, "fuzz.yaml")
    except ModelError as exc:
        assert exc.problems, "a ModelError always names at least one problem"
        for problem in exc.problems:
            assert str(problem).startswith("fuzz.yaml")
        return
    result = bpr.measure(model).as_dict()
    for key, value in result.items():
        if value is not None:
            assert math.isfinite(value) and value >= 0, (key, value)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_value_edits(data: st.DataObject) -> None:
    raw = copy.deepcopy(data.draw(st.sampled_from(RAW)))
    for _ in range(data.draw(st.integers(1, 3))):
        target = data.draw(st.sampled_from(paths(raw)[1:]))
        parent = raw
        for part in target[:-1]:
            parent = parent[part]
        action = data.draw(st.sampled_from(["replace", "delete", "duplicate"]))
        if action == "replace":
            parent[target[-1]] = data.draw(values)
        elif action == "delete":
            del parent[target[-1]]
        elif isinstance(parent, list):
            parent.append(copy.deepcopy(parent[target[-1]]))
        if not isinstance(raw, dict):
            break
    check_loads(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False))


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_random_text_edits(data: st.DataObject) -> None:
    text = data.draw(st.sampled_from(TEXTS))
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(text)))
        action = data.draw(st.sampled_from(["insert", "delete", "cut"]))
        if action == "insert":
            text = (
                text[:position]
                + data.draw(
                    st.sampled_from(
                        [
                            ":",
                            "-",
                            " ",
                            "\n",
                            "[",
                            "{",
                            "&a",
                            "*a",
                            "!!python/name:os.system",
                            "'",
                            "\t",
                            "0.5",
                            "end",
                        ]
                    )
                )
                + text[position:]
            )
        elif action == "delete":
            text = text[:position] + text[position + data.draw(st.integers(1, 20)) :]
        else:
            text = text[:position]
    check_loads(text)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes(blob: bytes) -> None:
    with contextlib.suppress(ModelError):
        bpr.loads(blob, "fuzz.yaml")


def test_shipped_models_round_trip_through_yaml() -> None:
    """Re-dumping a model's values loads to the same measures: nothing depends on layout."""
    for raw, text in zip(RAW, TEXTS, strict=True):
        again = yaml.safe_dump(raw, allow_unicode=True, sort_keys=True)
        assert bpr.measure(bpr.loads(again)) == bpr.measure(bpr.loads(text))
