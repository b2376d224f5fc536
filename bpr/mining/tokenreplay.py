"""Token-based replay of traces on a workflow net, in plain Python (no pm4py, no pandas).

The net is a :class:`bpr.analysis.petri.PlainNet`: a case starts with one token in ``source``
and should end with one in ``sink``. Each trace is replayed event by event, counting the
tokens that were *produced* (the initial token and every output of a fired transition),
*consumed* (every input of a fired transition and the final token), *missing* (put in by hand
where a transition had to fire without them, or where the case ends with no token in
``sink``) and *remaining* (left in the net at the end, beyond the one final token). The trace
fitness is ``(1 - missing / consumed) / 2 + (1 - remaining / produced) / 2``; a trace is fit
when nothing was missing and nothing remained.

The figures are those of pm4py's token-based replay with its default parameters (pm4py
2.7.23, ``conformance_diagnostics_token_based_replay``), whose heuristics this module follows:

- an event fires a transition carrying its activity: one that is enabled if there is one,
  otherwise the one whose name sorts last; an activity no transition carries is passed over
  without a count (``bpr conform`` gives each activity the model lacks a transition of its
  own, so that its events are counted);
- a transition that is not enabled is first enabled, where that can be done, by silent
  transitions: the shortest silent paths (of at most 51 transitions) from each marked place
  to each of its empty input places, the shortest first, are fired as far as they are
  enabled, with one further level of enabling for a silent transition on the way and no
  silent transition fired twice for one event; what is still missing is then put in by hand;
- after the last event, the shortest silent paths from the marked places to ``sink`` are
  fired where enabled (five rounds), then once more path by path up to the first transition
  that is not enabled (five rounds).

pm4py's choices are partly made in the iteration order of sets of Python objects (which
differs from run to run): which shortest silent path between two places it keeps when
several are equally short, which of several enabled transitions of one activity it fires, and
the order of the places in a marking that the last five rounds follow. This module decides
them in the order of the net instead: among equally short paths, the one found first by a
breadth-first walk taking the transitions in the net's order; among enabled transitions of
one activity, the one whose input was marked last (where the case has just come; the first
name among equals); places in the order they were marked, outputs in the order the net lists
them. On the compact nets of :func:`bpr.analysis.petri.plain_net` of valid models, every
silent transition (a branch of a choice, a merge or an end that could not be fused) takes one
token from one place to another: equally short paths then lead to the same marking, and the
final rounds fire whole paths in their first round, so the order of the places never comes
into it. The tests compare every figure with pm4py's on the shipped models and on random ones
and find them equal. The one order that does change figures on such nets is that of several
enabled steps of one activity (a model giving one activity to several steps); there pm4py's
figures differ from one run to the next, and this module's are one of them, always the same.

Each distinct state (the marking, with the order of its places) met before an event or at the
end of a trace is worked out once per net, and traces sharing a beginning replay it once:
:meth:`TokenReplay.replay_all` takes a list of variants.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bpr.analysis.petri import PlainNet

__all__ = ["TokenReplay", "TraceReplay", "replay"]

#: A marking: place index -> tokens, in the order the places were first marked.
_Marking = dict[int, int]

# pm4py's bounds: silent paths of at most this many transitions (a recursion depth of 50),
# this many rounds of each attempt to reach the final marking
_LONGEST_PATH = 51
_FINAL_ROUNDS = 5
# the enabling of a transition by silent ones goes this many levels deep (the transition,
# and one level for a silent transition on the way)
_ENABLING_DEPTH = 2


@dataclass(frozen=True)
class TraceReplay:
    """The replay of one trace: its token counts, whether it fits, and its fitness."""

    missing: int
    consumed: int
    remaining: int
    produced: int
    fit: bool
    fitness: float


class TokenReplay:
    """Token-based replay on one net; what depends on the net alone is worked out once.

    >>> from bpr.analysis.petri import PlainNet
    >>> net = PlainNet(["source", "p", "sink"])
    >>> net.transition("a", "a", ["source"], ["p"])
    >>> net.transition("b", "b", ["p"], ["sink"])
    >>> TokenReplay(net).replay(["a", "b"])
    TraceReplay(missing=0, consumed=3, remaining=0, produced=3, fit=True, fitness=1.0)
    >>> TokenReplay(net).replay(["b"])
    TraceReplay(missing=1, consumed=2, remaining=1, produced=2, fit=False, fitness=0.5)
    """

    def __init__(self, net: PlainNet) -> None:
        index = {place: i for i, place in enumerate(net.places)}
        if "source" not in index or "sink" not in index:
            raise ValueError("a workflow net has a place 'source' and a place 'sink'")
        self._source = index["source"]
        self._sink = index["sink"]
        # places sort by name where pm4py sorts them
        order = sorted(range(len(net.places)), key=lambda i: net.places[i])
        self._rank = [0] * len(net.places)
        for rank, place in enumerate(order):
            self._rank[place] = rank
        self._ins: list[tuple[int, ...]] = []
        self._outs: list[tuple[int, ...]] = []
        silent: list[bool] = []
        by_label: dict[str, list[tuple[str, int]]] = {}
        for k, (name, label, ins, outs, _node) in enumerate(net.transitions):
            self._ins.append(tuple(index[p] for p in ins))
            self._outs.append(tuple(index[p] for p in outs))
            silent.append(label is None)
            if label is not None:
                by_label.setdefault(label, []).append((name, k))
        # per activity: its transitions, the first name first, and the one fired when none
        # of them is enabled (the last name)
        self._candidates: dict[str, tuple[int, ...]] = {}
        self._fallback: dict[str, int] = {}
        for label, named in by_label.items():
            named.sort()
            self._candidates[label] = tuple(k for _, k in named)
            self._fallback[label] = named[-1][1]
        self._paths = self._shortest_silent_paths(len(net.places), silent)
        self._steps: dict[tuple[str, tuple[tuple[int, int], ...]], _Step] = {}
        self._endings: dict[tuple[tuple[int, int], ...], tuple[int, int, int, int, int]] = {}

    # -- the net ----------------------------------------------------------------------------

    def _shortest_silent_paths(
        self, places: int, silent: list[bool]
    ) -> list[dict[int, tuple[int, ...]]]:
        """From each place, the shortest path of silent transitions to each place it reaches
        (to itself only round a cycle); equally short paths: the first met breadth-first."""
        leaving: list[list[int]] = [[] for _ in range(places)]
        for k, ins in enumerate(self._ins):
            if silent[k]:
                for place in dict.fromkeys(ins):
                    leaving[place].append(k)
        paths: list[dict[int, tuple[int, ...]]] = []
        for start in range(places):
            found: dict[int, tuple[int, ...]] = {}
            queue: deque[tuple[int, tuple[int, ...]]] = deque([(start, ())])
            while queue:
                place, path = queue.popleft()
                if len(path) >= _LONGEST_PATH:
                    continue
                for k in leaving[place]:
                    longer = (*path, k)
                    for target in self._outs[k]:
                        if target not in found:
                            found[target] = longer
                            if target != start:
                                queue.append((target, longer))
            paths.append(found)
        return paths

    def _enabled(self, k: int, marking: _Marking) -> bool:
        return all(marking.get(place, 0) >= 1 for place in self._ins[k])

    def _fire(self, k: int, marking: _Marking) -> _Marking:
        after = dict(marking)
        for place in self._ins[k]:
            tokens = after.get(place, 0) - 1
            if tokens == 0:
                del after[place]
            else:
                after[place] = tokens
        for place in self._outs[k]:
            after[place] = after.get(place, 0) + 1
        return after

    # -- one event --------------------------------------------------------------------------

    def _step(self, activity: str, marking: _Marking) -> _Step | None:
        """The replay of one event from ``marking`` (None: no transition carries it)."""
        candidates = self._candidates.get(activity)
        if candidates is None:
            return None
        key = (activity, tuple(marking.items()))
        known = self._steps.get(key)
        if known is not None:
            return known
        enabled = [k for k in candidates if self._enabled(k, marking)]
        if len(enabled) == 1:
            chosen = enabled[0]
        elif enabled:
            # several steps of this activity could run: the one where the case has come
            # most recently (the input marked last; the first name among equals)
            marked = {place: i for i, place in enumerate(marking)}
            chosen = max(enabled, key=lambda k: max((marked[p] for p in self._ins[k]), default=-1))
        else:
            chosen = self._fallback[activity]
        missing = consumed = produced = 0
        if not self._enabled(chosen, marking):
            fired: list[int] = []
            marking = self._enable_by_silent(chosen, marking, fired, 0, set())
            for k in fired:
                consumed += len(self._ins[k])
                produced += len(self._outs[k])
        if not self._enabled(chosen, marking):
            marking = dict(marking)
            for place in self._ins[chosen]:
                tokens = marking.get(place, 0)
                if tokens < 1:
                    missing += 1 - tokens
                    marking[place] = tokens + 1
        consumed += len(self._ins[chosen])
        produced += len(self._outs[chosen])
        if self._enabled(chosen, marking):
            marking = self._fire(chosen, marking)
        step = _Step(marking, missing, consumed, produced)
        self._steps[key] = step
        return step

    def _paths_to(self, marking: _Marking, targets: Iterable[int]) -> list[tuple[int, ...]]:
        """The silent paths from the marked places to ``targets``, shortest first (places by
        name within one length)."""
        ordered = sorted(targets, key=self._rank.__getitem__)
        found = [
            self._paths[place][target]
            for place in sorted(marking, key=self._rank.__getitem__)
            for target in ordered
            if target in self._paths[place]
        ]
        found.sort(key=len)
        return found

    def _enable_by_silent(
        self, goal: int, marking: _Marking, fired: list[int], depth: int, tried: set[int]
    ) -> _Marking:
        """Fire silent transitions towards enabling ``goal``; each fired one is appended to
        ``fired`` and added to ``tried`` (none fires twice)."""
        if depth >= _ENABLING_DEPTH or goal in tried:
            return marking
        tried.add(goal)
        empty = [p for p in self._ins[goal] if marking.get(p, 0) < 1]
        paths = self._paths_to(marking, empty)
        if not paths:
            return marking
        marking = self._fire_along(goal, marking, fired, tried, paths)
        if self._enabled(goal, marking):
            return marking
        for path in self._paths_to(marking, empty):
            for k in path:
                if k == goal or k in tried:
                    continue
                if not self._enabled(k, marking):
                    marking = self._enable_by_silent(k, marking, fired, depth + 1, tried)
                if self._enabled(k, marking):
                    marking = self._fire(k, marking)
                    fired.append(k)
                    tried.add(k)
        return marking

    def _fire_along(
        self,
        goal: int,
        marking: _Marking,
        fired: list[int],
        tried: set[int],
        paths: list[tuple[int, ...]],
    ) -> _Marking:
        """Go round the paths in turn, each from where it was left, firing what is enabled,
        until ``goal`` is enabled or a path's turn fires nothing."""
        position = [0] * len(paths)
        turn = 0
        while True:
            path = paths[turn % len(paths)]
            changed = False
            at = position[turn % len(paths)]
            while at < len(path):
                k = path[at]
                if k != goal and k not in tried and self._enabled(k, marking):
                    marking = self._fire(k, marking)
                    fired.append(k)
                    tried.add(k)
                    changed = True
                at += 1
                if self._enabled(goal, marking):
                    break
            position[turn % len(paths)] = at
            if self._enabled(goal, marking) or not changed:
                return marking
            turn += 1

    # -- the end of a trace -----------------------------------------------------------------

    def _ending(self, marking: _Marking) -> tuple[int, int, int, int, int]:
        """From the marking after the last event: (tokens missing, consumed, produced on the
        way to the final marking, remaining, the tokens in ``sink``)."""
        key = tuple(marking.items())
        known = self._endings.get(key)
        if known is not None:
            return known
        sink = self._sink
        consumed = produced = 0
        for _ in range(_FINAL_ROUNDS):
            if sink in marking:
                break
            for path in self._paths_to(marking, [sink]):
                for k in path:
                    if self._enabled(k, marking):
                        marking = self._fire(k, marking)
                        consumed += len(self._ins[k])
                        produced += len(self._outs[k])
                if sink in marking:
                    break
        if sink not in marking:
            towards = [self._paths[p][sink] for p in marking if sink in self._paths[p]]
            towards.sort(key=len)
            for _ in range(_FINAL_ROUNDS):
                for path in towards:
                    for k in path:
                        if not self._enabled(k, marking):
                            break
                        marking = self._fire(k, marking)
                        consumed += len(self._ins[k])
                        produced += len(self._outs[k])
        in_sink = marking.get(sink, 0)
        remaining = sum(
            max(0, tokens - 1) if place == sink else tokens for place, tokens in marking.items()
        )
        ending = (max(0, 1 - in_sink), consumed, produced, remaining, in_sink)
        self._endings[key] = ending
        return ending

    def _result(self, marking: _Marking, missing: int, consumed: int, produced: int) -> TraceReplay:
        short, end_consumed, end_produced, remaining, _ = self._ending(marking)
        fit = missing == 0 and remaining == 0
        missing += short
        consumed += end_consumed + 1  # the final token
        produced += end_produced
        fitness = 1.0
        if consumed > 0 and produced > 0:
            fitness = 0.5 * (1.0 - missing / consumed) + 0.5 * (1.0 - remaining / produced)
        return TraceReplay(missing, consumed, remaining, produced, fit, fitness)

    # -- traces -----------------------------------------------------------------------------

    def replay(self, trace: Sequence[str]) -> TraceReplay:
        """Replay one trace (a sequence of activities)."""
        return self.replay_all([trace])[0]

    def replay_all(self, traces: Sequence[Sequence[str]]) -> list[TraceReplay]:
        """Replay each trace; a beginning that traces share is replayed once."""
        order = sorted(range(len(traces)), key=lambda i: tuple(traces[i]))
        results: list[TraceReplay | None] = [None] * len(traces)
        # the states after each event of the trace replayed last: marking, missing,
        # consumed, produced (the initial token counts as produced)
        states: list[tuple[_Marking, int, int, int]] = [({self._source: 1}, 0, 0, 1)]
        previous: Sequence[str] = ()
        for i in order:
            trace = tuple(traces[i])
            shared = 0
            limit = min(len(trace), len(previous))
            while shared < limit and trace[shared] == previous[shared]:
                shared += 1
            del states[shared + 1 :]
            marking, missing, consumed, produced = states[-1]
            for activity in trace[shared:]:
                step = self._step(activity, marking)
                if step is not None:
                    marking = step.marking
                    missing += step.missing
                    consumed += step.consumed
                    produced += step.produced
                states.append((marking, missing, consumed, produced))
            results[i] = self._result(marking, missing, consumed, produced)
            previous = trace
        return [r for r in results if r is not None]


@dataclass(frozen=True)
class _Step:
    """What one event does from a marking: the marking after it and the tokens counted."""

    marking: _Marking
    missing: int
    consumed: int
    produced: int


def replay(net: PlainNet, traces: Sequence[Sequence[str]]) -> list[TraceReplay]:
    """Replay each trace on ``net`` (see :class:`TokenReplay`)."""
    return TokenReplay(net).replay_all(traces)
