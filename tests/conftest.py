"""Shared fixtures: paths to the shipped models and data, golden files, a CLI runner."""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bpr.core import i18n

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models"
DATA = Path(__file__).resolve().parent / "data"
GOLDEN = Path(__file__).resolve().parent / "golden"
SHARED_DATA = ROOT.parent / "shared" / "data"

# The suite writes English wherever it runs: a machine's Russian locale or BPR_LANG must not
# change the output the golden files and the tests expect (tests of other languages ask).
os.environ.pop("BPR_LANG", None)
os.environ["LC_ALL"] = "C.UTF-8"


@pytest.fixture(autouse=True)
def _own_diagram_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Each test draws into a cache of its own, never the user's ~/.cache/bpr."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("BPR_NO_CACHE", raising=False)


@pytest.fixture(autouse=True)
def _english_after_each_test() -> Iterator[None]:
    """A test that chose a language (a CLI run with --lang) leaves English to the next one."""
    yield
    i18n.restore(("en", None))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the golden files under tests/golden from the current output",
    )


@dataclass
class Golden:
    """Compares generated text with a file under tests/golden (rewritten by --update-golden)."""

    update: bool

    def check(self, name: str, text: str) -> None:
        path = GOLDEN / name
        if self.update or not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            if not self.update:
                pytest.fail(f"golden file {name} did not exist and was written; check it in")
            return
        expected = path.read_text(encoding="utf-8")
        if text != expected:
            diff = "".join(
                difflib.unified_diff(
                    expected.splitlines(True), text.splitlines(True), f"golden/{name}", "output"
                )
            )
            pytest.fail(
                f"output differs from golden/{name} (refresh with --update-golden):\n{diff[:6000]}"
            )


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    return Golden(bool(request.config.getoption("--update-golden")))


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def run_bpr(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run the ``bpr`` command line in-process: ``run_bpr("metrics", path, "--json")``."""
    from bpr.cli import main

    def run(*args: str | Path) -> CliResult:
        capsys.readouterr()
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return run


def model_files() -> list[Path]:
    """Every shipped model file, for parametrized tests."""
    return sorted(MODELS.glob("*/*.yaml"))


def service_folders() -> list[Path]:
    return sorted(p for p in MODELS.iterdir() if p.is_dir())


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("shared/data is not beside this checkout")
    return SHARED_DATA
