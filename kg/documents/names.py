"""What an organisation's name looks like in a duty list: the grammar every layout parser shares.

A name is a short run of Chinese (brackets and Latin letters allowed: 中铁建(山东)…公司) that ends
with an organisation suffix (局/委/办/厅/部/队/站/所/院/中心/公司/集团/管委会/政府…). Lists of names
are joined by 、 (or 和/及 between two whole names); a duty usually starts with a verb such as 负责.
All patterns work on width-folded text (see ``kg.text.fold_width``), so offsets carry over.
"""

from __future__ import annotations

import re

# Longest first, so 管委会 wins over 会 and 分公司 over 公司. Every kind of body that carries duties:
# government departments, offices and their branches, the military and armed police (军分区,
# 人武部, 武警…中队), people's organisations (妇联, 团委, 残联, 红十字会, 科协), associations, state
# companies and their branches, township and village bodies (街道办事处, 村委会), generic bodies
# (X部门, X机构, X单位: typed "other" downstream).
SUFFIXES = sorted(
    """局 委 办 厅 部 队 站 所 院 中心 公司 分公司 集团 管委会 委员会 委会 政府 办公室 支队 大队 总队 中队 军分区 警备区
    协会 学会 工会 总工会 联合会 红十字会 台 电台 电视台 银行 分行 段 车务段 处 科 室 馆 社 组 小组 指挥部 法院 检察院
    医院 气象台 供电局 海关 边检站 分局 管理处 管理局 中心站 街道办事处 办事处 部门 机构 单位 妇联 残联 侨联 文联
    工商联 社科联 科协 团委 团县委 团市委 人武部 武装部 街道 乡 镇 村""".split(),
    key=len,
    reverse=True,
)
SUFFIX = "(?:" + "|".join(map(re.escape, SUFFIXES)) + ")"
# Function words (由 的 被 把 将) and the verbs and nouns of the sentence around a name (设在, 指定,
# 担任, 负责, 职责, 分工…) never stand inside one: "监测预警由市气象局" and "联席会议办公室设在市环保局"
# are clauses, "…工作组组成及职责分工序号工作组" is a table's header.
_NOT_IN_NAME = r"(?![由的被把将]|设在|设立|成立|组成|指定|担任|负责|牵头|配合|协助|会同|按照|根据|一名|职责|序号|分工)"
NAME_CHAR = rf"(?:{_NOT_IN_NAME}[\u4e00-\u9fff()（）A-Za-z0-9·])"
# A bracket inside a name may hold a list: 各县(市、区)人民政府, 各乡(镇)人民政府, 市公安局(含市消防支队).
NAME_PART = rf"(?:{NAME_CHAR}|\([^()\n]{{1,16}}\))"
# How duties begin when nothing separates them from the unit's name ("市卫生局负责…").
DUTY_START = (
    r"(?:负责|参与|协助|组织|配合|制定|制订|会同|综合|依法|做好|承担|协调|指导|督促|监督|及时|按照|根据|"
    r"参加|提供|保障|确保|开展|实施|落实|牵头|主要|具体|履行|加强|严格|对|在|为|将|向|与|立即|迅速|"
    r"统筹|主管|掌握|发布|密切|协同|加大|联合|建立|完善|督导|检查|查处|做到|切实|积极|全面|认真)"
)
# What may follow a name with nothing between: a duty's first verb, or the modal of a task given in
# prose ("市林业局将…", "各乡镇要…", "县气象局应…"); 应 and 要 also begin names (应急管理局), so they
# are not in DUTY_START.
FOLLOWS = rf"(?:(?!负责人){DUTY_START}|将|要|应当|应|须|需要|需)"
# Words that name a role in a task list (牵头单位：…), not an organisation.
ROLE_LABEL = r"(?:工作)?(?:牵头|责任|主责|负责|配合|协助|协办|参与|成员|主办|组长|副组长|主管|监管|实施)(?:单位|部门)"
# A name never begins with the verb that begins a duty ("负责定时向市森林防火指挥部…" is no name), a
# digit, or a role label. A bracket may follow the suffix: 市公安局(含市消防支队).
# A name a page layout split with one space ("县交通 运输局") is still one name: the shortest
# reading wins, so "市质监局 综合协调…" stays a name and a duty.
NAME_FIRST = rf"(?:{_NOT_IN_NAME}[\u4e00-\u9fffA-Za-z])"  # not a digit, a bracket or a space
# Verbs that begin a duty and never a name (综合, 保障, 检查… also begin names: 综合协调组, 检查组).
NOT_NAME_START = (r"(?:负责|参与|协助|组织|配合|制定|制订|会同|依法|做好|承担|协调|指导|督促|及时|按照|根据|参加|提供|确保|开展|"
                  r"实施|落实|牵头|主要|具体|履行|加强|严格|对|在|为|将|向|与|立即|迅速|主管|掌握|密切|协同|加大|联合|建立|"
                  r"完善|做到|切实|积极|全面|认真)")
