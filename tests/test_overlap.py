"""Overlapping responsibilities on the seed: the findings a careful reader of the plan finds, each with
its clauses, and none of the false ones the first review found (D14-D16, D35); the exports."""

from __future__ import annotations

import csv
import io
import json
import re

import networkx as nx
import pytest

from kg.cli import main
from kg.errors import BadRequest
from kg.overlaps.analysis import Analysis, DutyRow

TRUCK = "https://w3id.org/dutygraph/concept/object/muck-truck"
CONTROL = "https://w3id.org/dutygraph/concept/action/control"
APPROVE = "https://w3id.org/dutygraph/concept/action/approve"

# What the seed's findings are, by kind, target and parties (units named together are one party).
SEED = {
    ("duplication", "机动车排放", (("市公安局",), ("市生态环境局",))),
    ("overlap", "成品油", (("市商务局",), ("市市场监管局",))),
    ("overlap", "渣土车", (("市公安局",), ("市行政审批局",))),
    ("overlap", "停限产企业", (("国网聊城供电公司",), ("市生态环境局",))),
    ("fragmentation", "扬尘", (("市交通运输局",), ("市住房城乡建设局",), ("市城管局",))),
    ("fragmentation", "机动车排放", (("市交通运输局",), ("市公安局",), ("市生态环境局",))),
    ("gap", "关停取缔企业", (("国网聊城供电公司",),)),
}
ROW_ONE = {"各县(市、区)人民政府", "市属开发区管委会"}


def _key(finding) -> tuple:
    parties = tuple(sorted(tuple(sorted(u["label_zh"] for u in p)) for p in finding["parties"]))
    return finding["kind"], finding["target"]["label_zh"] if finding["target"] else "", parties


@pytest.fixture(scope="module")
def result(service):
    return service.overlaps()


def test_the_seed_s_findings_are_these(result):
    assert {_key(f) for f in result["findings"]} == {(k, t, tuple(sorted(p))) for k, t, p in SEED}


def test_no_gap_for_clauses_that_say_who_leads(result):
    """D14: 会同…牵头负责, 负责联合… lead; only the power company's 配合 on shut enterprises has no lead."""
    gaps = {f["target"]["label_zh"] for f in result["findings"] if f["kind"] == "gap" and f["target"]}
    assert gaps == {"关停取缔企业"}
    assert not gaps & {"舆情", "舆论", "新闻宣传", "指挥部成员单位", "工作制度", "新闻发布会", "重点行业企业"}


def test_generic_categories_are_never_targets(result, thesaurus):
    """D35: top concepts with narrower ones (单位, 文件, 信息, 场所, 活动, 车辆, 企业) are categories."""
    for finding in result["findings"]:
        concept = thesaurus.concepts[finding["target"]["iri"]]
        assert concept.broader, finding["target"]


def test_units_of_one_entry_are_one_party(result, service):
    """D16: 各县(市、区)人民政府 and 市属开发区管委会 share row 1; they are never a pair."""
    for finding in result["findings"]:
        for party in finding["parties"]:
            names = {u["label_zh"] for u in party}
            assert not names & ROW_ONE or names == ROW_ONE
    labels = [u["label_zh"] for u in result["units"]]
    if ROW_ONE <= set(labels):
        i, j = (labels.index(n) for n in sorted(ROW_ONE))
        assert result["matrix"][i][j] == 0


def test_one_clause_is_one_finding_of_a_kind(result):
    """D15: a clause's synonyms and broader words are not more findings: no two findings of one kind
    are told by the same clauses."""
    seen = set()
    for finding in result["findings"]:
        key = (finding["kind"], frozenset(e["duty"] for e in finding["evidence"]))
        assert key not in seen, finding
        seen.add(key)


def test_every_finding_names_its_plan_and_ranks_in_words(result):
    for finding in result["findings"]:
        assert finding["plan"]["title"].startswith("聊城市") and finding["plan"]["place_zh"] == "聊城市"
        strength = finding["strength"]
        assert strength["units"] == len(finding["parties"])
        assert strength["clauses"] == len({e["duty"] for e in finding["evidence"]})


