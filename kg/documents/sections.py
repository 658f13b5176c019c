"""Where a document assigns duties: its sections, and which of them to read.

A whole plan (总则, 组织体系, 预警, 应急响应, 保障措施, 附则, 附件) holds its member units' duties in
some sections (成员单位职责, 工作组职责, 部门职责, an appendix table) and mentions organisations
everywhere else ("市公安局负责现场警戒" in 应急响应 is a response measure, not a member's duty). So:

- ``headings`` finds the numbered headings (第一章, 一、, (一), 1, 1.1, 1.1.1, 1./1、, (1), 附件1),
  each with a level by its numbering style and the span it governs (up to the next heading of the
  same or a higher level). A heading whose title is an organisation's name ("2.4.9 市交通局") is an
  entry of a list (``entry``), left to the entry reader; it still ends a section of its level
  ("2.4 专家组" ends "2.3 成员单位职责").
- ``duty_sections`` keeps the sections whose title says they assign duties (职责, 职能, 分工, 任务,
  工作组, 成员单位, 责任); the reader reads only those when any of them holds entries, and the whole
  text otherwise (a bare list, a fragment of a page).
- ``mask`` blanks what lies outside chosen spans, keeping every offset, so the layout readers read
  only there and their spans still point into the document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import fold_document, fold_width, squeeze
from .names import NAME_LIST

_CN = "一二三四五六七八九十百零〇"
# (pattern of the numbering, level): smaller is higher. Chinese plans nest 一、 > (一) > 1. > (1), or
# 1 > 1.1 > 1.1.1; 附件 starts a part of its own.
_STYLES = (
    (rf"附件\s*[0-9{_CN}]*", 0),
    (rf"第[0-9{_CN}]+[章篇部分]", 1),
    (rf"第[0-9{_CN}]+节", 2),
    (rf"[{_CN}]+\s*[、.．]", 2),
    (r"[0-9]+(?:\.[0-9]+){3}\.?", 6),
    (r"[0-9]+(?:\.[0-9]+){2}\.?", 5),
    (r"[0-9]+\.[0-9]+\.?", 4),
    (rf"[(（]\s*[{_CN}]+\s*[)）]", 3),
    (r"[0-9]+(?=\s)", 2),
    (r"[0-9]+\s*[、.．]", 5),
    (r"[(（]\s*[0-9]+\s*[)）]", 6),
)
_NUMBER = re.compile("|".join(f"(?P<s{i}>{p})" for i, (p, _) in enumerate(_STYLES)))
# A heading: numbering, then a short title without sentence punctuation, perhaps a colon, and the
# end of the line.
_HEADING = re.compile(rf"^[ \t\u3000]*(?P<number>{_NUMBER.pattern})[ \t\u3000]*(?P<title>[^\n。;；,，]{{0,40}}?)"
                      r"[ \t\u3000]*[:：]?[ \t\u3000]*$", re.M)
# "三、联席会议成员单位工作职责 市环保局:…": a heading inside a line that lost its breaks.
_INLINE = re.compile(rf"(?:^|(?<=[\s。;]))(?P<number>[{_CN}]+[、.．])(?P<title>[^\s。;,:]{{2,20}})(?=\s)")
_BLANK = re.compile(r"[^\n]")
_DUTY_TITLE = re.compile(r"职责|职能|分工|任务|工作组|成员单位|成员|责任|组成及")
# The other sections of a whole plan: what they say organisations do is how the plan runs (预警,
# 应急响应, 保障措施…), not a member's duties.
_OTHER_TITLE = re.compile(r"总则|目的|依据|适用范围|工作原则|预警|预防|监测|预报|响应|处置|保障|准备|附则|善后|恢复|培训|演练|"
                          r"宣传教育|奖励|信息报告|信息发布|终止|评估|管理|实施时间")
_ENTRY_TITLE = re.compile(rf"^{NAME_LIST}\s*(?:[:：。.]|(?:主要)?(?:工作)?(?:职责|任务)|$)")


@dataclass(frozen=True)
class Section:
    title: str  # the heading as written, numbering included
    level: int
    start: int  # the heading's first character
    body: int  # where its text begins
    end: int  # where the next heading of its level or a higher one begins (or the text ends)
    entry: bool = False  # "2.4.9 市交通局": an organisation's entry, though numbered like a section

    @property
    def assigns_duties(self) -> bool:
        return bool(_DUTY_TITLE.search(self.title))

    @property
    def runs_the_plan(self) -> bool:
        """A section of a whole plan that is not about who does what (预警, 应急响应, 保障措施…)."""
        return not self.entry and not self.assigns_duties and bool(_OTHER_TITLE.search(self.title))


def _level(match: re.Match) -> int:
    name = next(k for k, v in match.groupdict().items() if v is not None and k.startswith("s"))
    return _STYLES[int(name[1:])][1]


def headings(text: str) -> list[Section]:
    """Every section heading of ``text``, in order, with the span each governs."""
    folded = fold_document(text)
    found: list[tuple[int, int, int, str]] = []  # start, body, level, title (as written)
    for m in _HEADING.finditer(folded):
        title = m.group("title").strip()
        level = _level(m)
        if level == 0 and not title:  # "附件1" alone: its title is the next line
            nxt = re.match(r"(?:\n[ \t\u3000]*)+([^\n]{2,60})", folded[m.end():])
            title = nxt.group(1).strip() if nxt else ""
        start = m.start("number")
        written = text[start:m.end()].strip()
        title = written if m.group("title").strip() else f"{written} {title}".strip()
        found.append((start, m.end(), level, squeeze(title)))
    for m in _INLINE.finditer(folded):
        if m.start() > 0 and folded[m.start() - 1] != "\n" and not any(s <= m.start() < b for s, b, _, _ in found):
            found.append((m.start(), m.end(), 2, text[m.start():m.end()]))
    found.sort()
    sections = []
    for i, (start, body, level, title) in enumerate(found):
        end = next((s for s, _, lv, _ in found[i + 1:] if lv <= level), len(text))
        entry = bool(_ENTRY_TITLE.match(_NUMBER.sub("", fold_width(title), count=1).strip()))
        sections.append(Section(title=title, level=level, start=start, body=body, end=end, entry=entry))
    return sections


def numbering_level(text: str, at: int) -> int | None:
    """The level of the numbering right before ``at`` on its line ("(1)" before "市林业局"), if any."""
    line = text.rfind("\n", 0, at) + 1
    before = fold_width(text[line:at]).strip(" \t\u3000")
    found = _NUMBER.fullmatch(before) if before else None
    return _level(found) if found else None


def list_end(sections: list[Section], first: int, levels: list[int]) -> int | None:
    """Where a list that starts at ``first`` ends when no heading says where it is: at the first
    later heading that is not an entry and stands higher than the list — than the heading the list
    starts under ("(三)…" before a task list: its sibling "(四)…" goes on), or than its entries'
    numbering ("(1)市林业局。": "3.预防" ends it); with neither, at any heading."""
    parent = [s for s in sections if s.start <= first < s.end and not s.entry]
    bounds = ([max(parent, key=lambda s: s.start).level - 1] if parent else []) + list(levels)
    highest = min(bounds) if bounds else 99
    return next((s.start for s in sections if s.start > first and not s.entry and s.level <= highest), None)


def duty_sections(sections: list[Section]) -> list[Section]:
    """The sections whose titles say they assign duties, outermost only."""
    chosen: list[Section] = []
    for section in sections:
        if section.assigns_duties and not section.entry and not any(c.start <= section.start < c.end for c in chosen):
            chosen.append(section)
    return chosen


def mask(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with every character outside ``spans`` blanked (line breaks kept): same offsets."""
    pieces, at = [], 0
    for start, end in sorted(spans):
        start = max(start, at)
        if end <= start:
            continue
        pieces.append(_BLANK.sub(" ", text[at:start]))
        pieces.append(text[start:end])
        at = end
    pieces.append(_BLANK.sub(" ", text[at:]))
    return "".join(pieces)


def in_plan_sections(sections: list[Section], offset: int) -> bool:
    """Whether ``offset`` lies in a section (or below one) that runs the plan rather than assigns duties."""
    return any(s.start <= offset < s.end and s.runs_the_plan for s in sections)


def section_at(sections: list[Section], offset: int) -> str:
    """The innermost section heading above ``offset`` (its provenance), or ""."""
    inner = [s for s in sections if s.start <= offset < s.end and not s.entry]
    return max(inner, key=lambda s: (s.level, s.start)).title if inner else ""
