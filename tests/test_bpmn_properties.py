"""Property tests of the BPMN interchange: export then import keeps every measure of random
models, and the import of random gateway graphs gives a model that loads, or a clear refusal,
never a request for a bug report."""

from __future__ import annotations

import copy
import functools
import json
import math
from dataclasses import dataclass
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import bpr
from bpr.bpmn import BpmnError, import_bpmn, to_bpmn
from bpr.errors import ModelError
from bpr.files.writer import model_data
from tests.test_lint import random_models
from tests.test_properties import RAW, paths

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def assert_same_measures(model: bpr.Model, back: bpr.Model) -> None:
    before, after = bpr.measure(model).as_dict(), bpr.measure(back).as_dict()
    assert before.keys() == after.keys()
    for key, value in before.items():
        if value is None or after[key] is None:
            assert value == after[key], key
        else:
            assert after[key] == pytest.approx(value, rel=1e-9, abs=1e-9), key


def round_trip(model: bpr.Model) -> bpr.Model:
    result = import_bpmn(to_bpmn(model), file="random.bpmn")
    # What the import writes is what it returns: the YAML loads to the same model.
    assert bpr.measure(bpr.loads(result.text)) == bpr.measure(result.model)
    return result.model


LINT_RULES = st.sampled_from(["once-only", "maturity-mismatch", "rework-loop", "long-wait"])


DURATIONS = st.sampled_from(["10m", "1h", "1h 30m", "2d"])
DOCUMENT_KINDS = ["certificate", "form", "receipt", "identity", "contract", "decision", "permit"]
ACT_KINDS = ["law", "code", "decree", "resolution", "order", "regulation", "other"]


_SAMPLE = {
    "bpr": 1,
    "service": "s",
    "variant": "to-be",
    "volume": 100,
    "actors": {"me": {"name": "Me", "kind": "applicant"}, "a": {"name": "A"}},
    "documents": {"d1": {"name": "D1", "issuer": "a"}},
    "steps": [{"id": "x", "actor": "me", "channel": "in-person", "fee": 5, "needs": ["d1"]}],
}


@functools.cache
def written(part: str, key: str, value_json: str) -> bool:
    """Whether this version of bpr loads ``key`` with that value and its model writer writes
    it back (the export carries what the writer writes): the generator uses those keys only,
    so that it follows the format's additions as they land."""
    data = copy.deepcopy(_SAMPLE)
    value = json.loads(value_json)
    holder: dict[str, Any] = {
        "model": data,
        "step": data["steps"][0],
        "actor": data["actors"]["a"],
        "document": data["documents"]["d1"],
    }[part]
    holder[key] = value
    if key == "phase":
        data["phases"] = {value: {"name": "P"}}
    if key == "basis" or key == "acts":
        data["acts"] = {"law1": {"title": "Law"}}
    try:
        model = bpr.loads(yaml.safe_dump(data, allow_unicode=True), "probe.yaml")
    except ModelError:
        return False
    out = model_data(model)
    found = {
        "model": out,
        "step": out["steps"][0],
        "actor": out["actors"]["a"],
        "document": out["documents"]["d1"],
    }[part]
    return key in found


def _writes(part: str, key: str, value: Any) -> bool:
    return written(part, key, json.dumps(value))