def test_leads_follow_the_clause_s_markers(result):
    (dup,) = [f for f in result["findings"] if f["kind"] == "duplication"]
    roles = {e["text"][:2]: e["leads"] for e in dup["evidence"]}
    assert roles == {"指导": True, "配合": False}  # 生态环境局 配合s the police: 公安局 leads
    (power,) = [f for f in result["findings"] if f["target"]["label_zh"] == "停限产企业"]
    assert [u for u in power["lead"]] == [e["unit"] for e in power["evidence"] if "督促" in e["text"]]


def test_boilerplate_is_not_a_finding(result):
    for finding in result["findings"]:
        for evidence in finding["evidence"]:
            assert "交办的其他工作" not in evidence["text"]
            assert not evidence["text"].startswith("编制本部门")


def test_matrix_is_symmetric_and_counts_shared_findings(result):
    matrix, n = result["matrix"], len(result["units"])
    assert len(matrix) == n and all(len(row) == n for row in matrix)
    assert all(matrix[i][j] == matrix[j][i] for i in range(n) for j in range(n))
    labels = [u["label_zh"] for u in result["units"]]
    i, j = labels.index("市公安局"), labels.index("市生态环境局")
    assert matrix[i][j] == 2  # the duplication and the fragmentation of vehicle emissions


def test_collaboration_edges_follow_partners(result, service):
    labels = service.organisation_labels
    edges = {(labels[e["source"]][0], labels[e["target"]][0], e["role"]) for e in result["collaboration"]}
    assert ("市生态环境局", "市公安局", "support") in edges
    assert ("市委宣传部", "市新闻办", "joint") in edges


def test_kind_filter_and_unknown_kind(service):
    only = service.overlaps(["gap"])
    assert {f["kind"] for f in only["findings"]} == {"gap"}
    with pytest.raises(BadRequest):
        service.overlaps(["nonsense"])


def test_graphml_opens_in_networkx(runner, built, tmp_path):
    target = tmp_path / "o.graphml"
    result = runner.invoke(main, ["--home", str(built.home), "export", "--format", "graphml", "-o", str(target)])
    assert result.exit_code == 0, result.output
    graph = nx.read_graphml(target)
    assert any(d.get("label_zh") == "市公安局" for _, d in graph.nodes(data=True))
    assert graph.number_of_edges() > 20


def test_gexf_and_csv(runner, built, tmp_path):
    gexf = tmp_path / "o.gexf"
    runner.invoke(main, ["--home", str(built.home), "export", "--format", "gexf", "--graph", "collaboration", "-o", str(gexf)])
    assert nx.read_gexf(gexf).number_of_edges() >= 5
    result = runner.invoke(main, ["--home", str(built.home), "export", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.output)))
    dust = [r for r in rows if r["kind"] == "fragmentation" and r["target_zh"] == "扬尘"]
    assert len(dust) == 6 and {r["plan"] for r in rows} == {"liaocheng-heavy-pollution-member-duties"}
    assert {r["plan_place_zh"] for r in rows} == {"聊城市"} and all(r["text"] for r in rows)
    assert {r["leads"] for r in rows if r["kind"] == "gap"} == {"no"}


def test_cli_overlaps(runner, built):
    result = runner.invoke(main, ["--home", str(built.home), "overlaps", "--kind", "duplication"])
    assert result.exit_code == 0
    assert "[duplication] 机动车排放" in result.output and "2 units, 1 with a lead role, 2 clauses" in result.output
    data = json.loads(runner.invoke(main, ["--home", str(built.home), "overlaps", "--json"]).output)
    assert data["counts"] == {"duplication": 1, "overlap": 3, "fragmentation": 2, "gap": 1}


