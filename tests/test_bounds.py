"""LP bounds (greendc.bounds), shared by the study decomposition and the Pareto front: only a
proven infeasibility prunes; a time limit (or any other unproven LP outcome) is "no bound"
(-inf), the candidate is solved, and the outcome is reported (issue 12, defect 4)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from greendc import pareto as pareto_mod
from greendc.errors import InfeasibleError, SolverError
from greendc.pareto import pareto_front
from greendc.solve import HighsModel, SolverSettings, SolveStatus
from greendc.study import ModelSpec, site_lp_bounds, solve_decomposed, solve_study
from tests.conftest import COOLINGS, SITES, tiny_inputs
from tests.test_cli import SMALL, needs_sites, output, write
from tests.test_pareto import EXPECTED_COST, EXPECTED_EMIS, front_study

COMBOS = [(s, c) for s in SITES for c in COOLINGS]
SPEC = ModelSpec("cost", "emissions", None, SolverSettings(mip_rel_gap=1e-9))


@pytest.fixture
def lp_times_out(monkeypatch):
    """Every LP relaxation stops at its time limit (deterministic stand-in for a
    ``solver.time_limit_s`` shorter than one LP): HiGHS then reports "Time limit reached"
    with a primal (not a bound) objective; MILP solves are left alone."""
    real_relax, real_solve = HighsModel.relax_integrality, HighsModel.solve

    def relax(self, flag):
        self.lp_only = bool(flag)  # on the instance: ids are reused after garbage collection
        return real_relax(self, flag)

    def solve(self):
        if getattr(self, "lp_only", False):
            return SolveStatus(status="time_limit", objective=0.0, dual_bound=0.0,
                               mip_gap=None, seconds=0.0, message="Time limit reached")
        return real_solve(self)

    monkeypatch.setattr(HighsModel, "relax_integrality", relax)
    monkeypatch.setattr(HighsModel, "solve", solve)


def test_lp_time_limit_gives_no_bound_not_infeasible(lp_times_out):
    bounds = site_lp_bounds(tiny_inputs(), SPEC, COMBOS)
    assert all(b.value == -math.inf and b.status == "time_limit" for b in bounds.values())


def test_decomposition_solves_candidates_without_bound(lp_times_out):
    """No LP bound: nothing is pruned or called infeasible, every combination is solved, and
    the optimum is still A / imm, 338 EUR (tests/conftest.py)."""
    best, table, gap = solve_decomposed(tiny_inputs(), SPEC, COMBOS)
    assert best is not None and best.status.objective == pytest.approx(338.0)
    assert set(table["candidate_status"].values.ravel()) == {"optimal"}
    assert set(table["candidate_bound_status"].values.ravel()) == {"time_limit"}
    assert np.isneginf(table["candidate_lower_bound"].values).all()
    assert gap <= 1e-9


def test_proven_infeasible_lp_still_prunes():
    """B's floor is too small for any rack: its LPs are infeasible, bound +inf, status kept."""
    inputs = tiny_inputs(floor_area_m2=[1e4, 0.5])
    bounds = site_lp_bounds(inputs, SPEC, COMBOS)
    assert all(bounds[("B", c)].infeasible for c in COOLINGS)
    assert all(bounds[("A", c)].known for c in COOLINGS)
    _, table, _ = solve_decomposed(inputs, SPEC, COMBOS)
    assert (table["candidate_status"].sel(site="B") == "infeasible").all()


def test_time_limit_everywhere_is_a_solver_error_not_infeasible():
    """A real time limit far below one LP (1 ns: HiGHS stops before the first iteration):
    no design, but nothing is proven infeasible, so the study fails with SolverError."""
    base = front_study()
    # far below the plausible range, which validation refuses: copied past it on purpose
    sc = base.scenario
    sc = sc.model_copy(update={"solver": sc.solver.model_copy(update={"time_limit_s": 1e-9})})
    study = replace(base, loaded=base.loaded.model_copy(update={"scenario": sc}))
    with pytest.raises(SolverError, match="time_limit") as info:
        solve_study(study, strategy="decompose")
    assert not isinstance(info.value, InfeasibleError)


