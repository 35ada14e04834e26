"""Hourly PUE/WUE models: hand checks on components and physical directions."""

import numpy as np
import pytest

from greendc.catalogue import load_catalogue
from greendc.errors import DataError
from greendc.physics.cooling import (
    air_fan_share, chiller_cop, chiller_plant, climate_limit_hours, cooling_profiles,
    electrical_overhead, heat_rejection_saving,
)
from greendc.physics.weather import dew_point_c, dew_point_from_humidity_ratio_c

CAT = load_catalogue()
PARAMS = {k: {n: q.value for n, q in c.parameters.items()} for k, c in CAT.cooling.items()}
MODEL = {k: c.pue_model for k, c in CAT.cooling.items()}
T = np.linspace(-15.0, 38.0, 54)
RH = np.clip(90.0 - 1.5 * (T + 15.0), 20.0, 90.0)  # drier as it gets hotter, as in Europe


def profile(tech, t=T, rh=RH):
    return cooling_profiles(t, rh, MODEL[tech], PARAMS[tech])


def test_components_by_hand():
    p = {"ups_efficiency": 0.95, "distribution_loss_share": 0.02, "lighting_share": 0.001,
         "fan_pressure_pa": 600.0, "fan_efficiency": 0.75, "air_delta_t_k": 15.0}
    assert electrical_overhead(p) == pytest.approx(1 / 0.95 - 1 + 0.02 / 0.98 + 0.001)
    assert air_fan_share(p) == pytest.approx(600 / 0.75 / (1.2 * 1.006 * 15) / 1000)


def test_chiller_cop_matches_lei_masanet_table():
    # domain table: T_wb 10 °C + 4 K approach, L = 0.6 -> COP 11.5; T_wb 25 °C -> 6.5
    p = {"tower_approach_k": 4.0, "chiller_part_load": 0.6}
    assert chiller_cop(10.0, p) == pytest.approx(11.5, abs=0.05)
    assert chiller_cop(25.0, p) == pytest.approx(6.5, abs=0.05)


@pytest.mark.parametrize("tech", sorted(PARAMS))
def test_pue_at_least_one_and_water_non_negative(tech):
    pue, wue = profile(tech)
    assert np.all(pue > 1.0) and np.all(np.isfinite(pue))
    assert np.all(wue >= 0.0)


def test_chiller_pue_rises_with_temperature():
    pue, _ = profile("air_chiller")
    assert np.all(np.diff(pue) >= -1e-12) and pue[-1] > pue[0] + 0.03


def test_economiser_is_fans_only_in_cool_dry_air_and_uses_water_when_warm():
    pue, wue = profile("free_air", t=np.array([5.0, 30.0, 30.0]), rh=np.array([60, 20, 90]))
    assert wue[0] == 0.0 and wue[1] > 0.0  # adiabatic assist in warm dry air
    assert pue[2] > pue[1] >= pue[0]          # warm humid air needs the trim chiller


def test_immersion_is_flatter_and_lower_than_air():
    imm, imm_w = profile("immersion")
    air, _ = profile("air_chiller")
    free, _ = profile("free_air")
    assert np.ptp(imm) < np.ptp(air) / 3
    assert np.all(imm < air) and imm.mean() < free.mean()
    assert imm_w[T < 30].max() == 0.0


def test_annual_pue_in_published_ranges_for_a_temperate_year():
    hours = np.arange(8760)
    t = 11 - 9 * np.cos(2 * np.pi * (hours - 400) / 8760) - 5 * np.cos(2 * np.pi * hours / 24)
    rh = np.full(8760, 75.0)
    means = {k: profile(k, t, rh)[0].mean() for k in PARAMS}
    assert 1.2 < means["air_chiller"] < 1.6       # chiller-based air 1.45-1.6 (fleet), new 1.2-1.4
    assert 1.05 < means["free_air"] < 1.2         # hyperscale economiser 1.10-1.20
    assert 1.02 < means["immersion"] < 1.1        # single-phase immersion 1.02-1.08


def test_missing_parameter_is_named():
    p = dict(PARAMS["free_air"])
    del p["dew_point_max_c"]
    with pytest.raises(DataError, match="dew_point_max_c"):
        cooling_profiles(T, RH, "economiser", p)


def test_unknown_model_is_named():
    with pytest.raises(DataError, match="'vapour'"):
        cooling_profiles(T, RH, "vapour", PARAMS["free_air"])


FREE = PARAMS["free_air"]


