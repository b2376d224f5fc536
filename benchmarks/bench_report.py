"""Benchmark of ``bpr report``: portfolios drawn on every core, the cache, and the floor.

Run by hand: ``python benchmarks/bench_report.py [--services N]`` (default 300; the sizes
table also runs 30). Two portfolios: copies of the shipped models (six real services, 8 to
13 steps each, under new service ids, so the diagrams and the tables are those of real work)
and services of ``generate_irregular.py`` (random nested choices, loops and parallel blocks,
about 30 steps a variant, a structure nobody tuned the drawing to).

For each portfolio, in one run and as a user runs the command (an empty cache of its own):

- the first report (every diagram drawn), then the report again after editing one model
  file (its diagrams drawn again, the others read from the cache): their ratio, at most 1/5;
- the floor: every Graphviz run of that first report (the ``dot`` ranking runs of the layout
  and the ``neato`` drawing runs), captured as DOT files and run again by the programs alone,
  spread over the cores; the first report's time over the floor, at most 1.5.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import PYTHON, machine, write_section
from generate_irregular import irregular_model_text

ROOT = Path(__file__).resolve().parent.parent
SERVICE = re.compile(r"^service: (\S+)", re.M)


def portfolio(folder: Path, services: int) -> Path:
    """``services`` services of two variants each, copied from models/ under new ids."""
    sources = sorted(p for p in (ROOT / "models").iterdir() if p.is_dir())
    target = folder / f"portfolio-{services}"
    for n in range(services):
        source = sources[n % len(sources)]
        copy = target / f"{source.name}-{n:03d}"
        copy.mkdir(parents=True)
        for model in source.glob("*.yaml"):
            text = SERVICE.sub(lambda m, n=n: f"service: {m.group(1)}-{n:03d}", model.read_text())
            (copy / model.name).write_text(text, encoding="utf-8")
    return target


def irregular_portfolio(folder: Path, services: int, steps: int = 30) -> Path:
    """``services`` services whose As-Is and To-Be are irregular models of different seeds."""
    target = folder / f"irregular-{services}"
    for n in range(services):
        service = target / f"irregular-{n:03d}"
        service.mkdir(parents=True)
        for k, variant in enumerate(("as-is", "to-be")):
            text = irregular_model_text(steps, seed=2 * n + k + 1, service=f"irregular-{n:03d}")
            text = text.replace("variant: as-is", f"variant: {variant}", 1)
            (service / f"{variant}.yaml").write_text(text, encoding="utf-8")
    return target


def _children_cpu() -> float:
    """Processor seconds of this process's finished children (and theirs, waited for)."""
    times = os.times()
    return times.children_user + times.children_system


def _timed(args: list[str], env: dict[str, str]) -> float:
    return _timed_cpu(args, env)[0]


