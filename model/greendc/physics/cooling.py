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

PUE models (``pue_model`` in data/catalogue/cooling.yaml):
- ``chiller``: closed air loop, CRAH fans + chiller + pumps + tower every hour.
- ``economiser``: direct air-side economiser; free cooling while T <= T_supply,max - approach
  and dew point <= limit; adiabatic (evaporative) assist while the wet bulb allows it; trim
  chiller otherwise.
- ``immersion``: single-phase immersion, dry coolers rejecting coolant heat; fan power rises
  with the cube of the air flow needed as the air gets warmer; adiabatic spray, then trim
  chiller, only when the air is too warm.
- ``direct_liquid``: warm-water direct liquid cooling for a share of the heat (dry coolers as
  for immersion) and an air-side economiser for the rest.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from greendc.errors import DataError
from greendc.physics.weather import dew_point_c, wet_bulb_stull_c

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
              "adiabatic_effectiveness")
DRY_COOLER = ("coolant_temperature_c", "dry_cooler_approach_k", "dry_cooler_design_rise_k",
              "dry_cooler_fan_share_design", "dry_cooler_fan_share_min", "coolant_pump_share",
              "adiabatic_effectiveness")
REQUIRED = {
    "chiller": ELECTRICAL + AIR + CHILLER,
    "economiser": ELECTRICAL + AIR + CHILLER + ECONOMISER,
    "immersion": ELECTRICAL + CHILLER + DRY_COOLER,
    "direct_liquid": ELECTRICAL + AIR + CHILLER + ECONOMISER + DRY_COOLER + ("liquid_share",),
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


def economiser(t_c, rh_pct, p: Mapping[str, float]):
    """Air-side economiser: hourly (cooling power [kW/kW_IT], water [L/kWh_IT]).

    Free: T <= T_s - a and T_dp <= dp_max -> fans only.
    Adiabatic: T - eps (T - T_wb) <= T_s - a and T_dp <= dp_max -> fans + evaporation.
    Otherwise: closed loop with the trim chiller on the whole heat load.
    """
    t = np.asarray(t_c, dtype=float)
    twb, tdp = wet_bulb_stull_c(t, rh_pct), dew_point_c(t, rh_pct)
    fans = air_fan_share(p)
    limit = p["supply_air_max_c"] - p["economiser_approach_k"]
    dry_enough = tdp <= p["dew_point_max_c"]
    free = (t <= limit) & dry_enough
    adiabatic = ~free & dry_enough & (t - p["adiabatic_effectiveness"] * (t - twb) <= limit)
    chill_power, chill_water = chiller_plant(1.0 + fans, twb, p)
    evap = _evaporation_l_per_kwh(np.maximum(t - limit, 0.0), p["air_delta_t_k"])
    power = fans + np.where(free | adiabatic, 0.0, chill_power)
    water = np.where(free, 0.0, np.where(adiabatic, evap, chill_water))
    return power, water


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
    overhead = electrical_overhead(p)
    if pue_model == "chiller":
        fans = air_fan_share(p)
        power, water = chiller_plant(1.0 + fans, wet_bulb_stull_c(t, rh_pct), p)
        power = power + fans
    elif pue_model == "economiser":
        power, water = economiser(t, rh_pct, p)
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
