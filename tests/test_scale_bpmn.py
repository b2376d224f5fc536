"""BPMN at scale: a generated 2,000-step model exports and imports back with the same
measures, and bpr import reads files larger than its old 50 MB limit, still refusing
hostile XML."""

from __future__ import annotations

import pytest

import bpr
from bpr.bpmn import import_bpmn, to_bpmn
from bpr.bpmn.export import check_file_size
from bpr.errors import BpmnError
from tests.conftest import ROOT, script_module
from tests.test_bpmn_properties import assert_same_measures

GENERATE = script_module("benchmarks/generate.py")
MB = 1024 * 1024


@pytest.fixture(scope="module")
def generated() -> bpr.Model:
    return bpr.loads(GENERATE.model_text(2000), "generated.yaml")


@pytest.mark.parametrize("diagram", [False, True], ids=["plain", "laid-out"])
def test_a_generated_2000_step_model_round_trips(generated: bpr.Model, diagram: bool) -> None:
    result = import_bpmn(to_bpmn(generated, diagram=diagram), file="generated.bpmn")
    back = result.model
    assert [s.id for s in back.steps] == [s.id for s in generated.steps]

    def flows(model: bpr.Model) -> list[tuple[str, list[tuple[str, float | None]]]]:
        return [(s.next.kind, [(b.to, b.p) for b in s.next.branches]) for s in model.steps]

    assert flows(back) == flows(generated)
    assert_same_measures(generated, back)
    assert bpr.measure(bpr.loads(result.text)) == bpr.measure(back)


def _small() -> bpr.Model:
    return bpr.load(ROOT / "models" / "property-registration" / "to-be.yaml")


def _padded(xml: bytes, megabytes: int) -> bytes:
    """The file with comments of a megabyte each before its last tag: a file as large as an
    export of some 40,000 steps, read as fast as a small one."""
    comment = b"<!--" + b"x" * (MB - 7) + b"-->\n"
    cut = xml.rindex(b"</")
    return xml[:cut] + comment * megabytes + xml[cut:]


def test_import_reads_a_file_larger_than_the_old_limit() -> None:
    xml = to_bpmn(_small(), diagram=False)
    large = _padded(xml, 60)
    assert len(large) > 60 * MB
    assert import_bpmn(large, file="large.bpmn").text == import_bpmn(xml, file="large.bpmn").text


def test_a_large_file_with_a_doctype_is_still_refused() -> None:
    xml = _padded(to_bpmn(_small(), diagram=False), 60)
    declaration, _, rest = xml.partition(b"\n")
    laughs = b'<!DOCTYPE definitions [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
    hostile = declaration + b"\n" + laughs + b"\n" + rest
    with pytest.raises(BpmnError, match=r"large\.bpmn:2: the file declares a DOCTYPE"):
        import_bpmn(hostile, file="large.bpmn")


def test_export_refuses_a_file_larger_than_import_reads() -> None:
    model = _small()
    data = to_bpmn(model, diagram=False)
    check_file_size(model, data, limit=len(data))  # exactly the limit is read
    with pytest.raises(BpmnError) as caught:
        check_file_size(model, data + b" " * MB, limit=len(data))
    message = str(caught.value)
    assert message.startswith(f"{model.file}: its BPMN file would be ")
    assert "more than bpr import reads" in message and "split the service into stages" in message
