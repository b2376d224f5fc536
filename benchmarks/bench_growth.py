"""How every command grows with the model: 1k, 10k and 100k steps, on two generators.

Run by hand (the full run takes a long time)::

    python benchmarks/bench_growth.py
    python benchmarks/bench_growth.py --sizes 100,300 --commands validate,metrics --repeat 1

Each command runs in a fresh process (``python -m bpr ...`` under GNU time) on the models of
``generate.py`` and of ``generate_irregular.py``: its processor time (user and system, with
the programs it waits for, such as Graphviz), wall time and peak resident memory. The growth
exponent k of a command (time proportional to steps to the power k) is the log-log slope of
its processor time between 1k and 100k steps and between 10k and 100k. A run longer than
``--timeout`` is stopped, and the larger sizes of that command are not run. The section of
RESULTS.md is written again after every measurement, so a run stopped early keeps what it
has measured.
"""

from __future__ import annotations

import argparse
import math
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import PYTHON, machine, write_section
from generate import model_text
from generate_irregular import irregular_model_text

__all__ = [
    "COMMANDS",
    "GENERATORS",
    "Run",
    "cell",
    "exponent_cell",
    "growth_exponent",
    "main",
    "parse_commands",
    "parse_generators",
    "parse_sizes",
    "parse_time_report",
]

BPR = [PYTHON, "-m", "bpr"]
SECTION = "bench_growth"


@dataclass(frozen=True)
class Files:
    """The files of one size: a service folder with an As-Is and a To-Be, and outputs."""

    folder: Path
    out: Path
    cases: int

    @property
    def as_is(self) -> Path:
        return self.folder / "as-is.yaml"

    @property
    def to_be(self) -> Path:
        return self.folder / "to-be.yaml"

    @property
    def bpmn(self) -> Path:
        """What ``export --no-diagram`` writes and ``import`` reads."""
        return self.out / "exported.bpmn"


@dataclass(frozen=True)
class Command:
    """How to run one command on the files of one size, and the exit statuses it may end
    with when it works (lint ends with 1 when it has findings)."""

    label: str
    args: Callable[[Files], list[str]]
    success: frozenset[int] = frozenset({0})


COMMANDS: dict[str, Command] = {
    "startup": Command("start-up: `bpr --version`", lambda f: ["--version"]),
    "validate": Command("`validate`", lambda f: ["validate", "-q", str(f.as_is)]),
    "metrics": Command("`metrics --json`", lambda f: ["metrics", "--json", str(f.as_is)]),
    "lint": Command("`lint --json`", lambda f: ["lint", "--json", str(f.as_is)], frozenset({0, 1})),
    "diff": Command(
        "`diff --json` (As-Is, To-Be)",
        lambda f: ["diff", "--json", str(f.as_is), str(f.to_be)],
    ),
    "render": Command(
        "`render -o .svg`", lambda f: ["render", str(f.as_is), "-o", str(f.out / "as-is.svg")]
    ),
    "export": Command(
        "`export` (with the diagram)",
        lambda f: ["export", str(f.as_is), "-o", str(f.out / "with-diagram.bpmn")],
    ),
    "export-no-diagram": Command(
        "`export --no-diagram`",
        lambda f: ["export", "--no-diagram", str(f.as_is), "-o", str(f.bpmn)],
    ),
    "import": Command(
        "`import` (of the `--no-diagram` export)",
        lambda f: ["import", "-q", str(f.bpmn), "-o", str(f.out / "imported.yaml")],
    ),
    "simulate": Command(
        "`simulate --json` (fixed cases)",
        lambda f: ["simulate", "--json", "-n", str(f.cases), "--seed", "1", str(f.as_is)],
    ),
    "report": Command(
        "`report` of one service (.html, no cache)",
        lambda f: [
            "report",
            "--no-progress",
            "--no-cache",
            str(f.folder),
            "-o",
            str(f.out / "report.html"),
        ],
    ),
}


def to_be(text: str) -> str:
    """A generated As-Is as its To-Be: visits go online, the certificate is exchanged and
    identity cards are no longer asked for (step and document changes for ``diff``)."""
    text = text.replace("variant: as-is", "variant: to-be", 1)
    text = text.replace("channel: in-person", "channel: online")
    text = text.replace(
        "cert: {name: Certificate, issuer: registry}",
        "cert: {name: Certificate, issuer: registry, exchange: true}",
    )
    return text.replace("    needs: [id-card]\n", "")


