"""The loader: every rule of the format, each with the exact line it reports."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import get_args

import pytest

import bpr
from bpr.core.vocab import ACTOR_KINDS, CHANNELS, DEFAULT_ACTOR_KIND, FLOW_KINDS, Channel
from bpr.errors import ModelError

BASE = """\
bpr: 1
service: demo
variant: as-is
actors:
  me: {name: Applicant, kind: applicant}
  fund: {name: Pension fund, agency: Fund}
documents:
  passport: {name: Passport}
  cert: {name: Certificate, issuer: fund}
steps:
  - id: apply
    actor: me
    channel: in-person
    work: 1h
    needs: [passport]
  - id: check
    actor: fund
    work: 2h
    wait: 3d
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ModelError) as info:
        bpr.loads(textwrap.dedent(text), "m.yaml")
    return [str(p) for p in info.value.problems]


def only(text: str) -> str:
    found = problems(text)
    assert len(found) == 1, found
    return found[0]


def test_base_model_loads() -> None:
    model = bpr.loads(BASE, "m.yaml")
    assert [s.id for s in model.steps] == ["apply", "check"]
    assert model.step("apply").next.targets == ("check",)
    assert model.step("check").next.targets == ("end",)
    assert model.step("check").wait.mean == 72
    assert model.actors["me"].is_applicant
    assert model.documents["cert"].issuer == "fund"
    assert model.step_line("check") == 16
    assert model.warnings == []


def test_load_from_file_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(BASE, encoding="utf-8")
    assert bpr.load(path).file == str(path)
    with pytest.raises(ModelError, match="no such file"):
        bpr.load(tmp_path / "nothing.yaml")
    with pytest.raises(ModelError, match="folder"):
        bpr.load(tmp_path)


def test_unknown_key_with_suggestion() -> None:
    message = only(BASE.replace("    work: 2h\n", "    wrok: 2h\n"))
    assert (
        message
        == "m.yaml:18:5: error: steps[1].wrok: unknown key 'wrok' in a step; did you mean 'work'?"
    )


def test_unknown_top_level_key_and_extension_keys() -> None:
    assert "m.yaml:4:1: error: maturty: unknown key 'maturty'" in only(
        BASE.replace("actors:\n", "maturty: 2\nactors:\n", 1)
    )
    model = bpr.loads(BASE.replace("actors:\n", "x-owner: me\nactors:\n", 1))
    assert model.service == "demo"


def test_missing_required_keys() -> None:
    found = problems("bpr: 1\nservice: demo\n")
    assert "m.yaml:1:1: error: the model needs the key 'variant'" in found
    assert "m.yaml:1:1: error: the model needs the key 'actors'" in found
    assert "m.yaml:1:1: error: the model needs the key 'steps'" in found


def test_not_a_mapping() -> None:
    assert "a model is a mapping" in only("- a\n- b\n")


@pytest.mark.parametrize(
    ("old", "new", "line", "expected"),
    [
        ("bpr: 1", "bpr: 2", 1, "format version 2 is not supported"),
        ("service: demo", "service: 'my service'", 2, "'my service' is not a valid service id"),
        ("    actor: fund", "    actor: fnd", 17, "unknown actor 'fnd'; did you mean 'fund'?"),
        (
            "    needs: [passport]",
            "    needs: [pasport]",
            15,
            "unknown document 'pasport'; did you mean 'passport'?",
        ),
        ("    work: 2h", "    work: 2", 18, "duration '2' has no unit"),
        ("    work: 2h", "    work: 2 hours", 18, "unknown unit 'hours'"),
        ("    wait: 3d", "    wait: 9d..3d", 19, "runs backwards"),
        ("    channel: in-person", "    channel: by-foot", 13, "unknown channel 'by-foot'"),
        ("kind: applicant}", "kind: aplicant}", 5, "did you mean 'applicant'?"),
        ("issuer: fund}", "issuer: fnd}", 9, "unknown actor 'fnd'"),
        ("  - id: check", "  - id: apply", 16, "duplicate step id 'apply'"),
        ("  - id: check", "  - id: end", 16, "'end' is reserved"),
        (
            "    work: 1h",
            "    work: 1h\n    fee: -5",
            15,
            "fee must be a finite number of at least 0",
        ),
        ("    work: 1h", "    work: 1h\n    join: any", 15, "join takes the value 'all'"),
        (
            "    work: 1h",
            "    work: 1h\n    next: chek",
            15,
            "unknown step 'chek'; did you mean 'check'?",
        ),
    ],
)
def test_rules_report_their_line(old: str, new: str, line: int, expected: str) -> None:
    assert old in BASE
    message = only(BASE.replace(old, new, 1))
    assert message.startswith(f"m.yaml:{line}:"), message
    assert expected in message


