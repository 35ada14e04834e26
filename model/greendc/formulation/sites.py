"""Site and cooling choice.

Sets: sites S, cooling technologies C.

Variables
- ``build[s]`` in {0, 1}: a data centre is built at site s.
- ``cool[s, c]`` in {0, 1}: site s uses cooling technology c.

Constraints
- ``site_count``:      sum_s build[s] <= max_sites                           (one row)
- ``cooling_choice``:  sum_c cool[s, c] = build[s]                 foreach s  (one per site)
"""

from __future__ import annotations

import pyomo.environ as pyo

from greendc.formulation.data import ModelData


def add_sets(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Index sets from the inputs coordinates; hours are positions 0..T-1."""
    m.S = pyo.Set(initialize=d.sites, ordered=True, doc="candidate sites")
    m.C = pyo.Set(initialize=d.coolings, ordered=True, doc="cooling technologies")
    m.K = pyo.Set(initialize=d.servers, ordered=True, doc="server (node) types")
    m.R = pyo.Set(initialize=d.techs, ordered=True, doc="solar/wind supply contracts")
    m.T = pyo.RangeSet(0, d.hours - 1, doc="modelled hours (UTC)")


def add_site_choice(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Binary site and cooling choice (see module docstring)."""
    m.build = pyo.Var(m.S, domain=pyo.Binary, doc="site is built [0/1]")
    m.cool = pyo.Var(m.S, m.C, domain=pyo.Binary, doc="cooling technology at site [0/1]")
    m.site_count = pyo.Constraint(
        expr=sum(m.build[s] for s in m.S) <= int(d.attrs["max_sites"]),
        doc="at most max_sites sites are built",
    )
    m.cooling_choice = pyo.Constraint(
        m.S, rule=lambda m, s: sum(m.cool[s, c] for c in m.C) == m.build[s],
        doc="exactly one cooling technology at a built site",
    )
