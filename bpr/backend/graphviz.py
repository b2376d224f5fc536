"""The one place that runs Graphviz programs (``dot``, ``neato``); nothing else calls them."""

from __future__ import annotations

import functools
import shutil
import subprocess
from collections.abc import Sequence

from bpr.errors import ExecutableNotFound, GraphvizError

__all__ = ["INSTALL_HINT", "GraphvizError", "find_program", "graphviz_version", "run_graphviz"]

INSTALL_HINT = (
    "install Graphviz with: sudo apt-get install graphviz (Debian/Ubuntu), "
    "brew install graphviz (macOS), or run scripts/setup.sh"
)
#: Seconds one Graphviz run may take before it is stopped; a 1000-step model needs a few.
TIMEOUT = 300.0


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
    try:
        result = subprocess.run(
            [executable, "-q", *args],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise GraphvizError(
            f"Graphviz '{program}' took more than {timeout:.0f} s; the model is too large to "
            "draw in one picture (see docs/diagrams.md, 'Large models')"
        ) from None
    except OSError as exc:
        raise ExecutableNotFound(program, f"{exc.strerror}; {INSTALL_HINT}") from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = "; ".join(message[:3]) or f"exit status {result.returncode}"
        raise GraphvizError(f"Graphviz '{program}' failed: {detail}")
    return result.stdout


@functools.cache
def graphviz_version() -> str:
    """The installed Graphviz version, such as ``2.43.0``; raises if ``dot`` is missing."""
    result = subprocess.run(
        [find_program("dot"), "-V"], capture_output=True, check=False, timeout=30
    )
    text = (result.stderr or result.stdout).decode("utf-8", "replace")
    words = text.split()
    return words[words.index("version") + 1] if "version" in words else text.strip()
