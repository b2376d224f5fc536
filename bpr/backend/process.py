"""The one rule for the external programs bpr runs: no child outlives its command.

Each child runs in its own process group, so that a Ctrl-C at the terminal reaches bpr only
(Graphviz's own SIGINT handling could deadlock ``neato``; a browser's helpers would linger),
and bpr ends the whole group itself: when the wait is interrupted (a signal's exception in
the waiting thread), when :func:`end_children` is called (the command line does so on
SIGINT and SIGTERM, for the children other threads wait on), on a time-out, and when the
program exits.

>>> import sys
>>> run([sys.executable, "-c", "print('hi')"], timeout=30, stopped=RuntimeError,
...     too_slow=RuntimeError).stdout
b'hi\\n'
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any

__all__ = ["Finished", "die_with_parent", "end_children", "ending", "run"]

#: Seconds between two looks, while waiting on a child, at whether the program is ending.
_POLL = 0.05

_running: set[subprocess.Popen[bytes]] = set()
_lock = threading.Lock()
#: The children's pre-exec hook where they must not outlive this process (see
#: :func:`die_with_parent`); ``None``: they are ended by :func:`end_children` and at exit.
_preexec: Callable[[], None] | None = None
#: Or the program each child is started through to the same end (``setpriv``), which keeps
#: the cheap start (vfork) that any pre-exec hook costs: ten times less time per child.
_through: tuple[str, ...] = ()


class _Ending:
    """Set once the program ends: children under way stop, new ones are refused. A plain
    flag, so that a signal handler may set it whatever the interrupted thread holds."""

    now = False


@dataclass(frozen=True)
class Finished:
    """What a child left: its exit status and its standard output and error."""

    returncode: int
    stdout: bytes
    stderr: bytes


def end_children() -> None:
    """Stop every child under way, in any thread, within a fraction of a second, and refuse
    new ones: for the program's signal handlers, as it ends."""
    _Ending.now = True


def die_with_parent() -> None:
    """Have every child this process starts from now on killed by the kernel when this
    process dies, however it dies (Linux; elsewhere nothing changes).

    For a worker process that its parent may have to kill before it could end its own
    children: without it, a Graphviz run of a killed worker would go on alone. Each child is
    started through util-linux's ``setpriv --pdeathsig`` where it is installed (a Python
    pre-exec hook otherwise, which costs every start a copy of the whole process).
    """
    global _preexec, _through
    if not sys.platform.startswith("linux"):
        return
    setpriv = shutil.which("setpriv")  # util-linux: sets the signal, then runs the program
    if setpriv is not None:
        _through = (setpriv, "--pdeathsig", "KILL", "--")
        return
    import ctypes  # only the workers that ask need it

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    set_parent_death_signal, kill = 1, int(signal.SIGKILL)  # PR_SET_PDEATHSIG

    def hook() -> None:  # in the child, between fork and exec
        prctl(set_parent_death_signal, kill)

    _preexec = hook


def ending() -> bool:
    """Whether the program is ending (no new child will start)."""
    return _Ending.now


def run(
    command: Sequence[str],
    *,
    timeout: float,
    stopped: Callable[[], BaseException] | type[BaseException],
    too_slow: Callable[[], BaseException] | type[BaseException],
    cannot_start: Callable[[OSError], BaseException] | None = None,
    stdin: int | IO[Any] | None = subprocess.DEVNULL,
    capture_stdout: bool = True,
) -> Finished:
    """Run ``command`` to its end in its own process group and return what it left.

    ``stopped()`` is raised where the program ends meanwhile (or has already begun to),
    ``too_slow()`` after ``timeout`` seconds; in both cases, and on any exception in the
    waiting thread (KeyboardInterrupt included), the child's whole group is killed first.
    ``cannot_start(error)`` words the ``OSError`` of a program that does not start.
    """
    if _Ending.now:
        raise stopped()
    # a program that cannot start fails as itself (its OSError), not as setpriv's exit status
    through = _through if _through and shutil.which(command[0]) else ()
    try:
        process = subprocess.Popen(
            [*through, *command],
            stdin=stdin,
            stdout=subprocess.PIPE if capture_stdout else subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group, out of the terminal's reach
            preexec_fn=_preexec,
        )
    except OSError as exc:
        if cannot_start is None:
            raise
        raise cannot_start(exc) from None
    with _lock:
        _running.add(process)
    try:
        stdout, stderr = _wait(process, timeout, stopped, too_slow)
    finally:
        _end(process)
        with _lock:
            _running.discard(process)
    return Finished(process.returncode, stdout or b"", stderr or b"")


def _wait(
    process: subprocess.Popen[bytes],
    timeout: float,
    stopped: Callable[[], BaseException] | type[BaseException],
    too_slow: Callable[[], BaseException] | type[BaseException],
) -> tuple[bytes, bytes]:
    """The child's output, waited for in short steps so that the program's end is noticed."""
    deadline = time.monotonic() + timeout
    while True:
        if _Ending.now:
            raise stopped()
        left = deadline - time.monotonic()
        if left <= 0:
            raise too_slow()
        with contextlib.suppress(subprocess.TimeoutExpired):  # a retry loses no output
            return process.communicate(timeout=min(_POLL, left))


def _end(process: subprocess.Popen[bytes]) -> None:
    """Kill the child's process group unless it has finished, close its pipes, collect it."""
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
    """The program is exiting: no child of any thread outlives it."""
    _Ending.now = True
    with _lock:
        left = list(_running)
    for process in left:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
