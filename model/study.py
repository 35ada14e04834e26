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
import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import xarray as xr

from model.build import build_model
from model.catalogue import Catalogue, apply_overrides, read_catalogue_dicts, validate_catalogue
from model.errors import InfeasibleError, ScenarioError, SolverError
from model.inputs import prepare_inputs
from model.results import extract_results, package_versions
from model.scenario import LoadedScenario, load_scenario, scenario_from_dict, with_overrides
from model.solve import HighsModel, SolverSettings, SolveStatus
from model.timeseries import data_dir, load_sites

log = logging.getLogger(__name__)
Progress = Callable[[str], None]


@dataclass
class Study:
    """Everything needed to build the model of one scenario (no solver state)."""

    loaded: LoadedScenario
    catalogue: Catalogue
    sites: dict[str, xr.Dataset]
    inputs: xr.Dataset

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
    inputs = prepare_inputs(loaded, catalogue, sites)
    inputs.attrs["scenario_hash"] = loaded.scenario.digest()
    inputs.attrs["data_years"] = json.dumps(
        {s: int(ds.attrs.get("data_year", 0)) for s, ds in sites.items()})
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
                f"data/catalogue/sites.yaml; give them under `facts:` (grid_connection_mw, "
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


def build_for(study: Study, inputs: xr.Dataset | None = None):
    sc = study.scenario
    cap_scope = "operational" if sc.emissions_scope == "operational" else "emissions"
    objective = "cost" if sc.objective == "cost" else cap_scope
    return build_model(inputs if inputs is not None else study.inputs, objective=objective,
                       emissions_cap_t_co2=sc.emissions_cap_t_per_yr, cap_scope=cap_scope)


@dataclass
class Solved:
    """A solved (sub-)model: the Pyomo model with its solution loaded, and its status."""

    model: Any
    highs: HighsModel
    status: SolveStatus
    inputs: xr.Dataset
    build_seconds: float


def solve_inputs(study: Study, inputs: xr.Dataset, settings: SolverSettings) -> Solved:
    """Build and solve one model; for an emissions objective, a second lexicographic stage
    minimises cost among the designs within 1e-6 of the minimum emissions."""
    start = time.perf_counter()
    m = build_for(study, inputs)
    hm = HighsModel(m, settings)
    build_seconds = time.perf_counter() - start
    status = hm.solve()
    if status.has_solution and study.scenario.objective == "emissions":
        status = _second_stage_cost(m, hm, status, study)
    if status.has_solution:
        hm.load_solution()
    return Solved(model=m, highs=hm, status=status, inputs=inputs, build_seconds=build_seconds)


def _second_stage_cost(m, hm: HighsModel, first: SolveStatus, study: Study) -> SolveStatus:
    var = m.operational_t_co2 if study.scenario.emissions_scope == "operational" else m.emissions_t_co2
    best = first.objective
    hm.set_column_bounds(var, None, best + max(abs(best) * 1e-6, 1e-6))
    hm.set_objective(m.cost_eur)
    second = hm.solve()
    if not second.has_solution:
        raise SolverError(f"second (cost) stage failed after the emissions optimum: {second.message}")
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
    """Solve a study and return the results Dataset (see ``model.results``)."""
    sc = study.scenario
    strategy = strategy or sc.solver.strategy
    combos = combinations(study)
    if not combos:
        raise InfeasibleError(_no_candidate_message(study))
    if strategy == "auto":
        strategy = "decompose" if sc.max_sites == 1 and len(combos) > 1 else "monolithic"
    if strategy == "decompose" and sc.max_sites != 1:
        raise ScenarioError(f"{study.loaded.origin}: solver.strategy = decompose needs "
                            f"max_sites = 1 (got {sc.max_sites}); use monolithic")
    start = time.perf_counter()
    if strategy == "decompose":
        solved, table = _solve_decomposed(study, combos, progress)
    else:
        solved = solve_inputs(study, study.inputs, settings_for(study))
        table = None
        if not solved.status.has_solution:
            raise _failure(study, solved.status)
    res = extract_results(solved.model, solved.inputs)
    res = res.reindex_like(study.inputs[["site", "cooling"]], fill_value=0.0)
    if table is not None:
        res = res.merge(table)
    res.attrs.update(
        scenario=sc.name, scenario_hash=study.inputs.attrs["scenario_hash"],
        data_years=study.inputs.attrs["data_years"], objective=sc.objective,
        solver_status=solved.status.status,
        solver_mip_gap=_gap_overall(solved, table),
        solver_seconds=round(time.perf_counter() - start, 3),
        solver_strategy=strategy, build_seconds=round(solved.build_seconds, 3),
        model_columns=len(solved.highs.columns), model_rows=len(solved.highs.rows),
        model_integer_columns=int(solved.highs.integer.sum()),
        package_versions=json.dumps(package_versions()),
        catalogue_sources=json.dumps(sorted(study.catalogue.sources())),
    )
    return res


