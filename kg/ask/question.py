"""A question → what it asks about: thesaurus concepts, the words to rank clauses by, and a unit.

``understand`` strips the "who handles / 归谁管" cues and finds, in what is left:

- **concepts** (``Part``): thesaurus labels, Chinese on jieba word boundaries, English after
  stemming; each with everything narrower and related (渣土车 ⊂ 车辆);
- **words** (``Slot``): every content word of the question, for ranking the clauses themselves
  (kg/ask/retrieval.py). A Chinese word stands for itself and the words jieba finds inside it; an
  English word (or phrase: "power cut") for the Chinese words CC-CEDICT gives it that the plans use
  (kg/ask/bridge.py), and for the Chinese labels of a concept it names. A word that nothing in the
  plans matches is kept as not understood, and lowers the answer's confidence;
- **a unit** the question is about ("市公安局负责什么？", "what does the commerce bureau do?").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ..extraction.thesaurus import Concept, Match, Thesaurus
from ..text import CJK, fold_width, jieba_with
from .bridge import Bridge

TOPIC_SCHEMES = ("object", "issue")
RELATED_CREDIT = 0.7  # 渣土运输核准 answers a question about 渣土车, but less than 渣土车 itself
INNER_WEIGHT = 0.6  # 工地 inside 施工工地: a clause with the part only meets the word in part
MERGED_WEIGHT = 0.7  # 警示 for "warning", besides the concept 预警: a translation, not the concept

# The bodies an English question asks for ("which department", "what agencies").
EN_BODIES = (r"department|departments|unit|units|agency|agencies|bureau|bureaus|office|authority|authorities|body|"
             r"bodies|organi[sz]ation|organi[sz]ations|government")
# Question cues carry no concept: "who handles", "which department is in charge of", "归谁管", "找谁".
EN_CUES = re.compile(
    r"\b(?:who|whom|which|what|whose)\b(?:\s+(?:is|are|was|should|do|does|can|will|would|i|we|one|be|the|"
    rf"{EN_BODIES}|in|of|for|to|about|regarding|on|with|charge|"
    r"responsible|accountable|tasked|handles?|handling|deals?|dealing|takes?|care|looks?|after|manages?|"
    r"oversees?|oversight|call|contact|ask|report|complain|talk|leads?|has|have|duty|job|role|"
    r"responsibility|responsibilities))*\b",
    re.IGNORECASE,
)
EN_FILLER = re.compile(
    r"\b(?:please|tell me|i want to know|in the plan|the|a|an|is|are|of|for|about|with|and|or|to|in|on|at|"
    r"by|during)\b|[?!.,;:]",
    re.IGNORECASE,
)
# A one-character cue verb (管, 抓, 问) ends the cue only where no Chinese character follows it:
# "谁来管？" asks who, "谁来管制…", "谁来管控…", "谁问责？" ask about 管制, 管控, 问责.
_ALONE = r"(?![\u4e00-\u9fff])"
ZH_CUES = re.compile(
    r"(?:请问|我想知道|想问一下|想问|是|由|归|找|问|向|打给|联系|反映|投诉|举报)?"
    r"(?:哪个|哪些|哪一个|什么|哪家|啥)?(?:部门|单位|机关|机构|政府部门)?"
    r"(?:谁|哪个部门|哪个单位|哪些部门|哪些单位|什么部门|什么单位)"
    rf"(?:来|去|在|主要|具体|应该|应当|该)?(?:负责|管理|管{_ALONE}|主管|处理|牵头|承担|分管|监管|抓{_ALONE}|问{_ALONE})?(?:的)?"
    rf"|(?:归|由)(?:谁|哪个部门|哪个单位)(?:管{_ALONE}|负责)?|(?:谁|哪个部门|哪个单位)(?:负责|管{_ALONE})"
    r"|(?:出了问题|有问题)(?:找|打给|联系)?|[？?！!。，,、]|(?:呢|吗|啊|呀)$"
)
# Words of a Chinese question that frame it rather than say what it is about.
ZH_FRAME = frozenset(
    "问题 情况 事情 怎么办 怎么 如何 哪里 什么 为什么 应该 应当 需要 可以 能够 出现 发生 我们 我家 我的 自己 附近 这个 那个 "
    "这些 那些 一个 没有 有人 别人 大家 时候 的话 一下 现在 今天 这种 那种 还是 或者 以及 如果 是否 负责 管理 主管 处理 "
    "部门 单位 机构 政府 哪个 哪些 谁来 谁管 归谁".split()
)
# "市公安局负责什么？", "市公安局的职责", "what does the commerce bureau do?", "duties of …"
ZH_UNIT_ASK = re.compile(r"(?:负责|管|干|做|承担)(?:些)?(?:什么|哪些|啥)|(?:的)?(?:职责|任务|分工)(?:是什么|有哪些|是啥)?$|"
                         r"(?:有哪些|有什么)(?:职责|任务)")
EN_UNIT_ASK = re.compile(r"\bwhat\s+(?:does|do|is|are|should|must|will)\s+(?:the\s+)?(?P<unit>.+?)\s+"
                         r"(?:do|in charge of|responsible for|handle|take care of|have to do)\b|"
                         r"\b(?:duties|tasks|responsibilities|job|role)\s+of\s+(?:the\s+)?(?P<unit2>.+?)$|"
                         r"^(?:the\s+)?(?P<unit3>.+?)(?:'s|’s)\s+(?:duties|tasks|responsibilities|job|role)\b",
                         re.IGNORECASE)


@dataclass(frozen=True)
class Part:
    """One thing the question is about: the concepts linked at one place in the question."""

    text: str
    concepts: tuple[Concept, ...]
    expanded: frozenset[str]  # the concepts, everything narrower, and things related to those
    direct: frozenset[str] = frozenset()  # the concepts and everything narrower
    context: bool = False  # named only where the question sets the scene, not where it asks
    span: tuple[int, int] = (0, 0)  # where in the question's content

    @property
    def topic(self) -> bool:
        return any(c.scheme in TOPIC_SCHEMES for c in self.concepts)


@dataclass(frozen=True)
class Slot:
    """One thing the question asks (kg/ask/retrieval.py scores clauses against it): concepts a
    clause may name (``direct``: the concepts and everything narrower; ``related``: things related
    to those) and words it may hold, each with a weight (1.0: the word itself)."""

    key: str
    text: str
    words: dict[str, float] = field(default_factory=dict)
    direct: frozenset[str] = frozenset()
    related: frozenset[str] = frozenset()
    topic: bool = False  # what the question is about (objects or issues), not an action
    thing: bool = False  # objects only: a clause must meet the things a question asks about
    backup: dict[str, float] = field(default_factory=dict)  # words to try when nothing else meets it
    context: bool = False  # from where the question sets the scene ("Hail wrecked our crops. Who helps…")
    parts: tuple[str, ...] = ()  # the texts of the question's places it stands for (concept slots)
    group: int = 0  # which of the question's conjoined requests it is in ("病人救护和人间疫情监测": 0, 1)

    @property
    def understood(self) -> bool:
        return bool(self.words or self.direct or self.backup)


@dataclass
class Understanding:
    question: str
    language: str
    content: str  # the question without its cue words
    parts: list[Part] = field(default_factory=list)
    slots: list[Slot] = field(default_factory=list)
    unit: str = ""  # the name of the unit the question asks about ("" when it asks who)

    @property
    def not_understood(self) -> list[str]:
        """The question's words that neither a concept nor any clause's words match."""
        return [s.text for s in self.slots if not s.understood and not covered(self.parts, s.text)]


def covered(parts: list[Part], text: str) -> bool:
    """Whether a word of the question is (part of) a place where a concept was found."""
    low = text.lower()
    return any(low in p.text.lower() or p.text.lower() in low for p in parts)


def strip_cues(question: str) -> tuple[str, str]:
    folded = fold_width(question).strip()
    if re.search(f"[{CJK}]", folded):
        return "zh", ZH_CUES.sub(" ", folded).strip()
    content = EN_FILLER.sub(" ", EN_CUES.sub(" ", folded))
    return "en", re.sub(r"\s+", " ", content).strip()


def link_concepts(content: str, thesaurus: Thesaurus) -> list[Part]:
    matches: list[Match] = []
    for scheme in ("object", "issue", "action"):
        matches.extend(thesaurus.find_words(content, scheme))
    by_span: dict[tuple[int, int], list[Concept]] = {}
    for m in sorted(matches, key=lambda m: (m.start, -(m.end - m.start))):
        if any(s[0] <= m.start and m.end <= s[1] and s != (m.start, m.end) for s in by_span):
            continue  # a shorter label inside a longer one ("alert" in "smog alert"): the longer is meant
        by_span.setdefault((m.start, m.end), []).append(m.concept)
    return [Part(content[start:end], *_closures(tuple(dict.fromkeys(concepts)), thesaurus), span=(start, end))
            for (start, end), concepts in sorted(by_span.items())]


def _closures(concepts: tuple[Concept, ...],
              thesaurus: Thesaurus) -> tuple[tuple[Concept, ...], frozenset[str], frozenset[str]]:
    """A place's concepts, what a question about them is also about (``Thesaurus.expand``) and the
    concepts with everything narrower: the fields of ``Part`` after its text."""
    expanded = frozenset().union(*(thesaurus.expand(c.iri) for c in concepts))
    direct = frozenset().union(*(thesaurus.narrower_closure(c.iri) for c in concepts))
    return concepts, expanded, direct


def chinese_slots(content: str, known: Callable[[str], bool], bridge: Bridge | None = None) -> list[Slot]:
    """A slot per content word of a Chinese question (jieba's words; the words inside a longer word
    stand for it in part; a word the plans never use, for the words CC-CEDICT says mean the same)."""
    jieba = jieba_with()
    slots = []
    for word in jieba.cut(content):
        if len(word) < 2 or not re.fullmatch(f"[{CJK}]+", word) or word in ZH_FRAME:
            continue
        words = {word: 1.0} if known(word) else {}
        for inner in jieba.cut_for_search(word):
            if inner != word and len(inner) >= 2 and inner not in ZH_FRAME and known(inner):
                words.setdefault(inner, INNER_WEIGHT)
        if not words and bridge is not None:
            words = bridge.synonyms(word, known)
        slots.append(Slot(f"w:{word}", word, words))
    return slots


def english_slots(content: str, bridge: Bridge | None, known: Callable[[str], bool]) -> list[Slot]:
    """A slot per English word or phrase: the Chinese words CC-CEDICT gives it that the plans use."""
    return [Slot(f"w:{text.lower()}", text, words) for text, words in (bridge.translate(content, known) if bridge else [])]


def concept_slots(parts: list[Part], known: Callable[[str], bool]) -> list[Slot]:
    """A slot per place in the question where concepts were found, with its concepts, everything
    narrower and related, and the Chinese labels the plans use. Where one word names concepts of
    two schemes ("organises": the action 组织 and the object 组织), or an action's label and a
    thing's share a word ("medical rescue team": the action "medical rescue" and the object "rescue
    team"), it means one of them: either meets it, and it is a thing if one of them is."""
    places: list[list[Part]] = []
    for part in sorted(parts, key=lambda p: p.span):
        last = places[-1] if places else []
        # overlapping labels are one place when one names an action and the other a thing; two
        # things that share a word ("建筑工地扬尘" and "扬尘污染源数据库") are both asked
        if last and part.span[0] < max(p.span[1] for p in last) and any(p.topic != part.topic for p in last):
            last.append(part)
        else:
            places.append([part])
    slots = []
    for i, place in enumerate(places):
        words: dict[str, float] = {}
        for part in place:
            if known(part.text):
                words[part.text] = 1.0
            for concept in part.concepts:
                for label in concept.labels_zh:
                    if known(label):
                        words[label] = 1.0
        schemes = {c.scheme for part in place for c in part.concepts}
        direct = frozenset().union(*(p.direct for p in place))
        expanded = frozenset().union(*(p.expanded for p in place))
        slots.append(Slot(f"c{i}", _joined(place), words, direct, expanded - direct, topic=schemes <= set(TOPIC_SCHEMES),
                          thing="object" in schemes, context=all(p.context for p in place),
                          parts=tuple(p.text for p in place)))
    return slots


