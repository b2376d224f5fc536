"""The lint rules: each looks for one kind of redesign opportunity and measures its gain."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from bpr.core.flow import analyse, strongly_connected_components
from bpr.core.model import END, Actor, Model, Step
from bpr.errors import did_you_mean
from bpr.lint.edits import (
    Edit,
    exchange_documents,
    gain,
    make_online,
    move_check_before,
    parallelise,
    predecessors,
    remove_rework,
    single_target,
    unavailable_needs,
)
from bpr.lint.findings import RULES, SEVERITIES, Finding

__all__ = ["DEFAULT_REWORK_THRESHOLD", "LintResult", "SwitchedOff", "lint", "lint_result"]

#: A loop back taken by at least this share of cases is reported by the rework rule.
DEFAULT_REWORK_THRESHOLD = 0.2

_STAGES = {1: "information", 2: "downloadable forms", 3: "transactional", 4: "proactive"}
# Channels that bring a document to the applicant: a document a step makes over one of these
# is the applicant's to keep (a result of the service), even if no later step needs it.
_TO_APPLICANT = ("in-person", "online", "post", "phone")


def lint(
    model: Model,
    *,
    rework_threshold: float = DEFAULT_REWORK_THRESHOLD,
    apply_ignore: bool = True,
) -> list[Finding]:
    """Every finding of every rule on a model, in the order of their lines in the file.

    Rules that the file switches off (``lint: {ignore: [rule-id]}``) are left out unless
    ``apply_ignore`` is False. ``rework_threshold`` is the share of cases (above 0, at most 1)
    from which a loop back counts as rework.

    >>> import bpr
    >>> model = bpr.loads(
    ...     "bpr: 1\\nservice: s\\nvariant: as-is\\n"
    ...     "actors: {me: {name: Me, kind: applicant}, desk: {name: Desk}}\\n"
    ...     "steps:\\n"
    ...     "  - {id: apply, actor: desk, channel: in-person, work: 1h}\\n"
    ...     "  - {id: collect, actor: desk, channel: in-person, work: 30m}\\n"
    ... )
    >>> [(f.rule, f.steps, f.gain) for f in lint(model)]
    [('repeated-contact', ('apply', 'collect'), {'visits': -1, 'applicant_hours': -0.5})]
    """
    if not 0 < rework_threshold <= 1:
        raise ValueError(
            "the rework threshold is a share of cases above 0 and at most 1, "
            f"not {rework_threshold}"
        )
    context = _Context(model, rework_threshold)
    found = [finding for check in _CHECKS for finding in check(context)]
    if apply_ignore:
        ignored = model.lint.get("ignore", {})
        found = [f for f in found if f.rule not in ignored]
    order = {rule: i for i, rule in enumerate(RULES)}
    found.sort(key=lambda f: (f.line, order.get(f.rule, len(order)), f.steps, f.documents))
    return found


@dataclass(frozen=True)
class SwitchedOff:
    """A rule that the file switches off, why, and how many findings it hides."""

    rule: str
    reason: str
    line: int
    hidden: int


@dataclass(frozen=True)
class LintResult:
    """The findings on one model and the rules its file switches off."""

    model: Model
    findings: tuple[Finding, ...]
    switched_off: tuple[SwitchedOff, ...]

    def counts(self) -> dict[str, int]:
        """The number of findings of each severity."""
        return {s: sum(1 for f in self.findings if f.severity == s) for s in SEVERITIES}

    def fails(self, severity: str = "info") -> bool:
        """Whether a finding is at least as serious as ``severity``."""
        return any(f.is_at_least(severity) for f in self.findings)

    def as_dict(self) -> dict[str, Any]:
        """The object ``bpr lint --json`` prints for one file."""
        return {
            "file": self.model.file,
            "service": self.model.service,
            "variant": self.model.variant,
            "counts": self.counts(),
            "findings": [f.as_dict() for f in self.findings],
            "switched_off": [
                {"rule": s.rule, "reason": s.reason, "line": s.line, "hidden": s.hidden}
                for s in self.switched_off
            ],
        }


def lint_result(model: Model, *, rework_threshold: float = DEFAULT_REWORK_THRESHOLD) -> LintResult:
    """Lint a model and account for the rules its file switches off.

    >>> import bpr
    >>> model = bpr.loads(
    ...     "bpr: 1\\nservice: s\\nvariant: as-is\\nlint: {ignore: [{rule: repeated-contact, "
    ...     "reason: one desk by law}]}\\nactors: {desk: {name: Desk}}\\nsteps:\\n"
    ...     "  - {id: apply, actor: desk, channel: in-person}\\n"
    ...     "  - {id: collect, actor: desk, channel: in-person}\\n"
    ... )
    >>> result = lint_result(model)
    >>> result.findings, result.switched_off[0].hidden, result.switched_off[0].reason
    ((), 1, 'one desk by law')
    """
    everything = lint(model, rework_threshold=rework_threshold, apply_ignore=False)
    ignored: dict[str, str] = model.lint.get("ignore", {})
    context = _Context(model, rework_threshold)
    switched = tuple(
        SwitchedOff(
            rule,
            reason,
            context.item_line(("lint", "ignore"), rule),
            sum(1 for f in everything if f.rule == rule),
        )
        for rule, reason in ignored.items()
        if rule in RULES
    )
    shown = tuple(f for f in everything if f.rule not in ignored)
    return LintResult(model, shown, switched)


class _Context:
    """The model with what several rules need: predecessors, loops, lines."""

    def __init__(self, model: Model, rework_threshold: float) -> None:
        self.model = model
        self.rework_threshold = rework_threshold
        self.analysis = analyse(model)
        self.preds = predecessors(model, self.analysis)
        successors = self.analysis.successors
        self.component: dict[str, frozenset[str]] = {}
        for members in strongly_connected_components(
            [model.first.id], lambda n: [t for t, _ in successors[str(n)] if t != END]
        ):
            group = frozenset(str(m) for m in members)
            for member in group:
                self.component[member] = group

    @cached_property
    def dominators(self) -> dict[str, int]:
        """For each step, the steps every case passes before reaching it, as a bit set."""
        order = {s.id: i for i, s in enumerate(self.model.steps)}
        everything = (1 << len(order)) - 1
        first = self.model.first.id
        dom = {s: everything for s in order}
        dom[first] = 1 << order[first]
        changed = True
        while changed:
            changed = False
            for step_id, i in order.items():
                if step_id == first:
                    continue
                meet = everything
                for source in self.preds[step_id]:
                    meet &= dom[source]
                new = meet | (1 << i)
                if new != dom[step_id]:
                    dom[step_id] = new
                    changed = True
        return {s: dom[s] for s in order}

    def leads_back(self, target: str, decider: str) -> bool:
        """Whether a case sent to ``target`` surely comes back to ``decider`` or before it.

        Following the plain flows from ``target``, the case meets ``decider`` itself or a step
        that every case passes before ``decider``: the branch repeats work already done.
        """
        order = {s.id: i for i, s in enumerate(self.model.steps)}
        before = self.dominators[decider]
        node: str | None = target
        seen: set[str] = set()
        while node is not None and node != END and node not in seen:
            if node == decider or before >> order[node] & 1:
                return True
            seen.add(node)
            node = single_target(self.model.step(node))
        return False

    @cached_property
    def reachable(self) -> dict[str, frozenset[str]]:
        """For each step, the steps a case can go on to from it (itself only round a loop)."""
        successors = self.analysis.successors
        found: dict[str, frozenset[str]] = {}
        for step in self.model.steps:
            seen: set[str] = set()
            queue = [t for t, _ in successors[step.id] if t != END]
            while queue:
                node = queue.pop()
                if node not in seen:
                    seen.add(node)
                    queue.extend(t for t, _ in successors[node] if t != END)
            found[step.id] = frozenset(seen)
        return found

    @cached_property
    def branch_of(self) -> dict[str, dict[tuple[str, str], str]]:
        """For each step, the parallel blocks it is in: ``(split, join)`` -> branch start."""
        found: dict[str, dict[tuple[str, str], str]] = {s.id: {} for s in self.model.steps}
        for block in self.analysis.blocks:
            for start, members in block.branches.items():
                for member in members:
                    found[member][(block.split, block.join)] = start
        return found

    def together(self, first: Step, second: Step) -> bool:
        """Whether one case can run both steps: one leads to the other, or they lie on two
        branches of one parallel split (every branch runs)."""
        if second.id in self.reachable[first.id] or first.id in self.reachable[second.id]:
            return True
        mine, theirs = self.branch_of[first.id], self.branch_of[second.id]
        return any(theirs.get(block, start) != start for block, start in mine.items())

    def comes_before(self, first: Step, second: Step) -> bool:
        """Whether a case can run ``first`` and then ``second`` (file order where both can
        follow each other, round a loop or on parallel branches)."""
        if not self.together(first, second):
            return False
        if second.id in self.reachable[first.id] and first.id not in self.reachable[second.id]:
            return True
        if first.id in self.reachable[second.id] and second.id not in self.reachable[first.id]:
            return False
        return first.index < second.index

    def in_loop(self, step_id: str) -> bool:
        loop = self.component.get(step_id, frozenset())
        return len(loop) > 1 or any(t == step_id for t, _ in self.analysis.successors[step_id])

    def ancestors(self, step_id: str) -> set[str]:
        """The steps from which a case can come to this one."""
        seen: set[str] = set()
        queue = list(self.preds[step_id])
        while queue:
            node = queue.pop()
            if node not in seen:
                seen.add(node)
                queue.extend(self.preds[node])
        return seen

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
        severity: str,
        message: str,
        *,
        steps: Sequence[str] = (),
        documents: Sequence[str] = (),
        line: int | None = None,
        edit: Edit | None = None,
    ) -> Finding:
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
            None if edit is None else gain(self.model, edit.model),
            locations,
        )


def _clean(text: str) -> str:
    """Text from the file on one line: a finding is one line of output."""
    return " ".join(text.split())


def _quote(ids: Iterable[str]) -> str:
    items = [f"'{i}'" for i in ids]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _times(count: int) -> str:
    return "twice" if count == 2 else f"{count} times"


def _percent(share: float) -> str:
    return f"{share * 100:.3g}%"


def _who(actor: Actor) -> str:
    """The actor's name with its agency: ``Notary office (Ministry of Justice)``."""
    name = _clean(actor.name)
    if not actor.agency or _clean(actor.agency) in name:
        return name
    if name.endswith(")"):
        return f"{name}, {_clean(actor.agency)}"
    return f"{name} ({_clean(actor.agency)})"


