"""Browsing the graph: units, a unit, a concept, a duty, a plan, and two plans compared."""

from __future__ import annotations

from flask import Blueprint, request

from .pages import int_arg, render, service

bp = Blueprint("browse", __name__)


@bp.get("/units")
def units():
    return render("units.html", service().units_page(int_arg("page", 1)))


@bp.get("/unit/<path:key>")
def unit(key: str):
    return render("unit.html", service().unit_page(key))


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
