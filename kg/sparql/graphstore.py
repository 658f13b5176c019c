"""SPARQL 1.1 Graph Store HTTP Protocol: read and write whole graphs; the jobs run in workers.

A graph is named by an IRI (``?graph=`` or the request URL itself) or is the store's own default
graph (``?default``; queries at ``/sparql`` see the union of all graphs instead, but GSP addresses
the graph a ``PUT ?default`` wrote). ``read_graph`` runs on the current build; ``write_graph`` runs
on the writable copy that ``kg.sparql.update.write`` prepares, and reports whether the graph existed so
the caller can answer 201 or 204 — or 404 for a DELETE of nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pyoxigraph as ox

from .protocol import Operation, SparqlError, check_graph_iri, choose_format
from .query import Reply, media_type, store_of
from .results import write_graph as serialize_graph

RDF_MEDIA = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


NEW_GRAPH = ""  # a POST to the service itself: the store mints the graph's IRI


def identify_graph(method: str, args: Mapping[str, Sequence[str]], direct: str | None) -> str | None:
    """The graph a request addresses: an IRI, ``None`` for the default graph, or ``NEW_GRAPH``.

    ``direct`` is the request URL when the path names the graph itself (direct identification);
    otherwise ``?graph=<IRI>`` (decoded once, by the web layer) or ``?default`` (indirect).
    """
    graphs, default = list(args.get("graph") or []), "default" in args
    if direct is not None:
        if graphs or default:
            raise SparqlError(400, "a directly identified graph takes neither ?graph= nor ?default")
        return direct
    if len(graphs) + default > 1:
        raise SparqlError(400, "name one graph: either ?default or a single ?graph=<IRI>")
    if graphs:
        return graphs[0]
    if default:
        return None
    if method.upper() == "POST":
        return NEW_GRAPH
    raise SparqlError(400, "name the graph with ?graph=<IRI> or ?default")


def graph_node(graph: str | None) -> ox.NamedNode | ox.DefaultGraph:
    if graph is None:
        return ox.DefaultGraph()
    check_graph_iri(graph)
    try:
        return ox.NamedNode(graph)
    except ValueError:
        raise SparqlError(400, f"<{graph}> is not a valid IRI") from None


def _exists(store: ox.Store, node) -> bool:
    return isinstance(node, ox.DefaultGraph) or store.contains_named_graph(node)


def read_graph(build_path: str, graph: str | None, op: Operation) -> Reply:
    fmt = choose_format(op, graph=True)
    store = store_of(build_path)
    node = graph_node(graph)
    if not _exists(store, node):
        return Reply(404, f"no graph <{graph}> in this store\n".encode(), "text/plain; charset=utf-8")
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, node)]
    return Reply(200, serialize_graph(fmt, triples), media_type(fmt))


_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def parse_payloads(payloads: Sequence[tuple[bytes, str]], base_iri: str | None) -> list[ox.Triple]:
    """Request bodies (one, or the parts of a multipart POST) → triples; 415/400 when unreadable."""
    triples = []
    for data, content_type in payloads:
        media = (content_type or "").split(";")[0].strip().lower()
        if media not in RDF_MEDIA:
            raise SparqlError(415, f"cannot read {media or 'a body without Content-Type'}; send one of {', '.join(RDF_MEDIA)}")
        if _DTD.search(data):
            # Entity declarations are how "billion laughs" and external-entity (file:, http:) attacks
            # work; RDF never needs them, so they are refused before any parser sees the body.
            raise SparqlError(400, f"the {media} body declares a DOCTYPE or entities; DutyGraph does not accept them")
        try:
            quads = ox.parse(data, format=RDF_MEDIA[media], base_iri=base_iri, rename_blank_nodes=True)
            triples += [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
        except SyntaxError as exc:
            raise SparqlError(400, f"the {media} body does not parse: {exc}") from None
    return triples


def write_graph(store_path: str, method: str, graph: str | None, payloads: Sequence[tuple[bytes, str]]) -> bool:
    """PUT (replace), POST (merge) or DELETE a graph in a writable store; True if it existed before."""
    node = graph_node(graph)
    triples = parse_payloads(payloads, graph) if method in ("PUT", "POST") else []
    store = ox.Store(store_path)
    try:
        existed = _exists(store, node)
        if method == "DELETE" and not existed:
            return False
        if method in ("PUT", "DELETE"):
            if isinstance(node, ox.DefaultGraph):
                store.clear_graph(node)
            elif existed:
                store.remove_graph(node)
        if method in ("PUT", "POST"):
            if not isinstance(node, ox.DefaultGraph):
                store.add_graph(node)
            store.extend(ox.Quad(t.subject, t.predicate, t.object, node) for t in triples)
        store.flush()
    finally:
        del store
    return existed
