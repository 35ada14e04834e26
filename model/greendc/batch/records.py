"""What a batch leaves on disk: ``status.json`` per case (written last, atomically: a case is
done when it records a design and its result files exist), ``batch.json`` (the manifest) and
the summary table ``cases.csv`` / ``cases.nc`` (one row per case)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import pathlib
import time
from typing import Any

import pandas as pd
import xarray as xr

from greendc import atomic
from greendc.batch.cases import Batch, Case
from greendc.errors import (DataError, GreendcError, InfeasibleError, MissingExtraError,
                            ScenarioError, SolverError)

SUCCESS = ("optimal", "time_limit")
STATUS_FILE = "status.json"
RESULT_FILES = ("results.nc", "summary.json")
KPI_COLUMNS = (
    "objective_value", "cost_eur_per_yr", "emissions_t_per_yr", "operational_t_per_yr",
    "embodied_t_per_yr", "it_mw", "mean_pue", "wue_l_per_kwh", "ppa_solar_mw", "ppa_wind_mw",
    "battery_mwh", "battery_mw", "heat_pump_mw", "heat_sold_mwh_per_yr", "grid_energy_mwh_per_yr",
    "supply_share", "cfe_share", "mip_gap", "solver_seconds",
)


def results_fingerprint(case_dir: pathlib.Path) -> dict[str, dict[str, Any]]:
    """Size [bytes] and SHA-256 of a case's result files, recorded in ``status.json``."""
    out = {}
    for name in RESULT_FILES:
        path = case_dir / name
        out[name] = {"bytes": path.stat().st_size, "sha256": _sha256(path)}
    return out


def _sha256(path: pathlib.Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def results_intact(case_dir: pathlib.Path, recorded: Any) -> bool:
    """The result files are those ``status.json`` recorded (same size, then same hash)."""
    if not isinstance(recorded, dict) or set(recorded) != set(RESULT_FILES):
        return False
    for name, rec in recorded.items():
        path = case_dir / name
        try:
            if path.stat().st_size != rec.get("bytes") or _sha256(path) != rec.get("sha256"):
                return False
        except OSError:
            return False
    return True


def read_status(case_dir: pathlib.Path) -> dict[str, Any] | None:
    try:
        return json.loads((case_dir / STATUS_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def is_done(case_dir: pathlib.Path, data_hash: str | None = None) -> bool:
    """A design was found (optimal or time limit) and its result files are intact (size and
    hash as recorded in ``status.json``), from the same data when ``data_hash`` is given."""
    st = read_status(case_dir)
    if not st or st.get("status") not in SUCCESS:
        return False
    if data_hash and st.get("data_hash") != data_hash:
        return False
    return results_intact(case_dir, st.get("files"))


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
    em = info["emissions_t_per_yr"]
    servers = "; ".join(f"{n} x {k}" for k, n in info["servers"].items())
    value = info["cost_eur_per_yr"] if objective == "cost" else (
        em["operational"] if scope == "operational" else em["total"])
    site, cooling = info["site"], info["cooling"]
    return {
        "objective": objective, "objective_value": value,
        "cost_eur_per_yr": info["cost_eur_per_yr"], "emissions_t_per_yr": em["total"],
        "operational_t_per_yr": em["operational"], "embodied_t_per_yr": em["embodied"],
        "site": site if isinstance(site, str) else "+".join(site),
        "cooling": cooling if isinstance(cooling, str) else json.dumps(cooling, sort_keys=True),
        "servers": servers, "it_mw": info["it_mw"], "mean_pue": info["mean_pue"],
        "wue_l_per_kwh": info["wue_l_per_kwh"], "ppa_solar_mw": info["ppa_solar_mw"],
        "ppa_wind_mw": info["ppa_wind_mw"], "battery_mwh": info["battery_mwh"],
        "battery_mw": info["battery_mw"], "heat_pump_mw": info["heat_pump_mw"],
        "heat_sold_mwh_per_yr": info["heat_sold_mwh_per_yr"],
        "grid_energy_mwh_per_yr": info["grid_energy_mwh_per_yr"],
        "supply_share": info["supply_share"], "cfe_share": info["cfe_share"],
        "mip_gap": info["solver"]["mip_gap"], "solver_seconds": info["solver"]["seconds"],
        "strategy": info["solver"]["strategy"], "annual_basis": info["annual_basis"],
    }


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
    atomic.write_json(case_dir / STATUS_FILE, row)
    return row


def _write_manifest(batch: Batch, out: pathlib.Path) -> None:
    atomic.write_json(out / "batch.json", {
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
                    *KPI_COLUMNS[5:], "strategy", "annual_basis", "seconds", "worker"):
            row[key] = st.get(key)
        for key in batch.keys:
            row[key] = _cell(case.overrides.get(key))
        rows.append(row)
    table = pd.DataFrame(rows)
    for col in KPI_COLUMNS + ("seconds",):
        table[col] = pd.to_numeric(table[col], errors="coerce").astype(float)
    atomic.write_file(out / "cases.csv", lambda p: table.to_csv(p, index=False))
    ds = xr.Dataset.from_dataframe(table.set_index("case_id").rename_axis("case"))
    for name in list(ds.data_vars):
        if ds[name].dtype == object:
            ds[name] = ds[name].fillna("").astype(str)
    ds.attrs.update(batch=batch.name, batch_file=batch.origin, base_scenario=batch.base.origin)
    atomic.write_file(out / "cases.nc", ds.to_netcdf)
    return table
