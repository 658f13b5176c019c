"""Reading documents: encodings, metadata, the seed's table layout and its quirks."""

from __future__ import annotations

import pytest

from kg.documents.reader import load_document, read_source
from kg.documents.table import is_header
from kg.errors import KgError

from .conftest import SEED


@pytest.fixture(scope="module")
def seed():
    return load_document(SEED)


def test_seed_has_17_rows_in_order(seed):
    plan, records = seed
    assert [r.row for r in records] == list(range(1, 18))


def test_seed_plan_description(seed):
    plan, _ = seed
    assert plan.title == "聊城市重污染天气应急指挥部成员单位及职责"
    assert (plan.place_zh, plan.place_en) == ("聊城市", "Liaocheng")
    assert plan.command_zh == "聊城市重污染天气应急指挥部"
    assert plan.key == "liaocheng-heavy-pollution-member-duties"


def test_spans_point_at_the_source(seed):
    plan, records = seed
    text = plan.source.text
    for record in records:
        assert text[record.span[0] : record.span[1]] == record.text
        assert text[record.unit_span[0] : record.unit_span[1]] == record.unit_text
    assert records[0].unit_text == "各县(市、区)人民政府、市属开发区管委会"
    assert records[16].unit_text == "国网聊城供电公司"


def test_repeated_header_rows_are_not_records(seed):
    _, records = seed
    assert not any("成员单位" in r.unit_text for r in records)


@pytest.mark.parametrize(
    "line, expected",
    [
        ("序号\t成员单位\t职 责", True),
        ("序号 成员单位 主要职责", True),
        ("聊城市重污染天气应急指挥部 成员单位及职责", False),
        ("1\t市公安局\t负责交通管制", False),
    ],
)
def test_is_header(line, expected):
    assert is_header(line) is expected


def test_metadata_header_is_read_and_not_a_record(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text("# source: https://example.org/p\n# title: 某市应急预案\n\n1\t市公安局\t负责交通管制。\n", encoding="utf-8")
    plan, records = load_document(path)
    assert plan.source.meta == {"source": "https://example.org/p", "title": "某市应急预案"}
    assert plan.title == "某市应急预案"
    assert [r.unit_text for r in records] == ["市公安局"]


def test_gb18030_is_detected(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes("序号\t成员单位\t职责\n1\t市公安局\t负责交通管制；\n".encode("gb18030"))
    source = read_source(path)
    assert source.encoding == "gb18030"
    assert "市公安局" in source.text


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty document"),
        (b"  \n\n", "empty document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "binary file"),
        ("只是一段话，没有职责表。".encode(), "no duty list"),
    ],
)
def test_bad_documents_name_the_file(tmp_path, content, message):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(KgError, match=message) as info:
        load_document(path)
    assert str(path) in str(info.value)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(KgError, match="cannot read"):
        load_document(tmp_path / "nope.txt")
