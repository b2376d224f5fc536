"""bpr.bpmn.importer: BPMN 2.0 of other tools into models; hostile and broken files refused."""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

import bpr
from bpr.bpmn import BpmnError, import_bpmn
from bpr.bpmn.export import to_bpmn

DATA = Path(__file__).resolve().parent / "data" / "bpmn"
REFERENCE = (
    Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "bpmn-miwg-reference"
)
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"

# Steps, actors and documents expected of each file of the BPMN Model Interchange Working
# Group's reference set, worked out from the files and their pictures (*.png beside them):
# the pool with the most activities is imported; tasks, call activities and collapsed
# sub-processes are one step each, expanded sub-processes are flattened; "+N" are steps the
# import adds for gateways that have no task before or after them (a choice right after the
# start, a split right after a decision, a join right before the end), and for parallel
# branches that end at separate end events (they meet in an added join before the end).
EXPECTED = {
    # 3 tasks in sequence, no lanes: one actor named after the process.
    "A.1.0": (3, 1, 0),
    # Tasks 1-4; the split's three branches.
    "A.2.0": (4, 1, 0),
    "A.2.1": (4, 1, 0),
    # Tasks 1-4 and the collapsed sub-process with its two boundary events.
    "A.3.0": (5, 1, 0),
    # The laned pool: Tasks 3, 4 (in sub-process 1), 5, 6 (in sub-process 2) +1 join; lanes 1, 2.
    "A.4.0": (5, 2, 0),
    "A.4.1": (5, 2, 0),
    # Pool: 3 call activities, collapsed sub-process, User Task 5, Service Task 7, Abstract
    # Task 6 (expanded sub-process) +3 (the split after the start, the decision right in its
    # branch, the join of branches that end apart); the data object.
    "B.1.0": (10, 2, 1),
    # Pool: 22 activities over two lanes, less the expanded call activity, plus the 3
    # activities of the process it calls (read in its place), +1 (the choice between the
    # two start events).
    "B.2.0": (25, 2, 0),
    # Process engine pool: 5 tasks in 3 lanes.
    "C.1.0": (5, 3, 0),
    # No lanes: the 3 task owners (potentialOwner) and the process for the service task;
    # 3 data objects.
    "C.1.1": (5, 4, 3),
    # Customer pool: 4 tasks (Pay Order inside the expanded Checkout).
    "C.2.0": (4, 1, 0),
    # 4 user tasks and the repair sub-process; the user lane and the process.
    "C.3.0": (5, 2, 0),
    # Money Bank pool: 12 user and manual tasks in 2 lanes.
    "C.4.0": (12, 2, 0),
    # Bank pool: 17 tasks in 3 lanes; ID document and customer data (their states merged).
    "C.5.0": (17, 3, 2),
    # 12 service and send tasks less the 2 compensation tasks, +2 (split and join hang on no
    # task); travel request and itinerary.
    "C.6.0": (12, 1, 2),
    # 6 tasks +2 (split after a decision, join before the end); 4 data objects.
    "C.7.0": (8, 2, 4),
    # 9 tasks; the data objects and the process's data inputs and outputs.
    "C.8.0": (9, 1, 6),
    "C.8.1": (9, 1, 8),
    # 10 tasks less the 2 inside event sub-processes.
    "C.9.0": (8, 1, 0),
    "C.9.1": (4, 1, 0),
    # One task; the other three lie in event sub-processes.
    "C.9.2": (1, 1, 0),
}

ACTIVITY_TAGS = {
    "task", "userTask", "manualTask", "serviceTask", "scriptTask", "businessRuleTask",
    "sendTask", "receiveTask", "callActivity", "subProcess", "transaction", "adHocSubProcess",
}  # fmt: skip


def reference_files() -> list[Path]:
    return sorted(REFERENCE.glob("*.bpmn")) if REFERENCE.is_dir() else []


@pytest.fixture(scope="module")
def imported() -> dict[str, object]:
    if not REFERENCE.is_dir():
        pytest.skip("shared/data/bpmn-miwg-reference is not beside this checkout")
    return {f.stem: import_bpmn(f) for f in reference_files()}


