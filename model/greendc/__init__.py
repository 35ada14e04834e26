"""greendc: design green AI data centres as one MILP (Pyomo + HiGHS).

Public API used by notebooks and scripts::

    import greendc
    study = greendc.load_study("reference_sites")       # built-in study, YAML path or dict
    results = greendc.solve_study(study)                                  # xarray.Dataset
    greendc.save_results(results, "out/reference")                        # nc + csv + summary.json
    print(greendc.summary(results)["site"])
    greendc.statistics(results)            # tidy KPI table (pandas): value, units, description
    study.with_changes({"compute.required_pflops": 10000})   # scenarios are read-only: copies

    front = greendc.pareto_front(study, points=5, caps=[7000, 5000])      # with shadow prices
    greendc.plot.front(front)                                             # matplotlib axis

    # change scenario fields by dotted path, catalogue values through "overrides"
    results = greendc.run("reference_sites",
                          overrides={"objective": "emissions",
                                     "sovereignty.allowed_jurisdictions": ["EU"]})

Steps of long runs are ``logging`` INFO records (``logging.basicConfig(level=logging.INFO)``
shows them); the layout is described in docs/ARCHITECTURE.md.
"""

from greendc.errors import (
    DataError, GreendcError, InfeasibleError, MissingExtraError, ScenarioError, SolverError,
)
from greendc.results import save_results, summary
from greendc.scenario import Scenario, load_scenario, scenario_from_dict, with_overrides
from greendc.pareto import pareto_front
from greendc.stats import statistics
from greendc.study import Study, load_study, run, solve_study
from greendc import plot  # noqa: E402 - greendc.plot.front

__version__ = "0.1.0"

__all__ = [
    "DataError", "GreendcError", "InfeasibleError", "MissingExtraError", "ScenarioError",
    "SolverError", "Scenario", "Study", "load_scenario", "load_study", "run", "save_results",
    "scenario_from_dict", "solve_study", "summary", "with_overrides", "pareto_front",
    "statistics", "plot",
]