# -- the rules ----------------------------------------------------------------------------------


def _once_only(ctx: _Context) -> Iterator[Finding]:
    model = ctx.model
    for doc in model.documents.values():
        if doc.exchange or doc.issuer is None or model.actors[doc.issuer].is_applicant:
            continue
        issuer = model.actors[doc.issuer]
        users = [s for s in model.steps if doc.id in s.needs and not ctx.actor(s).is_applicant]
        if not users:
            continue
        makers = [s.id for s in model.steps if doc.id in s.produces and s not in users]
        own = [
            s
            for s in users
            if s.actor == issuer.id or (issuer.agency and ctx.actor(s).agency == issuer.agency)
        ]
        name = f"'{_clean(doc.name)}' ({doc.id})"
        edit = exchange_documents(model, [doc.id])
        trips = [n.id for n in edit.notes if n.kind == "step"] if edit else []
        trip = f"; the trip to fetch it ({_quote(trips)}) becomes a registry query" if trips else ""
        if len(own) == len(users):
            message = (
                f"the applicant must bring {name} to {_quote(s.id for s in users)}, though "
                f"{_who(issuer)} issues it: look it up in the issuer's own registry instead "
                f"(once-only){trip}"
            )
        else:
            message = (
                f"{name} is issued by {_who(issuer)} and the applicant carries it to "
                f"{_quote(s.id for s in users)}: pull it from the issuer's registry by data "
                f"exchange instead (once-only){trip}"
            )
        yield ctx.finding(
            "once-only",
            "warning",
            message,
            steps=[*(s.id for s in users), *makers],
            documents=[doc.id],
            line=ctx.document_line(doc.id),
            edit=edit,
        )


