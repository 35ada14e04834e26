"""The command line (typer ``greendc.cli.app``) through ``typer.testing.CliRunner``.

Scenarios are written to tmp_path and name reference sites by id (found in the package's
``data/sites`` because tmp_path is outside any project folder); the tests that solve use a
48-hour horizon and are skipped until the reference site files exist.
"""

from __future__ import annotations

import json
import pathlib

import click
import pytest
import typer
import yaml
from typer.testing import CliRunner

from greendc.sitedata.files import reference_file
from greendc.resources import DATA_DIR
from greendc.cli import EXIT_NOT_PROVEN, EXIT_USER_ERROR, app

SITES = ["fr-essonne", "se-stockholm"]
HAVE_SITES = all(reference_file(s).exists() for s in SITES)
needs_sites = pytest.mark.skipif(not HAVE_SITES, reason="reference site files data/sites/"
                                 "fr-essonne.nc, se-stockholm.nc not built yet")

SMALL = {"name": "small", "sites": SITES, "compute": {"required_pflops": 200},
         "horizon": {"hours": 48}, "solver": {"workers": 1}}
# 200 PFLOP/s need ~0.14 MW at the meter; a 0.05 MW connection cannot carry it.
INFEASIBLE = {**SMALL, "name": "too_small_grid",
              "sites": [{"id": "fr-essonne", "facts": {"grid_connection_mw": 0.05}}]}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def write(tmp_path: pathlib.Path, raw: dict, name: str = "study.yaml") -> pathlib.Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def output(result) -> str:
    """stdout and stderr together (click >= 8.2 keeps them apart in result.stderr)."""
    text = result.output
    try:
        err = result.stderr
    except (ValueError, AttributeError):
        err = ""
    return text if err and err in text else text + (err or "")


# ------------------------------------------------------------------------------- help

def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, cmd in group.commands.items():
        yield prefix + (name,)
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, prefix + (name,))


COMMANDS = sorted(_commands(typer.main.get_command(app)))


def test_every_command_is_listed():
    names = {c[0] for c in COMMANDS}
    assert {"validate", "run", "pareto", "footprint", "report", "data"} <= names


