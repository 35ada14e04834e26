"""One optimisation problem: what to minimise and cap (``ModelSpec``), built from an inputs
Dataset by ``greendc.formulation`` and solved by HiGHS (``greendc.solve``) into a ``Solved``.

This is the layer between the formulation and the strategies that call it many times: the
study (monolithic or decomposed, ``greendc.study``), the typical-days re-evaluation
(``greendc.typical``), the Pareto front (``greendc.pareto``) and the diagnosis
(``greendc.diagnose``). It imports none of them.

Lexicographic second stage (``second_stage``): the primary objective is bounded to within
1e-6 (relative) of its optimum and the other objective is minimised, so that ties between
designs of equal primary objective are broken by cost (after emissions) or emissions (after
cost).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import xarray as xr

from greendc.formulation import build_model
from greendc.results import extract_results
from greendc.solve import HighsModel, SolverSettings, SolveStatus

if TYPE_CHECKING:  # annotations only: the study imports this module, not the reverse
    from greendc.study import Study

log = logging.getLogger(__name__)


def settings_for(study: Study, **changes: Any) -> SolverSettings:
    """HiGHS settings of the scenario's ``solver`` section (gap, time limit, threads,
    feasibility tolerances, log switch); ``changes`` replace fields."""
    opts = study.scenario.solver
    tolerances = {key: float(getattr(opts, key)) for key in
                  ("primal_feasibility_tolerance", "dual_feasibility_tolerance")
                  if getattr(opts, key) is not None}
    base = dict(mip_rel_gap=opts.mip_rel_gap, time_limit_s=opts.time_limit_s,
                threads=opts.threads, log_to_console=bool(opts.log), extra=tolerances)
    base.update(changes)
    return SolverSettings(**base)


@dataclass(frozen=True)
class ModelSpec:
    """What to minimise and cap; everything a worker process needs besides the inputs.

    ``lexicographic``: after the primary optimum, a second stage optimises the other
    objective (cost after emissions, emissions after cost) among designs within 1e-6 of it.
    It is always on for emissions objectives (an emissions optimum alone leaves cost free).
    """

    objective: str            # "cost" | "emissions" | "operational"
    cap_scope: str            # "emissions" | "operational"
    cap_t_co2: float | None
    settings: SolverSettings
    lexicographic: bool = False

    @classmethod
    def of(cls, study: Study, **settings: Any) -> ModelSpec:
        sc = study.scenario
        scope = "operational" if sc.emissions_scope == "operational" else "emissions"
        return cls(objective="cost" if sc.objective == "cost" else scope, cap_scope=scope,
                   cap_t_co2=sc.emissions_cap_t_per_yr, settings=settings_for(study, **settings))

    @property
    def second_stage(self) -> bool:
        return self.lexicographic or self.objective != "cost"

    def secondary(self, results: xr.Dataset) -> float:
        """The lexicographic tie-breaker of a solved design."""
        if self.objective == "cost":
            name = "operational_t_per_yr" if self.cap_scope == "operational" else "emissions_t_per_yr"
            return float(results[name])
        return float(results["cost_eur_per_yr"])

    def build(self, inputs: xr.Dataset):
        return build_model(inputs, objective=self.objective, emissions_cap_t_co2=self.cap_t_co2,
                           cap_scope=self.cap_scope)


@dataclass
class Solved:
    """A solved (sub-)model: its status and, when a design was found, its results."""

    status: SolveStatus
    results: xr.Dataset | None
    build_seconds: float
    columns: int
    rows: int
    integer_columns: int


def solve_inputs(spec: ModelSpec, inputs: xr.Dataset, relax: bool = False) -> Solved:
    """Build and solve one model (with the lexicographic second stage when the spec asks for
    it, see ``ModelSpec``). ``relax`` solves the LP relaxation only (a lower bound)."""
    start = time.perf_counter()
    m = spec.build(inputs)
    hm = HighsModel(m, spec.settings)
    build_seconds = time.perf_counter() - start
    if relax:
        hm.relax_integrality(True)
    status = hm.solve()
    if status.has_solution and spec.second_stage and not relax and status.status != "interrupted":
        status = second_stage(m, hm, status, spec)
    results = None
    if status.has_solution and not relax:
        hm.load_solution()
        results = extract_results(m, inputs)
    return Solved(status=status, results=results, build_seconds=build_seconds,
                  columns=len(hm.columns), rows=len(hm.rows),
                  integer_columns=int(hm.integer.sum()))


def second_stage(m, hm: HighsModel, first: SolveStatus, spec: ModelSpec) -> SolveStatus:
    """Fix the primary objective within 1e-6 (relative) and optimise the other one.

    HiGHS's MIP presolve can declare such a near-optimal bound infeasible on badly scaled
    models; then the stage is retried without presolve, and failing that the first-stage
    design is kept (it is optimal for the primary objective) with a note in its message."""
    emissions = m.operational_t_co2 if spec.cap_scope == "operational" else m.emissions_t_co2
    primary, secondary = ((m.cost_eur, emissions) if spec.objective == "cost"
                          else (emissions, m.cost_eur))
    best, first_x = first.objective, hm.values()
    hm.set_column_bounds(primary, None, best + max(abs(best) * 1e-6, 1e-6))
    hm.set_objective(secondary)
    second = hm.solve()
    if not second.has_solution:
        hm.highs.setOptionValue("presolve", "off")
        second = hm.solve()
        hm.highs.setOptionValue("presolve", "choose")
    if not second.has_solution:
        log.warning("lexicographic second stage failed (%s); keeping the first-stage design",
                    second.message)
        hm.restore(first_x)
        first.message += "; second stage skipped"
        return first
    second.seconds += first.seconds
    second.objective = best
    second.dual_bound = first.dual_bound
    second.mip_gap = first.mip_gap if second.status == "optimal" else second.mip_gap
    return second
