"""Extracted plans → RDF: the only writer of triples.

``plan_nquads`` writes one ``ExtractedPlan`` as N-Quads in the plan's named graph, the form a build
hands to Oxigraph's bulk loader; its terms are N-Quads text from the start, as rdflib terms cost more
to make and to write out than the rest of a build's extraction. ``build_plan_graph`` reads those
N-Quads back into an rdflib ``Graph``. ``ontology_sources`` names the Turtle files of the OWL
ontology and the thesauri so they travel in the same store; ``ontology_graphs`` reads them as rdflib
graphs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from ..models import ExtractedPlan, Plan, Unit
from ..text import slugify
from ..vocab import DG, GRAPH_ONTOLOGY, GRAPH_THESAURUS, OA, ORG, PREFIXES, ROLES, Minter


def _bind(graph: Graph) -> Graph:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


# N-Quads (https://www.w3.org/TR/n-quads/): a literal escapes these four; an IRI may not hold these.
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_ESCAPED = re.compile(r'[\\"\n\r]')
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _iri(iri: str) -> str:
    """An IRI as N-Quads writes it."""
    if _NOT_IN_IRI.search(iri):
        raise ValueError(f"not an IRI: {str(iri)!r}")
    return f"<{iri}>"


def _literal(lexical: str, lang: str | None = None, datatype: str | None = None) -> str:
    """A literal as N-Quads writes it, from its lexical form (what ``str`` of an rdflib literal is)."""
    # Few literals hold a character to escape, and a search is quicker than a translation.
    text = '"' + (lexical.translate(_ESCAPES) if _ESCAPED.search(lexical) else lexical) + '"'
    if lang:
        return f"{text}@{lang}"
    if datatype:
        return f"{text}^^{_iri(datatype)}"
    return text


def _nq_term(term) -> str:
    if isinstance(term, URIRef):
        return _iri(term)
    if isinstance(term, Literal):
        return _literal(str(term), term.language, term.datatype)
    if isinstance(term, BNode):
        return f"_:{term}"
    raise TypeError(f"not an RDF term: {term!r}")


class _Terms:
    """A namespace's terms as N-Quads text, each written once per process: a plan's writer uses a
    few dozen terms some 3,000 times, and rdflib's namespace lookups cost microseconds each."""

    def __init__(self, namespace):
        self._namespace = namespace

    def __getattr__(self, name: str) -> str:
        text = _iri(self._namespace[name])  # a DefinedNamespace still fails on a misspelt name
        setattr(self, name, text)  # found in the instance from now on; __getattr__ is not called again
        return text


dg, rdf, org, oa, skos, prov, dcterms = map(_Terms, (DG, RDF, ORG, OA, SKOS, PROV, DCTERMS))
_ROLES = {role: _iri(iri) for role, iri in ROLES.items()}
_concept = lru_cache(maxsize=65536)(_iri)  # concept IRIs recur in every duty


@lru_cache(maxsize=65536)
def _integer(n: int) -> str:
    # Offsets, rows and clause numbers recur in every plan.
    return _literal(str(n), datatype=XSD.integer)


class _Triples(dict):
    """The triples of one plan as N-Quads terms, each once, in the order written: what
    ``Graph.add`` does, without rdflib's terms and indexes (most of a plan's build time, for
    triples that are only written out)."""

    def add(self, triple: tuple[str, str, str]) -> None:
        self[triple] = None


def plan_place(plan: Plan) -> str:
    """The place part of the IRIs of a plan's units: units of one place share them across plans."""
    return slugify(plan.place_zh) if plan.place_zh else plan.key


