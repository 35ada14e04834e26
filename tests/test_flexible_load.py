"""``compute.flexibility`` through the scenario (issue 16 part 1): validation before any solve,
the inputs it prepares, and the block on a cut horizon, with the decomposition and with
typical days (hand-solved families: tests/formulation/test_flexible.py)."""

from __future__ import annotations

import numpy as np
import pytest

from greendc.errors import ScenarioError
from greendc.formulation.data import model_data
from greendc.formulation.flexible import period_weights, periods
from greendc.results import summary, summary_rows
from greendc.scenario import scenario_from_dict
from greendc.study import load_study, solve_study

FLEX = {"training_share": 0.4, "period": "day", "curtailable_share": 0.1}
BASE = {"name": "flex", "sites": ["fr-essonne"], "cooling": ["direct_liquid"],
        "servers": ["b200_node"], "compute": {"required_pflops": 1000, "flexibility": FLEX},
        "horizon": {"hours": 36, "start_hour": 4000},
        "options": {"heat_export": False, "battery": False, "supply_techs": ["solar_ppa"]},
        "solver": {"workers": 1, "mip_rel_gap": 1e-6}}


def with_flex(**changes) -> dict:
    return {**BASE, "compute": {"required_pflops": 1000, "flexibility": {**FLEX, **changes}}}


@pytest.mark.parametrize(("raw", "fragment"), [
    (with_flex(training_share=1.5), "training_share"),
    (with_flex(period="month"), "period"),
    (with_flex(floor_share=-0.1), "floor_share"),
    (with_flex(max_ramp_share_per_h=0), "max_ramp_share_per_h"),
    (with_flex(curtailment_cost_eur_per_mwh=-5), "curtailment_cost_eur_per_mwh"),
    ({**with_flex(period="week"), "horizon": {"typical_days": 8}},
     "compute.flexibility.period = week needs consecutive hours"),
])
def test_bad_flexibility_is_refused_before_any_solve(raw, fragment):
    with pytest.raises(ScenarioError) as err:
        scenario_from_dict(raw, origin="s.yaml")
    assert "s.yaml" in str(err.value) and fragment in str(err.value)


def test_given_load_without_servers_needs_a_curtailment_cost():
    raw = {**BASE, "servers": None, "compute": {"it_load_mw": 10, "flexibility": FLEX}}
    del raw["servers"]
    with pytest.raises(ScenarioError, match="curtailment_cost_eur_per_mwh"):
        load_study(raw)


def test_given_profile_breaking_the_ramp_limit_is_refused(tmp_path):
    """A 10 -> 20 MW step is half the 20 MW peak per hour: a 0.2 /h limit cannot follow it."""
    profile = tmp_path / "load.csv"
    profile.write_text("it_load_mw\n" + "\n".join(["10"] * 12 + ["20"] * 24), encoding="utf-8")
    flex = {**FLEX, "curtailable_share": 0.0, "max_ramp_share_per_h": 0.2}
    raw = {**BASE, "compute": {"it_load_mw": str(profile), "flexibility": flex}}
    del raw["servers"]
    with pytest.raises(ScenarioError, match="changes by 0.5 of its peak per h between steps 11"):
        load_study(raw)


def test_off_prepares_nothing_and_keeps_the_scenario_hash():
    """Off adds nothing to the inputs, and the digest leaves compute.flexibility out at its
    default (batch case ids of existing scenarios do not move; pinned in test_scenario)."""
    off = {**BASE, "compute": {"required_pflops": 1000}}
    study = load_study(off)
    assert "node_idle_mw" not in study.inputs and "flex_training_share" not in study.inputs.attrs
    dump = study.loaded.scenario.model_dump(mode="json")
    assert dump["compute"]["flexibility"] is None
    from greendc.scenario import DIGEST_OMITS_DEFAULT
    assert DIGEST_OMITS_DEFAULT["compute.flexibility"] is None
    on = scenario_from_dict(BASE).scenario.digest()
    assert on != study.loaded.scenario.digest()


def test_default_curtailment_cost_is_the_server_cost_per_mwh():
    """b200_node: annualised cost [EUR/yr] / (utilised power [MW] x 8760 h)."""
    ds = load_study(BASE).inputs
    expected = float(ds["node_cost_eur_per_yr"][0] / (ds["node_power_mw"][0] * 8760))
    assert ds.attrs["flex_curtailment_cost_eur_per_mwh"] == pytest.approx(expected)
    assert 300 < expected < 3000  # EUR/MWh, the order of cloud GPU-hour prices per MWh
    assert float(ds["node_idle_mw"][0]) == pytest.approx(0.005)


