"""Flexible training load: an inference share that runs every hour and a training share whose
energy per period is fixed while its hourly power moves (``compute.flexibility``; off by
default, and then nothing here is built and the IT power stays u[t] it_mw[s,c]).

Training is deferrable, inference is not. Without this block the installed nodes draw their
utilised power P_k = idle_k + util (peak_k - idle_k) all year. With it, the IT power splits
into the nodes' idle power (always drawn) and the dynamic power of the WORK, which the
requirement sets, not the installed nodes: the model may install more nodes than the work
needs (more peak for the same work) and run them harder in cheap or clean hours, so it
chooses the utilisation by sizing servers above the work's average.

Parameters: f [-] training share; H [h] period length (24 day, 168 week; periods are
consecutive windows of H hours of step duration from the horizon's first step, a cut
horizon's last partial period holds what it holds, typical days are one period each);
phi [-] floor share; r [-/h] largest IT-power change per hour as a share of the installed IT
peak (optional); kappa [-] curtailable share; c_cur [EUR/MWh] value of lost training per MWh of
IT energy not drawn; idle_k, peak_k [MW per node], util [-] (``compute.utilisation_share``),
perf_k [PFLOP/s per node]; u[t] [-] = ``it_load_share``; dt_t [h] step duration; w_t [h of the
year] annual weight; a_p = sum_{t in p} w_t / sum_{t in p} dt_t [-] how many times the year
holds period p (1 on a full year, 8760/hours on a cut horizon, the days a typical day stands
for); E_p^0[s,c] = f sum_{t in p} dt_t u[t] work_mw[s,c] [MWh] the period's training energy.

Sets: ``FLEX`` = (site, cooling) pairs that can host IT (cooling allowed by the site's climate
and, with server types, at least one compatible type); ``P`` = periods.

Variables
- ``work_nodes[s, c, k]`` >= 0, DESIGN (compute basis ``required_pflops`` only): node-
  equivalents of work, continuous (a share of a node's time), fixed to 0 where the type does
  not fit the cooling.
- ``train_mw[s, c, t]`` >= 0, OPERATION, (s, c) in FLEX: training power drawn in step t [MW].
- ``curtailed_mwh[s, c, p]`` >= 0, OPERATION (only when kappa > 0): training energy of period p
  dropped [MWh per period].
- ``idle_mw[s, c]`` in [0, sum_k idle_k M_kc], DESIGN (``required_pflops``): idle IT power of
  the installed nodes [MW] (given load: the expression 0, its power is all work).
- ``work_mw[s, c]`` in [0, sum_k util (peak_k - idle_k) M_kc], DESIGN (``required_pflops``):
  dynamic power of the work at u = 1 [MW] (given load ``compute.it_load_mw``: the expression
  it_mw[s,c] = L cool[s,c], the load is the work). Both are columns with one defining row
  (``idle_power``, ``work_power``), so the hourly rows below hold one term each instead of one
  per server type (M_kc as in ``formulation.servers``).

Expressions
- ``it_hour_mw[s, c, t]`` = idle_mw + (1 - f) u[t] work_mw + train_mw [MW]: the hourly IT
  power, which replaces u[t] it_mw[s,c] in ``facility_mw`` (cooling.py) and
  ``heat_recoverable`` (heat.py). Water use keeps u[t] it_mw (the nodes at their utilised
  power all year: an upper bound of the flexible IT energy, since work_nodes <= nodes).
- ``cost_training_curtailed_eur`` = sum_{s,c,p} a_p c_cur curtailed_mwh[s,c,p] [EUR/yr]
  (in ``cost_definition``; 0 when kappa = 0)

Constraints
- ``idle_power``:  idle_mw[s,c] = sum_k idle_k nodes[s,c,k]                 foreach s, c   [MW]
- ``work_power``:  work_mw[s,c] = sum_k util (peak_k - idle_k) work_nodes[s,c,k]
                                                                          foreach s, c   [MW]
  (both ``required_pflops`` only)
- ``work_within_nodes``:  work_nodes[s,c,k] <= nodes[s,c,k]                foreach s, c, k
- ``work_requirement``:   sum_{s,c,k} perf_k work_nodes[s,c,k] = required PFLOP/s
  (an equality: the requirement sets the work; with ">=" extra work would pay as a heater
  wherever heat sells above its electricity. ``compute_requirement`` stays on the installed
  nodes, implied by these two)
- ``training_energy``:    sum_{t in p} dt_t train_mw[s,c,t] + curtailed_mwh[s,c,p] = E_p^0[s,c]
                                                                 foreach (s,c) in FLEX, p [MWh]
- ``training_floor``:     train_mw[s,c,t] >= phi f u[t] work_mw[s,c]   foreach FLEX, t (phi > 0)
  (the unshifted training power; with u = 1, the required_pflops basis, its period average)
- ``training_peak``:      it_hour_mw[s,c,t] <= it_peak_mw[s,c]          foreach FLEX, t   [MW]
  (every installed node at full load)
- ``training_ramp``:      +-(it_hour_mw[s,c,t] - it_hour_mw[s,c,t-1]) <= r dt_{t-1} it_peak_mw[s,c]
  foreach FLEX, t >= 1 and both signs (r given; not across typical days, which are not
  consecutive in time)
- ``training_curtailment``: curtailed_mwh[s,c,p] <= kappa E_p^0[s,c]   foreach FLEX, p (kappa > 0)
  (the floor still holds on a curtailed period, so at most 1 - phi of it can be dropped)

Always feasible with ``required_pflops`` (train_mw = f work_mw, flat, meets every family).
With the block on, installed nodes beyond the work draw only their idle power: even at f = 0
the energy is that of the work (``work_requirement``), not of every installed node at the
utilisation, so the on model can be slightly cheaper than the off one when the requirement is
not a whole number of nodes (e.g. 20,000.8 PFLOP/s installed for 20,000 of work). Compare
flexible cases with each other, or with f = 0 on, to isolate the effect of shifting.
With a given load (``compute.it_load_mw``) following the profile is feasible too: the floor
follows u[t], and ``greendc.inputs`` refuses a ramp limit the profile itself breaks.

Reported (``greendc.results``): hourly IT power ``it_power_mw`` and ``training_mw``, shifted
energy = sum_{s,c,t} w_t max(0, train_mw - f u[t] work_mw) [MWh/yr] (training energy moved
above the unshifted, inference-like profile: what moved away from the other hours, with
curtailment taken off them), curtailed energy sum a_p curtailed_mwh [MWh/yr], installed and
work PFLOP/s and the mean utilisation of the installed nodes.
"""

