"""Workload footprints at a reference site or an optimised design.

At a site: the workload's IT power runs from ``start_hour`` on the site's hourly PUE (for a
cooling technology of the catalogue) and its hourly grid carbon intensity.
At a design (a results Dataset): the design's effective intensity, i.e. its operational
emissions per MWh of facility electricity (PPAs and battery included), and its mean PUE.
"""

from __future__ import annotations

import pathlib

import xarray as xr

from greendc.catalogue import load_catalogue
from greendc.resources import DATA_DIR
from greendc.errors import DataError
from greendc.physics.carbon import (
    Workload, hourly_footprint, workload_emissions_t, workload_energy_mwh,
)
from greendc.physics.cooling import cooling_profiles
from greendc.sitedata.io import read_site_file


def site_pue_and_intensity(site: str, cooling: str, data_dir: pathlib.Path | None = None):
    """Hourly PUE [-] of ``cooling`` and grid carbon intensity [gCO2e/kWh] at ``site``."""
    from greendc.sitedata.files import catalogue, resolve

    folder = pathlib.Path(data_dir or DATA_DIR)
    path = resolve(folder / "sites", site, None)
    if path is None:
        known = sorted(catalogue(folder / "sites"))
        raise DataError(f"site {site!r}: no site file in {folder / 'sites'}; reference sites "
                        f"are {known}")
    ds = read_site_file(path, site_id=site)
    cat = load_catalogue(data_dir)
    if cooling not in cat.cooling:
        raise DataError(f"cooling {cooling!r}: unknown; the catalogue has {sorted(cat.cooling)}")
    spec = cat.cooling[cooling]
    pue, _ = cooling_profiles(ds["air_temperature"].values, ds["relative_humidity"].values,
                              spec.pue_model, {k: q.value for k, q in spec.parameters.items()})
    return pue, ds["grid_carbon_intensity"].values


def footprint_at_site(workload: Workload, site: str, cooling: str, start_hour: int = 0,
                      data_dir: pathlib.Path | None = None) -> tuple[float, float]:
    """Energy [MWh] and emissions [tCO2e] of a workload run at a site on grid electricity."""
    pue, ci = site_pue_and_intensity(site, cooling, data_dir)
    return hourly_footprint(workload, pue, ci, start_hour=start_hour)


def footprint_at_design(workload: Workload, results: xr.Dataset) -> tuple[float, float]:
    """Energy [MWh] and emissions [tCO2e] at an optimised design's mean PUE and effective
    operational intensity (operational tCO2e per MWh of facility and heat-pump electricity)."""
    w = 8760.0 / results.sizes["time"]
    electricity = float(((results["facility_mw"] + results["heat_pump_elec_mw"]) * w).sum())
    intensity = float(results["operational_t_per_yr"]) * 1000.0 / electricity
    energy = workload_energy_mwh(workload, float(results["mean_pue"]))
    return energy, workload_emissions_t(energy, intensity)
