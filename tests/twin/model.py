"""The twin: greendc's design problem for ONE (site, cooling) with fixed server counts,
written directly in linopy from the equations in the docstrings of
``greendc/formulation/*.py`` (not from the Pyomo code), so that an accounting error in one
formulation shows up as a difference against the other (tests/twin/test_twin.py).

Design variables: supply_mw[r], battery_mwh, battery_mw, heat_pump_mw_th, dh_connect (binary).
Operation variables per hour: grid, surplus, ppa_delivered, charge, discharge, soc, heat and,
at a site with a negative all-in grid price, the binary battery_charging.
One function per block, mirroring the ``add_*`` modules; every function reads plain numpy
from the inputs Dataset through ``Data``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr


@dataclass
class Data:
    """Inputs of one (site, cooling) and the fixed node counts, as numpy."""

    inp: xr.Dataset          # inputs .sel(site=..., cooling=...)
    nodes: np.ndarray        # fixed node count per server type
    attrs: dict

    def __getitem__(self, name: str) -> np.ndarray:
        return np.asarray(self.inp[name].values, dtype=float)

    @property
    def hours(self) -> int:
        return int(self.inp.sizes["time"])


@dataclass
class Twin:
    m: object                # linopy.Model
    v: dict                  # variables and expressions by name
    constant_eur: float      # cost terms fixed by the node counts
    constant_t: float        # emissions fixed by the node counts (servers' embodied)


def series(d: Data, values) -> xr.DataArray:
    return xr.DataArray(np.asarray(values, dtype=float), coords=[pd.RangeIndex(d.hours, name="time")])


def add_it_and_cooling(d: Data, v: dict) -> None:
    """servers.py + cooling.py with the nodes fixed: it = sum_k P_k n_k, it_peak = sum_k
    Ppeak_k n_k [MW]; gross facility[t] = PUE[t] it, facility_peak[t] = PUE[t] it_peak [MW]
    (the offload by recovered heat is added by ``add_cooling_offload``)."""
    v["it"] = float(d["node_power_mw"] @ d.nodes)
    v["it_peak"] = float(d["node_peak_mw"] @ d.nodes)
    v["facility"] = d["pue"] * v["it"]
    v["facility_peak"] = d["pue"] * v["it_peak"]


def add_cooling_offload(m, d: Data, v: dict) -> None:
    """cooling.py: recovered heat heat[t] (1 - 1/COP[t]) [MW_th] is not rejected by the plant:
    offload[t] = k[t] (1 - 1/COP[t]) heat[t] [MW] lowers the facility load (net facility =
    PUE it - offload); water_use: sum_t w WUE it - sum_t w v[t] (1 - 1/COP) heat <= allowance
    [m3/yr] (v [L/kWh_th = m3/MWh_th]); with no water saving it is a check on data."""
    cop = d["heat_pump_cop"]
    recovered = 1.0 - 1.0 / cop
    v["offload_factor"] = d["cooling_offload_kw_per_kw_th"] * recovered
    v["offload"] = series(d, v["offload_factor"]) * v["heat"]
    v["facility_net"] = series(d, v["facility"]) - v["offload"]
    water = float(d["water_m3_per_mw_it_yr"]) * v["it"]
    allowance = float(d["water_allowance_m3_per_yr"])
    saved = d["weight_h"] * d["cooling_offload_water_l_per_kwh_th"] * recovered
    if saved.max() <= 0:
        assert water <= allowance, "water_use violated by the fixed nodes"
        return
    m.add_constraints((series(d, saved) * v["heat"]).sum() >= water - allowance,
                      name="water_use")


def add_supply(m, d: Data, v: dict) -> None:
    """supply.py: 0 <= supply_mw[r] <= potential[r]; output[t] = sum_r cf[r,t] supply_mw[r];
    0 <= surplus <= output; ppa_output = sum_r (1 - own_r) cf supply_mw;
    ppa_delivered >= ppa_output - surplus, >= 0; grid >= 0."""
    techs = pd.Index([str(r) for r in d.inp.tech.values], name="tech")
    cf = xr.DataArray(d["capacity_factor"].reshape(len(techs), d.hours),
                      coords=[techs, pd.RangeIndex(d.hours, name="time")])
    potential = xr.DataArray(d["supply_potential_mw"], coords=[techs])
    own = xr.DataArray(d["supply_owned"], coords=[techs])
    v["supply_mw"] = m.add_variables(lower=0, upper=potential, name="supply_mw")
    v["output"] = (cf * v["supply_mw"]).sum("tech")
    v["ppa_output"] = ((1 - own) * cf * v["supply_mw"]).sum("tech")
    time = [pd.RangeIndex(d.hours, name="time")]
    v["grid"] = m.add_variables(lower=0, coords=time, name="grid")
    v["surplus"] = m.add_variables(lower=0, coords=time, name="surplus")
    v["ppa_delivered"] = m.add_variables(lower=0, coords=time, name="ppa_delivered")
    m.add_constraints(v["surplus"] - v["output"] <= 0, name="surplus_from_supply")
    m.add_constraints(v["ppa_delivered"] - v["ppa_output"] + v["surplus"] >= 0,
                      name="ppa_delivered")
    v["techs"], v["cf"], v["own"] = techs, cf, own


def add_battery(m, d: Data, v: dict) -> None:
    """storage.py: soc[t] = soc[t-1] + dt[t] (eta_c charge - discharge / eta_d), cyclic;
    charge, discharge <= battery_mw; soc <= battery_mwh; battery_mwh <= 24 conn,
    battery_mw <= conn; where some all-in grid price is negative, binary u[t]:
    charge <= conn u, discharge <= conn (1 - u)."""
    time = [pd.RangeIndex(d.hours, name="time")]
    conn = float(d["grid_connection_mw"])
    on = float(d.attrs["battery_enabled"])
    v["battery_mwh"] = m.add_variables(lower=0, upper=24 * conn * on, name="battery_mwh")
    v["battery_mw"] = m.add_variables(lower=0, upper=conn * on, name="battery_mw")
    c = v["charge"] = m.add_variables(lower=0, coords=time, name="charge")
    dis = v["discharge"] = m.add_variables(lower=0, coords=time, name="discharge")
    soc = v["soc"] = m.add_variables(lower=0, coords=time, name="soc")
    eta_c = float(d.attrs["battery_charge_efficiency"])
    eta_d = float(d.attrs["battery_discharge_efficiency"])
    dt = series(d, d["dt_h"])
    m.add_constraints(soc - soc.roll(time=1) - dt * eta_c * c + dt / eta_d * dis == 0,
                      name="battery_soc")
    m.add_constraints(c - v["battery_mw"] <= 0, name="battery_charge_power")
    m.add_constraints(dis - v["battery_mw"] <= 0, name="battery_discharge_power")
    m.add_constraints(soc - v["battery_mwh"] <= 0, name="battery_energy")
    if (d["grid_cost_eur_per_mwh"] < 0).any():
        u = m.add_variables(binary=True, coords=time, name="battery_charging")
        m.add_constraints(c - conn * u <= 0, name="battery_one_direction_charge")
        m.add_constraints(dis + conn * u <= conn, name="battery_one_direction_discharge")


def add_heat(m, d: Data, v: dict) -> None:
    """heat.py: with COP[t], rho, demand D[t]: 0 <= heat[t] <= rho COP/(COP-1) it;
    heat <= D[t] dh; heat <= heat_pump; heat_pump <= max_t D dh; hp_elec = heat / COP.
    No export possible (rho = 0 or no demand): heat = 0."""
    time = [pd.RangeIndex(d.hours, name="time")]
    cop, demand = d["heat_pump_cop"], d["heat_demand_mw"]
    rho = float(d["recoverable_heat_share"])
    v["dh"] = m.add_variables(binary=True, name="dh_connect")
    v["heat_pump"] = m.add_variables(lower=0, name="heat_pump_mw_th")
    if rho <= 0 or demand.max() <= 0:
        v["heat"] = m.add_variables(lower=0, upper=0, coords=time, name="heat")
    else:
        v["heat"] = m.add_variables(lower=0, upper=series(d, rho * cop / (cop - 1) * v["it"]),
                                    coords=time, name="heat")
    h = v["heat"]
    m.add_constraints(h - series(d, demand) * v["dh"] <= 0, name="heat_network_demand")
    m.add_constraints(h - v["heat_pump"] <= 0, name="heat_pump_capacity")
    m.add_constraints(v["heat_pump"] - float(demand.max()) * v["dh"] <= 0,
                      name="heat_pump_needs_connection")
    v["hp_elec"] = h / series(d, cop)


def add_balance(m, d: Data, v: dict) -> None:
    """supply.py: grid + output + discharge = facility (net of the offload) + hp_elec + charge
    + surplus; facility_peak + hp_elec + charge - discharge <= conn."""
    load = series(d, v["facility"])
    m.add_constraints(v["grid"] + v["output"] + v["discharge"] - v["hp_elec"] - v["charge"]
                      - v["surplus"] + v["offload"] == load, name="energy_balance")
    m.add_constraints(v["hp_elec"] + v["charge"] - v["discharge"]
                      <= series(d, float(d["grid_connection_mw"]) - v["facility_peak"]),
                      name="grid_connection")


def add_cfe(m, d: Data, v: dict) -> None:
    """cfe.py: sum_t w (output - surplus + discharge - charge + phi grid)
    >= x sum_t w (facility - offload + hp_elec), when min_cfe_share = x is set."""
    x = d.attrs.get("min_cfe_share")
    if x is None:
        return
    w = series(d, d["weight_h"])
    clean = v["output"] - v["surplus"] + v["discharge"] - v["charge"] \
        + series(d, d["grid_cfe_share"]) * v["grid"]
    m.add_constraints((w * clean).sum() - float(x) * (w * (v["hp_elec"] - v["offload"])).sum()
                      >= float(x) * float((d["weight_h"] * v["facility"]).sum()),
                      name="cfe_target")


def add_emissions(m, d: Data, v: dict) -> tuple:
    """emissions.py [tCO2e/yr]: operational = sum_t w grid CI / 1000
    + sum_r (1 - own_r) LCA_r E_r supply_mw / 1000; embodied = sum_k n_k e_k
    + e_b battery_mwh + sum_r own_r LCA_r E_r supply_mw / 1000, E_r = sum_t w cf[r,t];
    avoided = sum_t w heat CI_dh / 1000, subtracted only when
    credit_avoided_heat_emissions = 1."""
    w = series(d, d["weight_h"])
    energy = (v["cf"] * w).sum("time")          # E_r [MWh per MW per yr]
    lca = xr.DataArray(d["supply_lifecycle_g_per_kwh"], coords=[v["techs"]])
    v["energy_r"] = energy
    operational = (w * series(d, d["grid_ci_g_per_kwh"]) / 1000 * v["grid"]).sum() \
        + ((1 - v["own"]) * lca * energy / 1000 * v["supply_mw"]).sum()
    servers_t = float(d["node_embodied_t_per_yr"] @ d.nodes)
    embodied_var = float(d.attrs["battery_embodied_t_per_mwh_yr"]) * v["battery_mwh"] \
        + (v["own"] * lca * energy / 1000 * v["supply_mw"]).sum()
    v["operational"], v["embodied_var"] = operational, embodied_var
    v["avoided_factor"] = d["weight_h"] * float(d["heat_network_ci_g_per_kwh_th"]) / 1000
    credit = float(d.attrs.get("credit_avoided_heat_emissions", 0))
    avoided = (series(d, credit * v["avoided_factor"]) * v["heat"]).sum()
    return operational + embodied_var - avoided, servers_t


def add_cost(m, d: Data, v: dict, emissions_var, servers_t: float) -> float:
    """objectives.py [EUR/yr]: site fixed + servers + (a_c + a_fac) it_peak
    + sum_r (a_r + strike_r E_r) supply_mw + a_E battery_mwh + a_P battery_mw
    + a_HP heat_pump + a_DH dh + sum_t w grid_cost grid + sum_t w N ppa_delivered
    - sum_t w max(sale, 0) surplus - sum_t w heat_price heat + carbon_price x emissions.
    Returns the constant part (fixed by the nodes)."""
    at = d.attrs
    w = d["weight_h"]
    carbon = float(at["carbon_price_eur_per_t"])
    constant = float(d["site_fixed_cost_eur_per_yr"]) + float(d["node_cost_eur_per_yr"] @ d.nodes) \
        + (float(d["cooling_cost_eur_per_mw_it_yr"]) + float(d["facility_cost_eur_per_mw_it_yr"])) \
        * v["it_peak"] + carbon * servers_t
    a_sup = xr.DataArray(d["supply_capacity_cost_eur_per_mw_yr"], coords=[v["techs"]])
    strike = xr.DataArray(d["strike_eur_per_mwh"], coords=[v["techs"]])
    sale = np.maximum(d["surplus_sale_price_eur_per_mwh"], 0.0)
    v["cost_var"] = ((a_sup + strike * v["energy_r"]) * v["supply_mw"]).sum() \
        + float(at["battery_energy_cost_eur_per_mwh_yr"]) * v["battery_mwh"] \
        + float(at["battery_power_cost_eur_per_mw_yr"]) * v["battery_mw"] \
        + float(at["heat_pump_cost_eur_per_mw_yr"]) * v["heat_pump"] \
        + float(at["dh_connection_cost_eur_per_yr"]) * v["dh"] \
        + (series(d, w * d["grid_cost_eur_per_mwh"]) * v["grid"]).sum() \
        + (series(d, w * float(d["grid_network_levy_eur_per_mwh"])) * v["ppa_delivered"]).sum() \
        - (series(d, w * sale) * v["surplus"]).sum() \
        - (series(d, w * float(d["heat_price_eur_per_mwh"])) * v["heat"]).sum() \
        + carbon * emissions_var
    return constant


def build_twin(inputs: xr.Dataset, site: str, cooling: str, nodes: np.ndarray) -> Twin:
    """The twin for one (site, cooling) of a greendc inputs Dataset with ``nodes`` fixed."""
    import linopy

    d = Data(inp=inputs.sel(site=site, cooling=cooling), nodes=np.asarray(nodes, float),
             attrs=dict(inputs.attrs))
    m, v = linopy.Model(), {}
    add_it_and_cooling(d, v)
    add_supply(m, d, v)
    add_battery(m, d, v)
    add_heat(m, d, v)
    add_cooling_offload(m, d, v)
    add_balance(m, d, v)
    add_cfe(m, d, v)
    emissions_var, servers_t = add_emissions(m, d, v)
    constant = add_cost(m, d, v, emissions_var, servers_t)
    m.add_objective(v["cost_var"])
    return Twin(m=m, v=v, constant_eur=constant, constant_t=servers_t)


def solve_twin(twin: Twin, weight_h: np.ndarray) -> dict:
    """Solve with HiGHS; return objective [EUR/yr], capacities [MW, MWh] and annual
    energies [MWh/yr] (sum_t weight_h x hourly value)."""
    m = twin.m
    status, condition = m.solve(solver_name="highs", output_flag=False, mip_rel_gap=1e-9,
                                threads=1, random_seed=0)
    assert status == "ok", (status, condition)
    sol = {name: m.variables[name].solution for name in m.variables}

    def annual(name):
        return float((np.asarray(sol[name].values) * weight_h).sum())

    out = {"objective_eur_per_yr": float(m.objective.value) + twin.constant_eur,
           "battery_mwh": float(sol["battery_mwh"]), "battery_mw": float(sol["battery_mw"]),
           "heat_pump_mw_th": float(sol["heat_pump_mw_th"]),
           "grid_mwh": annual("grid"), "surplus_mwh": annual("surplus"),
           "heat_mwh": annual("heat"), "charge_mwh": annual("charge"),
           "ppa_delivered_mwh": annual("ppa_delivered")}
    heat = np.asarray(sol["heat"].values)
    out["cooling_offload_mwh"] = float((twin.v["offload_factor"] * heat * weight_h).sum())
    out["avoided_heat_t"] = float((twin.v["avoided_factor"] * heat).sum())
    for r, value in zip(sol["supply_mw"].tech.values, sol["supply_mw"].values):
        out[f"supply_{r}_mw"] = float(value)
    return out
