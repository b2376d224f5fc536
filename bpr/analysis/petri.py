"""Soundness of a model as a workflow net: pm4py's Woflan, with the reason in the model's terms.

The validator checks the structure rules of the format (every step reachable, the end
reachable, parallel splits closed by one join). Soundness is a second opinion from Petri-net
theory: every case can always finish, it finishes with nothing left running, and every step
can run in some case. The flow net (tasks, exclusive and parallel gateways) is translated into a
workflow net (one place per flow; a transition per task, per branch of a decision, per split
and per join) and checked by Woflan; where it is not sound, a walk over the reachable states
names the step or join where cases get stuck. The same net in plain terms (:class:`PlainNet`,
:func:`plain_net`), in its compact form, is what ``bpr conform`` replays.
"""

from __future__ import annotations

import warnings
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bpr.analysis.flownet import END_ID, START_ID, FlowNet, flow_net
from bpr.core.i18n import N_, domain, use
from bpr.core.model import Model
from bpr.errors import DependencyError

if TYPE_CHECKING:
    from pm4py.objects.petri_net.obj import Marking, PetriNet

__all__ = ["PlainNet", "Soundness", "check_soundness", "plain_net", "pm4py_net", "workflow_net"]

_, ngettext, pgettext = domain("measures")

#: A reason not yet written: called in the language it is to be read in.
_Said = Callable[[], str]

# The walk over reachable states stops here; the models of public services are far smaller.
MAX_STATES = 200_000


@dataclass
class Soundness:
    """The verdict: ``sound``, a one-line ``reason``, and Woflan's own ``diagnostics``.

    ``reason`` is written in the output language in force at the check; ``as_dict()`` (the
    JSON of ``bpr check``, a machine contract) gives it in English, ``english_reason``.
    """

    sound: bool
    reason: str
    diagnostics: list[str] = field(default_factory=list)
    places: int = 0
    transitions: int = 0
    english_reason: str | None = field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sound": self.sound,
            "reason": self.reason if self.english_reason is None else self.english_reason,
            "diagnostics": self.diagnostics,
            "places": self.places,
            "transitions": self.transitions,
        }


@dataclass
class PlainNet:
    """A workflow net in plain terms: the net of :func:`plain_net`, walked over its states by
    the soundness check, replayed by :mod:`bpr.mining.tokenreplay`, and made a pm4py net by
    :func:`pm4py_net`.

    ``places`` are names; each transition is ``(name, label or None for a silent one, input
    places, output places, the flow-net node it stands for)``. A case starts with one token in
    ``source`` and ends with one in ``sink``.
    """

    places: list[str] = field(default_factory=list)
    transitions: list[tuple[str, str | None, list[str], list[str], str]] = field(
        default_factory=list
    )

    def place(self, name: str) -> str:
        """Add a place; its name back."""
        self.places.append(name)
        return name

    def transition(
        self, name: str, label: str | None, ins: list[str], outs: list[str], node: str = ""
    ) -> None:
        """Add a transition from the places ``ins`` to the places ``outs``."""
        self.transitions.append((name, label, ins, outs, node))


def _translate(net: FlowNet, labels: Mapping[str, str | None] | None = None) -> PlainNet:
    """The workflow net of a flow net; ``labels`` names each step's transition (default: the
    step's name; a step missing from ``labels`` or mapped to None is silent)."""
    out = PlainNet()
    source = out.place("source")
    sink = out.place("sink")
    flow_place = [out.place(f"{e.source}->{e.target}#{i}") for i, e in enumerate(net.edges)]
    incoming: dict[str, list[str]] = {n.id: [] for n in net.nodes}
    outgoing: dict[str, list[str]] = {n.id: [] for n in net.nodes}
    for i, edge in enumerate(net.edges):
        outgoing[edge.source].append(flow_place[i])
        incoming[edge.target].append(flow_place[i])
    for node in net.nodes:
        ins, outs = incoming[node.id], outgoing[node.id]
        if node.kind == "start":
            out.transitions.append((f"t:{node.id}", None, [source], outs, node.id))
        elif node.kind == "end":
            for place in ins:
                out.transitions.append((f"t:{node.id}:{place}", None, [place], [sink], node.id))
        elif node.kind == "task":
            entry = ins[0] if len(ins) == 1 else out.place(f"in:{node.id}")
            if len(ins) != 1:  # several flows lead into the task: each passes the case on
                for place in ins:
                    out.transitions.append(
                        (f"t:merge:{node.id}:{place}", None, [place], [entry], node.id)
                    )
            label = node.label or node.id if labels is None else labels.get(node.id)
            out.transitions.append((f"t:{node.id}", label, [entry], outs, node.id))
        elif node.kind == "xor":
            for place in outs:
                out.transitions.append((f"t:{node.id}:{place}", None, ins, [place], node.id))
        elif node.kind == "merge":  # whichever flow the case came along passes it on
            for place in ins:
                out.transitions.append((f"t:{node.id}:{place}", None, [place], outs, node.id))
        else:  # and-split, and-join: one transition takes every input and marks every output
            out.transitions.append((f"t:{node.id}", None, ins, outs, node.id))
    return out


