"""Questions → concepts → one parameterised SPARQL query → ranked units with evidence.

``understand`` strips the "who handles / 归谁管" cues and links the rest to thesaurus concepts
(Chinese on jieba word boundaries, English after stemming). ``answer`` expands each concept to its
narrower ones, finds the non-boilerplate duties on any of them and ranks units: a duty that meets
every part of the question beats one that meets a part (parts weighted by how rare they are in the
plan), a lead beats a joint partner beats a supporter. With no concept, keyword search may answer,
but only duties containing every content word of the question.

The duties on the concepts come from the build's duty table (kg/search/postings.py: the answer to
``DUTY_QUERY``, shown with every answer, as posting lists), and ranking works on sets of duties
that score alike (boolean masks over the table, so each set operation is one NumPy operation), not
duty by duty: across a thousand plans a question meets tens of thousands of duties. Only the
evidence shown (the best units' duties) is then read from the store.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np
import pyoxigraph as ox

from ..extraction.thesaurus import Concept, Match, Thesaurus
from ..search.postings import OTHER_ROLE, ROLE_NAMES, DutyTable
from ..search.searcher import Searcher
from ..text import CJK, fold_width
from ..vocab import PREFIXES

TOPIC_SCHEMES = ("object", "issue")
ROLE_WEIGHT = {"lead": 1.0, "joint": 0.9, "support": 0.75}
KEEP_RATIO = 0.6  # a unit is an answer when its score reaches this share of the best unit's
RELATED_CREDIT = 0.7  # 渣土运输核准 answers a question about 渣土车, but less than 渣土车 itself
MIN_SCORE = 0.45  # and covers about half of what the question asks, whatever the others do
SPAN_MEMO = 8192  # duty texts whose concept spans are remembered (least recently used out first)
MAX_ANSWERS = 50  # units listed in one answer; "total" says how many qualified

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
  ?duty a dg:Duty .
  FILTER NOT EXISTS {{ ?duty a dg:BoilerplateDuty }}
  ?duty dg:assignedTo ?unit ; dg:role ?role ; dg:text ?text ; dg:plan ?plan ; dg:span/oa:start ?start .
  ?unit skos:prefLabel ?unit_zh, ?unit_en .
  FILTER(LANG(?unit_zh) = "zh" && LANG(?unit_en) = "en")
}}"""
# The evidence of duties the table has none for (text, plan and offset) is read from the store.
EVIDENCE_QUERY = """SELECT ?duty ?text ?start ?plan WHERE {{
  VALUES ?duty {{ {duties} }}
  ?duty dg:text ?text ; dg:plan ?plan ; dg:span/oa:start ?start .
}}"""
KEYWORD_QUERY = """SELECT ?duty ?unit ?role ?text ?start ?plan WHERE {{
  VALUES ?duty {{ {duties} }}
  ?duty dg:assignedTo ?unit ; dg:role ?role ; dg:text ?text ; dg:plan ?plan ; dg:span/oa:start ?start .
}}"""
SCENE_QUERY = """SELECT DISTINCT ?plan ?title WHERE {
  ?plan dg:hasCommand ?c . ?c skos:prefLabel ?title FILTER(LANG(?title) = "zh")
}"""


def runnable(query: str) -> str:
    """The query as shown to people: with the PREFIX lines it was run with, so it runs anywhere."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items() if f"{p}:" in query) + query


def _select(store: ox.Store, query: str) -> list[dict[str, str]]:
    solutions = store.query(query, prefixes=PREFIXES, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    return [{n: (row[n].value if row[n] is not None else "") for n in names} for row in solutions]


def scenes(store: ox.Store, thesaurus: Thesaurus) -> dict[str, frozenset[str]]:
    """Per plan IRI: the issues its command is named after (重污染天气 for a heavy-pollution plan)
    and what is above them: the scene of the plan's duties, not what they are about."""
    titles: dict[str, list[str]] = {}
    for row in _select(store, SCENE_QUERY):
        titles.setdefault(row["plan"], []).append(row["title"])
    found = {}
    for plan, names in titles.items():
        issues = {m.concept.iri for title in names for m in thesaurus.find(title, "issue")}
        found[plan] = frozenset().union(*(thesaurus.broader_closure(issue) for issue in issues))
    return found


def _role(iri: str) -> str:
    return iri.rsplit("#", 1)[-1]


def _alike(duties: np.ndarray, parts: list[Part], meets: dict[Part, np.ndarray],
           table: DutyTable) -> Iterator[tuple[dict[Part, float], np.ndarray]]:
    """``duties`` split by how fully each meets every part (``Part.credit``: the part's own concepts,
    something related, or nothing): (credit per part, the duties with that credit). Duties are
    boolean masks over the table (kg/search/postings.py), so each split is a few vector operations."""
    classes: list[tuple[dict[Part, float], np.ndarray]] = [({}, duties)]
    for part in parts:
        direct = table.mask(table.postings(part.direct))
        split = []
        for credit, members in classes:
            full = members & direct
            related = members & meets[part] & ~full
            rest = members & ~full & ~related
            split += [({**credit, part: c}, m) for c, m in ((1.0, full), (RELATED_CREDIT, related), (0.0, rest))
                      if m.any()]
        classes = split
    yield from classes


