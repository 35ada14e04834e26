"""Shadow prices (``greendc.duals``) on tiny cases solved on paper, with step weights 1 and 3.

Tiny case (tests/conftest.py) at site A only: A / imm / 1 x g2 (3 PFLOP/s, 2 MW, 250 EUR/yr),
facility 2 x 1.1 = 2.2 MW for 4 steps of weight w, grid 10 EUR/MWh at 100 g/kWh = 0.1 t/MWh.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from greendc.duals import design_duals
from greendc.pareto import pareto_front
from greendc.problem import ModelSpec
from greendc.solve import SolverSettings
from tests.conftest import solve_tiny, tiny_inputs
from tests.test_pareto import front_study

SETTINGS = SolverSettings(mip_rel_gap=1e-9)


@pytest.fixture(params=[1.0, 3.0], ids=["w1", "w3"])
def w(request) -> float:
    return request.param


def wind_case(w: float):
    """A wind PPA at A: capacity factor 0.5 every step, strike 30 EUR/MWh, up to 10 MW."""
    return tiny_inputs(weight=w, sites=["A"], capacity_factor=[[[0] * 4, [0.5] * 4]],
                       supply_potential_mw=[[0, 10]], strike_eur_per_mwh=[[0, 30]])


def duals(inputs, cap=None, objective="cost"):
    status, res, _ = solve_tiny(inputs, objective=objective, cap=cap)
    assert status.has_solution
    spec = ModelSpec("cost" if objective == "cost" else "emissions", "emissions", cap, SETTINGS)
    return res, design_duals(spec, inputs, res)


def test_co2_shadow_price_is_the_cost_slope_of_the_cap(w):
    """A PPA MWh replaces a grid MWh: +20 EUR (30 - 10) for -0.1 t, so each tonne under the
    cap costs 200 EUR whatever w. Cap 0.5 w t (unconstrained 0.88 w): x MW wind with
    0.88 w - 0.2 w x = 0.5 w -> x = 1.9 MW; cost 250 + 10 (2.2 - 0.95) 4 w + 30 x 0.95 x 4 w
    = 250 + 164 w. Shadow price 200 EUR/tCO2e; the LP of the fixed design costs the same."""
    res, d = duals(wind_case(w), cap=0.5 * w)
    assert float(res["cost_eur_per_yr"]) == pytest.approx(250 + 164 * w)
    assert float(d["co2_shadow_price_eur_per_t"]) == pytest.approx(200.0)
    assert d.attrs["duals_lp_cost_eur_per_yr"] == pytest.approx(250 + 164 * w)
    assert d["co2_shadow_price_eur_per_t"].attrs["units"] == "EUR/tCO2e"


def test_co2_shadow_price_matches_two_solves(w):
    """The same slope from two MILP solves, 0.01 w t apart: (cost(cap - d) - cost(cap)) / d."""
    lo = solve_tiny(wind_case(w), cap=0.49 * w)[1]
    hi = solve_tiny(wind_case(w), cap=0.5 * w)[1]
    slope = (float(lo["cost_eur_per_yr"]) - float(hi["cost_eur_per_yr"])) / (0.01 * w)
    assert slope == pytest.approx(200.0, rel=1e-6)


def test_no_co2_price_when_the_cap_does_not_bind(w):
    _, d = duals(wind_case(w), cap=1.0 * w)
    assert float(d["co2_shadow_price_eur_per_t"]) == 0.0


def test_compute_marginal_cost_is_a_node_at_the_marginal_energy_price(w):
    """One more g2 (3 PFLOP/s) costs 250 + 2 MW x 1.1 x 4 w x 10 EUR/MWh = 250 + 88 w, i.e.
    (250 + 88 w) / 3 EUR/(PFLOP/s)/yr (g1: 100 + 44 w per PFLOP/s, dearer). Under a binding
    cap the marginal MWh is PPA energy at 30 EUR/MWh: (250 + 264 w) / 3."""
    _, free = duals(wind_case(w))
    assert float(free["compute_marginal_cost_eur_per_pflops_yr"]) == pytest.approx(
        (250 + 88 * w) / 3)
    _, capped = duals(wind_case(w), cap=0.5 * w)
    assert float(capped["compute_marginal_cost_eur_per_pflops_yr"]) == pytest.approx(
        (250 + 264 * w) / 3)


def test_grid_connection_value_is_the_arbitrage_it_limits(w):
    """Grid 10 EUR/MWh in steps 0-1, 50 in 2-3; a battery at 1 EUR/MWh/yr and 1 EUR/MW/yr;
    connection 3.2 MW leaves 1 MW for charging beside the 2.2 MW facility. One MW more
    connection charges 1 MW more in steps 0 and 1 and discharges it in 2 and 3: saves
    2 x 40 x w EUR for 1 MW and 2 MWh more battery (3 EUR): 80 w - 3 EUR/MW/yr."""
    inputs = tiny_inputs(weight=w, sites=["A"], grid_cost_eur_per_mwh=[[10, 10, 50, 50]],
                         grid_connection_mw=[3.2], battery_energy_cost_eur_per_mwh_yr=1.0,
                         battery_power_cost_eur_per_mw_yr=1.0)
    res, d = duals(inputs)
    assert float(res["battery_mw"].sum()) == pytest.approx(1.0)
    assert float(d["grid_connection_value_eur_per_mw_yr"].sel(site="A")) == pytest.approx(
        80 * w - 3)
    _, loose = duals(tiny_inputs(weight=w, sites=["A"]))
    assert float(loose["grid_connection_value_eur_per_mw_yr"].sel(site="A")) == 0.0


def test_emissions_objective_prices_the_last_tonne(w):
    """Minimum emissions: 2.2 MW all from wind (x = 4.4 MW, 0 t). The last tonne costs what
    every tonne costs here, 200 EUR/tCO2e (LP with emissions <= the optimum)."""
    inputs = wind_case(w)
    status, res, _ = solve_tiny(inputs, objective="emissions")
    spec = ModelSpec("emissions", "emissions", None, SETTINGS)
    from greendc.duals import study_emissions_bound

    d = design_duals(spec, inputs, res, study_emissions_bound(spec, res))
    assert float(res["emissions_t_per_yr"]) == pytest.approx(0.0, abs=1e-6)
    assert float(d["co2_shadow_price_eur_per_t"]) == pytest.approx(200.0)


def test_front_points_carry_the_co2_price_of_their_slope():
    """Front of tests/test_pareto.py: at A, cost = 338 + 300 (0.88 - e), so where the cap
    binds away from the ends (points 1 and 3) the CO2 price is 300 EUR/tCO2e; at B (no PPA)
    nothing abates: 0. Compute at A under the cap: (250 + 2.2 x 4 x 40) / 3."""
    front = pareto_front(front_study(), points=5)
    price = front["co2_shadow_price_eur_per_t"].values
    assert price[1] == pytest.approx(300.0) and price[3] == pytest.approx(300.0)
    assert price[2] == pytest.approx(0.0)
    assert front["compute_marginal_cost_eur_per_pflops_yr"].values[1] == pytest.approx(
        (250 + 2.2 * 4 * 40) / 3)
    assert (front["duals_status"].values == "optimal").all()


def test_user_caps_are_front_points():
    """Caps 0.5 and 0.3 t: B at 0.44 t (426 EUR; A would cost 338 + 300 x 0.38 = 452) and A
    at 0.3 t (338 + 300 x 0.58 = 512); a cap above the cost end gives the cost end's design;
    a cap below the emissions end (0 t) is reported missing, not dropped."""
    front = pareto_front(front_study(), points=None, caps=[0.5, 0.3, 2.0, -0.1])
    user = front["user_cap"].values
    eps = front["epsilon_t_per_yr"].values
    assert front["user_cap_t_per_yr"].values[user].tolist() == pytest.approx([2.0, 0.5, 0.3])
    assert eps[0] == pytest.approx(0.88, rel=1e-5)  # cap 2.0 does not bind: the cost end
    cost = dict(zip(np.round(eps, 6), front["cost_eur_per_yr"].values))
    assert cost[0.5] == pytest.approx(426.0) and cost[0.3] == pytest.approx(512.0)
    assert front["cost_eur_per_yr"].values[0] == pytest.approx(338.0, rel=1e-5)
    assert not front["dominated"].any()
    assert front["site"].values[list(np.round(eps, 6)).index(0.5)] == "B"
    missing = __import__("json").loads(front.attrs["points_missing"])
    assert [m["epsilon_t_per_yr"] for m in missing] == [-0.1]
    assert "below the lowest reachable" in missing[0]["reason"]
    assert math.isclose(front["co2_shadow_price_eur_per_t"].values[
        list(np.round(eps, 6)).index(0.3)], 300.0, rel_tol=1e-6)


def test_duals_switched_off():
    from dataclasses import replace

    from greendc.scenario import with_overrides

    base = front_study()
    study = replace(base, loaded=with_overrides(base.loaded, {"solver.duals": False}))
    front = pareto_front(study, points=2)
    assert "co2_shadow_price_eur_per_t" not in front


def test_results_store_and_summarise_the_shadow_prices():
    """add_duals puts the prices into the results (units, status) and summary() reports the
    built site's: A / imm, no cap: CO2 price 0, compute (250 + 88) / 3 EUR/(PFLOP/s)/yr."""
    from greendc.duals import add_duals
    from greendc.results import summary

    inputs = tiny_inputs()
    res, d = duals(inputs)
    res = add_duals(res, d)
    assert res["grid_connection_value_eur_per_mw_yr"].attrs["units"] == "EUR/MW/yr"
    assert np.isnan(float(res["grid_connection_value_eur_per_mw_yr"].sel(site="B")))
    prices = summary(res)["shadow_prices"]
    assert prices["co2_eur_per_t"] == 0.0 and prices["status"] == "optimal"
    assert prices["compute_eur_per_pflops_yr"] == pytest.approx(338 / 3)
    assert prices["grid_connection_eur_per_mw_yr"] == 0.0


def test_compute_marginal_cost_with_a_flexible_load(w):
    """compute.flexibility on (f = 0.4, g2 idle 1 of its 2 MW): one more PFLOP/s needs a third
    of a node and a third of a node of work (work_requirement), i.e. the same
    (250 + 88 w) / 3 EUR/(PFLOP/s)/yr as without flexibility (the prices are flat)."""
    inputs = wind_case(w)
    inputs["node_idle_mw"] = ("server", [0.5, 1.0])
    inputs.attrs.update(flex_training_share=0.4, flex_period_h=24.0, flex_floor_share=0.0,
                        flex_max_ramp_share_per_h=np.nan, flex_curtailable_share=0.0,
                        flex_curtailment_cost_eur_per_mwh=0.0)
    _, free = duals(inputs)
    assert float(free["compute_marginal_cost_eur_per_pflops_yr"]) == pytest.approx(
        (250 + 88 * w) / 3)
