"""Tests of bpr.eventlog: reading XES and CSV logs, clear errors, writing simulated logs."""

from __future__ import annotations

import csv
import gzip
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import bpr
from bpr.errors import EventLogError, OutputError
from bpr.files.eventlog import (
    ACTIVITY,
    CASE,
    GROUP,
    RESOURCE,
    START,
    TIMESTAMP,
    EventTable,
    LogColumns,
    read_log,
    write_log,
)
from bpr.simulate import simulate
from tests.conftest import TINY_COLUMNS

LOGS = Path(__file__).parent / "data" / "logs"


def _table(names=("Apply", "Check"), cases=2) -> EventTable:
    """A hand-made table: each case runs the activities one after the other, one hour each."""
    count = len(names) * cases
    base = np.datetime64("2026-01-05T08:00", "ms")
    case = np.repeat(np.arange(cases), len(names))
    activity = np.tile(np.arange(len(names), dtype=np.int32), cases)
    offset = (np.arange(count) % len(names)) * 2 + case * 24
    start = base + (offset * 3_600_000).astype("timedelta64[ms]")
    return EventTable(
        case=case,
        activity=activity,
        names=list(names),
        resources=[f"r{i}" for i in range(len(names))],
        groups=["Agency" if i else None for i in range(len(names))],
        start=start,
        complete=start + np.timedelta64(3_600_000, "ms"),
    )


# -- reading ------------------------------------------------------------------------------------


def test_csv_with_named_columns():
    log = read_log(LOGS / "tiny.csv", TINY_COLUMNS)
    assert list(log.columns) == [CASE, ACTIVITY, TIMESTAMP, RESOURCE, GROUP, START]
    assert len(log) == 11 and log[CASE].nunique() == 3
    assert isinstance(log[ACTIVITY].dtype, pd.CategoricalDtype)
    first = log.iloc[0]
    assert (first[CASE], first[ACTIVITY], first[RESOURCE]) == ("c1", "Receive application", "Ann")
    assert first[TIMESTAMP] - first[START] == pd.Timedelta(minutes=30)
    assert str(log[TIMESTAMP].dt.tz) == "UTC"


def test_xes_with_lifecycle_pairs_start_and_complete():
    log = read_log(LOGS / "lifecycle.xes")
    assert len(log) == 4  # complete events only; the schedule event is dropped
    a1 = log[log[CASE] == "A-1"]
    assert list(a1[ACTIVITY]) == ["Apply & pay", "Decide"]
    assert list(a1[TIMESTAMP] - a1[START]) == [pd.Timedelta(minutes=45), pd.Timedelta(hours=1)]
    a2 = log[log[CASE] == "A-2"]  # the case id stands after the first event in this trace
    assert len(a2) == 2 and a2[START].isna().all()
    assert log.loc[log[CASE] == "A-1", GROUP].iloc[1] == "City hall"


def test_the_shared_logs_read(shared_data):
    receipt = read_log(shared_data / "receipt.csv")
    assert len(receipt) == 8577 and receipt[CASE].nunique() == 1434
    assert {RESOURCE, GROUP} <= set(receipt.columns)
    example = read_log(shared_data / "running-example.xes")
    assert len(example) == 42 and example[CASE].nunique() == 6


def test_gzipped_logs_read(tmp_path):
    source = (LOGS / "tiny.csv").read_bytes()
    target = tmp_path / "tiny.csv.gz"
    target.write_bytes(gzip.compress(source))
    assert len(read_log(target, TINY_COLUMNS)) == 11


def test_a_generated_log_reads_with_compact_columns(tmp_path):
    """A larger log (200,000 events): categorical strings, only the needed columns."""
    cases = 40_000
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            CASE: np.repeat([f"case-{i}" for i in range(cases)], 5),
            ACTIVITY: np.tile(["A", "B", "C", "D", "E"], cases),
            TIMESTAMP: pd.Timestamp("2026-01-01", tz="UTC")
            + pd.to_timedelta(np.arange(cases * 5) * 60 + rng.integers(0, 30, cases * 5), "s"),
            "notes": "a long free text that the reader should skip " * 3,
        }
    )
    path = tmp_path / "big.csv"
    frame.to_csv(path, index=False)
    log = read_log(path)
    assert len(log) == cases * 5
    assert "notes" not in log.columns
    assert isinstance(log[CASE].dtype, pd.CategoricalDtype)
    assert log.memory_usage(deep=True).sum() < 12 * len(log) * 3