def test_every_reference_file_is_in_the_table() -> None:
    if not REFERENCE.is_dir():
        pytest.skip("shared/data/bpmn-miwg-reference is not beside this checkout")
    assert sorted(f.stem for f in reference_files()) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_reference_file_imports_with_expected_counts(name: str, imported: dict) -> None:
    result = imported[name]
    model = result.model
    assert (len(model.steps), len(model.actors), len(model.documents)) == EXPECTED[name]
    # The YAML text is the model: it loads by itself.
    again = bpr.loads(result.text)
    assert bpr.measure(again) == bpr.measure(model)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_no_activity_is_dropped_silently(name: str, imported: dict) -> None:
    """Every activity of the file is a step of the model, or a warning names it by its id."""
    from lxml import etree

    result = imported[name]
    tree = etree.parse(str(REFERENCE / f"{name}.bpmn"))
    names = {s.name for s in result.model.steps}
    said = " ".join(w.message for w in result.warnings) + result.text  # phases included
    for element in tree.iter(*(f"{{{BPMN}}}{t}" for t in ACTIVITY_TAGS)):
        inner = [c for c in element if etree.QName(c).localname in ACTIVITY_TAGS]
        label = " ".join((element.get("name") or "").split())
        if inner and etree.QName(element).localname != "callActivity" and label not in names:
            continue  # an expanded sub-process: its own activities are checked
        phase = f"name: {label}" in said or f'name: "{label}"' in said
        assert label in names or element.get("id") in said or f"'{label}'" in said or phase, (
            f"{name}: {etree.QName(element).localname} {label!r} ({element.get('id')}) is "
            "neither a step nor named in a warning"
        )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_warnings_give_file_line_and_id(name: str, imported: dict) -> None:
    for warning in imported[name].warnings:
        assert warning.severity == "warning"
        assert warning.file.endswith(f"{name}.bpmn")
        text = str(warning)
        assert re.match(rf".*{re.escape(name)}\.bpmn(:\d+:\d+)?: warning: ", text)
        if "id " in warning.message:
            assert warning.line > 0, text


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_import_then_export_keeps_every_task(name: str, imported: dict) -> None:
    """Export the imported model and read it again: the same model comes back."""
    from lxml import etree

    model = imported[name].model
    xml = to_bpmn(model)
    root = etree.fromstring(xml)
    tasks = [
        e.get("name")
        for e in root.iter()
        if isinstance(e.tag, str) and etree.QName(e).localname.endswith("ask")
    ]
    assert sorted(tasks) == sorted(s.name for s in model.steps)
    again = import_bpmn(xml, file=f"{name}-again.bpmn")
    assert again.warnings == []
    assert [s.id for s in again.model.steps] == [s.id for s in model.steps]
    assert [(s.next.kind, s.next.targets) for s in again.model.steps] == [
        (s.next.kind, s.next.targets) for s in model.steps
    ]
    for ours, theirs in zip(again.model.steps, model.steps, strict=True):
        assert [b.p for b in ours.next.branches] == pytest.approx(
            [b.p for b in theirs.next.branches]
        )
    first, second = bpr.measure(again.model).as_dict(), bpr.measure(model).as_dict()
    assert first == pytest.approx(second)


def _task_flows(xml: bytes) -> set[tuple[str, str]]:
    """(task, task) pairs, by name, with a path from one to the other through gateways and
    events only; the start event is "start", end events are "end"."""
    from lxml import etree

    root = etree.fromstring(xml)
    process = max(  # the pool the import takes: the one with the most tasks
        root.iter(f"{{{BPMN}}}process"),
        key=lambda p: sum(1 for e in p.iter() if _is_task(etree.QName(e).localname)),
    )
    kinds = {}
    for element in process.iter():
        if isinstance(element.tag, str) and element.get("id"):
            kind = etree.QName(element).localname
            name = " ".join((element.get("name") or "").split())
            kinds[element.get("id")] = (kind, "start" if kind == "startEvent" else name)
    out: dict[str, list[str]] = {}
    for flow in process.iter(f"{{{BPMN}}}sequenceFlow"):
        out.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
    pairs = set()
    for node, (kind, name) in kinds.items():
        if not _is_task(kind) and kind != "startEvent":
            continue
        stack, seen = list(out.get(node, [])), set()
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            kind2, name2 = kinds[current]
            if _is_task(kind2):
                pairs.add((name, name2))
            elif kind2 == "endEvent":
                pairs.add((name, "end"))
            else:
                stack.extend(out.get(current, []))
    return pairs


@pytest.mark.parametrize("name", ["A.1.0", "A.2.0", "A.2.1", "C.1.0", "C.4.0", "C.5.0"])
def test_import_then_export_keeps_the_flows(name: str, imported: dict) -> None:
    """Where the format holds the process as it is, the export links the same tasks."""
    original = (REFERENCE / f"{name}.bpmn").read_bytes()
    exported = to_bpmn(imported[name].model)
    assert _task_flows(exported) == _task_flows(original)


def _is_task(kind: str) -> bool:
    return kind.endswith("ask") or kind == "callActivity"


def _forks(xml: bytes) -> dict[str, int]:
    """Gateways with more than one way out, by type, in the pool with the most tasks."""
    from lxml import etree

    root = etree.fromstring(xml)
    process = max(
        root.iter(f"{{{BPMN}}}process"),
        key=lambda p: sum(1 for e in p.iter() if etree.QName(e).localname.endswith("ask")),
    )
    sources = [f.get("sourceRef") for f in process.iter(f"{{{BPMN}}}sequenceFlow")]
    counts: dict[str, int] = {}
    for element in process.iter():
        kind = etree.QName(element).localname if isinstance(element.tag, str) else ""
        if kind.endswith("Gateway") and sources.count(element.get("id")) > 1:
            counts[kind] = counts.get(kind, 0) + 1
    return counts


@pytest.mark.parametrize("name", ["A.2.0", "A.2.1", "C.1.0", "C.5.0"])
def test_import_then_export_keeps_every_gateway(name: str, imported: dict) -> None:
    """Every decision and split comes back (A.2.1's conditional flows out of tasks become
    gateways of their own, so it has more)."""
    original = _forks((REFERENCE / f"{name}.bpmn").read_bytes())
    exported = _forks(to_bpmn(imported[name].model))
    assert original
    for kind, count in original.items():
        assert exported.get(kind, 0) >= count, kind