@st.composite
def random_full_models(draw: st.DrawFn) -> str:
    """Random models with the optional sections of the format too: ``lint``, and each of the
    format's additions (model-format.md, "Additions") that this version loads and writes."""
    data = yaml.safe_load(draw(random_models()))
    ignored = draw(st.lists(LINT_RULES, unique=True, max_size=3))
    if ignored:
        reasons = [draw(st.one_of(st.just(""), TEXT.filter(str.strip))) for _ in ignored]
        data["lint"] = {
            "ignore": [
                {"rule": r, "reason": w} if w else r for r, w in zip(ignored, reasons, strict=True)
            ]
        }
    maybe = st.booleans()
    steps, actors, documents = data["steps"], data["actors"], data["documents"]
    if (
        _writes("model", "phases", {"p": {"name": "P"}})
        and _writes("step", "phase", "p")
        and draw(maybe)
    ):
        names = draw(st.lists(TEXT.filter(str.strip), min_size=1, max_size=3))
        data["phases"] = {f"p{i}": {"name": n} for i, n in enumerate(names)}
        for step in steps:
            phase = draw(st.sampled_from([None, *data["phases"]]))
            if phase is not None:
                step["phase"] = phase
    if _writes("model", "acts", {"law1": {"title": "Law"}}) and draw(maybe):
        data["acts"] = {
            "law1": {"title": draw(TEXT.filter(str.strip)), "number": "ZRU-1", "kind": "law"},
            "dec2": {
                "title": "Decree",
                "date": "2017-03-01",
                "kind": draw(st.sampled_from(ACT_KINDS)),
            },
        }
        cite = st.sampled_from(
            ["law1", {"act": "law1", "article": "5"}, {"act": "dec2", "article": "2.1"}]
        )
        if _writes("model", "basis", ["law1"]):
            data["basis"] = [draw(cite)]
        if _writes("step", "basis", ["law1"]):
            for step in steps:
                if draw(maybe):
                    step["basis"] = draw(st.lists(cite, min_size=1, max_size=2))
        if _writes("document", "basis", ["law1"]):
            for document in documents.values():
                if draw(maybe):
                    document["basis"] = [draw(cite)]
    if _writes("document", "kind", "receipt"):
        for document in documents.values():
            if draw(maybe):
                document["kind"] = draw(st.sampled_from(DOCUMENT_KINDS))
    for key, values, sample in (
        ("registry", st.booleans(), True),
        ("staff", st.integers(1, 5), 2),
        ("hours", st.just("Mon-Fri 09:00-18:00"), "Mon-Fri 09:00-18:00"),
    ):
        if _writes("actor", key, sample):
            for ident, actor in actors.items():
                if ident != "me" and draw(maybe):
                    actor[key] = draw(values)
    if _writes("step", "fee_kind", "duty"):
        for step in steps:
            if step.get("fee") and draw(maybe):
                step["fee_kind"] = draw(st.sampled_from(["duty", "charge"]))
    for key in ("travel", "queue"):
        if _writes("model", key, "10m") and draw(maybe):
            data[key] = draw(DURATIONS)
        if _writes("step", key, "10m"):
            for step in steps:
                if step.get("channel") == "in-person" and draw(maybe):
                    step[key] = draw(DURATIONS)
    if _writes("model", "staff_tariff", 100) and draw(maybe):
        data["staff_tariff"] = draw(st.integers(1, 10**6))
    if _writes("model", "uptake", 0.5) and draw(maybe):
        data["variant"] = "to-be"
        data["uptake"] = draw(st.sampled_from([0, 0.25, 0.5, 1]))
    if _writes("model", "language", "ru") and draw(maybe):
        data["language"] = draw(st.sampled_from(["en", "ru", "uz", "uz-Cyrl", "az", "kk"]))
        for step in steps:
            if _writes("step", "name", {"en": "A", "ru": "Б"}) and draw(maybe):
                step["name"] = {"en": f"Step {step['id']}", "ru": f"Шаг {step['id']}"}
        for actor in actors.values():
            if _writes("actor", "name", {"en": "A", "kk": "Ә"}) and draw(maybe):
                actor["name"] = {"en": actor["name"], "kk": f"{actor['name']} (kk)"}
        for step in steps:
            for branch in step["next"] if isinstance(step.get("next"), list) else []:
                if branch.get("when") and draw(maybe):
                    branch["when"] = {"en": branch["when"], "ru": f"{branch['when']} (ru)"}
    if _writes("actor", "kind", "system") and draw(maybe):
        actors["c"]["kind"] = "system"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


# The text has no control characters: BPMN (XML) cannot carry them, and the export leaves
# them out (docs/bpmn.md), so an agency named "\x1b" alone would come back as none.
TEXT = st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=30)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_full_models())
def test_export_then_import_keeps_everything_of_random_models(text: str) -> None:
    model = bpr.loads(text, "random.yaml")
    back = round_trip(model)
    assert_same_measures(model, back)
    # Two branches of one choice to one step are one flow in BPMN (their probabilities add
    # up: test_bpmn_export.test_two_branches_to_one_step_are_one_flow); all else comes back
    # as it was: the model writer writes the same file.
    if all(len(set(s.next.targets)) == len(s.next.targets) for s in model.steps):
        assert model_data(back) == model_data(model)


# Edits of the shipped models that keep them valid: any text in names, other figures.
EDITS: dict[str, st.SearchStrategy[Any]] = {
    "name": TEXT.filter(str.strip),
    "agency": TEXT.filter(str.strip),
    "when": TEXT.filter(str.strip),
    "fee": st.one_of(st.integers(0, 10**9), st.floats(0, 1e6, allow_nan=False)),
    "work": st.sampled_from(["0h", "5m", "1h 30m", "2d", "1h..3h", "10m..2h"]),
    "wait": st.sampled_from(["0h", "1d", "3d..10d", "12h"]),
    "channel": st.sampled_from(["in-person", "online", "phone", "mail", "internal", "automatic"]),
    "volume": st.integers(0, 10**7),
}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_export_then_import_keeps_every_measure_of_edited_models(data: st.DataObject) -> None:
    """The shipped models with random names (any text), fees, durations and channels."""
    raw = copy.deepcopy(data.draw(st.sampled_from(RAW)))
    editable = [p for p in paths(raw) if p and p[-1] in EDITS]
    for _ in range(data.draw(st.integers(1, 4))):
        target = data.draw(st.sampled_from(editable))
        parent = raw
        for part in target[:-1]:
            parent = parent[part]
        parent[target[-1]] = data.draw(EDITS[target[-1]])
    try:
        model = bpr.loads(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), "edit.yaml")
    except ModelError:
        assume(False)
        return
    assert_same_measures(model, round_trip(model))


