"""A study end to end: scenario -> inputs -> model -> HiGHS -> results Dataset.

Strategies
----------
``monolithic``: one MILP over every candidate site and cooling.
``decompose`` (default when one site is built and there are several (site, cooling)
combinations): each combination is a much smaller MILP. Its LP relaxation gives a lower
bound (``greendc.bounds``, shared with the Pareto front); combinations are solved in order of
bound and a combination whose bound is not below the best design found (within the MIP gap)
is pruned. Only an LP proven infeasible prunes without a solve: an LP stopped by the time
limit (or otherwise unproven) gives no bound and its combination is solved; if no design is
found and not every combination is proven infeasible, the study fails with SolverError, not
InfeasibleError. The result is the proven optimum of the
monolithic model (same objective within the gap), much faster, because the monolithic
branch-and-bound spends its time on the site/cooling binaries.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from greendc.checks import (
    check_feasibility_hints, check_names, check_physics, hostable, queue_exclusions,
)
from greendc.catalogue import (
    Catalogue, apply_overrides, did_you_mean, scenario_catalogue_dicts, validate_catalogue,
)
from greendc.engine import Engine, engine_of
from greendc.duals import add_duals, design_duals, study_emissions_bound
from greendc.errors import InfeasibleError, ScenarioError, SolverError
from greendc.bounds import Bound, lp_bound
from greendc.inputs import prepare_inputs
from greendc.progress import step_of
from greendc.problem import ModelSpec, Solved, settings_for, solve_inputs  # noqa: F401 - API
from greendc.results import horizon_of, package_versions, with_queue
from greendc.search import search
from greendc.multisite import coupling_rows, solve_sites
from greendc.sitefacts import merge_site_facts
from greendc.scenario import LoadedScenario, load_scenario, scenario_from_dict, with_overrides
from greendc.solve import (
    HighsModel, SolveStatus, clear_interrupt, interrupted, sigint_interrupts,
)
from greendc.timeseries import load_it_load, load_sites, time_alignment
from greendc.typical import aggregate_inputs, reevaluate_study

log = logging.getLogger(__name__)
STRATEGIES = ("auto", "benders", "decompose", "monolithic")


@dataclass(frozen=True)
class Study:
    """Everything needed to build the model of one scenario (no solver state).

    Read-only, the scenario too (``greendc.scenario.FrozenList``): the inputs are prepared
    from the scenario once, so a change in place would not reach them. ``with_changes``
    returns a re-validated, re-prepared copy."""

    loaded: LoadedScenario
    catalogue: Catalogue
    sites: dict[str, xr.Dataset]
    inputs: xr.Dataset
    full_inputs: xr.Dataset | None = None  # full-year inputs when ``inputs`` are typical days

    @property
    def scenario(self):
        return self.loaded.scenario

    def with_changes(self, changes: dict[str, Any]) -> Study:
        """A new study with dotted-path scenario changes (``{"compute.required_pflops":
        10000}``), validated like the file and with freshly prepared inputs."""
        return load_study(self.loaded, overrides=changes)


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
    log.debug("scenario %s (%s): %s", loaded.scenario.name, loaded.origin,
              loaded.scenario.model_dump(mode="json", exclude_defaults=True))
    catalogue = _catalogue_for(loaded)
    sites = load_sites(loaded)
    check_names(loaded, catalogue, sites)
    inputs = prepare_inputs(loaded, catalogue, sites, load_it_load(loaded))
    sc = loaded.scenario
    check_physics(inputs, loaded.origin)
    check_feasibility_hints(inputs, loaded.origin, sc.emissions_cap_t_per_yr,
                            "operational" if sc.emissions_scope == "operational" else "emissions")
    for site, why in queue_exclusions(inputs).items():
        log.info("site %s excluded before the solve: %s", site, why)
    inputs.attrs["scenario_hash"] = loaded.scenario.digest()
    inputs.attrs["data_years"] = json.dumps(
        {s: int(ds.attrs.get("data_year", 0)) for s, ds in sites.items()})
    if time_alignment(sites):  # own files of another year, aligned by hour of year
        inputs.attrs["time_alignment"] = json.dumps(time_alignment(sites))
    if sc.horizon.typical_days is not None:  # design on typical days (greendc.typical)
        return Study(loaded=loaded, catalogue=catalogue, sites=sites, full_inputs=inputs,
                     inputs=aggregate_inputs(inputs, sc.horizon.typical_days))
    return Study(loaded=loaded, catalogue=catalogue, sites=sites, inputs=inputs)


def _catalogue_for(loaded: LoadedScenario) -> Catalogue:
    """Catalogue with the scenario's overrides and per-site facts applied, validated."""
    raw = scenario_catalogue_dicts(loaded)
    raw = apply_overrides(raw, loaded.scenario.overrides, loaded.origin)
    for i, ref in enumerate(loaded.scenario.sites):
        base = raw["sites"].get(ref.id)
        if base is None and not ref.facts:
            raise ScenarioError(
                f"{loaded.origin}: sites[{i}] = {ref.id!r}: no planning facts in "
                f"data/catalogue/sites.yaml; {did_you_mean(ref.id, raw['sites'])}give them under `facts:` (grid_connection_mw, "
                f"floor_area_m2, ...) or use a reference site {sorted(raw['sites'])}"
            )
        raw["sites"][ref.id] = merge_site_facts(base, ref.id, ref.facts,
                                                f"{loaded.origin}: sites[{i}].facts")
    return validate_catalogue(raw, loaded.origin)


