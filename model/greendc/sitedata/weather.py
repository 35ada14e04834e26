"""Typical-year weather from packaged EPW / DWD TRY files, PV and wind capacity factors.

Time axis: EPW and TRY rows are hour-ending values in local *standard* time (EPW header field
8 gives the offset; TRY uses MEZ = UTC+1). Row i covers local [i, i+1) h, i.e. UTC
[i - offset, i - offset + 1) h, so the series is rolled by ``-offset`` hours onto the UTC
hour-beginning axis (the ``offset`` hours that wrap around come from the first hours of the
same typical year). The typical year is then laid on the default data year's hour-of-year axis;
every data-year file of a site carries the same typical-year values hour of year for hour of year.

``adjust_to_normals`` shifts a proxy's air temperature to the real site's published monthly
normals (see ``recipes.Weather.monthly_normals_c``).
"""

from __future__ import annotations

import pathlib
import re

import numpy as np
import pandas as pd

from greendc.sitedata import recipes as R
from greendc.sitedata.sources import package_file, require_module

EPW_COLS = {6: "temp_air", 7: "dew_point", 8: "rel_hum", 9: "pressure", 13: "ghi",
            21: "wind_speed"}
TRY_NAMES = "RG IS MM DD HH N WR WG t p x RF W B D IK A E IL".split()


def epw_location(path: pathlib.Path) -> dict:
    """The LOCATION header line of an EPW file (EnergyPlus Auxiliary Programs, "EnergyPlus
    Weather File (EPW) Data Dictionary"): city, state, country, source, WMO number, latitude
    [deg N], longitude [deg E], time zone [h from UTC], elevation [m]. A header without
    usable coordinates is a DataError naming the field."""
    from greendc.errors import DataError

    with open(path, encoding="utf-8", errors="replace") as handle:
        head = handle.readline().strip().split(",")
    if not head or head[0].strip().upper() != "LOCATION" or len(head) < 10:
        raise DataError(f"{path}: first line is not an EPW LOCATION header with 10 fields "
                        f"(LOCATION,city,state,country,source,WMO,latitude,longitude,time zone,"
                        f"elevation); give --lat, --lon and --altitude")
    out = {"city": head[1].strip(), "country": head[3].strip(), "wmo": head[5].strip()}
    ranges = {"latitude": (6, -90, 90, "deg N"), "longitude": (7, -180, 180, "deg E"),
              "time_zone_h": (8, -12, 14, "h from UTC"), "elevation_m": (9, -500, 9000, "m")}
    for key, (i, lo, hi, unit) in ranges.items():
        try:
            value = float(head[i])
        except ValueError:
            raise DataError(f"{path}: EPW header field {key} = {head[i]!r}: expected a "
                            f"number [{unit}]") from None
        if not lo <= value <= hi:
            raise DataError(f"{path}: EPW header field {key} = {value:g}: expected "
                            f"{lo}-{hi} [{unit}]")
        out[key] = value
    return out


def read_weather(w: R.Weather) -> tuple[pd.DataFrame, dict]:
    """Return hourly weather on the 2018 UTC axis (columns temp_air degC, rel_hum %, ghi W/m2,
    wind_speed m/s at 10 m, pressure Pa) and station metadata."""
    path = package_file(w.package, w.path) if w.package else pathlib.Path(w.path)
    if w.kind == "csv":
        return _read_weather_csv(path)
    if w.kind == "epw":
        head = path.read_text(errors="replace").splitlines()[0].split(",")
        df = pd.read_csv(path, skiprows=8, header=None, usecols=list(EPW_COLS))
        df = df.rename(columns=EPW_COLS)[list(EPW_COLS.values())]
        meta = {"lat": float(head[6]), "lon": float(head[7]), "tz": float(head[8]),
                "elev": float(head[9]), "label": f"{head[1]}/{head[3]}"}
    elif w.kind == "try":
        lines = path.read_text(encoding="latin-1").splitlines()
        df = pd.read_csv(path, sep=r"\s+", skiprows=lines.index("***") + 1, header=None,
                         encoding="latin-1", names=TRY_NAMES)
        df = pd.DataFrame({"temp_air": df.t, "rel_hum": df.RF, "ghi": df.B + df.D,
                           "wind_speed": df.WG, "pressure": df.p * 100.0})
        lat, lon, elev, name = _try_coords(lines)
        meta = {"lat": round(lat, 4), "lon": round(lon, 4), "tz": 1.0, "elev": elev,
                "label": f"DWD TRY2010 {name}"}
    else:  # pragma: no cover - recipes are fixed
        raise ValueError(w.kind)
    if len(df) != 8760:
        raise ValueError(f"{path}: {len(df)} rows, expected 8760")
    shift = int(round(meta["tz"]))
    out = pd.DataFrame({c: np.roll(df[c].to_numpy(dtype=float), -shift) for c in df.columns},
                       index=pd.date_range(f"{R.DEFAULT_YEAR}-01-01", periods=8760, freq="h"))
    out["rel_hum"] = out["rel_hum"].clip(0, 100)
    out["ghi"] = out["ghi"].clip(lower=0)
    meta["path"] = str(path)
    meta["roll_hours"] = -shift
    return out, meta


