"""Event logs in XES and CSV: reading them with clear errors, writing simulated ones."""

from __future__ import annotations

import csv
import functools
import gc
import gzip
import io
import operator
import os
import re
import sys
import zlib
from bisect import bisect_right
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import accumulate, chain, islice, repeat
from operator import itemgetter
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast
from xml.sax.saxutils import quoteattr

from bpr.core.i18n import N_, domain
from bpr.core.text import for_csv, for_xml
from bpr.errors import DependencyError, EventLogError, closest
from bpr.files.output import atomic_output
from bpr.files.sql import identifier, literal, problem

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = [
    "ACTIVITY",
    "CASE",
    "GROUP",
    "LIFECYCLE",
    "LOG_SUFFIXES",
    "RESOURCE",
    "START",
    "TIMESTAMP",
    "EventTable",
    "LogColumns",
    "XesScan",
    "duckdb_module",
    "log_kind",
    "missing_column",
    "missing_value",
    "parquet_schema",
    "read_csv_header",
    "read_log",
    "write_log",
]

# pm4py's column names (the XES standard's keys), which read_log returns whatever the input.
CASE = "case:concept:name"
ACTIVITY = "concept:name"
TIMESTAMP = "time:timestamp"
START = "start_timestamp"
RESOURCE = "org:resource"
GROUP = "org:group"
LIFECYCLE = "lifecycle:transition"

#: The file endings read_log and write_log understand.
LOG_SUFFIXES = (".xes", ".xes.gz", ".csv", ".csv.gz", ".parquet")

_CHUNK = 100_000  # events formatted at a time when writing


@dataclass(frozen=True)
class LogColumns:
    """Which column (CSV) or attribute (XES) holds what; the defaults are pm4py's names.

    ``case`` is a trace attribute in XES (``case:concept:name`` is the trace's
    ``concept:name``). ``None`` for resource, group or start means "use it where present".
    """

    case: str = CASE
    activity: str = ACTIVITY
    timestamp: str = TIMESTAMP
    resource: str | None = None
    group: str | None = None
    start: str | None = None

    def optional(self) -> dict[str, tuple[str, bool]]:
        """Output column -> (input name, whether the user named it and so it must exist)."""
        return {
            RESOURCE: (self.resource or RESOURCE, self.resource is not None),
            GROUP: (self.group or GROUP, self.group is not None),
            START: (self.start or START, self.start is not None),
        }


_, ngettext = domain("mining")[:2]

#: What each column of a log holds, for the messages (translated where they are written), and
#: the option that names it.
_ROLE_OPTION = {
    # TRANSLATORS: what a column of an event log holds, set into the messages about it
    CASE: (N_("case id"), "--case"),
    ACTIVITY: (N_("activity"), "--activity"),
    TIMESTAMP: (N_("timestamp"), "--timestamp"),
    RESOURCE: (N_("resource"), "--resource"),
    GROUP: (N_("group"), "--group"),
    START: (N_("start timestamp"), "--start-timestamp"),
}


def _label(role: str) -> str:
    """What the column of ``role`` holds, in the output language."""
    return _(_ROLE_OPTION[role][0])


def missing_value(where: str, role: str, *, rows: bool = False) -> EventLogError:
    """The error for an event (at ``where``: ``file:line``) without its case, activity or time;
    ``rows``: ``where`` counts the rows of a Parquet file, from 1.

    >>> str(missing_value("log.csv:7", "concept:name"))[:48]
    "log.csv:7: an event has no activity ('concept:na"
    """
    if rows:
        message = _(
            "{where}: an event has no {label} ('{column}'); every event needs a case id, an "
            "activity and a timestamp (the row counts from 1)"
        )
    else:
        message = _(
            "{where}: an event has no {label} ('{column}'); every event needs a case id, an "
            "activity and a timestamp"
        )
    return EventLogError(message.format(where=where, label=_label(role), column=role))


def _suffix(path: str | os.PathLike[str]) -> str:
    name = os.fspath(path).lower()
    for suffix in LOG_SUFFIXES:
        if name.endswith(suffix):
            return suffix
    raise EventLogError(
        _("{path}: unknown kind of event log; name a file ending in {suffixes}").format(
            path=path, suffixes=", ".join(LOG_SUFFIXES)
        )
    )


# -- reading ---------------------------------------------------------------------------------


def read_log(path: str | os.PathLike[str], columns: LogColumns | None = None) -> pd.DataFrame:
    """Read an event log (XES, CSV or Parquet) into a pandas DataFrame with pm4py's column names.

    The frame has one row per completed activity: ``case:concept:name``, ``concept:name``,
    ``time:timestamp`` (UTC) and, where the log has them, ``org:resource``, ``org:group`` and
    ``start_timestamp`` (from a start column, or from XES start events paired with their
    complete events). Rows are sorted by case and time. Only the needed columns are read, with
    categorical strings, so that logs of millions of events fit in memory.

    Raises :class:`bpr.EventLogError` naming the file, the missing attribute and the fix.

    >>> log = read_log("tests/data/logs/tiny.csv")  # doctest: +SKIP
    """
    try:
        import pandas  # noqa: F401
    except ImportError:
        raise DependencyError("pandas", "reading event logs", "mining") from None
    columns = columns or LogColumns()
    name = os.fspath(path)
    suffix = _suffix(name)
    if not Path(name).is_file():
        raise EventLogError(_("{path}: no such file; check the path").format(path=name))
    if suffix == ".parquet":
        reader = _read_parquet
    else:
        reader = _read_csv if suffix.startswith(".csv") else _read_xes
    frame, sourcelines = reader(name, columns)
    return _finish(frame, name, sourcelines)


