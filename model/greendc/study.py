"""A study end to end: scenario -> inputs -> model -> HiGHS -> results Dataset.

Strategies
----------
``monolithic``: one MILP over every candidate site and cooling.
``decompose`` (default when one site is built and there are several (site, cooling)
combinations): each combination is a much smaller MILP. Its LP relaxation gives a lower
bound; combinations are solved in order of bound and a combination whose bound is not below
the best design found (within the MIP gap) is pruned. The result is the proven optimum of the
monolithic model (same objective within the gap), much faster, because the monolithic
branch-and-bound spends its time on the site/cooling binaries.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import xarray as xr

from greendc.formulation import build_model
from greendc.checks import check_feasibility_hints, check_names, check_physics
from greendc.catalogue import (
    Catalogue, apply_overrides, did_you_mean, read_catalogue_dicts, validate_catalogue,
)
from greendc.errors import InfeasibleError, ScenarioError, SolverError
from greendc.inputs import prepare_inputs
from greendc.results import extract_results, package_versions
from greendc.scenario import LoadedScenario, load_scenario, scenario_from_dict, with_overrides
from greendc.solve import (
    HighsModel, SolverSettings, SolveStatus, clear_interrupt, interrupted,
    sigint_interrupts,
)
from greendc.timeseries import data_dir, load_sites

log = logging.getLogger(__name__)
STRATEGIES = ("auto", "decompose", "monolithic")
Progress = Callable[[str], None]


@dataclass
class Study:
    """Everything needed to build the model of one scenario (no solver state)."""

    loaded: LoadedScenario
    catalogue: Catalogue
    sites: dict[str, xr.Dataset]
    inputs: xr.Dataset
    full_inputs: xr.Dataset | None = None  # full-year inputs when ``inputs`` are typical days

    @property
    def scenario(self):
        return self.loaded.scenario


def load_study(source: Any, overrides: dict[str, Any] | None = None) -> Study:
    """Load a study from a scenario YAML path, a scenario dict or a ``LoadedScenario``.

    ``overrides`` change scenario fields by dotted path (``{"objective": "emissions"}``);
    catalogue values are changed through the scenario's own ``overrides`` mapping, e.g.
    ``{"overrides": {"servers.b200_node.price_eur": 350000}}``.
    """
    if isinstance(source, LoadedScenario):
        loaded = source
    elif isinstance(source, dict):
        loaded = scenario_from_dict(source)
    else:
        loaded = load_scenario(source)
    if overrides:
        loaded = with_overrides(loaded, overrides)
    catalogue = _catalogue_for(loaded)
    sites = load_sites(loaded)
    check_names(loaded, catalogue, sites)
    inputs = prepare_inputs(loaded, catalogue, sites)
    sc = loaded.scenario
    check_physics(inputs, loaded.origin)
    check_feasibility_hints(inputs, loaded.origin, sc.emissions_cap_t_per_yr,
                            "operational" if sc.emissions_scope == "operational" else "emissions")
    inputs.attrs["scenario_hash"] = loaded.scenario.digest()
    inputs.attrs["data_years"] = json.dumps(
        {s: int(ds.attrs.get("data_year", 0)) for s, ds in sites.items()})
    if sc.horizon.typical_days is not None:  # design on typical days (greendc.typical)
        from greendc.typical import aggregate_inputs
        return Study(loaded=loaded, catalogue=catalogue, sites=sites, full_inputs=inputs,
                     inputs=aggregate_inputs(inputs, sc.horizon.typical_days))
    return Study(loaded=loaded, catalogue=catalogue, sites=sites, inputs=inputs)


def _catalogue_for(loaded: LoadedScenario) -> Catalogue:
    """Catalogue with the scenario's overrides and per-site facts applied, validated."""
    raw = read_catalogue_dicts(data_dir(loaded))
    raw = apply_overrides(raw, loaded.scenario.overrides, loaded.origin)
    for i, ref in enumerate(loaded.scenario.sites):
        base = raw["sites"].get(ref.id)
        if base is None and not ref.facts:
            raise ScenarioError(
                f"{loaded.origin}: sites[{i}] = {ref.id!r}: no planning facts in "
                f"data/catalogue/sites.yaml; {did_you_mean(ref.id, raw['sites'])}give them under `facts:` (grid_connection_mw, "
                f"floor_area_m2, ...) or use a reference site {sorted(raw['sites'])}"
            )
        merged = dict(base or {"name": ref.id})
        for key, value in ref.facts.items():
            if isinstance(value, (int, float)) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], "value": value, "source": "scenario override"}
            else:
                merged[key] = value
        raw["sites"][ref.id] = merged
    return validate_catalogue(raw, loaded.origin)


