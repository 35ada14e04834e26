"""Solution -> results ``xarray.Dataset`` (design, hourly dispatch, KPIs, solver, provenance).

Names carry units (``grid_import_mw``, ``cost_eur_per_yr``...) and every variable has
``attrs["units"]``; an annual figure always ends in ``_per_yr``. Saved as one unit
(``greendc.atomic.folder``): ``results.nc`` + ``csv/`` + ``summary.json`` (+
``scenario.resolved.yaml`` when the scenario is given).

Every annual figure is ``sum_t weight_h[t] x_t`` over the modelled horizon: the results say
which one (``horizon``: hours, start and end [UTC], step weight [h], typical days or full
year, data year per site) in ``attrs["horizon"]`` (a JSON string: netCDF attributes are flat),
decoded into ``summary.json`` and written in the CLI table, the report and ``csv/kpis.csv``.

File conventions: hourly CSV times are ISO 8601 with their offset (``+00:00``, all greendc
series are UTC); counts (nodes, build and cooling choices, district-heating connection) are
integers; no ``-0.0`` anywhere (solver zeros are normalised when the results are extracted).
"""

from __future__ import annotations

import json
import pathlib
from importlib import metadata
from typing import Any

import numpy as np
import pyomo.environ as pyo
import xarray as xr

from greendc import atomic

HOURS_PER_YEAR = 8760
# netCDF attributes of a results Dataset that carry JSON (decoded in ``summary``)
JSON_ATTRS = ("data_years", "horizon", "package_versions", "catalogue_sources")
# provenance attributes every results Dataset inherits from its inputs
INPUT_ATTRS = ("scenario", "scenario_hash", "data_years")
INTEGER_VARS = ("build", "cooling_chosen", "nodes", "dh_connect",  # counts and 0/1 choices
                "backup_units")
# files that describe a results.nc (reports, robustness of its design, a front saved with it):
# a new results.nc replaces them, so ``save_results`` never leaves them from earlier results
DERIVED_FILES = ("report.html", "report.md", "figures", "robustness.csv", "robustness.json",
                 "front.nc", "front.csv")

COST_ITEMS = {
    "site": "cost_site_eur", "servers": "cost_servers_eur",
    "cooling_and_facility": "cost_cooling_facility_eur", "solar_wind_supply": "cost_supply_eur",
    "battery": "cost_battery_eur", "heat_plant": "cost_heat_plant_eur", "grid_energy": "cost_grid_eur",
    "ppa_network": "cost_ppa_network_eur",
    "surplus_revenue": "revenue_surplus_eur", "heat_revenue": "revenue_heat_eur",
    "carbon_price": "cost_carbon_eur",
}
# cost items of opt-in blocks, reported only when the block was built
OPTIONAL_COST_ITEMS = {"training_curtailed": "cost_training_curtailed_eur",
                       "backup": "cost_backup_eur",
                       "grid_connection": "cost_connection_eur"}
PACKAGES = ("greendc", "pyomo", "highspy", "numpy", "pandas", "xarray", "pydantic")


def _v(x: Any) -> float:
    """Value of a Pyomo term; ``+ 0.0`` turns the solver's ``-0.0`` into ``0.0``."""
    value = pyo.value(x, exception=False)
    return 0.0 if value is None else float(value) + 0.0


def _grid(m, var, *index_sets) -> np.ndarray:
    shape = [len(s) for s in index_sets]
    out = np.zeros(shape)
    for pos in np.ndindex(*shape):
        key = tuple(list(s)[p] for s, p in zip(index_sets, pos))
        out[pos] = _v(var[key if len(key) > 1 else key[0]])
    return out


def _hourly(m, var, sites, hours) -> np.ndarray:
    return np.array([[_v(var[s, t]) for t in range(hours)] for s in sites])


