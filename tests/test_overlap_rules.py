"""The rules behind the overlap findings, one clause at a time (kg/overlaps/reading.py, concepts.py)
and the pictures' layout (kg/overlaps/layout.py): parametrised rows of clause → what it is about."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from kg.overlaps.analysis import DutyRow
from kg.overlaps.concepts import Vocabulary
from kg.overlaps.layout import GAP, WIDTHS, box, place
from kg.overlaps.reading import leads, read_clause


@pytest.fixture(scope="module")
def vocabulary(thesaurus):
    return Vocabulary(thesaurus)


def _zh(vocabulary, iris) -> set[str]:
    return {vocabulary.t.concepts[i].pref_zh for i in iris}


def _read(vocabulary, text: str, scene_title: str = "", role: str = "lead"):
    """The clause as extraction would give it (its concepts found by the same matcher), then read."""
    t = vocabulary.t
    found = {scheme: tuple(dict.fromkeys(m.concept.iri for m in t.find(text, scheme))) for scheme in ("action", "object", "issue")}
    issues = t.narrowed(found["issue"], found["object"])
    row = DutyRow("d", text, "p", role, ("u",), actions=found["action"], objects=found["object"], issues=issues)
    title_issues = {m.concept.iri for m in t.find(scene_title, "issue")}
    scene = vocabulary.scene(frozenset().union(set(), *(t.broader_closure(i) for i in title_issues)))
    return read_clause(row, vocabulary, scene, {})


@pytest.mark.parametrize("text, role, expected", [
    ("会同市新闻办牵头负责协调新闻宣传和舆情处置工作", "joint", True),  # D14: 会同…牵头 leads
    ("负责联合市气象局落实重污染天气预报会商制度", "joint", True),  # D14: 负责联合 leads
    ("会同市生态环境局牵头负责协调有关部门对市指挥部成员单位重污染天气应急准备进行检查", "joint", True),
    ("配合对关停取缔企业采取停电措施", "support", False),
    ("负责根据市、县两级主管部门出具的停、限电书面通知，配合做好电力分配措施", "support", False),  # 主管部门 is a noun
    ("配合市公安局等部门指导和监督各县(市、区)、市属开发区落实高排放机动车控制措施", "support", False),
    ("参与、协调游乐设施事故的应急救援和善后处置工作", "lead", False),  # 参与 is support too
    ("组织或参与事故调查", "lead", True),  # or organise it
    ("组织消防部门参与森林火灾扑救", "lead", True),  # those organised take part
    ("指挥所属官兵参加除雪救灾工作", "lead", True),
    ("负责天气实况应急监测和天气预报", "lead", True),
    ("做好灾民生活安置等工作", "support", False),  # no marker: the sentence's role
])
def test_who_leads_is_read_from_the_clause_s_markers(text, role, expected):
    assert leads(text, role) is expected


@pytest.mark.parametrize("text, scene, targets, absent", [
    # a steering verb takes an organisation (an addressee) and a task: the counties are not a target
    ("督促各县(市、区)、市属开发区落实停限产企业应急管控措施", "", {"停限产企业"}, {"下级政府"}),
    # …but the roads' dust after 检查指导 is what is inspected
    ("负责检查指导县乡公路及交通施工工地扬尘治理", "", {"施工扬尘", "道路扬尘"}, set()),
    # a noun before another qualifies it: the families are the target, not the injured
    ("组织、协调做好遇难、受伤人员家属的安抚工作", "", {"家属"}, {"伤员"}),
    # the cargo of "砂石、渣土等货运车辆" is not what is punished; kinds of vehicle before 等 are
    ("加强对无蓬盖运输砂石、渣土、散装物料等货运车辆及大货车违反禁行标志行驶的查处", "", {"道路扬尘", "重型运输车辆"}, {"渣土", "散装物料"}),
    ("加大对渣土车、砂石车等违反规定上路行驶车辆的检查执法力度", "", {"渣土车", "砂石车", "违规上路车辆"}, set()),
    # vehicles a unit only furnishes are the means of a task, not what it acts on
    ("准备公共汽车等交通工具", "", set(), {"交通工具", "公共交通"}),
    ("负责调集救援物资运输工具", "火灾事故应急预案", set(), {"交通工具"}),
    # what 制定 produces is the unit's own plan, title and all
    ("制定本辖区预防暴风雪灾害应急预案", "", set(), {"应急预案", "防止"}),
    ("指导各县(市、区)、市属开发区开展重污染天气应急预案和应急减排清单的修订更新", "重污染天气", set(), {"减排清单"}),
    # a sand yard says where the dust is: the dust is the target
    ("负责抓好砂石场的扬尘污染防治", "", {"堆场扬尘"}, {"堆场"}),
    # the plan's own emergency, and the response to it, are its scene: the task is what is left
    ("负责全市森林防火宣传教育工作", "森林火灾应急预案", {"宣传"}, {"森林", "森林火灾"}),
    ("组织事故医疗救护工作", "特种设备安全事故应急救援预案", {"医疗救治"}, {"事故灾难"}),
    ("参与特种设备安全事故应急救援工作", "特种设备安全事故应急救援预案", set(), {"救援", "特种设备"}),
    ("负责灾区的伤病救治及卫生防疫工作", "森林火灾应急预案", {"医疗救治", "防疫"}, {"事故现场", "防止"}),
    # a leading frame says when, not what: the warning is not this unit's task
    ("负责气象灾害预警或影响时,保障相关区域道路畅通", "气象灾害应急预案", set(), {"预警"}),
    # organisations after 配合/会同 are partners, not targets
    ("配合有关部门做好事故信息发布工作", "特种设备安全事故应急救援预案", {"事故信息"}, {"有关部门"}),
    # a task is a target only in a clause about the emergency; "提供技术支持" names none
    ("提供技术支持", "火灾事故应急预案", set(), {"供应"}),
])
def test_what_a_clause_is_about(vocabulary, text, scene, targets, absent):
    reading = _read(vocabulary, text, scene)
    found = _zh(vocabulary, reading.targets)
    assert targets <= found, found
    assert not absent & found, found
    if text.startswith("督促"):  # the organisations steered are in no field either
        assert "下级政府" not in _zh(vocabulary, reading.things)


def test_only_organisations_and_people_are_steered(vocabulary):
    """After a steering verb the counties are addressed; supplies are acted on, never steered:
    "组织现场急需物资的筹集调度" keeps its supplies among what it acts on."""
    steered = _read(vocabulary, "督促各县(市、区)、市属开发区落实停限产企业应急管控措施")
    assert steered.addressees and "下级政府" not in _zh(vocabulary, steered.things)
    supplies = _read(vocabulary, "组织现场急需物资的筹集调度")
    assert not supplies.addressees and "应急物资" in _zh(vocabulary, supplies.things)


def test_a_duplication_is_between_parties_that_each_meet_the_others():
    from kg.overlaps.findings import _cliques

    met = {frozenset(("a", "b")), frozenset(("a", "c"))}  # b and c are split by scope
    assert _cliques(["a", "b", "c"], met) == [["a", "b"], ["a", "c"]]
    assert _cliques(["a", "b", "c"], met | {frozenset(("b", "c"))}) == [["a", "b", "c"]]


def test_a_scene_s_part_is_kept_apart(vocabulary):
    """In a special-equipment plan, 运输行业 of 运输行业特种设备 is this unit's part of the scene: a field
    (for fragmentation), not a target; the task left is the aftermath."""
    reading = _read(vocabulary, "参与、协调长江航道运输行业特种设备(汽车罐车、车用气瓶、港口起重机械等)事故应急和善后处置工作",
                    "特种设备安全事故应急救援预案")
    assert _zh(vocabulary, reading.parts) == {"运输企业"}
    assert _zh(vocabulary, reading.targets) == {"恢复"} and reading.tasks
    assert not reading.leads and not reading.substantive  # 参与、协调: takes part, weakly


def test_scopes_split_an_issue(vocabulary):
    building = _read(vocabulary, "建立建筑施工现场扬尘污染源动态数据库")
    municipal = _read(vocabulary, "防止市内道路及市政工程施工工地扬尘污染")
    dust = next(i for i in municipal.scopes if vocabulary.t.concepts[i].pref_zh == "施工扬尘")
    assert _zh(vocabulary, building.scopes[dust]) == {"建筑施工现场"}
    assert _zh(vocabulary, municipal.scopes[dust]) == {"市政工程施工工地"}


def test_how_general_a_concept_is_comes_from_the_thesaurus_s_structure(vocabulary):
    t = vocabulary.t
    key = {c.pref_zh: iri for iri, c in t.concepts.items() if c.scheme in ("object", "issue")}
    for category in ("车辆", "场所", "单位", "文件", "信息", "活动", "企业"):
        assert vocabulary.is_category(key[category]), category
    for specific in ("渣土车", "施工扬尘", "扬尘", "停限产企业", "有关部门"):
        assert not vocabulary.is_category(key[specific]), specific
    assert not vocabulary.is_leaf(key["扬尘"]) and vocabulary.is_leaf(key["施工扬尘"])
    assert key["施工工地"] in vocabulary.extent(key["扬尘"])  # the field of dust takes in construction sites
    assert key["扬尘"] not in vocabulary.extent(key["施工工地"])


def test_a_plan_s_scene(vocabulary):
    t = vocabulary.t
    fire = next(i for i, c in t.concepts.items() if c.pref_zh == "森林火灾")
    scene = _zh(vocabulary, {c for c in vocabulary.scene(frozenset(t.broader_closure(fire))) if c in t.concepts})
    assert {"森林火灾", "森林", "火灾", "事故现场", "伤员", "救援队伍", "扑救", "救援"} <= scene
    assert not {"案件", "学生", "宣传"} & scene


@pytest.mark.parametrize("seed", range(6))
def test_layout_puts_no_label_on_another_and_is_the_same_every_time(seed):
    rng = random.Random(seed)
    graph = nx.gnm_random_graph(rng.randint(1, 40), rng.randint(0, 60), seed=seed)
    graph = nx.relabel_nodes(graph, {n: f"n{n}" for n in graph})
    labels = {n: rng.choice(["市公安局", "市住房城乡建设局", "各县(市、区)人民政府", "Liaocheng Municipal Public Security Bureau",
                             "渣土车", "construction dust"]) for n in graph}
    for width in WIDTHS.values():
        layout = place(graph, labels, width)
        assert layout == place(graph, labels, width)  # stable on every reload
        boxes = {n: (*layout["nodes"][n], *box(labels[n])) for n in graph}
        for x, y, w, h in boxes.values():
            assert w / 2 - 0.5 <= x <= width - w / 2 + 0.5 and h / 2 <= y <= layout["height"]
        items = sorted(boxes.values())
        for i, (ax, ay, aw, ah) in enumerate(items):
            for bx, by, bw, bh in items[i + 1 :]:
                assert abs(ax - bx) * 2 >= aw + bw + 2 * GAP - 1 or abs(ay - by) * 2 >= ah + bh + 2 * GAP - 1