@needs_sites
def test_cli_time_limit_does_not_diagnose_a_feasible_study(tmp_path, runner):
    from greendc.cli import EXIT_USER_ERROR, app

    result = runner.invoke(app, ["run", str(write(tmp_path, SMALL)), "--time-limit", "1e-9",
                                 "--out", str(tmp_path / "out")])
    text = output(result)
    assert result.exit_code == EXIT_USER_ERROR, text
    assert "Infeasible" not in text and "Diagnosing" not in text
    assert "time_limit" in text


@pytest.fixture
def runner():
    from typer.testing import CliRunner
    return CliRunner()


def test_front_with_unknown_lp_bounds_keeps_every_candidate(lp_times_out):
    """Without LP bounds the front by one MILP per candidate is still the paper front of
    tests/test_pareto.py (B is kept as a candidate and wins at 0.44 t)."""
    front = pareto_front(front_study(strategy="decompose"), points=5)
    np.testing.assert_allclose(front["cost_eur_per_yr"].values, EXPECTED_COST, rtol=1e-6)
    np.testing.assert_allclose(front["emissions_t_per_yr"].values, EXPECTED_EMIS, atol=1e-5)
    assert front["site"].values.tolist() == ["A", "A", "B", "A", "A"]


def test_benders_front_without_any_lp_is_a_solver_error_not_an_infeasibility(lp_times_out):
    """The decomposition is made of LPs: when none of them proves anything, the front fails
    with a solver error naming the unsolved candidates, never "infeasible"."""
    from greendc.errors import InfeasibleError, SolverError

    with pytest.raises(SolverError, match="not_solved") as err:
        pareto_front(front_study(strategy="benders"), points=5)
    assert not isinstance(err.value, InfeasibleError)


def _milp_times_out(monkeypatch, at_eps: float, labels: set[str]):
    """The MILP of the candidates ``labels`` at epsilon ``at_eps`` stops without a design."""
    real = pareto_mod.CandidateSweep.solve

    def solve(self, epsilon, weight, *args):
        if self.label in labels and epsilon is not None and abs(epsilon - at_eps) < 1e-4:
            self.last_status = SolveStatus("time_limit_no_solution", message="Time limit reached")
            return None
        return real(self, epsilon, weight, *args)

    monkeypatch.setattr(pareto_mod.CandidateSweep, "solve", solve)


def test_front_point_with_an_unsolved_candidate_is_not_proven(monkeypatch):
    """B/imm (the winner at 0.44 t, 426 EUR) times out there: the point falls back to A
    (470 EUR) but is labelled not proven, and B is not dropped for the tighter points."""
    _milp_times_out(monkeypatch, 0.44, {"B/imm"})
    front = pareto_front(front_study(strategy="decompose"), points=5)
    assert float(front["cost_eur_per_yr"][2]) == pytest.approx(470.0, rel=1e-6)
    assert str(front["solver_status"].values[2]) == "time_limit"
    np.testing.assert_allclose(front["cost_eur_per_yr"].values[[0, 1, 3, 4]],
                               np.array(EXPECTED_COST)[[0, 1, 3, 4]], rtol=1e-6)


def test_front_is_not_truncated_when_every_candidate_times_out(monkeypatch):
    """Every candidate times out at 0.44 t: that point is reported missing and the sweep goes
    on to the tighter points (the old sweep stopped there, dropping 0.22 t)."""
    _milp_times_out(monkeypatch, 0.44, {f"{s}/{c}" for s in SITES for c in COOLINGS})
    front = pareto_front(front_study(strategy="decompose"), points=5)
    import json
    missing = json.loads(front.attrs["points_missing"])
    assert [m["epsilon_t_per_yr"] for m in missing] == pytest.approx([0.44])
    assert "time_limit_no_solution" in missing[0]["reason"]
    np.testing.assert_allclose(front["emissions_t_per_yr"].values, [0.88, 0.66, 0.22, 0.0],
                               atol=1e-5)
