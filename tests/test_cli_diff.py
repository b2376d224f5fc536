"""``bpr diff`` run as a user would: files, folders, formats, errors and exit codes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import bpr
from bpr.comparison import compare, to_html, to_markdown, to_text
from tests.conftest import DATA, MODELS, ROOT

DIFF = DATA / "diff"
PERMIT = DIFF / "permit"
PROPERTY = MODELS / "property-registration"


def test_help(run_bpr) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("diff", "--help")
    assert result.exit_code == 0
    assert "AS_IS TO_BE" in result.stdout and "SERVICE_FOLDER" in result.stdout
    listed = [
        line.split()[0] for line in run_bpr("--help").stdout.splitlines() if line.startswith("  ")
    ]
    assert "diff" in listed


def test_two_files_print_the_text_report(run_bpr) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("diff", PROPERTY / "as-is.yaml", PROPERTY / "to-be.yaml")
    assert result.exit_code == 0, result.stderr
    expected = compare(bpr.load(PROPERTY / "as-is.yaml"), bpr.load(PROPERTY / "to-be.yaml"))
    assert result.stdout == to_text(expected)
    lines = result.stdout.splitlines()
    assert lines[0] == "property-registration: as-is -> to-be"
    assert any(line.startswith("Visits (in person)") and line.endswith("-87.5%") for line in lines)
    assert "Redesign" in lines and "Steps" in lines and "Documents" in lines
    assert result.stderr == ""


def test_json_is_the_contract_object(run_bpr) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("diff", PROPERTY / "as-is.yaml", PROPERTY / "to-be.yaml", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert list(data) == [
        "service",
        "from",
        "to",
        "steps",
        "documents",
        "metrics",
        "redesign",
        "acts",
    ]
    assert (data["service"], data["from"], data["to"]) == (
        "property-registration",
        "as-is",
        "to-be",
    )
    # hand-checked from the two files: 8 visits (every in-person step) become the notary's 1
    assert data["metrics"]["visits"] == {"from": 8, "to": 1, "change": -7, "percent": -87.5}
    assert data["steps"]["replaced"]["pay_online"] == ["pay_duty"]
    same = run_bpr("diff", PROPERTY / "as-is.yaml", PROPERTY / "to-be.yaml", "--format", "json")
    assert same.stdout == result.stdout


def test_json_measures_equal_the_difference_of_bpr_metrics(run_bpr) -> None:  # type: ignore[no-untyped-def]
    for folder in sorted(p for p in MODELS.iterdir() if p.is_dir()):
        before = json.loads(run_bpr("metrics", folder / "as-is.yaml", "--json").stdout)
        after = json.loads(run_bpr("metrics", folder / "to-be.yaml", "--json").stdout)
        result = run_bpr("diff", folder, "--json")
        assert result.exit_code == 0
        metrics = json.loads(result.stdout)["metrics"]
        assert list(metrics) == list(before)
        for key, entry in metrics.items():
            assert (entry["from"], entry["to"]) == (before[key], after[key])
            if before[key] is None or after[key] is None:
                assert entry["change"] is None
            else:
                assert entry["change"] == pytest.approx(after[key] - before[key], abs=1e-9)


def test_a_folder_with_one_to_be_gives_one_object(run_bpr) -> None:  # type: ignore[no-untyped-def]
    folder = run_bpr("diff", PROPERTY, "--json")
    files = run_bpr("diff", PROPERTY / "as-is.yaml", PROPERTY / "to-be.yaml", "--json")
    assert folder.exit_code == 0
    assert json.loads(folder.stdout) == json.loads(files.stdout)


def test_a_folder_with_several_to_be_variants_gives_an_array(run_bpr) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("diff", PERMIT, "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert isinstance(data, list) and [d["to"] for d in data] == ["to-be", "to-be-2030"]
    assert data[1]["files"] == {
        "from": str(PERMIT / "as-is.yaml"),
        "to": str(PERMIT / "to-be-2030.yaml"),
    }
    assert data[1]["metrics"]["fees"] == {"from": 100, "to": 0, "change": -100, "percent": -100.0}
    text = run_bpr("diff", PERMIT)
    assert text.exit_code == 0
    assert "trading-permit: as-is -> to-be\n" in text.stdout
    assert "trading-permit: as-is -> to-be-2030\n" in text.stdout


@pytest.mark.parametrize(("fmt", "render"), [("markdown", to_markdown), ("html", to_html)])
def test_markdown_and_html(run_bpr, fmt, render) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("diff", PERMIT / "as-is.yaml", PERMIT / "to-be.yaml", "--format", fmt)
    assert result.exit_code == 0
    c = compare(bpr.load(PERMIT / "as-is.yaml"), bpr.load(PERMIT / "to-be.yaml"))
    assert result.stdout == render(c)


def test_output_file(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "comparison.html"
    result = run_bpr("diff", PERMIT, "--format", "html", "-o", target)
    assert result.exit_code == 0 and result.stdout == ""
    page = target.read_text(encoding="utf-8")
    assert page.count('<section class="bpr-diff">') == 2
    from lxml import etree

    # a file gets a whole page (issue 11): doctype, head with its title and style, then body
    root = etree.fromstring(page.encode())
    assert page.startswith("<!DOCTYPE html>") and root.tag == "html"
    assert root.findtext("head/title") == "trading-permit: As-Is and To-Be compared"
    assert len(root.findall("body/section")) == 2


def test_fragment_keeps_the_sections_for_embedding(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "part.html"
    result = run_bpr("diff", PERMIT, "--format", "html", "--fragment", "-o", target)
    assert result.exit_code == 0
    part = target.read_text(encoding="utf-8")
    assert part.startswith('<section class="bpr-diff">') and "<html" not in part
    page = run_bpr("diff", PERMIT, "--format", "html", "--page")
    assert page.stdout.startswith("<!DOCTYPE html>")
    wrong = run_bpr("diff", PERMIT, "--format", "markdown", "--fragment")
    assert wrong.exit_code == 2 and "--format html" in wrong.stderr


def test_dash_prints_the_report_and_a_missing_folder_is_made(  # type: ignore[no-untyped-def]
    run_bpr, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 18 #1 and issue 19: ``-o -`` is standard output, not a file named ``-``; ``-o``
    into a folder that does not exist makes it."""
    monkeypatch.chdir(tmp_path)
    printed = run_bpr("diff", PERMIT, "--json")
    result = run_bpr("diff", PERMIT, "--json", "-o", "-")
    assert result.exit_code == 0 and result.stdout == printed.stdout and result.stderr == ""
    assert list(tmp_path.iterdir()) == []
    target = tmp_path / "new" / "diff.md"
    result = run_bpr("diff", PERMIT, "--format", "markdown", "-o", target)
    assert result.exit_code == 0 and target.read_text(encoding="utf-8").startswith("## ")


