"""benchmarks/bench_growth.py: its options, GNU time's report, the growth exponent and the
table cells (no timing here: the script itself measures)."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import pytest

from tests.conftest import script_module

GROWTH = script_module("benchmarks/bench_growth.py")


def test_sizes_take_thousands_and_come_out_sorted_without_repeats() -> None:
    assert GROWTH.parse_sizes("100k, 1k,10000,1k") == [1_000, 10_000, 100_000]
    assert GROWTH.parse_sizes("100,300") == [100, 300]
    assert GROWTH.parse_sizes("2.5k") == [2_500]


@pytest.mark.parametrize(
    ("text", "message"), [("ten", "not a number"), ("0", "at least 1"), (",", "at least one")]
)
def test_a_wrong_size_is_refused_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=message):
        GROWTH.parse_sizes(text)


def test_commands_keep_the_table_order_and_unknown_ones_name_the_choices() -> None:
    assert GROWTH.parse_commands("import,validate , export-no-diagram") == [
        "validate",
        "export-no-diagram",
        "import",
    ]
    with pytest.raises(
        argparse.ArgumentTypeError, match="unknown command vaildate; choose from startup, validate"
    ):
        GROWTH.parse_commands("vaildate")


def test_every_command_of_the_issue_is_measured() -> None:
    wanted = {"validate", "metrics", "lint", "diff", "render", "export", "export-no-diagram"}
    assert wanted | {"import", "simulate", "report"} <= set(GROWTH.COMMANDS)


def test_gnu_time_report_of_a_failed_command_is_read_from_its_last_line() -> None:
    report = "Command exited with non-zero status 1\n12.34 10.50 1.25 2097152\n"
    assert GROWTH.parse_time_report(report) == (12.34, 11.75, 2048.0)


def test_growth_exponent_by_hand() -> None:
    # linear: 100 times the steps, 100 times the time
    assert GROWTH.growth_exponent((1_000, 100_000), (0.4, 40.0)) == pytest.approx(1.0)
    # quadratic between 10k and 100k: 10 times the steps, 100 times the time
    assert GROWTH.growth_exponent((10_000, 100_000), (3.0, 300.0)) == pytest.approx(2.0)
    # 1.5 s to 15.8 s over 1k -> 100k: 10.53x in a 100x size: k = log(10.53) / log(100)
    assert GROWTH.growth_exponent((1_000, 100_000), (1.5, 15.8)) == pytest.approx(
        math.log(15.8 / 1.5) / math.log(100)
    )


def test_cells_and_exponents_say_what_stopped_a_run() -> None:
    Run = GROWTH.Run
    assert GROWTH.cell(Run(2.0, 2.5, 120.4), 300) == "2.00 / 2.50 / 120"
    assert GROWTH.cell(Run(status="timeout"), 300) == "> 300 s"
    assert GROWTH.cell(Run(status="failed (exit 1)"), 300) == "failed (exit 1)"
    assert GROWTH.cell(None, 300) == ""
    # 3 s at 1k, stopped at 300 s at 100k: at least log(100) / log(100) = 1
    bound = GROWTH.exponent_cell((1_000, Run(3.0, 3, 50)), (100_000, Run(status="timeout")), 300)
    assert bound == ">= 1.00"
    assert GROWTH.exponent_cell((1_000, Run(status="timeout")), (100_000, None), 300) == ""


def test_the_to_be_of_a_generated_model_differs_where_diff_looks() -> None:
    import bpr
    from bpr.comparison import compare

    text = GROWTH.GENERATORS["regular"][1](30)
    as_is, to_be = bpr.loads(text), bpr.loads(GROWTH.to_be(text))
    assert to_be.variant == "to-be"
    assert compare(as_is, to_be).redesigns


@pytest.mark.skipif(not Path("/usr/bin/time").exists(), reason="GNU time is not installed")
def test_a_small_run_fills_a_table_for_each_generator(capsys: pytest.CaptureFixture[str]) -> None:
    results = GROWTH.main(["--sizes", "20,40", "--commands", "validate", "--no-results"])
    out = capsys.readouterr().out
    assert {key[:2] for key in results.runs} == {("regular", "validate"), ("irregular", "validate")}
    assert all(
        run.status == "ok" and run.cpu > 0 and run.rss_mb > 0 for run in results.runs.values()
    )
    assert out.count("| `validate` | ") == 2
    assert "| command | 20 steps | 40 steps | k 20-40 |" in out
