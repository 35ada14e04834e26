"""All (site, cooling) candidates in one search, each solved by the design/dispatch
decomposition (``greendc.benders``), with one incumbent shared across candidates and workers.

One model per site: it is built and compiled with every cooling of the search (those the
site does not allow fixed off, so that every site's model has one shape), and a cooling is
chosen by fixing the bounds of its ``cool`` binary (the others at 0).

1. Per site: the LP relaxation with its coolings free (the first site on each worker cold,
   the others then from the basis of one of those of the same model shape: a site without
   district heating has fewer columns), then each cooling's LP re-solved warm from that
   basis (only the ``cool`` bounds change: a few seconds each at full year, where the
   first LP takes minutes). Each cooling's LP value
   [objective units] bounds that candidate and its solution gives the first cut of its
   decomposition; the lowest of them bounds the site.
2. Sites in order of bound (a shared work queue): a site whose bound is not below the best
   design found (minus the gap) is pruned whole; otherwise its coolings are searched, lowest
   LP bound first, a cooling whose own bound reaches the incumbent pruned at once, each
   decomposition stopping as soon as its own lower bound reaches the shared incumbent
   (pruned) or its gap closes (optimal). A better design becomes the incumbent at once, for
   the other workers too.
3. The site's winner is polished (its continuous design made exact for its integer design).

The result is the proven optimum of the full model within ``mip_rel_gap``: the best design
found, and the lowest lower bound of every candidate (its site's LP bound if pruned by it,
its decomposition's bound otherwise) proves the gap.
"""

from __future__ import annotations

import logging
import math
import uuid
from dataclasses import dataclass

import numpy as np
import xarray as xr

from greendc.benders import Decomposition, design_columns
from greendc.bounds import Bound, bound_from
from greendc.formulation import DESIGN_COMPONENTS, PEAK_SIZED_COMPONENTS
from greendc.problem import ModelSpec, Solved
from greendc.progress import step_of
from greendc.results import extract_results
from greendc.engine import Engine, engine_of
from greendc.solve import HighsModel, basis_shape, interrupted

log = logging.getLogger(__name__)


class Incumbent:
    """The best objective found so far [objective units], shared by the site tasks: a plain
    value in process, a ``distributed.Variable`` on a cluster (read and offered by the
    workers' tasks; a lost race between two offers only weakens pruning, since the search
    keeps the best design it receives)."""

    def __init__(self, engine: Engine):
        self.name = None if engine.in_process else f"greendc-incumbent-{uuid.uuid4().hex}"
        self._local = math.inf
        if self.name is not None:  # set before any task reads it
            self._variable(engine.start()).set(math.inf)

    def _variable(self, client=None):
        from distributed import Variable

        return Variable(self.name, client=client)

    def value(self) -> float:
        if self.name is None:
            return self._local
        return float(self._variable().get())

    def offer(self, objective: float) -> None:
        if self.name is None:
            self._local = min(self._local, objective)
        elif objective < self.value():
            self._variable().set(float(objective))


@dataclass
class CandidateOutcome:
    """What the search learnt about one (site, cooling)."""

    lp_bound: float            # LP relaxation [objective units]; +inf infeasible, -inf none
    lp_status: str
    status: str                # optimal | pruned_by_bound | infeasible | time_limit | ...
    objective: float = math.nan
    lower: float = -math.inf   # proven lower bound of this candidate
    iterations: int = 0
    seconds: float = 0.0


def _cutoff(incumbent: float, gap: float) -> float:
    return incumbent - gap * abs(incumbent) if math.isfinite(incumbent) else math.inf


def compiled_decomposition(spec: ModelSpec, inputs: xr.Dataset):
    """The model of ``inputs`` (a site with its coolings, or one candidate), compiled, and its
    decomposition (stopping at the spec's relative gap, or its absolute one if larger)."""
    m = spec.build(inputs)
    hm = HighsModel(m, spec.settings)
    return m, hm, Decomposition(hm, design_columns(hm, DESIGN_COMPONENTS - PEAK_SIZED_COMPONENTS),
                                spec.settings.mip_rel_gap,
                                mip_abs_gap=spec.settings.mip_abs_gap or 0.0)


