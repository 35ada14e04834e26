"""Every bad input of issue 6 (item 1), each its own test, checking the MESSAGE TEXT.

Each case is a function ``case(tmp_path) -> str`` that feeds one bad input to the real entry
point (scenario validation, catalogue validation, site-file reading, ``load_study`` pre-build
checks, the CLI) and returns the error message; the test then checks that the message names
where the problem is (file / field), the bad value and what was expected (unit or range).
``CASES`` is the inventory: one row per bad input, grouped by the issue's list.

Scenario cases that need the reference sites use a 24 h horizon of ``data/sites/*.nc`` and
are skipped when those files are not there yet.
"""

from __future__ import annotations

import pathlib
import re

import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml
from typer.testing import CliRunner

from greendc.sitedata.files import reference_file
from greendc.resources import DATA_DIR
from greendc.catalogue import (
    apply_overrides, read_catalogue_dicts, validate_catalogue,
)
from greendc.checks import check_feasibility_hints, check_physics
from greendc.errors import DataError, GreendcError, ScenarioError
from greendc.physics.carbon import Workload, workload_energy_mwh
from greendc.scenario import load_scenario, scenario_from_dict
from greendc.sitedata.checks import check_site_dataset
from greendc.sitedata.io import read_site_file, write_site_file
from greendc.study import load_study
from greendc.timeseries import load_sites
from tests.conftest import synthetic_site, tiny_inputs

REFERENCE = DATA_DIR / "sites"
HAVE_SITES = all(reference_file(s).exists() for s in ("fr-essonne", "gb-london"))
needs_sites = pytest.mark.skipif(not HAVE_SITES, reason="reference site files data/sites/"
                                 "fr-essonne.nc and gb-london.nc not built yet")

BASE = {"name": "t", "sites": ["fr-essonne"], "compute": {"required_pflops": 100},
        "horizon": {"hours": 24}, "solver": {"workers": 1}}


# --------------------------------------------------------------------------------------
# helpers: each returns the message of the error the bad input raises
# --------------------------------------------------------------------------------------

def _err(fn, *args, kind=GreendcError, **kwargs) -> str:
    with pytest.raises(kind) as err:
        fn(*args, **kwargs)
    return str(err.value)


def scenario_msg(**changes) -> str:
    """Validate BASE with ``changes`` (None deletes a key); origin 'study.yaml'."""
    raw = {**BASE, **changes}
    raw = {k: v for k, v in raw.items() if v is not None}
    return _err(scenario_from_dict, raw, origin="study.yaml", kind=ScenarioError)


def write_scenario(folder: pathlib.Path, raw: dict | str, name: str = "study.yaml") -> pathlib.Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(raw if isinstance(raw, str) else yaml.safe_dump(raw), encoding="utf-8")
    return path


def study_msg(tmp_path: pathlib.Path, **changes) -> str:
    """``load_study`` on a scenario file written to tmp_path (reference sites, 24 h)."""
    if not HAVE_SITES:
        pytest.skip("reference site files data/sites/*.nc not built yet")
    path = write_scenario(tmp_path, {**BASE, **changes})
    text = _err(load_study, path)
    assert str(path) in text, f"message does not name the scenario file:\n{text}"
    return text


def catalogue_msg(path: str, value) -> str:
    """Override one catalogue value and validate; origin 'study.yaml'."""
    raw = apply_overrides(read_catalogue_dicts(), {path: value}, "study.yaml")
    return _err(validate_catalogue, raw, "study.yaml", kind=DataError)


def site_ds(n: int = 8760, start: str = "2018-01-01", **replace) -> xr.Dataset:
    """A plausible hourly site Dataset (the variables ``check_site_dataset`` requires)."""
    return synthetic_site(n, start, optional=False, **replace)


ORIGIN = "sites/my_site.nc"


def site_msg(ds: xr.Dataset) -> str:
    text = _err(check_site_dataset, ds, origin=ORIGIN, kind=DataError)
    assert ORIGIN in text
    return text


def with_value(name: str, index: int, value: float, ds: xr.Dataset | None = None) -> xr.Dataset:
    ds = ds if ds is not None else site_ds()
    ds[name].values[index] = value
    return ds


# --------------------------------------------------------------------------------------
# the cases (issue 6, item 1, in the issue's order)
# --------------------------------------------------------------------------------------

# 1. missing required field
def missing_scenario_field(tmp_path):
    return scenario_msg(compute=None)


