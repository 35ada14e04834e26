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


def heat_pump_cop(source_c, sink_c, carnot_efficiency: float, approach_k: float, cop_max: float,
                  direct_exchange_aux_share: float):
    """Heating COP [-] (heat out / electricity in) of lifting waste heat at source_c [°C] to a
    network supply temperature sink_c [°C].

    - Heat pump (source_c < sink_c + dT_a): Carnot with a quality grade eta and heat-exchanger
      approaches dT_a on both sides: T_hot = sink + dT_a + 273.15 [K], T_cold = source - dT_a
      + 273.15 [K], lift = T_hot - T_cold >= dT_a > 0, COP = min(cop_max, eta T_hot / lift);
      cop_max is the compressor's practical limit at small lifts.
    - Direct exchange (source_c >= sink_c + dT_a): no lift is needed, a heat exchanger alone
      delivers the heat and only the circulation pumps use electricity, a share
      ``direct_exchange_aux_share`` a [kW_e per kW_th delivered]: COP = 1 / a. The pump work
      ends up in the water, so Q_out = Q_in + W holds as for a heat pump.
    """
    if not 0 < direct_exchange_aux_share < 1:
        raise ValueError(f"heat_pump.direct_exchange_aux_share = {direct_exchange_aux_share}: "
                         "expected a share of the heat delivered in (0, 1) [kW_e/kW_th]")
    t_hot = sink_c + approach_k + KELVIN
    t_cold = source_c - approach_k + KELVIN
    # arithmetic instead of np.where keeps xarray dimensions (broadcast by name)
    direct = (source_c >= sink_c + approach_k) * 1.0
    lift = np.maximum(t_hot - t_cold, approach_k)   # >= dT_a wherever a heat pump runs
    pump = np.minimum(carnot_efficiency * t_hot / lift, cop_max)
    return pump * (1.0 - direct) + direct / direct_exchange_aux_share