#: Each generator's model of about ``steps`` steps.
GENERATORS: dict[str, tuple[str, Callable[[int], str]]] = {
    "regular": ("`generate.py` (a unit of ten steps repeated)", model_text),
    "irregular": (
        "`generate_irregular.py` (random nested choices, loops and parallel blocks, seed 1)",
        lambda steps: irregular_model_text(steps, seed=1),
    ),
}


@dataclass(frozen=True)
class Run:
    """One measured command: processor and wall seconds, peak memory in MB, and how it
    ended (``ok``, ``timeout``, ``failed (exit N)`` or ``skipped``)."""

    cpu: float = math.nan
    wall: float = math.nan
    rss_mb: float = math.nan
    status: str = "ok"


def parse_sizes(text: str) -> list[int]:
    """Sizes in steps, comma-separated, ``k`` for thousands, smallest first.

    >>> parse_sizes("100k,1k, 10000")
    [1000, 10000, 100000]
    """
    sizes = set()
    for part in text.split(","):
        word = part.strip().lower()
        if not word:
            continue
        scale = 1000 if word.endswith("k") else 1
        try:
            value = int(float(word.removesuffix("k")) * scale)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number of steps: {part.strip()!r}") from None
        if value < 1:
            raise argparse.ArgumentTypeError(f"a size must be at least 1 step: {part.strip()!r}")
        sizes.add(value)
    if not sizes:
        raise argparse.ArgumentTypeError("give at least one size, such as 1k,10k,100k")
    return sorted(sizes)


def parse_commands(text: str) -> list[str]:
    """Command names, comma-separated, in the order of :data:`COMMANDS`.

    >>> parse_commands("metrics, validate")
    ['validate', 'metrics']
    """
    wanted = {part.strip() for part in text.split(",") if part.strip()}
    unknown = sorted(wanted - COMMANDS.keys())
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown command {', '.join(unknown)}; choose from {', '.join(COMMANDS)}"
        )
    if not wanted:
        raise argparse.ArgumentTypeError("give at least one command")
    return [name for name in COMMANDS if name in wanted]


def parse_generators(text: str) -> list[str]:
    """Generator names, comma-separated, in the order of :data:`GENERATORS`."""
    wanted = {part.strip() for part in text.split(",") if part.strip()}
    unknown = sorted(wanted - GENERATORS.keys())
    if unknown or not wanted:
        raise argparse.ArgumentTypeError(
            f"unknown generator {', '.join(unknown) or '(none)'}; choose from "
            f"{', '.join(GENERATORS)}"
        )
    return [name for name in GENERATORS if name in wanted]


def parse_time_report(text: str) -> tuple[float, float, float]:
    """Wall seconds, processor seconds and peak MB from GNU time's ``%e %U %S %M`` line (the
    last line: a failed command's report starts with a line on its status).

    >>> parse_time_report("Command exited with non-zero status 1\\n2.50 1.75 0.25 51200\\n")
    (2.5, 2.0, 50.0)
    """
    wall, user, system, kib = text.strip().splitlines()[-1].split()
    return float(wall), float(user) + float(system), int(kib) / 1024


def growth_exponent(steps: tuple[int, int], seconds: tuple[float, float]) -> float:
    """The log-log slope k of seconds against steps: time grows as steps to the power k.

    >>> growth_exponent((1_000, 100_000), (0.5, 50.0))
    1.0
    >>> round(growth_exponent((10_000, 100_000), (2.0, 200.0)), 6)
    2.0
    """
    (n1, n2), (t1, t2) = steps, seconds
    return math.log(t2 / t1) / math.log(n2 / n1)


def cell(run: Run | None, timeout: float) -> str:
    """A table cell: ``cpu / wall / MB``, or what stopped the run.

    >>> cell(Run(1.234, 1.5, 60.4), 600)
    '1.23 / 1.50 / 60'
    >>> cell(Run(status="timeout"), 600)
    '> 600 s'
    """
    if run is None:
        return ""
    if run.status == "ok":
        return f"{run.cpu:.2f} / {run.wall:.2f} / {run.rss_mb:.0f}"
    if run.status == "timeout":
        return f"> {timeout:g} s"
    return run.status


def exponent_cell(
    small: tuple[int, Run | None], large: tuple[int, Run | None], timeout: float
) -> str:
    """The growth exponent between two sizes; a lower bound where the larger timed out.

    >>> exponent_cell((1000, Run(0.5, 0.6, 40)), (100000, Run(50.0, 51, 90)), 600)
    '1.00'
    >>> exponent_cell((1000, Run(0.6, 0.6, 40)), (100000, Run(status="timeout")), 600)
    '>= 1.50'
    """
    (n1, first), (n2, second) = small, large
    if first is None or second is None or first.status != "ok" or not first.cpu > 0:
        return ""
    if second.status == "ok" and second.cpu > 0:
        return f"{growth_exponent((n1, n2), (first.cpu, second.cpu)):.2f}"
    if second.status == "timeout":
        # the processor time of a run stopped at the timeout is at most the timeout: the bound
        # uses the wall time, which the run certainly exceeded
        return f">= {growth_exponent((n1, n2), (first.cpu, timeout)):.2f}"
    return ""


