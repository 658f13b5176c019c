"""Accuracy: extraction, units and answers scored against the hand-written gold files.

Owns: ``scoring`` (precision, recall and F1 per field of extraction; units found per document;
recall, precision and out-of-scope answers of ask) and ``overlaps`` (overlap findings per kind and
plan against the blind gold, with the matching rule), printed by ``kg eval``.

May import: kg.build (to extract or build the gold's documents), kg.service (to analyse what it
built) and the basics; otherwise it is handed a service.
Must not import kg.cli or web.
"""
