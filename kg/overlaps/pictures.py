"""The pictures of ``/overlaps``: the overlap analysis (kg/overlaps/analysis.py) filtered and laid out for
people — the ranked findings with their clauses, the unit × unit heatmap, the unit–object network
and the collaboration network as node/edge lists vis-network draws, and the evidence of one pair.

Takes an ``Analysis`` and the filters a person chose (kind, action, issue, object category, each a
concept IRI checked against the thesaurus); returns plain dicts with both languages' labels and
local page paths (via ``kg.vocab.page_path``). Filtering by action, issue or category keeps the
duties that have it (or something narrower) and analyses only those, so every picture and every
finding tells the story of the filtered duties.
"""

from __future__ import annotations

from urllib.parse import urlencode

from ..errors import BadRequest
from ..vocab import page_path
from .analysis import KINDS, Analysis, DutyRow, Finding

FILTERS = ("plan", "kind", "action", "issue", "category")  # plan: a key the service checked
HEAT_LEVELS = 6  # 0 (nothing shared) … 5 (the most any pair shares)
KIND_LABELS = {
    "duplication": ("职责重复", "duplication"),
    "overlap": ("职责交叉", "overlap"),
    "fragmentation": ("多头管理", "fragmentation"),
    "gap": ("职责空白", "gap"),
}
ROLE_LABELS = {"lead": ("牵头", "lead"), "joint": ("会同", "joint"), "support": ("配合", "support"),
               "shared": ("共同承担", "shared")}


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

    return Analysis([r for r in analysis.rows if keep(r)], t, analysis.scenes, analysis.labels)