def missing_catalogue_field(tmp_path):
    raw = read_catalogue_dicts()
    del raw["servers"]["b200_node"]["price_eur"]
    return _err(validate_catalogue, raw, "data/catalogue", kind=DataError)


def missing_site_variable(tmp_path):
    return site_msg(site_ds().drop_vars("wind_cf"))


# 2. unknown field (typo)
def typo_top_level(tmp_path):
    return scenario_msg(objectve="cost")


def typo_nested(tmp_path):
    return scenario_msg(compute={"required_pflops": 100, "utilisation_shar": 0.8})


def typo_in_site_ref(tmp_path):
    return scenario_msg(sites=[{"id": "fr-essonne", "fiel": "x.csv"}])


def typo_in_catalogue_override(tmp_path):
    return _err(apply_overrides, read_catalogue_dicts(), {"servers.b200_node.price_euro": 1.0},
                "study.yaml", kind=ScenarioError)


# 3. negative capacity, price or count
def negative_grid_connection(tmp_path):
    return study_msg(tmp_path, sites=[{"id": "fr-essonne", "facts": {"grid_connection_mw": -40}}])


def negative_server_price(tmp_path):
    return catalogue_msg("servers.b200_node.price_eur", -380000)


def negative_strike_price(tmp_path):
    return catalogue_msg("supply.solar_ppa.strike_eur_per_mwh.FR", -5.0)


def negative_compute(tmp_path):
    return scenario_msg(compute={"required_pflops": -5})


def zero_max_sites(tmp_path):
    return scenario_msg(max_sites=0)


def negative_heat_demand_series(tmp_path):
    return site_msg(with_value("heat_demand", 100, -3.0))


# 4. NaN or infinite value in an hourly series (and in scenario numbers)
def nan_in_series(tmp_path):
    return site_msg(with_value("grid_price", 10, np.nan))


def inf_in_series(tmp_path):
    return site_msg(with_value("grid_carbon_intensity", 30, np.inf))


def nan_in_csv_file(tmp_path):
    df = site_ds().to_dataframe()
    df.iloc[5, df.columns.get_loc("air_temperature")] = np.nan
    path = tmp_path / "site.csv"
    df.to_csv(path, index_label="time", date_format="%Y-%m-%dT%H:%M")
    return _err(read_site_file, path, kind=DataError)


def nan_in_scenario(tmp_path):
    return scenario_msg(compute={"required_pflops": float("nan")})


# 5. series of the wrong length
def length_8759(tmp_path):
    return site_msg(site_ds(8759))


def length_8784_leap_year(tmp_path):
    return site_msg(site_ds(8784, "2020-01-01"))


# 6. duplicated or unsorted timestamps
def duplicated_timestamps(tmp_path):
    ds = site_ds()
    t = ds["time"].values.copy()
    t[100] = t[99]
    return site_msg(ds.assign_coords(time=t))


def unsorted_timestamps(tmp_path):
    ds = site_ds()
    t = ds["time"].values.copy()
    t[[200, 201]] = t[[201, 200]]
    return site_msg(ds.assign_coords(time=t))


# 7. time-zone mismatch
def csv_with_local_offset(tmp_path):
    ds = site_ds()
    df = ds.to_dataframe()
    df.index = pd.DatetimeIndex(df.index).strftime("%Y-%m-%dT%H:%M+01:00")
    path = tmp_path / "paris.csv"
    df.to_csv(path, index_label="time")
    return _err(read_site_file, path, kind=DataError)


def netcdf_local_time_zone_attr(tmp_path):
    ds = site_ds()
    ds.attrs["time_zone"] = "Europe/Paris"
    return site_msg(ds)


def sites_on_different_time_axes(tmp_path):
    """Two valid files, one shifted by an hour (local time written as UTC)."""
    write_site_file(site_ds(), tmp_path / "a.nc")
    write_site_file(site_ds(start="2018-01-01 01:00"), tmp_path / "b.nc")
    path = write_scenario(tmp_path, {**BASE, "sites": [
        {"id": "fr-essonne", "file": "a.nc"}, {"id": "se-stockholm", "file": "b.nc"}]})
    return _err(load_sites, load_scenario(path), kind=DataError)


# 8. unknown site, server type or cooling technology
def unknown_site(tmp_path):
    return study_msg(tmp_path, sites=["fr-esonne"])


