"""The search page: results with highlighted snippets, facets that filter (and list whole), the
plan, place and emergency-type filters shown and removable, paging, "did you mean"."""

from __future__ import annotations

from flask import Blueprint, request

from .pages import int_arg, list_args, render, service

bp = Blueprint("search", __name__)


@bp.get("/search")
def search():
    return render("search.html", service().search_page(request.args.get("q", ""), list_args(), int_arg("page", 1),
                                                       int_arg("per_page", 10)))
