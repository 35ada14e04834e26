"""Run every greendc benchmark and print its figure; optionally write them as JSON.

    python benchmarks/run_all.py            # full: full-year horizons, reference study
    python benchmarks/run_all.py --quick    # reduced horizons and site sets (a few minutes)
    python benchmarks/run_all.py --json benchmarks/latest.json [--only handoff,typical]
    python benchmarks/run_all.py --many-sites  # also the >= 30-site, max_sites 2 study (long)

Each figure is ``{"value", "unit", "goal", "met"}`` (plus ``details``) keyed by name.
These are measurements, not tests: wall times depend on the machine and on whatever else
runs on it. See benchmarks/README.md for what each figure measures.
"""

from __future__ import annotations

import argparse
import datetime
import json
import pathlib
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from benchmarks.common import (ROOT, Figure, machine, one_site_raw,  # noqa: E402
                               reference_raw, timer)

SCALING_BASE_HOURS = 876  # 1x; 10x is the full year


def _one_site_subprocess(hours: int, design_file: str | None = None) -> dict:
    cmd = [sys.executable, str(ROOT / "benchmarks" / "one_site.py"), str(hours)]
    if design_file:
        cmd.append(design_file)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_handoff_and_memory(ctx: dict) -> list[Figure]:
    """1 site x 1 cooling MILP: build + hand-off vs HiGHS solve; peak memory (subprocess)."""
    r = _one_site_subprocess(ctx["hours"], ctx["design_file"])
    ctx["one_site"] = r
    ratio = (r["build_s"] + r["handoff_s"]) / r["solve_s"]
    details = {k: round(v, 3) if isinstance(v, float) else v for k, v in r.items()}
    return [
        Figure("handoff_vs_solve", ratio, "ratio", "<= 0.15", ratio <= 0.15, details),
        Figure("peak_memory_one_site", r["maxrss_mb"], "MB", "<= 2048 MB",
               r["maxrss_mb"] <= 2048, {"hours": r["hours"], "columns": r["columns"],
                                        "rows": r["rows"]}),
    ]


def bench_linopy(ctx: dict) -> list[Figure]:
    """Fixed-design dispatch LP: greendc (build + fix + hand-off + solve) vs linopy."""
    import xarray as xr

    from benchmarks.linopy_dispatch import solve_dispatch_linopy
    from greendc.study import ModelSpec, load_study
    from greendc.typical import reevaluate

    study = load_study(one_site_raw(ctx["hours"]))
    design = xr.load_dataset(ctx["design_file"])
    spec = ModelSpec.of(study)
    solved, greendc_s = reevaluate(spec, study.inputs, design)
    lin = solve_dispatch_linopy(study.inputs, design)
    ours = float(solved.results["cost_eur_per_yr"])
    rel = abs(ours - lin["objective"]) / max(abs(lin["objective"]), 1e-9)
    ratio = greendc_s / lin["total_s"]
    return [Figure("dispatch_lp_vs_linopy", ratio, "time ratio", "<= 1.0, objectives 1e-6",
                   ratio <= 1.0 and rel <= 1e-6,
                   {"greendc_s": round(greendc_s, 3), "greendc_build_handoff_s":
                    round(solved.build_seconds, 3), "greendc_highs_s": round(solved.status.seconds, 3),
                    "linopy_s": round(lin["total_s"], 3), "linopy_build_s": round(lin["build_s"], 3),
                    "linopy_solve_s": round(lin["solve_s"], 3), "greendc_objective": ours,
                    "linopy_objective": lin["objective"], "relative_difference": rel})]


def bench_scaling(ctx: dict) -> list[Figure]:
    """Build + hand-off time at 1x, 2x, 4x, 10x horizon; time per hour should stay flat."""
    from greendc.formulation import build_model
    from greendc.solve import HighsModel
    from greendc.study import ModelSpec, load_study

    base = ctx["scaling_base"]
    per_hour, details = {}, {}
    for factor in (1, 2, 4, 10):
        hours = base * factor
        study = load_study(one_site_raw(hours))
        spec = ModelSpec.of(study)
        t = {}
        with timer(t, "build"):
            m = build_model(study.inputs, objective=spec.objective)
        with timer(t, "handoff"):
            HighsModel(m, spec.settings)
        total = t["build"] + t["handoff"]
        per_hour[factor] = total / hours
        details[f"{factor}x"] = {"hours": hours, "build_s": round(t["build"], 3),
                                 "handoff_s": round(t["handoff"], 3),
                                 "ms_per_hour": round(1000 * total / hours, 4)}
        del m
    growth = per_hour[10] / per_hour[1]
    return [Figure("build_scaling_10x_vs_1x", growth, "per-hour ratio", "<= 1.25 (linear)",
                   growth <= 1.25, details)]


def _reference_raw(ctx: dict) -> dict:
    raw = reference_raw()
    if ctx["quick"]:
        raw.update(sites=raw["sites"][:2], cooling=["free_air", "direct_liquid"],
                   horizon={"start_hour": 0, "hours": ctx["hours"]})
    else:
        raw.pop("cooling", None)  # every cooling of the catalogue (4)
    return raw


