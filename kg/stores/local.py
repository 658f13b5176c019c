"""Where triples live: an Oxigraph store on disk inside the data home, swapped in atomically.

Data home layout (``KG_HOME``, default ``./.kg``)::

    current -> builds/<id>        the build every reader opens (a symlink, replaced atomically)
    builds/<id>/store/            Oxigraph (RocksDB) store: one named graph per plan + ontology
    builds/<id>/quads.nq          while building only: the pipe N-Quads reach the bulk loader by
    builds/<id>/manifest.json     what was built from which sources, and counts

``new_build`` writes into a fresh directory and only repoints ``current`` when the block succeeded;
a failed build is deleted and the previous data keeps serving.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from ..errors import KgError

STORE_DIR = "store"
MANIFEST = "manifest.json"
# The shape of a build's files, recorded in its manifest: a build of another shape is not read (it
# fails with how to rebuild instead of with an unpickling error). 2: the modules moved into capability
# folders, and the search index's schema names kg.search.indexing.MemoText. 3: the duty table holds
# each clause's words. 4: units described once per place, and the summaries graph.
DATA_FORMAT = 4
_MANIFESTS: dict[tuple[str, int, int], dict] = {}  # (path, mtime, size) → the parsed manifest


@dataclass(frozen=True)
class Build:
    path: Path

    @property
    def store_path(self) -> Path:
        return self.path / STORE_DIR

    @property
    def manifest(self) -> dict:
        """What was built from which sources (read-only: copy it to change it). Parsed once per
        version of the file: every request checks the current build's format, and at 1,000 plans
        the manifest is 450 KB of JSON (3.7 ms a request when parsed each time)."""
        path = self.path / MANIFEST
        try:
            stat = path.stat()
            key = (str(path), stat.st_mtime_ns, stat.st_size)
            if key not in _MANIFESTS:
                if len(_MANIFESTS) >= 4:
                    _MANIFESTS.clear()
                _MANIFESTS[key] = json.loads(path.read_text(encoding="utf-8"))
            return _MANIFESTS[key]
        except (OSError, ValueError) as exc:
            raise KgError(f"{self.path}: manifest unreadable ({exc}); run `kg build` again") from exc

    @property
    def data_format(self) -> int:
        return int(self.manifest.get("format", 1))


class DataHome:
    def __init__(self, home: Path):
        self.home = Path(home)

    @property
    def _current_link(self) -> Path:
        return self.home / "current"

    def current(self) -> Build | None:
        link = self._current_link
        if not link.is_symlink() and not link.exists():
            return None
        target = link.resolve()
        if not (target / MANIFEST).is_file() or not (target / STORE_DIR).is_dir():
            raise KgError(f"{self.home}: the current build is incomplete or damaged; run `kg build` again")
        return Build(target)

    def require(self) -> Build:
        build = self.current()
        if build is None:
            raise KgError(f"nothing built in {self.home}; run `kg build` first")
        if build.data_format != DATA_FORMAT:
            raise KgError(f"{self.home} was built by another version of DutyGraph (data format {build.data_format}, "
                          f"this one reads {DATA_FORMAT}); run `kg build` again")
        return build

    @contextmanager
    def new_build(self) -> Iterator[Build]:
        builds = self.home / "builds"
        builds.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        path = builds / f"{stamp}-{os.getpid()}-{time.monotonic_ns() % 10**6:06d}"
        path.mkdir()
        try:
            yield Build(path)
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
        previous = self.current_path()
        temporary = self.home / f".current-{path.name}"
        temporary.symlink_to(Path("builds") / path.name)
        os.replace(temporary, self._current_link)  # atomic on POSIX
        # The previous build stays one generation, so readers that opened it can finish.
        for old in builds.iterdir():
            if old not in (path, previous):
                shutil.rmtree(old, ignore_errors=True)

    def current_path(self) -> Path | None:
        link = self._current_link
        return link.resolve() if link.is_symlink() else None


def write_store(build: Build, nquads: Path, lenient: bool = False, timings: dict | None = None) -> int:
    """Load an N-Quads file (or pipe) into the build's new Oxigraph store with its bulk loader,
    then compact the store; the count of quads. ``timings``: gets the seconds the store took to
    compact (``compact``), once loaded.

    The bulk loader sorts and writes the store's index files directly instead of inserting quad by
    quad in transactions (a tenth of the time); it is meant for a store nobody reads yet, which is
    what a build's store is until it is swapped in. ``lenient``: skip Oxigraph's validation of IRIs
    and literals (a quarter of the loading time), for N-Quads whose terms were checked as made."""
    store = ox.Store(str(build.store_path))
    try:
        store.bulk_load(path=str(nquads), format=ox.RdfFormat.N_QUADS, lenient=lenient)
        clock = time.perf_counter()
        # The loader leaves one set of files per million quads, each overlapping all the others
        # (terms are stored by hash), and a reader looks in all of them: served as loaded, 1,000
        # plans answered the example queries 1.5-2 times slower than compacted. Readers open the
        # store read-only, so it is now or never.
        store.optimize()
        store.flush()
        if timings is not None:
            timings["compact"] = time.perf_counter() - clock
        return len(store)
    except SyntaxError as exc:  # a term no IRI or literal can be: a bug upstream, or a bad base IRI
        raise KgError(f"the build's triples could not be loaded: {exc}") from exc
    finally:
        del store


def turtle_nquads(paths: Sequence[Path], graph: str) -> bytes:
    """Turtle files (the ontology, the thesauri) as N-Quads in named graph ``graph``: parsed by
    Oxigraph as rdflib would read them (each file its own base IRI and its own blank nodes)."""
    name = ox.NamedNode(graph)
    out = io.BytesIO()
    for path in paths:
        triples = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri(),
                           rename_blank_nodes=True)
        ox.serialize((ox.Quad(t.subject, t.predicate, t.object, name) for t in triples), out, ox.RdfFormat.N_QUADS)
    return out.getvalue()


def graph_of(store: ox.Store, name: str) -> Graph:
    """One named graph of an Oxigraph store as an rdflib ``Graph`` (for small graphs: the thesaurus)."""
    from oxrdflib._converter import from_ox

    graph = Graph()
    for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(name)):
        graph.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    return graph


def write_manifest(build: Build, manifest: dict) -> None:
    path = build.path / MANIFEST
    for key in [k for k in _MANIFESTS if k[0] == str(path)]:  # a rewrite within one clock tick, same size
        _MANIFESTS.pop(key, None)
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")


def open_store(build: Build, writable: bool = False) -> ox.Store:
    """Open a build's store: read-only for readers; writable only for a build not yet swapped in."""
    try:
        if writable:
            return ox.Store(str(build.store_path))
        return ox.Store.read_only(str(build.store_path))
    except OSError as exc:
        raise KgError(f"{build.store_path}: cannot open the store ({exc}); run `kg build` again") from exc