def unknown_server(tmp_path):
    return study_msg(tmp_path, servers=["h100_node"])


def unknown_cooling(tmp_path):
    return study_msg(tmp_path, cooling=["immersoin"])


# 9. PUE below 1
def pue_below_one_from_catalogue(tmp_path):
    return catalogue_msg("cooling.immersion.parameters.distribution_loss_share", -0.2)


def pue_below_one_hourly(tmp_path):
    pue = np.full((2, 3, 4), 1.2)
    pue[1, 2, 3] = 0.97
    return _err(check_physics, tiny_inputs(pue=pue), "study.yaml", kind=DataError)


def pue_below_one_footprint(tmp_path):
    return _err(workload_energy_mwh, Workload("w", 8, 700.0, 10.0), 0.9, kind=DataError)


# 10. COP <= 0
def cop_max_zero(tmp_path):
    return catalogue_msg("heat.heat_pump.cop_max", 0)


def carnot_efficiency_negative(tmp_path):
    return catalogue_msg("heat.heat_pump.carnot_efficiency", -0.5)


def cop_not_above_one(tmp_path):
    return study_msg(tmp_path, overrides={"heat.heat_pump.cop_max": 0.5})


# 11. battery efficiency outside (0, 1]
def battery_efficiency_above_one(tmp_path):
    return catalogue_msg("storage.battery.charge_efficiency", 1.2)


def battery_efficiency_zero(tmp_path):
    return catalogue_msg("storage.battery.discharge_efficiency", 0.0)


# 12. capacity factor outside [0, 1]
def capacity_factor_above_one(tmp_path):
    return site_msg(with_value("pv_cf", 12, 1.5))


def capacity_factor_negative(tmp_path):
    return site_msg(with_value("wind_cf", 40, -0.1))


# 13. temperature in Kelvin where degC is expected
def kelvin_series(tmp_path):
    ds = site_ds()
    return site_msg(site_ds(air_temperature=ds["air_temperature"].values + 273.15))


def kelvin_units_attribute(tmp_path):
    ds = site_ds()
    ds["air_temperature"].attrs["units"] = "K"
    return site_msg(ds)


def kelvin_in_catalogue(tmp_path):
    return catalogue_msg("cooling.immersion.heat_output_temperature_c", 318.15)


# 14. percentage 80 instead of 0.8
def percent_utilisation(tmp_path):
    return scenario_msg(compute={"required_pflops": 100, "utilisation_share": 80})


def percent_capacity_factor_series(tmp_path):
    ds = site_ds()
    return site_msg(site_ds(pv_cf=ds["pv_cf"].values * 100))


def percent_in_catalogue(tmp_path):
    return catalogue_msg("cooling.immersion.recoverable_heat_share", 95)


# 15. lifetime <= 0
def lifetime_zero(tmp_path):
    return catalogue_msg("servers.h100_sxm_node.lifetime_yr", 0)


def lifetime_negative(tmp_path):
    return catalogue_msg("storage.battery.energy_lifetime_yr", -10)


# 16. discount rate out of range
def discount_rate_too_high(tmp_path):
    return scenario_msg(finance={"discount_rate": 0.7})


def discount_rate_negative(tmp_path):
    return scenario_msg(finance={"discount_rate": -0.01})


def discount_rate_as_percent(tmp_path):
    return scenario_msg(finance={"discount_rate": 7})


# 17. emissions cap below the physical minimum
def emissions_cap_below_minimum(tmp_path):
    return study_msg(tmp_path, emissions_cap_t_per_yr=0.01)


# 18. contradictory sovereignty rules (all candidate sites excluded)
def sovereignty_excludes_every_site(tmp_path):
    return study_msg(tmp_path, sites=["gb-london"],
                     sovereignty={"allowed_jurisdictions": ["EU"]})


def sovereignty_ownership_excludes_every_site(tmp_path):
    return study_msg(tmp_path, sites=["gb-london"],
                     sovereignty={"max_non_eu_ownership_share": 0.24})


def sovereignty_empty_allowed_list(tmp_path):
    return scenario_msg(sovereignty={"allowed_jurisdictions": []})


# 19. empty candidate set
def no_sites(tmp_path):
    return scenario_msg(sites=[])


def no_servers(tmp_path):
    return study_msg(tmp_path, servers=[])