def _missing(path: str, role: str, wanted: str, available: list[str], xes: bool) -> EventLogError:
    option = _ROLE_OPTION[role][1]
    shown = ", ".join(available[:20]) + (" ..." if len(available) > 20 else "")
    if xes:
        # TRANSLATORS: {label} is what the attribute holds (case id, activity...); {hint} is
        # empty or "; did you mean 'x'?"; {shown} lists the log's attributes
        message = _(
            "{path}: the log has no attribute '{wanted}' for the {label}{hint} (its attributes: "
            "{shown}); name the right one with {option}"
        )
    else:
        message = _(
            "{path}: the log has no column '{wanted}' for the {label}{hint} (its columns: "
            "{shown}); name the right one with {option}"
        )
    return EventLogError(
        message.format(
            path=path,
            wanted=wanted,
            label=_label(role),
            hint=_did_you_mean(wanted, available),
            # TRANSLATORS: the log has no attributes or columns at all
            shown=shown or _("none"),
            option=option,
        )
    )


def _did_you_mean(word: str, choices: list[str]) -> str:
    """:func:`bpr.errors.did_you_mean` in the output language."""
    options = sorted(set(choices))
    close = closest(word, options)
    if close is not None:
        return _("; did you mean '{choice}'?").format(choice=close)
    if not options:
        return ""
    if len(options) <= 12:
        return _("; valid: {choices}").format(choices=", ".join(options))
    return _("; valid: {choices}, ... ({n} in all)").format(
        choices=", ".join(options[:12]), n=len(options)
    )


def log_kind(path: str | os.PathLike[str]) -> str:
    """``csv``, ``xes`` or ``parquet``: the kind of log a file name says (gzipped or not).

    >>> log_kind("cases.xes.gz"), log_kind("cases.CSV"), log_kind("cases.parquet")
    ('xes', 'csv', 'parquet')
    """
    return _suffix(path).removeprefix(".").removesuffix(".gz")


def missing_column(path: str, role: str, wanted: str, header: list[str]) -> EventLogError:
    """The error for a CSV or Parquet column that the log lacks, with the one meant and the fix."""
    return _missing(path, role, wanted, header, xes=False)


def read_csv_header(path: str) -> list[str]:
    """The header of a CSV log, refused clearly when empty or separated by ; or tabs."""
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as stream:
            header = next(csv.reader(stream), None)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise EventLogError(
            _("{path}: cannot read the CSV header: {problem}").format(path=path, problem=exc)
        ) from None
    if not header or not any(h.strip() for h in header):
        raise EventLogError(
            _("{path}: the file is empty; an event log needs a header and events").format(path=path)
        )
    if len(header) == 1:
        separators = (
            (
                ";",
                N_(
                    "{path}: the header is one column with semicolons in it: the file is "
                    "separated by semicolons, and bpr reads comma-separated CSV; save it again "
                    "with commas (in a spreadsheet: CSV, comma-delimited)"
                ),
            ),
            (
                "\t",
                N_(
                    "{path}: the header is one column with tabs in it: the file is separated by "
                    "tabs, and bpr reads comma-separated CSV; save it again with commas (in a "
                    "spreadsheet: CSV, comma-delimited)"
                ),
            ),
        )
        for separator, message in separators:
            if separator in header[0]:
                raise EventLogError(_(message).format(path=path))
    return header


def _read_csv(path: str, columns: LogColumns) -> tuple[pd.DataFrame, list[int] | None]:
    import pandas as pd

    header = read_csv_header(path)
    wanted = {CASE: columns.case, ACTIVITY: columns.activity, TIMESTAMP: columns.timestamp}
    for role, column in wanted.items():
        if column not in header:
            raise _missing(path, role, column, header, xes=False)
    for role, (column, required) in columns.optional().items():
        if column in header:
            wanted[role] = column
        elif required:
            raise _missing(path, role, column, header, xes=False)
    lifecycle = LIFECYCLE if LIFECYCLE in header and LIFECYCLE not in wanted.values() else None
    use = list(dict.fromkeys([*wanted.values(), *([lifecycle] if lifecycle else [])]))
    times = {wanted[TIMESTAMP], wanted.get(START)} - {None}
    try:
        # Every cell is text: ids such as 007 and 7 stay apart, and words such as NA, None or
        # null are names; only an empty cell is missing.
        raw = pd.read_csv(
            path,
            usecols=use,
            dtype="string",
            keep_default_na=False,
            na_values=[""],
            encoding="utf-8-sig",
        )
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError, csv.Error) as exc:
        raise EventLogError(
            _("{path}: cannot read the CSV file: {problem}").format(path=path, problem=exc)
        ) from None
    frame = pd.DataFrame(
        {
            role: raw[column] if column in times else _unguard(raw[column]).astype("category")
            for role, column in wanted.items()
        }
    )
    if lifecycle:
        frame[LIFECYCLE] = raw[lifecycle].astype("category")
    return frame, None


def duckdb_module(feature: str) -> Any:
    """DuckDB, imported on first use; ``feature`` names what needs it in the error."""
    try:
        import duckdb
    except ImportError:
        raise DependencyError("duckdb", feature, "mining") from None
    return duckdb


def parquet_schema(path: str) -> dict[str, str]:
    """The columns of a Parquet file and their DuckDB types, or a clear error."""
    duckdb = duckdb_module("reading Parquet event logs")
    try:
        rows = duckdb.connect().execute(f"DESCRIBE SELECT * FROM read_parquet({literal(path)})")
        schema = {str(row[0]): str(row[1]) for row in rows.fetchall()}
    except duckdb.Error as exc:
        raise EventLogError(
            _("{path}: cannot read the Parquet file: {problem}").format(
                path=path, problem=problem(exc)
            )
        ) from None
    return schema


def _is_time(kind: str) -> bool:
    return kind.upper().startswith(("TIMESTAMP", "DATE"))


