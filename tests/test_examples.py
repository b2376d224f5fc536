"""The scripts and files in examples/ run and say what they should."""

from __future__ import annotations

import subprocess
import sys

import bpr
from tests.conftest import DATA, ROOT


def run(*args: str) -> str:
    out = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return out.stdout


def test_contract_example_is_the_specs() -> None:
    example = (ROOT / "examples/contract-example.yaml").read_text(encoding="utf-8")
    assert example == (DATA / "contract-example.yaml").read_text(encoding="utf-8")
    assert bpr.measure(bpr.load(ROOT / "examples/contract-example.yaml")).steps == 7


def test_portfolio_savings() -> None:
    out = run("examples/portfolio_savings.py", "models")
    lines = out.splitlines()
    assert any(
        line.startswith("property-registration") and "13,230,000,000 UZS" in line for line in lines
    )
    # UZS: tax 14.4 - 0.9, property 18.63 - 5.4, business 4.56 - 4.23, kindergarten 27.4 - 15.4
    # bn (the duties are the same before and after, so this equals the burden saved)
    assert "administrative cost saved per year: 39,060,000,000 UZS" in lines
    assert "applicant hours saved per year: 5,664,375" in lines


def test_graph_analysis_of_the_contract_example() -> None:
    out = run("examples/graph_analysis.py", "examples/contract-example.yaml")
    # 0.5h + 5d, 1h + 1d, 2h + 3d, 1h, 0.5h + 2d, 0.5h + 1d = 293.5 hours
    assert (
        "critical path (12.2 days without rework): get_plan -> notarise -> check -> register"
        " -> issue_extract -> receive -> end"
    ) in out
    assert (
        "agencies in turn: Cadastre Agency -> Ministry of Justice -> Cadastre Agency -> Applicant"
        in out
    )
    assert "rework loop over 2 step(s)" in out
