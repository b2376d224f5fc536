"""The measures of a BPR study, computed analytically from one model."""

from __future__ import annotations

import heapq
import math
from dataclasses import asdict, dataclass
from typing import Any, NamedTuple

from bpr.core._gc import gc_paused
from bpr.core.flow import (
    analyse,
    dominators,
    flows,
    immediate_postdominators,
    strongly_connected_components,
)
from bpr.core.i18n import N_, domain
from bpr.core.model import END, Model, Step
from bpr.errors import ModelError, Problem
from bpr.files.yamlsource import Path, format_path

# The labels below are messages of the "measures" catalogue (scripts/catalogues.py finds a
# module's catalogue by this call); the modules that print them translate them.
domain("measures")

__all__ = [
    "ADDED_MEASURE_KEYS",
    "MEASURE_KEYS",
    "MEASURE_LABELS",
    "PHASE_MEASURE_KEYS",
    "ExpectedTotals",
    "Measures",
    "derived_maturity",
    "expected_totals",
    "measure",
    "measures_json",
    "phase_measures",
    "solve_loop",
    "step_value",
]

#: The measure keys of the contract, in the order ``bpr metrics --json`` prints them.
MEASURE_KEYS = (
    "steps",
    "actors",
    "agencies",
    "handoffs",
    "visits",
    "documents",
    "documents_from_applicant",
    "certificates",
    "documents_exchanged",
    "lead_time_days",
    "work_hours",
    "applicant_hours",
    "fees",
    "burden",
    "annual_burden",
    "maturity",
    "duties",
    "admin_cost",
    "annual_admin_cost",
    "staff_hours",
    "gov_cost",
    "derived_maturity",
)
#: The Standard Cost Model's measures that the format's additions brought (spec, "Added
#: measures"), at the end of MEASURE_KEYS; the keys before them are format 1's.
ADDED_MEASURE_KEYS = MEASURE_KEYS[MEASURE_KEYS.index("duties") :]

#: The keys of each phase's object under ``phases`` in ``bpr metrics --json``, in order.
PHASE_MEASURE_KEYS = (
    "name",
    "steps",
    "visits",
    "documents",
    "work_hours",
    "applicant_hours",
    "fees",
    "lead_time_days",
)

#: A label and unit per measure key, for tables and reports ("money" is the model's currency).
#: The labels are messages of the "measures" catalogue: translate them where they are written.
MEASURE_LABELS: dict[str, tuple[str, str]] = {
    "steps": (N_("Steps"), ""),
    "actors": (N_("Actors"), ""),
    "agencies": (N_("Agencies"), ""),
    "handoffs": (N_("Handoffs"), ""),
    "visits": (N_("Visits (in person)"), ""),
    "documents": (N_("Documents"), ""),
    "documents_from_applicant": (N_("Documents the applicant brings"), ""),
    "certificates": (N_("Certificates to collect"), ""),
    "documents_exchanged": (N_("Documents by data exchange"), ""),
    "lead_time_days": (N_("Lead time"), "days"),
    "work_hours": (N_("Work, all actors"), "hours"),
    "applicant_hours": (N_("Applicant's time"), "hours"),
    "fees": (N_("Fees"), "money"),
    "burden": (N_("Applicant's time and payments"), "money"),
    "annual_burden": (N_("Applicant's time and payments a year"), "money"),
    "maturity": (N_("Maturity stage"), ""),
    "duties": (N_("State duties, taxes and fines"), "money"),
    "admin_cost": (N_("SCM administrative cost"), "money"),
    "annual_admin_cost": (N_("SCM administrative cost a year"), "money"),
    "staff_hours": (N_("Staff time"), "hours"),
    "gov_cost": (N_("Staff cost to government"), "money"),
    "derived_maturity": (N_("Maturity the flow supports"), ""),
}

