"""Helpers for the SPARQL-side tests: a data home holding given named graphs, a real HTTP server
for an app, and stopping an app's worker processes."""

from __future__ import annotations

import gc
import shutil
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import urlopen

import pyoxigraph as ox
from werkzeug.serving import make_server

from kg.build.pipeline import finish_build
from kg.config import Settings
from kg.stores.local import DataHome, open_store

DATA = Path(__file__).parent / "data"


def settle() -> None:
    """Close a writable store that ``finish_build`` may leave referenced from a reference cycle
    (see kg/sparql/update.py); alive, it keeps compacting a build that readers already use."""
    gc.collect()


def build_home(settings: Settings, graphs: Mapping[str, Path | None]) -> None:
    """A new build holding ``graphs`` (name → an RDF file, or None for an empty named graph)."""
    with DataHome(settings.home).new_build() as target:
        store = open_store(target, writable=True)
        for name, path in graphs.items():
            graph = ox.NamedNode(name)
            store.add_graph(graph)
            if path is not None:
                quads = ox.parse(path=path, format=ox.RdfFormat.from_extension(path.suffix[1:]))
                store.extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads)
        store.flush()
        del store
        finish_build(settings, target, {"plans": []})
        settle()


def copy_settings(settings: Settings, home: Path, **changes) -> Settings:
    """The same data (a copy of the current build) in another home, with other settings."""
    settle()
    source = DataHome(settings.home).require()
    with DataHome(home).new_build() as target:
        shutil.copytree(source.path, target.path, dirs_exist_ok=True)
    return Settings.from_env(home, base_iri=settings.base_iri, **changes)


@contextmanager
def serve(app) -> Iterator[str]:
    """Serve ``app`` over real HTTP on 127.0.0.1 (a free port) in a thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def close_app(app) -> None:
    app.extensions["kg_endpoint"].close()


def http_get(url: str, **params: str) -> tuple[int, bytes]:
    """GET over real HTTP with the standard library; (status, body) even for error statuses."""
    full = f"{url}?{urlencode(params)}" if params else url
    try:
        with urlopen(full, timeout=60) as response:
            return response.status, response.read()
    except HTTPError as error:
        return error.code, error.read()
