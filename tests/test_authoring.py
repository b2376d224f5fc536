"""Authoring: ``bpr init`` starter files, ``bpr schema``, and the rebuild and watch loop."""

from __future__ import annotations

import doctest
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path

import jsonschema
import pytest
import yaml

import bpr
import bpr.authoring as module
from bpr.authoring import (
    SCHEMA_NAME,
    RebuildResult,
    init_service,
    rebuild,
    starter_files,
    watch_models,
)
from bpr.comparison.diff import compare
from bpr.files.jsonschema import json_schema, schema_text
from tests.conftest import DATA, ROOT

PORTFOLIO = DATA / "report" / "portfolio"


# -- init ----------------------------------------------------------------------------------


def test_init_writes_a_pair_that_loads_validates_and_compares(tmp_path: Path) -> None:
    result = init_service("birth-registration", tmp_path)
    folder = tmp_path / "birth-registration"
    assert result.written == [folder / "as-is.yaml", folder / "to-be.yaml", tmp_path / SCHEMA_NAME]
    as_is, to_be = bpr.load(folder / "as-is.yaml"), bpr.load(folder / "to-be.yaml")
    assert as_is.warnings == [] and to_be.warnings == []
    assert (as_is.service, as_is.variant, to_be.variant) == ("birth-registration", "as-is", "to-be")
    assert as_is.title == "Birth registration (As-Is)"
    comparison = compare(as_is, to_be)
    assert comparison.replaced_steps == {
        "apply_online": ["get_certificate", "apply"],
        "notify": ["collect"],
    }
    assert comparison.now_exchanged_documents == ["certificate"]
    assert bpr.measure(to_be).visits < bpr.measure(as_is).visits


def test_the_starter_files_are_commented_and_point_to_the_schema(tmp_path: Path) -> None:
    init_service("svc", tmp_path)
    schema_file = tmp_path / SCHEMA_NAME
    assert schema_file.read_text(encoding="utf-8") == schema_text()
    validator = jsonschema.Draft7Validator(json_schema())
    for name in ("as-is.yaml", "to-be.yaml"):
        text = (tmp_path / "svc" / name).read_text(encoding="utf-8")
        first = text.splitlines()[0]
        assert first == f"# yaml-language-server: $schema=../{SCHEMA_NAME}"
        assert (tmp_path / "svc" / first.split("=", 1)[1]).resolve() == schema_file.resolve()
        assert sum(1 for line in text.splitlines() if "#" in line) >= 8
        assert list(validator.iter_errors(yaml.safe_load(text))) == []


def test_init_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    init_service("svc", tmp_path)
    model = tmp_path / "svc" / "as-is.yaml"
    model.write_text("my work")
    with pytest.raises(bpr.OutputError, match=r"already exist.*--force"):
        init_service("svc", tmp_path)
    assert model.read_text() == "my work"
    init_service("svc", tmp_path, force=True)
    assert model.read_text().startswith("# yaml-language-server")


def test_init_keeps_a_different_schema_file_and_says_so(tmp_path: Path) -> None:
    (tmp_path / SCHEMA_NAME).write_text("{}")
    result = init_service("svc", tmp_path)
    assert (tmp_path / SCHEMA_NAME).read_text() == "{}"
    assert result.kept and "bpr schema -o" in result.kept[0]
    result = init_service("other", tmp_path, schema="https://example.org/model.schema.json")
    assert result.kept == [] and len(result.written) == 2
    first = (tmp_path / "other" / "as-is.yaml").read_text().splitlines()[0]
    assert first.endswith("$schema=https://example.org/model.schema.json")


@pytest.mark.parametrize("title", ['It\'s "odd": #1 {x} [y]', "Регистрация рождения", "a\nb"])
def test_any_title_makes_valid_yaml(title: str) -> None:
    files = starter_files("svc", title=title)
    assert bpr.loads(files["as-is.yaml"]).title == f"{title} (As-Is)"


@pytest.mark.parametrize("title", ["line\u2028separator", "del\x7f", "next\x85line", "\x1b[2J"])
def test_a_title_with_characters_yaml_treats_specially_is_kept(title: str) -> None:
    files = starter_files("svc", title=title)
    assert bpr.loads(files["as-is.yaml"]).title == f"{title} (As-Is)"


@pytest.mark.parametrize("service", ["off", "007", "yes", "12_30", "null"])
def test_a_service_id_that_yaml_reads_as_no_text_stays_text(service: str, tmp_path: Path) -> None:
    init_service(service, tmp_path)
    for name in ("as-is.yaml", "to-be.yaml"):
        assert bpr.load(tmp_path / service / name).service == service


def test_the_schema_and_folder_stay_in_their_comments() -> None:
    files = starter_files("svc", schema="https://x.org/s.json\nbpr: 2", folder="a\nb: 1")
    model = bpr.loads(files["as-is.yaml"])
    assert model.version == 1
    first = files["as-is.yaml"].splitlines()[0]
    assert first == "# yaml-language-server: $schema=https://x.org/s.json bpr: 2"


