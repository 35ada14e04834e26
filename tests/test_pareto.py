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
from greendc.solve import SolverSettings
from greendc.study import Study
from tests.conftest import solve_tiny, tiny_inputs

EXPECTED_COST = [338.0, 404.0, 426.0, 536.0, 602.0]
EXPECTED_EMIS = [0.88, 0.66, 0.44, 0.22, 0.0]


def front_study(max_sites: int = 1, gap: float = 1e-9, strategy: str = "auto") -> Study:
    cf = np.zeros((2, 2, 4))
    cf[0, 0, :] = 0.5
    inputs = tiny_inputs(capacity_factor=cf, strike_eur_per_mwh=[[40.0, 0.0], [0.0, 0.0]],
                         supply_potential_mw=[[10.0, 0.0], [0.0, 0.0]], max_sites=max_sites)
    inputs.attrs["scenario_hash"] = "tiny"
    loaded = scenario_from_dict({"name": "tiny", "sites": ["A", "B"], "max_sites": max_sites,
                                 "compute": {"required_pflops": 3},
                                 "solver": {"mip_rel_gap": gap, "workers": 1,
                                            "strategy": strategy}})
    return Study(loaded=loaded, catalogue=None, sites={}, inputs=inputs)


@pytest.fixture(scope="module", params=["benders", "decompose"])
def front(request):
    """The front by the decomposition (the default) and by one MILP per candidate."""
    result = pareto_front(front_study(strategy=request.param), points=5)
    assert result.attrs["front_method"] == request.param
    return result


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
    rebuilt = pareto_front(front_study(strategy=front.attrs["front_method"]), points=5,
                           persistent=False)
    np.testing.assert_allclose(rebuilt["cost_eur_per_yr"].values, front["cost_eur_per_yr"].values,
                               rtol=1e-9)
    np.testing.assert_allclose(rebuilt["emissions_t_per_yr"].values,
                               front["emissions_t_per_yr"].values, atol=1e-9)


def test_monolithic_front_equals_decomposed_front(front):
    """max_sites 2 switches to one model over both sites: same front (one site suffices)."""
    mono = pareto_front(front_study(max_sites=2), points=5)
    np.testing.assert_allclose(mono["cost_eur_per_yr"].values, EXPECTED_COST, rtol=1e-6)


@pytest.mark.parametrize("strategy", ["benders", "decompose"])
def test_points_are_solved_to_a_gap_below_the_augmentation_term(monkeypatch, strategy):
    """With the scenario's gap at 1e-2 (3.4 to 6 EUR here) the augmentation term, delta x
    cost range = 1e-4 x (602 - 338) = 0.0264 EUR, would drown in it. Every point, the two
    ends included, is solved to an absolute gap of a tenth of the term (relative gap 0), by
    the MILP and by the decomposition alike."""
    from greendc import pareto as pareto_mod

    seen = []
    sweep = pareto_mod.BendersSweep if strategy == "benders" else pareto_mod.CandidateSweep
    real = sweep.solve

    def solve(self, epsilon, weight, *args, **kwargs):
        if not weight:  # the emissions end's second stage: it only fixes the grid and lambda
            pass
        elif strategy == "benders":  # the decomposition's own stopping gap
            dec = self.decomposition
            seen.append((epsilon, SolverSettings(mip_rel_gap=dec.gap, mip_abs_gap=dec.abs_gap)))
        else:
            seen.append((epsilon, self.highs.settings))
        return real(self, epsilon, weight, *args, **kwargs)

    monkeypatch.setattr(sweep, "solve", solve)
    front = pareto_front(front_study(gap=1e-2, strategy=strategy), points=5)
    term = pareto_mod.DELTA * (602.0 - 338.0)
    assert seen and all(st.mip_abs_gap <= term / 10 * (1 + 1e-6) and st.mip_rel_gap == 0.0
                        for _, st in seen)
    eps = [e for e, _ in seen]
    assert min(eps) == pytest.approx(EXPECTED_EMIS[-1], abs=1e-5)  # the ends are re-solved
    assert max(eps) == pytest.approx(EXPECTED_EMIS[0], abs=1e-5)
    assert (front["mip_gap_eur_per_yr"].values <= term / 10 * (1 + 1e-6)).all()
    np.testing.assert_allclose(front["cost_eur_per_yr"].values, EXPECTED_COST, rtol=1e-6)


