"""Preprocessing of a planner's own technologies and costs (``greendc.inputs``): what the
model receives from own catalogue files, per-technology discount rates, annualised costs and
the PPA switch. Scenarios are written into a temporary project folder; reference sites."""

from __future__ import annotations

import pathlib

import pytest
import yaml

from tests.conftest import VENDOR_COOLING, q
from greendc.errors import DataError, ScenarioError
from greendc.scenario import scenario_from_dict
from greendc.study import load_study

DAY = {"start_hour": 4000, "hours": 24}




def project(tmp_path: pathlib.Path, layers: dict[str, dict], **fields):
    """A scenario in ``tmp_path`` with own catalogue files ``layers`` (name -> content)."""
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")  # the project folder
    for name, content in layers.items():
        (tmp_path / name).write_text(yaml.safe_dump(content), encoding="utf-8")
    raw = {"name": "own", "sites": ["fr-essonne"], "servers": ["h100_sxm_node"],
           "cooling": ["air_chiller"], "compute": {"required_pflops": 400}, "horizon": DAY,
           "catalogue": list(layers), **fields}
    return scenario_from_dict(raw, str(tmp_path / "own.yaml"), tmp_path)


def test_own_cooling_with_a_constant_pue_reaches_the_model(tmp_path):
    vendor = VENDOR_COOLING
    study = load_study(project(tmp_path, {"cat.yaml": {"cooling": {"vendor": vendor}}},
                               cooling=["vendor", "air_chiller"]))
    inp = study.inputs
    assert (inp["pue"].sel(cooling="vendor") == 1.18).all()
    assert (inp["wue_l_per_kwh"].sel(cooling="vendor") == 0.2).all()
    assert (inp["cooling_offload_kw_per_kw_th"].sel(cooling="vendor") == 0).all()
    assert float(inp["cooling_cost_eur_per_mw_it_yr"].sel(cooling="vendor")) == 210_000
    assert "user: cat.yaml" in study.catalogue.sources()


def test_per_technology_discount_rates_on_paper(tmp_path):
    """Scenario rate 0; air_chiller at its own 10 %: capex 1,000 EUR/kW_IT over 2 yr, O&M
    2 %/yr: 1e6 EUR/MW x (0.1 x 1.21 / 0.21 + 0.02) = 596,190.48 EUR/MW_IT/yr. The battery's
    power part is quoted annualised, 20 EUR/kW/yr = 20,000 EUR/MW/yr; its energy part keeps
    capex 250,000 EUR/MWh / 22.5 yr + 0.25 %/yr at the scenario's 0 %: 11,736.11."""
    layer = {"cooling": {"air_chiller": {
        "capex_eur_per_kw_it": q(1000, "EUR/kW_IT"), "lifetime_yr": q(2, "yr"),
        "fixed_opex_share_per_yr": q(0.02, "1/yr"), "discount_rate": q(0.1, "1/yr")}},
        "storage": {"battery": {"power_annualised_cost_eur_per_mw_yr": q(20, "EUR/kW/yr")}}}
    inp = load_study(project(tmp_path, {"cat.yaml": layer},
                             finance={"discount_rate": 0.0})).inputs
    assert float(inp["cooling_cost_eur_per_mw_it_yr"].sel(cooling="air_chiller")) == \
        pytest.approx(596_190.476, rel=1e-9)
    assert inp.attrs["battery_power_cost_eur_per_mw_yr"] == pytest.approx(20_000)
    assert inp.attrs["battery_energy_cost_eur_per_mwh_yr"] == pytest.approx(
        250_000 / 22.5 + 250_000 * 0.0025)
    # the site facility (no own rate) follows the scenario's 0 %: 4e6 EUR/MW / 20 yr
    assert float(inp["facility_cost_eur_per_mw_it_yr"][0]) == pytest.approx(200_000)


