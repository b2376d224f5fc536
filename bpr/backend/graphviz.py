"""The one place that runs Graphviz programs (``dot``, ``neato``); nothing else calls them.

Each run goes through :mod:`bpr.backend.process`, the one rule for children: its own process
group (Graphviz's own SIGINT handling could deadlock ``neato``), ended with the command on an
interrupt, on SIGINT or SIGTERM (:func:`end_children`), on a time-out and at exit.
"""

from __future__ import annotations

import contextlib
import functools
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from typing import BinaryIO

from bpr.backend import process
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


def end_children() -> None:
    """Stop every Graphviz run (and every other child) under way and refuse new ones: for the
    program's signal handlers, as it ends; see :func:`bpr.backend.process.end_children`."""
    process.end_children()


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
    # The source is read from a file without a name (gone with the process, whatever stops
    # it): a pipe would need a writer that keeps up with Graphviz while the output is read.
    with _source_file(source) as dot:
        finished = process.run(
            [executable, "-q", *args],
            stdin=dot,
            timeout=timeout,
            stopped=lambda: _stopped(program),
            too_slow=lambda: GraphvizError(
                f"Graphviz '{program}' took more than {timeout:.0f} s; the model is too "
                "large to draw in one picture (see docs/diagrams.md, 'Large models')"
            ),
            cannot_start=lambda exc: ExecutableNotFound(program, f"{exc.strerror}; {INSTALL_HINT}"),
        )
    stdout, stderr = finished.stdout, finished.stderr
    if finished.returncode != 0:
        message = stderr.decode("utf-8", "replace").strip().splitlines()
        detail = "; ".join(message[:3]) or f"exit status {finished.returncode}"
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


def _stopped(program: str) -> GraphvizError:
    return GraphvizError(f"Graphviz '{program}' was stopped: the command is ending")


@functools.cache
def graphviz_version() -> str:
    """The installed Graphviz version, such as ``2.43.0``; raises if ``dot`` is missing."""
    # as every run here: its own process group, ended with the command (a report asks first)
    result = process.run(
        [find_program("dot"), "-V"],
        timeout=30,
        stopped=lambda: _stopped("dot"),
        too_slow=lambda: GraphvizError("Graphviz 'dot -V' took more than 30 s to say its version"),
        cannot_start=lambda exc: ExecutableNotFound("dot", f"{exc.strerror}; {INSTALL_HINT}"),
    )
    text = (result.stderr or result.stdout).decode("utf-8", "replace")
    words = text.split()
    return words[words.index("version") + 1] if "version" in words else text.strip()
