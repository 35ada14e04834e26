"""Explain an infeasible study in domain words.

1. Elastic mode: the limits a planner can move get a penalised slack (one per site and
   limit), and the model minimises the sum of relative violations:

   - ``grid_connection``:  ... <= conn_s build_s + slack_s            [MW]
   - ``floor_space``:      ... <= floor_s build_s + slack_s           [m2]
   - ``water_use``:        ... <= allowance_s + slack_s               [m3/yr]
   - ``cooling_climate_limit``: cool[s,c] <= 0 + slack_s  (chiller-less cooling where the
     weather exceeds its max_dry_bulb_c)                               [0/1]
   - ``emissions_cap``:    emissions <= cap + slack                   [tCO2e/yr]
   - ``compute_requirement``: performance >= required - slack         [PFLOP/s]
     (with a flexible load the work, ``work_requirement``, moves by the same slack)
   - ``cfe_target``:       clean - x load >= -slack                   [MWh/yr]
   - ``sovereignty_*``:    site gates and the hardware share, slack in their own units
   - ``backup_cover``, ``backup_energy`` (with continuity): backup power >= the load with
     its redundancy - slack_s [MW]; stored fuel + battery reserve >= the autonomy energy -
     slack_s [MWh_e] (e.g. a battery-only backup that needs more energy than the battery may
     hold)
   - ``grid_connection_queue``: build_s <= q_s + slack_s (a site whose connection comes after
     the commissioning year)                                           [0/1]

   penalty = sum slack / scale, scale = the limit's own value (so "+10 %" costs the same
   everywhere; a limit of 0, such as an operational emissions cap of 0, counts from 1 unit).
   Disabled options are candidates too: with ``options.battery: false`` the battery may be
   built in elastic mode at a penalty relative to its largest size (it costs the planner one
   switch). Non-zero slacks are reported as "site X: grid connection 40 MW < peak demand
   52.3 MW; raise grid_connection_mw by 12.3 MW".

   Lowering the compute requirement is the last resort, not a candidate like the others
   (else it always wins: "only 0 of 2,000 PFLOP/s" when the water allowance binds): the first
   elastic solve holds the requirement fixed; only when no movement of the other limits can
   host it is the requirement's slack released.
2. IIS: with the integer design of the elastic solution fixed, the LP of the original model is
   infeasible; HiGHS's irreducible infeasible subset names the conflicting rows, reported by
   constraint family and index.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import highspy
import pyomo.environ as pyo
from pyomo.common.errors import InfeasibleConstraintException
import xarray as xr

from greendc.checks import climate_exclusions
from greendc.solve import HighsModel, SolverSettings
from greendc.study import ModelSpec, Study

ELASTIC_FAMILIES = {
    # family: (group by, unit); the slack relaxes the row in whichever direction it binds
    "grid_connection": ("site", "MW"),
    "floor_space": ("site", "m2"),
    "water_use": ("site", "m3/yr"),
    "cooling_climate_limit": ("site", "climate limit"),
    "emissions_cap": (None, "tCO2e/yr"),
    "compute_requirement": (None, "PFLOP/s"),
    "cfe_target": (None, "MWh/yr"),
    "sovereignty_allowed_jurisdictions": ("site", "site gate"),
    "sovereignty_legal_exposure": ("site", "site gate"),
    "sovereignty_non_eu_ownership": ("site", "ownership share"),
    "sovereignty_non_eu_hardware": (None, "MW of non-EU IT"),
    "backup_cover": ("site", "MW"),
    "backup_energy": ("site", "MWh_e"),
    "grid_connection_queue": ("site", "site gate"),
}


@dataclass
class Diagnosis:
    causes: list[str] = field(default_factory=list)
    slacks: dict[str, float] = field(default_factory=dict)
    iis: list[str] = field(default_factory=list)
    seconds: float = 0.0
    status: str = ""
    horizon: str = ""

    def text(self) -> str:
        lines = ["Why the study is infeasible (limits that must move, elastic mode):"]
        if self.horizon:
            lines[0] = lines[0][:-2] + f", {self.horizon}):"
        lines += [f"  - {c}" for c in self.causes] or ["  (no single movable limit explains it)"]
        if self.iis:
            lines.append("Conflicting constraints (HiGHS IIS, LP with the design fixed):")
            lines += [f"  - {r}" for r in self.iis]
        return "\n".join(lines)


def _group(index, by: str | None):
    if by is None:
        return None
    return index[0] if isinstance(index, tuple) else index


def elasticize(m: pyo.ConcreteModel, inputs: xr.Dataset,
               lower_compute: bool = True) -> dict[str, tuple[pyo.Var, float]]:
    """Add slack variables to the elastic families of a built model (in place), and let a
    disabled battery be built at a penalty (family ``battery_disabled``: slack = battery
    energy [MWh] per site). ``lower_compute=False`` holds the compute requirement fixed.

    Returns {family: (slack Var, scale)}; the slacks are indexed by site or scalar."""
    added = {}
    scales = _scales(inputs)
    for family, (by, _unit) in ELASTIC_FAMILIES.items():
        con = getattr(m, family, None)
        if con is None or not con.active:
            continue
        groups = sorted({_group(i, by) for i in con.keys()}, key=str)
        slack = pyo.Var(groups if by else [None], domain=pyo.NonNegativeReals,
                        doc=f"elastic slack of {family}")
        m.add_component(f"elastic_{family}", slack)
        for index, data in con.items():
            s = slack[_group(index, by)]
            lower, body, upper = data.lower, data.body, data.upper
            if upper is not None:
                data.set_value((None, body - s, upper))
            else:
                data.set_value((lower, body + s, None))
        added[family] = (slack, scales.get(family, {}))
    if "compute_requirement" in added and not lower_compute:
        added["compute_requirement"][0].fix(0)
    if "compute_requirement" in added and hasattr(m, "work_requirement"):
        # a flexible load's work (formulation.flexible) is the requirement: it moves with it
        con, s = m.work_requirement, added["compute_requirement"][0][None]
        con.set_value((con.lower, con.body + s, con.upper))
    if not int(inputs.attrs.get("battery_enabled", 1)) and hasattr(m, "battery_mwh"):
        for v in (m.battery_mwh, m.battery_mw):
            v.unfix()
        # relative to the largest battery battery_at_built_site allows (24 h x connection)
        added["battery_disabled"] = (m.battery_mwh, {
            s: 24.0 * max(v, 1e-3) for s, v in scales["grid_connection"].items()})
        m.elastic_battery_power = pyo.Expression(expr=sum(
            m.battery_mw[s] / max(v, 1e-3) for s, v in scales["grid_connection"].items()))
    m.objective.deactivate()
    m.elastic_penalty = pyo.Objective(expr=sum(
        slack[g] / max(float(scale.get(g, 1.0)), 1e-9) for slack, scale in added.values()
        for g in slack.index_set()) + (m.elastic_battery_power if "battery_disabled" in added
                                       else 0))
    return added


def _scales(inputs: xr.Dataset) -> dict[str, dict]:
    sites = [str(s) for s in inputs.site.values]

    def per_site(var):
        return {s: float(v) for s, v in zip(sites, inputs[var].values)}

    return {
        "grid_connection": per_site("grid_connection_mw"),
        "floor_space": per_site("floor_area_m2"),
        "water_use": {s: max(v, 1.0) for s, v in per_site("water_allowance_m3_per_yr").items()},
        # lowering the requirement is the last resort: it is what the study is for
        "compute_requirement": {None: float(inputs.attrs.get("required_pflops", 10.0)) / 10.0},
        "cfe_target": {None: 1000.0},  # 1 GWh/yr of clean supply
        "backup_cover": per_site("grid_connection_mw"),
        # the autonomy energy at the connection's power
        "backup_energy": {s: max(v, 1e-3) * float(inputs.attrs.get("continuity_autonomy_h", 1.0))
                          for s, v in per_site("grid_connection_mw").items()},
        "emissions_cap": {None: max(float(inputs.attrs.get("emissions_cap_t_per_yr") or 0.0),
                                    1.0)},
    }


CRITICAL_HOURS = 168


def critical_window(inputs: xr.Dataset, hours: int = CRITICAL_HOURS) -> xr.Dataset:
    """The ``hours`` around the hour of highest PUE over all candidates (the facility peak
    that grid connections must carry), with step weights rescaled to a year. Annual per-MW
    figures (water, PPA energy) were computed on the full year and stay exact."""
    if inputs.sizes["time"] <= hours:
        return inputs
    peak = int(inputs["pue"].max(("site", "cooling")).argmax("time"))
    start = min(max(peak - hours // 2, 0), inputs.sizes["time"] - hours)
    cut = inputs.isel(time=slice(start, start + hours))
    cut["weight_h"] = cut["weight_h"] * (float(inputs["weight_h"].sum()) /
                                         float(cut["weight_h"].sum()))
    return cut


def explain(study: Study, time_limit_s: float = 120.0) -> Diagnosis:
    """Elastic solve + IIS; returns the explanation.

    A full-year study is diagnosed on its critical week (``critical_window``): the elastic
    MILP over every candidate at once is then small enough to solve in seconds, and peak
    limits are judged at the peak hour. Annual limits are judged on the week scaled to a
    year, which the explanation says."""
    start = time.perf_counter()
    spec = ModelSpec.of(study)
    inputs = critical_window(study.inputs)
    inputs.attrs["emissions_cap_t_per_yr"] = spec.cap_t_co2 or 0.0
    settings = SolverSettings(mip_rel_gap=1e-3, time_limit_s=time_limit_s)
    for lower_compute in (False, True):  # the requirement moves only as the last resort
        m = spec.build(inputs)
        added = elasticize(m, inputs, lower_compute=lower_compute)
        hm = HighsModel(m, settings)
        status = hm.solve()
        if status.has_solution or status.status not in ("infeasible", "unbounded"):
            break
    diag = Diagnosis(status=status.status)
    if inputs.sizes["time"] < study.inputs.sizes["time"]:
        t0, t1 = (str(inputs["time"].values[i])[:13] for i in (0, -1))
        diag.horizon = f"on the critical week {t0}h to {t1}h UTC, annual figures scaled"
    if not status.has_solution:
        diag.causes.append(f"the elastic model itself ended '{status.message}'")
        diag.seconds = time.perf_counter() - start
        return diag
    hm.load_solution()
    for family, (slack, _scale) in added.items():
        for g in slack.index_set():
            value = float(pyo.value(slack[g]))
            if value > 1e-6:
                diag.slacks[f"{family}[{g}]" if g is not None else family] = value
                diag.causes.append(describe(family, g, value, m, inputs, study))
    diag.iis = iis_with_design_fixed(spec, inputs, m)
    diag.seconds = time.perf_counter() - start
    return diag


def _num(x: float) -> str:
    """Readable number: thousands separators for large values, 4 significant digits else."""
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


def describe(family: str, site, slack: float, m, inputs: xr.Dataset, study: Study) -> str:
    """One sentence per violated limit, in planner's words."""
    sc = study.scenario

    def site_value(var):
        return float(inputs[var].sel(site=site))

    if family == "grid_connection":
        conn = site_value("grid_connection_mw")
        return (f"site {site}: grid connection {_num(conn)} MW < peak facility demand "
                f"{_num(conn + slack)} MW; raise grid_connection_mw by {_num(slack)} MW")
    if family == "grid_connection_queue":
        year = int(site_value("site_connection_year"))
        return (f"site {site}: its grid connection comes in {year}, after commissioning_year "
                f"{sc.commissioning_year}, yet it is needed to meet the study; commission in "
                f"{year} or later, or move the limits that exclude the other sites")
    if family == "floor_space":
        area = site_value("floor_area_m2")
        return (f"site {site}: floor area {_num(area)} m2 < {_num(area + slack)} m2 needed for the "
                f"racks; raise floor_area_m2 by {_num(slack)} m2 or choose denser cooling")
    if family == "water_use":
        water = site_value("water_allowance_m3_per_yr")
        return (f"site {site}: water allowance {_num(water)} m3/yr < {_num(water + slack)} m3/yr "
                f"used by the cooling; raise water_allowance_m3_per_yr by {_num(slack)} m3/yr "
                "or use dry cooling")
    if family == "cooling_climate_limit":
        lines = climate_exclusions(study.inputs, site) or [f"site {site}: a chiller-less cooling "
                                                      "exceeds its climate limit"]
        return "; ".join(lines) + "; choose a cooling with a chiller or raise max_dry_bulb_c"
    if family == "emissions_cap":
        cap = sc.emissions_cap_t_per_yr
        scope = "operational " if sc.emissions_scope == "operational" else ""
        return (f"{scope}emissions cap {_num(cap)} tCO2e/yr is below the lowest reachable "
                f"{_num(cap + slack)} tCO2e/yr; raise emissions_cap_t_per_yr by {_num(slack)} "
                "tCO2e/yr")
    if family == "battery_disabled":
        mw = float(pyo.value(m.battery_mw[site]))
        return (f"site {site}: options.battery = false, but the study needs a battery of "
                f"{_num(slack)} MWh / {_num(mw)} MW; set options.battery: true")
    if family == "compute_requirement":
        req = sc.compute.required_pflops
        return (f"only {_num(req - slack)} of the required {_num(req)} PFLOP/s can be hosted "
                "within the limits; lower compute.required_pflops or move the limits above")
    if family == "cfe_target":
        return (f"24/7 carbon-free target min_cfe_share = {sc.min_cfe_share:g} is short by "
                f"{_num(slack)} MWh/yr of hourly-matched clean electricity within the supply "
                "potential; lower min_cfe_share, raise supply_potential_mw or allow a battery")
    if family == "backup_cover":
        allowed = str(inputs.attrs.get("continuity_technologies", ""))
        return (f"site {site}: continuity.redundancy = {inputs.attrs['continuity_redundancy']} "
                f"needs {_num(slack)} MW more backup power than the allowed backup ({allowed}) "
                "can give (the battery's power is bounded by the grid connection, and each MW "
                "of it must hold the whole autonomy); allow a genset in continuity.technologies "
                "or lower continuity.autonomy_h")
    if family == "backup_energy":
        need = float(pyo.value(m.backup_need_mw[site]))
        hours = float(inputs.attrs["continuity_autonomy_h"])
        allowed = str(inputs.attrs.get("continuity_technologies", ""))
        return (f"site {site}: continuity.autonomy_h = {hours:g} h of the {_num(need)} MW peak "
                f"facility load needs backup energy the allowed backup ({allowed}) cannot "
                f"store: short by {_num(slack)} MWh_e (the battery may hold at most 24 h of the "
                "grid connection); allow a genset in continuity.technologies or lower "
                "continuity.autonomy_h")
    if family == "sovereignty_non_eu_hardware":
        return (f"max_non_eu_hardware_share = {sc.sovereignty.max_non_eu_hardware_share:g} cannot "
                f"be met: {slack:,.2f} MW of IT would have to come from EU vendors, and the "
                "catalogue's EU-origin servers cannot provide it")
    rule = {"sovereignty_allowed_jurisdictions": f"allowed_jurisdictions "
            f"{sc.sovereignty.allowed_jurisdictions}",
            "sovereignty_legal_exposure": f"exclude_legal_exposures "
            f"{sc.sovereignty.exclude_legal_exposures}",
            "sovereignty_non_eu_ownership": f"max_non_eu_ownership_share "
            f"{sc.sovereignty.max_non_eu_ownership_share:g}"}[family]
    return f"site {site}: excluded by sovereignty rule {rule}; it is needed to meet the study"


