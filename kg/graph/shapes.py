"""SHACL validation of a built graph against ontology/shapes.ttl (pyshacl)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import SH


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str
    shape: str
    message: str


@dataclass(frozen=True)
class Report:
    conforms: bool
    violations: tuple[Violation, ...]
    text: str


def validate_graph(data: Graph, ontology_dir: Path) -> Report:
    import pyshacl  # heavy import: only when validating

    shapes = Graph().parse(ontology_dir / "shapes.ttl", format="turtle")
    conforms, report, text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", allow_warnings=False, advanced=True
    )
    violations = []
    for result in report.subjects(SH.resultSeverity, None):
        def value(predicate, result=result) -> str:
            found = report.value(result, predicate)
            return str(found) if found is not None else ""

        violations.append(
            Violation(
                focus=value(SH.focusNode),
                path=value(SH.resultPath),
                shape=value(SH.sourceShape),
                message=value(SH.resultMessage),
            )
        )
    violations.sort(key=lambda v: (v.focus, v.path, v.message))
    return Report(conforms=bool(conforms), violations=tuple(violations), text=text)