def site_lp(spec: ModelSpec, inputs: xr.Dataset, coolings: list[str] | None = None,
            bases: dict | None = None
            ) -> tuple[dict[str, tuple[Bound, tuple | None]], tuple | None]:
    """Phase 1 task: the LP relaxation of one site's model with its coolings free (a lower
    bound for every cooling), then each cooling's own LP, re-solved warm from that basis by
    switching the ``cool`` bounds (a few seconds each where the first LP takes minutes at
    full year, and a much tighter bound). ``coolings``: the site's candidate coolings (by
    default every cooling of ``inputs``); the model's other coolings are fixed off.
    ``bases``: other sites' LP bases by shape ({``basis_shape``: basis}); the one of this
    model's shape (other data) starts its LP: at full year 17-46 s, where a cold site LP
    took 32-136 s (on a quiet and on a loaded machine). Returns
    ({cooling: (bound, (LP*, x_LP, reduced costs) on the design columns, or None)}, the site
    LP's basis or None); the model is not kept."""
    m, hm, decomposition = compiled_decomposition(spec, inputs)
    site = str(inputs.site.values[0])
    every = [str(c) for c in inputs.cooling.values]
    coolings = every if coolings is None else list(coolings)
    cool_cols = {c: hm.column(m.cool[site, c]) for c in every}
    for c in set(every) - set(coolings):
        if cool_cols[c] is not None:
            decomposition.set_column_bounds(cool_cols[c], 0.0, 0.0)
    warm = hm.set_basis((bases or {}).get(hm.shape))
    if bases and not warm:
        log.info("site %s: no other site's LP basis of its model's shape %s: LP cold", site,
                 hm.shape)
    free = bound_from(hm.solve())
    if not free.known and warm:  # a borrowed start that went astray: cold
        hm.highs.clearSolver()
        free = bound_from(hm.solve())
    if not free.known:  # nothing proven (or every cooling infeasible): no cooling LP either
        return {c: (free, None) for c in coolings}, None
    free_basis = hm.basis()
    design = decomposition.design

    def start(value: float):
        sol = hm.highs.getSolution()
        return (value, np.asarray(sol.col_value, dtype=float)[design],
                np.asarray(sol.col_dual, dtype=float)[design])

    free_start = start(free.value)
    out = {}
    for chosen in coolings:
        choose_cooling(decomposition, cool_cols, chosen)
        bound = bound_from(hm.solve())
        if bound.known:
            out[chosen] = (bound, start(bound.value))
        elif bound.infeasible:
            out[chosen] = (bound, None)
        else:  # nothing proven for this cooling: the site's LP bounds it
            out[chosen] = (free, free_start)
    return out, free_basis


