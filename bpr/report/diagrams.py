"""The diagrams of a report: SVG text from :mod:`bpr.render`, made safe to inline in HTML
(:func:`inline_svg`), laid out on printed pages for the PDF and printed HTML reports
(:class:`Sheet`), and those pages made pictures for the Word report (:class:`PictureSheet`:
each page a self-contained SVG with a PNG of it for readers that show no SVG).

A report's diagrams are drawn on every core (:func:`diagrams_in_order`,
:func:`picture_sheets_in_order`: worker processes, each running its own Graphviz children
through :mod:`bpr.backend`, and for Word drawing each page's PNG with cairosvg), in the
report's language, and kept in the cache of :mod:`bpr.report.cache`: a diagram whose models,
options, language, bpr and Graphviz are those of an earlier run is read back instead of
drawn, and a page's pictures are read back by the SVG they are made from (and the cairosvg
that drew them). ``BPR_JOBS`` sets how many processes draw (default: one per core).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
import importlib
import io
import itertools
import multiprocessing
import os
import re
import signal
import sys
import warnings
from collections import deque
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from bpr.backend.graphviz import end_children
from bpr.backend.process import die_with_parent
from bpr.comparison import Comparison
from bpr.core import i18n
from bpr.core.i18n import domain
from bpr.core.model import Model
from bpr.core.text import one_line, printable
from bpr.render import comparison_dot, comparison_pages, convert, process_dot, process_pages
from bpr.report.cache import DiagramCache, model_fingerprint, open_cache
from bpr.report.collect import Pair, Service, Variant
from bpr.report.png import svg_to_png

__all__ = [
    "PICTURE_CROP",
    "PRINT_DPI",
    "PagePicture",
    "PictureSheet",
    "ServiceDiagrams",
    "Sheet",
    "comparison_svg",
    "diagrams_in_order",
    "inline_svg",
    "picture_sheet",
    "picture_sheets_in_order",
    "picture_svg",
    "printed_variants",
    "service_diagrams",
    "service_picture_sheets",
    "service_sheets",
    "svg_png",
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


def _pair_sheet(pair: Pair, page: str, orientation: str | None) -> Sheet:
    c = pair.comparison
    assert c is not None
    scenes = comparison_pages(c.as_is, c.to_be, page=page, orientation=orientation, comparison=c)
    return _sheet(f"{pair.as_is.model.title} → {pair.to_be.model.title}", scenes)


def _variant_sheet(model: Model, page: str, orientation: str | None) -> Sheet:
    return _sheet(model.title, process_pages(model, page=page, orientation=orientation))


def printed_variants(service: Service) -> list[Variant]:
    """The variants a printed report draws on their own: those that no comparison of the
    service shows already (each compared pair prints both its drawings and step tables).

    >>> from bpr.report import collect
    >>> service = collect(["models/traffic-fine-payment"]).services[0]
    >>> printed_variants(service)
    []
    """
    compared = {
        id(variant.model)
        for pair in service.pairs
        if pair.comparison is not None
        for variant in (pair.as_is, pair.to_be)
    }
    return [v for v in service.variants if id(v.model) not in compared]


def service_sheets(
    service: Service, page: str = "A4", orientation: str | None = None
) -> list[Sheet]:
    """The service's comparisons, and the processes no comparison shows, laid out on pages
    (every word at 7 pt or more at 100 %), each page as DOT text; pairs that could not be
    compared get none."""
    sheets = [_pair_sheet(p, page, orientation) for p in service.pairs if p.comparison]
    sheets += [_variant_sheet(v.model, page, orientation) for v in printed_variants(service)]
    return sheets


def _sheet(caption: str, scenes: Sequence[Any]) -> Sheet:
    size = (scenes[0].width, scenes[0].height) if scenes else (0.0, 0.0)
    return Sheet(caption, tuple(scene.to_dot() for scene in scenes), size)


# -- drawings and the cache -----------------------------------------------------------------


@dataclass(frozen=True)
class _Drawing:
    """One diagram of a service: what it is drawn from (for its cache key) and how."""

    what: str
    models: tuple[Model, ...]
    options: tuple[object, ...]
    draw: Callable[[], Any]
    pack: Callable[[Any], tuple[dict[str, Any], list[bytes]]]
    unpack: Callable[[dict[str, Any], list[bytes]], Any]

    def key(self, cache: DiagramCache) -> str | None:
        prints = [model_fingerprint(m) for m in self.models]
        if None in prints:
            return None
        return cache.key(self.what, prints, list(self.options), i18n.current())


def _pack_svg(svg: str) -> tuple[dict[str, Any], list[bytes]]:
    return {}, [svg.encode("utf-8", "surrogatepass")]


def _unpack_svg(_meta: dict[str, Any], parts: list[bytes]) -> str:
    (svg,) = parts
    return svg.decode("utf-8", "surrogatepass")


def _pack_pages(drawn: Sheet) -> tuple[dict[str, Any], list[bytes]]:
    pages = [p.encode("utf-8", "surrogatepass") for p in drawn.pages]
    return {"caption": drawn.caption, "size": list(drawn.size)}, pages


def _unpack_sheet(meta: dict[str, Any], parts: list[bytes]) -> Sheet:
    width, height = meta["size"]
    pages = tuple(p.decode("utf-8", "surrogatepass") for p in parts)
    return Sheet(str(meta["caption"]), pages, (float(width), float(height)))


def _pair_models(pair: Pair) -> tuple[Model, Model]:
    return pair.as_is.model, pair.to_be.model


def _diagram_drawings(
    service: Service, page: str | None, orientation: str | None
) -> list[_Drawing | None]:
    """The drawings of :func:`service_diagrams`: a comparison for each pair (None where it
    could not be compared), a swimlane for each variant; printed, the page-fit sheets (of
    the compared pairs, and of the variants no comparison shows)."""
    drawings: list[_Drawing | None] = []
    if page is not None:
        for pair in service.pairs:
            if pair.comparison is not None:
                drawings.append(
                    _Drawing(
                        "sheet-comparison",
                        _pair_models(pair),
                        (page, orientation),
                        partial(_drawn_sheet, partial(_pair_sheet, pair, page, orientation)),
                        _pack_pages,
                        _unpack_sheet,
                    )
                )
        for variant in printed_variants(service):
            drawings.append(
                _Drawing(
                    "sheet-process",
                    (variant.model,),
                    (page, orientation),
                    partial(
                        _drawn_sheet, partial(_variant_sheet, variant.model, page, orientation)
                    ),
                    _pack_pages,
                    _unpack_sheet,
                )
            )
        return drawings
    for pair in service.pairs:
        c = pair.comparison
        drawings.append(
            None
            if c is None
            else _Drawing(
                "comparison",
                _pair_models(pair),
                (),
                partial(comparison_svg, c),
                _pack_svg,
                _unpack_svg,
            )
        )
    for variant in service.variants:
        drawings.append(
            _Drawing(
                "swimlane",
                (variant.model,),
                (),
                partial(swimlane_svg, variant.model),
                _pack_svg,
                _unpack_svg,
            )
        )
    return drawings


def _drawn_sheet(layout: Callable[[], Sheet]) -> Sheet:
    sheet = layout()
    return Sheet(sheet.caption, tuple(_svg(dot) for dot in sheet.pages), sheet.size)


def _chosen_cache(cache: DiagramCache | bool) -> DiagramCache | None:
    if cache is True:
        return open_cache()
    return cache or None


def _drawn(drawing: _Drawing | None, cache: DiagramCache | None) -> Any:
    """A drawing read from the cache, else drawn (and kept there)."""
    if drawing is None:
        return None
    key = None if cache is None else drawing.key(cache)
    if cache is not None and key is not None:
        entry = cache.get(key)
        if entry is not None:
            with contextlib.suppress(KeyError, TypeError, ValueError):
                return drawing.unpack(*entry)
    value = drawing.draw()
    if cache is not None and key is not None:
        cache.put(key, *drawing.pack(value))
    return value


def _all_cached(drawings: Sequence[_Drawing | None], cache: DiagramCache) -> bool:
    """Whether every drawing has an entry (read and checked when it is used)."""
    for drawing in drawings:
        if drawing is None:
            continue
        key = drawing.key(cache)
        if key is None or not cache.has(key):
            return False
    return True


def service_diagrams(
    service: Service,
    page: str | None = None,
    orientation: str | None = None,
    *,
    cache: DiagramCache | bool = True,
) -> ServiceDiagrams:
    """Every diagram of one service; pairs that could not be compared get none. With
    ``page`` (``"A4"``), the page-fit sheets for print instead, drawn as SVG. Each is read
    from ``cache`` where it is there (True: the cache :func:`~bpr.report.cache.open_cache`
    opens; False: none), else drawn and kept."""
    store = _chosen_cache(cache)
    drawn = [_drawn(d, store) for d in _diagram_drawings(service, page, orientation)]
    if page is not None:
        return ServiceDiagrams(sheets=drawn)
    count = len(service.pairs)
    return ServiceDiagrams(drawn[:count], drawn[count:])


# -- page pictures for a printed document -----------------------------------------------------

#: Pixels per inch of a page-fit picture's PNG, printed at 100 %.
PRINT_DPI = 220
#: Points cut from each edge of a page-fit picture: blank (a drawing keeps 24 pt clear).
PICTURE_CROP = 22.0
_UNDER_DRAWING = 4.0  # points of blank kept under a drawing, above its caption
_SKETCH_DPI = 36.0  # the picture drawn to find the blank under a drawing
# what a picture has no use for: hover texts, and what refers to outside the drawing
_NOT_DRAWN = frozenset({"title", "desc", "metadata", "image", "foreignObject"})


@dataclass(frozen=True)
class PagePicture:
    """One page of a page-fit drawing as a picture printed at 100 %: a self-contained SVG
    (:func:`picture_svg`), the PNG of that same SVG at :data:`PRINT_DPI` for readers that
    show no SVG, and the size both are printed at, in points."""

    svg: bytes
    png: bytes
    width: float
    height: float


@dataclass(frozen=True)
class PictureSheet:
    """A page-fit drawing (a :class:`Sheet`) as one :class:`PagePicture` per page; ``size``
    is the drawing's page in points."""

    caption: str
    pages: tuple[PagePicture, ...]
    size: tuple[float, float]


