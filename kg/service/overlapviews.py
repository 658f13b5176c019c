"""The overlap views of the service (``Service`` inherits them): duty rows read from the store, analysed
(kg/overlaps/analysis.py) a plan at a time on a national corpus, and handed to kg/service/reports.py (findings as
data), kg/overlaps/pictures.py (what /overlaps and a unit's page draw) and kg/overlaps/exports.py (graphml, gexf, csv).

Uses what the service opens: ``store``, ``thesaurus``, ``build``, ``browser``, ``settings``,
``select`` and ``organisation_labels``; keeps the last few analyses.
"""

from __future__ import annotations

from functools import cached_property

from ..ask.asker import scenes
from ..errors import BadRequest
from ..overlaps.analysis import KINDS, Analysis, DutyRow
from ..vocab import term
from .reports import Labeller, duty_rows_from, duty_rows_query, overlap_report

OVERLAP_UNITS = 300  # units the overlap views show together; a larger build, a plan at a time
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

    def _analysis_of(self, plan: str | None) -> Analysis:
        """The analysis of one plan's duties (a key), or of every plan's (None); the last few kept."""
        memo = self.__dict__.setdefault("_analyses", {})
        if plan not in memo:
            rows = self.duty_rows(None if plan is None else [self.browser.iri("plan", plan)])
            while len(memo) >= ANALYSES_KEPT:
                memo.pop(next(iter(memo)))
            memo[plan] = Analysis(rows, self.thesaurus, self.scenes, self.organisation_labels)
        return memo[plan]

    def overlap_scope(self, plan: str | None) -> dict:
        """Which plan the overlap views show: the one asked for (its key); else every plan when
        they have at most ``OVERLAP_UNITS`` units in all, else the first. Findings and pairs never
        cross plans (kg/overlaps/analysis.py), but a unit × unit heatmap of a national corpus (28,000 units
        at 1,000 plans) is no picture, and its analysis took minutes."""
        plans = [{"key": p["key"], "title": p.get("title") or p["key"]} for p in self.build.manifest.get("plans", [])]
        if plan:
            if plan not in {p["key"] for p in plans}:
                raise BadRequest(f"no plan {plan!r} in this data home; `kg plans` or /compare lists the keys")
            chosen = plan
        elif len(plans) > 1 and sum(p.get("units", 0) for p in self.build.manifest["plans"]) > OVERLAP_UNITS:
            chosen = plans[0]["key"]
        else:
            chosen = None
        return {"plan": chosen, "plans": plans}

    def overlaps(self, kinds: list[str] | None = None, plan: str | None = None) -> dict:
        """Findings (duplication, overlap, fragmentation, gap) with evidence, the unit × unit
        matrix, the collaboration edges and centrality: everything /overlaps draws; of the plan
        ``overlap_scope`` chooses (``plan``: a plan's key), which the answer names."""
        unknown = set(kinds or ()) - set(KINDS)
        if unknown:
            raise BadRequest(f"unknown kind(s) {sorted(unknown)}; use {', '.join(KINDS)}")
        scope = self.overlap_scope(plan)
        return {"plan": scope["plan"], **overlap_report(self._analysis_of(scope["plan"]), self.labeller, kinds)}

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

    def unit_overlaps(self, iri: str) -> list:
        """What a unit's page lists of its overlaps: within the plans it is a member of."""
        from ..overlaps.pictures import unit_overlaps

        plans = [row["plan"] for row in self.select(UNIT_PLANS_QUERY.replace("?unit", term(iri)))]
        analysis = Analysis(self.duty_rows(plans), self.thesaurus, self.scenes, self.organisation_labels)
        return unit_overlaps(analysis, iri, self.settings.base_iri)

    def _pictures(self, filters: dict[str, str]):
        from ..overlaps.pictures import Pictures

        scope = self.overlap_scope(filters.get("plan"))
        filters = {**filters, "plan": scope["plan"] or ""}
        return Pictures(self._analysis_of(scope["plan"]), filters, self.settings.base_iri, scope["plans"])

    def overlap_page(self, filters: dict[str, str]) -> dict:
        return self._pictures(filters).page()

    def overlap_networks(self, filters: dict[str, str]) -> dict:
        return self._pictures(filters).networks()

    def overlap_pair(self, a: str, b: str, filters: dict[str, str]) -> dict | None:
        return self._pictures(filters).pair(a, b)
