"""Ask: a question → concepts and words → ranked units with their role and evidence.

Owns: ``asker`` (the question's concepts, the duty table's candidates, the ranking of units and
the parameterised SPARQL that shows the evidence) and the plans' scenes (the emergency each plan is
about).

May import: kg.search (the searcher and the duty table), kg.extraction (the thesaurus) and the
basics. Must not import build, overlaps, SPARQL or the service.
"""
