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
    cop = heat_pump_cop(30.0, 80.0, 0.45, 3.0, 8.0, 0.02)
    assert cop == pytest.approx(0.45 * 356.15 / 56.0)


def test_cop_falls_with_lift_and_is_capped():
    sinks = np.array([50.0, 70.0, 90.0])
    cops = heat_pump_cop(45.0, sinks, 0.45, 3.0, 8.0, 0.02)
    assert cops[0] == 8.0 and cops[1] > cops[2] > 1.0


def test_cop_broadcasts_cooling_against_site_time():
    source = xr.DataArray([30.0, 45.0], dims="cooling")
    sink = xr.DataArray([[70.0, 90.0]], dims=("site", "time"))
    cop = heat_pump_cop(source, sink, 0.45, 3.0, 8.0, 0.02)
    assert set(cop.dims) == {"site", "time", "cooling"}
    assert float(cop.sel(cooling=1, time=0, site=0)) > float(cop.sel(cooling=0, time=0, site=0))


def test_heating_curve_rejects_inverted_temperatures():
    with pytest.raises(ValueError, match="cutoff_outdoor_c"):
        district_heating_supply_temperature_c(0.0, 90.0, 70.0, 15.0, -10.0)


def test_no_lift_is_direct_exchange_with_pumping_energy_not_a_capped_carnot_cop():
    """Source 60 °C, network 55 °C, approach 3 K: 60 >= 55 + 3, a heat exchanger suffices and
    the circulation pumps use 2 % of the heat: COP = 1/0.02 = 50 (was cop_max = 8, an
    arbitrary compressor COP). Source 57 °C < 58 °C: heat pump, lift = 55 + 3 - (57 - 3)
    = 4 K, Carnot-grade 0.45 x 331.15 / 4 = 37.3, capped at 8."""
    cops = heat_pump_cop(np.array([60.0, 57.0]), 55.0, 0.45, 3.0, 8.0, 0.02)
    assert cops == pytest.approx([50.0, 8.0])
    with pytest.raises(ValueError, match="direct_exchange_aux_share"):
        heat_pump_cop(60.0, 55.0, 0.45, 3.0, 8.0, 0.0)


def test_cop_never_exceeds_the_carnot_grade_value_below_the_direct_exchange_point():
    source = np.linspace(20.0, 57.9, 50)
    cops = heat_pump_cop(source, 55.0, 0.45, 3.0, 100.0, 0.02)
    carnot = 0.45 * (55.0 + 3.0 + 273.15) / (55.0 + 3.0 - (source - 3.0))
    assert np.all(cops <= carnot + 1e-12) and np.all(np.isfinite(cops))
