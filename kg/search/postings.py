"""The duty table ask ranks from: which duties name each concept, their role and their units.

``ask`` used to find the duties on a question's concepts with one SPARQL query and rank them in
Python; across a thousand plans that query returns tens of thousands of rows, and turning them into
Python values took most of an answer's time. The table holds the same facts as integers, written
once per build beside the search index (kg/search/indexing.py feeds ``TableWriter`` while it reads every
duty out of the store), so a question costs a few NumPy operations on posting lists and masks.

Only typed duties (``dg:Duty``) that are not boilerplate and have an assigned unit and a role are
in the table: the ones ``ask.DUTY_QUERY`` finds. ``table_from_store`` computes the same table with
SPARQL, for a build written before the table existed (and for the test that checks both agree).
"""

from __future__ import annotations

import pickle
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pyoxigraph as ox

from ..errors import KgError
from ..vocab import PREFIXES, ROLES

TABLE_FILE = "duties.table"
FORMAT = 3  # 2: with each duty's evidence (text, plan, offset); 3: with each duty's words
POSTINGS_MEMO = 1024  # concept sets whose duties are kept
ROLE_NAMES = tuple(ROLES)  # lead, joint, support: a duty's role is its position here
OTHER_ROLE = len(ROLE_NAMES)  # a role IRI outside the vocabulary
ROLE_IRIS = tuple(str(ROLES[name]) for name in ROLE_NAMES)

TABLE_QUERY = """SELECT ?duty ?concept ?unit ?role ?text ?plan ?start WHERE {
  ?duty a dg:Duty ; dg:assignedTo ?unit ; dg:role ?role .
  FILTER NOT EXISTS { ?duty a dg:BoilerplateDuty }
  OPTIONAL { { ?duty dg:object ?concept } UNION { ?duty dg:issue ?concept } UNION { ?duty dg:action ?concept } }
  OPTIONAL { ?duty dg:text ?text ; dg:plan ?plan ; dg:span/oa:start ?start }
}"""


def _numbers(numbers: array) -> np.ndarray:
    """An ``array`` of integers as a NumPy array over the same memory."""
    return np.frombuffer(numbers, dtype=f"i{numbers.itemsize}")


