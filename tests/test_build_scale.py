"""A build that scales: bulk-loaded quads equal to the rdflib path's, worker processes and the
multi-process index writer giving what a single process gives, failures and progress."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import graph_diff, to_isomorphic

import kg.build.bulk
from kg.build.pipeline import build, extract_documents
from kg.build.summaries import store_summaries
from kg.config import ROOT
from kg.errors import KgError
from kg.extraction.thesaurus import load_thesaurus
from kg.graph.triples import nquads, ontology_graphs, ontology_sources, plan_graphs
from kg.search.indexing import build_index, index_documents
from kg.search.searcher import INDEX_DIR
from kg.stores.local import DataHome, open_store

from .conftest import DATA, SEED

DOCUMENTS = [SEED, *sorted((DATA / "dev").glob("*.txt"))]


def _rdflib_path_store(settings) -> ox.Store:
    """The store as builds wrote it before the bulk loader: ontology and thesauri parsed by rdflib,
    each plan's graph built with rdflib, written quad by quad through oxrdflib (in memory)."""
    graphs = []
    for identifier, paths in ontology_sources(settings.ontology_dir).items():
        graph = Graph(identifier=identifier)
        for path in paths:
            graph.parse(path, format="turtle")
        graphs.append(graph)
    thesaurus = load_thesaurus(settings.ontology_dir)
    graphs += [graph for x in extract_documents(settings, DOCUMENTS, thesaurus)
               for graph in plan_graphs(x, settings.base_iri).values()]
    dataset = Dataset(store="Oxigraph")
    for graph in graphs:
        target = dataset.graph(graph.identifier)
        dataset.store.addN((s, p, o, target) for s, p, o in graph)
    return dataset.store._inner


SUMMARIES = ox.NamedNode("https://w3id.org/dutygraph/graph/summaries")


def _quads(store: ox.Store) -> tuple[set[tuple[str, ...]], dict[str, Graph]]:
    """Quads without blank nodes as N-Quads terms (datatypes and language tags included), and the
    triples with blank nodes per graph, as rdflib graphs to compare up to blank node names."""
    from oxrdflib._converter import from_ox

    ground: set[tuple[str, ...]] = set()
    blank: dict[str, Graph] = {}
    for q in store:
        if q.graph_name == SUMMARIES:
            continue  # compared on its own (below)
        terms = (q.subject, q.predicate, q.object, q.graph_name)
        if any(isinstance(t, ox.BlankNode) for t in terms):
            blank.setdefault(str(q.graph_name), Graph()).add(tuple(from_ox(t) for t in terms[:3]))
        else:
            ground.add(tuple(str(t) for t in terms))
    return ground, blank


def _same_store(built: ox.Store, expected: ox.Store) -> None:
    ground, blank = _quads(built)
    ground_expected, blank_expected = _quads(expected)
    assert ground == ground_expected, (sorted(ground - ground_expected)[:5], sorted(ground_expected - ground)[:5])
    assert blank.keys() == blank_expected.keys()
    for name, graph in blank.items():
        _, only_built, only_expected = graph_diff(to_isomorphic(graph), to_isomorphic(blank_expected[name]))
        assert not only_built and not only_expected, name


def test_bulk_loaded_store_holds_the_quads_of_the_rdflib_path(home):
    manifest = build(home, DOCUMENTS)
    store = open_store(DataHome(home.home).require())
    expected = _rdflib_path_store(home)
    _same_store(store, expected)
    # The summaries the build counted as it extracted are those counted from the store afterwards.
    from oxrdflib._converter import from_ox

    summaries = Graph()
    for q in store.quads_for_pattern(None, None, None, SUMMARIES):
        summaries.add(tuple(from_ox(t) for t in (q.subject, q.predicate, q.object)))
    recounted = Graph()
    for q in ox.parse(store_summaries(expected), format=ox.RdfFormat.N_QUADS):
        recounted.add(tuple(from_ox(t) for t in (q.subject, q.predicate, q.object)))
    _, only_built, only_recounted = graph_diff(to_isomorphic(summaries), to_isomorphic(recounted))
    assert len(summaries) > 100 and not only_built and not only_recounted
    assert manifest["triples"] == len(store) == len(expected) + len(summaries)
    assert {"extract", "load", "index"} <= manifest["phases"].keys()


def test_ontology_parsed_by_oxigraph_is_what_rdflib_reads():
    for identifier, graph in ontology_graphs(ROOT / "ontology").items():
        expected = Graph()
        for path in ontology_sources(ROOT / "ontology")[identifier]:
            expected.parse(path, format="turtle")
        _, only_ours, only_rdflib = graph_diff(to_isomorphic(graph), to_isomorphic(expected))
        assert not only_ours and not only_rdflib and len(graph) == len(expected)


