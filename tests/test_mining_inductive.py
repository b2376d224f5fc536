"""Tests of bpr.mining.inductive: bpr's own inductive miner, and that it mines pm4py's tree."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpr.files.eventlog import LogColumns
from bpr.mining.inductive import Operator, Tree, inductive_tree
from bpr.mining.inductive.fallthrough import fall_through
from bpr.mining.inductive.tree import canonical_sort, fold
from bpr.mining.reduce import reduce_log

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "tests" / "data" / "logs"
SHARED = ROOT.parent / "shared" / "data"
NOISES = (0.0, 0.1, 0.2, 0.5)
Log = dict[tuple[str, ...], int]
T = TypeVar("T")


def _pm4py_tree(variants: Log, noise: float) -> str:
    """pm4py's inductive miner on the variants, folded and sorted, as pm4py prints it."""
    pytest.importorskip("pm4py")
    from bpr.mining.library import load_pm4py

    load_pm4py("the comparison")
    from pm4py.algo.discovery.inductive.dtypes.im_ds import IMDataStructureUVCL
    from pm4py.algo.discovery.inductive.variants.im import IMUVCL
    from pm4py.algo.discovery.inductive.variants.imf import IMFUVCL
    from pm4py.objects.process_tree.utils import generic

    parameters = {"noise_threshold": noise}
    miner = IMFUVCL(parameters) if noise > 0 else IMUVCL(parameters)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = miner.apply(IMDataStructureUVCL(Counter(variants)), parameters)
        tree = generic.fold(tree)
        generic.tree_sort(tree)
    return str(tree)


def _same_as_pm4py(variants: Log, noise: float) -> None:
    assert str(inductive_tree(variants, noise)) == _pm4py_tree(variants, noise), (
        variants,
        noise,
    )


# -- hand-made logs: one per base case, cut and fall-through --------------------------------


@pytest.mark.parametrize(
    ("log", "tree"),
    [
        # base cases
        ({}, "tau"),
        ({("a",): 3}, "a"),
        ({(): 2}, "tau"),
        # cuts
        ({("a",): 1, ("b",): 2}, "X( 'a', 'b' )"),
        ({("a", "b", "c"): 1}, "->( 'a', 'b', 'c' )"),
        ({("a", "b", "c"): 2, ("a", "c"): 1}, "->( 'a', X( tau, 'b' ), 'c' )"),
        ({("a", "b"): 1, ("b", "a"): 1}, "+( 'a', 'b' )"),
        ({("a", "b", "c", "d"): 3, ("a", "c", "b", "d"): 2}, "->( 'a', +( 'c', 'b' ), 'd' )"),
        ({("a",): 2, ("a", "b", "a"): 1}, "*( 'a', 'b' )"),
        # fall-throughs
        ({(): 1, ("a",): 1}, "X( tau, 'a' )"),
        ({("a", "b", "a"): 1, ("b", "a"): 1}, "+( *( 'a', tau ), 'b' )"),
        (
            {("c", "a", "b", "c"): 1, ("a", "a"): 1},
            "+( *( 'a', tau ), X( tau, *( 'c', 'b' ) ) )",
        ),
        ({("a", "b"): 1, ("a", "b", "a", "b"): 1}, "*( ->( 'a', 'b' ), tau )"),
        (
            {("c", "a", "b", "d", "c"): 1, ("c",): 1, ("d", "a"): 1},
            "*( ->( X( 'c', 'd' ), X( tau, ->( 'a', X( tau, 'b' ) ) ) ), tau )",
        ),
    ],
    ids=[
        "empty log",
        "one activity",
        "only empty traces",
        "exclusive choice",
        "sequence",
        "strict sequence with a skip",
        "concurrency",
        "concurrency inside a sequence",
        "loop",
        "empty traces",
        "activity once per trace",
        "activity concurrent",
        "strict tau loop",
        "tau loop",
    ],
)
def test_a_tiny_log_mines_into_its_tree(log: Log, tree: str) -> None:
    assert str(inductive_tree(log, 0.0)) == tree


def test_the_flower_is_the_last_fall_through() -> None:
    # activities that occur side by side, with none of the other fall-throughs holding
    operator, logs = fall_through({("a",): 1, ("b",): 1})
    assert operator is Operator.LOOP
    assert logs == [{}, {("a",): 1, ("b",): 1}]


