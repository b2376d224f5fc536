"""Diagrams: deterministic DOT (golden files), SVG with every name, PNG and PDF, hostile text."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import bpr
from bpr.backend.graphviz import graphviz_version
from bpr.core.i18n import use
from bpr.core.text import for_dot, for_graphviz, one_line
from bpr.core.textmetrics import text_width, wrap
from bpr.errors import OutputError
from bpr.layout.content import task_box
from bpr.render import (
    comparison_dot,
    convert,
    output_format,
    process_dot,
    render_comparison,
    render_model,
    to_pm4py_bpmn,
)
from tests.conftest import DATA, GOLDEN, ROOT, Golden, model_files, service_folders

RENDER_DATA = DATA / "render"
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
VERSION_FILE = GOLDEN / "render" / "graphviz-version.txt"


@pytest.fixture
def golden_dot(golden: Golden) -> Golden:
    """Golden DOT files depend on the ranks that this Graphviz version's ``dot`` finds."""
    if golden.update:
        VERSION_FILE.parent.mkdir(parents=True, exist_ok=True)
        VERSION_FILE.write_text(graphviz_version() + "\n", encoding="utf-8")
    elif VERSION_FILE.exists() and VERSION_FILE.read_text().strip() != graphviz_version():
        pytest.skip(
            f"golden DOT files were made with Graphviz {VERSION_FILE.read_text().strip()}, "
            f"this machine has {graphviz_version()}; refresh them with --update-golden"
        )
    return golden


def _name(path: Path) -> str:
    return f"{path.parent.name}-{path.stem}"


@pytest.mark.parametrize("path", model_files(), ids=_name)
def test_golden_dot_of_every_shipped_model(path: Path, golden_dot: Golden) -> None:
    golden_dot.check(f"render/{_name(path)}.dot", process_dot(bpr.load(path)))


@pytest.mark.parametrize("folder", service_folders(), ids=lambda p: p.name)
def test_golden_dot_of_every_comparison(folder: Path, golden_dot: Golden) -> None:
    as_is, to_be = bpr.load(folder / "as-is.yaml"), bpr.load(folder / "to-be.yaml")
    golden_dot.check(f"render/{folder.name}-comparison.dot", comparison_dot(as_is, to_be))


@pytest.mark.parametrize("path", sorted(RENDER_DATA.glob("*.yaml")), ids=lambda p: p.stem)
def test_golden_dot_of_test_models(path: Path, golden_dot: Golden) -> None:
    golden_dot.check(f"render/{path.stem}.dot", process_dot(bpr.load(path)))


def test_dot_is_the_same_in_a_fresh_interpreter() -> None:
    """Byte-identical across runs, whatever the hash seed (set order never leaks out)."""
    path = model_files()[0]
    code = "import bpr, sys; from bpr.render import process_dot; "
    code += f"sys.stdout.write(process_dot(bpr.load({str(path)!r})))"
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, env=env, check=True, cwd=ROOT
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1
    assert outputs.pop().decode() == process_dot(bpr.load(path))


def _svg_nodes(svg: bytes) -> dict[str, tuple[str, str]]:
    """Node name (the SVG id) -> (visible text joined by spaces, tooltip)."""
    root = ET.fromstring(svg)
    nodes = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") != "node":
            continue
        texts = [t.text or "" for t in group.iter(f"{SVG}text")]
        tips = [a.get(f"{XLINK}title", "") for a in group.iter(f"{SVG}a")]
        nodes[group.get("id", "")] = (
            " ".join(texts),
            tips[0] if tips else "",
        )
    return nodes


@pytest.mark.parametrize("path", model_files(), ids=_name)
def test_svg_is_xml_with_every_step_name(path: Path) -> None:
    model = bpr.load(path)
    svg = convert(process_dot(model), "svg")
    nodes = _svg_nodes(svg)
    for step in model.steps:
        text, tip = nodes[step.id]
        assert tip == one_line(step.label)
        assert one_line(step.label) in text, (step.id, text)
    lane_text = " ".join(text for text, _ in nodes.values())
    for actor in {s.actor for s in model.steps}:
        assert one_line(model.actors[actor].name).split()[0] in lane_text


