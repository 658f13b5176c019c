"""Writes: SPARQL Update and the Graph Store Protocol need the bearer token, go to a new build that
is swapped in (readers never see a half-written store), keep derived data in step, and a refused
or failed write changes nothing."""

from __future__ import annotations

import json
import threading

import pytest

from kg.config import Settings
from kg.sparql.protocol import SparqlError, add_using, analyse_update
from kg.stores.local import DataHome
from web import create_app

from .servers import DATA, build_home, close_app, copy_settings

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
INSERT = 'INSERT DATA { GRAPH <http://example.org/notes> { <http://example.org/n1> rdfs:label "note" } }'
ASK_NOTE = 'ASK { <http://example.org/n1> rdfs:label "note" }'


def _app(tmp_path_factory, name, **changes):
    """A small home (one hand-built plan row): every write rebuilds derived data, keep it cheap."""
    settings = Settings.from_env(tmp_path_factory.mktemp(name), base_iri="http://example.org/id/", **changes)
    build_home(settings, {"http://example.org/id/graph/p": DATA / "graph" / "one-row.ttl"})
    return create_app({"TESTING": True, "SETTINGS": settings})


@pytest.fixture(scope="module")
def writable(tmp_path_factory):
    app = _app(tmp_path_factory, "writable", update_token=TOKEN)
    yield app
    close_app(app)


@pytest.fixture(scope="module")
def read_only(tmp_path_factory):
    app = _app(tmp_path_factory, "read-only", update_token=None)
    yield app
    close_app(app)


def ask(client, query: str) -> bool:
    return json.loads(client.get("/sparql", query_string={"query": query}).data)["boolean"]


def current(app):
    return DataHome(app.extensions["kg"].settings.home).current_path()


@pytest.mark.parametrize(
    ("fixture", "headers", "status"),
    [
        ("read_only", {}, 403),
        ("read_only", AUTH, 403),
        ("writable", {}, 401),
        ("writable", {"Authorization": "Bearer wrong"}, 403),
        ("writable", {"Authorization": f"Basic {TOKEN}"}, 401),
    ],
)
def test_unauthorised_updates_are_refused_and_change_nothing(request, fixture, headers, status):
    app = request.getfixturevalue(fixture)
    client = app.test_client()
    before = current(app)
    for kwargs in (
        {"data": "DROP ALL", "content_type": "application/sparql-update"},
        {"data": {"update": "DROP ALL"}},
    ):
        response = client.post("/sparql", headers=headers, **kwargs)
        assert response.status_code == status, response.data
        if status == 401:
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert current(app) == before
    assert ask(client, "ASK { ?d a dg:Duty }")


def test_graph_store_writes_need_the_token(writable, read_only):
    for app, status in ((writable, 401), (read_only, 403)):
        client = app.test_client()
        before = current(app)
        for method in ("PUT", "POST", "DELETE"):
            response = client.open(
                "/rdf-graphs/service", method=method, query_string={"graph": "http://example.org/g"},
                data=b"<http://example.org/s> <http://example.org/p> 1 .", content_type="text/turtle",
            )
            assert response.status_code == status
        assert current(app) == before


OUTSIDE_SUMMARIES = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                     "FILTER(?g != <https://w3id.org/dutygraph/graph/summaries>) }")


