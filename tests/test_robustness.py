"""Robustness of a solved design across grid data years (issue 14), on a 48-hour horizon."""

from __future__ import annotations

import numpy as np
import pytest

from greendc.robustness import markdown, robustness, save, spread
from greendc.scenario import scenario_from_dict
from greendc.sitedata.files import reference_file
from greendc.study import load_study, solve_study

pytestmark = pytest.mark.skipif(not reference_file("fr-essonne", 2017).exists(),
                                reason="reference site files not built")

SCENARIO = {"name": "rob", "sites": ["fr-essonne"], "compute": {"required_pflops": 200},
            "cooling": ["immersion"], "horizon": {"hours": 48, "start_hour": 4000},
            "solver": {"workers": 1}}


@pytest.fixture(scope="module")
def solved():
    loaded = scenario_from_dict(SCENARIO)
    return loaded, solve_study(load_study(loaded))


def test_every_year_reevaluated_with_the_fixed_design(solved, tmp_path):
    loaded, res = solved
    table = robustness(loaded, res)
    assert list(table["data_year"]) == [2017, 2018, 2019, 2020]
    assert (table["status"] == "optimal").all() and (table["reason"] == "").all()
    # same design, same weather: the 2018 re-evaluation reproduces the solved cost
    row18 = table.set_index("data_year").loc[2018]
    assert row18["cost_eur_per_yr"] == pytest.approx(float(res["cost_eur_per_yr"]), rel=1e-6)
    # the grid differs between years, so cost and emissions do too
    assert table["cost_eur_per_yr"].nunique() == 4
    assert table["emissions_t_per_yr"].std() > 0
    assert list(table["price_kind"]) == ["generated", "real", "generated", "generated"]
    s = spread(table)
    assert s["cost_eur_per_yr"]["range"] > 0
    save(table, tmp_path)
    assert (tmp_path / "robustness.csv").exists() and (tmp_path / "robustness.json").exists()
    assert len(markdown(table)) == 2 + 4 + 1


def test_a_year_that_breaks_a_limit_is_reported_with_the_reason(solved):
    """Cap emissions between the cleanest and the dirtiest year of the same design: the
    years above the cap cannot run the fixed design and say which limit breaks."""
    loaded, res = solved
    free = robustness(loaded, res).set_index("data_year")["emissions_t_per_yr"]
    cap = 0.5 * (free.min() + free.max())
    capped = scenario_from_dict({**SCENARIO, "emissions_cap_t_per_yr": float(cap)})
    table = robustness(capped, res).set_index("data_year")
    for year, emissions in free.items():
        if emissions <= cap:
            assert table.loc[year, "status"] == "optimal", year
        else:
            assert np.isnan(table.loc[year, "cost_eur_per_yr"]), year
            assert "emissions cap" in table.loc[year, "reason"], table.loc[year, "reason"]
    assert (free > cap).any() and (free <= cap).any()


def test_report_shows_the_robustness_table(solved, tmp_path):
    from greendc.report.build import write_report
    from greendc.results import save_results

    loaded, res = solved
    save_results(res, tmp_path)
    save(robustness(loaded, res, years=[2018, 2019]), tmp_path)
    html = write_report(tmp_path).read_text()
    assert 'id="robustness-table"' in html and "2019" in html
    assert "Robustness across grid data years" in (tmp_path / "report.md").read_text()


def test_save_replaces_both_files_at_once_or_neither(solved, tmp_path, monkeypatch):
    """A write that fails half-way (here: the JSON file) leaves the earlier pair untouched,
    never a new robustness.csv beside an old robustness.json."""
    import pathlib

    loaded, res = solved
    table = robustness(loaded, res, [2018])
    save(table, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    changed = table.assign(cost_eur_per_yr=table["cost_eur_per_yr"] + 1.0)

    write_text = pathlib.Path.write_text

    def broken(path, *args, **kwargs):  # the JSON file cannot be written
        if "robustness" in path.name and "json" in path.name:
            raise OSError("disk full")
        return write_text(path, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "write_text", broken)
    with pytest.raises(OSError, match="disk full"):
        save(changed, tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
