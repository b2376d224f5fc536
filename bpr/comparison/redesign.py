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
from typing import Any, Protocol

from bpr.comparison.order import StepOrder, in_file_order, set_bits
from bpr.core.model import Model, Step
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
#: once-only data exchange.
REDESIGN_KINDS: dict[str, tuple[str, str]] = {
    "task-elimination": ("Task elimination", "As-Is steps that no To-Be step keeps or replaces."),
    "integration": (
        "Integration",
        "Several As-Is steps merged into one To-Be step through replaces (task composition).",
    ),
    "automation": ("Task automation", "A step, or the step that replaces it, is now automatic."),
    "digitisation": (
        "Digitisation",
        "A step done in person is now done online, by phone or by post; or by post, now online.",
    ),
    "once-only": (
        "Once-only",
        "A document the applicant brought is now exchanged between agencies, or no longer needed.",
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
    "delegation": (
        "Delegation",
        "The work of a step moved to another actor or another agency.",
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
        found = [
            self.task_elimination(),
            self.integration(),
            self.automation(),
            self.digitisation(),
            self.once_only(),
            self.contact_reduction(),
            self.parallelism(),
            self.resequencing(),
            self.delegation(),
            self.numerical_involvement(),
        ]
        return [r for r in found if r is not None]

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

    def task_elimination(self) -> Redesign | None:
        removed = self.c.removed_steps
        if not removed:
            return None
        sentence = (
            f"{_count(len(removed), 'step')} {_be(len(removed))} no longer done: "
            f"{_join(self.old_name(s) for s in removed)}."
        )
        return self.make("task-elimination", sentence, removed)

    def integration(self) -> Redesign | None:
        merges = [(new, olds) for new, olds in self.c.sources.items() if len(olds) > 1]
        if not merges:
            return None
        total = sum(len(olds) for _, olds in merges)
        parts = [
            f"{_join(self.old_name(o) for o in olds)} become {self.new_name(new)}"
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
        steps = [
            new_id
            for new_id, old, new in self.pairs()
            if new.channel == "automatic" and old.channel != "automatic"
        ]
        steps = list(dict.fromkeys(steps))
        if not steps:
            return None
        sentence = (
            f"{_count(len(steps), 'step')} {_be(len(steps))} now done automatically: "
            f"{_join(self.new_name(s) for s in steps)}."
        )
        return self.make("automation", sentence, steps)

    def digitisation(self) -> Redesign | None:
        """Visits that became online, phone or postal contacts; letters that went online."""
        visits: dict[str, None] = {}
        letters: dict[str, None] = {}
        for new_id, old, new in self.pairs():
            if old.channel == "in-person" and new.channel in _REMOTE:
                visits[new_id] = None
            elif old.channel == "post" and new.channel == "online":
                letters[new_id] = None
        letters = {s: None for s in letters if s not in visits}
        if not visits and not letters:
            return None
        parts = []
        if visits:
            n = len(visits)
            lead = f"{_count(n, 'step')} that needed a visit {_be(n)} now done"
            channels = {self.new.step(s).channel for s in visits}
            if len(channels) == 1:
                how = _REMOTE[channels.pop()]
                parts.append(f"{lead} {how}: {_join(self.new_name(s) for s in visits)}")
            else:
                listed = _join(
                    f"{self.new_name(s)} ({_REMOTE[self.new.step(s).channel]})" for s in visits
                )
                parts.append(f"{lead} without a visit: {listed}")
        if letters:
            n = len(letters)
            parts.append(
                f"{_count(n, 'step')} done by post {_be(n)} now done online: "
                f"{_join(self.new_name(s) for s in letters)}"
            )
        sentence = "; ".join(parts) + "."
        sentence = sentence[0].upper() + sentence[1:]
        return self.make("digitisation", sentence, in_file_order(self.new, [*visits, *letters]))

    def once_only(self) -> Redesign | None:
        exchanged = self.c.now_exchanged_documents
        dropped = [d for d in self.c.removed_documents if not self.old.documents[d].exchange]
        if not exchanged and not dropped:
            return None
        parts = []
        if exchanged:
            noun = self.document_noun(exchanged)
            parts.append(
                f"{_count(len(exchanged), noun)} {_be(len(exchanged))} now obtained by the "
                f"agencies themselves through data exchange: {self.doc_names(exchanged)}"
            )
        if dropped:
            noun = self.document_noun(dropped)
            parts.append(
                f"{_count(len(dropped), noun)} {_be(len(dropped))} no longer asked for: "
                f"{self.doc_names(dropped)}"
            )
        sentence = "; ".join(parts) + "."
        sentence = sentence[0].upper() + sentence[1:]
        steps = [s.id for s in self.new.steps if set(s.needs) & set(exchanged)]
        steps += [s.id for s in self.old.steps if set(s.needs) & set(dropped)]
        return self.make("once-only", sentence, steps, [*exchanged, *dropped])

    def document_noun(self, documents: Sequence[str]) -> str:
        issued = all(self.old.documents[d].issuer is not None for d in documents)
        return "certificate" if issued else "document"

    def doc_names(self, documents: Iterable[str]) -> str:
        return _join(for_terminal(self.old.documents[d].name) for d in documents)

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
                before = _count(int(visits.before or 0), "visit")
                parts.append(f"no longer visits any office ({before} before)")
            else:
                parts.append(
                    f"makes {_count(int(visits.after or 0), 'visit')} to an office instead of "
                    f"{visits.before}"
                )
        if before_contacts != after_contacts:
            parts.append(
                f"has {_count(after_contacts, 'contact')} with the agencies in all instead of "
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
            + _join(_some([self.new_name(o) for o in others], _LISTED, "other steps"))
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
                    where.append(f"{word} {_join(names)}")
            parts.append(f"{self.new_name(head)} now comes {' and '.join(where)}")
        parts = _some(parts, _LISTED, "more steps moved")
        sentence = "Steps run in a new order: " + "; ".join(parts) + "."
        return self.make(
            "resequencing", sentence, in_file_order(self.new, [s for f in flips for s in f])
        )

    def delegation(self) -> Redesign | None:
        """Work of staff that other staff now do; automated steps and the applicant's own
        steps are left to automation and digitisation."""
        moves: list[tuple[str, str, str]] = []  # As-Is id, To-Be id, text
        for new_id, old, new in self.pairs():
            old_actor, new_actor = self.old.actors[old.actor], self.new.actors[new.actor]
            if new.channel == "automatic" or old_actor.is_applicant or new_actor.is_applicant:
                continue
            # an actor whose id alone was renamed (same name, same agency) is the same actor
            if old.actor != new.actor and old_actor.name != new_actor.name:
                now, before = new_actor.name, old_actor.name
            elif old_actor.agency != new_actor.agency:
                now = new_actor.agency or new_actor.name
                before = old_actor.agency or old_actor.name
            else:
                continue
            text = f"now done by {for_terminal(now)} instead of {for_terminal(before)}"
            moves.append((old.id, new_id, text))
        if not moves:
            return None
        listed = "; ".join(f"{self.old_name(o)}, {text}" for o, _, text in moves)
        n = len(moves)
        sentence = f"{_count(n, 'step')} moved to another actor: {listed}."
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
                f"{_count(int(agencies.after), 'agency', 'agencies')} instead of {agencies.before}"
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
            sentence += f"; {_join(for_terminal(g) for g in gone)} no longer {verb} part"
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


def _count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def _be(n: int) -> str:
    return "is" if n == 1 else "are"


def _join(items: Iterable[str]) -> str:
    words = list(items)
    if len(words) <= 2:
        return " and ".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
