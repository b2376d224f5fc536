"""Shared by the benchmark scripts: machine facts and writing one section of RESULTS.md."""

from __future__ import annotations

import fcntl
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def machine() -> str:
    """One line naming the CPU, cores, memory, OS and Python the figures come from."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, measured {date.today().isoformat()}"
    )


def median_time(
    run: Callable[[], object], repeat: int = 5, clock: Callable[[], float] = time.perf_counter
) -> float:
    """The median of ``repeat`` runs by ``clock`` (wall time; ``time.process_time`` for the
    processor time, steadier on a shared machine)."""
    times = []
    for _ in range(repeat):
        started = clock()
        run()
        times.append(clock() - started)
    return statistics.median(times)


def command_time(args: Sequence[str], repeat: int = 5) -> float:
    """Median wall time of a command, which must succeed."""

    def run() -> None:
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)

    return median_time(run, repeat)


def write_section(name: str, body: str) -> None:
    """Replace (or append) the section of RESULTS.md between this benchmark's markers."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{body.rstrip()}\n{end}"
    # Several benchmarks may finish at once: each holds the lock while it reads, replaces
    # its own section and writes the file back, so no section is lost to a race.
    with open(RESULTS.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _replace_section(start, end, block)


def _replace_section(start: str, end: str, block: str) -> None:
    text = (
        RESULTS.read_text(encoding="utf-8")
        if RESULTS.exists()
        else (
            "# Benchmark results\n\nEach section is written by the script named in it; run it "
            "again to refresh. Figures are medians of repeated runs on the machine stated.\n"
        )
    )
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    text = (
        pattern.sub(lambda _: block, text)
        if pattern.search(text)
        else f"{text.rstrip()}\n\n{block}\n"
    )
    RESULTS.write_text(text, encoding="utf-8")


PYTHON = sys.executable