def test_cut_horizon_last_partial_day_and_report():
    """36 h: day 0 holds 24 h, day 1 the 12 h left; each holds f x its hours x work power
    (nothing curtailable here), so day 1 trains half of day 0's energy. Flexible costs no
    more than off (the flat profile is one of its choices)."""
    raw = with_flex(curtailable_share=0.0)
    study = load_study(raw)
    p_of = periods(model_data(study.inputs))
    assert np.bincount(p_of).tolist() == [24, 12]
    res = solve_study(study)
    assert res.attrs["solver_status"] == "optimal"
    train = res["training_mw"].sel(site="fr-essonne").values
    assert train[:24].sum() > 0
    assert train[24:].sum() == pytest.approx(train[:24].sum() / 2, rel=1e-6)
    info = summary(res)
    flex = info["flexible_training"]
    assert flex["work_pflops"] == pytest.approx(1000, rel=1e-6)
    assert flex["installed_pflops"] >= 1000 - 1e-6
    assert dict(summary_rows(info))["flexible training"].startswith("IT ")
    assert info["cost_breakdown_eur_per_yr"]["training_curtailed"] == 0.0
    off = solve_study(load_study({**BASE, "compute": {"required_pflops": 1000}}))
    assert float(res["cost_eur_per_yr"]) <= float(off["cost_eur_per_yr"]) * (1 + 1e-6)
    assert "cost_training_curtailed_eur_per_yr" not in off
    assert "flexible_training" not in summary(off)


def test_decomposition_with_flexibility():
    raw = {**BASE, "sites": ["fr-essonne", "de-frankfurt"], "horizon": {"hours": 24},
           "solver": {"workers": 1, "mip_rel_gap": 1e-6, "strategy": "decompose"}}
    res = solve_study(load_study(raw))
    assert res.attrs["solver_strategy"] == "decompose"
    assert res.attrs["solver_status"] == "optimal"
    mono = solve_study(load_study({**raw, "solver": {**raw["solver"],
                                                      "strategy": "monolithic"}}))
    assert float(res["cost_eur_per_yr"]) == pytest.approx(float(mono["cost_eur_per_yr"]),
                                                          rel=1e-5)
    assert "work_nodes" in res and "training_mw" in res


def test_typical_days_design_keeps_its_work_nodes_when_reevaluated():
    """Four weeks of the tiny case (price swinging within the day), 5 typical days: each
    typical day is one training period, the re-evaluation hour by hour fixes nodes and
    work_nodes and solves the dispatch LP."""
    pytest.importorskip("tsam")
    from greendc.solve import SolverSettings
    from greendc.study import ModelSpec, solve_inputs
    from greendc.typical import aggregate_inputs, reevaluate
    from tests.conftest import tiny_inputs

    hours = 28 * 24
    t = np.arange(hours)
    rng = np.random.default_rng(3)
    weeks = tiny_inputs(hours=hours, sites=["A"]).sel(cooling=["imm"])
    price = 50 + 30 * np.sin(2 * np.pi * (t % 24 - 6) / 24) + rng.normal(0, 5, hours)
    weeks["grid_cost_eur_per_mwh"] = (("site", "time"), price[None, :])
    weeks["node_peak_mw"] = ("server", [2.0, 4.0])
    weeks["node_idle_mw"] = ("server", [0.2, 0.4])
    weeks.attrs.update(flex_training_share=0.5, flex_period_h=24.0, flex_floor_share=0.2,
                       flex_max_ramp_share_per_h=0.5, flex_curtailable_share=0.0,
                       flex_curtailment_cost_eur_per_mwh=0.0)
    typical = aggregate_inputs(weeks, 5)
    assert periods(model_data(typical)).tolist() == np.repeat(np.arange(5), 24).tolist()
    spec = ModelSpec("cost", "emissions", None, SolverSettings(mip_rel_gap=1e-9))
    typ = solve_inputs(spec, typical)
    assert typ.status.status == "optimal"
    solved, _ = reevaluate(spec, weeks, typ.results)
    assert solved.status.status == "optimal" and solved.integer_columns == 0
    np.testing.assert_allclose(solved.results["work_nodes"].values,
                               typ.results["work_nodes"].values, atol=1e-6)
    assert float(solved.results["training_shifted_mwh_per_yr"]) > 0


def test_weeks_on_a_cut_horizon_and_period_weights():
    """period week on 400 h: weeks of 168, 168 and the 64 h left; every step weighted 8760/400
    h, so each period stands for 8760/400 = 21.9 of itself in the year (a_p)."""
    from tests.conftest import tiny_inputs

    ds = tiny_inputs(hours=400, weight=8760 / 400)
    ds.attrs["flex_period_h"] = 168.0
    d = model_data(ds)
    p_of = periods(d)
    assert np.bincount(p_of).tolist() == [168, 168, 64]
    assert period_weights(d) == pytest.approx({0: 21.9, 1: 21.9, 2: 21.9})
