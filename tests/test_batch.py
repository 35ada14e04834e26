"""Batch runs on dask.distributed: same results as alone, nothing lost, nothing redone.

Tiny cases (two reference sites, 24 h, a small compute requirement) solve in about a second,
so the whole module takes about 45 s on an idle 2-core machine, most of it starting dask
clusters and importing the model in their worker processes.
"""

from __future__ import annotations

import json
import pathlib

import pytest
import yaml

from greendc.sitedata.files import reference_file
from greendc.batch import (BatchError, BatchInterrupted, is_done, load_batch, read_status,
                         record_lost, run_batch)

SITES = ["fr-essonne", "se-stockholm"]
from greendc.resources import SITES_DIR as SITE_DIR
missing = [s for s in SITES if not reference_file(s).exists()]
pytestmark = pytest.mark.skipif(
    bool(missing), reason=f"reference site files missing in {SITE_DIR}: {missing} "
    "(build them with `greendc data build`)")

TINY = {
    "name": "tiny",
    "sites": SITES,
    "compute": {"required_pflops": 2000},
    "horizon": {"hours": 24},
    "solver": {"workers": 1, "mip_rel_gap": 1e-6},
}


def write_batch(folder: pathlib.Path, batch: dict, scenario: dict | None = None) -> pathlib.Path:
    (folder / "tiny.yaml").write_text(yaml.safe_dump(scenario or TINY))
    path = folder / "batch.yaml"
    path.write_text(yaml.safe_dump({"scenario": "tiny.yaml", **batch}))
    return path


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as c:
        yield c


GRID = {"finance.carbon_price_eur_per_t": [0, 300],
        "sovereignty.allowed_jurisdictions": [None, ["FR"]]}


def test_batch_equals_each_case_alone(tmp_path, client):
    from greendc.results import summary
    from greendc.study import run

    path = write_batch(tmp_path, {"grid": GRID})
    batch = load_batch(path)
    assert len(batch.cases) == 4
    report = run_batch(batch, tmp_path / "out", client=client, quiet=True)
    assert sorted(report.computed) == sorted(c.case_id for c in batch.cases)
    table = report.table.set_index("case_id")
    assert set(table["status"]) == {"optimal"}
    for case in batch.cases:
        alone = run(tmp_path / "tiny.yaml", case.overrides)
        info = summary(alone)
        # the folder name is the hash of the resolved scenario (solver.workers is already 1)
        assert alone.attrs["scenario_hash"] == case.case_id
        saved = json.loads((tmp_path / "out" / case.case_id / "summary.json").read_text())
        assert saved["cost_eur_per_yr"] == pytest.approx(info["cost_eur_per_yr"], rel=1e-9)
        assert saved["emissions_t_per_yr"]["total"] == pytest.approx(
            info["emissions_t_per_yr"]["total"], rel=1e-6, abs=1e-6)
        assert (saved["site"], saved["cooling"], saved["servers"]) == (
            info["site"], info["cooling"], info["servers"])
        row = table.loc[case.case_id]
        assert row["site"] == info["site"] and row["cooling"] == info["cooling"]
        assert row["objective_value"] == pytest.approx(info["cost_eur_per_yr"], rel=1e-9)
        assert (tmp_path / "out" / case.case_id / "results.nc").exists()
        assert "case " + case.case_id in (tmp_path / "out" / case.case_id / "case.log").read_text()
    # the sovereignty rule moves the design to France
    fr = [c for c in batch.cases if c.overrides["sovereignty.allowed_jurisdictions"] == ["FR"]]
    assert all(table.loc[c.case_id, "site"] == "fr-essonne" for c in fr)
    for name in ("cases.csv", "cases.nc", "batch.json"):
        assert (tmp_path / "out" / name).exists()


def test_killed_workers_then_rerun_computes_only_the_rest(tmp_path, client):
    grid = {"finance.carbon_price_eur_per_t": [0, 50, 100, 150, 200, 250, 300, 350]}
    path = write_batch(tmp_path, {"grid": grid})
    out = tmp_path / "out"
    batch = load_batch(path)

    def kill_after_first(row):
        if not getattr(kill_after_first, "done", False):
            kill_after_first.done = True
            client.restart()  # kills every worker process: running and queued cases are lost

    first = run_batch(batch, out, client=client, quiet=True, on_result=kill_after_first)
    done = {c.case_id for c in batch.cases if is_done(out / c.case_id)}
    lost = {c.case_id for c in batch.cases} - done
    assert done and lost, "the restart should land mid-batch"
    assert set(first.table.set_index("case_id").loc[sorted(lost), "status"]) == {"worker_died"}
    assert all(read_status(out / i)["reason"] for i in lost)
    stamps = {i: (out / i / "status.json").stat().st_mtime_ns for i in done}
    results = {i: (out / i / "results.nc").stat().st_mtime_ns for i in done}

    second = run_batch(batch, out, client=client, quiet=True)
    assert set(second.skipped) == done
    assert set(second.computed) == lost
    assert set(second.table["status"]) == {"optimal"}
    assert stamps == {i: (out / i / "status.json").stat().st_mtime_ns for i in done}
    assert results == {i: (out / i / "results.nc").stat().st_mtime_ns for i in done}

    third = run_batch(batch, out, client=client, quiet=True)
    assert third.computed == [] and len(third.skipped) == len(batch.cases)