def test_imf_drops_rare_empty_traces_and_keeps_frequent_ones() -> None:
    assert str(inductive_tree({(): 1, ("a",): 9}, 0.2)) == "a"
    assert str(inductive_tree({(): 3, ("a",): 7}, 0.2)) == "X( tau, 'a' )"
    assert str(inductive_tree({(): 1, ("a",): 9}, 0.0)) == "X( tau, 'a' )"


def test_imf_filters_a_rare_edge_when_no_cut_holds() -> None:
    log = {("a", "b", "c"): 20, ("a", "c", "b"): 15, ("a", "c"): 1}
    assert str(inductive_tree(log, 0.0)) == "->( 'a', +( 'c', X( tau, 'b' ) ) )"
    assert str(inductive_tree(log, 0.2)) == "->( 'a', +( 'c', 'b' ) )"


def test_imf_keeps_a_start_activity_at_exactly_the_threshold() -> None:
    # 'b' starts 2 cases, half of what 'a' starts: it stays, and no cut holds
    log = {("a", "b", "a"): 4, ("b", "a"): 2}
    assert str(inductive_tree(log, 0.5)) == "+( *( 'a', tau ), 'b' )"
    assert str(inductive_tree(log, 0.51)) == "*( 'a', 'b' )"


# -- the tree: printing, folding, sorting ---------------------------------------------------


def _leaf(label: str | None = None) -> Tree:
    return Tree(label=label)


def test_the_tree_prints_in_pm4py_notation() -> None:
    tree = Tree(
        Operator.SEQUENCE,
        [_leaf("a"), Tree(Operator.XOR, [_leaf("b"), _leaf()]), Tree(Operator.PARALLEL, [])],
    )
    assert str(tree) == "->( 'a', X( 'b', tau ), +(  ) )"
    assert str(_leaf("a")) == "a"
    assert str(_leaf()) == "tau"


def test_fold_flattens_same_operators_and_drops_what_adds_nothing() -> None:
    nested = Tree(
        Operator.SEQUENCE,
        [
            Tree(Operator.SEQUENCE, [_leaf("a"), _leaf()]),
            Tree(Operator.XOR, [_leaf(), Tree(Operator.XOR, [_leaf("b"), _leaf()])]),
            Tree(Operator.LOOP, [_leaf("c"), _leaf()]),
            Tree(Operator.PARALLEL, [_leaf("d")]),
        ],
    )
    before = str(nested)
    assert str(fold(nested)) == "->( 'a', X( 'b', tau ), *( 'c', tau ), 'd' )"
    assert str(nested) == before  # fold works on a copy


def test_fold_and_sort_agree_with_pm4py_on_trees_built_by_hand() -> None:
    pytest.importorskip("pm4py")
    from pm4py.objects.process_tree.obj import Operator as PmOperator
    from pm4py.objects.process_tree.obj import ProcessTree
    from pm4py.objects.process_tree.utils import generic

    def theirs(node: Tree) -> ProcessTree:
        made = ProcessTree(
            operator=None if node.operator is None else PmOperator(node.operator.value),
            label=node.label,
        )
        for child in node.children:
            child_tree = theirs(child)
            child_tree.parent = made
            made.children.append(child_tree)
        return made

    taus = [_leaf(), _leaf(), _leaf()]
    trees = [
        Tree(Operator.SEQUENCE, [_leaf("a"), *taus, _leaf("b")]),
        Tree(Operator.PARALLEL, [_leaf(), _leaf(), _leaf("a")]),
        Tree(Operator.XOR, [_leaf(), _leaf("a"), _leaf(), Tree(Operator.XOR, [_leaf()])]),
        Tree(Operator.LOOP, [_leaf(), _leaf()]),
        Tree(Operator.LOOP, [Tree(Operator.XOR, [_leaf(), _leaf()]), _leaf()]),
        Tree(
            Operator.SEQUENCE,
            [Tree(Operator.XOR, [_leaf(), _leaf()]), Tree(Operator.XOR, [_leaf(), _leaf()])],
        ),
        Tree(
            Operator.PARALLEL,
            [
                Tree(Operator.PARALLEL, [_leaf("b"), _leaf("a")]),
                Tree(Operator.SEQUENCE, [_leaf("c"), Tree(Operator.SEQUENCE, [_leaf("d")])]),
                _leaf("e"),
            ],
        ),
    ]
    for tree in trees:
        expected = generic.fold(theirs(tree))
        generic.tree_sort(expected)
        assert str(canonical_sort(fold(tree))) == str(expected), str(tree)


