"""SPARQL 1.1 Graph Store HTTP Protocol at ``/rdf-graphs/service`` (``?graph=`` / ``?default``)
and ``/rdf-graphs/service/<path>`` (the request URL is the graph's name)."""

from __future__ import annotations

from flask import Blueprint, request, url_for

from kg.sparql.graphstore import identify_graph
from kg.sparql.protocol import Operation, SparqlError
from kg.sparql.workers import WorkerError

from .sparql import add_cors, endpoint, refuse, respond, unavailable

bp = Blueprint("gsp", __name__)
bp.after_request(add_cors)
bp.register_error_handler(SparqlError, refuse)
bp.register_error_handler(WorkerError, unavailable)
METHODS = ["GET", "PUT", "POST", "DELETE"]  # HEAD comes with GET


@bp.route("/rdf-graphs/service", methods=METHODS)
@bp.route("/rdf-graphs/service/<path:path>", methods=METHODS)
def graph_store(path: str | None = None):
    graph = identify_graph(request.method, request.args.to_dict(flat=False), request.base_url if path else None)
    if request.method in ("GET", "HEAD"):
        op = Operation("graph", accept=request.headers.get("Accept", ""), format=request.args.get("format"))
        return respond(endpoint().read_graph(graph, op))
    if request.mimetype == "multipart/form-data":
        payloads = [(part.read(), part.mimetype) for part in request.files.values()]
    else:
        payloads = [(request.get_data(), request.headers.get("Content-Type", ""))]
    new_base = url_for("gsp.graph_store", _external=True)
    return respond(endpoint().write_graph(request.method, graph, payloads, request.headers.get("Authorization"), new_base))