def run_measured(args: Sequence[str], timeout: float, success: frozenset[int]) -> Run:
    """One run of a command in a fresh process under GNU time.

    GNU time starts the command and reports on it alone: a child forked from this process
    would count this process's memory as its own until the exec.
    """
    with tempfile.TemporaryDirectory() as folder:
        report, errors = Path(folder) / "time.txt", Path(folder) / "stderr.txt"
        command = ["/usr/bin/time", "-f", "%e %U %S %M", "-o", str(report), *args]
        started = time.perf_counter()
        with errors.open("wb") as stderr:
            child = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True
            )
            try:
                status = child.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)  # the group this call started, and only it
                child.wait()
                return Run(status="timeout")
        wall = time.perf_counter() - started
        if status not in success:
            said = errors.read_text(encoding="utf-8", errors="replace").strip().splitlines()
            why = said[-1][:120].replace("|", "/") if said else ""
            return Run(status=f"failed (exit {status}{': ' + why if why else ''})")
        _, cpu, rss = parse_time_report(report.read_text(encoding="utf-8"))
    return Run(cpu, wall, rss)


def measured(args: Sequence[str], timeout: float, success: frozenset[int], repeat: int) -> Run:
    """The median of ``repeat`` runs; the first run that does not succeed stops there."""
    runs = []
    for _ in range(repeat):
        run = run_measured(args, timeout, success)
        if run.status != "ok":
            return run
        runs.append(run)
    return Run(
        statistics.median(r.cpu for r in runs),
        statistics.median(r.wall for r in runs),
        statistics.median(r.rss_mb for r in runs),
    )


def count_steps(text: str) -> int:
    """The steps of a generated model (each begins a list item under ``steps:``)."""
    return sum(1 for line in text.splitlines() if line.startswith("  - "))


@dataclass
class Results:
    """What a run has measured so far, and how to write it as RESULTS.md's section."""

    sizes: list[int]
    commands: list[str]
    generators: list[str]
    timeout: float
    repeat: int
    cases: int
    started: float
    load_before: str
    code: str
    steps: dict[tuple[str, int], int]
    runs: dict[tuple[str, str, int], Run]
    finished: bool = False

    def lines(self) -> list[str]:
        lines = [
            "## Growth of every command with the model (`benchmarks/bench_growth.py`)",
            "",
            f"Machine: {machine()}; load average {self.load_before} at the start, "
            f"{_load()} at the end (processor time is the steadier figure on a shared "
            f"machine). Code: {self.code}.",
            "",
            "Each cell: processor seconds (user and system, with the programs the command "
            "waits for, such as Graphviz) / wall seconds / peak resident memory in MB, of "
            f"one fresh process (`python -m bpr ...` under GNU time), median of {self.repeat} "
            f"run(s); `simulate` runs {self.cases:,} cases. k is the growth exponent, the "
            "log-log slope of processor time (time proportional to steps to the power k): "
            "from the smallest size to the largest and from the middle one to the largest. "
            "At 1k steps the start-up of the process is much of the time (its row), so the "
            "first slope understates the growth of the work itself. A run is stopped after "
            f"{self.timeout:g} s (`> {self.timeout:g} s`; k is then a lower bound, `>=`) and "
            "the larger sizes of that command are not run.",
        ]
        for generator in self.generators:
            title, _ = GENERATORS[generator]
            sizes = [s for s in self.sizes if (generator, s) in self.steps]
            if not sizes:
                continue
            counts = [self.steps[generator, s] for s in sizes]
            head = [f"{n:,} steps" for n in counts]
            slopes = []
            if len(sizes) >= 2:
                slopes.append((0, len(sizes) - 1))
            if len(sizes) >= 3:
                slopes.append((len(sizes) - 2, len(sizes) - 1))
            slope_head = [f"k {_short(sizes[a])}-{_short(sizes[b])}" for a, b in slopes]
            lines += [
                "",
                f"{title}:",
                "",
                "| command | " + " | ".join(head + slope_head) + " |",
                "|---" * (1 + len(head) + len(slope_head)) + "|",
            ]
            for name in self.commands:
                row = [self.runs.get((generator, name, s)) for s in sizes]
                cells = [cell(run, self.timeout) for run in row]
                for a, b in slopes:
                    cells.append(
                        exponent_cell((counts[a], row[a]), (counts[b], row[b]), self.timeout)
                    )
                lines.append(f"| {COMMANDS[name].label} | " + " | ".join(cells) + " |")
        spent = time.perf_counter() - self.started
        lines += ["", f"(The benchmark took {spent:.0f} s{'' if self.finished else ' so far'}.)"]
        return lines


