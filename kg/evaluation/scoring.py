"""Extraction scored against hand-written gold files (tests/gold/*.json): P, R, F1 per field.

Duties are paired gold↔predicted within a row by largest span overlap (IoU ≥ 0.5, one-to-one);
set-valued fields (actions, objects, issues, partners) are scored micro over all duties, so a
missed duty costs its labels in recall and an invented one costs them in precision.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..build.pipeline import extract_documents
from ..config import ROOT, Settings
from ..errors import KgError
from ..models import Duty, ExtractedPlan
from ..vocab import concept_ref

FIELDS = ("segmentation", "units", "agency_types", "actions", "objects", "issues", "roles", "partners", "boilerplate")
_EDGE = " \t\r\n;；,，。"


def _trim(text: str, span: Sequence[int]) -> tuple[int, int]:
    a, b = span
    while a < b and text[a] in _EDGE:
        a += 1
    while b > a and text[b - 1] in _EDGE:
        b -= 1
    return a, b


def _iou(x: tuple[int, int], y: tuple[int, int]) -> float:
    inter = max(0, min(x[1], y[1]) - max(x[0], y[0]))
    union = max(x[1], y[1]) - min(x[0], y[0])
    return inter / union if union else 0.0


def _prf(tp: int, predicted: int, gold: int) -> dict[str, float | int]:
    p = tp / predicted if predicted else 1.0
    r = tp / gold if gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "predicted": predicted, "gold": gold}


def _predicted_fields(duty: Duty) -> dict:
    return {
        "text": duty.text,
        "actions": {concept_ref(c) for c in duty.actions},
        "objects": {concept_ref(c) for c in duty.objects},
        "issues": {concept_ref(c) for c in duty.issues},
        "partners": set(duty.partners),
        "role": duty.role,
        "boilerplate": duty.boilerplate,
    }


def _gold_fields(duty: dict) -> dict:
    return {
        "text": duty["text"],
        "actions": set(duty.get("actions", [])),
        "objects": set(duty.get("objects", [])),
        "issues": set(duty.get("issues", [])),
        "partners": set(duty.get("partners", [])),
        "role": duty["role"],
        "boilerplate": bool(duty.get("boilerplate")),
    }


def _pair(gold: list[tuple[tuple[int, int], dict]], predicted: list[tuple[tuple[int, int], dict]]):
    candidates = sorted(
        ((_iou(g[0], p[0]), i, j) for i, g in enumerate(gold) for j, p in enumerate(predicted)), reverse=True
    )
    used_g, used_p, pairs = set(), set(), []
    for score, i, j in candidates:
        if score < 0.5 or i in used_g or j in used_p:
            continue
        used_g.add(i)
        used_p.add(j)
        pairs.append((gold[i][1], predicted[j][1]))
    return pairs


def score_plan(gold: dict, extracted: ExtractedPlan, errors: list[str] | None = None) -> Counter:
    """Counts of true positives, predictions and gold items per field; disagreements into ``errors``."""
    text = extracted.plan.source.text
    counts: Counter = Counter()
    errors = [] if errors is None else errors
    predicted_units = {(row, u.name) for row, units in extracted.members.items() for u in units}
    predicted_types = {
        (row, u.name, concept_ref(u.agency_type) if u.agency_type else None)
        for row, units in extracted.members.items()
        for u in units
    }
    by_row: dict[int, list] = {}
    for duty in extracted.duties:
        by_row.setdefault(duty.row, []).append((_trim(text, duty.span), _predicted_fields(duty)))
    for record in gold["records"]:
        row = record["row"]
        gold_units = {(row, u["name"]) for u in record["units"]}
        gold_types = {(row, u["name"], u.get("agency_type")) for u in record["units"]}
        counts["units.tp"] += len(gold_units & predicted_units)
        counts["units.gold"] += len(gold_units)
        counts["agency_types.tp"] += len(gold_types & predicted_types)
        counts["agency_types.gold"] += len(gold_types)
        gold_duties = [(_trim(text, d["span"]), _gold_fields(d)) for d in record["duties"]]
        predicted = by_row.get(row, [])
        counts["segmentation.tp"] += len({s for s, _ in gold_duties} & {s for s, _ in predicted})
        counts["segmentation.gold"] += len(gold_duties)
        counts["segmentation.predicted"] += len(predicted)
        paired = _pair(gold_duties, predicted)
        if len(paired) < max(len(gold_duties), len(predicted)):
            errors.append(f"row {row}: {len(gold_duties)} gold duties, {len(predicted)} predicted, {len(paired)} paired")
        for g, p in paired:
            for field in ("actions", "objects", "issues", "partners"):
                counts[f"{field}.tp"] += len(g[field] & p[field])
                if g[field] != p[field]:
                    missed, extra = sorted(g[field] - p[field]), sorted(p[field] - g[field])
                    errors.append(f"row {row} {g['text'][:24]}… {field}: missed {missed} extra {extra}")
            for field in ("role", "boilerplate"):
                if g[field] != p[field]:
                    errors.append(f"row {row} {g['text'][:24]}… {field}: gold {g[field]} predicted {p[field]}")
            counts["roles.tp"] += g["role"] == p["role"]
            counts["boilerplate.tp"] += g["boilerplate"] and p["boilerplate"]
        for _, fields in gold_duties:
            for field in ("actions", "objects", "issues", "partners"):
                counts[f"{field}.gold"] += len(fields[field])
            counts["roles.gold"] += 1
            counts["boilerplate.gold"] += fields["boilerplate"]
        for _, fields in predicted:
            for field in ("actions", "objects", "issues", "partners"):
                counts[f"{field}.predicted"] += len(fields[field])
            counts["roles.predicted"] += 1
            counts["boilerplate.predicted"] += fields["boilerplate"]
    gold_rows = {r["row"] for r in gold["records"]}
    counts["units.predicted"] += len({u for u in predicted_units if u[0] in gold_rows})
    counts["agency_types.predicted"] += len({u for u in predicted_types if u[0] in gold_rows})
    for row, duties in by_row.items():
        if row not in gold_rows:  # a row the gold does not have: everything in it is invented
            counts["segmentation.predicted"] += len(duties)
            counts["roles.predicted"] += len(duties)
    return counts


def extraction_golds(settings: Settings) -> list[Path]:
    """The extraction gold files: every tests/gold/*.json that annotates records (not questions)."""
    return [p for p in sorted(settings.gold_dir.glob("*.json")) if '"records"' in p.read_text(encoding="utf-8")]


def score_extraction(settings: Settings, gold_paths: Iterable[Path]) -> dict:
    counts: Counter = Counter()
    files: list[str] = []
    errors: list[str] = []
    for path in gold_paths:
        gold = json.loads(Path(path).read_text(encoding="utf-8"))
        (extracted,) = extract_documents(settings, [ROOT / gold["source"]])
        counts += score_plan(gold, extracted, errors)
        files.append(str(path))
    fields = {
        field: _prf(counts[f"{field}.tp"], counts[f"{field}.predicted"], counts[f"{field}.gold"]) for field in FIELDS
    }
    return {"gold": files, "fields": fields, "errors": errors}


def format_scores(scores: dict, errors: bool = False) -> str:
    lines = [f"{'field':<14}{'precision':>10}{'recall':>10}{'F1':>8}{'gold':>7}{'pred':>7}"]
    for field, s in scores["fields"].items():
        lines.append(
            f"{field:<14}{s['precision']:>10.3f}{s['recall']:>10.3f}{s['f1']:>8.3f}{s['gold']:>7}{s['predicted']:>7}"
        )
    lines.append("gold: " + ", ".join(scores["gold"]))
    if errors:
        lines += ["", f"{len(scores['errors'])} disagreement(s):", *scores["errors"]]
    return "\n".join(lines)


def _normal(name: str) -> str:
    from ..text import fold_width

    return re.sub(r"\s+", "", fold_width(name))


def unit_golds(settings: Settings, paths: Iterable[Path] = ()) -> list[tuple[Path, dict]]:
    """(document, gold) pairs from unit gold files in either shape: one document per file
    (tests/gold/dev/: ``source``, ``units``, ``partners_not_members``) or many (tests/gold/dev2.json,
    tests/gold/holdout.json: ``docs`` of ``must``/``ok``/``not_units`` beside the pages in ``data``)."""
    paths = list(paths) or [*sorted((settings.gold_dir / "dev").glob("*.json")), settings.gold_dir / "dev2.json"]
    pairs = []
    for path in paths:
        gold = json.loads(Path(path).read_text(encoding="utf-8"))
        if "docs" in gold:
            folder = ROOT / gold.get("data", "tests/data/" + Path(path).stem)
            for name, doc in gold["docs"].items():
                pairs.append((folder / name, {"must": doc["must"], "ok": doc.get("ok", []),
                                              "not_units": doc.get("not_units", []), "gold": f"{Path(path).stem}/{name}"}))
        else:
            pairs.append((ROOT / gold["source"], {
                "must": [u["name"] for u in gold["units"]], "ok": [], "not_units": gold.get("partners_not_members", []),
                "types": {_normal(u["name"]): u.get("agency_type") for u in gold["units"]},
                "duties": gold.get("duties", []), "gold": f"{Path(path).parent.name}/{Path(path).stem}"}))
    return pairs


def score_units(settings: Settings, gold_paths: Iterable[Path] = ()) -> dict:
    """Per document and in total: unit precision (found units that are in ``must`` or ``ok``) and
    recall (``must`` units found), agency-type accuracy where the gold has types, names the gold
    says are not units but were made members, and agreement on the duties of the units the gold
    splits into obligations. A document that cannot be read scores nothing found."""
    documents = []
    for source, gold in unit_golds(settings, gold_paths):
        try:
            (x,) = extract_documents(settings, [source])
            found = {_normal(u.name): u for units in x.members.values() for u in units}
            error = ""
        except KgError as exc:
            x, found, error = None, {}, str(exc)
        must = {_normal(n) for n in gold["must"]}
        allowed = must | {_normal(n) for n in gold["ok"]}
        types = gold.get("types", {})
        typed = [n for n in found.keys() & must if types.get(n)]
        right_types = sum(1 for n in typed if (concept_ref(found[n].agency_type) if found[n].agency_type else None) == types[n])
        document = {
            "gold": gold["gold"],
            "units": {**_prf(len(found.keys() & must), len(found), len(must)),
                      "precision": round(len(found.keys() & allowed) / len(found), 4) if found else 0.0},
            "agency_types": round(right_types / len(typed), 4) if typed else None,
            "not_units_as_members": sorted({_normal(p) for p in gold["not_units"]} & found.keys()),
            "missed": sorted(must - found.keys()),
            "extra": sorted(found.keys() - allowed),
            "found": len(found), "allowed_found": len(found.keys() & allowed), "must": len(must),
            "must_found": len(found.keys() & must),
        }
        if error:
            document["error"] = error
        if gold.get("duties") and x is not None:
            duty_gold = [(d["unit"], _normal(d["text"]).rstrip("。;,.")) for d in gold["duties"]]
            duty_found = {(name, _normal(d.text).rstrip("。;,.")) for d in x.duties for name in d.units}
            document["duties"] = _prf(sum(1 for d in duty_gold if d in duty_found),
                                      sum(1 for d in duty_found if d[0] in {u for u, _ in duty_gold}), len(duty_gold))
        documents.append(document)
    found = sum(d["found"] for d in documents)
    total = {"precision": round(sum(d["allowed_found"] for d in documents) / found, 4) if found else 0.0,
             "recall": round(sum(d["must_found"] for d in documents) / max(1, sum(d["must"] for d in documents)), 4),
             "documents": len(documents), "without_units": sum(1 for d in documents if not d["found"])}
    return {"documents": documents, "total": total}


def format_unit_scores(scores: dict) -> str:
    lines = [f"{'document':<58}{'unit P':>8}{'unit R':>8}{'types':>7}{'duty F1':>9}"]
    for d in scores["documents"]:
        types = f"{d['agency_types']:.2f}" if d["agency_types"] is not None else "-"
        duties = f"{d['duties']['f1']:.3f}" if "duties" in d else "-"
        lines.append(f"{d['gold'][-56:]:<58}{d['units']['precision']:>8.3f}{d['units']['recall']:>8.3f}{types:>7}{duties:>9}")
        for label in ("error", "missed", "extra", "not_units_as_members"):
            if d.get(label):
                lines.append(f"    {label}: {d[label] if label == 'error' else '、'.join(d[label])}")
    t = scores["total"]
    lines.append(f"{'total (' + str(t['documents']) + ' documents, ' + str(t['without_units']) + ' without units)':<58}"
                 f"{t['precision']:>8.3f}{t['recall']:>8.3f}")
    return "\n".join(lines)
