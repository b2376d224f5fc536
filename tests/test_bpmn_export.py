"""bpr.bpmn.export: BPMN 2.0 that other tools open as a laid-out diagram, and nothing lost."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import bpr
from bpr.bpmn import import_bpmn, to_bpmn
from bpr.bpmn.export import bpmn_net, export_bpmn, task_type
from bpr.errors import OutputError
from bpr.files.writer import model_data

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "tools" / "bpmn"
DATA = Path(__file__).resolve().parent / "data"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
BPR = "urn:bpr:bpmn:1"
NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")

MODEL_FILES = [*sorted((ROOT / "models").glob("*/*.yaml")), DATA / "contract-example.yaml"]


def _ids(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, Path]:
    """Every shipped model and the contract's example, exported once for all the tests."""
    folder = tmp_path_factory.mktemp("bpmn")
    out = {}
    for path in MODEL_FILES:
        target = folder / f"{path.parent.name}-{path.stem}.bpmn"
        export_bpmn(bpr.load(path), target)
        out[path] = target
    return out


def _tree(path: Path):  # type: ignore[no-untyped-def]
    from lxml import etree

    return etree.parse(str(path))


def _q(namespace: str, tag: str) -> str:
    return f"{{{namespace}}}{tag}"


@pytest.mark.parametrize("path", MODEL_FILES, ids=_ids)
def test_structure_of_every_exported_model(path: Path, exported: dict[Path, Path]) -> None:
    model = bpr.load(path)
    root = _tree(exported[path]).getroot()
    [process] = root.findall(_q(BPMN, "process"))
    [participant] = root.iter(_q(BPMN, "participant"))
    assert participant.get("processRef") == process.get("id")
    assert participant.get("name") == model.title
    ids = [e.get("id") for e in root.iter() if isinstance(e.tag, str) and e.get("id")]
    assert len(ids) == len(set(ids)), "ids are unique"
    assert all(NCNAME.fullmatch(i) for i in ids), "ids are XML names"

    # One task per step (in the process, or in a phase's sub-process), of the documented
    # type, with the step's figures in bpr:step.
    tasks = {
        e.find(f"{_q(BPMN, 'extensionElements')}/{_q(BPR, 'step')}").get("id"): e
        for e in process.iter()
        if isinstance(e.tag, str) and e.tag.endswith("ask")
    }
    assert list(tasks) == [s.id for s in model.steps]
    for step in model.steps:
        element = tasks[step.id]
        assert element.tag == _q(BPMN, task_type(model, step))
        assert element.get("name") == step.label
        figures = element.find(f"{_q(BPMN, 'extensionElements')}/{_q(BPR, 'step')}")
        assert figures.get("channel") == step.channel
        assert figures.get("work") == (str(step.work) if not step.work.is_zero else None)

    # Lanes in the actors' order; every flow node in exactly one lane.
    lanes = list(process.iter(_q(BPMN, "lane")))
    actors = [
        lane.find(f"{_q(BPMN, 'extensionElements')}/{_q(BPR, 'actor')}").get("id") for lane in lanes
    ]
    used = [a for a in model.actors if any(s.actor == a for s in model.steps)]
    assert sorted(actors) == sorted(used)
    from bpr.layout.engine import lane_order

    assert actors == lane_order(model, used)
    refs = [r.text for lane in lanes for r in lane.findall(_q(BPMN, "flowNodeRef"))]
    flow_nodes = [
        e.get("id") for e in process if e.tag.endswith(("ask", "Event", "Gateway", "subProcess"))
    ]
    assert sorted(refs) == sorted(flow_nodes)

    # Events, gateways and flows.
    assert len(process.findall(_q(BPMN, "startEvent"))) == 1
    assert len(process.findall(_q(BPMN, "endEvent"))) == 1
    choices = [s for s in model.steps if s.next.kind == "choice"]
    splits = [s for s in model.steps if s.next.kind == "parallel"]
    joins = [s for s in model.steps if s.join == "all"]
    xor = [g for g in process.iter(_q(BPMN, "exclusiveGateway")) if g.get("name")]
    assert len(xor) == len(choices)
    assert len(list(process.iter(_q(BPMN, "parallelGateway")))) == len(splits) + len(joins)
    branches = [
        b
        for f in process.iter(_q(BPMN, "sequenceFlow"))
        for b in f.findall(f"{_q(BPMN, 'extensionElements')}/{_q(BPR, 'branch')}")
    ]
    assert sorted(float(b.get("p")) for b in branches) == pytest.approx(
        sorted(b.p for s in choices for b in s.next.branches)
    )
    # No task or end event is reached by two flows (bpmnlint's fake-join): merges do that.
    targets = [f.get("targetRef") for f in process.iter(_q(BPMN, "sequenceFlow"))]
    for node in process.iter():
        if isinstance(node.tag, str) and node.tag.endswith(("ask", "endEvent")):
            assert targets.count(node.get("id")) == 1

    # Documents: data objects and one input or output association per need and product.
    objects = process.findall(_q(BPMN, "dataObject"))
    assert len(objects) == len(model.documents)
    inputs = list(process.iter(_q(BPMN, "dataInputAssociation")))
    outputs = list(process.iter(_q(BPMN, "dataOutputAssociation")))
    assert len(inputs) == sum(len(s.needs) for s in model.steps)
    assert len(outputs) == sum(len(s.produces) for s in model.steps)


