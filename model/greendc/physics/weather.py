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
