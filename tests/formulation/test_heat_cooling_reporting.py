"""Heat recovery offloading the cooling plant, avoided emissions of heat export, the climate
limit of chiller-less cooling, and reported shares that agree with the constraints.

Tiny hand-solved cases (tests/conftest.py), each run with a step weight of 1 h and 2 h.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest

from tests.conftest import solve_tiny, tiny_inputs

WEIGHTS = (1.0, 2.0)


def with_arrays(ds, **arrays):
    """Add the optional inputs variables that prepare_inputs produces."""
    dims = {"cooling_offload_kw_per_kw_th": ("site", "cooling", "time"),
            "cooling_offload_water_l_per_kwh_th": ("site", "cooling", "time"),
            "climate_limit_hours": ("site", "cooling"),
            "heat_network_ci_g_per_kwh_th": ("site",)}
    for name, value in arrays.items():
        shape = tuple(ds.sizes[d] for d in dims[name])
        ds[name] = (dims[name], np.asarray(value, dtype=float).reshape(shape))
    return ds


def heat_case(w: float, **changes):
    """One site, 1 h of weight w, g1 1 MW (PUE 1), grid 10 EUR/MWh and 100 g/kWh, imm
    recovers 50 % of IT heat, COP 3 (lift factor 3/2), network demand 10 MW_th at
    100 EUR/MWh_th, heat pump 10 EUR/MW_th/yr, connection 5 EUR/yr; the cooling plant saves
    k = 0.2 MW_e per MW_th it no longer rejects; network carbon content 100 g/kWh_th. At most
    one g1 node (else at w = 2 extra nodes would pay for themselves with heat sales)."""
    base = dict(hours=1, sites=["A"], required_pflops=1.0, pue=np.ones((1, 3, 1)),
                nodes_per_rack=[[0, 0, 1], [0, 0, 0]], recoverable_heat_share=[0, 0, 0.5],
                heat_demand_mw=[[10.0]], heat_price_eur_per_mwh=[100.0],
                heat_pump_cost_eur_per_mw_yr=10.0, dh_connection_cost_eur_per_yr=5.0,
                weight_h=[w], max_nodes=[1.0, 10.0])
    credit = changes.pop("credit_avoided_heat_emissions", 0)
    base.update(changes)
    ds = with_arrays(tiny_inputs(**base), cooling_offload_kw_per_kw_th=[[[0.0], [0.0], [0.2]]],
                     heat_network_ci_g_per_kwh_th=[100.0])
    ds.attrs["credit_avoided_heat_emissions"] = credit
    return ds


@pytest.mark.parametrize("w", WEIGHTS)
def test_recovered_heat_offloads_the_cooling_plant(w):
    """heat_recoverable: export 0.75 MW_th; heat recovered 0.75 (1 - 1/3) = 0.5 MW_th, which
    the plant no longer rejects: offload 0.2 x 0.5 = 0.1 MW, facility 1 - 0.1 = 0.9 MW.
    Heat-pump electricity 0.25 MW. Cost = 100 + w (0.9 + 0.25) 10 - w 75 + 7.5 + 5
    = 49 EUR at w = 1, -14.5 EUR at w = 2."""
    _, res, _ = solve_tiny(heat_case(w))
    assert float(res["cooling_offload_mw"].sum()) == pytest.approx(0.1)
    assert float(res["facility_mw"].sum()) == pytest.approx(0.9)
    assert float(res["cost_eur_per_yr"]) == pytest.approx(112.5 + w * (11.5 - 75.0))


@pytest.mark.parametrize("w", WEIGHTS)
def test_recovered_heat_saves_cooling_water_in_water_use(w):
    """water_use: imm uses W = 3 m3 per MW of IT per year (allowance 2.95 m3/yr) and saves
    v = 0.2 L/kWh_th = 0.2 m3/MWh_th of recovered heat: 3 x 1 MW - w x 0.2 x 0.5 MW_th
    = 2.9 (w = 1) or 2.8 (w = 2) m3/yr <= 2.95, so imm stays feasible only through the
    saving; without heat export the only cooling, imm, would break the allowance."""
    ds = with_arrays(heat_case(w, water_m3_per_mw_it_yr=[[10.0, 5.0, 3.0]],
                               water_allowance_m3_per_yr=[2.95]),
                     cooling_offload_water_l_per_kwh_th=[[[0.0], [0.0], [0.2]]])
    status, res, _ = solve_tiny(ds)
    assert status.status == "optimal"
    assert float(res["water_m3_per_yr"]) == pytest.approx(3.0 - 0.1 * w)
    ds["heat_demand_mw"] = ds["heat_demand_mw"] * 0
    status, _, _ = solve_tiny(ds)
    assert status.status == "infeasible"


@pytest.mark.parametrize("w", WEIGHTS)
def test_avoided_heat_emissions_reported_and_credited_only_when_switched_on(w):
    """avoided = w x 0.75 MW_th x 100 g/kWh_th / 1000 = 0.075 w t, always reported.
    Emissions (emissions_definition) = grid (0.9 + 0.25) MW x w h x 100 g/kWh / 1000
    = 0.115 w t without the credit, 0.115 w - 0.075 w = 0.04 w t with it."""
    _, off, _ = solve_tiny(heat_case(w))
    assert float(off["avoided_heat_t_per_yr"]) == pytest.approx(0.075 * w)
    assert float(off["emissions_t_per_yr"]) == pytest.approx(0.115 * w)
    _, on, _ = solve_tiny(heat_case(w, credit_avoided_heat_emissions=1))
    assert float(on["avoided_heat_t_per_yr"]) == pytest.approx(0.075 * w)
    assert float(on["emissions_t_per_yr"]) == pytest.approx(0.04 * w)


@pytest.mark.parametrize("w", WEIGHTS)
def test_cooling_climate_limit_excludes_a_chillerless_cooling(w):
    """cooling_climate_limit: base optimum A / imm / g2 (338 EUR at w = 1). With imm's
    climate limit exceeded at A (5 h), A / free: 250 + 2 MW x 1.2 x 4 h x w x 10 EUR/MWh
    = 346 EUR at w = 1, 442 EUR at w = 2."""
    ds = with_arrays(tiny_inputs(weight_h=[w] * 4),
                     climate_limit_hours=[[0.0, 0.0, 5.0], [0.0, 0.0, 0.0]])
    _, res, m = solve_tiny(ds)
    assert m.cooling_climate_limit["A", "imm"].upper == 0.0
    assert float(res["cooling_chosen"].sel(site="A", cooling="free")) == pytest.approx(1.0)
    assert float(res["cost_eur_per_yr"]) == pytest.approx(250 + 96 * w)


def solar_battery_case(w: float, **changes):
    """One site, 2 h of weight w, load 1 MW (g1, PUE 1), grid 10 then 100 EUR/MWh, free solar
    (cf 1 then 0, strike 0), battery 0.9 each way at 1 EUR/MWh and 5 EUR/MW."""
    base = dict(hours=2, sites=["A"], required_pflops=1.0, pue=np.ones((1, 3, 2)),
                grid_cost_eur_per_mwh=[[10.0, 100.0]], nodes_per_rack=[[1, 1, 1], [0, 0, 0]],
                battery_charge_efficiency=0.9, battery_discharge_efficiency=0.9,
                battery_energy_cost_eur_per_mwh_yr=1.0, battery_power_cost_eur_per_mw_yr=5.0,
                weight_h=[w, w])
    base.update(changes)
    return tiny_inputs(**base)


@pytest.mark.parametrize("w", WEIGHTS)
def test_supply_share_counts_stored_energy_once_and_is_at_most_one(w):
    """Solar covers hour 0 (1 MW) and charges c = 1/0.81 = 1.2346 MW for 1 MW discharged in
    hour 1; no grid. Output used on site = 1 + 1.2346 MWh per weight, but only 2 MWh of load
    is met: supply_share = (1 + 1.2346 - 1.2346 + 1) / 2 = 1 (was 1.117)."""
    case = dict(supply_potential_mw=[[5.0, 0.0]], capacity_factor=[[[1.0, 0.0], [0.0, 0.0]]])
    _, res, _ = solve_tiny(solar_battery_case(w, **case))
    assert float(res["grid_energy_mwh_per_yr"]) == pytest.approx(0.0, abs=1e-7)
    assert float(res["battery_charge_mw"].sum()) == pytest.approx(1 / 0.81)
    assert float(res["supply_share"]) == pytest.approx(1.0)


@pytest.mark.parametrize("w", WEIGHTS)
def test_cfe_share_is_counted_as_the_cfe_target_counts_it(w):
    """A fossil grid (phi = 0) charges the battery in hour 0 (c = 1.2346 MW) for hour 1:
    clean = -1.2346 then +1, so the constraint counts sum w clean / sum w load
    = -0.2346 / 2 = -0.117; the clipped score reported 0.5."""
    ds = solar_battery_case(w)
    _, res, m = solve_tiny(ds)
    clean = sum(w * pyo.value(m.clean_supply_mw["A", t]) for t in range(2))
    load = sum(w * pyo.value(m.facility_mw["A", t] + m.heat_pump_elec_mw["A", t])
               for t in range(2))
    assert clean / load == pytest.approx((1 - 1 / 0.81) / 2)
    assert float(res["cfe_share"]) == pytest.approx(clean / load)
    assert float(res["cfe_score"].max()) <= 1.0 + 1e-9
