"""Duties → RDF, compared as graphs (isomorphism), never as strings."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from kg.graph.triples import build_plan_graph, ontology_graphs
from kg.models import Duty, ExtractedPlan, Plan, Record, Source, Unit
from kg.vocab import GRAPH_ONTOLOGY, GRAPH_THESAURUS, concept_iri

from .conftest import DATA

C = concept_iri


def one_row_plan() -> ExtractedPlan:
    source = Source(path=Path("p.txt"), text="", sha256="00", encoding="utf-8")
    plan = Plan(key="p", title="某市应急指挥部成员单位及职责", place_zh="某市", place_en="Moushi",
                command_zh="某市应急指挥部", source=source)
    record = Record(row=1, unit_text="市公安局", unit_span=(15, 19), text="负责交通管制；配合市卫生局救治伤员", span=(20, 37))
    police = Unit("市公安局", "Moushi Municipal Public Security Bureau", str(C("agency/public-security-bureau")))
    health = Unit("市卫生局", "Moushi Municipal Health Commission", str(C("agency/health-commission")))
    duties = (
        Duty(row=1, index=1, text="负责交通管制", span=(20, 26), units=("市公安局",),
             actions=(str(C("action/traffic-control")),), role="lead"),
        Duty(row=1, index=2, text="配合市卫生局救治伤员", span=(27, 37), units=("市公安局",),
             objects=(str(C("object/casualty")), str(C("object/person"))), role="support",
             partners=("市卫生局",), boilerplate=True),
    )
    return ExtractedPlan(plan=plan, records=(record,), members={1: (police,)}, partners=(health,),
                         duties=duties, command_en="Moushi Emergency Command")


def test_plan_graph_is_the_expected_graph():
    built = build_plan_graph(one_row_plan(), "http://example.org/id/")
    expected = Graph().parse(DATA / "graph" / "one-row.ttl", format="turtle")
    if not isomorphic(built, expected):
        _, only_built, only_expected = graph_diff(to_isomorphic(built), to_isomorphic(expected))
        raise AssertionError(
            "graphs differ\nonly built:\n" + only_built.serialize(format="nt")
            + "\nonly expected:\n" + only_expected.serialize(format="nt")
        )


def test_graph_lives_in_the_plan_named_graph():
    built = build_plan_graph(one_row_plan(), "http://example.org/id/")
    assert str(built.identifier) == "http://example.org/id/graph/p"


def test_all_instance_iris_are_ascii(service):
    subjects = {str(s) for s in service.union_graph().subjects()}
    assert subjects and all(s.isascii() for s in subjects)


def test_ontology_and_thesaurus_are_separate_graphs():
    from kg.config import ROOT

    graphs = ontology_graphs(ROOT / "ontology")
    assert set(graphs) == {GRAPH_ONTOLOGY, GRAPH_THESAURUS}
    assert all(len(g) > 100 for g in graphs.values())
