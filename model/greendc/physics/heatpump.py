"""District-heating supply temperature and heat-pump COP (hourly, element-wise).

Both functions work on numpy arrays and broadcast xarray objects by dimension name.
"""

from __future__ import annotations

import numpy as np

KELVIN = 273.15


def district_heating_supply_temperature_c(outdoor_c, supply_max_c: float, supply_min_c: float,
                                          design_outdoor_c: float, cutoff_outdoor_c: float):
    """Weather-compensated network supply temperature [°C] (heating curve).

    T_supply = T_max at T_out <= T_design, T_min at T_out >= T_cutoff, linear in between:
    T_supply = T_max - (T_max - T_min) (T_out - T_design) / (T_cutoff - T_design).
    """
    if cutoff_outdoor_c <= design_outdoor_c:
        raise ValueError(
            f"district_heating.cutoff_outdoor_c = {cutoff_outdoor_c} °C must be above "
            f"design_outdoor_c = {design_outdoor_c} °C")
    share = (outdoor_c - design_outdoor_c) / (cutoff_outdoor_c - design_outdoor_c)
    share = np.clip(share, 0.0, 1.0)
    return supply_max_c - (supply_max_c - supply_min_c) * share


def heat_pump_cop(source_c, sink_c, carnot_efficiency: float, approach_k: float, cop_max: float):
    """Heating COP [-] of a heat pump lifting waste heat at source_c [°C] to sink_c [°C].

    Carnot with a quality grade (eta) and heat-exchanger approaches (dT_a) on both sides:
    T_hot = sink + dT_a + 273.15 [K], T_cold = source - dT_a + 273.15 [K],
    COP = min(cop_max, eta T_hot / (T_hot - T_cold)); where the source is hot enough that the
    lift vanishes, COP = cop_max (the compressor only trims).
    """
    t_hot = sink_c + approach_k + KELVIN
    t_cold = source_c - approach_k + KELVIN
    lift = t_hot - t_cold
    safe_lift = np.maximum(lift, 1e-6)
    cop = carnot_efficiency * t_hot / safe_lift
    return np.minimum(cop, cop_max)
