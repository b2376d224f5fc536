"""The documentation stays true: its model examples load, its contract numbers hold."""

from __future__ import annotations

import re

import pytest

import bpr
from tests.conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def yaml_blocks() -> list[tuple[str, int, str]]:
    found = []
    for path in DOCS:
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"```yaml\n(.*?)```", text, re.S):
            block = match.group(1)
            if block.lstrip().startswith("bpr: 1"):
                line = text[: match.start()].count("\n") + 2
                found.append((path.name, line, block))
    return found


@pytest.mark.parametrize(("name", "line", "block"), yaml_blocks(), ids=lambda v: str(v)[:30])
def test_model_examples_in_the_docs_load(name: str, line: int, block: str) -> None:
    model = bpr.loads(block, f"{name}:{line}")
    assert bpr.measure(model).steps == len(model.steps)


def test_the_format_example_measures_as_the_docs_say() -> None:
    blocks = [b for n, _, b in yaml_blocks() if n == "format.md"]
    model = bpr.loads(blocks[0])
    m = bpr.measure(model)
    # fetch 0.5h + 10d; apply and decide loop 1/0.9 times: (25h + 122h) / 0.9
    assert m.lead_time_days == pytest.approx((240.5 + (25 + 122) / 0.9) / 24)
    assert m.certificates == 1 and m.visits == 2


def test_readme_python_examples_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})


def test_readme_metrics_excerpt_is_true(run_bpr) -> None:  # type: ignore[no-untyped-def]
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    excerpt = re.search(r"```\n(measure .*?)\n\.\.\.\n```", text, re.S)
    assert excerpt is not None
    result = run_bpr("metrics", ROOT / "models/income-tax-return/as-is.yaml")
    for line in excerpt.group(1).splitlines():
        assert line in result.stdout.splitlines()


def test_readme_diff_and_lint_excerpts_are_true(run_bpr, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    diff = run_bpr("diff", ROOT / "models/property-registration").stdout
    excerpt = re.search(r"```\n(Redesign\n.*?)```", text, re.S)
    assert excerpt is not None
    for line in excerpt.group(1).splitlines():
        assert line in diff.splitlines(), line
    lint = run_bpr("lint", "models/property-registration/as-is.yaml").stdout
    quoted = re.search(r"```\n(models/property-registration/as-is.yaml:\d+: .*?)\n```", text, re.S)
    assert quoted is not None
    assert quoted.group(1) in lint.splitlines()


def test_readme_russian_excerpt_is_true(run_bpr, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(ROOT)
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    excerpt = re.search(r"```\n(Шаги .*?)```", text, re.S)
    assert excerpt is not None
    diff = run_bpr("diff", "--lang", "ru", "models/kindergarten-enrolment").stdout
    for line in excerpt.group(1).splitlines():
        assert line in diff.splitlines(), line


def test_readme_pictures_exist() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert len(pictures) >= 2
    for picture in pictures:
        assert (ROOT / picture).stat().st_size > 10_000