def test_supply_air_envelope_is_checked_after_evaporative_cooling():
    """30 °C with a 14.5 °C outdoor dew point (RH 38.9 %): outdoor air is inside the 15 °C
    limit, and the media can cool it to T_lim = 27 - 2 = 25 °C. Evaporating to 25 °C adds
    1.006 x 5 / 2450 = 0.002053 kg/kg to W_out = 0.010283: W = 0.012336, e = 19.707 hPa,
    dew point 17.30 °C > 15 °C, so the trim chiller must run (closed loop on the whole load):
    PUE = 1 + losses + fans + chiller plant(1 + fans)."""
    rh = 100 * 16.480 / 42.368
    assert dew_point_c(30.0, rh) == pytest.approx(14.5, abs=0.01)
    w_supply = 0.010283 + 1.006 * 5 / 2450
    assert dew_point_from_humidity_ratio_c(w_supply) == pytest.approx(17.30, abs=0.02)
    pue, _ = cooling_profiles(np.array([30.0]), np.array([rh]), "economiser", FREE)
    fans = air_fan_share(FREE)
    from greendc.physics.weather import wet_bulb_stull_c
    chill, _ = chiller_plant(1.0 + fans, wet_bulb_stull_c(30.0, rh), FREE)
    assert pue[0] == pytest.approx(1 + electrical_overhead(FREE) + fans + chill)
    dry, _ = cooling_profiles(np.array([30.0]), np.array([20.0]), "economiser", FREE)
    assert dry[0] == pytest.approx(1 + electrical_overhead(FREE) + fans)  # adiabatic, served


def test_humidification_energy_and_water_when_the_air_is_too_dry():
    """-10 °C, 80 %: W_out = 0.621945 x 2.2941 / 1010.956 = 0.0014114 kg/kg, below
    W(-9 °C dew point) = 0.621945 x 3.1020 / 1010.148 = 0.0019099. Outdoor air per kWh of
    IT heat: 3600 / (1.006 x (25 + 15 + 10)) = 71.571 kg; water 71.571 x 0.0004985
    = 0.03568 kg/kWh_IT; steam at 0.75 kWh/kg: +0.02676 kW/kW_IT on PUE."""
    pue, wue = cooling_profiles(np.array([-10.0, 5.0]), np.array([80.0, 60.0]), "economiser",
                                FREE)
    assert wue[1] == 0.0
    assert wue[0] == pytest.approx(0.03568, rel=2e-3)
    assert pue[0] - pue[1] == pytest.approx(0.02676, rel=2e-3)


def test_reference_sites_hours_outside_the_envelope():
    """Hours the economiser cannot serve because evaporation would push the supply dew point
    above 15 °C: Frankfurt 76 (up to 20.2 °C), Lisbon 136; Stockholm humidifies 556 h."""
    import xarray as xr
    from greendc.physics.cooling import _economiser_air
    from greendc.sitedata.files import reference_file
    counts = {}
    for site in ("de-frankfurt", "pt-lisbon", "se-stockholm"):
        ds = xr.open_dataset(reference_file(site))
        t, rh = ds["air_temperature"].values, ds["relative_humidity"].values
        _, _, free, reach, w, humid, _ = _economiser_air(t, rh, FREE, True)
        dp = dew_point_from_humidity_ratio_c(w)
        wet = ~free & reach & (dew_point_c(t, rh) <= 15.0) & (dp > 15.0)
        counts[site] = (int(wet.sum()), float(dp[wet].max()) if wet.any() else None,
                        int((humid > 0).sum()))
    assert counts["de-frankfurt"][:2] == (76, pytest.approx(20.2, abs=0.05))
    assert counts["pt-lisbon"][0] == 136
    assert counts["se-stockholm"][2] == 556


def test_chillerless_economiser_has_no_chiller_and_a_climate_limit():
    p = PARAMS["free_air_chillerless"]
    pue, wue = cooling_profiles(np.array([33.0, 10.0]), np.array([60.0, 50.0]),
                                "economiser_chillerless", p)
    base = 1 + electrical_overhead(p) + air_fan_share(p)
    assert pue == pytest.approx([base, base])      # fans only, even in hot humid air
    assert wue[0] > 0 and wue[1] == 0
    assert climate_limit_hours([30.0, 36.0, 37.0], {"max_dry_bulb_c": 35.0}) == 2
    assert climate_limit_hours([40.0], FREE) == 0   # a chiller has no climate limit


def test_heat_rejection_saving_of_a_chiller_by_hand():
    """T_wb 16 °C + 4 K: COP = 8.778895 (L = 0.5); tower pump 208660 / (1000 x 4.186 x 5)
    / 0.75 / 1000 = 0.013293, tower fan 0.01: saving = 1/COP + (1 + 1/COP)(0.023293)
    = 0.139856 kW_e per kW_th, and the tower water of that heat. The economiser saves nothing
    while air alone cools."""
    p = PARAMS["air_chiller"]
    t, rh = np.array([16.0]), np.array([100.0])   # saturated: wet bulb = dry bulb
    from greendc.physics.weather import wet_bulb_stull_c
    twb = float(wet_bulb_stull_c(t, rh)[0])
    cop = float(chiller_cop(twb, p))
    expected = 1 / cop + (1 + 1 / cop) * (208660 / (1000 * 4.186 * 5) / 0.75 / 1000 + 0.01)
    power, water = heat_rejection_saving(t, rh, "chiller", p)
    assert power[0] == pytest.approx(expected)
    assert float(chiller_cop(16.0, p)) == pytest.approx(8.778895, abs=1e-5)
    # tower water per kWh_th: (1 + 1/COP) x 3600/2450 x 0.8 x 5/4
    assert water[0] == pytest.approx((1 + 1 / cop) * 3600 / 2450 * 0.8 * 5 / 4)
    power, water = heat_rejection_saving(np.array([5.0]), np.array([60.0]), "economiser", FREE)
    assert power[0] == 0.0 and water[0] == 0.0
