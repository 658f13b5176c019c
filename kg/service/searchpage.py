"""The search page's read model: a search's answer (kg/search/searcher.py) with links, plan names,
facet values that add or remove themselves, the filters shown and removable, paging, and a "did you
mean" for words nothing matched.

Takes the answer, the page's filters and a ``Browser`` (kg/service/browse.py) for labels and links;
returns a dict for the template or ``jsonify``. Left of the facade, beside browse.py.
"""

from __future__ import annotations

import difflib
import re
from urllib.parse import urlencode

from ..text import CJK, fold_width
from ..vocab import IRI

CJK_CHAR = re.compile(f"[{CJK}]")
PAGE_FACET_VALUES = 12  # values the search page lists per facet, unless the person asks for all


class SearchPage:
    def __init__(self, browser, plans: dict[str, dict], labels: list[str], places: dict | None = None):
        self.browser = browser
        self.places = places or {}  # unit IRI → (place zh, place en), named beside units of several plans
        self.plans = plans  # IRI → plan with its short names (kg/service/plans.py)
        self.labels = labels  # every unit and concept label, for "did you mean"

    def build(self, results: dict, filters: dict[str, str], shown: list[dict], args: dict[str, list[str]],
              more: str = "") -> dict:
        """``shown``: the plan filters (plan, place, type) with their removal links; ``args``: the
        page's query arguments, kept by every link it makes; ``more``: the facet listed whole."""
        text = results["query"]
        kept = {k: v for k, v in args.items() if k in ("plan", "place", "type", "lang")}

        def url(chosen: dict[str, str], page: int = 1, expand: str = "", q: str | None = None,
                plans: list[str] | None = None) -> str:
            extra = {**kept, "plan": plans} if plans is not None else kept
            pairs = [("q", text if q is None else q), *((k, v) for k, v in chosen.items()),
                     *((k, v) for k, vs in extra.items() for v in vs)]
            if page > 1:
                pairs.append(("page", page))
            if expand:
                pairs.append(("more", expand))
            return "/search?" + urlencode(pairs)

        b = self.browser
        for hit in results["hits"]:
            hit["href"] = b.href(hit["iri"])
            hit["units"] = [b.unit_ref(u) for u in hit["unit"]]
            kind = facet_label(b, self.plans, "kind", hit["kind"])
            hit["kind_zh"], hit["kind_en"] = kind["label_zh"], kind["label_en"]
            hit["plans"] = [self._plan_ref(p) for p in hit.get("plan", ())]
        facets = {}
        chosen_plans = [self.plans[i]["key"] if i in self.plans else i for i in args.get("plan", [])]
        for name, counts in results["facets"].items():
            values = list(counts.items())
            facets[name] = []
            for value, count in (values if name == more else values[:PAGE_FACET_VALUES]):
                if name == "plan":  # a plan is chosen as everywhere else: ?plan=KEY
                    key = self.plans[value]["key"] if value in self.plans else value
                    active = key in chosen_plans or value in args.get("plan", [])
                    href = url(filters, plans=[] if active else [key])
                else:
                    active = filters.get(name) == value
                    href = url({**filters, name: value} if not active else {k: v for k, v in filters.items() if k != name})
                label = facet_label(b, self.plans, name, value)
                if name == "unit" and value in self.places:
                    label = {"label_zh": f"{label['label_zh']}（{self.places[value][0]}）", "label_en": label["label_en"]}
                facets[name].append({"value": value, "count": count, "active": active, **label, "href": href})
        results["facet_values"] = facets
        results["facet_more"] = {name: url(filters, expand=name) for name in facets
                                 if results["facet_sizes"].get(name, 0) > len(facets[name])}
        results["facet_fewer"] = url(filters) if more else None
        results["filters"] = [
            {"name": k, "value": v, **facet_label(b, self.plans, k, v),
             "remove": url({n: x for n, x in filters.items() if n != k})}
            for k, v in filters.items()
        ] + shown
        results["matching_zh"], results["matching_en"] = (("所有词", "every word") if results.get("matching") == "every word"
                                                          else ("任一词", "any word"))
        page, pages = results["page"], results["pages"]
        results["previous"] = url(filters, page - 1) if page > 1 else None
        results["next"] = url(filters, page + 1) if page < pages else None
        results["first"] = (page - 1) * results["per_page"] + 1
        results["suggestions"] = [{"text": s, "href": url(filters, q=s), "lang": "zh" if CJK_CHAR.search(s) else "en"}
                                  for s in self.did_you_mean(text)] if results["total"] == 0 or \
            results.get("matching") == "any word" else []
        return results

    def _plan_ref(self, iri: str) -> dict:
        plan = self.plans.get(iri)
        if plan is None:
            return {"iri": iri, "label_zh": iri.rsplit("/", 1)[-1], "label_en": iri.rsplit("/", 1)[-1]}
        return {"iri": iri, "key": plan["key"], "label_zh": plan["short_zh"], "label_en": plan["short_en"],
                "title": plan["title"], "href": plan["href"]}

    def did_you_mean(self, text: str, limit: int = 3) -> list[str]:
        """Labels of units and concepts close to the words (a misspelt English word, a Chinese word
        the plans say otherwise), closest first; none equal to what was typed."""
        words = fold_width(text).replace('"', " ").split()
        words = [w for w in words if not w.startswith("-")]
        if not words:
            return []
        folded = {}
        for label in self.labels:
            folded.setdefault(label.lower(), label)
        out: list[str] = []
        for word in words:
            for close in difflib.get_close_matches(word.lower(), list(folded), n=limit, cutoff=0.6):
                if close != word.lower() and folded[close] not in out:
                    out.append(folded[close])
        if len(words) > 1 and out:  # the whole query with each word replaced by its closest label
            best = [(difflib.get_close_matches(w.lower(), list(folded), n=1, cutoff=0.6) or [w.lower()])[0] for w in words]
            whole = " ".join(folded.get(b, b) for b in best)
            if whole.lower() != " ".join(words).lower():
                out.insert(0, whole)
        return out[:limit]


def facet_label(browser, plans: dict[str, dict], name: str, value: str) -> dict:
    if name == "kind":
        schemes = {"issue": ("问题", "issue"), "object": ("对象", "object"), "action": ("行动", "action"),
                   "agency": ("机构类型", "agency type")}
        scheme = schemes.get(value.partition(":")[2], (value.partition(":")[2],) * 2)
        zh = {"duty": "职责", "unit": "单位"}.get(value, "概念（" + scheme[0] + "）")
        en = {"duty": "duty", "unit": "unit"}.get(value, "concept (" + scheme[1] + ")")
        return {"label_zh": zh, "label_en": en}
    if name == "plan":
        plan = plans.get(value) or next((p for p in plans.values() if p["key"] == value), None)
        if plan:
            return {"label_zh": plan["short_zh"], "label_en": plan["short_en"], "title": plan["title"]}
        return {"label_zh": value.rsplit("/", 1)[-1], "label_en": value.rsplit("/", 1)[-1]}
    ref = browser.ref(value) if IRI.fullmatch(value) else {"label_zh": value, "label_en": value}
    return {"label_zh": ref["label_zh"], "label_en": ref["label_en"]}
