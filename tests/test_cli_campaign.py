"""The command line's campaign: odd outputs, odd inputs and signals, one table row per case.

Each row runs a real ``python -m bpr`` in a scratch folder and checks the exit status, what
reaches standard output and standard error (never a traceback), and what is left on disk: a
device, a FIFO or a link stays what it was, an input is never overwritten, and an
interrupted command leaves no half-written file.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import DATA, MODELS, ROOT

EXAMPLE = DATA / "contract-example.yaml"
AS_IS = MODELS / "property-registration" / "as-is.yaml"
TO_BE = MODELS / "property-registration" / "to-be.yaml"
BPMN_START = "<?xml"

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX paths and signals")


@dataclass
class Case:
    """One command line: ``prepare`` makes the scratch folder's paths, ``check`` what is left."""

    args: list[str]
    status: int
    stdout: str = ""  # text that standard output must hold
    stderr: str = ""  # text that standard error must hold
    prepare: Callable[[Path], None] = lambda folder: None
    check: Callable[[Path], None] = lambda folder: None
    reader: str | None = None  # a FIFO in the folder to read while the command runs
    received: list[bytes] = field(default_factory=list)


def model_copy(folder: Path) -> None:
    (folder / "m.yaml").write_text(AS_IS.read_text(encoding="utf-8"), encoding="utf-8")


def fifo(name: str) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        os.mkfifo(folder / name)

    return make


def link(name: str, target: str) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        (folder / name).symlink_to(target)

    return make


def both(*steps: Callable[[Path], None]) -> Callable[[Path], None]:
    def run(folder: Path) -> None:
        for step in steps:
            step(folder)

    return run


def is_fifo(name: str) -> Callable[[Path], None]:
    def check(folder: Path) -> None:
        assert (folder / name).is_fifo()

    return check


def holds(name: str, start: str) -> Callable[[Path], None]:
    def check(folder: Path) -> None:
        assert (folder / name).read_text(encoding="utf-8").startswith(start)

    return check


def only(*names: str) -> Callable[[Path], None]:
    def check(folder: Path) -> None:
        left = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))
        assert left == sorted(names), left

    return check


def link_kept(name: str, target: str) -> Callable[[Path], None]:
    def check(folder: Path) -> None:
        assert (folder / name).is_symlink() and os.readlink(folder / name) == target

    return check


def dev_null_kept(folder: Path) -> None:
    assert Path(os.devnull).is_char_device()


CASES: dict[str, Case] = {
    "-o /dev/null writes through the device": Case(
        ["export", str(EXAMPLE), "-o", os.devnull], 0, stdout="wrote /dev/null", check=dev_null_kept
    ),
    "-o a FIFO writes through it": Case(
        ["export", str(EXAMPLE), "-o", "pipe.bpmn"],
        0,
        prepare=fifo("pipe.bpmn"),
        check=is_fifo("pipe.bpmn"),
        reader="pipe.bpmn",
    ),
    "-o a symlink replaces its file and keeps the link": Case(
        ["export", str(EXAMPLE), "-o", "link.bpmn"],
        0,
        prepare=both(lambda f: (f / "real.bpmn").write_text("old"), link("link.bpmn", "real.bpmn")),
        check=both(link_kept("link.bpmn", "real.bpmn"), holds("real.bpmn", BPMN_START)),
    ),
    "-o a symlink to standard output reaches standard output": Case(
        ["export", str(EXAMPLE), "-o", "out.bpmn"],
        0,
        stdout=BPMN_START,
        prepare=link("out.bpmn", "/proc/self/fd/1"),
        check=link_kept("out.bpmn", "/proc/self/fd/1"),
    ),
    "-o into a missing folder creates it": Case(
        ["export", str(EXAMPLE), "-o", "new/deeper/out.bpmn"],
        0,
        check=holds("new/deeper/out.bpmn", BPMN_START),
    ),
    "-o under a regular file is a clear error": Case(
        ["export", str(EXAMPLE), "-o", "file.txt/out.bpmn"],
        1,
        stderr="file.txt is a file, not a folder",
        prepare=lambda f: (f / "file.txt").write_text("keep"),
        check=both(holds("file.txt", "keep"), only("file.txt")),
    ),
    "-o into a folder that cannot be written is a clear error": Case(
        ["export", str(EXAMPLE), "-o", "/proc/out.bpmn"], 1, stderr="/proc/out.bpmn: cannot write"
    ),
    "-o a link loop is a clear error": Case(
        ["export", str(EXAMPLE), "-o", "a.bpmn"],
        1,
        stderr="a loop of symbolic links",
        prepare=both(link("a.bpmn", "b.bpmn"), link("b.bpmn", "a.bpmn")),
    ),
    "-o a folder is a usage error": Case(
        ["export", str(EXAMPLE), "-o", "sub"], 2, prepare=lambda f: (f / "sub").mkdir()
    ),
    "-o - writes text to standard output": Case(
        ["export", str(EXAMPLE), "-o", "-"], 0, stdout=BPMN_START, check=only()
    ),
    "-o - is refused where the format is not text": Case(
        ["render", str(EXAMPLE), "-o", "-"],
        2,
        stderr="cannot write to standard output",
        check=only(),
    ),
    "an input named as the output is refused": Case(
        ["diff", "m.yaml", str(TO_BE), "-o", "m.yaml"],
        1,
        stderr="would overwrite the input",
        prepare=model_copy,
        check=holds("m.yaml", AS_IS.read_text(encoding="utf-8")),
    ),
    "an input reached through a link is refused as the output": Case(
        ["diff", str(AS_IS), str(TO_BE), "-o", "as-is.yaml"],
        1,
        stderr="would overwrite the input",
        prepare=link("as-is.yaml", str(AS_IS)),
        check=link_kept("as-is.yaml", str(AS_IS)),
    ),
    "validate a FIFO named on the command line": Case(
        ["validate", "pipe.yaml"], 1, stderr="not a regular file", prepare=fifo("pipe.yaml")
    ),
    "validate a folder with a FIFO and link loops": Case(
        ["validate", "."],
        0,
        stdout="1 file checked: 1 valid, 0 invalid",
        prepare=both(
            model_copy, fifo("pipe.yaml"), link("loop.yaml", "loop.yaml"), link("self", ".")
        ),
    ),
    "validate a link loop named on the command line": Case(
        ["validate", "loop.yaml"], 2, stderr="loop.yaml", prepare=link("loop.yaml", "loop.yaml")
    ),
}


