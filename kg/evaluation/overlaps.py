"""Overlap findings scored against the blind gold (tests/gold/overlaps/*.json): precision and recall
per kind (duplication, overlap, fragmentation, gap), per plan and over all plans.

The gold's plans are built into a temporary data home and analysed by the service, as `kg overlaps`
would. A found finding **matches** a gold finding when

1. they are of the same kind and in the same plan;
2. they name the same parties: the same sets of unit names (units named together in one entry are
   one party; names compared width-folded, without spaces);
3. and they are about the same thing: a Chinese label of the found target (or of a target it also
   names) stands in the gold's target words or they in it, or a clause of the finding and a clause
   of the gold finding are the same text (one inside the other: the gold quotes whole sentences,
   the program cuts at commas).

Each gold finding matches at most one found finding (the first, in the program's order), so a
finding told twice counts once right and once wrong. Precision is matched found / found; recall,
matched gold / gold.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ..config import ROOT, Settings
from ..errors import KgError
from ..text import fold_width

KINDS = ("duplication", "overlap", "fragmentation", "gap")
GOLD_DIR = "overlaps"


def overlap_golds(settings: Settings, paths: Iterable[Path] = ()) -> list[Path]:
    found = list(paths) or sorted((settings.gold_dir / GOLD_DIR).glob("*.json"))
    if not found:
        raise KgError(f"no overlap gold files in {settings.gold_dir / GOLD_DIR}")
    return found


def _source(gold: dict) -> Path:
    """The gold's document: a path in this repository, or a dev page under tests/data/."""
    for candidate in (ROOT / gold["source"], ROOT / "tests" / "data" / gold["source"]):
        if candidate.is_file():
            return candidate
    raise KgError(f"the gold's document {gold['source']} is neither in the repository nor under tests/data/")


def _name(text: str) -> str:
    return re.sub(r"\s+", "", fold_width(text))


def _clause(text: str) -> str:
    return _name(text).rstrip("。;,.、")


def _same_clause(a: str, b: str) -> bool:
    x, y = _clause(a), _clause(b)
    return bool(x and y) and (x in y or y in x)


def matches(found: dict, gold: dict) -> bool:
    """The matching rule of this module's docstring, for one found and one gold finding (both of one plan)."""
    if found["kind"] != gold["kind"]:
        return False
    if {frozenset(_name(n) for n in p) for p in found["parties"]} != {frozenset(_name(n) for n in p) for p in gold["parties"]}:
        return False
    words = _name(gold.get("target", ""))
    if words and any(label and (label in words or words in label) for label in found["labels"]):
        return True
    gold_clauses = [c for clauses in gold.get("clauses", {}).values() for c in clauses]
    return any(_same_clause(a, b) for a in found["clauses"] for b in gold_clauses)


def _found(service, plan_key: str) -> list[dict]:
    """The program's findings of one plan (as `kg overlaps --plan KEY --json` gives them) in the shape
    ``matches`` compares."""
    t = service.thesaurus
    out = []
    for f in service.overlaps(plan=plan_key)["findings"]:
        concepts = ([f["target"]] if f["target"] else []) + f["also"]
        names = [label for c in concepts if c["iri"] in t.concepts for label in t.concepts[c["iri"]].labels_zh]
        out.append({
            "kind": f["kind"],
            "target": f["target"]["label_zh"] if f["target"] else "",
            "labels": [_name(n) for n in names],
            "parties": [[u["label_zh"] for u in party] for party in f["parties"]],
            "clauses": list(dict.fromkeys(e["text"] for e in f["evidence"])),
        })
    return out


def _prf(matched_found: int, found: int, matched_gold: int, gold: int) -> dict:
    return {"precision": round(matched_found / found, 4) if found else 1.0,
            "recall": round(matched_gold / gold, 4) if gold else 1.0,
            "found": found, "gold": gold, "matched": matched_gold}


def score_overlaps(settings: Settings, gold_paths: Iterable[Path] = ()) -> dict:
    """Build the gold's plans in a temporary data home; score each plan's findings against its gold."""
    from ..build.pipeline import build
    from ..service.facade import Service

    paths = overlap_golds(settings, gold_paths)
    golds = [(p, json.loads(Path(p).read_text(encoding="utf-8"))) for p in paths]
    with tempfile.TemporaryDirectory(prefix="kg-eval-overlaps-") as home:
        built = Settings.from_env(home, base_iri=settings.base_iri)
        build(built, [_source(g) for _, g in golds], progress=False)
        service = Service(built)
        by_stem = {Path(p["source"]).stem: p["key"] for p in service.build.manifest["plans"]}
        plans = []
        for path, gold in golds:
            key = by_stem.get(_source(gold).stem)
            if key is None:
                raise KgError(f"{path}: its document built no plan")
            found = _found(service, key)
            plans.append(_score_plan(Path(path).stem, found, gold["findings"]))
        del service  # its store is in the folder about to go
    return _totals([str(p) for p in paths], plans)