# -- hand-made files -------------------------------------------------------------------------


def test_permit_golden(golden) -> None:  # type: ignore[no-untyped-def]
    result = import_bpmn(DATA / "permit.bpmn")
    golden.check("bpmn/permit.yaml", result.text)
    model = result.model
    assert [a.name for a in model.actors.values()] == ["Citizen", "Permit office clerk"]
    check = model.step("check_the_application")
    assert check.next.kind == "choice"
    assert [(b.to, b.p, b.when) for b in check.next.branches] == [
        ("issue_the_permit", 0.5, "Complete? yes"),
        ("complete_the_missing_papers", 0.5, "Complete? no"),
    ]
    assert check.needs == ("application_form",)
    assert model.step("issue_the_permit").channel == "automatic"
    [warning] = result.warnings
    assert "Gateway_complete" in warning.message and "share evenly" in warning.message
    assert warning.line == 47


def test_approximations_golden(golden) -> None:  # type: ignore[no-untyped-def]
    result = import_bpmn(DATA / "approximations.bpmn")
    golden.check("bpmn/approximations.yaml", result.text)
    said = "\n".join(str(w) for w in result.warnings)
    golden.check("bpmn/approximations.warnings.txt", said.replace(str(DATA) + "/", "") + "\n")
    model = result.model
    # Branches that end at separate end events meet in an added join before the end.
    first = model.first
    assert first.next.kind == "parallel"
    join = model.step("all_branches_done")
    assert join.join == "all" and join.work.is_zero
    # The link pair is followed: scanning leads to filing.
    assert model.step("scan_the_papers").next.targets == ("file_the_papers",)
    # The collapsed sub-process is one step; the event sub-process and the orphan are named.
    assert "send_the_invoice" in model
    for ident in ("answer", "orphan", "invoice_inner", "timeout", "wait", "which"):
        assert f"id {ident}," in said, ident


def test_parallel_branches_that_share_a_task_become_a_choice_with_a_warning() -> None:
    """Two parallel branches meet at a task before the join: the format's rule that branches
    share no step cannot hold it, so the split is approximated (it used to ask for a bug
    report, because the importer's copy of the rule lacked that one)."""
    result = import_bpmn(DATA / "shared-branch-step.bpmn")
    [warning] = result.warnings
    assert warning.line == 9 and warning.severity == "warning"
    assert warning.message == (
        "the parallel split after task 'Receive the application' (line 9) does not close with "
        "one join as the format needs (two of its branches share task 'Record the checks' "
        "(line 13) before the join); imported as an exclusive choice"
    )
    model = bpr.loads(result.text)
    receive = model.step("receive_the_application")
    assert receive.next.kind == "choice"
    assert receive.next.targets == ("check_identity", "check_address", "take_the_fee")
    assert model.step("record_the_checks").next.targets == ("issue_the_permit",)
    assert model.step("issue_the_permit").join is None
    assert "approximated as a choice" in result.text


def _bpmn(body: str, *, lanes: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<definitions xmlns="{BPMN}" id="d" targetNamespace="urn:x">\n'
        f'<process id="p" name="Test">{lanes}{body}</process>\n</definitions>\n'
    ).encode()


def _flows(*pairs: str) -> str:
    out = []
    for i, pair in enumerate(pairs):
        source, _, rest = pair.partition(">")
        target, _, name = rest.partition("|")
        label = f' name="{name}"' if name else ""
        out.append(f'<sequenceFlow id="f{i}" sourceRef="{source}" targetRef="{target}"{label}/>')
    return "".join(out)


def test_xor_after_xor_multiplies_probabilities() -> None:
    body = (
        '<startEvent id="s"/><task id="a" name="A"/><exclusiveGateway id="g1" name="Valid?"/>'
        '<exclusiveGateway id="g2" name="Urgent?"/><task id="b" name="B"/><task id="c" name="C"/>'
        '<endEvent id="e"/>'
        + _flows("s>a", "a>g1", "g1>g2|yes", "g1>e|no", "g2>b|yes", "g2>c|no", "b>e", "c>e")
    )
    model = import_bpmn(_bpmn(body), file="t.bpmn").model
    branches = model.step("a").next.branches
    assert [(b.to, b.p, b.when) for b in branches] == [
        ("b", 0.25, "Valid? yes; Urgent? yes"),
        ("c", 0.25, "Valid? yes; Urgent? no"),
        ("end", 0.5, "Valid? no"),
    ]


def test_gateway_right_after_start_gets_an_added_first_step() -> None:
    body = (
        '<startEvent id="s"/><exclusiveGateway id="g" name="Online?"/><task id="a" name="A"/>'
        '<task id="b" name="B"/><endEvent id="e"/>'
        + _flows("s>g", "g>a|yes", "g>b|no", "a>e", "b>e")
    )
    result = import_bpmn(_bpmn(body), file="t.bpmn")
    model = result.model
    assert model.first.name == "Online?"
    assert model.first.work.is_zero and model.first.next.kind == "choice"
    assert "# added by bpr import" in result.text


