"""The gains of lint's suggestions, measured from one analysis of the model.

Re-measuring the whole model for every candidate change costs the model's size once per
candidate, and the candidates grow with the model. :class:`Baseline` instead works the
expected totals out once, the way :func:`bpr.analysis.measures.expected_totals` does (parallel
blocks collapsed innermost first, every loop solved exactly), and keeps, for the top of the flow
and for every branch of a parallel block (a *level*), what each step is expected to add from
there on and how often a case runs it. A change then costs only the steps it touches:

- a step that costs differently (a visit made online, a trip that becomes a registry query)
  changes the totals by its change times how often a case runs it;
- a choice with other probabilities (a rework loop no case takes) solves its loop again, and
  only its loop;
- two steps run side by side, or a check moved before a chain, change what one step of the
  flow adds (the slower of the two steps instead of both; the chain run only by the cases the
  check lets on).

A change inside a branch reaches the totals through the slowest branch of its block, block by
block outwards. :class:`FastGains` turns these into the gains that
:func:`bpr.lint.edits.gain` measures on the changed model, with the same checks of the flow
rules done locally, so that bpr lint stays about linear in the model.

>>> import bpr
>>> m = bpr.loads("bpr: 1\\nservice: s\\nvariant: as-is\\nactors: {a: {name: A}}\\n"
...               "steps: [{id: x, actor: a, channel: in-person, work: 1h}]\\n")
>>> FastGains(m).online(["x"], "online").gain
{'visits': -1, 'applicant_hours': -1}
"""

from __future__ import annotations

import dataclasses
import heapq
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from bpr.analysis.measures import Measures, measure, solve_loop, step_value
from bpr.core.flow import (
    FlowAnalysis,
    ParallelBlock,
    analyse,
    strongly_connected_components,
    trapping_loops,
)
from bpr.core.model import END, Document, Model, Step
from bpr.lint.edits import (
    Note,
    available_documents,
    changes_between,
    check_first_plan,
    exchange_plan,
    online_plan,
    parallel_plan,
    predecessors,
    rework_plan,
    unavailable_needs,
)

__all__ = ["Baseline", "Change", "FastGains"]

Vector = list[float]
_WIDTH = 6  # the fields of bpr.analysis.measures.ExpectedTotals
_NOWHERE = "\0"  # a stop that no flow reaches (the forward sums have none)


@dataclass(frozen=True)
class Change:
    """A suggestion measured: its gain (as :func:`bpr.lint.edits.gain` gives it) and notes."""

    gain: dict[str, float]
    notes: tuple[Note, ...] = ()

    @property
    def steps(self) -> list[str]:
        """The steps the change touches that have a note, in the notes' order."""
        return [n.id for n in self.notes if n.kind == "step"]


class _Level:
    """The flow from ``start`` until ``stop`` (the top of the model, or one branch of a
    parallel block), with inner blocks collapsed into their splits: what each step reached
    adds from there on (``expected``) and how often one pass runs it (``visits``)."""

    def __init__(
        self,
        start: str,
        stop: str,
        successors: dict[str, list[tuple[str, float]]],
        value: dict[str, Vector],
        block: ParallelBlock | None,
    ) -> None:
        self.start, self.stop, self.block = start, stop, block
        self.successors = successors  # rows of this level's steps are final when it is built
        self.value = value
        self.expected: dict[str, Vector] = {}
        self.components: list[list[str]] = []
        self.component: dict[str, int] = {}
        self._backward()
        self.preds: dict[str, list[tuple[str, float]]] = {node: [] for node in self.expected}
        for node in self.expected:
            for target, p in successors[node]:
                if target != stop and p:
                    self.preds[target].append((node, p))
        self.visits: dict[str, float] = {}
        self._forward()

    def onward(self, node: object) -> list[str]:
        return [t for t, _ in self.successors[str(node)] if t != self.stop]

    def _backward(self) -> None:
        """The expected sums from each step, as bpr.analysis.measures sums them."""
        expected = self.expected
        for component in strongly_connected_components([self.start], self.onward):
            members = [str(m) for m in component]
            number = len(self.components)
            self.components.append(members)
            for member in members:
                self.component[member] = number
            if len(members) == 1 and members[0] not in self.onward(members[0]):
                node = members[0]
                total = list(self.value[node])
                for target, p in self.successors[node]:
                    if target != self.stop and p:
                        later = expected[target]
                        for i in range(_WIDTH):
                            total[i] += p * later[i]
                expected[node] = total
                continue
            expected.update(solve_loop(members, self.stop, self.successors, self.value, expected))

    def _forward(self) -> None:
        """How often one pass of the level runs each step: the same linear systems, transposed
        (each step's runs are the runs that lead into it)."""
        runs: dict[str, Vector] = {}
        for members in reversed(self.components):
            if len(members) == 1 and members[0] not in self.onward(members[0]):
                node = members[0]
                total = 1.0 if node == self.start else 0.0
                for source, p in self.preds[node]:
                    total += p * runs[source][0]
                runs[node] = [total] + [0.0] * (_WIDTH - 1)
                continue
            seed = {m: [1.0 if m == self.start else 0.0] + [0.0] * (_WIDTH - 1) for m in members}
            runs.update(solve_loop(members, _NOWHERE, self.preds, seed, runs))
        self.visits = {node: vector[0] for node, vector in runs.items()}

    def inflow(self, members: Collection[str]) -> dict[str, float]:
        """How often a pass enters each of ``members`` from outside them (or starts there)."""
        found = {}
        for member in members:
            total = 1.0 if member == self.start else 0.0
            for source, p in self.preds[member]:
                if source not in members:
                    total += p * self.visits[source]
            found[member] = total
        return found


