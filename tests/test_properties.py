"""Property tests (hypothesis) on small random instances built like the tiny fixture.

Hypothesis draws the structure (number of sites 1-3, hours 2-5, a seed, a factor); the
numbers themselves come from a numpy generator seeded by hypothesis, so they are continuous
(no accidental ties between designs) and every failure is reproducible from the seed.

Properties (issue 6, item 6):
- adding a candidate site never increases the optimal cost;
- multiplying every price and cost by k > 0 multiplies the optimal cost by k, same design;
- tightening an emissions cap never lowers the optimal cost;
- the hourly energy balance holds in every returned solution to 1e-6 MW.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import COOLINGS, TECHS, solve_tiny, tiny_inputs

SITE_NAMES = ["A", "B", "C"]
PROPERTY = settings(max_examples=20, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])
BALANCE_TOL_MW = 1e-6

# Every input in EUR (per unit) and the attrs in EUR: scaling these by k scales the cost by k.
PRICE_VARS = ("grid_cost_eur_per_mwh", "surplus_sale_price_eur_per_mwh",
              "cooling_cost_eur_per_mw_it_yr", "facility_cost_eur_per_mw_it_yr",
              "node_cost_eur_per_yr", "strike_eur_per_mwh", "supply_capacity_cost_eur_per_mw_yr",
              "heat_price_eur_per_mwh", "site_fixed_cost_eur_per_yr")
PRICE_ATTRS = ("battery_energy_cost_eur_per_mwh_yr", "battery_power_cost_eur_per_mw_yr",
               "heat_pump_cost_eur_per_mw_yr", "dh_connection_cost_eur_per_yr",
               "carbon_price_eur_per_t")


def random_instance(seed: int, n_sites: int, hours: int) -> xr.Dataset:
    """A tiny-like instance with random prices, weather, supply, battery and heat."""
    rng = np.random.default_rng(seed)
    S = SITE_NAMES[:n_sites]
    nS, nC, nR = n_sites, len(COOLINGS), len(TECHS)
    ds = tiny_inputs(hours=hours, sites=S)
    shape_sct = (nS, nC, hours)
    ds["pue"] = (("site", "cooling", "time"),
                 1.05 + rng.uniform(0, 0.6, (1, nC, 1)) + rng.uniform(0, 0.15, shape_sct))
    ds["grid_cost_eur_per_mwh"] = (("site", "time"), rng.uniform(5, 120, (nS, hours)))
    ds["surplus_sale_price_eur_per_mwh"] = (("site", "time"),
                                            rng.uniform(-10, 60, (nS, hours)).clip(min=0))
    ds["grid_ci_g_per_kwh"] = (("site", "time"), rng.uniform(10, 500, (nS, hours)))
    ds["grid_cfe_share"] = (("site", "time"), rng.uniform(0, 1, (nS, hours)))
    ds["capacity_factor"] = (("site", "tech", "time"), rng.uniform(0, 1, (nS, nR, hours)))
    ds["supply_potential_mw"] = (("site", "tech"), rng.uniform(0, 4, (nS, nR)))
    ds["strike_eur_per_mwh"] = (("site", "tech"), rng.uniform(10, 90, (nS, nR)))
    ds["supply_capacity_cost_eur_per_mw_yr"] = ("tech", rng.uniform(0, 50, nR))
    ds["supply_lifecycle_g_per_kwh"] = ("tech", rng.uniform(5, 50, nR))
    ds["cooling_cost_eur_per_mw_it_yr"] = ("cooling", rng.uniform(0, 60, nC))
    ds["facility_cost_eur_per_mw_it_yr"] = ("site", rng.uniform(0, 40, nS))
    ds["site_fixed_cost_eur_per_yr"] = ("site", rng.uniform(0, 80, nS))
    ds["node_cost_eur_per_yr"] = ("server", rng.uniform(50, 400, 2))
    ds["node_embodied_t_per_yr"] = ("server", rng.uniform(0, 0.3, 2))
    ds["heat_pump_cop"] = (("site", "cooling", "time"), rng.uniform(2, 5, shape_sct))
    ds["recoverable_heat_share"] = ("cooling", rng.uniform(0, 0.9, nC))
    ds["heat_demand_mw"] = (("site", "time"), rng.uniform(0, 2, (nS, hours)))
    ds["heat_price_eur_per_mwh"] = ("site", rng.uniform(0, 30, nS))
    ds["grid_connection_mw"] = ("site", rng.uniform(4, 15, nS))
    ds.attrs.update(
        required_pflops=float(rng.uniform(1, 9)),
        battery_energy_cost_eur_per_mwh_yr=float(rng.uniform(1, 40)),
        battery_power_cost_eur_per_mw_yr=float(rng.uniform(1, 40)),
        battery_charge_efficiency=float(rng.uniform(0.85, 1.0)),
        battery_discharge_efficiency=float(rng.uniform(0.85, 1.0)),
        battery_embodied_t_per_mwh_yr=float(rng.uniform(0, 0.05)),
        heat_pump_cost_eur_per_mw_yr=float(rng.uniform(0, 20)),
        dh_connection_cost_eur_per_yr=float(rng.uniform(0, 20)),
        carbon_price_eur_per_t=float(rng.uniform(0, 100)),
    )
    ds["supply_energy_mwh_per_mw_yr"] = (ds["capacity_factor"] * ds["weight_h"]).sum("time")
    return ds


def solve(inputs: xr.Dataset, objective: str = "cost", cap: float | None = None):
    """(objective value or inf when infeasible, results or None); checks the balance."""
    status, res, _ = solve_tiny(inputs, objective, cap)
    if res is None:
        assert status.status == "infeasible", status
        return math.inf, None
    assert_energy_balance(res)
    value = float(res["cost_eur_per_yr"] if objective == "cost" else res["emissions_t_per_yr"])
    return value, res


def assert_energy_balance(res: xr.Dataset) -> None:
    """grid + supply output + discharge == facility + heat pump + charge + surplus, every
    site and hour, to 1e-6 MW."""
    supply = (res["grid_import_mw"] + res["supply_output_mw"] + res["battery_discharge_mw"])
    use = (res["facility_mw"] + res["heat_pump_elec_mw"] + res["battery_charge_mw"]
           + res["surplus_mw"])
    gap = float(np.abs((supply - use).values).max())
    assert gap <= BALANCE_TOL_MW, f"energy balance violated by {gap:.3g} MW"


def design(res: xr.Dataset) -> tuple:
    """The integer design: sites built, cooling chosen, nodes per (site, cooling, server)."""
    return (tuple(np.round(res["build"].values).astype(int).ravel()),
            tuple(np.round(res["cooling_chosen"].values).astype(int).ravel()),
            tuple(np.round(res["nodes"].values).astype(int).ravel()))


def close(a: float, b: float, rel: float = 1e-6) -> bool:
    return abs(a - b) <= rel * max(abs(a), abs(b), 1.0)


seeds = st.integers(min_value=0, max_value=2**31 - 1)
hours = st.integers(min_value=2, max_value=5)


@PROPERTY
@given(seed=seeds, n_sites=st.integers(min_value=1, max_value=2), hours=hours,
       data=st.data())
def test_adding_a_candidate_site_never_increases_cost(seed, n_sites, hours, data):
    full = random_instance(seed, n_sites + 1, hours)
    dropped = data.draw(st.integers(min_value=0, max_value=n_sites), label="dropped site")
    keep = [i for i in range(n_sites + 1) if i != dropped]
    fewer = full.isel(site=keep)
    cost_fewer, _ = solve(fewer)
    cost_more, _ = solve(full)
    if math.isinf(cost_fewer):
        return
    assert cost_more <= cost_fewer + 1e-6 * max(abs(cost_fewer), 1.0), (cost_more, cost_fewer)


def scale_prices(base, k: float):
    """Every price and cost of an inputs Dataset multiplied by k."""
    scaled = base.copy(deep=True)
    for name in PRICE_VARS:
        scaled[name] = base[name] * k
    for name in PRICE_ATTRS:
        scaled.attrs[name] = base.attrs[name] * k
    return scaled


@PROPERTY
@given(seed=seeds, n_sites=st.integers(min_value=1, max_value=3), hours=hours,
       k=st.floats(min_value=0.1, max_value=10.0, allow_nan=False))
def test_scaling_every_price_scales_cost_same_design(seed, n_sites, hours, k):
    base = random_instance(seed, n_sites, hours)
    scaled = scale_prices(base, k)
    cost, res = solve(base)
    cost_k, res_k = solve(scaled)
    if res is None:
        assert res_k is None  # prices cannot change feasibility
        return
    assert close(cost_k, k * cost), (cost_k, k * cost)
    assert design(res_k) == design(res)


@PROPERTY
@given(seed=seeds, n_sites=st.integers(min_value=1, max_value=3), hours=hours,
       loose=st.floats(min_value=-0.1, max_value=1.2), tighter_by=st.floats(0.0, 1.0))
def test_tightening_the_emissions_cap_never_lowers_cost(seed, n_sites, hours, loose, tighter_by):
    inputs = random_instance(seed, n_sites, hours)
    free_cost, free = solve(inputs)
    if free is None:
        return
    lowest, _ = solve(inputs, objective="emissions")
    highest = float(free["emissions_t_per_yr"])
    span = max(highest - lowest, 1e-6)
    cap_loose = lowest + loose * span
    cap_tight = cap_loose - tighter_by * span * 0.5
    cost_loose, _ = solve(inputs, cap=cap_loose)
    cost_tight, _ = solve(inputs, cap=cap_tight)
    assert cost_loose >= free_cost - 1e-6 * max(abs(free_cost), 1.0)
    if math.isinf(cost_loose):
        assert math.isinf(cost_tight), "a tighter cap made an infeasible study feasible"
    else:
        assert cost_tight >= cost_loose - 1e-6 * max(abs(cost_loose), 1.0), (cost_tight,
                                                                              cost_loose)


@PROPERTY
@given(seed=seeds, n_sites=st.integers(min_value=1, max_value=3), hours=hours,
       objective=st.sampled_from(["cost", "emissions"]), min_cfe=st.sampled_from([None, 0.3]))
def test_hourly_energy_balance_holds(seed, n_sites, hours, objective, min_cfe):
    inputs = random_instance(seed, n_sites, hours)
    if min_cfe is not None:
        inputs.attrs["min_cfe_share"] = min_cfe
    _, res = solve(inputs, objective=objective)  # solve() asserts the balance
    if res is not None:
        assert float(res["facility_mw"].sum()) > 0


def test_random_instance_is_feasible_and_uses_the_options():
    """Sanity: the generator gives solvable instances that exercise supply and heat."""
    built = [solve(random_instance(seed, 2, 4))[1] for seed in range(6)]
    assert all(r is not None for r in built)
    assert any(float(r["supply_mw"].sum()) > 1e-6 for r in built)


@pytest.mark.parametrize("k", [0.5, 3.0])
def test_scaling_on_the_hand_solved_tiny_case(k):
    """The documented tiny optimum (338 EUR) scales exactly."""
    base = tiny_inputs()
    scaled = scale_prices(base, k)
    cost, res = solve(base)
    cost_k, res_k = solve(scaled)
    assert cost == pytest.approx(338.0) and cost_k == pytest.approx(338.0 * k)
    assert design(res_k) == design(res)
