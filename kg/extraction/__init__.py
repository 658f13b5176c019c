"""Extraction: records → duties, and the thesaurus matcher.

Owns: ``duties`` (a duty paragraph cut into obligations, each with its units, actions, objects,
issues, role and partners) and ``thesaurus`` (the SKOS thesauri of ontology/thesaurus/ as Python
values, and the one concept matcher that extraction, search and ask all use).

May import: kg.documents (the grammar of names) and the basics. Must not import the graph, the
stores, search, build, ask, overlaps, SPARQL or the service.
"""