def solve_site(spec: ModelSpec, inputs: xr.Dataset, coolings: list[str], incumbent: Incumbent,
               lps: dict[str, tuple[Bound, tuple | None]]
               ) -> tuple[dict[str, CandidateOutcome], Solved | None]:
    """Phase 2 task: search one site's coolings (module docstring) from their phase-1 LPs
    (bound, LP start); return each cooling's outcome and the site's best design (results on
    the site's inputs), or None."""
    site = str(inputs.site.values[0])
    m, hm, decomposition = compiled_decomposition(spec, inputs)
    out = {c: CandidateOutcome(lp_bound=lps[c][0].value, lp_status=lps[c][0].status,
                               status="infeasible" if lps[c][0].infeasible else "not_solved",
                               lower=lps[c][0].value) for c in coolings}
    cool_cols = {str(c): hm.column(m.cool[site, str(c)]) for c in inputs.cooling.values}
    # the lowest LP bound first: the likeliest winner, it sets the incumbent
    order = sorted((c for c in coolings if lps[c][1] is not None), key=lambda c: lps[c][0].value)
    best_value, best_x, best_cooling = math.inf, None, None
    gap = spec.settings.mip_rel_gap
    for chosen in order:
        if interrupted():
            break
        cutoff = _cutoff(min(incumbent.value(), best_value), gap)
        outcome = out[chosen]
        if outcome.lp_bound >= cutoff:
            outcome.status = "pruned_by_bound"
            continue
        choose_cooling(decomposition, cool_cols, chosen)
        result = decomposition.solve(lp_start=lps[chosen][1], cutoff=cutoff,
                                     time_limit_s=spec.settings.time_limit_s)
        outcome.status = {"pruned": "pruned_by_bound"}.get(result.status, result.status)
        outcome.lower = max(result.lower, outcome.lp_bound)
        outcome.iterations, outcome.seconds = result.iterations, result.seconds
        log.debug("solve %s / %s: %s %s (%d design/dispatch iterations, %.1f s)", site, chosen,
                  outcome.status, "" if result.x is None else f"{result.upper:,.8g}",
                  result.iterations, result.seconds)
        if result.x is not None:
            outcome.objective = result.upper
            if result.upper < best_value:
                best_value, best_x, best_cooling = result.upper, result.x, chosen
                incumbent.offer(result.upper)
    if best_x is None:
        return out, None
    choose_cooling(decomposition, cool_cols, best_cooling)
    polished = decomposition.polish(best_x)
    if polished is not None and polished[0] <= best_value + 1e-9 * max(abs(best_value), 1.0):
        best_value, best_x = polished
        out[best_cooling].objective = best_value
    hm.restore(best_x)
    hm.load_solution()
    return out, Solved(status=decomposition_status(out), results=extract_results(m, inputs),
                       build_seconds=hm.handoff_seconds, columns=len(hm.columns),
                       rows=decomposition.nrows, integer_columns=int(hm.integer.sum()))


def choose_cooling(decomposition: Decomposition, cool_cols: dict[str, int | None],
                   chosen: str) -> None:
    """Fix the site's cooling to ``chosen`` through the bounds of its ``cool`` binaries."""
    for cooling, col in cool_cols.items():
        if col is not None:
            on = 1.0 if cooling == chosen else 0.0
            decomposition.set_column_bounds(col, on, on)


def decomposition_status(out: dict[str, CandidateOutcome]):
    """SolveStatus of a site's best candidate (objective, its own proven bound)."""
    from greendc.solve import SolveStatus

    solved = [o for o in out.values() if math.isfinite(o.objective)]
    best = min(solved, key=lambda o: o.objective)
    return SolveStatus(status=best.status, objective=best.objective, dual_bound=best.lower,
                       mip_gap=max(best.objective - best.lower, 0.0) / max(abs(best.objective),
                                                                            1e-9),
                       seconds=sum(o.seconds for o in out.values()))


def cold_then_warm(engine: Engine, task, *columns: list):
    """``task(*args, bases)`` over the rows of ``columns`` (one list per argument), in
    order: the first row per worker cold (``bases`` None), every other from the bases of
    those, {``basis_shape``: basis}. ``task`` returns (value, its LP's basis or None): a
    full-year LP from another site's basis of the same model shape takes 17-46 s where a
    cold one takes 32-136 s. Yields the task's outputs as they arrive in order."""
    rows = list(zip(*columns))
    heads = min(engine.workers, len(rows))
    first = []
    for out in engine.map(task, *zip(*[(*row, None) for row in rows[:heads]])):
        first.append(out)
        yield out
    if len(rows) > heads:
        bases = {basis_shape(basis): basis for _, basis in first if basis is not None}
        yield from engine.map(task, *zip(*[(*row, bases) for row in rows[heads:]]))


def _first_done(engine: Engine, futures: list):
    """A finished future among ``futures`` (in process: the first, run now), without
    cancelling the others."""
    if engine.in_process:
        return futures[0]
    from distributed import as_completed

    return next(iter(as_completed(futures, loop=engine.client.loop)))


