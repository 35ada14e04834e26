"""Battery: energy and power sized separately, hourly charge/discharge, cyclic state of charge.

Parameters: eta_c, eta_d [-] charge and discharge efficiencies, dt_t [h] duration of step t
(``dt_h``: 1 h for hourly data, also on a cut horizon; never the annual weight w_t, which
only scales annual sums),
M_E_s = 24 h x conn_s [MWh], M_P_s = conn_s [MW] (size bounds at a built site).

Variables
- ``battery_mwh[s]``, ``battery_mw[s]`` >= 0: energy [MWh] and power [MW] rating.
- ``battery_charge_mw[s,t]``, ``battery_discharge_mw[s,t]`` >= 0 [MW]; ``battery_soc_mwh[s,t]`` >= 0.
- ``battery_reserve_mwh[s]`` >= 0: energy held for backup (supply continuity, defined in
  ``formulation.continuity``), never used for arbitrage; FIXED at 0 unless the battery may
  serve as UPS (``continuity_battery``), so a fixed constant the solver never sees.

Constraints (chronological hours: full year or a cut horizon)
- ``battery_soc``:  soc[s,t] = soc[s,t-1] + dt_t (eta_c charge[s,t] - discharge[s,t] / eta_d)
                    foreach s, t, with t-1 of the first hour = the last hour (cyclic year)
- ``battery_charge_power``:    charge[s,t] <= battery_mw[s]
- ``battery_discharge_power``: discharge[s,t] <= battery_mw[s]
- ``battery_energy``:          soc[s,t] <= battery_mwh[s] - battery_reserve_mwh[s]
- ``battery_at_built_site``:   battery_mwh[s] <= M_E_s build[s];  battery_mw[s] <= M_P_s build[s]
- ``battery_one_direction`` (hours N, binary ``battery_charging[s,t]``):
  charge[s,t] <= M_P_s charging[s,t];  discharge[s,t] <= M_P_s (1 - charging[s,t])
  foreach (s,t) in N = every hour of a site with at least one negative all-in grid price
  (``grid_cost_eur_per_mwh`` < 0); N is empty for the reference tariffs.
  Why: charging x and discharging eta_c eta_d x in the same hour leaves the state of charge
  unchanged and raises the import by (1 - eta_c eta_d) x: the losses are a sink. Energy at a
  site is worth >= 0 when no grid price is negative (surplus is spilled for free, a CFE
  target and emissions only lose from extra import), so burning never pays and the LP needs
  no binary. Once an hour has a negative price, energy bought then could be burned in ANY
  later hour (charge more at -p, cycle it away later), so the site's every hour must choose
  one direction. The losses alone do not prevent it: they are what is being sold.

Typical days (``greendc.typical``; the inputs carry ``period_of_day[day]``)
--------------------------------------------------------------------------
The hours are P typical days of H = 24 one-hour steps, t = p H + h, and w_t is the number of
original days that typical day p stands for. Each of the D = 365 original days i is
represented by typical day k(i) = ``period_of_day[i]``. Storage is linked across periods as
in Kotzur et al. (2018), "Time series aggregation for energy system design: modeling seasonal
storage", Applied Energy 213, 123-135 (no self-discharge, so their decay factors are 1):

- ``battery_soc`` (intra-day): soc[s,pH+h] = soc[s,pH+h-1] + dt_t (eta_c charge - discharge / eta_d)
  (dt_t = 1 h), with soc[s,pH-1] := 0, so ``battery_soc_mwh`` is *free*: the change of
  the state of charge since the start of the typical day [MWh].
- ``battery_soc_day`` (inter-day chain over the original days, cyclic):
  E[s,(i+1) mod D] = E[s,i] + soc[s, k(i)H + H-1]                      foreach s, i
  ``battery_soc_day_mwh`` E[s,i] >= 0 is the state of charge at the start of original day i.
- ``battery_soc_envelope``: soc_min[s,p] <= soc[s,t] <= soc_max[s,p] foreach t of p, with
  ``battery_soc_max_mwh`` >= 0 and ``battery_soc_min_mwh`` <= 0 (the start value 0 counts).
- ``battery_energy``: E[s,i] + soc_max[s,k(i)] <= battery_mwh[s] - battery_reserve_mwh[s] and
  ``battery_soc_nonnegative``: E[s,i] + soc_min[s,k(i)] >= 0          foreach s, i
  The state of charge in hour h of original day i is E[s,i] + soc[s,k(i)H+h]; both rows are
  exact (not approximate) SOC bounds for every one of the 8,760 original hours.
Power rows are unchanged. A study in typical-days mode returns the full-resolution
re-evaluation of its design (``greendc.typical``), whose ``battery_soc_mwh`` is the real
hourly state of charge.
"""