# 20. compute requirement no allowed server/cooling combination can host
def compute_not_hostable(tmp_path):
    return study_msg(tmp_path, servers=["gb200_nvl72_rack"], cooling=["air_chiller"])


def eu_only_hardware_but_non_eu_servers(tmp_path):
    inputs = tiny_inputs(node_non_eu=[1.0, 1.0], max_non_eu_hardware_share=0.0)
    return _err(check_feasibility_hints, inputs, "study.yaml", None, "emissions",
                kind=ScenarioError)


# 21. unreadable or wrong-format file
def scenario_file_missing(tmp_path):
    return _err(load_scenario, tmp_path / "nope.yaml", kind=ScenarioError)


def scenario_file_binary(tmp_path):
    path = tmp_path / "study.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe")
    return _err(load_scenario, path, kind=ScenarioError)


def scenario_file_not_a_mapping(tmp_path):
    return _err(load_scenario, write_scenario(tmp_path, "- just\n- a list\n"), kind=ScenarioError)


def scenario_file_bad_yaml_syntax(tmp_path):
    return _err(load_scenario, write_scenario(tmp_path, "name: t\nsites: [fr-essonne\n"),
                kind=ScenarioError)


def site_file_wrong_extension(tmp_path):
    path = tmp_path / "site.xlsx"
    path.write_bytes(b"PK\x03\x04")
    return _err(read_site_file, path, kind=DataError)


def site_file_corrupt_netcdf(tmp_path):
    path = tmp_path / "site.nc"
    path.write_text("this is not a NetCDF file")
    return _err(read_site_file, path, kind=DataError)


def site_csv_without_time_column(tmp_path):
    path = tmp_path / "site.csv"
    path.write_text("hour,grid_price\n0,50\n1,51\n")
    return _err(read_site_file, path, kind=DataError)


def site_csv_non_numeric(tmp_path):
    df = site_ds().to_dataframe()
    df["grid_price"] = df["grid_price"].astype(object)
    df.iloc[7, df.columns.get_loc("grid_price")] = "50 EUR"
    path = tmp_path / "site.csv"
    df.to_csv(path, index_label="time", date_format="%Y-%m-%dT%H:%M")
    return _err(read_site_file, path, kind=DataError)


def site_file_not_found(tmp_path):
    path = write_scenario(tmp_path, {**BASE, "sites": [{"id": "fr-essonne", "file": "gone.nc"}]})
    return _err(load_sites, load_scenario(path), kind=GreendcError)


# 22. YAML with duplicate keys
def yaml_duplicate_keys(tmp_path):
    text = ("name: t\nsites: [fr-essonne]\ncompute:\n  required_pflops: 100\n"
            "  required_pflops: 200\n")
    return _err(load_scenario, write_scenario(tmp_path, text), kind=ScenarioError)


# 23. scenario path escaping the project folder through `..`
def _project(tmp_path: pathlib.Path) -> pathlib.Path:
    project = tmp_path / "project"
    (project / "studies").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    write_site_file(site_ds(), tmp_path / "outside.nc")
    return project


def data_dir_escapes_project(tmp_path):
    project = _project(tmp_path)
    path = write_scenario(project / "studies", {**BASE, "data_dir": "../../.."})
    return _err(load_study, path, kind=ScenarioError)


# --------------------------------------------------------------------------------------
# inventory: (issue item, case, fragments the message must contain)
# A fragment starting with "re:" is a regular expression.
# --------------------------------------------------------------------------------------

