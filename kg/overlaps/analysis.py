"""Overlapping responsibilities, after the U.S. GAO's definitions, as networkx views of the duties.

Takes plain duty rows (``DutyRow``, read from the store by the service) and the thesaurus; returns
findings, each with the clauses on every side:

- **duplication**: two or more units do the same kind of action on the same object or issue
  (住建, 城管 and 交通运输 all control construction dust);
- **overlap**: two or more units have duties on the same object or issue, but different actions;
- **fragmentation**: one object category (vehicles, sites, enterprises…) spread over many units;
- **gaps**: an object or issue with duties but no lead, a duty with no unit, a unit with only
  boilerplate duties.

Also the unit–target bipartite graph, its weighted unit–unit projection (shared targets, Jaccard),
the collaboration network (牵头/会同/配合 and partners) and centrality. Boilerplate duties are
counted apart, so "依法依规严肃查处" in every row does not drown the real overlaps. A plan's own
emergency (重污染天气 in a heavy-pollution plan) is the scene of each of its duties, not a shared
target; each plan has its own (heavy pollution is a target in an earthquake plan).

Findings are made plan by plan, and two units are compared only when a plan names both: each plan
is one command headquarters' division of work, and units of different plans (other cities) sharing
an object is no overlap. So the work grows with the plans, not with the square of every unit of a
national corpus (at 1,000 plans "扬尘" is on the duties of 5,896 units).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from functools import cached_property
from itertools import combinations

import networkx as nx

from ..extraction.thesaurus import Thesaurus

KINDS = ("duplication", "overlap", "fragmentation", "gap")
FRAGMENTATION_UNITS = 3  # a category handled by this many units or more is fragmented
# Actions that say how, not what (落实, 组织, 协调, 联系, 报告): sharing only these is not duplication.
WEAK_ACTIONS = ("implement", "organise", "coordinate", "liaise", "report")


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


@dataclass
class Finding:
    kind: str
    target: str  # concept IRI (object, issue or object category); "" for unit-level gaps
    units: list[str]
    actions: list[str] = field(default_factory=list)
    evidence: dict[str, list[str]] = field(default_factory=dict)  # unit → duty IRIs
    note: str = ""
    score: float = 0.0
    plan: str = ""  # the plan whose duties these are


class Analysis:
    """All views of one set of duties; ``findings`` and the graphs are computed on first use."""

    def __init__(self, rows: list[DutyRow], thesaurus: Thesaurus, scenes: Mapping[str, Set[str]] | None = None,
                 labels: dict[str, tuple[str, str]] | None = None):
        """``scenes``: per plan IRI, the issues the plan is about as a whole and what is above them
        (``ask.scenes``): a heavy-pollution plan's duties are all "during heavy pollution", which is
        their scene, not their target; an earthquake plan's duty on heavy pollution targets it."""
        self.rows = rows
        self.t = thesaurus
        self.scenes = scenes or {}
        self.labels = labels or {}
        self.substantive = [r for r in rows if not r.boilerplate]

    @cached_property
    def weak(self) -> set[str]:
        return {iri for iri, c in self.t.concepts.items() if c.scheme == "action" and c.key in WEAK_ACTIONS}

    def by_plan(self) -> dict[str, Analysis]:
        """The analysis of each plan's duties, by plan IRI."""
        rows: dict[str, list[DutyRow]] = defaultdict(list)
        for row in self.rows:
            rows[row.plan].append(row)
        plans = {}
        for plan, own in rows.items():
            plans[plan] = Analysis(own, self.t, self.scenes, self.labels)
            plans[plan].__dict__["weak"] = self.weak
        return plans

    # ------------------------------------------------------------------ targets

    def targets(self, row: DutyRow) -> set[str]:
        """The objects and issues of a duty and everything they are narrower of, less its plan's scene."""
        found: set[str] = set()
        for concept in (*row.objects, *row.issues):
            found |= self.t.broader_closure(concept)
        return found - self.scene(row)

    def scene(self, row: DutyRow) -> Set[str]:
        return self.scenes.get(row.plan, frozenset())

    def _actions(self, row: DutyRow) -> set[str]:
        found: set[str] = set()
        for action in row.actions:
            found |= self.t.broader_closure(action)
        return found

    def _by_target(self) -> dict[str, dict[str, list[DutyRow]]]:
        table: dict[str, dict[str, list[DutyRow]]] = defaultdict(lambda: defaultdict(list))
        for row in self.substantive:
            for target in self.targets(row):
                for unit in row.units:
                    table[target][unit].append(row)
        return table

    # ------------------------------------------------------------------ findings

    def findings(self) -> list[Finding]:
        """Every plan's findings, the strongest of each kind first."""
        found = []
        for plan, analysis in sorted(self.by_plan().items()):
            for finding in analysis._shared() + analysis._fragmentation() + analysis._gaps():
                finding.plan = plan
                found.append(finding)
        found.sort(key=lambda f: (KINDS.index(f.kind), -f.score, f.target, f.units, f.plan))
        return found

    def _specificity(self, concept: str) -> float:
        """Deeper and rarer concepts make sharper findings."""
        depth = len(self.t.broader_closure(concept))
        return depth + 1.0 / (1 + len(self.t.narrower_closure(concept)))

    def _shared(self) -> list[Finding]:
        candidates: list[Finding] = []
        for target, by_unit in self._by_target().items():
            units = sorted(by_unit)
            if len(units) < 2 or not self.t.concepts.get(target, None) or not self.t.concepts[target].broader:
                continue  # top categories (vehicles, sites…) are fragmentation's business
            if len({frozenset(r.iri for r in by_unit[u]) for u in units}) == 1:
                continue  # one duty given to several units together is a joint assignment, not overlap
            actions = {u: set().union(*(self._actions(r) for r in by_unit[u])) - self.weak for u in units}
            groups = largest_groups(units, actions, {u: frozenset(r.iri for r in by_unit[u]) for u in units})
            covered: set[str] = set()
            for group in groups:
                shared = set.intersection(*(actions[u] for u in group))
                candidates.append(self._finding("duplication", target, list(group), shared, by_unit))
                covered |= set(group)
            if len(units) > len(covered) or not groups:
                candidates.append(self._finding("overlap", target, units, set(), by_unit))
        return self._most_specific(candidates)

    def _finding(self, kind: str, target: str, units: list[str], actions: set[str], by_unit) -> Finding:
        # Keep the most specific shared actions: "abatement control", not also its broader terms.
        specific = sorted(a for a in actions if not any(a != b and a in self.t.broader_closure(b) for b in actions))
        evidence = {u: sorted({r.iri for r in by_unit[u]}) for u in units}
        return Finding(kind, target, units, specific, evidence, score=len(units) * self._specificity(target))

    def _most_specific(self, findings: list[Finding]) -> list[Finding]:
        """Drop a finding when a narrower target tells the same story about the same units."""
        kept = []
        for f in findings:
            shadowed = any(
                g is not f
                and g.kind == f.kind
                and g.target != f.target
                and f.target in self.t.broader_closure(g.target)
                and set(g.units) >= set(f.units)
                for g in findings
            )
            if not shadowed:
                kept.append(f)
        return kept

    def _fragmentation(self) -> list[Finding]:
        by_category: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for row in self.substantive:
            for concept in row.objects:
                category = self.t.top(concept)
                for unit in row.units:
                    by_category[category][unit].add(row.iri)
        found = []
        for category, by_unit in by_category.items():
            if len(by_unit) >= FRAGMENTATION_UNITS:
                evidence = {u: sorted(d) for u, d in sorted(by_unit.items())}
                found.append(Finding("fragmentation", category, sorted(by_unit), [], evidence, score=len(by_unit)))
        return found

    def _gaps(self) -> list[Finding]:
        found = []
        direct: dict[str, list[DutyRow]] = defaultdict(list)
        for row in self.substantive:
            for concept in (*row.objects, *row.issues):
                if concept not in self.scene(row):
                    direct[concept].append(row)
        for concept, rows in sorted(direct.items()):
            if not any(r.role == "lead" for r in rows):
                units = sorted({u for r in rows for u in r.units})
                evidence = {u: sorted(r.iri for r in rows if u in r.units) for u in units}
                found.append(Finding("gap", concept, units, [], evidence, note="no lead", score=len(rows)))
        for row in self.rows:
            if not row.units:
                found.append(Finding("gap", "", [], [], {"": [row.iri]}, note="duty with no unit"))
        units = {u for r in self.rows for u in r.units}
        for unit in sorted(units):
            if not any(unit in r.units for r in self.substantive):
                own = sorted(r.iri for r in self.rows if unit in r.units)
                found.append(Finding("gap", "", [unit], [], {unit: own}, note="only boilerplate duties"))
        return found

    # ------------------------------------------------------------------ graphs

    def bipartite(self) -> nx.Graph:
        """Units and the targets (most specific objects and issues) of their substantive duties."""
        graph = nx.Graph()
        for row in self.substantive:
            for concept in (*row.objects, *row.issues):
                if concept in self.scene(row):
                    continue
                graph.add_node(concept, kind="concept", scheme=self.t.concepts[concept].scheme if concept in self.t.concepts else "")
                for unit in row.units:
                    graph.add_node(unit, kind="unit")
                    _count_edge(graph, unit, concept, row.iri)
        self._label(graph)
        return graph

    def projection(self) -> nx.Graph:
        """Unit–unit: how many targets (with their broader terms) two units of one plan share, and
        the Jaccard index."""
        targets: dict[str, set[str]] = defaultdict(set)
        together: dict[str, set[str]] = defaultdict(set)  # plan → its units
        for row in self.substantive:
            together[row.plan].update(row.units)
            for unit in row.units:
                targets[unit] |= self.targets(row)
        pairs = set()
        for units in together.values():
            pairs.update(combinations(sorted(units), 2))
        graph = nx.Graph()
        graph.add_nodes_from(targets, kind="unit")
        for a, b in sorted(pairs):
            shared = targets[a] & targets[b]
            if shared:
                union = targets[a] | targets[b]
                graph.add_edge(a, b, shared=len(shared), jaccard=round(len(shared) / len(union), 4),
                               targets=" ".join(sorted(shared)))
        self._label(graph)
        return graph

    def collaboration(self) -> nx.DiGraph:
        """Who works with whom: an edge from a unit to each partner named in its duties, by role."""
        graph = nx.DiGraph()
        for row in self.rows:
            for unit in row.units:
                graph.add_node(unit, kind="unit")
                for partner in row.partners:
                    graph.add_node(partner, kind="unit")
                    _count_edge(graph, unit, partner, row.iri, role=row.role)
            for a, b in combinations(sorted(row.units), 2):  # one duty given to several units jointly
                graph.add_edge(a, b, role="shared", weight=1, duties=row.iri)
        self._label(graph)
        return graph

    def centrality(self) -> list[dict]:
        """Which unit is the hub: degree in the overlap projection and betweenness in collaboration."""
        projection, collaboration = self.projection(), self.collaboration().to_undirected()
        degree = nx.degree_centrality(projection) if len(projection) > 1 else {}
        weighted = dict(projection.degree(weight="shared"))
        between = nx.betweenness_centrality(collaboration) if len(collaboration) > 2 else {}
        units = sorted(set(projection) | set(collaboration))
        table = [
            {"unit": u, "overlap_degree": round(degree.get(u, 0.0), 4), "shared_targets": weighted.get(u, 0),
             "collaboration_betweenness": round(between.get(u, 0.0), 4)}
            for u in units
        ]
        return sorted(table, key=lambda r: (-r["shared_targets"], r["unit"]))

    def _label(self, graph: nx.Graph) -> None:
        for node, data in graph.nodes(data=True):
            if node in self.t.concepts:
                concept = self.t.concepts[node]
                data["label_zh"], data["label_en"] = concept.pref_zh, concept.pref_en
            else:
                zh, en = self.labels.get(node, (node, node))
                data["label_zh"], data["label_en"] = zh, en


