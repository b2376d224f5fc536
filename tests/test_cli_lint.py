"""``bpr lint``: output lines, JSON, exit status, severity gate, switched-off rules, the draft."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import bpr
from bpr.lint import RULES
from tests.conftest import DATA, ROOT

LINT = DATA / "lint"


@pytest.fixture
def at_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the checkout so that file names in the output are short and stable."""
    monkeypatch.chdir(ROOT)
    return ROOT


def test_text_output_of_the_test_models(run_bpr, at_root, golden) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("lint", "tests/data/lint")
    assert result.exit_code == 1
    golden.check("lint/test-models.txt", result.stdout)
    lines = result.stdout.splitlines()
    assert lines[-1] == "13 findings (2 errors, 7 warnings, 4 info) in 11 files"
    assert (
        "tests/data/lint/once-only.yaml:17: once-only: 'Birth record extract' (birth_extract) is "
        "issued by Civil registry (Ministry of Justice)"
    ) in result.stdout
    assert "(gain: -1 visit, -1 certificate, -1 h, -10,000 UZS/case, -10,000,000 UZS/year)" in (
        result.stdout
    )
    assert result.stderr == ""


def test_clean_model_exits_0(run_bpr, at_root) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("lint", "tests/data/lint/clean.yaml")
    assert result.exit_code == 0
    assert result.stdout == "no findings in 1 file\n"


@pytest.mark.parametrize(
    ("model", "severity", "code"),
    [
        ("rework", "info", 1),
        ("rework", "warning", 1),
        ("rework", "error", 0),
        ("sequential-independent", "warning", 0),
        ("sequential-independent", "info", 1),
        ("dead-document", "error", 1),
    ],
)
def test_severity_chooses_what_fails(run_bpr, model: str, severity: str, code: int) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("lint", "--severity", severity, LINT / f"{model}.yaml")
    assert result.exit_code == code
    assert "finding" in result.stdout  # the findings are shown whatever fails


def test_rework_threshold_option(run_bpr) -> None:  # type: ignore[no-untyped-def]
    assert run_bpr("lint", "--rework-threshold", "0.5", LINT / "rework.yaml").exit_code == 0
    assert run_bpr("lint", "--rework-threshold", "0.4", LINT / "rework.yaml").exit_code == 1


def test_json_for_one_file_and_for_a_folder(run_bpr, at_root) -> None:  # type: ignore[no-untyped-def]
    one = json.loads(run_bpr("lint", "--json", "tests/data/lint/rework.yaml").stdout)
    assert one["file"] == "tests/data/lint/rework.yaml"
    assert one["counts"] == {"error": 0, "warning": 1, "info": 0}
    (finding,) = one["findings"]
    assert finding["rule"] == "rework" and finding["gain"]["lead_time_days"] == pytest.approx(-0.75)
    assert finding["locations"][0] == {"kind": "step", "id": "check", "line": 21}
    many = json.loads(run_bpr("lint", "--json", "tests/data/lint").stdout)
    assert isinstance(many, list) and len(many) == 11
    assert {item["service"] for item in many} >= {"lint-clean", "lint-rework"}


