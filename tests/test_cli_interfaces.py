"""Command-line interfaces of issue 15: --version, -v, --set, plain help text, --strategy,
pareto --caps, shadow prices in the outputs. Solving tests use 24-48 h of two reference
sites (tests/test_cli.py's SMALL scenario)."""

from __future__ import annotations

import json
import logging

import pytest
from typer.testing import CliRunner

import greendc
from greendc.cli import EXIT_USER_ERROR, app
from tests.test_cli import SMALL, needs_sites, output, write


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def quiet_logger():
    """Undo -v's logger level and handler after the test."""
    logger = logging.getLogger("greendc")
    level, handlers = logger.level, list(logger.handlers)
    yield
    logger.setLevel(level)
    for h in list(logger.handlers):
        if h not in handlers:
            logger.removeHandler(h)


def test_version(runner):
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"greendc {greendc.__version__}"


def test_help_text_keeps_units_in_brackets(runner):
    """Rich markup used to swallow [h], [gCO2e/kWh], [tCO2e] as style tags."""
    text = runner.invoke(app, ["footprint", "--help"], terminal_width=200).output
    assert "duration [h]" in text
    assert "[gCO2e/kWh]" in text and "Energy [MWh] and emissions [tCO2e]" in text
    run_help = runner.invoke(app, ["run", "--help"], terminal_width=200).output
    assert "[s]" in run_help
    data_help = runner.invoke(app, ["data", "import", "--help"], terminal_width=200).output
    assert "[deg N]" in data_help


def test_unknown_strategy_is_a_usage_error(runner, tmp_path):
    result = runner.invoke(app, ["run", str(write(tmp_path, SMALL)), "--strategy", "bogus"])
    assert result.exit_code == 2
    assert "bogus" in output(result) and "monolithic" in output(result)


@pytest.mark.parametrize("item, words", [
    ("objective.x=1", ["objective.x", "not a section"]),
    ("compute.requird_pflops=5", ["compute.requird_pflops", "did you mean 'required_pflops'"]),
    ("compute.required_pflops=abc", ["compute.required_pflops", "valid number"]),
    ("sites.7.file=x.nc", ["sites.7", "list position 0-1"]),
    ("objective", ["FIELD=VALUE"]),
])
def test_bad_set_is_a_clear_error_before_any_solve(runner, tmp_path, item, words):
    result = runner.invoke(app, ["validate", str(write(tmp_path, SMALL)), "--set", item])
    assert result.exit_code == EXIT_USER_ERROR, output(result)
    for word in words:
        assert word in output(result)


@needs_sites
def test_set_changes_the_run_and_results_carry_shadow_prices(runner, tmp_path):
    """--set values are YAML scalars (24, emissions, 1e4 a number); the summary prints the
    shadow prices, summary.json stores them."""
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(write(tmp_path, SMALL)), "--out", str(out),
                                 "--set", "horizon.hours=24", "--set", "objective=emissions",
                                 "--set", "compute.required_pflops=2e2"])
    assert result.exit_code == 0, output(result)
    info = json.loads((out / "summary.json").read_text())
    import xarray as xr

    res = xr.load_dataset(out / "results.nc")
    assert res.attrs["objective"] == "emissions" and res.sizes["time"] == 24
    assert "shadow prices" in result.output and "EUR/(PFLOP/s)/yr" in result.output
    prices = info["shadow_prices"]
    assert prices["status"] == "optimal" and prices["compute_eur_per_pflops_yr"] > 0
    assert prices["co2_eur_per_t"] >= 0


def test_verbose_logs_debug_records_and_switches_the_highs_log_on(runner, tmp_path,
                                                                  quiet_logger, monkeypatch):
    """-v: greendc's DEBUG records on stderr, and solver.log = true reaches the scenario."""
    seen = {}
    import greendc.study as study_mod

    real = study_mod.load_study

    def spy(source, overrides=None):
        seen["overrides"] = overrides
        return real(source, overrides)

    monkeypatch.setattr(study_mod, "load_study", spy)
    result = runner.invoke(app, ["-v", "validate", str(write(tmp_path, SMALL))])
    assert result.exit_code == 0, output(result)
    assert seen["overrides"] == {"solver.log": True}
    assert "debug greendc.study: scenario small" in output(result)
    plain = runner.invoke(app, ["validate", str(write(tmp_path, SMALL))])
    assert "debug greendc" not in output(plain)


@pytest.mark.parametrize("caps, words", [("7000,abc", ["'abc'", "tCO2e/yr"]),
                                         ("-5", ["-5", ">= 0"]), ("nan", ["nan"])])
def test_bad_caps_are_usage_errors(runner, tmp_path, caps, words):
    result = runner.invoke(app, ["pareto", str(write(tmp_path, SMALL)), "--caps", caps])
    assert result.exit_code == 2
    for word in words:
        assert word in output(result)


@needs_sites
def test_pareto_at_user_caps_prints_the_shadow_prices(runner, tmp_path):
    """--caps alone: the two ends plus the caps; a cap far above the cost end does not bind:
    it is the cost end's point (CO2 price 0), flagged as the user's, not a dominated copy."""
    out = tmp_path / "front"
    raw = {**SMALL, "horizon": {"hours": 24}, "sites": ["se-stockholm"],
           "cooling": ["direct_liquid"]}
    result = runner.invoke(app, ["pareto", str(write(tmp_path, raw)), "--caps", "1e6", "-q",
                                 "--out", str(out)])
    assert result.exit_code == 0, output(result)
    assert "CO2 price" in result.output and "(your cap)" in result.output
    import xarray as xr

    front = xr.load_dataset(out / "front.nc")
    assert front["user_cap"].values.tolist() == [True, False]
    assert float(front["user_cap_t_per_yr"][0]) == 1e6
    assert float(front["co2_shadow_price_eur_per_t"][0]) == 0.0
    assert not front["dominated"].any()
