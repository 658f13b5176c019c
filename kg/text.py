"""The only text normaliser: punctuation widths, spaces, slugs and pinyin.

Every function that the extractor uses to *find* things keeps string length, so that an offset
found in normalised text is the same offset in the source. Nothing here runs at import time.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

# Full-width ASCII variants (！ … ～) map one-to-one onto ASCII; the ideographic space onto a space.
_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDTH[0x3000] = 0x20
_WIDE = re.compile("[" + re.escape("".join(map(chr, _WIDTH))) + "]")

CJK = r"\u3400-\u4dbf\u4e00-\u9fff"
_CJK_GAP = re.compile(rf"(?<=[{CJK}])[ \t\u3000]+(?=[{CJK}])")


def fold_width(text: str) -> str:
    """Full-width punctuation and letters to half-width; the result has the same length."""
    # Most text the extractor folds is folded already: finding that out is much quicker than translating.
    return text.translate(_WIDTH) if _WIDE.search(text) else str(text)


@lru_cache(maxsize=4)
def fold_document(text: str) -> str:
    """``fold_width`` of a whole document, remembered: its readers each fold the same text."""
    return fold_width(text)


def squeeze(text: str) -> str:
    """The spaces that page layout puts between Chinese characters removed; nothing else changed."""
    return _CJK_GAP.sub("", text).strip()


def compact(text: str) -> str:
    """Width-folded, NFC text with the spaces that page layout puts between Chinese characters removed."""
    return _CJK_GAP.sub("", unicodedata.normalize("NFC", fold_width(text))).strip()


def is_cjk(char: str) -> bool:
    return bool(re.fullmatch(f"[{CJK}]", char))


@lru_cache(maxsize=65536)  # unit names repeat across plans; pypinyin is slow
def _pinyin(text: str) -> tuple[str, ...]:
    from pypinyin import Style, lazy_pinyin  # heavy dictionaries: load on first use

    return tuple(lazy_pinyin(text, style=Style.NORMAL, errors=lambda chars: chars))


@lru_cache(maxsize=65536)  # unit names recur in every plan, and its graph and search index both slug them
def slugify(text: str) -> str:
    """A stable ASCII slug: pinyin syllables of Chinese, lowercase words, joined by hyphens."""
    parts: list[str] = []
    for piece in _pinyin(compact(text)):
        parts.extend(re.findall(r"[a-z0-9]+", piece.lower()))
    return "-".join(parts) or "x"


def pinyin_name(text: str) -> str:
    """A place name in pinyin as a proper noun: 聊城 → Liaocheng."""
    return "".join(_pinyin(text)).capitalize()


_JIEBA_WORDS: set[str] = set()


@lru_cache(maxsize=1)
def _jieba():
    """jieba, its dictionary loaded, once per process (setting its log level each time cost more
    than the content words of a build's clauses: logging clears every logger's cache)."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    if not jieba.dt.initialized:
        jieba.initialize()
    return jieba


def jieba_with(words: Iterable[str] = ()):
    """jieba, initialised once, with ``words`` (thesaurus labels, unit names) in its dictionary.

    The thesaurus terms must be whole tokens, or "工地扬尘" could be cut as "工地扬/尘" and
    neither search nor question parsing would find the concept.
    """
    jieba = _jieba()
    for word in words:
        word = word.strip()
        if len(word) >= 2 and word not in _JIEBA_WORDS and re.search(f"[{CJK}]", word):
            jieba.add_word(word, freq=2000)
            _JIEBA_WORDS.add(word)
    return jieba


_HAN_WORD = re.compile(f"[{CJK}]{{2,}}")
_ASCII_WORD = re.compile(r"[a-z][a-z0-9.]{1,}")


def content_words(text: str) -> tuple[str, ...]:
    """The words a clause is ranked by against a question (kg/ask/): jieba's search-mode words of two
    Chinese characters or more (the thesaurus's labels whole, once ``jieba_with`` has them; the words
    inside longer words too: 施工工地 gives 施工, 工地 and 施工工地), and ASCII words lowercased. One
    entry per occurrence, so counting them gives term frequencies. Remembered per text (and per
    state of jieba's dictionary): the same clauses recur in plan after plan."""
    jieba_with()
    return _content_words(text, len(_JIEBA_WORDS))


@lru_cache(maxsize=65_536)
def _content_words(text: str, dictionary: int) -> tuple[str, ...]:
    words = []
    for word, _, _ in search_words(fold_width(text)):
        if _HAN_WORD.fullmatch(word):
            words.append(word)
        elif _ASCII_WORD.fullmatch(word.lower()):
            words.append(word.lower())
    return tuple(words)


def search_words(text: str) -> tuple[tuple[str, int, int], ...]:
    """jieba's search-mode words of ``text`` with their offsets (``jieba.tokenize``), the words inside
    longer words too; remembered per text (and per state of jieba's dictionary): a build reads each
    clause's words twice, for the duty table (``content_words``) and the search index
    (``JiebaTokenizer``), and segmenting is most of either."""
    jieba_with()
    return _search_words(text, len(_JIEBA_WORDS))


@lru_cache(maxsize=65_536)
def _search_words(text: str, dictionary: int) -> tuple[tuple[str, int, int], ...]:
    return tuple(jieba_with().tokenize(text, mode="search"))


def token_bounds(text: str) -> tuple[set[int], set[int]]:
    """Start and end offsets of jieba's words in ``text``, the words inside longer words included
    (search mode: 尘土飞扬 also gives 尘土), so a label may sit inside an idiom but not across words."""
    starts, ends = set(), set()
    for _, start, end in search_words(text):
        starts.add(start)
        ends.add(end)
    return starts, ends


def chinese_analyzer():
    """A whoosh analyzer for Chinese: jieba's search-mode words, lowercased, stop words out, English
    words stemmed. The same chain as ``jieba.analyse.ChineseAnalyzer``, built here because importing
    ``jieba.analyse`` also loads its part-of-speech and TF-IDF tables (1.5 s a process) for nothing."""
    from whoosh.analysis import LowercaseFilter, StemFilter, StopFilter

    return JiebaTokenizer() | LowercaseFilter() | StopFilter(stoplist=STOP_WORDS, minsize=1) | StemFilter()


STOP_WORDS = frozenset(
    "a an and are as at be by can for from have if in is it may not of on or that the this to us we when "
    "will with yet you your 的 了 和".split()
)


class JiebaTokenizer:
    """whoosh tokenizer over ``search_words`` of the width-folded text; picklable (the index schema keeps it)."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __or__(self, other):
        from whoosh.analysis import CompositeAnalyzer

        return CompositeAnalyzer(self, other)

    def __call__(self, value: str, positions: bool = False, chars: bool = False, keeporiginal: bool = False,
                 removestops: bool = True, start_pos: int = 0, start_char: int = 0, mode: str = "", **kwargs):
        from whoosh.analysis import Token

        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        # width-folded (the same length, so offsets hold): "ＰＭ２．５" is indexed as pm2.5, and a
        # clause is segmented once for the index and the duty table
        for position, (word, start, end) in enumerate(search_words(fold_width(value))):
            if len(word) <= 1 and not re.match(f"[{CJK}]", word):
                continue  # punctuation and spaces
            token.text = word
            token.boost = 1.0
            if keeporiginal:
                token.original = word
            token.stopped = False
            if positions:
                token.pos = start_pos + position
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token
