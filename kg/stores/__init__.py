"""Stores: the data home and where triples live.

Owns: ``local`` (the data home: builds on disk, the Oxigraph store of each, the manifest, the
atomic swap of a new build) and ``remote`` (a SPARQL 1.1 server over HTTP as the store: pushing a
build's graphs there and reading everything from there).

May import: the basics only. Must not import search, build, ask, overlaps, SPARQL or the service;
a store does not know what the triples mean.
"""