@dataclass
class DutyTable:
    duties: list[str]  # duty IRIs; a duty's number is its position
    roles: bytes  # per duty: its position in ROLE_NAMES (OTHER_ROLE: unknown)
    unit_of: array  # per duty: the number of its (first) unit
    more_units: dict[int, tuple[int, ...]]  # duties with several units: the others
    units: list[str]  # unit IRIs; a unit's number is its position
    by_concept: dict[str, array]  # concept IRI → the numbers of the duties naming it
    other_roles: dict[int, str] = field(default_factory=dict)  # duty → a role IRI outside ROLES
    # The evidence an answer shows, per duty: its text, its plan (a number into ``plans``) and its
    # offset in the source; plan -1 when the store did not say (ask then reads the store).
    texts: list[str] = field(default_factory=list)
    plan_of: array = field(default_factory=lambda: array("i"))
    starts: array = field(default_factory=lambda: array("q"))
    plans: list[str] = field(default_factory=list)
    # The words of each duty's text (``text.content_words``), for ranking clauses against a
    # question: word → the numbers of the duties holding it, once per occurrence; and each
    # duty's number of words.
    by_word: dict[str, array] = field(default_factory=dict)
    lengths: array = field(default_factory=lambda: array("i"))

    def __len__(self) -> int:
        return len(self.duties)

    def postings(self, concepts: Iterable[str]) -> np.ndarray:
        """The numbers of the duties naming any of ``concepts``, ascending (the last ``POSTINGS_MEMO``
        sets asked for are kept: "rescue" and what is narrower are 28,000 duties at 1,000 plans)."""
        key = frozenset(concepts)
        memo = self.__dict__.setdefault("_postings_memo", {})
        found = memo.get(key)
        if found is None:
            lists = [_numbers(self.by_concept[c]) for c in key if c in self.by_concept]
            found = np.unique(np.concatenate(lists)) if lists else np.empty(0, dtype=np.int64)
            if len(memo) >= POSTINGS_MEMO:
                memo.clear()
            memo[key] = found
        return found

    def word_postings(self, word: str) -> np.ndarray:
        """The numbers of the duties holding ``word``, once per occurrence (ascending)."""
        found = self.by_word.get(word)
        return _numbers(found) if found is not None else np.empty(0, dtype=np.int32)

    @cached_property
    def length_array(self) -> np.ndarray:
        return _numbers(self.lengths).astype(np.float64) if len(self.lengths) else np.zeros(len(self))

    @cached_property
    def plan_array(self) -> np.ndarray:
        """Per duty: the number of its plan in ``plans`` (-1 when the store did not say)."""
        return _numbers(self.plan_of) if len(self.plan_of) else np.full(len(self), -1, dtype=np.int32)

    def of_plans(self, plans: Iterable[str]) -> np.ndarray:
        """The duties of ``plans`` (plan IRIs), as a mask."""
        numbers = [i for i, plan in enumerate(self.plans) if plan in set(plans)]
        return np.isin(self.plan_array, np.array(numbers, dtype=self.plan_array.dtype))

    def mask(self, numbers: np.ndarray) -> np.ndarray:
        """Duty numbers as a set: a boolean per duty of the table."""
        chosen = np.zeros(len(self), dtype=bool)
        chosen[numbers] = True
        return chosen

    @cached_property
    def unit_array(self) -> np.ndarray:
        """``unit_of`` as a NumPy array (the same memory)."""
        return _numbers(self.unit_of)

    @cached_property
    def several(self) -> np.ndarray:
        """Per duty: whether it has more than one unit (``more_units``)."""
        return self.mask(np.fromiter(self.more_units, dtype=np.int64, count=len(self.more_units)))

    @cached_property
    def role_array(self) -> np.ndarray:
        """Per duty: its role's position in ROLE_NAMES (OTHER_ROLE for a role outside them)."""
        return np.frombuffer(self.roles, dtype=np.uint8)

    def role_iri(self, duty: int) -> str:
        role = self.roles[duty]
        return ROLE_IRIS[role] if role < OTHER_ROLE else self.other_roles.get(duty, "")

    def evidence(self, duty: int) -> dict[str, str] | None:
        """What EVIDENCE_QUERY would read for the duty: text, plan and start; None when unknown."""
        plan = self.plan_of[duty] if duty < len(self.plan_of) else -1
        if plan < 0:
            return None
        return {"text": self.texts[duty], "plan": self.plans[plan], "start": str(self.starts[duty])}

    def assignments(self, duties: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``duties`` (numbers) each once per unit it is assigned to, and those units: most duties
        have one unit, a shared entry's several."""
        shared = duties[self.several[duties]]
        extra = [(duty, unit) for duty in shared.tolist() for unit in self.more_units[duty]]
        if not extra:
            return duties, self.unit_array[duties]
        more_duties, more_units = (np.array(column, dtype=np.int64) for column in zip(*extra))
        return np.concatenate([duties, more_duties]), np.concatenate([self.unit_array[duties], more_units])

    def units_of(self, duty: int) -> tuple[int, ...]:
        return (self.unit_of[duty], *self.more_units.get(duty, ()))

    @cached_property
    def duties_of(self) -> dict[int, list[int]]:
        """unit number → the numbers of its duties in the table, ascending."""
        result: dict[int, list[int]] = {}
        for duty, unit in enumerate(self.unit_of):
            result.setdefault(unit, []).append(duty)
        for duty, others in self.more_units.items():
            for unit in others:
                result.setdefault(unit, []).append(duty)
        for numbers in result.values():
            numbers.sort()
        return result

    def warm(self) -> "DutyTable":
        """Compute the derived lookups now rather than on the first question."""
        self.role_array, self.duties_of, self.unit_array, self.several  # noqa: B018  (cached properties)
        return self


class TableWriter:
    """Collects duties one at a time (in any order) and writes the table."""

    def __init__(self) -> None:
        self._duties: list[str] = []
        self._roles = bytearray()
        self._unit_of = array("i")
        self._more: dict[int, tuple[int, ...]] = {}
        self._other_roles: dict[int, str] = {}
        self._units: dict[str, int] = {}
        self._by_concept: dict[str, array] = {}
        self._texts: list[str] = []
        self._plan_of = array("i")
        self._starts = array("q")
        self._plans: dict[str, int] = {}
        self._by_word: dict[str, array] = {}
        self._lengths = array("i")

    def add(self, duty: str, units: Iterable[str], concepts: Iterable[str], role: str,
            evidence: tuple[str, str, int] | None = None, words: Iterable[str] = ()) -> None:
        """One duty; ``evidence``: its (text, plan IRI, start offset) when the store has them;
        ``words``: the content words of its text (``text.content_words``)."""
        numbers = [self._units.setdefault(u, len(self._units)) for u in sorted(set(units))]
        if not numbers:
            return  # ask reads only duties someone is assigned
        number = len(self._duties)
        self._duties.append(duty)
        position = ROLE_IRIS.index(role) if role in ROLE_IRIS else OTHER_ROLE
        self._roles.append(position)
        if position == OTHER_ROLE:
            self._other_roles[number] = role
        self._unit_of.append(numbers[0])
        if len(numbers) > 1:
            self._more[number] = tuple(numbers[1:])
        for concept in set(concepts):
            self._by_concept.setdefault(concept, array("i")).append(number)
        text, plan, start = evidence or ("", "", 0)
        self._texts.append(text)
        self._plan_of.append(self._plans.setdefault(plan, len(self._plans)) if evidence else -1)
        self._starts.append(start)
        count = 0
        by_word = self._by_word
        for word in words:  # 1.6 million words in the duties of 1,000 synthetic plans: kept tight
            postings = by_word.get(word)
            if postings is None:  # not setdefault: it would make an array for every word
                by_word[word] = postings = array("i")
            postings.append(number)
            count += 1
        self._lengths.append(count)

    def table(self) -> DutyTable:
        return DutyTable(self._duties, bytes(self._roles), self._unit_of, self._more, list(self._units),
                         self._by_concept, self._other_roles, self._texts, self._plan_of, self._starts,
                         list(self._plans), self._by_word, self._lengths)

    def write(self, path: Path) -> None:
        table = self.table()
        state = {"format": FORMAT, **{k: getattr(table, k) for k in (
            "duties", "roles", "unit_of", "more_units", "units", "by_concept", "other_roles", "texts",
            "plan_of", "starts", "plans", "by_word", "lengths")}}
        temporary = path.with_name(path.name + ".tmp")
        with temporary.open("wb") as f:
            pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)
        temporary.replace(path)