CASES = [
    # 1 missing required field
    ("missing field", missing_scenario_field,
     ["study.yaml", "compute", "required field is missing"]),
    ("missing field", missing_catalogue_field,
     ["data/catalogue", "servers.b200_node.price_eur", "required field is missing"]),
    ("missing field", missing_site_variable,
     ["missing required variable", "wind_cf", "expected all of"]),
    # 2 unknown field (typo)
    ("unknown field", typo_top_level,
     ["study.yaml", "objectve = 'cost'", "unknown field (typo?)", "did you mean 'objective'"]),
    ("unknown field", typo_nested,
     ["compute.utilisation_shar = 0.8", "unknown field", "did you mean 'utilisation_share'"]),
    ("unknown field", typo_in_site_ref,
     ["sites.0.fiel", "unknown field", "did you mean 'file'"]),
    ("unknown field", typo_in_catalogue_override,
     ["study.yaml", "overrides.servers.b200_node.price_euro", "unknown field 'price_euro'",
      "did you mean 'price_eur'"]),
    # 3 negative capacity, price or count
    ("negative", negative_grid_connection,
     ["sites.fr-essonne.grid_connection_mw", "-40", "[MW]", "(0, inf]"]),
    ("negative", negative_server_price,
     ["study.yaml", "servers.b200_node.price_eur", "-380000", "[EUR]", "(0, inf]"]),
    ("negative", negative_strike_price,
     ["supply.solar_ppa.strike_eur_per_mwh.FR", "-5.0", "[EUR/MWh]", "[0, inf]"]),
    ("negative", negative_compute,
     ["study.yaml", "compute.required_pflops = -5", "greater than 0"]),
    ("negative", zero_max_sites, ["study.yaml", "max_sites = 0", "greater than or equal to 1"]),
    ("negative", negative_heat_demand_series,
     ["heat_demand", "min -3", "2018-01-05 04:00", "within [0, inf] MW"]),
    # 4 NaN / inf in hourly series
    ("NaN/inf", nan_in_series,
     ["grid_price", "1 NaN value(s)", "2018-01-01 10:00", "expected finite EUR/MWh values"]),
    ("NaN/inf", inf_in_series,
     ["grid_carbon_intensity", "1 infinite value(s)", "2018-01-02 06:00", "gCO2e/kWh"]),
    ("NaN/inf", nan_in_csv_file,
     ["site.csv", "air_temperature", "1 NaN", "2018-01-01 05:00", "degC"]),
    ("NaN/inf", nan_in_scenario,
     ["study.yaml", "compute.required_pflops = nan", "expected a finite number"]),
    # 5 wrong length
    ("length", length_8759, ["time", "8,759 time steps", "1 hour(s) missing", "expected 8,760"]),
    ("length", length_8784_leap_year,
     ["time", "8,784 time steps", "leap year: drop 29 February", "expected 8,760"]),
    # 6 duplicated / unsorted timestamps
    ("timestamps", duplicated_timestamps,
     ["time", "1 duplicated timestamp(s)", "2018-01-05 03:00", "expected unique hourly"]),
    ("timestamps", unsorted_timestamps,
     ["time", "not sorted", "2018-01-09 08:00", "expected increasing hourly"]),
    # 7 time-zone mismatch
    ("time zone", csv_with_local_offset,
     ["paris.csv", "UTC offset '+01:00'", "expected UTC"]),
    ("time zone", netcdf_local_time_zone_attr,
     ["time_zone = 'Europe/Paris'", "expected 'UTC'"]),
    ("time zone", sites_on_different_time_axes,
     ["study.yaml", "'se-stockholm' time axis differs from 'fr-essonne'", "2018-01-01 01:00",
      "+1 h",
      "same hourly UTC axis", "time zone"]),
    # 8 unknown site / server / cooling
    ("unknown reference", unknown_site,
     ["sites[0] = 'fr-esonne'", "no planning facts", "fr-essonne"]),
    ("unknown reference", unknown_server,
     ["servers: unknown ['h100_node']", "h100_sxm_node"]),
    ("unknown reference", unknown_cooling,
     ["cooling: unknown ['immersoin']", "immersion"]),
    # 9 PUE below 1
    ("PUE < 1", pue_below_one_from_catalogue,
     ["study.yaml", "cooling.immersion.parameters", "distribution_loss_share = -0.2",
      "fractions in [0, 1]"]),
    ("PUE < 1", pue_below_one_hourly,
     ["study.yaml", "PUE = 0.9700 < 1", "'site': 'B'", "'cooling': 'imm'", "cannot be below 1"]),
    ("PUE < 1", pue_below_one_footprint, ["pue = 0.9", "cannot be below 1"]),
    # 10 COP <= 0
    ("COP <= 0", cop_max_zero, ["heat.heat_pump.cop_max", "value 0.0", "(0, inf]"]),
    ("COP <= 0", carnot_efficiency_negative,
     ["heat.heat_pump.carnot_efficiency", "-0.5", "efficiencies are in (0, 1]"]),
    ("COP <= 0", cop_not_above_one,
     ["heat-pump COP = 0.5", "fr-essonne", "expected COP > 1", "cop_max"]),
    # 11 battery efficiency
    ("battery efficiency", battery_efficiency_above_one,
     ["storage.battery.charge_efficiency", "1.2", "efficiencies are in (0, 1]"]),
    ("battery efficiency", battery_efficiency_zero,
     ["storage.battery.discharge_efficiency", "0.0", "efficiencies are in (0, 1]"]),
    # 12 capacity factor outside [0, 1]
    ("capacity factor", capacity_factor_above_one,
     ["pv_cf", "max 1.5", "2018-01-01 12:00", "share within [0, 1]"]),
    ("capacity factor", capacity_factor_negative,
     ["wind_cf", "min -0.1", "2018-01-02 16:00", "share within [0, 1]"]),
    # 13 Kelvin
    ("Kelvin", kelvin_series,
     ["air_temperature", "looks like Kelvin (subtract 273.15)", "expected degC"]),
    ("Kelvin", kelvin_units_attribute,
     ["air_temperature", "units attribute is 'K'", "expected degC"]),
    ("Kelvin", kelvin_in_catalogue,
     ["cooling.immersion.heat_output_temperature_c", "318.15", "[degC]", "[-60, 200]",
      "Kelvin given?"]),
    # 14 percentage instead of share
    ("percentage", percent_utilisation,
     ["study.yaml", "compute.utilisation_share = 80", "did you mean 0.8"]),
    ("percentage", percent_capacity_factor_series,
     ["pv_cf", "max 80", "percent given instead of a share 0-1 (divide by 100)"]),
    ("percentage", percent_in_catalogue,
     ["cooling.immersion.recoverable_heat_share", "95", "[0, 1]", "did you give a percentage?"]),
    # 15 lifetime <= 0
    ("lifetime", lifetime_zero,
     ["servers.h100_sxm_node.lifetime_yr", "value 0.0 [yr]", "lifetimes are years > 0"]),
    ("lifetime", lifetime_negative,
     ["storage.battery.energy_lifetime_yr", "-10", "lifetimes are years > 0"]),
    # 16 discount rate
    ("discount rate", discount_rate_too_high,
     ["study.yaml", "finance.discount_rate = 0.7", "less than 0.5"]),
    ("discount rate", discount_rate_negative,
     ["finance.discount_rate = -0.01", "greater than or equal to 0"]),
    ("discount rate", discount_rate_as_percent,
     ["finance.discount_rate = 7", "did you mean 0.07"]),
    # 17 emissions cap below physical minimum
    ("emissions cap", emissions_cap_below_minimum,
     ["emissions_cap_t_per_yr = 0.01 tCO2e/yr", "below the physical minimum",
      "re:minimum [0-9.,]+ tCO2e/yr", "embodied emissions of the servers"]),
    # 18 sovereignty excludes every site
    ("sovereignty", sovereignty_excludes_every_site,
     ["sovereignty rules exclude every candidate site", "site gb-london", "country GB",
      "sovereignty.allowed_jurisdictions"]),
    ("sovereignty", sovereignty_ownership_excludes_every_site,
     ["exclude every candidate site", "site gb-london", "non-EU ownership share 1 > "
      "sovereignty.max_non_eu_ownership_share 0.24"]),
    ("sovereignty", sovereignty_empty_allowed_list,
     ["sovereignty.allowed_jurisdictions = []", "allows no site"]),
    # 19 empty candidate set
    ("empty candidates", no_sites, ["study.yaml", "sites = []", "at least 1 item"]),
    ("empty candidates", no_servers, ["servers is empty", "list at least one of", "b200_node"]),
    # 20 compute not hostable
    ("not hostable", compute_not_hostable,
     ["no server type fits the racks of any candidate cooling", "compatible_cooling",
      "no compute can be hosted"]),
    ("not hostable", eu_only_hardware_but_non_eu_servers,
     ["sovereignty.max_non_eu_hardware_share = 0", "non-EU vendor"]),
    # 21 unreadable / wrong-format file
    ("unreadable file", scenario_file_missing, ["nope.yaml", "cannot read the file"]),
    ("unreadable file", scenario_file_binary, ["study.yaml", "cannot read the file",
                                               "UnicodeDecodeError"]),
    ("unreadable file", scenario_file_not_a_mapping,
     ["study.yaml", "expected a mapping of scenario fields", "list"]),
    ("unreadable file", scenario_file_bad_yaml_syntax,
     ["study.yaml", "not valid YAML", "study.yaml, line 2, column 8"]),
    ("unreadable file", site_file_wrong_extension,
     ["site.xlsx", "unknown site-data format '.xlsx'", "expected .nc (NetCDF) or .csv"]),
    ("unreadable file", site_file_corrupt_netcdf, ["site.nc", "cannot read as NetCDF"]),
    ("unreadable file", site_csv_without_time_column,
     ["site.csv", "no 'time' column", "hour, grid_price"]),
    ("unreadable file", site_csv_non_numeric,
     ["site.csv", "grid_price", "non-numeric value '50 EUR'", "row 8", "expected numbers"]),
    ("unreadable file", site_file_not_found,
     ["study.yaml", "sites[0].file = 'gone.nc'", "file not found"]),
    # 22 duplicate YAML keys
    ("duplicate keys", yaml_duplicate_keys,
     ["study.yaml", "duplicate key 'required_pflops'", "first on line 4, again on line 5"]),
    # 23 `..` escapes (data_dir only: site files may live anywhere, issue 15)
    ("path escape", data_dir_escapes_project,
     ["data_dir = '../../..'", "outside the project folder"]),
]