def extract_results(m: pyo.ConcreteModel, inputs: xr.Dataset) -> xr.Dataset:
    """Collect the solved model into a Dataset on the inputs' coordinates."""
    S, C, K, R = (list(map(str, inputs[d].values)) for d in ("site", "cooling", "server", "tech"))
    T = inputs.sizes["time"]
    ds = xr.Dataset(coords={d: inputs[d] for d in ("site", "cooling", "server", "tech", "time")})
    w = inputs["weight_h"].values

    def put(name, dims, values, units, long_name):
        ds[name] = (dims, values)
        ds[name].attrs.update(units=units, long_name=long_name)

    put("build", ("site",), _grid(m, m.build, S), "1", "site built")
    put("cooling_chosen", ("site", "cooling"), _grid(m, m.cool, S, C), "1", "cooling technology chosen")
    put("nodes", ("site", "cooling", "server"), _grid(m, m.nodes, S, C, K), "1", "nodes installed")
    put("racks", ("site", "cooling"), _grid(m, m.racks, S, C), "1", "racks")
    it = _grid(m, m.it_mw, S, C)
    put("it_mw", ("site",), it.sum(axis=1), "MW", "IT power drawn")
    put("it_peak_mw", ("site",), _grid(m, m.it_peak_mw, S, C).sum(axis=1), "MW", "IT peak power")
    put("supply_mw", ("site", "tech"), _grid(m, m.supply_mw, S, R), "MW", "solar/wind contracted")
    put("battery_mwh", ("site",), _grid(m, m.battery_mwh, S), "MWh", "battery energy")
    put("battery_mw", ("site",), _grid(m, m.battery_mw, S), "MW", "battery power")
    put("heat_pump_mw_th", ("site",), _grid(m, m.heat_pump_mw_th, S), "MW_th", "heat pump size")
    put("dh_connect", ("site",), _grid(m, m.dh_connect, S), "1", "district-heating connection")

    hourly = {
        "grid_import_mw": (m.grid_mw, "MW", "grid import"),
        "supply_output_mw": (m.supply_output_mw, "MW", "solar/wind output"),
        "surplus_mw": (m.surplus_mw, "MW", "solar/wind output not used on site"),
        "battery_charge_mw": (m.battery_charge_mw, "MW", "battery charge"),
        "battery_discharge_mw": (m.battery_discharge_mw, "MW", "battery discharge"),
        "battery_soc_mwh": (m.battery_soc_mwh, "MWh", "battery state of charge"),
        "facility_mw": (m.facility_mw, "MW", "facility demand (IT x PUE)"),
        "heat_pump_elec_mw": (m.heat_pump_elec_mw, "MW", "heat-pump electricity"),
        "clean_supply_mw": (m.clean_supply_mw, "MW", "carbon-free electricity consumed (24/7)"),
        "cooling_offload_mw": (m.cooling_offload_mw, "MW",
                               "cooling electricity saved by heat recovery"),
    }
    for name, (var, units, long_name) in hourly.items():
        put(name, ("site", "time"), _hourly(m, var, S, T), units, long_name)
    heat = np.zeros((len(S), T))
    for (s, c) in m.HEAT:
        heat[S.index(s)] += [_v(m.heat_mw_th[s, c, t]) for t in range(T)]
    put("heat_export_mw_th", ("site", "time"), heat, "MW_th", "heat delivered to the network")
    sale = inputs["surplus_sale_price_eur_per_mwh"].values > 0
    put("surplus_sale_mw", ("site", "time"), ds["surplus_mw"].values * sale, "MW", "surplus sold")
    put("spill_mw", ("site", "time"), ds["surplus_mw"].values * ~sale, "MW", "surplus curtailed")
    chosen = ds["cooling_chosen"].values
    put("pue", ("site", "time"), np.einsum("sc,sct->st", chosen, inputs["pue"].values), "1",
        "hourly PUE of the chosen cooling")
    if hasattr(m, "it_hour_mw"):
        _add_flexible(ds, m, inputs, w)
    _add_kpis(ds, m, inputs, w)
    if hasattr(m, "backup_units"):
        _add_continuity(ds, m, inputs)
    _add_connection(ds, m, inputs)
    for name in ds.data_vars:  # products like 0 x (-1) give -0.0 too
        if ds[name].dtype.kind == "f":
            ds[name].values += 0.0
    ds.attrs.update({k: inputs.attrs[k] for k in INPUT_ATTRS if k in inputs.attrs})
    ds.attrs["horizon"] = json.dumps(horizon_of(inputs))
    return ds


def _add_continuity(ds: xr.Dataset, m, inputs: xr.Dataset) -> None:
    """Backup design and its cost and emissions (``formulation.continuity``), only when the
    scenario sets ``continuity``: per site and genset technology (dim ``backup``) units and
    MW, stored fuel [MWh_e]; per site the load backed up, the battery's backup power and
    reserved energy and the reserved share of the battery; annual backup cost and test-run
    emissions."""
    S, G = list(map(str, inputs["site"].values)), list(map(str, inputs["backup"].values))
    ds.coords["backup"] = inputs["backup"]

    def put(name, dims, values, units, long_name):
        ds[name] = (dims, values)
        ds[name].attrs.update(units=units, long_name=long_name)

    put("backup_units", ("site", "backup"), _grid(m, m.backup_units, S, G), "1",
        "backup gensets installed")
    put("backup_mw", ("site", "backup"), _grid(m, m.backup_mw, S, G), "MW",
        "backup genset capacity")
    put("backup_fuel_mwh", ("site", "backup"), _grid(m, m.backup_fuel_mwh, S, G), "MWh_e",
        "fuel stored on site, as electricity")
    put("backup_need_mw", ("site",), _grid(m, m.backup_need_mw, S), "MW",
        "peak facility load backed up (IT peak x peak PUE)")
    put("battery_backup_mw", ("site",), _grid(m, m.battery_backup_mw, S), "MW",
        "battery power committed to backup")
    reserve = _grid(m, m.battery_reserve_mwh, S)
    put("battery_reserve_mwh", ("site",), reserve, "MWh", "battery energy reserved for backup")
    size = ds["battery_mwh"].values
    put("battery_reserve_share", ("site",), np.divide(reserve, size, out=np.zeros_like(reserve),
                                                      where=size > 1e-9), "1",
        "share of the battery energy reserved for backup")
    # cost_backup_eur_per_yr is an OPTIONAL_COST_ITEMS line (_add_kpis)
    ds["backup_test_t_per_yr"] = ((), _v(m.backup_test_t_co2))
    ds["backup_test_t_per_yr"].attrs.update(
        units="tCO2e/yr", long_name="emissions of the backup test runs (part of operational)")
    ds.attrs.update(continuity_autonomy_h=inputs.attrs["continuity_autonomy_h"],
                    continuity_redundancy=inputs.attrs["continuity_redundancy"],
                    continuity_unit_mw=inputs.attrs["continuity_unit_mw"])


def continuity_summary(ds: xr.Dataset) -> dict[str, Any] | None:
    """The ``continuity`` entry of ``summary`` (None without continuity)."""
    if "backup_mw" not in ds:
        return None
    reserve, size = float(ds["battery_reserve_mwh"].sum()), float(ds["battery_mwh"].sum())
    return {
        "autonomy_h": float(ds.attrs["continuity_autonomy_h"]),
        "redundancy": str(ds.attrs["continuity_redundancy"]),
        "unit_mw": float(ds.attrs["continuity_unit_mw"]),
        "need_mw": float(ds["backup_need_mw"].sum()),
        "backup_mw": {str(g): float(ds["backup_mw"].sel(backup=g).sum())
                      for g in ds["backup"].values},
        "battery_backup_mw": float(ds["battery_backup_mw"].sum()),
        "battery_reserve_mwh": reserve,
        "battery_reserve_share": reserve / size if size > 1e-9 else 0.0,
        "cost_eur_per_yr": float(ds["cost_backup_eur_per_yr"].values) + 0.0,
        "test_emissions_t_per_yr": float(ds["backup_test_t_per_yr"].values) + 0.0,
    }


