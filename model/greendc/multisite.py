"""Several sites built (``max_sites`` > 1): the design/dispatch decomposition with one value
function per site (multi-cut Benders).

With every site's design x_s fixed (site and cooling choices, node counts, capacities [MW,
MWh]), one site's hourly operation does not see the others' (every hourly row is a site
row) and the model's totals are sums of site parts (``SITE_TOTAL_ROWS``): the dispatch LP
splits per site, and

    min  sum_s theta_s   [objective units: EUR/yr or tCO2e/yr]
    s.t. theta_s >= v_s(x_s)                           (cuts, one pool per site)
         x_s within site s's design rows and bounds    (integers integral)
         the shared design rows, summed over the sites (``SHARED_DESIGN_ROWS``: built sites
         <= max_sites, PFLOP/s hosted >= required, non-EU share of IT power [MW])

where v_s is the dispatch LP of site s's own model (the one-site model of
``greendc.search``, every cooling of the search in it) with the shared rows freed: its
rows are those of the full model restricted to site s. The master is a small MILP over
every site's design columns and theta_s; its dual bound is a lower bound. Each master
design is evaluated site by site: a site at its lowest design (not built) has the value
v_s(x0) found in phase 1; a built one's fixed-design dispatch LP gives v_s(x^_s) and the
cut theta_s >= v_s(x^_s) + r.(x_s - x^_s) (r the reduced costs of the fixed design
columns; the elastic LP of ``greendc.benders`` when the design cannot be operated). The sum
over the sites of an integral design is an upper bound; the loop stops at
``solver.mip_rel_gap``, the iteration or the time limit. The best design is then polished
site by site (its continuous design exact for its integer design) and its results come from
the full model of the built sites with that design fixed, whose objective must equal the
sum of the sites' values.

First cuts (phase 1, one task per site): LP relaxations of the site's model with the shared
rows at their bounds (the site alone hosting everything), scaled by 1/max_sites (hosting a
share) and freed (a floor of theta_s), coolings free and each cooling alone. Such an LP is
no relaxation of the site's part of a multi-site design, which may host any share; its
solution still gives a valid cut once the duals u_G of the shared rows are put back into the
reduced costs. With d = c - A'u (HiGHS's column duals), for every (x, y) within the site's
own rows and the column bounds

    c.(x, y) = d.(x, y) + u_L.A_L (x, y) + u_G.A_G x >= LP* + (d_D + A_G' u_G).(x - x*),

since d_O.y >= d_O.y* on the operation columns and u_L.A_L (x, y) >= u_L.A_L (x*, y*) on the
site rows (complementary slackness at the LP optimum; the design terms are kept). So
theta_s >= LP* + (d_D + A_G' u_G).(x_s - x*_s) holds for every share hosted, and is tight at
x*. The lowest design (nothing built) gets its exact cut too.

A scalar row of another kind (a CFE target or emissions cap over all sites) couples the
sites' operation: ``coupling_rows`` names it and the study is then solved as one MILP.
"""

from __future__ import annotations

import logging
import math
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import highspy
import numpy as np
import pyomo.environ as pyo
import scipy.sparse as sp
import xarray as xr

from greendc.benders import Decomposition
from greendc.errors import InfeasibleError, SolverError
from greendc.formulation import SHARED_DESIGN_ROWS, SITE_TOTAL_ROWS
from greendc.problem import ModelSpec, Solved
from greendc.progress import step_of
from greendc.results import extract_results
from greendc.engine import Engine, engine_of
from greendc.search import choose_cooling, cold_then_warm, compiled_decomposition
from greendc.solve import INF, HighsModel, SolveStatus, _new_highs, _use_threads, interrupted

log = logging.getLogger(__name__)
MAX_ITERATIONS = 300
MODELS_KEPT = 4  # site models alive in the master's process (about 1 GB each at full year)


def coupling_rows(spec: ModelSpec, inputs: xr.Dataset) -> list[str]:
    """Scalar rows of the model of ``inputs`` that couple the sites' operation (neither a
    shared design row nor a site total): found on one site and one day of the inputs."""
    probe = inputs.isel(site=[0], time=slice(0, min(24, inputs.sizes["time"])))
    m = spec.build(probe)
    names = {c.local_name for c in m.component_objects(pyo.Constraint, active=True)
             if not c.is_indexed()}
    return sorted(names - SHARED_DESIGN_ROWS - SITE_TOTAL_ROWS)


