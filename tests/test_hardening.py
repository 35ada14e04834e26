"""Bad inputs of issue 13 (hardening), each its own case, checking the MESSAGE TEXT.

Same layout as ``tests/test_bad_inputs.py``: each case ``case(tmp_path) -> str`` feeds one bad
input to the real entry point and returns the error (or warning) message; ``CASES`` is the
inventory, one row per bad input, grouped by the class of issue 13: units, booleans, names,
CLI, magnitudes, security. Interrupts and infeasibility have their own modules
(``tests/test_interrupts.py``, ``tests/test_infeasibility.py``) since they solve models.
"""

from __future__ import annotations

import pathlib
import re
import warnings

import numpy as np
import pytest
import yaml

from greendc.catalogue import apply_overrides, load_catalogue, read_catalogue_dicts, \
    validate_catalogue
from greendc.errors import DataError, GreendcError, PlausibilityWarning, ScenarioError
from greendc.scenario import scenario_from_dict
from greendc.sitedata.checks import check_site_dataset
from greendc.sitedata.io import read_site_file, write_site_file
from greendc.study import load_study
from tests.conftest import synthetic_site
from tests.test_bad_inputs import BASE, assert_message, needs_sites, write_scenario


def _err(fn, *args, kind=GreendcError, **kwargs) -> str:
    with pytest.raises(kind) as err:
        fn(*args, **kwargs)
    return str(err.value)


