"""The SKOS thesauri (ontology/thesaurus/*.ttl) as Python values, and the one concept matcher.

``load_thesaurus`` reads the Turtle files once; ``Thesaurus.find`` does leftmost-longest matching of
every Chinese and English label of a scheme over width-folded text, so offsets returned are offsets
in the text given. Agency types are found by the longest label a unit name ends with.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from ..text import fold_width, token_bounds
from ..vocab import CONCEPT, SCHEMES, scheme_iri

FOUND_MEMO = 65_536  # (text, scheme) pairs whose matches ``Thesaurus.find`` remembers


@dataclass(frozen=True)
class Concept:
    iri: str
    scheme: str  # action | object | issue | agency
    key: str
    pref_zh: str
    pref_en: str
    alt_zh: tuple[str, ...]
    alt_en: tuple[str, ...]
    broader: tuple[str, ...]
    definition: str
    related: tuple[str, ...] = ()

    @property
    def ref(self) -> str:
        return f"{self.scheme}/{self.key}"

    @property
    def labels_zh(self) -> tuple[str, ...]:
        return (self.pref_zh, *self.alt_zh)

    @property
    def labels_en(self) -> tuple[str, ...]:
        return (self.pref_en, *self.alt_en)


@dataclass(frozen=True)
class Match:
    concept: Concept
    start: int
    end: int

    @property
    def text_span(self) -> tuple[int, int]:
        return (self.start, self.end)


def _label_key(label: str) -> str:
    return fold_width(label).strip().lower()


_EN_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    """Porter's stem, with its y → i ending dropped, so injured/injury/injuries (injur, injuri) meet."""
    from whoosh.lang.porter import stem

    found = stem(_LEMMAS.get(word, word))
    return found[:-1] if len(found) > 4 and found.endswith("i") else found


def english_stems(text: str) -> list[tuple[str, int, int]]:
    """Porter stems of the English words of ``text`` with their offsets: case, plurals and
    inflections fold together (vehicles/vehicle, handling/handles), hyphens split words."""
    lowered = fold_width(text).lower()
    return [
        (_stem(word), m.start(), m.end())
        for m in _EN_WORD.finditer(lowered)
        for word in [m.group().removesuffix("'s")]
    ]


# Irregular forms the Porter stemmer does not bring together with their base form.
_LEMMAS = {
    "buses": "bus", "children": "child", "people": "person", "women": "woman", "men": "man",
    "swept": "sweep", "kept": "keep", "held": "hold", "led": "lead", "taken": "take", "took": "take",
    "made": "make", "done": "do", "did": "do", "gave": "give", "given": "give", "sold": "sell",
    "stopped": "stop", "cut": "cut", "shut": "shut", "built": "build", "bought": "buy",
}


_END = ""  # a trie key no single character can be


def _trie_branches(node: dict) -> str:
    """A regex for the rest of a label below trie ``node``: one branch per next character (so at most
    one branch can match) and, where a label may end, the rest optional; greedy, it takes the longest."""
    branches = [re.escape(char) + _trie_rest(child) for char, child in node.items() if char != _END]
    return "(?:" + "|".join(branches) + ")" if branches else ""


def _trie_rest(node: dict) -> str:
    rest = _trie_branches(node)
    return rest + "?" if rest and _END in node else rest