def _joined(place: list[Part]) -> str:
    """The text of a place's parts, as one ("medical rescue" + "rescue team" → "medical rescue team")."""
    text, end = "", place[0].span[0]
    for part in place:
        start = part.span[0]
        text += part.text[max(0, end - start):]
        end = max(end, part.span[1])
    return text


def question_slots(u: Understanding, parts: list[Part], known: Callable[[str], bool]) -> list[Slot]:
    """The slots a question is scored by: one per concept of ``parts`` (the question's concepts, its
    scene left out), each also holding the words its place in the question translates to ("warning"
    is the action 预警, and the word 警示 of 警示标志); and one per word that no concept covers."""
    slots = concept_slots(parts, known)
    by_part = {p.text.lower(): [s for s in slots if p.text in s.parts] for p in parts}
    out = []
    for word in u.slots:
        low = word.text.lower()
        hosts = [s for text, group in by_part.items() if low in text or text in low for s in group]
        if hosts:
            # the word's translations (English) or its synonyms (Chinese) are the concept's backup:
            # tried when no clause of the plans names the concept ("warning" is 预警; a plan that
            # says 警示标志 still meets it); a thing only by a word that says all of it ("fires" is
            # not "forest fires")
            for host in (h for h in hosts if not h.topic or any(t.lower() in low for t in h.parts)):
                for w, value in word.words.items():
                    if MERGED_WEIGHT * value > host.backup.get(w, 0.0):
                        host.backup[w] = MERGED_WEIGHT * value
        elif not covered(u.parts, word.text):
            out.append(word)
    return _grouped(u, slots + out)


