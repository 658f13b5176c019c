"""Extracted plans → RDF: the only writer of triples.

``plan_triples`` turns one ``ExtractedPlan`` into rdflib terms (one named graph per plan);
``build_plan_graph`` puts them in an rdflib ``Graph`` and ``plan_nquads`` writes them as N-Quads, the
form a build hands to Oxigraph's bulk loader. ``ontology_sources`` names the Turtle files of the OWL
ontology and the thesauri so they travel in the same store; ``ontology_graphs`` reads them as rdflib
graphs.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from functools import lru_cache
from pathlib import Path

from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from .models import ExtractedPlan, Unit
from .text import slugify
from .vocab import DG, GRAPH_ONTOLOGY, GRAPH_THESAURUS, OA, ORG, PREFIXES, ROLES, Minter


def _bind(graph: Graph) -> Graph:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


@lru_cache(maxsize=65536)
def _integer(n: int) -> Literal:
    # Offsets, rows and clause numbers recur in every plan, and rdflib takes microseconds a literal.
    return Literal(n, datatype=XSD.integer)


def _span(graph: Graph, owner: URIRef, start: int, end: int) -> None:
    span = Minter.span(owner)
    graph.add((owner, DG.span, span))
    graph.add((span, RDF.type, OA.TextPositionSelector))
    graph.add((span, OA.start, _integer(start)))
    graph.add((span, OA.end, _integer(end)))


class _Triples(dict):
    """The triples of one plan, each once, in the order written: what ``Graph.add`` does, without the
    indexes of rdflib's memory store (a third of a plan's build time, for triples that are only
    written out)."""

    def add(self, triple: tuple) -> None:
        self[triple] = None


class _PlanWriter:
    def __init__(self, extracted: ExtractedPlan, mint: Minter):
        self.x = extracted
        self.mint = mint
        self.plan = extracted.plan
        self.place = slugify(self.plan.place_zh) if self.plan.place_zh else self.plan.key
        self.identifier = mint.graph(self.plan.key)
        self.g = _Triples()

    def unit_iri(self, name: str) -> URIRef:
        return self.mint.unit(self.place, slugify(name))

    def write_unit(self, unit: Unit, kind: URIRef) -> URIRef:
        g, iri = self.g, self.unit_iri(unit.name)
        g.add((iri, RDF.type, kind))
        if kind == DG.MemberUnit and unit.collective:  # kinds of member; a partner is only an org:Organization
            g.add((iri, RDF.type, DG.Collective))
        if kind == DG.MemberUnit and unit.work_group:
            g.add((iri, RDF.type, DG.WorkGroup))
        g.add((iri, SKOS.prefLabel, Literal(unit.name, lang="zh")))
        g.add((iri, SKOS.prefLabel, Literal(unit.label_en, lang="en")))
        if unit.agency_type:
            g.add((iri, DG.agencyType, URIRef(unit.agency_type)))
        if self.plan.place_zh:
            g.add((iri, DG.placeName, Literal(self.plan.place_zh, lang="zh")))
            g.add((iri, DG.placeName, Literal(self.plan.place_en, lang="en")))
        return iri

    def write(self) -> _Triples:
        g, plan, key = self.g, self.plan, self.plan.key
        plan_iri, command = self.mint.plan(key), self.mint.command(key)
        g.add((plan_iri, RDF.type, DG.Plan))
        g.add((plan_iri, RDF.type, PROV.Entity))
        g.add((plan_iri, DCTERMS.title, Literal(plan.title, lang="zh")))
        g.add((plan_iri, DCTERMS.source, Literal(plan.source.name)))
        g.add((plan_iri, DG.sha256, Literal(plan.source.sha256)))
        g.add((plan_iri, DG.hasCommand, command))
        if plan.place_zh:
            g.add((plan_iri, DG.placeName, Literal(plan.place_zh, lang="zh")))
            g.add((plan_iri, DG.placeName, Literal(plan.place_en, lang="en")))
        if plan.level:
            g.add((plan_iri, DG.level, Literal(plan.level)))
        if plan.year:
            g.add((plan_iri, DG.year, Literal(str(plan.year), datatype=XSD.gYear)))
        for concept in self.x.emergency_types:
            g.add((plan_iri, DG.emergencyType, URIRef(concept)))
        g.add((command, RDF.type, DG.Command))
        g.add((command, SKOS.prefLabel, Literal(plan.command_zh, lang="zh")))
        g.add((command, SKOS.prefLabel, Literal(self.x.command_en, lang="en")))
        g.add((command, PROV.wasDerivedFrom, plan_iri))

        for record in self.x.records:
            rec = self.mint.record(key, record.row)
            g.add((rec, RDF.type, DG.Record))
            g.add((rec, DG.plan, plan_iri))
            g.add((rec, DG.row, _integer(record.row)))
            g.add((rec, DG.unitText, Literal(record.unit_text)))
            g.add((rec, DG.text, Literal(record.text, lang="zh")))
            _span(g, rec, *record.span)
            for n, unit in enumerate(self.x.members[record.row], start=1):
                member = self.write_unit(unit, DG.MemberUnit)
                membership = self.mint.membership(key, record.row, n)
                g.add((membership, RDF.type, ORG.Membership))
                g.add((membership, ORG.member, member))
                g.add((membership, ORG.organization, command))
                g.add((membership, ORG.role, DG.memberRole))
                g.add((membership, DG.record, rec))
        for unit in self.x.partners:
            self.write_unit(unit, ORG.Organization)

        for duty in self.x.duties:
            iri = self.mint.duty(key, duty.row, duty.index)
            g.add((iri, RDF.type, DG.Duty))
            if duty.boilerplate:
                g.add((iri, RDF.type, DG.BoilerplateDuty))
            g.add((iri, DG.plan, plan_iri))
            g.add((iri, DG.record, self.mint.record(key, duty.row)))
            g.add((iri, DG.clauseIndex, _integer(duty.index)))
            g.add((iri, DG.text, Literal(duty.text, lang="zh")))
            g.add((iri, DG.role, ROLES[duty.role]))
            g.add((iri, PROV.wasDerivedFrom, plan_iri))
            _span(g, iri, *duty.span)
            for name in duty.units:
                g.add((iri, DG.assignedTo, self.unit_iri(name)))
            for name in duty.partners:
                g.add((iri, DG.partner, self.unit_iri(name)))
            for predicate, concepts in ((DG.action, duty.actions), (DG.object, duty.objects), (DG.issue, duty.issues)):
                for concept in concepts:
                    g.add((iri, predicate, URIRef(concept)))
        return g


def plan_triples(extracted: ExtractedPlan, base_iri: str) -> tuple[URIRef, Collection[tuple]]:
    """The plan's named graph and its triples (rdflib terms, each triple once)."""
    writer = _PlanWriter(extracted, Minter(base_iri))
    return writer.identifier, writer.write()


