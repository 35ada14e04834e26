"""A scenario chooses its grid data year (`data_year`, `greendc run --data-year`)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from greendc.cli import app
from greendc.errors import DataError, ScenarioError
from greendc.scenario import scenario_from_dict
from greendc.timeseries import load_sites

BASE = {"name": "t", "sites": ["fr-essonne", "se-stockholm"], "compute": {"required_pflops": 100},
        "horizon": {"hours": 24}, "solver": {"workers": 1}}


def test_default_year_is_2018_and_data_year_picks_the_file():
    sites = load_sites(scenario_from_dict(BASE))
    assert {int(ds.attrs["data_year"]) for ds in sites.values()} == {2018}
    sites = load_sites(scenario_from_dict({**BASE, "data_year": 2019}))
    assert {int(ds.attrs["data_year"]) for ds in sites.values()} == {2019}
    assert str(sites["fr-essonne"].time.values[0])[:10] == "2019-01-01"


def test_a_year_without_data_is_refused_naming_the_years():
    # Sweden has no 2020 ENTSO-E generation in the packaged cache
    with pytest.raises(DataError) as err:
        load_sites(scenario_from_dict({**BASE, "data_year": 2020}))
    msg = str(err.value)
    assert "data_year = 2020" in msg and "se-stockholm" in msg and "[2017, 2018, 2019]" in msg


def test_data_year_must_be_a_plausible_year():
    with pytest.raises(ScenarioError, match="data_year"):
        scenario_from_dict({**BASE, "data_year": 18})


def test_scenario_hash_unchanged_without_data_year():
    a = scenario_from_dict(BASE).scenario.digest()
    b = scenario_from_dict({**BASE, "data_year": 2019}).scenario.digest()
    assert a != b and a == scenario_from_dict(dict(BASE)).scenario.digest()


def test_run_data_year_option_is_validated(tmp_path):
    import yaml

    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(BASE))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(app, ["run", str(path), "--data-year", "2016", "-o",
                                      str(tmp_path / "out")])
    assert result.exit_code == 1 and "available years" in result.output
