"""Batch studies: one base scenario under many variations, each case a dask.distributed task.

A batch file (YAML, validated by pydantic; paths relative to the batch file)::

    name: carbon_and_sovereignty          # optional; default: the file name
    scenario: reference_sites.yaml        # the base scenario
    overrides: {horizon.hours: 168}       # optional, applied to every case
    grid:                                 # optional: cartesian product of the values
      finance.carbon_price_eur_per_t: [0, 100]
      sovereignty.allowed_jurisdictions: [null, [EU]]
    cases:                                # optional: explicit variations, each a dict of
      - {name: low_prices, overrides.sites.fr-essonne.grid_adder_eur_per_mwh: 30}
      - {name: high_prices, overrides.sites.fr-essonne.grid_adder_eur_per_mwh: 90}
    combine: product                      # cases x grid (default) or union (cases + grid)

Override keys are those of ``greendc.scenario.with_overrides``: dotted scenario fields
(``finance.carbon_price_eur_per_t``) and catalogue values under ``overrides.``
(``overrides.sites.fr-essonne.grid_connection_mw``).

Outputs in ``OUT``: one folder per case named by its case id (the hash of the resolved
scenario, ``Scenario.digest()``) holding the outputs of ``greendc run`` (``results.nc``,
``csv/``, ``summary.json``), ``scenario.json``, ``case.log`` and, written last and
atomically, ``status.json``; plus ``cases.csv``/``cases.nc`` (one row per case) and
``batch.json``. Re-running skips the cases whose ``status.json`` records a design (optimal or
time limit) from the same data (hash of the catalogue files and the case's site files); failed
cases (infeasible, bad input, worker died, ...) are tried again.

Workers write the case folders themselves, so with ``--scheduler`` the output folder must be
on a file system the workers share with the client.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import json
import logging
import os
import pathlib
import socket
import tempfile
import time
import traceback
import uuid
from typing import Any, Callable, Literal

import pandas as pd
import xarray as xr
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from greendc.catalogue import format_validation_error
from greendc.errors import (DataError, GreendcError, InfeasibleError, MissingExtraError,
                          ScenarioError, SolverError)
from greendc.scenario import LoadedScenario, Scenario, load_scenario, with_overrides
from greendc.yamlio import load_yaml

log = logging.getLogger(__name__)

SUCCESS = ("optimal", "time_limit")
STATUS_FILE = "status.json"
KPI_COLUMNS = (
    "objective_value", "cost_eur_per_yr", "emissions_t_per_yr", "operational_t_per_yr",
    "embodied_t_per_yr", "it_mw", "mean_pue", "wue_l_per_kwh", "ppa_solar_mw", "ppa_wind_mw",
    "battery_mwh", "battery_mw", "heat_pump_mw", "heat_sold_mwh", "grid_energy_mwh",
    "supply_share", "cfe_share", "mip_gap", "solver_seconds",
)


class BatchError(ScenarioError):
    """Batch file problem: unknown field, bad override key, missing base scenario."""


# --------------------------------------------------------------------------- batch file


class BatchFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1)
    scenario: str = Field(min_length=1, description="base scenario YAML, relative to the batch file")
    overrides: dict[str, Any] = {}
    grid: dict[str, list[Any]] = {}
    cases: list[dict[str, Any]] = []
    combine: Literal["product", "union"] = "product"

    @field_validator("grid")
    @classmethod
    def _non_empty(cls, value: dict[str, list[Any]]) -> dict[str, list[Any]]:
        empty = [k for k, v in value.items() if not v]
        if empty:
            raise ValueError(f"grid keys with no values: {empty}; give at least one value each")
        return value

    @field_validator("cases")
    @classmethod
    def _case_names(cls, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for i, case in enumerate(value):
            name = case.get("name")
            if name is not None and (not isinstance(name, str) or not name):
                raise ValueError(f"cases[{i}].name = {name!r}: expected a non-empty string")
        names = [c["name"] for c in value if c.get("name")]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"case names used twice: {dup}")
        return value


class Case(BaseModel):
    """One resolved variation: its id, label, overrides and scenario (or why it is invalid)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    case_id: str
    name: str
    overrides: dict[str, Any]
    loaded: LoadedScenario | None = None
    error: str | None = None
    data_hash: str = ""


