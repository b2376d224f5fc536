"""Measures on tiny hand-made models, checked by hand, and on large generated ones."""

from __future__ import annotations

import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bpr
from bpr.analysis.measures import MEASURE_KEYS, _solve_dense, _solve_sparse, expected_totals
from tests.conftest import DATA, ROOT

HEAD = """\
bpr: 1
service: s
variant: as-is
tariff: 100
volume: 10
actors:
  me: {name: Me, kind: applicant}
  a: {name: A, agency: X}
  b: {name: B, agency: X}
  c: {name: C, agency: Y}
steps:
"""


def measured(steps: str) -> bpr.Measures:
    return bpr.measure(bpr.loads(HEAD + steps))


def test_contract_example() -> None:
    result = bpr.measure(bpr.load(DATA / "contract-example.yaml")).as_dict()
    assert list(result) == list(MEASURE_KEYS)
    assert result == {
        "steps": 7,
        "actors": 4,
        "agencies": 3,
        "handoffs": 6,
        "visits": 3,
        "documents": 3,
        "documents_from_applicant": 2,
        "certificates": 1,
        "documents_exchanged": 1,
        "lead_time_days": pytest.approx(318.25 / 24, rel=1e-9),
        "work_hours": 6.25,
        "applicant_hours": 2.25,
        "fees": 227500,
        "burden": 254500,
        "annual_burden": 21632500000,
        "maturity": 1,
        # no fee_kind: every fee is a charge, so the SCM cost is the burden
        "duties": 0,
        "admin_cost": 254500,
        "annual_admin_cost": 21632500000,
        # staff: get_plan 0.5 + (notarise 1 + check 2) x1.25 + register 1 + issue_extract 0.5
        "staff_hours": 5.75,
        "gov_cost": None,  # no staff_tariff
        "derived_maturity": 1,  # three visits, no online step of the applicant
    }
    assert round(result["lead_time_days"], 4) == 13.2604


def test_single_step() -> None:
    m = measured("  - {id: x, actor: me, work: 30m, wait: 1d, fee: 7}\n")
    assert (m.steps, m.actors, m.agencies, m.handoffs, m.visits) == (1, 1, 0, 0, 0)
    assert m.lead_time_days == pytest.approx(24.5 / 24)
    assert (m.work_hours, m.applicant_hours, m.fees) == (0.5, 0.5, 7)
    assert m.burden == 0.5 * 100 + 7
    assert m.annual_burden == m.burden * 10
    assert m.maturity is None


def test_self_loop_runs_one_over_one_minus_q_times() -> None:
    m = measured(
        "  - id: x\n    actor: a\n    work: 1h\n    next: [{to: x, p: 0.75}, {to: end, p: 0.25}]\n"
    )
    assert m.work_hours == pytest.approx(4.0)
    assert m.handoffs == 0  # a flow to itself has the same actor


def test_nested_loops_are_exact() -> None:
    # x -> y; y back to x with 0.5; y -> z; z back to y with 0.2, else end.
    # Hand: visits solve vx = 1 + 0.5 vy ; vy = vx + 0.2 vz ; vz = 0.5 vy -> vz = 0.5 vy,
    # vy = vx + 0.1 vy -> vy = vx / 0.9 ; vx = 1 + 0.5 vx / 0.9 -> vx = 2.25, vy = 2.5,
    # vz = 1.25.
    m = measured(
        "  - {id: x, actor: a, work: 1h}\n"
        "  - {id: y, actor: b, work: 10h, next: [{to: x, p: 0.5}, {to: z, p: 0.5}]}\n"
        "  - {id: z, actor: c, work: 100h, next: [{to: y, p: 0.2}, {to: end, p: 0.8}]}\n"
    )
    assert m.work_hours == pytest.approx(2.25 * 1 + 2.5 * 10 + 1.25 * 100)
    assert m.handoffs == 4  # x->y, y->x, y->z, z->y


