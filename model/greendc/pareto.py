"""Exact cost-emissions Pareto fronts: augmented epsilon-constraint (AUGMECON2 style).

1. End points by lexicographic optimisation: min cost, then min emissions at that cost
   (point "cost end"); min emissions, then min cost at those emissions ("emissions end").
2. Grid: epsilon_i from the cost end's emissions down to the emissions end's, N points in all.
3. Each point, the two ends included: min cost + lambda x emissions subject to emissions <=
   epsilon_i, with lambda = delta x (cost range / emissions range), delta = 1e-4. This is
   AUGMECON's "min f1 - delta x slack / range" with slack = epsilon - emissions (the constant
   drops out): an exact optimum is never a weakly dominated point. AUGMECON2's bypass: when
   the slack exceeds k grid steps, the next k grid points would return the same design and
   are skipped.
   The augmentation term is small (lambda x emissions range = delta x cost range, about
   620 EUR/yr on an 82 M EUR/yr reference front), far below a relative MIP gap of 1e-4 (8.2 k
   EUR/yr): a point within such a gap could be weakly dominated and a neighbour's cost
   difference solver noise. So every point is solved to an absolute gap of a tenth of the
   term (``front_settings``; the scenario's gap if that is tighter), the end points too (the
   lexicographic end points, solved at the scenario's gap, only fix the grid and lambda).
4. The epsilon bound is the upper bound of the emissions column of a persistent compiled
   model; nothing is rebuilt between points. How a point is solved (``front_method``, from
   ``solver.strategy``):
   - "benders" (the default for one site to build): each (site, cooling) candidate is a
     design/dispatch decomposition (``greendc.benders``, ``BendersSweep``). Its cut pool is
     kept from one epsilon to the next tighter one (tightening only raises the dispatch
     cost, so the cuts stay valid lower estimates), a design that cannot meet epsilon gets an
     exact feasibility cut (valid at every epsilon), each point starts from the
     candidate's previous design, and a candidate is decomposed only if its LP relaxation
     at the point's epsilon is below the incumbent (that LP is then its first cut). The
     end points come from the same search (``greendc.search``): least cost (its emissions top the grid; the sweep's augmented
     first point removes any weak domination), and least emissions followed by least cost
     within 1e-6 of them (the lexicographic second stage, by the decomposition);
   - "decompose" / "monolithic": a MILP per candidate / over every candidate
     (``CandidateSweep``), re-solved from the previous basis and incumbent, with
     lexicographic MILP end points.

With one site to build and several (site, cooling) candidates, the front is the lower
envelope of the candidates' fronts, swept on the same grid, the cheapest at each epsilon
kept. LP bounds come from ``greendc.bounds`` (as in the study decomposition): only a proven
infeasibility rules a candidate out; a bound the LP could not prove (time limit, numerical
trouble) is "no bound" and the candidate is solved. An epsilon where no design was found
without every candidate being proven infeasible is listed in ``points_missing``, not
silently dropped. Points are then checked: duplicates (same cost and emissions within
tolerance) and dominated points are flagged, and the abatement cost between neighbours
(EUR/tCO2) is reported, except where the cost step is within the two points' MIP gaps
(``abatement_within_gap``: the step is not resolved by the solves, no EUR/t is given).
"""

from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import xarray as xr

from greendc.bounds import Bound, bound_from, lp_bound
from greendc.engine import Engine
from greendc.errors import InfeasibleError, ScenarioError
from greendc.progress import step_of
from greendc.results import summary, with_queue
from greendc.solve import INF, HighsModel, SolverSettings, SolveStatus
from greendc.study import (ModelSpec, Study, _failure, combinations, no_design_error,
                           provenance_attrs, solve_decomposed, solve_inputs)
from greendc.results import extract_results

log = logging.getLogger(__name__)
DELTA = 1e-4


@dataclass
class Point:
    epsilon: float
    cost: float
    emissions: float
    results: xr.Dataset
    candidate: str
    status: str
    mip_gap: float
    objective: float = math.nan  # cost + weight x emissions, the value the sweep minimised
    bound: float = -math.inf  # proven lower bound of that value (MILP dual bound)

    @property
    def gap_eur(self) -> float:
        """Absolute MIP gap of the point [EUR/yr]: how far the optimum may be below it."""
        return max(self.objective - self.bound, 0.0) if math.isfinite(self.bound) else math.inf


def front_settings(settings: SolverSettings, cost_lo: float, cost_hi: float) -> SolverSettings:
    """Solver settings of the front's point solves: an absolute MIP gap [EUR/yr] of a tenth
    of the augmentation term DELTA x (cost_hi - cost_lo), or the scenario's relative gap
    times the cost if that is tighter (relative gap 0: the absolute one decides)."""
    scenario_gap = settings.mip_rel_gap * max(abs(cost_lo), abs(cost_hi), 1.0)
    term = DELTA * (cost_hi - cost_lo)
    gap = min(term / 10, scenario_gap) if term > 0 else scenario_gap
    return replace(settings, mip_rel_gap=0.0, mip_abs_gap=gap)


