"""Tests of the ``bpr mine`` and ``bpr conform`` commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import bpr
from tests.conftest import frame_to_parquet

# The mining extra's pandas reads the CSV logs here; pm4py is needed only for alignments.
pytest.importorskip("pandas")
ROOT = Path(__file__).resolve().parent.parent

LOGS = Path(__file__).parent / "data" / "logs"
NESTED = LOGS / "nested.yaml"
TINY_OPTIONS = [
    "--case",
    "Case ID",
    "--activity",
    "Activity",
    "--timestamp",
    "Complete Timestamp",
    "--start-timestamp",
    "Start Timestamp",
    "--resource",
    "Resource",
    "--group",
    "Role",
]


@pytest.fixture(scope="module")
def simulated_log(tmp_path_factory) -> Path:
    from bpr.files.eventlog import write_log
    from bpr.simulate import simulate

    path = tmp_path_factory.mktemp("logs") / "nested.csv"
    result = simulate(bpr.load(NESTED), 300, seed=5, events=True)
    assert result.events is not None
    write_log(path, result.events)
    return path


def test_mine_writes_a_valid_model(run_bpr, tmp_path, simulated_log):
    target = tmp_path / "draft.yaml"
    result = run_bpr("mine", simulated_log, "-o", target, "--service", "permits")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"wrote {target}: ")
    assert "300 cases" in result.stdout
    model = bpr.load(target)
    assert model.service == "permits" and model.variant == "as-is"
    assert run_bpr("metrics", target, "--json").exit_code == 0
    assert run_bpr("validate", target).exit_code == 0


def test_mine_with_named_columns(run_bpr, tmp_path):
    target = tmp_path / "tiny.yaml"
    result = run_bpr("mine", LOGS / "tiny.csv", "-o", target, *TINY_OPTIONS, "--actor", "group")
    assert result.exit_code == 0, result.stderr
    model = bpr.load(target)
    assert model.service == "tiny"
    assert {a.name for a in model.actors.values()} == {"Front desk", "Back office"}
    check = next(s for s in model.steps if s.name == "Check documents")
    assert check.work.mean == pytest.approx(1.5)  # median of 2h, 1h, 2h, 1h


def test_mine_reports_a_missing_column(run_bpr, tmp_path):
    result = run_bpr("mine", LOGS / "tiny.csv", "-o", tmp_path / "x.yaml")
    assert result.exit_code == 1
    assert "no column 'case:concept:name' for the case id" in result.stderr
    assert "--case" in result.stderr and "Case ID" in result.stderr
    assert not (tmp_path / "x.yaml").exists()


def test_mine_names_the_missing_actor_column(run_bpr, tmp_path):
    bare = tmp_path / "bare.csv"
    bare.write_text(
        "case:concept:name,concept:name,time:timestamp\n1,a,2026-01-01\n", encoding="utf-8"
    )
    result = run_bpr("mine", bare, "-o", tmp_path / "x.yaml", "--actor", "group")
    assert result.exit_code == 1
    assert "bare.csv: the log has no org:group values for the actors" in result.stderr
    assert "--group" in result.stderr and "--actor auto" in result.stderr
    # where the other attribute is there, it is the one to suggest
    result = run_bpr("mine", LOGS / "tiny.csv", "-o", tmp_path / "x.yaml", *TINY_OPTIONS[:10])
    assert result.exit_code == 0, result.stderr
    options = [*TINY_OPTIONS[:10], "--actor", "group"]  # resources named, no group
    result = run_bpr("mine", LOGS / "tiny.csv", "-o", tmp_path / "y.yaml", *options)
    assert result.exit_code == 1 and "or use --actor resource" in result.stderr


def test_mine_refuses_a_bad_service_id(run_bpr, tmp_path, simulated_log):
    result = run_bpr("mine", simulated_log, "-o", tmp_path / "x.yaml", "--service", "my permits")
    assert result.exit_code == 1
    assert "such as 'my-permits'" in result.stderr and "Traceback" not in result.stderr


def test_mine_needs_a_yaml_output(run_bpr, tmp_path, simulated_log):
    result = run_bpr("mine", simulated_log, "-o", tmp_path / "x.json")
    assert result.exit_code == 2 and "name a .yaml file" in result.stderr


def test_conform_text(run_bpr, simulated_log):
    result = run_bpr("conform", NESTED, simulated_log)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "(token-based replay)" in out
    assert "Fitness" in out and "1.0000" in out
    assert "Cases that fit  300 (100.0%)" in out
    assert "Activities of the log that the model lacks: 0" in out
    assert "Most frequent deviating variants: 0" in out


def test_conform_json_shows_deviations(run_bpr, tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text(
        "bpr: 1\nservice: s\nvariant: to-be\nactors: {a: {name: A}}\nsteps:\n"
        "  - {id: receive_application, actor: a}\n"
        "  - {id: issue_permit, actor: a, name: Issue permit}\n"
        "  - {id: archive, actor: a}\n",
        encoding="utf-8",
    )
    result = run_bpr("conform", other, LOGS / "tiny.csv", "--json", *TINY_OPTIONS)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert 0 < data["fitness"] < 1
    assert data["method"] == "tbr" and data["cases"] == 3 and data["events"] == 11
    missing = {m["activity"]: m["events"] for m in data["activities_missing_in_model"]}
    assert missing == {"Check documents": 4, "Request missing papers": 1, "Refuse": 1}
    assert data["steps_not_in_log"] == ["archive"]
    assert data["matched_steps"]["receive_application"] == "Receive application"
    assert data["deviating_variants"][0]["cases"] >= 1


def test_conform_with_alignments(run_bpr, simulated_log):
    pytest.importorskip("pm4py")
    result = run_bpr("conform", NESTED, simulated_log, "--method", "alignments", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["fitness"] == 1.0


def test_conform_on_a_malformed_log(run_bpr, tmp_path):
    log = tmp_path / "broken.xes"
    log.write_text("<log><trace>", encoding="utf-8")
    result = run_bpr("conform", NESTED, log)
    assert result.exit_code == 1
    assert "broken.xes" in result.stderr and "not well-formed" in result.stderr


def test_conform_reports_a_step_missing_from_a_russian_log(run_bpr):
    result = run_bpr("conform", LOGS / "russian.yaml", LOGS / "russian.csv")
    assert result.exit_code == 0, result.stderr
    assert "Steps of the model that the log never shows: 1\n  oplata\n" in result.stdout


def test_mine_a_russian_log(run_bpr, tmp_path):
    target = tmp_path / "spravka.yaml"
    result = run_bpr("mine", LOGS / "russian.csv", "-o", target, "--service", "spravka")
    assert result.exit_code == 0, result.stderr
    assert [s.id for s in bpr.load(target).steps] == [
        "priyom_zayavleniya",
        "proverka_dokumentov",
        "vydacha_spravki",
    ]


def test_conform_shows_the_log_s_names_without_terminal_escapes(run_bpr, tmp_path):
    log = tmp_path / "escapes.csv"
    log.write_text(
        "case:concept:name,concept:name,time:timestamp\n"
        "1,apply,2026-01-01T08:00\n1,\x1b[2J\x1b]0;owned\x07,2026-01-01T09:00\n",
        encoding="utf-8",
    )
    model = tmp_path / "m.yaml"
    model.write_text(
        "bpr: 1\nservice: s\nvariant: as-is\nactors: {a: {name: A}}\nsteps: [{id: apply, actor: a}]\n",
        encoding="utf-8",
    )
    result = run_bpr("conform", model, log)
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\\x1b[2J\\x1b]0;owned\\x07" in result.stdout


# The whole command in a fresh process, and the heavy libraries it loaded by its end.
_COMMAND = """
import atexit, sys
from bpr.cli import run
def heavy():
    loaded = sorted({m.split(".")[0] for m in sys.modules} & {"pm4py", "pandas", "scipy"})
    sys.stderr.write("loaded: " + ",".join(loaded) + "\\n")
