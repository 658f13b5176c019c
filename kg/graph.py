"""Extracted plans → RDF: the only writer of triples.

``build_plan_graph`` turns one ``ExtractedPlan`` into an rdflib ``Graph`` (one named graph per plan);
``ontology_graphs`` reads the OWL ontology and the thesauri so they travel in the same store.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from .models import ExtractedPlan, Unit
from .text import slugify
from .vocab import DG, GRAPH_ONTOLOGY, GRAPH_THESAURUS, OA, ORG, PREFIXES, ROLES, Minter


def _bind(graph: Graph) -> Graph:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def _span(graph: Graph, owner: URIRef, start: int, end: int) -> None:
    span = Minter.span(owner)
    graph.add((owner, DG.span, span))
    graph.add((span, RDF.type, OA.TextPositionSelector))
    graph.add((span, OA.start, Literal(start, datatype=XSD.integer)))
    graph.add((span, OA.end, Literal(end, datatype=XSD.integer)))


class _PlanWriter:
    def __init__(self, extracted: ExtractedPlan, mint: Minter):
        self.x = extracted
        self.mint = mint
        self.plan = extracted.plan
        self.place = slugify(self.plan.place_zh) if self.plan.place_zh else self.plan.key
        self.g = _bind(Graph(identifier=mint.graph(self.plan.key)))

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

    def write(self) -> Graph:
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
            g.add((rec, DG.row, Literal(record.row, datatype=XSD.integer)))
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
            g.add((iri, DG.clauseIndex, Literal(duty.index, datatype=XSD.integer)))
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


def build_plan_graph(extracted: ExtractedPlan, base_iri: str) -> Graph:
    return _PlanWriter(extracted, Minter(base_iri)).write()


def ontology_graphs(ontology_dir: Path) -> dict[URIRef, Graph]:
    """The OWL ontology and the SKOS thesauri, each as the named graph it is stored in."""
    ontology = _bind(Graph(identifier=GRAPH_ONTOLOGY))
    ontology.parse(ontology_dir / "duty.ttl", format="turtle")
    thesaurus = _bind(Graph(identifier=GRAPH_THESAURUS))
    for path in sorted((ontology_dir / "thesaurus").glob("*.ttl")):
        thesaurus.parse(path, format="turtle")
    return {GRAPH_ONTOLOGY: ontology, GRAPH_THESAURUS: thesaurus}
