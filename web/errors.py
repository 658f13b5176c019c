"""Error pages: in the site's look and the page's language, with the way back, for every address
a person opens in a browser; JSON (``{"error": …}``) for the API, SPARQL, the graph store, and any
page asked for with ``?format=json``."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

# Addresses whose clients are programs: their errors stay JSON or what their protocol says.
PROGRAM_PATHS = ("/api/", "/sparql", "/rdf-graphs", "/healthz", "/vendor/", "/static/")
PAGES = (400, 404, 405, 500, 503)
INDEXES = {"unit": "/units", "plan": "/plans", "duty": "/search", "concept": "/concept/", "id": "/id/",
           "overlaps": "/overlaps"}  # where a page's kind is listed: the way back from a missing one


def wants_page() -> bool:
    if request.path.startswith(PROGRAM_PATHS) or request.args.get("format"):
        return False
    if request.path.startswith("/id/"):  # linked data: a page only for a browser
        best = request.accept_mimetypes.best_match(["text/html", "text/turtle", "application/ld+json"])
        return best == "text/html"
    return True


def back_link() -> str | None:
    """Where the person came from, when it is a page of this site; else the page above this one."""
    referrer = request.referrer or ""
    parts = urlsplit(referrer)
    if referrer and parts.netloc == request.host and (parts.path, parts.query) != (request.path, request.query_string.decode()):
        return parts.path + (f"?{parts.query}" if parts.query else "")
    first, _, rest = request.path.strip("/").partition("/")
    if first == "concept" and rest.count("/") == 1:
        return f"/concept/{rest.split('/')[0]}"
    return INDEXES.get(first)


def page(code: int, detail: str = ""):
    code = code if code in PAGES else 500
    return render_template("error.html", code=code, detail=detail, back=back_link()), code


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code in PAGES and wants_page():
            return page(exc.code, exc.description if exc.code == 400 else "")
        if request.path.startswith("/api/") or (request.args.get("format") == "json"
                                                and not request.path.startswith(PROGRAM_PATHS)):
            return jsonify(error=exc.description), exc.code
        return exc