def workflow_net(
    model: Model, labels: Mapping[str, str | None] | None = None, *, compact: bool = False
) -> tuple[PetriNet, Marking, Marking]:
    """The model as a pm4py Petri net with its initial and final marking: the one net of a
    model, for the soundness check and for conformance alike.

    Tasks are transitions labelled with the step's name, or with ``labels[step id]`` where
    ``labels`` is given (the log activity each step stands for; a step missing from it or
    mapped to None is a silent transition); decisions, splits, merges and joins are silent.
    The net has one place per flow of the flow net. ``compact`` fuses the silent transitions
    that only pass a token on (start, end, merges) and the splits and joins into their steps:
    the same behaviour with a place per step entry and a silent transition per branch of a
    choice, the net whose tokens token-based replay counts for ``bpr conform``.

    >>> import bpr
    >>> m = bpr.loads("bpr: 1\\nservice: s\\nvariant: v\\nactors: {a: {name: A}}\\n"
    ...               "steps: [{id: x, actor: a, name: Check}, {id: y, actor: a}]\\n")
    >>> net, initial, final = workflow_net(m, {"x": "Check form"})
    >>> sorted(str(t.label) for t in net.transitions)
    ['Check form', 'None', 'None', 'None']
    >>> [str(p) for p in initial], [str(p) for p in final]
    (['source'], ['sink'])
    >>> net, initial, final = workflow_net(m, {"x": "Check form"}, compact=True)
    >>> sorted(str(t.label) for t in net.transitions), len(net.places)
    (['Check form', 'None'], 3)
    """
    return pm4py_net(plain_net(model, labels, compact=compact), model.service)


def plain_net(
    model: Model, labels: Mapping[str, str | None] | None = None, *, compact: bool = False
) -> PlainNet:
    """The net of :func:`workflow_net` in plain terms, without pm4py.

    >>> import bpr
    >>> m = bpr.loads("bpr: 1\\nservice: s\\nvariant: v\\nactors: {a: {name: A}}\\n"
    ...               "steps: [{id: x, actor: a, name: Check}, {id: y, actor: a}]\\n")
    >>> net = plain_net(m, {"x": "Check form"}, compact=True)
    >>> net.places
    ['sink', 'source', 'x->y#1']
    >>> [(name, label, ins, outs) for name, label, ins, outs, _ in net.transitions]
    [('t:x', 'Check form', ['source'], ['x->y#1']), ('t:y', None, ['x->y#1'], ['sink'])]
    """
    fnet = flow_net(model)
    net = _translate(fnet, labels)
    return _compact(net, fnet) if compact else net


def pm4py_net(net: PlainNet, name: str = "net") -> tuple[PetriNet, Marking, Marking]:
    """A plain net as a pm4py Petri net, with its initial marking (a token in ``source``) and
    final one (a token in ``sink``); places and transitions keep their names."""
    return _to_pm4py(net, name)