def _read_parquet(path: str, columns: LogColumns) -> tuple[pd.DataFrame, list[int] | None]:
    """The needed columns of a Parquet log; text columns are read as text (``007`` stays)."""
    import pandas as pd

    duckdb = duckdb_module("reading Parquet event logs")
    schema = parquet_schema(path)
    header = list(schema)
    wanted = {CASE: columns.case, ACTIVITY: columns.activity, TIMESTAMP: columns.timestamp}
    for role, column in wanted.items():
        if column not in schema:
            raise _missing(path, role, column, header, xes=False)
    for role, (column, required) in columns.optional().items():
        if column in schema:
            wanted[role] = column
        elif required:
            raise _missing(path, role, column, header, xes=False)
    if LIFECYCLE in schema and LIFECYCLE not in wanted.values():
        wanted[LIFECYCLE] = LIFECYCLE
    selected = []
    for role, column in wanted.items():
        quoted = identifier(column)
        timed = role in (TIMESTAMP, START) and _is_time(schema[column])
        if timed:
            # a naive time is UTC, as pandas reads one
            selected.append(f"timezone('UTC', {quoted}::TIMESTAMPTZ) AS \"{role}\"")
        else:
            selected.append(f'CAST({quoted} AS VARCHAR) AS "{role}"')
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    try:
        raw = connection.execute(f"SELECT {', '.join(selected)} FROM read_parquet(?)", [path]).df()
    except duckdb.Error as exc:
        raise EventLogError(
            _("{path}: cannot read the Parquet file: {problem}").format(
                path=path, problem=problem(exc)
            )
        ) from None
    frame = pd.DataFrame(index=raw.index)
    for role in wanted:
        values = raw[role]
        if role in (TIMESTAMP, START):
            if pd.api.types.is_datetime64_any_dtype(values):
                frame[role] = pd.to_datetime(values).dt.tz_localize("UTC")
            else:
                frame[role] = values.astype("string")
        else:
            frame[role] = values.astype("string").astype("category")
    return frame, None


# A cell that a spreadsheet would read as a formula starts with one of these (OWASP's list);
# write_log puts an apostrophe before such text, and before text that starts with an
# apostrophe followed by one of them, so that read_log can take exactly one away.
_GUARDED = ("=", "+", "-", "@", "\t", "\r", "'")


def _guard(text: str) -> str:
    """A text cell for a CSV log: :func:`bpr.core.text.for_csv`, reversible by :func:`_unguard`.

    >>> _guard("=1+1"), _guard("'=x"), _guard("'quoted'"), _guard("Check")
    ("'=1+1", "''=x", "'quoted'", 'Check')
    """
    cell = for_csv(text)
    if cell == text and text.startswith("'") and text[1:2] and text[1] in _GUARDED:
        cell = "'" + text
    return str(cell)


def _unguard(values: pd.Series) -> pd.Series:
    """Text cells without the apostrophe :func:`_guard` put before them."""
    guarded = values.str.match("'[=+\\-@\t\r']").fillna(False)
    if not guarded.any():
        return values
    values = values.copy()
    values[guarded] = values[guarded].str.slice(1)
    return values


class _Unusual(Exception):
    """The XES file holds something that only lxml reads exactly (or an error it reports)."""


# The common shape of XES, which XesScan reads with regular expressions: UTF-8 text with
# double-quoted values and no references, comments, CDATA or processing instructions; a head
# of plain elements (no prefixes) in a root <log>, then <trace> elements holding attribute
# elements (key then value) and <event> elements holding only attribute elements. Anything
# else, including any error, is read by lxml, whose results the fast reading reproduces.
# The patterns use possessive quantifiers (Python 3.11), which keep a failed match linear; on
# Python 3.10 every XES file is read by lxml.
_PLAIN_READING = sys.version_info >= (3, 11)


