"""Writing output files whole or not at all, and never over an input."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from bpr.errors import OutputError

__all__ = ["atomic_output", "atomic_write", "refuse_model_name", "refuse_overwriting_inputs"]

_MODEL_SUFFIXES = (".yaml", ".yml")


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
    if name.lower().endswith(_MODEL_SUFFIXES):
        raise OutputError(
            f"{name}: that is the name of a model file; {kind} ends in {suffix} "
            f"(for example {Path(name).with_suffix(suffix)})"
        )


def refuse_overwriting_inputs(
    output: str | os.PathLike[str], inputs: Iterable[str | os.PathLike[str]]
) -> None:
    """Raise :class:`OutputError` where ``output`` is one of the input files."""
    target = Path(output).resolve()
    for entry in inputs:
        source = Path(entry).resolve()
        if target == source or (
            source.is_dir() and source in target.parents and target.suffix in (".yaml", ".yml")
        ):
            raise OutputError(
                f"{output}: the output would overwrite the input {entry}; "
                "choose another output path"
            )


@contextmanager
def atomic_output(
    path: str | os.PathLike[str], *, inputs: Iterable[str | os.PathLike[str]] = ()
) -> Iterator[IO[bytes]]:
    """A binary stream to a temporary file beside ``path`` that replaces it only when complete.

    Readers see the old file or the complete new one, never a half-written file; on any error
    (in the caller's block too) the temporary file is removed and the old file is untouched.
    """
    target = Path(path)
    refuse_overwriting_inputs(target, inputs)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"{path}: the folder {folder} does not exist; create it first")
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "wb") as stream:
            yield stream
        if target.exists():
            os.chmod(temporary, target.stat().st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write the file: {exc.strerror or exc}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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