def test_parallel_block_and_join_on_the_next_task() -> None:
    body = (
        '<startEvent id="s"/><task id="a" name="A"/><parallelGateway id="fork"/>'
        '<task id="b" name="B"/><task id="c" name="C"/><parallelGateway id="joined"/>'
        '<task id="d" name="D"/><endEvent id="e"/>'
        + _flows("s>a", "a>fork", "fork>b", "fork>c", "b>joined", "c>joined", "joined>d", "d>e")
    )
    result = import_bpmn(_bpmn(body), file="t.bpmn")
    model = result.model
    assert result.warnings == []
    assert model.step("a").next.kind == "parallel"
    assert model.step("a").next.targets == ("b", "c")
    assert model.step("d").join == "all"
    assert len(model.steps) == 4


def test_parallel_branches_merging_without_join_become_a_choice() -> None:
    body = (
        '<startEvent id="s"/><task id="a" name="A"/><parallelGateway id="fork"/>'
        '<task id="b" name="B"/><task id="c" name="C"/><task id="d" name="D"/><endEvent id="e"/>'
        + _flows("s>a", "a>fork", "fork>b", "fork>c", "b>d", "c>d", "d>e")
    )
    result = import_bpmn(_bpmn(body), file="t.bpmn")
    assert result.model.step("a").next.kind == "choice"
    assert any(
        "approximated" in w.message or "exclusive choice" in w.message for w in result.warnings
    )


def test_lanes_and_nested_lanes_give_actors() -> None:
    lanes = (
        '<laneSet id="ls"><lane id="L1" name="Ministry"><childLaneSet id="cls">'
        '<lane id="L2" name="Front desk"><flowNodeRef>a</flowNodeRef></lane>'
        '<lane id="L3" name="Back office"><flowNodeRef>b</flowNodeRef></lane>'
        "</childLaneSet><flowNodeRef>a</flowNodeRef><flowNodeRef>b</flowNodeRef></lane></laneSet>"
    )
    body = (
        '<startEvent id="s"/><task id="a" name="A"/><task id="b" name="B"/><endEvent id="e"/>'
        + _flows("s>a", "a>b", "b>e")
    )
    model = import_bpmn(_bpmn(body, lanes=lanes), file="t.bpmn").model
    assert {a.name for a in model.actors.values()} == {"Front desk", "Back office"}
    assert model.actors[model.step("a").actor].name == "Front desk"
    assert model.actors[model.step("b").actor].name == "Back office"


def test_cyrillic_and_hostile_names_load_back_exactly() -> None:
    names = [
        "Проверка заявления",
        'Say "yes": or no # maybe',
        "yes",
        "- leading dash",
        "a, b, [c] {d}",
        "Tab\there & <angle>",
        "Emoji ✅ and RTL שלום",
        "end",
    ]
    tasks = "".join(f'<task id="t{i}" name="{_xml_attr(n)}"/>' for i, n in enumerate(names))
    chain = ["s>t0", *[f"t{i}>t{i + 1}" for i in range(len(names) - 1)], f"t{len(names) - 1}>e"]
    body = '<startEvent id="s"/>' + tasks + '<endEvent id="e"/>' + _flows(*chain)
    result = import_bpmn(_bpmn(body), file="t.bpmn")
    model = result.model
    assert [s.name for s in model.steps] == [" ".join(n.split()) for n in names]
    assert model.steps[0].id == "proverka_zayavleniya"
    assert "end" not in [s.id for s in model.steps]
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", s.id) for s in model.steps)


def _xml_attr(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;").replace("\t", "&#9;")
    )


def test_probabilities_from_bpr_extension_are_used() -> None:
    body = (
        '<startEvent id="s"/><task id="a" name="A"/><exclusiveGateway id="g"/>'
        '<task id="b" name="B"/><endEvent id="e"/>'
        '<sequenceFlow id="f1" sourceRef="s" targetRef="a"/>'
        '<sequenceFlow id="f2" sourceRef="a" targetRef="g"/>'
        '<sequenceFlow id="f3" sourceRef="g" targetRef="b"><extensionElements>'
        '<bpr:branch xmlns:bpr="urn:bpr:bpmn:1" p="0.8" when="ok"/></extensionElements>'
        "</sequenceFlow>"
        '<sequenceFlow id="f4" sourceRef="g" targetRef="a"><extensionElements>'
        '<bpr:branch xmlns:bpr="urn:bpr:bpmn:1" p="7" when="again"/></extensionElements>'
        "</sequenceFlow>"
        '<sequenceFlow id="f5" sourceRef="b" targetRef="e"/>'
    )
    result = import_bpmn(_bpmn(body), file="t.bpmn")
    branches = result.model.step("a").next.branches
    # p=7 is not a probability: refused with a warning, the branch gets what is left.
    assert [(b.to, round(b.p, 9)) for b in branches] == [("b", 0.8), ("a", 0.2)]
    assert any('p="7"' in w.message for w in result.warnings)


