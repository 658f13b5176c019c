"""The web pages' read model as the service offers it: one method per page, each the one call a
web view makes (``Service`` inherits them, as it does the overlap views). Each puts together what
kg/service/browse.py (units, concepts, duties, plans, ask, query), searchpage.py, plans.py and
concepts.py make, from the service's cached reads.
"""

from __future__ import annotations

from functools import cached_property
from urllib.parse import urlencode

from ..errors import BadRequest
from .plans import plans_page

UNITS_PAGE_PLANS = 20  # plans whose units one /units page lists
HOME_PLANS = 12  # plans listed on the front page; /plans lists them all
PLAN_MENU_MAX = 30  # beyond this, the question is narrowed by place and type, not by a menu of plans


class PageViews:
    """Mixed into ``Service``: needs its store, thesaurus, settings, plans and searches."""

    @cached_property
    def browser(self):
        from .browse import Browser

        return Browser(self.store, self.thesaurus, self.settings, self.organisation_labels)

    def multiple_plans(self) -> bool:
        return len(self._plans) > 1

    @cached_property
    def unit_places(self) -> dict[str, tuple[str, str]]:
        """Each member unit's place (zh, en): what tells 市公安局 of one city from another's in a list."""
        rows = self.select("""SELECT ?unit ?zh ?en WHERE { ?unit a dg:MemberUnit ; dg:placeName ?zh, ?en .
                              FILTER(LANG(?zh) = "zh" && LANG(?en) = "en") }""")
        return {row["unit"]: (row["zh"], row["en"]) for row in rows}

    def home_page(self, question: str = "", plans: list[str] | None = None, places: list[str] | None = None,
                  types: list[str] | None = None) -> dict:
        """The examples and plans; with a question, also its answer (kg/ask/asker.py) ready to show,
        from the plans chosen (keys, places, emergency types; default every plan)."""
        from .browse import EXAMPLE_QUESTIONS

        answer = self.browser.ask(self.ask(question, plans or None, places, types)) if question.strip() else None
        if answer and self.multiple_plans():  # which plan each answering unit's clauses come from
            by_iri = {p["iri"]: p for p in self._plans}
            for unit in answer["answers"]:
                named = dict.fromkeys(e.get("plan") for e in unit["evidence"] if e.get("plan") in by_iri)
                unit["plan_names"] = [{"label_zh": by_iri[i]["short_zh"], "label_en": by_iri[i]["short_en"],
                                       "title": by_iri[i]["title"], "href": by_iri[i]["href"]} for i in named]
        chosen_iris = set(self.chosen_plans(plans, places, types) or ())
        every = self._plans  # read once per build (a query of every plan took 2 s a view at 10,000)
        chosen = [p for p in every if p["iri"] in chosen_iris]
        # With many plans the page lists a few and links to /plans, and the question is narrowed by
        # place and emergency type: at 10,000 plans a list and a menu of every plan made the front
        # page 2.7 MB and 4 s a view.
        options = None
        if len(every) > PLAN_MENU_MAX:
            options = {**self.filter_options(), "chosen": {"place": places or [], "type": types or [],
                                                        "plan": [p for p in plans or () if p.strip()]}}
        return {"examples": EXAMPLE_QUESTIONS, "plans": every[:HOME_PLANS], "plan_count": len(every),
                "plan_menu": every if options is None else None, "narrow": options,
                "answer": answer, "chosen_plans": chosen}

    def filter_options(self) -> dict:
        """What a page's plan filter offers (``PlanChoice.options``); beyond ``PLAN_MENU_MAX`` plans no
        menu of plans (at 10,000 plans its options made /search 895 KB and /units 1.2 MB; 40 and 323 KB
        without), only places and types, and how many plans."""
        options = self.plan_choice.options()
        if len(self._plans) <= PLAN_MENU_MAX:
            return options
        return {**options, "plans": [], "plan_count": len(self._plans)}

    def search_page(self, text: str, args: dict[str, list[str]], page: int = 1, per_page: int = 10) -> dict:
        """/search: ``args`` are the page's arguments (facets kind, unit, action, object_category;
        plan, place, type, each repeatable; ``more``: a facet to list whole)."""
        from ..search.searcher import FACETS
        from .searchpage import PAGE_FACET_VALUES, SearchPage

        filters = {f: args[f][0] for f in FACETS if f != "plan" and args.get(f) and args[f][0]}
        more = (args.get("more") or [""])[0]
        if more and more not in FACETS:
            raise BadRequest(f"more must name a facet: {', '.join(FACETS)}")
        plans, places, types = args.get("plan"), args.get("place"), args.get("type")
        shown = self.plan_choice.shown("/search", {"q": [text], **args})
        maker = SearchPage(self.browser, {p["iri"]: p for p in self._plans}, [x[0] for x in self._labels],
                           self.unit_places if self.multiple_plans() else {})
        if not text.strip():
            empty = {"query": "", "hits": [], "facets": {}, "facet_sizes": {}, "total": 0, "page": 1, "pages": 0,
                     "per_page": per_page}
            return {**maker.build(empty, filters, shown, args), "options": self.filter_options(),
                    "multiple_plans": self.multiple_plans()}
        results = self.search(text, filters, page, per_page, 1000 if more else PAGE_FACET_VALUES + 1, plans, places, types)
        return {**maker.build(dict(results), filters, shown, args, more), "options": self.filter_options(),
                "multiple_plans": self.multiple_plans()}

    def units_page(self, args: dict[str, list[str]], page: int = 1) -> dict:
        """/units: the units of the plans chosen (plan, place, type), ``UNITS_PAGE_PLANS`` plans a
        page (28,000 units at 1,000 plans made a 10 MB page that took a minute), each with its plan."""
        chosen = self.chosen_plans(args.get("plan"), args.get("place"), args.get("type"))
        iris = {p["key"]: p["iri"] for p in self._plans}
        keys = [p["key"] for p in self.build.manifest.get("plans", [])
                if chosen is None or iris.get(p["key"]) in chosen]
        pages = max(1, -(-len(keys) // UNITS_PAGE_PLANS))
        if page < 1 or page > pages:
            raise BadRequest(f"page must be between 1 and {pages}")
        some = keys[(page - 1) * UNITS_PAGE_PLANS:page * UNITS_PAGE_PLANS]
        by_iri = {p["iri"]: p for p in self._plans}
        units = self.units(some) if some else []
        for unit in units:
            plan = by_iri.get(unit["plan"], {})
            unit["href"] = self.browser.href(unit["iri"])
            unit["plan_short_zh"], unit["plan_short_en"] = plan.get("short_zh"), plan.get("short_en")
            unit["plan_href"], unit["plan_title"] = plan.get("href"), plan.get("title")
        kept = {k: v for k, v in args.items() if k in ("plan", "place", "type")}
        query = urlencode(kept, doseq=True)
        return {"pager": "/units?" + (query + "&" if query else ""),"units": units, "page": page, "pages": pages, "plans": len(keys),
                "filters": self.plan_choice.shown("/units", kept), "options": self.filter_options(),
                "multiple_plans": self.multiple_plans(), "args": kept,
                "duties_total": sum(u["duties"] for u in units)}

    def plans_page(self, sort: str = "place", order: str = "") -> dict:
        return plans_page(self.plans(), sort, order)

    def unit_page(self, key: str) -> dict | None:
        iri = self.browser.iri("unit", key)
        return self.browser.unit(key, self.unit_overlaps(iri) if iri else [])

    def concept_page(self, scheme: str, key: str) -> dict | None:
        return self.browser.concept(scheme, key)

    def concepts_page(self, scheme: str = "", lang: str = "zh") -> dict | None:
        """/concept/ (the thesauri) and /concept/<scheme> (its top concepts, tree and A-Z)."""
        from .concepts import scheme_page, schemes_page

        if not scheme:
            return schemes_page(self.thesaurus, self.browser)
        return scheme_page(self.thesaurus, self.browser, scheme, lang)

    def duty_page(self, key: str) -> dict | None:
        return self.browser.duty(key)

    def plan_page(self, key: str) -> dict | None:
        page = self.browser.plan(key)
        if page is not None:
            plan = next((p for p in self._plans if p["iri"] == page["iri"]), {})
            page.update({k: plan.get(k) for k in ("short_zh", "short_en", "level", "level_zh", "level_en", "year",
                                                   "emergency_types")})
        return page

    def query_page(self, query: str) -> dict:
        return self.browser.query(query)

    def compare_page(self, a: str = "", b: str = "") -> dict:
        """The /compare page: the plans to choose from and, when two different plans are chosen,
        their comparison with a local page for every unit and concept. Its counts are substantive
        duties (boilerplate left out), and it says so."""
        from ..vocab import page_path

        plans = self.plans()
        keys = [p["key"] for p in plans]
        a = a or (keys[0] if keys else "")
        b = b or next((k for k in keys if k != a), "")
        result = self.compare(a, b) if a and b and self.plan_iri(a) != self.plan_iri(b) else None
        if result:
            for row in result["agency_types"]:
                for side in ("units_a", "units_b", "targets_both", "targets_a_only", "targets_b_only"):
                    for item in row[side]:
                        item["href"] = page_path(item["iri"], self.settings.base_iri)
        return {"plans": plans, "a": a, "b": b, "comparison": result, "same": bool(a and a == b),
                "one_plan": len(plans) < 2}

    def id_index(self) -> dict:
        """/id/: what the IRIs under the base name, and the pages that list each kind."""
        from .concepts import id_index

        return id_index(self.settings.base_iri, self._plans, self.thesaurus)