def _repeated_contact(ctx: _Context) -> Iterator[Finding]:
    model = ctx.model
    visits = [s for s in model.steps if s.is_visit and not ctx.actor(s).is_applicant]
    by_office: dict[str, list[Step]] = {}
    by_agency: dict[str, list[Step]] = {}
    for step in visits:
        by_office.setdefault(step.actor, []).append(step)
        agency = ctx.actor(step).agency
        if agency:
            by_agency.setdefault(agency, []).append(step)
    for actor_id, group in by_office.items():
        repeated = _one_case_visits(ctx, group)
        if repeated is None:
            continue
        ids, later, most = repeated
        yield ctx.finding(
            "repeated-contact",
            "warning",
            f"the applicant comes in person to {_who(model.actors[actor_id])} "
            f"{_up_to(most, len(ids))} ({_quote(ids)}): make the first contact enough and serve "
            "the rest online or by data exchange",
            steps=ids,
            line=ctx.step_line(later[0]),
            edit=make_online(model, later, "repeated-contact"),
        )
    for agency, group in by_agency.items():
        repeated = _one_case_visits(ctx, group)
        if repeated is None:
            continue
        ids, later, most = repeated
        offices = {model.step(s).actor for s in ids}
        if len(offices) < 2:
            continue
        yield ctx.finding(
            "repeated-contact",
            "warning",
            f"the applicant comes in person to {len(offices)} offices of {_clean(agency)} "
            f"{_up_to(most, len(ids))} ({_quote(ids)}): one front office of the agency could "
            "serve them in one contact, the rest online or by data exchange",
            steps=ids,
            line=ctx.step_line(later[0]),
            edit=make_online(model, later, "repeated-contact"),
        )