class Batch(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)
    name: str
    origin: str
    base: LoadedScenario
    cases: list[Case]
    keys: list[str]


def load_batch(path: str | pathlib.Path) -> Batch:
    """Read and validate a batch file and expand it into cases (invalid variations become
    cases with an ``error``; an unknown key or a bad file is a ``BatchError``)."""
    path = pathlib.Path(path)
    raw = load_yaml(path, BatchError)
    return batch_from_dict(raw, origin=str(path), base_dir=path.resolve().parent,
                           default_name=path.stem)


def batch_from_dict(raw: Any, origin: str = "<batch>", base_dir: pathlib.Path | None = None,
                    default_name: str = "batch") -> Batch:
    if not isinstance(raw, dict):
        raise BatchError(f"{origin}: expected a mapping of batch fields, got {type(raw).__name__}")
    try:
        spec = BatchFile.model_validate(raw)
    except ValidationError as exc:
        raise BatchError(format_validation_error(exc, origin, prefix="")) from None
    from greendc.timeseries import confined_path  # confined like site files

    scenario_path = confined_path(base_dir or pathlib.Path.cwd(), spec.scenario,
                                  f"{origin}: scenario", BatchError, "the batch file")
    base = load_scenario(scenario_path)
    keys = _all_keys(spec)
    for key in keys:
        _check_key(key, base, origin)
    variations = expand(spec)
    cases, seen = [], {}
    for name, changes in variations:
        case = resolve_case(base, name, {**spec.overrides, **changes})
        if case.case_id in seen:
            log.warning("%s: case %r resolves to the same scenario as %r (id %s); run once",
                        origin, name, seen[case.case_id], case.case_id)
            continue
        seen[case.case_id] = name
        cases.append(case)
    return Batch(name=spec.name or default_name, origin=origin, base=base, cases=cases,
                 keys=keys)


def _all_keys(spec: BatchFile) -> list[str]:
    keys = list(spec.overrides) + list(spec.grid)
    for case in spec.cases:
        keys += [k for k in case if k != "name"]
    return list(dict.fromkeys(keys))


def _check_key(key: str, base: LoadedScenario, origin: str) -> None:
    """Unknown override keys are errors of the batch file, not of every case."""
    if key.startswith("overrides."):
        from greendc.catalogue import apply_overrides, read_catalogue_dicts
        from greendc.timeseries import data_dir

        raw = read_catalogue_dicts(data_dir(base))
        if any(ref.facts for ref in base.scenario.sites):
            return  # sites outside the catalogue: checked when the case is loaded
        try:
            apply_overrides(raw, {key.removeprefix("overrides."): 0}, origin)
        except ScenarioError as exc:
            raise BatchError(str(exc)) from None
        return
    model: Any = Scenario
    parts = key.split(".")
    for depth, part in enumerate(parts):
        fields = getattr(model, "model_fields", None)
        if fields is None or part not in fields:
            known = ", ".join(sorted(fields)) if fields else "(not a section)"
            raise BatchError(f"{origin}: override key {key!r}: unknown scenario field "
                             f"{'.'.join(parts[:depth + 1])!r}; known here: {known}")
        annotation = fields[part].annotation
        model = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) \
            else None
        if model is None and depth < len(parts) - 1:
            if part in ("overrides",):
                return
            raise BatchError(f"{origin}: override key {key!r}: {part!r} is a value, not a "
                             f"section; use {'.'.join(parts[:depth + 1])!r}")