def load_table(path: Path) -> DutyTable | None:
    """The table a build wrote (a file this program wrote itself; never one from elsewhere); None
    when it is of another version (the caller reads the store instead)."""
    try:
        with path.open("rb") as f:
            state = pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError) as exc:
        raise KgError(f"{path}: cannot read the duty table ({exc}); run `kg build` again") from exc
    if not isinstance(state, dict) or "format" not in state:
        raise KgError(f"{path}: not a duty table; run `kg build` again")
    if state.pop("format") != FORMAT:
        return None
    return DutyTable(**state)


def table_from_store(store) -> DutyTable:
    """The same table, read with one SPARQL query over the whole store (slow on big builds)."""
    rows: dict[str, tuple[set[str], set[str], str, set[tuple[str, str, int]]]] = {}
    solutions = store.query(TABLE_QUERY, prefixes=PREFIXES, use_default_graph_as_union=True)
    for row in solutions:
        duty = row["duty"]
        if not isinstance(duty, ox.NamedNode):
            continue
        concepts, units, _, evidence = rows.setdefault(duty.value, (set(), set(), row["role"].value, set()))
        if row["concept"] is not None:
            concepts.add(row["concept"].value)
        if not isinstance(row["unit"], ox.BlankNode):
            units.add(row["unit"].value)
        if row["text"] is not None and row["start"].value.lstrip("-").isdigit():
            evidence.add((row["text"].value, row["plan"].value, int(row["start"].value)))
    from ..text import content_words

    writer = TableWriter()
    for duty in sorted(rows):
        concepts, units, role, evidence = rows[duty]
        first = min(evidence) if evidence else None
        writer.add(duty, units, concepts, role, first, content_words(first[0]) if first else ())
    return writer.table()