def settings_for(study: Study, **changes: Any) -> SolverSettings:
    opts = study.scenario.solver
    base = dict(mip_rel_gap=opts.mip_rel_gap, time_limit_s=opts.time_limit_s,
                threads=opts.threads)
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
        status = _second_stage(m, hm, status, spec)
    results = None
    if status.has_solution and not relax:
        hm.load_solution()
        results = extract_results(m, inputs)
    return Solved(status=status, results=results, build_seconds=build_seconds,
                  columns=len(hm.columns), rows=len(hm.rows),
                  integer_columns=int(hm.integer.sum()))


def _second_stage(m, hm: HighsModel, first: SolveStatus, spec: ModelSpec) -> SolveStatus:
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


def combinations(study: Study) -> list[tuple[str, str]]:
    """(site, cooling) pairs worth solving: site allowed by the sovereignty gates and at
    least one server type that fits the cooling's racks."""
    inp = study.inputs
    gate = ((inp["site_jurisdiction_allowed"] > 0) & (inp["site_legal_exposure_excluded"] < 1)
            & (inp["site_non_eu_ownership_share"] <= inp.attrs["max_non_eu_ownership_share"]))
    fits = (inp["nodes_per_rack"] > 0).any("server")
    return [(str(s), str(c)) for s in inp.site.values for c in inp.cooling.values
            if bool(gate.sel(site=s)) and bool(fits.sel(cooling=c))]


def solve_study(study: Study, strategy: str | None = None,
                progress: Progress | None = None) -> xr.Dataset:
    """Solve a study and return the results Dataset (see ``greendc.results``)."""
    sc = study.scenario
    clear_interrupt()  # a Ctrl-C of an earlier study does not stop this one
    strategy = strategy or sc.solver.strategy
    if strategy not in STRATEGIES:
        raise ScenarioError(f"{study.loaded.origin}: strategy = {strategy!r}: unknown; expected "
                            f"one of {', '.join(STRATEGIES)}")
    combos = combinations(study)
    if not combos:
        raise InfeasibleError(_no_candidate_message(study))
    if strategy == "auto":
        strategy = "decompose" if sc.max_sites == 1 and len(combos) > 1 else "monolithic"
    if strategy == "decompose" and sc.max_sites != 1:
        raise ScenarioError(f"{study.loaded.origin}: solver.strategy = decompose needs "
                            f"max_sites = 1 (got {sc.max_sites}); use monolithic")
    start = time.perf_counter()
    spec = ModelSpec.of(study)
    if strategy == "decompose":
        solved, table, gap = solve_decomposed(study.inputs, spec, combos, sc.solver.workers,
                                              progress)
        if solved is None:
            raise InfeasibleError(_all_infeasible_message(study, table))
    else:
        if progress:
            progress("solve monolithic model")
        solved = solve_inputs(spec, study.inputs)
        table, gap = None, float(solved.status.mip_gap or 0.0)
        if solved.results is None:
            raise _failure(study, solved.status)
    res = solved.results.reindex(site=study.inputs.site, cooling=study.inputs.cooling,
                                 fill_value=0.0)
    if table is not None:
        res = res.merge(table)
    res["candidate_pue"] = study.inputs["pue"].astype("float32")
    res["candidate_pue"].attrs.update(units="1", long_name="hourly PUE of every candidate "
                                      "site and cooling technology")
    res.attrs.update(
        scenario=sc.name, scenario_hash=study.inputs.attrs["scenario_hash"],
        data_years=study.inputs.attrs["data_years"], objective=sc.objective,
        solver_status=_overall_status(solved.status, gap, spec.settings.mip_rel_gap),
        solver_mip_gap=gap,
        solver_seconds=round(time.perf_counter() - start, 3),
        solver_strategy=strategy, build_seconds=round(solved.build_seconds, 3),
        model_columns=solved.columns, model_rows=solved.rows,
        model_integer_columns=solved.integer_columns,
        package_versions=json.dumps(package_versions()),
        catalogue_sources=json.dumps(sorted(study.catalogue.sources())),
    )
    if study.full_inputs is not None:  # typical days: re-evaluate the design hour by hour
        from greendc.typical import reevaluate_study
        res = reevaluate_study(study, spec, res, progress)
    return res


