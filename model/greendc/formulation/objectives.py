"""Annual cost and the objective.

Cost [EUR/yr], all capex annualised with the capital recovery factor (``physics.finance``):

  cost = sum_s F_s build[s]                                     site fixed cost
       + sum_{s,c,k} a_k nodes[s,c,k]                           servers
       + sum_{s,c} (a_c + a_fac,s) it_peak_mw[s,c]              cooling plant + facility per MW IT
       + sum_{s,r} (a_r + strike_{s,r} E_{s,r}) supply_mw[s,r]  owned capacity + PPA energy
       + sum_s (a_E battery_mwh[s] + a_P battery_mw[s])         battery
       + sum_s (a_HP heat_pump_mw_th[s] + a_DH dh_connect[s])   heat pump + network connection
       + sum_{s,t} w_t (p_{s,t} + m_s + N_s) grid_mw[s,t]      grid import: spot, supply margin,
                                                                network charges and levies
       + sum_{s,t} w_t N_s ppa_delivered_mw[s,t]                network charges and levies on
                                                                off-site PPA energy used on site
       - sum_{s,t} w_t max(p_{s,t}, 0) surplus_mw[s,t]          surplus sold at spot or spilled
       - sum_{s,c,t} w_t h_s heat_mw_th[s,c,t]                  heat revenue
       + carbon_price x emissions_t_co2
       + sum_{s,c,p} a_p c_cur curtailed_mwh[s,c,p]                training dropped, only with a
                                                                flexible load (formulation.flexible)
       + cost_backup_eur                                        backup gensets, fuel store, test
                                                                runs (only with continuity,
                                                                ``formulation.continuity``)
       + sum_s k_s connection_mw[s]                             grid connection capex + capacity
                                                                tariff, only with
                                                                options.grid_connection_cost
                                                                (``connection``)

(m_s: energy-and-supply margin above spot, displaced by a PPA; N_s: network charges + levies,
paid on everything withdrawn through the connection; owned on-site output pays neither. With
options.grid_connection_cost the network part of N_s is only its energy-related part, the
capacity part being billed per MW in ``cost_connection_eur``: ``greendc.inputs``.)
Surplus is settled at the actual spot p_{s,t} (``surplus_sale_price_eur_per_mwh``, negative
hours included; 0 when the scenario forbids sale): sold at p, or spilled for free. Of
surplus = sold + spilled the cheapest split sells all when p > 0 and spills all when p <= 0,
so one variable valued at max(p, 0) is exact: selling into a negative price is a cost the
model never chooses.

with E_{s,r} = sum_t w_t cf[s,r,t] [MWh per MW per yr] and w_t = ``weight_h`` [h of the year
step t stands for]: every hourly term is an annual sum, weighted by w_t (never by the step
duration dt_h, which only the battery's state of charge uses).

Variables: ``cost_eur`` (free, defined by ``cost_definition``). The objective minimises
``cost_eur`` or one emissions variable; ``emissions_cap`` bounds emissions through the
parameter ``emissions_cap_t_co2`` (a study's fixed cap; the Pareto sweep does not use it, it
moves the bound of the emissions column in HiGHS, ``greendc.pareto.CandidateSweep``).
"""

from __future__ import annotations

import pyomo.environ as pyo

from greendc.formulation.data import ModelData

# opt-in cost terms [EUR/yr]: training curtailed (formulation.flexible)
# terms of blocks that are off by default: absent, not zero, so "off" is today's model
OPTIONAL_COSTS = ("cost_training_curtailed_eur", "cost_backup_eur", "cost_connection_eur")
OBJECTIVE_VARIABLES = {"cost": "cost_eur", "emissions": "emissions_t_co2",
                       "operational": "operational_t_co2"}


