"""The PDF report, printed by the headless Chromium that scripts/setup.sh installs, measured
with poppler's pdfinfo, pdftotext -bbox and pdftoppm.

Word sizes: ``pdftotext -bbox`` gives each word's box, which is the font's ascent plus descent
high, not its point size; the ratio is measured on a calibration page in the same font, so
the sizes compared with 7 pt are point sizes.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import bpr
from bpr.backend import chromium, process
from bpr.report import collect, write_report
from tests.conftest import DATA, MODELS

PORTFOLIO = DATA / "report" / "portfolio"
#: The smallest printed text a reader of a ministry's note can be asked to read.
SMALLEST = 7.0


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed: apt-get install -y poppler-utils")
    return found


def _needs_chromium() -> None:
    try:
        chromium.find_chromium()
    except bpr.ExecutableNotFound:
        pytest.fail("chromium is not installed: scripts/setup.sh installs the package 'chromium'")


def pages_of(pdf: Path) -> tuple[int, tuple[float, float]]:
    info = subprocess.run(
        [_program("pdfinfo"), str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert size is not None
    return pages, (float(size.group(1)), float(size.group(2)))


def words(pdf: Path) -> list[list[tuple[float, str]]]:
    """Each page's words with the height of their boxes (points)."""
    out = subprocess.run(
        [_program("pdftotext"), "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = []
    for page in out.split("<page ")[1:]:
        pages.append(
            [
                (float(m.group(2)) - float(m.group(1)), m.group(3))
                for m in re.finditer(
                    r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<',
                    page,
                )
            ]
        )
    return pages


def page_texts(pdf: Path, pages: int) -> list[str]:
    return [
        subprocess.run(
            [_program("pdftotext"), "-f", str(n), "-l", str(n), str(pdf), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for n in range(1, pages + 1)
    ]


def ink_spans(pdf: Path, folder: Path) -> list[float]:
    """The share of each page's height between its first and last inked pixel row."""
    subprocess.run(
        [_program("pdftoppm"), "-gray", "-r", "20", str(pdf), str(folder / "p")], check=True
    )
    spans = []
    for image in sorted(folder.glob("p-*.pgm")):
        data = image.read_bytes()
        header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
        assert header is not None
        width, height = int(header.group(1)), int(header.group(2))
        pixels = data[header.end() :]
        inked = [y for y in range(height) if min(pixels[y * width : (y + 1) * width]) < 200]
        spans.append((inked[-1] - inked[0]) / height if inked else 0.0)
    return spans


#: The fonts of the report's text (system-ui resolves to it on Debian) and of its drawings.
TEXT_FONT = "system-ui, 'Noto Sans', sans-serif"
DRAWING_FONT = "'DejaVu Sans'"
RUNNING_HEAD = re.compile(r"· page \d+ of \d+")


@pytest.fixture(scope="module")
def box_per_point(tmp_path_factory: pytest.TempPathFactory) -> dict[str, float]:
    """How many points high pdftotext's box of a word is per point of font size, for the
    text font and the drawings' font (their ascent and descent differ)."""
    _needs_chromium()
    folder = tmp_path_factory.mktemp("calibration")
    ratios = {}
    for name, font in (("text", TEXT_FONT), ("drawing", DRAWING_FONT)):
        page = folder / f"{name}.html"
        page.write_text(
            f'<!DOCTYPE html><html><body style="font: 20pt {font}">'
            "<p>Calibration words</p></body></html>",
            encoding="utf-8",
        )
        pdf = chromium.print_to_pdf(page, folder / f"{name}.pdf")
        ratios[name] = max(h for page_words in words(pdf) for h, _ in page_words) / 20
    return ratios


def smallest_word(pdf: Path, ratios: dict[str, float]) -> tuple[float, str, int]:
    """The smallest word of the PDF in points, what it says and its page: pages of a
    drawing (with its running head) in the drawings' font, the others in the text font."""
    pages = pages_of(pdf)[0]
    texts = page_texts(pdf, pages)
    sizes = []
    for n, (page, text) in enumerate(zip(words(pdf), texts, strict=True), start=1):
        ratio = ratios["drawing" if RUNNING_HEAD.search(text) else "text"]
        sizes += [(height / ratio, word, n) for height, word in page]
    return min(sizes)


@pytest.fixture(scope="module")
def small_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _needs_chromium()
    out = tmp_path_factory.mktemp("pdf") / "portfolio.pdf"
    write_report([PORTFOLIO], out)
    return out


def test_the_pdf_is_a4_landscape_and_each_service_starts_a_page(small_pdf: Path) -> None:
    assert small_pdf.read_bytes().startswith(b"%PDF-")
    pages, size = pages_of(small_pdf)
    assert size == pytest.approx((841.9, 595.0), abs=1)
    texts = page_texts(small_pdf, pages)
    starts = {}
    for number, text in enumerate(texts, start=1):
        first = text.strip().splitlines()[0] if text.strip() else ""
        starts.setdefault(first, number)
    assert starts["Process redesign portfolio"] == 1
    services = [starts.get(title) for title in ("Alpha permit", "Beta benefit", "gamma")]
    assert all(services) and services == sorted(services), starts  # type: ignore[type-var]


def test_no_page_is_left_nearly_empty(small_pdf: Path, tmp_path: Path) -> None:
    """Only the last page of a service (the next starts a new page) or of a drawing may be
    short."""
    pages, _ = pages_of(small_pdf)
    texts = page_texts(small_pdf, pages)
    starts = {
        n
        for n, text in enumerate(texts, start=1)
        if text.strip().splitlines()[:1] in (["Alpha permit"], ["Beta benefit"], ["gamma"])
    }
    # the last page of a page-fit drawing (its running head says "page 3 of 3") may hold
    # only the tail of its step table: bpr.render.page decides how a drawing fills its pages
    last_of_a_drawing = {
        n
        for n, text in enumerate(texts, start=1)
        if (m := re.search(r"page (\d+) of (\d+)", text)) and m.group(1) == m.group(2)
    }
    last_of_a_part = {n - 1 for n in starts} | {pages} | last_of_a_drawing
    spans = ink_spans(small_pdf, tmp_path)
    assert len(spans) == pages
    short = [n for n, span in enumerate(spans, start=1) if span < 0.25]
    assert set(short) <= last_of_a_part, f"pages {short} are nearly empty"


def test_every_word_prints_at_7_pt_or_more(
    small_pdf: Path, box_per_point: dict[str, float], tmp_path: Path
) -> None:
    """Tables, headings and the page-fit drawings alike (issue 11), on the test portfolio
    and on the largest shipped service."""
    size, word, page = smallest_word(small_pdf, box_per_point)
    assert size >= SMALLEST - 0.1, f"'{word}' on page {page}: {size:.1f} pt"
    out = tmp_path / "property.pdf"
    write_report([MODELS / "property-registration"], out)
    size, word, page = smallest_word(out, box_per_point)
    assert size >= SMALLEST - 0.1, f"'{word}' on page {page}: {size:.1f} pt"


def test_every_diagram_fits_its_page(small_pdf: Path, tmp_path: Path) -> None:
    """No drawing is cut at a page's edge: every word of every page lies inside that page."""
    out = subprocess.run(
        [_program("pdftotext"), "-bbox", str(small_pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pages = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', out, re.S)
    assert pages
    for width, height, body in pages:
        boxes = re.findall(r'xMax="([\d.]+)" yMax="([\d.]+)"', body)
        assert all(float(x) <= float(width) and float(y) <= float(height) for x, y in boxes)
    labels = set(re.findall(r">([^<]+)</word>", out))
    assert {"Fetch", "certificate", "Decide"} <= labels  # the diagrams' words are in the PDF


def test_a_missing_chromium_is_a_clear_error_naming_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("BPR_CHROMIUM", raising=False)
    out = tmp_path / "x.pdf"
    with pytest.raises(bpr.ExecutableNotFound, match="apt-get install chromium"):
        write_report([PORTFOLIO / "gamma"], out)
    assert not out.exists()


def test_the_command_line_writes_the_pdf(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _needs_chromium()
    out = tmp_path / "note.pdf"
    result = run_bpr("report", PORTFOLIO / "gamma", "-o", out)
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF-")
    assert "note.pdf: 1 service from 1 model file" in result.stderr + result.stdout


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def test_a_print_that_takes_too_long_is_stopped_with_its_browser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _needs_chromium()
    started: list[int] = []
    real = process.subprocess.Popen

    def spy(*args: object, **kwargs: object) -> object:
        process = real(*args, **kwargs)  # type: ignore[call-overload]
        started.append(process.pid)
        return process

    monkeypatch.setattr(process.subprocess, "Popen", spy)
    page = tmp_path / "page.html"
    page.write_text("<p>x</p>", encoding="utf-8")
    with pytest.raises(bpr.OutputError, match="took more than"):
        chromium.print_to_pdf(page, tmp_path / "page.pdf", timeout=0.05)
    assert started
    deadline = time.monotonic() + 5
    while _group_alive(started[0]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _group_alive(started[0]), "the browser outlived its print"
    assert not process._running


@pytest.fixture(scope="module")
def shipped_pdf(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    _needs_chromium()
    out = tmp_path_factory.mktemp("shipped") / "models.pdf"
    write_report([MODELS], out)
    yield out


#: The printed portfolio of the shipped models (6 services, 12 files) at most: 168 A4 pages
#: before issue 11's print work (each variant drawn again after its comparison, every lane
#: on every band, remnant bands; and every page shrunk to 89 % to fit the portfolio table,
#: so that 7 pt badges printed at 6.2 pt), 87 after it.
SHIPPED_PAGES = 88


def test_the_shipped_portfolio_prints_short_with_every_word_at_7_pt(
    shipped_pdf: Path, box_per_point: dict[str, float], tmp_path: Path
) -> None:
    """As short as a ministry expects: a bound on the pages, no word under 7 pt, and no page
    of a drawing nearly empty but its last (a band that would fit beside the others)."""
    pages, _ = pages_of(shipped_pdf)
    assert pages <= SHIPPED_PAGES
    size, word, page = smallest_word(shipped_pdf, box_per_point)
    assert size >= SMALLEST - 0.1, f"'{word}' on page {page}: {size:.1f} pt"
    texts = page_texts(shipped_pdf, pages)
    spans = ink_spans(shipped_pdf, tmp_path)
    for number, (text, span) in enumerate(zip(texts, spans, strict=True), start=1):
        head = re.search(r"page (\d+) of (\d+)", text)
        if head and head.group(1) != head.group(2):
            assert span >= 0.4, f"page {number} (a drawing's) is {span:.0%} full"


def test_a_compared_variant_is_not_drawn_again_in_print(shipped_pdf: Path) -> None:
    """Every shipped service is one compared pair: its comparison is its only drawing (the
    variants' own drawings repeated the same bands and step tables)."""
    pages, _ = pages_of(shipped_pdf)
    heads = [RUNNING_HEAD.search(t) for t in page_texts(shipped_pdf, pages)]
    firsts = [
        t.strip().splitlines()[0]
        for t, head in zip(page_texts(shipped_pdf, pages), heads, strict=True)
        if head and "· page 1 of" in t
    ]
    services = collect([MODELS]).services
    assert len(firsts) == len(services), firsts
    assert all("→" in first for first in firsts), firsts


def test_the_shipped_portfolio_prints_every_service_on_a4(shipped_pdf: Path) -> None:
    pages, size = pages_of(shipped_pdf)
    assert size == pytest.approx((841.9, 595.0), abs=1)
    services = collect([MODELS]).services
    texts = page_texts(shipped_pdf, pages)
    firsts = [t.strip().splitlines()[0] for t in texts if t.strip()]
    assert all(s.title in firsts for s in services)


def _members(pgid: int) -> list[int]:
    """The live (not zombie) processes of a process group, read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_ends_the_browser_with_the_command(tmp_path: Path, signum: int) -> None:
    """A browser that hangs (a stand-in that starts a helper and sleeps) is ended, helpers
    and all, when the command gets SIGTERM or Ctrl-C, and no PDF is left."""
    started = tmp_path / "browser.pid"
    fake = tmp_path / "fake-chromium"
    fake.write_text(f"#!/bin/sh\necho $$ > {started}\nsleep 300 &\nsleep 300\n", encoding="utf-8")
    fake.chmod(0o755)
    out = tmp_path / "note.pdf"
    command = [sys.executable, "-m", "bpr", "report", str(PORTFOLIO / "gamma"), "-o", str(out)]
    process = subprocess.Popen(
        command,
        env={**os.environ, "BPR_CHROMIUM": str(fake)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not (started.exists() and started.read_text().strip()):
            assert time.monotonic() < deadline and process.poll() is None, process.stderr
            time.sleep(0.05)
        browser = int(started.read_text())
        # generous waits: they only run out when something is wrong, and a loaded machine
        # (the suite shares two cores) can take seconds to start a shell's children
        deadline = time.monotonic() + 60
        while len(_members(browser)) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)  # the helper has started
        assert len(_members(browser)) == 3  # the shell and its two sleeps
        process.send_signal(signum)
        process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode != 0
    deadline = time.monotonic() + 60
    while _members(browser) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _members(browser) == [], "the browser outlived the command"
    assert not out.exists() and not list(tmp_path.glob("*.tmp*"))


def test_the_page_and_orientation_are_chosen_on_the_command_line(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _needs_chromium()
    out = tmp_path / "a3.pdf"
    result = run_bpr("report", PORTFOLIO / "beta", "-o", out, "--page", "A3", "--portrait")
    assert result.exit_code == 0, result.stderr
    info = subprocess.run(
        [_program("pdfinfo"), "-f", "1", "-l", "100", str(out)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    sizes = set(re.findall(r"size:\s+([\d.]+) x ([\d.]+) pts", info))
    assert sizes == {("841.92", "1191.12")}  # every page A3 upright, text and drawings
    wrong = run_bpr("report", PORTFOLIO / "beta", "-o", tmp_path / "x.html", "--page", "A3")
    assert wrong.exit_code == 2 and "for printed reports" in wrong.stderr
