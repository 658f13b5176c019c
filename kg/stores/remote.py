"""A remote SPARQL 1.1 server as the store: push a build's graphs there, read everything from there.

With ``KG_STORE=http://host:port/sparql`` (``Settings.store``), ``kg build`` still writes its local
build (the staging copy the search index is derived from) and then ``push``es every named graph to
the server: Graph Store Protocol ``PUT`` when a graph-store URL is known (``KG_STORE_GSP``), else
SPARQL Update (``DROP SILENT GRAPH`` + ``INSERT DATA`` in chunks); graphs of an earlier build that
are not in this one are dropped. The manifest records the server, and every reader of that build
(the service, the SPARQL endpoint's workers, linked data) gets a ``RemoteStore`` instead of the
local Oxigraph store.

``RemoteStore`` answers the part of ``pyoxigraph.Store``'s API that DutyGraph reads with —
``query``, ``quads_for_pattern``, ``named_graphs``, ``contains_named_graph``, ``len``, iteration
and ``dump`` — and returns pyoxigraph's own result types, so nothing above it knows where the
triples are. Requests are GET-free form POSTs (``application/x-www-form-urlencoded``): Virtuoso 7
never answers a POST of ``application/sparql-query``, and a long query does not fit in a URL.
The server's default graph must be the union of its named graphs (Virtuoso's is; Fuseki needs
``unionDefaultGraph``).
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

import pyoxigraph as ox

from ..config import Settings
from ..errors import KgError
from .local import Build, open_store

DEFAULT_TIMEOUT = 60.0
INSERT_CHUNK = 2_000  # triples per INSERT DATA: Virtuoso compiles each request as one SQL statement
VALUES_CHUNK = 2_000  # terms in one VALUES block (Virtuoso refuses more than 4,094)
FORM = "application/x-www-form-urlencoded; charset=utf-8"
RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_PROLOGUE = re.compile(r"(?:\s+|#[^\n]*\n?|(?:PREFIX\s+[\w.-]*:\s*|BASE\s+)<[^>]*>)*", re.IGNORECASE)


class RemoteError(KgError):
    """The SPARQL server could not be reached, or refused what was sent; the message says which."""


@dataclass(frozen=True)
class Remote:
    """Where a remote store answers: its query, update and (optional) graph-store URLs."""

    query: str
    update: str
    graph_store: str | None = None
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def of(cls, query: str, update: str | None = None, graph_store: str | None = None,
           timeout: float = DEFAULT_TIMEOUT) -> "Remote":
        for url in (query, update, graph_store):
            if url and urllib.parse.urlsplit(url).scheme not in ("http", "https"):
                raise KgError(f"{url!r} is not an http(s) URL of a SPARQL endpoint")
        return cls(query, update or query, graph_store or None, timeout)

    def as_dict(self) -> dict:
        return {"query": self.query, "update": self.update, "graph_store": self.graph_store}

    @cached_property
    def _opener(self) -> urllib.request.OpenerDirector:
        # KG_STORE_AUTH=user:password, for servers whose writes need it (Virtuoso's -auth endpoints
        # use digest, others basic); read at use, never written to the manifest.
        handlers: list[urllib.request.BaseHandler] = []
        auth = os.environ.get("KG_STORE_AUTH", "")
        if auth and not auth.lower().startswith("bearer "):
            user, _, password = auth.partition(":")
            manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in (self.query, self.update, self.graph_store):
                if url:
                    manager.add_password(None, url, user, password)
            handlers += [urllib.request.HTTPBasicAuthHandler(manager), urllib.request.HTTPDigestAuthHandler(manager)]
        return urllib.request.build_opener(*handlers)

    def request(self, url: str, data: bytes | None, headers: dict[str, str], method: str = "POST") -> tuple[bytes, str]:
        """One HTTP exchange: (body, content type) on 2xx; ``RemoteError`` (or ``SyntaxError`` for
        a 400 to a query, so a bad query stays the caller's fault) otherwise."""
        auth = os.environ.get("KG_STORE_AUTH", "")
        if auth.lower().startswith("bearer "):  # KG_STORE_AUTH="Bearer TOKEN": another DutyGraph, say
            headers = {**headers, "Authorization": auth}
        req = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with self._opener.open(req, timeout=self.timeout) as response:
                cap = response.headers.get("X-SPARQL-MaxRows")
                if cap:  # Virtuoso's ResultSetMaxRows: a silently shortened answer would be a wrong one
                    raise RemoteError(f"the SPARQL store at {url} cut its answer at {cap} rows; "
                                      f"raise its limit (Virtuoso: ResultSetMaxRows in virtuoso.ini)")
                return response.read(), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:600].decode("utf-8", "replace").strip()
            if exc.code == 400:
                raise SyntaxError(f"the SPARQL store refused the request: {detail}") from None
            raise RemoteError(f"the SPARQL store at {url} answered {exc.code} {exc.reason}: {detail}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise RemoteError(f"cannot reach the SPARQL store at {url}: {reason}") from None

    def form(self, url: str, fields: Sequence[tuple[str, str]], accept: str = "*/*") -> tuple[bytes, str]:
        data = urllib.parse.urlencode(fields).encode("ascii")
        return self.request(url, data, {"Content-Type": FORM, "Accept": accept})

    def run_update(self, text: str) -> None:
        self.form(self.update, [("update", text)])


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the keyword after the prologue (PREFIX, BASE, comments)."""
    match = _FORM.match(text, _PROLOGUE.match(text).end())
    return match.group(1).upper() if match else "SELECT"


def _prologue(text: str, prefixes: dict[str, str] | None, base_iri: str | None) -> str:
    lines = [f"BASE <{base_iri}>"] if base_iri else []
    for prefix, namespace in (prefixes or {}).items():
        if re.search(rf"(?<![\w-]){re.escape(prefix)}:", text):
            lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join([*lines, text])


def _graph_term(node: object) -> str | None:
    return None if node is None or isinstance(node, ox.DefaultGraph) else str(node)


class RemoteStore:
    """The read side of ``pyoxigraph.Store`` over SPARQL 1.1 Protocol; ``graphs`` are the build's
    named graphs (what ``len``, iteration and ``named_graphs`` cover on a shared server)."""

    def __init__(self, remote: Remote, graphs: Iterable[str]):
        self.remote = remote
        self.graphs = tuple(graphs)

    def query(self, query: str, *, prefixes: dict[str, str] | None = None, base_iri: str | None = None,
              use_default_graph_as_union: bool = False, default_graph: object = None,
              named_graphs: Sequence[object] | None = None, custom_functions: dict | None = None,
              substitutions: dict | None = None) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        if substitutions:
            raise KgError("a remote store takes no substitutions; write the terms into the query")
        if custom_functions and ("kgfn:" in query or any(str(name).strip("<>") in query for name in custom_functions)):
            raise KgError("kgfn:match runs only on the embedded store; this build's triples are on a remote "
                          "SPARQL server (use its own text search, or DutyGraph's /api/search)")
        fields = [("query", _prologue(query, prefixes, base_iri))]
        defaults = default_graph if isinstance(default_graph, (list, tuple)) else [default_graph]
        fields += [("default-graph-uri", g.value) for g in defaults if isinstance(g, ox.NamedNode)]
        fields += [("named-graph-uri", g.value) for g in named_graphs or () if isinstance(g, ox.NamedNode)]
        form = query_form(query)
        if form in ("CONSTRUCT", "DESCRIBE"):
            body, _ = self.remote.form(self.remote.query, fields, N_TRIPLES)
            return _triples(body)
        body, media = self.remote.form(self.remote.query, fields, RESULTS_JSON)
        if "json" not in media.lower():
            raise RemoteError(f"the SPARQL store answered {media or 'no media type'}, not SPARQL JSON results")
        if b'"bnode"' in body:
            body = _blank_node_ids(body)
        try:
            return ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        except SyntaxError as exc:
            raise RemoteError(f"the SPARQL store's answer does not parse as SPARQL JSON results: {exc}") from None

    def quads_for_pattern(self, subject: object, predicate: object, obj: object,
                          graph_name: object = None) -> Iterator[ox.Quad]:
        terms = [subject, predicate, obj]
        if any(isinstance(t, ox.BlankNode) for t in (*terms, graph_name)):
            return iter(())  # a remote server's blank nodes are its own; they cannot be named from here
        if isinstance(graph_name, ox.DefaultGraph):
            return iter(())  # as in the embedded store: a build puts every triple in a named graph
        names = ["?s", "?p", "?o"]
        pattern = " ".join(str(t) if t is not None else n for t, n in zip(terms, names))
        graph = _graph_term(graph_name) or "?g"
        rows = self.query(f"SELECT * WHERE {{ GRAPH {graph} {{ {pattern} }} }}")
        return (
            ox.Quad(
                subject if subject is not None else row["s"],
                predicate if predicate is not None else row["p"],
                obj if obj is not None else row["o"],
                graph_name if graph == str(graph_name) else row["g"],
            )
            for row in rows
        )

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        return (ox.NamedNode(g) for g in self.graphs)

    def contains_named_graph(self, graph_name: ox.NamedNode) -> bool:
        return bool(self.query(f"ASK {{ GRAPH {graph_name} {{ ?s ?p ?o }} }}"))

    def __bool__(self) -> bool:
        """Always true, without asking the server: ``remote_store(build) or open_store(build)`` would
        otherwise count every triple (``__len__``) to pick the store, 17-24 s per request at 1,000 plans."""
        return True

    def __len__(self) -> int:
        total = 0
        for start in range(0, len(self.graphs), VALUES_CHUNK):
            values = " ".join(f"<{g}>" for g in self.graphs[start:start + VALUES_CHUNK])
            rows = list(self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"))
            total += int(rows[0]["n"].value) if rows else 0
        return total

    def __iter__(self) -> Iterator[ox.Quad]:
        for graph in self.graphs:
            yield from self.quads_for_pattern(None, None, None, ox.NamedNode(graph))

    def dump(self, output: object = None, format: ox.RdfFormat = ox.RdfFormat.N_QUADS, **options: object) -> bytes:
        return ox.serialize(list(self), output, format=format, **options)


def _blank_node_ids(body: bytes) -> bytes:
    """Blank nodes with identifiers pyoxigraph accepts: Virtuoso names them ``nodeID://b10000``."""
    results = json.loads(body)
    for row in results.get("results", {}).get("bindings", ()):
        for term in row.values():
            if term.get("type") == "bnode":
                term["value"] = re.sub(r"[^A-Za-z0-9_]", "_", term["value"])
    return json.dumps(results).encode()


def _triples(body: bytes) -> ox.QueryTriples:
    """N-Triples from the server as pyoxigraph's own CONSTRUCT result (through an in-memory store)."""
    scratch = ox.Store()
    try:
        scratch.load(body, format=ox.RdfFormat.N_TRIPLES)
    except SyntaxError as exc:
        raise RemoteError(f"the SPARQL store's graph does not parse as N-Triples: {exc}") from None
    return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")


# ---------------------------------------------------------------------------------------- push

def push(remote: Remote, store: ox.Store, keep_prefix: str) -> list[str]:
    """Copy every named graph of ``store`` to the server, replacing graphs of the same name, and
    drop the server's graphs under ``keep_prefix`` that the store does not hold (an earlier build's
    plans). Returns the graphs pushed."""
    pushed = []
    for graph in sorted(store.named_graphs(), key=str):
        triples = [ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, graph)]
        _put_graph(remote, graph.value, triples)
        pushed.append(graph.value)
    stale = remote_graphs(remote, keep_prefix) - set(pushed)
    if stale:
        remote.run_update(";\n".join(f"DROP SILENT GRAPH <{g}>" for g in sorted(stale)))
    return pushed


