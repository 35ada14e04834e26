"""Annual emissions, operational and embodied, in tCO2e/yr.

- operational: grid electricity, sum_t w_t grid_mw[s,t] CI[s,t] / 1000
  (MW x h x gCO2/kWh = MWh x kgCO2/MWh; / 1000 -> t), plus the life-cycle emissions of
  electricity bought through PPAs: (1 - own_r) LCA_r [gCO2e/kWh] x annual output / 1000.
- embodied (annualised over lifetime):
  servers sum nodes[s,c,k] E_k / L_k; battery battery_mwh[s] e_b / L_b;
  owned solar/wind (own_r = 1, capex > 0): LCA_r x annual output / 1000, which is almost all
  manufacturing and construction of the plant (IPCC AR5), annualised through its output.

Variables (free, defined by equalities so objectives and caps act on single columns)
- ``operational_t_co2`` = operational;  ``embodied_t_co2`` = embodied;
- ``emissions_t_co2`` = operational + embodied.

Constraints: ``operational_emissions_definition``, ``embodied_emissions_definition``,
``emissions_definition`` (one row each).
"""

from __future__ import annotations

import pyomo.environ as pyo

from greendc.formulation.data import ModelData


def add_emissions(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Operational and embodied emissions (see module docstring)."""
    S, C, K, R = d.sites, d.coolings, d.servers, d.techs
    w, ci = d.weight_h, d["grid_ci_g_per_kwh"]
    node_e, sup_e = d["node_embodied_t_per_yr"], d["supply_energy_mwh_per_mw_yr"]
    lca = d["supply_lifecycle_g_per_kwh"]
    batt_e = float(d.attrs["battery_embodied_t_per_mwh_yr"])
    m.operational_t_co2 = pyo.Var(doc="operational emissions [tCO2e/yr]")
    m.embodied_t_co2 = pyo.Var(doc="embodied emissions, annualised [tCO2e/yr]")
    m.emissions_t_co2 = pyo.Var(doc="total emissions [tCO2e/yr]")
    owned = d["supply_owned"]

    def supply_lifecycle(share_of) -> pyo.Expression:
        return sum(float(share_of(j) * sup_e[i, j] * lca[j] / 1000.0) * m.supply_mw[s, r]
                   for i, s in enumerate(S) for j, r in enumerate(R))

    m.operational_ppa_t_co2 = pyo.Expression(expr=supply_lifecycle(lambda j: 1.0 - owned[j]),
                                             doc="life-cycle emissions of PPA electricity [t]")
    m.operational_emissions_definition = pyo.Constraint(expr=m.operational_t_co2 == sum(
        float(w[t] * ci[i, t] / 1000.0) * m.grid_mw[s, t]
        for i, s in enumerate(S) for t in range(d.hours)) + m.operational_ppa_t_co2)
    m.embodied_servers_t_co2 = pyo.Expression(expr=sum(
        float(node_e[k_i]) * m.nodes[s, c, k] for s in S for c in C for k_i, k in enumerate(K)))
    m.embodied_battery_t_co2 = pyo.Expression(expr=sum(batt_e * m.battery_mwh[s] for s in S))
    m.embodied_supply_t_co2 = pyo.Expression(expr=supply_lifecycle(lambda j: owned[j]),
                                              doc="owned solar/wind, annualised [t]")
    m.embodied_emissions_definition = pyo.Constraint(expr=m.embodied_t_co2
        == m.embodied_servers_t_co2 + m.embodied_battery_t_co2 + m.embodied_supply_t_co2)
    m.emissions_definition = pyo.Constraint(
        expr=m.emissions_t_co2 == m.operational_t_co2 + m.embodied_t_co2)
