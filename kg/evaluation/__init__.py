"""Accuracy: extraction, units and answers scored against the hand-written gold files.

Owns: ``scoring`` (precision, recall and F1 per field of extraction; units found per document;
recall, precision and out-of-scope answers of ask), printed by ``kg eval``.

May import: kg.build (to extract the gold's documents) and the basics; it is handed a service.
Must not import kg.cli or web.
"""
