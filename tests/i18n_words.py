"""The English words of bpr's own vocabulary, to find any left in output of another language.

The vocabulary is every word of three or more letters in the message ids of the catalogues'
source (what bpr writes in English), less the words every language keeps in Latin letters
(As-Is, To-Be, BPR, BPMN, file formats and units). A Russian diagram, diff or lint report that
still contains one of these words has an untranslated message.

    from tests.i18n_words import english_words
    assert english_words(russian_text, allowed=model_names) == set()
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Written the same in every language (the glossary's "kept in Latin" rows) or not words.
KEPT: frozenset[str] = frozenset(
    {
        "as-is",
        "to-be",
        "is",  # of As-Is
        "be",  # of To-Be
        "bpr",
        "bpmn",
        "yaml",
        "json",
        "html",
        "pdf",
        "docx",
        "xlsx",
        "svg",
        "png",
        "csv",
        "xes",
        "dot",
        "scm",
        "bpr_lang",
        "utf",
    }
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]")


@functools.cache
def vocabulary() -> frozenset[str]:
    """The English words of every message the catalogues' source holds (lower case)."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file  # dev-only tool

    words: set[str] = set()
    for path in (ROOT / "bpr").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "domain(" not in text:
            continue
        for _, message, _, _ in extract_from_file("python", path, keywords=DEFAULT_KEYWORDS):
            for part in message if isinstance(message, tuple) else (message,):
                # the {placeholders} are filled in, not written
                for word in _WORD.findall(re.sub(r"\{[^{}]*\}", " ", part)):
                    if len(word) >= 3:
                        words.add(word.lower())
    return frozenset(words - KEPT)


def english_words(text: str, allowed: Iterable[str] = ()) -> set[str]:
    """The words of bpr's English vocabulary that ``text`` contains, other than ``allowed``
    (such as the model's own ids and names, which are the analyst's, not bpr's)."""
    allowed_words = {w.lower() for item in allowed for w in _WORD.findall(item)}
    found = {w.lower() for w in _WORD.findall(text)}
    return (found & vocabulary()) - allowed_words