@pytest.mark.parametrize("value", ["0", "5", "'x'", "1.5", "true"])
def test_maturity_outside_1_to_4(value: str) -> None:
    message = only(BASE.replace("actors:\n", f"maturity: {value}\nactors:\n", 1))
    assert message.startswith(
        "m.yaml:4:11: error: maturity: maturity must be a UN e-service maturity stage"
    )


def test_probabilities_must_add_up_and_the_sum_is_said() -> None:
    text = BASE + "    next:\n      - {to: apply, p: 0.3}\n      - {to: end, p: 0.6}\n"
    message = only(text)
    assert message.startswith("m.yaml:21:7: error: steps[1].next:")
    assert "add up to 0.9, not 1" in message


def test_missing_probabilities_share_the_rest() -> None:
    text = BASE + "    next:\n      - {to: apply, p: 0.2}\n      - {to: end}\n"
    branches = bpr.loads(text).step("check").next.branches
    assert [(b.to, b.p) for b in branches] == [("apply", 0.2), ("end", 0.8)]


def test_probability_out_of_range() -> None:
    text = BASE + "    next:\n      - {to: apply, p: 1.5}\n      - {to: end, p: -0.5}\n"
    found = problems(text)
    assert any("m.yaml:21:" in f and "between 0 and 1" in f for f in found)
    assert any("m.yaml:22:" in f and "at least 0" in f for f in found)


def test_wrong_types() -> None:
    found = problems(
        BASE.replace("    needs: [passport]", "    needs: {a: 1}").replace("volume", "x")
    )
    assert any("m.yaml:15:" in f and "expected a list of document ids" in f for f in found)
    assert "steps must be a list" in only(BASE.split("steps:")[0] + "steps: {a: 1}\n")
    found = problems("bpr: 1\nservice: s\nvariant: v\nactors: 5\nsteps:\n  - {id: a, actor: me}\n")
    assert (
        found[0]
        == "m.yaml:4:9: error: actors: actors must be a mapping of keys and values, not int 5"
    )


def test_exchange_needs_an_issuer() -> None:
    message = only(
        BASE.replace("passport: {name: Passport}", "passport: {name: Passport, exchange: true}")
    )
    assert message.startswith("m.yaml:8:")
    assert "needs an 'issuer'" in message


def test_every_problem_is_reported_at_once() -> None:
    text = (
        BASE.replace("actor: fund", "actor: fnd")
        .replace("work: 2h", "work: 2")
        .replace("bpr: 1", "bpr: 3")
    )
    found = problems(text)
    assert len(found) == 3
    assert [f.split(":")[1] for f in found] == ["1", "17", "18"]  # sorted by line


def test_unreachable_step() -> None:
    text = BASE + "    next: end\n  - id: orphan\n    actor: fund\n"
    message = only(text)
    assert message.startswith("m.yaml:21:9: error: steps[2].id: step 'orphan' cannot be reached")


def test_loop_without_exit() -> None:
    text = BASE + "    next: apply\n"
    found = problems(text)
    assert any(
        f.startswith("m.yaml:20:11:") and "no way leads from step 'check' to the end" in f
        for f in found
    )


def test_loop_with_zero_exit_probability() -> None:
    text = BASE + "    next:\n      - {to: apply, p: 1}\n      - {to: end, p: 0}\n"
    assert any("caught in a loop" in f for f in problems(text))


