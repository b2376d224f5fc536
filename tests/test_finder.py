"""The one finder of model files: what a folder holds, for every command alike."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

import bpr
from bpr.files.finder import find_models, find_variants

VALID = """\
bpr: 1
service: s
variant: as-is
actors: {a: {name: A}}
steps: [{id: x, actor: a}]
"""


def names(root: Path, paths: list[Path]) -> list[str]:
    return [p.relative_to(root).as_posix() for p in paths]


def test_the_public_name_is_the_finder() -> None:
    assert bpr.find_models is find_models


def test_hidden_folders_dotfiles_and_node_modules_are_skipped(tmp_path: Path) -> None:
    for name in (
        "a.yaml",
        ".hidden/x.yaml",
        ".pre-commit-config.yaml",
        "node_modules/pkg/x.yml",
        "tools/node_modules/y.yaml",
        "tools/z.yml",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert names(tmp_path, list(find_models([tmp_path]))) == ["a.yaml", "tools/z.yml"]


def test_a_folder_named_explicitly_is_searched_even_if_hidden(tmp_path: Path) -> None:
    (tmp_path / ".drafts").mkdir()
    (tmp_path / ".drafts" / "a.yaml").write_text("x")
    assert names(tmp_path, list(find_models([tmp_path / ".drafts"]))) == [".drafts/a.yaml"]


def test_a_loop_of_folder_links_is_walked_once(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "a.yaml").write_text("x")
    (tmp_path / "m" / "back").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "m" / "self").symlink_to(tmp_path / "m", target_is_directory=True)
    assert names(tmp_path, list(find_models([tmp_path]))) == ["m/a.yaml"]


def test_a_loop_of_file_links_and_a_broken_link_are_passed_over(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("x")
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop2.yaml")
    (tmp_path / "loop2.yaml").symlink_to(tmp_path / "loop.yaml")
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "missing.yaml")
    assert names(tmp_path, list(find_models([tmp_path]))) == ["a.yaml"]


def test_a_file_reached_through_a_link_counts_once(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("x")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    assert names(tmp_path, list(find_models([tmp_path, tmp_path / "b.yaml"]))) == ["a.yaml"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_in_a_folder_is_passed_over(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("x")
    os.mkfifo(tmp_path / "pipe.yaml")
    assert names(tmp_path, list(find_models([tmp_path]))) == ["a.yaml"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_loading_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    outcome: list[bpr.ModelError] = []

    def read() -> None:
        with pytest.raises(bpr.ModelError) as info:
            bpr.load(tmp_path / "pipe.yaml")
        outcome.append(info.value)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(5)
    assert outcome, "loading a FIFO waited for a writer"
    problem = outcome[0].problems[0]
    assert problem.code == "not-a-file"
    assert "not a regular file" in problem.message


def test_loading_a_loop_of_links_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    with pytest.raises(bpr.ModelError) as info:
        bpr.load(tmp_path / "loop.yaml")
    assert info.value.problems[0].code == "unreadable-file"


def test_validate_survives_a_folder_with_a_link_loop_and_a_fifo(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "as-is.yaml").write_text(VALID)
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "l.yaml").symlink_to(tmp_path / "l.yaml")
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.yaml")
    result = run_bpr("validate", tmp_path)
    assert result.exit_code == 0, result.stderr
    assert "1 file checked: 1 valid, 0 invalid" in result.stdout


def test_variants_of_a_service_folder(tmp_path: Path) -> None:
    for name in ("to-be-2030.yaml", "to-be.yaml", "as-is.yaml", "notes.yaml"):
        (tmp_path / name).write_text("x")
    (tmp_path / "to-be-dir.yaml").mkdir()
    found = find_variants(tmp_path)
    assert found.as_is == tmp_path / "as-is.yaml"
    assert [p.name for p in found.to_be] == ["to-be.yaml", "to-be-2030.yaml"]


def test_variants_of_a_folder_without_them(tmp_path: Path) -> None:
    assert find_variants(tmp_path) == (None, [])
    assert find_variants(tmp_path / "missing") == (None, [])
