"""The one place that runs Graphviz programs (``dot``, ``neato``); nothing else calls them.

Each run is a child in its own process group, so that a Ctrl-C at the terminal reaches bpr
only (Graphviz's own SIGINT handling could deadlock ``neato``), and bpr ends the whole group
itself: when the run is interrupted (a signal's exception in the waiting thread), when
:func:`end_children` is called (the command line does so on SIGINT and SIGTERM, for the runs
that other threads wait on), and when the program exits. No run outlives its command.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from typing import BinaryIO

from bpr.errors import ExecutableNotFound, GraphvizError

__all__ = [
    "INSTALL_HINT",
    "GraphvizError",
    "end_children",
    "find_program",
    "graphviz_version",
    "run_graphviz",
]

INSTALL_HINT = (
    "install Graphviz with: sudo apt-get install graphviz (Debian/Ubuntu), "
    "brew install graphviz (macOS), or run scripts/setup.sh"
)
#: Seconds one Graphviz run may take before it is stopped; a 1000-step model needs a few.
TIMEOUT = 300.0
#: Seconds between two looks, while waiting on a run, at whether the program is ending.
_POLL = 0.05

_running: set[subprocess.Popen[bytes]] = set()
_lock = threading.Lock()


class _Ending:
    """Set once the program ends: runs under way stop, new ones are refused. A plain flag, so
    that a signal handler may set it whatever the interrupted thread holds."""

    now = False


def end_children() -> None:
    """Stop every Graphviz run under way, in any thread, within a fraction of a second, and
    refuse new ones: for the program's signal handlers, as it ends.

    A thread waiting on a run ends the run's process group and raises :class:`GraphvizError`.
    """
    _Ending.now = True


def find_program(program: str = "dot") -> str:
    """The full path of a Graphviz program; raises :class:`ExecutableNotFound` naming the fix."""
    path = shutil.which(program)
    if path is None:
        raise ExecutableNotFound(program, INSTALL_HINT)
    return path


def run_graphviz(
    program: str, args: Sequence[str], source: str, *, timeout: float = TIMEOUT
) -> bytes:
    """Run ``program args`` with the DOT ``source`` on standard input; returns standard output.

    Warnings (such as a label a little too large for its box) are silenced with ``-q``; a
    failure raises :class:`GraphvizError` with Graphviz's own message.
    """
    executable = find_program(program)
    if _Ending.now:
        raise _stopped(program)
    # The source is read from a file without a name (gone with the process, whatever stops
    # it): a pipe would need a writer that keeps up with Graphviz while the output is read.
    with _source_file(source) as dot:
        try:
            process = subprocess.Popen(
                [executable, "-q", *args],
                stdin=dot,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,  # its own process group, out of the terminal's reach
            )
        except OSError as exc:
            raise ExecutableNotFound(program, f"{exc.strerror}; {INSTALL_HINT}") from None
    with _lock:
        _running.add(process)
    try:
        stdout, stderr = _wait(process, program, timeout)
    finally:
        _end(process)
        with _lock:
            _running.discard(process)
    if process.returncode != 0:
        message = stderr.decode("utf-8", "replace").strip().splitlines()
        detail = "; ".join(message[:3]) or f"exit status {process.returncode}"
        raise GraphvizError(f"Graphviz '{program}' failed: {detail}")
    return stdout


@contextlib.contextmanager
def _source_file(source: str) -> Iterator[BinaryIO]:
    """The DOT source in a temporary file without a name, read from its start."""
    with contextlib.ExitStack() as stack:
        try:
            dot = stack.enter_context(tempfile.TemporaryFile())
            dot.write(source.encode("utf-8"))
            dot.seek(0)
        except OSError as exc:
            raise GraphvizError(
                f"cannot hand the diagram to Graphviz: the temporary folder "
                f"{tempfile.gettempdir()} cannot be written ({exc.strerror}); free some space "
                "there, or set TMPDIR to a folder that can be written"
            ) from None
        yield dot


def _wait(process: subprocess.Popen[bytes], program: str, timeout: float) -> tuple[bytes, bytes]:
    """The run's output, waited for in short steps so that the program's end is noticed."""
    deadline = time.monotonic() + timeout
    while True:
        if _Ending.now:
            raise _stopped(program)
        left = deadline - time.monotonic()
        if left <= 0:
            raise GraphvizError(
                f"Graphviz '{program}' took more than {timeout:.0f} s; the model is too large "
                "to draw in one picture (see docs/diagrams.md, 'Large models')"
            )
        with contextlib.suppress(subprocess.TimeoutExpired):  # a retry loses no output
            return process.communicate(timeout=min(_POLL, left))


def _stopped(program: str) -> GraphvizError:
    return GraphvizError(f"Graphviz '{program}' was stopped: the command is ending")


def _end(process: subprocess.Popen[bytes]) -> None:
    """Kill the run's process group unless it has finished, close its pipes, collect it."""
    if process.poll() is None:  # not collected yet, so its id is still its own
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
    process.wait()


@atexit.register
def _end_at_exit() -> None:
    """The program is exiting: no Graphviz run of any thread outlives it."""
    _Ending.now = True
    with _lock:
        left = list(_running)
    for process in left:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)


@functools.cache
def graphviz_version() -> str:
    """The installed Graphviz version, such as ``2.43.0``; raises if ``dot`` is missing."""
    result = subprocess.run(
        [find_program("dot"), "-V"], capture_output=True, check=False, timeout=30
    )
    text = (result.stderr or result.stdout).decode("utf-8", "replace")
    words = text.split()
    return words[words.index("version") + 1] if "version" in words else text.strip()