def _plain_pattern(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled, or where Python has no possessive quantifiers one that never
    matches (the plain reading is not used there)."""
    return re.compile(pattern if _PLAIN_READING else "(?!)")


_W = "[ \t\r\n]"
_NAME = "[A-Za-z_][A-Za-z0-9._-]{0,999}"
_TYPE = "(?:string|date|int|float|boolean|id)"
# attribute values that XML keeps as they are (no references, no white space it would turn
# into spaces, no characters it refuses; U+FFFE and U+FFFF are looked for in the whole text)
_TEXT = '"[^"<&\t\n\r\x00-\x08\x0b\x0c\x0e-\x1f]*+"'
_HEAD_TEXT = '"[^"<&\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]{0,100000}+"'
_ATTRIBUTE = f"<{_TYPE}{_W}++key={_TEXT}{_W}++value={_TEXT}{_W}*+/>"
_ATTRIBUTES = f"(?:{_W}*+{_ATTRIBUTE})*+"
_EVENT = f"<event>{_ATTRIBUTES}{_W}*+</event{_W}*+>"
_PLAIN_TRACE = _plain_pattern(
    f"{_W}*+<trace>(?P<head>{_ATTRIBUTES})(?P<events>(?:{_W}*+{_EVENT})*+)"
    f"(?P<tail>(?:{_W}*+(?:{_ATTRIBUTE}|{_EVENT}))*+){_W}*+</trace>"
)
_PLAIN_EVENTS = _plain_pattern(_EVENT)
_PLAIN_START = re.compile("<event>")
_PLAIN_TYPED = re.compile(f'<({_TYPE}) key="([^"]*)"')
_PLAIN_PAIR = re.compile(f'key="([^"]*)"{_W}+value="([^"]*)"')
_PLAIN_END = _plain_pattern(f"{_W}*+</log{_W}*+>{_W}*+")
_PLAIN_BLANK = _plain_pattern(f"{_W}*+")
_PLAIN_DECLARATION = re.compile(
    f"<\\?xml{_W}+version{_W}*={_W}*(?:\"1\\.0\"|'1\\.0')"
    f"(?:{_W}+encoding{_W}*={_W}*(?:\"(?i:utf-8)\"|'(?i:utf-8)'))?"
    f"(?:{_W}+standalone{_W}*={_W}*(?:\"(?:yes|no)\"|'(?:yes|no)'))?{_W}*\\?>"
)
_PLAIN_TAG = _plain_pattern(
    f"({_W}+)|<({_NAME})((?:{_W}+{_NAME}{_W}*={_W}*{_HEAD_TEXT})*+){_W}*(/?)>|</({_NAME}){_W}*>"
)
_PLAIN_HEAD_ATTRIBUTE = re.compile(f'({_NAME}){_W}*={_W}*"([^"]*)"')
_PLAIN_NAMESPACE = re.compile('(?:https?://(?!www\\.w3\\.org/)[^ \t\r\n"]*)?')
_PLAIN_BLOCK = 4 << 20  # bytes read at a time
# bytes held without a trace end before lxml takes over; a part read is then shorter than
# libxml2's longest attribute value (10 million characters), which it refuses
_PLAIN_MOST = 4 << 20


@functools.lru_cache(maxsize=64)
def _plain_template(order: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    """An event whose attributes are written as ``<kind key="key" value="..."/>`` in ``order``
    (any of them absent), with a last group that is not None when more attributes follow."""
    slots = "".join(
        f'(?:{_W}*+<{kind} key="{re.escape(key)}" value="([^"]*)"/>)?+' for key, kind in order
    )
    return _plain_pattern(f"<event>{slots}{_W}*+(<(?!/))?+")


def _plain_head(text: str) -> int:
    """Where the first trace (or the end of a log without traces) begins in ``text``, the
    file's first part, once its declaration and head are known to be of the common shape."""
    position = 1 if text.startswith("\ufeff") else 0
    declaration = _PLAIN_DECLARATION.match(text, position)
    if declaration is not None:
        position = declaration.end()
    opened: list[str] = []
    while True:
        token = _PLAIN_TAG.match(text, position)
        if token is None:
            raise _Unusual
        _blank, name, attributes, empty, closing = token.groups()
        if closing is not None:
            if not opened or opened[-1] != closing:
                raise _Unusual
            if opened == ["log"]:
                return position
            opened.pop()
        elif name is not None:
            if name in ("trace", "event"):
                if name == "trace" and opened == ["log"] and text.startswith("<trace>", position):
                    return position
                raise _Unusual
            if (not opened and (name != "log" or empty)) or len(opened) > 64:
                raise _Unusual
            pairs = _PLAIN_HEAD_ATTRIBUTE.findall(attributes)
            if len({key for key, _value in pairs}) != len(pairs) or any(
                key == "xmlns" and not _PLAIN_NAMESPACE.fullmatch(value) for key, value in pairs
            ):
                raise _Unusual
            if not empty:
                opened.append(name)
        position = token.end()


class XesScan:
    """A streamed pass over an XES file: events in batches, never the whole tree in memory.

    :meth:`batches` yields dicts of equal-length lists, one per role (pm4py's names, plus
    ``lifecycle:transition`` and ``line``, the event's line in the file), the case of each
    event filled in when its trace ends. ``keys`` (every attribute key seen) and ``traces``
    are complete once the batches are exhausted.

    Most XES files have one plain shape (see ``_PLAIN_TRACE``): those are read a few megabytes
    at a time with regular expressions, which do the work of each event in C. A file with
    anything else (comments, references, nested attributes, prefixes, other encodings, broken
    XML...) is read by lxml's iterparse, which hands back only the ends of events and traces
    and clears each at once; where the plain reading has given batches already, lxml starts
    again and gives only the rest. Both give the same batches, keys, traces and errors.
    """

    def __init__(self, path: str, columns: LogColumns, size: int = _CHUNK) -> None:
        self.path = path
        self.case_key = columns.case.removeprefix("case:")
        self.attribute = {ACTIVITY: columns.activity, TIMESTAMP: columns.timestamp}
        for role, (key, _) in columns.optional().items():
            self.attribute[role] = key
        self.attribute[LIFECYCLE] = LIFECYCLE
        self.size = size
        self.keys: set[str] = set()
        self.traces = 0
        self._reader = ""  # which reading ran: "plain" or "lxml"

    def _empty(self) -> dict[str, list[Any]]:
        return {role: [] for role in (CASE, *self.attribute, "line")}

    def batches(self) -> Iterator[dict[str, list[Any]]]:
        """The events in batches; see the class. A file of the common shape of XES is read by
        :meth:`_plain_batches`; one with anything else (or with an error) by lxml, from the
        start, without the batches already given."""
        given = 0
        if _PLAIN_READING:
            self._reader = "plain"
            try:
                for rows in self._plain_batches():
                    given += 1
                    yield rows
                return
            except _Unusual:
                pass
        self._reader = "lxml"
        self.keys.clear()
        self.traces = 0
        for number, rows in enumerate(self._parsed_batches()):
            if number >= given:
                yield rows

    def _plain_batches(self) -> Iterator[dict[str, list[Any]]]:
        """The batches of a file of the common shape, read with regular expressions.

        Raises :class:`_Unusual` at the first thing outside that shape (see ``_PLAIN_*``),
        having yielded only batches that lxml would yield alike.
        """
        path = self.path
        opener = gzip.open if path.endswith(".gz") else open
        rows = self._empty()
        newlines = 0  # line ends before the text in hand
        try:
            with opener(path, "rb") as stream:
                data = stream.read(1 << 16)
                _refuse_entities(path, data)
                start: int | None = None
                end = False
                while True:
                    if not end:
                        block = stream.read(_PLAIN_BLOCK)
                        end = not block
                        data += block
                    if end:
                        cut = len(data)
                    else:
                        cut = data.rfind(b"</trace>")
                        if cut < 0:
                            if len(data) > _PLAIN_MOST:
                                raise _Unusual
                            continue
                        cut += len(b"</trace>")
                    text = data[:cut].decode("utf-8")
                    data = data[cut:]
                    if "\r" in text and text.count("\r") != text.count("\r\n"):
                        raise _Unusual  # a carriage return alone ends a line of its own
                    if "\ufffe" in text or "\uffff" in text:
                        raise _Unusual  # characters XML refuses
                    start = _plain_head(text) if start is None else 0
                    rows = yield from self._plain_traces(text, start, newlines, rows, end)
                    if end:
                        break
                    newlines += text.count("\n")
        except (OSError, EOFError, UnicodeDecodeError, zlib.error):
            raise _Unusual from None
        if rows[CASE]:
            yield rows

    def _plain_traces(
        self, text: str, start: int, newlines: int, rows: dict[str, list[Any]], last: bool
    ) -> Generator[dict[str, list[Any]], None, dict[str, list[Any]]]:
        """The traces of ``text`` from ``start`` (all of it but, in the ``last`` part, the end of
        the log) added to ``rows``, which is yielded and renewed as it fills."""
        collecting = gc.isenabled()
        gc.disable()  # the lists made here hold no cycles; counting them costs a third
        try:
            counts, columns = self._plain_columns(text, start, newlines, last)
        finally:
            if collecting:
                gc.enable()
        taken = 0
        done = 0
        for events in counts:
            self.traces += 1
            done += events
            if len(rows[CASE]) + done - taken >= self.size:
                for role, values in columns.items():
                    rows[role].extend(values[taken:done])
                yield rows
                rows = self._empty()
                taken = done
        for role, values in columns.items():
            rows[role].extend(values[taken:])
        return rows

    def _parsed_batches(self) -> Iterator[dict[str, list[Any]]]:
        """The batches as lxml reads them: any XML, and its errors with their lines."""
        from lxml import etree  # type: ignore[import-untyped]

        path, keys = self.path, self.attribute
        wanted = {key: role for role, key in keys.items()}
        rows = self._empty()
        trace_start = 0  # where the events of the current trace begin in ``rows``
        opener = gzip.open if path.endswith(".gz") else open
        try:
            with opener(path, "rb") as stream:
                _refuse_entities(path, stream.read(1 << 16))
                stream.seek(0)
                parser = etree.iterparse(
                    stream,
                    events=("end",),
                    tag=("{*}event", "{*}trace"),
                    resolve_entities=False,
                    no_network=True,
                    load_dtd=False,
                )
                for _event, element in parser:
                    if element.tag.rpartition("}")[2] == "event":
                        current: dict[str, Any] = {}
                        for child in element:
                            key = child.get("key")
                            if key is not None:
                                self.keys.add(key)
                                if key in wanted:
                                    current[key] = child.get("value")
                        for role, key in keys.items():
                            rows[role].append(current.get(key))
                        rows[CASE].append(None)
                        rows["line"].append(element.sourceline or 0)
                        parent = element.getparent()
                        if parent is None or parent.tag.rpartition("}")[2] != "trace":
                            trace_start = len(rows[CASE])  # an event outside any trace: no case
                        element.clear()
                        continue
                    self.traces += 1
                    trace_id = None
                    for child in element:
                        if (
                            child.get("key") == self.case_key
                            and child.tag.rpartition("}")[2] != "event"
                        ):
                            trace_id = child.get("value")
                    cases = rows[CASE]
                    for i in range(trace_start, len(cases)):
                        cases[i] = trace_id
                    element.clear()
                    while element.getprevious() is not None:
                        del element.getparent()[0]
                    if len(cases) >= self.size:
                        yield rows
                        rows = self._empty()
                    trace_start = len(rows[CASE])
        except etree.XMLSyntaxError as exc:
            raise EventLogError(
                _("{path}:{line}: the XES file is not well-formed XML: {problem}").format(
                    path=path, line=exc.lineno, problem=exc.msg
                )
            ) from None
        except (OSError, EOFError) as exc:
            raise EventLogError(
                _("{path}: cannot read the file: {problem}").format(path=path, problem=exc)
            ) from None
        if rows[CASE]:
            yield rows

    def _plain_columns(
        self, text: str, start: int, newlines: int, last: bool
    ) -> tuple[list[int], dict[str, list[Any]]]:
        """The number of events of each trace in ``text`` and their columns."""
        ends: list[int] = []
        cases: list[str | None] = []
        position = start
        match = _PLAIN_TRACE.match
        while True:
            found = match(text, position)
            if found is None:
                break
            pairs = _PLAIN_PAIR.findall(found["head"])
            tail = found["tail"]
            if tail:  # trace attributes after its first events
                pairs += _PLAIN_PAIR.findall(_PLAIN_EVENTS.sub("", tail))
            ids = [value for key, value in pairs if key == self.case_key]
            cases.append(ids[-1] if ids else None)
            position = found.end()
            ends.append(position)
        finish = _PLAIN_END if last else _PLAIN_BLANK
        if finish.fullmatch(text, position) is None:
            raise _Unusual
        matches = list(_PLAIN_START.finditer(text, start, position))
        starts = list(map(re.Match.start, matches))
        before = list(map(bisect_right, repeat(starts), ends))
        counts = list(map(operator.sub, before, chain((0,), before)))
        # the line of an event is the line of its start tag, counted from 1
        breaks = map(text.count, repeat("\n"), chain((start,), starts), starts)
        first = newlines + text.count("\n", 0, start) + 1
        lines = list(islice(accumulate(breaks, initial=first), 1, None))
        columns = self._plain_attributes(text, starts, position)
        columns[CASE] = list(chain.from_iterable(map(repeat, cases, counts)))
        columns["line"] = lines
        return counts, columns

    def _plain_attributes(self, text: str, starts: list[int], end: int) -> dict[str, list[Any]]:
        """The wanted attributes of the events that begin at ``starts`` in ``text``.

        Most events of a log have their attributes in one order: one regular expression with a
        group for each key of that order reads them all; an event it does not read whole is
        read attribute by attribute.
        """
        count = len(starts)
        if not count:
            return {role: [] for role in self.attribute}
        bounds = [*starts[1:], end]

        def body(i: int) -> str:
            return text[starts[i] : bounds[i]].partition("</event")[0]

        sample = max((_PLAIN_TYPED.findall(body(i)) for i in range(min(count, 100))), key=len)
        order = list({key: kind for kind, key in sample}.items())
        template = _plain_template(tuple(order))
        # the template matches at every event start: its groups are all optional
        matched = cast("Iterator[re.Match[str]]", map(template.match, repeat(text), starts))
        found = list(map(re.Match.groups, matched))
        slots = len(order)
        odd = [i for i, extra in enumerate(map(itemgetter(slots), found)) if extra]
        keys = self.keys
        positions = {}
        for i, (key, _kind) in enumerate(order):
            values = list(map(itemgetter(i), found))
            if key not in keys and values.count(None) != count:
                keys.add(key)
            positions[key] = values
        extra = {i: dict(_PLAIN_PAIR.findall(body(i))) for i in odd}
        for attributes in extra.values():
            keys.update(attributes)
        columns: dict[str, list[Any]] = {}
        for role, key in self.attribute.items():
            column = positions[key] if key in positions else [None] * count
            for i, attributes in extra.items():
                column[i] = attributes.get(key)
            columns[role] = column
        return columns

    def empty_error(self) -> EventLogError:
        """The error for a file that held no event."""
        if self.traces:
            message = ngettext(
                "{path}: the log is empty ({n} traces and no events); an event log needs events",
                "{path}: the log is empty ({n} traces and no events); an event log needs events",
                self.traces,
            )
        else:
            message = _("{path}: the log is empty (no traces); an event log needs events")
        return EventLogError(message.format(path=self.path, n=self.traces))

    def missing(self, role: str) -> EventLogError:
        """The error for a required attribute (or a named optional one) no event has."""
        return _missing(self.path, role, self.attribute[role], sorted(self.keys), xes=True)

    def without(self, role: str, line: int) -> EventLogError:
        """The error for an event (at ``line``) without its activity, time or case."""
        if role == CASE:
            return EventLogError(
                _(
                    "{path}:{line}: a trace has no '{key}' attribute (the case id); name the "
                    "trace attribute that identifies cases with --case"
                ).format(path=self.path, line=line, key=self.case_key)
            )
        return EventLogError(
            _(
                "{path}:{line}: an event has no '{key}' attribute; every event needs its {label}"
            ).format(path=self.path, line=line, key=self.attribute[role], label=_label(role))
        )


def _read_xes(path: str, columns: LogColumns) -> tuple[pd.DataFrame, list[int] | None]:
    """Stream the XES file (:class:`XesScan`), keeping only the needed attributes."""
    import pandas as pd

    scan = XesScan(path, columns)
    rows: dict[str, list[Any]] = {}
    for batch in scan.batches():
        for role, values in batch.items():
            rows.setdefault(role, []).extend(values)
    if not rows:
        raise scan.empty_error()
    lines = rows.pop("line")
    cases = rows.pop(CASE)
    for role in (ACTIVITY, TIMESTAMP):
        if all(v is None for v in rows[role]):
            raise scan.missing(role)
        if any(v is None for v in rows[role]):
            first = next(i for i, v in enumerate(rows[role]) if v is None)
            raise scan.without(role, lines[first])
    if any(c is None for c in cases):
        first = next(i for i, c in enumerate(cases) if c is None)
        raise scan.without(CASE, lines[first])
    frame = pd.DataFrame({CASE: pd.Categorical(cases)})
    for role, values in rows.items():
        optional = columns.optional().get(role)
        if all(v is None for v in values):
            if optional and optional[1]:
                raise scan.missing(role)
            continue
        if role in (TIMESTAMP, START):
            frame[role] = pd.array(values, dtype="string")
        else:
            frame[role] = pd.Categorical(values)
    return frame, lines


def _refuse_entities(path: str, head: bytes) -> None:
    """XES files declare no entities; a file that does is refused (entity expansion attacks)."""
    root = head.find(b"<log")
    prolog = head if root < 0 else head[:root]
    if b"<!ENTITY" in prolog.upper():
        raise EventLogError(
            _(
                "{path}: the file declares entities in a DOCTYPE, which XES logs never need; "
                "bpr refuses it for safety: remove the DOCTYPE"
            ).format(path=path)
        )


def _finish(frame: pd.DataFrame, path: str, sourcelines: list[int] | None) -> pd.DataFrame:
    """Check the required values, parse times, pair start and complete events, sort."""
    import pandas as pd

    if frame.empty:
        raise EventLogError(_("{path}: the log has a header but no events").format(path=path))
    kind = "xes" if sourcelines is not None else "csv"

    parquet = path.lower().endswith(".parquet")

    def where(position: int) -> str:
        if parquet:
            return _("{path}: row {row}").format(path=path, row=position + 1)
        if kind == "csv":
            return f"{path}:{position + 2}"  # the header is line 1
        if sourcelines:
            return f"{path}:{sourcelines[position]}"
        return path

    for role in (CASE, ACTIVITY, TIMESTAMP):
        empty = frame[role].isna().to_numpy()
        if empty.any():
            raise missing_value(where(int(empty.argmax())), role)
    for role in (TIMESTAMP, START):
        if role in frame:
            frame[role] = _parse_times(frame[role], role, where)
    if LIFECYCLE in frame:
        frame = _pair_lifecycle(frame)
    frame = frame.sort_values([CASE, TIMESTAMP], kind="stable", ignore_index=True)
    if CASE in frame and isinstance(frame[CASE].dtype, pd.CategoricalDtype):
        frame[CASE] = frame[CASE].cat.remove_unused_categories()
    return frame


def _parse_times(values: pd.Series, role: str, where: Any) -> pd.Series:
    import pandas as pd

    if pd.api.types.is_datetime64_any_dtype(values):  # a Parquet time column
        return pd.to_datetime(values, utc=True)
    text = values.astype("string")
    try:
        parsed = pd.to_datetime(text, utc=True, format="ISO8601")
    except (ValueError, TypeError, OverflowError):
        dayfirst = _day_first(text, role, where)
        try:
            parsed = pd.to_datetime(
                text, utc=True, format="mixed", errors="coerce", dayfirst=dayfirst
            )
        except (ValueError, TypeError, OverflowError):  # pragma: no cover - coerce swallows these
            parsed = pd.Series(pd.NaT, index=values.index)
    # pandas reads "NaN", "NaT" and "" as no time at all; a value that is there must be a time
    bad = (parsed.isna() & text.notna()).to_numpy()
    if bad.any():
        position = int(bad.argmax())
        raise EventLogError(
            _(
                "{where}: cannot read the {label} '{value}' ('{column}'); write timestamps as "
                "ISO 8601, such as 2026-01-05T09:30:00+01:00"
            ).format(
                where=where(position), label=_label(role), value=text.iloc[position], column=role
            )
        )
    return parsed


# A date written with its day and month as numbers before the year: 13/01/2020, 1.2.2020.
_NUMERIC_DATE = r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}\b"