def test_a_failing_case_is_reported_and_the_others_finish(tmp_path, client):
    cases = [
        {"name": "ok"},
        {"name": "no_grid", "overrides.sites.fr-essonne.grid_connection_mw": 1,
         "overrides.sites.se-stockholm.grid_connection_mw": 1},
        {"name": "bad_value", "finance.carbon_price_eur_per_t": -5},
        {"name": "eu_outside", "sovereignty.allowed_jurisdictions": ["US"]},
        {"name": "emissions", "objective": "emissions"},
    ]
    path = write_batch(tmp_path, {"cases": cases})
    report = run_batch(path, tmp_path / "out", client=client, quiet=True)
    table = report.table.set_index("name")
    assert table.loc["ok", "status"] == "optimal"
    assert table.loc["emissions", "status"] == "optimal"
    assert table.loc["emissions", "objective"] == "emissions"
    assert table.loc["no_grid", "status"] == "infeasible"
    assert "infeasible" in table.loc["no_grid", "reason"]
    assert table.loc["bad_value", "status"] == "invalid"
    assert "finance.carbon_price_eur_per_t = -5" in table.loc["bad_value", "reason"]
    assert table.loc["eu_outside", "status"] == "invalid"  # the rules exclude every site
    assert "allowed_jurisdictions" in table.loc["eu_outside", "reason"]
    assert sorted(report.failed) == sorted(table.loc[["no_grid", "bad_value", "eu_outside"],
                                                     "case_id"])
    # failures are recorded in their folder, with the reason in the case log too
    cid = table.loc["no_grid", "case_id"]
    assert read_status(tmp_path / "out" / cid)["status"] == "infeasible"
    assert "case failed" in (tmp_path / "out" / cid / "case.log").read_text()
    csv = (tmp_path / "out" / "cases.csv").read_text()
    assert "no_grid" in csv and "invalid" in csv


def test_interrupt_keeps_finished_cases(tmp_path):
    path = write_batch(tmp_path, {"grid": {"finance.carbon_price_eur_per_t": [0, 100, 200]}})
    batch = load_batch(path)

    def interrupt(row):
        raise KeyboardInterrupt

    with pytest.raises(BatchInterrupted) as info:
        run_batch(batch, tmp_path / "out", serial=True, quiet=True, on_result=interrupt)
    report = info.value.report
    assert report.interrupted and len(report.computed) == 1
    assert list(report.table["status"]) == ["optimal", "pending", "pending"]
    again = run_batch(batch, tmp_path / "out", serial=True, quiet=True)
    assert again.skipped == report.computed and len(again.computed) == 2


def test_lost_task_is_recorded_unless_already_saved(tmp_path):
    batch = load_batch(write_batch(tmp_path, {}))
    case = batch.cases[0]
    row = record_lost(case, tmp_path / "out", RuntimeError("worker tcp://x died"))
    assert row["status"] == "worker_died" and "died" in row["reason"]
    assert not is_done(tmp_path / "out" / case.case_id)


@pytest.mark.parametrize("batch, message", [
    ({"grid": {"finance.carbon_prize": [1]}}, "unknown scenario field 'finance.carbon_prize'"),
    ({"grid": {"overrides.sites.fr-essonne.grid_conection_mw": [1]}}, "grid_conection_mw"),
    ({"grid": {"finance.carbon_price_eur_per_t": []}}, "no values"),
    ({"cases": [{"name": "a"}, {"name": "a"}]}, "case names used twice"),
    ({"grids": {}}, "grids: unknown field"),
    ({"cases": [{"compute.required_pflops.x": 1}]}, "is a value, not a section"),
])
def test_bad_batch_files_name_the_field(tmp_path, batch, message):
    with pytest.raises(BatchError, match=None) as info:
        load_batch(write_batch(tmp_path, batch))
    assert message in str(info.value)


def test_missing_base_scenario(tmp_path):
    path = tmp_path / "b.yaml"
    path.write_text("scenario: nowhere.yaml\n")
    with pytest.raises(BatchError, match="nowhere.yaml.*relative to the batch file"):
        load_batch(path)


def test_cases_times_grid_and_union(tmp_path):
    cases = [{"name": "lo", "finance.discount_rate": 0.05}, {"name": "hi"}]
    grid = {"sovereignty.allowed_jurisdictions": [None, ["EU"]]}
    product = load_batch(write_batch(tmp_path, {"cases": cases, "grid": grid}))
    assert [c.name for c in product.cases] == [
        "lo, allowed_jurisdictions=none", "lo, allowed_jurisdictions=EU",
        "hi, allowed_jurisdictions=none", "hi, allowed_jurisdictions=EU"]
    union = load_batch(write_batch(tmp_path, {"cases": cases, "grid": grid, "combine": "union"}))
    # "hi" (no change) and the grid point "none" are the same scenario: run once
    assert [c.name for c in union.cases] == ["lo", "hi", "allowed_jurisdictions=EU"]
    assert len({c.case_id for c in product.cases}) == 4


