"""Typical-days mode (greendc.typical): aggregation weights, inter-period storage linking,
full-resolution re-evaluation and the polite failure without tsam."""

from __future__ import annotations

import json
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


# ------------------------------------------------------------------ energy consistency
from greendc.resources import DATA_DIR  # noqa: E402
from greendc.typical import ENERGY_SERIES  # noqa: E402

ENERGY_SITES = ["es-madrid", "se-stockholm"]  # Madrid: windy medoids short; Stockholm: heat
needs_sites = pytest.mark.skipif(
    not all((DATA_DIR / "sites" / f"{s}.nc").exists() for s in ENERGY_SITES),
    reason="reference site files not built")


def _annual_energy(ds: xr.Dataset, name: str) -> np.ndarray:
    """Weighted annual sum of every column of ds[name] [MWh per MW, or MWh_th]."""
    da = ds[name].transpose(..., "time")
    return (da.values.reshape(-1, da.sizes["time"]) * ds["weight_h"].values).sum(axis=1)


@needs_sites
def test_typical_days_carry_the_full_year_energy_on_reference_sites():
    """16 typical days of Madrid + Stockholm (real reference data): for every column of every
    energy series the typical days x their weights hold the full year's energy (1e-9), each
    typical day its cluster's energy, capacity factors stay <= 1; rates (PUE, prices) stay
    the medoid day's real values. Without rescaling Madrid's wind held 0.6-0.8 of it."""
    import yaml

    from greendc.resources import STUDIES_DIR
    from greendc.study import load_study

    raw = yaml.safe_load((STUDIES_DIR / "reference_sites.yaml").read_text())
    full = load_study(dict(raw, sites=ENERGY_SITES)).inputs
    typ = aggregate_inputs(full, 16)
    order = typ["period_of_day"].values
    for name in ENERGY_SERIES:
        want, got = _annual_energy(full, name), _annual_energy(typ, name)
        assert want.max() > 0
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9 * want.max())
        # per typical day: the energy of the original days it stands for
        f = full[name].transpose(..., "time").values.reshape(-1, 365, 24)
        t = typ[name].transpose(..., "time").values.reshape(-1, 16, 24)
        w = typ["weight_h"].values.reshape(16, 24)
        for k in range(16):
            np.testing.assert_allclose((t[:, k] * w[k]).sum(axis=1),
                                       f[:, order == k].sum(axis=(1, 2)), rtol=1e-9,
                                       atol=1e-9 * want.max())
    assert float(typ["capacity_factor"].max()) <= 1.0
    assert (typ["heat_demand_mw"].max("time") <= full["heat_demand_mw"].max("time")).all()
    days = np.asarray(json.loads(typ.attrs["typical_representative_days"]))
    hours = (days[:, None] * 24 + np.arange(24)).ravel()
    for rate in ("pue", "grid_cost_eur_per_mwh", "grid_ci_g_per_kwh", "heat_pump_cop"):
        np.testing.assert_array_equal(typ[rate].values, full[rate].isel(time=hours).values)


@pytest.fixture(scope="module")
def ppa_year(year) -> xr.Dataset:
    """The year case with a cheap solar PPA at A whose output swings by day and season."""
    t = np.arange(HOURS)
    rng = np.random.default_rng(11)
    cf = np.clip(np.sin(2 * np.pi * (t % 24 - 6) / 24), 0, None) * (
        0.6 + 0.3 * np.cos(2 * np.pi * (t - 4000) / HOURS)) * rng.uniform(0.2, 1.0, 365).repeat(24)
    inp = year.copy()
    caps = np.zeros((1, 2, HOURS))
    caps[0, 0] = cf
    inp["capacity_factor"] = (("site", "tech", "time"), caps)
    inp["supply_potential_mw"] = (("site", "tech"), [[10.0, 0.0]])
    inp["strike_eur_per_mwh"] = (("site", "tech"), [[30.0, 0.0]])
    inp["supply_energy_mwh_per_mw_yr"] = (inp["capacity_factor"] * inp["weight_h"]).sum("time")
    return inp


def test_typical_balance_delivers_the_paid_energy(ppa_year):
    """The PPA is paid on its full-year energy (supply_energy_mwh_per_mw_yr x MW); in the
    typical-day balance it delivers sum_t cf x MW x weight_h: the two must be equal."""
    typical = aggregate_inputs(ppa_year, 6)
    solved = solve_inputs(SPEC, typical)
    assert solved.status.status == "optimal"
    res = solved.results
    mw = float(res["supply_mw"].sel(site="A", tech="solar"))
    assert mw > 0.1, "the case should buy solar"
    paid = mw * float(typical["supply_energy_mwh_per_mw_yr"].sel(site="A", tech="solar"))
    delivered = float((res["supply_output_mw"].sel(site="A") * typical["weight_h"]).sum())
    assert delivered == pytest.approx(paid, rel=1e-9)


def test_summary_reports_typical_estimate_vs_hour_by_hour(ppa_year):
    """summary.json's typical_days section: cost, emissions and energy as the typical days
    estimated them vs the design hour by hour; solar energy delivered agrees exactly."""
    from greendc.results import summary
    from greendc.study import Study
    from greendc.typical import reevaluate_study

    weeks = ppa_year.isel(time=slice(0, 28 * 24))
    weeks["supply_energy_mwh_per_mw_yr"] = (weeks["capacity_factor"] * weeks["weight_h"]).sum("time")
    typical = aggregate_inputs(weeks, 5)
    typ = solve_inputs(SPEC, typical)
    loaded = scenario_from_dict({"name": "tiny", "sites": ["A"], "compute": {"required_pflops": 3}})
    study = Study(loaded=loaded, catalogue=None, sites={}, inputs=typical, full_inputs=weeks)
    res = reevaluate_study(study, SPEC, typ.results)
    info = summary(res)["typical_days"]["estimate_vs_full"]
    assert set(info) >= {"cost_eur_per_yr", "emissions_t_per_yr", "grid_energy_mwh_per_yr",
                         "supply_energy_mwh_per_yr", "heat_sold_mwh_per_yr"}
    assert info["cost_eur_per_yr"]["typical"] == pytest.approx(float(typ.results["cost_eur_per_yr"]))
    assert info["cost_eur_per_yr"]["full"] == pytest.approx(float(res["cost_eur_per_yr"]))
    assert abs(info["supply_energy_mwh_per_yr"]["error_pct"]) < 1e-7
