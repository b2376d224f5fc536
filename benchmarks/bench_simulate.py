"""Benchmark of `bpr simulate` against pm4py's play-out and the prosimos simulator; large logs.

Run by hand: ``python benchmarks/bench_simulate.py`` (about ten minutes on two cores). It
updates the section "Simulation" of benchmarks/RESULTS.md and leaves the other sections alone.
``python benchmarks/bench_simulate.py --staff`` runs the part on queues for staff only (about a
minute): agreement and speed against prosimos with resource
pools, the compile time of the compiled loop and the memory of a million cases; it updates the
section "Simulation with staff". ``python benchmarks/bench_simulate.py --floor`` (about a
minute) sets the simulation against the numpy floor of its own draws and additions (issue 20)
and updates the section "Simulation against the numpy floor".

prosimos pins pandas below 3, so it runs in a virtual environment of its own, called by
subprocess: the script uses ``$BPR_PROSIMOS_PYTHON`` or ``/tmp/prosimos-venv/bin/python``, and
creates the latter with ``python -m venv`` and ``pip install prosimos`` when it is missing.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

sys.path.insert(0, str(HERE))

from _results import machine, median_time, write_section  # noqa: E402

import bpr  # noqa: E402
from bpr.simulate import simulate  # noqa: E402

OURS_CASES = 1_000_000
PM4PY_CASES = 2_000
PROSIMOS_CASES = 2_000
LOG_EVENTS = 1_000_000
PROSIMOS_PYTHON = Path(os.environ.get("BPR_PROSIMOS_PYTHON", "/tmp/prosimos-venv/bin/python"))


def benchmark_model() -> bpr.Model:
    """40 steps: a sequence with two rework loops, a skip, and a three-branch parallel block."""
    lines = [
        "bpr: 1",
        "service: bench",
        "variant: as-is",
        "actors:",
        "  desk: {name: Front desk, agency: City}",
        "  back: {name: Back office, agency: City}",
        "  lab: {name: Laboratory, agency: Health}",
        "  me: {name: Applicant, kind: applicant}",
        "steps:",
    ]
    actors = ["desk", "back", "lab", "me"]
    special = {
        10: "next: [{to: s05, p: 0.2}, {to: s11, p: 0.8}]",
        15: "next: [{to: s16, p: 0.7}, {to: s18, p: 0.3}]",
        25: "next: [{to: s20, p: 0.1}, {to: s26, p: 0.9}]",
        30: "next: {all: [s31, s34, s36]}",
        33: "next: s37",
        35: "next: s37",
        36: "next: s37",
    }
    for number in range(1, 41):
        fields = [
            f"id: s{number:02d}",
            f"actor: {actors[number % 4]}",
            f"work: {10 + number % 7 * 5}m",
            f"wait: {number % 5 * 6 + 1}h",
        ]
        if number == 37:
            fields.append("join: all")
        if number in special:
            fields.append(special[number])
        lines.append("  - {" + ", ".join(fields) + "}")
    return bpr.loads("\n".join(lines) + "\n", "bench.yaml")


def run_ours(model: bpr.Model) -> dict[str, float]:
    simulate(model, 10_000, seed=0)  # warm up imports
    seconds = median_time(lambda: simulate(model, OURS_CASES, seed=1))
    result = simulate(model, OURS_CASES, seed=1)
    return {
        "seconds": seconds,
        "cases_per_second": OURS_CASES / seconds,
        "mean_days": float(result.lead_time_days.mean()),
        "expected_days": result.expected_lead_time_days,
    }


# -- pm4py play-out -------------------------------------------------------------------------------


class _Weight:
    def __init__(self, weight: float) -> None:
        self.weight = weight

    def get_weight(self) -> float:
        return self.weight


def run_pm4py(model: bpr.Model) -> dict[str, float]:
    from pm4py.algo.simulation.playout.petri_net import algorithm as playout

    from bpr.analysis.flownet import flow_net
    from bpr.analysis.petri import workflow_net

    net, initial, final = workflow_net(model, {s.id: s.id for s in model.steps}, compact=True)
    edges = flow_net(model).edges
    weights = {}
    for transition in net.transitions:
        weight = 1.0
        if transition.name.startswith("t:xor:"):  # one per branch, named after its flow (#edge)
            weight = edges[int(transition.name.rpartition("#")[2])].p or 1.0
        weights[transition] = _Weight(weight)

    def run() -> None:
        playout.apply(
            net,
            initial,
            final,
            variant=playout.Variants.STOCHASTIC_PLAYOUT,
            parameters={"noTraces": PM4PY_CASES, "maxTraceLength": 1000, "smap": weights},
        )

    seconds = median_time(run, repeat=1)
    return {"seconds": seconds, "cases_per_second": PM4PY_CASES / seconds}


# -- prosimos -------------------------------------------------------------------------------------


def bpmn_for_prosimos(model: bpr.Model, folder: Path) -> tuple[str, dict[str, object]]:
    """The model's BPMN as ``bpr export`` writes it, and prosimos' parameters for it.

    prosimos reads plain ``task`` elements only, so the typed tasks of the export (user,
    service, manual) are renamed to ``task``; nothing else changes. Each task takes its step's
    work + wait (read back from the export's ``bpr:step`` extension) as a fixed processing time,
    each exclusive gateway the probabilities of its ``bpr:branch`` extensions, and every task
    has its own pool with one resource per simulated case on a 24/7 calendar, so that no case
    ever waits for a resource: only the durations count, as in bpr's simulation.
    """
    from lxml import etree  # type: ignore[import-untyped]

    from bpr.bpmn import BPR_NS, export_bpmn

    exported = export_bpmn(model, folder / "exported.bpmn", diagram=False)
    root = etree.parse(str(exported)).getroot()
    bpmn_ns = "http://www.omg.org/spec/BPMN/20100524/MODEL"
    task_ids: dict[str, str] = {}  # BPMN id -> step id
    for element in root.iter():
        if not isinstance(element.tag, str) or not element.tag.startswith("{" + bpmn_ns + "}"):
            continue
        local = element.tag.rpartition("}")[2]
        if local.endswith("Task") and local != "Task":
            element.tag = f"{{{bpmn_ns}}}task"
            local = "task"
        if local == "task":
            step = element.find(f".//{{{BPR_NS}}}step")
            task_ids[element.get("id")] = step.get("id")
    branching: dict[str, list[dict[str, object]]] = {}
    for flow in root.iter(f"{{{bpmn_ns}}}sequenceFlow"):
        branch = flow.find(f".//{{{BPR_NS}}}branch")
        if branch is not None:
            branching.setdefault(flow.get("sourceRef"), []).append(
                {"path_id": flow.get("id"), "value": float(branch.get("p"))}
            )
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode("utf-8")
    calendar = {
        "id": "always",
        "name": "always",
        "time_periods": [
            {
                "from": "MONDAY",
                "to": "SUNDAY",
                "beginTime": "00:00:00.000",
                "endTime": "23:59:59.999",
            }
        ],
    }
    tasks, profiles = [], []
    for task_id, step_id in task_ids.items():
        step = model.step(step_id)
        seconds = (step.work.mean + step.wait.mean) * 3600
        resource = f"r_{task_id}"
        tasks.append(
            {
                "task_id": task_id,
                "resources": [
                    {
                        "resource_id": resource,
                        "distribution_name": "fix",
                        "distribution_params": [{"value": seconds}],
                    }
                ],
            }
        )
        profiles.append(
            {
                "id": f"pool_{task_id}",
                "name": f"pool {step_id}",
                "resource_list": [
                    {
                        "id": resource,
                        "name": resource,
                        "cost_per_hour": 0,
                        "amount": PROSIMOS_CASES,
                        "calendar": "always",
                        "assignedTasks": [task_id],
                    }
                ],
            }
        )
    parameters = {
        "resource_profiles": profiles,
        "arrival_time_distribution": {
            "distribution_name": "fix",
            "distribution_params": [{"value": 60}],
        },
        "arrival_time_calendar": calendar["time_periods"],
        "gateway_branching_probabilities": [
            {"gateway_id": gateway, "probabilities": paths} for gateway, paths in branching.items()
        ],
        "task_resource_distribution": tasks,
        "resource_calendars": [calendar],
        "event_distribution": [],
        "batch_processing": [],
        "case_attributes": [],
        "prioritisation_rules": [],
    }
    return xml, parameters


_PROSIMOS_RUNNER = textwrap.dedent(
    """
    import sys, time, warnings
    warnings.filterwarnings("ignore")
    from prosimos.simulation_engine import run_simulation
    bpmn, params, cases, log = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    started = time.perf_counter()
    run_simulation(bpmn, params, cases, stat_out_path=None, log_out_path=log,
                   starting_at="2026-01-05T00:00:00.000000+00:00")
    print(time.perf_counter() - started)
    """
)


def ensure_prosimos() -> Path:
    if PROSIMOS_PYTHON.exists():
        return PROSIMOS_PYTHON
    venv = PROSIMOS_PYTHON.parent.parent
    print(f"creating {venv} with prosimos (pandas below 3 stays out of the main environment)")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(PROSIMOS_PYTHON), "-m", "pip", "install", "-q", "prosimos"], check=True)
    return PROSIMOS_PYTHON


def run_prosimos(model: bpr.Model, folder: Path) -> dict[str, float]:
    python = ensure_prosimos()
    xml, parameters = bpmn_for_prosimos(model, folder)
    bpmn = folder / "bench.bpmn"
    params = folder / "bench.json"
    log = folder / "prosimos-log.csv"
    bpmn.write_text(xml, encoding="utf-8")
    params.write_text(json.dumps(parameters), encoding="utf-8")
    runner = folder / "run_prosimos.py"
    runner.write_text(_PROSIMOS_RUNNER, encoding="utf-8")
    started = time.perf_counter()
    done = subprocess.run(
        [str(python), str(runner), str(bpmn), str(params), str(PROSIMOS_CASES), str(log)],
        check=True,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    seconds = float(done.stdout.strip().splitlines()[-1])
    lead = _prosimos_mean_lead_days(log)
    return {
        "seconds": seconds,
        "wall_seconds": wall,
        "cases_per_second": PROSIMOS_CASES / seconds,
        "mean_days": lead,
    }


def _prosimos_mean_lead_days(log: Path) -> float:
    import pandas as pd

    frame = pd.read_csv(log)
    case = "case_id" if "case_id" in frame else frame.columns[0]
    starts = pd.to_datetime(frame["start_time"], utc=True, format="ISO8601")
    ends = pd.to_datetime(frame["end_time"], utc=True, format="ISO8601")
    begun = starts.groupby(frame[case]).min()
    finished = ends.groupby(frame[case]).max()
    return float(((finished - begun).dt.total_seconds() / 86400).mean())


# -- large logs -----------------------------------------------------------------------------------

_READER = textwrap.dedent(
    """
    import resource, sys, time
    from bpr.files.eventlog import read_log
    started = time.perf_counter()
    log = read_log(sys.argv[1])
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(len(log), seconds, peak)
    """
)


def run_large_logs(model: bpr.Model, folder: Path) -> list[dict[str, float | str]]:
    from bpr.files.eventlog import write_log

    runs_per_case = sum(simulate(model, 2_000, seed=2).step_runs.values()) / 2_000
    cases = int(LOG_EVENTS / runs_per_case) + 1
    started = time.perf_counter()
    result = simulate(model, cases, seed=3, events=True)
    simulated = time.perf_counter() - started
    assert result.events is not None
    rows: list[dict[str, float | str]] = []
    for suffix in ("csv", "xes"):
        path = folder / f"large.{suffix}"
        started = time.perf_counter()
        write_log(path, result.events)
        written = time.perf_counter() - started
        done = subprocess.run(
            [sys.executable, "-c", _READER, str(path)],
            check=True,
            capture_output=True,
            text=True,
            cwd=HERE.parent,
        )
        count, seconds, peak = done.stdout.split()
        rows.append(
            {
                "format": suffix.upper(),
                "events": float(count),
                "megabytes": path.stat().st_size / 2**20,
                "simulate_seconds": simulated,
                "write_seconds": written,
                "read_seconds": float(seconds),
                "peak_mib": float(peak),
            }
        )
    return rows


# -- report ---------------------------------------------------------------------------------------


def main() -> None:
    began = time.perf_counter()
    model = benchmark_model()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        print("bpr simulate ...", flush=True)
        ours = run_ours(model)
        print(f"  {ours}\npm4py play-out ...", flush=True)
        pm4py = run_pm4py(model)
        print(f"  {pm4py}\nprosimos ...", flush=True)
        prosimos = run_prosimos(model, folder)
        print(f"  {prosimos}\nlarge logs ...", flush=True)
        logs = run_large_logs(model, folder)
        print(f"  {logs}", flush=True)
    ratio_prosimos = ours["cases_per_second"] / prosimos["cases_per_second"]
    ratio_pm4py = ours["cases_per_second"] / pm4py["cases_per_second"]
    log_rows = "\n".join(
        f"   | {r['format']} | {r['events']:,.0f} | {r['megabytes']:,.0f} | "
        f"{r['write_seconds']:.1f} | {r['read_seconds']:.1f} | {r['peak_mib']:,.0f} |"
        for r in logs
    )
    simulated = logs[0]["simulate_seconds"]
    rows = [
        ("`bpr.simulate` (numpy, vectorised over cases)", OURS_CASES, ours),
        ("pm4py stochastic play-out", PM4PY_CASES, pm4py),
        (f"prosimos {prosimos_version()}", PROSIMOS_CASES, prosimos),
    ]
    speed_rows = "\n".join(
        f"   | {name} | {cases:,} | {figures['seconds']:.2f} | {figures['cases_per_second']:,.0f} |"
        for name, cases, figures in rows
    )
    body = f"""## Simulation (`benchmarks/bench_simulate.py`)

Machine: {machine()}.

The process: 40 steps, two rework loops (p 0.2 and 0.1), a skip, and a parallel split into
three branches; fixed durations so that all three simulators do the same thing. prosimos gets
the BPMN that `bpr export` writes (its typed tasks renamed to plain tasks, the only kind
prosimos reads), the branch probabilities and durations from the export's `bpr:` extensions, a
pool with one resource per case for each task and a 24/7 calendar, so that no case waits for a
resource and only durations count; it runs in its own virtual environment (it pins pandas
below 3).
pm4py runs its stochastic play-out on the Petri net that `bpr conform` builds, with the branch
probabilities as weights.

1. Cases per second (bpr: median of 3 runs; the others: one run, timed inside the process):

   | simulator | cases | seconds | cases per second |
   |---|---|---|---|
{speed_rows}
   | bpr / pm4py | | | **{ratio_pm4py:,.0f}x** |
   | bpr / prosimos (target at least 50x) | | | **{ratio_prosimos:,.0f}x** |

   Mean lead time: bpr {ours["mean_days"]:.3f} days (the measures' expected value
   {ours["expected_days"]:.3f}), prosimos {prosimos["mean_days"]:.3f} days.

2. A log of a million events: simulating its cases with their events took {simulated:.1f} s;
   writing and reading it back with `read_log` in a fresh process (peak resident memory of
   that process). The XES file holds a start and a complete event per step run:

   | format | events | MiB | write (s) | read (s) | peak memory (MiB) |
   |---|---|---|---|---|---|
{log_rows}

(The benchmark took {time.perf_counter() - began:.0f} s.)
"""
    write_section("bench_simulate", body)
    print(body)


_VERSION = "import importlib.metadata as m; print(m.version('prosimos'))"


def prosimos_version() -> str:
    try:
        done = subprocess.run(
            [
                str(PROSIMOS_PYTHON),
                "-c",
                "import importlib.metadata as m; print(m.version('prosimos'))",
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


# -- simulation with staff ------------------------------------------------------------------------

STAFF_CASES = 1_000_000
PROSIMOS_STAFF_CASES = 20_000
#: Arrivals per hour of the process with resources, and the staff of each actor.
RATE = 3.0
STAFF = {"desk": 2, "back": 4, "head": 2}


def staffed_model() -> bpr.Model:
    """Four steps at three desks with a rework loop: fixed work, no waits, 3 cases an hour."""
    volume = RATE * 365.25 * 24
    text = f"""bpr: 1
service: bench-staff
variant: as-is
volume: {volume:.0f}
actors:
  desk: {{name: Front desk, staff: 2}}
  back: {{name: Back office, staff: 4}}
  head: {{name: Head of office, staff: 2}}
steps:
  - {{id: receive, actor: desk, work: 15m}}
  - {{id: check, actor: back, work: 45m, next: [{{to: fix, p: 0.2}}, {{to: decide, p: 0.8}}]}}
  - {{id: fix, actor: desk, work: 10m, next: check}}
  - {{id: decide, actor: head, work: 30m}}
"""
    return bpr.loads(text, "staff.yaml")


def prosimos_staffed(model: bpr.Model, folder: Path) -> tuple[str, dict[str, object]]:
    """The export's BPMN with a pool per actor of its staff, a 24/7 calendar, Poisson arrivals."""
    xml, parameters = bpmn_for_prosimos(model, folder)
    tasks = parameters["task_resource_distribution"]
    assert isinstance(tasks, list)
    by_actor: dict[str, list[str]] = {}
    distributions = []
    for task in tasks:
        step = model.step(_step_of_task(folder, task["task_id"]))
        by_actor.setdefault(step.actor, []).append(task["task_id"])
        seconds = step.work.mean * 3600
        distributions.append(
            {
                "task_id": task["task_id"],
                "resources": [
                    {
                        "resource_id": f"staff_{step.actor}",
                        "distribution_name": "fix",
                        "distribution_params": [{"value": seconds}],
                    }
                ],
            }
        )
    parameters["task_resource_distribution"] = distributions
    parameters["resource_profiles"] = [
        {
            "id": f"pool_{actor}",
            "name": actor,
            "resource_list": [
                {
                    "id": f"staff_{actor}",
                    "name": f"staff_{actor}",
                    "cost_per_hour": 0,
                    "amount": STAFF[actor],
                    "calendar": "always",
                    "assignedTasks": task_ids,
                }
            ],
        }
        for actor, task_ids in by_actor.items()
    ]
    mean_gap = 3600 / RATE
    parameters["arrival_time_distribution"] = {
        "distribution_name": "expon",
        # prosimos reads an exponential as mean, min, max (and shifts it by min)
        "distribution_params": [{"value": mean_gap}, {"value": 0}, {"value": 1000 * mean_gap}],
    }
    return xml, parameters


_TASK_STEPS: dict[str, str] = {}


def _step_of_task(folder: Path, task_id: str) -> str:
    if not _TASK_STEPS:
        from lxml import etree  # type: ignore[import-untyped]

        from bpr.bpmn import BPR_NS

        root = etree.parse(str(folder / "exported.bpmn")).getroot()
        for element in root.iter():
            step = element.find(f"{{{BPR_NS}}}step") if isinstance(element.tag, str) else None
            if step is None:
                step = (
                    element.find(f".//{{{BPR_NS}}}step") if isinstance(element.tag, str) else None
                )
            if step is not None and element.tag.endswith("ask"):
                _TASK_STEPS[element.get("id")] = step.get("id")
    return _TASK_STEPS[task_id]


def run_prosimos_staffed(model: bpr.Model, folder: Path) -> dict[str, float]:
    import pandas as pd

    python = ensure_prosimos()
    xml, parameters = prosimos_staffed(model, folder)
    bpmn, params, log = folder / "staff.bpmn", folder / "staff.json", folder / "staff-log.csv"
    bpmn.write_text(xml, encoding="utf-8")
    params.write_text(json.dumps(parameters), encoding="utf-8")
    runner = folder / "run_prosimos.py"
    runner.write_text(_PROSIMOS_RUNNER, encoding="utf-8")
    done = subprocess.run(
        [str(python), str(runner), str(bpmn), str(params), str(PROSIMOS_STAFF_CASES), str(log)],
        check=True,
        capture_output=True,
        text=True,
    )
    seconds = float(done.stdout.strip().splitlines()[-1])
    frame = pd.read_csv(log)
    case = "case_id" if "case_id" in frame else frame.columns[0]
    enabled = pd.to_datetime(frame["enable_time"], utc=True, format="ISO8601")
    starts = pd.to_datetime(frame["start_time"], utc=True, format="ISO8601")
    ends = pd.to_datetime(frame["end_time"], utc=True, format="ISO8601")
    cycle = (
        ends.groupby(frame[case]).max() - enabled.groupby(frame[case]).min()
    ).dt.total_seconds()
    period = (ends.max() - enabled.min()).total_seconds()
    busy = (ends - starts).dt.total_seconds()
    pool = frame["resource"].astype(str).str.replace(r"_\d+$", "", regex=True)
    utilisation = {
        actor: float(busy[pool == f"staff_{actor}"].sum() / (STAFF[actor] * period))
        for actor in STAFF
    }
    return {
        "seconds": seconds,
        "cases_per_second": PROSIMOS_STAFF_CASES / seconds,
        "mean_hours": float(cycle.mean() / 3600),
        **{f"util_{a}": u for a, u in utilisation.items()},
    }


def run_ours_staffed(model: bpr.Model) -> dict[str, float]:
    assert {a: model.actors[a].staff for a in STAFF} == STAFF
    simulate(model, 10_000, seed=0)  # compiled (or loaded from the cache)
    seconds = median_time(lambda: simulate(model, STAFF_CASES, seed=1), repeat=3)
    result = simulate(model, STAFF_CASES, seed=1)
    small = simulate(model, PROSIMOS_STAFF_CASES, seed=1)
    queues = result.queues or {}
    return {
        "seconds": seconds,
        "cases_per_second": STAFF_CASES / seconds,
        "mean_hours": float(result.lead_time_hours.mean()),
        "mean_hours_small": float(small.lead_time_hours.mean()),
        **{f"util_{a}": float(queues[a].utilisation or 0) for a in STAFF},
    }


_COLD = textwrap.dedent(
    """
    import time
    started = time.perf_counter()
    import bpr
    from bpr.simulate import simulate
    m = bpr.loads("bpr: 1\\nservice: s\\nvariant: as-is\\nvolume: 1000\\n"
                  "actors: {a: {name: A}}\\nsteps:\\n  - {id: x, actor: a, work: 1h}\\n")
    simulate(m, 100, seed=1, staff={"a": 1})
    print(time.perf_counter() - started)
    """
)

_MILLION = textwrap.dedent(
    """
    import resource, sys
    sys.path.insert(0, sys.argv[1])
    from bench_simulate import staffed_model
    from bpr.simulate import simulate
    simulate(staffed_model(), 1_000_000, seed=1)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    """
)


def compile_and_memory(folder: Path) -> dict[str, float]:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(folder / "numba-cache")}
    timings = []
    for _ in range(2):  # the first compiles into the empty cache, the second loads from it
        done = subprocess.run(
            [sys.executable, "-c", _COLD], check=True, capture_output=True, text=True,
            cwd=HERE.parent, env=env,
        )  # fmt: skip
        timings.append(float(done.stdout.strip()))
    done = subprocess.run(
        [sys.executable, "-c", _MILLION, str(HERE)], check=True, capture_output=True, text=True,
        cwd=HERE.parent,
    )  # fmt: skip
    return {"cold": timings[0], "cached": timings[1], "peak_mib": float(done.stdout.strip())}