def test_choose_the_pool() -> None:
    two = (
        f'<definitions xmlns="{BPMN}" id="d" targetNamespace="urn:x">'
        '<collaboration id="c"><participant id="P1" name="Citizen" processRef="p1"/>'
        '<participant id="P2" name="Agency" processRef="p2"/>'
        '<messageFlow id="m" sourceRef="a1" targetRef="b1"/></collaboration>'
        '<process id="p1"><startEvent id="s1"/><task id="a1" name="Apply"/><endEvent id="e1"/>'
        '<sequenceFlow id="x1" sourceRef="s1" targetRef="a1"/>'
        '<sequenceFlow id="x2" sourceRef="a1" targetRef="e1"/></process>'
        '<process id="p2"><startEvent id="s2"/><task id="b1" name="Receive"/>'
        '<task id="b2" name="Decide"/><endEvent id="e2"/>'
        '<sequenceFlow id="y1" sourceRef="s2" targetRef="b1"/>'
        '<sequenceFlow id="y2" sourceRef="b1" targetRef="b2"/>'
        '<sequenceFlow id="y3" sourceRef="b2" targetRef="e2"/></process></definitions>'
    ).encode()
    default = import_bpmn(two, file="t.bpmn")
    assert [s.name for s in default.model.steps] == ["Receive", "Decide"]
    said = " ".join(w.message for w in default.warnings)
    assert "--process p1" in said and "id a1" in said and "messageFlow" in said
    for wanted in ("P1", "Citizen", "p1"):
        assert [s.name for s in import_bpmn(two, file="t.bpmn", process=wanted).model.steps] == [
            "Apply"
        ]
    with pytest.raises(BpmnError, match=r"no pool or process 'Nobody'.*p1 \(Citizen\), p2"):
        import_bpmn(two, file="t.bpmn", process="Nobody")


def test_service_and_variant_options() -> None:
    body = '<startEvent id="s"/><task id="a" name="A"/>' + _flows("s>a")
    model = import_bpmn(_bpmn(body), file="t.bpmn", service="my-service", variant="to-be").model
    assert (model.service, model.variant, model.name) == ("my-service", "to-be", "Test")


def test_utf16_and_latin1_files_are_read(tmp_path: Path) -> None:
    body = '<startEvent id="s"/><task id="a" name="Prüfung"/>' + _flows("s>a")
    text = _bpmn(body).decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    assert import_bpmn(text.encode("utf-16"), file="t.bpmn").model.first.name == "Prüfung"
    text = _bpmn(body).decode().replace('encoding="UTF-8"', 'encoding="ISO-8859-1"')
    assert import_bpmn(text.encode("latin-1"), file="t.bpmn").model.first.name == "Prüfung"


# -- files that are not BPMN, broken, or hostile ---------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"<definitions><process>", r"t\.bpmn:1:\d+: malformed XML"),
        (b"<?xml version='1.0'?>\n<a>\n<b></a>", r"t\.bpmn:3:\d+: malformed XML: mismatched tag"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"/>',
            r"not a BPMN 2\.0 file: the root element is <svg>",
        ),
        (
            b'<definitions xmlns="http://schema.omg.org/spec/BPMN/2.0"/>',
            r"namespace 'http://schema\.omg\.org/spec/BPMN/2\.0'",
        ),
        (f'<definitions xmlns="{BPMN}"/>'.encode(), "has no <process>"),
        (f'<definitions xmlns="{BPMN}"><process id="p"/></definitions>'.encode(), "no activities"),
    ],
)
def test_broken_files_get_clear_errors(data: bytes, message: str) -> None:
    with pytest.raises(BpmnError, match=message):
        import_bpmn(data, file="t.bpmn")


def test_dangling_sequence_flow_names_the_flow_and_line() -> None:
    body = (
        '<startEvent id="s"/><task id="a" name="A"/>\n'
        '<sequenceFlow id="f1" sourceRef="s" targetRef="a"/>\n'
        '<sequenceFlow id="f2" sourceRef="a" targetRef="ghost"/>'
    )
    with pytest.raises(BpmnError, match=r"t\.bpmn:5: sequence flow 'f2' has targetRef='ghost'"):
        import_bpmn(_bpmn(body), file="t.bpmn")


def test_dangling_data_association_is_an_error() -> None:
    body = (
        '<startEvent id="s"/><task id="a" name="A"><dataInputAssociation id="da">'
        "<sourceRef>nothing</sourceRef></dataInputAssociation></task>" + _flows("s>a")
    )
    with pytest.raises(BpmnError, match="refers to 'nothing', which is not in the file"):
        import_bpmn(_bpmn(body), file="t.bpmn")


def test_duplicate_ids_are_an_error() -> None:
    body = '<startEvent id="s"/><task id="a" name="A"/><task id="a" name="B"/>'
    with pytest.raises(BpmnError, match="the id 'a' is used twice"):
        import_bpmn(_bpmn(body), file="t.bpmn")


