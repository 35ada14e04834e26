"""Design/dispatch (Benders) decomposition of one compiled model.

The formulation marks each variable's role (``greendc.formulation.DESIGN_COMPONENTS``): the
design x (site and cooling choices, node counts, capacities [MW, MWh]) is a few dozen columns;
everything else, the operation y (hourly dispatch, annual totals, the objective variable), is
an LP once x is fixed. With c the objective of the compiled model (EUR/yr or tCO2e/yr):

    min_x  v(x)   over the design rows D x in [L_D, U_D], x in bounds, integers integral,
    v(x) = min_y { c.(x, y) : every other row, y in bounds }        (the dispatch LP)

v is convex and piecewise linear in x, but +inf where the design cannot be operated (a CFE
target or emissions cap out of reach). Each master design x^ is first evaluated by the
dispatch LP with x fixed by its column bounds (cheap: presolve removes the design; solved
cold, faster than warm after a design move); its objective is an upper bound and the reduced
costs r of the fixed columns give the cut theta >= v(x^) + r.(x - x^). The master holds,
besides the model's rows over design columns only, the design rows that the other rows imply
over the operation columns' bounds (e.g. battery_reserve_mwh <= battery_mwh from the hourly
state-of-charge rows): far fewer of its designs are then inoperable. Only when that LP is
infeasible is the dispatch solved *elastic* in the design (complete recourse): the design may
move, at a price P_j [objective units per unit of column j] per unit of move,

    v_P(x^) = min_{x', y} c.(x', y) + sum_j P_j |x'_j - x^_j|
              s.t. every row of the model (the design rows too) at (x', y),

written with x'_j - p_j + n_j = x^_j (``design_link`` rows, p, n >= 0 priced P_j). v_P <= v
everywhere (take x' = x^) and v_P is finite wherever the LP relaxation is feasible, so:

- optimality cut, valid for any P: theta >= v_P(x^) + g.(x - x^), g = duals of the link rows
  (a subgradient of v_P, hence a lower estimate of v);
- the master, a small MILP over x and theta with the design rows and the cuts, gives a lower
  bound LB (its dual bound) that is valid whatever P;
- every dispatch solution whose integer design columns did not move is a feasible design
  (x', y) of the full model: its true objective c.(x', y) is an upper bound UB.

The first cut comes from the LP relaxation of the full model (its reduced costs of the design
columns: theta >= LP* + r.(x - x_LP), also valid), which bounds the master from below. P_j is
set above |r_j| so that v_P agrees with that cut. The loop stops when (UB - LB) <= gap |UB|
(``mip_rel_gap``, or ``mip_abs_gap`` [objective units] if larger: the result is the proven
optimum of the full model within the gap), when LB
reaches a cutoff (another candidate's incumbent: pruned), or at the iteration or time limit
(status ``time_limit``, both bounds reported). If the master repeats a design whose dispatch
moved integers (P too low to show that it cannot be operated), P is raised tenfold.
Stabilisation (in-out, Ben-Ameur & Neto 2007): while the master's integer design equals the
best one, its continuous design is first evaluated half-way to the best design. ``polish``
makes a final design's continuous part exact for its integer part (the LP with the integer
design fixed).

Fronts (``greendc.pareto``) re-solve one decomposition at a sequence of epsilons, loose to
tight, on one operation column e (an emissions total [tCO2e/yr], ``bound_column``):

- the cut pools are kept from one epsilon to the next: with the objective unchanged, a tighter
  epsilon only shrinks the dispatch's feasible set, so v (and v_P, and the LP relaxation) only
  rise and every optimality cut stays a valid lower estimate; a looser epsilon or a new
  objective drops them;
- every design is first checked against epsilon by the LP of e(x^) = min e over the
  dispatch at design x^ (about 0.5 s at full year, where a fixed-design LP took about 30 s to
  prove the same infeasibility); one that cannot meet it gets an exact feasibility cut
  instead of an elastic LP: e(x) is convex in x, and that LP
  gives e(x^) + s.(x - x^) <= e(x) <= epsilon (s the reduced costs of the fixed design
  columns). It is valid for every epsilon: its right-hand side follows epsilon. A master made
  infeasible by these cuts before any design was operated proves that no design of the
  candidate reaches epsilon (after one, it can only be HiGHS's tolerances: the loop stops
  with both bounds);
- the front's sweep first solves the LP relaxation at epsilon (``relaxation``, warm from the
  same LP at the looser epsilon or from another candidate's LP of the same shape): a bound
  that prunes a candidate which cannot win without any design iteration, and otherwise the
  first cut, which already holds the emissions bound that feasibility cuts alone approach
  slowly near a candidate's lowest emissions.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field

import highspy
import numpy as np
import scipy.sparse as sp

from greendc.bounds import lp_bound
from greendc.solve import INF, HighsModel, _new_highs, _use_threads, interrupted

log = logging.getLogger(__name__)
INT_TOL = 1e-6  # [unit of column] a move of an integer design column below this is none


@dataclass
class BendersResult:
    """Outcome of one decomposition: bounds [objective units], the best full solution."""

    status: str                 # optimal | pruned | time_limit | infeasible | interrupted | error
    upper: float = math.inf     # objective of the best feasible design found (UB)
    lower: float = -math.inf    # proven lower bound (master's dual bound)
    iterations: int = 0
    seconds: float = 0.0
    x: np.ndarray | None = None  # full column vector of the best design and its dispatch
    message: str = ""
    history: list[tuple[float, float]] = field(default_factory=list)  # (LB, UB) per iteration
    master_seconds: float = 0.0
    elastic: int = 0  # dispatch LPs solved elastic (the design could not be operated)
    feasibility: int = 0  # feasibility cuts (designs that cannot meet the epsilon bound)
    dispatch_seconds: float = 0.0


def design_columns(hm: HighsModel, components: set[str]) -> np.ndarray:
    """Column indices of ``hm`` whose Pyomo component is a design component."""
    return np.array([i for i, v in enumerate(hm.columns)
                     if v.parent_component().local_name in components], dtype=np.int64)


class Decomposition:
    """Benders decomposition of a compiled model ``hm`` (which it takes over: the dispatch LP
    is ``hm`` itself, relaxed, with the elastic link rows appended once).

    Column bounds of ``hm`` at construction (e.g. a cooling fixed by its ``cool`` bounds) are
    the design's bounds; change them only through ``fix_design_bounds``."""

    def __init__(self, hm: HighsModel, design: np.ndarray, mip_rel_gap: float,
                 max_iterations: int = 200, mip_abs_gap: float = 0.0):
        self.hm, self.design, self.gap = hm, np.asarray(design, dtype=np.int64), mip_rel_gap
        self.abs_gap = mip_abs_gap  # [objective units]: done at max(abs, rel x |UB|)
        self.max_iterations = max_iterations
        lp = hm.highs.getLp()
        self.n, self.nrows = lp.num_col_, lp.num_row_
        self.col_lower = np.array(lp.col_lower_, dtype=float)
        self.col_upper = np.array(lp.col_upper_, dtype=float)
        self.row_lower = np.array(lp.row_lower_, dtype=float)
        self.row_upper = np.array(lp.row_upper_, dtype=float)
        self.A = sp.csc_matrix((np.array(lp.a_matrix_.value_), np.array(lp.a_matrix_.index_),
                                np.array(lp.a_matrix_.start_)),
                               shape=(self.nrows, self.n)).tocsr()
        self.A.eliminate_zeros()
        self.is_int = hm.integer[self.design]
        self.position = -np.ones(self.n, dtype=np.int64)  # column -> design position or -1
        self.position[self.design] = np.arange(len(self.design))
        self.design_rows = self._design_only_rows()
        self.implied = self._implied_design_rows()
        self.costs = np.array(lp.col_cost_, dtype=float)
        hm.relax_integrality(True)
        self._link_added = False
        self.bounded: int | None = None  # operation column bounded by epsilon (a front)
        self.epsilon = INF
        self.reset_cuts()
        self.feasibility: list[tuple[float, np.ndarray, np.ndarray]] = []

    @property
    def shape(self) -> tuple[int, int]:
        """(columns, rows) of the dispatch LP with its link rows: the shape of its bases."""
        k = len(self.design)
        return self.n + 2 * k, self.nrows + k

    # ------------------------------------------------------------------ pools
    def reset_cuts(self) -> None:
        """Forget the optimality cuts (after an objective change or a looser epsilon)."""
        self.cuts: list[tuple[float, np.ndarray, np.ndarray]] = []  # theta >= v + g.(x - at)
        self.floor = -INF  # theta >= floor (an LP relaxation's value)

    def set_objective(self, costs: np.ndarray) -> None:
        """New objective coefficients of the compiled columns (the optimality cuts of the old
        objective are dropped; the feasibility cuts do not depend on it)."""
        costs = np.asarray(costs, dtype=float)
        self.hm.highs.changeColsCost(self.n, np.arange(self.n, dtype=np.int32), costs)
        self.costs = costs.copy()
        self.reset_cuts()

    def bound_column(self, col: int, epsilon: float) -> None:
        """Upper bound ``epsilon`` on the operation column ``col`` (an emissions total
        [tCO2e/yr], the epsilon of a front point). A tighter epsilon keeps every cut: the
        dispatch's feasible set only shrinks, so v only rises. A looser one drops the
        optimality cuts. Designs that cannot meet it get feasibility cuts on
        e(x) = min col at design x (convex in x): e(x^) + s.(x - x^) <= epsilon, s the reduced
        costs of the fixed design columns; they hold for every epsilon (only their right-hand
        side moves)."""
        if self.bounded is not None and col != self.bounded:
            raise ValueError(f"column {self.bounded} is bounded already, not {col}")
        if epsilon > self.epsilon:
            self.reset_cuts()
        self.bounded, self.epsilon = int(col), float(epsilon)
        self.hm.highs.changeColBounds(int(col), self.col_lower[col], float(epsilon))

    def set_column_bounds(self, col: int, lower: float, upper: float) -> None:
        """Change a column's bounds in the dispatch LP and in the next master (a design
        choice made by the caller, e.g. one cooling of a site's model)."""
        self.hm.highs.changeColBounds(int(col), lower, upper)
        self.col_lower[col], self.col_upper[col] = lower, upper

    # ------------------------------------------------------------------ structure
    def _design_only_rows(self) -> np.ndarray:
        """Rows whose every nonzero is a design column (site count, compute requirement,
        floor space, backup cover...): they go to the master."""
        in_design = np.zeros(self.n, dtype=bool)
        in_design[self.design] = True
        outside = np.add.reduceat((~in_design[self.A.indices]).astype(np.int64),
                                  self.A.indptr[:-1]) if self.A.nnz else np.zeros(self.nrows)
        nnz = np.diff(self.A.indptr)
        outside = np.where(nnz > 0, outside, 1)  # an empty row belongs nowhere
        return np.flatnonzero(outside == 0)

    def _implied_design_rows(self) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
        """Design-only rows implied by the other rows over the operation columns' bounds
        (a projection, valid for every design and dispatch): L <= a_D.x + a_O.y <= U with
        y in [l, u] gives L - max a_O.y <= a_D.x <= U - min a_O.y wherever that is finite.
        Kept when it cuts into the design box, once per distinct a_D (the tightest side):
        e.g. the hourly soc[s,t] <= battery_mwh[s] - battery_reserve_mwh[s] with soc >= 0
        gives battery_reserve_mwh <= battery_mwh, which a master without it breaks (its
        design cannot be operated: an elastic LP as long as the whole LP relaxation).
        Returns (rows over the design positions, lower, upper)."""
        A, k, position = self.A, len(self.design), self.position
        row = np.repeat(np.arange(self.nrows), np.diff(A.indptr))
        col, a = A.indices, A.data
        is_design = position[col] >= 0
        low = np.where(a > 0, a * self.col_lower[col], a * self.col_upper[col])  # min a_j y_j
        high = np.where(a > 0, a * self.col_upper[col], a * self.col_lower[col])

        def per_row(values, where):
            return np.bincount(row[where], weights=values[where], minlength=self.nrows)

        op = ~is_design
        mixed = (per_row(np.ones(len(a)), is_design) > 0) & (per_row(np.ones(len(a)), op) > 0)
        finite_low = per_row(np.isinf(low).astype(float), op) == 0
        finite_high = per_row(np.isinf(high).astype(float), op) == 0
        upper = np.where(mixed & finite_low, self.row_upper - per_row(np.where(
            np.isinf(low), 0.0, low), op), INF)
        lower = np.where(mixed & finite_high, self.row_lower - per_row(np.where(
            np.isinf(high), 0.0, high), op), -INF)
        box_max, box_min = per_row(high, is_design), per_row(low, is_design)  # over design
        tol = 1e-9 * np.maximum(1.0, np.abs(np.where(np.isfinite(upper), upper, 0.0)))
        upper = np.where(upper < box_max - tol, upper, INF)
        tol = 1e-9 * np.maximum(1.0, np.abs(np.where(np.isfinite(lower), lower, 0.0)))
        lower = np.where(lower > box_min + tol, lower, -INF)
        tightest: dict[bytes, list] = {}
        for r in np.flatnonzero(np.isfinite(upper) | np.isfinite(lower)):
            span = slice(A.indptr[r], A.indptr[r + 1])
            keep = is_design[span]
            cols, coefs = position[col[span][keep]], a[span][keep]
            key = np.concatenate([cols, np.round(coefs, 12)]).tobytes()
            entry = tightest.setdefault(key, [cols, coefs, -INF, INF])
            entry[2], entry[3] = max(entry[2], lower[r]), min(entry[3], upper[r])
        entries = list(tightest.values())
        matrix = sp.csr_matrix(
            (np.concatenate([e[1] for e in entries]) if entries else np.zeros(0),
             np.concatenate([e[0] for e in entries]) if entries else np.zeros(0, np.int64),
             np.cumsum([0] + [len(e[0]) for e in entries])), shape=(len(entries), k))
        return (matrix, np.array([e[2] for e in entries], dtype=float),
                np.array([e[3] for e in entries], dtype=float))

    def _add_links(self, penalty: np.ndarray) -> None:
        """Append p, n (priced ``penalty``) and the rows x_j - p_j + n_j = x^_j."""
        h, k = self.hm.highs, len(self.design)
        zeros = np.zeros(k)
        h.addCols(2 * k, np.concatenate([penalty, penalty]), np.zeros(2 * k),
                  np.full(2 * k, INF), 0, np.array([], dtype=np.int32),
                  np.array([], dtype=np.int32), np.array([], dtype=float))
        starts = np.arange(0, 3 * k, 3, dtype=np.int32)
        index = np.column_stack([self.design, self.n + np.arange(k),
                                 self.n + k + np.arange(k)]).ravel().astype(np.int32)
        value = np.tile([1.0, -1.0, 1.0], k)
        h.addRows(k, zeros, zeros, 3 * k, starts, index, value)
        self._link_added = True
        self.penalty = penalty.copy()

    def _set_penalty(self, penalty: np.ndarray) -> None:
        k = len(self.design)
        idx = (self.n + np.arange(2 * k)).astype(np.int32)
        self.hm.highs.changeColsCost(2 * k, idx, np.concatenate([penalty, penalty]))
        self.penalty = penalty.copy()

    # ------------------------------------------------------------------ master
    def _master(self) -> highspy.Highs:
        """Small MILP: the design columns (bounds, integrality), theta, the design rows
        (those of the model over design columns only and those implied by the others)."""
        k = len(self.design)
        mh = _new_highs()
        mh.setOptionValue("output_flag", False)
        mh.setOptionValue("random_seed", 0)
        mh.setOptionValue("mip_rel_gap", 1e-9)
        mh.setOptionValue("mip_abs_gap", 1e-9)
        # HiGHS's one task scheduler per process is sized by the first solve: the master uses
        # the dispatch's thread count (a worker process may run the master first)
        mh.setOptionValue("threads", int(self.hm.settings.threads))
        lower = np.append(self.col_lower[self.design], -INF)
        upper = np.append(self.col_upper[self.design], INF)
        cost = np.append(np.zeros(k), 1.0)
        mh.addCols(k + 1, cost, lower, upper, 0, np.array([], dtype=np.int32),
                   np.array([], dtype=np.int32), np.array([], dtype=float))
        position = self.position
        sub = self.A[self.design_rows]
        if sub.shape[0]:
            mh.addRows(sub.shape[0], self.row_lower[self.design_rows],
                       self.row_upper[self.design_rows], sub.nnz,
                       sub.indptr[:-1].astype(np.int32), position[sub.indices].astype(np.int32),
                       sub.data.astype(float))
        implied, low, up = self.implied
        if implied.shape[0]:
            mh.addRows(implied.shape[0], low, up, implied.nnz,
                       implied.indptr[:-1].astype(np.int32), implied.indices.astype(np.int32),
                       implied.data.astype(float))
        kinds = [highspy.HighsVarType.kInteger if f else highspy.HighsVarType.kContinuous
                 for f in self.is_int] + [highspy.HighsVarType.kContinuous]
        mh.changeColsIntegrality(k + 1, np.arange(k + 1, dtype=np.int32), kinds)
        mh.changeColBounds(k, self.floor, INF)
        for cut in self.cuts:
            self._add_cut(mh, *cut)
        for cut in self.feasibility:
            self._add_feasibility_row(mh, *cut)
        return mh

    @staticmethod
    def _add_cut(mh: highspy.Highs, value: float, slope: np.ndarray, at: np.ndarray) -> None:
        """theta - slope.x >= value - slope.at."""
        k = len(slope)
        keep = np.flatnonzero(np.abs(slope) > 1e-12)
        index = np.append(keep, k).astype(np.int32)
        coef = np.append(-slope[keep], 1.0)
        mh.addRow(float(value - slope @ at), INF, len(index), index, coef)

    def _add_feasibility_row(self, mh: highspy.Highs, value: float, slope: np.ndarray,
                             at: np.ndarray) -> None:
        """slope.x <= epsilon - value + slope.at (``bound_column``)."""
        keep = np.flatnonzero(np.abs(slope) > 1e-12)
        mh.addRow(-INF, float(self.epsilon - value + slope @ at), len(keep),
                  keep.astype(np.int32), slope[keep])

    def _add(self, mh: highspy.Highs, kind: str, cut: tuple) -> None:
        """Put a cut in its pool and in the running master."""
        if kind == "feasibility":
            self.feasibility.append(cut)
            self._add_feasibility_row(mh, *cut)
        else:
            self.cuts.append(cut)
            self._add_cut(mh, *cut)

    # ------------------------------------------------------------------ dispatch
    def dispatch(self, x_hat: np.ndarray):
        """Dispatch LP with the design fixed by its column bounds (fast: presolve removes the
        design): (status, v(x^), reduced costs of the design columns, full x)."""
        h, k = self.hm.highs, len(self.design)
        cols = self.design.astype(np.int32)
        h.changeColsBounds(k, cols, x_hat, x_hat)
        self._links(False)
        h.clearSolver()  # cold: after a design move, presolve + a fresh start is much faster
        status = self.hm.solve()
        log.debug("fixed-design dispatch: %s in %.2f s", status.status, status.seconds)
        h.changeColsBounds(k, cols, self.col_lower[self.design], self.col_upper[self.design])
        if status.status != "optimal":
            return status, None, None, None
        sol = h.getSolution()
        return (status, status.objective,
                np.asarray(sol.col_dual, dtype=float)[self.design],
                np.asarray(sol.col_value, dtype=float)[:self.n])

    def elastic(self, x_hat: np.ndarray):
        """Elastic dispatch at x^ (module docstring): (status, v_P(x^), true objective of
        its solution, subgradient, full x, integer design moved?)."""
        h, k = self.hm.highs, len(self.design)
        self._links(True, x_hat)
        h.clearSolver()
        status = self.hm.solve()
        log.debug("elastic dispatch: %s in %.2f s", status.status, status.seconds)
        self._links(False)
        if status.status != "optimal":
            return status, None, None, None, None, None
        sol = h.getSolution()
        z = np.asarray(sol.col_value, dtype=float)
        g = np.asarray(sol.row_dual, dtype=float)[self.nrows:]
        moved = z[self.n:self.n + k] + z[self.n + k:]
        int_moved = bool((moved[self.is_int] > INT_TOL).any())
        return (status, status.objective, status.objective - float(self.penalty @ moved), g,
                z[:self.n], int_moved)

    def _links(self, on: bool, x_hat: np.ndarray | None = None) -> None:
        """Switch the elastic link rows on (rhs x^, moves allowed) or off (free rows, moves
        fixed at 0, so that presolve drops them)."""
        h, k = self.hm.highs, len(self.design)
        rows = (self.nrows + np.arange(k)).astype(np.int32)
        moves = (self.n + np.arange(2 * k)).astype(np.int32)
        if on:
            h.changeRowsBounds(k, rows, x_hat, x_hat)
            h.changeColsBounds(2 * k, moves, np.zeros(2 * k), np.full(2 * k, INF))
        else:
            h.changeRowsBounds(k, rows, np.full(k, -INF), np.full(k, INF))
            h.changeColsBounds(2 * k, moves, np.zeros(2 * k), np.zeros(2 * k))

    def _evaluate(self, x_hat: np.ndarray, result: BendersResult):
        """Cut at x^: (status, kind, value, slope, integer design moved?), kind "optimality"
        (theta >= value + slope.(x - x^)), "feasibility" (``bound_column``) or None when the
        dispatch failed; updates the incumbent of ``result``. With a bounded column (a front
        point), the design is first checked against epsilon by the LP of its minimum (a
        feasibility cut if that exceeds epsilon: a fixed-design LP may take 40 times longer
        to prove the same infeasibility); then the fixed-design LP, and the elastic LP when
        that is infeasible."""
        tick = time.perf_counter()
        try:
            if self.bounded is not None and self.epsilon < INF:  # INF: every design meets it
                status, cut = self._feasibility_cut(x_hat)
                if cut is not None:
                    result.feasibility += 1
                    return status, "feasibility", *cut, False
            status, value, slope, z = self.dispatch(x_hat)
            if value is not None:
                if value < result.upper and self._integral(x_hat):
                    result.upper, result.x = value, z
                return status, "optimality", value, slope, False
            if status.status != "infeasible":
                return status, None, None, None, False
            status, value, true_value, slope, z, int_moved = self.elastic(x_hat)
            result.elastic += 1
            if value is not None and not int_moved and true_value < result.upper:
                result.upper, result.x = true_value, z
            return status, None if value is None else "optimality", value, slope, int_moved
        finally:
            result.dispatch_seconds += time.perf_counter() - tick

    def _feasibility_cut(self, x_hat: np.ndarray):
        """(status, (e(x^), s)) when the bounded column's minimum at the fixed design x^
        exceeds epsilon (``bound_column``), (status, None) when that LP fails or e(x^) meets
        epsilon (the fixed-design LP then decides)."""
        h, k, col = self.hm.highs, len(self.design), self.bounded
        unit = np.zeros(self.n)
        unit[col] = 1.0
        every = np.arange(self.n, dtype=np.int32)
        h.changeColsCost(self.n, every, unit)
        h.changeColBounds(col, self.col_lower[col], self.col_upper[col])
        cols = self.design.astype(np.int32)
        h.changeColsBounds(k, cols, x_hat, x_hat)
        self._links(False)
        h.clearSolver()
        status = self.hm.solve()
        h.changeColsBounds(k, cols, self.col_lower[self.design], self.col_upper[self.design])
        h.changeColBounds(col, self.col_lower[col], self.epsilon)
        h.changeColsCost(self.n, every, self.costs)
        log.debug("feasibility LP (min bounded column): %s in %.2f s", status.status,
                  status.seconds)
        if status.status != "optimal" or \
                status.objective <= self.epsilon + 1e-9 * max(abs(self.epsilon), 1.0):
            return status, None
        slope = np.asarray(h.getSolution().col_dual, dtype=float)[self.design]
        return status, (status.objective, slope)

    def relaxation(self, basis: tuple | None = None):
        """The LP relaxation of the whole model with the current bounds, objective and
        epsilon: (Bound, (LP*, x, reduced costs) over every column or None, its basis or
        None). Its value bounds every design from below, and its reduced costs give a valid
        first cut (module docstring); with an epsilon it holds the emissions bound, which
        feasibility cuts alone approach slowly near the candidate's lowest emissions.
        ``basis``: ``HighsModel.basis()`` of a model of this shape (this candidate at another
        epsilon, or another candidate) to start from; refused or astray: cold. At full year
        (Stockholm / free air, chiller-less) cold 157 s, from the same LP at a looser
        epsilon 0.1 s, from another cooling's LP 12 s."""
        if not self._link_added:  # the link rows belong to the shape of every basis
            self.set_penalties(0.0, np.zeros(len(self.design)), None)
        self._links(False)
        warm = self.hm.set_basis(basis)
        if not warm:
            self.hm.highs.clearSolver()
        lp = lp_bound(self.hm, "the decomposition's LP relaxation")
        if not lp.known and warm:  # a borrowed start that went astray: once more, cold
            self.hm.highs.clearSolver()
            lp = lp_bound(self.hm, "the decomposition's LP relaxation")
        if not lp.known:
            return lp, None, None
        sol = self.hm.highs.getSolution()
        return lp, (lp.value, np.asarray(sol.col_value, dtype=float)[:self.n],
                    np.asarray(sol.col_dual, dtype=float)[:self.n]), self.hm.basis()

    def polish(self, x: np.ndarray, keep: np.ndarray | None = None
               ) -> tuple[float, np.ndarray] | None:
        """The exact optimum of the continuous design for the integer design of ``x``: the LP
        with the integer design columns fixed and every other column free within its bounds
        (what a MILP solver returns for that integer design). ``keep``: further design
        positions (bool mask) fixed at ``x`` too (e.g. those of rows shared with other sites'
        models, ``greendc.multisite``). Returns (objective, full x), or None if the LP fails
        (the caller keeps ``x``). Cuts and bounds are unchanged."""
        h = self.hm.highs
        fixed = self.is_int if keep is None else self.is_int | keep
        cols = self.design[fixed].astype(np.int32)
        value = np.where(self.is_int[fixed], np.round(x[cols]), x[cols])
        h.changeColsBounds(len(cols), cols, value, value)
        self._links(False)
        # warm from the last dispatch basis: at full year (reference study, Stockholm /
        # direct liquid) 2.9 s against 26.8 s cold
        status = self.hm.solve()
        if status.status != "optimal":  # a warm start that went astray: once more, cold
            h.clearSolver()
            status = self.hm.solve()
        h.changeColsBounds(len(cols), cols, self.col_lower[cols], self.col_upper[cols])
        if status.status != "optimal":
            log.warning("polishing the continuous design failed (%s); keeping the "
                        "decomposition's design", status.message)
            return None
        return status.objective, np.asarray(h.getSolution().col_value, dtype=float)[:self.n]

    def _integral(self, x: np.ndarray) -> bool:
        return bool((np.abs(x[self.is_int] - np.round(x[self.is_int])) <= INT_TOL).all())

    # ------------------------------------------------------------------ loop
    def solve(self, lp_start: tuple[float, np.ndarray, np.ndarray] | None = None,
              cutoff: float = math.inf, time_limit_s: float | None = None,
              penalty_scale: float | None = None, in_out: float = 0.5,
              warm: np.ndarray | None = None, floor: float | None = None) -> BendersResult:
        """Run the decomposition. ``lp_start`` = (LP*, x_LP, reduced costs) of the LP
        relaxation with the current bounds (vectors over every column or over the design
        columns only); when None it is solved here, unless the cut
        pool of an earlier ``solve`` is kept (same objective, epsilon as tight or tighter):
        then the master starts from those cuts. ``cutoff``: stop (``pruned``) once the lower
        bound reaches it (another candidate's objective, gap applied by the caller).
        ``in_out``: stabilisation weight: the continuous design is evaluated at
        in_out x_master + (1 - in_out) x_best while that cuts the master's point off
        (Ben-Ameur & Neto 2007), else at x_master. ``warm``: a design (full column vector,
        e.g. a neighbouring front point's) evaluated before the first master; without it,
        the LP relaxation's design of ``lp_start`` is. ``floor``: a
        known lower bound of the objective (e.g. from an earlier search); with neither
        ``lp_start`` nor a kept pool it replaces the LP relaxation as the master's first bound
        (theta >= floor keeps the master bounded; the cuts then come from the designs alone).
        """
        start = time.perf_counter()
        known_floor = floor is not None and math.isfinite(floor)
        if lp_start is None and not self.cuts and not known_floor:
            lp, lp_start, _ = self.relaxation()
            if lp_start is None:
                return BendersResult(status="infeasible" if lp.infeasible else lp.status,
                                     message=f"LP relaxation: {lp.message}",
                                     seconds=time.perf_counter() - start)
        elif lp_start is None and not self.cuts:  # the floor alone bounds the first master
            self.set_penalties(floor, np.zeros(len(self.design)), None)
        if known_floor:
            self.floor = max(self.floor, floor)
        if lp_start is not None:
            lp_value, lp_x, lp_r = lp_start
            if len(lp_x) == self.n:  # full vectors: their design entries
                lp_x, lp_r = lp_x[self.design], lp_r[self.design]
            self.set_penalties(lp_value, lp_r, penalty_scale)
            self.floor = max(self.floor, lp_value)
            self.cuts.append((lp_value, lp_r, lp_x))
        if self.floor >= cutoff:  # bounded out before any design is evaluated
            return BendersResult(status="pruned", lower=self.floor,
                                 seconds=time.perf_counter() - start)
        mh = self._master()
        result = BendersResult(status="time_limit", lower=self.floor)
        # the first design: ``warm``, else the LP relaxation's own (its dispatch is feasible
        # and its cut tight at the LP optimum; the first master's design, bounded by the LP
        # cut alone, is a corner of the design box, whose dispatch took 35 s at full year
        # against 0.3-0.9 s for the next ones)
        x_warm = np.asarray(warm, dtype=float)[self.design] if warm is not None else (
            None if lp_start is None else np.asarray(lp_x, dtype=float))
        if x_warm is not None:
            status, kind, value, slope, _ = self._evaluate(x_warm, result)
            if kind is not None:
                self._add(mh, kind, (value, slope, x_warm))
        seen: set[bytes] = set()
        for it in range(1, self.max_iterations + 1):
            if interrupted():
                result.status = "interrupted"
                break
            tick = time.perf_counter()
            _use_threads(int(self.hm.settings.threads))
            mh.run()
            result.master_seconds += time.perf_counter() - tick
            if mh.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                status = mh.modelStatusToString(mh.getModelStatus())
                if result.x is None:
                    result.status, result.message = "infeasible", "master: " + status
                    break
                # a design was operated within every cut: the master cannot be empty in exact
                # arithmetic, HiGHS's tolerances made it so (at full year near a candidate's
                # lowest emissions, after 16-192 feasibility cuts; relaxing them by 1e-5 x
                # epsilon did not help there): stopped, both bounds as reached
                self._done(result, cutoff)
                result.message = f"master {status} around the best design (numerical)"
                log.warning("decomposition stopped: %s; bounds %.10g <= %.10g",
                            result.message, result.lower, result.upper)
                break
            result.lower = max(result.lower, float(mh.getInfo().mip_dual_bound))
            solution = np.asarray(mh.getSolution().col_value, dtype=float)
            x_master, theta = np.where(self.is_int, np.round(solution[:-1]), solution[:-1]), \
                solution[-1]
            result.iterations = it
            if self._done(result, cutoff):
                break
            cut = None
            best = None if result.x is None else result.x[self.design]
            if in_out < 1.0 and best is not None and np.array_equal(
                    np.round(best[self.is_int]), x_master[self.is_int]):
                # stabilised point first, on the same integer design (a mix of two integer
                # designs would break the design rows, e.g. a heat pump without connection)
                x_sep = np.where(self.is_int, x_master,
                                 in_out * x_master + (1.0 - in_out) * best)
                status, kind, value, slope, _ = self._evaluate(x_sep, result)
                if kind == "optimality" and value + slope @ (x_master - x_sep) > theta + \
                        1e-9 * max(abs(theta), 1.0):
                    cut = (kind, (value, slope, x_sep))
                elif kind is not None:
                    self._add(mh, kind, (value, slope, x_sep))
            if cut is None:
                status, kind, value, slope, int_moved = self._evaluate(x_master, result)
                if kind is None:
                    result.status, result.message = status.status, f"dispatch LP: {status.message}"
                    break
                key = np.round(x_master, 9).tobytes()
                if key in seen and int_moved:  # P too low to show this design cannot run
                    self._set_penalty(self.penalty * 10.0)
                seen.add(key)
                cut = (kind, (value, slope, x_master))
            self._add(mh, *cut)
            result.history.append((result.lower, result.upper))
            log.debug("benders %d: LB %.8g UB %.8g", it, result.lower, result.upper)
            if self._done(result, cutoff):
                break
            if time_limit_s is not None and time.perf_counter() - start > time_limit_s:
                break
        result.seconds = time.perf_counter() - start
        if result.status == "time_limit" and result.iterations >= self.max_iterations:
            result.message = f"iteration limit ({self.max_iterations})"
        return result

    def set_penalties(self, lp_value: float, r: np.ndarray, scale: float | None) -> None:
        """Elastic prices P_j above the LP's |reduced cost| (module docstring)."""
        scale = scale if scale is not None else max(1.0, 1e-2 * abs(lp_value))
        penalty = np.maximum(2.0 * np.abs(r), np.where(self.is_int, 100.0, 1.0) * scale)
        if self._link_added:
            self._set_penalty(penalty)
        else:
            self._add_links(penalty)

    def _done(self, result: BendersResult, cutoff: float) -> bool:
        if result.lower >= cutoff:
            result.status = "pruned"
            return True
        if math.isfinite(result.upper) and result.upper - result.lower <= max(
                self.abs_gap, self.gap * max(abs(result.upper), 1e-9)):
            result.status = "optimal"
            return True
        return False
