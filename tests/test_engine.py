"""One execution engine (``greendc.engine``): in process and on a 2-worker LocalCluster the
same results, ``map`` in input order, a task's exception with its message, the worker set-up
(die with the parent, Ctrl-C -> interrupt flag), a scheduler that does not answer refused
before any solve."""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import time

import pytest
import yaml
from typer.testing import CliRunner

from greendc.engine import Engine, LocalFuture
from greendc.errors import GreendcError
from greendc.sitedata.files import reference_file

SITES = ["fr-essonne", "se-stockholm"]
TINY = {"name": "tiny_engine", "sites": SITES, "compute": {"required_pflops": 2000},
        "horizon": {"hours": 24}, "solver": {"workers": 1, "mip_rel_gap": 1e-6}}
needs_sites = pytest.mark.skipif(not all(reference_file(s).exists() for s in SITES),
                                 reason="reference site files missing")


def slow_square(x: float) -> float:
    """Later inputs finish first (shorter sleeps), so completion order != input order."""
    time.sleep(0.05 * (4 - x))
    return x * x


def fail_on(x: int) -> int:
    if x == 2:
        raise ValueError(f"job {x} has no design")
    return x


def worker_state(_=None) -> dict:
    """What the worker set-up changed in this worker process (Linux: the parent-death signal)."""
    from greendc import solve

    out = {"pid": os.getpid(), "ppid": os.getppid(), "interrupted": solve.interrupted()}
    if sys.platform.startswith("linux"):
        import ctypes

        sig = ctypes.c_int()
        ctypes.CDLL(None).prctl(2, ctypes.byref(sig))  # PR_GET_PDEATHSIG
        out["pdeathsig"] = sig.value
    return out


def ctrl_c_here(_=None) -> bool:
    """SIGINT to this worker process (as the terminal does on Ctrl-C): the flag is set and the
    worker lives on; the flag is cleared again for the tasks after this test."""
    from greendc import solve

    os.kill(os.getpid(), signal.SIGINT)
    for _ in range(200):  # the handler runs in the worker's main thread
        if solve.interrupted():
            break
        time.sleep(0.01)
    seen = solve.interrupted()
    solve.clear_interrupt()
    return seen


def log_from_worker(x: int) -> int:
    logging.getLogger("greendc.solve").info("record %d from worker %d", x, os.getpid())
    logging.getLogger("greendc.solve").debug("below the level: not forwarded")
    return os.getpid()


@pytest.fixture(scope="module")
def cluster():
    """A 2-worker local cluster, started with the greendc loggers at INFO."""
    pytest.importorskip("distributed")
    greendc_log = logging.getLogger("greendc")
    level = greendc_log.level
    greendc_log.setLevel(logging.INFO)
    try:
        with Engine(2) as engine:
            yield engine
    finally:
        greendc_log.setLevel(level)


def test_in_process_engine_is_lazy_and_keeps_order():
    calls = []

    def job(x):
        calls.append(x)
        return x * 10

    with Engine(1) as engine:
        assert engine.in_process and engine.workers == 1
        results = engine.map(job, [1, 2, 3])
        assert calls == []  # nothing runs before its result is asked for
        assert next(results) == 10 and calls == [1]
        assert list(results) == [20, 30]
        futures = [engine.submit(job, x) for x in (4, 5)]
        assert all(isinstance(f, LocalFuture) for f in futures) and calls == [1, 2, 3]
        assert [f.result() for f in engine.as_completed(futures)] == [40, 50]
        assert not engine.running  # no cluster was ever started


def test_in_process_exception_surfaces_with_its_message():
    with Engine(1) as engine:
        with pytest.raises(ValueError, match="job 2 has no design"):
            list(engine.map(fail_on, [1, 2, 3]))
        futures = [engine.submit(fail_on, x) for x in (1, 2)]
        done = list(engine.as_completed(futures))
        assert done[0].result() == 1
        with pytest.raises(ValueError, match="job 2 has no design"):
            done[1].result()


def test_cluster_map_keeps_input_order_and_as_completed_yields_all(cluster):
    assert cluster.workers == 2 and not cluster.in_process
    assert list(cluster.map(slow_square, [0, 1, 2, 3])) == [0, 1, 4, 9]
    futures = [cluster.submit(slow_square, x) for x in (0, 1, 2, 3)]
    assert sorted(f.result() for f in cluster.as_completed(futures)) == [0, 1, 4, 9]


def test_cluster_exception_surfaces_with_its_message(cluster):
    with pytest.raises(ValueError, match="job 2 has no design"):
        list(cluster.map(fail_on, [1, 2, 3]))