def test_parallel_takes_slowest_branch_and_sums_work() -> None:
    m = measured(
        "  - {id: s, actor: a, work: 1h, next: {all: [p, q, r]}}\n"
        "  - {id: p, actor: b, work: 2h, wait: 1d, next: j}\n"
        "  - {id: q, actor: c, work: 5h, next: j}\n"
        "  - {id: r, actor: me, channel: in-person, work: 1h, next: j}\n"
        "  - {id: j, actor: a, join: all, work: 1h}\n"
    )
    assert m.lead_time_days == pytest.approx((1 + 26 + 1) / 24)
    assert m.work_hours == pytest.approx(1 + 2 + 5 + 1 + 1)
    assert m.applicant_hours == 1
    assert m.handoffs == 6


def test_loop_inside_a_branch_and_choice_inside_a_branch() -> None:
    # branch p: p1 (1h) loops on itself with 0.5 -> 2h expected; branch q: choice q1 -> q2 (10h)
    # with 0.3 or straight to the join -> 3h expected. Slowest: 3h.
    m = measured(
        "  - {id: s, actor: a, next: {all: [p1, q1]}}\n"
        "  - {id: p1, actor: b, work: 1h, next: [{to: p1, p: 0.5}, {to: j, p: 0.5}]}\n"
        "  - {id: q1, actor: c, next: [{to: q2, p: 0.3}, {to: j, p: 0.7}]}\n"
        "  - {id: q2, actor: c, work: 10h, next: j}\n"
        "  - {id: j, actor: a, join: all}\n"
    )
    assert m.lead_time_days == pytest.approx(3 / 24)
    assert m.work_hours == pytest.approx(5)


def test_nested_parallel_blocks() -> None:
    m = measured(
        "  - {id: s, actor: a, next: {all: [a1, t]}}\n"
        "  - {id: a1, actor: a, work: 4h, next: j}\n"
        "  - {id: t, actor: b, work: 1h, next: {all: [b1, c1]}}\n"
        "  - {id: b1, actor: b, work: 2h, next: k}\n"
        "  - {id: c1, actor: c, work: 3h, next: k}\n"
        "  - {id: k, actor: b, join: all, work: 1h, next: j}\n"
        "  - {id: j, actor: a, join: all}\n"
    )
    # inner block: t 1h + max(2, 3) + k 1h = 5h against a1 4h
    assert m.lead_time_days == pytest.approx(5 / 24)
    assert m.work_hours == pytest.approx(4 + 1 + 2 + 3 + 1)


def test_parallel_inside_a_loop() -> None:
    m = measured(
        "  - {id: s, actor: a, next: {all: [p, q]}}\n"
        "  - {id: p, actor: b, work: 2h, next: j}\n"
        "  - {id: q, actor: c, work: 1h, next: j}\n"
        "  - {id: j, actor: a, join: all, next: [{to: s, p: 0.5}, {to: end, p: 0.5}]}\n"
    )
    assert m.lead_time_days == pytest.approx(2 * 2 / 24)
    assert m.work_hours == pytest.approx(2 * 3)


def test_documents_and_certificates() -> None:
    text = HEAD.replace(
        "steps:\n",
        "documents:\n"
        "  id_card: {name: ID}\n"
        "  cert: {name: Cert, issuer: a}\n"
        "  pulled: {name: Pulled, issuer: c, exchange: true}\n"
        "  made: {name: Made, issuer: b}\n"
        "steps:\n",
    )
    m = bpr.measure(
        bpr.loads(
            text
            + "  - {id: x, actor: me, needs: [id_card, cert], produces: [made]}\n"
            + "  - {id: y, actor: b, needs: [pulled, cert]}\n"
        )
    )
    assert (m.documents, m.documents_from_applicant, m.certificates, m.documents_exchanged) == (
        3,
        2,
        1,
        1,
    )


def test_no_tariff_means_time_is_not_priced() -> None:
    model = bpr.loads(
        (HEAD + "  - {id: x, actor: me, work: 2h, fee: 3}\n").replace("tariff: 100\n", "")
    )
    assert bpr.measure(model).burden == 3


def test_json_is_tidy() -> None:
    m = measured("  - {id: x, actor: a, work: 0.1h, next: [{to: x, p: 0.9}, {to: end, p: 0.1}]}\n")
    data = m.as_dict()
    assert data["work_hours"] == 1  # 0.1 / 0.1 = 0.9999999999999998 in floats
    assert json.loads(json.dumps(data)) == data