def test_output_never_overwrites_an_input(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    as_is = tmp_path / "as-is.yaml"
    as_is.write_bytes((PERMIT / "as-is.yaml").read_bytes())
    before = as_is.read_bytes()
    result = run_bpr("diff", as_is, PERMIT / "to-be.yaml", "-o", as_is)
    assert result.exit_code == 1
    assert "overwrite the input" in result.stderr
    assert as_is.read_bytes() == before


def test_a_file_against_itself(run_bpr) -> None:  # type: ignore[no-untyped-def]
    path = PERMIT / "to-be.yaml"
    result = run_bpr("diff", path, path)
    assert result.exit_code == 0
    assert "compared with itself" in result.stdout and "No change" in result.stdout
    data = run_bpr("diff", path, path, "--json")
    assert data.exit_code == 0 and "compared with itself" in data.stderr
    parsed = json.loads(data.stdout)
    assert parsed["steps"]["removed"] == [] and parsed["redesign"] == []
    assert all(entry["change"] in (0, None) for entry in parsed["metrics"].values())


def test_swapped_files_get_a_note(run_bpr) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("diff", PERMIT / "to-be.yaml", PERMIT / "as-is.yaml", "--json")
    assert result.exit_code == 0
    assert "swap" in result.stderr


def test_dangling_replaces_is_an_error_with_its_line(run_bpr) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("diff", PERMIT / "as-is.yaml", DIFF / "dangling-replaces.yaml")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("bpr: error: 2 entries of replaces")
    assert "dangling-replaces.yaml:12:16: steps[0].replaces[0]" in result.stderr
    assert "did you mean 'submit'?" in result.stderr
    assert "Traceback" not in result.stderr


def test_different_services_is_an_error(run_bpr) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("diff", PERMIT / "as-is.yaml", DIFF / "other-service.yaml")
    assert result.exit_code == 1
    assert "different services" in result.stderr and "fishing-licence" in result.stderr


def test_invalid_model_prints_its_problems(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "to-be.yaml"
    bad.write_text("bpr: 1\nservice: trading-permit\nvariant: to-be\nactors: {}\nsteps: []\n")
    result = run_bpr("diff", PERMIT / "as-is.yaml", bad)
    assert result.exit_code == 1
    assert f"{bad}:" in result.stderr and "error" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((PERMIT / "as-is.yaml",), "is one file"),
        ((PERMIT / "as-is.yaml", PERMIT / "to-be.yaml", PERMIT / "to-be-2030.yaml"), "3 paths"),
        ((PERMIT, PERMIT / "as-is.yaml"), "is a folder"),
        ((PERMIT, "--json", "--format", "html"), "contradict"),
        ((PERMIT, "--format", "pdf"), "Invalid value"),
        ((DIFF / "nowhere.yaml", PERMIT / "as-is.yaml"), "does not exist"),
    ],
)
def test_wrong_usage_exits_2(run_bpr, args, message) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("diff", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_folder_without_as_is(run_bpr) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("diff", DIFF)
    assert result.exit_code == 1
    assert "no as-is.yaml" in result.stderr


def test_diff_imports_no_heavy_library() -> None:
    code = (
        "import sys\nfrom bpr.cli import main\n"
        f"main(['diff', {str(PERMIT)!r}, '--json'])\n"
        "heavy = [m for m in ('pm4py', 'pandas', 'matplotlib', 'scipy', 'openpyxl', 'lxml',"
        " 'graphviz', 'numpy') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["service"] == "trading-permit"


DOC = ROOT / "docs" / "comparison.md"


def test_the_terminal_excerpt_in_the_docs_is_true(run_bpr, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)
    text = DOC.read_text(encoding="utf-8")
    excerpt = re.search(r"```\n(property-registration: as-is -> to-be\n.*?)```", text, re.S)
    assert excerpt is not None
    output = run_bpr("diff", "models/property-registration").stdout.splitlines()
    checked = 0
    for line in excerpt.group(1).splitlines():
        if "..." in line or not line.strip("- "):
            continue
        assert line in output, line
        checked += 1
    assert checked > 20


def test_the_json_example_in_the_docs_is_true(run_bpr) -> None:  # type: ignore[no-untyped-def]
    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"```json\n(.*?)```", text, re.S)
    assert block is not None
    shown = json.loads(block.group(1))
    real = json.loads(
        run_bpr("diff", PERMIT / "as-is.yaml", PERMIT / "to-be.yaml", "--json").stdout
    )
    assert list(shown) == list(real)
    for key in ("service", "from", "to", "documents"):
        assert shown[key] == real[key]
    for key in ("removed", "added", "replaced", "unchanged"):
        assert shown["steps"][key] == real["steps"][key]
    for section in ("changed",):
        for step, fields in shown["steps"][section].items():
            assert real["steps"][section][step] == fields
    for key, entry in shown["metrics"].items():
        assert real["metrics"][key] == entry
    assert shown["redesign"][0] == real["redesign"][0]


def test_the_python_example_in_the_docs_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), {})
    assert "Task elimination: 3 steps are no longer done" in capsys.readouterr().out


def test_notes_on_stderr_never_send_model_text_to_the_terminal(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """With --json (or any file format) the notes go to stderr, a terminal: a variant named
    with an escape sequence (clear the screen) is shown as text, never sent."""
    head = "bpr: 1\nservice: s\nactors: {a: {name: A}}\nsteps: [{id: x, actor: a}]\n"
    (tmp_path / "first.yaml").write_text(head + 'variant: "pilot\\e[2J\\e]0;owned\\a"\n')
    (tmp_path / "second.yaml").write_text(head + "variant: as-is\n")
    result = run_bpr("diff", tmp_path / "first.yaml", tmp_path / "second.yaml", "--json")
    assert result.exit_code == 0, result.stderr
    assert "did you mean to swap them?" in result.stderr
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "pilot\\x1b[2J\\x1b]0;owned\\x07" in result.stderr
