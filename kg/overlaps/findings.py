"""The four kinds of finding, after the U.S. GAO's definitions, over the readings of one plan's clauses.

Takes the ``Reading`` of each substantive clause of one plan (kg/overlaps/reading.py), the
``Vocabulary``, the plan's scene and the units' names; returns ``Finding``s. A party is the units of
one entry (named together, they are one); two parties **meet** on a target when both act on it in a
substantive clause, the clauses are not one designed joint duty (会同/联合 the other), neither
steers the other (生态环境局 指导各县 修订 what the counties revise: one task seen from two levels),
and they are not split by scope (施工扬尘 at building sites against at municipal works).

- **duplication**: parties that meet on a target and do the same there (both 查处, both 指导和监督);
- **overlap**: parties that meet on a target and do different things there (审批 against 查处);
- **fragmentation**: a field of work (a family such as 扬尘, or a thing with its parts) that three
  parties or more hold in pieces that do not meet: nobody holds it whole;
- **gap**: a target on which no clause leads (every one only 配合/参与), or a party with nothing but
  boilerplate, or a duty with no unit.

One set of clauses makes one finding of a kind: a finding whose clauses and parties another finding
of its kind already has is dropped (the synonym, the broader word, the same clause's other noun).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import combinations

from ..text import fold_width
from .concepts import Vocabulary
from .reading import Reading

KINDS = ("duplication", "overlap", "fragmentation", "gap")
FRAGMENTATION_PARTIES = 3  # a field held in pieces by this many parties or more is fragmented
TAKES_PART = "takes-part"


@dataclass
class Finding:
    kind: str
    target: str  # concept IRI ("" for a party's or a duty's gap)
    units: list[str]  # every unit of every party, sorted
    parties: list[tuple[str, ...]] = field(default_factory=list)  # units named together are one party
    actions: list[str] = field(default_factory=list)  # what a duplication's parties all do
    evidence: dict[str, list[str]] = field(default_factory=dict)  # a party's first unit → duty IRIs
    lead: list[str] = field(default_factory=list)  # units whose clauses on it lead
    note: str = ""  # "no lead" | "only boilerplate duties" | "duty with no unit"
    plan: str = ""
    also: list[str] = field(default_factory=list)  # other targets the same clauses name
    first: str = ""  # the first clause that names the target itself

    @property
    def clauses(self) -> frozenset[str]:
        return frozenset(d for duties in self.evidence.values() for d in duties)

    @property
    def strength(self) -> tuple[int, int, int]:
        """What ranks it: parties, parties with a lead role, clauses ("3 units, 2 lead, 4 clauses")."""
        leading = {p for p in self.parties if set(p) & set(self.lead)}
        return len(self.parties), len(leading), len(self.clauses)


class PlanFindings:
    def __init__(self, readings: list[Reading], vocabulary: Vocabulary, scene: frozenset[str],
                 names: Mapping[str, str]):
        self.readings = readings
        self.v = vocabulary
        self.scene = scene
        self.names = {u: fold_width(n) for u, n in names.items()}
        self.meetings: dict[frozenset[tuple[str, ...]], set[str]] = defaultdict(set)  # pair → targets met on

    # ------------------------------------------------------------------ who meets whom

    def _addresses(self, r: Reading, party: tuple[str, ...]) -> bool:
        return any(self.names.get(u, "").startswith(fold_width(a)) for a in r.addressees for u in party)

    def _scope(self, readings: list[Reading], target: str) -> set[str]:
        found = set().union(*(r.scopes.get(target, frozenset()) for r in readings))
        return {s for s in found if not any(o != s and self.v.within(o, s) for o in found)}

    def _compatible(self, a: set[str] | frozenset[str], b: set[str] | frozenset[str]) -> bool:
        """Scopes that do not exclude each other: one is open, or two nest (a road and an urban road).
        Two scopes that do not nest split the target (施工扬尘 at building sites, at municipal works)."""
        return not a or not b or any(self.v.nested(x, y) for x in a for y in b)

    def _meet(self, p: tuple[str, ...], mine: list[Reading], q: tuple[str, ...], theirs: list[Reading],
              target: str) -> bool:
        if self.v.scheme(target) != "action" and not self._compatible(self._scope(mine, target), self._scope(theirs, target)):
            return False  # split by scope: 施工扬尘 at building sites, at municipal works; 旅客 at stations, at scenic spots
        for a in mine:
            for b in theirs:
                if set(a.joint) & set(q) or set(b.joint) & set(p):
                    continue  # one joint duty, designed so: 负责联合市气象局… / 与市生态环境局共同…
                if self._addresses(a, q) or self._addresses(b, p):
                    continue  # guidance from above: one task seen from two levels
                if a.tasks and b.tasks and not self._compatible(a.context, b.context):
                    continue  # the same verb on different things: 暂停 渣土运输核准, 暂停 体育比赛
                return True
        return False

    # ------------------------------------------------------------------ the findings

    def findings(self) -> list[Finding]:
        shared, gaps = self._shared_and_gaps()
        return _most_telling(shared) + self._fragmentation() + _most_telling(gaps)

    def _holders(self) -> dict[str, dict[tuple[str, ...], list[Reading]]]:
        """Per target a clause names, the parties whose clauses act on it or on a thing of its kind
        (渣土车 and 渣土运输核准 are one target)."""
        named: dict[str, list[Reading]] = defaultdict(list)
        for r in self.readings:
            for target in r.targets:
                named[target].append(r)
        table: dict[str, dict[tuple[str, ...], list[Reading]]] = {}
        for target in named:
            kin = self.v.same_kind(target) if self.v.scheme(target) != "action" else {target}
            by_party: dict[tuple[str, ...], list[Reading]] = defaultdict(list)
            for other in kin & set(named):
                for r in named[other]:
                    if r not in by_party[r.party]:
                        by_party[r.party].append(r)
            table[target] = by_party
        return table

    def _shared_and_gaps(self) -> tuple[list[Finding], list[Finding]]:
        shared, gaps = [], []
        for target, by_party in sorted(self._holders().items()):
            if not any(r.leads for rs in by_party.values() for r in rs):
                gaps.append(self._finding("gap", target, by_party, note="no lead"))
            active = {p: [r for r in rs if r.substantive] for p, rs in by_party.items()}
            active = {p: rs for p, rs in active.items() if rs}
            links = [(p, q) for p, q in combinations(sorted(active), 2) if self._meet(p, active[p], q, active[q], target)]
            for p, q in links:
                self.meetings[frozenset((p, q))].add(target)
            manner = {p: set().union(*(r.manner.get(t, frozenset()) for r in rs for t in self.v.same_kind(target)))
                      - {TAKES_PART} for p, rs in active.items()}
            met = {frozenset(link) for link in links}
            for component in _components(links):
                members = {p: active[p] for p in component}
                holders = {a: [p for p in component if a in manner[p]] for a in set().union(*manner.values())}
                groups = _largest([(a, clique) for a, ps in sorted(holders.items()) for clique in _cliques(ps, met)])
                for group, actions in groups:
                    shared.append(self._finding("duplication", target, {p: members[p] for p in group}, actions=actions))
                apart = [(p, q) for p, q in links if p in component and not manner[p] & manner[q]]
                if apart:
                    shared.append(self._finding("overlap", target, members))
        return shared, gaps

    def _finding(self, kind: str, target: str, by_party: Mapping[tuple[str, ...], list[Reading]],
                 note: str = "", actions: set[str] | frozenset[str] = frozenset()) -> Finding:
        parties = sorted(by_party)
        specific = sorted(a for a in actions if not any(a != b and self.v.within(b, a) for b in actions))
        return Finding(
            kind=kind, target=target,
            units=sorted({u for p in parties for u in p}),
            parties=parties,
            actions=specific,
            evidence={p[0]: sorted({r.iri for r in by_party[p]}) for p in parties},
            lead=sorted({u for p in parties for r in by_party[p] if r.leads for u in p}),
            note=note,
            first=min((r.iri for rs in by_party.values() for r in rs if target in r.targets | r.things | r.parts),
                      default=""),
            also=sorted({o for rs in by_party.values() for r in rs for o in r.places.get(target, ())}
                        if kind != "fragmentation" else ()),
        )

    def _fragmentation(self) -> list[Finding]:
        fields: set[str] = set()
        for r in self.readings:
            for concept in r.things | r.parts:
                for broader in self.v.broader(concept):
                    fields.add(broader)
                    for other in self.v.across(broader):
                        fields |= self.v.broader(other)
        candidates = []
        for family in sorted(f for f in fields if not self.v.is_category(f) and f not in self.scene):
            extent = self.v.extent(family)
            by_party: dict[tuple[str, ...], list[Reading]] = defaultdict(list)
            for r in self.readings:
                if (r.things | r.parts) & extent:
                    by_party[r.party].append(r)
            if len(by_party) < FRAGMENTATION_PARTIES:
                continue
            links = [tuple(pair) for pair, targets in self.meetings.items()
                     if targets & extent and set(pair) <= set(by_party)]
            pieces = _components(links)
            pieces += [[p] for p in by_party if not any(p in piece for piece in pieces)]
            if len(pieces) >= 2:
                candidates.append((family, self._finding("fragmentation", family, by_party)))
        kept = []
        for family, f in candidates:
            wider = [g for other, g in candidates if g is not f and f.clauses <= g.clauses and (
                f.clauses < g.clauses or len(self.v.extent(other)) > len(self.v.extent(family))
                or (len(self.v.extent(other)) == len(self.v.extent(family)) and other < family))]
            if not wider:
                kept.append(f)
        return kept

def _components(links: list[tuple]) -> list[list]:
    """Connected groups of the pairs' members, each sorted."""
    parent: dict = {}

    def root(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in links:
        parent[root(a)] = root(b)
    groups: dict = defaultdict(list)
    for x in list(parent):
        groups[root(x)].append(x)
    return sorted(sorted(g) for g in groups.values() if len(g) > 1)


def _cliques(parties: list, met: set[frozenset]) -> list[list]:
    """The largest groups of ``parties`` in which every two meet (a duplication is between parties
    that each meet the others, not a chain through a party whose clause says little)."""
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(parties)
    graph.add_edges_from(tuple(pair) for pair in met if pair <= set(parties))
    return sorted(sorted(c) for c in nx.find_cliques(graph) if len(c) > 1)


def _largest(holders: list[tuple[str, list]]) -> list[tuple[tuple, set[str]]]:
    """Groups of two parties or more that do the same thing, with what they all do; none inside another."""
    groups: dict[tuple, set[str]] = defaultdict(set)
    for action, parties in holders:
        if len(parties) > 1:
            groups[tuple(sorted(parties))].add(action)
    return sorted((g, a) for g, a in groups.items() if not any(set(g) < set(h) for h in groups))


SCHEME_ORDER = {"object": 0, "issue": 1, "action": 2}


def _preference(f: Finding) -> tuple:
    """Which of two findings on the same clauses names them: a thing before a problem before a task,
    then the word of the earliest clause."""
    scheme = f.target.split("/concept/")[-1].split("/")[0]
    return SCHEME_ORDER.get(scheme, 3), f.first, f.target


def _most_telling(findings: list[Finding]) -> list[Finding]:
    """One finding per set of clauses and parties: the others are the same story under another word."""
    kept = []
    for f in findings:
        rivals = [g for g in findings if g is not f and g.kind == f.kind and f.clauses <= g.clauses
                  and set(f.units) <= set(g.units)]
        if any(f.clauses < g.clauses or set(f.units) < set(g.units) or _preference(g) < _preference(f) for g in rivals):
            continue
        kept.append(f)
    for f in kept:
        f.also = sorted(set(f.also) | {g.target for g in findings if g is not f and g.kind == f.kind
                                       and g.clauses <= f.clauses and set(g.units) <= set(f.units) and g.target != f.target})
    return kept
