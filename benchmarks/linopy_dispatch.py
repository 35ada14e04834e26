"""The fixed-design hourly dispatch LP of one site, written independently in linopy.

Same LP as greendc's re-evaluation of a fixed design (``greendc.typical.reevaluate``): the
capacities (site, cooling, nodes, supply MW, battery MWh/MW, heat pump MW, network
connection) are data; the hourly grid import, surplus, battery charge/discharge/state of
charge and heat export are the variables; the objective is the annual cost [EUR/yr]. Written
from the model's equations (docstrings of ``model/greendc/formulation/*.py``), not from its code.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import xarray as xr


def solve_dispatch_linopy(inputs: xr.Dataset, design: xr.Dataset) -> dict:
    """Build and solve with linopy + HiGHS (direct API); returns objective and timings."""
    import linopy

    start = time.perf_counter()
    site = [str(s) for s in inputs.site.values if float(design["build"].sel(site=s)) > 0.5][0]
    row = design["cooling_chosen"].sel(site=site)
    cooling = str(row.cooling.values[int(np.argmax(row.values))])
    inp = inputs.sel(site=site, cooling=cooling)
    at = inputs.attrs
    if "min_cfe_share" in at:
        raise NotImplementedError("the linopy twin has no CFE target")
    nodes = design["nodes"].sel(site=site, cooling=cooling).round().values
    supply = design["supply_mw"].sel(site=site).values
    e_mwh, p_mw = float(design["battery_mwh"].sel(site=site)), float(design["battery_mw"].sel(site=site))
    hp_mw, dh = float(design["heat_pump_mw_th"].sel(site=site)), float(design["dh_connect"].sel(site=site).round())
    it = float(nodes @ inp["node_power_mw"].values)
    it_peak = float(nodes @ inp["node_peak_mw"].values)
    w = inp["weight_h"].values
    T = len(w)
    coords = [pd.RangeIndex(T, name="time")]
    facility = inp["pue"].values * it
    output = supply @ inp["capacity_factor"].transpose("tech", "time").values
    eta_c, eta_d = float(at["battery_charge_efficiency"]), float(at["battery_discharge_efficiency"])
    cop = inp["heat_pump_cop"].values
    rho = float(inp["recoverable_heat_share"])
    demand = inp["heat_demand_mw"].values
    exportable = rho > 0 and demand.max() > 0

    m = linopy.Model()
    grid = m.add_variables(lower=0, coords=coords, name="grid")
    surplus = m.add_variables(lower=0, upper=xr.DataArray(output, coords=coords), name="surplus")
    charge = m.add_variables(lower=0, upper=p_mw, coords=coords, name="charge")
    discharge = m.add_variables(lower=0, upper=p_mw, coords=coords, name="discharge")
    soc = m.add_variables(lower=0, upper=e_mwh, coords=coords, name="soc")
    dt = xr.DataArray(inp["dt_h"].values, coords=coords)  # step duration [h], not the weight
    m.add_constraints(soc - soc.roll(time=1) - dt * eta_c * charge + dt / eta_d * discharge == 0,
                      name="soc")
    load = xr.DataArray(facility, coords=coords)
    balance = grid + discharge - charge - surplus
    through = charge - discharge
    heat = None
    if exportable:
        cap = np.minimum(np.minimum(rho * cop / (cop - 1.0) * it, demand * dh), hp_mw)
        heat = m.add_variables(lower=0, upper=xr.DataArray(cap, coords=coords), name="heat")
        inv_cop = xr.DataArray(1.0 / cop, coords=coords)
        balance = balance - inv_cop * heat
        through = through + inv_cop * heat
    m.add_constraints(balance == load - xr.DataArray(output, coords=coords), name="balance")
    conn = float(inp["grid_connection_mw"])
    peak = xr.DataArray(inp["pue"].values * it_peak, coords=coords)  # sized at peak IT
    m.add_constraints(through <= conn - peak, name="connection")
    # network charges and levies on off-site PPA energy used on site
    own = inp["supply_owned"].values
    ppa_out = xr.DataArray((supply * (1 - own)) @ inp["capacity_factor"].transpose("tech", "time").values,
                           coords=coords)
    ppa_used = m.add_variables(lower=0, coords=coords, name="ppa_delivered")
    m.add_constraints(ppa_used - ppa_out + surplus >= 0, name="ppa_delivered")
    carbon = float(at["carbon_price_eur_per_t"])
    price = inp["grid_cost_eur_per_mwh"].values + carbon * inp["grid_ci_g_per_kwh"].values / 1000
    sale = inp["surplus_sale_price_eur_per_mwh"].values
    obj = (xr.DataArray(w * price, coords=coords) * grid).sum() \
        - (xr.DataArray(w * np.where(sale > 0, sale, 0.0), coords=coords) * surplus).sum() \
        + (xr.DataArray(w * float(inp["grid_network_levy_eur_per_mwh"]), coords=coords)
           * ppa_used).sum()
    if heat is not None:
        obj = obj - (xr.DataArray(w * float(inp["heat_price_eur_per_mwh"]), coords=coords) * heat).sum()
    m.add_objective(obj)
    # capacity costs: constants of the dispatch LP
    energy = inp["supply_energy_mwh_per_mw_yr"].values
    embodied = (nodes @ inp["node_embodied_t_per_yr"].values
                + float(at["battery_embodied_t_per_mwh_yr"]) * e_mwh
                + float((energy * inp["supply_lifecycle_g_per_kwh"].values / 1000) @ supply))
    constant = (float(inp["site_fixed_cost_eur_per_yr"]) + nodes @ inp["node_cost_eur_per_yr"].values
                + (float(inp["cooling_cost_eur_per_mw_it_yr"])
                   + float(inp["facility_cost_eur_per_mw_it_yr"])) * it_peak
                + float((inp["supply_capacity_cost_eur_per_mw_yr"].values
                         + inp["strike_eur_per_mwh"].values * energy) @ supply)
                + float(at["battery_energy_cost_eur_per_mwh_yr"]) * e_mwh
                + float(at["battery_power_cost_eur_per_mw_yr"]) * p_mw
                + float(at["heat_pump_cost_eur_per_mw_yr"]) * hp_mw
                + float(at["dh_connection_cost_eur_per_yr"]) * dh + carbon * embodied)
    built = time.perf_counter()
    status, condition = m.solve(solver_name="highs", io_api="direct", threads=1,
                                output_flag=False, random_seed=0)
    done = time.perf_counter()
    return {"objective": float(m.objective.value) + float(constant), "status": status,
            "condition": condition, "build_s": built - start, "solve_s": done - built,
            "total_s": done - start}
