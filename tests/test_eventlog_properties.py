"""Property tests of the event-log readers and writer (issue 18's campaign, for event logs).

Whatever a CSV or XES file holds (random cells, names, ids and timestamps, or bytes that are
no log at all), :func:`bpr.files.eventlog.read_log` either returns events or raises
:class:`bpr.EventLogError`, never anything else; and ids and names are text: what is written
comes back as the same strings.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.sax.saxutils import quoteattr

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpr.core.text import for_xml
from bpr.errors import EventLogError
from bpr.files.eventlog import (
    ACTIVITY,
    CASE,
    GROUP,
    RESOURCE,
    TIMESTAMP,
    EventTable,
    read_log,
    write_log,
)

pytest.importorskip("lxml")

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEADER = [CASE, ACTIVITY, TIMESTAMP, RESOURCE]

# Any text a cell may hold, surrogates aside (a file holds UTF-8).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
# Cells that look like numbers, missing values, dates and formulas: what spreadsheets and
# pandas like to reinterpret.
TRICKY = st.sampled_from(
    ["007", "7", "7.0", "1e3", "-0", "0x1f", "NA", "N/A", "NaN", "None", "null", "nan", "#N/A",
     "TRUE", "off", " 7 ", "=1+1", "@x", "'quoted", "12/31/2026", "2026-13-45", "\ufeff7"]
)  # fmt: skip
CELL = st.one_of(TEXT, TRICKY)
STAMP = st.datetimes(
    min_value=dt.datetime(1, 1, 2),
    max_value=dt.datetime(9999, 12, 30),
    timezones=st.sampled_from([dt.timezone.utc, dt.timezone(dt.timedelta(hours=5))]),
).map(lambda d: d.isoformat())
TIME_CELL = st.one_of(STAMP, CELL)


@contextmanager
def _file(name: str, data: bytes) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        yield path


def _read_or_refuse(path: Path) -> pd.DataFrame | None:
    """The log's events, or None where it was refused with an EventLogError."""
    try:
        frame = read_log(path)
    except EventLogError as exc:
        assert str(exc).startswith(str(path)), str(exc)
        return None
    assert list(frame.columns[:3]) == [CASE, ACTIVITY, TIMESTAMP]
    assert not frame[[CASE, ACTIVITY, TIMESTAMP]].isna().any().any()
    return frame


