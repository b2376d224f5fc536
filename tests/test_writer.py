"""The one model writer (bpr.files.writer): what it writes loads back as exactly the data."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import bpr
from bpr.files.writer import (
    REMOVE,
    Commented,
    edit_model_text,
    model_data,
    model_text,
    yaml_comment,
    yaml_duration,
    yaml_number,
    yaml_scalar,
)
from bpr.files.yamlsource import parse_yaml
from bpr.lint import build_draft, lint

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


# -- editing an existing file ----------------------------------------------------------------

COMMENTED_AS_IS = """\
# yaml-language-server: $schema=../model.schema.json
# Licence for a market stall, as the analyst found it in 2024.
bpr: 1
service: stall-licence   # the service id of the registry
variant: as-is
volume: 5000             # estimate

actors:
  trader:    {name: Trader, kind: applicant}
  tax:       {name: District tax office, agency: State Tax Committee}
  desk:      {name: Licensing desk, agency: Khokimiyat}

documents:
  # paper the trader carries
  clearance: {name: No-debt certificate, issuer: tax}   # valid 30 days
  form:      {name: Application form}

steps:
  # the trader queues at the tax office first
  - id: fetch_clearance
    name: Fetch the no-debt certificate
    actor: tax
    channel: in-person
    work: 1h          # queue included
    wait: 3d
    produces: [clearance]

  # then the licence itself
  - id: apply
    name: "Apply: stall licence"
    actor: desk
    channel: in-person
    work: 30m
    wait: 10d         # by law at most 10 days
    needs: [form, clearance]