def _compact(net: PlainNet, fnet: FlowNet) -> PlainNet:
    """The net without the silent transitions that only pass a token on, splits and joins
    fused into the transitions of their steps (see :func:`workflow_net`)."""
    kind = {node.id: node.kind for node in fnet.nodes}
    moves = {
        name: (label, list(ins), list(outs), node)
        for name, label, ins, outs, node in net.transitions
    }
    consumers: dict[str, list[str]] = {place: [] for place in net.places}
    producers: dict[str, list[str]] = {place: [] for place in net.places}
    for name, (_, ins, outs, _) in moves.items():
        for place in ins:
            consumers[place].append(name)
        for place in outs:
            producers[place].append(name)
    renamed: dict[str, str] = {}
    for name, (label, ins, outs, node) in list(moves.items()):
        if label is not None or len(ins) != 1:
            continue
        (place,) = ins
        passes = kind[node] in ("start", "end", "merge") or name.startswith("t:merge:")
        if passes and len(outs) == 1 and consumers[place] == [name]:
            renamed[place] = outs[0]  # the place's producers put the token straight on
            del moves[name]
        elif (
            kind[node] == "and-split" and len(producers[place]) == 1 and consumers[place] == [name]
        ):
            (step,) = producers[place]
            step_label, step_ins, step_outs, step_node = moves[step]
            at = step_outs.index(place)
            moves[step] = (
                step_label,
                step_ins,
                step_outs[:at] + outs + step_outs[at + 1 :],
                step_node,
            )
            del moves[name]
    for name, (label, ins, outs, node) in list(moves.items()):
        if label is not None or kind[node] != "and-join" or len(outs) != 1:
            continue
        (place,) = outs
        if producers[place] == [name] and len(consumers[place]) == 1:
            (step,) = consumers[place]
            step_label, step_ins, step_outs, step_node = moves[step]
            at = step_ins.index(place)
            moves[step] = (
                step_label,
                step_ins[:at] + ins + step_ins[at + 1 :],
                step_outs,
                step_node,
            )
            del moves[name]

    def final(place: str) -> str:
        while place in renamed:
            place = renamed[place]
        return place

    out = PlainNet()
    used = {final(p) for _, ins, outs, _ in moves.values() for p in ins + outs}
    out.places = [p for p in net.places if p in used]
    for name, (label, ins, outs, node) in moves.items():
        out.transitions.append(
            (name, label, [final(p) for p in ins], [final(p) for p in outs], node)
        )
    # the case starts where the start event put its token
    start = final("source")
    out.places = ["source" if p == start else p for p in out.places]
    out.transitions = [
        (
            name,
            label,
            ["source" if p == start else p for p in ins],
            ["source" if p == start else p for p in outs],
            node,
        )
        for name, label, ins, outs, node in out.transitions
    ]
    return out


def _to_pm4py(net: PlainNet, name: str) -> tuple[PetriNet, Marking, Marking]:
    try:
        from pm4py.objects.petri_net.obj import Marking, PetriNet
        from pm4py.objects.petri_net.utils import petri_utils
    except ImportError:
        raise DependencyError("pm4py", "the soundness check", "mining") from None
    petri = PetriNet(name)
    places = {}
    for place in net.places:
        places[place] = PetriNet.Place(place)
        petri.places.add(places[place])
    for ident, label, ins, outs, _ in net.transitions:
        transition = PetriNet.Transition(ident, label)
        petri.transitions.add(transition)
        for place in ins:
            petri_utils.add_arc_from_to(places[place], transition, petri)
        for place in outs:
            petri_utils.add_arc_from_to(transition, places[place], petri)
    return petri, Marking({places["source"]: 1}), Marking({places["sink"]: 1})


