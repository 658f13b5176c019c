"""Word 97-2003 (.doc) and WPS Writer (.wps) files → text: paragraphs as lines, table rows tab-separated.

Both are OLE compound files holding the Word binary format ([MS-DOC]): the ``WordDocument`` stream
starts with the FIB, whose ``fcClx``/``lcbClx`` point into the table stream (``0Table`` or ``1Table``)
at the piece table, a list of (character range, file offset) pieces, each stored as UTF-16LE or as
compressed 8-bit text (cp1252). The main document is the first ``ccpText`` characters. In it, ``\\r``
ends a paragraph, ``\\x07`` ends a table cell (two in a row: a cell and its row), ``\\x0b`` breaks a
line, and fields are ``\\x13 instructions \\x14 result \\x15`` (the result is kept).

Chosen by measuring (bench/bench_formats.py, docs/formats.md): antiword reads these files as well
and as fast, but as a Debian program it is not on every machine that runs ``make run``; catdoc
garbles some paragraphs; LibreOffice headless is right but 200× slower and several hundred MB.
This reader needs only olefile (pure Python).
"""

from __future__ import annotations

import io
import re
import struct
from pathlib import Path

from ..errors import KgError

_FIELD = re.compile(r"\x13[^\x13\x14\x15]*(?:\x14([^\x13\x14\x15]*))?\x15")
_CP1252_EXTRA = {  # bytes 0x80-0x9f that cp1252 leaves undefined decode to themselves
    0x81, 0x8D, 0x8F, 0x90, 0x9D}


def _decode_8bit(data: bytes) -> str:
    return "".join(chr(b) if b in _CP1252_EXTRA else bytes([b]).decode("cp1252") for b in data)


def doc_to_text(path: Path, raw: bytes) -> str:
    try:
        import olefile

        if not olefile.isOleFile(io.BytesIO(raw)):
            raise ValueError("not an OLE compound file")
        ole = olefile.OleFileIO(io.BytesIO(raw))
    except Exception as exc:
        raise KgError(f"{path}: not a Word 97-2003 document ({exc})") from exc
    try:
        if not ole.exists("WordDocument"):
            raise KgError(f"{path}: an OLE file without a Word document (an Excel or PowerPoint file?)")
        word = ole.openstream("WordDocument").read()
        if len(word) < 0x01AA or struct.unpack_from("<H", word, 0)[0] not in (0xA5EC, 0xA5DC):
            raise KgError(f"{path}: not a Word 97-2003 document (unknown file information block)")
        flags = struct.unpack_from("<H", word, 0x0A)[0]
        if flags & 0x0100:
            raise KgError(f"{path}: the document is encrypted; save it without a password first")
        table_name = "1Table" if flags & 0x0200 else "0Table"
        if not ole.exists(table_name):
            raise KgError(f"{path}: damaged Word document (no {table_name} stream)")
        table = ole.openstream(table_name).read()
        ccp_text = struct.unpack_from("<i", word, 0x4C)[0]
        fc_clx, lcb_clx = struct.unpack_from("<II", word, 0x01A2)
        text = _pieces(table[fc_clx : fc_clx + lcb_clx], word)[: max(0, ccp_text)]
    except (struct.error, IndexError, ValueError) as exc:
        raise KgError(f"{path}: damaged Word document ({exc})") from exc
    finally:
        ole.close()
    return _plain(text)


def _pieces(clx: bytes, word: bytes) -> str:
    at = 0
    while at < len(clx) and clx[at] == 0x01:  # Prc: formatting, skipped
        at += 3 + struct.unpack_from("<H", clx, at + 1)[0]
    if at >= len(clx) or clx[at] != 0x02:
        raise ValueError("no piece table")
    size = struct.unpack_from("<I", clx, at + 1)[0]
    plc = clx[at + 5 : at + 5 + size]
    count = (size - 4) // 12
    cps = struct.unpack_from(f"<{count + 1}i", plc, 0)
    out = []
    for i in range(count):
        fc = struct.unpack_from("<I", plc, 4 * (count + 1) + 8 * i + 2)[0]
        length = cps[i + 1] - cps[i]
        if fc & 0x40000000:  # compressed: one byte a character, at half the offset
            start = (fc & 0x3FFFFFFF) // 2
            out.append(_decode_8bit(word[start : start + length]))
        else:
            out.append(word[fc : fc + 2 * length].decode("utf-16-le", "replace"))
    return "".join(out)


def _plain(text: str) -> str:
    text = _FIELD.sub(lambda m: m.group(1) or "", text)
    text = text.replace("\x07\x07", "\n").replace("\x07", "\t").replace("\r", "\n").replace("\x0b", "\n")
    text = re.sub(r"[\x00-\x08\x0c\x0e-\x1f]", "", text)  # pictures, page breaks, other marks
    lines = [re.sub(r"[ \u3000]+$", "", line.rstrip("\t")) for line in text.split("\n")]
    return "\n".join(line for line in lines if line.strip())
