"""Mining and conformance of large event logs: bpr against the bare DuckDB query and pm4py.

Generates a log of about N events with the simulator's Parquet output (the nested test model,
about 10.5 events a case), then times, each in a fresh process so that its peak resident
memory is its own:

- ``floor``: the bare DuckDB directly-follows query on the Parquet file (the least any
  reduction can cost);
- ``reduce``: bpr's reduction alone (:func:`bpr.mining.reduce.reduce_file`: variants,
  directly-follows graph, percentiles of work and wait, resources, arrivals), the part that
  grows with the log;
- ``mine``: ``bpr mine`` (reduction in DuckDB and discovery by bpr's own inductive miner;
  the whole command, with Python's start and bpr's import, about 0.4 s of it here);
- ``conform``: ``bpr conform`` of the model on the log (bpr's own token-based replay);
- ``pm4py``: pm4py on pandas: the log read into a frame, its directly-follows graph and the
  inductive miner's tree (what ``bpr mine`` did before the reduction).

- ``mine-csv``, ``mine-xes`` (with ``--formats``): ``bpr mine --engine duckdb`` of the same
  cases written as CSV and as gzipped XES (a start and a complete event per run), for what
  the format costs;

- ``profile``: the reduction again, in process, with the processor time of each of its
  DuckDB statements (which part costs what).

Each measure gives its wall time, its processor time (all its threads; steadier than wall
time on a shared machine) and its peak. Run::

    .venv/bin/python benchmarks/bench_mining.py --events 1000000 [--memory 2GB] [--skip pm4py]

and it prints one line per measure with the ratios to the floor and to pm4py, adds the
figures of that size to ``results.json`` in the folder of the logs (``--folder``), and
rewrites its section of RESULTS.md from every size recorded there (``--no-write`` leaves
RESULTS.md alone).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _results import machine as _machine
from _results import write_section

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "tests" / "data" / "logs" / "nested.yaml"
EVENTS_PER_CASE = 10.5
YEARS = 200

FLOOR_SQL = """
SELECT a, b, count(*) FROM (
  SELECT "concept:name" AS a,
         lead("concept:name") OVER (PARTITION BY "case:concept:name" ORDER BY "time:timestamp") AS b
  FROM read_parquet('{path}')
) WHERE b IS NOT NULL GROUP BY ALL
"""


def generate(events: int, folder: Path, suffix: str = ".parquet") -> Path:
    """A log of about ``events`` events, simulated from the nested test model: Parquet, or
    the same cases as CSV or gzipped XES (``suffix``)."""
    import bpr
    from bpr.files.eventlog import write_log
    from bpr.simulate import simulate

    path = folder / f"nested-{events}{suffix}"
    if path.exists():
        return path
    cases = max(int(events / EVENTS_PER_CASE), 1)
    model = bpr.load(MODEL)
    # at the model's 5,000 cases a year, 50M events would run past 2262, the last date pandas
    # reads: more cases a year then, so the log spans at most two centuries (1M and 10M
    # events keep the model's volume)
    volume = max(model.volume or 0, cases / YEARS)
    result = simulate(dataclasses.replace(model, volume=volume), cases, seed=7, events=True)
    assert result.events is not None
    write_log(path, result.events)
    return path


def child(kind: str, path: str, memory: str | None) -> dict[str, Any]:
    """One measure, run in this (fresh) process."""
    begun, processor = time.perf_counter(), time.process_time()
    if kind == "profile":
        return {"statements": _profile(path, memory), "peak_bytes": _peak()}
    if kind == "floor":
        import duckdb

        connection = duckdb.connect()
        if memory:
            connection.execute(f"SET memory_limit = '{memory}'")
        connection.execute(FLOOR_SQL.format(path=path)).fetchall()
    elif kind == "reduce":
        from bpr.mining.reduce import parse_memory, reduce_file

        reduce_file(path, memory=parse_memory(memory) if memory else None)
    elif kind in ("mine", "conform", "mine-csv", "mine-xes"):
        from bpr.cli import main

        extra = ["--memory", memory] if memory else []
        if kind != "mine" and kind != "conform":
            extra += ["--engine", "duckdb"]  # as for a large file (auto reads small ones in memory)
        with tempfile.TemporaryDirectory() as folder:
            if kind != "conform":
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
    seconds, cpu = time.perf_counter() - begun, time.process_time() - processor
    return {"seconds": seconds, "cpu_seconds": cpu, "peak_bytes": _peak()}


#: The reduction's statements, by the table or figure they make (the first match names it).
STAGES = (
    ("CREATE TEMP TABLE acts", "activity codes"),
    ("CREATE TEMP TABLE g", "one window pass: waits, ranks, packed variants (table g)"),
    ("CREATE TEMP TABLE a", "resources, groups and activity codes, counted before the pass"),
    ("count(DISTINCT", "distinct case ids (the check of the hashed sort)"),
    ("FROM cases", "cases: days, first times, arrivals"),
    ("per_case AND w = 0 AND n <", "variants"),
    ("list(word", "variants"),
    ("sum(n) OVER", "percentiles of waits and work"),
    ("NOT per_case GROUP BY code", "events per activity"),
)


def _profile(path: str, memory: str | None) -> list[tuple[str, float, float]]:
    """(stage, processor seconds, wall seconds) of the reduction's DuckDB statements."""
    from bpr.mining import reduce as reduction

    spent: dict[str, list[float]] = {}

    class Timed:
        def __init__(self, connection: Any) -> None:
            self.connection = connection

        def execute(self, sql: str, *args: Any) -> Any:
            wall, processor = time.perf_counter(), time.process_time()
            result = self.connection.execute(sql, *args)
            rows = result.fetchall() if sql.lstrip().upper().startswith("SELECT") else None
            stage = next((name for key, name in STAGES if key in sql), "reading and checks")
            figures = spent.setdefault(stage, [0.0, 0.0])
            figures[0] += time.process_time() - processor
            figures[1] += time.perf_counter() - wall
            return _Fetched(rows) if rows is not None else result

        def __getattr__(self, name: str) -> Any:
            return getattr(self.connection, name)

    opened = reduction._Database.__init__

    def timed(database: Any, limit: int | None) -> None:
        opened(database, limit)
        database.connection = Timed(database.connection)

    reduction._Database.__init__ = timed  # type: ignore[method-assign,assignment]
    reduction.reduce_file(path, memory=reduction.parse_memory(memory) if memory else None)
    return [(stage, cpu, wall) for stage, (cpu, wall) in spent.items()]


