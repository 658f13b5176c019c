"""Tab-separated duty tables (序号 / 成员单位 / 职责), the layout of the seed plan.

Rows start with a number; the header row may repeat at page breaks; any line before the first
row (a title, "附件 1") is preamble. Cell spans are kept exact, so every character of a duty
paragraph can be traced back to the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..models import Record, Source
from ..text import compact

_HEADER = re.compile(r"(序号|编号|成员单位|单位名称|责任单位|单位|部门|主要职责|工作职责|职责|备注|完成时间|配合单位)")
_ROW_NUMBER = re.compile(r"^\s*(\d{1,3})\s*$")


def _lines(text: str) -> Iterator[tuple[int, str]]:
    offset = 0
    for line in text.splitlines(keepends=True):
        yield offset, line.rstrip("\r\n")
        offset += len(line)


def _cells(line: str, start: int) -> list[tuple[str, int, int]]:
    """Tab-separated cells with whitespace trimmed, each with its span in the source."""
    cells = []
    position = start
    for raw in line.split("\t"):
        lead = len(raw) - len(raw.lstrip())
        value = raw.strip()
        cells.append((value, position + lead, position + lead + len(value)))
        position += len(raw) + 1
    return cells


def is_header(line: str) -> bool:
    """A header row holds nothing but column names (序号 成员单位 职 责)."""
    flat = re.sub(r"\s+", "", compact(line))
    return bool(flat) and not _HEADER.sub("", flat) and len(_HEADER.findall(flat)) >= 2


def parse_table(source: Source) -> tuple[list[str], list[Record]]:
    """(preamble lines, records) of a tab-separated table."""
    preamble: list[str] = []
    records: list[Record] = []
    for start, line in _lines(source.text):
        if line.startswith("#") and not records and ":" in line:
            continue  # metadata header, see ingest.source
        cells = _cells(line, start)
        number = _ROW_NUMBER.match(cells[0][0]) if len(cells) >= 3 else None
        if number and cells[1][0] and cells[2][0]:
            unit, duty = cells[1], cells[2]
            records.append(
                Record(
                    row=int(number.group(1)),
                    unit_text=unit[0],
                    unit_span=(unit[1], unit[2]),
                    text=duty[0],
                    span=(duty[1], duty[2]),
                )
            )
        elif is_header(line):
            continue
        elif not records and line.strip():
            preamble.append(line)
    return preamble, records