class Baseline:
    """The expected totals of one model, kept by level so that changes can be measured by
    the steps they touch (see the module's description).

    ``totals`` are :func:`bpr.analysis.measures.expected_totals` of the model, field by field.
    """

    def __init__(self, model: Model, analysis: FlowAnalysis | None = None) -> None:
        self.model = model
        analysis = analysis or analyse(model)
        successors = {node: list(targets) for node, targets in analysis.successors.items()}
        value = {step.id: step_value(model, step) for step in model.steps}
        self.levels: list[_Level] = []
        self.blocks: list[tuple[ParallelBlock, Vector, list[_Level]]] = []
        for block in analysis.blocks:
            branches = [
                _Level(start, block.join, successors, value, block)
                for start in block.branches
                if start != block.join
            ]
            own = value[block.split]
            self.blocks.append((block, list(own), branches))
            self.levels.extend(branches)
            if branches:
                totals = [level.expected[level.start] for level in branches]
                own[0] += max(t[0] for t in totals)
                for i in range(1, _WIDTH):
                    own[i] += sum(t[i] for t in totals)
            successors[block.split] = [(block.join, 1.0)]
        self.top = _Level(model.first.id, END, successors, value, None)
        self.levels.append(self.top)
        self.level_of: dict[str, _Level] = {}
        for level in self.levels:
            for node in level.expected:
                self.level_of[node] = level
        self.value = value
        self.totals: Vector = list(self.top.expected[self.top.start])
        # each branch's level -> the number of its block (blocks come innermost first)
        self._block_of = {
            id(level): number
            for number, (_block, _own, branches) in enumerate(self.blocks)
            for level in branches
        }

    def adds(self, step_id: str) -> Vector:
        """What one run of a step adds where it lies in the flow (a split: its whole block)."""
        return self.value[step_id]

    def runs(self, step_id: str) -> float:
        """How often one pass of the step's level runs it."""
        return self.level_of[step_id].visits[step_id]

    def case_runs(self) -> dict[str, float]:
        """How often one case runs each step reached: a step of a branch runs as often as its
        split times its runs in one pass of the branch."""
        found: dict[str, float] = dict(self.top.visits)
        for block, _own, branches in reversed(self.blocks):  # outermost first
            times = found.get(block.split, 0.0)
            for level in branches:
                for node, runs in level.visits.items():
                    found[node] = times * runs
        return found

    def branch_slowest(self, block: ParallelBlock) -> float | None:
        """The expected elapsed hours of the slowest branch of a block (None: none has steps)."""
        for known, _own, branches in self.blocks:
            if known is block or (known.split, known.join) == (block.split, block.join):
                if not branches:
                    return None
                return max(level.expected[level.start][0] for level in branches)
        raise KeyError(block.split)

    def with_values(self, changes: Mapping[str, Vector]) -> Vector:
        """How the totals change where each step of ``changes`` adds that much more a run."""
        pending: dict[int, Vector] = {}
        for node, delta in changes.items():
            level = self.level_of.get(node)
            if level is None:
                continue  # a step no case reaches adds nothing
            runs = level.visits[node]
            self._add(pending, level, [runs * d for d in delta])
        return self._lift(pending)

    def with_row(self, node: str, row: list[tuple[str, float]]) -> Vector:
        """How the totals change where the flows out of ``node`` take the probabilities of
        ``row`` (the same targets): its loop solved again with the new row."""
        level = self.level_of.get(node)
        if level is None:
            return [0.0] * _WIDTH
        members = level.components[level.component[node]]
        rows = {m: level.successors[m] for m in members}
        rows[node] = row
        if len(members) == 1 and node not in [t for t, _ in row if t != level.stop]:
            total = list(level.value[node])
            for target, p in row:
                if target != level.stop and p:
                    later = level.expected[target]
                    for i in range(_WIDTH):
                        total[i] += p * later[i]
            solved = {node: total}
        else:
            solved = solve_loop(members, level.stop, rows, level.value, level.expected)
        entering = level.inflow(members)
        delta = [0.0] * _WIDTH
        for member in members:
            share = entering[member]
            if share:
                old, new = level.expected[member], solved[member]
                for i in range(_WIDTH):
                    delta[i] += share * (new[i] - old[i])
        pending: dict[int, Vector] = {}
        self._add(pending, level, delta)
        return self._lift(pending)

    def _add(self, pending: dict[int, Vector], level: _Level, delta: Vector) -> None:
        slot = pending.setdefault(id(level), [0.0] * _WIDTH)
        for i in range(_WIDTH):
            slot[i] += delta[i]

    def _lift(self, pending: dict[int, Vector]) -> Vector:
        """Carry the changes of each level's sums out through the blocks to the top, only
        through the blocks that hold a changed level (innermost first)."""
        waiting = sorted({self._block_of[key] for key in pending if key in self._block_of})
        heapq.heapify(waiting)
        done: set[int] = set()
        while waiting:
            number = heapq.heappop(waiting)
            if number in done:
                continue
            done.add(number)
            block, _own, branches = self.blocks[number]
            changed = [pending.get(id(level)) for level in branches]
            old = [level.expected[level.start] for level in branches]
            new = [
                t if d is None else [a + b for a, b in zip(t, d, strict=True)]
                for t, d in zip(old, changed, strict=True)
            ]
            delta = [max(t[0] for t in new) - max(t[0] for t in old)]
            for i in range(1, _WIDTH):
                delta.append(sum(d[i] for d in changed if d is not None))
            outer = self.level_of.get(block.split)
            if outer is not None:
                runs = outer.visits[block.split]
                self._add(pending, outer, [runs * d for d in delta])
                if id(outer) in self._block_of:
                    heapq.heappush(waiting, self._block_of[id(outer)])
        return pending.get(id(self.top), [0.0] * _WIDTH)