def _overall_status(status: SolveStatus, gap: float, tolerance: float) -> str:
    """Optimal only when the best design is proven within the MIP gap over all candidates;
    ``interrupted`` (Ctrl-C) wins over both, the design being the best found so far."""
    if status.status == "interrupted" or interrupted():
        return "interrupted"
    if status.status == "optimal" and gap <= tolerance * (1 + 1e-9) + 1e-12:
        return "optimal"
    return "time_limit"


def _worker_init(parent_pid: int) -> None:
    """Pool worker set-up: die with the parent (a killed ``run`` left orphan workers and the
    resource tracker alive) and turn Ctrl-C into the solver interrupt flag (the terminal sends
    SIGINT to the whole process group; the worker then returns its best design so far)."""
    import signal

    from greendc.solve import interrupt

    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent_pid:  # the parent died before prctl took effect
            os._exit(1)
    signal.signal(signal.SIGINT, lambda signum, frame: interrupt())


def _task(spec: ModelSpec, inputs: xr.Dataset, relax: bool) -> Solved:
    """Worker entry point (module level so that it pickles)."""
    return solve_inputs(spec, inputs, relax=relax)


def _map(spec: ModelSpec, jobs: list[xr.Dataset], relax: bool, workers: int):
    """Solve jobs in order, in parallel processes when workers > 1 (HiGHS MIP and simplex
    use about one core each, so processes rather than threads)."""
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            yield solve_inputs(spec, job, relax=relax)
        return
    ctx = multiprocessing.get_context("spawn")
    with sigint_interrupts(), ProcessPoolExecutor(
            max_workers=min(workers, len(jobs)), mp_context=ctx,
            initializer=_worker_init, initargs=(os.getpid(),)) as pool:
        yield from pool.map(_task, [spec] * len(jobs), jobs, [relax] * len(jobs))


def _bound_site_task(spec: ModelSpec, inputs: xr.Dataset, coolings: list[str]) -> dict[str, float]:
    """LP bounds of one site's cooling options on one persistent model: fixing ``cool`` to
    each option in turn re-solves from the previous basis (about 5x faster than cold)."""
    m = spec.build(inputs)
    hm = HighsModel(m, spec.settings)
    hm.relax_integrality(True)
    site = str(inputs.site.values[0])
    out = {}
    for chosen in coolings:
        for c in inputs.cooling.values:
            on = 1.0 if str(c) == chosen else 0.0
            if hm.column(m.cool[site, str(c)]) is not None:
                hm.set_column_bounds(m.cool[site, str(c)], on, on)
        status = hm.solve()
        out[chosen] = status.objective if status.status == "optimal" else float("inf")
    return out


