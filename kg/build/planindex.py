"""Search documents and duty-table rows made from extracted plans, without reading the store back.

A large build indexes where it extracts (kg/build/bulk.py's workers): a worker turns each plan it extracts
into its duty documents (``plan_part``), adds them to its own whoosh segments (kg/search/segments.py) and
sends back the plan's duty-table rows and the units it names; the build process gathers the units
(``UnitDocuments``: a unit's plans are known only when every plan is in) and writes their documents
and the concepts' (``BuildIndex``). The documents and rows are those kg/search/indexing.py reads out of a
loaded store (tests/test_build_scale.py checks they are equal), which is how a small build and every
write to the graph still index: reading them back cost a large build more than writing them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, product
from pathlib import Path
from typing import NamedTuple

from ..extraction.thesaurus import Thesaurus
from ..graph.triples import plan_place
from ..models import ExtractedPlan, Unit
from ..text import slugify
from ..vocab import ROLES, Minter

TableRow = tuple[str, tuple[str, ...], tuple[str, ...], str, tuple[str, str, int]]


class UnitMention(NamedTuple):
    """A unit as one plan writes it: labels, agency type, and the plan it is a member of ("" for an
    organisation the plan names only as a partner). A tuple: workers send thousands a second."""

    iri: str
    zh: str
    en: str
    agency: str
    plan: str


@dataclass
class PlanPart:
    """One plan's share of the index: its duty documents, duty-table rows and unit mentions."""

    documents: list[dict] = field(default_factory=list)
    table: list[TableRow] = field(default_factory=list)
    units: list[tuple] = field(default_factory=list)  # UnitMention's fields


def plan_part(extracted: ExtractedPlan, base_iri: str, thesaurus: Thesaurus) -> PlanPart:
    """What ``indexing.index_documents`` and its table writer read of this plan's named graph."""
    mint, plan = Minter(base_iri, str), extracted.plan
    place, plan_iri = plan_place(plan), mint.plan(plan.key)
    part = PlanPart()

    def mention(unit: Unit, member: bool) -> str:
        iri = mint.unit(place, slugify(unit.name))
        part.units.append((iri, unit.name, unit.label_en, unit.agency_type or "", plan_iri if member else ""))
        return iri

    members = {unit.name: mention(unit, True) for row in extracted.members.values() for unit in row}
    for unit in extracted.partners:
        mention(unit, False)
    labels = dict.fromkeys(members.values(), ("", ""))  # a member's labels: the greatest, as the store's
    for iri, zh, en, _, _ in part.units:
        if iri in labels:
            labels[iri] = (max(labels[iri][0], zh), max(labels[iri][1], en))

    for duty in extracted.duties:
        units = sorted({members[name] for name in duty.units if name in members})
        if not units:
            continue
        iri = mint.duty(plan.key, duty.row, duty.index)
        linked = sorted({*duty.actions, *duty.objects, *duty.issues})
        concepts = [thesaurus.concepts[c] for c in linked if c in thesaurus.concepts]
        part.documents.append({
            "id": iri,
            "kind": "duty",
            "iri": iri,
            "title_zh": " ".join(labels[u][0] for u in units),
            "title_en": " ".join(labels[u][1] for u in units),
            "body_zh": duty.text,
            "body_en": " ".join(c.pref_en for c in concepts),
            "unit": ",".join(units),
            "action": ",".join(sorted({c.iri for c in concepts if c.scheme == "action"})),
            "object_category": ",".join(sorted({thesaurus.top(c.iri) for c in concepts if c.scheme == "object"})),
            "plan": plan_iri,
            "boilerplate": duty.boilerplate,
        })
        if not duty.boilerplate:
            part.table.append((iri, tuple(units), tuple(linked), str(ROLES[duty.role]),
                               (duty.text, plan_iri, duty.span[0])))
    return part


class UnitDocuments:
    """Every plan's unit mentions in, a document per member unit and (zh, en, agency type) out, in
    the order of their IRIs. What is held is each unit's distinct mentions (most units have one),
    their labels, types and plan IRIs one copy each: 10,000 plans name some 230,000 units."""

    def __init__(self) -> None:
        self._mentions: dict[str, tuple | list[tuple]] = {}  # IRI → (zh, en, agency, plan), or a list of them
        self._strings: dict[str, str] = {}  # one copy of each label, agency type and plan IRI

    def add(self, mentions: Iterable[tuple]) -> None:
        one = self._strings.setdefault
        for m in map(UnitMention._make, mentions):
            mention = (one(m.zh, m.zh), one(m.en, m.en), one(m.agency, m.agency), one(m.plan, m.plan))
            found = self._mentions.get(m.iri)
            if found is None:
                self._mentions[m.iri] = mention
            elif isinstance(found, list):
                if mention not in found:
                    found.append(mention)
            elif found != mention:
                self._mentions[m.iri] = [found, mention]

    def documents(self, thesaurus: Thesaurus) -> Iterator[dict]:
        for iri in sorted(self._mentions):
            found = self._mentions[iri]
            mentions = found if isinstance(found, list) else [found]
            plans = {plan for _, _, _, plan in mentions if plan}
            if not plans:
                continue  # named only as a partner: no document
            plan_list = ",".join(sorted(plans))
            zh, en = sorted({m[0] for m in mentions}), sorted({m[1] for m in mentions})
            agencies = sorted({m[2] for m in mentions if m[2]}) or [""]
            for z, e, agency in product(zh, en, agencies):
                yield {"id": iri, "kind": "unit", "iri": iri, "title_zh": z, "title_en": e,
                       "body_zh": thesaurus.concepts[agency].pref_zh if agency in thesaurus.concepts else "",
                       "unit": iri, "plan": plan_list, "boilerplate": False}


class BuildIndex:
    """The build process's side of an index its extraction workers write: it creates the empty index
    they open (``path``), takes each plan's rows and units as the plans come in (``add``), and at the
    end writes the units' and concepts' documents after the workers' segments (``finish``)."""

    def __init__(self, build_path: Path, thesaurus: Thesaurus):
        from whoosh import index

        from ..search.indexing import schema
        from ..search.postings import TABLE_FILE, TableWriter
        from ..search.searcher import INDEX_DIR

        self.path, self.table_path = build_path / INDEX_DIR, build_path / TABLE_FILE
        self.path.mkdir(parents=True, exist_ok=True)
        index.create_in(str(self.path), schema())
        self.thesaurus = thesaurus
        self.duties = 0  # documents the workers wrote
        self.segments: list = []  # and the segments they wrote them in, once they have all done
        self.table = TableWriter()
        self.units = UnitDocuments()

    def add(self, documents: int, table: Iterable[TableRow], units: Iterable[tuple]) -> None:
        self.duties += documents
        for row in table:
            self.table.add(*row)
        self.units.add(units)

    def finish(self) -> int:
        """Make the workers' ``segments`` the index's, then the units' and concepts' documents,
        written here; write the duty table. The number of documents indexed."""
        from whoosh import index

        from ..errors import KgError
        from ..search.indexing import concept_documents
        from ..search.segments import MemorySegmentWriter
        from ..text import jieba_with

        jieba_with(self.thesaurus.zh_labels)
        count = self.duties
        with MemorySegmentWriter(index.open_dir(str(self.path)), after=self.segments) as writer:
            for document in chain(self.units.documents(self.thesaurus), concept_documents(self.thesaurus)):
                writer.add_document(**document)
                count += 1
        written = index.open_dir(str(self.path)).doc_count()
        if written != count:
            raise KgError(f"the search index holds {written} of {count} documents; run `kg build` again")
        self.table.write(self.table_path)
        return count
