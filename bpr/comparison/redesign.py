"""The redesign classifier: which redesign practices the changes from one variant to another
apply, each with a sentence to paste into a report.

The classes follow the best practices of Reijers and Limam Mansar (2005) and the
e-government practice of once-only data exchange; :data:`REDESIGN_KINDS` lists them in report
order. :func:`classify` reads the step and document changes that :func:`bpr.comparison.compare`
found; every name in a sentence is one line of model text fit for a terminal
(:func:`bpr.core.text.for_terminal`), so the sentences can go into any report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

from bpr.comparison.acts import ActChanges, Provision, provision_title
from bpr.comparison.order import StepOrder, in_file_order, order_flips
from bpr.comparison.pairs import group_pairs, parallel_groups
from bpr.comparison.words import document_kind, documents_count, is_system, join, quoted
from bpr.core import i18n
from bpr.core.i18n import N_, domain
from bpr.core.model import Actor, Document, Model, Step
from bpr.core.text import for_terminal

__all__ = [
    "CONTACT_CHANNELS",
    "REDESIGN_KINDS",
    "Changes",
    "Redesign",
    "classify",
]

_, ngettext, pgettext = domain("diff")

#: Channels over which the applicant and an agency are in contact (a visit, a web form, a call,
#: a letter); ``automatic`` and ``internal`` steps are not contacts.
CONTACT_CHANNELS = ("in-person", "online", "phone", "post")

#: The redesign classes, in report order: kind -> (title, what it detects). The kinds follow
#: the best practices of Reijers and Limam Mansar (2005) and the e-government practice of
#: once-only data exchange, single windows and proactive services (docs/comparison.md maps
#: each to its heuristic).
REDESIGN_KINDS: dict[str, tuple[str, str]] = {
    "task-elimination": (
        N_("Task elimination"),
        "As-Is steps that no To-Be step keeps or replaces.",
    ),
    "requirement-abolished": (
        N_("Requirement abolished"),
        "A document the applicant had to provide is no longer required at all (not exchanged "
        "instead): the provision that asked for it is amended.",
    ),
    "integration": (
        N_("Integration"),
        "Several As-Is steps merged into one To-Be step through replaces (task composition).",
    ),
    "automation": (
        N_("Task automation"),
        "A step, or the step that replaces it, is now automatic or done by an information "
        "system (an actor of kind system).",
    ),
    "proactive-service": (
        N_("Proactive service"),
        "The agency starts the case itself: the As-Is began with the applicant, the To-Be does "
        "not (maturity stage 4).",
    ),
    "pre-filled-form": (
        N_("Pre-filled form"),
        "A form the applicant filled in is now prepared by the agency or its system.",
    ),
    "digitisation": (
        N_("Digitisation"),
        "A step done in person, by post or by phone is now done online.",
    ),
    "remote-channel": (
        N_("Remote channel"),
        "A step done in person is now done by post or by phone (remote, not digital).",
    ),
    "once-only": (
        N_("Once-only"),
        "A document the applicant brought is now exchanged between agencies, or still issued "
        "but no longer shown to another office.",
    ),
    "single-window": (
        N_("Single window"),
        "One front-office actor takes over the applicant's contacts with other agencies "
        "(case manager).",
    ),
    "contact-reduction": (
        N_("Contact reduction"),
        "Fewer visits to an office, or fewer contacts between the applicant and the agencies.",
    ),
    "parallelism": (
        N_("Parallelism"),
        "Steps that ran one after the other now run in branches of one parallel split.",
    ),
    "resequencing": (
        N_("Resequencing"),
        "Two steps kept in both variants now run in the opposite order.",
    ),
    "trusted-party": (
        N_("Trusted party"),
        "The work of an agency's staff is now done by another organisation the case already "
        "goes through (such as a notary), whose result the agency relies on.",
    ),
    "delegation": (
        N_("Delegation"),
        "The work of a staff step moved to other staff or another agency.",
    ),
    "numerical-involvement": (
        N_("Numerical involvement"),
        "Fewer agencies (or, with as many agencies, fewer actors) take part in the process.",
    ),
}

# Sentences about pairs of steps (parallelism, resequencing) name at most this many steps per
# part and this many parts: a To-Be that reorders everything must still give a sentence.
_LISTED = 6


@dataclass(frozen=True, eq=False)
class Redesign:
    """One classified change: which redesign practice, a sentence for reports, what it concerns.

    ``words`` is the sentence: a text, or a function that writes it in the current language
    (:mod:`bpr.core.i18n`), so that one comparison reads in whichever language a report is
    written in; :attr:`title` and :attr:`sentence` are read in the current language, and
    :meth:`as_dict` (the JSON contract) is always English. ``steps`` are step ids of either
    file (an id in both files is the same step); ``documents`` are document ids.

    >>> r = Redesign("once-only", "No visit.", ("x",))
    >>> r.title, r.sentence, r.steps
    ('Once-only', 'No visit.', ('x',))
    """

    kind: str
    words: str | Callable[[], str] = field(repr=False)
    steps: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        """The name of the redesign practice (:data:`REDESIGN_KINDS`)."""
        known = REDESIGN_KINDS.get(self.kind)
        return _(known[0]) if known else self.kind

    @property
    def sentence(self) -> str:
        """What the redesign changes, in one sentence to paste into a report."""
        return self.words if isinstance(self.words, str) else self.words()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Redesign):
            return NotImplemented
        return self.as_dict() == other.as_dict()

    def __hash__(self) -> int:
        return hash((self.kind, self.steps, self.documents))

    def __repr__(self) -> str:
        return f"Redesign({self.kind!r}, {self.sentence!r}, {self.steps!r}, {self.documents!r})"

    def as_dict(self) -> dict[str, Any]:
        """The ``redesign`` entry of ``bpr diff --json``: its words in English."""
        with i18n.use("en"):
            return {
                "kind": self.kind,
                "title": self.title,
                "sentence": self.sentence,
                "steps": list(self.steps),
                "documents": list(self.documents),
            }


class _Figures(Protocol):
    """A measure before and after (:class:`bpr.comparison.MeasureChange`)."""

    @property
    def before(self) -> float | int | None: ...

    @property
    def after(self) -> float | int | None: ...


class Changes(Protocol):
    """What the classifier reads of a comparison (:class:`bpr.comparison.Comparison` has it)."""

    @property
    def as_is(self) -> Model: ...

    @property
    def to_be(self) -> Model: ...

    @property
    def removed_steps(self) -> Sequence[str]: ...

    @property
    def removed_documents(self) -> Sequence[str]: ...

    @property
    def now_exchanged_documents(self) -> Sequence[str]: ...

    @property
    def sources(self) -> Mapping[str, Sequence[str]]:
        """To-Be step id -> the As-Is steps it stands for, in As-Is order."""

    @property
    def measures(self) -> Mapping[str, _Figures]: ...

    @property
    def acts(self) -> ActChanges:
        """The provisions to amend and those the To-Be newly relies on."""


def classify(changes: Changes) -> list[Redesign]:
    """The redesigns that ``changes`` apply, in the order of :data:`REDESIGN_KINDS`.

    >>> from bpr.comparison import compare
    >>> from bpr.files.load import loads
    >>> head = "bpr: 1\\nservice: s\\nactors: {a: {name: Desk}}\\n"
    >>> old = loads(head + "variant: as-is\\nsteps: [{id: x, actor: a, channel: in-person}]")
    >>> new = loads(head + "variant: to-be\\nsteps: [{id: x, actor: a, channel: online}]")
    >>> for redesign in classify(compare(old, new)):
    ...     print(f"{redesign.title}: {redesign.sentence}")
    Digitisation: 1 step that needed a visit is now done online: x.
    Contact reduction: The applicant no longer visits any office (1 visit before).
    """
    return _Classifier(changes).run()


class _Classifier:
    """Recognises the redesign practices that the differences between two variants apply."""

    def __init__(self, changes: Changes) -> None:
        self.c = changes
        self.old = changes.as_is
        self.new = changes.to_be
        self.orders = (StepOrder(self.old), StepOrder(self.new))

    def run(self) -> list[Redesign]:
        found = {
            "task-elimination": self.task_elimination(),
            "requirement-abolished": self.requirement_abolished(),
            "integration": self.integration(),
            "automation": self.automation(),
            "proactive-service": self.proactive_service(),
            "pre-filled-form": self.pre_filled_form(),
            "digitisation": self.digitisation(),
            "remote-channel": self.remote_channel(),
            "once-only": self.once_only(),
            "single-window": self.single_window(),
            "contact-reduction": self.contact_reduction(),
            "parallelism": self.parallelism(),
            "resequencing": self.resequencing(),
            "trusted-party": self.trusted_party(),
            "delegation": self.delegation(),
            "numerical-involvement": self.numerical_involvement(),
        }
        return [r for r in (found.get(kind) for kind in REDESIGN_KINDS) if r is not None]

    def make(
        self,
        kind: str,
        words: Callable[[], str],
        steps: Iterable[str] = (),
        documents: Iterable[str] = (),
    ) -> Redesign:
        return Redesign(kind, words, tuple(dict.fromkeys(steps)), tuple(documents))

    def old_name(self, step_id: str) -> str:
        return for_terminal(self.old.step(step_id).label)

    def new_name(self, step_id: str) -> str:
        return for_terminal(self.new.step(step_id).label)

    def new_actor_name(self, step_id: str) -> str:
        return for_terminal(self.new.actors[self.new.step(step_id).actor].name)

    def old_documents(self, documents: Iterable[str]) -> list[Document]:
        return [self.old.documents[d] for d in documents]

    def task_elimination(self) -> Redesign | None:
        removed = self.c.removed_steps
        if not removed:
            return None
        names = [self.old_name(s) for s in removed]

        def words() -> str:
            n = len(names)
            return ngettext(
                "{n} step is no longer done: {steps}.", "{n} steps are no longer done: {steps}.", n
            ).format(n=n, steps=_names(names))

        return self.make("task-elimination", words, removed)

    def integration(self) -> Redesign | None:
        merges = [(new, olds) for new, olds in self.c.sources.items() if len(olds) > 1]
        if not merges:
            return None
        total = sum(len(olds) for _new, olds in merges)
        named = [([self.old_name(o) for o in olds], self.new_name(new)) for new, olds in merges]

        def words() -> str:
            parts = [
                # TRANSLATORS: several As-Is steps merged into one To-Be step
                _("{steps} become {step}").format(steps=_names(olds), step=quoted(new))
                for olds, new in named
            ]
            return ngettext(
                "{total} step is merged into {n}: {merges}.",
                "{total} steps are merged into {n}: {merges}.",
                total,
            ).format(total=total, n=len(named), merges="; ".join(parts))

        steps = [s for new, olds in merges for s in (*olds, new)]
        return self.make("integration", words, steps)

    @cached_property
    def pairs(self) -> list[tuple[str, Step, Step]]:
        """(To-Be id, As-Is step, To-Be step) for every To-Be step and what it stands for."""
        return [
            (new_id, self.old.step(old_id), self.new.step(new_id))
            for new_id, olds in self.c.sources.items()
            for old_id in olds
        ]

    def automation(self) -> Redesign | None:
        """Steps now automatic, or now done by an information system (``kind: system``)."""
        automatic: dict[str, None] = {}
        by_system: dict[str, None] = {}
        for new_id, old, new in self.pairs:
            if new.channel == "automatic" and old.channel != "automatic":
                automatic[new_id] = None
            elif is_system(self.new.actors[new.actor]) and not is_system(
                self.old.actors[old.actor]
            ):
                by_system[new_id] = None
        by_system = {s: None for s in by_system if s not in automatic}
        if not automatic and not by_system:
            return None
        done = [self.new_name(s) for s in automatic]
        systems = [(self.new_name(s), self.new_actor_name(s)) for s in by_system]

        def words() -> str:
            parts = []
            if done:
                n = len(done)
                parts.append(
                    ngettext(
                        "{n} step is now done automatically: {steps}",
                        "{n} steps are now done automatically: {steps}",
                        n,
                    ).format(n=n, steps=_names(done))
                )
            if systems:
                n = len(systems)
                listed = join(f"{quoted(step)} ({actor})" for step, actor in systems)
                parts.append(
                    ngettext(
                        "{n} step is now done by an information system: {steps}",
                        "{n} steps are now done by an information system: {steps}",
                        n,
                    ).format(n=n, steps=listed)
                )
            return _sentence(parts)

        return self.make("automation", words, in_file_order(self.new, [*automatic, *by_system]))

    def proactive_service(self) -> Redesign | None:
        """The As-Is case starts with the applicant (their own step, or a contact with an
        office); the To-Be case starts with the agency's own work (an internal or automatic
        step of staff or a system)."""
        old_first, new_first = self.old.first, self.new.first
        if not _applicant_starts(self.old, old_first) or _applicant_starts(self.new, new_first):
            return None
        stage = self.c.measures.get("derived_maturity")
        proactive = self.new.maturity == 4 or (stage is not None and stage.after == 4)
        first, actor = self.new_name(new_first.id), self.new_actor_name(new_first.id)
        before = self.old_name(old_first.id)

        def words() -> str:
            if proactive:
                text = _(
                    "The agency starts the case itself: it begins with {step} ({actor}) instead "
                    "of the applicant's {applicant_step}; a proactive service (maturity stage 4)."
                )
            else:
                text = _(
                    "The agency starts the case itself: it begins with {step} ({actor}) instead "
                    "of the applicant's {applicant_step}."
                )
            return text.format(step=quoted(first), actor=actor, applicant_step=quoted(before))

        return self.make("proactive-service", words, [old_first.id, new_first.id])

    @cached_property
    def prepared_forms(self) -> dict[str, list[str]]:
        """To-Be step -> the As-Is forms it prepares: a form the applicant filled in (produced
        at the applicant's own step) that a step of the agency or its system, standing for
        that step and producing a document, now prepares."""
        found: dict[str, list[str]] = {}
        for new_id, old, new in self.pairs:
            if not self.old.actors[old.actor].is_applicant:
                continue
            if self.new.actors[new.actor].is_applicant or not new.produces:
                continue
            forms = [
                d
                for d in old.produces
                if d in self.old.documents and document_kind(self.old.documents[d]) == "form"
            ]
            if forms:
                found.setdefault(new_id, [])
                found[new_id] += [f for f in forms if f not in found[new_id]]
        return found

    def pre_filled_form(self) -> Redesign | None:
        found = self.prepared_forms
        if not found:
            return None
        named = [
            (self.new_name(new_id), self.new_actor_name(new_id), self.doc_names(forms))
            for new_id, forms in found.items()
        ]

        def words() -> str:
            return _sentence(
                [
                    _(
                        "{step} ({actor}) prepares what the applicant filled in before: {documents}"
                    ).format(step=quoted(step), actor=actor, documents=_names(forms))
                    for step, actor, forms in named
                ]
            )

        steps = [*found, *(o for n in found for o in self.c.sources[n])]
        documents = list(dict.fromkeys(d for forms in found.values() for d in forms))
        return self.make("pre-filled-form", words, steps, documents)

    def digitisation(self) -> Redesign | None:
        """Visits, letters and calls that are now done online."""
        moved: dict[str, dict[str, None]] = {"in-person": {}, "post": {}, "phone": {}}
        for new_id, old, new in self.pairs:
            if new.channel == "online" and old.channel in moved:
                moved[old.channel][new_id] = None
        seen: set[str] = set()
        found: list[tuple[str, list[str]]] = []
        for channel in ("in-person", "post", "phone"):
            steps = [s for s in moved[channel] if s not in seen]
            seen.update(steps)
            if steps:
                found.append((channel, [self.new_name(s) for s in steps]))
        if not found:
            return None

        def words() -> str:
            parts = []
            for channel, names in found:
                n = len(names)
                if channel == "in-person":
                    text = ngettext(
                        "{n} step that needed a visit is now done online: {steps}",
                        "{n} steps that needed a visit are now done online: {steps}",
                        n,
                    )
                elif channel == "post":
                    text = ngettext(
                        "{n} step done by post is now done online: {steps}",
                        "{n} steps done by post are now done online: {steps}",
                        n,
                    )
                else:
                    text = ngettext(
                        "{n} step done by phone is now done online: {steps}",
                        "{n} steps done by phone are now done online: {steps}",
                        n,
                    )
                parts.append(text.format(n=n, steps=_names(names)))
            return _sentence(parts)

        return self.make("digitisation", words, in_file_order(self.new, seen))

    def remote_channel(self) -> Redesign | None:
        """Visits that are now letters or calls: remote, but not digital."""
        moved: dict[str, None] = {}
        for new_id, old, new in self.pairs:
            if old.channel == "in-person" and new.channel in ("post", "phone"):
                moved[new_id] = None
        if not moved:
            return None
        named = [(self.new_name(s), self.new.step(s).channel) for s in moved]

        def words() -> str:
            n = len(named)
            listed = join(f"{quoted(name)} ({_remote(channel)})" for name, channel in named)
            return ngettext(
                "{n} step that needed a visit is now done at a distance: {steps}; remote, not "
                "yet online.",
                "{n} steps that needed a visit are now done at a distance: {steps}; remote, not "
                "yet online.",
                n,
            ).format(n=n, steps=listed)

        return self.make("remote-channel", words, in_file_order(self.new, moved))

    def dropped(self) -> tuple[list[str], list[str]]:
        """The documents no longer asked for that the applicant brought: those the To-Be
        still issues (produces) and those it neither asks for nor issues."""
        dropped = [d for d in self.c.removed_documents if not self.old.documents[d].exchange]
        issued = {d for s in self.new.steps for d in s.produces}
        return [d for d in dropped if d in issued], [d for d in dropped if d not in issued]

    def requirement_abolished(self) -> Redesign | None:
        prepared = {d for forms in self.prepared_forms.values() for d in forms}
        abolished = [d for d in self.dropped()[1] if d not in prepared]
        if not abolished:
            return None
        makers = {s.id for s in self.old.steps if set(s.produces) & set(abolished)}
        law: list[Provision] = [
            p for p in self.c.acts.to_amend if set(p.for_ids) & (set(abolished) | makers)
        ]
        documents, names, acts = (
            self.old_documents(abolished),
            self.doc_names(abolished),
            self.c.acts,
        )

        def words() -> str:
            n = len(documents)
            if law:
                provisions = "; ".join(for_terminal(provision_title(acts, p)) for p in law)
                text = ngettext(
                    "{documents} is no longer required: {names}; the provisions to amend: "
                    "{provisions}.",
                    "{documents} are no longer required: {names}; the provisions to amend: "
                    "{provisions}.",
                    n,
                )
            else:
                provisions = ""
                text = ngettext(
                    "{documents} is no longer required: {names}.",
                    "{documents} are no longer required: {names}.",
                    n,
                )
            return _capital(
                text.format(
                    documents=documents_count(documents),
                    names=_names(names),
                    provisions=provisions,
                )
            )

        steps = [s.id for s in self.old.steps if set(s.needs) & set(abolished)]
        return self.make("requirement-abolished", words, steps, abolished)

    def once_only(self) -> Redesign | None:
        exchanged = self.c.now_exchanged_documents
        still_issued, _unused = self.dropped()
        if not exchanged and not still_issued:
            return None
        # a payment is verified, not its receipt fetched: receipts are worded apart
        receipts = [d for d in exchanged if document_kind(self.old.documents[d]) == "receipt"]
        papers = [d for d in exchanged if d not in receipts]
        paper_documents, paper_names = self.old_documents(papers), self.doc_names(papers)
        receipt_names, issued_names = self.doc_names(receipts), self.doc_names(still_issued)

        def words() -> str:
            parts = []
            if paper_documents:
                parts.append(
                    ngettext(
                        "{documents} is now obtained by the agencies themselves through data "
                        "exchange: {names}",
                        "{documents} are now obtained by the agencies themselves through data "
                        "exchange: {names}",
                        len(paper_documents),
                    ).format(documents=documents_count(paper_documents), names=_names(paper_names))
                )
            if receipt_names:
                parts.append(
                    _(
                        "the agencies now check the payment itself in the payment system instead "
                        "of asking for {documents}"
                    ).format(documents=_names(receipt_names))
                )
            if issued_names:
                parts.append(
                    ngettext(
                        "the applicant no longer has to show {documents} to another office (it "
                        "is still issued)",
                        "the applicant no longer has to show {documents} to another office (they "
                        "are still issued)",
                        len(issued_names),
                    ).format(documents=_names(issued_names))
                )
            return _sentence(parts)

        steps = [s.id for s in self.new.steps if set(s.needs) & set(exchanged)]
        steps += [s.id for s in self.old.steps if set(s.needs) & set(still_issued)]
        return self.make("once-only", words, steps, [*exchanged, *still_issued])

    def doc_names(self, documents: Iterable[str]) -> list[str]:
        return [for_terminal(self.old.documents[d].name) for d in documents]

    def single_window(self) -> Redesign | None:
        """A To-Be actor whose contacts with the applicant stand for at least two As-Is
        contacts of other actors, at least one of them of another organisation."""
        windows = self.windows
        if not windows:
            return None
        named, steps = [], []
        for actor_id, (orgs, contacts, now) in windows.items():
            named.append(
                (
                    for_terminal(self.new.actors[actor_id].name),
                    [for_terminal(o) for o in orgs],
                    len(contacts),
                    [self.new_name(s) for s in now],
                )
            )
            steps += [*contacts, *now]

        def words() -> str:
            return _sentence(
                [
                    ngettext(
                        "{actor} serves the applicant for {organisations}: {n} contact instead "
                        "of {before} ({steps})",
                        "{actor} serves the applicant for {organisations}: {n} contacts instead "
                        "of {before} ({steps})",
                        len(now),
                    ).format(
                        actor=actor,
                        organisations=join(orgs),
                        n=len(now),
                        before=before,
                        steps=_names(now),
                    )
                    for actor, orgs, before, now in named
                ]
            )

        return self.make("single-window", words, steps)

    @cached_property
    def windows(self) -> dict[str, tuple[list[str], list[str], list[str]]]:
        """To-Be front-office actor -> (the organisations it serves the applicant for, the
        As-Is contacts it takes over, its own contacts with the applicant)."""
        served: dict[str, dict[str, None]] = {}  # To-Be actor -> As-Is contact steps
        for _new_id, old, new in self.pairs:
            if new.channel not in CONTACT_CHANNELS or old.channel not in CONTACT_CHANNELS:
                continue
            actor, before = self.new.actors[new.actor], self.old.actors[old.actor]
            if actor.is_applicant or is_system(actor) or before.is_applicant:
                continue
            served.setdefault(new.actor, {})[old.id] = None
        found: dict[str, tuple[list[str], list[str], list[str]]] = {}
        for actor_id, contacts in served.items():
            own = _organisation(self.new.actors[actor_id])
            orgs = list(
                dict.fromkeys(
                    _organisation(self.old.actors[self.old.step(o).actor]) for o in contacts
                )
            )
            if len(contacts) < 2 or all(o == own for o in orgs):
                continue
            now = [
                s.id
                for s in self.new.steps
                if s.actor == actor_id and s.channel in CONTACT_CHANNELS
            ]
            found[actor_id] = (orgs, in_file_order(self.old, contacts), now)
        return found

    def contact_reduction(self) -> Redesign | None:
        visits = self.c.measures["visits"]
        before_contacts = sum(1 for s in self.old.steps if s.channel in CONTACT_CHANNELS)
        after_contacts = sum(1 for s in self.new.steps if s.channel in CONTACT_CHANNELS)
        fewer_visits = (
            visits.after is not None and visits.before is not None and visits.after < visits.before
        )
        if not fewer_visits and after_contacts >= before_contacts:
            return None
        visits_before, visits_after = visits.before, visits.after
        if visits_before == visits_after:
            visited = ""
        elif visits_after == 0:
            visited = "none"
        else:
            visited = "fewer"
        contacted = before_contacts != after_contacts

        def words() -> str:
            n = int(visits_before or 0) if visited == "none" else int(visits_after or 0)
            values = {
                "visits": ngettext("{n} visit", "{n} visits", n).format(n=n),
                "visits_before": _number(visits_before),
                "contacts": ngettext("{n} contact", "{n} contacts", after_contacts).format(
                    n=after_contacts
                ),
                "contacts_before": _number(before_contacts),
            }
            if visited == "none" and contacted:
                text = _(
                    "The applicant no longer visits any office ({visits} before) and has "
                    "{contacts} with the agencies in all instead of {contacts_before}."
                )
            elif visited == "none":
                text = _("The applicant no longer visits any office ({visits} before).")
            elif visited and contacted:
                text = _(
                    "The applicant makes {visits} to an office instead of {visits_before} and "
                    "has {contacts} with the agencies in all instead of {contacts_before}."
                )
            elif visited:
                text = _("The applicant makes {visits} to an office instead of {visits_before}.")
            else:
                text = _(
                    "The applicant has {contacts} with the agencies in all instead of "
                    "{contacts_before}."
                )
            return text.format(**values)

        gone = self.lost(lambda s: s.is_visit) + self.lost(lambda s: s.channel in CONTACT_CHANNELS)
        return self.make("contact-reduction", words, in_file_order(self.old, gone))

    def lost(self, kind: Callable[[Step], bool]) -> list[str]:
        """As-Is steps of a kind that no To-Be step of that kind carries on one to one."""
        carried: set[str] = set()
        for new_id, olds in self.c.sources.items():
            if kind(self.new.step(new_id)):
                heirs = [o for o in olds if kind(self.old.step(o))]
                if heirs:
                    carried.add(new_id if new_id in heirs else heirs[0])
        return [s.id for s in self.old.steps if kind(s) and s.id not in carried]

    def parallelism(self) -> Redesign | None:
        old_order, new_order = self.orders
        found = parallel_groups(old_order, new_order, self.c.sources, listed=_LISTED)
        if not found.count:
            return None
        named = [
            (self.new_name(head), [self.new_name(o) for o in others], total)
            for head, others, total in found.groups
        ]
        count = found.count

        def words() -> str:
            parts = [
                # TRANSLATORS: a step that now runs at the same time as other steps
                _("{step} alongside {steps}").format(
                    step=quoted(head),
                    steps=join(_first([quoted(o) for o in others], total, _LISTED, _other_steps)),
                )
                for head, others, total in named
            ]
            parts = _first(parts, count, _LISTED, _more_alongside)
            return _(
                "Steps that ran one after the other now run at the same time: {parts}."
            ).format(parts="; ".join(parts))

        return self.make("parallelism", words, found.steps)

    def resequencing(self) -> Redesign | None:
        old_order, new_order = self.orders
        kept = [s.id for s in self.new.steps if s.id in self.old]
        # a pair flips where a came before b and now comes after it
        flips = order_flips(old_order, new_order, kept)
        if not flips:
            return None
        named = [
            (
                self.new_name(head),
                [self.new_name(o) for o in others if new_order.before(o, head)],
                [self.new_name(o) for o in others if new_order.before(head, o)],
            )
            for head, others in _group(flips, self.new)
        ]

        def words() -> str:
            parts = []
            for head, after, before in named:
                listed = {
                    "step": quoted(head),
                    "after": join(_some([quoted(o) for o in after], _LISTED, _other_steps)),
                    "before": join(_some([quoted(o) for o in before], _LISTED, _other_steps)),
                }
                if after and before:
                    text = _("{step} now comes after {after} and before {before}")
                elif after:
                    text = _("{step} now comes after {after}")
                else:
                    text = _("{step} now comes before {before}")
                parts.append(text.format(**listed))
            parts = _some(parts, _LISTED, _more_moved)
            return _("Steps run in a new order: {parts}.").format(parts="; ".join(parts))

        return self.make(
            "resequencing", words, in_file_order(self.new, [s for f in flips for s in f])
        )

    @cached_property
    def moves(self) -> list[tuple[str, str, tuple[str, str, str], bool]]:
        """Staff work that other staff now do: (As-Is id, To-Be id, (step, who now, who
        before), trusted).

        Steps of the applicant, automatic steps and steps of information systems on either
        side are left to digitisation and automation. ``trusted`` marks work moved to another
        organisation whose actor the As-Is case already went through (a notary checking what
        the registry checked): the trusted-party practice.
        """
        found: list[tuple[str, str, tuple[str, str, str], bool]] = []
        in_as_is = {s.actor for s in self.old.steps}
        windowed = {  # contacts a single window took over are reported there
            (old_id, new_id)
            for actor_id, (_orgs, contacts, now) in self.windows.items()
            for old_id in contacts
            for new_id in now
        }
        for new_id, old, new in self.pairs:
            if (old.id, new_id) in windowed:
                continue
            old_actor, new_actor = self.old.actors[old.actor], self.new.actors[new.actor]
            if new.channel == "automatic" or old_actor.is_applicant or new_actor.is_applicant:
                continue
            if is_system(old_actor) or is_system(new_actor):
                continue
            # an actor whose id alone was renamed (same name, same agency) is the same actor
            if old.actor != new.actor and old_actor.name != new_actor.name:
                now, before = new_actor.name, old_actor.name
            elif old_actor.agency != new_actor.agency:
                now = new_actor.agency or new_actor.name
                before = old_actor.agency or old_actor.name
            else:
                continue
            trusted = (
                new.actor != old.actor
                and _organisation(new_actor) != _organisation(old_actor)
                and (new.actor in in_as_is or _buys_service(new))
            )
            moved = (self.old_name(old.id), for_terminal(now), for_terminal(before))
            found.append((old.id, new_id, moved, trusted))
        return found

    def trusted_party(self) -> Redesign | None:
        moves = [(o, n, moved) for o, n, moved, trusted in self.moves if trusted]
        if not moves:
            return None
        listed = [moved for _o, _n, moved in moves]

        def words() -> str:
            n = len(listed)
            return ngettext(
                "{n} step of an agency is now left to a trusted party whose result the agency "
                "relies on: {moves}.",
                "{n} steps of an agency are now left to a trusted party whose result the "
                "agency relies on: {moves}.",
                n,
            ).format(n=n, moves=_moves(listed))

        return self.make("trusted-party", words, [s for o, new, _m in moves for s in (o, new)])

    def delegation(self) -> Redesign | None:
        moves = [(o, n, moved) for o, n, moved, trusted in self.moves if not trusted]
        if not moves:
            return None
        listed = [moved for _o, _n, moved in moves]

        def words() -> str:
            n = len(listed)
            return ngettext(
                "{n} step moved to another actor: {moves}.",
                "{n} steps moved to another actor: {moves}.",
                n,
            ).format(n=n, moves=_moves(listed))

        steps = [s for o, new_id, _m in moves for s in (o, new_id)]
        return self.make("delegation", words, steps)

    def numerical_involvement(self) -> Redesign | None:
        agencies, actors = self.c.measures["agencies"], self.c.measures["actors"]
        if (
            agencies.after is None
            or agencies.before is None
            or actors.after is None
            or actors.before is None
        ):
            return None
        if agencies.after < agencies.before:
            old_agencies = _agencies(self.old)
            gone = [a for a in old_agencies if a not in _agencies(self.new)]
            steps = [s.id for s in self.old.steps if self.old.actors[s.actor].agency in gone]
            fewer, after, before = "agencies", agencies.after, agencies.before
        elif agencies.after == agencies.before and actors.after < actors.before:
            used = {s.actor for s in self.new.steps}
            gone = [
                self.old.actors[a].name
                for a in dict.fromkeys(s.actor for s in self.old.steps)
                if a not in used
            ]
            steps = [s.id for s in self.old.steps if s.actor not in used]
            fewer, after, before = "actors", actors.after, actors.before
        else:
            return None
        names = [for_terminal(g) for g in gone]

        def words() -> str:
            n = len(names)
            values = {
                "agencies": ngettext("{n} agency", "{n} agencies", int(after)).format(n=int(after)),
                "after": _number(after),
                "before": _number(before),
                "names": join(names),
            }
            if fewer == "agencies" and names:
                text = ngettext(
                    "Fewer organisations take part: {agencies} instead of {before}; {names} no "
                    "longer takes part.",
                    "Fewer organisations take part: {agencies} instead of {before}; {names} no "
                    "longer take part.",
                    n,
                )
            elif fewer == "agencies":
                text = _("Fewer organisations take part: {agencies} instead of {before}.")
            elif names:
                text = ngettext(
                    "Fewer actors take part: {after} instead of {before}; {names} no longer "
                    "takes part.",
                    "Fewer actors take part: {after} instead of {before}; {names} no longer "
                    "take part.",
                    n,
                )
            else:
                text = _("Fewer actors take part: {after} instead of {before}.")
            return text.format(**values)

        return self.make("numerical-involvement", words, steps)


def _agencies(model: Model) -> list[str]:
    found = (model.actors[s.actor].agency for s in model.steps)
    return [a for a in dict.fromkeys(found) if a is not None]


def _group(pairs: list[tuple[str, str]], model: Model) -> list[tuple[str, list[str]]]:
    """Group pairs around the step that takes part in most of them (:func:`group_pairs`).

    ``[(a, b), (a, c), (d, e)]`` becomes ``[(a, [b, c]), (d, [e])]``: one sentence part per
    step that moved, naming the steps it moved relative to.
    """
    return list(group_pairs(pairs, lambda s: model.step(s).index))


def _some(parts: list[str], limit: int, more: Callable[[int], str]) -> list[str]:
    """The first ``limit`` parts, then one that says how many more there are."""
    return _first(parts, len(parts), limit, more)


def _first(parts: list[str], total: int, limit: int, more: Callable[[int], str]) -> list[str]:
    """:func:`_some` of a list of ``total`` parts of which only the first are given."""
    if total <= limit:
        return parts
    return [*parts[:limit], more(total - limit)]


# -- plain language ------------------------------------------------------------------------


def _names(names: Iterable[str]) -> str:
    """Names of steps or documents in a sentence: each quoted the language's way, listed."""
    return join(quoted(name) for name in names)


def _number(value: float | int | None) -> str:
    """A count or measure as Python writes it, in the language's way (``7.5`` -> ``7,5``)."""
    return i18n.numeral(str(value))


def _remote(channel: str) -> str:
    """How a step reaches the applicant at a distance."""
    return _("by phone") if channel == "phone" else _("by post")


def _other_steps(n: int) -> str:
    # TRANSLATORS: the rest of a list of steps that is too long to give in full
    return ngettext("{n} other steps", "{n} other steps", n).format(n=n)


def _more_alongside(n: int) -> str:
    # TRANSLATORS: the rest of a list of steps that now run at the same time as others
    return ngettext(
        "{n} more steps run alongside others", "{n} more steps run alongside others", n
    ).format(n=n)


def _more_moved(n: int) -> str:
    # TRANSLATORS: the rest of a list of steps that now run in another order
    return ngettext("{n} more steps moved", "{n} more steps moved", n).format(n=n)


def _moves(moves: Iterable[tuple[str, str, str]]) -> str:
    """Steps whose work other staff now do, one clause each."""
    return "; ".join(
        # TRANSLATORS: {actor} and {before} are actors or agencies: who does the step now
        # and who did it in the As-Is
        _("{step}, now done by {actor} instead of {before}").format(
            step=quoted(step), actor=actor, before=before
        )
        for step, actor, before in moves
    )


def _capital(text: str) -> str:
    """The text with a capital first letter (the Turkic dotted i in Azerbaijani: i -> İ)."""
    if not text:
        return text
    first = text[0]
    if i18n.current() == "az":
        first = {"i": "İ", "ı": "I"}.get(first, first.upper())
    else:
        first = first.upper()
    return first + text[1:]


def _sentence(parts: Sequence[str]) -> str:
    """Parts joined by semicolons into one sentence that starts with a capital."""
    return _capital("; ".join(parts) + ".")


def _applicant_starts(model: Model, step: Step) -> bool:
    """Whether the applicant takes part in the step: their own, or a contact with an office."""
    return model.actors[step.actor].is_applicant or step.channel in CONTACT_CHANNELS


def _buys_service(step: Step) -> bool:
    """Whether the applicant pays at the step for a service (a charge, not a state duty)."""
    return step.fee > 0 and step.fee_kind != "duty"


def _organisation(actor: Actor) -> str:
    """The organisation an actor belongs to: its agency, else the actor itself."""
    return actor.agency or actor.name