def test_no_abatement_cost_for_a_step_within_the_gap():
    """Three points 1 EUR gap each: 100 -> 100.5 EUR for 0.1 t is within the gaps (0.5 <= 2,
    "within gap", no EUR/t); 100.5 -> 110 EUR for 0.1 t is resolved: 95 EUR/t."""
    from greendc.cli import format_front
    from greendc.pareto import Point, assemble_front

    study = front_study()
    _, res, _ = solve_tiny(study.inputs)
    pts = [Point(epsilon=e, cost=c, emissions=e, results=res, candidate="A/imm",
                 status="optimal", mip_gap=1.0 / c, objective=c, bound=c - 1.0)
           for c, e in ((100.0, 1.0), (100.5, 0.9), (110.0, 0.8))]
    front = assemble_front(pts, study, "emissions")
    np.testing.assert_array_equal(front["abatement_within_gap"].values, [False, True, False])
    ab = front["abatement_cost_eur_per_t"].values
    assert np.isnan(ab[:2]).all() and ab[2] == pytest.approx(95.0)
    rows = format_front(front).splitlines()[2:]  # after the two header lines
    assert "within gap" in rows[1] and "95" in rows[2] and "within gap" not in rows[2]


def solar_at_both_study(strategy: str, weight: float) -> Study:
    """The paper front's case with a dearer solar PPA at B too (strike 70 EUR/MWh, cf 0.5):
    each MW replaces 2 MWh of grid at 20 EUR/MWh and 0.05 t/MWh, so B/imm costs
    426 + 1000 (0.44 - e). A still wins at e = 0.22 (536 against 646) and at 0 (602 against
    866), although B's cost bound from the cost end (426) is below A's cost there."""
    study = front_study(strategy=strategy)
    cf = np.zeros((2, 2, 4))
    cf[:, 0, :] = 0.5
    inputs = tiny_inputs(capacity_factor=cf, strike_eur_per_mwh=[[40.0, 0.0], [70.0, 0.0]],
                         supply_potential_mw=[[10.0, 0.0], [10.0, 0.0]], weight=weight)
    inputs.attrs["scenario_hash"] = "tiny"
    return Study(loaded=study.loaded, catalogue=None, sites={}, inputs=inputs)


@pytest.mark.parametrize("weight", [1.0, 2.0])
def test_a_candidate_whose_lp_at_epsilon_cannot_win_is_not_decomposed(monkeypatch, weight):
    """A candidate is decomposed at an epsilon only if its LP there is below the incumbent,
    although its cost bound from the cost end may be. At e = 0.22: B/imm (the previous
    point's winner, solved first: 646), A/free (LP 568), A/imm (LP 536); B/free (LP 702),
    A/air (664) and B/air (870) are not. At e = 0 only A/imm (602; A/free's LP 634). The
    front is the paper's (weight 1) and the MILP path's (weight 2: every hour counts
    twice)."""
    from greendc import pareto as pareto_mod

    decomposed = []
    real = pareto_mod.BendersSweep.solve

    def solve(self, epsilon, weight_, *args, **kwargs):
        if weight_:  # a front point, not the emissions end's second stage
            decomposed.append((self.label, epsilon))
        return real(self, epsilon, weight_, *args, **kwargs)

    monkeypatch.setattr(pareto_mod.BendersSweep, "solve", solve)
    front = pareto_front(solar_at_both_study("benders", weight), points=5)
    eps = front["epsilon_t_per_yr"].values

    def at(i):
        return {label for label, e in decomposed if e == pytest.approx(eps[i], abs=1e-9)}

    assert at(3) == {"B/imm", "A/free", "A/imm"}
    assert at(4) == {"A/imm"}
    milp = pareto_front(solar_at_both_study("decompose", weight), points=5)
    np.testing.assert_allclose(front["cost_eur_per_yr"], milp["cost_eur_per_yr"], rtol=1e-6)
    if weight == 1.0:
        np.testing.assert_allclose(front["cost_eur_per_yr"].values, EXPECTED_COST, rtol=1e-6)
        np.testing.assert_allclose(front["emissions_t_per_yr"].values, EXPECTED_EMIS,
                                   atol=1e-6)
