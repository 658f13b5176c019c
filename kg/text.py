"""The only text normaliser: punctuation widths, spaces, slugs and pinyin.

Every function that the extractor uses to *find* things keeps string length, so that an offset
found in normalised text is the same offset in the source. Nothing here runs at import time.
"""

from __future__ import annotations

import re
import unicodedata

# Full-width ASCII variants (！ … ～) map one-to-one onto ASCII; the ideographic space onto a space.
_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_WIDTH[0x3000] = 0x20

CJK = r"\u3400-\u4dbf\u4e00-\u9fff"
_CJK_GAP = re.compile(rf"(?<=[{CJK}])[ \t\u3000]+(?=[{CJK}])")


def fold_width(text: str) -> str:
    """Full-width punctuation and letters to half-width; the result has the same length."""
    return text.translate(_WIDTH)


def compact(text: str) -> str:
    """Width-folded, NFC text with the spaces that page layout puts between Chinese characters removed."""
    return _CJK_GAP.sub("", unicodedata.normalize("NFC", fold_width(text))).strip()


def is_cjk(char: str) -> bool:
    return bool(re.fullmatch(f"[{CJK}]", char))


def _pinyin(text: str) -> list[str]:
    from pypinyin import Style, lazy_pinyin  # heavy dictionaries: load on first use

    return lazy_pinyin(text, style=Style.NORMAL, errors=lambda chars: chars)


def slugify(text: str) -> str:
    """A stable ASCII slug: pinyin syllables of Chinese, lowercase words, joined by hyphens."""
    parts: list[str] = []
    for piece in _pinyin(compact(text)):
        parts.extend(re.findall(r"[a-z0-9]+", piece.lower()))
    return "-".join(parts) or "x"


def pinyin_name(text: str) -> str:
    """A place name in pinyin as a proper noun: 聊城 → Liaocheng."""
    return "".join(_pinyin(text)).capitalize()
