"""Benchmark of bpr render: layout and SVG of generated models of 50 to 100,000 steps.

Run by hand: ``python benchmarks/bench_render.py`` (``--quick`` leaves out the 100,000-step
runs; ``--bands`` runs only the page fitting's cutting into bands, ``split_bands``); it
rewrites its sections of RESULTS.md. Two generators: ``generate.py`` (four lanes in
two agencies, a parallel block and a rework loop every ten steps) and
``generate_irregular.py`` (random nested choices, loops and parallel blocks over six lanes).
"""

from __future__ import annotations

import gc
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import machine, write_section
from generate import model_text
from generate_irregular import irregular_model_text

import bpr
from bpr.layout import engine
from bpr.layout.engine import Ranking

SIZES = (50, 200, 500, 1000)
REPEAT = 3
SCALE = (1000, 5000, 10000)
LARGEST = 100000
GENERATORS: dict[str, Callable[[int], str]] = {
    "regular (`generate.py`)": model_text,
    "irregular (`generate_irregular.py`, seed 1)": lambda steps: irregular_model_text(steps, 1),
}
NODES: dict[tuple[Callable[[int], str], int], int] = {}  # flow-net nodes of each model


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


def _model(text: Callable[[int], str], steps: int) -> bpr.Model:
    return bpr.loads(text(steps), file=f"generated-{steps}.yaml")


def layout_time(
    text: Callable[[int], str],
    steps: int,
    ranking: Ranking = "auto",
    clock: Callable[[], float] = time.perf_counter,
) -> float:
    """Seconds to lay out the generated model of ``steps`` steps (loading not included), by
    ``clock``: the wall clock, or ``time.process_time`` for this process's own CPU time (no
    Graphviz then), which other work on shared cores disturbs far less."""
    from bpr.render import diagram_net

    model = _model(text, steps)
    net = diagram_net(model)
    NODES[(text, steps)] = len(net.nodes)
    gc.collect()
    started = clock()
    engine.layout_model(model, net, ranking=ranking)
    return clock() - started


def drawing_time(text: Callable[[int], str], steps: int) -> tuple[int, float, float, float]:
    """Steps, and seconds for the layout, the DOT text and the SVG of a whole drawing."""
    from bpr.layout.engine import layout_model
    from bpr.render import convert, diagram_net
    from bpr.render._draw import process_scene

    model = _model(text, steps)
    started = time.perf_counter()
    layout = layout_model(model, diagram_net(model))
    laid = time.perf_counter()
    dot = process_scene(model, layout).to_dot()
    written = time.perf_counter()
    convert(dot, "svg")
    return len(model.steps), laid - started, written - laid, time.perf_counter() - written


def _best_times(
    text: Callable[[int], str], sizes: tuple[int, ...], ranking: Ranking
) -> dict[int, float]:
    """The least of 3 layout CPU times per size (one at 100,000 steps), the sizes taken in
    turn in each round so that other work on the machine weighs on all of them alike."""
    times: dict[int, list[float]] = {n: [] for n in sizes}
    for round_ in range(3):
        for n in sizes:
            if n <= 10000 or round_ == 0:
                times[n].append(layout_time(text, n, ranking, time.process_time))
    return {n: min(runs) for n, runs in times.items()}


def _exponent(small: int, t_small: float, large: int, t_large: float) -> float:
    return math.log(t_large / t_small) / math.log(large / small)


def scale(largest: bool) -> list[str]:
    """The layout from 1,000 to 10,000 (and 100,000) steps, its ratios and growth."""
    saved = engine.MAX_STEPS
    engine.MAX_STEPS = max(saved, LARGEST)
    sizes = (*SCALE, LARGEST) if largest else SCALE
    lines = [
        "2. Layout alone as the model grows (`layout_model`, ranking `auto`: Graphviz `dot` up "
        f"to {engine.DOT_RANKING_LIMIT:,} flow-net nodes, the flow net's own ranks past it; "
        "NODES, so every size here is ranked from the flow net). CPU seconds of the process "
        "(`time.process_time`: no other program runs, and other work on the shared cores "
        "weighs far less than on the wall clock), the least of 3 runs up to 10,000 steps "
        "(the sizes in turn), one run at 100,000:",
        "",
        "   | generator | "
        + " | ".join(f"{n:,} steps (CPU s)" for n in sizes)
        + " | 5k / 1k (target at most 6x) | exponent 1k to 10k"
        + (" | exponent 1k to 100k |" if largest else " |"),
        "   |---|" + "---|" * (len(sizes) + 2 + largest),
    ]
    for name, text in GENERATORS.items():
        times = _best_times(text, sizes, "auto")
        cells = [f"{times[n]:.2f}" for n in sizes]
        cells.append(f"**{times[5000] / times[1000]:.1f}x**")
        cells.append(f"{_exponent(1000, times[1000], 10000, times[10000]):.2f}")
        if largest:
            cells.append(f"{_exponent(1000, times[1000], LARGEST, times[LARGEST]):.2f}")
        lines.append(f"   | {name} | " + " | ".join(cells) + " |")
        print(lines[-1], flush=True)
    lines.append("")
    nodes = "; ".join(
        f"{name.split(' ')[0]} {', '.join(f'{NODES[(text, n)]:,}' for n in sizes)}"
        for name, text in GENERATORS.items()
    )
    lines[0] = lines[0].replace("NODES", f"flow-net nodes by size: {nodes}")
    started = time.perf_counter()
    with_dot = layout_time(GENERATORS["irregular (`generate_irregular.py`, seed 1)"], 5000, "dot")
    with_flow = layout_time(GENERATORS["irregular (`generate_irregular.py`, seed 1)"], 5000, "flow")
    lines += [
        "3. The irregular model of 5,000 steps laid out with each ranking, one run each: "
        f"`dot` {with_dot:.2f} s, the flow net's {with_flow:.2f} s "
        f"(**{with_dot / with_flow:.1f}x** faster).",
        "",
    ]
    print(lines[-2], f"({time.perf_counter() - started:.0f} s)", flush=True)
    steps, laid, dot, svg = drawing_time(
        GENERATORS["irregular (`generate_irregular.py`, seed 1)"], 10000
    )
    total = laid + dot + svg
    lines += [
        f"4. A whole drawing of the irregular model of 10,000 steps ({steps:,} steps): layout "
        f"{laid:.2f} s, DOT text {dot:.2f} s, SVG {svg:.2f} s: **{total:.1f} s** "
        f"(target under 60 s: {total / 60:.2f} of it).",
    ]
    print(lines[-1], flush=True)
    engine.MAX_STEPS = saved
    return lines