def _tolerance(settings: SolverSettings, value: float) -> float:
    """The MIP gap of ``settings`` at objective ``value``, in objective units."""
    if settings.mip_abs_gap is not None:
        return max(settings.mip_abs_gap, settings.mip_rel_gap * abs(value))
    return settings.mip_rel_gap * abs(value)


def _scope_var(m, scope: str):
    return m.operational_t_co2 if scope == "operational" else m.emissions_t_co2


def _emissions_of(res: xr.Dataset, scope: str) -> float:
    name = "operational_t_per_yr" if scope == "operational" else "emissions_t_per_yr"
    return float(res[name])


class CandidateSweep:
    """One candidate (a (site, cooling) sub-problem or the whole model) kept alive in HiGHS."""

    def __init__(self, spec: ModelSpec, inputs: xr.Dataset, scope: str, label: str):
        self.inputs, self.scope, self.label = inputs, scope, label
        self.model = spec.build(inputs)
        self.highs = HighsModel(self.model, spec.settings)
        self.emissions = _scope_var(self.model, scope)

    def _prepare(self, epsilon: float | None, weight: float) -> HighsModel:
        hm = self.highs
        hm.set_objective(self.model.cost_eur)
        if weight:
            hm.highs.changeColCost(hm.column(self.emissions), weight)
        hm.set_column_bounds(self.emissions, None, epsilon)
        return hm

    def lower_bound(self, epsilon: float | None, weight: float) -> Bound:
        """LP-relaxation bound of the sweep objective at epsilon (``greendc.bounds``): a lower
        bound of the MILP at this epsilon and at every tighter one; +inf only when proven
        infeasible, -inf when the LP proved nothing."""
        return lp_bound(self._prepare(epsilon, weight), f"{self.label} at {epsilon}")

    def solve(self, epsilon: float | None, weight: float, cutoff: float = math.inf,
              floor: float = -math.inf, lp_start: tuple | None = None) -> Point | None:
        """min cost + weight x emissions s.t. emissions <= epsilon (None: no bound). None when
        no design was found; ``last_status`` says whether that is a proven infeasibility.
        The MILP is solved in full (``cutoff``, ``floor`` and ``lp_start`` are for
        ``BendersSweep``)."""
        hm = self._prepare(epsilon, weight)
        status = self.last_status = hm.solve()
        if not status.has_solution:
            return None
        hm.load_solution()
        res = extract_results(self.model, self.inputs)
        return Point(epsilon=math.nan if epsilon is None else epsilon,
                     cost=float(res["cost_eur_per_yr"]), emissions=_emissions_of(res, self.scope),
                     results=res, candidate=self.label, status=status.status,
                     mip_gap=float(status.mip_gap or 0.0), objective=float(status.objective),
                     bound=float(status.dual_bound if status.dual_bound is not None
                                 else -math.inf))