@dataclass
class SiteBlock:
    """What the master needs of one site's model (small: nothing hourly)."""

    site: str
    names: list[tuple[str, tuple]]  # design columns as (Pyomo component, index)
    lower: np.ndarray                # design bounds (coolings not allowed fixed off)
    upper: np.ndarray
    is_int: np.ndarray
    rows: sp.csr_matrix              # the site's own design rows and the implied ones
    row_lower: np.ndarray
    row_upper: np.ndarray
    shared: dict[str, tuple[np.ndarray, float, float]]  # name -> (coefficients, lower, upper)
    cuts: list[tuple[float, np.ndarray, np.ndarray]]    # theta >= value + slope.(x - at)
    floor: float                     # LP with the shared rows freed: theta_s >= floor
    base: np.ndarray                 # the lowest design (nothing built)
    base_value: float                # v_s(base) [objective units]
    elastic_prices: tuple[float, np.ndarray]  # (LP*, reduced costs): ``set_penalties``
    lp_alone: dict[str, float] = field(default_factory=dict)  # cooling -> LP hosting all


def site_model(spec: ModelSpec, inputs: xr.Dataset, coolings: list[str]):
    """The site's model, compiled, its decomposition and the positions of its shared rows;
    coolings of ``inputs`` outside ``coolings`` are fixed off."""
    m, hm, d = compiled_decomposition(spec, inputs)
    site = str(inputs.site.values[0])
    cool_cols = {str(c): hm.column(m.cool[site, str(c)]) for c in inputs.cooling.values}
    for c, col in cool_cols.items():
        if c not in coolings and col is not None:
            d.set_column_bounds(col, 0.0, 0.0)
    shared = np.array([i for i, r in enumerate(hm.rows)
                       if r.constraint.parent_component().local_name in SHARED_DESIGN_ROWS],
                      dtype=np.int64)
    stray = sorted({hm.rows[i].constraint.parent_component().local_name
                    for i in set(shared) - set(d.design_rows)})
    if stray:
        raise SolverError(f"shared design rows {', '.join(stray)} hold operation columns: "
                          "the multi-site decomposition cannot split them")
    return m, hm, d, shared, cool_cols


def _set_shared(d: Decomposition, shared: np.ndarray, lower: np.ndarray,
                upper: np.ndarray) -> None:
    d.hm.highs.changeRowsBounds(len(shared), shared.astype(np.int32), lower, upper)


def site_block(spec: ModelSpec, inputs: xr.Dataset, coolings: list[str], max_sites: int,
               bases: dict | None = None) -> tuple[SiteBlock, tuple | None]:
    """Phase 1 task: the master's block of one site and its first cuts (module docstring),
    and the first LP's basis (to start another site's model of the same shape)."""
    m, hm, d, shared, cool_cols = site_model(spec, inputs, coolings)
    site = str(inputs.site.values[0])
    k, design = len(d.design), d.design
    lo0, up0 = d.row_lower[shared], d.row_upper[shared]
    shared_design = d.A[shared][:, design].toarray()  # shared rows x design positions
    cuts, lp_alone, basis, first_basis, penalty_from = [], {}, (bases or {}).get(d.shape), \
        None, None

    def lp(tag: str):
        nonlocal basis, first_basis
        bound, start, new_basis = d.relaxation(basis)
        if start is None:
            log.debug("site %s: LP %s %s", site, tag, bound.status)
            return None
        basis = new_basis
        first_basis = first_basis or new_basis
        value, x, r = start
        u = np.asarray(d.hm.highs.getSolution().row_dual, dtype=float)[shared]
        cuts.append((value, r[design] + shared_design.T @ u, x[design]))
        return value, r[design]

    free = {c: (d.col_lower[col], d.col_upper[col]) for c, col in cool_cols.items()
            if col is not None}
    for share in (1.0, 1.0 / max_sites):
        _set_shared(d, shared, lo0 * share, up0 * share)
        got = lp(f"hosting {share:.3g} of the shared rows")
        if got is None:
            continue
        penalty_from = penalty_from or got
        if share == 1.0 or not lp_alone:  # each cooling alone, where the site can host
            for c in coolings:
                choose_cooling(d, cool_cols, c)
                one = lp(f"{c} alone")
                if share == 1.0 and one is not None:
                    lp_alone[c] = one[0]
            for c, (lo, up) in free.items():
                d.set_column_bounds(cool_cols[c], lo, up)
    _set_shared(d, shared, np.full(len(shared), -INF), np.full(len(shared), INF))
    bound, start, _ = d.relaxation(basis)
    if start is None:
        raise SolverError(f"site {site}: its LP with the shared rows freed is {bound.status} "
                          f"({bound.message}): the site cannot even stay unbuilt")
    floor = bound.value
    value, r = penalty_from or (start[0], start[2][design])
    d.set_penalties(value, r, None)
    base = d.col_lower[design].copy()
    status, base_value, slope, _ = d.dispatch(base)
    if base_value is None:
        raise SolverError(f"site {site}: the dispatch of its lowest design (nothing built) is "
                          f"{status.status} ({status.message})")
    cuts.append((base_value, slope, base))
    own = np.setdiff1d(d.design_rows, shared)
    position = d.position
    sub = d.A[own]
    local = sp.csr_matrix((sub.data, position[sub.indices], sub.indptr), shape=(len(own), k))
    implied, ilo, iup = d.implied
    names = [(hm.columns[j].parent_component().local_name, hm.columns[j].index())
             for j in design]
    shared_rows = {}
    for i, row in enumerate(shared):
        name = hm.rows[row].constraint.parent_component().local_name
        shared_rows[name] = (shared_design[i], float(lo0[i]), float(up0[i]))
    block = SiteBlock(
        site=site, names=names, lower=d.col_lower[design].copy(),
        upper=d.col_upper[design].copy(), is_int=d.is_int.copy(),
        rows=sp.vstack([local, implied]).tocsr(),
        row_lower=np.concatenate([d.row_lower[own], ilo]),
        row_upper=np.concatenate([d.row_upper[own], iup]),
        shared=shared_rows, cuts=cuts, floor=floor, base=base, base_value=float(base_value),
        elastic_prices=(float(value), np.asarray(r, dtype=float)), lp_alone=lp_alone)
    return block, first_basis


