"""The examples in the core modules' docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "bpr._yaml",
    "bpr._table",
    "bpr._xmltext",
    "bpr.durations",
    "bpr.errors",
    "bpr.flownet",
    "bpr.graph",
    "bpr.load",
    "bpr.measures",
    "bpr.model",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
