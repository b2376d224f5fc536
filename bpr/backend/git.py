"""The one place that asks git about a file: the commit a model file was last changed in.

A report's cover names the version of each model it was made from. A file outside any
repository, a file never committed, or a machine without git has no commit: ``None``.

>>> last_commit("models/income-tax-return/as-is.yaml")  # doctest: +SKIP
'a6964fb'
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

__all__ = ["is_modified", "last_commit"]

#: Seconds a git question may take; a slow network file system should not stall a report.
TIMEOUT = 20.0


def _git(path: Path, *args: str) -> subprocess.CompletedProcess[str] | None:
    program = shutil.which("git")
    if program is None:
        return None
    folder = path.parent if path.parent.is_dir() else Path.cwd()
    try:
        return subprocess.run(
            [program, *args, "--", path.name],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"},
        )
    except (OSError, subprocess.SubprocessError):
        return None


def last_commit(path: str | os.PathLike[str]) -> str | None:
    """The short hash of the last commit that changed ``path``, or None where there is none."""
    result = _git(Path(path).resolve(), "log", "-1", "--format=%h")
    if result is None or result.returncode != 0:
        return None
    commit = result.stdout.strip()
    return commit or None


def is_modified(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` differs from its last committed version (False outside git)."""
    result = _git(Path(path).resolve(), "status", "--porcelain")
    return bool(result is not None and result.returncode == 0 and result.stdout.strip())