def expand(spec: BatchFile) -> list[tuple[str, dict[str, Any]]]:
    """(name, overrides) of every variation: grid product, explicit cases, or both."""
    grid = _grid_points(spec.grid)
    explicit = [(case.get("name") or f"case{i}", {k: v for k, v in case.items() if k != "name"})
                for i, case in enumerate(spec.cases)]
    if grid and explicit:
        if spec.combine == "union":
            return explicit + grid
        return [(f"{cn}, {gn}", {**cv, **gv}) for cn, cv in explicit for gn, gv in grid]
    return explicit or grid or [("base", {})]


def _grid_points(grid: dict[str, list[Any]]) -> list[tuple[str, dict[str, Any]]]:
    if not grid:
        return []
    keys = list(grid)
    short = [k.split(".")[-1] for k in keys]
    labels = [s if short.count(s) == 1 else k.removeprefix("overrides.")
              for k, s in zip(keys, short)]
    points = []
    for values in itertools.product(*(grid[k] for k in keys)):
        name = ",".join(f"{lab}={_label(v)}" for lab, v in zip(labels, values))
        points.append((name, dict(zip(keys, values))))
    return points


def _label(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, list):
        return "+".join(map(str, value)) or "[]"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def resolve_case(base: LoadedScenario, name: str, changes: dict[str, Any]) -> Case:
    """Apply the overrides (and one decomposition worker per case, so that a batch does not
    oversubscribe the cores); the case id is the digest of the resolved scenario."""
    try:
        loaded = with_overrides(base, {**changes, "solver.workers": 1})
    except ScenarioError as exc:
        blob = json.dumps([base.scenario.digest(), changes], sort_keys=True, default=str)
        return Case(case_id=hashlib.sha256(blob.encode()).hexdigest()[:16], name=name,
                    overrides=changes, error=f"ScenarioError: {exc}")
    return Case(case_id=loaded.scenario.digest(), name=name, overrides=changes, loaded=loaded,
                data_hash=data_fingerprint(loaded))


_FILE_HASHES: dict[tuple[str, int, int], str] = {}


