"""Shared fixtures: tiny hand-solvable inputs (invented numbers, for tests only).

``tiny_inputs()`` builds the inputs Dataset that ``greendc.inputs.prepare_inputs`` would
produce, directly, with round numbers chosen so that each optimum can be worked out on
paper. Defaults (weights 1 h, so "annual" sums are plain sums over the hours):

- sites A, B; coolings air (PUE 1.5), free (1.2), imm (1.1); 4 hours;
- servers g1 (1 MW, 1 PFLOP/s, 100 EUR/yr) and g2 (2 MW, 3 PFLOP/s, 250 EUR/yr);
  required 3 PFLOP/s; one node per rack, 1 m2 per rack, floor and water plentiful;
- grid cost 10 EUR/MWh at A, 20 at B (all-in); no network charge on PPA energy;
  carbon 100 g/kWh at A, 50 at B;
- no solar/wind potential, battery priced out, no heat demand; every rule allows every site.

The cheapest design is A / imm / 1 x g2: 250 + 2 MW x 1.1 x 4 h x 10 = 338 EUR.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import xarray as xr

from greendc.formulation import build_model
from greendc.results import extract_results
from greendc.solve import HighsModel, SolverSettings

SITES, COOLINGS, SERVERS, TECHS = ["A", "B"], ["air", "free", "imm"], ["g1", "g2"], ["solar", "wind"]
OPTIONAL_ATTRS = {"min_cfe_share"}

# every planning fact a planner's own site needs, in the documented units (README example)
OWN_SITE_FACTS = {"name": "My site", "grid_connection_mw": 60, "floor_area_m2": 8000,
                  "water_allowance_m3_per_yr": 100000, "facility_capex_eur_per_kw_it": 4000,
                  "facility_lifetime_yr": 20, "site_fixed_cost_eur_per_yr": 1000000,
                  "grid_supply_margin_eur_per_mwh": 4, "grid_network_eur_per_mwh": 12,
                  "grid_levies_eur_per_mwh": 20, "heat_price_eur_per_mwh": 25,
                  "supply_potential_mw": {"solar_ppa": 50, "wind_ppa": 40},
                  "operator_non_eu_ownership_share": 0}


def q(value, unit) -> dict:
    """A catalogue quantity ``{value, unit}``."""
    return {"value": value, "unit": unit}


# a planner's own cooling entry with the vendor's quoted PUE and WUE (pue_model constant)
VENDOR_COOLING = {"name": "Vendor module, quoted PUE", "pue_model": "constant",
                  "parameters": {"pue": q(1.18, "1"), "wue_l_per_kwh": q(0.2, "L/kWh")},
                  "annualised_cost_eur_per_mw_it_yr": q(210, "EUR/kW_IT/yr"),
                  "max_rack_density_kw_per_rack": q(80, "kW/rack"),
                  "floor_m2_per_rack": q(3, "m2/rack"),
                  "heat_output_temperature_c": q(40, "degC"),
                  "recoverable_heat_share": q(0.7, "1")}


def tiny_inputs(hours: int = 4, sites=None, weight: float = 1.0, **changes: Any) -> xr.Dataset:
    """Inputs Dataset of the tiny case; keyword arguments replace variables or attrs.

    Steps last ``dt_h`` = 1 h; each stands for ``weight`` hours of the year (``weight_h``),
    so annual sums are ``weight`` x the plain sums over the hours."""
    S = sites or SITES
    nS, nC, nK, nR = len(S), len(COOLINGS), len(SERVERS), len(TECHS)
    ds = xr.Dataset(coords={"site": S, "cooling": COOLINGS, "server": SERVERS, "tech": TECHS,
                            "time": np.arange(hours)})
    ds["dt_h"] = ("time", np.ones(hours))
    ds["it_load_share"] = ("time", np.ones(hours))
    ds["max_rack_density_kw"] = ("cooling", np.full(nC, 1000.0))
    ds["weight_h"] = ("time", np.full(hours, float(weight)))
    ds["pue"] = (("site", "cooling", "time"),
                 np.broadcast_to(np.array([1.5, 1.2, 1.1])[None, :, None], (nS, nC, hours)).copy())
    ds["water_m3_per_mw_it_yr"] = (("site", "cooling"), np.tile([10.0, 5.0, 0.0], (nS, 1)))
    ds["water_allowance_m3_per_yr"] = ("site", np.full(nS, 1e6))
    ds["cooling_cost_eur_per_mw_it_yr"] = ("cooling", np.zeros(nC))
    ds["facility_cost_eur_per_mw_it_yr"] = ("site", np.zeros(nS))
    ds["floor_m2_per_rack"] = ("cooling", np.ones(nC))
    ds["floor_area_m2"] = ("site", np.full(nS, 1e4))
    ds["nodes_per_rack"] = (("server", "cooling"), np.ones((nK, nC)))
    ds["node_power_mw"] = ("server", [1.0, 2.0])
    ds["node_peak_mw"] = ("server", [1.0, 2.0])
    ds["node_performance_pflops"] = ("server", [1.0, 3.0])
    ds["node_cost_eur_per_yr"] = ("server", [100.0, 250.0])
    ds["node_embodied_t_per_yr"] = ("server", [0.0, 0.0])
    ds["node_non_eu"] = ("server", [0.0, 1.0])
    ds["max_nodes"] = ("server", [10.0, 10.0])
    price = np.array([10.0, 20.0, 30.0, 40.0])[:nS]
    ds["grid_cost_eur_per_mwh"] = (("site", "time"), np.repeat(price[:, None], hours, axis=1))
    ds["surplus_sale_price_eur_per_mwh"] = (("site", "time"), np.zeros((nS, hours)))
    ds["grid_network_levy_eur_per_mwh"] = ("site", np.zeros(nS))
    ci = np.array([100.0, 50.0, 25.0, 12.5])[:nS]
    ds["grid_ci_g_per_kwh"] = (("site", "time"), np.repeat(ci[:, None], hours, axis=1))
    ds["grid_cfe_share"] = (("site", "time"), np.zeros((nS, hours)))
    ds["capacity_factor"] = (("site", "tech", "time"), np.zeros((nS, nR, hours)))
    ds["supply_potential_mw"] = (("site", "tech"), np.zeros((nS, nR)))
    ds["strike_eur_per_mwh"] = (("site", "tech"), np.zeros((nS, nR)))
    ds["supply_capacity_cost_eur_per_mw_yr"] = ("tech", np.zeros(nR))
    ds["supply_lifecycle_g_per_kwh"] = ("tech", np.zeros(nR))
    ds["supply_owned"] = ("tech", np.zeros(nR))
    ds["heat_pump_cop"] = (("site", "cooling", "time"), np.full((nS, nC, hours), 3.0))
    ds["cooling_offload_kw_per_kw_th"] = (("site", "cooling", "time"), np.zeros((nS, nC, hours)))
    ds["cooling_offload_water_l_per_kwh_th"] = (("site", "cooling", "time"),
                                                np.zeros((nS, nC, hours)))
    ds["climate_limit_hours"] = (("site", "cooling"), np.zeros((nS, nC)))
    ds["recoverable_heat_share"] = ("cooling", np.zeros(nC))
    ds["heat_demand_mw"] = (("site", "time"), np.zeros((nS, hours)))
    ds["heat_price_eur_per_mwh"] = ("site", np.zeros(nS))
    ds["grid_connection_mw"] = ("site", np.full(nS, 100.0))
    ds["site_fixed_cost_eur_per_yr"] = ("site", np.zeros(nS))
    ds["site_jurisdiction_allowed"] = ("site", np.ones(nS))
    ds["site_non_eu_ownership_share"] = ("site", np.zeros(nS))
    ds["site_legal_exposure_excluded"] = ("site", np.zeros(nS))
    ds.attrs.update(
        scenario="tiny", compute_basis="required_pflops", required_pflops=3.0, max_sites=1,
        carbon_price_eur_per_t=0.0,
        battery_energy_cost_eur_per_mwh_yr=1e4, battery_power_cost_eur_per_mw_yr=1e4,
        battery_charge_efficiency=1.0, battery_discharge_efficiency=1.0,
        battery_embodied_t_per_mwh_yr=0.0, battery_enabled=1,
        heat_pump_cost_eur_per_mw_yr=0.0, dh_connection_cost_eur_per_yr=0.0,
        max_non_eu_hardware_share=1.0, max_non_eu_ownership_share=1.0,
    )
    for key, value in changes.items():
        if key in ds.attrs or key in OPTIONAL_ATTRS:
            ds.attrs[key] = value
        elif key in ds:
            ds[key] = (ds[key].dims, np.asarray(value, dtype=float).reshape(ds[key].shape))
        else:
            raise KeyError(f"tiny_inputs has no variable or attribute {key!r}")
    ds["supply_energy_mwh_per_mw_yr"] = (ds["capacity_factor"] * ds["weight_h"]).sum("time")
    return ds


def synthetic_site(n: int = 8760, start: str = "2018-01-01", optional: bool = True,
                   **replace: Any) -> xr.Dataset:
    """A plausible hourly site Dataset (invented shapes) for the site-file checks; keyword
    arguments replace a variable's values. ``optional`` adds pv_cf_onsite, ghi, wind_speed."""
    import pandas as pd

    t = pd.date_range(start, periods=n, freq="h")
    h = np.arange(n)
    day = np.clip(np.sin((h % 24 - 6) / 12 * np.pi), 0, None)
    data = {
        "air_temperature": (10 + 8 * np.sin(h / n * 2 * np.pi), "degC"),
        "relative_humidity": (70 + 10 * np.cos(h / 24), "%"),
        "grid_price": (50 + 20 * day, "EUR/MWh"),
        "grid_carbon_intensity": (100 + 30 * day, "gCO2e/kWh"),
        "heat_demand": (20 + 5 * day, "MW"),
        "pv_cf": (0.8 * day, "1"),
        "wind_cf": (np.full(n, 0.3), "1"),
    }
    if optional:
        data.update(pv_cf_onsite=(0.7 * day, "1"), ghi=(800 * day, "W/m2"),
                    wind_speed=(np.full(n, 4.0), "m/s"))
    ds = xr.Dataset({k: ("time", v, {"units": u}) for k, (v, u) in data.items()},
                    coords={"time": t}, attrs={"time_zone": "UTC"})
    for name, values in replace.items():
        ds[name] = ("time", np.asarray(values, dtype=float), ds[name].attrs)
    return ds


def solve_tiny(inputs: xr.Dataset, objective: str = "cost", cap: float | None = None):
    """Build and solve; return (status, results Dataset or None, model)."""
    m = build_model(inputs, objective=objective, emissions_cap_t_co2=cap)
    hm = HighsModel(m, SolverSettings(mip_rel_gap=1e-9))
    status = hm.solve()
    if not status.has_solution:
        return status, None, m
    hm.load_solution()
    return status, extract_results(m, inputs), m


@pytest.fixture
def tiny():
    """``tiny(**changes)`` -> (status, results, model) for the tiny case."""
    def run(objective: str = "cost", cap: float | None = None, hours: int = 4, sites=None,
            weight: float = 1.0, **changes):
        return solve_tiny(tiny_inputs(hours=hours, sites=sites, weight=weight, **changes),
                          objective, cap)
    return run
