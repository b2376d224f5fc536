"""Tests of the ``bpr simulate`` command: text, JSON, plots, logs, usage errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

LOGS = Path(__file__).parent / "data" / "logs"
NESTED = LOGS / "nested.yaml"


def test_text_report(run_bpr):
    result = run_bpr("simulate", NESTED, "--cases", "2000", "--seed", "7")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.startswith("nested/as-is: 2,000 simulated cases (seed 7; repeat with --seed 7)")
    for label in ("Lead time (days)", "Applicant's time (hours)", "Fees", "p90", "p95", "max"):
        assert label in out
    assert "Expected lead time (bpr metrics): 4.56 days" in out
    assert "Paths through the choices (share of cases):" in out
    assert "merge->decide" in out and "other paths" in out


def test_json_report_and_determinism(run_bpr):
    first = run_bpr("simulate", NESTED, "-n", "3000", "--seed", "1", "--json")
    second = run_bpr("simulate", NESTED, "-n", "3000", "--seed", "1", "--json")
    assert first.exit_code == 0 and first.stdout == second.stdout
    data = json.loads(first.stdout)
    assert data["cases"] == 3000 and data["seed"] == 1
    assert set(data["lead_time_days"]) == {"mean", "std", "min", "p50", "p90", "p95", "max"}
    assert data["fees"]["mean"] == 35
    assert data["paths"][0]["path"] == ["check->merge", "merge->decide"]
    other = run_bpr("simulate", NESTED, "-n", "3000", "--seed", "2", "--json")
    assert json.loads(other.stdout)["lead_time_days"] != data["lead_time_days"]


def test_without_a_seed_one_is_chosen_and_printed(run_bpr):
    result = run_bpr("simulate", NESTED, "-n", "100", "--json")
    seed = json.loads(result.stdout)["seed"]
    again = run_bpr("simulate", NESTED, "-n", "100", "--json", "--seed", str(seed))
    assert json.loads(again.stdout) == json.loads(result.stdout)


def test_plot_and_log(run_bpr, tmp_path):
    plot, log = tmp_path / "lead.png", tmp_path / "cases.xes"
    result = run_bpr(
        "simulate",
        NESTED,
        "-n",
        "200",
        "--seed",
        "3",
        "--plot",
        plot,
        "--log",
        log,
        "--start",
        "2026-02-02",
    )
    assert result.exit_code == 0, result.stderr
    assert plot.read_bytes().startswith(b"\x89PNG")
    text = log.read_text(encoding="utf-8")
    assert text.count("<trace>") == 200
    assert 'key="lifecycle:transition" value="start"' in text
    assert "2026-02-02T" in text
    assert f"wrote {plot}" in result.stderr and f"wrote {log}" in result.stderr


def test_csv_log(run_bpr, tmp_path):
    log = tmp_path / "cases.csv"
    assert run_bpr("simulate", NESTED, "-n", "50", "--seed", "3", "--log", log).exit_code == 0
    lines = log.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("case:concept:name,concept:name,org:resource,org:group")
    assert lines[1].startswith("case-1,apply,me,,")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--plot", "out.gif"], "name a .png or .svg file"),
        (["--log", "out.txt"], "name a file ending in .xes"),
        (["--cases", "0"], "0 is not in the range x>=1"),
        (["--seed", "-1"], "-1 is not in the range x>=0"),
    ],
)
def test_usage_errors(run_bpr, tmp_path, args, message):
    result = run_bpr("simulate", NESTED, *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_an_invalid_model_is_reported(run_bpr, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("bpr: 1\nservice: s\nvariant: v\nactors: {}\nsteps: []\n", encoding="utf-8")
    result = run_bpr("simulate", bad)
    assert result.exit_code == 1
    assert "bad.yaml" in result.stderr and "Traceback" not in result.stderr


def test_a_bad_start_date(run_bpr, tmp_path):
    result = run_bpr("simulate", NESTED, "-n", "5", "--log", tmp_path / "x.csv", "--start", "soon")
    assert result.exit_code == 1
    assert "bpr: error: cannot read the start date 'soon'" in result.stderr
    assert not (tmp_path / "x.csv").exists()


def test_the_log_never_overwrites_the_model(run_bpr, tmp_path):
    model = tmp_path / "m.csv"  # a model file whose name ends like a log
    model.write_text(NESTED.read_text(encoding="utf-8"), encoding="utf-8")
    result = run_bpr("simulate", model, "-n", "5", "--log", model)
    assert result.exit_code == 1 and "overwrite the input" in result.stderr
    assert model.read_text(encoding="utf-8") == NESTED.read_text(encoding="utf-8")


def test_the_csv_log_starts_no_formula_and_reads_back(run_bpr, tmp_path):
    model = tmp_path / "formula.yaml"
    model.write_text(
        "bpr: 1\nservice: formula\nvariant: as-is\n"
        "actors: {desk: {name: Desk, agency: '@agency'}}\n"
        "steps:\n"
        '  - {id: apply, actor: desk, name: \'=HYPERLINK("http://x","click")\', work: 1h}\n'
        "  - {id: pay, actor: desk, name: '-1+2', work: 1h}\n",
        encoding="utf-8",
    )
    log = tmp_path / "cases.csv"
    assert run_bpr("simulate", model, "-n", "3", "--seed", "1", "--log", log).exit_code == 0
    with log.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert rows[1][1] == '\'=HYPERLINK("http://x","click")' and rows[1][3] == "'@agency"
    conformed = run_bpr("conform", model, log, "--json")
    assert conformed.exit_code == 0, conformed.stderr
    assert json.loads(conformed.stdout)["fitness"] == 1.0
