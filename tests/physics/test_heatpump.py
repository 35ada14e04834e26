"""Heating curve and heat-pump COP: hand values and xarray broadcasting."""

import numpy as np
import pytest
import xarray as xr

from greendc.physics.heatpump import district_heating_supply_temperature_c, heat_pump_cop


def test_heating_curve_is_flat_outside_and_linear_between():
    t = np.array([-20.0, -10.0, 2.5, 15.0, 25.0])
    supply = district_heating_supply_temperature_c(t, 90.0, 70.0, -10.0, 15.0)
    assert supply == pytest.approx([90.0, 90.0, 80.0, 70.0, 70.0])


def test_cop_is_carnot_times_grade_with_approaches():
    # source 30 °C, sink 80 °C, approach 3 K: T_hot = 356.15 K, T_cold = 300.15 K.
    cop = heat_pump_cop(30.0, 80.0, 0.45, 3.0, 8.0)
    assert cop == pytest.approx(0.45 * 356.15 / 56.0)


def test_cop_falls_with_lift_and_is_capped():
    sinks = np.array([50.0, 70.0, 90.0])
    cops = heat_pump_cop(45.0, sinks, 0.45, 3.0, 8.0)
    assert cops[0] == 8.0 and cops[1] > cops[2] > 1.0


def test_cop_broadcasts_cooling_against_site_time():
    source = xr.DataArray([30.0, 45.0], dims="cooling")
    sink = xr.DataArray([[70.0, 90.0]], dims=("site", "time"))
    cop = heat_pump_cop(source, sink, 0.45, 3.0, 8.0)
    assert set(cop.dims) == {"site", "time", "cooling"}
    assert float(cop.sel(cooling=1, time=0, site=0)) > float(cop.sel(cooling=0, time=0, site=0))


def test_heating_curve_rejects_inverted_temperatures():
    with pytest.raises(ValueError, match="cutoff_outdoor_c"):
        district_heating_supply_temperature_c(0.0, 90.0, 70.0, 15.0, -10.0)