class BendersSweep:
    """One (site, cooling) candidate kept alive as a design/dispatch decomposition
    (``greendc.benders``): its optimality cuts carry over from one epsilon to the next tighter
    one (same weight), its feasibility cuts to every epsilon, and each point starts from the
    candidate's previous design. Same interface as ``CandidateSweep``."""

    def __init__(self, spec: ModelSpec, inputs: xr.Dataset, scope: str, label: str):
        from greendc.search import compiled_decomposition

        self.inputs, self.scope, self.label = inputs, scope, label
        self.model, self.highs, self.decomposition = compiled_decomposition(spec, inputs)
        self.column = self.highs.column(_scope_var(self.model, scope))
        self.base_costs = self.decomposition.costs.copy()
        self.time_limit_s = spec.settings.time_limit_s
        self.weight: float | None = None
        self.last_x: np.ndarray | None = None  # the previous point's full solution
        self.last_status: SolveStatus | None = None
        self.lp_basis: tuple | None = None  # basis of its last LP relaxation (a warm start)

    def _prepare(self, epsilon: float | None, weight: float) -> None:
        if weight != self.weight:
            costs = self.base_costs.copy()
            costs[self.column] += weight
            self.decomposition.set_objective(costs)
            self.weight = weight
        self.decomposition.bound_column(self.column, INF if epsilon is None else epsilon)

    def relaxation(self, epsilon: float | None, weight: float, bases: dict | None = None
                   ) -> tuple[Bound, tuple | None]:
        """LP relaxation of min cost + weight x emissions s.t. emissions <= epsilon
        (``Decomposition.relaxation``): (bound, LP start for ``solve``). Warm from this
        candidate's previous LP (a looser epsilon: 0.1-60 s at full year), else from
        ``bases`` {shape: basis} (other candidates' LPs; at full year 12 s against 157 s
        cold), else cold; its basis is put in ``bases``."""
        self._prepare(epsilon, weight)
        dec, bases = self.decomposition, {} if bases is None else bases
        bound, start, lp_basis = dec.relaxation(
            self.lp_basis if self.lp_basis is not None else bases.get(dec.shape))
        if lp_basis is not None:
            self.lp_basis = bases[dec.shape] = lp_basis
        return bound, start

    def solve(self, epsilon: float | None, weight: float, cutoff: float = math.inf,
              floor: float = -math.inf, lp_start: tuple | None = None) -> Point | None:
        """min cost + weight x emissions s.t. emissions <= epsilon by the decomposition,
        stopped (``last_status`` "pruned", its lower bound) once its bound reaches
        ``cutoff``. ``floor``: a known lower bound of that objective; ``lp_start``: the LP
        relaxation at this epsilon (``relaxation``), the first cut; with neither, the
        decomposition solves that LP itself. None when no design was found."""
        self._prepare(epsilon, weight)
        dec = self.decomposition
        result = dec.solve(lp_start=lp_start, cutoff=cutoff, time_limit_s=self.time_limit_s,
                           warm=self.last_x, floor=floor)
        log.debug("front %s at %s: %s in %d iterations (%d feasibility cuts, %.1f s)",
                  self.label, epsilon, result.status, result.iterations, result.feasibility,
                  result.seconds)
        x, upper = result.x, result.upper
        if x is not None and result.status != "pruned":
            polished = dec.polish(x)
            if polished is not None and polished[0] <= upper + 1e-9 * max(abs(upper), 1.0):
                upper, x = polished
        gap = max(upper - result.lower, 0.0) / max(abs(upper), 1e-9) if x is not None else None
        self.last_status = SolveStatus(status=result.status, objective=upper,
                                       dual_bound=result.lower, mip_gap=gap,
                                       seconds=result.seconds, message=result.message)
        if x is None or result.status == "pruned":
            return None
        self.last_x = x
        self.highs.restore(x)
        self.highs.load_solution()
        res = extract_results(self.model, self.inputs)
        return Point(epsilon=math.nan if epsilon is None else epsilon,
                     cost=float(res["cost_eur_per_yr"]), emissions=_emissions_of(res, self.scope),
                     results=res, candidate=self.label,
                     status="optimal" if result.status == "optimal" else "time_limit",
                     mip_gap=float(gap), objective=float(upper), bound=float(result.lower))


def _record_bounds(bounds: dict[str, tuple[float, float]], table: xr.Dataset, combos,
                   cost: bool) -> None:
    """Put each candidate's lower bound from a search's table into ``bounds`` as its
    (cost bound, emissions bound): the first when ``cost``, else the second."""
    for s, c in combos:
        value = float(table["candidate_lower_bound"].sel(site=s, cooling=c))
        cost_lb, _ = bounds.get(f"{s}/{c}", (math.inf, math.inf))
        bounds[f"{s}/{c}"] = (value, math.inf) if cost else (cost_lb, value)


def _end_points(study: Study, scope: str, combos, engine: Engine):
    """Lexicographic end points and the LP cost bound of every candidate."""
    base = ModelSpec.of(study)
    cost_spec = ModelSpec("cost", scope, base.cap_t_co2, base.settings, lexicographic=True)
    emis_spec = ModelSpec("operational" if scope == "operational" else "emissions", scope,
                          base.cap_t_co2, base.settings, lexicographic=True)
    bounds: dict[str, tuple[float, float]] = {}  # candidate: (LP cost bound, LP emissions bound)
    ends = []
    for spec in (cost_spec, emis_spec):
        if len(combos) > 1:
            best, table, _ = solve_decomposed(study.inputs, spec, combos, engine)
            if best is None:
                raise no_design_error(study, table)
            _record_bounds(bounds, table, combos, spec is cost_spec)
            res = best.results
        else:
            solved = solve_inputs(spec, study.inputs)
            if solved.results is None:
                raise _failure(study, solved.status)
            res = solved.results
        ends.append(res)
    return ends, bounds


