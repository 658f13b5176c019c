"""Reading documents: the only code that opens a source file.

Owns: decoding (UTF-8 or GB18030, the ``# key: value`` header, a digest), the formats that are not
plain text (HTML, .docx), what a plan says about itself (title, place, command) and the layout
parsers that cut a duty list into records (unit cell, duty paragraph, character offsets).

``reader.load_document(path)`` → (``Plan``, [``Record``]) is the way in; ``source``, ``formats``,
``names`` (what an organisation's name looks like), ``table``, ``entries`` and ``flat`` are its parts.

May import: the basics (kg.config, kg.errors, kg.models, kg.text, kg.vocab). Must not import any
other capability: documents are read before anything else happens.
"""
