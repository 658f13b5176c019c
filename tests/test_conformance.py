"""The W3C SPARQL 1.1 Protocol and Graph Store Protocol test manifests, run against the app.

Data: ``tests/data/w3c-sparql11/`` (see its SOURCE.md and LICENSE.md). ``data1/2/3.nt`` are loaded as
the named graphs the manifest names (``http://kasei.us/2009/09/sparql/data/dataN.rdf``). The
manifest also uses ``…/data0.rdf`` as a default graph, only with ``ASK {}``; upstream ships no such
file, so the fixture declares it as an empty named graph (the endpoint refuses dataset IRIs that
are not graphs of its store). Every test starts from that data (a fresh build swapped in).

Modes: ``token`` (KG_UPDATE_TOKEN set, every request carries the bearer token): every test must
pass as the manifest says. ``read-only`` (no token): query-side tests must pass as written; every
update request must be refused (403) and leave the current build untouched. The tally per manifest
and mode is printed at the end of the module.
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic

from kg.config import Settings
from kg.stores.local import DataHome
from web import create_app

from .servers import build_home, close_app

CONFORMANCE = Path(__file__).parent / "data" / "w3c-sparql11"
MANIFESTS = {
    "protocol": CONFORMANCE / "protocol" / "manifest.ttl",
    "gsp-direct": CONFORMANCE / "graph-store-protocol" / "manifest-direct.ttl",
    "gsp-indirect": CONFORMANCE / "graph-store-protocol" / "manifest-indirect.ttl",
}
DATA = "http://kasei.us/2009/09/sparql/data/"
TOKEN = "conformance-token"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
STATUS = {"OK": {200}, "Created": {201}, "NoContent": {204}, "NotFound": {404}}
STATUS |= {f"StatusCode{n}xx": set(range(n * 100, n * 100 + 100)) for n in range(1, 6)}
RESULT_TYPES = {"application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"}
RDF_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml", "application/ld+json": "json-ld"}


@dataclass
class Step:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: set[int]
    format: str | None = None
    boolean: bool | None = None
    content_type: str | None = None
    expected_body: str | None = None
    location: str | None = None


@dataclass
class Case:
    manifest: str
    name: str
    steps: list[Step] = field(default_factory=list)

    @property
    def is_update(self) -> bool:
        return self.manifest == "protocol" and self.name.startswith(("update_", "bad_update_"))


def _literal(graph: Graph, node, predicate):
    value = graph.value(node, predicate)
    return None if value is None else value.toPython()


def _step(graph: Graph, request) -> Step:
    headers = {}
    for header in Collection(graph, graph.value(request, HT.headers)) if graph.value(request, HT.headers) else []:
        headers[str(graph.value(header, HT.fieldName))] = str(graph.value(header, HT.fieldValue))
    body = graph.value(request, HT.body)
    data = None
    if body is not None:
        encoding = str(graph.value(body, CNT.characterEncoding) or "UTF-8")
        data = str(graph.value(body, CNT.chars)).encode(encoding.lower())
    response = graph.value(request, HT.resp)
    statuses = set().union(*(STATUS[str(s).rsplit("#", 1)[1]] for s in graph.objects(response, MF.expectedStatus)))
    step = Step(str(graph.value(request, HT.methodName)), str(graph.value(request, HT.absolutePath)), headers, data, statuses)
    step.format = _literal(graph, response, MF.expectedFormat)
    step.boolean = _literal(graph, response, MF.expectedBoolean)
    step.location = _literal(graph, response, MF.expectedLocation)
    if graph.value(response, HT.headers) is not None:
        for header in Collection(graph, graph.value(response, HT.headers)):
            if str(graph.value(header, HT.fieldName)).lower() == "content-type":
                step.content_type = str(graph.value(header, HT.fieldValue))
    if graph.value(response, HT.body) is not None:
        step.expected_body = str(graph.value(graph.value(response, HT.body), CNT.chars))
    return step


def load_cases() -> list[Case]:
    cases = []
    for key, path in MANIFESTS.items():
        graph = Graph().parse(path, format="turtle", publicID=path.as_uri())
        manifest = URIRef(path.as_uri())
        for test in Collection(graph, graph.value(manifest, MF.entries)):
            case = Case(key, str(test).rsplit("#", 1)[1])
            action = graph.value(test, MF.action)
            case.steps = [_step(graph, r) for r in Collection(graph, graph.value(action, HT.requests))]
            cases.append(case)
    return cases


try:
    CASES = load_cases()
except (OSError, TypeError) as exc:  # a missing suite fails the run, it is never skipped
    CASES = [Case("missing", f"{CONFORMANCE}: {exc}")]
PARAMS = [pytest.param(c, "token", id=f"{c.manifest}:{c.name}:token") for c in CASES]
PARAMS += [pytest.param(c, "read-only", id=f"{c.manifest}:{c.name}:read-only") for c in CASES if c.manifest in ("protocol", "missing")]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A build holding the manifest's data, copied into the test home before every test."""
    settings = Settings.from_env(tmp_path_factory.mktemp("w3c-template"))
    graphs = {f"{DATA}data{n}.rdf": CONFORMANCE / "protocol" / f"data{n}.nt" for n in (1, 2, 3)}
    build_home(settings, {**graphs, f"{DATA}data0.rdf": None})
    return DataHome(settings.home).require().path


