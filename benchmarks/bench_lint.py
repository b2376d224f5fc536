"""Benchmark of bpr lint: findings and draft on growing models, the shipped models, cold start.

Run by hand: ``python benchmarks/bench_lint.py``; it rewrites its section of RESULTS.md.
Every finding measures the model with its change made, so the time grows with the number of
findings times the size of the model.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import PYTHON, machine, median_time, write_section
from generate import model_text

ROOT = Path(__file__).resolve().parent.parent


def growth() -> list[tuple[int, int, float, float]]:
    import bpr
    from bpr.lint import build_draft, lint

    rows = []
    for steps in (50, 100, 200, 400):
        model = bpr.loads(model_text(steps))
        found = lint(model)
        text = model_text(steps)
        linted = median_time(lambda t=text: lint(bpr.loads(t)), repeat=3)
        drafted = median_time(lambda m=model, f=found: build_draft(m, f), repeat=3)
        rows.append((steps, len(found), linted, drafted))
    return rows


def main() -> None:
    started = time.perf_counter()
    rows = growth()
    shipped = _shipped(ROOT / "models")
    lines = [
        "## Lint: bpr lint (`benchmarks/bench_lint.py`)",
        "",
        f"Machine: {machine()}.",
        "",
        "1. Generated models (`generate.model_text`: a visit, a parallel block and a rework loop"
        " every ten steps), in process:",
        "",
        "   | steps | findings | lint (s) | draft To-Be (s) |",
        "   |---|---|---|---|",
        *(f"   | {s:,} | {n} | {a:.3f} | {b:.3f} |" for s, n, a, b in rows),
        "",
        "2. `bpr lint models/` on the shipped models, a new process each time (median of 5):"
        f" {shipped:.2f} s.",
        "",
        f"(The benchmark took {time.perf_counter() - started:.0f} s.)",
    ]
    write_section("bench_lint", "\n".join(lines))
    print("\n".join(lines))


def _shipped(folder: Path) -> float:
    """Median wall time of ``bpr lint`` on the shipped models (it exits 1: they have findings)."""

    def run() -> None:
        subprocess.run([PYTHON, "-m", "bpr", "lint", str(folder)], stdout=subprocess.DEVNULL)

    return median_time(run, repeat=5)


if __name__ == "__main__":
    main()
