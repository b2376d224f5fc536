"""The one writer of model YAML: every command that writes a model (import, mine, lint's
draft To-Be, init) quotes its scalars and lays out its documents here, so that what it writes
always loads back as exactly what was meant, in one house style.

- :func:`yaml_scalar`, :func:`yaml_number`, :func:`yaml_duration`: one scalar each;
- :func:`model_text`: a new model document from plain data, with optional comments
  (:class:`Commented`);
- :func:`edit_model_text` changes an existing model file and keeps the rest of it.

>>> print(model_text({
...     "bpr": 1, "service": "permit", "variant": "as-is",
...     "actors": {"desk": {"name": "Front desk"}},
...     "steps": [Commented({"id": "apply", "actor": "desk", "work": "30m"}, above=("first",))],
... }, header=["A permit"]), end="")
# A permit
bpr: 1
service: permit
variant: as-is
<BLANKLINE>
actors:
  desk: {name: Front desk}
<BLANKLINE>
steps:
  # first
  - id: apply
    actor: desk
    work: 30m
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from bpr.core.text import for_yaml_comment

__all__ = ["Commented", "model_text", "yaml_comment", "yaml_duration", "yaml_number", "yaml_scalar"]

_SPECIAL_WORDS = {
    "yes", "no", "true", "false", "on", "off", "y", "n", "null", "~", "none", ".nan", ".inf",
}  # fmt: skip
# Plain scalars: no commas, brackets or braces, which end a value inside a flow mapping.
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 _.()/&'+-]*")
# What PyYAML reads as printable inside a quoted scalar; anything else is escaped.
_PRINTABLE = re.compile("[\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Line breaks to YAML besides \n and \r: inside quotes they would fold into a space.
_BREAKS = frozenset("\x85\u2028\u2029")
# A duration in the format's units (30m, 1h 30m, 2d..5d): plain, though it starts with a digit.
_TERMS = r"\d+(?:\.\d+)?[a-z]+(?: \d+(?:\.\d+)?[a-z]+)*"
_DURATION = re.compile(rf"{_TERMS}(?:\.\.{_TERMS})?")
# Keys whose text values are durations, and the keys of a triangular duration.
_DURATION_KEYS = frozenset({"work", "wait"})

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader


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
        elif _PRINTABLE.match(ch) and ch not in _BREAKS:
            out.append(ch)
        elif ord(ch) <= 0xFF:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'


def yaml_duration(text: str) -> str:
    """A duration's text, plain where it is written in the format's units, else quoted.

    >>> yaml_duration("1h 30m"), yaml_duration("2d..5d"), yaml_duration("1e6")
    ('1h 30m', '2d..5d', '"1e6"')
    """
    if _DURATION.fullmatch(text) and yaml.load(text, Loader=_Loader) == text:
        return text
    return yaml_scalar(text)


def yaml_number(value: float) -> str:
    """A number as YAML that loads back as the same value.

    Whole numbers are written without a fraction; PyYAML reads a float with an exponent only
    where its mantissa has a dot, so one is added.

    >>> yaml_number(3), yaml_number(2.0), yaml_number(0.25), yaml_number(1e-07)
    ('3', '2', '0.25', '1.0e-07')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    number = float(value)
    if math.isnan(number):
        return ".nan"
    if math.isinf(number):
        return ".inf" if number > 0 else "-.inf"
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    text = repr(number)
    mantissa, _, exponent = text.partition("e")
    if exponent and "." not in mantissa:
        text = f"{mantissa}.0e{exponent}"
    return text


def yaml_comment(text: str, indent: str = "") -> str:
    """One comment line: the text on one line, without what a YAML comment cannot hold.

    >>> yaml_comment("two\\nlines", "  "), yaml_comment("")
    ('  # two lines', '#')
    """
    return f"{indent}# {for_yaml_comment(text, max(len(text), 1))}".rstrip()


@dataclass(frozen=True)
class Commented:
    """A value of :func:`model_text` with comments: lines above its key (or list item) and
    one at the end of its line."""

    value: Any
    above: tuple[str, ...] = ()
    after: str = ""