class _PlanWriter:
    """Writes one plan's triples; terms are N-Quads text, IRIs minted as plain strings."""

    def __init__(self, extracted: ExtractedPlan, mint: Minter):
        self.x = extracted
        self.mint = mint
        self.plan = extracted.plan
        self.place = plan_place(self.plan)
        self.identifier = mint.graph(self.plan.key)
        self.units_identifier = mint.units_graph(self.place)
        self.g = _Triples()
        # What a unit is (types, labels, agency type, place) goes in its place's units graph: plans of
        # one place share unit IRIs, and restated in each plan's graph, every such triple met a query
        # of the union default graph once per plan (20,893 rows for 784 at 1,000 plans).
        self.unit_triples = _Triples()
        self.units: dict[str, str] = {}  # unit name → IRI: a duty names its units and partners again

    def unit_iri(self, name: str) -> str:
        iri = self.units.get(name)
        if iri is None:
            iri = self.units[name] = _iri(self.mint.unit(self.place, slugify(name)))
        return iri

    def span(self, owner: str, start: int, end: int) -> None:
        g, span = self.g, self.mint.span(owner)
        owner, span = _iri(owner), _iri(span)
        g.add((owner, dg.span, span))
        g.add((span, rdf.type, oa.TextPositionSelector))
        g.add((span, oa.start, _integer(start)))
        g.add((span, oa.end, _integer(end)))

    def write_unit(self, unit: Unit, member: bool) -> str:
        g, iri = self.unit_triples, self.unit_iri(unit.name)
        g.add((iri, rdf.type, dg.MemberUnit if member else org.Organization))
        if member and unit.collective:  # kinds of member; a partner is only an org:Organization
            g.add((iri, rdf.type, dg.Collective))
        if member and unit.work_group:
            g.add((iri, rdf.type, dg.WorkGroup))
        g.add((iri, skos.prefLabel, _literal(unit.name, "zh")))
        g.add((iri, skos.prefLabel, _literal(unit.label_en, "en")))
        if unit.agency_type:
            g.add((iri, dg.agencyType, _concept(unit.agency_type)))
        if self.plan.place_zh:
            g.add((iri, dg.placeName, _literal(self.plan.place_zh, "zh")))
            g.add((iri, dg.placeName, _literal(self.plan.place_en, "en")))
        return iri

    def write(self) -> _Triples:
        g, plan, key = self.g, self.plan, self.plan.key
        plan_iri, command = _iri(self.mint.plan(key)), _iri(self.mint.command(key))
        g.add((plan_iri, rdf.type, dg.Plan))
        g.add((plan_iri, rdf.type, prov.Entity))
        g.add((plan_iri, dcterms.title, _literal(plan.title, "zh")))
        g.add((plan_iri, dcterms.source, _literal(plan.source.name)))
        g.add((plan_iri, dg.sha256, _literal(plan.source.sha256)))
        g.add((plan_iri, dg.hasCommand, command))
        if plan.place_zh:
            g.add((plan_iri, dg.placeName, _literal(plan.place_zh, "zh")))
            g.add((plan_iri, dg.placeName, _literal(plan.place_en, "en")))
        if plan.level:
            g.add((plan_iri, dg.level, _literal(plan.level)))
        if plan.year:
            g.add((plan_iri, dg.year, _literal(str(plan.year), datatype=XSD.gYear)))
        for concept in self.x.emergency_types:
            g.add((plan_iri, dg.emergencyType, _concept(concept)))
        g.add((command, rdf.type, dg.Command))
        g.add((command, skos.prefLabel, _literal(plan.command_zh, "zh")))
        g.add((command, skos.prefLabel, _literal(self.x.command_en, "en")))
        g.add((command, prov.wasDerivedFrom, plan_iri))

        for record in self.x.records:
            rec_iri = self.mint.record(key, record.row)
            rec = _iri(rec_iri)
            g.add((rec, rdf.type, dg.Record))
            g.add((rec, dg.plan, plan_iri))
            g.add((rec, dg.row, _integer(record.row)))
            g.add((rec, dg.unitText, _literal(record.unit_text)))
            g.add((rec, dg.text, _literal(record.text, "zh")))
            if record.section:
                g.add((rec, dg.section, _literal(record.section)))
            if record.group:
                g.add((rec, dg.workGroup, _literal(record.group)))
            self.span(rec_iri, *record.span)
            for n, unit in enumerate(self.x.members[record.row], start=1):
                member = self.write_unit(unit, member=True)
                membership = _iri(self.mint.membership(key, record.row, n))
                g.add((membership, rdf.type, org.Membership))
                g.add((membership, org.member, member))
                g.add((membership, org.organization, command))
                g.add((membership, org.role, dg.memberRole))
                g.add((membership, dg.record, rec))
        for unit in self.x.partners:
            self.write_unit(unit, member=False)

        for duty in self.x.duties:
            duty_iri = self.mint.duty(key, duty.row, duty.index)
            iri = _iri(duty_iri)
            g.add((iri, rdf.type, dg.Duty))
            if duty.boilerplate:
                g.add((iri, rdf.type, dg.BoilerplateDuty))
            g.add((iri, dg.plan, plan_iri))
            g.add((iri, dg.record, _iri(self.mint.record(key, duty.row))))
            g.add((iri, dg.clauseIndex, _integer(duty.index)))
            g.add((iri, dg.text, _literal(duty.text, "zh")))
            g.add((iri, dg.role, _ROLES[duty.role]))
            g.add((iri, prov.wasDerivedFrom, plan_iri))
            self.span(duty_iri, *duty.span)
            for name in duty.units:
                g.add((iri, dg.assignedTo, self.unit_iri(name)))
            for name in duty.partners:
                g.add((iri, dg.partner, self.unit_iri(name)))
            for predicate, concepts in ((dg.action, duty.actions), (dg.object, duty.objects), (dg.issue, duty.issues)):
                for concept in concepts:
                    g.add((iri, predicate, _concept(concept)))
        return g


