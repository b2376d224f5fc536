"""Benchmark of the core: bpr metrics against a bare YAML parse, growth with size, cold start;
and the solver of large loops against scipy's sparse LU, which it replaced.

Run by hand: ``python benchmarks/bench_core.py``; it rewrites its section of RESULTS.md.
``python benchmarks/bench_core.py loops`` runs only the loop solver's part, and rewrites its
own section.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import PYTHON, command_time, machine, median_time, write_section
from bench_growth import Run, run_measured
from generate import model_text, write_portfolio

BPR = [PYTHON, "-m", "bpr"]


def portfolio(tmp: Path) -> tuple[float, float]:
    files = write_portfolio(tmp / "portfolio", services=300, steps=40)
    bare = (
        "import sys, yaml\n"
        "for name in sys.argv[1:]:\n"
        "    with open(name, 'rb') as f:\n"
        "        yaml.load(f, Loader=yaml.CSafeLoader)\n"
    )
    parse = command_time([PYTHON, "-c", bare, *map(str, files)], repeat=3)
    metrics = command_time([*BPR, "metrics", "--json", str(tmp / "portfolio")], repeat=3)
    return parse, metrics


def growth(tmp: Path) -> list[tuple[int, float, float, float]]:
    import bpr

    rows = []
    for steps in (1_000, 10_000, 100_000):
        path = tmp / f"big-{steps}.yaml"
        path.write_text(model_text(steps), encoding="utf-8")
        repeat = 3 if steps < 100_000 else 1
        loading = median_time(lambda p=path: bpr.load(p), repeat)
        model = bpr.load(path)
        measuring = median_time(lambda m=model: bpr.measure(m), repeat)
        command = [*BPR, "metrics", "--json", str(path)]
        wall = command_time(command, repeat)
        rows.append((steps, loading, measuring, wall))
    return rows


def cold_start(tmp: Path) -> tuple[float, float]:
    small = tmp / "small.yaml"
    small.write_text(model_text(10), encoding="utf-8")
    baseline = command_time([PYTHON, "-c", "import yaml, networkx"], repeat=15)
    bpr_metrics = command_time([*BPR, "metrics", str(small)], repeat=15)
    return baseline, bpr_metrics


def main() -> None:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        parse, metrics = portfolio(tmp)
        rows = growth(tmp)
        baseline, start = cold_start(tmp)
    in_process = {steps: load + measure for steps, load, measure, _ in rows}
    wall = {steps: seconds for steps, _, _, seconds in rows}
    growth_ratio = wall[100_000] / wall[10_000]
    in_process_ratio = in_process[100_000] / in_process[10_000]
    lines = [
        "## Core: load, validate, measure (`benchmarks/bench_core.py`)",
        "",
        f"Machine: {machine()}.",
        "",
        "1. Portfolio of 300 services x 2 variants x 40 steps (600 files):",
        "",
        "   | run | seconds |",
        "   |---|---|",
        f"   | parse every file with yaml.CSafeLoader, nothing else | {parse:.2f} |",
        f"   | `bpr metrics --json` on the folder | {metrics:.2f} |",
        f"   | ratio (target at most 2x) | **{metrics / parse:.2f}x** |",
        "",
        "2. One model of growing size (loops and parallel blocks every ten steps):",
        "",
        "   | steps | load and validate (s) | measure (s) | both, in-process (s) "
        "| `bpr metrics --json` (s) |",
        "   |---|---|---|---|---|",
        *[f"   | {s:,} | {lo:.3f} | {me:.3f} | {lo + me:.3f} | {w:.3f} |" for s, lo, me, w in rows],
        f"   | 100k / 10k (target at most 12x) | | | {in_process_ratio:.1f}x "
        f"| **{growth_ratio:.1f}x** |",
        "",
        "3. Cold start, median of 15 runs:",
        "",
        "   | command | seconds |",
        "   |---|---|",
        f'   | `python -c "import yaml, networkx"` | {baseline:.3f} |',
        f"   | `bpr metrics` on a 10-step model | {start:.3f} |",
        f"   | ratio (target at most 1.5x) | **{start / baseline:.2f}x** |",
        "",
        f"(The benchmark took {time.perf_counter() - started:.0f} s.)",
    ]
    write_section("bench_core", "\n".join(lines))
    print("\n".join(lines))


# -- the solver of large loops (issue 20) -----------------------------------------------------

LOOP_HEAD = """\
bpr: 1
service: loops
variant: as-is
tariff: 10
actors:
  me: {name: Applicant, kind: applicant}
  a: {name: Desk, agency: A}
  b: {name: Registry, agency: B}
