"""The grid connection: a limit per site, optionally a sized and priced decision, and the queue.

Parameters: conn_s [MW] available connection capacity at site s (``grid_connection_mw``);
with ``options.grid_connection_cost``: k_s [EUR/MW/yr] = CRF(r, n_s) capex_s + tariff_s
(``connection_cost_eur_per_mw_yr``: connection capex [EUR/MW] by the site's voltage level,
annuitised over its lifetime n_s, plus the annual capacity tariff on the contracted MW); with
``commissioning_year``: q_s in {0, 1} (``site_connection_in_time``: 1 when the site's
``grid_connection_year`` <= the commissioning year).

Power through the connection in hour t [MW] (all power reaching the site, grid or sleeved
PPA, crosses it; it must carry every node at full load, Ppeak_k, times the hour's PUE, not
the utilised IT power the energy terms use; an on-site battery can shave the peak):

  flow[s,t] = facility_peak[s,t] + heat_pump_elec[s,t] + charge[s,t] - discharge[s,t]

Off (default): exactly the row of earlier versions, no new component.
- ``grid_connection``:       flow[s,t] <= conn_s build[s]                       foreach s, t

On (``options.grid_connection_cost``):
- ``connection_mw[s]`` >= 0, DESIGN: contracted connection capacity [MW].
- ``connection_available``:  connection_mw[s] <= conn_s build[s]                foreach s
- ``grid_connection``:       flow[s,t] <= connection_mw[s]                      foreach s, t
- ``cost_connection_eur`` = sum_s k_s connection_mw[s]   [EUR/yr], a term of ``cost_definition``
  (``objectives``). Minimising cost sets connection_mw[s] = max_t flow[s,t], so a battery that
  discharges in the peak hours saves k_s per MW shaved. The per-MWh network charge is then only
  its energy-related part (``greendc.inputs.network_energy_part``): the capacity part is
  billed here, per MW, and never twice.
  Owned on-site output is not netted from the flow: the flow is the full-load peak, a
  planning quantity and not the hour's dispatch, and the connection must carry it in the hour
  the on-site plant does not produce; netting the hour's output would credit the plant with
  a firmness it does not have.

Queue (``commissioning_year`` set):
- ``grid_connection_queue``: build[s] <= q_s                                    foreach s
  A site whose connection comes after the commissioning year cannot be built; the study
  leaves it out of the candidate combinations before any solve and says why
  (``greendc.checks.queue_exclusions``).
"""

from __future__ import annotations

import pyomo.environ as pyo

from greendc.formulation.data import ModelData

CONNECTION_FAMILIES = ("connection_available", "grid_connection_queue")


def priced(d: ModelData) -> bool:
    """True when the connection is a sized, priced decision (``options.grid_connection_cost``)."""
    return "connection_cost_eur_per_mw_yr" in d.arrays


def add_grid_connection(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Connection limit, sizing and cost, and the queue (see module docstring)."""
    S, conn = d.sites, d["grid_connection_mw"]
    if priced(d):
        cost = d["connection_cost_eur_per_mw_yr"]
        m.connection_mw = pyo.Var(m.S, domain=pyo.NonNegativeReals,
                                  doc="contracted grid connection capacity [MW]")
        m.connection_available = pyo.Constraint(m.S, rule=lambda m, s:
            m.connection_mw[s] <= float(conn[S.index(s)]) * m.build[s],
            doc="connection within the site's available capacity [MW]")
        limit = {s: m.connection_mw[s] for s in S}
        m.cost_connection_eur = pyo.Expression(expr=sum(
            float(cost[i]) * m.connection_mw[s] for i, s in enumerate(S)),
            doc="annualised connection capex + capacity tariff [EUR/yr]")
    else:
        limit = {s: float(conn[i]) * m.build[s] for i, s in enumerate(S)}
    m.grid_connection = pyo.Constraint(m.S, m.T, rule=lambda m, s, t:
        m.facility_peak_mw[s, t] + m.heat_pump_elec_mw[s, t] + m.battery_charge_mw[s, t]
        - m.battery_discharge_mw[s, t] <= limit[s],
        doc="power through the grid connection at peak IT load [MW]")
    if "site_connection_in_time" in d.arrays:
        q = d["site_connection_in_time"]
        m.grid_connection_queue = pyo.Constraint(m.S, rule=lambda m, s:
            m.build[s] <= float(q[S.index(s)]),
            doc="connection delivered by the commissioning year [0/1]")