class SitesMaster:
    """The master MILP over every site's design columns and theta_s (module docstring)."""

    def __init__(self, blocks: list[SiteBlock], threads: int, gap: float):
        self.blocks = blocks
        sizes = [len(b.lower) for b in blocks]
        self.offset = np.cumsum([0] + [k + 1 for k in sizes])  # block s: design, then theta
        n = int(self.offset[-1])
        mh = self.highs = _new_highs()
        mh.setOptionValue("output_flag", False)
        mh.setOptionValue("random_seed", 0)
        mh.setOptionValue("mip_rel_gap", max(1e-9, 0.1 * gap))
        mh.setOptionValue("threads", int(threads))
        self.threads = int(threads)
        lower = np.concatenate([np.append(b.lower, b.floor) for b in blocks])
        upper = np.concatenate([np.append(b.upper, INF) for b in blocks])
        cost = np.concatenate([np.append(np.zeros(k), 1.0) for k in sizes])
        mh.addCols(n, cost, lower, upper, 0, np.array([], dtype=np.int32),
                   np.array([], dtype=np.int32), np.array([], dtype=float))
        is_int = np.concatenate([np.append(b.is_int, False) for b in blocks])
        mh.changeColsIntegrality(n, np.arange(n, dtype=np.int32), [
            highspy.HighsVarType.kInteger if f else highspy.HighsVarType.kContinuous
            for f in is_int])
        for s, b in enumerate(blocks):
            if b.rows.shape[0]:
                mh.addRows(b.rows.shape[0], b.row_lower, b.row_upper, b.rows.nnz,
                           b.rows.indptr[:-1].astype(np.int32),
                           (b.rows.indices + self.offset[s]).astype(np.int32),
                           b.rows.data.astype(float))
        self._add_shared_rows()
        for s, b in enumerate(blocks):
            for cut in b.cuts:
                self.add_cut(s, *cut)

    def _add_shared_rows(self) -> None:
        first = self.blocks[0].shared
        for name, (_, lower, upper) in first.items():
            index, coef = [], []
            for s, b in enumerate(self.blocks):
                if name not in b.shared or b.shared[name][1:] != (lower, upper):
                    raise SolverError(f"shared row {name} differs between sites "
                                      f"{self.blocks[0].site} and {b.site}")
                a = b.shared[name][0]
                keep = np.flatnonzero(a)
                index.append(keep + self.offset[s])
                coef.append(a[keep])
            index, coef = np.concatenate(index), np.concatenate(coef)
            self.highs.addRow(lower, upper, len(index), index.astype(np.int32), coef)

    def add_cut(self, s: int, value: float, slope: np.ndarray, at: np.ndarray) -> None:
        """theta_s - slope.x_s >= value - slope.at."""
        keep = np.flatnonzero(np.abs(slope) > 1e-12)
        index = np.append(keep + self.offset[s], self.offset[s + 1] - 1).astype(np.int32)
        self.highs.addRow(float(value - slope @ at), INF, len(index), index,
                          np.append(-slope[keep], 1.0))

    def solve(self):
        """(HiGHS status text, [x_s], [theta_s], dual bound) or (status, None, None, None)."""
        mh = self.highs
        _use_threads(self.threads)
        mh.run()
        if mh.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return mh.modelStatusToString(mh.getModelStatus()), None, None, None
        z = np.asarray(mh.getSolution().col_value, dtype=float)
        xs, thetas = [], []
        for s, b in enumerate(self.blocks):
            x = z[self.offset[s]:self.offset[s + 1] - 1]
            xs.append(np.where(b.is_int, np.round(x), x))
            thetas.append(float(z[self.offset[s + 1] - 1]))
        return "Optimal", xs, thetas, float(mh.getInfo().mip_dual_bound)


