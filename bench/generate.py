"""Generate N synthetic emergency-plan duty lists in the seed's layout, for benchmarks.

Takes the seed plan (``data/plans/``), the real fragments in other layouts (``tests/data/dev/``)
and the SKOS thesauri (``ontology/thesaurus/``); writes N ``.txt`` files, each a tab-separated
table 序号 / 成员单位 / 职 责 under an "附件 N" line and a title, with the header repeated at page
breaks, exactly as ``kg build`` reads the seed. Variety comes from:

- places: ~200 real city, county and district names (市/县/区), the unit prefix following the level;
- agencies: 15-40 member units per plan, named by the agency thesaurus's preferred labels or, more
  often in plans dated before the 2018 reform, its former names (环保局, 卫生局, 安监局, 建委 …);
- duties: clauses of the seed and the dev fragments, split at ；/; and recombined, their objects
  swapped for other labels of the same top concept of the object thesaurus, the seed's emergency
  type (重污染天气) swapped for the plan's;
- titles: emergency types from the issue thesaurus; punctuation half- or full-width per page.

Deterministic for a given ``--seed``. Benchmarks only: the text is plausible, not true.

    .venv/bin/python bench/generate.py --plans 1000 --out /tmp/plans [--seed 8]
"""

from __future__ import annotations

import argparse
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, Namespace
from rdflib.namespace import RDF, SKOS

ROOT = Path(__file__).resolve().parent.parent
SEED_PLAN = ROOT / "data" / "plans" / "liaocheng_heavy-pollution_member-duties.txt"
DEV_DIR = ROOT / "tests" / "data" / "dev"
THESAURUS_DIR = ROOT / "ontology" / "thesaurus"
AGY = Namespace("https://w3id.org/dutygraph/concept/agency/")

# Real prefecture-level cities, counties and urban districts (names as in 2010-2020 plans).
PLACES = """
聊城市 济南市 青岛市 淄博市 枣庄市 东营市 烟台市 潍坊市 济宁市 泰安市 威海市 日照市 临沂市 德州市 滨州市 菏泽市
石家庄市 唐山市 秦皇岛市 邯郸市 邢台市 保定市 张家口市 承德市 沧州市 廊坊市 衡水市 太原市 大同市 阳泉市 长治市
晋城市 朔州市 晋中市 运城市 忻州市 临汾市 吕梁市 沈阳市 大连市 鞍山市 抚顺市 本溪市 丹东市 锦州市 营口市 阜新市
辽阳市 盘锦市 铁岭市 葫芦岛市 长春市 吉林市 四平市 通化市 白山市 松原市 哈尔滨市 齐齐哈尔市 牡丹江市 佳木斯市
大庆市 南京市 无锡市 徐州市 常州市 苏州市 南通市 连云港市 淮安市 盐城市 扬州市 镇江市 泰州市 宿迁市 杭州市 宁波市
温州市 嘉兴市 湖州市 绍兴市 金华市 衢州市 舟山市 台州市 丽水市 合肥市 芜湖市 蚌埠市 淮南市 马鞍山市 淮北市 铜陵市
安庆市 黄山市 滁州市 阜阳市 宿州市 六安市 亳州市 福州市 厦门市 莆田市 三明市 泉州市 漳州市 南昌市 景德镇市 萍乡市
九江市 赣州市 郑州市 开封市 洛阳市 平顶山市 安阳市 鹤壁市 新乡市 焦作市 濮阳市 许昌市 漯河市 三门峡市 南阳市
商丘市 信阳市 周口市 驻马店市 武汉市 黄石市 十堰市 宜昌市 襄阳市 荆州市 长沙市 株洲市 湘潭市 衡阳市 岳阳市 常德市
广州市 深圳市 珠海市 汕头市 佛山市 东莞市 中山市 南宁市 柳州市 桂林市 成都市 绵阳市 宜宾市 贵阳市 遵义市 昆明市
西安市 宝鸡市 咸阳市 渭南市 兰州市 西宁市 银川市 呼和浩特市 包头市 寿光市 邹城市 曲阜市 新泰市 荣成市
莘县 阳谷县 东阿县 冠县 高唐县 平阴县 商河县 沂水县 蒙阴县 平邑县 费县 沂南县 郯城县 曹县 单县 成武县 巨野县
鄄城县 东明县 正定县 赞皇县 无极县 灵寿县 平山县 元氏县 赵县 涉县 磁县 临漳县 成安县 大名县 魏县 曲周县 监利县
嘉鱼县 通山县 崇阳县 桐庐县 淳安县 德清县 长兴县 安吉县 海盐县 嘉善县 新昌县 浦江县 武义县 磐安县 仙居县 天台县
三门县 缙云县 遂昌县 松阳县
东昌府区 历下区 槐荫区 天桥区 历城区 长清区 市南区 市北区 黄岛区 崂山区 李沧区 城阳区 张店区 淄川区 博山区 临淄区
周村区 芝罘区 福山区 莱山区 牟平区 奎文区 潍城区 寒亭区 坊子区 任城区 兖州区 泰山区 岱岳区 环翠区 文登区 东港区
岚山区 兰山区 罗庄区 河东区 德城区 陵城区 滨城区 沾化区 牡丹区 定陶区 裕华区 玄武区 秦淮区 建邺区 海淀区 丰台区
""".split()