def search(inputs: xr.Dataset, spec: ModelSpec, combos: list[tuple[str, str]],
           workers: int | Engine = 1):
    """Every candidate of ``combos`` (module docstring). Returns the best ``Solved`` (None if
    no design), the outcome per candidate and the proven relative gap over all of them."""
    by_site: dict[str, list[str]] = {}
    for s, c in combos:
        by_site.setdefault(s, []).append(c)
    # every site's model holds every cooling of the search (a site's others fixed off), so
    # that the models have one shape and one site's LP basis can start another's
    searched = {c for _, c in combos}
    coolings = [str(c) for c in inputs.cooling.values if str(c) in searched]
    jobs = [(inputs.sel(site=[s], cooling=coolings), cs) for s, cs in by_site.items()]
    outcomes: dict[tuple[str, str], CandidateOutcome] = {}
    best: Solved | None = None

    def collect(site: str, out: dict[str, CandidateOutcome], solved: Solved | None) -> None:
        nonlocal best
        for c, o in out.items():  # logged here: a worker process's records are not shown
            outcomes[(site, c)] = o
            log.info("candidate %s / %s: %s%s (%d design/dispatch iterations)", site, c,
                     o.status, "" if math.isnan(o.objective) else f" {o.objective:,.8g}",
                     o.iterations, extra=step_of("candidates", len(outcomes), len(combos)))
        if solved is not None and (best is None or
                                   solved.status.objective < best.status.objective):
            best = solved

    sites = list(by_site)
    with engine_of(workers) as engine:
        # phase 1: one LP per site (coolings free): one site per worker cold, then the rest
        # from their bases (by model shape); phase 2: lowest bound first
        lps = {site: lp for site, (lp, _) in zip(sites, cold_then_warm(
            engine, site_lp, [spec] * len(jobs), [job for job, _ in jobs],
            [cs for _, cs in jobs]))}
        site_bound = {site: min((b for b, _ in lps[site].values()), key=lambda b: b.value)
                      for site in sites}
        for i, site in enumerate(sites):
            log.info("bound %s (LP): %s", site, ", ".join(
                f"{c} {_text(b)}" for c, (b, _) in lps[site].items()),
                extra=step_of("LP bounds", i + 1, len(sites)))
        incumbent = Incumbent(engine)
        queue = sorted(sites, key=lambda x: site_bound[x].value)  # lowest bound first
        running = {}
        while queue or running:
            while queue and len(running) < engine.workers:
                site = queue.pop(0)
                job, cs = jobs[sites.index(site)]
                known = best.status.objective if best is not None else math.inf
                if site_bound[site].value >= _cutoff(known, spec.settings.mip_rel_gap):
                    collect(site, {c: CandidateOutcome(
                        lp_bound=b.value, lp_status=b.status,
                        status="infeasible" if b.infeasible else "pruned_by_bound",
                        lower=b.value) for c, (b, _) in lps[site].items()}, None)
                    continue
                running[engine.submit(solve_site, spec, job, cs, incumbent, lps[site])] = site
            if not running:
                break
            done = _first_done(engine, list(running))
            collect(running.pop(done), *done.result())
    table = _table(inputs, spec, combos, outcomes)
    if best is None:
        return None, table, math.inf
    obj = best.status.objective
    lowest = min([o.lower for o in outcomes.values() if o.status != "infeasible"] + [obj])
    return best, table, max(obj - lowest, 0.0) / max(abs(obj), 1e-9)


def _text(bound: Bound) -> str:
    return f"{bound.value:,.6g}" if bound.known else bound.status


def _table(inputs, spec, combos, outcomes) -> xr.Dataset:
    """The per-candidate table of ``greendc.study`` plus the decomposition's iterations."""
    from greendc.study import _candidate_table

    lp = {c: Bound(o.lp_bound, o.lp_status) for c, o in outcomes.items()}
    objective = {c: o.objective for c, o in outcomes.items() if math.isfinite(o.objective)}
    table = _candidate_table(inputs, spec, [c for c in combos if c in outcomes], lp, objective,
                             {c: o.status for c, o in outcomes.items()})
    iterations = xr.zeros_like(table["candidate_lower_bound"]).astype(np.int64)
    for (s, c), o in outcomes.items():
        iterations.loc[s, c] = o.iterations
    table["candidate_iterations"] = iterations
    table["candidate_iterations"].attrs["long_name"] = (
        "design/dispatch iterations of the candidate's decomposition (0: pruned by its LP "
        "bound or infeasible)")
    return table