class Pictures:
    """``plans``: the build's plans (key, title) a person may choose from; ``analysis`` is of the
    chosen one (or of all)."""

    def __init__(self, analysis: Analysis, filters: dict[str, str], base_iri: str, plans: list[dict] | None = None):
        self.full = analysis
        self.plans = plans or []
        self.filters = check_filters(filters, analysis)
        self.a = filtered(analysis, self.filters)
        self.base = base_iri
        self.rows = {r.iri: r for r in analysis.rows}

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
        return {"iri": iri, "href": page_path(iri, self.base), "text": row.text, "role": row.role,
                "units": [self.unit(u) for u in row.units]}

    def query(self, **extra: str) -> str:
        return urlencode({**self.filters, **extra})

    # ------------------------------------------------------------------ the page

    def page(self) -> dict:
        findings = [f for f in self.a.findings() if self.filters.get("kind") in (None, f.kind)]
        findings.sort(key=lambda f: -f.score)
        return {
            "filters": self.filters,
            "options": self.options(),
            "counts": {k: sum(1 for f in self.a.findings() if f.kind == k) for k in KINDS},
            "kinds": [{"kind": k, "label_zh": KIND_LABELS[k][0], "label_en": KIND_LABELS[k][1]} for k in KINDS],
            "findings": [self.finding(f) for f in findings],
            "heatmap": self.heatmap(),
            "centrality": [{**self.unit(c["unit"]), **{k: v for k, v in c.items() if k != "unit"}}
                           for c in self.a.centrality()],
            "data": "/overlaps/data.json" + (f"?{self.query()}" if self.filters else ""),
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
        return {
            "kind": f.kind, "kind_zh": zh, "kind_en": en, "plan": f.plan,
            "target": self.concept(f.target) if f.target else None,
            "actions": [self.concept(a) for a in f.actions],
            "units": [self.unit(u) for u in f.units],
            "note": f.note,
            "score": round(f.score, 3),
            "evidence": [{**self.duty(d), "unit": self.unit(u) if u else None}
                         for u, duties in f.evidence.items() for d in duties],
        }

    def heatmap(self) -> dict:
        """Rows and columns are units (by Chinese label); a cell holds how many targets the pair
        shares, its level on the colour scale and the link to the pair's evidence."""
        projection = self.a.projection()
        units = sorted(projection.nodes, key=lambda u: self.unit(u)["label_zh"])
        peak = max((d["shared"] for _, _, d in projection.edges(data=True)), default=0)
        rows = []
        for i, x in enumerate(units):
            cells = []
            for j, y in enumerate(units):
                shared = projection[x][y]["shared"] if projection.has_edge(x, y) else 0
                level = 0 if not shared or not peak else max(1, round((HEAT_LEVELS - 1) * shared / peak))
                cells.append({
                    "shared": shared,
                    "jaccard": projection[x][y]["jaccard"] if shared else 0,
                    "level": level,
                    "self": i == j,
                    "href": f"/overlaps/pair?{self.query(a=x, b=y)}" if shared else None,
                    "column": j + 1,
                    "with_zh": self.unit(y)["label_zh"],
                    "with_en": self.unit(y)["label_en"],
                })
            rows.append({**self.unit(x), "number": i + 1, "cells": cells})
        return {"units": [{**self.unit(u), "number": i + 1} for i, u in enumerate(units)], "rows": rows,
                "peak": peak}

    def pair(self, a: str, b: str) -> dict | None:
        """What two units share: each shared target with the clauses of both sides."""
        projection = self.a.projection()
        if a not in projection or b not in projection:
            return None
        shared = sorted(set(projection[a][b]["targets"].split())) if projection.has_edge(a, b) else []
        targets = []
        for target in shared:
            sides = []
            for unit in (a, b):
                duties = [r.iri for r in self.a.substantive if unit in r.units and target in self.a.targets(r)]
                sides.append({"unit": self.unit(unit), "duties": [self.duty(d) for d in duties]})
            targets.append({"target": self.concept(target), "sides": sides})
        targets.sort(key=lambda t: (-len(self.a.t.broader_closure(t["target"]["iri"])), t["target"]["label_zh"]))
        return {"a": self.unit(a), "b": self.unit(b), "filters": self.filters, "shared": len(shared),
                "jaccard": projection[a][b]["jaccard"] if shared else 0, "targets": targets,
                "back": "/overlaps" + (f"?{self.query()}" if self.filters else "")}

    # ------------------------------------------------------------------ the networks (vis-network)

    def networks(self) -> dict:
        """Nodes and edges of the unit–object network and the collaboration network, plus the
        duties each node stands for (shown when a node is clicked)."""
        duties: dict[str, dict] = {}
        bipartite = self.a.bipartite()
        nodes, edges = [], []
        for node, data in sorted(bipartite.nodes(data=True)):
            own = sorted({d for _, _, e in bipartite.edges(node, data=True) for d in e["duties"].split()})
            for d in own:
                duties.setdefault(d, self.duty(d))
            group = "unit" if data["kind"] == "unit" else data.get("scheme") or "object"
            nodes.append({"id": node, "group": group, "label_zh": data["label_zh"], "label_en": data["label_en"],
                          "href": page_path(node, self.base), "value": bipartite.degree(node, weight="weight"),
                          "duties": own})
        for x, y, data in sorted(bipartite.edges(data=True)):
            unit, target = (x, y) if bipartite.nodes[x]["kind"] == "unit" else (y, x)
            edges.append({"from": unit, "to": target, "value": data["weight"]})
        collaboration = self.a.collaboration()
        c_nodes = [{"id": n, "label_zh": d["label_zh"], "label_en": d["label_en"], "href": page_path(n, self.base),
                    "value": collaboration.degree(n),
                    "duties": sorted({x for _, _, e in collaboration.edges(n, data=True) for x in e["duties"].split()}
                                     | {x for _, _, e in collaboration.in_edges(n, data=True) for x in e["duties"].split()})}
                   for n, d in sorted(collaboration.nodes(data=True))]
        for node in c_nodes:
            for d in node["duties"]:
                duties.setdefault(d, self.duty(d))
        c_edges = [{"from": x, "to": y, "role": d["role"], "role_zh": ROLE_LABELS[d["role"]][0],
                    "role_en": ROLE_LABELS[d["role"]][1], "value": d["weight"], "duties": d["duties"].split()}
                   for x, y, d in sorted(collaboration.edges(data=True))]
        return {"filters": self.filters,
                "network": {"nodes": nodes, "edges": edges},
                "collaboration": {"nodes": c_nodes, "edges": c_edges},
                "duties": duties}


def unit_overlaps(analysis: Analysis, unit: str, base_iri: str) -> list[dict]:
    """The units that share targets with ``unit``, most shared first, with the pair's link."""
    projection = analysis.projection()
    if unit not in projection:
        return []
    pictures = Pictures(analysis, {}, base_iri)
    out = [{**pictures.unit(other), "shared": d["shared"], "jaccard": d["jaccard"],
            "targets": [pictures.concept(t) for t in sorted(d["targets"].split())],
            "pair": "/overlaps/pair?" + urlencode({"a": unit, "b": other})}
           for other, d in projection[unit].items()]
    return sorted(out, key=lambda o: (-o["shared"], o["label_zh"]))
