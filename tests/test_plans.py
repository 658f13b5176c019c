"""Many plans in one data home: metadata, kg plans, kg compare, ask across plans."""

from __future__ import annotations

import json

import pytest

from kg.build.pipeline import build
from kg.cli import main
from kg.config import ROOT, Settings
from kg.errors import BadRequest
from kg.service.facade import Service


@pytest.fixture(scope="module")
def many(tmp_path_factory):
    settings = Settings.from_env(tmp_path_factory.mktemp("many"))
    build(settings, [ROOT / "data" / "plans", ROOT / "tests" / "data" / "dev"])
    return Service(settings)


def test_each_plan_is_its_own_graph_with_metadata(many):
    plans = {p["key"]: p for p in many.plans()}
    assert len(plans) == 7
    huludao = plans["03-huludao-snowstorm"]
    assert (huludao["place_zh"], huludao["level"]) == ("葫芦岛市", "city")
    assert [t["label_zh"] for t in huludao["emergency_types"]] == ["暴雪"]
    assert plans["06-jianli-air-quality-duty-table-2018"]["year"] == 2018
    assert plans["liaocheng-heavy-pollution-member-duties"]["units"] == 18


def test_the_many_plan_home_conforms(many):
    assert many.validate().conforms


def test_ask_answers_across_plans(many):
    answer = many.ask("who handles construction dust?")
    names = {(a["label_zh"], a["label_en"].split()[0]) for a in answer["answers"]}
    assert ("市住房城乡建设局", "Liaocheng") in names
    assert ("县城管局", "Jianli") in names
    plans = {e["plan"] for a in answer["answers"] for e in a["evidence"]}
    assert len(plans) == 2


def test_compare_lines_up_agency_types_across_names(many):
    result = many.compare("03-huludao-snowstorm", "04-panjin-snowstorm")
    rows = {r["label_zh"]: r for r in result["agency_types"]}
    health = rows["卫生健康委"]  # 市卫生局 in both, under today's type
    assert health["in"] == "both" and health["targets_both"]
    assert rows["海事局"]["in"] == "b"
    tourism = rows["文化旅游局"]  # 市广电局/市旅游局 and 市文广局/市旅游局
    assert {u["label_zh"] for u in tourism["units_a"]} == {"市广电局", "市旅游局"}
    assert {u["label_zh"] for u in tourism["units_b"]} == {"市文广局", "市旅游局"}


def test_compare_unknown_plan(many):
    with pytest.raises(BadRequest, match="no plan"):
        many.compare("03-huludao-snowstorm", "nowhere")


def test_cli_plans_and_compare(runner, many):
    home = str(many.settings.home)
    plans = json.loads(runner.invoke(main, ["--home", home, "plans", "--json"]).output)["plans"]
    assert len(plans) == 7
    result = runner.invoke(main, ["--home", home, "compare", "10-shenyang-forest-fire", "03-huludao-snowstorm"])
    assert result.exit_code == 0 and "公安局" in result.output


def test_meta_option_overrides_the_document(runner, tmp_path):
    home = tmp_path / "home"
    plan = ROOT / "tests" / "data" / "dev" / "10_shenyang_forest-fire.txt"
    result = runner.invoke(main, ["--home", str(home), "build", str(plan), "--meta", "year=2016"])
    assert result.exit_code == 0, result.output
    plans = json.loads(runner.invoke(main, ["--home", str(home), "plans", "--json"]).output)["plans"]
    assert plans[0]["year"] == 2016


def test_compare_page_and_json_twin(many):
    from web import create_app

    client = create_app({"TESTING": True, "SETTINGS": many.settings}).test_client()
    page = client.get("/compare?a=03-huludao-snowstorm&b=04-panjin-snowstorm&lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Health Commission" in html and "市卫生局" in html and "盘锦海事局" in html
    data = client.get("/compare?a=03-huludao-snowstorm&b=04-panjin-snowstorm&format=json").get_json()
    assert data["comparison"]["a"]["key"] == "03-huludao-snowstorm"
    assert client.get("/compare?a=nowhere&b=03-huludao-snowstorm").status_code == 400