def horizon_of(inputs: xr.Dataset) -> dict[str, Any]:
    """Which hours the annual figures of ``inputs`` come from.

    ``hours`` modelled [h] (sum of the step durations ``dt_h``), ``steps`` their number;
    ``start``/``end`` [ISO 8601, UTC] of a consecutive horizon
    (None on typical days); ``start_hour`` hour of the year of the first step;
    ``full_year`` (8760 consecutive hours); ``typical_days`` (N representative days, None
    for hourly); ``step_weight_h`` [h of the year one step stands for] when uniform (None on
    typical days, where it is the number of days a typical day represents x 1 h);
    ``data_years`` {site: grid data year of its file}."""
    times = inputs["time"].values
    steps = int(len(times))
    dt = inputs["dt_h"].values if "dt_h" in inputs else np.ones(steps)
    hours = float(dt.sum())
    hours = int(hours) if hours == int(hours) else hours
    typical = inputs.attrs.get("typical_days")
    weight = inputs["weight_h"].values if "weight_h" in inputs else np.full(
        steps, HOURS_PER_YEAR / max(steps, 1))
    uniform = bool(np.allclose(weight, weight[0])) if steps else True
    start = end = start_hour = None
    if typical is None and steps and np.issubdtype(times.dtype, np.datetime64):
        first = np.datetime64(times[0], "h")
        start = _iso_utc(first)
        end = _iso_utc(np.datetime64(times[-1], "s")
                       + np.timedelta64(int(round(float(dt[-1]) * 3600)), "s"))
        year_start = np.datetime64(str(first.astype("datetime64[Y]")), "h")
        start_hour = int((first - year_start) / np.timedelta64(1, "h"))
    years = inputs.attrs.get("data_years")
    return {
        "hours": hours, "steps": steps, "start": start, "end": end, "start_hour": start_hour,
        "full_year": typical is None and hours == HOURS_PER_YEAR,
        "typical_days": None if typical is None else int(typical),
        "step_weight_h": float(weight[0]) if uniform and steps else None,
        "data_years": json.loads(years) if isinstance(years, str) else years,
    }


def _iso_utc(t: np.datetime64) -> str:
    return f"{np.datetime_as_string(t, unit='s')}+00:00"


def annual_basis(horizon: dict[str, Any] | None, design_typical_days: Any = None) -> str:
    """One line saying where the annual figures come from, e.g. "48 h from 2018-06-16 16:00
    UTC (start hour 4000), each step weighted 182.5 h of the year; data year 2018".
    ``design_typical_days``: the design was chosen on that many typical days (and these
    figures re-evaluated hour by hour)."""
    if not horizon:
        return "horizon unknown (results written before greendc recorded it)"
    if design_typical_days and not horizon.get("typical_days"):
        return (annual_basis(horizon) + f"; design chosen on {int(design_typical_days)} "
                "typical days, figures re-evaluated hour by hour")
    years = sorted(set((horizon.get("data_years") or {}).values()))
    data = f"data year {', '.join(map(str, years))}" if years else "data year unknown"
    if horizon.get("typical_days"):
        return (f"{horizon['typical_days']} typical days ({horizon['hours']} h), each weighted "
                f"by the days it represents; {data}")
    if horizon.get("full_year"):
        return f"full year, {horizon['hours']} h hour by hour from {_short(horizon['start'])} UTC; {data}"
    w = horizon.get("step_weight_h")
    when = (f"from {_short(horizon['start'])} UTC (start hour {horizon['start_hour']})"
            if horizon.get("start") else "(time axis without dates)")
    return f"{horizon['hours']:g} h {when}, each step weighted {w:g} h of the year; {data}"


def _short(iso: str | None) -> str:
    return "?" if iso is None else iso[:16].replace("T", " ")


def decoded_attrs(ds: xr.Dataset) -> dict[str, Any]:
    """``ds.attrs`` with the JSON-string attributes (``JSON_ATTRS``, typical days) decoded."""
    out = dict(ds.attrs)
    for key in (*JSON_ATTRS, "typical_estimate_vs_full", "typical_representative_days"):
        if isinstance(out.get(key), str):
            out[key] = json.loads(out[key])
    return out