# -- errors -------------------------------------------------------------------------------------


def _csv(tmp_path: Path, text: str, name: str = "log.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_file():
    with pytest.raises(EventLogError, match="no such file"):
        read_log("nowhere/log.csv")


def test_unknown_kind_of_file(tmp_path):
    with pytest.raises(EventLogError, match=r"\.xes, \.xes\.gz, \.csv, \.csv\.gz"):
        read_log(_csv(tmp_path, "a,b\n", "log.txt"))


def test_empty_csv(tmp_path):
    with pytest.raises(EventLogError, match="empty"):
        read_log(_csv(tmp_path, ""))


def test_csv_with_a_header_only(tmp_path):
    with pytest.raises(EventLogError, match="no events"):
        read_log(_csv(tmp_path, "case:concept:name,concept:name,time:timestamp\n"))


@pytest.mark.parametrize(("separator", "name"), [(";", "semicolons"), ("\t", "tabs")])
def test_a_csv_separated_otherwise_is_named(tmp_path, separator, name):
    text = separator.join(["case:concept:name", "concept:name", "time:timestamp"]) + "\n"
    path = _csv(tmp_path, text + separator.join(["c", "a", "2026-01-01"]) + "\n")
    with pytest.raises(EventLogError, match=f"separated by {name}.*comma"):
        read_log(path)


def test_missing_column_is_named_with_a_suggestion(tmp_path):
    path = _csv(tmp_path, "case:concept:name,concept:nme,time:timestamp\nc,a,2026-01-01\n")
    with pytest.raises(EventLogError) as caught:
        read_log(path)
    message = str(caught.value)
    assert "no column 'concept:name' for the activity" in message
    assert "did you mean 'concept:nme'" in message and "--activity" in message


def test_a_named_optional_column_must_exist(tmp_path):
    path = _csv(tmp_path, "case:concept:name,concept:name,time:timestamp\nc,a,2026-01-01\n")
    with pytest.raises(EventLogError, match="no column 'Role' for the group"):
        read_log(path, LogColumns(group="Role"))


def test_an_event_without_activity_names_its_line(tmp_path):
    path = _csv(
        tmp_path,
        "case:concept:name,concept:name,time:timestamp\nc,a,2026-01-01\nc,,2026-01-02\n",
    )
    with pytest.raises(EventLogError, match=r"log\.csv:3: an event has no activity"):
        read_log(path)


def test_a_bad_timestamp_names_its_line(tmp_path):
    path = _csv(
        tmp_path,
        "case:concept:name,concept:name,time:timestamp\nc,a,2026-01-01\nc,b,yesterday\n",
    )
    with pytest.raises(EventLogError, match=r"log\.csv:3: cannot read the timestamp 'yesterday'"):
        read_log(path)


_HEADER = "case:concept:name,concept:name,time:timestamp\n"


def test_day_first_dates_are_read_in_one_order(tmp_path):
    # one date with a day above 12 tells the column's order: 01/02/2020 is 1 February here
    # (read on their own, 13/02 would be February and 01/02 January: the events swap)
    path = _csv(tmp_path, _HEADER + "c,a,01/02/2020 10:00\nc,b,13/02/2020 10:00\nd,a,3.2.2020\n")
    log = read_log(path)
    assert [t.strftime("%Y-%m-%d") for t in log[TIMESTAMP]] == [
        "2020-02-01",
        "2020-02-13",
        "2020-02-03",
    ]
    assert list(log[ACTIVITY].astype(str)) == ["a", "b", "a"]
    month_first = _csv(tmp_path, _HEADER + "c,a,01/02/2020\nc,b,02/13/2020\n", "us.csv")
    assert [t.strftime("%m-%d") for t in read_log(month_first)[TIMESTAMP]] == ["01-02", "02-13"]


def test_mixed_date_orders_are_refused(tmp_path):
    path = _csv(tmp_path, _HEADER + "c,a,13/02/2020\nc,b,01/01/2020\nc,c,02/13/2020\n")
    with pytest.raises(EventLogError, match=r"log\.csv:4: .*mix day-first and month-first"):
        read_log(path)


def test_malformed_xes(tmp_path):
    path = _csv(tmp_path, "<log><trace><event></trace></log>", "bad.xes")
    with pytest.raises(EventLogError, match=r"bad\.xes:1: the XES file is not well-formed"):
        read_log(path)


def test_xes_without_events(tmp_path):
    path = _csv(
        tmp_path, "<log><trace><string key='concept:name' value='x'/></trace></log>", "e.xes"
    )
    with pytest.raises(EventLogError, match=r"empty \(1 traces and no events\)"):
        read_log(path)


def test_xes_event_without_timestamp(tmp_path):
    path = _csv(
        tmp_path,
        "<log>\n<trace><string key='concept:name' value='x'/>\n"
        "<event><string key='concept:name' value='a'/>"
        "<date key='time:timestamp' value='2026-01-01T00:00:00'/></event>\n"
        "<event><string key='concept:name' value='b'/></event>\n</trace></log>",
        "t.xes",
    )
    with pytest.raises(EventLogError, match=r"t\.xes:4: an event has no 'time:timestamp'"):
        read_log(path)


def test_xes_without_any_timestamp_lists_the_attributes(tmp_path):
    path = _csv(
        tmp_path,
        "<log><trace><string key='concept:name' value='x'/>"
        "<event><string key='concept:name' value='a'/><date key='time' value='2026-01-01'/>"
        "</event></trace></log>",
        "t.xes",
    )
    with pytest.raises(EventLogError, match=r"no attribute 'time:timestamp'.*concept:name, time"):
        read_log(path)


def test_xes_trace_without_case_id(tmp_path):
    path = _csv(
        tmp_path,
        "<log><trace><event><string key='concept:name' value='a'/>"
        "<date key='time:timestamp' value='2026-01-01T00:00:00'/></event></trace></log>",
        "t.xes",
    )
    with pytest.raises(EventLogError, match="no 'concept:name' attribute \\(the case id\\)"):
        read_log(path)


def test_xes_entities_are_not_expanded(tmp_path):
    path = _csv(
        tmp_path,
        '<?xml version="1.0"?>\n<!DOCTYPE log [<!ENTITY boom "BOOM">]>\n'
        "<log><trace><string key='concept:name' value='x'/>"
        "<event><string key='concept:name' value='&boom;'/>"
        "<date key='time:timestamp' value='2026-01-01T00:00:00'/></event></trace></log>",
        "ent.xes",
    )
    with pytest.raises(EventLogError, match="declares entities"):
        read_log(path)


# -- writing ------------------------------------------------------------------------------------


def test_csv_round_trip(tmp_path):
    target = write_log(tmp_path / "out.csv", _table())
    text = target.read_text(encoding="utf-8")
    assert text.splitlines()[0] == (
        "case:concept:name,concept:name,org:resource,org:group,start_timestamp,time:timestamp"
    )
    assert "case-1,Apply,r0,,2026-01-05T08:00:00.000+00:00,2026-01-05T09:00:00.000+00:00" in text
    log = read_log(target)
    assert len(log) == 4
    assert (log[TIMESTAMP] - log[START] == pd.Timedelta(hours=1)).all()


def test_xes_round_trip_with_hostile_names(tmp_path):
    names = ('Check "form" & <stamp>', "Décision finale")
    target = write_log(tmp_path / "out.xes", _table(names))
    log = read_log(target)
    assert set(log[ACTIVITY].astype(str)) == set(names)
    assert (log[TIMESTAMP] - log[START] == pd.Timedelta(hours=1)).all()
    assert log[GROUP].isna().sum() == 2  # no group written where the actor has no agency


def test_xes_of_names_with_control_characters_is_well_formed(tmp_path):
    # YAML lets a name hold control characters ("\x01"); XML 1.0 cannot hold them even escaped
    names = ("Check\x01 the \x1fform\ttab", "Sign\nhere")
    target = write_log(tmp_path / "ctl.xes", _table(names))
    log = read_log(target)  # well-formed XML: it parses
    assert set(log[ACTIVITY].astype(str)) == {"Check\ufffd the \ufffdform\ttab", "Sign\nhere"}


def test_gzipped_output(tmp_path):
    target = write_log(tmp_path / "out.xes.gz", _table())
    assert gzip.decompress(target.read_bytes()).startswith(b"<?xml")
    assert len(read_log(target)) == 4


def test_zero_duration_runs_keep_start_before_complete(tmp_path):
    table = _table()
    table.complete = table.start.copy()
    target = write_log(tmp_path / "zero.xes", table)
    text = target.read_text(encoding="utf-8")
    body = text.index("<trace>")
    first_start = text.index('value="start"', body)
    first_complete = text.index('value="complete"', body)
    assert first_start < first_complete
    assert len(read_log(target)) == 4


def test_pm4py_reads_what_we_write(tmp_path):
    pm4py = pytest.importorskip("pm4py")
    m = bpr.load(LOGS / "nested.yaml")
    result = simulate(m, 40, seed=1, events=True)
    assert result.events is not None
    xes = write_log(tmp_path / "sim.xes", result.events)
    csv = write_log(tmp_path / "sim.csv", result.events)
    with warnings.catch_warnings():  # pm4py suggests an optional faster reader
        warnings.simplefilter("ignore")
        frame = pm4py.read_xes(str(xes))
    assert len(frame) == 2 * len(result.events)
    assert {"concept:name", "org:resource", "lifecycle:transition", "time:timestamp"} <= set(
        frame.columns
    )
    assert frame["case:concept:name"].nunique() == 40
    table = pd.read_csv(csv)
    formatted = pm4py.format_dataframe(
        table, case_id=CASE, activity_key=ACTIVITY, timestamp_key=TIMESTAMP
    )
    assert len(formatted) == len(result.events)


def test_writing_never_replaces_an_input(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="overwrite the input"):
        write_log(source, _table(), inputs=(str(source),))
    assert source.read_text(encoding="utf-8") == "x"


def test_writing_into_a_missing_folder_creates_it(tmp_path):
    target = write_log(tmp_path / "no" / "out.csv", _table())
    assert len(read_log(target)) == 4
    assert [p.name for p in (tmp_path / "no").iterdir()] == ["out.csv"]


# -- ids and names are text (issue 18: #5, #17) -------------------------------------------------


def test_csv_ids_and_names_are_read_as_text(tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text(
        "case:concept:name,concept:name,time:timestamp,org:resource\n"
        "007,NA,2026-01-01T10:00:00,0042\n"
        "7,None,2026-01-01T11:00:00,N/A\n"
        "7.0,NaN,2026-01-01T12:00:00,null\n"
        "1e3,null,2026-01-01T12:00:00,\n",
        encoding="utf-8",
    )
    log = read_log(path)
    assert sorted(log[CASE].astype(str)) == ["007", "1e3", "7", "7.0"]
    assert sorted(log[ACTIVITY].astype(str)) == ["NA", "NaN", "None", "null"]
    assert sorted(log[RESOURCE].dropna().astype(str)) == ["0042", "N/A", "null"]
    assert log[RESOURCE].isna().sum() == 1  # only the empty cell is missing


def test_an_empty_cell_is_still_a_missing_activity(tmp_path):
    path = tmp_path / "gap.csv"
    path.write_text(
        "case:concept:name,concept:name,time:timestamp\n1,a,2026-01-01\n2,,2026-01-01\n",
        encoding="utf-8",
    )
    with pytest.raises(EventLogError, match=r"gap.csv:3: an event has no activity"):
        read_log(path)


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x")', "+1", "-5 days", "@SUM(A1)"])
def test_csv_log_cells_never_start_a_formula(tmp_path, name):
    table = _table((name, "Check"))
    table.resources = [name, "r1"]
    table.groups = [name, None]
    target = write_log(tmp_path / "out.csv", table)
    with target.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))[1:]
    for row in rows:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)
    # timestamps stay as they are; the guard is undone when the log is read back
    assert rows[0][-1] == "2026-01-05T09:00:00.000+00:00"
    log = read_log(target)
    assert set(log[ACTIVITY].astype(str)) == {name, "Check"}
    assert set(log[RESOURCE].astype(str)) == {name, "r1"}


