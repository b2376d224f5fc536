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
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

from bpr.comparison.acts import ActChanges, provision_title
from bpr.comparison.order import StepOrder, in_file_order, set_bits
from bpr.comparison.words import be, count, document_kind, documents_noun, is_system, join
from bpr.core.model import Actor, Model, Step
from bpr.core.text import for_terminal

__all__ = [
    "CONTACT_CHANNELS",
    "REDESIGN_KINDS",
    "Changes",
    "Redesign",
    "classify",
]

#: Channels over which the applicant and an agency are in contact (a visit, a web form, a call,
#: a letter); ``automatic`` and ``internal`` steps are not contacts.
CONTACT_CHANNELS = ("in-person", "online", "phone", "post")

#: The redesign classes, in report order: kind -> (title, what it detects). The kinds follow
#: the best practices of Reijers and Limam Mansar (2005) and the e-government practice of
#: once-only data exchange, single windows and proactive services (docs/comparison.md maps
#: each to its heuristic).
REDESIGN_KINDS: dict[str, tuple[str, str]] = {
    "task-elimination": ("Task elimination", "As-Is steps that no To-Be step keeps or replaces."),
    "requirement-abolished": (
        "Requirement abolished",
        "A document the applicant had to provide is no longer required at all (not exchanged "
        "instead): the provision that asked for it is amended.",
    ),
    "integration": (
        "Integration",
        "Several As-Is steps merged into one To-Be step through replaces (task composition).",
    ),
    "automation": (
        "Task automation",
        "A step, or the step that replaces it, is now automatic or done by an information "
        "system (an actor of kind system).",
    ),
    "proactive-service": (
        "Proactive service",
        "The agency starts the case itself: the As-Is began with the applicant, the To-Be does "
        "not (maturity stage 4).",
    ),
    "pre-filled-form": (
        "Pre-filled form",
        "A form the applicant filled in is now prepared by the agency or its system.",
    ),
    "digitisation": (
        "Digitisation",
        "A step done in person, by post or by phone is now done online.",
    ),
    "remote-channel": (
        "Remote channel",
        "A step done in person is now done by post or by phone (remote, not digital).",
    ),
    "once-only": (
        "Once-only",
        "A document the applicant brought is now exchanged between agencies, or still issued "
        "but no longer shown to another office.",
    ),
    "single-window": (
        "Single window",
        "One front-office actor takes over the applicant's contacts with other agencies "
        "(case manager).",
    ),
    "contact-reduction": (
        "Contact reduction",
        "Fewer visits to an office, or fewer contacts between the applicant and the agencies.",
    ),
    "parallelism": (
        "Parallelism",
        "Steps that ran one after the other now run in branches of one parallel split.",
    ),
    "resequencing": (
        "Resequencing",
        "Two steps kept in both variants now run in the opposite order.",
    ),
    "trusted-party": (
        "Trusted party",
        "The work of an agency's staff is now done by another organisation the case already "
        "goes through (such as a notary), whose result the agency relies on.",
    ),
    "delegation": (
        "Delegation",
        "The work of a staff step moved to other staff or another agency.",
    ),
    "numerical-involvement": (
        "Numerical involvement",
        "Fewer agencies (or, with as many agencies, fewer actors) take part in the process.",
    ),
}

_REMOTE = {"online": "online", "phone": "by phone", "post": "by post"}
# Sentences about pairs of steps (parallelism, resequencing) name at most this many steps per
# part and this many parts: a To-Be that reorders everything must still give a sentence.
_LISTED = 6


