"""bpr diff at scale: the step order answers what the plain definitions say, in memory that
grows linearly with the model, and a generated 2,000-step pair compares as expected."""

from __future__ import annotations

import itertools
import random
import tracemalloc
from collections.abc import Sequence
from pathlib import Path

import networkx as nx
import pytest

import bpr
from bpr.comparison import compare
from bpr.comparison.order import FLIP_CHUNK, StepOrder, order_flips
from bpr.comparison.pairs import parallel_groups
from bpr.core.flow import analyse
from bpr.core.model import END
from tests.conftest import ROOT, script_module

GENERATE = script_module("benchmarks/generate.py")


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


# -- parallel branches ---------------------------------------------------------------------


#: A step id, or a parallel block: (split, [the items of each branch], join).
Item = str | tuple[str, Sequence[Sequence["Item"]], str]


def blocks_model(variant: str, items: Sequence[Item], loop_to: str | None = None) -> bpr.Model:
    """A model from nested items: a step id, or ``(split, [branch items, ...], join)``; the
    last step goes back to ``loop_to`` half of the time where it is given."""
    steps: list[str] = []

    def entry(item: Item) -> str:
        return item if isinstance(item, str) else item[0]

    def emit(items: Sequence[Item], after: str) -> None:
        for n, item in enumerate(items):
            following = entry(items[n + 1]) if n + 1 < len(items) else after
            if isinstance(item, str):
                if following == END and loop_to:
                    flow = f"[{{to: {loop_to}, p: 0.5}}, {{to: end, p: 0.5}}]"
                else:
                    flow = following
                steps.append(f"  - {{id: {item}, actor: a, next: {flow}}}\n")
                continue
            split, branches, join = item
            starts = ", ".join(entry(b[0]) for b in branches)
            steps.append(f"  - {{id: {split}, actor: a, next: {{all: [{starts}]}}}}\n")
            for branch in branches:
                emit(branch, join)
            steps.append(f"  - {{id: {join}, actor: a, join: all, next: {following}}}\n")

    emit(items, END)
    return bpr.loads(
        f"bpr: 1\nservice: p\nvariant: {variant}\nactors: {{a: {{name: A}}}}\nsteps:\n"
        + "".join(steps)
    )


def random_items(rng: random.Random, ids: list[str], depth: int = 0) -> list[Item]:
    """Items of :func:`blocks_model` over the ids, with random (nested) parallel blocks."""
    items: list[Item] = []
    pool = list(ids)
    while pool:
        if len(pool) >= 4 and depth < 2 and rng.random() < 0.5:
            split, join = pool.pop(0), pool.pop(0)
            inner = pool[: rng.randint(2, min(len(pool), 9))]
            del pool[: len(inner)]
            cuts = sorted(rng.sample(range(1, len(inner)), min(len(inner) - 1, rng.randint(1, 2))))
            branches = [inner[a:b] for a, b in zip([0, *cuts], [*cuts, len(inner)], strict=True)]
            items.append((split, [random_items(rng, b, depth + 1) for b in branches], join))
        else:
            items.append(pool.pop(0))
    return items


def groups_by_definition(
    old: StepOrder, new: StepOrder, sources: dict[str, list[str]]
) -> tuple[list[tuple[str, list[str], int]], list[str]]:
    """Every pair of steps in different branches of a To-Be split whose As-Is steps ran one
    after the other, grouped around the step in most pairs: the plain definition."""
    pairs: set[tuple[str, str]] = set()
    for block in new.blocks:
        regions = list(block.branches.values())
        for i, first in enumerate(regions):
            for second in regions[i + 1 :]:
                for a, b in itertools.product(first - second, second - first):
                    if any(
                        x != y and old.sequential(x, y) and not old.concurrent(x, y)
                        for x in sources[a]
                        for y in sources[b]
                    ):
                        pairs.add((a, b))
    index = {s.id: s.index for s in new.model.steps}
    partners: dict[str, set[str]] = {}
    for a, b in pairs:
        partners.setdefault(a, set()).add(b)
        partners.setdefault(b, set()).add(a)
    groups = []
    while any(partners.values()):
        head = max(
            (s for s in partners if partners[s]), key=lambda s: (len(partners[s]), -index[s])
        )
        others = sorted(partners[head], key=index.__getitem__)
        for other in others:
            partners[other].discard(head)
        partners[head] = set()
        groups.append((head, others, len(others)))
    return groups, sorted({s for p in pairs for s in p}, key=index.__getitem__)


