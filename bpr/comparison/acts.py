"""The law behind a redesign: the provisions to amend and the provisions the To-Be relies on.

A step, a document or a fee exists because a provision imposes it (format additions: ``acts``
and ``basis``); a redesign that removes it needs that provision amended. :func:`act_changes`
reads the ``basis`` of both variants:

- **to amend**: each provision (act and article) that an As-Is step or document cites, where
  the To-Be removes that step, no longer needs that document, or no longer asks the applicant
  to bring it (now exchanged);
- **new**: each provision that the To-Be cites (on the service, a step or a document) and the
  As-Is cites nowhere.

Acts are matched by id across the two files; a bare act id cites the act as a whole (article
``None``).

>>> import bpr
>>> head = ("bpr: 1\\nservice: s\\nactors: {a: {name: A}}\\n"
...         "acts: {code: {title: Tax Code}}\\n")
>>> old = bpr.loads(head + "variant: as-is\\n"
...     "steps: [{id: x, actor: a}, {id: y, actor: a, basis: [{act: code, article: '5'}]}]")
>>> new = bpr.loads(head + "variant: to-be\\nbasis: [code]\\nsteps: [{id: x, actor: a}]")
>>> changes = act_changes(old, new, ["y"], [], [])
>>> [c.as_dict() for c in changes.to_amend], [c.as_dict() for c in changes.new]
([{'act': 'code', 'article': '5', 'for': ['y']}], [{'act': 'code', 'article': None, 'for': []}])
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bpr.core import i18n
from bpr.core.i18n import domain
from bpr.core.model import Document, Model, Step

__all__ = [
    "ActChanges",
    "Provision",
    "act_changes",
    "act_title",
    "citations",
    "provision_title",
]

_ = domain("diff").gettext


@dataclass(frozen=True)
class Provision:
    """A provision (an act and, where given, its article) and what it is cited for.

    ``for_ids`` are the ids of the steps and documents concerned, in file order (steps first);
    an empty list for a provision the service itself rests on (the top-level ``basis``).
    """

    act: str
    article: str | None
    for_ids: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The spec's ``{"act", "article", "for"}``."""
        return {"act": self.act, "article": self.article, "for": list(self.for_ids)}


@dataclass(frozen=True)
class ActChanges:
    """The provisions a redesign needs amended and the ones the To-Be newly relies on."""

    to_amend: tuple[Provision, ...] = ()
    new: tuple[Provision, ...] = ()
    #: Act id -> the act's title with its number and date, from either file (To-Be first).
    titles: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.to_amend or self.new)

    def as_dict(self) -> dict[str, Any]:
        """The ``acts`` object of ``bpr diff --json``."""
        return {
            "to_amend": [p.as_dict() for p in self.to_amend],
            "new": [p.as_dict() for p in self.new],
        }


def citations(item: Model | Step | Document) -> list[tuple[str, str | None]]:
    """The ``(act, article)`` pairs an item's ``basis`` cites (article None for a bare id)."""
    return [(entry.act, entry.article) for entry in item.basis]


def act_title(model: Model, act_id: str) -> str:
    """The act's title with its number and date where the title does not already hold them:
    ``Tax Code, No. 2370 of 2007-12-25``; the id where the file does not declare the act.

    The date is written as the output language cites acts (:func:`bpr.core.i18n.date`):
    ``2007-12-25`` in English, ``25.12.2007`` in Russian.
    """
    act = model.acts.get(act_id)
    if act is None:
        return act_id
    title = " ".join((act.title or act_id).split())
    number = act.number if act.number and act.number not in title else None
    date = i18n.date(act.date) if act.date is not None else None
    if act.date is not None and (act.date.isoformat() in title or (date or "") in title):
        date = None
    if number and date:
        text = _("{title}, No. {number} of {date}")
    elif number:
        text = _("{title}, No. {number}")
    elif date:
        # TRANSLATORS: an act and the date it was adopted (as the language writes dates)
        text = _("{title} of {date}")
    else:
        return title
    return text.format(title=title, number=number, date=date)


def provision_title(changes: ActChanges, provision: Provision) -> str:
    """The act's title with the article: ``Tax Code, No. 2370, art. 5``; an article not
    written as a number stands as written (``Tax Code, para. 3``)."""
    title = changes.titles.get(provision.act, provision.act)
    if not provision.article:
        return title
    article = " ".join(provision.article.split())
    if article[:1].isdigit():
        return _("{title}, art. {article}").format(title=title, article=article)
    return f"{title}, {article}"


def act_changes(
    as_is: Model,
    to_be: Model,
    removed_steps: Sequence[str],
    removed_documents: Sequence[str],
    now_exchanged_documents: Sequence[str],
) -> ActChanges:
    """The provisions to amend and the new ones, from the ``basis`` of both files."""
    gone = [*removed_steps]
    dropped = [*removed_documents, *now_exchanged_documents]
    to_amend = _grouped(
        (citation, step.id)
        for step in as_is.steps
        if step.id in gone
        for citation in citations(step)
    )
    to_amend = _merge(
        to_amend,
        _grouped(
            (citation, doc_id)
            for doc_id, doc in as_is.documents.items()
            if doc_id in dropped
            for citation in citations(doc)
        ),
    )
    before = set(_everything(as_is))
    new = _grouped(
        (citation, owner)
        for citation, owner in _everything_with_owner(to_be)
        if citation not in before
    )
    titles = {act_id: act_title(as_is, act_id) for act_id in as_is.acts}
    titles.update({act_id: act_title(to_be, act_id) for act_id in to_be.acts})
    return ActChanges(tuple(to_amend), tuple(new), titles)


def _everything_with_owner(model: Model) -> list[tuple[tuple[str, str | None], str | None]]:
    """Every citation of a file with what cites it: None for the service, else an id."""
    found: list[tuple[tuple[str, str | None], str | None]] = [(c, None) for c in citations(model)]
    found += [(c, step.id) for step in model.steps for c in citations(step)]
    found += [(c, doc_id) for doc_id, doc in model.documents.items() for c in citations(doc)]
    return found


def _everything(model: Model) -> list[tuple[str, str | None]]:
    return [c for c, _ in _everything_with_owner(model)]


def _grouped(
    pairs: Iterable[tuple[tuple[str, str | None], str | None]],
) -> list[Provision]:
    """One provision per (act, article), in the order first cited, with what cites it."""
    order: dict[tuple[str, str | None], list[str]] = {}
    for citation, owner in pairs:
        owners = order.setdefault(citation, [])
        if owner is not None and owner not in owners:
            owners.append(owner)
    return [Provision(act, article, tuple(owners)) for (act, article), owners in order.items()]


def _merge(first: list[Provision], second: list[Provision]) -> list[Provision]:
    merged: dict[tuple[str, str | None], list[str]] = {}
    for provision in [*first, *second]:
        owners = merged.setdefault((provision.act, provision.article), [])
        owners += [o for o in provision.for_ids if o not in owners]
    return [Provision(act, article, tuple(owners)) for (act, article), owners in merged.items()]
