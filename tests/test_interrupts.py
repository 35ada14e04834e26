"""Interrupts and processes (issue 13): Ctrl-C stops HiGHS and keeps the best design so far,
pool workers die with their parent, Ctrl-C on ``batch`` is one clean line.

The Ctrl-C is real (SIGINT to this process) and deterministic: it is sent from HiGHS's
"improving MIP solution" callback, i.e. while the MILP is running and has an incumbent.
"""

from __future__ import annotations

import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest
import yaml
from typer.testing import CliRunner

from greendc import solve as solve_mod

SITES = ["fr-essonne", "se-stockholm"]

STUDY = {"name": "ctrl_c", "sites": SITES, "compute": {"required_pflops": 2000},
         "horizon": {"hours": 48},
         "solver": {"workers": 1, "strategy": "monolithic", "mip_rel_gap": 1e-9}}


@pytest.fixture
def ctrl_c_at_first_incumbent(monkeypatch):
    """Every new Highs sends SIGINT to this process when the MILP finds its first
    incumbent (once per test)."""
    sent = []
    original = solve_mod._new_highs

    def on_improving(event) -> None:
        if not sent:
            sent.append(True)
            os.kill(os.getpid(), signal.SIGINT)

    def new_highs():
        h = original()
        h.cbMipImprovingSolution += on_improving
        return h

    monkeypatch.setattr(solve_mod, "_new_highs", new_highs)
    yield sent
    solve_mod.clear_interrupt()


def test_ctrl_c_during_solve_keeps_best_design_labelled_interrupted(ctrl_c_at_first_incumbent):
    """Ctrl-C was ignored until the MILP finished, then the solve was thrown away."""
    from greendc.study import load_study, solve_study

    res = solve_study(load_study(STUDY))
    assert ctrl_c_at_first_incumbent, "the MILP found no incumbent: test setup broken"
    assert res.attrs["solver_status"] == "interrupted"
    assert res.attrs["solver_mip_gap"] > 1e-9  # stopped before proving the 1e-9 gap
    assert float(res["cost_eur_per_yr"]) > 0


def test_cli_run_interrupted_saves_design_and_exits_130(ctrl_c_at_first_incumbent, tmp_path):
    from greendc.cli import EXIT_INTERRUPTED, app

    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(STUDY))
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(tmp_path / "out"), "-q"])
    assert result.exit_code == EXIT_INTERRUPTED == 130, result.output
    assert "interrupted (Ctrl-C): saved the best design found so far" in result.output
    assert "Traceback" not in result.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["solver"]["status"] == "interrupted"
    assert summary["solver"]["proven_optimal"] is False


def test_later_solves_of_an_interrupted_study_stop_at_once():
    from greendc.solve import SolveStatus, interrupt

    interrupt()
    try:
        from greendc.study import ModelSpec, load_study, solve_inputs
        study = load_study({**STUDY, "horizon": {"hours": 24}})
        solved = solve_inputs(ModelSpec.of(study), study.inputs)
        assert isinstance(solved.status, SolveStatus)
        assert solved.status.status == "interrupted" and solved.results is None
    finally:
        solve_mod.clear_interrupt()


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                         text=True).stdout
    return [int(x) for x in out.split()]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.slow  # spawns a real `greendc run` with a process pool (~10-30 s)
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux only")
def test_killed_run_leaves_no_orphan_workers(tmp_path):
    """`kill -9` of a `run` with workers: 2 left two pool workers and the resource tracker."""
    study = {**STUDY, "name": "orphans", "sites": ["fr-essonne", "se-stockholm", "de-frankfurt"],
             "horizon": {"hours": 168}, "solver": {"workers": 2, "strategy": "decompose"}}
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(study))
    proc = subprocess.Popen([sys.executable, "-c", "from greendc.cli import app; app()", "run", str(path), "--out",
                             str(tmp_path / "out")], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        workers: list[int] = []
        for _ in range(600):  # wait until the pool (>= 2 children) is up
            workers = _children(proc.pid)
            if len(workers) >= 2 or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert len(workers) >= 2, "no pool workers seen: study solved too fast for this test"
        proc.kill()
        proc.wait()
        for _ in range(600):  # a worker still importing greendc dies once its initializer runs
            if not any(_alive(w) for w in workers):
                break
            time.sleep(0.1)
        left = [w for w in workers if _alive(w)]
        for w in left:
            os.kill(w, signal.SIGKILL)
        assert not left, f"orphan processes left behind: {left}"
    finally:
        if proc.poll() is None:
            proc.kill()


def test_ctrl_c_on_batch_is_one_clean_line(monkeypatch, tmp_path):
    """dask turns Ctrl-C into a CancelledError while it shuts the cluster down; that printed
    a traceback instead of the batch's one-line report."""
    import asyncio

    from greendc.batch import execution as batch_mod
    from greendc.cli import app

    scenario = tmp_path / "s.yaml"
    scenario.write_text(yaml.safe_dump({**STUDY, "horizon": {"hours": 24}}))
    bfile = tmp_path / "b.yaml"
    bfile.write_text("scenario: s.yaml\ncases: [{name: a}, {name: b, objective: emissions}]\n")

    def cancelled(*args, **kwargs):
        raise asyncio.CancelledError()

    monkeypatch.setattr(batch_mod, "_run_distributed", cancelled)
    result = CliRunner().invoke(app, ["batch", str(bfile), "--out", str(tmp_path / "out"),
                                      "-q"])
    assert result.exit_code == 130, result.output
    assert "Traceback" not in result.output and "CancelledError" not in result.output
    assert len([ln for ln in result.output.splitlines() if ln.strip()]) == 1, result.output
