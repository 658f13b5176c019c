"""Overlaps: who shares which duty on which target, within each plan, as findings and networkx views.

Owns: ``reading`` (one clause read for the rules: what it acts on, where, how, whether it leads),
``concepts`` (what the thesaurus's structure says: categories, families and fields, a plan's scene,
the kinds of verbs), ``findings`` (duplication, overlap, fragmentation and gaps, after the U.S. GAO's
definitions), ``analysis`` (plans, the unit–target, unit × unit and collaboration graphs),
``layout`` (where a picture's nodes go: stable, no label on another), ``pictures`` (the findings,
heatmap and networks laid out for /overlaps), ``compare`` (two plans side by side by agency type)
and ``exports`` (GraphML, GEXF, CSV).

May import: kg.extraction (the thesaurus) and the basics. Must not import the stores, search,
build, ask, SPARQL or the service: the service reads the duty rows and hands them in.
"""
