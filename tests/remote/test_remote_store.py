"""KG_STORE: a build pushed to a real SPARQL 1.1 server and read back from it, on two servers —
Virtuoso from Debian's package, and another DutyGraph (its own endpoint and Graph Store Protocol).

The same questions, units, overlaps and example queries are answered from the server as from the
embedded store of the session build (``service``), so nothing above the store can tell them apart.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest

from kg.build.pipeline import build
from kg.config import ROOT, Settings
from kg.errors import KgError
from kg.service.facade import Service
from kg.stores.remote import Remote, RemoteError, RemoteStore, graph_url, query_form
from tests.servers import build_home, close_app, serve

QUERIES = sorted((ROOT / "ontology" / "queries").glob("*.rq"))
QUESTIONS = ["工地扬尘归谁管？", "who handles construction dust?", "who issues the pollution alert?", "谁负责渣土车"]
TOKEN = "remote-test-token"


@dataclass(frozen=True)
class Server:
    name: str
    query: str
    graph_store: str | None
    auth: str | None = None


@pytest.fixture(scope="module")
def dutygraph_server(tmp_path_factory):
    """Another DutyGraph, empty and writable with a token, as the remote store."""
    from web import create_app

    settings = Settings.from_env(tmp_path_factory.mktemp("server"), update_token=TOKEN, rate_limit=0)
    build_home(settings, {})
    app = create_app({"TESTING": True, "SETTINGS": settings})
    with serve(app) as url:
        yield Server("dutygraph", f"{url}/sparql", f"{url}/rdf-graphs/service", f"Bearer {TOKEN}")
    close_app(app)


@pytest.fixture(scope="module", params=["virtuoso", "dutygraph"])
def server(request) -> Server:
    if request.param == "dutygraph":
        return request.getfixturevalue("dutygraph_server")
    virtuoso = request.getfixturevalue("virtuoso")
    return Server("virtuoso", virtuoso.sparql, virtuoso.graph_store + "?graph-uri=")


def _settings(server: Server, home, **changes) -> Settings:
    return Settings.from_env(home, store=server.query, store_gsp=server.graph_store, **changes)


@pytest.fixture(scope="module")
def pushed(server, tmp_path_factory) -> Settings:
    """The bundled plans built with KG_STORE pointing at the server."""
    settings = _settings(server, tmp_path_factory.mktemp(f"pushed-{server.name}"))
    with pytest.MonkeyPatch.context() as patch:
        if server.auth:
            patch.setenv("KG_STORE_AUTH", server.auth)
        build(settings)
    return settings


@pytest.fixture(scope="module")
def remote(pushed) -> Service:
    return Service(pushed)


def test_the_manifest_sends_readers_to_the_server(pushed, remote, server):
    manifest = remote.build.manifest
    assert manifest["store"]["query"] == server.query
    assert isinstance(remote.store, RemoteStore)
    assert "https://w3id.org/dutygraph/graph/thesaurus" in manifest["graphs"]
    assert any("/graph/" in g and "liaocheng" in g for g in manifest["graphs"])


def test_the_server_holds_every_triple(remote, service):
    assert remote.check()["triples"] == service.check()["triples"] == remote.build.manifest["triples"]


@pytest.mark.parametrize("question", QUESTIONS)
def test_ask_answers_the_same_from_the_server(remote, service, question):
    def answer(svc):
        result = svc.ask(question)
        return [(a["unit"], a["role"], a["score"], [e["text"] for e in a["evidence"]]) for a in result["answers"]]

    expected = answer(service)
    assert expected, "the question has answers on the embedded store"
    assert answer(remote) == expected


def test_units_overlaps_and_plans_are_the_same(remote, service):
    assert remote.units() == service.units()
    assert remote.plans() == service.plans()
    ours, theirs = service.overlaps(), remote.overlaps()
    assert [f["kind"] for f in theirs["findings"]] == [f["kind"] for f in ours["findings"]]


def test_search_and_pages_work(remote):
    assert remote.search("扬尘")["total"] > 0
    unit = next(u["iri"] for u in remote.units() if u["iri"].startswith(remote.settings.base_iri))
    page = remote.unit_page(unit.rsplit("/unit/", 1)[1])
    assert page and page["counts"]["duties"] > 0


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_example_queries_give_the_same_rows(remote, service, path):
    text = path.read_text(encoding="utf-8")
    if "kgfn:" in text:
        with pytest.raises(KgError, match="embedded store"):
            remote.sparql(text)
        return
    ours = json.loads(service.sparql(text)[0])["results"]["bindings"]
    theirs = json.loads(remote.sparql(text)[0])["results"]["bindings"]
    assert len(theirs) == len(ours) > 0
    assert _values(theirs) == _values(ours)


def _values(bindings: list[dict]) -> list[str]:
    """The rows' values, in any order; a GROUP_CONCAT's parts in any order too (SPARQL leaves both open,
    and Virtuoso gives no language tag to a GROUP_CONCAT of tagged labels: values, not terms)."""
    return sorted(json.dumps({name: sorted(re.split(r" / | \| |、", term["value"])) for name, term in row.items()},
                             ensure_ascii=False, sort_keys=True) for row in bindings)


def test_export_reads_the_server(remote, service):
    import pyoxigraph as ox

    quads = list(ox.parse(remote.export("nq"), format=ox.RdfFormat.N_QUADS))
    assert len(quads) == service.check()["triples"]
    assert {q.graph_name.value for q in quads} == set(remote.build.manifest["graphs"])


def test_construct_comes_back_as_triples(remote):
    body, media = remote.sparql("CONSTRUCT WHERE { ?d a dg:Duty ; dg:text ?t } LIMIT 5", "nt")
    assert media == "application/n-triples" and body.count(b"\n") == 10


def test_a_rebuild_drops_the_plans_it_no_longer_has(server, tmp_path, other_plan):
    settings = _settings(server, tmp_path / "home", base_iri="https://example.org/rebuilt/")
    with pytest.MonkeyPatch.context() as patch:
        if server.auth:
            patch.setenv("KG_STORE_AUTH", server.auth)
        first = build(settings)
        plans = {g for g in first["graphs"] if g.startswith("https://example.org/rebuilt/graph/")
                 and not g.startswith("https://example.org/rebuilt/graph/units/")}
        assert len(plans) == 1
        second = build(settings, [other_plan])
    remote = Service(settings)
    stored = RemoteStore(remote.store.remote, plans)
    assert len(stored) == 0, "the first build's plan graph was dropped from the server"
    # The server is shared with the module's other build; its default graph is the union of both.
    assert [u["label_zh"] for u in remote.units() if u["iri"].startswith("https://example.org/rebuilt/")] == ["市公安局"]
    assert second["graphs"] != first["graphs"]


def test_the_settings_must_agree_with_the_build(pushed):
    with pytest.raises(KgError, match="run `kg build` again"):
        Service(Settings.from_env(pushed.home)).check()


def test_an_unreachable_server_is_named():
    store = RemoteStore(Remote.of("http://127.0.0.1:9/sparql", timeout=2), ())
    with pytest.raises(RemoteError, match="cannot reach the SPARQL store at http://127.0.0.1:9/sparql"):
        list(store.query("SELECT * WHERE { ?s ?p ?o } LIMIT 1"))


def test_a_remote_store_is_true_without_asking_the_server():
    # `remote_store(build) or open_store(build)` picks the store; it must not count the triples first
    assert RemoteStore(Remote.of("http://127.0.0.1:9/sparql", timeout=2), ("https://example.org/g",))


def test_a_bad_query_is_the_callers_fault(remote):
    with pytest.raises((SyntaxError, KgError)):
        remote.sparql("SELECT WHERE {")


def test_query_forms_are_read_past_the_prologue():
    assert query_form("PREFIX a: <http://x/>\n# CONSTRUCT in a comment\nASK { ?s ?p ?o }") == "ASK"
    assert query_form("BASE <http://x/> construct where { ?s ?p ?o }") == "CONSTRUCT"
    assert query_form("SELECT * { ?s ?p ?o }") == "SELECT"


def test_graph_store_urls():
    assert graph_url("http://h/gsp", "https://x/g 1") == "http://h/gsp?graph=https%3A%2F%2Fx%2Fg+1"
    assert graph_url("http://h/crud?graph-uri=", "https://x/g") == "http://h/crud?graph-uri=https%3A%2F%2Fx%2Fg"


def test_not_an_http_url():
    with pytest.raises(KgError, match="not an http"):
        Remote.of("file:///etc/passwd")


@pytest.fixture(scope="module")
def remote_client(pushed):
    from web import create_app

    app = create_app({"TESTING": True, "SETTINGS": Settings.from_env(
        pushed.home, store=pushed.store, store_gsp=pushed.store_gsp, update_token="t")})
    yield app.test_client()
    close_app(app)


def test_the_endpoint_and_entity_pages_read_the_server(remote_client, remote):
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?d a dg:Duty }"
    response = remote_client.post("/sparql", data={"query": "PREFIX dg: <https://w3id.org/dutygraph/ontology#>\n" + query})
    assert response.status_code == 200, response.data
    assert response.json["results"]["bindings"][0]["n"]["value"] == remote.select(query)[0]["n"]
    unit = next(u["iri"] for u in remote.units() if u["iri"].startswith(remote.settings.base_iri))
    page = remote_client.get("/id/" + unit.split("/id/", 1)[1], headers={"Accept": "text/turtle"})
    assert page.status_code == 200 and "市".encode() in page.data


def test_writes_through_this_endpoint_are_refused(remote_client, server):
    response = remote_client.post("/sparql", data={"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"},
                                  headers={"Authorization": "Bearer t"})
    assert response.status_code == 409
    assert server.query.encode() in response.data
