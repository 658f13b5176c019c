"""The only readers of source documents: file → ``Source`` → (``Plan``, ``Record`` rows).

``load_document`` decodes a file (``source.read_source``), reads what the document says about
itself (title, place, command) and hands the text to the layout parser that recognises it.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import KgError
from ..models import Plan, Record, Source
from ..text import compact, pinyin_name, slugify
from .source import read_source
from .table import parse_table

__all__ = ["load_document", "read_source", "describe_plan"]

_APPENDIX = re.compile(r"^附件\s*[0-9一二三四五六七八九十]*$")
_PLACE = re.compile(r"^(.{1,7}?(?:自治州|自治县|特别行政区|省|市|县|区|州|盟|旗))")
_COMMAND = re.compile(r"^(.*?(?:指挥部|领导小组|委员会))")


def describe_plan(source: Source, preamble: list[str]) -> Plan:
    """Title, place and command from the ``# title:`` metadata or the lines before the list."""
    lines = [compact(line) for line in preamble if compact(line)]
    lines = [line for line in lines if not _APPENDIX.match(line)]
    title = source.meta.get("title") or next(
        (line for line in lines if "职责" in line or "指挥部" in line), lines[0] if lines else ""
    )
    title = compact(title)
    place = source.meta.get("place") or ""
    if not place:
        found = _PLACE.match(title)
        place = found.group(1) if found else ""
    stem = re.sub(r"(自治州|自治县|特别行政区|省|市|县|区|州|盟|旗)$", "", place)
    command = _COMMAND.match(title)
    return Plan(
        key=slugify(source.path.stem),
        title=title or source.name,
        place_zh=place,
        place_en=pinyin_name(stem) if stem else "",
        command_zh=command.group(1) if command else (title or source.name),
        source=source,
    )


def load_document(path: Path) -> tuple[Plan, list[Record]]:
    source = read_source(path)
    preamble, records = parse_table(source)
    if not records:
        raise KgError(f"{path}: no duty list found (expected rows of 序号, 成员单位 and 职责)")
    return describe_plan(source, preamble), records
