"""Cooling: hourly facility load from IT power and the chosen technology's hourly PUE; water;
the climate limit of chiller-less cooling.

Parameters: PUE[s,c,t] [-] (hourly, from weather, ``greendc.physics.cooling``),
k[s,c,t] [MW_e per MW_th] and v[s,c,t] [L per kWh_th = m3 per MWh_th] cooling-plant
electricity and water saved per MW_th of server heat a heat pump takes out of the cooling
loop (``heat_rejection_saving``; 0 when air alone cools), w_t [h] annual weight of hour t,
COP[s,c,t] [-] heat-pump COP (``formulation.heat``),
W[s,c] [m3 per MW of IT load per year] = sum_t w_t u[t] WUE[s,c,t] (WUE in L/kWh),
water allowance_s [m3/yr], X[s,c] [h] hours of the site's weather year whose dry bulb exceeds
the cooling's ``max_dry_bulb_c`` (chiller-less designs; 0 for the others).

IT power enters through the DESIGN columns ``it_mw[s, c]`` and ``it_peak_mw[s, c]``
(``formulation.servers``, one defining row each), so each hourly expression below holds one
IT term per cooling, never a sum over server types.

Expressions
- ``cooling_offload_mw[s, t]`` = sum_c k[s,c,t] (1 - 1/COP[s,c,t]) heat_mw_th[s,c,t]   [MW]
  heat_mw_th (1 - 1/COP) is the heat recovered from the servers [MW_th]: the cooling plant
  no longer rejects it, so its electricity falls by k per MW_th. Linear, and never more than
  the plant's own share of PUE x IT since recovery <= rho_c it_mw (``heat_recoverable``).
- ``facility_mw[s, t]`` = sum_c PUE[s,c,t] u[t] it_mw[s,c] - cooling_offload_mw[s,t]
  facility electricity drawn [MW] (IT at the scenario's utilisation: energy, cost, emissions;
  u[t] = ``it_load_share``, the hourly IT power over it_mw: 1 unless a given IT-load profile;
  with a flexible training load u[t] it_mw[s,c] is replaced by ``it_hour_mw[s,c,t]``,
  ``formulation.flexible``)
- ``facility_peak_mw[s, t]`` = sum_c PUE[s,c,t] it_peak_mw[s,c]   facility power with every
  node at full load [MW] (what the grid connection must carry in that hour's weather; without
  the offload, since the heat pump may be off in that hour)
- ``cooling_offload_water_m3[s]`` = sum_{c,t} w_t v[s,c,t] (1 - 1/COP) heat_mw_th[s,c,t]
                                                               tower/spray water saved [m3/yr]

Constraints
- ``water_use``: sum_c W[s,c] it_mw[s,c] - cooling_offload_water_m3[s] <= allowance_s
                                                               foreach s   [m3/yr]
- ``cooling_climate_limit``: cool[s,c] <= (1 if X[s,c] = 0 else 0)   foreach s, c   [0/1]
  a chiller-less design cannot be chosen where the site's weather exceeds its limit (the
  check before solving and the diagnosis say so in words, ``greendc.checks``).
"""

from __future__ import annotations

import pyomo.environ as pyo

from greendc.formulation.data import ModelData
from greendc.formulation.flexible import hourly_it


def add_cooling(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Facility load, water use and climate limit (see module docstring); needs the heat
    export variables (``add_heat_export``) for the cooling offload."""
    S, C = d.sites, d.coolings
    pue, cop = d["pue"], d["heat_pump_cop"]
    saving = d["cooling_offload_kw_per_kw_th"]
    m.cooling_offload_mw = pyo.Expression(m.S, m.T, rule=lambda m, s, t: sum(
        float(saving[S.index(s), C.index(c), t] * (1.0 - 1.0 / cop[S.index(s), C.index(c), t]))
        * m.heat_mw_th[s, c, t] for c in C
        if (s, c) in m.HEAT and saving[S.index(s), C.index(c), t] > 0),
        doc="cooling-plant electricity saved by heat recovery [MW]")
    it_hour = hourly_it(m, d)

    def it_power(m, s, c, t):
        share, term = it_hour(s, c, t)
        return float(pue[S.index(s), C.index(c), t] * share) * term

    m.facility_mw = pyo.Expression(m.S, m.T, rule=lambda m, s, t: sum(
        it_power(m, s, c, t) for c in C) - m.cooling_offload_mw[s, t],
        doc="facility electricity demand (IT x PUE - cooling offload) [MW]")
    m.facility_peak_mw = pyo.Expression(m.S, m.T, rule=lambda m, s, t: sum(
        float(pue[S.index(s), j, t]) * m.it_peak_mw[s, c] for j, c in enumerate(C)),
        doc="facility power at peak IT load (IT peak x PUE) [MW]")
    water, allowance = d["water_m3_per_mw_it_yr"], d["water_allowance_m3_per_yr"]
    v, w = d["cooling_offload_water_l_per_kwh_th"], d["weight_h"]
    m.cooling_offload_water_m3 = pyo.Expression(m.S, rule=lambda m, s: sum(
        float(w[t] * v[S.index(s), C.index(c), t] * (1.0 - 1.0 / cop[S.index(s), C.index(c), t]))
        * m.heat_mw_th[s, c, t] for c in C if (s, c) in m.HEAT for t in range(d.hours)
        if v[S.index(s), C.index(c), t] > 0), doc="cooling water saved by heat recovery [m3/yr]")
    m.water_use = pyo.Constraint(m.S, rule=lambda m, s: sum(
        float(water[S.index(s), j]) * m.it_mw[s, c] for j, c in enumerate(C))
        - m.cooling_offload_water_m3[s] <= float(allowance[S.index(s)]),
        doc="annual water use <= site allowance [m3/yr]")
    exceeded = d["climate_limit_hours"]
    m.cooling_climate_limit = pyo.Constraint(m.S, m.C, rule=lambda m, s, c:
        m.cool[s, c] <= (0.0 if exceeded[S.index(s), C.index(c)] > 0 else 1.0),
        doc="no chiller-less cooling where the weather exceeds its limit [0/1]")