def combinations(study: Study) -> list[tuple[str, str]]:
    """(site, cooling) pairs worth solving: site allowed by the sovereignty gates and the
    connection queue (``commissioning_year``), at least
    one server type that fits the cooling's racks, and no chiller-less cooling where the
    site's weather exceeds its climate limit (``cooling_climate_limit``)."""
    inp = study.inputs
    gate = ((inp["site_jurisdiction_allowed"] > 0) & (inp["site_legal_exposure_excluded"] < 1)
            & (inp["site_non_eu_ownership_share"] <= inp.attrs["max_non_eu_ownership_share"]))
    if "site_connection_in_time" in inp:  # the connection queue (commissioning_year)
        gate = gate & (inp["site_connection_in_time"] > 0)
    fits = hostable(inp)
    climate_ok = inp["climate_limit_hours"] <= 0 if "climate_limit_hours" in inp else None
    return [(str(s), str(c)) for s in inp.site.values for c in inp.cooling.values
            if bool(gate.sel(site=s)) and bool(fits.sel(cooling=c))
            and (climate_ok is None or bool(climate_ok.sel(site=s, cooling=c)))]


def solve_study(study: Study, strategy: str | None = None,
                scheduler: str | None = None) -> xr.Dataset:
    """Solve a study and return the results Dataset (see ``greendc.results``).

    Parallel work runs on one ``greendc.engine.Engine`` for the whole solve: a local cluster
    of ``solver.workers`` processes, started only if there is parallel work, or the dask
    scheduler at ``scheduler`` (the CLI's ``--scheduler``; a bad address fails here, before
    any solve). Each step (LP bound, sub-problem, re-evaluation) is an INFO log record (shown by
    ``greendc.progress``)."""
    sc = study.scenario
    clear_interrupt()  # a Ctrl-C of an earlier study does not stop this one
    strategy = strategy or sc.solver.strategy
    if strategy not in STRATEGIES:
        raise ScenarioError(f"{study.loaded.origin}: strategy = {strategy!r}: unknown; expected "
                            f"one of {', '.join(STRATEGIES)}")
    combos = combinations(study)
    if not combos:
        raise InfeasibleError(_no_candidate_message(study))
    spec = ModelSpec.of(study)
    coupled = coupling_rows(spec, study.inputs) if sc.max_sites != 1 else []
    if strategy == "auto":
        strategy = auto_strategy(spec, sc.max_sites, len(combos), coupled)
    if strategy == "decompose" and sc.max_sites != 1:
        raise ScenarioError(f"{study.loaded.origin}: solver.strategy = decompose needs "
                            f"max_sites = 1 (got {sc.max_sites}); use benders or monolithic")
    if strategy == "benders" and spec.second_stage:
        raise ScenarioError(f"{study.loaded.origin}: solver.strategy = benders solves a cost "
                            f"objective (got {sc.objective}, lexicographic); use decompose")
    if strategy == "benders" and coupled:
        raise ScenarioError(f"{study.loaded.origin}: solver.strategy = benders with max_sites "
                            f"= {sc.max_sites} splits the model by site, but "
                            f"{', '.join(coupled)} couples the sites' hourly operation; use "
                            "monolithic")
    start = time.perf_counter()
    with Engine(sc.solver.workers, scheduler) as engine:
        if strategy == "benders" and sc.max_sites != 1:
            solved, table, gap = solve_sites(study.inputs, spec, combos, sc.max_sites, engine)
        elif strategy in ("decompose", "benders"):
            solve = search if strategy == "benders" else solve_decomposed
            solved, table, gap = solve(study.inputs, spec, combos, engine)
            if solved is None:
                raise no_design_error(study, table)
        else:
            log.info("solve monolithic model", extra=step_of("MILP", 1, 1))
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
    res["candidate_pue_source"] = study.inputs["pue_source"]
    res.attrs.update(
        provenance_attrs(study),
        solver_status=_overall_status(solved.status, gap, spec.settings.mip_rel_gap),
        solver_mip_gap=gap,
        solver_seconds=round(time.perf_counter() - start, 3),
        solver_strategy=strategy, build_seconds=round(solved.build_seconds, 3),
        model_columns=solved.columns, model_rows=solved.rows,
        model_integer_columns=solved.integer_columns,
    )
    design = res
    if study.full_inputs is not None:  # typical days: re-evaluate the design hour by hour
        res = reevaluate_study(study, spec, res)
    if sc.solver.duals and res.attrs["solver_status"] != "interrupted":
        log.info("shadow prices: LP of the optimal design")
        res = add_duals(res, design_duals(spec, study.inputs, design,
                                          study_emissions_bound(spec, design)))
    return with_queue(res, study.inputs)


