"""``/overlaps``: overlapping responsibilities of one plan (the largest, or the one asked for): the
ranked findings with every side's clauses, download links, the heatmap and filters are rendered here;
the networks' nodes, edges and fixed layouts come as ``/overlaps/data.json`` for static/overlaps.js to
draw with vis-network (no inline script); ``/overlaps/pair`` shows what two units share. Each view
calls one service method."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from .i18n import current_lang
from .pages import render, service

bp = Blueprint("overlaps", __name__)
FILTER_ARGS = ("plan", "kind", "action", "issue", "category")


def chosen() -> dict[str, str]:
    return {k: request.args[k] for k in FILTER_ARGS if request.args.get(k)}


@bp.get("/overlaps")
def overlaps():
    return render("overlaps.html", service().overlap_page(chosen(), current_lang()))


@bp.get("/overlaps/data.json")
def data():
    return jsonify(service().overlap_networks(chosen(), current_lang()))


@bp.get("/overlaps/pair")
def pair():
    return render("pair.html", service().overlap_pair(request.args.get("a", ""), request.args.get("b", ""), chosen(),
                                                      current_lang()))