def test_comparison_svg_has_both_sides_and_the_legend() -> None:
    folder = service_folders()[0]
    as_is, to_be = bpr.load(folder / "as-is.yaml"), bpr.load(folder / "to-be.yaml")
    nodes = _svg_nodes(convert(comparison_dot(as_is, to_be), "svg"))
    for prefix, model in (("a:", as_is), ("b:", to_be)):
        for step in model.steps:
            assert nodes[prefix + step.id][1].startswith(one_line(step.label))
    assert {"legend:removed", "legend:added", "legend:replaced", "legend:changed"} <= set(nodes)


def test_comparison_marks_each_change_by_colour_and_by_a_second_cue() -> None:
    from bpr.comparison.diff import compare

    folder = ROOT / "models" / "property-registration"
    as_is, to_be = bpr.load(folder / "as-is.yaml"), bpr.load(folder / "to-be.yaml")
    c = compare(as_is, to_be)
    dot = comparison_dot(as_is, to_be)
    lines = {line.split(" [", 1)[0].strip(): line for line in dot.splitlines() if " [pos=" in line}
    assert c.removed_steps and c.replaced_steps and c.added_steps
    for step in c.removed_steps:
        assert "dashed" in lines[f'"a:{step}"'] and "REMOVED" in lines[f'"a:{step}"']
    for new, olds in c.replaced_steps.items():
        assert "dotted" in lines[f'"b:{new}"'] and "REPLACES" in lines[f'"b:{new}"']
        for old in olds:
            assert "dotted" in lines[f'"a:{old}"'] and "REPLACED" in lines[f'"a:{old}"']
    for step in c.added_steps:
        assert 'peripheries="2"' in lines[f'"b:{step}"'] and "ADDED" in lines[f'"b:{step}"']
    for step, fields in c.changed_steps.items():
        assert f"Δ{len(fields)} CHANGED" in lines[f'"b:{step}"']
        assert "diagonals" in lines[f'"b:{step}"'] and ", ".join(fields) in lines[f'"b:{step}"']
    for step in c.unchanged_steps:
        assert 'fillcolor="#ffffff"' in lines[f'"b:{step}"']
    title = lines['"title"']
    for word in ("Steps", "Visits", "Certificates", "Lead time", "→"):
        assert word in title


def test_stacked_comparison_puts_the_to_be_below() -> None:
    folder = ROOT / "models" / "traffic-fine-payment"
    as_is, to_be = bpr.load(folder / "as-is.yaml"), bpr.load(folder / "to-be.yaml")
    side = comparison_dot(as_is, to_be)
    stacked = comparison_dot(as_is, to_be, stacked=True)

    def bb(dot: str) -> tuple[float, float]:
        head = dot.split('bb="0,0,', 1)[1].split('"', 1)[0]
        w, h = head.split(",")
        return float(w), float(h)

    assert bb(stacked)[0] < bb(side)[0] and bb(stacked)[1] > bb(side)[1]


def test_png_pdf_svg_and_dot_files(tmp_path: Path) -> None:
    model = bpr.load(DATA / "contract-example.yaml")
    magic = {".png": b"\x89PNG", ".pdf": b"%PDF", ".svg": b"<?xml", ".dot": b"// bpr"}
    for suffix, start in magic.items():
        out = render_model(model, tmp_path / f"d{suffix}")
        data = out.read_bytes()
        assert data.startswith(start) and len(data) > 500, suffix
    small = render_model(model, tmp_path / "small.png", dpi=50).stat().st_size
    large = render_model(model, tmp_path / "large.png", dpi=200).stat().st_size
    assert large > small


def test_comparison_file(tmp_path: Path) -> None:
    folder = ROOT / "models" / "traffic-fine-payment"
    as_is, to_be = bpr.load(folder / "as-is.yaml"), bpr.load(folder / "to-be.yaml")
    out = render_comparison(as_is, to_be, tmp_path / "c.pdf")
    assert out.read_bytes().startswith(b"%PDF")


def test_unknown_suffix_names_the_formats(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r"\.svg, \.png, \.pdf, \.dot"):
        output_format(tmp_path / "x.jpg")
    with pytest.raises(OutputError, match="no suffix"):
        output_format("diagram")


def test_never_writes_over_the_model(tmp_path: Path) -> None:
    source = tmp_path / "m.dot"
    source.write_text((DATA / "contract-example.yaml").read_text())
    model = bpr.load(DATA / "contract-example.yaml")
    model.file = str(source)
    with pytest.raises(OutputError, match="overwrite"):
        render_model(model, source)


