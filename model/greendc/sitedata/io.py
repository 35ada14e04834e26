"""Read and write one site's hourly series (NetCDF or CSV), always validated.

File formats
------------
- NetCDF (``.nc``): as written by ``write_site_file`` (``data/sites/<site_id>.nc``): a ``time``
  coordinate of 8,760 naive datetime64 values meaning UTC (hour-beginning), one variable per
  series with ``units``/``long_name``/``source`` attributes, global attributes about the site.
- CSV (``.csv``): a ``time`` column of ISO 8601 timestamps in UTC (``2018-01-01T00:00``,
  optionally with ``Z`` or ``+00:00``; any other offset is refused) and one column per
  variable. Units: either a second header row whose ``time`` cell is ``units`` (e.g.
  ``units,EUR/kWh,kgCO2e/kWh``) or a sidecar ``<name>.units.yaml`` mapping variable -> unit;
  columns without a unit are in the documented unit of ``greendc.sitedata.checks.SPECS``
  (and a series whose magnitude only fits another unit is refused, naming that unit). No
  global attributes.

A leap year's file (8,784 hours from 1 January) loses its 31 December on reading
(``first_8760_hours``, the rule of the reference files), so every file has the model's 8,760 hours.

Units given (a NetCDF ``units`` attribute, a CSV units row or sidecar) are parsed with pint and
converted to the documented unit when compatible (kgCO2e/kWh -> gCO2e/kWh), else refused.
"""

from __future__ import annotations

import pathlib

import numpy as np
import pandas as pd
import xarray as xr

from greendc import atomic
from greendc.errors import DataError
from greendc.sitedata.checks import (
    SPECS, check_site_dataset, convert_site_units, parse_utc_times,
)

TIME_ENCODING = {"units": "hours since 2018-01-01 00:00:00", "calendar": "proleptic_gregorian",
                 "dtype": "int32"}


def _origin(path: pathlib.Path, site_id: str | None) -> str:
    return str(path)


def _read_netcdf(path: pathlib.Path) -> xr.Dataset:
    try:
        with xr.open_dataset(path) as ds:
            return ds.load()
    except (OSError, ValueError, RuntimeError, KeyError, TypeError) as exc:
        raise DataError(f"{path}: cannot read as NetCDF ({type(exc).__name__}: {exc}); expected "
                        "a site NetCDF file as written by 'greendc data build'") from None


def _read_csv(path: pathlib.Path) -> xr.Dataset:
    origin = str(path)
    try:
        df = pd.read_csv(path, dtype={"time": "string"})
    except (OSError, ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DataError(f"{origin}: cannot read as CSV ({type(exc).__name__}: {exc})") from None
    if "time" not in df.columns:
        raise DataError(f"{origin}: no 'time' column (columns: {', '.join(map(str, df.columns))}); "
                        "expected a 'time' column of ISO UTC timestamps plus one column per "
                        "variable")
    units = _csv_units(path, df)
    if units.pop("__row__", None):
        df = df.iloc[1:].reset_index(drop=True)
    times = parse_utc_times(df["time"], origin)
    data_vars = {}
    for col in df.columns:
        if col == "time":
            continue
        values = pd.to_numeric(df[col], errors="coerce")
        bad = values.isna() & df[col].notna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(f"{origin}: {col}: non-numeric value {df[col].iloc[row]!r} in row "
                            f"{row + 1} (time {df['time'].iloc[row]}); expected numbers")
        unit = units.get(str(col)) or (SPECS[col].unit if col in SPECS else None)
        attrs = {"units": unit} if unit else {}
        data_vars[str(col)] = ("time", values.to_numpy(dtype=float), attrs)
    return xr.Dataset(data_vars, coords={"time": times.to_numpy()})


def _csv_units(path: pathlib.Path, df: pd.DataFrame) -> dict[str, str]:
    """Units of the CSV columns: a first data row whose time cell is ``units`` (then the key
    ``__row__`` is set) or a sidecar ``<stem>.units.yaml``; empty when neither is given."""
    from greendc.yamlio import load_yaml

    found: dict[str, str] = {}
    if len(df) and str(df["time"].iloc[0]).strip().lower() == "units":
        found = {str(c): str(v).strip() for c, v in df.iloc[0].items()
                 if c != "time" and pd.notna(v) and str(v).strip()}
        found["__row__"] = "1"
    sidecar = path.with_name(f"{path.stem}.units.yaml")
    if sidecar.is_file():
        side = load_yaml(sidecar, DataError)
        if not isinstance(side, dict):
            raise DataError(f"{sidecar}: expected a mapping of column name -> unit")
        for col, unit in side.items():
            if str(col) not in df.columns:
                raise DataError(f"{sidecar}: {col}: no such column in {path.name} (columns: "
                                f"{', '.join(map(str, df.columns))})")
            if col in found and found[col] != str(unit):
                raise DataError(f"{sidecar}: {col}: unit {unit!r} contradicts the units row "
                                f"of {path.name} ({found[col]!r})")
            found[str(col)] = str(unit)
    return found


def read_site_file(path, site_id: str | None = None) -> xr.Dataset:
    """Load one site's series from ``.nc`` or ``.csv``, check it, return it in memory.

    Raises ``DataError`` naming the file for a missing/unreadable file, an unknown format or
    any failed check (see ``greendc.sitedata.checks.check_site_dataset``). ``site_id`` is only
    used to make messages clearer.
    """
    path = pathlib.Path(path)
    label = f" (site {site_id})" if site_id else ""
    if not path.is_file():
        raise DataError(f"{path}{label}: site data file not found")
    suffix = path.suffix.lower()
    if suffix in (".nc", ".nc4", ".netcdf"):
        ds = _read_netcdf(path)
    elif suffix == ".csv":
        ds = _read_csv(path)
    else:
        raise DataError(f"{path}{label}: unknown site-data format {path.suffix!r}; expected .nc "
                        "(NetCDF) or .csv")
    ds = convert_site_units(ds, origin=_origin(path, site_id))
    ds = first_8760_hours(ds)
    check_site_dataset(ds, origin=_origin(path, site_id))
    return ds


def first_8760_hours(ds: xr.Dataset) -> xr.Dataset:
    """A leap year's file (8,784 hourly steps from 1 January 00:00 UTC) keeps its first 8,760
    hours: 31 December is dropped, as in the reference site files of leap years
    (``greendc data build``), so hour h of the year means the same in every file and the axis
    stays hourly; marked ``leap_year_dropped = "31 December"``. Any other Dataset unchanged."""
    if "time" not in ds.coords or ds.sizes.get("time") != 8784 or ds["time"].dtype.kind != "M":
        return ds
    first = pd.Timestamp(ds["time"].values[0])
    if not (first.is_leap_year and (first.month, first.day, first.hour) == (1, 1, 0)):
        return ds
    out = ds.isel(time=slice(0, 8760))
    out.attrs["leap_year_dropped"] = "31 December"
    return out


def write_site_file(ds: xr.Dataset, path) -> pathlib.Path:
    """Write ``ds`` atomically as compressed NetCDF (series as float32); return the path."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    encoding = {name: {"zlib": True, "complevel": 9, "shuffle": True, "dtype": "float32",
                       "_FillValue": None}
                for name in ds.data_vars}
    if "time" in ds.coords:
        encoding["time"] = dict(TIME_ENCODING)
    atomic.write_file(path, lambda tmp: ds.to_netcdf(tmp, engine="netcdf4", format="NETCDF4",
                                                     encoding=encoding))
    return path
