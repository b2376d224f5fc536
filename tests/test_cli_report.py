"""``bpr report`` on the command line: formats, exit codes, skipped models, progress."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import DATA

PORTFOLIO = DATA / "report" / "portfolio"
BROKEN = DATA / "report" / "broken"


@pytest.mark.parametrize("name", ["out.html", "out.md", "out.xlsx", "out.docx"])
def test_each_format_is_written(run_bpr, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / name
    result = run_bpr("report", PORTFOLIO, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert out.is_file() and out.stat().st_size > 1000
    assert result.stdout == f"wrote {out}: 3 services from 6 model files" + (
        f", 9 diagrams in {tmp_path / 'out_files'}\n" if name == "out.md" else "\n"
    )
    assert result.stderr == ""  # not a terminal: no progress bar


def test_a_template_is_for_word_reports_only(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import docx

    template = tmp_path / "ministry.docx"
    docx.Document().save(str(template))
    wrong = run_bpr("report", PORTFOLIO, "-o", tmp_path / "out.html", "--template", template)
    assert wrong.exit_code == 2 and "--template is for Word reports" in wrong.stderr
    assert not (tmp_path / "out.html").exists()
    out = tmp_path / "out.docx"
    right = run_bpr("report", PORTFOLIO / "beta", "-o", out, "--template", template)
    assert right.exit_code == 0, right.stderr
    assert docx.Document(str(out)).paragraphs[0].text == "Beta benefit"
    missing = run_bpr("report", PORTFOLIO, "-o", out, "--template", tmp_path / "none.docx")
    assert missing.exit_code == 2 and "none.docx" in missing.stderr


def test_a_skipped_model_is_reported_and_the_exit_status_is_1(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out.html"
    result = run_bpr("report", PORTFOLIO, BROKEN, "-o", out)
    assert result.exit_code == 1
    assert "skipped" in result.stderr and "unknown actor 'robot'" in result.stderr
    assert "1 skipped (see the report)" in result.stdout
    assert "unknown actor &#x27;robot&#x27;" in out.read_text(encoding="utf-8")


def test_an_unknown_suffix_is_a_usage_error(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("report", PORTFOLIO, "-o", tmp_path / "out.odt")
    assert result.exit_code == 2
    assert ".html, .md, .xlsx, .docx or .pdf" in result.stderr
    assert not (tmp_path / "out.odt").exists()


def test_format_option_overrides_the_suffix(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "report.txt"
    result = run_bpr("report", PORTFOLIO / "beta", "-o", out, "--format", "markdown")
    assert result.exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("# Beta benefit\n")


def test_an_output_that_is_an_input_is_refused(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    model = tmp_path / "beta.md"
    shutil.copy(PORTFOLIO / "beta" / "as-is.yaml", model)
    before = model.read_bytes()
    result = run_bpr("report", model, "-o", model)
    assert result.exit_code == 1
    assert "would overwrite the input" in result.stderr and "Traceback" not in result.stderr
    assert model.read_bytes() == before


def test_a_folder_without_models_is_a_usage_error(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("report", tmp_path, "-o", tmp_path / "out.html")
    assert result.exit_code == 2
    assert "no *.yaml or *.yml files" in result.stderr
    assert not (tmp_path / "out.html").exists()


def test_the_title_option(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out.html"
    assert (
        run_bpr("report", PORTFOLIO, "-o", out, "--title", "Ministry <b>brief</b>").exit_code == 0
    )
    assert "<title>Ministry &lt;b&gt;brief&lt;/b&gt;</title>" in out.read_text(encoding="utf-8")


def test_progress_can_be_forced_and_goes_to_stderr(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("report", PORTFOLIO, "-o", tmp_path / "out.html", "--progress")
    assert result.exit_code == 0
    assert result.stdout.startswith("wrote ")  # stdout stays clean for scripts


def test_the_progress_bar_follows_the_calls() -> None:
    from rich.console import Console

    from bpr.cli.report import progress_bar

    with progress_bar(False) as update:
        assert update is None
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=100)
    with progress_bar(True, console=console) as update:
        assert update is not None
        update("load", 1, 4)
        update("load", 4, 4)
        update("write", 1, 2)
    shown = screen.getvalue()
    assert "Reading models" in shown and "4/4" in shown
    assert "Writing services" in shown and "1/2" in shown


def test_help_shows_examples(run_bpr) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("report", "--help")
    assert result.exit_code == 0
    assert "bpr report models -o portfolio.html" in result.stdout


def test_a_folder_with_a_link_loop_a_fifo_and_hidden_folders_is_reported(  # type: ignore[no-untyped-def]
    run_bpr, tmp_path: Path
) -> None:
    """Issue 18 #12 and #13, issue 19: the report finds its models with the one finder of
    bpr.files.finder, which walks a loop of links once, passes over a FIFO named *.yaml
    instead of waiting on it, and skips hidden folders and node_modules."""
    folder = tmp_path / "models" / "alpha"
    shutil.copytree(PORTFOLIO / "alpha", folder)
    (folder / "loop").symlink_to(folder.parent, target_is_directory=True)
    os.mkfifo(folder / "pipe.yaml")
    for hidden in (".git", "node_modules"):
        (folder / hidden).mkdir()
        shutil.copy(BROKEN / "beta-to-be-2031.yaml", folder / hidden / "broken.yaml")
    out = tmp_path / "out.html"
    result = run_bpr("report", tmp_path / "models", "-o", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"wrote {out}: 1 service from 3 model files\n"


def _alive(pid: int) -> bool:
    """Whether a process runs (a zombie waiting to be collected has ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state != "Z"


@pytest.mark.parametrize(
    ("name", "signum", "status"),
    [
        ("out.html", signal.SIGTERM, 128 + signal.SIGTERM),
        ("out.md", signal.SIGTERM, 128 + signal.SIGTERM),
        ("out.md", signal.SIGINT, 130),
    ],
    ids=["html-sigterm", "markdown-sigterm", "markdown-sigint"],
)
def test_a_signal_while_drawing_ends_the_report_and_its_graphviz_runs_at_once(
    tmp_path: Path, name: str, signum: int, status: int
) -> None:
    """Issue 18 #6: the report's diagrams are drawn by Graphviz runs in threads; a SIGTERM
    used to wait on each run (up to 300 s). Here every run hangs, as a stuck neato would: the
    command must end within a second of the signal, its runs with it, writing nothing."""
    tools = tmp_path / "bin"
    tools.mkdir()
    neato = tools / "neato"
    neato.write_text(f'#!/bin/sh\necho $$ >> "{tools}/pids"\nexec sleep 300\n')
    neato.chmod(0o755)
    work = tmp_path / "work"
    shutil.copytree(PORTFOLIO, work / "models")
    env = {**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}"}
    process = subprocess.Popen(
        [sys.executable, "-m", "bpr", "report", "models", "-o", name, "--no-progress"],
        cwd=work,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    pids = tools / "pids"
    deadline = time.monotonic() + 60
    while not (pids.exists() and pids.read_text().strip()):
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        assert time.monotonic() < deadline, "no diagram was ever started"
        time.sleep(0.05)
    time.sleep(0.2)  # the drawing threads are all waiting on their runs by now
    sent = time.monotonic()
    process.send_signal(signum)
    assert process.wait(timeout=30) == status
    took = time.monotonic() - sent
    # the stand-in runs sleep 300 s: ending within 20 s is ending at once rather than after
    # the drawings, with room for a loaded machine (the workers' grace second and their exit)
    assert took < 20, f"bpr report took {took:.2f} s to end after the signal"
    started = [int(p) for p in pids.read_text().split()]
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in started):
        assert time.monotonic() < deadline, "a Graphviz run outlived the command"
        time.sleep(0.05)
    assert sorted(p.name for p in work.iterdir()) == ["models"]  # no report, no temporary file


def test_names_of_skipped_files_never_reach_the_terminal_as_escapes(  # type: ignore[no-untyped-def]
    run_bpr, tmp_path: Path
) -> None:
    """Issue 18 #18: a file name holding an escape sequence (clear the screen) is shown as text
    in the skipped list on stderr and in the summary on stdout."""
    folder = tmp_path / "in\x1b[2J"
    folder.mkdir()
    shutil.copy(BROKEN / "beta-to-be-2031.yaml", folder / "broken\x1b]0;owned\x07.yaml")
    shutil.copy(PORTFOLIO / "gamma" / "as-is.yaml", folder / "gamma.yaml")
    result = run_bpr("report", folder, "-o", tmp_path / "out.html")
    assert result.exit_code == 1
    assert "\x1b" not in result.stderr + result.stdout and "\x07" not in result.stderr
    assert "broken\\x1b]0;owned\\x07.yaml" in result.stderr and "in\\x1b[2J" in result.stderr
    assert "unknown actor 'robot'" in result.stderr


def test_dash_prints_the_html_page_and_the_summary_goes_to_stderr(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Issue 18 #1: ``-o -`` is standard output where the format is text (the HTML page)."""
    result = run_bpr("report", PORTFOLIO / "gamma", "-o", "-", "--format", "html")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("<!DOCTYPE html>") and result.stdout.endswith("</html>\n")
    assert result.stderr == "wrote -: 1 service from 1 model file\n"
    assert not (Path.cwd() / "-").exists()


@pytest.mark.parametrize("extra", [[], ["--format", "markdown"], ["--format", "excel"]])
def test_dash_without_html_is_a_usage_error(run_bpr, extra: list[str]) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("report", PORTFOLIO / "gamma", "-o", "-", *extra)
    assert result.exit_code == 2 and "--format html" in result.stderr
    assert result.stdout == ""
