"""The SPARQL side's facade for the web app: queries, updates, graph store and linked data.

One ``Endpoint`` per app holds the settings and a ``WorkerPool``. Each method resolves the current
build afresh (so a write swapped in by any process is seen by the next request), hands the work to
a worker process and returns a ``Reply`` (or a ``Description`` for entity pages). Views call one
method each; none of them sees a store, a query string or a process.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..config import Settings
from ..stores.local import DataHome
from ..stores.remote import remote_of
from . import graphstore, linked, query, update
from .protocol import Operation, SparqlError
from .query import Reply
from .workers import WorkerPool

# Loaded by every worker before it reports ready, so the first query does not pay for imports.
PRELOAD = ("kg.sparql.query", "kg.sparql.graphstore", "kg.sparql.linked", "kg.sparql.update", "rdflib.plugins.sparql.parser")


@dataclass
class Endpoint:
    settings: Settings
    pool: WorkerPool = field(init=False)

    def __post_init__(self) -> None:
        s = self.settings
        self.pool = WorkerPool(s.query_workers, s.query_timeout, PRELOAD)

    @property
    def writable(self) -> bool:
        return bool(self.settings.update_token)

    def _build(self) -> str:
        return str(DataHome(self.settings.home).require().path)

    def _refuse_remote(self) -> None:
        remote = remote_of(DataHome(self.settings.home).require().manifest)
        if remote is not None:
            raise SparqlError(409, f"this DutyGraph reads its triples from the SPARQL server at {remote.query}; "
                                   f"send writes to that server, then run `kg build` to push and re-index")

    def sparql(self, op: Operation, endpoint: str, authorization: str | None = None) -> Reply:
        """Answer a protocol operation read by ``kg.sparql.protocol.read_operation``."""
        if op.kind == "description":
            return self.pool.run(query.describe_service, self._build(), endpoint, op, self.writable)
        if op.kind == "query":
            return self.pool.run(query.run_query, self._build(), op, self.settings.max_rows)
        update.check_token(self.settings, authorization)
        self._refuse_remote()
        update.write(self.settings, self.pool, update.apply_update, op)
        return Reply(204, b"", "text/plain; charset=utf-8")

    def read_graph(self, graph: str | None, op: Operation) -> Reply:
        return self.pool.run(graphstore.read_graph, self._build(), graph, op)

    def write_graph(
        self,
        method: str,
        graph: str | None,
        payloads: Sequence[tuple[bytes, str]],
        authorization: str | None,
        new_graph_base: str,
    ) -> Reply:
        """PUT / POST / DELETE a graph (``None``: the default graph; ``NEW_GRAPH``: mint one under
        ``new_graph_base``, answered with 201 and its IRI in ``Location``)."""
        update.check_token(self.settings, authorization)
        self._refuse_remote()
        created_iri = None
        if graph == graphstore.NEW_GRAPH:
            graph = created_iri = new_graph_base.rstrip("/") + "/" + uuid.uuid4().hex
        if method in ("PUT", "POST"):
            graphstore.parse_payloads(payloads, graph)  # 400/415 before anything is copied
        elif method != "DELETE":
            raise SparqlError(405, f"{method} is not a Graph Store Protocol write")
        existed = update.write(
            self.settings, self.pool, graphstore.write_graph, method, graph, payloads,
            keep=lambda existed: method != "DELETE" or existed,
        )
        if method == "DELETE" and not existed:
            return Reply(404, f"no graph <{graph}> in this store\n".encode(), "text/plain; charset=utf-8")
        if created_iri:
            return Reply(201, b"", "text/plain; charset=utf-8", {"Location": created_iri})
        return Reply(204 if existed else 201, b"", "text/plain; charset=utf-8")

    def describe(self, path: str) -> linked.Description | None:
        iri = self.settings.base_iri + path
        return self.pool.run(linked.describe_resource, self._build(), iri, self.settings.base_iri)

    def close(self) -> None:
        self.pool.close()