def test_nquads_escape_what_literals_hold():
    graph = URIRef("http://example.org/g")
    s, p = URIRef("http://example.org/s"), URIRef("http://example.org/p")
    triples = [
        (s, p, Literal('a "quoted" back\\slash\nnew line\rreturn\ttab 扬尘')),
        (s, p, Literal("职责", lang="zh")),
        (s, p, Literal(7, datatype=URIRef("http://www.w3.org/2001/XMLSchema#integer"))),
        (s, p, Literal("2018", datatype=URIRef("http://www.w3.org/2001/XMLSchema#gYear"))),
        (s, p, BNode("b1")),
    ]
    parsed = list(ox.parse(nquads(triples, graph), format=ox.RdfFormat.N_QUADS))
    from oxrdflib._converter import to_ox

    name = ox.NamedNode(str(graph))
    assert [(q.object, q.graph_name) for q in parsed[:4]] == [(to_ox(o), name) for _, _, o in triples[:4]]
    assert isinstance(parsed[4].object, ox.BlankNode)
    with pytest.raises(ValueError, match="not an IRI"):
        nquads([(URIRef("http://example.org/a b"), p, s)], graph)


@pytest.fixture
def workers(monkeypatch):
    """Extraction in worker processes however few the documents."""
    monkeypatch.setattr(kg.build.bulk, "PARALLEL_FROM", 1)


def test_worker_processes_build_what_one_process_builds(home, tmp_path, workers):
    from kg.config import Settings

    # a second plan of the seed's city: its units are the same IRIs, each unit's document lists both
    second = tmp_path / "second-plan.txt"
    second.write_bytes(SEED.read_bytes())
    documents = [*DOCUMENTS, second]
    inline = Settings.from_env(tmp_path / "inline")
    with pytest.MonkeyPatch.context() as m:
        m.setattr(kg.build.bulk, "PARALLEL_FROM", 10**9)
        expected = build(inline, documents)
    manifest = build(home, documents)
    assert [p["key"] for p in manifest["plans"]] == [p["key"] for p in expected["plans"]]
    assert manifest["plans"] == json.loads(json.dumps(expected["plans"]))
    assert (manifest["triples"], manifest["indexed"]) == (expected["triples"], expected["indexed"])
    built, inline_build = DataHome(home.home).require(), DataHome(inline.home).require()
    _same_store(open_store(built), open_store(inline_build))
    # the workers wrote the index and the duty table from the plans; one process read them back
    # from the store: the same documents and the same duties
    assert _indexed(built) == _indexed(inline_build)
    assert len(_indexed(built)) == manifest["indexed"]
    assert {d["kind"] for d in _indexed(built)} >= {"duty", "unit", "concept:object"}
    assert any(d["kind"] == "unit" and "second-plan" in d["plan"] and "," in d["plan"] for d in _indexed(built))
    assert _table_rows(built) == _table_rows(inline_build)
    assert len(_table_rows(built)) > 100


def test_workers_run_ahead_of_a_slow_document_and_answers_keep_their_order(home, tmp_path, workers):
    """One worker on a slow document does not hold the others up: their N-Quads reach the loader
    first. What the build records of each plan still comes in the order of the documents.

    The slow document is a pipe whose text is written only once another document's N-Quads have
    reached the loader (or after 30 s, when the workers do not run ahead: then the order is wrong
    and the test fails), so the test does not depend on how fast this machine is."""
    import os
    import threading

    from kg.build.bulk import extracted_plans

    slow = tmp_path / "long-plan.txt"
    os.mkfifo(slow)
    text = SEED.read_text(encoding="utf-8").encode("utf-8")
    released = threading.Event()

    def release() -> None:
        released.wait(30)
        with open(slow, "wb") as pipe:
            pipe.write(text)

    writer = threading.Thread(target=release, daemon=True)
    writer.start()
    documents = [slow, *DOCUMENTS[1:]]  # the first worker gets the slow one, the other the next
    loaded: list[bytes] = []

    def sink(data: bytes) -> None:
        loaded.append(data)
        released.set()

    with extracted_plans(documents, None, home.base_iri, home.ontology_dir, sink, workers=2) as plans:
        answers = list(plans)
    writer.join(5)
    assert [p.summary["source"] for p in answers] == [str(d) for d in documents]
    assert all(p.nquads == b"" and p.triples for p in answers)
    assert len(loaded) == len(documents)
    seed_sized = [i for i, data in enumerate(loaded) if b"long-plan" in data]
    assert seed_sized and seed_sized[0] > 0  # the slow document's N-Quads were not the first in


def _indexed(build_dir) -> list[dict]:
    """Every document of a build's search index, with every stored field, in a fixed order."""
    from whoosh import index

    with index.open_dir(str(build_dir.path / INDEX_DIR)).searcher() as searcher:
        documents = list(searcher.all_stored_fields())
    return sorted(documents, key=lambda d: sorted((k, str(v)) for k, v in d.items()))