def _add_kpis(ds: xr.Dataset, m, inputs: xr.Dataset, w: np.ndarray) -> None:
    def scalar(name, value, units, long_name):
        ds[name] = ((), float(value))
        ds[name].attrs.update(units=units, long_name=long_name)

    scalar("cost_eur_per_yr", _v(m.cost_eur), "EUR/yr", "annual cost")
    for item, expr in COST_ITEMS.items():
        scalar(f"cost_{item}_eur_per_yr", _v(getattr(m, expr)), "EUR/yr", f"annual {item}")
    for item, expr in OPTIONAL_COST_ITEMS.items():
        if hasattr(m, expr):
            scalar(f"cost_{item}_eur_per_yr", _v(getattr(m, expr)), "EUR/yr", f"annual {item}")
    scalar("emissions_t_per_yr", _v(m.emissions_t_co2), "tCO2e/yr", "total emissions")
    scalar("operational_t_per_yr", _v(m.operational_t_co2), "tCO2e/yr", "operational emissions")
    scalar("embodied_t_per_yr", _v(m.embodied_t_co2), "tCO2e/yr", "embodied emissions")
    for part in ("servers", "battery", "supply"):
        scalar(f"embodied_{part}_t_per_yr", _v(getattr(m, f"embodied_{part}_t_co2")), "tCO2e/yr",
               f"embodied emissions of {part}")
    scalar("operational_ppa_t_per_yr", _v(m.operational_ppa_t_co2), "tCO2e/yr",
           "life-cycle emissions of PPA electricity (part of operational)")
    scalar("avoided_heat_t_per_yr", _v(m.avoided_heat_t_co2), "tCO2e/yr",
           "emissions avoided in the district-heating network by exported heat (in "
           "emissions_t_per_yr only with options.credit_avoided_heat_emissions)")
    it_mwh = float((ds["it_power_mw"].values * w).sum()) if "it_power_mw" in ds else \
        float((ds["it_mw"].values[:, None] * inputs["it_load_share"].values * w).sum())
    facility_mwh = float((ds["facility_mw"].values * w).sum())
    scalar("it_energy_mwh_per_yr", it_mwh, "MWh/yr", "IT energy")
    scalar("facility_energy_mwh_per_yr", facility_mwh, "MWh/yr", "facility energy")
    scalar("mean_pue", facility_mwh / it_mwh if it_mwh > 0 else np.nan, "1", "energy-weighted PUE")
    scalar("grid_energy_mwh_per_yr", float((ds["grid_import_mw"].values * w).sum()), "MWh/yr",
           "grid import")
    scalar("heat_sold_mwh_per_yr", float((ds["heat_export_mw_th"].values * w).sum()), "MWh_th/yr",
           "heat sold to district heating")
    water = float((inputs["water_m3_per_mw_it_yr"].values * ds["cooling_chosen"].values).sum(axis=1)
                  @ ds["it_mw"].values) - sum(_v(m.cooling_offload_water_m3[s]) for s in ds.site.values)
    scalar("water_m3_per_yr", water, "m3/yr", "cooling water use")
    scalar("wue_l_per_kwh", water / it_mwh if it_mwh > 0 else np.nan, "L/kWh", "water per IT kWh")
    load = ds["facility_mw"].values + ds["heat_pump_elec_mw"].values
    scalar("supply_share", supply_share(ds, load, w), "1",
           "share of site electricity from contracted solar/wind (directly or through the "
           "battery, net of its losses)")
    _add_cfe(ds, load, w)


def _add_flexible(ds: xr.Dataset, m, inputs: xr.Dataset, w: np.ndarray) -> None:
    """Flexible training load (``formulation.flexible``): hourly IT and training power [MW],
    work node-equivalents, shifted and curtailed energy [MWh/yr], installed and work
    PFLOP/s, mean utilisation of the installed nodes (energy-weighted dynamic load)."""
    from greendc.formulation.flexible import period_weights
    from greendc.formulation.data import model_data

    S, C = list(map(str, inputs.site.values)), list(map(str, inputs.cooling.values))
    K, T = list(map(str, inputs.server.values)), inputs.sizes["time"]
    f, share = float(inputs.attrs["flex_training_share"]), inputs["it_load_share"].values
    it = np.array([[[_v(m.it_hour_mw[s, c, t]) for t in range(T)] for c in C] for s in S])
    train = np.zeros_like(it)
    for (s, c) in m.FLEX:
        train[S.index(s), C.index(c)] = [_v(m.train_mw[s, c, t]) for t in range(T)]
    work = _grid(m, m.work_mw, S, C)
    idle = _grid(m, m.idle_mw, S, C)
    peak = _grid(m, m.it_peak_mw, S, C)

    def put(name, dims, values, units, long_name):
        ds[name] = (dims, values)
        ds[name].attrs.update(units=units, long_name=long_name)

    put("it_power_mw", ("site", "time"), it.sum(axis=1), "MW", "hourly IT power drawn")
    put("training_mw", ("site", "time"), train.sum(axis=1), "MW", "training power drawn")
    unshifted = f * share[None, None, :] * work[:, :, None]
    put("training_shifted_mwh_per_yr", (), float((np.maximum(train - unshifted, 0.0) * w).sum()),
        "MWh/yr", "training energy moved above its unshifted (inference-like) profile")
    curtailed = 0.0
    if hasattr(m, "curtailed_mwh"):
        a_p = period_weights(model_data(inputs))
        curtailed = sum(a_p[p] * _v(m.curtailed_mwh[s, c, p]) for (s, c) in m.FLEX for p in m.P)
    put("training_curtailed_mwh_per_yr", (), curtailed, "MWh/yr", "training energy dropped")
    if hasattr(m, "work_nodes"):
        perf = inputs["node_performance_pflops"].values
        put("work_nodes", ("site", "cooling", "server"), _grid(m, m.work_nodes, S, C, K), "1",
            "node-equivalents of work (continuous)")
        installed = float((ds["nodes"].values * perf).sum())
        put("installed_pflops", (), installed, "PFLOP/s", "installed performance")
        put("work_pflops", (), float((ds["work_nodes"].values * perf).sum()), "PFLOP/s",
            "performance the work needs")
    dynamic = float(((it - idle[:, :, None]) * w).sum())
    span = float(((peak - idle).sum()) * w.sum())
    put("mean_it_utilisation_share", (), dynamic / span if span > 0 else np.nan, "1",
        "energy-weighted dynamic load of the installed IT (0 idle, 1 every node at peak)")