# -- random gateway graphs ------------------------------------------------------------------


@dataclass
class Graph:
    """A random BPMN process: start and end events, tasks, gateways, flows."""

    nodes: list[tuple[str, str]]  # (id, tag)
    flows: list[tuple[str, str, str]]  # (source, target, condition)

    def xml(self) -> bytes:
        body = []
        for ident, tag in self.nodes:
            name = f' name="{ident.title()}"' if tag == "task" else ""
            body.append(f'<{tag} id="{ident}"{name}/>')
        for i, (source, target, condition) in enumerate(self.flows):
            inner = (
                f'<conditionExpression xsi:type="tFormalExpression">{condition}'
                "</conditionExpression>"
                if condition
                else ""
            )
            body.append(
                f'<sequenceFlow id="f{i}" sourceRef="{source}" targetRef="{target}">'
                f"{inner}</sequenceFlow>"
            )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<definitions xmlns="{BPMN}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
            ' id="d" targetNamespace="urn:random">\n'
            '<process id="p" name="Random">\n' + "\n".join(body) + "\n</process>\n</definitions>\n"
        ).encode()


@st.composite
def gateway_graphs(draw: st.DrawFn) -> Graph:
    """A graph where every node can reach an end event (a case can always finish), with
    random extra flows: cycles, merges without gateways, tasks with several outgoing flows."""
    tasks = [(f"t{i}", "task") for i in range(draw(st.integers(1, 6)))]
    # Gateways of every kind the import maps, and intermediate events the flow passes through.
    kinds = st.sampled_from(
        ["exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway",
         "intermediateCatchEvent"]
    )  # fmt: skip
    gateways = [(f"g{i}", draw(kinds)) for i in range(draw(st.integers(0, 5)))]
    ends = [(f"e{i}", "endEvent") for i in range(draw(st.integers(1, 2)))]
    middle = draw(st.permutations(tasks + gateways))
    starts = [(f"s{i}", "startEvent") for i in range(draw(st.sampled_from([1, 1, 1, 2])))]
    order = starts + list(middle)
    flows: list[tuple[str, str, str]] = []
    # Each node leads to a later node or an end: every node can reach an end event.
    for position, (ident, _) in enumerate(order):
        later = [n for n, _ in order[max(position + 1, len(starts)) :]] + [n for n, _ in ends]
        flows.append((ident, draw(st.sampled_from(later)), ""))
    targets = [n for n, _ in middle] + [n for n, _ in ends]
    for _ in range(draw(st.integers(0, 8))):
        source = draw(st.sampled_from([n for n, _ in order]))
        target = draw(st.sampled_from(targets))
        condition = draw(st.sampled_from(["", "", "${ok}"]))
        if source != target and (source, target) not in [(s, t) for s, t, _ in flows]:
            flows.append((source, target, condition))
    return Graph(order + ends, flows)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(gateway_graphs())
def test_import_of_random_gateway_graphs_gives_a_model_that_loads(graph: Graph) -> None:
    try:
        result = import_bpmn(graph.xml(), file="random.bpmn")
    except BpmnError as exc:
        # Refusals the importer documents for what no model can hold; never a bug report.
        assert "report it as a bug" not in str(exc), graph.xml().decode()
        assert str(exc).startswith("random.bpmn"), str(exc)
        return
    model = bpr.loads(result.text, "imported.yaml")
    assert len(model.steps) >= 1
    for problem in result.warnings:
        assert problem.file == "random.bpmn" and problem.severity == "warning"
    measures = bpr.measure(model).as_dict()
    assert all(v is None or (math.isfinite(v) and v >= 0) for v in measures.values())


def test_a_graph_generator_example_is_a_real_bpmn_file() -> None:
    """The generator's files are read as BPMN (a check of the test itself)."""
    graph = Graph(
        [("s0", "startEvent"), ("g0", "parallelGateway"), ("t0", "task"), ("t1", "task"),
         ("g1", "parallelGateway"), ("e0", "endEvent")],
        [("s0", "g0", ""), ("g0", "t0", ""), ("g0", "t1", ""), ("t0", "g1", ""),
         ("t1", "g1", ""), ("g1", "e0", "")],
    )  # fmt: skip
    model = import_bpmn(graph.xml(), file="g.bpmn").model
    assert model.first.next.kind == "parallel" and model.first.next.targets == ("t0", "t1")
    assert model.step("t0").next.targets == model.step("t1").next.targets
