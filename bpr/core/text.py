"""Safe text per target: the one home of every escaper bpr uses.

Model text is data. Whatever a file holds (control characters written as YAML escapes,
markup, terminal escape sequences, formula-like cells), each output gets it through exactly
one function here, named for the target:

- :func:`one_line` for diagrams and other places that hold one line of printable text;
- :func:`for_terminal` for a terminal: controls are shown as escapes, never sent;
- :func:`for_markdown` and :func:`for_html` for documents;
- :func:`for_graphviz` for Graphviz HTML-like labels, :func:`for_dot` for DOT strings;
- :func:`for_xml` for XML 1.0 (BPMN, XES);
- :func:`for_yaml_comment` for one-line YAML comments;
- :func:`for_spreadsheet` and :func:`for_csv` for workbook and CSV cells.

Format characters that scripts need (zero-width joiner and non-joiner, soft hyphen) are kept
everywhere; only what a target cannot show or would obey is taken out or escaped.
"""

from __future__ import annotations

import html as _html
import re
import unicodedata

__all__ = [
    "clean_name",
    "for_csv",
    "for_dot",
    "for_graphviz",
    "for_html",
    "for_markdown",
    "for_spreadsheet",
    "for_terminal",
    "for_xml",
    "for_yaml_comment",
    "one_line",
    "printable",
]