# Loops of up to this many steps are solved by dense elimination; larger ones by sparse.
_SMALL_SYSTEM = 24
# What one run of a step adds: elapsed hours, work hours, applicant hours, fees, duties, staff
# hours (the fields of ExpectedTotals, in order).
_Vector = list[float]
_WIDTH = 6
_DUTY = "duty"
_OFFICE_CHANNELS = frozenset({"in-person", "post"})


@dataclass(frozen=True)
class Measures:
    """The measures of one model; the field names are the contract's JSON keys.

    The first sixteen are format 1's measures; the Standard Cost Model's follow (spec,
    "Added measures"): ``duties`` (state duties, taxes and fines, a financial cost),
    ``admin_cost`` (the applicant's time priced at ``tariff`` plus the payments that are not
    duties), ``annual_admin_cost`` (times ``volume`` and ``uptake``), ``staff_hours`` and
    ``gov_cost`` (the staff's hands-on time and its price at ``staff_tariff``), and
    ``derived_maturity`` (the stage the flow itself supports).
    """

    steps: int
    actors: int
    agencies: int
    handoffs: int
    visits: int
    documents: int
    documents_from_applicant: int
    certificates: int
    documents_exchanged: int
    lead_time_days: float
    work_hours: float
    applicant_hours: float
    fees: float
    burden: float
    annual_burden: float | None
    maturity: int | None
    duties: float = 0.0
    admin_cost: float | None = None
    annual_admin_cost: float | None = None
    staff_hours: float = 0.0
    gov_cost: float | None = None
    derived_maturity: int = 1

    def as_dict(self) -> dict[str, Any]:
        """The contract's JSON object: integral numbers as integers, float noise rounded off."""
        return {key: _tidy(value) for key, value in asdict(self).items()}


class ExpectedTotals(NamedTuple):
    """What one case is expected to take: the sums behind the time and money measures."""

    elapsed_hours: float
    work_hours: float
    applicant_hours: float
    fees: float
    duties: float
    staff_hours: float


def _tidy(value: Any) -> Any:
    if isinstance(value, float):
        value = round(value, 9)
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
    return value


def measure(model: Model) -> Measures:
    """Compute the contract's measures of a model.

    >>> import bpr
    >>> m = bpr.loads(
    ...     "bpr: 1\\nservice: s\\nvariant: as-is\\ntariff: 10\\n"
    ...     "actors: {me: {name: Me, kind: applicant}, desk: {name: Desk}}\\n"
    ...     "steps:\\n"
    ...     "  - {id: apply, actor: me, work: 1h, fee: 5}\\n"
    ...     "  - {id: check, actor: desk, work: 2h, wait: 1d,"
    ...     "     next: [{to: apply, p: 0.5}, {to: end, p: 0.5}]}\\n"
    ... )
    >>> r = measure(m)
    >>> r.handoffs, r.work_hours, r.applicant_hours, r.fees, r.burden, r.lead_time_days
    (2, 6.0, 2.0, 10.0, 30.0, 2.25)
    >>> r.duties, r.admin_cost, r.staff_hours, r.gov_cost, r.derived_maturity
    (0.0, 30.0, 4.0, None, 3)

    A measure too large for a number (fees near 1e308, a duration of 400 digits) raises a
    :class:`~bpr.errors.ModelError` located at the value that makes it overflow.
    """
    with gc_paused():
        result = _measure(model)
    for key, value in asdict(result).items():
        if isinstance(value, float) and not math.isfinite(value):
            raise ModelError([_overflow(model, result, key)])
    return result


