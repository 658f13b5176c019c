"""Overlapping responsibilities, after the U.S. GAO's definitions, as findings and networkx views.

Takes plain duty rows (``DutyRow``, read from the store by the service), the thesaurus, each plan's
scene issues and the units' labels; reads each substantive clause (kg/overlaps/reading.py) and finds,
plan by plan, duplication, overlap, fragmentation and gaps (kg/overlaps/findings.py), each with the
clauses of every side. Boilerplate duties ("完成市指挥部交办的其他工作" in every row) are no evidence.

Findings are made plan by plan, and two units are compared only when one plan names both: each plan is
one command headquarters' division of work, and units of different plans (other cities) acting on the
same thing is no overlap. So the work grows with the plans, not with the square of every unit of a
national corpus (at 1,000 plans "扬尘" is on the duties of 5,896 units).

Also the unit–target network (units and what their clauses act on), the unit × unit projection (the
findings two units share), the collaboration network (牵头/会同/配合 and partners) and centrality.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Set
from dataclasses import dataclass
from functools import cached_property
from itertools import combinations

import networkx as nx

from ..extraction.thesaurus import Thesaurus
from .concepts import Vocabulary
from .findings import KINDS, Finding, PlanFindings
from .reading import Reading, read_clause

__all__ = ["KINDS", "Analysis", "DutyRow", "Finding"]


@dataclass(frozen=True)
class DutyRow:
    iri: str
    text: str
    plan: str
    role: str  # lead | joint | support
    units: tuple[str, ...]
    actions: tuple[str, ...] = ()
    objects: tuple[str, ...] = ()
    issues: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    boilerplate: bool = False


class Analysis:
    """All views of one set of duties; findings and graphs are computed on first use."""

    def __init__(self, rows: list[DutyRow], thesaurus: Thesaurus, scenes: Mapping[str, Set[str]] | None = None,
                 labels: dict[str, tuple[str, str]] | None = None, vocabulary: Vocabulary | None = None):
        """``scenes``: per plan IRI, the issues the plan is about as a whole and what is above them
        (``ask.scenes``): a heavy-pollution plan's duties are all "during heavy pollution", which is
        their scene, not their target; an earthquake plan's duty on heavy pollution targets it."""
        self.rows = rows
        self.t = thesaurus
        self.v = vocabulary or Vocabulary(thesaurus)
        self.scenes = scenes or {}
        self.labels = labels or {}
        self.substantive = [r for r in rows if not r.boilerplate]

    def by_plan(self) -> dict[str, Analysis]:
        """The analysis of each plan's duties, by plan IRI."""
        rows: dict[str, list[DutyRow]] = defaultdict(list)
        for row in self.rows:
            rows[row.plan].append(row)
        return {plan: Analysis(own, self.t, self.scenes, self.labels, self.v) for plan, own in rows.items()}

    def scene(self, row: DutyRow) -> frozenset[str]:
        return self.v.scene(self.scenes.get(row.plan, frozenset()))

    @cached_property
    def readings(self) -> dict[str, Reading]:
        """Each substantive clause read for the overlap rules, by duty IRI."""
        return {r.iri: read_clause(r, self.v, self.scene(r), self.labels) for r in self.substantive}

    # ------------------------------------------------------------------ findings

    @cached_property
    def _plan_findings(self) -> dict[str, PlanFindings]:
        readings: dict[str, list[Reading]] = defaultdict(list)
        for reading in self.readings.values():
            readings[reading.row.plan].append(reading)
        names = {iri: zh for iri, (zh, _) in self.labels.items()}
        return {plan: PlanFindings(own, self.v, self.v.scene(self.scenes.get(plan, frozenset())), names)
                for plan, own in sorted(readings.items())}

    @cached_property
    def _findings(self) -> list[Finding]:
        found = []
        for plan, finder in self._plan_findings.items():
            for finding in finder.findings():
                finding.plan = plan
                found.append(finding)
        found += self._party_gaps()
        found.sort(key=lambda f: (KINDS.index(f.kind), tuple(-n for n in f.strength), f.target, f.units, f.plan))
        return found

    def findings(self) -> list[Finding]:
        """Every plan's findings, the strongest of each kind first (more parties, more of them leading,
        more clauses)."""
        return list(self._findings)

    def _party_gaps(self) -> list[Finding]:
        found = []
        for row in self.rows:
            if not row.units:
                found.append(Finding("gap", "", [], [], [], {"": [row.iri]}, note="duty with no unit", plan=row.plan))
        parties: dict[tuple[str, tuple[str, ...]], list[DutyRow]] = defaultdict(list)
        for row in self.rows:
            if row.units:
                parties[(row.plan, tuple(sorted(row.units)))].append(row)
        for (plan, party), own in sorted(parties.items()):
            if all(r.boilerplate for r in own):
                found.append(Finding("gap", "", list(party), [party], [], {party[0]: sorted(r.iri for r in own)},
                                     note="only boilerplate duties", plan=plan))
        return found

    # ------------------------------------------------------------------ graphs

    def bipartite(self) -> nx.Graph:
        """Units and what their substantive clauses act on (things, or tasks where a clause names no
        thing); a target node's ``parties`` says how many entries act on it."""
        graph = nx.Graph()
        holders: dict[str, set[tuple[str, ...]]] = defaultdict(set)
        for reading in self.readings.values():
            for target in reading.targets:
                concept = self.t.concepts.get(target)
                graph.add_node(target, kind="concept", scheme=concept.scheme if concept else "")
                holders[target].add((reading.row.plan, reading.party))
                for unit in reading.party:
                    graph.add_node(unit, kind="unit")
                    _count_edge(graph, unit, target, reading.iri)
        for target, parties in holders.items():
            graph.nodes[target]["parties"] = len(parties)
        self._label(graph)
        return graph

    def projection(self) -> nx.Graph:
        """Unit–unit, within a plan: the findings (duplication, overlap, fragmentation) that name both.
        Units of one entry are one party, never a pair."""
        graph = nx.Graph()
        graph.add_nodes_from((u for r in self.substantive for u in r.units), kind="unit")
        shared: dict[tuple[str, str], list[Finding]] = defaultdict(list)
        for finding in self._findings:
            if finding.kind == "gap":
                continue
            for p, q in combinations(finding.parties, 2):
                for a in p:
                    for b in q:
                        if a != b:
                            shared[tuple(sorted((a, b)))].append(finding)
        for (a, b), findings in sorted(shared.items()):
            graph.add_edge(a, b, shared=len(findings), kinds=" ".join(f.kind for f in findings),
                           targets=" ".join(f.target for f in findings))
        self._label(graph)
        return graph

    def collaboration(self) -> nx.DiGraph:
        """Who works with whom: an edge from a unit to each partner named in its duties, by role; units
        named in one entry share its duties ("shared")."""
        graph = nx.DiGraph()
        for row in self.rows:
            for unit in row.units:
                graph.add_node(unit, kind="unit")
                for partner in row.partners:
                    graph.add_node(partner, kind="unit")
                    _count_edge(graph, unit, partner, row.iri, role=row.role)
            for a, b in combinations(sorted(row.units), 2):
                graph.add_edge(a, b, role="shared", weight=1, duties=row.iri)
        self._label(graph)
        return graph

    def centrality(self) -> list[dict]:
        """Which unit is the hub: degree in the projection and betweenness in collaboration."""
        projection, collaboration = self.projection(), self.collaboration().to_undirected()
        degree = nx.degree_centrality(projection) if len(projection) > 1 else {}
        weighted = dict(projection.degree(weight="shared"))
        between = nx.betweenness_centrality(collaboration) if len(collaboration) > 2 else {}
        units = sorted(set(projection) | set(collaboration))
        table = [
            {"unit": u, "overlap_degree": round(degree.get(u, 0.0), 4), "shared_findings": weighted.get(u, 0),
             "collaboration_betweenness": round(between.get(u, 0.0), 4)}
            for u in units
        ]
        return sorted(table, key=lambda r: (-r["shared_findings"], r["unit"]))

    def _label(self, graph: nx.Graph) -> None:
        for node, data in graph.nodes(data=True):
            if node in self.t.concepts:
                concept = self.t.concepts[node]
                data["label_zh"], data["label_en"] = concept.pref_zh, concept.pref_en
            else:
                zh, en = self.labels.get(node, (node, node))
                data["label_zh"], data["label_en"] = zh, en


def _count_edge(graph: nx.Graph, a: str, b: str, duty: str, **attributes) -> None:
    """Add the edge, or count one more duty on it; the duties travel with it (for GraphML, Gephi)."""
    if graph.has_edge(a, b):
        if duty not in graph[a][b]["duties"].split():
            graph[a][b]["weight"] += 1
            graph[a][b]["duties"] += f" {duty}"
    else:
        graph.add_edge(a, b, weight=1, duties=duty, **attributes)
