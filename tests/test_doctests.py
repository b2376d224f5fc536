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
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0, f"{name} has no docstring example"