def iis_with_design_fixed(spec: ModelSpec, inputs: xr.Dataset, elastic_model) -> list[str]:
    """IIS of the LP of the original model with the elastic solution's integers fixed."""
    m = spec.build(inputs)
    for var in elastic_model.component_objects(pyo.Var):
        if var.local_name.startswith("elastic_"):
            continue
        mine = getattr(m, var.local_name)
        for index, data in var.items():
            if data.is_integer() or data.is_binary():
                value = data.value
                if value is not None:
                    mine[index].fix(round(value))
    try:
        hm = HighsModel(m, SolverSettings())
    except InfeasibleConstraintException as exc:  # a row infeasible by itself once fixed
        return [f"{str(exc).split(chr(39))[1]}: infeasible on its own with the design fixed"]
    h = hm.highs
    h.setOptionValue("iis_strategy", int(highspy.IisStrategy.kIisStrategyIrreducible))
    status = hm.solve()
    if status.status != "infeasible":
        return []
    code, iis = h.getIis()
    if not iis.valid_:
        return []
    rows = []
    for r in iis.row_index_:
        con = hm.rows[r].constraint
        rows.append(con.name)
    return _compress(rows)


def _compress(names: list[str], show: int = 3) -> list[str]:
    """Group row names by family: 'grid_connection[fr-essonne,12] (+8759 more rows)'."""
    families: dict[str, list[str]] = {}
    for n in names:
        families.setdefault(n.split("[")[0], []).append(n)
    out = []
    for fam, rows in families.items():
        shown = ", ".join(rows[:show])
        more = f" (+{len(rows) - show} more rows)" if len(rows) > show else ""
        out.append(f"{fam}: {shown}{more}")
    return out


__all__ = ["Diagnosis", "explain", "elasticize"]
