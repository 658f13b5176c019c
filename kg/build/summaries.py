"""Counts that analyses ask for again and again, materialised in a named graph of their own.

Taken from the plans' triples (N-Quads or N-Triples lines, as the plan writer makes them and as a
store dumps them), returned as N-Quads in ``GRAPH_SUMMARIES``; the ontology (``ontology/duty.ttl``,
"Summaries") defines every class and property. ``plan_tally`` reads one plan's lines, and
``plan_tally_of_triples`` the same triples as the plan writer makes them (in the extraction
workers, beside the plan's N-Quads); ``Tallies`` adds the plans up in the build process
and writes the graph once every plan is in; ``store_summaries`` does the same from a store (after a
SPARQL Update or a Graph Store Protocol write, so the counts never disagree with the graph).

Why: at 1,000 plans, a count over every duty (per plan, per unit, per action, per agency type) read
some 180,000 duties from disk in every query (1.5-4 s each), and the pairs of units of a plan that
share objects took 27 s; read from here, each is a lookup of a few thousand nodes. A duty counts once
in each count, whatever number of units, objects or roles it has.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import combinations

from ..vocab import DG, GRAPH_SUMMARIES

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_DG = str(DG._NS)
_P = {name: f"<{_DG}{name}>" for name in ("assignedTo", "role", "action", "object", "issue", "agencyType",
                                        "partner", "Duty", "BoilerplateDuty", "Plan", "lead")}
_CONCEPT_LINKS = {_P["action"], _P["object"], _P["issue"]}
_WANTED = {RDF_TYPE, _P["assignedTo"], _P["role"], _P["agencyType"], _P["partner"], *_CONCEPT_LINKS}
MIN_SHARED = 3  # a pair of units is kept when their substantive duties share at least this many objects


@dataclass
class PlanTally:
    """One plan's counts (picklable: a worker sends it back with the plan's N-Quads). Terms are
    N-Triples text (``<iri>``)."""

    plan: str | None = None
    duties: int = 0
    boilerplate: int = 0
    units: frozenset = frozenset()
    unit: dict = field(default_factory=dict)  # unit → [duties, boilerplate]
    concept: dict = field(default_factory=dict)  # concept → [duties, lead, units]
    agency: dict = field(default_factory=dict)  # agency type → [duties, boilerplate, lead, units]
    concept_agency: dict = field(default_factory=dict)  # (concept, agency type) → [duties, lead]
    partners: dict = field(default_factory=dict)  # (agency type, role, partner's agency type) → duties
    pairs: list = field(default_factory=list)  # (unit, unit, shared objects), units in order


def _wanted(triples: Iterable[tuple[str, str, str]]) -> Iterator[tuple[str, str, str]]:
    """The triples (N-Triples terms) whose predicate a count needs; literals skipped."""
    for s, p, o in triples:
        if p in _WANTED and o[:1] == "<":
            yield s, p, o


def _triples(lines: Iterable[str]) -> Iterator[tuple[str, str, str]]:
    """(subject, predicate, object IRI) of the lines whose predicate a count needs; literals skipped."""
    for line in lines:
        parts = line.split(" ", 2)
        if len(parts) < 3 or parts[1] not in _WANTED or not parts[2].startswith("<"):
            continue
        rest = parts[2]
        yield parts[0], parts[1], rest[:rest.index(">") + 1]


def plan_tally(lines: Iterable[str], types: dict[str, str] | None = None) -> PlanTally:
    """The counts of one plan's triples, from their N-Triples or N-Quads lines (``types``: agency
    types of units described elsewhere)."""
    return _tally(_triples(lines), types)


def plan_tally_of_triples(triples: Iterable[tuple[str, str, str]]) -> PlanTally:
    """The same counts from the triples as terms, as the plan writer makes them (an extraction
    worker counts its plan so, without reading its N-Quads text back line by line)."""
    return _tally(_wanted(triples), None)


def _tally(wanted: Iterable[tuple[str, str, str]], types: dict[str, str] | None) -> PlanTally:
    types = dict(types or {})
    duty_units: dict[str, list[str]] = defaultdict(list)
    duty_concepts: dict[str, list[tuple[str, str]]] = defaultdict(list)
    partners: dict[str, list[str]] = defaultdict(list)
    roles: dict[str, str] = {}
    duties: set[str] = set()
    boiler: set[str] = set()
    plan = None
    for s, p, o in wanted:
        if p == RDF_TYPE:
            if o == _P["Duty"]:
                duties.add(s)
            elif o == _P["BoilerplateDuty"]:
                boiler.add(s)
            elif o == _P["Plan"]:
                plan = s
        elif p == _P["assignedTo"]:
            duty_units[s].append(o)
        elif p == _P["role"]:
            roles[s] = o
        elif p in _CONCEPT_LINKS:
            duty_concepts[s].append((p, o))
        elif p == _P["agencyType"]:
            types[s] = o
        elif p == _P["partner"]:
            partners[s].append(o)
    tally = PlanTally(plan)
    assigned = [d for d in duties if duty_units.get(d)]
    tally.duties, tally.boilerplate = len(assigned), sum(d in boiler for d in assigned)
    tally.units = frozenset(u for d in assigned for u in duty_units[d])
    objects: dict[str, set[str]] = defaultdict(set)
    for duty in assigned:
        units, is_boiler, is_lead = set(duty_units[duty]), duty in boiler, roles.get(duty) == _P["lead"]
        kinds = {types[u] for u in units if u in types}
        for unit in units:
            row = tally.unit.setdefault(unit, [0, 0])
            row[0] += 1
            row[1] += is_boiler
        for kind in kinds:
            row = tally.agency.setdefault(kind, [0, 0, 0, set()])
            row[0] += 1
            row[1] += is_boiler
            row[2] += is_lead
            row[3].update(u for u in units if types.get(u) == kind)
        for concept in {c for _, c in duty_concepts.get(duty, ())}:
            row = tally.concept.setdefault(concept, [0, 0, set()])
            row[0] += 1
            row[1] += is_lead
            row[2].update(units)
            for kind in kinds:
                pair = tally.concept_agency.setdefault((concept, kind), [0, 0])
                pair[0] += 1
                pair[1] += is_lead
        for kind in kinds:
            for partner_kind in {types[p] for p in partners.get(duty, ()) if p in types}:
                key = (kind, roles.get(duty, ""), partner_kind)
                tally.partners[key] = tally.partners.get(key, 0) + 1
        if not is_boiler:
            for link, concept in duty_concepts.get(duty, ()):
                if link == _P["object"]:
                    for unit in units:
                        objects[unit].add(concept)
    for a, b in combinations(sorted(objects), 2):
        shared = objects[a] & objects[b]
        if len(shared) >= MIN_SHARED:
            tally.pairs.append((a, b, tuple(sorted(shared))))
    return tally


class Tallies:
    """Every plan's counts added up; ``nquads`` writes the summaries graph."""

    def __init__(self) -> None:
        self.plans: list[tuple[str, int, int, int]] = []
        self.unit: dict[str, list] = {}  # unit → [duties, boilerplate, plans]
        self.concept: dict[str, list] = {}  # concept → [duties, lead, units, plans]
        self.agency: dict[str, list] = {}  # agency type → [duties, boilerplate, lead, units, plans]
        self.concept_agency: dict[tuple, list] = {}
        self.partners: dict[tuple, int] = {}
        self.pairs: list[tuple[str, str, str, tuple]] = []

    def add(self, tally: PlanTally | None) -> None:
        if tally is None or tally.plan is None:
            return
        intern = sys.intern
        self.plans.append((tally.plan, len(tally.units), tally.duties, tally.boilerplate))
        for unit, (duties, boilerplate) in tally.unit.items():
            row = self.unit.setdefault(intern(unit), [0, 0, 0])
            row[0] += duties
            row[1] += boilerplate
            row[2] += 1
        for concept, (duties, lead, units) in tally.concept.items():
            row = self.concept.setdefault(intern(concept), [0, 0, set(), 0])
            row[0] += duties
            row[1] += lead
            row[2].update(intern(u) for u in units)
            row[3] += 1
        for kind, (duties, boilerplate, lead, units) in tally.agency.items():
            row = self.agency.setdefault(intern(kind), [0, 0, 0, set(), 0])
            row[0] += duties
            row[1] += boilerplate
            row[2] += lead
            row[3].update(intern(u) for u in units)
            row[4] += 1
        for key, (duties, lead) in tally.concept_agency.items():
            row = self.concept_agency.setdefault(key, [0, 0])
            row[0] += duties
            row[1] += lead
        for key, duties in tally.partners.items():
            self.partners[key] = self.partners.get(key, 0) + duties
        self.pairs.extend((tally.plan, a, b, shared) for a, b, shared in tally.pairs)

    def nquads(self) -> bytes:
        graph = f" <{GRAPH_SUMMARIES}> .\n"
        lines: list[str] = []
        count = iter(range(1, sys.maxsize))

        def node(kind: str, links: Iterable[tuple[str, str]], numbers: Iterable[tuple[str, int]]) -> None:
            subject = f"_:t{next(count)}"
            lines.append(f"{subject} {RDF_TYPE} <{_DG}{kind}>{graph}")
            lines.extend(f"{subject} <{_DG}{p}> {o}{graph}" for p, o in links)
            lines.extend(f'{subject} <{_DG}{p}> "{n}"^^<http://www.w3.org/2001/XMLSchema#integer>{graph}'
                         for p, n in numbers)

        for plan, units, duties, boilerplate in self.plans:
            node("PlanTally", [("forPlan", plan)],
                 [("unitCount", units), ("dutyCount", duties), ("boilerplateCount", boilerplate)])
        for unit, (duties, boilerplate, plans) in self.unit.items():
            node("UnitTally", [("forUnit", unit)],
                 [("dutyCount", duties), ("boilerplateCount", boilerplate), ("planCount", plans)])
        for concept, (duties, lead, units, plans) in self.concept.items():
            node("ConceptTally", [("forConcept", concept)],
                 [("dutyCount", duties), ("leadCount", lead), ("unitCount", len(units)), ("planCount", plans)])
        for kind, (duties, boilerplate, lead, units, plans) in self.agency.items():
            node("ConceptTally", [("forConcept", kind)],
                 [("dutyCount", duties), ("boilerplateCount", boilerplate), ("leadCount", lead),
                  ("unitCount", len(units)), ("planCount", plans)])
        for (concept, kind), (duties, lead) in self.concept_agency.items():
            node("ConceptAgencyTally", [("forConcept", concept), ("forAgencyType", kind)],
                 [("dutyCount", duties), ("leadCount", lead)])
        for (kind, role, partner_kind), duties in self.partners.items():
            links = [("forAgencyType", kind), ("partnerAgencyType", partner_kind)] + ([("forRole", role)] if role else [])
            node("PartnerTally", links, [("dutyCount", duties)])
        for plan, a, b, shared in self.pairs:
            node("PairTally", [("forPlan", plan), ("firstUnit", a), ("secondUnit", b),
                               *(("sharedObject", o) for o in shared)], [("sharedObjectCount", len(shared))])
        return "".join(lines).encode("utf-8")