steps:
"""


def _loop_step(i: int, flow: str = "") -> str:
    actor = ("me", "a", "b")[i % 3]
    text = f"  - id: s{i}\n    actor: {actor}\n    work: {1 + i % 4}h\n    wait: {i % 5}h\n"
    return text + (f"    next: {flow}\n" if flow else "")


def _back(i: int, n: int, target: int, p: float) -> str:
    after = f"s{i + 1}" if i + 1 < n else "end"
    return f"[{{to: s{target}, p: {p}}}, {{to: {after}, p: {1 - p:.10g}}}]"


def one_loop(n: int) -> str:
    """n steps in a sequence, the last sends the case back to the first with p 0.5."""
    steps = [_loop_step(i) for i in range(n - 1)]
    return LOOP_HEAD + "".join(steps) + _loop_step(n - 1, _back(n - 1, n, 0, 0.5))


def nested_loops(n: int) -> str:
    """Loops within loops: every 10 steps back over 10 (p 0.1), every 100 back over 100
    (0.05), ... up to one loop over all n (0.3)."""
    steps = []
    for i in range(n):
        span = 1
        while (i + 1) % (span * 10) == 0 and span * 10 < n:
            span *= 10
        if i == n - 1:
            steps.append(_loop_step(i, _back(i, n, 0, 0.3)))
        elif span > 1:
            steps.append(_loop_step(i, _back(i, n, i + 1 - span, 0.1 if span == 10 else 0.05)))
        else:
            steps.append(_loop_step(i))
    return LOOP_HEAD + "".join(steps)


def rework_to_start(n: int) -> str:
    """Every 100th step sends the case back to the first with p 0.01 (one loop)."""
    steps = []
    for i in range(n):
        back = i == n - 1 or i % 100 == 99
        steps.append(_loop_step(i, _back(i, n, 0, 0.01) if back else ""))
    return LOOP_HEAD + "".join(steps)


def loop_around_parallel(n: int) -> str:
    """The generated model of bench_core (parallel blocks and rework every ten steps), its
    last step sending the case back to the first with p 0.3."""
    text = model_text(n)
    at = text.rindex("next: end")
    return text[:at] + "next: [{to: s0, p: 0.3}, {to: end, p: 0.7}]" + text[at + 9 :]


def many_small_loops(n: int) -> str:
    """Loops of 30 steps one after the other (each just above the dense solver's 24)."""
    steps = []
    for i in range(n):
        back = i % 30 == 29 or i == n - 1
        steps.append(_loop_step(i, _back(i, n, i - i % 30, 0.2) if back else ""))
    return LOOP_HEAD + "".join(steps)


LOOP_SHAPES: dict[str, Callable[[int], str]] = {
    "one loop": one_loop,
    "nested loops (10, 100, ... all)": nested_loops,
    "rework to the start every 100 steps": rework_to_start,
    "a loop around parallel blocks": loop_around_parallel,
    "loops of 30 steps one after the other": many_small_loops,
}


def _scipy_solve(
    n: int, entries: list[tuple[int, int, float]], rhs: list[list[float]]
) -> list[list[float]]:
    """The solver bpr used before (scipy's sparse LU), as the reference."""
    import numpy as np
    from scipy.sparse import csc_matrix
    from scipy.sparse.linalg import splu

    rows, columns, amounts = zip(*entries, strict=True)
    matrix = csc_matrix((amounts, (rows, columns)), shape=(n, n))
    return [list(map(float, row)) for row in splu(matrix).solve(np.asarray(rhs, dtype=float))]


def _processor_time(run: Callable[[], object], repeat: int) -> float:
    return median_time(run, repeat, clock=time.process_time)


def loop_solvers() -> list[tuple[str, int, float, float, float]]:
    """Per shape and size: the solver's and scipy's processor seconds of the loop solves
    (one ``expected_totals``, the part that solves), and their largest relative difference."""
    import bpr
    import bpr.analysis.measures as measures

    ours = measures._solve_sparse
    rows = []
    for shape, make in LOOP_SHAPES.items():
        for states in (100, 1_000, 10_000, 100_000):
            model = bpr.loads(make(states))
            repeat = 5 if states <= 10_000 else 2
            measures._solve_sparse = ours
            new = _processor_time(partial(measures.expected_totals, model), repeat)
            found = measures.expected_totals(model)
            measures._solve_sparse = _scipy_solve
            measures.expected_totals(model)  # the first call pays for importing scipy
            old = _processor_time(partial(measures.expected_totals, model), repeat)
            reference = measures.expected_totals(model)
            measures._solve_sparse = ours
            worst = max(abs(a - b) / abs(b) for a, b in zip(found, reference, strict=True) if b)
            rows.append((shape, states, new, old, worst))
            print(shape, states, f"{new:.3f} {old:.3f} {worst:.1e}", flush=True)
    return rows


def first_run(tmp: Path) -> list[tuple[str, float, float, float]]:
    """Processor seconds, wall seconds and peak MB of a first ``bpr metrics`` of a 200-step
    loop, with this solver and with scipy's (the old path, patched in): medians of 11."""
    path = tmp / "loop-200.yaml"
    path.write_text(one_loop(200), encoding="utf-8")
    # both import this module the same way; only the old one puts scipy's solver in place
    head = (
        f"import sys; sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})\n"
        "import bpr.analysis.measures as m, bench_core\n"
    )
    run = f"from bpr.cli import main; raise SystemExit(main(['metrics', '--json', {str(path)!r}]))"
    new = head + run
    old = head + "m._solve_sparse = bench_core._scipy_solve\n" + run
    labels = ("this solver", "scipy's sparse LU (before)")
    runs: dict[str, list[Run]] = {label: [] for label in labels}
    for _ in range(11):  # the two in turn, so that a change of the machine's load hits both
        for label, code in zip(labels, (new, old), strict=True):
            run = run_measured([PYTHON, "-c", code], 120, frozenset({0}))
            if run.status != "ok":
                raise SystemExit(f"bpr metrics with {label}: {run.status}")
            runs[label].append(run)
    found = [
        (
            label,
            statistics.median(r.cpu for r in runs[label]),
            statistics.median(r.wall for r in runs[label]),
            statistics.median(r.rss_mb for r in runs[label]),
        )
        for label in labels
    ]
    return found


def loops_main() -> None:
    started = time.perf_counter()
    load = Path("/proc/loadavg").read_text().split()[:3]
    rows = loop_solvers()
    with tempfile.TemporaryDirectory() as folder:
        cold = first_run(Path(folder))
    (_, cpu_new, wall_new, mb_new), (_, cpu_old, wall_old, mb_old) = cold
    lines = [
        "## Core: the solver of large loops (`benchmarks/bench_core.py loops`)",
        "",
        f"Machine: {machine()}; load average {' '.join(load)} at the start. Both solvers "
        "in the same run, processor time (steadier than wall time on this shared machine).",
        "",
        "Loops of more than 24 steps were solved by scipy's sparse LU; they are now solved "
        "by a pure-Python sparse elimination (`bpr.analysis.measures._solve_sparse`: state "
        "elimination in Markowitz order, pivots formed from the way out as in the GTH "
        "algorithm, no subtraction). Processor seconds of the loop solves of one model "
        "(`expected_totals`, medians of 5 runs, 2 at 100,000), scipy's after it is imported; "
        "the last column is the largest relative difference of the six totals.",
        "",
        "| shape | loop states | pure Python (s) | scipy splu (s) | ratio | difference |",
        "|---|---|---|---|---|---|",
        *[
            f"| {shape} | {states:,} | {new:.3f} | {old:.3f} | {new / old:.2f}x | {worst:.0e} |"
            for shape, states, new, old, worst in rows
        ],
        "",
        "First `bpr metrics --json` of a 200-step loop in a fresh process (medians of 11):",
        "",
        "| solver | processor (s) | wall (s) | peak memory (MB) |",
        "|---|---|---|---|",
        *[f"| {label} | {c:.3f} | {w:.3f} | {mb:.0f} |" for label, c, w, mb in cold],
        f"| saved | **{cpu_old - cpu_new:.3f}** | {wall_old - wall_new:.3f} "
        f"| **{mb_old - mb_new:.0f}** |",
        "",
        "The differences are rounding: `tests/test_measures.py` checks the elimination "
        "against scipy (1e-9 on random loops) and against exact fractions, where on loops "
        "left with a small probability LU loses digits (1 - the chance to stay) and the "
        "elimination, which never subtracts, does not.",
        "",
        f"(This part took {time.perf_counter() - started:.0f} s.)",
    ]
    write_section("bench_core_loops", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    if sys.argv[1:] == ["loops"]:
        loops_main()
    else:
        main()
