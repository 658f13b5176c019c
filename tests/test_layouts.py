"""Real documents: the layouts found in the wild, formats and encodings, scored on hand-made gold."""

from __future__ import annotations

import json

import pytest

from kg.build.pipeline import extract_documents
from kg.config import ROOT, Settings
from kg.documents.reader import load_document, parse_layout, read_source
from kg.errors import KgError
from kg.evaluation.scoring import score_units

DEV_GOLD = sorted((ROOT / "tests" / "gold" / "dev").glob("*.json"))


@pytest.fixture(scope="module")
def unit_scores():
    return {d["gold"]: d for d in score_units(Settings.from_env("/nonexistent-home"), DEV_GOLD)["documents"]}


def test_there_are_six_dev_golds():
    assert len(DEV_GOLD) == 6


@pytest.mark.parametrize("gold", DEV_GOLD, ids=lambda p: p.stem)
def test_units_above_the_floor_on_each_fragment(unit_scores, gold):
    scores = unit_scores[str(gold)]
    assert scores["units"]["precision"] >= 0.95, scores
    assert scores["units"]["recall"] >= 0.95, scores
    assert not scores["partners_as_members"], scores


@pytest.mark.parametrize("gold", DEV_GOLD, ids=lambda p: p.stem)
def test_nothing_lost_in_the_fragments(gold):
    data = json.loads(gold.read_text(encoding="utf-8"))
    (x,) = extract_documents(Settings.from_env("/nonexistent-home"), [ROOT / data["source"]])
    text = x.plan.source.text
    for record in x.records:
        covered = set()
        for duty in (d for d in x.duties if d.row == record.row):
            assert text[duty.span[0] : duty.span[1]] == duty.text
            covered.update(range(*duty.span))
        left = "".join(text[i] for i in range(*record.span) if i not in covered)
        assert set(left) <= set(";；,，。.\n \t"), (record.row, left)


