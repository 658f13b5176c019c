"""The search page: results with highlighted snippets, facets that filter, paging."""

from __future__ import annotations

from flask import Blueprint, request

from .pages import filters_from, int_arg, render, service

bp = Blueprint("search", __name__)


@bp.get("/search")
def search():
    args = request.args
    return render("search.html", service().search_page(args.get("q", ""), filters_from(args), int_arg("page", 1),
                                                       int_arg("per_page", 10)))
