"""kg/search/segments.py's writer gives the index whoosh's own writer gives: the same files for one segment,
and for several segments (one process, or the multi-process writer) the same lexicons, postings,
term statistics, field lengths, stored fields and ranked searches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.search.indexing import build_index, index_documents, schema
from kg.search.searcher import Searcher
from kg.search.segments import MemorySegmentWriter

SEARCHES = ["扬尘", "渣土车 运输", "public security", "vehicles", "kind:duty", "unit:* AND 施工", '"施工 扬尘"',
            "title_zh:公安局", "火灾 OR 事故", "boilerplate:true"]


@pytest.fixture(scope="module")
def documents(service) -> list[dict]:
    """The bundled build's documents twice over (the copies under other ids): terms with several
    posting blocks (128 postings each), and values analysed again after the memo has them."""
    once = list(index_documents(service.store, service.thesaurus))
    return once + [{**d, "id": f"{d['id']}#again", "iri": f"{d['iri']}#again"} for d in once]


def _index(path: Path, documents, writer):
    from whoosh import index

    path.mkdir()
    ix = index.create_in(str(path), schema())
    with writer(ix) as w:
        for document in documents:
            w.add_document(**document)
    return index.open_dir(str(path))


def _plain(ix):
    return ix.writer()


def _key(stored: dict) -> str:
    return json.dumps(stored, sort_keys=True, ensure_ascii=False)


def _contents(ix) -> dict:
    """What a reader can ask of the index, documents named by their stored fields (document numbers
    differ between segmentations): per field its terms with each term's postings (document, weight,
    encoded value: positions or frequencies), frequency and document frequency; per document and
    field its length; per field the total, least and greatest length; the stored fields; counts."""
    from whoosh.reading import SegmentReader

    with ix.reader() as reader:
        keys = [_key(reader.stored_fields(n)) for n in range(reader.doc_count_all())]
        fields = {}
        for name in reader.indexed_field_names():
            terms = {}
            for text in reader.lexicon(name):
                matcher = reader.postings(name, text)
                postings = []
                while matcher.is_active():
                    postings.append((keys[matcher.id()], matcher.weight(), matcher.value()))
                    matcher.next()
                terms[text] = (sorted(postings), reader.frequency(name, text), reader.doc_frequency(name, text))
            lengths = sorted((keys[n], reader.doc_field_length(n, name)) for n in range(reader.doc_count_all()))
            extremes = (reader.min_field_length(name), reader.max_field_length(name)) \
                if reader.schema[name].scorable else None  # whoosh fails on a field without lengths
            fields[name] = (terms, lengths, reader.field_length(name), extremes)
        # each term's statistics, as whoosh keeps them per segment (block-max scoring reads them),
        # gathered over the segments
        subreaders = [r for r, _ in reader.leaf_readers()]
        assert all(isinstance(r, SegmentReader) for r in subreaders)
        stats = {}
        for sub in subreaders:
            for name in sub.indexed_field_names():
                for text in sub.lexicon(name):
                    info = sub.term_info(name, text)
                    weight, df, least, most, heaviest = stats.get((name, text), (0.0, 0, None, 0, 0.0))
                    stats[name, text] = (weight + info.weight(), df + info.doc_frequency(),
                                         info.min_length() if least is None else min(least, info.min_length()),
                                         max(most, info.max_length()), max(heaviest, info.max_weight()))
        stats = {term: (round(weight, 6), *rest) for term, (weight, *rest) in stats.items()}
        return {"docs": reader.doc_count(), "all": reader.doc_count_all(), "stored": sorted(keys), "fields": fields,
                "terms": stats, "segments": len(subreaders)}


def _term_infos(ix) -> dict:
    """Per segment, per field and term: what its term info holds (weight, doc frequency, least and
    greatest length, greatest weight, first and last document), and each posting block's statistics."""
    out = []
    with ix.reader() as reader:
        for sub, _ in reader.leaf_readers():
            infos = {}
            for name in sub.indexed_field_names():
                for text in sub.lexicon(name):
                    info = sub.term_info(name, text)
                    matcher, blocks = sub.postings(name, text), []
                    while matcher.is_active():
                        block = (matcher.block_min_id(), matcher.block_max_id(), matcher.block_min_length(),
                                 matcher.block_max_length(), matcher.block_max_weight())
                        if not blocks or blocks[-1] != block:
                            blocks.append(block)
                        matcher.next()
                    infos[name, text] = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
                                         info.max_weight(), info.min_id(), info.max_id(), blocks)
            out.append(infos)
    return out


