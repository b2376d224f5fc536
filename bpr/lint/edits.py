"""The changes the lint rules suggest, made on a copy of the model so they can be measured.

Every change builds a new :class:`~bpr.core.model.Model` (``dataclasses.replace``), checks it with
the flow rules again and makes sure no step loses a document it had; a change that fails either
check is not made (the builder returns None).
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bpr.analysis.measures import ADDED_MEASURE_KEYS, MEASURE_KEYS, measure
from bpr.core.flow import FlowAnalysis, ParallelBlock, analyse
from bpr.core.flow import predecessors as flow_predecessors
from bpr.core.i18n import domain
from bpr.core.model import END, Branch, Document, Flow, Model, Step

__all__ = [
    "Edit",
    "Note",
    "available_documents",
    "exchange_documents",
    "gain",
    "make_online",
    "measures_of",
    "move_check_before",
    "parallelise",
    "predecessors",
    "rebuild",
    "remove_rework",
    "single_target",
    "unavailable_needs",
]

# Gains are rounded to this many decimals: finer digits are float noise, not a gain.
_DECIMALS = 6

_, ngettext, _pgettext = domain("lint")


def _note(kind: str, ident: str, rule: str, text: str) -> Note:
    """A note of rule ``rule`` (its id starts the comment: ``once-only: ...``)."""
    return Note(kind, ident, f"{rule}: {text}")


@dataclass(frozen=True)
class Note:
    """What a change did to one step or document, for the comments of the draft To-Be."""

    kind: str  # "step" or "document"
    id: str
    text: str


@dataclass(frozen=True)
class Edit:
    """A changed copy of a model, with a note on each step or document that changed."""

    model: Model
    notes: tuple[Note, ...]


def predecessors(model: Model, analysis: FlowAnalysis | None = None) -> dict[str, list[str]]:
    """The steps that lead to each step (and to ``end``), each once, in file order
    (:func:`bpr.core.flow.predecessors` over the model's flows)."""
    analysis = analysis or analyse(model)
    return flow_predecessors(
        {step: [t for t, _ in targets] for step, targets in analysis.successors.items()}
    )


def rebuild(
    model: Model,
    steps: Iterable[Step] | None = None,
    documents: Mapping[str, Document] | None = None,
    *,
    same_flow: bool = False,
) -> Model | None:
    """The model with new steps or documents, or None where the result breaks a flow rule.

    A change that adds a warning of the flow rules (such as a stray join) counts as broken too.
    ``same_flow`` says that the change keeps every flow and every needs and produces (it
    changes channels, probabilities or documents' exchange only), so nothing needs checking.
    The new model has no source map: its lines are those of no file.
    """
    new = dataclasses.replace(
        model,
        steps=tuple(steps) if steps is not None else model.steps,
        documents=dict(documents) if documents is not None else dict(model.documents),
        source=None,
        warnings=[],
    )
    if same_flow:
        _carry_flow(model, new)
        return new
    before = len(analyse(model).problems)
    problems = analyse(new).problems
    if any(p.is_error for p in problems) or len(problems) > before:
        return None
    if not set(unavailable_needs(new)) <= set(unavailable_needs(model)):
        return None  # some step would run before the document it needs exists
    return new


def _carry_flow(model: Model, new: Model) -> None:
    """Give ``new`` the flow analysis and the documents available of ``model`` where every
    step keeps its flows, join, needs and produces (a channel or a document changed)."""
    if len(model.steps) != len(new.steps):
        return
    for old_step, new_step in zip(model.steps, new.steps, strict=True):
        if old_step is not new_step and (
            old_step.id != new_step.id
            or old_step.next is not new_step.next
            or old_step.join != new_step.join
            or old_step.needs != new_step.needs
            or old_step.produces != new_step.produces
        ):
            return
    for key in ("_analysis", "_lint_available", "_lint_preds"):
        if key in model.__dict__:
            new.__dict__[key] = model.__dict__[key]


def _replace_steps(model: Model, changed: Mapping[str, Step]) -> list[Step]:
    return [changed.get(step.id, step) for step in model.steps]


def available_documents(model: Model) -> dict[str, frozenset[str]]:
    """The documents made inside the process that a case surely holds when each step starts.

    A document is available at a step when, on every way from the first step to it, some step
    before has produced it; at a ``join: all`` step, a document produced on any branch of its
    split counts, since every branch has run. Documents that no step produces (the applicant's
    own papers, certificates fetched outside the model) are left out.
    """
    cached = model.__dict__.get("_lint_available")
    if cached is not None:
        return cached
    analysis = analyse(model)
    preds = predecessors(model, analysis)
    produced = frozenset(d for s in model.steps for d in s.produces)
    blocks = {block.join: block for block in analysis.blocks}
    first = model.first.id
    into: dict[str, frozenset[str]] = {s.id: produced for s in model.steps}
    into[first] = frozenset()
    produces_of = {s.id: frozenset(s.produces) for s in model.steps}
    out = {s.id: into[s.id] | produces_of[s.id] for s in model.steps}
    onward = {s.id: [t for t, _ in analysis.successors[s.id] if t != END] for s in model.steps}
    queue = deque(s.id for s in model.steps if s.id != first)
    queued = set(queue)
    while queue:  # the sets only shrink, from "everything" to the fixed point
        step_id = queue.popleft()
        queued.discard(step_id)
        sources = preds[step_id]
        block = blocks.get(step_id)
        if block is not None:
            parts = []
            for start, members in block.branches.items():
                if start == block.join or not members:
                    parts.append(out[block.split])
                    continue
                ends = [p for p in sources if p in members]
                parts.append(_meet(out[p] for p in ends) if ends else frozenset())
            new = frozenset().union(*parts)
        else:
            new = _meet(out[p] for p in sources) if sources else frozenset()
        if new != into[step_id]:
            into[step_id] = new
            out[step_id] = new | produces_of[step_id]
            for target in onward[step_id]:
                if target != first and target not in queued:
                    queued.add(target)
                    queue.append(target)
    model.__dict__["_lint_available"] = into
    return into


def _meet(sets: Iterable[frozenset[str]]) -> frozenset[str]:
    result: frozenset[str] | None = None
    for item in sets:
        result = item if result is None else result & item
    return result or frozenset()


def unavailable_needs(model: Model) -> list[tuple[str, str]]:
    """``(step, document)`` where a step needs a document that the process makes only elsewhere.

    The document is produced by some step, but not surely before this one.
    """
    produced = {d for s in model.steps for d in s.produces}
    available = available_documents(model)
    return [
        (step.id, doc)
        for step in model.steps
        for doc in step.needs
        if doc in produced and doc not in available[step.id]
    ]


def measures_of(model: Model) -> dict[str, Any]:
    """The contract's measures of a model, cached on the model object."""
    cached = model.__dict__.get("_lint_measures")
    if cached is None:
        cached = measure(model).as_dict()
        model.__dict__["_lint_measures"] = cached
    return cached


def gain(before: Model, after: Model) -> dict[str, float]:
    """How each measure changes from ``before`` to ``after`` (only those that change).

    >>> import bpr
    >>> m = bpr.loads("bpr: 1\\nservice: s\\nvariant: as-is\\nactors: {a: {name: A}}\\n"
    ...               "steps: [{id: x, actor: a, channel: in-person, work: 1h}]\\n")
    >>> gain(m, make_online(m, ["x"], "online").model)
    {'visits': -1, 'applicant_hours': -1}
    """
    return changes_between(measures_of(before), measures_of(after))


def changes_between(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, float]:
    """The gain from the measures ``old`` to ``new`` (the contract's objects): each of format
    1's measures that changes, rounded off float noise (see :func:`gain`)."""
    changes: dict[str, float] = {}
    for key in MEASURE_KEYS:
        if key == "maturity" or key in ADDED_MEASURE_KEYS or old[key] is None or new[key] is None:
            continue
        difference = round(new[key] - old[key], _DECIMALS)
        if difference:
            changes[key] = int(difference) if float(difference).is_integer() else difference
    return changes


# -- the changes ------------------------------------------------------------------------------


def exchange_documents(model: Model, doc_ids: Iterable[str]) -> Edit | None:
    """Mark certificates as pulled by data exchange; the trips to fetch them become queries.

    A step is taken for the applicant's trip to fetch a certificate when it is an in-person
    step of staff that produces only exchanged documents, charges no fee and needs no document
    made earlier in the process (only the applicant's own papers). Such a step becomes
    ``automatic``: the issuer answers a registry query; its work and wait stay as they were.
    Steps that do more (notarise a contract, take a payment) stay as they are.
    """
    plan = exchange_plan(model, doc_ids)
    if plan is None:
        return None
    documents, changed, notes = plan
    new = rebuild(model, _replace_steps(model, changed), documents, same_flow=True)
    return None if new is None else Edit(new, notes)


def exchange_plan(
    model: Model,
    doc_ids: Iterable[str],
    makers: Mapping[str, Sequence[Step]] | None = None,
    made_inside: Collection[str] | None = None,
) -> tuple[dict[str, Document], dict[str, Step], tuple[Note, ...]] | None:
    """What :func:`exchange_documents` changes: every document of the model (those named now
    exchanged), the steps that change, and the notes; None where it changes nothing.

    ``makers`` (each document's producing steps, in file order) and ``made_inside`` (the
    documents some step produces) spare a look at every step, where the caller has them.
    """
    ids = [d for d in doc_ids if d in model.documents]
    if not ids or all(model.documents[d].exchange for d in ids):
        return None
    documents = dict(model.documents)
    notes: list[Note] = []
    for doc_id in ids:
        doc = documents[doc_id]
        if doc.issuer is None:
            return None  # data exchange needs a registry to pull from
        documents[doc_id] = dataclasses.replace(doc, exchange=True)
        unconnected = model.actors[doc.issuer].registry is False
        if unconnected:
            text = _(
                "now pulled from the registry of '{issuer}' by data exchange; the applicant no "
                "longer brings it; its register must be connected first (registry: false)"
            )
        else:
            text = _(
                "now pulled from the registry of '{issuer}' by data exchange; the applicant no "
                "longer brings it"
            )
        notes.append(_note("document", doc_id, "once-only", text.format(issuer=doc.issuer)))
    if made_inside is None:
        made_inside = {d for s in model.steps for d in s.produces}
    if makers is None:
        candidates: Iterable[Step] = model.steps
    else:
        found = {s.id: s for d in ids for s in makers.get(d, ())}
        candidates = sorted(found.values(), key=lambda s: s.index)
    changed: dict[str, Step] = {}
    for step in candidates:
        makes = [d for d in step.produces if d in ids]
        if (
            makes
            and step.is_visit
            and not step.fee
            and not model.actors[step.actor].is_applicant
            and all(documents[d].exchange for d in step.produces)
            and not any(d in made_inside for d in step.needs)
        ):
            changed[step.id] = dataclasses.replace(step, channel="automatic")
            notes.append(
                _note(
                    "step",
                    step.id,
                    "once-only",
                    _(
                        "was the applicant's visit to fetch {documents}; now the issuer's answer "
                        "to a registry query (check its work and wait)"
                    ).format(documents=", ".join(makes)),
                )
            )
    return documents, changed, tuple(notes)


def make_online(model: Model, step_ids: Iterable[str], reason: str) -> Edit:
    """Move steps from their channel to ``online`` (work, wait and fee unchanged)."""
    changed, notes = online_plan(model, step_ids, reason)
    new = rebuild(model, _replace_steps(model, changed), same_flow=True)
    assert new is not None
    return Edit(new, notes)


def online_plan(
    model: Model, step_ids: Iterable[str], reason: str
) -> tuple[dict[str, Step], tuple[Note, ...]]:
    """What :func:`make_online` changes: the steps moved online, and the notes."""
    changed: dict[str, Step] = {}
    notes: list[Note] = []
    for step_id in step_ids:
        step = model.step(step_id)
        if step.channel == "online":
            continue
        changed[step_id] = dataclasses.replace(step, channel="online")
        # TRANSLATORS: {channel} and {new} are channel values of the file (in-person, online)
        text = _("was {channel}, now {new}").format(channel=step.channel, new="online")
        notes.append(_note("step", step_id, reason, text))
    return changed, tuple(notes)


def _sequence(target: str) -> Flow:
    return Flow("sequence", (Branch(target),))


def single_target(step: Step) -> str | None:
    """The one step a step always leads to, or None for a choice, split or several targets."""
    if step.next.kind != "sequence" or len(step.next.branches) != 1:
        return None
    return step.next.branches[0].to


def parallelise(model: Model, first_id: str, second_id: str, *, quick: bool = False) -> Edit | None:
    """Run two consecutive steps side by side in a parallel split.

    With ``P -> first -> second -> C``, ``P`` splits into both and ``C`` joins them. Where
    ``first`` already joins a parallel split, ``second`` becomes one more branch of that split
    instead. Returns None where the flow around the steps does not allow either.

    With ``quick``, the flow rules are not run on the changed model again: its flow analysis
    and the documents available at each step are derived from the model's, and only the
    documents of ``second`` are checked (the rules hold for every change the plan allows; see
    :meth:`bpr.lint.incremental.FastGains.parallel`). The draft To-Be applies its changes so.
    """
    if first_id not in model or second_id not in model:
        return None
    analysis = analyse(model)
    preds = model.__dict__.get("_lint_preds") if quick else None
    if preds is None:
        preds = predecessors(model, analysis)
    plan = parallel_plan(model, analysis, preds, first_id, second_id)
    if plan is None:
        return None
    changed, notes, block = plan
    if not quick:
        new = rebuild(model, _replace_steps(model, changed))
        return None if new is None else Edit(new, notes)
    available = available_documents(model)
    second = model.step(second_id)
    opener = block.split if block is not None else preds[first_id][0]
    starts_with = available[opener] | frozenset(model.step(opener).produces)
    produced = {d for s in model.steps for d in s.produces}
    for doc in second.needs:
        if doc in produced and doc in available[second_id] and doc not in starts_with:
            return None  # the second step would start before the document it needs
    quick_model = rebuild(model, _replace_steps(model, changed), same_flow=True)
    assert quick_model is not None
    _derive_parallel(model, quick_model, analysis, preds, changed, block, first_id, second_id)
    return Edit(quick_model, notes)


def _derive_parallel(
    model: Model,
    new: Model,
    analysis: FlowAnalysis,
    preds: Mapping[str, Sequence[str]],
    changed: Mapping[str, Step],
    block: ParallelBlock | None,
    first_id: str,
    second_id: str,
) -> None:
    """Store on ``new`` (``model`` with ``changed`` steps run side by side) its flow analysis,
    predecessors and available documents, derived from those of ``model``."""
    successors = dict(analysis.successors)
    for step_id, step in changed.items():
        merged: dict[str, float] = {}
        for branch in step.next.branches:
            merged[branch.to] = merged.get(branch.to, 0.0) + branch.p
        successors[step_id] = list(merged.items())
    blocks = list(analysis.blocks)
    if block is None:
        opener = preds[first_id][0]
        after = single_target(changed[first_id])
        assert after is not None
        two = {first_id: frozenset({first_id}), second_id: frozenset({second_id})}
        blocks.append(ParallelBlock(opener, after, two))
    else:
        opener = block.split
        wider = ParallelBlock(
            block.split, block.join, {**block.branches, second_id: frozenset({second_id})}
        )
        blocks = [wider if b is block else b for b in blocks]
    blocks.sort(key=lambda b: (len(b.steps), new.step(b.split).index))
    new.__dict__["_analysis"] = FlowAnalysis(successors, blocks, list(analysis.problems))
    lead = dict(preds)
    touched: set[str] = set()
    for step_id in changed:
        for target in dict.fromkeys(model.step(step_id).next.targets):
            lead[target] = [s for s in lead[target] if s != step_id]
            touched.add(target)
    for step_id, step in changed.items():
        for target in dict.fromkeys(step.next.targets):
            lead[target] = [*lead.get(target, ()), step_id]
            touched.add(target)
    for target in touched:  # in file order, as bpr.core.flow.predecessors gives them
        lead[target] = sorted(lead[target], key=lambda s: new.step(s).index)
    new.__dict__["_lint_preds"] = lead
    available = dict(available_documents(model))
    available[second_id] = available[opener] | frozenset(model.step(opener).produces)
    if block is not None:
        available[first_id] = available[first_id] | frozenset(model.step(second_id).produces)
    new.__dict__["_lint_available"] = available


def parallel_plan(
    model: Model,
    analysis: FlowAnalysis,
    preds: Mapping[str, Sequence[str]],
    first_id: str,
    second_id: str,
    joined: Mapping[str, ParallelBlock] | None = None,
) -> tuple[dict[str, Step], tuple[Note, ...], ParallelBlock | None] | None:
    """What :func:`parallelise` changes, before the flow rules check it: the changed steps,
    the notes, and the block that ``first`` joins (None where the two open a new split).

    ``joined`` maps each join to its block, where the caller has it at hand.
    """
    first, second = model.step(first_id), model.step(second_id)
    after = single_target(second)
    if (
        single_target(first) != second_id
        or list(preds[second_id]) != [first_id]
        or after is None
        or second.join is not None
    ):
        return None
    changed: dict[str, Step] = {}
    notes: list[Note] = []
    if joined is None:
        block = next((b for b in analysis.blocks if b.join == first_id), None)
    else:
        block = joined.get(first_id)
    if block is not None:
        split = model.step(block.split)
        branches = (*split.next.branches, Branch(second_id))
        changed[split.id] = dataclasses.replace(split, next=Flow("parallel", branches))
        changed[second_id] = dataclasses.replace(second, next=_sequence(first_id))
        changed[first_id] = dataclasses.replace(first, next=_sequence(after))
        rule = "sequential-independent"
        ids = {"first": first_id, "second": second_id}
        notes += [
            _note("step", split.id, rule, _("'{second}' is a new branch").format(**ids)),
            _note(
                "step",
                second_id,
                rule,
                _(
                    "runs beside the other branches and before '{first}' (it needs nothing "
                    "'{first}' produces)"
                ).format(**ids),
            ),
            _note("step", first_id, rule, _("also waits for '{second}'").format(**ids)),
        ]
    else:
        if first.join is not None or len(preds[first_id]) != 1 or after == END:
            return None
        before_id = preds[first_id][0]
        if list(preds[after]) != [second_id]:
            return None
        before, joining = model.step(before_id), model.step(after)
        if single_target(before) != first_id or joining.join is not None:
            return None
        changed[before_id] = dataclasses.replace(
            before, next=Flow("parallel", (Branch(first_id), Branch(second_id)))
        )
        changed[first_id] = dataclasses.replace(first, next=_sequence(after))
        changed[after] = dataclasses.replace(joining, join="all")
        rule = "sequential-independent"
        ids = {"first": first_id, "second": second_id}
        notes += [
            _note(
                "step",
                before_id,
                rule,
                _("now splits into '{first}' and '{second}'").format(**ids),
            ),
            _note(
                "step",
                second_id,
                rule,
                _(
                    "runs beside '{first}' (it needs nothing '{first}' produces); was after it"
                ).format(**ids),
            ),
            _note("step", after, rule, _("joins '{first}' and '{second}'").format(**ids)),
        ]
    return changed, tuple(notes), block


def remove_rework(model: Model, step_id: str, index: int) -> Edit | None:
    """Let no case take branch ``index`` of a choice: its probability goes to the others."""
    plan = rework_plan(model, step_id, index)
    if plan is None:
        return None
    new_step, notes = plan
    # checked: where the loop's only way out was this branch, the case would never end
    new = rebuild(model, _replace_steps(model, {step_id: new_step}))
    return None if new is None else Edit(new, notes)


def rework_plan(model: Model, step_id: str, index: int) -> tuple[Step, tuple[Note, ...]] | None:
    """What :func:`remove_rework` changes, before the flow rules check it: the choice with
    branch ``index`` at probability 0, and the note."""
    step = model.step(step_id)
    branches = step.next.branches
    back = branches[index]
    rest = sum(b.p for i, b in enumerate(branches) if i != index)
    if step.next.kind != "choice" or rest <= 0:
        return None
    scaled = tuple(
        dataclasses.replace(b, p=0.0 if i == index else b.p / rest) for i, b in enumerate(branches)
    )
    new_step = dataclasses.replace(step, next=Flow("choice", scaled))
    note = _note("step", step_id, "rework", _("no case goes back to '{step}'").format(step=back.to))
    return new_step, (note,)


def move_check_before(model: Model, check_id: str, chain: list[str]) -> Edit | None:
    """Run a check before the chain of steps that leads to it, so rejected cases skip them.

    ``chain`` lists the steps from the first one to move after the check up to the step just
    before the check; each leads to the next with a plain ``next``. The check's branches that
    go on (not to ``end``) now lead to the first step of the chain, and the last step of the
    chain goes where they went.
    """
    plan = check_first_plan(model, predecessors(model), check_id, chain)
    if plan is None:
        return None
    changed, notes = plan
    new = rebuild(model, _replace_steps(model, changed))
    return None if new is None else Edit(new, notes)


def check_first_plan(
    model: Model, preds: Mapping[str, Sequence[str]], check_id: str, chain: Sequence[str]
) -> tuple[dict[str, Step], tuple[Note, ...]] | None:
    """What :func:`move_check_before` changes, before the flow rules check it: the changed
    steps (the step before the chain, the check, the chain's last step) and the notes."""
    if not chain:
        return None
    head, tail = chain[0], chain[-1]
    check = model.step(check_id)
    if list(preds[check_id]) != [tail] or len(preds[head]) != 1 or head == model.first.id:
        return None
    (entry_id,) = preds[head]
    entry = model.step(entry_id)
    if entry_id == check_id or entry.next.kind == "parallel":
        return None
    ending = [b for b in check.next.branches if b.to == END]
    going = [b for b in check.next.branches if b.to != END]
    share = sum(b.p for b in going)
    if not ending or not going or share <= 0:
        return None
    changed: dict[str, Step] = {}
    changed[entry_id] = dataclasses.replace(
        entry,
        next=Flow(
            entry.next.kind,
            tuple(
                dataclasses.replace(b, to=check_id) if b.to == head else b
                for b in entry.next.branches
            ),
        ),
    )
    when = going[0].when if len(going) == 1 else None
    changed[check_id] = dataclasses.replace(
        check, next=Flow("choice", (*ending, Branch(head, share, when)))
    )
    last = model.step(tail)
    if len(going) == 1:
        onward = _sequence(going[0].to)
    else:
        onward = Flow("choice", tuple(dataclasses.replace(b, p=b.p / share) for b in going))
    changed[tail] = dataclasses.replace(last, next=onward)
    rule = "knock-out-order"
    notes = (
        _note("step", check_id, rule, _("now runs before {steps}").format(steps=", ".join(chain))),
        _note("step", tail, rule, _("now leads on where '{step}' did").format(step=check_id)),
    )
    return changed, notes
