"""bpr diff at scale: the step order answers what the plain definitions say, in memory that
grows linearly with the model, and a generated 2,000-step pair compares as expected."""

from __future__ import annotations

import importlib.util
import itertools
import tracemalloc
from pathlib import Path
from types import ModuleType

import networkx as nx
import pytest

import bpr
from bpr.comparison import compare
from bpr.comparison.order import FLIP_CHUNK, StepOrder, order_flips
from bpr.core.flow import analyse
from bpr.core.model import END
from tests.conftest import ROOT


def _generator() -> ModuleType:
    """benchmarks/generate.py, the benchmarks' generator of models of any size."""
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATE = _generator()


def line(variant: str, ids: list[str]) -> bpr.Model:
    """A straight line of steps in the order given."""
    steps = "".join(f"  - {{id: {i}, actor: a, work: 1h}}\n" for i in ids)
    return bpr.loads(
        f"bpr: 1\nservice: line\nvariant: {variant}\nactors: {{a: {{name: A}}}}\nsteps:\n{steps}"
    )


def model_files() -> list[Path]:
    files = sorted((ROOT / "models").glob("*/*.yaml"))
    files += sorted((ROOT / "tests" / "data").rglob("*.yaml"))
    return files


def loadable(path: Path) -> bpr.Model | None:
    try:
        return bpr.load(path)
    except bpr.BprError:
        return None


MODELS = [m for m in map(loadable, model_files()) if m is not None]


def reach_by_networkx(model: bpr.Model) -> set[tuple[str, str]]:
    """The pairs (a, b) where a leads to b and b does not lead back: the plain definition."""
    graph = nx.DiGraph()
    for step, targets in analyse(model).successors.items():
        if step == END:
            continue
        graph.add_node(step)
        graph.add_edges_from((step, t) for t, _ in targets if t != END)
    reached = {a: nx.descendants(graph, a) for a in graph}
    return {(a, b) for a in graph for b in reached[a] if a not in reached[b]}


def flips_by_definition(old: StepOrder, new: StepOrder, ids: list[str]) -> list[tuple[str, str]]:
    return [(a, b) for a in ids for b in ids if old.before(a, b) and new.before(b, a)]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: str(m.file))
def test_before_is_reachability_one_way(model: bpr.Model) -> None:
    order = StepOrder(model)
    expected = reach_by_networkx(model)
    ids = [s.id for s in model.steps if s.id in order.component]
    found = {(a, b) for a, b in itertools.product(ids, ids) if order.before(a, b)}
    assert found == expected


def test_before_on_a_hand_made_flow() -> None:
    # x -> {y | z} -> w, and w loops back to y: y and w are one part of the flow
    model = bpr.loads(
        "bpr: 1\nservice: s\nvariant: as-is\nactors: {a: {name: A}}\nsteps:\n"
        "- {id: x, actor: a, next: [{to: y, p: 0.5}, {to: z, p: 0.5}]}\n"
        "- {id: y, actor: a, next: w}\n"
        "- {id: z, actor: a, next: w}\n"
        "- {id: w, actor: a, next: [{to: y, p: 0.2}, {to: end, p: 0.8}]}\n"
    )
    order = StepOrder(model)
    assert order.before("x", "w") and order.before("z", "y") and order.before("x", "z")
    assert not order.before("y", "w") and not order.before("w", "y")  # the loop
    assert not order.before("y", "z") and not order.before("z", "x")
    assert not order.before("x", "x") and not order.before("x", "nowhere")


def test_order_flips_of_a_reversed_line_are_every_pair() -> None:
    ids = [f"s{i}" for i in range(6)]
    old, new = StepOrder(line("as-is", ids)), StepOrder(line("to-be", ids[::-1]))
    flips = order_flips(old, new, ids)
    assert flips == [(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :]]
    assert len(flips) == 15