CSV_COLUMNS = {"air_temperature": "temp_air", "relative_humidity": "rel_hum", "ghi": "ghi",
               "wind_speed": "wind_speed"}


def _read_weather_csv(path: pathlib.Path) -> tuple[pd.DataFrame, dict]:
    """User weather CSV: ``time`` (UTC, hour-beginning) + air_temperature [degC],
    relative_humidity [%], ghi [W/m2], wind_speed [m/s at 10 m], optional pressure [Pa]."""
    from greendc.errors import DataError

    try:
        df = pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: cannot read the weather CSV ({exc})") from exc
    missing = [c for c in ["time", *CSV_COLUMNS] if c not in df.columns]
    if missing:
        raise DataError(f"{path}: weather CSV lacks columns {missing}; expected time (UTC), "
                        "air_temperature (degC), relative_humidity (%), ghi (W/m2), "
                        "wind_speed (m/s at 10 m) and optionally pressure (Pa)")
    if len(df) != 8760:
        raise DataError(f"{path}: {len(df)} rows, expected 8,760 hourly rows (one year; drop "
                        "29 February in a leap year)")
    out = df.rename(columns=CSV_COLUMNS)[list(CSV_COLUMNS.values())].astype(float)
    out["pressure"] = df["pressure"].astype(float) if "pressure" in df else 101325.0
    out.index = pd.date_range(f"{R.DEFAULT_YEAR}-01-01", periods=8760, freq="h")
    out["rel_hum"] = out["rel_hum"].clip(0, 100)
    out["ghi"] = out["ghi"].clip(lower=0)
    meta = {"lat": float("nan"), "lon": float("nan"), "tz": 0.0, "elev": 0.0,
            "label": path.name, "path": str(path), "roll_hours": 0}
    return out, meta


_LAGE = re.compile(r"Lage:\s*(\d+)\D+?(\d+)'N\D+?(\d+)\D+?(\d+)'O\D+?(\d+)\s*Meter")


def _try_coords(lines: list[str]) -> tuple[float, float, float, str]:
    """Station latitude, longitude, elevation and name from the DWD TRY header."""
    text = "\n".join(lines[:20])
    m = _LAGE.search(text)
    if not m:
        raise ValueError("DWD TRY header without a 'Lage:' line")
    a, b, c, d, e = (int(x) for x in m.groups())
    st = re.search(r"Station:\s*(\S+)", text)
    return a + b / 60, c + d / 60, float(e), st.group(1) if st else ""


def adjust_to_normals(w: pd.DataFrame, normals_c: tuple[float, ...]) -> tuple[np.ndarray, dict]:
    """Shift the hourly air temperature so that each month's mean equals ``normals_c``.

    delta_m = normal_m - (proxy monthly mean)_m [K]; the hourly shift is delta interpolated
    linearly in day of year between mid-months (periodic over the year), so no step appears at
    month boundaries; the monthly means then match the normals to within ~0.1 K. Relative
    humidity is kept (the dew point rises with the temperature). Returns the shift [K] per hour
    and statistics.
    """
    if len(normals_c) != 12:
        raise ValueError("monthly_normals_c needs 12 values (Jan..Dec)")
    t = w["temp_air"]
    delta = np.asarray(normals_c) - t.groupby(t.index.month).mean().to_numpy()
    mid = np.array([15.5 + 30.4375 * m for m in range(12)])  # mid-month day of year (0-based)
    doy = (w.index.day_of_year.to_numpy() - 1) + w.index.hour.to_numpy() / 24.0
    shift = np.interp(doy, np.r_[mid[-1] - 365.0, mid, mid[0] + 365.0],
                      np.r_[delta[-1], delta, delta[0]])
    return shift, {"monthly_delta_k": ", ".join(f"{d:+.2f}" for d in delta),
                   "mean_shift_k": round(float(shift.mean()), 3)}


def solar_position(idx: pd.DatetimeIndex, lat: float, lon: float, alt: float):
    """Solar position at the middle of each UTC hour-beginning interval."""
    pvlib = require_module("pvlib")
    mid = (idx + pd.Timedelta(minutes=30)).tz_localize("UTC")
    return pvlib.solarposition.get_solarposition(mid, lat, lon, altitude=alt), mid


def clear_sky_ratio(idx, lat_site, lon_site, alt_site, lat_st, lon_st, alt_st) -> np.ndarray:
    """Per-hour factor = daily clear-sky GHI at the site / at the station (pvlib Ineichen)."""
    pvlib = require_module("pvlib")
    mid = (idx + pd.Timedelta(minutes=30)).tz_localize("UTC")
    cs_site = pvlib.location.Location(lat_site, lon_site, altitude=alt_site).get_clearsky(mid)
    cs_st = pvlib.location.Location(lat_st, lon_st, altitude=alt_st).get_clearsky(mid)
    day = np.asarray(idx.day_of_year)
    s = pd.Series(cs_site["ghi"].to_numpy()).groupby(day).transform("sum").to_numpy()
    t = pd.Series(cs_st["ghi"].to_numpy()).groupby(day).transform("sum").to_numpy()
    return np.where(t > 0, s / np.where(t > 0, t, 1.0), 1.0)