def test_cluster_workers_get_the_worker_setup(cluster):
    """Workers die with this process (PR_SET_PDEATHSIG = SIGTERM) and Ctrl-C sets the solver
    interrupt flag instead of killing the worker."""
    list(cluster.map(worker_state, range(2)))  # the cluster is up
    states = list(cluster.client.run(worker_state).values())  # in each worker's main thread
    assert len(states) == 2 and all(s["ppid"] == os.getpid() for s in states)
    if sys.platform.startswith("linux"):
        assert {s["pdeathsig"] for s in states} == {int(signal.SIGTERM)}
    assert not any(s["interrupted"] for s in states)
    pid = states[0]["pid"]
    assert list(cluster.map(ctrl_c_here, [0])) == [True]
    assert all(not s["interrupted"] for s in cluster.map(worker_state, range(4)))
    assert pid in {s["pid"] for s in cluster.map(worker_state, range(8))}  # still alive


def test_worker_log_records_reach_this_process_at_its_level(cluster, caplog):
    """A worker's greendc INFO record is handled here (the cluster started with the greendc
    loggers at INFO), with the worker's pid in it; its DEBUG record is not sent."""
    caplog.set_level(logging.DEBUG)
    cluster.start()  # (a single job's map runs in process while no cluster is up)
    pids = list(cluster.map(log_from_worker, [7]))
    for _ in range(100):  # forwarded records arrive on the client's event loop
        if any("record 7" in r.getMessage() for r in caplog.records):
            break
        time.sleep(0.05)
    messages = [r.getMessage() for r in caplog.records if r.name == "greendc.solve"]
    assert f"record 7 from worker {pids[0]}" in messages
    assert pids[0] != os.getpid()
    assert not any("below the level" in m for m in messages)


@needs_sites
def test_tiny_study_on_two_workers_equals_in_process(cluster):
    from greendc.study import ModelSpec, combinations, load_study, solve_decomposed

    study = load_study(TINY)
    spec, combos = ModelSpec.of(study), combinations(study)
    alone, table1, gap1 = solve_decomposed(study.inputs, spec, combos, workers=1)
    spread, table2, gap2 = solve_decomposed(study.inputs, spec, combos, cluster)
    assert spread.status.objective == pytest.approx(alone.status.objective, rel=1e-9)
    for name in ("build", "cooling_chosen", "nodes"):
        assert (spread.results[name].values == alone.results[name].values).all(), name
    assert (table1["candidate_status"] == table2["candidate_status"]).all()
    assert gap2 == pytest.approx(gap1, abs=1e-9)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the socket is: nobody listens


def test_a_scheduler_that_does_not_answer_is_a_clear_error():
    address = f"tcp://127.0.0.1:{_closed_port()}"
    with pytest.raises(GreendcError, match=f"--scheduler {address}: no dask scheduler"):
        with Engine(2, scheduler=address, connect_timeout_s=2):
            pass
    with pytest.raises(GreendcError, match="--scheduler not-an-address: .*port"):
        Engine(1, scheduler="not-an-address").__enter__()


@needs_sites
def test_cli_run_with_a_dead_scheduler_fails_before_any_solve(tmp_path, caplog):
    from greendc.cli import app

    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY))
    address = f"tcp://127.0.0.1:{_closed_port()}"
    for command in ("run", "pareto"):
        with caplog.at_level(logging.INFO, logger="greendc"):
            res = CliRunner().invoke(app, [command, str(path), "--out", str(tmp_path / command),
                                           "-q", "--scheduler", address])
        assert res.exit_code == 1, res.output
        assert f"--scheduler {address}: no dask scheduler answers" in res.output
        assert not [r for r in caplog.records if r.name in ("greendc.study", "greendc.pareto")]
        assert not (tmp_path / command).exists()


def test_a_running_scheduler_is_used_as_it_is(cluster):
    """``scheduler=ADDRESS``: the tasks run on that cluster's workers (here the fixture's),
    as many at once as it has worker threads, whatever ``workers`` says."""
    list(cluster.map(noop_pid, range(2)))  # the fixture's cluster is up
    address = cluster.client.scheduler.address
    with Engine(8, scheduler=address) as remote:
        assert not remote.in_process and remote.workers == 2
        pids = set(remote.map(noop_pid, range(4)))
        assert list(remote.map(slow_square, [3, 2, 1])) == [9, 4, 1]
    assert pids <= set(cluster.client.run(noop_pid).values())


def noop_pid(_=None) -> int:
    return os.getpid()
