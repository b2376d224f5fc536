"""The DuckDB reduction of event logs against the in-memory one: the same figures, the same
draft, the same fitness; and the checks, coverage, memory limit and summary of large logs."""

from __future__ import annotations

import dataclasses
import datetime
import io
import json
import tempfile
from pathlib import Path

import pytest

import bpr
from bpr.errors import BprError, EventLogError
from bpr.files.eventlog import LogColumns, read_log, write_log
from bpr.mining import conform, discover, mine
from bpr.mining import conformance as conformance_module
from bpr.mining.conformance import select_variants
from bpr.mining.discovery import lead_time_comparison
from bpr.mining.progress import Progress
from bpr.mining.reduce import (
    BESIDE_DUCKDB,
    Percentiles,
    duckdb_share,
    parse_memory,
    reduce_file,
    reduce_frame,
    reduce_log,
)
from bpr.mining.replay import replay_probabilities
from bpr.mining.tree import DraftStep
from bpr.simulate import simulate
from tests.conftest import TINY_COLUMNS, frame_to_parquet

pytest.importorskip("pm4py")
pytest.importorskip("duckdb")

LOGS = Path(__file__).parent / "data" / "logs"
NESTED = LOGS / "nested.yaml"
SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def _shared(name: str) -> Path:
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"{name} is not in {SHARED} (the shared data beside this checkout)")
    return path


def _same_reduction(a, b) -> None:
    """Two reduced logs hold the same figures (durations to the microsecond)."""
    for item in dataclasses.fields(a):
        if item.name in ("engine", "seconds", "source"):
            continue
        one, other = getattr(a, item.name), getattr(b, item.name)
        if item.name in ("work", "wait"):
            assert one.keys() == other.keys(), item.name
            for activity in one:
                for q in ("p10", "median", "p90"):
                    assert getattr(one[activity], q) == pytest.approx(
                        getattr(other[activity], q), abs=1e-6
                    ), (item.name, activity, q)
        elif item.name == "case_days":
            for q in ("p10", "median", "p90"):
                assert getattr(one, q) == pytest.approx(getattr(other, q), abs=1e-9)
        elif item.name == "mean_case_days":
            assert one == pytest.approx(other, abs=1e-9)
        else:
            assert one == other, item.name


def _both(path: Path, columns: LogColumns | None = None):
    memory = reduce_log(path, columns, engine="memory")
    duck = reduce_log(path, columns, engine="duckdb")
    assert (memory.engine, duck.engine) == ("memory", "duckdb")
    return memory, duck


@pytest.fixture(scope="module")
def simulated(tmp_path_factory) -> dict[str, Path]:
    """The nested test model's simulated cases written as CSV, gzipped XES and Parquet."""
    folder = tmp_path_factory.mktemp("logs")
    result = simulate(bpr.load(NESTED), 300, seed=5, events=True)
    assert result.events is not None
    paths = {}
    for suffix in ("csv", "xes.gz", "parquet"):
        paths[suffix] = write_log(folder / f"nested.{suffix}", result.events)
    return paths


# -- the same model and fitness either way ---------------------------------------------------


@pytest.mark.parametrize("name", ["receipt.csv", "running-example.xes"])
def test_real_logs_give_the_same_model_and_fitness(name):
    path = _shared(name)
    memory, duck = _both(path)
    _same_reduction(memory, duck)
    by_memory = mine(path, engine="memory")
    by_duckdb = mine(path, engine="duckdb")
    assert by_memory.text == by_duckdb.text
    assert by_duckdb.engine == "duckdb"
    # alignments of the 116 variants of receipt.csv take minutes: token-based replay there
    for method in ("tbr", "alignments") if name == "running-example.xes" else ("tbr",):
        one = conform(by_memory.model, memory, method=method)
        other = conform(by_memory.model, duck, method=method)
        assert one.as_dict() == other.as_dict()


def test_receipt_figures_by_hand():
    duck = reduce_log(_shared("receipt.csv"), engine="duckdb")
    # 1,434 cases and 8,577 events in 116 variants (counted in the file with pandas once)
    assert (duck.cases, duck.events, len(duck.variants)) == (1434, 8577, 116)
    assert sum(duck.variants.values()) == duck.cases
    assert sum(duck.activity_events.values()) == duck.events
    assert duck.mean_case_days == pytest.approx(5.408, abs=0.001)