def _benders_end_points(study: Study, scope: str, combos, engine: Engine):
    """End points by the decomposition (``greendc.search``) and every candidate's lower
    bounds (cost, emissions). The cost end is the least-cost design (its emissions top the
    grid; the sweep's first point, augmented, removes any weak domination); the emissions
    end is min emissions, then min cost within 1e-6 of them (the lexicographic second stage,
    by the same decomposition) over every candidate whose emissions bound is that low."""
    from greendc.search import search

    base = ModelSpec.of(study)
    emis_objective = "operational" if scope == "operational" else "emissions"
    bounds: dict[str, tuple[float, float]] = {}
    ends = []
    for objective in ("cost", emis_objective):
        spec = ModelSpec(objective, scope, base.cap_t_co2, base.settings)
        best, table, _ = search(study.inputs, spec, combos, engine)
        if best is None:
            raise no_design_error(study, table)
        _record_bounds(bounds, table, combos, objective == "cost")
        ends.append(best.results)
    lowest = _emissions_of(ends[1], scope)
    epsilon = lowest + max(abs(lowest) * 1e-6, 1e-6)
    tied = [(s, c) for s, c in combos if bounds[f"{s}/{c}"][1] <= epsilon]
    spec = ModelSpec("cost", scope, base.cap_t_co2, base.settings)
    second_stage = engine.map(_lowest_cost_at, [spec] * len(tied),
                              [study.inputs.sel(site=[s], cooling=[c]) for s, c in tied],
                              [scope] * len(tied), [epsilon] * len(tied),
                              [bounds[f"{s}/{c}"][0] for s, c in tied])
    found = [r for r in second_stage if r is not None]
    if found:
        ends[1] = min(found, key=lambda r: float(r["cost_eur_per_yr"]))
    return ends, bounds


def _lowest_cost_at(spec: ModelSpec, inputs: xr.Dataset, scope: str, epsilon: float,
                    floor: float = -math.inf):
    """Results of min cost s.t. emissions <= epsilon on one candidate (None if none found).
    ``floor``: the candidate's cost lower bound [EUR/yr] (from the cost end's search): the
    decomposition starts from it instead of an LP relaxation (213 s cold at full year)."""
    label = f"{inputs.site.values[0]}/{inputs.cooling.values[0]}"
    point = BendersSweep(spec, inputs, scope, label).solve(epsilon, 0.0, floor=floor)
    return None if point is None else point.results


def _label(res: xr.Dataset) -> str:
    info = summary(res)
    site = info["site"] if isinstance(info["site"], str) else "+".join(info["site"])
    cool = info["cooling"] if isinstance(info["cooling"], str) else "+".join(info["cooling"].values())
    return f"{site}/{cool}"


def epsilon_grid(em_hi: float, em_lo: float, points: int | None,
                 caps: list[float] | None) -> tuple[np.ndarray, np.ndarray, list[float]]:
    """Epsilons of a front [tCO2e/yr], loose to tight: ``points`` evenly spaced from the
    cost end's emissions ``em_hi`` to the emissions end's ``em_lo`` (or only the two ends),
    merged with the user's ``caps``; a cap at or above ``em_hi`` does not bind and is the
    cost end's point. Returns (grid, the user's cap at each point or NaN, caps below
    ``em_lo``: no design reaches them)."""
    tol = 1e-6 * max(abs(em_hi), abs(em_lo), 1.0)
    base = list(np.linspace(em_hi, em_lo, points)) if points else [em_hi, em_lo]
    reachable = [float(c) for c in caps or [] if c >= em_lo - tol]
    values = sorted(set(base) | {min(c, em_hi) for c in reachable}, reverse=True)
    grid: list[float] = []
    for v in values:  # a cap within tolerance of a grid value is that point
        if not grid or grid[-1] - v > tol:
            grid.append(v)
    user = np.full(len(grid), np.nan)
    for c in reachable:
        i = int(np.argmin([abs(g - min(c, em_hi)) for g in grid]))
        user[i] = c if np.isnan(user[i]) else max(user[i], c)
    return np.array(grid), user, [float(c) for c in caps or [] if c < em_lo - tol]


def pareto_front(study: Study, points: int | None = 10, scope: str = "emissions",
                 persistent: bool = True, designs: list | None = None,
                 caps: list[float] | None = None, scheduler: str | None = None) -> xr.Dataset:
    """Compute a cost-emissions front; returns a Dataset with a ``point`` dim.

    ``points``: N evenly spaced epsilons between the two ends (None with ``caps``: only the
    two ends); ``caps``: the user's emissions caps [tCO2e/yr], solved as front points in
    addition (flag ``user_cap``); a cap below the lowest reachable emissions is listed in
    ``points_missing``. Each point carries its shadow prices (``greendc.duals``) unless
    ``solver.duals`` is false.
    scope: "emissions" (total, default) or "operational". ``persistent=False`` rebuilds the
    model for every point (used by tests to check the persistent re-solve). When a list is
    passed as ``designs`` it receives each point's full results Dataset, in point order.
    The end points' candidate solves and the chunks of epsilons run on one
    ``greendc.engine.Engine``: ``solver.workers`` local processes, or the dask scheduler at
    ``scheduler`` (a bad address fails before any solve).
    """
    if points is None and not caps:
        raise ValueError("a front needs points (>= 2) or caps")
    if points is not None and points < 2:
        raise ValueError("a front needs at least 2 points")
    start = time.perf_counter()
    combos = combinations(study)
    if not combos:
        raise InfeasibleError(f"{study.loaded.origin}: no (site, cooling) candidate is allowed")
    method = front_method(study, len(combos))
    with Engine(study.scenario.solver.workers, scheduler) as engine:
        return _front(study, points, scope, persistent, designs, caps, start, combos,
                      method, engine)