def build_plan_graph(extracted: ExtractedPlan, base_iri: str) -> Graph:
    identifier, triples = plan_triples(extracted, base_iri)
    graph = _bind(Graph(identifier=identifier))
    for triple in triples:
        graph.add(triple)
    return graph


def plan_nquads(extracted: ExtractedPlan, base_iri: str) -> tuple[bytes, int]:
    """The plan's triples as N-Quads (UTF-8) in its named graph, and how many there are."""
    identifier, triples = plan_triples(extracted, base_iri)
    return nquads(triples, identifier), len(triples)


# N-Quads (https://www.w3.org/TR/n-quads/): a literal escapes these four; an IRI may not hold these.
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _nq_term(term) -> str:
    if isinstance(term, URIRef):
        if _NOT_IN_IRI.search(term):
            raise ValueError(f"not an IRI: {str(term)!r}")
        return f"<{term}>"
    if isinstance(term, Literal):
        text = '"' + str(term).translate(_ESCAPES) + '"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype:
            return f"{text}^^{_nq_term(term.datatype)}"
        return text
    if isinstance(term, BNode):
        return f"_:{term}"
    raise TypeError(f"not an RDF term: {term!r}")


def nquads(triples: Iterable[tuple], graph: URIRef) -> bytes:
    """``triples`` as N-Quads lines in named graph ``graph``; the same terms as rdflib's N-Triples
    serialiser writes, each distinct term written once per call (subjects and predicates recur)."""
    written: dict = {}

    def term(node) -> str:
        text = written.get(node)
        if text is None:
            text = written[node] = _nq_term(node)
        return text

    tail = f" {term(graph)} .\n"
    return "".join(f"{term(s)} {term(p)} {term(o)}{tail}" for s, p, o in triples).encode("utf-8")


def ontology_sources(ontology_dir: Path) -> dict[URIRef, list[Path]]:
    """The Turtle files of the OWL ontology and of the SKOS thesauri, by the named graph they go in."""
    return {
        GRAPH_ONTOLOGY: [ontology_dir / "duty.ttl"],
        GRAPH_THESAURUS: sorted((ontology_dir / "thesaurus").glob("*.ttl")),
    }


def ontology_graphs(ontology_dir: Path) -> dict[URIRef, Graph]:
    """The OWL ontology and the SKOS thesauri, each as the named graph it is stored in."""
    return {identifier: read_turtle(paths, identifier) for identifier, paths in ontology_sources(ontology_dir).items()}


def read_turtle(paths: Iterable[Path], identifier: URIRef) -> Graph:
    """Turtle files as one rdflib graph, parsed by Oxigraph (a build reads the thesauri in every
    worker; rdflib's Turtle parser takes ten times as long) into the terms rdflib's parser makes:
    a plain literal has no datatype, each file's blank nodes are its own."""
    import pyoxigraph as ox

    def term(node):
        if isinstance(node, ox.NamedNode):
            return URIRef(node.value)
        if isinstance(node, ox.BlankNode):
            return BNode(node.value)
        if node.language:
            return Literal(node.value, lang=node.language)
        datatype = node.datatype.value
        return Literal(node.value, datatype=None if datatype == str(XSD.string) else URIRef(datatype))

    graph = _bind(Graph(identifier=identifier))
    for path in paths:
        for t in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri(),
                          rename_blank_nodes=True):
            graph.add((term(t.subject), term(t.predicate), term(t.object)))
    return graph
