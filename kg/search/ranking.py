"""BM25F top hits computed from posting blocks, with whoosh's own scores (kg/search/searcher.py's only helper).

whoosh's collector walks the matcher tree one document at a time in Python and scores every match:
at 1,000 plans that was 80 % of a search ("扬尘": 8,000 matches). A search box's query is a tree of
``And``/``Or`` over terms, so the same scores come from each term's postings read a block at a time
(ids and weights), the field lengths read once per index, and dictionaries merged the way whoosh's
matchers add scores: a union adds the scores of the branches that match a document, an
intersection adds all of them, and an excluded branch (``Not`` inside ``And``) adds 1, as whoosh's
``InverseMatcher`` does. ``supported`` says which queries have that shape; any other (phrases,
prefixes, ranges, ``Or`` with a coordination scale) is left to whoosh's collector.
"""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict

from whoosh import query
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.reading import SegmentReader
from whoosh.scoring import BM25F, bm25
from whoosh.util.numeric import byte_to_length

from .facets import best

UNIONS = (query.Or, query.DefaultOr)
MEMO_POSTINGS = 4_000_000  # postings kept decoded per index (16 bytes each), the most recently used terms
WARM_POSTINGS = MEMO_POSTINGS // 2  # of which decoded and scored when a server opens the index


def segments(searcher) -> list:
    """(sub-searcher, first document number) per segment: a multi-segment index numbers each
    segment's documents from 0, shifted by ``offset`` in the whole index."""
    return searcher.subsearchers or [(searcher, 0)]


def supported(q) -> bool:
    """Whether ``scores`` reproduces whoosh's scoring of ``q``."""
    kind = type(q)
    if kind is query.Term:
        return True
    if kind in UNIONS:
        return not getattr(q, "minmatch", 0) and not getattr(q, "scale", None) and q.boost == 1 \
            and all(supported(sub) for sub in q.subqueries)
    if kind is query.And:
        positive = [sub for sub in q.subqueries if type(sub) is not query.Not]
        return bool(positive) and q.boost == 1 and all(supported(sub) for sub in positive)
    return False


class Lengths:
    """Each document's length per field (the byte whoosh stores, decoded), read once per index."""

    def __init__(self):
        self._lock = threading.Lock()
        self._fields: dict[str, array] = {}

    def of(self, searcher, fieldname: str) -> array:
        """The lengths of ``fieldname`` by document number (``searcher`` reads them the first time)."""
        with self._lock:
            table = self._fields.get(fieldname)
            if table is None:
                table = self._fields[fieldname] = self._read(searcher, fieldname)
            return table

    @staticmethod
    def _read(searcher, fieldname: str) -> array:
        decoded = [byte_to_length(b) for b in range(256)]
        table = array("d")
        for sub, _offset in segments(searcher):
            reader = sub.reader()
            column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN) \
                if isinstance(reader, SegmentReader) else None
            if column is None:  # no lengths stored: whoosh's scorer takes 1
                table.extend([1.0] * reader.doc_count_all())
            else:
                table.extend(decoded[b] for b in column.load())
        return table


class Postings:
    """A term's postings as arrays, document numbers (over all segments) and weights, decoded a
    block at a time, with their BM25F scores once asked for, remembered for the most recently used
    terms (``MEMO_POSTINGS`` postings in all, 16 bytes each): whoosh unpickles and decompresses every
    block again on each search (a fifth of a search's time at 1,000 plans, twice for a term that is
    both matched and scored), and a term's score in a document never changes in an index."""

    def __init__(self, budget: int = MEMO_POSTINGS):
        self._lock = threading.Lock()
        self._memo: OrderedDict[tuple[str, str], list] = OrderedDict()  # [docs, weights, scores or None]
        self._budget = budget
        self._held = 0

    def of(self, searcher, fieldname: str, text: str) -> tuple[array, array]:
        """(documents, weights) of the term, by document number."""
        entry = self._entry(searcher, fieldname, text)
        return entry[0], entry[1]

    def scores(self, searcher, fieldname: str, text: str, lengths: Lengths) -> tuple[array, array]:
        """(documents, whoosh's BM25F score of the term in each)."""
        entry = self._entry(searcher, fieldname, text)
        if entry[2] is None:  # two threads may both compute it: the same array either way
            entry[2] = _bm25(searcher, fieldname, text, entry[0], entry[1], lengths)
        return entry[0], entry[2]

    def warm(self, searcher, fieldnames, lengths: Lengths, budget: int = WARM_POSTINGS) -> int:
        """Decode and score now the terms found in most documents, up to ``budget`` postings: they
        are the costly ones to read on a first search ("扬尘" at 1,000 plans: 80 ms cold, 20 warm,
        in each server process), and the likeliest to be searched. The least frequent of them is
        read first, so the most frequent are the last the memo lets go. The postings read."""
        frequent = []
        reader = searcher.reader()
        for fieldname in fieldnames:
            field = searcher.schema[fieldname]
            for term, info in reader.iter_field(fieldname):
                frequent.append((info.doc_frequency(), fieldname, field.from_bytes(term)))
        frequent.sort(reverse=True)
        chosen, held = [], 0
        for frequency, fieldname, text in frequent:
            if held + frequency > budget:
                break
            chosen.append((fieldname, text))
            held += frequency
        for fieldname, text in reversed(chosen):
            self.scores(searcher, fieldname, text, lengths)
        return held

    def _entry(self, searcher, fieldname: str, text: str) -> list:
        key = (fieldname, text)
        with self._lock:
            found = self._memo.get(key)
            if found is not None:
                self._memo.move_to_end(key)
                return found
        found = [*_read_postings(searcher, fieldname, text), None]
        with self._lock:
            if key not in self._memo and len(found[0]) <= self._budget:
                self._memo[key] = found
                self._held += len(found[0])
                while self._held > self._budget:
                    _, dropped = self._memo.popitem(last=False)
                    self._held -= len(dropped[0])
        return found


