"""Typical-days mode: design on N representative days, re-evaluate hour by hour.

Scenario: ``horizon: {typical_days: N}`` (needs the optional extra ``typical``: tsam).

1. **Aggregation** (``aggregate_inputs``). Every time-varying variable of the full-year inputs
   Dataset (grid price and cost, surplus sale price, carbon intensity, CFE share, capacity
   factors, PUE and WUE per cooling, heat demand, air and network temperatures, heat-pump COP
   ...) of *all* candidate sites is cut into 365 days of 24 h and clustered jointly by tsam
   (hierarchical clustering, deterministic), each variable with the weight of
   ``FEATURE_WEIGHTS`` whatever the number of its columns (sites, coolings, techs). Each cluster is represented by its medoid: a real day, so the
   series stay mutually consistent (PUE, COP and prices of the same day). With N >= 4 the day
   with the highest relative peak PUE (the hardest day for the grid connection) is taken out
   of its cluster and kept as its own typical day ("peak day"), so N = (N - 1 clusters) + 1.
   The typical inputs have N x 24 hours, ``weight_h`` = number of original days the hour's
   typical day stands for (sum 8760 h), ``period_of_day[day]`` = typical day of each of the
   365 original days (storage linking, ``greendc.formulation.storage``). Annual sums computed by
   ``prepare_inputs`` from the full year (water per MW of IT, PPA energy per MW) are kept
   exact, not re-aggregated.
   **Energy consistency** (``rescale_energy``): a medoid day carries its own energy, not its
   cluster's (Madrid's wind medoids deliver 0.60 of the year's wind energy, yet PPA energy is
   paid on the full year). The series that carry energy, ``ENERGY_SERIES`` (capacity factors:
   the energy a contracted or owned MW delivers; district-heating demand: the heat that can be
   sold; a given IT-load profile's ``it_load_share``: the IT energy), are rescaled per typical day so that its weighted energy equals that of the days
   it stands for, each value capped at the series' full-year maximum (capacity factor <= 1,
   the real peak demand), and the annual weighted sum of every column equals the full year's
   exactly. Rates stay the medoid day's real values: PUE, WUE and heat-pump COP follow that
   day's weather (scaling them would break their physics: PUE >= 1, the peak-PUE day sizes the
   connection), and prices, carbon intensity and the grid's carbon-free share are rates
   applied to an energy the model chooses; keeping a real day keeps them mutually
   consistent.
2. **Design** on the typical inputs, by the scenario's strategy (decomposition by default).
3. **Re-evaluation** (``reevaluate``): the design's capacities are fixed (site, cooling, node
   counts, supply MW, battery MWh and MW, heat-pump MW, district-heating connection, the
   flexible load's work node-equivalents when ``compute.flexibility`` is on, and with
   continuity the backup units, stored fuel and battery backup power) and the
   hourly dispatch LP is solved over the full 8,760 hours. The returned results are the
   full-resolution ones; attributes report both objectives and the aggregation error
   ``typical_aggregation_error_pct = 100 (typical - full) / |full|``, and
   ``typical_estimate_vs_full`` (JSON): cost, emissions, grid energy, solar/wind energy
   delivered and heat sold as the typical days estimated them vs hour by hour, each with its
   error [%]. ``design_deviation`` compares a typical-days design with a full-resolution one
   (capacities: PPA MW per technology, battery MWh and MW, heat pump MW_th; cost and
   emissions), as the benchmark does.
"""

from __future__ import annotations

import json
import logging
import time
import warnings

import numpy as np
import xarray as xr

from greendc.errors import MissingExtraError
from greendc.problem import Solved, second_stage
from greendc.formulation import PEAK_SIZED_COMPONENTS
from greendc.results import INTEGER_VARS, extract_results
from greendc.solve import HighsModel

log = logging.getLogger(__name__)
HOURS_PER_DAY = 24
DAYS_PER_YEAR = 365
INSTALL_HINT = "pip install 'greendc[typical]'  (or: pip install 'tsam>=2.3')"
RESULT_OBJECTIVE = {"cost": "cost_eur_per_yr", "emissions": "emissions_t_per_yr",
                    "operational": "operational_t_per_yr"}
