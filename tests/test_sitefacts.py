"""A planner's own site (issue 15): facts as plain numbers or with any unit (pint), country
and EU/EEA membership for a CSV site, site files anywhere, own data of another year."""

from __future__ import annotations

import json
import pathlib

import pandas as pd
import pytest
import xarray as xr
import yaml

from greendc.errors import DataError, ScenarioError
from greendc.sitedata.files import reference_file
from greendc.sitedata.io import read_site_file, write_site_file
from greendc.study import load_study
from tests.conftest import OWN_SITE_FACTS as FACTS
from tests.conftest import synthetic_site



def _csv(path: pathlib.Path, years: int = 0) -> pathlib.Path:
    """The Essonne reference series as a CSV (no attributes: no country), shifted by years."""
    df = xr.open_dataset(reference_file("fr-essonne")).load().to_dataframe()
    df.index = df.index + pd.DateOffset(years=years)
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index_label="time", date_format="%Y-%m-%dT%H:%M")
    return path


def _study(folder: pathlib.Path, site: dict, **changes):
    raw = {"name": "own", "sites": [site], "compute": {"required_pflops": 100},
           "horizon": {"hours": 24}, "solver": {"workers": 1}, **changes}
    path = folder / "study.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def test_readme_facts_as_plain_numbers_in_documented_units(tmp_path):
    """Was refused: 'Input should be a valid dictionary or instance of Quantity'."""
    _csv(tmp_path / "my-site.csv")
    st = load_study(_study(tmp_path, {"id": "my-site", "file": "my-site.csv", "country": "FR",
                                      "facts": FACTS}))
    facts = st.catalogue.sites["my-site"]
    assert facts.grid_connection_mw.value == 60 and facts.grid_connection_mw.unit == "MW"
    assert facts.floor_area_m2.value == 8000
    assert facts.supply_potential_mw["wind_ppa"].value == 40
    assert float(st.inputs["grid_connection_mw"].sel(site="my-site")) == 60


def test_fact_with_a_unit_is_converted_with_pint(tmp_path):
    """100,000 ft2 = 100,000 x 0.09290304 m2 = 9,290.304 m2; 0.06 GW = 60 MW."""
    facts = {**FACTS, "floor_area_m2": {"value": 100000, "unit": "ft2"},
             "grid_connection_mw": {"value": 0.06, "unit": "GW"}}
    _csv(tmp_path / "my-site.csv")
    st = load_study(_study(tmp_path, {"id": "my-site", "file": "my-site.csv", "country": "FR",
                                      "facts": facts}))
    assert st.catalogue.sites["my-site"].floor_area_m2.value == pytest.approx(9290.304)
    assert float(st.inputs["grid_connection_mw"].sel(site="my-site")) == pytest.approx(60)


def test_fact_override_of_a_reference_site_with_a_unit(tmp_path):
    st = load_study(_study(tmp_path, {"id": "fr-essonne",
                                      "facts": {"floor_area_m2": {"value": 2, "unit": "ha"}}}))
    assert st.catalogue.sites["fr-essonne"].floor_area_m2.value == pytest.approx(20000)


@pytest.mark.parametrize(("value", "fragments"), [
    ({"value": 1000, "unit": "kg"}, ["sites[0].facts.floor_area_m2 = 1000 [kg]",
                                     "not compatible", "expected a value in m2"]),
    ({"value": 1000, "unit": "furlongs2x"}, ["floor_area_m2", "not a known unit", "m2"]),
    (True, ["sites[0].facts.floor_area_m2 = True", "expected a number in m2"]),
])
def test_incompatible_fact_unit_is_refused_naming_field_value_and_unit(tmp_path, value,
                                                                        fragments):
    path = _study(tmp_path, {"id": "fr-essonne", "facts": {"floor_area_m2": value}})
    with pytest.raises(ScenarioError) as err:
        load_study(path)
    for fragment in [str(path), *fragments]:
        assert fragment in str(err.value)


def test_unknown_fact_is_refused_with_the_accepted_names(tmp_path):
    path = _study(tmp_path, {"id": "fr-essonne", "facts": {"floor_area": 8000}})
    with pytest.raises(ScenarioError, match=r"facts\.floor_area: unknown site fact; did you "
                       r"mean 'floor_area_m2'\?.*accepted: name, grid_connection_mw"):
        load_study(path)


def test_csv_site_follows_the_jurisdiction_rules_once_its_country_is_set(tmp_path):
    """Before: a CSV site had no country, so allowed_jurisdictions [EU] silently excluded
    it and [GB] too. Now its country decides: FR is in the EU, GB is not (adequacy only)."""
    _csv(tmp_path / "s.csv")

    def allowed(country, rule):
        site = {"id": "my-site", "file": "s.csv", "country": country,
                "facts": {**FACTS, "heat_network_carbon_g_per_kwh_th": 100}}
        path = _study(tmp_path, site, sovereignty={"allowed_jurisdictions": rule})
        raw = yaml.safe_load(path.read_text())
        raw["sites"].insert(0, "se-stockholm")  # a second candidate keeps the study possible
        path.write_text(yaml.safe_dump(raw))
        st = load_study(path)
        return float(st.inputs["site_jurisdiction_allowed"].sel(site="my-site"))

    assert allowed("FR", ["EU"]) == 1.0
    assert allowed("GB", ["EU"]) == 0.0
    assert allowed("GB", ["ADEQUACY"]) == 1.0
    assert allowed("NO", ["EEA"]) == 1.0 and allowed("NO", ["EU"]) == 0.0
    assert allowed("GB", ["GB"]) == 1.0
    assert allowed("SE", ["EEA"]) == 1.0


