"""Shared fixtures: paths to the shipped models and data, golden files, a CLI runner."""

from __future__ import annotations

import difflib
import importlib.util
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from bpr.core import i18n
from bpr.files.eventlog import LogColumns

ROOT = Path(__file__).resolve().parent.parent

#: The columns of the hand-made log tests/data/logs/tiny.csv (its own names, not pm4py's).
TINY_COLUMNS = LogColumns(
    case="Case ID",
    activity="Activity",
    timestamp="Complete Timestamp",
    start="Start Timestamp",
    resource="Resource",
    group="Role",
)


def frame_to_parquet(frame: Any, path: Path) -> Path:
    """A pandas frame written as Parquet by DuckDB (pandas itself would need pyarrow, which bpr
    does not install); tz-aware times are written as UTC timestamps."""
    import duckdb

    with duckdb.connect() as connection:
        connection.execute("SET TimeZone = 'UTC'")
        connection.register("frame", frame)
        connection.execute(f"COPY frame TO '{path}' (FORMAT parquet)")
    return path


def script_module(path: str) -> ModuleType:
    """A script of this repository as a module (``"benchmarks/generate.py"``,
    ``"scripts/catalogues.py"``): the scripts are not part of the package. Each is loaded
    once per test process, with its folder on the path (a benchmark imports its neighbours
    by name) and registered under its own name (dataclasses look their module up)."""
    file = ROOT / path
    key = f"_script_{file.parent.name}_{file.stem}"
    if key in sys.modules:
        return sys.modules[key]
    if str(file.parent) not in sys.path:
        sys.path.insert(0, str(file.parent))
    spec = importlib.util.spec_from_file_location(key, file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[key] = module
    spec.loader.exec_module(module)
    return module


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


def without_cairo_library(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on in this test, importing cairosvg fails as on a machine without the cairo
    library (cairocffi raises OSError when it finds none to load)."""
    import builtins

    real = builtins.__import__

    def without_library(name: str, *args: object, **kwargs: object) -> object:
        if name == "cairosvg":
            raise OSError("no library called 'cairo' was found")
        return real(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.delitem(sys.modules, "cairosvg", raising=False)
    monkeypatch.setattr(builtins, "__import__", without_library)