def _one_case_visits(ctx: _Context, group: list[Step]) -> tuple[list[str], list[str], int] | None:
    """The visits of a group that one case can make both of, or None.

    Returns the visits that a case can combine with another of the group (file order), those
    that can come after another (they become online in the gain), and the most visits of the
    group one case can make. Visits on exclusive branches of a choice are not repeated contact:
    no case makes both; visits on branches of a parallel split are, since every branch runs.
    """
    linked = [s for s in group if any(o is not s and ctx.together(o, s) for o in group)]
    if len(linked) < 2:
        return None
    later = [s.id for s in linked if any(o is not s and ctx.comes_before(o, s) for o in linked)]
    return [s.id for s in linked], later, _most_together(ctx, linked)


def _most_together(ctx: _Context, visits: list[Step]) -> int:
    """The largest number of these visits that one case makes (a largest set of visits that
    are pairwise together; groups of visits to one office are small)."""
    if len(visits) > 16:  # pragma: no cover - no procedure sends a citizen to one office so often
        return len(visits)
    near = {s.id: {o.id for o in visits if o is not s and ctx.together(o, s)} for s in visits}
    best = 0

    def grow(chosen: int, candidates: set[str], rest: set[str]) -> None:
        nonlocal best
        if not candidates and not rest:
            best = max(best, chosen)
        for node in list(candidates):
            grow(chosen + 1, candidates & near[node], rest & near[node])
            candidates = candidates - {node}
            rest = rest | {node}

    grow(0, {s.id for s in visits}, set())
    return best


def _up_to(most: int, visits: int) -> str:
    """``twice`` where a case makes every visit; ``up to 2 times`` where it makes some."""
    if most == visits:
        return _times(most)
    return f"up to {most} times"


def _sequential_independent(ctx: _Context) -> Iterator[Finding]:
    model = ctx.model
    for first in model.steps:
        target = single_target(first)
        if target is None or target == END:
            continue
        second = model.step(target)
        if ctx.preds[second.id] != [first.id] or first.actor == second.actor:
            continue
        if set(first.produces) & set(second.needs):
            continue  # a document passes from the first to the second
        edit = parallelise(model, first.id, second.id)
        if edit is None:
            continue
        change = gain(model, edit.model)
        if change.get("lead_time_days", 0) >= 0:
            continue
        yield ctx.finding(
            "sequential-independent",
            "info",
            f"'{second.id}' ({_clean(ctx.actor(second).name)}) waits for '{first.id}' "
            f"({_clean(ctx.actor(first).name)}) but needs nothing it produces: run the two side "
            "by side in a parallel split",
            steps=[first.id, second.id],
            line=ctx.step_line(second.id),
            edit=edit,
        )