def front_method(study: Study, candidates: int) -> str:
    """How the front's points are solved (``solver.strategy``): "benders" (auto or benders,
    one site to build: each (site, cooling) candidate a decomposition), "decompose" (one
    MILP per candidate), "monolithic" (one MILP over every candidate; also with several
    sites to build, or auto with several)."""
    strategy = study.scenario.solver.strategy
    if study.scenario.max_sites != 1:
        if strategy in ("benders", "decompose"):
            raise ScenarioError(f"{study.loaded.origin}: solver.strategy = {strategy} needs "
                                f"max_sites = 1 (got {study.scenario.max_sites}); use "
                                "monolithic")
        return "monolithic"
    if strategy in ("auto", "benders"):
        return "benders"
    return "decompose" if strategy == "decompose" and candidates > 1 else "monolithic"


def _front(study, points, scope, persistent, designs, caps, start, combos, method,
           engine: Engine) -> xr.Dataset:
    decomposable = method != "monolithic"
    if method == "benders":
        (cost_end, emis_end), bounds = _benders_end_points(study, scope, combos, engine)
    else:
        (cost_end, emis_end), bounds = _end_points(
            study, scope, combos if decomposable else [None], engine)
    em_hi, em_lo = _emissions_of(cost_end, scope), _emissions_of(emis_end, scope)
    cost_lo, cost_hi = float(cost_end["cost_eur_per_yr"]), float(emis_end["cost_eur_per_yr"])
    grid, user_cap, unreachable = epsilon_grid(em_hi, em_lo, points, caps)
    n_points = len(grid)
    weight = DELTA * (cost_hi - cost_lo) / (em_hi - em_lo) if em_hi - em_lo > 1e-9 else 0.0
    spec = ModelSpec.of(study)
    spec = ModelSpec("cost", scope, spec.cap_t_co2,
                     front_settings(spec.settings, cost_lo, cost_hi))
    if decomposable:
        # only a proven infeasibility (+inf) drops a candidate; -inf (no bound) keeps it
        candidates = [(s, c) for s, c in combos if bounds[f"{s}/{c}"][0] < math.inf]
    else:
        candidates = [None]
        bounds = {"all": (-math.inf, -math.inf)}
    swept = list(range(n_points))  # the ends again, to the front's gap
    workers = min(engine.workers, max(len(swept), 1))
    chunks = [c for c in np.array_split(np.array(swept, dtype=int), workers) if len(c)]
    jobs = [(spec, study.inputs, scope, candidates, bounds, [(int(i), float(grid[i])) for i in c],
             weight, persistent, "benders" if method == "benders" else "milp",
             _label(cost_end)) for c in chunks]
    best: dict[int, Point] = {}
    missing: dict[int, str] = {}
    for found, lost in engine.map(sweep_chunk, *zip(*jobs)):
        best.update(found)
        missing.update(lost)
        log.info("front points %s done", sorted(found),
                 extra=step_of("front points", len(best) + len(missing), n_points))
    rel = study.scenario.solver.mip_rel_gap  # the lexicographic ends' gap, if they are kept
    for i, res, cost, emis in ((0, cost_end, cost_lo, em_hi),
                               (n_points - 1, emis_end, cost_hi, em_lo)):
        if i not in best:  # the sweep found nothing there: keep the lexicographic end point
            missing.pop(i, None)
            best[i] = Point(float(grid[i]), cost, emis, res, _label(res),
                            str(res.attrs.get("solver_status", "optimal")), rel, cost,
                            cost - rel * abs(cost))
    kept = [i for i in swept if i in best]
    ordered = [best[i] for i in kept]
    front = assemble_front(ordered, study, scope)
    front["user_cap"] = ("point", ~np.isnan(user_cap[kept]))
    front["user_cap"].attrs["long_name"] = "the point answers one of the caps the user gave"
    front["user_cap_t_per_yr"] = ("point", user_cap[kept])
    front["user_cap_t_per_yr"].attrs.update(
        units="tCO2e/yr", long_name="the user's cap of the point (NaN: a grid point); a cap "
        "above the cost end's emissions does not bind and is the cost end")
    if study.scenario.solver.duals:
        front = front.merge(front_duals(ordered, study, spec, user_cap[kept]))
    seconds = round(time.perf_counter() - start, 3)
    if designs is not None:
        designs.extend(_point_results(p, study, seconds) for p in ordered)
    lost = [{"epsilon_t_per_yr": float(grid[i]), "reason": missing[i]} for i in sorted(missing)]
    lost += [{"epsilon_t_per_yr": c, "reason": f"below the lowest reachable {scope} "
              f"{em_lo:,.6g} tCO2e/yr (the emissions end)"} for c in unreachable]
    front.attrs.update(provenance_attrs(study))
    front.attrs.update(seconds=seconds, points_requested=n_points, persistent=int(persistent),
                       front_method=method,
                       candidates=json.dumps(
                           [c if c is None else f"{c[0]}/{c[1]}" for c in candidates]),
                       points_missing=json.dumps(lost),
                       user_caps_t_per_yr=json.dumps([float(c) for c in caps or []]))
    return front


