"""The graph: extracted plans → RDF, the ontology's terms, SHACL.

Owns: ``triples`` (the only writer of triples: plans, units, records and duties as N-Quads or
rdflib graphs, and the ontology files that go with every build) and ``shapes`` (validation of a
built graph against ontology/shapes.ttl).

May import: kg.extraction (for its values), kg.documents and the basics. Must not import the
stores, search, build, ask, overlaps, SPARQL or the service.
"""
