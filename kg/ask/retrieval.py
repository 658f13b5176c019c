"""Clauses scored against a question: how much of what it asks each duty's clause meets.

A question is a list of slots (kg/ask/question.py), one per thing it asks: a concept the thesaurus
found there, or a word of the question. A clause meets a slot

- through a concept: it names the slot's concept or something narrower (credit 1.0), or something
  related to it (``RELATED_CREDIT``): 渣土车 meets "vehicles";
- through a word: it holds one of the slot's words: the word itself, a word inside it, or a Chinese
  word an English word may mean, each with its weight, times BM25's term-frequency factor
  (k1 = 1.2, b = 0.3: repeated words saturate, long clauses count a little less).

A slot weighs what it tells apart: its IDF over the clauses that meet it at all, so a rare thing
counts for more than a common one. A clause's score is the weight of what it meets over the weight
of every slot (0..1): partial matches are ranked, not dropped. Where one place of the question names
two concepts (an action and a thing: "medical rescue team") they are one slot, either meets it. A
question about a thing is not answered by a clause that meets only its actions ("who inspects?" of
a question about trucks), unless the thing only sets the scene ("养殖场的猪大批死亡，谁去现场调查
核实？"). All of it is NumPy over the whole table: at 1,000 plans a question meets tens of
thousands of clauses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..search.postings import DutyTable
from .question import RELATED_CREDIT, Slot

K1, B = 1.2, 0.3  # clauses are short and their lengths say little: a light length discount


@dataclass
class Scored:
    score: np.ndarray  # per duty of the table: 0..1, how much of the question its clause meets
    met: dict[str, np.ndarray]  # per slot: how much each duty meets it (0..1)
    weight: dict[str, float]  # per slot: what it weighs
    unmet: list[str]  # the slots no clause meets
    idf: dict[str, float]  # per slot met by some clause: how rare it is among the duties ranked


def _word_factor(table: DutyTable, word: str, norm: np.ndarray) -> np.ndarray | None:
    postings = table.word_postings(word)
    if not len(postings):
        return None
    tf = np.bincount(postings, minlength=len(table)).astype(np.float64)
    return tf * (K1 + 1) / (tf + norm)  # 0 where absent, about 1 for one occurrence


def _meet_words(table: DutyTable, words: dict[str, float], norm: np.ndarray, meets: np.ndarray) -> float:
    """Raise ``meets`` to what each clause holding one of ``words`` earns (its weight times BM25's
    term-frequency factor, at most 1); the weight of the surest word some clause holds (0: none)."""
    sure = 0.0
    for word, value in words.items():
        factor = _word_factor(table, word, norm)
        if factor is not None:
            np.maximum(meets, np.minimum(value * factor, 1.0), out=meets)
            sure = max(sure, value)
    return sure


def score_clauses(table: DutyTable, slots: list[Slot], among: np.ndarray | None = None) -> Scored:
    """How much of ``slots`` each duty meets, and what each slot weighs: its IDF over the duties
    being ranked (``among``: a plan's, when the question is asked of one plan; else all), so a word
    every duty of that plan holds (its own emergency) tells nothing apart there."""
    n = len(table)
    candidates = int(np.count_nonzero(among)) if among is not None else n
    lengths = table.length_array
    average = float(lengths.mean()) if n else 1.0
    norm = K1 * (1 - B + B * lengths / (average or 1.0))
    met: dict[str, np.ndarray] = {}
    weight: dict[str, float] = {}
    unmet: list[str] = []
    idf: dict[str, float] = {}
    for slot in slots:
        meets = np.zeros(n)
        sure = 0.0  # how surely the slot's alternatives that occur say what the question says
        if slot.direct and len(found := table.postings(slot.direct)):
            meets[found] = 1.0
            sure = 1.0
        if slot.related and len(related := table.postings(slot.related)):
            meets[related] = np.maximum(meets[related], RELATED_CREDIT)
            sure = max(sure, RELATED_CREDIT)
        sure = max(sure, _meet_words(table, slot.words, norm, meets))
        df = int(np.count_nonzero(meets if among is None else meets[among]))
        if not df and slot.backup:  # nothing met the slot itself: its backup words may
            sure = max(sure, _meet_words(table, slot.backup, norm, meets))
            df = int(np.count_nonzero(meets if among is None else meets[among]))
        met[slot.key] = meets
        # a slot weighs what it tells apart (IDF), as surely as its words say it: a guess from a
        # dictionary's third sense weighs a third. A concept of the thesaurus that no clause meets
        # is something the question asks and the plans lack: it weighs the most (df = 0), met by
        # none, unless the question only sets the scene with it ("Hail wrecked the crops. Who…");
        # a word no clause holds may be noise and weighs nothing. Asked of some plans, a concept
        # that only other plans' clauses name weighs what it tells apart among all of them: a
        # county plan that never says "people" can still answer "who pushes people to switch to
        # electric vehicles?"
        if df:
            idf[slot.key] = math.log(1 + candidates / (df + 0.5))
            weight[slot.key] = sure * idf[slot.key]
        else:
            weight[slot.key] = math.log(1 + candidates / 0.5) if slot.direct and not slot.context else 0.0
            if weight[slot.key] and among is not None and (elsewhere := int(np.count_nonzero(meets))):
                weight[slot.key] = min(weight[slot.key], math.log(1 + n / (elsewhere + 0.5)))
            unmet.append(slot.key)
    total = sum(weight.values())
    score = np.zeros(n)
    if total:
        for key, meets in met.items():
            if weight[key]:
                score += weight[key] * meets
        score /= total
    # things named only where the question sets the scene do not gate ("养殖场的猪大批死亡，谁去现场
    # 调查核实？" asks who investigates; the farm still weighs in the ranking)
    things = [s for s in slots if s.thing and not s.context and s.key not in unmet]
    if things:  # a question about things: a clause must meet at least half of what they weigh
        score[~_meets_a_request(slots, things, met, weight, n)] = 0.0
    return Scored(score, met, weight, unmet, idf)


def _meets_a_request(slots: list[Slot], things: list[Slot], met: dict[str, np.ndarray], weight: dict[str, float],
                     n: int) -> np.ndarray:
    """Per duty: whether it meets at least half of what the question's things weigh; in a question of
    conjoined requests ("病人救护和人间疫情监测"), half of one request's things, or of all it weighs
    when it names no thing: a clause answering one request answers."""
    def half(pool: list[Slot], weightless: bool) -> np.ndarray:
        """Whether each duty meets half of what ``pool`` weighs; ``weightless``: when it weighs nothing."""
        total = sum(weight[s.key] for s in pool)
        if not total:
            return np.full(n, weightless)
        return sum(weight[s.key] * (met[s.key] > 0) for s in pool) >= 0.5 * total

    groups = sorted({s.group for s in slots if not s.context})
    if len(groups) < 2:
        return half(things, True)
    passes = np.zeros(n, dtype=bool)
    for g in groups:
        own = [s for s in things if s.group == g]
        passes |= half(own or [s for s in slots if s.group == g and not s.context and weight[s.key]], False)
    return passes


def asked(slots: list[Slot], scored: Scored) -> np.ndarray | None:
    """Per duty: whether its clause meets something the question asks, not only where it sets the
    scene ("Our street was evacuated after the tanker crash. Who keeps burglars away?": a clause on
    tanker crashes alone does not answer); None when the question has no scene, or asks nothing any
    clause meets. A scene-only clause still counts with its unit's others (``together``)."""
    wanted = [s.key for s in slots if not s.context and scored.weight[s.key] and s.key not in scored.unmet]
    if not wanted or not any(s.context and scored.weight[s.key] for s in slots):
        return None
    return _meets_any(scored, wanted)


def _meets_any(scored: Scored, keys) -> np.ndarray:
    """Per duty: whether its clause meets any of the slots ``keys`` names."""
    meets = np.zeros(len(scored.score), dtype=bool)
    for key in keys:
        meets |= scored.met[key] > 0
    return meets


def together(table: DutyTable, scored: Scored, score: np.ndarray, credit: float, floor: float = 0.0,
             about: frozenset[str] | None = None) -> np.ndarray:
    """``score`` with each clause that answers at all raised to ``credit`` times what its unit's
    answering clauses meet together, where that beats the unit's best clause and reaches ``floor``:
    "谁负责病人救护和人间疫情监测？" is met by one unit's two clauses, one for each task. Only clauses
    that answer on their own count, so an action in one clause and a thing in another do not make an
    answer; with ``about`` (the keys of the slots that are not actions), only clauses meeting one."""
    answering = score > 0
    if about is not None:  # a clause that meets only the question's actions adds nothing to a unit's others
        answering &= _meets_any(scored, about)
    answering = np.flatnonzero(answering)
    if not len(answering):
        return score
    duties, units = table.assignments(answering)
    order = np.argsort(units, kind="stable")
    duties, units = duties[order], units[order]
    starts = np.flatnonzero(np.r_[True, units[1:] != units[:-1]])
    covered = np.zeros(len(starts))
    for key, weight in scored.weight.items():
        if weight:
            covered += weight * np.maximum.reduceat(scored.met[key][duties], starts)
    covered *= credit / sum(scored.weight.values())
    best = np.maximum.reduceat(score[duties], starts)
    # most units have no clauses that do better together; a unit raised to less than ``floor`` could
    # not be an answer anyway (raising it would only give the ranking more values to sort)
    gain = np.where((covered > best) & (covered >= floor), covered, 0.0)
    if not gain.any():
        return score
    out = score.copy()
    raised = np.repeat(gain, np.diff(np.r_[starts, len(duties)]))
    np.maximum.at(out, duties[raised > 0], raised[raised > 0])
    return out


def information(scored: Scored) -> np.ndarray:
    """Per duty: how much what it meets tells it apart: the IDFs of the slots it meets, each as
    surely as it meets it (a guess through a dictionary counts for less than the word itself)."""
    total = np.zeros(len(scored.score))
    for key, value in scored.idf.items():
        total += value * scored.met[key]
    return total
