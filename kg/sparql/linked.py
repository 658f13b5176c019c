"""Linked data: what the graph says about one resource, for its entity page and its RDF twins.

``describe_resource`` (a worker job) takes the build and an IRI and returns a ``Description`` —
labels, outgoing and incoming links, each linked resource with its Chinese and English labels —
or ``None`` when the IRI is not in the graph. A blank node has no name a reader could follow, so
it is shown by what it says (its own links, nested, as a concise bounded description does), never
by its store-internal label. ``Description.triples`` are the same statements as RDF (outgoing,
incoming, the blank nodes' statements and the labels of linked resources) for Turtle and JSON-LD.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from .protocol import SparqlError, accepted_media
from .query import store_of
from .results import write_graph

LABELS = (
    ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"),
    ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
)


@dataclass(frozen=True)
class Term:
    """One end of a link, ready to show: an IRI (with labels and a local href) or a literal."""

    value: str
    iri: bool = False
    href: str | None = None
    label_zh: str | None = None
    label_en: str | None = None
    language: str | None = None
    datatype: str | None = None
    blank: bool = False
    links: tuple[Link, ...] = ()  # a blank node's own statements, shown in its place


@dataclass(frozen=True)
class Link:
    predicate: Term
    other: Term  # the object of an outgoing link, the subject of an incoming one


@dataclass
class Description:
    resource: Term
    outgoing: list[Link] = field(default_factory=list)
    incoming: list[Link] = field(default_factory=list)
    triples: list[ox.Triple] = field(default_factory=list)

    def serialize(self, fmt: str) -> bytes:
        return write_graph(fmt, self.triples)


def local_href(iri: str, base: str) -> str | None:
    """Where this server answers for an IRI: ``/id/<path>`` for IRIs under the base."""
    return "/id/" + iri[len(base):] if iri.startswith(base) and len(iri) > len(base) else None


def _labels(store: ox.Store, node, found: list[ox.Triple]) -> tuple[str | None, str | None]:
    zh = en = None
    for predicate in LABELS:
        for quad in store.quads_for_pattern(node, predicate, None, None):
            literal = quad.object
            if not isinstance(literal, ox.Literal):
                continue
            found.append(ox.Triple(node, predicate, literal))
            language = (literal.language or "").lower()
            if language.startswith("zh") and zh is None:
                zh = literal.value
            elif language.startswith("en") and en is None:
                en = literal.value
            elif not language and en is None:
                en = literal.value
    return zh, en


BLANK_DEPTH = 3  # nested blank nodes shown this deep; deeper ones only as "a blank node"


def _term(store: ox.Store, term, base: str, found: list[ox.Triple], depth: int = 0) -> Term:
    if isinstance(term, ox.BlankNode):
        if depth >= BLANK_DEPTH:
            return Term("", blank=True)
        triples = sorted(
            {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(term, None, None, None)},
            key=lambda t: (str(t.predicate), str(t.object)),
        )
        found.extend(triples)
        links = tuple(
            Link(_term(store, t.predicate, base, found), _term(store, t.object, base, found, depth + 1)) for t in triples
        )
        return Term("", blank=True, links=links)
    if isinstance(term, ox.NamedNode):
        zh, en = _labels(store, term, found)
        return Term(term.value, True, local_href(term.value, base) or term.value, zh, en)
    if isinstance(term, ox.Literal):
        plain = term.datatype.value.endswith(("#string", "#langString"))
        return Term(term.value, language=term.language, datatype=None if plain else term.datatype.value)
    return Term(str(term))


def describe_resource(build_path: str, iri: str, base: str) -> Description | None:
    store = store_of(build_path)
    node = ox.NamedNode(iri)
    outgoing = {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(node, None, None, None)}
    incoming = {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, node, None)}
    if not outgoing and not incoming:
        return None
    labels: list[ox.Triple] = []
    resource = _term(store, node, base, labels)
    order = lambda t: (str(t.predicate), str(t.object), str(t.subject))  # noqa: E731
    description = Description(resource)
    description.outgoing = [
        Link(_term(store, t.predicate, base, labels), _term(store, t.object, base, labels)) for t in sorted(outgoing, key=order)
    ]
    description.incoming = [
        Link(_term(store, t.predicate, base, labels), _term(store, t.subject, base, labels)) for t in sorted(incoming, key=order)
    ]
    description.triples = sorted(outgoing | incoming | set(labels), key=order)
    return description


ENTITY_FORMATS = {"html": "text/html", "turtle": "text/turtle", "jsonld": "application/ld+json"}
_FORMAT_NAMES = {"ttl": "turtle", "json": "jsonld", "json-ld": "jsonld", "htm": "html"}


def choose_entity_format(accept: str, fmt: str | None) -> str:
    """``?format=html|ttl|jsonld`` wins; else the first of Accept offered; browsers and ``*/*`` get HTML."""
    if fmt:
        name = _FORMAT_NAMES.get(fmt.lower(), fmt.lower())
        if name not in ENTITY_FORMATS:
            raise SparqlError(406, f"format {fmt!r} is not offered; use html, ttl or jsonld")
        return name
    ranges = accepted_media(accept)
    if not ranges:
        return "html"
    by_media = {media: name for name, media in ENTITY_FORMATS.items()} | {
        "application/json": "jsonld", "application/x-turtle": "turtle", "application/xhtml+xml": "html",
        "*/*": "html", "text/*": "html",
    }
    for media, _ in ranges:
        if media in by_media:
            return by_media[media]
    raise SparqlError(406, f"none of {accept!r} is offered; offered: {', '.join(ENTITY_FORMATS.values())}")