def _peak_memory_mb() -> float:
    """Largest resident set [MB] of this process and of its finished children (the engine's
    worker processes of the studies run so far)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024.0


def bench_reference(ctx: dict) -> list[Figure]:
    """Reference study by the default solve path (the design/dispatch decomposition, 2
    workers), over the linopy reference LP of the same run; peak memory. With
    ``--compare-paths`` also the previous path (one MILP per candidate) and the monolithic
    MILP, the same study."""
    from benchmarks.many_sites import reference_lp
    from greendc.study import load_study, solve_study

    raw = _reference_raw(ctx)
    t = {}
    with timer(t, "default"):
        res = solve_study(load_study(raw))
    ctx["reference"] = {"seconds": t["default"], "cost": float(res["cost_eur_per_yr"]),
                        "raw": raw, "results": res}
    peak = _peak_memory_mb()
    lp = reference_lp(ctx["hours"])
    ctx["linopy_lp_s"] = lp["total_s"]
    ratio = t["default"] / lp["total_s"]
    proven = res.attrs["solver_status"] == "optimal"
    iterations = res["candidate_iterations"].values if "candidate_iterations" in res else []
    details = {
        "sites": len(raw["sites"]), "coolings": int(res.sizes["cooling"]),
        "hours": int(res.sizes["time"]), "strategy": res.attrs["solver_strategy"],
        "study_s": round(t["default"], 2), "solver_s": res.attrs["solver_seconds"],
        "status": res.attrs["solver_status"], "gap": res.attrs["solver_mip_gap"],
        "cost": float(res["cost_eur_per_yr"]),
        "candidates_decomposed": int((np.asarray(iterations) > 0).sum()),
        "linopy_reference_lp_s": round(lp["total_s"], 3), "linopy_objective": lp["objective"],
    }
    if ctx["compare_paths"]:
        for strategy, limit in (("decompose", None), ("monolithic", ctx["monolithic_limit"])):
            other_raw = raw if limit is None else dict(
                raw, solver={**raw.get("solver", {}), "time_limit_s": limit})
            with timer(t, strategy):
                try:
                    other = solve_study(load_study(other_raw), strategy=strategy)
                    details[f"{strategy}_cost"] = float(other["cost_eur_per_yr"])
                    details[f"{strategy}_status"] = other.attrs["solver_status"]
                except Exception as exc:  # noqa: BLE001 - a benchmark reports, it does not fail
                    details[f"{strategy}_status"] = f"failed: {exc}"
            details[f"{strategy}_s"] = round(t[strategy], 2)
    return [Figure("reference_study_vs_linopy_lp", ratio, "time ratio",
                   "<= 2, proven gap <= 1e-4", ratio <= 2 and proven, details),
            Figure("peak_memory_reference_study", peak, "MB", "<= 2048 MB", peak <= 2048,
                   {"note": "largest of this process and the engine's worker processes"})]


def bench_pareto(ctx: dict) -> list[Figure]:
    """10-point cost-emissions front of the reference study / one reference study (the
    default solve path, timed just before in the same run)."""
    from greendc.pareto import pareto_front
    from greendc.study import load_study

    ref = ctx["reference"]
    t = {}
    with timer(t, "front"):
        front = pareto_front(load_study(ref["raw"]), points=10)
    ratio = t["front"] / ref["seconds"]
    ctx["front"] = front
    return [Figure("pareto_10_vs_reference_study", ratio, "time ratio", "<= 2", ratio <= 2,
                   {"front_s": round(t["front"], 2), "reference_study_s": round(ref["seconds"], 2),
                    "front_vs_linopy_lp": round(t["front"] / ctx["linopy_lp_s"], 2),
                    "method": front.attrs.get("front_method"),
                    "points": int(front.sizes.get("point", 0)),
                    "cost_eur_per_yr": [round(float(v), 2) for v in front["cost_eur_per_yr"]],
                    "emissions_t_per_yr": [round(float(v), 2)
                                           for v in front["emissions_t_per_yr"]],
                    "max_point_gap_eur_per_yr": float(front["mip_gap_eur_per_yr"].max())})]


def bench_typical(ctx: dict) -> list[Figure]:
    """Typical days vs full hourly on the same study: speed-up, and cost and design of the
    typical-days design vs the full hourly optimum (``greendc.typical.design_deviation``:
    PPA MW per technology, battery, heat pump, emissions re-evaluated hour by hour)."""
    from greendc.study import load_study, solve_study
    from greendc.typical import design_deviation

    n = ctx["typical_days"]
    if ctx["quick"]:  # typical days need the full year: 1 site x 1 cooling
        raw = one_site_raw(8760)
        t = {}
        with timer(t, "full"):
            full = solve_study(load_study(raw))
        full_s, full_cost = t["full"], float(full["cost_eur_per_yr"])
    else:  # the reference study, whose full hourly solve was just timed
        raw, full = ctx["reference"]["raw"], ctx["reference"]["results"]
        full_s, full_cost = ctx["reference"]["seconds"], ctx["reference"]["cost"]
    t = {}
    with timer(t, "typical"):
        study = load_study(dict(raw, horizon={"typical_days": n}))
        res = solve_study(study)
    reeval_s = float(res.attrs["typical_reevaluation_seconds"])
    design_s = t["typical"] - reeval_s
    cost = float(res.attrs["full_resolution_objective"])
    diff = 100 * (cost - full_cost) / abs(full_cost)
    details = {"typical_days": n, "sites": len(raw["sites"]), "full_hourly_s": round(full_s, 2),
               "typical_design_s": round(design_s, 2), "reevaluation_s": round(reeval_s, 2),
               "speedup_including_reevaluation": round(full_s / t["typical"], 2),
               "typical_days_objective": float(res.attrs["typical_days_objective"]),
               "reevaluated_cost": cost, "full_hourly_cost": full_cost,
               "typical_objective_error_pct": float(res.attrs["typical_aggregation_error_pct"])}
    speedup = full_s / design_s
    deviation = design_deviation(res, full)
    for key, d in deviation.items():
        print(f"  typical vs full hourly {key:<22} {d['typical']:>14,.6g} {d['full']:>14,.6g} "
              f"({d['difference_pct']:+.2f} %)", flush=True)
    return [Figure("typical_days_speedup", speedup, "x", ">= 20", speedup >= 20, details),
            Figure("typical_days_cost_difference", diff, "%", "<= 0.5 %", diff <= 0.5,
                   {"reevaluated_cost": cost, "full_hourly_cost": full_cost,
                    "emissions_difference_pct": deviation["emissions_t_per_yr"]["difference_pct"],
                    "design_deviation": deviation,
                    "estimate_vs_full": json.loads(res.attrs.get("typical_estimate_vs_full",
                                                                 "{}"))})]


def bench_many_sites(ctx: dict) -> list[Figure]:
    """studies/many_sites.yaml (>= 30 sites x every cooling, max_sites 2) through the default
    solve path in a subprocess with a time limit (benchmarks/many_sites.py), over the linopy
    PV + wind + battery sizing LP of the same run."""
    from benchmarks.many_sites import measure

    hours = 168 if ctx["quick"] else 8760
    r = measure(hours, ctx["monolithic_limit"])
    proven = r["status"] == "optimal"
    return [Figure("many_sites_max2", r["wall_s"], "s", "proven optimal, full year",
                   proven and hours == 8760, r)]


BENCHMARKS = {
    "handoff": bench_handoff_and_memory, "linopy": bench_linopy, "scaling": bench_scaling,
    "reference": bench_reference, "typical": bench_typical, "pareto": bench_pareto,
    "many_sites": bench_many_sites,
}
OPT_IN = ("many_sites",)  # long: run with --many-sites or --only many_sites


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="reduced horizons and site sets")
    ap.add_argument("--json", help="write the figures to this JSON file")
    ap.add_argument("--only", help="comma-separated subset of " + ",".join(BENCHMARKS))
    ap.add_argument("--compare-paths", action="store_true",
                    help="also solve the reference study by the previous path (one MILP per "
                         "candidate) and the monolithic MILP (long)")
    ap.add_argument("--many-sites", action="store_true",
                    help="also run the many-sites study (max_sites 2; 168 h with --quick)")
    args = ap.parse_args(argv)
    quick = args.quick
    ctx = {"quick": quick, "hours": 1752 if quick else 8760,
           "scaling_base": SCALING_BASE_HOURS,
           "typical_days": 16,
           "monolithic_limit": 120 if quick else 600, "compare_paths": args.compare_paths}
    chosen = args.only.split(",") if args.only else [
        name for name in BENCHMARKS if name not in OPT_IN or args.many_sites]
    if "linopy" in chosen and "handoff" not in chosen:
        chosen.insert(0, "handoff")  # the dispatch benchmark uses its design
    if ("typical" in chosen and not quick or "pareto" in chosen) and "reference" not in chosen:
        chosen.insert(0, "reference")
    chosen = [name for name in BENCHMARKS if name in chosen]
    figures: list[Figure] = []
    started = time.perf_counter()
    print(f"greendc benchmarks ({'quick' if quick else 'full'}) on {machine()}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        ctx["design_file"] = str(pathlib.Path(tmp) / "design.nc")
        for name in chosen:
            t0 = time.perf_counter()
            for fig in BENCHMARKS[name](ctx):
                figures.append(fig)
                print(fig.line(), flush=True)
            print(f"  [{name}: {time.perf_counter() - t0:.1f} s]", flush=True)
    record = {f.name: f.record() for f in figures}
    meta = {"mode": "quick" if quick else "full", "machine": machine(),
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "total_s": round(time.perf_counter() - started, 1)}
    for entry in record.values():
        entry["details"]["run"] = meta
    print(f"done in {meta['total_s']} s", flush=True)
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(record, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
