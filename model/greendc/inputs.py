"""Preprocessing: catalogue + scenario + site series -> one inputs ``xarray.Dataset``.

Pure numpy/xarray (no Pyomo, no file I/O). Every monetary quantity is turned into the
annual figure the model uses (capital recovery factor times capex, plus fixed opex), every
hourly weather series into hourly PUE, water use and heat-pump COP per site and cooling.

Dimensions: ``site``, ``cooling``, ``server``, ``tech`` (supply contracts), ``time`` (UTC
hours). Each step carries two separate numbers, as PyPSA's snapshot weightings do:

- ``dt_h[t]`` [h]: the step's duration, from the time coordinate (1 h for hourly data, also
  on a cut horizon and for typical days). Every intertemporal equation (battery state of
  charge) moves by ``dt_h``.
- ``weight_h[t]`` [h of the year the step stands for]: 8760 / hours on a cut horizon, the
  days represented for typical days. Used only for annual sums (cost, emissions, energy,
  water): annual X = sum_t weight_h[t] x_t.

What the IT draws: ``it_load_share[t]`` [-] is the hourly IT power over the ``it_mw`` the
formulation sizes (1 for ``compute.required_pflops``; a given ``compute.it_load_mw`` profile
over its peak ``it_load_peak_mw`` [MW]). ``pue[site, cooling, time]`` comes from the physics
model, a site file's ``pue_<cooling>`` or the scenario's ``pue_curves``, as ``pue_source``
[site, cooling] says (``physics``, ``site_file``, ``scenario_curve``).

This is the one place where inputs get defaults: every variable the formulation reads is
present in the Dataset (e.g. ``grid_cfe_share`` is 0 for a site file without it, ``supply_owned``
is derived from the catalogue), and ``greendc.formulation`` reads them without fallbacks.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import xarray as xr

from greendc.catalogue import EU_MEMBERS, Catalogue
from greendc.catalogue import did_you_mean
from greendc.errors import DataError, ScenarioError
from greendc.physics.cooling import (
    climate_limit_hours, cooling_profiles, heat_rejection_saving,
)
from greendc.physics.finance import annualised_cost_eur_per_yr
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
    _pick([sc.options.battery_type], cat.storage, "options.battery_type", origin)
    if sc.compute.it_load_mw is None:
        servers = _pick(sc.servers, cat.servers, "servers", origin)
    else:  # a given IT load: no servers, or the one type sized to carry it
        one = [sc.compute.server] if sc.compute.server else []
        servers = _pick(one, cat.servers, "compute.server", origin) if one else []
    return {
        "site": [s.id for s in sc.sites],
        "cooling": _pick(sc.cooling, cat.cooling, "cooling", origin),
        "server": servers,
        "tech": _supply_techs(sc, cat, origin),
    }


def _supply_techs(sc, cat: Catalogue, origin: str) -> list[str]:
    """Supply techs of the scenario: ``options.supply_techs`` (default all), without the PPAs
    when ``options.ppa`` is false (exactly as a list naming no PPA)."""
    techs = _pick(sc.options.supply_techs, cat.supply, "options.supply_techs", origin)
    if sc.options.ppa:
        return techs
    listed = [r for r in sc.options.supply_techs or [] if cat.supply[r].kind == "ppa"]
    if listed:
        raise ScenarioError(f"{origin}: options.ppa is false but options.supply_techs lists the "
                            f"PPAs {listed}; drop them or set options.ppa: true")
    return [r for r in techs if cat.supply[r].kind != "ppa"]


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


def step_duration_h(time: np.ndarray) -> np.ndarray:
    """Duration of each time step [h] from a datetime coordinate: the gap to the next step
    (the last step repeats the one before it); 1 h for a single step or a plain index."""
    if len(time) < 2 or not np.issubdtype(np.asarray(time).dtype, np.datetime64):
        return np.ones(len(time))
    gaps = np.diff(np.asarray(time)).astype("timedelta64[s]").astype(float) / 3600.0
    return np.append(gaps, gaps[-1])


def prepare_inputs(
    loaded: LoadedScenario, cat: Catalogue, sites: dict[str, xr.Dataset],
    it_load_mw: np.ndarray | None = None,
) -> xr.Dataset:
    """Build the inputs Dataset of one study (see module docstring for dims and units).
    ``it_load_mw``: the hourly IT load [MW] of a ``compute.it_load_mw`` scenario
    (``greendc.timeseries.load_it_load``; 8,760 h or the horizon's hours)."""
    sc = loaded.scenario
    if (it_load_mw is None) != (sc.compute.it_load_mw is None):
        raise ScenarioError(f"{loaded.origin}: compute.it_load_mw needs its hourly values "
                            "(greendc.timeseries.load_it_load) and only it")
    ids = select_candidates(loaded, cat)
    _check_countries(loaded, sites)
    check_own_pue(loaded, cat, sites)
    hz = sc.horizon
    weather_year_c = {s: sites[s]["air_temperature"].values for s in ids["site"]}
    sites = {s: cut_horizon(sites[s], hz.start_hour, hz.hours) for s in ids["site"]}
    time = sites[ids["site"][0]]["time"].values
    ds = xr.Dataset(coords={"site": ids["site"], "cooling": ids["cooling"],
                            "server": ids["server"], "tech": ids["tech"], "time": time})
    ds["dt_h"] = ("time", step_duration_h(time))
    ds["dt_h"].attrs.update(units="h", long_name="duration of the time step")
    ds["weight_h"] = ("time", np.full(len(time), HOURS_PER_YEAR / len(time)))
    ds["weight_h"].attrs.update(units="h", long_name="hours of the year the step stands for "
                                "(annual sums only)")
    _add_it_load(ds, sc, it_load_mw)
    _add_site_series(ds, sc, cat, sites)
    _add_grid_connection(ds, sc, cat)
    _add_cooling(ds, sc, cat, sites)
    _add_climate_limits(ds, cat, weather_year_c)
    _add_servers(ds, sc, cat)
    _add_flexibility(ds, sc, cat, loaded.origin)
    _add_supply(ds, sc, cat, sites)
    _add_storage_and_heat(ds, sc, cat)
    _add_continuity(ds, loaded, cat)
    _add_heat_credit(ds, sc, cat, sites)
    _add_sovereignty(ds, sc, cat, sites)
    ds.attrs.update(
        scenario=sc.name, max_sites=sc.max_sites,
        carbon_price_eur_per_t=sc.finance.carbon_price_eur_per_t,
        discount_rate=sc.finance.discount_rate,
    )
    if sc.compute.required_pflops is not None:
        ds.attrs["required_pflops"] = sc.compute.required_pflops
    if sc.min_cfe_share is not None:
        ds.attrs["min_cfe_share"] = sc.min_cfe_share
    return ds


def _check_countries(loaded: LoadedScenario, sites: dict[str, xr.Dataset]) -> None:
    """A jurisdiction rule needs every site's country (a CSV file carries none: the
    scenario's ``sites[i].country`` sets it); refused before anything is built."""
    rules = loaded.scenario.sovereignty.allowed_jurisdictions
    stateless = [s for s in sites if not str(sites[s].attrs.get("country", "")).strip()]
    if rules is not None and stateless:
        raise ScenarioError(
            f"{loaded.origin}: sovereignty.allowed_jurisdictions = {rules} needs each site's "
            f"country, but site(s) {stateless} have none (a CSV file carries no attributes): "
            "set `country:` (ISO 3166-1 alpha-2, e.g. FR) under that entry of `sites:`")


def _add_it_load(ds, sc, it_load_mw: np.ndarray | None) -> None:
    """What the IT draws. ``it_load_share[t]`` [-]: hourly IT power as a share of the IT power
    ``it_mw`` the formulation sizes (1 in every hour for ``required_pflops``: the nodes draw
    their utilised power all year). For ``it_load_mw``: the profile over its peak
    ``it_load_peak_mw`` [MW] (the peak of the whole profile, also on a cut horizon), with
    ``server_accounting`` saying whether server cost and embodied emissions are counted."""
    hours = ds.sizes["time"]
    if it_load_mw is None:
        ds["it_load_share"] = ("time", np.ones(hours))
        ds.attrs["compute_basis"] = "required_pflops"
    else:
        peak = float(np.max(it_load_mw))
        if len(it_load_mw) != hours:  # a full-year profile: cut like the site series
            it_load_mw = it_load_mw[sc.horizon.start_hour:sc.horizon.start_hour + hours]
        ds["it_load_share"] = ("time", np.asarray(it_load_mw, dtype=float) / peak)
        ds.attrs.update(compute_basis="it_load_mw", it_load_peak_mw=peak, server_accounting=(
            f"servers sized: compute.server = {sc.compute.server} (count >= peak IT / node "
            "peak power; cost and embodied emissions counted)" if sc.compute.server else
            "no servers modelled: compute.it_load_mw without compute.server (server cost and "
            "embodied emissions not counted)"))
    ds["it_load_share"].attrs.update(units="1", long_name="hourly IT power as a share of it_mw")


def scaled_spot(spot: xr.DataArray, scale: float, negative_too: bool) -> xr.DataArray:
    """Day-ahead price scenario [EUR/MWh]: ``scale`` x the positive prices; negative prices
    keep their value unless ``negative_too`` (``finance.grid_price_scale_negative``)."""
    if negative_too:
        return spot * scale
    return xr.where(spot > 0, spot * scale, spot)


def _add_site_series(ds, sc, cat: Catalogue, sites) -> None:
    names = list(ds.site.values)
    facts = [cat.sites[s] for s in names]
    price = scaled_spot(_hourly(sites, names, "grid_price"), sc.finance.grid_price_scale,
                        sc.finance.grid_price_scale_negative)
    margin = xr.DataArray([f.grid_supply_margin_eur_per_mwh.value for f in facts], dims="site")
    network = xr.DataArray([f.grid_network_eur_per_mwh.value + f.grid_levies_eur_per_mwh.value
                            for f in facts], dims="site")
    ds["grid_price_eur_per_mwh"] = price
    # grid import pays spot + supply margin + network charges and levies
    ds["grid_cost_eur_per_mwh"] = price + margin + network
    # every MWh through the connection pays network charges and levies, PPA energy too
    ds["grid_network_levy_eur_per_mwh"] = network
    ds["grid_network_levy_eur_per_mwh"].attrs["units"] = "EUR/MWh"
    # surplus is settled at the actual spot, negative hours included (the objective spills
    # instead of selling there, see greendc.formulation.objectives)
    sale = price if sc.options.surplus_sale else xr.zeros_like(price)
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


CONNECTION_FACTS = ("grid_connection_capex_eur_per_mw", "grid_connection_lifetime_yr",
                    "grid_capacity_tariff_eur_per_mw_yr", "grid_network_reference_load_factor")


def network_energy_part(network_eur_per_mwh: float, tariff_eur_per_mw_yr: float,
                        load_factor: float) -> float:
    """Energy-related part of the per-MWh network charge [EUR/MWh] once the capacity tariff
    [EUR/MW/yr] is billed on its own: the average charge ``network_eur_per_mwh`` of a consumer
    at ``load_factor`` [-] (its MWh per MW of peak = load_factor x 8,760 h) minus the tariff
    spread over those MWh (data/SOURCES.md, ``grid_network_reference_load_factor``). At that
    load factor the two-part bill equals the average one, so nothing is counted twice."""
    return network_eur_per_mwh - tariff_eur_per_mw_yr / (load_factor * HOURS_PER_YEAR)


def _add_grid_connection(ds, sc, cat: Catalogue) -> None:
    """The grid connection as a decision (``options.grid_connection_cost``) and the queue
    (``commissioning_year``); nothing is added when both are off, so the model is today's.

    On: ``connection_cost_eur_per_mw_yr`` [site] = CRF x capex + capacity tariff [EUR/MW/yr]
    (parts ``connection_capex_cost_eur_per_mw_yr``, ``capacity_tariff_eur_per_mw_yr``), and the
    per-MWh network charge in ``grid_cost_eur_per_mwh`` and ``grid_network_levy_eur_per_mwh``
    is cut to its energy part (``grid_network_energy_eur_per_mwh``, ``network_energy_part``).
    Queue: ``site_connection_year`` [yr] and ``site_connection_in_time`` [0/1] (1: the site's
    connection is delivered by the commissioning year), attr ``commissioning_year``."""
    names = list(ds.site.values)
    facts = {s: cat.sites[s] for s in names}
    if sc.options.grid_connection_cost:
        missing = [f"site {s}: {f}" for s in names for f in CONNECTION_FACTS
                   if getattr(facts[s], f) is None]
        if missing:
            raise ScenarioError(
                "options.grid_connection_cost needs each candidate site's connection facts "
                "(give them under the site's `facts:`):\n  " + "\n  ".join(missing))
        capex = [annualised_cost_eur_per_yr(f.grid_connection_capex_eur_per_mw.value,
                                            sc.finance.discount_rate,
                                            f.grid_connection_lifetime_yr.value)
                 for f in facts.values()]
        tariff = [f.grid_capacity_tariff_eur_per_mw_yr.value for f in facts.values()]
        energy = [network_energy_part(f.grid_network_eur_per_mwh.value,
                                      f.grid_capacity_tariff_eur_per_mw_yr.value,
                                      f.grid_network_reference_load_factor.value)
                  for f in facts.values()]
        bad = [f"site {s}: grid_capacity_tariff_eur_per_mw_yr = {t:,.0f} EUR/MW/yr exceeds the "
               f"whole network charge grid_network_eur_per_mwh = "
               f"{facts[s].grid_network_eur_per_mwh.value:g} EUR/MWh at the reference load "
               f"factor {facts[s].grid_network_reference_load_factor.value:g} "
               f"({-e:.3g} EUR/MWh too much): the two figures cannot describe one bill"
               for s, t, e in zip(names, tariff, energy) if e < -1e-9]
        if bad:
            raise DataError("\n".join(bad))
        energy = np.maximum(energy, 0.0)
        cut = xr.DataArray([f.grid_network_eur_per_mwh.value for f in facts.values()],
                           dims="site") - xr.DataArray(energy, dims="site")
        ds["grid_cost_eur_per_mwh"] = ds["grid_cost_eur_per_mwh"] - cut
        ds["grid_network_levy_eur_per_mwh"] = ds["grid_network_levy_eur_per_mwh"] - cut
        ds["grid_network_levy_eur_per_mwh"].attrs["units"] = "EUR/MWh"
        for name, values, units, long_name in (
                ("connection_capex_cost_eur_per_mw_yr", capex, "EUR/MW/yr",
                 "annualised grid connection capex"),
                ("capacity_tariff_eur_per_mw_yr", tariff, "EUR/MW/yr",
                 "annual network capacity tariff"),
                ("connection_cost_eur_per_mw_yr", np.add(capex, tariff), "EUR/MW/yr",
                 "annual cost per MW of grid connection (capex + capacity tariff)"),
                ("grid_network_energy_eur_per_mwh", energy, "EUR/MWh",
                 "energy-related part of the network charge (capacity tariff billed apart)")):
            ds[name] = ("site", np.asarray(values, dtype=float))
            ds[name].attrs.update(units=units, long_name=long_name)
    if sc.commissioning_year is not None:
        missing = [s for s in names if facts[s].grid_connection_year is None]
        if missing:
            raise ScenarioError(
                f"commissioning_year = {sc.commissioning_year} needs each candidate site's "
                f"grid_connection_year [yr] (the year its connection can be delivered); "
                f"site(s) {missing} have none: give it under the site's `facts:`")
        years = np.array([facts[s].grid_connection_year.value for s in names])
        ds["site_connection_year"] = ("site", years)
        ds["site_connection_year"].attrs.update(
            units="yr", long_name="year the site's grid connection can be delivered")
        ds["site_connection_in_time"] = ("site", (years <= sc.commissioning_year).astype(float))
        ds["site_connection_in_time"].attrs.update(
            units="1", long_name="connection delivered by the commissioning year")
        ds.attrs["commissioning_year"] = int(sc.commissioning_year)


def _add_cooling(ds, sc, cat: Catalogue, sites) -> None:
    names, cools = list(ds.site.values), list(ds.cooling.values)
    pue = np.empty((len(names), len(cools), ds.sizes["time"]))
    wue, offload, water_saved = np.empty_like(pue), np.empty_like(pue), np.empty_like(pue)
    for i, s in enumerate(names):
        t = sites[s]["air_temperature"].values.astype(float)
        rh = sites[s]["relative_humidity"].values.astype(float)
        for j, c in enumerate(cools):
            spec = cat.cooling[c]
            params = {k: q.value for k, q in spec.parameters.items()}
            pue[i, j], wue[i, j] = cooling_profiles(t, rh, spec.pue_model, params)
            offload[i, j], water_saved[i, j] = heat_rejection_saving(t, rh, spec.pue_model,
                                                                     params)
    source = np.full((len(names), len(cools)), "physics", dtype=object)
    for i, s in enumerate(names):
        for j, c in enumerate(cools):
            own = _own_pue(sc, sites[s], c)
            if own is not None:
                # the plant's saving per MW_th recovered cannot exceed its own share of PUE
                limit = (own[0] - 1.0) / max(cat.cooling[c].recoverable_heat_share.value, 1e-9)
                pue[i, j], source[i, j] = own
                offload[i, j] = np.minimum(offload[i, j], limit)
    ds["pue"] = (("site", "cooling", "time"), pue)
    ds["pue_source"] = (("site", "cooling"), source.astype(str))
    ds["pue_source"].attrs["long_name"] = ("where the hourly PUE comes from: physics (weather "
                                           "model), site_file (pue_<cooling>) or scenario_curve")
    ds["wue_l_per_kwh"] = (("site", "cooling", "time"), wue)
    ds["cooling_offload_kw_per_kw_th"] = (("site", "cooling", "time"), offload)
    ds["cooling_offload_water_l_per_kwh_th"] = (("site", "cooling", "time"), water_saved)
    # m3 of water per MW of IT load over the year: MW * h = 1000 kWh; * L/kWh / 1000 L/m3.
    ds["water_m3_per_mw_it_yr"] = (ds["wue_l_per_kwh"] * ds["weight_h"]
                                   * ds["it_load_share"]).sum("time")
    specs = [cat.cooling[c] for c in cools]
    rate = sc.finance.discount_rate
    ds["cooling_cost_eur_per_mw_it_yr"] = ("cooling", [
        x.annual_cost("capex_eur_per_kw_it", rate) for x in specs])
    ds["max_rack_density_kw"] = ("cooling", [x.max_rack_density_kw_per_rack.value for x in specs])
    ds["floor_m2_per_rack"] = ("cooling", [x.floor_m2_per_rack.value for x in specs])
    ds["recoverable_heat_share"] = ("cooling", [x.recoverable_heat_share.value for x in specs])
    ds["heat_output_temperature_c"] = ("cooling", [x.heat_output_temperature_c.value for x in specs])
    ds["liquid_cooling"] = ("cooling", [x.pue_model in LIQUID_PUE_MODELS for x in specs])


def _own_pue(sc, site: xr.Dataset, cooling: str) -> tuple[np.ndarray, str] | None:
    """The planner's hourly PUE of ``cooling`` at a site [-]: the site file's
    ``pue_<cooling>``, else the scenario's ``pue_curves[cooling]`` interpolated linearly in
    the hourly dry-bulb temperature [degC] (held at the end values beyond the curve), else
    None (the physics model). Water use and the heat-recovery saving stay those of the
    cooling's physics model (the saving capped by the own PUE's plant share)."""
    if f"pue_{cooling}" in site:
        return site[f"pue_{cooling}"].values.astype(float), "site_file"
    curve = sc.pue_curves.get(cooling)
    if curve is None:
        return None
    temps = site["air_temperature"].values.astype(float)
    return (np.interp(temps, [p.dry_bulb_c for p in curve], [p.pue for p in curve]),
            "scenario_curve")


def check_own_pue(loaded: LoadedScenario, cat: Catalogue, sites: dict[str, xr.Dataset]) -> None:
    """Own PUE must name a catalogue cooling: ``pue_curves`` keys and the site files'
    ``pue_<cooling>`` variables (an unknown name is an error, never ignored); one for a
    cooling the scenario leaves out is reported as a warning."""
    import warnings

    origin, wanted = loaded.origin, set(select_candidates(loaded, cat)["cooling"])
    named = [(f"pue_curves.{c}", c) for c in loaded.scenario.pue_curves]
    named += [(f"site {s!r}: variable {v!r}", v.removeprefix("pue_"))
              for s, ds in sites.items() for v in ds.data_vars if str(v).startswith("pue_")]
    bad = [f"{origin}: {where}: unknown cooling {c!r}; {did_you_mean(c, cat.cooling)}the "
           f"catalogue has {sorted(cat.cooling)}" for where, c in named if c not in cat.cooling]
    if bad:
        raise ScenarioError("\n".join(bad))
    for where, c in named:
        if c not in wanted:
            warnings.warn(f"{origin}: {where}: cooling {c!r} is not a candidate of this "
                          "scenario (`cooling:`), so its own PUE is not used", stacklevel=2)


def _add_climate_limits(ds, cat: Catalogue, weather_year_c: dict) -> None:
    """Hours of the site's whole weather year (not only the modelled horizon) above a
    chiller-less cooling's ``max_dry_bulb_c`` [h], and that limit [degC] (NaN if none)."""
    cools = list(ds.cooling.values)
    params = [{k: q.value for k, q in cat.cooling[c].parameters.items()} for c in cools]
    ds["climate_limit_hours"] = (("site", "cooling"), [
        [climate_limit_hours(weather_year_c[s], p) for p in params] for s in ds.site.values])
    ds["climate_max_dry_bulb_c"] = ("cooling", [p.get("max_dry_bulb_c", np.nan) for p in params])
    ds["climate_max_air_temperature_c"] = ("site", [
        float(np.max(weather_year_c[s])) for s in ds.site.values])


def _add_servers(ds, sc, cat: Catalogue) -> None:
    names, cools = list(ds.server.values), list(ds.cooling.values)
    specs = [cat.servers[k] for k in names]
    u, rate = sc.compute.utilisation_share, sc.finance.discount_rate
    peak = np.array([x.power_kw.value for x in specs]) / 1000
    idle = np.array([x.idle_power_kw.value for x in specs]) / 1000
    ds["node_peak_mw"] = ("server", peak)
    ds["node_power_mw"] = ("server", idle + u * (peak - idle))
    ds["node_performance_pflops"] = ("server", [x.performance_pflops.value for x in specs])
    ds["node_cost_eur_per_yr"] = ("server", [x.annual_cost("price_eur", rate) for x in specs])
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
    if sc.compute.required_pflops is not None:
        need = sc.compute.required_pflops / ds["node_performance_pflops"].values
    else:  # the chosen type's count carries the peak IT load
        need = ds.attrs["it_load_peak_mw"] / peak
    ds["max_nodes"] = ("server", np.ceil(need))


PERIOD_H = {"day": 24.0, "week": 168.0}


def _add_flexibility(ds, sc, cat: Catalogue, origin: str) -> None:
    """Flexible training load (``compute.flexibility``, ``greendc.formulation.flexible``):
    nothing is added when it is off. On: attrs ``flex_training_share``, ``flex_period_h``
    [h], ``flex_floor_share``, ``flex_max_ramp_share_per_h`` (NaN: no limit),
    ``flex_curtailable_share``, ``flex_curtailment_cost_eur_per_mwh`` [EUR/MWh] and the nodes'
    idle power ``node_idle_mw`` [MW per node]. The curtailment cost defaults to the cheapest
    candidate server's annualised cost [EUR/yr] over the energy it draws in a year at the
    scenario's utilisation [MWh/yr]: the capital that stands idle per MWh of training not
    done (data/SOURCES.md, flexible_training_curtailment_cost)."""
    flex = sc.compute.flexibility
    if flex is None:
        return
    cost = flex.curtailment_cost_eur_per_mwh
    if cost is None:
        power = ds["node_power_mw"].values
        if not len(power):
            if flex.curtailable_share > 0:
                raise ScenarioError(
                    f"{origin}: compute.flexibility.curtailable_share = "
                    f"{flex.curtailable_share:g} without servers (compute.it_load_mw without "
                    "compute.server) has no default value of lost training: set "
                    "compute.flexibility.curtailment_cost_eur_per_mwh [EUR/MWh]")
            cost = 0.0
        else:
            cost = float(np.min(ds["node_cost_eur_per_yr"].values / (power * HOURS_PER_YEAR)))
    ramp = flex.max_ramp_share_per_h
    if ramp is not None and ds.attrs["compute_basis"] == "it_load_mw":
        _check_given_ramp(ds, ramp, origin)
    ds["node_idle_mw"] = ("server", [cat.servers[k].idle_power_kw.value / 1000
                                     for k in ds.server.values])
    ds["node_idle_mw"].attrs.update(units="MW", long_name="node power at idle")
    ds.attrs.update(
        flex_training_share=flex.training_share, flex_period_h=PERIOD_H[flex.period],
        flex_floor_share=flex.floor_share,
        flex_max_ramp_share_per_h=np.nan if ramp is None else ramp,
        flex_curtailable_share=flex.curtailable_share,
        flex_curtailment_cost_eur_per_mwh=cost)


def _check_given_ramp(ds, ramp: float, origin: str) -> None:
    """A given IT-load profile must itself respect the ramp limit (then following it is
    always feasible; the limit is on the IT power, whose peak is at least the profile's)."""
    share, dt = ds["it_load_share"].values, ds["dt_h"].values
    step = np.abs(np.diff(share)) / dt[:-1]
    if len(step) and step.max() > ramp + 1e-9:
        t = int(np.argmax(step))
        raise ScenarioError(
            f"{origin}: compute.flexibility.max_ramp_share_per_h = {ramp:g} per h, but the "
            f"given IT-load profile (compute.it_load_mw) itself changes by {step[t]:.3g} of "
            f"its peak per h between steps {t} and {t + 1}: raise the limit or drop it")


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
            strike[i, j] = spec.strike_for(country)
            limit = cat.sites[s].supply_potential_mw.get(r)
            potential[i, j] = limit.value if limit is not None else 0.0
    ds["capacity_factor"] = (("site", "tech", "time"), cf)
    ds["strike_eur_per_mwh"] = (("site", "tech"), strike)
    ds["supply_potential_mw"] = (("site", "tech"), potential)
    specs = [cat.supply[r] for r in techs]
    ds["supply_capacity_cost_eur_per_mw_yr"] = ("tech", [
        x.annual_cost("capex_eur_per_kw", rate) for x in specs])
    ds["supply_lifecycle_g_per_kwh"] = ("tech", [x.lifecycle_g_co2_per_kwh.value for x in specs])
    # owned plants count their life cycle as embodied, PPAs as operational
    ds["supply_owned"] = ("tech", [float(x.kind == "owned") for x in specs])
    ds["supply_energy_mwh_per_mw_yr"] = (ds["capacity_factor"] * ds["weight_h"]).sum("time")


def _add_storage_and_heat(ds, sc, cat: Catalogue) -> None:
    rate = sc.finance.discount_rate
    b = cat.storage[sc.options.battery_type]
    ds.attrs.update(
        battery_energy_cost_eur_per_mwh_yr=b.annual_cost("energy_capex_eur_per_mwh", rate),
        battery_power_cost_eur_per_mw_yr=b.annual_cost("power_capex_eur_per_mw", rate),
        battery_charge_efficiency=b.charge_efficiency.value,
        battery_discharge_efficiency=b.discharge_efficiency.value,
        battery_embodied_t_per_mwh_yr=b.embodied_kg_co2_per_kwh.value / b.energy_lifetime_yr.value,
        battery_enabled=int(sc.options.battery),
    )
    hp, dh = cat.heat.heat_pump, cat.heat.district_heating
    ds.attrs.update(
        heat_pump_cost_eur_per_mw_yr=hp.annual_cost("capex_eur_per_mw_th", rate),
        dh_connection_cost_eur_per_yr=dh.annual_cost("connection_capex_eur", rate),
    )
    supply_c = district_heating_supply_temperature_c(
        ds["air_temperature_c"], dh.supply_max_c.value, dh.supply_min_c.value,
        dh.design_outdoor_c.value, dh.cutoff_outdoor_c.value)
    ds["dh_supply_temperature_c"] = supply_c
    ds["heat_pump_cop"] = heat_pump_cop(
        ds["heat_output_temperature_c"], supply_c, hp.carnot_efficiency.value,
        hp.approach_k.value, hp.cop_max.value,
        hp.direct_exchange_aux_share.value).transpose("site", "cooling", "time")


def _add_continuity(ds, loaded: LoadedScenario, cat: Catalogue) -> None:
    """Backup for supply continuity (``formulation.continuity``), only when the scenario sets
    ``continuity``: dim ``backup`` = the allowed gensets; per genset the annual power cost
    ``backup_cost_eur_per_mw_yr`` (capex annuity + fixed O&M), the fuel store
    ``backup_fuel_storage_cost_eur_per_mwh_yr`` [EUR per MWh_e of stored fuel per yr], the
    test runs ``backup_test_cost_eur_per_mw_yr`` = h_test x load x fuel cost and
    ``backup_test_t_per_mw_yr`` = h_test x load x emission factor / 1000 [tCO2e per MW per
    yr]; ``pue_peak`` [site, cooling] the highest hourly PUE of the modelled hours; attrs
    ``continuity_autonomy_h`` [h], ``continuity_redundancy``, ``continuity_unit_mw`` [MW],
    ``continuity_technologies`` (the allowed ids, comma-separated), ``continuity_battery``
    (1: the site battery, ``kind: battery``, may serve as UPS and ``options.battery`` is on)."""
    cont, origin = loaded.scenario.continuity, loaded.origin
    if cont is None:
        return
    allowed = _pick(cont.technologies, cat.backup, "continuity.technologies", origin)
    gensets = [g for g in allowed if cat.backup[g].kind == "genset"]
    specs = [cat.backup[g] for g in gensets]
    rate = loaded.scenario.finance.discount_rate
    ds.coords["backup"] = gensets
    hours = [cont.test_hours_per_yr if cont.test_hours_per_yr is not None
             else x.test_hours_per_yr.value for x in specs]
    run = np.array([h * x.test_load_share.value for h, x in zip(hours, specs)])  # h/yr at full load
    ds["backup_cost_eur_per_mw_yr"] = ("backup", [
        x.annual_cost("capex_eur_per_kw", rate) for x in specs])
    ds["backup_fuel_storage_cost_eur_per_mwh_yr"] = ("backup", [
        x.annual_cost("fuel_storage_capex_eur_per_mwh_e", rate) for x in specs])
    ds["backup_test_cost_eur_per_mw_yr"] = ("backup", run * np.array(
        [x.fuel_cost_eur_per_mwh_e.value for x in specs], dtype=float))
    ds["backup_test_t_per_mw_yr"] = ("backup", run * np.array(
        [x.emission_factor_g_per_kwh_e.value for x in specs], dtype=float) / 1000.0)
    for name, units in (("backup_cost_eur_per_mw_yr", "EUR/MW/yr"),
                        ("backup_fuel_storage_cost_eur_per_mwh_yr", "EUR/MWh/yr"),
                        ("backup_test_cost_eur_per_mw_yr", "EUR/MW/yr"),
                        ("backup_test_t_per_mw_yr", "tCO2e/MW/yr")):
        ds[name].attrs["units"] = units
    ds["pue_peak"] = ds["pue"].max("time")
    ds["pue_peak"].attrs.update(units="1", long_name="highest hourly PUE of the modelled hours")
    unit = cont.unit_mw if cont.unit_mw is not None else max(
        cat.backup[g].unit_mw.value for g in allowed)
    ds.attrs.update(continuity_autonomy_h=float(cont.autonomy_h),
                    continuity_redundancy=cont.redundancy, continuity_unit_mw=float(unit),
                    continuity_technologies=",".join(allowed),
                    continuity_battery=int(len(gensets) < len(allowed)
                                           and loaded.scenario.options.battery))


def _add_heat_credit(ds, sc, cat: Catalogue, sites) -> None:
    """Carbon content of the heat each site's network would otherwise produce
    [gCO2e/kWh_th] (the site's ``heat_network_carbon_g_per_kwh_th`` fact, else its country's
    value) and the scenario switch that counts the avoided emissions in the objective
    (``options.credit_avoided_heat_emissions``)."""
    table = cat.heat.district_heating.network_carbon_g_per_kwh_th
    values = []
    for s in ds.site.values:
        country = str(sites[s].attrs.get("country", ""))
        q = cat.sites[s].heat_network_carbon_g_per_kwh_th or table.get(country)
        if q is None and float(ds["heat_demand_mw"].sel(site=s).max()) > 0:
            raise ScenarioError(
                f"site {s!r} (country {country!r}) can export heat but has no network carbon "
                f"content: heat.district_heating.network_carbon_g_per_kwh_th has no "
                f"{country!r} entry and the site gives no heat_network_carbon_g_per_kwh_th "
                f"[gCO2e/kWh_th]; add one or set options.heat_export: false")
        values.append(q.value if q is not None else 0.0)
    ds["heat_network_ci_g_per_kwh_th"] = ("site", values)
    ds.attrs["credit_avoided_heat_emissions"] = int(sc.options.credit_avoided_heat_emissions)


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