def auto_strategy(spec: ModelSpec, max_sites: int, candidates: int,
                  coupled: list[str] | None = None) -> str:
    """The default path: the design/dispatch decomposition for a cost objective
    (``greendc.search`` on one site, ``greendc.multisite`` on several); per-candidate MILPs
    for the lexicographic (emissions) objectives on one site; one MILP for several sites
    whose operation a scalar row couples (``coupled``: a CFE target, an emissions cap), for
    a lexicographic objective on several sites, or for a single candidate."""
    if max_sites != 1:
        return "monolithic" if coupled or spec.second_stage else "benders"
    if not spec.second_stage:
        return "benders"
    return "decompose" if candidates > 1 else "monolithic"


def provenance_attrs(study: Study) -> dict[str, Any]:
    """The attributes every results Dataset of ``study`` carries, whichever path solved it
    (``solve_study``, a front point of ``greendc.pareto``): scenario, hash, objective,
    horizon and data years, package versions and catalogue sources (JSON strings where a
    netCDF attribute must be flat; ``results.summary`` decodes them)."""
    sc = study.scenario
    return dict(
        scenario=sc.name, scenario_hash=study.inputs.attrs.get("scenario_hash", ""),
        data_years=study.inputs.attrs.get("data_years", "{}"), objective=sc.objective,
        horizon=json.dumps(horizon_of(study.inputs)),
        package_versions=json.dumps(package_versions()),
        catalogue_sources=json.dumps(sorted(study.catalogue.sources())
                                     if study.catalogue is not None else []),
        **{k: study.inputs.attrs[k] for k in ("time_alignment", "it_load_peak_mw",
                                              "server_accounting") if k in study.inputs.attrs},
    )


