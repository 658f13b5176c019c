"""The service: the read API that the web app and the CLI share.

Owns: ``facade`` (``Service``: units, plans, ask, search, SPARQL, export, validation, status, over
the current build), ``overlapviews`` (the overlap views ``Service`` inherits: duty rows read from
the store, analysed a plan at a time), ``browse`` (the read model of the web pages as plain dicts),
``reports`` (the SPARQL that reads duties and plans, and the JSON shape of reports) and ``cache``
(a bounded memo of answers per build).

May import: every capability below it (kg.ask, kg.overlaps, kg.sparql, kg.build, kg.search,
kg.stores, kg.graph, kg.extraction, kg.documents) and the basics. Must not import Flask, kg.cli or
web: they stand on it.
"""
