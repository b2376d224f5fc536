"""Writing outputs whole or not at all, never over an input, and never over what is not a file.

A regular file is written to a temporary file beside it and renamed over it when complete, so
that readers see the old file or the new one, never half of one. What is not a regular file is
written through, never replaced: a device (``/dev/null``), a FIFO, and a link (to a file,
which is then replaced where it stands, or to a device or ``/proc/self/fd/1``). ``-`` is
standard output. A folder that does not exist is created.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> atomic_write(folder / "new" / "report.html", "<p>hello</p>").read_text()
'<p>hello</p>'
>>> atomic_write(folder / "new", "x")
Traceback (most recent call last):
bpr.errors.OutputError: ...new: this is a folder; name a file to write
"""

from __future__ import annotations

import errno
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from bpr.errors import OutputError
from bpr.files.finder import MODEL_SUFFIXES

__all__ = [
    "STDOUT",
    "atomic_output",
    "atomic_write",
    "refuse_model_name",
    "refuse_overwriting_inputs",
]

#: The output name that means standard output.
STDOUT = "-"


def refuse_model_name(output: str | os.PathLike[str], kind: str, suffix: str) -> None:
    """Raise :class:`OutputError` where an output of another format is named like a model
    file (``.yaml``/``.yml``): writing it would replace a model with, say, XML.

    ``kind`` names what the command writes (``"a BPMN file"``) and ``suffix`` its ending.

    >>> refuse_model_name("as-is.bpmn", "a BPMN file", ".bpmn")
    >>> refuse_model_name("as-is.yaml", "a BPMN file", ".bpmn")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    bpr.errors.OutputError: as-is.yaml: that is the name of a model file; ... as-is.bpmn)
    """
    name = os.fspath(output)
    if name.lower().endswith(MODEL_SUFFIXES):
        raise OutputError(
            f"{name}: that is the name of a model file; {kind} ends in {suffix} "
            f"(for example {Path(name).with_suffix(suffix)})"
        )


def refuse_overwriting_inputs(
    output: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]]
) -> None:
    """Raise :class:`OutputError` where ``output`` is one of the input files."""
    if os.fspath(output) == STDOUT:
        return
    target = _resolved(output)
    for entry in inputs:
        source = _resolved(entry)
        if target == source or (
            source.is_dir() and source in target.parents and target.suffix in MODEL_SUFFIXES
        ):
            raise OutputError(
                f"{output}: the output would overwrite the input {entry}; "
                "choose another output path"
            )


@contextmanager
def atomic_output(
    path: str | os.PathLike[str], *, inputs: Iterable[str | os.PathLike[str]] = ()
) -> Iterator[IO[bytes]]:
    """A binary stream to ``path`` that replaces a regular file only when complete.

    Readers see the old file or the complete new one, never a half-written file; on any error
    (in the caller's block too, and on SIGINT or SIGTERM) the temporary file is removed and the
    old file is untouched. A device, a FIFO or ``-`` (standard output) is written through; a
    link is followed, never replaced; missing folders are created.
    """
    if os.fspath(path) == STDOUT:
        yield from _to_standard_output()
        return
    refuse_overwriting_inputs(path, inputs)
    if _is_open_file_link(path):  # /dev/stdout, /proc/self/fd/1: what the process has open
        yield from _write_through(path, Path(path), append=True)
        return
    target, through = _where_to_write(path)
    if through:
        yield from _write_through(path, target)
    else:
        yield from _replace(path, target)


def atomic_write(
    path: str | os.PathLike[str],
    data: str | bytes,
    *,
    inputs: Iterable[str | os.PathLike[str]] = (),
) -> Path:
    """Write ``data`` to ``path`` whole or not at all (see :func:`atomic_output`)."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_output(path, inputs=inputs) as stream:
        stream.write(payload)
    return Path(path)


def _resolved(path: str | os.PathLike[str]) -> Path:
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):  # a loop of links (RuntimeError before Python 3.13)
        raise OutputError(f"{path}: a loop of symbolic links; name another path") from None


_OPEN_FILE = re.compile(r"/proc/\d+(?:/task/\d+)?/fd/\d+")


def _is_open_file_link(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` leads, through links, to one of the process's own open files.

    Such a link (``/dev/stdout``, ``/proc/self/fd/1``) stands for the open file itself:
    writing it must add to what the process writes there, not replace the file it names.
    """
    current = os.path.abspath(path)
    for _ in range(40):  # as many links as the kernel follows
        place = os.path.join(os.path.realpath(os.path.dirname(current)), os.path.basename(current))
        if _OPEN_FILE.fullmatch(place):
            return True
        if not os.path.islink(place):
            return False
        try:
            current = os.path.join(os.path.dirname(place), os.readlink(place))
        except OSError:
            return False
    return False


def _where_to_write(path: str | os.PathLike[str]) -> tuple[Path, bool]:
    """The file to write for ``path`` and whether to write through it instead of replacing it."""
    try:
        mode = os.stat(path).st_mode  # through links
    except (FileNotFoundError, NotADirectoryError):  # nothing there yet (or a dangling link)
        return _followed(path), False
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OutputError(f"{path}: a loop of symbolic links; name another path") from None
        raise OutputError(f"{path}: cannot write the file: {exc.strerror or exc}") from None
    if stat.S_ISDIR(mode):
        raise OutputError(f"{path}: this is a folder; name a file to write")
    if stat.S_ISREG(mode):
        return _followed(path), False  # a link to a file: replace the file, keep the link
    return Path(path), True  # a device, a FIFO, a socket, a terminal


def _followed(path: str | os.PathLike[str]) -> Path:
    """The path itself, or where it leads if it is a link."""
    return Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)


def _replace(shown: str | os.PathLike[str], target: Path) -> Iterator[IO[bytes]]:
    folder = target.parent
    temporary: str | None = None
    try:
        _make_folder(shown, folder)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(handle, "wb") as stream:
            yield stream
        try:
            mode = target.stat().st_mode & 0o777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except OSError as exc:
        if isinstance(exc, OutputError):
            raise
        raise OutputError(f"{shown}: cannot write the file: {_reason(exc)}") from None
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)


def _make_folder(shown: str | os.PathLike[str], folder: Path) -> None:
    if folder.is_dir():
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        blocked = next(
            (p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None
        )
        reason = f"{blocked} is a file, not a folder" if blocked else _reason(exc)
        raise OutputError(f"{shown}: cannot create the folder {folder}: {reason}") from None


def _write_through(
    shown: str | os.PathLike[str], target: Path, *, append: bool = False
) -> Iterator[IO[bytes]]:
    try:
        with open(target, "ab" if append else "wb") as stream:
            yield stream
    except OSError as exc:
        raise OutputError(f"{shown}: cannot write: {_reason(exc)}") from None


def _to_standard_output() -> Iterator[IO[bytes]]:
    sys.stdout.flush()  # what was printed before comes first
    stream = getattr(sys.stdout, "buffer", None)
    if stream is None:  # pragma: no cover - a text-only stream set up by a host program
        raise OutputError("-: standard output takes no bytes here; name a file")
    yield stream
    stream.flush()


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)