def front_duals(points: list[Point], study: Study, spec: ModelSpec,
                user_caps: np.ndarray) -> xr.Dataset:
    """Shadow prices of each front point (``greendc.duals``): the cost LP of its discrete
    design with emissions <= its epsilon, or <= the user's cap where that is looser (a cap
    above the cost end does not bind: price 0); one persistent LP per candidate."""
    from greendc.duals import UNITS, DualLP, restrict_to_design

    lps: dict[str, DualLP] = {}
    rows = []
    for p, cap in zip(points, user_caps):
        if p.candidate not in lps:
            lps[p.candidate] = DualLP(spec, restrict_to_design(study.inputs, p.results))
        eps = max(p.epsilon, cap) if math.isfinite(cap) else p.epsilon
        eps = eps if math.isfinite(eps) else None
        rows.append(lps[p.candidate].solve(p.results, eps))
    log.info("front shadow prices: %d LPs on %d candidates", len(points), len(lps))
    out = xr.Dataset(coords={"point": np.arange(len(points))})
    for name in UNITS:
        values = [float(r[name].sum(skipna=True)) if r[name].ndim else float(r[name])
                  for r in rows]  # connection: the built site's value
        out[name] = ("point", values, rows[0][name].attrs)
    out["duals_status"] = ("point", [r.attrs["duals_status"] for r in rows])
    return out


def _point_results(point: Point, study: Study, seconds: float) -> xr.Dataset:
    """A front point's results Dataset with the scenario's provenance and the point's own
    solver status and gap (as ``solve_study`` labels a run), on the study's candidate sites
    and coolings (with their hourly PUE), so that a saved point reports like a run."""
    res = point.results.reindex(site=study.inputs.site, cooling=study.inputs.cooling,
                                fill_value=0.0)
    res["candidate_pue"] = study.inputs["pue"].astype("float32")
    res["candidate_pue"].attrs.update(units="1", long_name="hourly PUE of every candidate "
                                      "site and cooling technology")
    res["candidate_pue_source"] = study.inputs["pue_source"]
    res.attrs = dict(point.results.attrs)
    res.attrs.update(provenance_attrs(study), solver_status=point.status,
                     solver_mip_gap=point.mip_gap, solver_seconds=seconds,
                     solver_strategy="pareto point (epsilon-constraint)",
                     front_epsilon_t_per_yr=point.epsilon)
    return with_queue(res, study.inputs)


