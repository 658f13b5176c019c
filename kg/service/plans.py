"""Plans as people tell them apart: a short name (place, emergency type, year), the choice of plans
by key, place or emergency type that ask, search, units and overlaps share, and the /plans page.

Takes the plan rows the service reads once per build (``reports.plans_from``: title, place, level,
year, emergency types, units, duties); returns plain values. Sits beside browse.py, left of the
facade; imports nothing but vocab.
"""

from __future__ import annotations

from functools import cached_property
from urllib.parse import urlencode

from ..errors import BadRequest
from ..vocab import page_path

# How /plans sorts: the column's key and whether the largest comes first by default.
SORTS = {"place": False, "level": False, "year": True, "type": False, "units": True, "duties": True, "title": False}
LEVELS = {"province": (0, "省级", "provincial"), "city": (1, "市级", "city"), "district": (2, "县级", "county"),
          "county": (2, "县级", "county")}


def short_name(plan: dict) -> tuple[str, str]:
    """``聊城市 · 重污染天气``, ``Liaocheng · heavy pollution weather 2018``: what tells a plan from
    the others in a list of many (the full title is long and often begins the same way)."""
    types = plan.get("emergency_types") or []
    zh = " · ".join(filter(None, (plan.get("place_zh"), "、".join(t["label_zh"] for t in types) or None,
                                  str(plan["year"]) if plan.get("year") else None)))
    en = " · ".join(filter(None, (plan.get("place_en"), ", ".join(t["label_en"] for t in types) or None,
                                  str(plan["year"]) if plan.get("year") else None)))
    return zh or plan["title"], en or plan["key"]