@pytest.mark.parametrize("seed", range(60))
def test_parallel_groups_match_the_definition(seed: int) -> None:
    rng = random.Random(seed)
    ids = [f"s{i}" for i in range(rng.randint(6, 26))]
    shuffled = ids[:1] + rng.sample(ids[1:], len(ids) - 1) if rng.random() < 0.5 else ids
    items = random_items(rng, shuffled)
    tops = [item if isinstance(item, str) else item[0] for item in items]
    loop = rng.choice(tops) if rng.random() < 0.3 else None
    as_is = blocks_model("as-is", items, loop)
    added = [f"n{i}" for i in range(rng.randint(0, 3))]
    to_be_ids = ids[:1] + rng.sample(ids[1:] + added, len(ids) - 1 + len(added))
    to_be = blocks_model("to-be", random_items(rng, to_be_ids))
    sources = {s.id: ([s.id] if s.id in as_is else []) for s in to_be.steps}
    old, new = StepOrder(as_is), StepOrder(to_be)
    groups, steps = groups_by_definition(old, new, sources)
    found = parallel_groups(old, new, sources, listed=len(ids) + len(added))
    assert (found.groups, found.count, found.steps) == (groups, len(groups), steps)
    few = parallel_groups(old, new, sources, listed=2)
    assert few.groups == [(head, others[:2], n) for head, others, n in groups[:2]]
    assert few.count == len(groups)


def test_two_long_branches_are_grouped_without_pairing_every_step() -> None:
    # A line of 6,002 steps becomes two parallel branches of 3,000: 9 million pairs of steps
    # that ran one after the other, which the sentence groups and counts without listing.
    half = 3_000
    left, right = [f"a{i}" for i in range(half)], [f"b{i}" for i in range(half)]
    as_is = blocks_model("as-is", ["s", *left, *right, "j"])
    to_be = blocks_model("to-be", [("s", [left, right], "j")])
    sources = {s.id: [s.id] for s in to_be.steps}
    found = parallel_groups(StepOrder(as_is), StepOrder(to_be), sources, listed=6)
    assert found.count == half
    assert found.groups[0] == ("a0", right[:6], half)
    assert [head for head, _others, _n in found.groups] == left[:6]
    assert found.steps == [*left, *right]
    assert found.pairs_tested < 2 * len(found.steps)  # was 9,000,000
    r = next(r for r in compare(as_is, to_be).redesigns if r.kind == "parallelism")
    assert r.sentence.startswith(
        "Steps that ran one after the other now run at the same time: a0 alongside b0, b1, "
        "b2, b3, b4, b5 and 2994 other steps; a1 alongside b0,"
    )
    assert r.sentence.endswith("and 2994 other steps; 2994 more steps run alongside others.")
    assert len(r.steps) == 2 * half


def test_long_branches_kept_parallel_are_not_paired() -> None:
    # The same two branches in both variants: no pair ran in sequence, and no pair is tested.
    half = 3_000
    left, right = [f"a{i}" for i in range(half)], [f"b{i}" for i in range(half)]
    both = [("s", [left, right], "j")]
    as_is, to_be = blocks_model("as-is", both), blocks_model("to-be", both)
    sources = {s.id: [s.id] for s in to_be.steps}
    found = parallel_groups(StepOrder(as_is), StepOrder(to_be), sources, listed=6)
    assert (found.groups, found.count, found.steps, found.pairs_tested) == ([], 0, [], 0)