def _csv(rows: list[list[str]], header: list[str] = HEADER) -> bytes:
    """A CSV file as a spreadsheet writes it: CRLF line ends, so cells holding CR are quoted."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


# -- never anything but EventLogError -----------------------------------------------------------


@SETTINGS
@given(st.lists(st.tuples(CELL, CELL, TIME_CELL, CELL).map(list), max_size=6))
def test_random_csv_cells_read_or_are_refused(rows):
    with _file("log.csv", _csv(rows)) as path:
        _read_or_refuse(path)


@SETTINGS
@given(
    st.lists(st.sampled_from([*HEADER, GROUP, "start_timestamp", "lifecycle:transition", ""])),
    st.lists(st.lists(CELL, max_size=7), max_size=5),
)
def test_random_csv_headers_and_ragged_rows_read_or_are_refused(header, rows):
    with _file("log.csv", _csv(rows, header)) as path:
        _read_or_refuse(path)


@SETTINGS
@given(st.binary(max_size=200), st.sampled_from(["log.csv", "log.xes", "log.csv.gz", "log.xes.gz"]))
def test_random_bytes_are_refused_or_read(data, name):
    with _file(name, data) as path:
        _read_or_refuse(path)


def _xes(
    traces: list[tuple[str | None, list[dict[str, str]]]], loose: list[dict[str, str]]
) -> bytes:
    def attributes(values: dict[str, str]) -> str:
        return "".join(
            f"<{'date' if key == TIMESTAMP else 'string'} key={quoteattr(key)} "
            f"value={quoteattr(for_xml(value))}/>"
            for key, value in values.items()
        )

    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<log xmlns="http://www.xes-standard.org/">']
    for case, events in traces:
        parts.append("<trace>")
        if case is not None:
            parts.append(attributes({"concept:name": case}))
        parts += [f"<event>{attributes(event)}</event>" for event in events]
        parts.append("</trace>")
    parts += [f"<event>{attributes(event)}</event>" for event in loose]
    parts.append("</log>")
    return "".join(parts).encode("utf-8")


EVENT = st.fixed_dictionaries(
    {},
    optional={
        ACTIVITY: CELL,
        TIMESTAMP: TIME_CELL,
        RESOURCE: CELL,
        GROUP: CELL,
        "lifecycle:transition": st.sampled_from(["start", "complete", "START", "other", ""]),
    },
)


@SETTINGS
@given(
    st.lists(st.tuples(st.one_of(st.none(), CELL), st.lists(EVENT, max_size=4)), max_size=4),
    st.lists(EVENT, max_size=2),
)
def test_random_xes_reads_or_is_refused(traces, loose):
    with _file("log.xes", _xes(traces, loose)) as path:
        _read_or_refuse(path)


# -- ids and names are text ---------------------------------------------------------------------

# Text a CSV cell holds as it is: not empty (an empty cell is a missing value), and not
# starting with an apostrophe before a formula character (the guard read_log takes away).
ID = st.one_of(TEXT, TRICKY).filter(
    lambda t: t != "" and not (t[:1] == "'" and t[1:2] in ("=", "+", "-", "@", "\t", "\r", "'"))
)


@SETTINGS
@given(st.lists(st.tuples(ID, ID, ID), min_size=1, max_size=6))
def test_csv_ids_and_names_come_back_as_the_same_text(rows):
    written = [[case, activity, f"2026-01-05T{i % 24:02d}:00:00+00:00", resource]
               for i, (case, activity, resource) in enumerate(rows)]  # fmt: skip
    with _file("log.csv", _csv(written)) as path:
        frame = read_log(path)
    got = sorted(
        zip(
            frame[CASE].astype(str),
            frame[ACTIVITY].astype(str),
            frame[RESOURCE].astype(str),
            strict=True,
        )
    )
    assert got == sorted((case, activity, resource) for case, activity, resource in rows)


def _table(names: list[str], resources: list[str], groups: list[str | None]) -> EventTable:
    cases = 2
    base = np.datetime64("2026-01-05T08:00", "ms")
    count = len(names) * cases
    start = base + (np.arange(count) * 3_600_000).astype("timedelta64[ms]")
    return EventTable(
        case=np.repeat(np.arange(cases), len(names)),
        activity=np.tile(np.arange(len(names), dtype=np.int32), cases),
        names=names,
        resources=resources,
        groups=groups,
        start=start,
        complete=start + np.timedelta64(1_800_000, "ms"),
    )


NAMES = st.lists(ID, min_size=1, max_size=4)


@SETTINGS
@given(NAMES, st.data())
@pytest.mark.parametrize("suffix", [".csv", ".xes"])
def test_names_round_trip_through_write_log_and_read_log(suffix, names, data):
    count = len(names)
    resources = data.draw(st.lists(ID, min_size=count, max_size=count))
    groups = data.draw(st.lists(st.one_of(st.none(), ID), min_size=count, max_size=count))
    table = _table(names, resources, groups)
    with tempfile.TemporaryDirectory() as folder:
        frame = read_log(write_log(Path(folder) / f"log{suffix}", table))
    # XML cannot hold some characters at all: the XES writer puts U+FFFD in their place
    shown = (lambda t: for_xml(t, "\ufffd")) if suffix == ".xes" else (lambda t: t)
    expected = sorted((shown(names[a]), shown(resources[a])) for a in table.activity.tolist())
    got = sorted(zip(frame[ACTIVITY].astype(str), frame[RESOURCE].astype(str), strict=True))
    assert got == expected
    written_groups = sorted(shown(g) for a in table.activity.tolist() if (g := groups[a]))
    read_groups = frame[GROUP].dropna().astype(str) if GROUP in frame else []
    assert sorted(read_groups) == written_groups


# -- the DuckDB reduction reads what read_log reads ------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(NAMES, st.data())
@pytest.mark.parametrize("suffix", [".csv", ".xes", ".parquet"])
def test_duckdb_reads_written_names_as_read_log_does(suffix, names, data):
    pytest.importorskip("duckdb")
    from bpr.mining.reduce import reduce_file, reduce_frame

    count = len(names)
    resources = data.draw(st.lists(ID, min_size=count, max_size=count))
    groups = data.draw(st.lists(st.one_of(st.none(), ID), min_size=count, max_size=count))
    table = _table(names, resources, groups)
    with tempfile.TemporaryDirectory() as folder:
        path = write_log(Path(folder) / f"log{suffix}", table)
        by_duckdb = reduce_file(path)
        in_memory = reduce_frame(read_log(path))
    assert by_duckdb.variants == in_memory.variants
    assert by_duckdb.activity_events == in_memory.activity_events
    assert by_duckdb.actors == in_memory.actors
    assert by_duckdb.resource_group == in_memory.resource_group


# -- the two readings of XES agree ------------------------------------------------------------
#
# XesScan reads the common shape of XES with regular expressions and hands anything else to
# lxml. Whatever the document (odd values, entities, comments, CDATA, single quotes, nested
# attributes, prefixes, events outside traces, late trace attributes, empty traces, CR and
# CRLF line ends, broken XML), its batches, keys, trace count and errors are lxml's; and a
# document of the common shape is read the plain way.

# Values with XML's special characters, white space XML turns into spaces, Cyrillic and
# Azerbaijani letters, and characters XML refuses.
VALUE = st.text(
    st.one_of(
        st.sampled_from(list("&<>\"' \t\r\nabcАбвЖжəƏşŞğĞıİçöü\u00e9\x01\ufffe")),
        st.characters(exclude_categories=("Cs",)),
    ),
    max_size=8,
)
# Values the plain reading takes as they are.
PLAIN_VALUE = st.text(
    st.one_of(
        st.sampled_from(list(">' abcАбвЖжəƏşŞğĞıİçöü\u00e9")),
        st.characters(exclude_categories=("Cs", "Cc"), exclude_characters='&<"\ufffe\uffff'),
    ),
    max_size=8,
)
NAMES = [ACTIVITY, TIMESTAMP, RESOURCE, GROUP, "lifecycle:transition", "x"]
GAP = st.sampled_from(["", "", "\n", "\n    ", " ", "\t"])


def _pick(plain: bool, usual: list[str], odd: list[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(usual if plain else usual + odd)


@st.composite
def _attribute(draw: st.DrawFn, plain: bool, depth: int = 0) -> str:
    """An attribute element, written plainly or (unless ``plain``) oddly now and then."""
    values = PLAIN_VALUE if plain else VALUE
    key, value = draw(st.one_of(st.sampled_from(NAMES), values)), draw(values)
    escape = draw(_pick(plain, ["none"], ["entities", "entities", "numeric"]))
    if escape == "entities":
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
        key = key.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    elif escape == "numeric":
        value = "".join(f"&#{ord(c)};" if c in "&<\"'" else c for c in value)
        key = key.replace("&", "&#38;").replace("<", "&#60;").replace('"', "&#34;")
    kind = draw(_pick(plain, ["string", "date", "int"], ["list", "x:string", "foo", "event"]))
    shape = draw(_pick(plain, ["plain"], ["single", "swapped", "spaced"]))
    if shape == "single":
        body = f"key='{key}' value='{value}'"
    elif shape == "swapped":
        body = f'value="{value}" key="{key}"'
    elif shape == "spaced":
        body = f'key = "{key}"\n  value="{value}" '
    else:
        body = f'key="{key}" value="{value}"'
    if kind == "list" and depth < 2:
        inner = "".join(draw(st.lists(_attribute(plain, depth + 1), max_size=2)))
        return f"<list {body}>{inner}</list>"
    return f"<{kind} {body}/>"


@st.composite
def _event(draw: st.DrawFn, plain: bool) -> str:
    parts = draw(st.lists(st.tuples(GAP, _attribute(plain)), max_size=5))
    oddity = draw(_pick(plain, [""], ["", "", "<!-- note -->", "<![CDATA[x]]>", "text", "<e/>"]))
    inside = "".join(gap + attribute for gap, attribute in parts) + oddity
    return f"<event>{inside}</event>" if inside or plain or draw(st.booleans()) else "<event/>"


@st.composite
def _trace(draw: st.DrawFn, plain: bool) -> str:
    items = draw(st.lists(st.one_of(_event(plain), _event(plain), _attribute(plain)), max_size=5))
    gap = draw(GAP)
    if not items and not plain and draw(st.booleans()):
        return "<trace/>"
    return "<trace>" + "".join(gap + item for item in items) + gap + "</trace>"


@st.composite
def _xes_document(draw: st.DrawFn, plain: bool) -> bytes:
    declaration = draw(
        _pick(
            plain,
            ['<?xml version="1.0" encoding="UTF-8"?>', "<?xml version='1.0' encoding='utf-8'?>",
             "", '<?xml version="1.0"?>'],
            ['<?xml version="1.0" encoding="ISO-8859-1"?>', '<?xml version="1.1"?>'],
        )
    )  # fmt: skip
    head = draw(
        _pick(
            plain,
            ["", '<extension name="Concept" prefix="concept" uri="http://x/concept.xesext"/>',
             '<global scope="event"><string key="concept:name" value="n"/></global>',
             '<string key="creator" value="me"/>'],
            ["<!-- by hand -->", "<?pi here?>", '<x:log xmlns:x="http://x/"/>'],
        )
    )  # fmt: skip
    traces = draw(st.lists(_trace(plain), max_size=6))
    loose = [] if plain else draw(st.lists(_event(plain), max_size=1))
    where = draw(st.integers(0, len(traces)))
    body = traces[:where] + loose + traces[where:]
    gap = draw(GAP)
    end = draw(_pick(plain, ["\n", "\r\n"], ["\r"]))
    root = draw(st.sampled_from(['<log xmlns="http://www.xes-standard.org/">', "<log>"]))
    text = (
        declaration + "\n" + root + gap + head + "".join(gap + item for item in body) + "</log>\n"
    )
    text = end.join(text.split("\n"))
    data = draw(st.sampled_from([b"", b"", b"\xef\xbb\xbf"])) + text.encode("utf-8")
    if not plain and draw(st.integers(0, 9)) == 0:  # broken: cut short, or a byte dropped in
        at = draw(st.integers(0, len(data)))
        tail = data[at:] if draw(st.booleans()) else b""
        data = data[:at] + draw(st.sampled_from([b"", b"<", b"&", b"\x00", b"\xff"])) + tail
    return data


def _outcome(path: Path, size: int) -> tuple[object, object, str]:
    """What XesScan gives (batches, keys and traces, or the error), what lxml alone gives, and
    which reading XesScan used."""
    from bpr.files.eventlog import LogColumns, XesScan

    results = []
    for reading in ("batches", "_parsed_batches"):
        scan = XesScan(str(path), LogColumns(), size)
        try:
            results.append((list(getattr(scan, reading)()), scan.keys, scan.traces))
        except EventLogError as exc:
            results.append(str(exc))
        if reading == "batches":
            reader = scan._reader
    return results[0], results[1], reader


READINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SIZES = st.sampled_from([1, 2, 100])
XES_NAMES = st.sampled_from(["log.xes", "log.xes.gz"])


def _written(name: str, data: bytes) -> bytes:
    import gzip

    return gzip.compress(data) if name.endswith(".gz") else data


@READINGS
@given(_xes_document(plain=False), SIZES, XES_NAMES)
def test_both_readings_of_any_xes_agree(data, size, name):
    with _file(name, _written(name, data)) as path:
        fast, lxml, _reader = _outcome(path, size)
    assert fast == lxml


@READINGS
@given(_xes_document(plain=True), SIZES, XES_NAMES)
def test_xes_of_the_common_shape_is_read_the_plain_way_alike(data, size, name):
    with _file(name, _written(name, data)) as path:
        fast, lxml, reader = _outcome(path, size)
    assert fast == lxml
    assert reader == "plain"