def picture_svg(
    svg: str, size: tuple[float, float], crop: float, bottom: float | None = None
) -> bytes:
    """A drawing's SVG made a self-contained picture: cleaned as for HTML
    (:func:`inline_svg`: no doctype, scripts or links out), its links' hover texts, classes
    and outside references dropped, ``transparent`` (which SVG 1.1, and so Word, does not
    know) written ``none``, and ``crop`` points cut from each edge through its ``viewBox``
    (``bottom`` from the bottom edge, where given; the page of ``size`` points where the SVG
    has none), so that its size in points is exactly that of the PNG made from it. Text
    stays text, in the family and size the drawing sets on each ``text``.

    >>> picture = picture_svg('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 60 40">'
    ...                       '<a xlink:title="Clerk" xmlns:xlink="http://www.w3.org/1999/xlink">'
    ...                       '<text y="9">Apply</text></a></svg>', (60, 40), 5)
    >>> print(picture.decode("utf-8").replace("><", ">\\n<"))
    <?xml version='1.0' encoding='UTF-8'?>
    <svg xmlns="http://www.w3.org/2000/svg" viewBox="5 5 50 30" width="50pt" height="30pt">
    <text y="9">Apply</text>
    </svg>
    """
    etree: Any = importlib.import_module("lxml.etree")  # lxml ships no type stubs
    root = etree.fromstring(inline_svg(svg, "f").encode("utf-8"))
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element).localname
        parent = element.getparent()
        if name in _NOT_DRAWN and parent is not None:
            parent.remove(element)
        elif name == "a" and parent is not None:  # a link keeps what it draws, not the link
            at = parent.index(element)
            for offset, child in enumerate(list(element)):
                parent.insert(at + offset, child)
            parent.remove(element)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute, value in list(element.attrib.items()):
            local = etree.QName(attribute).localname
            if _unused(local, value):
                del element.attrib[attribute]
            elif value == "transparent":
                element.set(attribute, "none")
    box = [float(v) for v in root.get("viewBox", "").replace(",", " ").split()]
    if len(box) != 4:  # Graphviz writes one; else the drawing is the page, in points
        box = [0.0, 0.0, *size]
    below = crop if bottom is None else bottom
    x, y, width, height = box[0] + crop, box[1] + crop, box[2] - 2 * crop, box[3] - crop - below
    root.set("viewBox", " ".join(_number(v) for v in (x, y, width, height)))
    root.set("width", f"{_number(width)}pt")
    root.set("height", f"{_number(height)}pt")
    etree.cleanup_namespaces(root)
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data