def _day_first(text: pd.Series, role: str, where: Any) -> bool:
    """Whether dates such as 01/02/2020 are day first (1 February) in this column.

    Read without a rule, each date is guessed on its own: 13/01/2020 as 13 January but
    01/02/2020 as 2 January, which scrambles the order of events. A day above 12 tells the
    order of the column; a column with such days in both places is refused.
    """
    parts = text.str.extract(_NUMERIC_DATE).astype("Int64")
    day_first = (parts[0] > 12).fillna(False).to_numpy()
    month_first = (parts[1] > 12).fillna(False).to_numpy()
    if day_first.any() and month_first.any():
        one, other = int(day_first.argmax()), int(month_first.argmax())
        if role == START:
            message = _(
                "{where}: the start timestamps ('{column}') mix day-first and month-first dates "
                "('{one}' and '{other}'); write timestamps as ISO 8601, such as "
                "2026-01-05T09:30:00+01:00"
            )
        else:
            message = _(
                "{where}: the timestamps ('{column}') mix day-first and month-first dates "
                "('{one}' and '{other}'); write timestamps as ISO 8601, such as "
                "2026-01-05T09:30:00+01:00"
            )
        raise EventLogError(
            message.format(
                where=where(max(one, other)),
                column=role,
                one=text.iloc[one],
                other=text.iloc[other],
            )
        )
    return bool(day_first.any())


