"""The SPARQL editor: YASGUI (from npm, installed by `make install` into node_modules/ and served
from here, never from a CDN) with the example library, download links that fit the query and a
shareable URL; results come from /sparql."""

from __future__ import annotations

from flask import Blueprint, abort, request, send_from_directory

from kg.config import ROOT

from .pages import render, service

bp = Blueprint("editor", __name__)
YASGUI_DIR = ROOT / "node_modules" / "@zazuko" / "yasgui" / "build"
YASGUI_FILES = {"yasgui.min.js", "yasgui.min.css", "yasgui.min.js.map"}


@bp.get("/query")
def query():
    return render("query.html", service().query_page(request.args.get("query", "")))


@bp.get("/vendor/yasgui/<name>")
def yasgui(name: str):
    if name not in YASGUI_FILES:
        abort(404)
    if not (YASGUI_DIR / name).is_file():
        abort(503, description="the SPARQL editor's files are not installed: run `make install` (npm ci)")
    return send_from_directory(str(YASGUI_DIR), name, max_age=86400)
