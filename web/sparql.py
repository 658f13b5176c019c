"""The SPARQL 1.1 Protocol endpoint at ``/sparql``, and what the SPARQL-side blueprints share:
the ``Endpoint`` extension (one worker pool per app), replies as responses, errors, CORS."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, redirect, request, url_for

from kg.sparql.endpoint import Endpoint
from kg.sparql.protocol import FORMAT_PARAMS, SparqlError, read_operation, wants_html
from kg.sparql.query import Reply
from kg.sparql.workers import WorkerError

bp = Blueprint("sparql", __name__)
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Headers": "Accept, Authorization, Content-Type",
    "Access-Control-Expose-Headers": "Content-Type, Content-Disposition, Location, X-DutyGraph-Truncated, X-DutyGraph-Max-Rows",
    "Access-Control-Max-Age": "86400",
}


def init_app(app: Flask) -> None:
    """One endpoint (and so one worker pool, started on first use) per app."""
    app.extensions["kg_endpoint"] = Endpoint(app.extensions["kg"].settings)


def endpoint() -> Endpoint:
    return current_app.extensions["kg_endpoint"]


def respond(reply: Reply) -> Response:
    response = Response(reply.body, reply.status, headers=reply.headers, content_type=reply.content_type)
    response.vary.add("Accept")
    return response


def add_cors(response: Response) -> Response:
    for name, value in CORS_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = response.headers.get("Allow", "GET, POST, OPTIONS")
    return response


def refuse(exc: SparqlError) -> Response:
    return Response(exc.message + "\n", exc.status, headers=exc.headers, content_type="text/plain; charset=utf-8")


def unavailable(exc: WorkerError) -> Response:
    return Response(f"{exc}\n", 503, content_type="text/plain; charset=utf-8")


@bp.route("/sparql", methods=["GET", "POST"])
def sparql():
    if request.method == "GET" and wants_html(request.headers.get("Accept", "")) \
            and not any(name in request.args for name in FORMAT_PARAMS):
        # A person with a browser: the editor, with the query of the link when there is one.
        query = request.args.get("query")
        return redirect(url_for("editor.query", query=query) if query else url_for("editor.query"), 303)
    body = request.get_data()  # cached, so request.form can still parse a form body
    form = request.form.to_dict(flat=False) if request.mimetype == "application/x-www-form-urlencoded" else {}
    op = read_operation(
        request.method, request.headers.get("Content-Type"), request.args.to_dict(flat=False), form, body,
        request.headers.get("Accept", ""), request.base_url,
    )
    return respond(endpoint().sparql(op, request.base_url, request.headers.get("Authorization")))


bp.after_request(add_cors)
bp.register_error_handler(SparqlError, refuse)
bp.register_error_handler(WorkerError, unavailable)