# Design variables fixed in the re-evaluation: results name -> model component.
# Opt-in blocks' design variables (OPTIONAL_DESIGN: the flexible load's work_nodes, the
# continuity block's backup_units, backup_fuel_mwh, battery_backup_mw) exist only when the
# scenario switches the block on; absent from the results or the model, they are skipped.
DESIGN = {"build": "build", "cooling_chosen": "cool", "nodes": "nodes", "supply_mw": "supply_mw",
          "battery_mwh": "battery_mwh", "battery_mw": "battery_mw",
          "heat_pump_mw_th": "heat_pump_mw_th", "dh_connect": "dh_connect",
          "work_nodes": "work_nodes",
          "backup_units": "backup_units", "backup_fuel_mwh": "backup_fuel_mwh",
          "battery_backup_mw": "battery_backup_mw", "connection_mw": "connection_mw"}
OPTIONAL_DESIGN = {"work_nodes", "backup_units", "backup_fuel_mwh", "battery_backup_mw",
                   "connection_mw"}
# Capacities the hourly peak decides: kept as a lower bound, not fixed, when a design is
# re-evaluated on other hours (full year after typical days, another data year): the
# contracted connection cannot shrink, but it must carry the real hours' peak, and a larger
# contract is paid for (else a typical-day design would be infeasible in the peak hour).
LOWER_BOUND_DESIGN = set(PEAK_SIZED_COMPONENTS)
INTEGER_DESIGN = set(INTEGER_VARS)  # counts and 0/1 choices are rounded before fixing
# Hourly series that carry energy [per MW contracted, MW_th]: rescaled to the energy of the
# days each typical day represents (module docstring, "Energy consistency").
ENERGY_SERIES = ("capacity_factor", "heat_demand_mw", "it_load_share")


def require_tsam():
    """The tsam aggregation module, or a ``MissingExtraError`` naming the pip command."""
    try:
        with warnings.catch_warnings():  # tsam 2.3 sets a pandas option deprecated in pandas 3
            warnings.simplefilter("ignore")
            import tsam.timeseriesaggregation as tsa
    except ImportError as exc:
        raise MissingExtraError(
            "typical_days needs the optional package tsam (time series aggregation), which "
            f"is not installed: {INSTALL_HINT}; or drop horizon.typical_days to solve every "
            "hour") from exc
    return tsa


# Clustering weight of each time-varying input variable, shared by its columns (sites,
# coolings, techs). Cost drivers weigh most; series that only restate another (the spot price
# inside the grid cost, temperatures behind PUE and COP) weigh little. Unlisted: 1.
FEATURE_WEIGHTS = {
    "capacity_factor": 2.0, "grid_cost_eur_per_mwh": 1.5, "grid_price_eur_per_mwh": 0.0,
    "pue": 1.0, "grid_ci_g_per_kwh": 1.0, "grid_cfe_share": 0.5,
    "surplus_sale_price_eur_per_mwh": 0.5, "heat_demand_mw": 0.5, "heat_pump_cop": 0.5,
    "wue_l_per_kwh": 0.25, "air_temperature_c": 0.0, "dh_supply_temperature_c": 0.0,
    "cooling_offload_kw_per_kw_th": 0.0, "cooling_offload_water_l_per_kwh_th": 0.0,
}