def add_cost(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Annual cost components as named expressions and the ``cost_eur`` variable."""
    S, C, K, R, T = d.sites, d.coolings, d.servers, d.techs, range(d.hours)
    w = d.weight_h
    a_node, a_cool, a_fac = (d["node_cost_eur_per_yr"], d["cooling_cost_eur_per_mw_it_yr"],
                             d["facility_cost_eur_per_mw_it_yr"])
    strike, energy = d["strike_eur_per_mwh"], d["supply_energy_mwh_per_mw_yr"]
    a_sup = d["supply_capacity_cost_eur_per_mw_yr"]
    grid_cost, sale = d["grid_cost_eur_per_mwh"], d["surplus_sale_price_eur_per_mwh"]
    heat_price = d["heat_price_eur_per_mwh"]
    at = d.attrs
    m.cost_site_eur = pyo.Expression(expr=sum(
        float(d["site_fixed_cost_eur_per_yr"][i]) * m.build[s] for i, s in enumerate(S)))
    m.cost_servers_eur = pyo.Expression(expr=sum(
        float(a_node[i]) * m.nodes[s, c, k] for s in S for c in C for i, k in enumerate(K)))
    m.cost_cooling_facility_eur = pyo.Expression(expr=sum(
        float(a_cool[j] + a_fac[i]) * m.it_peak_mw[s, c]
        for i, s in enumerate(S) for j, c in enumerate(C)))
    m.cost_supply_eur = pyo.Expression(expr=sum(
        float(a_sup[j] + strike[i, j] * energy[i, j]) * m.supply_mw[s, r]
        for i, s in enumerate(S) for j, r in enumerate(R)))
    m.cost_battery_eur = pyo.Expression(expr=sum(
        float(at["battery_energy_cost_eur_per_mwh_yr"]) * m.battery_mwh[s]
        + float(at["battery_power_cost_eur_per_mw_yr"]) * m.battery_mw[s] for s in S))
    m.cost_heat_plant_eur = pyo.Expression(expr=sum(
        float(at["heat_pump_cost_eur_per_mw_yr"]) * m.heat_pump_mw_th[s]
        + float(at["dh_connection_cost_eur_per_yr"]) * m.dh_connect[s] for s in S))
    m.cost_grid_eur = pyo.Expression(expr=sum(
        float(w[t] * grid_cost[i, t]) * m.grid_mw[s, t] for i, s in enumerate(S) for t in T))
    network = d["grid_network_levy_eur_per_mwh"]
    m.cost_ppa_network_eur = pyo.Expression(expr=sum(
        float(w[t] * network[i]) * m.ppa_delivered_mw[s, t]
        for i, s in enumerate(S) if network[i] > 0 for t in T),
        doc="network charges and levies on PPA energy used on site [EUR/yr]")
    m.revenue_surplus_eur = pyo.Expression(expr=sum(
        float(w[t] * sale[i, t]) * m.surplus_mw[s, t]
        for i, s in enumerate(S) for t in T if sale[i, t] > 0))
    m.revenue_heat_eur = pyo.Expression(expr=sum(
        float(w[t] * heat_price[S.index(s)]) * m.heat_mw_th[s, c, t] for (s, c) in m.HEAT for t in T))
    m.cost_carbon_eur = pyo.Expression(
        expr=float(at["carbon_price_eur_per_t"]) * m.emissions_t_co2)
    m.cost_eur = pyo.Var(doc="annual cost [EUR/yr]")
    total = (m.cost_site_eur + m.cost_servers_eur
             + m.cost_cooling_facility_eur + m.cost_supply_eur + m.cost_battery_eur
             + m.cost_heat_plant_eur + m.cost_grid_eur + m.cost_ppa_network_eur
             - m.revenue_surplus_eur - m.revenue_heat_eur + m.cost_carbon_eur)
    for name in OPTIONAL_COSTS:  # opt-in blocks add their term only when built
        if hasattr(m, name):
            total = total + getattr(m, name)
    m.cost_definition = pyo.Constraint(expr=m.cost_eur == total)


def add_emissions_cap(m: pyo.ConcreteModel, scope: str, cap_t_co2: float) -> None:
    """``emissions_cap``: <scope variable> <= emissions_cap_t_co2 [tCO2e/yr], the study's
    ``emissions_cap_t_per_yr`` (the Pareto sweep bounds the emissions column instead)."""
    m.emissions_cap_t_co2 = pyo.Param(mutable=True, initialize=float(cap_t_co2),
                                      doc="emissions cap [tCO2e/yr]")
    m.emissions_cap = pyo.Constraint(
        expr=getattr(m, OBJECTIVE_VARIABLES[scope]) <= m.emissions_cap_t_co2,
        doc="emissions within the cap [tCO2e/yr]")


def add_objective(m: pyo.ConcreteModel, objective: str) -> None:
    """Minimise ``cost`` [EUR/yr], ``emissions`` or ``operational`` [tCO2e/yr]."""
    m.objective = pyo.Objective(expr=getattr(m, OBJECTIVE_VARIABLES[objective]),
                                sense=pyo.minimize)
