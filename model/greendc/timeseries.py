"""Site hourly data: locate, read, check and cut to the modelled horizon.

Reference sites live in ``data/sites/<site_id>_<year>.nc`` (one file per grid data year; the
scenario's ``data_year`` picks it, default 2018); a scenario may point a site at the user's own
NetCDF or CSV file (relative to the scenario file, ``..`` allowed, or absolute). Own files of
another year than the reference sites are aligned by hour of year (``align_years``). Every
file goes through
``greendc.sitedata.checks.check_site_dataset`` (8,760 finite hourly values, units, ranges)
before anything is built.
"""

from __future__ import annotations

import pathlib

import numpy as np
import pandas as pd
import xarray as xr

from greendc.catalogue import did_you_mean
from greendc.errors import DataError, ScenarioError
from greendc.scenario import LoadedScenario
from greendc.sitedata.io import read_site_file
from greendc.sitefacts import jurisdiction

HOURS_PER_YEAR = 8760


def project_root(start: pathlib.Path) -> pathlib.Path:
    """Nearest folder above ``start`` holding pyproject.toml or .git (else ``start``)."""
    for folder in [start, *start.parents]:
        if (folder / "pyproject.toml").exists() or (folder / ".git").exists():
            return folder
    return start


def resolve_user_path(loaded: LoadedScenario, relative: str, field: str) -> pathlib.Path:
    """Resolve a data path given in a scenario, relative to the scenario file
    (``confined_path``)."""
    return confined_path(loaded.base_dir, relative, f"{loaded.origin}: {field}", ScenarioError)


def confined_path(base_dir: pathlib.Path, relative: str, where: str,
                  error: type[Exception], relative_to: str = "the scenario file") -> pathlib.Path:
    """``base_dir / relative`` for a path read from a user file (``where`` names the file and
    field in messages; ``error`` is raised).

    Absolute paths are refused and so are paths that climb out of the project folder with
    ``..`` (or a symlink): a scenario or batch file shared with a colleague must not read
    arbitrary files. The file must exist.
    """
    candidate = pathlib.PurePath(relative)
    if candidate.is_absolute():
        raise error(f"{where} = {relative!r}: give a path relative to {relative_to}")
    root = project_root(base_dir.resolve())
    path = (base_dir / candidate).resolve()
    if not path.is_relative_to(root):
        raise error(
            f"{where} = {relative!r} resolves to {path}, outside the project "
            f"folder {root}; keep data files inside the project (no '..' escapes)"
        )
    if not path.exists():
        raise error(f"{where} = {relative!r}: file not found at {path} (the path is relative "
                    f"to {relative_to})")
    return path


def planner_file(loaded: LoadedScenario, given: str, field: str) -> pathlib.Path:
    """A data file the planner keeps anywhere: relative to the scenario file (``..`` allowed)
    or absolute; it must exist."""
    path = (loaded.base_dir / pathlib.Path(given).expanduser()).resolve()
    if not path.is_file():
        raise ScenarioError(f"{loaded.origin}: {field} = {given!r}: file not found at {path} "
                            "(a relative path is relative to the scenario file)")
    return path


def data_dir(loaded: LoadedScenario) -> pathlib.Path | None:
    if loaded.scenario.data_dir is None:
        return None
    return resolve_user_path(loaded, loaded.scenario.data_dir, "data_dir")


def site_file(loaded: LoadedScenario, site_id: str, file: str | None, index: int) -> pathlib.Path:
    """The hourly file of a candidate site: the user's ``file``, else the reference (or
    ``data_dir``) file of the scenario's ``data_year`` (``sites/<site_id>_<year>.nc``)."""
    if file is not None:
        return planner_file(loaded, file, f"sites[{index}].file")
    from greendc.resources import DATA_DIR
    from greendc.sitedata.files import DEFAULT_DATA_YEAR, catalogue, resolve

    folder = (data_dir(loaded) or DATA_DIR) / "sites"
    year = loaded.scenario.data_year
    path = resolve(folder, site_id, year)
    if path is not None:
        return path
    known = catalogue(folder)
    if site_id not in known:
        raise ScenarioError(
            f"{loaded.origin}: sites[{index}].id = {site_id!r}: unknown site; "
            f"{did_you_mean(site_id, known)}reference sites "
            f"are {known}; or give `file:` with your own hourly data"
        )
    years = [y for y in known[site_id] if y is not None]
    raise ScenarioError(
        f"{loaded.origin}: data_year = {year or DEFAULT_DATA_YEAR}: no data for site "
        f"{site_id!r} in that year; available years for {site_id}: {years} "
        "(see `greendc data list`)"
    )


def load_sites(loaded: LoadedScenario) -> dict[str, xr.Dataset]:
    """Read and check the hourly Dataset of every candidate site (all problems at once)."""
    datasets: dict[str, xr.Dataset] = {}
    problems: list[str] = []
    for i, ref in enumerate(loaded.scenario.sites):
        try:
            path = site_file(loaded, ref.id, ref.file, i)
            ds = read_site_file(path, site_id=ref.id)
        except (DataError, ScenarioError) as exc:
            problems.append(str(exc))
            continue
        ds.attrs.update(jurisdiction(ref, ds.attrs))
        if "data_year" not in ds.attrs:  # own file: the year of its time axis
            ds.attrs["data_year"] = int(pd.Timestamp(ds["time"].values[0]).year)
        datasets[ref.id] = ds
    if problems:
        raise DataError("\n".join(problems))
    target = next((ref.id for ref in loaded.scenario.sites if ref.file is None),
                  loaded.scenario.sites[0].id)
    return align_years(datasets, target, loaded.origin)


