"""The read API that the CLI and the web app share: units, SPARQL, export, validation, status
(and the overlap views, kg/service/overlapviews.py, which ``Service`` inherits).

Opens the current build of the data home read-only; never parses source documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pyoxigraph as ox
from rdflib import Graph

from ..ask.asker import Asker
from ..ask.bridge import Bridge
from ..config import Settings
from ..errors import BadRequest, KgError
from ..extraction.thesaurus import Thesaurus, thesaurus_from_graph
from ..graph.shapes import Report, validate_graph
from ..search.postings import TABLE_FILE, DutyTable, load_table, table_from_store
from ..search.searcher import FACET_LIMIT, INDEX_DIR, Searcher, match_function
from ..stores.local import Build, DataHome, graph_of
from ..stores.remote import RemoteStore, check_store, open_reader
from ..text import fold_width, jieba_with
from ..vocab import GRAPH_THESAURUS, PREFIXES, values
from .cache import Memo
from .overlapviews import OverlapViews
from .pages import PageViews
from .plans import PlanChoice, decorate
from .reports import ORG_LABELS_QUERY, PLANS_QUERY, UNIT_TYPES_QUERY, plans_from

MAX_QUESTION_CHARS = 500

RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ttl": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nt": ox.RdfFormat.N_TRIPLES,
    "xml": ox.RdfFormat.RDF_XML,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}
DATASET_FORMATS = {"nq": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD}

# %PLANS% restricts the rows to some plans (``units``), before the memberships are joined: with the
# restriction after them, 20 of 1,000 plans took 2.4 s instead of 0.5.
UNITS_QUERY = """
SELECT ?unit ?zh ?en ?type ?type_zh ?type_en ?plan (MIN(?row) AS ?first) (SAMPLE(?n) AS ?duties)
WHERE {
  %PLANS%
  ?record dg:plan ?plan ; dg:row ?row .
  ?membership dg:record ?record ; a org:Membership ; org:member ?unit .
  ?unit skos:prefLabel ?zh . FILTER(LANG(?zh) = "zh")
  ?unit skos:prefLabel ?en . FILTER(LANG(?en) = "en")
  OPTIONAL {
    ?unit dg:agencyType ?type .
    OPTIONAL { ?type skos:prefLabel ?type_zh . FILTER(LANG(?type_zh) = "zh") }
    OPTIONAL { ?type skos:prefLabel ?type_en . FILTER(LANG(?type_en) = "en") }
  }
  OPTIONAL { SELECT ?unit ?plan (COUNT(DISTINCT ?duty) AS ?n) WHERE { %PLANS% ?duty dg:plan ?plan ; dg:assignedTo ?unit } GROUP BY ?unit ?plan }
}
GROUP BY ?unit ?zh ?en ?type ?type_zh ?type_en ?plan
ORDER BY ?plan ?first ?zh
"""
MEMBER_LABELS_QUERY = """SELECT DISTINCT ?unit ?zh ?en WHERE {
  ?unit a dg:MemberUnit ; skos:prefLabel ?zh, ?en . FILTER(LANG(?zh) = "zh" && LANG(?en) = "en")
}"""


def _value(term: object) -> str | None:
    return None if term is None else getattr(term, "value", str(term))




@dataclass
class Service(PageViews, OverlapViews):
    settings: Settings

    def refresh(self) -> None:
        """Forget everything read from a build that is no longer current: a rebuild or a write
        (SPARQL Update, Graph Store Protocol) swapped in a new one. Cheap when nothing changed."""
        current = DataHome(self.settings.home).current_path()
        if self.__dict__.get("_seen", current) != current:
            for name in [n for n in self.__dict__ if n not in ("settings", "_seen")]:
                del self.__dict__[name]
        self.__dict__["_seen"] = current

    @cached_property
    def build(self) -> Build:
        build = DataHome(self.settings.home).require()
        self.__dict__.setdefault("_seen", build.path)  # what ``refresh`` compares the current build with
        return build

    @cached_property
    def store(self) -> ox.Store | RemoteStore:
        """The build's Oxigraph store, or the SPARQL server it was pushed to (kg/stores/remote.py)."""
        return open_reader(self.build, self.settings.query_timeout)

    @cached_property
    def thesaurus(self) -> Thesaurus:
        thesaurus = thesaurus_from_graph(graph_of(self.store, GRAPH_THESAURUS))
        jieba_with(thesaurus.zh_labels)
        return thesaurus

    @cached_property
    def sparql_functions(self) -> dict:
        """Functions available inside SPARQL: ``kgfn:match`` (see kg/search/searcher.py)."""
        return match_function(self.thesaurus)

    @cached_property
    def searcher(self) -> Searcher:
        index = self.build.path / INDEX_DIR
        if not index.is_dir():
            raise KgError(f"{self.build.path}: no search index; run `kg build` again")
        return Searcher(index, self.thesaurus)

    @cached_property
    def duty_table(self) -> DutyTable:
        """What ask ranks from (kg/search/postings.py): written by the build; read from the store for a
        build made before the table existed or with an older version of it."""
        path = self.build.path / TABLE_FILE
        table = load_table(path) if path.exists() else None
        return (table or table_from_store(self.store)).warm()

    @cached_property
    def asker(self) -> Asker:
        return Asker(self.store, self.thesaurus, self.searcher, self.organisation_labels, self.duty_table,
                     self.scenes, self.bridge, self.unit_types)

    @cached_property
    def bridge(self) -> Bridge:
        """English words to the plans' Chinese words (CC-CEDICT, kg/ask/bridge.py), read once per machine."""
        return Bridge.load(cache=self.settings.cache_dir)

    @cached_property
    def unit_types(self) -> dict[str, str]:
        """Every member unit's agency type (concept IRI)."""
        return {row["unit"]: row["type"] for row in self.select(UNIT_TYPES_QUERY)}

    def ask(self, question: str, plans: list[str] | None = None, places: list[str] | None = None,
            types: list[str] | None = None) -> dict:
        """Who handles it: units with role, score and evidence (see kg/ask/asker.py); ``plans``:
        plan keys or IRIs to answer from, ``places`` and ``types`` the plans of those places and
        emergency types (default: every plan)."""
        if not question or not question.strip():
            raise BadRequest("empty question: ask who handles something, e.g. 工地扬尘归谁管？")
        if len(question) > MAX_QUESTION_CHARS:
            raise BadRequest(f"question of {len(question)} characters; at most {MAX_QUESTION_CHARS}")
        chosen = self.chosen_plans(plans, places, types)
        return self.memo.get(("ask", question, tuple(chosen or ())), lambda: self.asker.ask(question, chosen))

    def search(self, text: str, filters: dict[str, str] | None = None, page: int = 1, per_page: int = 10,
               facet_limit: int = FACET_LIMIT, plans: list[str] | None = None, places: list[str] | None = None,
               types: list[str] | None = None) -> dict:
        """Keyword search (kg/search/searcher.py); ``filters``: one value per facet (kind, unit,
        action, object_category); ``plans``/``places``/``types``: only those plans' duties and units."""
        filters = dict(filters or {})
        if filters.get("plan"):  # the facet's value: one plan, as ``plans`` names it
            plans = [*(plans or ()), filters.pop("plan")]
        chosen = self.chosen_plans(plans, places, types)
        key = ("search", text, tuple(sorted(filters.items())), page, per_page, facet_limit, tuple(chosen or ()))
        return self.memo.get(key, lambda: self.searcher.search(text, filters, page, per_page, facet_limit=facet_limit,
                                                               plans=chosen))

    @cached_property
    def memo(self) -> Memo:
        """Answers of this build (see kg/service/cache.py); ``refresh`` drops it with the build."""
        return Memo(self.settings.cache)

    def suggest(self, prefix: str, limit: int = 10) -> list[dict]:
        """Unit and concept labels (both languages, synonyms too) containing ``prefix``."""
        prefix = fold_width(prefix).strip().lower()
        if not prefix:
            return []
        if len(prefix) > 100:
            raise BadRequest("a suggestion prefix is at most 100 characters")
        ranked = []
        for label, preferred, iri, kind in self._labels:
            folded = label.lower()
            position = folded.find(prefix)
            if position >= 0:
                ranked.append((position, len(label), label, preferred, iri, kind))
        ranked.sort()
        seen, out = set(), []
        for _, _, label, preferred, iri, kind in ranked:
            if (label, iri) in seen:
                continue
            seen.add((label, iri))
            out.append({"label": label, "preferred": preferred, "iri": iri, "kind": kind,
                        "synonym": label != preferred})
            if len(out) == limit:
                break
        return out

    @cached_property
    def _labels(self) -> list[tuple[str, str, str, str]]:
        labels = []
        for concept in self.thesaurus.concepts.values():
            kind = f"concept:{concept.scheme}"
            for label in concept.labels_zh:
                labels.append((label, concept.pref_zh, concept.iri, kind))
            for label in concept.labels_en:
                labels.append((label, concept.pref_en, concept.iri, kind))
        for unit in self.select(MEMBER_LABELS_QUERY):  # not ``units``: no plan, row or duty count needed
            labels.append((unit["zh"], unit["zh"], unit["unit"], "unit"))
            labels.append((unit["en"], unit["en"], unit["unit"], "unit"))
        return labels

    @cached_property
    def organisation_labels(self) -> dict[str, tuple[str, str]]:
        return {row["org"]: (row["zh"], row["en"]) for row in self.select(ORG_LABELS_QUERY)}

    # ------------------------------------------------------------------ plans

    def plans(self) -> list[dict]:
        """Every plan: title, place, level, year, emergency types, units, duties (every clause: a
        dg:Duty, boilerplate included), and its short name in both languages (kg/service/plans.py)."""
        return [dict(plan) for plan in self._plans]

    @cached_property
    def _plans(self) -> list[dict]:
        # read once per build: counting every plan's units and duties took 2.3 s at 1,000 plans
        return decorate(plans_from(self.select(PLANS_QUERY), self.labeller), self.settings.base_iri)

    @cached_property
    def plan_choice(self) -> PlanChoice:
        return PlanChoice(self._plans)

    def plan_iri(self, key: str) -> str:
        """A plan named by its key (file-name slug) or its IRI."""
        return self.plan_choice.find(key)["iri"]

    def chosen_plans(self, plans=None, places=None, types=None) -> list[str] | None:
        """The plan IRIs that plan keys, places and emergency types choose (None: every plan)."""
        return self.plan_choice.resolve(plans, places, types)

    def compare(self, a: str, b: str) -> dict:
        """Agency types side by side in two plans: units, duty counts, targets in one, the other, both."""
        from ..overlaps.compare import compare_plans

        plan_a, plan_b = self.plan_iri(a), self.plan_iri(b)
        rows = self.duty_rows(sorted({plan_a, plan_b}))  # a plan twice in VALUES counted its duties 4 times
        units = sorted({u for row in rows for u in row.units})
        agency_of = {row["unit"]: row["type"]
                     for row in self.select(UNIT_TYPES_QUERY.replace("WHERE {", f"WHERE {{ VALUES ?unit {{ {values(units)} }}", 1))}
        table = compare_plans([r for r in rows if r.plan == plan_a], [r for r in rows if r.plan == plan_b],
                              agency_of, self.thesaurus)
        labels = self.organisation_labels
        for entry in table:
            for side in ("units_a", "units_b"):
                entry[side] = [{"iri": u, "label_zh": labels.get(u, (u, u))[0], "label_en": labels.get(u, (u, u))[1]}
                               for u in entry[side]]
            for side in ("targets_both", "targets_a_only", "targets_b_only"):
                entry[side] = [self.labeller.concept(c) for c in entry[side]]
        plans = {p["iri"]: p for p in self.plans()}
        return {"a": plans[plan_a], "b": plans[plan_b], "agency_types": table}

    def check(self, frequent: bool = True) -> dict:
        """Open everything a server needs — manifest, store, search index — and say plainly what
        is damaged and how to rebuild, instead of failing on the first request. ``frequent``: also
        decode the postings of the most frequent words (a serving process; not one that only checks)."""
        build = self.build
        check_store(self.settings, build.manifest)
        try:
            triples = len(self.store)
            self.searcher.ix.doc_count()
            with self.searcher.ix.searcher() as searcher:
                searcher.doc_count()
            self.searcher.warm(frequent=frequent)  # searchers, facets, postings: the first searches do not wait
            self.asker.warm()  # and what the first question would wait for: duty table, unit labels
            if frequent:
                self._plans  # noqa: B018  (and the plans every page lists or filters by: 22 s at 10,000 plans)
        except KgError:
            raise
        except Exception as exc:  # whoosh and RocksDB raise many kinds of error for damaged files
            raise KgError(
                f"{build.path}: the store or search index is damaged ({type(exc).__name__}: {exc}); "
                f"rebuild with `kg build` (the previous data is replaced only when the rebuild succeeds)"
            ) from exc
        expected = build.manifest.get("triples")
        if expected is not None and expected != triples:
            raise KgError(f"{build.path}: the store holds {triples} triples but the manifest says {expected}; "
                          f"rebuild with `kg build`")
        return {"build": build.path.name, "triples": triples}

    def status(self) -> dict:
        build = DataHome(self.settings.home).current()
        if build is None:
            return {"built": False, "home": str(self.settings.home)}
        manifest = build.manifest
        return {
            "built": True,
            "home": str(self.settings.home),
            "build": build.path.name,
            "built_at": manifest.get("built_at"),
            "triples": manifest.get("triples"),
            "plans": [p["key"] for p in manifest.get("plans", [])],
        }

    def select(self, query: str) -> list[dict[str, str | None]]:
        """Run a SELECT written in this package (never user text) and return plain rows."""
        solutions = self.store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)
        names = [v.value for v in solutions.variables]
        return [{name: _value(row[name]) for name in names} for row in solutions]

    def units(self, plans: list[str] | None = None, places: list[str] | None = None,
              types: list[str] | None = None) -> list[dict]:
        """Every plan's member units, or those of the plans chosen (keys, places, emergency types), in
        plan and row order; ``duties`` counts every clause assigned to the unit (boilerplate included)."""
        restrict = ""
        chosen = self.chosen_plans(plans, places, types)
        if chosen is not None:
            restrict = "VALUES ?plan { " + values(chosen) + " }"
        return [
            {
                "iri": row["unit"],
                "label_zh": row["zh"],
                "label_en": row["en"],
                "agency_type": row["type"],
                "agency_type_zh": row["type_zh"],
                "agency_type_en": row["type_en"],
                "duties": int(row["duties"] or 0),
                "plan": row["plan"],
            }
            for row in self.select(UNITS_QUERY.replace("%PLANS%", restrict))
        ]

    def sparql(self, query: str, fmt: str = "json") -> tuple[bytes, str]:
        """Run any SPARQL query; return the serialised result and its media type."""
        try:
            result = self.store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True,
                                      custom_functions=self.sparql_functions)
        except SyntaxError as exc:
            raise KgError(f"SPARQL syntax error: {exc}") from exc
        if isinstance(result, ox.QueryTriples):
            format_ = GRAPH_FORMATS.get(fmt, ox.RdfFormat.TURTLE if fmt == "json" else None)
            if format_ is None:
                raise KgError(f"format {fmt!r} is not one for graphs; use one of {sorted(GRAPH_FORMATS)}")
            return ox.serialize(result, format=format_, prefixes=PREFIXES), format_.media_type
        results_format = RESULT_FORMATS.get(fmt)
        if results_format is None:
            raise KgError(f"format {fmt!r} is not one for results; use one of {sorted(RESULT_FORMATS)}")
        return result.serialize(format=results_format), results_format.media_type

    def export(self, fmt: str) -> bytes:
        """Every triple: ``ttl``/``nt``/``xml`` flatten the named graphs; ``nq``/``trig``/``jsonld`` keep them."""
        if fmt in DATASET_FORMATS:
            return self.store.dump(format=DATASET_FORMATS[fmt], prefixes=PREFIXES)
        if fmt in GRAPH_FORMATS:
            triples = {ox.Triple(q.subject, q.predicate, q.object) for q in self.store}
            return ox.serialize(sorted(triples, key=str), format=GRAPH_FORMATS[fmt], prefixes=PREFIXES)
        raise KgError(f"unknown export format {fmt!r}; use one of {sorted({*DATASET_FORMATS, *GRAPH_FORMATS})}")

    def union_graph(self) -> Graph:
        graph = Graph()
        graph.parse(data=self.export("nt"), format="nt")
        return graph

    def validate(self) -> Report:
        return validate_graph(self.union_graph(), self.settings.ontology_dir)