PARALLEL = (
    BASE
    + """\
    next: {all: [a, b]}
  - id: a
    actor: fund
    work: 1h
    next: done
  - id: b
    actor: me
    work: 2h
    next: done
  - id: done
    actor: fund
    join: all
"""
)


def test_parallel_split_closed_by_join() -> None:
    model = bpr.loads(PARALLEL)
    assert model.step("check").next.kind == "parallel"
    blocks = bpr.core.flow.analyse(model).blocks
    assert [(b.split, b.join, sorted(b.branches)) for b in blocks] == [
        ("check", "done", ["a", "b"])
    ]


def test_parallel_split_without_join() -> None:
    message = only(PARALLEL.replace("    join: all\n", ""))
    assert message.startswith(
        "m.yaml:20:11: error: steps[1].next: the parallel split at step 'check' is not closed"
    )


def test_parallel_branch_that_ends_the_case() -> None:
    text = PARALLEL.replace("    work: 2h\n    next: done", "    work: 2h\n    next: end")
    assert any("is not closed" in f for f in problems(text))


def test_parallel_block_entered_from_outside() -> None:
    text = PARALLEL.replace("  - id: b\n", "  - id: b\n").replace(
        "    channel: in-person\n    work: 1h\n",
        "    channel: in-person\n    work: 1h\n    next:\n      - {to: check, p: 0.5}\n      - {to: b, p: 0.5}\n",
    )
    assert any("enters a branch of the parallel split" in f for f in problems(text))


def test_stray_join_is_a_warning() -> None:
    model = bpr.loads(BASE.replace("    wait: 3d\n", "    wait: 3d\n    join: all\n"))
    assert [str(w) for w in model.warnings] == [
        "<string>:20:11: warning: steps[1].join: step 'check' has 'join: all' but closes no parallel split; remove the join"
    ]


def test_text_fields_keep_what_was_written() -> None:
    model = bpr.loads(
        BASE.replace("name: Passport", "name: yes").replace("variant: as-is", "variant: 2030")
    )
    assert model.documents["passport"].name == "yes"
    assert model.variant == "2030"


def test_single_strings_for_lists_and_sources() -> None:
    model = bpr.loads(
        BASE.replace("[passport]", "passport").replace(
            "actors:\n", "sources: interviews\nactors:\n", 1
        )
    )
    assert model.step("apply").needs == ("passport",)
    assert model.sources == ("interviews",)


def test_find_models(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".hidden").mkdir()
    for name in ("b/to-be.yaml", "b/as-is.yml", "a.yaml", ".hidden/x.yaml", "notes.txt"):
        (tmp_path / name).write_text("x")
    found = [p.relative_to(tmp_path).as_posix() for p in bpr.find_models([tmp_path])]
    assert found == ["a.yaml", "b/as-is.yml", "b/to-be.yaml"]


def test_branch_named_twice_in_a_parallel_split() -> None:
    text = PARALLEL.replace("next: {all: [a, b]}", "next: {all: [a, b, a]}")
    message = only(text)
    assert message.startswith("m.yaml:20:24: error: steps[1].next.all[2]: step 'a' is named twice")


@pytest.mark.parametrize("key", ["steps", "actors"])
def test_required_lists_that_are_empty(key: str) -> None:
    text = "bpr: 1\nservice: s\nvariant: v\nactors: {a: {name: A}}\nsteps: [{id: x, actor: a}]\n"
    text = text.replace(f"{key}: ", f"{key}: null\nx-old{key}: ")
    assert any(f"{key} is empty" in p for p in problems(text))


def test_a_file_of_plain_text_is_named_briefly() -> None:
    message = only("word " * 200)
    assert "not the text 'word word word" in message
    assert len(message) < 200


def test_find_models_gives_a_file_once(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "a.yaml").write_text("x")
    found = list(bpr.find_models([tmp_path, tmp_path / "x", tmp_path / "x" / "a.yaml"]))
    assert found == [tmp_path / "x" / "a.yaml"]


