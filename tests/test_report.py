"""Report generation: files exist and the HTML holds the design table and the figures."""

from __future__ import annotations

import pytest

from greendc.report import write_report
from greendc.results import save_results, summary
from tests.conftest import solve_tiny, tiny_inputs


def test_report_files_and_design_table(tmp_path):
    inputs = tiny_inputs(hours=48)
    _, res, _ = solve_tiny(inputs)
    res["candidate_pue"] = inputs["pue"]
    res.attrs.update(scenario="tiny", solver_status="optimal", solver_mip_gap=0.0,
                     solver_seconds=0.1)
    save_results(res, tmp_path)
    html = write_report(tmp_path)
    text = html.read_text()
    assert 'id="design-table"' in text and "A" in text and "imm" in text
    assert text.count("data:image/png;base64,") == 5
    for stem in ("cost", "emissions", "dispatch", "monthly", "pue"):
        assert (tmp_path / "figures" / f"{stem}.png").stat().st_size > 1000
    md = (tmp_path / "report.md").read_text()
    assert "| site | A |" in md and "| cooling | imm |" in md
    assert "Not proven optimal" not in text


def test_results_files_are_written_atomically(tmp_path):
    _, res, _ = solve_tiny(tiny_inputs())
    res.attrs.update(solver_status="time_limit", solver_mip_gap=0.01, solver_seconds=1.0)
    save_results(res, tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["csv", "results.nc", "summary.json"]
    info = summary(res)
    assert info["solver"]["proven_optimal"] is False
    for key in ("site", "cooling", "servers", "ppa_solar_mw", "ppa_wind_mw", "battery_mwh",
                "battery_mw", "heat_pump_mw", "heat_sold_mwh_per_yr", "cost_eur_per_yr",
                "emissions_t_per_yr", "mean_pue", "solver"):
        assert key in info
    assert set(info["emissions_t_per_yr"]) >= {"operational", "embodied", "total"}
    assert info["mean_pue"] == pytest.approx(1.1)


def test_batch_report_compares_the_cases(tmp_path):
    import pandas as pd

    from greendc.report import write_report

    pd.DataFrame({
        "case_id": ["a1", "b2", "c3"], "name": ["low", "high", "broken"],
        "status": ["optimal", "optimal", "infeasible"], "reason": ["", "", "grid too small"],
        "site": ["se-stockholm", "fr-essonne", ""], "cooling": ["direct_liquid", "immersion", ""],
        "cost_eur_per_yr": [8.1e7, 8.4e7, ""], "emissions_t_per_yr": [4500, 5200, ""],
        "cfe_share": [0.97, 0.93, ""],
    }).to_csv(tmp_path / "cases.csv", index=False)
    html = write_report(tmp_path).read_text()
    assert "greendc batch" in html and "data:image/png;base64," in html
    assert "grid too small" in html and "84.0" in html
    assert (tmp_path / "figures" / "batch_comparison.png").exists()


def test_scenario_name_is_escaped_in_the_html_and_markdown(tmp_path):
    """A scenario name is text: markup in it must not reach the report as markup."""
    _, res, _ = solve_tiny(tiny_inputs(hours=24))
    res.attrs.update(scenario="<script>alert(1)</script>", solver_status="optimal",
                     solver_mip_gap=0.0, solver_seconds=0.1)
    save_results(res, tmp_path)
    html = write_report(tmp_path).read_text()
    md = (tmp_path / "report.md").read_text()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in md


def test_a_second_report_leaves_no_stale_figure(tmp_path):
    """Figures of an earlier report (here: the Pareto front, whose front.nc is gone) vanish."""
    _, res, _ = solve_tiny(tiny_inputs(hours=24))
    res.attrs.update(scenario="tiny", solver_status="optimal", solver_mip_gap=0.0,
                     solver_seconds=0.1)
    save_results(res, tmp_path)
    write_report(tmp_path)
    (tmp_path / "figures" / "pareto.png").write_bytes(b"figure of an earlier report")
    write_report(tmp_path)
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == [
        "cost.png", "dispatch.png", "emissions.png", "monthly.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "csv", "figures", "report.html", "report.md", "results.nc", "summary.json"]


def test_report_templates_are_files_rendered_from_one_model():
    """HTML and Markdown come from template files of the package, HTML autoescaped."""
    from greendc.report.build import ENV

    names = ENV.list_templates()
    assert {"report.html.j2", "report.md.j2"} <= set(names)
    assert ENV.get_template("report.html.j2").render(
        report=_Report("<b>x</b>")).count("&lt;b&gt;x&lt;/b&gt;") == 2


def _Report(title):
    from greendc.report.build import Report

    return Report(title=title)


def test_energy_balance_of_a_short_horizon_shows_the_modelled_energy():
    """48 modelled hours: the bars add up to the energy modelled (sum of MW x 1 h), not to an
    annualised figure (x 8760 / 48) piled into one month; one bar per day."""
    from greendc.report import plots

    inputs = tiny_inputs(hours=48)
    _, res, _ = solve_tiny(inputs)
    fig = plots.monthly_energy_balance(res)
    ax = fig.axes[0]
    grid = next(c for c in ax.containers if c.get_label() == "grid")
    assert len(grid.patches) == 2
    modelled_mwh = float(res["grid_import_mw"].sel(site="A").sum())
    assert sum(p.get_height() for p in grid.patches) == pytest.approx(modelled_mwh)
    assert "not annualised" in ax.get_title()


def test_dispatch_leaves_out_empty_battery_and_heat_panels():
    from greendc.report import plots

    _, res, _ = solve_tiny(tiny_inputs(hours=48))
    assert float(abs(res["battery_charge_mw"]).sum()) == 0.0
    assert float(res["heat_export_mw_th"].sum()) == 0.0
    titles = [ax.get_title() for ax in plots.dispatch_heatmaps(res).axes if ax.get_title()]
    assert titles == ["grid import [MW]", "solar/wind used [MW]"]


def test_dispatch_shows_the_hourly_it_power_of_a_flexible_load():
    from greendc.report import plots
    import numpy as np

    from tests.formulation.test_flexible import flex_inputs

    _, res, _ = solve_tiny(flex_inputs(1.0, [10, 30] * 24, hours=48))
    axes = [ax for ax in plots.dispatch_heatmaps(res).axes if ax.get_title()]
    assert axes[-1].get_title() == "IT power (flexible training) [MW]"
    image = np.ma.filled(axes[-1].images[0].get_array(), np.nan)
    assert image[0, :2].tolist() == [6.0, 0.0]  # training in the cheap hours of day 1


def test_pue_curves_of_two_sites_differ_in_style_and_label():
    from greendc.report import plots

    inputs = tiny_inputs(hours=24, sites=["A", "B"])
    res = inputs[["pue"]].rename(pue="candidate_pue")
    lines = plots.pue_duration_curves(res).axes[0].get_lines()
    assert len(lines) == 2
    assert lines[0].get_linestyle() != lines[1].get_linestyle()
    assert lines[0].get_marker() != lines[1].get_marker()
    assert "mean" in lines[0].get_label() and lines[0].get_label() != lines[1].get_label()


def test_batch_bars_carry_their_values():
    import pandas as pd

    from greendc.report import plots

    cases = pd.DataFrame({"name": ["low", "high"], "status": ["optimal", "optimal"],
                          "site": ["se", "fr"], "cooling": ["dl", "imm"],
                          "cost_eur_per_yr": [8.1e7, 8.4e7], "emissions_t_per_yr": [4500, 15200]})
    fig = plots.batch_comparison(cases)
    texts = {t.get_text() for ax in fig.axes for t in ax.texts}
    assert {"81.00", "84.00", "4,500", "15,200"} <= texts


def test_dispatch_columns_are_the_utc_hour_of_day():
    """A horizon starting at 16:00 UTC: its first hour is drawn in column 16 of the first
    day (it used to be drawn in column 0, labelled hour 0)."""
    import numpy as np
    import pandas as pd

    from greendc.report import plots

    _, res, _ = solve_tiny(tiny_inputs(hours=48))
    res = res.assign_coords(time=pd.date_range("2018-06-16 16:00", periods=48, freq="h"))
    image = np.ma.filled(plots.dispatch_heatmaps(res).axes[0].images[0].get_array(), np.nan)
    grid = res["grid_import_mw"].sel(site="A").values
    assert image.shape == (3, 24)
    assert np.isnan(image[0, :16]).all() and image[0, 16] == pytest.approx(grid[0])
    assert image[1, 0] == pytest.approx(grid[8]) and np.isnan(image[2, 16:]).all()