@pytest.mark.parametrize("path", MODEL_FILES, ids=_ids)
def test_diagram_interchange_is_complete_and_laid_out(
    path: Path, exported: dict[Path, Path]
) -> None:
    root = _tree(exported[path]).getroot()
    [process] = root.findall(_q(BPMN, "process"))
    shapes = {}
    for shape in root.iter(_q(BPMNDI, "BPMNShape")):
        b = shape.find(_q(DC, "Bounds"))
        shapes[shape.get("bpmnElement")] = tuple(
            float(b.get(k)) for k in ("x", "y", "width", "height")
        )
    edges = {e.get("bpmnElement"): e for e in root.iter(_q(BPMNDI, "BPMNEdge"))}
    flow_nodes = [e for e in process if e.tag.endswith(("ask", "Event", "Gateway"))]
    for node in flow_nodes:
        assert node.get("id") in shapes, f"no shape for {node.get('id')}"
    for ref in process.findall(_q(BPMN, "dataObjectReference")):
        assert ref.get("id") in shapes
    for flow in process.findall(_q(BPMN, "sequenceFlow")):
        points = edges[flow.get("id")].findall(_q(DI, "waypoint"))
        assert len(points) >= 2
    for association in [
        *process.iter(_q(BPMN, "dataInputAssociation")),
        *process.iter(_q(BPMN, "dataOutputAssociation")),
    ]:
        assert association.get("id") in edges

    # Lanes: full width, stacked top to bottom without gaps, inside the pool.
    [participant] = root.iter(_q(BPMN, "participant"))
    px, py, pw, ph = shapes[participant.get("id")]
    lanes = [shapes[lane.get("id")] for lane in process.iter(_q(BPMN, "lane"))]
    assert lanes[0][1] == py and lanes[-1][1] + lanes[-1][3] == pytest.approx(py + ph)
    for (_, y, _, h), below in itertools.pairwise(lanes):
        assert below[1] == pytest.approx(y + h)
    assert all(x == px + 30 and x + w == pytest.approx(px + pw) for x, _, w, _ in lanes)

    # Every node inside its lane, and no two nodes on top of each other: not a pile.
    lane_of = {
        r.text: lane.get("id")
        for lane in process.iter(_q(BPMN, "lane"))
        for r in lane.findall(_q(BPMN, "flowNodeRef"))
    }
    boxes = []
    for node in flow_nodes:
        x, y, w, h = shapes[node.get("id")]
        lx, ly, lw, lh = shapes[lane_of[node.get("id")]]
        assert lx + 30 <= x and x + w <= lx + lw and ly <= y and y + h <= ly + lh, node.get("id")
        boxes.append((x, y, w, h))
    for ref in process.findall(_q(BPMN, "dataObjectReference")):
        boxes.append(shapes[ref.get("id")])
    for i, (x, y, w, h) in enumerate(boxes):
        for x2, y2, w2, h2 in boxes[i + 1 :]:
            assert x + w <= x2 or x2 + w2 <= x or y + h <= y2 or y2 + h2 <= y, "shapes overlap"
    assert len({(round(b[0]), round(b[1])) for b in boxes}) == len(boxes)


