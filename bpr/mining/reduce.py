"""An event log reduced to what discovery and conformance need, in memory or in DuckDB.

A national portal's log is tens of millions of events; discovery and conformance need far
less: the variants (each distinct sequence of activities with its number of cases), from which
the directly-follows graph comes; per activity its events, the percentiles of its work and wait
and its resources and groups; per month the cases that arrived; and the cases' own durations.
:class:`ReducedLog` holds exactly that, made either from a pandas frame of
:func:`bpr.files.eventlog.read_log` (:func:`reduce_frame`) or by DuckDB straight from the file
(:func:`reduce_file`: CSV, Parquet, or XES streamed in batches; one sort of the events, the
rest hash aggregations), with a memory limit for the whole process beyond which DuckDB spills
to a temporary folder that is removed at the end. Both give the same
figures, so a model and its fitness do not depend on which one ran.

>>> import pandas as pd
>>> log = pd.DataFrame({"case:concept:name": ["1", "1", "2"], "concept:name": ["a", "b", "a"],
...     "time:timestamp": pd.to_datetime(["2026-01-05 09:00", "2026-01-05 11:00",
...                                       "2026-01-06 09:00"], utc=True)})
>>> reduced = reduce_frame(log)
>>> reduced.variants, reduced.directly_follows()
({('a',): 1, ('a', 'b'): 1}, {('a', 'b'): 1})
"""

from __future__ import annotations

import datetime
import math
import os
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bpr.core.i18n import domain, number
from bpr.errors import BprError, EventLogError, Problem
from bpr.files.eventlog import (
    ACTIVITY,
    CASE,
    GROUP,
    LIFECYCLE,
    RESOURCE,
    START,
    TIMESTAMP,
    LogColumns,
    XesScan,
    duckdb_module,
    log_kind,
    missing_column,
    missing_value,
    parquet_schema,
    read_csv_header,
    read_log,
)
from bpr.files.sql import identifier, literal, problem
from bpr.mining.inductive.graph import Graph

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "BESIDE_DUCKDB",
    "ENGINES",
    "Percentiles",
    "ReducedLog",
    "chosen_engine",
    "duckdb_share",
    "memory_problem",
    "parse_memory",
    "reduce_file",
    "reduce_frame",
    "reduce_log",
]

#: How a log is reduced: ``memory`` (pandas, every check of read_log), ``duckdb``, or
#: ``auto`` (DuckDB for Parquet and for files of :data:`DUCKDB_FROM_BYTES` and more).
ENGINES = ("auto", "memory", "duckdb")
DUCKDB_FROM_BYTES = 32 * 1024 * 1024

QUANTILES = (0.1, 0.5, 0.9)

_ = domain("mining").gettext


def _read_events(events: int) -> str:
    """What the progress line says while a log is read."""
    return _("read {n} events").format(n=number(events, ","))


@dataclass(frozen=True)
class Percentiles:
    """The 10th, 50th (median) and 90th percentiles of a duration, in hours (linear)."""

    p10: float
    median: float
    p90: float


@dataclass
class ReducedLog:
    """What discovery and conformance read of an event log (see the module's docstring).

    ``variants`` are ordered by cases (most first), then by the activities; ``actors`` maps
    ``org:resource`` and ``org:group`` to ``{activity: {value: events}}`` (blank values left
    out); ``valued`` the events that have a value of each; ``case_days`` the percentiles of
    the cases' durations (first start to last complete) in days; ``arrivals`` the cases that
    began in each month (``YYYY-MM``); ``first_times`` the earliest and latest time of a case's
    first event (for the yearly volume).
    """

    source: str
    engine: str
    cases: int
    events: int
    variants: dict[tuple[str, ...], int]
    activity_events: dict[str, int]
    has_start: bool
    work: dict[str, Percentiles]
    wait: dict[str, Percentiles]
    actors: dict[str, dict[str, dict[str, int]]]
    valued: dict[str, int]
    resource_group: dict[str, str]
    case_days: Percentiles | None
    mean_case_days: float | None
    arrivals: dict[str, int]
    first_times: tuple[Any, Any] | None
    seconds: float = 0.0

    def graph(self) -> Graph:
        """The directly-follows graph of the variants, with the start and end counts (the one
        the inductive miner builds)."""
        return Graph.of(self.variants)

    def directly_follows(self) -> dict[tuple[str, str], int]:
        """The directly-follows graph: ``(a, b)`` -> how often ``b`` came right after ``a``."""
        return self.graph().edges

    def start_activities(self) -> dict[str, int]:
        """The first activity of the cases, with their number."""
        return self.graph().starts

    def end_activities(self) -> dict[str, int]:
        """The last activity of the cases, with their number."""
        return self.graph().ends


def _ordered(variants: dict[tuple[str, ...], int]) -> dict[tuple[str, ...], int]:
    return dict(sorted(variants.items(), key=lambda kv: (-kv[1], kv[0])))


