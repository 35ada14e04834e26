"""Subprocess: build, hand off and solve the 1-site MILP; print timings and peak memory.

``python benchmarks/one_site.py HOURS [DESIGN.nc]`` prints one JSON line. Run in a fresh
process so that ``ru_maxrss`` is the peak resident memory of this solve alone.
"""

from __future__ import annotations

import json
import pathlib
import resource
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from benchmarks.common import one_site_raw  # noqa: E402


def main() -> None:
    hours = int(sys.argv[1])
    design_file = sys.argv[2] if len(sys.argv) > 2 else None
    from greendc.formulation import build_model
    from greendc.results import extract_results
    from greendc.solve import HighsModel
    from greendc.study import ModelSpec, load_study

    study = load_study(one_site_raw(hours))
    spec = ModelSpec.of(study)
    t0 = time.perf_counter()
    m = build_model(study.inputs, objective=spec.objective)
    t1 = time.perf_counter()
    hm = HighsModel(m, spec.settings)
    t2 = time.perf_counter()
    status = hm.solve()
    t3 = time.perf_counter()
    hm.load_solution()
    res = extract_results(m, study.inputs)
    if design_file:
        keep = ["build", "cooling_chosen", "nodes", "supply_mw", "battery_mwh", "battery_mw",
                "heat_pump_mw_th", "dh_connect", "cost_eur_per_yr"]
        res[keep].to_netcdf(design_file)
    print(json.dumps({
        "hours": hours, "build_s": t1 - t0, "handoff_s": t2 - t1, "solve_s": t3 - t2,
        "highs_run_s": status.seconds, "status": status.status, "objective": status.objective,
        "columns": len(hm.columns), "rows": len(hm.rows),
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }))


if __name__ == "__main__":
    main()