def _overflow(model: Model, result: Measures, key: str) -> Problem:
    """The problem of a measure that overflows, located at the value that makes it so."""
    if key in ("annual_burden", "annual_admin_cost") and math.isfinite(
        result.burden if key == "annual_burden" else result.admin_cost or 0.0
    ):
        path: Path = ("volume",)
        what = f"the volume {model.volume:g}"
    elif key == "gov_cost" and math.isfinite(result.staff_hours):
        path, what = ("staff_tariff",), f"the staff tariff {model.staff_tariff or 0:g}"
    elif key in ("burden", "annual_burden", "admin_cost", "annual_admin_cost"):
        if not math.isfinite(result.fees):
            return _overflow(model, result, "fees")
        if not math.isfinite(result.applicant_hours):
            return _overflow(model, result, "applicant_hours")
        path, what = ("tariff",), f"the tariff {model.tariff or 0:g}"
    elif key in ("fees", "duties"):
        step = max(model.steps, key=lambda s: s.fee)
        path, what = ("steps", step.index, "fee"), f"step '{step.id}' has the fee {step.fee:g}"
    else:
        step = max(model.steps, key=lambda s: s.work.mean + s.wait.mean)
        name = "work" if key != "lead_time_days" or step.work.mean >= step.wait.mean else "wait"
        hours = getattr(step, name).mean
        amount = f"{hours:g} hours" if math.isfinite(hours) else "more hours than a number holds"
        path, what = ("steps", step.index, name), f"step '{step.id}' has {name} {amount}"
    message = (
        f"the {MEASURE_LABELS[key][0].lower()} of this model is too large to be a number "
        f"(above 1.8e308; {what}); write the values in a realistic size"
    )
    if model.source is None:
        return Problem(message, model.file, path=format_path(path), code="measure-overflow")
    return model.source.problem(path, message, code="measure-overflow")


def _measure(model: Model) -> Measures:
    used_actors = {step.actor for step in model.steps}
    agencies = {model.actors[a].agency for a in used_actors} - {None}
    handoffs = sum(
        1
        for source, target in flows(model)
        if target != END and model.step(source).actor != model.step(target).actor
    )
    needed: dict[str, None] = {}
    for step in model.steps:
        for doc in step.needs:
            needed.setdefault(doc, None)
    documents = [model.documents[d] for d in needed]
    from_applicant = sum(1 for d in documents if not d.exchange)
    totals = expected_totals(model)
    tariff = model.tariff
    burden = totals.applicant_hours * (tariff or 0.0) + totals.fees
    admin_cost = (
        None if tariff is None else totals.applicant_hours * tariff + (totals.fees - totals.duties)
    )
    annual_admin_cost = (
        None
        if admin_cost is None or model.volume is None
        else admin_cost * model.volume * model.uptake
    )
    staff_tariff = model.staff_tariff
    return Measures(
        steps=len(model.steps),
        actors=len(used_actors),
        agencies=len(agencies),
        handoffs=handoffs,
        visits=sum(1 for step in model.steps if step.is_visit),
        documents=len(documents),
        documents_from_applicant=from_applicant,
        certificates=sum(1 for d in documents if d.issuer is not None and not d.exchange),
        documents_exchanged=sum(1 for d in documents if d.exchange),
        lead_time_days=totals.elapsed_hours / 24,
        work_hours=totals.work_hours,
        applicant_hours=totals.applicant_hours,
        fees=totals.fees,
        burden=burden,
        annual_burden=None if model.volume is None else burden * model.volume,
        maturity=model.maturity,
        duties=totals.duties,
        admin_cost=admin_cost,
        annual_admin_cost=annual_admin_cost,
        staff_hours=totals.staff_hours,
        gov_cost=None if staff_tariff is None else totals.staff_hours * staff_tariff,
        derived_maturity=derived_maturity(model, from_applicant),
    )


def measures_json(model: Model) -> dict[str, Any]:
    """The object ``bpr metrics --json`` prints: the measures, then ``phases`` if any."""
    found = measure(model).as_dict()
    per_phase = phase_measures(model)
    if per_phase is not None:
        found["phases"] = per_phase
    return found


