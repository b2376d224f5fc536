"""Phases in the measures, the diff and the report, on a tiny hand-made model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import bpr
from bpr.analysis.measures import PHASE_MEASURE_KEYS, measure, measures_json, phase_measures
from bpr.comparison.diff import compare_folder
from bpr.report import collect, write_report
from bpr.report.content import phase_table
from tests.conftest import ROOT, model_files

DATA = Path(__file__).parent / "data" / "phases"
SHIPPED = [*model_files(), ROOT / "examples" / "contract-example.yaml"]


def _load(name: str) -> bpr.Model:
    return bpr.load(DATA / name)


def test_phase_measures_are_hand_checked() -> None:
    # check repeats with p 0.2 back through fix: it runs 1/0.8 = 1.25 times, fix 0.25 times.
    found = phase_measures(_load("two-phases.yaml"))
    assert found is not None
    assert list(found) == ["app", "rev"]
    assert all(list(entry) == list(PHASE_MEASURE_KEYS) for entry in found.values())
    # Application: submit (in person, 1h + travel 1h + queue 30m, fee 100) and notify (15m).
    assert found["app"] == {
        "name": "Application",
        "steps": 2,
        "visits": 1,
        "documents": 1,
        "work_hours": 1.25,
        "applicant_hours": 2.5,
        "fees": 100,
        # entered at submit, but notify is reached from decide, outside: not one block
        "lead_time_days": None,
    }
    # Review: check 1.25 x 2h, fix 0.25 x 30m, decide 1h; elapsed adds check's wait 1.25 x 1d.
    assert found["rev"] == {
        "name": "Review",
        "steps": 3,
        "visits": 0,
        "documents": 2,
        "work_hours": 3.625,
        "applicant_hours": 0.125,
        "fees": 0,
        "lead_time_days": pytest.approx((32.5 + 0.125 + 1) / 24),
    }


def test_unphased_steps_are_in_no_phase() -> None:
    model = _load("two-phases.yaml")
    found = phase_measures(model)
    assert found is not None
    assert sum(entry["steps"] for entry in found.values()) == len(model.steps) - 1  # archive


def test_metrics_json_gains_phases_after_every_existing_key(run_bpr) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("metrics", "--json", DATA / "two-phases.yaml")
    assert result.exit_code == 0, result.stderr
    printed = json.loads(result.stdout)
    keys = list(printed)
    assert keys[-1] == "phases"
    assert keys[:-1] == list(measure(_load("two-phases.yaml")).as_dict())
    assert printed["phases"]["rev"]["work_hours"] == 3.625


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_files_without_phases_give_todays_json(path: Path) -> None:
    model = bpr.load(path)
    if model.phases:
        pytest.skip("this file has phases")
    assert measures_json(model) == measure(model).as_dict()
    assert phase_measures(model) is None


# -- diff -----------------------------------------------------------------------------------

AS_IS, TO_BE = DATA / "two-phases.yaml", DATA / "two-phases-to-be.yaml"


def test_diff_json_names_the_phase_of_each_changed_step(run_bpr) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("diff", "--json", AS_IS, TO_BE)
    printed = json.loads(result.stdout)
    assert list(printed)[-1] == "phases"
    # fix removed (As-Is phase), publish added, check and decide changed; submit unchanged
    assert printed["phases"] == {"fix": "rev", "publish": "app", "check": "rev", "decide": "rev"}


@pytest.mark.parametrize("form", ["text", "markdown", "html"])
def test_diff_rows_say_the_phase(run_bpr, form: str) -> None:  # type: ignore[no-untyped-def]
    out = run_bpr("diff", "--format", form, AS_IS, TO_BE).stdout
    assert "fix (phase: Review)" in out
    assert "publish (phase: Application)" in out
    assert (
        "next notify -&gt; publish (phase: Review)" in out
        if form == "html"
        else ("next notify -> publish (phase: Review)" in out)
    )


def test_diff_without_phases_has_no_phases_key() -> None:
    for folder in sorted({path.parent for path in model_files()}):
        for comparison in compare_folder(folder):
            assert "phases" not in comparison.as_dict()


# -- report ---------------------------------------------------------------------------------


def test_report_phase_table_has_a_row_per_phase_and_a_column_per_variant() -> None:
    (service,) = collect([DATA]).services
    table = phase_table(service)
    assert table is not None
    assert [c.heading for c in table.columns[:3]] == ["Phase", "As-Is", "To-Be"]
    assert table.columns[1].group == "Steps"
    assert [row[0] for row in table.rows] == ["Application", "Review"]
    # Steps, visits, documents, work, applicant hours: As-Is then To-Be
    assert table.rows[0][1:11] == [2, 3, 1, 1, 1, 1, 1.25, 1.35, 2.5, 2.5]
    # To-Be review: check 1h + decide 1h, once each; lead time 1h + 1d + 1h = 26h
    assert table.rows[1][1:11] == [3, 2, 0, 0, 2, 2, 3.625, 2, 0.125, 0]
    assert table.rows[1][13:] == [pytest.approx(33.625 / 24), pytest.approx(26 / 24)]
    assert table.rows[0][13:] == [None, None]  # Application is not one block


def test_report_shows_the_phase_table_only_with_phases(tmp_path: Path) -> None:
    write_report([DATA], tmp_path / "r.md")
    assert "### Measures by phase" in (tmp_path / "r.md").read_text(encoding="utf-8")
    write_report([DATA], tmp_path / "r.html")
    assert "<h3>Measures by phase</h3>" in (tmp_path / "r.html").read_text(encoding="utf-8")
    for folder in sorted({path.parent for path in model_files()}):
        (service,) = collect([folder]).services
        assert phase_table(service) is None


def test_a_step_moved_to_another_phase_is_a_changed_field() -> None:
    folder = ROOT / "tests" / "data" / "phases"
    as_is = bpr.load(folder / "two-phases.yaml")
    text = (folder / "two-phases.yaml").read_text(encoding="utf-8")
    step = next(s for s in as_is.steps if s.phase is not None)
    other = next(p for p in as_is.phases if p != step.phase)
    moved = text.replace(f"phase: {step.phase}", f"phase: {other}", 1)
    to_be = bpr.loads(moved.replace("variant: as-is", "variant: to-be"))
    changed = bpr.compare(as_is, to_be).changed_steps
    assert [f for f in changed[next(iter(changed))] if f == "phase"] == ["phase"]
    assert (
        bpr.compare(
            as_is, bpr.loads(text.replace("variant: as-is", "variant: to-be"))
        ).changed_steps
        == {}
    )


def test_word_and_excel_reports_carry_the_measures_by_phase(tmp_path: Path) -> None:
    import docx
    import openpyxl

    folder = ROOT / "tests" / "data" / "phases"
    write_report([folder], tmp_path / "note.docx")
    headings = [p.text for p in docx.Document(str(tmp_path / "note.docx")).paragraphs]
    assert "Measures by phase" in headings
    write_report([folder], tmp_path / "book.xlsx")
    book = openpyxl.load_workbook(tmp_path / "book.xlsx")
    assert "Phases" in book.sheetnames
    rows = list(book["Phases"].iter_rows(values_only=True))
    assert rows[0][0] == "Service" and len(rows) == 1 + len(
        bpr.load(folder / "two-phases.yaml").phases
    )