def check_soundness(model: Model, *, woflan: bool | None = None) -> Soundness:
    """Whether the model is a sound workflow net, and why not where it is not.

    The verdict comes from a walk over every state a case can be in (exact for these nets;
    where parallel branches interleave in too many states, over the states of the net
    reduced by rules that keep soundness), and from pm4py's Woflan on the same Petri net.
    Woflan's place-invariant step grows with about the cube of the net, and its own state
    space with the interleavings of parallel branches, so by default it runs on nets of up
    to ``WOFLAN_LIMIT`` transitions (models of some 60 steps) with up to ``WOFLAN_STATES``
    states; ``woflan=True`` forces it, ``False`` skips it.

    >>> import bpr
    >>> m = bpr.loads(
    ...     "bpr: 1\\nservice: s\\nvariant: as-is\\nactors: {a: {name: A}}\\n"
    ...     "steps: [{id: x, actor: a}, {id: y, actor: a}]\\n"
    ... )
    >>> check_soundness(m).sound  # doctest: +SKIP
    True
    """
    fnet = flow_net(model)
    net = _translate(fnet)
    petri, initial, final = _to_pm4py(net, model.service)
    sizes: list[int] = []
    walked, said = _explore(model, fnet, net, sizes=sizes)
    if walked is None:
        # Many parallel branches interleave in more states than the walk visits (12 branches
        # of two steps: half a million). The reduced net has the same verdict, and a parallel
        # block of independent branches shrinks to one transition.
        walked, said = _explore(model, fnet, _reduce(net))
    states = sizes[0]
    if woflan is not None:
        run_woflan = woflan
    else:
        run_woflan = len(net.transitions) <= WOFLAN_LIMIT and states <= WOFLAN_STATES
    messages: list[str] = []
    woflan_sound: bool | None = None
    if run_woflan or walked is None:
        woflan_sound, messages = _woflan(petri, initial, final)
    elif len(net.transitions) > WOFLAN_LIMIT:
        messages = [
            f"Woflan not run: the net has {len(net.transitions)} transitions (more than "
            f"{WOFLAN_LIMIT}); the verdict is the walk over all reachable states"
        ]
    else:
        messages = [
            f"Woflan not run: the walk met {states} states of a case (parallel branches "
            f"interleave; Woflan takes seconds beyond {WOFLAN_STATES}, minutes beyond 250); "
            "the verdict is the walk's"
        ]
    sound = walked if walked is not None else bool(woflan_sound)

    def reason() -> str:
        if walked is None:
            if sound:
                return _("more than {states} states: the verdict is Woflan's alone").format(
                    states=MAX_STATES
                )
            return _(
                "more than {states} states: the verdict is Woflan's alone: {diagnostics}"
            ).format(states=MAX_STATES, diagnostics="; ".join(messages[-2:]))
        text = (
            _(
                "every case can always reach the end, ends with no branch still running, and "
                "every step can run"
            )
            if sound
            else said()
        )
        if woflan_sound is None or woflan_sound == walked:
            return text
        diagnostics = "; ".join(messages[-1:])
        if woflan_sound:
            return _("{reason} (Woflan's verdict differs: sound; {diagnostics})").format(
                reason=text, diagnostics=diagnostics
            )
        return _("{reason} (Woflan's verdict differs: not sound; {diagnostics})").format(
            reason=text, diagnostics=diagnostics
        )

    with use("en"):
        english = reason()
    return Soundness(sound, reason(), messages, len(petri.places), len(petri.transitions), english)


#: Woflan runs by default on nets of up to this many transitions ...
WOFLAN_LIMIT = 80
#: ... whose cases can be in up to this many states (Woflan's own state space grows with
#: the interleavings of parallel branches: 0.3 s at 90 states, 5 s at 250, minutes at 1,000).
WOFLAN_STATES = 100


def _woflan(petri: Any, initial: Any, final: Any) -> tuple[bool, list[str]]:
    from pm4py.algo.analysis.woflan import algorithm as woflan

    with warnings.catch_warnings():
        # Woflan suggests PuLP for its place invariants; scipy's solution is good enough
        # here, and the walk over the states decides where the two could differ.
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", PendingDeprecationWarning)  # numpy.matrix inside
        result = woflan.apply(
            petri,
            initial,
            final,
            parameters={
                "return_asap_when_not_sound": True,
                "return_diagnostics": True,
                "print_diagnostics": False,
            },
        )
    sound, details = result if isinstance(result, tuple) else (bool(result), {})
    messages: list[str] = []
    for key, value in details.items():
        if str(getattr(key, "value", key)) == "diagnostic_messages":
            messages = [str(m) for m in value]
    return bool(sound), messages