def _overall_status(status: SolveStatus, gap: float, tolerance: float) -> str:
    """Optimal only when the best design is proven within the MIP gap over all candidates;
    ``interrupted`` (Ctrl-C) wins over both, the design being the best found so far."""
    if status.status == "interrupted" or interrupted():
        return "interrupted"
    if status.status == "optimal" and gap <= tolerance * (1 + 1e-9) + 1e-12:
        return "optimal"
    return "time_limit"


def _task(spec: ModelSpec, inputs: xr.Dataset, relax: bool) -> Solved:
    """Worker entry point (module level so that it pickles)."""
    return solve_inputs(spec, inputs, relax=relax)


def _map(spec: ModelSpec, jobs: list[xr.Dataset], relax: bool, engine: Engine):
    """Solve jobs, results in order, on ``engine`` (HiGHS MIP and simplex use about one core
    each, so worker processes rather than threads; see ``greendc.engine``)."""
    with sigint_interrupts():
        yield from engine.map(_task, [spec] * len(jobs), jobs, [relax] * len(jobs))


def _bound_site_task(spec: ModelSpec, inputs: xr.Dataset, coolings: list[str]) -> dict[str, Bound]:
    """LP bounds (``greendc.bounds``) of one site's cooling options on one persistent model:
    fixing ``cool`` to each option in turn re-solves from the previous basis (about 5x faster
    than cold)."""
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
        out[chosen] = lp_bound(hm, f"{site} / {chosen}")
    return out


def site_lp_bounds(inputs: xr.Dataset, spec: ModelSpec, combos: list[tuple[str, str]],
                   workers: int | Engine = 1) -> dict[tuple[str, str], Bound]:
    """LP-relaxation bound of every (site, cooling) combination, one task per site on the
    engine ``workers`` (or a new one of that many workers); each bound is logged (phase "LP
    bounds", i/n) as its site's task returns, in site order."""
    by_site: dict[str, list[str]] = {}
    for s, c in combos:
        by_site.setdefault(s, []).append(c)
    jobs = [(inputs.sel(site=[s], cooling=cs), cs) for s, cs in by_site.items()]
    out: dict[tuple[str, str], Bound] = {}

    def collect(site: str, res: dict[str, Bound]) -> None:
        """Log each bound as its site's task returns (progress while the phase runs)."""
        for c, b in res.items():
            out[(site, c)] = b
            log.info("bound %s / %s: %s", site, c, f"{b.value:,.6g}" if b.known
                     else "infeasible" if b.infeasible else f"no bound ({b.status})",
                     extra=step_of("LP bounds", len(out), len(combos)))

    with engine_of(workers) as engine, sigint_interrupts():
        for site, res in zip(by_site, engine.map(_bound_site_task, [spec] * len(jobs),
                                                 *zip(*jobs))):
            collect(site, res)
    return {combo: out[combo] for combo in combos if combo in out}


def solve_decomposed(inputs: xr.Dataset, spec: ModelSpec, combos: list[tuple[str, str]],
                     workers: int | Engine = 1):
    """Bound every (site, cooling) by its LP relaxation, then solve in order of bound, in
    rounds of as many combinations as the engine ``workers`` runs at once (an ``Engine``, or
    a worker count for a new one), pruning those whose bound cannot beat the best design
    within the MIP gap. Returns the best solve (None if no design was found: see
    ``no_design_error``), a per-combination table (with each LP bound's status) and the
    proven relative gap over all combinations (inf when a combination has no bound at all)."""
    with engine_of(workers) as engine:
        return _solve_decomposed(inputs, spec, combos, engine)


