"""Keyword search: the only whoosh user. Index built from the store; queried with BM25F.

``build_index`` reads duties, units and concepts out of a build's store (so the index is always
derived from the graph it sits beside) and writes a whoosh index with jieba's ``ChineseAnalyzer``
on Chinese fields and a stemming analyzer on English ones. ``Searcher`` answers paged queries with
highlighted snippets and facet counts. ``match_function`` is the same matching inside SPARQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import BadRequest
from .text import chinese_analyzer, fold_width, jieba_with
from .thesaurus import Thesaurus
from .vocab import PREFIXES

INDEX_DIR = "index"
MAX_QUERY_CHARS = 500
MAX_NESTING = 16
FACETS = ("kind", "unit", "action", "object_category", "plan")
MATCH_FUNCTION = "https://w3id.org/dutygraph/fn#match"


def _schema():
    from whoosh import fields
    from whoosh.analysis import StemmingAnalyzer

    zh, en = chinese_analyzer(), StemmingAnalyzer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        kind=fields.KEYWORD(stored=True),
        iri=fields.STORED(),
        title_zh=fields.TEXT(analyzer=zh, stored=True, field_boost=2.0),
        title_en=fields.TEXT(analyzer=en, stored=True, field_boost=2.0),
        body_zh=fields.TEXT(analyzer=zh, stored=True),
        body_en=fields.TEXT(analyzer=en, stored=True),
        unit=fields.KEYWORD(stored=True, commas=True),
        action=fields.KEYWORD(stored=True, commas=True),
        object_category=fields.KEYWORD(stored=True, commas=True),
        plan=fields.KEYWORD(stored=True, commas=True),
        boilerplate=fields.BOOLEAN(stored=True),
    )


DUTIES = """
SELECT ?duty ?text ?plan ?boilerplate
       (GROUP_CONCAT(DISTINCT STR(?unit); separator="\\n") AS ?units)
       (GROUP_CONCAT(DISTINCT STR(?concept); separator="\\n") AS ?concepts)