def _by_role(duties: np.ndarray, table: DutyTable) -> Iterator[tuple[str, np.ndarray]]:
    """``duties`` split by role name (lead, joint, support, or the name of a role IRI outside them)."""
    for position, of_role in enumerate(table.by_role):
        chosen = duties & of_role
        if not chosen.any():
            continue
        if position < OTHER_ROLE:
            yield ROLE_NAMES[position], chosen
            continue
        other: dict[str, list[int]] = {}
        for duty in np.flatnonzero(chosen).tolist():
            other.setdefault(_role(table.role_iri(duty)), []).append(duty)
        for name, numbers in other.items():
            yield name, table.mask(np.array(numbers, dtype=np.int64))


class Asker:
    """``labels``: every organisation's (zh, en) labels, read once by the service; ``table``: the
    build's duty table (kg/search/postings.py); ``scenes``: each plan's scene (``scenes``), which the
    service's overlap views read too."""

    def __init__(self, store: ox.Store, thesaurus: Thesaurus, searcher: Searcher | None,
                 labels: Mapping[str, tuple[str, str]], table: DutyTable, scenes: Mapping[str, frozenset[str]]):
        self.store = store
        self.thesaurus = thesaurus
        self.searcher = searcher
        self.labels = labels
        self.table = table
        self.scenes = scenes
        self._concept_spans = lru_cache(maxsize=SPAN_MEMO)(self._find_spans)

    @property
    def total_duties(self) -> int:
        """Duties that can answer (not boilerplate, assigned): how rare a concept is is counted in these."""
        return len(self.table)

    def ask(self, question: str) -> dict:
        understood = understand(question, self.thesaurus)
        if understood.parts:
            return self._by_concepts(understood)
        return self._by_keywords(understood)

    # ------------------------------------------------------------------ concepts

    @cached_property
    def context(self) -> frozenset[str]:
        """The scenes of every plan: "during a smog alert" sets the scene of a question, it does not
        pick a unit."""
        return frozenset().union(*self.scenes.values())

    def _by_concepts(self, u: Understanding) -> dict:
        table = self.table
        concepts = " ".join(_iri(c) for c in sorted(set().union(*(p.expanded for p in u.parts))))
        response = self._response(u, DUTY_QUERY.format(concepts=concepts), "concepts")
        meets = {p: table.postings(p.expanded) for p in u.parts}  # the duties on each part's concepts
        parts = [p for p in u.parts if not (p.topic and all(c.iri in self.context for c in p.concepts))]
        if not parts:
            parts = list(u.parts)  # the scene is all there is: it is the question
        df = {p: len(meets[p]) for p in parts}
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
        masks = {p: table.mask(meets[p]) for p in u.parts}
        slot_weight = {s: math.log(1 + n / (np.count_nonzero(np.logical_or.reduce([masks[p] for p in ps])) + 0.5))
                       for s, ps in slots.items()}
        total = sum(slot_weight.values()) or 1.0
        topic_slots = [s for s in slots if s in TOPIC_SCHEMES]

        def score(credit: dict[Part, float]) -> float | None:
            met = {}
            for slot, ps in slots.items():
                best = max((weight[p] * credit[p] for p in ps), default=0.0)
                if best:
                    met[slot] = best / max(weight[p] for p in ps)
            if topic_slots and not set(met) & set(topic_slots):
                return None  # an action alone does not answer a question about a thing
            return sum(slot_weight[s] * v for s, v in met.items()) / total

        groups = []  # (value, role, duties): every duty of a group scores the same
        for credit, duties in _alike(np.logical_or.reduce(list(masks.values())), parts, masks, table):
            value = score(credit)
            if value is None:
                continue
            for role, chosen in _by_role(duties, table):
                groups.append((value * ROLE_WEIGHT.get(role, 0.7), role, chosen))
        response["answers"], response["total"] = self._rank_groups(groups, u)
        if not response["answers"]:
            response["understood"] = "No duty in the plan covers enough of the question."
        return response

    def _rank_groups(self, groups: list[tuple[float, str, set[int]]], u: Understanding) -> tuple[list[dict], int]:
        """``_rank`` for duties of the table in groups of equal value: each unit's best value, number
        of matching duties and score by set operations (thousands of units across many plans score
        alike), evidence for the units shown only."""
        table = self.table
        order = {role: i for i, role in enumerate(ROLE_WEIGHT)}
        groups.sort(key=lambda g: (-g[0], order.get(g[1], len(order)), g[1]))
        units_count = len(table.units)
        seen = np.zeros(units_count, dtype=bool)
        firsts = []  # (value, role, the units whose best duty is of this value and role)
        matching = np.zeros(units_count, dtype=np.int64)  # unit → how many of its duties match
        for value, role, duties in groups:
            numbers = np.flatnonzero(duties)
            counts = np.bincount(table.unit_array[numbers], minlength=units_count)
            for duty in numbers[table.several[numbers]].tolist():
                counts[list(table.more_units[duty])] += 1
            matching += counts
            if (new := (counts > 0) & ~seen).any():
                firsts.append((value, role, new))
                seen |= new
        if not seen.any():
            return [], 0
        # more matching duties: a little more responsible, up to 10 %
        twice, thrice = matching == 2, matching >= 3
        by_score: dict[float, list[tuple[str, np.ndarray]]] = {}
        for value, role, new in firsts:
            for units, n in ((new & thrice, 3), (new & twice, 2), (new & ~thrice & ~twice, 1)):
                if units.any():
                    by_score.setdefault(value * (0.9 + 0.1 * n / 3), []).append((role, units))
        floor = max(MIN_SCORE, KEEP_RATIO * max(by_score))
        qualified = sorted((score for score in by_score if score >= floor), reverse=True)
        total = sum(int(np.count_nonzero(units)) for score in qualified for _, units in by_score[score])

        # across many plans: the best ones (by name among equals), evidence and highlights for those only
        shown: list[tuple[int, float, str]] = []
        for score in qualified:
            wanted = MAX_ANSWERS - len(shown)
            if wanted <= 0:
                break
            entries = by_score[score]  # (role, units): a unit is in one of them (it is in one of ``firsts``)
            candidates = np.flatnonzero(np.logical_or.reduce([units for _, units in entries]))
            ranks = self._name_rank[candidates]
            if len(candidates) > wanted:
                candidates = candidates[np.argpartition(ranks, wanted - 1)[:wanted]]
                ranks = self._name_rank[candidates]
            for unit in candidates[np.argsort(ranks)].tolist():
                shown.append((unit, score, next(role for role, units in entries if units[unit])))
        value_of = np.full(len(table), np.nan)
        for value, _, duties in groups:
            value_of[duties] = value
        kept = []
        for unit, score, role in shown:
            zh, en = self._label(table.units[unit])
            evidence = []
            for duty in table.duties_of.get(unit, ()):
                value = float(value_of[duty])
                if not math.isnan(value):  # text, plan and offset from the table, or later from the store
                    evidence.append((value, {"duty": table.duties[duty], "role": table.role_iri(duty),
                                             **(table.evidence(duty) or {})}))
            kept.append({"unit": table.units[unit], "label_zh": zh, "label_en": en, "score": score,
                         "role": role, "evidence": evidence})
        return self._present(kept, u), total

    @cached_property
    def _name_rank(self) -> np.ndarray:
        """unit number → its place in the order of (Chinese label, IRI): how equal scores are shown."""
        units = self.table.units
        rank = np.zeros(len(units), dtype=np.int64)
        rank[sorted(range(len(units)), key=lambda u: (self._label(units[u])[0], units[u]))] = np.arange(len(units))
        return rank

    def _label(self, unit: str) -> tuple[str, str]:
        """A unit's (Chinese, English) labels; the end of its IRI when it has none."""
        return self.labels.get(unit) or (unit.rsplit("/", 1)[-1],) * 2

    def warm(self) -> None:
        """Read now what the first question would wait for."""
        self.thesaurus.warm()
        self.context, self._name_rank  # noqa: B018

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
                zh, en = self._label(unit)
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
        kept.sort(key=lambda e: (-e["score"], e["label_zh"], e["unit"]))  # one name in many places: by IRI
        return self._present(kept[:MAX_ANSWERS], u, words), len(kept)

    def _present(self, kept: list[dict], u: Understanding, words: list[str] | None = None) -> list[dict]:
        """The units shown, their evidence read from the store, sorted, with highlights."""
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
        return kept

    def _fill_evidence(self, duties: list[dict]) -> None:
        """Text, plan and offset of the duties that are shown (the keyword path has them already)."""
        missing: dict[str, list[dict]] = {}
        for duty in duties:
            if "text" not in duty:
                missing.setdefault(duty["duty"], []).append(duty)
        if missing:
            query = EVIDENCE_QUERY.format(duties=" ".join(_iri(iri) for iri in sorted(missing)))
            for row in _select(self.store, query):
                for duty in missing[row["duty"]]:
                    duty.update(row)

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
            spans += [span for iri, span in self._concept_spans(text) if iri in relevant]
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        return merged

    def _find_spans(self, text: str) -> tuple[tuple[str, tuple[int, int]], ...]:
        """Where the thesaurus finds its concepts in a duty's text (``_concept_spans`` remembers it
        per Asker, i.e. per build, for the clauses that recur across plans and answers)."""
        return tuple((m.concept.iri, m.text_span) for scheme in ("object", "issue", "action")
                     for m in self.thesaurus.find(text, scheme))
