"""The linopy reference LP of issue 17: one plain full-year PV + wind + battery sizing LP.

One site (fr-essonne), a constant load ``LOAD_MW`` [MW] served every hour by grid import,
solar and wind PPA output and a battery; the LP sizes the PPA MW and the battery MWh / MW and
dispatches the hours, at least annual cost [EUR/yr]:

    min  sum_k (C_k + strike_k E_k) P_k + c_E E + c_P B + sum_t w_t p_t g_t
    s.t. g_t + sum_k cf_kt P_k + d_t - c_t - spill_t = L          [MW]   (balance)
         soc_t = soc_{t-1} + dt (eta_c c_t - d_t / eta_d)        [MWh]  (cyclic)
         soc_t <= E,  c_t <= B,  d_t <= B,  0 <= P_k <= potential_k

with the site's own costs and series from greendc's inputs (``supply_capacity_cost_eur_per_
mw_yr`` C, ``strike_eur_per_mwh``, ``supply_energy_mwh_per_mw_yr`` E_k, ``capacity_factor``,
``grid_cost_eur_per_mwh`` p, the battery's annualised costs and efficiencies). It is the yard
stick of the benchmarks: a study's wall time divided by this LP's (build + solve, HiGHS
through linopy's direct API) measured in the same run.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import xarray as xr

LOAD_MW = 30.0  # a ~20 EFLOP/s campus's facility load [MW] (the reference design's order)
SITE = "fr-essonne"
TECHS = ("solar_ppa", "wind_ppa")


def solve_sizing_linopy(inputs: xr.Dataset, site: str = SITE) -> dict:
    """Build and solve the sizing LP on ``inputs`` (a study's inputs, any horizon)."""
    import linopy

    start = time.perf_counter()
    inp = inputs.sel(site=site)
    at = inputs.attrs
    techs = [k for k in TECHS if k in inp.tech.values]
    sup = inp.sel(tech=techs)
    w, dt = inp["weight_h"].values, inp["dt_h"].values
    coords = [pd.RangeIndex(len(w), name="time")]
    tech = [pd.Index(techs, name="tech")]
    m = linopy.Model()
    cap = m.add_variables(lower=0, upper=xr.DataArray(sup["supply_potential_mw"].values,
                                                      coords=tech), coords=tech, name="ppa_mw")
    e_mwh = m.add_variables(lower=0, name="battery_mwh")
    p_mw = m.add_variables(lower=0, name="battery_mw")
    grid = m.add_variables(lower=0, coords=coords, name="grid")
    charge = m.add_variables(lower=0, coords=coords, name="charge")
    discharge = m.add_variables(lower=0, coords=coords, name="discharge")
    soc = m.add_variables(lower=0, coords=coords, name="soc")
    spill = m.add_variables(lower=0, coords=coords, name="spill")
    cf = xr.DataArray(sup["capacity_factor"].transpose("tech", "time").values,
                      coords=tech + coords)
    m.add_constraints(grid + (cf * cap).sum("tech") + discharge - charge - spill == LOAD_MW,
                      name="balance")
    eta_c, eta_d = float(at["battery_charge_efficiency"]), float(at["battery_discharge_efficiency"])
    step = xr.DataArray(dt, coords=coords)
    m.add_constraints(soc - soc.roll(time=1) - step * eta_c * charge
                      + step / eta_d * discharge == 0, name="soc")
    m.add_constraints(soc - e_mwh <= 0, name="soc_max")
    m.add_constraints(charge - p_mw <= 0, name="charge_max")
    m.add_constraints(discharge - p_mw <= 0, name="discharge_max")
    per_mw = (sup["supply_capacity_cost_eur_per_mw_yr"].values
              + sup["strike_eur_per_mwh"].values * sup["supply_energy_mwh_per_mw_yr"].values)
    price = xr.DataArray(w * inp["grid_cost_eur_per_mwh"].values, coords=coords)
    m.add_objective((xr.DataArray(per_mw, coords=tech) * cap).sum()
                    + float(at["battery_energy_cost_eur_per_mwh_yr"]) * e_mwh
                    + float(at["battery_power_cost_eur_per_mw_yr"]) * p_mw
                    + (price * grid).sum())
    built = time.perf_counter()
    status, condition = m.solve(solver_name="highs", io_api="direct", threads=1,
                                output_flag=False, random_seed=0)
    done = time.perf_counter()
    return {"objective": float(m.objective.value), "status": status, "condition": condition,
            "hours": len(w), "columns": int(m.nvars), "rows": int(m.ncons),
            "ppa_mw": {k: float(v) for k, v in zip(techs, np.atleast_1d(cap.solution.values))},
            "battery_mwh": float(e_mwh.solution), "build_s": built - start,
            "solve_s": done - built, "total_s": done - start}