def _features(inputs: xr.Dataset) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Columns (one per series, 8760 values) of every time-varying variable, and weights:
    ``FEATURE_WEIGHTS[variable]`` shared equally by the variable's columns. Constant
    columns are dropped."""
    columns, weights = {}, {}
    for name, da in inputs.data_vars.items():
        if "time" not in da.dims or name == "weight_h" or da.dtype.kind not in "fiub":
            continue
        if FEATURE_WEIGHTS.get(name, 1.0) <= 0:
            continue
        values = da.transpose(..., "time").values.reshape(-1, da.sizes["time"]).astype(float)
        keep = [row for row in values if np.nanstd(row) > 1e-9 * max(1.0, np.nanmax(np.abs(row)))]
        for j, row in enumerate(keep):
            columns[f"{name}#{j}"] = row
            weights[f"{name}#{j}"] = FEATURE_WEIGHTS.get(name, 1.0) / len(keep)
    return columns, weights


def _peak_day(inputs: xr.Dataset) -> int:
    """Day of the highest PUE relative to its annual mean, over all sites and coolings."""
    pue = inputs["pue"].transpose(..., "time").values.reshape(-1, inputs.sizes["time"])
    relative = pue / np.maximum(pue.mean(axis=1, keepdims=True), 1e-9)
    return int(np.argmax(relative.max(axis=0)) // HOURS_PER_DAY)


def cluster_days(inputs: xr.Dataset, n_days: int, peak_day: bool | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """(representative original day of each typical day, typical day of each original day).

    Typical days are sorted by their representative day, so the time axis stays increasing."""
    tsa = require_tsam()
    import pandas as pd

    hours = inputs.sizes["time"]
    if hours % HOURS_PER_DAY:
        raise ValueError(f"typical days need whole days of 24 h, got {hours} h")
    n_orig = hours // HOURS_PER_DAY  # 365 for a study; any whole number of days works
    if not 2 <= n_days <= n_orig:
        raise ValueError(f"typical_days must be within 2..{n_orig}, got {n_days}")
    if n_days == n_orig:
        days = np.arange(n_orig)
        return days, days.copy()
    peak_day = n_days >= 4 if peak_day is None else peak_day
    columns, weights = _features(inputs)
    if not columns:  # nothing varies: any day is every day
        return np.arange(n_days), np.minimum(np.arange(n_orig), n_days - 1)
    frame = pd.DataFrame(columns)
    clusters = n_days - 1 if peak_day else n_days
    with warnings.catch_warnings():  # tsam 2.3 uses pandas options deprecated in pandas 3
        warnings.simplefilter("ignore")
        agg = tsa.TimeSeriesAggregation(
            frame, noTypicalPeriods=clusters, hoursPerPeriod=HOURS_PER_DAY, resolution=1.0,
            clusterMethod="hierarchical", representationMethod="medoidRepresentation",
            weightDict=weights, sortValues=False, rescaleClusterPeriods=False)
        agg.createTypicalPeriods()
    order = np.asarray(agg.clusterOrder, dtype=int)
    medoids = np.asarray([int(x) for x in agg.clusterCenterIndices], dtype=int)
    if peak_day:
        day = _peak_day(inputs)
        if day not in set(medoids.tolist()):
            medoids = np.append(medoids, day)
            order[day] = len(medoids) - 1
        else:  # the peak day already represents a cluster: split the largest cluster instead
            medoids, order = _split_largest(frame, order, medoids)
    # renumber typical days by their representative day (chronological time axis)
    rank = np.argsort(medoids, kind="stable")
    new_index = np.empty_like(rank)
    new_index[rank] = np.arange(len(rank))
    return medoids[rank], new_index[order]


def _split_largest(frame, order: np.ndarray, medoids: np.ndarray):
    """Keep N typical days when the peak day was a medoid already: the member of the largest
    cluster farthest from its medoid becomes its own typical day (deterministic)."""
    sizes = np.bincount(order, minlength=len(medoids))
    k = int(np.argmax(sizes))
    data = frame.to_numpy()
    scale = np.maximum(data.std(axis=0), 1e-9)
    daily = (data / scale).reshape(len(order), HOURS_PER_DAY, -1).reshape(len(order), -1)
    members = np.flatnonzero(order == k)
    far = members[int(np.argmax(((daily[members] - daily[medoids[k]]) ** 2).sum(axis=1)))]
    medoids = np.append(medoids, far)
    order = order.copy()
    order[far] = len(medoids) - 1
    return medoids, order


def aggregate_inputs(inputs: xr.Dataset, n_days: int, peak_day: bool | None = None
                     ) -> xr.Dataset:
    """Typical-day inputs of a full-year inputs Dataset (see module docstring)."""
    start = time.perf_counter()
    representative, period_of_day = cluster_days(inputs, n_days, peak_day)
    counts = np.bincount(period_of_day, minlength=len(representative)).astype(float)
    idx = (representative[:, None] * HOURS_PER_DAY + np.arange(HOURS_PER_DAY)).ravel()
    out = inputs.isel(time=idx)
    hourly_weight = inputs["weight_h"].values[idx]
    out["weight_h"] = ("time", np.repeat(counts, HOURS_PER_DAY) * hourly_weight)
    out["weight_h"].attrs.update(units="h", long_name="hours of the year each modelled hour "
                                 "stands for (days represented by its typical day)")
    rescale_energy(out, inputs, idx, period_of_day)
    out["period_of_day"] = ("day", period_of_day.astype(np.int64))
    out["period_of_day"].attrs.update(units="1", long_name="typical day of each original day")
    out = out.assign_coords(day=np.arange(len(period_of_day)))
    out.attrs.update(typical_days=int(len(representative)),
                     typical_representative_days=json.dumps(representative.tolist()),
                     typical_aggregation_seconds=round(time.perf_counter() - start, 3))
    return out


def rescale_energy(out: xr.Dataset, inputs: xr.Dataset, idx: np.ndarray,
                   period_of_day: np.ndarray) -> None:
    """Rescale ``ENERGY_SERIES`` of the typical inputs ``out`` (hours ``idx`` of ``inputs``,
    weights ``out.weight_h``) in place: per typical day to its cluster's energy, then per
    column to the full year's weighted sum (exact; this step only moves energy that a day
    could not take, e.g. a windless medoid or values at their cap)."""
    n_typ = len(idx) // HOURS_PER_DAY
    full_w = inputs["weight_h"].values.reshape(-1, HOURS_PER_DAY)  # (original day, hour)
    typ_w = out["weight_h"].values.reshape(n_typ, HOURS_PER_DAY)
    for name in ENERGY_SERIES:
        if name not in out:
            continue
        da = inputs[name].transpose(..., "time")
        full = da.values.reshape(-1, da.sizes["time"]).astype(float)
        if full.size and np.ptp(full) == 0:  # constant (it_load_share of 1): nothing to move
            continue
        typ = full[:, idx].copy()
        for col, (x, y) in enumerate(zip(full, typ)):
            cap, days = float(x.max(initial=0.0)), x.reshape(-1, HOURS_PER_DAY)
            per_day = y.reshape(n_typ, HOURS_PER_DAY)
            for k in range(n_typ):
                target = float((days[period_of_day == k] * full_w[period_of_day == k]).sum())
                per_day[k] = _scale_to(per_day[k], typ_w[k], target, cap)
            typ[col] = _scale_to(per_day.ravel(), typ_w.ravel(), float((x * full_w.ravel()).sum()),
                                 cap)
        out[name] = (da.dims, typ.reshape(da.shape[:-1] + (len(idx),)), inputs[name].attrs)


def _scale_to(x: np.ndarray, w: np.ndarray, target: float, cap: float) -> np.ndarray:
    """Non-negative ``x`` scaled so that sum(w x) = target, no value above ``cap``: scale the
    uncapped values, cap those above, repeat (at most len(x) rounds, each caps one more).
    Left as it is when nothing can carry the energy (all zero, or target above w x cap)."""
    y = x.astype(float).copy()
    capped = np.zeros(len(y), bool)
    if target <= 0 or (w * cap).sum() < target * (1 - 1e-12):
        return y if target > 0 else np.zeros_like(y)
    for _ in range(len(y) + 1):
        have = float((w[~capped] * y[~capped]).sum())
        if have <= 0:
            return x.astype(float).copy()
        y[~capped] *= (target - float((w[capped] * cap).sum())) / have
        over = ~capped & (y > cap)
        if not over.any():
            return y
        y[over], capped = cap, capped | over
    return y


# --------------------------------------------------------------------------- deviations
def _pct(a: float, b: float) -> float:
    """100 (a - b) / |b| [%]; 0 when both are 0, NaN when only b is."""
    if abs(b) > 1e-12:
        return 100.0 * (a - b) / abs(b)
    return 0.0 if abs(a) <= 1e-12 else float("nan")


def _annual(res: xr.Dataset, weight_h: np.ndarray) -> dict[str, float]:
    """Annual figures of a results Dataset whose hours weigh ``weight_h`` [h]."""
    def energy(name):
        return float((res[name].values * weight_h).sum())
    return {"cost_eur_per_yr": float(res["cost_eur_per_yr"]),
            "emissions_t_per_yr": float(res["emissions_t_per_yr"]),
            "grid_energy_mwh_per_yr": energy("grid_import_mw"),
            "supply_energy_mwh_per_yr": energy("supply_output_mw"),
            "supply_used_mwh_per_yr": energy("supply_output_mw") - energy("surplus_mw"),
            "heat_sold_mwh_per_yr": energy("heat_export_mw_th")}


def estimate_vs_full(typical_res: xr.Dataset, typical_weight_h: np.ndarray,
                     full_res: xr.Dataset, full_weight_h: np.ndarray) -> dict[str, dict]:
    """What the typical days estimated for a design vs the same design hour by hour:
    {figure: {"typical", "full", "error_pct"}} for cost [EUR/yr], emissions [tCO2e/yr],
    grid energy, solar/wind energy delivered and used, heat sold [MWh/yr]."""
    est, full = _annual(typical_res, typical_weight_h), _annual(full_res, full_weight_h)
    return {k: {"typical": est[k], "full": full[k], "error_pct": _pct(est[k], full[k])}
            for k in est}


def design_deviation(typical: xr.Dataset, full: xr.Dataset) -> dict[str, dict]:
    """Design of a typical-days study (re-evaluated results) vs the full-resolution optimum:
    {item: {"typical", "full", "difference", "difference_pct"}} for the PPA capacity of each
    technology [MW], battery energy [MWh] and power [MW], heat pump [MW_th], and cost
    [EUR/yr] and emissions [tCO2e/yr] hour by hour."""
    items = {f"supply_{r}_mw": ("supply_mw", str(r)) for r in full.tech.values}
    items.update(battery_mwh=("battery_mwh", None), battery_mw=("battery_mw", None),
                 heat_pump_mw_th=("heat_pump_mw_th", None),
                 cost_eur_per_yr=("cost_eur_per_yr", None),
                 emissions_t_per_yr=("emissions_t_per_yr", None))
    out = {}
    for key, (name, tech) in items.items():
        a, b = (float((ds[name].sel(tech=tech) if tech else ds[name]).sum()) for ds in (typical, full))
        out[key] = {"typical": a, "full": b, "difference": a - b, "difference_pct": _pct(a, b)}
    return out


# --------------------------------------------------------------------------- re-evaluation
def design_of(results: xr.Dataset) -> dict[str, xr.DataArray]:
    """The capacities to fix, from a results Dataset (integers rounded)."""
    out = {}
    for name in DESIGN:
        if name in OPTIONAL_DESIGN and name not in results:
            continue
        da = results[name]
        out[name] = da.round() if name in INTEGER_DESIGN else da
    return out


def fix_design(m, inputs: xr.Dataset, design: dict[str, xr.DataArray]) -> None:
    """Fix the design variables of a built model to the given capacities (those of
    ``LOWER_BOUND_DESIGN`` only from below)."""
    for name, comp_name in DESIGN.items():
        if name in OPTIONAL_DESIGN and (name not in design or not hasattr(m, comp_name)):
            continue
        comp, values = getattr(m, comp_name), design[name]
        for key in comp:
            labels = key if isinstance(key, tuple) else (key,)
            value = float(values.sel(dict(zip(values.dims, labels))))
            if comp[key].is_integer() or comp[key].is_binary():
                value = float(round(value))
            else:
                value = max(value, 0.0)
            if name in LOWER_BOUND_DESIGN:
                comp[key].setlb(value)
            else:
                comp[key].fix(value)


def reevaluate(spec, full_inputs: xr.Dataset, results: xr.Dataset):
    """Solve the hourly dispatch LP of a fixed design over the full inputs.

    Returns (``greendc.problem.Solved``, seconds). Only the built sites and their chosen cooling
    are modelled (the other candidates' variables would be fixed to zero anyway)."""
    start = time.perf_counter()
    design = design_of(results)
    built = [str(s) for s in results.site.values if float(design["build"].sel(site=s)) > 0.5]
    chosen = [str(c) for c in results.cooling.values
              if float(design["cooling_chosen"].sel(site=built, cooling=c).sum()) > 0.5]
    sub = full_inputs.sel(site=built, cooling=chosen)
    design = {k: v.sel({d: sub[d].values for d in v.dims if d in ("site", "cooling")})
              for k, v in design.items()}
    m = spec.build(sub)
    fix_design(m, sub, design)
    hm = HighsModel(m, spec.settings)
    build_seconds = time.perf_counter() - start
    status = hm.solve()
    if status.has_solution and spec.second_stage:
        status = second_stage(m, hm, status, spec)
    res = None
    if status.has_solution:
        hm.load_solution()
        res = extract_results(m, sub)
    solved = Solved(status=status, results=res, build_seconds=build_seconds,
                    columns=len(hm.columns), rows=len(hm.rows), integer_columns=0)
    return solved, time.perf_counter() - start


def reevaluate_study(study, spec, typical_res: xr.Dataset) -> xr.Dataset:
    """Full-resolution results of the typical-days design of a study, with both objectives.

    If the fixed design cannot run every hour of the year (e.g. a peak the typical days
    missed), the typical-days results are returned with ``typical_full_resolution_status``
    saying so."""
    full_inputs = study.full_inputs
    log.info("re-evaluate the typical-days design hour by hour")
    solved, seconds = reevaluate(spec, full_inputs, typical_res)
    key = RESULT_OBJECTIVE[spec.objective]
    typical_obj = float(typical_res[key])
    attrs = dict(typical_res.attrs)
    attrs.update(
        typical_days=int(study.inputs.attrs["typical_days"]),
        typical_representative_days=study.inputs.attrs["typical_representative_days"],
        typical_days_objective=typical_obj,
        typical_objective_name=key,
        typical_reevaluation_seconds=round(seconds, 3),
        typical_full_resolution_status=solved.status.status,
    )
    if solved.results is None:
        log.warning("the typical-days design is infeasible at full hourly resolution (%s)",
                    solved.status.message)
        out = typical_res.copy()
        attrs.update(full_resolution_objective=float("nan"),
                     typical_aggregation_error_pct=float("nan"))
        out.attrs = attrs
        return out
    res = solved.results.reindex(site=full_inputs.site, cooling=full_inputs.cooling,
                                 fill_value=0.0)
    extra = [v for v in typical_res.data_vars
             if v.startswith("candidate_") and "time" not in typical_res[v].dims]
    if extra:
        res = res.merge(typical_res[extra])
    res["candidate_pue"] = full_inputs["pue"].astype("float32")
    res["candidate_pue"].attrs.update(units="1", long_name="hourly PUE of every candidate "
                                      "site and cooling technology")
    full_obj = float(res[key])
    attrs.update(
        horizon=res.attrs["horizon"],  # the figures are now those of the full year
        full_resolution_objective=full_obj,
        typical_aggregation_error_pct=100.0 * (typical_obj - full_obj) / max(abs(full_obj), 1e-9),
        typical_estimate_vs_full=json.dumps(estimate_vs_full(
            typical_res, study.inputs["weight_h"].values, res, full_inputs["weight_h"].values)),
        solver_seconds=round(float(attrs.get("solver_seconds", 0.0)) + seconds, 3),
    )
    res.attrs = attrs
    return res
