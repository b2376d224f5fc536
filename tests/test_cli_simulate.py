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


# -- staff and queues --------------------------------------------------------------------------

DESKS = """bpr: 1
service: desks
variant: as-is
volume: 20000
actors:
  front: {name: Front desk}
  back: {name: Back office}
  me: {name: Applicant, kind: applicant}
steps:
  - {id: apply, actor: me, channel: in-person, work: 15m}
  - {id: check, actor: front, work: 1h, wait: 1d}
  - {id: decide, actor: back, work: 2h..4h}
"""


@pytest.fixture
def desks(tmp_path):
    path = tmp_path / "desks.yaml"
    path.write_text(DESKS, encoding="utf-8")
    return path


def test_staff_adds_the_queues_to_the_report(run_bpr, desks):
    result = run_bpr(
        "simulate", desks, "-n", "5000", "--seed", "1", "--staff", "front=3",
        "--staff", "back=8", "--deadline", "3d",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Waiting for staff (days)" in out
    assert "Over the deadline of 3 days: " in out
    assert "Queues (staff '-': as many as cases" in out
    rows = {
        line.split()[0]: line.split()
        for line in out.splitlines()
        if line[:6] in ("front ", "back  ")
    }
    assert rows["front"][1] == "3" and rows["back"][1] == "8"
    assert "me " not in out.split("Queues")[1]  # the applicant queues for nobody


def test_staff_json_and_without_staff_the_keys_stay(run_bpr, desks):
    plain = json.loads(run_bpr("simulate", desks, "-n", "500", "--seed", "1", "--json").stdout)
    assert "actors" not in plain and "queue_days" not in plain
    data = json.loads(
        run_bpr("simulate", desks, "-n", "500", "--seed", "1", "--json", "--staff", "back=8").stdout
    )
    assert list(data)[: len(plain)] == list(plain)  # added after the keys of before
    assert data["actors"]["back"]["staff"] == 8
    assert 0 < data["actors"]["back"]["utilisation"] < 1
    assert set(data["actors"]["back"]["wait_hours"]) == {"mean", "p50", "p90", "p95"}


def test_find_staff_prints_the_trials(run_bpr, desks):
    result = run_bpr(
        "simulate", desks, "-n", "5000", "--seed", "1", "--find-staff", "--target", "p90<=3d"
    )
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "the fewest staff for p90<=3d" in out
    assert out.splitlines()[2].split()[:5] == ["trial", "front", "back", "gave", "met"]
    assert "Fewest staff that meet p90<=3d: front 3, back 7" in out
    data = json.loads(
        run_bpr(
            "simulate", desks, "-n", "5000", "--seed", "1", "--find-staff",
            "--target", "p90<=3d", "--json",
        ).stdout
    )  # fmt: skip
    assert data["staff"] == {"front": 3, "back": 7} and data["trials"][0]["met"]


def test_staff_plot_shows_the_queue_waiting_beside_the_lead_time(run_bpr, desks, tmp_path):
    plot = tmp_path / "queues.svg"
    result = run_bpr("simulate", desks, "-n", "500", "--seed", "1", "--staff", "back=8",
                     "--plot", plot)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    svg = plot.read_text(encoding="utf-8")
    assert "Waiting for staff (days)" in svg and "Lead time (days)" in svg


@pytest.mark.parametrize(
    ("arguments", "code", "message"),
    [
        (["--staff", "back"], 2, "write ACTOR=N"),
        (["--staff", "back=0"], 2, "write ACTOR=N"),
        (["--staff", "bak=2"], 1, "no actor 'bak' to give staff to; did you mean 'back'?"),
        (["--target", "p90<=3d"], 2, "add --find-staff"),
        (["--find-staff"], 2, "needs a --target"),
        (["--find-staff", "--target", "p99<=3d"], 2, "unknown figure 'p99'"),
        (["--find-staff", "--target", "deadline>=0.9"], 1, "needs the legal deadline"),
        (["--deadline", "soon"], 2, "--deadline"),
    ],
)
def test_staff_usage_errors(run_bpr, desks, arguments, code, message):
    result = run_bpr("simulate", desks, "-n", "200", "--seed", "1", *arguments)
    assert result.exit_code == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_the_models_staff_and_deadline_need_no_options(run_bpr, tmp_path):
    path = tmp_path / "keyed.yaml"
    path.write_text(
        DESKS.replace("volume: 20000", "volume: 20000\ndeadline: 3d")
        .replace("{name: Front desk}", "{name: Front desk, staff: 3, hours: Mon-Fri 08:00-20:00}")
        .replace("{name: Back office}", "{name: Back office, staff: 8}"),
        encoding="utf-8",
    )
    result = run_bpr("simulate", path, "-n", "3000", "--seed", "1")
    assert result.exit_code == 0, result.stderr
    assert "Over the deadline of 3 days: " in result.stdout
    rows = [line.split() for line in result.stdout.split("Queues")[1].splitlines()[3:5]]
    assert [row[:2] for row in rows] == [["front", "3"], ["back", "8"]]