from __future__ import annotations

import math

import numpy as np
import pyomo.environ as pyo

from greendc.formulation.data import ModelData
from greendc.formulation.servers import node_sum, node_sum_most

FLEXIBLE_FAMILIES = ("idle_power", "work_power", "work_within_nodes", "work_requirement", "training_energy",
                     "training_floor", "training_peak", "training_ramp", "training_curtailment")


def flexible_on(d: ModelData) -> bool:
    return "flex_training_share" in d.attrs


def hourly_it(m: pyo.ConcreteModel, d: ModelData):
    """The hourly IT power of (s, c) in step t as (coefficient, term) [-, MW]: u[t] and
    it_mw[s,c] without this block, 1 and it_hour_mw[s,c,t] with it. Callers multiply the
    coefficient into their own float, so the off model's coefficients are today's exactly."""
    if hasattr(m, "it_hour_mw"):
        return lambda s, c, t: (1.0, m.it_hour_mw[s, c, t])
    share = d["it_load_share"]
    return lambda s, c, t: (share[t], m.it_mw[s, c])


def periods(d: ModelData) -> np.ndarray:
    """Period index of each step: windows of ``flex_period_h`` hours of step duration from the
    first step; each typical day is its own period."""
    if "typical_days" in d.attrs:
        return np.arange(d.hours) // 24
    start = np.cumsum(d.step_h) - d.step_h
    return np.floor(start / float(d.attrs["flex_period_h"]) + 1e-9).astype(int)


