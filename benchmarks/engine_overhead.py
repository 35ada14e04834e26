"""The execution engine's own cost: start-up, tear-down and overhead per task of
``greendc.engine.Engine`` (a dask LocalCluster) against a spawn ``ProcessPoolExecutor`` with
the same worker set-up (the path it replaced), both with 2 workers, measured in one run.

    python benchmarks/engine_overhead.py [--tasks 40] [--solves 8]

Start-up: from creating the pool/cluster until every worker has answered a first task that
imports ``greendc.study`` (what a real first task pays). Per task: the wall time of
``--tasks`` no-op tasks on the warm pool / their count. Tiny solve: ``--solves`` 24 h
single-(site, cooling) MILPs mapped on the warm pool, against the same solves in this
process. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import pathlib
import sys
import time
from concurrent.futures import ProcessPoolExecutor

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

WORKERS = 2
TINY = {"name": "engine_bench", "sites": ["fr-essonne"], "compute": {"required_pflops": 2000},
        "horizon": {"hours": 24}, "solver": {"workers": 1, "mip_rel_gap": 1e-6}}


def first_task(_=None) -> int:
    import greendc.study  # noqa: F401 - what every real first task imports

    time.sleep(0.2)  # hold the worker so that the other one takes the second first task
    return os.getpid()


def noop(x: int) -> int:
    return x


def _tiny_jobs(n: int):
    from greendc.study import ModelSpec, combinations, load_study

    study = load_study(TINY)
    s, c = combinations(study)[0]
    return ModelSpec.of(study), [study.inputs.sel(site=[s], cooling=[c])] * n


def _measure(open_pool, mapper, close, tasks: int, spec, jobs) -> dict:
    from greendc.study import _task

    t0 = time.perf_counter()
    pool = open_pool()
    pids = set(mapper(pool, first_task, range(WORKERS)))
    t1 = time.perf_counter()
    list(mapper(pool, noop, range(tasks)))
    t2 = time.perf_counter()
    n = len(jobs)
    objectives = [s.status.objective for s in mapper(pool, _task, [spec] * n, jobs, [False] * n)]
    t3 = time.perf_counter()
    close(pool)
    t4 = time.perf_counter()
    return {"workers_seen": len(pids), "startup_s": round(t1 - t0, 3),
            "per_task_ms": round(1e3 * (t2 - t1) / tasks, 2),
            "tiny_solves_s": round(t3 - t2, 3), "teardown_s": round(t4 - t3, 3),
            "objective": objectives[0]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=40)
    parser.add_argument("--solves", type=int, default=8)
    args = parser.parse_args()
    from greendc.engine import Engine, worker_setup
    from greendc.study import _task

    spec, jobs = _tiny_jobs(args.solves)
    t = time.perf_counter()
    in_process = [_task(spec, j, False).status.objective for j in jobs]
    serial_s = time.perf_counter() - t

    def open_pool():
        return ProcessPoolExecutor(max_workers=WORKERS, initializer=worker_setup,
                                   initargs=(os.getpid(),),
                                   mp_context=multiprocessing.get_context("spawn"))

    pool = _measure(open_pool, lambda p, fn, *it: p.map(fn, *it), lambda p: p.shutdown(),
                    args.tasks, spec, jobs)

    def open_engine():
        engine = Engine(WORKERS)
        engine.__enter__()
        return engine

    engine = _measure(open_engine, lambda e, fn, *it: e.map(fn, *it), lambda e: e.close(),
                      args.tasks, spec, jobs)
    assert pool["objective"] == engine["objective"] == in_process[0]
    print(json.dumps({"workers": WORKERS, "tasks": args.tasks, "solves": args.solves,
                      "in_process_solves_s": round(serial_s, 3),
                      "process_pool": pool, "engine": engine}))


if __name__ == "__main__":
    main()