def test_authorised_update_goes_to_a_new_build_that_readers_then_see(writable):
    client = writable.test_client()
    before = current(writable)
    count = lambda: int(json.loads(client.get("/sparql", query_string={"query": OUTSIDE_SUMMARIES}).data)
                        ["results"]["bindings"][0]["n"]["value"])  # noqa: E731
    triples = count()
    assert not ask(client, ASK_NOTE)
    response = client.post("/sparql", data=INSERT, content_type="application/sparql-update", headers=AUTH)
    assert response.status_code == 204, response.data
    assert current(writable) != before  # swapped, never written in place
    assert ask(client, ASK_NOTE)
    assert count() == triples + 1
    # Derived data recomputed: the summaries graph counts the plan's duties, the manifest the triples.
    assert ask(client, "ASK { GRAPH <https://w3id.org/dutygraph/graph/summaries> { ?t dg:forPlan ?p ; dg:dutyCount ?n } }")
    health = client.get("/healthz").get_json()
    manifest = json.loads((current(writable) / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["triples"] == health["triples"] and "updated_at" in manifest
    assert ask(client, "ASK { ?d a dg:Duty }")  # the rest of the graph came along


def test_bad_update_is_a_400_and_changes_nothing(writable):
    client = writable.test_client()
    before = current(writable)
    for update in ("INSERT DATA { <http://x/s> <http://x/p> }", "LOAD <http://example.org/data.ttl>",
                   "LOAD <file:///etc/passwd>", "INSERT { ?s ?p ?o } WHERE { SERVICE <http://x/> { ?s ?p ?o } }",
                   "INSERT DATA { GRAPH <file:///tmp/x> { <http://x/s> <http://x/p> 1 } }"):
        response = client.post("/sparql", data=update, content_type="application/sparql-update", headers=AUTH)
        assert response.status_code == 400, (update, response.data)
    assert current(writable) == before


def test_runaway_update_is_stopped_and_changes_nothing(built, tmp_path_factory):
    settings = copy_settings(built, tmp_path_factory.mktemp("runaway-update"), update_token=TOKEN, query_timeout=2.0)
    app = create_app({"TESTING": True, "SETTINGS": settings})
    try:
        client = app.test_client()
        before = current(app)
        # An update's WHERE reads the store's own default graph (empty here), so name the graphs.
        cartesian = "SELECT (COUNT(*) AS ?n) WHERE { " + " ".join(f"GRAPH ?g{n} {{ ?s{n} ?p{n} ?o{n} }}" for n in range(4)) + " }"
        update = f"INSERT {{ <http://x/s> <http://x/p> ?n }} WHERE {{ {{ {cartesian} }} }}"
        response = client.post("/sparql", data=update, content_type="application/sparql-update", headers=AUTH)
        assert response.status_code == 503 and b"limit of 2 s" in response.data
        assert current(app) == before
        builds = list((app.extensions["kg"].settings.home / "builds").iterdir())
        assert [b.resolve() for b in builds] == [before]  # the half-done copy was removed
    finally:
        close_app(app)


def test_concurrent_writes_are_serialised(writable):
    client = writable.test_client()
    statuses = []

    def write(n: int) -> None:
        update = f'INSERT DATA {{ GRAPH <http://example.org/c> {{ <http://example.org/c{n}> rdfs:label "c" }} }}'
        statuses.append(writable.test_client().post("/sparql", data=update, content_type="application/sparql-update", headers=AUTH).status_code)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert statuses == [204, 204, 204]
    for n in range(3):  # no write was lost to another's swap
        assert ask(client, f'ASK {{ <http://example.org/c{n}> rdfs:label "c" }}')


def test_graph_store_put_get_post_delete(writable):
    client = writable.test_client()
    graph = {"graph": "http://example.org/gsp"}
    put = client.put("/rdf-graphs/service", query_string=graph, headers=AUTH, content_type="text/turtle",
                     data=b'<http://example.org/a> <http://example.org/p> "1" .')
    assert put.status_code == 201
    post = client.post("/rdf-graphs/service", query_string=graph, headers=AUTH, content_type="application/n-triples",
                       data=b'<http://example.org/b> <http://example.org/p> "2" .\n')
    assert post.status_code == 204
    got = client.get("/rdf-graphs/service", query_string=graph, headers={"Accept": "application/n-triples"})
    assert got.status_code == 200 and len(got.data.decode().splitlines()) == 2
    assert client.delete("/rdf-graphs/service", query_string=graph, headers=AUTH).status_code == 204
    assert client.get("/rdf-graphs/service", query_string=graph).status_code == 404
    assert client.delete("/rdf-graphs/service", query_string=graph, headers=AUTH).status_code == 404
    bad = client.put("/rdf-graphs/service", query_string=graph, headers=AUTH, content_type="text/turtle", data=b"<oops")
    assert bad.status_code == 400
    assert client.put("/rdf-graphs/service", query_string=graph, headers=AUTH, content_type="text/csv", data=b"a,b").status_code == 415
    assert client.put("/rdf-graphs/service", query_string={"graph": "file:///etc/x"}, headers=AUTH,
                      content_type="text/turtle", data=b"").status_code == 400


def test_add_using_puts_the_protocol_dataset_before_each_where():
    update = (
        'PREFIX ex: <http://ex/>\nDELETE { ?s ex:p "a WHERE {" } WHERE { ?s ex:p ?o } ;\n'
        "# WHERE in a comment\nINSERT { GRAPH <http://ex/g#x> { ?s ex:q 1 } } WHERE { { SELECT ?s WHERE { ?s ?p ?o } } } ;\n"
        "DELETE WHERE { ?s ex:r ?o }"
    )
    info = analyse_update(update)
    rewritten = add_using(update, info, ["http://ex/d"], ["http://ex/n"])
    assert rewritten.count("USING <http://ex/d> USING NAMED <http://ex/n> WHERE") == 2
    assert "DELETE WHERE { ?s ex:r ?o }" in rewritten
    analyse_update(rewritten)  # still parses
    with pytest.raises(SparqlError):
        add_using("WITH <http://ex/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
                  analyse_update("WITH <http://ex/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"), ["http://ex/d"], [])
