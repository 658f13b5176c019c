"""What an organisation's name looks like in a duty list: the grammar every layout parser shares.

A name is a short run of Chinese (brackets and Latin letters allowed: 中铁建(山东)…公司) that ends
with an organisation suffix (局/委/办/厅/部/队/站/所/院/中心/公司/集团/管委会/政府…). Lists of names
are joined by 、 (or 和/及 between two whole names); a duty usually starts with a verb such as 负责.
All patterns work on width-folded text (see ``kg.text.fold_width``), so offsets carry over.
"""

from __future__ import annotations

import re

# Longest first, so 管委会 wins over 会 and 分公司 over 公司.
SUFFIXES = sorted(
    """局 委 办 厅 部 队 站 所 院 中心 公司 分公司 集团 管委会 委员会 政府 办公室 支队 大队 总队 中队 军分区 警备区
    协会 学会 工会 总工会 联合会 红十字会 台 电台 电视台 银行 分行 段 车务段 处 科 室 馆 社 组 小组 指挥部 法院 检察院
    医院 气象台 供电局 海关 边检站 分局 管理处 管理局 中心站 街道办事处 办事处""".split(),
    key=len,
    reverse=True,
)
SUFFIX = "(?:" + "|".join(map(re.escape, SUFFIXES)) + ")"
# Function words (由 的 被 把 将) never stand inside a name: "监测预警由市气象局" is a clause.
NAME_CHAR = r"(?:(?![由的被把将])[\u4e00-\u9fff()（）A-Za-z0-9·])"
# How duties begin when nothing separates them from the unit's name ("市卫生局负责…").
DUTY_START = (
    r"(?:负责|参与|协助|组织|配合|制定|制订|会同|综合|依法|做好|承担|协调|指导|督促|监督|及时|按照|根据|"
    r"参加|提供|保障|确保|开展|实施|落实|牵头|主要|具体|履行|加强|严格|对|在|为|将|向|与)"
)
# A name never begins with the verb that begins a duty ("负责定时向市森林防火指挥部…" is no name).
# A bracket may follow the suffix: 市公安局(含市消防支队).
# A name a page layout split with one space ("县交通 运输局") is still one name: the shortest
# reading wins, so "市质监局 综合协调…" stays a name and a duty.
NAME = rf"(?!{DUTY_START}){NAME_CHAR}(?:{NAME_CHAR}|[ \u3000](?={NAME_CHAR})){{0,28}}?{SUFFIX}(?:\([^()]{{1,20}}\))?"
# A list of names: 、 between any two; 和/及 only before a name that starts like one (市/县/区/省…).
NAME_LIST = rf"{NAME}(?:(?:、|[和及](?=[市县区省州镇乡各]))\s*{NAME})*"
NUMBERING = r"(?:\(\s*[0-9一二三四五六七八九十百]+\s*\)|[0-9一二三四五六七八九十百]+\s*[、.．)]|[0-9]+(?:\.[0-9]+)+)"

_NAME_FULL = re.compile(rf"^{NAME}$")
_PLACE_START = re.compile(r"^[市县区省州镇乡各国中]")


def is_name(text: str) -> bool:
    """Whether ``text`` (spaces removed) is one organisation name and nothing more."""
    flat = re.sub(r"\s+", "", text)
    return bool(_NAME_FULL.match(flat)) and len(flat) <= 30


def looks_like_place_start(text: str) -> bool:
    return bool(_PLACE_START.match(text))
