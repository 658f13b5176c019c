"""Browsing the graph: plans, units, a unit, the thesauri and a concept, a duty, a plan, two plans
compared, and the index of /id/."""

from __future__ import annotations

from flask import Blueprint, request

from .i18n import current_lang
from .pages import int_arg, list_args, render, service

bp = Blueprint("browse", __name__)


@bp.get("/plans")
def plans():
    return render("plans.html", service().plans_page(request.args.get("sort", "place"), request.args.get("order", "")))


@bp.get("/units")
def units():
    return render("units.html", service().units_page(list_args(), int_arg("page", 1)))


@bp.get("/unit/<path:key>")
def unit(key: str):
    return render("unit.html", service().unit_page(key))


@bp.get("/concept/")
def schemes():
    return render("schemes.html", service().concepts_page())


@bp.get("/concept/<scheme>")
def scheme(scheme: str):
    return render("scheme.html", service().concepts_page(scheme, current_lang()))


@bp.get("/concept/<scheme>/<key>")
def concept(scheme: str, key: str):
    return render("concept.html", service().concept_page(scheme, key))


@bp.get("/duty/<path:key>")
def duty(key: str):
    return render("duty.html", service().duty_page(key))


@bp.get("/plan/<path:key>")
def plan(key: str):
    return render("plan.html", service().plan_page(key))


@bp.get("/compare")
def compare():
    return render("compare.html", service().compare_page(request.args.get("a", ""), request.args.get("b", "")))


@bp.get("/id/")
def ids():
    return render("ids.html", service().id_index())
