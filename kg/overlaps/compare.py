"""Two plans side by side by agency type: which kind of body holds which duties in each.

Takes the duty rows of two plans (``overlap.DutyRow``), each unit's agency type, and the thesaurus;
returns, per agency type, the objects and issues its duties cover in one plan, the other, or both —
so 卫生局 in a 2008 snowstorm plan lines up with 卫生健康委 in a 2020 heavy-pollution plan, and two
versions of one plan show what moved. Boilerplate duties are left out.
"""

from __future__ import annotations

from collections import defaultdict

from ..extraction.thesaurus import Thesaurus
from .analysis import DutyRow

NO_TYPE = ""


def _by_type(rows: list[DutyRow], agency_of: dict[str, str]) -> dict[str, dict]:
    table: dict[str, dict] = defaultdict(lambda: {"units": set(), "targets": defaultdict(set), "duties": 0})
    for row in rows:
        if row.boilerplate:
            continue
        for unit in row.units:
            entry = table[agency_of.get(unit, NO_TYPE)]
            entry["units"].add(unit)
            entry["duties"] += 1
            for concept in (*row.objects, *row.issues):
                entry["targets"][concept].add(row.iri)
    return table


def compare_plans(a: list[DutyRow], b: list[DutyRow], agency_of: dict[str, str], thesaurus: Thesaurus) -> list[dict]:
    left, right = _by_type(a, agency_of), _by_type(b, agency_of)
    out = []
    for agency in sorted(set(left) | set(right), key=lambda t: (t == NO_TYPE, t)):
        x, y = left.get(agency), right.get(agency)
        tx = set(x["targets"]) if x else set()
        ty = set(y["targets"]) if y else set()
        concept = thesaurus.concepts.get(agency)
        out.append(
            {
                "agency_type": agency or None,
                "label_zh": concept.pref_zh if concept else "（无类型）",
                "label_en": concept.pref_en if concept else "(no agency type)",
                "in": "both" if x and y else ("a" if x else "b"),
                "units_a": sorted(x["units"]) if x else [],
                "units_b": sorted(y["units"]) if y else [],
                "duties_a": x["duties"] if x else 0,
                "duties_b": y["duties"] if y else 0,
                "targets_both": sorted(tx & ty),
                "targets_a_only": sorted(tx - ty),
                "targets_b_only": sorted(ty - tx),
            }
        )
    return out
