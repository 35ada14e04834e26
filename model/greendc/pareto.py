"""Exact cost-emissions Pareto fronts: augmented epsilon-constraint (AUGMECON2 style).

1. End points by lexicographic optimisation: min cost, then min emissions at that cost
   (point "cost end"); min emissions, then min cost at those emissions ("emissions end").
2. Grid: epsilon_i from the cost end's emissions down to the emissions end's, N points in all.
3. Each interior point: min cost + lambda x emissions subject to emissions <= epsilon_i, with
   lambda = delta x (cost range / emissions range), delta = 1e-4. This is AUGMECON's
   "min f1 - delta x slack / range" with slack = epsilon - emissions (the constant drops out):
   it never returns a weakly dominated point. AUGMECON2's bypass: when the slack exceeds k
   grid steps, the next k grid points would return the same design and are skipped.
4. The epsilon bound is the upper bound of the emissions column of a persistent HiGHS model,
   re-solved from the previous basis/incumbent; nothing is rebuilt between points.

With one site to build and several (site, cooling) candidates, the front is the lower
envelope of the candidates' fronts: a candidate whose LP cost bound is above the cost of the
emissions end can never be on the front and is skipped; the others are swept on the same
grid and the cheapest at each epsilon is kept. Points are then checked: duplicates (same
cost and emissions within tolerance) and dominated points are flagged, and the abatement
cost between neighbours (EUR/tCO2) is reported.
"""

from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from greendc.errors import InfeasibleError
from greendc.results import summary
from greendc.solve import HighsModel
from greendc.study import ModelSpec, Study, combinations, solve_decomposed, solve_inputs
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

    def lower_bound(self, epsilon: float | None, weight: float) -> float:
        """LP-relaxation value of the sweep objective at epsilon (inf when infeasible): a lower
        bound of the MILP at this epsilon and at every tighter one."""
        hm = self._prepare(epsilon, weight)
        hm.relax_integrality(True)
        try:
            status = hm.solve()
        finally:
            hm.relax_integrality(False)
        if status.status == "infeasible":
            return math.inf
        return float(status.objective) if status.status == "optimal" else -math.inf

    def solve(self, epsilon: float | None, weight: float) -> Point | None:
        """min cost + weight x emissions s.t. emissions <= epsilon (None: no bound)."""
        hm = self._prepare(epsilon, weight)
        status = hm.solve()
        if not status.has_solution:
            return None
        hm.load_solution()
        res = extract_results(self.model, self.inputs)
        return Point(epsilon=math.nan if epsilon is None else epsilon,
                     cost=float(res["cost_eur_per_yr"]), emissions=_emissions_of(res, self.scope),
                     results=res, candidate=self.label, status=status.status,
                     mip_gap=float(status.mip_gap or 0.0), objective=float(status.objective))


def _end_points(study: Study, scope: str, combos):
    """Lexicographic end points and the LP cost bound of every candidate."""
    base = ModelSpec.of(study)
    cost_spec = ModelSpec("cost", scope, base.cap_t_co2, base.settings, lexicographic=True)
    emis_spec = ModelSpec("operational" if scope == "operational" else "emissions", scope,
                          base.cap_t_co2, base.settings, lexicographic=True)
    bounds: dict[str, tuple[float, float]] = {}  # candidate: (LP cost bound, LP emissions bound)
    ends = []
    for spec in (cost_spec, emis_spec):
        if len(combos) > 1:
            best, table, _ = solve_decomposed(study.inputs, spec, combos,
                                              study.scenario.solver.workers)
            if best is None:
                raise InfeasibleError(f"{study.loaded.origin}: no feasible design for the front")
            for s, c in combos:
                value = float(table["candidate_lower_bound"].sel(site=s, cooling=c))
                cost_lb, _ = bounds.get(f"{s}/{c}", (math.inf, math.inf))
                bounds[f"{s}/{c}"] = (value, math.inf) if spec is cost_spec else (cost_lb, value)
            res = best.results
        else:
            solved = solve_inputs(spec, study.inputs)
            if solved.results is None:
                raise InfeasibleError(f"{study.loaded.origin}: no feasible design for the front "
                                      f"({solved.status.message})")
            res = solved.results
        ends.append(res)
    return ends, bounds


