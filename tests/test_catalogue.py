"""Catalogues: every value has a unit and a resolvable source; overrides; range errors."""

from __future__ import annotations

import pathlib
import re

import pytest

from greendc.resources import DATA_DIR
from greendc.catalogue import (
    apply_overrides, dump_quantity_table, load_catalogue, read_catalogue_dicts,
    validate_catalogue,
)
from tests.conftest import VENDOR_COOLING, q
from greendc.errors import DataError, ScenarioError

SOURCES = (DATA_DIR / "SOURCES.md").read_text(encoding="utf-8")
SOURCE_KEYS = set(re.findall(r"^### (\S+)", SOURCES, flags=re.M))


def test_catalogue_loads_and_every_source_resolves():
    cat = load_catalogue()
    missing = sorted(cat.sources() - SOURCE_KEYS)
    assert not missing, f"source keys without a '### key' entry in data/SOURCES.md: {missing}"
    assert {"air_chiller", "free_air", "immersion"} <= set(cat.cooling)
    assert {"h100_sxm_node", "h200_node", "b200_node", "mi300x_node", "cpu_node"} <= set(cat.servers)


def test_every_quantity_has_a_unit():
    rows = dump_quantity_table(load_catalogue())
    assert len(rows) > 100
    assert all(r["unit"] for r in rows), [r["path"] for r in rows if not r["unit"]]


def test_override_changes_value_and_marks_source():
    cat = load_catalogue(overrides={"servers.b200_node.price_eur": 123.0})
    assert cat.servers["b200_node"].price_eur.value == 123.0
    assert cat.servers["b200_node"].price_eur.source == "scenario override"
    assert cat.servers["b200_node"].price_eur.unit == "EUR"


def test_override_unknown_path_names_the_nearest_keys():
    with pytest.raises(ScenarioError) as err:
        load_catalogue(overrides={"servers.b201_node.price_eur": 1.0}, origin="s.yaml")
    text = str(err.value)
    assert "s.yaml: overrides.servers.b201_node.price_eur" in text and "b200_node" in text


@pytest.mark.parametrize("path, value, expected", [
    ("storage.battery.charge_efficiency", 1.2, "efficiencies are in (0, 1]"),
    ("storage.battery.discharge_efficiency", 0.0, "efficiencies are in (0, 1]"),
    ("servers.h100_sxm_node.lifetime_yr", 0.0, "lifetimes are years > 0"),
    ("servers.h100_sxm_node.price_eur", -5.0, "outside the expected range"),
    ("sites.fr-essonne.operator_non_eu_ownership_share", 24.0, "did you give a percentage?"),
])
def test_out_of_range_values_name_field_value_and_range(path, value, expected):
    raw = apply_overrides(read_catalogue_dicts(), {path: value}, "s.yaml")
    with pytest.raises(DataError) as err:
        validate_catalogue(raw, "s.yaml")
    text = str(err.value)
    assert path.split(".", 1)[1] in text
    assert str(value) in text and expected in text


def test_catalogue_files_exist_where_documented():
    folder = pathlib.Path(DATA_DIR) / "catalogue"
    assert sorted(p.stem for p in folder.glob("*.yaml")) == sorted(
        ["backup", "cooling", "heat", "servers", "sites", "storage", "supply"])


# --- own catalogue files layered over the built-in catalogue (``layer_catalogues``) --------



LIQUID_NODE = {  # a planner's own liquid-cooled node type (numbers of a vendor quote)
    "name": "Own 4-GPU liquid-cooled blade", "vendor": "Own", "origin": "FR",
    "accelerators_per_node": 4, "power_kw": q(0.0056, "MW"), "idle_power_kw": q(1.9, "kW"),
    "performance_pflops": q(9.0, "PFLOP/s"), "price_eur": q(180, "kEUR"),
    "embodied_kg_co2": q(1.8, "tCO2e"), "lifetime_yr": q(5, "yr"),
    "max_nodes_per_rack": q(16, "nodes/rack"), "compatible_cooling": ["direct_liquid"],
}


def layered(tmp_path, *layers):
    import yaml

    from greendc.catalogue import layer_catalogues

    files = []
    for i, layer in enumerate(layers):
        path = tmp_path / f"own_{i}.yaml"
        path.write_text(yaml.safe_dump(layer), encoding="utf-8")
        files.append((path.name, path))
    return validate_catalogue(layer_catalogues(read_catalogue_dicts(), files), "s.yaml")


def layer_error(tmp_path, *layers) -> str:
    with pytest.raises(DataError) as err:
        layered(tmp_path, *layers)
    return str(err.value)


def test_layer_adds_a_server_in_its_units_with_the_file_as_source(tmp_path):
    cat = layered(tmp_path, {"servers": {"own_blade": LIQUID_NODE}})
    node = cat.servers["own_blade"]
    assert node.power_kw.value == pytest.approx(5.6) and node.power_kw.unit == "kW"
    assert node.price_eur.value == pytest.approx(180_000)
    assert node.embodied_kg_co2.value == pytest.approx(1800)
    assert node.power_kw.source == "user: own_0.yaml"
    assert "b200_node" in cat.servers  # the built-in entries stay


