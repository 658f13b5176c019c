"""Read-model pieces of the service: the SPARQL that reads duties and plans out of the store, the
conversion of its rows to plain values, and the JSON shape of overlap and plan reports (labels in
both languages for every IRI).
"""

from __future__ import annotations

from ..extraction.thesaurus import Thesaurus
from ..overlaps.analysis import KINDS, Analysis, DutyRow, Finding
from ..vocab import is_true, values

# One row per duty; each multi-valued property concatenated in a sub-select of its own, so the
# engine never multiplies units × actions × objects × issues × partners.
# %PLANS% restricts a pattern to some plans' duties (``duty_rows_query``): in every sub-select, or
# the engine groups the values of every duty of the store before joining them with the few wanted.
DUTY_ROWS_QUERY = """
SELECT ?duty ?text ?plan ?role ?boilerplate ?units ?actions ?objects ?issues ?partners WHERE {
  %PLANS% ?duty a dg:Duty ; dg:text ?text ; dg:plan ?plan ; dg:role ?role .
  BIND(EXISTS { ?duty a dg:BoilerplateDuty } AS ?boilerplate)
  OPTIONAL { SELECT ?duty (GROUP_CONCAT(STR(?v); separator=" ") AS ?units) WHERE { %PLANS% ?duty dg:assignedTo ?v } GROUP BY ?duty }
  OPTIONAL { SELECT ?duty (GROUP_CONCAT(STR(?v); separator=" ") AS ?actions) WHERE { %PLANS% ?duty dg:action ?v } GROUP BY ?duty }
  OPTIONAL { SELECT ?duty (GROUP_CONCAT(STR(?v); separator=" ") AS ?objects) WHERE { %PLANS% ?duty dg:object ?v } GROUP BY ?duty }
  OPTIONAL { SELECT ?duty (GROUP_CONCAT(STR(?v); separator=" ") AS ?issues) WHERE { %PLANS% ?duty dg:issue ?v } GROUP BY ?duty }
  OPTIONAL { SELECT ?duty (GROUP_CONCAT(STR(?v); separator=" ") AS ?partners) WHERE { %PLANS% ?duty dg:partner ?v } GROUP BY ?duty }
}
ORDER BY ?duty
"""
PLANS_QUERY = """
SELECT ?plan ?title ?place_zh ?place_en ?level ?year ?source ?types ?units ?duties WHERE {
  ?plan a dg:Plan ; dcterms:title ?title ; dcterms:source ?source .
  OPTIONAL { ?plan dg:placeName ?place_zh FILTER(LANG(?place_zh) = "zh") }
  OPTIONAL { ?plan dg:placeName ?place_en FILTER(LANG(?place_en) = "en") }
  OPTIONAL { ?plan dg:level ?level }
  OPTIONAL { ?plan dg:year ?year }
  OPTIONAL { SELECT ?plan (GROUP_CONCAT(STR(?t); separator=" ") AS ?types) WHERE { ?plan dg:emergencyType ?t } GROUP BY ?plan }
  OPTIONAL { SELECT ?plan (COUNT(DISTINCT ?u) AS ?units) WHERE { ?m org:member ?u ; dg:record/dg:plan ?plan } GROUP BY ?plan }
  OPTIONAL { SELECT ?plan (COUNT(?d) AS ?duties) WHERE { ?d a dg:Duty ; dg:plan ?plan } GROUP BY ?plan }
}
ORDER BY ?plan
"""
UNIT_TYPES_QUERY = "SELECT ?unit ?type WHERE { ?unit a dg:MemberUnit ; dg:agencyType ?type }"
ORG_LABELS_QUERY = """
SELECT ?org ?zh ?en WHERE {
  ?org a ?kind ; skos:prefLabel ?zh, ?en .
  VALUES ?kind { dg:MemberUnit org:Organization }
  FILTER(LANG(?zh) = "zh" && LANG(?en) = "en")
}
"""


def _iris(value: str | None) -> tuple[str, ...]:
    return tuple(sorted(filter(None, (value or "").split())))


def duty_rows_query(plans: list[str] | None = None) -> str:
    """DUTY_ROWS_QUERY over every plan, or over the plans (IRIs) named."""
    if plans is None:
        return DUTY_ROWS_QUERY.replace("%PLANS% ", "")
    within = "VALUES ?plan { " + values(plans) + " } ?duty dg:plan ?plan ."
    return DUTY_ROWS_QUERY.replace("%PLANS%", within)