def _reduce(net: PlainNet) -> PlainNet:
    """The net shrunk by Murata's reduction rules, which keep liveness and boundedness (so
    soundness): fusion of series transitions and of series places, of parallel places and of
    parallel transitions, and elimination of self-loop transitions. The source and the sink
    stay as they are; a merged transition keeps the step of the first of its parts.
    """
    protected = {"source", "sink"}
    places = [p for p in net.places]
    moves: dict[str, tuple[str | None, set[str], set[str], str]] = {
        name: (label, set(ins), set(outs), node) for name, label, ins, outs, node in net.transitions
    }
    changed = True
    while changed:
        changed = False
        # Self-loop transitions (a rework loop with nothing in it) and parallel transitions.
        seen: dict[tuple[frozenset[str], frozenset[str]], str] = {}
        for name, (_, ins, outs, _) in list(moves.items()):
            key = (frozenset(ins), frozenset(outs))
            if (ins and ins == outs) or key in seen:
                del moves[name]
                changed = True
            else:
                seen[key] = name
        consumers: dict[str, list[str]] = {p: [] for p in places}
        producers: dict[str, list[str]] = {p: [] for p in places}
        for name, (_, ins, outs, _) in moves.items():
            for place in ins:
                consumers[place].append(name)
            for place in outs:
                producers[place].append(name)
        # Parallel places: the same producers and the same consumers.
        twins: dict[tuple[frozenset[str], frozenset[str]], str] = {}
        gone: set[str] = set()
        for place in places:
            key = (frozenset(producers[place]), frozenset(consumers[place]))
            if place in protected or not key[0] or not key[1]:
                continue
            if key in twins:
                gone.add(place)
            else:
                twins[key] = place
        touched: set[str] = set()
        for place in places:
            if place in gone or place in protected:
                continue
            before, after = producers[place], consumers[place]
            if len(before) != 1 or len(after) != 1 or before[0] == after[0]:
                continue
            first, second = before[0], after[0]
            if first in touched or second in touched or first not in moves or second not in moves:
                continue
            label1, ins1, outs1, node1 = moves[first]
            label2, ins2, outs2, node2 = moves[second]
            if ins2 == {place} and not (outs1 - {place}) & outs2:
                # Series transitions: the second always follows the first; one transition.
                label, node = (label1, node1) if label1 is not None else (label2, node2)
                moves[first] = (label, ins1, (outs1 - {place}) | outs2, node)
                del moves[second]
                gone.add(place)
                touched |= {first, second}
        for name, (label, ins, outs, _) in list(moves.items()):
            if name in touched or len(ins) != 1 or len(outs) != 1:
                continue
            (source,), (target,) = tuple(ins), tuple(outs)
            if (
                source in protected
                or target in protected
                or source in gone
                or target in gone
                or source == target
                or consumers[source] != [name]
                or label is not None
                or any(name2 in touched or target in moves[name2][2] for name2 in producers[source])
            ):
                continue
            # Series places: a silent transition is the only way on from its place; the
            # place's producers put their token straight into the next place.
            for name2 in producers[source]:
                label2, ins2, outs2, node2 = moves[name2]
                moves[name2] = (label2, ins2, (outs2 - {source}) | {target}, node2)
                touched.add(name2)
            del moves[name]
            gone.add(source)
            touched.add(name)
        if gone:
            changed = True
            for name, (label, ins, outs, node) in moves.items():
                moves[name] = (label, ins - gone, outs - gone, node)
            places = [p for p in places if p not in gone]
    out = PlainNet(places)
    for name, (label, ins, outs, node) in moves.items():
        out.transitions.append((name, label, sorted(ins), sorted(outs), node))
    return out


def _unsaid() -> str:
    return ""


def _places(describe: Callable[[str], str], places: list[str]) -> str:
    """Up to three places of the net, described and listed."""
    return ", ".join(describe(p) for p in places[:3])


def _walk(
    model: Model, fnet: FlowNet, net: PlainNet, *, sizes: list[int] | None = None
) -> tuple[bool | None, str]:
    """:func:`_explore` with its reason written in the current language."""
    sound, said = _explore(model, fnet, net, sizes=sizes)
    return sound, said()


