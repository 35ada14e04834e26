"""Cooling: hourly facility load from IT power and the chosen technology's hourly PUE; water.

Parameters: PUE[s,c,t] [-] (hourly, from weather, ``greendc.physics.cooling``),
W[s,c] [m3 per MW of IT load per year] = sum_t w_t WUE[s,c,t] (WUE in L/kWh),
water allowance_s [m3/yr].

Expressions
- ``facility_mw[s, t]`` = sum_c PUE[s,c,t] it_mw[s,c]        facility electricity drawn [MW]
  (IT at the scenario's utilisation: energy, cost, emissions)
- ``facility_peak_mw[s, t]`` = sum_c PUE[s,c,t] it_peak_mw[s,c]   facility power with every
  node at full load [MW] (what the grid connection must carry in that hour's weather)

Constraints
- ``water_use``: sum_c W[s,c] it_mw[s,c] <= allowance_s        foreach s   [m3/yr]
"""

from __future__ import annotations

import pyomo.environ as pyo

from greendc.formulation.data import ModelData


def add_cooling(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Facility load and water use (see module docstring)."""
    S, C = d.sites, d.coolings
    pue = d["pue"]
    m.facility_mw = pyo.Expression(m.S, m.T, rule=lambda m, s, t: sum(
        float(pue[S.index(s), j, t]) * m.it_mw[s, c] for j, c in enumerate(C)),
        doc="facility electricity demand (IT x PUE) [MW]")
    m.facility_peak_mw = pyo.Expression(m.S, m.T, rule=lambda m, s, t: sum(
        float(pue[S.index(s), j, t]) * m.it_peak_mw[s, c] for j, c in enumerate(C)),
        doc="facility power at peak IT load (IT peak x PUE) [MW]")
    water, allowance = d["water_m3_per_mw_it_yr"], d["water_allowance_m3_per_yr"]
    m.water_use = pyo.Constraint(m.S, rule=lambda m, s: sum(
        float(water[S.index(s), j]) * m.it_mw[s, c] for j, c in enumerate(C))
        <= float(allowance[S.index(s)]), doc="annual water use <= site allowance [m3/yr]")
