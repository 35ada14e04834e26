"""Does a solved design still hold in another grid year? (``greendc robustness``)

The design of a results folder (site, cooling, node counts, PPA, battery, heat export: the
capacities of ``greendc.typical.DESIGN``) is fixed and only the hourly dispatch LP is solved
again with the site files of every available data year (``greendc.typical.reevaluate``, the
same re-evaluation the typical-days method uses). Weather is the same typical year in every
file, so what changes is the grid: carbon intensity, carbon-free share and price.

Per year the table reports cost [EUR/yr], emissions [tCO2e/yr], hourly-matched CFE share [-],
the grid's mean price [EUR/MWh] and carbon intensity [gCO2e/kWh] at the built site, whether the
price is real or generated, and, if the fixed design cannot run that year, why (the violated
limits, from the elastic mode of ``greendc.diagnose``). The spread row gives max - min and
(max - min) / mean of cost, emissions and CFE over the feasible years.
"""

from __future__ import annotations

import json
import logging
import pathlib

import numpy as np
import pandas as pd
import pyomo.environ as pyo
import xarray as xr

from greendc.errors import DataError, ScenarioError
from greendc.scenario import LoadedScenario, load_scenario, with_overrides

COLUMNS = ["data_year", "status", "cost_eur_per_yr", "emissions_t_per_yr", "cfe_share",
           "grid_price_eur_per_mwh", "grid_ci_g_per_kwh", "price_kind", "seconds", "reason"]

log = logging.getLogger(__name__)


def built_sites(results: xr.Dataset) -> list[str]:
    return [str(s) for s in results.site.values if float(results["build"].sel(site=s)) > 0.5]


def common_years(loaded: LoadedScenario, sites: list[str]) -> list[int]:
    """Data years for which every one of ``sites`` has a reference (or data_dir) file."""
    from greendc.resources import DATA_DIR
    from greendc.sitedata.files import catalogue
    from greendc.timeseries import data_dir

    refs = {s.id: s for s in loaded.scenario.sites}
    if any(refs[s].file for s in sites):
        raise ScenarioError(f"{loaded.origin}: the built site uses its own `file:`; the "
                            "robustness check needs reference site files of several data years")
    known = catalogue((data_dir(loaded) or DATA_DIR) / "sites")
    per_site = [{y for y in known.get(s, []) if y is not None} for s in sites]
    years = sorted(set.intersection(*per_site)) if per_site else []
    if not years:
        raise DataError(f"no data year is available for every built site {sites}")
    return years


def _restricted(loaded: LoadedScenario, sites: list[str], year: int) -> LoadedScenario:
    """The scenario on the built sites only, full hourly horizon, given data year."""
    raw_sites = [s.model_dump(exclude_unset=True) for s in loaded.scenario.sites if s.id in sites]
    return with_overrides(loaded, {"sites": raw_sites, "data_year": year,
                                   "horizon.typical_days": None})


def _reason(study, spec, inputs: xr.Dataset, results: xr.Dataset) -> str:
    """The limits the fixed design violates in this year (elastic mode, planner's words)."""
    from greendc.diagnose import describe, elasticize
    from greendc.solve import HighsModel
    from greendc.typical import design_of, fix_design

    design = {k: v.sel({d: inputs[d].values for d in v.dims if d in ("site", "cooling")})
              for k, v in design_of(results).items()}
    cooling = [str(c) for c in inputs.cooling.values
               if float(design["cooling_chosen"].sel(cooling=c).sum()) > 0.5]
    inputs = inputs.sel(cooling=cooling)
    design = {k: v.sel(cooling=cooling) if "cooling" in v.dims else v for k, v in design.items()}
    m = spec.build(inputs)
    fix_design(m, inputs, design)
    added = elasticize(m, inputs)
    hm = HighsModel(m, spec.settings)
    status = hm.solve()
    if not status.has_solution:
        return f"infeasible ({status.message}); the elastic model found no explanation"
    hm.load_solution()
    causes = [describe(f, g, float(pyo.value(slack[g])), m, inputs, study)
              for f, (slack, _s) in added.items() for g in slack.index_set()
              if float(pyo.value(slack[g])) > 1e-6]
    return "; ".join(causes) or f"infeasible ({status.message})"


