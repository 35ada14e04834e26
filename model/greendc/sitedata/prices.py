"""Generated day-ahead prices [EUR/MWh] where no real series ships (seeded, labelled, validated).

Model, fitted on the real 2018 SMARD prices of FR, NL, SE4 and DE-LU against the same hours'
corrected generation mix of each country (``greendc.sitedata.grid.corrected_groups``)::

    p_h - mean(p) = b1 z(fossil share)_h + b2 z(wind+solar share)_h + b3 z(generation)_h
                    + hour-of-day_h + weekend_h + month_h + e_h,
    e_h = rho e_(h-1) + sigma eta_h,   eta ~ N(0, 1)

z(.) is the within-country-year z-score (a country's own mix, so the fossil share of a nuclear
or a gas system is comparable), calendar terms use the market's local standard time
(``recipes.UTC_OFFSET_H``). OLS, pooled over the four countries (26,280 h); rho and sigma from
the pooled residuals. A generated series is ``target + b.x_h + e_h`` with e drawn by a seeded
generator (seed = CRC32 of "<country>-<year>"), shifted so that its annual mean equals the
sourced annual average of that country and year (``greendc.sitedata.national.ANNUAL_PRICE``).

Hold-out check (``holdout_scores``): fit without one real-price country, generate it (its own
annual mean as target) and compare with its real 2018 prices: R2 of the deterministic part,
standard-deviation ratio and correlation of the mean daily profile of the full series.
"""

from __future__ import annotations

import functools
import zlib

import numpy as np
import pandas as pd

from greendc.sitedata import grid
from greendc.sitedata import recipes as R

FIT_COUNTRIES = ("FR", "NL", "SE", "DE")
FIT_YEAR = 2018
FEATURES = ("z_fossil_share", "z_vre_share", "z_generation")


def design(cc: str, year: int) -> tuple[np.ndarray, list[str]]:
    """Feature matrix (8,760 x k) of a country-year and the column names."""
    g, _ = grid.corrected_groups(cc, year)
    total = g.sum(axis=1).to_numpy()
    fossil = g[list(R.FOSSIL_GROUPS)].sum(axis=1).to_numpy() / total
    vre = (g["wind"] + g["solar"]).to_numpy() / total

    def z(x):
        sd = x.std()
        return (x - x.mean()) / sd if sd > 0 else np.zeros_like(x)

    local = g.index.tz_convert(None) + pd.Timedelta(hours=R.UTC_OFFSET_H[cc])
    cols = [z(fossil), z(vre), z(total)]
    names = list(FEATURES)
    for h in range(1, 24):
        cols.append((local.hour == h).astype(float))
        names.append(f"hour_{h:02d}")
    cols.append((local.day_of_week >= 5).astype(float))
    names.append("weekend")
    for m in range(2, 13):
        cols.append((local.month == m).astype(float))
        names.append(f"month_{m:02d}")
    return np.column_stack(cols), names


def _real(cc: str) -> np.ndarray:
    return grid.smard_price(cc, FIT_YEAR)[0]


def fit(countries: tuple[str, ...] = FIT_COUNTRIES) -> dict:
    """Pooled OLS of de-meaned prices on the features, plus the AR(1) residual process."""
    X, y, resid_series = [], [], []
    for cc in countries:
        Xc, names = design(cc, FIT_YEAR)
        p = _real(cc)
        X.append(Xc)
        y.append(p - p.mean())
    Xa, ya = np.vstack(X), np.concatenate(y)
    coef, *_ = np.linalg.lstsq(Xa, ya, rcond=None)
    num = den = 0.0
    for Xc, yc in zip(X, y):
        e = yc - Xc @ coef
        resid_series.append(e)
        num += float(e[1:] @ e[:-1])
        den += float(e[:-1] @ e[:-1])
    rho = num / den
    e_all = np.concatenate(resid_series)
    innov = np.concatenate([e[1:] - rho * e[:-1] for e in resid_series])
    r2 = 1.0 - float(e_all @ e_all) / float(ya @ ya)
    return {"coef": coef, "names": names, "rho": rho, "sigma": float(innov.std()),
            "resid_sd": float(e_all.std()), "r2": r2, "countries": countries,
            "hours": len(ya)}


