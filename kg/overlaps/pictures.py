"""The pictures of ``/overlaps``: the findings of one plan ranked, with the clauses of every side; the
party × party heatmap ordered by clusters of parties that share findings; the network of shared
targets and the collaboration network, laid out here (kg/overlaps/layout.py) so that vis-network draws
the same picture on every reload; and the evidence of one pair of units.

Takes an ``Analysis`` (of the plan shown) and the filters a person chose (kind, action, issue, object
category, each a concept IRI checked against the thesaurus); returns plain dicts with both languages'
labels and local page paths (via ``kg.vocab.page_path``). Filtering by action, issue or category keeps
the duties that have it (or something narrower) and analyses only those, so every picture and every
finding tells the story of the filtered duties.
"""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import urlencode

import networkx as nx

from ..errors import BadRequest
from ..vocab import page_path
from .analysis import KINDS, Analysis, DutyRow, Finding
from .layout import layouts, wrap

FILTERS = ("plan", "kind", "action", "issue", "category")  # plan: a key the service checked
HEAT_LEVELS = 6  # 0 (nothing shared) … 5 (the most any pair shares)
PAIR_LINKS = 6  # pair pages a finding links to
KIND_LABELS = {
    "duplication": ("职责重复", "duplication"),
    "overlap": ("职责交叉", "overlap"),
    "fragmentation": ("多头管理", "fragmentation"),
    "gap": ("职责空白", "gap"),
}
NOTE_LABELS = {"no lead": ("无牵头单位", "no lead"), "only boilerplate duties": ("只有套话职责", "only boilerplate duties"),
               "duty with no unit": ("职责没有单位", "duty with no unit")}
ROLE_LABELS = {"lead": ("牵头", "lead"), "joint": ("会同", "joint"), "support": ("配合", "support"),
               "shared": ("同一条目", "same entry")}


def check_filters(filters: dict[str, str], analysis: Analysis) -> dict[str, str]:
    """Only known kinds and concepts of the right scheme; anything else is the caller's mistake."""
    chosen = {k: v for k, v in filters.items() if k in FILTERS and v}
    if "kind" in chosen and chosen["kind"] not in KINDS:
        raise BadRequest(f"unknown kind {chosen['kind']!r}; use {', '.join(KINDS)}")
    schemes = {"action": "action", "issue": "issue", "category": "object"}
    for name, scheme in schemes.items():
        if name in chosen:
            concept = analysis.t.concepts.get(chosen[name])
            if concept is None or concept.scheme != scheme:
                raise BadRequest(f"{name} must be a concept of the {scheme} scheme, not {chosen[name]!r}")
    return chosen


def filtered(analysis: Analysis, filters: dict[str, str]) -> Analysis:
    """The analysis of the duties that have the chosen action, issue and object category."""
    if not any(filters.get(k) for k in ("action", "issue", "category")):
        return analysis
    t = analysis.t

    def keep(row: DutyRow) -> bool:
        if filters.get("action") and not any(filters["action"] in t.broader_closure(a) for a in row.actions):
            return False
        if filters.get("issue") and not any(filters["issue"] in t.broader_closure(i) for i in row.issues):
            return False
        if filters.get("category") and not any(t.top(o) == filters["category"] for o in row.objects):
            return False
        return True

    return Analysis([r for r in analysis.rows if keep(r)], t, analysis.scenes, analysis.labels, analysis.v)