@pytest.mark.parametrize("path", MODEL_FILES, ids=_ids)
def test_export_then_import_gives_the_same_model(path: Path, exported: dict[Path, Path]) -> None:
    model = bpr.load(path)
    result = import_bpmn(exported[path])
    back = result.model
    assert result.warnings == []
    assert bpr.measure(back) == bpr.measure(model)

    def step_facts(m: bpr.Model) -> list[tuple[object, ...]]:
        return [
            (s.id, s.actor, s.name, s.channel, s.work, s.wait, s.fee, s.needs, s.produces,
             s.next.kind, s.next.branches, s.join, s.replaces)
            for s in m.steps
        ]  # fmt: skip

    assert step_facts(back) == step_facts(model)
    assert back.actors == model.actors and list(back.actors) == list(model.actors)
    assert back.documents == model.documents
    assert (back.service, back.variant, back.name, back.maturity, back.volume) == (
        model.service, model.variant, model.name, model.maturity, model.volume,
    )  # fmt: skip
    assert (back.currency, back.tariff, back.sources) == (
        model.currency,
        model.tariff,
        model.sources,
    )
    # Everything the file holds, its lint settings included: the model writer writes the same.
    assert model_data(back) == model_data(model)


def test_pm4py_reads_every_export(exported: dict[Path, Path]) -> None:
    pm4py = pytest.importorskip("pm4py")
    for path, target in exported.items():
        model = bpr.load(path)
        graph = pm4py.read_bpmn(str(target))
        names = sorted(n.get_name() for n in graph.get_nodes() if type(n).__name__.endswith("Task"))
        assert names == sorted(s.label for s in model.steps), path


def _node_or_fail() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed; the BPMN toolchain needs it (run scripts/setup.sh)")
    for package in ("bpmn-moddle", "bpmnlint"):
        if not (TOOLS / "node_modules" / package).is_dir():
            pytest.fail(
                f"the npm package {package} is missing under tools/bpmn; run "
                "'cd tools/bpmn && npm install' (scripts/setup.sh does it)"
            )
    return node


@pytest.mark.node
def test_bpmn_io_toolchain_accepts_every_export(exported: dict[Path, Path]) -> None:
    """bpmn-moddle parses each file without a warning; bpmnlint's recommended rules report
    nothing at all (no error, no warning)."""
    node = _node_or_fail()
    files = [str(p) for p in exported.values()]
    run = subprocess.run(
        [node, str(TOOLS / "check.mjs"), *files], capture_output=True, text=True, timeout=120
    )
    reports = json.loads(run.stdout)
    assert len(reports) == len(files)
    for report in reports:
        assert report["parsed"], report
        assert report["warnings"] == [], report
        assert report["lint"] == [], report
    assert run.returncode == 0, run.stderr


@pytest.mark.node
def test_bpmn_io_toolchain_flags_a_broken_file(tmp_path: Path) -> None:
    """The toolchain check can fail: a file with a task that no flow reaches is reported."""
    node = _node_or_fail()
    broken = tmp_path / "broken.bpmn"
    broken.write_text(
        f'<definitions xmlns="{BPMN}" id="d" targetNamespace="urn:x"><process id="p">'
        '<startEvent id="s"/><task id="t"/><unknownElement id="u"/></process></definitions>'
    )
    run = subprocess.run(
        [node, str(TOOLS / "check.mjs"), str(broken)], capture_output=True, text=True, timeout=60
    )
    [report] = json.loads(run.stdout)
    assert run.returncode == 1
    assert report["warnings"] or any(r["category"] == "error" for r in report["lint"])


