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
        line.startswith("Applicant's time and payments a year (UZS)")
        and line.endswith("21,632,500,000.00")  # UZS has two minor units (ISO 4217)
        for line in lines
    )


def test_metrics_of_files_in_different_currencies_names_the_currency_in_every_cell(run_bpr) -> None:  # type: ignore[no-untyped-def]
    root = Path(__file__).resolve().parent.parent / "models"
    result = run_bpr(
        "metrics",
        root / "traffic-fine-payment" / "as-is.yaml",
        root / "property-registration" / "as-is.yaml",
    )
    fees = next(line for line in result.stdout.splitlines() if line.startswith("Fees"))
    assert fees.split()[1:] == ["0.97", "AZN", "410,000.00", "UZS"]


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


def test_metrics_json_of_one_invalid_file_prints_its_problem_not_an_array(
    run_bpr, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    bad.write_text("bpr: 1\n", encoding="utf-8")
    result = run_bpr("metrics", "--json", bad)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"{bad}:1:1: error: the model needs the key 'service'" in result.stderr


ESCAPES_IN_YAML = "\\e]0;owned\\a\\e[2J\\x9b31m"  # inside double quotes
SHOWN = "\\x1b]0;owned\\x07\\x1b[2J\\x9b31m"


def test_validate_and_metrics_keep_escape_sequences_of_model_text_from_the_terminal(
    run_bpr, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    model = tmp_path / "m.yaml"
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "variant: as-is", f'variant: "as-is{ESCAPES_IN_YAML}"', 1
    )
    text = text.replace("currency: UZS", f'currency: "UZS{ESCAPES_IN_YAML}"', 1)
    model.write_text(text, encoding="utf-8")
    for result in (run_bpr("validate", model), run_bpr("metrics", model)):
        assert result.exit_code == 0, result.stderr
        assert (
            "\x1b" not in result.stdout
            and "\x07" not in result.stdout
            and "\x9b" not in result.stdout
        )
        assert f"as-is{SHOWN}" in result.stdout
    assert f"Fees (UZS{SHOWN})" in run_bpr("metrics", model).stdout


def test_problems_quoting_model_text_keep_escape_sequences_from_the_terminal(
    run_bpr, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    model = tmp_path / "m.yaml"
    model.write_text(
        EXAMPLE.read_text(encoding="utf-8") + f'"x{ESCAPES_IN_YAML}": 1\n', encoding="utf-8"
    )
    result = run_bpr("validate", model)
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr and "\x9b" not in result.stderr
    assert f"unknown key 'x{SHOWN}' in the model" in result.stderr


def test_a_full_standard_output_is_a_message_not_a_traceback() -> None:
    if not Path("/dev/full").exists():
        import pytest

        pytest.skip("needs /dev/full")
    for args in (
        ["metrics", str(EXAMPLE)],
        ["metrics", "--json", str(EXAMPLE)],
        ["validate", str(EXAMPLE)],
    ):
        with open("/dev/full", "wb") as full:
            out = subprocess.run(
                [sys.executable, "-m", "bpr", *args],
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
        assert out.returncode == 1, out.stderr
        assert out.stderr == "bpr: error: cannot write the output: No space left on device\n"


def test_validate_at_the_repository_root_reads_no_dotfiles_or_node_modules(
    run_bpr, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)
    seen = [str(p) for p in bpr.find_models(["."])]
    assert seen, "the repository holds model files"
    assert not [
        p
        for p in seen
        if "node_modules" in p or any(part.startswith(".") for part in Path(p).parts)
    ]
    result = run_bpr("validate", ".")
    listed = result.stdout + result.stderr
    assert "node_modules" not in listed and "/." not in listed and "\n." not in listed


def test_import_bpr_from_the_folder_above_a_clone_named_bpr(tmp_path: Path) -> None:
    clone = tmp_path / "bpr"
    (clone / "docs").mkdir(parents=True)
    (clone / "README.md").write_text("a clone\n")
    code = "import bpr; print(bpr.__file__); print(callable(bpr.load))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    file, loads = out.stdout.split()
    assert loads == "True" and Path(file).name == "__init__.py"
    assert not Path(file).is_relative_to(tmp_path)
