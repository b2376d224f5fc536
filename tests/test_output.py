"""The one writer of outputs: whole or not at all, through what is not a file, never over inputs."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from bpr.errors import OutputError
from bpr.files.output import atomic_output, atomic_write

posix_only = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX files")


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_new_file_and_a_replaced_file(tmp_path: Path) -> None:
    target = tmp_path / "out.html"
    atomic_write(target, "one")
    target.chmod(0o640)
    atomic_write(target, b"two")
    assert target.read_text() == "two"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert leftovers(tmp_path) == []


def test_a_missing_folder_is_created(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "2026" / "out.html"
    atomic_write(target, "x")
    assert target.read_text() == "x"


def test_a_file_in_the_way_of_the_folder_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "file.txt").write_text("keep")
    with pytest.raises(
        OutputError, match=r"cannot create the folder .*file.txt is a file, not a folder"
    ):
        atomic_write(tmp_path / "file.txt" / "out.html", "x")
    assert (tmp_path / "file.txt").read_text() == "keep"


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc")
def test_a_folder_that_cannot_be_written_is_a_clear_error() -> None:
    with pytest.raises(OutputError, match=r"^/proc/out\.html: cannot write the file: "):
        atomic_write("/proc/out.html", "x")


def test_a_folder_as_the_output_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="this is a folder; name a file to write"):
        atomic_write(tmp_path, "x")


@posix_only
def test_a_symlink_to_a_file_is_kept_and_its_file_replaced(tmp_path: Path) -> None:
    (tmp_path / "real.html").write_text("old")
    (tmp_path / "link.html").symlink_to("real.html")
    atomic_write(tmp_path / "link.html", "new")
    assert (tmp_path / "link.html").is_symlink()
    assert (tmp_path / "real.html").read_text() == "new"
    assert leftovers(tmp_path) == []


@posix_only
def test_a_dangling_symlink_creates_the_file_it_names(tmp_path: Path) -> None:
    (tmp_path / "link.html").symlink_to(tmp_path / "sub" / "real.html")
    atomic_write(tmp_path / "link.html", "new")
    assert (tmp_path / "link.html").is_symlink()
    assert (tmp_path / "sub" / "real.html").read_text() == "new"


@posix_only
def test_a_loop_of_links_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "a.html").symlink_to("b.html")
    (tmp_path / "b.html").symlink_to("a.html")
    with pytest.raises(OutputError, match="a loop of symbolic links"):
        atomic_write(tmp_path / "a.html", "x")
    with pytest.raises(OutputError, match="a loop of symbolic links"):
        atomic_write(tmp_path / "out.html", "x", inputs=[tmp_path / "a.html"])


@posix_only
def test_a_fifo_is_written_through_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "out.bpmn"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    atomic_write(fifo, "<xml/>")
    reader.join(5)
    assert received == [b"<xml/>"]
    assert fifo.is_fifo()
    assert leftovers(tmp_path) == []


@posix_only
def test_a_character_device_is_written_through() -> None:
    assert atomic_write(os.devnull, "nothing") == Path(os.devnull)
    assert Path(os.devnull).is_char_device()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_full_device_is_a_clear_error() -> None:
    with pytest.raises(OutputError, match=r"^/dev/full: cannot write: No space left on device"):
        atomic_write("/dev/full", "x" * 100_000)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_a_link_to_an_open_file_of_the_process_writes_into_it(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    try:
        link = tmp_path / "out.bpmn"
        link.symlink_to(f"/proc/self/fd/{write_end}")
        atomic_write(link, "through the pipe")
        assert link.is_symlink()
        assert os.read(read_end, 100) == b"through the pipe"
    finally:
        os.close(read_end)
        os.close(write_end)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_a_link_to_an_open_regular_file_adds_to_it(tmp_path: Path) -> None:
    log = tmp_path / "log.txt"
    with open(log, "w") as stream:
        stream.write("before\n")
        stream.flush()
        link = tmp_path / "out.txt"
        link.symlink_to(f"/proc/self/fd/{stream.fileno()}")
        atomic_write(link, "after\n")
    assert log.read_text() == "before\nafter\n"


def test_dash_writes_the_bytes_to_standard_output(capsys: pytest.CaptureFixture[str]) -> None:
    atomic_write("-", "to standard output\n")
    assert capsys.readouterr().out == "to standard output\n"


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, SystemExit, ValueError])
def test_an_interrupted_write_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, interruption: type[BaseException]
) -> None:
    target = tmp_path / "out.html"
    target.write_text("old")
    with pytest.raises(interruption), atomic_output(target) as stream:
        stream.write(b"half")
        raise interruption
    assert target.read_text() == "old"
    assert leftovers(tmp_path) == []


def test_an_input_named_as_the_output_is_refused(tmp_path: Path) -> None:
    model = tmp_path / "as-is.yaml"
    model.write_text("keep")
    with pytest.raises(OutputError, match="would overwrite the input"):
        atomic_write(model, "x", inputs=[model])
    (tmp_path / "link.yaml").symlink_to(model)
    with pytest.raises(OutputError, match="would overwrite the input"):
        atomic_write(tmp_path / "link.yaml", "x", inputs=[model])
    assert model.read_text() == "keep"
