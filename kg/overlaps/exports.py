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


FIELDS = ["kind", "target", "target_zh", "target_en", "actions", "units", "units_zh", "note", "score", "duty",
          "unit", "role", "text"]


def findings_csv(overlaps: dict) -> bytes:
    """One row per finding and evidence clause, so a spreadsheet shows every clause that proves it."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS)
    writer.writeheader()
    for f in overlaps["findings"]:
        target = f["target"] or {}
        common = {
            "kind": f["kind"],
            "target": target.get("iri", ""),
            "target_zh": target.get("label_zh", ""),
            "target_en": target.get("label_en", ""),
            "actions": " ".join(a["label_en"] for a in f["actions"]),
            "units": " ".join(u["iri"] for u in f["units"]),
            "units_zh": "、".join(u["label_zh"] for u in f["units"]),
            "note": f["note"],
            "score": f["score"],
        }
        for evidence in f["evidence"] or [{}]:
            writer.writerow({**common, "duty": evidence.get("duty", ""), "unit": evidence.get("unit", ""),
                             "role": evidence.get("role", ""), "text": evidence.get("text", "")})
    return out.getvalue().encode("utf-8")
