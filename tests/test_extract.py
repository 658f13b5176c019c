"""Extraction rules as parametrised rows: (clause → segmentation, role, partners, units, names)."""

from __future__ import annotations

import pytest

from kg.documents.reader import load_document
from kg.extraction.duties import extract_plan, find_partners, is_boilerplate, segment, split_unit_cell
from kg.text import fold_width

from .conftest import SEED


@pytest.fixture(scope="module")
def seed(thesaurus):
    plan, records = load_document(SEED)
    return extract_plan(plan, records, thesaurus)


def _clauses(text, thesaurus):
    return [text[a:b] for (a, b), _ in segment(text, thesaurus)]


@pytest.mark.parametrize(
    "paragraph, expected",
    [
        (
            "负责组织修订本辖区重污染天气应急预案和减排清单,指导辖区内相关部门编制重污染天气应急响应专项实施方案,"
            "指导辖区内企业编制重污染天气减排操作方案(“一厂一策”),落实本辖区重污染天气应急工作",
            4,
        ),
        ("对应急响应期间未落实应急减排措施的,依法依规严肃查处", 1),
        ("负责在重污染天气应急响应期间，牵头加大成品油监管工作力度", 1),
        ("负责在重污染天气应急响应期间，积极开展成品油质量抽检，对生产、销售不符合质量标准的成品油行为依法处罚", 2),
        ("加大对渣土车、砂石车等违反规定上路行驶车辆的检查执法力度", 1),
        ("完善城市气象监测网络建设,加强气象预报能力建设,提高预报准确度", 3),
        ("编制本部门重污染天气应急响应专项实施预案；完成市指挥部交办的其他工作。", 2),
    ],
)
def test_segmentation(paragraph, expected, thesaurus):
    assert len(_clauses(paragraph, thesaurus)) == expected, _clauses(paragraph, thesaurus)


@pytest.mark.parametrize(
    "clause, partners",
    [
        ("会同市新闻办牵头负责协调新闻宣传和舆情处置工作", ["市新闻办"]),
        ("会同市指挥部办公室适时组织召开新闻发布会或通气会", ["市指挥部办公室"]),
        ("配合市公安局等部门指导和监督各县(市、区)落实高排放机动车控制措施", ["市公安局"]),
        ("与市生态环境局共同进行重污染天气预报会商", ["市生态环境局"]),
        ("负责联合市气象局落实重污染天气预报会商制度", ["市气象局"]),
        ("会同市公安局、市交通运输局开展联合检查", ["市公安局", "市交通运输局"]),
        ("配合做好重污染天气应急响应时的电力分配措施", []),
        ("负责协调有关部门对成员单位进行检查", []),
    ],
)
def test_partners(clause, partners, thesaurus):
    assert [name for name, _ in find_partners(fold_width(clause), thesaurus)] == partners


@pytest.mark.parametrize(
    "cell, names",
    [
        ("各县(市、区)人民政府、市属开发区管委会", ["各县(市、区)人民政府", "市属开发区管委会"]),
        ("各县（市、区）人民政府", ["各县（市、区）人民政府"]),
        ("市公安局", ["市公安局"]),
        ("国网聊城供电公司", ["国网聊城供电公司"]),
    ],
)
def test_split_unit_cell(cell, names):
    assert [name for name, _ in split_unit_cell(cell)] == names


@pytest.mark.parametrize(
    "clause, expected",
    [
        ("完成市指挥部交办的其他工作", True),
        ("编制本部门重污染天气应急响应专项实施预案", True),
        ("对应急响应期间未落实应急减排措施的,依法依规严肃查处", True),
        ("对应急响应期间未落实应急减排措施的，依法依规严肃查处", True),
        ("加大对渣土车、砂石车等违反规定上路行驶车辆的检查执法力度", False),
        ("负责组织修订本辖区重污染天气应急预案和减排清单", False),
    ],
)
def test_boilerplate(clause, expected):
    assert is_boilerplate(clause) is expected


def _duty(seed, row, start_text):
    return next(d for d in seed.duties if d.row == row and d.text.startswith(start_text))


@pytest.mark.parametrize(
    "row, start, role, partners",
    [
        (2, "会同市新闻办", "joint", ("市新闻办",)),
        (4, "负责联合市气象局", "joint", ("市气象局",)),
        (4, "配合市公安局", "support", ("市公安局",)),
        (5, "与市生态环境局", "joint", ("市生态环境局",)),
        (6, "加大对渣土车", "lead", ()),
        (14, "负责在重污染天气", "lead", ()),
        (17, "负责根据市、县两级", "support", ()),
        (1, "指导辖区内企业", "lead", ()),
    ],
)
def test_roles_on_the_seed(seed, row, start, role, partners):
    duty = _duty(seed, row, start)
    assert (duty.role, duty.partners) == (role, partners)


def test_nothing_is_lost(seed):
    """Every character of every paragraph is in some duty's span, but for separators between them."""
    text = seed.plan.source.text
    for record in seed.records:
        covered = set()
        for duty in (d for d in seed.duties if d.row == record.row):
            assert text[duty.span[0] : duty.span[1]] == duty.text
            assert record.span[0] <= duty.span[0] < duty.span[1] <= record.span[1]
            covered.update(range(*duty.span))
        left = "".join(text[i] for i in range(*record.span) if i not in covered)
        assert set(left) <= set(";；,，。 "), (record.row, left)


def test_members_and_partners(seed):
    members = [u for units in seed.members.values() for u in units]
    assert len(members) == 18
    assert all(u.agency_type for u in members)
    assert {u.name for u in members if u.collective} == {"各县(市、区)人民政府", "市属开发区管委会"}
    partners = {u.name for u in seed.partners}
    assert partners == {"市新闻办", "市指挥部办公室"}  # named in clauses, not members


@pytest.mark.parametrize(
    "name, english",
    [
        ("市公安局", "Liaocheng Municipal Public Security Bureau"),
        ("国网聊城供电公司", "State Grid Liaocheng Power Supply Company"),
        ("各县(市、区)人民政府", "Liaocheng County-level People's Governments"),
    ],
)
def test_english_names(seed, name, english):
    members = {u.name: u for units in seed.members.values() for u in units}
    assert members[name].label_en == english


def test_command_english(seed):
    assert seed.command_en == "Liaocheng Heavy Pollution Weather Emergency Command"


@pytest.mark.parametrize(
    "row, start, issues",
    [
        (7, "负责市区已办理", {"issue/construction-dust"}),  # 施工现场的扬尘: 扬尘 narrowed by the site
        (8, "防止市内道路", {"issue/construction-dust", "issue/road-dust"}),  # a road beside site dust
        (6, "加大对渣土车", set()),
    ],
)
def test_issues_are_narrowed_by_their_objects(seed, row, start, issues):
    from kg.vocab import concept_ref

    assert {concept_ref(i) for i in _duty(seed, row, start).issues} == issues


@pytest.mark.parametrize(
    "row, start, absent",
    [
        (1, "对应急响应期间未落实", "action/implement"),  # 未落实: a violation, not a duty to implement
        (11, "根据有关部门预算申请", "action/warn"),  # 用于…预警: the purpose of the funds
    ],
)
def test_actions_the_unit_does_not_perform(seed, row, start, absent):
    from kg.vocab import concept_iri

    assert str(concept_iri(absent)) not in _duty(seed, row, start).actions


def test_specific_enforcement_is_not_boilerplate(seed):
    assert not _duty(seed, 12, "对未按要求落实错峰生产").boilerplate
