"""Mining and conformance of large event logs: bpr against the bare DuckDB query and pm4py.

Generates a log of about N events with the simulator's Parquet output (the nested test model,
about 10.5 events a case), then times, each in a fresh process so that its peak resident
memory is its own:

- ``floor``: the bare DuckDB directly-follows query on the Parquet file (the least any
  reduction can cost);
- ``reduce``: bpr's reduction alone (:func:`bpr.mining.reduce.reduce_file`: variants,
  directly-follows graph, percentiles of work and wait, resources, arrivals), the part that
  grows with the log;
- ``mine``: ``bpr mine`` (reduction in DuckDB and discovery; the whole command, with Python's
  start and pm4py's import, about 2 s here);
- ``conform``: ``bpr conform`` of the model on the log;
- ``pm4py``: pm4py on pandas: the log read into a frame, its directly-follows graph and the
  inductive miner's tree (what ``bpr mine`` did before the reduction).

Run::

    .venv/bin/python benchmarks/bench_mining.py --events 1000000 [--memory 2GB] [--skip pm4py]

and it prints one line per measure with the ratios to the floor and to pm4py.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "tests" / "data" / "logs" / "nested.yaml"
EVENTS_PER_CASE = 10.5

FLOOR_SQL = """
SELECT a, b, count(*) FROM (
  SELECT "concept:name" AS a,
         lead("concept:name") OVER (PARTITION BY "case:concept:name" ORDER BY "time:timestamp") AS b
  FROM read_parquet('{path}')
) WHERE b IS NOT NULL GROUP BY ALL
"""


def generate(events: int, folder: Path) -> Path:
    """A Parquet log of about ``events`` events, simulated from the nested test model."""
    import bpr
    from bpr.files.eventlog import write_log
    from bpr.simulate import simulate

    path = folder / f"nested-{events}.parquet"
    if path.exists():
        return path
    cases = max(int(events / EVENTS_PER_CASE), 1)
    result = simulate(bpr.load(MODEL), cases, seed=7, events=True)
    assert result.events is not None
    write_log(path, result.events)
    return path


def child(kind: str, path: str, memory: str | None) -> dict[str, float]:
    """One measure, run in this (fresh) process."""
    begun = time.perf_counter()
    if kind == "floor":
        import duckdb

        connection = duckdb.connect()
        if memory:
            connection.execute(f"SET memory_limit = '{memory}'")
        connection.execute(FLOOR_SQL.format(path=path)).fetchall()
    elif kind == "reduce":
        from bpr.mining.reduce import parse_memory, reduce_file

        reduce_file(path, memory=parse_memory(memory) if memory else None)
    elif kind in ("mine", "conform"):
        from bpr.cli import main

        extra = ["--memory", memory] if memory else []
        with tempfile.TemporaryDirectory() as folder:
            if kind == "mine":
                args = ["mine", path, "-o", os.path.join(folder, "draft.yaml"), *extra]
            else:
                args = ["conform", str(MODEL), path, "--json", *extra]
            stdout = sys.stdout
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - the command's own output
            try:
                code = main(args)
            finally:
                sys.stdout.close()
                sys.stdout = stdout
            if code:
                raise SystemExit(f"bpr {kind} failed with {code}")
    elif kind == "pm4py":
        import duckdb
        import pm4py

        frame = duckdb.connect().execute(f"SELECT * FROM read_parquet('{path}')").df()
        pm4py.discover_dfg(frame)
        pm4py.discover_process_tree_inductive(frame, noise_threshold=0.2)
    else:
        raise SystemExit(f"unknown measure {kind}")
    seconds = time.perf_counter() - begun
    return {"seconds": seconds, "peak_bytes": _peak()}


def _peak() -> float:
    """This process's peak resident memory in bytes.

    ``VmHWM`` belongs to the program's own address space (made new by exec), whereas
    ``ru_maxrss`` keeps the high-water mark of the parent that forked it (here the benchmark,
    which holds the simulated log while it writes it).
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return float(line.split()[1]) * 1024
    except OSError:
        pass
    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)


def measure(kind: str, path: Path, memory: str | None) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", kind, str(path)]
    if memory:
        command += ["--memory", memory]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{kind}: {done.stderr.strip()[-2000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def machine() -> str:
    load = os.getloadavg()[0]
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"{memory:.1f} GiB, Python {platform.python_version()}, load {load:.1f} at start"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--memory", default=None, help="DuckDB memory limit, such as 2GB")
    parser.add_argument("--skip", action="append", default=[], help="a measure to leave out")
    parser.add_argument("--folder", default=None, help="where the generated logs are kept")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], args.child[1], args.memory)))
        return
    folder = Path(args.folder or tempfile.gettempdir()) / "bpr-bench-mining"
    folder.mkdir(parents=True, exist_ok=True)
    begun = time.perf_counter()
    path = generate(args.events, folder)
    made = time.perf_counter() - begun
    import duckdb

    events = duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()
    print(f"machine: {machine()}")
    print(f"log: {path} ({events[0] if events else 0:,} events, made in {made:.1f} s)")
    results = {}
    for kind in ("floor", "reduce", "mine", "conform", "pm4py"):
        if kind in args.skip:
            continue
        results[kind] = measure(kind, path, args.memory)
        figures = results[kind]
        line = (
            f"{kind:8} {figures['seconds']:8.2f} s  peak {figures['peak_bytes'] / 2**30:5.2f} GiB"
        )
        if kind != "floor" and "floor" in results:
            line += f"  {figures['seconds'] / results['floor']['seconds']:.1f}x the floor"
        print(line, flush=True)
    if "pm4py" in results and "mine" in results:
        ratio = results["pm4py"]["seconds"] / results["mine"]["seconds"]
        print(f"bpr mine is {ratio:.1f}x faster than pm4py on pandas")


if __name__ == "__main__":
    main()