@pytest.fixture(scope="module")
def apps(tmp_path_factory):
    made = {
        "token": Settings.from_env(tmp_path_factory.mktemp("w3c-token"), update_token=TOKEN),
        "read-only": Settings.from_env(tmp_path_factory.mktemp("w3c-read-only"), update_token=None),
    }
    apps = {mode: create_app({"TESTING": True, "SETTINGS": s}) for mode, s in made.items()}
    yield apps
    for app in apps.values():
        close_app(app)


@pytest.fixture(scope="module")
def tally(request):
    counts: Counter = Counter()
    yield counts
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    lines = ["W3C SPARQL 1.1 conformance (tests passed / failed):"]
    for manifest, mode in sorted({(m, mode) for m, mode, _ in counts}):
        passed, failed = counts[manifest, mode, "passed"], counts[manifest, mode, "failed"]
        lines.append(f"  {manifest:<13} {mode:<9} {passed:>3} passed  {failed:>3} failed")
    capture = request.config.pluginmanager.getplugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():  # printed even under -q, never captured
            reporter.write_line("")
            for line in lines:
                reporter.write_line(line)


def _reset(settings: Settings, template: Path) -> None:
    with DataHome(settings.home).new_build() as target:
        shutil.copytree(template, target.path, dirs_exist_ok=True)


def _endpoint_path(path: str) -> str:
    if path.startswith("/sparql/"):
        return "/sparql" + path[len("/sparql/"):]
    if path.startswith("/gsp"):
        return "/rdf-graphs/service" + path[len("/gsp"):]
    raise AssertionError(f"unexpected path {path}")


def _check_body(step: Step, response) -> None:
    media = response.mimetype
    if step.format == "boolean":
        assert media in ("application/sparql-results+json", "application/sparql-results+xml"), media
        if media.endswith("json"):
            value = json.loads(response.data)["boolean"]
        else:
            node = ET.fromstring(response.data).find("{http://www.w3.org/2005/sparql-results#}boolean")
            value = node.text == "true"
        if step.boolean is not None:
            assert value is step.boolean
    elif step.format == "tabular":
        assert media in RESULT_TYPES, media
    elif step.format == "RDF":
        assert media in RDF_TYPES, media
        Graph().parse(data=response.data, format=RDF_TYPES[media])
    if step.content_type:
        assert media == step.content_type.split(";")[0].strip().lower()
    if step.expected_body is not None:
        expected = Graph().parse(data=step.expected_body, format="turtle")
        assert isomorphic(Graph().parse(data=response.data, format=RDF_TYPES[media]), expected)


def run_case(case: Case, app, settings: Settings, token: str | None, refuse_updates: bool) -> None:
    client = app.test_client()
    variables: dict[str, str] = {}
    before = DataHome(settings.home).current_path()
    for number, step in enumerate(case.steps, 1):
        path, body = _endpoint_path(step.path), step.body
        for name, value in variables.items():
            path = path.replace(name, value)
            body = body.replace(name.encode(), value.encode()) if body else body
        where, _, query = path.partition("?")
        headers = dict(step.headers)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = client.open(where, method=step.method, query_string=query, headers=headers, data=body)
        context = f"step {number}: {step.method} {path} → {response.status_code} {response.data[:300]!r}"
        if refuse_updates and case.name.startswith("update_") and number == 1:
            assert response.status_code == 403, context
            assert DataHome(settings.home).current_path() == before, "a refused update swapped in a build"
            return
        assert response.status_code in step.statuses, context
        if response.status_code < 300:
            _check_body(step, response)
        if step.location:
            assert response.headers.get("Location"), context
            variables[step.location] = response.headers["Location"]


@pytest.mark.parametrize(("case", "mode"), PARAMS)
def test_w3c_manifest(case: Case, mode: str, apps, template, tally):
    assert case.manifest != "missing", f"the W3C test suite is missing: {case.name}"
    app = apps[mode]
    settings = app.extensions["kg"].settings
    _reset(settings, template)
    try:
        run_case(case, app, settings, TOKEN if mode == "token" else None, refuse_updates=mode == "read-only")
    except BaseException:
        tally[case.manifest, mode, "failed"] += 1
        raise
    tally[case.manifest, mode, "passed"] += 1