ISSUE_ITEMS = [
    "missing field", "unknown field", "negative", "NaN/inf", "length", "timestamps", "time zone",
    "unknown reference", "PUE < 1", "COP <= 0", "battery efficiency", "capacity factor",
    "Kelvin", "percentage", "lifetime", "discount rate", "emissions cap", "sovereignty",
    "empty candidates", "not hostable", "unreadable file", "duplicate keys", "path escape",
]
SITE_CASES = {negative_grid_connection, unknown_site, unknown_server, unknown_cooling,
              cop_not_above_one, emissions_cap_below_minimum, sovereignty_excludes_every_site,
              sovereignty_ownership_excludes_every_site, no_servers, compute_not_hostable}


def _param(item, case, fragments):
    marks = [needs_sites] if case in SITE_CASES else []
    return pytest.param(case, fragments, id=f"{item}: {case.__name__}", marks=marks)


def assert_message(text: str, fragments: list[str]) -> None:
    """Every fragment (``re:`` for a regular expression) is in the message; no traceback."""
    for frag in fragments:
        if frag.startswith("re:"):
            assert re.search(frag[3:], text), f"/{frag[3:]}/ not in message:\n{text}"
        else:
            assert frag in text, f"{frag!r} not in message:\n{text}"
    assert "Traceback" not in text