def phase_measures(model: Model) -> dict[str, dict[str, Any]] | None:
    """The measures of each phase, in the order of ``phases``; None for a model without.

    Counts are over the phase's steps; work, applicant hours and fees are expected per case,
    from the same expected runs as the whole model's. ``lead_time_days`` is the expected
    elapsed time in the phase where its steps form one block of the flow (one step every case
    enters it by, one it leaves by), else None. Steps without a phase are in none.

    >>> import bpr
    >>> m = bpr.loads(
    ...     "bpr: 1\\nservice: s\\nvariant: as-is\\n"
    ...     "phases: {a: Apply, r: Review}\\n"
    ...     "actors: {me: {name: Me, kind: applicant}, desk: {name: Desk}}\\n"
    ...     "steps:\\n"
    ...     "  - {id: apply, actor: me, work: 1h, fee: 5, phase: a}\\n"
    ...     "  - {id: check, actor: desk, work: 2h, wait: 1d, phase: r,"
    ...     "     next: [{to: apply, p: 0.5}, {to: end, p: 0.5}]}\\n"
    ... )
    >>> found = phase_measures(m)
    >>> found["a"]["work_hours"], found["a"]["fees"], found["r"]["lead_time_days"]
    (2, 10, 2.166666667)
    """
    if not model.phases:
        return None
    members: dict[str, list[Step]] = {pid: [] for pid in model.phases}
    for step in model.steps:
        if step.phase in members:
            members[step.phase].append(step)
    plain = {node: [t for t, _ in targets] for node, targets in analyse(model).successors.items()}
    dominated = dominators(plain, model.first.id)
    postdominator = immediate_postdominators(plain)
    found: dict[str, dict[str, Any]] = {}
    for pid, phase in model.phases.items():
        steps = members[pid]
        ids = frozenset(step.id for step in steps)
        totals = expected_totals(model, ids) if ids else ExpectedTotals(0, 0, 0, 0, 0, 0)
        needed = dict.fromkeys(doc for step in steps for doc in step.needs)
        is_block = bool(ids) and _is_block(ids, plain, dominated, postdominator)
        found[pid] = {
            "name": phase.name,
            "steps": len(steps),
            "visits": sum(1 for step in steps if step.is_visit),
            "documents": len(needed),
            "work_hours": _tidy(totals.work_hours),
            "applicant_hours": _tidy(totals.applicant_hours),
            "fees": _tidy(totals.fees),
            "lead_time_days": _tidy(totals.elapsed_hours / 24) if is_block else None,
        }
    return found


def _is_block(
    ids: frozenset[str],
    successors: dict[str, list[str]],
    dominated: dict[str, frozenset[str]],
    postdominator: dict[str, str],
) -> bool:
    """Whether ``ids`` has one entry that dominates them all and one exit after them all.

    The entry is the member every other member is dominated by, and every flow from outside
    goes to it; the exit is the member every flow leaving the set starts from, and every
    member passes it on the way to the end without leaving the set.
    """
    entries = [n for n in ids if all(n in dominated.get(m, ()) for m in ids)]
    if len(entries) != 1:
        return False
    (entry,) = entries
    if any(t in ids and t != entry for n in successors if n not in ids for t in successors[n]):
        return False
    leaving = {n for n in ids for t in successors.get(n, ()) if t not in ids}
    if len(leaving) != 1:
        return False
    (exit_step,) = leaving
    # every member passes the exit on its way to the end (the exit postdominates the set)
    for member in ids:
        node = member
        while node != exit_step:
            following = postdominator.get(node)
            if following is None or following == node or following not in ids:
                return False
            node = following
    return True


def derived_maturity(model: Model, documents_from_applicant: int) -> int:
    """The UN maturity stage that the flow itself supports (spec, "Added measures").

    3 where no step is ``in-person`` or ``post``; 4 where, besides, the agency starts the case
    (the first step is not the applicant's) and the applicant brings no document; otherwise 2
    where some step of the applicant is ``online``, else 1.
    """
    if not any(step.channel in _OFFICE_CHANNELS for step in model.steps):
        agency_starts = not model.actors[model.first.actor].is_applicant
        return 4 if agency_starts and documents_from_applicant == 0 else 3
    online = any(
        step.channel == "online" and model.actors[step.actor].is_applicant for step in model.steps
    )
    return 2 if online else 1


