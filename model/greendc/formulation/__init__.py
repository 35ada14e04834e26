"""The MILP, built as a recipe: ``build_model()`` calls ordered ``add_*`` functions.

Each module holds one concern and its docstring states its sets, variables, constraints and
units. Constraint family names are stable: reports, tests and infeasibility explanations
quote them.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager

import pyomo.environ as pyo
import xarray as xr

from greendc.formulation.cfe import add_cfe
from greendc.formulation.continuity import CONTINUITY_FAMILIES, add_continuity
from greendc.formulation.connection import CONNECTION_FAMILIES, add_grid_connection
from greendc.formulation.cooling import add_cooling
from greendc.formulation.data import ModelData, model_data
from greendc.formulation.emissions import add_emissions
from greendc.formulation.flexible import FLEXIBLE_FAMILIES, add_flexible_load
from greendc.formulation.heat import add_heat_export
from greendc.formulation.objectives import add_cost, add_emissions_cap, add_objective
from greendc.formulation.servers import IT_LOAD_FAMILIES, add_it_load
from greendc.formulation.sites import add_sets, add_site_choice
from greendc.formulation.sovereignty import add_sovereignty
from greendc.formulation.storage import add_battery
from greendc.formulation.supply import add_energy_balance, add_power_supply

CONSTRAINT_FAMILIES = (
    "site_count", "cooling_choice",
    "nodes_need_cooling", "it_power", "it_peak_power", "compute_requirement", "rack_density", "floor_space",
    "water_use", "cooling_climate_limit",
    "supply_potential", "surplus_from_supply", "ppa_delivered", "energy_balance", "grid_connection",
    "battery_soc", "battery_charge_power", "battery_discharge_power", "battery_energy",
    "battery_at_built_site", "battery_one_direction",
    "heat_recoverable", "heat_network_demand", "heat_pump_capacity",
    "heat_pump_needs_connection", "dh_connect_at_built_site",
    "operational_emissions_definition", "embodied_emissions_definition", "emissions_definition",
    "sovereignty_allowed_jurisdictions", "sovereignty_non_eu_ownership",
    "sovereignty_legal_exposure", "sovereignty_non_eu_hardware",
    "cfe_target", "cost_definition", "emissions_cap",
)
# IT_LOAD_FAMILIES (servers.py) replace compute_requirement for a given IT load
# (compute.it_load_mw); tested in tests/formulation/test_it_load.py.
# FLEXIBLE_FAMILIES (flexible.py) join when compute.flexibility is set; tested in
# tests/formulation/test_flexible.py.
# CONTINUITY_FAMILIES (continuity.py) are built only when the scenario sets `continuity`;
# tested in tests/formulation/test_continuity.py.
# CONNECTION_FAMILIES (connection.py) come with options.grid_connection_cost and
# commissioning_year; tested in tests/formulation/test_connection.py.
# Replace battery_soc's hourly chain when the inputs are typical days (greendc.typical).
TYPICAL_DAY_FAMILIES = ("battery_soc_day", "battery_soc_envelope", "battery_soc_nonnegative")

# The role of each variable: DESIGN components (decided once, before operation: site and
# cooling choices, node counts, capacities [MW, MWh, MW_th], the contracted connection [MW]);
# every other variable is OPERATION (hourly dispatch, annual totals, the objective variables).
# The design/dispatch decomposition (greendc.benders) puts the design in its master; the
# typical-days and other-year re-evaluations fix it (greendc.typical.DESIGN).
DESIGN_COMPONENTS = frozenset({
    "build", "cool", "nodes", "it_mw", "it_peak_mw", "supply_mw", "battery_mwh", "battery_mw",
    "heat_pump_mw_th", "dh_connect", "work_nodes", "backup_units", "backup_fuel_mwh",
    "battery_backup_mw", "battery_reserve_mwh", "connection_mw", "racks",
})
# Design capacities that the hourly peak decides (the contracted grid connection [MW]): the
# decomposition sizes them with the dispatch rather than in its master (a master design
# below the real peak could not be operated), and a re-evaluation on other hours keeps them
# as a lower bound instead of fixing them (greendc.typical.LOWER_BOUND_DESIGN).
PEAK_SIZED_COMPONENTS = frozenset({"connection_mw"})
# The role of each scalar (not per-site) row when several sites may be built: the site rows
# (indexed by site) hold within one site; a scalar row sums over the sites. SHARED_DESIGN
# rows are over design columns only (how many sites, the compute, the hardware origin):
# the multi-site decomposition (greendc.multisite) holds them once in its master, summed
# over the sites' models. SITE_TOTALS define the model's totals (cost [EUR/yr], emissions
# [tCO2e/yr]) as sums of site terms: a site model's total is that site's part. Any other
# scalar row (a CFE target or an emissions cap over all sites) couples the sites' hourly
# operation, which that decomposition does not split.
SHARED_DESIGN_ROWS = frozenset({"site_count", "compute_requirement", "it_load_hosted",
                                "sovereignty_non_eu_hardware", "work_requirement"})
SITE_TOTAL_ROWS = frozenset({"cost_definition", "operational_emissions_definition",
                             "embodied_emissions_definition", "emissions_definition"})


@contextmanager
def gc_paused():
    """Pause Python's cyclic garbage collector while Pyomo creates its many small objects:
    its repeated full scans make an 8760 h build about 2.5x slower (nothing here is cyclic
    garbage, so the pause frees nothing late)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_model(
    inputs: xr.Dataset, objective: str = "cost", emissions_cap_t_co2: float | None = None,
    cap_scope: str = "emissions",
) -> pyo.ConcreteModel:
    """Build the design MILP from a prepared inputs Dataset (``greendc.inputs``).

    Parameters
    ----------
    inputs : prepared inputs (dims site, cooling, server, tech, time)
    objective : "cost" [EUR/yr], "emissions" or "operational" [tCO2e/yr]
    emissions_cap_t_co2 : optional cap on ``cap_scope`` emissions [tCO2e/yr]
    """
    with gc_paused():
        return _build(inputs, objective, emissions_cap_t_co2, cap_scope)