# -- the same tree as pm4py's -----------------------------------------------------------------


def _log_variants(path: Path, columns: LogColumns | None = None) -> Log:
    return reduce_log(path, columns, engine="memory").variants


@pytest.mark.parametrize("noise", NOISES)
def test_the_test_logs_mine_as_pm4py_mines_them(noise: float) -> None:
    import bpr
    from bpr.simulate import simulate

    tiny = LogColumns(case="Case ID", activity="Activity", timestamp="Complete Timestamp")
    logs = [
        _log_variants(LOGS / "tiny.csv", tiny),
        _log_variants(LOGS / "russian.csv"),
        _log_variants(LOGS / "lifecycle.xes"),
    ]
    result = simulate(bpr.load(LOGS / "nested.yaml"), 300, seed=5, events=True)
    assert result.events is not None
    traces = result.events.to_frame().groupby("case:concept:name", sort=False)["concept:name"]
    logs.append(dict(Counter(tuple(t) for _, t in traces)))
    for variants in logs:
        _same_as_pm4py(variants, noise)


@pytest.mark.parametrize("name", ["receipt.csv", "running-example.xes"])
@pytest.mark.parametrize("noise", NOISES)
def test_the_real_logs_mine_as_pm4py_mines_them(name: str, noise: float) -> None:
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"{name} is not in ../shared/data beside this checkout")
    _same_as_pm4py(_log_variants(path), noise)


@st.composite
def _variant_logs(draw: st.DrawFn) -> Log:
    size = draw(st.integers(2, 7))
    alphabet = "abcdefg"[:size]
    traces = draw(st.lists(st.lists(st.sampled_from(alphabet), max_size=8), min_size=1, max_size=8))
    return {tuple(t): draw(st.integers(1, 50)) for t in traces}


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(log=_variant_logs(), noise=st.sampled_from([0.0, 0.2, 0.5]))
def test_generated_logs_mine_as_pm4py_mines_them(log: Log, noise: float) -> None:
    _same_as_pm4py(log, noise)


def _random_tree(rng: random.Random, activities: list[str]) -> tuple:
    """A random block structure over the activities: (operator, children) or (None, label)."""
    if len(activities) == 1:
        return (None, activities[0])
    operator = rng.choice(["seq", "seq", "xor", "par", "loop"])
    count = 2 if operator == "loop" else rng.randint(2, min(4, len(activities)))
    cuts = sorted(rng.sample(range(1, len(activities)), count - 1))
    parts = [activities[i:j] for i, j in zip([0, *cuts], [*cuts, len(activities)], strict=True)]
    children = [_random_tree(rng, part) for part in parts]
    if operator == "xor" and rng.random() < 0.3:
        children.append((None, None))  # a skip
    return (operator, children)


def _play(rng: random.Random, node: tuple) -> list[str]:
    """One random run of the structure: its activities in order."""
    operator, rest = node
    if operator is None:
        return [] if rest is None else [rest]
    if operator == "seq":
        return [a for child in rest for a in _play(rng, child)]
    if operator == "xor":
        return _play(rng, rng.choice(rest))
    if operator == "loop":
        run = _play(rng, rest[0])
        while rng.random() < 0.4 and len(run) < 40:
            run += _play(rng, rest[1]) + _play(rng, rest[0])
        return run
    branches = [_play(rng, child) for child in rest]
    run = []
    while any(branches):
        run.append(rng.choice([b for b in branches if b]).pop(0))
    return run


@pytest.mark.parametrize("seed", range(6))
def test_played_out_structures_mine_as_pm4py_mines_them(seed: int) -> None:
    """Logs played out from random block structures (choices, loops, interleaved parallel
    branches, a little noise): the cuts' harder cases, which random traces seldom reach."""
    rng = random.Random(seed)
    for _ in range(5):
        names = [f"t{i}" for i in range(rng.randint(4, 12))]
        structure = _random_tree(rng, names)
        log: Log = {}
        for _ in range(200):
            run = _play(rng, structure)
            if run and rng.random() < 0.05:  # noise: an event lost or one too many
                i = rng.randrange(len(run))
                run = (
                    run[:i] + run[i + 1 :]
                    if rng.random() < 0.5
                    else [*run[:i], rng.choice(names), *run[i:]]
                )
            log[tuple(run)] = log.get(tuple(run), 0) + 1
        for noise in NOISES:
            _same_as_pm4py(log, noise)