@pytest.mark.parametrize("service", ["two words", "a/b", "", "x.y"])
def test_a_bad_service_id_is_refused(service: str, tmp_path: Path) -> None:
    with pytest.raises(bpr.BprError, match="not a valid service id"):
        init_service(service, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_cli_init(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("init", "birth-registration", "--dir", tmp_path, "--title", "Birth")
    assert result.exit_code == 0, result.stderr
    assert f"wrote {tmp_path / 'birth-registration' / 'as-is.yaml'}" in result.stdout
    assert "bpr validate" in result.stdout
    assert run_bpr("validate", tmp_path / "birth-registration").exit_code == 0
    again = run_bpr("init", "birth-registration", "--dir", tmp_path)
    assert again.exit_code == 1 and "--force" in again.stderr
    assert run_bpr("init", "bad id", "--dir", tmp_path).exit_code == 2


def test_init_where_a_file_stands_in_the_way_is_an_error(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "svc").write_text("my notes")  # a file named like the service's folder
    with pytest.raises(bpr.OutputError, match=r"svc is a file, not a folder"):
        init_service("svc", tmp_path)
    result = run_bpr("init", "svc", "--dir", tmp_path)
    assert result.exit_code == 1 and "is a file" in result.stderr
    (tmp_path / "plain").write_text("x")  # --dir below a file: the folder cannot be made
    result = run_bpr("init", "svc", "--dir", tmp_path / "plain" / "below")
    assert result.exit_code == 1 and "cannot make the folder" in result.stderr
    assert (tmp_path / "svc").read_text() == "my notes"


# -- schema --------------------------------------------------------------------------------


def test_cli_schema_prints_the_shipped_schema(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("schema")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == json_schema()
    out = tmp_path / "model.schema.json"
    assert run_bpr("schema", "-o", out).exit_code == 0
    assert out.read_text(encoding="utf-8") == schema_text()


@pytest.mark.parametrize("name", ["as-is.yaml", "TO-BE.YML"])
def test_cli_schema_never_replaces_a_model(run_bpr, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    model = tmp_path / name
    model.write_text("bpr: 1\n", encoding="utf-8")
    result = run_bpr("schema", "-o", model)
    assert result.exit_code == 2
    assert "that is the name of a model file; a JSON Schema file ends in .json" in result.stderr
    assert model.read_text(encoding="utf-8") == "bpr: 1\n"


# -- rebuild and watch ---------------------------------------------------------------------


def test_one_rebuild_writes_the_report(tmp_path: Path) -> None:
    out = tmp_path / "preview.html"
    result = rebuild([PORTFOLIO / "beta"], out, refresh=2)
    assert result.ok and result.report is not None
    assert out.is_file() and '<meta http-equiv="refresh" content="2">' in out.read_text()
    assert result.summary() == f"{out}: 1 service from 2 model files"


def test_a_rebuild_error_is_returned_not_raised(tmp_path: Path) -> None:
    model = tmp_path / "model.html"
    shutil.copy(PORTFOLIO / "beta" / "as-is.yaml", model)
    result = rebuild([model], model)
    assert not result.ok and isinstance(result.error, bpr.OutputError)
    assert result.summary().startswith("not rebuilt:")


def _copy_service(tmp_path: Path) -> Path:
    folder = tmp_path / "models"
    shutil.copytree(PORTFOLIO / "beta", folder / "beta")
    return folder


def test_the_watch_loop_rebuilds_on_save_and_stops(tmp_path: Path) -> None:
    folder = _copy_service(tmp_path)
    out = tmp_path / "preview.html"
    builds: list[tuple[RebuildResult, list[str]]] = []
    stop = threading.Event()
    rebuilt = threading.Event()

    def on_rebuild(result: RebuildResult, changed: Iterable[str]) -> None:
        builds.append((result, list(changed)))
        if len(builds) == 2:
            rebuilt.set()

    counted: list[int] = []
    thread = threading.Thread(
        target=lambda: counted.append(
            watch_models([folder], out, on_rebuild=on_rebuild, stop_event=stop, debounce_ms=50)
        )
    )
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not builds and time.monotonic() < deadline:
            time.sleep(0.05)
        assert builds and builds[0][1] == [] and builds[0][0].ok
        time.sleep(0.3)  # let the watcher settle before the save
        model = folder / "beta" / "to-be.yaml"
        text = model.read_text().replace("Beta benefit online", "Beta benefit, renamed")
        (tmp_path / "scratch.html").write_text("not a model: ignored")
        model.write_text(text)
        assert rebuilt.wait(20), "no rebuild after the save"
    finally:
        stop.set()
        thread.join(20)
    assert not thread.is_alive() and counted == [2]
    result, changed = builds[1]
    assert changed == [str(model.resolve())]
    assert result.ok and "Beta benefit, renamed" in out.read_text(encoding="utf-8")


def test_a_file_is_watched_through_its_folder() -> None:
    from bpr.authoring import _watched

    single = PORTFOLIO / "beta" / "as-is.yaml"
    folders, accept = _watched([single, PORTFOLIO / "alpha"])
    assert folders == [single.parent.resolve(), (PORTFOLIO / "alpha").resolve()]
    assert accept(None, str(single.resolve()))
    assert not accept(None, str((PORTFOLIO / "beta" / "to-be.yaml").resolve()))
    assert accept(None, str((PORTFOLIO / "alpha" / "new.yml").resolve()))
    assert not accept(None, str((PORTFOLIO / "alpha" / ".as-is.yaml.swp").resolve()))
    assert not accept(None, str((PORTFOLIO / "alpha" / "report.html").resolve()))


@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT")
def test_cli_watch_builds_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    folder = _copy_service(tmp_path)
    out = tmp_path / "preview.html"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "bpr", "watch", str(folder), "-o", str(out), "--refresh", "5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while not out.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert out.exists()
        assert 'content="5"' in out.read_text(encoding="utf-8")
    finally:
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert "watching" in stderr and "1 service from 2 model files" in stdout + stderr


def test_cli_watch_refuses_an_unknown_format(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # a format it cannot write is refused before watching (a .pdf or .docx is a report now)
    result = run_bpr("watch", PORTFOLIO, "-o", tmp_path / "preview.txt")
    assert result.exit_code == 2 and ".html, .md, .xlsx, .docx or .pdf" in result.stderr


def test_docstring_examples() -> None:
    assert doctest.testmod(module, optionflags=doctest.ELLIPSIS).failed == 0
