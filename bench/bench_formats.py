"""Which library reads PDF and Word 97 (.doc) plans best: text right, tables in order, fast, light.

Reads the whole-plan fixtures (tests/data/whole/: the seed's 17-row list inside a whole plan, as a
PDF with a real table whose rows wrap and break across pages, as a PDF of "（n）单位：职责" lines and
as a .doc) with every candidate that is installed, and prints for each: how many of the 17 duty
paragraphs come out whole (whitespace ignored), whether they come out in the list's order, the
median time of ``--repeat`` reads, and the size the library adds to an environment. Figures, never
asserts. The candidates are not all the project's dependencies; install them into a scratch
environment first:

    python -m venv /tmp/fmt && /tmp/fmt/bin/pip install pypdf pdfplumber pdfminer.six pypdfium2 pymupdf olefile
    /tmp/fmt/bin/pip install -e .   # the project (for its own readers: kg/documents/formats.py)
    /tmp/fmt/bin/python bench/bench_formats.py [--repeat 3] [--json]

.doc readers: ``antiword`` and ``catdoc`` (Debian packages, when on PATH), LibreOffice headless
(``soffice``, when on PATH) and the project's own reader (olefile + the Word 97 piece table).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WHOLE = ROOT / "tests" / "data" / "whole"
SEED = ROOT / "data" / "plans" / "liaocheng_heavy-pollution_member-duties.txt"


def paragraphs() -> list[tuple[str, str]]:
    """(unit cell, duty paragraph) of each of the seed's 17 rows, whitespace removed."""
    rows = [line.split("\t") for line in SEED.read_text(encoding="utf-8").splitlines()]
    return [(re.sub(r"\s+", "", r[1]), re.sub(r"\s+", "", r[2])) for r in rows if len(r) >= 3 and r[0].strip().isdigit()]


def score(text: str, wanted: list[tuple[str, str]]) -> dict:
    """Paragraphs found whole, in order, and beside their unit (the unit's name ends at most a few
    characters before the paragraph starts: a table read row by row, not column by column)."""
    flat = re.sub(r"\s+", "", text)
    found = [flat.find(p) for _, p in wanted]
    whole = [f for f in found if f >= 0]
    paired = sum(1 for (unit, _), at in zip(wanted, found) if at >= 0 and unit[-4:] in flat[max(0, at - 8):at])
    return {"whole": len(whole), "of": len(wanted), "in_order": whole == sorted(whole), "paired": paired}


def size_of(*dists: str) -> float:
    total = 0
    for dist in dists:
        try:
            files = importlib.metadata.distribution(dist).files or []
        except importlib.metadata.PackageNotFoundError:
            return float("nan")
        total += sum(f.locate().stat().st_size for f in files if f.locate().is_file())
    return round(total / 1e6, 1)


# ---------------------------------------------------------------- PDF candidates


def pypdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def pdfminer_text(path: Path) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(str(path))


def pdfplumber_text(path: Path) -> str:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def pdfplumber_tables(path: Path) -> str:
    """Text outside tables, and each table row as tab-separated cells (pdfplumber's table finder)."""
    import pdfplumber

    out = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            tables = page.find_tables()
            rest = page
            for table in tables:
                rest = rest.outside_bbox(table.bbox)
            out.append(rest.extract_text() or "")
            for table in tables:
                for row in table.extract():
                    out.append("\t".join((c or "").replace("\n", "") for c in row))
    return "\n".join(out)


def pypdfium2_text(path: Path) -> str:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


def pymupdf_text(path: Path) -> str:
    import pymupdf

    with pymupdf.open(path) as doc:
        return "\n".join(page.get_text() for page in doc)


def pymupdf_tables(path: Path) -> str:
    import pymupdf

    out = []
    with pymupdf.open(path) as doc:
        for page in doc:
            tables = page.find_tables().tables
            out.append(page.get_text())
            for table in tables:
                for row in table.extract():
                    out.append("\t".join((c or "").replace("\n", "") for c in row))
    return "\n".join(out)


def project_pdf(path: Path) -> str:
    from kg.documents.pdf import pdf_to_text

    return pdf_to_text(path, path.read_bytes())


