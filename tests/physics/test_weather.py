"""Psychrometrics against textbook values."""

import numpy as np
import pytest

from greendc.physics.weather import dew_point_c, wet_bulb_stull_c


def test_stull_wet_bulb_matches_his_worked_example():
    # Stull (2011): T = 20 °C, RH = 50 % gives T_wb = 13.7 °C.
    assert wet_bulb_stull_c(20.0, 50.0) == pytest.approx(13.7, abs=0.1)


def test_saturated_air_wet_bulb_and_dew_point_equal_dry_bulb():
    t = np.array([0.0, 10.0, 25.0])
    assert dew_point_c(t, 100.0) == pytest.approx(t, abs=1e-9)
    assert wet_bulb_stull_c(t, 99.0) == pytest.approx(t, abs=0.6)


def test_dew_point_below_wet_bulb_below_dry_bulb():
    t, rh = np.linspace(-10, 40, 11), np.full(11, 40.0)
    assert np.all(dew_point_c(t, rh) < wet_bulb_stull_c(t, rh))
    assert np.all(wet_bulb_stull_c(t, rh) <= t)


def test_humidity_ratio_by_hand_and_dew_point_round_trip():
    """20 °C, 50 %: e_s = 6.1094 exp(17.625 x 20 / 263.04) = 23.334 hPa, e = 11.667 hPa,
    W = 0.621945 x 11.667 / (1013.25 - 11.667) = 0.0072446 kg/kg; back to the dew point of
    the (T, RH) formula and RH 50 %."""
    from greendc.physics.weather import (
        dew_point_c, dew_point_from_humidity_ratio_c, humidity_ratio_kg_per_kg,
        relative_humidity_pct,
    )
    w = humidity_ratio_kg_per_kg(20.0, 50.0)
    assert w == pytest.approx(0.0072446, rel=1e-4)
    assert dew_point_from_humidity_ratio_c(w) == pytest.approx(dew_point_c(20.0, 50.0), abs=1e-9)
    assert relative_humidity_pct(20.0, w) == pytest.approx(50.0)