def test_hostile_names_stay_text(tmp_path: Path) -> None:
    model = bpr.load(RENDER_DATA / "hostile.yaml")
    dot = process_dot(model)
    svg = convert(dot, "svg")  # Graphviz accepts the DOT: no syntax error
    root = ET.fromstring(svg)  # and the SVG is well-formed
    tags = {element.tag.replace(SVG, "") for element in root.iter()}
    assert tags <= {"svg", "g", "title", "text", "path", "polygon", "ellipse", "a", "polyline"}
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "<b>markup</b>" in texts and "<script>alert(1)" in texts
    assert '"then" \\ \\\\ done' in texts  # backslashes shown as written
    assert "ok\\l 75%" in texts
    assert "Check the form -> {a|b} [label=x];" in texts  # newlines became spaces
    nodes = _svg_nodes(svg)
    for step in model.steps:
        assert nodes[step.id][1] == one_line(step.label)


def test_text_in_any_script() -> None:
    model = bpr.load(RENDER_DATA / "scripts.yaml")
    texts = " ".join(text for text, _ in _svg_nodes(convert(process_dot(model), "svg")).values())
    for word in ("o'g'il", "Oʻzbekiston", "yoxlanılması:", "Təhsil", "ş, ğ,", "Министерство"):
        assert word in texts, word


def test_long_names_wrap_inside_the_box() -> None:
    model = bpr.load(RENDER_DATA / "scripts.yaml")
    box = task_box(model, model.step("tekshirish"))
    names = [line for line in box.lines if line.role == "name"]
    assert 4 <= len(names) <= 8 and names[-1].text.endswith("…")
    for line in box.lines:
        assert text_width(line.text, line.size, bold=line.bold) <= box.width - 12


def test_text_helpers() -> None:
    assert for_graphviz("a<b>&\"c'\\") == "a&lt;b&gt;&amp;&quot;c&#39;\\\\"
    assert one_line("x\ny\tz\x07") == "x y z"
    assert wrap("", 50, 10) == [""]
    assert all(text_width(line, 10) <= 40 for line in wrap("abcdefghijklmnopqrstuvwxyz", 40, 10))
    assert for_dot('a"b\\\n\x00c') == 'a\\"b\\\\ c'
    assert for_dot("a\\b", escape_string=True) == "a\\\\\\\\b"


def test_a_tooltip_shows_backslashes_and_quotes_as_written() -> None:
    """The tooltip is an escString: Graphviz reads its backslashes twice (``\\N`` is the
    node's name), so the DOT doubles them twice; the SVG shows the name as written."""
    name = 'C:\\N\\temp \\" end'
    text = (
        "bpr: 1\nservice: s\nvariant: as-is\nactors: {a: {name: A}}\n"
        f"steps: [{{id: x, name: '{name}', actor: a}}]\n"
    )
    model = bpr.loads(text)
    assert model.step("x").label == name
    assert _svg_nodes(convert(process_dot(model), "svg"))["x"][1] == name


def test_to_pm4py_bpmn_mirrors_the_flow_net() -> None:
    from pm4py.objects.bpmn.obj import BPMN

    from bpr.analysis.flownet import flow_net

    model = bpr.load(DATA / "contract-example.yaml")
    bpmn = to_pm4py_bpmn(model)
    net = flow_net(model)
    assert len(bpmn.get_nodes()) == len(net.nodes)
    assert len(bpmn.get_flows()) == len(net.edges)
    kinds = sorted(type(n).__name__ for n in bpmn.get_nodes())
    assert kinds.count("Task") == len(model.steps)
    assert kinds.count("ExclusiveGateway") == 1 and kinds.count("ParallelGateway") == 2
    assert any(isinstance(n, BPMN.NormalStartEvent) for n in bpmn.get_nodes())
    names = {n.get_name() for n in bpmn.get_nodes() if isinstance(n, BPMN.Task)}
    assert names == {s.label for s in model.steps}