def test_dense_and_sparse_solvers_agree() -> None:
    entries = [(0, 0, 1.0), (0, 1, -0.5), (1, 1, 1.0), (1, 0, -0.3), (2, 2, 1.0), (2, 0, -0.2)]
    rhs = [
        [1.0, 2.0, 0.0, 0.0, 0.0, 1.0],
        [3.0, 0.0, 1.0, 0.0, 2.0, 0.0],
        [0.0, 0.0, 0.0, 5.0, 0.0, 4.0],
    ]
    dense = _solve_dense(3, entries, rhs)
    sparse = _solve_sparse(3, entries, rhs)
    for a, b in zip(dense, sparse, strict=True):
        assert a == pytest.approx(b)


def chain(n: int, loop_every: int = 0, back: float = 0.1) -> str:
    """A generated model of n steps, optionally with a rework loop every few steps."""
    lines = [HEAD]
    for i in range(n):
        lines.append(f"  - id: s{i}\n    actor: {'abc'[i % 3]}\n    work: 1h\n")
        if loop_every and i % loop_every == loop_every - 1:
            lines.append(
                f"    next: [{{to: s{i - loop_every + 1}, p: {back}}}, {{to: {f's{i + 1}' if i + 1 < n else 'end'}, p: {1 - back}}}]\n"
            )
    return "".join(lines)


def test_long_chain_has_no_recursion_limit() -> None:
    m = bpr.measure(bpr.loads(chain(5_000)))
    assert m.steps == 5_000
    assert m.work_hours == 5_000
    assert m.handoffs == 4_999


def test_many_loops() -> None:
    m = bpr.measure(bpr.loads(chain(300, loop_every=3)))
    assert m.work_hours == pytest.approx(300 / 0.9)


def test_one_big_loop_uses_the_sparse_solver() -> None:
    # one loop over 200 steps: larger than the dense limit
    text = chain(200).rstrip("\n") + "\n    next: [{to: s0, p: 0.5}, {to: end, p: 0.5}]\n"
    model = bpr.loads(text)
    totals = expected_totals(model)
    assert totals.work_hours == pytest.approx(400)
    assert totals.elapsed_hours == pytest.approx(400)
    assert totals.staff_hours == pytest.approx(400)


def loop_text(n: int, back: dict[int, tuple[int, float]]) -> str:
    """A model of n one-hour steps in sequence, where step i goes back to step t with
    probability p for ``back[i] = (t, p)``; one loop of more than 24 steps if any."""
    lines = [HEAD]
    for i in range(n):
        lines.append(f"  - id: s{i}\n    actor: {'abc'[i % 3]}\n    work: 1h\n")
        if i in back:
            target, p = back[i]
            after = f"s{i + 1}" if i + 1 < n else "end"
            lines.append(f"    next: [{{to: s{target}, p: {p}}}, {{to: {after}, p: {1 - p}}}]\n")
    return "".join(lines)


def test_nested_loops_of_three_levels_by_hand() -> None:
    # blocks of 9 steps and a check back to the block's start (p 0.1); 9 of them and a check
    # back to their start (0.2); 10 of those and a check back to the first step (0.5): 911
    # steps in one loop. The 810 inner steps run 1 / (0.9 * 0.8 * 0.5) times each, the 10
    # middle checks 1 / (0.8 * 0.5) and the last check 1 / 0.5: 2,250 + 25 + 2 hours of work.
    back: dict[int, tuple[int, float]] = {}
    i = 0
    for _ in range(10):
        middle = i
        for _ in range(9):
            back[i + 9] = (i, 0.1)
            i += 10
        back[i] = (middle, 0.2)
        i += 1
    back[i] = (0, 0.5)
    totals = expected_totals(bpr.loads(loop_text(i + 1, back)))
    assert totals.work_hours == pytest.approx(900 / 0.36 + 25 + 2, rel=1e-12)