@functools.lru_cache(maxsize=1)
def fitted() -> dict:
    return fit()


def seed_of(cc: str, year: int) -> int:
    return zlib.crc32(f"{cc}-{year}".encode())


def ar1_noise(n: int, rho: float, sigma: float, seed: int) -> np.ndarray:
    """AR(1) series e_h = rho e_(h-1) + sigma eta_h started in its stationary distribution."""
    rng = np.random.default_rng(seed)
    eta = rng.standard_normal(n)
    e = np.empty(n)
    e[0] = eta[0] * sigma / np.sqrt(max(1.0 - rho * rho, 1e-9))
    for h in range(1, n):
        e[h] = rho * e[h - 1] + sigma * eta[h]
    return e


def generate(cc: str, year: int, target_mean: float, model: dict | None = None
             ) -> tuple[np.ndarray, np.ndarray]:
    """Generated hourly prices (annual mean = ``target_mean``) and their deterministic part."""
    model = model or fitted()
    X, _ = design(cc, year)
    det = X @ model["coef"]
    noise = ar1_noise(len(det), model["rho"], model["sigma"], seed_of(cc, year))
    series = det + noise
    return target_mean + series - series.mean(), det - det.mean()


def _profile(p: np.ndarray, cc: str, year: int) -> np.ndarray:
    local_hour = (np.arange(len(p)) + R.UTC_OFFSET_H[cc]) % 24
    return np.array([p[local_hour == h].mean() for h in range(24)])


@functools.lru_cache(maxsize=1)
def holdout_scores() -> dict[str, dict[str, float]]:
    """Leave-one-country-out scores of the price model on the real 2018 prices."""
    out = {}
    for cc in FIT_COUNTRIES:
        model = fit(tuple(c for c in FIT_COUNTRIES if c != cc))
        real = _real(cc)
        gen, det = generate(cc, FIT_YEAR, float(real.mean()), model)
        y = real - real.mean()
        out[cc] = {
            "r2": round(1.0 - float(((y - det) ** 2).sum()) / float((y ** 2).sum()), 3),
            "std_ratio": round(float(gen.std() / real.std()), 3),
            "daily_profile_corr": round(float(np.corrcoef(_profile(gen, cc, FIT_YEAR),
                                                          _profile(real, cc, FIT_YEAR))[0, 1]), 3),
        }
    return out


def generated_price(cc: str, year: int, target_mean: float, target_source: str
                    ) -> tuple[np.ndarray, dict]:
    """A labelled generated series and its attributes (method, fit, hold-out, calibration)."""
    model = fitted()
    price, _ = generate(cc, year, target_mean, model)
    main = dict(zip(model["names"], model["coef"]))
    scores = holdout_scores()
    return price, {
        "method": "generated: pooled OLS of de-meaned 2018 SMARD day-ahead prices (FR, NL, SE4, "
                  "DE-LU) on the within-year z-scores of the fossil share, wind+solar share and "
                  "total of the country's own corrected generation mix of the same hour, plus "
                  "local hour-of-day, weekend and month terms; AR(1) residual noise with the "
                  "fitted autocorrelation (seeded); annual mean calibrated to target_annual_mean."
                  " Not a market price (see greendc.sitedata.prices)",
        "fit_countries": ",".join(model["countries"]), "fit_year": FIT_YEAR,
        "fit_hours": model["hours"], "fit_r2": round(model["r2"], 4),
        "coef_z_fossil_share": round(main["z_fossil_share"], 4),
        "coef_z_vre_share": round(main["z_vre_share"], 4),
        "coef_z_generation": round(main["z_generation"], 4),
        "noise_ar1_rho": round(model["rho"], 5), "noise_sigma": round(model["sigma"], 4),
        "noise_seed": seed_of(cc, year),
        "target_annual_mean": target_mean, "target_source": target_source,
        "holdout": "; ".join(f"{c}: R2 {s['r2']}, std ratio {s['std_ratio']}, daily profile "
                             f"corr {s['daily_profile_corr']}" for c, s in scores.items()),
    }
