"""The one writer of model YAML: every command that writes a model (import, mine, lint's
draft To-Be, init) quotes its scalars here, so that what it writes always loads back as
exactly what was meant."""

from __future__ import annotations

import re

__all__ = ["yaml_scalar"]

_SPECIAL_WORDS = {
    "yes", "no", "true", "false", "on", "off", "y", "n", "null", "~", "none", ".nan", ".inf",
}  # fmt: skip
# Plain scalars: no commas, brackets or braces, which end a value inside a flow mapping.
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 _.()/&'+-]*")
# What PyYAML reads as printable inside a quoted scalar; anything else is escaped.
_PRINTABLE = re.compile("[\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def yaml_scalar(text: str) -> str:
    """``text`` as a YAML scalar that loads back as exactly this string.

    Plain where that is unambiguous, otherwise double-quoted with escapes for anything YAML
    would read differently or refuse (line breaks, control characters, ``: ``, ``#``).

    >>> yaml_scalar("Check the application"), yaml_scalar("yes"), yaml_scalar("a: b")
    ('Check the application', '"yes"', '"a: b"')
    """
    if (
        _PLAIN.fullmatch(text)
        and text.lower() not in _SPECIAL_WORDS
        and not text.endswith((" ", "-", "."))
        and ": " not in text
        and " #" not in text
    ):
        return text
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif _PRINTABLE.match(ch):
            out.append(ch)
        elif ord(ch) <= 0xFF:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'