def _gap_overall(solved: Solved, table: xr.Dataset | None) -> float:
    if table is None:
        return float(solved.status.mip_gap or 0.0)
    best = solved.status.objective
    bounds = table["candidate_lower_bound"].values
    lowest = float(np.nanmin(np.where(np.isfinite(bounds), bounds, np.nan)))
    gap_here = float(solved.status.mip_gap or 0.0)
    return max(gap_here, (best - min(lowest, best)) / max(abs(best), 1e-9))


def _solve_decomposed(study: Study, combos, progress: Progress | None):
    """Bound every (site, cooling) by its LP relaxation, then solve in order of bound and
    prune by bound. Returns the best solved sub-model and a per-combination table."""
    settings = settings_for(study)
    sub_inputs = {sc_: study.inputs.sel(site=[sc_[0]], cooling=[sc_[1]]) for sc_ in combos}
    bounds: dict[tuple[str, str], float] = {}
    for combo in combos:
        if progress:
            progress(f"bound {combo[0]} / {combo[1]}")
        hm = HighsModel(build_for(study, sub_inputs[combo]), settings)
        hm.relax_integrality(True)
        st = hm.solve()
        bounds[combo] = st.objective if st.status == "optimal" else float("inf")
        del hm
    order = sorted(combos, key=lambda x: (bounds[x], combos.index(x)))
    best: Solved | None = None
    outcome: dict[tuple[str, str], str] = {}
    objective: dict[tuple[str, str], float] = {}
    for combo in order:
        if not np.isfinite(bounds[combo]):
            outcome[combo] = "infeasible"
            continue
        if best is not None and bounds[combo] >= _prune_level(best.status, settings.mip_rel_gap):
            outcome[combo] = "pruned_by_bound"
            continue
        if progress:
            progress(f"solve {combo[0]} / {combo[1]}")
        solved = solve_inputs(study, sub_inputs[combo], settings)
        outcome[combo] = solved.status.status
        if solved.status.has_solution:
            objective[combo] = solved.status.objective
            if best is None or solved.status.objective < best.status.objective - 1e-9 * abs(
                    best.status.objective):
                best = solved
    if best is None:
        raise InfeasibleError(_all_infeasible_message(study, outcome))
    table = _candidate_table(study, combos, bounds, objective, outcome)
    return best, table


def _prune_level(status: SolveStatus, gap: float) -> float:
    obj = status.objective
    return obj - gap * abs(obj)


def _candidate_table(study, combos, bounds, objective, outcome) -> xr.Dataset:
    sites, cools = study.inputs.site.values, study.inputs.cooling.values
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
        table[v].attrs["units"] = "EUR/yr" if study.scenario.objective == "cost" else "tCO2e/yr"
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


def _all_infeasible_message(study: Study, outcome: dict) -> str:
    lines = [f"{study.loaded.origin}: every (site, cooling) combination is infeasible:"]
    lines += [f"  {s} / {c}: {o}" for (s, c), o in outcome.items()]
    lines.append("Check grid connection, floor space, water, the emissions cap and the compute "
                 "requirement against each site's limits.")
    return "\n".join(lines)


def run(source: Any, overrides: dict[str, Any] | None = None,
        progress: Progress | None = None) -> xr.Dataset:
    """Load and solve a scenario (path, dict or LoadedScenario); return the results Dataset."""
    return solve_study(load_study(source, overrides), progress=progress)