@pytest.fixture
def watcher() -> Iterator[tuple[str, list[str]]]:
    """A local web server that records every request: proof that nothing is fetched."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY leak "fetched">')

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()


def _task_named(entity: str) -> str:
    return (
        f'<definitions xmlns="{BPMN}" id="d"><process id="p"><startEvent id="s"/>'
        f'<task id="a" name="{entity}"/><sequenceFlow id="f" sourceRef="s" targetRef="a"/>'
        "</process></definitions>"
    )


def test_external_entity_reading_a_local_file_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    data = (
        '<?xml version="1.0"?>\n'
        f'<!DOCTYPE definitions [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>\n'
        + _task_named("&xxe;")
    ).encode()
    with pytest.raises(BpmnError, match=r"t\.bpmn:2: the file declares a DOCTYPE") as caught:
        import_bpmn(data, file="t.bpmn")
    assert "TOP-SECRET" not in str(caught.value)


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE definitions [<!ENTITY xxe SYSTEM "{url}/leak.txt">]>',
        '<!DOCTYPE definitions [<!ENTITY % remote SYSTEM "{url}/evil.dtd"> %remote;]>',
        '<!DOCTYPE definitions SYSTEM "{url}/bpmn.dtd">',
    ],
)
def test_external_entities_and_dtds_are_never_fetched(doctype: str, watcher) -> None:  # type: ignore[no-untyped-def]
    url, requests = watcher
    data = (
        '<?xml version="1.0"?>\n' + doctype.format(url=url) + "\n" + _task_named("&xxe;")
    ).encode()
    with pytest.raises(BpmnError, match="DOCTYPE"):
        import_bpmn(data, file="t.bpmn")
    assert requests == []


def test_entity_expansion_bomb_is_refused_at_once() -> None:
    entities = ['<!ENTITY lol0 "lollollollollollollollollollol">']
    entities += [f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
    data = (
        '<?xml version="1.0"?>\n<!DOCTYPE definitions ['
        + "".join(entities)
        + "]>\n"
        + _task_named("&lol9;")
    ).encode()
    with pytest.raises(BpmnError, match="DOCTYPE"):
        import_bpmn(data, file="t.bpmn")


def test_a_missing_file_and_a_folder(tmp_path: Path) -> None:
    with pytest.raises(BpmnError, match="no such file"):
        import_bpmn(tmp_path / "missing.bpmn")
    with pytest.raises(BpmnError, match="folder"):
        import_bpmn(tmp_path)


def test_imported_yaml_is_plain_yaml() -> None:
    text = import_bpmn(DATA / "permit.bpmn").text
    data = yaml.safe_load(text)
    assert data["bpr"] == 1 and len(data["steps"]) == 4


def test_nested_sub_processes_are_flattened() -> None:
    body = (
        '<startEvent id="s"/><task id="a" name="A"/>'
        '<subProcess id="outer" name="Outer"><task id="b" name="B"/>'
        '<subProcess id="inner" name="Inner"><task id="c" name="C"/><task id="d" name="D"/>'
        '<sequenceFlow id="i1" sourceRef="c" targetRef="d"/></subProcess>'
        '<sequenceFlow id="o1" sourceRef="b" targetRef="inner"/></subProcess>'
        '<task id="e" name="E"/><endEvent id="end"/>' + _flows("s>a", "a>outer", "outer>e", "e>end")
    )
    result = import_bpmn(_bpmn(body), file="t.bpmn")
    model = result.model
    # The format's phases do not nest: the inner one's activities are in the outer phase.
    [said] = result.warnings
    assert said.message.startswith("subProcess 'Inner' (id inner, line 3) lies inside ")
    assert "in the phase 'Outer'" in said.message
    assert [s.name for s in model.steps] == ["A", "B", "C", "D", "E"]
    assert [s.next.targets for s in model.steps] == [("b",), ("c",), ("d",), ("e",), ("end",)]


def test_hundreds_of_gateways_in_a_row_are_a_clear_error() -> None:
    """Deep chains are followed recursively: past Python's limit, one message, no traceback."""
    count = 1500
    gateways = "".join(f'<exclusiveGateway id="g{i}"/>' for i in range(count))
    chain = ["s>a", "a>g0", *[f"g{i}>g{i + 1}" for i in range(count - 1)], f"g{count - 1}>b"]
    body = '<startEvent id="s"/><task id="a" name="A"/><task id="b" name="B"/>' + gateways
    with pytest.raises(BpmnError, match=r"t\.bpmn: the flow runs through hundreds of gateways"):
        import_bpmn(_bpmn(body + _flows(*chain)), file="t.bpmn")


@pytest.mark.parametrize(
    "flows",
    [
        ("s>a", "a>a", "a>e"),  # flows out of a task without a gateway all run: a never ends
        ("s>a", "a>s"),  # a flow back into the start event, and no end
    ],
)
def test_a_loop_that_never_ends_is_refused_with_the_element(flows: tuple[str, ...]) -> None:
    body = '<startEvent id="s"/>\n<task id="a" name="A"/>\n<endEvent id="e"/>' + _flows(*flows)
    with pytest.raises(BpmnError) as caught:
        import_bpmn(_bpmn(body), file="t.bpmn")
    message = str(caught.value)
    assert message.startswith("t.bpmn: the process cannot be imported")
    assert (
        "t.bpmn:4: after task 'A' (id a, line 4): no way leads from step 'a' to the end" in message
    )
    assert "report it as a bug" not in message and "a loop needs a way out" in message


