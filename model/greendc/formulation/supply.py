"""Energy supply: grid import, solar/wind contracts, surplus, hourly balance.

Parameters: cf[s,r,t] [-] capacity factor per MW contracted, potential[s,r] [MW],
own_r in {0,1} (1: owned behind-the-meter plant, 0: off-site PPA),
N_s [EUR/MWh] network charges + levies (``grid_network_levy_eur_per_mwh``, in ``objectives``).

Variables
- ``supply_mw[s, r]`` >= 0: solar/wind capacity contracted (PPA) or owned [MW].
- ``grid_mw[s, t]`` >= 0: grid import [MW].
- ``surplus_mw[s, t]`` >= 0: contracted output not used on site [MW]; settled at the actual
  spot price p (negative hours included) when sale is allowed, or spilled for free: selling
  at p <= 0 never beats spilling, so the objective credits max(p, 0) and one variable covers
  both without loss of exactness (``objectives``).

- ``ppa_delivered_mw[s, t]`` >= 0: off-site PPA energy used on site [MW]. It crosses the
  connection like grid import, so it pays the network charges and levies N_s; surplus is
  counted as PPA output first (owned on-site output is used on site before any PPA energy),
  and the cost minimises it to max(0, ppa_output - surplus).

Expressions
- ``supply_output_mw[s, t]`` = sum_r cf[s,r,t] supply_mw[s,r]   [MW]
- ``ppa_output_mw[s, t]``    = sum_r (1 - own_r) cf[s,r,t] supply_mw[s,r]   [MW]

Constraints
- ``supply_potential``:  supply_mw[s,r] <= potential[s,r] build[s]           foreach s, r
- ``surplus_from_supply``: surplus_mw[s,t] <= supply_output_mw[s,t]          foreach s, t
- ``ppa_delivered``:   ppa_delivered_mw[s,t] >= ppa_output_mw[s,t] - surplus_mw[s,t]
                                                      foreach s, t (sites with PPA potential)
- ``energy_balance``:    grid + supply_output + discharge
                         = facility + heat_pump_elec + charge + surplus     foreach s, t  [MW]
The grid connection limit (``grid_connection``) is in ``greendc.formulation.connection``.
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
    owned = d["supply_owned"]
    m.ppa_output_mw = pyo.Expression(m.S, m.T, rule=lambda m, s, t: sum(
        float((1.0 - owned[j]) * cf[S.index(s), j, t]) * m.supply_mw[s, r]
        for j, r in enumerate(R)), doc="off-site PPA output [MW]")
    m.ppa_delivered_mw = pyo.Var(m.S, m.T, domain=pyo.NonNegativeReals,
                                 doc="off-site PPA energy used on site [MW]")
    has_ppa = {s for i, s in enumerate(S)
               if any(potential[i, j] > 0 and owned[j] < 1 for j in range(len(R)))}
    for s in S:
        if s not in has_ppa:
            for t in m.T:
                m.ppa_delivered_mw[s, t].fix(0.0)
    m.ppa_delivered = pyo.Constraint(m.S, m.T, rule=lambda m, s, t: pyo.Constraint.Skip
        if s not in has_ppa else m.ppa_delivered_mw[s, t] >= m.ppa_output_mw[s, t]
        - m.surplus_mw[s, t], doc="PPA energy used on site, through the connection [MW]")
    m.surplus_from_supply = pyo.Constraint(m.S, m.T, rule=lambda m, s, t:
        m.surplus_mw[s, t] <= m.supply_output_mw[s, t], doc="only supply output is surplus [MW]")


def add_energy_balance(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Hourly electricity balance per site (see module docstring)."""
    m.energy_balance = pyo.Constraint(m.S, m.T, rule=lambda m, s, t:
        m.grid_mw[s, t] + m.supply_output_mw[s, t] + m.battery_discharge_mw[s, t]
        == m.facility_mw[s, t] + m.heat_pump_elec_mw[s, t] + m.battery_charge_mw[s, t]
        + m.surplus_mw[s, t], doc="hourly electricity balance [MW]")
