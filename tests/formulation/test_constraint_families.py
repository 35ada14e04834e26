"""One tiny hand-solvable case per constraint family (see tests/conftest.py for the case).

Each docstring gives the arithmetic of the expected optimum. Every test runs twice (fixture
``w``): with each 1 h step standing for w = 1 h of the year and for w = 3 h (``weight_h``),
so annual sums (energy cost, emissions, revenues) are w x the plain hourly sums while the
steps still last dt = 1 h (the battery's state of charge moves by 1 h x power, not w).
Base case: A / imm / 1 x g2 = 250 + 2 MW x 1.1 x 4 h x w x 10 EUR/MWh = 250 + 88 w EUR
(338 at w = 1, 514 at w = 3).
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest

from greendc.formulation import build_model
from greendc.solve import HighsModel, SolverSettings
from tests.conftest import solve_tiny, tiny_inputs


@pytest.fixture(params=[1.0, 3.0], ids=["w1", "w3"])
def w(request) -> float:
    """Hours of the year each 1 h step stands for (``weight_h``)."""
    return request.param


def chosen(res):
    site = str(res.site.values[int(np.argmax(res["build"].values))])
    cool = str(res.cooling.values[int(np.argmax(res["cooling_chosen"].sel(site=site).values))])
    return site, cool


def test_base_case_site_count_cooling_choice_compute_requirement(tiny, w):
    """compute_requirement: 3 PFLOP/s -> 1 x g2 (250 + 88 w) beats 3 x g1
    (300 + 3 x 1.1 x 4 x w x 10 = 300 + 132 w).
    site_count / cooling_choice: one site (A, cheaper grid), one cooling (imm, lowest PUE).
    Cost 250 + 2 x 1.1 x 4 x w x 10 = 250 + 88 w EUR."""
    status, res, _ = tiny(weight=w)
    assert status.status == "optimal"
    assert chosen(res) == ("A", "imm")
    assert res["build"].sum() == pytest.approx(1)
    assert res["cooling_chosen"].sel(site="A").sum() == pytest.approx(1)
    assert res["nodes"].sel(site="A", cooling="imm").values.tolist() == [0, 1]
    assert float(res["cost_eur_per_yr"]) == pytest.approx(250 + 88 * w)


def test_cost_definition_adds_the_items(tiny, w):
    """cost_definition: servers 250 + grid 88 w; the breakdown items add up to the total."""
    _, res, _ = tiny(weight=w)
    items = [v for v in res.data_vars if v.startswith("cost_") and v != "cost_eur_per_yr"]
    total = sum(float(res[v]) * (-1 if "revenue" in v else 1) for v in items)
    assert total == pytest.approx(float(res["cost_eur_per_yr"]))
    assert float(res["cost_servers_eur_per_yr"]) == pytest.approx(250.0)
    assert float(res["cost_grid_energy_eur_per_yr"]) == pytest.approx(88.0 * w)


def test_site_fixed_cost_needs_nodes_need_cooling_and_cooling_choice(tiny, w):
    """nodes_need_cooling + cooling_choice: nodes exist only where a cooling is chosen, and a
    cooling only at a built site, so the site's fixed cost (1000 EUR) is always paid:
    250 + 88 w + 1000 (without them the model would install nodes at an unbuilt site)."""
    _, res, _ = tiny(weight=w, site_fixed_cost_eur_per_yr=[1000, 1000])
    assert float(res["cost_eur_per_yr"]) == pytest.approx(1250 + 88 * w)


def test_site_count_limits_sites(tiny, w):
    """site_count: 6 PFLOP/s = 2 x g2 = 4.4 MW facility, but each connection allows 2.5 MW.
    max_sites 1: infeasible (g1 would need 6.6 MW). max_sites 2: one g2 per site:
    2 x 250 + 2.2 x 4 x w x 10 + 2.2 x 4 x w x 20 = 500 + 264 w EUR."""
    status, _, _ = tiny(weight=w, required_pflops=6.0, grid_connection_mw=[2.5, 2.5])
    assert status.status == "infeasible"
    status, res, _ = tiny(weight=w, required_pflops=6.0, grid_connection_mw=[2.5, 2.5],
                          max_sites=2)
    assert res["build"].values.tolist() == [1, 1]
    assert float(res["cost_eur_per_yr"]) == pytest.approx(500 + 264 * w)


def test_rack_density_excludes_nodes_that_do_not_fit(tiny, w):
    """rack_density: g2 does not fit an immersion rack (0 per rack) -> A / free / g2:
    250 + 2 x 1.2 x 4 x w x 10 = 250 + 96 w EUR (3 x g1 under imm: 300 + 132 w)."""
    _, res, _ = tiny(weight=w, nodes_per_rack=[[1, 1, 1], [1, 1, 0]])
    assert chosen(res) == ("A", "free")
    assert float(res["cost_eur_per_yr"]) == pytest.approx(250 + 96 * w)


def test_rack_density_counts_racks(tiny, w):
    """rack_density: 3 x g1 at 2 nodes per rack need 1.5 racks (g2 made unavailable)."""
    _, res, _ = tiny(weight=w, nodes_per_rack=[[2, 2, 2], [0, 0, 0]])
    assert float(res["racks"].sum()) == pytest.approx(1.5)


def test_floor_space_moves_the_site(tiny, w):
    """floor_space: A has 0.5 m2, less than one rack (1 m2) -> B / imm / g2:
    250 + 2 x 1.1 x 4 x w x 20 = 250 + 176 w EUR."""
    _, res, _ = tiny(weight=w, floor_area_m2=[0.5, 1e4])
    assert chosen(res) == ("B", "imm")
    assert float(res["cost_eur_per_yr"]) == pytest.approx(250 + 176 * w)


def test_water_use_moves_the_site(tiny, w):
    """water_use: immersion uses 3 m3/MW/yr (an annual figure, already weighted); A allows
    5 m3/yr: g2 (2 MW) needs 6 (imm), 10 (free), 20 (air); 3 x g1 needs 9 -> B / imm / g2 =
    250 + 176 w EUR."""
    _, res, _ = tiny(weight=w, water_m3_per_mw_it_yr=[[10, 5, 3], [10, 5, 3]],
                     water_allowance_m3_per_yr=[5, 1e6])
    assert chosen(res) == ("B", "imm")
    assert float(res["cost_eur_per_yr"]) == pytest.approx(250 + 176 * w)
    assert float(res["water_m3_per_yr"]) == pytest.approx(6.0)


def test_grid_connection_moves_the_site(tiny, w):
    """grid_connection: A allows 2.1 MW < 2 x 1.1 = 2.2 MW (g2, imm) -> B = 250 + 176 w EUR."""
    _, res, _ = tiny(weight=w, grid_connection_mw=[2.1, 100])
    assert chosen(res) == ("B", "imm")
    assert float(res["cost_eur_per_yr"]) == pytest.approx(250 + 176 * w)


def test_grid_connection_carries_peak_it_power(w):
    """grid_connection at peak IT power: a GB200 NVL72 rack draws 132 kW at full load and
    46 + 0.8 (132 - 46) = 114.8 kW at 80 % utilisation (g1 here; g2 excluded; PUE 1, site A).
    A 0.125 MW connection carries 114.8 kW but not 132 kW -> infeasible. At 0.135 MW:
    feasible, and energy is paid at the utilised power: 100 + 0.1148 x 4 h x w x 10 EUR/MWh =
    100 + 4.592 w EUR."""
    case = dict(weight=w, sites=["A"], required_pflops=1.0, pue=np.ones((1, 3, 4)),
                nodes_per_rack=[[1, 1, 1], [0, 0, 0]], node_power_mw=[0.1148, 2.0],
                node_peak_mw=[0.132, 2.0])
    status, _, _ = solve_tiny(tiny_inputs(grid_connection_mw=[0.125], **case))
    assert status.status == "infeasible"
    status, res, _ = solve_tiny(tiny_inputs(grid_connection_mw=[0.135], **case))
    assert float(res["cost_eur_per_yr"]) == pytest.approx(100 + 4.592 * w)
    assert float(res["facility_energy_mwh_per_yr"]) == pytest.approx(0.1148 * 4 * w)


def test_it_power_and_it_peak_power_are_the_node_sums(w):
    """it_power / it_peak_power: g2 draws 1.6 MW at the scenario utilisation and 2 MW at full
    load, so it_mw = 1.6 and it_peak_mw = 2 MW. A's 2.1 MW connection cannot carry
    2 x 1.1 = 2.2 MW (nor 3 x g1: 3.3 MW) -> B / imm / g2, energy paid at the utilised power:
    250 + 1.6 x 1.1 x 4 h x w x 20 EUR/MWh = 250 + 140.8 w EUR. The columns' upper bounds are
    the node sums at M_k: 1 x 10 + 1.6 x 10 = 26 MW and 1 x 10 + 2 x 10 = 30 MW (10 nodes
    each); under air, where g2 does not fit, 10 MW for both."""
    status, res, m = solve_tiny(tiny_inputs(
        weight=w, grid_connection_mw=[2.1, 100], node_power_mw=[1.0, 1.6],
        nodes_per_rack=[[1, 1, 1], [0, 1, 1]]))
    assert chosen(res) == ("B", "imm")
    assert float(res["cost_eur_per_yr"]) == pytest.approx(250 + 140.8 * w)
    assert float(res["it_mw"].sel(site="B")) == pytest.approx(1.6)
    assert float(res["it_peak_mw"].sel(site="B")) == pytest.approx(2.0)
    assert pyo.value(m.it_mw["B", "imm"]) == pytest.approx(1.6)
    assert (m.it_mw["A", "imm"].ub, m.it_peak_mw["A", "imm"].ub) == (26.0, 30.0)
    assert (m.it_mw["A", "air"].ub, m.it_peak_mw["A", "air"].ub) == (10.0, 10.0)


def test_hourly_rows_hold_one_it_column_per_cooling():
    """it_power / it_peak_power give IT power a column of its own: the hourly rows
    (energy_balance, grid_connection, heat_recoverable) name it_mw / it_peak_mw once per
    cooling and no node count (with the node sums inlined, each row held every server type:
    2 types x 3 coolings here, 7 x 1 in the one-site reference)."""
    from pyomo.repn import generate_standard_repn

    ds = tiny_inputs(recoverable_heat_share=[0.5, 0.5, 0.5], heat_demand_mw=[[1, 1, 1, 1]] * 2)
    m = build_model(ds)
    for row in (m.energy_balance["A", 0], m.grid_connection["A", 0],
                m.heat_recoverable["A", "imm", 0]):
        names = {v.parent_component().local_name
                 for v in generate_standard_repn(row.body).linear_vars}
        assert "nodes" not in names, row.name
        assert names & {"it_mw", "it_peak_mw"}, row.name


def battery_case(**changes):
    """One site, 2 h, g1 (1 MW, PUE 1 everywhere), prices 10 then 100 EUR/MWh."""
    base = dict(hours=2, sites=["A"], required_pflops=1.0, pue=np.ones((1, 3, 2)),
                grid_cost_eur_per_mwh=[[10.0, 100.0]], nodes_per_rack=[[1, 1, 1], [0, 0, 0]])
    base.update(changes)
    return tiny_inputs(**base)


def test_energy_balance_without_battery(w):
    """energy_balance: 1 MW in both hours: 100 + w (10 + 100) = 100 + 110 w EUR (the battery
    at 1e4 EUR/MWh/yr saves at most 90 w per MWh)."""
    _, res, _ = solve_tiny(battery_case(weight=w))
    assert float(res["cost_eur_per_yr"]) == pytest.approx(100 + 110 * w)
    np.testing.assert_allclose(res["grid_import_mw"].values, [[1.0, 1.0]])


def test_cfe_target_buys_clean_supply_in_the_hour(w):
    """cfe_target: load 1 MW in 2 h, grid carbon-free share 0.5 then 0, solar cf 1 then 0 at a
    20 EUR/MWh strike, server 100 EUR. Without a target: grid only, 100 + w (10 + 100) EUR,
    CFE = 0.5/2 = 0.25. With min_cfe_share 0.5: w (x + 0.5 (1 - x)) >= 0.5 x 2 w MWh -> x = 1
    MW of solar: 100 + w (20 + 100) EUR and CFE = (1 + 0) / 2 = 0.5 (w cancels)."""
    case = dict(grid_cfe_share=[[0.5, 0.0]], supply_potential_mw=[[5.0, 0.0]],
                capacity_factor=[[[1.0, 0.0], [0.0, 0.0]]], strike_eur_per_mwh=[[20.0, 0.0]])
    _, free, _ = solve_tiny(battery_case(weight=w, **case))
    assert float(free["cost_eur_per_yr"]) == pytest.approx(100 + 110 * w)
    assert float(free["cfe_share"]) == pytest.approx(0.25)
    _, res, m = solve_tiny(battery_case(weight=w, min_cfe_share=0.5, **case))
    assert m.cfe_target.active
    assert float(res["cost_eur_per_yr"]) == pytest.approx(100 + 120 * w)
    assert float(res["supply_mw"].sel(site="A", tech="solar")) == pytest.approx(1.0)
    assert float(res["cfe_share"]) == pytest.approx(0.5)
    np.testing.assert_allclose(res["cfe_score"].values, [[1.0, 0.0]], atol=1e-9)


def test_battery_soc_shifts_load_to_the_cheap_hour(w):
    """battery_soc (lossless, free): buy 2 MWh in hour 0 -> 100 + w x 2 x 10 = 100 + 20 w EUR."""
    _, res, _ = solve_tiny(battery_case(weight=w, battery_energy_cost_eur_per_mwh_yr=0.0,
                                        battery_power_cost_eur_per_mw_yr=0.0))
    assert float(res["cost_eur_per_yr"]) == pytest.approx(100 + 20 * w)
    np.testing.assert_allclose(res["grid_import_mw"].values, [[2.0, 0.0]], atol=1e-9)


def test_battery_losses_power_and_energy_ratings(w):
    """battery_soc with eta 0.9 each way and dt = 1 h whatever the weight: discharging 1 MWh
    takes 1/0.9 = 1.1111 MWh of stored energy, charged as c = 1.1111/0.9 = 1.2346 MWh at 10 EUR.
    battery_charge_power binds: battery_mw = 1.2346 (5 EUR/MW -> 6.17 EUR);
    battery_discharge_power: 1 <= 1.2346; battery_energy: battery_mwh = 1.1111 (1 EUR/MWh),
    not w x 1.1111 (a step is 1 h long; w only scales the annual energy bought).
    Cost: 100 + w (1 + 1.2346) x 10 + 6.173 + 1.111 EUR (129.63 at w = 1)."""
    _, res, _ = solve_tiny(battery_case(
        weight=w, battery_charge_efficiency=0.9, battery_discharge_efficiency=0.9,
        battery_energy_cost_eur_per_mwh_yr=1.0, battery_power_cost_eur_per_mw_yr=5.0))
    c = 1 / 0.81
    assert float(res["battery_mw"].sum()) == pytest.approx(c, rel=1e-6)
    assert float(res["battery_mwh"].sum()) == pytest.approx(1 / 0.9, rel=1e-6)
    assert float(res["cost_eur_per_yr"]) == pytest.approx(100 + w * (1 + c) * 10 + 5 * c + 1 / 0.9)


def test_battery_soc_moves_by_the_step_duration_not_the_weight():
    """battery_soc on a one-week cut (w = 8760/168 = 52.14 h per step, dt = 1 h): shifting
    1 MW of load for 1 h needs a 1 MWh battery (lossless, 1 EUR/MWh, 0 EUR/MW), not 52 MWh.
    Cost 100 + 52.14 x 2 x 10 + 1 = 1143.86 EUR."""
    w = 8760 / 168
    _, res, _ = solve_tiny(battery_case(weight=w, battery_energy_cost_eur_per_mwh_yr=1.0,
                                        battery_power_cost_eur_per_mw_yr=0.0))
    assert float(res["battery_mwh"].sum()) == pytest.approx(1.0)
    assert float(res["battery_soc_mwh"].max()) == pytest.approx(1.0)
    assert float(res["cost_eur_per_yr"]) == pytest.approx(100 + w * 20 + 1)


def test_battery_one_direction_in_a_negative_price_hour(w):
    """battery_one_direction: 1 MW load, grid -50 then 100 EUR/MWh, battery 0.9 each way,
    energy free, power 1 EUR/MW. Without it the battery buys ~25 MWh at -50 in hour 0 and
    burns the stored energy in hour 1 by charging 99 and discharging 100 MW at once (cost
    -1072.8 EUR at w = 1). One direction per hour: charge c = 1/0.81 = 1.2346 MWh in hour 0
    and discharge 1 MWh in hour 1 (one node at most: extra nodes would be bought as loads):
    100 + w (-50 x (1 + 1.2346)) + 1.2346 = 101.2346 - 111.73 w EUR."""
    _, res, m = solve_tiny(battery_case(
        weight=w, grid_cost_eur_per_mwh=[[-50.0, 100.0]], max_nodes=[1.0, 1.0], battery_charge_efficiency=0.9,
        battery_discharge_efficiency=0.9, battery_energy_cost_eur_per_mwh_yr=0.0,
        battery_power_cost_eur_per_mw_yr=1.0))
    c = 1 / 0.81
    assert len(m.battery_one_direction) == 4  # 2 hours x (charge, discharge)
    assert float(res["battery_mw"].sum()) == pytest.approx(c, rel=1e-6)
    np.testing.assert_allclose(res["battery_discharge_mw"].values, [[0.0, 1.0]], atol=1e-7)
    assert float(res["cost_eur_per_yr"]) == pytest.approx(100 + c - 50 * w * (1 + c))


def test_surplus_in_a_negative_hour_is_spilled_not_sold(w):
    """surplus_from_supply with sale at the actual spot: solar cf 1 in both hours, 3 MW
    potential at 5 EUR/MWh, 1 MW load (grid 120), spot -30 then 100. Surplus 2 MW each hour: hour 0
    spilled (selling would cost 30 x 2), hour 1 sold: 100 + w (5 x 6 - 100 x 2) = 100 - 170 w
    EUR (100 - 110 w if the negative hour's surplus had to be sold)."""
    _, res, _ = solve_tiny(solar_case(
        weight=w, capacity_factor=[[[1.0, 1.0], [0.0, 0.0]]], grid_cost_eur_per_mwh=[[120, 120]],
        surplus_sale_price_eur_per_mwh=[[-30.0, 100.0]]))
    assert float(res["cost_eur_per_yr"]) == pytest.approx(100 - 170 * w)
    np.testing.assert_allclose(res["spill_mw"].values, [[2.0, 0.0]], atol=1e-7)
    np.testing.assert_allclose(res["surplus_sale_mw"].values, [[0.0, 2.0]], atol=1e-7)


def test_battery_discharge_power_limits_discharge(w):
    """battery_discharge_power: 2 MW load (2 x g1), prices 100, 10, 10 EUR/MWh; battery
    lossless, energy free, power 30 EUR/MW. Shifting r MWh into hour 0 needs discharge r <= rating,
    saving 90 w r - 30 r: rating 2 MW -> 200 + w (2 + 2 + 2) x 10 + 60 = 260 + 60 w EUR.
    (Without the family, rating 1 MW charging 1 + 1 and discharging 2 would give 230 + 60 w.)"""
    _, res, _ = solve_tiny(battery_case(
        weight=w, hours=3, pue=np.ones((1, 3, 3)), required_pflops=2.0,
        grid_cost_eur_per_mwh=[[100.0, 10.0, 10.0]],
        battery_energy_cost_eur_per_mwh_yr=0.0, battery_power_cost_eur_per_mw_yr=30.0))
    assert float(res["battery_mw"].sum()) == pytest.approx(2.0)
    assert float(res["cost_eur_per_yr"]) == pytest.approx(260 + 60 * w)


def test_battery_at_built_site_bounds(w):
    """battery_at_built_site: battery_mwh[s] <= 24 h x connection x build[s] (no weight).
    Maximising the battery at site B: 0 when B is not built, 24 x 100 = 2400 MWh when it is."""
    for built, expected in ((0, 0.0), (1, 2400.0)):
        m = build_model(tiny_inputs(weight=w))
        m.build["B"].fix(built)
        m.build["A"].fix(1 - built)
        m.objective.deactivate()
        m.max_battery = pyo.Objective(expr=-m.battery_mwh["B"])
        hm = HighsModel(m, SolverSettings())
        hm.set_objective(m.battery_mwh["B"], sense=-1.0)
        status = hm.solve()
        hm.load_solution()
        assert pyo.value(m.battery_mwh["B"]) == pytest.approx(expected)
        assert status.status == "optimal"


def solar_case(**changes):
    """One site, 2 h, g1 1 MW (PUE 1), grid 100 EUR/MWh, solar cf [1, 0] at 5 EUR/MWh."""
    cf = np.zeros((1, 2, 2))
    cf[0, 0, 0] = 1.0
    base = dict(hours=2, sites=["A"], required_pflops=1.0, pue=np.ones((1, 3, 2)),
                grid_cost_eur_per_mwh=[[100.0, 100.0]], nodes_per_rack=[[1, 1, 1], [0, 0, 0]],
                capacity_factor=cf, strike_eur_per_mwh=[[5.0, 5.0]],
                supply_potential_mw=[[3.0, 0.0]])
    base.update(changes)
    return tiny_inputs(**base)


def test_supply_potential_limits_the_contract(w):
    """supply_potential: solar covers hour 0. Potential 3 MW, no sale: contract 1 MW ->
    100 + w (5 + 100) EUR. Potential 0.5 MW: 100 + w (2.5 + 50 + 100) EUR."""
    _, res, _ = solve_tiny(solar_case(weight=w))
    assert float(res["supply_mw"].sum()) == pytest.approx(1.0)
    assert float(res["cost_eur_per_yr"]) == pytest.approx(100 + 105 * w)
    _, res, _ = solve_tiny(solar_case(weight=w, supply_potential_mw=[[0.5, 0.0]]))
    assert float(res["cost_eur_per_yr"]) == pytest.approx(100 + 152.5 * w)


def test_ppa_delivered_pays_network_charges(w):
    """ppa_delivered: network charges + levies N = 30 EUR/MWh (inside the grid cost of 100).
    A PPA contract of 1 MW covers hour 0 and its energy crosses the connection:
    100 + w (5 + 30 + 100) = 100 + 135 w EUR. Owned behind the meter it avoids N:
    100 + w (5 + 100) = 100 + 105 w. A forced 3 MW PPA (strike -1) spills 2 MWh in hour 0,
    which pays no network charge: 100 + w (-3 + 30 + 100) = 100 + 127 w EUR."""
    case = dict(weight=w, grid_network_levy_eur_per_mwh=[30.0])
    _, res, _ = solve_tiny(solar_case(**case))
    assert float(res["supply_mw"].sum()) == pytest.approx(1.0)
    assert float(res["cost_ppa_network_eur_per_yr"]) == pytest.approx(30 * w)
    assert float(res["cost_eur_per_yr"]) == pytest.approx(100 + 135 * w)
    _, res, _ = solve_tiny(solar_case(supply_owned=[1.0, 0.0], **case))
    assert float(res["cost_eur_per_yr"]) == pytest.approx(100 + 105 * w)
    _, res, _ = solve_tiny(solar_case(strike_eur_per_mwh=[[-1.0, 0.0]], **case))
    assert float(res["supply_mw"].sum()) == pytest.approx(3.0)
    assert float(res["cost_eur_per_yr"]) == pytest.approx(100 + 127 * w)


def test_surplus_sold_at_spot(w):
    """surplus_from_supply: with sale at 100 EUR/MWh > 5 strike, contract the full 3 MW and
    sell 2 MWh: 100 + w (15 + 100 - 200) = 100 - 85 w EUR."""
    _, res, _ = solve_tiny(solar_case(weight=w, surplus_sale_price_eur_per_mwh=[[100.0, 100.0]]))
    assert float(res["supply_mw"].sum()) == pytest.approx(3.0)
    assert float(res["cost_eur_per_yr"]) == pytest.approx(100 - 85 * w)


def test_surplus_from_supply_blocks_grid_resale(w):
    """surplus_from_supply: no contract (potential 0), grid 10 EUR/MWh in hour 0 but sale
    price 50: surplus may only come from solar/wind, so nothing is resold:
    100 + w (10 + 100) EUR (without the family the model is unbounded)."""
    status, res, _ = solve_tiny(solar_case(
        weight=w, supply_potential_mw=[[0.0, 0.0]], grid_cost_eur_per_mwh=[[10.0, 100.0]],
        surplus_sale_price_eur_per_mwh=[[50.0, 50.0]]))
    assert status.status == "optimal"
    assert float(res["cost_eur_per_yr"]) == pytest.approx(100 + 110 * w)


def heat_case(**changes):
    """One site, 1 h, g1 1 MW (PUE 1), grid 10 EUR/MWh, imm recovers 50 % of IT heat,
    COP 3 (lift factor 3/2), network demand 10 MW, heat price 100 EUR/MWh,
    heat pump 10 EUR/MW_th/yr, connection 5 EUR/yr. At most one node (max_nodes 1): at w = 3
    a second node's heat (0.75 x (100 - 10/3) x 3 = 217.5 EUR) would pay for it (130 EUR)."""
    base = dict(hours=1, sites=["A"], required_pflops=1.0, pue=np.ones((1, 3, 1)),
                max_nodes=[1.0, 1.0],
                nodes_per_rack=[[0, 0, 1], [0, 0, 0]], recoverable_heat_share=[0, 0, 0.5],
                heat_demand_mw=[[10.0]], heat_price_eur_per_mwh=[100.0],
                heat_pump_cost_eur_per_mw_yr=10.0, dh_connection_cost_eur_per_yr=5.0)
    base.update(changes)
    return tiny_inputs(**base)


def test_heat_recoverable_and_heat_pump_capacity(w):
    """heat_recoverable: export <= 0.5 x 1 MW x 3/2 = 0.75 MW_th; heat_pump_capacity: 0.75.
    Heat-pump electricity 0.75/3 = 0.25 MW (2.5 w EUR); revenue 75 w; pump 7.5; link 5.
    Cost 100 + 10 w - 75 w + 2.5 w + 7.5 + 5 = 112.5 - 62.5 w EUR (50 at w = 1)."""
    _, res, _ = solve_tiny(heat_case(weight=w))
    assert float(res["heat_export_mw_th"].sum()) == pytest.approx(0.75)
    assert float(res["heat_pump_mw_th"].sum()) == pytest.approx(0.75)
    assert float(res["heat_pump_elec_mw"].sum()) == pytest.approx(0.25)
    assert float(res["cost_eur_per_yr"]) == pytest.approx(112.5 - 62.5 * w)


def test_heat_network_demand_caps_export(w):
    """heat_network_demand: demand 0.3 MW_th -> revenue 30 w, electricity 0.1 MW (1 w EUR),
    pump 3, link 5: 100 + 10 w - 30 w + 1 w + 3 + 5 = 108 - 19 w EUR (89 at w = 1)."""
    _, res, _ = solve_tiny(heat_case(weight=w, heat_demand_mw=[[0.3]]))
    assert float(res["heat_export_mw_th"].sum()) == pytest.approx(0.3)
    assert float(res["cost_eur_per_yr"]) == pytest.approx(108 - 19 * w)


def test_heat_pump_needs_connection_and_connection_at_built_site(w):
    """heat_pump_needs_connection: a 1000 EUR connection outweighs the net heat value
    (75 w - 2.5 w - 7.5 = 210 at w = 3) -> no connection, no heat pump: 100 + 10 w EUR.
    dh_connect_at_built_site: dh_connect <= build."""
    _, res, m = solve_tiny(heat_case(weight=w, dh_connection_cost_eur_per_yr=1000.0))
    assert float(res["heat_pump_mw_th"].sum()) == pytest.approx(0.0)
    assert float(res["dh_connect"].sum()) == pytest.approx(0.0)
    assert float(res["cost_eur_per_yr"]) == pytest.approx(100 + 10 * w)
    assert "dh_connect_at_built_site" in [c.name for c in m.component_objects(pyo.Constraint)]


def test_emission_definitions(tiny, w):
    """operational_emissions_definition: 2.2 MW x 4 h x w x 100 g/kWh / 1000 = 0.88 w t;
    embodied_emissions_definition: 1 x g2 at 0.5 t/yr (annual, unweighted);
    emissions_definition: 0.88 w + 0.5 t."""
    _, res, _ = tiny(weight=w, node_embodied_t_per_yr=[0.2, 0.5])
    assert float(res["operational_t_per_yr"]) == pytest.approx(0.88 * w)
    assert float(res["embodied_t_per_yr"]) == pytest.approx(0.5)
    assert float(res["emissions_t_per_yr"]) == pytest.approx(0.88 * w + 0.5)


def test_supply_life_cycle_is_operational_for_ppa_and_embodied_when_owned(w):
    """Site A only, 1 MW of a free 'solar' (cf 0.5 every hour, strike 0, 100 gCO2e/kWh life
    cycle) forced by a 1 MW potential and a negative strike of -1 EUR/MWh: output
    0.5 x 4 h x w = 2 w MWh -> 0.2 w t. As a PPA it is operational: 0.88 w - 0.2 w (grid
    displaced: 2 w MWh x 100 g) + 0.2 w = 0.88 w t; owned, the same 0.2 w t moves to embodied."""
    cf = np.zeros((1, 2, 4))
    cf[0, 0, :] = 0.5
    case = dict(sites=["A"], weight=w, capacity_factor=cf, supply_potential_mw=[[1.0, 0.0]],
                strike_eur_per_mwh=[[-1.0, 0.0]], supply_lifecycle_g_per_kwh=[100.0, 0.0])
    _, ppa, _ = solve_tiny(tiny_inputs(**case))
    _, own, _ = solve_tiny(tiny_inputs(supply_owned=[1.0, 0.0], **case))
    for res in (ppa, own):
        assert float(res["supply_mw"].sel(site="A", tech="solar")) == pytest.approx(1.0)
        assert float(res["emissions_t_per_yr"]) == pytest.approx(0.88 * w)
    assert float(ppa["operational_ppa_t_per_yr"]) == pytest.approx(0.2 * w)
    assert float(ppa["operational_t_per_yr"]) == pytest.approx(0.88 * w)
    assert float(ppa["embodied_supply_t_per_yr"]) == pytest.approx(0.0)
    assert float(own["embodied_supply_t_per_yr"]) == pytest.approx(0.2 * w)
    assert float(own["operational_t_per_yr"]) == pytest.approx(0.68 * w)


def test_emissions_cap_moves_the_site(tiny, w):
    """emissions_cap: A emits 0.88 w t, B 2.2 x 4 x w x 50 / 1000 = 0.44 w t.
    Cap 0.5 w -> B = 250 + 176 w EUR."""
    _, res, _ = tiny(weight=w, cap=0.5 * w)
    assert chosen(res)[0] == "B"
    assert float(res["cost_eur_per_yr"]) == pytest.approx(250 + 176 * w)


def test_emissions_objective(tiny, w):
    """Minimising emissions picks B (0.44 w t) over A (0.88 w t)."""
    _, res, _ = tiny(weight=w, objective="emissions")
    assert chosen(res)[0] == "B"
    assert float(res["emissions_t_per_yr"]) == pytest.approx(0.44 * w)


def test_sovereignty_allowed_jurisdictions(tiny, w):
    """sovereignty_allowed_jurisdictions: A outside the allowed set -> B = 250 + 176 w EUR."""
    _, res, _ = tiny(weight=w, site_jurisdiction_allowed=[0, 1])
    assert chosen(res)[0] == "B"
    assert float(res["cost_eur_per_yr"]) == pytest.approx(250 + 176 * w)


def test_sovereignty_non_eu_ownership(tiny, w):
    """sovereignty_non_eu_ownership: A's operator 50 % non-EU owned > 24 % cap -> B."""
    _, res, _ = tiny(weight=w, site_non_eu_ownership_share=[0.5, 0.0],
                     max_non_eu_ownership_share=0.24)
    assert chosen(res)[0] == "B"


def test_sovereignty_non_eu_ownership_gives_every_site_one_model_shape(w):
    """A at 30 % non-EU ownership, B at 0 %, cap 60 %: both may be built, and each site's
    own model has the same rows (B's row is build <= 1, not the constant 0 <= 0.6 that the
    compiler drops), so that one site's LP basis can start the other's. With the cap at
    20 %, A's row is build <= 2/3: its LP relaxation may build 2/3 of A, its MILP none."""
    def shape(site, cap):
        inputs = tiny_inputs(weight=w, site_non_eu_ownership_share=[0.3, 0.0],
                             max_non_eu_ownership_share=cap).sel(site=[site])
        return HighsModel(build_model(inputs), SolverSettings()).shape

    assert shape("A", 0.6) == shape("B", 0.6) == shape("A", 0.2)
    m = build_model(tiny_inputs(weight=w, site_non_eu_ownership_share=[0.3, 0.0],
                                max_non_eu_ownership_share=0.2))
    assert pyo.value(m.sovereignty_non_eu_ownership["A"].upper) == pytest.approx(2 / 3)
    assert pyo.value(m.sovereignty_non_eu_ownership["B"].upper) == pytest.approx(1.0)


def test_sovereignty_legal_exposure(tiny, w):
    """sovereignty_legal_exposure: A exposed to an excluded regime -> B."""
    _, res, _ = tiny(weight=w, site_legal_exposure_excluded=[1, 0])
    assert chosen(res)[0] == "B"


def test_sovereignty_non_eu_hardware(tiny, w):
    """sovereignty_non_eu_hardware: g2 is non-EU; with share 0 only g1: 3 nodes at A / imm:
    300 + 3 x 1.1 x 4 x w x 10 = 300 + 132 w EUR."""
    _, res, _ = tiny(weight=w, max_non_eu_hardware_share=0.0)
    assert res["nodes"].sel(site="A", cooling="imm").values.tolist() == [3, 0]
    assert float(res["cost_eur_per_yr"]) == pytest.approx(300 + 132 * w)
