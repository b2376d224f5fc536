"""The HTML report in a real headless browser (Debian's chromium, installed by scripts/setup.sh).

Chromium is driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``: it reads
JSON commands on file descriptor 3 and writes replies and events on 4, each message ended by a
NUL byte), so no port, websocket library or driver is needed. The page is loaded from a
``file://`` URL; every console error, uncaught exception, failed request, blocked script
(Content-Security-Policy) or dialog (``alert``) is recorded and fails the test.

The tests fail, not skip, where chromium is missing: the project's setup installs it.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import select
import shutil
import struct
import subprocess
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bpr.report import write_report
from tests.conftest import DATA, MODELS

pytestmark = pytest.mark.browser

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
TIMEOUT = 60.0


def chromium() -> str:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(
        "chromium is not installed: the browser tests need it (scripts/setup.sh installs the "
        "Debian package 'chromium')"
    )


class Browser:
    """A headless chromium and one page, spoken to over the DevTools pipe."""

    def __init__(self, profile: Path) -> None:
        self._log = (profile / "chromium.log").open("wb")
        commands_read, self._commands = os.pipe()
        self._replies, replies_write = os.pipe()

        def child_fds() -> None:  # in the child: the protocol's descriptors are 3 and 4
            os.dup2(commands_read, 3)
            os.dup2(replies_write, 4)

        self.process = subprocess.Popen(
            [
                chromium(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--no-default-browser-check",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._log,
            preexec_fn=child_fds,
            close_fds=False,  # closing would happen after child_fds and take 3 and 4 away
        )
        os.close(commands_read)
        os.close(replies_write)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        self.session = ""

    def close(self) -> None:
        # the browser may already be gone; it is killed below anyway
        with contextlib.suppress(Exception):
            self.call("Browser.close", timeout=5)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._commands)
        os.close(self._replies)
        self._log.close()

    def _messages(self, deadline: float) -> Iterator[dict[str, Any]]:
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                yield json.loads(raw)
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("chromium did not answer in time")
            ready, _, _ = select.select([self._replies], [], [], left)
            if ready:
                chunk = os.read(self._replies, 1 << 20)
                if not chunk:
                    log = Path(self._log.name).read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"chromium closed the DevTools pipe; its log ends:\n{log}")
                self._buffer += chunk

    def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        timeout: float = TIMEOUT,
        page: bool = True,
    ) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if page and self.session:
            message["sessionId"] = self.session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        for reply in self._messages(time.monotonic() + timeout):
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
            self.events.append(reply)
        raise AssertionError("unreachable")

    def wait_for(self, event: str, timeout: float = TIMEOUT) -> dict[str, Any]:
        for seen in self.events:
            if seen.get("method") == event:
                return seen
        for message in self._messages(time.monotonic() + timeout):
            self.events.append(message)
            if message.get("method") == event:
                return message
        raise AssertionError("unreachable")

    def open(self, url: str, width: int = 1280, height: int = 900) -> None:
        target = self.call("Target.createTarget", {"url": "about:blank"}, page=False)["targetId"]
        attached = self.call(
            "Target.attachToTarget", {"targetId": target, "flatten": True}, page=False
        )
        self.session = attached["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        self.call("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def problems(self) -> list[str]:
        """Console errors, uncaught exceptions, failed loads and dialogs seen so far."""
        self.evaluate("1")  # drain the events that arrived meanwhile
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(f"exception: {params['exceptionDetails'].get('text')}")
            elif method == "Runtime.consoleAPICalled" and params.get("type") in (
                "error",
                "assert",
                "warning",
            ):
                found.append(f"console.{params['type']}: {params.get('args')}")
            elif method == "Log.entryAdded" and params["entry"].get("level") in (
                "error",
                "warning",
            ):
                found.append(f"log: {params['entry'].get('text')}")
            elif method == "Network.loadingFailed":
                found.append(f"failed to load: {params.get('errorText')}")
            elif method == "Page.javascriptDialogOpening":
                found.append(f"dialog: {params.get('message')}")
        return found

    def requests(self) -> list[str]:
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent"
        ]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A portfolio report: the shipped models, the test portfolio, a broken and a hostile model.

    The broken model sits in a folder with a long unbreakable name, as a user's path can be
    anywhere: its warning names the file and must still fit a phone's width.
    """
    out = tmp_path_factory.mktemp("browser") / "portfolio.html"
    report_dir = DATA / "report"
    broken = tmp_path_factory.mktemp("paths") / ("Ministry_of_Justice_" * 6 + "models")
    shutil.copytree(report_dir / "broken", broken)
    paths = [MODELS, report_dir / "portfolio", broken, report_dir / "hostile"]
    write_report(paths, out)
    return out