def sweep_chunk(spec: ModelSpec, inputs: xr.Dataset, scope: str, candidates: list,
                bounds: dict[str, tuple[float, float]], chunk: list[tuple[int, float]],
                weight: float, persistent: bool = True, method: str = "milp",
                first: str | None = None) -> tuple[dict[int, Point], dict[int, str]]:
    """Best point at each epsilon of ``chunk`` (loose to tight) over the candidates, and the
    epsilons where none was found although not every candidate is proven infeasible there
    (time limits), with the reason: such a point is reported missing, never silently dropped.

    Exact by bounding: a candidate's lower bound starts at its LP cost bound and rises with
    every LP or MILP value found at a looser epsilon (tightening epsilon never lowers cost);
    candidates whose LP emissions bound exceeds epsilon are infeasible. At each epsilon the
    previous winner is solved first (warm incumbent), then the others in order of bound, each
    checked by its LP value at epsilon before its MILP; a bound within the MIP gap of the
    incumbent prunes; only a proven infeasibility (LP or MILP) rules a candidate out.
    AUGMECON2's bypass skips the following epsilons the winner's emissions already meet.
    ``method``: "milp" (``CandidateSweep``) or "benders" (``BendersSweep``: every candidate's
    LP at epsilon, the previous winner's too, warm from its LP at the looser epsilon or from
    the chunk's last LP basis of that shape; it prunes, and it is the decomposition's first
    cut, whose own bound then prunes against the incumbent as it rises).
    ``first``: the candidate solved first at the chunk's first epsilon (the cost end's), so
    that the others meet an incumbent.
    """
    label = {c: "all" if c is None else f"{c[0]}/{c[1]}" for c in candidates}
    lower = {c: bounds[label[c]][0] for c in candidates}
    sweeps: dict = {}

    def sweep(c) -> CandidateSweep:
        if c not in sweeps or not persistent:
            sub = inputs if c is None else inputs.sel(site=[c[0]], cooling=[c[1]])
            kind = BendersSweep if method == "benders" else CandidateSweep
            sweeps[c] = kind(spec, sub, scope, label[c])
        return sweeps[c]

    found: dict[int, Point] = {}
    missing: dict[int, str] = {}  # epsilon index: why no point was found there
    lp_bases: dict = {}  # the chunk's last LP basis of each model shape: warm first LPs
    winner = next((c for c in candidates if label[c] == first), None)
    i = 0
    while i < len(chunk):
        idx, eps = chunk[i]
        # the solver's feasibility tolerance lets a design sit a hair above epsilon
        reach = eps + 1e-6 * max(abs(eps), 1.0)
        alive = [c for c in candidates if bounds[label[c]][1] <= reach]
        order = sorted(alive, key=lambda c: (c != winner, lower[c]))
        incumbent: Point | None = None
        unresolved: list[str] = []  # candidates neither solved to optimality nor ruled out
        for c in order:
            level = math.inf if incumbent is None else incumbent.objective - _tolerance(
                spec.settings, incumbent.objective)
            if lower[c] >= level:
                continue
            solver, lp_start = sweep(c), None
            if method == "benders":  # its LP at epsilon: a bound and the first cut
                bound, lp_start = solver.relaxation(eps, weight, lp_bases)
                lower[c] = max(lower[c], bound.value)
            elif incumbent is not None:  # cheap LP check before the MILP
                lower[c] = max(lower[c], solver.lower_bound(eps, weight).value)
            if lower[c] >= level:
                continue
            # a lower bound of cost + weight x emissions: the cost bound, less the weight
            # times the emissions bound where that may be negative (heat credits)
            floor = lower[c] + weight * min(bounds[label[c]][1], 0.0)
            pt = solver.solve(eps, weight, level, floor, lp_start)
            if pt is None:
                if solver.last_status.status == "pruned":
                    lower[c] = max(lower[c], solver.last_status.dual_bound)
                elif bound_from(solver.last_status).infeasible:
                    lower[c] = math.inf  # infeasible here, so at every tighter epsilon too
                else:  # e.g. a time limit without a design: unknown, not infeasible
                    unresolved.append(f"{label[c]}: {solver.last_status.status}")
                continue
            lower[c] = max(lower[c], pt.bound)
            if pt.status != "optimal":
                unresolved.append(f"{label[c]}: {pt.status}")
            if incumbent is None or pt.objective < incumbent.objective:
                incumbent = pt
        if incumbent is None:
            if not unresolved:
                break  # proven: no candidate reaches this epsilon, nor any tighter one
            missing[idx] = "; ".join(unresolved)
            log.warning("front point at epsilon %.6g tCO2e/yr: no design found (%s)",
                        eps, missing[idx])
            i += 1
            continue
        if unresolved:  # a candidate without a proven answer might have been cheaper
            incumbent = Point(**{**incumbent.__dict__, "status": "time_limit"})
        winner = next(c for c in candidates if label[c] == incumbent.candidate)
        found[idx] = incumbent
        # AUGMECON2 bypass: the next epsilons the design already meets (it is optimal there:
        # the feasible set only shrinks), within a hair of tolerance
        slack_tol = 1e-9 * max(abs(eps), 1.0)
        skip = 0
        while i + skip + 1 < len(chunk) and \
                chunk[i + skip + 1][1] >= incumbent.emissions - slack_tol:
            skip += 1
        for j in range(1, skip + 1):
            if i + j < len(chunk):
                found[chunk[i + j][0]] = Point(**{**incumbent.__dict__,
                                                  "epsilon": chunk[i + j][1]})
        i += 1 + skip
    return found, missing