def test_own_storage_is_built_when_selected(tmp_path):
    own = {"name": "Own LFP container", "energy_annualised_cost_eur_per_mwh_yr":
           q(15_000, "EUR/MWh/yr"), "power_annualised_cost_eur_per_mw_yr": q(9, "kEUR/MW/yr"),
           "energy_lifetime_yr": q(15, "yr"), "charge_efficiency": q(0.96, "1"),
           "discharge_efficiency": q(0.96, "1"), "embodied_kg_co2_per_kwh": q(60, "kgCO2e/kWh")}
    inp = load_study(project(tmp_path, {"cat.yaml": {"storage": {"lfp": own}}},
                             options={"battery_type": "lfp"})).inputs
    assert inp.attrs["battery_energy_cost_eur_per_mwh_yr"] == 15_000
    assert inp.attrs["battery_power_cost_eur_per_mw_yr"] == 9_000
    assert inp.attrs["battery_embodied_t_per_mwh_yr"] == pytest.approx(60 / 15)
    with pytest.raises(ScenarioError, match="options.battery_type: unknown .*did you mean 'lfp'"):
        load_study(project(tmp_path, {"cat.yaml": {"storage": {"lfp": own}}},
                           options={"battery_type": "lpf"}))


def test_ppa_off_keeps_only_owned_plants(tmp_path):
    inp = load_study(project(tmp_path, {}, options={"ppa": False})).inputs
    assert list(inp.tech.values) == ["solar_onsite"]
    with pytest.raises(ScenarioError, match="options.ppa is false but options.supply_techs "
                       r"lists the PPAs \['wind_ppa'\]"):
        load_study(project(tmp_path, {}, options={"ppa": False,
                                                  "supply_techs": ["wind_ppa", "solar_onsite"]}))


def test_capacity_priced_ppa_is_a_ppa(tmp_path):
    """kind: ppa with a price per MW·yr: capacity cost 95,000 EUR/MW/yr, no strike, and it is
    not an owned plant (its energy pays network charges; life cycle operational)."""
    ppa = {"kind": "ppa", "capacity_factor_variable": "wind_cf",
           "annualised_cost_eur_per_mw_yr": q(95, "kEUR/MW/yr"),
           "lifecycle_g_co2_per_kwh": q(11, "gCO2e/kWh")}
    inp = load_study(project(tmp_path, {"cat.yaml": {"supply": {"wind_cap": ppa}}})).inputs
    wind = inp.sel(tech="wind_cap")
    assert float(wind["supply_capacity_cost_eur_per_mw_yr"]) == 95_000
    assert float(wind["strike_eur_per_mwh"].sum()) == 0 and float(wind["supply_owned"]) == 0


def test_catalogue_file_errors_before_any_solve(tmp_path):
    with pytest.raises(ScenarioError, match="catalogue\\[0\\] = 'missing.yaml': file not found"):
        load_study(project(tmp_path, {}, catalogue=["missing.yaml"]))
    bad = {"servers": {"h100_sxm_node": {"power_kw": q(10.2, "kWh")}}}
    with pytest.raises(DataError, match="bad.yaml: servers.h100_sxm_node.power_kw.*expected a "
                       "value in kW"):
        load_study(project(tmp_path, {"bad.yaml": bad}))


def test_heat_plant_costs_as_quoted(tmp_path):
    """Heat pump quoted at 60 EUR/kW_th/yr = 60,000 EUR/MW_th/yr; the district-heating
    connection, 3 MEUR over 30 yr, at its own 0 %: 100,000 EUR/yr (the scenario's 7 % would
    give 241,759)."""
    layer = {"heat": {"heat_pump": {"annualised_cost_eur_per_mw_th_yr": q(60, "EUR/kW_th/yr")},
                      "district_heating": {"discount_rate": q(0.0, "1/yr")}}}
    inp = load_study(project(tmp_path, {"cat.yaml": layer})).inputs
    assert inp.attrs["heat_pump_cost_eur_per_mw_yr"] == pytest.approx(60_000)
    assert inp.attrs["dh_connection_cost_eur_per_yr"] == pytest.approx(100_000)
