"""What a results folder says (``greendc.results``): the horizon behind the annual figures,
one key naming (``_per_yr``), no JSON inside JSON, the resolved scenario, CSVs with their
time zone, integer counts, no ``-0.0``; and a re-save drops files derived from the old
results."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from greendc.report import write_report
from greendc.results import save_results, summary
from greendc.scenario import load_scenario
from greendc.study import load_study, solve_study
from tests.conftest import solve_tiny, tiny_inputs
from tests.test_cli import SMALL, needs_sites

SHORT = {**SMALL, "horizon": {"start_hour": 4000, "hours": 48}}


@pytest.fixture(scope="module")
def short_run():
    study = load_study(SHORT)
    return study, solve_study(study)


def _strings(node):
    if isinstance(node, dict):
        for v in node.values():
            yield from _strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v)
    elif isinstance(node, str):
        yield node


@needs_sites
def test_summary_states_the_horizon_and_data_year(short_run):
    """48 h from hour 4000 of 2018 (16 June 16:00 UTC): each hour stands for 8760 / 48 =
    182.5 h of the year."""
    _, res = short_run
    info = summary(res)
    assert info["horizon"] == {
        "hours": 48, "steps": 48, "start": "2018-06-16T16:00:00+00:00", "end": "2018-06-18T16:00:00+00:00",
        "start_hour": 4000, "full_year": False, "typical_days": None, "step_weight_h": 182.5,
        "data_years": {"fr-essonne": 2018, "se-stockholm": 2018}}
    assert info["annual_basis"].startswith("48 h from 2018-06-16 16:00 UTC (start hour 4000)")
    assert "each step weighted 182.5 h of the year" in info["annual_basis"] and "data year 2018" in info["annual_basis"]


@needs_sites
def test_summary_keys_are_per_yr_and_hold_no_json_strings(short_run, tmp_path):
    _, res = short_run
    save_results(res, tmp_path)
    text = (tmp_path / "summary.json").read_text()
    info = json.loads(text)
    assert "_per_year" not in text
    for key in ("cost_eur_per_yr", "cost_breakdown_eur_per_yr", "emissions_t_per_yr",
                "heat_sold_mwh_per_yr", "grid_energy_mwh_per_yr"):
        assert key in info, key
    assert isinstance(info["provenance"]["data_years"], dict)
    assert isinstance(info["provenance"]["packages"], dict)
    for value in _strings(info):
        assert not value.lstrip().startswith(("{", "[")), value


@needs_sites
def test_files_have_utc_times_integer_counts_and_no_negative_zero(short_run, tmp_path):
    study, res = short_run
    save_results(res, tmp_path, scenario=study.loaded)
    hourly = pd.read_csv(tmp_path / "csv" / "hourly.csv")
    assert hourly["time"].iloc[0] == "2018-06-16T16:00:00+00:00"
    assert hourly["time"].str.endswith("+00:00").all()
    nodes = (tmp_path / "csv" / "nodes.csv").read_text().splitlines()[1:]
    assert all(line.rsplit(",", 1)[1].isdigit() for line in nodes), nodes[:3]
    for path in [tmp_path / "summary.json", *(tmp_path / "csv").glob("*.csv")]:
        assert "-0.0," not in path.read_text() and "-0.0\n" not in path.read_text(), path
    kpis = pd.read_csv(tmp_path / "csv" / "kpis.csv").set_index("kpi")["value"]
    assert kpis["horizon_hours"] == "48" and kpis["step_weight_h"] == "182.5"
    assert kpis["horizon_start"] == "2018-06-16T16:00:00+00:00"


@needs_sites
def test_resolved_scenario_is_saved_and_reloads_to_the_same_scenario(short_run, tmp_path):
    study, res = short_run
    save_results(res, tmp_path, scenario=study.loaded)
    resolved = load_scenario(tmp_path / "scenario.resolved.yaml")
    assert resolved.scenario == study.scenario
    assert resolved.scenario.digest() == res.attrs["scenario_hash"]
    text = (tmp_path / "scenario.resolved.yaml").read_text()
    assert "mip_rel_gap" in text  # defaults are written out, not only what the user gave


def test_a_new_save_drops_the_report_of_the_earlier_results(tmp_path):
    """report.html, report.md and figures/ describe the results they were made from: saving
    new results into the folder must not leave them behind (they used to be carried over)."""
    _, res, _ = solve_tiny(tiny_inputs(hours=24))
    res.attrs.update(scenario="tiny", solver_status="optimal", solver_mip_gap=0.0,
                     solver_seconds=0.1)
    save_results(res, tmp_path)
    write_report(tmp_path)
    (tmp_path / "robustness.csv").write_text("data_year\n2018\n")
    (tmp_path / "notes.txt").write_text("the planner's own file")
    save_results(res, tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["csv", "notes.txt", "results.nc", "summary.json"]