def align_years(datasets: dict[str, xr.Dataset], target: str,
                origin: str) -> dict[str, xr.Dataset]:
    """Put every site on the time axis of ``target`` (the first reference site, else the
    first site): a file of another year that starts on 1 January 00:00 UTC is re-stamped hour
    of year by hour of year (its hour h is the target's hour h; a leap year's 31 December was
    dropped on reading, ``read_site_file``) and records ``time_aligned_from`` (its own year);
    any other difference is an error (``_check_same_time_axis``)."""
    axis = datasets[target]["time"].values
    start = pd.Timestamp(axis[0])
    out = {}
    for site_id, ds in datasets.items():
        own = pd.Timestamp(ds["time"].values[0])
        if (site_id != target and own.year != start.year and _year_start(own)
                and _year_start(start) and ds.sizes["time"] == len(axis)):
            ds = ds.assign_coords(time=axis)
            ds.attrs["time_aligned_from"] = int(own.year)
        out[site_id] = ds
    _check_same_time_axis({target: out[target], **out}, origin)
    return out


def _year_start(stamp: pd.Timestamp) -> bool:
    return (stamp.month, stamp.day, stamp.hour, stamp.minute) == (1, 1, 0, 0)


def time_alignment(sites: dict[str, xr.Dataset]) -> dict[str, str]:
    """Sites whose own year was aligned by hour of year: ``{site: "2021 -> 2018 by hour of
    year"}`` (for the results' attributes)."""
    return {s: f"{int(ds.attrs['time_aligned_from'])} -> "
               f"{pd.Timestamp(ds['time'].values[0]).year} by hour of year"
            for s, ds in sites.items() if "time_aligned_from" in ds.attrs}


def _check_same_time_axis(datasets: dict[str, xr.Dataset], origin: str) -> None:
    """All sites must share one UTC hour axis, so hour t means the same instant everywhere."""
    items = list(datasets.items())
    first_id, first = items[0]
    for site_id, ds in items[1:]:
        if not np.array_equal(ds["time"].values, first["time"].values):
            a, b = first["time"].values[0], ds["time"].values[0]
            shift = (b - a) / np.timedelta64(1, "h")
            raise DataError(
                f"{origin}: site {site_id!r} time axis differs from {first_id!r} "
                f"(starts {_stamp(b)} vs {_stamp(a)} UTC, {shift:+g} h); all candidate sites "
                "need the same hourly UTC axis (check the time zone of your file)"
            )


def _stamp(value) -> str:
    return np.datetime_as_string(np.datetime64(value, "m")).replace("T", " ")


def cut_horizon(ds: xr.Dataset, start_hour: int, hours: int) -> xr.Dataset:
    """Keep ``hours`` consecutive hours from ``start_hour``."""
    return ds.isel(time=slice(start_hour, start_hour + hours))


def load_it_load(loaded: LoadedScenario) -> np.ndarray | None:
    """The scenario's hourly IT load [MW] (``compute.it_load_mw``): a number repeated over the
    year, or the profile file's ``it_load_mw`` values (8,760 h, or exactly the horizon's
    hours); None for a ``required_pflops`` scenario. Checked: finite, >= 0, peak > 0; a
    NetCDF ``units`` attribute is converted to MW with pint."""
    given = loaded.scenario.compute.it_load_mw
    if given is None:
        return None
    if not isinstance(given, str):
        return np.full(HOURS_PER_YEAR, float(given))
    path = planner_file(loaded, given, "compute.it_load_mw")
    where = f"{loaded.origin}: compute.it_load_mw = {given!r} ({path})"
    values = _read_profile(path, where)
    hours = loaded.scenario.horizon.hours
    if len(values) not in (HOURS_PER_YEAR, hours):
        raise ScenarioError(f"{where}: {len(values):,} values; expected {HOURS_PER_YEAR:,} "
                            f"hourly values or the horizon's {hours:,}")
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ScenarioError(f"{where}: value {values[i]} at hour {i}: expected a finite IT "
                            "power >= 0 [MW]")
    if values.max() <= 0 or values.max() > 5000:
        raise ScenarioError(f"{where}: peak {values.max():g} MW: expected an IT power in "
                            "(0, 5000] MW (meant kW?)")
    return values


def _read_profile(path: pathlib.Path, where: str) -> np.ndarray:
    from greendc.units import convert

    try:
        if path.suffix.lower() == ".csv":
            table = pd.read_csv(path)
            if "it_load_mw" not in table.columns:
                raise ScenarioError(f"{where}: no column 'it_load_mw' (columns: "
                                    f"{', '.join(map(str, table.columns))}); expected the IT "
                                    "load in MW under that name")
            return pd.to_numeric(table["it_load_mw"], errors="raise").to_numpy(dtype=float)
        with xr.open_dataset(path) as ds:
            if "it_load_mw" not in ds:
                raise ScenarioError(f"{where}: no variable 'it_load_mw' (variables: "
                                    f"{', '.join(map(str, ds.data_vars))})")
            unit = str(ds["it_load_mw"].attrs.get("units", "MW") or "MW")
            return np.asarray(convert(ds["it_load_mw"].values.astype(float), unit, "MW"))
    except (OSError, ValueError, TypeError) as exc:
        raise ScenarioError(f"{where}: cannot read the IT-load profile ({exc}); expected a CSV "
                            "column or NetCDF variable it_load_mw [MW]") from None