# Words that join two requests of one question ("病人救护和人间疫情监测"; in English "and", "or").
CONJUNCTIONS = frozenset("和 及 以及 并 并且 与 或 或者 同时".split())


def _grouped(u: Understanding, slots: list[Slot]) -> list[Slot]:
    """The slots with the conjoined request each is in: the question's content cut at its
    conjunctions, where what follows and what precedes each name more than actions ("检查和监督渣土车"
    is one request: its verbs share the trucks)."""
    if u.language == "zh":
        text = u.content
        cuts = [start for word, start, _ in jieba_with().tokenize(text) if word in CONJUNCTIONS]
    else:  # the question without its cues, its "and" and "or" still there
        text = EN_CUES.sub(" ", fold_width(u.question)).lower()
        cuts = [m.start() for m in re.finditer(r"\b(?:and|or)\b", text)]
    if not cuts:
        return slots
    at = {s.key: text.find((s.parts[0] if s.parts else s.text).lower()) for s in slots}

    def group(position: int, bounds: list[int]) -> int:
        return sum(1 for c in bounds if position > c)

    def substantive(g: int, bounds: list[int]) -> bool:
        return any(s.topic or s.key.startswith("w:") for s in slots if at[s.key] >= 0 and group(at[s.key], bounds) == g)

    bounds = list(cuts)
    for cut in list(cuts):  # a cut with only actions on one side joins verbs, not requests
        g = bounds.index(cut)
        if not (substantive(g, bounds) and substantive(g + 1, bounds)):
            bounds.remove(cut)
    if not bounds:
        return slots
    return [replace(s, group=group(at[s.key], bounds)) if at[s.key] >= 0 else s for s in slots]