def _percentiles(values: list[float] | tuple[float, ...] | None) -> Percentiles | None:
    if not values or any(v is None or (isinstance(v, float) and math.isnan(v)) for v in values):
        return None
    return Percentiles(*(float(v) for v in values))


def _actor_table(rows: list[tuple[str, str | None, str | None, int]]) -> dict[str, Any]:
    """Actors, valued counts and each resource's group from (activity, resource, group, n)."""
    actors: dict[str, dict[str, dict[str, int]]] = {RESOURCE: {}, GROUP: {}}
    valued = {RESOURCE: 0, GROUP: 0}
    pairs: dict[str, Counter[str]] = {}
    for activity, resource, group, count in rows:
        for column, value in ((RESOURCE, resource), (GROUP, group)):
            if value is None:
                continue
            valued[column] += count
            if value.strip():
                tally = actors[column].setdefault(activity, {})
                tally[value] = tally.get(value, 0) + count
        if resource is not None and group is not None:
            pairs.setdefault(resource, Counter())[group] += count
    # the most frequent group of each resource; a tie goes to the first in order of text
    resource_group = {
        resource: min(tally, key=lambda g: (-tally[g], g)) for resource, tally in pairs.items()
    }
    return {"actors": actors, "valued": valued, "resource_group": resource_group}


# -- in memory -------------------------------------------------------------------------------


def reduce_frame(log: pd.DataFrame, source: str = "the event log") -> ReducedLog:
    """The reduced form of a frame of :func:`bpr.files.eventlog.read_log` (sorted by case, time)."""
    import pandas as pd

    if log.empty:
        raise EventLogError(_("{source}: the log has no events").format(source=source))
    frame = pd.DataFrame(
        {
            CASE: log[CASE].astype(str),
            ACTIVITY: log[ACTIVITY].astype(str),
            TIMESTAMP: log[TIMESTAMP],
        }
    )
    has_start = START in log and bool(log[START].notna().any())
    began = log[START].fillna(log[TIMESTAMP]) if has_start else log[TIMESTAMP]
    hours = pd.Timedelta(hours=1)
    previous_end = frame.groupby(CASE, sort=False)[TIMESTAMP].shift(1)
    frame["_work"] = ((log[TIMESTAMP] - began) / hours).clip(lower=0) if has_start else 0.0
    frame["_wait"] = ((began - previous_end) / hours).clip(lower=0)
    frame["_began"] = began

    traces = frame.groupby(CASE, sort=False)[ACTIVITY].agg(tuple)
    variants = {tuple(t): int(n) for t, n in traces.value_counts(sort=False).items()}
    tally = {str(a): int(n) for a, n in frame[ACTIVITY].value_counts().items()}
    activity_events = dict(sorted(tally.items(), key=lambda kv: (-kv[1], kv[0])))
    by_activity = frame.groupby(ACTIVITY, sort=True)
    work_q = by_activity["_work"].quantile(list(QUANTILES)).unstack()
    wait_q = by_activity["_wait"].quantile(list(QUANTILES)).unstack()

    def table(q: pd.DataFrame) -> dict[str, Percentiles]:
        found = {}
        for activity, row in q.iterrows():
            value = _percentiles([row[x] for x in QUANTILES])
            if value is not None:
                found[str(activity)] = value
        return found

    rows: list[tuple[str, str | None, str | None, int]] = []
    columns = [c for c in (RESOURCE, GROUP) if c in log]
    if columns:
        parts = pd.DataFrame({ACTIVITY: frame[ACTIVITY]})
        for column in (RESOURCE, GROUP):
            parts[column] = log[column].astype("string") if column in log else pd.NA
        counted = parts.value_counts(dropna=False, sort=False)
        for (activity, resource, group), n in counted.items():
            rows.append(
                (
                    str(activity),
                    None if pd.isna(resource) else str(resource),
                    None if pd.isna(group) else str(group),
                    int(n),
                )
            )
    per_case = frame.groupby(CASE, sort=False).agg(
        first=(TIMESTAMP, "min"), began=("_began", "min"), last=(TIMESTAMP, "max")
    )
    days = (per_case["last"] - per_case["began"]) / pd.Timedelta(days=1)
    months = per_case["began"].dt.strftime("%Y-%m").value_counts().sort_index()
    return ReducedLog(
        source=source,
        engine="memory",
        cases=len(per_case),
        events=len(frame),
        variants=_ordered(variants),
        activity_events=activity_events,
        has_start=has_start,
        work=table(work_q) if has_start else {},
        wait=table(wait_q),
        **_actor_table(rows),
        case_days=_percentiles([float(days.quantile(q)) for q in QUANTILES]),
        mean_case_days=float(days.mean()),
        arrivals={str(m): int(n) for m, n in months.items()},
        first_times=(per_case["first"].min(), per_case["first"].max()),
    )


# -- in DuckDB -------------------------------------------------------------------------------