@pytest.mark.parametrize("suffix", ["csv", "xes.gz", "parquet"])
def test_generated_logs_give_the_same_model_and_fitness(simulated, suffix):
    path = simulated[suffix]
    memory, duck = _both(path)
    _same_reduction(memory, duck)
    assert memory.cases == 300 and memory.has_start
    one = discover(memory, source=path.name, service="nested", noise=0.0)
    other = discover(duck, source=path.name, service="nested", noise=0.0)
    assert one.text == other.text
    assert conform(one.model, memory).as_dict() == conform(one.model, duck).as_dict()
    assert conform(one.model, duck).fitness == pytest.approx(1.0)


def test_the_formats_reduce_alike(simulated):
    """CSV, gzipped XES (start and complete events paired) and Parquet hold one log."""
    csv, xes, parquet = (reduce_file(simulated[s]) for s in ("csv", "xes.gz", "parquet"))
    _same_reduction(csv, xes)
    _same_reduction(csv, parquet)


def test_a_frame_and_its_file_reduce_alike(simulated):
    frame = read_log(simulated["parquet"])
    _same_reduction(reduce_frame(frame), reduce_file(simulated["parquet"]))


def test_named_columns_and_start_times(tmp_path):
    memory, duck = _both(LOGS / "tiny.csv", TINY_COLUMNS)
    _same_reduction(memory, duck)
    # Check documents: 2h, 1h, 2h, 1h of work -> median 1.5h, linear 10th percentile 1h
    assert duck.work["Check documents"] == Percentiles(1.0, 1.5, 2.0)
    assert duck.actors["org:group"]["Check documents"] == {"Back office": 4}


def test_the_lifecycle_of_xes_events_is_paired(tmp_path):
    memory, duck = _both(LOGS / "lifecycle.xes")
    _same_reduction(memory, duck)
    assert duck.has_start


# -- text stays text -------------------------------------------------------------------------


def _csv(tmp_path: Path, rows: list[str], name: str = "log.csv") -> Path:
    path = tmp_path / name
    path.write_text("case:concept:name,concept:name,time:timestamp\n" + "\n".join(rows) + "\n")
    return path


def test_ids_stay_as_written(tmp_path):
    path = _csv(
        tmp_path,
        [
            "007,010,2026-01-05T09:00:00Z",
            "007,1e3,2026-01-05T10:00:00Z",
            "7,010,2026-01-06T09:00:00Z",
            "7,NA,2026-01-06T10:00:00Z",
        ],
    )
    memory, duck = _both(path)
    _same_reduction(memory, duck)
    assert duck.cases == 2
    assert duck.variants == {("010", "1e3"): 1, ("010", "NA"): 1}


def test_cells_guarded_against_spreadsheets_come_back(tmp_path):
    result = simulate(bpr.load(NESTED), 3, seed=1, events=True)
    assert result.events is not None
    result.events.names = ["=SUM(A1)" if n == "apply" else n for n in result.events.names]
    path = write_log(tmp_path / "guarded.csv", result.events)
    assert "'=SUM(A1)" in path.read_text()
    assert "=SUM(A1)" in reduce_file(path).activity_events


def test_a_line_feed_inside_a_quoted_cell_stays_in_the_cell(tmp_path):
    path = tmp_path / "feed.csv"
    path.write_text(
        "case:concept:name,concept:name,time:timestamp,org:resource\n"
        'c,a,2026-01-05T09:00:00Z,"first\nsecond"\nc,b,2026-01-05T10:00:00Z,z\n'
    )
    memory, duck = _both(path)
    _same_reduction(memory, duck)
    assert duck.actors["org:resource"]["a"] == {"first\nsecond": 1}


START = datetime.datetime(2026, 1, 5, 9)