atexit.register(heavy)
sys.argv = ["bpr", *sys.argv[1:]]
run()
"""


def _command(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _COMMAND, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
    )


def test_mine_and_conform_of_a_parquet_log_load_neither_pandas_nor_pm4py(tmp_path, simulated_log):
    """A national log's commands start in a fraction of a second: bpr's own miner and replay
    run where pm4py's did, on what DuckDB reduced."""
    pytest.importorskip("duckdb")
    from bpr.files.eventlog import read_log

    parquet = frame_to_parquet(read_log(simulated_log), tmp_path / "nested.parquet")
    draft = tmp_path / "draft.yaml"
    mined = _command("mine", parquet, "-o", draft, "--engine", "duckdb", "--memory", "1GB")
    assert mined.returncode == 0, mined.stderr
    assert "loaded: \n" in mined.stderr, mined.stderr
    assert "300 cases" in mined.stdout
    checked = _command("conform", draft, parquet, "--engine", "duckdb", "--json")
    assert checked.returncode == 0, checked.stderr
    assert "loaded: \n" in checked.stderr, checked.stderr
    assert json.loads(checked.stdout)["cases"] == 300


def test_a_memory_limit_that_cannot_be_kept_is_warned_of(run_bpr, tmp_path, simulated_log):
    from bpr.files.eventlog import read_log
    from bpr.mining.reduce import memory_problem

    parquet = frame_to_parquet(read_log(simulated_log), tmp_path / "nested.parquet")
    draft = tmp_path / "draft.yaml"
    low = run_bpr("mine", parquet, "-o", draft, "--memory", "100MB")
    assert low.exit_code == 0, low.stderr
    assert f"{parquet}: warning: --memory 100 MB is less than the command needs" in low.stderr
    enough = run_bpr("mine", parquet, "-o", draft, "--memory", "2GB")
    assert enough.exit_code == 0 and "warning" not in enough.stderr
    in_memory = run_bpr("conform", draft, simulated_log, "--engine", "memory", "--memory", "1GB")
    assert in_memory.exit_code == 0, in_memory.stderr
    assert "--memory bounds only the reduction in DuckDB" in in_memory.stderr
    # auto reads only small files in memory: a limit there is no news
    assert memory_problem(str(simulated_log), "auto", 10**9) is None
    assert memory_problem(str(simulated_log), "duckdb", None) is None