@pytest.mark.parametrize("stamp", ["NaN", "NaT", "nan"])
def test_a_timestamp_that_pandas_reads_as_no_time_is_refused(tmp_path, stamp):
    path = tmp_path / "nat.csv"
    path.write_text(
        f"case:concept:name,concept:name,time:timestamp\n1,a,2026-01-01\n1,b,{stamp}\n",
        encoding="utf-8",
    )
    with pytest.raises(EventLogError, match=rf"nat.csv:3: cannot read the timestamp '{stamp}'"):
        read_log(path)


def test_an_empty_xes_timestamp_is_refused(tmp_path):
    path = tmp_path / "empty.xes"
    path.write_text(
        '<log><trace><string key="concept:name" value="1"/><event>'
        '<string key="concept:name" value="a"/><date key="time:timestamp" value=""/>'
        "</event></trace></log>",
        encoding="utf-8",
    )
    with pytest.raises(EventLogError, match=r"empty.xes:1: cannot read the timestamp ''"):
        read_log(path)


def test_a_name_with_a_carriage_return_keeps_the_csv_log_readable(tmp_path):
    table = _table(("Check\rform", "Sign"))
    table.resources = ["desk\r", "r1"]
    log = read_log(write_log(tmp_path / "cr.csv", table))
    assert len(log) == 4
    assert set(log[ACTIVITY].astype(str)) == {"Check\rform", "Sign"}
    assert set(log[RESOURCE].astype(str)) == {"desk\r", "r1"}


