"""Benchmark of issue 17 part 5: studies/many_sites.yaml (>= 30 candidate sites, max_sites 2).

    python benchmarks/many_sites.py [--hours 8760] [--time-limit 600] [--wall-limit S] [--json F]

Runs the study through the default ``greendc run`` path (``load_study`` + ``solve_study`` with
the scenario's ``solver.strategy``) in a fresh subprocess, so that its ``ru_maxrss`` is the
peak resident memory of this study alone (as ``benchmarks/one_site.py``; pool workers'
peak is reported apart), and reports: status (``optimal`` = proven within ``mip_rel_gap``,
``time_limit`` = best design unproven, ``no design`` = nothing found within the limit) and
gap, wall time, peak memory, candidates (sites x coolings, and the (site, cooling) pairs left
after the queue and climate gates), the columns and rows of the largest model handed to HiGHS
in that process, and the wall time over the linopy reference LP of the same run
(``benchmarks/linopy_sizing.py``, full-year PV + wind + battery sizing at one site).

Never hangs: ``--time-limit`` is the study's ``solver.time_limit_s`` (HiGHS stops there and
the study reports what it has), and the parent kills the subprocess (its whole process group)
after ``--wall-limit`` (default: 2 x time limit + 300 s for loading, building and the shadow
prices), reporting ``killed at the wall limit``.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import resource
import signal
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from benchmarks.common import ROOT  # noqa: E402

STUDY = ROOT / "studies" / "many_sites.yaml"


def study_raw(hours: int, time_limit_s: float) -> dict:
    import yaml

    raw = yaml.safe_load(STUDY.read_text(encoding="utf-8"))
    raw["solver"] = {**raw.get("solver", {}), "time_limit_s": float(time_limit_s)}
    if hours != 8760:
        raw["horizon"] = {"start_hour": 0, "hours": int(hours)}
    return raw


def _largest_model_recorder() -> dict:
    """Record the size of every model handed to HiGHS in this process (the largest is kept)."""
    from greendc import solve

    largest = {"columns": 0, "rows": 0}
    original = solve.HighsModel.__init__

    def recording(self, *args, **kwargs):
        original(self, *args, **kwargs)
        if len(self.columns) > largest["columns"]:
            largest.update(columns=len(self.columns), rows=len(self.rows))

    solve.HighsModel.__init__ = recording
    return largest


def worker(hours: int, time_limit_s: float) -> dict:
    """The measured run (in the subprocess): load, solve, report; never raises."""
    from greendc.scenario import scenario_from_dict
    from greendc.study import combinations, load_study, solve_study

    largest = _largest_model_recorder()
    t0 = time.perf_counter()  # files relative to the study, as `greendc run` reads them
    study = load_study(scenario_from_dict(study_raw(hours, time_limit_s), str(STUDY),
                                          STUDY.parent))
    load_s = time.perf_counter() - t0
    out = {"hours": hours, "time_limit_s": time_limit_s, "load_s": round(load_s, 2),
           "sites": int(study.inputs.sizes["site"]),
           "coolings": int(study.inputs.sizes["cooling"]),
           "admissible_pairs": len(combinations(study)),
           "max_sites": study.scenario.max_sites, "strategy": study.scenario.solver.strategy}
    out["candidates"] = out["sites"] * out["coolings"]
    try:
        res = solve_study(study)
        built = [str(s) for s in res.site.values if float(res["build"].sel(site=s)) > 0.5]
        out.update(status=res.attrs["solver_status"], gap=res.attrs["solver_mip_gap"],
                   cost_eur_per_yr=float(res["cost_eur_per_yr"]), built=built,
                   strategy_used=res.attrs["solver_strategy"],
                   columns=int(res.attrs["model_columns"]), rows=int(res.attrs["model_rows"]))
    except Exception as exc:  # noqa: BLE001 - a benchmark reports, it does not fail
        out.update(status="no design", gap=None, error=f"{type(exc).__name__}: {exc}"[:400])
    out["solve_s"] = round(time.perf_counter() - t0 - load_s, 2)
    out["largest_model_columns"] = largest["columns"] or out.get("columns")
    out["largest_model_rows"] = largest["rows"] or out.get("rows")
    out["maxrss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)
    return out


def run(hours: int, time_limit_s: float, wall_limit_s: float | None = None) -> dict:
    """Run the study in a fresh subprocess, killed after the wall limit; the record."""
    wall = wall_limit_s or 2 * time_limit_s + 300
    cmd = [sys.executable, str(pathlib.Path(__file__).resolve()), "--worker",
           "--hours", str(hours), "--time-limit", str(time_limit_s)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=wall)
        lines = [ln for ln in stdout.strip().splitlines() if ln.startswith("{")]
        record = json.loads(lines[-1]) if lines else {
            "hours": hours, "status": "no design",
            "error": f"worker exited {proc.returncode}: {stderr.strip()[-400:]}"}
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        record = {"hours": hours, "status": "no design", "gap": None,
                  "error": f"killed at the wall limit ({wall:.0f} s)"}
    record["wall_s"] = round(time.perf_counter() - start, 2)
    record["wall_limit_s"] = wall
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    record["peak_memory_any_process_mb"] = round(children, 1)  # largest of the processes
    return record


def reference_lp(hours: int = 8760) -> dict:
    """The linopy reference LP (one site, ``hours`` from hour 0), in this process."""
    from benchmarks.common import one_site_raw
    from benchmarks.linopy_sizing import solve_sizing_linopy
    from greendc.study import load_study

    return solve_sizing_linopy(load_study(one_site_raw(hours)).inputs)


def measure(hours: int, time_limit_s: float, wall_limit_s: float | None = None) -> dict:
    """The study's record plus the linopy reference LP and the ratio of the two."""
    record = run(hours, time_limit_s, wall_limit_s)
    lp = reference_lp()
    record["linopy_reference_lp_s"] = round(lp["total_s"], 3)
    record["linopy_reference_lp"] = {k: lp[k] for k in ("objective", "hours", "columns", "rows")}
    record["ratio_vs_linopy_lp"] = round(record["wall_s"] / lp["total_s"], 2)
    return record


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hours", type=int, default=8760, help="horizon from hour 0 [h]")
    ap.add_argument("--time-limit", type=float, default=600.0,
                    help="solver.time_limit_s of the study [s]")
    ap.add_argument("--wall-limit", type=float, default=None,
                    help="kill the run after this many seconds (default 2 x limit + 300)")
    ap.add_argument("--json", help="write the record to this JSON file")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.hours, args.time_limit), default=str), flush=True)
        return 0
    record = measure(args.hours, args.time_limit, args.wall_limit)
    print(json.dumps(record, indent=2, default=str))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(record, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
