"""Overlap results as files other tools open: GraphML and GEXF (Gephi) networks, CSV findings."""

from __future__ import annotations

import csv
import io

import networkx as nx


def network_bytes(graph: nx.Graph, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(graph, buffer, encoding="utf-8")
    elif fmt == "gexf":
        nx.write_gexf(graph, buffer, encoding="utf-8")
    else:
        raise ValueError(f"unknown network format {fmt!r}")
    return buffer.getvalue()


FIELDS = ["plan", "plan_title", "plan_place_zh", "plan_place_en", "kind", "target", "target_zh", "target_en",
          "also_zh", "actions", "parties_zh", "units", "lead_zh", "units_count", "leading", "clauses", "note",
          "duty", "unit", "unit_zh", "role", "leads", "text"]


def findings_csv(overlaps: dict) -> bytes:
    """One row per finding and evidence clause, so a spreadsheet shows every clause that proves it;
    each row names its plan (key, title, place)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for f in overlaps["findings"]:
        target = f["target"] or {}
        plan = f.get("plan") or {}
        names = {u["iri"]: u["label_zh"] for u in f["units"]}
        common = {
            "plan": plan.get("key") or "",
            "plan_title": plan.get("title") or "",
            "plan_place_zh": plan.get("place_zh") or "",
            "plan_place_en": plan.get("place_en") or "",
            "kind": f["kind"],
            "target": target.get("iri", ""),
            "target_zh": target.get("label_zh", ""),
            "target_en": target.get("label_en", ""),
            "also_zh": "、".join(c["label_zh"] for c in f.get("also", [])),
            "actions": " ".join(a["label_en"] for a in f["actions"]),
            "parties_zh": " | ".join("、".join(u["label_zh"] for u in party) for party in f.get("parties", [])),
            "units": " ".join(u["iri"] for u in f["units"]),
            "lead_zh": "、".join(names.get(u, u) for u in f.get("lead", [])),
            "units_count": f["strength"]["units"],
            "leading": f["strength"]["leading"],
            "clauses": f["strength"]["clauses"],
            "note": f["note"],
        }
        for evidence in f["evidence"] or [{}]:
            writer.writerow({**common, "duty": evidence.get("duty", ""), "unit": evidence.get("unit", ""),
                             "unit_zh": names.get(evidence.get("unit", ""), ""), "role": evidence.get("role", ""),
                             "leads": {True: "yes", False: "no"}.get(evidence.get("leads"), ""),
                             "text": evidence.get("text", "")})
    return out.getvalue().encode("utf-8")
