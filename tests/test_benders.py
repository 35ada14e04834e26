"""The design/dispatch decomposition (greendc.benders, greendc.search) against hand-solved
optima and the monolithic MILP (its twin on the same inputs)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from greendc.benders import Decomposition, design_columns
from greendc.formulation import DESIGN_COMPONENTS, PEAK_SIZED_COMPONENTS, build_model
from greendc.search import compiled_decomposition, search, site_lp
from greendc.solve import HighsModel, SolverSettings, basis_shape
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
    _, value, slope, _ = d.dispatch(x_best)
    rng = np.random.default_rng(0)
    for _ in range(20):
        x = x_best.copy()
        x[cols] = rng.uniform(0.0, 5.0, len(cols))
        _, other, _, _ = d.dispatch(x)
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
    """A 50 % CFE target with a wind PPA as the only clean supply: a first design without
    PPA (nothing built) cannot be operated, the fixed-design LP is infeasible, the elastic
    dispatch gives a valid cut and the loop still reaches the MILP's optimum."""
    inputs = tiny_inputs(sites=["A"], min_cfe_share=0.5,
                         capacity_factor=[[[0.0] * 4, [1.0] * 4]],
                         supply_potential_mw=[[0.0, 10.0]],
                         strike_eur_per_mwh=[[0.0, 30.0]]).sel(cooling=["imm"])
    mono = solve_inputs(SPEC, inputs)
    _, _, d = decomposition(inputs)
    first = np.zeros(len(d.design))
    status, value, slope, _ = d.dispatch(first)
    assert value is None and status.status == "infeasible"
    result = d.solve(warm=np.zeros(d.n))
    assert result.elastic >= 1
    assert result.status == "optimal"
    assert result.upper == pytest.approx(mono.status.objective, rel=1e-7)


@pytest.mark.parametrize("weight", [1.0, 2.0])
def test_a_master_emptied_by_its_tolerances_keeps_the_design_found(monkeypatch, weight):
    """Once a design has been operated, a master found empty (at full year: near a
    candidate's lowest emissions, after many near-parallel feasibility cuts) cannot be so in
    exact arithmetic: the decomposition keeps that design and its bounds, and does not
    report the candidate infeasible. Emptied here by an impossible row (0 >= 1) after the
    first cut; the LP relaxation's design, evaluated first, is the optimum 250 + 88 w."""
    _, _, d = decomposition(tiny_inputs(sites=["A"], weight=weight), "imm")
    real = Decomposition._add

    def add(self, mh, kind, cut):
        real(self, mh, kind, cut)
        mh.addRow(1.0, math.inf, 0, np.array([], dtype=np.int32), np.array([]))

    monkeypatch.setattr(Decomposition, "_add", add)
    result = d.solve()
    assert result.status == "optimal" and result.x is not None
    assert result.upper == pytest.approx(250 + 88 * weight, rel=1e-7)
    assert "numerical" in result.message


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


def solar_case(weight: float = 1.0):
    """tests/test_pareto.py's tiny front at site A, immersion: a solar PPA (capacity factor
    0.5, 40 EUR/MWh, up to 10 MW, no life-cycle emissions). With s MW of solar, at step weight
    1: cost = 338 + 60 s EUR, emissions = 0.88 - 0.2 s tCO2e (both scale with the weight)."""
    cf = np.zeros((1, 2, 4))
    cf[0, 0, :] = 0.5
    return tiny_inputs(sites=["A"], weight=weight, capacity_factor=cf,
                       strike_eur_per_mwh=[[40.0, 0.0]],
                       supply_potential_mw=[[10.0, 0.0]]).sel(cooling=["imm"])


def bounded(weight: float):
    m, hm, d = decomposition(solar_case(weight))
    col = hm.column(m.emissions_t_co2)
    solar = next(i for i, j in enumerate(d.design)
                 if hm.columns[j].parent_component().local_name == "supply_mw"
                 and hm.columns[j].index()[1] == "solar")
    return m, hm, d, col, solar


