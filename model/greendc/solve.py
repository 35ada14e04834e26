"""Solve a built model with HiGHS through highspy.

Hand-off: Pyomo's ``LinearStandardFormCompiler`` writes the model as a sparse matrix (linear
in the horizon), passed once to ``highspy.Highs.passModel``. The ``HighsModel`` object stays
alive so that re-solves (lexicographic second stage, Pareto sweeps) only change bounds or
objective coefficients and restart from the previous basis, instead of rebuilding.

Status is explicit: ``optimal`` (proven within the MIP gap), ``time_limit`` (best design
found, labelled not proven optimal, with its gap), ``infeasible``, ``unbounded``,
``interrupted`` or ``error``: never a silent suboptimal design.

Ctrl-C: during ``HighsModel.solve`` SIGINT only sets a process-wide flag (``interrupt()``);
HiGHS's interrupt callbacks (simplex, IPM, MIP) see it and stop the solve, which returns
``interrupted`` with the best design found so far and its gap (when HiGHS had one). Once the
flag is set every later solve of the process returns ``interrupted`` at once, so a study stops
cleanly instead of starting its next MILP; ``clear_interrupt()`` resets it (a new study).
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass, field

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from greendc.formulation import gc_paused
from greendc.errors import SolverError

log = logging.getLogger(__name__)
INF = highspy.kHighsInf


@dataclass
class SolveStatus:
    """Outcome of one HiGHS run."""

    status: str
    objective: float | None = None
    dual_bound: float | None = None
    mip_gap: float | None = None
    seconds: float = 0.0
    message: str = ""

    @property
    def has_solution(self) -> bool:
        return self.status in ("optimal", "time_limit", "interrupted") and \
            self.objective is not None

    @property
    def proven_optimal(self) -> bool:
        return self.status == "optimal"


# HiGHS simplex options of each ``SolverSettings.lp_pricing`` (LP solves only; a MILP keeps
# HiGHS's defaults, which its own LPs were tuned and measured with).
LP_PRICING = {
    "choose": {"simplex_strategy": 1, "simplex_dual_edge_weight_strategy": -1},
    "devex": {"simplex_strategy": 1, "simplex_dual_edge_weight_strategy": 1},
}
MILP_SIMPLEX = LP_PRICING["choose"]  # HiGHS 1.16 defaults


@dataclass
class SolverSettings:
    """HiGHS settings of a solve.

    ``lp_pricing``: dual simplex edge weights of LP solves (LP relaxations, the dispatch LP of
    a fixed design): "choose" (default, HiGHS's own choice, dual steepest edge first) or
    "devex". Measured on the one-site full-year model (reference study, Stockholm / direct
    liquid, HiGHS 1.16, shared 2-core machine, median of 3 cold solves): the LP relaxation
    took 47 s with devex against 59 s in one run, 98 s against 94 s in a more loaded one;
    the fixed-design dispatch LP about 0.7 CPU s cold either way, while a warm re-solve after a
    design move took 2.1 CPU s with "choose" (slower than cold) and 0.32 with devex (median of
    3, same run). Devex stays opt-in: on a warm
    re-solve whose emissions bound sits exactly at the design's emissions it reported a
    feasible LP infeasible (tests/test_duals.py, front points). MILP
    solves always use HiGHS's defaults. ``extra`` options are set last and win."""

    mip_rel_gap: float = 1e-4
    mip_abs_gap: float | None = None  # [objective units]; None: HiGHS's default (1e-6)
    time_limit_s: float | None = None
    threads: int = 1
    log_to_console: bool = False
    lp_pricing: str = "choose"
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.lp_pricing not in LP_PRICING:
            raise SolverError(f"lp_pricing = {self.lp_pricing!r}: expected one of "
                              f"{', '.join(LP_PRICING)}")


_STATUS = {
    "Optimal": "optimal", "Time limit reached": "time_limit", "Infeasible": "infeasible",
    "Primal infeasible or unbounded": "infeasible", "Unbounded": "unbounded",
    "Interrupted by user": "interrupted",
}


_INTERRUPT = threading.Event()


def interrupt() -> None:
    """Ask every running and later solve of this process to stop (what Ctrl-C does)."""
    _INTERRUPT.set()


def interrupted() -> bool:
    return _INTERRUPT.is_set()


def clear_interrupt() -> None:
    _INTERRUPT.clear()


def _on_sigint(signum, frame) -> None:
    interrupt()


@contextlib.contextmanager
def sigint_interrupts():
    """While inside, Ctrl-C (SIGINT) sets the interrupt flag instead of raising
    KeyboardInterrupt (which HiGHS would only see after the MILP, and which would lose the
    design). Only the main thread can install signal handlers; elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, _on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _interrupt_callback(event) -> None:
    if _INTERRUPT.is_set():
        event.interrupt()


class HighsModel:
    """A Pyomo model compiled once into a persistent HiGHS instance."""

    def __init__(self, model: pyo.ConcreteModel, settings: SolverSettings | None = None):
        self.model = model
        self.settings = settings or SolverSettings()
        start = time.perf_counter()
        with gc_paused():
            repn = LinearStandardFormCompiler().write(model, mixed_form=True, set_sense=None)
        self.columns = list(repn.columns)
        self.rows = list(repn.rows)
        self._col_index = {id(v): i for i, v in enumerate(self.columns)}
        self.objective_offset = float(np.asarray(repn.c_offset).ravel()[0]) if len(
            np.asarray(repn.c_offset).ravel()) else 0.0
        self.integer = np.array([v.is_integer() or v.is_binary() for v in self.columns], bool)
        self.highs = _new_highs()
        self.relaxed = False  # integrality dropped (LP relaxation), see relax_integrality
        self.highs.cbSimplexInterrupt += _interrupt_callback  # Ctrl-C stops HiGHS
        self.highs.cbIpmInterrupt += _interrupt_callback
        self.highs.cbMipInterrupt += _interrupt_callback
        self._restored: np.ndarray | None = None
        self._pass(repn)
        self.handoff_seconds = time.perf_counter() - start

    # ----------------------------------------------------------------- model hand-off
    def _pass(self, repn) -> None:
        n, A = len(self.columns), repn.A.tocsc()
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, A.shape[0]
        cost = np.asarray(repn.c.toarray()).ravel() if repn.c.shape[0] else np.zeros(n)
        lp.col_cost_ = cost.astype(float)
        lp.col_lower_ = np.array([-INF if v.lb is None else float(v.lb) for v in self.columns])
        lp.col_upper_ = np.array([INF if v.ub is None else float(v.ub) for v in self.columns])
        rhs = np.asarray(repn.rhs, dtype=float)
        kind = np.array([r.bound_type for r in self.rows])
        lp.row_lower_ = np.where(kind >= 0, np.where(kind == 0, rhs, -INF), rhs)
        lp.row_lower_ = np.where(kind == 1, -INF, lp.row_lower_)
        lp.row_upper_ = np.where(kind <= 0, np.where(kind == 0, rhs, INF), rhs)
        lp.row_upper_ = np.where(kind == -1, INF, lp.row_upper_)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = A.indptr
        lp.a_matrix_.index_ = A.indices
        lp.a_matrix_.value_ = A.data
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, A.shape[0]
        if self.integer.any():
            lp.integrality_ = [highspy.HighsVarType.kInteger if i else
                               highspy.HighsVarType.kContinuous for i in self.integer]
        h = self.highs
        h.setOptionValue("output_flag", bool(self.settings.log_to_console))
        h.setOptionValue("random_seed", 0)
        status = h.passModel(lp)
        if status == highspy.HighsStatus.kError:
            raise SolverError("HiGHS refused the model (passModel error)")

    # ----------------------------------------------------------------- edits
    def column(self, var: pyo.Var) -> int | None:
        """Column of a variable, or None if the compiler eliminated it (fixed/unused)."""
        return self._col_index.get(id(var))

    def set_objective(self, var: pyo.Var, sense: float = 1.0) -> None:
        """Minimise a single variable (``cost_eur``, ``emissions_t_co2``...)."""
        col = self.column(var)
        if col is None:
            raise SolverError(f"objective variable {var.name} is not in the model")
        n = len(self.columns)
        self.highs.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
        self.highs.changeColCost(col, sense)
        self.objective_offset = 0.0

    def set_column_bounds(self, var: pyo.Var, lower: float | None, upper: float | None) -> None:
        col = self.column(var)
        if col is None:
            raise SolverError(f"variable {var.name} is not in the model")
        self.highs.changeColBounds(col, -INF if lower is None else lower,
                                   INF if upper is None else upper)

    def relax_integrality(self, relax: bool) -> None:
        self.relaxed = bool(relax)
        n = len(self.columns)
        kinds = [highspy.HighsVarType.kContinuous if relax or not flag
                 else highspy.HighsVarType.kInteger for flag in self.integer]
        if self.integer.any():
            self.highs.changeColsIntegrality(n, np.arange(n, dtype=np.int32), kinds)

    # ----------------------------------------------------------------- solve
    @property
    def is_lp(self) -> bool:
        """The next solve is an LP: no integer column, or integrality relaxed."""
        return self.relaxed or not self.integer.any()

    def solve(self) -> SolveStatus:
        h, s = self.highs, self.settings
        h.setOptionValue("mip_rel_gap", float(s.mip_rel_gap))
        h.setOptionValue("mip_abs_gap", 1e-6 if s.mip_abs_gap is None else float(s.mip_abs_gap))
        _use_threads(int(s.threads))
        h.setOptionValue("threads", int(s.threads))
        h.setOptionValue("time_limit", float(s.time_limit_s) if s.time_limit_s else INF)
        for key, value in (LP_PRICING[s.lp_pricing] if self.is_lp else MILP_SIMPLEX).items():
            h.setOptionValue(key, value)
        for key, value in s.extra.items():
            h.setOptionValue(key, value)
        self._restored = None
        if _INTERRUPT.is_set():
            return SolveStatus(status="interrupted", message="interrupted before this solve")
        start = time.perf_counter()
        with sigint_interrupts():
            h.run()
        seconds = time.perf_counter() - start
        raw = h.modelStatusToString(h.getModelStatus())
        status = _STATUS.get(raw, "error")
        info = h.getInfo()
        has_primal = info.primal_solution_status == 2  # kSolutionStatusFeasible
        if status == "time_limit" and not has_primal:
            status = "time_limit_no_solution"
        is_mip = not self.is_lp  # (not h.getLp(): that copies the whole model)
        if status == "interrupted" and not (has_primal and is_mip):
            # an interrupted LP has no usable optimum; a MILP keeps its incumbent
            return SolveStatus(status=status, seconds=seconds, message=raw)
        if status not in ("optimal", "time_limit", "interrupted"):
            return SolveStatus(status=status, seconds=seconds, message=raw)
        log.debug("HiGHS %s: %s after %.2f s (%d columns, %d rows)", "MIP" if is_mip else "LP",
                  raw, seconds, len(self.columns), len(self.rows))
        objective = float(info.objective_function_value) + self.objective_offset
        gap = float(info.mip_gap) if is_mip else 0.0
        bound = float(info.mip_dual_bound) + self.objective_offset if is_mip else objective
        if gap is not None and not math.isfinite(gap):
            gap = None
        return SolveStatus(status=status, objective=objective, dual_bound=bound, mip_gap=gap,
                           seconds=seconds, message=raw)

    def values(self) -> np.ndarray:
        if self._restored is not None:
            return self._restored
        return np.asarray(self.highs.getSolution().col_value, dtype=float)

    @property
    def shape(self) -> tuple[int, int]:
        """(columns, rows) of the HiGHS model: the shape a basis must have."""
        return self.highs.getNumCol(), self.highs.getNumRow()

    def basis(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The last solve's simplex basis as (column, row) status codes (int8 arrays: they
        pickle, unlike ``highspy.HighsBasis``), or None if HiGHS has no valid basis."""
        b = self.highs.getBasis()
        if not b.valid:
            return None
        return (np.fromiter((int(v) for v in b.col_status), np.int8, len(b.col_status)),
                np.fromiter((int(v) for v in b.row_status), np.int8, len(b.row_status)))

    def set_basis(self, basis: tuple[np.ndarray, np.ndarray] | None) -> bool:
        """Start the next solve from ``basis`` (from ``basis()``, possibly of another model of
        the same shape, e.g. another site); False (and nothing set) if its shape differs."""
        if basis is None:
            return False
        cols, rows = basis
        if basis_shape(basis) != self.shape:
            return False
        b = highspy.HighsBasis()
        b.col_status = [highspy.HighsBasisStatus(int(v)) for v in cols]
        b.row_status = [highspy.HighsBasisStatus(int(v)) for v in rows]
        b.valid = True
        return self.highs.setBasis(b) == highspy.HighsStatus.kOk

    def restore(self, x: np.ndarray) -> None:
        """Use an earlier solution vector (e.g. when a later stage failed)."""
        self._restored = np.asarray(x, dtype=float)

    def load_solution(self) -> None:
        """Write the HiGHS solution into the Pyomo variables (integers rounded)."""
        x = self.values()
        x = np.where(self.integer, np.round(x), x)
        for var, value in zip(self.columns, x):
            var.set_value(float(value), skip_validation=True)


def basis_shape(basis: tuple[np.ndarray, np.ndarray]) -> tuple[int, int]:
    """(columns, rows) of a ``HighsModel.basis()``."""
    return len(basis[0]), len(basis[1])


_SCHEDULER_THREADS: int | None = None


def _use_threads(threads: int) -> None:
    """HiGHS keeps one global task scheduler per process, sized by the first solve; a later
    solve with another ``threads`` value fails at once ('Not Set'). Reset it on a change."""
    global _SCHEDULER_THREADS
    if _SCHEDULER_THREADS is not None and _SCHEDULER_THREADS != threads:
        highspy.Highs.resetGlobalScheduler(True)
    _SCHEDULER_THREADS = threads


def _new_highs() -> highspy.Highs:
    """A Highs instance without the copyright banner that its constructor writes to the
    process's stdout (file descriptor 1), which would clutter the CLI's output."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            return highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
