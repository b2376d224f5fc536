"""Benchmark of the core: bpr metrics against a bare YAML parse, growth with size, cold start.

Run by hand: ``python benchmarks/bench_core.py``; it rewrites its section of RESULTS.md.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import PYTHON, command_time, machine, median_time, write_section
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


if __name__ == "__main__":
    main()
