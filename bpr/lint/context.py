"""What every lint rule shares: one flow analysis and one set of measures per run
(:class:`LintContext`), the :class:`Rule` record, and the wording helpers of the messages.

A rule is a module of :mod:`bpr.lint.rules` with a ``RULE``: its id, the most serious
severity it reports, what it looks for, and its check, a function from the context to the
rule's findings.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

from bpr.core.flow import (
    analyse,
    dominators,
    immediate_dominators,
    reachable,
    reaching,
    strongly_connected_components,
)
from bpr.core.i18n import domain, number
from bpr.core.model import END, Actor, Model, Step
from bpr.core.vocab import Severity
from bpr.lint.edits import Edit, gain, predecessors, single_target
from bpr.lint.findings import Finding, plural_count
from bpr.lint.incremental import Change, FastGains

_, ngettext, _pgettext = domain("lint")

__all__ = [
    "LintContext",
    "Rule",
    "amount",
    "clean",
    "listed",
    "percent",
    "plural_count",
    "quote",
    "quoted",
    "times",
    "who",
]


@dataclass(frozen=True)
class Rule:
    """One lint rule, as bpmnlint and yamllint describe theirs.

    ``severity`` is the most serious severity of its findings (some rules report a lesser
    one where the case is milder); ``check`` yields the findings on one model.
    """

    id: str
    severity: Severity
    description: str
    check: Callable[[LintContext], Iterator[Finding]]


class LintContext:
    """A model with what several rules need, worked out once per lint run: the flow
    analysis, predecessors, loops, dominators, reachability and the lines in the file.

    ``rule_ids`` are the ids of every rule (for the rule that checks the file's lint
    settings); ``rework_threshold`` the share of cases from which a loop back is rework;
    ``min_gain`` the share of the model's own figures below which a gain is not reported.
    """

    def __init__(
        self,
        model: Model,
        rework_threshold: float,
        rule_ids: Collection[str] = (),
        min_gain: float = 0.0,
    ) -> None:
        self.model = model
        self.rework_threshold = rework_threshold
        self.rule_ids = rule_ids
        #: Gains below this share of the model's own figures are not reported.
        self.min_gain = min_gain
        self.analysis = analyse(model)
        self.preds = predecessors(model, self.analysis)
        self.onward: dict[str, list[str]] = {
            step: [t for t, _ in targets] for step, targets in self.analysis.successors.items()
        }
        self.component: dict[str, frozenset[str]] = {}
        for members in strongly_connected_components(
            [model.first.id], lambda n: [t for t in self.onward[str(n)] if t != END]
        ):
            group = frozenset(str(m) for m in members)
            for member in group:
                self.component[member] = group

    @cached_property
    def gains(self) -> FastGains:
        """The gains of the rules' suggestions, measured from one analysis of the model."""
        return FastGains(self.model, self.analysis, self.preds)

    @cached_property
    def dominators(self) -> dict[str, frozenset[str]]:
        """For each step, the steps every case passes before reaching it (itself too); a step
        no case reaches has every step."""
        found = dominators(self.onward, self.model.first.id)
        everything = frozenset(s.id for s in self.model.steps)
        return {s.id: found.get(s.id, everything) for s in self.model.steps}

    @cached_property
    def _dominator_tree(self) -> dict[str, tuple[int, int]]:
        """Each step reached -> when a walk of the dominator tree enters and leaves it."""
        idom = immediate_dominators(self.onward, self.model.first.id)
        children: dict[str, list[str]] = {}
        for node, parent in idom.items():
            if node != parent:
                children.setdefault(parent, []).append(node)
        span: dict[str, tuple[int, int]] = {}
        clock = 0
        entered: dict[str, int] = {}
        stack: list[tuple[str, bool]] = [(self.model.first.id, False)]
        while stack:
            node, leaving = stack.pop()
            if leaving:
                span[node] = (entered[node], clock)
                continue
            entered[node] = clock
            clock += 1
            stack.append((node, True))
            stack.extend((child, False) for child in children.get(node, ()))
        return span

    def dominates(self, step_id: str, other: str) -> bool:
        """Whether every case passes ``step_id`` before reaching ``other`` (itself included);
        as :attr:`dominators` says, without a set per step. A step no case reaches is
        dominated by every step."""
        tree = self._dominator_tree
        if other not in tree:
            return True
        if step_id not in tree:
            return False
        start, end = tree[other]
        first, last = tree[step_id]
        return first <= start and end <= last

    @cached_property
    def runs(self) -> dict[str, float]:
        """For each step, how often one case runs it on average: 1 on every case's way, the
        share of cases on a branch of a choice (0.07 for a branch 7% of cases take), more than
        1 round a loop. Every branch of a parallel split runs; the join runs once per split.

        The expected runs the gains are measured with (:meth:`Baseline.case_runs
        <bpr.lint.incremental.Baseline.case_runs>`): each loop solved exactly.
        """
        found = self.gains.baseline.case_runs()
        return {step.id: found.get(step.id, 0.0) for step in self.model.steps}

    def leads_back(self, target: str, decider: str) -> bool:
        """Whether a case sent to ``target`` surely comes back to ``decider`` or before it.

        Following the plain flows from ``target``, the case meets ``decider`` itself or a step
        that every case passes before ``decider``: the branch repeats work already done.
        """
        node: str | None = target
        seen: set[str] = set()
        while node is not None and node != END and node not in seen:
            if node == decider or self.dominates(node, decider):
                return True
            seen.add(node)
            node = single_target(self.model.step(node))
        return False

    @cached_property
    def reachable(self) -> dict[str, frozenset[str]]:
        """For each step, the steps a case can go on to from it (itself only round a loop)."""
        return {
            step.id: frozenset(reachable(self.onward, self.onward[step.id]) - {END})
            for step in self.model.steps
        }

    @cached_property
    def branch_of(self) -> dict[str, dict[tuple[str, str], str]]:
        """For each step, the parallel blocks it is in: ``(split, join)`` -> branch start."""
        found: dict[str, dict[tuple[str, str], str]] = {s.id: {} for s in self.model.steps}
        for block in self.analysis.blocks:
            for start, members in block.branches.items():
                for member in members:
                    found[member][(block.split, block.join)] = start
        return found

    @cached_property
    def _visit_reach(self) -> tuple[dict[str, int], dict[str, int]]:
        """A bit for each in-person step, and for each step the bits of those it can go on
        to (itself only round a loop): :attr:`reachable` for the steps the rules compare, in
        time and memory that grow with the flows times the visits, not the steps squared."""
        bit = {s.id: 1 << i for i, s in enumerate(s for s in self.model.steps if s.is_visit)}
        onward = {n: [t for t in targets if t != END] for n, targets in self.onward.items()}
        closure: dict[str, int] = {}  # a component's member -> bits reached from it, itself in
        reach: dict[str, int] = {}
        for component in strongly_connected_components(list(onward), lambda n: onward[str(n)]):
            members = [str(m) for m in component]
            inside = set(members)
            own = 0
            for member in members:
                own |= bit.get(member, 0)
            later = 0
            for member in members:
                for target in onward[member]:
                    if target not in inside:
                        later |= closure[target]
            looped = len(members) > 1 or members[0] in onward[members[0]]
            for member in members:
                closure[member] = own | later
                reach[member] = own | later if looped else later
        return bit, reach

    def reaches(self, first: str, second: str) -> bool:
        """Whether a case can go on from step ``first`` to step ``second`` (a step reaches
        itself only round a loop): ``second in reachable[first]``."""
        bit, reach = self._visit_reach
        if second in bit and first in reach:
            return bool(reach[first] & bit[second])
        return second in self.reachable[first]

    def together(self, first: Step, second: Step) -> bool:
        """Whether one case can run both steps: one leads to the other, or they lie on two
        branches of one parallel split (every branch runs)."""
        if self.reaches(first.id, second.id) or self.reaches(second.id, first.id):
            return True
        mine, theirs = self.branch_of[first.id], self.branch_of[second.id]
        return any(theirs.get(block, start) != start for block, start in mine.items())

    def comes_before(self, first: Step, second: Step) -> bool:
        """Whether a case can run ``first`` and then ``second`` (file order where both can
        follow each other, round a loop or on parallel branches)."""
        if not self.together(first, second):
            return False
        onward, back = self.reaches(first.id, second.id), self.reaches(second.id, first.id)
        if onward and not back:
            return True
        if back and not onward:
            return False
        return first.index < second.index

    def in_loop(self, step_id: str) -> bool:
        loop = self.component.get(step_id, frozenset())
        return len(loop) > 1 or step_id in self.onward[step_id]

    def ancestors(self, step_id: str) -> set[str]:
        """The steps from which a case can come to this one."""
        return reaching(self.onward, self.preds[step_id])

    def actor(self, step: Step) -> Actor:
        return self.model.actors[step.actor]

    def step_line(self, step_id: str) -> int:
        return self.model.step_line(step_id)

    def document_line(self, doc_id: str) -> int:
        return self.model.locate("documents", doc_id, key=True)[0]

    def item_line(self, path: tuple[str | int, ...], value: str) -> int:
        """The line of ``value`` in the list at ``path`` (or of the path, where not found)."""
        source = self.model.source
        if source is None:
            return 0
        for i in range(100_000):
            if source.locate((*path, i)) == source.locate(path):
                break  # past the end of the list (or not a list)
            written = (source.scalar_text((*path, i)), source.scalar_text((*path, i, "rule")))
            if value in written:
                return source.locate((*path, i))[0]
        return source.locate(path)[0]

    def finding(
        self,
        rule: str,
        severity: Severity,
        message: str,
        *,
        steps: Sequence[str] = (),
        documents: Sequence[str] = (),
        line: int | None = None,
        edit: Edit | None = None,
        change: Change | None = None,
    ) -> Finding:
        """A finding located at its steps and documents, with the gain of ``change`` (measured
        by :attr:`gains`) or of ``edit`` (a changed model, measured again)."""
        locations = tuple(("step", s, self.step_line(s)) for s in steps) + tuple(
            ("document", d, self.document_line(d)) for d in documents
        )
        if line is None:
            line = locations[0][2] if locations else 0
        return Finding(
            rule,
            severity,
            message,
            tuple(steps),
            tuple(documents),
            line,
            change.gain
            if change is not None
            else None
            if edit is None
            else gain(self.model, edit.model),
            locations,
        )