def _unused(name: str, value: str) -> bool:
    """Whether a picture has no use for an attribute: classes (there is no style sheet), the
    HTML page's accessible names (the caption says what the picture is), links out."""
    if name in ("class", "role", "title") or name.startswith("aria-"):
        return True
    return name == "href" and not value.startswith("#")


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def svg_png(svg: bytes, dpi: float = PRINT_DPI) -> bytes:
    """A picture's SVG drawn as a PNG at ``dpi`` on white paper (by cairosvg), so that both
    show the same thing at the same size."""
    return svg_to_png(
        svg,
        purpose="diagrams in Word reports",
        no_cairo=_(
            "the diagrams of a Word report need the cairo graphics library, which is not "
            "installed; install it (Debian and Ubuntu: apt-get install libcairo2) or write "
            "the report as HTML"
        ),
        dpi=dpi,
        background="white",  # as printed
    )


def _blank_below(png: bytes, dpi: float) -> float:
    """The points of blank (white) rows at the bottom of a picture drawn at ``dpi``."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as picture:
        colours = picture.convert("RGBA")
    paper = Image.new("RGBA", colours.size, "white")  # what is transparent prints white
    grey = Image.alpha_composite(paper, colours).convert("L")
    drawn = grey.point(lambda v: 255 if v < 250 else 0).getbbox()
    if drawn is None:
        return 0.0
    return (grey.height - drawn[3]) * 72 / dpi


def picture_sheet(sheet: Sheet) -> PictureSheet:
    """A drawing's pages as pictures: each its page less :data:`PICTURE_CROP` on every edge;
    the first also less the blank under the drawing (but :data:`_UNDER_DRAWING` points and
    a pixel of the 36 dpi sketch that finds it, which may hold the faint edge of a letter),
    so that the caption under it shares its page."""
    pages = []
    for n, svg in enumerate(sheet.pages):
        width, height = sheet.size[0] - 2 * PICTURE_CROP, sheet.size[1] - 2 * PICTURE_CROP
        picture = picture_svg(svg, sheet.size, PICTURE_CROP)
        if n == 0:
            sketch = svg_png(picture, _SKETCH_DPI)  # a pixel is 2 points: enough to find it
            blank = _blank_below(sketch, _SKETCH_DPI) - 72 / _SKETCH_DPI - _UNDER_DRAWING
            blank = round(blank, 2)
            if blank > 0:
                picture = picture_svg(svg, sheet.size, PICTURE_CROP, PICTURE_CROP + blank)
                height -= blank
        pages.append(PagePicture(picture, svg_png(picture), width, height))
    return PictureSheet(sheet.caption, tuple(pages), sheet.size)


def _picture_key(sheet: Sheet, cache: DiagramCache) -> str:
    """The cache key of a sheet's pictures: the SVG they are made from (its pages and page
    size), the resolution, and the versions of what draws the PNGs."""
    digest = hashlib.sha256(repr([float(v) for v in sheet.size]).encode("ascii"))
    for page in sheet.pages:
        data = page.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return cache.key("page-pictures", digest.hexdigest(), PRINT_DPI, _cairo_version())


def _pack_pictures(pages: Sequence[PagePicture]) -> tuple[dict[str, Any], list[bytes]]:
    meta = {"sizes": [[page.width, page.height] for page in pages]}
    return meta, [part for page in pages for part in (page.svg, page.png)]


def _unpack_pictures(meta: dict[str, Any], parts: list[bytes]) -> tuple[PagePicture, ...]:
    sizes = meta["sizes"]
    if len(parts) != 2 * len(sizes):
        raise ValueError("an entry of pictures without a PNG for each SVG")
    return tuple(
        PagePicture(parts[2 * i], parts[2 * i + 1], float(width), float(height))
        for i, (width, height) in enumerate(sizes)
    )


@functools.cache
def _cairo_version() -> str:
    """The versions of the packages that draw the PNGs (a new one may draw them otherwise)."""
    from importlib import metadata

    versions = []
    for package in ("cairosvg", "cairocffi"):
        try:
            versions.append(metadata.version(package))
        except metadata.PackageNotFoundError:
            versions.append("")
    return " ".join(versions)


def _pictured(sheet: Sheet, cache: DiagramCache | None) -> PictureSheet:
    """:func:`picture_sheet` of ``sheet``, read from ``cache`` where it is there, else made
    and kept."""
    key = None if cache is None or not sheet.pages else _picture_key(sheet, cache)
    if cache is not None and key is not None:
        entry = cache.get(key)
        if entry is not None:
            with contextlib.suppress(KeyError, TypeError, ValueError):
                return PictureSheet(sheet.caption, _unpack_pictures(*entry), sheet.size)
    pictures = picture_sheet(sheet)
    if cache is not None and key is not None:
        cache.put(key, *_pack_pictures(pictures.pages))
    return pictures


def service_picture_sheets(
    service: Service,
    page: str = "A4",
    orientation: str | None = None,
    *,
    cache: DiagramCache | bool = True,
) -> list[PictureSheet]:
    """The service's page-fit drawings (:func:`service_diagrams` with ``page``) as pictures,
    SVG and PNG (:func:`picture_sheet`). The pictures of a drawing are kept in ``cache``
    under the SVG they are made from, and read back where it is there, as the drawing is."""
    store = _chosen_cache(cache)
    sheets = service_diagrams(service, page, orientation, cache=store or False).sheets
    return [_pictured(sheet, store) for sheet in sheets]


def _pictures_cached(
    service: Service, page: str, orientation: str | None, cache: DiagramCache
) -> bool:
    """Whether the service's drawings and their pictures are all in ``cache``."""
    if not _all_cached(_diagram_drawings(service, page, orientation), cache):
        return False
    sheets = service_diagrams(service, page, orientation, cache=cache).sheets
    return all(not s.pages or cache.has(_picture_key(s, cache)) for s in sheets)


