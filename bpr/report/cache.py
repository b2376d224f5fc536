"""The cache of drawn diagrams: a report or a watch redraws only what changed.

An entry is keyed on everything a drawing is made from: the content of the loaded models
(:func:`model_fingerprint`, their canonical data, names in every language), what is drawn
and with which options, the output language, bpr's version and code, and the Graphviz
version. It lives under ``$XDG_CACHE_HOME/bpr`` (``~/.cache/bpr`` by default), is written
whole or not at all (:func:`bpr.files.output.atomic_write`), and is checked on reading: an
entry that is truncated or damaged is dropped and drawn again. The cache keeps to
:data:`DEFAULT_LIMIT` bytes (``BPR_CACHE_SIZE``, in MiB), the least recently used entries
going first. ``BPR_NO_CACHE=1``, ``bpr report --no-cache`` or :func:`caching` turn it off.

>>> import tempfile
>>> cache = DiagramCache(Path(tempfile.mkdtemp()))
>>> key = cache.key("swimlane", "a model's fingerprint", "en")
>>> cache.get(key) is None
True
>>> cache.put(key, {"caption": "As-Is"}, [b"<svg/>"])
>>> cache.get(key)
({'caption': 'As-Is'}, [b'<svg/>'])
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import enum
import functools
import hashlib
import json
import os
import time
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from bpr.backend.graphviz import graphviz_version
from bpr.core.model import Model
from bpr.core.version import __version__
from bpr.errors import BprError, OutputError
from bpr.files.output import atomic_write

__all__ = [
    "DEFAULT_LIMIT",
    "DiagramCache",
    "cache_folder",
    "caching",
    "model_fingerprint",
    "open_cache",
]

#: The cache's size bound in bytes unless ``BPR_CACHE_SIZE`` (MiB) says otherwise.
DEFAULT_LIMIT = 512 * 2**20
#: The first line of every entry; a new layout of entries changes it.
_MAGIC = b"bpr-diagram-cache 1\n"
#: Fields of a model that say where it was read from, not what it holds.
_NOT_CONTENT = frozenset({"file", "source", "warnings"})
#: Each model's fingerprint, made once ("" for a model that has none): models do not change.
_fingerprints: weakref.WeakKeyDictionary[Model, str] = weakref.WeakKeyDictionary()
#: Whether this run may use the cache (None: as the environment says).
_enabled: ContextVar[bool | None] = ContextVar("bpr_diagram_cache", default=None)


@contextlib.contextmanager
def caching(enabled: bool | None) -> Iterator[None]:
    """Use the cache inside the block (``False``: draw everything; ``None``: as
    ``BPR_NO_CACHE`` says)."""
    token = _enabled.set(enabled)
    try:
        yield
    finally:
        _enabled.reset(token)


def cache_folder(environ: Mapping[str, str] | None = None) -> Path:
    """Where the diagrams are kept: ``$XDG_CACHE_HOME/bpr/diagrams``, else
    ``~/.cache/bpr/diagrams``.

    >>> cache_folder({"XDG_CACHE_HOME": "/var/cache/me"}).as_posix()
    '/var/cache/me/bpr/diagrams'
    """
    env = os.environ if environ is None else environ
    base = env.get("XDG_CACHE_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"  # XDG: relative ignored
    return root / "bpr" / "diagrams"


def _limit(environ: Mapping[str, str]) -> int:
    text = environ.get("BPR_CACHE_SIZE", "").strip()
    try:
        return max(0, int(float(text) * 2**20)) if text else DEFAULT_LIMIT
    except ValueError:
        return DEFAULT_LIMIT


def open_cache(environ: Mapping[str, str] | None = None) -> DiagramCache | None:
    """The cache this run uses, or None where it is turned off (:func:`caching`,
    ``BPR_NO_CACHE=1``) or Graphviz cannot say its version (then nothing is drawn anyway)."""
    env = os.environ if environ is None else environ
    enabled = _enabled.get()
    if enabled is None:
        enabled = env.get("BPR_NO_CACHE", "").strip().lower() in ("", "0", "no", "false")
    if not enabled:
        return None
    try:
        graphviz = graphviz_version()
    except (BprError, OSError):
        return None
    return DiagramCache(cache_folder(env), _limit(env), graphviz=graphviz)


#: The parts of bpr a drawing is made by: the model, measures, comparison, layout, drawing,
#: Graphviz runs, the catalogues, and this module with the report's drawing of diagrams.
_DRAWN_BY = ("core", "analysis", "comparison", "layout", "render", "backend", "locale")
#: The catalogues those parts write with (a drawing has no word of the others).
_CATALOGUES = frozenset({"common", "diagram", "diff", "lint", "measures", "validate"})


@functools.cache
def _code() -> str:
    """The code and catalogues that draw, as they are on disk (their sizes and times), so
    that a changed drawing rule or translation in a working copy misses the old entries."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(__version__.encode())
    files = [package / "report" / "diagrams.py", Path(__file__).resolve()]
    for part in _DRAWN_BY:
        files += sorted((package / part).rglob("*"))
    for path in files:
        if path.suffix == ".py" or (path.suffix == ".mo" and path.stem in _CATALOGUES):
            info = path.stat()
            digest.update(
                f"{path.relative_to(package)}:{info.st_size}:{info.st_mtime_ns};".encode()
            )
    return digest.hexdigest()


_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _content_fields(kind: type) -> tuple[str, ...] | None:
    """The fields of a dataclass that hold content; None for what is not a dataclass."""
    if kind not in _FIELDS:
        _FIELDS[kind] = (
            tuple(f.name for f in dataclasses.fields(kind) if f.name not in _NOT_CONTENT)
            if dataclasses.is_dataclass(kind)
            else None
        )
    return _FIELDS[kind]


