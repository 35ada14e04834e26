"""Preprocessing: catalogue + scenario + site series -> one inputs ``xarray.Dataset``.

Pure numpy/xarray (no Pyomo, no file I/O). Every monetary quantity is turned into the
annual figure the model uses (capital recovery factor times capex, plus fixed opex), every
hourly weather series into hourly PUE, water use and heat-pump COP per site and cooling.

Dimensions: ``site``, ``cooling``, ``server``, ``tech`` (supply contracts), ``time`` (UTC
hours, with step weights ``weight_h`` that scale the modelled hours to one year).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import xarray as xr

from greendc.catalogue import EU_MEMBERS, Catalogue
from greendc.catalogue import did_you_mean
from greendc.errors import ScenarioError
from greendc.physics.cooling import cooling_profiles
from greendc.physics.finance import annualised_cost_eur_per_yr, capital_recovery_factor
from greendc.physics.heatpump import district_heating_supply_temperature_c, heat_pump_cop
from greendc.scenario import LoadedScenario
from greendc.timeseries import HOURS_PER_YEAR, cut_horizon

LIQUID_PUE_MODELS = {"immersion", "direct_liquid"}


def _pick(requested: list[str] | None, known: dict[str, Any], field: str, origin: str) -> list[str]:
    if requested is None:
        return list(known)
    if not requested:
        raise ScenarioError(f"{origin}: {field} is empty: list at least one of {sorted(known)}")
    unknown = [x for x in requested if x not in known]
    if unknown:
        hints = "".join(did_you_mean(x, known) for x in unknown)
        raise ScenarioError(
            f"{origin}: {field}: unknown {unknown}; {hints}the catalogue has {sorted(known)}"
        )
    return list(requested)


def select_candidates(loaded: LoadedScenario, cat: Catalogue) -> dict[str, list[str]]:
    """Ids of the candidate sites, coolings, servers and supply techs of the scenario."""
    sc, origin = loaded.scenario, loaded.origin
    return {
        "site": [s.id for s in sc.sites],
        "cooling": _pick(sc.cooling, cat.cooling, "cooling", origin),
        "server": _pick(sc.servers, cat.servers, "servers", origin),
        "tech": _pick(sc.options.supply_techs, cat.supply, "options.supply_techs", origin),
    }


def jurisdiction_allowed(attrs: dict[str, Any], allowed: list[str] | None) -> bool:
    """True when a site (NetCDF global attributes) belongs to one of the allowed groups."""
    if allowed is None:
        return True
    member = {
        "EU": bool(int(attrs.get("eu_member", 0))),
        "EEA": bool(int(attrs.get("eea_member", 0))) or bool(int(attrs.get("eu_member", 0))),
        "ADEQUACY": bool(int(attrs.get("eu_adequacy_decision", 0))),
    }
    return any(member.get(rule, False) or rule == attrs.get("country") for rule in allowed)


def _hourly(sites: dict[str, xr.Dataset], names: list[str], var: str) -> xr.DataArray:
    arrays = [sites[s][var].astype("float64").drop_attrs() for s in names]
    return xr.concat(arrays, dim=xr.Variable("site", names), coords="minimal")


def _site_exposures(ds: xr.Dataset, facts_exposures: list[str]) -> list[str]:
    raw = str(ds.attrs.get("legal_exposures", ""))
    from_file = [x.strip() for x in raw.split(",") if x.strip()]
    return sorted(set(from_file) | set(facts_exposures))


def prepare_inputs(
    loaded: LoadedScenario, cat: Catalogue, sites: dict[str, xr.Dataset]
) -> xr.Dataset:
    """Build the inputs Dataset of one study (see module docstring for dims and units)."""
    sc = loaded.scenario
    ids = select_candidates(loaded, cat)
    hz = sc.horizon
    sites = {s: cut_horizon(sites[s], hz.start_hour, hz.hours) for s in ids["site"]}
    time = sites[ids["site"][0]]["time"].values
    ds = xr.Dataset(coords={"site": ids["site"], "cooling": ids["cooling"],
                            "server": ids["server"], "tech": ids["tech"], "time": time})
    ds["weight_h"] = ("time", np.full(len(time), HOURS_PER_YEAR / len(time)))
    ds["weight_h"].attrs["units"] = "h"
    _add_site_series(ds, sc, cat, sites)
    _add_cooling(ds, sc, cat, sites)
    _add_servers(ds, sc, cat)
    _add_supply(ds, sc, cat, sites)
    _add_storage_and_heat(ds, sc, cat)
    _add_sovereignty(ds, sc, cat, sites)
    ds.attrs.update(
        scenario=sc.name, required_pflops=sc.compute.required_pflops, max_sites=sc.max_sites,
        carbon_price_eur_per_t=sc.finance.carbon_price_eur_per_t,
        discount_rate=sc.finance.discount_rate,
    )
    if sc.min_cfe_share is not None:
        ds.attrs["min_cfe_share"] = sc.min_cfe_share
    return ds


def _add_site_series(ds, sc, cat: Catalogue, sites) -> None:
    names = list(ds.site.values)
    facts = [cat.sites[s] for s in names]
    price = _hourly(sites, names, "grid_price") * sc.finance.grid_price_scale
    adder = xr.DataArray([f.grid_adder_eur_per_mwh.value for f in facts], dims="site")
    ds["grid_price_eur_per_mwh"] = price
    ds["grid_cost_eur_per_mwh"] = price + adder
    sale = price.clip(min=0) if sc.options.surplus_sale else xr.zeros_like(price)
    ds["surplus_sale_price_eur_per_mwh"] = sale
    ds["grid_ci_g_per_kwh"] = _hourly(sites, names, "grid_carbon_intensity")
    # Carbon-free share of the grid mix; a site file without it counts its grid as fossil.
    ds["grid_cfe_share"] = xr.concat(
        [sites[s]["grid_cfe_share"].astype("float64").drop_attrs() if "grid_cfe_share" in sites[s]
         else xr.zeros_like(sites[s]["grid_price"], dtype="float64").drop_attrs() for s in names],
        dim=xr.Variable("site", names), coords="minimal")
    available = xr.DataArray(
        [float(f.district_heating_available and sc.options.heat_export) for f in facts], dims="site"
    )
    ds["heat_demand_mw"] = _hourly(sites, names, "heat_demand").clip(min=0) * available
    ds["air_temperature_c"] = _hourly(sites, names, "air_temperature")
    for field in ("grid_connection_mw", "floor_area_m2", "water_allowance_m3_per_yr",
                  "site_fixed_cost_eur_per_yr", "heat_price_eur_per_mwh"):
        ds[field] = ("site", [getattr(f, field).value for f in facts])
    facility = [
        annualised_cost_eur_per_yr(f.facility_capex_eur_per_kw_it.value * 1000,
                                   sc.finance.discount_rate, f.facility_lifetime_yr.value)
        for f in facts
    ]
    ds["facility_cost_eur_per_mw_it_yr"] = ("site", facility)


def _add_cooling(ds, sc, cat: Catalogue, sites) -> None:
    names, cools = list(ds.site.values), list(ds.cooling.values)
    pue = np.empty((len(names), len(cools), ds.sizes["time"]))
    wue = np.empty_like(pue)
    for i, s in enumerate(names):
        t = sites[s]["air_temperature"].values.astype(float)
        rh = sites[s]["relative_humidity"].values.astype(float)
        for j, c in enumerate(cools):
            spec = cat.cooling[c]
            params = {k: q.value for k, q in spec.parameters.items()}
            pue[i, j], wue[i, j] = cooling_profiles(t, rh, spec.pue_model, params)
    ds["pue"] = (("site", "cooling", "time"), pue)
    ds["wue_l_per_kwh"] = (("site", "cooling", "time"), wue)
    # m3 of water per MW of IT load over the year: MW * h = 1000 kWh; * L/kWh / 1000 L/m3.
    ds["water_m3_per_mw_it_yr"] = (ds["wue_l_per_kwh"] * ds["weight_h"]).sum("time")
    specs = [cat.cooling[c] for c in cools]
    rate = sc.finance.discount_rate
    ds["cooling_cost_eur_per_mw_it_yr"] = ("cooling", [
        annualised_cost_eur_per_yr(x.capex_eur_per_kw_it.value * 1000, rate, x.lifetime_yr.value,
                                   x.fixed_opex_share_per_yr.value) for x in specs])
    ds["max_rack_density_kw"] = ("cooling", [x.max_rack_density_kw_per_rack.value for x in specs])
    ds["floor_m2_per_rack"] = ("cooling", [x.floor_m2_per_rack.value for x in specs])
    ds["recoverable_heat_share"] = ("cooling", [x.recoverable_heat_share.value for x in specs])
    ds["heat_output_temperature_c"] = ("cooling", [x.heat_output_temperature_c.value for x in specs])
    ds["liquid_cooling"] = ("cooling", [x.pue_model in LIQUID_PUE_MODELS for x in specs])


def _add_servers(ds, sc, cat: Catalogue) -> None:
    names, cools = list(ds.server.values), list(ds.cooling.values)
    specs = [cat.servers[k] for k in names]
    u, rate = sc.compute.utilisation_share, sc.finance.discount_rate
    peak = np.array([x.power_kw.value for x in specs]) / 1000
    idle = np.array([x.idle_power_kw.value for x in specs]) / 1000
    ds["node_peak_mw"] = ("server", peak)
    ds["node_power_mw"] = ("server", idle + u * (peak - idle))
    ds["node_performance_pflops"] = ("server", [x.performance_pflops.value for x in specs])
    ds["node_cost_eur_per_yr"] = ("server", [
        annualised_cost_eur_per_yr(x.price_eur.value, rate, x.lifetime_yr.value) for x in specs])
    ds["node_embodied_t_per_yr"] = ("server", [
        x.embodied_kg_co2.value / 1000 / x.lifetime_yr.value for x in specs])
    ds["node_non_eu"] = ("server", [float(not _eu_country(x.origin)) for x in specs])
    per_rack = np.zeros((len(names), len(cools)))
    for i, x in enumerate(specs):
        for j, c in enumerate(cools):
            cspec = cat.cooling[c]
            fits = math.floor(cspec.max_rack_density_kw_per_rack.value / x.power_kw.value + 1e-9)
            ok = x.compatible_cooling is None or c in x.compatible_cooling
            per_rack[i, j] = min(fits, x.max_nodes_per_rack.value) if ok else 0
    ds["nodes_per_rack"] = (("server", "cooling"), per_rack)
    req = sc.compute.required_pflops
    ds["max_nodes"] = ("server", np.ceil(req / ds["node_performance_pflops"].values))


def _eu_country(code: str) -> bool:
    return code.upper() in EU_MEMBERS


def _add_supply(ds, sc, cat: Catalogue, sites) -> None:
    names, techs = list(ds.site.values), list(ds.tech.values)
    rate = sc.finance.discount_rate
    cf = np.zeros((len(names), len(techs), ds.sizes["time"]))
    strike = np.zeros((len(names), len(techs)))
    potential = np.zeros_like(strike)
    for i, s in enumerate(names):
        country = str(sites[s].attrs.get("country", ""))
        for j, r in enumerate(techs):
            spec = cat.supply[r]
            var = spec.capacity_factor_variable
            if var not in sites[s]:
                raise ScenarioError(
                    f"site {s!r} has no hourly {var!r} series needed by supply tech {r!r}; "
                    "add it to the site file or drop the tech with options.supply_techs"
                )
            cf[i, j] = sites[s][var].values
            prices = spec.strike_eur_per_mwh
            strike[i, j] = (prices.get(country) or prices["default"]).value
            limit = cat.sites[s].supply_potential_mw.get(r)
            potential[i, j] = limit.value if limit is not None else 0.0
    ds["capacity_factor"] = (("site", "tech", "time"), cf)
    ds["strike_eur_per_mwh"] = (("site", "tech"), strike)
    ds["supply_potential_mw"] = (("site", "tech"), potential)
    specs = [cat.supply[r] for r in techs]
    ds["supply_capacity_cost_eur_per_mw_yr"] = ("tech", [
        annualised_cost_eur_per_yr(x.capex_eur_per_kw.value * 1000, rate, x.lifetime_yr.value,
                                   x.fixed_opex_share_per_yr.value) for x in specs])
    ds["supply_lifecycle_g_per_kwh"] = ("tech", [x.lifecycle_g_co2_per_kwh.value for x in specs])
    # owned plants (a capex to annualise) count their life cycle as embodied, PPAs as operational
    ds["supply_owned"] = ("tech", [float(x.capex_eur_per_kw.value > 0) for x in specs])
    ds["supply_energy_mwh_per_mw_yr"] = (ds["capacity_factor"] * ds["weight_h"]).sum("time")


def _add_storage_and_heat(ds, sc, cat: Catalogue) -> None:
    rate = sc.finance.discount_rate
    b = cat.storage["battery"]
    ds.attrs.update(
        battery_energy_cost_eur_per_mwh_yr=annualised_cost_eur_per_yr(
            b.energy_capex_eur_per_mwh.value, rate, b.energy_lifetime_yr.value,
            b.fixed_opex_share_per_yr.value),
        battery_power_cost_eur_per_mw_yr=annualised_cost_eur_per_yr(
            b.power_capex_eur_per_mw.value, rate, b.power_lifetime_yr.value,
            b.fixed_opex_share_per_yr.value),
        battery_charge_efficiency=b.charge_efficiency.value,
        battery_discharge_efficiency=b.discharge_efficiency.value,
        battery_embodied_t_per_mwh_yr=b.embodied_kg_co2_per_kwh.value / b.energy_lifetime_yr.value,
        battery_enabled=int(sc.options.battery),
    )
    hp, dh = cat.heat.heat_pump, cat.heat.district_heating
    ds.attrs.update(
        heat_pump_cost_eur_per_mw_yr=annualised_cost_eur_per_yr(
            hp.capex_eur_per_mw_th.value, rate, hp.lifetime_yr.value,
            hp.fixed_opex_share_per_yr.value),
        dh_connection_cost_eur_per_yr=dh.connection_capex_eur.value
        * capital_recovery_factor(rate, dh.connection_lifetime_yr.value),
    )
    supply_c = district_heating_supply_temperature_c(
        ds["air_temperature_c"], dh.supply_max_c.value, dh.supply_min_c.value,
        dh.design_outdoor_c.value, dh.cutoff_outdoor_c.value)
    ds["dh_supply_temperature_c"] = supply_c
    ds["heat_pump_cop"] = heat_pump_cop(
        ds["heat_output_temperature_c"], supply_c, hp.carnot_efficiency.value,
        hp.approach_k.value, hp.cop_max.value).transpose("site", "cooling", "time")


def _add_sovereignty(ds, sc, cat: Catalogue, sites) -> None:
    rules = sc.sovereignty
    names = list(ds.site.values)
    ds["site_jurisdiction_allowed"] = ("site", [
        float(jurisdiction_allowed(sites[s].attrs, rules.allowed_jurisdictions)) for s in names])
    ds["site_non_eu_ownership_share"] = ("site", [
        cat.sites[s].operator_non_eu_ownership_share.value for s in names])
    excluded = set(rules.exclude_legal_exposures)
    ds["site_legal_exposure_excluded"] = ("site", [
        float(bool(excluded & set(_site_exposures(sites[s], cat.sites[s].legal_exposures))))
        for s in names])
    ds["site_country"] = ("site", [str(sites[s].attrs.get("country", "")) for s in names])
    ds.attrs.update(
        max_non_eu_hardware_share=rules.max_non_eu_hardware_share,
        max_non_eu_ownership_share=rules.max_non_eu_ownership_share,
    )
