"""Benchmark of bpr lint: its time against bpr metrics on the same growing models, its growth
exponent, the draft To-Be, and the shipped models from the command line.

Run by hand: ``python benchmarks/bench_lint.py [STEPS ...]`` (default 1,000, 2,000, 4,000 and
8,000 steps); it rewrites its section of RESULTS.md. Each size is measured in one run, on two
generators: ``generate.model_text`` (a visit, a parallel block and a rework loop every ten
steps) and ``generate_irregular.irregular_model_text`` (random nested choices, loops and
parallel blocks). "metrics" is what ``bpr metrics`` does (load the file, measure it), "lint"
what ``bpr lint`` does (load the file, lint it), both in this process, so that the ratio
compares the work and not the interpreter's start.
"""

from __future__ import annotations

import math
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import PYTHON, command_time, machine, median_time, write_section
from generate import model_text
from generate_irregular import irregular_model_text

ROOT = Path(__file__).resolve().parent.parent
SIZES = (1_000, 2_000, 4_000, 8_000)

Row = tuple[int, int, float, float]  # steps, findings, metrics (s), lint (s)


def growth(make: Callable[[int], str], sizes: tuple[int, ...]) -> list[Row]:
    import bpr
    from bpr.analysis.measures import measure
    from bpr.lint import lint

    rows = []
    for steps in sizes:
        text = make(steps)
        model = bpr.loads(text)
        measure(model)  # the first measure imports the sparse solver: not part of the ratio
        repeat = 3 if steps <= 1_000 else 1
        found: list[int] = []
        measured = median_time(lambda t=text: measure(bpr.loads(t)), repeat=repeat)
        linted = median_time(
            lambda t=text, f=found: f.append(len(lint(bpr.loads(t)))), repeat=repeat
        )
        rows.append((len(model.steps), found[-1], measured, linted))
    return rows


def draft_time(text: str) -> float:
    """Seconds to write the draft To-Be of a model from its findings."""
    import bpr
    from bpr.lint import build_draft, lint

    model = bpr.loads(text)
    found = lint(model)
    return median_time(lambda: build_draft(model, found), repeat=1)


def exponent(rows: list[Row], column: int) -> float:
    """The slope of log(time) against log(steps), least squares: 1 is linear growth."""
    xs = [math.log(row[0]) for row in rows]
    ys = [math.log(row[column]) for row in rows]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


def _table(title: str, rows: list[Row]) -> list[str]:
    return [
        f"   {title}:",
        "",
        "   | steps | findings | metrics (s) | lint (s) | lint / metrics |",
        "   |---|---|---|---|---|",
        *(f"   | {s:,} | {n} | {m:.2f} | {a:.2f} | {a / m:.1f}x |" for s, n, m, a in rows),
        "",
        f"   Growth exponent from {rows[0][0]:,} to {rows[-1][0]:,} steps: lint"
        f" {exponent(rows, 3):.2f}, metrics {exponent(rows, 2):.2f}.",
        "",
    ]


def main() -> None:
    sizes = tuple(int(a) for a in sys.argv[1:]) or SIZES
    started = time.perf_counter()
    regular = growth(model_text, sizes)
    irregular = growth(lambda n: irregular_model_text(n, seed=1), sizes)
    shipped = _shipped(ROOT / "models")
    drafted = draft_time(model_text(1_000))
    commands = _commands(4_000)
    lines = [
        "## Lint: bpr lint (`benchmarks/bench_lint.py`)",
        "",
        f"Machine: {machine()}.",
        "",
        "Lint measures the model once and each suggestion's gain from the steps it touches"
        " (`bpr.lint.incremental`); goal: at most 10x `bpr metrics` at 4,000 steps, growing"
        " about linearly (before: 158-348x, 68-86 s at 2,000 steps).",
        "",
        "1. Load and lint against load and measure, the same file, in one run per size"
        " (median of 3 at 1,000 steps, one run above; the interpreter's start left out of"
        " both):",
        "",
        *_table("`generate.model_text`", regular),
        *_table("`generate_irregular.irregular_model_text` (seed 1)", irregular),
        "2. `bpr lint models/` on the shipped models, a new process each time (median of 3):"
        f" {shipped:.2f} s.",
        "",
        "3. The draft To-Be (`bpr lint --fix-draft`) of the 1,000-step generated model:"
        f" {drafted:.2f} s (most of it the writer's round trip of the file, which keeps its"
        " comments).",
        "",
        "4. The commands themselves on 4,000-step files, a new process each (one run):",
        "",
        *(
            f"   - {name}: `bpr metrics` {m:.2f} s, `bpr lint` {a:.2f} s: {a / m:.1f}x."
            for name, m, a in commands
        ),
        "",
        f"(The benchmark took {time.perf_counter() - started:.0f} s.)",
    ]
    write_section("bench_lint", "\n".join(lines))
    print("\n".join(lines))


def _commands(steps: int) -> list[tuple[str, float, float]]:
    """``bpr metrics`` and ``bpr lint`` on a file of each generator, a new process each."""
    import tempfile

    found = []
    with tempfile.TemporaryDirectory() as folder:
        for name, text in (
            ("`generate.model_text`", model_text(steps)),
            ("`generate_irregular` (seed 1)", irregular_model_text(steps, seed=1)),
        ):
            path = Path(folder) / "model.yaml"
            path.write_text(text, encoding="utf-8")
            measured = command_time([PYTHON, "-m", "bpr", "metrics", str(path)], repeat=1)
            started = time.perf_counter()
            subprocess.run([PYTHON, "-m", "bpr", "lint", str(path)], stdout=subprocess.DEVNULL)
            found.append((name, measured, time.perf_counter() - started))  # lint exits 1
    return found


def _shipped(folder: Path) -> float:
    """Median wall time of ``bpr lint`` on the shipped models (it exits 1: they have findings)."""

    def run() -> None:
        subprocess.run([PYTHON, "-m", "bpr", "lint", str(folder)], stdout=subprocess.DEVNULL)

    return median_time(run, repeat=3)


if __name__ == "__main__":
    main()