BANDS = (1000, 5000)


def bands_time(text: Callable[[int], str], steps: int) -> tuple[float, int]:
    """CPU seconds of ``split_bands`` cutting the compact layout of the generated model of
    ``steps`` steps to the width of an A4 landscape page (as ``bpr render --page A4`` does),
    the least of 3 runs; and the number of bands."""
    from bpr.layout.bands import split_bands
    from bpr.render import diagram_net
    from bpr.render.page import PAGE_MARGIN, page_size

    model = _model(text, steps)
    layout = engine.layout_model(model, diagram_net(model), compact=True)
    width = page_size("A4", "landscape")[0] - 2 * PAGE_MARGIN
    runs, count = [], 0
    for _ in range(3):
        gc.collect()
        started = time.process_time()
        count = len(split_bands(layout, width))
        runs.append(time.process_time() - started)
    return min(runs), count


def bands() -> str:
    """The section on page fitting: ``split_bands`` at 1,000 and 5,000 steps, in one run."""
    rows = []
    for name, text in GENERATORS.items():
        (small, small_bands), (large, large_bands) = (bands_time(text, n) for n in BANDS)
        rows.append(
            f"   | {name} | {small:.3f} ({small_bands:,} bands) | {large:.3f} "
            f"({large_bands:,} bands) | **{large / small:.1f}x** "
            f"| {_exponent(BANDS[0], small, BANDS[1], large):.2f} |"
        )
        print(rows[-1], flush=True)
    return "\n".join(
        [
            "## Page fitting: cutting a layout into bands (`benchmarks/bench_render.py --bands`)",
            "",
            f"Machine: {machine()}; load average {os.getloadavg()[0]:.1f} at the end.",
            "",
            "CPU seconds (`time.process_time`, the least of 3 runs) of `split_bands` cutting "
            "the compact layout of a generated model to the width of an A4 landscape page, as "
            "`bpr render --page A4` does (the layout itself not included). A model 5 times "
            "larger should take about 5 times as long (n log n).",
            "",
            "   | generator | 1,000 steps (CPU s) | 5,000 steps (CPU s) | 5k / 1k | exponent |",
            "   |---|---|---|---|---|",
            *rows,
            "",
            "Before the band cutter found each band's boxes, routes and link events by "
            "bisecting the cuts (instead of scanning the whole layout per band and per cut), "
            "the regular model of 1,000 steps took 2.9-3.1 CPU seconds here (0.04-0.06 s after, "
            "the same 400 bands; measured once, 2026-12-01); a whole `bpr render --page A4` "
            "tries four detail and orientation choices, each cut into bands.",
        ]
    )


def main() -> None:
    from bpr.backend.graphviz import graphviz_version

    if "--bands" in sys.argv:
        write_section("bench_render_bands", bands())
        return

    started = time.perf_counter()
    load = os.getloadavg()
    rows = []
    for steps in SIZES:
        runs = [measure(steps) for _ in range(REPEAT)]
        layout, dot, svg, png = (statistics.median(run[k] for run in runs) for k in range(4))
        width = runs[0][4]
        total = layout + dot + svg
        rows.append(
            f"   | {steps:,} | {layout:.2f} | {dot:.2f} | {svg:.2f} | **{total:.2f}** | {png:.2f} "
            f"| {width:,} |"
        )
        print(rows[-1], flush=True)
    growth = scale(largest="--quick" not in sys.argv)
    body = "\n".join(
        [
            "## Rendering: layout and SVG (`benchmarks/bench_render.py`)",
            "",
            f"Machine: {machine()}, Graphviz {graphviz_version()}.",
            "",
            f"1. Medians of {REPEAT} runs per size of a generated model (`generate.py`: four "
            "lanes in two agencies, a parallel block and a rework loop every ten steps). "
            "Layout ranks the nodes (with `dot` or from the flow net, see 2) and routes the "
            "flows; SVG and PNG are drawn by `neato -n2` from the fixed positions.",
            "",
            "   | steps | layout (s) | DOT text (s) | SVG (s) | layout + SVG (s) "
            "| PNG at 72 dpi (s) | width (pt) |",
            "   |---|---|---|---|---|---|---|",
            *rows,
            "",
            *growth,
            "",
            f"(The benchmark took {time.perf_counter() - started:.0f} s, on cores shared with "
            f"other work: load average {load[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at "
            "the end.)",
        ]
    )
    write_section("bench_render", body)
    write_section("bench_render_bands", bands())


if __name__ == "__main__":
    main()
