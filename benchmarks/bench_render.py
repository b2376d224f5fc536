"""Benchmark of bpr render: layout and SVG of generated models of 50 to 1,000 steps.

Run by hand: ``python benchmarks/bench_render.py``; it rewrites its section of RESULTS.md.
The models (benchmarks/generate.py) have four lanes in two agencies, a parallel block and a
rework loop every ten steps.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import machine, write_section
from generate import model_text

SIZES = (50, 200, 500, 1000)
REPEAT = 3


def measure(steps: int) -> tuple[float, float, float, float, int]:
    """Seconds for layout, DOT text, SVG and PNG; and the picture's width in points."""
    import bpr
    from bpr.layout.engine import layout_model
    from bpr.render import convert
    from bpr.render._draw import process_scene

    model = bpr.loads(model_text(steps), file=f"generated-{steps}.yaml")
    started = time.perf_counter()
    layout = layout_model(model)
    laid = time.perf_counter()
    dot = process_scene(model, layout).to_dot()
    written = time.perf_counter()
    convert(dot, "svg")
    drawn = time.perf_counter()
    convert(dot, "png", dpi=72)
    png = time.perf_counter()
    return laid - started, written - laid, drawn - written, png - drawn, round(layout.width)


def main() -> None:
    from bpr.backend.graphviz import graphviz_version

    rows = []
    for steps in SIZES:
        runs = [measure(steps) for _ in range(REPEAT)]
        layout, dot, svg, png = (statistics.median(run[k] for run in runs) for k in range(4))
        width = runs[0][4]
        total = layout + dot + svg
        rows.append(
            f"| {steps:,} | {layout:.2f} | {dot:.2f} | {svg:.2f} | **{total:.2f}** | {png:.2f} "
            f"| {width:,} |"
        )
        print(rows[-1], flush=True)
    body = "\n".join(
        [
            "## Rendering: layout and SVG (`benchmarks/bench_render.py`)",
            "",
            f"Machine: {machine()}, Graphviz {graphviz_version()}.",
            "",
            f"Medians of {REPEAT} runs per size of a generated model (four lanes in two "
            "agencies, a parallel block and a rework loop every ten steps). Layout runs "
            "`dot` for the ranks and routes the flows; SVG and PNG are drawn by `neato -n2` "
            "from the fixed positions.",
            "",
            "| steps | layout (s) | DOT text (s) | SVG (s) | layout + SVG (s) | PNG at 72 dpi (s) "
            "| width (pt) |",
            "|---|---|---|---|---|---|---|",
            *rows,
        ]
    )
    write_section("bench_render", body)


if __name__ == "__main__":
    main()