_SEEDED = """
import json, random, sys, warnings
from collections import Counter
sys.path.insert(0, {root!r})
from bpr.mining.library import load_pm4py
load_pm4py("the comparison")
from pm4py.algo.discovery.inductive.dtypes.im_ds import IMDataStructureUVCL
from pm4py.algo.discovery.inductive.variants.im import IMUVCL
from pm4py.algo.discovery.inductive.variants.imf import IMFUVCL
from pm4py.objects.process_tree.utils import generic
from bpr.mining.inductive import inductive_tree
warnings.simplefilter("ignore")
rng = random.Random(7)
found = []
for _ in range(80):
    alphabet = "abcdefgh"[: rng.randint(3, 8)]
    log = {{}}
    for _ in range(rng.randint(1, 10)):
        trace = tuple(rng.choice(alphabet) for _ in range(rng.randint(0, 9)))
        log[trace] = rng.randint(1, 30)
    for noise in (0.0, 0.2):
        parameters = {{"noise_threshold": noise}}
        miner = IMFUVCL(parameters) if noise > 0 else IMUVCL(parameters)
        tree = generic.fold(miner.apply(IMDataStructureUVCL(Counter(log)), parameters))
        generic.tree_sort(tree)
        found.append([str(tree), str(inductive_tree(log, noise))])
print(json.dumps(found))
"""


def test_pm4py_and_bpr_agree_under_several_hash_seeds() -> None:
    """pm4py walks sets of strings, whose order changes with the hash seed: its trees must
    not, and bpr's must be the one it gives under each seed."""
    pytest.importorskip("pm4py")
    outcomes = []
    for seed in ("0", "1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PM4PY_SHOW_PROGRESS_BAR": "false"}
        done = subprocess.run(
            [sys.executable, "-c", _SEEDED.format(root=str(ROOT))],
            capture_output=True,
            text=True,
            env=env,
            check=True,
            timeout=300,
        )
        pairs = json.loads(done.stdout.strip().splitlines()[-1])
        assert all(theirs == ours for theirs, ours in pairs)
        outcomes.append([ours for _, ours in pairs])
    assert outcomes[0] == outcomes[1] == outcomes[2]


# -- size, depth and imports ------------------------------------------------------------------


def _shallow(work: Callable[[], T]) -> T:
    """``work`` run in a new thread under a recursion limit of 100 frames, far less than the
    trees here are deep (a miner that recursed once per level would fail)."""
    found: list[T] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            found.append(work())
        except BaseException as error:  # handed to the test
            failed.append(error)

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(100)
    try:
        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
    finally:
        sys.setrecursionlimit(limit)
    if failed:
        raise failed[0]
    return found[0]


def test_a_long_sequence_with_skips_and_repeats_needs_no_deep_recursion() -> None:
    names = [f"step {i:03d}" for i in range(200)]
    full = tuple(names)
    log: Log = {full: 50}
    for i in range(0, 200, 7):
        log[full[:i] + full[i + 1 :]] = 3  # a skipped step
    for i in range(3, 200, 11):
        log[full[: i + 1] + full[i - 2 : i + 1] + full[i + 1 :]] = 2  # a repeated stretch
    trees = _shallow(lambda: {noise: str(inductive_tree(log, noise)) for noise in (0.0, 0.2)})
    for noise, text in trees.items():
        assert all(f"'{name}'" in text for name in names)
        assert text == _pm4py_tree(log, noise)


def test_a_deeply_nested_log_needs_no_deep_recursion() -> None:
    # each step may end the case: a choice inside a sequence inside a choice, 150 deep
    names = [f"s{i:03d}" for i in range(150)]
    log: Log = {tuple(names[: i + 1]): 1 + i % 5 for i in range(150)}
    text = _shallow(lambda: str(inductive_tree(log, 0.0)))
    assert text.startswith("->( 's000', X( tau, ->( 's001', X( tau, ->( 's002',")


def test_the_miner_imports_neither_pm4py_nor_pandas() -> None:
    code = (
        "import sys\n"
        "from bpr.mining.library import inductive_tree\n"
        "tree = inductive_tree({('a', 'b', 'c'): 4, ('a', 'c', 'b'): 2, ('a',): 1}, 0.2)\n"
        "print(tree)\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('pm4py', 'pandas'))\n"
        "print(heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        timeout=120,
    )
    tree, heavy = done.stdout.strip().splitlines()
    assert tree == "->( 'a', +( 'c', 'b' ) )"
    assert heavy == "[]"
