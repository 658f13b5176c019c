"""What the overlap rules need to know about concepts, read off the thesaurus's structure.

Takes the ``Thesaurus``; answers, once per concept and remembered:

- **how general a concept is**: a top concept of its scheme that has narrower concepts is a category
  (车辆, 场所, 单位, 文件, 信息, 活动, 企业…), never a target on its own; a concept with narrower concepts
  is a family (扬尘 ⊃ 施工扬尘, 道路扬尘…): a field of work that can be fragmented, but too broad for two
  units to meet on; only a concept with nothing narrower is a thing two units can both act on;
- **a plan's scene**: the issues of its title and what is above them, the concepts those name
  (森林 and 火灾 in 森林火灾; 特种设备 in 特种设备事故), what is related to them (where and to whom an
  emergency happens, who responds: 事故现场, 伤员, 救援队伍) and the response itself (应急处置 and what
  is narrower: rescue, evacuation, relief);
- **a family's extent**: everything narrower, and across schemes what is related to those
  (施工扬尘 ↔ 施工工地: the dust of construction sites belongs to the field of dust);
- the kinds of verbs the grammar of a clause turns on: weak (落实, 组织, 协调…: they say how, not what),
  steering (指导, 督促, 监督, 协调, 组织, 调动, 联系, 指挥: they take an organisation and a task, "督促各县
  落实…"; only organisations, enterprises, people and institutions are steered), furnishing (调集,
  提供, 征用: the vehicles they furnish are means), plan-making (编制, 修订: their product is the
  unit's own plan).
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from functools import cached_property

from ..extraction.thesaurus import Thesaurus

# Actions that say how, not what: sharing only these is no duplication.
WEAK_ACTIONS = ("implement", "organise", "coordinate", "liaise", "report")
# Actions that take an organisation and a task (指导各县落实…, 组织消防部门参与…): the organisation
# between them is steered, not acted on, and the task after them is what is steered.
STEERING_ACTIONS = ("guide", "supervise", "urge-supervise", "coordinate", "organise", "dispatch", "liaise", "command")
# What a steering verb can take (the tops of the objects that act): organisations, enterprises,
# people, and institutions, which the thesaurus files as sites (组织医疗机构…). Supplies, vehicles,
# documents… are acted on, never steered ("组织现场急需物资的筹集调度": the supplies are the target).
AGENT_TOPS = ("organisation", "enterprise", "person", "site")
# Actions that furnish means (调集, 提供, 征用, 保障): vehicles furnished are the means of a task, not
# what the unit acts on ("调集救援物资运输工具", "准备公共汽车等交通工具").
FURNISHING_ACTIONS = ("dispatch", "supply", "requisition", "guarantee", "organise")
MEANS_TOPS = ("vehicle",)
# The response to an emergency: what a whole plan is about, so part of every plan's scene.
RESPONSE_ACTION = "respond"
# Drafting and revising plans: the product is the unit's own plan, not a target it shares.
PLAN_MAKING_ACTION = "plan-making"


class Vocabulary:
    def __init__(self, thesaurus: Thesaurus):
        self.t = thesaurus
        self._scenes: dict[frozenset[str], frozenset[str]] = {}
        self._extent: dict[str, frozenset[str]] = {}

    def _actions(self, keys: Iterable[str]) -> frozenset[str]:
        return frozenset(iri for iri, c in self.t.concepts.items() if c.scheme == "action" and c.key in keys)

    @cached_property
    def weak(self) -> frozenset[str]:
        return self._actions(WEAK_ACTIONS)

    @cached_property
    def steering(self) -> frozenset[str]:
        return self._actions(STEERING_ACTIONS)

    @cached_property
    def response(self) -> frozenset[str]:
        return frozenset().union(*(self.t.narrower_closure(a) for a in self._actions((RESPONSE_ACTION,))))

    @cached_property
    def plan_making(self) -> frozenset[str]:
        return frozenset().union(*(self.t.narrower_closure(a) for a in self._actions((PLAN_MAKING_ACTION,))))

    @cached_property
    def furnishing(self) -> frozenset[str]:
        return self._actions(FURNISHING_ACTIONS)

    def is_means(self, iri: str) -> bool:
        """Whether an object is a means of doing something (a vehicle)."""
        return self._top_key(iri) in MEANS_TOPS

    def is_agent(self, iri: str) -> bool:
        """Whether an object can be steered (an organisation, enterprise, person or institution)."""
        return self._top_key(iri) in AGENT_TOPS

    def _top_key(self, iri: str) -> str:
        top = self.t.concepts.get(self.t.top(iri))
        return top.key if top else ""

    # ------------------------------------------------------------------ structure

    def scheme(self, iri: str) -> str:
        concept = self.t.concepts.get(iri)
        return concept.scheme if concept else ""

    def is_category(self, iri: str) -> bool:
        """A top concept with narrower concepts: a kind of everything (车辆, 单位, 信息), never a target."""
        concept = self.t.concepts.get(iri)
        return concept is None or (not concept.broader and iri in self.t._children)

    def is_leaf(self, iri: str) -> bool:
        """Nothing narrower: a thing two units can both act on, not a field."""
        return iri in self.t.concepts and iri not in self.t._children

    def depth(self, iri: str) -> int:
        return len(self.t.broader_closure(iri)) - 1

    def broader(self, iri: str) -> set[str]:
        return self.t.broader_closure(iri)

    def narrower(self, iri: str) -> set[str]:
        return self.t.narrower_closure(iri)

    def within(self, a: str, b: str) -> bool:
        """``a`` is ``b`` or narrower than it."""
        return b in self.t.broader_closure(a)

    def nested(self, a: str, b: str) -> bool:
        return self.within(a, b) or self.within(b, a)

    @cached_property
    def _links(self) -> dict[str, frozenset[str]]:
        """skos:related both ways (the files state each link once, on either side)."""
        links: dict[str, set[str]] = {}
        for concept in self.t.concepts.values():
            for other in concept.related:
                if other in self.t.concepts:
                    links.setdefault(concept.iri, set()).add(other)
                    links.setdefault(other, set()).add(concept.iri)
        return {k: frozenset(v) for k, v in links.items()}

    def same_kind(self, iri: str) -> frozenset[str]:
        """The concept and those of its own scheme related to it (渣土车 ↔ 渣土运输核准): one target."""
        scheme = self.scheme(iri)
        return frozenset({iri} | {r for r in self._links.get(iri, ()) if self.scheme(r) == scheme})

    def across(self, iri: str) -> frozenset[str]:
        """Concepts of another scheme related to it (施工扬尘 ↔ 施工工地; 机动车排放 ↔ 高排放机动车)."""
        scheme = self.scheme(iri)
        return frozenset(r for r in self._links.get(iri, ()) if self.scheme(r) != scheme)

    def extent(self, family: str) -> frozenset[str]:
        """A field of work: the concept, everything narrower, and for an issue the things related to it
        with everything narrower (the field of dust takes in construction sites and roads; that of
        vehicle emissions, high-emission and heavy-duty vehicles). Not the other way: the field of
        trucks is not all of vehicle emissions."""
        if family not in self._extent:
            inside = set(self.narrower(family))
            for concept in [c for c in inside if self.scheme(c) == "issue"]:
                for other in self.across(concept):
                    inside |= self.narrower(other)
            self._extent[family] = frozenset(inside)
        return self._extent[family]

    # ------------------------------------------------------------------ a plan's scene

    def scene(self, issues: Set[str]) -> frozenset[str]:
        """What a plan with these title issues (and what is above them) is about as a whole."""
        key = frozenset(issues)
        if key not in self._scenes:
            found = set(key)
            labels = {label for i in key if i in self.t.concepts for label in self.t.concepts[i].labels_zh}
            for concept in self.t.concepts.values():
                if concept.scheme in ("object", "issue") and any(
                    label in title for label in concept.labels_zh for title in labels
                ):
                    found.add(concept.iri)  # 森林 and 火灾 of 森林火灾: the emergency itself
            for issue in key:
                found |= self.across(issue)  # where, to whom, by whom it happens
            self._scenes[key] = frozenset(found | self.response)
        return self._scenes[key]
