"""One execution engine for every parallel path: dask.distributed.

The study's LP bounds and sub-MILPs (``greendc.study``), the Pareto front's chunks of
epsilons (``greendc.pareto``) and batch cases (``greendc.batch``) all run through an
``Engine``, so a large study scales out to a cluster without code changes::

    with Engine(workers=2) as engine:                 # or Engine(1, scheduler="tcp://host:8786")
        for result in engine.map(fn, jobs):           # input order, lazily
            ...
        futures = [engine.submit(fn, job) for job in jobs]
        for fut in engine.as_completed(futures):      # completion order
            fut.result()                              # the task's value, or its exception

Three modes:

- **in process** (``workers <= 1`` and no scheduler): no cluster; a task runs in this process
  when its result is first asked for (``map`` is a lazy generator, ``as_completed`` runs the
  futures in the order given). Tests and small studies stay cheap.
- **local cluster** (``workers >= 2``): a ``distributed.LocalCluster`` of ``workers``
  processes with one thread each (HiGHS uses about one core per solve, and Pyomo holds the
  GIL while it builds), started at the first task (a study that never submits, e.g. a
  monolithic solve, starts nothing; a ``map`` over a single job runs in process while no
  cluster is up). No dashboard, no dask logs (a failing task's exception reaches the caller), no memory limit (a legitimately
  large full-year solve is never paused or killed by dask's memory manager), workers spawned,
  not forked. Each worker runs ``WorkerSetup`` before any task: it dies with this process on
  Linux (``PR_SET_PDEATHSIG``; a killed ``greendc run`` leaves no orphan) and turns Ctrl-C
  (the terminal sends SIGINT to the whole process group) into ``greendc.solve.interrupt()``,
  so a running solve stops and returns its best design so far. The workers' ``greendc`` log
  records, at this process's level of the ``greendc`` logger when the cluster starts, are
  forwarded here (``Client.forward_logging``) and handled by this process's handlers.
- **scheduler** (``scheduler="tcp://host:8786"``, the CLI's ``--scheduler``): a ``Client`` of a
  running dask scheduler, connected when the engine is entered; an address that does not
  answer is a ``GreendcError`` naming ``--scheduler`` and the value before any solve. The
  cluster's own workers are used as they are (nothing is registered on them; Ctrl-C on this
  terminal stops this process, not the remote solves). ``workers`` is then the cluster's
  thread count. Task arguments and results travel by pickle, and paths must be valid on
  the workers (the batch's output folder: a shared file system).

Tasks are plain module-level functions (they are pickled by reference) and run in the order
they were submitted as workers free up (a first-in first-out queue, like a process pool).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from greendc.errors import GreendcError, MissingExtraError

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 20.0  # a scheduler that does not answer within this is an error [s]


class WorkerSetup:
    """Per-worker set-up (a ``distributed`` worker plugin): die with the parent process
    ``parent_pid`` on Linux, Ctrl-C -> ``greendc.solve.interrupt()``, and the ``greendc``
    loggers at the parent's level ``log_level`` (their records are forwarded to it)."""

    name = "greendc-worker-setup"

    def __init__(self, parent_pid: int | None, log_level: int = logging.WARNING):
        self.parent_pid = parent_pid
        self.log_level = log_level

    def setup(self, worker=None) -> None:
        worker_setup(self.parent_pid)
        logging.getLogger("greendc").setLevel(self.log_level)

    def teardown(self, worker=None) -> None:  # the plugin protocol; nothing to undo
        pass

    def transition(self, *args, **kwargs) -> None:
        pass


def worker_setup(parent_pid: int | None) -> None:
    """Die with ``parent_pid`` (a killed ``run`` left orphan workers alive) and turn SIGINT
    into the solver interrupt flag (the worker then returns its best design so far)."""
    from greendc.solve import interrupt

    if parent_pid is not None and sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent_pid:  # the parent died before prctl took effect
            os._exit(1)
    signal.signal(signal.SIGINT, lambda signum, frame: interrupt())


