"""Overlap findings against the blind gold (tests/gold/overlaps/): floors per kind, and a matching rule
that can fail."""

from __future__ import annotations

import pytest

from kg.evaluation.overlaps import KINDS, format_overlap_scores, matches, overlap_golds, score_overlaps

FLOORS = {"precision": 0.90, "recall": 0.80}


@pytest.fixture(scope="module")
def scores():
    from kg.config import Settings

    return score_overlaps(Settings.from_env("/nonexistent-home"))


def test_there_is_gold(home):
    assert len(overlap_golds(home)) == 4


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_is_above_the_floors(scores, kind):
    print(format_overlap_scores(scores, errors=True))  # shown with -s or on failure, so a reader sees the figures move
    for measure, floor in FLOORS.items():
        assert scores["kinds"][kind][measure] >= floor, (kind, scores["kinds"][kind])


def test_every_plan_of_the_gold_was_scored(scores):
    assert {p["plan"] for p in scores["plans"]} == {
        "liaocheng_heavy-pollution_member-duties", "06_jianli_air-quality-duty-table-2018",
        "10_shenyang_forest-fire", "15_yueyang_special-equipment-accident"}
    assert scores["kinds"]["all"]["gold"] == 16


GOLD = {"kind": "overlap", "target": "渣土车/渣土运输", "parties": [["市行政审批局"], ["市公安局"]],
        "clauses": {"市行政审批局": ["根据要求在应急响应期间暂停渣土运输核准"]}}
FOUND = {"kind": "overlap", "target": "渣土车", "labels": ["渣土车"], "parties": [["市公安局"], ["市行政审批局"]],
         "clauses": ["加大对渣土车、砂石车等违反规定上路行驶车辆的检查执法力度"]}


@pytest.mark.parametrize("change, expected", [
    ({}, True),
    ({"kind": "duplication"}, False),  # another kind
    ({"parties": [["市公安局"], ["市商务局"]]}, False),  # other parties
    ({"parties": [["市公安局", "市行政审批局"]]}, False),  # one party is not two
    ({"labels": ["成品油"], "clauses": ["负责在重污染天气应急响应期间，牵头加大成品油监管工作力度"]}, False),  # another thing
    ({"labels": ["渣土运输核准"], "clauses": ["根据要求在应急响应期间暂停渣土运输核准;"]}, True),  # the same clause
    ({"labels": ["违规上路车辆"], "clauses": ["在应急响应期间暂停渣土运输核准"]}, True),  # inside the gold's clause
])
def test_the_matching_rule(change, expected):
    assert matches({**FOUND, **change}, GOLD) is expected


def test_the_cli_takes_a_folder_of_gold(tmp_path):
    """`kg eval overlaps --gold DIR` scores every gold file in it; a folder without one is a clear error."""
    import json

    from click.testing import CliRunner

    from kg.cli import main
    from kg.config import ROOT

    folder = tmp_path / "gold"
    folder.mkdir()
    source = ROOT / "tests" / "gold" / "overlaps" / "15_yueyang_special-equipment-accident.json"
    (folder / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(main, ["--home", str(tmp_path / "home"), "eval", "overlaps", "--gold", str(folder), "--json"])
    assert result.exit_code == 0, result.output
    assert [p["plan"] for p in json.loads(result.output)["plans"]] == [source.stem]
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(main, ["eval", "overlaps", "--gold", str(empty)])
    assert result.exit_code == 2 and "no gold file" in result.output


def test_the_second_dev_gold_keeps_its_level():
    """Three more dev2 plans marked blind after the rules were written (tests/gold/overlaps-dev2/):
    all kinds together at today's level (precision 0.75, recall 0.43; 3 of 4 found, 7 in the gold),
    so a change cannot lose ground unnoticed. The aim is the first set's floors; not met."""
    from kg.config import ROOT, Settings

    folder = ROOT / "tests" / "gold" / "overlaps-dev2"
    scores = score_overlaps(Settings.from_env("/nonexistent-home"), sorted(folder.glob("*.json")))
    print(format_overlap_scores(scores, errors=True))
    assert len(scores["plans"]) == 3 and scores["kinds"]["all"]["gold"] == 7
    assert scores["kinds"]["all"]["precision"] >= 0.75 and scores["kinds"]["all"]["recall"] >= 0.42


def test_a_second_reader_is_scored_against_the_gold(tmp_path):
    """`kg eval overlaps --reader DIR`: a second reader's gold of the same pages, scored as the
    program's findings are. A reader agrees with itself entirely; one who left a finding out and
    marked another that the gold does not have loses recall and precision; a page the reader did not
    mark is a clear error."""
    import json

    from click.testing import CliRunner

    from kg.cli import main
    from kg.config import ROOT

    source = ROOT / "tests" / "gold" / "overlaps" / "15_yueyang_special-equipment-accident.json"
    gold = json.loads(source.read_text(encoding="utf-8"))
    runner = CliRunner()

    def agreement(reader: dict) -> dict:
        (tmp_path / "reader.json").write_text(json.dumps(reader, ensure_ascii=False), encoding="utf-8")
        result = runner.invoke(main, ["eval", "overlaps", "--gold", str(source), "--reader",
                                      str(tmp_path / "reader.json"), "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)["kinds"]["all"]

    assert agreement(gold) == {"precision": 1.0, "recall": 1.0, "found": len(gold["findings"]),
                               "gold": len(gold["findings"]), "matched": len(gold["findings"])}
    other = {**gold, "findings": gold["findings"][1:] + [{**gold["findings"][0], "kind": "gap", "target": "别的"}]}
    partial = agreement(other)
    assert partial["matched"] == len(gold["findings"]) - 1
    assert partial["precision"] < 1.0 and partial["recall"] < 1.0
    elsewhere = {**gold, "source": "tests/data/dev/10_shenyang_forest-fire.txt"}
    (tmp_path / "reader.json").write_text(json.dumps(elsewhere, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(main, ["eval", "overlaps", "--gold", str(source), "--reader", str(tmp_path / "reader.json")])
    assert result.exit_code != 0 and "did not mark" in result.output
