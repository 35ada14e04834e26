"""Typical-days mode (greendc.typical): aggregation weights, inter-period storage linking,
full-resolution re-evaluation and the polite failure without tsam."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import xarray as xr

from greendc.errors import MissingExtraError, ScenarioError
from greendc.scenario import scenario_from_dict
from greendc.solve import HighsModel, SolverSettings
from greendc.study import ModelSpec, solve_inputs
from tests.conftest import tiny_inputs

pytest.importorskip("tsam")

from greendc.typical import aggregate_inputs, reevaluate  # noqa: E402

HOURS = 8760
SPEC = ModelSpec(objective="cost", cap_scope="emissions", cap_t_co2=None,
                 settings=SolverSettings(mip_rel_gap=1e-9))


@pytest.fixture(scope="module")
def year() -> xr.Dataset:
    """Tiny case over a full year at one site and one cooling, with a grid price that swings
    within the day and across the seasons and a cheap lossy battery that is worth using."""
    t = np.arange(HOURS)
    rng = np.random.default_rng(7)
    price = (50 + 30 * np.sin(2 * np.pi * (t % 24 - 6) / 24)
             + 20 * np.cos(2 * np.pi * t / HOURS) + rng.normal(0, 5, HOURS))
    inp = tiny_inputs(hours=HOURS, sites=["A"], battery_energy_cost_eur_per_mwh_yr=500.0,
                      battery_power_cost_eur_per_mw_yr=500.0, battery_charge_efficiency=0.95,
                      battery_discharge_efficiency=0.95, grid_connection_mw=2.5)
    inp = inp.sel(cooling=["imm"])
    inp["grid_cost_eur_per_mwh"] = (("site", "time"), price[None, :])
    inp["grid_ci_g_per_kwh"] = (("site", "time"), (300 + 100 * np.cos(2 * np.pi * t / HOURS))[None])
    pue = 1.1 + 0.05 * np.clip(np.sin(2 * np.pi * (t - 2000) / HOURS), 0, None)
    inp["pue"] = (("site", "cooling", "time"), pue[None, None, :])
    return inp


@pytest.fixture(scope="module")
def typical(year):
    return aggregate_inputs(year, 6)


def test_weights_cover_the_year_and_days_map_to_typical_days(year, typical):
    assert typical.sizes["time"] == 6 * 24
    assert float(typical["weight_h"].sum()) == pytest.approx(8760.0)
    order = typical["period_of_day"].values
    assert order.shape == (365,) and set(order.tolist()) == set(range(6))
    counts = np.bincount(order, minlength=6)
    np.testing.assert_allclose(typical["weight_h"].values.reshape(6, 24),
                               np.repeat(counts[:, None], 24, axis=1))
    # typical days are real days of the year, chronological, and annual sums stay exact
    assert (np.diff(typical["time"].values) > 0).all()
    np.testing.assert_array_equal(typical["water_m3_per_mw_it_yr"], year["water_m3_per_mw_it_yr"])
    again = aggregate_inputs(year, 6)
    np.testing.assert_array_equal(again["period_of_day"], order)  # deterministic


def test_inter_period_storage_chain_is_cyclic_and_within_bounds(typical):
    """battery_soc_day (cyclic day chain), battery_soc_envelope and battery_soc_nonnegative
    together keep the reconstructed state of charge within [0, battery_mwh] in every hour."""
    from greendc.formulation import build_model
    from greendc.results import extract_results

    m = build_model(typical)
    hm = HighsModel(m, SPEC.settings)
    assert hm.solve().status == "optimal"
    hm.load_solution()
    res = extract_results(m, typical)
    energy = float(res["battery_mwh"].sel(site="A"))
    assert energy > 0.1, "the case should use the battery"
    order = typical["period_of_day"].values
    start = np.array([m.battery_soc_day_mwh["A", i].value for i in range(365)])
    delta = np.array([m.battery_soc_mwh["A", t].value for t in range(typical.sizes["time"])])
    delta = delta.reshape(-1, 24)
    # chain: next day's start = this day's start + its typical day's net change; cyclic
    np.testing.assert_allclose(np.roll(start, -1), start + delta[order, -1], atol=1e-6)
    # state of charge of every one of the 8760 original hours is within [0, battery_mwh]
    soc = start[:, None] + delta[order]
    assert soc.min() >= -1e-6 and soc.max() <= energy + 1e-6
    assert start.min() >= -1e-9 and start.max() <= energy + 1e-6


def test_reevaluated_design_costs_at_least_the_full_resolution_optimum(year):
    """On four weeks (fast to solve hour by hour) aggregated into 5 typical days."""
    weeks = year.isel(time=slice(0, 28 * 24))
    typical = aggregate_inputs(weeks, 5)
    assert float(typical["weight_h"].sum()) == pytest.approx(28 * 24)
    best = solve_inputs(SPEC, weeks)
    typ = solve_inputs(SPEC, typical)
    assert best.status.status == "optimal" and typ.status.status == "optimal"
    solved, _ = reevaluate(SPEC, weeks, typ.results)
    assert solved.status.status == "optimal" and solved.integer_columns == 0
    full_cost = float(solved.results["cost_eur_per_yr"])
    optimum = float(best.results["cost_eur_per_yr"])
    assert full_cost >= optimum * (1 - 1e-7)
    assert full_cost <= optimum * 1.05  # and it is a good design
    # the capacities were kept
    for name in ("nodes", "battery_mwh", "battery_mw"):
        np.testing.assert_allclose(solved.results[name].values,
                                   typ.results[name].sel(site=["A"]).values, atol=1e-6)


def test_missing_tsam_gives_the_pip_command(monkeypatch, year):
    monkeypatch.setitem(sys.modules, "tsam", None)
    monkeypatch.setitem(sys.modules, "tsam.timeseriesaggregation", None)
    with pytest.raises(MissingExtraError, match="pip install"):
        aggregate_inputs(year, 4)


def test_typical_days_need_the_full_year():
    raw = {"name": "x", "sites": ["fr-essonne"], "compute": {"required_pflops": 10},
           "horizon": {"typical_days": 8, "hours": 2000}}
    with pytest.raises(ScenarioError, match="typical_days"):
        scenario_from_dict(raw)
    ok = scenario_from_dict({**raw, "horizon": {"typical_days": 8}})
    assert ok.scenario.horizon.typical_days == 8
