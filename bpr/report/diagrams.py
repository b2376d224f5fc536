"""The diagrams of a report: SVG text from :mod:`bpr.render`, made safe to inline in HTML,
and PNG pictures fit to a printed page for the Word document."""

from __future__ import annotations

import importlib
import os
import re
from collections import deque
from collections.abc import Generator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from bpr.comparison import Comparison
from bpr.core.model import Model
from bpr.core.text import one_line, printable
from bpr.layout.content import BADGE_SIZE
from bpr.render import comparison_dot, convert, process_dot
from bpr.report.collect import Service

__all__ = [
    "Picture",
    "ServiceDiagrams",
    "ServicePictures",
    "comparison_svg",
    "diagrams_in_order",
    "fit_picture",
    "inline_svg",
    "pictures_in_order",
    "service_diagrams",
    "swimlane_svg",
]

_SVG = "http://www.w3.org/2000/svg"
_XLINK = "http://www.w3.org/1999/xlink"
# Elements that could run code or pull content from elsewhere once the SVG sits in the page.
_DROP = {"script", "foreignObject", "iframe", "object", "embed", "audio", "video", "image"}
_URL_REF = re.compile(r"url\(\s*(['\"]?)#([^)'\"]+)\1\s*\)")


def _svg(dot: str) -> str:
    return convert(dot, "svg").decode("utf-8")


def swimlane_svg(model: Model) -> str:
    """The SVG text of one variant's swimlane diagram."""
    return _svg(process_dot(model))


def comparison_svg(comparison: Comparison) -> str:
    """The SVG text of the diagram of a comparison: the As-Is above the To-Be, changes marked."""
    # one above the other: side by side, two swimlanes shrink to half a page's width
    c = comparison
    return _svg(comparison_dot(c.as_is, c.to_be, stacked=True, comparison=c))


@dataclass
class ServiceDiagrams:
    """The SVG text of a service's diagrams: one per pair (None for a pair that could not be
    compared), one per variant."""

    comparisons: list[str | None] = field(default_factory=list)
    swimlanes: list[str] = field(default_factory=list)


def service_diagrams(service: Service) -> ServiceDiagrams:
    """Every diagram of one service; pairs that could not be compared get none."""
    return ServiceDiagrams(
        [None if p.comparison is None else comparison_svg(p.comparison) for p in service.pairs],
        [swimlane_svg(variant.model) for variant in service.variants],
    )


def diagrams_in_order(
    services: Sequence[Service], workers: int | None = None
) -> Generator[ServiceDiagrams, None, None]:
    """The diagrams of each service in turn, drawn ahead by a few threads.

    Drawing waits on Graphviz processes much of the time, so threads overlap that wait with
    the next service's layout.
    """
    count = workers or min(4, (os.cpu_count() or 1) + 1)
    pool = ThreadPoolExecutor(max_workers=count, thread_name_prefix="bpr-diagram")
    try:
        pending = deque(pool.submit(service_diagrams, service) for service in services)
        while pending:  # popped once written: memory holds only the diagrams still to come
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


#: Pixels per inch of a picture at the size it is printed.
PRINT_DPI = 300
_SIZE = re.compile(rb'<svg[^>]*?\bwidth="([\d.]+)pt"[^>]*?\bheight="([\d.]+)pt"', re.S)


@dataclass(frozen=True)
class Picture:
    """A diagram as a PNG for a printed document, with the size it is to be shown at.

    ``width`` and ``height`` are in points (1/72 inch); ``scale`` is that size over the
    diagram's own (1 keeps Graphviz's 9 pt labels at 9 pt; 0.5 prints them at 4.5 pt).
    """

    png: bytes
    width: float
    height: float
    scale: float

    @property
    def smallest_text(self) -> float:
        """The printed size in points of the diagram's smallest text (its badges)."""
        return BADGE_SIZE * self.scale


