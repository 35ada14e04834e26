"""Solution -> results ``xarray.Dataset`` (design, hourly dispatch, KPIs, solver, provenance).

Names carry units (``grid_import_mw``, ``cost_eur_per_yr``...) and every variable has
``attrs["units"]``. Saved as one unit (``greendc.atomic.folder``): ``results.nc`` + ``csv/`` +
``summary.json``.
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

COST_ITEMS = {
    "site": "cost_site_eur", "servers": "cost_servers_eur",
    "cooling_and_facility": "cost_cooling_facility_eur", "solar_wind_supply": "cost_supply_eur",
    "battery": "cost_battery_eur", "heat_plant": "cost_heat_plant_eur", "grid_energy": "cost_grid_eur",
    "ppa_network": "cost_ppa_network_eur",
    "surplus_revenue": "revenue_surplus_eur", "heat_revenue": "revenue_heat_eur",
    "carbon_price": "cost_carbon_eur",
}
PACKAGES = ("greendc", "pyomo", "highspy", "numpy", "pandas", "xarray", "pydantic")


def _v(x: Any) -> float:
    value = pyo.value(x, exception=False)
    return 0.0 if value is None else float(value)


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
    _add_kpis(ds, m, inputs, w)
    return ds


def _add_kpis(ds: xr.Dataset, m, inputs: xr.Dataset, w: np.ndarray) -> None:
    def scalar(name, value, units, long_name):
        ds[name] = ((), float(value))
        ds[name].attrs.update(units=units, long_name=long_name)

    scalar("cost_eur_per_yr", _v(m.cost_eur), "EUR/yr", "annual cost")
    for item, expr in COST_ITEMS.items():
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
    it_mwh = float((ds["it_mw"].values[:, None] * inputs["it_load_share"].values * w).sum())
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
    """The ``summary.json`` content: chosen design, KPIs, solver info."""
    built = [str(s) for s in ds.site.values if ds["build"].sel(site=s) > 0.5]
    cooling = {s: str(ds.cooling.values[int(np.argmax(ds["cooling_chosen"].sel(site=s).values))])
               for s in built}
    nodes = ds["nodes"].sum(("site", "cooling"))
    techs = [str(r) for r in ds.tech.values]

    def tech_mw(prefix: str) -> float:
        return float(sum(ds["supply_mw"].sel(tech=r).sum() for r in techs if r.startswith(prefix)))

    def scalar(name: str) -> float:
        return float(ds[name].values)

    return {
        "scenario": ds.attrs.get("scenario", ""),
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
        "heat_sold_mwh": scalar("heat_sold_mwh_per_yr"),
        "cost_eur_per_year": scalar("cost_eur_per_yr"),
        "cost_breakdown_eur_per_year": {k: scalar(f"cost_{k}_eur_per_yr") for k in COST_ITEMS},
        "emissions_t_per_year": {
            "total": scalar("emissions_t_per_yr"), "operational": scalar("operational_t_per_yr"),
            "embodied": scalar("embodied_t_per_yr"),
            "embodied_servers": scalar("embodied_servers_t_per_yr"),
            "embodied_battery": scalar("embodied_battery_t_per_yr"),
            "embodied_supply": scalar("embodied_supply_t_per_yr"),
            "operational_ppa_lifecycle": scalar("operational_ppa_t_per_yr"),
            "avoided_by_heat_export": scalar("avoided_heat_t_per_yr"),
        },
        "mean_pue": scalar("mean_pue"),
        "wue_l_per_kwh": scalar("wue_l_per_kwh"),
        "grid_energy_mwh": scalar("grid_energy_mwh_per_yr"),
        "supply_share": scalar("supply_share"),
        "cfe_share": scalar("cfe_share"),
        "typical_days": typical_summary(ds),
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
            "data_years": ds.attrs.get("data_years"),
            "packages": json.loads(ds.attrs.get("package_versions", "{}")),
        },
    }


def save_results(ds: xr.Dataset, out_dir: str | pathlib.Path) -> pathlib.Path:
    """Write ``results.nc``, ``csv/*.csv`` and ``summary.json`` into ``out_dir`` as one unit.

    The three are written into a hidden staging folder and swapped in with the folder in one
    step (``greendc.atomic.folder``): an interruption leaves either the previous complete
    results or the new ones, never a mix; other files in ``out_dir`` are kept.
    """
    out = pathlib.Path(out_dir)
    with atomic.folder(out) as stage:
        ds.to_netcdf(stage / "results.nc")
        csv = stage / "csv"
        csv.mkdir()
        hourly = [v for v in ds.data_vars if ds[v].dims == ("site", "time")]
        built = [s for s in ds.site.values if ds["build"].sel(site=s) > 0.5] or list(ds.site.values)
        ds[hourly].sel(site=built).to_dataframe().to_csv(csv / "hourly.csv")
        design = [v for v in ds.data_vars if "time" not in ds[v].dims and ds[v].ndim > 0]
        for name in design:
            ds[name].to_dataframe().to_csv(csv / f"{name}.csv")
        kpis = {v: float(ds[v].values) for v in ds.data_vars if ds[v].ndim == 0}
        with open(csv / "kpis.csv", "w", encoding="utf-8") as fh:
            fh.write("kpi,value,units\n")
            for k, val in kpis.items():
                fh.write(f"{k},{val!r},{ds[k].attrs.get('units', '')}\n")
        (stage / "summary.json").write_text(json.dumps(summary(ds), indent=2,
                                                       default=_json_default))
    return out


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")