def model_text(data: Mapping[str, Any], header: Iterable[str] = ()) -> str:
    """A model document in the house style, from plain data (dicts, lists, text, numbers).

    The top level is a block mapping; a mapping of mappings (``actors``, ``documents``) has
    one flow mapping a line, a list of mappings (``steps``) is a list of block mappings, and
    both come after a blank line. Inside a step, lists and mappings are written in flow
    style, except a list that holds mappings (``next`` with its branches): one flow mapping a
    line. ``work`` and ``wait`` text is written as a duration. Any value may be wrapped in
    :class:`Commented`; ``header`` lines become the comments that open the file.
    """
    lines = [yaml_comment(line) for line in header]
    for key, item in data.items():
        value, above, after = _unwrap(item)
        name = _key(key)
        if _is_mapping(value) and value and all(_is_mapping(_unwrap(v)[0]) for v in value.values()):
            lines += ["", *_comments(above, ""), f"{name}:{_after(after)}"]
            for entry_key, entry in value.items():
                entry_value, entry_above, entry_after = _unwrap(entry)
                lines += _comments(entry_above, "  ")
                flow = _flow(entry_value, entry_key in _DURATION_KEYS)
                lines.append(f"  {_key(entry_key)}: {flow}{_after(entry_after)}")
        elif _is_list(value) and any(_is_mapping(_unwrap(v)[0]) for v in value):
            lines += ["", *_comments(above, ""), f"{name}:{_after(after)}"]
            for entry in value:
                entry_value, entry_above, entry_after = _unwrap(entry)
                lines += _comments(entry_above, "  ")
                if _is_mapping(entry_value) and entry_value:
                    body = _block(entry_value, "    ")
                    body[0] = "  - " + body[0][4:] + _after(entry_after)
                    lines += body
                else:
                    lines.append(f"  - {_flow(entry_value)}{_after(entry_after)}")
        elif _is_list(value) and value:
            lines += [*_comments(above, ""), f"{name}:{_after(after)}"]
            for entry in value:
                entry_value, entry_above, entry_after = _unwrap(entry)
                lines += _comments(entry_above, "  ")
                lines.append(f"  - {_flow(entry_value)}{_after(entry_after)}")
        elif _is_mapping(value) and value:
            lines += [*_comments(above, ""), f"{name}:{_after(after)}", *_block(value, "  ")]
        else:
            lines += _comments(above, "")
            lines.append(f"{name}: {_flow(value, key in _DURATION_KEYS)}{_after(after)}")
    return "\n".join(lines) + "\n"


def _unwrap(item: Any) -> tuple[Any, tuple[str, ...], str]:
    if isinstance(item, Commented):
        return item.value, tuple(item.above), item.after
    return item, (), ""


def _is_mapping(value: Any) -> bool:
    return isinstance(value, Mapping)


def _is_list(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def _comments(lines: Iterable[str], indent: str) -> list[str]:
    return [yaml_comment(line, indent) for line in lines]


def _after(comment: str) -> str:
    return f"  # {for_yaml_comment(comment, max(len(comment), 1))}" if comment else ""


def _key(key: Any) -> str:
    return yaml_scalar(key) if isinstance(key, str) else _scalar(key)


def _scalar(value: Any, duration: bool = False) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return yaml_duration(value) if duration else yaml_scalar(value)
    if isinstance(value, (int, float)):
        return yaml_number(value)
    raise TypeError(f"a model holds text, numbers, lists and mappings, not {value!r}")


def _flow(value: Any, duration: bool = False) -> str:
    value = _unwrap(value)[0]
    if _is_mapping(value):
        parts = (
            f"{_key(k)}: {_flow(v, duration or k in _DURATION_KEYS)}" for k, v in value.items()
        )
        return "{" + ", ".join(parts) + "}"
    if _is_list(value):
        return "[" + ", ".join(_flow(v, duration) for v in value) + "]"
    return _scalar(value, duration)


def _block(mapping: Mapping[Any, Any], indent: str) -> list[str]:
    """A block mapping at ``indent``: the keys of a step, or of ``lint``."""
    lines: list[str] = []
    for key, item in mapping.items():
        value, above, after = _unwrap(item)
        lines += _comments(above, indent)
        if _is_list(value) and any(_is_mapping(_unwrap(v)[0]) for v in value):
            lines.append(f"{indent}{_key(key)}:{_after(after)}")
            for entry in value:
                entry_value, entry_above, entry_after = _unwrap(entry)
                lines += _comments(entry_above, indent + "  ")
                lines.append(f"{indent}  - {_flow(entry_value)}{_after(entry_after)}")
        else:
            flow = _flow(value, key in _DURATION_KEYS)
            lines.append(f"{indent}{_key(key)}: {flow}{_after(after)}")
    return lines
