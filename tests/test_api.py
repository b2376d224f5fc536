"""The public API: every name in ``bpr.__all__`` resolves, and importing bpr stays light."""

from __future__ import annotations

import subprocess
import sys

import pytest

import bpr


@pytest.mark.parametrize("name", bpr.__all__)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(bpr, name) is not None


def test_unknown_attribute() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        bpr.nope  # noqa: B018


def test_submodules_are_reachable_from_the_package() -> None:
    assert callable(bpr.lint.lint)
    assert "lint" in dir(bpr) and "compare" in dir(bpr)


def test_import_bpr_loads_only_the_core() -> None:
    code = "import sys, bpr; print(sorted(m for m in sys.modules if m.startswith('bpr')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(eval(out.stdout))
    assert loaded <= {
        "bpr",
        "bpr.analysis",
        "bpr.core",
        "bpr.core.version",
        "bpr.files",
        "bpr.core._gc",
        "bpr.core.calendar",
        "bpr.files.yamlsource",
        "bpr.files.finder",
        "bpr.core.vocab",
        "bpr.core.durations",
        "bpr.errors",
        "bpr.core.flow",
        "bpr.files.load",
        "bpr.analysis.measures",
        "bpr.core.model",
        "bpr.core.schema",
        "bpr.core.i18n",  # the output language: stdlib gettext only
    }, loaded
