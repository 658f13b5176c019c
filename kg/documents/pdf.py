"""PDF plans → the text the layout readers read: paragraphs as lines, tables as tab-separated rows.

A PDF has no paragraphs or tables, only positioned characters and ruling lines. pdfplumber (over
pdfminer.six) finds tables from their ruling lines and gives each visual line with its extent; this
module puts them back together:

- a **table** becomes one line per row, cells joined by tabs, a cell's wrapped lines joined again
  (without a space between Chinese characters); a row that a page break split (its first cells
  empty on the next page, often after the repeated header row) is joined to the row it continues;
- **text** between tables becomes paragraphs: a visual line continues the one before unless that
  one stopped short of the right margin, or this one is indented, or either looks like a heading;
  page numbers alone on a line are dropped;
- a PDF with no text at all (a scan) is refused with how to fix it.

Chosen by measuring (bench/bench_formats.py, figures in docs/formats.md): of pypdf, pdfminer.six,
pdfplumber, pypdfium2 and PyMuPDF, only a table-aware reading keeps each unit beside its duty
paragraph in a ruled table, and pdfplumber's is both right and MIT-licensed (PyMuPDF is AGPL and
120 MB).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from ..errors import KgError
from .table import is_header

# A line that is only a page number: "3", "- 3 -", "第 3 页", "3/9".
_PAGE_NUMBER = re.compile(r"^\s*(?:[-—–]\s*)?(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*/\s*\d{1,4})?(?:\s*[-—–])?\s*$")
_HEADING = re.compile(
    r"^\s*(?:[0-9]+(?:\.[0-9]+)*\.?\s*|[一二三四五六七八九十]+[、.．]|第[一二三四五六七八九十百]+[章节条部分]|附件\s*[0-9一二三四五六七八九十]*)"
)
_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u9fff\uff00-\uffef]")


def _join(a: str, b: str) -> str:
    """Two pieces of one paragraph or cell: no space between Chinese characters, one elsewhere."""
    if not a or not b:
        return a + b
    if _CJK.match(a[-1]) or _CJK.match(b[0]):
        return a + b
    return a + " " + b


def _cell(text: str | None) -> str:
    parts = [p.strip() for p in (text or "").split("\n") if p.strip()]
    out = ""
    for part in parts:
        out = _join(out, part)
    return out.replace("\t", " ")


def _paragraphs(lines: list[dict], left: float, right: float, out: list[str], open_: bool) -> bool:
    """Visual lines → paragraphs appended to ``out``, from where each line starts and stops;
    ``open_``: whether the last paragraph of ``out`` may go on (across a page break). Returns the
    same for the last line."""
    for line in lines:
        text = line["text"].strip()
        if not text or _PAGE_NUMBER.match(text):
            continue
        size = max(4.0, line["bottom"] - line["top"])
        indented = line["x0"] > left + 0.8 * size
        numbered = bool(_HEADING.match(text))  # "（10）市行政审批局：…", "2.3 成员单位职责": a new paragraph
        heading = numbered and len(text) <= 40
        if open_ and out and not indented and not numbered:
            out[-1] = _join(out[-1], text)
        else:
            out.append(text)
        # a line that stops short of the right margin (justified lines end within a character or two
        # of it), or a heading, ends its paragraph
        open_ = not heading and line["x1"] >= right - 2.5 * size and not text.endswith(("。", "：", ":"))
    return open_


class _Rows:
    """Table rows and paragraphs across pages, so a row or a paragraph a page break split is joined
    again."""

    def __init__(self) -> None:
        self.items: list[list[str] | str] = []  # a row's cells, or a paragraph
        self.last_row: list[str] | None = None
        self.open = False  # whether the last paragraph may go on

    def paragraphs(self, lines: list[dict], left: float, right: float) -> None:
        texts = [self.items.pop()] if self.open and self.items and isinstance(self.items[-1], str) else []
        carried = bool(texts)
        self.open = _paragraphs(lines, left, right, texts, carried)
        self.items.extend(texts)

    def row(self, cells: list[str]) -> None:
        self.open = False
        if not any(cells):
            return
        if is_header("\t".join(cells)):
            self.items.append(cells)
            return
        leading_empty = not cells[0] and (len(cells) < 3 or not cells[1])
        if leading_empty and self.last_row is not None and len(cells) == len(self.last_row):
            for i, cell in enumerate(cells):
                if cell:
                    self.last_row[i] = _join(self.last_row[i], cell)
            return
        self.items.append(cells)
        self.last_row = cells

    def text(self) -> str:
        return "\n".join(i if isinstance(i, str) else "\t".join(i) for i in self.items)


def pdf_to_text(path: Path, raw: bytes) -> str:
    try:
        import pdfplumber

        pdf = pdfplumber.open(io.BytesIO(raw))
    except Exception as exc:  # pdfminer raises many types for a damaged, foreign or encrypted file
        raise KgError(f"{path}: not a readable PDF ({type(exc).__name__})") from exc
    rows = _Rows()
    chars = 0
    with pdf:
        for page in pdf.pages:
            chars += len(page.chars)
            words = page.extract_text_lines()
            if not words:
                continue
            left = min(w["x0"] for w in words)
            ends = sorted(w["x1"] for w in words)
            right = ends[int(0.9 * (len(ends) - 1))]  # the margin most lines reach, not the one that overhangs
            tables = sorted((t for t in page.find_tables() if t.rows and len(t.rows[0].cells) >= 2),
                            key=lambda t: t.bbox[1])
            top = 0.0
            for table in tables:
                rows.paragraphs([w for w in words if top <= w["top"] < table.bbox[1]], left, right)
                for cells in table.extract():
                    rows.row([_cell(c) for c in cells])
                top = table.bbox[3]
            rows.paragraphs([w for w in words if w["top"] >= top], left, right)
    if chars == 0:
        raise KgError(f"{path}: the PDF has no text layer (a scanned document?); run OCR first (e.g. ocrmypdf) "
                      f"or export the text from the original file")
    return rows.text()
