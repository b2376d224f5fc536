"""bpr portfolio on tests/data/portfolio, a portfolio of three services whose figures are
worked out by hand in the comments below (alpha and beta have a To-Be, gamma has not)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bpr.core.money import Money
from bpr.errors import ModelError
from bpr.files.finder import find_models
from bpr.portfolio import DEFAULT_WEIGHTS, build_portfolio, loads_portfolio, tables, to_json

DATA = Path(__file__).resolve().parent / "data" / "portfolio"
MODELS = Path(__file__).resolve().parent.parent / "models"


@pytest.fixture(scope="module")
def view():  # type: ignore[no-untyped-def]
    return build_portfolio(DATA).as_dict()


# -- the portfolio file -----------------------------------------------------------------------


def test_portfolio_file_is_read_with_defaults() -> None:
    spec = loads_portfolio("targets: {maturity: {3: 0.5, 4: 0.33}, by: 2020-12-31}\n")
    assert spec.targets == {3: 0.5, 4: 0.33}
    assert spec.by is not None and spec.by.isoformat() == "2020-12-31"
    assert spec.weights == DEFAULT_WEIGHTS and spec.bundles == ()


def test_portfolio_file_problems_are_located_with_codes() -> None:
    text = (
        "targets:\n"
        "  maturity: {5: 0.5, 3: 1.5}\n"
        "  by: soon\n"
        "weights: {visit: 1, admin_cost: -1}\n"
        "bundles: {b: {name: B, services: []}}\n"
        "target: {}\n"
    )
    with pytest.raises(ModelError) as caught:
        loads_portfolio(text, "p.yaml")
    found = {(p.code, p.line) for p in caught.value.problems}
    assert found == {
        ("unknown-stage", 2),
        ("bad-share", 2),
        ("bad-date", 3),
        ("unknown-key", 4),
        ("bad-weight", 4),
        ("bad-bundle", 5),
        ("unknown-key", 6),
    }
    messages = " ".join(p.message for p in caught.value.problems)
    assert "did you mean 'targets'?" in messages and "did you mean 'visits'?" in messages
    assert all(p.file == "p.yaml" for p in caught.value.problems)


def test_the_finder_passes_over_the_portfolio_file() -> None:
    assert not any(p.name == "portfolio.yaml" for p in find_models([DATA]))


# -- maturity benchmarking --------------------------------------------------------------------


def test_stages_per_service_and_unsupported_claims(view) -> None:  # type: ignore[no-untyped-def]
    stages = {s["service"]: s for s in view["maturity"]["services"]}
    # alpha: As-Is has visits and no online applicant step (1); To-Be all online, started by
    # the applicant (3). beta: As-Is has an online applicant step (2); To-Be declares 4 but
    # the applicant starts it (3). gamma: no To-Be.
    assert stages["alpha"]["as_is"] == {"declared": 1, "derived": 1}
    assert stages["alpha"]["to_be"] == {"declared": 3, "derived": 3}
    assert stages["beta"]["as_is"] == {"declared": 2, "derived": 2}
    assert stages["beta"]["to_be"] == {"declared": 4, "derived": 3}
    assert stages["gamma"]["to_be"] == {"declared": None, "derived": None}
    assert view["maturity"]["unsupported"] == [{"service": "beta", "variant": "to-be"}]


def test_cumulative_shares_and_gaps(view) -> None:  # type: ignore[no-untyped-def]
    shares = {s["stage"]: s for s in view["maturity"]["shares"]}
    # now: 1, 2, 1 -> >=2: 1/3; planned: 3, 3, 1 -> >=2 and >=3: 2/3, >=4: 0
    assert [shares[k]["now"] for k in (1, 2, 3, 4)] == [1.0, 0.3333, 0.0, 0.0]
    assert [shares[k]["planned"] for k in (1, 2, 3, 4)] == [1.0, 0.6667, 0.6667, 0.0]
    # 50 % at stage 3 is met (gap 0.5 - 2/3); 33 % at stage 4 needs ceil(0.99) = 1 service
    assert shares[3]["target"] == 0.5 and shares[3]["gap"] == -0.1667
    assert shares[3]["services_needed"] == 0
    assert shares[4]["gap"] == 0.33 and shares[4]["services_needed"] == 1
    assert shares[1]["target"] is None and shares[1]["gap"] is None


# -- prioritisation ---------------------------------------------------------------------------


def test_savings_a_year_with_uptake(view) -> None:  # type: ignore[no-untyped-def]
    alpha, beta = view["priority"]["savings"]
    # alpha: hours 2 -> 0.5, cost 20 -> 5 UZS, visits 2 -> 0, certificates 1 -> 0; 1000 cases,
    # uptake 0.5: 750 h, 7500 UZS, 1000 visits, 500 certificates
    assert (alpha["service"], alpha["applicant_hours"], alpha["admin_cost"]) == ("alpha", 750, 7500)
    assert (alpha["visits"], alpha["certificates"], alpha["currency"]) == (1000, 500, "UZS")
    # beta: hours 2 -> 0.5, cost 4 -> 1 AZN, visits 1 -> 0, certificates 2 -> 0; 400 cases
    assert (beta["applicant_hours"], beta["admin_cost"], beta["visits"]) == (600, 1200, 400)
    assert beta["certificates"] == 800
    # scores: alpha 750/750 + 1 (alone in UZS) + 1000/1000 + 500/800 = 3.625;
    #         beta 600/750 + 1 (alone in AZN) + 400/1000 + 800/800 = 3.2
    assert (alpha["rank"], alpha["score"], beta["rank"], beta["score"]) == (1, 3.625, 2, 3.2)
    assert view["priority"]["savings_total"]["admin_cost"] == {"AZN": 1200, "UZS": 7500}


def test_services_without_a_to_be_rank_by_yearly_cost(view) -> None:  # type: ignore[no-untyped-def]
    (gamma,) = view["priority"]["costs"]
    # 0.5 h and 5 UZS a case, one visit and one certificate, 2000 cases
    assert gamma["service"] == "gamma" and gamma["score"] == 4.0
    assert (gamma["applicant_hours"], gamma["admin_cost"], gamma["visits"]) == (1000, 10000, 2000)
    assert "weight_k * yearly_k / max_k" in view["priority"]["formula"]


def test_weights_change_the_ranking(tmp_path: Path) -> None:
    targets = tmp_path / "weights.yaml"
    targets.write_text("weights: {admin_cost: 0, visits: 0}\n", encoding="utf-8")
    savings = build_portfolio(DATA, targets).as_dict()["priority"]["savings"]
    # alpha 1 + 500/800 = 1.625; beta 600/750 + 1 = 1.8
    assert [(p["service"], p["score"]) for p in savings] == [("beta", 1.8), ("alpha", 1.625)]


# -- the data-exchange backlog, acts ----------------------------------------------------------


def test_exchange_backlog_rows(view) -> None:  # type: ignore[no-untyped-def]
    first, second = view["exchanges"]
    # gamma's clerk (Agency C) asks for the registry's certificate: 2000 cases, registry false
    assert (first["issuer"], first["requester"], first["cases"]) == ("Agency B", "Agency C", 2000)
    assert first["registry"] == "no" and first["sources"] == ["lint"]
    # alpha (To-Be exchanges it, 500 cases with uptake; lint on the As-Is, 1000) and beta (400)
    assert (second["requester"], second["cases"], second["services"]) == (
        "Agency A",
        1400,
        ["alpha", "beta"],
    )
    assert [(c["service"], c["document"]) for c in second["certificates"]] == [
        ("alpha", "cert"),
        ("beta", "cert"),
        ("beta", "extract"),
    ]
    # alpha's registry office has registry: true, beta's does not say
    assert second["registry"] == "unknown" and second["sources"] == ["lint", "to-be"]


def test_acts_to_amend_across_the_portfolio(view) -> None:  # type: ignore[no-untyped-def]
    acts = view["acts"]
    assert acts["pairs"] == 2
    assert [(a["act"], a["article"], a["services"]) for a in acts["to_amend"]] == [
        ("law", "3", [{"service": "alpha", "for": ["fetch"]}]),
        ("law", "7", [{"service": "alpha", "for": ["cert"]}]),
    ]


# -- life-event bundles -----------------------------------------------------------------------


def test_bundle_adds_up_and_counts_a_shared_certificate_once(view) -> None:  # type: ignore[no-untyped-def]
    life, mixed = view["bundles"]
    assert life["services"] == ["alpha", "gamma"] and life["missing"] == ["delta"]
    # now: alpha As-Is (3 steps, 2 visits, 2 h, 20 UZS) + gamma (1, 1, 0.5 h, 5 UZS)
    now = life["now"]
    assert (now["steps"], now["visits"], now["applicant_hours"]) == (4, 3, 2.5)
    assert (now["certificates"], now["admin_cost"]) == (2, {"UZS": 25})
    # planned: alpha To-Be (2 steps, 0 visits, 0.5 h, 5 UZS) + gamma As-Is
    assert (life["planned"]["visits"], life["planned"]["admin_cost"]) == (1, {"UZS": 10})
    # the registry's certificate is carried to both: one once-only opportunity, not two
    assert life["once_only_opportunities"] == 1
    assert life["shared_documents"] == [
        {"document": "cert", "issuer": "Agency B", "services": ["alpha", "gamma"]}
    ]
    # alpha + beta: 3 certificates carried, 2 distinct; money kept per currency
    assert mixed["now"]["certificates"] == 3 and mixed["once_only_opportunities"] == 2
    assert mixed["now"]["admin_cost"] == {"AZN": 4, "UZS": 20}
    assert mixed["shared_agencies"] == {"Agency A": ["alpha", "beta"]}


def test_same_id_from_another_issuer_is_another_document() -> None:
    bundles = build_portfolio(MODELS).as_dict()["bundles"]
    (moving,) = bundles
    # both services have a 'contract', a notary's and a kindergarten's: not shared
    assert all(d["document"] != "contract" for d in moving["shared_documents"])


# -- the command ------------------------------------------------------------------------------


def test_json_schema_keys(run_bpr) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("portfolio", DATA, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == [
        "version",
        "folder",
        "portfolio_file",
        "targets",
        "services",
        "maturity",
        "priority",
        "exchanges",
        "acts",
        "bundles",
    ]
    assert data["targets"] == {"maturity": {"3": 0.5, "4": 0.33}, "by": "2020-12-31"}
    assert list(data["maturity"]) == ["services", "shares", "unsupported"]
    assert list(data["maturity"]["shares"][0]) == [
        "stage", "now", "planned", "target", "gap", "services_needed"
    ]  # fmt: skip
    assert list(data["priority"]) == [
        "formula", "weights", "savings", "costs", "savings_total", "costs_total", "unranked"
    ]  # fmt: skip
    assert list(data["priority"]["savings"][0]) == [
        "rank", "service", "score", "volume", "uptake", "currency",
        "applicant_hours", "admin_cost", "visits", "certificates",
    ]  # fmt: skip
    assert list(data["exchanges"][0]) == [
        "issuer", "requester", "certificates", "services", "cases", "cases_unknown",
        "registry", "sources",
    ]  # fmt: skip
    assert list(data["bundles"][0]) == [
        "id", "name", "services", "missing", "now", "planned", "shared_documents",
        "shared_agencies", "once_only_opportunities",
    ]  # fmt: skip
    assert to_json(build_portfolio(DATA)) == result.stdout


def test_text_output(run_bpr, golden, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(MODELS.parent)  # file names in the output are short and stable
    result = run_bpr("portfolio", "tests/data/portfolio")
    assert result.exit_code == 0, result.stderr
    golden.check("portfolio/small.txt", result.stdout)


def test_bad_portfolio_file_is_a_located_error(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "p.yaml"
    bad.write_text("targets: {maturity: {3: half}}\n", encoding="utf-8")
    result = run_bpr("portfolio", DATA, "--targets", bad)
    assert result.exit_code != 0 and "Traceback" not in result.stderr
    assert f"{bad}:1:" in result.stderr and "0 to 1" in result.stderr


def test_folder_without_services_is_a_usage_error(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("portfolio", tmp_path)
    assert result.exit_code == 2 and "no service folder" in result.stderr


def test_shipped_portfolio_has_the_2020_targets(run_bpr) -> None:  # type: ignore[no-untyped-def]
    result = run_bpr("portfolio", MODELS, "--json")
    data = json.loads(result.stdout)
    assert data["targets"] == {"maturity": {"3": 0.5, "4": 0.33}, "by": "2020-12-31"}
    assert len(data["services"]) == 6


def test_the_documented_portfolio_file_is_valid() -> None:
    text = (MODELS.parent / "docs" / "portfolio.md").read_text(encoding="utf-8")
    block = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    spec = loads_portfolio(block, "docs/portfolio.md")
    assert spec.targets == {3: 0.5, 4: 0.33} and spec.bundles[0].id == "moving-home"


def test_a_to_be_without_an_as_is_is_not_ranked(tmp_path: Path) -> None:
    folder = tmp_path / "delta"
    folder.mkdir()
    text = (DATA / "alpha" / "to-be.yaml").read_text(encoding="utf-8")
    (folder / "to-be.yaml").write_text(text.replace("alpha", "delta"), encoding="utf-8")
    ranking = build_portfolio(tmp_path).as_dict()["priority"]
    assert ranking["savings"] == [] and ranking["costs"] == []
    assert ranking["unranked"] == ["delta"]


def test_tables_carry_plain_values_for_any_output() -> None:
    found = {t.id: t for t in tables(build_portfolio(DATA))}
    assert list(found) == [
        "stages", "shares", "savings", "costs", "exchanges", "acts", "bundle-life", "bundle-mixed"
    ]  # fmt: skip
    savings = found["savings"]
    assert savings.kinds[savings.columns.index("admin_cost")] == "money"
    alpha = savings.rows[0]
    assert alpha[1] == "alpha" and alpha[savings.columns.index("admin_cost")] == Money(7500, "UZS")
    shares = found["shares"]
    assert shares.rows[3][1:4] == (0.0, 0.0, 0.33) and shares.kinds[1] == "share"
    mixed = found["bundle-mixed"]
    assert mixed.rows[0][-1] == (Money(4, "AZN"), Money(20, "UZS"))


def test_a_service_in_two_folders_is_refused(run_bpr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        text = (DATA / "gamma" / "as-is.yaml").read_text(encoding="utf-8")
        (tmp_path / name / "as-is.yaml").write_text(text, encoding="utf-8")
    result = run_bpr("portfolio", tmp_path)
    assert result.exit_code == 1 and result.stdout == ""
    assert "service 'gamma' is also in" in result.stderr
    assert str(tmp_path / "two" / "as-is.yaml") in result.stderr
