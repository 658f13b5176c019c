"""Flattened multi-column tables: a duty table whose cells lost their borders on a web page.

"工作任务和内容 责任单位 配合单位 完成时间 负责全县…曝光. 县委宣传部 持续开展 负责大气污染…" — the
header names the columns, then each row runs task text, responsible unit(s), co-operating unit(s)
and a deadline, separated by spaces. Cells are told apart by what they look like: a unit is a whole
name (two cells when a space split one: "县交通 运输局"), a deadline is a date or "持续开展", the rest
is task text. The task before a unit is that unit's duty; units after it, before the deadline, are
its co-operating units (partners, not members).
"""

from __future__ import annotations

import re

from ..models import Record, Source
from ..text import fold_width
from .names import is_name, looks_like_place_start

_COLUMN = r"(?:工作任务和内容|工作任务|任务内容|主要任务|工作内容|工作职责|职责|责任单位|牵头单位|成员单位|配合单位|协办单位|完成时间|完成时限|时限)"
_HEADER = re.compile(rf"{_COLUMN}(?:\s+{_COLUMN}){{2,}}")
_DEADLINE = re.compile(
    r"^(?:持续开展|长期坚持|长期|常态化|立即开展|"
    r"(?:\d{4}年)?\d{1,2}月(?:\d{1,2}日)?(?:底|中旬|上旬|下旬|末)?(?:前|以前|之前)\S*|年底前\S*|\d{4}年底前\S*)$"
)
_TOKEN = re.compile(r"\S+")


def parse_flat_table(source: Source) -> tuple[list[str], list[Record]]:
    folded = fold_width(source.text)
    header = _HEADER.search(folded)
    if header is None or "\t" in folded[header.start() : header.end()]:
        return [], []
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(folded, header.end())]
    preamble = [source.text[: header.start()]]
    records: list[Record] = []
    task: list[int] | None = None  # [start, end] of the task text waiting for its unit
    unit: tuple[int, int] | None = None
    partners: list[tuple[int, int]] = []

    def word(i: int) -> str:
        return folded[tokens[i][0] : tokens[i][1]]

    def close() -> None:
        nonlocal unit, partners, task
        if unit and task:
            records.append(
                Record(
                    row=len(records) + 1,
                    unit_text=re.sub(r"\s+", "", source.text[unit[0] : unit[1]]),
                    unit_span=unit,
                    text=source.text[task[0] : task[1]],
                    span=(task[0], task[1]),
                    partners_text="、".join(re.sub(r"\s+", "", source.text[a:b]) for a, b in partners),
                )
            )
            task = None
        unit, partners = None, []

    i = 0
    while i < len(tokens):
        span: tuple[int, int] | None = None
        if i + 1 < len(tokens) and not looks_like_place_start(word(i + 1)) and is_name(word(i) + word(i + 1)):
            span = (tokens[i][0], tokens[i + 1][1])  # one name split by a space
        elif is_name(word(i)):
            span = tokens[i]
        if span is not None:
            if unit is None and task is not None:
                unit = span
            elif unit is not None:
                partners.append(span)
            i += 2 if span[1] != tokens[i][1] else 1
            continue
        if _DEADLINE.match(word(i)):
            close()
        else:
            if unit is not None:
                close()
            if task is None:
                task = [tokens[i][0], tokens[i][1]]
            else:
                task[1] = tokens[i][1]
        i += 1
    close()
    return preamble, records
