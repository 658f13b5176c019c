"""Questions → concepts → one parameterised SPARQL query → ranked units with evidence.

``understand`` strips the "who handles / 归谁管" cues and links the rest to thesaurus concepts
(Chinese on jieba word boundaries, English after stemming). ``answer`` expands each concept to its
narrower ones, finds the non-boilerplate duties on any of them with a query whose only variable
parts are concept IRIs in a VALUES block, and ranks units: a duty that meets every part of the
question beats one that meets a part (parts weighted by how rare they are in the plan), a lead
beats a joint partner beats a supporter. With no concept, keyword search may answer, but only
duties containing every content word of the question.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from .search import Searcher
from .text import CJK, fold_width
from .thesaurus import Concept, Match, Thesaurus
from .vocab import PREFIXES

TOPIC_SCHEMES = ("object", "issue")
ROLE_WEIGHT = {"lead": 1.0, "joint": 0.9, "support": 0.75}
KEEP_RATIO = 0.6  # a unit is an answer when its score reaches this share of the best unit's
RELATED_CREDIT = 0.7  # 渣土运输核准 answers a question about 渣土车, but less than 渣土车 itself
MIN_SCORE = 0.45
MAX_ANSWERS = 50  # units listed in one answer; "total" says how many qualified  # and covers about half of what the question asks, whatever the others do

# Question cues carry no concept: "who handles", "which department is in charge of", "归谁管", "找谁".
EN_CUES = re.compile(
    r"\b(?:who|whom|which|what|whose)\b(?:\s+(?:is|are|was|should|do|does|can|will|would|i|we|one|be|the|"
    r"department|departments|unit|units|agency|agencies|bureau|bureaus|office|authority|authorities|body|"
    r"bodies|organi[sz]ation|organi[sz]ations|government|in|of|for|to|about|regarding|on|with|charge|"
    r"responsible|accountable|tasked|handles?|handling|deals?|dealing|takes?|care|looks?|after|manages?|"
    r"oversees?|oversight|call|contact|ask|report|complain|talk|leads?|has|have|duty|job|role|"
    r"responsibility|responsibilities))*\b",
    re.IGNORECASE,
)
EN_FILLER = re.compile(
    r"\b(?:please|tell me|i want to know|in the plan|in liaocheng|liaocheng|city|municipal|the|a|an|"
    r"is|are|of|for|about|with|and|or|to|in|on|at|by|during)\b|[?!.,;:]",
    re.IGNORECASE,
)
ZH_CUES = re.compile(
    r"(?:请问|我想知道|想问一下|想问|是|由|归|找|问|向|打给|联系|反映|投诉|举报)?"
    r"(?:哪个|哪些|哪一个|什么|哪家|啥)?(?:部门|单位|机关|机构|政府部门)?"
    r"(?:谁|哪个部门|哪个单位|哪些部门|哪些单位|什么部门|什么单位)"
    r"(?:来|去|在|主要|具体|应该|应当|该)?(?:负责|管理|管|主管|处理|牵头|承担|分管|监管|抓|问)?(?:的)?"
    r"|(?:归|由)(?:谁|哪个部门|哪个单位)(?:管|负责)?|(?:谁|哪个部门|哪个单位)(?:负责|管)"
    r"|(?:出了问题|有问题)(?:找|打给|联系)?|[？?！!。，,、]|(?:呢|吗|啊|呀)$"
)


@dataclass(frozen=True)
class Part:
    """One thing the question is about: the concepts linked at one place in the question."""

    text: str
    concepts: tuple[Concept, ...]
    expanded: frozenset[str]  # the concepts, everything narrower, and things related to those
    direct: frozenset[str] = frozenset()  # the concepts and everything narrower

    def credit(self, concepts: set[str]) -> float:
        """How fully a duty with ``concepts`` meets this part: a related thing counts for less."""
        if concepts & self.direct:
            return 1.0
        return RELATED_CREDIT if concepts & self.expanded else 0.0

    @property
    def topic(self) -> bool:
        return any(c.scheme in TOPIC_SCHEMES for c in self.concepts)


@dataclass
class Understanding:
    question: str
    language: str
    content: str  # the question without its cue words
    parts: list[Part] = field(default_factory=list)


def _strip_cues(question: str) -> tuple[str, str]:
    folded = fold_width(question).strip()
    if re.search(f"[{CJK}]", folded):
        return "zh", ZH_CUES.sub(" ", folded).strip()
    content = EN_FILLER.sub(" ", EN_CUES.sub(" ", folded))
    return "en", re.sub(r"\s+", " ", content).strip()


def understand(question: str, thesaurus: Thesaurus) -> Understanding:
    language, content = _strip_cues(question)
    matches: list[Match] = []
    for scheme in ("object", "issue", "action"):
        matches.extend(thesaurus.find_words(content, scheme))
    by_span: dict[tuple[int, int], list[Concept]] = {}
    for m in sorted(matches, key=lambda m: (m.start, -(m.end - m.start))):
        if any(s[0] <= m.start and m.end <= s[1] and s != (m.start, m.end) for s in by_span):
            continue  # a shorter label inside a longer one ("alert" in "smog alert"): the longer is meant
        by_span.setdefault((m.start, m.end), []).append(m.concept)
    parts = []
    for (start, end), concepts in sorted(by_span.items()):
        expanded = frozenset().union(*(thesaurus.expand(c.iri) for c in concepts))
        direct = frozenset().union(*(thesaurus.narrower_closure(c.iri) for c in concepts))
        parts.append(Part(content[start:end], tuple(dict.fromkeys(concepts)), expanded, direct))
    return Understanding(question, language, content, parts)


def _iri(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*", value):
        raise ValueError(f"not an IRI: {value!r}")
    return f"<{value}>"


DUTY_QUERY = """SELECT ?duty ?concept ?unit ?unit_zh ?unit_en ?role ?text ?start ?plan WHERE {{
  VALUES ?concept {{ {concepts} }}
  {{ ?duty dg:object ?concept }} UNION {{ ?duty dg:issue ?concept }} UNION {{ ?duty dg:action ?concept }}
  FILTER NOT EXISTS {{ ?duty a dg:BoilerplateDuty }}
  ?duty dg:assignedTo ?unit ; dg:role ?role ; dg:text ?text ; dg:plan ?plan ; dg:span/oa:start ?start .
  ?unit skos:prefLabel ?unit_zh, ?unit_en .
  FILTER(LANG(?unit_zh) = "zh" && LANG(?unit_en) = "en")
}}"""
# What runs: the lean half of DUTY_QUERY (which duties, units and roles meet the concepts: across a
# thousand plans, thousands of rows) and then EVIDENCE_QUERY for the duties of the best units only.
MATCH_QUERY = """SELECT ?duty ?concept ?unit ?role WHERE {{
  VALUES ?concept {{ {concepts} }}
  {{ ?duty dg:object ?concept }} UNION {{ ?duty dg:issue ?concept }} UNION {{ ?duty dg:action ?concept }}
  FILTER NOT EXISTS {{ ?duty a dg:BoilerplateDuty }}
  ?duty dg:assignedTo ?unit ; dg:role ?role .
}}"""
EVIDENCE_QUERY = """SELECT ?duty ?text ?start ?plan WHERE {{
  VALUES ?duty {{ {duties} }}
  ?duty dg:text ?text ; dg:plan ?plan ; dg:span/oa:start ?start .
}}"""
KEYWORD_QUERY = """SELECT ?duty ?unit ?role ?text ?start ?plan WHERE {{
  VALUES ?duty {{ {duties} }}
  ?duty dg:assignedTo ?unit ; dg:role ?role ; dg:text ?text ; dg:plan ?plan ; dg:span/oa:start ?start .
}}"""
CONTEXT_QUERY = """SELECT DISTINCT ?title WHERE { ?plan dg:hasCommand ?c . ?c skos:prefLabel ?title FILTER(LANG(?title) = "zh") }"""
COUNT_QUERY = "SELECT (COUNT(?d) AS ?n) WHERE { ?d a dg:Duty FILTER NOT EXISTS { ?d a dg:BoilerplateDuty } }"


def runnable(query: str) -> str:
    """The query as shown to people: with the PREFIX lines it was run with, so it runs anywhere."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items() if f"{p}:" in query) + query