def test_pm4py_engine_draws_a_picture(tmp_path: Path) -> None:
    model = bpr.load(RENDER_DATA / "hostile.yaml")
    out = render_model(model, tmp_path / "p.svg", engine="pm4py")
    root = ET.fromstring(out.read_bytes())
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "Fix '; DROP TABLE steps; --" in texts and "<b>markup</b>" in texts
    png = render_model(model, tmp_path / "p.png", engine="pm4py")
    assert png.read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    "name",
    [
        "bpr.layout.engine",
        "bpr.render",
        "bpr.core.textmetrics",
        "bpr.layout.content",
        "bpr.render._scene",
        "bpr.render._output",
    ],
)
def test_docstring_examples(name: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


def test_control_characters_in_variant_and_names_never_break_the_dot() -> None:
    """Quoted YAML strings can carry control characters; Graphviz refuses them in its input."""
    text = (
        'bpr: 1\nservice: s\nvariant: "as-is\\x00\\x01\\u2028x"\nname: "Title\\x00"\n'
        'actors: {a: {name: "Ac\\x1btor"}}\n'
        'steps: [{id: x, name: "Check\\x00 it", actor: a}]\n'
    )
    as_is = bpr.loads(text)
    to_be = bpr.loads(text.replace("as-is", "to-be"))
    for dot in (process_dot(as_is), comparison_dot(as_is, to_be)):
        assert not any(ord(c) < 32 and c != "\n" for c in dot)
        ET.fromstring(convert(dot, "svg"))


def test_a_name_with_nothing_drawable_falls_back_to_the_id() -> None:
    """A name that is only a control character is empty once cleaned: Graphviz refuses an
    empty FONT element, so the lane, step, agency and title show the id instead."""
    text = (
        'bpr: 1\nservice: s\nvariant: as-is\nname: "\\x7f"\n'
        'actors: {clerk: {name: "\\x7f", agency: "\\x01"}}\n'
        'documents: {form: {name: "\\x7f"}}\n'
        "steps:\n"
        '  - {id: check, name: "\\x7f", actor: clerk, needs: [form],\n'
        '     next: [{to: sign, p: 0.5, when: "\\x7f"}, {to: end, p: 0.5, when: "\\x02"}]}\n'
        "  - {id: sign, name: Sign, actor: clerk}\n"
    )
    as_is = bpr.loads(text)
    to_be = bpr.loads(text.replace("as-is", "to-be").replace("Sign", "Sign it"))
    for dot in (process_dot(as_is), comparison_dot(as_is, to_be)):
        assert not re.search(r"<FONT[^>]*></FONT>", dot)
        svg = convert(dot, "svg")  # no Graphviz syntax error
        texts = " ".join(t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text"))
        assert "clerk" in texts and "check" in texts and "brings: form" in texts
    nodes = _svg_nodes(convert(process_dot(as_is), "svg"))
    assert nodes["lane_label_0"][0].startswith("clerk")
    assert nodes["check"][0].startswith("check")
    assert nodes["title"][0].startswith("s (as-is)")


def test_lanes_and_arrows_carry_no_internal_ids_as_tooltips() -> None:
    model = bpr.load(ROOT / "models" / "income-tax-return" / "as-is.yaml")
    root = ET.fromstring(convert(process_dot(model), "svg"))
    titles = [t.text or "" for t in root.iter(f"{SVG}title")]
    assert titles == [model.title]  # the picture's own title, nothing per object
    tips = {a.get(f"{XLINK}title", "") for a in root.iter(f"{SVG}a")}
    for tip in tips:
        assert "cluster_" not in tip and "->" not in tip and "event:" not in tip, tip
    names = {one_line(a.name) for a in model.actors.values()}
    assert names & tips  # lanes say whose they are
    first = model.steps[0]
    assert f"Start → {one_line(first.label)}" in tips  # arrows name both ends


def test_change_classes_stay_apart_in_greyscale() -> None:
    """A greyscale print keeps each change class apart: by its grey level (at least 15 apart,
    each one covering whole boxes of the greyscale PNG) and by its border style, which the
    legend shows."""
    import io

    from PIL import Image

    from bpr.comparison.diff import compare

    folder = ROOT / "models" / "property-registration"
    as_is, to_be = bpr.load(folder / "as-is.yaml"), bpr.load(folder / "to-be.yaml")
    c = compare(as_is, to_be)
    dot = comparison_dot(as_is, to_be, stacked=True, comparison=c)
    nodes = {
        line.split(" [", 1)[0].strip().strip('"'): line
        for line in dot.splitlines()
        if " [pos=" in line
    }
    samples = {
        "removed": f"a:{c.removed_steps[0]}",
        "replaced": f"a:{next(iter(c.replaced_steps.values()))[0]}",
        "added": f"b:{c.added_steps[0]}",
        "changed": f"b:{next(iter(c.changed_steps))}",
        "unchanged": f"b:{c.unchanged_steps[0]}" if c.unchanged_steps else "legend:unchanged",
    }
    fills = {k: re.search(r'fillcolor="([^"]+)"', nodes[n]).group(1) for k, n in samples.items()}
    for kind, fill in fills.items():  # the legend draws each class as its steps are drawn
        assert f'fillcolor="{fill}"' in nodes[f"legend:{kind}"], kind
    grey = Image.open(io.BytesIO(convert(dot, "png", 72))).convert("L")  # ITU-R 601-2 luma
    histogram = grey.histogram()
    levels = {}
    for kind, fill in fills.items():
        level = Image.new("RGB", (1, 1), fill).convert("L").getpixel((0, 0))
        assert histogram[level] >= 24 * 90, (kind, level)  # at least a legend box of it
        levels[kind] = level
    ordered = sorted(levels.values())
    assert all(b - a >= 15 for a, b in itertools.pairwise(ordered)), levels
    assert "dashed" in nodes["legend:removed"] and "dotted" in nodes["legend:replaced"]
    assert 'peripheries="2"' in nodes["legend:added"] and "diagonals" in nodes["legend:changed"]
    for kind, node in samples.items():  # the steps carry the border the legend shows
        style = re.search(r'style="([^"]+)"', nodes[node]).group(1)
        assert style == re.search(r'style="([^"]+)"', nodes[f"legend:{kind}"]).group(1), kind


def test_a_document_list_that_does_not_fit_says_how_many_more() -> None:
    names = ", ".join(f"d{n}: {{name: Certificate no. {n}}}" for n in range(8))
    model = bpr.loads(
        "bpr: 1\nservice: s\nvariant: as-is\nactors: {a: {name: A}}\n"
        f"documents: {{{names}}}\n"
        f"steps: [{{id: x, name: Apply, actor: a, needs: [{', '.join(f'd{n}' for n in range(8))}]}}]\n"
    )
    for detail, most in (("full", 5), ("standard", 2)):
        lines = [line.text for line in task_box(model, model.first, detail=detail).lines]
        documents = [text for text in lines if text.startswith("▤") or "Certificate" in text]
        text = " ".join(lines)
        shown_count = text.count("Certificate no")
        assert 0 < shown_count < 8 and f"+{8 - shown_count} documents" in text, lines
        assert not any(line.endswith("…") for line in lines)
        assert (
            len(
                [
                    line
                    for line in task_box(model, model.first, detail=detail).lines
                    if line.role == "documents"
                ]
            )
            <= most
        ), documents
    names_only = [line.role for line in task_box(model, model.first, detail="names").lines]
    assert names_only == ["name"]


_KILLED_WORKER = """
import os, signal, subprocess, sys, threading, time
from bpr.backend import process
process.die_with_parent()
pidfile = sys.argv[1]
def kill_me_once_started():
    while not os.path.exists(pidfile) or not open(pidfile).read().strip():
        time.sleep(0.01)
    os.kill(os.getpid(), signal.SIGKILL)
threading.Thread(target=kill_me_once_started, daemon=True).start()
process.run(["sh", "-c", f"echo $$ > {pidfile}; exec sleep 60"], timeout=120,
            stopped=RuntimeError, too_slow=RuntimeError)
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in {"Z", "X"}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a Linux parent-death signal")
def test_a_killed_worker_takes_its_graphviz_run_along(tmp_path: Path) -> None:
    # the report's workers ask for it: their child dies with them, however they die
    pidfile = tmp_path / "child.pid"
    worker = subprocess.run([sys.executable, "-c", _KILLED_WORKER, str(pidfile)], check=False)
    assert worker.returncode == -9
    child = int(pidfile.read_text())
    for _ in range(500):
        if not _alive(child):
            break
        time.sleep(0.01)
    assert not _alive(child)


def test_one_model_drawn_in_two_languages_is_headed_in_each() -> None:
    model = bpr.load(ROOT / "models" / "property-registration" / "as-is.yaml")
    english = process_dot(model)
    with use("ru"):
        russian = process_dot(model)
    assert "steps" in english and "steps" not in russian
    assert process_dot(model) == english
