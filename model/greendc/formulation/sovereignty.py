"""Sovereignty rules as data; each rule is its own named constraint family.

Parameters per site: allowed_s in {0,1} (site's jurisdiction in the scenario's
``allowed_jurisdictions``), own_s [-] non-EU share of the operator's capital, excl_s in {0,1}
(site exposed to a legal regime the scenario excludes, e.g. US CLOUD Act); per server:
nonEU_k in {0,1} (vendor headquartered outside the EU); alpha [-] max non-EU hardware share;
beta [-] max non-EU ownership share.

Constraints
- ``sovereignty_allowed_jurisdictions``: build[s] <= allowed_s                    foreach s
- ``sovereignty_non_eu_ownership``:      own_s build[s] <= beta                   foreach s
  written build[s] <= min(1, beta / own_s) (build[s] <= 1 where own_s = 0): the same set,
  with a coefficient in every site's row, so that every site's model has one shape and one
  site's LP basis can start another's (``greendc.search``)
- ``sovereignty_legal_exposure``:        build[s] <= 1 - excl_s                   foreach s
- ``sovereignty_non_eu_hardware``:       sum nonEU_k P_k nodes <= alpha sum P_k nodes  (IT power, MW;
  no row without server types: a given IT load without compute.server)
"""

from __future__ import annotations

import pyomo.environ as pyo

from greendc.formulation.data import ModelData


def add_sovereignty(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Site jurisdiction, ownership, legal exposure and hardware-origin rules."""
    S, C, K = d.sites, d.coolings, d.servers
    allowed, own = d["site_jurisdiction_allowed"], d["site_non_eu_ownership_share"]
    excluded = d["site_legal_exposure_excluded"]
    beta = float(d.attrs["max_non_eu_ownership_share"])
    alpha = float(d.attrs["max_non_eu_hardware_share"])
    m.sovereignty_allowed_jurisdictions = pyo.Constraint(m.S, rule=lambda m, s:
        m.build[s] <= float(allowed[S.index(s)]), doc="site jurisdiction allowed [0/1]")
    m.sovereignty_non_eu_ownership = pyo.Constraint(m.S, rule=lambda m, s:
        m.build[s] <= _ownership_limit(float(own[S.index(s)]), beta),
        doc="operator non-EU ownership share within beta [0/1]")
    m.sovereignty_legal_exposure = pyo.Constraint(m.S, rule=lambda m, s:
        m.build[s] <= 1.0 - float(excluded[S.index(s)]), doc="excluded legal exposure [0/1]")
    non_eu, power = d["node_non_eu"], d["node_power_mw"]
    # no server types (a given IT load without compute.server): nothing to constrain
    m.sovereignty_non_eu_hardware = pyo.Constraint(rule=lambda m: sum(
        float((non_eu[i] - alpha) * power[i]) * m.nodes[s, c, k]
        for s in S for c in C for i, k in enumerate(K)) <= 0 if K else pyo.Constraint.Feasible,
        doc="non-EU share of IT power <= max_non_eu_hardware_share [MW]")


def _ownership_limit(own: float, beta: float) -> float:
    """Largest build[s] with own x build[s] <= beta [0/1]: 1 where own <= beta."""
    return 1.0 if own <= beta else beta / own