def _warned(fn, *args, **kwargs) -> str:
    """Run ``fn``; it must succeed and warn with a PlausibilityWarning; return the text."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn(*args, **kwargs)
    texts = [str(w.message) for w in caught if issubclass(w.category, PlausibilityWarning)]
    assert texts, "no PlausibilityWarning"
    return "\n".join(texts)


def scenario_msg(**changes) -> str:
    raw = {k: v for k, v in {**BASE, **changes}.items() if v is not None}
    return _err(scenario_from_dict, raw, origin="study.yaml", kind=ScenarioError)


def catalogue(overrides: dict):
    return validate_catalogue(apply_overrides(read_catalogue_dicts(), overrides, "study.yaml"),
                              "study.yaml")


def catalogue_msg(overrides: dict) -> str:
    return _err(catalogue, overrides, kind=DataError)


def study_msg(tmp_path, **changes) -> str:
    return _err(load_study, write_scenario(tmp_path, {**BASE, **changes}))


def site_ds(**replace):
    return synthetic_site(8760, "2018-01-01", optional=False, **replace)


# --------------------------------------------------------------------------------------
# units
# --------------------------------------------------------------------------------------

def catalogue_unit_incompatible(tmp_path):
    return catalogue_msg({"servers.b200_node.power_kw": {"value": 14.3, "unit": "kg"}})


def catalogue_unit_unknown(tmp_path):
    return catalogue_msg({"servers.b200_node.price_eur": {"value": 380, "unit": "kUSD"}})


def cooling_parameter_unit_incompatible(tmp_path):
    return catalogue_msg({"cooling.air_chiller.parameters.fan_pressure_pa":
                          {"value": 1, "unit": "kW"}})


def netcdf_units_incompatible(tmp_path):
    ds = site_ds()
    ds["grid_carbon_intensity"].attrs["units"] = "EUR/MWh"
    path = write_site_file(ds, tmp_path / "site.nc")
    return _err(read_site_file, path, kind=DataError)


def dataset_in_kg_per_kwh_unconverted(tmp_path):
    ds = site_ds()
    ds["grid_carbon_intensity"] = ds["grid_carbon_intensity"] / 1000
    ds["grid_carbon_intensity"].attrs["units"] = "kgCO2e/kWh"
    return _err(check_site_dataset, ds, origin="my.nc", kind=DataError)


def csv_intensity_in_kg_without_units(tmp_path):
    ds = site_ds()
    ds["grid_carbon_intensity"] = ds["grid_carbon_intensity"] / 1000
    path = tmp_path / "site.csv"
    ds.to_dataframe().to_csv(path, index_label="time", date_format="%Y-%m-%dT%H:%M")
    return _err(read_site_file, path, kind=DataError)


def csv_price_in_eur_per_kwh_without_units(tmp_path):
    ds = site_ds()
    ds["grid_price"] = ds["grid_price"] / 1000
    path = tmp_path / "site.csv"
    ds.to_dataframe().to_csv(path, index_label="time", date_format="%Y-%m-%dT%H:%M")
    return _err(read_site_file, path, kind=DataError)


def csv_units_row_incompatible(tmp_path):
    df = site_ds().to_dataframe()
    path = tmp_path / "site.csv"
    text = df.to_csv(index_label="time", date_format="%Y-%m-%dT%H:%M").splitlines()
    cols = text[0].split(",")
    units = ["units"] + ["kg" if c == "grid_price" else "" for c in cols[1:]]
    path.write_text("\n".join([text[0], ",".join(units)] + text[1:]) + "\n")
    return _err(read_site_file, path, kind=DataError)


# --------------------------------------------------------------------------------------
# booleans where numbers are expected
# --------------------------------------------------------------------------------------

def bool_required_pflops(tmp_path):
    return scenario_msg(compute={"required_pflops": True})


def bool_utilisation(tmp_path):
    return scenario_msg(compute={"required_pflops": 100, "utilisation_share": True})


def bool_emissions_cap(tmp_path):
    return scenario_msg(emissions_cap_t_per_yr=True)


def bool_max_sites(tmp_path):
    return scenario_msg(max_sites=True)


def bool_hours(tmp_path):
    return scenario_msg(horizon={"hours": True})


def bool_grid_connection_fact(tmp_path):
    return study_msg(tmp_path, sites=[{"id": "fr-essonne", "facts": {"grid_connection_mw": True}}])


def bool_catalogue_override(tmp_path):
    return catalogue_msg({"servers.b200_node.price_eur": True})


def bool_catalogue_count(tmp_path):
    return catalogue_msg({"servers.b200_node.accelerators_per_node": True})


# --------------------------------------------------------------------------------------
# names that refer to the catalogue / data
# --------------------------------------------------------------------------------------

def unknown_legal_exposure(tmp_path):
    """'UK IPA 2016' excluded nothing, London was chosen."""
    return study_msg(tmp_path, sites=["gb-london", "fr-essonne"],
                     sovereignty={"exclude_legal_exposures": ["UK IPA 2016"]})


def unknown_jurisdiction_uk(tmp_path):
    return scenario_msg(sovereignty={"allowed_jurisdictions": ["EU", "UK"]})


def unknown_jurisdiction_lowercase(tmp_path):
    return scenario_msg(sovereignty={"allowed_jurisdictions": ["eea"]})


def unknown_jurisdiction_not_iso(tmp_path):
    return scenario_msg(sovereignty={"allowed_jurisdictions": ["XX"]})


def unknown_site_id(tmp_path):
    return study_msg(tmp_path, sites=["fr-esonne"])


def unknown_server_id(tmp_path):
    return study_msg(tmp_path, servers=["b200node"])


def unknown_cooling_id(tmp_path):
    return study_msg(tmp_path, cooling=["immersoin"])


def unknown_supply_tech(tmp_path):
    return study_msg(tmp_path, options={"supply_techs": ["solar_pa"]})


def unknown_override_entry(tmp_path):
    return _err(apply_overrides, read_catalogue_dicts(), {"servers.b200_nod.price_eur": 1.0},
                "study.yaml", kind=ScenarioError)


def unknown_site_fact(tmp_path):
    return study_msg(tmp_path, sites=[{"id": "fr-essonne", "facts": {"grid_conection_mw": 50}}])


# --------------------------------------------------------------------------------------
# CLI options
# --------------------------------------------------------------------------------------

def cli(tmp_path, *args, code: int = 2) -> str:
    """Invoke the CLI on a valid scenario in tmp_path; assert the exit code; return the output
    with rich's box drawing and line wrapping removed."""
    from typer.testing import CliRunner

    from greendc.cli import app

    scenario = write_scenario(tmp_path, BASE)
    args = [str(scenario) if a == "SCENARIO" else a for a in args]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200", "NO_COLOR": "1"})
    text = re.sub(r"\s+", " ", re.sub(r"[│╭╮╰╯─]", " ", result.output))
    assert result.exit_code == code, f"exit {result.exit_code}: {text}"
    return text


def cli_time_limit_zero(tmp_path):
    return cli(tmp_path, "run", "SCENARIO", "--time-limit", "0")


