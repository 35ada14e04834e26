"""One tiny hand-solvable case per constraint family (see tests/conftest.py for the case).

Each docstring gives the arithmetic of the expected optimum. Base case: A / imm / 1 x g2 =
250 + 2 MW x 1.1 x 4 h x 10 EUR/MWh = 338 EUR.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest

from greendc.formulation import build_model
from greendc.solve import HighsModel, SolverSettings
from tests.conftest import solve_tiny, tiny_inputs


def chosen(res):
    site = str(res.site.values[int(np.argmax(res["build"].values))])
    cool = str(res.cooling.values[int(np.argmax(res["cooling_chosen"].sel(site=site).values))])
    return site, cool


def test_base_case_site_count_cooling_choice_compute_requirement(tiny):
    """compute_requirement: 3 PFLOP/s -> 1 x g2 (250) beats 3 x g1 (300 + 3 x 1.1 x 4 x 10 = 432).
    site_count / cooling_choice: one site (A, cheaper grid), one cooling (imm, lowest PUE).
    Cost 250 + 2 x 1.1 x 4 x 10 = 338 EUR."""
    status, res, _ = tiny()
    assert status.status == "optimal"
    assert chosen(res) == ("A", "imm")
    assert res["build"].sum() == pytest.approx(1)
    assert res["cooling_chosen"].sel(site="A").sum() == pytest.approx(1)
    assert res["nodes"].sel(site="A", cooling="imm").values.tolist() == [0, 1]
    assert float(res["cost_eur_per_yr"]) == pytest.approx(338.0)


def test_cost_definition_adds_the_items(tiny):
    """cost_definition: servers 250 + grid 88 = 338; the breakdown items add up to the total."""
    _, res, _ = tiny()
    items = [v for v in res.data_vars if v.startswith("cost_") and v != "cost_eur_per_yr"]
    total = sum(float(res[v]) * (-1 if "revenue" in v else 1) for v in items)
    assert total == pytest.approx(float(res["cost_eur_per_yr"]))
    assert float(res["cost_servers_eur_per_yr"]) == pytest.approx(250.0)
    assert float(res["cost_grid_energy_eur_per_yr"]) == pytest.approx(88.0)


def test_site_fixed_cost_needs_nodes_need_cooling_and_cooling_choice(tiny):
    """nodes_need_cooling + cooling_choice: nodes exist only where a cooling is chosen, and a
    cooling only at a built site, so the site's fixed cost (1000 EUR) is always paid:
    338 + 1000 = 1338 (without them the model would install nodes at an unbuilt site)."""
    _, res, _ = tiny(site_fixed_cost_eur_per_yr=[1000, 1000])
    assert float(res["cost_eur_per_yr"]) == pytest.approx(1338.0)


def test_site_count_limits_sites(tiny):
    """site_count: 6 PFLOP/s = 2 x g2 = 4.4 MW facility, but each connection allows 2.5 MW.
    max_sites 1: infeasible (g1 would need 6.6 MW). max_sites 2: one g2 per site:
    2 x 250 + 2.2 x 4 x 10 + 2.2 x 4 x 20 = 764 EUR."""
    status, _, _ = tiny(required_pflops=6.0, grid_connection_mw=[2.5, 2.5])
    assert status.status == "infeasible"
    status, res, _ = tiny(required_pflops=6.0, grid_connection_mw=[2.5, 2.5], max_sites=2)
    assert res["build"].values.tolist() == [1, 1]
    assert float(res["cost_eur_per_yr"]) == pytest.approx(764.0)


def test_rack_density_excludes_nodes_that_do_not_fit(tiny):
    """rack_density: g2 does not fit an immersion rack (0 per rack) -> A / free / g2:
    250 + 2 x 1.2 x 4 x 10 = 346 EUR."""
    _, res, _ = tiny(nodes_per_rack=[[1, 1, 1], [1, 1, 0]])
    assert chosen(res) == ("A", "free")
    assert float(res["cost_eur_per_yr"]) == pytest.approx(346.0)


def test_rack_density_counts_racks(tiny):
    """rack_density: 3 x g1 at 2 nodes per rack need 1.5 racks (g2 made unavailable)."""
    _, res, _ = tiny(nodes_per_rack=[[2, 2, 2], [0, 0, 0]])
    assert float(res["racks"].sum()) == pytest.approx(1.5)


def test_floor_space_moves_the_site(tiny):
    """floor_space: A has 0.5 m2, less than one rack (1 m2) -> B / imm / g2:
    250 + 2 x 1.1 x 4 x 20 = 426 EUR."""
    _, res, _ = tiny(floor_area_m2=[0.5, 1e4])
    assert chosen(res) == ("B", "imm")
    assert float(res["cost_eur_per_yr"]) == pytest.approx(426.0)


def test_water_use_moves_the_site(tiny):
    """water_use: immersion uses 3 m3/MW/yr; A allows 5 m3/yr: g2 (2 MW) needs 6 (imm),
    10 (free), 20 (air); 3 x g1 needs 9 -> B / imm / g2 = 426 EUR."""
    _, res, _ = tiny(water_m3_per_mw_it_yr=[[10, 5, 3], [10, 5, 3]],
                     water_allowance_m3_per_yr=[5, 1e6])
    assert chosen(res) == ("B", "imm")
    assert float(res["cost_eur_per_yr"]) == pytest.approx(426.0)
    assert float(res["water_m3_per_yr"]) == pytest.approx(6.0)


def test_grid_connection_moves_the_site(tiny):
    """grid_connection: A allows 2.1 MW < 2 x 1.1 = 2.2 MW (g2, imm) -> B = 426 EUR."""
    _, res, _ = tiny(grid_connection_mw=[2.1, 100])
    assert chosen(res) == ("B", "imm")
    assert float(res["cost_eur_per_yr"]) == pytest.approx(426.0)


def battery_case(**changes):
    """One site, 2 h, g1 (1 MW, PUE 1 everywhere), prices 10 then 100 EUR/MWh."""
    base = dict(hours=2, sites=["A"], required_pflops=1.0, pue=np.ones((1, 3, 2)),
                grid_cost_eur_per_mwh=[[10.0, 100.0]], nodes_per_rack=[[1, 1, 1], [0, 0, 0]])
    base.update(changes)
    return tiny_inputs(**base)


def test_energy_balance_without_battery(tiny):
    """energy_balance: 1 MW in both hours: 100 + 10 + 100 = 210 EUR."""
    from tests.conftest import solve_tiny
    _, res, _ = solve_tiny(battery_case())
    assert float(res["cost_eur_per_yr"]) == pytest.approx(210.0)
    np.testing.assert_allclose(res["grid_import_mw"].values, [[1.0, 1.0]])


def test_cfe_target_buys_clean_supply_in_the_hour():
    """cfe_target: load 1 MW in 2 h, grid carbon-free share 0.5 then 0, solar cf 1 then 0 at a
    20 EUR/MWh strike, server 100 EUR. Without a target: grid only, 100 + 10 + 100 = 210 EUR,
    CFE = 0.5/2 = 0.25. With min_cfe_share 0.5: clean = x + 0.5 (1 - x) >= 1 MWh -> x = 1 MW
    of solar: 100 + 20 + 100 = 220 EUR and CFE = (1 + 0) / 2 = 0.5."""
    from tests.conftest import solve_tiny
    case = dict(grid_cfe_share=[[0.5, 0.0]], supply_potential_mw=[[5.0, 0.0]],
                capacity_factor=[[[1.0, 0.0], [0.0, 0.0]]], strike_eur_per_mwh=[[20.0, 0.0]])
    _, free, _ = solve_tiny(battery_case(**case))
    assert float(free["cost_eur_per_yr"]) == pytest.approx(210.0)
    assert float(free["cfe_share"]) == pytest.approx(0.25)
    _, res, m = solve_tiny(battery_case(min_cfe_share=0.5, **case))
    assert m.cfe_target.active
    assert float(res["cost_eur_per_yr"]) == pytest.approx(220.0)
    assert float(res["supply_mw"].sel(site="A", tech="solar")) == pytest.approx(1.0)
    assert float(res["cfe_share"]) == pytest.approx(0.5)
    np.testing.assert_allclose(res["cfe_score"].values, [[1.0, 0.0]], atol=1e-9)


def test_battery_soc_shifts_load_to_the_cheap_hour():
    """battery_soc (lossless, free): buy 2 MWh in hour 0 -> 100 + 20 = 120 EUR."""
    from tests.conftest import solve_tiny
    _, res, _ = solve_tiny(battery_case(battery_energy_cost_eur_per_mwh_yr=0.0,
                                        battery_power_cost_eur_per_mw_yr=0.0))
    assert float(res["cost_eur_per_yr"]) == pytest.approx(120.0)
    np.testing.assert_allclose(res["grid_import_mw"].values, [[2.0, 0.0]], atol=1e-9)


def test_battery_losses_power_and_energy_ratings():
    """battery_soc with eta 0.9 each way: discharging 1 MWh takes 1/0.9 = 1.1111 MWh of
    charge, bought as c = 1.1111/0.9 = 1.2346 MWh at 10 EUR.
    battery_charge_power binds: battery_mw = 1.2346 (5 EUR/MW -> 6.17 EUR);
    battery_discharge_power: 1 <= 1.2346; battery_energy: battery_mwh = 1.1111 (1 EUR/MWh).
    Cost: 100 + (1 + 1.2346) x 10 + 6.173 + 1.111 = 129.63 EUR."""
    from tests.conftest import solve_tiny
    _, res, _ = solve_tiny(battery_case(
        battery_charge_efficiency=0.9, battery_discharge_efficiency=0.9,
        battery_energy_cost_eur_per_mwh_yr=1.0, battery_power_cost_eur_per_mw_yr=5.0))
    c = 1 / 0.81
    assert float(res["battery_mw"].sum()) == pytest.approx(c, rel=1e-6)
    assert float(res["battery_mwh"].sum()) == pytest.approx(1 / 0.9, rel=1e-6)
    assert float(res["cost_eur_per_yr"]) == pytest.approx(100 + (1 + c) * 10 + 5 * c + 1 / 0.9)


def test_battery_discharge_power_limits_discharge():
    """battery_discharge_power: 2 MW load (2 x g1), prices 100, 10, 10 EUR/MWh; battery
    lossless, energy free, power 30 EUR/MW. Shifting r MWh into hour 0 needs discharge r <= rating,
    saving 90 r - 30 r: rating 2 MW -> 200 + (2 + 2 + 2) x 10 + 60 = 320 EUR.
    (Without the family, rating 1 MW charging 1 + 1 and discharging 2 would give 290.)"""
    from tests.conftest import solve_tiny
    _, res, _ = solve_tiny(battery_case(
        hours=3, pue=np.ones((1, 3, 3)), required_pflops=2.0,
        grid_cost_eur_per_mwh=[[100.0, 10.0, 10.0]],
        battery_energy_cost_eur_per_mwh_yr=0.0, battery_power_cost_eur_per_mw_yr=30.0))
    assert float(res["battery_mw"].sum()) == pytest.approx(2.0)
    assert float(res["cost_eur_per_yr"]) == pytest.approx(320.0)


def test_battery_at_built_site_bounds():
    """battery_at_built_site: battery_mwh[s] <= 24 h x connection x build[s]. Maximising the
    battery at site B: 0 when B is not built, 24 x 100 = 2400 MWh when it is."""
    for built, expected in ((0, 0.0), (1, 2400.0)):
        m = build_model(tiny_inputs())
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


def test_supply_potential_limits_the_contract():
    """supply_potential: solar covers hour 0. Potential 3 MW, no sale: contract 1 MW ->
    100 + 5 + 100 = 205. Potential 0.5 MW: 100 + 2.5 + 50 + 100 = 252.5 EUR."""
    from tests.conftest import solve_tiny
    _, res, _ = solve_tiny(solar_case())
    assert float(res["supply_mw"].sum()) == pytest.approx(1.0)
    assert float(res["cost_eur_per_yr"]) == pytest.approx(205.0)
    _, res, _ = solve_tiny(solar_case(supply_potential_mw=[[0.5, 0.0]]))
    assert float(res["cost_eur_per_yr"]) == pytest.approx(252.5)


def test_surplus_sold_at_spot():
    """surplus_from_supply: with sale at 100 EUR/MWh > 5 strike, contract the full 3 MW and
    sell 2 MWh: 100 + 15 + 100 - 200 = 15 EUR."""
    from tests.conftest import solve_tiny
    _, res, _ = solve_tiny(solar_case(surplus_sale_price_eur_per_mwh=[[100.0, 100.0]]))
    assert float(res["supply_mw"].sum()) == pytest.approx(3.0)
    assert float(res["cost_eur_per_yr"]) == pytest.approx(15.0)


def test_surplus_from_supply_blocks_grid_resale():
    """surplus_from_supply: no contract (potential 0), grid 10 EUR/MWh in hour 0 but sale
    price 50: surplus may only come from solar/wind, so nothing is resold:
    100 + 10 + 100 = 210 EUR (without the family the model is unbounded)."""
    from tests.conftest import solve_tiny
    status, res, _ = solve_tiny(solar_case(
        supply_potential_mw=[[0.0, 0.0]], grid_cost_eur_per_mwh=[[10.0, 100.0]],
        surplus_sale_price_eur_per_mwh=[[50.0, 50.0]]))
    assert status.status == "optimal"
    assert float(res["cost_eur_per_yr"]) == pytest.approx(210.0)


def heat_case(**changes):
    """One site, 1 h, g1 1 MW (PUE 1), grid 10 EUR/MWh, imm recovers 50 % of IT heat,
    COP 3 (lift factor 3/2), network demand 10 MW, heat price 100 EUR/MWh,
    heat pump 10 EUR/MW_th/yr, connection 5 EUR/yr."""
    base = dict(hours=1, sites=["A"], required_pflops=1.0, pue=np.ones((1, 3, 1)),
                nodes_per_rack=[[0, 0, 1], [0, 0, 0]], recoverable_heat_share=[0, 0, 0.5],
                heat_demand_mw=[[10.0]], heat_price_eur_per_mwh=[100.0],
                heat_pump_cost_eur_per_mw_yr=10.0, dh_connection_cost_eur_per_yr=5.0)
    base.update(changes)
    return tiny_inputs(**base)


def test_heat_recoverable_and_heat_pump_capacity():
    """heat_recoverable: export <= 0.5 x 1 MW x 3/2 = 0.75 MW_th; heat_pump_capacity: 0.75.
    Heat-pump electricity 0.75/3 = 0.25 MW (2.5 EUR); revenue 75; pump 7.5; link 5.
    Cost 100 + 10 - 75 + 2.5 + 7.5 + 5 = 50 EUR."""
    from tests.conftest import solve_tiny
    _, res, _ = solve_tiny(heat_case())
    assert float(res["heat_export_mw_th"].sum()) == pytest.approx(0.75)
    assert float(res["heat_pump_mw_th"].sum()) == pytest.approx(0.75)
    assert float(res["heat_pump_elec_mw"].sum()) == pytest.approx(0.25)
    assert float(res["cost_eur_per_yr"]) == pytest.approx(50.0)


def test_heat_network_demand_caps_export():
    """heat_network_demand: demand 0.3 MW_th -> revenue 30, electricity 0.1 MW (1 EUR), pump 3,
    link 5: 100 + 10 - 30 + 1 + 3 + 5 = 89 EUR."""
    from tests.conftest import solve_tiny
    _, res, _ = solve_tiny(heat_case(heat_demand_mw=[[0.3]]))
    assert float(res["heat_export_mw_th"].sum()) == pytest.approx(0.3)
    assert float(res["cost_eur_per_yr"]) == pytest.approx(89.0)


def test_heat_pump_needs_connection_and_connection_at_built_site():
    """heat_pump_needs_connection: a 1000 EUR connection outweighs 60 EUR of net heat value ->
    no connection, no heat pump: 110 EUR. dh_connect_at_built_site: dh_connect <= build."""
    from tests.conftest import solve_tiny
    _, res, m = solve_tiny(heat_case(dh_connection_cost_eur_per_yr=1000.0))
    assert float(res["heat_pump_mw_th"].sum()) == pytest.approx(0.0)
    assert float(res["dh_connect"].sum()) == pytest.approx(0.0)
    assert float(res["cost_eur_per_yr"]) == pytest.approx(110.0)
    assert "dh_connect_at_built_site" in [c.name for c in m.component_objects(pyo.Constraint)]


def test_emission_definitions(tiny):
    """operational_emissions_definition: 2.2 MW x 4 h x 100 g/kWh / 1000 = 0.88 t;
    embodied_emissions_definition: 1 x g2 at 0.5 t/yr; emissions_definition: 1.38 t."""
    _, res, _ = tiny(node_embodied_t_per_yr=[0.2, 0.5])
    assert float(res["operational_t_per_yr"]) == pytest.approx(0.88)
    assert float(res["embodied_t_per_yr"]) == pytest.approx(0.5)
    assert float(res["emissions_t_per_yr"]) == pytest.approx(1.38)


def test_supply_life_cycle_is_operational_for_ppa_and_embodied_when_owned():
    """Site A only, 1 MW of a free 'solar' (cf 0.5 every hour, strike 0, 100 gCO2e/kWh life
    cycle) forced by a 1 MW potential and a negative strike of -1 EUR/MWh: output 0.5 x 4 h =
    2 MWh -> 2 x 100 / 1000 = 0.2 t. As a PPA it is operational: 0.88 - 0.2 (grid displaced:
    2 MWh x 100 g) + 0.2 = 0.88 t; owned, the same 0.2 t moves to embodied."""
    cf = np.zeros((1, 2, 4))
    cf[0, 0, :] = 0.5
    case = dict(sites=["A"], capacity_factor=cf, supply_potential_mw=[[1.0, 0.0]],
                strike_eur_per_mwh=[[-1.0, 0.0]], supply_lifecycle_g_per_kwh=[100.0, 0.0])
    _, ppa, _ = solve_tiny(tiny_inputs(**case))
    _, own, _ = solve_tiny(tiny_inputs(supply_owned=[1.0, 0.0], **case))
    for res in (ppa, own):
        assert float(res["supply_mw"].sel(site="A", tech="solar")) == pytest.approx(1.0)
        assert float(res["emissions_t_per_yr"]) == pytest.approx(0.88)
    assert float(ppa["operational_ppa_t_per_yr"]) == pytest.approx(0.2)
    assert float(ppa["operational_t_per_yr"]) == pytest.approx(0.88)
    assert float(ppa["embodied_supply_t_per_yr"]) == pytest.approx(0.0)
    assert float(own["embodied_supply_t_per_yr"]) == pytest.approx(0.2)
    assert float(own["operational_t_per_yr"]) == pytest.approx(0.68)


def test_emissions_cap_moves_the_site(tiny):
    """emissions_cap: A emits 0.88 t, B 2.2 x 4 x 50 / 1000 = 0.44 t. Cap 0.5 -> B = 426 EUR."""
    _, res, _ = tiny(cap=0.5)
    assert chosen(res)[0] == "B"
    assert float(res["cost_eur_per_yr"]) == pytest.approx(426.0)


def test_emissions_objective(tiny):
    """Minimising emissions picks B (0.44 t) over A (0.88 t)."""
    _, res, _ = tiny(objective="emissions")
    assert chosen(res)[0] == "B"
    assert float(res["emissions_t_per_yr"]) == pytest.approx(0.44)


def test_sovereignty_allowed_jurisdictions(tiny):
    """sovereignty_allowed_jurisdictions: A outside the allowed set -> B = 426 EUR."""
    _, res, _ = tiny(site_jurisdiction_allowed=[0, 1])
    assert chosen(res)[0] == "B"
    assert float(res["cost_eur_per_yr"]) == pytest.approx(426.0)


def test_sovereignty_non_eu_ownership(tiny):
    """sovereignty_non_eu_ownership: A's operator 50 % non-EU owned > 24 % cap -> B."""
    _, res, _ = tiny(site_non_eu_ownership_share=[0.5, 0.0], max_non_eu_ownership_share=0.24)
    assert chosen(res)[0] == "B"


def test_sovereignty_legal_exposure(tiny):
    """sovereignty_legal_exposure: A exposed to an excluded regime -> B."""
    _, res, _ = tiny(site_legal_exposure_excluded=[1, 0])
    assert chosen(res)[0] == "B"


def test_sovereignty_non_eu_hardware(tiny):
    """sovereignty_non_eu_hardware: g2 is non-EU; with share 0 only g1: 3 nodes at A / imm:
    300 + 3 x 1.1 x 4 x 10 = 432 EUR."""
    _, res, _ = tiny(max_non_eu_hardware_share=0.0)
    assert res["nodes"].sel(site="A", cooling="imm").values.tolist() == [3, 0]
    assert float(res["cost_eur_per_yr"]) == pytest.approx(432.0)