def site_lp_bounds(inputs: xr.Dataset, spec: ModelSpec, combos: list[tuple[str, str]],
                   workers: int = 1) -> dict[tuple[str, str], float]:
    """LP-relaxation lower bound of every (site, cooling) combination, one task per site."""
    by_site: dict[str, list[str]] = {}
    for s, c in combos:
        by_site.setdefault(s, []).append(c)
    jobs = [(inputs.sel(site=[s], cooling=cs), cs) for s, cs in by_site.items()]
    if workers <= 1 or len(jobs) <= 1:
        results = [_bound_site_task(spec, job, cs) for job, cs in jobs]
    else:
        ctx = multiprocessing.get_context("spawn")
        with sigint_interrupts(), ProcessPoolExecutor(
                max_workers=min(workers, len(jobs)), mp_context=ctx,
                initializer=_worker_init, initargs=(os.getpid(),)) as pool:
            results = list(pool.map(_bound_site_task, [spec] * len(jobs), *zip(*jobs)))
    return {(s, c): value for s, res in zip(by_site, results) for c, value in res.items()}


def solve_decomposed(inputs: xr.Dataset, spec: ModelSpec, combos: list[tuple[str, str]],
                     workers: int = 1, progress: Progress | None = None):
    """Bound every (site, cooling) by its LP relaxation, then solve in order of bound, in
    rounds of ``workers`` combinations, pruning those whose bound cannot beat the best design
    within the MIP gap. Returns the best solve (None if all infeasible), a per-combination
    table and the proven relative gap over all combinations."""
    subs = [inputs.sel(site=[s], cooling=[c]) for s, c in combos]
    bounds = site_lp_bounds(inputs, spec, combos, workers)
    if progress:
        for combo in combos:
            progress(f"bound {combo[0]} / {combo[1]}: {bounds[combo]:,.6g}")
    order = sorted(combos, key=lambda x: (bounds[x], combos.index(x)))
    best: Solved | None = None
    outcome = {c: "infeasible" for c in combos if not np.isfinite(bounds[c])}
    objective: dict[tuple[str, str], float] = {}
    proven_bound = dict(bounds)  # LP bound, replaced by the MILP dual bound once solved
    todo = [c for c in order if np.isfinite(bounds[c])]
    gap = spec.settings.mip_rel_gap
    while todo and not interrupted():  # Ctrl-C: keep the best so far, the rest not solved
        if best is not None:
            obj = best.status.objective
            # ties matter when a second stage ranks equal designs: keep them unless strictly worse
            level = (obj + max(abs(obj) * 1e-6, 1e-9) if spec.second_stage
                     else obj - gap * abs(obj))
            for c in [c for c in todo if bounds[c] >= level]:
                outcome[c] = "pruned_by_bound"
            todo = [c for c in todo if bounds[c] < level]
            if not todo:
                break
        batch, todo = todo[:workers], todo[workers:]
        jobs = [subs[combos.index(c)] for c in batch]
        for combo, solved in zip(batch, _map(spec, jobs, False, workers)):
            outcome[combo] = solved.status.status
            if progress:
                progress(f"solve {combo[0]} / {combo[1]}: {solved.status.status} "
                         f"{solved.status.objective if solved.status.objective is not None else ''}")
            if solved.results is None:
                proven_bound[combo] = float("inf") if solved.status.status == "infeasible" \
                    else bounds[combo]
                continue
            objective[combo] = solved.status.objective
            proven_bound[combo] = solved.status.dual_bound
            if best is None or _better(solved, best, spec):
                best = solved
    table = _candidate_table(inputs, spec, combos, bounds, objective, outcome)
    if best is None:
        return None, table, float("inf")
    best_obj = best.status.objective
    lowest = min(min(proven_bound.values()), best_obj)
    return best, table, (best_obj - lowest) / max(abs(best_obj), 1e-9)


