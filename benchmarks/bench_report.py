"""Benchmark of ``bpr report`` on portfolios of 30 and 300 services; updates RESULTS.md.

Run by hand: ``python benchmarks/bench_report.py``. The services are copies of the shipped
models (six real services, 8 to 13 steps each) under new service ids, so the diagrams and the
tables are those of real work.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _results import PYTHON, command_time, machine, write_section

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


def main() -> None:
    started = time.perf_counter()
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        for services, repeat in ((30, 3), (300, 1)):
            models = portfolio(base, services)
            for suffix in ("html", "md", "xlsx"):
                out = base / f"report-{services}.{suffix}"
                seconds = command_time(
                    [PYTHON, "-m", "bpr", "report", str(models), "-o", str(out)], repeat
                )
                size = out.stat().st_size
                if suffix == "md":
                    diagrams = (base / f"report-{services}_files").iterdir()
                    size += sum(p.stat().st_size for p in diagrams)
                rows.append(f"| {services} | {suffix} | {seconds:.1f} | {size / 2**20:.1f} |")
    body = "\n".join(
        [
            "## Reports: bpr report (`benchmarks/bench_report.py`)",
            "",
            f"Machine: {machine()}.",
            "",
            "Portfolios of copies of the six shipped services (two variants each, 8 to 13 "
            "steps); the command as a user runs it, diagrams included (HTML and Markdown "
            "draw three per service). Medians of three runs for 30 services, one run for 300.",
            "",
            "| services | format | seconds | output MiB (with the SVG files) |",
            "|---|---|---|---|",
            *rows,
            "",
            f"(The benchmark took {time.perf_counter() - started:.0f} s.)",
        ]
    )
    write_section("bench_report", body)
    print(body)


if __name__ == "__main__":
    main()
