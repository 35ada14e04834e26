"""24/7 carbon-free energy (CFE): an optional annual target on hourly-matched clean supply.

Hourly clean supply at site s (Riepin & Brown 2022, "System-level impacts of 24/7 carbon-free
electricity procurement in Europe", Energy Strategy Reviews, formulation of the CFE target):

    clean[s,t] = supply_output[s,t] - surplus[s,t] + discharge[s,t] - charge[s,t]
                 + phi[s,t] grid[s,t]                                            [MW]

with phi[s,t] [-] the carbon-free share of the grid mix in that hour (nuclear, hydro, wind,
solar, geothermal, marine; biomass and waste are not counted as carbon-free, see
``greendc.sitedata.recipes``: inputs variable ``grid_cfe_share``, 0 where a site file lacks
it, defaulted in ``greendc.inputs``: the grid then counts as fully fossil). Surplus that is
sold or spilled does not count: only
clean energy consumed in the same hour does (hourly matching). Battery charging subtracts
what discharging later returns, so storage moves clean energy in time and its losses count
against the score.

Constraint (only when the scenario sets ``min_cfe_share`` = x):
- ``cfe_target``: sum_s,t w_t clean[s,t] >= x sum_s,t w_t (facility[s,t] + heat_pump_elec[s,t])
  (w_t = ``weight_h`` [h of the year per step]: an annual sum)

By the energy balance clean[s,t] = load[s,t] - (1 - phi) grid[s,t] <= load[s,t]. The
results report exactly what the constraint counts: the hourly score clean / load (<= 1,
negative in an hour that charges the battery from a fossil grid) and the annual share
sum w clean / sum w load, without clipping (``greendc.results``).
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from greendc.formulation.data import ModelData


def add_cfe(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Clean-supply expression and, if ``min_cfe_share`` is set, the CFE target."""
    phi, w = d["grid_cfe_share"], d.weight_h
    S = d.sites
    m.clean_supply_mw = pyo.Expression(m.S, m.T, rule=lambda m, s, t:
        m.supply_output_mw[s, t] - m.surplus_mw[s, t] + m.battery_discharge_mw[s, t]
        - m.battery_charge_mw[s, t] + float(phi[S.index(s), t]) * m.grid_mw[s, t],
        doc="clean electricity consumed in the hour [MW]")
    target = d.attrs.get("min_cfe_share")
    if target is None or not np.isfinite(float(target)):
        return
    m.cfe_target = pyo.Constraint(expr=sum(
        float(w[t]) * m.clean_supply_mw[s, t] for s in S for t in range(d.hours))
        >= float(target) * sum(float(w[t]) * (m.facility_mw[s, t] + m.heat_pump_elec_mw[s, t])
                               for s in S for t in range(d.hours)),
        doc="annual hourly-matched clean share >= min_cfe_share [MWh]")