def assemble_front(points: list[Point], study: Study, scope: str) -> xr.Dataset:
    """Stack the points' designs and KPIs along ``point``; flag duplicates and dominated
    points; abatement cost between neighbours."""
    n = len(points)
    cost = np.array([p.cost for p in points])
    emis = np.array([p.emissions for p in points])
    ds = xr.Dataset(coords={"point": np.arange(n), "server": study.inputs.server.values,
                            "tech": study.inputs.tech.values})

    def put(name, dims, values, units, long_name):
        ds[name] = (dims, values)
        ds[name].attrs.update(units=units, long_name=long_name)

    put("epsilon_t_per_yr", ("point",), [p.epsilon for p in points], "tCO2e/yr", "emissions bound")
    put("cost_eur_per_yr", ("point",), cost, "EUR/yr", "annual cost")
    put("emissions_t_per_yr", ("point",), [float(p.results["emissions_t_per_yr"]) for p in points],
        "tCO2e/yr", "total emissions")
    put("operational_t_per_yr", ("point",), [float(p.results["operational_t_per_yr"]) for p in points],
        "tCO2e/yr", "operational emissions")
    put("embodied_t_per_yr", ("point",), [float(p.results["embodied_t_per_yr"]) for p in points],
        "tCO2e/yr", "embodied emissions")
    infos = [summary(p.results) for p in points]
    ds["site"] = ("point", [p.candidate.split("/")[0] for p in points])
    ds["cooling"] = ("point", [p.candidate.split("/")[1] if "/" in p.candidate else "" for p in points])
    put("nodes", ("point", "server"), [[info["servers"].get(str(k), 0) for k in ds.server.values]
                                       for info in infos], "1", "nodes installed")
    put("supply_mw", ("point", "tech"), [[info["supply_mw"].get(str(r), 0.0) for r in ds.tech.values]
                                         for info in infos], "MW", "solar/wind contracted")
    for key, units in (("battery_mwh", "MWh"), ("battery_mw", "MW"), ("heat_pump_mw", "MW_th"),
                       ("mean_pue", "1"), ("heat_sold_mwh_per_yr", "MWh_th/yr"),
                       ("supply_share", "1")):
        put(key, ("point",), [info[key] for info in infos], units, key.replace("_", " "))
    ds["solver_status"] = ("point", [p.status for p in points])
    put("mip_gap", ("point",), [p.mip_gap for p in points], "1", "relative MIP gap")
    gaps = np.array([p.gap_eur for p in points])
    put("mip_gap_eur_per_yr", ("point",), gaps, "EUR/yr",
        "absolute MIP gap of the point's solve (cost + lambda x emissions)")
    tol_c = 1e-6 * max(abs(cost).max(), 1.0)
    tol_e = 1e-6 * max(abs(emis).max(), 1.0)
    duplicate = np.zeros(n, bool)
    dominated = np.zeros(n, bool)
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            same = abs(cost[i] - cost[j]) <= tol_c and abs(emis[i] - emis[j]) <= tol_e
            if same and j < i:
                duplicate[i] = True
            better = (cost[j] <= cost[i] + tol_c and emis[j] <= emis[i] + tol_e) and not same
            if better:
                dominated[i] = True
    ds["duplicate"] = ("point", duplicate)
    ds["dominated"] = ("point", dominated)
    abatement = np.full(n, np.nan)
    within = np.zeros(n, bool)
    for i in range(1, n):
        d_e = emis[i - 1] - emis[i]
        if d_e <= tol_e:
            continue
        if abs(cost[i] - cost[i - 1]) <= gaps[i] + gaps[i - 1]:  # not resolved by the solves
            within[i] = True
            continue
        abatement[i] = (cost[i] - cost[i - 1]) / d_e
    put("abatement_cost_eur_per_t", ("point",), abatement, "EUR/tCO2e",
        "cost of abatement from the previous point (NaN where abatement_within_gap)")
    ds["abatement_within_gap"] = ("point", within)
    ds["abatement_within_gap"].attrs["long_name"] = (
        "cost step from the previous point within the two points' MIP gaps: no abatement cost")
    ds.attrs.update(scenario=study.scenario.name, scope=scope,
                    scenario_hash=study.inputs.attrs.get("scenario_hash", ""))
    return ds


def save_front(front: xr.Dataset, out_dir: Any) -> None:
    """Write ``front.nc`` and ``front.csv`` into ``out_dir`` as one unit (``greendc.atomic``)."""
    from greendc import atomic

    with atomic.folder(out_dir) as stage:
        front.to_netcdf(stage / "front.nc")
        _front_table(front).to_csv(stage / "front.csv", index=False)


def _front_table(front: xr.Dataset):
    cols = [v for v in front.data_vars if front[v].dims == ("point",)]
    table = front[cols].to_dataframe().reset_index()
    for k in front.server.values:
        table[f"nodes_{k}"] = front["nodes"].sel(server=k).values
    for r in front.tech.values:
        table[f"supply_{r}_mw"] = front["supply_mw"].sel(tech=r).values
    from greendc.results import annual_basis

    horizon = front.attrs.get("horizon")
    table["annual_basis"] = annual_basis(json.loads(horizon) if horizon else None)
    return table
