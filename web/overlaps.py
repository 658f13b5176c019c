"""``/overlaps``: overlapping responsibilities as pictures (issue 6). The page (findings, heatmap,
filters) is rendered here; the networks' nodes and edges come as ``/overlaps/data.json`` for
static/overlaps.js to draw with vis-network (no inline script); ``/overlaps/pair`` shows the
evidence of one heatmap cell. Each view calls one service method."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from .pages import render, service

bp = Blueprint("overlaps", __name__)
FILTER_ARGS = ("plan", "kind", "action", "issue", "category")


def chosen() -> dict[str, str]:
    return {k: request.args[k] for k in FILTER_ARGS if request.args.get(k)}


@bp.get("/overlaps")
def overlaps():
    return render("overlaps.html", service().overlap_page(chosen()))


@bp.get("/overlaps/data.json")
def data():
    return jsonify(service().overlap_networks(chosen()))


@bp.get("/overlaps/pair")
def pair():
    return render("pair.html", service().overlap_pair(request.args.get("a", ""), request.args.get("b", ""), chosen()))
