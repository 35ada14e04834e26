"""greendc: design green AI data centres as one MILP (Pyomo + HiGHS).

Public API used by notebooks and scripts::

    import model
    study = model.load_study("studies/reference_sites.yaml")           # or a dict
    results = model.solve_study(study)                                  # xarray.Dataset
    model.save_results(results, "out/reference")                        # nc + csv + summary.json
    print(model.summary(results)["site"])

    # change scenario fields by dotted path, catalogue values through "overrides"
    results = model.run("studies/reference_sites.yaml",
                        overrides={"objective": "emissions",
                                   "sovereignty.allowed_jurisdictions": ["EU"]})
"""

from model.errors import (
    DataError, GreendcError, InfeasibleError, MissingExtraError, ScenarioError, SolverError,
)
from model.results import save_results, summary
from model.scenario import Scenario, load_scenario, scenario_from_dict, with_overrides
from model.study import Study, load_study, run, solve_study

__version__ = "0.1.0"

__all__ = [
    "DataError", "GreendcError", "InfeasibleError", "MissingExtraError", "ScenarioError",
    "SolverError", "Scenario", "Study", "load_scenario", "load_study", "run", "save_results",
    "scenario_from_dict", "solve_study", "summary", "with_overrides",
]
