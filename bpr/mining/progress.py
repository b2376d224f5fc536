"""What a long reduction of an event log has done so far, told on standard error.

On a terminal, a status line is rewritten in place once the work has taken more than a
second; whatever the stream, a reduction that took more than a second ends with one line that
says what was read, how and how fast (so that a log of a batch job shows it too). Quick runs
print nothing.

>>> import io
>>> stream = io.StringIO()
>>> progress = Progress(stream, clock=iter([0.0, 0.5, 3.0]).__next__)
>>> progress("read 1,000 events")
>>> progress.summary("read 10,000 events")
>>> stream.getvalue()
'read 10,000 events in 3.0 s\\n'
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import IO

from bpr.core.i18n import domain, number

__all__ = ["Progress"]

_ = domain("mining").gettext

_AFTER = 1.0  # seconds before anything is shown


class Progress:
    """A callable told each step of the work; :meth:`summary` ends it."""

    def __init__(
        self, stream: IO[str] | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.begun = clock()
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())
        self.shown = 0

    def __call__(self, message: str) -> None:
        elapsed = self.clock() - self.begun
        if not self.live or elapsed < _AFTER:
            return
        # TRANSLATORS: what has been done so far, and the seconds it has taken
        line = _("{message} ({seconds} s)").format(message=message, seconds=f"{elapsed:.0f}")
        self.stream.write("\r" + line.ljust(self.shown))
        self.stream.flush()
        self.shown = len(line)

    def summary(self, message: str, seconds: float | None = None) -> None:
        """The last line: ``message`` and the time taken (``seconds``, or since the start),
        when that is more than a second."""
        elapsed = self.clock() - self.begun if seconds is None else seconds
        if self.shown:
            self.stream.write("\r" + " " * self.shown + "\r")
            self.shown = 0
        if elapsed >= _AFTER:
            # TRANSLATORS: what was done, and the seconds it took (3.0)
            line = _("{message} in {seconds} s").format(
                message=message, seconds=number(elapsed, ".1f")
            )
            self.stream.write(line + "\n")
            self.stream.flush()
