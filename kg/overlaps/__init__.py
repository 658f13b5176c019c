"""Overlaps: who shares which duty on which object, as networkx views and findings.

Owns: ``analysis`` (duplication, overlap, fragmentation and gaps, after the U.S. GAO's definitions,
plan by plan; the unit–target and collaboration graphs), ``pictures`` (the findings, heatmap and
networks laid out for /overlaps), ``compare`` (two plans side by side by agency type) and
``exports`` (GraphML, GEXF, CSV).

May import: kg.extraction (the thesaurus) and the basics. Must not import the stores, search,
build, ask, SPARQL or the service: the service reads the duty rows and hands them in.
"""
