"""``kg build``: documents in, a new data home out.

Owns: ``pipeline`` (the one writer of the data home: read, extract, write N-Quads to one bulk load,
index, swap in when all succeeded), ``bulk`` (extraction in worker processes), ``planindex`` (a
large build's search documents and duty-table rows made in those workers) and ``indexer`` (a small
build's index pass, forked when the build starts). Which of the two index paths a build takes is
decided in ``pipeline.build``, and only there: the store path stays because every SPARQL Update
re-derives the index from the changed store, and a small build through the workers' path took 2.8 s
against 1.5 s (the seed's cold build must stay under 3 s); see docs/architecture.md.

May import: kg.documents, kg.extraction, kg.graph, kg.stores, kg.search and the basics. Must not
import ask, overlaps, SPARQL or the service: they read what a build wrote.
"""
