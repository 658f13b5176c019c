"""Documents that are not plain text, turned into the text the layout parsers read.

HTML pages: paragraphs and line breaks become lines, table rows become tab-separated lines, scripts
and styles are dropped, entities decoded. Word files (.docx, python-docx): paragraphs and tables in
the order of the document body, rows tab-separated. PDF (kg/documents/pdf.py) and Word 97-2003 or
WPS files (kg/documents/word97.py) the same way. Character offsets (spans) of duties from such
documents refer to this text, which is kept in the graph's sources as the document's text.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

from ..errors import KgError

TEXT_SUFFIXES = {".txt", ".tsv", ".text", ".csv", ""}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
DOCX_SUFFIXES = {".docx"}
PDF_SUFFIXES = {".pdf"}
WORD97_SUFFIXES = {".doc", ".wps"}
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | DOCX_SUFFIXES | PDF_SUFFIXES | WORD97_SUFFIXES
READABLE = ".txt, .tsv, .html, .docx, .doc, .wps and .pdf"

_BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section", "article",
          "header", "footer", "blockquote", "pre", "dd", "dt", "ul", "ol", "title"}
_CELL = {"td", "th"}
_SKIP = {"script", "style", "noscript", "template", "head"}


class _HtmlText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.cell_open = False

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag in _CELL:
            if self.cell_open:
                self.parts.append("\t")
            self.cell_open = True
        elif tag in _BLOCK:
            self.parts.append("\n")
            if tag == "tr":
                self.cell_open = False

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))

    def text(self) -> str:
        lines = [re.sub(r" *\t *", "\t", line).strip(" ") for line in "".join(self.parts).split("\n")]
        return "\n".join(line for line in lines if line.strip())


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    parser.feed(html)
    parser.close()
    return parser.text()


def docx_to_text(path: Path, raw: bytes) -> str:
    try:
        from docx import Document
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = Document(io.BytesIO(raw))
    except Exception as exc:  # python-docx raises several types for a damaged or foreign file
        raise KgError(f"{path}: not a readable .docx file ({type(exc).__name__})") from exc
    lines: list[str] = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(block, document).text.strip())
        elif tag == "tbl":
            for row in Table(block, document).rows:
                cells = [" ".join(c.text.split()) for c in row.cells]
                lines.append("\t".join(dict.fromkeys(cells)) if len(set(cells)) < len(cells) else "\t".join(cells))
    return "\n".join(line for line in lines if line)


def binary_to_text(path: Path, raw: bytes) -> str:
    """A .docx, .doc, .wps or .pdf file's text, chosen by what the bytes are (a .doc that is really
    a .docx, as Word and WPS sometimes save them, is read as one)."""
    if raw.startswith(b"%PDF"):
        from .pdf import pdf_to_text

        return pdf_to_text(path, raw)
    if raw.startswith(b"PK\x03\x04"):
        return docx_to_text(path, raw)
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        from .word97 import doc_to_text

        return doc_to_text(path, raw)
    kind = {".pdf": "PDF", ".docx": ".docx"}.get(path.suffix.lower(), "Word 97-2003 or WPS")
    raise KgError(f"{path}: not a readable {kind} file (it starts like no PDF, .docx or Word 97 file)")


def html_charset(raw: bytes) -> str | None:
    found = re.search(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_-]+)", raw[:4096], re.IGNORECASE)
    return found.group(1).decode("ascii").lower() if found else None
