"""The thesauri as pages, as Skosmos shows a vocabulary: the schemes (/concept/), a scheme's top
concepts, its tree and an A-Z of its labels in the page's language (/concept/<scheme>), one
concept (/concept/<scheme>/<key>); and the index of the IRIs under the base (/id/).

Takes the thesaurus and a ``Browser`` (kg/service/browse.py) for the concept's duties and links;
returns plain dicts. Left of the facade, beside browse.py.
"""

from __future__ import annotations

from collections import defaultdict

from ..extraction.thesaurus import Concept, Thesaurus
from ..vocab import CONCEPT, PAGE_KEY, SCHEMES

SCHEME_NAMES = {"action": ("行动", "Actions"), "object": ("对象", "Objects"), "issue": ("问题", "Issues"),
                "agency": ("机构类型", "Agency types")}
SCHEME_NOTES = {
    "action": ("职责里单位要做的事：检查执法、发布信息、安排资金……", "What a duty has a unit do: inspect, inform, fund…"),
    "object": ("职责针对的对象：车辆、工地、企业、学校……", "What a duty acts on: vehicles, sites, enterprises, schools…"),
    "issue": ("职责关乎的问题和突发事件：扬尘、暴雪、森林火灾……", "The problems and emergencies duties concern: dust, snowstorms, forest fires…"),
    "agency": ("各地同一类机构（公安局、住建局……），不论叫法", "Kinds of body (public security, housing…), whatever a city calls them"),
}


def children(t: Thesaurus, iri: str) -> list[str]:
    return sorted((c.iri for c in t.concepts.values() if iri in c.broader), key=lambda i: t.concepts[i].pref_zh)


def tree(t: Thesaurus, browser, iri: str, depth: int = 0) -> dict:
    node = browser.concept_ref(iri)
    node["narrower"] = [tree(t, browser, n, depth + 1) for n in children(t, iri)] if depth < 4 else []
    return node


def ancestry(t: Thesaurus, c: Concept) -> list[str]:
    """The chain of first broader concepts up to the top, top first."""
    chain, seen, current = [], {c.iri}, c
    while current.broader and current.broader[0] in t.concepts and current.broader[0] not in seen:
        seen.add(current.broader[0])
        current = t.concepts[current.broader[0]]
        chain.append(current.iri)
    return chain[::-1]


def tops(t: Thesaurus, scheme: str) -> list[Concept]:
    """A scheme's concepts with no broader concept in the thesaurus."""
    return sorted((c for c in t.concepts.values() if c.scheme == scheme and not any(b in t.concepts for b in c.broader)),
                  key=lambda c: c.pref_en.lower())


def schemes_page(t: Thesaurus, browser) -> dict:
    schemes = []
    for scheme in SCHEMES:
        members = [c for c in t.concepts.values() if c.scheme == scheme]
        schemes.append({"scheme": scheme, "href": f"/concept/{scheme}", "label_zh": SCHEME_NAMES[scheme][0],
                        "label_en": SCHEME_NAMES[scheme][1], "note_zh": SCHEME_NOTES[scheme][0],
                        "note_en": SCHEME_NOTES[scheme][1], "concepts": len(members),
                        "top": [browser.concept_ref(c.iri) for c in tops(t, scheme)][:12],
                        "top_count": len(tops(t, scheme))})
    return {"schemes": schemes}


def initial(label: str, lang: str) -> str:
    """The A-Z letter of a label: its first letter in English; in Chinese, the pinyin initial of its
    first character (as Chinese indexes are ordered)."""
    if not label:
        return "#"
    if lang == "en":
        first = label[0].upper()
        return first if "A" <= first <= "Z" else "#"
    from pypinyin import Style, lazy_pinyin

    letter = (lazy_pinyin(label[0], style=Style.FIRST_LETTER) or ["#"])[0][:1].upper()
    return letter if "A" <= letter <= "Z" else "#"


