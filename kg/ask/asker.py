"""Questions → concepts and words → ranked units with their role and evidence (docs/ask.md).

``understand`` strips the "who handles / 归谁管" cues and links the rest to thesaurus concepts
(Chinese on jieba word boundaries, English after stemming). The question becomes slots
(kg/ask/question.py): each concept with everything narrower and related, and the words of the
question, English ones bridged to the Chinese words plans use (kg/ask/bridge.py). Every clause of
the chosen plans is scored against the slots (kg/ask/retrieval.py: IDF-weighted, partial matches
ranked), and units are ranked by their best clauses: the share of the question met first, then a
lead before a joint partner before a supporter. An answer below ``STRONG`` is marked weak; one
below ``MIN_SCORE`` is not given. A concept no clause names, or a question most of whose words are
in no plan, gets no unit and says what was understood; a question that names a unit gets that
unit's duties.

The clauses and their concepts come from the build's duty table (kg/search/postings.py: the answer to
``DUTY_QUERY``, shown with every answer, as posting lists); scoring works over the whole table in
NumPy, not duty by duty: across a thousand plans a question meets tens of thousands of duties. Only
the evidence shown (the best units' duties) is then read from the store.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping
from functools import cached_property, lru_cache

import numpy as np
import pyoxigraph as ox

from ..extraction.thesaurus import Thesaurus
from ..search.postings import OTHER_ROLE, ROLE_NAMES, DutyTable
from ..search.searcher import Searcher
from ..text import fold_width, jieba_with
from ..vocab import PREFIXES
from .bridge import Bridge
from .question import Understanding, concept_slots, covered, question_slots, understand
from .retrieval import asked, information, score_clauses, together

ROLE_WEIGHT = {"lead": 1.0, "joint": 0.9, "support": 0.75}
TOGETHER = 0.9  # a unit's answering clauses together count for this share of what they meet
KEEP_RATIO = 0.7  # a unit is an answer when its score reaches this share of the best unit's
MIN_SCORE = 0.35  # and meets at least a third of what the question's understood words and concepts weigh
# What a clause meets must tell it apart: at least what a word held by a fifth of the duties weighs
# ("what is the weather like?" of a heavy-pollution plan meets 天气 in every clause: no answer).
MIN_INFORMATION = math.log(5)
# A question most of whose words are in no plan (more than this many for each word that is) asks
# about something else: "where can I adopt a dog lost in the flood?"
UNKNOWN_RATIO = 3
CLAUSE_CREDIT = 0.9  # a clause that holds the question's words, without a concept: a little less sure
MIN_COVERAGE = 0.5  # and it must hold at least half of what the question's words weigh
STRONG = 0.75  # an answer at or above this score is "strong", below it "weak"
SPAN_MEMO = 8192  # duty texts whose concept spans are remembered (least recently used out first)
MAX_ANSWERS = 50  # units listed in one answer; "total" says how many qualified


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


def re_cjk(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))


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


def word_finder(words: Iterable[str]) -> re.Pattern | None:
    """One pattern for all the question's words: at every place any of them starts, the longest one
    starting there (a zero-width lookahead, so overlapping words are all found)."""
    folded = sorted({fold_width(w).lower() for w in words if w}, key=len, reverse=True)
    return re.compile("(?=(" + "|".join(map(re.escape, folded)) + "))") if folded else None


def word_spans(text: str, finder: re.Pattern | None) -> list[tuple[int, int]]:
    """Where the words of ``word_finder`` occur in ``text`` (width-folded, any case)."""
    if finder is None:
        return []
    return [(m.start(), m.start() + len(m.group(1))) for m in finder.finditer(fold_width(text).lower())]


def abbreviates(short: str, name: str) -> bool:
    """Whether ``short`` is a Chinese short form of ``name``: four characters or more, the same first
    and last, the rest in order with some left out, as Chinese names are shortened (辽宁移动沈阳分公司
    of 辽宁移动通讯有限责任公司沈阳分公司, 市安监局 of 市安全生产监督管理局)."""
    if len(short) < 4 or len(short) >= len(name) or not re_cjk(short) or short[0] != name[0] or short[-1] != name[-1]:
        return False
    rest = iter(name)
    return all(char in rest for char in short)


def _role(iri: str) -> str:
    return iri.rsplit("#", 1)[-1]


def _by_role(duties: np.ndarray, table: DutyTable) -> Iterator[tuple[str, np.ndarray]]:
    """``duties`` (numbers) split by role name (lead, joint, support, or the name of a role IRI
    outside them), in that order."""
    roles = table.role_array[duties]
    for position in np.unique(roles).tolist():
        chosen = duties[roles == position]
        if position < OTHER_ROLE:
            yield ROLE_NAMES[position], chosen
            continue
        other: dict[str, list[int]] = {}
        for duty in chosen.tolist():
            other.setdefault(_role(table.role_iri(duty)), []).append(duty)
        for name, numbers in other.items():
            yield name, np.array(numbers, dtype=np.int64)


class Asker:
    """``labels``: every organisation's (zh, en) labels, read once by the service; ``table``: the
    build's duty table (kg/search/postings.py); ``scenes``: each plan's scene (``scenes``), which the
    service's overlap views read too; ``bridge``: English words to the plans' Chinese words
    (kg/ask/bridge.py), or None for Chinese only; ``agencies``: each unit's agency type."""

    def __init__(self, store: ox.Store, thesaurus: Thesaurus, searcher: Searcher | None,
                 labels: Mapping[str, tuple[str, str]], table: DutyTable, scenes: Mapping[str, frozenset[str]],
                 bridge: Bridge | None = None, agencies: Mapping[str, str] | None = None):
        self.store = store
        self.thesaurus = thesaurus
        self.searcher = searcher
        self.labels = labels
        self.table = table
        self.scenes = scenes
        self.bridge = bridge
        self.agencies = agencies or {}
        self._concept_spans = lru_cache(maxsize=SPAN_MEMO)(self._find_spans)
        # questions are cut into words as the clauses were: with the thesaurus's labels whole
        jieba_with(thesaurus.zh_labels)

    @property
    def total_duties(self) -> int:
        """Duties that can answer (not boilerplate, assigned): how rare a concept is is counted in these."""
        return len(self.table)

    def known(self, word: str) -> bool:
        """Whether some clause of the plans holds ``word`` (the words a question can be matched by)."""
        return word in self.table.by_word

    def ask(self, question: str, plans: list[str] | None = None) -> dict:
        """Who handles it; ``plans``: plan IRIs to answer from (default: every plan)."""
        u = understand(question, self.thesaurus, self.bridge, self.known)
        among = self.table.of_plans(plans) if plans else None
        if u.unit:
            found = self._about_unit(u, among)
            if found["answers"]:
                return found
            u.unit = ""  # no such unit: the question is asked as any other
        # "during a smog alert" sets the scene of a question about a heavy-pollution plan: it does
        # not pick a unit, unless it is all the question says
        context = frozenset().union(*(self.scenes.get(p, frozenset()) for p in plans)) if plans else self.context
        parts = [p for p in u.parts if not (p.topic and all(c.iri in context for c in p.concepts))]
        slots = question_slots(u, parts, self.known)
        if not parts and not any(s.understood for s in slots):
            parts = list(u.parts)  # the scene is all the question says: it is the question
            slots = question_slots(u, parts, self.known)
        concepts = " ".join(_iri(c) for c in sorted(set().union(*(p.expanded for p in parts))))
        response = self._response(u, DUTY_QUERY.format(concepts=concepts) if parts else "",
                                  "concepts" if parts else "words")
        if not any(s.understood for s in slots):
            response["understood"] = ("No concept of the plans' vocabulary and no word of their clauses was "
                                      "recognised in the question.")
            response["understood_zh"] = "问题中没有识别出预案词表中的概念，也没有预案条款中的词语。"
            return self._honest(response, u)
        scored = score_clauses(self.table, slots, among)
        absent = {slot.text for slot in slots if slot.key in scored.unmet and slot.direct}
        for concept in response["concepts"]:  # what the question names that no clause of the plans does
            concept["in_plans"] = concept["matched"] not in absent
        # A thing no clause of the plans names or words means the plans do not answer, unless the
        # rest of the question, met, weighs more than it ("who treats the injured after a motorway
        # pile-up?" of a plan that never says motorway).
        slot_of = {s.key: s for s in slots}
        unmet = [slot_of[k] for k in scored.unmet if slot_of[k].direct]
        met_weight = sum(w for k, w in scored.weight.items() if k not in scored.unmet)
        if unmet and met_weight > sum(scored.weight[s.key] for s in unmet):
            unmet = []
        if unmet or not met_weight:
            names = "、".join(s.text for s in unmet) or "、".join(s.text for s in slots)
            english = ", ".join(c.pref_en for p in parts for c in p.concepts if p.text in names) or names
            response["understood"] = f"No duty in the plans concerns {english} ({names})."
            response["understood_zh"] = f"预案中没有关于{names}的职责。"
            return self._honest(response, u)
        # Most of what the question says is in no plan: what is left would answer another question.
        unknown = u.not_understood
        if len(unknown) > UNKNOWN_RATIO * len([s for s in slots if s.key not in scored.unmet and scored.weight.get(s.key)]):
            response["understood"] = (f"Most of the question's words ({', '.join(unknown)}) are in no plan's duties; "
                                      "it seems to ask about something the plans do not cover.")
            response["understood_zh"] = f"问题中的大部分词语（{'、'.join(unknown)}）不见于任何预案的职责，似乎问的是预案未涉及的事。"
            return self._honest(response, u)
        response["words"] = [{"text": s.text, "weight": round(scored.weight[s.key], 3),
                              "matched": sorted(s.words, key=lambda w: -s.words[w])[:6]}
                             for s in slots if s.key.startswith("w:")]
        score = scored.score if among is None else np.where(among, scored.score, 0.0)
        score = np.where(information(scored) >= MIN_INFORMATION, score, 0.0)
        about = frozenset(s.key for s in slots if s.topic or s.key.startswith("w:"))
        score = together(self.table, scored, score, TOGETHER, MIN_SCORE, about)
        if (answering := asked(slots, scored)) is not None:
            score = np.where(answering, score, 0.0)
        # the duties that may answer, by score (to two places) and role: a share of the table (at 1,000
        # plans 1,500-29,000 of its 130,800 duties), so the steps below work on their numbers
        steps = np.round(score, 2)
        candidates = np.flatnonzero(steps >= MIN_SCORE)
        steps = steps[candidates]
        groups = []
        for step in np.unique(steps).tolist():
            for role, chosen in _by_role(candidates[steps == step], self.table):
                groups.append((step * ROLE_WEIGHT.get(role, 0.7), role, chosen))
        if groups:
            response["answers"], response["total"] = self._rank_groups(groups, u, slots)
        if not response["answers"]:
            response["understood"] = ("No duty in the plans covers enough of the question, or what it asks is "
                                      "too general to tell the units apart.")
            response["understood_zh"] = "预案中没有职责足够符合这个问题，或问题太笼统，无法区分各单位。"
        return self._honest(response, u)

    @cached_property
    def context(self) -> frozenset[str]:
        """The scenes of every plan: "during a smog alert" sets the scene of a question, it does not
        pick a unit."""
        return frozenset().union(*self.scenes.values())

    # ------------------------------------------------------------------ a unit's duties

    def _about_unit(self, u: Understanding, among: np.ndarray | None) -> dict:
        """"市公安局负责什么？": the unit's duties, grouped by action."""
        response = self._response(u, "", "unit")
        units = self._units_named(u.unit, among)
        if not units:
            response["understood"] = f"No unit named {u.unit} in the plans."
            response["understood_zh"] = f"预案中没有名为{u.unit}的单位。"
            return response
        table = self.table
        # "what is the police responsible for in dust control?": its duties on that, if it has any
        name = fold_width(u.unit).lower()
        rest = [s for s in u.slots if s.understood and s.text.lower() not in name and name not in s.text.lower()
                and s.text.lower() not in ("do", "duties", "responsible", "task", "tasks")]
        parts = [p for p in u.parts if p.text.lower() not in name]
        on_topic = score_clauses(table, concept_slots(parts, self.known) + rest, among).score if parts or rest else None
        kept = []
        for unit in units[:MAX_ANSWERS]:
            number = table.units.index(unit)
            duties = [d for d in table.duties_of.get(number, []) if among is None or among[d]]
            if on_topic is not None and any(on_topic[d] > 0 for d in duties):
                duties = [d for d in duties if on_topic[d] > 0]
            zh, en = self._label(unit)
            evidence = [(1.0, {"duty": table.duties[d], "role": table.role_iri(d), **(table.evidence(d) or {})})
                        for d in duties]
            kept.append({"unit": unit, "label_zh": zh, "label_en": en, "score": 1.0, "role": "lead",
                         "evidence": evidence, "by_action": self._by_action(duties)})
        response["answers"] = self._present(kept, u)
        response["total"] = len(units)
        return response

    def _units_named(self, name: str, among: np.ndarray | None) -> list[str]:
        """Units whose Chinese label is ``name`` (or whose English label is), else whose Chinese label
        it shortens (``abbreviates``), else those of the agency type ``name`` names (公安局, "commerce
        bureau"), else whose English label contains it; only units of ``among``'s plans."""
        table = self.table
        in_plans = set(range(len(table.units)))
        if among is not None:
            in_plans = {u for d in np.flatnonzero(among).tolist() for u in table.units_of(d)}
        candidates = [table.units[i] for i in sorted(in_plans)]
        folded = fold_width(name).lower().strip()
        chinese = {u: fold_width(self._label(u)[0]) for u in candidates}
        exact = [u for u in candidates if chinese[u] == folded or self._label(u)[1].lower() == folded]
        if exact:
            return sorted(exact, key=lambda u: self._label(u))
        # a short form (辽宁移动沈阳分公司 for 辽宁移动通讯有限责任公司沈阳分公司)
        short = [u for u in candidates if abbreviates(folded, chinese[u])]
        if short:
            return sorted(short, key=lambda u: self._label(u))
        agency = self.thesaurus.agency_for(folded) if re_cjk(folded) else self._agency_en(folded)
        if agency is not None:
            kind = agency[0].iri
            typed = [u for u in candidates if self.agencies.get(u) == kind]
            if typed:
                return sorted(typed, key=lambda u: self._label(u))
        return sorted((u for u in candidates if folded and folded in self._label(u)[1].lower()),
                      key=lambda u: self._label(u))

    def _agency_en(self, text: str):
        for concept in self.thesaurus.in_scheme("agency"):
            for label in (concept.pref_en, *concept.labels_en):
                if label and label.lower() in text:
                    return concept, label
        return None

    def _by_action(self, duties: list[int]) -> list[dict]:
        """A unit's duties by action concept (the most specific the clause names), for its answer."""
        table = self.table
        actions_of: dict[int, list[str]] = {}
        for concept, numbers in table.by_concept.items():
            if "/action/" in concept:
                for d in numbers:
                    actions_of.setdefault(d, []).append(concept)
        grouped: dict[str, list[str]] = {}
        for d in duties:
            for concept in actions_of.get(d, ["other"]):
                grouped.setdefault(concept, []).append(table.duties[d])
        out = []
        for concept, iris in sorted(grouped.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            c = self.thesaurus.concepts.get(concept)
            out.append({"action": concept if c else "", "label_zh": c.pref_zh if c else "其他",
                        "label_en": c.pref_en if c else "other", "duties": iris})
        return out

    def _rank_groups(self, groups: list[tuple[float, str, np.ndarray]], u: Understanding,
                     slots=None) -> tuple[list[dict], int]:
        """The units answering, ranked, and how many qualified, from duties of the table in groups
        (their numbers) of equal value and role: each unit's best value, number of matching duties and
        score by set operations (thousands of units across many plans score alike), evidence for the
        units shown only."""
        table = self.table
        order = {role: i for i, role in enumerate(ROLE_WEIGHT)}
        groups.sort(key=lambda g: (-g[0], order.get(g[1], len(order)), g[1]))
        units_count = len(table.units)
        seen = np.zeros(units_count, dtype=bool)
        firsts = []  # (value, role, the units whose best duty is of this value and role)
        matching = np.zeros(units_count, dtype=np.int64)  # unit → how many of its duties match
        for value, role, duties in groups:
            counts = np.bincount(table.assignments(duties)[1], minlength=units_count)
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
        for value, _, duties in reversed(groups):  # ascending, so a duty keeps its best value
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
        return self._present(kept, u, slots), total

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
        self.context, self._name_rank, self.table.length_array, self.table.plan_array  # noqa: B018

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
                    "scene": p.context,  # named only where the question sets the scene
                    "in_plans": True,
                }
                for p in u.parts
                for c in p.concepts
            ],
            "words": [{"text": s.text, "matched": sorted(s.words, key=lambda w: -s.words[w])[:6]} for s in u.slots],
            "not_understood": u.not_understood,
            "unit_asked": u.unit,
            "answers": [],
            "total": 0,
            "method": method,
            "sparql": runnable(query) if query else "",
        }

    def _honest(self, response: dict, u: Understanding) -> dict:
        """Each answer says how sure it is: "strong" when it meets what the question asks in a
        concept or most of its words, "weak" otherwise; words nobody's clause holds lower it."""
        words = [s for s in u.slots if not covered(u.parts, s.text)]
        missing = len([s for s in words if not s.understood])
        share = 1.0 - 0.5 * missing / max(1, len(words) + len(u.parts))
        for answer in response["answers"]:
            answer["confidence"] = round(answer["score"] * share, 3) if response["method"] != "unit" else 1.0
            answer["strength"] = "strong" if answer["confidence"] >= STRONG else "weak"
        return response

    def _present(self, kept: list[dict], u: Understanding, slots=None) -> list[dict]:
        """The units shown, their evidence read from the store, sorted, with highlights: the
        question's concepts and the clause words that met its words."""
        self._fill_evidence([duty for entry in kept for _, duty in entry["evidence"]])
        relevant = self._relevant(u)
        # longest first (a word inside another is found inside it), then by text: the same order in every process
        words = sorted({w for s in (slots or u.slots) for w in s.words}, key=lambda w: (-len(w), w))
        finder = word_finder(words)
        marks: dict[str, tuple[list[list[int]], dict]] = {}  # per clause text: one answer shows it across plans
        for entry in kept:
            entry["score"] = round(entry["score"], 3)
            entry["evidence"] = [
                self._evidence(duty, relevant, finder, words, marks)
                for _, duty in sorted(entry["evidence"], key=lambda e: (-e[0], e[1]["duty"]))
            ]
        return kept

    def _evidence(self, duty: dict, relevant: set[str], finder: re.Pattern | None, words: list[str],
                  marks: dict[str, tuple[list[list[int]], dict]]) -> dict:
        """One clause as an answer shows it, with what of the question it meets, found once per text
        (``marks``: the same clause recurs in plan after plan)."""
        text = duty["text"]
        if text not in marks:
            found = [(iri, span) for iri, span in self._concept_spans(text) if iri in relevant]
            marks[text] = (self._highlight(text, found, finder), self._matched(text, found, words))
        highlight, matched = marks[text]
        return {"duty": duty["duty"], "text": text, "role": _role(duty["role"]), "plan": duty["plan"],
                "start": int(duty["start"]), "highlight": highlight, "matched": matched}

    def _matched(self, text: str, found: list[tuple[str, tuple[int, int]]], words: list[str]) -> dict:
        """What of the question a clause meets: concepts (their keys) and words."""
        concepts = sorted({self.thesaurus.concepts[iri].ref for iri, _ in found if iri in self.thesaurus.concepts})
        folded = fold_width(text)
        return {"concepts": concepts, "words": [w for w in words if w in folded]}

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

    def _highlight(self, text: str, found: list[tuple[str, tuple[int, int]]], finder: re.Pattern | None) -> list[list[int]]:
        spans: list[tuple[int, int]] = [span for _, span in found]
        spans += word_spans(text, finder)
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        return merged

    def _find_spans(self, text: str) -> tuple[tuple[str, tuple[int, int]], ...]:
        """Where the thesaurus finds its concepts in a duty's text (``_concept_spans`` remembers it
        per Asker, i.e. per build, for the clauses that recur across plans and answers: one lookup for
        the three schemes; with ``Thesaurus.find``'s memo alone a question took about 0.8 ms more)."""
        return tuple((m.concept.iri, m.text_span) for scheme in ("object", "issue", "action")
                     for m in self.thesaurus.find(text, scheme))
