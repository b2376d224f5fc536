"""Finding model files: in the folders a command is given, and the variants of one service.

Every command that takes folders finds its files here, so that they all agree on what a
folder holds: ``*.yaml`` and ``*.yml`` files, in sorted order, each once. Hidden files and
folders (``.git``, ``.venv``) and ``node_modules`` are skipped; links to folders are followed
but a loop of links is walked once; inside a folder only regular files count, so a FIFO, a
device or a broken link named ``*.yaml`` is passed over instead of hanging or failing the
command. A path named on the command line is given as it is (the loader then says what is
wrong with it).

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> for name in ("as-is.yaml", "to-be.yaml", ".draft.yaml", "node_modules/x.yaml"):
...     (root / name).parent.mkdir(exist_ok=True)
...     _ = (root / name).write_text("bpr: 1")
>>> [p.name for p in find_models([root])]
['as-is.yaml', 'to-be.yaml']
>>> find_variants(root).as_is.name
'as-is.yaml'
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

__all__ = [
    "MODEL_SUFFIXES",
    "SKIPPED_FILES",
    "SKIPPED_FOLDERS",
    "Variants",
    "find_models",
    "find_variants",
]

#: The endings of model file names.
MODEL_SUFFIXES = (".yaml", ".yml")
#: Folders never searched for models (besides hidden ones, whose names start with a dot).
SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__"})
#: Files in a folder that are not models: the portfolio file (``bpr portfolio``).
SKIPPED_FILES = frozenset({"portfolio.yaml", "portfolio.yml"})

_Identity = tuple[int, int]


class Variants(NamedTuple):
    """The model files of one service folder: its As-Is and its To-Be variants."""

    as_is: Path | None
    to_be: list[Path]


def find_models(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """The model files among ``paths``: files as given, folders searched for ``*.yaml``/``*.yml``.

    Files in a folder come in sorted order; a file reached twice (through overlapping paths or
    a link) is given once, at its first place.
    """
    seen: set[_Identity | Path] = set()
    for entry in paths:
        path = Path(entry)
        candidates = sorted(_walk(path)) if _is_folder(path) else [path]
        for candidate in candidates:
            key = _identity(candidate) or candidate.absolute()
            if key not in seen:
                seen.add(key)
                yield candidate


def find_variants(folder: str | os.PathLike[str]) -> Variants:
    """The As-Is (``as-is.yaml``) and the To-Be variants (``to-be*.yaml``) of a service folder.

    ``to-be.yaml`` comes first, then the other To-Be variants (``to-be-2030.yaml``) in name
    order. Only regular files count; a part that is missing is ``None`` or an empty list.
    """
    base = Path(folder)
    names = sorted(p.name for p in _regular_files(base)) if _is_folder(base) else []
    as_is = next((base / n for n in ("as-is.yaml", "as-is.yml") if n in names), None)
    to_be = sorted(
        (base / n for n in names if n.startswith("to-be") and n.endswith(MODEL_SUFFIXES)),
        key=lambda p: (p.stem != "to-be", p.name),
    )
    return Variants(as_is, to_be)


def _walk(top: Path) -> Iterator[Path]:
    """Every model file under ``top``, following links to folders but never around a loop."""
    visited: set[_Identity] = set()
    pending = [top]
    while pending:
        folder = pending.pop()
        identity = _identity(folder)
        if identity is None or identity in visited:
            continue
        visited.add(identity)
        try:
            with os.scandir(folder) as entries:
                listed = sorted(entries, key=lambda e: e.name)
        except OSError:  # unreadable or vanished: nothing to find there
            continue
        for item in listed:
            if item.name.startswith("."):
                continue
            if _entry_is_folder(item):
                if item.name not in SKIPPED_FOLDERS:
                    pending.append(Path(item.path))
            elif (
                item.name.endswith(MODEL_SUFFIXES)
                and item.name not in SKIPPED_FILES
                and _entry_is_file(item)
            ):
                yield Path(item.path)


def _regular_files(folder: Path) -> Iterator[Path]:
    try:
        with os.scandir(folder) as entries:
            found = [Path(e.path) for e in entries if _entry_is_file(e)]
    except OSError:
        return
    yield from found


def _entry_is_folder(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # a loop of links
        return False


def _entry_is_file(entry: os.DirEntry[str]) -> bool:
    """A regular file (through links); FIFOs, devices, sockets and broken links are not."""
    try:
        return stat.S_ISREG(entry.stat().st_mode)
    except OSError:
        return False


def _is_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(path.stat().st_mode)
    except (OSError, ValueError):
        return False


def _identity(path: Path) -> _Identity | None:
    """Device and inode of what ``path`` leads to, or ``None`` where it leads nowhere."""
    try:
        status = path.stat()
    except (OSError, ValueError):
        return None
    return (status.st_dev, status.st_ino)
