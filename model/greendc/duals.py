"""Shadow prices of a solved design: the duals of its LP with the discrete design fixed.

A MILP has no duals. Fixing every integer variable at the optimum (site built, cooling
chosen, node counts, heat-network connection, battery direction) leaves an LP over the
continuous variables: PPA/owned supply MW, battery MWh and MW, heat-pump MW_th and every
hourly dispatch variable. The MILP optimum's continuous part is optimal for it, so the LP
has the same annual cost (within the solver tolerances, ``duals_lp_cost_eur_per_yr``) and its
duals are the sensitivities of that cost [EUR/yr] at the fixed discrete design:

- ``co2_shadow_price_eur_per_t`` [EUR/tCO2e]: - d cost / d cap of the emissions bound: the
  scenario's ``emissions_cap_t_per_yr`` (row ``emissions_cap``), a front point's epsilon
  (upper bound of the emissions column), or for an emissions objective the optimum's own
  emissions (the lexicographic second stage's bound: the cost of the last tonne). 0 when the
  bound does not bind. It counts the cheapest continuous response: more PPA MW, battery,
  another dispatch; a different site, cooling or node count is a different design (the
  front's ``abatement_cost_eur_per_t`` between points includes those steps).
- ``compute_marginal_cost_eur_per_pflops_yr`` [EUR/(PFLOP/s)/yr]: the cost of one more
  PFLOP/s at the fixed site and cooling, min over the server types k installable there of
  d_k / perf_k + y_c, with d_k the reduced cost of the fixed column ``nodes[s,c,k]`` (its
  annualised price, cooling plant and facility, its energy at each hour's marginal price,
  grid connection, water, embodied emissions at the carbon price and at the CO2 shadow price)
  and y_c >= 0 the dual of ``compute_requirement`` (added back: the requirement's own value is
  what is being priced). A node is indivisible; this is the continuous marginal cost, per
  PFLOP/s of the cheapest node type. With a flexible load (``formulation.flexible``) one more
  PFLOP/s is also 1/perf_k of work: (d_k + d^w_k) / perf_k + y_c + y_w, d^w_k the reduced
  cost of ``work_nodes[s,c,k]`` and y_w the dual of ``work_requirement``.
- ``grid_connection_value_eur_per_mw_yr`` [EUR/MW/yr], per site: - sum_t y(grid_connection
  [s,t]), the cost saved per MW more connection at a built site (NaN at the others). With
  ``options.grid_connection_cost`` the rows bound the flow by the contracted ``connection_mw``,
  so the value is that of one MW less peak flow in every hour: the connection's own cost per
  MW (capex + tariff) while the site's available capacity does not bind, more when it does.

Sign convention (HiGHS, minimisation): the dual of a row at its upper bound is <= 0, at its
lower bound >= 0; a column's reduced cost is d objective / d bound. A degenerate LP has
several dual solutions; HiGHS returns the one of its final basis.

The LP minimises cost alone (a Pareto point's small augmentation term is dropped) over the
inputs the design was optimised on (typical days when the study uses them), restricted to
the built sites and their chosen cooling. Switch off with ``solver.duals: false``.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import xarray as xr

from greendc.formulation import build_model
from greendc.results import INTEGER_VARS
from greendc.typical import DESIGN

log = logging.getLogger(__name__)

UNITS = {"co2_shadow_price_eur_per_t": "EUR/tCO2e",
         "compute_marginal_cost_eur_per_pflops_yr": "EUR/(PFLOP/s)/yr",
         "grid_connection_value_eur_per_mw_yr": "EUR/MW/yr"}
LONG_NAMES = {
    "co2_shadow_price_eur_per_t": "CO2 shadow price: cost saved per tCO2e/yr looser emissions "
    "bound at the fixed discrete design (dual of the cap)",
    "compute_marginal_cost_eur_per_pflops_yr": "marginal cost of one more PFLOP/s at the built "
    "site and cooling (cheapest node type, continuous)",
    "grid_connection_value_eur_per_mw_yr": "cost saved per MW more grid connection at the "
    "built site (dual of grid_connection summed over the hours)",
}
# Integer variables of the formulation and how their value is read from results.
INTEGER_RESULTS = {DESIGN[name]: name for name in INTEGER_VARS}


def restrict_to_design(inputs: xr.Dataset, results: xr.Dataset) -> xr.Dataset:
    """The inputs of the built sites and their chosen cooling only."""
    built = [str(s) for s in results.site.values if float(results["build"].sel(site=s)) > 0.5]
    chosen = [str(c) for c in results.cooling.values
              if float(results["cooling_chosen"].sel(site=built, cooling=c).sum()) > 0.5]
    return inputs.sel(site=built, cooling=chosen)


class DualLP:
    """The cost LP of one (restricted) inputs Dataset, kept alive to price several designs
    that share it (the points of a front at one candidate)."""

    def __init__(self, spec, inputs: xr.Dataset):
        from greendc.solve import HighsModel

        self.inputs = inputs
        self.model = build_model(inputs, objective="cost", emissions_cap_t_co2=spec.cap_t_co2,
                                 cap_scope=spec.cap_scope)
        self.hm = HighsModel(self.model, spec.settings)  # an LP: the MIP gap plays no part
        self.hm.relax_integrality(True)
        self.hm.set_objective(self.model.cost_eur)
        self.emissions = (self.model.operational_t_co2 if spec.cap_scope == "operational"
                          else self.model.emissions_t_co2)
        self.row = {id(r.constraint): i for i, r in enumerate(self.hm.rows)}

    def _fix_integers(self, results: xr.Dataset) -> None:
        hm = self.hm
        for j in np.flatnonzero(hm.integer):
            var = hm.columns[j]
            name, index = var.parent_component().name, var.index()
            labels = index if isinstance(index, tuple) else (index,)
            if name == "battery_charging":
                site, t = labels
                charge = float(results["battery_charge_mw"].sel(site=site).values[t])
                value = 1.0 if charge > 1e-9 else 0.0
            else:
                da = results[INTEGER_RESULTS[name]]
                value = float(round(float(da.sel(dict(zip(da.dims, labels))))))
            hm.highs.changeColBounds(int(j), value, value)

    def solve(self, results: xr.Dataset, emissions_bound: float | None = None) -> xr.Dataset:
        """Duals (module docstring) of the design in ``results`` with the emissions column
        bounded by ``emissions_bound`` [tCO2e/yr] (None: only the scenario's cap row)."""
        self._fix_integers(results)
        self.hm.set_column_bounds(self.emissions, None, emissions_bound)
        status = self.hm.solve()
        if status.status != "optimal":
            log.warning("shadow prices: the LP of the fixed design ended %s", status.status)
            return self._dataset(results, math.nan, math.nan, {}, status.status, math.nan)
        sol = self.hm.highs.getSolution()
        row_dual, col_dual = np.asarray(sol.row_dual), np.asarray(sol.col_dual)
        m = self.model

        def row(con) -> float:
            i = self.row.get(id(con))
            return 0.0 if i is None else float(row_dual[i])

        em_col = self.hm.column(self.emissions)
        co2 = -(float(col_dual[em_col]) if em_col is not None else 0.0)
        if hasattr(m, "emissions_cap"):
            co2 -= row(m.emissions_cap)
        compute = math.nan  # a given IT load (compute.it_load_mw) has no PFLOP/s requirement
        if hasattr(m, "compute_requirement"):
            y_c = row(m.compute_requirement)
            perf = dict(zip(map(str, self.inputs.server.values),
                            self.inputs["node_performance_pflops"].values.astype(float)))
            # a flexible load (formulation.flexible) adds the work: one more PFLOP/s is
            # 1/perf_k of a node and of a work node-equivalent (their work_within_nodes
            # duals cancel in the sum)
            y_w = row(m.work_requirement) if hasattr(m, "work_requirement") else 0.0

            def work_dual(key) -> float:
                if not hasattr(m, "work_nodes"):
                    return 0.0
                col = self.hm.column(m.work_nodes[key])
                return 0.0 if col is None else float(col_dual[col])

            per_type = [(float(col_dual[col]) + work_dual((s, c, k))) / perf[k] + y_c + y_w
                        for (s, c, k) in m.nodes if (col := self.hm.column(m.nodes[s, c, k]))
                        is not None and perf[k] > 0]
            compute = min(per_type) if per_type else math.nan
        connection = {str(s): -sum(row(m.grid_connection[s, t]) for t in m.T) for s in m.S}
        return self._dataset(results, co2, compute, connection, "optimal",
                             float(status.objective))

    def _dataset(self, results, co2, compute, connection, status, cost) -> xr.Dataset:
        sites = results.site.values
        ds = xr.Dataset(coords={"site": sites})
        ds["co2_shadow_price_eur_per_t"] = ((), _clean(co2))
        ds["compute_marginal_cost_eur_per_pflops_yr"] = ((), _clean(compute))
        ds["grid_connection_value_eur_per_mw_yr"] = (
            ("site",), [_clean(connection.get(str(s), math.nan)) for s in sites])
        for name in UNITS:
            ds[name].attrs.update(units=UNITS[name], long_name=LONG_NAMES[name])
        ds.attrs.update(duals_status=status, duals_lp_cost_eur_per_yr=cost)
        return ds


def _clean(value: float) -> float:
    """No -0.0 (a dual of a slack row)."""
    return 0.0 if value == 0 else float(value)


def design_duals(spec, inputs: xr.Dataset, results: xr.Dataset,
                 emissions_bound: float | None = None) -> xr.Dataset:
    """Shadow prices of one solved design (module docstring)."""
    return DualLP(spec, restrict_to_design(inputs, results)).solve(results, emissions_bound)


def study_emissions_bound(spec, results: xr.Dataset) -> float | None:
    """The emissions bound whose dual is the CO2 price of a study's design: for an emissions
    objective its optimum (as the lexicographic second stage bounds it), else None (the
    scenario's cap row, if any)."""
    if spec.objective == "cost":
        return None
    name = "operational_t_per_yr" if spec.cap_scope == "operational" else "emissions_t_per_yr"
    best = float(results[name])
    return best + max(abs(best) * 1e-6, 1e-6)


def add_duals(results: xr.Dataset, duals: xr.Dataset) -> xr.Dataset:
    """Results with the shadow-price variables and ``duals_*`` attributes."""
    out = results.merge(duals[list(UNITS)])
    out.attrs = {**results.attrs, **duals.attrs}
    return out