def plan_nquads(extracted: ExtractedPlan, base_iri: str) -> tuple[bytes, int]:
    """The plan's triples as N-Quads (UTF-8): in its named graph, and its units' descriptions in
    the units graph of its place (the same quads from every plan of that place, which the store
    holds once); and how many quads were written."""
    data, count, _ = plan_nquads_and_triples(extracted, base_iri)
    return data, count


def plan_nquads_and_triples(extracted: ExtractedPlan, base_iri: str) -> tuple[bytes, int, list[tuple[str, str, str]]]:
    """``plan_nquads``, and the same triples as N-Triples terms (subject, predicate, object), for
    whoever counts them (kg/build/summaries.py) without reading the text back."""
    writer = _PlanWriter(extracted, Minter(base_iri, term=str))
    triples = writer.write()
    tail, units_tail = f" {_iri(writer.identifier)} .\n", f" {_iri(writer.units_identifier)} .\n"
    text = "".join(f"{s} {p} {o}{tail}" for s, p, o in triples)
    text += "".join(f"{s} {p} {o}{units_tail}" for s, p, o in writer.unit_triples)
    return text.encode("utf-8"), len(triples) + len(writer.unit_triples), [*triples, *writer.unit_triples]


def build_plan_graph(extracted: ExtractedPlan, base_iri: str) -> Graph:
    """The plan's triples as an rdflib ``Graph``: its N-Quads read back (its named graph and its
    units' descriptions), so that a test of this graph is a test of what a build loads."""
    graph = _bind(Graph(identifier=Minter(base_iri).graph(extracted.plan.key)))
    for part in plan_graphs(extracted, base_iri).values():
        for triple in part:
            graph.add(triple)
    return graph


def plan_graphs(extracted: ExtractedPlan, base_iri: str) -> dict[URIRef, Graph]:
    """The plan's N-Quads read back as the named graphs they go in: the plan's, its place's units'."""
    import pyoxigraph as ox

    data, _ = plan_nquads(extracted, base_iri)
    quads = list(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    graphs: dict[URIRef, Graph] = {}
    for name in dict.fromkeys(q.graph_name.value for q in quads):
        graph = graphs[URIRef(name)] = _bind(Graph(identifier=URIRef(name)))
        for triple in _rdflib_triples(q for q in quads if q.graph_name.value == name):
            graph.add(triple)
    return graphs


def nquads(triples: Iterable[tuple], graph: URIRef) -> bytes:
    """``triples`` (rdflib terms) as N-Quads lines in named graph ``graph``; the same terms as rdflib's
    N-Triples serialiser writes, each distinct term written once per call (subjects and predicates recur)."""
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

    graph = _bind(Graph(identifier=identifier))
    for path in paths:
        for triple in _rdflib_triples(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE,
                                               base_iri=path.resolve().as_uri(), rename_blank_nodes=True)):
            graph.add(triple)
    return graph


def _rdflib_triples(quads: Iterable) -> Iterator[tuple]:
    """Oxigraph's quads as triples of the terms rdflib's parsers make: a plain literal has no datatype."""
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

    for quad in quads:
        yield term(quad.subject), term(quad.predicate), term(quad.object)
