"""Hostile queries cannot hurt: no SERVICE, no files or remote graphs, no parser blow-ups, a row
cap, and a timeout that kills a runaway query's worker while other requests keep being served."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from kg.sparql.protocol import MAX_QUERY_CHARS, PLAIN_NESTING, SparqlError, analyse_query, plain_form
from web import create_app

from .servers import close_app, copy_settings, http_get, serve

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * WHERE { SERVICE SILENT <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
        ("ASK { ?s ?p ?o FILTER EXISTS { SERVICE <http://x/> { ?s ?p ?o } } }", "SERVICE"),
        ("SELECT * WHERE { OPTIONAL { { SERVICE ?endpoint { ?s ?p ?o } } } }", "SERVICE"),
        ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "file"),
        ("SELECT * FROM NAMED <file:///etc/passwd> WHERE { GRAPH ?g { ?s ?p ?o } }", "file"),
        ("SELECT * WHERE { GRAPH <file:///etc/passwd> { ?s ?p ?o } }", "file"),
        ("SELECT * FROM <http://example.org/remote.ttl> WHERE { ?s ?p ?o }", "not a graph in this store"),
        ("SELECT * FROM NAMED <https://example.org/remote.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }", "not a graph in this store"),
    ],
)
def test_refused_queries(client, query, words):
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)


def test_refused_dataset_parameters(client):
    for graph, words in [("file:///etc/passwd", "file"), ("http://example.org/remote.ttl", "not a graph in this store")]:
        response = client.get("/sparql", query_string={"query": "ASK {}", "default-graph-uri": graph})
        assert response.status_code == 400 and words in response.get_data(as_text=True)


def test_from_a_graph_of_the_store_is_fine(client):
    plan = "https://w3id.org/dutygraph/id/graph/liaocheng-heavy-pollution-member-duties"
    response = client.get("/sparql", query_string={"query": f"ASK FROM <{plan}> {{ ?d a dg:Duty }}"})
    assert json.loads(response.data)["boolean"] is True


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE " + "{" * 5000 + "}" * 5000,
        "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
        "SELECT * WHERE { ?s ?p ?o " + "OPTIONAL { " * 3000 + "?s ?p ?o" + " }" * 3000 + " }",
        "ASK {" + "[" * 3000 + "]" * 3000 + "}",
    ],
)
def test_deep_nesting_is_a_400_not_a_500(client, query):
    response = client.post("/sparql", data=query.encode(), content_type="application/sparql-query")
    assert response.status_code == 400, response.data[:200]
    assert "nest" in response.get_data(as_text=True) or "syntax" in response.get_data(as_text=True)


def test_overlong_query_is_refused(client):
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * MAX_QUERY_CHARS
    response = client.post("/sparql", data=query.encode(), content_type="application/sparql-query")
    assert response.status_code == 400 and "longer than" in response.get_data(as_text=True)


def test_analysis_reads_the_parsed_query_not_the_text():
    # The word SERVICE inside a string or a comment is harmless; a real SERVICE clause is not.
    assert analyse_query('SELECT * WHERE { ?s ?p "SERVICE <http://x/> { }" } # SERVICE <http://y/> {}').form == "SELECT"
    with pytest.raises(SparqlError):
        analyse_query("SELECT * WHERE {\n  SeRvIcE\n<http://x/> { ?s ?p ?o } }")


EXAMPLES = sorted((Path(__file__).parents[1] / "ontology" / "queries").glob("*.rq"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_the_examples_are_plain_and_read_the_same_either_way(path, monkeypatch):
    # A plain query skips rdflib's parse; what the parse would have said about it must not change.
    text = path.read_text(encoding="utf-8")
    assert plain_form(text) == "SELECT"
    monkeypatch.setattr("kg.sparql.protocol.plain_form", lambda *_: None)
    parsed = analyse_query(text)
    assert (parsed.form, parsed.from_graphs, parsed.from_named, parsed.plain) == ("SELECT", (), (), False)


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("PREFIX select: <http://example.org/> ASK { select:a ?p ?o }", "ASK"),
        ("# SELECT in a comment\nCONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ('DESCRIBE ?s WHERE { ?s ?p "SELECT" }', "DESCRIBE"),
        ("BASE <http://example.org/a#> select * { ?s ?p ?o } # where this comes from", "SELECT"),
        ("SELECT ?from WHERE { ?from <http://example.org/from> ?o }", "SELECT"),
    ],
)
def test_plain_queries_and_their_form(query, form):
    assert plain_form(query) == form
    assert analyse_query(query).plain


@pytest.mark.parametrize(
    "query",
    [
        # Whatever is or could spell SERVICE or file:, anywhere in the text, goes to the parser.
        'SELECT * WHERE { ?s ?p "SERVICE" }',
        "SELECT * WHERE { ?s ?p ?o } # service",
        "SELECT * WHERE { GRAPH <FILE:///etc/passwd> { ?s ?p ?o } }",
        "SELECT * WHERE { \\u0053ERVICE <http://x/> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s <http://example.org/p\\u0023> ?o }",
        # FROM in the code; nesting a recursive parser could choke on.
        "SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }",
        "SELECT * from named <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }",
        "SELECT * WHERE { FILTER(" + "(" * (PLAIN_NESTING + 1) + "1" + ")" * (PLAIN_NESTING + 1) + ") }",
        "ASK { FILTER(" + "!" * (PLAIN_NESTING + 1) + "true) }",
        # No form to be found: the parser says what is wrong.
        "PREFIX ex: <http://example.org/>",
    ],
)
def test_what_is_not_plain_is_parsed(query):
    assert plain_form(query) is None


def test_a_plain_query_with_a_syntax_error_is_told_in_the_parsers_words(client):
    for query, words in [
        ("SELECT * WHERE { ?s ?p }", "line 1"),
        ("SELECT * WHERE { ?s nope:p ?o }", "nope"),
        # rdflib accepts it, Oxigraph does not: its sentence, not its list of character classes.
        ("SELECT ?x WHERE { ?s ?p ?o } GROUP BY ?s",
         "SPARQL syntax error at line 1, column 41: The SELECT contains a variable that is unbound\n"),
    ]:
        response = client.get("/sparql", query_string={"query": query})
        assert response.status_code == 400 and words in response.get_data(as_text=True), response.data


@pytest.fixture(scope="module")
def capped(built, tmp_path_factory):
    settings = copy_settings(built, tmp_path_factory.mktemp("capped"), max_rows=5)
    app = create_app({"TESTING": True, "SETTINGS": settings})
    yield app.test_client()
    close_app(app)


def test_row_cap_truncates_and_says_so(capped):
    response = capped.get("/sparql", query_string={"query": "SELECT ?d WHERE { ?d a dg:Duty }"})
    body = json.loads(response.data)
    assert len(body["results"]["bindings"]) == 5
    assert body["truncated"] is True
    assert response.headers["X-DutyGraph-Truncated"] == "true"
    assert response.headers["X-DutyGraph-Max-Rows"] == "5"
    csv = capped.get("/sparql", query_string={"query": "SELECT ?d WHERE { ?d a dg:Duty }", "format": "csv"})
    assert len(csv.data.decode().splitlines()) == 6 and csv.headers["X-DutyGraph-Truncated"] == "true"


def test_row_cap_applies_to_graphs(capped):
    response = capped.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?d a dg:Duty }", "format": "nt"})
    assert len(response.data.decode().splitlines()) == 5
    assert response.headers["X-DutyGraph-Truncated"] == "true"


def test_results_within_the_cap_are_not_marked(capped):
    response = capped.get("/sparql", query_string={"query": "SELECT ?d WHERE { ?d a dg:Duty } LIMIT 5"})
    assert "truncated" not in json.loads(response.data)
    assert "X-DutyGraph-Truncated" not in response.headers


def test_runaway_query_is_stopped_while_others_are_served(built, tmp_path_factory):
    settings = copy_settings(built, tmp_path_factory.mktemp("runaway"), query_timeout=2.0)
    app = create_app({"TESTING": True, "SETTINGS": settings})
    try:
        with serve(app) as url:
            # Warm both workers, so the runaway's clock does not include a worker starting.
            assert http_get(f"{url}/sparql", query="ASK {}")[0] == 200
            assert http_get(f"{url}/sparql", query="ASK {}")[0] == 200
            finished = threading.Event()
            result: dict = {}

            def runaway():
                result["answer"] = http_get(f"{url}/sparql", query=CARTESIAN)
                finished.set()

            thread = threading.Thread(target=runaway)
            thread.start()
            health = http_get(f"{url}/healthz")
            other = http_get(f"{url}/sparql", query="SELECT ?d WHERE { ?d a dg:Duty } LIMIT 1")
            served_meanwhile = not finished.is_set()
            thread.join(60)
            assert health[0] == 200 and json.loads(health[1])["status"] == "ok"
            assert other[0] == 200 and len(json.loads(other[1])["results"]["bindings"]) == 1
            assert served_meanwhile, "the health check and a small query waited for the runaway query"
            status, body = result["answer"]
            assert status == 503
            assert "limit of 2 s" in body.decode() and "KG_QUERY_TIMEOUT" in body.decode()
            # The killed worker was replaced: the endpoint still answers.
            again = http_get(f"{url}/sparql", query="ASK { ?d a dg:Duty }")
            assert json.loads(again[1])["boolean"] is True
    finally:
        close_app(app)


def test_query_workers_run_below_the_server_s_priority():
    """A heavy analyst query takes the cores the pages, ask and search leave (kg/sparql/workers.py)."""
    import os

    from kg.sparql.workers import NICENESS, WorkerPool

    pool = WorkerPool(1, 30.0)
    try:
        ours = os.getpriority(os.PRIO_PROCESS, 0)
        assert pool.run(os.getpriority, os.PRIO_PROCESS, 0) == min(19, ours + NICENESS)
    finally:
        pool.close()