def test_later_layer_wins_and_changes_only_the_fields_it_gives(tmp_path):
    cat = layered(tmp_path, {"servers": {"b200_node": {"price_eur": q(300_000, "EUR")}}},
                  {"servers": {"b200_node": {"price_eur": {**q(350, "kEUR"), "source": "quote"}}}})
    b200 = cat.servers["b200_node"]
    assert b200.price_eur.value == pytest.approx(350_000) and b200.price_eur.source == "quote"
    assert b200.power_kw.value == 14.3 and b200.power_kw.source == "dgx_b200_power"


def test_layer_merges_a_mapping_of_quantities_key_by_key(tmp_path):
    cat = layered(tmp_path, {"supply": {"solar_ppa": {"strike_eur_per_mwh": {
        "FR": q(55, "EUR/MWh")}}}})
    strikes = cat.supply["solar_ppa"].strike_eur_per_mwh
    assert strikes["FR"].value == 55 and strikes["DE"].value == 52


@pytest.mark.parametrize("change, expected", [
    ({"power_kw": None}, ["own_0.yaml: servers.own_blade.power_kw", "required field is missing",
                          "unit: 'kW'"]),
    ({"power_kw": q(5.6, "kg")}, ["own_0.yaml: servers.own_blade.power_kw",
                                  "value 5.6 [kg]", "expected a value in kW"]),
    ({"power_kw": 5.6}, ["own_0.yaml: servers.own_blade.power_kw = 5.6",
                         "give {value: 5.6, unit: 'kW'}"]),
    ({"price_eur": None}, ["own_0.yaml: servers.own_blade.price_eur: required field is missing",
                           "unit: 'EUR'", "or quote the cost as annualised_cost_eur_per_yr"]),
])
def test_new_entry_errors_name_file_entry_field_value_and_unit(tmp_path, change, expected):
    node = {k: v for k, v in {**LIQUID_NODE, **change}.items() if v is not None}
    text = layer_error(tmp_path, {"servers": {"own_blade": node}})
    assert all(part in text for part in expected), text


def test_bare_number_for_a_known_quantity_names_its_unit(tmp_path):
    text = layer_error(tmp_path, {"servers": {"b200_node": {"price_eur": 300000}}})
    assert "own_0.yaml: servers.b200_node.price_eur = 300000" in text and "unit: 'EUR'" in text


def test_unknown_section_and_unknown_heat_entry_are_errors(tmp_path):
    assert "unknown catalogue section 'server'; did you mean 'servers'" in layer_error(
        tmp_path, {"server": {}})
    assert "site facts go into the scenario" in layer_error(tmp_path, {"sites": {}})
    assert "heat.heatpump: unknown entry" in layer_error(tmp_path, {"heat": {"heatpump": {}}})


def test_own_cooling_reuses_a_physics_model_or_gives_a_constant_pue(tmp_path):
    dlc = read_catalogue_dicts()["cooling"]["direct_liquid"]
    own_dlc = {**dlc, "name": "Own DLC, 90 % liquid", "parameters": {
        **dlc["parameters"], "liquid_share": q(0.9, "1")}}
    vendor = VENDOR_COOLING
    cat = layered(tmp_path, {"cooling": {"own_dlc": own_dlc, "vendor_module": vendor}})
    assert cat.cooling["own_dlc"].parameters["liquid_share"].value == 0.9
    assert cat.cooling["vendor_module"].annualised_cost_eur_per_mw_it_yr.value == 210_000
    bad = {**vendor, "pue_model": "constnt"}
    assert "did you mean 'constant'" in layer_error(tmp_path, {"cooling": {"v": bad}})
    bad = {**vendor, "parameters": {"pue": q(1.18, "1")}}
    assert "parameters ['wue_l_per_kwh'] missing" in layer_error(tmp_path, {"cooling": {"v": bad}})
    bad = {**vendor, "parameters": {"pue": q(0.9, "1"), "wue_l_per_kwh": q(-1, "L/kWh")}}
    text = layer_error(tmp_path, {"cooling": {"v": bad}})
    assert "cooling.v.parameters" in text and "pue = 0.9" in text and "in [1, 5]" in text
    assert "wue_l_per_kwh = -1.0 [L/kWh]: water use is >= 0" in text


# --- costs as planners quote them (``CostForm``) ---------------------------------------------

def test_annualised_cost_replaces_the_capex_form_of_a_lower_layer(tmp_path):
    """air_chiller quoted at 250 EUR/kW_IT/yr: capex, lifetime and O&M of the built-in entry
    are dropped, and the annual cost is 250,000 EUR/MW_IT/yr whatever the discount rate."""
    cat = layered(tmp_path, {"cooling": {"air_chiller": {
        "annualised_cost_eur_per_mw_it_yr": q(250, "EUR/kW_IT/yr")}}})
    chiller = cat.cooling["air_chiller"]
    assert chiller.capex_eur_per_kw_it is None and chiller.lifetime_yr is None
    assert chiller.annual_cost("capex_eur_per_kw_it", 0.07) == pytest.approx(250_000)
    assert chiller.annual_cost("capex_eur_per_kw_it", 0.2) == pytest.approx(250_000)


