"""The SPARQL endpoint: protocol, safety, worker processes, results, updates, linked data.

Owns: ``protocol`` (what an HTTP request asks for, whether it is safe, which serialisation answers
it), ``workers`` (killable worker processes: every query, update and graph read runs in one),
``query`` (the jobs those workers run), ``results`` (serialisation with a row cap), ``update``
(SPARQL Update and the Graph Store Protocol's writes on a copy of the build), ``graphstore`` (the
Graph Store HTTP Protocol), ``linked`` (what the graph says about one IRI) and ``endpoint`` (the
facade the web app holds: one worker pool per app).

May import: kg.build (a write re-derives the index), kg.search, kg.stores, kg.graph,
kg.extraction and the basics. Must not import ask, overlaps or the service.
"""
