"""A pool of killable worker processes: every SPARQL query, update and graph read runs in one.

``WorkerPool.run(job, *args)`` sends a module-level function and picklable arguments to an idle
worker process and returns what the function returned (or re-raises what it raised). When the job
outlives the pool's timeout the process is killed and replaced and ``JobTimeout`` is raised, so a
runaway query costs one worker for ``timeout`` seconds and never blocks the web process. Workers
start lazily on the first job (nothing happens at import or app creation) and keep the current
build's store open between jobs (``read_store``), reopening when a write swaps in a new build.
"""

from __future__ import annotations

import importlib
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import pyoxigraph as ox

from ..errors import KgError

READY = "ready"
STARTUP_TIMEOUT = 60.0  # importing rdflib's SPARQL parser in a fresh process, on a slow machine
# rdflib's parser recurses per nesting level; a worker allows deeper nesting than the default
# 1000 frames, and anything deeper still ends in RecursionError, which the job turns into a 400.
RECURSION_LIMIT = 6000
NICENESS = 10  # how much lower a worker's CPU priority is than the server's (os.nice)


class WorkerError(KgError):
    """A job could not be run or did not finish; the message says why."""


class JobTimeout(WorkerError):
    pass


class PoolBusy(WorkerError):
    pass


# In a worker process only: the read-only store of the build last asked for.
_STORES: dict[str, ox.Store] = {}


def read_store(path: str) -> ox.Store:
    """In a worker: the read-only store at ``path``; a different path (a new build) reopens."""
    store = _STORES.get(path)
    if store is None:
        _STORES.clear()
        try:
            store = ox.Store.read_only(path)
        except OSError as exc:
            raise KgError(f"{path}: cannot open the store ({exc}); try again") from exc
        _STORES[path] = store
    return store


def _serve(conn: Connection, preload: Sequence[str]) -> None:
    sys.setrecursionlimit(RECURSION_LIMIT)
    for module in preload:
        importlib.import_module(module)
    conn.send(READY)
    while True:
        try:
            func, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = (True, func(*args))
        except Exception as exc:  # handed back to the caller, which re-raises it
            reply = (False, exc)
        try:
            conn.send(reply)
        except Exception as exc:  # an unpicklable result or exception
            conn.send((False, WorkerError(f"the job's answer could not be sent back: {exc!r}")))


def _watch_parent(parent: int) -> None:
    # A worker busy with a runaway query does not read its socket; it ends itself if the server dies.
    while True:
        time.sleep(1)
        if os.getppid() != parent:
            os._exit(0)


def main() -> None:
    """A worker process: ``python -c 'from kg.sparql.workers import main; main()' FD PARENT [MODULE…]``."""
    fd, parent, *preload = sys.argv[1:]
    # Below the web processes: an analyst's heavy query takes the cores the pages, ask and search
    # leave, rather than making them wait (bench/load.py's mixed traffic at 1,000 plans).
    os.nice(NICENESS)
    threading.Thread(target=_watch_parent, args=(int(parent),), daemon=True).start()
    _serve(Connection(int(fd)), preload)


@dataclass(eq=False)  # identity, so workers can live in a set
class _Worker:
    process: subprocess.Popen
    conn: Connection
    ready: bool = False


@dataclass
class WorkerPool:
    size: int
    timeout: float
    preload: tuple[str, ...] = ()
    # Last in, first out: the worker that answered last answers next, so one client meets one warm
    # worker (its store's caches, kgfn:match's dictionary: 1-1.5 s to load in each process).
    _idle: queue.LifoQueue = field(default_factory=queue.LifoQueue, init=False, repr=False)
    _all: set = field(default_factory=set, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _started: bool = field(default=False, init=False)

    def _spawn(self) -> _Worker:
        # A fresh interpreter, not fork (forking a threaded server copies locks other threads hold)
        # and not multiprocessing's spawn (which re-runs the main script of whoever embeds us).
        ours, theirs = socket.socketpair()
        command = [sys.executable, "-c", "from kg.sparql.workers import main; main()", str(theirs.fileno()), str(os.getpid())]
        process = subprocess.Popen([*command, *self.preload], pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL)
        theirs.close()
        worker = _Worker(process, Connection(ours.detach()))
        with self._lock:
            self._all.add(worker)
        return worker

    def _start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
        for _ in range(max(1, self.size)):
            self._idle.put(self._spawn())

    def _discard(self, worker: _Worker) -> None:
        worker.process.kill()
        worker.process.wait()
        worker.conn.close()
        with self._lock:
            self._all.discard(worker)

    def run(self, job: Callable[..., Any], *args: Any, timeout: float | None = None) -> Any:
        """Run ``job(*args)`` in a worker; kill it after ``timeout`` (default: the pool's)."""
        limit = self.timeout if timeout is None else timeout
        self._start()
        try:
            worker = self._idle.get(timeout=limit)
        except queue.Empty:
            raise PoolBusy(f"all {self.size} query workers are busy; try again shortly") from None
        try:
            if not worker.ready:
                if not worker.conn.poll(STARTUP_TIMEOUT) or worker.conn.recv() != READY:
                    raise WorkerError("a query worker failed to start")
                worker.ready = True
            worker.conn.send((job, args))
            if not worker.conn.poll(limit):
                raise JobTimeout(
                    f"the query ran longer than the limit of {limit:g} s and was stopped; "
                    "narrow it (LIMIT, more specific patterns) or ask the operator to raise KG_QUERY_TIMEOUT"
                )
            ok, value = worker.conn.recv()
        except (WorkerError, EOFError, OSError) as exc:
            self._discard(worker)
            self._idle.put(self._spawn())
            if isinstance(exc, WorkerError):
                raise
            raise WorkerError(f"the query worker died while running the job ({exc!r})") from exc
        self._idle.put(worker)
        if not ok:
            raise value
        return value

    def close(self) -> None:
        """Stop every worker (idle or busy); the pool starts afresh if used again."""
        with self._lock:
            workers, self._all = list(self._all), set()
            self._started = False
        while True:
            try:
                self._idle.get_nowait()
            except queue.Empty:
                break
        for worker in workers:
            worker.conn.close()  # an idle worker ends on EOF; a busy one is killed
            worker.process.kill()
            worker.process.wait()