def flexible_summary(ds: xr.Dataset) -> dict[str, Any] | None:
    """Flexible training figures of a results Dataset (None when the block was off)."""
    if "training_shifted_mwh_per_yr" not in ds:
        return None
    out = {k: float(ds[k]) + 0.0 for k in (
        "training_shifted_mwh_per_yr", "training_curtailed_mwh_per_yr",
        "mean_it_utilisation_share", "installed_pflops", "work_pflops") if k in ds}
    out["it_power_max_mw"] = float(ds["it_power_mw"].sum("site").max())
    out["it_power_min_mw"] = float(ds["it_power_mw"].sum("site").min())
    return out


def _add_connection(ds: xr.Dataset, m, inputs: xr.Dataset) -> None:
    """The grid connection as a decision (``options.grid_connection_cost``): contracted MW, its
    annual cost and the peak power it carries per site (the queue: ``with_queue``). Nothing
    when it is off."""
    S, T = [str(s) for s in inputs.site.values], inputs.sizes["time"]
    if hasattr(m, "connection_mw"):
        mw = _grid(m, m.connection_mw, S)
        ds["connection_mw"] = ("site", mw)
        ds["connection_mw"].attrs.update(units="MW", long_name="contracted grid connection")
        per_mw = inputs["connection_cost_eur_per_mw_yr"].values
        ds["connection_cost_eur_per_yr"] = ("site", mw * per_mw)
        ds["connection_cost_eur_per_yr"].attrs.update(
            units="EUR/yr", long_name="annualised connection capex + capacity tariff")
        flow = np.array([[_v(m.facility_peak_mw[s, t] + m.heat_pump_elec_mw[s, t]
                             + m.battery_charge_mw[s, t] - m.battery_discharge_mw[s, t])
                          for t in range(T)] for s in S])
        ds["connection_peak_mw"] = ("site", flow.max(axis=1) if T else np.zeros(len(S)))
        ds["connection_peak_mw"].attrs.update(
            units="MW", long_name="highest power through the connection (nodes at full load "
            "x PUE + heat pump + battery charge - discharge)")
        for name in ("capacity_tariff_eur_per_mw_yr", "grid_network_energy_eur_per_mwh"):
            ds[name] = inputs[name]


def with_queue(ds: xr.Dataset, inputs: xr.Dataset) -> xr.Dataset:
    """Results with the connection queue of the study's full ``inputs`` (all candidate sites,
    also those no sub-problem modelled): each site's ``site_connection_year`` [yr] and
    ``site_excluded_reason`` (empty for a candidate), attr ``commissioning_year``; unchanged
    without a commissioning year."""
    from greendc.checks import queue_exclusions

    if "site_connection_in_time" not in inputs:
        return ds
    ds = ds.copy()
    ds["site_connection_year"] = inputs["site_connection_year"]
    why = queue_exclusions(inputs)
    ds["site_excluded_reason"] = ("site", np.array([why.get(str(s), "")
                                                    for s in inputs.site.values], dtype=str))
    ds["site_excluded_reason"].attrs["long_name"] = (
        "why the site was excluded before the solve (empty: a candidate)")
    ds.attrs["commissioning_year"] = int(inputs.attrs["commissioning_year"])
    return ds


def connection_summary(ds: xr.Dataset) -> dict[str, Any]:
    """Summary entries of the grid connection and the queue (none when both are off)."""
    out: dict[str, Any] = {}
    if "connection_mw" in ds:
        built = [str(s) for s in ds.site.values if ds["build"].sel(site=s) > 0.5]
        out["grid_connection"] = {s: {
            "connection_mw": float(ds["connection_mw"].sel(site=s)),
            "peak_mw": float(ds["connection_peak_mw"].sel(site=s)),
            "cost_eur_per_yr": float(ds["connection_cost_eur_per_yr"].sel(site=s)),
            "capacity_tariff_eur_per_mw_yr": float(ds["capacity_tariff_eur_per_mw_yr"].sel(site=s)),
            "network_energy_eur_per_mwh": float(ds["grid_network_energy_eur_per_mwh"].sel(site=s)),
        } for s in built}
    if "site_excluded_reason" in ds:
        out["commissioning_year"] = int(ds.attrs["commissioning_year"])
        out["excluded_sites"] = {str(s): str(ds["site_excluded_reason"].sel(site=s).values)
                                 for s in ds.site.values
                                 if str(ds["site_excluded_reason"].sel(site=s).values)}
    return out


def supply_share(ds: xr.Dataset, load: np.ndarray, w: np.ndarray) -> float:
    """Annual share [-] of the site load met by contracted solar/wind:

        sum_t w_t (output - surplus - charge + discharge) / sum_t w_t load,

    the clean supply of ``formulation.cfe`` with a grid CFE share of 0. By the energy
    balance the numerator is sum w (load - grid) <= sum w load, so the share is <= 1: energy
    stored in the battery counts only when it is discharged, and battery losses count
    against it (charging from the grid then counts as grid). Clipped at 0 for the
    pathological case of a battery charged from the grid with losses above all PPA use."""
    used = (ds["supply_output_mw"].values - ds["surplus_mw"].values
            - ds["battery_charge_mw"].values + ds["battery_discharge_mw"].values)
    return max(float((used * w).sum()) / max(float((load * w).sum()), 1e-9), 0.0)


