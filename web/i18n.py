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
    "scene_absent": ("问题的背景，没有职责提到（不影响回答）", "Setting the scene, named by no duty (the answer does not depend on it)"),
    "absent_title": ("预案中没有职责提到这个概念", "no duty of the plans names this concept"),
    "weak": ("较弱", "weak"),
    "weak_title": ("只符合问题的一部分，或问题中有未识别的词语", "meets only part of the question, or some of its words were not understood"),
    "score_title": ("得分：该单位的职责满足了问题的多少（最符合的一条，或几条合起来的九成；概念与词语按稀有程度加权），牵头高于会同高于配合",
                    "score: how much of the question the unit's clauses meet (its best clause, or 0.9 of its clauses together; concepts and words weighted by how rare they are); lead above joint above support"),
    "all_plans": ("全部预案", "All plans"),
    "every_plan": ("全部 {n} 个预案 →", "All {n} plans →"),
    "plan_menu_many": ("共 {n} 个预案：按地区和类型筛选，或在预案列表中选择一个预案 →",
                       "{n} plans: narrow by place and type, or choose one plan from the list →"),
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
    "shared_findings": ("项共同发现", "shared findings"),
    "n_units": ("个单位", "units"),
    "colon": ("：", ": "),
    "list_sep": ("、", ", "),
    "full_stop": ("。", ". "),
    "task": ("工作", "task"),
    "n_duties": ("条职责", "duties"),
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
    "editor_help": ("Ctrl+Enter 运行；输入前缀或 dg: 后自动补全。已预声明的前缀：", "Ctrl+Enter runs; prefixes and dg: terms complete as you type. Predeclared prefixes:"),
    "share": ("分享链接", "Shareable link"),
    "download": ("下载", "Download"),
    "dl_results": ("查询结果", "Results (SELECT, ASK)"),
    "dl_graphs": ("图", "Graphs (CONSTRUCT, DESCRIBE)"),
    "overlaps_title": ("职责交叉与空白", "Overlapping responsibilities"),
    "overlaps_intro": (
        "依据美国政府问责署（GAO）的定义，在每个预案之内：职责重复（几个单位对同一具体对象做同样的事）、职责交叉（对同一对象做不同的事）、"
        "多头管理（一个领域分散在三个或更多单位，没有单位负责整体）和职责空白（没有条款牵头）。同一条目中并列的单位算作一方；"
        "套话职责、预案本身的突发事件及其应急处置、泛指的类别（单位、文件、信息、车辆……）不算共同对象。",
        "After the U.S. GAO's definitions, within each plan: duplication (units doing the same thing to one specific "
        "target), overlap (doing different things to it), fragmentation (a field split over three units or more, none "
        "holding it whole) and gaps (no clause leads). Units named together in one entry are one party; boilerplate, "
        "the plan's own emergency and the response to it, and broad categories (units, documents, information, "
        "vehicles…) are never shared targets.",
    ),
    "scope_largest": ("这个数据里有 {} 个预案，为了图能看清，本页只显示职责最多的一个：",
                      "This build has {} plans; to keep the pictures readable this page shows one, the one with the most duties:"),
    "scope_asked": ("这个数据里有 {} 个预案，本页显示你选的：", "This build has {} plans; this page shows the one you chose:"),
    "scope_all": ("这个数据里有 {} 个预案，本页显示：", "This build has {} plans; this page shows:"),
    "scope_one": ("预案：", "Plan:"),
    "scope_place": ("“预案”菜单只列出{}的预案；其他地区的预案请从预案列表打开，每个预案页都链接它的职责交叉。",
                    "The Plan menu lists the plans of {} only; for another place's, open the plan from the list of plans: each plan's page links its overlaps."),
    "scope_change": ("在下面的“预案”中选择另一个，再点“筛选”。", "To see another, choose it under “Plan” below and press Filter."),
    "downloads": ("下载本预案的发现和网络", "Download this plan's findings and networks"),
    "downloads_hint": ("CSV 每行一条依据条款（含预案列）；GraphML、GEXF 可用 Gephi 或 networkx 打开。",
                       "CSV: one row per clause, with the plan; GraphML and GEXF open in Gephi or networkx."),
    "ranking": ("排序依据：涉及的单位数（同一条目中的单位算一个），其中有牵头职责的单位数，然后是依据条款数。"
                "例如“3 个单位，2 个牵头，4 条条款”排在“2 个单位，2 个牵头，5 条条款”之前。",
                "Ranked by how many units it involves (units named together in one entry count once), then how many "
                "of them have a lead role, then how many clauses prove it: “3 units, 2 with a lead role, 4 clauses” "
                "comes before “2 units, 2 with a lead role, 5 clauses”."),
    "strength_words": ("{} 个单位，{} 个牵头，{} 条条款", "{} units, {} with a lead role, {} clauses"),
    "why_duplication": ("这些单位对同一对象做同样的事：一项工作可能做了两遍，也可能互相等待。",
                        "These units do the same thing to the same target: the work may be done twice, or each may wait for the other."),
    "why_overlap": ("这些单位对同一对象各做不同的事，条款没有说清它们之间的分工。",
                    "These units do different things to the same target, and no clause says how their parts fit together."),
    "why_fragmentation": ("这个领域分散在三个或更多单位，各管一块，没有单位负责整体。",
                          "This field is split over three units or more, each holding a piece; none holds it whole."),
    "why_gap": ("没有条款牵头：涉及它的单位都只是配合或参与。",
                "No clause leads on it: every unit that touches it only supports or takes part."),
    "one_entry": ("同一条目", "one entry"),
    "compare_pair": ("两两对比", "Compare two"),
    "kind_duplication": ("重复", "duplication"),
    "kind_overlap": ("交叉", "overlap"),
    "kind_fragmentation": ("多头", "fragmentation"),
    "kind_gap": ("空白", "gap"),
    "filter": ("筛选", "Filter"),
    "any": ("全部", "any"),
    "kind": ("类型", "Kind"),
    "action": ("行动", "Action"),
    "issue": ("问题", "Issue"),
    "category": ("对象类别", "Object category"),
    "network": ("共同对象网络", "Shared targets"),
    "network_hint": ("只画出发现所涉及的对象和单位，连线颜色表示发现的类型。点一下图片后可以用滚轮缩放、拖动；点节点看职责。",
                     "Only the targets of the findings and their units are drawn; an edge's colour is the finding's kind. "
                     "Click the picture to zoom with the wheel and drag it; click a node to see its duties."),
    "network_empty": ("没有共同对象可画。", "No shared target to draw."),
    "click_node": ("点击图中的节点，这里列出它的职责条款。", "Click a node; its clauses are listed here."),
    "heatmap": ("单位 × 单位热图", "Unit × unit heatmap"),
    "heatmap_hint": ("格子里是两个单位共同出现的发现数；按共同发现聚类排列，点格子看两边的条款。",
                     "Each cell counts the findings that name both units; rows are ordered by clusters of units that "
                     "share findings. Click a cell for both sides' clauses."),
    "heatmap_empty": ("没有单位与别的单位共同出现在发现里。", "No unit shares a finding with another."),
    "heatmap_quiet": ("不与其他单位共同出现在任何发现里的单位", "Units in no finding with another unit"),
    "collaboration": ("协作网络", "Collaboration network"),
    "collaboration_hint": ("箭头从单位指向其职责中提到的合作单位。点一下图片后可以缩放、拖动。",
                           "Arrows go from a unit to the partners its duties name. Click the picture to zoom and drag it."),
    "collaboration_empty": ("没有单位在职责里提到合作单位。", "No unit names a partner in its duties."),
    "collaboration_alone": ("职责中没有提到合作单位的单位", "Units whose duties name no partner"),
    "findings": ("发现", "Findings"),
    "pair_title": ("两个单位的共同发现", "What two units share"),
    "pair_shared": ("两者共同出现在 {} 项发现里。", "They share {} finding(s)."),
    "pair_nothing": ("这两个单位不共同出现在任何发现里。", "These two units share no finding."),
    "pair_same_entry": ("这两个单位在同一条目中并列，共同承担同一段职责，算作一方，不是职责交叉。",
                        "These two units are named together in one entry and share its duties: one party, not an overlap."),
    "pair_different_plans": ("这两个单位属于不同的预案。职责交叉只在一个预案之内比较，因为每个预案是一个指挥部对工作的分工；"
                             "不同城市或不同预案的单位负责同一类事情，不是交叉。",
                             "These units belong to different plans. Overlaps are looked for within one plan, because each "
                             "plan is one headquarters' division of work; units of different cities or plans doing the same "
                             "kind of thing do not overlap."),
    "pair_compare_plans": ("按机构类型对比这两个预案", "Compare the two plans by agency type"),
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
