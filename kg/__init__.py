"""DutyGraph: who does what in Chinese emergency plans, as an RDF knowledge graph.

One folder per capability, each with a docstring saying what it owns and what it may import. Data
flows one way, and each layer imports only the layers below it (checked by import-linter in the
test command; see ``[tool.importlinter]`` in pyproject.toml):

    kg.cli                      the ``kg`` command (and kg.serving: ``kg serve``'s processes)
    web                         the Flask app (a separate package; imports no store, whoosh or networkx)
    kg.evaluation               accuracy against the gold files
    kg.service                  the read API web and CLI share
    kg.sparql                   the SPARQL endpoint
    kg.build                    ``kg build``
    kg.ask | kg.overlaps        questions; overlapping responsibilities
    kg.search                   whoosh index and the duty table
    kg.stores | kg.graph        the data home and stores; duties → RDF
    kg.extraction               records → duties; the thesaurus matcher
    kg.documents                source files → records
    kg.config kg.errors kg.models kg.text kg.vocab kg.progress   the basics, importable by all

The library imports no Flask.
"""

__version__ = "0.1.0"
