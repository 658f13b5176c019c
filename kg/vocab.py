"""Namespaces and IRI minting: the only place IRIs are typed by hand.

Instance IRIs are ASCII, minted from plan keys, pinyin slugs of unit names and row/clause numbers,
so the same document always yields the same IRIs under the same base.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

CONCEPT = "https://w3id.org/dutygraph/concept/"
SCHEMES = ("action", "object", "issue", "agency")

# A page key is the path of an instance IRI below the base: ASCII words between slashes.
PAGE_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]*(?:/[A-Za-z0-9._~-]+)*")
IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*")
PAGE_KINDS = ("unit", "duty", "plan")

ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")


class DG(DefinedNamespace):
    """The DutyGraph ontology (ontology/duty.ttl); a misspelt term raises instead of minting junk."""

    _NS = Namespace("https://w3id.org/dutygraph/ontology#")
    _fail = True

    Plan: URIRef
    Command: URIRef
    MemberUnit: URIRef
    Collective: URIRef
    WorkGroup: URIRef
    Record: URIRef
    Duty: URIRef
    BoilerplateDuty: URIRef
    Role: URIRef
    RoleScheme: URIRef
    lead: URIRef
    joint: URIRef
    support: URIRef
    memberRole: URIRef
    hasCommand: URIRef
    placeName: URIRef
    level: URIRef
    emergencyType: URIRef
    year: URIRef
    sha256: URIRef
    agencyType: URIRef
    record: URIRef
    plan: URIRef
    row: URIRef
    unitText: URIRef
    section: URIRef
    workGroup: URIRef
    text: URIRef
    span: URIRef
    clauseIndex: URIRef
    assignedTo: URIRef
    action: URIRef
    object: URIRef
    issue: URIRef
    role: URIRef
    partner: URIRef
    # summaries (kg/build/summaries.py)
    Tally: URIRef
    PlanTally: URIRef
    UnitTally: URIRef
    ConceptTally: URIRef
    ConceptAgencyTally: URIRef
    PartnerTally: URIRef
    PairTally: URIRef
    forPlan: URIRef
    forUnit: URIRef
    forConcept: URIRef
    forAgencyType: URIRef
    partnerAgencyType: URIRef
    forRole: URIRef
    firstUnit: URIRef
    secondUnit: URIRef
    sharedObject: URIRef
    dutyCount: URIRef
    boilerplateCount: URIRef
    leadCount: URIRef
    unitCount: URIRef
    planCount: URIRef
    sharedObjectCount: URIRef


ROLES = {"lead": DG.lead, "joint": DG.joint, "support": DG.support}

GRAPH_ONTOLOGY = URIRef("https://w3id.org/dutygraph/graph/ontology")
GRAPH_THESAURUS = URIRef("https://w3id.org/dutygraph/graph/thesaurus")
# Counts derived from the plans when they are built (kg/build/summaries.py; ontology/duty.ttl, "Summaries").
GRAPH_SUMMARIES = URIRef("https://w3id.org/dutygraph/graph/summaries")

PREFIXES = {
    "dg": str(DG._NS),
    "org": str(ORG),
    "oa": str(OA),
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "kgfn": "https://w3id.org/dutygraph/fn#",  # functions inside SPARQL: kgfn:match(?text, "扬尘")
}


def scheme_iri(scheme: str) -> URIRef:
    if scheme not in SCHEMES:
        raise ValueError(f"unknown concept scheme {scheme!r}")
    return URIRef(CONCEPT + scheme)


def concept_iri(ref: str) -> URIRef:
    """``object/muck-truck`` → the concept's IRI."""
    scheme, _, key = ref.partition("/")
    return URIRef(f"{scheme_iri(scheme)}/{key}")


def concept_ref(iri: str) -> str:
    """The inverse of ``concept_iri``: a concept IRI → ``scheme/key``."""
    if not iri.startswith(CONCEPT):
        raise ValueError(f"not a DutyGraph concept: {iri}")
    return iri[len(CONCEPT):]


class Minter:
    """Mints instance IRIs under one base, as ``term`` makes them: rdflib's ``URIRef`` (a ``str``), or
    a plain ``str`` for the N-Quads writer (kg/graph/triples.py), to which an rdflib term is only a cost."""

    def __init__(self, base: str, term: Callable[[str], str] = URIRef):
        self.base = base
        self.term = term

    def _iri(self, *parts: object) -> str:
        return self.term(self.base + "/".join(str(p) for p in parts))

    def graph(self, plan: str) -> str:
        return self._iri("graph", plan)

    def units_graph(self, place: str) -> str:
        """The graph describing the units of one place, each statement once, however many of the
        place's plans name them (plan keys hold no "/", so no plan graph is called so)."""
        return self._iri("graph", "units", place)

    def plan(self, plan: str) -> str:
        return self._iri("plan", plan)

    def command(self, plan: str) -> str:
        return self._iri("command", plan)

    def unit(self, place: str, unit: str) -> str:
        return self._iri("unit", place, unit)

    def membership(self, plan: str, row: int, n: int) -> str:
        return self._iri("membership", plan, f"{row:02d}-{n}")

    def record(self, plan: str, row: int) -> str:
        return self._iri("record", plan, f"{row:02d}")

    def duty(self, plan: str, row: int, index: int) -> str:
        return self._iri("duty", plan, f"{row:02d}-{index:02d}")

    def span(self, owner: str) -> str:
        return self.term(f"{owner}/span")


def is_true(lexical: str | None) -> bool:
    """An xsd:boolean read from a result row: "true" or "1" (Virtuoso answers EXISTS with 1/0)."""
    return lexical in ("true", "1")


def term(iri: str) -> str:
    """``<iri>`` for a SPARQL text, after checking it is an IRI and nothing else."""
    if not IRI.fullmatch(iri or ""):
        raise ValueError(f"not an IRI: {iri!r}")
    return f"<{iri}>"


def values(iris) -> str:
    return " ".join(term(i) for i in iris)


def page_path(iri: str | None, base_iri: str) -> str | None:
    """The local page of an IRI: units, duties and plans under ``/unit/…``, ``/duty/…``,
    ``/plan/…``; concepts under ``/concept/<scheme>/<key>``; other instances under ``/id/…``
    (the linked-data pages); ``None`` for IRIs from elsewhere."""
    if not iri:
        return None
    if iri.startswith(base_iri):
        rest = iri[len(base_iri):]
        if not PAGE_KEY.fullmatch(rest):
            return None
        kind = rest.split("/", 1)[0]
        return f"/{rest}" if kind in PAGE_KINDS and "/" in rest and not rest.endswith("/span") else f"/id/{rest}"
    if iri.startswith(CONCEPT):
        rest = iri[len(CONCEPT):]
        if PAGE_KEY.fullmatch(rest) and rest.count("/") == 1 and rest.split("/")[0] in SCHEMES:
            return f"/concept/{rest}"
    return None
