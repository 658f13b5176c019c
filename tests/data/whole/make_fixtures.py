"""Build the Word fixtures of tests/data/whole/ from its .txt files.

Run by make_fixtures.sh (which also runs LibreOffice, pdftoppm and img2pdf); needs python-docx.
Does not import the project. Usage:

    python make_fixtures.py docx IN.txt OUT.docx       # the plan as a Word document
    python make_fixtures.py no-duty-list IN.txt OUT.txt # sections 1 and 3 of the plan only
    python make_fixtures.py blank OUT.docx              # a valid .docx with no text
    python make_fixtures.py scan OUT.pdf PAGE.pgm...    # page images → image-only PDF

Text → Word: the first line is the title (style Title); "1 总则" and "附件…" lines are
Heading 1, "1.1 …" Heading 2, "4.2.1 …" Heading 3; each run of lines holding a tab is one
real three-column Word table whose first row is a header row (repeated on each page); blank
lines only separate paragraphs; every other line is one body paragraph, its text unchanged.
"""

import datetime
import io
import re
import sys
import zipfile

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

FONT = "Noto Sans CJK SC"  # from Debian's fonts-noto-cjk, so the PDFs embed real glyphs
FIXED = datetime.datetime(2024, 1, 1, 0, 0, 0)
COL_WIDTHS = (Cm(1.3), Cm(3.7), Cm(11.0))

H1 = re.compile(r"^(\d+ |附件)")
H2 = re.compile(r"^\d+\.\d+ ")
H3 = re.compile(r"^\d+\.\d+\.\d+ ")


def _fonts(style, name, size=None, bold=None):
    style.font.name = name
    if size is not None:
        style.font.size = size
    if bold is not None:
        style.font.bold = bold
    style.font.color.rgb = None
    rpr = style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in list(rfonts.attrib):
        if attr.endswith("Theme"):
            del rfonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)


def _new_document():
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(2.5)
    sec.top_margin = sec.bottom_margin = Cm(2.5)
    _fonts(doc.styles["Normal"], FONT, Pt(12))
    _fonts(doc.styles["Title"], FONT, Pt(20), True)
    for level, size in ((1, Pt(16)), (2, Pt(14)), (3, Pt(12))):
        _fonts(doc.styles[f"Heading {level}"], FONT, size, True)
    cp = doc.core_properties
    cp.author = cp.last_modified_by = "DutyGraph fixtures"
    cp.created = cp.modified = FIXED
    cp.last_printed = FIXED
    cp.revision = 1
    return doc


def _repeat_header(row):
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _table(doc, rows):
    table = doc.add_table(rows=0, cols=3)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for i, line in enumerate(rows):
        cells = line.split("\t")
        if len(cells) != 3:
            raise SystemExit(f"table line without 3 cells: {line!r}")
        row = table.add_row()
        if i == 0:
            _repeat_header(row)
        for cell, text, width in zip(row.cells, cells, COL_WIDTHS):
            cell.width = width
            cell.paragraphs[0].text = text
            if i == 0:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
    for col, width in zip(table.columns, COL_WIDTHS):
        col.width = width


def _save(doc, path):
    """Save with fixed zip timestamps, so the same .txt gives the same bytes."""
    doc.save(path)
    with zipfile.ZipFile(path) as z:
        items = [(info, z.read(info.filename)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            z.writestr(fixed, data)


def build_docx(src, out):
    lines = open(src, encoding="utf-8").read().split("\n")
    doc = _new_document()
    first = True
    pending = []
    for line in lines + [""]:
        if "\t" in line:
            pending.append(line)
            continue
        if pending:
            _table(doc, pending)
            pending = []
        if not line.strip():
            continue
        if first:
            doc.add_paragraph(line, style="Title")
            first = False
        elif H3.match(line):
            doc.add_heading(line, level=3)
        elif H2.match(line):
            doc.add_heading(line, level=2)
        elif H1.match(line):
            doc.add_heading(line, level=1)
        else:
            p = doc.add_paragraph(line)
            p.paragraph_format.first_line_indent = Pt(24)
    _save(doc, out)


def no_duty_list(src, out):
    """Title, section 1 (总则) and section 3 (预警, renumbered 2) of the whole plan."""
    text = open(src, encoding="utf-8").read()
    title = "聊城市重污染天气应急预案（节选）"
    part1 = text[text.index("1 总则\n"):text.index("2 组织体系\n")]
    part3 = text[text.index("3 预警\n"):text.index("4 应急响应\n")]
    part3 = re.sub(r"(?m)^3(\.\d+)? ", lambda m: "2" + (m.group(1) or "") + " ", part3)
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write(title + "\n\n" + part1 + part3.rstrip("\n") + "\n")


def blank(out):
    doc = _new_document()
    body = doc.element.body
    for p in body.findall(qn("w:p")):
        body.remove(p)
    _save(doc, out)


def scan(out, *pages):
    """Page images (pdftoppm's PGM) → 8-bit grayscale JPEGs (quality 50) → a PDF of images only."""
    import img2pdf
    from PIL import Image

    jpegs = []
    for page in pages:
        buf = io.BytesIO()
        Image.open(page).convert("L").save(buf, "JPEG", quality=50, dpi=(100, 100))
        jpegs.append(buf.getvalue())
    with open(out, "wb") as f:
        f.write(img2pdf.convert(jpegs, nodate=True))


if __name__ == "__main__":
    cmd, *args = sys.argv[1:]
    {"docx": build_docx, "no-duty-list": no_duty_list, "blank": blank, "scan": scan}[cmd](*args)