def main_staff() -> None:
    began = time.perf_counter()
    model = staffed_model()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        print("bpr with staff ...", flush=True)
        ours = run_ours_staffed(model)
        print(f"  {ours}\nprosimos with resources ...", flush=True)
        theirs = run_prosimos_staffed(model, folder)
        print(f"  {theirs}\ncompile time, memory ...", flush=True)
        costs = compile_and_memory(folder)
        print(f"  {costs}", flush=True)
    ratio = ours["cases_per_second"] / theirs["cases_per_second"]
    cycle_gap = 100 * (ours["mean_hours"] / theirs["mean_hours"] - 1)
    util_rows = "\n".join(
        f"   | {actor} | {STAFF[actor]} | {100 * ours['util_' + actor]:.1f}% | "
        f"{100 * theirs['util_' + actor]:.1f}% | "
        f"{100 * (ours['util_' + actor] - theirs['util_' + actor]):+.1f} |"
        for actor in STAFF
    )
    speed_rows = "\n".join(
        f"   | {name} | {cases:,} | {figures['seconds']:.2f} | "
        f"{figures['cases_per_second']:,.0f} | {figures['mean_hours']:.4f} |"
        for name, cases, figures in (
            ("`bpr.simulate` with staff (numba)", STAFF_CASES, ours),
            ("prosimos", PROSIMOS_STAFF_CASES, theirs),
        )
    )
    body = f"""## Simulation with staff (`benchmarks/bench_simulate.py --staff`)

Machine: {machine()}.

1. Queueing theory (Pollaczek-Khinchine, Erlang C) at full size, with each figure's sampling
   error: see "Queueing theory" (`benchmarks/bench_queueing.py`).

2. Against prosimos {prosimos_version()} on one process with resources: four steps at three
   actors (a front desk with 2 staff, a back office with 4, a head of office with 2), a rework
   loop (p 0.2), fixed work, Poisson arrivals of {RATE:g} an hour, 24/7 calendars. prosimos
   gets the BPMN of `bpr export` and a scenario with a resource pool per actor of its staff;
   utilisation is busy time over the staff's time from the first arrival to the last end, for
   both, and prosimos' from its log.

   | | cases | seconds | cases per second | mean cycle time (h) |
   |---|---|---|---|---|
{speed_rows}
   | bpr / prosimos (target at least 100x) | | | **{ratio:,.0f}x** | {cycle_gap:+.2f}% |

   The mean cycle times differ by {cycle_gap:+.2f}% (target within 3%); bpr with
   {PROSIMOS_STAFF_CASES:,} cases (the same seed): {ours["mean_hours_small"]:.4f} h.

   | actor | staff | utilisation, bpr | prosimos | difference (points; target within 2) |
   |---|---|---|---|---|
{util_rows}

3. The compiled loop: numba compiles it on the first run into its on-disk cache,
   {costs["cold"]:.1f} s for a first `bpr simulate` with staff (imports included); every later
   run loads it, {costs["cached"]:.2f} s (imports included). A million cases of the process
   above take a peak resident memory of {costs["peak_mib"]:,.0f} MiB.

(The benchmark took {time.perf_counter() - began:.0f} s.)
"""
    write_section("bench_simulate_staff", body)
    print(body)


