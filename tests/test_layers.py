"""The layers of bpr run one way, and bpr's own modules are imported at the top of a file.

Every ``import`` of a bpr module anywhere in the package (at module level, inside functions
and under ``TYPE_CHECKING`` alike) must go to the same layer or a lower one; within a layer,
one package may use another only where ``SIBLINGS`` says so. Imports inside functions are
for heavy third-party libraries only: a bpr module is cheap to import because its own heavy
imports are inside its functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "bpr"

# The layers, lowest first: a module may import from its own layer (see SIBLINGS) or below.
LAYERS: list[tuple[str, ...]] = [
    ("bpr.errors", "bpr.core"),
    ("bpr.files", "bpr.backend"),
    ("bpr.analysis",),
    ("bpr.comparison", "bpr.layout"),
    ("bpr.simulate", "bpr.mining", "bpr.lint", "bpr.portfolio", "bpr.render", "bpr.bpmn"),
    ("bpr.report",),
    ("bpr.authoring",),
    ("bpr.cli",),
]
# Packages of one layer that may use each other: user -> used.
SIBLINGS: dict[str, set[str]] = {
    "bpr.core": {"bpr.errors"},
    "bpr.files": {"bpr.backend"},
    "bpr.layout": {"bpr.comparison"},
    "bpr.portfolio": {"bpr.lint"},
}
# The facade that names the public API (lazily) and the program entry point sit above all.
FACADE = {"bpr", "bpr.__main__"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def unit(module: str) -> str:
    """The layer unit a module belongs to (its package in ``LAYERS``)."""
    for layer in LAYERS:
        for name in layer:
            if module == name or module.startswith(name + "."):
                return name
    if module in FACADE:
        return module
    raise AssertionError(f"{module} is in no layer: add it to LAYERS in tests/test_layers.py")


def rank(name: str) -> int:
    if name in FACADE:
        return len(LAYERS)
    return next(i for i, layer in enumerate(LAYERS) if name in layer)


def imports(path: Path) -> list[tuple[int, str, bool]]:
    """``(line, bpr module, inside a function)`` for every import of a bpr module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found: list[tuple[int, str, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
            if isinstance(child, ast.Import):
                found.extend(
                    (child.lineno, a.name, in_function)
                    for a in child.names
                    if a.name == "bpr" or a.name.startswith("bpr.")
                )
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[: len(base) - child.level + 1]
                    target = ".".join([*base, child.module] if child.module else base)
                else:
                    target = child.module or ""
                if target == "bpr" or target.startswith("bpr."):
                    found.append((child.lineno, target, in_function))
            visit(child, inner)

    visit(tree, False)
    return found


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_has_a_layer() -> None:
    for path in SOURCES:
        unit(module_name(path))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_imports_run_down_the_layers(path: Path) -> None:
    here = module_name(path)
    mine = unit(here)
    wrong = []
    for line, target, in_function in imports(path):
        if here in FACADE:
            continue
        if target == "bpr":
            wrong.append(f"{path.name}:{line}: imports the bpr facade; import the module itself")
            continue
        theirs = unit(target)
        if theirs == mine:
            pass
        elif rank(theirs) > rank(mine):
            wrong.append(f"{path.name}:{line}: {mine} (a lower layer) imports {target}")
        elif rank(theirs) == rank(mine) and theirs not in SIBLINGS.get(mine, set()):
            wrong.append(f"{path.name}:{line}: {mine} imports its sibling {target}")
        if in_function:
            wrong.append(
                f"{path.name}:{line}: imports {target} inside a function; bpr's own modules "
                "are imported at the top (only heavy third-party libraries go in functions)"
            )
    assert not wrong, "\n".join(wrong)


def test_the_layer_rules_catch_a_wrong_import(tmp_path: Path) -> None:
    """The checker itself: an upward import and a function-level import are both found."""
    sample = PACKAGE / "core" / "_layer_probe.py"
    sample.write_text(
        "from bpr.render import render_model\n\ndef f():\n    from bpr.core import model\n",
        encoding="utf-8",
    )
    try:
        found = imports(sample)
        assert (1, "bpr.render", False) in found and (4, "bpr.core", True) in found
        with pytest.raises(AssertionError, match="lower layer"):
            test_imports_run_down_the_layers(sample)
    finally:
        sample.unlink()