def duty_rows_from(rows: list[dict]) -> list[DutyRow]:
    return [
        DutyRow(
            iri=row["duty"],
            text=row["text"],
            plan=row["plan"],
            role=row["role"].rsplit("#", 1)[-1],
            units=_iris(row["units"]),
            actions=_iris(row["actions"]),
            objects=_iris(row["objects"]),
            issues=_iris(row["issues"]),
            partners=_iris(row["partners"]),
            boilerplate=is_true(row["boilerplate"]),
        )
        for row in rows
    ]


class Labeller:
    """Units and concepts as {iri, label_zh, label_en}: how every report names things."""

    def __init__(self, thesaurus: Thesaurus, organisations: dict[str, tuple[str, str]]):
        self.thesaurus = thesaurus
        self.organisations = organisations

    def unit(self, iri: str) -> dict:
        zh, en = self.organisations.get(iri, (iri, iri))
        return {"iri": iri, "label_zh": zh, "label_en": en}

    def concept(self, iri: str) -> dict:
        concept = self.thesaurus.concepts.get(iri)
        if concept is None:
            return {"iri": iri, "label_zh": "", "label_en": ""}
        return {"iri": iri, "scheme": concept.scheme, "label_zh": concept.pref_zh, "label_en": concept.pref_en}

    def finding(self, f: Finding, rows: dict[str, DutyRow], plans: dict[str, dict] | None = None,
                readings: dict | None = None) -> dict:
        """A finding as the API, the CLI and the CSV give it: its plan (title and place), target,
        parties (units named together are one), which units lead, what ranks it, and every clause."""
        n, leading, clauses = f.strength
        plan = (plans or {}).get(f.plan) or {"iri": f.plan, "key": f.plan.rsplit("/", 1)[-1], "title": ""}
        readings = readings or {}
        return {
            "kind": f.kind,
            "plan": {k: plan.get(k) for k in ("iri", "key", "title", "place_zh", "place_en")} if f.plan else None,
            "target": self.concept(f.target) if f.target else None,
            "also": [self.concept(c) for c in f.also],
            "actions": [self.concept(a) for a in f.actions],
            "parties": [[self.unit(u) for u in party] for party in f.parties],
            "units": [self.unit(u) for u in f.units],
            "lead": list(f.lead),
            "note": f.note,
            "strength": {"units": n, "leading": leading, "clauses": clauses},
            "evidence": [
                {"unit": unit, "duty": duty, "text": rows[duty].text, "role": rows[duty].role,
                 "leads": readings[duty].leads if duty in readings else rows[duty].role != "support"}
                for unit, duties in f.evidence.items()
                for duty in duties
            ],
        }


def overlap_report(a: Analysis, labeller: Labeller, kinds: list[str] | None = None,
                   plans: dict[str, dict] | None = None) -> dict:
    """Findings, the unit × unit matrix (how many findings name both units), the collaboration edges
    and centrality; ``plans``: the build's plans by IRI (each finding names its plan's title and place)."""
    rows = {r.iri: r for r in a.rows}
    findings = a.findings()
    projection, collaboration = a.projection(), a.collaboration()
    units = sorted(projection.nodes, key=lambda u: a.labels.get(u, (u, u))[0])

    def matrix(attribute: str) -> list[list]:
        return [[projection[x][y][attribute] if projection.has_edge(x, y) else 0 for y in units] for x in units]

    return {
        "counts": {k: sum(1 for f in findings if f.kind == k) for k in KINDS},
        "findings": [labeller.finding(f, rows, plans, a.readings) for f in findings if not kinds or f.kind in kinds],
        "units": [labeller.unit(u) for u in units],
        "matrix": matrix("shared"),
        "collaboration": [
            {"source": x, "target": y, "role": d["role"], "weight": d["weight"], "duties": d["duties"].split()}
            for x, y, d in sorted(collaboration.edges(data=True))
        ],
        "centrality": a.centrality(),
    }


def plans_from(rows: list[dict], labeller: Labeller) -> list[dict]:
    return [
        {
            "iri": row["plan"],
            "key": row["plan"].rsplit("/", 1)[-1],
            "title": row["title"],
            "place_zh": row["place_zh"],
            "place_en": row["place_en"],
            "level": row["level"],
            "year": int(row["year"]) if row["year"] else None,
            "emergency_types": [labeller.concept(c) for c in (row["types"] or "").split()],
            "source": row["source"],
            "units": int(row["units"] or 0),
            "duties": int(row["duties"] or 0),
        }
        for row in rows
    ]
