"""Benchmark of bpr diff: comparison of growing models, a fully reordered To-Be, cold start.

Run by hand: ``python benchmarks/bench_diff.py``; it rewrites its section of RESULTS.md.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import PYTHON, command_time, machine, median_time, write_section
from generate import model_text

BPR = [PYTHON, "-m", "bpr"]


def redesigned(steps: int) -> str:
    """The generated model as a To-Be: visits go online, the certificate is exchanged."""
    text = model_text(steps, variant="to-be")
    text = text.replace("channel: in-person", "channel: online")
    return text.replace(
        "cert: {name: Certificate, issuer: registry}",
        "cert: {name: Certificate, issuer: registry, exchange: true}",
    )


def reversed_text(steps: int, variant: str) -> str:
    """A straight line of steps, in order or reversed: every pair of steps changes order."""
    order = range(steps) if variant == "as-is" else range(steps - 1, -1, -1)
    lines = ["bpr: 1", "service: line", f"variant: {variant}", "actors: {a: {name: A}}", "steps:"]
    lines += [f"  - {{id: s{i}, actor: a, work: 1h}}" for i in order]
    return "\n".join(lines) + "\n"


def growth() -> list[tuple[int, float, float, float]]:
    import bpr
    from bpr.comparison import compare, to_html, to_text

    rows = []
    for steps in (100, 1_000, 10_000):
        as_is = bpr.loads(model_text(steps))
        to_be = bpr.loads(redesigned(steps))
        compared = median_time(lambda a=as_is, b=to_be: compare(a, b), repeat=3)
        comparison = compare(as_is, to_be)
        text = median_time(lambda c=comparison: to_text(c), repeat=3)
        page = median_time(lambda c=comparison: to_html(c), repeat=3)
        rows.append((steps, compared, text, page))
    return rows


def reordered() -> tuple[float, int]:
    import bpr
    from bpr.comparison.diff import compare

    as_is = bpr.loads(reversed_text(500, "as-is"))
    to_be = bpr.loads(reversed_text(500, "to-be"))
    seconds = median_time(lambda: compare(as_is, to_be), repeat=3)
    sentence = next(r.sentence for r in compare(as_is, to_be).redesigns if r.kind == "resequencing")
    return seconds, len(sentence)


def cold_start(tmp: Path) -> tuple[float, float]:
    as_is, to_be = tmp / "as-is.yaml", tmp / "to-be.yaml"
    as_is.write_text(model_text(10), encoding="utf-8")
    to_be.write_text(redesigned(10), encoding="utf-8")
    metrics = command_time([*BPR, "metrics", str(as_is)], repeat=15)
    diff = command_time([*BPR, "diff", str(as_is), str(to_be)], repeat=15)
    return metrics, diff


def main() -> None:
    started = time.perf_counter()
    rows = growth()
    reorder_seconds, sentence_length = reordered()
    with tempfile.TemporaryDirectory() as folder:
        metrics, diff = cold_start(Path(folder))
    lines = [
        "## Comparison: bpr diff (`benchmarks/bench_diff.py`)",
        "",
        f"Machine: {machine()}.",
        "",
        "1. As-Is against To-Be of growing size (the generated models of `bench_core`; the To-Be",
        "   moves visits online and exchanges the certificate). Loading is not included:",
        "",
        "   | steps | compare (s) | text report (s) | HTML fragment (s) |",
        "   |---|---|---|---|",
    ]
    lines += [f"   | {steps:,} | {c:.3f} | {t:.3f} | {h:.3f} |" for steps, c, t, h in rows]
    lines += [
        "",
        "2. A To-Be that reverses a line of 500 steps (124,750 pairs change order):",
        f"   compare takes {reorder_seconds:.2f} s; the resequencing sentence has "
        f"{sentence_length:,} characters (it names a bounded number of steps).",
        "",
        "3. Cold start, median of 15 runs on a 10-step pair:",
        "",
        "   | command | seconds |",
        "   |---|---|",
        f"   | `bpr metrics` on one file | {metrics:.3f} |",
        f"   | `bpr diff` on the pair | {diff:.3f} |",
        "",
        f"(The benchmark took {time.perf_counter() - started:.0f} s.)",
    ]
    write_section("bench_diff", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