def _table_rows(build_dir) -> set[tuple]:
    """A build's duty table as (duty, units, concepts, role, evidence) rows."""
    from kg.search.postings import TABLE_FILE, load_table

    table = load_table(build_dir.path / TABLE_FILE)
    concepts: dict[int, set[str]] = {}
    for concept, numbers in table.by_concept.items():
        for number in numbers:
            concepts.setdefault(number, set()).add(concept)
    return {(duty, tuple(table.units[u] for u in table.units_of(n)), frozenset(concepts.get(n, ())),
             table.role_iri(n), tuple(sorted(table.evidence(n).items())) if table.evidence(n) else None)
            for n, duty in enumerate(table.duties)}


def test_a_bad_document_in_a_worker_fails_the_build_and_names_it(home, tmp_path, workers):
    build(home, [SEED])
    before = DataHome(home.home).current()
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(KgError, match=r"empty\.txt: empty document"):
        build(home, [*DOCUMENTS, empty])
    assert DataHome(home.home).current() == before
    assert sorted(p.name for p in (home.home / "builds").iterdir()) == [before.path.name]


def test_same_plan_key_is_refused_with_workers(home, tmp_path, workers):
    copy = tmp_path / "again" / SEED.name
    copy.parent.mkdir()
    copy.write_bytes(SEED.read_bytes())
    with pytest.raises(KgError, match="same plan key"):
        build(home, [SEED, *DOCUMENTS[1:], copy])
    assert DataHome(home.home).current() is None


def _stored(index_dir) -> list[str]:
    from whoosh import index

    with index.open_dir(str(index_dir)).searcher() as searcher:
        return sorted(json.dumps(fields, sort_keys=True, ensure_ascii=False) for fields in searcher.all_stored_fields())


def test_multi_process_index_holds_the_same_documents(home, tmp_path):
    from kg.search.searcher import Searcher

    build(home, DOCUMENTS)
    current = DataHome(home.home).require()
    store, thesaurus = open_store(current), load_thesaurus(home.ontology_dir)
    count = build_index(tmp_path / "parallel", store, thesaurus, procs=2)
    assert count == len(list(index_documents(store, thesaurus)))
    assert len(list((tmp_path / "parallel").glob("*.seg"))) >= 2  # one segment per sub-writer
    assert _stored(tmp_path / "parallel") == _stored(current.path / INDEX_DIR)
    one, two = Searcher(current.path / INDEX_DIR, thesaurus), Searcher(tmp_path / "parallel", thesaurus)
    for words in ("扬尘", "渣土车 运输", "public security", "vehicles"):
        assert {h["iri"] for h in one.search(words, per_page=100)["hits"]} == \
               {h["iri"] for h in two.search(words, per_page=100)["hits"]}
    # Searcher.matching (set operations on posting blocks) finds what whoosh's own walk finds, with
    # one segment and with several (document numbers shifted per segment).
    from whoosh import query

    from kg.search.searcher import ranking

    ranked = 0
    for searcher in (one, two):
        with searcher.reading() as whoosh_searcher:
            for words, every in [("扬尘", True), ("渣土车 运输", True), ("渣土车 运输", False), ("public security", True),
                                 ("扬尘 NOT 工地", True), ('"施工 扬尘"', True), ("扬尘 OR 渣土", True), ("NOT 扬尘", True),
                                 ("title_zh:公安局", True), ("xyzzy", True)]:
                for restrict in (None, query.Term("kind", "duty"), query.Not(query.Term("boilerplate", True))):
                    q = searcher._parse(words, every) if restrict is None else query.And([searcher._parse(words, every), restrict])
                    expected = set(whoosh_searcher.docs_for_query(q))
                    assert searcher.matching(whoosh_searcher, q) == expected, (words, restrict)
                    # kg/search/ranking.py scores them as whoosh's collector does when it scores every match
                    parsed = searcher._parse(words, every)
                    if ranking.supported(parsed) and expected:
                        ranked += 1
                        theirs = whoosh_searcher.search(parsed, limit=None, filter=restrict).top_n
                        ours = searcher._ranked(whoosh_searcher, parsed, expected, restrict, len(expected)).top_n
                        assert [(round(s, 9), d) for s, d in ours] == [(round(s, 9), d) for s, d in theirs], (words, restrict)
    assert ranked >= 30  # the shapes a search box produces (terms under And, Or, And-not) were compared


def test_index_documents_come_once_each(built, service):
    documents = list(index_documents(service.store, service.thesaurus))
    ids = [d["id"] for d in documents]
    assert len(ids) == len(set(ids)) == DataHome(built.home).require().manifest["indexed"]
    kinds = [d["kind"] for d in documents]
    assert kinds.count("duty") == 82 and kinds.count("unit") == 18


