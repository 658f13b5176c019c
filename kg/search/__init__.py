"""Search: the only code that uses whoosh, and the duty table ask ranks from.

Owns: ``indexing`` (the index written from a build's store), ``segments`` (the in-memory segment
writer) and ``subwriters`` (whoosh's multi-process writer, forked explicitly), ``searcher`` (keyword
search with jieba's words, facets and snippets), ``ranking`` (BM25F top hits from posting blocks),
``facets`` (facet counts) and ``postings`` (the duty table: which duties name each concept, their
role and units, as NumPy arrays).

May import: kg.extraction (the thesaurus), kg.stores, kg.graph and the basics. Must not import
build, ask, overlaps, SPARQL or the service: search is written by the build and read by them.
"""