def _canonical(value: Any) -> Any:
    """``value`` as plain JSON data that says everything it holds, in its order."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:  # the most, first
        return value
    if kind is tuple or kind is list:
        return [_canonical(v) for v in value]
    names = _FIELDS.get(kind)
    if names is not None:
        return [kind.__name__, [[n, _canonical(getattr(value, n))] for n in names]]
    if isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return repr(value)  # nan and inf too, and never a rounded figure
    if isinstance(value, enum.Enum):
        return _canonical(value.value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    names = _content_fields(type(value))
    if names is not None:
        return [type(value).__name__, [[n, _canonical(getattr(value, n))] for n in names]]
    if isinstance(value, Mapping):
        return ["{}", [[_canonical(k), _canonical(v)] for k, v in value.items()]]
    if isinstance(value, (set, frozenset)):
        return ["set", sorted(json.dumps(_canonical(v), sort_keys=True) for v in value)]
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    raise TypeError(f"no canonical form for {type(value).__name__}")


def model_fingerprint(model: Model) -> str | None:
    """A digest of what a loaded model holds (not where its file is): two models with the
    same fingerprint draw the same diagrams. None where a value has no canonical form (the
    model is then drawn every time).

    >>> import bpr
    >>> text = "bpr: 1\\nservice: s\\nvariant: as-is\\nactors: {a: {name: A}}\\n"
    >>> text += "steps: [{id: x, actor: a}]\\n"
    >>> model_fingerprint(bpr.loads(text)) == model_fingerprint(bpr.loads(text + "# a note\\n"))
    True
    >>> model_fingerprint(bpr.loads(text)) == model_fingerprint(bpr.loads(text.replace("A}", "B}")))
    False
    """
    known = _fingerprints.get(model)
    if known is not None:
        return known or None
    try:
        text = json.dumps(_canonical(model), ensure_ascii=False, separators=(",", ":"))
    except TypeError:
        digest = ""
    else:
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    _fingerprints[model] = digest
    return digest or None


class DiagramCache:
    """Drawn diagrams on disk, each a little metadata and a few byte strings (SVG or PNG
    pages), found by :meth:`key`."""

    def __init__(self, folder: Path, limit: int = DEFAULT_LIMIT, *, graphviz: str = "") -> None:
        self.folder = folder
        self.limit = limit
        self.graphviz = graphviz
        self.written = 0  # entries this process wrote

    def key(self, *parts: object) -> str:
        """The key of a drawing made from ``parts`` (what is drawn, fingerprints, options,
        language), with bpr's version and code and the Graphviz version."""
        text = json.dumps([_code(), self.graphviz, *parts], ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / key

    def has(self, key: str) -> bool:
        """Whether there is an entry for ``key`` (it is checked when read)."""
        return self._path(key).is_file()

    def get(self, key: str) -> tuple[dict[str, Any], list[bytes]] | None:
        """The entry's metadata and parts, or None where it is missing, truncated or damaged
        (a damaged entry is removed, to be drawn again)."""
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        entry = _unpack(data)
        if entry is None:
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        with contextlib.suppress(OSError):  # recently used: the last to be pruned
            os.utime(path)
        return entry

    def put(self, key: str, meta: Mapping[str, Any], parts: Sequence[bytes]) -> None:
        """Keep a drawing; a cache that cannot be written is passed over in silence (the
        report is complete without it)."""
        try:
            atomic_write(self._path(key), _pack(meta, parts))
        except (OutputError, OSError):
            return
        self.written += 1

    def prune(self) -> int:
        """Remove the least recently used entries (and temporary files left by a run that
        was stopped) until the cache holds at most :attr:`limit` bytes; returns how many
        files went."""
        entries: list[tuple[float, int, Path]] = []
        removed = 0
        stale = time.time() - 3600
        try:
            folders = list(self.folder.iterdir())
        except OSError:
            return 0
        for folder in folders:
            try:
                files = list(folder.iterdir())
            except OSError:
                continue
            for path in files:
                try:
                    info = path.stat()
                except OSError:
                    continue
                if path.name.startswith(".") and info.st_mtime < stale:
                    with contextlib.suppress(OSError):
                        path.unlink()
                        removed += 1
                    continue
                entries.append((info.st_mtime, info.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= self.limit:
                break
            with contextlib.suppress(OSError):
                path.unlink()
                removed += 1
                total -= size
        return removed


def _pack(meta: Mapping[str, Any], parts: Sequence[bytes]) -> bytes:
    header = json.dumps({"meta": meta, "sizes": [len(p) for p in parts]}).encode("utf-8")
    body = header + b"\n" + b"".join(parts)
    return _MAGIC + hashlib.sha256(body).hexdigest().encode("ascii") + b"\n" + body


def _unpack(data: bytes) -> tuple[dict[str, Any], list[bytes]] | None:
    """An entry's metadata and parts; None unless it is whole and as written."""
    if not data.startswith(_MAGIC):
        return None
    digest, newline, body = data[len(_MAGIC) :].partition(b"\n")
    if not newline or hashlib.sha256(body).hexdigest().encode("ascii") != digest:
        return None
    header, newline, rest = body.partition(b"\n")
    try:
        head = json.loads(header)
        meta, sizes = head["meta"], head["sizes"]
    except (ValueError, KeyError, TypeError):
        return None
    if not newline or not isinstance(meta, dict) or sum(sizes) != len(rest):
        return None
    parts, start = [], 0
    for size in sizes:
        parts.append(rest[start : start + size])
        start += size
    return meta, parts