def test_parallel_branches_may_not_share_a_step() -> None:
    text = (
        "bpr: 1\nservice: s\nvariant: v\nactors: {a: {name: A}}\nsteps:\n"
        "  - {id: s, actor: a, next: {all: [b, c, e]}}\n"
        "  - {id: b, actor: a, next: c}\n"
        "  - {id: c, actor: a, next: j}\n"
        "  - {id: e, actor: a, next: j}\n"
        "  - {id: j, actor: a, join: all}\n"
    )
    message = only(text)
    assert message.startswith("m.yaml:6:29: error: steps[0].next: step 'c' lies on two branches")


# -- problem codes ---------------------------------------------------------------------------

DOCUMENTED_CODES = {
    line.split("`")[1]
    for line in (Path(__file__).parent.parent / "docs" / "format.md")
    .read_text(encoding="utf-8")
    .splitlines()
    if line.startswith("| `")
}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("bpr: 1\nservice: [", "yaml-syntax"),
        ("a: 1\n---\nb: 2\n", "several-documents"),
        ("", "empty-file"),
        ("x: !!python/object:os.system 1\n", "yaml-tag"),
        ("- 1\n", "wrong-type"),
        (BASE + "colour: red\n", "unknown-key"),
        (BASE.replace("bpr: 1\n", "bpr: 2\n"), "unsupported-version"),
        (BASE.replace("actor: me", "actor: you"), "unknown-actor"),
        (BASE.replace("channel: in-person", "channel: fax"), "unknown-channel"),
        (BASE.replace("needs: [passport]", "needs: [visa]"), "unknown-document"),
        (BASE.replace("work: 2h", "work: soon"), "invalid-duration"),
        (BASE.replace("work: 2h", "fee: -1"), "out-of-range"),
        (BASE.replace("id: check", "id: apply"), "duplicate-step-id"),
        (BASE + "    next: [{to: end, p: 0.5}]\n", "probabilities-sum"),
    ],
)
def test_each_problem_carries_its_documented_code(text: str, code: str) -> None:
    with pytest.raises(ModelError) as info:
        bpr.loads(text, "m.yaml")
    codes = [p.code for p in info.value.problems]
    assert code in codes, [str(p) for p in info.value.problems]
    assert set(codes) <= DOCUMENTED_CODES
    assert info.value.problems[0].as_dict()["code"] == info.value.problems[0].code


def test_every_code_the_loader_gives_is_documented() -> None:
    package = Path(__file__).parent.parent / "bpr" / "files"
    source = (package / "load.py").read_text() + (package / "yamlsource.py").read_text()
    given = set(re.findall(r'code\s*=\s*"([a-z0-9-]+)"', source))
    assert given - DOCUMENTED_CODES == set()
    assert "unknown-actor" in given


def test_problem_code_is_last_and_optional() -> None:
    problem = bpr.Problem("m", "a.yaml", 1, 2, "steps[0]", "warning")
    assert problem.code == ""
    assert str(problem) == "a.yaml:1:2: warning: steps[0]: m"


# -- the vocabularies ------------------------------------------------------------------------


def test_each_channel_of_the_vocabulary_loads_and_no_other() -> None:
    for channel in CHANNELS:
        model = bpr.loads(BASE.replace("channel: in-person", f"channel: {channel}"), "m.yaml")
        assert model.step("apply").channel == channel
        assert type(model.step("apply").channel) is str  # plain text in JSON and YAML
    message = only(BASE.replace("channel: in-person", "channel: fax"))
    assert message.endswith("valid: " + ", ".join(sorted(CHANNELS)))
    assert get_args(Channel) == CHANNELS


def test_each_actor_kind_of_the_vocabulary_loads() -> None:
    for kind in ACTOR_KINDS:
        model = bpr.loads(BASE.replace("kind: applicant", f"kind: {kind}"), "m.yaml")
        assert model.actors["me"].kind == kind
    assert "unknown actor kind 'citizen'" in only(BASE.replace("kind: applicant", "kind: citizen"))
    assert bpr.loads(BASE, "m.yaml").actors["fund"].kind == DEFAULT_ACTOR_KIND == "staff"


