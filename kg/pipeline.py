"""``kg build``: documents → records → duties → graphs → a new store, swapped in when all succeeded.

The only module that writes the data home. Takes settings and paths; returns the manifest.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator, Sequence
from itertools import chain
from pathlib import Path

from rdflib import Graph

from . import __version__
from .config import Settings
from .errors import KgError
from .extract import extract_plan
from .graph import build_plan_graph, ontology_graphs
from .ingest import load_document
from .models import ExtractedPlan
from .search import INDEX_DIR, build_index
from .store import Build, DataHome, graph_of, open_store, write_manifest, write_store
from .thesaurus import Thesaurus, load_thesaurus, thesaurus_from_graph
from .vocab import GRAPH_THESAURUS

DOCUMENT_SUFFIXES = (".txt", ".tsv", ".html", ".htm", ".docx")


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
    """Documents extracted one at a time, so a build holds one plan in memory, not the corpus."""
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


def _summary(x: ExtractedPlan) -> dict:
    return {
        "key": x.plan.key,
        "title": x.plan.title,
        "source": str(x.plan.source.path),
        "sha256": x.plan.source.sha256,
        "records": len(x.records),
        "units": sum(len(u) for u in x.members.values()),
        "duties": len(x.duties),
    }


def build(settings: Settings, paths: Sequence[Path] | None = None, meta: dict[str, str] | None = None) -> dict:
    """Build the data home from ``paths`` (default: the bundled plans), replacing what it held.

    Documents stream through: each is read, extracted, turned into its graph and written before
    the next is read. Any failure deletes the new build and leaves the previous one in place."""
    started = time.perf_counter()
    ontology = ontology_graphs(settings.ontology_dir)
    thesaurus = thesaurus_from_graph(ontology[GRAPH_THESAURUS])
    documents = list(paths) if paths else bundled_plans(settings)
    summaries: list[dict] = []

    def plan_graphs() -> Iterator[Graph]:
        for extracted in iter_documents(settings, documents, thesaurus, meta):
            summaries.append(_summary(extracted))
            yield build_plan_graph(extracted, settings.base_iri)

    with DataHome(settings.home).new_build() as target:
        write_store(target, chain(ontology.values(), plan_graphs()))
        manifest = {"version": __version__, "base_iri": settings.base_iri, "plans": summaries}
        manifest = finish_build(settings, target, manifest, thesaurus)
        manifest["seconds"] = round(time.perf_counter() - started, 3)
        write_manifest(target, manifest)
    return manifest


def finish_build(settings: Settings, target: Build, manifest: dict, thesaurus: Thesaurus | None = None) -> dict:
    """Derive from a build's store what must agree with it, and write the manifest.

    Called by ``build`` and by every write to the graph (SPARQL Update, Graph Store Protocol),
    inside the not-yet-swapped build directory, so derived data and graph never disagree.
    """
    store = open_store(target, writable=True)
    try:
        thesaurus = thesaurus or thesaurus_from_graph(graph_of(store, GRAPH_THESAURUS))
        documents = build_index(target.path / INDEX_DIR, store, thesaurus)
        manifest = {
            **manifest,
            "triples": len(store),
            "indexed": documents,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
    finally:
        # Oxigraph closes a store when the last reference goes; whoosh's writer keeps a frame (and
        # so the store) alive in a reference cycle, and an open writable store keeps compacting —
        # deleting files that readers of the swapped-in build need. Close it now, for certain.
        del store
        gc.collect()
    write_manifest(target, manifest)
    return manifest
