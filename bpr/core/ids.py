"""The one id maker: readable, distinct ids for the format from names in any script.

The format's ids are ASCII letters, digits, ``_`` and ``-``. Names of steps, actors and
documents come in Russian, Uzbek, Kazakh, Azerbaijani and other languages; every module that
makes an id from a name (BPMN import, mining, conformance, ``bpr init``) goes through
:func:`slug` and :class:`IdMaker`, so that the same name always gives the same id.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from anyascii import anyascii

from bpr.core.model import END

__all__ = ["IdMaker", "slug"]

# Russian, Uzbek, Kazakh and Ukrainian Cyrillic to Latin in the spelling readers of those
# languages expect (the rest of the world's scripts go through anyascii).
_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "ў": "o", "қ": "q", "ғ": "g", "ҳ": "h", "ә": "a", "ө": "o", "ү": "u",
    "ұ": "u", "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ң": "ng", "һ": "h",
}  # fmt: skip
# Azerbaijani and Uzbek Latin letters that do not decompose into ASCII.
_LATIN = {"ə": "e", "ı": "i", "ş": "sh", "ç": "ch", "ğ": "g", "ñ": "ng"}
# The apostrophes of Uzbek Latin (oʻ, gʻ, and the tutuq belgisi ʼ) are part of a letter,
# not a break between words.
_APOSTROPHES = dict.fromkeys(map(ord, "'`\u02bb\u02bc\u2018\u2019"), None)
_WORDS = re.compile(r"[a-z0-9]+")
_MAX_ID = 40


def slug(text: str, separator: str = "_") -> str:
    """Lower-case ASCII words of ``text`` joined by ``separator``; empty where none remain.

    >>> slug("Obtain the cadastral plan!"), slug("Проверка заявления"), slug("Café 2", "-")
    ('obtain_the_cadastral_plan', 'proverka_zayavleniya', 'cafe-2')
    >>> slug("Ərizənin qəbulu"), slug("Oʻzbekiston gʻalla"), slug("Қабылдау")
    ('erizenin_qebulu', 'ozbekiston_galla', 'qabyldau')
    """
    lowered = text.lower().translate(_APOSTROPHES)
    lowered = "".join(_CYRILLIC.get(ch, _LATIN.get(ch, ch)) for ch in lowered)
    decomposed = unicodedata.normalize("NFKD", lowered)
    ascii_text = anyascii(decomposed).lower()
    out = ""
    for word in _WORDS.findall(ascii_text):
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
        """A new id for ``name``: its slug, or ``fallback``, numbered where already taken."""
        base = slug(name, separator) or fallback
        if base == END:
            base = f"{END}_step"
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
