"""A whoosh segment writer that keeps a segment's postings in memory (kg/search/indexing.py's only helper).

Takes the documents kg/search/indexing.py reads out of a build's store; writes whoosh segments, in
whoosh's own format, through whoosh's own codec. whoosh's ``SegmentWriter`` puts every posting
through a pool of pickled, sorted temp-file runs, then, to write each posting, looks its
document's field length up again in the length columns it has just written (a fifth of its
time) and adds it with four type asserts. The lengths were known when the document was added:
this writer keeps each segment's postings per field and term, and each document's length bytes,
in memory, and at the segment's end hands whoosh's postings writer a block (128 postings) at a
time. whoosh still pickles, compresses and lays out every block, term entry and column (stored
fields and lengths go to its per-document writer's columns), so the files are byte for byte those
whoosh writes (tests/test_indexing.py) and kg/search/searcher.py and kg/search/ranking.py read them unchanged. A
segment is closed every ``limit`` postings, so what is held does not grow with the corpus; an
index is every writer's segments.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict

from ..errors import KgError

# Postings held before a segment is written: two list slots each (the document number and a
# (weight, value) pair that every posting of a remembered value shares), about 60 bytes with the
# terms and columns (measured at 1,000 plans), so some 350 MB per writer; at 1,000 synthetic plans
# (3.2 M postings per sub-writer) one segment per writer, at 10,000 about six.
SEGMENT_POSTINGS = 6_000_000
MEMO_SIZE = 65536  # analysed values remembered per field


class MemorySegmentWriter:
    """Documents in, whoosh segments out (``finish``); ``commit`` also makes them the index's, after
    the segments ``after`` (which other writers wrote: kg/build/planindex.py's extraction workers)."""

    def __init__(self, ix, limit: int | None = None, lock: bool = True, after: list = ()):
        from whoosh.codec import default_codec

        self._ix, self._storage, self._indexname = ix, ix.storage, ix.indexname
        self.schema = ix.schema
        unsupported = [name for name, field in self.schema.items()
                       if field.vector or field.column_type or field.separate_spelling()]
        if unsupported:  # what whoosh's writer would also write, and this one does not
            raise KgError(f"search index fields with vectors, columns or spelling: {', '.join(unsupported)}")
        self._codec = default_codec()
        self._lock = ix.lock("WRITELOCK") if lock else None
        if self._lock is not None and not self._lock.acquire(False):
            raise KgError("the search index is being written by another writer")
        self.limit = limit or SEGMENT_POSTINGS
        self.segments: list = list(after)  # in document order: ``after`` (written elsewhere), then ours
        self._memos: dict[str, OrderedDict] = {}  # field → value → what ``_analysed`` gives
        self._layouts: dict[tuple, list] = {}  # a document's field names → what ``_fields`` gives
        self._segment = None  # the one being filled

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        if kind is None:
            self.commit()
        else:
            self.cancel()

    def _open(self) -> None:
        self._segment = self._codec.new_segment(self._storage, self._indexname)
        self._perdoc = self._codec.per_document_writer(self._storage, self._segment)
        self._terms: dict[str, dict[bytes, list]] = {}  # field → term → [doc, (weight, value), doc, …]
        self._lengths: dict[str, bytearray] = {}  # field → each document's length byte (0: none)
        self._totals = self._perdoc._fieldlengths  # field → its length summed over the documents
        self._stored = self._perdoc._colwriters["_stored"]
        self._docnum = self._postings = 0

    def add_document(self, **fields) -> None:
        """As whoosh's ``SegmentWriter.add_document``: fields in name order, ``_boost`` and
        ``_<field>_boost`` scaling weights, ``_stored_<field>`` stored in place of the value."""
        if self._segment is None:
            self._open()
        docnum, terms_of, lengths_of, totals = self._docnum, self._terms, self._lengths, self._totals
        docboost = fields.get("_boost", 1.0)
        stored, added = {}, 0
        for name, field in self._fields(fields):
            value = fields[name]
            if value is None:
                continue
            if field.indexed:
                boost = fields.get(f"_{name}_boost", docboost)
                postings, length, byte = self._analysed(name, field, value, boost)
                terms = terms_of.get(name)
                if terms is None:
                    terms = terms_of[name] = {}
                for text, posting in postings:
                    entry = terms.get(text)
                    if entry is None:
                        terms[text] = [docnum, posting]
                    else:
                        entry += (docnum, posting)
                added += len(postings)
                if length:  # what W3PerDocWriter.add_field keeps: a length byte per document, a total
                    column = lengths_of.get(name)
                    if column is None:
                        column = lengths_of[name] = bytearray()
                    column.extend(bytes(docnum - len(column)))
                    column.append(byte)
                    totals[name] += length
            if field.stored:
                stored[name] = fields.get(f"_stored_{name}", value)
        if stored:  # W3PerDocWriter.finish_doc's stored-fields row
            self._stored.add(docnum, stored)
        self._docnum += 1
        self._postings += added
        if self._postings >= self.limit:
            self.flush()

    def _fields(self, fields: dict) -> list:
        """(name, field) of a document's fields in name order, remembered per set of names (every
        duty has the same); an unknown name fails as in whoosh."""
        names = tuple(fields)
        found = self._layouts.get(names)
        if found is None:
            from whoosh.fields import UnknownFieldError

            found = []
            for name in sorted(name for name in names if not name.startswith("_")):
                if name not in self.schema:
                    raise UnknownFieldError(f"No field named {name!r} in {self.schema}")
                found.append((name, self.schema[name]))
            self._layouts[names] = found
        return found

    def _analysed(self, name: str, field, value, boost) -> tuple[tuple, int, int]:
        """A value's postings as (term, (weight, encoded value)), its length and length byte,
        remembered per field (``MEMO_SIZE`` values, the most recently used): a field's values recur
        (a plan's name, a unit's, a duty kind, formulaic clauses) and analysing them is most of
        adding a document. The weight pair is shared by every posting of the value."""
        from whoosh.util.numeric import length_to_byte

        memo = self._memos.get(name) if boost == 1.0 and not field.unique else None
        if memo is not None:
            try:
                found = memo[value]
            except (KeyError, TypeError):  # TypeError: a value that cannot be a key
                found = None
            if found is not None:
                memo.move_to_end(value)
                return found
        length, postings = 0, []
        for text, freq, weight, data in field.index(value):
            if field.scorable:
                length += freq
            postings.append((text, (weight * boost, data)))
        found = (tuple(postings), length, length_to_byte(length) if length else 0)
        if boost == 1.0 and not field.unique:
            memo = self._memos.setdefault(name, OrderedDict())
            try:
                memo[value] = found
            except TypeError:
                return found
            if len(memo) > MEMO_SIZE:
                memo.popitem(last=False)
        return found

    def flush(self) -> None:
        """Write the segment being filled (if any document went in) and start the next one afresh."""
        if self._segment is None:
            return
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

        segment, storage, docs, perdoc = self._segment, self._storage, self._docnum, self._perdoc
        for name, column in self._lengths.items():  # the columns add_field would have filled
            perdoc._create_column(_lenfield(name), LENGTHS_COLUMN)
            writer = perdoc._colwriters[_lenfield(name)]
            for docnum, byte in enumerate(column):
                if byte:
                    writer.add(docnum, byte)
        perdoc._doccount = docs
        perdoc.close()  # stored fields, length columns and field length totals
        fields = self._codec.field_writer(storage, segment)
        for name in sorted(self._terms):
            terms = self._terms[name]
            if not terms:
                continue
            fields.start_field(name, self.schema[name])
            lengths = _decoded(self._lengths.get(name), docs)
            for text in sorted(terms):
                fields.start_term(text)
                _add_blocks(fields._postwriter, terms[text], lengths)
                fields.finish_term()
            fields.finish_field()
        fields.close()
        segment.set_doc_count(docs)
        if segment.should_assemble():
            segment.create_compound_file(storage)
        self.segments.append(segment)
        self._segment = self._terms = self._lengths = None

    def finish(self) -> list:
        """Write the last segment; every segment written, for a parent writer's table of contents."""
        self.flush()
        return self.segments

    def commit(self) -> None:
        """Make the segments written the index's (after those it had), as whoosh's commit does."""
        from whoosh.index import TOC, clean_files

        try:
            self.finish()
            info = self._ix._read_toc()
            segments = [*info.segments, *self.segments]
            TOC(self.schema, segments, info.generation + 1).write(self._storage, self._indexname)
            clean_files(self._storage, self._indexname, info.generation + 1, segments)
        finally:
            self._release()

    def cancel(self) -> None:
        """Stop: the files of unfinished segments are left for the index's next commit to clean."""
        if self._segment is not None:
            self._perdoc.close()
            self._segment = None
        self._release()

    def _release(self) -> None:
        self._storage.temp_storage(f"{self._indexname}.tmp").destroy()
        if self._lock is not None:
            self._lock.release()
            self._lock = None


def _decoded(column: bytearray | None, docs: int) -> list[int] | None:
    """Each document's field length as whoosh's length column gives it back (0: none stored)."""
    from whoosh.util.numeric import byte_to_length

    if column is None:
        return None
    table = [0] + [byte_to_length(b) for b in range(1, 256)]
    column.extend(bytes(docs - len(column)))
    return [table[b] for b in column]


def _add_blocks(writer, entry: list, lengths: list[int] | None) -> None:
    """Fill whoosh's ``W3PostingsWriter`` (between ``start_postings`` and ``finish_postings``) with a
    term's postings a block at a time: its buffers and block statistics set as ``add_posting`` would
    have left them, written by its own ``_write_block`` (the last by ``finish_postings``)."""
    ids, pairs = entry[0::2], entry[1::2]
    size = writer._blocklimit
    for start in range(0, len(ids), size):
        if start:
            writer._write_block()
        block_ids = ids[start:start + size]
        block_weights = [weight for weight, _ in pairs[start:start + size]]
        writer._ids = array("I", block_ids)
        writer._weights = array("f", block_weights)
        writer._values = [data for _, data in pairs[start:start + size] if data]
        heaviest = max(block_weights)
        writer._maxweight = heaviest if heaviest > 0 else 0
        if lengths is not None:
            known = [n for n in map(lengths.__getitem__, block_ids) if n]
            if known:
                writer._minlength, writer._maxlength = min(known), max(known)
