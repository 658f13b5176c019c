"""The SPARQL editor: the example library, a shareable query URL; results come from /sparql."""

from __future__ import annotations

from flask import Blueprint, request

from .pages import render, service

bp = Blueprint("editor", __name__)


@bp.get("/query")
def query():
    return render("query.html", service().query_page(request.args.get("query", "")))
