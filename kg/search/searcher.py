"""Keyword search over the index kg/search/indexing.py writes (whoosh; the two are its only users).

``Searcher`` answers paged BM25F queries with highlighted snippets and facet counts;
``match_function`` is the same matching inside SPARQL (``kgfn:match``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from ..errors import BadRequest
from ..extraction.thesaurus import Thesaurus
from ..text import CJK, chinese_analyzer, fold_width, jieba_with
from . import ranking
from .facets import FacetTable

INDEX_DIR = "index"
MAX_QUERY_CHARS = 500
MAX_NESTING = 16
WARM_SEARCHERS = 4  # searchers opened before the first search (kg serve's threads per process)
FACETS = ("kind", "unit", "action", "object_category", "plan")
TEXT_FIELDS = ("title_zh", "title_en", "body_zh", "body_en")
FACET_LIMIT = 20  # values per facet in an answer, most frequent first (Solr's facet.limit)
MAX_FACET_LIMIT = 1000
MATCH_FUNCTION = "https://w3id.org/dutygraph/fn#match"
TEXT_MEMO = 16_384  # segmented texts kgfn:match remembers


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
    plan: tuple[str, ...] = ()


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


def _open_stored_fields(searcher) -> None:
    for sub, _offset in ranking.segments(searcher):
        if sub.doc_count_all():
            sub.stored_fields(0)


def _only_left_out(q) -> bool:
    """Whether a parsed query only leaves words out ("-扬尘", "-a -b"): it looks for nothing."""
    from whoosh import query

    if isinstance(q, query.Not):
        return True
    if isinstance(q, query.compound.CompoundQuery):
        return bool(q.subqueries) and all(_only_left_out(sub) for sub in q.subqueries)
    return False


class Searcher:
    """A whoosh index opened for reading.

    The index never changes under a reader (a write builds a new one), so what is costly to open or
    read is kept: whoosh searchers, reused by one search at a time (opening one re-reads every
    segment's files: a quarter of a search's time at 1,000 plans), the facet table and the set of live
    documents."""

    def __init__(self, index_dir: Path, thesaurus: Thesaurus):
        from whoosh import index

        jieba_with(thesaurus.zh_labels)
        self.ix = index.open_dir(str(index_dir))
        self.thesaurus = thesaurus
        self._lock = threading.Lock()
        self._opened = 0  # searchers opened (they close with this object)
        self._idle: list = []  # those no search is using
        self._lengths = ranking.Lengths()
        self._postings = ranking.Postings()

    @contextmanager
    def reading(self) -> Iterator:
        """An idle whoosh searcher, opened when none is idle (whoosh's readers keep file positions:
        one thread at a time), kept for the next search."""
        with self._lock:
            searcher = self._idle.pop() if self._idle else None
        if searcher is None:
            searcher = self._open()
        try:
            yield searcher
        finally:
            with self._lock:
                self._idle.append(searcher)

    def _open(self):
        searcher = self.ix.searcher()
        with self._lock:
            self._opened += 1
        return searcher

    def warm(self, searchers: int = WARM_SEARCHERS, frequent: bool = True) -> None:
        """Read now what the first searches would wait for: the facet table, field lengths, the
        postings of the most frequent terms when ``frequent`` (kg/search/ranking.py; 2 s at 1,000 plans),
        whoosh's query parser, and ``searchers`` searchers with their stored-field tables open
        (opening one segment's took 23 ms at 1,000 plans, on the first hit each searcher showed)."""
        self.facet_table()
        self._parse("warm")
        with self.reading() as searcher:
            for fieldname in TEXT_FIELDS:
                self._lengths.of(searcher, fieldname)
            if frequent:
                self._postings.warm(searcher, TEXT_FIELDS, self._lengths)
            _open_stored_fields(searcher)
        with self._lock:
            missing = searchers - self._opened
        for _ in range(max(missing, 0)):
            opened = self._open()
            _open_stored_fields(opened)
            with self._lock:
                self._idle.append(opened)

    def facet_table(self) -> FacetTable:
        """Every document's facet values (kg/search/facets.py), read once per index."""
        with self._lock:
            table = self.__dict__.get("_facet_table")
            if table is None:
                with self.ix.searcher() as searcher:
                    table = self.__dict__["_facet_table"] = FacetTable.read(searcher.reader(), self.ix.schema, FACETS)
            return table

    def _live(self, searcher) -> frozenset[int]:
        live = self.__dict__.get("_live_docs")
        if live is None:
            live = self.__dict__["_live_docs"] = frozenset(searcher.reader().all_doc_ids())
        return live

    def matching(self, searcher, q) -> set[int] | frozenset[int]:
        """The documents ``q`` matches, as whoosh's ``docs_for_query`` finds them, but composed with
        set operations from each leaf's postings: whoosh walks And/Or/Not matchers one document at a
        time in Python, which was a third of a search's time at 1,000 plans."""
        from whoosh import query

        kind = type(q)
        if kind in (query.Or, query.DefaultOr, query.PreloadedOr, query.SplitOr, query.DisjunctionMax) \
                and not getattr(q, "minmatch", 0):
            return set().union(*(self.matching(searcher, sub) for sub in q.subqueries))
        if kind is query.And and q.subqueries:
            found = self.matching(searcher, q.subqueries[0])
            for sub in q.subqueries[1:]:
                if not found:
                    break
                found = found & self.matching(searcher, sub)
            return found
        if kind is query.Not:
            return self._live(searcher) - self.matching(searcher, q.query)
        if kind is query.AndNot:
            return self.matching(searcher, q.a) - self.matching(searcher, q.b)
        if kind is query.Require:
            return self.matching(searcher, q.a) & self.matching(searcher, q.b)
        if kind is query.AndMaybe:
            return self.matching(searcher, q.a)
        if kind is query.Term:  # decoded a block at a time, and remembered (kg/search/ranking.py)
            return set(self._postings.of(searcher, q.fieldname, q.text)[0])
        found: set[int] = set()
        for sub, offset in ranking.segments(searcher):
            found.update(doc + offset for doc in q.docs(sub))
        return found

    def _ranked(self, searcher, parsed, docs, restrict, limit: int, after: frozenset[int] = frozenset()):
        """whoosh ``Results`` holding the best ``limit`` of ``docs``: scored from posting blocks
        (kg/search/ranking.py) when the query is a tree of terms, by whoosh's collector otherwise.
        Documents in ``after`` come after every other match, each keeping its score."""
        from whoosh.searching import Results

        if ranking.supported(parsed):
            found = ranking.scores(searcher, parsed, docs, self._lengths, self._postings,
                                   lambda sub: self.matching(searcher, sub))
        elif not after:
            return searcher.search(parsed, limit=limit, filter=restrict)
        else:  # phrases and the like: whoosh scores them, this orders them
            found = {hit.docnum: hit.score for hit in searcher.search(parsed, limit=None, filter=docs)}
        if not after or not (after & found.keys()):
            return Results(searcher, parsed, ranking.top(found, limit))
        shift = max(found.values(), default=0) + 1  # below the lowest score of the rest
        order = ranking.top({d: s - shift if d in after else s for d, s in found.items()}, limit)
        return Results(searcher, parsed, [(found[doc], doc) for _, doc in order])

    def _concept_docs(self, searcher, named: str) -> frozenset[int]:
        """The concepts' documents but the one whose label ``named`` is: a search puts them after
        duties and units (people look for who does what), unless the words name that concept."""
        from whoosh import query

        every = self.__dict__.get("_concepts")
        if every is None:
            every = self.__dict__["_concepts"] = frozenset(self.matching(searcher, query.Prefix("kind", "concept:")))
        named = fold_width(named).strip().strip("\"").strip().lower()
        keep = {c.iri for c in self.thesaurus.concepts.values()
                if named in {x.lower() for x in (*c.labels_zh, *c.labels_en)}}
        if not keep:
            return every
        return frozenset(d for d in every if searcher.stored_fields(d).get("iri") not in keep)

    def _parse(self, text: str, every_word: bool = True):
        from whoosh import qparser

        text = exclusions(text)
        group = qparser.AndGroup if every_word else qparser.OrGroup.factory(0.9)
        parser = qparser.MultifieldParser(["title_zh", "title_en", "body_zh", "body_en"], self.ix.schema, group=group)
        parser.remove_plugin_class(qparser.WildcardPlugin)  # a leading * scans the whole lexicon
        try:
            return parser.parse(fold_width(text))
        except Exception as exc:  # whoosh raises assorted types for malformed syntax
            raise BadRequest(f"cannot read the search string: {exc}") from exc

    def search(self, text: str, filters: dict[str, str] | None = None, page: int = 1, per_page: int = 10,
               include_boilerplate: bool = True, facet_limit: int = FACET_LIMIT, plans: list[str] | None = None) -> dict:
        """Hits of ``text`` (every word, or any word when that finds nothing; ``-word`` excludes a
        word, ``"…"`` is a phrase), with facet counts; ``filters``: one value per facet; ``plans``:
        only documents of these plan IRIs (concepts belong to no plan)."""
        from whoosh import query
        from whoosh.highlight import ContextFragmenter, HtmlFormatter

        text = check_query(text)
        if page < 1 or not 1 <= per_page <= 100:
            raise BadRequest("page must be ≥ 1 and per_page between 1 and 100")
        if not 1 <= facet_limit <= MAX_FACET_LIMIT:
            raise BadRequest(f"facet_limit must be between 1 and {MAX_FACET_LIMIT}")
        chosen = {f: v for f, v in (filters or {}).items() if f in FACETS and v}
        terms = [query.Term(f, v) for f, v in chosen.items()]
        if plans is not None:
            terms.append(query.Or([query.Term("plan", p) for p in plans]) if plans else query.NullQuery)
        if not include_boilerplate:
            terms.append(query.Not(query.Term("boilerplate", True)))
        restrict = query.And(terms) if terms else None
        with self.reading() as searcher:
            # Every word first (what people expect of a search box); any word when that finds nothing.
            # Quoted phrases: any of their words, then the phrase itself as written (jieba's words
            # overlap, so whoosh's positions cannot tell a Chinese phrase); -"…" leaves such texts out.
            every_word = True
            unwanted = [fold_width(p).lower() for p in NOT_PHRASE.findall(text)]
            rest = NOT_PHRASE.sub(" ", text)
            phrases = [fold_width(p).lower() for p in PHRASE.findall(rest)]
            rest = PHRASE.sub(" ", rest)
            parts = ([self._parse(rest)] if rest.strip() else []) + [self._parse(p, every_word=False) for p in phrases]
            if not parts or all(_only_left_out(p) for p in parts):
                raise BadRequest("a search needs a word to look for, not only words to leave out")
            parsed = parts[0] if len(parts) == 1 else query.And(parts)
            docs = self.matching(searcher, query.And([parsed, restrict]) if restrict else parsed)
            if phrases or unwanted:
                docs = {d for d in docs if _contains(searcher.stored_fields(d), phrases, unwanted)}
            if not docs and not (phrases or unwanted):
                every_word = False
                parsed = self._parse(text, every_word=False)
                docs = self.matching(searcher, query.And([parsed, restrict]) if restrict else parsed)
            total, (facets, sizes) = len(docs), self.facet_table().count(docs, facet_limit, chosen)
            # The page's hits only: ``search_page`` would also count every match (``len``) again.
            results = self._ranked(searcher, parsed, docs, restrict, page * per_page, self._concept_docs(searcher, text))
            results.fragmenter = ContextFragmenter(maxchars=200, surround=60)
            results.formatter = HtmlFormatter(tagname="mark", between=" … ")
            page_hits = results[(page - 1) * per_page:page * per_page]
            hits = []
            for hit in page_hits:
                stored = hit.fields()
                body = stored.get("body_zh") or stored.get("body_en") or ""
                # A duty's snippet is its clause, never only its unit's name (the title) that matched.
                fields = ("body_zh", "body_en") if hit["kind"] == "duty" else ("body_zh", "body_en", "title_zh", "title_en")
                snippet = next(filter(None, (hit.highlights(f) for f in fields if stored.get(f))), "")
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
                        plan=tuple(filter(None, (hit.get("plan") or "").split(","))),
                    ).__dict__
                )
            return {
                "query": text,
                "parsed": str(parsed),
                "matching": "every word" if every_word else "any word",
                "total": total,
                "page": page,
                "pages": -(-total // per_page),
                "per_page": per_page,
                "hits": hits,
                "facets": facets,
                "facet_sizes": sizes,
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
        with self.reading() as searcher:
            docs = self.matching(searcher, query.And([parsed, restrict]))
            return [(hit["iri"], hit.score) for hit in self._ranked(searcher, parsed, docs, restrict, limit)]


PHRASE = re.compile(r'(?:^|(?<=[\s(]))"([^"]+)"')
NOT_PHRASE = re.compile(r'(?:^|(?<=[\s(]))[-\uff0d]"([^"]+)"')


def _contains(stored: dict, phrases: list[str], unwanted: list[str]) -> bool:
    text = " ".join(fold_width(str(stored.get(f, ""))).lower() for f in TEXT_FIELDS)
    return all(p in text for p in phrases) and not any(p in text for p in unwanted)


EXCLUDED = re.compile(r'(^|[\s(])[-\uff0d]("[^"]+"|[^\s()"]+)')


def exclusions(text: str) -> str:
    """``-word`` (or ``-"a phrase"``) as whoosh's ``NOT word``: what a minus means in every search
    box people know (whoosh's own syntax would read it as part of the word, i.e. require it)."""
    return EXCLUDED.sub(lambda m: f"{m.group(1)}NOT {m.group(2)}", text)


def _escape(text: str) -> str:
    import html

    return html.escape(text, quote=False)


def match_function(thesaurus: Thesaurus):
    """``kgfn:match(?text, "words")`` for SPARQL: true when every word of the second argument
    (segmented by jieba, stemmed for English) occurs in the first.

    A query calls it once per candidate text (every duty of a thousand plans, unless the pattern
    narrows them first), so the cheap test comes first: a Chinese word jieba finds in a text is a
    substring of it, and a text lacking one of the wanted Chinese words is no match without being
    segmented. Segmentations are remembered (``TEXT_MEMO`` texts, per process): the same clauses
    come back in query after query."""
    jieba_with(thesaurus.zh_labels)
    analyzer = chinese_analyzer()
    cjk = re.compile(f"[{CJK}]")

    @lru_cache(maxsize=TEXT_MEMO)
    def tokens(value: str) -> frozenset[str]:
        return frozenset(t.text for t in analyzer(fold_width(value)))

    @lru_cache(maxsize=256)
    def wanted_of(words: str) -> tuple[frozenset[str], tuple[str, ...]]:
        wanted = tokens(words)
        return wanted, tuple(t for t in wanted if cjk.search(t))

    true, false = ox.Literal(True), ox.Literal(False)

    def match(text: ox.Literal, words: ox.Literal) -> ox.Literal | None:
        if not isinstance(text, ox.Literal) or not isinstance(words, ox.Literal):
            return None
        wanted, chinese = wanted_of(words.value)
        if not wanted:
            return false
        if chinese:
            folded = fold_width(text.value)
            if not all(word in folded for word in chinese):
                return false
        return true if wanted <= tokens(text.value) else false

    return {ox.NamedNode(MATCH_FUNCTION): match}
