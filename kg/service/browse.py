"""The read model of the web pages: a unit, a concept, a duty, a plan, and the ask, search and
query pages, as plain dicts ready for a template or ``jsonify``.

Takes the store, the thesaurus and the settings (the service hands them over); returns values
with both languages' labels and the local page path (``href``) of every IRI they mention. Every
query binds its only variable part, IRIs, as ``<iri>`` inside VALUES after checking them against
an IRI pattern, so no text a person typed ever reaches SPARQL. Sits beside ``ask``/``search`` and
left of ``service``: the service decorates their answers with what the pages need (links,
highlight segments, facet labels).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox

from ..config import Settings
from ..extraction.thesaurus import Thesaurus
from ..vocab import CONCEPT, DG, PAGE_KEY, PREFIXES, is_true, page_path, term, values

ROLES = ("lead", "joint", "support")
RESULT_FORMATS = ("json", "xml", "csv", "tsv")
GRAPH_FORMATS = ("turtle", "ntriples", "rdfxml", "jsonld")
EXAMPLE_QUESTIONS = [
    {"q": "工地扬尘归谁管？", "lang": "zh"},
    {"q": "who handles construction dust?", "lang": "en"},
    {"q": "渣土车归谁管？", "lang": "zh"},
    {"q": "who handles high-emission vehicles?", "lang": "en"},
    {"q": "谁负责学校健康防护？", "lang": "zh"},
    {"q": "who checks refined oil quality?", "lang": "en"},
]


def segments(text: str, spans) -> list[dict]:
    """``text`` cut into pieces, each marked or not, from ``[start, end]`` offsets: what a
    template needs to put ``<mark>`` around the highlights while escaping every piece."""
    pieces, at = [], 0
    for start, end in sorted((max(0, int(s)), min(len(text), int(e))) for s, e in spans or ()):
        if start < at or start >= end:
            continue
        if start > at:
            pieces.append({"text": text[at:start], "mark": False})
        pieces.append({"text": text[start:end], "mark": True})
        at = end
    if at < len(text):
        pieces.append({"text": text[at:], "mark": False})
    return pieces


# Terms of the reused vocabularies that DutyGraph's data uses, completed in the editor beside dg:'s.
OTHER_TERMS = {"skos:prefLabel", "skos:altLabel", "skos:definition", "skos:broader", "skos:narrower", "skos:inScheme",
               "skos:Concept", "org:Organization", "org:Membership", "org:member", "org:organization", "org:role",
               "oa:start", "oa:end", "oa:TextPositionSelector", "dcterms:title", "dcterms:source",
               "prov:wasDerivedFrom", "prov:Entity", "rdfs:label", "kgfn:match"}


def read_examples(queries_dir: Path) -> list[dict]:
    """The example queries (``*.rq``): their title and note in both languages, from the comment
    lines they open with (``# en: …``, ``# zh: …``, ``# en-note: …``, ``# zh-note: …``)."""
    examples = []
    for path in sorted(queries_dir.glob("*.rq")) if queries_dir.is_dir() else ():
        text = path.read_text(encoding="utf-8")
        fields: dict[str, list[str]] = {}
        key = "en"
        for line in text.splitlines():
            if not line.startswith("#"):
                break
            body = line.lstrip("#").strip()
            head, sep, rest = body.partition(":")
            if sep and head in ("en", "zh", "en-note", "zh-note"):
                key, body = head, rest.strip()
            fields.setdefault(key, []).append(body)
        title = {lang: " ".join(fields.get(lang, [])) or path.stem for lang in ("en", "zh")}
        note = {lang: " ".join(fields.get(f"{lang}-note", [])) for lang in ("en", "zh")}
        examples.append({"name": path.stem, "title": title["en"], "title_zh": title["zh"], "title_en": title["en"],
                         "note_zh": note["zh"], "note_en": note["en"], "query": text,
                         "href": "/query?" + urlencode({"query": text})})
    return examples


DUTIES = """SELECT ?duty ?text ?role ?boilerplate ?plan ?record ?row ?clause ?start ?end WHERE {
  VALUES ?duty { %s }
  ?duty dg:text ?text ; dg:role ?role ; dg:plan ?plan ; dg:record ?record ; dg:span ?span .
  ?span oa:start ?start ; oa:end ?end .
  ?record dg:row ?row .
  OPTIONAL { ?duty dg:clauseIndex ?clause }
  BIND(EXISTS { ?duty a dg:BoilerplateDuty } AS ?boilerplate)
}"""
# A FILTER, not a second VALUES: with both, Oxigraph read every triple of the store (0.7 s at 1,000 plans).
DUTY_LINKS = """SELECT ?duty ?p ?o WHERE {
  VALUES ?duty { %s }
  ?duty ?p ?o .
  FILTER(?p IN (dg:assignedTo, dg:partner, dg:action, dg:object, dg:issue))
}"""
UNIT = """SELECT ?zh ?en ?type ?place_zh ?place_en ?member WHERE {
  VALUES ?unit { %s }
  ?unit a ?kind ; skos:prefLabel ?zh, ?en .
  VALUES ?kind { dg:MemberUnit org:Organization }
  FILTER(LANG(?zh) = "zh" && LANG(?en) = "en")
  OPTIONAL { ?unit dg:agencyType ?type }
  OPTIONAL { ?unit dg:placeName ?place_zh FILTER(LANG(?place_zh) = "zh") }
  OPTIONAL { ?unit dg:placeName ?place_en FILTER(LANG(?place_en) = "en") }
  BIND(EXISTS { ?unit a dg:MemberUnit } AS ?member)
} LIMIT 1"""
UNIT_DUTIES = """SELECT DISTINCT ?duty ?how WHERE {
  VALUES ?unit { %s }
  { ?duty dg:assignedTo ?unit BIND("own" AS ?how) } UNION { ?duty dg:partner ?unit BIND("partner" AS ?how) }
}"""
UNIT_RECORDS = """SELECT ?record ?row ?text ?unit_text ?plan ?start ?end WHERE {
  VALUES ?unit { %s }
  ?membership org:member ?unit ; dg:record ?record .
  ?record dg:row ?row ; dg:text ?text ; dg:plan ?plan ; dg:span ?span .
  ?span oa:start ?start ; oa:end ?end .
  OPTIONAL { ?record dg:unitText ?unit_text }
} ORDER BY ?plan ?row"""
CONCEPT_DUTIES = """SELECT DISTINCT ?duty WHERE {
  VALUES ?concept { %s }
  ?duty dg:action|dg:object|dg:issue ?concept .
}"""
AGENCY_UNITS = """SELECT DISTINCT ?unit WHERE { VALUES ?type { %s } ?unit dg:agencyType ?type }"""
RECORD = """SELECT ?text ?start ?end ?unit_text WHERE {
  VALUES ?record { %s }
  ?record dg:text ?text ; dg:span ?span . ?span oa:start ?start ; oa:end ?end .
  OPTIONAL { ?record dg:unitText ?unit_text }
}"""
PLANS = """SELECT ?plan ?title ?source ?sha ?place_zh ?place_en ?command ?command_zh ?command_en WHERE {
  %s
  ?plan a dg:Plan ; dcterms:title ?title .
  OPTIONAL { ?plan dcterms:source ?source }
  OPTIONAL { ?plan dg:sha256 ?sha }
  OPTIONAL { ?plan dg:placeName ?place_zh FILTER(LANG(?place_zh) = "zh") }
  OPTIONAL { ?plan dg:placeName ?place_en FILTER(LANG(?place_en) = "en") }
  OPTIONAL { ?plan dg:hasCommand ?command .
    OPTIONAL { ?command skos:prefLabel ?command_zh FILTER(LANG(?command_zh) = "zh") }
    OPTIONAL { ?command skos:prefLabel ?command_en FILTER(LANG(?command_en) = "en") } }
} ORDER BY ?plan"""
PLAN_MEMBERS = """SELECT ?unit ?row ?record WHERE {
  VALUES ?plan { %s }
  ?membership org:member ?unit ; dg:record ?record . ?record dg:plan ?plan ; dg:row ?row .
} ORDER BY ?row"""
# Duties only (``a dg:Duty``): a plan's records (its table rows) carry dg:plan too, and were counted as duties.
PLAN_COUNTS = """SELECT (COUNT(DISTINCT ?duty) AS ?duties) (COUNT(DISTINCT ?b) AS ?boilerplate)
  (COUNT(DISTINCT ?partner) AS ?partners) WHERE {
  VALUES ?plan { %s }
  ?duty a dg:Duty ; dg:plan ?plan .
  OPTIONAL { ?duty a dg:BoilerplateDuty BIND(?duty AS ?b) }
  OPTIONAL { ?duty dg:partner ?partner }
}"""


class Browser:
    """Page data over one store; ``labels`` are the organisations' (zh, en) labels."""

    def __init__(self, store: ox.Store, thesaurus: Thesaurus, settings: Settings, labels: dict[str, tuple[str, str]]):
        self.store = store
        self.t = thesaurus
        self.settings = settings
        self.base = settings.base_iri
        self.labels = labels

    # ------------------------------------------------------------------ shared

    def _select(self, query: str, *iris) -> list[dict[str, str]]:
        text = query % tuple(values(i) if isinstance(i, (list, tuple, set, frozenset)) else term(i) for i in iris)
        solutions = self.store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True)
        names = [v.value for v in solutions.variables]
        return [{n: (row[n].value if row[n] is not None else "") for n in names} for row in solutions]

    def href(self, iri: str | None) -> str | None:
        return page_path(iri, self.base)

    def iri(self, kind: str, key: str) -> str | None:
        """The instance IRI of a page key, or ``None`` when the key cannot be one."""
        return f"{self.base}{kind}/{key}" if PAGE_KEY.fullmatch(key or "") else None

    def unit_ref(self, iri: str) -> dict:
        zh, en = self.labels.get(iri, (iri.rsplit("/", 1)[-1], iri.rsplit("/", 1)[-1]))
        return {"iri": iri, "label_zh": zh, "label_en": en, "href": self.href(iri)}

    def concept_ref(self, iri: str) -> dict:
        c = self.t.concepts.get(iri)
        zh, en = (c.pref_zh, c.pref_en) if c else (iri.rsplit("/", 1)[-1], iri.rsplit("/", 1)[-1])
        return {"iri": iri, "label_zh": zh, "label_en": en, "scheme": c.scheme if c else "", "href": self.href(iri)}

    def ref(self, iri: str) -> dict:
        return self.concept_ref(iri) if iri.startswith(CONCEPT) else self.unit_ref(iri)

    def duties(self, iris) -> list[dict]:
        """Duty cards: text, role, units, partners, actions, objects, issues, plan, row, offsets."""
        iris = sorted(set(iris))
        if not iris:
            return []
        links: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for row in self._select(DUTY_LINKS, iris):
            links[row["duty"]][row["p"].rsplit("#", 1)[-1]].append(row["o"])
        cards = []
        for row in self._select(DUTIES, iris):
            own = links[row["duty"]]
            cards.append({
                "iri": row["duty"],
                "href": self.href(row["duty"]),
                "text": row["text"],
                "role": row["role"].rsplit("#", 1)[-1],
                "boilerplate": is_true(row["boilerplate"]),
                "plan": row["plan"],
                "record": row["record"],
                "row": int(row["row"]),
                "clause": int(row["clause"]) if row["clause"] else None,
                "start": int(row["start"]),
                "end": int(row["end"]),
                "units": [self.unit_ref(u) for u in sorted(own["assignedTo"])],
                "partners": [self.unit_ref(u) for u in sorted(own["partner"])],
                "actions": [self.concept_ref(c) for c in sorted(own["action"])],
                "objects": [self.concept_ref(c) for c in sorted(own["object"])],
                "issues": [self.concept_ref(c) for c in sorted(own["issue"])],
            })
        cards.sort(key=lambda c: (c["plan"], c["row"], c["clause"] or 0, c["iri"]))
        return cards

    def plans(self, iris=None) -> list[dict]:
        where = f"VALUES ?plan {{ {values(iris)} }}" if iris else ""
        rows = self.store.query(PLANS % where, prefixes=PREFIXES, use_default_graph_as_union=True)
        names = [v.value for v in rows.variables]
        out = []
        for row in rows:
            r = {n: (row[n].value if row[n] is not None else "") for n in names}
            out.append({
                "iri": r["plan"], "key": r["plan"].rsplit("/", 1)[-1], "href": self.href(r["plan"]), "title": r["title"],
                "source": r["source"],
                "sha256": r["sha"], "place_zh": r["place_zh"], "place_en": r["place_en"],
                "command": {"iri": r["command"], "label_zh": r["command_zh"], "label_en": r["command_en"],
                            "href": self.href(r["command"])},
            })
        return out

    # ------------------------------------------------------------------ pages

    def unit(self, key: str, overlaps: list[dict]) -> dict | None:
        iri = self.iri("unit", key)
        found = self._select(UNIT, iri) if iri else []
        if not found:
            return None
        u = found[0]
        how = defaultdict(set)
        for row in self._select(UNIT_DUTIES, iri):
            how[row["how"]].add(row["duty"])
        own = self.duties(how["own"])
        # Each duty once, under the action it shares with most of the unit's other duties, so
        # the groups say what the unit mostly does (a duty with five actions is not listed five times).
        frequency = defaultdict(int)
        for card in own:
            for action in card["actions"]:
                frequency[action["iri"]] += 1
        by_action: dict[str, list[dict]] = defaultdict(list)
        for card in own:
            chosen = min((a["iri"] for a in card["actions"]), key=lambda a: (-frequency[a], a), default="")
            by_action[chosen].append(card)
        groups = [
            {"action": self.concept_ref(a) if a else None, "duties": cards}
            for a, cards in sorted(by_action.items(), key=lambda kv: (not kv[0], -len(kv[1]), kv[0]))
        ]
        partners: dict[str, dict] = {}
        for card in own:
            for p in card["partners"]:
                partners.setdefault(p["iri"], {**p, "named_by_this": [], "names_this": []})["named_by_this"].append(card["iri"])
        for card in self.duties(how["partner"]):
            for other in card["units"]:
                partners.setdefault(other["iri"], {**other, "named_by_this": [], "names_this": []})["names_this"].append(card["iri"])
        partners.pop(iri, None)
        records = [
            {**r, "row": int(r["row"]), "start": int(r["start"]), "end": int(r["end"]), "href": self.href(r["record"]),
             "plan_href": self.href(r["plan"])}
            for r in self._select(UNIT_RECORDS, iri)
        ]
        return {
            "iri": iri,
            "href": self.href(iri),
            "label_zh": u["zh"],
            "label_en": u["en"],
            "member": is_true(u["member"]),
            "place_zh": u["place_zh"],
            "place_en": u["place_en"],
            "agency_type": self.concept_ref(u["type"]) if u["type"] else None,
            "plans": self.plans(sorted({r["plan"] for r in records})) if records else [],
            "counts": {"duties": len(own), "boilerplate": sum(c["boilerplate"] for c in own),
                       "actions": len([g for g in groups if g["action"]])},
            "by_action": groups,
            "partners": sorted(partners.values(), key=lambda p: p["label_zh"]),
            "overlaps": overlaps,
            "records": records,
        }

    def concept(self, scheme: str, key: str) -> dict | None:
        from .concepts import concept_page

        return concept_page(self, scheme, key)

    def duty(self, key: str) -> dict | None:
        iri = self.iri("duty", key)
        cards = self.duties([iri]) if iri else []
        if not cards:
            return None
        card = cards[0]
        record = self._select(RECORD, card["record"])
        paragraph, pieces, start, end = "", [], None, None
        if record:
            paragraph = record[0]["text"]
            start = card["start"] - int(record[0]["start"])
            end = card["end"] - int(record[0]["start"])
            if paragraph[start:end] != card["text"]:  # offsets of another text: find it instead
                start = paragraph.find(card["text"])
                end = start + len(card["text"])
            if start < 0:
                start = end = None
            pieces = segments(paragraph, [(start, end)] if start is not None else [])
        plans = self.plans([card["plan"]])
        siblings = [c for c in self.duties(self._record_duties(card["record"]))]
        return {
            **card,
            "plan": plans[0] if plans else {"iri": card["plan"], "href": self.href(card["plan"])},
            "record": {
                "iri": card["record"],
                "href": self.href(card["record"]),
                "text": paragraph,
                "segments": pieces,
                "start": int(record[0]["start"]) if record else None,
                "end": int(record[0]["end"]) if record else None,
                "unit_text": record[0]["unit_text"] if record else "",
                "clause_start": start,  # the clause's offsets inside the paragraph
                "clause_end": end,
            },
            "siblings": [{"iri": s["iri"], "href": s["href"], "text": s["text"], "clause": s["clause"]} for s in siblings],
        }

    def _record_duties(self, record: str) -> list[str]:
        rows = self._select("SELECT ?duty WHERE { ?duty dg:record %s }", record)
        return [r["duty"] for r in rows]

    def plan(self, key: str) -> dict | None:
        iri = self.iri("plan", key)
        plans = self.plans([iri]) if iri else []
        if not plans:
            return None
        members: dict[str, dict] = {}
        rows = set()
        for row in self._select(PLAN_MEMBERS, iri):
            rows.add(row["record"])
            members.setdefault(row["unit"], {**self.unit_ref(row["unit"]), "row": int(row["row"])})
        counts = self._select(PLAN_COUNTS, iri)[0]
        units = self.duty_counts(iri)
        for unit in members.values():
            unit["duties"] = units.get(unit["iri"], 0)
        return {
            **plans[0],
            "members": sorted(members.values(), key=lambda m: (m["row"], m["label_zh"])),
            "counts": {"rows": len(rows), "units": len(members), "duties": int(counts["duties"]),
                       "boilerplate": int(counts["boilerplate"]), "partners": int(counts["partners"])},
        }

    def duty_counts(self, plan: str) -> dict[str, int]:
        rows = self._select("SELECT ?unit (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a dg:Duty ; dg:plan %s ; dg:assignedTo ?unit } "
                            "GROUP BY ?unit", plan)
        return {r["unit"]: int(r["n"]) for r in rows}

    # ------------------------------------------------------------------ ask, search, query

    def ask(self, answer: dict) -> dict:
        """An answer of ``Asker.ask`` with links and highlight segments for every evidence clause."""
        for concept in answer["concepts"]:
            concept["href"] = self.href(concept["iri"])
        for unit in answer["answers"]:
            unit["href"] = self.href(unit["unit"])
            for evidence in unit["evidence"]:
                evidence["href"] = self.href(evidence["duty"])
                evidence["segments"] = segments(evidence["text"], evidence["highlight"])
            for group in unit.get("by_action", []):
                group["href"] = self.href(group["action"]) if group["action"] else None
        return answer

    def query(self, text: str) -> dict:
        """The editor: the query, the example library, the download links that fit the query's
        form (all of them when it does not parse), the prefixes and terms it completes."""
        from ..sparql.protocol import EXTENSIONS, SparqlError, analyse_query

        examples = read_examples(self.settings.ontology_dir / "queries")
        try:
            form = analyse_query(text).form if text else None
        except SparqlError:
            form = None
        formats = {"results": RESULT_FORMATS, "graphs": GRAPH_FORMATS}
        if form:
            formats = {"graphs": GRAPH_FORMATS} if form in ("CONSTRUCT", "DESCRIBE") else {"results": RESULT_FORMATS}
        downloads = {kind: {f: {"href": "/sparql?" + urlencode({"query": text, "format": f}),
                                "file": f"{(form or 'query').lower()}-result.{EXTENSIONS[f]}"} for f in names}
                     for kind, names in formats.items()} if text else {}
        return {
            "query": text,
            "form": form,
            "endpoint": "/sparql",
            "share": "/query?" + urlencode({"query": text}) if text else "/query",
            "downloads": downloads,
            "examples": examples,
            "base_iri": self.base,
            "concept_base": CONCEPT,
            "prefixes": PREFIXES,
            "terms": sorted({f"dg:{name}" for name in DG.__annotations__ if not name.startswith("_")} | OTHER_TERMS),
        }
