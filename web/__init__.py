"""The Flask app: ``create_app(test_config=None)`` wires one service and one blueprint per page family.

Views are a few lines: read arguments → one service call → JSON or a template. No SPARQL, whoosh
or networkx here.
"""

from __future__ import annotations

from flask import Flask, jsonify

from kg.config import Settings
from kg.errors import BadRequest, KgError
from kg.service.facade import Service

from . import errors, limits


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.json.ensure_ascii = False  # Chinese labels stay readable in every JSON answer
    if test_config:
        app.config.update(test_config)
    settings = app.config.get("SETTINGS") or Settings.from_env()
    service = app.extensions["kg"] = Service(settings)
    limits.init_app(app, settings.rate_limit, settings.max_body)

    @app.before_request
    def fresh_build():
        service.refresh()  # a rebuild or a write may have swapped in a new build

    from .api import bp as api

    app.register_blueprint(api)

    from . import gsp, linked, sparql  # SPARQL protocol, graph store, linked data (one worker pool)

    sparql.init_app(app)
    for blueprint in (sparql.bp, gsp.bp, linked.bp):
        app.register_blueprint(blueprint)

    from . import browse, editor, overlaps, pages, search  # HTML pages, one blueprint per family

    for blueprint in (pages.bp, search.bp, browse.bp, editor.bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(overlaps.bp)

    @app.errorhandler(KgError)
    def kg_error(exc: KgError):
        # Bad input is the caller's to fix (400); anything else means no usable data here (503).
        code = 400 if isinstance(exc, BadRequest) else 503
        if errors.wants_page():
            return errors.page(code, str(exc))
        return jsonify(error=str(exc)), code

    errors.init_app(app)

    return app
