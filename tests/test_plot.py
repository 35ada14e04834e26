"""``greendc.plot.front``: a front on a caller's matplotlib axis."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import greendc  # noqa: E402
from greendc.pareto import pareto_front  # noqa: E402
from tests.test_pareto import front_study  # noqa: E402


@pytest.fixture(scope="module")
def front():
    return pareto_front(front_study(), points=3, caps=[0.5])


def test_front_draws_cost_against_emissions_with_units(front):
    ax = greendc.plot.front(front)
    line = ax.lines[0]
    np.testing.assert_allclose(line.get_xdata(), front["emissions_t_per_yr"].values)
    np.testing.assert_allclose(line.get_ydata(), front["cost_eur_per_yr"].values / 1e6)
    assert ax.get_xlabel() == "emissions [tCO2e/yr]"
    assert ax.get_ylabel() == "annual cost [M EUR/yr]"
    assert any(t.get_text() == "A/imm" for t in ax.texts)
    vertical = [ln for ln in ax.lines if len(set(ln.get_xdata())) == 1]
    assert [float(v.get_xdata()[0]) for v in vertical] == [0.5]  # the user's cap
    plt.close(ax.figure)


def test_two_fronts_on_one_axis_are_distinguishable(front):
    _, ax = plt.subplots()
    greendc.plot.front(front, ax=ax, label="a")
    greendc.plot.front(front, ax=ax, label="b", annotate=False)
    data = [ln for ln in ax.lines if ln.get_label() in ("a", "b")]
    assert data[0].get_color() != data[1].get_color()
    assert data[0].get_marker() != data[1].get_marker()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]
    plt.close(ax.figure)


def test_front_refuses_a_results_dataset():
    from tests.conftest import solve_tiny, tiny_inputs

    _, res, _ = solve_tiny(tiny_inputs())
    with pytest.raises(ValueError, match="pareto_front"):
        greendc.plot.front(res)