"""


def test_fix_draft_keeps_the_analysts_comments_and_untouched_text(run_bpr, tmp_path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "as-is.yaml"
    source.write_text(COMMENTED_AS_IS, encoding="utf-8")
    out = tmp_path / "draft.yaml"
    assert run_bpr("lint", "--fix-draft", source, "-o", out).exit_code == 0
    text = out.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == "# yaml-language-server: $schema=../model.schema.json"
    assert lines[1].startswith("# Draft To-Be of stall-licence")
    # every comment of the analyst is still there, in its order
    comments = [line[line.index("#") :] for line in COMMENTED_AS_IS.splitlines() if "#" in line]
    kept = [line[line.index("#") :] for line in lines if "#" in line]
    assert [c for c in kept if c in comments] == comments
    # the step the suggestions do not touch is byte for byte what it was, and so are the actors
    untouched = COMMENTED_AS_IS[COMMENTED_AS_IS.index("  # then the licence") :]
    assert text.endswith(untouched)
    actors = COMMENTED_AS_IS[COMMENTED_AS_IS.index("actors:") : COMMENTED_AS_IS.index("documents:")]
    assert actors in text
    # the changes are made, with their notes
    assert (
        "  clearance: {name: No-debt certificate, issuer: tax, exchange: true}  # valid 30 days"
        in lines
    )
    assert "    channel: automatic" in lines
    assert "variant: to-be-draft" in lines
    draft = bpr.load(out)
    assert (
        draft.documents["clearance"].exchange and draft.step("apply").name == "Apply: stall licence"
    )
    assert list(draft.actors) == ["trader", "tax", "desk"]


@pytest.mark.parametrize(
    "path", sorted(Path(__file__).parent.parent.glob("models/*/as-is.yaml")), ids=str
)
def test_every_draft_of_a_shipped_model_loads_as_the_draft_and_keeps_its_comments(
    path: Path,
) -> None:
    as_is = bpr.load(path)
    draft = build_draft(as_is, lint(as_is))
    assert model_data(bpr.loads(draft.text)) == model_data(draft.model)
    source = path.read_text(encoding="utf-8")
    comments = [line for line in source.splitlines() if line.lstrip().startswith("#")]
    assert [line for line in draft.text.splitlines() if line in comments] == comments


def test_a_model_with_no_text_is_written_anew() -> None:
    as_is = bpr.loads(COMMENTED_AS_IS)
    as_is = dataclasses.replace(as_is, source=None)
    draft = build_draft(as_is, lint(as_is))
    assert "# queue included" not in draft.text and "# lint: once-only" in draft.text
    assert model_data(bpr.loads(draft.text)) == model_data(draft.model)


def test_edit_model_text_sets_inserts_and_removes_in_the_house_order() -> None:
    text = (
        "bpr: 1\nservice: s\nvariant: as-is\n"
        "actors: {a: {name: A}}\n"
        "steps:\n"
        "  - id: x   # first\n    actor: a\n    fee: 5\n    next: y\n"
        "  - id: y\n    actor: a\n"
    )
    out = edit_model_text(
        text,
        {
            (): {"name": "off", "volume": 1e-07},
            ("steps", "x"): {"channel": "online", "fee": REMOVE, "wait": "1e6", "join": "all"},
            ("actors", "a"): {"agency": "007"},
        },
        notes={("steps", "y"): ["lint: why\nnot"]},
        header=["Head"],
    )
    assert out == (
        "# Head\n"
        "bpr: 1\nservice: s\nvariant: as-is\n"
        'name: "off"\n'
        "volume: 1.0e-07\n"
        'actors:\n  a: {name: A, agency: "007"}\n'
        "steps:\n"
        "  - id: x   # first\n    actor: a\n    channel: online\n"
        '    wait: "1e6"\n    next: y\n    join: all\n'
        "  # lint: why not\n"
        "  - id: y\n    actor: a\n"
    )
    data = _loads(out)
    assert data["name"] == "off" and data["actors"]["a"]["agency"] == "007"  # type: ignore[index]
    assert data["steps"][0]["wait"] == "1e6"  # type: ignore[index]


def test_edit_model_text_of_a_file_in_flow_style() -> None:
    text = (
        "{bpr: 1, service: s, variant: as-is, actors: {a: {name: A}}, steps: [{id: x, actor: a}]}\n"
    )
    out = edit_model_text(
        text, {("steps", "x"): {"channel": "online"}}, notes={("steps", "x"): ["n"]}
    )
    assert out == (
        "bpr: 1\nservice: s\nvariant: as-is\nactors:\n  a: {name: A}\n"
        "steps:\n  # n\n  - id: x\n    actor: a\n    channel: online\n"
    )


def test_edit_model_text_counts_lines_as_yaml_does() -> None:
    # U+2028 and U+0085 inside a quoted name are no line breaks to YAML
    text = (
        'bpr: 1\nname: "a\u2028b\x85c"\nsteps:\n  - id: x\n    actor: a\n  - id: y\n    actor: a\n'
    )
    out = edit_model_text(text, {("steps", "y"): {"channel": "online"}})
    assert out == text + "    channel: online\n"


def test_edit_model_text_keeps_the_comment_after_a_step_in_flow_style() -> None:
    text = "steps:\n  - {id: a, actor: x}   # one\n  # about b\n  - {id: b, actor: x}  # two\n"
    out = edit_model_text(
        text, {("steps", "a"): {"channel": "automatic"}}, notes={("steps", "b"): ["n"]}
    )
    assert out == (
        "steps:\n  - {id: a, actor: x, channel: automatic}  # one\n"
        "  # about b\n  # n\n  - {id: b, actor: x}  # two\n"
    )


_values = st.one_of(texts, st.integers(-5, 10**6), st.sampled_from(["1h", "2d..3d", "off", "007"]))


@settings(max_examples=120, deadline=None)
@given(
    style=st.sampled_from(["house", "block", "flow", "mixed"]),
    names=st.lists(texts, min_size=4, max_size=4),
    changes=st.lists(
        st.tuples(
            st.sampled_from([("steps", "a"), ("steps", "b"), ("documents", "d"), ()]),
            st.sampled_from(["name", "channel", "fee", "needs", "exchange", "next", "volume"]),
            st.one_of(_values, st.lists(_values, max_size=2), st.just(REMOVE)),
        ),
        max_size=4,
    ),
)
def test_edit_model_text_gives_exactly_the_data_asked_for(
    style: str, names: list[str], changes: list[tuple[tuple[str, ...], str, object]]
) -> None:
    data: dict[str, object] = {
        "bpr": 1,
        "service": names[0],
        "variant": "as-is",
        "actors": {"x": {"name": names[1]}},
        "documents": {"d": {"name": names[2], "issuer": "x"}, "e": {"name": "E"}},
        "steps": [
            {"id": "a", "name": names[3], "actor": "x", "work": "1h", "next": "b"},
            {"id": "b", "actor": "x", "needs": ["d"]},
        ],
    }
    if style == "house":
        text = model_text(data, header=["head"])
    else:
        flow = {"block": False, "flow": True, "mixed": None}[style]
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=flow)
    fields: dict[tuple[str, ...], dict[str, object]] = {}
    for where, key, value in changes:
        fields.setdefault(where, {})[key] = value
    expected = _loads(text)
    for where, wanted in fields.items():
        if where == ():
            target = expected
        elif where[0] == "steps":
            target = next(s for s in expected["steps"] if s["id"] == where[1])  # type: ignore[index, union-attr]
        else:
            target = expected[where[0]][where[1]]  # type: ignore[index]
        for key, value in wanted.items():
            if value is REMOVE:
                target.pop(key, None)  # type: ignore[union-attr]
            else:
                target[key] = value  # type: ignore[index]
    notes = {("steps", "b"): ["note\nwith a break"], ("documents", "e"): ["#"]}
    out = edit_model_text(text, fields, notes=notes, header=["draft"])
    assert _loads(out) == expected
    assert out.startswith("# draft\n") and "# note with a break" in out
    if style in ("house", "block") and ("steps", "b") not in fields:
        step_b = text[text.index("- id: b") :]
        assert step_b in out  # an untouched step is kept byte for byte


def test_edit_model_text_finds_ids_that_yaml_reads_as_numbers() -> None:
    # ruamel reads 007 and 0x1f as numbers; bpr's loader, and so the caller, as text
    text = "actors: {off: {name: T}, 007: {name: D}}\nsteps:\n  - id: 007\n    actor: 007\n  - id: 0x1f\n    actor: off\n"
    out = edit_model_text(
        text,
        {("steps", "007"): {"channel": "online"}, ("steps", "0x1f"): {"fee": 1}},
        notes={("actors", "007"): ["n"]},
    )
    assert out == (
        "actors:\n  off: {name: T}\n  # n\n  007: {name: D}\nsteps:\n"
        "  - id: 007\n    actor: 007\n    channel: online\n  - id: 0x1f\n    actor: off\n    fee: 1\n"
    )
    with pytest.raises(KeyError, match="no steps entry '7'"):
        edit_model_text(text, {("steps", "7"): {"fee": 1}})


@pytest.mark.parametrize("text", ["steps: [unclosed\n", "- a list\n", "bpr: 1\nsteps: []\n"])
def test_a_draft_whose_text_cannot_be_edited_is_written_anew(text: str) -> None:
    as_is = bpr.loads(COMMENTED_AS_IS)
    draft = build_draft(as_is, lint(as_is), text=text)
    assert model_data(bpr.loads(draft.text)) == model_data(draft.model)
    assert draft.text.startswith("# Draft To-Be of stall-licence")


def test_comments_at_the_end_of_lines_can_be_aligned() -> None:
    data = {
        "bpr": Commented(1, after="format"),
        "service": Commented("a-long-service-id", after="id"),
    }
    assert model_text(data, ["  indented"], comment_column=12) == (
        "#   indented\nbpr: 1      # format\nservice: a-long-service-id  # id\n"
    )
    assert model_text(data) == "bpr: 1  # format\nservice: a-long-service-id  # id\n"


def test_every_addition_of_the_format_travels_through_the_writer() -> None:
    """A model with every added key written by model_data/model_text loads back the same."""
    original = bpr.load(Path(__file__).parent / "data" / "additions" / "everything.yaml")
    again = bpr.loads(model_text(model_data(original)))
    for field in dataclasses.fields(original):
        if field.name not in ("source", "warnings", "file"):
            assert getattr(again, field.name) == getattr(original, field.name), field.name
    assert [s.names for s in again.steps] == [s.names for s in original.steps]
    assert [a.names for a in again.actors.values()] == [a.names for a in original.actors.values()]
    assert again.step("apply").next.branches[0].whens == {"ru": "полный комплект", "en": "complete"}
