"""Extraction accuracy against the hand-written gold (tests/gold/): floors, and a scorer that can fail."""

from __future__ import annotations

import json

import pytest

from kg.build.pipeline import extract_documents
from kg.config import ROOT
from kg.evaluation.scoring import format_scores, score_extraction, score_plan

GOLD = [p for p in sorted((ROOT / "tests" / "gold").glob("*.json")) if '"records"' in p.read_text(encoding="utf-8")]
FLOORS = {
    "segmentation": 0.95,
    "units": 0.95,
    "actions": 0.90,
    "objects": 0.90,
    "roles": 0.90,
    "partners": 0.90,
}


@pytest.fixture(scope="module")
def scores(thesaurus):
    from kg.config import Settings

    return score_extraction(Settings.from_env("/nonexistent-home"), GOLD)


def test_there_is_gold(home):
    from kg.evaluation.scoring import extraction_golds

    assert GOLD, "tests/gold/*.json is missing"
    assert extraction_golds(home) == GOLD


@pytest.mark.parametrize("field, floor", FLOORS.items())
def test_extraction_is_above_the_floor(scores, field, floor):
    print(format_scores(scores))  # shown with -s or on failure, so a reader sees the figures move
    assert scores["fields"][field]["f1"] >= floor, scores["fields"][field]


def test_scorer_penalises_a_wrong_extraction(thesaurus):
    """Drop half the duties and blank the roles: the scores must fall."""
    from dataclasses import replace

    from kg.config import Settings

    gold = json.loads(GOLD[0].read_text(encoding="utf-8"))
    (extracted,) = extract_documents(Settings.from_env("/nonexistent-home"), [ROOT / gold["source"]])
    worse = replace(
        extracted,
        duties=tuple(replace(d, role="support", partners=()) for d in extracted.duties[::2]),
    )
    good, bad = score_plan(gold, extracted), score_plan(gold, worse)
    assert bad["segmentation.tp"] < good["segmentation.tp"]
    assert bad["roles.tp"] < good["roles.tp"]


def test_gold_is_self_consistent():
    """Every gold duty text is the file's text at its span (the gold is usable at all)."""
    for path in GOLD:
        gold = json.loads(path.read_text(encoding="utf-8"))
        text = (ROOT / gold["source"]).read_text(encoding="utf-8")
        for record in gold["records"]:
            for duty in record["duties"]:
                start, end = duty["span"]
                assert text[start:end] == duty["text"], (record["row"], duty["text"])
