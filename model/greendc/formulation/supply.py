"""Energy supply: grid import, solar/wind contracts, surplus, hourly balance, grid connection.

Parameters: cf[s,r,t] [-] capacity factor per MW contracted, potential[s,r] [MW],
conn_s [MW] grid connection.

Variables
- ``supply_mw[s, r]`` >= 0: solar/wind capacity contracted (PPA) or owned [MW].
- ``grid_mw[s, t]`` >= 0: grid import [MW].
- ``surplus_mw[s, t]`` >= 0: contracted output not used on site [MW]; settled at the actual
  spot price p (negative hours included) when sale is allowed, or spilled for free: selling
  at p <= 0 never beats spilling, so the objective credits max(p, 0) and one variable covers
  both without loss of exactness (``objectives``).

Expressions
- ``supply_output_mw[s, t]`` = sum_r cf[s,r,t] supply_mw[s,r]   [MW]

Constraints
- ``supply_potential``:  supply_mw[s,r] <= potential[s,r] build[s]           foreach s, r
- ``surplus_from_supply``: surplus_mw[s,t] <= supply_output_mw[s,t]          foreach s, t
- ``energy_balance``:    grid + supply_output + discharge
                         = facility + heat_pump_elec + charge + surplus     foreach s, t  [MW]
- ``grid_connection``:   facility_peak + heat_pump_elec + charge - discharge
                         <= conn_s build[s]                                 foreach s, t  [MW]
  (all power reaching the site, grid or sleeved PPA, crosses the connection; it must carry
  every node at full load, Ppeak_k, times the hour's PUE, not the utilised IT power the
  energy terms use; an on-site battery can shave the peak.)
"""

from __future__ import annotations

import pyomo.environ as pyo

from greendc.formulation.data import ModelData


def add_power_supply(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Supply variables and their potential (see module docstring)."""
    S, R = d.sites, d.techs
    cf, potential = d["capacity_factor"], d["supply_potential_mw"]
    m.supply_mw = pyo.Var(m.S, m.R, domain=pyo.NonNegativeReals, doc="contracted capacity [MW]")
    m.grid_mw = pyo.Var(m.S, m.T, domain=pyo.NonNegativeReals, doc="grid import [MW]")
    m.surplus_mw = pyo.Var(m.S, m.T, domain=pyo.NonNegativeReals, doc="unused supply [MW]")
    m.supply_output_mw = pyo.Expression(m.S, m.T, rule=lambda m, s, t: sum(
        float(cf[S.index(s), j, t]) * m.supply_mw[s, r] for j, r in enumerate(R)),
        doc="solar/wind output [MW]")
    m.supply_potential = pyo.Constraint(m.S, m.R, rule=lambda m, s, r: m.supply_mw[s, r]
        <= float(potential[S.index(s), R.index(r)]) * m.build[s], doc="contract <= potential [MW]")
    m.surplus_from_supply = pyo.Constraint(m.S, m.T, rule=lambda m, s, t:
        m.surplus_mw[s, t] <= m.supply_output_mw[s, t], doc="only supply output is surplus [MW]")


def add_energy_balance(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Hourly balance and grid connection limit per site (see module docstring)."""
    conn = d["grid_connection_mw"]
    m.energy_balance = pyo.Constraint(m.S, m.T, rule=lambda m, s, t:
        m.grid_mw[s, t] + m.supply_output_mw[s, t] + m.battery_discharge_mw[s, t]
        == m.facility_mw[s, t] + m.heat_pump_elec_mw[s, t] + m.battery_charge_mw[s, t]
        + m.surplus_mw[s, t], doc="hourly electricity balance [MW]")
    m.grid_connection = pyo.Constraint(m.S, m.T, rule=lambda m, s, t:
        m.facility_peak_mw[s, t] + m.heat_pump_elec_mw[s, t] + m.battery_charge_mw[s, t]
        - m.battery_discharge_mw[s, t] <= float(conn[d.sites.index(s)]) * m.build[s],
        doc="power through the grid connection at peak IT load [MW]")
