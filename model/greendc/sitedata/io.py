"""Read and write one site's hourly series (NetCDF or CSV), always validated.

File formats
------------
- NetCDF (``.nc``): as written by ``write_site_file`` (``data/sites/<site_id>.nc``): a ``time``
  coordinate of 8,760 naive datetime64 values meaning UTC (hour-beginning), one variable per
  series with ``units``/``long_name``/``source`` attributes, global attributes about the site.
- CSV (``.csv``): a ``time`` column of ISO 8601 timestamps in UTC (``2018-01-01T00:00``,
  optionally with ``Z`` or ``+00:00``; any other offset is refused) and one column per
  variable, in the units of ``greendc.sitedata.checks.SPECS``. No global attributes.
"""

from __future__ import annotations

import os
import pathlib
import tempfile

import numpy as np
import pandas as pd
import xarray as xr

from greendc.errors import DataError
from greendc.sitedata.checks import SPECS, check_site_dataset, parse_utc_times

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
        attrs = {"units": SPECS[col].unit} if col in SPECS else {}
        data_vars[str(col)] = ("time", values.to_numpy(dtype=float), attrs)
    return xr.Dataset(data_vars, coords={"time": times.to_numpy()})


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
    check_site_dataset(ds, origin=_origin(path, site_id))
    return ds


def write_site_file(ds: xr.Dataset, path) -> pathlib.Path:
    """Write ``ds`` atomically as compressed NetCDF (series as float32); return the path."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    encoding = {name: {"zlib": True, "complevel": 9, "shuffle": True, "dtype": "float32",
                       "_FillValue": None}
                for name in ds.data_vars}
    if "time" in ds.coords:
        encoding["time"] = dict(TIME_ENCODING)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".nc.tmp", dir=path.parent)
    os.close(fd)
    try:
        ds.to_netcdf(tmp, engine="netcdf4", format="NETCDF4", encoding=encoding)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the usual file mode
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path