# -- Parquet and the XES stream --------------------------------------------------------------


def test_parquet_round_trip_keeps_text_and_times(tmp_path):
    pytest.importorskip("duckdb")
    table = _table(names=("007", "=SUM(A1)"))
    path = write_log(tmp_path / "log.parquet", table)
    assert path.read_bytes()[:4] == b"PAR1"
    frame = read_log(path)
    as_csv = read_log(write_log(tmp_path / "log.csv", table))
    assert frame[ACTIVITY].astype(str).tolist() == as_csv[ACTIVITY].astype(str).tolist()
    assert frame[ACTIVITY].astype(str).tolist()[:2] == ["007", "=SUM(A1)"]
    assert frame[TIMESTAMP].tolist() == as_csv[TIMESTAMP].tolist()
    assert frame[START].tolist() == as_csv[START].tolist()
    assert frame[GROUP].isna().tolist() == as_csv[GROUP].isna().tolist()


def test_parquet_with_named_and_missing_columns(tmp_path):
    duckdb = pytest.importorskip("duckdb")
    path = tmp_path / "export.parquet"
    duckdb.sql(
        "COPY (SELECT * FROM (VALUES (7, 'Apply', '2026-01-05T09:00:00+05:00')) "
        f't("Case", "Step", "When")) TO \'{path}\' (FORMAT parquet)'
    )
    frame = read_log(path, LogColumns(case="Case", activity="Step", timestamp="When"))
    assert frame[CASE].astype(str).tolist() == ["7"]
    assert frame[TIMESTAMP].iloc[0] == pd.Timestamp("2026-01-05T04:00:00", tz="UTC")
    with pytest.raises(EventLogError, match=r"no column 'case:concept:name'.*Case"):
        read_log(path)