# -- drawing on every core ------------------------------------------------------------------

#: What each report under way draws, by its token: inherited by the worker processes it forks.
_PENDING: dict[int, tuple[Sequence[Service], str, tuple[Any, ...]]] = {}
_tokens = itertools.count()


def _job(name: str) -> Callable[..., Any]:
    """The function drawing one service (looked up when called, as the module has it now)."""
    function: Callable[..., Any] = globals()[name]
    return function


def _workers() -> int:
    """How many processes draw: ``BPR_JOBS``, else one per core this process may use."""
    text = os.environ.get("BPR_JOBS", "").strip()
    if text.isdigit() and int(text) > 0:
        return int(text)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _can_fork() -> bool:
    """Whether worker processes can start as copies of this one (Linux): they need nothing
    sent but the number of the service to draw, and draw in the language set here."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


def _start_worker(language: tuple[str, str | None]) -> None:
    i18n.restore(language)
    die_with_parent()  # a worker killed in the middle of a drawing takes its Graphviz run along
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the command ends its workers itself
    signal.signal(signal.SIGTERM, _stop_worker)


def _stop_worker(signum: int, _frame: object) -> None:
    end_children()  # the Graphviz run under way is killed as its wait ends
    raise SystemExit(128 + signum)


def _draw_in_worker(token: int, index: int) -> tuple[bool, Any]:
    services, name, args = _PENDING[token]
    try:
        return True, _job(name)(services[index], *args)
    except Exception:  # told again, in its own words, by the command's own process
        return False, None


class _Ahead:
    """Drawings under way, taken in order; :meth:`close` ends what is left of them."""

    def __init__(self, take: Callable[[], Any], close: Callable[[bool], None]) -> None:
        self.take = take
        self._close = close

    def close(self, finished: bool) -> None:
        self._close(finished)


def _in_order(
    services: Sequence[Service],
    workers: int | None,
    name: str,
    args: tuple[Any, ...],
    cached: Callable[[Service, DiagramCache], bool],
) -> Generator[Any, None, None]:
    """``name(service, *args)`` of each service in turn: read from the cache in this
    process where ``cached`` says that everything it needs is there, the others drawn ahead
    (from the start) by worker processes (or threads, where processes cannot fork)."""
    cache = open_cache()
    if cache is None:
        todo = list(range(len(services)))
    else:
        todo = [i for i, s in enumerate(services) if not cached(s, cache)]
    count = workers or _workers()
    if count > 1 and len(todo) > 1 and _can_fork():
        ahead = _by_processes(services, todo, count, name, args)
    else:
        ahead = _by_threads(
            services, todo, workers or min(4, (os.cpu_count() or 1) + 1), name, args
        )
    finished = False
    try:
        waiting = set(todo)
        for index, service in enumerate(services):
            yield ahead.take() if index in waiting else _job(name)(service, *args)
        finished = True
    finally:
        ahead.close(finished)
        if cache is not None and todo:
            cache.prune()


def _by_threads(
    services: Sequence[Service], todo: Sequence[int], count: int, name: str, args: tuple[Any, ...]
) -> _Ahead:
    pool = ThreadPoolExecutor(max_workers=count, thread_name_prefix="bpr-diagram")
    pending = deque(
        # each drawing in a copy of this context: the output language goes with it
        pool.submit(contextvars.copy_context().run, _job(name), services[i], *args)
        for i in todo
    )
    # popped once written: memory holds only the diagrams still to come
    return _Ahead(
        lambda: pending.popleft().result(),
        lambda _finished: pool.shutdown(wait=True, cancel_futures=True),
    )


def _by_processes(
    services: Sequence[Service], todo: Sequence[int], count: int, name: str, args: tuple[Any, ...]
) -> _Ahead:
    """The drawings of ``todo``, in order, by ``count`` forked processes; a service whose
    drawing failed there is drawn again here, so that its error is raised as it is."""
    from concurrent.futures import ProcessPoolExecutor

    token = next(_tokens)
    _PENDING[token] = (services, name, args)
    pool = ProcessPoolExecutor(
        max_workers=min(count, len(todo)),
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start_worker,
        initargs=(i18n.chosen(),),
    )
    try:
        with warnings.catch_warnings():  # forking a process with threads (Python 3.12 warns)
            warnings.simplefilter("ignore", DeprecationWarning)
            pending = deque((i, pool.submit(_draw_in_worker, token, i)) for i in todo)
    except BaseException:
        _end_pool(pool, finished=False)
        raise
    finally:
        _PENDING.pop(token, None)  # the workers have their copy

    def take() -> Any:
        index, future = pending.popleft()
        try:
            done, result = future.result()
        except Exception:  # a worker that died (out of memory, killed)
            done, result = False, None
        return result if done else _job(name)(services[index], *args)

    return _Ahead(take, lambda finished: _end_pool(pool, finished))


def _end_pool(pool: Any, finished: bool) -> None:
    """Shut the workers down; those still drawing (the report stopped) are ended at once."""
    if not finished:
        processes = list((getattr(pool, "_processes", None) or {}).values())  # not public
        for process in processes:  # each ends its Graphviz run...
            with contextlib.suppress(OSError, ValueError, AttributeError):
                process.terminate()
        for process in processes:  # ...and is killed if it is not gone a moment later
            with contextlib.suppress(OSError, ValueError, AttributeError):
                process.join(_GRACE)
                if process.is_alive():
                    process.kill()
                    process.join(_GRACE)
    pool.shutdown(wait=True, cancel_futures=True)


#: Seconds a worker has to end its Graphviz run before it is killed.
_GRACE = 1.0


def diagrams_in_order(
    services: Sequence[Service],
    workers: int | None = None,
    *,
    page: str | None = None,
    orientation: str | None = None,
) -> Generator[ServiceDiagrams, None, None]:
    """The diagrams of each service in turn (:func:`service_diagrams`), drawn ahead on
    every core (``workers`` processes); those in the cache are read from it."""
    yield from _in_order(
        services,
        workers,
        "service_diagrams",
        (page, orientation),
        lambda s, cache: _all_cached(_diagram_drawings(s, page, orientation), cache),
    )


def picture_sheets_in_order(
    services: Sequence[Service],
    workers: int | None = None,
    *,
    page: str = "A4",
    orientation: str | None = None,
) -> Generator[list[PictureSheet], None, None]:
    """The page pictures of each service in turn (:func:`service_picture_sheets`), made
    ahead on every core with the drawings they show; those in the cache are read from it."""
    yield from _in_order(
        services,
        workers,
        "service_picture_sheets",
        (page, orientation),
        lambda s, cache: _pictures_cached(s, page, orientation, cache),
    )


#: Stand-ins for the id prefix and the label in an inlined SVG kept in the cache: private-use
#: characters, which :func:`printable` takes out of every diagram, so they mark only these.
_PREFIX, _LABEL = "\ue000", "\ue001"


def inline_svg(svg: str, prefix: str, label: str = "") -> str:
    """An SVG document made fit to sit inside an HTML page, next to other SVGs.

    Drops the XML declaration and doctype, scripts, event handlers and links out of the
    document; prefixes every ``id`` (and the references to it) so that two diagrams on one
    page cannot take each other's markers or gradients. Raises ValueError where ``svg`` is
    not well-formed. The cleaned document is kept in the diagram cache, with stand-ins for
    the prefix and the label: a diagram read from the cache is not cleaned again.

    >>> inline_svg('<svg xmlns="http://www.w3.org/2000/svg"><g id="a" onclick="x()"/>'
    ...            '<use href="#a"/><script>alert(1)</script></svg>', "d1")
    '<svg xmlns="http://www.w3.org/2000/svg" role="img"><g id="d1-a"/><use href="#d1-a"/></svg>'
    """
    cache = open_cache()
    if cache is None or _PREFIX in svg or _LABEL in svg or not _PREFIX_SAFE.fullmatch(prefix):
        return _inlined(svg, prefix, one_line(label) if label else "")
    digest = hashlib.sha256(svg.encode("utf-8", "surrogatepass")).hexdigest()
    key = cache.key("inline-svg", digest, bool(label))
    entry = cache.get(key)
    template = None
    if entry is not None and len(entry[1]) == 1:
        with contextlib.suppress(UnicodeDecodeError):
            template = entry[1][0].decode("utf-8")
    if template is None:
        template = _inlined(svg, _PREFIX, _LABEL if label else "")
        cache.put(key, {}, [template.encode("utf-8")])
    text = template.replace(_PREFIX, prefix)
    if label:
        text = text.replace(_LABEL, _attribute(one_line(label)), 1)
    return text


# what a prefix may hold to be put in by a plain replacement (ids made by the reports)
_PREFIX_SAFE = re.compile(r"[A-Za-z0-9_.-]*")


def _attribute(value: str) -> str:
    """An attribute value escaped as lxml writes it (the value is one line)."""
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _inlined(svg: str, prefix: str, label: str) -> str:
    """:func:`inline_svg` with ``label`` already on one line, set as it is."""
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
        root.set("aria-label", label)
    text: str = etree.tostring(root, encoding="unicode")
    return text
