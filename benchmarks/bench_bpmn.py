"""Benchmark of bpr export, import and check --soundness on generated models of 100 to 5,000 steps,
and of the commands at 10,000 and 100,000 steps (one run each).

Run by hand: ``python benchmarks/bench_bpmn.py``; it rewrites its section of RESULTS.md.
``python benchmarks/bench_bpmn.py --scale 10000 100000`` runs only the commands, with the
sizes given (some minutes at 100,000 steps).
The models (benchmarks/generate.py) have four lanes in two agencies, a parallel block and a
rework loop every ten steps, and three documents.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import PYTHON, machine, median_time, write_section
from bench_diff import run_measured
from generate import model_text

BPR = [PYTHON, "-m", "bpr"]
#: A laid-out export that takes longer than this is stopped and reported as such.
DIAGRAM_TIMEOUT = 300.0

SIZES = (100, 1000, 5000)


def row(steps: int) -> str:
    import bpr
    from bpr.bpmn import check_soundness, import_bpmn, to_bpmn

    model = bpr.loads(model_text(steps), file=f"generated-{steps}.yaml")
    repeat = 3 if steps <= 1000 else 1
    plain = median_time(lambda: to_bpmn(model, diagram=False), repeat)
    xml = to_bpmn(model)
    laid_out = median_time(lambda: to_bpmn(model), repeat)
    back = median_time(lambda: import_bpmn(xml, file="generated.bpmn"), repeat)
    walk = median_time(lambda: check_soundness(model, woflan=False), repeat)
    size = len(xml) / 1024
    return f"| {steps:,} | {plain:.2f} | {laid_out:.2f} | {size:,.0f} | {back:.2f} | {walk:.2f} |"


def woflan_row(steps: int) -> str:
    import bpr
    from bpr.bpmn import check_soundness

    model = bpr.loads(model_text(steps), file=f"generated-{steps}.yaml")
    seconds = median_time(lambda: check_soundness(model, woflan=True), 1)
    return f"| {steps} | {seconds:.2f} |"


#: Runs of each command at a size up to this many steps, of which the median is kept: on a
#: shared machine one short run can be slowed by a neighbour's burst, which would skew the
#: growth from the first size to the last (the largest size runs once: its minutes even out).
REPEAT_UP_TO = 10_000
REPEAT = 3

Measured = tuple[float, float, float]


def measured(args: list[str], repeat: int, timeout: float | None = None) -> Measured | None:
    """The median wall seconds, processor seconds and peak MB of ``repeat`` runs of a
    command (each column on its own); None where a run took longer than ``timeout``."""
    runs = []
    for _ in range(repeat):
        run = run_measured(args, timeout=timeout)
        if run is None:
            return None
        runs.append(run)
    wall, cpu, peak = (statistics.median(column) for column in zip(*runs, strict=True))
    return wall, cpu, peak


def scale(sizes: Sequence[int]) -> str:
    """``bpr export`` (plain and laid out) and ``bpr import`` at each size: seconds, peak
    memory, the file's size, the machine's load, and the growth from the first size to the
    last against the goal of at most 12x for 10x the steps, in processor and in wall time."""
    rows, runs = [], []
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        for steps in sizes:
            source, plain, laid_out = (
                tmp / f"m-{steps}{s}" for s in (".yaml", ".bpmn", "-di.bpmn")
            )
            source.write_text(model_text(steps), encoding="utf-8")
            repeat = REPEAT if steps <= REPEAT_UP_TO else 1
            load_before = os.getloadavg()[0]
            export = measured(
                [*BPR, "export", str(source), "-o", str(plain), "--no-diagram"], repeat
            )
            diagram = measured(
                [*BPR, "export", str(source), "-o", str(laid_out)], repeat, DIAGRAM_TIMEOUT
            )
            back = measured(
                [*BPR, "import", str(plain), "-o", str(tmp / f"back-{steps}.yaml")], repeat
            )
            load_after = os.getloadavg()[0]
            assert export is not None and back is not None
            size = plain.stat().st_size / 2**20
            runs.append((steps, export, diagram, back))

            def cell(measured: Measured | None) -> str:
                if measured is None:
                    return f"over {DIAGRAM_TIMEOUT:.0f} s"
                wall, cpu, peak = measured
                return f"{wall:.1f} s ({cpu:.1f} s CPU), {peak:,.0f} MB"

            laid_size = f"{laid_out.stat().st_size / 2**20:.0f}" if diagram else "-"
            rows.append(
                f"| {steps:,} | {'median of ' + str(repeat) if repeat > 1 else 'one'} "
                f"| {load_before:.1f} to {load_after:.1f} | {cell(export)} | {size:.0f} "
                f"| {cell(diagram)} | {laid_size} | {cell(back)} |"
            )
    lines = [
        "| steps | runs | load | `bpr export --no-diagram` | file (MB) | `bpr export` "
        "| file (MB) | `bpr import` of the plain file |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
    ]
    if len(runs) >= 2:
        (n0, e0, d0, b0), (n1, e1, d1, b1) = runs[0], runs[-1]
        factor = n1 / n0
        goal = 1.2 * factor

        def growth(name: str, first: Measured | None, last: Measured | None) -> str:
            if first is None or last is None:
                return f"{name}: not measured"
            cpu, wall = last[1] / first[1], last[0] / first[0]
            met = [w for w, r in (("processor", cpu), ("wall", wall)) if r <= goal]
            verdict = (
                "goal met"
                if len(met) == 2
                else f"goal met in {met[0]} time only"
                if met
                else "goal not met"
            )
            return f"{name} {cpu:.1f}x ({wall:.1f}x wall; {verdict})"

        lines += [
            "",
            f"From {n0:,} to {n1:,} steps ({factor:.0f}x; goal: each at most {goal:.0f}x in "
            f"processor and in wall time), in processor time: "
            f"{growth('export without the diagram', e0, e1)}, "
            f"{growth('export with the diagram', d0, d1)}, {growth('import', b0, b1)}.",
        ]
    return "\n".join(lines)


#: What the profiles of issue 20 found, and where the time goes now (true of the code, not
#: of one run's figures).
FINDINGS = """\
Where the time went (cProfile, 10,000 against 100,000 steps): the flow net found a join's
parallel blocks by scanning every block for each flow into a join (quadratic: 65 of 170
profiled seconds of `bpr export --no-diagram` at 100,000 steps), now looked up by the join;
the export asked for lxml's module once per element (an import lookup each time) and moved
each coordinate of the diagram below the documents' bands by a sum over every lane; the
import rewrote prefixed references after a Python walk over every element and attribute, now
after libxml2 has found the values with a colon. What remains grows linearly: at 100,000
steps the loader takes about a third of a plain export's processor time and a fifth of a
laid-out one, the layout (`bpr.layout`) about 30 % of the laid-out one (14 of 46 s in one
measurement, 11x from 10,000), the export's own writing 9.5x from 10,000. Wall time on a
shared machine: with a load of 8 to 12 on two cores, each command waits for a core about
three quarters of its wall time, at both sizes alike; the peak memory (2.1 to 2.7 GB of 24,
no swap) and the system time (under a tenth of the processor time) show no memory pressure,
and the cyclic garbage collector is paused during export and import. The wall-time ratio
holds only where the load is the same for both sizes."""


def main() -> None:
    if sys.argv[1:2] == ["--scale"]:
        print(scale([int(a) for a in sys.argv[2:]] or [10_000, 100_000]))
        return
    import pm4py  # noqa: F401 - imported once here, so that no figure below includes it

    load = os.getloadavg()[0]
    rows = [row(n) for n in SIZES]
    woflan = [woflan_row(n) for n in (20, 50)]
    body = f"""## BPMN: export, import, soundness (`benchmarks/bench_bpmn.py`)

Machine: {machine()}.
Load average when the run started: {load:.1f} on {os.cpu_count()} cores (where other work
shares the machine, processor times are steadier than wall times).

Generated models (a parallel block and a rework loop every ten steps), seconds:

| steps | export, no diagram | export, BPMNDI | file (KiB) | import | soundness (walk) |
|---|---|---|---|---|---|
{chr(10).join(rows)}

pm4py's Woflan on the same nets (its place invariants grow about with the cube of the net, which
is why `bpr check --soundness` runs it only on nets of up to 80 transitions, some 60 steps):

| steps | Woflan and walk (s) |
|---|---|
{chr(10).join(woflan)}

The commands at 10,000 and 100,000 steps (runs: the median of three up to 10,000 steps, one
run above; wall time, processor time (user and system) and peak resident memory of the
process; load: the machine's one-minute load average before and after the size's runs; the
import reads the file the plain export wrote, over the 50 MB bpr import refused before):

{scale((10_000, 100_000))}

{FINDINGS}
"""
    write_section("bench_bpmn", body)
    print(body)


if __name__ == "__main__":
    main()