@pytest.mark.parametrize("case, fragments", [_param(*row) for row in CASES])
def test_bad_input_message(case, fragments, tmp_path):
    assert_message(case(tmp_path), fragments)


def test_every_issue_item_has_a_case():
    """The inventory covers each bad input listed in issue 6, item 1."""
    covered = {item for item, _, _ in CASES}
    assert covered == set(ISSUE_ITEMS)
    assert len(ISSUE_ITEMS) == 23


def test_all_problems_are_reported_at_once():
    """Three independent mistakes give three lines, not one at a time."""
    text = scenario_msg(objectve="cost", max_sites=0, finance={"discount_rate": 0.7})
    assert len(text.splitlines()) == 3
    for frag in ("objectve", "max_sites = 0", "finance.discount_rate = 0.7"):
        assert frag in text


def test_site_problems_are_reported_at_once():
    ds = with_value("grid_price", 3, np.nan, site_ds(8759))
    ds["pv_cf"].values[5] = 2.0
    text = site_msg(ds)
    assert "3 problem(s)" in text
    assert "8,759" in text and "grid_price" in text and "pv_cf" in text


def test_good_inputs_pass():
    """The helpers' baseline inputs are valid: each failure above is due to its one change."""
    scenario_from_dict(BASE, origin="study.yaml")
    check_site_dataset(site_ds(), origin=ORIGIN)
    validate_catalogue(read_catalogue_dicts(), "catalogue")
    check_physics(tiny_inputs(), "tiny")
    check_feasibility_hints(tiny_inputs(), "tiny", None, "emissions")


@needs_sites
def test_failing_run_leaves_nothing_behind(tmp_path):
    """`greendc run` on a bad scenario exits 1 with the message and writes no results."""
    from greendc.cli import app

    path = write_scenario(tmp_path, {**BASE, "finance": {"discount_rate": 0.7}})
    out = tmp_path / "results"
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(out)])
    assert result.exit_code == 1
    assert "finance.discount_rate = 0.7" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    assert not list(tmp_path.rglob("summary.json")) and not list(tmp_path.rglob("results.nc"))
