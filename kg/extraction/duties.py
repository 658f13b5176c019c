"""Records → duties: segmentation into obligations, then actions, objects, issues, role, partners.

Takes a ``Plan``, its ``Record`` rows and the ``Thesaurus``; returns an ``ExtractedPlan``. Pure: no
files, no globals. The domain rules live here, each with the reason it holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from ..documents.names import is_name, looks_like_place_start, split_adjacent
from ..models import Duty, ExtractedPlan, Plan, Record, Span, Unit
from ..text import fold_width, pinyin_name, squeeze
from .thesaurus import Thesaurus

SENTENCE_ENDS = ";。\n"  # after width folding; "；" becomes ";". A line break ends a duty too.
# Web copies often end Chinese sentences with a half-width full stop: "…曝光.负责…".
CJK_STOP = re.compile(r"(?<=[\u4e00-\u9fff)）])\.(?=[\u4e00-\u9fff\s]|$)")
COMMAS = ","
OPEN, CLOSE = "(“‘[《", ")”’]》"

# Role markers. 会同/联合/与…共同 make a duty shared between equals (joint); 配合/协助 put the unit in
# a supporting position; 牵头/负责 (or no marker: the unit acts alone) make it the lead.
JOINT = re.compile(r"会同|联合|协同|与(?=[^,;。]{2,30}?共同)")
SUPPORT = re.compile(r"配合|协助")
LEAD = re.compile(r"牵头|负责|主管")
# Words after which a partner organisation is named.
PARTNER_CUE = re.compile(r"会同|联合|协同|配合|协助|协调|与")
# A part that is only a frame (time, basis, condition) is not an obligation on its own.
FRAME_START = re.compile(r"^(?:负责|牵头|积极|及时)?(?:在|根据|按照|依据|依照|当|于|遇)")
FRAME_END = re.compile(r"(?:的|时|期间|之前|之后|以后|以前)$")
CONNECTIVE = re.compile(r"^(?:并将|并|同时|负责|牵头|会同|配合|协助|联合)")
# A negated verb (未落实 "failed to implement") names a violation, not something the unit does; the
# words after 用于 ("funds used for prevention, warning…") are the purpose of the duty, not more duties.
NEGATED = re.compile(r"(?:未按要求|未按规定|未|不|没有)[\u4e00-\u9fff]{2}")
PURPOSE = re.compile(r"用于")
# Formulaic duties every member carries; typed so they stay out of answers and overlap counts.
BOILERPLATE = (
    re.compile(r"完成.{0,12}交办的其他(?:相关|有关)?(?:工作|任务|事项)"),
    re.compile(r"^编制本(?:部门|单位|系统|行业).{0,40}(?:预案|方案)$"),
    # Only the generic measures: "未按要求落实错峰生产的…查处" names a duty no one else has.
    re.compile(r"(?:未落实|未执行|不落实)(?:应急)?(?:减排)?(?:措施|工作|要求)的?,?依法依规.{0,6}(?:查处|处理|处罚)"),
)
# Organisation-name endings for names the agency thesaurus does not know.
ORG_SUFFIX = re.compile(
    r"(?:局|委|办|厅|部|队|站|所|院|中心|公司|集团|管委会|政府|办公室|支队|大队|总队|协会|学会|台|行|社|会)$"
)
LEVELS = {"市": "Municipal", "县": "County", "区": "District", "省": "Provincial", "乡": "Township", "镇": "Town"}
QUALIFIERS = {
    "国网": "State Grid",
    "县(市、区)": "County-level",
    "县(市,区)": "County-level",
    "市属": "Municipal",
    "县属": "County",
    "市委": "Municipal",
    "县委": "County",
}


# ---------------------------------------------------------------- units


def split_unit_cell(cell: str) -> list[tuple[str, Span]]:
    """A unit cell may name several members, separated by 、 outside brackets, or by 和/及 between two
    whole names (市卫生局和市红十字会, but not 工业和信息化局)."""
    parts: list[tuple[str, Span]] = []
    depth, start = 0, 0
    folded = fold_width(cell)
    for i, char in enumerate(folded + "、"):
        joins = char in "和及" and is_name(folded[start:i]) and looks_like_place_start(folded[i + 1 :]) and any(
            is_name(folded[i + 1 : j]) for j in range(i + 3, len(folded) + 1)
        )
        if char in OPEN:
            depth += 1
        elif char in CLOSE:
            depth = max(0, depth - 1)
        elif (char == "、" or joins) and depth == 0:
            name = squeeze(cell[start:i])  # 县交通 运输局 → 县交通运输局
            if name:
                parts.append((name, (start, i)))
            start = i + 1
    if len(parts) > 1 and not all(ORG_SUFFIX.search(fold_width(n)) or is_name(n) for n, _ in parts):
        return [(squeeze(cell), (0, len(cell)))]  # a 、 inside one name, not a list of members
    # names a table run together ("县应急管理局县政府办"): each its own member
    return [(squeeze(name[a:b]), (start + a, start + b)) for name, (start, _) in parts
            for a, b in split_adjacent(fold_width(name))]


def _english_name(name: str, plan: Plan, type_en: str, label: str, collective: bool,
                  type_labels: tuple[str, ...] = ()) -> str:
    rest = fold_width(name)[: len(name) - len(label)]
    rest = rest.removeprefix("各")
    words: list[str] = []
    place_done = False
    stem = plan.place_zh[:-1] if len(plan.place_zh) > 2 else plan.place_zh
    while rest:
        if plan.place_zh and rest.startswith(plan.place_zh):
            words.append(plan.place_en)
            rest, place_done = rest[len(plan.place_zh):], True
            continue
        if stem and rest.startswith(stem):
            words.append(plan.place_en)
            rest, place_done = rest[len(stem):], True
            continue
        qualifier = next((q for q in sorted(QUALIFIERS, key=len, reverse=True) if rest.startswith(q)), None)
        if qualifier:
            words.append(QUALIFIERS[qualifier])
            rest = rest[len(qualifier):]
            continue
        if rest[0] in LEVELS:
            words.append(LEVELS[rest[0]])
            rest = rest[1:]
            continue
        # Up to the place name, if it comes later (国网聊城…, 中国联通葫芦岛…): a qualifier in pinyin,
        # or nothing when the agency type already says it (武警 of 武警支队, 中国联通 of 联通公司).
        at = [rest.find(p, 1) for p in (plan.place_zh, stem) if p and rest.find(p, 1) > 0]
        chunk = rest[: min(at)] if at else rest
        if not any(chunk in t for t in type_labels):
            words.append(pinyin_name(chunk))
        rest = rest[len(chunk):]
        if not at:
            break
    if not place_done and plan.place_en:
        level_at = next((i for i, w in enumerate(words) if w in LEVELS.values() or w == "County-level"), 0)
        words.insert(level_at, plan.place_en)
    noun = type_en + ("s" if collective and not type_en.endswith("s") else "")
    return " ".join([*words, noun]).replace("  ", " ").strip()


WORKING_GROUP = "https://w3id.org/dutygraph/concept/agency/working-group"
OTHER_ORGANISATION = "https://w3id.org/dutygraph/concept/agency/other-organisation"
# The head noun of a name of unknown kind, in English (longest first): 县保险协会 → "… Association".
HEAD_NOUNS = sorted({
    "中心": "Center", "公司": "Company", "分公司": "Branch Company", "集团": "Group", "协会": "Association",
    "委员会": "Committee", "委会": "Committee", "办公室": "Office", "办": "Office", "局": "Bureau", "委": "Commission",
    "站": "Station", "所": "Station", "队": "Team", "大队": "Brigade", "支队": "Detachment", "院": "Institute",
    "部": "Department", "部门": "Department", "机构": "Agency", "单位": "Unit", "会": "Association", "社": "Society",
    "台": "Station", "馆": "Center", "处": "Division", "科": "Section", "室": "Office", "联": "Federation",
    "政府": "Government", "段": "Section", "银行": "Bank", "医院": "Hospital", "学校": "School",
}.items(), key=lambda item: -len(item[0]))


def _other_english(name: str, plan: Plan) -> str:
    """An English name for a unit of unknown kind: its place and level as for any unit, the rest in
    pinyin, and its head noun translated ("县保险协会" → "Fengning County Baoxian Association")."""
    noun = next(((zh, en) for zh, en in HEAD_NOUNS if name.endswith(zh) and len(name) > len(zh)), None)
    if noun is None:
        return pinyin_name(name)
    return _english_name(name, plan, noun[1], noun[0], False)
WORK_GROUP = re.compile(r"(?:工作组|小组|组)$")
COLLECTIVE = re.compile(r"^(?:各|其他|其它|有关|相关)|^(?:市|县|区|省)属")


def make_unit(name: str, plan: Plan, thesaurus: Thesaurus) -> Unit:
    if WORK_GROUP.search(name) and not name.endswith("组织"):
        # A group the command sets up (抢险救灾组): typed as such, named as written.
        found = thesaurus.agency_for(name)
        group = found[0].iri if found else WORKING_GROUP
        return Unit(name=name, label_en=f"{plan.place_en} {pinyin_name(name[:-1])} Group".strip(),
                    agency_type=group if group in thesaurus.concepts else None, work_group=True)
    collective = bool(COLLECTIVE.search(name))
    found = thesaurus.agency_for(name)
    english_of = name
    if found is None and plan.place_zh:
        # The place inside the name splits the type: 武警葫芦岛市支队 is a 武警支队.
        stem = plan.place_zh[:-1] if len(plan.place_zh) > 2 else plan.place_zh
        for place in (plan.place_zh, stem):
            if place and place in name[1:]:
                english_of = name.replace(place, "", 1)
                found = thesaurus.agency_for(english_of)
                if found:
                    break
    if found is None:
        # A kind the thesaurus does not know: "other", and an English name from its own words
        other = OTHER_ORGANISATION if OTHER_ORGANISATION in thesaurus.concepts else None
        return Unit(name=name, label_en=_other_english(name, plan), agency_type=other, collective=collective)
    concept, label = found
    return Unit(
        name=name,
        label_en=_english_name(english_of, plan, concept.pref_en, label, collective, concept.labels_zh),
        agency_type=concept.iri,
        collective=collective,
    )


# ---------------------------------------------------------------- segmentation


def _split_outside_brackets(text: str, seps: str) -> list[Span]:
    """Spans of the pieces between separators (the separators themselves excluded)."""
    if any(char in text for char in OPEN):
        cuts = _cuts_outside_brackets(text, seps)
    else:  # most text has no brackets, and then every separator cuts: a regex finds them quicker
        cuts = [m.start() for m in _separator_pattern(seps).finditer(text)]
    pieces = zip([0, *(cut + 1 for cut in cuts)], [*cuts, len(text)])
    return [(a, b) for a, b in pieces if text[a:b].strip()]


def _cuts_outside_brackets(text: str, seps: str) -> list[int]:
    cuts: list[int] = []
    depth = 0
    for i, char in enumerate(text):
        if char in OPEN:
            depth += 1
        elif char in CLOSE:
            depth = max(0, depth - 1)
        elif char in seps and depth == 0:
            cuts.append(i)
    return cuts


@lru_cache(maxsize=None)
def _separator_pattern(seps: str) -> re.Pattern:
    return re.compile(f"[{re.escape(seps)}]")


def _trim(text: str, span: Span) -> Span:
    a, b = span
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def _is_complete(part: str) -> bool:
    """Whether a comma-separated part is a whole obligation rather than a frame for the next."""
    return not (FRAME_START.search(part) or FRAME_END.search(part))


def _starts_obligation(part: str, thesaurus: Thesaurus) -> bool:
    return bool(CONNECTIVE.search(part) or thesaurus.find(part, "action"))


def segment(text: str, thesaurus: Thesaurus) -> list[tuple[Span, int]]:
    """Clause spans inside ``text`` with the number of the sentence (；-part) each belongs to.

    Split at ；; and 。, then at ，, where the part after has its own verb and the part before is
    already a complete obligation ("负责修订预案,指导…编制方案" is two duties, but "对…未落实…的,
    依法依规严肃查处" is one).
    """
    folded = CJK_STOP.sub("。", fold_width(text))
    clauses: list[tuple[Span, int]] = []
    for number, sentence in enumerate(_split_outside_brackets(folded, SENTENCE_ENDS)):
        parts = [
            (sentence[0] + a, sentence[0] + b)
            for a, b in _split_outside_brackets(folded[sentence[0] : sentence[1]], COMMAS)
        ]
        if not parts:  # a sentence of commas alone (";,") says nothing
            continue
        current, last = parts[0], parts[0]
        for part in parts[1:]:
            before, after = folded[last[0] : last[1]], folded[part[0] : part[1]]
            if _is_complete(before.strip()) and _starts_obligation(after.strip(), thesaurus):
                clauses.append((_trim(folded, current), number))
                current = part
            else:
                current = (current[0], part[1])
            last = part
        clauses.append((_trim(folded, current), number))
    return clauses


# ---------------------------------------------------------------- clause analysis


def _org_name_at(text: str, start: int, thesaurus: Thesaurus) -> str | None:
    """The organisation name that begins at ``start``: a short prefix (place, level) and a type."""
    best: str | None = None
    for end in range(start + 2, min(len(text), start + 24) + 1):
        candidate = text[start:end]
        if any(c in candidate for c in ",;。、 ") or "等" in candidate[1:]:
            break
        found = thesaurus.agency_for(candidate)
        if found is not None and found[1] == candidate[-len(found[1]):] and len(candidate) - len(found[1]) <= 6:
            best = candidate
        elif best is None and ORG_SUFFIX.search(candidate) and len(candidate) <= 12 and candidate[0] in "市县区省国中":
            best = candidate
    return best


def find_partners(text: str, thesaurus: Thesaurus) -> list[tuple[str, Span]]:
    """Organisations named after 会同/联合/配合/协助/与 (a list joined by 、/和/及 counts)."""
    found: list[tuple[str, Span]] = []
    for cue in PARTNER_CUE.finditer(text):
        position = cue.end()
        while position < len(text):
            name = _org_name_at(text, position, thesaurus)
            if not name:
                break
            found.append((name, (position, position + len(name))))
            position += len(name)
            if position < len(text) and text[position] in "、和及与":
                position += 1
                continue
            break
    unique: dict[str, Span] = {}
    for name, span in found:
        unique.setdefault(name, span)
    return list(unique.items())


def _role(text: str) -> str | None:
    if JOINT.search(text):
        return "joint"
    if SUPPORT.search(text):
        return "support"
    if LEAD.search(text):
        return "lead"
    return None


def _mask(text: str, spans: Iterable[Span]) -> str:
    chars = list(text)
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    return "".join(chars)


def _concepts(text: str, scheme: str, thesaurus: Thesaurus) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for match in thesaurus.find(text, scheme):
        seen.setdefault(match.concept.iri, None)
    return tuple(seen)


def _not_performed(text: str) -> list[Span]:
    """Stretches whose verbs the unit does not perform: negated (未落实) or a purpose (用于…)."""
    spans = [m.span() for m in NEGATED.finditer(text)]
    purpose = PURPOSE.search(text)
    if purpose:
        spans.append((purpose.end(), len(text)))
    return spans


def is_boilerplate(text: str) -> bool:
    flat = fold_width(text)
    return any(p.search(flat) for p in BOILERPLATE)


# ---------------------------------------------------------------- the stage


def _duties(record: Record, members: tuple[Unit, ...], thesaurus: Thesaurus) -> Iterator[tuple[Duty, list[str]]]:
    folded = fold_width(record.text)
    # A 配合单位 column names partners for every duty of the row.
    column = tuple(name for name, _ in split_unit_cell(record.partners_text)) if record.partners_text else ()
    inherited: dict[int, tuple[str | None, tuple[str, ...]]] = {}
    for index, ((a, b), sentence) in enumerate(segment(record.text, thesaurus), start=1):
        clause = folded[a:b]
        partners = find_partners(clause, thesaurus)
        names = tuple(dict.fromkeys((*(name for name, _ in partners), *column)))
        masked = _mask(clause, (s for _, s in partners))
        role = _role(masked)
        if sentence not in inherited:
            inherited[sentence] = (role, names)
        elif role is None:
            # An unmarked comma part stays under the marker (and partners) that open its sentence.
            role, names = inherited[sentence]
        objects = _concepts(masked, "object", thesaurus)
        start = record.span[0] + a
        yield (
            Duty(
                row=record.row,
                index=index,
                text=record.text[a:b],
                span=(start, record.span[0] + b),
                units=tuple(u.name for u in members),
                actions=_concepts(_mask(masked, _not_performed(masked)), "action", thesaurus),
                objects=objects,
                issues=thesaurus.narrowed(_concepts(masked, "issue", thesaurus), objects),
                # a list that names roles (牵头单位/配合单位 columns or fields) says them for every clause
                role=record.role or role or "lead",
                partners=names,
                boilerplate=is_boilerplate(clause),
            ),
            list(names),
        )


def extract_plan(plan: Plan, records: Iterable[Record], thesaurus: Thesaurus) -> ExtractedPlan:
    records = tuple(records)
    members: dict[int, tuple[Unit, ...]] = {}
    for record in records:
        members[record.row] = tuple(make_unit(name, plan, thesaurus) for name, _ in split_unit_cell(record.unit_text))
    member_names = {u.name for units in members.values() for u in units}
    duties: list[Duty] = []
    partner_names: dict[str, None] = {}
    for record in records:
        for duty, names in _duties(record, members[record.row], thesaurus):
            duties.append(duty)
            partner_names.update(dict.fromkeys(n for n in names if n not in member_names))
    partners = tuple(make_unit(name, plan, thesaurus) for name in partner_names)
    return ExtractedPlan(
        plan=plan,
        records=records,
        members=members,
        partners=partners,
        duties=tuple(duties),
        command_en=command_english(plan, thesaurus),
        emergency_types=tuple(dict.fromkeys(m.concept.iri for m in thesaurus.find(plan.title, "issue"))),
    )


def command_english(plan: Plan, thesaurus: Thesaurus) -> str:
    """"Liaocheng Heavy Pollution Weather Emergency Command": place, the issues the title names, kind."""
    issues = list(dict.fromkeys(m.concept.pref_en for m in thesaurus.find(plan.command_zh, "issue")))
    kind = "Leading Group" if plan.command_zh.endswith("领导小组") else "Emergency Command"
    words = [plan.place_en, *(i.title() for i in issues), kind]
    return " ".join(w for w in words if w)