def test_switched_off_rules_are_shown_with_their_reason(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "rework.yaml"
    text = (LINT / "rework.yaml").read_text(encoding="utf-8")
    path.write_text(
        text + "lint:\n  ignore:\n    - {rule: rework, reason: returns are set by law}\n",
        encoding="utf-8",
    )
    result = run_bpr("lint", path)
    assert result.exit_code == 0
    line = text.count("\n") + 3
    assert (
        f"{path}:{line}: rework switched off (1 finding not shown): returns are set by law"
        in result.stdout
    )
    data = json.loads(run_bpr("lint", "--json", path).stdout)
    assert data["switched_off"] == [
        {"rule": "rework", "reason": "returns are set by law", "line": line, "hidden": 1}
    ]


def test_an_unknown_ignored_rule_is_a_finding(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "clean.yaml"
    text = (LINT / "clean.yaml").read_text(encoding="utf-8")
    path.write_text(text + "lint: {ignore: [{rule: once-onyl, reason: x}]}\n", encoding="utf-8")
    result = run_bpr("lint", path)
    assert result.exit_code == 1
    assert "lint-config: lint.ignore names 'once-onyl', which is no rule; did you mean" in (
        result.stdout
    )
    assert run_bpr("lint", "--severity", "warning", path).exit_code == 0


def test_fix_draft_writes_a_to_be_that_loads_and_measures_better(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = ROOT / "models" / "property-registration" / "as-is.yaml"
    if not source.exists():
        source = DATA / "contract-example.yaml"
    out = tmp_path / "to-be.yaml"
    result = run_bpr("lint", "--fix-draft", source, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert f"draft To-Be written to {out}:" in result.stdout
    draft = bpr.load(out)
    assert draft.variant == "to-be-draft"
    before, after = bpr.measure(bpr.load(source)), bpr.measure(draft)
    assert after.burden < before.burden and after.certificates < before.certificates
    data = json.loads(run_bpr("lint", "--json", "--fix-draft", source, "-o", out).stdout)
    assert data["draft"]["output"] == str(out) and data["draft"]["applied"]
    assert {"rule", "line", "steps", "documents", "why"} <= set(data["draft"]["not_applied"][0])


def test_fix_draft_never_overwrites_the_model(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "as-is.yaml"
    original = (LINT / "once-only.yaml").read_text(encoding="utf-8")
    path.write_text(original, encoding="utf-8")
    result = run_bpr("lint", "--fix-draft", path, "-o", path)
    assert result.exit_code == 1
    assert "would overwrite the input" in result.stderr
    assert path.read_text(encoding="utf-8") == original
    into_new_folder = tmp_path / "no" / "draft.yaml"
    assert run_bpr("lint", "--fix-draft", path, "-o", into_new_folder).exit_code == 0
    assert bpr.load(into_new_folder).variant == "to-be-draft"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "name a model file or folder"),
        (("-o", "x.yaml", "tests/data/lint/rework.yaml"), "use it with --fix-draft"),
        (("--fix-draft", "tests/data/lint/rework.yaml"), "--fix-draft needs -o"),
        (("--fix-draft", "-o", "x.yaml", "tests/data/lint"), "takes one model file"),
        (("--severity", "fatal", "tests/data/lint/rework.yaml"), "fatal"),
        (("--rework-threshold", "0", "tests/data/lint/rework.yaml"), "0"),
        (("tests/data/lint/nothing.yaml",), "does not exist"),
    ],
)
def test_usage_errors_exit_2(run_bpr, at_root, args: tuple[str, ...], message: str) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("lint", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (at_root / "x.yaml").exists()


def test_an_invalid_model_exits_1(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.yaml"
    path.write_text("bpr: 1\nservice: s\nvariant: v\nactors: {}\nsteps: []\n", encoding="utf-8")
    result = run_bpr("lint", path)
    assert result.exit_code == 1
    assert f"{path}:" in result.stderr and "error" in result.stderr


def test_rules_are_listed(run_bpr) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("lint", "--rules")
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.stdout.splitlines()] == list(RULES)
    assert json.loads(run_bpr("lint", "--rules", "--json").stdout) == RULES


def test_help_names_the_exit_status(run_bpr) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("lint", "--help")
    assert result.exit_code == 0
    assert "--fix-draft" in result.stdout and "Exit status" in result.stdout


def test_lint_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "from bpr.cli import main\n"
        f"main(['lint', {str(LINT)!r}])\n"
        "heavy = [m for m in ('pm4py', 'pandas', 'matplotlib', 'graphviz', 'networkx', 'scipy',"
        " 'numpy', 'lxml', 'openpyxl') if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert "HEAVY=\n" in out.stdout, out.stdout


def test_model_text_cannot_steer_the_terminal(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "escape.yaml"
    path.write_text(
        "bpr: 1\nservice: s\nvariant: as-is\n"
        'actors: {tax: {name: "Tax\\e[2J office"}, desk: {name: Desk}}\n'
        'documents: {clearance: {name: "No-debt\\e]0;pwned\\a certificate", issuer: tax}}\n'
        "steps: [{id: apply, actor: desk, needs: [clearance]}]\n"
        'lint: {ignore: [{rule: rework, reason: "set\\e[2J by law"}]}\n',
        encoding="utf-8",
    )
    result = run_bpr("lint", path)
    assert "once-only" in result.stdout
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\\x1b]0;pwned\\x07" in result.stdout
    assert "set\\x1b[2J by law" in result.stdout
    data = json.loads(run_bpr("lint", "--json", path).stdout)
    assert data["switched_off"][0]["reason"] == "set\x1b[2J by law"


SMALL_GAIN = """bpr: 1
service: t
variant: as-is
acts: {law: {title: Law}}
basis: [law]
actors: {x: {name: X}, y: {name: Y}, z: {name: Z}}
steps:
  - {id: start, actor: z}
  - {id: a, actor: x, work: 1h}
  - {id: b, actor: y, work: 2h}
  - {id: wait, actor: z, wait: 100d}
"""


def test_min_gain_keeps_a_tiny_gain_from_failing_the_run(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "as-is.yaml"
    path.write_text(SMALL_GAIN, encoding="utf-8")
    result = run_bpr("lint", str(path))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == (
        "no findings in 1 file; 1 smaller gain (below 1% of the model's figures) not shown, "
        "see --min-gain"
    )
    result = run_bpr("lint", "--min-gain", "0", str(path))
    assert result.exit_code == 1 and "sequential-independent" in result.stdout
    data = json.loads(run_bpr("lint", "--json", "--min-gain", "0.0001", str(path)).stdout)
    assert (data["min_gain"], data["below_min_gain"], data["counts"]["info"]) == (0.0001, 0, 1)
    assert run_bpr("lint", "--min-gain", "5", str(path)).exit_code == 2
