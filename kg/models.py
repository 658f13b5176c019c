"""Plain values passed between the stages of the flow; no behaviour beyond small conveniences.

Spans are ``(start, end)`` character offsets into ``Source.text`` (the decoded file), end exclusive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

Span = tuple[int, int]


@dataclass(frozen=True)
class Source:
    """One source document, decoded; ``meta`` holds its leading ``# key: value`` lines."""

    path: Path
    text: str
    sha256: str
    encoding: str
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class Plan:
    """What a document says about itself: title, place and the command it sets up."""

    key: str  # ASCII slug, stable across rebuilds
    title: str
    place_zh: str  # e.g. 聊城市 ("" when unknown)
    place_en: str  # e.g. Liaocheng
    command_zh: str  # e.g. 聊城市重污染天气应急指挥部
    source: Source
    level: str = ""  # province | city | county | district ("" when unknown)
    year: int | None = None


@dataclass(frozen=True)
class Record:
    """One row of a duty list: the unit cell and the duty paragraph, with their spans."""

    row: int
    unit_text: str
    unit_span: Span
    text: str
    span: Span
    partners_text: str = ""  # a 配合单位 column: organisations the row's unit works with
    section: str = ""  # the heading of the section the entry was read in (provenance)
    group: str = ""  # the work group (抢险救援组) the row's units serve in, when the list names one
    role: str = ""  # lead | support when the list itself says (牵头单位/配合单位), else "" (from the clause)


@dataclass(frozen=True)
class Unit:
    """An organisation: a member unit (named in a unit cell) or a partner named inside a clause."""

    name: str  # Chinese name as written, whitespace removed
    label_en: str
    agency_type: str | None  # concept IRI in the agency scheme
    collective: bool = False
    work_group: bool = False  # 抢险救灾组, 综合协调组: a group the command sets up, not an agency


@dataclass(frozen=True)
class Duty:
    """One obligation of one record: the n-ary node of the model."""

    row: int
    index: int  # 1-based position inside its record
    text: str  # exactly source.text[span[0]:span[1]]
    span: Span
    units: tuple[str, ...]  # Chinese names of the assigned member units
    actions: tuple[str, ...] = ()  # concept IRIs
    objects: tuple[str, ...] = ()
    issues: tuple[str, ...] = ()
    role: str = "lead"  # lead | joint | support
    partners: tuple[str, ...] = ()  # Chinese names of organisations worked with
    boilerplate: bool = False


@dataclass(frozen=True)
class ExtractedPlan:
    """Everything extraction found in one document; the input of ``graph.build_graph``."""

    plan: Plan
    records: tuple[Record, ...]
    members: dict[int, tuple[Unit, ...]]  # row → units named in that row's unit cell
    partners: tuple[Unit, ...]  # organisations named only inside clauses
    duties: tuple[Duty, ...]
    command_en: str = ""
    emergency_types: tuple[str, ...] = ()  # issue concept IRIs named in the plan's title
