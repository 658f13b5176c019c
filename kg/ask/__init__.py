"""Ask: a question → concepts and words → ranked units with their role and evidence.

Owns: ``question`` (a question's slots: its concepts and its words), ``bridge`` (English words to
the Chinese words plans use, through CC-CEDICT), ``retrieval`` (every clause scored against the
slots), ``asker`` (the ranking of units, their role and evidence, the honesty of an answer, the
parameterised SPARQL that shows the evidence) and the plans' scenes (the emergency each plan is
about). How it works and how well: docs/ask.md.

May import: kg.search (the searcher and the duty table), kg.extraction (the thesaurus) and the
basics. Must not import build, overlaps, SPARQL or the service.
"""