def _file_hash(path: pathlib.Path) -> str:
    st = path.stat()
    key = (str(path), st.st_mtime_ns, st.st_size)
    if key not in _FILE_HASHES:
        _FILE_HASHES[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _FILE_HASHES[key]


def data_fingerprint(loaded: LoadedScenario) -> str:
    """Hash of the data a case reads (catalogue YAML files and its sites' hourly files): a
    finished case whose data changed since is run again. Empty when a file is missing (the case
    then fails with the loader's message)."""
    from greendc.resources import DATA_DIR
    from greendc.timeseries import data_dir, site_file

    try:
        folder = (data_dir(loaded) or DATA_DIR) / "catalogue"
        files = sorted(folder.glob("*.yaml"))
        files += [site_file(loaded, ref.id, ref.file, i)
                  for i, ref in enumerate(loaded.scenario.sites)]
        parts = [f"{p.name}:{_file_hash(p)}" for p in files]
    except (GreendcError, OSError):
        return ""
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


# --------------------------------------------------------------------------- one case


def write_json_atomic(path: pathlib.Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, default=_json_default)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _json_default(obj: Any) -> Any:
    if hasattr(obj, "item"):
        return obj.item()
    return str(obj)


def read_status(case_dir: pathlib.Path) -> dict[str, Any] | None:
    try:
        return json.loads((case_dir / STATUS_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def is_done(case_dir: pathlib.Path, data_hash: str | None = None) -> bool:
    """A design was found and saved (optimal or time limit), from the same data when
    ``data_hash`` is given."""
    st = read_status(case_dir)
    if data_hash and st and st.get("data_hash") != data_hash:
        return False
    return bool(st and st.get("status") in SUCCESS and (case_dir / "results.nc").exists()
                and (case_dir / "summary.json").exists())


def _failure_status(exc: BaseException) -> str:
    if isinstance(exc, InfeasibleError):
        return "infeasible"
    if isinstance(exc, (ScenarioError, DataError, MissingExtraError)):
        return "invalid"
    if isinstance(exc, SolverError):
        return "solver_error"
    if isinstance(exc, GreendcError):
        return "failed"
    return "error"


def _base_row(case: Case) -> dict[str, Any]:
    return {"case_id": case.case_id, "name": case.name, "status": "", "reason": "",
            "overrides": case.overrides, "data_hash": case.data_hash}


def kpi_row(info: dict[str, Any], objective: str, scope: str) -> dict[str, Any]:
    """The summary-table columns of one solved case, from ``results.summary``."""
    em = info["emissions_t_per_year"]
    servers = "; ".join(f"{n} x {k}" for k, n in info["servers"].items())
    value = info["cost_eur_per_year"] if objective == "cost" else (
        em["operational"] if scope == "operational" else em["total"])
    site, cooling = info["site"], info["cooling"]
    return {
        "objective": objective, "objective_value": value,
        "cost_eur_per_yr": info["cost_eur_per_year"], "emissions_t_per_yr": em["total"],
        "operational_t_per_yr": em["operational"], "embodied_t_per_yr": em["embodied"],
        "site": site if isinstance(site, str) else "+".join(site),
        "cooling": cooling if isinstance(cooling, str) else json.dumps(cooling, sort_keys=True),
        "servers": servers, "it_mw": info["it_mw"], "mean_pue": info["mean_pue"],
        "wue_l_per_kwh": info["wue_l_per_kwh"], "ppa_solar_mw": info["ppa_solar_mw"],
        "ppa_wind_mw": info["ppa_wind_mw"], "battery_mwh": info["battery_mwh"],
        "battery_mw": info["battery_mw"], "heat_pump_mw": info["heat_pump_mw"],
        "heat_sold_mwh": info["heat_sold_mwh"], "grid_energy_mwh": info["grid_energy_mwh"],
        "supply_share": info["supply_share"], "cfe_share": info["cfe_share"],
        "mip_gap": info["solver"]["mip_gap"], "solver_seconds": info["solver"]["seconds"],
        "strategy": info["solver"]["strategy"],
    }


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
        write_json_atomic(case_dir / "scenario.json", {
            "origin": loaded.origin, "base_dir": str(loaded.base_dir),
            "scenario": loaded.scenario.model_dump(mode="json")})
        study = load_study(loaded)
        res = solve_study(study, progress=clog.info)
        save_results(res, case_dir)
        info = summary(res)
        sc = loaded.scenario
        row.update(kpi_row(info, sc.objective, sc.emissions_scope))
        row["status"] = info["solver"]["status"]
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
    write_json_atomic(case_dir / STATUS_FILE, row)
    return row


def record_lost(case: Case, out_dir: pathlib.Path, exc: BaseException) -> dict[str, Any]:
    """A task that never returned (worker died, cancelled): record it unless the worker managed
    to write a successful status first."""
    case_dir = out_dir / case.case_id
    if is_done(case_dir, case.data_hash):
        return read_status(case_dir)
    row = _base_row(case)
    row["status"] = "worker_died"
    row["reason"] = f"{type(exc).__name__}: {exc}".strip()
    with contextlib.suppress(OSError):
        case_dir.mkdir(parents=True, exist_ok=True)
        with open(case_dir / "case.log", "a", encoding="utf-8") as fh:
            fh.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} ERROR task lost: {row['reason']}\n")
    write_json_atomic(case_dir / STATUS_FILE, row)
    return row


# --------------------------------------------------------------------------- the batch


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
    ``on_result`` is called with each finished row (tests, progress hooks).
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
        elif is_done(out / case.case_id):
            log.warning("case %s (%s): catalogue or site data changed since it was solved; "
                        "solving again", case.case_id, case.name)
            todo.append(case)
        elif st and not retry_failed:
            skipped.append(case.case_id)
        else:
            todo.append(case)
    computed: list[str] = []
    interrupted = False
    from tqdm import tqdm

    bar = tqdm(total=len(todo), desc=batch.name, unit="case", disable=quiet or not todo)

    def done(row: dict[str, Any]) -> None:
        computed.append(row["case_id"])
        bar.set_postfix_str(f"{row['name'][:30]}: {row['status']}")
        bar.update(1)
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
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as exc:  # pragma: no cover - dask[distributed] is a dependency
        raise MissingExtraError("batch runs need dask.distributed: pip install "
                                "'dask[distributed]>=2024.1'") from exc
    with contextlib.ExitStack() as stack:
        if client is None:
            if scheduler:
                try:
                    client = stack.enter_context(Client(scheduler, timeout="20s"))
                except (OSError, TimeoutError) as exc:
                    raise GreendcError(f"--scheduler {scheduler}: cannot connect to the dask "
                                       f"scheduler ({type(exc).__name__}: {exc})") from None
            else:
                n = min(workers or default_workers(), len(todo))
                # loopback only: the scheduler and its dashboard have no authentication; a
                # cluster reachable from elsewhere is the user's explicit --scheduler choice
                cluster = stack.enter_context(LocalCluster(
                    n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                    dashboard_address="127.0.0.1:0"))
                client = stack.enter_context(Client(cluster))
        tag = uuid.uuid4().hex[:6]
        futures = {}
        for case in todo:
            fut = client.submit(run_case, case, str(out.resolve()), pure=False,
                                key=f"greendc-case-{case.case_id}-{tag}")
            futures[fut] = case
        try:
            for fut in as_completed(futures):
                case = futures[fut]
                try:
                    row = fut.result()
                except Exception as exc:  # noqa: BLE001 - KilledWorker, cancelled, comm lost
                    row = record_lost(case, out, exc)
                done(row)
        except BaseException:
            client.cancel(list(futures))
            raise


def _write_manifest(batch: Batch, out: pathlib.Path) -> None:
    write_json_atomic(out / "batch.json", {
        "name": batch.name, "batch_file": batch.origin, "base_scenario": batch.base.origin,
        "base_scenario_hash": batch.base.scenario.digest(),
        "cases": [{"case_id": c.case_id, "name": c.name, "overrides": c.overrides,
                   "error": c.error} for c in batch.cases],
    })


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return json.dumps(value, sort_keys=True)


def write_table(batch: Batch, out: pathlib.Path) -> pd.DataFrame:
    """``cases.csv`` and ``cases.nc``: one row per case of the batch, in batch order, from the
    case folders (cases not run yet have status ``pending``)."""
    rows = []
    for case in batch.cases:
        st = read_status(out / case.case_id) or {**_base_row(case), "status": "pending"}
        row = {"case_id": case.case_id, "name": case.name, "status": st.get("status"),
               "reason": st.get("reason", "")}
        for key in ("objective", *KPI_COLUMNS[:5], "site", "cooling", "servers",
                    *KPI_COLUMNS[5:], "strategy", "seconds", "worker"):
            row[key] = st.get(key)
        for key in batch.keys:
            row[key] = _cell(case.overrides.get(key))
        rows.append(row)
    table = pd.DataFrame(rows)
    for col in KPI_COLUMNS + ("seconds",):
        table[col] = pd.to_numeric(table[col], errors="coerce").astype(float)
    _atomic(out / "cases.csv", lambda p: table.to_csv(p, index=False))
    ds = xr.Dataset.from_dataframe(table.set_index("case_id").rename_axis("case"))
    for name in list(ds.data_vars):
        if ds[name].dtype == object:
            ds[name] = ds[name].fillna("").astype(str)
    ds.attrs.update(batch=batch.name, batch_file=batch.origin, base_scenario=batch.base.origin)
    _atomic(out / "cases.nc", ds.to_netcdf)
    return table


def _atomic(path: pathlib.Path, write: Callable[[str], Any]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(str(tmp))
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


__all__ = ["BatchError", "BatchFile", "Batch", "Case", "BatchReport", "BatchInterrupted",
           "load_batch", "batch_from_dict", "expand", "resolve_case", "run_case", "run_batch",
           "write_table", "is_done", "read_status"]
