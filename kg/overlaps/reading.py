"""How one clause reads for the overlap rules: what it is about, how its unit acts on it, whether it leads.

Takes a ``DutyRow`` (its text, role and the concepts extraction found), the ``Vocabulary`` and the
plan's scene; returns a ``Reading``. Where the concepts stand in the clause comes from matching the
thesaurus on its text again (the matcher extraction used, so the same concepts at the same places),
and the grammar is read from those places:

- a steering verb (指导, 督促, 协调, 组织, 调动…) takes an organisation and a task: in "督促各县(市、区)
  落实停限产企业应急管控措施" the counties are steered (an addressee, not a target) and 落实…管控 is
  the task steered; the unit's own action is 督促;
- a noun right before another (or before 的) qualifies it: in "受伤人员家属" the target is 家属; in
  "运输行业特种设备" of a special-equipment plan, 运输行业 is the part of the plan's scene this unit has;
  in "砂石、渣土等货运车辆" the cargo is not the target, the trucks are;
- what 编制, 制定, 修订 produce is the unit's own plan;
- vehicles a unit only furnishes (调集, 提供, 征用, or no verb of its own) are means, not targets; a
  verb inside a noun (运输 of 运输工具) is part of the noun;
- a clause leads unless its unit only takes part: 配合, 协助, 参与, 参加, 支持 (not "组织或参与", nor
  "组织消防部门参与", where those organised take part) and no 牵头, 主管, 会同, 联合 (whoever brings
  others in leads). A clause with no marker at all keeps the role extraction gave it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Set
from dataclasses import dataclass, field

from ..extraction.duties import FRAME_END, FRAME_START
from ..extraction.thesaurus import Match
from ..text import fold_width
from .concepts import Vocabulary

# 主管部门, 牵头单位 are nouns (the competent authority, the lead unit), not this unit's role.
LEAD_MARKERS = re.compile(r"(?:牵头|主管)(?!部门|单位|机关|机构)|会同|联合|协同")
SUPPORT_MARKERS = re.compile(r"(?<!或)(?:配合|协助|参与|参加|支持)")
JOINT_CUE = re.compile(r"(?:会同|联合|协同|与)$")
PARTNER_CUES = re.compile(r"会同|联合|协同|配合|协助|(?<![参给])与")
JOINERS = frozenset("、和及与并,")  # between the verbs of one compound predicate (检查指导, 指导和监督)
ENUMERATION = ("、", "和", "及", "与")  # between the nouns of one enumeration
# Where the organisation a steering verb takes ends: a preposition or the verb of the task.
ADDRESSEE_END = re.compile(r"(?<!针)对|的|在|将|把|从|按|根据|依|参加|参与|做好|开展|进行|加强|加大|积极|及时|落实|实施|认真")


@dataclass
class Reading:
    row: object  # the DutyRow
    party: tuple[str, ...]  # the units of its entry: named together, they are one party
    things: frozenset[str]  # specific objects and issues it acts on (families included)
    targets: frozenset[str]  # what two units can meet on: its things with nothing narrower, or its tasks
    tasks: bool  # targets are tasks (the clause names no thing: 组织事故调查)
    parts: frozenset[str]  # parts of the plan's scene it names (运输行业 of 运输行业特种设备)
    scopes: dict[str, frozenset[str]]  # issue → the sites, roads… it is restricted to (施工扬尘 at 市政工程施工工地)
    places: dict[str, frozenset[str]]  # issue → the things it names that say where it is (高排放机动车 of 机动车排放)
    manner: dict[str, frozenset[str]]  # target → what the unit does to it (its verbs, or the steering verbs over a task)
    context: frozenset[str]  # for a task: the other things and tasks of the clause
    leads: bool
    substantive: bool  # leads, or does something besides taking part and weak verbs
    addressees: tuple[str, ...] = ()  # the words naming organisations it steers (各县(市、区), 市属开发区)
    joint: frozenset[str] = field(default_factory=frozenset)  # partners it brings in (会同, 联合, 与…共同)

    @property
    def iri(self) -> str:
        return self.row.iri


def _matches(text: str, scheme: str, wanted: Set[str], vocabulary: Vocabulary) -> list[Match]:
    return [m for m in vocabulary.t.find(text, scheme) if m.concept.iri in wanted]


def leads(text: str, role: str) -> bool:
    folded = fold_width(text)
    if LEAD_MARKERS.search(folded):
        return True
    marker = SUPPORT_MARKERS.search(folded)
    if marker is None:
        return role != "support"
    return bool(re.search(r"组织|调动|调派|调集|督促|指导|动员|指挥|带领|率领", folded[: marker.start()]))


def _qualifying(between: str, start: int, end: int, actions: list[Match]) -> bool:
    """Whether the noun before ``between`` qualifies the one after: they touch, or 的 joins them
    with no verb or pause in between ("通讯和信息传输所需的电力供应")."""
    if between in ("", "的"):
        return True
    return between.endswith("的") and not re.search(r"[,;:。对在将]", between) and not any(
        start <= m.start < end for m in actions)


def _joined(between: str) -> bool:
    return all(char in JOINERS for char in between)


def _chains(matches: list[Match], folded: str) -> list[list[Match]]:
    """Runs of matches joined by 、和及 (one enumeration)."""
    chains: list[list[Match]] = []
    for m in matches:
        if chains and folded[chains[-1][-1].end : m.start] in ENUMERATION:
            chains[-1].append(m)
        else:
            chains.append([m])
    return chains


def read_clause(row, vocabulary: Vocabulary, scene: frozenset[str], labels: Mapping[str, tuple[str, str]]) -> Reading:
    v = vocabulary
    text = row.text
    folded = fold_width(text)
    objects = sorted(_matches(text, "object", set(row.objects), v), key=lambda m: m.start)
    issues = _matches(text, "issue", set(row.issues), v)
    actions = sorted(_matches(text, "action", set(row.actions), v), key=lambda m: m.start)
    # A leading frame says when or on what grounds ("负责气象灾害预警或影响时,", "根据…通知,"), not what
    # the unit does: what it names is neither a target nor an action of the unit.
    comma = folded.find(",")
    frame = comma if comma > 0 and (FRAME_START.search(folded[:comma]) or FRAME_END.search(folded[:comma].rstrip())) else 0
    framed = {m.concept.iri for m in (*objects, *issues, *actions) if m.end <= frame} - {
        m.concept.iri for m in (*objects, *issues, *actions) if m.end > frame}
    objects, issues, actions = ([m for m in ms if m.end > frame] for ms in (objects, issues, actions))
    row_objects = [o for o in row.objects if o not in framed]
    row_issues = [i for i in row.issues if i not in framed]
    # a verb inside a noun is part of the noun: 运输 of 运输工具, 救援 of 救援物资
    inner = [a for a in actions if any(o.start <= a.start and a.end <= o.end for o in objects)]
    actions = [a for a in actions if a not in inner]
    only_in_nouns = {a.concept.iri for a in inner} - {a.concept.iri for a in actions}
    row_actions = [a for a in row.actions if a not in framed and a not in only_in_nouns]

    # ---- the verbs: the unit's own (main) and those a steering verb governs
    main: set[str] = set()
    governs: dict[str, set[str]] = {}  # governed action → the steering verbs over it
    predicate_end, steering_over = None, set()
    for m in actions:
        iri = m.concept.iri
        if steering_over and predicate_end is not None and not _joined(folded[predicate_end : m.start]):
            governs.setdefault(iri, set()).update(steering_over)
            continue
        main.add(iri)
        predicate_end = m.end
        if iri in v.steering:
            steering_over.add(iri)
    main |= {a for a in row_actions if a not in governs and not any(m.concept.iri == a for m in actions)}

    # ---- organisations a steering verb takes: "督促各县(市、区)、市属开发区落实…"
    dropped: set[int] = set()  # object matches (by start) that are not targets
    addressees: list[str] = []
    for s in (m for m in actions if m.concept.iri in v.steering):
        following = [m for m in actions if m.start >= s.end]
        end = following[0].start if following else len(folded)
        segment = folded[s.end : end]
        cut = ADDRESSEE_END.search(segment)
        verbal = cut is not None or (following and not folded[following[0].end :].startswith(("工作", "等工作")))
        if cut is not None:
            segment = segment[: cut.start()]
        if not segment.strip() or not verbal or any(s.end <= m.start < s.end + len(segment) for m in issues):
            continue  # "检查指导县乡公路…扬尘治理": the roads' dust is what is inspected, nobody is steered
        inside = [m for m in objects if s.end <= m.start and m.end <= s.end + len(segment) and v.is_agent(m.concept.iri)]
        if inside:
            dropped |= {m.start for m in inside}
            addressees += _names(segment)

    # ---- organisations named after 配合/协助/会同/联合/与 ("配合有关部门…") are partners, not targets
    for cue in PARTNER_CUES.finditer(folded):
        dropped |= {m.start for m in objects if m.start >= cue.end() and re.fullmatch(r"[各其他有关相]*", folded[cue.end() : m.start])}

    # ---- what 编制/修订 produce: the object phrase after the verb (with the words of its title:
    # "制定本辖区预防暴风雪灾害应急预案"), or before 的 + the verb
    titles: list[tuple[int, int]] = []
    for p in (m for m in actions if m.concept.iri in v.plan_making):
        after = [m for m in objects if m.start >= p.end and m.start not in dropped]
        if after:
            for chain in _chains(after, folded)[-1:]:
                dropped |= {m.start for m in chain}
                titles.append((p.end, chain[-1].end))
        before = [m for m in objects if m.end <= p.start and folded[m.end : p.start] in ("的", "")]
        if before:
            chain = next(c for c in _chains([m for m in objects if m.end <= p.start], folded) if before[-1] in c)
            dropped |= {m.start for m in chain}

    # ---- a noun qualifying the next: its head is the target (or, when that is the scene, it is a part of it)
    parts: set[str] = set()
    kept = [m for m in objects if m.start not in dropped]
    elsewhere = set(dropped)  # organisations steered and plans produced: neither targets nor scopes
    qualifies: dict[str, set[str]] = {}  # head → the nouns that qualify it (车站旅客: the station)
    chains = _chains(kept, folded)
    for chain, head_chain in zip(chains, chains[1:]):
        head = head_chain[0]
        between = folded[chain[-1].end : head.start]
        iri = head.concept.iri
        if _qualifying(between, chain[-1].end, head.start, actions) and not v.is_category(iri):
            for m in chain:
                if iri in scene and m.concept.iri not in scene and not v.is_category(m.concept.iri):
                    parts.add(m.concept.iri)
                elif m.concept.iri not in scene and not v.is_category(m.concept.iri):
                    qualifies.setdefault(iri, set()).add(m.concept.iri)
                dropped.add(m.start)
        elif between == "等":  # "砂石、渣土等货运车辆": kinds of the head stay, its cargo goes
            for m in chain:
                if v.t.top(m.concept.iri) != v.t.top(iri):
                    dropped.add(m.start)

    def survives(iri: str, gone: set[int]) -> bool:
        at = [m for m in objects if m.concept.iri == iri]
        return not at or any(m.start not in gone for m in at)

    candidates = {o for o in row_objects if survives(o, dropped)} | set(row_issues)
    placed = {o for o in row_objects if survives(o, elsewhere) and not v.is_category(o)}  # qualifiers too
    things = frozenset(c for c in candidates if c not in scene and not v.is_category(c) and c not in parts)
    scopes, places = {}, {}
    for issue in (c for c in things if v.scheme(c) == "issue"):
        anchors = set().union(*(v.across(i) for i in v.broader(issue)))
        scopes[issue] = frozenset(o for o in placed if o not in anchors and any(v.within(o, a) for a in anchors))
        places[issue] = frozenset(o for o in placed if any(v.within(o, a) for a in anchors))
    where = set().union(*places.values())
    for head, nouns in qualifies.items():
        if head in things:
            scopes[head] = frozenset(scopes.get(head, frozenset()) | nouns)
    # 砂石场的扬尘: the sand yard says where the dust is; the target is the dust
    # vehicles a unit only furnishes (调集, 提供, 征用, or no verb of its own) are means, not targets
    if not main - v.furnishing - v.response - v.weak:
        things = frozenset(c for c in things if not v.is_means(c))
    leaves = frozenset(c for c in things - where if v.is_leaf(c))
    titled = {m.concept.iri for m in actions if any(a <= m.start and m.end <= b for a, b in titles)}
    titled -= {m.concept.iri for m in actions if not any(a <= m.start and m.end <= b for a, b in titles)}
    doing = {a for a in row_actions if a not in v.weak | v.steering | v.response | v.plan_making | titled}
    if leaves:
        targets, tasks = leaves, False
        manner = {t: frozenset(main - v.weak) for t in targets}
    else:  # no thing: about a task in the plan's emergency, if it names the emergency ("组织事故调查")
        names_scene = any(c in scene for c in (*row_objects, *row_issues))
        targets, tasks = frozenset(a for a in doing if v.is_leaf(a) and names_scene), True
        manner = {t: frozenset(governs.get(t) or {t}) for t in targets}
    unit_leads = leads(text, row.role)
    if not unit_leads:
        manner = {t: m | {"takes-part"} for t, m in manner.items()}
    joint = frozenset(p for p in row.partners
                      if any(JOINT_CUE.search(folded[: i]) for i in _positions(folded, labels.get(p, ("",))[0])))
    return Reading(
        row=row,
        party=tuple(sorted(row.units)),
        things=things,
        targets=targets,
        tasks=tasks,
        parts=frozenset(parts),
        scopes=scopes,
        places=places,
        manner=manner,
        context=frozenset(things | (doing - targets)) if tasks else frozenset(),
        leads=unit_leads,
        substantive=unit_leads or bool(main - v.weak - v.response),
        addressees=tuple(dict.fromkeys(a.strip() for a in addressees)),
        joint=joint,
    )


def _names(segment: str) -> list[str]:
    """The names of an enumeration, split at 、和及与 outside brackets: 各县(市、区)、市属开发区."""
    names, depth, start = [], 0, 0
    for i, char in enumerate(segment + "、"):
        if char in "(（[《":
            depth += 1
        elif char in ")）]》":
            depth = max(0, depth - 1)
        elif char in "、和及与" and depth == 0:
            if segment[start:i].strip():
                names.append(segment[start:i].strip())
            start = i + 1
    return names


def _positions(text: str, word: str) -> list[int]:
    if not word:
        return []
    return [m.start() for m in re.finditer(re.escape(fold_width(word)), text)]
