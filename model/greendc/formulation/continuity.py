"""Supply continuity: backup generation and redundancy for grid outages (opt-in).

Built only when the scenario sets ``continuity`` (inputs attr ``continuity_autonomy_h``);
otherwise nothing is added and the site battery's ``battery_reserve_mwh`` stays fixed at 0
(``formulation.storage``), so the model is exactly the one without continuity.

Parameters: A [h] autonomy (``continuity.autonomy_h``), U [MW] size of one backup unit
(``continuity.unit_mw``), redundancy N | N+1 | 2N, PUEmax[s,c] [-] the highest hourly PUE of
cooling c at site s over the modelled hours (``pue_peak``), eta_d [-] battery discharge
efficiency, for each genset technology g (dim ``backup``): a_g [EUR/MW/yr] annualised capex +
fixed O&M, f_g [EUR/MWh_e/yr] annualised fuel store per MWh of electricity its fuel yields,
c_g = h_g l_g p_g [EUR/MW/yr] and e_g = h_g l_g EF_g / 1000 [tCO2e/MW/yr] the test runs
(h_g [h/yr] test hours, l_g [-] their load, p_g [EUR/MWh_e] fuel cost, EF_g [gCO2e/kWh_e]
life-cycle emission factor; the tests run on a load bank, their energy is not used on site),
conn_s [MW] grid connection, M_s = ceil(4 conn_s / U) + 1 [-] (never binding at an optimum: the
load is at most twice the connection, facility peak <= conn_s + battery_mw <= 2 conn_s, so
even 2N needs at most 4 conn_s of backup).

Redundancy factors: (m_R, u_R, k_R) = (1, 0, 1) for N, (1, 1, 1) for N+1, (2, 0, 2) for 2N:
m_R x the load in power plus u_R units that may fail; k_R x the autonomy energy (2N: two
independent systems, each with its own fuel or reserve).

Variables
- ``backup_units[s, g]`` in Z>=0 (DESIGN): gensets of U MW of technology g.
- ``backup_fuel_mwh[s, g]`` >= 0 (DESIGN): fuel stored on site, as the electricity it yields
  [MWh_e].
- ``battery_backup_mw[s]`` >= 0 (DESIGN): battery power committed to backup [MW]; fixed at
  0 unless the battery may serve as UPS (``continuity.technologies`` lists it and
  ``options.battery``).
- ``battery_reserve_mwh[s]`` >= 0 (DESIGN, declared in ``formulation.storage``): battery energy
  held for backup [MWh]; the state of charge stays below battery_mwh - battery_reserve_mwh.

Expressions
- ``backup_need_mw[s]`` = sum_c PUEmax[s,c] it_peak_mw[s,c]   peak facility load [MW]. Exact:
  max_t sum_c PUE[s,c,t] it_peak_mw[s,c] = sum_c PUEmax[s,c] it_peak_mw[s,c] because one cooling
  at most carries IT at a site (``cooling_choice``, ``nodes_need_cooling``), so no hourly rows.
  Heat export stops in an outage; the heat pump is not backed up.
- ``backup_mw[s, g]`` = U backup_units[s,g]   [MW]
- ``cost_backup_eur`` = sum_{s,g} (a_g + c_g) backup_mw[s,g] + sum_{s,g} f_g backup_fuel_mwh[s,g]
  [EUR/yr] (the battery's own cost stays in ``cost_battery_eur``)
- ``backup_test_t_co2`` = sum_{s,g} e_g backup_mw[s,g]   [tCO2e/yr], added to operational
  emissions (``formulation.emissions``)

Constraints
- ``backup_cover``:  sum_g backup_mw[s,g] + battery_backup_mw[s]
                     >= m_R backup_need_mw[s] + u_R U build[s]             foreach s  [MW]
- ``backup_energy``: sum_g backup_fuel_mwh[s,g] + eta_d battery_reserve_mwh[s]
                     >= k_R A backup_need_mw[s]                            foreach s  [MWh_e]
- ``backup_fuel_rate``: backup_fuel_mwh[s,g] <= A backup_mw[s,g]        foreach s, g  [MWh_e]
- ``battery_backup_power``: battery_backup_mw[s] <= battery_mw[s]          foreach s  [MW]
- ``battery_backup_rate``:  eta_d battery_reserve_mwh[s] = A battery_backup_mw[s]
                                                                           foreach s  [MWh]
  (the battery power counted as backup holds its energy for the whole autonomy: a block
  without energy carries nothing once its genset partner fails)
- ``backup_at_built_site``: backup_units[s,g] <= M_s build[s]           foreach s, g  [-]

Why exact: sources i with power P_i and stored energy E_i carry a constant load L for A hours
iff sum_i min(E_i / A, P_i) >= L (run each at min(E_i / A, P_i)). The battery's rate row makes
its term P_b exactly (E = A P_b / eta_d); the gensets share one fuel store (a bulk tank feeding
every unit), so theirs is min(F / A, sum_g backup_mw), with F <= A sum_g backup_mw
(``backup_fuel_rate``: more fuel than the units burn in A hours never pays). The condition is
then F / A + P_b >= L (``backup_energy``) and sum_g backup_mw + P_b >= L (``backup_cover``).
Under N+1 the failed unit takes its power, not the shared fuel: sum_g backup_mw - U + P_b >= L
is the cover row; a failed battery block takes its energy with it, which the rate row's
proportional energy covers. 2N is two such systems, each sized for L over A (symmetric halves:
the rows count twice the load and twice the energy).
"""

