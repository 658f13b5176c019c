"""Writes to the graph (SPARQL Update, Graph Store Protocol) without touching what readers have open.

A write never mutates the build that readers use. Under a file lock in the data home (so several
server processes are safe) it copies the current store into a new build (table files shared by
hard links, the rest copied), runs the write there in a worker process (so a runaway
``DELETE … WHERE`` is killed like a runaway query), recomputes derived data (the summaries graph, ``kg.build.summaries``; with
``kg.build.pipeline.finish_build``, counts and the search index) and lets ``DataHome.new_build`` swap it in.
Anything that fails before the swap deletes the new build and leaves the data as it was.
"""

from __future__ import annotations

import fcntl
import gc
import hmac
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..config import Settings
from ..errors import KgError
from ..stores.local import DataHome
from ..vocab import PREFIXES
from .protocol import Operation, SparqlError, add_using, analyse_update
from .workers import WorkerPool

LOCK_FILE = "write.lock"


def check_token(settings: Settings, authorization: str | None) -> None:
    """Writes need ``Authorization: Bearer <KG_UPDATE_TOKEN>``: 403 when disabled or wrong, 401 without."""
    if not settings.update_token:
        raise SparqlError(403, "this endpoint is read-only: writes are disabled unless KG_UPDATE_TOKEN is set")
    challenge = {"WWW-Authenticate": 'Bearer realm="dutygraph"'}
    scheme, _, token = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise SparqlError(401, "writes need an 'Authorization: Bearer <token>' header", challenge)
    if not hmac.compare_digest(token.strip().encode(), settings.update_token.encode()):
        raise SparqlError(403, "the bearer token is not the update token", challenge)


@contextmanager
def write_lock(home: Path) -> Iterator[None]:
    home.mkdir(parents=True, exist_ok=True)
    with open(home / LOCK_FILE, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _link_or_copy(source: str, target: str) -> None:
    # RocksDB never rewrites an .sst file, it only writes new ones and unlinks old ones, so the
    # copy may share them; everything else (MANIFEST, WAL, OPTIONS) is copied.
    if source.endswith(".sst"):
        os.link(source, target)
    else:
        shutil.copy2(source, target)


def copy_store(source: Path, target: Path) -> None:
    """Copy a swapped-in (closed, never again written) store into a new build, sharing the table
    files — what ``Store.backup`` does, without opening the source at all."""
    shutil.copytree(source, target, copy_function=_link_or_copy)


class Unchanged(Exception):
    """Raised inside a write to discard the new build (the write turned out to change nothing)."""

    def __init__(self, result: Any):
        super().__init__("unchanged")
        self.result = result


def write(settings: Settings, pool: WorkerPool, job: Callable[..., Any], *args: Any, keep: Callable[[Any], bool] = bool) -> Any:
    """Run ``job(store_path, *args)`` on a copy of the current store and swap the copy in.

    ``keep(result)`` false means the write changed nothing: the copy is dropped, nothing is swapped.
    """
    from ..build.pipeline import finish_build  # the pipeline imports the whole build chain; only writers need it
    from ..build.summaries import rewrite_summaries

    home = DataHome(settings.home)
    with write_lock(settings.home):
        current = home.require()
        try:
            with home.new_build() as target:
                copy_store(current.store_path, target.store_path)
                result = pool.run(job, str(target.store_path), *args)
                if not keep(result):
                    raise Unchanged(result)
                pool.run(rewrite_summaries, str(target.store_path))  # the counts follow the graph
                manifest = {k: v for k, v in current.manifest.items() if k != "seconds"}
                manifest["updated_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
                finish_build(settings, target, manifest)
                # finish_build can leave its writable store referenced from a reference cycle (a
                # traceback kept by a lazy import); alive, RocksDB keeps compacting the new build
                # after the swap and deletes table files its readers still need. Close it now.
                gc.collect()
        except Unchanged as unchanged:
            return unchanged.result
    return result


def apply_update(store_path: str, op: Operation) -> bool:
    """In a worker: run a SPARQL Update (checked, with the protocol's USING graphs) on a writable store."""
    info = analyse_update(op.text, op.base_iri)
    text = op.text
    if op.has_dataset:
        text = add_using(text, info, op.default_graphs, op.named_graphs)
    store = ox.Store(store_path)
    try:
        store.update(text, prefixes=PREFIXES, base_iri=op.base_iri)
        store.flush()
    except SyntaxError as exc:
        raise SparqlError(400, f"SPARQL Update syntax error: {exc}") from None
    except (ValueError, TypeError) as exc:
        raise SparqlError(400, f"the update could not be applied: {exc}") from None
    except OSError as exc:
        raise KgError(f"the update could not be written: {exc}") from None
    finally:
        del store
    return True