def test_own_discount_rate_annuitises_capex_on_paper(tmp_path):
    """Node at 100,000 EUR over 2 yr at its own 10 %: CRF = 0.1 x 1.21 / 0.21 = 0.576190;
    plus 5 %/yr O&M of capex: 100,000 x 0.626190 = 62,619.05 EUR/yr, whatever the scenario's
    rate. Built-in entries without a rate keep the scenario's."""
    node = {**LIQUID_NODE, "price_eur": q(100_000, "EUR"), "lifetime_yr": q(2, "yr"),
            "discount_rate": q(0.1, "1/yr"), "fixed_opex_share_per_yr": q(0.05, "1/yr")}
    cat = layered(tmp_path, {"servers": {"own_blade": node}})
    assert cat.servers["own_blade"].annual_cost("price_eur", 0.03) == pytest.approx(62_619.0476)
    h100 = cat.servers["h100_sxm_node"]
    assert h100.annual_cost("price_eur", 0.0) == pytest.approx(277_200 / 5)


@pytest.mark.parametrize("change, expected", [
    ({"annualised_cost_eur_per_yr": q(40_000, "EUR/yr")},
     "price_eur and annualised_cost_eur_per_yr both given"),
    ({"price_eur": None, "annualised_cost_eur_per_yr": q(40_000, "EUR/yr"),
      "discount_rate": q(0.1, "1/yr")}, "discount_rate: given but every cost is annualised"),
    ({"price_eur": None, "annualised_cost_eur_per_yr": q(40_000, "EUR/MWh")},
     "expected an annualised cost per year, in EUR/yr"),
    ({"discount_rate": q(9, "1/yr")}, "a discount rate is a fraction per year"),
])
def test_cost_form_errors(tmp_path, change, expected):
    node = {k: v for k, v in {**LIQUID_NODE, **change}.items() if v is not None}
    assert expected in layer_error(tmp_path, {"servers": {"own_blade": node}})


def test_a_ppa_priced_per_mw_yr_needs_no_strike(tmp_path):
    """A capacity-priced wind PPA: 95 kEUR/MW/yr, no energy price; a price per MWh given
    where the per-MW·yr price belongs is refused (same dimension, 1 yr = 8766 h)."""
    ppa = {"kind": "ppa", "capacity_factor_variable": "wind_cf",
           "annualised_cost_eur_per_mw_yr": q(95, "kEUR/MW/yr"),
           "lifecycle_g_co2_per_kwh": q(11, "gCO2e/kWh")}
    cat = layered(tmp_path, {"supply": {"wind_capacity_ppa": ppa}})
    spec = cat.supply["wind_capacity_ppa"]
    assert spec.annual_cost("capex_eur_per_kw", 0.07) == pytest.approx(95_000)
    assert spec.strike_for("FR") == 0.0 and spec.name == "wind_capacity_ppa"
    wrong = {**ppa, "annualised_cost_eur_per_mw_yr": q(55, "EUR/MWh")}
    assert "expected an annualised cost per year" in layer_error(
        tmp_path, {"supply": {"w": wrong}})
    assert "strike_eur_per_mwh" in layer_error(tmp_path, {"supply": {"w": {
        **ppa, "strike_eur_per_mwh": {"default": q(3, "EUR/MW/yr")}}}})


def test_override_may_quote_an_absent_cost_form():
    """``overrides`` can switch a built-in entry to an annualised cost or give it an own
    rate (a full quantity: there is no unit to keep); the capex form is dropped."""
    raw = apply_overrides(read_catalogue_dicts(), {
        "cooling.free_air.annualised_cost_eur_per_mw_it_yr": {"value": 190,
                                                              "unit": "EUR/kW_IT/yr"},
        "heat.heat_pump.discount_rate": {"value": 0.1, "unit": "1/yr"}}, "s.yaml")
    cat = validate_catalogue(raw, "s.yaml")
    assert cat.cooling["free_air"].capex_eur_per_kw_it is None
    assert cat.cooling["free_air"].annual_cost("capex_eur_per_kw_it", 0.07) == 190_000
    assert cat.cooling["free_air"].annualised_cost_eur_per_mw_it_yr.source == "scenario override"
    assert cat.heat.heat_pump.discount_rate.value == 0.1
    with pytest.raises(ScenarioError, match=r"overrides.cooling.free_air.annualised_cost_eur_"
                       r"per_mw_it_yr = 190: .*give \{value: <number>, unit: 'EUR/MW_IT/yr'\}"):
        apply_overrides(read_catalogue_dicts(),
                        {"cooling.free_air.annualised_cost_eur_per_mw_it_yr": 190}, "s.yaml")