@pytest.mark.parametrize("weight", [1.0, 2.0])
def test_a_design_above_epsilon_gets_an_exact_feasibility_cut(weight):
    """epsilon = 0.44 w t: the design without solar emits 0.88 w t. The LP min emissions at
    that design gives e = 0.88 w and a slope of -0.2 w t per MW of solar, so the cut
    0.88 w - 0.2 w s <= 0.44 w is s >= 2.2 MW: exactly the feasible designs."""
    m, hm, d, col, solar = bounded(weight)
    cheapest = d.solve().x[d.design]  # one g2 node, no solar
    assert cheapest[solar] == pytest.approx(0.0, abs=1e-9)
    d.bound_column(col, 0.44 * weight)
    x = d.dispatch(cheapest)
    assert x[1] is None and x[0].status == "infeasible"
    _, (value, slope) = d._feasibility_cut(cheapest)
    assert value == pytest.approx(0.88 * weight, rel=1e-7)
    assert slope[solar] == pytest.approx(-0.2 * weight, rel=1e-7)
    # the bound and the objective of the dispatch are restored afterwards
    assert hm.highs.getLp().col_upper_[col] == pytest.approx(0.44 * weight)
    np.testing.assert_array_equal(np.array(hm.highs.getLp().col_cost_)[:d.n], d.costs)


@pytest.mark.parametrize("weight", [1.0, 2.0])
def test_cut_pools_carry_over_to_tighter_epsilons(weight):
    """Loose to tight, one decomposition: 0.66 w t then 0.44 w t cost 404 w' and 470 w'
    (s = 1.1 and 2.2 MW; w' scales the energy part: 250 + 88 w + 60 w s). The second solve
    starts from the first one's cuts (no LP relaxation) and every lower bound stays below the
    optimum; a looser epsilon drops the optimality cuts, not the feasibility ones."""
    m, hm, d, col, solar = bounded(weight)
    results = []
    for eps, s in ((0.66, 1.1), (0.44, 2.2)):
        d.bound_column(col, eps * weight)
        before = len(d.cuts)
        result = d.solve(warm=None if not results else results[-1].x)
        assert result.status == "optimal"
        assert result.upper == pytest.approx(250 + 88 * weight + 60 * weight * s, rel=1e-7)
        assert all(low <= result.upper * (1 + 1e-9) for low, _ in result.history)
        assert len(d.cuts) > before
        results.append(result)
    assert results[1].lower >= results[0].upper * (1 - 1e-9)  # the pool's bound carried over
    kept = len(d.feasibility)
    d.bound_column(col, 0.88 * weight)
    assert d.cuts == [] and len(d.feasibility) == kept
    assert d.solve().upper == pytest.approx(250 + 88 * weight, rel=1e-7)


@pytest.mark.parametrize("weight", [1.0, 2.0])
def test_a_site_lp_from_another_sites_basis_equals_its_cold_lp(weight):
    """Phase 1 starts a site from another site's LP basis of the same model shape (other
    data): each cooling's bound and start are those of the site's cold LP; a basis of another
    shape is never used (the LP is solved cold)."""
    inputs = tiny_inputs(weight=weight, grid_cost_eur_per_mwh=[[30] * 4, [20] * 4])
    spec = ModelSpec("cost", "emissions", None, SolverSettings(mip_rel_gap=1e-9))
    _, basis = site_lp(spec, inputs.sel(site=["A"]))
    assert basis is not None
    cold, _ = site_lp(spec, inputs.sel(site=["B"]))
    warm, _ = site_lp(spec, inputs.sel(site=["B"]), bases={basis_shape(basis): basis})
    other = (basis[0][:-1], basis[1])
    other_shape, _ = site_lp(spec, inputs.sel(site=["B"]), bases={basis_shape(other): other})
    for lps in (warm, other_shape):
        assert lps.keys() == cold.keys()
        for c, (bound, _) in cold.items():
            assert lps[c][0].status == bound.status
            assert lps[c][0].value == pytest.approx(bound.value, rel=1e-9)
    _, hm, _ = compiled_decomposition(spec, inputs.sel(site=["B"]))
    assert not hm.set_basis((basis[0][:-1], basis[1]))
    assert hm.set_basis(basis)


