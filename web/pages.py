"""The home and ask pages, and what every HTML page shares (the other page families are
web/search.py, web/browse.py, web/editor.py, web/overlaps.py). Every page is also JSON
(``?format=json``). Each view reads its arguments, calls one service method and renders; the page
data come from kg/service/browse.py through the service.

What every page shares: the interface language (``?lang=`` or the ``lang`` cookie), the
``t``/``label`` helpers, the ``href`` filter (IRI → local page), the Content-Security-Policy of the
pages (scripts only from this server, never inline) and the vendored vis-network files.
"""

from __future__ import annotations

import re
from importlib.resources import files

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request, send_from_directory
from markupsafe import Markup, escape

from kg.search.searcher import FACETS
from kg.vocab import page_path

from .i18n import COOKIE, LANGS, current_lang, other, text

bp = Blueprint("pages", __name__)
# The blueprints of HTML pages (each with its JSON twin); they get the pages' CSP.
PAGE_FAMILIES = ("pages", "search", "browse", "editor", "overlaps")

# Scripts, styles and everything else from this server only, never inline. vis-network still
# works: it sets element styles through the CSSOM, which style-src does not restrict.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# The SPARQL editor (YASGUI) sizes and places its widgets with inline style attributes: its page
# allows inline styles; scripts stay this server's files only, on every page.
EDITOR_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
VIS_DIR = "lib/vis-9.1.2"
VIS_FILES = ("vis-network.min.js", "vis-network.css")


def service():
    return current_app.extensions["kg"]


def render(template: str, data: dict | None, **extra) -> Response | str:
    """The page, or its JSON twin with ``?format=json``; 404 when there is nothing to show."""
    if data is None:
        abort(404)
    if request.args.get("format") == "json":
        return jsonify(data)
    return render_template(template, d=data, **extra)


def filters_from(args) -> dict[str, str]:
    return {f: args[f] for f in FACETS if args.get(f)}


def list_args() -> dict[str, list[str]]:
    """The request's arguments, each with all its values (``plan`` and the like repeat), but the
    page's own (``format``, ``lang``, ``page``, ``per_page``)."""
    return {k: [v for v in vs if v] for k, vs in request.args.lists()
            if k not in ("format", "lang", "page", "per_page", "q")}


def int_arg(name: str, default: int) -> int:
    try:
        return int(request.args.get(name, default))
    except ValueError:
        abort(400)


# ------------------------------------------------------------------ shared by every page


@bp.app_context_processor
def interface():
    lang = current_lang()

    def t(key: str) -> str:
        return text(key, lang)

    def t_other(key: str) -> str:
        return other(key, lang)

    def switch_url() -> str:
        args = request.args.to_dict(flat=False)
        args["lang"] = ["en" if lang == "zh" else "zh"]
        args.pop("format", None)
        from urllib.parse import urlencode

        return f"{request.path}?{urlencode(args, doseq=True)}"

    def json_url() -> str:
        """This page's JSON twin: the same arguments, and ``format=json`` (JSON-LD for /id/ pages)."""
        from urllib.parse import urlencode

        args = request.args.to_dict(flat=False)
        args.pop("lang", None)
        args["format"] = ["jsonld" if request.blueprint == "linked" else "json"]
        return f"{request.path}?{urlencode(args, doseq=True)}"

    return {"lang": lang, "other_lang": "en" if lang == "zh" else "zh", "t": t, "t_other": t_other,
            "switch_url": switch_url, "json_url": json_url}


@bp.app_template_filter("href")
def href(iri: str | None) -> str | None:
    return page_path(iri, service().settings.base_iri)


MARK_ONLY = re.compile(r"<mark(?: class=\"[A-Za-z0-9 _-]*\")?>|</mark>")


@bp.app_template_filter("snippet")
def snippet(html: str) -> Markup:
    """Search snippets arrive as HTML: the text escaped, matches in <mark>. Trust them only when
    nothing but <mark> tags is left unescaped; otherwise show the whole snippet as text."""
    if "<" in MARK_ONLY.sub("", html) or ">" in MARK_ONLY.sub("", html):
        return escape(html)
    return Markup(html)


@bp.after_app_request
def language_and_policy(response: Response) -> Response:
    if request.args.get("lang") in LANGS and request.cookies.get(COOKIE) != request.args["lang"]:
        response.set_cookie(COOKIE, request.args["lang"], max_age=365 * 24 * 3600, samesite="Lax")
    if request.blueprint in PAGE_FAMILIES:
        response.headers["Content-Security-Policy"] = EDITOR_CSP if request.blueprint == "editor" else CSP
    return response


@bp.get("/vendor/vis/<name>")
def vis(name: str):
    """vis-network from the pyvis wheel, so the pictures need nothing from outside."""
    if name not in VIS_FILES:
        abort(404)
    return send_from_directory(str(files("pyvis") / VIS_DIR), name, max_age=86400)


# ------------------------------------------------------------------ pages


@bp.get("/")
def home():
    return render("home.html", service().home_page())


@bp.get("/ask")
def ask():
    args = request.args
    return render("home.html", service().home_page(args.get("q", ""), args.getlist("plan"), args.getlist("place"),
                                                   args.getlist("type")))
