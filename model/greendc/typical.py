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
2. **Design** on the typical inputs, by the scenario's strategy (decomposition by default).
3. **Re-evaluation** (``reevaluate``): the design's capacities are fixed (site, cooling, node
   counts, supply MW, battery MWh and MW, heat-pump MW, district-heating connection) and the
   hourly dispatch LP is solved over the full 8,760 hours. The returned results are the
   full-resolution ones; attributes report both objectives and the aggregation error
   ``typical_aggregation_error_pct = 100 (typical - full) / |full|``.
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
from greendc.results import extract_results
from greendc.solve import HighsModel

log = logging.getLogger(__name__)
HOURS_PER_DAY = 24
DAYS_PER_YEAR = 365
INSTALL_HINT = "pip install 'greendc[typical]'  (or: pip install 'tsam>=2.3')"
RESULT_OBJECTIVE = {"cost": "cost_eur_per_yr", "emissions": "emissions_t_per_yr",
                    "operational": "operational_t_per_yr"}
# Design variables fixed in the re-evaluation: results name -> model component.
DESIGN = {"build": "build", "cooling_chosen": "cool", "nodes": "nodes", "supply_mw": "supply_mw",
          "battery_mwh": "battery_mwh", "battery_mw": "battery_mw",
          "heat_pump_mw_th": "heat_pump_mw_th", "dh_connect": "dh_connect"}
INTEGER_DESIGN = {"build", "cooling_chosen", "nodes", "dh_connect"}


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
    out["period_of_day"] = ("day", period_of_day.astype(np.int64))
    out["period_of_day"].attrs.update(units="1", long_name="typical day of each original day")
    out = out.assign_coords(day=np.arange(len(period_of_day)))
    out.attrs.update(typical_days=int(len(representative)),
                     typical_representative_days=json.dumps(representative.tolist()),
                     typical_aggregation_seconds=round(time.perf_counter() - start, 3))
    return out


# --------------------------------------------------------------------------- re-evaluation
def design_of(results: xr.Dataset) -> dict[str, xr.DataArray]:
    """The capacities to fix, from a results Dataset (integers rounded)."""
    out = {}
    for name in DESIGN:
        da = results[name]
        out[name] = da.round() if name in INTEGER_DESIGN else da
    return out


def fix_design(m, inputs: xr.Dataset, design: dict[str, xr.DataArray]) -> None:
    """Fix the design variables of a built model to the given capacities."""
    for name, comp_name in DESIGN.items():
        comp, values = getattr(m, comp_name), design[name]
        for key in comp:
            labels = key if isinstance(key, tuple) else (key,)
            value = float(values.sel(dict(zip(values.dims, labels))))
            if comp[key].is_integer() or comp[key].is_binary():
                value = float(round(value))
            else:
                value = max(value, 0.0)
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
        full_resolution_objective=full_obj,
        typical_aggregation_error_pct=100.0 * (typical_obj - full_obj) / max(abs(full_obj), 1e-9),
        solver_seconds=round(float(attrs.get("solver_seconds", 0.0)) + seconds, 3),
    )
    res.attrs = attrs
    return res