# -- against the numpy floor ----------------------------------------------------------------------

FLOOR_CHUNK = 4_000_000
#: floor / bpr of each model before issue 20's work (commit 3fb8d0c), measured by this
#: benchmark's own code on 2026-12-01 with that commit's bpr/simulate/cases.py
FLOOR_BEFORE = {
    "the 40-step process above": 0.41,
    "generated, 100 steps": 0.48,
    "generated, 1,000 steps": 0.41,
    "irregular, 100 steps": 0.52,
    "irregular, 1,000 steps": 0.43,
}


def _process_time(run: object, repeat: int = 5) -> float:
    """The least processor time of ``repeat`` runs (steadier than wall time on a shared machine)."""
    best = math.inf
    for _ in range(repeat):
        started = time.process_time()
        run()  # type: ignore[operator]
        best = min(best, time.process_time() - started)
    return best


def numpy_floor(draws: int, additions: int) -> tuple[float, float]:
    """Processor seconds numpy itself takes to draw ``draws`` uniform numbers and to add up
    ``additions`` numbers (``np.cumsum``), in chunks of at most 4 million (memory stays small;
    each chunk allocates its result, as the simulation's arrays do)."""
    import numpy as np

    rng = np.random.default_rng(0)
    ones = np.ones(min(additions, FLOOR_CHUNK))

    def draw() -> None:
        left = draws
        while left > 0:
            rng.random(min(left, FLOOR_CHUNK))
            left -= FLOOR_CHUNK

    def add() -> None:
        left = additions
        while left > 0:
            np.cumsum(ones[: min(left, FLOOR_CHUNK)])
            left -= FLOOR_CHUNK

    return _process_time(draw), _process_time(add)