def run(
    args: list[str], folder: Path, stdout: object = subprocess.PIPE
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bpr", *args],
        cwd=folder,
        stdout=stdout,  # type: ignore[arg-type]
        stderr=subprocess.PIPE,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


@pytest.mark.parametrize("name", list(CASES))
def test_command_line_case(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    case.prepare(tmp_path)
    reader = None
    if case.reader is not None:
        pipe = tmp_path / case.reader
        reader = threading.Thread(
            target=lambda: case.received.append(pipe.read_bytes()), daemon=True
        )
        reader.start()
    result = run(case.args, tmp_path)
    if reader is not None:
        reader.join(10)
        assert case.received and case.received[0].startswith(BPMN_START.encode())
    assert result.returncode == case.status, result.stderr
    assert case.stdout in result.stdout
    assert case.stderr in result.stderr
    assert "Traceback" not in result.stderr
    case.check(tmp_path)
    assert not list(tmp_path.rglob(".*.tmp")), "a temporary file was left behind"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    "args",
    [
        ["validate", str(EXAMPLE)],
        ["metrics", str(EXAMPLE)],
        ["metrics", "--json", str(EXAMPLE)],
        ["diff", str(AS_IS), str(TO_BE)],
        ["export", str(EXAMPLE), "-o", "-"],
        ["schema"],
    ],
)
def test_a_full_standard_output_is_a_message(args: list[str], tmp_path: Path) -> None:
    with open("/dev/full", "wb") as full:
        result = run(args, tmp_path, stdout=full)
    assert result.returncode == 1, result.stderr
    assert "No space left on device" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_leaves_no_half_written_file(signum: int, tmp_path: Path) -> None:
    out = tmp_path / "cases.csv"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bpr",
            "simulate",
            str(EXAMPLE),
            "--cases",
            "3000000",
            "--log",
            str(out),
        ],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".cases.csv.*.tmp")) and process.poll() is None:
        assert time.monotonic() < deadline, "the log was never started"
        time.sleep(0.05)
    process.send_signal(signum)
    status = process.wait(timeout=30)
    assert status in (130, 128 + signum), status
    assert "Traceback" not in (process.stderr.read() if process.stderr else "")
    assert list(tmp_path.iterdir()) == []


def test_every_promise_of_docs_robustness_names_a_test_that_exists() -> None:
    text = (ROOT / "docs" / "robustness.md").read_text(encoding="utf-8")
    named = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+)(?:\[([^\]]+)\])?)?`", text)
    assert len(named) > 40
    for file, test, parameter in named:
        source = (ROOT / file).read_text(encoding="utf-8")
        if test:
            assert re.search(rf"^def {test}\(", source, re.M), f"{file}::{test} is gone"
        if parameter and test == "test_command_line_case":
            assert parameter in CASES, f"no row {parameter!r} in the campaign"