def _better(new: Solved, old: Solved, spec: ModelSpec) -> bool:
    """Lower primary objective; on a tie (1e-6 relative) a lower secondary when lexicographic."""
    a, b = new.status.objective, old.status.objective
    tol = max(abs(b) * 1e-6, 1e-9)
    if a < b - tol:
        return True
    if spec.second_stage and abs(a - b) <= tol:
        return spec.secondary(new.results) < spec.secondary(old.results) - 1e-9 * max(
            abs(spec.secondary(old.results)), 1.0)
    return False


def _candidate_table(inputs, spec, combos, bounds, objective, outcome) -> xr.Dataset:
    sites, cools = inputs.site.values, inputs.cooling.values
    lb = xr.DataArray(np.full((len(sites), len(cools)), np.nan), coords={"site": sites, "cooling": cools})
    ob, st = lb.copy(), xr.DataArray(np.full((len(sites), len(cools)), "excluded", dtype=object),
                                     coords=lb.coords)
    for s, c in combos:
        lb.loc[s, c] = bounds[(s, c)]
        ob.loc[s, c] = objective.get((s, c), np.nan)
        st.loc[s, c] = outcome.get((s, c), "not_solved")
    table = xr.Dataset({"candidate_lower_bound": lb, "candidate_objective": ob,
                        "candidate_status": st.astype(str)})
    for v in ("candidate_lower_bound", "candidate_objective"):
        table[v].attrs["units"] = "EUR/yr" if spec.objective == "cost" else "tCO2e/yr"
    table["candidate_status"].attrs["long_name"] = "outcome per (site, cooling) sub-problem"
    return table


def _failure(study: Study, status: SolveStatus) -> Exception:
    if status.status == "infeasible":
        return InfeasibleError(
            f"{study.loaded.origin}: no design meets every limit of the scenario "
            f"(HiGHS: {status.message}). Check grid connection, floor space, water allowance, "
            "emissions cap and sovereignty rules against the compute requirement.")
    return SolverError(f"{study.loaded.origin}: HiGHS ended with '{status.message}' "
                       f"after {status.seconds:.1f} s without a usable design")


def _no_candidate_message(study: Study) -> str:
    inp, rules = study.inputs, study.scenario.sovereignty
    lines = [f"{study.loaded.origin}: no candidate (site, cooling) combination remains:"]
    for s in inp.site.values:
        why = []
        if inp["site_jurisdiction_allowed"].sel(site=s) < 1:
            why.append(f"jurisdiction {str(inp['site_country'].sel(site=s).values)} not in "
                       f"allowed_jurisdictions {rules.allowed_jurisdictions}")
        if inp["site_legal_exposure_excluded"].sel(site=s) > 0:
            why.append(f"exposed to an excluded legal regime {rules.exclude_legal_exposures}")
        own = float(inp["site_non_eu_ownership_share"].sel(site=s))
        if own > rules.max_non_eu_ownership_share:
            why.append(f"operator non-EU ownership {own:g} > {rules.max_non_eu_ownership_share:g}")
        if why:
            lines.append(f"  site {s}: " + "; ".join(why))
    if (inp["nodes_per_rack"] == 0).all():
        lines.append("  no server type fits the racks of any allowed cooling technology")
    return "\n".join(lines)


def _all_infeasible_message(study: Study, table: xr.Dataset) -> str:
    lines = [f"{study.loaded.origin}: every (site, cooling) combination is infeasible:"]
    status = table["candidate_status"]
    lines += [f"  {s} / {c}: {str(status.sel(site=s, cooling=c).values)}"
              for s in status.site.values for c in status.cooling.values]
    lines.append("Check grid connection, floor space, water, the emissions cap and the compute "
                 "requirement against each site's limits.")
    return "\n".join(lines)


def run(source: Any, overrides: dict[str, Any] | None = None,
        progress: Progress | None = None) -> xr.Dataset:
    """Load and solve a scenario (path, dict or LoadedScenario); return the results Dataset."""
    return solve_study(load_study(source, overrides), progress=progress)