def test_api_overlaps_and_files(client):
    body = client.get("/api/overlaps", query_string={"kind": "overlap"}).get_json()
    assert body["findings"] and all(f["kind"] == "overlap" for f in body["findings"])
    response = client.get("/api/overlaps.graphml")
    assert response.status_code == 200 and b"<graphml" in response.data
    assert client.get("/api/overlaps.pdf").status_code == 400
    table = client.get("/api/overlaps.csv")
    assert table.headers["Content-Type"] == "text/csv; charset=utf-8"  # D31: once, not twice
    assert table.get_data(as_text=True).startswith("plan,plan_title,plan_place_zh")
    named = client.get("/api/overlaps.csv", query_string={"plan": "liaocheng-heavy-pollution-member-duties"})
    assert "liaocheng-heavy-pollution-member-duties.csv" in named.headers["Content-Disposition"]


def test_analysis_on_hand_made_rows(thesaurus):
    """Two units controlling muck trucks: duplication; a third only approving them: overlap; a unit
    with nothing but boilerplate: a gap."""
    rows = [
        DutyRow("d1", "管控渣土车", "p", "lead", ("u1",), actions=(CONTROL,), objects=(TRUCK,)),
        DutyRow("d2", "配合管控渣土车", "p", "support", ("u2",), actions=(CONTROL,), objects=(TRUCK,)),
        DutyRow("d3", "审批渣土车", "p", "lead", ("u3",), actions=(APPROVE,), objects=(TRUCK,)),
        DutyRow("d4", "完成交办的其他工作", "p", "lead", ("u4",), boilerplate=True),
    ]
    findings = Analysis(rows, thesaurus).findings()
    by_kind = {(f.kind, f.target): f for f in findings}
    assert by_kind[("duplication", TRUCK)].units == ["u1", "u2"]
    assert by_kind[("duplication", TRUCK)].lead == ["u1"]
    assert by_kind[("overlap", TRUCK)].units == ["u1", "u2", "u3"]
    assert any(f.kind == "gap" and f.note == "only boilerplate duties" and f.units == ["u4"] for f in findings)


def test_units_named_in_one_entry_never_meet(thesaurus):
    rows = [DutyRow("d1", "管控渣土车", "p", "lead", ("u1", "u2"), actions=(CONTROL,), objects=(TRUCK,))]
    analysis = Analysis(rows, thesaurus)
    assert [f for f in analysis.findings() if f.kind != "gap"] == []
    assert analysis.projection().number_of_edges() == 0


def test_findings_and_pairs_stay_within_a_plan(thesaurus):
    """Units of different plans (other headquarters) on the same object are no overlap, and no
    unit × unit pair; the same units within one plan are."""
    rows = [
        DutyRow("a1", "管控渣土车", "plan-a", "lead", ("a-u1",), actions=(CONTROL,), objects=(TRUCK,)),
        DutyRow("a2", "管控渣土车", "plan-a", "lead", ("a-u2",), actions=(CONTROL,), objects=(TRUCK,)),
        DutyRow("b1", "配合管控渣土车", "plan-b", "support", ("b-u1",), actions=(CONTROL,), objects=(TRUCK,)),
    ]
    analysis = Analysis(rows, thesaurus)
    shared = [f for f in analysis.findings() if f.kind in ("duplication", "overlap")]
    assert [(f.kind, f.plan, f.units) for f in shared] == [("duplication", "plan-a", ["a-u1", "a-u2"])]
    gaps = {(f.plan, f.target) for f in analysis.findings() if f.kind == "gap" and f.note == "no lead"}
    assert ("plan-b", TRUCK) in gaps and ("plan-a", TRUCK) not in gaps  # plan a has its lead
    assert [tuple(sorted(e)) for e in analysis.projection().edges] == [("a-u1", "a-u2")]