from __future__ import annotations

import math

import pyomo.environ as pyo

from greendc.formulation.data import ModelData

CONTINUITY_FAMILIES = ("backup_cover", "backup_energy", "backup_fuel_rate",
                       "battery_backup_power", "battery_backup_rate", "backup_at_built_site")
REDUNDANCY = {"N": (1.0, 0.0, 1.0), "N+1": (1.0, 1.0, 1.0), "2N": (2.0, 0.0, 2.0)}


def continuity_on(d: ModelData) -> bool:
    """The scenario asks for supply continuity."""
    return "continuity_autonomy_h" in d.attrs


def add_continuity(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Backup sizing for grid outages (see module docstring); nothing when off. Needs the
    battery (``add_battery``) and the IT peak (``add_it_load``)."""
    if not continuity_on(d):
        return
    S, C, G = d.sites, d.coolings, list(d.backups)
    hours, unit = float(d.attrs["continuity_autonomy_h"]), float(d.attrs["continuity_unit_mw"])
    load_factor, failed_units, energy_factor = REDUNDANCY[str(d.attrs["continuity_redundancy"])]
    eta_d = float(d.attrs["battery_discharge_efficiency"])
    pue_peak, conn = d["pue_peak"], d["grid_connection_mw"]
    m.G = pyo.Set(initialize=G, ordered=True, doc="backup genset technologies")
    m.backup_units = pyo.Var(m.S, m.G, domain=pyo.NonNegativeIntegers, doc="gensets [-]")
    m.backup_fuel_mwh = pyo.Var(m.S, m.G, domain=pyo.NonNegativeReals,
                                doc="fuel stored on site [MWh_e]")
    m.battery_backup_mw = pyo.Var(m.S, domain=pyo.NonNegativeReals,
                                  doc="battery power committed to backup [MW]")
    if not int(d.attrs.get("continuity_battery", 0)):
        m.battery_backup_mw.fix(0)
    m.backup_need_mw = pyo.Expression(m.S, rule=lambda m, s: sum(
        float(pue_peak[S.index(s), j]) * m.it_peak_mw[s, c] for j, c in enumerate(C)),
        doc="peak facility load to back up (IT peak x peak PUE) [MW]")
    m.backup_mw = pyo.Expression(m.S, m.G, rule=lambda m, s, g: unit * m.backup_units[s, g],
                                 doc="genset capacity [MW]")
    m.backup_cover = pyo.Constraint(m.S, rule=lambda m, s:
        sum(m.backup_mw[s, g] for g in G) + m.battery_backup_mw[s]
        >= load_factor * m.backup_need_mw[s] + failed_units * unit * m.build[s],
        doc="backup power covers the load with the redundancy [MW]")
    m.backup_energy = pyo.Constraint(m.S, rule=lambda m, s:
        sum(m.backup_fuel_mwh[s, g] for g in G) + eta_d * m.battery_reserve_mwh[s]
        >= energy_factor * hours * m.backup_need_mw[s],
        doc="stored fuel and battery reserve carry the load for the autonomy [MWh_e]")
    m.backup_fuel_rate = pyo.Constraint(m.S, m.G, rule=lambda m, s, g:
        m.backup_fuel_mwh[s, g] <= hours * m.backup_mw[s, g],
        doc="stored fuel no more than its gensets burn in the autonomy [MWh_e]")
    m.battery_backup_power = pyo.Constraint(m.S, rule=lambda m, s:
        m.battery_backup_mw[s] <= m.battery_mw[s], doc="backup share of battery power [MW]")
    m.battery_backup_rate = pyo.Constraint(m.S, rule=lambda m, s:
        eta_d * m.battery_reserve_mwh[s] == hours * m.battery_backup_mw[s],
        doc="reserve = the committed power over the autonomy [MWh]")
    m.backup_at_built_site = pyo.Constraint(m.S, m.G, rule=lambda m, s, g:
        m.backup_units[s, g]
        <= (math.ceil(4.0 * float(conn[S.index(s)]) / unit) + 1) * m.build[s],
        doc="gensets only at a built site [-]")
    _add_cost_and_emissions(m, d)


def _add_cost_and_emissions(m: pyo.ConcreteModel, d: ModelData) -> None:
    power, store = d["backup_cost_eur_per_mw_yr"], d["backup_fuel_storage_cost_eur_per_mwh_yr"]
    test_cost, test_t = d["backup_test_cost_eur_per_mw_yr"], d["backup_test_t_per_mw_yr"]
    G = list(d.backups)
    m.cost_backup_eur = pyo.Expression(expr=sum(
        float(power[k] + test_cost[k]) * m.backup_mw[s, g]
        + float(store[k]) * m.backup_fuel_mwh[s, g]
        for s in d.sites for k, g in enumerate(G)),
        doc="backup gensets, fuel store and test-run fuel [EUR/yr]")
    m.backup_test_t_co2 = pyo.Expression(expr=sum(
        float(test_t[k]) * m.backup_mw[s, g] for s in d.sites for k, g in enumerate(G)),
        doc="emissions of the gensets' test runs [tCO2e/yr]")