def test_progress_goes_to_standard_error_when_asked(home, capsys):
    # "indexing" is drawn by the process the build forked (kg/build/indexer.py) and relayed to this one's stream
    build(home, progress=True)
    err = capsys.readouterr().err
    assert "extracting: 1 plans" in err and "loading:" in err and "indexing: 629 documents" in err
    build(home, progress=False)
    assert capsys.readouterr().err == ""


INDEX_CHILD_SCRIPT = """
import json, os, sys
import kg.search.indexing, kg.build.pipeline, kg.search.subwriters
from kg.build import indexer
from kg.config import Settings
from kg.errors import KgError
from kg.build.pipeline import build
from kg.service.facade import Service

settings, seen = Settings.from_env(sys.argv[1]), sys.argv[2]
real, parallel = indexer.index_build, kg.search.subwriters.parallel_writer

def spy(build_path, thesaurus, progress):
    with open(seen, "a") as out:
        out.write(f"{os.getpid()}\\n")
    return real(build_path, thesaurus, progress)

def counted(ix, procs):
    with open(seen + ".procs", "w") as out:
        out.write(str(procs))
    return parallel(ix, procs)

def broken(build_path, thesaurus, progress):
    raise RuntimeError("disk full")

report = {"pid": os.getpid()}
indexer.index_build = kg.build.pipeline.index_build = spy  # the child calls it from kg.build.indexer, a build without one from kg.build.pipeline
manifest = build(settings)
report["indexed"], report["triples"] = manifest["indexed"], manifest["triples"]
report["found"] = Service(settings).search("扬尘")["total"]
kg.search.indexing.PARALLEL_FROM, kg.search.subwriters.parallel_writer = 100, counted  # a large index: sub-writers
report["parallel_indexed"] = build(settings)["indexed"]
report["parallel_found"] = Service(settings).search("扬尘")["total"]
first = str(kg.stores.local.DataHome(settings.home).require().path)
indexer.index_build = kg.build.pipeline.index_build = broken
try:
    build(settings)
except KgError as exc:
    report["error"] = str(exc)
report["kept"] = str(kg.stores.local.DataHome(settings.home).require().path) == first
print(json.dumps(report))
"""


def test_the_index_pass_runs_in_a_forked_process_and_reports_its_failure(home, tmp_path):
    # In a fresh interpreter: the build forks only from a process with one thread, and a test
    # session's servers leave threads running (there it indexes in its own process).
    import subprocess
    import sys

    seen = tmp_path / "pids"
    done = subprocess.run([sys.executable, "-c", INDEX_CHILD_SCRIPT, str(home.home), str(seen)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["indexed"] == 629 and report["triples"] > 7000 and report["found"] > 0
    pids = seen.read_text().split()
    assert len(pids) == 2 and str(report["pid"]) not in pids  # in forked children, which reported back
    # a large index: the child forks whoosh's sub-writers itself (it must not be a daemon process)
    assert int((tmp_path / "pids.procs").read_text()) >= 2
    assert report["parallel_indexed"] == 629 and report["parallel_found"] == report["found"]
    assert report["error"] == "indexing failed: RuntimeError: disk full; run `kg build` again"
    assert report["kept"]  # the failed build was not swapped in

def test_cli_build_progress_flag(home, runner):
    from kg.cli import main

    result = runner.invoke(main, ["--home", str(home.home), "build", "--progress"])
    assert result.exit_code == 0, result.output
    assert "indexing:" in result.stderr and "indexing:" not in result.stdout
    quiet = runner.invoke(main, ["--home", str(home.home), "build", "--no-progress"])
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_a_failure_while_indexing_stops_the_sub_writers(built, tmp_path, monkeypatch):
    import multiprocessing

    import kg.search.indexing
    import kg.search.subwriters

    store, thesaurus = open_store(DataHome(built.home).require()), load_thesaurus(built.ontology_dir)
    documents = list(index_documents(store, thesaurus))

    def failing(*args):
        yield from documents[:50]
        raise KgError("the store went away")

    monkeypatch.setattr(kg.search.subwriters, "BATCH", 10)  # job files reach the sub-writers before the failure
    monkeypatch.setattr(kg.search.indexing, "index_documents", failing)
    with pytest.raises(KgError, match="went away"):
        build_index(tmp_path / "index", store, thesaurus, procs=2)
    assert multiprocessing.active_children() == []


def test_a_base_iri_that_is_no_iri_is_refused_before_anything_is_built(tmp_path):
    from kg.config import Settings

    settings = Settings.from_env(tmp_path / "home", base_iri="not an iri")
    with pytest.raises(KgError, match="not an absolute IRI"):
        build(settings)
    assert DataHome(settings.home).current() is None