from __future__ import annotations

import pyomo.environ as pyo

from greendc.formulation.data import ModelData

HOURS_PER_PERIOD = 24


def add_battery(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Battery sizing and hourly operation (see module docstring)."""
    S, T = d.sites, d.hours
    dt = d.step_h
    eta_c = float(d.attrs["battery_charge_efficiency"])
    eta_d = float(d.attrs["battery_discharge_efficiency"])
    conn = d["grid_connection_mw"]
    typical = "period_of_day" in d.arrays
    m.battery_mwh = pyo.Var(m.S, domain=pyo.NonNegativeReals, doc="battery energy [MWh]")
    m.battery_mw = pyo.Var(m.S, domain=pyo.NonNegativeReals, doc="battery power [MW]")
    m.battery_charge_mw = pyo.Var(m.S, m.T, domain=pyo.NonNegativeReals, doc="charge [MW]")
    m.battery_discharge_mw = pyo.Var(m.S, m.T, domain=pyo.NonNegativeReals, doc="discharge [MW]")
    m.battery_soc_mwh = pyo.Var(
        m.S, m.T, domain=pyo.Reals if typical else pyo.NonNegativeReals,
        doc="state of charge change since the start of the typical day [MWh]" if typical
        else "state of charge [MWh]")
    m.battery_reserve_mwh = pyo.Var(m.S, domain=pyo.NonNegativeReals,
                                    doc="battery energy reserved for backup [MWh]")
    if not int(d.attrs["battery_enabled"]):
        for v in (m.battery_mwh, m.battery_mw):
            v.fix(0)
    if not int(d.attrs.get("continuity_battery", 0)):
        m.battery_reserve_mwh.fix(0)
    if typical:
        _add_typical_soc(m, d, eta_c, eta_d)
    else:
        m.battery_soc = pyo.Constraint(m.S, m.T, rule=lambda m, s, t:
            m.battery_soc_mwh[s, t] == m.battery_soc_mwh[s, (t - 1) % T]
            + float(dt[t]) * (eta_c * m.battery_charge_mw[s, t] - m.battery_discharge_mw[s, t] / eta_d),
            doc="state-of-charge balance, cyclic over the horizon [MWh]")
    m.battery_charge_power = pyo.Constraint(m.S, m.T, rule=lambda m, s, t:
        m.battery_charge_mw[s, t] <= m.battery_mw[s], doc="charge <= power rating [MW]")
    m.battery_discharge_power = pyo.Constraint(m.S, m.T, rule=lambda m, s, t:
        m.battery_discharge_mw[s, t] <= m.battery_mw[s], doc="discharge <= power rating [MW]")
    if typical:
        _add_typical_energy(m, d)
    else:
        m.battery_energy = pyo.Constraint(m.S, m.T, rule=lambda m, s, t:
            m.battery_soc_mwh[s, t] <= m.battery_mwh[s] - m.battery_reserve_mwh[s],
            doc="state of charge <= energy not reserved for backup [MWh]")
    _add_one_direction(m, d)
    m.battery_at_built_site = pyo.Constraint(m.S, [0, 1], rule=lambda m, s, i:
        (m.battery_mwh[s] if i == 0 else m.battery_mw[s])
        <= float(conn[S.index(s)]) * (24.0 if i == 0 else 1.0) * m.build[s],
        doc="battery only at a built site, bounded by the connection [MWh | MW]")


def _add_one_direction(m: pyo.ConcreteModel, d: ModelData) -> None:
    """``battery_one_direction`` at sites with a negative all-in grid price (docstring)."""
    price, conn = d["grid_cost_eur_per_mwh"], d["grid_connection_mw"]
    negative = [(s, t) for i, s in enumerate(d.sites) if (price[i] < 0).any()
                for t in range(d.hours)]
    m.NEG = pyo.Set(initialize=negative, dimen=2,
                    doc="hours of the sites with a negative grid price somewhere")
    m.battery_charging = pyo.Var(m.NEG, domain=pyo.Binary, doc="battery charges, not discharges")
    m.battery_one_direction = pyo.Constraint(m.NEG, [0, 1], rule=lambda m, s, t, j:
        m.battery_charge_mw[s, t] <= float(conn[d.sites.index(s)]) * m.battery_charging[s, t]
        if j == 0 else m.battery_discharge_mw[s, t]
        <= float(conn[d.sites.index(s)]) * (1 - m.battery_charging[s, t]),
        doc="no charging and discharging in the same hour [MW]")


def _add_typical_soc(m: pyo.ConcreteModel, d: ModelData, eta_c: float, eta_d: float) -> None:
    """Intra-day SOC change per typical day and the inter-day SOC chain (module docstring)."""
    H = HOURS_PER_PERIOD
    if d.hours % H:
        raise ValueError(f"typical-day inputs need whole days of {H} h, got {d.hours} h")
    order = [int(k) for k in d["period_of_day"]]
    P, D, dt = d.hours // H, len(order), d.step_h
    m.P = pyo.RangeSet(0, P - 1, doc="typical days")
    m.D = pyo.RangeSet(0, D - 1, doc="original days of the year")
    m.battery_soc_day_mwh = pyo.Var(m.S, m.D, domain=pyo.NonNegativeReals,
                                    doc="state of charge at the start of each original day [MWh]")
    m.battery_soc_max_mwh = pyo.Var(m.S, m.P, domain=pyo.NonNegativeReals,
                                    doc="highest intra-day SOC change of a typical day [MWh]")
    m.battery_soc_min_mwh = pyo.Var(m.S, m.P, domain=pyo.NonPositiveReals,
                                    doc="lowest intra-day SOC change of a typical day [MWh]")
    m.battery_soc = pyo.Constraint(m.S, m.T, rule=lambda m, s, t:
        m.battery_soc_mwh[s, t] == (m.battery_soc_mwh[s, t - 1] if t % H else 0.0)
        + float(dt[t]) * (eta_c * m.battery_charge_mw[s, t] - m.battery_discharge_mw[s, t] / eta_d),
        doc="intra-day state-of-charge change of a typical day [MWh]")
    m.battery_soc_day = pyo.Constraint(m.S, m.D, rule=lambda m, s, i:
        m.battery_soc_day_mwh[s, (i + 1) % D]
        == m.battery_soc_day_mwh[s, i] + m.battery_soc_mwh[s, order[i] * H + H - 1],
        doc="state of charge chained over the original days, cyclic [MWh]")
    m.battery_soc_envelope = pyo.Constraint(m.S, m.T, [0, 1], rule=lambda m, s, t, j:
        m.battery_soc_mwh[s, t] <= m.battery_soc_max_mwh[s, t // H] if j == 0
        else m.battery_soc_mwh[s, t] >= m.battery_soc_min_mwh[s, t // H],
        doc="intra-day SOC change within the typical day's envelope [MWh]")


def _add_typical_energy(m: pyo.ConcreteModel, d: ModelData) -> None:
    """Exact SOC bounds for every original hour: start-of-day SOC plus the envelope."""
    order = [int(k) for k in d["period_of_day"]]
    m.battery_energy = pyo.Constraint(m.S, m.D, rule=lambda m, s, i:
        m.battery_soc_day_mwh[s, i] + m.battery_soc_max_mwh[s, order[i]]
        <= m.battery_mwh[s] - m.battery_reserve_mwh[s],
        doc="state of charge <= energy not reserved for backup, every original hour [MWh]")
    m.battery_soc_nonnegative = pyo.Constraint(m.S, m.D, rule=lambda m, s, i:
        m.battery_soc_day_mwh[s, i] + m.battery_soc_min_mwh[s, order[i]] >= 0,
        doc="state of charge >= 0 in every original hour [MWh]")