def _select(store: ox.Store, query: str) -> list[dict[str, str]]:
    solutions = store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    return [{n: (row[n].value if row[n] is not None else "") for n in names} for row in solutions]


def _role(iri: str) -> str:
    return iri.rsplit("#", 1)[-1]


class Asker:
    """``labels``: every organisation's (zh, en) labels, read once by the service."""

    def __init__(self, store: ox.Store, thesaurus: Thesaurus, searcher: Searcher | None,
                 labels: Mapping[str, tuple[str, str]]):
        self.store = store
        self.thesaurus = thesaurus
        self.searcher = searcher
        self.labels = labels
        self._total: int | None = None
        self._context: set[str] | None = None

    @property
    def total_duties(self) -> int:
        if self._total is None:
            self._total = int(_select(self.store, COUNT_QUERY)[0]["n"] or 0)
        return self._total

    def ask(self, question: str) -> dict:
        understood = understand(question, self.thesaurus)
        if understood.parts:
            return self._by_concepts(understood)
        return self._by_keywords(understood)

    # ------------------------------------------------------------------ concepts

    @property
    def context(self) -> set[str]:
        """Issues a plan is about as a whole (重污染天气 for a heavy-pollution plan), and what is
        above them: "during a smog alert" sets the scene of a question, it does not pick a unit."""
        if self._context is None:
            titles = [row["title"] for row in _select(self.store, CONTEXT_QUERY)]
            issues = {m.concept.iri for t in titles for m in self.thesaurus.find(t, "issue")}
            self._context = set().union(set(), *(self.thesaurus.broader_closure(i) for i in issues))
        return self._context

    def _by_concepts(self, u: Understanding) -> dict:
        concepts = " ".join(_iri(c) for c in sorted(set().union(*(p.expanded for p in u.parts))))
        duties: dict[str, dict] = {}
        for row in _select(self.store, MATCH_QUERY.format(concepts=concepts)):
            duty = duties.setdefault(row["duty"], {"duty": row["duty"], "role": row["role"], "concepts": set(),
                                                   "units": set()})
            duty["concepts"].add(row["concept"])
            duty["units"].add(row["unit"])
        response = self._response(u, DUTY_QUERY.format(concepts=concepts), "concepts")
        parts = [p for p in u.parts if not (p.topic and all(c.iri in self.context for c in p.concepts))]
        if not parts:
            parts = list(u.parts)  # the scene is all there is: it is the question
        df = {p: sum(1 for d in duties.values() if d["concepts"] & p.expanded) for p in parts}
        # A thing the plan never mentions means the plan does not answer; an unmentioned action
        # ("enrolment" of schools) only weighs against the units that have the thing.
        missing = [p for p in parts if df[p] == 0 and (p.topic or len(parts) == 1)]
        if missing:
            names = "、".join(p.concepts[0].pref_zh for p in missing)
            english = ", ".join(p.concepts[0].pref_en for p in missing)
            response["understood"] = f"No duty in the plan concerns {english} ({names})."
            return response
        n = max(self.total_duties, 1)
        # Things of one kind are alternatives ("oil and coal": either answers); each action is a
        # requirement of its own ("inspect and report": both are asked).
        slots: dict[str, list[Part]] = {}
        for i, part in enumerate(parts):
            scheme = part.concepts[0].scheme
            slots.setdefault(scheme if scheme in TOPIC_SCHEMES else f"{scheme}{i}", []).append(part)
        weight = {p: math.log(1 + n / (df[p] + 0.5)) for p in parts}

        def slot_df(ps: list[Part]) -> int:
            return sum(1 for d in duties.values() if any(d["concepts"] & p.expanded for p in ps))

        slot_weight = {s: math.log(1 + n / (slot_df(ps) + 0.5)) for s, ps in slots.items()}
        total = sum(slot_weight.values()) or 1.0
        topic_slots = [s for s in slots if s in TOPIC_SCHEMES]
        scored = []
        for duty in duties.values():
            met = {}
            for slot, ps in slots.items():
                best = max((weight[p] * p.credit(duty["concepts"]) for p in ps), default=0.0)
                if best:
                    met[slot] = best / max(weight[p] for p in ps)
            if topic_slots and not set(met) & set(topic_slots):
                continue  # an action alone does not answer a question about a thing
            scored.append((sum(slot_weight[s] * v for s, v in met.items()) / total, duty))
        response["answers"], response["total"] = self._rank(scored, u)
        if not response["answers"]:
            response["understood"] = "No duty in the plan covers enough of the question."
        return response

    # ------------------------------------------------------------------ keywords

    def _by_keywords(self, u: Understanding) -> dict:
        response = self._response(u, "", "none")
        words = [w for w in re.split(r"\s+", u.content) if len(w) >= 2]
        if not words or self.searcher is None:
            response["understood"] = "No concept of the plan's vocabulary was recognised in the question."
            return response
        hits = self.searcher.duty_matches(" ".join(words))
        if not hits or len(hits) > max(3, self.total_duties // 4):
            # Nothing, or so much that the words do not pick anything out: no confident answer.
            response["understood"] = "No concept recognised, and no duty contains every word of the question."
            return response
        query = KEYWORD_QUERY.format(duties=" ".join(_iri(iri) for iri, _ in hits))
        rows = _select(self.store, query)
        best = max(score for _, score in hits)
        strength = {iri: score / best for iri, score in hits}
        duties: dict[str, dict] = {}
        for row in rows:
            duty = duties.setdefault(row["duty"], {**row, "concepts": set(), "units": set()})
            duty["units"].add(row["unit"])
        response.update(method="keywords", sparql=runnable(query))
        response["answers"], response["total"] = self._rank(
            [(0.6 * strength[d], duty) for d, duty in duties.items()], u, words)
        return response

    # ------------------------------------------------------------------ shared

    def _response(self, u: Understanding, query: str, method: str) -> dict:
        return {
            "question": u.question,
            "language": u.language,
            "understood": "",
            "concepts": [
                {
                    "iri": c.iri,
                    "scheme": c.scheme,
                    "label_zh": c.pref_zh,
                    "label_en": c.pref_en,
                    "matched": p.text,
                    "narrower": len(p.expanded) - 1,
                }
                for p in u.parts
                for c in p.concepts
            ],
            "answers": [],
            "total": 0,
            "method": method,
            "sparql": runnable(query) if query else "",
        }

    def _rank(self, scored: list[tuple[float, dict]], u: Understanding,
              words: list[str] | None = None) -> tuple[list[dict], int]:
        """(the best units, with evidence and highlights, at most MAX_ANSWERS; how many qualified)"""
        units: dict[str, dict] = {}
        for score, duty in scored:
            role = _role(duty["role"])
            value = score * ROLE_WEIGHT.get(role, 0.7)
            for unit in duty["units"]:
                zh, en = self.labels.get(unit) or (unit.rsplit("/", 1)[-1],) * 2
                entry = units.setdefault(unit, {"unit": unit, "label_zh": zh, "label_en": en, "score": 0.0,
                                                "role": role, "evidence": []})
                if value > entry["score"]:
                    entry["score"], entry["role"] = value, role
                entry["evidence"].append((value, duty))
        if not units:
            return [], 0
        for entry in units.values():  # more matching duties: a little more responsible, up to 10 %
            entry["score"] *= 0.9 + 0.1 * min(len(entry["evidence"]), 3) / 3
        best = max(e["score"] for e in units.values())
        kept = [e for e in units.values() if e["score"] >= max(MIN_SCORE, KEEP_RATIO * best)]
        kept.sort(key=lambda e: (-e["score"], e["label_zh"]))
        total = len(kept)
        kept = kept[:MAX_ANSWERS]  # across many plans: the best ones, evidence and highlights for those only
        self._fill_evidence([duty for entry in kept for _, duty in entry["evidence"]])
        relevant = self._relevant(u)
        for entry in kept:
            entry["score"] = round(entry["score"], 3)
            entry["evidence"] = [
                {
                    "duty": duty["duty"],
                    "text": duty["text"],
                    "role": _role(duty["role"]),
                    "plan": duty["plan"],
                    "start": int(duty["start"]),
                    "highlight": self._highlight(duty["text"], relevant, words),
                }
                for _, duty in sorted(entry["evidence"], key=lambda e: (-e[0], e[1]["duty"]))
            ]
        return kept, total

    def _fill_evidence(self, duties: list[dict]) -> None:
        """Text, plan and offset of the duties that are shown (the keyword path has them already)."""
        missing = {d["duty"]: d for d in duties if "text" not in d}
        if missing:
            query = EVIDENCE_QUERY.format(duties=" ".join(_iri(iri) for iri in sorted(missing)))
            for row in _select(self.store, query):
                missing[row["duty"]].update(row)

    def _relevant(self, u: Understanding) -> set[str]:
        relevant: set[str] = set()
        for part in u.parts:
            for iri in part.expanded:
                relevant |= self.thesaurus.broader_closure(iri)
        return relevant

    def _highlight(self, text: str, relevant: set[str], words: list[str] | None) -> list[list[int]]:
        spans: list[tuple[int, int]] = []
        if words:
            folded = fold_width(text).lower()
            for word in words:
                spans += [(m.start(), m.end()) for m in re.finditer(re.escape(fold_width(word).lower()), folded)]
        else:
            for scheme in ("object", "issue", "action"):
                spans += [m.text_span for m in self.thesaurus.find(text, scheme) if m.concept.iri in relevant]
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        return merged