def _add_cfe(ds: xr.Dataset, load: np.ndarray, w: np.ndarray) -> None:
    """Hourly 24/7 CFE score clean/load [-] and the annual score, counted exactly as the
    ``cfe_target`` constraint counts it: sum_t w_t clean / sum_t w_t load.

    clean = load - (1 - phi) grid <= load, so the hourly score is at most 1; it is negative
    in an hour where the battery charges from a mostly fossil grid (that hour adds to the
    denominator's fossil part, as in the constraint). No clipping: a clipped score would
    report more clean energy than the constraint counted."""
    clean = ds["clean_supply_mw"].values
    score = np.where(load > 1e-9, clean / np.maximum(load, 1e-9), np.nan)
    ds["cfe_score"] = (("site", "time"), score)
    ds["cfe_score"].attrs.update(units="1", long_name="hourly carbon-free energy score (24/7)")
    ds["cfe_share"] = ((), float((clean * w).sum()) / max(float((load * w).sum()), 1e-9))
    ds["cfe_share"].attrs.update(units="1", long_name="annual hourly-matched CFE share "
                                 "(as counted by cfe_target)")


def package_versions() -> dict[str, str]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def typical_summary(ds: xr.Dataset) -> dict[str, Any] | None:
    """Typical-days figures of a results Dataset (None for an hourly run): the aggregated
    model's objective, the design's objective re-evaluated hour by hour, the error, and
    ``estimate_vs_full`` (``greendc.typical.estimate_vs_full``: cost, emissions, grid, solar/
    wind and heat energy, typical estimate vs hour by hour, error [%]). How far the design's
    capacities are from a full-resolution design needs that design's solve:
    ``greendc.typical.design_deviation``, reported by ``benchmarks/run_all.py``."""
    if "typical_days" not in ds.attrs:
        return None
    return {
        "typical_days": int(ds.attrs["typical_days"]),
        "typical_days_objective": float(ds.attrs["typical_days_objective"]),
        "full_resolution_objective": float(ds.attrs["full_resolution_objective"]),
        "aggregation_error_pct": float(ds.attrs["typical_aggregation_error_pct"]),
        "full_resolution_status": ds.attrs.get("typical_full_resolution_status"),
        # cost, emissions and energy flows as estimated on typical days vs hour by hour
        "estimate_vs_full": json.loads(ds.attrs.get("typical_estimate_vs_full", "{}")),
        "representative_days": json.loads(ds.attrs.get("typical_representative_days", "[]")),
    }


def shadow_prices(ds: xr.Dataset, built: list[str]) -> dict[str, Any] | None:
    """Duals of the design's LP (``greendc.duals``), None when not computed: CO2 cap
    [EUR/tCO2e], compute [EUR/(PFLOP/s)/yr], grid connection of the built site(s)
    [EUR/MW/yr]."""
    if "co2_shadow_price_eur_per_t" not in ds:
        return None
    connection = ds["grid_connection_value_eur_per_mw_yr"].sel(site=built)
    return {"co2_eur_per_t": float(ds["co2_shadow_price_eur_per_t"]),
            "compute_eur_per_pflops_yr": float(ds["compute_marginal_cost_eur_per_pflops_yr"]),
            "grid_connection_eur_per_mw_yr": float(connection.sum()) if len(built) == 1
            else {str(s): float(v) for s, v in zip(built, connection.values)},
            "status": ds.attrs.get("duals_status")}


def summary(ds: xr.Dataset) -> dict[str, Any]:
    """The ``summary.json`` content: chosen design, KPIs, horizon, solver info, provenance.

    Annual figures end in ``_per_yr`` and come from ``horizon`` (see ``horizon_of``); no
    value is a JSON string (the JSON attributes of ``results.nc`` are decoded)."""
    built = [str(s) for s in ds.site.values if ds["build"].sel(site=s) > 0.5]
    cooling = {s: str(ds.cooling.values[int(np.argmax(ds["cooling_chosen"].sel(site=s).values))])
               for s in built}
    nodes = ds["nodes"].sum(("site", "cooling"))
    techs = [str(r) for r in ds.tech.values]
    attrs = decoded_attrs(ds)

    def tech_mw(prefix: str) -> float:
        return float(sum(ds["supply_mw"].sel(tech=r).sum() for r in techs if r.startswith(prefix)))

    def scalar(name: str) -> float:
        return float(ds[name].values) + 0.0

    return {
        "scenario": ds.attrs.get("scenario", ""),
        "horizon": attrs.get("horizon"),
        "annual_basis": annual_basis(attrs.get("horizon"), attrs.get("typical_days")),
        "site": built[0] if len(built) == 1 else built,
        "cooling": cooling[built[0]] if len(built) == 1 else cooling,
        "servers": {str(k): int(round(float(v))) for k, v in zip(ds.server.values, nodes.values)
                    if v > 0.5},
        "it_mw": round(scalar("it_mw") if ds["it_mw"].ndim == 0 else float(ds["it_mw"].sum()), 6),
        "ppa_solar_mw": tech_mw("solar"),
        "ppa_wind_mw": tech_mw("wind"),
        "supply_mw": {r: float(ds["supply_mw"].sel(tech=r).sum()) for r in techs},
        "battery_mwh": float(ds["battery_mwh"].sum()),
        "battery_mw": float(ds["battery_mw"].sum()),
        "heat_pump_mw": float(ds["heat_pump_mw_th"].sum()),
        "heat_sold_mwh_per_yr": scalar("heat_sold_mwh_per_yr"),
        "cost_eur_per_yr": scalar("cost_eur_per_yr"),
        "cost_breakdown_eur_per_yr": {k: scalar(f"cost_{k}_eur_per_yr") for k in
                                      [*COST_ITEMS, *OPTIONAL_COST_ITEMS]
                                      if f"cost_{k}_eur_per_yr" in ds},
        **connection_summary(ds),
        "emissions_t_per_yr": {
            "total": scalar("emissions_t_per_yr"), "operational": scalar("operational_t_per_yr"),
            "embodied": scalar("embodied_t_per_yr"),
            "embodied_servers": scalar("embodied_servers_t_per_yr"),
            "embodied_battery": scalar("embodied_battery_t_per_yr"),
            "embodied_supply": scalar("embodied_supply_t_per_yr"),
            "operational_ppa_lifecycle": scalar("operational_ppa_t_per_yr"),
            "avoided_by_heat_export": scalar("avoided_heat_t_per_yr"),
            **({"backup_test_runs": scalar("backup_test_t_per_yr")}
               if "backup_test_t_per_yr" in ds else {}),
        },
        "mean_pue": scalar("mean_pue"),
        "wue_l_per_kwh": scalar("wue_l_per_kwh"),
        "grid_energy_mwh_per_yr": scalar("grid_energy_mwh_per_yr"),
        "supply_share": scalar("supply_share"),
        "cfe_share": scalar("cfe_share"),
        "typical_days": typical_summary(ds),
        **({"flexible_training": flex} if (flex := flexible_summary(ds)) else {}),
        **({"continuity": continuity_summary(ds)} if "backup_mw" in ds else {}),
        "shadow_prices": shadow_prices(ds, built),
        "solver": {
            "status": ds.attrs.get("solver_status"),
            "proven_optimal": bool(ds.attrs.get("solver_status") == "optimal"),
            "mip_gap": ds.attrs.get("solver_mip_gap"),
            "seconds": ds.attrs.get("solver_seconds"),
            "strategy": ds.attrs.get("solver_strategy"),
        },
        "provenance": {
            "scenario_hash": ds.attrs.get("scenario_hash"),
            "data_years": attrs.get("data_years"),
            "packages": attrs.get("package_versions", {}),
            "catalogue_sources": attrs.get("catalogue_sources", []),
        },
    }