class LocalFuture:
    """A task of the in-process engine: runs when its result is first asked for."""

    def __init__(self, fn: Callable, args: tuple):
        self._fn, self._args = fn, args
        self._done, self._value, self._error = False, None, None

    def done(self) -> bool:
        return self._done

    def result(self) -> Any:
        if not self._done:
            try:
                self._value = self._fn(*self._args)
            except Exception as exc:  # noqa: BLE001 - kept and raised like a remote task's
                self._error = exc
            self._done = True
            self._fn = self._args = None
        if self._error is not None:
            raise self._error
        return self._value

    def cancel(self) -> None:
        self._done, self._fn, self._args = True, None, None


class Engine:
    """Where the tasks of a study, a front or a batch run (see the module docstring).

    ``workers``: parallel worker processes of a local cluster (<= 1: in process);
    ``scheduler``: address of a running dask scheduler (``workers`` is then ignored);
    ``client``: an existing ``distributed.Client`` to use (kept open, nothing registered);
    ``in_process``: force (True) or forbid (False) the in-process mode, e.g. a batch of one
    worker still isolates its cases in a worker process; ``forward_logs``: the local
    workers' ``greendc`` records are handled here (False: a batch, whose cases log to their
    own files)."""

    def __init__(self, workers: int = 1, scheduler: str | None = None, *, client: Any = None,
                 in_process: bool | None = None, forward_logs: bool = True,
                 connect_timeout_s: float = CONNECT_TIMEOUT_S):
        self.forward_logs = forward_logs
        self.scheduler = scheduler or None
        self._requested = max(int(workers or 1), 1)
        self.in_process = (self._requested <= 1 and self.scheduler is None and client is None
                           if in_process is None else bool(in_process))
        self._client, self._own_client, self._cluster = client, client is None, None
        self._timeout = connect_timeout_s
        self._stack = contextlib.ExitStack()
        self._order = itertools.count()

    # --------------------------------------------------------------- life cycle
    def __enter__(self) -> Engine:
        if self.scheduler is not None and self._client is None:
            self._connect()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Close this engine's client and cluster (an external ``client`` stays open)."""
        self._stack.close()
        if self._own_client:
            self._client = None
        self._cluster = None

    @property
    def workers(self) -> int:
        """Tasks that can run at once: 1 in process, the local cluster's worker count, or the
        scheduler's total worker threads."""
        if self.in_process:
            return 1
        if self._client is not None and (self.scheduler is not None or not self._own_client):
            return max(sum(self._client.nthreads().values()), 1)
        return self._requested

    @property
    def client(self):
        """The ``distributed.Client`` once a cluster or scheduler is up, else None."""
        return self._client

    @property
    def running(self) -> bool:
        """A client (cluster or scheduler) is up."""
        return self._client is not None

    def _connect(self) -> None:
        Client = _distributed().Client
        try:
            _probe(self.scheduler, self._timeout)
            self._client = self._stack.enter_context(
                Client(self.scheduler, timeout=f"{self._timeout}s", set_as_default=False))
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            raise GreendcError(
                f"--scheduler {self.scheduler}: no dask scheduler answers at this address "
                f"({type(exc).__name__}: {exc}); expected the address of a running "
                "`dask scheduler`, e.g. tcp://host:8786") from None

    def start(self):
        """The client of the cluster or scheduler, starting the local cluster now (e.g. to
        create a shared ``distributed.Variable`` before the first task)."""
        return self._start()

    def _start(self):
        """The client, starting the local cluster at the first task."""
        if self._client is None:
            d = _distributed()
            import dask

            with dask.config.set({"distributed.worker.multiprocessing-method": "spawn"}):
                self._cluster = self._stack.enter_context(d.LocalCluster(
                    n_workers=self._requested, threads_per_worker=1, processes=True,
                    host="127.0.0.1", memory_limit=0, silence_logs=logging.CRITICAL,
                    # no dashboard; dask's small HTTP server on a free port (its default,
                    # 8787, is taken by a second engine on the machine: a warning)
                    dashboard_address="127.0.0.1:0", scheduler_kwargs={"dashboard": False}))
            self._client = self._stack.enter_context(d.Client(self._cluster,
                                                              set_as_default=False))
            level = logging.getLogger("greendc").getEffectiveLevel()
            self._client.register_plugin(_worker_plugin(os.getpid(), level))
            # the workers' greendc records (a sub-problem's or a front point's solve) are
            # handled here, by this process's handlers (the CLI's progress display, a log)
            if self.forward_logs:
                self._client.forward_logging("greendc", level=level)
            log.debug("local dask cluster of %d workers: %s", self._requested,
                      self._cluster.scheduler_address)
        return self._client

    # --------------------------------------------------------------- tasks
    def submit(self, fn: Callable, *args, key: str | None = None):
        """Run ``fn(*args)`` on a worker; a future whose ``result()`` is the value (or raises
        the task's exception). Tasks start in submission order."""
        if self.in_process:
            return LocalFuture(fn, args)
        client = self._start()
        order = next(self._order)
        import dask

        # a full-year inputs Dataset is a "large graph" to dask: expected, not a warning
        with dask.config.set({"distributed.admin.large-graph-warning-threshold": "100GB"}):
            return client.submit(fn, *args, pure=False, priority=-order,
                                 **({"key": key} if key else {}))

    def as_completed(self, futures: Iterable) -> Iterator:
        """The futures in completion order (in process: in the order given, each run as it
        is reached)."""
        futures = list(futures)
        if self.in_process or all(isinstance(f, LocalFuture) for f in futures):
            for fut in futures:
                with contextlib.suppress(Exception):
                    fut.result()
                yield fut
            return
        done = False
        try:
            yield from _distributed().as_completed(futures, loop=self._client.loop)
            done = True
        finally:
            if not done:  # Ctrl-C or the consumer stopped: drop what is still queued
                self.cancel(futures)

    def map(self, fn: Callable, *iterables: Iterable) -> Iterator:
        """``fn`` over the zipped ``iterables``: results in input order, lazily (a task's
        exception is raised when its result is reached). In process, or a single job while
        no cluster is up: each job runs in this process when its result is reached."""
        jobs = list(zip(*iterables))
        if self.in_process or (len(jobs) <= 1 and not self.running):
            for job in jobs:
                yield fn(*job)
            return
        futures = [self.submit(fn, *job) for job in jobs]
        done = False
        try:
            for fut in futures:
                yield fut.result()
            done = True
        finally:
            if not done:
                self.cancel(futures)

    def cancel(self, futures: Iterable) -> None:
        futures = [f for f in futures if not isinstance(f, LocalFuture)]
        if futures and self._client is not None:
            with contextlib.suppress(Exception):  # the cluster may be going down already
                self._client.cancel(futures)