def fit_picture(dot: str, box: tuple[float, float], dpi: int = PRINT_DPI) -> Picture:
    """Draw ``dot`` as a PNG that fits ``box`` (width, height in points) without growing,
    with ``dpi`` pixels per printed inch."""
    svg = convert(dot, "svg")
    found = _SIZE.search(svg[:4000])
    width, height = (float(found.group(1)), float(found.group(2))) if found else box
    scale = min(1.0, box[0] / width, box[1] / height) if width and height else 1.0
    png = convert(dot, "png", dpi=max(36.0, dpi * scale))
    return Picture(png, width * scale, height * scale, scale)


@dataclass
class ServicePictures:
    """A service's diagrams for print: one per pair (None where not compared), one per
    variant."""

    comparisons: list[Picture | None] = field(default_factory=list)
    swimlanes: list[Picture] = field(default_factory=list)


def service_pictures(service: Service, box: tuple[float, float]) -> ServicePictures:
    comparisons = [
        None
        if p.comparison is None
        else fit_picture(
            comparison_dot(
                p.comparison.as_is, p.comparison.to_be, stacked=True, comparison=p.comparison
            ),
            box,
        )
        for p in service.pairs
    ]
    return ServicePictures(
        comparisons, [fit_picture(process_dot(v.model), box) for v in service.variants]
    )


def pictures_in_order(
    services: Sequence[Service], box: tuple[float, float], workers: int | None = None
) -> Generator[ServicePictures, None, None]:
    """The print pictures of each service in turn, drawn ahead by a few threads, each fit to
    ``box`` (width, height in points)."""
    count = workers or min(4, (os.cpu_count() or 1) + 1)
    pool = ThreadPoolExecutor(max_workers=count, thread_name_prefix="bpr-picture")
    try:
        pending = deque(pool.submit(service_pictures, service, box) for service in services)
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def inline_svg(svg: str, prefix: str, label: str = "") -> str:
    """An SVG document made fit to sit inside an HTML page, next to other SVGs.

    Drops the XML declaration and doctype, scripts, event handlers and links out of the
    document; prefixes every ``id`` (and the references to it) so that two diagrams on one
    page cannot take each other's markers or gradients. Raises ValueError where ``svg`` is
    not well-formed.

    >>> inline_svg('<svg xmlns="http://www.w3.org/2000/svg"><g id="a" onclick="x()"/>'
    ...            '<use href="#a"/><script>alert(1)</script></svg>', "d1")
    '<svg xmlns="http://www.w3.org/2000/svg" role="img"><g id="d1-a"/><use href="#d1-a"/></svg>'
    """
    etree: Any = importlib.import_module("lxml.etree")  # lxml ships no type stubs
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
        huge_tree=True,
    )
    try:
        root = etree.fromstring(svg.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"the diagram is not well-formed SVG: {exc}") from None
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        if etree.QName(element).localname in _DROP:
            parent = element.getparent()
            if parent is not None:
                parent.remove(element)
    ids = {
        element.get("id"): f"{prefix}-{element.get('id')}"
        for element in root.iter()
        if isinstance(element.tag, str) and element.get("id")
    }

    def rename_urls(text: str) -> str:
        return _URL_REF.sub(
            lambda m: (
                f"url(#{ids.get(m.group(2), m.group(2))})" if m.group(2) in ids else m.group(0)
            ),
            text,
        )

    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.text:
            element.text = printable(element.text)
        if element.tail:
            element.tail = printable(element.tail)
        for name, value in list(element.attrib.items()):
            value = printable(value)
            element.set(name, value)
            local = etree.QName(name).localname
            if local.lower().startswith("on"):
                del element.attrib[name]
            elif local == "id":
                element.set(name, ids[value])
            elif local == "href":
                if value.startswith("#") and value[1:] in ids:
                    element.set(name, "#" + ids[value[1:]])
                elif not value.startswith(("#", "https://", "http://")):
                    del element.attrib[name]
            elif "url(" in value:
                element.set(name, rename_urls(value))
        if etree.QName(element).localname == "style" and element.text:
            element.text = rename_urls(element.text)
    root.set("role", "img")
    if label:
        root.set("aria-label", one_line(label))
    text: str = etree.tostring(root, encoding="unicode")
    return text