def period_weights(d: ModelData) -> dict[int, float]:
    """a_p = sum_{t in p} w_t / sum_{t in p} dt_t [-]: how many times the year holds period p
    (annual value of a per-period energy)."""
    p_of = periods(d)
    return {int(p): float(d.weight_h[p_of == p].sum() / d.step_h[p_of == p].sum())
            for p in np.unique(p_of)}


def add_flexible_load(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Work, training power and its period energy (see module docstring); nothing when off."""
    if not flexible_on(d):
        return
    at = d.attrs
    f = float(at["flex_training_share"])
    S, C, K, T = d.sites, d.coolings, d.servers, range(d.hours)
    per_rack, climate = d["nodes_per_rack"], d["climate_limit_hours"]
    m.FLEX = pyo.Set(dimen=2, initialize=[
        (s, c) for i, s in enumerate(S) for j, c in enumerate(C)
        if climate[i, j] == 0 and (not K or per_rack[:, j].any())], doc="(site, cooling) hosts IT")
    p_of = periods(d)
    m.P = pyo.Set(initialize=sorted(set(p_of.tolist())), doc="training periods")
    steps = {p: [t for t in T if p_of[t] == p] for p in m.P}
    _add_work(m, d)
    share, dt = d["it_load_share"], d.step_h
    m.train_mw = pyo.Var(m.FLEX, m.T, domain=pyo.NonNegativeReals, doc="training power [MW]")
    m.it_hour_mw = pyo.Expression(m.S, m.C, m.T, rule=lambda m, s, c, t:
        m.idle_mw[s, c] + float((1.0 - f) * share[t]) * m.work_mw[s, c]
        + (m.train_mw[s, c, t] if (s, c) in m.FLEX else 0.0), doc="hourly IT power [MW]")
    demand = {(s, c, p): float(f * sum(dt[t] * share[t] for t in steps[p])) * m.work_mw[s, c]
              for (s, c) in m.FLEX for p in m.P}
    kappa = float(at["flex_curtailable_share"])
    if kappa > 0:
        m.curtailed_mwh = pyo.Var(m.FLEX, m.P, domain=pyo.NonNegativeReals,
                                  doc="training energy dropped [MWh per period]")
    dropped = (lambda s, c, p: m.curtailed_mwh[s, c, p]) if kappa > 0 else (lambda s, c, p: 0.0)
    m.training_energy = pyo.Constraint(m.FLEX, m.P, rule=lambda m, s, c, p: sum(
        float(dt[t]) * m.train_mw[s, c, t] for t in steps[p]) + dropped(s, c, p)
        == demand[s, c, p], doc="training energy of the period [MWh]")
    floor = float(at["flex_floor_share"])
    if floor > 0:
        m.training_floor = pyo.Constraint(m.FLEX, m.T, rule=lambda m, s, c, t:
            m.train_mw[s, c, t] >= float(floor * f * share[t]) * m.work_mw[s, c],
            doc="training power >= floor x its unshifted power [MW]")
    m.training_peak = pyo.Constraint(m.FLEX, m.T, rule=lambda m, s, c, t:
        m.it_hour_mw[s, c, t] <= m.it_peak_mw[s, c], doc="IT power <= installed peak [MW]")
    _add_ramp(m, d)
    if kappa > 0:
        m.training_curtailment = pyo.Constraint(m.FLEX, m.P, rule=lambda m, s, c, p:
            m.curtailed_mwh[s, c, p] <= kappa * demand[s, c, p],
            doc="dropped training <= curtailable share of the period's [MWh]")
    cost = float(at["flex_curtailment_cost_eur_per_mwh"])
    a_p = period_weights(d)
    m.cost_training_curtailed_eur = pyo.Expression(expr=sum(
        a_p[p] * cost * m.curtailed_mwh[s, c, p] for (s, c) in m.FLEX for p in m.P)
        if kappa > 0 else 0.0, doc="value of training dropped [EUR/yr]")


def _add_work(m: pyo.ConcreteModel, d: ModelData) -> None:
    """``idle_mw`` and ``work_mw`` [MW]; with servers sized by the requirement the DESIGN
    variables ``work_nodes`` and their two families."""
    S, C, K = d.sites, d.coolings, d.servers
    if d.attrs["compute_basis"] == "it_load_mw":  # the given power is all work
        m.idle_mw = pyo.Expression(m.S, m.C, rule=lambda m, s, c: 0.0, doc="idle IT [MW]")
        m.work_mw = pyo.Expression(m.S, m.C, rule=lambda m, s, c: m.it_mw[s, c],
                                   doc="IT power of the work at u = 1 [MW]")
        return
    idle, power, perf = d["node_idle_mw"], d["node_power_mw"], d["node_performance_pflops"]
    dynamic = power - idle
    m.work_nodes = pyo.Var(m.S, m.C, m.K, domain=pyo.NonNegativeReals,
                           doc="node-equivalents of work [-]")
    for key in m.nodes:
        if m.nodes[key].fixed:
            m.work_nodes[key].fix(0)
    m.idle_mw = pyo.Var(m.S, m.C, domain=pyo.NonNegativeReals, bounds=lambda m, s, c: (
        0.0, node_sum_most(m, d, idle, s, c)), doc="idle IT power [MW]")
    m.work_mw = pyo.Var(m.S, m.C, domain=pyo.NonNegativeReals, bounds=lambda m, s, c: (
        0.0, node_sum_most(m, d, dynamic, s, c)), doc="dynamic IT power of the work [MW]")
    m.idle_power = pyo.Constraint(m.S, m.C, rule=lambda m, s, c:
        m.idle_mw[s, c] == node_sum(m.nodes, d, idle, s, c), doc="idle power of the nodes [MW]")
    m.work_power = pyo.Constraint(m.S, m.C, rule=lambda m, s, c:
        m.work_mw[s, c] == node_sum(m.work_nodes, d, dynamic, s, c),
        doc="dynamic power of the work [MW]")
    m.work_within_nodes = pyo.Constraint(m.S, m.C, m.K, rule=lambda m, s, c, k:
        pyo.Constraint.Skip if m.work_nodes[s, c, k].fixed
        else m.work_nodes[s, c, k] <= m.nodes[s, c, k], doc="work on installed nodes [-]")
    m.work_requirement = pyo.Constraint(expr=sum(
        float(perf[i]) * m.work_nodes[s, c, k] for s in S for c in C for i, k in enumerate(K))
        == float(d.attrs["required_pflops"]), doc="the work is the requirement [PFLOP/s]")


def _add_ramp(m: pyo.ConcreteModel, d: ModelData) -> None:
    """``training_ramp`` when ``flex_max_ramp_share_per_h`` is set (not across typical days)."""
    r = float(d.attrs["flex_max_ramp_share_per_h"])
    if math.isnan(r):
        return
    dt, typical = d.step_h, "typical_days" in d.attrs
    steps = [t for t in range(1, d.hours) if not (typical and t % 24 == 0)]
    m.RAMP_SIGN = pyo.Set(initialize=[1, -1], doc="ramp up (+1) and down (-1)")
    m.training_ramp = pyo.Constraint(m.FLEX, steps, m.RAMP_SIGN, rule=lambda m, s, c, t, g:
        g * (m.it_hour_mw[s, c, t] - m.it_hour_mw[s, c, t - 1])
        <= float(r * dt[t - 1]) * m.it_peak_mw[s, c], doc="IT power change per step [MW]")