@pytest.mark.parametrize("command", [()] + COMMANDS, ids=lambda c: " ".join(c) or "greendc")
def test_help_works_for_every_command(runner, command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, output(result)
    assert "Usage:" in result.output


# --------------------------------------------------------------------------- validate

@needs_sites
def test_validate_good_scenario(runner, tmp_path):
    path = write(tmp_path, SMALL)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, output(result)
    assert f"OK: {path}" in result.output
    assert "2 sites" in result.output and "48 hours" in result.output


def test_validate_bad_scenario(runner, tmp_path):
    path = write(tmp_path, {**SMALL, "objectve": "cost",
                            "compute": {"required_pflops": 200, "utilisation_share": 80}})
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == EXIT_USER_ERROR == 1
    text = output(result)
    assert "ScenarioError" in text and str(path) in text
    assert "objectve = 'cost': unknown field (typo?); did you mean 'objective'?" in text
    assert "compute.utilisation_share = 80" in text and "did you mean 0.8" in text
    assert "Traceback" not in text


def test_validate_missing_file(runner, tmp_path):
    result = runner.invoke(app, ["validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert "nope.yaml: cannot read the file" in output(result)


# -------------------------------------------------------------------------------- run

@needs_sites
def test_run_small_horizon_writes_summary(runner, tmp_path):
    path = write(tmp_path, SMALL)
    out = tmp_path / "results"
    result = runner.invoke(app, ["run", str(path), "--out", str(out)])
    assert result.exit_code == 0, output(result)
    assert f"results: {out}" in result.output
    assert "annual cost" in result.output and "optimal" in result.output
    info = json.loads((out / "summary.json").read_text())
    for key in ("scenario", "site", "cooling", "servers", "it_mw", "cost_eur_per_yr",
                "cost_breakdown_eur_per_yr", "emissions_t_per_yr", "mean_pue", "solver",
                "provenance"):
        assert key in info, key
    assert info["scenario"] == "small" and info["site"] in SITES
    assert info["solver"]["status"] == "optimal" and info["solver"]["proven_optimal"] is True
    assert info["cost_eur_per_yr"] > 0
    assert (out / "results.nc").is_file() and (out / "csv").is_dir()
    assert not list(out.glob(".greendc-*")), "temporary folder left behind"


@needs_sites
def test_run_quiet_prints_one_json_line(runner, tmp_path):
    path = write(tmp_path, SMALL)
    result = runner.invoke(app, ["run", str(path), "-q", "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, output(result)
    line = json.loads(result.stdout.splitlines()[0])
    assert set(line) == {"site", "cooling", "cost_eur_per_yr", "annual_basis"}


@needs_sites
def test_run_infeasible_prints_named_causes_and_writes_nothing(runner, tmp_path):
    path = write(tmp_path, INFEASIBLE)
    out = tmp_path / "results"
    result = runner.invoke(app, ["run", str(path), "--out", str(out)])
    text = output(result)
    assert result.exit_code == EXIT_USER_ERROR, text
    assert "Infeasible study" in text and str(path) in text
    assert "Why the study is infeasible" in text
    assert "site fr-essonne: grid connection 0.05 MW < peak facility demand" in text
    assert "raise grid_connection_mw by" in text
    assert "Conflicting constraints (HiGHS IIS" in text and "grid_connection[fr-essonne," in text
    assert "diagnosis took" in text
    assert not out.exists(), "an infeasible run must not leave a results folder"
    assert not list(tmp_path.rglob("summary.json"))


def test_run_bad_input_writes_nothing(runner, tmp_path):
    path = write(tmp_path, {**SMALL, "finance": {"discount_rate": 0.7}})
    out = tmp_path / "results"
    result = runner.invoke(app, ["run", str(path), "--out", str(out)])
    assert result.exit_code == 1
    assert "finance.discount_rate = 0.7" in output(result)
    assert not out.exists()


def _solved_results(tmp_path):
    from greendc.study import run

    return run(write(tmp_path, SMALL, "solved.yaml"))


@needs_sites
def test_time_limit_is_labelled_not_proven_optimal(runner, tmp_path, monkeypatch):
    """A design stopped by the time limit: exit 3, console warning, summary says so."""
    import greendc.study

    res = _solved_results(tmp_path)
    res.attrs.update(solver_status="time_limit", solver_mip_gap=0.05)
    monkeypatch.setattr(greendc.study, "solve_study", lambda study, **kw: res)
    out = tmp_path / "results"
    result = runner.invoke(app, ["run", str(write(tmp_path, SMALL)), "--out", str(out)])
    assert result.exit_code == EXIT_NOT_PROVEN == 3, output(result)
    assert "WARNING: not proven optimal (time limit)" in result.output
    assert "time_limit, gap 5.00e-02" in result.output
    info = json.loads((out / "summary.json").read_text())
    assert info["solver"]["status"] == "time_limit" and info["solver"]["proven_optimal"] is False
    assert info["solver"]["mip_gap"] == pytest.approx(0.05)


@needs_sites
def test_interrupted_run_keeps_earlier_results(runner, tmp_path, monkeypatch):
    """Ctrl-C during a second run (in the solver, then while writing) leaves the first run's
    results intact and no temporary files."""
    import greendc.results
    import greendc.study

    path = write(tmp_path, SMALL)
    out = tmp_path / "results"
    assert runner.invoke(app, ["run", str(path), "--out", str(out)]).exit_code == 0
    before = {p.name: p.read_bytes() for p in (out / "summary.json", out / "results.nc")}

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as mp:
        mp.setattr(greendc.study, "solve_study", interrupted)
        result = runner.invoke(app, ["run", str(path), "--out", str(out)])
        assert result.exit_code != 0
    with monkeypatch.context() as mp:
        mp.setattr(greendc.results, "summary", interrupted)  # called while staging the files
        result = runner.invoke(app, ["run", str(path), "--out", str(out)])
        assert result.exit_code != 0
    after = {p.name: p.read_bytes() for p in (out / "summary.json", out / "results.nc")}
    assert after == before
    assert sorted(p.name for p in out.iterdir()) == ["csv", "results.nc", "scenario.resolved.yaml",
                                                     "summary.json"]


# -------------------------------------------------------------------------- footprint

def test_footprint_patterson_gpt3(runner):
    """Patterson et al. 2021: GPT-3, 10,000 V100 x 330 W x 355.2 h, PUE 1.1, 429 g/kWh ->
    1,287 MWh and 552 tCO2e in the paper (rounded inputs give 1,289 MWh, 553 t)."""
    result = runner.invoke(app, ["footprint", "--accelerators", "10000", "--power-w", "330",
                                 "--hours", "355.2", "--pue", "1.1",
                                 "--carbon-intensity", "429"])
    assert result.exit_code == 0, output(result)
    assert "energy 1,289.4 MWh, emissions 553.1 tCO2e" in result.output


def test_footprint_rejects_pue_below_one(runner):
    result = runner.invoke(app, ["footprint", "--accelerators", "8", "--power-w", "700",
                                 "--hours", "10", "--pue", "0.9", "--carbon-intensity", "100"])
    assert result.exit_code == 1
    assert "pue = 0.9: PUE is facility / IT power and cannot be below 1" in output(result)


def test_footprint_needs_pue_and_intensity_or_site(runner):
    result = runner.invoke(app, ["footprint", "--accelerators", "8", "--power-w", "700",
                                 "--hours", "10"])
    assert result.exit_code == 1
    assert "give --pue and --carbon-intensity, or --site" in output(result)


@needs_sites
def test_pareto_folder_report_names_the_scenario_and_its_real_status(runner, tmp_path):
    """The folder of `greendc pareto` reports like a run: the scenario in the title, the
    front's own solver outcome (no false "Not proven optimal: solver status None"), the
    provenance and horizon; a later `greendc run` into it drops the front and its report
    and writes a fresh report."""
    path = write(tmp_path, {**SMALL, "horizon": {"hours": 24}})
    out = tmp_path / "front"
    result = runner.invoke(app, ["pareto", str(path), "-n", "2", "-q", "--out", str(out)])
    assert result.exit_code == 0, output(result)
    html = (out / "report.html").read_text()
    assert "<h1>greendc Pareto front: small</h1>" in html
    assert "Not proven optimal" not in html and "status None" not in html
    info = json.loads((out / "summary.json").read_text())
    assert info["scenario"] == "small" and info["solver"]["status"] == "optimal"
    assert info["provenance"]["scenario_hash"] and info["horizon"]["hours"] == 24
    assert (out / "scenario.resolved.yaml").exists()
    assert "annual_basis" in (out / "front.csv").read_text().splitlines()[0]

    result = runner.invoke(app, ["run", str(path), "-q", "--out", str(out)])
    assert result.exit_code == 0, output(result)
    assert not (out / "front.nc").exists() and not (out / "front.csv").exists()
    html = (out / "report.html").read_text()
    assert "<h1>greendc report: small</h1>" in html and "Pareto" not in html
