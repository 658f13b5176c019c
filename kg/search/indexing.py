"""The search index: written from a build's store, the only whoosh writer (kg/search/segments.py writes its
segments; kg/search/searcher.py reads it).

``build_index`` reads duties, units and concepts out of a build's store (so the index is always
derived from the graph it sits beside), one subject at a time, and writes a whoosh index with
jieba's words on Chinese fields and a stemming analyzer on English ones. Segments are written by
kg/search/segments.py's writer, in this process or, for a large index, in sub-writers forked by whoosh's
multi-process writer (kg/search/subwriters.py).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib.namespace import RDF, SKOS

from ..errors import KgError
from ..extraction.thesaurus import Thesaurus
from ..progress import Progress
from ..text import chinese_analyzer, content_words, jieba_with
from ..vocab import DG, OA, ORG, PREFIXES, is_true
from . import subwriters
from .postings import TableWriter

# Indexes of at least this many documents are written by whoosh's multi-process writer (about 100
# synthetic plans); below, starting the sub-writers costs more than it saves.
PARALLEL_FROM = 5_000
MEMO_SIZE = 4096  # analysed values remembered per field and writer


@lru_cache(maxsize=1)
def _memo_text():
    """The ``MemoText`` field class, made on first use: whoosh is imported only when an index is."""
    from whoosh import fields

    class MemoText(fields.TEXT):
        """A TEXT field that remembers the postings of the values it analysed last: unit names (a
        duty's title) and formulaic clauses recur across a plan's rows and across plans, and jieba
        and whoosh's filters took some 40% of adding a document. The same postings, so the index
        and every search over it are what ``TEXT`` would give."""

        def index(self, value, **kwargs):
            if kwargs or not isinstance(value, str):
                return super().index(value, **kwargs)
            memo = self.__dict__.get("_memo")
            if memo is None:
                memo = self.__dict__["_memo"] = OrderedDict()
            postings = memo.get(value)
            if postings is None:
                postings = memo[value] = tuple(super().index(value))
                if len(memo) > MEMO_SIZE:
                    memo.popitem(last=False)
            else:
                memo.move_to_end(value)
            return postings

        def __getstate__(self):
            # The schema is pickled into the index: without what one writer happened to remember.
            return {k: v for k, v in self.__dict__.items() if k != "_memo"}

    MemoText.__module__, MemoText.__qualname__ = __name__, "MemoText"
    globals()["MemoText"] = MemoText
    return MemoText


def __getattr__(name: str):
    # An index's schema names ``kg.search.indexing.MemoText``; unpickling it looks the class up here (PEP 562).
    if name == "MemoText":
        return _memo_text()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _chinese_field_analyzer():
    """text.py's Chinese chain without its stemmer: jieba's words are not English, and stemming every
    one of them was a fifth of adding a document. (Queries on these fields go through the same
    chain: whoosh keeps it in the index's schema.)"""
    from whoosh.analysis import CompositeAnalyzer, StemFilter

    return CompositeAnalyzer(*(step for step in chinese_analyzer().items if not isinstance(step, StemFilter)))


def schema():
    from whoosh import fields
    from whoosh.analysis import StemmingAnalyzer

    text = _memo_text()
    zh, en = _chinese_field_analyzer(), StemmingAnalyzer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        kind=fields.KEYWORD(stored=True),
        iri=fields.STORED(),
        title_zh=text(analyzer=zh, stored=True, field_boost=2.0),
        title_en=text(analyzer=en, stored=True, field_boost=2.0),
        body_zh=text(analyzer=zh, stored=True),
        body_en=text(analyzer=en, stored=True),
        unit=fields.KEYWORD(stored=True, commas=True),
        action=fields.KEYWORD(stored=True, commas=True),
        object_category=fields.KEYWORD(stored=True, commas=True),
        plan=fields.KEYWORD(stored=True, commas=True),
        boilerplate=fields.BOOLEAN(stored=True),
    )


RDF_TYPE, SKOS_PREF_LABEL = ox.NamedNode(str(RDF.type)), ox.NamedNode(str(SKOS.prefLabel))
_DUTY, _BOILERPLATE, _MEMBER_UNIT = (ox.NamedNode(str(t)) for t in (DG.Duty, DG.BoilerplateDuty, DG.MemberUnit))
_TEXT, _PLAN, _ASSIGNED, _RECORD, _AGENCY, _ROLE = (
    ox.NamedNode(str(p)) for p in (DG.text, DG.plan, DG.assignedTo, DG.record, DG.agencyType, DG.role)
)
_SPAN, _START = ox.NamedNode(str(DG.span)), ox.NamedNode(str(OA.start))
_CONCEPT_LINKS = tuple(ox.NamedNode(str(p)) for p in (DG.action, DG.object, DG.issue))
_MEMBER = ox.NamedNode(str(ORG.member))
UNIT_CACHE = 8192  # unit labels remembered while indexing duties (a plan's units recur in its rows)


def _value(term) -> str | None:
    """``STR(term)`` in SPARQL: an IRI's or a literal's text; nothing for a blank node."""
    return None if isinstance(term, ox.BlankNode) else term.value


def _graphs(store: ox.Store) -> Iterator:
    yield ox.DefaultGraph()
    yield from store.named_graphs()


def _typed(store: ox.Store, kind: ox.NamedNode) -> Iterator:
    """Every subject of ``rdf:type kind``, once, graph by graph (a plan's subjects together): a
    subject typed in several graphs comes with the first of them in Oxigraph's order."""
    for graph in _graphs(store):
        for quad in store.quads_for_pattern(None, RDF_TYPE, kind, graph):
            subject = quad.subject
            first = next(iter(store.quads_for_pattern(subject, RDF_TYPE, kind, None))).graph_name
            if first == graph:
                yield subject


def _objects(store: ox.Store, subject, predicate: ox.NamedNode) -> set[str]:
    return {v for q in store.quads_for_pattern(subject, predicate, None, None) if (v := _value(q.object)) is not None}


def _starts(store: ox.Store, duty) -> Iterator[int]:
    """Where a duty's spans start in the source (``dg:span/oa:start``)."""
    for span in store.quads_for_pattern(duty, _SPAN, None, None):
        if isinstance(span.object, ox.NamedNode):
            for start in store.quads_for_pattern(span.object, _START, None, None):
                if isinstance(start.object, ox.Literal) and start.object.value.lstrip("-").isdigit():
                    yield int(start.object.value)


def _unit_labels(store: ox.Store, unit) -> tuple[list[str], list[str]]:
    """A unit's Chinese and English preferred labels."""
    zh, en = [], []
    for quad in store.quads_for_pattern(unit, SKOS_PREF_LABEL, None, None):
        label = quad.object
        if isinstance(label, ox.Literal) and label.language in ("zh", "en"):
            (zh if label.language == "zh" else en).append(label.value)
    return sorted(set(zh)), sorted(set(en))


def _unit_rows(store: ox.Store, unit) -> list[dict[str, str]]:
    """What the UNITS query of earlier versions gave for one member unit: a row per (zh label,
    en label, agency type), with the unit's plans (through its memberships' records)."""
    zh, en = _unit_labels(store, unit)
    if not zh or not en:
        return []
    plans: set[str] = set()
    for membership in store.quads_for_pattern(None, _MEMBER, unit, None):
        for record in store.quads_for_pattern(membership.subject, _RECORD, None, None):
            if not isinstance(record.object, ox.Literal):
                plans |= _objects(store, record.object, _PLAN)
    types = sorted(_objects(store, unit, _AGENCY)) or [""]
    plan_list = "\n".join(sorted(plans))
    return [{"unit": unit.value, "zh": z, "en": e, "type": t, "plans": plan_list}
            for z in zh for e in en for t in types]


def _duty_rows(store: ox.Store, duty) -> list[dict[str, str]]:
    """What the DUTIES query of earlier versions gave for one duty: a row per (text, plan), with its
    assigned units and its action, object and issue concepts, when it has an assigned unit. (One
    lookup per property: decoding a quad is most of the cost, and a duty has more than these.)"""
    units = _objects(store, duty, _ASSIGNED)
    if not units:
        return []
    texts = {q.object.value for q in store.quads_for_pattern(duty, _TEXT, None, None)}
    plans = {q.object.value for q in store.quads_for_pattern(duty, _PLAN, None, None)}
    concepts = set().union(*(_objects(store, duty, link) for link in _CONCEPT_LINKS))
    boilerplate = any(True for _ in store.quads_for_pattern(duty, RDF_TYPE, _BOILERPLATE, None))
    shared = {"duty": duty.value, "units": "\n".join(sorted(units)), "concepts": "\n".join(sorted(concepts)),
              "boilerplate": "true" if boilerplate else "false"}
    return [{**shared, "text": text, "plan": plan} for text in sorted(texts) for plan in sorted(plans)]


def count_documents(store: ox.Store, thesaurus: Thesaurus) -> int:
    """About how many documents ``index_documents`` yields (typed duties and member units, concepts)."""
    query = "SELECT (COUNT(*) AS ?n) WHERE { VALUES ?kind { dg:Duty dg:MemberUnit } ?s a ?kind }"
    solutions = store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)
    return int(next(iter(solutions))["n"].value) + len(thesaurus.concepts)


