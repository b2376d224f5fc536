"""The examples in the core modules' docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "bpr.files.yamlsource",
    "bpr.analysis.table",
    "bpr.core.text",
    "bpr.core.calendar",
    "bpr.backend.process",
    "bpr.core.ids",
    "bpr.files.writer",
    "bpr.core.durations",
    "bpr.errors",
    "bpr.analysis.flownet",
    "bpr.core.flow",
    "bpr.files.load",
    "bpr.analysis.measures",
    "bpr.core.model",
    "bpr.core.vocab",
    "bpr.files.finder",
    "bpr.files.output",
    "bpr.files.sql",
    "bpr.analysis.petri",
    "bpr.mining.tokenreplay",
    "bpr.mining.inductive",
    "bpr.mining.inductive.base",
    "bpr.mining.inductive.concurrency",
    "bpr.mining.inductive.fallthrough",
    "bpr.mining.inductive.graph",
    "bpr.mining.inductive.loop",
    "bpr.mining.inductive.miner",
    "bpr.mining.inductive.noise",
    "bpr.mining.inductive.sequence",
    "bpr.mining.inductive.tree",
    "bpr.mining.inductive.xor",
]
#: Modules whose examples build pm4py objects (the mining extra).
NEEDS_PM4PY = {"bpr.analysis.petri"}


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    if name in NEEDS_PM4PY:
        pytest.importorskip("pm4py")
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0, f"{name} has no docstring example"
