"""Decomposition over (site, cooling) returns the monolithic optimum."""

from __future__ import annotations

import pytest

from greendc.solve import SolverSettings
from greendc.study import ModelSpec, solve_decomposed, solve_inputs
from tests.conftest import COOLINGS, SITES, tiny_inputs

CASES = {
    "base": {},
    "floor": {"floor_area_m2": [0.5, 1e4]},
    "rack": {"nodes_per_rack": [[1, 1, 1], [1, 1, 0]]},
    "hardware": {"max_non_eu_hardware_share": 0.0, "grid_cost_eur_per_mwh": [[30] * 4, [20] * 4]},
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("objective", ["cost", "emissions"])
def test_decomposition_equals_monolithic(case, objective):
    inputs = tiny_inputs(**CASES[case])
    spec = ModelSpec(objective=objective, cap_scope="emissions", cap_t_co2=None,
                     settings=SolverSettings(mip_rel_gap=1e-9))
    mono = solve_inputs(spec, inputs)
    combos = [(s, c) for s in SITES for c in COOLINGS]
    best, table, gap = solve_decomposed(inputs, spec, combos, workers=1)
    assert best.status.objective == pytest.approx(mono.status.objective, rel=1e-9)
    assert float(best.results["cost_eur_per_yr"]) == pytest.approx(
        float(mono.results["cost_eur_per_yr"]), rel=1e-9)
    assert gap <= 1e-9
    statuses = set(table["candidate_status"].values.ravel())
    assert statuses <= {"optimal", "pruned_by_bound", "infeasible"}


def test_decomposition_prunes_by_bound():
    """With LP bounds, only the best (site, cooling) needs its MILP: A/imm (338 EUR); every
    other combination has an LP bound above 338 and is pruned."""
    inputs = tiny_inputs()
    spec = ModelSpec("cost", "emissions", None, SolverSettings(mip_rel_gap=1e-9))
    combos = [(s, c) for s in SITES for c in COOLINGS]
    best, table, _ = solve_decomposed(inputs, spec, combos, workers=1)
    status = table["candidate_status"]
    assert str(status.sel(site="A", cooling="imm").values) == "optimal"
    assert (status == "pruned_by_bound").sum() == len(combos) - 1
    assert best.status.objective == pytest.approx(338.0)


def test_parallel_workers_give_the_same_answer():
    inputs = tiny_inputs(floor_area_m2=[0.5, 1e4])
    spec = ModelSpec("cost", "emissions", None, SolverSettings(mip_rel_gap=1e-9))
    combos = [(s, c) for s in SITES for c in COOLINGS]
    serial, _, _ = solve_decomposed(inputs, spec, combos, workers=1)
    parallel, _, _ = solve_decomposed(inputs, spec, combos, workers=2)
    assert parallel.status.objective == pytest.approx(serial.status.objective, rel=1e-12)
