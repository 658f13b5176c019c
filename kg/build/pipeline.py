"""``kg build``: documents → records → duties → graphs → a new store, swapped in when all succeeded.

The only module that writes the data home. Takes settings and paths; returns the manifest.

A build holds one plan (or one index document) at a time, never the corpus: documents are
extracted to N-Quads (``kg.build.bulk``: in worker processes when there are many) and written, after the
ontology and thesauri, to a pipe that Oxigraph's bulk loader reads in a thread while the next are
extracted. When there are many, the workers also write the
search index as they extract (kg/build/planindex.py); else it is derived from the loaded store
(``finish_build``), by default in a process forked when the build starts, which reads jieba's
dictionary meanwhile (``kg.build.indexer``).
"""

from __future__ import annotations

import errno
import fcntl
import os
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from .. import __version__
from ..config import Settings
from ..documents.formats import READABLE, SUFFIXES
from ..documents.reader import load_document
from ..errors import KgError
from ..extraction.duties import extract_plan
from ..extraction.thesaurus import Thesaurus, load_thesaurus
from ..graph.triples import ontology_sources
from ..models import ExtractedPlan
from ..progress import Progress
from ..stores.local import DATA_FORMAT, Build, DataHome, turtle_nquads, write_manifest, write_store
from ..stores.remote import publish
from .bulk import PlanQuads, extracted_plans, in_workers, read_thesaurus
from .indexer import IndexChild, index_build
from .planindex import BuildIndex
from .summaries import Tallies

DOCUMENT_SUFFIXES = tuple(sorted(SUFFIXES - {""}))


def bundled_plans(settings: Settings) -> list[Path]:
    return sorted(p for p in settings.plans_dir.iterdir() if p.suffix.lower() in DOCUMENT_SUFFIXES)


def document_paths(paths: Sequence[Path]) -> tuple[list[Path], list[str]]:
    """The documents ``paths`` name (a folder: the files in it that DutyGraph reads), and one line
    for each file of a folder it does not read, so that nothing is left out without a word."""
    files: list[Path] = []
    skipped: list[str] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(path.iterdir()):
                if child.name.startswith(".") or child.is_dir():
                    continue
                if child.suffix.lower() in DOCUMENT_SUFFIXES:
                    files.append(child)
                else:
                    skipped.append(f"{child}: skipped, unsupported format {child.suffix.lower() or 'without a suffix'!r}")
        elif path.exists():
            files.append(path)
        else:
            raise KgError(f"{path}: no such file or directory")
    if not files:
        why = f" ({len(skipped)} skipped: {'; '.join(skipped[:3])}{'…' if len(skipped) > 3 else ''})" if skipped else ""
        raise KgError(f"no documents to build from{why}; DutyGraph reads {READABLE}")
    return files, skipped


def _expand(paths: Sequence[Path]) -> list[Path]:
    return document_paths(paths)[0]


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
    documents, skipped = document_paths(list(paths) if paths else bundled_plans(settings))
    thesaurus = read_thesaurus(settings.ontology_dir)
    # A small build indexes its store in this child (which has the thesaurus), which reads jieba's
    # dictionary while the plans are extracted and loaded here; a large one, in its workers.
    large = in_workers(len(documents))
    indexer = None if large else IndexChild.start(thesaurus, show)
    try:
        return _build(settings, documents, meta, thesaurus, show, large, indexer, started, skipped)
    finally:
        if indexer is not None:
            indexer.close()


def _build(settings: Settings, documents: Sequence[Path], meta: dict[str, str] | None, thesaurus: Thesaurus,
           show: Progress, large: bool, indexer: IndexChild | None, started: float, skipped: list[str]) -> dict:
    summaries: list[dict] = []
    phases: dict[str, float] = {}

    with DataHome(settings.home).new_build() as target:
        # many documents: the extraction workers write the duties' search documents as they go
        index = BuildIndex(target.path, thesaurus) if large else None
        with _Feed(target) as feed:
            for graph, files in ontology_sources(settings.ontology_dir).items():
                feed.write(turtle_nquads(files, str(graph)))
            with _timed(phases, "extract"):
                triples = _extract(settings, documents, meta, thesaurus, feed, summaries, show, index)
            feed.close()  # the loader writes and compacts the store meanwhile
            if index is not None:  # the units' and concepts' documents
                with _timed(phases, "index"), show.waiting("indexing", "units and concepts"):
                    indexed = index.finish()
            with _timed(phases, "load"), show.waiting("loading", f"{triples:,} plan triples and the ontology"):
                feed.finish()
        phases.update(feed.timings)  # compacting: part of "load" (and of "index", when it runs meanwhile)

        manifest = {"version": __version__, "base_iri": settings.base_iri, "plans": summaries}
        if skipped:
            manifest["skipped"] = skipped
        if index is None:
            with _timed(phases, "index"):
                manifest = finish_build(settings, target, manifest, thesaurus, show, indexer)
        else:
            manifest = finish_build(settings, target, manifest, derived={"indexed": indexed, "triples": feed.quads})
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
             out: _Feed, summaries: list[dict], show: Progress, index: BuildIndex | None) -> int:
    """Every document's N-Quads written to ``out`` (as soon as it is extracted), its summary to
    ``summaries`` and its rows for the index to ``index`` (when the workers write the index), in
    the order of ``documents``; the number of triples written."""
    seen: dict[str, int] = {}  # plan key → its place in ``summaries``
    triples = 0
    tallies = Tallies()
    show.start("extracting", len(documents), "plans")
    with extracted_plans(documents, meta, settings.base_iri, settings.ontology_dir, out.write, thesaurus,
                         index_dir=index and index.path) as plans:
        plan: PlanQuads
        for path, plan in zip(documents, plans):
            if plan.key in seen:
                first = summaries[seen[plan.key]]["source"]
                raise KgError(f"{path}: same plan key '{plan.key}' as {first}; rename one file")
            seen[plan.key] = len(summaries)
            summaries.append(plan.summary)
            if index is not None:
                index.add(plan.documents, plan.table, plan.units)
            triples += plan.triples
            tallies.add(plan.tally)
            show.advance()
        if index is not None:
            index.segments = plans.segments()
    out.write(tallies.nquads())
    show.finish(f"{triples:,} triples")
    return triples


