"""Annual emissions, operational and embodied, in tCO2e/yr.

- operational: grid electricity, sum_t w_t grid_mw[s,t] CI[s,t] / 1000
  (MW x h x gCO2/kWh = MWh x kgCO2/MWh; / 1000 -> t), plus the life-cycle emissions of
  electricity bought through PPAs: (1 - own_r) LCA_r [gCO2e/kWh] x annual output / 1000.
- embodied (annualised over lifetime):
  servers sum nodes[s,c,k] E_k / L_k; battery battery_mwh[s] e_b / L_b;
  owned solar/wind (own_r = 1, capex > 0): LCA_r x annual output / 1000, which is almost all
  manufacturing and construction of the plant (IPCC AR5), annualised through its output.
- operational also counts the backup gensets' test runs, ``backup_test_t_co2`` (own line,
  only with continuity, ``formulation.continuity``).

- avoided by heat export (reported as its own line, ``avoided_heat_t_co2``):
  sum_{s,c,t} w_t heat_mw_th[s,c,t] CI_dh,s / 1000, CI_dh,s [gCO2e/kWh_th] the carbon content
  of the heat the site's network would otherwise produce (MW_th x h x g/kWh_th -> t).

Variables (free, defined by equalities so objectives and caps act on single columns)
- ``operational_t_co2`` = operational;  ``embodied_t_co2`` = embodied;
- ``emissions_t_co2`` = operational + embodied - z avoided, z = 1 only when the scenario sets
  ``options.credit_avoided_heat_emissions`` (default 0, see ``greendc.scenario.Options``).

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
        for i, s in enumerate(S) for t in range(d.hours)) + m.operational_ppa_t_co2
        + (m.backup_test_t_co2 if hasattr(m, "backup_test_t_co2") else 0.0))
    m.embodied_servers_t_co2 = pyo.Expression(expr=sum(
        float(node_e[k_i]) * m.nodes[s, c, k] for s in S for c in C for k_i, k in enumerate(K)))
    m.embodied_battery_t_co2 = pyo.Expression(expr=sum(batt_e * m.battery_mwh[s] for s in S))
    m.embodied_supply_t_co2 = pyo.Expression(expr=supply_lifecycle(lambda j: owned[j]),
                                              doc="owned solar/wind, annualised [t]")
    m.embodied_emissions_definition = pyo.Constraint(expr=m.embodied_t_co2
        == m.embodied_servers_t_co2 + m.embodied_battery_t_co2 + m.embodied_supply_t_co2)
    dh_ci = d["heat_network_ci_g_per_kwh_th"] if "heat_network_ci_g_per_kwh_th" in d.arrays \
        else [0.0] * len(S)
    m.avoided_heat_t_co2 = pyo.Expression(expr=sum(
        float(w[t] * dh_ci[S.index(s)] / 1000.0) * m.heat_mw_th[s, c, t]
        for (s, c) in m.HEAT for t in range(d.hours)), doc="avoided by heat export [tCO2e/yr]")
    credit = float(d.attrs.get("credit_avoided_heat_emissions", 0))
    m.emissions_definition = pyo.Constraint(
        expr=m.emissions_t_co2 == m.operational_t_co2 + m.embodied_t_co2
        - credit * m.avoided_heat_t_co2)
