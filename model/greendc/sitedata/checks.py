"""Validation of hourly site series (one site, one year, 8,760 hourly steps in UTC).

``check_site_dataset(ds, origin)`` collects every problem it finds and raises one
``DataError`` listing them all; each line names the file (``origin``), the variable, the bad
value and where it occurs, and what was expected (unit / range).

Imports only numpy, pandas, xarray, pint (``greendc.units``) and ``greendc.errors`` so the
checks run without the data extras. Units: ``SPECS`` documents each variable's unit, plausible
hourly range and (for easily slipped units) plausible annual mean; ``convert_site_units``
converts compatible ``units`` attributes, the checks refuse the rest and name the likely unit
of a series given without one ("looks like kgCO2e/kWh: multiply by 1000").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from greendc.errors import DataError
from greendc.units import conversion_factor, convert, same_unit

HOURS_PER_YEAR = 8760

REQUIRED_VARIABLES = (
    "air_temperature",
    "relative_humidity",
    "grid_price",
    "grid_carbon_intensity",
    "heat_demand",
    "pv_cf",
    "wind_cf",
)
OPTIONAL_VARIABLES = ("pv_cf_onsite", "ghi", "wind_speed", "grid_cfe_share")


@dataclass(frozen=True)
class VariableSpec:
    """Expected unit, plausible hourly range (inclusive) and, for series whose unit is easily
    slipped, the plausible range of the ANNUAL MEAN of ``abs(value)`` with the usual wrong
    units (``slips``: unit names, tried in order) to name when the mean falls outside it."""

    unit: str
    low: float | None
    high: float | None
    description: str
    mean_range: tuple[float, float] | None = None
    slips: tuple[str, ...] = ()


# Expected units and plausible physical ranges (inclusive). Annual-mean ranges: grid carbon
# intensity 5-1,500 gCO2e/kWh (the cleanest grids in Europe average ~10-40, coal-heavy ones
# ~700-1,000; a mean below 5 is kg/kWh), day-ahead price 1-1,000 EUR/MWh (European annual
# means 2015-2024: ~20-250; a mean below 1 is EUR/kWh), district-heat offtake <= 5,000 MW
# (the largest networks peak at a few GW; more is kW).
SPECS: dict[str, VariableSpec] = {
    "air_temperature": VariableSpec("degC", -60.0, 60.0, "air temperature at 2 m"),
    "relative_humidity": VariableSpec("%", 0.0, 100.0, "relative humidity"),
    "grid_price": VariableSpec("EUR/MWh", -500.0, 5000.0, "day-ahead grid price",
                               (1.0, 1000.0), ("EUR/kWh",)),
    "grid_carbon_intensity": VariableSpec("gCO2e/kWh", 0.0, 2000.0, "grid carbon intensity",
                                          (5.0, 1500.0), ("kgCO2e/kWh",)),
    "heat_demand": VariableSpec("MW", 0.0, None, "district-heat offtake", (0.0, 5000.0),
                                ("kW",)),
    "pv_cf": VariableSpec("1", 0.0, 1.0, "PV capacity factor (share 0-1)"),
    "wind_cf": VariableSpec("1", 0.0, 1.0, "wind capacity factor (share 0-1)"),
    "pv_cf_onsite": VariableSpec("1", 0.0, 1.0, "on-site PV capacity factor (share 0-1)"),
    "grid_cfe_share": VariableSpec("1", 0.0, 1.0, "carbon-free share of grid generation (0-1)"),
    "ghi": VariableSpec("W/m2", 0.0, 1500.0, "global horizontal irradiance"),
    "wind_speed": VariableSpec("m/s", 0.0, 75.0, "wind speed"),
}

# Own hourly PUE of one cooling technology (``pue_<cooling_id>``, e.g. ``pue_direct_liquid``):
# used instead of the physics model for that cooling at this site (``greendc.inputs``). PUE is
# facility / IT power, so >= 1; above 3 is no data centre cooling (Uptime Institute's survey
# averages 1.5-1.6, legacy rooms ~2.5).
PUE_PREFIX = "pue_"
PUE_SPEC = VariableSpec("1", 1.0, 3.0, "hourly PUE (facility / IT power)")


def variable_spec(name: str) -> VariableSpec | None:
    """The spec of a site-file variable, ``pue_<cooling_id>`` included; None if unknown."""
    if name.startswith(PUE_PREFIX) and len(name) > len(PUE_PREFIX):
        return PUE_SPEC
    return SPECS.get(name)


def _unknown_variable(name: str, origin: str) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(SPECS), n=1)
    hint = (f"did you mean '{close[0]}'? " if close else "")
    if name == "pue" or name.startswith("pue"):
        hint = ("PUE is given per cooling technology: name the column pue_<cooling_id> "
                "(e.g. pue_direct_liquid); ")
    return (f"{origin}: {name}: unknown variable (it would be ignored); {hint}accepted: "
            f"{', '.join(REQUIRED_VARIABLES)} (required), {', '.join(OPTIONAL_VARIABLES)} "
            f"(optional) and pue_<cooling_id> (hourly PUE of that cooling, 1-3)")


CAPACITY_FACTORS = ("pv_cf", "wind_cf", "pv_cf_onsite")
KELVIN_UNITS = {"k", "kelvin", "degk", "deg_k"}
PERCENT_UNITS = {"%", "percent", "pct"}
FRACTION_UNITS = {"1", "fraction", "share", "0-1", "-"}
UTC_OFFSETS = {"z", "+00:00", "-00:00", "+0000", "-0000", "+00", "utc"}
_OFFSET_RE = re.compile(r"(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)$")


def _fmt_time(value) -> str:
    try:
        return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return str(value)


def _fmt_num(value: float) -> str:
    return f"{value:.6g}"


def parse_utc_times(values, origin: str) -> pd.DatetimeIndex:
    """Parse ISO time strings that must be UTC; return a naive DatetimeIndex meaning UTC.

    Strings without an offset are taken as UTC. ``Z`` and ``+00:00`` are accepted; any other
    offset raises ``DataError`` naming it (convert the file to UTC first).
    """
    text = pd.Series(values, dtype="string").str.strip()
    if text.isna().any():
        row = int(np.flatnonzero(text.isna().to_numpy())[0])
        raise DataError(f"{origin}: time: empty time value in row {row + 1}; "
                        "expected ISO timestamps in UTC such as 2018-01-01T00:00")
    offsets = text.str.extract(_OFFSET_RE, expand=False)
    bad = offsets.dropna()
    bad = bad[~bad.str.lower().isin(UTC_OFFSETS)]
    if len(bad):
        first = int(bad.index[0])
        raise DataError(
            f"{origin}: time: timestamps carry the UTC offset {bad.iloc[0]!r} "
            f"(first at row {first + 1}: {text.iloc[first]!r}; distinct offsets: "
            f"{', '.join(sorted(set(bad)))}); expected UTC: write times in UTC with 'Z', "
            "'+00:00' or no offset"
        )
    naive = text.str.replace(_OFFSET_RE, "", regex=True).str.strip()
    try:
        return pd.DatetimeIndex(pd.to_datetime(naive, format="ISO8601")).as_unit("ns")
    except (ValueError, TypeError) as exc:
        raise DataError(f"{origin}: time: cannot parse timestamps as ISO 8601 ({exc}); "
                        "expected e.g. 2018-01-01T00:00 (UTC)") from None


def _check_time(ds: xr.Dataset, origin: str, problems: list[str]) -> pd.DatetimeIndex | None:
    if "time" not in ds.coords and "time" not in ds.dims:
        problems.append(f"{origin}: time: no 'time' coordinate; expected {HOURS_PER_YEAR:,} "
                        "hourly UTC timestamps")
        return None
    raw = ds["time"].values
    if raw.dtype.kind != "M":
        # tz-aware timestamps end up as objects; strings too.
        sample = raw[0] if raw.size else None
        tz = getattr(sample, "tzinfo", None)
        if tz is not None:
            off = pd.Timestamp(sample).strftime("%z") or str(tz)
            if pd.Timestamp(sample).utcoffset() == pd.Timedelta(0):
                problems.append(f"{origin}: time: timestamps are time-zone aware ({tz}); "
                                "expected naive datetime64 values meaning UTC (drop the tz after "
                                "converting)")
            else:
                problems.append(f"{origin}: time: timestamps carry the UTC offset {off} ({tz}); "
                                "expected naive datetime64 values in UTC")
            return None
        if isinstance(sample, str):
            try:
                return parse_utc_times(raw, origin)
            except DataError as exc:
                problems.append(str(exc))
                return None
        problems.append(f"{origin}: time: coordinate has dtype {raw.dtype}, not datetime64; "
                        "expected naive datetime64 timestamps in UTC")
        return None
    tz_attr = str(ds.attrs.get("time_zone", ds["time"].attrs.get("time_zone", "UTC"))).strip()
    if tz_attr.lower() not in UTC_OFFSETS | {"utc", "gmt", "etc/utc"}:
        problems.append(f"{origin}: time: attribute time_zone = {tz_attr!r}; expected 'UTC' "
                        "(convert the series to UTC)")
    times = pd.DatetimeIndex(raw).as_unit("ns")
    n = len(times)
    if n != HOURS_PER_YEAR:
        if n == HOURS_PER_YEAR + 24:
            hint = " (leap year: drop 29 February)"
        elif n < HOURS_PER_YEAR:
            hint = f" ({HOURS_PER_YEAR - n} hour(s) missing)"
        else:
            hint = f" ({n - HOURS_PER_YEAR} hour(s) too many)"
        problems.append(f"{origin}: time: {n:,} time steps{hint}; expected {HOURS_PER_YEAR:,} "
                        "hourly steps (one 365-day year)")
    if n < 2:
        return times
    dup = times.duplicated()
    if dup.any():
        problems.append(f"{origin}: time: {int(dup.sum())} duplicated timestamp(s), first "
                        f"{_fmt_time(times[dup][0])}; expected unique hourly timestamps")
    steps = np.diff(times.asi8)
    if (steps < 0).any():
        i = int(np.flatnonzero(steps < 0)[0])
        problems.append(f"{origin}: time: timestamps not sorted: {_fmt_time(times[i + 1])} comes "
                        f"after {_fmt_time(times[i])}; expected increasing hourly timestamps")
    hour_ns = 3600 * 10**9
    odd = (steps > 0) & (steps != hour_ns)
    if odd.any():
        i = int(np.flatnonzero(odd)[0])
        step_h = steps[i] / hour_ns
        problems.append(f"{origin}: time: {int(odd.sum())} non-hourly step(s), first "
                        f"{_fmt_time(times[i])} -> {_fmt_time(times[i + 1])} ({step_h:g} h); "
                        "expected 1 h steps")
    return times


def _where(times: pd.DatetimeIndex | None, mask: np.ndarray) -> str:
    idx = int(np.flatnonzero(mask)[0])
    if times is not None and len(times) == mask.size:
        return f"first at {_fmt_time(times[idx])}"
    return f"first at index {idx}"


def _check_variable(name: str, da: xr.DataArray, times, origin: str, problems: list[str]) -> None:
    spec = variable_spec(name)
    where_var = f"{origin}: {name}"
    try:
        values = np.asarray(da.values, dtype=float).ravel()
    except (TypeError, ValueError):
        problems.append(f"{where_var}: values are not numeric (dtype {da.dtype}); expected "
                        f"numbers in {spec.unit}")
        return
    if da.ndim != 1 or (da.dims and da.dims[0] != "time"):
        problems.append(f"{where_var}: dimensions {da.dims}; expected ('time',)")
        times = None
    nonfinite = ~np.isfinite(values)
    if nonfinite.any():
        nnan = int(np.isnan(values).sum())
        ninf = int(nonfinite.sum()) - nnan
        kinds = ", ".join(p for p in (f"{nnan} NaN" if nnan else "",
                                      f"{ninf} infinite" if ninf else "") if p)
        problems.append(f"{where_var}: {kinds} value(s), {_where(times, nonfinite)}; expected "
                        f"finite {spec.unit} values in every hour (fill gaps before loading)")
    finite = values[~nonfinite]
    if finite.size == 0:
        return
    vmin, vmax, vmean = float(finite.min()), float(finite.max()), float(finite.mean())
    units = str(da.attrs.get("units", "")).strip()
    ulow = units.lower()

    def out_of_range_where(low, high) -> str:
        mask = np.zeros(values.shape, dtype=bool)
        with np.errstate(invalid="ignore"):
            if low is not None:
                mask |= values < low
            if high is not None:
                mask |= values > high
        return f"{int(mask.sum())} value(s) outside, {_where(times, mask)}" if mask.any() else ""

    rng = (f"[{_fmt_num(spec.low) if spec.low is not None else '-inf'}, "
           f"{_fmt_num(spec.high) if spec.high is not None else 'inf'}] {spec.unit}")

    if name == "air_temperature":
        if ulow in KELVIN_UNITS:
            problems.append(f"{where_var}: units attribute is {units!r} (Kelvin); expected degC "
                            "(subtract 273.15)")
            return
        if vmean > 60 or vmin < -60 or vmax > 60:
            hint = " - looks like Kelvin (subtract 273.15)" if vmean > 60 else ""
            problems.append(f"{where_var}: min {_fmt_num(vmin)}, max {_fmt_num(vmax)}, mean "
                            f"{_fmt_num(vmean)} ({out_of_range_where(-60, 60)}){hint}; "
                            f"expected degC within {rng}")
        return
    if name == "relative_humidity":
        if ulow in FRACTION_UNITS and units:
            problems.append(f"{where_var}: units attribute is {units!r} (a fraction); expected % "
                            "(multiply by 100)")
            return
        if vmin < 0 or vmax > 100:
            problems.append(f"{where_var}: min {_fmt_num(vmin)}, max {_fmt_num(vmax)} "
                            f"({out_of_range_where(0, 100)}); expected % within {rng}")
        elif vmax <= 1.0:
            problems.append(f"{where_var}: max {_fmt_num(vmax)} - looks like a fraction 0-1, "
                            "expected % (0-100; multiply by 100)")
        return
    if name in CAPACITY_FACTORS:
        if ulow in PERCENT_UNITS:
            problems.append(f"{where_var}: units attribute is {units!r}: percent given instead of "
                            "a share 0-1 (divide by 100)")
            return
        if vmin < 0 or vmax > 1:
            hint = (" - percent given instead of a share 0-1 (divide by 100)"
                    if 1 < vmax <= 100 and vmin >= 0 else "")
            problems.append(f"{where_var}: min {_fmt_num(vmin)}, max {_fmt_num(vmax)} "
                            f"({out_of_range_where(0, 1)}){hint}; expected a share within "
                            "[0, 1] (per MW installed)")
        return
    unit_problem = _units_attribute_problem(units, spec)
    if unit_problem:
        problems.append(f"{where_var}: {unit_problem}")
        return
    if spec.low is not None and vmin < spec.low or spec.high is not None and vmax > spec.high:
        problems.append(f"{where_var}: min {_fmt_num(vmin)}, max {_fmt_num(vmax)} "
                        f"({out_of_range_where(spec.low, spec.high)}); expected "
                        f"{spec.description} within {rng}")
        return
    slip = _unit_slip(float(np.abs(finite).mean()), spec)
    if slip:
        problems.append(f"{where_var}: {slip}")


def _pint_spelling(units: str) -> str:
    low = units.lower()
    return "1" if low in FRACTION_UNITS else "%" if low in PERCENT_UNITS else units


def _units_attribute_problem(units: str, spec: VariableSpec) -> str:
    """Why a ``units`` attribute is not the expected unit (empty when it is, or absent).
    ``read_site_file`` converts compatible units before the checks, so a units attribute
    that still differs here is a Dataset given in another unit."""
    if not units or same_unit(_pint_spelling(units), spec.unit):
        return ""
    try:
        factor = conversion_factor(_pint_spelling(units), spec.unit)
    except ValueError as exc:
        return f"units attribute is {units!r}: {exc}; expected {spec.unit}"
    return (f"units attribute is {units!r}; expected {spec.unit} (convert: multiply by "
            f"{factor:g}, or read the file with read_site_file, which converts)")


def _unit_slip(mean_abs: float, spec: VariableSpec) -> str:
    """Name the likely unit when the annual mean is implausible in the documented unit."""
    if spec.mean_range is None:
        return ""
    lo, hi = spec.mean_range
    if lo <= mean_abs <= hi:
        return ""
    for slip in spec.slips:
        factor = conversion_factor(slip, spec.unit)
        if lo <= mean_abs * factor <= hi:
            return (f"annual mean |value| {_fmt_num(mean_abs)} is outside the plausible "
                    f"[{_fmt_num(lo)}, {_fmt_num(hi)}] {spec.unit} - looks like {slip}: multiply "
                    f"by {factor:g} (or give the unit: a 'units' attribute, a CSV units row "
                    f"or sidecar); expected {spec.description} in {spec.unit}")
    return (f"annual mean |value| {_fmt_num(mean_abs)} is outside the plausible "
            f"[{_fmt_num(lo)}, {_fmt_num(hi)}] {spec.unit}; expected {spec.description} in "
            f"{spec.unit}")


def convert_site_units(ds: xr.Dataset, origin: str) -> xr.Dataset:
    """Convert every known variable whose ``units`` attribute is compatible with its expected
    unit (pint, ``greendc.units``: kgCO2e/kWh -> gCO2e/kWh, EUR/kWh -> EUR/MWh, K -> degC,
    kW -> MW, % -> 1 for shares); raise ``DataError`` for unknown or incompatible units."""
    problems = []
    out = ds.copy()
    for name, spec in SPECS.items():
        if name not in ds.data_vars:
            continue
        units = str(ds[name].attrs.get("units", "")).strip()
        if not units or same_unit(_pint_spelling(units), spec.unit):
            continue
        try:
            values = convert(np.asarray(ds[name].values, dtype=float), _pint_spelling(units),
                             spec.unit)
        except ValueError as exc:
            problems.append(f"{origin}: {name}: units attribute is {units!r}: {exc}; expected "
                            f"{spec.description} in {spec.unit}")
            continue
        out[name] = ds[name].copy(data=values)
        out[name].attrs.update(units=spec.unit, converted_from=units)
    if problems:
        raise DataError("\n".join(problems))
    return out


def check_site_dataset(ds: xr.Dataset, origin: str) -> None:
    """Raise ``DataError`` listing every problem of one site's hourly series (None if fine)."""
    problems: list[str] = []
    missing = [v for v in REQUIRED_VARIABLES if v not in ds.data_vars]
    if missing:
        problems.append(f"{origin}: missing required variable(s): {', '.join(missing)}; expected "
                        f"all of {', '.join(REQUIRED_VARIABLES)}")
    times = _check_time(ds, origin, problems)
    for name in ds.data_vars:
        if variable_spec(str(name)) is None:
            problems.append(_unknown_variable(str(name), origin))
        else:
            _check_variable(str(name), ds[name], times, origin, problems)
    if problems:
        head = f"{origin}: {len(problems)} problem(s) in the site series:"
        raise DataError("\n".join([head] + [f"  - {p}" for p in problems]))
