"""Linked data: ``/id/<path>`` answers for the IRI ``base + path`` — an HTML entity page, or Turtle
and JSON-LD by ``Accept`` or ``?format=``; 404 when the graph does not mention the IRI."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request

from kg.sparql.linked import ENTITY_FORMATS, choose_entity_format
from kg.sparql.protocol import SparqlError
from kg.sparql.workers import WorkerError

from .sparql import add_cors, endpoint, refuse, unavailable

bp = Blueprint("linked", __name__)
bp.after_request(add_cors)
bp.register_error_handler(SparqlError, refuse)
bp.register_error_handler(WorkerError, unavailable)


@bp.get("/id/<path:path>")
def entity(path: str):
    fmt = choose_entity_format(request.headers.get("Accept", ""), request.args.get("format"))
    description = endpoint().describe(path)
    if description is None:
        abort(404)
    if fmt == "html":
        response = Response(render_template("entity.html", d=description))
    else:
        response = Response(description.serialize(fmt), content_type=f"{ENTITY_FORMATS[fmt]}; charset=utf-8")
    response.vary.add("Accept")
    return response