def test_a_parquet_row_without_time_is_named_by_row(tmp_path):
    duckdb = pytest.importorskip("duckdb")
    path = tmp_path / "gap.parquet"
    duckdb.sql(
        "COPY (SELECT * FROM (VALUES ('c', 'a', '2026-01-05T09:00:00Z'), ('c', 'b', NULL))"
        f' t("case:concept:name", "concept:name", "time:timestamp")) TO \'{path}\' (FORMAT parquet)'
    )
    with pytest.raises(EventLogError, match=r"gap.parquet: row 2: an event has no timestamp"):
        read_log(path)


def test_the_xes_stream_comes_in_batches(tmp_path):
    from bpr.files.eventlog import XesScan

    path = write_log(tmp_path / "log.xes", _table(cases=5))
    batches = list(XesScan(str(path), LogColumns(), size=3).batches())
    # whole traces at a time: a batch ends with a trace once it holds 3 events or more
    assert [len(b[CASE]) for b in batches] == [4, 4, 4, 4, 4]
    assert batches[0][CASE] == ["case-1"] * 4
    assert batches[0]["lifecycle:transition"][:2] == ["start", "complete"]


# -- the two readings of XES -----------------------------------------------------------------
#
# XesScan reads the common shape of XES with regular expressions and anything else with lxml;
# both must give the same batches, keys, trace count and errors. ``_reader`` says which ran.