def _cases_of(tmp_path: Path, lengths: list[int], activities: int) -> tuple[Path, dict]:
    """A log with one case of each length, its events cycling through the activities."""
    rows, expected = [], {}
    for number, length in enumerate(lengths):
        trace = tuple(f"act{(number + i) % activities:03d}" for i in range(length))
        expected[trace] = expected.get(trace, 0) + 1
        # a minute apart, but the second event at the time of the first (file order decides)
        times = [START + datetime.timedelta(minutes=i if i != 1 else 0) for i in range(length)]
        rows += [
            f"c{number},{name},{t:%Y-%m-%dT%H:%M:%SZ}" for name, t in zip(trace, times, strict=True)
        ]
    return _csv(tmp_path, rows), expected


@pytest.mark.parametrize(
    "activities",
    [
        5,  # 3 bits a code: 42 events a word
        300,  # 9 bits a code: 14 events a word
    ],
)
def test_long_cases_keep_every_event_in_order(tmp_path, activities):
    """Cases of any length, across the 128-bit words their variants are packed into."""
    lengths = [1, 2, 13, 14, 15, 27, 28, 29, 41, 42, 43, 84, 85, 300, 2000]
    path, expected = _cases_of(tmp_path, lengths, activities)
    memory, duck = _both(path)
    _same_reduction(memory, duck)
    assert duck.variants == {t: n for t, n in sorted(expected.items(), key=lambda kv: kv[0])}
    assert duck.events == sum(lengths)


def test_equal_times_keep_the_order_of_the_file(tmp_path):
    path = _csv(tmp_path, ["c,b,2026-01-05T09:00:00Z", "c,a,2026-01-05T09:00:00Z"])
    assert list(reduce_file(path).variants) == [("b", "a")]
    assert list(reduce_frame(read_log(path)).variants) == [("b", "a")]


# -- the narrow keys of the one sort ---------------------------------------------------------

#: Two case ids that DuckDB's 64-bit hash (2.0) gives one value (made from its definition).
CLASHING = ("pzTyoVRrafPa", "DXRtGvbYM98W")


def test_case_ids_sharing_a_hash_stay_two_cases(tmp_path):
    import duckdb

    one, other = CLASHING
    same = duckdb.connect().execute("SELECT hash(?) = hash(?)", [one, other]).fetchall()
    if not same[0][0]:
        pytest.skip(f"this DuckDB ({duckdb.__version__}) hashes {one} and {other} apart")
    # the two cases' events interleave in time: keyed by the hash alone they would be one
    # case a, c, b, d
    path = _csv(
        tmp_path,
        [
            f"{one},a,2026-01-05T09:00:00Z",
            f"{other},c,2026-01-05T10:00:00Z",
            f"{one},b,2026-01-05T11:00:00Z",
            f"{other},d,2026-01-05T12:00:00Z",
            "third,a,2026-01-06T09:00:00Z",
            "third,b,2026-01-06T11:00:00Z",
        ],
    )
    memory, duck = _both(path)
    _same_reduction(memory, duck)
    assert duck.variants == {("a", "b"): 2, ("c", "d"): 1}
    assert duck.cases == 3


def _awkward_log(folder: Path, cases: int, activities: int) -> Path:
    """A CSV log (start times in ``start_timestamp``) of long case ids, many activities,
    times in several zones with sub-second parts, and resources and groups that are often
    missing."""
    rows = []
    zones = {
        "Z": datetime.timedelta(0),
        "+05:00": datetime.timedelta(hours=5),
        "-03:30": -datetime.timedelta(hours=3, minutes=30),
        "+14:00": datetime.timedelta(hours=14),
    }
    for case in range(cases):
        ident = f"application/{case:06d}/" + "x" * (case % 40)  # 20 to 59 characters
        for step in range(1 + case % 23):
            start = START + datetime.timedelta(
                days=case % 400, hours=step * 3, microseconds=(case * 7919 + step * 104729) % 10**6
            )
            done = start + datetime.timedelta(minutes=17 * (step % 5), microseconds=step * 333)
            zone = list(zones)[(case + step) % len(zones)]

            def written(moment: datetime.datetime, zone: str = zone) -> str:
                # the same instant written in the zone's local time (START is UTC)
                return (moment + zones[zone]).strftime("%Y-%m-%dT%H:%M:%S.%f") + zone

            activity = f"step {(case * 31 + step * 17) % activities:04d}"
            resource = "" if (case + step) % 3 == 0 else f"clerk {(case + step) % 11}"
            group = "" if (case + step) % 4 == 0 else f"desk {(case + step) % 5}"
            rows.append(f"{ident},{activity},{written(start)},{written(done)},{resource},{group}")
    path = folder / "awkward.csv"
    header = "case:concept:name,concept:name,start_timestamp,time:timestamp,org:resource,org:group"
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