def test_the_scene_is_each_plan_s_own(thesaurus):
    """A heavy-pollution plan's duties all happen during heavy pollution: that is their scene, not a
    target two of its units share. An earthquake plan whose units both act on heavy pollution do
    share it."""
    smog = next(iri for iri, c in thesaurus.concepts.items() if c.scheme == "issue" and c.pref_zh == "重污染天气")
    quake = next(iri for iri, c in thesaurus.concepts.items() if c.scheme == "issue" and c.pref_zh == "地震")
    rows = [DutyRow(f"{plan}{unit}", "重污染天气期间管控", plan, "lead", (f"{plan}-{unit}",),
                    actions=(CONTROL,), issues=(smog,)) for plan in ("smog-plan", "quake-plan") for unit in "12"]
    scenes = {"smog-plan": thesaurus.broader_closure(smog), "quake-plan": thesaurus.broader_closure(quake)}
    shared = [(f.plan, f.target) for f in Analysis(rows, thesaurus, scenes).findings() if f.kind == "duplication"]
    assert shared == [("quake-plan", smog)]
    assert Analysis(rows, thesaurus, scenes).bipartite().has_node(smog)  # from the earthquake plan only
    assert not Analysis(rows[:2], thesaurus, scenes).bipartite().has_node(smog)


def test_the_page_opens_on_one_plan_and_the_api_on_a_small_build_s_every_plan(tmp_path, monkeypatch):
    """With several plans the page shows one (the one with the most duties, or the one asked for)
    and says so; the API and CLI give every plan of a small build, each finding naming its own, and
    one plan of a large one."""
    import kg.service.overlapviews as overlap_views
    from kg.build.pipeline import build
    from kg.config import Settings
    from kg.service.facade import Service
    from web import create_app

    from .conftest import ROOT, SEED

    settings = Settings.from_env(tmp_path / "home")
    build(settings, [SEED, ROOT / "tests" / "data" / "dev" / "04_panjin_snowstorm.txt"])
    keys = sorted(p["key"] for p in Service(settings).build.manifest["plans"])
    seed, panjin = "liaocheng-heavy-pollution-member-duties", "04-panjin-snowstorm"
    assert keys == [panjin, seed]
    together = Service(settings).overlaps()
    assert together["plan"] is None and {f["plan"]["key"] for f in together["findings"]} == {seed, panjin}

    monkeypatch.setattr(overlap_views, "OVERLAP_UNITS", 5)
    service = Service(settings)
    largest = service.overlaps()
    assert largest["plan"] == seed and {f["plan"]["key"] for f in largest["findings"]} == {seed}
    assert service.overlaps(plan=panjin)["plan"] == panjin
    with pytest.raises(BadRequest, match="no plan"):
        service.overlaps(plan="nowhere")

    client = create_app({"SETTINGS": settings}).test_client()
    page = client.get("/overlaps?lang=en").get_data(as_text=True)
    assert f'value="{seed}" selected' in page and "the one with the most duties" in page
    assert f"plan={seed}" in page  # the network data follows the plan shown
    chosen = client.get("/overlaps", query_string={"plan": panjin, "lang": "en"}).get_data(as_text=True)
    assert f'value="{panjin}" selected' in chosen and "the one you chose" in chosen
    assert f"/api/overlaps.csv?plan={panjin}" in chosen
    assert client.get("/api/overlaps", query_string={"plan": panjin}).get_json()["plan"] == panjin
    assert client.get("/api/overlaps", query_string={"plan": "nowhere"}).status_code == 400
    assert client.get("/overlaps/data.json", query_string={"plan": panjin}).status_code == 200

    # beyond PLAN_MENU_MAX plans the menu lists the shown plan's place's plans, and says so
    monkeypatch.setattr("kg.service.pages.PLAN_MENU_MAX", 1)
    many = client.get("/overlaps", query_string={"plan": panjin, "lang": "en"}).get_data(as_text=True)
    menu = re.search(r'<select name="plan">(.*?)</select>', many, re.S).group(1)
    assert re.findall(r'<option value="([^"]+)"', menu) == [panjin]
    assert '<a href="/plans">The Plan menu lists the plans of Panjin only' in many

    # a pair of units of different plans is explained, not shown as "0 shared"
    base = "https://w3id.org/dutygraph/id/unit/"
    pair = client.get("/overlaps/pair", query_string={"a": base + "liao-cheng-shi/shi-qi-xiang-ju",
                                                      "b": base + "pan-jin-shi/shi-qi-xiang-ju", "lang": "en"})
    html = pair.get_data(as_text=True)
    assert pair.status_code == 200 and "belong to different plans" in html and f"a={seed}&amp;b={panjin}" in html
