"""Pairs of steps in a sentence: grouped around the step that takes part in most of them, and
the pairs of To-Be steps that now run in parallel where their As-Is steps ran in sequence.

A sentence about pairs (parallelism, resequencing) names a bounded number of groups and of
steps per group, and counts the rest; :func:`parallel_groups` works out those groups without
listing every pair of steps of two long parallel branches (two branches of 3,000 steps are
9 million pairs):

>>> from bpr.comparison.order import StepOrder
>>> from bpr.files.load import loads
>>> head = "bpr: 1\\nservice: s\\nactors: {a: {name: A}}\\n"
>>> old = loads(head + "variant: as-is\\nsteps: [{id: s, actor: a}, {id: x, actor: a}, "
...     "{id: y, actor: a}, {id: z, actor: a}, {id: j, actor: a}]")
>>> new = loads(head + "variant: to-be\\nsteps: [{id: s, actor: a, next: {all: [x, y]}}, "
...     "{id: x, actor: a, next: j}, {id: y, actor: a, next: z}, {id: z, actor: a, next: j}, "
...     "{id: j, actor: a, join: all}]")
>>> sources = {s.id: [s.id] for s in new.steps}
>>> found = parallel_groups(StepOrder(old), StepOrder(new), sources, listed=6)
>>> found.groups, found.count, found.steps
([('x', ['y', 'z'], 2)], 1, ['x', 'y', 'z'])
>>> list(group_pairs([("a", "b"), ("a", "c"), ("d", "e")], {"a": 0, "b": 1, "c": 2, "d": 3,
...     "e": 4}.__getitem__))
[('a', ['b', 'c']), ('d', ['e'])]
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice, pairwise

from bpr.comparison.order import StepOrder

__all__ = ["ParallelGroups", "group_pairs", "parallel_groups"]


def group_pairs(
    pairs: Iterable[tuple[str, str]], index: Callable[[str], int]
) -> Iterator[tuple[str, list[str]]]:
    """Group pairs around the step that takes part in most of them, greedily.

    The step with most partners left comes first (of equal ones, the lowest ``index``, its
    place in the file), with its partners in ``index`` order; it then leaves its partners'
    lists. One group per step that moved, naming the steps it moved relative to; the work grows
    with the number of pairs (a heap of the steps, not a scan of them per group).
    """
    partners: dict[str, set[str]] = {}
    for a, b in pairs:
        partners.setdefault(a, set()).add(b)
        partners.setdefault(b, set()).add(a)
    heap = [(-len(others), index(step), step) for step, others in partners.items()]
    heapq.heapify(heap)
    while heap:
        size, _place, step = heapq.heappop(heap)
        others = partners[step]
        if len(others) != -size:  # a stale entry: the step lost partners since
            continue
        for other in others:
            theirs = partners[other]
            theirs.discard(step)
            if theirs:
                heapq.heappush(heap, (-len(theirs), index(other), other))
        partners[step] = set()
        yield step, sorted(others, key=index)


@dataclass(frozen=True)
class ParallelGroups:
    """The To-Be steps that now run alongside steps they ran in sequence with in the As-Is.

    ``groups`` are the first groups of :func:`group_pairs` over those pairs (at most the
    ``listed`` asked for), each ``(step, its first partners (at most ``listed``), how many
    partners)``; ``count`` is
    the number of groups in all; ``steps`` every step of a pair, in file order.
    ``pairs_tested`` counts the pairs of steps whose order was looked up one by one: it grows
    with the steps where whole branches are settled at once, and with the pairs only in a
    parallel block whose branches mix pairs that ran in sequence with pairs that did not.
    """

    groups: list[tuple[str, list[str], int]]
    count: int
    steps: list[str]
    pairs_tested: int


def parallel_groups(
    old: StepOrder, new: StepOrder, sources: Mapping[str, Sequence[str]], *, listed: int
) -> ParallelGroups:
    """The pairs ``(a, b)`` of To-Be steps in different branches of one parallel split where
    some As-Is step ``a`` stands for and some other one ``b`` stands for ran one after the
    other and not in parallel branches, grouped by :func:`group_pairs`.

    ``sources`` maps each To-Be step to the As-Is steps it stands for. Each pair of branches of
    a split is settled whole where it can be: none of its pairs counts where its As-Is steps
    lay in different branches of one As-Is split (or in one loop), all of them where its As-Is
    steps ran in one sequence; only the other branches are paired step by step.
    """
    return _Finder(old, new, sources).groups(listed)


# A part of the pairs: yields (key, step, partners in file order (up to a limit), how many
# partners) group by group, in the order group_pairs would take them.
_Part = Iterator[tuple[tuple[int, int], str, Callable[[int], list[str]], int]]


class _Finder:
    def __init__(self, old: StepOrder, new: StepOrder, sources: Mapping[str, Sequence[str]]):
        self.old, self.new, self.sources = old, new, sources
        self.index = {s.id: s.index for s in new.model.steps}
        self.tested = 0

    def groups(self, listed: int) -> ParallelGroups:
        parts: list[_Part] = []
        steps: set[str] = set()
        explicit: dict[tuple[str, str], None] = {}
        settled = [self.settle(block.branches) for block in self.new.blocks]
        live = {i for i, kinds in enumerate(settled) if kinds is not None and any(kinds.values())}
        live |= {i for i, kinds in enumerate(settled) if kinds is None}
        for number, block in enumerate(self.new.blocks):
            if number not in live:
                continue
            kinds = settled[number]
            regions = [self.kept(region) for region in block.branches.values()]
            alone = all(
                sum(1 for b, _start in self.new.branch_of[s] if b in live) == 1
                for region in regions
                for s in region
            )
            if kinds is not None and alone:
                part = self.whole(regions, kinds, steps)
                if part is not None:
                    parts.append(part)
                continue
            everything = list(block.branches.values())
            for i, first in enumerate(everything):
                for second in everything[i + 1 :]:
                    for a in first - second:
                        for b in second - first:
                            if self.qualifies(a, b):
                                explicit[self.ordered(a, b)] = None
        if explicit:
            steps.update(s for pair in explicit for s in pair)
            parts.append(self.one_by_one(list(explicit)))
        return self.merge(parts, listed, sorted(steps, key=self.index.__getitem__))

    def ordered(self, a: str, b: str) -> tuple[str, str]:
        return (a, b) if self.index[a] <= self.index[b] else (b, a)

    def kept(self, region: Iterable[str]) -> list[str]:
        """The steps of a branch that stand for As-Is steps, in file order."""
        return sorted((s for s in region if self.sources.get(s)), key=self.index.__getitem__)

    def qualifies(self, a: str, b: str) -> bool:
        found = False
        for x in self.sources.get(a, ()):
            for y in self.sources.get(b, ()):
                self.tested += 1
                if x != y and self.old.sequential(x, y) and not self.old.concurrent(x, y):
                    found = True
                    break
            if found:
                break
        return found

    def settle(self, branches: Mapping[str, frozenset[str]]) -> dict[tuple[int, int], bool] | None:
        """For each pair of branches (by position), whether all of their pairs count (True) or
        none (False); None where some pair of branches is neither, or the branches overlap."""
        regions = list(branches.values())
        if sum(len(r) for r in regions) != len(frozenset().union(*regions)):
            return None
        kept = [self.kept(region) for region in regions]
        olds = [[x for s in region for x in self.sources[s]] for region in kept]
        homes = [self.homes(xs) for xs in olds]
        kinds: dict[tuple[int, int], bool] = {}
        for i in range(len(regions)):
            for j in range(i + 1, len(regions)):
                kind = self.pair_kind(olds[i], olds[j], homes[i], homes[j])
                if kind is None:
                    return None
                kinds[(i, j)] = kind
        return kinds

    def pair_kind(
        self,
        first: list[str],
        second: list[str],
        first_homes: set[tuple[int, str]],
        second_homes: set[tuple[int, str]],
    ) -> bool | None:
        """Whether every pair of the As-Is steps of two branches ran in sequence (True), none
        (False: in different branches of one As-Is split, or in one loop), or cannot tell."""
        both = [*first, *second]
        if not first or not second or self.apart(first_homes, second_homes):
            return False
        parts = {self.old.component.get(x) for x in both}
        if None in parts:  # a step the flow never reaches: step by step, as the definition
            return None
        if len(parts) == 1:
            return False
        return True if self.in_sequence(both) else None

    def homes(self, xs: list[str]) -> set[tuple[int, str]]:
        """The As-Is (split, branch) every one of the As-Is steps ``xs`` lies in."""
        found: set[tuple[int, str]] | None = None
        for x in xs:
            mine = set(self.old.branch_of.get(x, ()))
            found = mine if found is None else found & mine
            if not found:
                return set()
        return found or set()

    @staticmethod
    def apart(first: set[tuple[int, str]], second: set[tuple[int, str]]) -> bool:
        """Whether two sets of As-Is steps lie in different branches of one As-Is split."""
        starts = dict(first)
        return any(block in starts and starts[block] != start for block, start in second)

    def in_sequence(self, xs: list[str]) -> bool:
        """Whether the As-Is steps ``xs`` all ran one after the other, none in parallel with
        another (each in its own part of the flow, each part before the next)."""
        parts = sorted((self.old.component[x] for x in xs), reverse=True)
        if len(set(parts)) != len(parts):
            return False
        members = [self.old.components[p][0] for p in parts]
        for earlier, later in pairwise(members):
            self.tested += 1
            if not self.old.before(earlier, later):
                return False
        seen: dict[int, str] = {}
        for x in xs:
            for block, start in self.old.branch_of.get(x, ()):
                if seen.setdefault(block, start) != start:
                    return False
        return True

    def whole(
        self, regions: list[list[str]], kinds: dict[tuple[int, int], bool], steps: set[str]
    ) -> _Part | None:
        """The groups of a split whose pairs of branches are settled whole: every step of a
        branch has as partners the steps left in the branches paired with it."""
        near = [
            [j for j in range(len(regions)) if kinds.get((min(i, j), max(i, j)))]
            for i in range(len(regions))
        ]
        if not any(near):
            return None
        for i, region in enumerate(regions):
            if near[i]:
                steps.update(region)
        return self._whole(regions, near)

    def _whole(self, regions: list[list[str]], near: list[list[int]]) -> _Part:
        index = self.index
        at = [0] * len(regions)
        left = [len(r) for r in regions]
        degree = [sum(left[j] for j in near[i]) for i in range(len(regions))]
        heap = [(-degree[i], index[regions[i][0]], i) for i in range(len(regions)) if regions[i]]
        heapq.heapify(heap)
        while heap:
            size, place, i = heapq.heappop(heap)
            if not left[i] or -size != degree[i] or place != index[regions[i][at[i]]]:
                continue
            if not degree[i]:
                continue
            step = regions[i][at[i]]

            # read before the part goes on (see merge), so the positions are this group's
            def partners(limit: int, i: int = i) -> list[str]:
                ways = [regions[j][at[j] :] for j in near[i]]
                return list(islice(heapq.merge(*ways, key=index.__getitem__), limit))

            yield (degree[i], -place), step, partners, degree[i]
            at[i] += 1
            left[i] -= 1
            for j in near[i]:
                degree[j] -= 1
                if left[j]:
                    heapq.heappush(heap, (-degree[j], index[regions[j][at[j]]], j))
            if left[i]:
                heapq.heappush(heap, (-degree[i], index[regions[i][at[i]]], i))

    def one_by_one(self, pairs: list[tuple[str, str]]) -> _Part:
        for step, others in group_pairs(pairs, self.index.__getitem__):

            def partners(limit: int, others: list[str] = others) -> list[str]:
                return others[:limit]

            yield (len(others), -self.index[step]), step, partners, len(others)

    def merge(self, parts: list[_Part], listed: int, steps: list[str]) -> ParallelGroups:
        """The groups of all parts in the order group_pairs would take them over all pairs at
        once (the parts share no step, so each part's order is its own)."""
        current = [next(part, None) for part in parts]
        groups: list[tuple[str, list[str], int]] = []
        count = 0
        while True:
            live = [n for n, item in enumerate(current) if item is not None]
            if not live:
                break
            if len(groups) >= listed:  # the rest is only counted
                for n in live:
                    count += 1 + sum(1 for _ in parts[n])
                break
            items = [(item[0], n) for n, item in enumerate(current) if item is not None]
            n = max(items)[1]
            item = current[n]
            assert item is not None
            _key, step, partners, total = item
            groups.append((step, partners(listed), total))
            count += 1
            current[n] = next(parts[n], None)
        return ParallelGroups(groups, count, steps, self.tested)
