"""Overlapping responsibilities on the seed: the findings a reader of the plan finds, with clauses."""

from __future__ import annotations

import csv
import io
import json

import networkx as nx
import pytest

from kg.cli import main
from kg.errors import BadRequest
from kg.overlaps.analysis import Analysis, DutyRow

TRUCK = "https://w3id.org/dutygraph/concept/object/muck-truck"
CONTROL = "https://w3id.org/dutygraph/concept/action/control"


def _units(finding) -> set[str]:
    return {u["label_zh"] for u in finding["units"]}


def _find(result, kind, target_zh):
    return [f for f in result["findings"] if f["kind"] == kind and f["target"] and f["target"]["label_zh"] == target_zh]


@pytest.fixture(scope="module")
def result(service):
    return service.overlaps()


def test_construction_dust_duplication(result):
    (finding,) = _find(result, "duplication", "施工扬尘")
    assert _units(finding) == {"市住房城乡建设局", "市城管局", "市交通运输局"}
    assert {a["label_zh"] for a in finding["actions"]} == {"治理"}
    texts = {e["text"] for e in finding["evidence"]}
    assert "防止市内道路及市政工程施工工地扬尘污染" in texts
    assert any("施工现场的扬尘治理" in t for t in texts)
    assert any("交通施工工地扬尘治理" in t for t in texts)


def test_high_emission_vehicles_shared_by_police_and_environment(result):
    (finding,) = _find(result, "duplication", "高排放机动车")
    assert _units(finding) == {"市公安局", "市生态环境局"}
    roles = {e["role"] for e in finding["evidence"]}
    assert roles == {"lead", "support"}  # the bureau of ecology and environment 配合s the police


def test_refined_oil_split_between_commerce_and_market_regulation(result):
    (finding,) = _find(result, "duplication", "成品油")
    assert _units(finding) == {"市商务局", "市市场监管局"}
    assert len(finding["evidence"]) >= 2


def test_boilerplate_is_not_a_finding(result):
    for finding in result["findings"]:
        for evidence in finding["evidence"]:
            assert "交办的其他工作" not in evidence["text"]
            assert not evidence["text"].startswith("编制本部门")


def test_the_plan_emergency_itself_is_not_a_shared_target(result):
    assert not any(f["target"] and f["target"]["label_zh"] == "重污染天气" for f in result["findings"])


def test_joint_assignment_is_not_duplication(result):
    for finding in result["findings"]:
        if finding["kind"] == "duplication":
            assert _units(finding) != {"各县(市、区)人民政府", "市属开发区管委会"}


def test_gaps_name_targets_without_a_lead(result):
    gaps = {f["target"]["label_zh"] for f in result["findings"] if f["kind"] == "gap" and f["target"]}
    assert "舆情" in gaps  # only 会同 (joint) duties on public opinion: nobody leads alone


def test_fragmentation_counts_units_per_category(result):
    (vehicles,) = _find(result, "fragmentation", "车辆")
    assert {"市公安局", "市交通运输局"} <= _units(vehicles)


def test_matrix_is_symmetric_with_shared_counts(result):
    matrix, n = result["matrix"], len(result["units"])
    assert len(matrix) == n and all(len(row) == n for row in matrix)
    assert all(matrix[i][j] == matrix[j][i] for i in range(n) for j in range(n))
    labels = [u["label_zh"] for u in result["units"]]
    i, j = labels.index("市公安局"), labels.index("市生态环境局")
    assert matrix[i][j] >= 2


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
    assert any(r["kind"] == "duplication" and r["target_zh"] == "施工扬尘" for r in rows)


def test_cli_overlaps(runner, built):
    result = runner.invoke(main, ["--home", str(built.home), "overlaps", "--kind", "duplication"])
    assert result.exit_code == 0
    assert "[duplication] 施工扬尘" in result.output
    data = json.loads(runner.invoke(main, ["--home", str(built.home), "overlaps", "--json"]).output)
    assert data["counts"]["duplication"] >= 3