class Thesaurus:
    def __init__(self, concepts: Iterable[Concept], graph: Graph):
        self.concepts: dict[str, Concept] = {c.iri: c for c in concepts}
        self.graph = graph

    def warm(self) -> Thesaurus:
        """Build now the label indexes the first question would build (the English one took 35 ms
        on a server's first English question)."""
        self._zh_index, self._en_index, self._longest, self._en_longest, self._zh_patterns, self._children, self._related  # noqa: B018,E501
        return self

    @cached_property
    def _zh_index(self) -> dict[str, dict[str, Concept]]:
        index: dict[str, dict[str, Concept]] = {s: {} for s in SCHEMES}
        for concept in self.concepts.values():
            for label in concept.labels_zh:
                index[concept.scheme].setdefault(_label_key(label), concept)
        return index

    @cached_property
    def _en_index(self) -> dict[str, dict[tuple[str, ...], Concept]]:
        index: dict[str, dict[tuple[str, ...], Concept]] = {s: {} for s in SCHEMES}
        for concept in self.concepts.values():
            for label in concept.labels_en:
                key = tuple(stem for stem, _, _ in english_stems(label))
                if key:
                    index[concept.scheme].setdefault(key, concept)
        return index

    @cached_property
    def zh_labels(self) -> set[str]:
        """Every Chinese label, for jieba's dictionary."""
        return {label for c in self.concepts.values() for label in c.labels_zh}

    @cached_property
    def _en_longest(self) -> dict[str, int]:
        """Per scheme: the most words an English label has."""
        return {scheme: max((len(k) for k in labels), default=0) for scheme, labels in self._en_index.items()}

    @cached_property
    def _longest(self) -> dict[str, int]:
        return {s: max((len(k) for k in idx), default=0) for s, idx in self._zh_index.items()}

    def by_ref(self, ref: str) -> Concept:
        scheme, _, key = ref.partition("/")
        return self.concepts[f"{scheme_iri(scheme)}/{key}"]

    def in_scheme(self, scheme: str) -> list[Concept]:
        return [c for c in self.concepts.values() if c.scheme == scheme]

    @cached_property
    def _zh_patterns(self) -> dict[str, tuple[re.Pattern, dict[str, re.Pattern]] | None]:
        """Per scheme (None: no labels): a regex of the characters a zh label starts with, and per
        such character a regex of the labels that start with it, shaped as their character trie.
        At a position it matches the longest label that starts there, as a walk down the trie would,
        but in the regex engine (the walk in Python took a fifth of a plan's extraction); one regex
        per first character, because one alternation of every label tries its first characters one
        by one at each position (three times slower with the 452 first characters of the objects)."""
        patterns: dict[str, tuple[re.Pattern, dict[str, re.Pattern]] | None] = {}
        for scheme, labels in self._zh_index.items():
            roots: dict[str, dict] = {}
            for key in labels:
                node = roots.setdefault(key[0], {})
                for char in key[1:]:
                    node = node.setdefault(char, {})
                node[_END] = True
            if not roots:
                patterns[scheme] = None
                continue
            starts = re.compile("[" + "".join(re.escape(c) for c in sorted(roots)) + "]")
            patterns[scheme] = (starts, {c: re.compile(re.escape(c) + _trie_rest(node)) for c, node in roots.items()})
        return patterns

    def find(self, text: str, scheme: str) -> tuple[Match, ...]:
        """Leftmost-longest, non-overlapping matches of the scheme's zh labels in ``text``; remembered
        for the last ``FOUND_MEMO`` texts of each process: a clause is read for several purposes,
        and clauses recur across plans (14,406 distinct of 63,836 reads in 120 synthetic plans)."""
        memo = self.__dict__.setdefault("_found", {})
        found = memo.get((text, scheme))
        if found is None:
            if len(memo) >= FOUND_MEMO:
                memo.clear()
            found = memo[(text, scheme)] = self._find(text, scheme)
        return found

    def _find(self, text: str, scheme: str) -> tuple[Match, ...]:
        pattern, labels = self._zh_patterns[scheme], self._zh_index[scheme]
        if pattern is None:
            return ()
        starts, by_first = pattern
        folded = fold_width(text).lower()  # same length as text, so offsets carry over
        found, at = [], 0
        while start := starts.search(folded, at):
            i = start.start()
            m = by_first[folded[i]].match(folded, i)
            if m:
                found.append(Match(labels[m.group()], i, m.end()))
                at = m.end()
            else:
                at = i + 1
        return tuple(found)

    def find_words(self, text: str, scheme: str) -> list[Match]:
        """Like ``find``, but a Chinese match must start and end where jieba's words do, and
        English labels match word sequences after stemming. For questions, where a label found
        inside another word ("提供水" → 供水) would be a false reading."""
        starts, ends = token_bounds(fold_width(text))
        found = [m for m in self.find(text, scheme) if m.start in starts and m.end in ends]
        stems = english_stems(text)
        labels, longest = self._en_index[scheme], self._en_longest[scheme]
        i = 0
        while i < len(stems):
            for size in range(min(longest, len(stems) - i), 0, -1):
                concept = labels.get(tuple(stem for stem, _, _ in stems[i : i + size]))
                if concept is not None:
                    found.append(Match(concept, stems[i][1], stems[i + size - 1][2]))
                    i += size
                    break
            else:
                i += 1
        return sorted(found, key=lambda m: (m.start, -m.end))

    def agency_for(self, name: str) -> tuple[Concept, str] | None:
        """See ``_agency_for``; remembered per name, since the same names recur in every plan."""
        cache = self.__dict__.setdefault("_agency_cache", {})
        if name not in cache:
            cache[name] = self._agency_for(name)
        return cache[name]

    def _agency_for(self, name: str) -> tuple[Concept, str] | None:
        """The agency type whose longest Chinese label ``name`` ends with, and that label; when that
        is a family (公司) and a narrower type's label stands inside the name (中国联通…分公司), the
        narrower type."""
        folded = _label_key(name)
        labels = self._zh_index["agency"]
        found: tuple[Concept, str] | None = None
        for size in range(min(self._longest["agency"], len(folded)), 0, -1):
            concept = labels.get(folded[-size:])
            if concept is not None:
                found = (concept, folded[-size:])
                break
        if found is None or self._children.get(found[0].iri):
            family = self.narrower_closure(found[0].iri) - {found[0].iri} if found else None
            inside = [
                (len(label), label, concept)
                for label, concept in self._agency_labels_in(folded).items()
                if family is None or concept.iri in family
            ]
            if inside:
                _, label, concept = max(inside, key=lambda t: (t[0], t[1]))
                if found is None or len(label) >= 2:
                    return concept, found[1] if found else label
        return found

    def _agency_labels_in(self, folded: str) -> dict[str, Concept]:
        """The agency labels of two characters or more that stand inside ``folded``, found by looking
        up its substrings (a name has a few hundred; the thesaurus has more labels than that)."""
        labels, longest = self._zh_index["agency"], self._longest["agency"]
        found: dict[str, Concept] = {}
        for start in range(len(folded) - 1):
            for end in range(start + 2, min(start + longest, len(folded)) + 1):
                concept = labels.get(folded[start:end])
                if concept is not None:
                    found[folded[start:end]] = concept
        return found

    def broader_closure(self, iri: str) -> set[str]:
        """The concept and everything above it."""
        seen: set[str] = set()
        todo = [iri]
        while todo:
            current = todo.pop()
            if current in seen or current not in self.concepts:
                continue
            seen.add(current)
            todo.extend(self.concepts[current].broader)
        return seen

    def top(self, iri: str) -> str:
        """The top concept above ``iri`` (the first, when several parents lead to several tops)."""
        current = iri
        while current in self.concepts and self.concepts[current].broader:
            current = self.concepts[current].broader[0]
        return current

    @cached_property
    def _children(self) -> dict[str, list[str]]:
        children: dict[str, list[str]] = {}
        for concept in self.concepts.values():
            for parent in concept.broader:
                children.setdefault(parent, []).append(concept.iri)
        return children

    def narrower_closure(self, iri: str) -> set[str]:
        """The concept and everything below it."""
        seen: set[str] = set()
        todo = [iri]
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(self._children.get(current, ()))
        return seen

    @cached_property
    def _related(self) -> dict[str, set[str]]:
        """skos:related within one scheme, both ways (the files state each link once)."""
        related: dict[str, set[str]] = {}
        for concept in self.concepts.values():
            for other in concept.related:
                if other in self.concepts and self.concepts[other].scheme == concept.scheme:
                    related.setdefault(concept.iri, set()).add(other)
                    related.setdefault(other, set()).add(concept.iri)
        return related

    def expand(self, iri: str) -> set[str]:
        """What a question about ``iri`` is also about: everything narrower, and the things of the
        same kind related to those (渣土车 → 渣土运输核准; 学生 → 学校)."""
        narrower = self.narrower_closure(iri)
        return narrower.union(*(self._related.get(c, set()) for c in narrower))

    def narrowed(self, issues: Iterable[str], objects: Iterable[str]) -> tuple[str, ...]:
        """Issues made specific by the objects beside them: 扬尘 + 施工现场 → construction dust.

        Below an issue found in a duty (and below its parents, for siblings: 施工工地扬尘 + 道路 also
        means road dust), a narrower issue is added when it is ``skos:related`` to one of the duty's
        objects or to what they are narrower of. A broad issue that gained a narrower one is dropped.
        """
        found = list(dict.fromkeys(issues))
        around = set().union(set(), *(self.broader_closure(o) for o in objects))
        added: list[str] = []
        for issue in found:
            family = {issue, *self.concepts[issue].broader} if issue in self.concepts else {issue}
            for parent in family:
                for candidate in sorted(self.narrower_closure(parent) - {parent}):
                    if candidate not in found and candidate not in added and around & set(self.concepts[candidate].related):
                        added.append(candidate)
        kept = [i for i in found if not any(i in self.broader_closure(a) for a in added)]
        return tuple(kept + added)