def _label(res: xr.Dataset) -> str:
    info = summary(res)
    site = info["site"] if isinstance(info["site"], str) else "+".join(info["site"])
    cool = info["cooling"] if isinstance(info["cooling"], str) else "+".join(info["cooling"].values())
    return f"{site}/{cool}"


def pareto_front(study: Study, points: int = 10, scope: str = "emissions",
                 persistent: bool = True, designs: list | None = None) -> xr.Dataset:
    """Compute an N-point cost-emissions front; returns a Dataset with a ``point`` dim.

    scope: "emissions" (total, default) or "operational". ``persistent=False`` rebuilds the
    model for every point (used by tests to check the persistent re-solve). When a list is
    passed as ``designs`` it receives each point's full results Dataset, in point order.
    """
    if points < 2:
        raise ValueError("a front needs at least 2 points")
    start = time.perf_counter()
    combos = combinations(study)
    if not combos:
        raise InfeasibleError(f"{study.loaded.origin}: no (site, cooling) candidate is allowed")
    decomposable = study.scenario.max_sites == 1 and len(combos) > 1
    (cost_end, emis_end), bounds = _end_points(study, scope, combos if decomposable else [None])
    em_hi, em_lo = _emissions_of(cost_end, scope), _emissions_of(emis_end, scope)
    cost_lo, cost_hi = float(cost_end["cost_eur_per_yr"]), float(emis_end["cost_eur_per_yr"])
    grid = np.linspace(em_hi, em_lo, points)
    step = (em_hi - em_lo) / (points - 1) if points > 1 else 0.0
    weight = DELTA * (cost_hi - cost_lo) / (em_hi - em_lo) if em_hi - em_lo > 1e-9 else 0.0
    spec = ModelSpec.of(study)
    spec = ModelSpec("cost", scope, spec.cap_t_co2, spec.settings)
    if decomposable:
        candidates = [(s, c) for s, c in combos if math.isfinite(bounds[f"{s}/{c}"][0])]
    else:
        candidates = [None]
        bounds = {"all": (-math.inf, -math.inf)}
    interior = list(range(1, points - 1))
    workers = min(study.scenario.solver.workers, max(len(interior), 1))
    chunks = [c for c in np.array_split(np.array(interior, dtype=int), workers) if len(c)]
    jobs = [(spec, study.inputs, scope, candidates, bounds, [(int(i), float(grid[i])) for i in c],
             step, weight, persistent) for c in chunks]
    best: dict[int, Point] = {}
    for found in _map_chunks(jobs, workers):
        best.update(found)
        log.info("front points %s done", sorted(found))
    ends = [Point(float(grid[0]), cost_lo, em_hi, cost_end, _label(cost_end),
                  str(cost_end.attrs.get("solver_status", "optimal")), 0.0),
            Point(float(grid[-1]), cost_hi, em_lo, emis_end, _label(emis_end),
                  str(emis_end.attrs.get("solver_status", "optimal")), 0.0)]
    ordered = [ends[0]] + [best[i] for i in interior if i in best] + [ends[1]]
    front = assemble_front(ordered, study, scope)
    if designs is not None:
        designs.extend(p.results for p in ordered)
    front.attrs.update(seconds=round(time.perf_counter() - start, 3), points_requested=points,
                       persistent=int(persistent), candidates=json.dumps(
                           [c if c is None else f"{c[0]}/{c[1]}" for c in candidates]))
    return front


def _map_chunks(jobs: list[tuple], workers: int):
    """Run the sweep of each chunk of epsilons, in parallel processes when workers > 1."""
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield sweep_chunk(*job)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=len(jobs),
                             mp_context=multiprocessing.get_context("spawn")) as pool:
        yield from pool.map(sweep_chunk, *zip(*jobs))