def understand(question: str, thesaurus: Thesaurus, bridge: Bridge | None = None,
               known: Callable[[str], bool] = lambda w: False) -> Understanding:
    language, content = strip_cues(question)
    parts = link_concepts(content, thesaurus)
    if language == "en":
        parts = _verbs_as_verbs(parts, predicates(question), thesaurus)
    u = Understanding(question, language, content, parts)
    asking = asking_clauses(question)
    if asking:
        u.parts = [replace(p, context=not any(_inside(p.text, c) for c in asking)) for p in u.parts]
    u.unit = asked_unit(question, language)
    u.slots = chinese_slots(content, known, bridge) if language == "zh" else english_slots(content, bridge, known)
    if language == "zh" and re.search(r"[A-Za-z]{3,}", content):  # English words in a Chinese question
        english = " ".join(re.findall(r"[A-Za-z][A-Za-z'-]*", content))
        u.slots += english_slots(english, bridge, known)
    return u


# An English question's predicate: the word after "who" or "which department", past an auxiliary or
# an adverb ("Who actually measures…", "Which office should check…", "Who is getting…").
_PREDICATE = re.compile(
    rf"\b(?:who|(?:which|what)\s+(?:[a-z-]+\s+)?(?:{EN_BODIES}|teams?|groups?))\s+(?:(?:is|are|should|will|would|"
    r"can|could|must|does|do|has to|have to|is going to|are going to|[a-z]+ly)\s+)*(?P<verb>[a-z]+)\b",
    re.IGNORECASE)