def _step_value(model: Model, step: Step) -> _Vector:
    """What one run of ``step`` adds to each of the expected totals."""
    actor = model.actors[step.actor]
    hands_on = step.work.mean
    applicant = hands_on if model.is_applicant_step(step) else 0.0
    if step.is_visit:
        applicant += model.travel_of(step).mean + model.queue_of(step).mean
    return [
        hands_on + step.wait.mean,
        hands_on,
        applicant,
        step.fee,
        step.fee if step.fee_kind == _DUTY else 0.0,
        0.0 if actor.is_applicant or actor.is_system else hands_on,
    ]


def step_value(model: Model, step: Step) -> list[float]:
    """What one run of ``step`` adds to each field of :class:`ExpectedTotals`, in order (the
    values :func:`expected_totals` sums; lint measures its changes from them)."""
    return _step_value(model, step)


def solve_loop(
    members: list[str],
    stop: str,
    successors: dict[str, list[tuple[str, float]]],
    value: dict[str, list[float]],
    expected: dict[str, list[float]],
) -> dict[str, list[float]]:
    """The expected sums of ``value`` from each step of one loop until ``stop`` (the solver
    :func:`expected_totals` uses): ``expected`` holds the sums of the steps the loop leads
    out to."""
    return _solve_component(members, stop, successors, value, expected)


def expected_totals(model: Model, only: frozenset[str] | None = None) -> ExpectedTotals:
    """Expected elapsed hours, work hours, applicant hours, fees, duties and staff hours.

    Parallel blocks are collapsed innermost first into their split step (elapsed time of the
    slowest branch, the other figures summed over branches); then every loop is one linear
    system per strongly connected component, solved exactly. With ``only``, just the runs of
    those steps count (the others add nothing): the expected totals of a part of the flow.
    """
    analysis = analyse(model)
    successors = {node: list(targets) for node, targets in analysis.successors.items()}
    value: dict[str, _Vector] = {
        step.id: _step_value(model, step) if only is None or step.id in only else [0.0] * _WIDTH
        for step in model.steps
    }
    for block in analysis.blocks:
        totals = [
            _expected_from(start, block.join, successors, value)
            for start in block.branches
            if start != block.join
        ]
        own = value[block.split]
        if totals:
            own[0] += max(t[0] for t in totals)
            for i in range(1, _WIDTH):
                own[i] += sum(t[i] for t in totals)
        successors[block.split] = [(block.join, 1.0)]
    return ExpectedTotals(*_expected_from(model.first.id, END, successors, value))


def _expected_from(
    start: str,
    stop: str,
    successors: dict[str, list[tuple[str, float]]],
    value: dict[str, _Vector],
) -> _Vector:
    """Expected sum of ``value`` over the steps a case runs from ``start`` until ``stop``.

    Backward equations V(i) = value(i) + sum_j p(i, j) V(j), with V(stop) = 0, solved one
    strongly connected component at a time, sinks first.
    """

    def onward(node: Any) -> list[str]:
        return [t for t, _ in successors[node] if t != stop]

    expected: dict[str, _Vector] = {}
    for component in strongly_connected_components([start], onward):
        members: list[str] = component  # type: ignore[assignment]
        if len(members) == 1 and members[0] not in onward(members[0]):
            node = members[0]
            total = list(value[node])
            for target, p in successors[node]:
                if target != stop and p:
                    later = expected[target]
                    for i in range(_WIDTH):
                        total[i] += p * later[i]
            expected[node] = total
            continue
        expected.update(_solve_component(members, stop, successors, value, expected))
    return expected[start]


