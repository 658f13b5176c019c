"""The read API that the CLI and the web app share: units, SPARQL, export, validation, status.

Opens the current build of the data home read-only; never parses source documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pyoxigraph as ox
from rdflib import Graph

from .config import Settings
from .errors import KgError
from .shapes import Report, validate_graph
from .store import Build, DataHome, open_store
from .vocab import PREFIXES

RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ttl": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nt": ox.RdfFormat.N_TRIPLES,
    "xml": ox.RdfFormat.RDF_XML,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "jsonld": ox.RdfFormat.JSON_LD,
}
DATASET_FORMATS = {"nq": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD}

UNITS_QUERY = """
SELECT ?unit ?zh ?en ?type ?type_zh ?type_en ?plan (MIN(?row) AS ?first) (COUNT(DISTINCT ?duty) AS ?duties)
WHERE {
  ?membership a org:Membership ; org:member ?unit ; dg:record ?record .
  ?record dg:plan ?plan ; dg:row ?row .
  ?unit skos:prefLabel ?zh . FILTER(LANG(?zh) = "zh")
  ?unit skos:prefLabel ?en . FILTER(LANG(?en) = "en")
  OPTIONAL {
    ?unit dg:agencyType ?type .
    OPTIONAL { ?type skos:prefLabel ?type_zh . FILTER(LANG(?type_zh) = "zh") }
    OPTIONAL { ?type skos:prefLabel ?type_en . FILTER(LANG(?type_en) = "en") }
  }
  OPTIONAL { ?duty dg:assignedTo ?unit ; dg:plan ?plan }
}
GROUP BY ?unit ?zh ?en ?type ?type_zh ?type_en ?plan
ORDER BY ?plan ?first ?zh
"""


def _value(term: object) -> str | None:
    return None if term is None else getattr(term, "value", str(term))


@dataclass
class Service:
    settings: Settings

    @cached_property
    def build(self) -> Build:
        return DataHome(self.settings.home).require()

    @cached_property
    def store(self) -> ox.Store:
        return open_store(self.build)

    def status(self) -> dict:
        build = DataHome(self.settings.home).current()
        if build is None:
            return {"built": False, "home": str(self.settings.home)}
        manifest = build.manifest
        return {
            "built": True,
            "home": str(self.settings.home),
            "build": build.path.name,
            "built_at": manifest.get("built_at"),
            "triples": manifest.get("triples"),
            "plans": [p["key"] for p in manifest.get("plans", [])],
        }

    def select(self, query: str) -> list[dict[str, str | None]]:
        """Run a SELECT written in this package (never user text) and return plain rows."""
        solutions = self.store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)
        names = [v.value for v in solutions.variables]
        return [{name: _value(row[name]) for name in names} for row in solutions]

    def units(self) -> list[dict]:
        return [
            {
                "iri": row["unit"],
                "label_zh": row["zh"],
                "label_en": row["en"],
                "agency_type": row["type"],
                "agency_type_zh": row["type_zh"],
                "agency_type_en": row["type_en"],
                "duties": int(row["duties"] or 0),
                "plan": row["plan"],
            }
            for row in self.select(UNITS_QUERY)
        ]

    def sparql(self, query: str, fmt: str = "json") -> tuple[bytes, str]:
        """Run any SPARQL query; return the serialised result and its media type."""
        try:
            result = self.store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)
        except SyntaxError as exc:
            raise KgError(f"SPARQL syntax error: {exc}") from exc
        if isinstance(result, ox.QueryTriples):
            format_ = GRAPH_FORMATS.get(fmt, ox.RdfFormat.TURTLE if fmt == "json" else None)
            if format_ is None:
                raise KgError(f"format {fmt!r} is not one for graphs; use one of {sorted(GRAPH_FORMATS)}")
            return ox.serialize(result, format=format_, prefixes=PREFIXES), format_.media_type
        results_format = RESULT_FORMATS.get(fmt)
        if results_format is None:
            raise KgError(f"format {fmt!r} is not one for results; use one of {sorted(RESULT_FORMATS)}")
        return result.serialize(format=results_format), results_format.media_type

    def export(self, fmt: str) -> bytes:
        """Every triple: ``ttl``/``nt``/``xml`` flatten the named graphs; ``nq``/``trig``/``jsonld`` keep them."""
        if fmt in DATASET_FORMATS:
            return self.store.dump(format=DATASET_FORMATS[fmt], prefixes=PREFIXES)
        if fmt in GRAPH_FORMATS:
            triples = {ox.Triple(q.subject, q.predicate, q.object) for q in self.store}
            return ox.serialize(sorted(triples, key=str), format=GRAPH_FORMATS[fmt], prefixes=PREFIXES)
        raise KgError(f"unknown export format {fmt!r}; use one of {sorted({*DATASET_FORMATS, *GRAPH_FORMATS})}")

    def union_graph(self) -> Graph:
        graph = Graph()
        graph.parse(data=self.export("nt"), format="nt")
        return graph

    def validate(self) -> Report:
        return validate_graph(self.union_graph(), self.settings.ontology_dir)
