"""Energy and emissions of an AI workload (training run or inference service).

Pure functions, no Pyomo. Patterson et al. 2021 (arXiv:2104.10350) method:

    energy [MWh] = accelerators x power [W] x utilisation x hours x PUE / 1e6
    emissions [tCO2e] = energy [MWh] x carbon intensity [gCO2e/kWh] / 1000

``power_w`` is the accelerator's power (TDP or measured average) and ``utilisation_share``
the average fraction of it drawn; Patterson reports measured average power per chip, so their
rows use utilisation 1. GPT-3: 10,000 V100 x 330 W x 14.8 d x 24 h x 1.1 = 1,289 MWh
(paper: 1,287 MWh); x 0.429 kg/kWh = 553 t (paper: 552 t).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from greendc.errors import DataError


@dataclass(frozen=True)
class Workload:
    """An AI workload: accelerator count, power per accelerator [W], utilisation [0-1], hours."""

    name: str
    accelerators: int
    power_w: float
    hours: float
    utilisation_share: float = 1.0

    def __post_init__(self) -> None:
        checks = {
            "accelerators": (self.accelerators, self.accelerators > 0, "a count > 0"),
            "power_w": (self.power_w, 0 < self.power_w < 20000, "W per accelerator in (0, 20000)"),
            "hours": (self.hours, self.hours > 0, "hours > 0"),
            "utilisation_share": (self.utilisation_share, 0 < self.utilisation_share <= 1.5,
                                  "a share in (0, 1.5] (1 = the stated power)"),
        }
        bad = [f"workload {self.name!r}: {k} = {v!r}: expected {why}"
               for k, (v, ok, why) in checks.items() if not ok]
        if bad:
            raise DataError("\n".join(bad))

    @property
    def it_power_mw(self) -> float:
        """Average IT power of the workload [MW]."""
        return self.accelerators * self.power_w * self.utilisation_share / 1e6


def workload_energy_mwh(workload: Workload, pue: float) -> float:
    """Facility energy of a workload at a constant PUE [MWh]."""
    if not pue >= 1.0:
        raise DataError(f"pue = {pue}: PUE is facility / IT power and cannot be below 1")
    return workload.it_power_mw * workload.hours * pue


def workload_emissions_t(energy_mwh: float, carbon_intensity_g_per_kwh: float) -> float:
    """Emissions of an energy amount at a grid intensity [tCO2e] (MWh x g/kWh = kg)."""
    if carbon_intensity_g_per_kwh < 0:
        raise DataError(f"carbon intensity = {carbon_intensity_g_per_kwh} gCO2e/kWh: expected >= 0")
    return energy_mwh * carbon_intensity_g_per_kwh / 1000.0


def hourly_footprint(workload: Workload, pue: np.ndarray, carbon_intensity_g_per_kwh: np.ndarray,
                     start_hour: int = 0) -> tuple[float, float]:
    """Energy [MWh] and emissions [tCO2e] of a workload run from ``start_hour`` on hourly
    PUE and carbon-intensity series (wrapping around the year; a fractional last hour counts
    pro rata). Returns (energy, emissions)."""
    pue = np.asarray(pue, float)
    ci = np.asarray(carbon_intensity_g_per_kwh, float)
    if pue.shape != ci.shape or pue.ndim != 1:
        raise DataError("hourly PUE and carbon intensity must be 1-D series of the same length")
    whole = int(np.floor(workload.hours))
    weights = np.zeros(len(pue))
    idx = (start_hour + np.arange(whole)) % len(pue)
    np.add.at(weights, idx, 1.0)
    if workload.hours > whole:
        weights[(start_hour + whole) % len(pue)] += workload.hours - whole
    energy_t = workload.it_power_mw * pue * weights
    return float(energy_t.sum()), float((energy_t * ci).sum() / 1000.0)


PATTERSON_GPT3 = Workload(name="GPT-3 175B (Patterson et al. 2021)", accelerators=10_000,
                          power_w=330.0, hours=14.8 * 24, utilisation_share=1.0)
PATTERSON_GPT3_PUE = 1.10
PATTERSON_GPT3_CI_G_PER_KWH = 429.0