def _scan(path, size=7, columns=None):
    """What XesScan gives for ``path``: batches, keys and traces, or the error; and the reader."""
    from bpr.files.eventlog import XesScan

    scan = XesScan(str(path), columns or LogColumns(), size)
    try:
        result = (list(scan.batches()), set(scan.keys), scan.traces)
    except EventLogError as exc:
        result = str(exc)
    return result, scan._reader


def _lxml(path, size=7, columns=None):
    """The same from lxml alone: the reading XesScan had before the fast one."""
    from bpr.files.eventlog import XesScan

    scan = XesScan(str(path), columns or LogColumns(), size)
    try:
        return list(scan._parsed_batches()), set(scan.keys), scan.traces
    except EventLogError as exc:
        return str(exc)


#: lxml gives no line past this one (libxml2 keeps a node's line in 16 bits); the plain
#: reading counts on, so lines past it are compared as lxml has them.
LXML_LAST_LINE = 65535


def _as_lxml_lines(result):
    if isinstance(result, str):
        return result
    batches, keys, traces = result
    capped = [{**b, "line": [min(n, LXML_LAST_LINE) for n in b["line"]]} for b in batches]
    return capped, keys, traces


def _same(path, size=7, columns=None):
    """The reader XesScan chose, once its result is known to be lxml's."""
    result, reader = _scan(path, size, columns)
    assert _as_lxml_lines(result) == _lxml(path, size, columns)
    return reader


def _plain_log(tmp_path, name="log.xes", cases=40):
    """A log of the shape bpr writes: start and complete events, groups on some activities."""
    result = simulate(bpr.load(LOGS / "nested.yaml"), cases, seed=7, events=True)
    return write_log(tmp_path / name, result.events)


def test_the_test_data_is_read_alike_by_both_readings(shared_data):
    assert _same(LOGS / "lifecycle.xes") == "lxml"  # it has a comment and &amp;
    example = shared_data / "running-example.xes"
    if not example.is_file():
        pytest.skip("shared/data/running-example.xes is absent")
    assert _same(example) == "plain"
    assert _same(example, size=1, columns=LogColumns(activity="Activity", group="Costs")) == (
        "plain"
    )


@pytest.mark.parametrize("name", ["log.xes", "log.xes.gz"])
@pytest.mark.parametrize("size", [1, 50, 100_000])
def test_a_log_written_by_bpr_is_read_the_plain_way(tmp_path, name, size):
    path = _plain_log(tmp_path, name)
    assert _same(path, size) == "plain"
    batches = _scan(path, size)[0][0]
    assert sum(len(b[CASE]) for b in batches) == 2 * len(simulate(
        bpr.load(LOGS / "nested.yaml"), 40, seed=7, events=True).events)  # fmt: skip


