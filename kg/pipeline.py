"""``kg build``: documents → records → duties → graphs → a new store, swapped in when all succeeded.

The only module that writes the data home. Takes settings and paths; returns the manifest.

A build holds one plan (or one index document) at a time, never the corpus: documents are
extracted to N-Quads (``kg.bulk``: in worker processes when there are many) and written, after the
ontology and thesauri, to chunk files in the new build's directory, which Oxigraph's bulk loader
loads one by one while the next are extracted. When there are many, the workers also write the
search index as they extract (kg/planindex.py); else it is derived from the loaded store
(``finish_build``), by default in a process forked when the build starts, which reads jieba's
dictionary meanwhile (``kg.indexer``).
"""

from __future__ import annotations

import queue
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from . import __version__
from .bulk import PlanQuads, extracted_plans, in_workers, read_thesaurus
from .config import Settings
from .errors import KgError
from .extract import extract_plan
from .graph import ontology_sources
from .ingest import load_document
from .models import ExtractedPlan
from .progress import Progress
from .remote import publish
from .indexer import IndexChild, index_build
from .planindex import BuildIndex
from .store import Build, DataHome, turtle_nquads, write_manifest, write_store
from .thesaurus import Thesaurus, load_thesaurus

DOCUMENT_SUFFIXES = (".txt", ".tsv", ".html", ".htm", ".docx")
# N-Quads per bulk load: some 600 synthetic plans, a million quads. The loader's memory grows with
# it (about 1 GB a million quads); many small loads leave many small files for RocksDB to merge,
# and merging them took a fifth of a 1,000-plan build's CPU with loads a quarter of this size.
CHUNK_BYTES = 256 * 2**20


def bundled_plans(settings: Settings) -> list[Path]:
    return sorted(p for p in settings.plans_dir.iterdir() if p.suffix in DOCUMENT_SUFFIXES)


def _expand(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix in DOCUMENT_SUFFIXES))
        elif path.exists():
            files.append(path)
        else:
            raise KgError(f"{path}: no such file or directory")
    if not files:
        raise KgError("no documents to build from")
    return files


def iter_documents(settings: Settings, paths: Sequence[Path], thesaurus: Thesaurus | None = None,
                   meta: dict[str, str] | None = None) -> Iterator[ExtractedPlan]:
    """Documents extracted one at a time, so a caller holds one plan in memory, not the corpus."""
    thesaurus = thesaurus or load_thesaurus(settings.ontology_dir)
    keys: dict[str, Path] = {}
    for path in _expand(paths):
        plan, records = load_document(path, meta)
        if plan.key in keys:
            raise KgError(f"{path}: same plan key '{plan.key}' as {keys[plan.key]}; rename one file")
        keys[plan.key] = path
        yield extract_plan(plan, records, thesaurus)


def extract_documents(settings: Settings, paths: Sequence[Path], thesaurus: Thesaurus | None = None,
                      meta: dict[str, str] | None = None) -> list[ExtractedPlan]:
    return list(iter_documents(settings, paths, thesaurus, meta))


def build(settings: Settings, paths: Sequence[Path] | None = None, meta: dict[str, str] | None = None,
          progress: bool | None = None) -> dict:
    """Build the data home from ``paths`` (default: the bundled plans), replacing what it held.

    ``progress``: draw a progress line on standard error (default: when it is a terminal). Any
    failure deletes the new build and leaves the previous one in place."""
    started = time.perf_counter()
    show = Progress(sys.stderr.isatty() if progress is None else progress)
    try:  # every minted IRI starts with it, and the bulk loader takes them as they are (lenient)
        ox.NamedNode(settings.base_iri)
    except ValueError as exc:
        raise KgError(f"base IRI {settings.base_iri!r} is not an absolute IRI ({exc}); see KG_BASE_IRI") from None
    documents = _expand(list(paths) if paths else bundled_plans(settings))
    thesaurus = read_thesaurus(settings.ontology_dir)
    # A small build indexes its store in this child (which has the thesaurus), which reads jieba's
    # dictionary while the plans are extracted and loaded here; a large one, in its workers.
    large = in_workers(len(documents))
    indexer = None if large else IndexChild.start(thesaurus, show)
    try:
        return _build(settings, documents, meta, thesaurus, show, large, indexer, started)
    finally:
        if indexer is not None:
            indexer.close()


def _build(settings: Settings, documents: Sequence[Path], meta: dict[str, str] | None, thesaurus: Thesaurus,
           show: Progress, large: bool, indexer: IndexChild | None, started: float) -> dict:
    summaries: list[dict] = []
    phases: dict[str, float] = {}

    with DataHome(settings.home).new_build() as target:
        # many documents: the extraction workers write the duties' search documents as they go
        index = BuildIndex(target.path, thesaurus) if large else None
        with _Spool(target) as spool:
            for graph, files in ontology_sources(settings.ontology_dir).items():
                spool.write(turtle_nquads(files, str(graph)))
            with _timed(phases, "extract"):
                triples = _extract(settings, documents, meta, thesaurus, spool, summaries, show, index)
            if index is not None:  # the units' and concepts' documents, while the last chunks load
                spool.flush()
                with _timed(phases, "index"), show.waiting("indexing", "units and concepts"):
                    indexed = index.finish()
            with _timed(phases, "load"), show.waiting("loading", f"the last of {triples:,} plan triples and the ontology"):
                spool.finish()
        phases["load_busy"] = spool.loading  # bulk loading, most of it while documents were extracted

        manifest = {"version": __version__, "base_iri": settings.base_iri, "plans": summaries}
        if index is None:
            with _timed(phases, "index"):
                manifest = finish_build(settings, target, manifest, thesaurus, show, indexer)
        else:
            manifest = finish_build(settings, target, manifest, derived={"indexed": indexed, "triples": spool.quads})
        manifest = publish(settings, target, manifest)  # to KG_STORE, when a SPARQL server is named
        manifest["seconds"] = round(time.perf_counter() - started, 3)
        manifest["phases"] = {name: round(seconds, 3) for name, seconds in phases.items()}
        write_manifest(target, manifest)
    return manifest