def _short(steps: int) -> str:
    """1k for 1,000 steps, 100 for 100."""
    if steps >= 1000:
        return f"{steps / 1000:.3g}k"
    return str(steps)


def _code() -> str:
    """The commit measured, and whether the working tree had changes beyond it."""
    root = Path(__file__).resolve().parent.parent

    def git(*args: str) -> str:
        found = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
        return found.stdout.strip() if found.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD")
    if not commit:
        return "not in a git checkout"
    changed = git("status", "--porcelain", "--untracked-files=no", "--", "bpr")
    return f"commit {commit}" + (" with uncommitted changes under bpr/" if changed else "")


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", type=parse_sizes, default=[1_000, 10_000, 100_000], help="e.g. 1k,10k,100k"
    )
    parser.add_argument(
        "--commands",
        type=parse_commands,
        default=list(COMMANDS),
        help=f"comma-separated, of: {', '.join(COMMANDS)} (default: all)",
    )
    parser.add_argument(
        "--generators",
        type=parse_generators,
        default=list(GENERATORS),
        help=f"comma-separated, of: {', '.join(GENERATORS)} (default: both)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per figure (median)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds a run may take")
    parser.add_argument("--cases", type=int, default=1_000, help="cases `simulate` runs")
    parser.add_argument(
        "--no-results", action="store_true", help="print the section, leave RESULTS.md alone"
    )
    found = parser.parse_args(argv)
    if found.repeat < 1 or found.timeout <= 0 or found.cases < 1:
        parser.error("--repeat and --cases must be at least 1 and --timeout above 0")
    return found


def main(argv: Sequence[str] | None = None) -> Results:
    options = arguments(argv)
    results = Results(
        sizes=options.sizes,
        commands=options.commands,
        generators=options.generators,
        timeout=options.timeout,
        repeat=options.repeat,
        cases=options.cases,
        started=time.perf_counter(),
        load_before=_load(),
        code=_code(),
        steps={},
        runs={},
    )
    stopped: set[tuple[str, str]] = set()  # (generator, command) that timed out or failed
    with tempfile.TemporaryDirectory() as tmp:
        for size in options.sizes:  # every generator at a size before the next size
            for generator in options.generators:
                files = _write(Path(tmp) / f"{generator}-{size}", generator, size, options.cases)
                results.steps[generator, size] = count_steps(files.as_is.read_text("utf-8"))
                for name in options.commands:
                    if (generator, name) in stopped:
                        continue
                    command = COMMANDS[name]
                    exported = "export-no-diagram" in options.commands
                    if name == "import" and not files.bpmn.exists() and not exported:
                        # import reads the --no-diagram export: write it, untimed
                        run_measured(
                            [*BPR, *COMMANDS["export-no-diagram"].args(files)],
                            options.timeout,
                            frozenset({0}),
                        )
                    if name == "import" and not files.bpmn.exists():
                        results.runs[generator, name, size] = Run(status="no export")
                        stopped.add((generator, name))
                        continue
                    run = measured(
                        [*BPR, *command.args(files)],
                        options.timeout,
                        command.success,
                        options.repeat,
                    )
                    results.runs[generator, name, size] = run
                    if run.status != "ok":
                        stopped.add((generator, name))
                    print(f"{generator} {size} {name}: {cell(run, options.timeout)}", flush=True)
                    _publish(results, options.no_results)
    results.finished = True
    text = "\n".join(results.lines())
    _publish(results, options.no_results)
    print(text)
    return results


def _write(folder: Path, generator: str, size: int, cases: int) -> Files:
    """The service folder of one generator and size, and a folder for outputs."""
    files = Files(folder / "service", folder / "out", cases)
    files.folder.mkdir(parents=True)
    files.out.mkdir()
    text = GENERATORS[generator][1](size)
    files.as_is.write_text(text, encoding="utf-8")
    files.to_be.write_text(to_be(text), encoding="utf-8")
    return files


def _publish(results: Results, no_results: bool) -> None:
    if not no_results:
        write_section(SECTION, "\n".join(results.lines()))


if __name__ == "__main__":
    main()
