"""Text helpers of the BPMN import: ids made from names, and YAML scalars that always load back."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = ["IdMaker", "clean_name", "comment_text", "slug", "yaml_scalar"]

# Russian, Uzbek, Kazakh and Ukrainian Cyrillic to Latin, so that ids of models written in
# those languages stay readable (the format's ids are ASCII letters, digits, '_' and '-').
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "ў": "o", "қ": "q", "ғ": "g", "ҳ": "h", "ә": "a", "ө": "o", "ү": "u",
    "ұ": "u", "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ң": "ng", "һ": "h",
}  # fmt: skip

_WORDS = re.compile(r"[a-z0-9]+")
_MAX_ID = 40
_SPECIAL_WORDS = {
    "yes", "no", "true", "false", "on", "off", "y", "n", "null", "~", "none", ".nan", ".inf",
}  # fmt: skip
# Plain scalars: no commas, brackets or braces, which end a value inside a flow mapping.
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 _.()/&'+-]*")
# What PyYAML reads as printable inside a quoted scalar; anything else is escaped.
_PRINTABLE = re.compile("[\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean_name(text: str | None) -> str:
    """A name as one line: runs of whitespace (line breaks in BPMN labels) become one space.

    >>> clean_name("Gateway\\n(Split  Flow) ")
    'Gateway (Split Flow)'
    """
    return " ".join((text or "").split())


def slug(text: str, separator: str = "_") -> str:
    """Lower-case ASCII words of ``text`` joined by ``separator``; empty where none remain.

    >>> slug("Obtain the cadastral plan!"), slug("Проверка заявления"), slug("Café 2", "-")
    ('obtain_the_cadastral_plan', 'proverka_zayavleniya', 'cafe-2')
    """
    lowered = "".join(_CYRILLIC.get(ch, ch) for ch in text.lower())
    ascii_text = unicodedata.normalize("NFKD", lowered).encode("ascii", "ignore").decode()
    words = _WORDS.findall(ascii_text)
    out = ""
    for word in words:
        candidate = f"{out}{separator}{word}" if out else word
        if len(candidate) > _MAX_ID and out:
            break
        out = candidate[:_MAX_ID]
    return out


class IdMaker:
    """Gives unique ids derived from names, never the reserved ``end``.

    >>> ids = IdMaker()
    >>> ids.make("Check"), ids.make("check"), ids.make("", fallback="step"), ids.make("End")
    ('check', 'check_2', 'step', 'end_step')
    """

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self.taken = set(taken)

    def make(self, name: str, *, fallback: str = "item", separator: str = "_") -> str:
        base = slug(name, separator) or fallback
        if base == "end":
            base = "end_step"
        candidate, number = base, 1
        while candidate in self.taken:
            number += 1
            candidate = f"{base}{separator}{number}"
        self.taken.add(candidate)
        return candidate

    def claim(self, ident: str) -> bool:
        """Take ``ident`` as it is; False where it is already taken."""
        if ident in self.taken:
            return False
        self.taken.add(ident)
        return True


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


def comment_text(text: str, limit: int = 160) -> str:
    """Text safe inside a one-line YAML comment: no line breaks, no control characters.

    >>> comment_text("two\\nlines")
    'two lines'
    """
    flat = " ".join("".join(ch if _PRINTABLE.match(ch) else " " for ch in text).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
