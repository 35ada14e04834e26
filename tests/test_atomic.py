"""One atomic-write mechanism (``greendc.atomic``): a results folder is swapped in as a whole,
a killed writer leaves either the old or the new results (never a mix), its temporaries are
cleaned by the next writer, and nothing greendc did not write is deleted."""

from __future__ import annotations

import json
import multiprocessing
import os
import pathlib
import signal

import pytest
import xarray as xr

from greendc import atomic
from greendc.results import save_results
from tests.conftest import solve_tiny, tiny_inputs


@pytest.fixture(scope="module")
def two_results():
    """Two solved tiny studies with different annual costs [EUR/yr]."""
    out = []
    for hours in (4, 8):
        _, res, _ = solve_tiny(tiny_inputs(hours=hours))
        res.attrs.update(scenario=f"tiny{hours}", solver_status="optimal", solver_mip_gap=0.0,
                         solver_seconds=0.1)
        out.append(res)
    assert float(out[0]["cost_eur_per_yr"]) != float(out[1]["cost_eur_per_yr"])
    return out


def _consistent_cost(folder: pathlib.Path) -> float:
    """The annual cost, asserting that results.nc and summary.json are of the same run."""
    nc = float(xr.load_dataset(folder / "results.nc")["cost_eur_per_yr"])
    js = json.loads((folder / "summary.json").read_text())["cost_eur_per_yr"]
    assert nc == pytest.approx(js, rel=1e-12), "results.nc and summary.json of different runs"
    return nc


def _killed_save(res, out, kill_at: int, exchange: bool) -> None:
    """Child process: save_results, killed (SIGKILL) just before the kill_at-th rename."""
    calls = [0]

    def deadly(real):
        def wrapper(*args, **kwargs):
            calls[0] += 1
            if calls[0] == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
            return real(*args, **kwargs)
        return wrapper

    os.replace, os.rename = deadly(os.replace), deadly(os.rename)
    atomic._exchange = deadly(atomic._exchange if exchange else (lambda a, b: False))
    save_results(res, out)


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_a_kill_during_save_leaves_old_or_new_results_never_a_mix(tmp_path, two_results,
                                                                   exchange):
    old, new = two_results
    old_cost, new_cost = (float(r["cost_eur_per_yr"]) for r in two_results)
    ctx = multiprocessing.get_context("fork")
    seen = set()
    for kill_at in range(1, 6):
        out = tmp_path / f"k{kill_at}" / "results"
        save_results(old, out)
        (out / "notes.txt").write_text("the planner's own file")
        child = ctx.Process(target=_killed_save, args=(new, out, kill_at, exchange))
        child.start()
        child.join()
        assert child.exitcode in (0, -signal.SIGKILL)
        atomic.clean_stale(out.parent)  # what the next writer does first
        cost = _consistent_cost(out)
        assert cost in (old_cost, new_cost)
        seen.add(cost)
        assert (out / "notes.txt").read_text() == "the planner's own file"
        leftovers = [p.name for p in [*out.parent.iterdir(), *out.iterdir()]
                     if p.name.startswith(atomic.PREFIX)]
        assert leftovers == []
        save_results(new, out)  # the folder stays usable
        assert _consistent_cost(out) == new_cost
    assert seen == {old_cost, new_cost}, "the kills should land before and after the swap"


def test_results_items_are_replaced_whole_and_other_files_kept(tmp_path, two_results):
    save_results(two_results[0], tmp_path)
    (tmp_path / "csv" / "stale_site.csv").write_text("from an earlier run\n")
    (tmp_path / "mine.txt").write_text("keep me")
    save_results(two_results[1], tmp_path)
    assert not (tmp_path / "csv" / "stale_site.csv").exists()
    assert (tmp_path / "mine.txt").read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["csv", "mine.txt", "results.nc",
                                                          "summary.json"]


def test_clean_stale_removes_only_dead_writers_temporaries(tmp_path):
    ctx = multiprocessing.get_context("fork")
    gone = ctx.Process(target=os._exit, args=(0,))
    gone.start()
    gone.join()
    dead, live = gone.pid, os.getpid()
    (tmp_path / f".greendc-results.nc.{dead}.0123abcd").write_text("half")
    (tmp_path / f".greendc-csv.{dead}.0123abcd").mkdir()
    (tmp_path / f".greendc-report.md.{live}.0123abcd").write_text("being written")
    (tmp_path / ".greendc-notes").write_text("not a temporary name of greendc")
    (tmp_path / ".hidden").write_text("the user's")
    removed = atomic.clean_stale(tmp_path)
    assert sorted(p.name for p in removed) == [f".greendc-csv.{dead}.0123abcd",
                                               f".greendc-results.nc.{dead}.0123abcd"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".greendc-notes", f".greendc-report.md.{live}.0123abcd", ".hidden"]


def test_write_file_is_atomic_and_keeps_the_usual_file_mode(tmp_path):
    path = tmp_path / "status.json"
    atomic.write_json(path, {"a": 1})
    with pytest.raises(RuntimeError):
        atomic.write_file(path, lambda p: (p.write_text("{half"), _raise()))
    assert json.loads(path.read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["status.json"]
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def _raise():
    raise RuntimeError("disk full")


def test_results_into_the_working_directory(tmp_path, two_results, monkeypatch):
    """``--out .``: the folder cannot be swapped under the shell's feet; items are swapped."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "study.yaml").write_text("name: x\n")
    save_results(two_results[0], ".")
    save_results(two_results[1], pathlib.Path("."))
    assert _consistent_cost(tmp_path) == float(two_results[1]["cost_eur_per_yr"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["csv", "results.nc", "study.yaml",
                                                          "summary.json"]
    assert pathlib.Path.cwd().samefile(tmp_path)
