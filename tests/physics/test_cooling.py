"""Hourly PUE/WUE models: hand checks on components and physical directions."""

import numpy as np
import pytest

from greendc.catalogue import load_catalogue
from greendc.errors import DataError
from greendc.physics.cooling import (
    air_fan_share, chiller_cop, cooling_profiles, electrical_overhead,
)

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