@pytest.mark.browser
@pytest.mark.node
def test_bpmn_js_draws_an_export(tmp_path: Path, exported: dict[Path, Path]) -> None:
    """bpmn-js (the canvas of Camunda Modeler) imports the file without a warning and draws it."""
    node = _node_or_fail()
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.fail("chromium is not installed; scripts/setup.sh installs it")
    if not (TOOLS / "node_modules" / "bpmn-js").is_dir():
        pytest.fail("the npm package bpmn-js is missing under tools/bpmn; run npm install there")
    source = exported[DATA / "contract-example.yaml"]
    png = tmp_path / "contract.png"
    run = subprocess.run(
        [node, str(TOOLS / "render.mjs"), str(source), str(png), "--chromium", chromium],
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = json.loads(run.stdout)
    assert report["error"] is None and report["warnings"] == [], report
    assert png.stat().st_size > 10_000


def test_task_types() -> None:
    model = bpr.loads(
        "bpr: 1\nservice: s\nvariant: as-is\n"
        "actors: {me: {name: Me, kind: applicant}, clerk: {name: Clerk},"
        " register: {name: Register, kind: system}}\n"
        "steps:\n"
        "  - {id: a, actor: me}\n"
        "  - {id: b, actor: clerk, channel: in-person}\n"
        "  - {id: c, actor: clerk, channel: automatic}\n"
        "  - {id: d, actor: clerk, channel: post}\n"
        "  - {id: e, actor: clerk, channel: online}\n"
        "  - {id: f, actor: clerk}\n"
        "  - {id: g, actor: register}\n"
    )
    assert [task_type(model, s) for s in model.steps] == [
        "userTask", "userTask", "serviceTask", "manualTask", "task", "task", "serviceTask",
    ]  # fmt: skip


def test_merge_gateways_before_tasks_reached_twice() -> None:
    model = bpr.loads(
        "bpr: 1\nservice: s\nvariant: as-is\nactors: {a: {name: A}}\n"
        "steps:\n"
        "  - {id: fill, actor: a}\n"
        "  - {id: check, actor: a, next: [{to: fill, p: 0.2}, {to: end, p: 0.8}]}\n"
    )
    net = bpmn_net(model).net
    merge = [n for n in net.nodes if n.kind == "merge"]
    assert [n.id for n in merge] == ["merge:fill"]
    assert sorted((e.source, e.target) for e in net.edges if e.target.startswith("merge:fill")) == [
        ("event:start", "merge:fill"),
        ("xor:check", "merge:fill"),
    ]


def test_hostile_names_survive_the_round_trip() -> None:
    text = (
        "bpr: 1\nservice: s\nvariant: as-is\n"
        "actors: {a: {name: '<Clerk> & \"Co\" ]]>', agency: 'A & B <x>'}}\n"
        "documents: {d: {name: \"Form 'A' </bpmn:definitions>\", issuer: a}}\n"
        'sources: ["two  spaces\\nand a second line"]\n'
        "steps:\n"
        "  - {id: x, name: 'Check <b>bold</b> & ✅ שלום', actor: a, needs: [d]}\n"
        '  - {id: y, name: "Two  spaces\\nand a line", actor: a}\n'
    )
    model = bpr.loads(text)
    xml = to_bpmn(model)
    back = import_bpmn(xml, file="h.bpmn").model
    assert [s.name for s in back.steps] == [s.name for s in model.steps]
    assert back.sources == model.sources == ("two  spaces\nand a second line",)
    assert back.actors == model.actors
    assert back.documents == model.documents


def test_control_characters_are_left_out_not_a_crash() -> None:
    """Quoted YAML strings can carry control characters, which XML cannot hold at all."""
    text = (
        'bpr: 1\nservice: s\nvariant: "as-is\\x01"\nname: "Title \\x07bell"\n'
        'sources: ["one\\x00"]\n'
        'actors: {a: {name: "Ac\\x1btor", agency: "Ag\\x0cency"}, idle: {name: "Id\\x02le"}}\n'
        'documents: {d: {name: "Form\\x08", issuer: idle}}\n'
        "steps:\n"
        '  - {id: x, name: "Check\\x00 it", actor: a, needs: [d]}\n'
        '  - {id: y, actor: a, next: [{to: x, p: 0.5, when: "again\\x03"}, {to: end, p: 0.5}]}\n'
    )
    model = bpr.loads(text)
    back = import_bpmn(to_bpmn(model), file="c.bpmn").model
    assert back.name == "Title bell" and back.sources == ("one",)
    assert [s.name for s in back.steps] == ["Check it", "y"]
    assert [a.name for a in back.actors.values()] == ["Actor", "Idle"]
    assert back.actors["a"].agency == "Agency" and back.documents["d"].name == "Form"
    assert back.step("y").next.branches[0].when == "again"
    assert bpr.measure(back) == bpr.measure(model)


def test_actor_without_steps_and_unused_document_are_kept() -> None:
    model = bpr.loads(
        "bpr: 1\nservice: s\nvariant: to-be\n"
        "actors: {clerk: {name: Clerk}, registry: {name: Registry, agency: Ministry}}\n"
        "documents:\n"
        "  cert: {name: Certificate, issuer: registry, exchange: true}\n"
        "  spare: {name: Spare}\n"
        "steps: [{id: x, actor: clerk, needs: [cert]}]\n"
    )
    back = import_bpmn(to_bpmn(model), file="k.bpmn").model
    assert back.actors == model.actors
    assert back.documents == model.documents
    assert bpr.measure(back) == bpr.measure(model)


def test_no_diagram_and_golden(golden) -> None:  # type: ignore[no-untyped-def]
    model = bpr.load(DATA / "contract-example.yaml")
    xml = to_bpmn(model, diagram=False).decode()
    golden.check("bpmn/contract-example.bpmn", xml.replace(bpr.__version__, "VERSION"))
    # No layout, but a shape for every element BPMN tools draw, none on top of another.
    from lxml import etree

    root = etree.fromstring(xml.encode())
    process = root.find(_q(BPMN, "process"))
    drawn = [e.get("id") for e in process if etree.QName(e).localname not in (
        "laneSet", "dataObject", "extensionElements", "documentation")]  # fmt: skip
    drawn += [lane.get("id") for lane in root.iter(_q(BPMN, "lane"))]
    shapes = {
        s.get("bpmnElement"): tuple(float(s[0].get(k)) for k in ("x", "y", "width", "height"))
        for s in root.iter(_q(BPMNDI, "BPMNShape"))
    }
    edges = {e.get("bpmnElement") for e in root.iter(_q(BPMNDI, "BPMNEdge"))}
    assert [i for i in drawn if i not in shapes and i not in edges] == []
    boxes = [b for i, b in shapes.items() if not i.startswith(("Lane_", "Participant_"))]
    for i, (x, y, w, h) in enumerate(boxes):
        for x2, y2, w2, h2 in boxes[i + 1 :]:
            assert x + w <= x2 or x2 + w2 <= x or y + h <= y2 or y2 + h2 <= y


@pytest.mark.node
def test_an_export_without_layout_passes_the_bpmn_io_toolchain(tmp_path: Path) -> None:
    """bpmnlint's recommended rules, no-bpmndi among them, report nothing on --no-diagram."""
    node = _node_or_fail()
    files = []
    for path in MODEL_FILES:
        files.append(tmp_path / f"{path.parent.name}-{path.stem}.bpmn")
        export_bpmn(bpr.load(path), files[-1], diagram=False)
    run = subprocess.run(
        [node, str(TOOLS / "check.mjs"), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    for report in json.loads(run.stdout):
        assert report["parsed"] and report["warnings"] == [] and report["lint"] == [], report


def test_export_refuses_to_overwrite_its_input(tmp_path: Path) -> None:
    source = tmp_path / "m.yaml"
    source.write_text((DATA / "contract-example.yaml").read_text())
    model = bpr.load(source)
    with pytest.raises(OutputError, match="would overwrite the input"):
        export_bpmn(model, source)
    assert source.read_text() == (DATA / "contract-example.yaml").read_text()


@pytest.mark.parametrize(
    "name",
    [
        "bpr.bpmn",
        "bpr.bpmn.xml",
        "bpr.bpmn.extdata",
        "bpr.bpmn.export",
        "bpr.bpmn.importer",
        "bpr.bpmn.importer.state",
        "bpr.bpmn.importer.build",
    ],
)
def test_docstring_examples(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import doctest
    import importlib

    monkeypatch.chdir(ROOT)
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_two_branches_to_one_step_are_one_flow() -> None:
    model = bpr.loads(
        "bpr: 1\nservice: s\nvariant: as-is\nactors: {a: {name: A}}\n"
        "steps:\n"
        "  - {id: s, actor: a, next: [{to: t, p: 0.3, when: x}, {to: t, p: 0.2, when: y},"
        " {to: end, p: 0.5}]}\n"
        "  - {id: t, actor: a}\n"
    )
    edges = [(e.source, e.target, e.label, e.p) for e in bpmn_net(model).net.edges]
    assert ("xor:s", "t", "x / y", 0.5) in edges
    back = import_bpmn(to_bpmn(model), file="d.bpmn").model
    assert [(b.to, b.p, b.when) for b in back.step("s").next.branches] == [
        ("t", 0.5, "x / y"),
        ("end", 0.5, None),
    ]
    assert bpr.measure(back) == bpr.measure(model)


# -- phases -------------------------------------------------------------------------------------

# Application spans two lanes and Review is left two ways (back to notarise, on to
# register): groups; Delivery (issue_extract) is one block of the flow in one lane: a
# sub-process.
PHASED = {
    "get_plan": "application",
    "notarise": "application",
    "check": "review",
    "issue_extract": "delivery",
}
PHASE_NAMES = {
    "application": "Application",
    "review": "Review and decision",
    "delivery": "Delivery",
}


def _phased_model() -> bpr.Model:
    """The contract's example with three phases (PHASED)."""
    text = (DATA / "contract-example.yaml").read_text()
    declared = "".join(f"  {p}: {{name: {n}}}\n" for p, n in PHASE_NAMES.items())
    lines = text.replace("\nactors:", f"\nphases:\n{declared}\nactors:", 1).splitlines()
    out = []
    for line in lines:
        out.append(line)
        ident = line.strip().removeprefix("- id: ")
        if line.strip().startswith("- id: ") and ident in PHASED:
            out.append(f"    phase: {PHASED[ident]}")
    return bpr.loads("\n".join(out) + "\n", "phased.yaml")


@pytest.mark.parametrize("diagram", [True, False])
def test_phases_are_sub_processes_or_groups_around_their_steps(
    diagram: bool, tmp_path: Path
) -> None:
    model = _phased_model()
    xml = to_bpmn(model, diagram=diagram)
    from lxml import etree

    root = etree.fromstring(xml)
    values = {v.get("id"): v.get("value") for v in root.iter(_q(BPMN, "categoryValue"))}
    assert values == {
        "CategoryValue_application": "Application",
        "CategoryValue_review": "Review and decision",
    }
    assert etree.QName(root[0]).localname == "category"  # root elements: category first
    groups = {g.get("id"): g for g in root.iter(_q(BPMN, "group"))}
    assert [g.get("categoryValueRef") for g in groups.values()] == list(values)
    # The block: a sub-process in the process, holding the task with its own start and end.
    [sub] = root.iter(_q(BPMN, "subProcess"))
    assert (sub.get("id"), sub.get("name"), sub.getparent().tag) == (
        "SubProcess_delivery", "Delivery", _q(BPMN, "process"),
    )  # fmt: skip
    inside = {(etree.QName(e).localname, e.get("id")) for e in sub if e.get("id")}
    assert inside == {
        ("startEvent", "StartEvent_delivery"),
        ("task", "Task_issue_extract"),
        ("endEvent", "EndEvent_delivery"),
        ("sequenceFlow", "Flow_delivery_start"),
        ("sequenceFlow", "Flow_delivery_end"),
    }
    refs = [r.text for r in root.iter(_q(BPMN, "flowNodeRef"))]
    assert "SubProcess_delivery" in refs and "Task_issue_extract" not in refs
    shapes = {
        s.get("bpmnElement"): [float(s[0].get(k)) for k in ("x", "y", "width", "height")]
        for s in root.iter(_q(BPMNDI, "BPMNShape"))
    }
    for group, members in (
        ("Group_application", ["Task_get_plan", "Task_notarise", "Gateway_merge_notarise"]),
        ("Group_review", ["Task_check", "Gateway_xor_check"]),
        ("SubProcess_delivery", ["StartEvent_delivery", "Task_issue_extract", "EndEvent_delivery"]),
    ):
        gx, gy, gw, gh = shapes[group]
        for member in members:
            x, y, w, h = shapes[member]
            assert gx < x and x + w < gx + gw and gy < y and y + h < gy + gh, (group, member)
    # The sub-process inside the lane of its steps.
    _, sy, _, sh = shapes["SubProcess_delivery"]
    _, ly, _, lh = shapes["Lane_cadastre"]
    assert ly <= sy and sy + sh <= ly + lh
    if diagram:  # laid out: the next step of no phase stands outside the group
        gx, _, gw, _ = shapes["Group_review"]
        assert shapes["Task_register"][0] >= gx + gw
    # Back again: the same phases, and no warning about bpr's own groups.
    result = import_bpmn(xml, file="phased.bpmn")
    assert result.warnings == []
    assert model_data(result.model) == model_data(model)
    assert {s.id: s.phase for s in result.model.steps} == {
        s.id: PHASED.get(s.id) for s in model.steps
    }
    assert [p.name for p in result.model.phases.values()] == list(PHASE_NAMES.values())
    if diagram:
        path = tmp_path / "phased.bpmn"
        path.write_bytes(xml)
        node = shutil.which("node")
        if node is not None and (TOOLS / "node_modules" / "bpmnlint").is_dir():
            run = subprocess.run(
                [node, str(TOOLS / "check.mjs"), str(path)],
                capture_output=True, text=True, timeout=60,
            )  # fmt: skip
            [report] = json.loads(run.stdout)
            assert report["warnings"] == [] and report["lint"] == [], report


def test_fields_of_a_later_format_in_bpr_data_are_named_and_left_out() -> None:
    from lxml import etree

    root = etree.fromstring(to_bpmn(bpr.load(DATA / "contract-example.yaml"), diagram=False))
    [step] = [e for e in root.iter(_q(BPR, "step")) if e.get("id") == "check"]
    data = etree.SubElement(step, _q(BPR, "data"))
    etree.SubElement(data, _q(BPR, "text"), key="colour").text = "red"
    result = import_bpmn(etree.tostring(root), file="later.bpmn")
    [said] = result.warnings
    assert said.message.startswith("bpr:data of task 'Check the application' (id Task_check")
    assert "the field 'colour', which this version of bpr's format does not have" in said.message
    assert "red" not in result.text
    assert bpr.measure(result.model) == bpr.measure(bpr.load(DATA / "contract-example.yaml"))


@pytest.mark.parametrize("diagram", [True, False])
def test_a_phase_group_is_drawn_by_the_rule_of_the_diagrams(diagram: bool) -> None:
    """The group of a phase encloses its elements as bpr's own diagrams draw a phase
    (bpr.layout.phases): PHASE_PAD at the sides and below, a strip of PHASE_LABEL above
    for the name; where that strip is crossed, the name goes in a strip added below."""
    from lxml import etree

    from bpr.layout.phases import PHASE_LABEL, PHASE_PAD

    root = etree.fromstring(to_bpmn(_phased_model(), diagram=diagram))
    shapes = {s.get("bpmnElement"): s for s in root.iter(_q(BPMNDI, "BPMNShape"))}

    def box(element: etree._Element) -> tuple[float, float, float, float]:
        x, y, w, h = (float(element.get(k)) for k in ("x", "y", "width", "height"))
        return x, y, x + w, y + h

    for group, members in (
        ("Group_application", ["Task_get_plan", "Task_notarise", "Gateway_merge_notarise"]),
        ("Group_review", ["Task_check", "Gateway_xor_check"]),
    ):
        left, top, right, bottom = box(shapes[group][0])
        inside = [box(shapes[m][0]) for m in members]
        assert left == min(b[0] for b in inside) - PHASE_PAD
        assert right == max(b[2] for b in inside) + PHASE_PAD
        assert top == min(b[1] for b in inside) - PHASE_LABEL - 2
        low = max(b[3] for b in inside)
        nx, ny, nr, nb = box(shapes[group].find(f"{_q(BPMNDI, 'BPMNLabel')}/{_q(DC, 'Bounds')}"))
        assert left < nx and nr < right and nb - ny == PHASE_LABEL - 2
        if ny < min(b[1] for b in inside):  # the name above the elements
            assert bottom == low + PHASE_PAD and ny == top + 1
        else:  # the name below them, in the strip added for it
            assert bottom == low + PHASE_PAD + PHASE_LABEL + 2 and ny == low + PHASE_PAD + 1
    # Review's strip above is crossed by the flow from the applicant's lane: its name is below.
    _, review_top, _, _ = box(shapes["Group_review"][0])
    label = shapes["Group_review"].find(f"{_q(BPMNDI, 'BPMNLabel')}/{_q(DC, 'Bounds')}")
    assert float(label.get("y")) > review_top + PHASE_LABEL


# A phase that is one block of the flow across two lanes (Clerk, Head).
ACROSS = """bpr: 1
service: s
variant: as-is
phases:
  review: {name: Review}
actors:
  front: {name: Front office}
  clerk: {name: Clerk}
  head: {name: Head}
steps:
  - {id: apply, actor: front, work: 10m}
  - {id: check, actor: clerk, work: 1h, phase: review}
  - {id: sign, actor: head, work: 15m, wait: 1d, phase: review}
  - {id: hand_over, actor: front, work: 5m}
"""


def _lane_refs(root) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    return {
        lane.get("id"): [r.text for r in lane.iter(_q(BPMN, "flowNodeRef"))]
        for lane in root.iter(_q(BPMN, "lane"))
    }


@pytest.mark.parametrize("diagram", [True, False])
def test_a_one_block_phase_across_lanes_is_a_sub_process_over_them(
    diagram: bool, tmp_path: Path
) -> None:
    from lxml import etree

    model = bpr.loads(ACROSS, "across.yaml")
    xml = to_bpmn(model, diagram=diagram)
    root = etree.fromstring(xml)
    [sub] = root.iter(_q(BPMN, "subProcess"))
    assert sub.get("id") == "SubProcess_review" and not list(root.iter(_q(BPMN, "group")))
    assert {e.get("id") for e in sub if etree.QName(e).localname == "task"} == {
        "Task_check", "Task_sign",
    }  # fmt: skip
    # The sub-process in the lane of its first task; each task in its own lane as well.
    refs = _lane_refs(root)
    assert refs["Lane_clerk"] == ["SubProcess_review", "Task_check"]
    assert refs["Lane_head"] == ["Task_sign"]
    assert "SubProcess_review" not in refs["Lane_front"] + refs["Lane_head"]
    shapes = {
        s.get("bpmnElement"): [float(s[0].get(k)) for k in ("x", "y", "width", "height")]
        for s in root.iter(_q(BPMNDI, "BPMNShape"))
    }
    sx, sy, sw, sh = shapes["SubProcess_review"]
    for task, lane in (("Task_check", "Lane_clerk"), ("Task_sign", "Lane_head")):
        x, y, w, h = shapes[task]
        _, ly, _, lh = shapes[lane]
        assert sx < x and x + w < sx + sw and sy < y and y + h < sy + sh
        assert ly <= y and y + h <= ly + lh  # the task stays drawn in its lane
    _, clerk_top, _, _ = shapes["Lane_clerk"]
    _, head_top, _, head_height = shapes["Lane_head"]
    assert clerk_top <= sy and sy + sh <= head_top + head_height  # within the two lanes
    for outside in ("Task_apply", "Task_hand_over"):
        x, _, w, _ = shapes[outside]
        assert x + w < sx or x > sx + sw
    # Back again: the same actors, phases and measures, without a warning.
    result = import_bpmn(xml, file="across.bpmn")
    assert result.warnings == []
    assert model_data(result.model) == model_data(model)
    assert bpr.measure(result.model) == bpr.measure(model)
    node = shutil.which("node")
    if diagram and node is not None and (TOOLS / "node_modules" / "bpmnlint").is_dir():
        path = tmp_path / "across.bpmn"
        path.write_bytes(xml)
        run = subprocess.run(
            [node, str(TOOLS / "check.mjs"), str(path)], capture_output=True, text=True, timeout=60
        )
        [report] = json.loads(run.stdout)
        assert report["warnings"] == [] and report["lint"] == [], report


@pytest.mark.parametrize("diagram", [True, False])
def test_a_phase_across_lanes_that_would_cover_another_element_stays_a_group(
    diagram: bool,
) -> None:
    """A branch that goes round the phase has its step in the lane between the phase's two
    lanes: a sub-process over those lanes would seem to hold it, so the phase is a group."""
    from lxml import etree

    text = ACROSS.replace(
        "  clerk: {name: Clerk}\n", "  clerk: {name: Clerk}\n  deputy: {name: Deputy}\n"
    ).replace(
        "  - {id: apply, actor: front, work: 10m}\n",
        "  - {id: apply, actor: front, work: 10m, next: [{to: check, p: 0.8},"
        " {to: fast, p: 0.2}]}\n",
    )
    text = text.replace(
        "phase: review}\n  - {id: sign", "phase: review, next: sign}\n  - {id: sign"
    ).replace(
        "  - {id: sign, actor: head, work: 15m, wait: 1d, phase: review}\n",
        "  - {id: fast, actor: deputy, work: 5m, next: hand_over}\n"
        "  - {id: sign, actor: head, work: 15m, wait: 1d, phase: review, next: hand_over}\n",
    )
    model = bpr.loads(text, "around.yaml")
    root = etree.fromstring(to_bpmn(model, diagram=diagram))
    assert not list(root.iter(_q(BPMN, "subProcess")))
    assert [g.get("id") for g in root.iter(_q(BPMN, "group"))] == ["Group_review"]
    result = import_bpmn(to_bpmn(model, diagram=diagram), file="around.bpmn")
    assert model_data(result.model) == model_data(model)
