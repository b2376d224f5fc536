"""The report's diagrams drawn on every core and kept in the cache (bpr.report.cache).

Every test here draws into the temporary XDG_CACHE_HOME that conftest gives each test. What
is drawn is counted in a file, so that the worker processes a report forks count too.
"""

from __future__ import annotations

import importlib
import os
import shutil
import zipfile
from pathlib import Path

import pytest

import bpr
from bpr.backend.graphviz import graphviz_version
from bpr.core.i18n import use
from bpr.report import collect, render_report, write_report
from bpr.report.cache import DiagramCache, cache_folder, model_fingerprint

from .conftest import DATA

PORTFOLIO = DATA / "report" / "portfolio"
diagrams_module = importlib.import_module("bpr.report.diagrams")
process_module = importlib.import_module("bpr.backend.process")


@pytest.fixture
def portfolio(tmp_path: Path) -> Path:
    """A copy of the test portfolio (three services, six variants) that a test may edit."""
    target = tmp_path / "portfolio"
    shutil.copytree(PORTFOLIO, target)
    return target


class Drawn:
    """What was drawn, in every process: the Graphviz runs, the diagrams laid out and the
    PNG pictures of the Word report's pages (by resolution)."""

    def __init__(self, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.log = folder / "drawn.log"
        self.log.touch()
        real_run = process_module.run
        real_process = diagrams_module.process_dot
        real_comparison = diagrams_module.comparison_dot

        def run(command, **kwargs):  # type: ignore[no-untyped-def]
            self._write(f"run {Path(command[0]).name}")
            return real_run(command, **kwargs)

        def process_dot(model: bpr.Model) -> str:
            self._write(f"swimlane {model.service}/{model.variant}")
            return real_process(model)

        def comparison_dot(as_is: bpr.Model, to_be: bpr.Model, **kwargs):  # type: ignore[no-untyped-def]
            self._write(f"comparison {as_is.service}/{as_is.variant}->{to_be.variant}")
            return real_comparison(as_is, to_be, **kwargs)

        real_png = diagrams_module.svg_png

        def svg_png(svg: bytes, dpi: float = diagrams_module.PRINT_DPI) -> bytes:
            self._write(f"png {dpi:g}")
            return real_png(svg, dpi)

        monkeypatch.setattr(process_module, "run", run)
        monkeypatch.setattr(diagrams_module, "svg_png", svg_png)
        monkeypatch.setattr(diagrams_module, "process_dot", process_dot)
        monkeypatch.setattr(diagrams_module, "comparison_dot", comparison_dot)

    def _write(self, line: str) -> None:
        with self.log.open("a", encoding="utf-8") as stream:  # one line, one write: atomic
            stream.write(f"{os.getpid()} {line}\n")

    def take(self) -> list[str]:
        """What was drawn since the last call (without the process ids)."""
        lines = [line.split(" ", 1)[1] for line in self.log.read_text().splitlines()]
        self.log.write_text("")
        return lines

    def diagrams(self) -> set[str]:
        return {line for line in self.take() if not line.startswith("run ")}


@pytest.fixture
def drawn(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Drawn:
    return Drawn(tmp_path, monkeypatch)


EVERY_DIAGRAM = {
    "swimlane alpha/as-is",
    "swimlane alpha/to-be",
    "swimlane alpha/to-be-2030",
    "swimlane beta/as-is",
    "swimlane beta/to-be",
    "swimlane gamma/as-is",
    "comparison alpha/as-is->to-be",
    "comparison alpha/as-is->to-be-2030",
    "comparison beta/as-is->to-be",
}


def _html(paths: list[Path], tmp_path: Path, name: str, **options: object) -> bytes:
    out = tmp_path / name
    write_report(paths, out, **options)  # type: ignore[arg-type]
    return out.read_bytes()


def test_a_second_report_of_the_same_portfolio_runs_no_graphviz(
    portfolio: Path, drawn: Drawn, tmp_path: Path
) -> None:
    first = _html([portfolio], tmp_path, "first.html")
    runs = drawn.take()
    assert set(runs) >= EVERY_DIAGRAM and "run neato" in runs
    again = _html([portfolio], tmp_path, "again.html")
    assert drawn.take() == []  # not one Graphviz program, not one layout
    assert again == first
    assert any(cache_folder().rglob("*")), "the entries are under $XDG_CACHE_HOME/bpr"
    assert str(cache_folder()).startswith(os.environ["XDG_CACHE_HOME"])


def test_the_diagrams_are_drawn_by_worker_processes(
    portfolio: Path, drawn: Drawn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BPR_JOBS", "2")
    graphviz_version()  # asked here, once a process, for the cache's key: not a drawing
    drawn.take()
    _html([portfolio], tmp_path, "report.html")
    pids = {line.split(" ", 1)[0] for line in drawn.log.read_text().splitlines()}
    assert str(os.getpid()) not in pids and len(pids) == 2


def _word_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n.startswith("word/")}


def test_a_second_word_report_draws_no_png_and_the_workers_drew_them(
    portfolio: Path, drawn: Drawn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BPR_JOBS", "2")
    write_report([portfolio], tmp_path / "first.docx")
    first = _word_parts(tmp_path / "first.docx")
    lines = drawn.log.read_text().splitlines()
    pngs = [line.split(" ") for line in lines if " png " in line]
    pages = [n for n in first if n.startswith("word/media/") and n.endswith(".svg")]
    captions = first["word/document.xml"].count(b"SEQ Figure")
    # a PNG at 220 dpi for each page, a 36 dpi sketch for each drawing's first page (the
    # portfolio has no programme file, so every figure is a drawing)
    assert sorted(dpi for _pid, _png, dpi in pngs) == ["220"] * len(pages) + ["36"] * captions
    assert len(pages) >= captions == 4  # alpha's two comparisons, beta's one, gamma's variant
    assert str(os.getpid()) not in {pid for pid, _png, _dpi in pngs}  # drawn by the workers
    drawn.take()
    write_report([portfolio], tmp_path / "second.docx")
    assert drawn.take() == []  # not one Graphviz run, layout or PNG
    assert _word_parts(tmp_path / "second.docx") == first
    model = portfolio / "beta" / "to-be.yaml"
    model.write_text(model.read_text().replace("\nname: ", "\nname: Edited ", 1))
    write_report([portfolio], tmp_path / "edited.docx")
    assert drawn.take().count("png 36") == 1  # beta's comparison alone is drawn again


def test_editing_one_model_redraws_only_its_diagrams(
    portfolio: Path, drawn: Drawn, tmp_path: Path
) -> None:
    _html([portfolio], tmp_path, "first.html")
    drawn.take()
    model = portfolio / "beta" / "to-be.yaml"
    text = model.read_text()
    assert "\nname: " in text
    model.write_text(text.replace("\nname: ", "\nname: Edited ", 1))
    edited = _html([portfolio], tmp_path, "edited.html")
    assert drawn.diagrams() == {"swimlane beta/to-be", "comparison beta/as-is->to-be"}
    uncached = _html([portfolio], tmp_path, "uncached.html", cache=False)
    assert edited == uncached


def test_a_comment_or_a_moved_file_draws_nothing_again(
    portfolio: Path, drawn: Drawn, tmp_path: Path
) -> None:
    _html([portfolio], tmp_path, "first.html")
    drawn.take()
    model = portfolio / "gamma" / "as-is.yaml"
    model.write_text("# reviewed by the ministry\n" + model.read_text())
    moved = tmp_path / "elsewhere"
    shutil.move(portfolio, moved)
    _html([moved], tmp_path, "second.html")
    assert drawn.diagrams() == set()


def test_another_language_misses_the_cache(portfolio: Path, drawn: Drawn) -> None:
    with use("en"):
        english = render_report(collect([portfolio]), "html")[0]
    drawn.take()
    with use("ru"):
        russian = render_report(collect([portfolio]), "html")[0]
        assert drawn.diagrams() == EVERY_DIAGRAM
        assert render_report(collect([portfolio]), "html")[0] == russian
        assert drawn.take() == []
    assert "Начало" in str(russian) and "Начало" not in str(english)


def test_other_drawing_options_miss_the_cache(portfolio: Path, drawn: Drawn) -> None:
    services = collect([portfolio]).services
    a4 = list(diagrams_module.diagrams_in_order(services, page="A4"))
    assert "run neato" in drawn.take()
    assert list(diagrams_module.diagrams_in_order(services, page="A4")) == a4
    assert drawn.take() == []
    a3 = list(diagrams_module.diagrams_in_order(services, page="A3"))
    landscape = list(
        diagrams_module.diagrams_in_order(services, page="A4", orientation="landscape")
    )
    assert drawn.take() and a3 != a4 and landscape != a4


def test_another_graphviz_version_misses_the_cache(
    portfolio: Path, drawn: Drawn, monkeypatch: pytest.MonkeyPatch
) -> None:
    render_report(collect([portfolio]), "html")
    drawn.take()
    cache_module = importlib.import_module("bpr.report.cache")
    monkeypatch.setattr(cache_module, "graphviz_version", lambda: "99.0.0")
    render_report(collect([portfolio]), "html")
    assert drawn.diagrams() == EVERY_DIAGRAM


def test_a_truncated_or_damaged_entry_is_drawn_again(
    portfolio: Path, drawn: Drawn, tmp_path: Path
) -> None:
    first = _html([portfolio], tmp_path, "first.html")
    drawn.take()
    entries = sorted(p for p in cache_folder().rglob("*") if p.is_file())
    assert len(entries) >= len(EVERY_DIAGRAM)
    for n, entry in enumerate(entries):
        data = entry.read_bytes()
        if n % 3 == 0:
            entry.write_bytes(data[: len(data) // 2])  # truncated
        elif n % 3 == 1:
            entry.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # one bit flipped
        else:
            entry.write_bytes(b"")
    again = _html([portfolio], tmp_path, "again.html")
    assert drawn.diagrams() == EVERY_DIAGRAM
    assert again == first
    _html([portfolio], tmp_path, "third.html")
    assert drawn.take() == []  # drawn again and kept again


def test_output_is_the_same_with_and_without_the_cache_and_in_parallel_or_not(
    portfolio: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BPR_JOBS", "1")
    serial = _html([portfolio], tmp_path, "serial.html", cache=False)
    monkeypatch.setenv("BPR_JOBS", "3")
    parallel = _html([portfolio], tmp_path, "parallel.html", cache=False)
    cold = _html([portfolio], tmp_path, "cold.html")
    warm = _html([portfolio], tmp_path, "warm.html")
    assert serial == parallel == cold == warm
    md = tmp_path / "guide.md"
    write_report([portfolio], md)
    svgs = {p.name: p.read_bytes() for p in (tmp_path / "guide_files").glob("*.svg")}
    write_report([portfolio], md, cache=False)
    assert {p.name: p.read_bytes() for p in (tmp_path / "guide_files").glob("*.svg")} == svgs


def test_bpr_no_cache_draws_everything_and_keeps_nothing(
    portfolio: Path, drawn: Drawn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BPR_NO_CACHE", "1")
    _html([portfolio], tmp_path, "one.html")
    assert drawn.diagrams() == EVERY_DIAGRAM
    _html([portfolio], tmp_path, "two.html")
    assert drawn.diagrams() == EVERY_DIAGRAM
    assert not cache_folder().exists()


def test_the_no_cache_option_draws_everything_again(
    portfolio: Path, drawn: Drawn, tmp_path: Path, run_bpr
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "report.html"
    assert run_bpr("report", portfolio, "-o", out, "--no-progress").exit_code == 0
    drawn.take()
    assert run_bpr("report", portfolio, "-o", out, "--no-progress").exit_code == 0
    assert drawn.take() == []
    result = run_bpr("report", portfolio, "-o", out, "--no-progress", "--no-cache")
    assert result.exit_code == 0 and drawn.diagrams() == EVERY_DIAGRAM


def test_the_cache_keeps_to_its_size(
    portfolio: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BPR_CACHE_SIZE", "0.05")  # MiB: fewer than the portfolio's diagrams
    _html([portfolio], tmp_path, "report.html")
    sizes = [p.stat().st_size for p in cache_folder().rglob("*") if p.is_file()]
    assert sizes and sum(sizes) <= 0.05 * 2**20


def test_entries_are_whole_or_absent(tmp_path: Path) -> None:
    cache = DiagramCache(tmp_path / "c", limit=10**6)
    key = cache.key("swimlane", ["f"], [], "en")
    cache.put(key, {"caption": "Т"}, [b"<svg/>", b"", b"\x89PNG"])
    assert cache.get(key) == ({"caption": "Т"}, [b"<svg/>", b"", b"\x89PNG"])
    assert cache.key("swimlane", ["f"], [], "ru") != key
    entry = next(p for p in (tmp_path / "c").rglob("*") if p.is_file())
    entry.write_bytes(entry.read_bytes() + b"x")  # longer than written: not the entry
    assert cache.get(key) is None and not entry.exists()
    assert not [p for p in (tmp_path / "c").rglob(".*")], "no temporary file is left"


def test_a_cache_that_cannot_be_written_leaves_the_report_whole(
    portfolio: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache would go")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    report = _html([portfolio], tmp_path, "report.html")
    monkeypatch.setenv("BPR_NO_CACHE", "1")
    assert _html([portfolio], tmp_path, "plain.html") == report


def test_the_fingerprint_is_the_content_not_the_file() -> None:
    text = (DATA / "report" / "portfolio" / "gamma" / "as-is.yaml").read_text()
    model = bpr.loads(text)
    assert model_fingerprint(model) == model_fingerprint(bpr.loads("# note\n" + text))
    renamed = bpr.loads(text.replace("service: gamma", "service: delta"))
    assert model_fingerprint(renamed) != model_fingerprint(model)
    russian = bpr.loads(text + "language: ru\n")
    assert model_fingerprint(russian) != model_fingerprint(model)


def test_an_inlined_diagram_from_the_cache_is_the_one_cleaned_afresh(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model = bpr.loads((PORTFOLIO / "gamma" / "as-is.yaml").read_text())
    svg = diagrams_module.swimlane_svg(model)
    for label in ("", "A & B <c> \"q\" 's'\nnext\tline", "Ариза"):
        kept = [diagrams_module.inline_svg(svg, "s0-v1", label) for _ in range(2)]
        monkeypatch.setenv("BPR_NO_CACHE", "1")
        fresh = diagrams_module.inline_svg(svg, "s0-v1", label)
        monkeypatch.delenv("BPR_NO_CACHE")
        assert kept == [fresh, fresh]


def test_a_rebuild_with_the_last_build_s_memo_reads_only_the_changed_file(
    portfolio: Path, drawn: Drawn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bpr.authoring import rebuild
    from bpr.report import Collected

    collect_module = importlib.import_module("bpr.report.collect")
    calls: list[str] = []
    for name in ("load", "lint", "compare"):
        real = getattr(collect_module, name)

        def counted(*args, _real=real, _name=name, **kwargs):  # type: ignore[no-untyped-def]
            first = args[0]
            calls.append(f"{_name} {getattr(first, 'service', Path(str(first)).parent.name)}")
            return _real(*args, **kwargs)

        monkeypatch.setattr(collect_module, name, counted)
    memo = Collected()
    out = tmp_path / "preview.html"
    assert rebuild([portfolio], out, memo=memo).ok
    assert sorted(calls).count("load alpha") == 3 and "compare beta" in calls
    calls.clear()
    drawn.take()
    model = portfolio / "beta" / "as-is.yaml"
    model.write_text(model.read_text().replace("\nname: ", "\nname: Edited ", 1))
    assert rebuild([portfolio], out, memo=memo).ok
    assert sorted(calls) == ["compare beta", "lint beta", "load beta"]
    assert drawn.diagrams() == {"swimlane beta/as-is", "comparison beta/as-is->to-be"}
    assert out.read_bytes() == _html([portfolio], tmp_path, "fresh.html", cache=False)
    (portfolio / "gamma" / "as-is.yaml").unlink()
    calls.clear()
    assert rebuild([portfolio], out, memo=memo).ok
    assert calls == [] and not [name for name in memo.files if "gamma" in name]


def test_docstring_examples_of_the_cache() -> None:
    import doctest

    module = importlib.import_module("bpr.report.cache")
    assert doctest.testmod(module, optionflags=doctest.ELLIPSIS).failed == 0
