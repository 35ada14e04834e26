"""Psychrometrics from hourly dry-bulb temperature [°C] and relative humidity [%].

Pure numpy; works element-wise on arrays (and on xarray objects through numpy ufuncs).
"""

from __future__ import annotations

import numpy as np

# Magnus coefficients over water (Alduchov & Eskridge 1996), valid -40..50 °C.
_MAGNUS_A = 17.625
_MAGNUS_B_C = 243.04


def dew_point_c(t_c, rh_pct):
    """Dew point [°C] from dry-bulb t_c [°C] and relative humidity rh_pct [%] (Magnus).

    gamma = ln(RH/100) + a t / (b + t);   T_dp = b gamma / (a - gamma)
    """
    rh = np.clip(np.asarray(rh_pct, dtype=float), 0.1, 100.0)
    t = np.asarray(t_c, dtype=float)
    gamma = np.log(rh / 100.0) + _MAGNUS_A * t / (_MAGNUS_B_C + t)
    return _MAGNUS_B_C * gamma / (_MAGNUS_A - gamma)


def wet_bulb_stull_c(t_c, rh_pct):
    """Wet-bulb temperature [°C] at sea-level pressure (Stull 2011, J. Appl. Meteor. Climatol.).

    T_wb = T atan(0.151977 (RH + 8.313659)^0.5) + atan(T + RH) - atan(RH - 1.676331)
           + 0.00391838 RH^1.5 atan(0.023101 RH) - 4.686035
    Valid for RH 5-99 % and T -20..50 °C (error within about ±1 K); RH is clipped to
    [5, 99] % and the result is capped at the dry bulb, which it can never exceed.
    """
    t = np.asarray(t_c, dtype=float)
    rh = np.clip(np.asarray(rh_pct, dtype=float), 5.0, 99.0)
    twb = (t * np.arctan(0.151977 * np.sqrt(rh + 8.313659)) + np.arctan(t + rh)
           - np.arctan(rh - 1.676331) + 0.00391838 * rh ** 1.5 * np.arctan(0.023101 * rh)
           - 4.686035)
    return np.minimum(twb, t)


SEA_LEVEL_PRESSURE_HPA = 1013.25
# Ratio of the molar masses of water vapour and dry air [-].
_EPSILON = 0.621945


def saturation_vapour_pressure_hpa(t_c):
    """Saturation vapour pressure over water [hPa] at t_c [°C] (Magnus, Alduchov & Eskridge):
    e_s = 6.1094 exp(a t / (b + t)); the same coefficients as ``dew_point_c``."""
    t = np.asarray(t_c, dtype=float)
    return 6.1094 * np.exp(_MAGNUS_A * t / (_MAGNUS_B_C + t))


def humidity_ratio_kg_per_kg(t_c, rh_pct, pressure_hpa: float = SEA_LEVEL_PRESSURE_HPA):
    """Humidity ratio W [kg water / kg dry air]: e = RH/100 e_s(T), W = 0.622 e / (p - e)."""
    rh = np.clip(np.asarray(rh_pct, dtype=float), 0.1, 100.0)
    e = rh / 100.0 * saturation_vapour_pressure_hpa(t_c)
    return _EPSILON * e / (pressure_hpa - e)


def _vapour_pressure_hpa(w_kg_per_kg, pressure_hpa: float):
    w = np.asarray(w_kg_per_kg, dtype=float)
    return w * pressure_hpa / (_EPSILON + w)


def dew_point_from_humidity_ratio_c(w_kg_per_kg, pressure_hpa: float = SEA_LEVEL_PRESSURE_HPA):
    """Dew point [°C] of air with humidity ratio W [kg/kg]: e = W p / (0.622 + W), then
    Magnus inverted, T_dp = b g / (a - g) with g = ln(e / 6.1094)."""
    g = np.log(np.maximum(_vapour_pressure_hpa(w_kg_per_kg, pressure_hpa), 1e-6) / 6.1094)
    return _MAGNUS_B_C * g / (_MAGNUS_A - g)


def relative_humidity_pct(t_c, w_kg_per_kg, pressure_hpa: float = SEA_LEVEL_PRESSURE_HPA):
    """Relative humidity [%] of air at t_c [°C] with humidity ratio W [kg/kg]: 100 e / e_s(T)."""
    return 100.0 * _vapour_pressure_hpa(w_kg_per_kg, pressure_hpa) / saturation_vapour_pressure_hpa(t_c)