def sweep_chunk(spec: ModelSpec, inputs: xr.Dataset, scope: str, candidates: list,
                bounds: dict[str, tuple[float, float]], chunk: list[tuple[int, float]],
                step: float, weight: float, persistent: bool = True) -> dict[int, Point]:
    """Best point at each epsilon of ``chunk`` (loose to tight) over the candidates.

    Exact by bounding: a candidate's lower bound starts at its LP cost bound and rises with
    every LP or MILP value found at a looser epsilon (tightening epsilon never lowers cost);
    candidates whose LP emissions bound exceeds epsilon are infeasible. At each epsilon the
    previous winner is solved first (warm incumbent), then the others in order of bound, each
    checked by its LP value at epsilon before its MILP; a bound within the MIP gap of the
    incumbent prunes. AUGMECON2's bypass skips epsilons the winner's slack already covers.
    """
    gap = spec.settings.mip_rel_gap
    label = {c: "all" if c is None else f"{c[0]}/{c[1]}" for c in candidates}
    lower = {c: bounds[label[c]][0] for c in candidates}
    sweeps: dict = {}

    def sweep(c) -> CandidateSweep:
        if c not in sweeps or not persistent:
            sub = inputs if c is None else inputs.sel(site=[c[0]], cooling=[c[1]])
            sweeps[c] = CandidateSweep(spec, sub, scope, label[c])
        return sweeps[c]

    found: dict[int, Point] = {}
    winner = None
    i = 0
    while i < len(chunk):
        idx, eps = chunk[i]
        # the solver's feasibility tolerance lets a design sit a hair above epsilon
        reach = eps + 1e-6 * max(abs(eps), 1.0)
        alive = [c for c in candidates if bounds[label[c]][1] <= reach]
        order = sorted(alive, key=lambda c: (c != winner, lower[c]))
        incumbent: Point | None = None
        for c in order:
            level = math.inf if incumbent is None else incumbent.objective - gap * abs(
                incumbent.objective)
            if lower[c] >= level:
                continue
            if incumbent is not None:  # cheap LP check before the MILP
                lower[c] = max(lower[c], sweep(c).lower_bound(eps, weight))
                if lower[c] >= level:
                    continue
            pt = sweep(c).solve(eps, weight)
            if pt is None:
                lower[c] = math.inf  # infeasible here, so at every tighter epsilon too
                continue
            lower[c] = max(lower[c], pt.objective - gap * abs(pt.objective))
            if incumbent is None or pt.objective < incumbent.objective:
                incumbent = pt
        if incumbent is None:
            break  # no candidate reaches this epsilon, nor any tighter one
        winner = next(c for c in candidates if label[c] == incumbent.candidate)
        found[idx] = incumbent
        skip = max(0, int(math.floor((eps - incumbent.emissions) / step + 1e-9))) if step else 0
        for j in range(1, skip + 1):  # AUGMECON2 bypass: same design for looser points
            if i + j < len(chunk):
                found[chunk[i + j][0]] = Point(**{**incumbent.__dict__,
                                                  "epsilon": chunk[i + j][1]})
        i += 1 + skip
    return found


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
                       ("mean_pue", "1"), ("heat_sold_mwh", "MWh_th/yr"), ("supply_share", "1")):
        put(key, ("point",), [info[key] for info in infos], units, key.replace("_", " "))
    ds["solver_status"] = ("point", [p.status for p in points])
    put("mip_gap", ("point",), [p.mip_gap for p in points], "1", "relative MIP gap")
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
    for i in range(1, n):
        d_e = emis[i - 1] - emis[i]
        if d_e > tol_e:
            abatement[i] = (cost[i] - cost[i - 1]) / d_e
    put("abatement_cost_eur_per_t", ("point",), abatement, "EUR/tCO2e",
        "cost of abatement from the previous point")
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
    return table