def _solve_component(
    members: list[str],
    stop: str,
    successors: dict[str, list[tuple[str, float]]],
    value: dict[str, _Vector],
    expected: dict[str, _Vector],
) -> dict[str, _Vector]:
    """Solve (I - P) V = b over one loop, where b holds each step's value and the exits."""
    position = {node: i for i, node in enumerate(members)}
    n = len(members)
    entries: list[tuple[int, int, float]] = []
    rhs = [list(value[node]) for node in members]
    for node in members:
        row = position[node]
        entries.append((row, row, 1.0))
        for target, p in successors[node]:
            if target == stop or not p:
                continue
            column = position.get(target)
            if column is None:
                later = expected[target]
                for i in range(_WIDTH):
                    rhs[row][i] += p * later[i]
            else:
                entries.append((row, column, -p))
    solution = (
        _solve_dense(n, entries, rhs) if n <= _SMALL_SYSTEM else _solve_sparse(n, entries, rhs)
    )
    return {node: solution[position[node]] for node in members}


def _solve_dense(
    n: int, entries: list[tuple[int, int, float]], rhs: list[_Vector]
) -> list[_Vector]:
    """Gaussian elimination with partial pivoting, for small loops."""
    matrix = [[0.0] * n for _ in range(n)]
    for row, column, amount in entries:
        matrix[row][column] += amount
    b = [list(r) for r in rhs]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(matrix[r][col]))
        matrix[col], matrix[pivot] = matrix[pivot], matrix[col]
        b[col], b[pivot] = b[pivot], b[col]
        head = matrix[col][col]
        for r in range(col + 1, n):
            factor = matrix[r][col] / head
            if factor:
                row_r, row_c = matrix[r], matrix[col]
                for c in range(col, n):
                    row_r[c] -= factor * row_c[c]
                for i in range(_WIDTH):
                    b[r][i] -= factor * b[col][i]
    x = [[0.0] * _WIDTH for _ in range(n)]
    for r in range(n - 1, -1, -1):
        for i in range(_WIDTH):
            acc = b[r][i] - sum(matrix[r][c] * x[c][i] for c in range(r + 1, n))
            x[r][i] = acc / matrix[r][r]
    return x