def test_a_split_whose_end_join_was_undone_leaves_no_dangling_step() -> None:
    """Found by the property test: the start event and task T2 both split without a gateway;
    the split at the start was given a join before the end, then broke again when T2's split
    became a choice, and the second try deleted the join its branches still led to."""
    body = "".join(f'<task id="t{i}" name="T{i}"/>' for i in range(6)) + (
        '<startEvent id="s0"/><exclusiveGateway id="g0"/><exclusiveGateway id="g1"/>'
        '<endEvent id="e0"/>'
    )
    flows = _flows(
        "s0>t0", "t0>t1", "t1>t3", "t2>t4", "t3>t5", "t4>g0", "t5>g0", "g0>g1", "g1>e0",
        "t2>t0", "s0>t2",
    )  # fmt: skip
    result = import_bpmn(_bpmn(body + flows), file="t.bpmn")
    model = bpr.loads(result.text)
    assert model.first.next.kind == "choice" and model.first.next.targets == ("t0", "t2")
    assert model.step("t2").next.targets == ("t4", "t0")
    assert "all_branches_done" not in model
    said = [w.message for w in result.warnings]
    assert sum("imported as an exclusive choice" in m for m in said) == 2


def test_data_object_references_without_id_or_data_object() -> None:
    """A reference without a dataObjectRef is a document of its own, even beside one that has
    no id (which nothing can point to)."""
    body = (
        '<startEvent id="s"/><task id="a" name="A"><dataInputAssociation id="x">'
        "<sourceRef>r</sourceRef></dataInputAssociation></task>"
        '<dataObjectReference name="Passport"/><dataObjectReference id="r" name="Diploma"/>'
        + _flows("s>a")
    )
    model = import_bpmn(_bpmn(body), file="t.bpmn").model
    assert [model.documents[d].name for d in model.step("a").needs] == ["Diploma"]


def test_probabilities_of_a_bpr_file_come_back_exactly() -> None:
    third = repr(1 / 3)
    model = bpr.loads(
        "bpr: 1\nservice: s\nvariant: as-is\nactors: {a: {name: A}}\nsteps:\n"
        "  - {id: x, actor: a, work: 1h}\n"
        f"  - id: y\n    actor: a\n    work: 2h\n    next:\n"
        f"      - {{to: x, p: {third}}}\n      - {{to: z, p: {third}}}\n"
        f"      - {{to: end, p: {third}}}\n"
        "  - {id: z, actor: a, work: 3h}\n"
    )
    back = import_bpmn(to_bpmn(model), file="t.bpmn").model
    assert [b.p for b in back.step("y").next.branches] == [1 / 3] * 3
    assert bpr.measure(back) == bpr.measure(model)


def test_diamonds_of_gateways_are_refused_quickly() -> None:
    """Each diamond of gateways with no activity in it doubles the ways through: 30 of them
    would take hours to follow one by one; the import stops with a message instead."""
    import time

    count = 30
    nodes = ['<startEvent id="s"/><task id="a" name="A"/><task id="b" name="B"/>']
    chain = ["s>a", "a>g0", f"g{count}>b"]
    for i in range(count + 1):
        nodes.append(f'<exclusiveGateway id="g{i}"/>')
    for i in range(count):
        nodes.append(f'<exclusiveGateway id="x{i}"/><exclusiveGateway id="y{i}"/>')
        chain += [f"g{i}>x{i}", f"g{i}>y{i}", f"x{i}>g{i + 1}", f"y{i}>g{i + 1}"]
    started = time.perf_counter()
    with pytest.raises(BpmnError, match="too many ways through its gateways"):
        import_bpmn(_bpmn("".join(nodes) + _flows(*chain)), file="t.bpmn")
    assert time.perf_counter() - started < 20


# -- constructs that other tools write (issue 14), each with its reproduction file ----------


def _data(name: str) -> object:
    return import_bpmn(DATA / f"{name}.bpmn")


def test_events_defined_by_reference_are_read_with_their_definition() -> None:
    result = _data("event-definition-ref")
    model = result.model
    charge = model.step("charge_the_card")
    # The refused payment is caught by the boundary event: it goes to the cancellation, not
    # on to "Receive items".
    assert [(b.to, b.when) for b in charge.next.branches] == [
        ("receive_items", "Card accepted? Yes"),
        ("cancel_the_order", "Card accepted? No"),
    ]
    assert "terminate end event 'Order cancelled' (line 33)" in result.text
    assert not any("Refused" in w.message for w in result.warnings)


def test_a_dangling_event_definition_reference_is_named() -> None:
    data = (
        (DATA / "event-definition-ref.bpmn")
        .read_bytes()
        .replace(b"<eventDefinitionRef>TerminateDefinition<", b"<eventDefinitionRef>Nowhere<")
    )
    result = import_bpmn(data, file="t.bpmn")
    [said] = [w for w in result.warnings if "eventDefinitionRef" in w.message]
    assert "'Nowhere'" in said.message and "endEvent 'Order cancelled'" in said.message


def test_a_namespace_uri_with_a_space_is_read() -> None:
    model = _data("namespace-with-space").model
    assert [s.name for s in model.steps] == ["Apply", "Issue the permit"]


def test_references_with_a_namespace_prefix_resolve() -> None:
    result = _data("prefixed-references")
    model = result.model
    assert model.name == "Vehicle registration"  # the pool's name, through processRef="tns:..."
    assert set(model.actors) == {"registration_office"}  # the lane, through flowNodeRef
    assert model.step("apply").needs == ("passport",)
    register = model.step("register_the_vehicle")
    assert [b.to for b in register.next.branches] == ["end", "remind_the_office"]


