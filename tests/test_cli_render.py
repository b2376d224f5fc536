"""``bpr render`` on the command line: one model, a comparison, formats and errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import DATA, MODELS

PROPERTY = MODELS / "property-registration"


def test_one_model_to_svg(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "as-is.svg"
    result = run_bpr("render", PROPERTY / "as-is.yaml", "-o", out)
    assert result.exit_code == 0, result.stderr
    assert f"wrote {out}" in result.stdout and "property-registration/as-is" in result.stdout
    assert out.read_bytes().startswith(b"<?xml")


def test_service_folder_draws_the_comparison(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "comparison.dot"
    result = run_bpr("render", PROPERTY, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert "as-is -> to-be" in result.stdout
    text = out.read_text(encoding="utf-8")
    assert '"a:' in text and '"b:' in text and "legend:" in text


def test_two_files_and_stacked(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "c.png"
    result = run_bpr(
        "render",
        PROPERTY / "as-is.yaml",
        PROPERTY / "to-be.yaml",
        "-o",
        out,
        "--dpi",
        "60",
        "--stacked",
    )
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes().startswith(b"\x89PNG")


def test_pdf_and_dpi_note(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "x.pdf"
    result = run_bpr("render", DATA / "contract-example.yaml", "-o", out, "--dpi", "300")
    assert result.exit_code == 0
    assert "--dpi applies to .png only" in result.stderr
    assert out.read_bytes().startswith(b"%PDF")


def test_pm4py_engine(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "bpmn.svg"
    result = run_bpr("render", DATA / "contract-example.yaml", "--engine", "pm4py", "-o", out)
    assert result.exit_code == 0, result.stderr
    assert b"Check the application" in out.read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "x.jpg"], ".svg, .png, .pdf, .dot"),
        (["--engine", "pm4py", "-o", "x.svg", "SECOND"], "--engine pm4py draws one process"),
        (["-o", "x.svg", "SECOND", "SECOND"], "takes one model, or two"),
        (["--engine", "bpmn", "-o", "x.svg"], "'bpr', 'pm4py'"),
    ],
)
def test_wrong_usage_exits_2(run_bpr, tmp_path: Path, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    first = str(PROPERTY / "as-is.yaml")
    second = str(PROPERTY / "to-be.yaml")
    args = [
        second if a == "SECOND" else str(tmp_path / a) if a.startswith("x.") else a for a in args
    ]
    result = run_bpr("render", first, *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_missing_output_is_usage_error(run_bpr) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("render", PROPERTY / "as-is.yaml")
    assert result.exit_code == 2 and "--output" in result.stderr


def test_folder_with_more_variants_asks_for_two(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for name in ("as-is.yaml", "to-be-2030.yaml", "to-be-2040.yaml"):
        shutil.copy(PROPERTY / "as-is.yaml", tmp_path / name)
    result = run_bpr("render", tmp_path, "-o", tmp_path / "c.svg")
    assert result.exit_code == 2
    assert "name the two to compare" in result.stderr and "to-be-2030.yaml" in result.stderr


def test_folder_with_as_is_and_one_other(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    shutil.copy(PROPERTY / "as-is.yaml", tmp_path / "as-is.yaml")
    shutil.copy(PROPERTY / "to-be.yaml", tmp_path / "to-be-2030.yaml")
    result = run_bpr("render", tmp_path, "-o", tmp_path / "c.dot")
    assert result.exit_code == 0, result.stderr


def test_invalid_model_exits_1(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    bad.write_text("bpr: 1\nservice: s\nvariant: as-is\nactors: {}\nsteps: []\n")
    result = run_bpr("render", bad, "-o", tmp_path / "x.svg")
    assert result.exit_code == 1
    assert "bad.yaml" in result.stderr
    assert not (tmp_path / "x.svg").exists()


def test_missing_graphviz_is_one_line(
    run_bpr, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PATH", str(tmp_path))
    result = run_bpr("render", PROPERTY / "as-is.yaml", "-o", tmp_path / "x.svg")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert "'dot' was not found" in lines[0] and "sudo apt-get install graphviz" in lines[0]
    assert "scripts/setup.sh" in lines[0]


def test_refuses_to_overwrite_the_model(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    model = tmp_path / "m.dot"
    model.write_text((DATA / "contract-example.yaml").read_text())
    result = run_bpr("render", model, "-o", model)
    assert result.exit_code in (1, 2)
    assert model.read_text().startswith("bpr: 1")


def test_help_lists_the_formats(run_bpr) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("render", "--help")
    assert result.exit_code == 0
    for word in (".svg", ".png", ".pdf", ".dot", "--dpi", "--engine", "--stacked"):
        assert word in result.stdout


def test_folder_with_one_model_draws_it(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    shutil.copy(DATA / "contract-example.yaml", tmp_path / "only.yaml")
    out = tmp_path / "one.svg"
    result = run_bpr("render", tmp_path, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert "property-registration/as-is" in result.stdout
    assert b"<title>Registration of property rights (As&#45;Is, 2016)</title>" in out.read_bytes()


def test_a_file_named_twice_is_compared_with_itself(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "same.dot"
    result = run_bpr("render", PROPERTY / "as-is.yaml", PROPERTY / "as-is.yaml", "-o", out)
    assert result.exit_code == 0, result.stderr
    assert "as-is -> as-is" in result.stdout
    text = out.read_text(encoding="utf-8")
    assert '"a:' in text and '"b:' in text


# A Graphviz that never finishes and has a child of its own: each run writes "<its pid> <its
# child's pid>" to the file in $BPR_TEST_PIDS, then waits.
_SLOW_GRAPHVIZ = """#!/bin/sh
sleep 300 &
echo "$$ $!" > "$BPR_TEST_PIDS.tmp" && mv "$BPR_TEST_PIDS.tmp" "$BPR_TEST_PIDS"
wait
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"  # a zombie has ended; only its parent's bookkeeping is left


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
@pytest.mark.parametrize("command", ["render", "report"])
@pytest.mark.parametrize("signame", ["SIGTERM", "SIGINT"])
def test_a_signal_ends_the_command_and_its_graphviz_runs(
    tmp_path: Path, command: str, signame: str
) -> None:
    """Graphviz ran for up to 300 s after SIGTERM (and ``bpr report`` waited on every run of
    its drawing threads); now the command ends within a second, its children with it, and
    leaves no file."""
    import os
    import signal
    import subprocess
    import sys
    import time

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for program in ("dot", "neato"):
        (bin_dir / program).write_text(_SLOW_GRAPHVIZ)
        (bin_dir / program).chmod(0o755)
    models = tmp_path / "models" / "service"
    models.mkdir(parents=True)
    shutil.copy(DATA / "contract-example.yaml", models / "as-is.yaml")
    out = tmp_path / "out"
    out.mkdir()
    pids = tmp_path / "pids"
    target = {"render": models / "as-is.yaml", "report": tmp_path / "models"}[command]
    suffix = {"render": "svg", "report": "html"}[command]
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    env["BPR_TEST_PIDS"] = str(pids)
    process = subprocess.Popen(
        [sys.executable, "-m", "bpr", command, str(target), "-o", str(out / f"x.{suffix}")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # a shell without job control starts background jobs with SIGINT ignored
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 60
        while not pids.exists():
            assert process.poll() is None, "bpr ended before it ran Graphviz"
            assert time.monotonic() < deadline, "Graphviz was never run"
            time.sleep(0.05)
        children = [int(pid) for pid in pids.read_text().split()]
        sent = time.monotonic()
        process.send_signal(getattr(signal, signame))
        code = process.wait(timeout=30)
        took = time.monotonic() - sent
    finally:
        if process.poll() is None:
            process.kill()
    assert code == {"SIGTERM": 128 + signal.SIGTERM, "SIGINT": 130}[signame]
    assert took < 5  # within a second on a quiet machine
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in children if _alive(pid)], "a Graphviz process was left running"
    assert list(out.iterdir()) == []


def _generated(steps: int) -> str:
    """A model of ``steps`` steps in one lane."""
    lines = [f"  - {{id: s{i}, actor: a}}" for i in range(steps)]
    return "bpr: 1\nservice: big\nvariant: as-is\nactors: {a: {name: A}}\nsteps:\n" + (
        "\n".join(lines) + "\n"
    )


def _failing_graphviz(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Graphviz programs that fail at once: a command that ran them would say so."""
    import os

    folder.mkdir()
    for program in ("dot", "neato"):
        (folder / program).write_text("#!/bin/sh\necho 'Graphviz was run' >&2\nexit 3\n")
        (folder / program).chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")


@pytest.mark.parametrize("how", ["one", "comparison", "pm4py"])
def test_a_model_too_large_to_draw_is_refused_at_once_with_the_limit(
    run_bpr, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:  # type: ignore[no-untyped-def]
    """A 100,000-step render ran for minutes without a word; past the limit it is refused
    before any layout, with the limit and the fix in the message."""
    monkeypatch.setattr("bpr.layout.engine.MAX_STEPS", 5000)  # the real one takes long to load
    from bpr.layout.engine import MAX_STEPS

    _failing_graphviz(tmp_path / "bin", monkeypatch)
    big = tmp_path / "as-is.yaml"
    big.write_text(_generated(MAX_STEPS + 1))
    small = tmp_path / "to-be.yaml"
    small.write_text(_generated(3).replace("as-is", "to-be"))
    out = tmp_path / "out.svg"
    args = {"one": [big], "comparison": [big, small], "pm4py": [big, "--engine", "pm4py"]}[how]
    result = run_bpr("render", *args, "-o", out)
    assert result.exit_code == 1
    assert f"{big}: 5,001 steps are too many to lay out as one diagram" in result.stderr
    assert "the limit is 5,000 steps" in result.stderr and "split the service" in result.stderr
    assert "Graphviz was run" not in result.stderr and not out.exists()


def test_a_long_drawing_says_what_it_is_doing(
    run_bpr, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """Past PROGRESS_AFTER seconds each stage is named on stderr; a quick drawing says
    nothing there."""
    import os

    import bpr.cli.render

    model = tmp_path / "as-is.yaml"
    model.write_text(_generated(12))
    quick = run_bpr("render", model, "-o", tmp_path / "quick.svg")
    assert quick.exit_code == 0 and "bpr render:" not in quick.stderr

    real = shutil.which("dot")
    slow = tmp_path / "bin"
    slow.mkdir()
    (slow / "dot").write_text(f'#!/bin/sh\nsleep 1\nexec "{real}" "$@"\n')
    (slow / "dot").chmod(0o755)
    monkeypatch.setenv("PATH", f"{slow}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(bpr.cli.render, "PROGRESS_AFTER", 0.3)
    result = run_bpr("render", model, "-o", tmp_path / "slow.svg")
    assert result.exit_code == 0, result.stderr
    said = [line for line in result.stderr.splitlines() if line.startswith("bpr render:")]
    assert said[-3:] == [
        f"bpr render: laying out {model} (12 steps) ...",
        "bpr render: drawing the SVG with Graphviz ...",
        f"bpr render: writing {tmp_path / 'slow.svg'} ...",
    ]


def test_model_text_never_reaches_the_terminal_as_escapes(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Issue 18 #18: a variant holding an escape sequence (clear the screen, a window title)
    is shown as text in the summary line."""
    text = (DATA / "contract-example.yaml").read_text(encoding="utf-8")
    model = tmp_path / "as-is.yaml"
    model.write_text(
        text.replace("variant: as-is", 'variant: "as-is\\x1b[2J\\x1b]0;owned\\x07"', 1),
        encoding="utf-8",
    )
    assert "\\x1b[2J" in model.read_text(encoding="utf-8")
    for args in ([model], [model, model]):
        result = run_bpr("render", *args, "-o", tmp_path / "out.dot")
        assert result.exit_code == 0, result.stderr
        assert "\x1b" not in result.stdout + result.stderr and "\x07" not in result.stdout
        assert "as-is\\x1b[2J\\x1b]0;owned\\x07" in result.stdout
