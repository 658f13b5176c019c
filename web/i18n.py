"""The interface language: ``?lang=zh|en`` (remembered in a ``lang`` cookie) or the cookie, Chinese
by default; and the interface's words in both languages. Labels of data (units, concepts) come
with both languages from the service; templates show the chosen one and the other on hover."""

from __future__ import annotations

from flask import request

LANGS = ("zh", "en")
COOKIE = "lang"

TEXT = {
    "site": ("职责图谱", "DutyGraph"),
    "tagline": ("应急预案里谁负责什么", "Who does what in emergency plans"),
    "nav_ask": ("问答", "Ask"),
    "nav_search": ("搜索", "Search"),
    "nav_units": ("单位", "Units"),
    "nav_overlaps": ("职责交叉", "Overlaps"),
    "nav_compare": ("预案对比", "Compare"),
    "compare_title": ("两个预案按机构类型对比", "Two plans side by side by agency type"),
    "compare_intro": ("同一类机构在两个预案里各负责哪些对象和问题：只在甲、只在乙、两者都有。机构的旧名（卫生局、环保局）归入今天的类型。",
                      "Which objects and issues each kind of body holds in each plan: in A only, in B only, in both. "
                      "Former names (卫生局, 环保局) count under today's type."),
    "plan_a": ("预案甲", "Plan A"),
    "plan_b": ("预案乙", "Plan B"),
    "agency_type": ("机构类型", "Agency type"),
    "in_both": ("两者都有", "in both"),
    "a_only": ("只在甲", "A only"),
    "b_only": ("只在乙", "B only"),
    "compare_button": ("对比", "Compare"),
    "nav_query": ("SPARQL", "SPARQL"),
    "switch": ("English", "中文"),
    "ask_label": ("问一个问题", "Ask a question"),
    "ask_placeholder": ("例如：工地扬尘归谁管？", "e.g. who handles construction dust?"),
    "ask_button": ("提问", "Ask"),
    "examples": ("示例问题", "Example questions"),
    "answers_for": ("回答", "Answers to"),
    "no_answer": ("预案中没有找到回答。", "The plan does not answer this."),
    "understood": ("理解为", "Understood"),
    "concepts": ("识别的概念", "Matched concepts"),
    "words_understood": ("识别的词语", "Matched words"),
    "not_understood": ("未识别的词语（不见于任何预案的职责）", "Words not understood (in no plan's duties)"),
    "weak": ("较弱", "weak"),
    "weak_title": ("只符合问题的一部分，或问题中有未识别的词语", "meets only part of the question, or some of its words were not understood"),
    "score_title": ("得分：该单位最符合的一条职责满足了问题的多少（概念与词语按稀有程度加权），牵头高于会同高于配合",
                    "score: how much of the question the unit's best clause meets (concepts and words weighted by how rare they are); lead above joint above support"),
    "all_plans": ("全部预案", "All plans"),
    "in_plan": ("限于预案", "In plan"),
    "remove_filter": ("取消筛选", "remove filter"),
    "unit_page": ("单位页面", "unit page"),
    "evidence": ("依据", "Evidence"),
    "show_sparql": ("显示 SPARQL 查询", "Show the SPARQL"),
    "score": ("得分", "score"),
    "plans": ("预案", "Plans"),
    "search_label": ("搜索职责、单位和概念", "Search duties, units and concepts"),
    "search_button": ("搜索", "Search"),
    "results": ("条结果", "results"),
    "matching": ("匹配方式", "matching"),
    "no_results": ("没有结果。", "No results."),
    "facets": ("筛选", "Filters"),
    "more_values": ("另有 %d 项", "and %d more"),
    "facet_kind": ("类型", "Kind"),
    "facet_unit": ("单位", "Unit"),
    "facet_action": ("行动", "Action"),
    "facet_object_category": ("对象类别", "Object category"),
    "facet_plan": ("预案", "Plan"),
    "clear": ("清除", "clear"),
    "previous": ("上一页", "Previous"),
    "next": ("下一页", "Next"),
    "page": ("页", "page"),
    "unit": ("单位", "Unit"),
    "place": ("地区", "Place"),
    "duties": ("职责", "Duties"),
    "duties_by_action": ("按行动分组的职责", "Duties by action"),
    "no_action": ("未识别行动", "No action recognised"),
    "partners": ("合作单位", "Partners"),
    "names_this": ("在其职责中提到本单位", "names this unit in its duties"),
    "named_by_this": ("本单位职责中提到", "named in this unit's duties"),
    "overlaps_with": ("职责交叉的单位", "Units it overlaps with"),
    "shared_targets": ("共同对象", "shared targets"),
    "source_rows": ("原文行", "Source rows"),
    "row": ("行", "row"),
    "boilerplate": ("套话", "boilerplate"),
    "concept": ("概念", "Concept"),
    "scheme": ("词表", "Scheme"),
    "broader": ("上位概念", "Broader"),
    "narrower": ("下位概念", "Narrower"),
    "related": ("相关概念", "Related"),
    "synonyms": ("同义词", "Synonyms"),
    "definition": ("定义", "Definition"),
    "units_involved": ("涉及的单位", "Units involved"),
    "duty": ("职责", "Duty"),
    "in_paragraph": ("在原文段落中", "In its source paragraph"),
    "provenance": ("来源", "Provenance"),
    "plan": ("预案", "Plan"),
    "source_file": ("源文件", "Source file"),
    "offsets": ("字符位置", "Character offsets"),
    "in_source": ("在源文件中", "in the source file"),
    "in_record": ("在段落中", "in the paragraph"),
    "clause": ("条款", "clause"),
    "assigned_to": ("承担单位", "Assigned to"),
    "actions": ("行动", "Actions"),
    "objects": ("对象", "Objects"),
    "issues": ("问题", "Issues"),
    "role": ("角色", "Role"),
    "command": ("指挥部", "Command"),
    "members": ("成员单位", "Member units"),
    "counts": ("统计", "Counts"),
    "rows": ("行", "rows"),
    "units": ("单位", "units"),
    "partner_units": ("合作单位", "partner units"),
    "query_title": ("SPARQL 查询", "SPARQL query"),
    "run": ("运行", "Run"),
    "share": ("分享链接", "Shareable link"),
    "download": ("下载", "Download"),
    "dl_results": ("查询结果", "Results (SELECT, ASK)"),
    "dl_graphs": ("图", "Graphs (CONSTRUCT, DESCRIBE)"),
    "overlaps_title": ("职责交叉与空白", "Overlapping responsibilities"),
    "overlaps_intro": (
        "依据美国政府问责署的定义：重复（同一对象同一行动）、交叉（同一对象不同行动）、多头管理（一类对象由多个单位管理）和空白。",
        "After the U.S. GAO's definitions: duplication (same action on the same object), overlap (same object, "
        "different actions), fragmentation (one category over many units) and gaps.",
    ),
    "filter": ("筛选", "Filter"),
    "any": ("全部", "any"),
    "kind": ("类型", "Kind"),
    "action": ("行动", "Action"),
    "issue": ("问题", "Issue"),
    "category": ("对象类别", "Object category"),
    "network": ("单位—对象网络", "Unit–object network"),
    "network_hint": ("拖动、缩放；点击节点查看其职责。", "Drag, zoom; click a node to see its duties."),
    "heatmap": ("单位 × 单位热图", "Unit × unit heatmap"),
    "heatmap_hint": ("格子里是两个单位共同负责的对象数；点击查看依据。",
                     "Each cell counts the targets two units share; click it for the evidence."),
    "collaboration": ("协作网络", "Collaboration network"),
    "collaboration_hint": ("箭头从单位指向其职责中提到的合作单位。", "Arrows go from a unit to the partners its duties name."),
    "findings": ("发现", "Findings"),
    "pair_title": ("两个单位的共同对象", "What two units share"),
    "back": ("返回", "Back"),
    "hub": ("枢纽单位", "Hubs"),
    "none": ("无", "none"),
    "all_units": ("全部单位", "All units"),
    "not_found": ("没有找到", "Not found"),
}


def current_lang() -> str:
    chosen = request.args.get("lang")
    if chosen in LANGS:
        return chosen
    cookie = request.cookies.get(COOKIE)
    return cookie if cookie in LANGS else "zh"


def text(key: str, lang: str) -> str:
    zh, en = TEXT[key]
    return en if lang == "en" else zh


def other(key: str, lang: str) -> str:
    return text(key, "zh" if lang == "en" else "en")


from .words import WORDS  # noqa: E402  (the page families' words; see web/words.py)

TEXT.update(WORDS)