def _pair_lifecycle(frame: pd.DataFrame) -> pd.DataFrame:
    """Keep complete events; give each the time of its start event where the log has one."""
    transition = frame[LIFECYCLE].astype("string").str.lower()
    complete = (transition == "complete").fillna(False).to_numpy()
    start = (transition == "start").fillna(False).to_numpy()
    if not complete.any():
        return frame.drop(columns=[LIFECYCLE])
    done = frame[complete].drop(columns=[LIFECYCLE])
    if start.any() and START not in frame:
        began = frame[start][[CASE, ACTIVITY, TIMESTAMP]].rename(columns={TIMESTAMP: START})
        done = done.sort_values([CASE, TIMESTAMP], kind="stable")
        began = began.sort_values([CASE, START], kind="stable")
        done["_n"] = done.groupby([CASE, ACTIVITY], observed=True).cumcount()
        began["_n"] = began.groupby([CASE, ACTIVITY], observed=True).cumcount()
        done = done.merge(began, on=[CASE, ACTIVITY, "_n"], how="left").drop(columns="_n")
    return done.reset_index(drop=True)


# -- writing ---------------------------------------------------------------------------------


@dataclass
class EventTable:
    """Activity runs as parallel arrays, sorted by case and start time.

    ``activity`` indexes ``names``, ``resources`` and ``groups`` (``None``: no group); ``start``
    and ``complete`` are numpy ``datetime64[ms]`` in UTC; ``case`` holds case numbers.
    """

    case: np.ndarray
    activity: np.ndarray
    names: list[str]
    resources: list[str]
    groups: list[str | None]
    start: np.ndarray
    complete: np.ndarray

    def __len__(self) -> int:
        return len(self.case)

    def to_frame(self) -> pd.DataFrame:
        """The events as a pandas DataFrame with pm4py's column names."""
        import pandas as pd

        codes = self.activity.tolist()
        return pd.DataFrame(
            {
                CASE: pd.Categorical([f"case-{c + 1}" for c in self.case.tolist()]),
                ACTIVITY: pd.Categorical([self.names[i] for i in codes]),
                RESOURCE: pd.Categorical([self.resources[i] for i in codes]),
                GROUP: pd.Categorical([self.groups[i] for i in codes]),
                START: pd.to_datetime(self.start).tz_localize("UTC"),
                TIMESTAMP: pd.to_datetime(self.complete).tz_localize("UTC"),
            }
        )