def _bm25(searcher, fieldname: str, text: str, docs: array, weights: array, lengths: Lengths) -> array:
    """What whoosh's ``BM25FScorer`` gives each posting (statistics of the whole index)."""
    model = searcher.weighting
    if not isinstance(model, BM25F) or not searcher.schema[fieldname].scorable:
        raise TypeError("only BM25F on scorable fields")  # the index's schema makes this impossible
    B, K1 = model._field_B.get(fieldname, model.B), model.K1
    idf = searcher.idf(fieldname, text)
    avgfl = searcher.avg_field_length(fieldname) or 1
    length = lengths.of(searcher, fieldname)
    return array("d", (bm25(idf, weight, length[doc], avgfl, B, K1) for doc, weight in zip(docs, weights)))


def _read_postings(searcher, fieldname: str, text: str) -> tuple[array, array]:
    docs, weights = array("i"), array("f")
    for sub, offset in segments(searcher):
        reader = sub.reader()
        if (fieldname, text) not in reader:
            continue
        matcher = reader.postings(fieldname, text)
        if type(matcher) is not W3LeafMatcher:  # a segment with deletions: whoosh filters them out
            while matcher.is_active():
                docs.append(matcher.id() + offset)
                weights.append(matcher.weight())
                matcher.next()
            continue
        while matcher.is_active():
            if matcher._ids is None:
                matcher._read_ids()
            if matcher._weights is None:
                matcher._read_weights()
            block = matcher._ids[matcher._i:]
            docs.extend(block if not offset else [doc + offset for doc in block])
            weights.extend(matcher._weights[matcher._i:])
            matcher._next_block()
    return docs, weights


def scores(searcher, q, docs, lengths: Lengths, postings: Postings, excluded) -> dict[int, float]:
    """``{document: whoosh's BM25F score}`` for the documents of ``docs`` that ``q`` matches.
    ``excluded(sub)`` gives the documents a ``Not`` child of an ``And`` removes."""
    kind = type(q)
    if kind is query.Term:
        return _term_scores(searcher, q, docs, lengths, postings)
    if kind in UNIONS:
        parts = sorted((scores(searcher, sub, docs, lengths, postings, excluded) for sub in q.subqueries),
                       key=len, reverse=True)
        merged = dict(parts[0]) if parts else {}
        for part in parts[1:]:
            for doc, score in part.items():
                merged[doc] = merged.get(doc, 0.0) + score
        return merged
    positive = [sub for sub in q.subqueries if type(sub) is not query.Not]
    negative = [sub for sub in q.subqueries if type(sub) is query.Not]
    for sub in negative:
        docs = docs - excluded(sub.query)
    parts = [scores(searcher, sub, docs, lengths, postings, excluded) for sub in positive]
    common = set(parts[0]).intersection(*parts[1:])
    bonus = float(len(negative))
    return {doc: sum(part[doc] for part in parts) + bonus for doc in common}


def _term_scores(searcher, term, docs, lengths: Lengths, postings: Postings) -> dict[int, float]:
    ids, values = postings.scores(searcher, term.fieldname, term.text, lengths)
    if docs.issuperset(ids):
        found = dict(zip(ids, values))
    else:
        found = {doc: value for doc, value in zip(ids, values) if doc in docs}
    if term.boost != 1:
        found = {doc: value * term.boost for doc, value in found.items()}
    return found


def top(found: dict[int, float], limit: int) -> list[tuple[float, int]]:
    """(score, document) best first, ties by document number: whoosh's own order."""
    return [(score, doc) for doc, score in best(list(found.items()), limit)]