def index_documents(store: ox.Store, thesaurus: Thesaurus, table: TableWriter | None = None) -> Iterator[dict]:
    """Whoosh documents for every duty, member unit and concept in the store.

    Read subject by subject from Oxigraph's indexes, not with a SPARQL GROUP BY over the whole store,
    so what is held at any time is one duty or unit (and a bounded cache of unit labels), however
    many plans the store has. ``table``, when given, is told each duty ask ranks from (kg/search/postings.py)
    in the same pass."""

    @lru_cache(maxsize=UNIT_CACHE)
    def labels(unit: str) -> tuple[str, str]:
        try:
            node = ox.NamedNode(unit)
        except ValueError:  # a literal where a unit should be
            return "", ""
        if not any(True for _ in store.quads_for_pattern(node, RDF_TYPE, _MEMBER_UNIT, None)):
            return "", ""
        zh, en = _unit_labels(store, node)
        return (zh[-1], en[-1]) if zh and en else ("", "")

    for duty in _typed(store, _DUTY):
        rows = _duty_rows(store, duty)
        if table is not None and rows and not is_true(rows[0]["boilerplate"]):
            first = rows[0]
            roles = sorted(_objects(store, duty, _ROLE))
            starts = sorted(_starts(store, duty))
            if roles:
                table.add(first["duty"], first["units"].split("\n"), filter(None, first["concepts"].split("\n")),
                          roles[0], (first["text"], first["plan"], starts[0]) if starts else None,
                          content_words(first["text"]))
        for row in rows:
            unit_iris = sorted(filter(None, row["units"].split("\n")))
            concepts = [thesaurus.concepts[c] for c in row["concepts"].split("\n") if c in thesaurus.concepts]
            objects = [c for c in concepts if c.scheme == "object"]
            yield {
                "id": row["duty"],
                "kind": "duty",
                "iri": row["duty"],
                "title_zh": " ".join(labels(u)[0] for u in unit_iris),
                "title_en": " ".join(labels(u)[1] for u in unit_iris),
                "body_zh": row["text"],
                "body_en": " ".join(c.pref_en for c in concepts),
                "unit": ",".join(unit_iris),
                "action": ",".join(sorted({c.iri for c in concepts if c.scheme == "action"})),
                "object_category": ",".join(sorted({thesaurus.top(o.iri) for o in objects})),
                "plan": row["plan"],
                "boilerplate": is_true(row["boilerplate"]),
            }
    for unit in _typed(store, _MEMBER_UNIT):
        for row in _unit_rows(store, unit):
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
    yield from concept_documents(thesaurus)


