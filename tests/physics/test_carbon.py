"""Workload footprint: Patterson et al. 2021 GPT-3 numbers from their inputs."""

from __future__ import annotations

import numpy as np
import pytest

from greendc.errors import DataError
from greendc.physics.carbon import (
    PATTERSON_GPT3, PATTERSON_GPT3_CI_G_PER_KWH, PATTERSON_GPT3_PUE, Workload, hourly_footprint,
    workload_emissions_t, workload_energy_mwh,
)


def test_patterson_gpt3_energy_and_emissions():
    """10,000 x 330 W x 355.2 h x 1.1 = 1,289.4 MWh (paper 1,287); x 0.429 = 553.1 t (paper 552)."""
    energy = workload_energy_mwh(PATTERSON_GPT3, PATTERSON_GPT3_PUE)
    assert energy == pytest.approx(1289.376, rel=1e-6)
    assert energy == pytest.approx(1287, rel=0.003)
    emissions = workload_emissions_t(energy, PATTERSON_GPT3_CI_G_PER_KWH)
    assert emissions == pytest.approx(552, rel=0.003)


def test_hourly_footprint_matches_constant_case_and_wraps():
    w = Workload("toy", accelerators=1000, power_w=1000, hours=2.5)  # 1 MW for 2.5 h
    pue = np.array([1.0, 1.5, 2.0, 1.0])
    ci = np.array([100.0, 200.0, 300.0, 400.0])
    energy, emis = hourly_footprint(w, pue, ci, start_hour=3)
    # hours 3, 0 (wrap), and half of hour 1: energy 1 + 1 + 0.75 = 2.75 MWh
    assert energy == pytest.approx(2.75)
    assert emis == pytest.approx((1 * 400 + 1 * 100 + 0.75 * 200) / 1000)


def test_bad_workload_inputs_are_named():
    with pytest.raises(DataError, match="power_w = -1"):
        Workload("x", accelerators=8, power_w=-1, hours=10)
    with pytest.raises(DataError, match="PUE is facility / IT power"):
        workload_energy_mwh(PATTERSON_GPT3, 0.9)
