"""Tests for the ontology files: duty.ttl (OWL) and shapes.ttl (SHACL).

Every shape with a target has a pair of hand-written files in tests/data/shapes/:
``<name>-valid.ttl`` conforms, ``<name>-invalid.ttl`` differs from it by one line and fails on that
shape alone. The data is validated as ``kg validate`` does it: pyshacl, no inference, duty.ttl as
the ontology graph. The other tests keep the model documented: labels in both languages and a
definition for every term, an IRI and a message for every shape, a test pair for every target.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS
from rdflib.term import Node

ROOT = Path(__file__).parents[1]
DUTY_TTL = ROOT / "ontology" / "duty.ttl"
SHAPES_TTL = ROOT / "ontology" / "shapes.ttl"
PAIRS = ROOT / "tests" / "data" / "shapes"

DG = Namespace("https://w3id.org/dutygraph/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")

# The terms the program writes (briefs/common.md); kg/graph/triples.py relies on every one of them.
CLASSES = {"Plan", "Command", "MemberUnit", "Collective", "WorkGroup", "Record", "Duty",
           "BoilerplateDuty", "Role"}
OBJECT_PROPERTIES = {"hasCommand", "agencyType", "record", "plan", "span", "assignedTo",
                     "action", "object", "issue", "role", "partner"}
DATATYPE_PROPERTIES = {"placeName", "sha256", "row", "unitText", "text", "clauseIndex"}
ROLES = {"lead", "joint", "support"}

TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def pair_names() -> list[str]:
    """Names of the pairs on disk, taken from their ``-valid`` halves."""
    return sorted(path.name.removesuffix("-valid.ttl") for path in PAIRS.glob("*-valid.ttl"))


def shape_for(pair: str) -> URIRef:
    """``member-unit`` → ``dg:MemberUnitShape``."""
    return DG["".join(word.capitalize() for word in pair.split("-")) + "Shape"]


def pair_for(shape: URIRef) -> str:
    """``dg:MemberUnitShape`` → ``member-unit`` (the inverse of ``shape_for``)."""
    name = shape.removeprefix(str(DG)).removesuffix("Shape")
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def languages(graph: Graph, subject: Node, *predicates: URIRef) -> set[str]:
    """Primary language subtags of the literals ``subject`` has for ``predicates``."""
    return {
        value.language.split("-")[0]
        for predicate in predicates
        for value in graph.objects(subject, predicate)
        if getattr(value, "language", None)
    }


def all_shapes(shapes: Graph) -> set[Node]:
    """Every node and property shape: declared as one, or reached from another shape."""
    found = set(shapes.subjects(RDF.type, SH.NodeShape))
    found |= set(shapes.subjects(RDF.type, SH.PropertyShape))
    for link in (SH.property, SH.node, SH.qualifiedValueShape):
        found |= set(shapes.objects(None, link))
    return found


def targeted_shapes(shapes: Graph) -> set[Node]:
    return {
        shape
        for shape in shapes.subjects(RDF.type, SH.NodeShape)
        if any(shapes.value(shape, target) is not None for target in TARGETS)
    }


def run_shacl(data: Graph, shapes: Graph, ontology: Graph) -> tuple[bool, Graph, str]:
    """Validate the way ``kg validate`` does: no inference, warnings count as failures."""
    return validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", allow_warnings=False
    )


@pytest.fixture(scope="session")
def ontology() -> Graph:
    return Graph().parse(DUTY_TTL, format="turtle")


@pytest.fixture(scope="session")
def shapes() -> Graph:
    return Graph().parse(SHAPES_TTL, format="turtle")


@pytest.mark.parametrize("path", [DUTY_TTL, SHAPES_TTL], ids=lambda path: path.name)
def test_file_parses_and_opens_with_ontology_header(path: Path) -> None:
    graph = Graph().parse(path, format="turtle")
    headers = list(graph.subjects(RDF.type, OWL.Ontology))
    assert len(headers) == 1, f"{path.name} must declare exactly one owl:Ontology"
    header = headers[0]
    assert languages(graph, header, DCTERMS.title) >= {"en", "zh"}
    assert graph.value(header, DCTERMS.description) is not None
    assert str(graph.value(header, OWL.versionInfo)) == "0.1.0"


def test_ontology_defines_every_term_the_program_writes(ontology: Graph) -> None:
    expected = [
        *((DG[name], OWL.Class) for name in CLASSES),
        *((DG[name], OWL.ObjectProperty) for name in OBJECT_PROPERTIES),
        *((DG[name], OWL.DatatypeProperty) for name in DATATYPE_PROPERTIES),
        *((DG[name], DG.Role) for name in ROLES),
        (DG.RoleScheme, SKOS.ConceptScheme),
        (DG.memberRole, ORG.Role),
    ]
    missing = [f"{term} a {kind}" for term, kind in expected
               if (term, RDF.type, kind) not in ontology]
    assert not missing, "duty.ttl lacks: " + ", ".join(missing)


def test_properties_have_domain_and_range(ontology: Graph) -> None:
    properties = {
        *ontology.subjects(RDF.type, OWL.ObjectProperty),
        *ontology.subjects(RDF.type, OWL.DatatypeProperty),
    }
    lacking = sorted(
        str(prop)
        for prop in properties
        if ontology.value(prop, RDFS.domain) is None or ontology.value(prop, RDFS.range) is None
    )
    assert not lacking, "properties without rdfs:domain or rdfs:range: " + ", ".join(lacking)


def test_every_term_has_both_labels_and_a_definition(ontology: Graph) -> None:
    terms = {s for s in ontology.subjects() if isinstance(s, URIRef) and s.startswith(str(DG))}
    undocumented = []
    for term in sorted(terms):
        is_schema_term = any(
            (term, RDF.type, kind) in ontology
            for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        )
        # Classes and properties carry rdfs:label; concepts and other individuals may use
        # skos:prefLabel instead, which SKOS tools and dg:ConceptShape read.
        label_predicates = (RDFS.label,) if is_schema_term else (RDFS.label, SKOS.prefLabel)
        if not languages(ontology, term, *label_predicates) >= {"en", "zh"}:
            undocumented.append(f"{term}: needs labels @en and @zh")
        if not any(ontology.value(term, p) is not None for p in (SKOS.definition, RDFS.comment)):
            undocumented.append(f"{term}: needs a skos:definition or rdfs:comment")
    assert not undocumented, "\n".join(undocumented)


def test_every_shape_has_an_iri_and_a_message(shapes: Graph) -> None:
    problems = []
    for shape in sorted(all_shapes(shapes)):
        if not isinstance(shape, URIRef):
            problems.append(f"blank-node shape with sh:path {shapes.value(shape, SH.path)}")
        elif shapes.value(shape, SH.message) is None:
            problems.append(f"{shape}: no sh:message")
    assert not problems, "\n".join(problems)


def test_every_targeted_shape_has_a_test_pair(shapes: Graph) -> None:
    targeted = targeted_shapes(shapes)
    missing = [
        f"{pair_for(shape)}-{half}.ttl"
        for shape in sorted(targeted)
        for half in ("valid", "invalid")
        if not (PAIRS / f"{pair_for(shape)}-{half}.ttl").is_file()
    ]
    assert not missing, "tests/data/shapes lacks: " + ", ".join(missing)
    orphans = [name for name in pair_names() if shape_for(name) not in targeted]
    assert not orphans, "pairs without a targeted shape: " + ", ".join(orphans)


def test_ontology_itself_conforms(ontology: Graph, shapes: Graph) -> None:
    """duty.ttl is part of the validated store: its role concepts must pass dg:ConceptShape."""
    conforms, _, text = run_shacl(ontology, shapes, ontology)
    assert conforms, text


@pytest.mark.parametrize("pair", pair_names())
def test_pair_differs_by_one_line(pair: str) -> None:
    valid = (PAIRS / f"{pair}-valid.ttl").read_text(encoding="utf-8").splitlines()
    invalid = (PAIRS / f"{pair}-invalid.ttl").read_text(encoding="utf-8").splitlines()
    opcodes = difflib.SequenceMatcher(a=valid, b=invalid).get_opcodes()
    edits = [op for op in opcodes if op[0] != "equal"]
    assert len(edits) == 1, f"{pair}: {len(edits)} separate edits"
    _, a_start, a_end, b_start, b_end = edits[0]
    assert a_end - a_start == 1 and b_end - b_start <= 1, f"{pair}: the edit spans several lines"


@pytest.mark.parametrize("pair", pair_names())
def test_valid_file_conforms(pair: str, shapes: Graph, ontology: Graph) -> None:
    data = Graph().parse(PAIRS / f"{pair}-valid.ttl", format="turtle")
    conforms, _, text = run_shacl(data, shapes, ontology)
    assert conforms, text


@pytest.mark.parametrize("pair", pair_names())
def test_invalid_file_fails_on_its_shape(pair: str, shapes: Graph, ontology: Graph) -> None:
    shape = shape_for(pair)
    own_shapes = {shape, *shapes.objects(shape, SH.property)}
    data = Graph().parse(PAIRS / f"{pair}-invalid.ttl", format="turtle")
    conforms, report, text = run_shacl(data, shapes, ontology)
    assert not conforms, f"{pair}-invalid.ttl conforms"
    # Top-level results only: the sh:detail results of a failed sh:node name helper shapes.
    sources = {report.value(result, SH.sourceShape) for result in report.objects(None, SH.result)}
    assert sources, text
    assert sources <= own_shapes, f"{pair}-invalid.ttl must fail on {shape} alone:\n{text}"
