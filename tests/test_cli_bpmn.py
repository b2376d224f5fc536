"""bpr export, bpr import and bpr check: exit codes, messages, files written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import bpr
from bpr.bpmn.export import MAX_DIAGRAM_STEPS

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
EXAMPLE = DATA / "contract-example.yaml"


def test_export_writes_a_file(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "m.bpmn"
    result = run_bpr("export", EXAMPLE, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"wrote {out} (property-registration/as-is: 7 tasks, 4 lanes)")
    assert b"<bpmndi:BPMNDiagram" in out.read_bytes()


def test_export_to_stdout_without_diagram(run_bpr) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("export", EXAMPLE, "-o", "-", "--no-diagram")
    assert result.exit_code == 0
    assert result.stdout.startswith("<?xml")
    assert "<bpmn:process" in result.stdout
    # No layout: a plain shape for each element, without the labels a layout places.
    assert "<bpmndi:BPMNShape" in result.stdout and "BPMNLabel" not in result.stdout


def test_export_of_an_invalid_model_prints_its_problems(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "bpr: 1\nservice: s\nvariant: as-is\nactors: {a: {name: A}}\nsteps: [{id: x, actor: b}]\n"
    )
    result = run_bpr("export", bad, "-o", tmp_path / "bad.bpmn")
    assert result.exit_code == 1
    assert f"{bad}:5:" in result.stderr and "unknown actor 'b'" in result.stderr
    assert not (tmp_path / "bad.bpmn").exists()


def test_export_never_overwrites_the_model(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    model = tmp_path / "m.bpmn"  # a model file with an unusual name
    model.write_text(EXAMPLE.read_text())
    result = run_bpr("export", model, "-o", model)
    assert result.exit_code == 1
    assert "would overwrite the input" in result.stderr and "Traceback" not in result.stderr
    assert model.read_text() == EXAMPLE.read_text()


def test_export_refuses_to_write_over_a_model_file(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """``-o to-be.yaml`` is a slip of the fingers: the To-Be would become XML."""
    other = tmp_path / "to-be.yaml"
    other.write_text("the analyst's To-Be\n")
    for target in (other, tmp_path / "new.YML"):
        result = run_bpr("export", EXAMPLE, "-o", target)
        assert result.exit_code == 2
        assert "a BPMN file ends in .bpmn" in result.stderr
    assert other.read_text() == "the analyst's To-Be\n"
    assert not (tmp_path / "new.YML").exists()


def _sequence(count: int) -> str:
    return "bpr: 1\nservice: big\nvariant: as-is\nactors: {a: {name: A}}\nsteps:\n" + "".join(
        f"  - {{id: s{i}, actor: a, work: 1h}}\n" for i in range(count)
    )


def test_export_refuses_a_diagram_too_large_to_lay_out(  # type: ignore[no-untyped-def]
    run_bpr, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 18 #14: past the layout's limit the export says so at once (with the limit)
    instead of laying out for minutes. The limit is patched down to 5,000 steps (the real one,
    100,000, would need a 100,001-step model: 25 s for the same refusal)."""
    import bpr.bpmn.export
    import bpr.layout.engine

    assert MAX_DIAGRAM_STEPS == bpr.layout.engine.MAX_STEPS  # one limit for every diagram
    limit = 5000
    monkeypatch.setattr(bpr.layout.engine, "MAX_STEPS", limit)
    monkeypatch.setattr(bpr.bpmn.export, "MAX_DIAGRAM_STEPS", limit)
    source = tmp_path / "big.yaml"
    source.write_text(_sequence(limit + 1))
    result = run_bpr("export", source, "-o", tmp_path / "big.bpmn")
    assert result.exit_code == 1
    assert (
        f"bpr: error: {source}: {limit + 1} steps are too many to lay out as a "
        f"diagram (the limit is {limit} steps" in result.stderr
    )
    assert "--no-diagram" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "big.bpmn").exists()