def floor_models() -> list[tuple[str, bpr.Model, int]]:
    from generate import model_text
    from generate_irregular import irregular_model_text

    return [
        ("the 40-step process above", benchmark_model(), 1_000_000),
        ("generated, 100 steps", bpr.loads(model_text(100), "generated.yaml"), 200_000),
        ("generated, 1,000 steps", bpr.loads(model_text(1_000), "generated.yaml"), 20_000),
        ("irregular, 100 steps", bpr.loads(irregular_model_text(100), "irregular.yaml"), 200_000),
        (
            "irregular, 1,000 steps",
            bpr.loads(irregular_model_text(1_000), "irregular.yaml"),
            20_000,
        ),
    ]


def run_floor() -> list[dict[str, object]]:
    """Each model's simulation against the numpy floor of its own draws and additions."""
    rows: list[dict[str, object]] = []
    for name, model, cases in floor_models():
        simulate(model, 1_000, seed=0)  # warm up
        seconds = _process_time(lambda m=model, n=cases: simulate(m, n, seed=1))
        result = simulate(model, cases, seed=1)
        runs = result.step_runs
        additions = sum(runs.values())
        draws = 0
        for step in model.steps:
            varying = sum(d.kind != "fixed" and d.low != d.high for d in (step.work, step.wait))
            draws += runs[step.id] * (varying + (step.next.kind == "choice"))
        drawing, adding = numpy_floor(draws, additions)
        rows.append(
            {
                "name": name,
                "cases": cases,
                "draws": draws,
                "additions": additions,
                "floor": drawing + adding,
                "draw_ns": 1e9 * drawing / max(draws, 1),
                "add_ns": 1e9 * adding / additions,
                "seconds": seconds,
                "share": (drawing + adding) / seconds,
                "mean_days": float(result.lead_time_days.mean()),
                "expected_days": result.expected_lead_time_days,
            }
        )
        print(rows[-1], flush=True)
    return rows