def _build(inputs: xr.Dataset, objective: str, emissions_cap_t_co2: float | None,
           cap_scope: str) -> pyo.ConcreteModel:
    d = model_data(inputs)
    m = pyo.ConcreteModel(name=str(inputs.attrs.get("scenario", "greendc")))
    add_sets(m, d)
    add_site_choice(m, d)          # sites.py
    add_it_load(m, d)              # servers.py
    add_flexible_load(m, d)        # flexible.py: training load that moves in time (opt-in)
    add_heat_export(m, d)          # heat.py (before cooling: recovered heat offloads it)
    add_cooling(m, d)              # cooling.py
    add_power_supply(m, d)         # supply.py: grid, solar/wind, surplus
    add_battery(m, d)              # storage.py
    add_continuity(m, d)           # continuity.py: backup for grid outages (opt-in)
    add_energy_balance(m, d)       # supply.py: hourly balance
    add_grid_connection(m, d)      # connection.py: limit, optional sizing and cost, queue
    add_cfe(m, d)                  # cfe.py: 24/7 carbon-free energy target
    add_emissions(m, d)            # emissions.py
    add_sovereignty(m, d)          # sovereignty.py
    add_cost(m, d)                 # objectives.py
    if emissions_cap_t_co2 is not None:
        add_emissions_cap(m, cap_scope, emissions_cap_t_co2)
    add_objective(m, objective)
    return m


__all__ = ["build_model", "CONNECTION_FAMILIES", "CONSTRAINT_FAMILIES", "CONTINUITY_FAMILIES",
           "DESIGN_COMPONENTS", "PEAK_SIZED_COMPONENTS", "SHARED_DESIGN_ROWS", "SITE_TOTAL_ROWS",
           "FLEXIBLE_FAMILIES", "IT_LOAD_FAMILIES", "ModelData", "gc_paused", "model_data"]