def test_rework_to_the_start_from_every_tenth_step_by_hand() -> None:
    # 300 steps, every tenth sends the case back to the first with p 0.02: the case gets through
    # all 30 checks with probability g^30 (g = 0.98), step i runs g^(i // 10) / g^30 times
    back = {i: (0, 0.02) for i in range(9, 300, 10)}
    totals = expected_totals(bpr.loads(loop_text(300, back)))
    g = Fraction(0.98)
    expected = sum(g ** (i // 10) for i in range(300)) / g**30
    assert totals.work_hours == pytest.approx(float(expected), rel=1e-12)
    assert totals.staff_hours == pytest.approx(float(expected), rel=1e-12)


def test_a_loop_left_once_in_a_million_rounds_is_exact() -> None:
    # 100 steps around a loop left with p 1e-6 at its last step: each runs 1 / 1e-6 times.
    # An elimination that formed 1 - 0.999999 from the rounded product of the loop would lose
    # six of the sixteen digits here; the way out is carried instead, and nothing cancels.
    stay = 0.999999
    totals = expected_totals(bpr.loads(loop_text(100, {99: (0, stay)})))
    assert totals.work_hours == pytest.approx(float(100 / (1 - Fraction(stay))), rel=1e-13)


def _scipy_solve(
    n: int, entries: list[tuple[int, int, float]], rhs: list[list[float]]
) -> list[list[float]]:
    """The sparse LU the measures used before: a reference for the tests only."""
    np = pytest.importorskip("numpy")
    sparse = pytest.importorskip("scipy.sparse")
    linalg = pytest.importorskip("scipy.sparse.linalg")
    rows, columns, amounts = zip(*entries, strict=True)
    matrix = sparse.csc_matrix((amounts, (rows, columns)), shape=(n, n))
    return [list(map(float, row)) for row in linalg.splu(matrix).solve(np.asarray(rhs))]


@st.composite
def loop_models(draw: st.DrawFn) -> str:
    """A model of 25 to 120 steps in one loop: back flows from random steps to earlier ones,
    parallel blocks of two branches, random work, waits and fees.

    A case gets from any step to the end without going back with a probability of at least
    1e-3 (the product of the stays), so no step runs more than about a thousand times: LU,
    the reference, keeps ten digits on such a loop (its error grows with the runs)."""
    n = draw(st.integers(25, 120))
    lines = [HEAD]
    targets = []  # the steps a flow may go back to: not inside a parallel block
    through = 1.0  # the probability of never going back
    i = 0
    while i < n:
        work = draw(st.sampled_from(["0", "15m", "1h", "2h..5h", "3d"]))
        wait = draw(st.sampled_from(["0", "1h", "2d"]))
        fee = draw(st.sampled_from([0, 10, 2500]))
        step = f"  - id: s{i}\n    actor: {['a', 'b', 'c', 'me'][i % 4]}\n"
        step += f"    work: {work}\n    wait: {wait}\n    fee: {fee}\n"
        last = i == n - 1
        after = "end" if last else f"s{i + 1}"
        kind = draw(st.sampled_from(["plain", "back", "parallel"])) if not last else "back"
        if kind == "parallel" and i + 3 < n - 1:
            # s(i) splits into s(i+1) and s(i+2), which meet at s(i+3)
            lines.append(step + f"    next: {{all: [s{i + 1}, s{i + 2}]}}\n")
            lines.append(f"  - {{id: s{i + 1}, actor: b, work: 1h, next: s{i + 3}}}\n")
            lines.append(f"  - {{id: s{i + 2}, actor: c, work: 2h, wait: 1d, next: s{i + 3}}}\n")
            lines.append(f"  - {{id: s{i + 3}, actor: a, join: all, work: 30m}}\n")
            targets.append(i)
            i += 4
            continue
        p = 0.5 if last else draw(st.sampled_from([0.05, 0.1, 0.3, 0.5, 0.9]))
        if kind == "back" and (last or through * (1 - p) >= 2e-3):
            through *= 1 - p
            target = 0 if last else draw(st.sampled_from([*targets, i]))
            step += f"    next: [{{to: s{target}, p: {p}}}, {{to: {after}, p: {1 - p}}}]\n"
        lines.append(step)
        targets.append(i)
        i += 1
    return "".join(lines)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(loop_models())
def test_large_loops_agree_with_scipy(text: str) -> None:
    import bpr.analysis.measures as measures

    model = bpr.loads(text)
    found = expected_totals(model)
    solver = measures._solve_sparse
    try:
        measures._solve_sparse = _scipy_solve
        reference = expected_totals(model)
    finally:
        measures._solve_sparse = solver
    for ours, theirs in zip(found, reference, strict=True):
        assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-12)


def test_metrics_of_a_large_loop_imports_neither_numpy_nor_scipy(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text(loop_text(200, {199: (0, 0.5)}), encoding="utf-8")
    code = (
        "import sys\n"
        "from bpr.cli import main\n"
        f"code = main(['metrics', '--json', {str(path)!r}])\n"
        "print('HEAVY=' + ','.join(m for m in ('numpy', 'scipy') if m in sys.modules))\n"
        "sys.exit(code)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.split("HEAVY=")[0])["work_hours"] == 400
    assert out.stdout.endswith("HEAVY=\n"), out.stdout[-200:]


# -- measures too large for a number (issue 18 #10) -------------------------------------------

NEAR_MAX = "9" + "0" * 307  # 9e307: two of them add up to more than a float holds


@pytest.mark.parametrize(
    ("steps", "top", "where", "measure"),
    [
        (
            f"  - {{id: x, actor: a, fee: {NEAR_MAX}}}\n  - {{id: y, actor: b, fee: {NEAR_MAX}}}\n",
            "",
            "steps[0].fee",
            "fees",
        ),
        (
            "  - {id: x, actor: a}\n  - {id: y, actor: b, wait: 1" + "0" * 400 + "h}\n",
            "",
            "steps[1].wait",
            "lead time",
        ),
        (
            f"  - {{id: x, actor: me, work: 1h, fee: {NEAR_MAX}}}\n",
            "tariff: " + NEAR_MAX + "\n",
            "tariff",
            "applicant's time and payments",
        ),
        (
            f"  - {{id: x, actor: a, fee: {NEAR_MAX}}}\n",
            "",
            "volume",
            "applicant's time and payments a year",
        ),
    ],
)
def test_a_measure_that_overflows_is_refused_at_its_value(
    steps: str, top: str, where: str, measure: str
) -> None:
    text = HEAD.replace("tariff: 100\n", top or "tariff: 100\n") + steps
    model = bpr.loads(text, file="big.yaml")
    with pytest.raises(bpr.ModelError) as caught:
        bpr.measure(model)
    (problem,) = caught.value.problems
    assert problem.code == "measure-overflow" and problem.path == where and problem.line > 0
    assert problem.message.startswith(f"the {measure} of this model is too large to be a number")


def test_metrics_json_never_prints_infinity(tmp_path: Path, run_bpr) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "big.yaml"
    fees = f"  - {{id: x, actor: a, fee: {NEAR_MAX}}}\n  - {{id: y, actor: a, fee: {NEAR_MAX}}}\n"
    path.write_text(HEAD + fees)
    result = run_bpr("metrics", "--json", path)
    assert result.exit_code == 1
    assert "Infinity" not in result.stdout and "big.yaml:" in result.stderr


# -- the Standard Cost Model's measures (spec, "Added measures") -------------------------------

SCM = """\
bpr: 1
service: s
variant: to-be
tariff: 10
staff_tariff: 20
volume: 100
uptake: 0.25
travel: 30m
queue: 15m
actors:
  me: {name: Me, kind: applicant}
  desk: {name: Desk}
  sys: {name: System, kind: system}
steps:
  - {id: apply, actor: desk, channel: in-person, work: 1h, fee: 40, fee_kind: duty}
  - id: check
    actor: sys
    channel: automatic
    work: 2h
    next: [{to: fix, p: 0.5}, {to: pay, p: 0.5}]
  - {id: fix, actor: desk, channel: in-person, work: 30m, queue: 1h, next: check}
  - {id: pay, actor: me, channel: online, work: 6m, fee: 5}
"""


def test_standard_cost_model_by_hand() -> None:
    # runs: apply 1, check 2 (back from fix with 0.5: 1/(1-0.5)), fix 1, pay 1.
    m = bpr.measure(bpr.loads(SCM))
    # applicant: apply 1 + travel 0.5 + queue 0.25 = 1.75; fix 0.5 + travel 0.5 + its own
    # queue 1 = 2; pay 0.1 (the applicant's own online step: no travel) -> 3.85
    assert m.applicant_hours == pytest.approx(3.85)
    assert (m.fees, m.duties) == (45, 40)
    assert m.burden == pytest.approx(3.85 * 10 + 45)  # 83.5: every payment, as before
    assert m.admin_cost == pytest.approx(38.5 + 45 - 40)  # 43.5: the duty is not SCM
    assert m.annual_admin_cost == pytest.approx(43.5 * 100 * 0.25)  # 1087.5 with the uptake
    assert m.annual_burden == pytest.approx(83.5 * 100)  # the old measure ignores uptake
    # staff: the desk's apply 1 + fix 0.5; the system's 2 x 2h are not staff time
    assert m.staff_hours == pytest.approx(1.5)
    assert m.gov_cost == pytest.approx(1.5 * 20)
    assert m.work_hours == pytest.approx(1 + 2 * 2 + 0.5 + 0.1)  # every actor, as before
    assert m.lead_time_days == pytest.approx(5.6 / 24)  # travel and queue are not lead time
    assert m.derived_maturity == 2  # two visits; the applicant pays online


def test_added_keys_follow_the_old_ones_in_the_json() -> None:
    data = bpr.measure(bpr.loads(SCM)).as_dict()
    assert list(data) == list(MEASURE_KEYS)
    assert list(data)[-6:] == [
        "duties",
        "admin_cost",
        "annual_admin_cost",
        "staff_hours",
        "gov_cost",
        "derived_maturity",
    ]
    assert data["annual_admin_cost"] == 1087.5 and data["gov_cost"] == 30


def test_costs_without_their_prices_are_null() -> None:
    text = SCM.replace("tariff: 10\n", "").replace("staff_tariff: 20\n", "")
    m = bpr.measure(bpr.loads(text))
    assert (m.admin_cost, m.annual_admin_cost, m.gov_cost) == (None, None, None)
    assert m.burden == 45  # unpriced time, as before
    no_volume = bpr.measure(bpr.loads(SCM.replace("volume: 100\n", "")))
    assert no_volume.admin_cost == pytest.approx(43.5) and no_volume.annual_admin_cost is None


def test_travel_and_queue_count_only_at_visits() -> None:
    # the same steps without a visit: travel and queue change nothing
    text = SCM.replace("channel: in-person", "channel: online")
    m = bpr.measure(bpr.loads(text))
    assert m.applicant_hours == pytest.approx(0.1)  # the desk's online work is not the applicant's
    assert m.derived_maturity == 4  # no office; the desk starts the case, nothing is brought


def test_a_step_without_fee_kind_is_a_charge() -> None:
    m = bpr.measure(bpr.loads(SCM.replace(", fee_kind: duty", "")))
    assert m.duties == 0 and m.admin_cost == m.burden


@pytest.mark.parametrize(
    ("steps", "stage"),
    [
        # the agency starts and the applicant brings nothing: proactive
        (
            "  - {id: notify, actor: a, channel: online}\n  - {id: ok, actor: me, channel: online}\n",
            4,
        ),
        # the agency starts but the applicant brings a paper
        (
            "  - {id: notify, actor: a, channel: online}\n"
            "  - {id: ok, actor: me, channel: online, needs: [form]}\n",
            3,
        ),
        # the applicant starts online, nobody visits
        ("  - {id: apply, actor: me, channel: online}\n  - {id: ok, actor: a}\n", 3),
        # a paper sent by post is not stage 3; the applicant has an online step
        ("  - {id: apply, actor: me, channel: online}\n  - {id: ok, actor: a, channel: post}\n", 2),
        # a visit and no online step of the applicant (a staff step online does not count)
        (
            "  - {id: apply, actor: a, channel: in-person}\n  - {id: ok, actor: b, channel: online}\n",
            1,
        ),
    ],
)
def test_derived_maturity(steps: str, stage: int) -> None:
    text = HEAD.replace("steps:\n", "documents:\n  form: {name: Form}\nsteps:\n") + steps
    assert bpr.measure(bpr.loads(text)).derived_maturity == stage


def test_gov_cost_that_overflows_is_located_at_the_staff_tariff() -> None:
    text = HEAD.replace("tariff: 100\n", f"tariff: 100\nstaff_tariff: {NEAR_MAX}\n")
    model = bpr.loads(text + "  - {id: x, actor: a, work: 2h}\n", file="big.yaml")
    with pytest.raises(bpr.ModelError) as caught:
        bpr.measure(model)
    (problem,) = caught.value.problems
    assert problem.path == "staff_tariff" and problem.code == "measure-overflow"
    assert problem.message.startswith("the staff cost to government of this model")
