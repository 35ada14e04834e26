"""``greendc.statistics``: tidy KPI tables of results and fronts."""

from __future__ import annotations

import pandas as pd
import pytest

import greendc
from greendc.pareto import pareto_front
from tests.conftest import solve_tiny, tiny_inputs
from tests.test_pareto import front_study


def test_statistics_of_results_is_a_tidy_table_with_units():
    """Base tiny case: cost 338 EUR/yr (250 servers + 88 grid)."""
    _, res, _ = solve_tiny(tiny_inputs())
    table = greendc.statistics(res)
    assert isinstance(table, pd.DataFrame) and table.index.name == "kpi"
    assert list(table.columns) == ["value", "units", "description"]
    assert table.loc["cost_eur_per_yr", "value"] == pytest.approx(338.0)
    assert table.loc["cost_eur_per_yr", "units"] == "EUR/yr"
    assert table.loc["cost_servers_eur_per_yr", "value"] == pytest.approx(250.0)
    assert (table["units"] != "").all()


def test_statistics_of_a_front_has_one_row_per_point_and_kpi():
    front = pareto_front(front_study(), points=3)
    table = greendc.statistics(front)
    wide = table.pivot(index="point", columns="kpi", values="value")
    assert wide.shape[0] == 3
    assert wide["cost_eur_per_yr"].iloc[0] == pytest.approx(338.0, rel=1e-5)
    units = dict(zip(table["kpi"], table["units"]))
    assert units["co2_shadow_price_eur_per_t"] == "EUR/tCO2e"


def test_statistics_refuses_other_objects():
    with pytest.raises(TypeError, match="xarray.Dataset"):
        greendc.statistics({"cost": 1})
