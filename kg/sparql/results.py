"""SPARQL results and graphs → bytes, at most ``max_rows`` rows or triples.

Oxigraph serialises a whole result iterator; a row cap needs the rows counted first, so the four
SPARQL results formats (JSON, XML, CSV, TSV) are written here from the rows that were kept, and
graphs go through ``pyoxigraph.serialize``. Each writer returns bytes; ``truncated`` is signalled
by the caller in a header, and in SPARQL JSON also as a top-level ``"truncated": true`` member.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from ..vocab import PREFIXES

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}
Row = Sequence["ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None"]


def take(items: Iterable, limit: int) -> tuple[list, bool]:
    """The first ``limit`` items, and whether there were more."""
    kept = list(islice(iter(items), limit + 1))
    return kept[:limit], len(kept) > limit


def _datatype(term: ox.Literal) -> str | None:
    datatype = term.datatype.value
    return None if term.language or datatype in (XSD_STRING, RDF_LANG_STRING) else datatype


def json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        parts = ("subject", "predicate", "object")
        return {"type": "triple", "value": {p: json_term(getattr(term, p)) for p in parts}}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif _datatype(term):
        out["datatype"] = _datatype(term)
    return out


def write_json(variables: Sequence[str], rows: Iterable[Row], truncated: bool = False) -> bytes:
    bindings = [{v: json_term(t) for v, t in zip(variables, row) if t is not None} for row in rows]
    document: dict = {"head": {"vars": list(variables)}, "results": {"bindings": bindings}}
    if truncated:
        document["truncated"] = True
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Triple):
        parts = "".join(f"<{p}>{_xml_term(getattr(term, p))}</{p}>" for p in ("subject", "predicate", "object"))
        return f"<triple>{parts}</triple>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if _datatype(term):
        return f"<literal datatype={quoteattr(_datatype(term))}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def _xml_lines(variables: Sequence[str], rows: Iterable[Row]) -> Iterator[str]:
    yield '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>'
    yield "".join(f"<variable name={quoteattr(v)}/>" for v in variables)
    yield "</head>\n<results>\n"
    for row in rows:
        cells = "".join(
            f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>" for v, t in zip(variables, row) if t is not None
        )
        yield f"<result>{cells}</result>\n"
    yield "</results>\n</sparql>\n"


def write_xml(variables: Sequence[str], rows: Iterable[Row], truncated: bool = False) -> bytes:
    return "".join(_xml_lines(variables, rows)).encode("utf-8")


def _csv_value(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return str(term)
    return term.value


def write_csv(variables: Sequence[str], rows: Iterable[Row], truncated: bool = False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(variables)
    writer.writerows([_csv_value(t) for t in row] for row in rows)
    return out.getvalue().encode("utf-8")


def write_tsv(variables: Sequence[str], rows: Iterable[Row], truncated: bool = False) -> bytes:
    # TSV cells are terms in Turtle syntax; Oxigraph's str() of a term is exactly that.
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def write_boolean(value: bool, fmt: str) -> bytes:
    """An ASK's answer; in CSV and TSV as Jena and Fuseki write it (SPARQL defines neither)."""
    word = "true" if value else "false"
    if fmt == "csv":
        return f"_askResult\r\n{word}\r\n".encode()
    if fmt == "tsv":
        return f"?_askResult\n{word}\n".encode()
    if fmt == "xml":
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n"
        ).encode("utf-8")
    return json.dumps({"head": {}, "boolean": bool(value)}).encode("utf-8")


WRITERS = {"json": write_json, "xml": write_xml, "csv": write_csv, "tsv": write_tsv}


def write_rows(fmt: str, variables: Sequence[str], rows: Iterable[Row], truncated: bool = False) -> bytes:
    return WRITERS[fmt](variables, rows, truncated)


def write_graph(fmt: str, triples: Iterable[ox.Triple], base_iri: str | None = None) -> bytes:
    return ox.serialize(list(triples), format=GRAPH_FORMATS[fmt], prefixes=PREFIXES, base_iri=base_iri)