def test_a_long_export_says_what_it_is_doing(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "big.yaml"
    source.write_text(_sequence(2001))
    result = run_bpr("export", source, "-o", tmp_path / "big.bpmn", "--no-diagram")
    assert result.exit_code == 0
    assert result.stderr == (
        f"bpr export: {source}: 2001 steps: writing the process; at this size it takes a while\n"
    )
    small = run_bpr("export", EXAMPLE, "-o", tmp_path / "small.bpmn")
    assert small.exit_code == 0 and small.stderr == ""


def test_export_needs_an_output(run_bpr) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("export", EXAMPLE)
    assert result.exit_code == 2
    assert "-o" in result.stderr


def test_import_writes_yaml_and_warns_on_stderr(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "permit.yaml"
    source = DATA / "bpmn" / "permit.bpmn"
    result = run_bpr("import", source, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == (
        f"wrote {out} (building-permit/as-is: 4 steps, 2 actors, 2 documents; 1 warning)"
    )
    assert result.stderr.startswith(f"{source}:47:1: warning: the branches after exclusiveGateway")
    model = bpr.load(out)
    assert len(model.steps) == 4


def test_import_of_ids_that_yaml_reads_as_words_or_numbers(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Lanes Off, No and 007, a document Null, steps Yes, 12_30 and 0x1f: ids stay text."""
    out = tmp_path / "words.yaml"
    result = run_bpr("import", DATA / "bpmn" / "yaml-words.bpmn", "-o", out)
    assert result.exit_code == 0, result.stderr
    assert "report it as a bug" not in result.stderr
    model = bpr.load(out)
    assert list(model.actors) == ["off", "no", "007"]
    assert list(model.documents) == ["null"]
    assert [(s.id, s.actor) for s in model.steps] == [
        ("yes", "off"),
        ("12_30", "no"),
        ("0x1f", "007"),
    ]
    assert model.step("yes").produces == ("null",) and model.step("12_30").needs == ("null",)
    assert [b.to for b in model.step("12_30").next.branches] == ["0x1f", "yes"]


def test_import_to_stdout_quietly_with_options(run_bpr) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr(
        "import", DATA / "bpmn" / "permit.bpmn", "-o", "-", "-q", "--service", "permits",
        "--variant", "to-be",
    )  # fmt: skip
    assert result.exit_code == 0
    assert result.stderr == ""
    model = bpr.loads(result.stdout)
    assert (model.service, model.variant) == ("permits", "to-be")


def test_import_of_a_hostile_file_is_refused_without_traceback(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    evil = tmp_path / "evil.bpmn"
    evil.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">&x;</definitions>\n'
    )
    result = run_bpr("import", evil, "-o", tmp_path / "evil.yaml")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"bpr: error: {evil}:2: the file declares a DOCTYPE")
    assert "Traceback" not in result.stderr and "root:" not in result.stderr
    assert not (tmp_path / "evil.yaml").exists()


def test_import_usage_errors(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = DATA / "bpmn" / "permit.bpmn"
    result = run_bpr("import", source, "-o", tmp_path / "model.txt")
    assert result.exit_code == 2 and ".yaml or .yml" in result.stderr
    result = run_bpr("import", source, "-o", "-", "--service", "no spaces")
    assert result.exit_code == 2 and "not a valid service id" in result.stderr
    result = run_bpr("import", source, "-o", "-", "--process", "Nobody")
    assert result.exit_code == 1 and "no pool or process 'Nobody'" in result.stderr


def test_import_never_overwrites_its_input(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    copy = tmp_path / "p.yaml"
    copy.write_bytes((DATA / "bpmn" / "permit.bpmn").read_bytes())
    result = run_bpr("import", copy, "-o", copy)
    assert result.exit_code == 1 and "would overwrite the input" in result.stderr


def test_check_soundness(run_bpr) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("check", EXAMPLE, "--soundness")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{EXAMPLE}: sound: every case can always reach the end")
    stray = DATA / "bpmn" / "stray-join.yaml"
    result = run_bpr("check", stray, "--soundness")
    assert result.exit_code == 1
    assert (
        f"{stray}: NOT SOUND: a case can get stuck at the join before step 'decide'"
        in result.stdout
    )
    assert "warning: steps[3].join" in result.stderr  # the validator's own warning, too


def test_check_json_and_folders(run_bpr) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("check", EXAMPLE, "--json")
    data = json.loads(result.stdout)
    assert data["sound"] is True and data["file"] == str(EXAMPLE)
    assert set(data) == {"file", "sound", "reason", "diagnostics", "places", "transitions"}
    result = run_bpr("check", DATA / "bpmn", "--soundness", "--json")
    rows = json.loads(result.stdout)
    assert [r["sound"] for r in rows] == [False]
    assert result.exit_code == 1


def test_commands_are_listed(run_bpr) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("--help")
    for command in ("export", "import", "check"):
        assert f"  {command} " in result.stdout


def test_import_strict_makes_every_approximation_an_error(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "q.yaml"
    source = DATA / "bpmn" / "gateway-question.bpmn"
    result = run_bpr("import", source, "--strict", "-o", out)
    assert result.exit_code == 1
    assert not out.exists()
    assert "--strict: the import would approximate 2 things" in result.stderr
    for line, gateway in ((9, "Data complete?"), (12, "Paid to a bank account?")):
        assert f"{source}:{line}:1: error: the branches after exclusiveGateway '{gateway}'" in (
            result.stderr
        )
    assert "Traceback" not in result.stderr
    # A file with nothing to approximate imports as without --strict.
    exact = DATA / "bpmn" / "namespace-with-space.bpmn"
    result = run_bpr("import", exact, "--strict", "-o", out)
    assert result.exit_code == 0, result.stderr
    assert bpr.load(out).steps[0].name == "Apply"


def test_export_then_strict_import_of_a_model_is_exact(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bpmn = tmp_path / "m.bpmn"
    assert run_bpr("export", EXAMPLE, "-o", bpmn).exit_code == 0
    result = run_bpr("import", bpmn, "--strict", "-o", tmp_path / "m.yaml")
    assert result.exit_code == 0, result.stderr