def cli_time_limit_negative(tmp_path):
    return cli(tmp_path, "run", "SCENARIO", "--time-limit", "-5")


def cli_strategy_unknown(tmp_path):
    return cli(tmp_path, "run", "SCENARIO", "--strategy", "fastest")


def cli_out_is_a_file(tmp_path):
    (tmp_path / "taken.txt").write_text("keep me")
    text = cli(tmp_path, "run", "SCENARIO", "--out", str(tmp_path / "taken.txt"))
    assert (tmp_path / "taken.txt").read_text() == "keep me"
    return text


def cli_pareto_scope_unknown(tmp_path):
    return cli(tmp_path, "pareto", "SCENARIO", "--scope", "total")


def cli_pareto_out_is_a_file(tmp_path):
    (tmp_path / "f").write_text("")
    return cli(tmp_path, "pareto", "SCENARIO", "--out", str(tmp_path / "f"))


def cli_batch_out_is_a_file(tmp_path):
    (tmp_path / "f").write_text("")
    return cli(tmp_path, "batch", "SCENARIO", "--out", str(tmp_path / "f"))


def cli_batch_workers_zero(tmp_path):
    return cli(tmp_path, "batch", "SCENARIO", "--workers", "0")


def cli_report_missing_folder(tmp_path):
    return cli(tmp_path, "report", str(tmp_path / "nope"))


def cli_footprint_negative_hours(tmp_path):
    return cli(tmp_path, "footprint", "--accelerators", "8", "--power-w", "700", "--hours", "-1",
               "--pue", "1.2", "--carbon-intensity", "50")


def cli_footprint_utilisation_percent(tmp_path):
    return cli(tmp_path, "footprint", "--accelerators", "8", "--power-w", "700", "--hours", "10",
               "--utilisation", "80", "--pue", "1.2", "--carbon-intensity", "50")


def cli_footprint_zero_accelerators(tmp_path):
    return cli(tmp_path, "footprint", "--accelerators", "0", "--power-w", "700", "--hours", "10",
               "--pue", "1.2", "--carbon-intensity", "50")


def cli_footprint_start_hour(tmp_path):
    return cli(tmp_path, "footprint", "--accelerators", "8", "--power-w", "700", "--hours", "10",
               "--site", "fr-essonne", "--start-hour", "9000")


def cli_data_import_site_id_is_a_path(tmp_path):
    (tmp_path / "w.epw").write_text("")
    return cli(tmp_path, "data", "import", str(tmp_path / "w.epw"), "../../evil",
               "--country", "FR", "--lat", "48", "--lon", "2", "--out", str(tmp_path))


def cli_data_import_latitude(tmp_path):
    (tmp_path / "w.epw").write_text("")
    return cli(tmp_path, "data", "import", str(tmp_path / "w.epw"), "mine", "--country", "FR",
               "--lat", "480", "--lon", "2")


def cli_data_import_country(tmp_path):
    (tmp_path / "w.epw").write_text("")
    return cli(tmp_path, "data", "import", str(tmp_path / "w.epw"), "mine", "--country", "UK",
               "--lat", "51", "--lon", "0")


def api_strategy_unknown(tmp_path):
    from greendc.study import solve_study

    study = load_study(write_scenario(tmp_path, BASE))
    return _err(solve_study, study, strategy="fastest", kind=ScenarioError)


# --------------------------------------------------------------------------------------
# implausible magnitudes: warn (value kept) or refuse (far beyond), naming the field
# --------------------------------------------------------------------------------------

def grid_connection_in_kw(tmp_path):
    path = write_scenario(tmp_path, {**BASE, "sites": [
        {"id": "fr-essonne", "facts": {"grid_connection_mw": 12000}}]})
    return _warned(load_study, path)


def heat_price_in_eur_per_kwh(tmp_path):
    return _warned(catalogue, {"sites.fr-essonne.heat_price_eur_per_mwh": 0.025})


def server_power_in_w(tmp_path):
    return _warned(catalogue, {"servers.b200_node.power_kw": 14300})


def compute_in_tflops(tmp_path):
    return _warned(scenario_from_dict, {**BASE, "compute": {"required_pflops": 2e7}}, "study.yaml")