def store_summaries(store) -> bytes:
    """The summaries graph of what ``store`` (pyoxigraph) holds now: every named graph but the
    ontology's, the thesaurus's and the summaries' own read as a plan's (units' graphs give the
    agency types)."""
    import pyoxigraph as ox

    from ..vocab import GRAPH_ONTOLOGY, GRAPH_THESAURUS

    skip = {str(GRAPH_ONTOLOGY), str(GRAPH_THESAURUS), str(GRAPH_SUMMARIES)}
    agency = ox.NamedNode(f"{_DG}agencyType")
    types = {str(q.subject): str(q.object) for q in store.quads_for_pattern(None, agency, None, None)
             if isinstance(q.object, ox.NamedNode)}
    tallies = Tallies()
    for graph in sorted(store.named_graphs(), key=str):
        if graph.value in skip:
            continue
        lines = (f"{q.subject} {q.predicate} {q.object} ." for q in store.quads_for_pattern(None, None, None, graph))
        tallies.add(plan_tally(lines, types))
    return tallies.nquads()


def rewrite_summaries(store_path: str) -> None:
    """(In a query worker, after a write to a copy of the store) the summaries graph made anew from
    what the store holds now; what a client wrote into it is replaced, as derived data is."""
    import pyoxigraph as ox

    store = ox.Store(store_path)
    try:
        graph = ox.NamedNode(str(GRAPH_SUMMARIES))
        if store.contains_named_graph(graph):
            store.remove_graph(graph)
        data = store_summaries(store)
        if data:
            store.load(data, format=ox.RdfFormat.N_QUADS)
        store.flush()
    finally:
        del store