@pytest.mark.parametrize("weight", [1.0, 2.0])
def test_rows_implied_through_operation_bounds_keep_master_designs_operable(weight):
    """Battery-only backup of 1 h on the tiny case (tests/formulation/test_continuity.py:
    battery 1 EUR/MW/yr and 50 EUR/MWh/yr, optimum base + 112.2 EUR with a 2.2 MWh reserve).
    The hourly rows soc[t] <= battery_mwh - battery_reserve_mwh with soc[t] >= 0 imply the
    design row battery_reserve_mwh - battery_mwh <= 0, the one row the master gets from
    them. Without it a master started from a floor reserves energy in a battery it does not
    build, which no dispatch can run (an elastic LP per such design)."""
    from tests.formulation.test_continuity import BASE, with_continuity

    inputs = with_continuity(tiny_inputs(sites=["A"], weight=weight,
                                         battery_power_cost_eur_per_mw_yr=1.0,
                                         battery_energy_cost_eur_per_mwh_yr=50.0),
                             battery=1).sel(cooling=["imm"])
    m, hm, d = decomposition(inputs)
    matrix, lower, upper = d.implied
    names = [hm.columns[j].name for j in d.design]
    assert matrix.shape[0] == 1
    assert {names[i]: v for i, v in zip(matrix.indices, matrix.data)} == {
        "battery_mwh[A]": -1.0, "battery_reserve_mwh[A]": 1.0}
    assert (lower[0], upper[0]) == (-math.inf, 0.0)
    result = d.solve(floor=0.0)
    assert result.status == "optimal"
    assert result.upper == pytest.approx(BASE[weight] + 112.2, rel=1e-7)
    assert result.elastic == 0


@pytest.mark.parametrize("weight", [1.0, 2.0])
def test_a_cooling_a_site_does_not_allow_is_fixed_off_in_its_model(weight):
    """Immersion at A (the tiny case's winner, 250 + 88 w EUR) left out of the candidates:
    the search builds A's model with every cooling (one shape for every site's model) and
    fixes immersion off there; it finds the optimum of the monolithic MILP in which that
    pair is beyond its climate limit."""
    mono = solve_inputs(SPEC, tiny_inputs(weight=weight,
                                          climate_limit_hours=[[0, 0, 5], [0, 0, 0]]))
    assert float(mono.results["cost_eur_per_yr"]) > 250 + 88 * weight + 1.0
    combos = [(s, c) for s in SITES for c in COOLINGS if (s, c) != ("A", COOLINGS[2])]
    best, table, gap = search(tiny_inputs(weight=weight), SPEC, combos, workers=1)
    assert best.status.objective == pytest.approx(mono.status.objective, rel=1e-7)
    assert float(best.results["cooling_chosen"].sel(site="A", cooling=COOLINGS[2])) == 0.0
    assert int(best.results["nodes"].sum()) == int(mono.results["nodes"].sum())
    assert gap <= 1e-7


@pytest.mark.parametrize("weight", [1.0, 2.0])
def test_a_design_above_epsilon_is_cut_without_a_fixed_design_lp(weight):
    """Bounded at 0.44 w t from the pool of the unbounded solve: the master's first design
    (no solar, 0.88 w t) is checked by the LP of its minimum emissions and cut off at once;
    no fixed-design LP is spent on a design that cannot meet epsilon (at full year one takes
    about 30 s to prove what the 0.5 s check shows). Optimum 250 + 88 w + 60 w x 2.2."""
    m, hm, d, col, solar = bounded(weight)
    d.solve()
    d.bound_column(col, 0.44 * weight)
    fixed = []
    real = d.dispatch

    def recording(x_hat):
        out = real(x_hat)
        fixed.append(out[0].status)
        return out

    d.dispatch = recording
    result = d.solve()
    assert result.status == "optimal" and result.feasibility >= 1
    assert result.upper == pytest.approx(250 + 88 * weight + 132 * weight, rel=1e-7)
    assert fixed and set(fixed) == {"optimal"}
