"""Benchmark of bpr export, import and check --soundness on generated models of 100 to 5,000 steps.

Run by hand: ``python benchmarks/bench_bpmn.py``; it rewrites its section of RESULTS.md.
The models (benchmarks/generate.py) have four lanes in two agencies, a parallel block and a
rework loop every ten steps, and three documents.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import machine, median_time, write_section
from generate import model_text

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


def main() -> None:
    import pm4py  # noqa: F401 - imported once here, so that no figure below includes it

    rows = [row(n) for n in SIZES]
    woflan = [woflan_row(n) for n in (20, 50)]
    body = f"""## BPMN: export, import, soundness (`benchmarks/bench_bpmn.py`)

Machine: {machine()}.

Generated models (a parallel block and a rework loop every ten steps), seconds:

| steps | export, no diagram | export, BPMNDI | file (KiB) | import | soundness (walk) |
|---|---|---|---|---|---|
{chr(10).join(rows)}

pm4py's Woflan on the same nets (its place invariants grow about with the cube of the net, which
is why `bpr check --soundness` runs it only on nets of up to 80 transitions, some 60 steps):

| steps | Woflan and walk (s) |
|---|---|
{chr(10).join(woflan)}
"""
    write_section("bench_bpmn", body)
    print(body)


if __name__ == "__main__":
    main()