@contextmanager
def _atomic_stream(path: str, inputs: tuple[str, ...]) -> Iterator[IO[str]]:
    """A UTF-8 text stream (gzipped for ``.gz``) that replaces ``path`` only when complete."""
    with atomic_output(path, inputs=inputs) as raw:
        binary: Any = (
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) if path.endswith(".gz") else raw
        )
        # closing the text stream closes the gzip stream, which writes its trailer
        with io.TextIOWrapper(binary, encoding="utf-8", newline="") as stream:
            yield stream


def _stamps(values: np.ndarray) -> list[str]:
    import numpy as np

    return [s + "+00:00" for s in np.datetime_as_string(values, unit="ms").tolist()]


def write_log(
    path: str | os.PathLike[str], table: EventTable, *, inputs: tuple[str, ...] = ()
) -> Path:
    """Write events as XES (a start and a complete event per run), CSV or Parquet (a row per run).

    The XES file uses the standard extensions (concept, time, org, lifecycle); the CSV and
    Parquet files pm4py's column names with ``start_timestamp`` for the start (Parquet: text
    columns and UTC timestamps, written by DuckDB). Written whole or not at all.
    """
    name = os.fspath(path)
    suffix = _suffix(name)
    if suffix == ".parquet":
        _write_parquet(name, table, inputs)
        return Path(name)
    with _atomic_stream(name, inputs) as stream:
        if suffix.startswith(".csv"):
            _write_csv(stream, table)
        else:
            _write_xes(stream, table)
    return Path(name)