def _doc(tmp_path, name: str, body: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(body.encode(encoding))
    return path


@pytest.mark.parametrize(
    "body, units",
    [
        ("市卫生局:负责医疗救援。\n市公安局:负责交通管制。\n", [["市卫生局"], ["市公安局"]]),
        ("市卫生局负责医疗救援。\n市公安局负责交通管制。\n", [["市卫生局"], ["市公安局"]]),
        ("(一)市林业局\n1.负责火灾扑救。\n2.负责火场勘察。\n(十一)市气象局\n负责气象预报。\n",
         [["市林业局"], ["市气象局"]]),
        ("2.4.9 市交通局\n负责调配车辆。\n2.4.10 市经贸局\n负责物资供应。\n3 运行机制\n3.1 预防预警\n",
         [["市交通局"], ["市经贸局"]]),
        ("市质监局 综合协调救援工作。\n市建设局、市城管局 制订工作制度。\n",
         [["市质监局"], ["市建设局", "市城管局"]]),
        ("市农委、市卫生局和市红十字会负责医疗救助。\n", [["市农委", "市卫生局", "市红十字会"]]),
        ("市公安局(含市消防支队):负责灭火救援。\n", [["市公安局(含市消防支队)"]]),
        ("县交通 运输局:负责道路运输保障。\n县公安局 负责交通管制。\n", [["县交通运输局"], ["县公安局"]]),
        ("市网通公司、市移动公司:负责通信保障。\n五、标准要求\n各单位要加强值守。\n", [["市网通公司", "市移动公司"]]),
    ],
)
def test_layouts(tmp_path, thesaurus, body, units):
    from kg.extraction.duties import split_unit_cell

    plan, records = load_document(_doc(tmp_path, "plan.txt", body))
    assert [[n for n, _ in split_unit_cell(r.unit_text)] for r in records] == units


def test_partners_named_in_a_duty_are_not_members(tmp_path):
    path = _doc(tmp_path, "plan.txt", "市应急局:负责协调市安全监管局开展救援。\n市公安局:配合市应急局维护秩序。\n")
    (x,) = extract_documents(Settings.from_env("/nonexistent-home"), [path])
    members = {u.name for units in x.members.values() for u in units}
    assert members == {"市应急局", "市公安局"}
    assert {u.name for u in x.partners} == {"市安全监管局"}


def test_html_tables_and_paragraphs(tmp_path):
    html = """<html><head><meta charset="gbk"><title>某市预案</title><script>var x = "<td>市假局</td>";</script></head>
    <body><h1>某市防汛抗旱指挥部成员单位职责</h1>
    <table><tr><th>序号</th><th>成员单位</th><th>职责</th></tr>
    <tr><td>1</td><td>市水利局</td><td>负责水情监测；负责工程调度。</td></tr>
    <tr><td>2</td><td>市气象局</td><td>负责天气预报&amp;预警。</td></tr></table></body></html>"""
    plan, records = load_document(_doc(tmp_path, "plan.html", html, "gbk"))
    assert [r.unit_text for r in records] == ["市水利局", "市气象局"]
    assert records[1].text == "负责天气预报&预警。"
    assert plan.place_zh == "某市" or plan.title.startswith("某市")


def test_docx(tmp_path):
    from docx import Document

    document = Document()
    document.add_paragraph("某市森林防火指挥部成员单位职责")
    document.add_paragraph("市林业局:负责火灾扑救的组织。")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "市公安局"
    table.rows[0].cells[1].text = "负责火场治安。"
    path = tmp_path / "plan.docx"
    document.save(path)
    _, records = load_document(path)
    assert [r.unit_text for r in records] == ["市林业局", "市公安局"]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("plan.pdf", b"%PDF-1.4", "unsupported format"),
        ("plan.docx", b"not a zip", "not a readable .docx"),
        ("plan.txt", "第一章 总则\n为了做好工作，制定本预案。\n".encode(), "no duty list"),
    ],
)
def test_unreadable_documents_are_named(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(KgError, match=message) as info:
        load_document(path)
    assert str(path) in str(info.value)


def test_gb18030_fragment_reads_like_utf8(tmp_path):
    source = ROOT / "tests" / "data" / "dev" / "04_panjin_snowstorm.txt"
    copy = tmp_path / "gbk.txt"
    copy.write_bytes(source.read_text(encoding="utf-8").encode("gb18030"))
    assert [r.unit_text for r in parse_layout(read_source(copy))[2]] == [
        r.unit_text for r in parse_layout(read_source(source))[2]
    ]


def test_passive_clauses(tmp_path):
    body = "(一)监测预警由市气象局负责组织协调。\n(二)医疗救治由市卫生局和市红十字会负责。\n"
    _, records = load_document(_doc(tmp_path, "plan.txt", body))
    assert [r.unit_text for r in records] == ["市气象局", "市卫生局和市红十字会"]
    assert records[0].text.startswith("监测预警由市气象局")


def test_work_groups_and_collectives_are_typed(tmp_path):
    body = "抢险救灾组:由市应急局牵头,负责现场抢险。\n各区政府:负责本辖区救灾。\n市公安局:负责治安。\n"
    (x,) = extract_documents(Settings.from_env("/nonexistent-home"), [_doc(tmp_path, "plan.txt", body)])
    units = {u.name: u for us in x.members.values() for u in us}
    assert units["抢险救灾组"].work_group and units["抢险救灾组"].agency_type.endswith("/working-group")
    assert units["各区政府"].collective
    assert not units["市公安局"].collective and not units["市公安局"].work_group


def test_plan_metadata(tmp_path):
    body = "# title: 某省2019年森林火灾应急预案\n# level: province\n\n省林业局:负责火灾扑救。\n"
    (x,) = extract_documents(Settings.from_env("/nonexistent-home"), [_doc(tmp_path, "plan.txt", body)])
    assert (x.plan.level, x.plan.year, x.plan.place_zh) == ("province", 2019, "某省")
    assert [i.rsplit("/", 1)[-1] for i in x.emergency_types] == ["forest-fire"]