def _segment_files(ix) -> dict[str, bytes]:
    """The files inside the index's one compound segment file, named without the segment's id."""
    (segment,) = ix._segments()
    files = segment.open_compound_file(ix.storage)
    return {name.replace(segment.segment_id(), ""): files.open_file(name).read() for name in files.list()}


def _ranked(index_dir: Path, thesaurus, exact: bool) -> list:
    """Each search's hits with their scores, through whoosh's searcher and through kg/search/searcher.py."""
    from whoosh import index, qparser

    found = []
    ix = index.open_dir(str(index_dir))
    with ix.searcher() as searcher:
        parser = qparser.MultifieldParser(["title_zh", "title_en", "body_zh", "body_en"], ix.schema)
        for words in SEARCHES:
            hits = [(round(hit.score, 9), _key(hit.fields())) for hit in searcher.search(parser.parse(words), limit=None)]
            found.append(hits if exact else sorted(hits, key=lambda h: (-h[0], h[1])))
    ours = Searcher(index_dir, thesaurus)
    for words in SEARCHES[:4]:
        hits = [(round(h["score"], 9), h["iri"], h["kind"]) for h in ours.search(words, per_page=100)["hits"]]
        found.append(hits if exact else sorted(hits, key=lambda h: (-h[0], h[1:])))
    return found


def test_one_segment_holds_the_very_files_whoosh_writes(documents, tmp_path, service):
    theirs = _index(tmp_path / "whoosh", documents, _plain)
    ours = _index(tmp_path / "ours", documents, MemorySegmentWriter)
    assert _segment_files(ours) == _segment_files(theirs)
    assert ours._segments()[0]._fieldlengths == theirs._segments()[0]._fieldlengths
    assert _contents(ours) == _contents(theirs)
    assert _term_infos(ours) == _term_infos(theirs)
    assert _ranked(tmp_path / "ours", service.thesaurus, exact=True) == \
           _ranked(tmp_path / "whoosh", service.thesaurus, exact=True)


def test_several_segments_answer_as_one(documents, tmp_path, service):
    theirs = _index(tmp_path / "whoosh", documents, _plain)
    # a segment every 2,000 postings: several, each starting its document numbers at 0
    ours = _index(tmp_path / "ours", documents, lambda ix: MemorySegmentWriter(ix, limit=2_000))
    contents = _contents(ours)
    assert contents["segments"] >= 3
    assert contents == {**_contents(theirs), "segments": contents["segments"]}
    assert _ranked(tmp_path / "ours", service.thesaurus, exact=False) == \
           _ranked(tmp_path / "whoosh", service.thesaurus, exact=False)


def test_the_multi_process_writer_writes_what_whoosh_writes(documents, tmp_path, service, monkeypatch):
    import kg.search.segments
    import kg.search.subwriters

    theirs = _index(tmp_path / "whoosh", documents[: len(documents) // 2], _plain)
    monkeypatch.setattr(kg.search.subwriters, "BATCH", 50)  # both sub-writers get documents
    monkeypatch.setattr(kg.search.segments, "SEGMENT_POSTINGS", 3_000)  # and write several segments each
    count = build_index(tmp_path / "parallel", service.store, service.thesaurus, procs=2)
    assert count == len(documents) // 2
    from whoosh import index

    ours = index.open_dir(str(tmp_path / "parallel"))
    contents = _contents(ours)
    assert contents["segments"] >= 4
    assert contents == {**_contents(theirs), "segments": contents["segments"]}
    assert _ranked(tmp_path / "parallel", service.thesaurus, exact=False) == \
           _ranked(tmp_path / "whoosh", service.thesaurus, exact=False)


def test_a_field_the_writer_cannot_write_is_refused(tmp_path):
    from whoosh import fields, index

    from kg.errors import KgError

    ix = index.create_in(str(tmp_path), fields.Schema(id=fields.ID(stored=True), body=fields.TEXT(vector=True)))
    with pytest.raises(KgError, match="body"):
        MemorySegmentWriter(ix)