class SiteModels:
    """The site models of the dispatch, built on demand, the last ``kept`` kept alive."""

    def __init__(self, spec: ModelSpec, jobs: dict[str, tuple[xr.Dataset, list[str]]],
                 blocks: dict[str, SiteBlock], kept: int = MODELS_KEPT):
        self.spec, self.jobs, self.blocks, self.kept = spec, jobs, blocks, kept
        self._models: OrderedDict[str, tuple] = OrderedDict()
        self.built = 0

    def get(self, site: str):
        """(decomposition, shared-row design mask) of ``site``, its shared rows freed."""
        if site in self._models:
            self._models.move_to_end(site)
            return self._models[site]
        while len(self._models) >= self.kept:
            self._models.popitem(last=False)
        inputs, coolings = self.jobs[site]
        _, _, d, shared, _ = site_model(self.spec, inputs, coolings)
        _set_shared(d, shared, np.full(len(shared), -INF), np.full(len(shared), INF))
        block = self.blocks[site]
        d.set_penalties(*block.elastic_prices, None)
        mask = np.zeros(len(d.design), dtype=bool)  # design columns of the shared rows
        for coefficients, _, _ in block.shared.values():
            mask |= coefficients != 0
        self.built += 1
        self._models[site] = (d, mask)
        return d, mask


@dataclass
class MultiSiteResult:
    """Outcome of ``run_master``: bounds [objective units], the best design per site."""

    status: str
    upper: float = math.inf
    lower: float = -math.inf
    iterations: int = 0
    design: list[np.ndarray] | None = None
    values: list[float] | None = None
    message: str = ""
    elastic: int = 0
    dispatches: int = 0


def _built(block: SiteBlock, x: np.ndarray) -> bool:
    """Is design ``x`` of site ``block`` above its lowest design (the site built)?"""
    return not np.allclose(x, block.base, rtol=0.0, atol=1e-9)


class _Interrupted(Exception):
    """Ctrl-C during a site's dispatch: the loop stops with the best design so far."""


def _evaluate(models: SiteModels, block: SiteBlock, x: np.ndarray, result: MultiSiteResult):
    """(value, cut or None, operable?) of site ``block`` at design ``x``."""
    if not _built(block, x):
        return block.base_value, None, True
    d, _ = models.get(block.site)
    result.dispatches += 1
    status, value, slope, _ = d.dispatch(x)
    if value is not None:
        return value, (value, slope, x), True
    if status.status == "interrupted":
        raise _Interrupted
    if status.status != "infeasible":
        raise SolverError(f"site {block.site}: dispatch LP {status.status} ({status.message})")
    status, value, _, slope, _, _ = d.elastic(x)
    result.elastic += 1
    if value is None:
        raise SolverError(f"site {block.site}: elastic dispatch LP {status.status} "
                          f"({status.message})")
    return value, (value, slope, x), False


