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