class _Fetched:
    def __init__(self, rows: list[Any]) -> None:
        self.rows = rows

    def fetchall(self) -> list[Any]:
        return self.rows


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


def measure(kind: str, path: Path, memory: str | None) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", kind, str(path)]
    if memory:
        command += ["--memory", memory]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{kind}: {done.stderr.strip()[-2000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--memory", default=None, help="DuckDB memory limit, such as 2GB")
    parser.add_argument("--skip", action="append", default=[], help="a measure to leave out")
    parser.add_argument("--folder", default=None, help="where the generated logs are kept")
    parser.add_argument("--no-write", action="store_true", help="leave RESULTS.md alone")
    parser.add_argument(
        "--formats", action="store_true", help="also bpr mine of the log as CSV and as XES"
    )
    parser.add_argument(
        "--rewrite", action="store_true", help="only rewrite the section from results.json"
    )
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], args.child[1], args.memory)))
        return
    folder = Path(args.folder or tempfile.gettempdir()) / "bpr-bench-mining"
    folder.mkdir(parents=True, exist_ok=True)
    if args.rewrite:
        write_section("bench_mining", section(json.loads((folder / "results.json").read_text())))
        return
    begun = time.perf_counter()
    path = generate(args.events, folder)
    made = time.perf_counter() - begun
    import duckdb

    counted = duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()
    events = int(counted[0]) if counted else 0
    loads = [os.getloadavg()[0]]
    print(f"machine: {machine()}")
    print(f"log: {path} ({events:,} events)")
    results: dict[str, Any] = {}
    for kind in ("floor", "reduce", "mine", "conform", "pm4py", "profile"):
        if kind in args.skip:
            continue
        results[kind] = figures = measure(kind, path, args.memory)
        loads.append(os.getloadavg()[0])
        if kind == "profile":
            for stage, cpu, wall in figures["statements"]:
                print(f"  {cpu:7.2f} s cpu {wall:7.2f} s  {stage}")
            continue
        line = (
            f"{kind:8} {figures['seconds']:8.2f} s {figures['cpu_seconds']:8.2f} s cpu  "
            f"peak {figures['peak_bytes'] / 2**30:5.2f} GiB"
        )
        if kind != "floor" and "floor" in results:
            line += f"  {_ratio(figures, results['floor'])} the floor"
        print(line, flush=True)
    if args.formats:
        for suffix, kind in ((".csv", "mine-csv"), (".xes.gz", "mine-xes")):
            written = generate(args.events, folder, suffix)
            results[kind] = figures = measure(kind, written, args.memory)
            loads.append(os.getloadavg()[0])
            line = (
                f"{kind:8} {figures['seconds']:8.2f} s {figures['cpu_seconds']:8.2f} s cpu  "
                f"peak {figures['peak_bytes'] / 2**30:5.2f} GiB"
            )
            if "mine" in results:
                line += f"  {_ratio(figures, results['mine'])} bpr mine of the Parquet file"
            print(line, flush=True)
    if "pm4py" in results and "mine" in results:
        print(f"pm4py on pandas / bpr mine: {_ratio(results['pm4py'], results['mine'])}")
    record = folder / "results.json"
    recorded = json.loads(record.read_text()) if record.exists() else {}
    recorded[str(events)] = {
        "measures": results,
        "memory": args.memory,
        "loads": [min(loads), max(loads)],
        "made_seconds": made,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    record.write_text(json.dumps(recorded, indent=1))
    if not args.no_write:
        write_section("bench_mining", section(recorded))


def _ratio(one: dict[str, Any], other: dict[str, Any]) -> str:
    """``2.1x (cpu 1.8x)``: wall time and processor time of one measure over another."""
    wall = one["seconds"] / other["seconds"]
    return f"{wall:.1f}x, cpu {one['cpu_seconds'] / other['cpu_seconds']:.1f}x"


NAMES = {
    "floor": "floor: bare DuckDB directly-follows query",
    "reduce": "bpr's reduction alone (`reduce_file`)",
    "mine": "`bpr mine` (whole command)",
    "conform": "`bpr conform` (whole command)",
    "pm4py": "pm4py on pandas (frame, DFG, inductive miner)",
    "mine-csv": "`bpr mine --engine duckdb` of the same cases as CSV",
    "mine-xes": "`bpr mine --engine duckdb` of the same cases as gzipped XES (start and "
    "complete events)",
}


def _cell(figures: dict[str, Any], floor: dict[str, Any] | None) -> str:
    cell = (
        f"{figures['seconds']:.2f} s, cpu {figures['cpu_seconds']:.2f} s, "
        f"{figures['peak_bytes'] / 2**30:.2f} GiB"
    )
    if floor is not None and figures is not floor:
        cell += f" ({_ratio(figures, floor)})"
    return cell


def section(recorded: dict[str, Any]) -> str:
    """The RESULTS.md section from the figures of every size recorded."""
    sizes = sorted(recorded, key=int)
    lines = [
        "## Mining: large event logs (`benchmarks/bench_mining.py`)",
        "",
        f"Machine: {machine_line()}, DuckDB {_version('duckdb')}, pm4py {_version('pm4py')}. "
        "The machine's 2 cores may be shared with other work; the load average "
        "(1 minute) during each size's run is given with it (below 2: a quiet machine, "
        "where DuckDB's two threads give a wall time near half the processor time). Wall "
        "times move with that load; processor time (all threads of the measured process) "
        "moves less, so the ratios are given in both, each within one run.",
        "",
        "The logs: the nested test model (`tests/data/logs/nested.yaml`: a loop around a "
        "parallel block with a nested block and a rework loop, about 10.5 events a case) "
        "simulated and written as Parquet by the simulator (at 50M events with 23,810 cases a "
        "year instead of the model's 5,000, so that the log ends before 2262, the last date "
        "pandas reads). Each measure runs in a fresh process; peak is that process's resident "
        "high-water mark (`VmHWM`).",
        "",
    ]
    for size in sizes:
        run = recorded[size]
        measures = run["measures"]
        floor = measures.get("floor")
        low, high = run["loads"]
        memory = f", bpr with `--memory {run['memory']}`" if run["memory"] else ""
        lines += [
            f"| {int(size):,} events ({run['date']}, load {low:.1f}-{high:.1f}{memory}) | "
            "time, processor time, peak (ratio to the floor) |",
            "|---|---|",
        ]
        for kind, name in NAMES.items():
            if kind in measures:
                lines.append(f"| {name} | {_cell(measures[kind], floor)} |")
        if "pm4py" in measures and "mine" in measures:
            lines.append(
                f"| pm4py on pandas / `bpr mine` | {_ratio(measures['pm4py'], measures['mine'])} |"
            )
        lines.append("")
        if "profile" in measures:
            parts = sorted(measures["profile"]["statements"], key=lambda row: -row[1])
            lines.append(
                f"The reduction's statements at {int(size):,} events (processor time, wall "
                "time): "
                + "; ".join(f"{stage} {cpu:.2f} s, {wall:.2f} s" for stage, cpu, wall in parts)
                + "."
            )
            lines.append("")
    lines += [
        "Where the time goes. Profiled statement by statement (EXPLAIN ANALYZE at 1M and 10M, "
        "2026-12-01), the reduction before this version took 15.1 s of processor time at "
        "10M against the floor's 3.7 s: the ordered activities per case (`list(... ORDER BY "
        "...)`, a sort of its own) 5.4 s, and the waits' window with the percentiles 7.4 s, "
        "2.3 s of which was `epoch()` of an interval for every event (percentiles of "
        "integer microseconds: 0.5 s). Now the events are sorted once, in the one window "
        "pass that gives each its wait and rank (about the floor's own cost, the floor "
        "being that sort); every other figure is a hash aggregation: the variants are the "
        "activities' codes packed by rank into 128-bit words (`bit_or`, exact in any order), "
        "the percentiles are read from the events counted by duration (exact), resources "
        "and work need no order. That version's window pass sorted by the case id's text; "
        "now it sorts by a hash of the case id and a 32-bit row number (the cases it finds are "
        "checked against the count of distinct ids, so two ids sharing a hash send it back to "
        "the ids' text), "
        "and the activity codes, resources and groups come from one narrow count before the "
        "pass, the work percentiles from the pass itself, so the log is read once less. The "
        "whole commands add fixed costs to the reduction: Python's start and bpr's import "
        "(about 0.4 s), the miner and the draft, or the token replay of every variant. "
        "Until this version they also imported pandas and pm4py (some 2,500 modules, 1.3-1.9 "
        "s of processor time) for pm4py's inductive miner and token replay; bpr's own give "
        "the same trees and token counts (`bpr.mining.inductive`, `bpr.mining.tokenreplay`).",
        "",
    ]
    for size in sizes:
        measures = recorded[size]["measures"]
        if "reduce" in measures and {"mine", "conform"} & set(measures):
            base = measures["reduce"]["cpu_seconds"]
            extra = [
                f"`bpr {kind}` {measures[kind]['cpu_seconds'] - base:.1f} s"
                for kind in ("mine", "conform")
                if kind in measures
            ]
            lines.append(
                f"- {int(size):,} events: processor time beyond the reduction: "
                + ", ".join(extra)
                + ";"
            )
    lines += [
        "",
        "(A run of the same work moves by a second or more on the busy machine, so a "
        "difference near zero or below it is that spread.)",
        "",
        *goals(recorded),
        "",
        "To measure again: `.venv/bin/python benchmarks/bench_mining.py --events N --memory 2GB "
        "--folder /tmp/bench-mining` for N of 1000000 (with `--formats` for the CSV and XES "
        "copies) and 10000000, and `--events 50000000 "
        "--skip pm4py --skip profile` (pm4py on pandas at 50M needs far more memory than the "
        "goal allows); each run records its size in `results.json` beside the logs and "
        "rewrites this section from every size recorded.",
    ]
    return "\n".join(_wrapped(lines))


def _wrapped(lines: list[str]) -> list[str]:
    """Paragraphs wrapped at 95 characters (tables and list items as they are)."""
    import textwrap

    out = []
    for line in lines:
        if line.startswith(("|", "- ")) or len(line) <= 95:
            out.append(line)
        else:
            out += textwrap.wrap(line, 95, break_on_hyphens=False)
    return out


def goals(recorded: dict[str, Any]) -> list[str]:
    """The issue's goals against the figures recorded."""
    lines = ["Against the goals (issue 17), met where both wall and processor time meet it:", ""]
    ten = recorded.get(next((s for s in recorded if 9_000_000 < int(s) < 11_000_000), ""), {})
    fifty = recorded.get(next((s for s in recorded if int(s) > 40_000_000), ""), {})
    for label, run in (("10M", ten), ("50M", fifty)):
        measures = run.get("measures", {})
        if "floor" not in measures:
            continue
        floor = measures["floor"]
        for kind in ("reduce", "mine", "conform"):
            if kind in measures:
                wall = measures[kind]["seconds"] / floor["seconds"]
                cpu = measures[kind]["cpu_seconds"] / floor["cpu_seconds"]
                verdict = "met" if max(wall, cpu) <= 2 else "not met"
                lines.append(
                    f"- within 2x of the floor at {label}, {NAMES[kind]}: **{verdict}**, "
                    f"{wall:.2f}x in wall time, {cpu:.2f}x in processor time;"
                )
    measures = ten.get("measures", {})
    if "pm4py" in measures and "mine" in measures:
        wall = measures["pm4py"]["seconds"] / measures["mine"]["seconds"]
        cpu = measures["pm4py"]["cpu_seconds"] / measures["mine"]["cpu_seconds"]
        verdict = "met" if min(wall, cpu) >= 5 else "not met"
        lines.append(
            f"- at least 5x faster than pm4py on pandas at 10M (`bpr mine`): **{verdict}**, "
            f"{wall:.1f}x in wall time, {cpu:.1f}x in processor time;"
        )
    big = fifty.get("measures", {})
    peaks = {k: big[k]["peak_bytes"] for k in ("reduce", "mine", "conform") if k in big}
    if peaks:
        verdict = "met" if max(peaks.values()) < 2 * 10**9 else "not met"
        lines.append(
            f"- under 2 GB resident at 50M: **{verdict}**, "
            + ", ".join(f"{k} {v / 2**30:.2f} GiB ({v / 1e9:.2f} GB)" for k, v in peaks.items())
            + f" with `--memory {fifty.get('memory')}`."
        )
    return lines


def machine_line() -> str:
    return _machine()


def _version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "(not installed)"


def machine() -> str:
    load = os.getloadavg()[0]
    return f"{_machine()}, load {load:.1f} at start"


if __name__ == "__main__":
    main()