def score_reader(gold_paths: Iterable[Path], reader_paths: Iterable[Path]) -> dict:
    """A second reader's gold scored against the gold as the program's findings are (the reader's
    target words and clauses in place of the program's labels and clauses), plan by plan (files of
    the same source): how far two careful readers agree, the ceiling a program can be held to."""
    readers = {}
    for path in reader_paths:
        gold = json.loads(Path(path).read_text(encoding="utf-8"))
        readers[_source(gold)] = gold
    plans = []
    for path in gold_paths:
        gold = json.loads(Path(path).read_text(encoding="utf-8"))
        other = readers.get(_source(gold))
        if other is None:
            raise KgError(f"{path}: the second reader did not mark {gold['source']}")
        found = [{"kind": f["kind"], "target": f.get("target", ""), "labels": [_name(f.get("target", ""))],
                  "parties": f["parties"], "clauses": [c for cs in f.get("clauses", {}).values() for c in cs]}
                 for f in other["findings"]]
        plans.append(_score_plan(Path(path).stem, found, gold["findings"]))
    return _totals([str(p) for p in gold_paths], plans)


def _totals(gold: list[str], plans: list[dict]) -> dict:
    totals = {}
    for kind in KINDS:
        counts = [p["kinds"][kind] for p in plans]
        totals[kind] = _prf(sum(c["matched_found"] for c in counts), sum(c["found"] for c in counts),
                            sum(c["matched"] for c in counts), sum(c["gold"] for c in counts))
    every = [p["all"] for p in plans]
    totals["all"] = _prf(sum(c["matched_found"] for c in every), sum(c["found"] for c in every),
                         sum(c["matched"] for c in every), sum(c["gold"] for c in every))
    return {"gold": gold, "plans": plans, "kinds": totals}


def _score_plan(name: str, found: list[dict], gold: list[dict]) -> dict:
    taken: set[int] = set()
    pairs: dict[int, int] = {}  # found index → gold index
    for i, f in enumerate(found):
        for j, g in enumerate(gold):
            if j not in taken and matches(f, g):
                taken.add(j)
                pairs[i] = j
                break
    kinds = {}
    for kind in (*KINDS, "all"):
        mine = [i for i, f in enumerate(found) if kind in ("all", f["kind"])]
        theirs = [j for j, g in enumerate(gold) if kind in ("all", g["kind"])]
        matched = sum(1 for i in mine if i in pairs)
        kinds[kind] = {**_prf(matched, len(mine), matched, len(theirs)), "matched_found": matched}
    return {
        "plan": name,
        "kinds": {k: v for k, v in kinds.items() if k != "all"},
        "all": kinds["all"],
        "false": [_brief(f) for i, f in enumerate(found) if i not in pairs],
        "missed": [_brief(g) for j, g in enumerate(gold) if j not in taken],
    }


def _brief(f: dict) -> str:
    parties = " | ".join("、".join(p) for p in f["parties"])
    return f"[{f['kind']}] {f.get('target', '')}: {parties}"


def format_overlap_scores(scores: dict, errors: bool = False) -> str:
    header = f"{'':<44}" + "".join(f"{k:>18}" for k in KINDS) + f"{'all':>18}"
    lines = ["precision / recall (found, gold)", header]

    def cell(s: dict) -> str:
        return f"{s['precision']:.2f}/{s['recall']:.2f} ({s['found']},{s['gold']})".rjust(18)

    for p in scores["plans"]:
        lines.append(f"{p['plan'][:43]:<44}" + "".join(cell(p["kinds"][k]) for k in KINDS) + cell(p["all"]))
    lines.append(f"{'all plans':<44}" + "".join(cell(scores["kinds"][k]) for k in KINDS) + cell(scores["kinds"]["all"]))
    if errors:
        for p in scores["plans"]:
            for label in ("false", "missed"):
                for item in p[label]:
                    lines.append(f"  {p['plan']}: {label} {item}")
    return "\n".join(lines)
