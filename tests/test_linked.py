"""Linked data: instance IRIs under the base dereference at /id/<path> — an escaped HTML page
with labels and links, Turtle and JSON-LD twins, 404 for IRIs the graph does not mention."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef

from kg.config import Settings
from web import create_app

from .servers import build_home, close_app

BASE = "https://w3id.org/dutygraph/id/"
UNIT = "unit/liao-cheng-shi/shi-gong-an-ju"
DUTY = "duty/liaocheng-heavy-pollution-member-duties/06-02"


def test_entity_page_lists_properties_with_labels_and_links(client):
    response = client.get(f"/id/{DUTY}", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "加大对渣土车、砂石车等违反规定上路行驶车辆的检查执法力度" in page  # the clause text
    assert f'href="/id/{UNIT}"' in page and "市公安局" in page  # outgoing link, labelled
    assert "渣土车" in page and "muck truck" in page  # a linked concept's zh and en labels
    assert "/static/style.css" in page and "<main>" in page
    assert "<script" not in page


def test_incoming_links_are_listed(client):
    page = client.get(f"/id/{UNIT}").get_data(as_text=True)
    assert f'href="/id/{DUTY}"' in page  # the duty points at the unit


@pytest.mark.parametrize(
    ("kwargs", "media", "parse"),
    [
        ({"headers": {"Accept": "text/turtle"}}, "text/turtle", "turtle"),
        ({"query_string": {"format": "ttl"}}, "text/turtle", "turtle"),
        ({"headers": {"Accept": "application/ld+json"}}, "application/ld+json", "jsonld"),
        ({"query_string": {"format": "jsonld"}}, "application/ld+json", "jsonld"),
    ],
)
def test_rdf_twins(client, kwargs, media, parse):
    response = client.get(f"/id/{UNIT}", **kwargs)
    assert response.status_code == 200 and response.mimetype == media
    if parse == "turtle":
        graph = Graph().parse(data=response.data, format="turtle")
        triples = {(str(s), str(p), str(o)) for s, p, o in graph}
    else:
        triples = {(q.subject.value, q.predicate.value, q.object.value)
                   for q in ox.parse(response.data, format=ox.RdfFormat.JSON_LD)}
    skos_label = "http://www.w3.org/2004/02/skos/core#prefLabel"
    assert (BASE + UNIT, skos_label, "市公安局") in triples
    assert (BASE + DUTY, "https://w3id.org/dutygraph/ontology#assignedTo", BASE + UNIT) in triples  # incoming


def test_unknown_iri_is_404(client):
    assert client.get("/id/unit/nowhere/nobody").status_code == 404


def test_unknown_format_is_406(client):
    assert client.get(f"/id/{UNIT}", query_string={"format": "pdf"}).status_code == 406


def test_base_is_a_name_and_values_are_escaped(tmp_path):
    # The base need not be this host: the server answers for whatever base it is configured with.
    data = tmp_path / "thing.nt"
    data.write_text(
        '<http://example.org/dg/thing/1> <http://www.w3.org/2000/01/rdf-schema#label> "<script>alert(1)</script>" .\n'
        '<http://example.org/dg/thing/1> <http://example.org/p> <http://example.org/dg/thing/2> .\n',
        encoding="utf-8",
    )
    settings = Settings.from_env(tmp_path / "home", base_iri="http://example.org/dg/")
    build_home(settings, {"http://example.org/dg/graph/g": data})
    app = create_app({"TESTING": True, "SETTINGS": settings})
    try:
        client = app.test_client()
        page = client.get("/id/thing/1").get_data(as_text=True)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>" not in page
        assert 'href="/id/thing/2"' in page
        graph = Graph().parse(data=client.get("/id/thing/2?format=ttl").data, format="turtle")
        assert (URIRef("http://example.org/dg/thing/1"), URIRef("http://example.org/p"), URIRef("http://example.org/dg/thing/2")) in graph
        assert Literal("<script>alert(1)</script>") in set(graph.objects())
    finally:
        close_app(app)


def test_blank_nodes_are_shown_by_what_they_say_not_by_their_label(client):
    """A unit's tally in the summaries graph is a blank node: its label changes with each load and
    names nothing, so the page shows its statements in its place, and Turtle carries them too."""
    page = client.get(f"/id/{UNIT}?lang=zh").get_data(as_text=True)
    assert "_:" not in page
    assert 'class="links nested"' in page and "forUnit" in page
    turtle = client.get(f"/id/{UNIT}?format=ttl").get_data(as_text=True)
    graph = Graph().parse(data=turtle, format="turtle")
    tallies = list(graph.subjects(URIRef("https://w3id.org/dutygraph/ontology#forUnit"), URIRef(BASE + UNIT)))
    assert tallies and all(len(list(graph.predicate_objects(t))) > 1 for t in tallies)