def save_results(ds: xr.Dataset, out_dir: str | pathlib.Path,
                 scenario: Any = None) -> pathlib.Path:
    """Write ``results.nc``, ``csv/*.csv`` and ``summary.json`` into ``out_dir`` as one unit,
    with ``scenario.resolved.yaml`` when ``scenario`` (a ``LoadedScenario``) is given.

    The files are written into a hidden staging folder and swapped in with the folder in one
    step (``greendc.atomic.folder``): an interruption leaves either the previous complete
    results or the new ones, never a mix. Files derived from earlier results
    (``DERIVED_FILES``: report, figures, robustness, front) go with the swap; other files in
    ``out_dir`` are kept.
    """
    out = pathlib.Path(out_dir)
    ds = with_integer_counts(ds)
    with atomic.folder(out, drop=DERIVED_FILES) as stage:
        ds.to_netcdf(stage / "results.nc")
        _write_csvs(ds, stage / "csv")
        (stage / "summary.json").write_text(json.dumps(summary(ds), indent=2,
                                                       default=_json_default))
        if scenario is not None:
            (stage / "scenario.resolved.yaml").write_text(resolved_scenario_yaml(scenario),
                                                          encoding="utf-8")
    return out


def with_integer_counts(ds: xr.Dataset) -> xr.Dataset:
    """``INTEGER_VARS`` rounded to int64 (the solver returns 0.9999999 for 1)."""
    ds = ds.copy()
    for name in INTEGER_VARS:
        if name in ds and ds[name].dtype.kind == "f":
            ds[name] = ds[name].round().astype("int64").assign_attrs(ds[name].attrs)
    return ds


def _write_csvs(ds: xr.Dataset, csv: pathlib.Path) -> None:
    """``hourly.csv`` (built sites, ISO 8601 UTC times), one CSV per design variable and
    ``kpis.csv`` (kpi, value, units; first the horizon the annual figures come from)."""
    csv.mkdir()
    hourly = [v for v in ds.data_vars if ds[v].dims == ("site", "time")]
    built = [s for s in ds.site.values if ds["build"].sel(site=s) > 0.5] or list(ds.site.values)
    frame = ds[hourly].sel(site=built).to_dataframe().reset_index()
    if np.issubdtype(frame["time"].dtype, np.datetime64):
        frame["time"] = [_iso_utc(t) for t in frame["time"].values.astype("datetime64[s]")]
    frame.to_csv(csv / "hourly.csv", index=False)
    design = [v for v in ds.data_vars if "time" not in ds[v].dims and ds[v].ndim > 0]
    for name in design:
        ds[name].to_dataframe().to_csv(csv / f"{name}.csv")
    horizon = decoded_attrs(ds).get("horizon") or {}
    rows = [("horizon_hours", horizon.get("hours"), "h"),
            ("horizon_start", horizon.get("start"), "ISO 8601"),
            ("horizon_end", horizon.get("end"), "ISO 8601"),
            ("horizon_typical_days", horizon.get("typical_days"), "d"),
            ("step_weight_h", horizon.get("step_weight_h"), "h"),
            ("data_years", "; ".join(f"{k}={v}" for k, v in (horizon.get("data_years") or {})
                                     .items()), "site=year")]
    rows += [(v, float(ds[v].values) + 0.0, ds[v].attrs.get("units", ""))
             for v in ds.data_vars if ds[v].ndim == 0]
    import pandas as pd

    pd.DataFrame(rows, columns=["kpi", "value", "units"]).to_csv(csv / "kpis.csv", index=False)