def test_cli_batch(tmp_path):
    from typer.testing import CliRunner

    from greendc.cli import app

    path = write_batch(tmp_path, {"cases": [{"name": "only"}]})
    res = CliRunner().invoke(app, ["batch", str(path), "--out", str(tmp_path / "o"), "--serial",
                                   "--quiet"])
    assert res.exit_code == 0, res.output
    assert "1 cases (1 optimal); 1 computed" in res.output
    res = CliRunner().invoke(app, ["batch", str(path), "--out", str(tmp_path / "o"), "--serial",
                                   "--quiet"])
    assert "0 computed, 1 already done" in res.output


def test_worker_that_dies_is_recorded_and_rerun(tmp_path):
    """A worker process killed while it solves a case (no retries allowed): the case is
    recorded as worker_died with dask's KilledWorker reason; the re-run completes it."""
    import os
    import threading
    import time

    dask = pytest.importorskip("dask")
    distributed = pytest.importorskip("distributed")
    path = write_batch(tmp_path, {"grid": {"finance.carbon_price_eur_per_t": [0, 100]}})
    batch = load_batch(path)
    out = tmp_path / "out"
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                     dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as c:
        def kill_busy_worker():
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                busy = [w for w, keys in c.processing().items() if keys]
                if busy:
                    try:
                        c.run(os._exit, 1, workers=busy[:1])
                    except Exception:  # noqa: BLE001 - the killed worker never answers
                        pass
                    return
                time.sleep(0.02)

        killer = threading.Thread(target=kill_busy_worker)
        killer.start()
        first = run_batch(batch, out, client=c, quiet=True)
        killer.join()
        died = first.table[first.table["status"] == "worker_died"]
        assert len(died) >= 1
        assert all("KilledWorker" in r for r in died["reason"])
        second = run_batch(batch, out, client=c, quiet=True)
    assert set(second.computed) == set(died["case_id"])
    assert set(second.table["status"]) == {"optimal"}


def test_changed_data_is_solved_again(tmp_path):
    """Same scenario, edited catalogue: the finished case is stale and runs again."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(SITE_DIR.parent / "catalogue", data / "catalogue")
    (data / "sites").mkdir()
    for s in SITES:
        shutil.copy(reference_file(s), data / "sites")
    path = write_batch(tmp_path, {}, {**TINY, "data_dir": "data"})
    first = run_batch(load_batch(path), tmp_path / "out", serial=True, quiet=True)
    assert len(first.computed) == 1
    assert run_batch(load_batch(path), tmp_path / "out", serial=True, quiet=True).computed == []
    sites_yaml = data / "catalogue" / "sites.yaml"
    sites_yaml.write_text(sites_yaml.read_text().replace(
        "grid_levies_eur_per_mwh: {value: 0.5,", "grid_levies_eur_per_mwh: {value: 30,"))
    again = run_batch(load_batch(path), tmp_path / "out", serial=True, quiet=True)
    assert again.computed == first.computed and again.skipped == []


def test_truncated_results_of_a_finished_case_are_recomputed(tmp_path):
    """status.json records the size and hash of results.nc and summary.json: a results.nc
    cut short after the case finished (disk full, copy interrupted) is solved again."""
    path = write_batch(tmp_path, {})
    out = tmp_path / "out"
    first = run_batch(load_batch(path), out, serial=True, quiet=True)
    (case_id,) = first.computed
    nc = out / case_id / "results.nc"
    good = nc.read_bytes()
    assert read_status(out / case_id)["files"]["results.nc"]["bytes"] == len(good)
    nc.write_bytes(good[: len(good) // 2])
    assert not is_done(out / case_id)
    again = run_batch(load_batch(path), out, serial=True, quiet=True)
    assert again.computed == [case_id] and again.skipped == []
    assert is_done(out / case_id) and len(nc.read_bytes()) == len(good)
    assert run_batch(load_batch(path), out, serial=True, quiet=True).skipped == [case_id]


def test_data_fingerprint_follows_own_catalogue_files(tmp_path):
    """A finished case is run again when the planner's own catalogue file changes."""
    from greendc.batch.cases import _FILE_HASHES, data_fingerprint
    from tests.test_inputs import project

    layer = {"servers": {"b200_node": {"price_eur": {"value": 350, "unit": "kEUR"}}}}
    loaded = project(tmp_path, {"cat.yaml": layer})
    before = data_fingerprint(loaded)
    layer["servers"]["b200_node"]["price_eur"]["value"] = 360
    (tmp_path / "cat.yaml").write_text(yaml.safe_dump(layer), encoding="utf-8")
    _FILE_HASHES.clear()
    assert before and data_fingerprint(loaded) != before