def _rework(ctx: _Context) -> Iterator[Finding]:
    model = ctx.model
    for step in model.steps:
        if step.next.kind != "choice":
            continue
        loop = ctx.component.get(step.id, frozenset())
        for index, branch in enumerate(step.next.branches):
            if branch.to == END or branch.to not in loop or branch.p <= 0:
                continue
            if not ctx.leads_back(branch.to, step.id):
                continue  # on into the loop's own path, not back
            if branch.p < ctx.rework_threshold - 1e-12:
                continue
            members = [s.id for s in model.steps if s.id in loop]
            again = [m for m in members if m not in (step.id, branch.to)]
            when = f" ({_clean(branch.when)})" if branch.when else ""
            yield ctx.finding(
                "rework",
                "warning",
                f"{_percent(branch.p)} of cases go back from '{step.id}' to '{branch.to}'{when} "
                f"and run {len(members)} step{'s' if len(members) != 1 else ''} again: remove "
                "the cause of the returns, such as with a completeness check at submission or a "
                "pre-filled form; the gain assumes no case returns",
                steps=[step.id, branch.to, *again],
                line=ctx.model.locate("steps", step.index, "next", index)[0],
                edit=remove_rework(model, step.id, index),
            )


def _knock_out_order(ctx: _Context) -> Iterator[Finding]:
    model = ctx.model
    for check in model.steps:
        if check.next.kind != "choice" or check.join is not None or ctx.in_loop(check.id):
            continue
        ending = [b for b in check.next.branches if b.to == END and b.p > 0]
        going = [b for b in check.next.branches if b.to != END and b.p > 0]
        if not ending or not going:
            continue
        chain: list[str] = []
        current = check.id
        while len(ctx.preds[current]) == 1:
            before = model.step(ctx.preds[current][0])
            if single_target(before) != current or before.join is not None:
                break
            if before.id == check.id or ctx.in_loop(before.id):
                break
            chain.insert(0, before.id)
            current = before.id
        for start in range(len(chain)):
            edit = move_check_before(model, check.id, chain[start:])
            if edit is None:
                continue
            change = gain(model, edit.model)
            if not any(change.get(k, 0) < 0 for k in ("burden", "lead_time_days", "work_hours")):
                continue
            rejected = sum(b.p for b in ending)
            labels = [_clean(b.when) for b in ending if b.when]
            when = f" ({', '.join(labels)})" if labels else ""
            moved = chain[start:]
            yield ctx.finding(
                "knock-out-order",
                "warning",
                f"'{check.id}' ends {_percent(rejected)} of cases{when} but runs after "
                f"{_quote(moved)}, which it does not depend on: check first, so that the cases "
                "it ends skip them",
                steps=[check.id, *moved],
                line=ctx.step_line(check.id),
                edit=edit,
            )
            break


def _maturity_mismatch(ctx: _Context) -> Iterator[Finding]:
    model = ctx.model
    stage = model.maturity
    if stage is None:
        return
    line = model.locate("maturity")[0]
    visits = [s.id for s in model.steps if s.is_visit]
    declared = f"the file declares maturity stage {stage} ({_STAGES[stage]})"
    if stage >= 3:
        reasons = []
        if visits:
            reasons.append(f"the applicant must come in person at {_quote(visits)}")
        # the applicant's own steps by post: papers mailed in, not an application made online
        posted = [s.id for s in model.steps if s.channel == "post" and ctx.actor(s).is_applicant]
        if posted:
            reasons.append(f"the applicant sends papers by post at {_quote(posted)}")
        offline = [*visits, *posted]
        starter = model.first
        applies = stage == 4 and model.is_applicant_step(starter)
        if applies:
            reasons.append(f"the case starts with the applicant at '{starter.id}'")
        if not reasons:
            return
        needs = "the application is made and completed online"
        if stage == 4:
            needs = "the agency starts the case itself, and the applicant does not apply at all"
        yield ctx.finding(
            "maturity-mismatch",
            "error",
            f"{declared}, but {' and '.join(reasons)}: at stage {stage} {needs}; change those "
            "steps or declare the stage the channels give",
            steps=[*offline, *([starter.id] if applies and starter.id not in offline else [])],
            line=line,
            edit=make_online(model, offline, "maturity-mismatch") if offline else None,
        )
    elif not visits and any(s.channel == "online" for s in model.steps):
        yield ctx.finding(
            "maturity-mismatch",
            "info",
            f"{declared}, but no step needs a visit and the applicant deals with the agencies "
            "online: the channels meet stage 3 (transactional); declare it if the application "
            "is also completed online",
            line=line,
        )