@contextmanager
def _timed(phases: dict[str, float], name: str) -> Iterator[None]:
    clock = time.perf_counter()
    try:
        yield
    finally:
        phases[name] = time.perf_counter() - clock


def _extract(settings: Settings, documents: Sequence[Path], meta: dict[str, str] | None, thesaurus: Thesaurus,
             out: _Spool, summaries: list[dict], show: Progress, index: BuildIndex | None) -> int:
    """Every document's N-Quads written to ``out`` in order, its summary to ``summaries``, its rows
    for the index to ``index`` (when the workers write the index); the number of triples written."""
    seen: dict[str, int] = {}  # plan key → its place in ``summaries``
    triples = 0
    show.start("extracting", len(documents), "plans")
    with extracted_plans(documents, meta, settings.base_iri, settings.ontology_dir, thesaurus,
                         index_dir=index and index.path) as plans:
        plan: PlanQuads
        for path, plan in zip(documents, plans):
            if plan.key in seen:
                first = summaries[seen[plan.key]]["source"]
                raise KgError(f"{path}: same plan key '{plan.key}' as {first}; rename one file")
            seen[plan.key] = len(summaries)
            summaries.append(plan.summary)
            out.write(plan.nquads)
            if index is not None:
                index.add(plan.documents, plan.table, plan.units)
            triples += plan.triples
            show.advance()
        if index is not None:
            index.segments = plans.segments()
    show.finish(f"{triples:,} triples")
    return triples


class _Spool:
    """N-Quads into files of about ``CHUNK_BYTES`` in the build directory, each bulk-loaded by a
    thread as soon as it is full: Oxigraph's loader (which lets go of the GIL, and uses one core)
    loads a chunk while the next is extracted, and at most three chunk files exist at a time.

    ``write_store`` runs in the thread and gets the chunks as an iterable; whatever it raises is
    raised again here. Leaving the block stops the thread (after the chunk it is loading)."""

    def __init__(self, build: Build):
        self.build = build
        self.loading = 0.0  # seconds the thread spent bulk-loading
        self.quads = 0  # in the store, once ``finish`` returns
        self._ready: queue.Queue = queue.Queue(maxsize=1)
        self._out: BinaryIO | None = None
        self._path: Path | None = None
        self._size = self._chunks = 0
        self._stop = False
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._load, name="bulk-load")

    def __enter__(self) -> _Spool:
        self._thread.start()
        return self

    def write(self, data: bytes) -> None:
        if self._out is None:
            self._chunks += 1
            self._path = self.build.path / f"quads-{self._chunks:05d}.nq"
            self._out = self._path.open("wb")
            self._size = 0
        self._out.write(data)
        self._size += len(data)
        if self._size >= CHUNK_BYTES:
            self._hand_over()

    def flush(self) -> None:
        """Hand the chunk being written over to the loading thread now, without waiting."""
        if self._out is not None:
            self._hand_over()

    def finish(self) -> None:
        """Hand over the last chunk and wait until everything is loaded."""
        self.flush()
        self._put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error

    def __exit__(self, *exc_info) -> None:
        if self._thread.is_alive():  # leaving early: a failure elsewhere
            self._stop = True
            try:
                self._ready.put_nowait(None)
            except queue.Full:
                pass  # the thread is loading; it stops before taking the next chunk
            self._thread.join()
        if self._out is not None:
            self._out.close()

    def _hand_over(self) -> None:
        self._out.close()
        self._out = None
        self._put(self._path)

    def _put(self, item: Path | None) -> None:
        while True:
            if not self._thread.is_alive():
                raise self._error or KgError("the store's loading thread stopped")
            try:
                self._ready.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def _files(self) -> Iterator[Path]:
        while not self._stop:
            path = self._ready.get()
            if path is None or self._stop:
                return
            clock = time.perf_counter()
            yield path  # the loader asks for the next file when it has loaded this one
            self.loading += time.perf_counter() - clock
            path.unlink()

    def _load(self) -> None:
        try:
            # Lenient: the terms were checked as they were made. Every IRI is the base IRI (checked
            # in ``build``) plus an ASCII slug, or comes from the Turtle files Oxigraph parsed
            # strictly; ``graph.nquads`` refuses characters an IRI cannot hold; language tags and
            # datatypes are the code's own, integer and year literals Python's ``str`` of an int.
            self.quads = write_store(self.build, self._files(), lenient=True)
        except BaseException as exc:
            self._error = exc


def finish_build(settings: Settings, target: Build, manifest: dict, thesaurus: Thesaurus | None = None,
                 progress: Progress | None = None, indexer: IndexChild | None = None,
                 derived: dict | None = None) -> dict:
    """Derive from a build's store what must agree with it, and write the manifest.

    Called by ``build`` and by every write to the graph (SPARQL Update, Graph Store Protocol),
    inside the not-yet-swapped build directory, so derived data and graph never disagree.
    ``indexer``: the process ``build`` forked to do it (kg/indexer.py); else it is done here.
    ``derived``: what a large build's workers derived while extracting ({"indexed", "triples"}).
    """
    if derived is None:
        derived = indexer.run(target.path) if indexer else index_build(target.path, thesaurus,
                                                                       progress or Progress(False))
    manifest = {**manifest, **derived, "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    write_manifest(target, manifest)
    return manifest