# -- wording ----------------------------------------------------------------------------------


def clean(text: str) -> str:
    """Text from the file on one line: a finding is one line of output.

    >>> clean(" two\\n lines ")
    'two lines'
    """
    return " ".join(text.split())


def quoted(text: str) -> str:
    """A name or an id in the quotation marks of the output language.

    >>> quoted("apply")
    "'apply'"
    """
    # TRANSLATORS: quotation marks around an id or a name (Russian «{text}»)
    return _("'{text}'").format(text=text)


def listed(items: Iterable[str]) -> str:
    """Items joined by commas, the last by *and*, in the output language.

    >>> listed(["a"]), listed(["a", "b", "c"])
    ('a', 'a, b and c')
    """
    words = list(items)
    if len(words) <= 1:
        return "".join(words)
    # TRANSLATORS: the end of a list: "'a', 'b' and 'c'"; {items} are the first ones
    return _("{items} and {last}").format(items=", ".join(words[:-1]), last=words[-1])


def quote(ids: Iterable[str]) -> str:
    """Ids in quotes, the last joined by *and*.

    >>> quote(["a"]), quote(["a", "b", "c"])
    ("'a'", "'a', 'b' and 'c'")
    """
    return listed(quoted(i) for i in ids)


def times(count: int) -> str:
    """How often, in words.

    >>> times(2), times(3)
    ('twice', '3 times')
    """
    if count == 2:
        return _("twice")
    return ngettext("{n} time", "{n} times", count).format(n=count)


def percent(share: float) -> str:
    """A share of cases as a percentage, to three digits.

    >>> percent(0.2), percent(1 / 3)
    ('20%', '33.3%')
    """
    # TRANSLATORS: a percentage; Russian writes a no-break space before the sign
    return _("{n}%").format(n=number(share * 100, ".3g"))


def amount(value: float) -> str:
    """A figure to read: thousands grouped, a whole number without decimals, else two.

    >>> amount(1234.0), amount(2.071), amount(3)
    ('1,234', '2.07', '3')
    """
    if abs(value - round(value)) < 1e-9 * max(1.0, abs(value)):
        return number(round(value), ",")
    return number(value, ",.2f")


def who(actor: Actor) -> str:
    """The actor's name with its agency: ``Notary office (Ministry of Justice)``."""
    name = clean(actor.name)
    if not actor.agency or clean(actor.agency) in name:
        return name
    if name.endswith(")"):
        return f"{name}, {clean(actor.agency)}"
    return f"{name} ({clean(actor.agency)})"
