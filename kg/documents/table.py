"""Tab-separated duty tables: 序号 / 成员单位 / 职责 (the seed's layout), and tables of work groups
(序号 / 工作组 / 牵头单位 (组长单位) / 成员单位 (配合单位) / 职责).

Rows start with a number; the header row may repeat at page breaks; any line before the first
row (a title, "附件 1") is preamble. The header, when there is one, says which column is which:
the units of a lead column carry the row's duties as written, those of a member column (成员单位
beside a 牵头单位 column, 配合单位, 协助单位) in a support role, and a work group column names the
group the row's units serve in. Without a header, three cells are number, unit and duties; four,
when the second names a group (…组), number, group, unit and duties. Cell spans are kept exact, so
every character of a duty paragraph can be traced back to the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..models import Record, Source
from ..text import compact

_HEADER = re.compile(
    r"(序号|编号|工作组名称|工作组|组别|组名|专项工作组|牵头单位|组长单位|成员单位|配合单位|协助单位|参与单位|责任单位|主责单位|"
    r"单位名称|单位|部门|主要职责|工作职责|职责|工作任务|主要任务|任务|备注|完成时间|完成时限)"
)
_COLUMN_KINDS = (
    ("number", re.compile(r"^(?:序号|编号)$")),
    ("group", re.compile(r"^(?:工作组名称|工作组|组别|组名|专项工作组)$")),
    ("member", re.compile(r"^(?:配合单位|协助单位|参与单位)$")),
    ("lead", re.compile(r"^(?:牵头单位|组长单位|责任单位|主责单位|单位名称|成员单位|单位|部门)$")),
    ("duty", re.compile(r"^(?:主要职责|工作职责|职责|工作任务|主要任务|任务)$")),
)
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


def _columns(line: str) -> list[str]:
    """What each column of a header row holds: number, group, lead, member, duty or other."""
    kinds = []
    for cell in line.split("\t"):
        name = re.sub(r"\s+", "", compact(cell))
        kinds.append(next((kind for kind, pattern in _COLUMN_KINDS if pattern.match(name)), "other"))
    if kinds.count("lead") > 1:  # 牵头单位 and 成员单位: the second is the members
        second = kinds.index("lead", kinds.index("lead") + 1)
        kinds[second] = "member"
    return kinds


def _default(cells: list[tuple[str, int, int]]) -> list[str]:
    if len(cells) >= 4 and cells[1][0].endswith("组"):
        return ["number", "group", "lead", "duty"] + ["other"] * (len(cells) - 4)
    return ["number", "lead", "duty"] + ["other"] * (len(cells) - 3)


def parse_table(source: Source) -> tuple[list[str], list[Record]]:
    """(preamble lines, records) of a tab-separated table."""
    preamble: list[str] = []
    records: list[Record] = []
    columns: list[str] | None = None
    for start, line in _lines(source.text):
        if line.startswith("#") and not records and ":" in line:
            continue  # metadata header, see documents.source
        if "\t" in line and is_header(line):
            columns = _columns(line)
            continue
        cells = _cells(line, start)
        kinds = columns if columns and len(columns) == len(cells) else _default(cells)
        cell = {kind: cells[i] for i, kind in reversed(list(enumerate(kinds))) if i < len(cells)}
        number = _ROW_NUMBER.match(cell["number"][0]) if len(cells) >= 3 and "number" in cell else None
        duty = cell.get("duty")
        lead = cell.get("lead") if cell.get("lead") and cell["lead"][0] else cell.get("group")
        if number and duty and duty[0] and lead and lead[0]:
            group = cell["group"][0] if "group" in cell and cell["group"] is not lead else ""
            records.append(Record(row=len(records) + 1, unit_text=lead[0], unit_span=(lead[1], lead[2]),
                                  text=duty[0], span=(duty[1], duty[2]), group=group))
            member = cell.get("member")
            if member and member[0]:
                records.append(Record(row=len(records) + 1, unit_text=member[0], unit_span=(member[1], member[2]),
                                      text=duty[0], span=(duty[1], duty[2]), group=group, role="support"))
        elif not records and line.strip() and not is_header(line):
            preamble.append(line)
    return preamble, records
