"""Pareto front on a tiny case whose front is known on paper.

Tiny case (tests/conftest.py) + a solar PPA at A only: capacity factor 0.5 in every hour,
strike 40 EUR/MWh, up to 10 MW, no life-cycle emissions. With s MW of solar at A (g2, imm,
2.2 MW facility, 4 h): cost = 338 + 60 s, emissions = 0.88 - 0.2 s  ->  cost = 338 + 300 (0.88 - e).
B (no solar) costs 426 at 0.44 t. Front at e = 0.88, 0.66, 0.44, 0.22, 0:
A 338 | A 404 | B 426 (A would cost 470) | A 536 | A 602.
"""

from __future__ import annotations

import numpy as np
import pytest

from greendc.pareto import pareto_front
from greendc.scenario import scenario_from_dict
from greendc.study import Study
from tests.conftest import solve_tiny, tiny_inputs

EXPECTED_COST = [338.0, 404.0, 426.0, 536.0, 602.0]
EXPECTED_EMIS = [0.88, 0.66, 0.44, 0.22, 0.0]


def front_study(max_sites: int = 1) -> Study:
    cf = np.zeros((2, 2, 4))
    cf[0, 0, :] = 0.5
    inputs = tiny_inputs(capacity_factor=cf, strike_eur_per_mwh=[[40.0, 0.0], [0.0, 0.0]],
                         supply_potential_mw=[[10.0, 0.0], [0.0, 0.0]], max_sites=max_sites)
    inputs.attrs["scenario_hash"] = "tiny"
    loaded = scenario_from_dict({"name": "tiny", "sites": ["A", "B"], "max_sites": max_sites,
                                 "compute": {"required_pflops": 3},
                                 "solver": {"mip_rel_gap": 1e-9, "workers": 1}})
    return Study(loaded=loaded, catalogue=None, sites={}, inputs=inputs)


@pytest.fixture(scope="module")
def front():
    return pareto_front(front_study(), points=5)


def test_front_matches_the_paper_front(front):
    np.testing.assert_allclose(front["cost_eur_per_yr"].values, EXPECTED_COST, rtol=1e-6)
    np.testing.assert_allclose(front["emissions_t_per_yr"].values, EXPECTED_EMIS, atol=1e-5)
    assert front["site"].values.tolist() == ["A", "A", "B", "A", "A"]


def test_every_point_is_non_dominated(front):
    assert not front["dominated"].any()
    assert not front["duplicate"].any()
    cost, emis = front["cost_eur_per_yr"].values, front["emissions_t_per_yr"].values
    for i in range(len(cost)):
        others = [(c, e) for j, (c, e) in enumerate(zip(cost, emis)) if j != i]
        assert not any(c <= cost[i] and e <= emis[i] and (c, e) != (cost[i], emis[i])
                       for c, e in others)


def test_end_points_equal_single_objective_optima(front):
    _, cheapest, _ = solve_tiny(front_study().inputs, objective="cost")
    _, cleanest, _ = solve_tiny(front_study().inputs, objective="emissions")
    assert front["cost_eur_per_yr"][0] == pytest.approx(float(cheapest["cost_eur_per_yr"]))
    assert front["emissions_t_per_yr"][-1] == pytest.approx(
        float(cleanest["emissions_t_per_yr"]), abs=1e-5)


def test_cost_non_decreasing_as_bound_tightens(front):
    cost = front["cost_eur_per_yr"].values
    assert np.all(np.diff(cost) >= -1e-9)
    assert np.all(np.diff(front["epsilon_t_per_yr"].values) <= 1e-12)


def test_abatement_cost_between_neighbours(front):
    """A 338 -> 404 for 0.22 t: 300 EUR/t; A 404 -> B 426 for 0.22 t: 100 EUR/t."""
    abatement = front["abatement_cost_eur_per_t"].values
    assert np.isnan(abatement[0])
    np.testing.assert_allclose(abatement[1:3], [300.0, 100.0], rtol=1e-4)


def test_persistent_re_solve_equals_rebuilding(front):
    rebuilt = pareto_front(front_study(), points=5, persistent=False)
    np.testing.assert_allclose(rebuilt["cost_eur_per_yr"].values, front["cost_eur_per_yr"].values,
                               rtol=1e-9)
    np.testing.assert_allclose(rebuilt["emissions_t_per_yr"].values,
                               front["emissions_t_per_yr"].values, atol=1e-9)


def test_monolithic_front_equals_decomposed_front(front):
    """max_sites 2 switches to one model over both sites: same front (one site suffices)."""
    mono = pareto_front(front_study(max_sites=2), points=5)
    np.testing.assert_allclose(mono["cost_eur_per_yr"].values, EXPECTED_COST, rtol=1e-6)