def test_a_terminate_end_in_a_parallel_branch_is_said_to_cancel_the_others() -> None:
    result = _data("terminate-end")
    [said] = [w for w in result.warnings if "terminate" in w.message]
    assert "endEvent 'Refused' (id Refused, line 14)" in said.message
    assert "cancels the other branches" in said.message
    assert "the terminate end 'Refused' (line 14) would cancel the others" in result.text
    assert "a case ends when all have ended" not in result.text


def test_the_question_of_a_decision_is_kept() -> None:
    result = _data("gateway-question")
    model = result.model
    whens = [b.when for b in model.step("check_the_data").next.branches]
    assert whens == ["Data complete? Yes", "Data complete? No"]
    # Flows without labels: the question stays, as a comment above the step.
    assert (
        "# the decision 'Paid to a bank account?' (exclusiveGateway id Where, line 12): its "
        "flows carry no labels\n  - id: assign_the_pension"
    ) in result.text


def test_activities_of_pools_and_called_processes_left_out_are_named() -> None:
    result = _data("left-out-pools")
    said = " ".join(w.message for w in result.warnings)
    assert "pool 'Agency'" in said and "task 'Review the application' (id Review" in said
    assert "called by callActivity 'Pay the duty'" in said
    assert "serviceTask 'Charge the bank card' (id Charge" in said


def test_nameless_tasks_keep_their_bpmn_id() -> None:
    result = _data("nameless-tasks")
    assert [s.id for s in result.model.steps] == ["activity_0x1k", "task_check", "issue"]
    assert "# no name in BPMN: the id comes from its BPMN id 'Activity_0x1k'" in result.text


def test_an_error_boundary_event_leaving_a_parallel_block_is_named() -> None:
    result = _data("error-leaves-parallel")
    [said] = [w for w in result.warnings if "parallel split" in w.message]
    assert (
        "boundaryEvent 'Debt found' (id DebtFound, line 11) on task 'Check the tax debt' (id "
        "Debt, line 10) leads out of a branch"
    ) in said.message
    ids = re.findall(r"id (\w+)", said.message)
    text = (DATA / "error-leaves-parallel.bpmn").read_text()
    assert ids and all(f'id="{i}"' in text for i in ids)


def test_invalid_utf8_is_refused_as_an_encoding_problem() -> None:
    with pytest.raises(BpmnError) as caught:
        _data("invalid-utf8")
    message = str(caught.value)
    assert (
        "invalid-utf8.bpmn:2:29: the file is not valid UTF-8: the byte 0xFC at byte offset 67"
        in message
    )
    assert "save it as UTF-8" in message


# -- the rule: nothing is dropped without a message naming it ---------------------------------

QUESTION_TAGS = ("exclusiveGateway", "inclusiveGateway", "complexGateway")
REFUSED = {"invalid-utf8"}  # reproduction files of refusals: nothing is imported from them


def every_bpmn_file() -> list[Path]:
    return sorted(DATA.glob("*.bpmn")) + reference_files()


def test_the_rule_covers_the_reference_files() -> None:
    if not REFERENCE.is_dir():
        pytest.skip(f"{REFERENCE} is absent: the rule is checked on tests/data/bpmn alone")
    assert len(reference_files()) == len(EXPECTED)


@pytest.mark.parametrize("path", every_bpmn_file(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_no_activity_question_or_pool_is_dropped_without_a_message(path: Path) -> None:
    """Every activity of every process, every decision's question and every pool of the file
    is in the model (a step's name or BPMN id, a phase, a branch's ``when``, a comment), or
    named in a warning."""
    from lxml import etree

    if path.stem in REFUSED:
        with pytest.raises(BpmnError):
            import_bpmn(path)
        return
    result = import_bpmn(path)
    said = result.text + "\n" + "\n".join(w.message for w in result.warnings)
    names = {s.name for s in result.model.steps}
    # recover: a namespace URI with a space (namespace-with-space.bpmn) is read as it is.
    tree = etree.parse(str(path), etree.XMLParser(recover=True))

    def label(element: object) -> str:
        return " ".join((element.get("name") or "").split())  # type: ignore[attr-defined]

    missing = []
    for element in tree.iter(*(f"{{{BPMN}}}{t}" for t in ACTIVITY_TAGS)):
        name, ident = label(element), element.get("id")
        if (name and name in names) or f"id {ident}" in said or f"'{ident}'" in said:
            continue
        if name and (f"'{name}'" in said or f"{name}:" in said or f"name: {name}" in said):
            continue  # a phase, or a sub-process named in a comment
        missing.append(f"{etree.QName(element).localname} {name!r} ({ident})")
    for element in tree.iter(*(f"{{{BPMN}}}{t}" for t in QUESTION_TAGS)):
        outgoing = [f for f in tree.iter(f"{{{BPMN}}}sequenceFlow")
                    if f.get("sourceRef") == element.get("id")]  # fmt: skip
        if label(element) and len(outgoing) > 1 and label(element) not in said:
            missing.append(f"the question {label(element)!r} ({element.get('id')})")
    for element in tree.iter(f"{{{BPMN}}}participant"):
        if label(element) and label(element) not in said and element.get("id") not in said:
            missing.append(f"pool {label(element)!r} ({element.get('id')})")
    assert missing == [], f"{path.name}: dropped without a message: {missing}"