def utility_tilt(lat: float) -> float:
    """Fixed-tilt utility plant: tilt ~ 0.7 x latitude, within 20-40 degrees, rounded."""
    return float(np.clip(round(0.7 * abs(lat)), 20, 40))


def pv_cf(w: pd.DataFrame, lat: float, lon: float, alt: float, tilt: float, losses: float,
          u0: float, u1: float) -> np.ndarray:
    """PVWatts capacity factor per kW DC (pvlib): Erbs GHI split, isotropic sky, Faiman cell
    temperature, gamma -0.4 %/K, system losses, PVWatts inverter (96 % nominal)."""
    pvlib = require_module("pvlib")
    sp, mid = solar_position(w.index, lat, lon, alt)
    ghi = pd.Series(w["ghi"].to_numpy(), index=mid)
    dec = pvlib.irradiance.erbs(ghi, sp["zenith"], mid)
    dni_extra = pvlib.irradiance.get_extra_radiation(mid)
    poa = pvlib.irradiance.get_total_irradiance(
        tilt, 180.0, sp["apparent_zenith"], sp["azimuth"], dec["dni"], ghi, dec["dhi"],
        dni_extra=dni_extra, albedo=0.2, model="isotropic")
    poa_g = poa["poa_global"].fillna(0.0).clip(lower=0)
    tc = pvlib.temperature.faiman(poa_g, w["temp_air"].to_numpy(), w["wind_speed"].to_numpy(),
                                  u0=u0, u1=u1)
    pdc = pvlib.pvsystem.pvwatts_dc(poa_g, tc, 1.0, -0.004) * (1.0 - losses)
    pac = pvlib.inverter.pvwatts(pdc, 1.0, 0.96)
    return np.clip(np.nan_to_num(np.asarray(pac, dtype=float)), 0.0, 1.0)


def wind_cf_raw(w: pd.DataFrame, speed_factor: float = 1.0) -> tuple[np.ndarray, float]:
    """Onshore turbine CF from 10 m wind (windpowerlib, log-law, bundled power curve)."""
    wpl = require_module("windpowerlib")
    turbine = wpl.WindTurbine(turbine_type=R.WIND_TURBINE, hub_height=R.WIND_HUB_HEIGHT_M)
    weather = pd.DataFrame({
        ("wind_speed", 10): w["wind_speed"].to_numpy() * speed_factor,
        ("temperature", 2): w["temp_air"].to_numpy() + 273.15,
        ("pressure", 0): w["pressure"].to_numpy(),
        ("roughness_length", 0): np.full(len(w), R.ROUGHNESS_LENGTH_M)}, index=w.index)
    weather.columns = pd.MultiIndex.from_tuples(weather.columns,
                                                names=["variable_name", "height"])
    mc = wpl.ModelChain(turbine, wind_speed_model="logarithmic").run_model(weather)
    cf = np.clip(np.asarray(mc.power_output, dtype=float) / turbine.nominal_power, 0.0, 1.0)
    return cf, float(turbine.nominal_power)


def wind_cf_scaled(w: pd.DataFrame, target: float) -> tuple[np.ndarray, dict]:
    """Scale the 10 m wind speed by one factor k (bisection, deterministic) so that the annual
    mean CF equals ``target``; return the CF and the raw/scaled statistics."""
    raw, nominal = wind_cf_raw(w)
    lo, hi = 0.2, 4.0
    for _ in range(60):
        k = 0.5 * (lo + hi)
        if wind_cf_raw(w, k)[0].mean() < target:
            lo = k
        else:
            hi = k
        if hi - lo < 1e-7:
            break
    k = 0.5 * (lo + hi)
    cf = wind_cf_raw(w, k)[0]
    return cf, {"raw_mean": round(float(raw.mean()), 4), "scaled_mean": round(float(cf.mean()), 4),
                "wind_speed_scale_factor": round(k, 5), "target_cf": target,
                "turbine": R.WIND_TURBINE, "hub_height_m": R.WIND_HUB_HEIGHT_M,
                "turbine_nominal_w": nominal, "roughness_length_m": R.ROUGHNESS_LENGTH_M}


def heat_profile(w: pd.DataFrame, annual_mwh: float) -> np.ndarray:
    """BDEW multi-family-house heat profile (demandlib, incl. hot water) driven by the site
    temperature, scaled so that the year sums to ``annual_mwh`` (hourly MWh = MW)."""
    bdew = require_module("demandlib.bdew")
    temp = pd.Series(w["temp_air"].to_numpy(), index=w.index)
    prof = bdew.HeatBuilding(temp.index, holidays={}, temperature=temp, shlp_type="MFH",
                             building_class=2, wind_class=0, annual_heat_demand=annual_mwh,
                             name="MFH", ww_incl=True).get_bdew_profile()
    prof = np.clip(np.asarray(prof, dtype=float), 0.0, None)
    return prof * (annual_mwh / prof.sum())
