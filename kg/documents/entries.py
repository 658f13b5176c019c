"""Line layouts: each entry starts a line with the unit's name, and its duties follow.

Covers "市卫生局:负责…" (a colon), "市卫生局负责…" (nothing: the name ends where its suffix does and a
duty verb begins), "市质监局 综合协调…" (a two-column table whose tab became a space), and headings
"(1)市林业局。" / "2.4.9 市交通局" / "(十一)市气象局" with the duties on the following lines.
Several units may share an entry ("市建设局、市城管局 制订…"). Lines after an entry that start no
new entry continue it; the list ends at the next section heading ("3 应急准备", "三、应急准备").
"""

from __future__ import annotations

import re

from ..models import Record, Source
from ..text import fold_width
from .names import DUTY_START, NAME_LIST, NUMBERING

_HEADING = re.compile(rf"^\s*(?:{NUMBERING}\s*)?(?P<units>{NAME_LIST})\s*[。.:：;；]?\s*$")
_INLINE = re.compile(
    rf"^\s*(?:{NUMBERING}\s*)?(?P<units>{NAME_LIST})(?:\s*[:：]\s*|[ \t\u3000]+|(?={DUTY_START}))(?P<duty>\S.*?)\s*$"
)
# "(一)监测预警由市气象局负责组织协调。": the unit stands inside the sentence, after 由.
_PASSIVE = re.compile(
    rf"^\s*(?:{NUMBERING}\s*)?(?P<duty>[^。;\n]*?由(?P<units>{NAME_LIST})(?:具体负责|负责|牵头|承担|组织)\S*?)\s*$"
)
_SECTION = re.compile(
    rf"^\s*(?:[0-9]+(?:\.[0-9]+)*\.?|[一二三四五六七八九十]+[、.]|第[一二三四五六七八九十]+[章节条部分])\s*(?!{DUTY_START})"
    r"[^,;。,;]{1,24}$"
)  # a short numbered title ("3 应急准备"), not a numbered duty ("1.负责火灾扑救。")


def _lines(text: str):
    offset = 0
    for line in text.splitlines(keepends=True):
        yield offset, line.rstrip("\r\n")
        offset += len(line)


def parse_entries(source: Source) -> tuple[list[str], list[Record]]:
    """(preamble lines, records) of a line-per-entry or heading-per-entry list."""
    preamble: list[str] = []
    records: list[Record] = []
    current: dict | None = None
    started = False

    def close() -> None:
        nonlocal current
        if current and current["end"] > current["start"]:
            start, end = current["start"], current["end"]
            records.append(
                Record(
                    row=len(records) + 1,
                    unit_text=source.text[current["unit"][0] : current["unit"][1]],
                    unit_span=current["unit"],
                    text=source.text[start:end],
                    span=(start, end),
                )
            )
        current = None

    for offset, line in _lines(source.text):
        if not line.strip() or (not started and line.startswith("#") and ":" in line):
            continue
        folded = fold_width(line)
        heading = _HEADING.match(folded)
        inline = None if heading else _INLINE.match(folded)
        passive = None if heading or inline or (current and not current.get("passive")) else _PASSIVE.match(folded)
        if passive:
            close()
            current = {"unit": (offset + passive.start("units"), offset + passive.end("units")),
                       "start": offset + passive.start("duty"), "end": offset + passive.end("duty"), "passive": True}
            started = True
        elif heading or inline:
            found = heading or inline
            close()
            unit = (offset + found.start("units"), offset + found.end("units"))
            if inline:
                current = {"unit": unit, "start": offset + inline.start("duty"), "end": offset + inline.end("duty")}
            else:
                current = {"unit": unit, "start": 0, "end": 0}
            started = True
        elif started and _SECTION.match(folded):
            break  # the next section of the plan: the list is over
        elif current is not None:
            stripped = line.strip()
            begin = offset + line.index(stripped)
            if current["end"] <= current["start"]:
                current["start"] = begin
            current["end"] = begin + len(stripped)
        elif not started:
            preamble.append(line)
    close()
    return preamble, records