class _Feed:
    """N-Quads streamed to one bulk load of Oxigraph's, which runs in a thread and reads them
    through a pipe (a FIFO in the build directory) as the documents are extracted.

    One load for the whole build, not one per chunk of the input: a load's index files overlap
    every earlier load's (terms are stored by hash), and RocksDB merged them again after every
    load, so the CPU a build spent merging grew faster than the corpus (three times what one load
    and a final compaction take, at 3,000 plans). The loader (which lets go of the GIL) parses here
    and sorts batches of a million quads in its own threads; the pipe holds back writes it is not
    ready for. ``close`` ends the input, after which the loader writes and compacts the store.

    ``write_store`` runs in the thread; whatever it raises is raised again here. Leaving the block
    early ends the input with a line no parser takes, so the loader stops without writing."""

    PIPE_BYTES = 2**20  # Linux lets anyone make a pipe this size (/proc/sys/fs/pipe-max-size)

    def __init__(self, build: Build):
        self.build = build
        self.quads = 0  # in the store, once ``finish`` returns
        self.timings: dict[str, float] = {}  # and how long it took to compact
        self._fifo = build.path / "quads.nq"
        self._out: BinaryIO | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._load, name="bulk-load")

    def __enter__(self) -> _Feed:
        os.mkfifo(self._fifo)
        self._thread.start()
        self._out = os.fdopen(self._open_fifo(), "wb", buffering=self.PIPE_BYTES)
        return self

    def _open_fifo(self) -> int:
        """The FIFO's write end, once the loader has opened its read end (a blocking open would
        wait for ever if the loader failed before)."""
        while True:
            try:
                fd = os.open(self._fifo, os.O_WRONLY | os.O_NONBLOCK)
                break
            except OSError as exc:
                if exc.errno != errno.ENXIO:  # ENXIO: no reader yet
                    raise
            if not self._thread.is_alive():
                raise self._error or KgError("the store's loading thread stopped")
            time.sleep(0.005)
        os.set_blocking(fd, True)
        try:
            fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, self.PIPE_BYTES)
        except OSError:
            pass  # a smaller pipe only means more wake-ups
        return fd

    def write(self, data: bytes) -> None:
        try:
            self._out.write(data)
        except BrokenPipeError:  # the loader stopped reading: it failed
            self._thread.join()
            raise self._error or KgError("the store's loading thread stopped") from None

    def close(self) -> None:
        """End the input: the loader writes the store's files and compacts them."""
        if self._out is not None:
            out, self._out = self._out, None
            try:
                out.close()
            except BrokenPipeError:
                pass  # the loader's error is raised by ``finish``

    def finish(self) -> None:
        """End the input and wait until everything is loaded."""
        self.close()
        self._thread.join()
        if self._error is not None:
            raise self._error

    def __exit__(self, *exc_info) -> None:
        if self._out is not None:  # leaving early: a failure here or in the loader
            try:
                self._out.write(b"\0\n")  # not N-Quads: the loader stops without writing anything
            except OSError:
                pass  # the loader stopped already
            self.close()
        self._thread.join()
        self._fifo.unlink(missing_ok=True)

    def _load(self) -> None:
        try:
            # Lenient: the terms were checked as they were made. Every IRI is the base IRI (checked
            # in ``build``) plus an ASCII slug, or comes from the Turtle files Oxigraph parsed
            # strictly; ``graph.nquads`` refuses characters an IRI cannot hold; language tags and
            # datatypes are the code's own, integer and year literals Python's ``str`` of an int.
            self.quads = write_store(self.build, self._fifo, lenient=True, timings=self.timings)
        except BaseException as exc:
            self._error = exc


def finish_build(settings: Settings, target: Build, manifest: dict, thesaurus: Thesaurus | None = None,
                 progress: Progress | None = None, indexer: IndexChild | None = None,
                 derived: dict | None = None) -> dict:
    """Derive from a build's store what must agree with it, and write the manifest.

    Called by ``build`` and by every write to the graph (SPARQL Update, Graph Store Protocol),
    inside the not-yet-swapped build directory, so derived data and graph never disagree.
    ``indexer``: the process ``build`` forked to do it (kg/build/indexer.py); else it is done here.
    ``derived``: what a large build's workers derived while extracting ({"indexed", "triples"}).
    """
    if derived is None:
        derived = indexer.run(target.path) if indexer else index_build(target.path, thesaurus,
                                                                       progress or Progress(False))
    manifest = {**manifest, **derived, "format": DATA_FORMAT,
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    write_manifest(target, manifest)
    return manifest