def predicates(question: str) -> set[str]:
    """The words of an English question that are its predicates ("Who organises medical help…" →
    organises): there a word the thesaurus reads as an action and as a thing is the action."""
    return {m.group("verb").lower() for m in _PREDICATE.finditer(fold_width(question))}


def _verbs_as_verbs(parts: list[Part], verbs: set[str], thesaurus: Thesaurus) -> list[Part]:
    """``parts`` with a predicate's place read only as the action it names ("organises": the action
    组织, not the object 组织, an organisation)."""
    out = []
    for part in parts:
        actions = tuple(c for c in part.concepts if c.scheme == "action")
        if part.text.lower().split()[0] in verbs and actions and len(actions) < len(part.concepts):
            concepts, expanded, direct = _closures(actions, thesaurus)
            part = replace(part, concepts=concepts, expanded=expanded, direct=direct)
        out.append(part)
    return out


# Where a question asks: the sentence or clause with "who", "which", 谁, 哪个… in it.
ASKING = re.compile(r"\b(?:who|whom|whose|which|what|where)\b|谁|哪个|哪些|哪家|哪里|哪儿|什么部门|什么单位", re.IGNORECASE)
CLAUSE_END = re.compile(r"(?<=[?!;。？！；，,])\s*|(?<=\.)\s+")  # not the point of "PM2.5"


def asking_clauses(question: str) -> list[str]:
    """The clauses of a question that ask (lowercased), when others only set the scene ("The forest
    fire is getting close to houses. Who evacuates the residents?", "台风要来了，工地上的工人由谁组织撤离？");
    [] when every clause asks, or the asking ones say nothing but the cue ("…，归谁管？")."""
    folded = fold_width(question)
    clauses = [c.strip().lower() for c in CLAUSE_END.split(folded) if c.strip()]
    asking = [c for c in clauses if ASKING.search(c)]
    if not asking or len(asking) == len(clauses):
        return []
    rest = [strip_cues(c)[1] for c in asking]
    return asking if any(len(r) >= 2 for r in rest) else []


def _inside(text: str, clause: str) -> bool:
    """Whether a place of the question's content lies in ``clause`` (lowercased): its text, or each
    of its English words, as the fillers the content lost ("water truck" of "water by truck")."""
    low = text.lower()
    return low in clause or (low.isascii() and all(re.search(rf"\b{re.escape(w)}\b", clause) for w in low.split()))


def asked_unit(question: str, language: str) -> str:
    """The unit a question asks the duties of ("市公安局负责什么？" → 市公安局; "what does the commerce
    bureau do?" → commerce bureau; "what is the city police (市公安局) responsible for…" → 市公安局), or ""."""
    from ..documents.names import NAME

    folded = fold_width(question).strip().rstrip("?？!！。. ")
    # the name, then perhaps where ("在暴风雪应急里"), then what is asked of it
    found = re.search(rf"(?P<unit>{NAME})(?:[^,，。？?]{{0,16}}?)(?:主要)?(?:的)?(?:{ZH_UNIT_ASK.pattern})", folded)
    if found:
        return found.group("unit")
    found = EN_UNIT_ASK.search(folded)
    if not found:
        return ""
    unit = next(v for v in (found.group("unit"), found.group("unit2"), found.group("unit3")) if v).strip()
    inside = re.search(r"\(([^()]*[\u4e00-\u9fff][^()]*)\)", unit)  # "the city police (市公安局)"
    return inside.group(1).strip() if inside else re.sub(r"\s+", " ", unit)