def huge_catalogue_value(tmp_path):
    return catalogue_msg({"sites.fr-essonne.grid_connection_mw": 1e30})


def huge_strike_price(tmp_path):
    return catalogue_msg({"supply.solar_ppa.strike_eur_per_mwh.FR": 1e30})


def huge_scenario_value(tmp_path):
    return scenario_msg(emissions_cap_t_per_yr=1e30)


def huge_site_fact_before_highs(tmp_path):
    """1e30 used to reach HiGHS ("passModel error", no field named)."""
    return study_msg(tmp_path, sites=[{"id": "fr-essonne", "facts": {"floor_area_m2": 1e30}}])


def cli_shows_plausibility_warning(tmp_path):
    from typer.testing import CliRunner

    from greendc.cli import app

    path = write_scenario(tmp_path, {**BASE, "sites": [
        {"id": "fr-essonne", "facts": {"grid_connection_mw": 12000}}]})
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    return result.output


# --------------------------------------------------------------------------------------
# security
# --------------------------------------------------------------------------------------

def name_absolute_path(tmp_path):
    return scenario_msg(name="/some/dir")


def name_climbs_out(tmp_path):
    return scenario_msg(name="../../x")


def name_backslash(tmp_path):
    return scenario_msg(name="a\\b")


def _batch_project(tmp_path) -> pathlib.Path:
    project = tmp_path / "project"
    (project / "studies").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    write_scenario(tmp_path, BASE, name="outside.yaml")
    return project


def batch_scenario_escapes_project(tmp_path):
    from greendc.batch import BatchError, load_batch

    project = _batch_project(tmp_path)
    path = project / "studies" / "b.yaml"
    path.write_text("scenario: ../../outside.yaml\ncases: [{name: a}]\n")
    return _err(load_batch, path, kind=BatchError)


def batch_scenario_absolute(tmp_path):
    from greendc.batch import BatchError, load_batch

    project = _batch_project(tmp_path)
    path = project / "studies" / "b.yaml"
    path.write_text("scenario: /etc/passwd\ncases: [{name: a}]\n")
    return _err(load_batch, path, kind=BatchError)