WHERE {
  ?duty a dg:Duty ; dg:text ?text ; dg:plan ?plan ; dg:assignedTo ?unit .
  OPTIONAL { ?duty dg:action|dg:object|dg:issue ?concept }
  BIND(EXISTS { ?duty a dg:BoilerplateDuty } AS ?boilerplate)
}
GROUP BY ?duty ?text ?plan ?boilerplate
"""
UNITS = """
SELECT ?unit ?zh ?en ?type (GROUP_CONCAT(DISTINCT STR(?plan); separator="\\n") AS ?plans) WHERE {
  ?unit a dg:MemberUnit ; skos:prefLabel ?zh, ?en .
  FILTER(LANG(?zh) = "zh" && LANG(?en) = "en")
  OPTIONAL { ?unit dg:agencyType ?type }
  OPTIONAL { ?m org:member ?unit ; dg:record/dg:plan ?plan }
}
GROUP BY ?unit ?zh ?en ?type
"""


def _rows(store: ox.Store, query: str) -> Iterator[dict[str, str]]:
    solutions = store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    for row in solutions:
        yield {n: row[n].value if row[n] is not None else "" for n in names}


def _labels(store: ox.Store) -> dict[str, tuple[str, str]]:
    labels: dict[str, tuple[str, str]] = {}
    for row in _rows(store, UNITS):
        labels[row["unit"]] = (row["zh"], row["en"])
    return labels


def index_documents(store: ox.Store, thesaurus: Thesaurus) -> Iterator[dict]:
    """Whoosh documents for every duty, member unit and concept in the store."""
    units = _labels(store)
    for row in _rows(store, DUTIES):
        unit_iris = sorted(filter(None, row["units"].split("\n")))
        concepts = [thesaurus.concepts[c] for c in row["concepts"].split("\n") if c in thesaurus.concepts]
        objects = [c for c in concepts if c.scheme == "object"]
        yield {
            "id": row["duty"],
            "kind": "duty",
            "iri": row["duty"],
            "title_zh": " ".join(units.get(u, ("", ""))[0] for u in unit_iris),
            "title_en": " ".join(units.get(u, ("", ""))[1] for u in unit_iris),
            "body_zh": row["text"],
            "body_en": " ".join(c.pref_en for c in concepts),
            "unit": ",".join(unit_iris),
            "action": ",".join(sorted({c.iri for c in concepts if c.scheme == "action"})),
            "object_category": ",".join(sorted({thesaurus.top(o.iri) for o in objects})),
            "plan": row["plan"],
            "boilerplate": row["boilerplate"] == "true",
        }
    for row in _rows(store, UNITS):
        yield {
            "id": row["unit"],
            "kind": "unit",
            "iri": row["unit"],
            "title_zh": row["zh"],
            "title_en": row["en"],
            "body_zh": thesaurus.concepts[row["type"]].pref_zh if row["type"] in thesaurus.concepts else "",
            "unit": row["unit"],
            "plan": ",".join(filter(None, row["plans"].split("\n"))),
            "boilerplate": False,
        }
    for concept in thesaurus.concepts.values():
        yield {
            "id": concept.iri,
            "kind": f"concept:{concept.scheme}",
            "iri": concept.iri,
            "title_zh": concept.pref_zh,
            "title_en": concept.pref_en,
            "body_zh": " ".join(concept.alt_zh),
            "body_en": " ".join((*concept.alt_en, concept.definition)),
            "boilerplate": False,
        }


def build_index(index_dir: Path, store: ox.Store, thesaurus: Thesaurus) -> int:
    from whoosh import index

    jieba_with(thesaurus.zh_labels)
    index_dir.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(index_dir), _schema())
    count = 0
    with ix.writer() as writer:
        for document in index_documents(store, thesaurus):
            writer.add_document(**document)
            count += 1
    return count


@dataclass(frozen=True)
class Hit:
    iri: str
    kind: str
    title_zh: str
    title_en: str
    text: str
    snippet: str  # HTML: the document's text escaped, matches in <mark>
    score: float
    unit: tuple[str, ...]


def check_query(text: str) -> str:
    """Refuse inputs no person types, before any parser sees them."""
    text = text.strip()
    if not text:
        raise BadRequest("empty search: type some words")
    if len(text) > MAX_QUERY_CHARS:
        raise BadRequest(f"search string of {len(text)} characters; at most {MAX_QUERY_CHARS}")
    depth = deepest = 0
    for char in fold_width(text):
        if char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth -= 1
    if deepest > MAX_NESTING:
        raise BadRequest(f"brackets nested {deepest} deep; at most {MAX_NESTING}")
    return text


class Searcher:
    """A whoosh index opened for reading."""

    def __init__(self, index_dir: Path, thesaurus: Thesaurus):
        from whoosh import index

        jieba_with(thesaurus.zh_labels)
        self.ix = index.open_dir(str(index_dir))
        self.thesaurus = thesaurus

    def _parse(self, text: str, every_word: bool = True):
        from whoosh import qparser

        group = qparser.AndGroup if every_word else qparser.OrGroup.factory(0.9)
        parser = qparser.MultifieldParser(["title_zh", "title_en", "body_zh", "body_en"], self.ix.schema, group=group)
        parser.remove_plugin_class(qparser.WildcardPlugin)  # a leading * scans the whole lexicon
        try:
            return parser.parse(fold_width(text))
        except Exception as exc:  # whoosh raises assorted types for malformed syntax
            raise BadRequest(f"cannot read the search string: {exc}") from exc

    def search(self, text: str, filters: dict[str, str] | None = None, page: int = 1, per_page: int = 10,
               include_boilerplate: bool = True) -> dict:
        from whoosh import query, sorting
        from whoosh.highlight import ContextFragmenter, HtmlFormatter

        text = check_query(text)
        if page < 1 or not 1 <= per_page <= 100:
            raise BadRequest("page must be ≥ 1 and per_page between 1 and 100")
        terms = [query.Term(f, v) for f, v in (filters or {}).items() if f in FACETS and v]
        if not include_boilerplate:
            terms.append(query.Not(query.Term("boilerplate", True)))
        restrict = query.And(terms) if terms else None
        groups = {f: sorting.FieldFacet(f, allow_overlap=True) for f in FACETS}
        with self.ix.searcher() as searcher:
            # Every word first (what people expect of a search box); any word when that finds nothing.
            every_word = True
            parsed = self._parse(text)
            results = searcher.search_page(parsed, page, pagelen=per_page, filter=restrict, groupedby=groups,
                                           terms=True)
            if results.total == 0:
                every_word = False
                parsed = self._parse(text, every_word=False)
                results = searcher.search_page(parsed, page, pagelen=per_page, filter=restrict, groupedby=groups,
                                               terms=True)
            results.results.fragmenter = ContextFragmenter(maxchars=200, surround=60)
            results.results.formatter = HtmlFormatter(tagname="mark", between=" … ")
            hits = []
            for hit in results:
                stored = hit.fields()
                body = stored.get("body_zh") or stored.get("body_en") or ""
                snippet = next(
                    (hit.highlights(f) for f in ("body_zh", "body_en", "title_zh", "title_en") if stored.get(f)
                     and hit.highlights(f)),
                    "",
                )
                hits.append(
                    Hit(
                        iri=hit["iri"],
                        kind=hit["kind"],
                        title_zh=hit.get("title_zh", ""),
                        title_en=hit.get("title_en", ""),
                        text=body,
                        snippet=snippet or _escape(body[:200]),
                        score=round(hit.score, 3),
                        unit=tuple(filter(None, (hit.get("unit") or "").split(","))),
                    ).__dict__
                )
            facets = {
                f: dict(sorted(((k, len(v)) for k, v in results.results.groups(f).items() if k), key=lambda kv: -kv[1]))
                for f in FACETS
            }
            return {
                "query": text,
                "parsed": str(parsed),
                "matching": "every word" if every_word else "any word",
                "total": results.total,
                "page": page,
                "pages": results.pagecount,
                "per_page": per_page,
                "hits": hits,
                "facets": facets,
            }

    def duty_matches(self, text: str, limit: int = 20) -> list[tuple[str, float]]:
        """Duties (not boilerplate) containing every content word of ``text``: (iri, score)."""
        from whoosh import qparser, query

        parser = qparser.MultifieldParser(["body_zh", "body_en"], self.ix.schema, group=qparser.AndGroup)
        parser.remove_plugin_class(qparser.WildcardPlugin)
        try:
            parsed = parser.parse(fold_width(check_query(text)))
        except BadRequest:
            raise
        except Exception:
            return []
        restrict = query.And([query.Term("kind", "duty"), query.Not(query.Term("boilerplate", True))])
        with self.ix.searcher() as searcher:
            return [(hit["iri"], hit.score) for hit in searcher.search(parsed, filter=restrict, limit=limit)]


def _escape(text: str) -> str:
    import html

    return html.escape(text, quote=False)


def match_function(thesaurus: Thesaurus):
    """``kgfn:match(?text, "words")`` for SPARQL: true when every word of the second argument
    (segmented by jieba, stemmed for English) occurs in the first."""
    jieba_with(thesaurus.zh_labels)
    analyzer = chinese_analyzer()

    def tokens(value: str) -> set[str]:
        return {t.text for t in analyzer(fold_width(value))}

    def match(text: ox.Literal, words: ox.Literal) -> ox.Literal | None:
        if not isinstance(text, ox.Literal) or not isinstance(words, ox.Literal):
            return None
        wanted = tokens(words.value)
        return ox.Literal(bool(wanted) and wanted <= tokens(text.value))

    return {ox.NamedNode(MATCH_FUNCTION): match}