def scheme_page(t: Thesaurus, browser, scheme: str, lang: str) -> dict | None:
    if scheme not in SCHEMES:
        return None
    members = [c for c in t.concepts.values() if c.scheme == scheme]
    entries = []
    for c in members:  # every label, preferred and alternative, in the page's language
        labels = c.labels_zh if lang == "zh" else c.labels_en
        for label in dict.fromkeys(labels):
            entries.append({"label": label, "preferred": label == (c.pref_zh if lang == "zh" else c.pref_en),
                            **browser.concept_ref(c.iri)})
    if lang == "zh":
        from pypinyin import lazy_pinyin

        entries.sort(key=lambda e: ("".join(lazy_pinyin(e["label"])).lower(), e["label"]))
    else:
        entries.sort(key=lambda e: e["label"].lower())
    letters: dict[str, list[dict]] = defaultdict(list)
    for e in entries:
        letters[initial(e["label"], lang)].append(e)
    return {"scheme": scheme, "label_zh": SCHEME_NAMES[scheme][0], "label_en": SCHEME_NAMES[scheme][1],
            "note_zh": SCHEME_NOTES[scheme][0], "note_en": SCHEME_NOTES[scheme][1], "concepts": len(members),
            "tree": [tree(t, browser, c.iri) for c in tops(t, scheme)],
            "az": [{"letter": k, "entries": v} for k, v in sorted(letters.items())]}


def concept_page(browser, scheme: str, key: str) -> dict | None:
    """One concept: labels, definition, broader chain, narrower tree, related, units and duties."""
    t = browser.t
    if scheme not in SCHEMES or not PAGE_KEY.fullmatch(key or ""):
        return None
    c = t.concepts.get(f"{CONCEPT}{scheme}/{key}")
    if c is None:
        return None
    from .browse import AGENCY_UNITS, CONCEPT_DUTIES

    closure = t.narrower_closure(c.iri)
    duties = browser.duties(row["duty"] for row in browser._select(CONCEPT_DUTIES, sorted(closure)))
    units: dict[str, dict] = {}
    for card in duties:
        for u in card["units"]:
            units.setdefault(u["iri"], {**u, "duties": 0})["duties"] += 1
    if scheme == "agency":
        for row in browser._select(AGENCY_UNITS, sorted(closure)):
            units.setdefault(row["unit"], {**browser.unit_ref(row["unit"]), "duties": 0})
    return {
        "iri": c.iri,
        "href": browser.href(c.iri),
        "scheme": c.scheme,
        "scheme_zh": SCHEME_NAMES[c.scheme][0],
        "scheme_en": SCHEME_NAMES[c.scheme][1],
        "key": c.key,
        "label_zh": c.pref_zh,
        "label_en": c.pref_en,
        "alt_zh": list(c.alt_zh),
        "alt_en": list(c.alt_en),
        "definition": c.definition,
        "broader": [browser.concept_ref(b) for b in ancestry(t, c)],
        "narrower": [tree(t, browser, n) for n in children(t, c.iri)],
        "related": [browser.concept_ref(r) for r in sorted(c.related) if r in t.concepts],
        "units": sorted(units.values(), key=lambda u: (-u["duties"], u["label_zh"])),
        "duties": duties,
    }


def id_index(base: str, plans: list[dict], t: Thesaurus) -> dict:
    """/id/: the kinds of thing DutyGraph names with an IRI, how many, and where each is listed."""
    kinds = [
        {"kind": "plan", "label_zh": "预案", "label_en": "Plans", "pattern": f"{base}plan/…", "count": len(plans),
         "href": "/plans", "examples": [{"href": p["href"], "label_zh": p["short_zh"], "label_en": p["short_en"]}
                                        for p in plans[:5]]},
        {"kind": "unit", "label_zh": "单位", "label_en": "Units", "pattern": f"{base}unit/<place>/<unit>",
         "count": sum(p["units"] for p in plans), "href": "/units", "examples": []},
        {"kind": "duty", "label_zh": "职责", "label_en": "Duties", "pattern": f"{base}duty/<plan>/…",
         "count": sum(p["duties"] for p in plans), "href": "/search", "examples": []},
        {"kind": "concept", "label_zh": "概念", "label_en": "Concepts", "pattern": f"{CONCEPT}<scheme>/<key>",
         "count": len(t.concepts), "href": "/concept/", "examples": []},
    ]
    return {"base": base, "kinds": kinds}