def run_master(master: SitesMaster, models: SiteModels, gap: float, abs_gap: float,
               time_limit_s: float | None, max_iterations: int = MAX_ITERATIONS,
               in_out: float = 0.5) -> MultiSiteResult:
    """The loop of the module docstring. ``in_out``: stabilisation weight (Ben-Ameur & Neto
    2007, as ``greendc.benders``): while the master's integer design equals the best one,
    the design half-way between the two is evaluated first (a convex combination of two
    designs with the same integers meets every design row, so it is a design too); the
    master's own design only when no site's cut there cuts the master's point off."""
    start = time.perf_counter()
    result = MultiSiteResult(status="time_limit")
    blocks = master.blocks
    for it in range(1, max_iterations + 1):
        if interrupted():
            result.status = "interrupted"
            break
        status, xs, thetas, dual = master.solve()
        if xs is None:
            if result.design is None:
                result.status, result.message = "infeasible", f"master: {status}"
            else:
                result.message = f"master {status} around the best design (numerical)"
            break
        result.iterations, result.lower = it, max(result.lower, dual)
        if _closed(result, gap, abs_gap):
            break
        added = 0
        best = result.design
        try:
            if in_out < 1.0 and best is not None and all(
                    np.array_equal(x[b.is_int], y[b.is_int])
                    for b, x, y in zip(blocks, xs, best)):
                mixed = [np.where(b.is_int, x, in_out * x + (1.0 - in_out) * y)
                         for b, x, y in zip(blocks, xs, best)]
                added = _operate(master, models, mixed, xs, thetas, result, it, "stabilised")
            if not added:
                added = _operate(master, models, xs, xs, thetas, result, it, "master")
        except _Interrupted:
            result.status = "interrupted"
            break
        if _closed(result, gap, abs_gap):
            break
        if not added:  # every theta_s is exact at a design the master finds optimal
            result.message = "no violated cut (the master's tolerances)"
            break
        if time_limit_s is not None and time.perf_counter() - start > time_limit_s:
            break
    if result.status == "time_limit" and result.iterations >= max_iterations:
        result.message = f"iteration limit ({max_iterations})"
    return result


def _operate(master: SitesMaster, models: SiteModels, xs: list[np.ndarray],
             target: list[np.ndarray], thetas: list[float], result: MultiSiteResult, it: int,
             kind: str) -> int:
    """Evaluate design ``xs`` site by site, keep it if it is the best operable one, and add
    each site's cut that cuts off the master's point (``target``, ``thetas``); the number
    of cuts added."""
    values, operable, added = [], True, 0
    for s, (block, x) in enumerate(zip(master.blocks, xs)):
        value, cut, ok = _evaluate(models, block, x, result)
        values.append(value)
        operable &= ok
        if cut is not None:
            c_value, slope, at = cut
            if c_value + slope @ (target[s] - at) > thetas[s] + 1e-9 * max(1.0, abs(c_value)):
                master.add_cut(s, *cut)
                added += 1
    total = float(sum(values))
    built = [b.site for b, x in zip(master.blocks, xs) if _built(b, x)]
    log.info("multi-site %d: lower %.10g, %s design %s: %.10g%s", it, result.lower, kind,
             "+".join(built) or "nothing", total, "" if operable else " (not operable)",
             extra=step_of("design/dispatch", it, MAX_ITERATIONS))
    if operable and total < result.upper:
        result.upper, result.design, result.values = total, [x.copy() for x in xs], values
    return added


def _closed(result: MultiSiteResult, gap: float, abs_gap: float) -> bool:
    if math.isfinite(result.upper) and result.upper - result.lower <= max(
            abs_gap, gap * max(abs(result.upper), 1e-9)):
        result.status = "optimal"
        return True
    return False