@pytest.mark.parametrize("activities", [3, 70, 1500])
def test_narrow_keys_give_the_same_figures_on_awkward_logs(tmp_path, activities):
    """Many activities (up to 11 bits a code), long case ids, time zones, microseconds and
    missing resources and groups: CSV and Parquet reduce as the in-memory path does."""
    path = _awkward_log(tmp_path, 600, activities)
    columns = LogColumns(start="start_timestamp")
    memory, duck = _both(path, columns)
    _same_reduction(memory, duck)
    assert duck.has_start and len(duck.activity_events) == min(activities, duck.events)
    assert duck.valued["org:resource"] < duck.events  # some resources are missing
    parquet = tmp_path / "awkward.parquet"
    frame_to_parquet(read_log(path, columns), parquet)  # times as UTC timestamps
    _same_reduction(memory, reduce_file(parquet, columns))


def test_the_mean_case_duration_is_exact(tmp_path):
    from fractions import Fraction

    path = _awkward_log(tmp_path, 2000, 7)
    frame = read_log(path, LogColumns(start="start_timestamp"))
    began = frame["start_timestamp"].fillna(frame["time:timestamp"])
    spans = (
        frame.assign(began=began)
        .groupby("case:concept:name")
        .agg(first=("began", "min"), last=("time:timestamp", "max"))
    )
    micros = sum(
        (last - first) // datetime.timedelta(microseconds=1)
        for first, last in zip(spans["first"], spans["last"], strict=True)
    )
    exact = float(Fraction(micros, len(spans) * 86_400_000_000))
    assert reduce_file(path, LogColumns(start="start_timestamp")).mean_case_days == exact


def test_figures_by_activity_come_in_the_order_of_the_activities(tmp_path):
    path = _awkward_log(tmp_path, 300, 40)
    duck = reduce_file(path, LogColumns(start="start_timestamp"))
    assert list(duck.work) == sorted(duck.work) and list(duck.wait) == sorted(duck.wait)
    for tally in duck.actors.values():
        assert list(tally) == sorted(tally)


# -- errors ----------------------------------------------------------------------------------


def test_a_missing_column_is_named_with_the_fix():
    with pytest.raises(EventLogError, match=r"no column 'case:concept:name'.*--case"):
        reduce_file(LOGS / "tiny.csv")


def test_a_time_that_is_not_iso_is_refused_with_its_line(tmp_path):
    path = _csv(tmp_path, ["c,a,2026-01-05T09:00:00Z", "c,b,5 January"])
    with pytest.raises(EventLogError, match=r"log.csv:3: cannot read the timestamp '5 January'"):
        reduce_file(path)


def test_an_event_without_activity_is_refused_with_its_line(tmp_path):
    path = _csv(tmp_path, ["c,a,2026-01-05T09:00:00Z", "c,,2026-01-05T10:00:00Z"])
    with pytest.raises(EventLogError, match=r"log.csv:3: an event has no activity"):
        reduce_file(path)


