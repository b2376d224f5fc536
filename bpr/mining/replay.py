"""Choice probabilities of a draft from the log's variants, not from activity frequencies.

Each choice of the draft is replayed on every variant: where a case reaches the choice (right
after the activity that leads to it, or at the start of the case), the activity that comes
next in the variant (or the end of the case) says which branch it took; the branches' shares
of those cases, weighted by each variant's number of cases, are the probabilities. A routing
step (a zero-time split, loop head or start) is looked through: its branches begin with the
activities they reach first.

>>> from bpr.mining.tree import DraftStep
>>> steps = {"a": DraftStep("a", "a", next={"b": 0.5, "end": 0.5}),
...          "b": DraftStep("b", "b", next={"end": 1.0})}
>>> replay_probabilities(steps, "a", {("a", "b"): 3, ("a",): 1})
True
>>> steps["a"].next
{'b': 0.75, 'end': 0.25}
"""

from __future__ import annotations

import itertools
from collections import Counter

from bpr.core.model import END
from bpr.mining.tree import DraftStep

__all__ = ["replay_probabilities"]

_START = ("start",)  # the place before a case's first activity (not an activity name)
_FLOOR = 0.001  # a branch no case took still exists in the tree: it keeps a trace of a chance


def _entries(steps: dict[str, DraftStep], target: str, seen: frozenset[str]) -> set[object]:
    """What a case does first on entering ``target``: activity names, or END."""
    if target == END:
        return {END}
    step = steps[target]
    if not step.routing:
        return {step.name}
    if target in seen:
        return set()
    found: set[object] = set()
    for onward in step.parallel or step.next:
        found |= _entries(steps, onward, seen | {target})
    return found


def _arrivals(steps: dict[str, DraftStep], first: str) -> dict[str, set[object]]:
    """For each step, what a case has just done when it reaches it: an activity, or start."""
    arrivals: dict[str, set[object]] = {s: set() for s in steps}

    def reach(target: str, came: object, seen: frozenset[str]) -> None:
        if target == END or target in seen:
            return
        arrivals[target].add(came)
        step = steps[target]
        if step.routing:
            for onward in step.parallel or step.next:
                reach(onward, came, seen | {target})

    reach(first, _START, frozenset())
    for step in steps.values():
        if not step.routing:
            for onward in step.parallel or step.next:
                reach(onward, step.name, frozenset())
    return arrivals


def replay_probabilities(
    steps: dict[str, DraftStep], first: str, variants: dict[tuple[str, ...], int]
) -> bool:
    """Set the probabilities of every choice from the variants; whether any was set.

    A choice that no case of the variants reaches keeps the probabilities it had.
    """
    pairs: Counter[tuple[object, object]] = Counter()
    for trace, cases in variants.items():
        for pair in itertools.pairwise((_START, *trace, END)):
            pairs[pair] += cases
    arrivals = _arrivals(steps, first)
    changed = False
    for step in steps.values():
        if step.parallel is not None or len(step.next) < 2:
            continue
        entries = {target: _entries(steps, target, frozenset()) for target in step.next}
        taken = dict.fromkeys(step.next, 0.0)
        came_from = {step.name} if not step.routing else arrivals[step.id]
        for (before, after), cases in pairs.items():
            if before not in came_from:
                continue
            branches = [t for t, firsts in entries.items() if after in firsts]
            for target in branches:
                taken[target] += cases / len(branches)
        total = sum(taken.values())
        if total <= 0:
            continue
        shares = {t: max(n / total, _FLOOR) for t, n in taken.items()}
        norm = sum(shares.values())
        step.next = {t: p / norm for t, p in shares.items()}
        changed = True
    return changed