def solve_sites(inputs: xr.Dataset, spec: ModelSpec, combos: list[tuple[str, str]],
                max_sites: int, workers: int | Engine = 1) -> tuple[Solved, None, float]:
    """Every site of ``combos`` in one multi-cut decomposition (module docstring). Returns
    the best design's ``Solved`` (its results on the built sites' inputs), no candidate
    table (the candidates are not solved apart) and the proven relative gap."""
    start = time.perf_counter()
    by_site: dict[str, list[str]] = {}
    for s, c in combos:
        by_site.setdefault(s, []).append(c)
    searched = {c for _, c in combos}
    coolings = [str(c) for c in inputs.cooling.values if str(c) in searched]
    sites = list(by_site)
    jobs = {s: (inputs.sel(site=[s], cooling=coolings), by_site[s]) for s in sites}
    blocks: list[SiteBlock] = []
    with engine_of(workers) as engine:
        for block, _ in cold_then_warm(engine, site_block, [spec] * len(sites),
                                       [jobs[s][0] for s in sites], [jobs[s][1] for s in sites],
                                       [max_sites] * len(sites)):
            blocks.append(block)
            log.info("site %s: %d first cuts; LP alone %s", block.site, len(block.cuts),
                     ", ".join(f"{c} {v:,.6g}" for c, v in block.lp_alone.items())
                     or "infeasible (a share only)",
                     extra=step_of("LP cuts", len(blocks), len(sites)))
    settings = spec.settings
    master = SitesMaster(blocks, settings.threads, settings.mip_rel_gap)
    models = SiteModels(spec, jobs, {b.site: b for b in blocks})
    elapsed = time.perf_counter() - start
    limit = None if settings.time_limit_s is None else max(settings.time_limit_s - elapsed, 0.0)
    result = run_master(master, models, settings.mip_rel_gap, settings.mip_abs_gap or 0.0,
                        limit)
    log.info("multi-site decomposition: %s after %d iterations (%d dispatch LPs, %d elastic, "
             "%d site models built), bounds %.10g <= %.10g %s", result.status,
             result.iterations, result.dispatches, result.elastic, models.built, result.lower,
             result.upper, result.message)
    if result.design is None:
        if result.status == "infeasible":
            raise InfeasibleError(
                f"no design of at most {max_sites} sites meets the shared design rows "
                f"({', '.join(sorted(blocks[0].shared))}: compute requirement, number of "
                "sites, hardware origin) within every site's own limits")
        raise SolverError(f"multi-site decomposition found no design ({result.status}: "
                          f"{result.message})")
    _polish(models, blocks, result)
    solved = _results(spec, inputs, coolings, blocks, result, time.perf_counter() - start)
    gap = max(result.upper - result.lower, 0.0) / max(abs(result.upper), 1e-9)
    return solved, None, gap


def _polish(models: SiteModels, blocks: list[SiteBlock], result: MultiSiteResult) -> None:
    """Each built site's continuous design made exact for its integer design (the design
    columns of the shared rows kept): the sum only falls, the bounds stay valid."""
    for s, (block, x) in enumerate(zip(blocks, result.design)):
        if not _built(block, x):
            continue
        d, mask = models.get(block.site)
        full = np.zeros(d.n)
        full[d.design] = x
        polished = d.polish(full, keep=mask)
        if polished is not None and polished[0] <= result.values[s] + 1e-9 * max(
                1.0, abs(result.values[s])):
            result.values[s], result.design[s] = polished[0], polished[1][d.design]
    result.upper = float(sum(result.values))


def _results(spec: ModelSpec, inputs: xr.Dataset, coolings: list[str],
             blocks: list[SiteBlock], result: MultiSiteResult, seconds: float) -> Solved:
    """Results of the best design: the full model of the built sites with that design
    fixed, solved as an LP; its objective is checked against the sum of the sites' values."""
    built = [(b, x) for b, x in zip(blocks, result.design) if _built(b, x)]
    sites = inputs.sel(site=[b.site for b, _ in built], cooling=coolings)
    m = spec.build(sites)
    hm = HighsModel(m, spec.settings)
    for b, x in built:
        for (name, index), value in zip(b.names, x):
            col = hm.column(getattr(m, name)[index])
            if col is not None:
                hm.highs.changeColBounds(col, float(value), float(value))
    hm.relax_integrality(True)
    status = hm.solve()
    if status.status != "optimal":
        raise SolverError(f"the best multi-site design cannot be operated in the full model "
                          f"of its sites ({status.status}: {status.message})")
    if abs(status.objective - result.upper) > 1e-6 * max(1.0, abs(result.upper)):
        raise SolverError(f"the full model of the built sites gives {status.objective:,.10g} "
                          f"for the best design, its sites' dispatches {result.upper:,.10g}")
    hm.load_solution()
    gap = max(result.upper - result.lower, 0.0) / max(abs(result.upper), 1e-9)
    return Solved(status=SolveStatus(status=result.status, objective=result.upper,
                                     dual_bound=result.lower, mip_gap=gap, seconds=seconds,
                                     message=result.message),
                  results=extract_results(m, sites),
                  build_seconds=hm.handoff_seconds, columns=len(hm.columns), rows=len(hm.rows),
                  integer_columns=int(hm.integer.sum()))
