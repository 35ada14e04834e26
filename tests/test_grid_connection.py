"""The grid connection as a decision on real inputs: the split of the per-MWh network charge
(no double counting with the capacity tariff), the queue (commissioning_year) before any
solve, the summary and the solve paths (cut horizon, decomposition, typical days)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from greendc.errors import DataError, ScenarioError
from greendc.inputs import network_energy_part
from greendc.physics.finance import annualised_cost_eur_per_yr
from greendc.resources import STUDIES_DIR
from greendc.results import summary, summary_rows
from greendc.scenario import scenario_from_dict
from greendc.study import load_study, solve_study

STUDY = STUDIES_DIR / "reference_sites.yaml"
# The reference study prices the connection and carries Tier-III-like backup; these tests start
# from both off (the model without this block) and switch the connection on themselves.
DAY = {"horizon.hours": 24, "compute.required_pflops": 2000, "solver.workers": 1,
       "solver.duals": False, "options.grid_connection_cost": False, "continuity": None}


def test_network_split_bills_the_same_at_the_reference_load_factor():
    """A flat 1 MW consumer at load factor 0.8 draws 0.8 x 8,760 = 7,008 MWh/yr. Network
    charge 20 EUR/MWh: 140,160 EUR/yr. Capacity tariff 70,000 EUR/MW/yr: energy part
    20 - 70,000 / 7,008 = 10.0114 EUR/MWh, and 70,000 x 1 MW + 10.0114 x 7,008 = 140,160."""
    part = network_energy_part(20.0, 70_000.0, 0.8)
    assert part == pytest.approx(20.0 - 70_000.0 / 7008.0)
    assert 70_000.0 + part * 7008.0 == pytest.approx(20.0 * 7008.0)


def test_inputs_cut_the_network_charge_to_its_energy_part():
    """With the switch on, grid_cost and the network levy on PPA energy drop by exactly
    tariff / (load factor x 8,760 h) at every site, and the cost per MW is CRF x capex +
    tariff; off, the inputs carry no connection array (today's model)."""
    sites = ["fr-essonne", "de-frankfurt"]
    off = load_study(STUDY, {**DAY, "sites": sites}).inputs
    on = load_study(STUDY, {**DAY, "sites": sites, "options.grid_connection_cost": True}).inputs
    assert "connection_cost_eur_per_mw_yr" not in off
    # fr-essonne 20,000 EUR/MW/yr, de-frankfurt 110,000; load factor 0.8 (sites.yaml)
    drop = np.array([20_000.0, 110_000.0]) / (0.8 * 8760)
    np.testing.assert_allclose(
        (off["grid_cost_eur_per_mwh"] - on["grid_cost_eur_per_mwh"]).values,
        np.repeat(drop[:, None], 24, axis=1))
    np.testing.assert_allclose((off["grid_network_levy_eur_per_mwh"]
                                - on["grid_network_levy_eur_per_mwh"]).values, drop)
    np.testing.assert_allclose(on["grid_network_energy_eur_per_mwh"].values,
                               [12.0 - drop[0], 20.0 - drop[1]])
    capex = [annualised_cost_eur_per_yr(c, 0.07, 40) for c in (180_000.0, 220_000.0)]
    np.testing.assert_allclose(on["connection_cost_eur_per_mw_yr"].values,
                               np.add(capex, [20_000.0, 110_000.0]))


def test_a_tariff_above_the_whole_network_charge_is_refused():
    """10 EUR/MWh at load factor 0.8 recovers 70,080 EUR/MW/yr; a 100,000 tariff cannot be
    part of that bill: DataError naming the site and both fields."""
    with pytest.raises(DataError, match=r"nl-amsterdam.*grid_capacity_tariff_eur_per_mw_yr.*"
                                        r"grid_network_eur_per_mwh"):
        load_study(STUDY, {**DAY, "sites": ["nl-amsterdam"], "options.grid_connection_cost": True,
                           "overrides": {"sites.nl-amsterdam.grid_capacity_tariff_eur_per_mw_yr":
                                         100_000}})


def test_own_site_without_connection_facts_is_refused():
    """An own site without the connection facts cannot price its connection: the error names
    the site and each missing field."""
    from greendc.resources import SITES_DIR
    from tests.conftest import OWN_SITE_FACTS

    raw = {"name": "own", "sites": [{"id": "fr-essonne", "facts": {}},
                                    {"id": "mine", "file": str(SITES_DIR / "fr-essonne_2018.nc"),
                                     "facts": OWN_SITE_FACTS}],
           "compute": {"required_pflops": 100}, "options": {"grid_connection_cost": True},
           "horizon": {"hours": 24}}
    with pytest.raises(ScenarioError) as err:
        load_study(scenario_from_dict(raw, origin=str(STUDY)))
    text = str(err.value)
    assert "site mine: grid_connection_capex_eur_per_mw" in text
    assert "site mine: grid_network_reference_load_factor" in text
    assert "fr-essonne" not in text.split("\n", 1)[1]


def test_every_site_late_is_an_error_before_any_solve():
    """commissioning_year 2027: Amsterdam (2030) and Madrid (2030) cannot connect in time; the
    error says so for each site, with both years, at load time (no solve)."""
    with pytest.raises(ScenarioError) as err:
        load_study(STUDY, {**DAY, "sites": ["nl-amsterdam", "es-madrid"],
                           "commissioning_year": 2027})
    text = str(err.value)
    assert "every candidate site is excluded" in text
    for site in ("nl-amsterdam", "es-madrid"):
        assert (f"site {site}: grid connection year 2030 is after the commissioning year 2027"
                in text)


def test_the_digest_ignores_the_switches_at_their_defaults():
    raw = {"name": "d", "sites": ["fr-essonne"], "compute": {"required_pflops": 100}}
    same = {**raw, "options": {"grid_connection_cost": False}, "commissioning_year": None}
    on = {**raw, "commissioning_year": 2030}
    digest = scenario_from_dict(raw).scenario.digest()
    assert scenario_from_dict(same).scenario.digest() == digest
    assert scenario_from_dict(on).scenario.digest() != digest


def test_queue_and_priced_connection_decomposed_on_a_cut_horizon(tmp_path):
    """Three sites, 24 h, decomposition: Amsterdam (2030) is excluded by commissioning year
    2028 before the solve and the results say why; the built site's contract equals the peak it
    carries, and the summary, its rows and the cost breakdown report it."""
    res = solve_study(load_study(STUDY, {
        **DAY, "sites": ["fr-essonne", "se-stockholm", "nl-amsterdam"],
        "options.grid_connection_cost": True, "commissioning_year": 2028,
        "solver.strategy": "decompose"}))
    info = summary(res)
    assert info["solver"]["status"] == "optimal"
    assert list(info["excluded_sites"]) == ["nl-amsterdam"]
    assert "after the commissioning year 2028" in info["excluded_sites"]["nl-amsterdam"]
    assert (res["candidate_status"].sel(site="nl-amsterdam").values == "excluded").all()
    (site, conn), = info["grid_connection"].items()
    assert site == info["site"]
    assert conn["connection_mw"] == pytest.approx(conn["peak_mw"], rel=1e-6)
    assert conn["cost_eur_per_yr"] == pytest.approx(
        info["cost_breakdown_eur_per_yr"]["grid_connection"], rel=1e-9)
    rows = dict(summary_rows(info))
    assert f"grid connection {site}" in rows
    assert "nl-amsterdam excluded" in rows["commissioning 2028"]
    # saved and re-read: results.nc, csv/ and summary.json keep the connection and the queue
    from greendc.results import save_results

    save_results(res, tmp_path / "out")
    saved = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert saved["excluded_sites"] == info["excluded_sites"]
    assert (tmp_path / "out" / "csv" / "connection_mw.csv").exists()
    assert "after the commissioning year" in (tmp_path / "out" / "csv"
                                              / "site_excluded_reason.csv").read_text()


def test_priced_connection_monolithic_with_duals():
    """One site, 24 h, monolithic with shadow prices: solves proven optimal; the contract is
    the peak; the grid-energy cost uses the energy part of the network charge."""
    res = solve_study(load_study(STUDY, {**DAY, "sites": ["de-frankfurt"],
                                         "solver.duals": True,
                                         "options.grid_connection_cost": True}))
    assert res.attrs["solver_status"] == "optimal"
    assert float(res["connection_mw"].sel(site="de-frankfurt")) == pytest.approx(
        float(res["connection_peak_mw"].sel(site="de-frankfurt")), rel=1e-6)
    assert float(res["cost_grid_connection_eur_per_yr"]) > 0


def test_typical_days_design_re_evaluated_with_the_contract_as_a_floor():
    """Typical days on four weeks of the tiny case (5 typical days). A's PUE peaks at noon by a
    different amount each day; B (not built, dearer) has one far larger PUE spike, so the kept
    peak day is B's and A's real peak day is no typical day: the typical design contracts
    2.2801 MW, the real peak hour needs 2.2973 MW. Re-evaluated hour by hour, the contract is a
    lower bound and grows to the real peak (fixed, the peak hour would be infeasible)."""
    pytest.importorskip("tsam")
    from greendc.solve import SolverSettings
    from greendc.study import ModelSpec, solve_inputs
    from greendc.typical import aggregate_inputs, reevaluate
    from tests.conftest import tiny_inputs
    from tests.formulation.test_connection import priced

    hours = 28 * 24
    t = np.arange(hours)
    weeks = priced(tiny_inputs(hours=hours, grid_connection_mw=[3.0, 3.0]), 1000.0)
    weeks = weeks.sel(cooling=["imm"])
    pue = np.full((2, 1, hours), 1.1)
    pue[0, 0] += (np.repeat(np.random.default_rng(3).uniform(0, 0.05, 28), 24)
                  * np.exp(-((t % 24 - 12) / 3.0) ** 2))
    pue[1, 0, 10 * 24 + 12] = 1.5
    weeks["pue"] = (("site", "cooling", "time"), pue)
    spec = ModelSpec(objective="cost", cap_scope="emissions", cap_t_co2=None,
                     settings=SolverSettings(mip_rel_gap=1e-9))
    typ = solve_inputs(spec, aggregate_inputs(weeks, 5))
    assert typ.status.status == "optimal"
    design = float(typ.results["connection_mw"].sel(site="A"))
    solved, _ = reevaluate(spec, weeks, typ.results)
    assert solved.status.status == "optimal"
    full = solved.results
    real_peak = 2.0 * float(pue[0, 0].max())  # 1 x g2 (2 MW at full load) x PUE
    assert design < real_peak - 1e-3
    assert float(full["connection_mw"].sel(site="A")) == pytest.approx(real_peak, rel=1e-9)
    assert float(full["connection_peak_mw"].sel(site="A")) == pytest.approx(real_peak, rel=1e-9)
