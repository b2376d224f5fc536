"""Tests of bpr.mining: discovery of draft models from logs, and conformance of models to logs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bpr
from bpr.files.eventlog import ACTIVITY, CASE, RESOURCE, TIMESTAMP, read_log
from bpr.mining import conform, discover, match_activities, mine
from bpr.mining.draft import duration_text
from bpr.mining.tree import probabilities
from bpr.simulate import simulate

pytest.importorskip("pm4py")

DATA = Path(__file__).parent / "data"
NESTED = DATA / "logs" / "nested.yaml"
CONTRACT = DATA / "contract-example.yaml"
MODELS = Path(__file__).resolve().parent.parent / "models"
SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def _simulated_log(model: bpr.Model, cases: int, seed: int = 1) -> pd.DataFrame:
    result = simulate(model, cases, seed=seed, events=True)
    assert result.events is not None
    return result.events.to_frame()


@pytest.fixture(scope="module")
def receipt() -> pd.DataFrame:
    path = SHARED / "receipt.csv"
    if not path.exists():
        pytest.skip("shared/data is not beside this checkout")
    return read_log(path)


@pytest.fixture(scope="module")
def receipt_draft(receipt):
    return discover(receipt, source="receipt.csv", service="receipt")


# -- helpers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "text"),
    [
        (0, "0h"),
        (0.001, "1m"),
        (0.5, "30m"),
        (1.75, "1h 45m"),
        (30.5, "1d 6h 30m"),
        (50.2, "2d 2h"),
        (24 * 9, "9d"),
    ],
)
def test_durations_are_written_readably(hours, text):
    assert duration_text(hours) == text
    if hours:
        assert bpr.parse_duration(text).mean == pytest.approx(
            hours, abs=0.5 if hours > 48 else 1 / 60
        )


def test_probabilities_add_up_to_one_exactly():
    rounded = probabilities({"a": 1, "b": 1, "c": 1})
    assert sum(p for _, p in rounded) == pytest.approx(1, abs=1e-12)
    assert all(p > 0 for _, p in probabilities({"a": 1e-9, "b": 1}))
    assert probabilities({"a": 0.0, "b": 2.0}) == [("b", 1.0)]


# -- discovery ----------------------------------------------------------------------------------


def test_the_running_example(golden):
    result = mine(SHARED / "running-example.xes") if SHARED.exists() else pytest.skip("no shared")
    model = result.model
    golden.check("mining/running-example.yaml", result.text)
    assert model.first.id == "register_request"
    names = {s.name for s in model.steps}
    assert {"decide", "reinitiate request", "check ticket", "examine casually"} <= names
    decide = model.step("decide")
    assert decide.join == "all" and decide.next.kind == "choice"
    assert "reinitiate_request" in decide.next.targets
    assert any(s.next.kind == "parallel" for s in model.steps)
    assert bpr.measure(model).lead_time_days > 0


def test_the_receipt_log_gives_a_valid_model(receipt, receipt_draft):
    model = receipt_draft.model
    activities = set(receipt[ACTIVITY].astype(str))
    steps = {s.name for s in model.steps if not s.name.startswith("(")}
    assert steps == activities
    assert model.volume is not None and 500 < model.volume < 5000
    assert model.first.name == "Confirmation of receipt"
    again = bpr.loads(receipt_draft.text)  # the written text loads on its own
    assert [s.id for s in again.steps] == [s.id for s in model.steps]
    measures = bpr.measure(model)
    assert measures.steps == len(model.steps)
    assert "# Draft As-Is discovered by 'bpr mine'" in receipt_draft.text
    assert "inductive miner" in receipt_draft.text
    assert "added by bpr mine" in receipt_draft.text
    for routing in receipt_draft.routing_steps:
        step = model.step(routing)
        assert step.work.mean == step.wait.mean == 0 and step.channel == "automatic"


def test_the_draft_of_the_receipt_log_fits_it(receipt, receipt_draft):
    result = conform(receipt_draft.model, receipt, log_file="receipt.csv")
    assert 0.85 < result.fitness <= 1
    assert result.missing_in_model == []
    assert set(result.steps_not_in_log) == set(receipt_draft.routing_steps)


@pytest.mark.parametrize(
    "path",
    [*sorted(MODELS.glob("*/*.yaml")), NESTED],
    ids=lambda p: f"{p.parent.name}/{p.stem}",
)
def test_mining_a_simulated_log_finds_the_model_again(path):
    model = bpr.load(path)
    log = _simulated_log(model, 400, seed=3)
    draft = discover(log, source=path.name, service=model.service, noise=0.0)
    labels = {s.label for s in model.steps}
    assert {s.name for s in draft.model.steps if not s.name.startswith("(")} == labels
    fit = conform(draft.model, log)
    assert fit.fitness > 0.95
    assert fit.missing_in_model == []
    # each step's work comes back as the median of its start-to-complete times
    for step in model.steps:
        if step.work.kind == "fixed" and step.work.mean:
            found = next(s for s in draft.model.steps if s.name == step.label)
            assert found.work.mean == pytest.approx(step.work.mean, abs=1 / 60)


def test_actors_come_from_groups_or_resources():
    model = bpr.load(NESTED)
    log = _simulated_log(model, 200)
    by_resource = discover(log, actor_from="resource").model
    assert {a.name for a in by_resource.actors.values()} == set(model.actors)
    lab = next(a for a in by_resource.actors.values() if a.name == "lab")
    assert lab.agency == "Health agency"
    by_group = discover(log, actor_from="group").model
    assert {"City hall", "Health agency"} <= {a.name for a in by_group.actors.values()}
    # the applicant's steps have no group: they fall back to the resource
    apply = next(s for s in by_group.steps if s.name == "apply")
    assert by_group.actors[apply.actor].name == "me"


def test_a_log_without_resources_or_start_times(tmp_path):
    path = tmp_path / "bare.csv"
    path.write_text(
        "case:concept:name,concept:name,time:timestamp\n"
        "1,a,2026-01-01T08:00\n1,b,2026-01-01T10:00\n2,a,2026-01-02T08:00\n2,b,2026-01-02T12:00\n",
        encoding="utf-8",
    )
    result = mine(path)
    assert "the log has no start times" in result.text
    assert "guessed; the log names no resource" in result.text
    assert result.model.step("b").wait.mean == pytest.approx(3)
    assert result.model.volume is None  # a day of cases says little about a year


def test_hostile_activity_names(tmp_path):
    names = ["end", "yes", "a: b # c", '"quoted"', "Décision", "10", "x" * 80, "-"]
    frame = pd.DataFrame(
        {
            CASE: [str(c) for c in (1, 2) for _ in names],
            ACTIVITY: names * 2,
            TIMESTAMP: pd.to_datetime(
                [f"2026-01-0{c}T0{i}:00" for c in (1, 2) for i in range(len(names))], utc=True
            ),
        }
    )
    draft = discover(frame, source="hostile.csv")
    assert [s.name for s in draft.model.steps] == names
    assert all(bpr.core.schema.ID_PATTERN.fullmatch(s.id) for s in draft.model.steps)


def test_different_first_activities_get_a_start_step():
    frame = pd.DataFrame(
        {
            CASE: ["1", "1", "2", "2", "3", "3"],
            ACTIVITY: ["a", "c", "b", "c", "a", "c"],
            TIMESTAMP: pd.to_datetime([f"2026-01-01T0{i}:00" for i in range(6)], utc=True),
        }
    )
    draft = discover(frame, noise=0.0)
    first = draft.model.first
    assert first.name == "(start)" and first.next.kind == "choice"
    assert dict(zip(first.next.targets, (b.p for b in first.next.branches), strict=True)) == {
        "a": pytest.approx(2 / 3, abs=1e-4),
        "b": pytest.approx(1 / 3, abs=1e-4),
    }


def _frame(traces: list[str]) -> pd.DataFrame:
    """A log of one case per string, one event per letter, an hour apart."""
    rows = [(f"c{n}", letter) for n, trace in enumerate(traces) for letter in trace]
    return pd.DataFrame(
        {
            CASE: [c for c, _ in rows],
            ACTIVITY: [a for _, a in rows],
            TIMESTAMP: pd.Timestamp("2026-01-01", tz="UTC")
            + pd.to_timedelta(range(len(rows)), unit="h"),
        }
    )


def test_a_log_that_repeats_its_first_activity():
    # pm4py's tree is a loop at the very start, *(a, tau): the head of the loop was dropped as
    # the first step while a still led back to it (a KeyError, a traceback in bpr mine)
    draft = discover(_frame(["aa", "aaa", "a"]), noise=0.0)
    (step,) = draft.model.steps
    assert step.next.kind == "choice" and set(step.next.targets) == {"a", "end"}
    assert bpr.measure(draft.model).steps == 1
    # a case runs a twice on average: the loop back is taken in half of the runs
    assert dict(zip(step.next.targets, (b.p for b in step.next.branches), strict=True))[
        "a"
    ] == pytest.approx(0.5, abs=1e-3)
    assert conform(draft.model, _frame(["aa", "aaa", "a"])).fitness == pytest.approx(1.0)


@pytest.mark.parametrize("traces", [["aab", "ab", "aaab"], ["abab", "ab"], ["baab", "ba"]])
def test_loops_at_the_start_give_valid_models(traces):
    log = _frame(traces)
    for noise in (0.0, 0.2):
        draft = discover(log, noise=noise)
        assert bpr.loads(draft.text).steps == draft.model.steps
        assert conform(draft.model, log).fitness > 0.9


def test_an_empty_log_is_refused():
    frame = pd.DataFrame({CASE: [], ACTIVITY: [], TIMESTAMP: pd.to_datetime([], utc=True)})
    with pytest.raises(bpr.EventLogError, match="no events"):
        discover(frame)


# -- conformance --------------------------------------------------------------------------------


def test_a_model_fits_its_own_simulated_log():
    model = bpr.load(NESTED)
    log = _simulated_log(model, 500)
    result = conform(model, log)
    assert result.fitness == pytest.approx(1.0)
    assert result.fitting_cases == result.cases == 500
    assert result.missing_in_model == [] and result.steps_not_in_log == []
    assert result.deviating_variants == []
    data = result.as_dict()
    assert data["fitness"] == 1.0 and data["fitting_share"] == 1.0


def test_deviations_are_found_and_named():
    model = bpr.load(NESTED)
    log = _simulated_log(model, 300).astype({ACTIVITY: str})
    # a step that never happens is silent in the replay, and reported
    broken = log[log[ACTIVITY] != "test_b"].copy()
    alone = conform(model, broken)
    assert alone.steps_not_in_log == ["test_b"]
    assert alone.fitness == pytest.approx(1.0)
    # an activity the model lacks is a deviation of every case that has it
    extra = broken.groupby(CASE, observed=True).head(1).copy()
    extra[ACTIVITY] = "Phone the applicant"
    extra[TIMESTAMP] = extra[TIMESTAMP] + pd.Timedelta(minutes=1)
    mixed = pd.concat([broken, extra]).sort_values([CASE, TIMESTAMP], kind="stable")
    result = conform(model, mixed, top_variants=3)
    assert result.fitness < 0.95
    assert result.missing_in_model == [("Phone the applicant", 300)]
    assert result.fitting_cases == 0
    assert len(result.deviating_variants) == 3
    top = result.deviating_variants[0]
    assert top["cases"] >= result.deviating_variants[1]["cases"]
    assert "Phone the applicant" in top["variant"] and top["fitness"] < 1


def test_steps_out_of_order_deviate():
    model = bpr.load(NESTED)
    log = _simulated_log(model, 50).astype({ACTIVITY: str})
    last = log.groupby(CASE, observed=True)[TIMESTAMP].transform("max")
    first = log.groupby(CASE, observed=True)[TIMESTAMP].transform("min")
    swapped = log.copy()
    decide = swapped[ACTIVITY] == "decide"
    swapped.loc[decide, TIMESTAMP] = first[decide] - pd.Timedelta(hours=1)
    assert (last >= first).all()
    result = conform(model, swapped.sort_values([CASE, TIMESTAMP], kind="stable"))
    assert result.fitness < 0.95
    assert result.fitting_cases == 0 and result.missing_in_model == []


def test_alignments_agree_on_a_fitting_log():
    model = bpr.load(NESTED)
    log = _simulated_log(model, 60)
    result = conform(model, log, method="alignments")
    assert result.fitness == pytest.approx(1.0)
    assert result.deviating_variants == []


def test_alignments_count_unknown_activities():
    model = bpr.load(NESTED)
    log = _simulated_log(model, 20).astype({ACTIVITY: str})
    log.loc[log.index[0], ACTIVITY] = "Unknown"
    result = conform(model, log, method="alignments")
    assert result.fitness < 1
    assert result.cases - result.fitting_cases == 1


def test_a_log_with_no_activity_of_the_model_is_refused():
    # every step would be silent and replay any log; token-based replay said 0.7 here
    model = bpr.load(NESTED)
    log = _frame(["xyz", "xy"])
    for method in ("tbr", "alignments"):
        with pytest.raises(bpr.EventLogError, match="none of its 3 activities") as caught:
            conform(model, log, log_file="other.csv", method=method)
        assert "'x', 'y', 'z'" in str(caught.value) and "'apply'" in str(caught.value)
        assert "--activity" in str(caught.value)


def test_an_unknown_method_is_refused():
    with pytest.raises(bpr.BprError, match="valid: tbr, alignments"):
        conform(bpr.load(NESTED), _simulated_log(bpr.load(NESTED), 5), method="guess")


def test_activities_match_steps_by_id_name_or_slug():
    model = bpr.loads(
        "bpr: 1\nservice: s\nvariant: v\nactors: {a: {name: A}}\nsteps:\n"
        "  - {id: check_form, actor: a, name: Check the form}\n"
        "  - {id: decide, actor: a}\n"
        "  - {id: archive, actor: a, name: File it}\n"
    )
    found = match_activities(model, ["Check the form", "decide", "Archive", "other"])
    assert found == {"check_form": "Check the form", "decide": "decide", "archive": "Archive"}


# -- names in other scripts (issue 19: one id maker) --------------------------------------------

RUSSIAN_LOG = DATA / "logs" / "russian.csv"


def test_a_russian_log_mines_into_readable_distinct_ids():
    model = mine(RUSSIAN_LOG).model
    assert [s.id for s in model.steps] == [
        "priyom_zayavleniya",
        "proverka_dokumentov",
        "vydacha_spravki",
    ]
    assert {a.id: a.name for a in model.actors.values()} == {
        "tsentr_gosuslug": "Центр госуслуг",
        "kadastr": "Кадастр",
    }
    assert model.step("proverka_dokumentov").actor == "kadastr"


def test_a_step_missing_from_a_russian_log_is_reported():
    model = bpr.load(DATA / "logs" / "russian.yaml")
    result = conform(model, read_log(RUSSIAN_LOG))
    assert result.steps_not_in_log == ["oplata"]
    assert result.activity_of_step == {
        "priem": "Приём заявления",
        "oplata": None,
        "proverka": "Проверка документов",
        "vydacha": "Выдача справки",
    }
    assert result.fitness == pytest.approx(1.0)


def test_an_activity_matched_closely_is_not_given_to_a_second_step():
    model = bpr.loads(
        "bpr: 1\nservice: s\nvariant: v\nactors: {a: {name: A}}\nsteps:\n"
        "  - {id: check, actor: a, name: Check-form}\n"
        "  - {id: check_form, actor: a, name: Verify}\n"
    )
    # 'Check-form' is the first step's name as written; the second step's id is only the id
    # made from it, so the second step is not in the log
    assert match_activities(model, ["Check-form"]) == {"check": "Check-form", "check_form": None}


def test_names_in_other_scripts_mine_into_distinct_ids():
    names = ["Ərizənin qəbulu", "Oʻzbekiston gʻalla", "Қабылдау", "申请", "Prüfung"]
    draft = discover(_frame_of(names), source="scripts.csv", noise=0.0)
    ids = [s.id for s in draft.model.steps]
    assert ids[:3] == ["erizenin_qebulu", "ozbekiston_galla", "qabyldau"]
    assert len(set(ids)) == len(ids) and "step" not in ids
    assert ids[4] == "prufung"


def _frame_of(names: list[str]) -> pd.DataFrame:
    """Two cases that run ``names`` in order, an hour apart."""
    return pd.DataFrame(
        {
            CASE: [str(c) for c in (1, 2) for _ in names],
            ACTIVITY: names * 2,
            TIMESTAMP: pd.Timestamp("2026-01-01", tz="UTC")
            + pd.to_timedelta(range(2 * len(names)), unit="h"),
        }
    )


# -- control characters (issue 18: #15) ---------------------------------------------------------


def test_activity_names_with_del_or_c1_controls_mine():
    names = ["Check\x7f form", "Sign\x85here", "Stamp\x9b2J", "Pay\u2028now"]
    draft = discover(_frame_of(names), source="controls.csv", noise=0.0)
    assert [s.name for s in draft.model.steps] == names
    assert bpr.loads(draft.text).steps == draft.model.steps
    assert conform(draft.model, _frame_of(names)).fitness == pytest.approx(1.0)


def test_a_log_file_name_with_a_line_break_stays_in_its_comment():
    draft = discover(_frame_of(["a", "b"]), source="two\nlines: [x].csv")
    assert draft.text.splitlines()[0].startswith("# Draft As-Is discovered by 'bpr mine' from two")
    assert draft.model.name == "discovered (as-is, discovered from two\nlines: [x].csv)"


@pytest.mark.parametrize("resource", ["Off", "No", "007", "yes"])
def test_resources_that_yaml_would_misread_are_actor_keys(resource):
    frame = _frame_of(["a", "b"])
    frame[RESOURCE] = resource
    draft = discover(frame)
    assert [a.name for a in draft.model.actors.values()] == [resource]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=10),
        min_size=1,
        max_size=4,
        unique=True,
    ),
    # a resource of blanks only is no resource (its events go to the actor 'staff')
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=8).filter(str.strip),
)
def test_any_names_mine_into_a_valid_draft(names, resource):
    frame = _frame_of(names)
    frame[RESOURCE] = resource
    draft = discover(frame, source="random.csv", noise=0.0)  # never "report this as a bug"
    steps = [s for s in draft.model.steps if s.id not in draft.routing_steps]
    assert sorted(s.name for s in steps) == sorted(names)
    assert len({s.id for s in draft.model.steps}) == len(draft.model.steps)
    assert [a.name for a in draft.model.actors.values()] == [resource]
    assert conform(draft.model, frame).steps_not_in_log == draft.routing_steps


def test_the_service_id_of_a_log_named_in_russian(tmp_path):
    log = tmp_path / "Выдача справок.csv"
    log.write_bytes(RUSSIAN_LOG.read_bytes())
    assert mine(log).model.service == "vydacha-spravok"
    assert mine(tmp_path.joinpath("Выдача справок.csv"), service="spravki").model.service == (
        "spravki"
    )