def _explore(
    model: Model, fnet: FlowNet, net: PlainNet, *, sizes: list[int] | None = None
) -> tuple[bool | None, _Said]:
    """Visit every reachable state of one case: (sound, reason), or (None, no reason) when
    there are more than ``MAX_STATES``; the number of states visited is appended to ``sizes``.
    The reason is written when it is called, in the language then in force.

    Sound means: no state where the case is stuck, from every state the end can be reached,
    when the end is reached nothing else is still running, and every transition can fire.
    """
    # A state is the set of marked places: a case never holds two tokens in one place (the
    # walk stops with the reason where it would), so sets are exact and cheap.
    moves = [
        (name, frozenset(ins), tuple(outs), node) for name, _, ins, outs, node in net.transitions
    ]
    by_place: dict[str, list[int]] = {}
    for k, (_move, ins, _outs, _node) in enumerate(moves):
        for place in ins:
            by_place.setdefault(place, []).append(k)
    start: frozenset[str] = frozenset(["source"])
    number = {start: 0}
    states = [start]
    backward: list[list[int]] = [[]]
    queue = deque([0])
    fired: set[str] = set()
    describe = _describer(model, fnet)
    if sizes is not None:
        sizes.append(0)
    while queue:
        current = queue.popleft()
        if sizes is not None:
            sizes[-1] = len(states)
        marking = states[current]
        if "sink" in marking and len(marking) > 1:
            left = sorted(p for p in marking if p != "sink")
            return False, lambda left=left: _(
                "a case can end while a parallel branch is still running ({places}): the "
                "branches of a split must all meet at the join before the end"
            ).format(places=_places(describe, left))
        candidates = sorted({k for place in marking for k in by_place.get(place, ())})
        enabled = [moves[k] for k in candidates if moves[k][1] <= marking]
        if not enabled and "sink" not in marking:
            return False, _stuck(marking, moves, fnet, describe)
        for name, ins, outs, _node in enabled:
            fired.add(name)
            rest = marking - ins
            crowded = [p for p in outs if p in rest]
            if crowded or len(set(outs)) < len(outs):
                place = crowded[0] if crowded else outs[0]
                return False, lambda place=place: _(
                    # TRANSLATORS: {place} is a flow or a step's entry; 'join: all' is what
                    # the analyst writes in the model, kept as it is
                    "two tokens of one case reach {place} at once: parallel branches meet "
                    "without a join, so the steps after them would run twice; close the split "
                    "with 'join: all'"
                ).format(place=describe(place))
            state = rest | frozenset(outs)
            target = number.get(state)
            if target is None:
                if len(states) >= MAX_STATES:
                    return None, _unsaid
                target = number[state] = len(states)
                states.append(state)
                backward.append([])
                queue.append(target)
            backward[target].append(current)
    # From every state the end must be reachable: walk back from the final states.
    finishing = {i for i, m in enumerate(states) if "sink" in m}
    stack = list(finishing)
    while stack:
        for before in backward[stack.pop()]:
            if before not in finishing:
                finishing.add(before)
                stack.append(before)
    if len(finishing) < len(states):
        trapped = next(m for i, m in enumerate(states) if i not in finishing)
        where = sorted(trapped)
        return False, lambda: _(
            "a case can loop forever without reaching the end (at {places}): give the loop a "
            "way out"
        ).format(places=_places(describe, where))
    dead = [t for t in net.transitions if t[0] not in fired]
    if dead:
        steps = [t[4] for t in dead if t[1] is not None][:5]
        if steps:
            listed = ", ".join(f"'{s}'" for s in steps)
            # TRANSLATORS: {steps} lists step ids in quotes: 'a', 'b'
            return False, lambda: ngettext(
                "step {steps} can never run", "step {steps} can never run", len(steps)
            ).format(steps=listed)
        flow = dead[0][4]
        return False, lambda: _("the flow through '{flow}' can never be taken").format(
            flow=_name(flow)
        )
    return True, _unsaid


def _stuck(
    marking: frozenset[str], moves: list[Any], fnet: FlowNet, describe: Callable[[str], str]
) -> _Said:
    waiting = sorted(marking)
    blocked = [m for m in moves if m[1] & marking]
    node = fnet.node(blocked[0][3]) if blocked else None
    if node is not None and node.kind == "and-join":
        step = node.step
        return lambda: _(
            "a case can get stuck at the join before step '{step}': it waits for parallel "
            "branches that this case never started (a choice leads into the join; only the "
            "branches of a parallel split may)"
        ).format(step=step)
    return lambda: _("a case can get stuck with {places}").format(places=_places(describe, waiting))


def _describer(model: Model, fnet: FlowNet) -> Callable[[str], str]:
    def describe(place: str) -> str:
        if place == "source":
            # TRANSLATORS: where a case is before its first step
            return _("the start of the process")
        if place == "sink":
            # TRANSLATORS: where a case is after its last step
            return _("the end of the process")
        if place.startswith("in:"):
            return _("the entry of step '{step}'").format(step=place[3:])
        source, _sep, rest = place.partition("->")
        target = rest.rpartition("#")[0]
        if target == END_ID:
            return _("the flow from '{source}' to the end").format(source=_name(source))
        if source == START_ID:
            return _("the flow from the start to '{target}'").format(target=_name(target))
        return _("the flow from '{source}' to '{target}'").format(
            source=_name(source), target=_name(target)
        )

    return describe


#: The gateways of the flow net, named after the step they stand beside.
_GATEWAYS = {
    "branch": N_("the end of the parallel branch from {step}"),
    "xor": N_("the decision after {step}"),
    "split": N_("the split after {step}"),
    "join": N_("the join before {step}"),
}


def _name(node_id: str) -> str:
    kind, _sep, step = node_id.partition(":")
    if not step:
        return node_id
    if kind not in _GATEWAYS:
        return step
    return _(_GATEWAYS[kind]).format(step=step)
