"""Safe YAML reading: tags, aliases, odd files, and positions."""

from __future__ import annotations

import time

import pytest

from bpr.errors import ModelError
from bpr.files.yamlsource import format_path, parse_yaml


def problem_of(text: str | bytes) -> str:
    with pytest.raises(ModelError) as info:
        parse_yaml(text, "f.yaml")
    assert len(info.value.problems) == 1
    return str(info.value.problems[0])


def test_plain_values_and_positions() -> None:
    value, source = parse_yaml("a: 1\nb:\n  - x\n  - {c: yes}\n", "f.yaml")
    assert value == {"a": 1, "b": ["x", {"c": True}]}
    assert source.locate(["b", 1, "c"]) == (4, 9)
    assert source.locate(["b", 1, "c"], key=True) == (4, 6)
    assert source.scalar_text(["b", 1, "c"]) == "yes"
    # a path that leads off the file gives the deepest node found
    assert source.locate(["b", 7]) == (3, 3)


def test_python_tags_are_refused_and_nothing_runs(tmp_path) -> None:  # type: ignore[no-untyped-def]
    marker = tmp_path / "ran"
    text = f"a: !!python/object/apply:os.system ['touch {marker}']\n"
    message = problem_of(text)
    assert "f.yaml:1:4" in message and "tag" in message and "python/object/apply" in message
    assert not marker.exists()


def test_custom_tag_refused() -> None:
    assert "tag '!include'" in problem_of("a: !include other.yaml\n")


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    started = time.perf_counter()
    message = problem_of("\n".join(lines) + "\n")
    elapsed = time.perf_counter() - started
    assert "alias bomb" in message
    assert elapsed < 5  # generous: the point is that 10**12 values are never built


def test_recursive_alias_is_refused() -> None:
    assert "recursive alias" in problem_of("a: &a [1, *a]\n")


def test_small_aliases_and_merge_keys_work() -> None:
    value, _ = parse_yaml("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n")
    assert value["other"] == {"x": 1, "y": 3}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("", "the file is empty"),
        ("# only a comment\n", "the file is empty"),
        (b"\x00\x01\x02binary", "binary file"),
        (b"name: caf\xe9\n", "not UTF-8"),
        ("a: [1, 2\n", "YAML syntax"),
        ("a: 1\n---\nb: 2\n", "more than one YAML document"),
        ("a: 1\n a: 2\n", "YAML syntax"),
    ],
)
def test_bad_files(data: str | bytes, expected: str) -> None:
    assert expected in problem_of(data)


def test_syntax_error_has_line_and_column() -> None:
    message = problem_of("bpr: 1\nsteps:\n  - id: a\n   actor: b\n")
    assert message.startswith("f.yaml:4:")


def test_deep_nesting_is_refused() -> None:
    assert "nested" in problem_of("a: " + "[" * 100 + "]" * 100 + "\n")


def test_dates_stay_text() -> None:
    value, _ = parse_yaml("when: 2017-03-01\n")
    assert value == {"when": "2017-03-01"}


def test_format_path() -> None:
    assert format_path(["steps", 3, "next", 0, "to"]) == "steps[3].next[0].to"
    assert format_path([]) == ""


def codes_of(text: str | bytes) -> list[str]:
    with pytest.raises(ModelError) as info:
        parse_yaml(text, "f.yaml")
    return [p.code for p in info.value.problems]


@pytest.mark.parametrize(
    ("written", "value"),
    [("1e6", 1e6), ("1.5e3", 1500.0), ("-2E-3", -0.002), (".5e1", 5.0), ("1.0e+6", 1e6)],
)
def test_exponents_without_a_dot_or_sign_are_numbers(written: str, value: float) -> None:
    parsed, _ = parse_yaml(f"a: {written}\n", "f.yaml")
    assert parsed == {"a": value}


def test_quoted_exponents_and_words_stay_text() -> None:
    parsed, _ = parse_yaml("a: '1e6'\nb: e6\nc: 1e\nd: 1x6\n", "f.yaml")
    assert parsed == {"a": "1e6", "b": "e6", "c": "1e", "d": "1x6"}


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("a:\n\tb: 1\n", "f.yaml:2:1"),
        ("a: 1\n\tb: 2\n", "f.yaml:2:1"),
        ("a:\n  b:\n  \tc: 1\n", "f.yaml:3:3"),
    ],
)
def test_a_tab_in_the_indentation_says_indent_with_spaces(text: str, where: str) -> None:
    message = problem_of(text)
    assert (
        message
        == f"{where}: error: YAML syntax: a tab in the indentation of this line; indent with spaces"
    )
    assert codes_of(text) == ["tab-indent"]


def test_a_tab_inside_a_value_is_no_indentation_problem() -> None:
    parsed, _ = parse_yaml("a: 'x\ty'\n", "f.yaml")
    assert parsed == {"a": "x\ty"}


def test_a_duplicate_key_is_an_error_at_the_second_key() -> None:
    text = "bpr: 1\nsteps: [a]\nname: x\nsteps: [b]\n"
    assert problem_of(text) == (
        "f.yaml:4:1: error: duplicate key 'steps': line 2 has it too, and only one would be "
        "kept; merge the two or rename one"
    )
    assert codes_of(text) == ["duplicate-key"]
    assert codes_of("a: {x: 1, y: 2, x: 3}\n") == ["duplicate-key"]


def test_keys_that_read_alike_as_yaml_values_are_distinct_text() -> None:
    # YAML 1.1 reads off and no as false, 007 and 7 as the number 7
    parsed, _ = parse_yaml("a: {off: 1, no: 2, 007: 3, 7: 4, 0x1f: 5, 12_30: 6, ~: 7}\n", "f.yaml")
    assert parsed == {"a": {"off": 1, "no": 2, "007": 3, "7": 4, "0x1f": 5, "12_30": 6, "~": 7}}


def test_a_merged_key_may_be_written_again() -> None:
    parsed, _ = parse_yaml("d: &d {x: 1, y: 2}\na: {<<: *d, x: 3}\n", "f.yaml")
    assert parsed["a"] == {"x": 3, "y": 2}


def test_an_integer_of_thousands_of_digits_is_a_located_problem() -> None:
    message = problem_of("a: 1\nb: " + "9" * 5000 + "\n")
    assert message == "f.yaml:2:4: error: this number has too many digits to compute with"
    assert codes_of("b: " + "9" * 5000 + "\n") == ["number-too-large"]


def test_a_raw_control_character_is_named_at_its_line() -> None:
    message = problem_of("a: 1\nb: x\x1by\n")
    assert message.startswith("f.yaml:2:5: error: the control character U+001B is not allowed")
    assert codes_of("a: \x07\n") == ["control-character"]
