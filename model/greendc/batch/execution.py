"""Running cases: ``run_case`` solves one case in a worker and writes its folder (never
raising for a failing case); ``run_batch`` skips the finished cases and runs the others on a
dask.distributed cluster (or serially), then writes the summary table."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import pathlib
import socket
import time
import traceback
import uuid
from typing import Any, Callable

from pydantic import BaseModel, ConfigDict

from greendc import atomic, progress
from greendc.batch.cases import Batch, Case, load_batch
from greendc.batch.records import (STATUS_FILE, SUCCESS, _base_row, _failure_status,
                                   _write_manifest, is_done, kpi_row, read_status, record_lost,
                                   results_fingerprint, write_table)
from greendc.errors import GreendcError, ScenarioError

log = logging.getLogger(__name__)


def run_case(case: Case, out_dir: str) -> dict[str, Any]:
    """Solve one case and write its folder; never raises for a failing case (the returned and
    saved ``status.json`` row says what happened). Module level so that dask can ship it."""
    from greendc.results import save_results, summary
    from greendc.study import load_study, solve_study

    case_dir = pathlib.Path(out_dir) / case.case_id
    case_dir.mkdir(parents=True, exist_ok=True)
    row = _base_row(case)
    row["worker"] = f"{socket.gethostname()}:{os.getpid()}"
    start = time.perf_counter()
    row["started"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    handler = logging.FileHandler(case_dir / "case.log", mode="a", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    loggers = [logging.getLogger("greendc"), logging.getLogger("py.warnings")]
    saved = [(lg.level, lg.propagate) for lg in loggers]
    for lg in loggers:  # the case's messages go to its log, not to the worker's console
        lg.addHandler(handler)
        lg.setLevel(logging.INFO)
        lg.propagate = False
    clog = logging.getLogger("greendc.batch.case")
    logging.captureWarnings(True)
    try:
        clog.info("case %s (%s) on %s; overrides %s", case.case_id, case.name, row["worker"],
                  json.dumps(case.overrides, default=str))
        if case.error:
            raise ScenarioError(case.error.removeprefix("ScenarioError: "))
        loaded = case.loaded
        atomic.write_json(case_dir / "scenario.json", {
            "origin": loaded.origin, "base_dir": str(loaded.base_dir),
            "scenario": loaded.scenario.model_dump(mode="json")})
        study = load_study(loaded)
        res = solve_study(study)  # its steps (INFO records) go to case.log
        save_results(res, case_dir, scenario=loaded)
        info = summary(res)
        sc = loaded.scenario
        row.update(kpi_row(info, sc.objective, sc.emissions_scope))
        row["status"] = info["solver"]["status"]
        row["files"] = results_fingerprint(case_dir)
        if row["status"] != "optimal":
            row["reason"] = f"not proven optimal (time limit), MIP gap {info['solver']['mip_gap']}"
    except Exception as exc:  # noqa: BLE001 - every failure is recorded, none stops the batch
        row["status"] = _failure_status(exc)
        row["reason"] = f"{type(exc).__name__}: {exc}"
        level = logging.WARNING if isinstance(exc, GreendcError) else logging.ERROR
        clog.log(level, "case failed: %s\n%s", row["reason"],
                 "" if isinstance(exc, GreendcError) else traceback.format_exc())
    finally:
        row["seconds"] = round(time.perf_counter() - start, 3)
        row["finished"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        clog.info("case %s: %s (%.2f s)", case.case_id, row["status"], row["seconds"])
        for lg, (level, propagate) in zip(loggers, saved):
            lg.removeHandler(handler)
            lg.setLevel(level)
            lg.propagate = propagate
        handler.close()
        logging.captureWarnings(False)
    atomic.write_json(case_dir / STATUS_FILE, row)
    return row


class BatchReport(BaseModel):
    out: pathlib.Path
    table: Any  # pandas DataFrame
    computed: list[str]
    skipped: list[str]
    seconds: float
    interrupted: bool = False

    model_config = ConfigDict(arbitrary_types_allowed=True)

    @property
    def failed(self) -> list[str]:
        return list(self.table.loc[~self.table["status"].isin(SUCCESS), "case_id"])

    def line(self) -> str:
        counts = self.table["status"].value_counts().to_dict()
        parts = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        return (f"{len(self.table)} cases ({parts}); {len(self.computed)} computed, "
                f"{len(self.skipped)} already done; {self.seconds:.1f} s"
                + ("; INTERRUPTED (finished cases kept, re-run to complete)"
                   if self.interrupted else ""))


OnResult = Callable[[dict[str, Any]], None]


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS / Windows
        return max(1, os.cpu_count() or 1)


def run_batch(batch: Batch | str | pathlib.Path, out: str | pathlib.Path, *,
              scheduler: str | None = None, workers: int | None = None, client: Any = None,
              serial: bool = False, retry_failed: bool = True, quiet: bool = False,
              on_result: OnResult | None = None) -> BatchReport:
    """Run every case not already done; write the case folders and ``cases.csv``/``cases.nc``.

    ``client``: an existing ``distributed.Client`` (kept open); ``scheduler``: address of a
    running scheduler; otherwise a ``LocalCluster`` of ``workers`` processes (default: one per
    core), one thread each. ``serial`` runs the cases in this process, without dask.
    ``on_result`` is called with each finished row (tests, progress hooks). ``quiet`` hides the
    progress (a tqdm bar on a terminal, one line per finished case elsewhere).
    """
    if not isinstance(batch, Batch):
        batch = load_batch(batch)
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    _write_manifest(batch, out)
    todo, skipped = [], []
    for case in batch.cases:
        st = read_status(out / case.case_id)
        if is_done(out / case.case_id, case.data_hash):
            skipped.append(case.case_id)
        elif st and st.get("status") in SUCCESS:
            why = ("catalogue or site data changed" if case.data_hash
                   and st.get("data_hash") != case.data_hash else
                   "its result files are missing or differ from status.json (size or hash)")
            log.warning("case %s (%s): %s since it was solved; solving again", case.case_id,
                        case.name, why)
            todo.append(case)
        elif st and not retry_failed:
            skipped.append(case.case_id)
        else:
            todo.append(case)
    computed: list[str] = []
    interrupted = False
    bar = progress.Bar(len(todo), batch.name, unit="case", enabled=not quiet and bool(todo))

    def done(row: dict[str, Any]) -> None:
        computed.append(row["case_id"])
        bar.advance(f"{row['name'][:30]}: {row['status']}")
        if on_result:
            on_result(row)

    try:
        if serial or not todo:
            for case in todo:
                done(run_case(case, str(out)))
        else:
            _run_distributed(todo, out, scheduler, workers, client, done)
    except (KeyboardInterrupt, asyncio.CancelledError):  # Ctrl-C (dask may turn it into a
        interrupted = True                                  # CancelledError while closing)
        logging.getLogger("distributed").setLevel(logging.CRITICAL)  # no shutdown noise
    finally:
        bar.close()
        table = write_table(batch, out)
    report = BatchReport(out=out, table=table, computed=computed, skipped=skipped,
                         seconds=round(time.perf_counter() - start, 3), interrupted=interrupted)
    if interrupted:
        raise BatchInterrupted(report)
    return report


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C during a batch; ``report`` holds what was finished (all of it is on disk)."""

    def __init__(self, report: BatchReport):
        super().__init__(report.line())
        self.report = report


def _run_distributed(todo: list[Case], out: pathlib.Path, scheduler: str | None,
                     workers: int | None, client: Any, done: Callable) -> None:
    """The cases on a ``greendc.engine.Engine`` (a local cluster even of one worker: each
    case in a worker process), in completion order; a lost task (KilledWorker, cancelled,
    comm lost) is recorded as such."""
    from greendc.engine import Engine

    n = min(workers or default_workers(), len(todo))
    # the cases log to their own case.log files, not to this console
    with Engine(n, scheduler, client=client, in_process=False, forward_logs=False) as engine:
        tag = uuid.uuid4().hex[:6]
        futures = {engine.submit(run_case, case, str(out.resolve()),
                                 key=f"greendc-case-{case.case_id}-{tag}"): case
                   for case in todo}
        try:
            for fut in engine.as_completed(futures):
                case = futures[fut]
                try:
                    row = fut.result()
                except Exception as exc:  # noqa: BLE001 - KilledWorker, cancelled, comm lost
                    row = record_lost(case, out, exc)
                done(row)
        except BaseException:  # Ctrl-C or a failing hook: drop the cases still queued
            engine.cancel(futures)
            raise