def concept_documents(thesaurus: Thesaurus) -> Iterator[dict]:
    """A whoosh document per thesaurus concept, in the order of their IRIs (the same every build)."""
    for concept in sorted(thesaurus.concepts.values(), key=lambda c: c.iri):
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


def build_index(index_dir: Path, store: ox.Store, thesaurus: Thesaurus, progress: Progress | None = None,
                procs: int | None = None, table_path: Path | None = None) -> int:
    """Write the whoosh index of ``store``; the number of documents. ``procs``: sub-writers (default:
    one per core for a large index when this process may fork, else none). ``table_path``: where to
    write the duty table (kg/search/postings.py) read in the same pass."""
    from whoosh import index

    from .segments import MemorySegmentWriter

    progress = progress or Progress(False)
    expected = count_documents(store, thesaurus)
    progress.start("indexing", expected, "documents")
    jieba_with(thesaurus.zh_labels)
    index_dir.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(index_dir), schema())
    if procs is None:
        may_fork = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
        procs = (os.cpu_count() or 1) if may_fork and expected >= PARALLEL_FROM else 1
    writer = subwriters.parallel_writer(ix, procs) if procs > 1 else MemorySegmentWriter(ix)
    count = 0
    table = TableWriter() if table_path is not None else None
    with writer:
        for document in index_documents(store, thesaurus, table):
            writer.add_document(**document)
            count += 1
            progress.advance()
    written = ix.doc_count()
    if written != count:  # whoosh's MpWriter drops the work of a sub-writer that did not report back
        raise KgError(f"the search index holds {written} of {count} documents; run `kg build` again")
    if table is not None:
        table.write(table_path)
    progress.finish()
    return count