def test_a_csv_that_is_not_regular_is_refused_briefly(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text(
        "case:concept:name,concept:name,time:timestamp\nc,a,2026-01-05T09:00:00Z\n"
        "c,b,2026-01-05T10:00:00Z,extra\n"
    )
    with pytest.raises(EventLogError, match="cannot read the CSV file") as error:
        reduce_file(path)
    assert "--engine memory" in str(error.value) and "\n" not in str(error.value)


def _damaged_copy(path: Path, target: Path) -> Path:
    """The file with its middle overwritten: its header and footer (the schema) still read."""
    data = bytearray(path.read_bytes())
    middle = slice(len(data) // 10, len(data) * 6 // 10)
    data[middle] = b"\xff" * (middle.stop - middle.start)
    target.write_bytes(bytes(data))
    return target


def test_a_parquet_file_damaged_past_its_schema_is_refused_in_one_line(tmp_path, simulated):
    damaged = _damaged_copy(simulated["parquet"], tmp_path / "damaged.parquet")
    with pytest.raises(EventLogError, match="cannot read the log to the end") as error:
        reduce_file(damaged)
    said = str(error.value)
    assert said.startswith(f"{damaged}: ") and "export it again" in said
    assert "\n" not in said and "LINE 1" not in said  # DuckDB's SQL text is left out


def test_a_reduction_out_of_memory_says_to_allow_more(tmp_path, simulated, monkeypatch):
    import duckdb

    from bpr.mining import reduce as reduction

    def exhausted(*args, **kwargs):
        raise duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block")

    monkeypatch.setattr(reduction, "_one_ordering", exhausted)
    with pytest.raises(EventLogError, match="ran out of memory") as error:
        reduce_file(simulated["parquet"], memory=300 * 10**6)
    assert "--memory 4GB" in str(error.value) and "could not allocate" in str(error.value)


def test_mine_of_a_damaged_log_leaves_the_draft_it_would_replace(run_bpr, tmp_path, simulated):
    damaged = _damaged_copy(simulated["parquet"], tmp_path / "damaged.parquet")
    draft = tmp_path / "draft.yaml"
    draft.write_text("# the analyst's own draft\n")
    result = run_bpr("mine", damaged, "-o", draft, "--engine", "duckdb")
    assert result.exit_code == 1
    assert "export it again" in result.stderr and "Traceback" not in result.stderr
    assert draft.read_text() == "# the analyst's own draft\n"


def test_xes_errors_name_the_line(tmp_path):
    path = tmp_path / "bad.xes"
    path.write_text(
        '<log xmlns="http://www.xes-standard.org/">\n<trace>\n'
        '<string key="concept:name" value="c1"/>\n'
        '<event><date key="time:timestamp" value="2026-01-05T09:00:00Z"/>'
        '<string key="concept:name" value="a"/></event>\n'
        '<event><date key="time:timestamp" value="2026-01-05T10:00:00Z"/></event>\n'
        "</trace>\n</log>\n"
    )
    with pytest.raises(EventLogError, match=r"bad.xes:5: an event has no 'concept:name'"):
        reduce_file(path)
    empty = tmp_path / "empty.xes"
    empty.write_text('<log xmlns="http://www.xes-standard.org/"><trace/></log>')
    with pytest.raises(EventLogError, match="the log is empty"):
        reduce_file(empty)


def test_an_unknown_engine_is_refused():
    with pytest.raises(BprError, match="valid: auto, memory, duckdb"):
        reduce_log(LOGS / "tiny.csv", TINY_COLUMNS, engine="spark")


# -- memory ----------------------------------------------------------------------------------


def test_memory_sizes():
    assert parse_memory("2GB") == 2_000_000_000
    assert parse_memory("1.5 GiB") == 3 * 2**29
    with pytest.raises(BprError, match="such as 2GB"):
        parse_memory("lots")
    with pytest.raises(BprError, match="below 64MB"):
        parse_memory("1MB")


def test_the_memory_limit_is_for_the_whole_process():
    """DuckDB gets what the process holds and DuckDB's own room beside its limit leave."""
    two = parse_memory("2GB")
    share = duckdb_share(two)
    assert 64 * 2**20 <= share <= two - BESIDE_DUCKDB
    # a limit the process itself cannot keep to still leaves DuckDB enough to work
    assert duckdb_share(parse_memory("100MB")) == 64 * 2**20


def test_memory_the_process_holds_is_left_out_of_duckdbs_share():
    two = parse_memory("2GB")
    before = duckdb_share(two)
    held = bytearray(200 * 2**20)  # resident once written
    held[:: 2**12] = b"x" * len(held[:: 2**12])
    after = duckdb_share(two)
    del held
    # the 200 MiB now held come off the share (give or take what else moved meanwhile)
    assert before - after == pytest.approx(200 * 2**20, abs=40 * 2**20)


def test_the_share_of_an_xes_reduction_counts_pandas_in(tmp_path):
    """XES reaches DuckDB through pandas frames, so pandas is held before DuckDB's share is
    taken; a Parquet or CSV reduction loads no pandas at all."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from bpr.mining import reduce\n"
        "share = reduce.duckdb_share\n"
        "def told(memory):\n"
        "    print('pandas' in sys.modules)\n"
        "    return share(memory)\n"
        "reduce.duckdb_share = told\n"
        "for path in sys.argv[1:]:\n"
        "    reduce.reduce_file(path, memory=2**30)\n"
        "print('pandas' in sys.modules)\n"
    )
    csv = _csv(tmp_path, ["c,a,2026-01-05T09:00:00Z", "c,b,2026-01-05T10:00:00Z"])
    done = subprocess.run(
        [sys.executable, "-c", script, str(csv), str(LOGS / "lifecycle.xes")],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    # the CSV's share, taken without pandas; the XES one with it
    assert done.stdout.split() == ["False", "True", "True"]


def test_a_memory_limit_leaves_no_temporary_folder(simulated, tmp_path, monkeypatch):
    # a temporary folder of this test's own: other tests running at the same time reduce too
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    made: list[str] = []
    opened = tempfile.TemporaryDirectory.__init__

    def noted(self, *args, **kwargs):
        opened(self, *args, **kwargs)
        made.append(self.name)

    monkeypatch.setattr(tempfile.TemporaryDirectory, "__init__", noted)
    limited = reduce_file(simulated["parquet"], memory=parse_memory("100MB"))
    _same_reduction(limited, reduce_file(simulated["parquet"]))
    assert made and all(Path(name).parent == tmp_path for name in made)
    assert list(tmp_path.glob("bpr-duckdb-*")) == []


# -- discovery and conformance on the reduced form -------------------------------------------


def test_choice_probabilities_come_from_the_variants():
    steps = {
        "a": DraftStep("a", "a", next={"b": 0.5, "c": 0.5}),
        "b": DraftStep("b", "b", next={"d": 1.0}),
        "c": DraftStep("c", "c", next={"d": 1.0}),
        "d": DraftStep("d", "d", next={"end": 1.0}),
    }
    assert replay_probabilities(steps, "a", {("a", "b", "d"): 3, ("a", "c", "d"): 1})
    assert steps["a"].next == {"b": 0.75, "c": 0.25}


def test_a_choice_behind_a_routing_step_reads_the_activity_after_it():
    steps = {
        "start": DraftStep("start", "(start)", routing="x", next={"a": 0.5, "b": 0.5}),
        "a": DraftStep("a", "a", next={"end": 1.0}),
        "b": DraftStep("b", "b", next={"end": 1.0}),
    }
    replay_probabilities(steps, "start", {("a",): 1, ("b",): 4})
    assert steps["start"].next == pytest.approx({"a": 0.2, "b": 0.8})


def test_the_draft_compares_its_lead_time_with_the_log(simulated):
    result = mine(simulated["parquet"])
    assert result.case_days is not None
    assert "# Lead time: the draft's" in result.text
    assert f"median {result.case_days.median:.2f} days" in result.text.replace("\n# ", " ")
    assert result.method == "the inductive miner (IMf, noise threshold 0.2) on all " + (
        f"{len(reduce_file(simulated['parquet']).variants)} variants"
    )


def test_discovery_past_its_variant_limit_says_what_it_used(simulated, monkeypatch):
    from bpr.mining import discovery

    reduced = reduce_file(simulated["parquet"])
    monkeypatch.setattr(discovery, "DISCOVERY_VARIANTS", 2)
    top = list(reduced.variants.values())[:2]
    share = sum(top) / reduced.cases
    result = discover(reduced, source="nested.parquet", service="nested")
    expected = f"on the 2 most frequent of {len(reduced.variants)} variants ({share:.1%} of cases)"
    assert result.method.endswith(expected)
    assert "2 most frequent of" in result.text.split("bpr: 1")[0]


def test_lead_time_comparison_by_hand():
    line = lead_time_comparison(0.02, Percentiles(0.01, 0.03, 14.1), 5.41)
    assert line.startswith(
        "Lead time: the draft's 0.02 days against the log's cases: median 0.03 days, mean 5.41"
    )
    assert "typical case" in line  # 0.02 is far from 5.41: the reason is given
    assert "typical" not in lead_time_comparison(5.0, Percentiles(3, 5, 9), 5.41)


def test_variants_past_the_cheap_limit_are_covered_by_share_and_sample():
    variants = {(f"a{i}",): n for i, n in enumerate([50, 30, 10, 5, 3, 1, 1])}  # 100 cases
    chosen, cover = select_variants(variants, 0.9, cheap=3, sample=2, seed=1)
    # the most frequent until they hold 90 cases: 50 + 30 + 10
    assert [t for t, _, _ in chosen[:3]] == [("a0",), ("a1",), ("a2",)]
    assert (cover.top_variants, cover.top_cases, cover.sampled_variants) == (3, 90, 2)
    # the two sampled stand for the 10 cases left out
    assert sum(w for _, _, w in chosen[3:]) == pytest.approx(10)
    assert not cover.complete and cover.as_dict()["most_frequent_share"] == 0.9
    everything, whole = select_variants(variants, 0.9, cheap=10)
    assert whole.complete and len(everything) == 7


def test_conformance_states_its_coverage(simulated, monkeypatch):
    model = bpr.load(NESTED)
    reduced = reduce_file(simulated["parquet"])
    full = conform(model, reduced)
    assert full.as_dict()["coverage"]["all_variants"] is True
    assert full.as_dict()["coverage"]["cases_share"] == 1.0
    monkeypatch.setattr(conformance_module, "CHEAP_VARIANTS", 2)
    monkeypatch.setattr(conformance_module, "SAMPLED_VARIANTS", 3)
    part = conform(model, reduced, coverage=0.5)
    data = part.as_dict()["coverage"]
    assert data["all_variants"] is False and data["estimated"] is True
    assert data["most_frequent_share"] >= 0.5 and data["sampled_variants"] == 3
    assert part.cases == full.cases and part.fitness == pytest.approx(1.0)


# -- the commands ----------------------------------------------------------------------------


def test_mine_and_conform_commands_on_parquet(run_bpr, tmp_path, simulated):
    draft = tmp_path / "draft.yaml"
    result = run_bpr("mine", simulated["parquet"], "-o", draft, "--memory", "256MB")
    assert result.exit_code == 0, result.stderr
    assert "flows: the inductive miner (IMf, noise threshold 0.2) on all" in result.stdout
    assert "Lead time: the draft's" in result.stdout
    checked = run_bpr("conform", draft, simulated["parquet"], "--json", "--engine", "duckdb")
    assert checked.exit_code == 0, checked.stderr
    data = json.loads(checked.stdout)
    assert data["coverage"]["all_variants"] is True and data["cases"] == 300
    text = run_bpr("conform", draft, simulated["csv"], "--engine", "memory")
    assert "Replayed: all " in text.stdout


def test_the_commands_refuse_a_bad_memory_size(run_bpr, tmp_path, simulated):
    result = run_bpr("mine", simulated["parquet"], "-o", tmp_path / "x.yaml", "--memory", "lots")
    assert result.exit_code == 1
    assert "cannot read the memory size 'lots'" in result.stderr


def test_simulate_writes_parquet(run_bpr, tmp_path, simulated):
    target = tmp_path / "cases.parquet"
    result = run_bpr("simulate", NESTED, "--cases", "300", "--seed", "5", "--log", target)
    assert result.exit_code == 0, result.stderr
    assert target.read_bytes()[:4] == b"PAR1"
    _same_reduction(reduce_file(target), reduce_file(simulated["csv"]))
    frame = read_log(target)
    assert str(frame["time:timestamp"].dt.tz) == "UTC"


def test_progress_summary_only_for_long_runs():
    stream = io.StringIO()
    Progress(stream, clock=iter([0.0, 0.4]).__next__).summary("quick")
    assert stream.getvalue() == ""
    Progress(stream).summary("slow", seconds=2.25)
    assert stream.getvalue() == "slow in 2.2 s\n"


@pytest.mark.parametrize(
    "name",
    [
        "bpr.mining.reduce",
        "bpr.mining.replay",
        "bpr.mining.progress",
        "bpr.mining.conformance",
        "bpr.mining.discovery",
        "bpr.files.eventlog",
    ],
)
def test_docstring_examples(name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