def test_api_overlaps(client):
    body = client.get("/api/overlaps", query_string={"kind": "duplication"}).get_json()
    assert body["findings"] and all(f["kind"] == "duplication" for f in body["findings"])
    response = client.get("/api/overlaps.graphml")
    assert response.status_code == 200 and b"<graphml" in response.data
    assert client.get("/api/overlaps.pdf").status_code == 400


def test_analysis_on_hand_made_rows(thesaurus):
    """Two units controlling muck trucks: duplication; a third only approving: overlap."""
    truck, control = TRUCK, CONTROL
    approve = "https://w3id.org/dutygraph/concept/action/approve"
    rows = [
        DutyRow("d1", "管控渣土车", "p", "lead", ("u1",), actions=(control,), objects=(truck,)),
        DutyRow("d2", "管控渣土车", "p", "support", ("u2",), actions=(control,), objects=(truck,)),
        DutyRow("d3", "核准渣土车", "p", "lead", ("u3",), actions=(approve,), objects=(truck,)),
        DutyRow("d4", "完成交办的其他工作", "p", "lead", ("u4",), boilerplate=True),
    ]
    findings = Analysis(rows, thesaurus).findings()
    by_kind = {(f.kind, f.target): f for f in findings}
    assert by_kind[("duplication", truck)].units == ["u1", "u2"]
    assert by_kind[("overlap", truck)].units == ["u1", "u2", "u3"]
    assert any(f.kind == "gap" and f.note == "only boilerplate duties" and f.units == ["u4"] for f in findings)


def _brute_force_groups(units, actions, duties):
    """What ``Analysis._shared`` did before ``largest_groups``: every group, largest first."""
    from itertools import combinations

    for size in range(len(units), 1, -1):
        groups = [g for g in combinations(units, size)
                  if set.intersection(*(actions[u] for u in g)) and len({duties[u] for u in g}) > 1]
        if groups:
            return groups
    return []


def test_largest_groups_are_those_trying_every_group_finds():
    import random

    from kg.overlaps.analysis import largest_groups

    rng = random.Random(8)
    compared = nonempty = 0
    for _ in range(400):
        units = [f"u{i}" for i in range(rng.randint(2, 8))]
        actions = {u: {f"a{j}" for j in range(5) if rng.random() < 0.35} for u in units}
        duties = {u: frozenset({f"d{rng.randint(0, 2)}"}) for u in units}  # few sets: joint duties happen
        expected = _brute_force_groups(units, actions, duties)
        assert largest_groups(units, actions, duties) == expected, (actions, duties)
        compared += 1
        nonempty += bool(expected)
    assert compared == 400 and 100 < nonempty < 400
    # 30 units on one object, no action in common: 2^30 groups to try one by one
    many = [f"u{i:02d}" for i in range(30)]
    assert largest_groups(many, {u: {f"a{u}"} for u in many}, {u: frozenset({u}) for u in many}) == []


def test_findings_and_pairs_stay_within_a_plan(thesaurus):
    """Units of different plans (other headquarters) on the same object are no overlap, and no
    unit × unit pair; the same units within one plan are."""
    truck, control = TRUCK, CONTROL
    rows = [
        DutyRow("a1", "管控渣土车", "plan-a", "lead", ("a-u1",), actions=(control,), objects=(truck,)),
        DutyRow("a2", "管控渣土车", "plan-a", "support", ("a-u2",), actions=(control,), objects=(truck,)),
        DutyRow("b1", "管控渣土车", "plan-b", "support", ("b-u1",), actions=(control,), objects=(truck,)),
    ]
    analysis = Analysis(rows, thesaurus)
    shared = [f for f in analysis.findings() if f.kind in ("duplication", "overlap")]
    assert [(f.kind, f.plan, f.units) for f in shared] == [("duplication", "plan-a", ["a-u1", "a-u2"])]
    gaps = {(f.plan, f.target) for f in analysis.findings() if f.kind == "gap" and f.note == "no lead"}
    assert ("plan-b", truck) in gaps and ("plan-a", truck) not in gaps  # plan a has its lead
    projection = analysis.projection()
    assert set(projection.nodes) == {"a-u1", "a-u2", "b-u1"}
    assert [tuple(sorted(e)) for e in projection.edges] == [("a-u1", "a-u2")]


