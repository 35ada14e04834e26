"""Battery: energy and power sized separately, hourly charge/discharge, cyclic state of charge.

Parameters: eta_c, eta_d [-] charge and discharge efficiencies, w_t [h] step weight,
M_E_s = 24 h x conn_s [MWh], M_P_s = conn_s [MW] (size bounds at a built site).

Variables
- ``battery_mwh[s]``, ``battery_mw[s]`` >= 0: energy [MWh] and power [MW] rating.
- ``battery_charge_mw[s,t]``, ``battery_discharge_mw[s,t]`` >= 0 [MW]; ``battery_soc_mwh[s,t]`` >= 0.

Constraints
- ``battery_soc``:  soc[s,t] = soc[s,t-1] + w_t (eta_c charge[s,t] - discharge[s,t] / eta_d)
                    foreach s, t, with t-1 of the first hour = the last hour (cyclic year)
- ``battery_charge_power``:    charge[s,t] <= battery_mw[s]
- ``battery_discharge_power``: discharge[s,t] <= battery_mw[s]
- ``battery_energy``:          soc[s,t] <= battery_mwh[s]
- ``battery_at_built_site``:   battery_mwh[s] <= M_E_s build[s];  battery_mw[s] <= M_P_s build[s]
"""

from __future__ import annotations

import pyomo.environ as pyo

from model.build.data import ModelData


def add_battery(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Battery sizing and hourly operation (see module docstring)."""
    S, T = d.sites, d.hours
    w = d["weight_h"]
    eta_c = float(d.attrs["battery_charge_efficiency"])
    eta_d = float(d.attrs["battery_discharge_efficiency"])
    conn = d["grid_connection_mw"]
    m.battery_mwh = pyo.Var(m.S, domain=pyo.NonNegativeReals, doc="battery energy [MWh]")
    m.battery_mw = pyo.Var(m.S, domain=pyo.NonNegativeReals, doc="battery power [MW]")
    m.battery_charge_mw = pyo.Var(m.S, m.T, domain=pyo.NonNegativeReals, doc="charge [MW]")
    m.battery_discharge_mw = pyo.Var(m.S, m.T, domain=pyo.NonNegativeReals, doc="discharge [MW]")
    m.battery_soc_mwh = pyo.Var(m.S, m.T, domain=pyo.NonNegativeReals, doc="state of charge [MWh]")
    if not int(d.attrs["battery_enabled"]):
        for v in (m.battery_mwh, m.battery_mw):
            v.fix(0)
    m.battery_soc = pyo.Constraint(m.S, m.T, rule=lambda m, s, t:
        m.battery_soc_mwh[s, t] == m.battery_soc_mwh[s, (t - 1) % T]
        + float(w[t]) * (eta_c * m.battery_charge_mw[s, t] - m.battery_discharge_mw[s, t] / eta_d),
        doc="state-of-charge balance, cyclic over the horizon [MWh]")
    m.battery_charge_power = pyo.Constraint(m.S, m.T, rule=lambda m, s, t:
        m.battery_charge_mw[s, t] <= m.battery_mw[s], doc="charge <= power rating [MW]")
    m.battery_discharge_power = pyo.Constraint(m.S, m.T, rule=lambda m, s, t:
        m.battery_discharge_mw[s, t] <= m.battery_mw[s], doc="discharge <= power rating [MW]")
    m.battery_energy = pyo.Constraint(m.S, m.T, rule=lambda m, s, t:
        m.battery_soc_mwh[s, t] <= m.battery_mwh[s], doc="state of charge <= energy [MWh]")
    m.battery_at_built_site = pyo.Constraint(m.S, [0, 1], rule=lambda m, s, i:
        (m.battery_mwh[s] if i == 0 else m.battery_mw[s])
        <= float(conn[S.index(s)]) * (24.0 if i == 0 else 1.0) * m.build[s],
        doc="battery only at a built site, bounded by the connection [MWh | MW]")