def _write_parquet(path: str, table: EventTable, inputs: tuple[str, ...]) -> None:
    """The runs as Parquet: DuckDB joins the number columns with the names and writes the file.

    Only numbers go from numpy to DuckDB (no Python string per event), so ten million runs
    take seconds; the file is made in a temporary folder and copied whole into place.
    """
    import shutil
    import tempfile

    import numpy as np
    import pandas as pd

    duckdb = duckdb_module("writing Parquet event logs")
    runs = pd.DataFrame(
        {
            "n": np.arange(len(table), dtype=np.int64),
            "c": np.asarray(table.case, dtype=np.int64),
            "a": np.asarray(table.activity, dtype=np.int64),
            "s": np.asarray(table.start, dtype="datetime64[ms]"),
            "e": np.asarray(table.complete, dtype="datetime64[ms]"),
        }
    )
    names = pd.DataFrame(
        {
            "a": np.arange(len(table.names), dtype=np.int64),
            "name": pd.array(table.names, dtype="string"),
            "resource": pd.array(table.resources, dtype="string"),
            "grp": pd.array(table.groups, dtype="string"),
        }
    )
    with tempfile.TemporaryDirectory(prefix="bpr-parquet-") as folder:
        made = os.path.join(folder, "log.parquet")
        connection = duckdb.connect()
        connection.execute("SET TimeZone = 'UTC'")
        connection.register("runs", runs)
        connection.register("names", names)
        connection.execute(
            f"""COPY (
                SELECT 'case-' || (runs.c + 1) AS "{CASE}", names.name AS "{ACTIVITY}",
                       names.resource AS "{RESOURCE}", names.grp AS "{GROUP}",
                       timezone('UTC', runs.s) AS "{START}",
                       timezone('UTC', runs.e) AS "{TIMESTAMP}"
                FROM runs JOIN names USING (a) ORDER BY runs.n
            ) TO '{made}' (FORMAT parquet, COMPRESSION zstd)"""
        )
        connection.close()
        with open(made, "rb") as source, atomic_output(path, inputs=inputs) as target:
            shutil.copyfileobj(source, target, 1 << 20)


def _write_csv(stream: IO[str], table: EventTable) -> None:
    fixed = [
        (_guard(table.names[i]), _guard(table.resources[i]), _guard(table.groups[i] or ""))
        for i in range(len(table.names))
    ]
    # Python's csv module quotes a cell with a line feed but not one with a lone carriage
    # return, which readers take for a line end: where a name holds one, every cell is quoted.
    carriage_return = any("\r" in cell for cells in fixed for cell in cells)
    if carriage_return:
        writer = csv.writer(stream, lineterminator="\n", quoting=csv.QUOTE_ALL)
    else:
        writer = csv.writer(stream, lineterminator="\n")
    writer.writerow([CASE, ACTIVITY, RESOURCE, GROUP, START, TIMESTAMP])
    for begin in range(0, len(table), _CHUNK):
        part = slice(begin, begin + _CHUNK)
        starts, ends = _stamps(table.start[part]), _stamps(table.complete[part])
        writer.writerows(
            (f"case-{c + 1}", *fixed[a], s, e)
            for c, a, s, e in zip(
                table.case[part].tolist(), table.activity[part].tolist(), starts, ends, strict=True
            )
        )


_XES_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">
  <extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
  <extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
  <extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
  <extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
  <global scope="trace">
    <string key="concept:name" value="__INVALID__"/>
  </global>
  <global scope="event">
    <string key="concept:name" value="__INVALID__"/>
    <string key="lifecycle:transition" value="complete"/>
    <date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>
  </global>
  <classifier name="Activity" keys="concept:name"/>
  <classifier name="Activity and transition" keys="concept:name lifecycle:transition"/>
  <string key="concept:name" value="Simulated by bpr"/>
"""


def _xml_value(text: str) -> str:
    """An attribute value for XES: escaped, with characters XML cannot hold as U+FFFD."""
    return quoteattr(for_xml(text, "\ufffd"))


def _write_xes(stream: IO[str], table: EventTable) -> None:
    import numpy as np

    stream.write(_XES_HEAD)
    bodies = []
    for i, activity in enumerate(table.names):
        attributes = f'<string key="concept:name" value={_xml_value(activity)}/>'
        attributes += f'<string key="org:resource" value={_xml_value(table.resources[i])}/>'
        if table.groups[i]:
            attributes += f'<string key="org:group" value={_xml_value(table.groups[i] or "")}/>'
        bodies.append(attributes)
    # Two events per run, ordered by time within each case; a run's start precedes its
    # complete, and a run that completes when the next starts is written first.
    count = len(table)
    case = np.repeat(table.case, 2)
    when = np.empty(2 * count, dtype="datetime64[ms]")
    when[0::2], when[1::2] = table.start, table.complete
    rank = np.arange(2 * count)
    order = np.lexsort((rank, when, case))
    activity = table.activity.tolist()
    previous = None
    for begin in range(0, 2 * count, _CHUNK):
        chosen = order[begin : begin + _CHUNK]
        stamps = _stamps(when[chosen])
        lines = []
        for position, stamp, case_number in zip(
            chosen.tolist(), stamps, case[chosen].tolist(), strict=True
        ):
            if case_number != previous:
                if previous is not None:
                    lines.append("  </trace>\n")
                lines.append(
                    f'  <trace>\n    <string key="concept:name" value="case-{case_number + 1}"/>\n'
                )
                previous = case_number
            run = position // 2
            phase = "complete" if position % 2 else "start"
            lines.append(
                f"    <event>{bodies[activity[run]]}"
                f'<string key="lifecycle:transition" value="{phase}"/>'
                f'<date key="time:timestamp" value="{stamp}"/></event>\n'
            )
        stream.write("".join(lines))
    if previous is not None:
        stream.write("  </trace>\n")
    stream.write("</log>\n")