def test_the_scene_is_each_plan_s_own(thesaurus):
    """A heavy-pollution plan's duties all happen during heavy pollution: that is their scene, not a
    target two of its units share. An earthquake plan whose units both act on heavy pollution do
    share it."""
    smog = next(iri for iri, c in thesaurus.concepts.items() if c.scheme == "issue" and c.pref_zh == "重污染天气")
    quake = next(iri for iri, c in thesaurus.concepts.items() if c.scheme == "issue" and c.pref_zh == "地震")
    rows = [DutyRow(f"{plan}{unit}", "重污染天气期间管控渣土车", plan, "lead", (f"{plan}-{unit}",),
                    actions=(CONTROL,), issues=(smog,)) for plan in ("smog-plan", "quake-plan") for unit in "12"]
    scenes = {"smog-plan": thesaurus.broader_closure(smog), "quake-plan": thesaurus.broader_closure(quake)}
    shared = [(f.plan, f.target) for f in Analysis(rows, thesaurus, scenes).findings() if f.kind == "duplication"]
    assert shared == [("quake-plan", smog)]
    assert Analysis(rows, thesaurus, scenes).bipartite().has_node(smog)  # from the earthquake plan only
    assert not Analysis(rows[:2], thesaurus, scenes).bipartite().has_node(smog)


def test_a_large_build_is_shown_a_plan_at_a_time(tmp_path, monkeypatch):
    """Beyond ``OVERLAP_UNITS`` units the overlap views show one plan (the first, or the one asked
    for) and name it; a small build shows every plan, each finding naming its own."""
    import kg.service.overlapviews as overlap_views
    from kg.build.pipeline import build
    from kg.config import Settings
    from kg.service.facade import Service
    from web import create_app

    from .conftest import ROOT, SEED

    settings = Settings.from_env(tmp_path / "home")
    build(settings, [SEED, ROOT / "tests" / "data" / "dev" / "04_panjin_snowstorm.txt"])
    keys = [p["key"] for p in Service(settings).build.manifest["plans"]]
    assert len(keys) == 2
    together = Service(settings).overlaps()
    assert together["plan"] is None and {f["plan"].rsplit("/", 1)[-1] for f in together["findings"]} == set(keys)

    monkeypatch.setattr(overlap_views, "OVERLAP_UNITS", 5)
    service = Service(settings)
    first = service.overlaps()
    assert first["plan"] == keys[0] and {f["plan"] for f in first["findings"]} == {service.plan_iri(keys[0])}
    assert {u["iri"] for u in first["units"]} < {u["iri"] for u in together["units"]}
    second = service.overlaps(plan=keys[1])
    assert second["plan"] == keys[1] and {f["plan"] for f in second["findings"]} == {service.plan_iri(keys[1])}
    with pytest.raises(BadRequest, match="no plan"):
        service.overlaps(plan="nowhere")

    client = create_app({"SETTINGS": settings}).test_client()
    page = client.get("/overlaps").get_data(as_text=True)
    assert '<select name="plan">' in page and f'value="{keys[0]}" selected' in page
    assert f"plan={keys[0]}" in page  # the network data follows the plan shown
    chosen = client.get("/overlaps", query_string={"plan": keys[1]}).get_data(as_text=True)
    assert f'value="{keys[1]}" selected' in chosen
    assert client.get("/api/overlaps", query_string={"plan": keys[1]}).get_json()["plan"] == keys[1]
    assert client.get("/api/overlaps", query_string={"plan": "nowhere"}).status_code == 400
    assert client.get("/overlaps/data.json", query_string={"plan": keys[1]}).status_code == 200