NAME = (rf"(?!{NOT_NAME_START}|{ROLE_LABEL}){NAME_FIRST}(?:{NAME_PART}|[ \u3000](?={NAME_CHAR})){{0,28}}?"
        rf"{SUFFIX}(?:\([^()\n]{{1,20}}\))?")
# A list of names: 、 between any two; 和/及/与 only before a name that starts like one (市/县/区/省…,
# 事发地…, 当地…).
# Names run together with nothing between them, as in a work-group table that lost its separators
# ("县应急管理局县政府办县发改局"): a new name may start with a place word right after a strong suffix.
# (But 县委县政府督查室 is one office of the party committee and the government.)
_STRONG = ("局", "委", "办", "厅", "队", "院", "站", "所", "部", "中心", "公司", "政府", "分局")
ADJACENT = "(?:" + "|".join(f"(?<={s})" for s in _STRONG) + r")(?=[市县区省州旗])(?<!委(?=[市县区省州]政府))"
JOINER = rf"(?:、|[和及](?=[市县区省州镇乡各事当驻中国])|{ADJACENT})"
NAME_LIST = rf"{NAME}(?:{JOINER}\s*{NAME})*"
NUMBERING = r"(?:\(\s*[0-9一二三四五六七八九十百]+\s*\)|[0-9一二三四五六七八九十百]+\s*[、.．)]|[0-9]+(?:\.[0-9]+)+)"
# A reference to every member or to bodies in general, not a member: 各成员单位, 其他成员, 有关部门,
# 市指挥部各成员单位.
GENERIC = re.compile(r"(?:成员单位|成员)$|(?:^|各|有关|相关|其他|其它|其余|上述|以上)(?:有关部门|相关部门|有关单位|相关单位|"
                     r"单位和部门|部门和单位)$|^(?:各|其他|其它|其余|有关|相关|上述|以上|各有关|各相关|本级|市直|县直|区直)+"
                     r"(?:部门|单位|机构)$")

_NAME_FULL = re.compile(rf"^{NAME}$")
_PLACE_START = re.compile(r"^[市县区省州镇乡各国中事当驻]")


def is_name(text: str) -> bool:
    """Whether ``text`` (spaces removed) is one organisation name and nothing more."""
    flat = re.sub(r"\s+", "", text)
    return bool(_NAME_FULL.match(flat)) and len(flat) <= 30


def split_adjacent(text: str) -> list[tuple[int, int]]:
    """Spans of the names in a run without separators, when every piece is a name; else the whole."""
    cuts = [0, *(m.start() for m in re.finditer(ADJACENT, text)), len(text)]
    pieces = [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]
    return pieces if len(pieces) > 1 and all(is_name(text[a:b]) for a, b in pieces) else [(0, len(text))]


def is_generic(name: str) -> bool:
    """Whether a name only refers to members or bodies in general (各成员单位, 有关部门)."""
    return bool(GENERIC.search(re.sub(r"\s+", "", name)))


def looks_like_place_start(text: str) -> bool:
    return bool(_PLACE_START.match(text))