@contextlib.contextmanager
def engine_of(workers: int | Engine, scheduler: str | None = None) -> Iterator[Engine]:
    """``workers`` if it is an Engine already (left open), else a new ``Engine(workers,
    scheduler)`` closed on exit: functions take either a worker count or a running engine."""
    if isinstance(workers, Engine):
        yield workers
        return
    with Engine(workers, scheduler) as engine:
        yield engine


def _probe(address: str, timeout_s: float) -> None:
    """Fail at once on a malformed address or a TCP port that refuses the connection (dask's
    client would retry until its timeout)."""
    from distributed.comm import parse_address
    from distributed.comm.addressing import parse_host_port

    scheme, loc = parse_address(address)
    if scheme != "tcp":
        return  # tls://, inproc://, ...: left to dask
    host, port = parse_host_port(loc)
    if not port:
        raise ValueError("no port given")
    socket.create_connection((host, port), timeout=timeout_s).close()


def _distributed():
    try:
        import distributed
    except ImportError as exc:  # pragma: no cover - dask[distributed] is a dependency
        raise MissingExtraError("parallel runs need dask.distributed: pip install "
                                "'dask[distributed]>=2024.1'") from exc
    return distributed


def _worker_plugin(parent_pid: int, log_level: int = logging.WARNING):
    """``WorkerSetup`` as a ``distributed.WorkerPlugin`` (imported lazily: the in-process
    engine never imports dask)."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class _Plugin(WorkerSetup, WorkerPlugin):
        pass

    return _Plugin(parent_pid, log_level)
