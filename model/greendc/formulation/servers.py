"""IT load: integer node counts per site, cooling and server type, or a given IT power.

Nodes are indexed by cooling so that facility power (IT x hourly PUE of the chosen
cooling) stays linear.

Parameters: perf_k [PFLOP/s per node], P_k [MW per node at the scenario utilisation],
Ppeak_k [MW per node at full load], n_kc [nodes per rack under cooling c: floor(max rack
density_c / Ppeak_k), capped by the rack's space; 0 when incompatible], A_c [m2 per rack],
D_c [kW per rack, the cooling's max rack density], M_k = upper bound on nodes of type k,
L [MW] the peak of a given IT load (``compute.it_load_mw``; the hourly IT power is
it_mw x it_load_share[t], ``greendc.inputs``).

Variables
- ``nodes[s, c, k]`` in Z>=0, DESIGN: nodes installed (no server types: an empty set).
- ``racks[s, c]`` >= 0, DESIGN: racks needed (continuous: a fraction of a rack is a
  partly-filled rack).
- ``it_mw[s, c]`` in [0, sum_k P_k M_kc] (given load: [0, L]), DESIGN: IT power drawn [MW].
- ``it_peak_mw[s, c]`` in [0, sum_k Ppeak_k M_kc] (given load without a server type:
  [0, L]), DESIGN: IT power the plant is sized for [MW].
  Both are columns of their own, defined once by an equality (``it_power``, ``it_peak_power``),
  so that each hourly row (``energy_balance``, ``heat_recoverable``, ``grid_connection``...)
  holds one IT term per cooling instead of one per server type: fewer nonzeros, the same
  optimum. M_kc = M_k for the types that fit cooling c (n_kc > 0), else 0.

Constraints
- ``it_power``:      it_mw[s,c] = sum_k P_k nodes[s,c,k]              foreach s, c   [MW]
                     (compute basis ``it_load_mw``: it_mw[s,c] = L cool[s,c], the IT power
                     drawn at the load's peak)
- ``it_peak_power``: it_peak_mw[s,c] = sum_k Ppeak_k nodes[s,c,k]     foreach s, c   [MW]
                     (``it_load_mw`` without a server type: it_peak_mw[s,c] = it_mw[s,c])
- ``nodes_need_cooling``:  nodes[s,c,k] <= M_k cool[s,c]           foreach s, c, k
- ``compute_requirement``: sum_{s,c,k} perf_k nodes[s,c,k] >= required PFLOP/s  (required_pflops)
- ``it_load_hosted``:      sum_{s,c} cool[s,c] = 1     the given IT load is hosted (it_load_mw)
- ``it_capacity``:         it_peak_mw[s,c] >= L cool[s,c]              foreach s, c   [MW]
                           the chosen type's count carries the peak (it_load_mw with a server)
- ``rack_density``:        racks[s,c] >= sum_k nodes[s,c,k] / n_kc  foreach s, c (n_kc = 0: nodes
                           fixed to 0); without server types
                           racks[s,c] >= 1000 it_peak_mw[s,c] / D_c
- ``floor_space``:         sum_c A_c racks[s,c] <= floor_area_s build[s]   foreach s   [m2]
"""

from __future__ import annotations

import pyomo.environ as pyo

from greendc.formulation.data import ModelData

IT_LOAD_FAMILIES = ("it_load_hosted", "it_capacity")


