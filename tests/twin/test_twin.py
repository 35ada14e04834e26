"""greendc (Pyomo, its normal build and HiGHS path) against the independent linopy twin
(tests/twin/model.py, written from the formulation docstrings) on one real reference site
with the servers fixed: objective, capacities and annual energies must agree to 1e-6.

The default case is 48 h of Frankfurt from 1 January 2018 (a cut horizon: each step weighs
8760/48 = 182.5 h of the year, dt = 1 h), with New Year's negative day-ahead prices and a
tariff lowered to 10 EUR/MWh of network charge so that the all-in grid price is negative in
some hours (battery_one_direction binaries), surplus sale on (sale at the actual spot), a
battery, heat export at 60 EUR/MWh_th (whose recovered heat offloads the dry coolers), a 90 %
hourly CFE target and a 50 EUR/t carbon price; a second case credits the avoided heat emissions.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from greendc.formulation import build_model
from greendc.resources import STUDIES_DIR
from greendc.results import extract_results
from greendc.scenario import scenario_from_dict
from greendc.solve import HighsModel, SolverSettings
from greendc.study import load_study
from tests.twin.model import build_twin, solve_twin

pytest.importorskip("linopy")

SITE, COOLING, SERVER = "de-frankfurt", "direct_liquid", "gb200_nvl72_rack"
REQUIRED_PFLOPS = 18000.0
CFE_TARGET = 0.9
LOW_TARIFF = {f"sites.{SITE}.grid_supply_margin_eur_per_mwh": 0,
              f"sites.{SITE}.grid_network_eur_per_mwh": 10,
              f"sites.{SITE}.grid_levies_eur_per_mwh": 0,
              f"sites.{SITE}.heat_price_eur_per_mwh": 60}


def case_inputs(hours: int, overrides: dict, credit: bool = False):
    raw = {"name": "twin", "sites": [SITE], "cooling": [COOLING], "servers": [SERVER],
           "compute": {"required_pflops": REQUIRED_PFLOPS, "utilisation_share": 0.8},
           "horizon": {"start_hour": 0, "hours": hours}, "min_cfe_share": CFE_TARGET,
           "finance": {"carbon_price_eur_per_t": 50.0},
           "options": {"surplus_sale": True, "battery": True, "heat_export": True,
                       "credit_avoided_heat_emissions": credit},
           "overrides": overrides}
    return load_study(scenario_from_dict(raw, "twin.yaml", STUDIES_DIR)).inputs


def solve_greendc(inputs, nodes: int) -> dict:
    """greendc's model with the site, cooling and node count fixed, solved by HiGHS."""
    m = build_model(inputs)
    m.build[SITE].fix(1)
    m.cool[SITE, COOLING].fix(1)
    m.nodes[SITE, COOLING, SERVER].fix(nodes)
    hm = HighsModel(m, SolverSettings(mip_rel_gap=1e-9, threads=1))
    status = hm.solve()
    assert status.status == "optimal", status
    hm.load_solution()
    res = extract_results(m, inputs).sel(site=SITE)
    w = inputs["weight_h"].values

    def annual(name):
        return float((res[name].values * w).sum())

    out = {"objective_eur_per_yr": float(res["cost_eur_per_yr"]),
           "battery_mwh": float(res["battery_mwh"]), "battery_mw": float(res["battery_mw"]),
           "heat_pump_mw_th": float(res["heat_pump_mw_th"]),
           "grid_mwh": annual("grid_import_mw"), "surplus_mwh": annual("surplus_mw"),
           "heat_mwh": annual("heat_export_mw_th"), "charge_mwh": annual("battery_charge_mw"),
           "ppa_delivered_mwh": float((np.array([m.ppa_delivered_mw[SITE, t].value
                                                 for t in range(inputs.sizes["time"])]) * w).sum()),
           "cooling_offload_mwh": annual("cooling_offload_mw"),
           "avoided_heat_t": float(res["avoided_heat_t_per_yr"])}
    for r in res.tech.values:
        out[f"supply_{r}_mw"] = float(res["supply_mw"].sel(tech=r))
    return out


def compare(hours: int, overrides: dict, credit: bool = False) -> tuple[dict, dict]:
    inputs = case_inputs(hours, overrides, credit)
    nodes = math.ceil(REQUIRED_PFLOPS / float(inputs["node_performance_pflops"].sel(server=SERVER)))
    ours = solve_greendc(inputs, nodes)
    twin = solve_twin(build_twin(inputs, SITE, COOLING, np.array([nodes])),
                      inputs["weight_h"].values)
    assert ours.keys() == twin.keys()
    scale = {k: max(abs(ours[k]), abs(twin[k]), 1.0) for k in ours}
    for key in ours:
        assert abs(ours[key] - twin[key]) <= 1e-6 * scale[key], (key, ours[key], twin[key])
    return ours, inputs


def test_twin_matches_on_a_cut_horizon_with_negative_prices():
    """48 h, weight 182.5 h per step: objective, PPA MW, battery MWh/MW, heat pump MW and
    annual grid, surplus, heat, charge and PPA energies agree to 1e-6 relative; the case
    exercises what it claims (negative all-in prices, battery, heat, PPA, CFE target)."""
    ours, inputs = compare(48, LOW_TARIFF)
    assert (inputs["grid_cost_eur_per_mwh"].values < 0).any()
    assert float(inputs["weight_h"][0]) == pytest.approx(8760 / 48)
    assert ours["heat_pump_mw_th"] > 0 and ours["heat_mwh"] > 0
    assert ours["supply_solar_ppa_mw"] + ours["supply_wind_ppa_mw"] > 0
    assert ours["battery_mwh"] > 0
    assert ours["cooling_offload_mwh"] > 0     # recovered heat offloads the dry coolers


def test_twin_matches_with_the_avoided_heat_credit():
    """The same 48 h with options.credit_avoided_heat_emissions: exported heat x the
    network's carbon content (DE 316 gCO2e/kWh_th) leaves the emissions, so the 50 EUR/t
    carbon price pays for it; both formulations agree to 1e-6 and the heat export does not
    fall."""
    ours, _ = compare(48, LOW_TARIFF, credit=True)
    base, _ = compare(48, LOW_TARIFF)
    assert ours["avoided_heat_t"] > 0
    assert ours["heat_mwh"] >= base["heat_mwh"] - 1e-6 * max(base["heat_mwh"], 1.0)
    assert ours["objective_eur_per_yr"] < base["objective_eur_per_yr"]


@pytest.mark.slow
def test_twin_matches_on_the_full_year():
    """8,760 h with the reference tariffs (no negative all-in price, so no binaries)."""
    compare(8760, {f"sites.{SITE}.heat_price_eur_per_mwh": 60})