def _timed_cpu(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds of a command, and the processor seconds of it and all its children."""
    cpu, started = _children_cpu(), time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - started, _children_cpu() - cpu


# Run inside a child Python: every Graphviz run of a report without the cache, as DOT files.
_CAPTURE = """
import itertools, json, os, sys
from pathlib import Path
import bpr.backend.graphviz as graphviz
from bpr.report import write_report
folder = Path(sys.argv[3])
real = graphviz.run_graphviz
counter = itertools.count()
def captured(program, args, source, **kwargs):
    name = f"{os.getpid()}-{next(counter)}"
    (folder / f"{name}.dot").write_text(source, encoding="utf-8")
    (folder / f"{name}.json").write_text(json.dumps([program, list(args)]), encoding="utf-8")
    return real(program, args, source, **kwargs)
import bpr.layout.engine, bpr.render._output
bpr.layout.engine.run_graphviz = captured
bpr.render._output.run_graphviz = captured
write_report([sys.argv[1]], sys.argv[2], cache=False)
"""


def floor(folder: Path, cores: int) -> tuple[float, float, int]:
    """The wall time of every captured Graphviz run, by the programs alone, on ``cores``,
    their processor time and their number."""
    jobs = []
    for spec in sorted(folder.glob("*.json")):
        program, args = json.loads(spec.read_text(encoding="utf-8"))
        jobs.append(([shutil.which(program) or program, "-q", *args], spec.with_suffix(".dot")))

    def run(job: tuple[list[str], Path]) -> None:
        command, dot = job
        with dot.open("rb") as source:
            subprocess.run(command, stdin=source, stdout=subprocess.DEVNULL, check=True)

    cpu, started = _children_cpu(), time.perf_counter()
    with ThreadPoolExecutor(max_workers=cores) as pool:
        list(pool.map(run, jobs))
    return time.perf_counter() - started, _children_cpu() - cpu, len(jobs)


def incremental(name: str, models: Path, scratch: Path) -> dict[str, float]:
    """The first report, the report after one edit, and the floor of the first."""
    env = {**os.environ, "XDG_CACHE_HOME": str(scratch / f"cache-{name}")}
    env.pop("BPR_NO_CACHE", None)
    out = scratch / f"{name}.html"
    command = [PYTHON, "-m", "bpr", "report", str(models), "-o", str(out), "--no-progress"]
    first, first_cpu = _timed_cpu(command, env)
    edited = sorted(models.rglob("to-be.yaml"))[0]
    text = edited.read_text(encoding="utf-8")
    changed = (
        text.replace("\nname: ", "\nname: Edited ", 1)
        if "\nname: " in text
        else text.replace("\nsteps:", "\nname: Edited\nsteps:", 1)
    )
    edited.write_text(changed, encoding="utf-8")
    second = _timed(command, env)
    edited.write_text(text, encoding="utf-8")
    dots = scratch / f"dot-{name}"
    dots.mkdir()
    capture = [
        PYTHON,
        "-c",
        _CAPTURE,
        str(models),
        str(scratch / f"{name}-capture.html"),
        str(dots),
    ]
    subprocess.run(capture, check=True, env={**env, "BPR_NO_CACHE": "1"})
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    bare, bare_cpu, runs = floor(dots, cores or 1)
    return {
        "first": first,
        "first_cpu": first_cpu,
        "second": second,
        "floor": bare,
        "floor_cpu": bare_cpu,
        "runs": runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=300)
    parser.add_argument(
        "--portfolio",
        choices=("shipped", "irregular"),
        action="append",
        help="only this portfolio (again for both; default both)",
    )
    options = parser.parse_args()
    started, load = time.perf_counter(), os.getloadavg()[0]
    rows, ratios = [], []
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        makers = {"shipped": portfolio, "irregular": irregular_portfolio}
        for name in options.portfolio or list(makers):
            r = incremental(name, makers[name](base, options.services), base)
            ratios.append(
                f"| {name} | {options.services} | {r['first']:.1f} | {r['second']:.1f} | "
                f"{r['second'] / r['first']:.2f} | {r['floor']:.1f} ({r['runs']:.0f} runs) | "
                f"{r['first'] / r['floor']:.2f} | {r['first_cpu']:.1f} / {r['floor_cpu']:.1f} "
                f"= {r['first_cpu'] / r['floor_cpu']:.2f} |"
            )
            print(ratios[-1], flush=True)
        small = portfolio(base / "small", 30)
        env = {**os.environ, "BPR_NO_CACHE": "1"}
        for suffix in ("html", "md", "xlsx"):
            out = base / f"report-30.{suffix}"
            args = [PYTHON, "-m", "bpr", "report", str(small), "-o", str(out), "--no-progress"]
            seconds = min(_timed(args, env) for _ in range(2))
            rows.append(f"| 30 | {suffix} | {seconds:.1f} |")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    body = "\n".join(
        [
            "## Reports: bpr report (`benchmarks/bench_report.py`)",
            "",
            f"Machine: {machine()}. Load average {load:.1f} at the start, "
            f"{os.getloadavg()[0]:.1f} at the end, on {cores} cores (other work shared the "
            "machine; the ratios are of one run).",
            "",
            "Each portfolio in one run, as a user runs `bpr report -o portfolio.html` with an "
            "empty cache of its own: the first report draws every diagram on every core (one "
            "worker process per core, each with its Graphviz children); the second follows "
            "an edit of one model file (one To-Be's name), so it draws that service's "
            "To-Be and comparison again and reads the rest from the cache (target: at most "
            "0.2 of the first). The floor is every Graphviz run of the first report (dot's "
            "ranking runs in the layout and neato's drawing runs), captured as DOT files and "
            "run again by the programs alone spread over the cores (target: the first report "
            "within 1.5 times of it). The last column compares processor seconds, steadier "
            "than wall time on shared cores: the first report's (its process, its workers "
            "and their Graphviz runs) over the floor's (the Graphviz runs alone).",
            "",
            "| portfolio | services | first s | after one edit s | ratio | floor s | "
            "first / floor | processor s: first / floor |",
            "|---|---|---|---|---|---|---|---|",
            *ratios,
            "",
            "Without the cache (`BPR_NO_CACHE=1`), 30 copied services, best of two:",
            "",
            "| services | format | seconds |",
            "|---|---|---|",
            *rows,
            "",
            f"(The benchmark took {time.perf_counter() - started:.0f} s.)",
        ]
    )
    write_section("bench_report", body)
    print(body)


if __name__ == "__main__":
    main()
