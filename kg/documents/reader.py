"""The only readers of source documents: file → ``Source`` → (``Plan``, ``Record`` rows).

``load_document`` decodes a file (``source.read_source``), reads what the document says about
itself (title, place, command) and hands the text to the layout parser that recognises it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from ..errors import KgError
from ..models import Plan, Record, Source
from ..text import compact, pinyin_name, slugify
from .entries import parse_entries
from .flat import parse_flat_table
from .source import read_source
from .table import parse_table

# Tried in this order; the layout that finds the most entries wins (ties: the earlier).
LAYOUTS = (("table", parse_table), ("flat-table", parse_flat_table), ("entries", parse_entries))

__all__ = ["load_document", "read_source", "describe_plan"]

_APPENDIX = re.compile(r"^附件\s*[0-9一二三四五六七八九十]*$")
_PLACE = re.compile(r"^(.{1,7}?(?:自治州|自治县|特别行政区|省|市|县|区|州|盟|旗))")
_LEVELS = {"省": "province", "市": "city", "州": "city", "盟": "city", "县": "county", "旗": "county", "区": "district"}
_COMMAND = re.compile(r"^(.*?(?:指挥部|领导小组|委员会))")


def describe_plan(source: Source, preamble: list[str]) -> Plan:
    """Title, place and command from the ``# title:`` metadata or the lines before the list."""
    lines = [compact(line) for line in preamble if compact(line)]
    lines = [line for line in lines if not _APPENDIX.match(line)]
    title = source.meta.get("title") or next(
        (line for line in lines if "职责" in line or "指挥部" in line), lines[0] if lines else ""
    )
    # "# title:" lines of web copies carry notes after a dash or in brackets: keep the title itself.
    title = compact(re.split(r"\s+[—–-]+\s+|\s+\(", title)[0])
    place = source.meta.get("place") or ""
    if not place:
        found = _PLACE.match(title)
        place = found.group(1) if found else ""
    stem = re.sub(r"(自治州|自治县|特别行政区|省|市|县|区|州|盟|旗)$", "", place)
    command = _COMMAND.match(title)
    if command:
        command_zh = command.group(1)
    else:  # "葫芦岛市暴风雪(雪灾)应急预案" → "葫芦岛市暴风雪(雪灾)应急指挥部"
        core = re.sub(r"(?:成员单位及职责|职责清单|职责|\(附件\))+$", "", title)
        core = re.sub(r"(?:应急救援预案|应急预案|预案|综合整治方案|工作方案|方案)$", "", core)
        command_zh = f"{core}应急指挥部" if core else (title or source.name)
    level = source.meta.get("level", "").strip().lower()
    level = {"city": "city", "municipal": "city", "province": "province", "provincial": "province",
             "county": "county", "district": "district"}.get(level) or _LEVELS.get(place[-1:], "")
    year = re.search(r"((?:19|20)\d{2})年", source.meta.get("year", "") + "年" if source.meta.get("year") else title)
    return Plan(
        key=slugify(source.path.stem),
        title=title or source.name,
        place_zh=place,
        place_en=pinyin_name(stem) if stem else "",
        command_zh=command_zh,
        level=level,
        year=int(year.group(1)) if year else None,
        source=source,
    )


def parse_layout(source: Source) -> tuple[str, list[str], list[Record]]:
    """The layout whose parser finds the most entries: (name, preamble lines, records)."""
    best: tuple[str, list[str], list[Record]] = ("", [], [])
    for name, parse in LAYOUTS:
        preamble, records = parse(source)
        if len(records) > len(best[2]):
            best = (name, preamble, records)
    return best


def load_document(path: Path, meta: dict[str, str] | None = None) -> tuple[Plan, list[Record]]:
    """A document's plan and rows; ``meta`` (title, place, level, year) overrides its ``# key:`` lines."""
    source = read_source(path)
    if meta:
        source = replace(source, meta={**source.meta, **{k.lower(): v for k, v in meta.items()}})
    layout, preamble, records = parse_layout(source)
    if not records:
        raise KgError(
            f"{path}: no duty list found (no table of 成员单位/职责, no lines or headings starting with a unit's name)"
        )
    return describe_plan(source, preamble), records
