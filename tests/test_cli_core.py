"""``bpr validate``, ``bpr metrics``, ``--version`` and ``--help``, run as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import bpr
from tests.conftest import DATA, MODELS, ROOT

EXAMPLE = DATA / "contract-example.yaml"


def test_version_and_help(run_bpr) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("--version")
    assert result.exit_code == 0 and bpr.__version__ in result.stdout
    result = run_bpr("--help")
    assert result.exit_code == 0
    assert "validate" in result.stdout and "metrics" in result.stdout
    for command in ("validate", "metrics"):
        result = run_bpr(command, "--help")
        assert result.exit_code == 0 and "PATHS" in result.stdout


def test_unknown_command_is_a_usage_error(run_bpr) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("frobnicate")
    assert result.exit_code == 2
    assert "No such command" in result.stderr


def test_validate_ok(run_bpr) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("validate", EXAMPLE)
    assert result.exit_code == 0
    assert "1 file checked: 1 valid, 0 invalid" in result.stdout
    assert result.stderr == ""


def test_validate_the_shipped_models(run_bpr) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("validate", "-q", MODELS)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""


def test_validate_bad_file_prints_location_and_exits_1(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace(
            "actor: cadastre\n    channel: in-person", "actor: cadastr\n    channel: in-person", 1
        )
    )
    result = run_bpr("validate", bad, EXAMPLE)
    assert result.exit_code == 1
    assert (
        f"{bad}:27:12: error: steps[0].actor: unknown actor 'cadastr'; did you mean 'cadastre'?"
        in result.stderr
    )
    assert "Traceback" not in result.stderr
    assert "2 files checked: 1 valid, 1 invalid" in result.stdout


def test_missing_path_is_a_usage_error(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("validate", tmp_path / "nope.yaml")
    assert result.exit_code == 2
    result = run_bpr("metrics", tmp_path)  # an empty folder
    assert result.exit_code == 2 and "no *.yaml" in result.stderr


def test_metrics_json_of_one_file(run_bpr) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("metrics", EXAMPLE, "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert list(data) == list(bpr.MEASURE_KEYS)
    assert data["annual_burden"] == 21632500000


def test_metrics_json_of_a_folder_is_an_array_with_files(run_bpr) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("metrics", "--json", MODELS)
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    files = sorted(MODELS.glob("*/*.yaml"))
    assert [Path(d["file"]) for d in data] == files
    assert all(list(d)[1:] == list(bpr.MEASURE_KEYS) for d in data)


def test_metrics_table(run_bpr) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("metrics", EXAMPLE)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["measure", "property-registration/as-is"]
    assert any(line.startswith("Lead time (days)") and line.endswith("13.26") for line in lines)
    assert any(
        line.startswith("Burden per year (UZS)") and line.endswith("21,632,500,000")
        for line in lines
    )


def test_metrics_skips_invalid_files_and_exits_1(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a.yaml").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "b.yaml").write_text("bpr: 1\n", encoding="utf-8")
    result = run_bpr("metrics", "--json", tmp_path)
    assert result.exit_code == 1
    assert [Path(d["file"]).name for d in json.loads(result.stdout)] == ["a.yaml"]
    assert "b.yaml:1:1: error: the model needs the key 'service'" in result.stderr


def test_validate_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "from bpr.cli import main\n"
        f"main(['validate', '-q', {str(MODELS)!r}])\n"
        f"main(['metrics', '--json', {str(EXAMPLE)!r}])\n"
        "heavy = [m for m in ('pm4py', 'pandas', 'matplotlib', 'graphviz', 'networkx', 'scipy', 'numpy', 'lxml', 'openpyxl', 'rich') if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert "HEAVY=\n" in out.stdout, out.stdout


def test_console_script_runs(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("bpr")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "bpr"]
    out = subprocess.run(
        [*command, "metrics", "--json", str(EXAMPLE)],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["steps"] == 7


def test_sigterm_leaves_no_half_written_file(tmp_path: Path) -> None:
    """A run stopped by SIGTERM removes its temporary file and leaves no output."""
    import signal
    import time

    out = tmp_path / "cases.csv"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bpr",
            "simulate",
            str(EXAMPLE),
            "--cases",
            "3000000",
            "--log",
            str(out),
        ],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".cases.csv.*.tmp")) and process.poll() is None:
        assert time.monotonic() < deadline, "the log was never started"
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 128 + signal.SIGTERM
    assert list(tmp_path.iterdir()) == []
