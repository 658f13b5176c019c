"""Documents as they are published: whole plans in every format give the bare list's units and
duties, the review's defects D17-D21 stay fixed, and what cannot be read says so in one line."""

from __future__ import annotations

import pytest

from kg.build.pipeline import build, extract_documents
from kg.config import ROOT, Settings
from kg.documents.reader import load_document
from kg.errors import KgError
from kg.service.facade import Service

from .conftest import SEED

WHOLE = ROOT / "tests" / "data" / "whole"
LISTS = ["liaocheng_whole_table.txt", "liaocheng_whole_colon.txt", "liaocheng_whole_plain_colon.txt",
         "liaocheng_whole_table.docx", "liaocheng_whole_table.pdf", "liaocheng_whole_colon.doc",
         "liaocheng_whole_colon.pdf"]
SETTINGS = Settings.from_env("/nonexistent-home")


def _extracted(path):
    (x,) = extract_documents(SETTINGS, [path])
    return x


def _signature(x) -> tuple[list[str], list[tuple]]:
    units = sorted(u.name for us in x.members.values() for u in us)
    duties = sorted((d.units, d.text, d.role, d.boilerplate, d.actions, d.objects, d.issues, d.partners)
                    for d in x.duties)
    return units, duties


@pytest.fixture(scope="module")
def bare():
    return _signature(_extracted(SEED))


@pytest.mark.parametrize("name", LISTS)
def test_a_whole_plan_gives_the_bare_lists_units_and_duties(bare, name):
    x = _extracted(WHOLE / name)
    units, duties = _signature(x)
    assert units == bare[0]
    assert duties == bare[1]
    # nothing from 总则, 预警, 应急响应 or 保障措施: 市消防救援支队 and 市红十字会 act there, not in the list
    assert not {"市消防救援支队", "市红十字会", "市农业农村局", "市自然资源和规划局"} & set(units)


@pytest.mark.parametrize("name", [n for n in LISTS if n != "liaocheng_whole_plain_colon.txt"])
def test_a_whole_plan_says_which_section_its_list_came_from_and_what_it_is(name):
    """D19: the title is the plan's, not the heading of the section the list sits in."""
    x = _extracted(WHOLE / name)
    assert x.plan.title == "聊城市重污染天气应急预案"
    assert (x.plan.place_zh, x.plan.place_en) == ("聊城市", "Liaocheng")
    sections = {r.section for r in x.records}
    assert len(sections) == 1 and sections.pop().replace(" ", "") in {
        "2.3成员单位职责", "附件1聊城市重污染天气应急指挥部成员单位及职责"}


def test_d18_a_colon_list_inside_a_whole_plan_is_not_one_made_up_unit():
    x = _extracted(WHOLE / "liaocheng_whole_colon.txt")
    names = {u.name for us in x.members.values() for u in us}
    assert len(names) == 18
    assert not any("应急指挥部" in n or n[0].isdigit() for n in names)


def test_d20_the_first_colon_row_is_kept(tmp_path):
    x = _extracted(WHOLE / "liaocheng_whole_plain_colon.txt")
    assert [u.name for u in x.members[1]] == ["各县(市、区)人民政府", "市属开发区管委会"]


@pytest.mark.parametrize(
    "page, last_units, trailer",
    [
        ("dev/13_dongguan_drinking-water-pollution.txt", ("市工商局",), "各镇街"),
        ("dev/10_shenyang_forest-fire.txt", ("市检察院", "市中级人民法院"), "随时听候调遣"),
    ],
)
def test_d17_a_paragraph_after_the_list_is_no_duty_of_its_last_unit(page, last_units, trailer):
    x = _extracted(ROOT / "tests" / "data" / page)
    last = [d for d in x.duties if d.units == last_units]
    assert last, "the last unit keeps its own duties"
    assert not any(trailer in d.text for d in x.duties)


def test_d17_in_a_whole_plan_the_paragraph_after_the_table_is_no_duty():
    for name in ("liaocheng_whole_table.txt", "liaocheng_whole_colon.txt"):
        x = _extracted(WHOLE / name)
        assert not any("其他成员单位按照各自职责" in d.text for d in x.duties), name


def test_d21_pdf_and_doc_files_in_a_folder_are_read_and_others_are_named(tmp_path, runner):
    from kg.cli import main

    folder = tmp_path / "plans"
    folder.mkdir()
    for name in ("liaocheng_whole_table.pdf", "liaocheng_whole_colon.doc"):
        (folder / name).write_bytes((WHOLE / name).read_bytes())
    (folder / "budget.xls").write_bytes(b"not a plan")
    home = tmp_path / "home"
    result = runner.invoke(main, ["--home", str(home), "build", str(folder)])
    assert result.exit_code == 0, result.output
    assert "liaocheng-whole-table: 17 rows, 18 units, 82 duties (read in: 附件 1" in result.stdout
    assert "liaocheng-whole-colon: 17 rows, 18 units, 82 duties (read in: 2.3 成员单位职责)" in result.stdout
    assert "budget.xls: skipped, unsupported format '.xls'" in result.stderr


def test_d21_a_folder_with_nothing_readable_says_what_it_skipped(tmp_path, runner):
    from kg.cli import main

    (tmp_path / "a.xls").write_bytes(b"x")
    (tmp_path / "b.png").write_bytes(b"x")
    result = runner.invoke(main, ["--home", str(tmp_path / "home"), "build", str(tmp_path)])
    assert result.exit_code == 1
    assert "no documents to build from (2 skipped:" in result.stderr and "a.xls" in result.stderr


@pytest.mark.parametrize(
    "name, message",
    [
        ("scanned.pdf", "no text layer (a scanned document?); run OCR first"),
        ("empty.txt", "empty document"),
        ("blank.docx", "empty document"),
        ("no_duty_list.pdf", "no duty list found; looked for a section titled 成员单位职责"),
    ],
)
def test_what_cannot_be_read_fails_in_one_line_and_loses_nothing(tmp_path, runner, name, message):
    from kg.cli import main

    home = tmp_path / "home"
    settings = Settings.from_env(home)
    build(settings, [SEED])
    before = Service(settings).status()["plans"]
    result = runner.invoke(main, ["--home", str(home), "build", str(WHOLE / name)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0] and message in lines[0], result.stderr
    assert Service(settings).status()["plans"] == before


def test_a_whole_plan_builds_and_its_records_keep_their_section(tmp_path):
    settings = Settings.from_env(tmp_path / "home")
    build(settings, [WHOLE / "liaocheng_whole_table.txt"])
    body, _ = Service(settings).sparql("SELECT DISTINCT ?section WHERE { ?r a dg:Record ; dg:section ?section }", "csv")
    assert body.decode("utf-8").splitlines() == ["section", "附件1 聊城市重污染天气应急指挥部成员单位及职责"]


def test_the_seed_reads_as_before():
    plan, records = load_document(SEED)
    assert (len(records), plan.title, plan.place_zh) == (17, "聊城市重污染天气应急指挥部成员单位及职责", "聊城市")
    assert {r.section for r in records} == {"附件 1 聊城市重污染天气应急指挥部成员单位及职责"}


def test_unreadable_word97_files_are_named(tmp_path):
    bad = tmp_path / "plan.doc"
    bad.write_bytes((WHOLE / "liaocheng_whole_colon.doc").read_bytes()[:3000])
    with pytest.raises(KgError, match="plan.doc"):
        load_document(bad)
