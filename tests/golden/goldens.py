"""Golden results: expected designs, KPIs and 5-point fronts of the reference sites.

Small enough for CI: every case runs one week (168 h from 1 January, UTC) of the reference
study (studies/reference_sites.yaml) with the compute requirement scaled down. Refreshing the
goldens is an explicit, reviewed step:

    python -m tests.golden.goldens --refresh      # rewrites tests/golden/expected.json

then review `git diff tests/golden/expected.json` and commit it with the change that moved it.
"""

from __future__ import annotations

import json
import pathlib
import sys

from greendc.pareto import pareto_front
from greendc.results import summary
from greendc.resources import STUDIES_DIR
from greendc.study import load_study, solve_study

HERE = pathlib.Path(__file__).resolve().parent
STUDY = STUDIES_DIR / "reference_sites.yaml"
EXPECTED = HERE / "expected.json"
WEEK = {"horizon.start_hour": 0, "horizon.hours": 168, "compute.required_pflops": 2000,
        "solver.workers": 1}
SITES = ["fr-essonne", "se-stockholm", "de-frankfurt", "es-madrid", "gb-london",
         "nl-amsterdam"]
CASES = {f"site:{s}": {**WEEK, "sites": [s]} for s in SITES}
CASES["reference_week"] = dict(WEEK)
FRONT_CASE = {**WEEK, "sites": ["fr-essonne", "se-stockholm", "de-frankfurt"]}
KPIS = ("cost_eur_per_yr", "mean_pue", "it_mw", "ppa_solar_mw", "ppa_wind_mw", "battery_mwh",
        "battery_mw", "heat_pump_mw", "heat_sold_mwh_per_yr", "grid_energy_mwh_per_yr", "cfe_share")


def case_record(overrides: dict) -> dict:
    """Design and KPIs of one golden case."""
    info = summary(solve_study(load_study(STUDY, overrides)))
    record = {k: info[k] for k in ("site", "cooling", "servers")}
    record.update({k: info[k] for k in KPIS})
    record["emissions_total_t_per_yr"] = info["emissions_t_per_yr"]["total"]
    return record


def front_record(overrides: dict, points: int = 5) -> dict:
    front = pareto_front(load_study(STUDY, overrides), points=points)
    return {"cost_eur_per_yr": front["cost_eur_per_yr"].values.tolist(),
            "emissions_t_per_yr": front["emissions_t_per_yr"].values.tolist(),
            "site": front["site"].values.tolist(), "cooling": front["cooling"].values.tolist()}


def compute_all() -> dict:
    return {"cases": {name: case_record(o) for name, o in CASES.items()},
            "front": front_record(FRONT_CASE)}


if __name__ == "__main__":
    if "--refresh" not in sys.argv:
        sys.exit("usage: python -m tests.golden.goldens --refresh  (rewrites expected.json)")
    EXPECTED.write_text(json.dumps(compute_all(), indent=2, sort_keys=True) + "\n")
    print(f"wrote {EXPECTED}; review `git diff {EXPECTED.relative_to(HERE.parents[1])}`")