# Former names are far more common before the 2018 institutional reform.
REFORM_YEAR = 2018
BOILERPLATE = ("完成{p}指挥部交办的其他工作。", "完成{p}应急指挥部交办的其他任务。", "承办{p}指挥部交办的其他事项。")
PREPLAN = "编制本部门{issue}应急响应专项实施预案"
_SPLIT = re.compile(r"[；;。]")
_VERB = re.compile(r"(负责|组织|协调|配合|参与|指导|督促|做好|落实|加强|保障|提供|开展|制定|编制|实施|监督|检查|会同|承担|确保)")
_UNIT_PREFIX = re.compile(r"^.{1,14}?(?:局|委|办|部|公司|中心|支队|大队|站|院|会|区|分区)(?=负责|组织|协调|配合|参与|会同)")
_CJK_ONLY = re.compile(r"^[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef0-9A-Za-z.,()“”、\-]+$")
HALF = str.maketrans({"，": ",", "；": ";", "（": "(", "）": ")", "：": ":"})
FULL = str.maketrans({",": "，", ";": "；", "(": "（", ")": "）"})


@dataclass
class Material:
    clauses: list[str]
    agencies: list[tuple[str, str, list[str]]]  # (category, preferred label, former names)
    objects: dict[str, list[str]]  # top concept → preferred zh labels under it
    object_pattern: re.Pattern
    object_top: dict[str, str]  # any zh label → its top concept
    issues: list[tuple[str, str]]  # (notation, zh label)
    places: list[str] = field(default_factory=lambda: list(PLACES))


def _zh(graph: Graph, subject, predicate) -> list[str]:
    return sorted(str(o) for o in graph.objects(subject, predicate) if isinstance(o, Literal) and o.language == "zh")


def _top(graph: Graph, concept):
    seen = {concept}
    while True:
        parent = next(iter(sorted(graph.objects(concept, SKOS.broader))), None)
        if parent is None or parent in seen:
            return concept
        seen.add(parent)
        concept = parent


def _bureau_like(label: str) -> bool:
    # Provincial (厅), generic (部门, 机关) and branch forms are not names a city unit goes by.
    return not re.search(r"(厅|部门|机关|机构|主管|分局|分公司|运营商|企业|^公司|有限公司|有限责任公司)$", label) and len(label) >= 2