@pytest.fixture(scope="module")
def browser(report: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    chrome = Browser(tmp_path_factory.mktemp("profile"))
    try:
        chrome.open(report.as_uri())
        yield chrome
    finally:
        chrome.close()


def test_the_page_loads_with_no_errors_and_fetches_nothing(browser: Browser, report: Path) -> None:
    assert browser.problems() == []
    assert browser.requests() == [report.as_uri()]


def test_every_service_is_shown_and_linked_from_the_portfolio(browser: Browser) -> None:
    sections = browser.evaluate(
        "Array.from(document.querySelectorAll('section.service')).map(s => s.id)"
    )
    expected = [f"service-{p.name}" for p in sorted(MODELS.iterdir()) if p.is_dir()]
    expected += ["service-alpha", "service-beta", "service-gamma", "service-hostile"]
    assert sorted(sections) == sorted(expected)
    links = browser.evaluate(
        "Array.from(document.querySelectorAll('#portfolio tbody a')).map(a => a.hash.slice(1))"
    )
    assert sorted(links) == sorted(expected)
    visible = browser.evaluate(
        "Array.from(document.querySelectorAll('section.service h2'))"
        ".every(h => h.getBoundingClientRect().height > 0)"
    )
    assert visible is True
    diagrams = browser.evaluate(
        "Array.from(document.querySelectorAll('figure svg'))"
        ".filter(s => s.getBoundingClientRect().width > 100).length"
    )
    assert diagrams >= 2 * len(expected)  # at least a swimlane per variant


def test_hostile_text_shows_as_text_and_runs_nothing(browser: Browser) -> None:
    text = browser.evaluate("document.body.innerText")
    assert "<script>alert(1)</script>" in text
    assert "<img src=x onerror=alert(2)>" in text
    assert browser.evaluate("document.querySelectorAll('script').length") == 1
    assert browser.evaluate("document.querySelectorAll('body img').length") == 0
    assert not [p for p in browser.problems() if p.startswith("dialog")]


def test_the_portfolio_sorts_by_a_column(browser: Browser) -> None:
    def first_column() -> list[str]:
        return list(
            browser.evaluate(
                "Array.from(document.querySelectorAll('#portfolio tbody tr'))"
                ".map(r => r.cells[0].textContent)"
            )
        )

    def steps_as_is() -> list[float]:
        return [
            float(v)
            for v in browser.evaluate(
                "Array.from(document.querySelectorAll('#portfolio tbody tr'))"
                ".map(r => r.cells[1].getAttribute('data-sort'))"
            )
        ]

    button = "document.querySelector('#portfolio th[data-column=\"1\"] button')"
    browser.evaluate(f"{button}.click()")
    ascending = steps_as_is()
    assert ascending == sorted(ascending)
    browser.evaluate(f"{button}.click()")
    assert steps_as_is() == sorted(ascending, reverse=True)
    browser.evaluate("document.querySelector('#portfolio th[data-column=\"0\"] button').click()")
    names = first_column()
    assert names == sorted(names, key=str.lower) or names == sorted(names)
    assert browser.problems() == []


def _png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of raw RGB(A) bytes of an 8-bit PNG (enough for screenshots)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks, header = 8, b"", b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks += body
        position += 12 + length
    width, height, depth, color = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and color in (2, 6), "unexpected PNG kind"
    step = 3 if color == 2 else 4
    raw = zlib.decompress(chunks)
    stride = width * step
    rows: list[bytes] = []
    previous = bytearray(stride)
    offset = 0
    for _ in range(height):
        kind, line = raw[offset], bytearray(raw[offset + 1 : offset + 1 + stride])
        offset += 1 + stride
        for i in range(stride):
            left = line[i - step] if i >= step else 0
            up = previous[i]
            corner = previous[i - step] if i >= step else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                near = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + near) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, rows