_UNITS = {"": 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12}
_UNITS.update({"KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40})


def parse_memory(text: str) -> int:
    """Bytes of a memory size such as ``2GB``, ``512MB`` or ``1.5GiB``.

    >>> parse_memory("2GB"), parse_memory("512 MiB")
    (2000000000, 536870912)
    """
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*", text)
    unit = match.group(2).upper() if match else ""
    if not match or unit not in _UNITS:
        raise BprError(
            _(
                "cannot read the memory size '{text}'; write a number and a unit, such as 2GB, "
                "512MB or 1.5GiB"
            ).format(text=text)
        )
    size = int(float(match.group(1)) * _UNITS[unit])
    if size < 64 * 2**20:
        raise BprError(
            _("the memory size '{text}' is below 64MB, too little for DuckDB to work").format(
                text=text
            )
        )
    return size


#: What the process needs beyond DuckDB's limit, over what it holds when the reduction
#: begins: DuckDB's own allocations outside its limit (at 50M events the process peaked at
#: 1.75 GiB with DuckDB held to 1.61 GiB and 70 MiB held before: 73 MiB outside the limit)
#: and the reduced log, with room to spare (with this share, ``--memory 2GB`` gives DuckDB
#: 1.63 GiB and the 50M run peaks at 1.77 GiB, 1.90 GB). The DuckDB path of ``bpr mine``
#: and ``bpr conform`` imports neither pandas nor pm4py; alignments import pm4py after the
#: reduction, when DuckDB has let its memory go.
BESIDE_DUCKDB = 160 * 2**20
#: What the process holds when /proc cannot tell (measured: 70 MiB with Python, bpr and a
#: DuckDB connection).
_HELD_UNKNOWN = 96 * 2**20
#: What importing pandas adds to the process (measured: 79 MiB), for the XES batches.
_PANDAS = 80 * 2**20
#: The least memory DuckDB is given, whatever the limit.
_LEAST_FOR_DUCKDB = 64 * 2**20


def _resident() -> int:
    """This process's resident memory in bytes (0 where /proc cannot tell)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def duckdb_share(memory: int) -> int:
    """DuckDB's own limit within ``memory`` bytes for the whole process: what is left after
    the memory the process holds now and :data:`BESIDE_DUCKDB`; never below 64 MiB.

    >>> duckdb_share(2 * 2**30) <= 2 * 2**30 - BESIDE_DUCKDB
    True
    """
    held = _resident() or _HELD_UNKNOWN
    return max(memory - held - BESIDE_DUCKDB, _LEAST_FOR_DUCKDB)


def memory_problem(path: str, engine: str, memory: int | None) -> Problem | None:
    """A warning where ``--memory`` cannot be kept to as asked: ``--engine memory`` has no
    limit, and below what the process holds and DuckDB needs at least, the process uses more.
    (``auto`` reads only files under :data:`DUCKDB_FROM_BYTES` in memory: no warning there.)

    >>> memory_problem("log.csv", "memory", 2 * 10**9).message[:40]
    '--memory bounds only the reduction in Du'
    >>> memory_problem("log.parquet", "duckdb", 2 * 10**9) is None
    True
    """
    if not memory:
        return None
    if engine == "memory":
        message = _(
            "--memory bounds only the reduction in DuckDB; the log is read into memory "
            "(pandas) without a limit: use --engine duckdb to hold it to {memory}"
        ).format(memory=_megabytes(memory))
        return Problem(message, path, severity="warning")
    if chosen_engine(path, engine) == "memory":
        return None
    need = (_resident() or _HELD_UNKNOWN) + BESIDE_DUCKDB + _LEAST_FOR_DUCKDB
    if log_kind(path) == "xes" and "pandas" not in sys.modules:
        need += _PANDAS  # the XES batches go to DuckDB as pandas frames
    if memory >= need:
        return None
    message = _(
        "--memory {memory} is less than the command needs at the least (about {need}: "
        "Python and bpr, and DuckDB's smallest share); it may use that much"
    ).format(memory=_megabytes(memory), need=_megabytes(need))
    return Problem(message, path, severity="warning")


def _megabytes(size: int) -> str:
    # TRANSLATORS: a memory size in megabytes (10^6 bytes), as --memory takes it
    return _("{n} MB").format(n=number(size / 10**6, ",.0f"))


class _Database:
    """A DuckDB connection with a memory limit, spilling into a folder removed at the end."""

    def __init__(self, memory: int | None) -> None:
        self.duckdb = duckdb_module("reducing large event logs")
        self.folder = tempfile.TemporaryDirectory(prefix="bpr-duckdb-")
        self.connection = self.duckdb.connect(config={"temp_directory": self.folder.name})
        self.connection.execute("SET TimeZone = 'UTC'")
        # the commands draw their own progress line (bpr.mining.progress), not DuckDB's bar
        self.connection.execute("SET enable_progress_bar = false")
        if memory:
            limit = duckdb_share(memory)
            self.connection.execute(f"SET memory_limit = '{limit // 2**20}MiB'")
        threads = os.cpu_count() or 1
        self.connection.execute(f"SET threads = {threads}")
        self.typed: set[str] = set()  # roles whose column is a time already (Parquet)

    def close(self) -> None:
        self.connection.close()
        self.folder.cleanup()

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return list(self.connection.execute(sql).fetchall())


def _source_table(
    db: _Database, path: str, columns: LogColumns, progress: Callable[[str], None]
) -> tuple[str, dict[str, str], str]:
    """Put the log's needed columns, as text, where SQL can read them; returns the relation,
    role -> column of it, and how to name an event's place in errors ("line" or "row")."""
    kind = log_kind(path)
    roles = {CASE: columns.case, ACTIVITY: columns.activity, TIMESTAMP: columns.timestamp}
    if kind == "xes":
        scan = XesScan(path, columns)
        db.connection.execute(
            "CREATE TEMP TABLE raw (seq BIGINT, line BIGINT, "
            + ", ".join(f"{identifier(r)} VARCHAR" for r in (CASE, *scan.attribute))
            + ")"
        )
        import numpy as np
        import pandas as pd

        events = 0
        for batch in scan.batches():
            # plain object columns: DuckDB reads their Python strings (and None as NULL)
            # without the conversion pandas' string dtype makes first
            lines = batch.pop("line")
            frame = pd.DataFrame(
                {r: np.array(v, dtype=object) for r, v in batch.items()}, dtype=object, copy=False
            )
            frame["line"] = np.array(lines, dtype=np.int64)
            frame.insert(0, "seq", range(events, events + len(frame)))
            events += len(frame)
            db.connection.register("batch", frame)
            db.connection.execute("INSERT INTO raw BY NAME SELECT * FROM batch")
            db.connection.unregister("batch")
            progress(_read_events(events))
        if not events:
            raise scan.empty_error()
        names = (CASE, *scan.attribute)
        counted = db.rows(
            "SELECT " + ", ".join(f"count({identifier(r)})" for r in names) + " FROM raw"
        )
        present = {r: r for r, n in zip(names, counted[0], strict=True) if n}
        for role in (ACTIVITY, TIMESTAMP):
            if role not in present:
                raise scan.missing(role)
        for role, (_column, required) in columns.optional().items():
            if required and role not in present:
                raise scan.missing(role)
        for role in (ACTIVITY, TIMESTAMP, CASE):
            found = db.rows(f"SELECT min(line) FROM raw WHERE {identifier(role)} IS NULL")[0][0]
            if found is not None:
                raise scan.without(role, int(found))
        return "raw", {r: r for r in present}, "line"
    if kind == "parquet":
        schema = parquet_schema(path)
        header = list(schema)
        relation = f"read_parquet({literal(path)}, file_row_number = true)"
        seq = "file_row_number"
    else:
        header = read_csv_header(path)
        relation = None
        seq = "rowid"
    for role, column in list(roles.items()):
        if column not in header:
            raise missing_column(path, role, column, header)
    for role, (column, required) in columns.optional().items():
        if column in header:
            roles[role] = column
        elif required:
            raise missing_column(path, role, column, header)
    if LIFECYCLE in header and LIFECYCLE not in roles.values():
        roles[LIFECYCLE] = LIFECYCLE
    if kind == "csv":
        chosen = ", ".join(identifier(c) for c in dict.fromkeys(roles.values()))
        types = "{" + ", ".join(f"{literal(c)}: 'VARCHAR'" for c in header) + "}"
        db.connection.execute("SET preserve_insertion_order = true")
        try:
            db.connection.execute(
                f"CREATE TEMP TABLE raw AS SELECT {chosen} FROM "
                f"read_csv({literal(path)}, header = true, columns = {types}, "
                "delim = ',', quote = '\"', escape = '\"', strict_mode = false)"
            )
        except db.duckdb.Error as exc:
            raise EventLogError(
                # TRANSLATORS: {problem} is DuckDB's own message, in English
                _(
                    "{path}: cannot read the CSV file ({problem}); check that it is "
                    "comma-separated UTF-8 with one event a row, or read it with --engine memory"
                ).format(path=path, problem=problem(exc))
            ) from None
        relation = "raw"
        selected = []
        for role, column in roles.items():
            value = identifier(column)
            if role not in (TIMESTAMP, START):
                # the apostrophe write_log puts before a cell a spreadsheet would run
                value = (
                    f"CASE WHEN regexp_matches({value}, '^''[=+\\-@\\t\\r'']') "
                    f"THEN substr({value}, 2) ELSE {value} END"
                )
            selected.append(f"{value} AS {identifier(role)}")
        db.connection.execute(
            "CREATE TEMP VIEW src AS SELECT rowid AS seq, rowid + 2 AS line, "
            + ", ".join(selected)
            + " FROM raw"
        )
        progress(_read_events(db.rows("SELECT count(*) FROM raw")[0][0]))
        return "src", {r: r for r in roles}, "line"
    selected = []
    typed = set()
    for role, column in roles.items():
        if role in (TIMESTAMP, START) and schema[column].upper().startswith(("TIMESTAMP", "DATE")):
            # a time column stays a time (a naive one is UTC, as pandas reads it)
            selected.append(f"CAST({identifier(column)} AS TIMESTAMPTZ) AS {identifier(role)}")
            typed.add(role)
        else:
            selected.append(f"CAST({identifier(column)} AS VARCHAR) AS {identifier(role)}")
    db.connection.execute(
        f"CREATE TEMP VIEW src AS SELECT {seq} AS seq, {seq} + 1 AS line, "
        + ", ".join(selected)
        + f" FROM {relation}"
    )
    db.typed = typed
    return "src", {r: r for r in roles}, "row"


def _events_view(
    db: _Database, path: str, relation: str, roles: dict[str, str], place: str
) -> bool:
    """The view ``ev`` (case, activity, ts, began, resource, grp, seq) of complete events,
    after the checks read_log makes; returns whether the log has start times."""
    for role in (CASE, ACTIVITY, TIMESTAMP):
        found = db.rows(f"SELECT min(line) FROM {relation} WHERE {identifier(role)} IS NULL")
        if found[0][0] is not None:
            raise missing_value(f"{path}:{found[0][0]}", role, rows=place == "row")
    parsed = {}
    for role in (TIMESTAMP, START):
        if role not in roles:
            continue
        column = identifier(role)
        if role in db.typed:
            parsed[role] = column
            continue
        bad = db.rows(
            f"SELECT line, {column} FROM {relation} WHERE {column} IS NOT NULL AND "
            f"TRY_CAST({column} AS TIMESTAMPTZ) IS NULL ORDER BY seq LIMIT 1"
        )
        if bad:
            if role == TIMESTAMP:
                message = _(
                    "{path}:{line}: cannot read the timestamp '{value}' ('{column}') as ISO "
                    "8601; write timestamps such as 2026-01-05T09:30:00+01:00 (or read the log "
                    "with --engine memory, which also reads other date forms)"
                )
            else:
                message = _(
                    "{path}:{line}: cannot read the start timestamp '{value}' ('{column}') as "
                    "ISO 8601; write timestamps such as 2026-01-05T09:30:00+01:00 (or read the "
                    "log with --engine memory, which also reads other date forms)"
                )
            raise EventLogError(
                message.format(path=path, line=bad[0][0], value=bad[0][1], column=role)
            )
        parsed[role] = f"CAST({column} AS TIMESTAMPTZ)"
    resource = identifier(RESOURCE) if RESOURCE in roles else "NULL::VARCHAR"
    group = identifier(GROUP) if GROUP in roles else "NULL::VARCHAR"
    start = parsed.get(START, "NULL::TIMESTAMPTZ")
    base = (
        f"SELECT seq, {identifier(CASE)} AS case_id, {identifier(ACTIVITY)} AS activity, "
        f"{parsed[TIMESTAMP]} AS ts, {start} AS st, {resource} AS resource, {group} AS grp"
    )
    lifecycle = LIFECYCLE in roles
    if lifecycle:
        base += f", lower({identifier(LIFECYCLE)}) AS lc"
    base += f" FROM {relation}"
    events = base
    if lifecycle and db.rows(f"SELECT count(*) FROM ({base}) WHERE lc = 'complete'")[0][0]:
        done = f"SELECT * FROM ({base}) WHERE lc = 'complete'"
        if (
            START not in roles
            and db.rows(f"SELECT count(*) FROM ({base}) WHERE lc = 'start'")[0][0]
        ):
            # each complete event takes the time of the start event of the same case and
            # activity with the same number (first start with first complete, ...)
            number = "row_number() OVER (PARTITION BY case_id, activity ORDER BY ts, seq)"
            events = (
                f"SELECT d.seq, d.case_id, d.activity, d.ts, s.ts AS st, d.resource, d.grp "
                f"FROM (SELECT *, {number} AS n FROM ({done})) d LEFT JOIN "
                f"(SELECT case_id, activity, ts, {number} AS n FROM ({base}) WHERE lc = 'start') s "
                "USING (case_id, activity, n)"
            )
        else:
            events = f"SELECT seq, case_id, activity, ts, st, resource, grp FROM ({done})"
    elif lifecycle:
        events = f"SELECT seq, case_id, activity, ts, st, resource, grp FROM ({base})"
    db.connection.execute(f"CREATE TEMP VIEW ev0 AS {events}")
    has_start = bool(db.rows("SELECT count(st) FROM ev0")[0][0])
    began = "coalesce(st, ts)" if has_start else "ts"
    db.connection.execute(
        f"CREATE TEMP VIEW ev AS SELECT seq, case_id, activity, ts, {began} AS began, "
        "resource, grp FROM ev0"
    )
    return has_start


# The reduction in DuckDB sorts the events once, by case and time, in one window pass that
# gives each event its wait (its start less the previous event's end) and its rank in the
# case; every later figure is a hash aggregation. A case's variant is not a list built in
# order (a second sort) but its activities' codes packed by rank into the bits of 128-bit
# integers, one word per ``per`` events, which bit_or puts together in any order exactly.
# Percentiles come from counted values (value -> events), exactly as quantile_cont would.
#
# The sort is by a case's 64-bit hash and the event's 32-bit row number, not the case id's
# text: with the time, a key of fixed width within 24 bytes, which sorts and groups faster (at
# 10M events the pass took 3.3 s of processor time, 4.7 s by text). Two case ids with one hash
# would be one case to it, so the pass's cases are counted against the distinct case ids (a
# hash aggregation: 0.2 s at 10M; comparing each event's case id with the one before it in
# the pass cost 0.8 s); if fewer, the pass is made again by the text. The figures are exact
# either way.

#: Bits of a word that packs a case's activity codes (HUGEINT: 127 bits and a sign).
_WORD_BITS = 126
_US_PER_HOUR = 3_600_000_000
#: How the window pass keys a case: its hash, or (when two ids share one) its text.
_BY_HASH, _BY_TEXT = "hash(case_id)", "case_id"


def _activity_codes(db: _Database) -> dict[int, str]:
    """Count the events by activity, resource and group (table ``a``, no order needed) and
    number the activities 1, 2, ... in order of their text (table ``acts``)."""
    db.connection.execute(
        "CREATE TEMP TABLE a AS SELECT activity, resource, grp, count(*) AS n FROM ev "
        "GROUP BY activity, resource, grp"
    )
    db.connection.execute(
        "CREATE TEMP TABLE acts AS SELECT activity, "
        "CAST(row_number() OVER (ORDER BY activity) AS INTEGER) AS code "
        "FROM (SELECT DISTINCT activity FROM a)"
    )
    return {int(code): str(activity) for activity, code in db.rows("SELECT * FROM acts")}


def _one_ordering(db: _Database, bits: int, per: int, has_start: bool, key: str, rows: int) -> int:
    """The table ``g``: the events in order of time in each case, aggregated two ways; returns
    the number of cases (of keys: fewer than the case ids if two of them share a hash).

    Rows with ``per_case`` are a case's words: ``k`` is the case's key (:data:`_BY_HASH` or
    :data:`_BY_TEXT`), ``w`` counts its words from 0, ``word`` packs the codes of the case's
    events ``w * per`` to ``w * per + per - 1`` (the first in the lowest bits), ``n`` is how
    many, and ``first``, ``began`` and ``last`` are the earliest complete, earliest start and
    latest complete time among them. The other rows count the events of each activity
    (``code``) by their wait (``gap``, below zero taken as zero; NULL for a case's first
    event) and their work (``work``, 0 without start times), both in microseconds.

    ``rows`` is the number of the log's rows: below 2**31 the row numbers that order equal
    times sort as 32-bit integers, so that the sort key (hash, time, row) stays within 24
    bytes (at 10M events the pass took 12 % less processor time than with 64-bit rows).
    """
    seq = "CAST(seq AS INTEGER)" if rows < 2**31 else "seq"
    work = "greatest(epoch_us(ts) - epoch_us(began), 0)" if has_start else "0"
    db.connection.execute("DROP TABLE IF EXISTS g")
    db.connection.execute(
        "CREATE TEMP TABLE g AS SELECT GROUPING(k, w) = 0 AS per_case, k, w, code, gap, work, "
        "count(*) AS n, bit_or(v) AS word, min(ts) AS first, min(began) AS began, "
        "max(ts) AS last FROM ("
        f"SELECT *, r // {per} AS w, "
        f"CAST(code AS HUGEINT) << CAST({bits} * (r % {per}) AS INTEGER) AS v, {work} AS work "
        "FROM (SELECT k, code, ts, began, "
        "CASE WHEN epoch_us(began) < epoch_us(lag(ts) OVER c) THEN 0 "
        "ELSE epoch_us(began) - epoch_us(lag(ts) OVER c) END AS gap, "
        "row_number() OVER c - 1 AS r "
        f"FROM (SELECT * REPLACE ({seq} AS seq), {key} AS k FROM ev) JOIN acts USING (activity) "
        "WINDOW c AS (PARTITION BY k ORDER BY ts, seq))) "
        "GROUP BY GROUPING SETS ((k, w), (code, gap, work))"
    )
    return int(db.rows("SELECT count(*) FROM g WHERE per_case AND w = 0")[0][0])


def _unpack(words: list[int], bits: int, names: dict[int, str]) -> tuple[str, ...]:
    """The activities packed in a case's words (codes are 1 and up, so 0 ends the trace)."""
    mask = (1 << bits) - 1
    trace = []
    for word in words:
        value = int(word)
        while value:
            trace.append(names[value & mask])
            value >>= bits
    return tuple(trace)


#: A case's words need putting in order only when its first word is full.
_LONG = "SELECT k FROM g WHERE per_case AND w = 0 AND n = {per}"


def _variants(
    db: _Database, names: dict[int, str], bits: int, per: int
) -> dict[tuple[str, ...], int]:
    """The variants with their cases, from the packed words of ``g``."""
    found: Counter[tuple[str, ...]] = Counter()
    for word, cases in db.rows(
        f"SELECT word, count(*) FROM g WHERE per_case AND w = 0 AND n < {per} GROUP BY word"
    ):
        found[_unpack([word], bits, names)] += int(cases)
    for words, cases in db.rows(
        "SELECT words, count(*) FROM (SELECT list(word ORDER BY w) AS words FROM g "
        f"WHERE per_case AND k IN ({_LONG.format(per=per)}) GROUP BY k) "
        "GROUP BY words"
    ):
        found[_unpack(list(words), bits, names)] += int(cases)
    return dict(found)


def _case_figures(db: _Database, per: int) -> tuple[tuple[Any, ...], dict[str, int]]:
    """Cases, first times, percentiles and mean of the cases' days, and arrivals per month.

    The mean is the exact sum of the cases' microseconds over their number (the same in any
    order of the cases); a month is counted as a number (year * 100 + month) and written
    as text once per month, not once per case.
    """
    db.connection.execute(
        "CREATE TEMP VIEW cases AS SELECT first, began, last FROM g "
        f"WHERE per_case AND w = 0 AND n < {per} UNION ALL "
        "SELECT min(first), min(began), max(last) FROM g "
        f"WHERE per_case AND k IN ({_LONG.format(per=per)}) GROUP BY k"
    )
    quantiles = "[" + ", ".join(str(q) for q in QUANTILES) + "]"
    us = "epoch_us(last) - epoch_us(began)"
    month = "year(make_timestamp(epoch_us(began))) * 100 + month(make_timestamp(epoch_us(began)))"
    count, first_min, first_max, day_q, total, months = db.rows(
        f"SELECT count(*), min(first), max(first), quantile_cont(({us}) / 86400e6, {quantiles}), "
        f"sum({us}), histogram({month}) FROM cases"
    )[0]
    mean = float(Fraction(int(total), int(count) * 86_400_000_000)) if count else None
    tally = {int(m): int(n) for m, n in (months or {}).items()}
    written = (
        db.rows(
            "SELECT m, strftime(make_date(CAST(m // 100 AS INTEGER), CAST(m % 100 AS INTEGER), "
            f"1), '%Y-%m') FROM unnest([{', '.join(str(m) for m in tally)}]) AS t(m)"
        )
        if tally
        else []
    )
    arrivals = {str(text): tally[int(m)] for m, text in sorted(written)}
    return (count, first_min, first_max, day_q, mean), arrivals


def _histogram_percentiles(db: _Database, counted: str) -> dict[Any, Percentiles]:
    """Linear percentiles (as quantile_cont and pandas give) per key of counted values.

    ``counted`` selects ``key``, ``x`` (microseconds) and ``n``; the result is in hours. The
    value at 0-based position ``i`` of a key's sorted values is the least ``x`` whose running
    count passes ``i``; a percentile ``q`` lies between positions ``floor(h)`` and
    ``ceil(h)``, ``h = (events - 1) * q``.
    """
    picks = ", ".join(
        f"min(x) FILTER (WHERE upto > floor((total - 1) * {q})), "
        f"min(x) FILTER (WHERE upto > ceil((total - 1) * {q}))"
        for q in QUANTILES
    )
    rows = db.rows(
        f"SELECT key, any_value(total), {picks} FROM (SELECT key, x, "
        "sum(n) OVER (PARTITION BY key ORDER BY x ROWS UNBOUNDED PRECEDING) AS upto, "
        "sum(n) OVER (PARTITION BY key) AS total "
        f"FROM (SELECT key, x, sum(n) AS n FROM ({counted}) GROUP BY key, x)) GROUP BY key"
    )
    found = {}
    for key, total, *values in rows:
        points = []
        for index, q in enumerate(QUANTILES):
            low, high = values[2 * index] / _US_PER_HOUR, values[2 * index + 1] / _US_PER_HOUR
            where = (int(total) - 1) * q
            points.append(low + (high - low) * (where - math.floor(where)))
        found[key] = Percentiles(*points)
    return found


def _reduction_error(path: str, error: Exception, duckdb: Any) -> EventLogError:
    """What to do when DuckDB fails in the middle of a reduction: a file damaged past its
    header, or too little memory and disk to spill to."""
    if isinstance(error, duckdb.OutOfMemoryException):
        # TRANSLATORS: {problem} is DuckDB's own message, in English
        message = _(
            "{path}: the reduction ran out of memory ({problem}); allow more with --memory, "
            "such as --memory 4GB, and free disk space in the temporary folder, where DuckDB "
            "puts what does not fit"
        )
    else:
        # TRANSLATORS: {problem} is DuckDB's own message, in English
        message = _(
            "{path}: cannot read the log to the end ({problem}); the file may be damaged or "
            "cut short: export it again"
        )
    return EventLogError(message.format(path=path, problem=problem(error)))


def reduce_file(
    path: str | os.PathLike[str],
    columns: LogColumns | None = None,
    *,
    memory: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> ReducedLog:
    """Reduce an event log file (CSV, Parquet, XES or gzipped XES) in DuckDB.

    ``memory`` (bytes) bounds the memory of the whole process: DuckDB gets its
    :func:`duckdb_share` and beyond it spills to a temporary folder, removed when done. The
    events are sorted once (see :func:`_one_ordering`). ``progress`` is told what has been
    done so far.
    """
    import time

    name = os.fspath(path)
    if not Path(name).is_file():
        raise EventLogError(_("{path}: no such file; check the path").format(path=name))
    begun = time.monotonic()
    tell = progress or (lambda _: None)
    if memory and log_kind(name) == "xes":
        # XES goes to DuckDB in batches of pandas frames: pandas is held before DuckDB's
        # share of the limit is taken from what the process holds
        import pandas  # noqa: F401
    db = _Database(memory)
    try:
        relation, roles, place = _source_table(db, name, columns or LogColumns(), tell)
        rows = int(db.rows(f"SELECT count(*) FROM {relation}")[0][0])
        if not rows:
            raise EventLogError(_("{path}: the log has a header but no events").format(path=name))
        has_start = _events_view(db, name, relation, roles, place)
        tell("ordering the cases")
        names = _activity_codes(db)
        bits = max(len(names).bit_length(), 1)
        per = _WORD_BITS // bits
        keys = _one_ordering(db, bits, per, has_start, _BY_HASH, rows)
        if keys != db.rows("SELECT count(DISTINCT case_id) FROM ev")[0][0]:
            _one_ordering(db, bits, per, has_start, _BY_TEXT, rows)
        variants = _variants(db, names, bits, per)
        (cases, first_min, first_max, day_q, day_mean), arrivals = _case_figures(db, per)
        tell("timing the activities")
        counts = db.rows("SELECT code, sum(n) FROM g WHERE NOT per_case GROUP BY code")
        activity_events = {names[code]: int(n) for code, n in counts}
        waits = _histogram_percentiles(
            db, "SELECT code AS key, gap AS x, n FROM g WHERE NOT per_case AND gap IS NOT NULL"
        )
        works = (
            _histogram_percentiles(db, "SELECT code AS key, work AS x, n FROM g WHERE NOT per_case")
            if has_start
            else {}
        )
        actor_rows = db.rows(
            "SELECT activity, resource, grp, n FROM a ORDER BY activity, resource, grp"
        )
    except db.duckdb.Error as exc:
        raise _reduction_error(name, exc, db.duckdb) from None
    finally:
        db.close()
    # codes follow the activities' text: the tables in that order, as the in-memory path has them
    work_table = {names[code]: value for code, value in sorted(works.items())}
    wait_table = {names[code]: value for code, value in sorted(waits.items())}

    def stamp(value: Any) -> Any:
        # a UTC datetime (equal to the pandas Timestamp of the in-memory path; no pandas
        # import for it)
        return value.astimezone(datetime.timezone.utc) if value is not None else None

    return ReducedLog(
        source=name,
        engine="duckdb",
        cases=int(cases),
        events=sum(activity_events.values()),
        variants=_ordered(variants),
        activity_events=dict(sorted(activity_events.items(), key=lambda kv: (-kv[1], kv[0]))),
        has_start=has_start,
        work=work_table,
        wait=wait_table,
        **_actor_table([(str(a), r, g, int(n)) for a, r, g, n in actor_rows]),
        case_days=_percentiles(day_q),
        mean_case_days=day_mean,
        arrivals=arrivals,
        first_times=(stamp(first_min), stamp(first_max)),
        seconds=time.monotonic() - begun,
    )


def chosen_engine(path: str, engine: str) -> str:
    """The engine that reduces the file: the one asked for, or for ``auto`` DuckDB for
    Parquet and for files of :data:`DUCKDB_FROM_BYTES` and more, memory otherwise."""
    if engine != "auto":
        return engine
    large = Path(path).is_file() and Path(path).stat().st_size >= DUCKDB_FROM_BYTES
    return "duckdb" if large or log_kind(path) == "parquet" else "memory"


def reduce_log(
    path: str | os.PathLike[str],
    columns: LogColumns | None = None,
    *,
    engine: str = "auto",
    memory: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> ReducedLog:
    """Reduce an event log file with the ``engine`` asked for (see :data:`ENGINES`)."""
    import time

    if engine not in ENGINES:
        raise BprError(
            _("unknown engine '{engine}'; valid: {engines}").format(
                engine=engine, engines=", ".join(ENGINES)
            )
        )
    name = os.fspath(path)
    if chosen_engine(name, engine) == "duckdb":
        return reduce_file(name, columns, memory=memory, progress=progress)
    begun = time.monotonic()
    reduced = reduce_frame(read_log(name, columns), name)
    reduced.seconds = time.monotonic() - begun
    return reduced
