"""The overlap views of the service (``Service`` inherits them): duty rows read from the store, analysed
(kg/overlaps/analysis.py) a plan at a time, and handed to kg/service/reports.py (findings as data),
kg/overlaps/pictures.py (what /overlaps and a unit's page draw) and kg/overlaps/exports.py (graphml, gexf, csv).

Uses what the service opens: ``store``, ``thesaurus``, ``build``, ``browser``, ``settings``,
``select``, ``organisation_labels`` and ``plans``; keeps the last few analyses.
"""

from __future__ import annotations

import threading
from functools import cached_property

from ..ask.asker import scenes
from ..errors import BadRequest
from ..overlaps.analysis import KINDS, Analysis, DutyRow
from ..overlaps.concepts import Vocabulary
from ..vocab import term
from .reports import Labeller, duty_rows_from, duty_rows_query, overlap_report

OVERLAP_UNITS = 300  # units the CLI and API analyse together; a larger build, a plan at a time
ANALYSES_KEPT = 8  # overlap analyses (a plan's, or every plan's) a service keeps
UNIT_PLANS_QUERY = "SELECT DISTINCT ?plan WHERE { ?membership org:member ?unit ; dg:record/dg:plan ?plan }"


class OverlapViews:
    def duty_rows(self, plans: list[str] | None = None) -> list[DutyRow]:
        """Every duty's row, or those of the plans (IRIs) named."""
        return duty_rows_from(self.select(duty_rows_query(plans)))

    @cached_property
    def labeller(self) -> Labeller:
        return Labeller(self.thesaurus, self.organisation_labels)

    @cached_property
    def scenes(self) -> dict[str, frozenset[str]]:
        """Per plan IRI, what its duties happen during (``ask.scenes``): left out of overlap targets."""
        return scenes(self.store, self.thesaurus)

    @cached_property
    def vocabulary(self) -> Vocabulary:
        return Vocabulary(self.thesaurus)

    def _analysis_of(self, plan: str | None) -> Analysis:
        """The analysis of one plan's duties (a key), or of every plan's (None); the last few kept."""
        memo = self.__dict__.setdefault("_analyses", {})
        lock = self.__dict__.setdefault("_analyses_lock", threading.Lock())
        with lock:
            if plan in memo:
                return memo[plan]
        rows = self.duty_rows(None if plan is None else [self.browser.iri("plan", plan)])
        analysis = Analysis(rows, self.thesaurus, self.scenes, self.organisation_labels, self.vocabulary)
        with lock:
            while len(memo) >= ANALYSES_KEPT:
                memo.pop(next(iter(memo)))
            return memo.setdefault(plan, analysis)

    def _plan_choices(self) -> list[dict]:
        """The build's plans, as a person chooses among them: key, title, place, units, duties."""
        return [{k: p.get(k) for k in ("iri", "key", "title", "place_zh", "place_en", "units", "duties")}
                for p in self.plans()]

    def overlap_scope(self, plan: str | None, whole: bool = False) -> dict:
        """Which plan the overlap views show: the one asked for (its key); else, when ``whole`` (the
        API and CLI) and the build has at most ``OVERLAP_UNITS`` units in all, every plan (each
        finding names its own); else the largest (most duties, then units). Findings and pairs never
        cross plans (kg/overlaps/analysis.py), and a picture of every plan at once is no picture."""
        plans = self._plan_choices()
        if plan:
            if plan not in {p["key"] for p in plans}:
                raise BadRequest(f"no plan {plan!r} in this data home; `kg plans` or /compare lists the keys")
            chosen, why = plan, "asked"
        elif whole and (len(plans) <= 1 or sum(p.get("units") or 0 for p in plans) <= OVERLAP_UNITS):
            chosen, why = (plans[0]["key"] if len(plans) == 1 else None), "all"
        elif plans:
            chosen = max(plans, key=lambda p: (p.get("duties") or 0, p.get("units") or 0, p["key"]))["key"]
            why = "largest"
        else:
            chosen, why = None, "all"
        return {"plan": chosen, "why": why, "plans": plans,
                "chosen": next((p for p in plans if p["key"] == chosen), None)}

    def overlaps(self, kinds: list[str] | None = None, plan: str | None = None) -> dict:
        """Findings (duplication, overlap, fragmentation, gap) with evidence, the unit × unit
        matrix, the collaboration edges and centrality: everything /overlaps draws; of the plan
        ``overlap_scope`` chooses (``plan``: a plan's key), which the answer names."""
        unknown = set(kinds or ()) - set(KINDS)
        if unknown:
            raise BadRequest(f"unknown kind(s) {sorted(unknown)}; use {', '.join(KINDS)}")
        scope = self.overlap_scope(plan, whole=True)
        by_iri = {p["iri"]: p for p in scope["plans"]}
        return {"plan": scope["plan"], **overlap_report(self._analysis_of(scope["plan"]), self.labeller, kinds, by_iri)}

    def overlap_graph(self, which: str = "bipartite", plan: str | None = None):
        """A networkx graph for export: bipartite (units–targets), projection or collaboration; of
        one plan (its key) or of every plan."""
        if plan:
            self.overlap_scope(plan)  # a known key
        analysis = self._analysis_of(plan or None)
        graphs = {"bipartite": analysis.bipartite, "projection": analysis.projection,
                  "collaboration": analysis.collaboration}
        if which not in graphs:
            raise BadRequest(f"unknown graph {which!r}; use {', '.join(graphs)}")
        return graphs[which]()

    def overlaps_file(self, fmt: str, which: str = "bipartite", plan: str | None = None) -> tuple[bytes, str]:
        """The overlap network (graphml, gexf; of every plan unless ``plan``) or findings (csv; of
        the plan ``overlap_scope`` chooses) as bytes and a media type."""
        from ..overlaps.exports import findings_csv, network_bytes

        if fmt == "csv":
            return findings_csv(self.overlaps(plan=plan)), "text/csv; charset=utf-8"
        if fmt in ("graphml", "gexf"):
            return network_bytes(self.overlap_graph(which, plan), fmt), "application/xml; charset=utf-8"
        raise BadRequest(f"unknown format {fmt!r}; use graphml, gexf or csv")

    def _plans_of(self, iri: str) -> list[str]:
        return [row["plan"] for row in self.select(UNIT_PLANS_QUERY.replace("?unit", term(iri)))]

    def unit_overlaps(self, iri: str) -> list:
        """What a unit's page lists of its overlaps: within the plans it is a member of."""
        from ..overlaps.pictures import unit_overlaps

        analysis = Analysis(self.duty_rows(self._plans_of(iri)), self.thesaurus, self.scenes,
                            self.organisation_labels, self.vocabulary)
        return unit_overlaps(analysis, iri, self.settings.base_iri)

    def _pictures(self, filters: dict[str, str], lang: str = "zh"):
        from ..overlaps.pictures import Pictures

        scope = self.overlap_scope(filters.get("plan"))
        filters = {**filters, "plan": scope["plan"] or ""}
        return Pictures(self._analysis_of(scope["plan"]), filters, self.settings.base_iri, scope["plans"],
                        scope["chosen"], lang), scope

    def overlap_page(self, filters: dict[str, str], lang: str = "zh") -> dict:
        """/overlaps: one plan's findings and pictures. Beyond ``PLAN_MENU_MAX`` plans the plan menu
        lists the plans of the shown plan's place, not every plan (101 KB of the page at 1,000 plans);
        each plan's page links its overlaps."""
        from .pages import PLAN_MENU_MAX

        pictures, scope = self._pictures(filters, lang)
        page = {**pictures.page(), "why": scope["why"], "plan_count": len(scope["plans"]), "menu_place": None}
        chosen = scope["chosen"]
        if len(scope["plans"]) > PLAN_MENU_MAX and chosen:
            page["options"]["plan"] = [p for p in scope["plans"] if p.get("place_zh") == chosen.get("place_zh")]
            page["menu_place"] = {"label_zh": chosen.get("place_zh") or "", "label_en": chosen.get("place_en") or ""}
        return page

    def overlap_networks(self, filters: dict[str, str], lang: str = "zh") -> dict:
        """The networks of the page and their layouts; the same for the same plan, filters and
        language (the layout has a fixed seed), so the last few are kept."""
        pictures, scope = self._pictures(filters, lang)
        key = (scope["plan"], tuple(sorted(pictures.filters.items())), lang)
        memo = self.__dict__.setdefault("_networks", {})
        if key not in memo:
            while len(memo) >= ANALYSES_KEPT:
                memo.pop(next(iter(memo)))
            memo[key] = pictures.networks()
        return memo[key]

    def overlap_pair(self, a: str, b: str, filters: dict[str, str], lang: str = "zh") -> dict | None:
        """Two units' shared findings, in the plan they share; two units of different plans are never
        compared, and the answer says so with each one's plan."""
        plans_a, plans_b = (self._plans_of(u) if u.startswith(("http://", "https://")) else [] for u in (a, b))
        if not plans_a or not plans_b:
            return None
        common = sorted(set(plans_a) & set(plans_b))
        if not common:
            choices = {p["iri"]: p for p in self._plan_choices()}
            pictures = self._pictures({k: v for k, v in filters.items() if k != "plan"}, lang)[0]
            return {"a": pictures.unit(a), "b": pictures.unit(b), "different_plans": True,
                    "plans": [choices.get(plans_a[0]), choices.get(plans_b[0])], "findings": [], "shared": 0,
                    "compare": "/compare?" + "&".join(f"{k}={choices[p]['key']}" for k, p in
                                                       (("a", plans_a[0]), ("b", plans_b[0])) if p in choices),
                    "back": "/overlaps"}
        key = next((p["key"] for p in self._plan_choices() if p["iri"] == common[0]), None)
        pictures, _ = self._pictures({**filters, "plan": key or ""}, lang)
        return pictures.pair(a, b)
