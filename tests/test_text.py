"""Tests of bpr.core.text: the one escaper per output target."""

from __future__ import annotations

import csv
import io
from xml.etree import ElementTree

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bpr.core import text

HOSTILE = [
    "Clear \x1b[2J the screen",
    "Title \x1b]0;pwned\x07 bell",
    "Clipboard \x1b]52;c;ZXZpbA==\x07",
    "Right-to-left \u202eoverride",
    "DEL\x7f and C1\x85\x9b",
    "Noncharacters \ufffe\uffff",
    "Lone surrogate \ud800",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_nothing_a_terminal_would_obey_reaches_it(value: str) -> None:
    shown = text.for_terminal(value)
    assert all(c.isprintable() for c in shown), shown
    assert "\\x1b" in shown or "\\u" in shown or "\\x" in shown


def test_joiners_and_soft_hyphens_are_kept_for_the_scripts_that_need_them() -> None:
    for value in ("می\u200cخواهم", "क्\u200dष", "Ver\u00adwaltung"):
        assert text.for_terminal(value) == value
        assert text.one_line(value) == value
        assert text.for_markdown(value) == value


def test_one_line_folds_every_kind_of_line_break() -> None:
    assert text.one_line("a\r\nb\u2028c\u2029d\x85e\tf\vg") == "a b c d e f g"
    assert text.for_terminal("a\nb") == "a b"


@given(st.text())
def test_html_is_inert(value: str) -> None:
    escaped = text.for_html(value)
    assert "<" not in escaped and ">" not in escaped and '"' not in escaped
    assert "&" not in escaped.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "").replace(
        "&quot;", ""
    ).replace("&#x27;", "")


@given(st.text())
def test_xml_text_always_parses_back_as_itself_less_what_xml_cannot_hold(value: str) -> None:
    kept = text.for_xml(value)
    element = ElementTree.Element("a", b=kept)
    element.text = kept
    back = ElementTree.fromstring(ElementTree.tostring(element, encoding="unicode"))
    # XML parsers normalise line ends (\r\n and \r become \n): that is XML, not loss
    normal = kept.replace("\r\n", "\n").replace("\r", "\n")
    assert (back.text or "") == normal
    assert all(c in value for c in kept)


@given(st.text())
def test_markdown_cells_cannot_break_a_table_or_open_markup(value: str) -> None:
    escaped = text.for_markdown(value)
    for special in "|*_`[<":
        assert escaped.count(special) == escaped.count("\\" + special)
    assert "\n" not in escaped


@given(st.text())
def test_a_yaml_comment_stays_one_comment(value: str) -> None:
    comment = text.for_yaml_comment(value)
    assert yaml.safe_load(f"a: 1  # {comment}\n") == {"a": 1}


def test_graphviz_labels_escape_markup_and_backslashes() -> None:
    assert text.for_graphviz('<b>&"\\') == "&lt;b&gt;&amp;&quot;\\\\"


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_csv_cells_that_would_be_formulas_are_neutralised(cell: str) -> None:
    out = io.StringIO()
    csv.writer(out).writerow([text.for_csv(cell)])
    assert out.getvalue().lstrip('"').startswith("'")


def test_csv_numbers_and_plain_text_pass() -> None:
    assert text.for_csv(-1.5) == -1.5
    assert text.for_csv("Check the form") == "Check the form"


def test_spreadsheet_cells_hold_no_character_xml_cannot() -> None:
    assert text.for_spreadsheet("A\ufffeB\uffff\x01C") == "ABC"
    assert text.for_spreadsheet(3) == 3
