"""The words bpr writes about documents, actors and counts, chosen by what a thing is.

A ministry reader takes a sentence at its word: a bank receipt called a "certificate", or a
notarised contract called one, is a mistake in a note to a minister. The noun of a document
follows its ``kind`` (format additions: ``certificate``, ``form``, ``receipt``, ``identity``,
``contract``, ``decision``, ``permit``, ``object``, ``other``); a file that gives no kind gets
the format's default, ``certificate`` where the document has an ``issuer`` and ``form``
without one.

Every word comes from the ``diff`` catalogue in the current language (:mod:`bpr.core.i18n`):
a count is one plural message per noun, a list is joined by the language's own pattern.

>>> from bpr.core.model import Document
>>> document_kind(Document("r", "Bank receipt", issuer="bank"))
'certificate'
>>> documents_count([Document("p", "Passport"), Document("f", "Form")])
'2 forms'
>>> join(["a", "b", "c"]), quoted("Apply"), number(1234.5)
('a, b and c', 'Apply', '1,234.50')
>>> with i18n.use("ru"):
...     join(["a", "b", "c"]), quoted("Подать"), number(1234.5)
('a, b и c', '«Подать»', '1\xa0234,50')
"""

from __future__ import annotations

from collections.abc import Sequence

from bpr.analysis.table import format_number
from bpr.core import i18n
from bpr.core.i18n import domain
from bpr.core.model import Actor, Document
from bpr.core.vocab import DOCUMENT_KINDS
from bpr.core.words import join_words as join

__all__ = [
    "DOCUMENT_KINDS",
    "document_kind",
    "documents_count",
    "is_system",
    "join",
    "number",
    "quoted",
]

_, ngettext, pgettext = domain("diff")


def document_kind(document: Document) -> str:
    """The document's kind as written, else the format's default for it."""
    if document.kind is not None:
        return document.kind
    return "certificate" if document.issuer is not None else "form"


def documents_count(documents: Sequence[Document]) -> str:
    """``2 certificates``, ``1 payment receipt``: the count with the noun of the documents'
    kind where they share one, else *document*."""
    kinds = {document_kind(d) for d in documents}
    kind = kinds.pop() if len(kinds) == 1 else "other"
    n = len(documents)
    if kind == "certificate":
        text = ngettext("{n} certificate", "{n} certificates", n)
    elif kind == "form":
        text = ngettext("{n} form", "{n} forms", n)
    elif kind == "receipt":
        text = ngettext("{n} payment receipt", "{n} payment receipts", n)
    elif kind == "identity":
        text = ngettext("{n} identity document", "{n} identity documents", n)
    elif kind == "contract":
        text = ngettext("{n} contract", "{n} contracts", n)
    elif kind == "decision":
        text = ngettext("{n} decision", "{n} decisions", n)
    elif kind == "permit":
        text = ngettext("{n} permit", "{n} permits", n)
    elif kind == "object":
        text = ngettext("{n} physical item", "{n} physical items", n)
    else:
        text = ngettext("{n} document", "{n} documents", n)
    return text.format(n=n)


def is_system(actor: Actor) -> bool:
    """Whether the actor is an information system (``kind: system``): its steps are automatic
    work, and work moved to it is automation, not delegation."""
    return actor.is_system


def quoted(name: str) -> str:
    """A model's name inside a sentence, quoted the language's way (English: as it is)."""
    # TRANSLATORS: a step's or a document's name inside a sentence; quote it as your
    # language does in running text (Russian: «{name}»), or leave it as it is
    return pgettext("name in a sentence", "{name}").format(name=name)


def number(value: object) -> str:
    """A number as the tables write it (:func:`bpr.analysis.table.format_number`: thousands
    grouped, whole numbers without decimals, None as a dash), in the language's way."""
    with i18n.use("en"):  # the English figure, whatever the formatter does with the language
        text = format_number(value)
    return i18n.numeral(text)
