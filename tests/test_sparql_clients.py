"""Real SPARQL clients, with their default settings, against a real DutyGraph server: SPARQLWrapper
(every query form × every return format it offers, GET and POST), rdflib's SPARQLStore, curl, and
Comunica run by Node (``tests/clients/comunica.mjs``, ``@comunica/query-sparql`` from npm).

SPARQLWrapper sends ``format``, ``output`` and ``results`` (twice each for some formats) beside its
Accept header; the endpoint takes the first it can serve. Where a format does not fit the query form
(Turtle for a SELECT), SPARQLWrapper itself warns and sends ``Accept: */*``: the endpoint answers
in the form's default and SPARQLWrapper warns again that it got another format. Those two
warnings, and rdflib's deprecation of the ``ConjunctiveGraph`` SPARQLWrapper parses RDF/XML and
JSON-LD into, are the only ones allowed here (recorded and checked, not silenced).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import warnings
from xml.dom.minidom import Document

import pytest
from rdflib import Graph
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, RDF, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from kg.config import ROOT

from .servers import serve

DUTY = "https://w3id.org/dutygraph/id/duty/liaocheng-heavy-pollution-member-duties/06-02"
PREFIX = "PREFIX dg: <https://w3id.org/dutygraph/ontology#>\n"
QUERIES = {
    "SELECT": PREFIX + "SELECT ?unit WHERE { ?unit a dg:MemberUnit } ORDER BY ?unit LIMIT 3",
    "ASK": PREFIX + "ASK { ?unit a dg:MemberUnit }",
    "CONSTRUCT": PREFIX + "CONSTRUCT { ?d dg:role ?r } WHERE { ?d dg:role ?r } ORDER BY ?d LIMIT 3",
    "DESCRIBE": f"DESCRIBE <{DUTY}>",
}
FORMATS = [JSON, XML, TURTLE, N3, RDF, RDFXML, CSV, TSV, JSONLD]
RESULT_MEDIA = {JSON: "application/sparql-results+json", XML: "application/sparql-results+xml",
                CSV: "text/csv", TSV: "text/tab-separated-values"}
GRAPH_MEDIA = {TURTLE: "text/turtle", N3: "text/turtle", RDF: "application/rdf+xml", RDFXML: "application/rdf+xml",
               XML: "application/rdf+xml", JSONLD: "application/ld+json", JSON: "application/ld+json"}
CONJUNCTIVE = "ConjunctiveGraph is deprecated"
# The formats SPARQLWrapper has an Accept header for, per kind of query; for others it warns.
CLIENT_ACCEPTS = {"results": {JSON, XML, CSV, TSV}, "graphs": {TURTLE, N3, XML, RDFXML, JSONLD}}


@pytest.fixture(scope="module")
def endpoint(app):
    with serve(app) as url:
        yield f"{url}/sparql"


def expected_media(form: str, fmt: str) -> tuple[str, bool]:
    """The media type the endpoint answers with, and whether the format fits the form."""
    table, default = (GRAPH_MEDIA, "text/turtle") if form in ("CONSTRUCT", "DESCRIBE") else (RESULT_MEDIA, RESULT_MEDIA[JSON])
    return table.get(fmt, default), fmt in table


def check_result(form: str, media: str, result) -> None:
    if media == RESULT_MEDIA[JSON]:
        assert result["boolean"] is True if form == "ASK" else len(result["results"]["bindings"]) == 3
    elif media == RESULT_MEDIA[XML]:
        assert isinstance(result, Document)
        if form == "ASK":
            assert result.getElementsByTagName("boolean")[0].firstChild.data == "true"
        else:
            assert len(result.getElementsByTagName("result")) == 3
    elif media in (RESULT_MEDIA[CSV], RESULT_MEDIA[TSV]):
        lines = result.decode("utf-8").strip().splitlines()
        assert lines[1:] == ["true"] if form == "ASK" else len(lines) == 4
    elif media == "text/turtle":
        assert len(Graph().parse(data=result, format="turtle")) >= 3
    else:  # RDF/XML, JSON-LD: SPARQLWrapper parsed them into an rdflib graph
        assert len(result) >= 3


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("form", list(QUERIES))
def test_sparqlwrapper_with_its_defaults(endpoint, form, fmt, method):
    client = SPARQLWrapper(endpoint)
    if method == "POST":
        client.setMethod(POST)
    client.setQuery(QUERIES[form])
    client.setReturnFormat(fmt)
    media, fits = expected_media(form, fmt)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        response = client.query()
        assert response.response.status == 200
        assert response.info()["content-type"].split(";")[0] == media
        result = response.convert()
    check_result(form, media, result)
    allowed = []
    kind = "graphs" if form in ("CONSTRUCT", "DESCRIBE") else "results"
    if not fits or fmt not in CLIENT_ACCEPTS[kind]:
        allowed.append(RuntimeWarning)  # SPARQLWrapper's own: "Sending Accept header '*/*'", "Format requested was …"
    for warning in caught:
        if issubclass(warning.category, DeprecationWarning) and CONJUNCTIVE in str(warning.message):
            continue
        assert issubclass(warning.category, tuple(allowed)) if allowed else False, f"{warning.category.__name__}: {warning.message}"


def test_sparqlwrapper_only_conneg(endpoint):
    client = SPARQLWrapper(endpoint, returnFormat=TSV)
    client.setOnlyConneg(True)
    client.setQuery(QUERIES["SELECT"])
    assert len(client.query().convert().decode().splitlines()) == 4


def test_rdflib_sparqlstore(endpoint):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = Graph(store=SPARQLStore(endpoint))
    rows = list(graph.query(QUERIES["SELECT"]))
    assert len(rows) == 3 and all(str(row[0]).startswith("https://w3id.org/dutygraph/id/unit/") for row in rows)
    assert graph.query(QUERIES["ASK"]).askAnswer is True
    assert len(graph.query(QUERIES["CONSTRUCT"]).graph) == 3
    label = list(graph.query('SELECT ?l WHERE { ?u <http://www.w3.org/2004/02/skos/core#prefLabel> ?l '
                             'FILTER(?l = "市公安局"@zh) } LIMIT 1'))
    assert label and label[0][0].language == "zh"


def curl(*args: str) -> tuple[dict[str, str], str]:
    done = subprocess.run(["curl", "-s", "-D", "-", *args], capture_output=True, timeout=60, check=True)
    head, _, body = done.stdout.decode("utf-8").partition("\r\n\r\n")
    lines = head.splitlines()
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    headers["status"] = lines[0].split()[1]
    return headers, body


def test_curl(endpoint):
    assert shutil.which("curl"), "curl is missing: make test installs it (as root)"
    headers, body = curl("-H", "Accept: text/csv", "--data-urlencode", f"query={QUERIES['SELECT']}", "-G", endpoint)
    assert headers["status"] == "200" and headers["content-type"].startswith("text/csv") and len(body.splitlines()) == 4
    assert headers["content-disposition"] == 'inline; filename="select-result.csv"'
    headers, body = curl("-H", "Content-Type: application/sparql-query", "--data-binary", QUERIES["ASK"], endpoint)
    assert json.loads(body)["boolean"] is True
    headers, body = curl("-H", "Accept: text/n3", "--data-urlencode", f"query={QUERIES['CONSTRUCT']}", endpoint)
    assert headers["content-type"].startswith("text/turtle") and len(Graph().parse(data=body, format="turtle")) == 3
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
    headers, _ = curl("-H", f"Accept: {browser}", endpoint)
    assert headers["status"] == "303" and headers["location"].endswith("/query")
    headers, _ = curl("-H", "Accept: text/turtle", endpoint)  # a program still gets the service description
    assert headers["status"] == "200" and headers["content-type"].startswith("text/turtle")


def test_comunica_in_node(endpoint):
    node = shutil.which("node")
    assert node, "node is missing"
    assert (ROOT / "node_modules" / "@comunica" / "query-sparql").is_dir(), "run make install (npm ci)"
    done = subprocess.run([node, str(ROOT / "tests" / "clients" / "comunica.mjs"), endpoint], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert {"unit": "https://w3id.org/dutygraph/id/unit/liao-cheng-shi/shi-gong-an-ju", "zh": "市公安局",
            "lang": "zh"} in answer["select"]
    assert len(answer["select"]) >= 17 and answer["ask"] is True and answer["construct"] == 82