def _solve_decomposed(inputs: xr.Dataset, spec: ModelSpec, combos: list[tuple[str, str]],
                      engine: Engine):
    subs = [inputs.sel(site=[s], cooling=[c]) for s, c in combos]
    lp = site_lp_bounds(inputs, spec, combos, engine)
    workers = engine.workers
    bounds = {c: b.value for c, b in lp.items()}  # -inf: no bound, the combination is solved
    order = sorted(combos, key=lambda x: (bounds[x], combos.index(x)))
    best: Solved | None = None
    outcome = {c: "infeasible" for c in combos if lp[c].infeasible}
    objective: dict[tuple[str, str], float] = {}
    proven_bound = dict(bounds)  # LP bound, replaced by the MILP dual bound once solved
    todo = [c for c in order if not lp[c].infeasible]
    gap = spec.settings.mip_rel_gap
    most, solved_count = len(todo), 0  # at most every feasible combination is solved
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
        for combo, solved in zip(batch, _map(spec, jobs, False, engine)):
            outcome[combo] = solved.status.status
            solved_count += 1
            log.info("solve %s / %s: %s %s", *combo, solved.status.status,
                     "" if solved.status.objective is None else solved.status.objective,
                     extra=step_of("MILP (at most)", solved_count, most))
            if solved.results is None:
                proven_bound[combo] = float("inf") if solved.status.status == "infeasible" \
                    else bounds[combo]
                continue
            objective[combo] = solved.status.objective
            proven_bound[combo] = solved.status.dual_bound
            if best is None or _better(solved, best, spec):
                best = solved
    table = _candidate_table(inputs, spec, combos, lp, objective, outcome)
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


def _candidate_table(inputs, spec, combos, lp, objective, outcome) -> xr.Dataset:
    sites, cools = inputs.site.values, inputs.cooling.values
    lb = xr.DataArray(np.full((len(sites), len(cools)), np.nan), coords={"site": sites, "cooling": cools})
    ob, st = lb.copy(), xr.DataArray(np.full((len(sites), len(cools)), "excluded", dtype=object),
                                     coords=lb.coords)
    bst = st.copy()
    for s, c in combos:
        lb.loc[s, c] = lp[(s, c)].value
        bst.loc[s, c] = lp[(s, c)].status
        ob.loc[s, c] = objective.get((s, c), np.nan)
        st.loc[s, c] = outcome.get((s, c), "not_solved")
    table = xr.Dataset({"candidate_lower_bound": lb, "candidate_objective": ob,
                        "candidate_status": st.astype(str), "candidate_bound_status": bst.astype(str)})
    for v in ("candidate_lower_bound", "candidate_objective"):
        table[v].attrs["units"] = "EUR/yr" if spec.objective == "cost" else "tCO2e/yr"
    table["candidate_lower_bound"].attrs["long_name"] = (
        "LP-relaxation lower bound (+inf: proven infeasible, -inf: no bound, see "
        "candidate_bound_status)")
    table["candidate_status"].attrs["long_name"] = "outcome per (site, cooling) sub-problem"
    table["candidate_bound_status"].attrs["long_name"] = (
        "LP outcome behind candidate_lower_bound (optimal, infeasible, or why there is none)")
    return table


def no_design_error(study: Study, table: xr.Dataset) -> Exception:
    """No candidate gave a design: InfeasibleError only when every one is proven infeasible;
    otherwise (time limit, solver trouble) a SolverError naming the unresolved candidates, so
    that a feasible study is never diagnosed as infeasible."""
    status = table["candidate_status"]
    pairs = [(str(s), str(c), str(status.sel(site=s, cooling=c).values))
             for s in status.site.values for c in status.cooling.values]
    open_ = [(s, c, v) for s, c, v in pairs if v not in ("infeasible", "excluded")]
    if not open_:
        return InfeasibleError(_all_infeasible_message(study, table))
    lines = [f"{study.loaded.origin}: no design found, and not every (site, cooling) "
             "combination is proven infeasible:"]
    lines += [f"  {s} / {c}: {v}" for s, c, v in pairs]
    lines.append(f"Raise solver.time_limit_s (now {study.scenario.solver.time_limit_s}) or "
                 "check the solver messages above.")
    return SolverError("\n".join(lines))


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
    queued = queue_exclusions(inp)
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
        if str(s) in queued:
            why.append(queued[str(s)])
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
        scheduler: str | None = None) -> xr.Dataset:
    """Load and solve a scenario (path, dict or LoadedScenario); return the results Dataset
    (``scheduler``: address of a dask scheduler to solve on, see ``solve_study``)."""
    return solve_study(load_study(source, overrides), scheduler=scheduler)
