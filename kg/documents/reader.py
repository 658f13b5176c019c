"""The only readers of source documents: file → ``Source`` → (``Plan``, ``Record`` rows).

``load_document`` decodes a file (``source.read_source``), reads what the document says about
itself (title, place, command), finds the sections that assign duties (``sections``: in a whole
plan, 成员单位职责 or an appendix table, not 应急响应) and hands them to the layout reader that
finds the most entries there: a tab-separated table, a flattened table, or entries in any other
layout. Each record keeps the heading of the section it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import KgError
from ..models import Plan, Record, Source
from ..text import compact, pinyin_name, slugify
from .entries import parse_entries
from .flat import parse_flat_table
from .sections import duty_sections, headings, in_plan_sections, list_end, mask, numbering_level, section_at
from .source import read_source
from .table import parse_table

# Tried in this order; the layout that finds the most entries wins (ties: the earlier).
LAYOUTS = (("table", parse_table), ("flat-table", parse_flat_table), ("entries", parse_entries))

__all__ = ["load_document", "read_source", "describe_plan", "read_duty_list"]
LOOKED_FOR = ("a section titled 成员单位职责/工作组职责/部门职责 (or any 职责/分工/任务 heading), a table of "
              "单位 and 职责 columns, or lines and paragraphs that start with an organisation's name "
              "(…局/委/办/中心/公司/政府…) followed by its duties")
_META_LINE = re.compile(r"^#\s*[A-Za-z_][\w-]*\s*:")
_TITLE_WORDS = re.compile(r"预案|方案|办法|制度|规定|通知|意见|职责|清单|分工|要点|细则|机制")

_APPENDIX = re.compile(r"^附件\s*[0-9一二三四五六七八九十]*$")
_PLACE = re.compile(r"^(.{1,7}?(?:自治州|自治县|特别行政区|省|市|县|区|州|盟|旗))")
_LEVELS = {"省": "province", "市": "city", "州": "city", "盟": "city", "县": "county", "旗": "county", "区": "district"}
_COMMAND = re.compile(r"^(.*?(?:指挥部|领导小组|委员会))")


def _document_title(source: Source) -> str:
    """A whole document's own title: its first line, when that is a short title (…应急预案)."""
    for line in source.text.splitlines():
        line = compact(line)
        if not line or _META_LINE.match(line):
            continue
        if len(line) <= 60 and _TITLE_WORDS.search(line) and not re.match(r"^[0-9(（一二三四五六七八九十第附]", line):
            return line
        return ""
    return ""


def describe_plan(source: Source, preamble: list[str], whole: bool = False) -> Plan:
    """Title, place and command from the ``# title:`` metadata, the document's own title (a whole
    plan: its first line, not the heading of the section the list sits in) or the lines before the
    list."""
    lines = [compact(line) for line in preamble if compact(line)]
    lines = [line for line in lines if not _APPENDIX.match(line) and not re.match(r"^[0-9]+(?:\.[0-9]+)+", line)]
    title = source.meta.get("title") or (_document_title(source) if whole else "") or next(
        (line for line in lines if "职责" in line or "指挥部" in line), lines[0] if lines else ""
    )
    # "# title:" lines of web copies carry notes after a dash or in brackets: keep the title itself.
    title = compact(re.split(r"\s+[—–-]+\s+|\s+\(", re.sub(r"^\s*\([^()]*\)\s*", "", title))[0])
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


def _header_end(text: str) -> int:
    """Where the ``# key: value`` lines at the top of a text file end."""
    at = 0
    for line in text.splitlines(keepends=True):
        if not _META_LINE.match(line):
            break
        at += len(line)
    return at


def parse_layout(source: Source, scopes: list[tuple[int, int]] | None = None,
                 stops: list[int] = ()) -> tuple[str, list[str], list[Record]]:
    """The layout whose parser finds the most entries in ``scopes`` (default: the whole text):
    (name, preamble lines, records)."""
    if scopes is not None:
        source = replace(source, text=mask(source.text, scopes))
    best: tuple[str, list[str], list[Record]] = ("", [], [])
    preamble, records = parse_table(source)
    if len(records) >= 3 and _only_a_table(source.text, len(records)):
        return "table", preamble, records  # nothing around the table for another reader to find
    for name, parse in LAYOUTS:
        preamble, records = parse(source, stops) if name == "entries" else parse(source)
        # A table's rows are surer than entries found in prose: the entry reader wins only when it
        # finds clearly more (it reads a table's rows too, and the prose around them).
        if len(records) > (len(best[2]) * 1.5 if best[0] in ("table", "flat-table") else len(best[2])):
            best = (name, preamble, records)
    return best


def _only_a_table(text: str, rows: int) -> bool:
    """Whether the text is a tab-separated table and little else (a title, headers, a few notes)."""
    other = sum(1 for line in text.splitlines() if line.strip() and "\t" not in line)
    return other <= max(3, rows // 10)


@dataclass(frozen=True)
class DutyList:
    """What a document's duty list is: its layout, the sections it was read in, its records."""

    layout: str
    sections: tuple[str, ...]  # the headings of the sections read ("" when the whole text was)
    preamble: tuple[str, ...]
    records: tuple[Record, ...]


def read_duty_list(source: Source) -> DutyList:
    """The records of the sections that assign duties, or of the whole text when no heading says so."""
    body = (_header_end(source.text), len(source.text))
    found = headings(mask(source.text, [body]))
    stops = [s.start for s in found if not s.entry]
    chosen = duty_sections(found)
    layout, preamble, records = parse_layout(source, [(s.body, s.end) for s in chosen], stops) if chosen else ("", [], [])
    used = tuple(s.title for s in chosen if any(s.body <= r.span[0] < s.end for r in records))
    if not records:
        layout, preamble, records = parse_layout(source, [body], stops)
        if records:  # a bare list or a fragment: it ends at the first heading that is not one of its entries
            first = min(r.unit_span[0] for r in records)
            levels = [lv for lv in (numbering_level(source.text, r.unit_span[0]) for r in records) if lv is not None]
            end = list_end(found, first, levels)
            if end is not None:
                layout, preamble, records = parse_layout(source, [(body[0], end)], stops)
        # what a whole plan's 预警 or 应急响应 says organisations do is not a duty list
        records = [r for r in records if not in_plan_sections(found, r.unit_span[0])]
        used = tuple(dict.fromkeys(t for t in (section_at(found, r.unit_span[0]) for r in records) if t))
    records = [replace(r, section=r.section or section_at(found, r.unit_span[0])) for r in records]
    return DutyList(layout, used, tuple(preamble), tuple(records))


def load_document(path: Path, meta: dict[str, str] | None = None) -> tuple[Plan, list[Record]]:
    """A document's plan and rows; ``meta`` (title, place, level, year) overrides its ``# key:`` lines."""
    source = read_source(path)
    if meta:
        source = replace(source, meta={**source.meta, **{k.lower(): v for k, v in meta.items()}})
    found = read_duty_list(source)
    if not found.records:
        raise KgError(f"{path}: no duty list found; looked for {LOOKED_FOR}")
    whole = bool(found.sections) and any(h.level <= 2 for h in headings(source.text))
    return describe_plan(source, list(found.preamble), whole=whole), list(found.records)