class Pictures:
    """``plans``: the build's plans a person may choose from (dicts with key, title, place_zh,
    place_en, units); ``plan``: the one shown (None: every plan of a small build)."""

    def __init__(self, analysis: Analysis, filters: dict[str, str], base_iri: str, plans: list[dict] | None = None,
                 plan: dict | None = None, lang: str = "zh"):
        self.full = analysis
        self.plans = plans or []
        self.plan = plan
        self.lang = "en" if lang == "en" else "zh"
        self.filters = check_filters(filters, analysis)
        self.a = filtered(analysis, self.filters)
        self.base = base_iri
        self.rows = {r.iri: r for r in analysis.rows}
        self.by_iri = {p.get("iri"): p for p in self.plans}

    # ------------------------------------------------------------------ labels and links

    def unit(self, iri: str) -> dict:
        zh, en = self.a.labels.get(iri, (iri.rsplit("/", 1)[-1],) * 2)
        return {"iri": iri, "label_zh": zh, "label_en": en, "href": page_path(iri, self.base)}

    def concept(self, iri: str) -> dict:
        c = self.a.t.concepts.get(iri)
        zh, en = (c.pref_zh, c.pref_en) if c else (iri, iri)
        return {"iri": iri, "label_zh": zh, "label_en": en, "scheme": c.scheme if c else "",
                "href": page_path(iri, self.base)}

    def duty(self, iri: str) -> dict:
        row = self.rows[iri]
        reading = self.a.readings.get(iri)
        return {"iri": iri, "href": page_path(iri, self.base), "text": row.text, "role": row.role,
                "leads": reading.leads if reading else row.role != "support",
                "units": [self.unit(u) for u in row.units]}

    def plan_of(self, iri: str) -> dict:
        plan = self.by_iri.get(iri) or {"iri": iri, "key": iri.rsplit("/", 1)[-1], "title": iri.rsplit("/", 1)[-1]}
        return {k: plan.get(k) for k in ("iri", "key", "title", "place_zh", "place_en")}

    def query(self, **extra: str) -> str:
        return urlencode({**self.filters, **extra})

    def _pair_href(self, a: str, b: str) -> str:
        return f"/overlaps/pair?{self.query(a=a, b=b)}"

    # ------------------------------------------------------------------ the page

    def page(self) -> dict:
        findings = [f for f in self.a.findings() if self.filters.get("kind") in (None, f.kind)]
        findings.sort(key=lambda f: (tuple(-n for n in f.strength), KINDS.index(f.kind), f.target))
        downloads = {fmt: f"/api/overlaps.{fmt}?" + urlencode({"plan": self.plan["key"]} if self.plan else {})
                     for fmt in ("csv", "graphml", "gexf")}
        return {
            "plan": self.plan,
            "filters": self.filters,
            "options": self.options(),
            "counts": {k: sum(1 for f in self.a.findings() if f.kind == k) for k in KINDS},
            "kinds": [{"kind": k, "label_zh": KIND_LABELS[k][0], "label_en": KIND_LABELS[k][1]} for k in KINDS],
            "findings": [self.finding(f) for f in findings],
            "heatmap": self.heatmap(),
            "centrality": [{**self.unit(c["unit"]), **{k: v for k, v in c.items() if k != "unit"}}
                           for c in self.a.centrality()],
            "data": "/overlaps/data.json?" + self.query(lang=self.lang),
            "downloads": {k: v.rstrip("?") for k, v in downloads.items()},
        }

    def options(self) -> dict:
        """What each filter can choose: the actions, issues and categories of the duties."""
        t, rows = self.full.t, self.full.substantive
        actions = {a for r in rows for a in r.actions}
        issues = {i for r in rows for i in r.issues if i not in self.full.scene(r)}
        categories = {t.top(o) for r in rows for o in r.objects}

        def listed(iris):
            return sorted((self.concept(i) for i in iris if i in t.concepts), key=lambda c: c["label_en"])

        return {"action": listed(actions), "issue": listed(issues), "category": listed(categories),
                "plan": self.plans if len(self.plans) > 1 else []}

    def finding(self, f: Finding) -> dict:
        zh, en = KIND_LABELS[f.kind]
        parties = []
        for party in f.parties:
            duties = [self.duty(d) for d in f.evidence.get(party[0], [])]
            parties.append({"units": [self.unit(u) for u in party], "leads": bool(set(party) & set(f.lead)),
                            "clauses": duties})
        pairs = []
        if f.kind != "gap":
            for i, p in enumerate(f.parties):
                for q in f.parties[i + 1 :]:
                    pairs.append({"a": self.unit(p[0]), "b": self.unit(q[0]), "href": self._pair_href(p[0], q[0])})
        n, leading, clauses = f.strength
        note_zh, note_en = NOTE_LABELS.get(f.note, (f.note, f.note))
        return {
            "kind": f.kind, "kind_zh": zh, "kind_en": en,
            "plan": self.plan_of(f.plan) if f.plan else None,
            "target": self.concept(f.target) if f.target else None,
            "also": [self.concept(c) for c in f.also],
            "actions": [self.concept(a) for a in f.actions],
            "units": [self.unit(u) for u in f.units],
            "parties": parties,
            "note": f.note, "note_zh": note_zh if f.note else "", "note_en": note_en if f.note else "",
            "strength": {"units": n, "leading": leading, "clauses": clauses},
            "pairs": pairs[:PAIR_LINKS],
        }

    # ------------------------------------------------------------------ the heatmap

    def _parties(self) -> list[tuple[str, ...]]:
        return sorted({tuple(sorted(r.units)) for r in self.a.substantive if r.units})

    def _party_label(self, party: tuple[str, ...]) -> dict:
        zh = "、".join(self.unit(u)["label_zh"] for u in party)
        en = "; ".join(self._short_en(u) for u in party)
        return {"iri": party[0], "units": [self.unit(u) for u in party], "label_zh": zh, "label_en": en,
                "href": page_path(party[0], self.base)}

    def _short_en(self, unit: str) -> str:
        """"Liaocheng Municipal Public Security Bureau" is "Municipal Public Security Bureau" on a
        picture of Liaocheng's plan."""
        label = self.unit(unit)["label_en"]
        place = (self.plan or {}).get("place_en") or ""
        return label[len(place) :].strip() if place and label.startswith(place + " ") else label

    def heatmap(self) -> dict:
        """Rows and columns are parties (units named together are one), only those that share a
        finding with another, ordered by clusters of parties that share (greedy modularity on the
        findings they share), busiest first within a cluster; a cell counts the findings naming both."""
        shared: dict[frozenset, list[Finding]] = defaultdict(list)
        for f in self.a.findings():
            if f.kind == "gap":
                continue
            for i, p in enumerate(f.parties):
                for q in f.parties[i + 1 :]:
                    shared[frozenset((p, q))].append(f)
        graph = nx.Graph()
        for pair, found in shared.items():
            p, q = sorted(pair)
            graph.add_edge(p, q, weight=len(found))
        order = []
        if graph.number_of_edges():
            clusters = nx.community.greedy_modularity_communities(graph, weight="weight")
            strength = dict(graph.degree(weight="weight"))
            for cluster in sorted(clusters, key=lambda c: (-len(c), -sum(strength[p] for p in c), min(c))):
                order += sorted(cluster, key=lambda p: (-strength[p], p))
        peak = max((len(v) for v in shared.values()), default=0)
        rows = []
        for i, p in enumerate(order):
            cells = []
            for j, q in enumerate(order):
                found = shared.get(frozenset((p, q)), []) if p != q else []
                level = 0 if not found else max(1, round((HEAT_LEVELS - 1) * len(found) / peak))
                cells.append({
                    "shared": len(found), "level": level, "self": i == j,
                    "kinds_zh": "、".join(f"{KIND_LABELS[f.kind][0]} {self.concept(f.target)['label_zh']}" for f in found),
                    "kinds_en": "; ".join(f"{f.kind} {self.concept(f.target)['label_en']}" for f in found),
                    "href": self._pair_href(p[0], q[0]) if found else None,
                    "with": self._party_label(q),
                })
            rows.append({**self._party_label(p), "cells": cells})
        quiet = [self._party_label(p) for p in self._parties() if p not in graph]
        return {"columns": [self._party_label(p) for p in order], "rows": rows, "peak": peak, "quiet": quiet}

    # ------------------------------------------------------------------ the pair page

    def pair(self, a: str, b: str) -> dict | None:
        """What two units share: the findings naming both, with each side's clauses once."""
        units = {u for r in self.a.rows for u in r.units}
        if a not in units or b not in units:
            return None
        party_of = {u: tuple(sorted(r.units)) for r in self.a.rows for u in r.units}
        same_entry = party_of[a] == party_of[b] and a != b
        found = []
        for f in self.a.findings():
            sides = [next((p for p in f.parties if u in p), None) for u in (a, b)]
            if f.kind == "gap" or None in sides or sides[0] == sides[1]:
                continue
            found.append({**self.finding(f), "sides": [
                {"units": [self.unit(u) for u in side], "clauses": [self.duty(d) for d in f.evidence.get(side[0], [])]}
                for side in sides]})
        return {"a": self.unit(a), "b": self.unit(b), "filters": self.filters, "same_entry": same_entry,
                "plan": self.plan, "findings": found, "shared": len(found),
                "back": "/overlaps" + (f"?{self.query()}" if self.filters else "")}

    # ------------------------------------------------------------------ the networks (vis-network)

    def _label(self, node: str) -> str:
        if node in self.a.t.concepts:
            return self.concept(node)[f"label_{self.lang}"]
        return self._short_en(node) if self.lang == "en" else self.unit(node)["label_zh"]

    def networks(self) -> dict:
        """The network of shared targets (each finding's target, or field, and its parties' units;
        edges coloured by the finding's kind) and the collaboration network (units and the partners
        their duties name; units that name none are listed, not drawn), each with a fixed layout per
        picture width, and the duties a click on a node lists."""
        duties: dict[str, dict] = {}
        shared = nx.Graph()
        edge_kind: dict[tuple[str, str], str] = {}
        for f in self.a.findings():
            if not f.target or f.kind not in KINDS:
                continue
            concept = self.a.t.concepts.get(f.target)
            shared.add_node(f.target, kind="concept", group=concept.scheme if concept else "object")
            for party in f.parties:
                for unit in party:
                    shared.add_node(unit, kind="unit", group="unit")
                    key = (unit, f.target)
                    if key not in edge_kind or KINDS.index(f.kind) < KINDS.index(edge_kind[key]):
                        edge_kind[key] = f.kind
                    shared.add_edge(unit, f.target)
                    for d in f.evidence.get(party[0], []):
                        duties.setdefault(d, self.duty(d))
        own: dict[str, list[str]] = defaultdict(list)
        for r in self.a.substantive:
            for u in r.units:
                own[u].append(r.iri)
        nodes = []
        for node, data in sorted(shared.nodes(data=True)):
            listed = own[node] if data["kind"] == "unit" else sorted(
                {d for f in self.a.findings() if f.target == node for ds in f.evidence.values() for d in ds})
            for d in listed:
                duties.setdefault(d, self.duty(d))
            base = self.concept(node) if data["kind"] == "concept" else self.unit(node)
            nodes.append({"id": node, "group": data["group"], "label_zh": base["label_zh"], "label_en": base["label_en"],
                          "label": "\n".join(wrap(self._label(node))), "href": base["href"], "duties": listed})
        edges = [{"from": u, "to": t, "kind": k} for (u, t), k in sorted(edge_kind.items())]
        collaboration = self.a.collaboration()
        talking = nx.DiGraph()
        talking.add_edges_from((x, y, d) for x, y, d in collaboration.edges(data=True))
        c_nodes = []
        for n in sorted(talking.nodes):
            listed = sorted({x for _, _, e in collaboration.edges(n, data=True) for x in e["duties"].split()}
                            | {x for _, _, e in collaboration.in_edges(n, data=True) for x in e["duties"].split()})
            for d in listed:
                duties.setdefault(d, self.duty(d))
            base = self.unit(n)
            c_nodes.append({"id": n, "label_zh": base["label_zh"], "label_en": base["label_en"],
                            "label": "\n".join(wrap(self._label(n))), "href": base["href"], "duties": listed})
        c_edges = [{"from": x, "to": y, "role": d["role"], "role_zh": ROLE_LABELS[d["role"]][0],
                    "role_en": ROLE_LABELS[d["role"]][1], "value": d["weight"], "duties": d["duties"].split()}
                   for x, y, d in sorted(collaboration.edges(data=True))]
        alone = [self.unit(n) for n in sorted(collaboration.nodes) if n not in talking
                 and any(n in r.units for r in self.a.rows)]
        return {"filters": self.filters, "lang": self.lang,
                "network": {"nodes": nodes, "edges": edges,
                            "layouts": layouts(shared, {n["id"]: self._label(n["id"]) for n in nodes})},
                "collaboration": {"nodes": c_nodes, "edges": c_edges, "alone": alone,
                                  "layouts": layouts(talking, {n["id"]: self._label(n["id"]) for n in c_nodes})},
                "duties": duties}


def unit_overlaps(analysis: Analysis, unit: str, base_iri: str) -> list[dict]:
    """The units that share findings with ``unit`` (within its plans), most first, with the pair's link."""
    pictures = Pictures(analysis, {}, base_iri)
    found: dict[str, list[Finding]] = defaultdict(list)
    for f in analysis.findings():
        if f.kind == "gap":
            continue
        mine = next((p for p in f.parties if unit in p), None)
        if mine is None:
            continue
        for party in f.parties:
            if party != mine:
                found[party[0]].append(f)
    out = [{**pictures.unit(other), "shared": len(fs),
            "findings": [{"kind": f.kind, "kind_zh": KIND_LABELS[f.kind][0], "kind_en": f.kind,
                          "target": pictures.concept(f.target)} for f in fs],
            "targets": [pictures.concept(f.target) for f in fs],
            "pair": "/overlaps/pair?" + urlencode({"a": unit, "b": other})}
           for other, fs in found.items()]
    return sorted(out, key=lambda o: (-o["shared"], o["label_zh"]))