def test_lines_past_65535_are_counted_on(tmp_path):
    # lxml gives 65535 for every later line; the plain reading gives the event's own line
    path = _plain_log(tmp_path, cases=3000)
    assert _same(path, size=100_000) == "plain"
    lines = _scan(path, size=100_000)[0][0][0]["line"]
    text = path.read_text().splitlines()
    events = [n for n, line in enumerate(text, start=1) if line.lstrip().startswith("<event")]
    assert lines == events and max(lines) > LXML_LAST_LINE


_EVENT = (
    '<event><string key="concept:name" value="{a}"/>'
    '<date key="time:timestamp" value="2026-01-0{d}T09:00:00+00:00"/></event>'
)


def _doc(*traces, head="", declaration='<?xml version="1.0" encoding="UTF-8"?>\n', end="\n"):
    """An XES document of traces, each a list of parts (an event's activity or raw XML)."""
    parts = [declaration, '<log xes.version="1.0" xmlns="http://www.xes-standard.org/">', head]
    for number, trace in enumerate(traces):
        parts.append(f'\n<trace>\n<string key="concept:name" value="case {number}"/>\n')
        for i, part in enumerate(trace):
            parts.append(part if part.startswith("<") else _EVENT.format(a=part, d=i % 9 + 1))
            parts.append("\n")
        parts.append("</trace>")
    parts.append("\n</log>" + end)
    return end.join("".join(parts).split("\n"))


_PLAIN = _doc(["Apply", "Сheck ə ş ğ"], ["Decide > it's \u00e9"], [])


@pytest.mark.parametrize(
    ("reader", "text"),
    [
        ("plain", _PLAIN),
        ("plain", "\ufeff" + _PLAIN),
        ("plain", _PLAIN.replace("\n", "\r\n")),
        ("plain", _doc(["a"], declaration="")),
        ("plain", _doc(["a"], declaration="<?xml version='1.0' encoding='utf-8'?>")),
        ("plain", _doc(["a", '<string key="concept:name" value="late id"/>', "b"])),
        ("plain", _doc(["a", '<event><string key="concept:name" value="x"/></event>'])),
        ("plain", _doc(["a", "<event></event>", "<event>\n</event >"])),
        (
            "plain",
            _doc(
                [
                    '<event><date key="time:timestamp" value="2026-01-01"/>'
                    '<int key="n" value="1"/><string key="concept:name" value="a"/>'
                    '<string key="concept:name" value="again"/></event>'
                ]
            ),
        ),
        ("plain", _doc(["a"], head='<global scope="event"><string key="k" value="v"/></global>')),
        ("plain", _doc()),
        ("lxml", _PLAIN.replace("\n", "\r")),
        ("lxml", _doc(["a"], head="<!-- made by hand -->")),
        ("lxml", _doc(["a", "<!-- a note --><event></event>"])),
        ("lxml", _doc(["a", "<event><![CDATA[text]]></event>"])),
        ("lxml", _doc(["a"], head="<?stylesheet x?>")),
        ("lxml", _doc(["a", "<event><string key='concept:name' value='single'/></event>"])),
        ("lxml", _doc(["A &amp; B"])),
        ("lxml", _doc(["A &#1241; B"])),
        (
            "lxml",
            _doc(
                ["a", '<event><list key="l"><string key="concept:name" value="in"/></list></event>']
            ),
        ),
        ("lxml", _doc(["a", '<event><container key="c"/></event>'])),
        (
            "lxml",
            _doc(
                [
                    "a",
                    '<event><string key="concept:name" value="x">'
                    '<string key="y" value="z"/></string></event>',
                ]
            ),
        ),
        ("lxml", _doc(["a", '<event><string value="v" key="concept:name"/></event>'])),
        ("lxml", _doc(["a", '<event><string key="k" value="v" id="1"/></event>'])),
        (
            "lxml",
            _doc(
                [
                    "a",
                    '<x:event xmlns:x="http://www.xes-standard.org/">'
                    '<x:string key="concept:name" value="p"/></x:event>',
                ]
            ),
        ),
        ("lxml", _doc(["tab\there"])),
        ("lxml", _doc(["a"], declaration='<?xml version="1.0" encoding="ISO-8859-1"?>')),
        ("lxml", _doc(["a"]).replace("</log>", _EVENT.format(a="loose", d=1) + "</log>")),
        ("lxml", _doc(["a"], head=_EVENT.format(a="early", d=1))),
        ("lxml", _doc(["a"]).replace("<trace>", "<trace/><trace>", 1)),
        ("lxml", _doc(["a"], head="<!DOCTYPE log>")),
        ("lxml", _doc(["a"]).replace("</trace>", "</trace>text", 1)),
        ("lxml", _doc(["a", "<event><event></event></event>"])),
    ],
)
def test_each_reading_runs_where_it_reads_exactly(tmp_path, reader, text):
    path = tmp_path / "log.xes"
    path.write_bytes(text.encode("utf-8"))
    assert _same(path, size=1) == reader
    assert _same(path, size=100) == reader


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_doc(["a", '<event><string key="concept:name" value="b"/></event>']),
         r"log\.xes:6: an event has no 'time:timestamp'"),
        (_doc(["a", '<event><date key="time:timestamp" value="2026-01-01"/></event>']),
         r"log\.xes:6: an event has no 'concept:name'"),
        (_doc(["a"], ["b"]).replace('key="concept:name" value="case 1"', 'key="id" value="x"'),
         r"log\.xes:9: a trace has no 'concept:name' attribute \(the case id\)"),
    ],
)  # fmt: skip
def test_events_and_traces_without_their_values_are_refused_at_their_line(tmp_path, text, message):
    path = tmp_path / "log.xes"
    path.write_text(text, encoding="utf-8")
    assert _same(path) == "plain"
    with pytest.raises(EventLogError, match=message):
        read_log(path)


