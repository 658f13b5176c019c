"""Health and JSON API views."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

bp = Blueprint("api", __name__)


def service():
    return current_app.extensions["kg"]


@bp.get("/healthz")
def healthz():
    status = service().status()
    return jsonify(status="ok" if status["built"] else "empty", **status), 200


@bp.get("/api/units")
def units():
    return jsonify(units=service().units())