def robustness(source, results: xr.Dataset, years: list[int] | None = None) -> pd.DataFrame:
    """Re-evaluate the design of ``results`` in every data year (see module docstring)."""
    from greendc.study import ModelSpec, load_study
    from greendc.typical import reevaluate

    loaded = source if isinstance(source, LoadedScenario) else load_scenario(source)
    sites = built_sites(results)
    if not sites:
        raise DataError("the results hold no built site: nothing to re-evaluate")
    years = years or common_years(loaded, sites)
    rows = []
    for year in years:
        log.info("data year %s: hourly dispatch of the fixed design", year)
        study = load_study(_restricted(loaded, sites, year))
        inputs = study.full_inputs if study.full_inputs is not None else study.inputs
        spec = ModelSpec.of(study)
        solved, seconds = reevaluate(spec, inputs, results.sel(site=sites))
        ds = study.sites[sites[0]]
        row = {"data_year": year, "status": solved.status.status,
               "grid_price_eur_per_mwh": float(ds["grid_price"].mean()),
               "grid_ci_g_per_kwh": float(ds["grid_carbon_intensity"].mean()),
               "price_kind": str(ds.attrs.get("price_kind", "")), "seconds": round(seconds, 2),
               "reason": ""}
        if solved.results is not None:
            r = solved.results
            row.update(cost_eur_per_yr=float(r["cost_eur_per_yr"]),
                       emissions_t_per_yr=float(r["emissions_t_per_yr"]),
                       cfe_share=float(r["cfe_share"]))
        else:
            row.update(cost_eur_per_yr=np.nan, emissions_t_per_yr=np.nan, cfe_share=np.nan,
                       reason=_reason(study, spec, inputs, results.sel(site=sites)))
        rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)


def spread(table: pd.DataFrame) -> dict[str, dict[str, float]]:
    """max - min and (max - min) / mean of cost, emissions and CFE over the feasible years."""
    ok = table.dropna(subset=["cost_eur_per_yr"])
    out = {}
    for col in ("cost_eur_per_yr", "emissions_t_per_yr", "cfe_share"):
        v = ok[col].to_numpy(dtype=float)
        if len(v):
            out[col] = {"min": float(v.min()), "max": float(v.max()),
                        "range": float(v.max() - v.min()),
                        "relative_range": float((v.max() - v.min()) / abs(v.mean()))
                        if v.mean() else 0.0}
    return out


def save(table: pd.DataFrame, folder: pathlib.Path) -> pathlib.Path:
    """Write ``robustness.csv`` and ``robustness.json`` (table + spread) into ``folder``, both
    at once (``greendc.atomic.folder``: the results folder is swapped as a whole, so a failed
    or killed write leaves the earlier pair, never one new file beside an old one)."""
    from greendc import atomic

    folder = pathlib.Path(folder)
    payload = {"years": json.loads(table.to_json(orient="records")), "spread": spread(table),
               "infeasible_years": [int(y) for y in table.loc[table["reason"] != "",
                                                              "data_year"]]}
    with atomic.folder(folder) as stage:
        table.to_csv(stage / "robustness.csv", index=False)
        atomic.write_json(stage / "robustness.json", payload)
    return folder / "robustness.csv"


def markdown(table: pd.DataFrame) -> list[str]:
    """The table as Markdown lines (README, report)."""
    lines = ["| data year | price | cost [M EUR/yr] | emissions [tCO2e/yr] | CFE share | "
             "grid price [EUR/MWh] | grid CI [g/kWh] | status |",
             "|---|---|---|---|---|---|---|---|"]
    for r in table.itertuples():
        status = r.status if not r.reason else f"{r.status}: {r.reason}"
        lines.append(f"| {r.data_year} | {r.price_kind} | {r.cost_eur_per_yr / 1e6:,.3f} | "
                     f"{r.emissions_t_per_yr:,.0f} | {r.cfe_share:.3f} | "
                     f"{r.grid_price_eur_per_mwh:.1f} | {r.grid_ci_g_per_kwh:.0f} | {status} |")
    s = spread(table)
    if s:
        c, e, f = (s[k] for k in ("cost_eur_per_yr", "emissions_t_per_yr", "cfe_share"))
        lines.append(f"| spread (max-min) | | {c['range'] / 1e6:,.3f} ({c['relative_range']:.1%}) "
                     f"| {e['range']:,.0f} ({e['relative_range']:.1%}) | {f['range']:.3f} | | | |")
    return lines