def test_order_flips_across_chunks_match_the_definition() -> None:
    # more steps than one chunk: swaps near both ends and across the chunk boundary
    count = FLIP_CHUNK + 300
    ids = [f"s{i}" for i in range(count)]
    moved = ids[:]
    moved[0], moved[1] = moved[1], moved[0]
    moved[FLIP_CHUNK - 2], moved[FLIP_CHUNK + 5] = moved[FLIP_CHUNK + 5], moved[FLIP_CHUNK - 2]
    old, new = StepOrder(line("as-is", ids)), StepOrder(line("to-be", moved))
    kept = moved  # the To-Be's order, as the classifier gives it
    flips = order_flips(old, new, kept)
    # s0/s1 swap; s4094 and s4101 swap places: each passes the six steps between them too
    a, b = f"s{FLIP_CHUNK - 2}", f"s{FLIP_CHUNK + 5}"
    between = [f"s{i}" for i in range(FLIP_CHUNK - 1, FLIP_CHUNK + 5)]
    expected = {("s0", "s1"), (a, b), *((a, m) for m in between), *((m, b) for m in between)}
    assert set(flips) == expected
    assert len(flips) == len(expected)
    # ordered by the position of the first step in kept, then of the second
    position = {step: i for i, step in enumerate(kept)}
    assert flips == sorted(flips, key=lambda f: (position[f[0]], position[f[1]]))


@pytest.mark.parametrize(
    "service", sorted(p.name for p in (ROOT / "models").iterdir() if p.is_dir())
)
def test_order_flips_of_shipped_services_match_the_definition(service: str) -> None:
    as_is = bpr.load(ROOT / "models" / service / "as-is.yaml")
    to_be = bpr.load(ROOT / "models" / service / "to-be.yaml")
    old, new = StepOrder(as_is), StepOrder(to_be)
    kept = [s.id for s in to_be.steps if s.id in as_is]
    assert order_flips(old, new, kept) == flips_by_definition(old, new, kept)
    # and in the other direction, where the To-Be's order is the old one
    assert order_flips(new, old, kept) == flips_by_definition(new, old, kept)


def test_kindergarten_flips_are_the_medical_card_moving() -> None:
    folder = ROOT / "models" / "kindergarten-enrolment"
    as_is, to_be = bpr.load(folder / "as-is.yaml"), bpr.load(folder / "to-be.yaml")
    kept = [s.id for s in to_be.steps if s.id in as_is]
    flips = order_flips(StepOrder(as_is), StepOrder(to_be), kept)
    assert flips  # the resequencing redesign of this service
    resequencing = next(r for r in compare(as_is, to_be).redesigns if r.kind == "resequencing")
    assert set(resequencing.steps) == {s for pair in flips for s in pair}


def _order_peak(count: int) -> int:
    """The peak memory of the order analysis of a line of ``count`` steps against the same line
    with its first two steps swapped (so that the pairs are followed chunk by chunk)."""
    ids = [f"s{i}" for i in range(count)]
    as_is, to_be = line("as-is", ids), line("to-be", [ids[1], ids[0], *ids[2:]])
    kept = [s.id for s in to_be.steps]
    analyse(as_is), analyse(to_be)  # the flow rules' analysis, which the loader makes anyway
    tracemalloc.start()
    try:
        flips = order_flips(StepOrder(as_is), StepOrder(to_be), kept)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert flips == [("s0", "s1")]
    return peak


def test_memory_of_the_order_analysis_grows_linearly() -> None:
    # Both sizes pass one chunk, so the pairs are followed chunk by chunk. Memory that grew with
    # the square of the steps (as the bit set of every pair did) would be 16 times larger at
    # four times the steps.
    small, large = _order_peak(5_000), _order_peak(20_000)
    assert large / small < 8


def test_a_generated_pair_of_2000_steps_compares() -> None:
    as_is = bpr.loads(GENERATE.model_text(2000), "as-is.yaml")
    text = GENERATE.model_text(2000, variant="to-be").replace(
        "channel: in-person", "channel: online"
    )
    to_be = bpr.loads(text, "to-be.yaml")
    comparison = compare(as_is, to_be)
    kinds = [r.kind for r in comparison.redesigns]
    assert "digitisation" in kinds and "resequencing" not in kinds
    assert len(comparison.changed_steps) == 200  # one visit in each unit of ten steps
    visits = comparison.measures["visits"]
    assert (visits.before, visits.after) == (200, 0)
    # the same structure in both: no pair of the 2,000 steps changes order
    kept = [s.id for s in to_be.steps]
    assert order_flips(StepOrder(as_is), StepOrder(to_be), kept) == []
