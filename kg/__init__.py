"""DutyGraph: who does what in Chinese emergency plans, as an RDF knowledge graph.

The library imports no Flask. Data flows one way:
sources → ingest → extract → graph → store → search / overlap / ask → service → web | cli.
"""

__version__ = "0.1.0"
