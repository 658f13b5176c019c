"""Jobs that run inside a worker process (``kg.sparql.workers``) against the current build's store.

``run_query``: Operation → analysed (``kg.sparql.protocol``) → dataset checked against the store → run by
Oxigraph → serialised with a row cap (``kg.sparql.results``) → ``Reply``. ``describe_service``: the SPARQL
1.1 Service Description of the endpoint, listing the graphs the store holds. Both take the build
directory, not a store, so the worker reopens the store whenever a write swapped in a new build.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..stores.local import Build
from ..stores.remote import RemoteStore, remote_store
from ..vocab import PREFIXES
from .protocol import (
    EXTENSIONS,
    GRAPH_MEDIA,
    RESULT_MEDIA,
    Operation,
    SparqlError,
    analyse_query,
    check_graph_iri,
    choose_format,
    engine_syntax_error,
    syntax_message,
)
from .results import take, write_boolean, write_graph, write_rows
from .workers import read_store

TRUNCATED_HEADER = "X-DutyGraph-Truncated"


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)


def media_type(name: str) -> str:
    media = GRAPH_MEDIA.get(name) or RESULT_MEDIA[name]
    return f"{media}; charset=utf-8"


def store_of(build_path: str) -> ox.Store | RemoteStore:
    """In a worker: the build's store, or the SPARQL server the build was pushed to."""
    build = Build(Path(build_path))
    if build_path not in _REMOTES:
        _REMOTES[build_path] = remote_store(build)
    return _REMOTES[build_path] or read_store(str(build.store_path))


_REMOTES: dict[str, RemoteStore | None] = {}  # per build: a build's manifest never changes


def _require_graphs(store: ox.Store, iris: tuple[str, ...]) -> list[ox.NamedNode]:
    nodes = []
    for iri in iris:
        check_graph_iri(iri)
        node = ox.NamedNode(iri)
        if not store.contains_named_graph(node):
            raise SparqlError(
                400, f"<{iri}> is not a graph in this store; the endpoint only uses its own graphs and never fetches others"
            )
        nodes.append(node)
    return nodes


def _dataset(store: ox.Store, op: Operation, from_graphs: tuple[str, ...], from_named: tuple[str, ...]) -> dict:
    """Protocol dataset > FROM / FROM NAMED > every graph as the default graph (union)."""
    if op.has_dataset:
        return {
            "default_graph": _require_graphs(store, op.default_graphs),
            "named_graphs": _require_graphs(store, op.named_graphs),
        }
    if from_graphs or from_named:
        _require_graphs(store, from_graphs + from_named)
        return {}  # Oxigraph reads FROM / FROM NAMED as graphs of the store
    return {"use_default_graph_as_union": True}


_FUNCTIONS: dict[str, dict] = {}


def uses_functions(text: str) -> bool:
    return "kgfn:" in text or "dutygraph/fn#" in text


def functions_of(build_path: str, store: ox.Store) -> dict:
    """kgfn:match for one build (it segments with the build's own thesaurus words); made once per
    worker and build, and only for queries that call it."""
    if build_path not in _FUNCTIONS:
        from ..extraction.thesaurus import thesaurus_from_graph
        from ..search.searcher import match_function
        from ..stores.local import graph_of
        from ..vocab import GRAPH_THESAURUS

        _FUNCTIONS.clear()
        _FUNCTIONS[build_path] = match_function(thesaurus_from_graph(graph_of(store, GRAPH_THESAURUS)))
    return _FUNCTIONS[build_path]


def run_query(build_path: str, op: Operation, max_rows: int) -> Reply:
    info = analyse_query(op.text, op.base_iri)
    graph = info.form in ("CONSTRUCT", "DESCRIBE")
    fmt = choose_format(op, graph=graph)
    store = store_of(build_path)
    dataset = _dataset(store, op, info.from_graphs, info.from_named)
    truncated = False
    try:
        result = store.query(op.text, prefixes=PREFIXES, base_iri=op.base_iri, **dataset,
                             custom_functions=functions_of(build_path, store) if uses_functions(op.text) else None)
        if isinstance(result, ox.QueryTriples) != graph:
            fmt = choose_format(op, graph=isinstance(result, ox.QueryTriples))  # the engine read another form
        if isinstance(result, ox.QueryBoolean):
            body = write_boolean(bool(result), fmt)
        elif isinstance(result, ox.QueryTriples):
            triples, truncated = take(result, max_rows)
            body = write_graph(fmt, triples)
        else:
            names = [v.value for v in result.variables]
            rows, truncated = take(([s[i] for i in range(len(names))] for s in result), max_rows)
            body = write_rows(fmt, names, rows, truncated)
    except SyntaxError as exc:
        message = syntax_message(op.text, op.base_iri, str(exc)) if info.plain else engine_syntax_error(str(exc))
        raise SparqlError(400, message) from None
    except (ValueError, TypeError) as exc:  # Oxigraph's evaluation errors on a valid query
        raise SparqlError(400, f"the query could not be evaluated: {exc}") from None
    headers = {TRUNCATED_HEADER: "true", "X-DutyGraph-Max-Rows": str(max_rows)} if truncated else {}
    # Shown in place by a browser, saved under a name with the right extension (not "sparql").
    headers["Content-Disposition"] = f'inline; filename="{info.form.lower()}-result.{EXTENSIONS[fmt]}"'
    return Reply(200, body, media_type(fmt), headers)


SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
RESULT_FORMAT_IRIS = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                      "Turtle", "N-Triples", "RDF_XML", "JSON-LD"]


def describe_service(build_path: str, endpoint: str, op: Operation, writable: bool) -> Reply:
    """The service description answered to a bare GET of the endpoint (SPARQL 1.1 SD, Turtle first)."""
    fmt = choose_format(op, graph=True)
    store = store_of(build_path)
    a = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    sd = lambda term: ox.NamedNode(SD + term)  # noqa: E731
    service, dataset = ox.NamedNode(endpoint), ox.BlankNode()
    triples = [
        ox.Triple(service, a, sd("Service")),
        ox.Triple(service, sd("endpoint"), service),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(service, ox.NamedNode(PREFIXES["dcterms"] + "title"), ox.Literal("DutyGraph SPARQL endpoint", language="en")),
        ox.Triple(dataset, a, sd("Dataset")),
    ]
    if writable:
        triples.append(ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Update")))
    triples += [ox.Triple(service, sd("resultFormat"), ox.NamedNode(FORMATS + f)) for f in RESULT_FORMAT_IRIS]
    default = ox.BlankNode()
    triples += [ox.Triple(dataset, sd("defaultGraph"), default), ox.Triple(default, a, sd("Graph"))]
    for name in sorted(store.named_graphs(), key=str):
        node = ox.BlankNode()
        triples += [
            ox.Triple(dataset, sd("namedGraph"), node),
            ox.Triple(node, a, sd("NamedGraph")),
            ox.Triple(node, sd("name"), name),
        ]
    return Reply(200, write_graph(fmt, triples), media_type(fmt))

