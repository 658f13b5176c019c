"""Health and JSON API views."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from kg.errors import BadRequest
from kg.search.searcher import FACET_LIMIT, FACETS

bp = Blueprint("api", __name__)


def service():
    return current_app.extensions["kg"]


@bp.get("/healthz")
def healthz():
    status = service().status()
    busy = current_app.extensions["in_flight"].count - 1  # not counting this request
    return jsonify(status="ok" if status["built"] else "empty", in_flight=busy, **status), 200


@bp.get("/api/units")
def units():
    args = request.args
    return jsonify(units=service().units(args.getlist("plan"), args.getlist("place"), args.getlist("type")))


@bp.get("/api/ask")
def ask():
    args = request.args
    return jsonify(service().ask(args.get("q", ""), args.getlist("plan") or None, args.getlist("place"),
                                 args.getlist("type")))


@bp.get("/api/search")
def search():
    args = request.args
    filters = {f: args[f] for f in FACETS if args.get(f) and f != "plan"}
    return jsonify(service().search(args.get("q", ""), filters, _int(args, "page", 1), _int(args, "per_page", 10),
                                    _int(args, "facet_limit", FACET_LIMIT), args.getlist("plan"), args.getlist("place"),
                                    args.getlist("type")))


@bp.get("/api/suggest")
def suggest():
    return jsonify(suggestions=service().suggest(request.args.get("q", ""), _int(request.args, "limit", 10)))


def _int(args, name: str, default: int) -> int:
    try:
        return int(args.get(name, default))
    except ValueError:
        raise BadRequest(f"{name} must be a whole number") from None


@bp.get("/api/overlaps")
def overlaps():
    return jsonify(service().overlaps(request.args.getlist("kind") or None, request.args.get("plan") or None))


@bp.get("/api/overlaps.<fmt>")
def overlaps_file(fmt: str):
    plan, graph = request.args.get("plan") or None, request.args.get("graph", "bipartite")
    data, content_type = service().overlaps_file(fmt, graph, plan)
    name = "-".join(filter(None, ("overlaps", plan, graph if fmt != "csv" else None)))
    # content_type, not mimetype: Flask adds "; charset=utf-8" to a text/* mimetype a second time
    return Response(data, content_type=content_type,
                    headers={"Content-Disposition": f"attachment; filename={name}.{fmt}"})
