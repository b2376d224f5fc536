"""The diagrams of a report: SVG text from :mod:`bpr.render`, made safe to inline in HTML,
and PNG pictures fit to a printed page for the Word document."""

from __future__ import annotations

import contextvars
import importlib
import os
import re
from collections import deque
from collections.abc import Generator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from bpr.comparison import Comparison
from bpr.core.i18n import domain
from bpr.core.model import Model
from bpr.core.text import one_line, printable
from bpr.render import comparison_dot, comparison_pages, convert, process_dot, process_pages
from bpr.report.collect import Service

__all__ = [
    "ServiceDiagrams",
    "Sheet",
    "SheetPictures",
    "comparison_svg",
    "diagrams_in_order",
    "inline_svg",
    "service_diagrams",
    "service_sheet_pictures",
    "service_sheets",
    "sheet_pictures_in_order",
    "swimlane_svg",
]

_, ngettext, pgettext = domain("report")

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


@dataclass(frozen=True)
class Sheet:
    """One drawing laid out for printed pages by :mod:`bpr.render.page`: each page's DOT
    text, the page size in points, and what the drawing shows."""

    caption: str
    pages: tuple[str, ...]
    size: tuple[float, float]


@dataclass
class ServiceDiagrams:
    """The SVG text of a service's diagrams: one per pair (None for a pair that could not be
    compared), one per variant; for print, the page-fit ``sheets`` instead."""

    comparisons: list[str | None] = field(default_factory=list)
    swimlanes: list[str] = field(default_factory=list)
    sheets: list[Sheet] = field(default_factory=list)


def service_sheets(
    service: Service, page: str = "A4", orientation: str | None = None
) -> list[Sheet]:
    """The service's comparisons and processes laid out on pages (every word at 7 pt or
    more at 100 %), each page as DOT text; pairs that could not be compared get none."""
    sheets = []
    for pair in service.pairs:
        c = pair.comparison
        if c is None:
            continue
        scenes = comparison_pages(
            c.as_is, c.to_be, page=page, orientation=orientation, comparison=c
        )
        caption = f"{pair.as_is.model.title} → {pair.to_be.model.title}"
        sheets.append(_sheet(caption, scenes))
    for variant in service.variants:
        scenes = process_pages(variant.model, page=page, orientation=orientation)
        sheets.append(_sheet(variant.model.title, scenes))
    return sheets


def _sheet(caption: str, scenes: Sequence[Any]) -> Sheet:
    size = (scenes[0].width, scenes[0].height) if scenes else (0.0, 0.0)
    return Sheet(caption, tuple(scene.to_dot() for scene in scenes), size)


def service_diagrams(
    service: Service, page: str | None = None, orientation: str | None = None
) -> ServiceDiagrams:
    """Every diagram of one service; pairs that could not be compared get none. With
    ``page`` (``"A4"``), the page-fit sheets for print instead, drawn as SVG."""
    if page is not None:
        sheets = [
            Sheet(s.caption, tuple(_svg(dot) for dot in s.pages), s.size)
            for s in service_sheets(service, page, orientation)
        ]
        return ServiceDiagrams(sheets=sheets)
    return ServiceDiagrams(
        [None if p.comparison is None else comparison_svg(p.comparison) for p in service.pairs],
        [swimlane_svg(variant.model) for variant in service.variants],
    )


def diagrams_in_order(
    services: Sequence[Service],
    workers: int | None = None,
    *,
    page: str | None = None,
    orientation: str | None = None,
) -> Generator[ServiceDiagrams, None, None]:
    """The diagrams of each service in turn, drawn ahead by a few threads.

    Drawing waits on Graphviz processes much of the time, so threads overlap that wait with
    the next service's layout.
    """
    count = workers or min(4, (os.cpu_count() or 1) + 1)
    pool = ThreadPoolExecutor(max_workers=count, thread_name_prefix="bpr-diagram")
    try:
        pending = deque(
            # each drawing in a copy of this context: the output language goes with it
            pool.submit(
                contextvars.copy_context().run, service_diagrams, service, page, orientation
            )
            for service in services
        )
        while pending:  # popped once written: memory holds only the diagrams still to come
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


#: Pixels per inch of a page-fit picture printed at 100 %.
PRINT_DPI = 220


@dataclass(frozen=True)
class SheetPictures:
    """A page-fit drawing as one PNG per page, for a printed document; ``size`` is the page
    in points, the size each picture is printed at."""

    caption: str
    pages: tuple[bytes, ...]
    size: tuple[float, float]


def service_sheet_pictures(
    service: Service,
    page: str = "A4",
    orientation: str | None = None,
    dpi: float = PRINT_DPI,
) -> list[SheetPictures]:
    """The service's page-fit drawings as PNG pages at ``dpi``."""
    return [
        SheetPictures(s.caption, tuple(convert(dot, "png", dpi=dpi) for dot in s.pages), s.size)
        for s in service_sheets(service, page, orientation)
    ]


def sheet_pictures_in_order(
    services: Sequence[Service],
    page: str = "A4",
    orientation: str | None = None,
    workers: int | None = None,
) -> Generator[list[SheetPictures], None, None]:
    """The page pictures of each service in turn, drawn ahead by a few threads."""
    count = workers or min(4, (os.cpu_count() or 1) + 1)
    pool = ThreadPoolExecutor(max_workers=count, thread_name_prefix="bpr-picture")
    try:
        pending = deque(
            pool.submit(
                contextvars.copy_context().run, service_sheet_pictures, service, page, orientation
            )
            for service in services
        )
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
        raise ValueError(
            _("the diagram is not well-formed SVG: {reason}").format(reason=exc)
        ) from None
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