def test_a_screenshot_is_not_blank(browser: Browser, tmp_path: Path) -> None:
    browser.evaluate("window.scrollTo(0, 0)")
    clip = {"x": 0, "y": 0, "width": 1280, "height": 900, "scale": 0.5}  # fewer pixels to decode
    shot = browser.call("Page.captureScreenshot", {"format": "png", "clip": clip})
    data = base64.b64decode(shot["data"])
    (tmp_path / "screenshot.png").write_bytes(data)
    width, height, rows = _png_pixels(data)
    assert (width, height) == (640, 450)
    background = rows[0][:3]
    inked = sum(
        1 for row in rows[::4] for x in range(0, len(row), 16) if row[x : x + 3] != background
    )
    sampled = (height // 4 + 1) * (len(rows[0]) // 16)
    assert inked / sampled > 0.03, "the screenshot is (nearly) blank"


def test_it_prints_to_pdf(browser: Browser) -> None:
    pdf = base64.b64decode(
        browser.call("Page.printToPDF", {"landscape": True, "printBackground": True})["data"]
    )
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
    assert pages >= 11  # each service starts a page, after the portfolio
    assert browser.problems() == []


def test_in_print_every_diagram_fits_on_one_page(browser: Browser) -> None:
    """A4 landscape with 12 mm margins leaves 186 mm: a taller diagram would be cut in two."""
    browser.call("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        heights = browser.evaluate(
            "Array.from(document.querySelectorAll('figure')).map(f => "
            "[f.querySelector('svg').getBoundingClientRect().height,"
            " f.getBoundingClientRect().height])"
        )
        millimetre = 96 / 25.4  # CSS pixels
        assert heights and all(svg > 50 for svg, _ in heights)  # drawn, not collapsed
        tallest = max(figure for _, figure in heights)
        assert tallest <= 186 * millimetre, f"a figure is {tallest / millimetre:.0f} mm tall"
    finally:
        browser.call("Emulation.setEmulatedMedia", {"media": ""})


def _viewport(browser: Browser, width: int, height: int = 900) -> None:
    browser.call(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )


def test_a_diagram_opens_full_size_pans_zooms_and_closes(browser: Browser) -> None:
    """Issue 11: the full-size view shows the diagram at its own size over the page."""
    figure = (
        "Array.from(document.querySelectorAll('figure.diagram')).find(f => "
        "f.querySelector('svg').getBoundingClientRect().width > 0 && "
        "parseFloat(f.querySelector('svg').getAttribute('width')) * 4 / 3 > 1400)"
    )
    browser.evaluate(f"window.__figure = {figure}; window.__figure.scrollIntoView()")
    small = browser.evaluate("window.__figure.querySelector('svg').getBoundingClientRect().width")
    natural = browser.evaluate(
        "parseFloat(window.__figure.querySelector('svg').getAttribute('width')) * 4 / 3"
    )
    assert small < natural  # fitted to the column on the page
    browser.evaluate("window.__figure.querySelector('button.zoom').click()")
    state = browser.evaluate(
        "(() => { const f = window.__figure, s = f.querySelector('svg'),"
        " r = f.getBoundingClientRect(), frame = f.querySelector('.frame');"
        " return [f.classList.contains('full'), s.getBoundingClientRect().width, r.width,"
        " r.height, frame.scrollWidth > frame.clientWidth,"
        " getComputedStyle(f).position]; })()"
    )
    full, width, figure_width, figure_height, pannable, position = state
    assert full and position == "fixed"
    assert width == pytest.approx(natural, rel=0.01)  # the diagram at its own size
    assert (figure_width, figure_height) == (1280, 900)  # over the whole window
    assert pannable
    browser.evaluate("window.__figure.querySelector('[data-zoom=\"in\"]').click()")
    zoomed = browser.evaluate("window.__figure.querySelector('svg').getBoundingClientRect().width")
    assert zoomed == pytest.approx(natural * 1.25, rel=0.01)
    browser.evaluate(
        "document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}))"
    )
    closed = browser.evaluate(
        "[window.__figure.classList.contains('full'),"
        " window.__figure.querySelector('svg').getBoundingClientRect().width]"
    )
    assert closed == [False, pytest.approx(small, rel=0.01)]
    assert browser.problems() == []


def test_the_report_uses_the_width_of_a_wide_screen(browser: Browser) -> None:
    _viewport(browser, 2560, 1200)
    try:
        widest = browser.evaluate(
            "Math.max(...Array.from(document.querySelectorAll('figure svg'))"
            ".map(s => s.getBoundingClientRect().width))"
        )
        assert widest > 2300  # no 1336 px column: the diagrams get the screen
    finally:
        _viewport(browser, 1280)


def test_at_400_px_only_a_table_s_own_box_scrolls_sideways(browser: Browser) -> None:
    _viewport(browser, 400, 800)
    try:
        page_width = browser.evaluate("document.documentElement.scrollWidth")
        assert page_width <= 400, f"the page scrolls sideways: {page_width} px wide"
        loose = browser.evaluate(
            "Array.from(document.querySelectorAll('table')).filter(t => "
            "t.getBoundingClientRect().width > 400 && !t.closest('.wide')).length"
        )
        assert loose == 0
        boxes = browser.evaluate(
            "Array.from(document.querySelectorAll('.wide'))"
            ".map(b => b.getBoundingClientRect().width)"
        )
        assert boxes and max(boxes) <= 400
    finally:
        _viewport(browser, 1280)