def _bomb(levels: int = 9) -> str:
    lines = ["  l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        refs = ", ".join([f"*l{i - 1}"] * 10)
        lines.append(f"  l{i}: &l{i} [{refs}]")
    return "\n".join(lines)


def yaml_alias_bomb_scenario(tmp_path):
    """10^9 leaves under an unknown key hung `validate` and `run`."""
    from greendc.scenario import load_scenario

    text = yaml.safe_dump(BASE) + "unknown_key:\n" + _bomb()
    return _err(load_scenario, write_scenario(tmp_path, text), kind=ScenarioError)


def yaml_alias_bomb_batch(tmp_path):
    from greendc.batch import BatchError, load_batch

    path = tmp_path / "b.yaml"
    path.write_text("scenario: s.yaml\nbomb:\n" + _bomb())
    return _err(load_batch, path, kind=BatchError)


def yaml_many_aliases(tmp_path):
    from greendc.scenario import load_scenario

    refs = "\n".join(f"  k{i}: *v" for i in range(150))
    text = yaml.safe_dump(BASE) + "x: &v 1\nunknown_key:\n" + refs
    return _err(load_scenario, write_scenario(tmp_path, text), kind=ScenarioError)


CASES = [
    # units
    ("units", catalogue_unit_incompatible,
     ["study.yaml", "servers.b200_node.power_kw", "14.3 [kg]", "not compatible",
      "expected a value in kW"]),
    ("units", catalogue_unit_unknown,
     ["servers.b200_node.price_eur", "'kUSD' is not a known unit", "EUR"]),
    ("units", cooling_parameter_unit_incompatible,
     ["cooling.air_chiller.parameters", "fan_pressure_pa = 1.0 [kW]", "expected Pa"]),
    ("units", netcdf_units_incompatible,
     ["site.nc", "grid_carbon_intensity", "'EUR/MWh'", "not compatible", "gCO2e/kWh"]),
    ("units", dataset_in_kg_per_kwh_unconverted,
     ["my.nc", "grid_carbon_intensity", "'kgCO2e/kWh'", "expected gCO2e/kWh",
      "multiply by 1000"]),
    ("units", csv_intensity_in_kg_without_units,
     ["site.csv", "grid_carbon_intensity", "looks like kgCO2e/kWh: multiply by 1000"]),
    ("units", csv_price_in_eur_per_kwh_without_units,
     ["site.csv", "grid_price", "looks like EUR/kWh: multiply by 1000"]),
    ("units", csv_units_row_incompatible,
     ["site.csv", "grid_price", "'kg'", "not compatible", "EUR/MWh"]),
    # booleans
    ("booleans", bool_required_pflops,
     ["study.yaml", "compute.required_pflops = True", "boolean", "number"]),
    ("booleans", bool_utilisation, ["compute.utilisation_share = True", "boolean"]),
    ("booleans", bool_emissions_cap, ["emissions_cap_t_per_yr = True", "boolean"]),
    ("booleans", bool_max_sites, ["max_sites = True", "boolean"]),
    ("booleans", bool_hours, ["horizon.hours = True", "boolean"]),
    ("booleans", bool_grid_connection_fact,
     ["sites[0].facts.grid_connection_mw", "True", "boolean"]),
    ("booleans", bool_catalogue_override, ["servers.b200_node.price_eur", "True", "boolean"]),
    ("booleans", bool_catalogue_count,
     ["servers.b200_node.accelerators_per_node = True", "boolean"]),
    # names
    ("names", unknown_legal_exposure,
     ["sovereignty.exclude_legal_exposures[0] = 'UK IPA 2016'", "unknown legal regime",
      "did you mean 'UK_IPA_2016'"]),
    ("names", unknown_jurisdiction_uk,
     ["sovereignty.allowed_jurisdictions", "'UK'", "did you mean 'GB'"]),
    ("names", unknown_jurisdiction_lowercase, ["'eea'", "did you mean 'EEA'"]),
    ("names", unknown_jurisdiction_not_iso, ["'XX'", "ISO alpha-2 country code (ISO 3166-1)"]),
    ("names", unknown_site_id, ["sites[0] = 'fr-esonne'", "did you mean 'fr-essonne'"]),
    ("names", unknown_server_id, ["servers: unknown ['b200node']", "did you mean 'b200_node'"]),
    ("names", unknown_cooling_id, ["cooling: unknown ['immersoin']", "did you mean 'immersion'"]),
    ("names", unknown_supply_tech,
     ["options.supply_techs: unknown ['solar_pa']", "did you mean 'solar_ppa'"]),
    ("names", unknown_override_entry,
     ["overrides.servers.b200_nod.price_eur", "did you mean 'b200_node'"]),
    ("names", unknown_site_fact,
     ["sites[0].facts.grid_conection_mw", "unknown site fact",
      "did you mean 'grid_connection_mw'"]),
    # CLI options
    ("CLI", cli_time_limit_zero, ["--time-limit", "0: expected a number > 0 [s]",
                                  "omit --time-limit for no limit"]),
    ("CLI", cli_time_limit_negative, ["--time-limit", "-5: expected a number > 0 [s]"]),
    ("CLI", cli_strategy_unknown, ["--strategy", "'fastest'", "auto", "decompose",
                                   "monolithic"]),
    ("CLI", cli_out_is_a_file, ["--out", "taken.txt is an existing file", "results folder"]),
    ("CLI", cli_pareto_scope_unknown, ["--scope", "'total'", "emissions", "operational"]),
    ("CLI", cli_pareto_out_is_a_file, ["--out", "is an existing file"]),
    ("CLI", cli_batch_out_is_a_file, ["--out", "is an existing file"]),
    ("CLI", cli_batch_workers_zero, ["--workers", "greater than or equal to 1"]),
    ("CLI", cli_report_missing_folder, ["folder", "nope' does not exist"]),
    ("CLI", cli_footprint_negative_hours, ["--hours", "-1: expected a number > 0 [h]"]),
    ("CLI", cli_footprint_utilisation_percent, ["--utilisation", "80", "percentage"]),
    ("CLI", cli_footprint_zero_accelerators, ["--accelerators", "greater than or equal to 1"]),
    ("CLI", cli_footprint_start_hour, ["--start-hour", "less than or equal to 8759"]),
    ("CLI", cli_data_import_site_id_is_a_path, ["'../../evil'", "a site id may only hold"]),
    ("CLI", cli_data_import_latitude, ["--lat", "less than or equal to 90"]),
    ("CLI", cli_data_import_country, ["--country", "'UK'", "did you mean 'GB'"]),
    ("CLI", api_strategy_unknown, ["strategy = 'fastest'", "auto, benders, decompose, monolithic"]),
    # magnitudes
    ("magnitudes", grid_connection_in_kw,
     ["sites.fr-essonne.grid_connection_mw = 12,000 [MW]", "plausible range", "meant kW?",
      "kept as given"]),
    ("magnitudes", heat_price_in_eur_per_kwh,
     ["sites.fr-essonne.heat_price_eur_per_mwh = 0.025", "meant EUR/kWh?"]),
    ("magnitudes", server_power_in_w, ["servers.b200_node.power_kw = 14,300 [kW]", "meant MW or W?"]),
    ("magnitudes", compute_in_tflops, ["compute.required_pflops = 2e+07", "meant TFLOP/s"]),
    ("magnitudes", huge_catalogue_value,
     ["sites.fr-essonne.grid_connection_mw = 1e+30 [MW]", "far outside", "refused"]),
    ("magnitudes", huge_strike_price,
     ["supply.solar_ppa.strike_eur_per_mwh.FR = 1e+30", "refused"]),
    ("magnitudes", huge_scenario_value,
     ["study.yaml", "emissions_cap_t_per_yr = 1e+30", "refused"]),
    ("magnitudes", huge_site_fact_before_highs,
     ["sites.fr-essonne.floor_area_m2 = 1e+30 [m2]", "refused"]),
    ("magnitudes", cli_shows_plausibility_warning,
     ["warning: ", "grid_connection_mw = 12,000 [MW]", "meant kW?", "OK:"]),
    # security
    ("security", name_absolute_path,
     ["study.yaml", "name = '/some/dir'", "may not contain path separators"]),
    ("security", name_climbs_out, ["name = '../../x'", "'..'"]),
    ("security", name_backslash, ["name = 'a\\\\b'", "path separators"]),
    ("security", batch_scenario_escapes_project,
     ["b.yaml: scenario = '../../outside.yaml'", "outside the project folder"]),
    ("security", batch_scenario_absolute,
     ["scenario = '/etc/passwd'", "give a path relative to the batch file"]),
    ("security", yaml_alias_bomb_scenario,
     ["study.yaml", "expands to more than 100,000 values", "alias bomb"]),
    ("security", yaml_alias_bomb_batch, ["b.yaml", "alias bomb"]),
    ("security", yaml_many_aliases, ["more than 100 YAML aliases"]),
]

SITE_CASES = {bool_grid_connection_fact, unknown_legal_exposure, unknown_site_id,
              unknown_server_id, unknown_cooling_id, unknown_supply_tech, unknown_site_fact,
              api_strategy_unknown, huge_site_fact_before_highs}


def _param(cls, case, fragments):
    marks = [needs_sites] if case in SITE_CASES else []
    return pytest.param(case, fragments, id=f"{cls}: {case.__name__}", marks=marks)


@pytest.mark.parametrize("case, fragments", [_param(*row) for row in CASES])
def test_bad_input_message(case, fragments, tmp_path):
    assert_message(case(tmp_path), fragments)


# --------------------------------------------------------------------------------------
# compatible units are converted, not refused
# --------------------------------------------------------------------------------------

def test_catalogue_override_in_mw_is_converted_to_kw():
    """power_kw: {value: 0.0143, unit: MW} is 14.3 kW (it was read as 0.0143 kW)."""
    cat = catalogue({"servers.b200_node.power_kw": {"value": 0.0143, "unit": "MW"}})
    q = cat.servers["b200_node"].power_kw
    assert q.unit == "kW" and q.value == pytest.approx(14.3)


def test_catalogue_share_in_percent_and_temperature_in_kelvin_are_converted():
    cat = catalogue({"cooling.immersion.recoverable_heat_share": {"value": 95, "unit": "%"},
                     "cooling.immersion.heat_output_temperature_c":
                         {"value": 318.15, "unit": "K"},
                     "heat.heat_pump.approach_k": {"value": 3, "unit": "degC"}})
    assert cat.cooling["immersion"].recoverable_heat_share.value == pytest.approx(0.95)
    assert cat.cooling["immersion"].heat_output_temperature_c.value == pytest.approx(45.0)
    assert cat.heat.heat_pump.approach_k.value == pytest.approx(3.0)  # a difference


def test_shipped_catalogue_units_all_parse_and_are_the_model_units():
    cat = load_catalogue()
    assert cat.servers["b200_node"].performance_pflops.unit == "PFLOP/s"
    assert cat.cooling["air_chiller"].parameters["tower_fan_share"].unit == "1"


def test_netcdf_in_kg_per_kwh_is_converted(tmp_path):
    """A NetCDF with units kgCO2e/kWh was used as g/kWh (1000x too clean)."""
    ds = site_ds()
    grams = ds["grid_carbon_intensity"].values.copy()
    ds["grid_carbon_intensity"] = ds["grid_carbon_intensity"] / 1000
    ds["grid_carbon_intensity"].attrs["units"] = "kgCO2e/kWh"
    ds["air_temperature"] = ds["air_temperature"] + 273.15
    ds["air_temperature"].attrs["units"] = "K"
    out = read_site_file(write_site_file(ds, tmp_path / "site.nc"))
    np.testing.assert_allclose(out["grid_carbon_intensity"].values, grams, rtol=1e-6)
    assert out["grid_carbon_intensity"].attrs["units"] == "gCO2e/kWh"
    np.testing.assert_allclose(out["air_temperature"].values,
                               site_ds()["air_temperature"].values, atol=1e-3)


def test_csv_units_row_and_sidecar_are_converted(tmp_path):
    ds = site_ds()
    df = ds.to_dataframe()
    df["grid_price"] = df["grid_price"] / 1000
    text = df.to_csv(index_label="time", date_format="%Y-%m-%dT%H:%M").splitlines()
    cols = text[0].split(",")
    row = ["units"] + ["EUR/kWh" if c == "grid_price" else "" for c in cols[1:]]
    (tmp_path / "a.csv").write_text("\n".join([text[0], ",".join(row)] + text[1:]) + "\n")
    out = read_site_file(tmp_path / "a.csv")
    np.testing.assert_allclose(out["grid_price"].values, ds["grid_price"].values, rtol=1e-9)
    df["heat_demand"] = df["heat_demand"] * 1000
    df.to_csv(tmp_path / "b.csv", index_label="time", date_format="%Y-%m-%dT%H:%M")
    (tmp_path / "b.units.yaml").write_text(yaml.safe_dump({"grid_price": "EUR/kWh",
                                                           "heat_demand": "kW"}))
    out = read_site_file(tmp_path / "b.csv")
    np.testing.assert_allclose(out["heat_demand"].values, ds["heat_demand"].values, rtol=1e-9)
    np.testing.assert_allclose(out["grid_price"].values, ds["grid_price"].values, rtol=1e-9)


def test_reference_site_files_pass_unchanged():
    from greendc.sitedata.files import reference_file

    ds = read_site_file(reference_file("fr-essonne"))
    assert "converted_from" not in ds["grid_carbon_intensity"].attrs


def test_results_folder_name_is_sanitised():
    from greendc.scenario import folder_name

    assert folder_name("reference sites (2025)") == "reference_sites_2025"
    assert folder_name("..hidden") == "hidden"
    assert folder_name("???") == "scenario"


def test_local_dask_cluster_binds_loopback(monkeypatch, tmp_path):
    """The LocalCluster of `greendc batch` (scheduler and dashboard) listens on 127.0.0.1 only;
    it used to listen on every interface without authentication."""
    import distributed

    from greendc import batch as batch_mod
    from greendc.batch import execution

    seen = {}

    class Stop(Exception):
        pass

    def fake_cluster(**kwargs):
        seen.update(kwargs)
        raise Stop

    monkeypatch.setattr(distributed, "LocalCluster", fake_cluster)
    case = batch_mod.Case(case_id="x", name="x", overrides={}, loaded=None, error=None,
                          data_hash="")
    with pytest.raises(Stop):
        execution._run_distributed([case], tmp_path, None, 1, None, lambda row: None)
    assert seen["host"] == "127.0.0.1"
    assert seen["dashboard_address"].startswith("127.0.0.1:")