def add_it_load(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Node counts, compute requirement or given IT load, racks and floor space (see module
    docstring)."""
    S, C, K = d.sites, d.coolings, d.servers
    per_rack = d["nodes_per_rack"]
    max_nodes = d["max_nodes"]
    m.nodes = pyo.Var(m.S, m.C, m.K, domain=pyo.NonNegativeIntegers, doc="nodes installed [-]")
    for k_i, k in enumerate(K):
        for c_i, c in enumerate(C):
            if per_rack[k_i, c_i] == 0:
                for s in S:
                    m.nodes[s, c, k].fix(0)
            else:
                for s in S:
                    m.nodes[s, c, k].setub(float(max_nodes[k_i]))
    m.racks = pyo.Var(m.S, m.C, domain=pyo.NonNegativeReals, doc="racks [-]")
    power, peak, perf = d["node_power_mw"], d["node_peak_mw"], d["node_performance_pflops"]
    m.nodes_need_cooling = pyo.Constraint(
        m.S, m.C, m.K,
        rule=lambda m, s, c, k: pyo.Constraint.Skip if m.nodes[s, c, k].fixed
        else m.nodes[s, c, k] <= float(max_nodes[K.index(k)]) * m.cool[s, c],
        doc="nodes only under the chosen cooling [-]")
    if d.attrs["compute_basis"] == "it_load_mw":
        _given_it_load(m, d)
        return _add_racks(m, d)
    m.it_mw = pyo.Var(m.S, m.C, domain=pyo.NonNegativeReals,
                      bounds=lambda m, s, c: (0.0, node_sum_most(m, d, power, s, c)),
                      doc="IT power drawn [MW]")
    m.it_peak_mw = pyo.Var(m.S, m.C, domain=pyo.NonNegativeReals,
                           bounds=lambda m, s, c: (0.0, node_sum_most(m, d, peak, s, c)),
                           doc="IT peak power [MW]")
    m.it_power = pyo.Constraint(m.S, m.C, rule=lambda m, s, c:
        m.it_mw[s, c] == node_sum(m.nodes, d, power, s, c), doc="IT power of the nodes [MW]")
    m.it_peak_power = pyo.Constraint(m.S, m.C, rule=lambda m, s, c:
        m.it_peak_mw[s, c] == node_sum(m.nodes, d, peak, s, c),
        doc="IT peak power of the nodes [MW]")
    m.compute_requirement = pyo.Constraint(
        expr=sum(float(perf[i]) * m.nodes[s, c, k] for s in S for c in C
                 for i, k in enumerate(K)) >= float(d.attrs["required_pflops"]),
        doc="installed performance covers the requirement [PFLOP/s]")
    _add_racks(m, d)


def node_sum(nodes: pyo.Var, d: ModelData, per_node, s: str, c: str):
    """sum_k per_node[k] nodes[s, c, k] (``nodes`` or the flexible block's ``work_nodes``)."""
    return sum(float(per_node[i]) * nodes[s, c, k] for i, k in enumerate(d.servers))


def node_sum_most(m: pyo.ConcreteModel, d: ModelData, per_node, s: str, c: str) -> float:
    """sum_k per_node[k] M_kc: ``node_sum`` with every fitting type at its bound M_k (types
    fixed to 0 under c count 0); an upper bound of the IT columns [MW]."""
    return float(sum(float(per_node[i]) * (m.nodes[s, c, k].ub or 0.0)
                     for i, k in enumerate(d.servers) if not m.nodes[s, c, k].fixed))


def _add_racks(m: pyo.ConcreteModel, d: ModelData) -> None:
    """``rack_density`` and ``floor_space`` (see module docstring)."""
    S, C, K = d.sites, d.coolings, d.servers
    per_rack = d["nodes_per_rack"]
    density = d["max_rack_density_kw"]
    m.rack_density = pyo.Constraint(m.S, m.C, rule=lambda m, s, c: m.racks[s, c] >= (sum(
        m.nodes[s, c, k] / float(per_rack[i, C.index(c)])
        for i, k in enumerate(K) if per_rack[i, C.index(c)] > 0) if K
        else 1000.0 * m.it_peak_mw[s, c] / float(density[C.index(c)])),
        doc="racks hold the nodes (or the IT power) [-]")
    floor, area = d["floor_m2_per_rack"], d["floor_area_m2"]
    m.floor_space = pyo.Constraint(m.S, rule=lambda m, s: sum(
        float(floor[j]) * m.racks[s, c] for j, c in enumerate(C))
        <= float(area[S.index(s)]) * m.build[s], doc="white space used <= available [m2]")


def _given_it_load(m: pyo.ConcreteModel, d: ModelData) -> None:
    """A given IT load of peak L [MW] hosted under the chosen cooling; with a server type its
    count carries L (``it_capacity``)."""
    load = float(d.attrs["it_load_peak_mw"])
    m.it_mw = pyo.Var(m.S, m.C, domain=pyo.NonNegativeReals, bounds=(0.0, load),
                      doc="IT power at the load's peak [MW]")
    m.it_power = pyo.Constraint(m.S, m.C, rule=lambda m, s, c:
        m.it_mw[s, c] == load * m.cool[s, c], doc="the given IT power where hosted [MW]")
    m.it_load_hosted = pyo.Constraint(expr=sum(m.cool[s, c] for s in m.S for c in m.C) == 1,
                                      doc="the given IT load is hosted at one site [-]")
    peak = d["node_peak_mw"]
    m.it_peak_mw = pyo.Var(m.S, m.C, domain=pyo.NonNegativeReals, bounds=lambda m, s, c: (
        0.0, node_sum_most(m, d, peak, s, c) if d.servers else load), doc="IT peak power [MW]")
    m.it_peak_power = pyo.Constraint(m.S, m.C, rule=lambda m, s, c: m.it_peak_mw[s, c] == (
        node_sum(m.nodes, d, peak, s, c) if d.servers else m.it_mw[s, c]),
        doc="IT peak power of the installed nodes (or the given load) [MW]")
    if d.servers:
        m.it_capacity = pyo.Constraint(m.S, m.C, rule=lambda m, s, c:
                                       m.it_peak_mw[s, c] >= load * m.cool[s, c],
                                       doc="nodes carry the peak IT load [MW]")
