"""The design/dispatch decomposition (greendc.benders, greendc.search) against hand-solved
optima and the monolithic MILP (its twin on the same inputs)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from greendc.benders import Decomposition, design_columns
from greendc.formulation import DESIGN_COMPONENTS, PEAK_SIZED_COMPONENTS, build_model
from greendc.search import search
from greendc.solve import HighsModel, SolverSettings
from greendc.study import ModelSpec, solve_inputs
from greendc.typical import DESIGN
from tests.conftest import COOLINGS, SITES, tiny_inputs
from tests.test_decomposition import CASES as DECOMPOSITION_CASES

GAP = 1e-9
SPEC = ModelSpec("cost", "emissions", None, SolverSettings(mip_rel_gap=GAP))
MASTER = DESIGN_COMPONENTS - PEAK_SIZED_COMPONENTS


def decomposition(inputs, cooling: str | None = None):
    m = build_model(inputs)
    hm = HighsModel(m, SPEC.settings)
    d = Decomposition(hm, design_columns(hm, MASTER), GAP)
    if cooling is not None:
        for s in inputs.site.values:
            for c in inputs.cooling.values:
                on = float(str(c) == cooling)
                d.set_column_bounds(hm.column(m.cool[str(s), str(c)]), on, on)
    return m, hm, d


def test_every_design_variable_of_the_reevaluation_is_a_design_component():
    """One role marking: what a re-evaluation fixes is what the master decides (plus the
    IT power and the battery's backup reserve, which follow from it)."""
    assert set(DESIGN.values()) <= DESIGN_COMPONENTS
    assert PEAK_SIZED_COMPONENTS <= DESIGN_COMPONENTS


@pytest.mark.parametrize("weight", [1.0, 2.0])
def test_hand_solved_tiny_optimum(weight):
    """Site A, immersion (PUE 1.1), 3 PFLOP/s: one g2 node (2 MW, 250 EUR/yr) beats three
    g1 (300 EUR/yr); energy 2 MW x 1.1 x 4 h x 10 EUR/MWh x weight: 338 EUR (weight 1),
    250 + 176 = 426 EUR (weight 2)."""
    m, hm, d = decomposition(tiny_inputs(sites=["A"], weight=weight), "imm")
    result = d.solve()
    assert result.status == "optimal"
    assert result.upper == pytest.approx(250 + 88 * weight, rel=1e-9)
    assert result.lower <= result.upper + 1e-9
    hm.restore(result.x)
    hm.load_solution()
    assert round(m.nodes["A", "imm", "g2"].value) == 1
    assert round(m.nodes["A", "imm", "g1"].value) == 0


def battery_case(weight: float = 1.0):
    """Grid price 10/50/10/50 EUR/MWh at A: a battery (cheap here) shifts energy."""
    return tiny_inputs(sites=["A"], weight=weight,
                       grid_cost_eur_per_mwh=[[10.0, 50.0, 10.0, 50.0]],
                       battery_energy_cost_eur_per_mwh_yr=5.0,
                       battery_power_cost_eur_per_mw_yr=5.0)


@pytest.mark.parametrize("weight", [1.0, 2.0])
def test_cuts_are_valid_lower_estimates_of_the_dispatch_cost(weight):
    """The optimality cut at x^ (dispatch value and reduced costs of the fixed design) never
    lies above the dispatch value at another design (convexity of the LP value function),
    checked at 20 random battery sizes around the first design."""
    m, hm, d = decomposition(battery_case(weight), "imm")
    result = d.solve()
    x_best = result.x[d.design]
    cols = [i for i, j in enumerate(d.design) if hm.columns[j].parent_component().local_name
            in ("battery_mwh", "battery_mw")]
    _, value, slope, _ = d._fixed(x_best)
    rng = np.random.default_rng(0)
    for _ in range(20):
        x = x_best.copy()
        x[cols] = rng.uniform(0.0, 5.0, len(cols))
        _, other, _, _ = d._fixed(x)
        assert other >= value + slope @ (x - x_best) - 1e-7 * max(abs(other), 1.0)


@pytest.mark.parametrize("weight", [1.0, 2.0])
def test_battery_case_equals_the_milp(weight):
    inputs = battery_case(weight)
    mono = solve_inputs(SPEC, inputs.sel(cooling=["imm"]))
    _, _, d = decomposition(inputs.sel(cooling=["imm"]))
    result = d.solve()
    assert result.status == "optimal"
    assert result.upper == pytest.approx(mono.status.objective, rel=1e-7)


def test_a_design_that_cannot_run_gets_an_elastic_cut():
    """A 50 % CFE target with a wind PPA as the only clean supply: the master's first design
    (no PPA) cannot be operated, the fixed-design LP is infeasible, the elastic dispatch
    gives a valid cut and the loop still reaches the MILP's optimum."""
    inputs = tiny_inputs(sites=["A"], min_cfe_share=0.5,
                         capacity_factor=[[[0.0] * 4, [1.0] * 4]],
                         supply_potential_mw=[[0.0, 10.0]],
                         strike_eur_per_mwh=[[0.0, 30.0]]).sel(cooling=["imm"])
    mono = solve_inputs(SPEC, inputs)
    _, _, d = decomposition(inputs)
    first = np.zeros(len(d.design))
    status, value, slope, _ = d._fixed(first)
    assert value is None and status.status == "infeasible"
    result = d.solve()
    assert result.elastic >= 1
    assert result.status == "optimal"
    assert result.upper == pytest.approx(mono.status.objective, rel=1e-7)


def test_cutoff_prunes_without_a_design():
    """A cutoff below the candidate's own LP bound: pruned at once, no design."""
    _, _, d = decomposition(tiny_inputs(sites=["A"]), "imm")
    result = d.solve(cutoff=100.0)
    assert result.status == "pruned" and result.x is None


CASES = {**DECOMPOSITION_CASES,  # the per-candidate MILP path's cases, and a battery
         "battery": {"grid_cost_eur_per_mwh": [[10.0, 50.0, 10.0, 50.0], [20.0] * 4],
                     "battery_energy_cost_eur_per_mwh_yr": 5.0,
                     "battery_power_cost_eur_per_mw_yr": 5.0}}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("weight", [1.0, 2.0])
def test_search_equals_the_monolithic_milp(case, weight):
    """Every (site, cooling) in one search: the monolithic MILP's objective, design and a
    proven gap; every candidate is solved, pruned or infeasible."""
    inputs = tiny_inputs(weight=weight, **CASES[case])
    mono = solve_inputs(SPEC, inputs)
    combos = [(s, c) for s in SITES for c in COOLINGS]
    best, table, gap = search(inputs, SPEC, combos, workers=1)
    assert best.status.objective == pytest.approx(mono.status.objective, rel=1e-7)
    assert float(best.results["cost_eur_per_yr"]) == pytest.approx(
        float(mono.results["cost_eur_per_yr"]), rel=1e-7)
    assert int(best.results["nodes"].sum()) == int(mono.results["nodes"].sum())
    assert gap <= 1e-7
    assert set(table["candidate_status"].values.ravel()) <= {
        "optimal", "pruned_by_bound", "infeasible", "excluded"}
    assert math.isfinite(float(table["candidate_lower_bound"].min()))
