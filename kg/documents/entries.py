"""Entries of a duty list in any layout: an organisation (or several) and what it must do.

One reader for the layouts found in the wild, which differ only in what stands between the name and
its duties and in what separates one entry from the next:

- "市卫生局:负责…" / "市卫生局。负责…" / "市卫生局,牵头负责…" / "市卫生局负责…" (nothing) /
  "市林业局将…" (news and work reports) / "市质监局 综合协调…" (a table whose tab became a space) /
  "县经济局主要工作任务:" — on their own lines, run together in one paragraph or on one line
  ("…。 市水利局:…", "…;市气象局将…"), or as headings ("(1)市林业局。", "2.4.9 市交通局",
  "(十一)市气象局") with the duties on the lines below;
- several units sharing an entry ("市农委、市卫生局和市红十字会负责…", "A、B及事发地人民政府:");
- work groups whose table lost its separators ("2抢险救援组应急管理局主要负责…"): the group is kept
  as the record's group, the unit after it is the member;
- passive clauses ("(一)监测预警由市气象局负责组织协调。");
- task lists with role fields ("(三)加强道路扬尘管控。牵头单位:区城管局;配合单位:区交通运输局"):
  the task is the duty of the lead units, and of the co-operating units in a support role.

An entry starts only where a new sentence or line can start (a line start, after 。 or ;, after a
space, after a comma when a modal or 负责 follows the name) and runs to the next entry, heading or
the end of the list. A paragraph that begins with 此外, 其他成员…, 各成员单位…, or with another
organisation that is not an entry ("市森林防火指挥部其他成员随时听候调遣") ends the list, so the text
after a list is never credited to its last unit. All matching is on width-folded text, whose
offsets equal the source's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..models import Record, Source
from ..text import fold_document
from .names import FOLLOWS, JOINER, NAME, NAME_LIST, NUMBERING, is_generic

_SPACE = r"[ \t\u3000]"
_ENTRY = re.compile(
    rf"(?P<lead>(?:{NUMBERING}|[0-9]{{1,2}}(?=[^0-9\s]{{2,14}}?组)){_SPACE}*)?"
    rf"(?:要求)?"
    rf"(?:(?P<group>[^\s0-9,;:。、()]{{2,14}}?组)(?={NAME_LIST}{_SPACE}*(?:{FOLLOWS}|[:：]|主要)))?"
    rf"(?P<units>{NAME_LIST})"
    rf"(?P<sep>{_SPACE}*[:：]{_SPACE}*"
    rf"|{_SPACE}*(?:主要)?(?:工作)?(?:职责|任务|工作任务){_SPACE}*[:：]?{_SPACE}*"
    rf"|{_SPACE}*[。.]{_SPACE}*(?=\n|{FOLLOWS}|由)"
    rf"|{_SPACE}*,{_SPACE}*(?=牵头|负责|主要负责|具体负责|配合|协助|会同)"
    rf"|{_SPACE}+(?=[^\s:：,。;])"
    rf"|(?={FOLLOWS})"
    rf"|{_SPACE}*(?=\n|$))"
)
_PASSIVE = re.compile(rf"(?P<lead>{NUMBERING}{_SPACE}*)?(?P<duty>[^。;\n]{{2,40}}?由(?P<units>{NAME_LIST})"
                      r"(?:具体负责|负责|牵头|承担|组织)[^。;\n]*)")
# After a comma, only a name followed by what marks a task given to it starts an entry.
_COMMA_FOLLOWS = re.compile(r"将|要|负责|牵头|主要负责|具体负责|[:：]")
# Role fields of a task list: the units after a lead label lead the task, the others support it.
_LEAD_LABEL = r"(?:工作)?(?:牵头|责任|主责|负责|主办|组长)(?:单位|部门)"
_SUPPORT_LABEL = r"(?:工作)?(?:配合|协助|协办|参与|成员)(?:单位|部门)"
_FIELD = re.compile(rf"(?P<label>{_LEAD_LABEL}|{_SUPPORT_LABEL}){_SPACE}*[:：]{_SPACE}*"
                    rf"(?P<units>{NAME_LIST}(?:[,、]{NAME_LIST})*)(?=[\s;,。)、]|$)")
_SUPPORT = re.compile(r"(?:工作)?(?:配合|协助|协办|参与|成员)")
# A group's members in its description: "由市应急管理局牵头,市公安局、市交通局参加".
_MEMBERS = re.compile(rf"由(?P<lead>{NAME_LIST})(?:牵头|任组长单位|负责)[,、]?"
                      rf"(?:(?P<members>{NAME_LIST})(?:等(?:单位|部门)?)?(?:参加|配合|组成|参与|为成员单位))?")
# What ends a list when it begins a paragraph: the text after the list, about everyone or no one.
_TRAILER = re.compile(r"(?:此外|另外|除此之外|除上述|除以上|其他成员|其余成员|其它成员|其他有关|其他相关|其他各|以上|上述|"
                      r"本预案|本方案|注[:：]|备注|附[:：]|各成员单位|各有关|各相关|各部门|各单位|有关部门|相关部门)")
_LABEL = re.compile(rf"[。;,:]?{_SPACE}*(?:(?:主要|工作)*(?:职责|任务){_SPACE}*[:：]{_SPACE}*)?")
_LEADING = re.compile(rf"{_SPACE}*(?:{NUMBERING})?{_SPACE}*")


@dataclass
class _Entry:
    start: int  # where the entry begins (its numbering, if any)
    units: tuple[int, int]
    duty: int  # where its duties begin
    group: str = ""
    end: int | None = None  # fixed end (a passive clause); else the next stop
    role: str = ""


_BOUNDARY = re.compile(r"\n|[。;]|[ \t\u3000]+(?=\S)|,|(?<![0-9.])(?=[0-9])")
_KINDS = {"\n": "line", "。": "sentence", ";": "sentence", ",": "comma"}


def _boundaries(folded: str) -> list[tuple[int, str]]:
    """Where an entry may start, and what kind of place it is (line, sentence, space, comma, digit)."""
    found = {0: "line"}
    for m in _BOUNDARY.finditer(folded):
        c = m.group()
        if not c:
            found.setdefault(m.start(), "digit")
        elif c in _KINDS:
            found[m.end()] = "line" if c == "\n" else found.get(m.end(), _KINDS[c])
        else:  # spaces: the entry starts after them
            found.setdefault(m.end(), "space")
    out = []
    for i, kind in sorted(found.items()):
        j = i
        while j < len(folded) and folded[j] in " \t\u3000":  # "…。 市水利局:": after the spaces
            j += 1
        out.append((j, kind))
    return out


def _entries(folded: str) -> list[_Entry]:
    entries: list[_Entry] = []
    taken = -1
    for at, kind in _boundaries(folded):
        if at <= taken or at >= len(folded) or folded[at] == "\n":
            continue
        found = _ENTRY.match(folded, at)
        if found:
            units = found.group("units")
            names = re.split(JOINER, units)
            if any(is_generic(n) for n in names):
                continue
            if kind == "digit" and not found.group("group") and not units.endswith("组"):
                continue  # bare digits start an entry only before a work group ("2抢险救援组…")
            sep = found.group("sep")
            if kind == "comma" and ":" not in sep and not _COMMA_FOLLOWS.match(folded, found.end()):
                continue
            entries.append(_Entry(start=at, units=found.span("units"), duty=found.end(),
                                  group=found.group("group") or ""))
            taken = found.end("units")
            continue
        passive = _PASSIVE.match(folded, at) if kind in ("line", "sentence") else None
        if passive:
            entries.append(_Entry(start=at, units=passive.span("units"), duty=passive.start("duty"),
                                  end=passive.end("duty")))
            taken = passive.end("duty")
    return entries


def _stops(folded: str, headings: Sequence[int]) -> list[int]:
    """Where a duty must end though no entry begins: headings, and paragraphs after the list."""
    stops = list(headings)
    for m in re.finditer(r"(?:^|\n)" + _SPACE + "*", folded):
        line = m.end()
        rest = folded[line:line + 60]
        if not rest or rest[0] == "\n":
            continue
        lead = _LEADING.match(rest)
        body = rest[lead.end():] if lead else rest
        if _TRAILER.match(body):
            stops.append(line)
            continue
        other = re.match(NAME_LIST, body)
        if other and not _ENTRY.match(folded, line):
            stops.append(line)  # "市森林防火指挥部其他成员随时听候调遣": someone else's sentence
    return sorted(set(stops))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " \t\u3000\n":
        start += 1
    while end > start and text[end - 1] in " \t\u3000\n":
        end -= 1
    return start, end


def parse_entries(source: Source, headings: Sequence[int] = ()) -> tuple[list[str], list[Record]]:
    """(preamble lines, records) of a list of entries, in any of the layouts above. ``headings``:
    offsets of section headings, where a duty ends."""
    text = source.text
    folded = fold_document(text)
    entries = _entries(folded)
    stops = _stops(folded, headings)
    fields = list(_FIELD.finditer(folded))
    records: list[Record] = []

    def add(units: tuple[int, int], span: tuple[int, int], group: str = "", role: str = "") -> None:
        start, end = _trim(text, *span)
        label = _LABEL.match(folded, start, end)  # "。主要职责:" before a group's duties
        start = label.end() if label else start
        if end <= start or not re.search(r"[\u4e00-\u9fff]", text[start:end]):
            return
        records.append(Record(row=len(records) + 1, unit_text=text[units[0]:units[1]], unit_span=units,
                              text=text[start:end], span=(start, end), group=group, role=role))

    field_starts = [f.start() for f in fields]
    for i, entry in enumerate(entries):
        limit = entries[i + 1].start if i + 1 < len(entries) else len(text)
        end = entry.end if entry.end is not None else min(
            [limit, *(s for s in stops if s > entry.duty), *(s for s in field_starts if s > entry.duty)])
        members = _MEMBERS.search(folded, entry.duty, end) if entry.group or _is_group(folded, entry) else None
        if members and members.start() - entry.duty <= 4:
            # a work group's description: its lead and members carry its duties (the text after it)
            duty = (members.end(), end)
            add(members.span("lead"), duty, group=text[entry.units[0]:entry.units[1]], role="lead")
            if members.group("members"):
                add(members.span("members"), duty, group=text[entry.units[0]:entry.units[1]], role="support")
            continue
        add(entry.units, (entry.duty, end), group=entry.group)
    _tasks(text, folded, fields, entries, stops, add)
    first = min([r.span[0] for r in records] + [r.unit_span[0] for r in records], default=len(text))
    preamble = [line for line in text[:first].splitlines() if line.strip()]
    records.sort(key=lambda r: (r.unit_span[0], r.span[0]))
    return preamble, [_renumber(r, n) for n, r in enumerate(records, start=1)]


def _is_group(folded: str, entry: _Entry) -> bool:
    return folded[entry.units[0]:entry.units[1]].rstrip().endswith("组")


def _renumber(record: Record, row: int) -> Record:
    from dataclasses import replace

    return replace(record, row=row)


def _tasks(text: str, folded: str, fields: list[re.Match], entries: list[_Entry], stops: list[int], add) -> None:
    """Task lists: each cluster of role fields gives its task to the units it names."""
    i = 0
    while i < len(fields):
        cluster = [fields[i]]
        while i + 1 < len(fields) and re.fullmatch(r"[\s;,。、()]*", folded[cluster[-1].end():fields[i + 1].start()]):
            i += 1
            cluster.append(fields[i])
        i += 1
        first, last = cluster[0].start(), cluster[-1].end()
        owner = next((e for e in reversed(entries) if e.duty <= first and (e.end is None or e.end >= first)), None)
        if owner is not None and not any(owner.start < s <= first for s in stops):
            task = (owner.duty, first)  # "协助单位:…" under a unit's entry: they assist with its tasks
        else:
            task = _task_before(folded, first, stops, fields)
            after = _task_after(folded, last, stops, fields, entries)
            if after is not None:
                task = after  # "(一)安全保卫。牵头单位:…\n负责…": the lines below say what the task is
        for field in cluster:
            role = "support" if _SUPPORT.match(field.group("label")) else "lead"
            add(field.span("units"), task, role=role)


def _task_after(folded: str, at: int, stops: list[int], fields: list[re.Match], entries: list[_Entry]):
    """The lines that follow a task's role fields and describe it, up to the next task, if any."""
    start = folded.find("\n", at)
    if start < 0 or folded[at:start].strip(" \t\u3000;,。)"):
        return None  # more on the fields' own line: they close their task
    if re.match(rf"\s*(?:{NUMBERING}|{_LEAD_LABEL}|{_SUPPORT_LABEL})", folded[start:]):
        return None  # the next line is the next task (or more fields)
    nexts = [s for s in stops if s > start] + [f.start() for f in fields if f.start() > start]
    nexts += [e.start for e in entries if e.start > start]
    end = min(nexts + [len(folded)])
    line = folded.rfind("\n", start + 1, end)
    if any(f.start() == end for f in fields) and line > start:
        end = line  # the next task's heading line belongs to the next task
    return (start, end) if folded[start:end].strip() else None


def _task_before(folded: str, at: int, stops: list[int], fields: list[re.Match]) -> tuple[int, int]:
    """The task a role field belongs to: the text before it, back to its numbering or heading."""
    end = at
    while end > 0 and folded[end - 1] in " \t\u3000(\n":
        end -= 1
    line = folded.rfind("\n", 0, end) + 1
    earlier = max([f.end() for f in fields if f.end() <= end] + [s for s in stops if s <= end] + [line])
    start = earlier
    if not folded[start:end].strip(" \t\u3000;,。()"):  # the field stands on its own line: the line above
        prev = folded.rfind("\n", 0, max(0, line - 1)) + 1
        start, end = prev, max(prev, line - 1)
    lead = _LEADING.match(folded, start)
    return (lead.end() if lead else start), end


__all__ = ["parse_entries", "NAME"]
