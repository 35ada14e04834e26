"""Waste-heat export to a district-heating network through a heat pump.

Recovered heat at temperature T_c (cooling c) is lifted by a heat pump to the network's
hourly supply temperature. With COP[s,c,t] = Q_out / W, the heat taken from the servers is
Q_in = Q_out (1 - 1/COP), so Q_out <= rho_c it_mw COP / (COP - 1) and W = Q_out / COP.

The heat recovered, Q_in = heat_mw_th (1 - 1/COP) [MW_th], is no longer rejected by the
cooling plant: ``formulation.cooling`` lowers facility power by k[s,c,t] Q_in
(``cooling_offload_mw``), so this block is built before the cooling block. Where the waste
heat is hot enough for the network, COP is that of direct exchange with circulation pumps
(``greendc.physics.heatpump``), never an unbounded Carnot value.

Parameters: rho_c [-] recoverable share of IT heat, COP[s,c,t] [-], D[s,t] [MW_th] network
demand (0 where no network or export disabled), Dmax_s = max_t D[s,t].

Variables
- ``heat_mw_th[s, c, t]`` >= 0: heat delivered to the network from cooling c [MW_th].
- ``heat_pump_mw_th[s]`` >= 0: heat-pump capacity (heat output) [MW_th].
- ``dh_connect[s]`` in {0, 1}: site connected to the network.

Expressions
- ``heat_pump_elec_mw[s, t]`` = sum_c heat_mw_th[s,c,t] / COP[s,c,t]    [MW]

Constraints
- ``heat_recoverable``:    heat_mw_th[s,c,t] <= rho_c COP/(COP-1) u[t] it_mw[s,c]   foreach s, c, t
  (u[t] = ``it_load_share``: the hourly IT power over it_mw, 1 unless a given IT-load profile;
  with a flexible training load u[t] it_mw[s,c] is ``it_hour_mw[s,c,t]``, formulation.flexible)
- ``heat_network_demand``: sum_c heat_mw_th[s,c,t] <= D[s,t] dh_connect[s]     foreach s, t
- ``heat_pump_capacity``:  sum_c heat_mw_th[s,c,t] <= heat_pump_mw_th[s]       foreach s, t
- ``heat_pump_needs_connection``: heat_pump_mw_th[s] <= Dmax_s dh_connect[s]   foreach s
- ``dh_connect_at_built_site``:   dh_connect[s] <= build[s]                    foreach s
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from greendc.formulation.data import ModelData
from greendc.formulation.flexible import hourly_it


def add_heat_export(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Heat recovery, heat pump and network export (see module docstring)."""
    S, C = d.sites, d.coolings
    cop, rho, demand = d["heat_pump_cop"], d["recoverable_heat_share"], d["heat_demand_mw"]
    exportable = {(s, c) for i, s in enumerate(S) for j, c in enumerate(C)
                  if rho[j] > 0 and demand[i].max() > 0}
    m.HEAT = pyo.Set(initialize=sorted(exportable), dimen=2, doc="(site, cooling) able to export")
    m.heat_mw_th = pyo.Var(m.HEAT, m.T, domain=pyo.NonNegativeReals, doc="heat exported [MW_th]")
    m.heat_pump_mw_th = pyo.Var(m.S, domain=pyo.NonNegativeReals, doc="heat pump [MW_th]")
    m.dh_connect = pyo.Var(m.S, domain=pyo.Binary, doc="connected to district heating [0/1]")
    lift_factor = cop / (cop - 1.0)

    def heat_sum(m, s, t):
        return sum(m.heat_mw_th[s, c, t] for c in C if (s, c) in exportable)

    m.heat_pump_elec_mw = pyo.Expression(m.S, m.T, rule=lambda m, s, t: sum(
        m.heat_mw_th[s, c, t] / float(cop[S.index(s), C.index(c), t])
        for c in C if (s, c) in exportable), doc="heat-pump electricity [MW]")
    it_hour = hourly_it(m, d)

    def recoverable(m, s, c, t):
        share, term = it_hour(s, c, t)
        return m.heat_mw_th[s, c, t] <= float(
            rho[C.index(c)] * lift_factor[S.index(s), C.index(c), t] * share) * term

    m.heat_recoverable = pyo.Constraint(
        m.HEAT, m.T, rule=recoverable,
        doc="export <= recovered heat lifted by the heat pump [MW_th]")
    m.heat_network_demand = pyo.Constraint(m.S, m.T, rule=lambda m, s, t:
        pyo.Constraint.Skip if not any((s, c) in exportable for c in C)
        else heat_sum(m, s, t) <= float(demand[S.index(s), t]) * m.dh_connect[s],
        doc="export <= network demand [MW_th]")
    m.heat_pump_capacity = pyo.Constraint(m.S, m.T, rule=lambda m, s, t:
        pyo.Constraint.Skip if not any((s, c) in exportable for c in C)
        else heat_sum(m, s, t) <= m.heat_pump_mw_th[s], doc="export <= heat-pump size [MW_th]")
    dmax = np.max(demand, axis=1) if demand.size else np.zeros(len(S))
    m.heat_pump_needs_connection = pyo.Constraint(m.S, rule=lambda m, s:
        m.heat_pump_mw_th[s] <= float(dmax[S.index(s)]) * m.dh_connect[s],
        doc="heat pump only with a network connection [MW_th]")
    m.dh_connect_at_built_site = pyo.Constraint(m.S, rule=lambda m, s:
        m.dh_connect[s] <= m.build[s], doc="connection only at a built site [0/1]")