@pytest.mark.parametrize("name", ["log.xes", "log.xes.gz"])
def test_malformed_xml_deep_in_a_big_log_is_refused_as_lxml_refuses_it(tmp_path, name):
    text = _plain_log(tmp_path, cases=600).read_text(encoding="utf-8")
    lines = text.split("\n")
    middle = len(lines) * 2 // 3
    while not lines[middle].lstrip().startswith("<event>"):
        middle += 1
    lines[middle] = lines[middle].replace("</event>", "</evnt>")
    path = tmp_path / name
    data = "\n".join(lines).encode("utf-8")
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    result, reader = _scan(path, size=500)
    assert reader == "lxml"
    assert result == _lxml(path, size=500)
    assert f"{name}:{middle + 1}: the XES file is not well-formed XML" in result
    with pytest.raises(EventLogError, match=rf"{name}:{middle + 1}: the XES file is not well"):
        read_log(path)


def test_a_truncated_gzipped_log_is_refused_as_before(tmp_path):
    data = gzip.compress(_plain_log(tmp_path, cases=300).read_bytes())
    path = tmp_path / "cut.xes.gz"
    path.write_bytes(data[: len(data) // 2])
    assert _same(path, size=100) == "lxml"
    assert "cannot read the file" in _scan(path)[0]


@pytest.mark.parametrize("name", ["log.xes", "log.xes.gz"])
def test_a_log_unusual_only_near_its_end_gives_each_batch_once(tmp_path, name):
    # the plain reading has given batches when it meets the comment; lxml gives the rest
    text = _plain_log(tmp_path, cases=1800).read_text(encoding="utf-8")
    assert len(text) > 8 << 20  # more than the plain reading takes at a time
    at = text.rindex("<trace>")
    path = tmp_path / name
    data = (text[:at] + "<!-- late -->" + text[at:]).encode("utf-8")
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    result, reader = _scan(path, size=500)
    assert reader == "lxml"
    assert result == _lxml(path, size=500)
    assert len(result[0]) > 2 and result[2] == 1800


def test_without_possessive_quantifiers_lxml_reads_every_file(tmp_path, monkeypatch):
    # Python 3.10 has none: the plain reading's patterns would not compile there
    from bpr.files import eventlog

    path = _plain_log(tmp_path)
    expected = _scan(path)[0]
    monkeypatch.setattr(eventlog, "_PLAIN_READING", False)
    result, reader = _scan(path)
    assert reader == "lxml" and result == expected