def test_flow_kinds_are_the_vocabulary() -> None:
    model = bpr.loads(BASE, "m.yaml")
    assert {s.next.kind for s in model.steps} <= set(FLOW_KINDS)
    assert FLOW_KINDS == ("sequence", "choice", "parallel")


# -- values YAML 1.1 reads as something else -------------------------------------------------


def test_exponent_numbers_for_volume_tariff_and_fees() -> None:
    text = BASE.replace("bpr: 1\n", "bpr: 1\nvolume: 1e6\ntariff: 1.5e3\n").replace(
        "work: 2h\n", "work: 2h\n    fee: 2.5e2\n"
    )
    model = bpr.loads(text, "m.yaml")
    assert (model.volume, model.tariff, model.step("check").fee) == (1e6, 1500.0, 250.0)


YAML11_IDS = """\
bpr: 1
service: s
variant: as-is
actors:
  off: {name: A}
  no: {name: B}
  007: {name: C}
documents:
  0x1f: {name: D}
  12_30: {name: E, issuer: 007}
steps:
  - {id: a, actor: off, needs: [0x1f, 12_30], next: 007}
  - {id: 007, actor: no, produces: 0x1f, next: [{to: off, p: 0.5}, {to: end}]}
  - {id: off, actor: 007}
"""


def test_ids_that_yaml_reads_as_booleans_or_numbers_are_text_as_keys_and_values() -> None:
    model = bpr.loads(YAML11_IDS, "m.yaml")
    assert list(model.actors) == ["off", "no", "007"]
    assert list(model.documents) == ["0x1f", "12_30"]
    assert model.documents["12_30"].issuer == "007"
    assert [(s.id, s.actor) for s in model.steps] == [("a", "off"), ("007", "no"), ("off", "007")]
    assert model.step("a").needs == ("0x1f", "12_30")
    assert model.step("a").next.targets == ("007",)
    assert model.step("007").next.targets == ("off", "end")
    assert model.step("007").produces == ("0x1f",)


def test_step_ids_that_yaml_reads_as_numbers_fall_through_and_clash_as_written() -> None:
    text = "bpr: 1\nservice: s\nvariant: v\nactors: {a: {name: A}}\nsteps:\n  - {id: x, actor: a}\n  - {id: 007, actor: a}\n  - {id: 7, actor: a}\n"
    model = bpr.loads(text, "m.yaml")
    assert model.step("x").next.targets == ("007",)
    assert model.step("007").next.targets == ("7",)
    clash = text.replace("id: 7,", "id: 007,")
    assert "duplicate step id '007'" in only(clash)


@pytest.mark.parametrize("key", ["volume", "tariff"])
def test_an_integer_too_large_for_a_float_is_a_located_problem(key: str) -> None:
    text = BASE.replace("bpr: 1\n", f"bpr: 1\n{key}: {'9' * 400}\n")
    assert only(text) == (
        f"m.yaml:2:{len(key) + 3}: error: {key}: {key} is too large a number to compute with "
        "(over 1e308); check the number of digits"
    )


def test_a_fee_too_large_for_a_float_is_a_located_problem() -> None:
    text = BASE.replace("work: 2h\n", f"work: 2h\n    fee: {'9' * 400}\n")
    message = only(text)
    assert message.startswith("m.yaml:19:10: error: steps[1].fee: fee is too large a number")


def test_every_code_of_the_flow_rules_and_measures_is_documented() -> None:
    package = Path(__file__).parent.parent / "bpr"
    source = (package / "core" / "flow.py").read_text() + (
        package / "analysis" / "measures.py"
    ).read_text()
    given = set(re.findall(r'"((?:flow|measure)-[a-z0-9-]+)"', source))
    assert given, "the flow rules name their codes"
    assert given - DOCUMENTED_CODES == set()


def test_a_number_without_a_unit_is_told_as_written() -> None:
    text = BASE.replace("work: 2h", "work: 1e3")
    assert only(text).endswith(
        "steps[1].work: duration '1e3' has no unit; write a number and a unit: 30m (minutes), 2h (hours), 5d (days) or 1w (weeks)"
    )
    assert "duration '1.50' has no unit" in only(BASE.replace("work: 2h", "work: 1.50"))