class FastGains:
    """The gains of lint's suggestions on one model, without measuring a changed model.

    Each method takes what the builder of the same name in :mod:`bpr.lint.edits` takes and
    returns the :class:`Change` with the gain that :func:`bpr.lint.edits.gain` gives for that
    builder's model, or None where the builder makes no model (the change does not fit the
    flow). The flow rules that a change could break are checked where the change is.
    """

    def __init__(
        self,
        model: Model,
        analysis: FlowAnalysis | None = None,
        preds: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.model = model
        self.analysis = analysis or analyse(model)
        self.preds = preds if preds is not None else predecessors(model, self.analysis)
        self.joined = {block.join: block for block in self.analysis.blocks}

    @cached_property
    def measures(self) -> Measures:
        """The model's own measures (the one full measure of a lint run)."""
        found = self.model.__dict__.get("_lint_measure_record")
        if found is None:
            found = measure(self.model)
            self.model.__dict__["_lint_measure_record"] = found
        return found

    @cached_property
    def before(self) -> dict[str, object]:
        cached = self.model.__dict__.get("_lint_measures")
        if cached is None:
            cached = self.measures.as_dict()
            self.model.__dict__["_lint_measures"] = cached
        return cached

    @cached_property
    def baseline(self) -> Baseline:
        return Baseline(self.model, self.analysis)

    @cached_property
    def makers(self) -> dict[str, list[Step]]:
        """For each document, the steps that produce it, in file order."""
        found: dict[str, list[Step]] = {}
        for step in self.model.steps:
            for doc in step.produces:
                found.setdefault(doc, []).append(step)
        return found

    @cached_property
    def needed(self) -> frozenset[str]:
        return frozenset(d for step in self.model.steps for d in step.needs)

    @cached_property
    def _unavailable(self) -> frozenset[tuple[str, str]]:
        return frozenset(unavailable_needs(self.model))

    # -- the suggestions ----------------------------------------------------------------------

    def exchange(self, doc_ids: Iterable[str]) -> Change | None:
        """:func:`bpr.lint.edits.exchange_documents`, measured."""
        plan = exchange_plan(self.model, doc_ids, self.makers, self.makers.keys())
        if plan is None:
            return None
        documents, changed, notes = plan
        return Change(self._gain(changed, documents), notes)

    def online(self, step_ids: Iterable[str], reason: str) -> Change:
        """:func:`bpr.lint.edits.make_online`, measured."""
        changed, notes = online_plan(self.model, step_ids, reason)
        return Change(self._gain(changed), notes)

    def parallel(self, first_id: str, second_id: str) -> Change | None:
        """:func:`bpr.lint.edits.parallelise`, measured.

        The flow rules hold for every change the plan allows (the new split closes at the
        step after the two, or the old one at the first of them; no branch is entered from
        outside, no loop changes); what can break is a document: the second step now starts
        where the split does, without what the split's other branches produce.
        """
        model = self.model
        if first_id not in model or second_id not in model:
            return None
        plan = parallel_plan(model, self.analysis, self.preds, first_id, second_id, self.joined)
        if plan is None:
            return None
        changed, notes, block = plan
        second = model.step(second_id)
        base = self.baseline
        if block is None:
            opener = self.preds[first_id][0]
            starts_with = self._out(opener)
            slower = base.adds(first_id)[0], base.adds(second_id)[0]
            delta = [max(slower) - sum(slower)] + [0.0] * (_WIDTH - 1)
            where = opener
        else:
            starts_with = self._out(block.split)
            slowest = base.branch_slowest(block)
            own = base.adds(second_id)[0]
            delta = [(own if slowest is None else max(slowest, own)) - (slowest or 0.0) - own]
            delta += [0.0] * (_WIDTH - 1)
            where = block.split
        had = available_documents(model)[second_id]
        produced = self.makers.keys()
        for doc in second.needs:
            if doc in produced and doc in had and doc not in starts_with:
                return None  # the second step would start before the document it needs
        return Change(self._gain(changed, totals=base.with_values({where: delta})), notes)

    def rework(self, step_id: str, index: int) -> Change | None:
        """:func:`bpr.lint.edits.remove_rework`, measured.

        Only probabilities change, so the only rules at stake are the loop's: every step must
        still reach the end by a branch taken, and no loop may trap the case. Both are decided
        inside the loop of the choice (outside it, no way to the end used the branch).
        """
        plan = rework_plan(self.model, step_id, index)
        if plan is None:
            return None
        new_step, notes = plan
        row = _merged(new_step)
        if not self._loop_still_ends(step_id, row):
            return None
        totals = self.baseline.with_row(step_id, row)
        return Change(self._gain({step_id: new_step}, totals=totals, same_values=True), notes)

    def check_first(self, check_id: str, chain: Sequence[str]) -> Change | None:
        """:func:`bpr.lint.edits.move_check_before`, measured.

        The chain then runs only for the cases the check lets on: what a pass adds at the
        chain's first step changes by the chain's sums times the share the check ends. The
        flow rules hold (no step of the chain or the check is a split, a join or in a loop);
        the check must still have the documents it needs.
        """
        model = self.model
        plan = check_first_plan(model, self.preds, check_id, chain)
        if plan is None:
            return None
        changed, notes = plan
        check = model.step(check_id)
        head = chain[0]
        produced = self.makers.keys()
        had = available_documents(model)[check_id]
        starts_with = available_documents(model)[head]
        for doc in check.needs:
            if doc in produced and doc in had and doc not in starts_with:
                return None  # the check would run before the document it needs
        share = sum(b.p for b in check.next.branches if b.to != END)
        base = self.baseline
        moved = [0.0] * _WIDTH
        for step_id in chain:
            for i, amount in enumerate(base.adds(step_id)):
                moved[i] += amount
        delta = [(share - 1) * amount for amount in moved]
        return Change(self._gain(changed, totals=base.with_values({head: delta})), notes)

    # -- the measures of a change -------------------------------------------------------------

    def _out(self, step_id: str) -> frozenset[str]:
        """The documents a case surely holds when a step is done."""
        step = self.model.step(step_id)
        return available_documents(self.model)[step_id] | frozenset(step.produces)

    def _loop_still_ends(self, step_id: str, row: list[tuple[str, float]]) -> bool:
        """Whether, with ``row`` out of ``step_id``, its loop still leads every case out and
        leaves it with more than the tolerance a round (:func:`bpr.core.flow.trapping_loops`)."""
        analysis = self.analysis
        loop = self._full_loop(step_id)
        rows = {node: analysis.successors[node] for node in loop}
        rows[step_id] = row
        seen, queue = {step_id}, [step_id]
        ends = False
        while queue and not ends:
            node = queue.pop()
            for target, p in rows[node]:
                if p <= 0:
                    continue
                if target not in loop:
                    ends = True  # outside the loop every step reaches the end as before
                    break
                if target not in seen:
                    seen.add(target)
                    queue.append(target)
        if not ends:
            return False
        collapsed = dict(rows)
        for block in analysis.blocks:
            if block.split in collapsed:
                collapsed[block.split] = [(block.join, 1.0)]
        return not trapping_loops(collapsed)

    def _full_loop(self, step_id: str) -> frozenset[str]:
        """The steps that lie on a loop with ``step_id`` (following every flow)."""
        cache: dict[str, frozenset[str]] = self.__dict__.setdefault("_loops", {})
        if not cache:
            onward = {
                n: [t for t, _ in ts if t != END] for n, ts in self.analysis.successors.items()
            }
            for members in strongly_connected_components(list(onward), lambda n: onward[str(n)]):
                group = frozenset(str(m) for m in members)
                for member in group:
                    cache[member] = group
        return cache.get(step_id, frozenset({step_id}))

    def _gain(
        self,
        changed: Mapping[str, Step],
        documents: Mapping[str, Document] | None = None,
        *,
        totals: Vector | None = None,
        same_values: bool = False,
    ) -> dict[str, float]:
        """The gain of a change to ``changed`` steps (and ``documents``): the counts from the
        steps and documents that differ, the totals from ``totals`` or, where the flow stays,
        from each changed step's cost times its runs."""
        model, old = self.model, self.measures
        if totals is None:
            deltas: dict[str, Vector] = {}
            if not same_values:
                for step_id, step in changed.items():
                    was_adding = step_value(model, model.step(step_id))
                    adding = step_value(model, step)
                    if was_adding != adding:
                        deltas[step_id] = [a - b for a, b in zip(adding, was_adding, strict=True)]
            totals = self.baseline.with_values(deltas) if deltas else [0.0] * _WIDTH
        elapsed, work, applicant, fees = (
            base + delta for base, delta in zip(self.baseline.totals[:4], totals[:4], strict=True)
        )
        visits, handoffs = old.visits, old.handoffs
        for step_id, step in changed.items():
            was = model.step(step_id)
            visits += step.is_visit - was.is_visit
            handoffs += self._handoffs(step) - self._handoffs(was)
        counts = {}
        if documents is not None:
            from_applicant, certificates, exchanged = (
                old.documents_from_applicant,
                old.certificates,
                old.documents_exchanged,
            )
            for doc_id, doc in documents.items():
                was_doc = model.documents[doc_id]
                if doc is was_doc or doc_id not in self.needed:
                    continue
                from_applicant += (not doc.exchange) - (not was_doc.exchange)
                certificates += (doc.issuer is not None and not doc.exchange) - (
                    was_doc.issuer is not None and not was_doc.exchange
                )
                exchanged += doc.exchange - was_doc.exchange
            counts = {
                "documents_from_applicant": from_applicant,
                "certificates": certificates,
                "documents_exchanged": exchanged,
            }
        burden = applicant * (model.tariff or 0.0) + fees
        after = dataclasses.replace(
            old,
            visits=visits,
            handoffs=handoffs,
            lead_time_days=elapsed / 24,
            work_hours=work,
            applicant_hours=applicant,
            fees=fees,
            burden=burden,
            annual_burden=None if model.volume is None else burden * model.volume,
            **counts,
        )
        return changes_between(self.before, after.as_dict())

    def _handoffs(self, step: Step) -> int:
        """The handoffs of the flows out of a step (to another actor's step)."""
        model = self.model
        return sum(
            1
            for target in dict.fromkeys(step.next.targets)
            if target != END and model.step(target).actor != step.actor
        )


def _merged(step: Step) -> list[tuple[str, float]]:
    """The flows out of a step with their probabilities, as the flow analysis merges them."""
    merged: dict[str, float] = {}
    for branch in step.next.branches:
        merged[branch.to] = merged.get(branch.to, 0.0) + branch.p
    return list(merged.items())
