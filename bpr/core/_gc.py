"""Pausing the cyclic garbage collector around work that builds many objects and no cycles."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["gc_paused"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Run a block with the cyclic collector off, restoring its state afterwards.

    Loading and measuring a large model make hundreds of thousands of small objects and no
    reference cycles; with the collector on, each collection rescans all of them again, which
    turns linear work quadratic. Reference counting still frees everything as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