def resolved_scenario_yaml(loaded: Any) -> str:
    """The scenario as solved: every default filled in, overrides applied, site files and
    ``data_dir`` as absolute paths (the file can be run again from anywhere)."""
    import yaml

    raw = loaded.scenario.model_dump(mode="json")
    base = pathlib.Path(loaded.base_dir)
    for site in raw.get("sites", []):
        if site.get("file"):
            site["file"] = str((base / site["file"]).resolve())
    if raw.get("data_dir"):
        raw["data_dir"] = str((base / raw["data_dir"]).resolve())
    head = (f"# resolved scenario of {loaded.origin} (scenario_hash "
            f"{loaded.scenario.digest()}): defaults filled in, overrides applied\n")
    return head + yaml.safe_dump(raw, sort_keys=False, allow_unicode=True)


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def fixed(value: float, digits: int = 2) -> str:
    """A capacity with ``digits`` decimals, never "-0.00" (solver round-off below zero)."""
    return f"{round(float(value), digits) + 0.0:.{digits}f}"


def table_number(value) -> str:
    """A table number: no decimals from 100 up, 3 significant digits below; empty for NaN
    (not computed)."""
    x = float(value)
    if x != x:
        return ""
    return f"{x:,.0f}" if abs(x) >= 100 or x == 0 else f"{x:.3g}"


def summary_rows(info: dict) -> list[tuple[str, str]]:
    """(label, value with its unit) rows of a ``summary`` dict: the design and its KPIs, as
    the command line prints them and the report shows them."""
    em = info["emissions_t_per_yr"]
    servers = ", ".join(f"{n} x {k}" for k, n in info["servers"].items()) or "none"
    solver = info["solver"]
    gap = solver["mip_gap"]
    rows = [
        ("annual basis", info["annual_basis"]),
        ("site", info["site"]), ("cooling", info["cooling"]), ("servers", servers),
        ("IT power", f"{info['it_mw']:.2f} MW"), ("mean PUE", f"{info['mean_pue']:.3f}"),
        ("solar/wind", ", ".join(f"{tech} {fixed(mw)} MW" for tech, mw
                                 in info["supply_mw"].items()) or "none offered"),
        ("battery", f"{fixed(info['battery_mwh'])} MWh / {fixed(info['battery_mw'])} MW"),
        ("heat pump", f"{fixed(info['heat_pump_mw'])} MW_th, "
                      f"{info['heat_sold_mwh_per_yr']:,.0f} MWh_th/yr sold"),
        ("annual cost", f"{info['cost_eur_per_yr'] / 1e6:,.3f} M EUR/yr"),
        ("emissions", f"{em['total']:,.0f} tCO2e/yr (operational {em['operational']:,.0f}, "
                      f"embodied {em['embodied']:,.0f})"),
        ("24/7 CFE", f"{info['cfe_share']:.1%} of the load matched hour by hour with "
                     "carbon-free supply"),
        ("water", f"{info['wue_l_per_kwh']:.3f} L/kWh IT"),
        ("solver", f"{solver['status']}, gap {gap if gap is None else f'{gap:.2e}'}, "
                   f"{solver['seconds'] or 0:.1f} s, {solver['strategy']}"),
    ]
    flex = info.get("flexible_training")
    if flex:
        work = (f"; work {flex['work_pflops']:,.0f} of {flex['installed_pflops']:,.0f} "
                "PFLOP/s installed" if "work_pflops" in flex else "")
        rows.append(("flexible training", (
            f"IT {flex['it_power_min_mw']:.2f}-{flex['it_power_max_mw']:.2f} MW, shifted "
            f"{flex['training_shifted_mwh_per_yr']:,.0f} MWh/yr, curtailed "
            f"{flex['training_curtailed_mwh_per_yr']:,.0f} MWh/yr, mean IT utilisation "
            f"{flex['mean_it_utilisation_share']:.1%}{work}")))
    cont = info.get("continuity")
    if cont:
        units = ", ".join(f"{g} {fixed(mw)} MW" for g, mw in cont["backup_mw"].items() if mw > 0)
        rows.append(("backup", f"{cont['redundancy']}, {cont['autonomy_h']:g} h of "
                     f"{fixed(cont['need_mw'])} MW: {units or 'no gensets'}; battery "
                     f"{fixed(cont['battery_backup_mw'])} MW, {fixed(cont['battery_reserve_mwh'])}"
                     f" MWh reserved ({cont['battery_reserve_share']:.0%} of the battery); "
                     f"{cont['cost_eur_per_yr'] / 1e6:,.3f} M EUR/yr, test runs "
                     f"{cont['test_emissions_t_per_yr']:,.1f} tCO2e/yr"))
    for site, c in (info.get("grid_connection") or {}).items():
        rows.append((f"grid connection {site}", f"{fixed(c['connection_mw'])} MW contracted for a "
                     f"{fixed(c['peak_mw'])} MW peak, {c['cost_eur_per_yr'] / 1e6:,.3f} M EUR/yr "
                     f"(capex + capacity tariff {table_number(c['capacity_tariff_eur_per_mw_yr'])}"
                     f" EUR/MW/yr; network energy part {c['network_energy_eur_per_mwh']:.2f} "
                     "EUR/MWh)"))
    if "excluded_sites" in info:
        excluded = info["excluded_sites"]
        rows.append((f"commissioning {info['commissioning_year']}", "; ".join(
            f"{s} excluded: {why}" for s, why in excluded.items()) or
            "every candidate site's grid connection comes in time"))
    prices = info.get("shadow_prices")
    if prices:
        conn = prices["grid_connection_eur_per_mw_yr"]
        conn = ", ".join(f"{k} {table_number(v)}" for k, v in conn.items()) \
            if isinstance(conn, dict) else table_number(conn)
        rows.append(("shadow prices", f"CO2 {table_number(prices['co2_eur_per_t'])} EUR/tCO2e, "
                     f"compute {table_number(prices['compute_eur_per_pflops_yr']) or 'n/a'}"
                     " EUR/(PFLOP/s)/yr,"
                     f" grid connection {conn} EUR/MW/yr (LP of the fixed design)"))
    return rows