PDF = {
    "pypdf": (pypdf_text, ("pypdf",)),
    "pdfminer.six": (pdfminer_text, ("pdfminer.six",)),
    "pdfplumber (text)": (pdfplumber_text, ("pdfplumber", "pdfminer.six", "pypdfium2")),
    "pdfplumber (tables)": (pdfplumber_tables, ("pdfplumber", "pdfminer.six", "pypdfium2")),
    "pypdfium2": (pypdfium2_text, ("pypdfium2",)),
    "PyMuPDF (text)": (pymupdf_text, ("pymupdf",)),
    "PyMuPDF (tables)": (pymupdf_tables, ("pymupdf",)),
    "DutyGraph (kg/documents/formats.py)": (project_pdf, ()),
}

# ---------------------------------------------------------------- .doc candidates


def command_text(*command: str):
    def read(path: Path) -> str:
        return subprocess.run([*command, str(path)], capture_output=True, timeout=120, check=True).stdout.decode(
            "utf-8", "replace")
    return read


def soffice_text(path: Path) -> str:
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{out}/profile", "--convert-to",
                        "txt:Text (encoded):UTF8", "--outdir", out, str(path)], capture_output=True, timeout=300,
                       check=True)
        return (Path(out) / (path.stem + ".txt")).read_text(encoding="utf-8")


def project_doc(path: Path) -> str:
    from kg.documents.word97 import doc_to_text

    return doc_to_text(path, path.read_bytes())


DOC = {
    "antiword (Debian)": (command_text("antiword", "-m", "UTF-8.txt", "-w", "0"), "antiword"),
    "catdoc (Debian)": (command_text("catdoc", "-d", "utf-8", "-w"), "catdoc"),
    "LibreOffice headless": (soffice_text, "soffice"),
    "DutyGraph (olefile + piece table)": (project_doc, None),
}


def timed(read, path: Path, repeat: int) -> tuple[str, float]:
    times, text = [], ""
    for _ in range(repeat):
        start = time.perf_counter()
        text = read(path)
        times.append(time.perf_counter() - start)
    return text, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    wanted = paragraphs()
    rows = []
    for name, (read, dists) in PDF.items():
        for fixture in ("liaocheng_whole_table.pdf", "liaocheng_whole_colon.pdf"):
            try:
                text, seconds = timed(read, WHOLE / fixture, args.repeat)
            except Exception as exc:  # a candidate that is not installed or fails: say so
                rows.append({"format": "pdf", "reader": name, "file": fixture, "error": f"{type(exc).__name__}: {exc}"[:80]})
                continue
            rows.append({"format": "pdf", "reader": name, "file": fixture, **score(text, wanted),
                         "ms": round(seconds * 1000, 1), "mb": size_of(*dists) if dists else 0.0})
    for name, (read, binary) in DOC.items():
        if binary and not shutil.which(binary):
            rows.append({"format": "doc", "reader": name, "file": "liaocheng_whole_colon.doc", "error": "not installed"})
            continue
        try:
            text, seconds = timed(read, WHOLE / "liaocheng_whole_colon.doc", args.repeat)
        except Exception as exc:
            rows.append({"format": "doc", "reader": name, "file": "liaocheng_whole_colon.doc",
                         "error": f"{type(exc).__name__}: {exc}"[:80]})
            continue
        rows.append({"format": "doc", "reader": name, "file": "liaocheng_whole_colon.doc", **score(text, wanted),
                     "ms": round(seconds * 1000, 1)})
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    print(f"{'reader':<38} {'file':<28} {'whole':>7} {'paired':>7} {'order':>6} {'ms':>8} {'MB':>6}")
    for r in rows:
        if "error" in r:
            print(f"{r['reader']:<38} {r['file']:<28} {r['error']}")
        else:
            print(f"{r['reader']:<38} {r['file']:<28} {r['whole']:>3}/{r['of']:<3} {r['paired']:>3}/{r['of']:<3} "
                  f"{str(r['in_order']):>6} "
                  f"{r['ms']:>8} {r.get('mb', ''):>6}")


if __name__ == "__main__":
    sys.exit(main())