@dataclass(frozen=True)
class Redesign:
    """One classified change: which redesign practice, a sentence for reports, what it concerns.

    ``steps`` are step ids of either file (an id in both files is the same step); ``documents``
    are document ids.
    """

    kind: str
    title: str
    sentence: str
    steps: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
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
        self, kind: str, sentence: str, steps: Iterable[str] = (), documents: Iterable[str] = ()
    ) -> Redesign:
        return Redesign(
            kind, REDESIGN_KINDS[kind][0], sentence, tuple(dict.fromkeys(steps)), tuple(documents)
        )

    def old_name(self, step_id: str) -> str:
        return for_terminal(self.old.step(step_id).label)

    def new_name(self, step_id: str) -> str:
        return for_terminal(self.new.step(step_id).label)

    def new_actor_name(self, step_id: str) -> str:
        return for_terminal(self.new.actors[self.new.step(step_id).actor].name)

    def task_elimination(self) -> Redesign | None:
        removed = self.c.removed_steps
        if not removed:
            return None
        sentence = (
            f"{count(len(removed), 'step')} {be(len(removed))} no longer done: "
            f"{join(self.old_name(s) for s in removed)}."
        )
        return self.make("task-elimination", sentence, removed)

    def integration(self) -> Redesign | None:
        merges = [(new, olds) for new, olds in self.c.sources.items() if len(olds) > 1]
        if not merges:
            return None
        total = sum(len(olds) for _, olds in merges)
        parts = [
            f"{join(self.old_name(o) for o in olds)} become {self.new_name(new)}"
            for new, olds in merges
        ]
        sentence = f"{total} steps are merged into {len(merges)}: {'; '.join(parts)}."
        steps = [s for new, olds in merges for s in (*olds, new)]
        return self.make("integration", sentence, steps)

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
        for new_id, old, new in self.pairs():
            if new.channel == "automatic" and old.channel != "automatic":
                automatic[new_id] = None
            elif is_system(self.new.actors[new.actor]) and not is_system(
                self.old.actors[old.actor]
            ):
                by_system[new_id] = None
        by_system = {s: None for s in by_system if s not in automatic}
        if not automatic and not by_system:
            return None
        parts = []
        if automatic:
            n = len(automatic)
            parts.append(
                f"{count(n, 'step')} {be(n)} now done automatically: "
                f"{join(self.new_name(s) for s in automatic)}"
            )
        if by_system:
            n = len(by_system)
            listed = join(f"{self.new_name(s)} ({self.new_actor_name(s)})" for s in by_system)
            parts.append(f"{count(n, 'step')} {be(n)} now done by an information system: {listed}")
        return self.make(
            "automation", _sentence(parts), in_file_order(self.new, [*automatic, *by_system])
        )

    def proactive_service(self) -> Redesign | None:
        """The As-Is case starts with the applicant (their own step, or a contact with an
        office); the To-Be case starts with the agency's own work (an internal or automatic
        step of staff or a system)."""
        old_first, new_first = self.old.first, self.new.first
        if not _applicant_starts(self.old, old_first) or _applicant_starts(self.new, new_first):
            return None
        sentence = (
            f"The agency starts the case itself: it begins with {self.new_name(new_first.id)} "
            f"({self.new_actor_name(new_first.id)}) instead of the applicant's "
            f"{self.old_name(old_first.id)}"
        )
        stage = self.c.measures.get("derived_maturity")
        if self.new.maturity == 4 or (stage is not None and stage.after == 4):
            sentence += "; a proactive service (maturity stage 4)"
        return self.make("proactive-service", sentence + ".", [old_first.id, new_first.id])

    @cached_property
    def prepared_forms(self) -> dict[str, list[str]]:
        """To-Be step -> the As-Is forms it prepares: a form the applicant filled in (produced
        at the applicant's own step) that a step of the agency or its system, standing for
        that step and producing a document, now prepares."""
        found: dict[str, list[str]] = {}
        for new_id, old, new in self.pairs():
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
        parts = [
            f"{self.new_name(new_id)} ({self.new_actor_name(new_id)}) prepares what the "
            f"applicant filled in before: {self.doc_names(forms)}"
            for new_id, forms in found.items()
        ]
        steps = [*found, *(o for n in found for o in self.c.sources[n])]
        documents = list(dict.fromkeys(d for forms in found.values() for d in forms))
        return self.make("pre-filled-form", _sentence(parts), steps, documents)

    def digitisation(self) -> Redesign | None:
        """Visits, letters and calls that are now done online."""
        moved: dict[str, dict[str, None]] = {"in-person": {}, "post": {}, "phone": {}}
        for new_id, old, new in self.pairs():
            if new.channel == "online" and old.channel in moved:
                moved[old.channel][new_id] = None
        seen: set[str] = set()
        parts = []
        for channel, lead in (
            ("in-person", "that needed a visit"),
            ("post", "done by post"),
            ("phone", "done by phone"),
        ):
            steps = [s for s in moved[channel] if s not in seen]
            seen.update(steps)
            if steps:
                n = len(steps)
                parts.append(
                    f"{count(n, 'step')} {lead} {be(n)} now done online: "
                    f"{join(self.new_name(s) for s in steps)}"
                )
        if not parts:
            return None
        return self.make("digitisation", _sentence(parts), in_file_order(self.new, seen))

    def remote_channel(self) -> Redesign | None:
        """Visits that are now letters or calls: remote, but not digital."""
        moved: dict[str, None] = {}
        for new_id, old, new in self.pairs():
            if old.channel == "in-person" and new.channel in ("post", "phone"):
                moved[new_id] = None
        if not moved:
            return None
        n = len(moved)
        lead = f"{count(n, 'step')} that needed a visit {be(n)} now done at a distance"
        listed = join(f"{self.new_name(s)} ({_REMOTE[self.new.step(s).channel]})" for s in moved)
        sentence = f"{lead}: {listed}; remote, not yet online."
        return self.make("remote-channel", sentence, in_file_order(self.new, moved))

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
        sentence = (
            f"{self.documents_count(abolished)} {be(len(abolished))} no longer required: "
            f"{self.doc_names(abolished)}"
        )
        makers = {s.id for s in self.old.steps if set(s.produces) & set(abolished)}
        law = [
            provision_title(self.c.acts, p)
            for p in self.c.acts.to_amend
            if set(p.for_ids) & (set(abolished) | makers)
        ]
        if law:
            sentence += f"; the provisions to amend: {'; '.join(for_terminal(t) for t in law)}"
        sentence += "."
        steps = [s.id for s in self.old.steps if set(s.needs) & set(abolished)]
        return self.make("requirement-abolished", sentence, steps, abolished)

    def once_only(self) -> Redesign | None:
        exchanged = self.c.now_exchanged_documents
        still_issued, _ = self.dropped()
        if not exchanged and not still_issued:
            return None
        # a payment is verified, not its receipt fetched: receipts are worded apart
        receipts = [d for d in exchanged if document_kind(self.old.documents[d]) == "receipt"]
        papers = [d for d in exchanged if d not in receipts]
        parts = []
        if papers:
            n = len(papers)
            parts.append(
                f"{self.documents_count(papers)} {be(n)} now obtained by the "
                f"agencies themselves through data exchange: {self.doc_names(papers)}"
            )
        if receipts:
            parts.append(
                "the agencies now check the payment itself in the payment system instead of "
                f"asking for {self.doc_names(receipts)}"
            )
        if still_issued:
            n = len(still_issued)
            it = "it is" if n == 1 else "they are"
            parts.append(
                f"the applicant no longer has to show {self.doc_names(still_issued)} to another "
                f"office ({it} still issued)"
            )
        steps = [s.id for s in self.new.steps if set(s.needs) & set(exchanged)]
        steps += [s.id for s in self.old.steps if set(s.needs) & set(still_issued)]
        return self.make("once-only", _sentence(parts), steps, [*exchanged, *still_issued])

    def documents_count(self, documents: Sequence[str]) -> str:
        """``2 certificates``, ``1 payment receipt``: the count with the noun of their kind."""
        return count(len(documents), *documents_noun(self.old.documents[d] for d in documents))

    def doc_names(self, documents: Iterable[str]) -> str:
        return join(for_terminal(self.old.documents[d].name) for d in documents)

    def single_window(self) -> Redesign | None:
        """A To-Be actor whose contacts with the applicant stand for at least two As-Is
        contacts of other actors, at least one of them of another organisation."""
        windows = self.windows
        if not windows:
            return None
        parts, steps = [], []
        for actor_id, (orgs, contacts, now) in windows.items():
            name = for_terminal(self.new.actors[actor_id].name)
            parts.append(
                f"{name} serves the applicant for {join(for_terminal(o) for o in orgs)}: "
                f"{count(len(now), 'contact')} instead of {len(contacts)} "
                f"({join(self.new_name(s) for s in now)})"
            )
            steps += [*contacts, *now]
        return self.make("single-window", _sentence(parts), steps)

    @cached_property
    def windows(self) -> dict[str, tuple[list[str], list[str], list[str]]]:
        """To-Be front-office actor -> (the organisations it serves the applicant for, the
        As-Is contacts it takes over, its own contacts with the applicant)."""
        served: dict[str, dict[str, None]] = {}  # To-Be actor -> As-Is contact steps
        for _, old, new in self.pairs():
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
        parts = []
        if visits.before != visits.after:
            if visits.after == 0:
                before = count(int(visits.before or 0), "visit")
                parts.append(f"no longer visits any office ({before} before)")
            else:
                parts.append(
                    f"makes {count(int(visits.after or 0), 'visit')} to an office instead of "
                    f"{visits.before}"
                )
        if before_contacts != after_contacts:
            parts.append(
                f"has {count(after_contacts, 'contact')} with the agencies in all instead of "
                f"{before_contacts}"
            )
        sentence = f"The applicant {' and '.join(parts)}."
        gone = self.lost(lambda s: s.is_visit) + self.lost(lambda s: s.channel in CONTACT_CHANNELS)
        return self.make("contact-reduction", sentence, in_file_order(self.old, gone))

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
        pairs = [
            (a, b)
            for a, b in new_order.concurrent_pairs()
            if any(
                x != y and old_order.sequential(x, y) and not old_order.concurrent(x, y)
                for x in self.c.sources[a]
                for y in self.c.sources[b]
            )
        ]
        if not pairs:
            return None
        parts = [
            f"{self.new_name(head)} alongside "
            + join(_some([self.new_name(o) for o in others], _LISTED, "other steps"))
            for head, others in _group(pairs, self.new)
        ]
        parts = _some(parts, _LISTED, "more steps run alongside others")
        sentence = (
            "Steps that ran one after the other now run at the same time: " + "; ".join(parts) + "."
        )
        steps = in_file_order(self.new, [s for pair in pairs for s in pair])
        return self.make("parallelism", sentence, steps)

    def resequencing(self) -> Redesign | None:
        old_order, new_order = self.orders
        kept = [s.id for s in self.new.steps if s.id in self.old]
        # Bit sets over the kept steps: a pair flips where a came before b and now comes after.
        old_after, _ = old_order.masks(kept)
        _, new_before = new_order.masks(kept)
        flips = [(a, kept[j]) for a in kept for j in set_bits(old_after[a] & new_before[a])]
        if not flips:
            return None
        parts = []
        for head, others in _group(flips, self.new):
            where = []
            for word, side in (
                ("after", [o for o in others if new_order.before(o, head)]),
                ("before", [o for o in others if new_order.before(head, o)]),
            ):
                if side:
                    names = _some([self.new_name(o) for o in side], _LISTED, "other steps")
                    where.append(f"{word} {join(names)}")
            parts.append(f"{self.new_name(head)} now comes {' and '.join(where)}")
        parts = _some(parts, _LISTED, "more steps moved")
        sentence = "Steps run in a new order: " + "; ".join(parts) + "."
        return self.make(
            "resequencing", sentence, in_file_order(self.new, [s for f in flips for s in f])
        )

    def moves(self) -> list[tuple[str, str, str, bool]]:
        """Staff work that other staff now do: (As-Is id, To-Be id, text, trusted).

        Steps of the applicant, automatic steps and steps of information systems on either
        side are left to digitisation and automation. ``trusted`` marks work moved to another
        organisation whose actor the As-Is case already went through (a notary checking what
        the registry checked): the trusted-party practice.
        """
        found: list[tuple[str, str, str, bool]] = []
        in_as_is = {s.actor for s in self.old.steps}
        windowed = {  # contacts a single window took over are reported there
            (old_id, new_id)
            for actor_id, (_, contacts, now) in self.windows.items()
            for old_id in contacts
            for new_id in now
        }
        for new_id, old, new in self.pairs():
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
            text = f"now done by {for_terminal(now)} instead of {for_terminal(before)}"
            found.append((old.id, new_id, text, trusted))
        return found

    def trusted_party(self) -> Redesign | None:
        moves = [(o, n, text) for o, n, text, trusted in self.moves() if trusted]
        if not moves:
            return None
        listed = "; ".join(f"{self.old_name(o)}, {text}" for o, _, text in moves)
        n = len(moves)
        sentence = (
            f"{count(n, 'step')} of an agency {be(n)} now left to a trusted party whose result "
            f"the agency relies on: {listed}."
        )
        return self.make("trusted-party", sentence, [s for o, new, _ in moves for s in (o, new)])

    def delegation(self) -> Redesign | None:
        moves = [(o, n, text) for o, n, text, trusted in self.moves() if not trusted]
        if not moves:
            return None
        listed = "; ".join(f"{self.old_name(o)}, {text}" for o, _, text in moves)
        n = len(moves)
        sentence = f"{count(n, 'step')} moved to another actor: {listed}."
        steps = [s for o, new_id, _ in moves for s in (o, new_id)]
        return self.make("delegation", sentence, steps)

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
            sentence = (
                "Fewer organisations take part: "
                f"{count(int(agencies.after), 'agency', 'agencies')} instead of {agencies.before}"
            )
            steps = [s.id for s in self.old.steps if self.old.actors[s.actor].agency in gone]
        elif agencies.after == agencies.before and actors.after < actors.before:
            used = {s.actor for s in self.new.steps}
            gone = [
                self.old.actors[a].name
                for a in dict.fromkeys(s.actor for s in self.old.steps)
                if a not in used
            ]
            sentence = f"Fewer actors take part: {actors.after} instead of {actors.before}"
            steps = [s.id for s in self.old.steps if s.actor not in used]
        else:
            return None
        if gone:
            verb = "takes" if len(gone) == 1 else "take"
            sentence += f"; {join(for_terminal(g) for g in gone)} no longer {verb} part"
        return self.make("numerical-involvement", sentence + ".", steps)


