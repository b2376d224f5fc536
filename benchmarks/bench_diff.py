"""Benchmark of bpr diff: comparison of growing models, a fully reordered To-Be, cold start,
and the command at 10,000 and 100,000 steps (time and peak memory, one run each).

Run by hand: ``python benchmarks/bench_diff.py``; it rewrites its section of RESULTS.md.
``python benchmarks/bench_diff.py --scale 10000 100000`` runs only the last part, with the
sizes given (the 100,000-step pair takes about a minute).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
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


def run_measured(
    args: Sequence[str], timeout: float | None = None
) -> tuple[float, float, float] | None:
    """Wall seconds, processor seconds (user and system) and peak resident memory (MB) of one
    run of a command, which must succeed; None where it runs longer than ``timeout`` seconds
    (it is then stopped).

    GNU time starts the command and reports its figures: the peak memory of a child forked
    from this process would include this process's own (Linux counts it until the exec).
    """
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "time.txt"
        command = ["/usr/bin/time", "-f", "%U %S %M", "-o", str(report), *args]
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, start_new_session=True)
        try:
            status = child.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)  # the group this call started, and only it
            child.wait()
            return None
        seconds = time.perf_counter() - started
        if status != 0:
            raise SystemExit(f"{' '.join(args)} failed with status {status}")
        user, system, kib = report.read_text().split()[-3:]
    return seconds, float(user) + float(system), int(kib) / 1024


def scale(tmp: Path, sizes: Sequence[int]) -> list[tuple[int, float, float, float]]:
    """``bpr diff --json`` of the generated As-Is against its To-Be, one run per size."""
    rows = []
    for steps in sizes:
        as_is, to_be = tmp / f"as-is-{steps}.yaml", tmp / f"to-be-{steps}.yaml"
        as_is.write_text(model_text(steps), encoding="utf-8")
        to_be.write_text(redesigned(steps), encoding="utf-8")
        measured = run_measured([*BPR, "diff", str(as_is), str(to_be), "--json"])
        assert measured is not None
        rows.append((steps, *measured))
    return rows


def scale_lines(rows: list[tuple[int, float, float, float]]) -> list[str]:
    lines = [
        "   | steps | `bpr diff --json`: wall (s) | processor (s) | peak memory (MB) |",
        "   |---|---|---|---|",
    ]
    lines += [
        f"   | {steps:,} | {wall:.1f} | {cpu:.1f} | {peak:,.0f} |"
        for steps, wall, cpu, peak in rows
    ]
    if len(rows) >= 2:
        (n0, w0, c0, m0), (n1, w1, c1, m1) = rows[0], rows[-1]
        lines += [
            "",
            f"   From {n0:,} to {n1:,} steps ({n1 / n0:.0f}x): processor time {c1 / c0:.1f}x, "
            f"wall time {w1 / w0:.1f}x (target: at most 10x); memory {m1 / m0:.1f}x, "
            f"{m1:,.0f} MB at {n1:,} (target: at most 1 GB).",
        ]
    return lines


def main() -> None:
    if sys.argv[1:2] == ["--scale"]:
        sizes = [int(a) for a in sys.argv[2:]] or [10_000, 100_000]
        with tempfile.TemporaryDirectory() as folder:
            print("\n".join(scale_lines(scale(Path(folder), sizes))))
        return
    started = time.perf_counter()
    load = os.getloadavg()[0]
    rows = growth()
    reorder_seconds, sentence_length = reordered()
    with tempfile.TemporaryDirectory() as folder:
        metrics, diff = cold_start(Path(folder))
        big = scale(Path(folder), (10_000, 100_000))
    lines = [
        "## Comparison: bpr diff (`benchmarks/bench_diff.py`)",
        "",
        f"Machine: {machine()}.",
        f"Load average when the run started: {load:.1f} on {os.cpu_count()} cores (where other",
        "work shares the machine, processor times are steadier than wall times).",
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
        "4. The command on the generated pair at 10,000 and 100,000 steps, one run each",
        "   (loading, comparing and the JSON; peak resident memory of the process). The step",
        "   order holds a few numbers per step (it held a bit set of every pair: 4-5.9 GB at",
        "   100,000 steps). Processor time is the steadier figure on a shared machine:",
        "",
        *scale_lines(big),
        "",
        f"(The benchmark took {time.perf_counter() - started:.0f} s.)",
    ]
    write_section("bench_diff", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
