"""The one place that runs the headless Chromium browser: printing an HTML page to PDF.

Chromium runs with a fresh, throw-away profile (``--user-data-dir``), no network chatter
(background networking, component updates and sync off) and no first-run dialogs, as a
child of :mod:`bpr.backend.process`: its whole process group (renderer and GPU helpers
too) ends with the command on an interrupt, on SIGINT or SIGTERM, on a time-out and at exit.

>>> find_chromium()  # doctest: +SKIP
'/usr/bin/chromium'
>>> print_to_pdf("report.html", "report.pdf")  # doctest: +SKIP
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from bpr.backend import process
from bpr.errors import ExecutableNotFound, OutputError

__all__ = ["CHROMIUM_NAMES", "INSTALL_HINT", "TIMEOUT", "find_chromium", "print_to_pdf"]

#: The names the browser goes by, tried in this order on the PATH.
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
INSTALL_HINT = (
    "install Chromium with: sudo apt-get install chromium (Debian/Ubuntu), "
    "brew install --cask chromium (macOS), or run scripts/setup.sh"
)
#: Seconds one print may take before it is stopped; a 6-service portfolio needs about 10.
TIMEOUT = 180.0
#: Switches for a quiet, private, one-shot browser: no sandbox (it runs as root in
#: containers), no GPU, nothing fetched from the network behind the page's back.
_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--no-first-run",
    "--no-default-browser-check",
    "--mute-audio",
    "--hide-scrollbars",
)


def find_chromium() -> str:
    """The full path of the Chromium program; raises :class:`ExecutableNotFound` naming the fix.

    ``BPR_CHROMIUM`` in the environment names another browser program.
    """
    named = os.environ.get("BPR_CHROMIUM")
    if named:
        found = shutil.which(named)
        if found is None:
            raise ExecutableNotFound(named, f"BPR_CHROMIUM names it; {INSTALL_HINT}")
        return found
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found is not None:
            return found
    raise ExecutableNotFound("chromium", INSTALL_HINT)


def print_to_pdf(
    page: str | os.PathLike[str], pdf: str | os.PathLike[str], *, timeout: float = TIMEOUT
) -> Path:
    """Print the HTML file ``page`` to the PDF file ``pdf`` as Chromium's print preview would,
    with the page's own ``@page`` size and margins and no header or footer lines.

    ``pdf`` is written by Chromium itself: callers print to a temporary file and move it into
    place. Raises :class:`OutputError` with Chromium's own words where the print fails.
    """
    executable = find_chromium()
    source = Path(page).resolve()
    target = Path(pdf).resolve()
    with tempfile.TemporaryDirectory(prefix="bpr-chromium-") as profile:
        command = [
            executable,
            *_FLAGS,
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            "--run-all-compositor-stages-before-draw",
            "--virtual-time-budget=10000",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        finished = process.run(
            command,
            timeout=timeout,
            capture_stdout=False,
            stopped=lambda: OutputError(
                f"{target}: Chromium was stopped before it printed: the command is ending"
            ),
            too_slow=lambda: OutputError(
                f"Chromium took more than {timeout:.0f} s to print the report; report "
                "fewer services at a time"
            ),
            cannot_start=lambda exc: ExecutableNotFound(
                executable, f"{exc.strerror}; {INSTALL_HINT}"
            ),
        )
    stderr = finished.stderr
    if finished.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
        lines = [
            line
            for line in stderr.decode("utf-8", "replace").splitlines()
            if line.strip() and "dbus" not in line.lower()
        ]
        detail = "; ".join(lines[-3:]) or f"exit status {finished.returncode}"
        raise OutputError(f"{target}: Chromium could not print {source.name} to PDF: {detail}")
    return target
