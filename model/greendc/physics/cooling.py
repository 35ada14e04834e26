"""Hourly PUE and water use (WUE) per cooling technology from outdoor weather.

Component model in the style of Lei & Masanet (2020, Energy 117556): facility power per kW
of IT = 1 + electrical losses + air movement + heat rejection, each from physical
parameters, evaluated hour by hour on dry-bulb temperature T [°C] and relative humidity
RH [%] (wet bulb and dew point from ``greendc.physics.weather``).

Electrical losses [kW/kW_IT]: e = (1/eta_UPS - 1) + l_PD/(1 - l_PD) + l_light.
Air movement [kW/kW_IT]:      f = dp_fan / (eta_fan rho_air cp_air dT_air) / 1000.
Chiller COP [-] (Lei & Masanet regression, water-cooled chiller + tower):
    COP = 16.798751 + 0.008840 t^2 - 8.528931 L^2 + 9.885294 L - 0.760621 t + 0.084615 L t,
    t = T_wb + tower approach [°C] clipped to the fitted 5-40 °C, L = part load [-].
Pumps [kW per kW of heat moved]: head / (eta_pump rho_w cp_w dT) / 1000.
Tower water [L/kWh rejected]: 3600 / h_fg x evaporative share x cycles / (cycles - 1).

Heat recovered by a heat pump from the cooling loop is heat the plant no longer rejects:
``heat_rejection_saving`` gives, hour by hour, the plant electricity [kW_e] and water [L]
saved per kWh_th taken out of the loop (chiller, towers, dry coolers; the loop pumps and air
fans keep running). The plant models are linear in the heat rejected, so the saving is exact.

PUE models (``pue_model`` in data/catalogue/cooling.yaml):
- ``chiller``: closed air loop, CRAH fans + chiller + pumps + tower every hour.
- ``economiser``: direct air-side economiser with adiabatic assist and a trim chiller; see
  ``economiser`` for the supply-air envelope, which is checked on the air as supplied (after
  evaporative cooling), and for humidification of too dry air.
- ``economiser_chillerless``: the same economiser without any chiller: fans, evaporation and
  humidification only; hours outside the recommended envelope are run in the allowable range.
  Its climate limit ``max_dry_bulb_c`` (user-set, outdoor dry bulb [°C]) makes the design
  infeasible at a site whose weather exceeds it (``climate_limit_hours``).
- ``immersion``: single-phase immersion, dry coolers rejecting coolant heat; fan power rises
  with the cube of the air flow needed as the air gets warmer; adiabatic spray, then trim
  chiller, only when the air is too warm.
- ``direct_liquid``: warm-water direct liquid cooling for a share of the heat (dry coolers as
  for immersion) and an air-side economiser for the rest.
- ``constant``: a planner's given figures, PUE = ``pue`` [-] and WUE = ``wue_l_per_kwh``
  [L/kWh_IT] every hour (a vendor's quoted annual values; no weather dependence). Without a
  plant model, heat recovered saves no plant electricity or water (``heat_rejection_saving``
  is 0), the conservative reading.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from greendc.errors import DataError
from greendc.physics.weather import (
    dew_point_from_humidity_ratio_c, humidity_ratio_kg_per_kg, relative_humidity_pct,
    wet_bulb_stull_c,
)

RHO_AIR_KG_PER_M3 = 1.2
CP_AIR_KJ_PER_KG_K = 1.006
RHO_WATER_KG_PER_M3 = 1000.0
CP_WATER_KJ_PER_KG_K = 4.186
LATENT_HEAT_KJ_PER_KG = 2450.0

ELECTRICAL = ("ups_efficiency", "distribution_loss_share", "lighting_share")
AIR = ("fan_pressure_pa", "fan_efficiency", "air_delta_t_k")
CHILLER = ("chiller_part_load", "tower_approach_k", "chilled_water_delta_t_k",
           "chilled_water_pump_head_pa", "tower_water_delta_t_k", "tower_pump_head_pa",
           "pump_efficiency", "tower_fan_share", "tower_evaporative_share",
           "cycles_of_concentration")
ECONOMISER = ("supply_air_max_c", "economiser_approach_k", "dew_point_max_c",
              "dew_point_min_c", "relative_humidity_max_pct", "adiabatic_effectiveness",
              "humidifier_kwh_per_kg")
CHILLERLESS = ("supply_air_max_c", "economiser_approach_k", "dew_point_min_c",
               "adiabatic_effectiveness", "humidifier_kwh_per_kg", "max_dry_bulb_c")
DRY_COOLER = ("coolant_temperature_c", "dry_cooler_approach_k", "dry_cooler_design_rise_k",
              "dry_cooler_fan_share_design", "dry_cooler_fan_share_min", "coolant_pump_share",
              "adiabatic_effectiveness")
REQUIRED = {
    "chiller": ELECTRICAL + AIR + CHILLER,
    "economiser": ELECTRICAL + AIR + CHILLER + ECONOMISER,
    "economiser_chillerless": ELECTRICAL + AIR + CHILLERLESS,
    "immersion": ELECTRICAL + CHILLER + DRY_COOLER,
    "direct_liquid": ELECTRICAL + AIR + CHILLER + ECONOMISER + DRY_COOLER + ("liquid_share",),
    "constant": ("pue", "wue_l_per_kwh"),
}


def electrical_overhead(p: Mapping[str, float]) -> float:
    """UPS, distribution and lighting losses [kW per kW_IT]."""
    pd = p["distribution_loss_share"]
    return 1.0 / p["ups_efficiency"] - 1.0 + pd / (1.0 - pd) + p["lighting_share"]


def air_fan_share(p: Mapping[str, float]) -> float:
    """Fan power to move the IT heat in air [kW per kW_IT]: V = 1/(rho cp dT), P = V dp / eta."""
    flow_m3_per_s = 1.0 / (RHO_AIR_KG_PER_M3 * CP_AIR_KJ_PER_KG_K * p["air_delta_t_k"])
    return flow_m3_per_s * p["fan_pressure_pa"] / p["fan_efficiency"] / 1000.0


def chiller_cop(t_wb_c, p: Mapping[str, float]):
    """Water-cooled chiller COP [-] (Lei & Masanet 2020 regression, see module docstring)."""
    t = np.clip(np.asarray(t_wb_c, dtype=float) + p["tower_approach_k"], 5.0, 40.0)
    load = p["chiller_part_load"]
    return (16.798751 + 0.008840 * t**2 - 8.528931 * load**2 + 9.885294 * load
            - 0.760621 * t + 0.084615 * load * t)


def _pump_share(head_pa: float, delta_t_k: float, efficiency: float) -> float:
    flow_m3_per_s = 1.0 / (RHO_WATER_KG_PER_M3 * CP_WATER_KJ_PER_KG_K * delta_t_k)
    return flow_m3_per_s * head_pa / efficiency / 1000.0


def chiller_plant(heat_kw_per_kw_it, t_wb_c, p: Mapping[str, float]):
    """Electricity [kW/kW_IT] and tower water [L/kWh_IT] to reject ``heat`` with a chiller.

    W = Q/COP + Q pump_chw + Q(1 + 1/COP)(pump_tower + tower fan);
    water = Q(1 + 1/COP) x 3600/h_fg x evaporative share x cycles/(cycles - 1).
    """
    cop = chiller_cop(t_wb_c, p)
    rejected = heat_kw_per_kw_it * (1.0 + 1.0 / cop)
    chw_pump = _pump_share(p["chilled_water_pump_head_pa"], p["chilled_water_delta_t_k"],
                           p["pump_efficiency"])
    tower_pump = _pump_share(p["tower_pump_head_pa"], p["tower_water_delta_t_k"],
                             p["pump_efficiency"])
    power = heat_kw_per_kw_it * (1.0 / cop + chw_pump) + rejected * (tower_pump
                                                                      + p["tower_fan_share"])
    cycles = p["cycles_of_concentration"]
    water = (rejected * 3600.0 / LATENT_HEAT_KJ_PER_KG * p["tower_evaporative_share"]
             * cycles / (cycles - 1.0))
    return power, water


def _evaporation_l_per_kwh(cooling_k, air_rise_k):
    """Water evaporated [L per kWh of heat] to pre-cool the air stream by ``cooling_k``."""
    return 3600.0 * cooling_k / (air_rise_k * LATENT_HEAT_KJ_PER_KG)


def _economiser_air(t, rh_pct, p: Mapping[str, float], chiller: bool):
    """Supply-air states of the economiser, hour by hour (see ``economiser``)."""
    twb = wet_bulb_stull_c(t, rh_pct)
    limit = p["supply_air_max_c"] - p["economiser_approach_k"]
    free = t <= limit
    if chiller:   # evaporate just enough to bring the air to the supply limit
        supply_c = np.where(free, t, limit)
        reach = t - p["adiabatic_effectiveness"] * (t - twb) <= limit
    else:         # no chiller: evaporate as far as the media allow, supply may exceed limit
        supply_c = np.where(free, t, np.maximum(limit, t - p["adiabatic_effectiveness"]
                                                * (t - twb)))
        reach = np.ones_like(free)
    w_out = humidity_ratio_kg_per_kg(t, rh_pct)
    # adiabatic: the sensible heat given up evaporates water, cp dT = h_fg dW
    w_supply = w_out + CP_AIR_KJ_PER_KG_K * (t - supply_c) / LATENT_HEAT_KJ_PER_KG
    # outdoor air per kWh of IT heat [kg]: it warms from min(T, limit) to limit + dT_air
    # (cold air is tempered with return air, which carries the same moisture)
    air_kg = 3600.0 / (CP_AIR_KJ_PER_KG_K * (limit + p["air_delta_t_k"] - np.minimum(t, limit)))
    w_min = humidity_ratio_kg_per_kg(p["dew_point_min_c"], 100.0)
    humidify_kg = air_kg * np.maximum(w_min - w_supply, 0.0)
    evaporate_kg = air_kg * (w_supply - w_out)
    return twb, limit, free, reach, w_supply, humidify_kg, evaporate_kg


def supply_air_in_envelope(limit_c, w_supply, p: Mapping[str, float]):
    """True where air of humidity ratio ``w_supply`` [kg/kg] supplied at ``limit_c`` [°C]
    meets the upper limits: dew point <= dew_point_max_c and RH <= relative_humidity_max_pct
    (too dry air is humidified instead, see ``economiser``)."""
    return ((dew_point_from_humidity_ratio_c(w_supply) <= p["dew_point_max_c"])
            & (relative_humidity_pct(limit_c, w_supply) <= p["relative_humidity_max_pct"]))


def economiser(t_c, rh_pct, p: Mapping[str, float], chiller: bool = True):
    """Air-side economiser: hourly (cooling power [kW/kW_IT], water [L/kWh_IT]).

    Warmest supply air T_lim = supply_air_max_c - economiser_approach_k [°C].
    - Free: T <= T_lim; the outdoor air (tempered with return air, same moisture) is supplied.
    - Adiabatic: T > T_lim and T - eps (T - T_wb) <= T_lim: water is evaporated until the air
      reaches T_lim, which adds W_evap = cp (T - T_lim) / h_fg [kg/kg] of moisture.
    - The supply-air envelope (ASHRAE TC 9.9 recommended) is checked on the air as supplied,
      i.e. AFTER evaporation: dew point(W_out + W_evap) <= dew_point_max_c and RH at T_lim
      <= relative_humidity_max_pct. An hour that fails (or that evaporation cannot cool
      enough) is not served by the economiser: closed loop with the trim chiller on the
      whole heat load.
    - Too dry (dew point of the supplied air < dew_point_min_c): a steam humidifier adds
      m_air (W_min - W) [kg/kWh_IT] of water at humidifier_kwh_per_kg [kWh_e/kg], with the
      outdoor air m_air = 3600 / (cp (T_lim + dT_air - min(T, T_lim))) [kg/kWh_IT].
    Power = fans + humidifier (+ chiller plant in closed-loop hours); water [L = kg] =
    evaporation + humidification (or tower water in closed-loop hours).

    ``chiller=False`` (``economiser_chillerless``): every hour is served by air, evaporating
    as far as the media allow (supply max(T_lim, T - eps (T - T_wb))), envelope excursions in
    the allowable range accepted; the site's climate limit is ``climate_limit_hours``.
    """
    t = np.asarray(t_c, dtype=float)
    twb, limit, free, reach, w_supply, humidify_kg, evaporate_kg = _economiser_air(
        t, rh_pct, p, chiller)
    fans = air_fan_share(p)
    air_power = fans + humidify_kg * p["humidifier_kwh_per_kg"]
    air_water = evaporate_kg + humidify_kg
    if not chiller:
        return air_power, air_water
    served = (free | reach) & supply_air_in_envelope(limit, w_supply, p)
    chill_power, chill_water = chiller_plant(1.0 + fans, twb, p)
    return (np.where(served, air_power, fans + chill_power),
            np.where(served, air_water, chill_water))


def economiser_served(t_c, rh_pct, p: Mapping[str, float]):
    """True in the hours the economiser serves alone (no trim chiller), see ``economiser``."""
    t = np.asarray(t_c, dtype=float)
    _twb, limit, free, reach, w_supply, _h, _e = _economiser_air(t, rh_pct, p, True)
    return (free | reach) & supply_air_in_envelope(limit, w_supply, p)


def dry_cooler(t_c, rh_pct, p: Mapping[str, float]):
    """Liquid loop rejected by dry coolers: hourly (power [kW/kW_heat], water [L/kWh_heat]).

    Air may leave at T_c - a at most; available rise r = T_c - a - T. Fan power follows the
    cube of the air flow (1/r): f = f_d (r_d / r)^3, floored at f_min. When r < r_d the air
    is pre-cooled adiabatically; if even the wet bulb cannot reach r_d, a trim chiller runs.
    """
    t = np.asarray(t_c, dtype=float)
    twb = wet_bulb_stull_c(t, rh_pct)
    air_out_max = p["coolant_temperature_c"] - p["dry_cooler_approach_k"]
    design_rise = p["dry_cooler_design_rise_k"]
    design_in = air_out_max - design_rise
    rise = np.maximum(air_out_max - t, 1e-3)
    fan = np.maximum(p["dry_cooler_fan_share_design"] * (design_rise / rise) ** 3,
                     p["dry_cooler_fan_share_min"])
    pre_cooled = t - p["adiabatic_effectiveness"] * (t - twb)
    spray = (t > design_in) & (pre_cooled <= design_in)
    trim = (t > design_in) & ~spray
    chill_power, chill_water = chiller_plant(1.0, twb, p)
    power = p["coolant_pump_share"] + np.where(t > design_in, p["dry_cooler_fan_share_design"],
                                               fan)
    power = power + np.where(trim, chill_power, 0.0)
    evap = _evaporation_l_per_kwh(np.maximum(t - design_in, 0.0), design_rise)
    water = np.where(spray, evap, np.where(trim, chill_water, 0.0))
    return power, water


def _check_parameters(pue_model: str, p: Mapping[str, float]) -> None:
    if pue_model not in REQUIRED:
        raise DataError(f"cooling pue_model = {pue_model!r}: unknown; expected one of "
                        f"{sorted(REQUIRED)}")
    missing = [k for k in REQUIRED[pue_model] if k not in p]
    if missing:
        raise DataError(f"cooling pue_model {pue_model!r}: parameters {missing} are missing "
                        "(see data/catalogue/cooling.yaml for the full list with units)")
    for key in ("ups_efficiency", "fan_efficiency", "pump_efficiency"):
        if key in p and not 0 < p[key] <= 1:
            raise DataError(f"cooling parameter {key} = {p[key]}: efficiencies are in (0, 1]")
    if pue_model == "constant" and not (1.0 <= p["pue"] <= 5.0 and 0 <= p["wue_l_per_kwh"]):
        raise DataError(f"cooling pue_model 'constant': pue = {p['pue']} must be in [1, 5] "
                        f"and wue_l_per_kwh = {p['wue_l_per_kwh']} [L/kWh] >= 0")
    if p.get("cycles_of_concentration", 2.0) <= 1:
        raise DataError(f"cooling parameter cycles_of_concentration = "
                        f"{p['cycles_of_concentration']}: expected > 1")


def cooling_profiles(t_c, rh_pct, pue_model: str, parameters: Mapping[str, float]):
    """Hourly PUE [-] and WUE [L/kWh_IT] for one cooling technology at one site.

    ``t_c`` dry-bulb temperature [°C] and ``rh_pct`` relative humidity [%], 1-d arrays of the
    same length; returns two float arrays of that length.
    """
    p = dict(parameters)
    _check_parameters(pue_model, p)
    t = np.asarray(t_c, dtype=float)
    if pue_model == "constant":
        return np.full(t.shape, float(p["pue"])), np.full(t.shape, float(p["wue_l_per_kwh"]))
    overhead = electrical_overhead(p)
    if pue_model == "chiller":
        fans = air_fan_share(p)
        power, water = chiller_plant(1.0 + fans, wet_bulb_stull_c(t, rh_pct), p)
        power = power + fans
    elif pue_model == "economiser":
        power, water = economiser(t, rh_pct, p)
    elif pue_model == "economiser_chillerless":
        power, water = economiser(t, rh_pct, p, chiller=False)
    elif pue_model == "immersion":
        power, water = dry_cooler(t, rh_pct, p)
    else:
        share = p["liquid_share"]
        liquid_power, liquid_water = dry_cooler(t, rh_pct, p)
        air_power, air_water = economiser(t, rh_pct, p)
        power = share * liquid_power + (1.0 - share) * air_power
        water = share * liquid_water + (1.0 - share) * air_water
    pue = 1.0 + overhead + np.broadcast_to(power, t.shape)
    return np.asarray(pue, dtype=float), np.asarray(np.broadcast_to(water, t.shape), dtype=float)


def _chiller_rejection(t_wb_c, p: Mapping[str, float]):
    """Chiller-plant electricity [kW_e] and tower water [L/kWh] per kW_th it rejects, less the
    chilled-water pumps (the loop keeps circulating through the heat-pump evaporator):
    power 1/COP + (1 + 1/COP)(tower pump + fan), water as ``chiller_plant``."""
    power, water = chiller_plant(1.0, t_wb_c, p)
    return power - _pump_share(p["chilled_water_pump_head_pa"], p["chilled_water_delta_t_k"],
                               p["pump_efficiency"]), water


def heat_rejection_saving(t_c, rh_pct, pue_model: str, parameters: Mapping[str, float]):
    """Hourly (electricity [kW_e per kW_th], water [L per kWh_th]) the cooling plant saves per
    kW_th of server heat that a heat pump takes out of the cooling loop instead of the plant
    rejecting it.

    - ``chiller``: chiller + towers (``_chiller_rejection``), every hour.
    - ``economiser``: the same in the trim-chiller hours, 0 when air alone cools (fans and
      evaporative media treat the air stream whatever the heat load); chiller-less: 0.
    - ``immersion`` / ``direct_liquid``: dry-cooler fans, spray water and trim chiller per
      kW_th of the liquid loop (``dry_cooler``), less the coolant pumps, which keep running.
    - ``constant``: 0 (no plant model to take the heat from).
    Facility power then is PUE x IT - saving x heat recovered (``formulation.cooling``).
    """
    p = dict(parameters)
    _check_parameters(pue_model, p)
    t = np.asarray(t_c, dtype=float)
    if pue_model in ("immersion", "direct_liquid"):
        power, water = dry_cooler(t, rh_pct, p)
        power = power - p["coolant_pump_share"]
    elif pue_model in ("economiser_chillerless", "constant"):
        power, water = np.zeros_like(t), np.zeros_like(t)
    else:
        power, water = _chiller_rejection(wet_bulb_stull_c(t, rh_pct), p)
        if pue_model == "economiser":
            served = economiser_served(t, rh_pct, p)
            power, water = np.where(served, 0.0, power), np.where(served, 0.0, water)
    return (np.asarray(np.broadcast_to(power, t.shape), dtype=float),
            np.asarray(np.broadcast_to(water, t.shape), dtype=float))


def climate_limit_hours(t_c, parameters: Mapping[str, float]) -> int:
    """Hours whose outdoor dry bulb [°C] exceeds the cooling's ``max_dry_bulb_c`` (0 when the
    technology has no climate limit): a chiller-less design cannot run them."""
    limit = parameters.get("max_dry_bulb_c")
    if limit is None:
        return 0
    return int(np.count_nonzero(np.asarray(t_c, dtype=float) > float(limit)))