# Characters XML 1.0 cannot hold at all, even escaped (control characters, lone surrogates,
# U+FFFE/FFFF). A model may carry them, written as escapes in quoted YAML strings.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Line and paragraph breaks of every kind: on one line they become a space.
_BREAKS = "\r\n\t\v\f\x1c\x1d\x1e\x85\u2028\u2029"
# A run of the spaces between words; the no-break spaces (U+00A0, U+2007, U+202F) hold a
# number's digit groups and its unit together ("1 234,5 ч") and stay as they are.
_WORD_GAP = re.compile(r"[^\S\u00a0\u2007\u202f]+")
# Format characters that change the order text is shown in (bidirectional overrides and
# isolates): a terminal or a document would obey them, so they are shown or dropped.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Backslash escapes keep these literal in CommonMark: no emphasis, links, code, HTML tags,
# entities or extra table cells can come from a model's text.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]|#<&~!])")
# What PyYAML reads as printable; anything else stays out of a comment.
_PRINTABLE = re.compile("[\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Characters that make a spreadsheet read a cell as a formula (OWASP's CSV injection list).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _unshowable(char: str) -> bool:
    """A character no output should pass on as it is: controls, surrogates, private or
    unassigned code points, non-characters and the bidirectional controls."""
    category = unicodedata.category(char)
    if category in ("Cc", "Cs", "Co", "Cn"):
        return True
    return char in _BIDI


def one_line(text: str) -> str:
    """One line of printable text: line breaks and tabs become spaces, runs of spaces one,
    control characters go.

    >>> one_line("Check\\nthe\\tform\\x00"), one_line("Zero\\u200cwidth")
    ('Check the form', 'Zero\\u200cwidth')
    """
    if text.isprintable() and "  " not in text and text.strip(" ") == text:
        return text  # a fast path: no break, control or format character, no run of spaces
    out = []
    for char in text:
        if char in _BREAKS:
            out.append(" ")
        elif not _unshowable(char):
            out.append(char)
    return " ".join(w for w in _WORD_GAP.split("".join(out)) if w)


def printable(text: str) -> str:
    """``text`` with line breaks and tabs kept and everything :func:`one_line` drops taken
    out: for text whose layout matters (SVG text, stylesheets) but that must carry no control.

    >>> printable("a\\x7fb\\nc\\u202e")
    'ab\\nc'
    """
    if text.isprintable():  # a fast path: str.isprintable is False for every category above
        return text
    return "".join(c for c in text if c in "\t\n\r" or not _unshowable(c))


def clean_name(text: str | None) -> str:
    """A name as one line: runs of whitespace (line breaks in BPMN labels) become one space.

    Unlike :func:`one_line` nothing else is taken out: the name is kept as written.

    >>> clean_name("Gateway\\n(Split  Flow) ")
    'Gateway (Split Flow)'
    """
    return " ".join((text or "").split())


def for_terminal(text: str) -> str:
    """Model text fit for one line of a terminal: whitespace runs collapsed, and every
    character a terminal would obey (escape sequences, bidirectional overrides) shown as a
    visible escape instead of sent.

    >>> for_terminal("Title\\x1b]0;pwned\\x07 here"), for_terminal("two\\nlines")
    ('Title\\\\x1b]0;pwned\\\\x07 here', 'two lines')
    >>> for_terminal("Zero\\u200dwidth") == "Zero\\u200dwidth"
    True
    """
    out = []
    for char in text:
        if char in _BREAKS:
            out.append(" ")
        elif _unshowable(char):
            code = ord(char)
            out.append(f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}")
        else:
            out.append(char)
    return " ".join(w for w in _WORD_GAP.split("".join(out)) if w)


def for_markdown(text: str) -> str:
    """Model text safe inside Markdown: no HTML, no emphasis, no table breaks.

    >>> for_markdown("Pay *now* | <b>")
    'Pay \\\\*now\\\\* \\\\| \\\\<b>'
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", for_terminal(text))


def for_html(text: object, *, quote: bool = True) -> str:
    """Text safe inside HTML element content and attribute values.

    >>> for_html('<a href="x">')
    '&lt;a href=&quot;x&quot;&gt;'
    """
    return _html.escape(one_line(str(text)), quote=quote)


def for_graphviz(text: str) -> str:
    """Text safe inside a Graphviz HTML-like label: markup characters become entities and
    backslashes are doubled (Graphviz reads ``\\\\`` in a label as one backslash).

    >>> for_graphviz('A <b> & "c"')
    'A &lt;b&gt; &amp; &quot;c&quot;'
    """
    return (
        one_line(text)
        .replace("&", "&amp;")
        .replace("\\", "\\\\")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def for_dot(text: str, *, escape_string: bool = False) -> str:
    r"""Text safe inside a DOT double-quoted string (a name, an attribute's value): one line,
    backslashes doubled and quotes escaped, so that nothing can end the string or the line.

    Graphviz reads the backslashes of an ``escString`` attribute (``tooltip``, ``URL``, a
    plain ``label``) a second time, as escapes such as ``\N`` and ``\l``; with
    ``escape_string`` they are doubled once more, so that they still show as written.

    >>> print(for_dot('say "hi" \\ bye\x00'))
    say \"hi\" \\ bye
    >>> print(for_dot("C:\\temp", escape_string=True))
    C:\\\\temp
    """
    flat = one_line(text)
    if escape_string:
        flat = flat.replace("\\", "\\\\")
    return flat.replace("\\", "\\\\").replace('"', '\\"')


def for_xml(text: str, replacement: str = "") -> str:
    """``text`` with the characters XML 1.0 cannot hold replaced; everything else is kept.

    >>> for_xml("Check\\x07 the form\\x00"), for_xml("Tab\\tand\\nline")
    ('Check the form', 'Tab\\tand\\nline')
    >>> for_xml("a\\x01b", "\\ufffd")
    'a\\ufffdb'
    """
    return _NOT_XML.sub(replacement, text)


def for_yaml_comment(text: str, limit: int = 160) -> str:
    """Text safe inside a one-line YAML comment: no line breaks, no control characters.

    >>> for_yaml_comment("two\\nlines")
    'two lines'
    """
    flat = " ".join("".join(ch if _PRINTABLE.match(ch) else " " for ch in text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def for_spreadsheet(value: object) -> object:
    """A value a workbook cell can hold: text loses the characters that XML (and so the
    .xlsx file) cannot carry; numbers and everything else pass unchanged.

    >>> for_spreadsheet("Name\\x01\\ufffe"), for_spreadsheet(2.5)
    ('Name', 2.5)
    """
    return for_xml(value) if isinstance(value, str) else value


def for_csv(value: object) -> object:
    """A value for a CSV file that a spreadsheet opens: text that would start a formula is
    prefixed with an apostrophe (OWASP's advice on CSV injection); other values pass.

    >>> for_csv("=HYPERLINK(1)"), for_csv("-5"), for_csv("Check"), for_csv(-5)
    ("'=HYPERLINK(1)", "'-5", 'Check', -5)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