def _literals(graph: Graph, subject: URIRef, predicate: URIRef, lang: str) -> list[str]:
    return sorted(
        str(o) for o in graph.objects(subject, predicate) if getattr(o, "language", None) == lang
    )


def _concepts(graph: Graph) -> Iterator[Concept]:
    for subject in set(graph.subjects(SKOS.inScheme, None)):
        iri = str(subject)
        if not iri.startswith(CONCEPT):
            continue
        scheme, _, key = iri[len(CONCEPT):].partition("/")
        if scheme not in SCHEMES or not key:
            continue
        pref_zh = _literals(graph, subject, SKOS.prefLabel, "zh")
        pref_en = _literals(graph, subject, SKOS.prefLabel, "en")
        definition = _literals(graph, subject, SKOS.definition, "en")
        yield Concept(
            iri=iri,
            scheme=scheme,
            key=key,
            pref_zh=pref_zh[0] if pref_zh else key,
            pref_en=pref_en[0] if pref_en else key,
            alt_zh=tuple(_literals(graph, subject, SKOS.altLabel, "zh")),
            alt_en=tuple(_literals(graph, subject, SKOS.altLabel, "en")),
            broader=tuple(sorted(str(b) for b in graph.objects(subject, SKOS.broader))),
            definition=definition[0] if definition else "",
            related=tuple(sorted(str(r) for r in graph.objects(subject, SKOS.related))),
        )


def thesaurus_from_graph(graph: Graph) -> Thesaurus:
    return Thesaurus(_concepts(graph), graph)


def load_thesaurus(ontology_dir: Path) -> Thesaurus:
    graph = Graph()
    files = sorted((ontology_dir / "thesaurus").glob("*.ttl"))
    for path in files:
        graph.parse(path, format="turtle")
    return thesaurus_from_graph(graph)
