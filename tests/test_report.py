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
                "battery_mw", "heat_pump_mw", "heat_sold_mwh", "cost_eur_per_year",
                "emissions_t_per_year", "mean_pue", "solver"):
        assert key in info
    assert set(info["emissions_t_per_year"]) >= {"operational", "embodied", "total"}
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