def main_floor() -> None:
    began = time.perf_counter()
    rows = run_floor()
    table = "\n".join(
        f"   | {r['name']} | {r['cases']:,} | {r['draws']:,} | {r['additions']:,} | "
        f"{r['floor']:.3f} | {r['seconds']:.3f} | **{100 * r['share']:.0f} %** | "
        f"{100 * FLOOR_BEFORE.get(str(r['name']), math.nan):.0f} % | "
        f"{r['mean_days']:.3f} | {r['expected_days']:.3f} |"
        for r in rows
    )
    draw_ns = min(float(r["draw_ns"]) for r in rows if r["draws"])
    add_ns = min(float(r["add_ns"]) for r in rows)
    least = min(float(r["share"]) for r in rows)
    header = (
        "   | model | cases | draws | additions | floor (s) | bpr (s) | floor / bpr | "
        "before (3fb8d0c) | mean lead time (d) | measures (d) |\n"
        "   |---|---|---|---|---|---|---|---|---|---|"
    )
    body = f"""## Simulation against the numpy floor (`benchmarks/bench_simulate.py --floor`)

Machine: {machine()}.

The floor of a simulation is the time numpy itself takes, in the same run, for the work no
vectorised simulation can skip: the same number of random draws (one per case at each choice
it meets and one per step run whose work or wait is a range; fixed durations draw nothing),
made with `Generator.random`, and the same number of additions (one per step run: its time
added to the case's clock), made with `np.cumsum` over as many numbers; both in chunks of at
most 4 million numbers, each chunk allocating its result. bpr's time is a whole
`bpr.simulate.simulate(model, cases, seed=1)` call (the flow analysis, the measures' expected
lead time and the path statistics included). Both are processor time, the least of 5 runs
(the machine's 2 cores were shared with other work); the floor's figures in this run: a draw
{draw_ns:.1f} ns, an addition {add_ns:.1f} ns at best. Issue 20's target: at least 50 %.

{header}
{table}

The least share is {100 * least:.0f} %. "before" is the same measurement of the simulation
as it was before issue 20's work (commit 3fb8d0c, measured on 2026-12-01 by this code): a
group of cases then took every step apart (one addition to its clocks per step), picked
branches with `searchsorted` and ranked paths by a stable sort of every case.

The mean lead times agree with the measures' expected lead time except where a parallel
block's branches have random durations: the measures take the longest branch's mean, the
simulation the mean of the longest branch, which is larger.

(The benchmark took {time.perf_counter() - began:.0f} s.)
"""
    write_section("bench_simulate_floor", body)
    print(body)


if __name__ == "__main__":
    if "--staff" in sys.argv[1:]:
        main_staff()
    elif "--floor" in sys.argv[1:]:
        main_floor()
    else:
        main()