def _dead_document(ctx: _Context) -> Iterator[Finding]:
    model = ctx.model
    makers: dict[str, list[str]] = {}
    users: dict[str, list[str]] = {}
    for step in model.steps:
        for made in step.produces:
            makers.setdefault(made, []).append(step.id)
        for needed in step.needs:
            users.setdefault(needed, []).append(step.id)
    for step_id, doc_id in unavailable_needs(model):
        doc = model.documents[doc_id]
        earlier = ctx.ancestors(step_id)
        made = f"{_quote(makers[doc_id])} produce{'s' if len(makers[doc_id]) == 1 else ''}"
        if any(m in earlier for m in makers[doc_id]):
            severity, when = "warning", f"not on every way to '{step_id}'"
        else:
            severity, when = "error", f"never before '{step_id}'"
        yield ctx.finding(
            "dead-document",
            severity,
            f"'{step_id}' needs '{_clean(doc.name)}' ({doc_id}), which only {made}, and "
            f"{when}: a case can reach '{step_id}' without it; reorder the steps, or correct "
            "their needs and produces",
            steps=[step_id, *makers[doc_id]],
            documents=[doc_id],
            line=ctx.item_line(("steps", model.step(step_id).index, "needs"), doc_id),
        )
    for doc_id, doc in model.documents.items():
        name = f"'{_clean(doc.name)}' ({doc_id})"
        if doc_id in users:
            continue
        if doc_id not in makers:
            yield ctx.finding(
                "dead-document",
                "info",
                f"{name} is declared but no step needs or produces it: remove it, or add it to "
                "the needs of the step that asks for it",
                documents=[doc_id],
            )
            continue
        delivered = [
            s
            for s in makers[doc_id]
            if model.step(s).channel in _TO_APPLICANT
            and not model.actors[model.step(s).actor].is_applicant
        ]
        if delivered:
            continue  # handed to the applicant: a result of the service
        yield ctx.finding(
            "dead-document",
            "info",
            f"{name} is produced at {_quote(makers[doc_id])} but no step needs it: stop "
            "producing it, or add it to the needs of the step that uses it",
            steps=makers[doc_id],
            documents=[doc_id],
            line=ctx.document_line(doc_id),
        )


def _lint_config(ctx: _Context) -> Iterator[Finding]:
    ignored: dict[str, str] = ctx.model.lint.get("ignore", {})
    for rule, reason in ignored.items():
        line = ctx.item_line(("lint", "ignore"), rule)
        if rule not in RULES:
            yield ctx.finding(
                "lint-config",
                "info",
                f"lint.ignore names '{_clean(rule)}', which is no rule"
                f"{did_you_mean(rule, RULES)}; 'bpr lint --rules' lists them",
                line=line,
            )
        elif not reason.strip():
            yield ctx.finding(
                "lint-config",
                "info",
                f"rule '{rule}' is switched off without a reason: write it as "
                f"{{rule: {rule}, reason: ...}} so that reviewers know why",
                line=line,
            )


_CHECKS: tuple[Callable[[_Context], Iterator[Finding]], ...] = (
    _once_only,
    _repeated_contact,
    _sequential_independent,
    _rework,
    _knock_out_order,
    _maturity_mismatch,
    _dead_document,
    _lint_config,
)