def _solve_sparse(
    n: int, entries: list[tuple[int, int, float]], rhs: list[_Vector]
) -> list[_Vector]:
    """Sparse elimination for large loops, in pure Python: time and memory grow with the flows.

    ``entries`` are the matrix I - Q of one loop (``(row, column, amount)``, summed where
    repeated): 1 on the diagonal and minus the probability of each flow between its steps.
    Eliminating step v is the state elimination of Markov chains: every step u that leads to
    v is given v's flows (u -> w gains p(u, v) p(v, w) / d_v) and v's share of the right-hand
    side and of the way out, where d_v is what leaves v other than back to itself. Steps go
    in the order of fewest new flows, in(v) x out(v) (Markowitz's rule, on the flows left),
    ties in the loop's order: a sequence costs 1 per step however long the loop, a rework
    loop to the start from every step is taken from its end (never the start first, which
    would fill a row as long as the loop), so the fill stays within a few flows per step for
    the loops, nested loops and collapsed parallel blocks of process models.

    No pivoting is needed, and none is done. Verified: Q holds probabilities whose rows add
    up to at most 1, and every loop is left with a probability above ``EXIT_TOLERANCE`` (the
    loader's ``check_flow``), so I - Q is a nonsingular M-matrix, diagonally dominant by rows
    (the absorbing chain's I - Q transposed, by columns). Symmetric reordering keeps every row
    dominant, and so does each elimination step (the rest is again an M-matrix): the pivots
    are positive and the growth factor is at most 2 without any interchange (Wilkinson's
    bound for diagonally dominant matrices; Higham, "Accuracy and Stability of Numerical
    Algorithms", ch. 9). Beyond that, each pivot is formed as in the algorithm of Grassmann,
    Taksar and Heyman: as the row's way out plus its flows, d_v = r_v + sum_w p(v, w), where
    r_v (the row sum of I - Q, what leaves the loop) is carried through the elimination as a
    sum of products of nonnegative numbers, never as 1 - p(v, v). Nothing is subtracted, so
    nothing cancels however rarely a loop is left: each figure keeps a relative error of a
    few units in the last place, where LU loses the digits of 1 / (the chance of leaving).
    (A choice whose p add up to a hair above 1, within the loader's tolerance, starts with
    r_v that hair below 0: the system solved is still exactly the one given.)
    """
    flows_out: list[dict[int, float]] = [{} for _ in range(n)]
    flows_in: list[set[int]] = [set() for _ in range(n)]
    way_out = [0.0] * n
    for row, column, amount in entries:
        way_out[row] += amount
        if row != column:
            flows_out[row][column] = flows_out[row].get(column, 0.0) - amount
            flows_in[column].add(row)
    b = [list(r) for r in rhs]
    # queued[v] is the cost v was last queued at: a cost that grows is corrected when v comes
    # out of the queue, one that shrinks is queued again, one that stays is left alone
    queued = [len(flows_in[v]) * len(flows_out[v]) for v in range(n)]
    queue = list(zip(queued, range(n), strict=True))
    heapq.heapify(queue)
    done = [False] * n
    order: list[int] = []
    pivots = [1.0] * n
    while queue:
        cost, v = heapq.heappop(queue)
        if done[v] or cost != queued[v]:
            continue  # eliminated already, or queued again at a lower cost since
        onward = flows_out[v]
        coming = flows_in[v]
        now = len(coming) * len(onward)
        if now != cost:
            queued[v] = now
            heapq.heappush(queue, (now, v))
            continue
        done[v] = True
        order.append(v)
        pivot = pivots[v] = way_out[v] + sum(onward.values())
        for u in coming:
            row_u = flows_out[u]
            a = row_u.pop(v) / pivot
            for w, p in onward.items():
                if w == u:
                    continue  # u -> v -> u: a return to u, neither a flow nor a way out
                if w in row_u:
                    row_u[w] += a * p
                else:
                    row_u[w] = a * p
                    flows_in[w].add(u)
            way_out[u] += a * way_out[v]
            b[u] = _added(b[u], a, b[v])
            _requeue(queue, queued, u, len(flows_in[u]) * len(row_u))
        for w in onward:
            coming_w = flows_in[w]
            coming_w.discard(v)
            _requeue(queue, queued, w, len(coming_w) * len(flows_out[w]))
        coming.clear()  # v's own flows stay as they are, for the back substitution
    x = b  # each row is replaced by its solution, last eliminated first
    for v in reversed(order):
        total = b[v]
        for w, p in flows_out[v].items():
            total = _added(total, p, x[w])
        x[v] = _divided(total, pivots[v])
    return x


def _requeue(queue: list[tuple[int, int]], queued: list[int], v: int, cost: int) -> None:
    """Queue ``v`` again if its cost has fallen below the one it waits at."""
    if cost < queued[v]:
        queued[v] = cost
        heapq.heappush(queue, (cost, v))


# Written out for the six totals (_WIDTH): three to four times faster than a comprehension.
def _added(x: _Vector, a: float, y: _Vector) -> _Vector:
    """x + a y."""
    x0, x1, x2, x3, x4, x5 = x
    y0, y1, y2, y3, y4, y5 = y
    return [x0 + a * y0, x1 + a * y1, x2 + a * y2, x3 + a * y3, x4 + a * y4, x5 + a * y5]


def _divided(x: _Vector, d: float) -> _Vector:
    """x / d."""
    x0, x1, x2, x3, x4, x5 = x
    return [x0 / d, x1 / d, x2 / d, x3 / d, x4 / d, x5 / d]
