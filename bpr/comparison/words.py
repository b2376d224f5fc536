"""The words bpr writes about documents, actors and counts, chosen by what a thing is.

A ministry reader takes a sentence at its word: a bank receipt called a "certificate", or a
notarised contract called one, is a mistake in a note to a minister. The noun of a document
follows its ``kind`` (format additions: ``certificate``, ``form``, ``receipt``, ``identity``,
``contract``, ``decision``, ``permit``, ``object``, ``other``); a file that gives no kind gets
the format's default, ``certificate`` where the document has an ``issuer`` and ``form``
without one.

>>> from bpr.core.model import Document
>>> document_kind(Document("r", "Bank receipt", issuer="bank"))
'certificate'
>>> documents_noun([Document("p", "Passport"), Document("f", "Form")])
('form', 'forms')
>>> count(1, "visit"), count(3, "agency", "agencies"), join(["a", "b", "c"])
('1 visit', '3 agencies', 'a, b and c')
"""

from __future__ import annotations

from collections.abc import Iterable

from bpr.core.model import Actor, Document

__all__ = [
    "DOCUMENT_NOUNS",
    "be",
    "count",
    "document_kind",
    "documents_noun",
    "is_system",
    "join",
]

#: The noun (singular, plural) bpr writes for a document of each kind.
DOCUMENT_NOUNS: dict[str, tuple[str, str]] = {
    "certificate": ("certificate", "certificates"),
    "form": ("form", "forms"),
    "receipt": ("payment receipt", "payment receipts"),
    "identity": ("identity document", "identity documents"),
    "contract": ("contract", "contracts"),
    "decision": ("decision", "decisions"),
    "permit": ("permit", "permits"),
    "object": ("physical item", "physical items"),
    "other": ("document", "documents"),
}


def document_kind(document: Document) -> str:
    """The document's kind as written, else the format's default for it."""
    if document.kind is not None:
        return document.kind
    return "certificate" if document.issuer is not None else "form"


def documents_noun(documents: Iterable[Document]) -> tuple[str, str]:
    """The noun (singular, plural) for documents: their kind's where they share one, else
    *document*."""
    kinds = {document_kind(d) for d in documents}
    return DOCUMENT_NOUNS[kinds.pop() if len(kinds) == 1 else "other"]


def is_system(actor: Actor) -> bool:
    """Whether the actor is an information system (``kind: system``): its steps are automatic
    work, and work moved to it is automation, not delegation."""
    return actor.is_system


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``1 step``, ``2 steps``; ``plural`` where the noun does not just take an *s*."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def be(n: int) -> str:
    """``is`` for one, ``are`` for more."""
    return "is" if n == 1 else "are"


def join(items: Iterable[str]) -> str:
    """Items joined by commas, the last by *and*."""
    words = list(items)
    if len(words) <= 2:
        return " and ".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