def type_key(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def decorate(plans: list[dict], base: str) -> list[dict]:
    """Each plan with its short name in both languages, its page and its type keys."""
    out = []
    for plan in plans:
        zh, en = short_name(plan)
        level = LEVELS.get(plan.get("level") or "", (9, plan.get("level") or "", plan.get("level") or ""))
        out.append({**plan, "short_zh": zh, "short_en": en, "href": page_path(plan["iri"], base),
                    "level_zh": level[1], "level_en": level[2],
                    "type_keys": [type_key(t["iri"]) for t in plan.get("emergency_types", [])]})
    return out


class PlanChoice:
    """Which plans a request means: ``plan`` (keys or IRIs), ``place`` (a place's Chinese or English
    name) and ``type`` (an emergency type's key, e.g. ``snowstorm``), each repeatable; values of one
    parameter add up, parameters narrow one another. Nothing chosen: every plan (``None``)."""

    def __init__(self, plans: list[dict]):
        self.plans = plans

    def resolve(self, plans=None, places=None, types=None) -> list[str] | None:
        # An empty value is a form's "all" (its first <option value="">): no choice, not an unknown plan.
        plans, places, types = ([v for v in values or () if v.strip()] for values in (plans, places, types))
        if not (plans or places or types):
            return None
        chosen = self.plans
        if plans:
            iris = {self.find(p)["iri"] for p in plans}
            chosen = [p for p in chosen if p["iri"] in iris]
        if places:
            known = {p["place_zh"] for p in self.plans} | {p["place_en"] for p in self.plans}
            unknown = [x for x in places if x not in known]
            if unknown:
                raise BadRequest(f"no plan of the place {unknown[0]!r}; known: {_some(sorted(filter(None, known)))}")
            chosen = [p for p in chosen if p["place_zh"] in places or p["place_en"] in places]
        if types:
            known = {k for p in self.plans for k in p["type_keys"]}
            unknown = [x for x in types if x not in known]
            if unknown:
                raise BadRequest(f"no plan of the emergency type {unknown[0]!r}; known: {_some(sorted(known))}")
            chosen = [p for p in chosen if set(p["type_keys"]) & set(types)]
        return sorted(p["iri"] for p in chosen)

    def find(self, key: str) -> dict:
        for plan in self.plans:
            if key in (plan["key"], plan["iri"]):
                return plan
        raise BadRequest(f"no plan {key!r} in this data home; known: {_some([p['key'] for p in self.plans])}")

    def shown(self, path: str, args: dict[str, list[str]]) -> list[dict]:
        """The filters a page shows, each with its label and the link that removes it (the page's
        other arguments kept, its paging dropped)."""
        out = []
        for name in ("plan", "place", "type"):
            for value in args.get(name, []):
                rest = {k: [v for v in vs if not (k == name and v == value)] for k, vs in args.items() if k != "page"}
                remove = path + ("?" + urlencode(rest, doseq=True) if any(rest.values()) else "")
                out.append({"name": name, "value": value, **self.label(name, value), "remove": remove})
        return out

    def label(self, name: str, value: str) -> dict:
        if name == "plan":
            try:
                plan = self.find(value)
            except BadRequest:
                return {"label_zh": value, "label_en": value}
            return {"label_zh": plan["short_zh"], "label_en": plan["short_en"], "title": plan["title"]}
        if name == "type":
            for plan in self.plans:
                for t in plan.get("emergency_types", []):
                    if type_key(t["iri"]) == value:
                        return {"label_zh": t["label_zh"], "label_en": t["label_en"]}
        if name == "place":
            for plan in self.plans:
                if value in (plan["place_zh"], plan["place_en"]):
                    return {"label_zh": plan["place_zh"], "label_en": plan["place_en"]}
        return {"label_zh": value, "label_en": value}

    def options(self) -> dict:
        """What a filter form offers: plans, places and emergency types, each once (read-only: made
        once per build, since every page with a filter offers them)."""
        return self._options

    @cached_property
    def _options(self) -> dict:
        places, types = {}, {}
        for plan in self.plans:
            if plan["place_zh"]:
                places.setdefault(plan["place_zh"], {"value": plan["place_zh"], "label_zh": plan["place_zh"],
                                                     "label_en": plan["place_en"]})
            for t in plan.get("emergency_types", []):
                types.setdefault(type_key(t["iri"]), {"value": type_key(t["iri"]), "label_zh": t["label_zh"],
                                                      "label_en": t["label_en"]})
        return {"plans": [{"value": p["key"], "label_zh": p["short_zh"], "label_en": p["short_en"]} for p in self.plans],
                "places": sorted(places.values(), key=lambda x: x["label_en"] or x["label_zh"]),
                "types": sorted(types.values(), key=lambda x: x["label_en"] or x["label_zh"])}


def _some(values: list[str], shown: int = 10) -> str:
    """The first ``shown`` of ``values`` for an error message, and how many there are in all."""
    more = f" … ({len(values)} in all; `kg plans` or /plans lists them)" if len(values) > shown else ""
    return ", ".join(values[:shown]) + more


def plans_page(plans: list[dict], sort: str = "place", order: str = "") -> dict:
    """/plans: every plan with its facts and counts, sorted by one column (``sort``; ``order``
    ``asc`` or ``desc``, default as the column suits), and the links that sort by each column."""
    if sort not in SORTS:
        raise BadRequest(f"sort must be one of {', '.join(SORTS)}")
    if order not in ("", "asc", "desc"):
        raise BadRequest("order must be asc or desc")
    descending = SORTS[sort] if not order else order == "desc"
    keys = {
        "place": lambda p: (p["place_en"] or p["place_zh"] or "~", p["title"]),
        "level": lambda p: (LEVELS.get(p["level"] or "", (9,))[0], p["place_en"] or ""),
        "year": lambda p: (p["year"] or 0, p["place_en"] or ""),
        "type": lambda p: (", ".join(t["label_en"] for t in p["emergency_types"]) or "~", p["place_en"] or ""),
        "units": lambda p: (p["units"], p["place_en"] or ""),
        "duties": lambda p: (p["duties"], p["place_en"] or ""),
        "title": lambda p: (p["title"],),
    }
    rows = sorted(plans, key=keys[sort], reverse=descending)
    links = {}
    for column, first_desc in SORTS.items():
        flip = "asc" if (column == sort and descending) else "desc" if column == sort else ("desc" if first_desc else "asc")
        links[column] = "/plans?" + urlencode({"sort": column, "order": flip})
    return {"plans": rows, "sort": sort, "order": "desc" if descending else "asc", "sort_links": links,
            "totals": {"plans": len(rows), "units": sum(p["units"] for p in rows),
                       "duties": sum(p["duties"] for p in rows)}}