def remote_graphs(remote: Remote, prefix: str) -> set[str]:
    store = RemoteStore(remote, ())
    rows = store.query(f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), {json.dumps(prefix)})) }}')
    return {row["g"].value for row in rows}


def graph_url(graph_store: str, graph: str) -> str:
    """The Graph Store Protocol URL of one graph: ``?graph=<IRI>``, or, when the configured URL
    ends in ``=`` (Virtuoso's ``/sparql-graph-crud?graph-uri=``), the IRI appended to it."""
    if graph_store.endswith("="):
        return graph_store + urllib.parse.quote(graph, safe="")
    return graph_store + ("&" if "?" in graph_store else "?") + urllib.parse.urlencode({"graph": graph})


def _put_graph(remote: Remote, graph: str, triples: list[ox.Triple]) -> None:
    if any(isinstance(term, ox.BlankNode) for t in triples for term in (t.subject, t.object)):
        # A blank node split across INSERT DATA requests would become two; GSP sends one document.
        if remote.graph_store is None:
            raise KgError(f"<{graph}> holds blank nodes: set KG_STORE_GSP (the Graph Store Protocol URL) to push it")
    if remote.graph_store:
        url = graph_url(remote.graph_store, graph)
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        remote.request(url, body, {"Content-Type": N_TRIPLES}, method="PUT")
        return
    statements = [f"DROP SILENT GRAPH <{graph}>"]
    for start in range(0, len(triples), INSERT_CHUNK):
        chunk = ox.serialize(triples[start:start + INSERT_CHUNK], format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
        statements.append(f"INSERT DATA {{ GRAPH <{graph}> {{\n{chunk}}} }}")
    for statement in statements:
        remote.run_update(statement)


# ---------------------------------------------------------------------------------------- read

def remote_of(manifest: dict, timeout: float = DEFAULT_TIMEOUT) -> Remote | None:
    """The server a build was pushed to (its manifest's ``store``), or None for an embedded build."""
    where = manifest.get("store")
    if not where:
        return None
    return Remote.of(where["query"], where.get("update"), where.get("graph_store"), timeout)


def remote_store(build: Build, timeout: float = DEFAULT_TIMEOUT) -> RemoteStore | None:
    """The server a build was pushed to, as its store; None for an embedded build."""
    manifest = build.manifest
    remote = remote_of(manifest, timeout)
    return None if remote is None else RemoteStore(remote, manifest.get("graphs", ()))


def open_reader(build: Build, timeout: float = DEFAULT_TIMEOUT) -> ox.Store | RemoteStore:
    """What reads a build: the server it was pushed to, or its own Oxigraph store (read-only)."""
    return remote_store(build, timeout) or open_store(build)


def publish(settings: Settings, build: Build, manifest: dict) -> dict:
    """After a local build: when ``settings.store`` names a server, push the build there and
    return the manifest that sends every reader to it (unchanged when there is no server)."""
    if not settings.store:
        return manifest
    remote = Remote.of(settings.store, settings.store_update, settings.store_gsp, max(settings.query_timeout, 300.0))
    store = open_store(build)
    try:
        graphs = push(remote, store, settings.base_iri + "graph/")
    finally:
        del store
    return {**manifest, "store": remote.as_dict(), "graphs": graphs}


def check_store(settings: Settings, manifest: dict) -> None:
    """A build serves from where it was built to; say so when the settings now point elsewhere."""
    built = (manifest.get("store") or {}).get("query")
    if (settings.store or None) != built:
        here = f"the SPARQL server at {built}" if built else "its embedded store"
        wanted = f"KG_STORE={settings.store}" if settings.store else "no KG_STORE"
        raise KgError(f"the current build reads {here}, but the settings say {wanted}; run `kg build` again")
