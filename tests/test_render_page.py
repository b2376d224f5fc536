"""Page-fit drawings: the PDF's pages are the page size asked for, every printed word is at
least 7 points high, bands are joined by pairs of link events, nothing is left out."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings

import bpr
from bpr.cli import main
from bpr.core.text import for_graphviz
from bpr.render import (
    PAGE_SIZES,
    comparison_pages,
    page_paths,
    process_pages,
    render_comparison,
    render_model,
)
from bpr.render.page import MIN_TEXT_SIZE, page_size
from tests.conftest import ROOT, model_files, service_folders
from tests.test_layout import _label_problems, _random_models

# DejaVu Sans: a word's box in pdftotext runs from the descent to the ascent, 1.164 em
EM_HEIGHT = 0.928 + 0.236
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">')

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="needs pdftotext (Debian package poppler-utils)"
)


def _pages(pdf: bytes) -> list[tuple[float, float]]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]


def _word_sizes(path: Path) -> list[tuple[int, float, float, float]]:
    """Each printed word: its page, the font size its height stands for, its box's right and
    bottom edges."""
    text = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    words = []
    for number, page in enumerate(text.split("<page ")[1:], 1):
        for match in _WORD.finditer(page):
            _, y0, x1, y1 = (float(v) for v in match.groups())
            words.append((number, (y1 - y0) / EM_HEIGHT, x1, y1))
    return words


def _check_pdf(path: Path, size: tuple[float, float]) -> None:
    pages = _pages(path.read_bytes())
    assert pages, path
    for width, height in pages:  # the page asked for (Graphviz writes whole points)
        assert abs(width - size[0]) <= 1 and abs(height - size[1]) <= 1, (path, width, height)
    words = _word_sizes(path)
    assert words
    smallest = min(word[1] for word in words)
    assert smallest >= MIN_TEXT_SIZE - 0.05, (path, smallest)
    for number, _, right, bottom in words:  # nothing runs off the page
        width, height = pages[number - 1]
        assert right <= width + 0.5 and bottom <= height + 0.5, (path, number)


def _sizes(pdf: bytes) -> set[tuple[int, int]]:
    return {(round(w), round(h)) for w, h in _pages(pdf)}


@needs_poppler
@pytest.mark.parametrize("path", model_files(), ids=lambda p: f"{p.parent.name}-{p.stem}")
def test_every_shipped_model_fits_a4_with_words_of_7_points(path: Path, tmp_path: Path) -> None:
    out = render_model(bpr.load(path), tmp_path / "figure.pdf", page="A4")
    sizes = _sizes(out.read_bytes())
    assert sizes <= {(595, 842), (842, 595)} and len(sizes) == 1
    _check_pdf(out, page_size("A4", "portrait" if (595, 842) in sizes else "landscape"))


@needs_poppler
@pytest.mark.parametrize("folder", service_folders(), ids=lambda p: p.name)
def test_every_comparison_fits_a4_with_words_of_7_points(folder: Path, tmp_path: Path) -> None:
    as_is, to_be = bpr.load(folder / "as-is.yaml"), bpr.load(folder / "to-be.yaml")
    out = render_comparison(as_is, to_be, tmp_path / "comparison.pdf", page="A4")
    sizes = _sizes(out.read_bytes())
    assert len(sizes) == 1 and sizes <= {(595, 842), (842, 595)}
    _check_pdf(out, page_size("A4", "portrait" if (595, 842) in sizes else "landscape"))


@needs_poppler
def test_a3_and_letter_in_the_orientation_asked_for(tmp_path: Path) -> None:
    model = bpr.load(ROOT / "models" / "traffic-fine-payment" / "as-is.yaml")
    for page, orientation in (("A3", "portrait"), ("letter", "landscape")):
        out = render_model(
            model, tmp_path / f"{page}.pdf", page=page, orientation=orientation, detail="full"
        )
        _check_pdf(out, page_size(page, orientation))
    assert page_size("letter", "portrait") == PAGE_SIZES["letter"]


def _links(scenes: list[bpr.Model] | list) -> Counter[str]:
    letters: Counter[str] = Counter()
    for scene in scenes:
        for node in scene.nodes:
            if node.name.split(":")[-2:-1] == ["link"]:
                letters[node.name.rsplit(":", 1)[1]] += 1
    return letters


def test_a_long_process_is_cut_into_bands_joined_by_pairs_of_links() -> None:
    model = bpr.load(ROOT / "models" / "property-registration" / "as-is.yaml")
    scenes = process_pages(model, page="A4", orientation="landscape")
    letters = _links(scenes)
    assert len(letters) >= 3
    assert set(letters.values()) == {2}  # each link: where a flow leaves, where it goes on
    bands = [s for s in scenes if any(":lane_label_" in n.name for n in s.nodes)]
    assert len(bands) >= 3
    for scene in bands:  # each lane of every band: drawn with its header, or named under it
        names = " ".join(n.label for n in scene.nodes if "lane_label_" in n.name)
        notes = " ".join(n.label for n in scene.nodes if n.name.endswith("left-out"))
        for lane in ("Buyer", "cadastre", "notary"):
            assert (lane in names) != (lane in notes), lane
    steps = {n.name.rsplit(":", 1)[1] for s in scenes for n in s.nodes if n.name.count(":") == 1}
    assert {s.id for s in model.steps} <= steps  # every step is drawn once, in some band
    drawn = [n.name.rsplit(":", 1)[1] for s in scenes for n in s.nodes if n.name.count(":") == 1]
    assert all(drawn.count(s.id) == 1 for s in model.steps)


def test_the_step_table_holds_what_the_boxes_leave_out() -> None:
    model = bpr.load(ROOT / "models" / "business-registration" / "as-is.yaml")
    scenes = process_pages(model, page="A4", detail="names")
    labels = " ".join(n.label for s in scenes for n in s.nodes)
    boxes = " ".join(n.label for s in scenes for n in s.nodes if n.name.count(":") == 1)
    assert "brings" not in boxes and "work " not in boxes  # names only in the boxes
    for step in model.steps:
        for document in step.needs:
            name = model.documents[document].name if document in model.documents else document
            if not (document in model.documents and model.documents[document].exchange):
                assert for_graphviz(name.split()[0]) in labels, name
    assert "Documents the applicant" in labels  # the column's header (on two lines in portrait)


def test_a_comparison_on_pages_marks_its_changes_and_says_them_in_the_table() -> None:
    folder = ROOT / "models" / "property-registration"
    as_is, to_be = bpr.load(folder / "as-is.yaml"), bpr.load(folder / "to-be.yaml")
    scenes = comparison_pages(as_is, to_be, page="A4")
    labels = " ".join(n.label for s in scenes for n in s.nodes)
    assert "REMOVED" in labels and "ADDED" in labels and "Legend" in labels
    assert "replaced by: " in labels and "changed: " in labels
    heads = [n.label for s in scenes for n in s.nodes if n.name == "page:head"]
    assert any("As-Is" in h for h in heads) and any("To-Be" in h for h in heads)
    assert heads[-1].count(f"page {len(scenes)} of {len(scenes)}") == 1


def test_svg_pages_are_one_file_each(tmp_path: Path) -> None:
    model = bpr.load(ROOT / "models" / "income-tax-return" / "as-is.yaml")
    count = len(process_pages(model, page="A4"))
    first = render_model(model, tmp_path / "figure.svg", page="A4")
    assert first == tmp_path / "figure.svg"
    for path in page_paths(first, count):
        assert path.read_bytes().startswith(b"<?xml")
    assert not page_paths(first, count + 1)[-1].exists()


def test_without_a_page_the_full_size_drawing_is_unchanged(tmp_path: Path) -> None:
    from bpr.render import process_dot

    model = bpr.load(ROOT / "models" / "income-tax-return" / "as-is.yaml")
    out = render_model(model, tmp_path / "full.dot")
    assert out.read_text() == process_dot(model)


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = str(ROOT / "models" / "traffic-fine-payment")
    out = tmp_path / "note.pdf"
    assert main(["render", folder, "-o", str(out), "--page", "a4", "--landscape"]) == 0
    assert "fitted to A4 pages" in capsys.readouterr().out
    assert _sizes(out.read_bytes()) == {(842, 595)}
    assert main(["render", folder, "-o", str(out), "--detail", "names"]) == 2
    assert "--page" in capsys.readouterr().err
    with pytest.raises(bpr.errors.OutputError, match="page sizes are A4, A3, letter"):
        page_size("B5")


def _chain(steps: int, actors: int = 1) -> bpr.Model:
    """A process of ``steps`` steps one after the other, all by the first actor but the last
    ``actors - 1``, one by each other actor."""
    names = "".join(f"  a{n}:\n    name: Actor {n}\n" for n in range(actors))
    body = "".join(
        f"  - id: s{n}\n    name: Step {n}\n    actor: a{max(0, n - steps + actors)}\n"
        for n in range(steps)
    )
    return bpr.loads(f"bpr: 1\nservice: chain\nvariant: as-is\nactors:\n{names}steps:\n{body}")


def _band_steps(scenes: list) -> list[int]:
    """How many steps each band of the pages draws, in order."""
    counts: Counter[str] = Counter()
    for scene in scenes:
        for node in scene.nodes:
            band, _, step = node.name.partition(":")
            if re.fullmatch(r"b\d+", band) and re.fullmatch(r"s\d+", step):
                counts[band] += 1
    return [counts[f"b{n}"] for n in range(len(counts))]


@pytest.mark.parametrize(("columns", "count"), [(4.0, 4), (5.5, 3)])
def test_bands_are_balanced_so_that_none_is_a_remnant(columns: float, count: int) -> None:
    """Ten steps as evenly as the bands allow: 2-3-3-2, not 3-3-3-1; 3-4-3, not 4-5-1
    (the first band also holds the start event), in as few bands as before."""
    from bpr.layout.bands import split_bands
    from bpr.layout.engine import layout_model

    layout = layout_model(_chain(10), compact=True)
    xs = sorted(box.rect.center[0] for box in layout.nodes.values() if box.node.kind == "task")
    width = layout.header_width + columns * (xs[1] - xs[0])
    bands = split_bands(layout, width)
    per_band = [sum(1 for box in band.nodes.values() if box.node.kind == "task") for band in bands]
    assert sum(per_band) == 10 and len(per_band) == count
    assert max(per_band) - min(per_band) <= 1, per_band
    assert all(band.width <= width for band in bands)


@pytest.mark.parametrize(("steps", "pages"), [(101, 9), (128, 11)])
def test_a_long_step_table_leaves_no_remnant_page(steps: int, pages: int) -> None:
    """The page breaks are spread so that the last page is not left with a few rows: filled
    page by page, 101 steps left 5 rows on the last page under 46 on the others (128: 7),
    in as many pages as now."""
    drawn = process_pages(_chain(steps), page="A4", orientation="portrait", detail="names")
    rows = [
        sum(1 for node in scene.nodes if re.fullmatch(r"steps:row\d+", node.name))
        for scene in drawn
    ]
    assert len(drawn) == pages and sum(rows) == steps
    assert rows[-1] >= max(rows) / 3, rows


def test_a_band_leaves_out_its_empty_lanes_and_names_them() -> None:
    """Five actors, four of whom act only at the end: the first bands draw one lane and say
    which they leave out; the pages hold more bands each than with every lane drawn."""
    from bpr.layout.bands import fit_lanes, split_bands
    from bpr.layout.engine import layout_model

    model = _chain(16, actors=5)
    layout = layout_model(model, compact=True)
    first = split_bands(layout, 600)[0]
    kept, left_out = fit_lanes(first)
    assert [lane.actor for lane in kept.lanes] == ["a0"]
    assert [lane.actor for lane in left_out] == ["a1", "a2", "a3", "a4"]
    assert kept.height == pytest.approx(first.lanes[0].rect.height)
    assert {box.rect.y for box in kept.nodes.values()} == {
        box.rect.y for box in first.nodes.values()
    }  # the first lane stays where it was
    scenes = process_pages(model, page="A4", orientation="landscape", detail="names")
    notes = [n.label for s in scenes for n in s.nodes if n.name.endswith("left-out")]
    assert notes and "Actor 1, Actor 2" in notes[0] and "Not drawn in this part" in notes[0]
    heads = [n.label for s in scenes for n in s.nodes if "lane_label_" in n.name]
    assert sum("Actor 4" in h for h in heads) == 1  # drawn only where it acts
    bands = _band_steps(scenes)
    assert sum(bands) == 16
    pages_with_bands = sum(1 for s in scenes if any(":lane_label_" in n.name for n in s.nodes))
    assert pages_with_bands < len(bands)  # two or more bands share a page


def test_a_process_in_one_band_keeps_every_lane() -> None:
    from bpr.layout.engine import layout_model

    model = _chain(2, actors=2)
    scenes = process_pages(model, page="A4", orientation="landscape")
    heads = " ".join(n.label for s in scenes for n in s.nodes if "lane_label_" in n.name)
    assert all(f"Actor {n}" in heads for n in range(2))
    assert not [n for s in scenes for n in s.nodes if n.name.endswith("left-out")]
    assert layout_model(model, compact=True).width < 800


@settings(max_examples=100, deadline=None)
@given(_random_models())
def test_fitted_bands_of_random_models_keep_every_box_in_its_lane(model: bpr.Model) -> None:
    """Cut into narrow bands and fitted (empty lanes out, the others shortened to what lies
    in them or their header): every box stays inside its own lane, every lane at least as
    tall as its header, every line inside the band, and no label meets a box, another label
    or a line that it did not meet before the fitting."""
    from bpr.layout.bands import fit_lanes, split_bands
    from bpr.layout.engine import layout_model

    layout = layout_model(model, compact=True)
    floors = {lane.actor: 40.0 for lane in layout.lanes}
    for band in split_bands(layout, 420):
        fitted, left_out = fit_lanes(band, floors)
        kept = {lane.actor: lane for lane in fitted.lanes}
        assert sorted([*kept, *(lane.actor for lane in left_out)]) == sorted(
            lane.actor for lane in band.lanes
        )
        assert fitted.height == pytest.approx(sum(lane.rect.height for lane in fitted.lanes))
        for lane in fitted.lanes:
            original = next(b for b in band.lanes if b.actor == lane.actor)
            assert min(40.0, original.rect.height) - 1e-6 <= lane.rect.height
            assert lane.rect.height <= original.rect.height + 1e-6
        lanes = {lane.actor: lane for lane in band.lanes}
        for node_id, box in fitted.nodes.items():
            if lanes[box.node.lane].rect.contains(band.nodes[node_id].rect):
                assert kept[box.node.lane].rect.contains(box.rect), node_id
        for route in fitted.edges:
            assert all(-1e-6 <= y <= fitted.height + 1e-6 for _, y in route.points)
            for end, point in ((route.edge.source, 0), (route.edge.target, -1)):
                if end.startswith("link:"):  # a link circle stays on its flow's line
                    circle = fitted.nodes[end].rect
                    assert circle.center[1] == pytest.approx(route.points[point][1])
        assert set(_label_problems(fitted)) <= set(_label_problems(band))