def largest_groups(units: list[str], actions: dict[str, set[str]],
                   duties: dict[str, frozenset[str]]) -> list[tuple[str, ...]]:
    """The largest groups of ``units`` (sorted) that share an action and do not all hold the same
    duties (one duty given to several units jointly), in name order.

    What trying every group from all ``units`` down to pairs finds, without trying them: a group
    sharing action ``a`` lies within the holders of ``a``; were it smaller than those holders and
    they held more than one set of duties, they would be a larger such group, and were they all to
    hold one set, so would it. So the largest groups are whole holders of an action. (Trying every
    group took longer than a server waits for one national-size plan set: ``C(n, k)`` groups.)"""
    holders: dict[str, list[str]] = defaultdict(list)
    for unit in units:
        for action in actions[unit]:
            holders[action].append(unit)
    groups = {tuple(group) for group in holders.values()
              if len(group) > 1 and len({duties[unit] for unit in group}) > 1}
    largest = max(map(len, groups), default=0)
    return sorted(group for group in groups if len(group) == largest)


def _count_edge(graph: nx.Graph, a: str, b: str, duty: str, **attributes) -> None:
    """Add the edge, or count one more duty on it; the duties travel with it (for GraphML, Gephi)."""
    if graph.has_edge(a, b):
        graph[a][b]["weight"] += 1
        graph[a][b]["duties"] += f" {duty}"
    else:
        graph.add_edge(a, b, weight=1, duties=duty, **attributes)