def harvest_clauses() -> list[str]:
    """Duty clauses of the seed (its 职责 cells) and the dev fragments (any layout), deduplicated."""
    texts = []
    for line in SEED_PLAN.read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        if len(cells) >= 3 and cells[0].strip().isdigit():
            texts.append(cells[2])
    for path in sorted(DEV_DIR.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.startswith("#"):
                texts.append(re.split(r"[:：]", line)[-1])
    clauses: dict[str, None] = {}
    for text in texts:
        for clause in _SPLIT.split(text.translate(FULL)):
            clause = _UNIT_PREFIX.sub("", clause.strip().lstrip("，、"))
            if (6 <= len(clause) <= 90 and _CJK_ONLY.match(clause) and _VERB.search(clause)
                    and "交办" not in clause and "专项实施预案" not in clause):
                clauses[clause] = None
    return list(clauses)


def load_material() -> Material:
    graph = Graph()
    for name in ("agencies", "objects", "issues"):
        graph.parse(THESAURUS_DIR / f"{name}.ttl", format="turtle")
    tops = set(graph.subjects(SKOS.topConceptOf, None))
    agencies = []
    for concept in sorted(graph.subjects(SKOS.inScheme, Namespace("https://w3id.org/dutygraph/concept/")["agency"])):
        if concept in tops or concept in (AGY["peoples-government"], AGY["township-government"], AGY["subdistrict-office"],
                                          AGY["village-committee"], AGY["party-committee"], AGY["special-task-office"]):
            continue
        pref = _zh(graph, concept, SKOS.prefLabel)
        if not pref:
            continue
        former = [a for a in _zh(graph, concept, SKOS.altLabel) if _bureau_like(a) and a != pref[0]]
        agencies.append((str(_top(graph, concept)).rsplit("/", 1)[-1], pref[0], former))
    objects: dict[str, list[str]] = {}
    object_top: dict[str, str] = {}
    object_scheme = Namespace("https://w3id.org/dutygraph/concept/")["object"]
    for concept in sorted(graph.subjects(SKOS.inScheme, object_scheme)):
        top = str(_top(graph, concept))
        pref = _zh(graph, concept, SKOS.prefLabel)
        if concept not in tops and pref:
            objects.setdefault(top, []).append(pref[0])
        for label in pref + _zh(graph, concept, SKOS.altLabel):
            if len(label) >= 2:
                object_top.setdefault(label, top)
    labels = sorted(object_top, key=lambda s: (-len(s), s))
    issues = []
    issue_scheme = Namespace("https://w3id.org/dutygraph/concept/")["issue"]
    for concept in sorted(graph.subjects(SKOS.inScheme, issue_scheme)):
        if concept in tops or (concept, RDF.type, SKOS.Concept) not in graph:
            continue
        notation = next(iter(graph.objects(concept, SKOS.notation)), None)
        pref = _zh(graph, concept, SKOS.prefLabel)
        if notation and pref:
            issues.append((str(notation), pref[0]))
    return Material(
        clauses=harvest_clauses(),
        agencies=agencies,
        objects=objects,
        object_pattern=re.compile("|".join(re.escape(x) for x in labels)),
        object_top=object_top,
        issues=issues,
    )


def vary_clause(clause: str, rng: random.Random, material: Material, issue: str) -> str:
    """Swap each object for another of its top concept (half the time), and the seed's emergency type."""
    def swap(found: re.Match) -> str:
        choices = material.objects.get(material.object_top[found.group(0)])
        return rng.choice(choices) if choices and rng.random() < 0.5 else found.group(0)

    return material.object_pattern.sub(swap, clause).replace("重污染天气", issue)


def unit_names(rng: random.Random, material: Material, place: str, year: int, count: int) -> list[str]:
    level = place[-1]
    stem = place[:-1]
    old = 0.7 if year < REFORM_YEAR else 0.15
    names: dict[str, None] = {}
    if rng.random() < 0.5:  # the seed's collective first row
        names["各县(市、区)人民政府、市属开发区管委会" if level == "市" else "各乡镇人民政府、街道办事处"] = None
    pool = list(material.agencies)
    rng.shuffle(pool)
    for category, pref, former in pool:
        if len(names) >= count:
            break
        label = rng.choice(former) if former and rng.random() < old else pref
        if category in ("government-department", "party-and-government-office", "judicial-and-supervisory-organ"):
            name = f"{level}{label}" if not label.startswith(("县委", "市委")) else label
        elif label in ("供电公司", "供电局", "电业局", "电力公司"):
            name = f"国网{stem}{label}"
        else:
            name = f"{stem}{label}"
        names[name] = None
    return list(names)


def duty_paragraph(rng: random.Random, material: Material, issue: str, level: str) -> str:
    parts = []
    if rng.random() < 0.6:
        parts.append(PREPLAN.format(issue=issue))
    for clause in rng.sample(material.clauses, rng.randint(1, 5)):
        parts.append(vary_clause(clause, rng, material, issue))
    if rng.random() < 0.8:
        parts.append(rng.choice(BOILERPLATE).format(p=level).rstrip("。"))
    return "；".join(parts) + "。"


def generate_plan(index: int, rng: random.Random, material: Material) -> tuple[str, str]:
    """(file name, text) of one plan."""
    place = rng.choice(material.places)
    notation, issue = rng.choice(material.issues)
    year = rng.randint(2008, 2023)
    level = place[-1]
    units = unit_names(rng, material, place, year, rng.randint(15, 40))
    kind = rng.choice(("应急指挥部 成员单位及职责", "应急指挥部成员单位及职责", "应急预案 指挥部成员单位职责"))
    dated = f"（{year}年修订）" if rng.random() < 0.5 else ""
    lines = ["", "", f"附件 {rng.randint(1, 5)}", "", f"{place}{issue}{kind}{dated}", ""]
    header = "序号\t成员单位\t职 责"
    page = rng.randint(5, 8)
    punctuation = rng.choice(("full", "half", "mixed"))
    for row, unit in enumerate(units, 1):
        if (row - 1) % page == 0:
            if row > 1:
                lines.append("")
            lines.append(header)
        text = duty_paragraph(rng, material, issue, level)
        if punctuation == "half" or (punctuation == "mixed" and row <= page):
            text = text.translate(HALF)
        lines.append(f"{row}\t{unit}\t{text}")
    return f"plan-{index:05d}_{notation}_{year}.txt", "\n".join(lines) + "\n"


def generate(plans: int, out: Path, seed: int = 8) -> tuple[int, int]:
    """Write ``plans`` files into ``out``; (count, total bytes)."""
    material = load_material()
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    total = 0
    for index in range(1, plans + 1):
        name, text = generate_plan(index, rng, material)
        data = text.encode("utf-8")
        (out / name).write_bytes(data)
        total += len(data)
    return plans, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plans", type=int, required=True, help="how many plans to write")
    parser.add_argument("--out", type=Path, required=True, help="directory to write them into")
    parser.add_argument("--seed", type=int, default=8, help="random seed (same seed, same files)")
    args = parser.parse_args()
    count, size = generate(args.plans, args.out, args.seed)
    print(f"{count} plans, {size:,} bytes ({size / 1e6:.1f} MB) in {args.out}")


if __name__ == "__main__":
    main()