def _agencies(model: Model) -> list[str]:
    found = (model.actors[s.actor].agency for s in model.steps)
    return [a for a in dict.fromkeys(found) if a is not None]


def _group(pairs: list[tuple[str, str]], model: Model) -> list[tuple[str, list[str]]]:
    """Group pairs around the step that takes part in most of them, greedily.

    ``[(a, b), (a, c), (d, e)]`` becomes ``[(a, [b, c]), (d, [e])]``: one sentence part per
    step that moved, naming the steps it moved relative to.
    """
    partners: dict[str, set[str]] = {}
    for a, b in pairs:
        partners.setdefault(a, set()).add(b)
        partners.setdefault(b, set()).add(a)
    groups: list[tuple[str, list[str]]] = []
    while True:
        left = [s for s, others in partners.items() if others]
        if not left:
            return groups
        head = max(left, key=lambda s: (len(partners[s]), -model.step(s).index))
        others = partners[head]
        for other in others:
            partners[other].discard(head)
        groups.append((head, in_file_order(model, others)))
        partners[head] = set()


def _some(parts: list[str], limit: int, more: str) -> list[str]:
    """The first ``limit`` parts, then one that says how many more there are."""
    if len(parts) <= limit:
        return parts
    return [*parts[:limit], f"{len(parts) - limit} {more}"]


# -- plain language ------------------------------------------------------------------------


def _sentence(parts: Sequence[str]) -> str:
    """Parts joined by semicolons into one sentence that starts with a capital."""
    text = "; ".join(parts) + "."
    return text[0].upper() + text[1:]


def _applicant_starts(model: Model, step: Step) -> bool:
    """Whether the applicant takes part in the step: their own, or a contact with an office."""
    return model.actors[step.actor].is_applicant or step.channel in CONTACT_CHANNELS


def _buys_service(step: Step) -> bool:
    """Whether the applicant pays at the step for a service (a charge, not a state duty)."""
    return step.fee > 0 and step.fee_kind != "duty"


def _organisation(actor: Actor) -> str:
    """The organisation an actor belongs to: its agency, else the actor itself."""
    return actor.agency or actor.name
