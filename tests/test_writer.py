"""The one model writer (bpr.files.writer): what it writes loads back as exactly the data."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bpr
from bpr.files.writer import (
    Commented,
    model_text,
    yaml_comment,
    yaml_duration,
    yaml_number,
    yaml_scalar,
)
from bpr.files.yamlsource import parse_yaml

# Words and pieces that YAML 1.1 or 1.2 reads as something other than text, or that end a
# plain scalar, mixed with ordinary, Cyrillic and control characters.
_TRICKY = [
    "yes", "No", "off", "ON", "null", "~", "true", "y", "007", "0x1f", "12_30", "1e6", "1:30",
    ".inf", ".nan", "2001-01-01", ": ", " #", "#", "- ", "? ", "[", "]", "{", "}", ",", "&a",
    "*a", "!", "|", ">", "'", '"', "%", "@", "`", "\\", "\t", "\n", "\r", "\x1b[2J", "\x00",
    "\x85", "\u2028", "\ufeff", "\ufffe", "Паспорт", "Qarorlar", "ş", " ", "-", ".", "1h",
]  # fmt: skip
texts = st.lists(
    st.one_of(st.sampled_from(_TRICKY), st.text(max_size=6)), min_size=0, max_size=5
).map("".join)
ids = st.lists(st.sampled_from([*_TRICKY[:20], "a", "b_1", "Step"]), min_size=1, max_size=3).map(
    "".join
)


def _loads(text: str) -> object:
    return parse_yaml(text)[0]


@settings(max_examples=300, deadline=None)
@given(texts)
def test_a_quoted_scalar_loads_back_as_the_same_text(text: str) -> None:
    assert _loads(f"key: {yaml_scalar(text)}\n") == {"key": text}
    assert _loads(f"key: {{a: {yaml_scalar(text)}, b: [{yaml_scalar(text)}]}}\n") == {
        "key": {"a": text, "b": [text]}
    }


@settings(max_examples=200, deadline=None)
@given(texts)
def test_a_duration_scalar_loads_back_as_the_same_text(text: str) -> None:
    assert _loads(f"work: {yaml_duration(text)}\n") == {"work": text}


@pytest.mark.parametrize("value", [0, 7, -3, 0.5, 1 / 3, 1e-07, 2.5e300, 1e20, 10**30, 2.0])
def test_a_number_loads_back_as_the_same_value(value: float) -> None:
    assert _loads(f"n: {yaml_number(value)}\n") == {"n": value}


def test_numbers_that_are_not_finite() -> None:
    assert _loads(f"n: {yaml_number(math.inf)}\n") == {"n": math.inf}
    assert math.isnan(_loads(f"n: {yaml_number(math.nan)}\n")["n"])  # type: ignore[index]


@settings(max_examples=150, deadline=None)
@given(
    service=texts,
    names=st.lists(texts, min_size=1, max_size=3),
    actor=ids,
    document=ids,
    comment=texts,
    fee=st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False)),
)
def test_a_model_document_loads_back_as_exactly_the_data(
    service: str, names: list[str], actor: str, document: str, comment: str, fee: float
) -> None:
    data = {
        "bpr": 1,
        "service": service,
        "variant": "as-is",
        "sources": names,
        "actors": {actor: {"name": names[0], "kind": "applicant"}},
        "documents": {document: Commented({"name": names[-1], "issuer": actor}, (comment,))},
        "steps": [
            Commented(
                {
                    "id": names[0],
                    "actor": actor,
                    "work": "1h 30m",
                    "wait": {"min": "1d", "mode": "2d", "max": names[-1]},
                    "fee": fee,
                    "needs": [document, names[-1]],
                    "next": Commented([{"to": "end", "p": 0.5, "when": comment}], after=comment),
                },
                above=(comment, "second line"),
                after=comment,
            ),
            {"id": "x", "actor": actor, "next": {"all": [names[0], "end"]}},
        ],
    }
    plain = {
        **data,
        "documents": {document: {"name": names[-1], "issuer": actor}},
        "steps": [
            {
                "id": names[0],
                "actor": actor,
                "work": "1h 30m",
                "wait": {"min": "1d", "mode": "2d", "max": names[-1]},
                "fee": fee,
                "needs": [document, names[-1]],
                "next": [{"to": "end", "p": 0.5, "when": comment}],
            },
            {"id": "x", "actor": actor, "next": {"all": [names[0], "end"]}},
        ],
    }
    assert _loads(model_text(data, header=[comment, ""])) == plain


def test_the_house_style() -> None:
    text = model_text(
        {
            "bpr": 1,
            "service": "permit",
            "variant": "as-is",
            "lint": {"ignore": ["once-only", {"rule": "rework", "reason": "by law"}]},
            "actors": {"off": {"name": "Front desk"}, "tax": {"name": "Tax office"}},
            "documents": {"007": Commented({"name": "Certificate", "issuer": "tax"}, ("why",))},
            "steps": [
                {"id": "apply", "actor": "off", "channel": "in-person", "work": "30m"},
                Commented(
                    {"id": "check", "actor": "tax", "next": [{"to": "end", "p": 1}]}, ("lint: x",)
                ),
            ],
        },
        header=["Draft", ""],
    )
    assert text == (
        "# Draft\n"
        "#\n"
        "bpr: 1\n"
        "service: permit\n"
        "variant: as-is\n"
        "lint:\n"
        "  ignore:\n"
        "    - once-only\n"
        "    - {rule: rework, reason: by law}\n"
        "\n"
        "actors:\n"
        '  "off": {name: Front desk}\n'
        "  tax: {name: Tax office}\n"
        "\n"
        "documents:\n"
        "  # why\n"
        '  "007": {name: Certificate, issuer: tax}\n'
        "\n"
        "steps:\n"
        "  - id: apply\n"
        '    actor: "off"\n'
        "    channel: in-person\n"
        "    work: 30m\n"
        "  # lint: x\n"
        "  - id: check\n"
        "    actor: tax\n"
        "    next:\n"
        "      - {to: end, p: 1}\n"
    )
    model = bpr.loads(text)
    assert list(model.actors) == ["off", "tax"]
    assert model.documents["007"].issuer == "tax"


def test_a_comment_holds_one_line_of_showable_text() -> None:
    assert yaml_comment("a\nb\x1b[2J", "  ") == "  # a b [2J"


@pytest.mark.parametrize("text", ["a\u2028b", "a\u2029b", "a\x85b", ": \u2028", "007", "off"])
def test_line_separators_and_yaml_words_stay_as_written(text: str) -> None:
    assert _loads(f"key: {yaml_scalar(text)}\n") == {"key": text}