def test_membership_given_in_the_scenario_wins_over_the_country_rule(tmp_path):
    _csv(tmp_path / "s.csv")
    site = {"id": "my-site", "file": "s.csv", "country": "US", "eu_adequacy_decision": False,
            "facts": {**FACTS, "heat_network_carbon_g_per_kwh_th": 100}}
    path = _study(tmp_path, site, sovereignty={"allowed_jurisdictions": ["ADEQUACY"]})
    raw = yaml.safe_load(path.read_text())
    raw["sites"].insert(0, "gb-london")
    path.write_text(yaml.safe_dump(raw))
    st = load_study(path)
    assert float(st.inputs["site_jurisdiction_allowed"].sel(site="my-site")) == 0.0
    assert st.sites["my-site"].attrs["country"] == "US"


def test_jurisdiction_rule_on_a_site_without_country_is_an_error(tmp_path):
    _csv(tmp_path / "s.csv")
    path = _study(tmp_path, {"id": "my-site", "file": "s.csv", "facts": FACTS},
                  sovereignty={"allowed_jurisdictions": ["EU"]})
    with pytest.raises(ScenarioError, match=r"allowed_jurisdictions.*\['my-site'\] have none"
                       r".*set `country:`"):
        load_study(path)


def test_country_must_be_an_iso_code(tmp_path):
    path = _study(tmp_path, {"id": "fr-essonne", "country": "UK"})
    with pytest.raises(ScenarioError, match=r"sites\.0\.country.*'UK' is not an ISO 3166-1 "
                       r"alpha-2 country code; did you mean 'GB'"):
        load_study(path)


def test_site_files_anywhere_relative_with_dotdot_or_absolute(tmp_path):
    project = tmp_path / "project"
    (project / "studies").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    csv = _csv(tmp_path / "data" / "s.csv")
    for given in ("../../data/s.csv", str(csv)):
        site = {"id": "my-site", "file": given, "country": "FR", "facts": FACTS}
        st = load_study(_study(project / "studies", site))
        assert float(st.inputs["air_temperature_c"].sel(site="my-site")[0]) == pytest.approx(
            float(xr.open_dataset(reference_file("fr-essonne"))["air_temperature"][0]))


def test_missing_site_file_names_the_field_and_resolved_path(tmp_path):
    path = _study(tmp_path, {"id": "my-site", "file": "../nowhere/s.csv", "facts": FACTS})
    with pytest.raises(DataError, match=r"sites\[0\]\.file = '\.\./nowhere/s\.csv': file not "
                       r"found at .*nowhere/s\.csv"):
        load_study(path)


def test_own_file_of_another_year_is_aligned_by_hour_of_year(tmp_path):
    """A 2021 CSV beside the 2018 reference site: before, 'time axis differs'; now hour h
    of 2021 is model hour h (stated in the inputs attrs and in data_years)."""
    _csv(tmp_path / "s.csv", years=3)
    site = {"id": "my-site", "file": "s.csv", "country": "FR", "facts": FACTS}
    raw_path = _study(tmp_path, site)
    raw = yaml.safe_load(raw_path.read_text())
    raw["sites"] = ["se-stockholm", site]
    raw_path.write_text(yaml.safe_dump(raw))
    st = load_study(raw_path)
    assert json.loads(st.inputs.attrs["time_alignment"]) == {
        "my-site": "2021 -> 2018 by hour of year"}
    assert json.loads(st.inputs.attrs["data_years"]) == {"se-stockholm": 2018, "my-site": 2021}
    assert str(st.inputs.time.values[0]).startswith("2018-01-01T00")


def test_leap_year_file_keeps_its_first_8760_hours(tmp_path):
    """8,784 hours of 2020 (was refused): 31 December dropped as in the reference files of
    leap years, so the axis stays hourly from 2020-01-01 00:00 to 2020-12-30 23:00."""
    ds = synthetic_site(8784, "2020-01-01")
    out = read_site_file(write_site_file(ds, tmp_path / "leap.nc"))
    assert out.sizes["time"] == 8760 and out.attrs["leap_year_dropped"] == "31 December"
    assert pd.Timestamp(out.time.values[-1]) == pd.Timestamp("2020-12-30 23:00")
    assert float(out["air_temperature"][-1]) == pytest.approx(float(ds["air_temperature"][8759]))


def test_same_year_shifted_axis_is_still_an_error(tmp_path):
    write_site_file(synthetic_site(), tmp_path / "a.nc")
    write_site_file(synthetic_site(start="2018-01-01 01:00"), tmp_path / "b.nc")
    path = _study(tmp_path, {"id": "fr-essonne", "file": "a.nc"})
    raw = yaml.safe_load(path.read_text())
    raw["sites"].append({"id": "se-stockholm", "file": "b.nc"})
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(DataError, match="time axis differs"):
        load_study(path)
