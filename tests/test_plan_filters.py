"""Plan identity and the plan filter (#23) with seven plans: ask, search, units and overlaps choose
plans by key, place or emergency type in the page, the JSON API and the CLI; the filter is shown and
removable; every unit, hit and answer names its plan."""

from __future__ import annotations

import json
import re

import pytest

from kg.cli import main

SHENYANG = "10-shenyang-forest-fire"
SNOW = {"03-huludao-snowstorm", "04-panjin-snowstorm"}


def plan_keys(client) -> dict[str, str]:
    return {p["iri"]: p["key"] for p in client.get("/plans?format=json").get_json()["plans"]}


def test_plans_page_lists_and_sorts(seven_client):
    data = seven_client.get("/plans?format=json").get_json()
    assert len(data["plans"]) == 7 and data["sort"] == "place"
    by_duties = seven_client.get("/plans?sort=duties&format=json").get_json()["plans"]
    assert [p["duties"] for p in by_duties] == sorted((p["duties"] for p in by_duties), reverse=True)
    ascending = seven_client.get("/plans?sort=duties&order=asc&format=json").get_json()["plans"]
    assert ascending == by_duties[::-1] or [p["duties"] for p in ascending] == sorted(p["duties"] for p in ascending)
    for column in ("place", "level", "year", "type", "units", "title"):
        assert seven_client.get(f"/plans?sort={column}").status_code == 200
    shenyang = next(p for p in data["plans"] if p["key"] == SHENYANG)
    assert shenyang["short_zh"] == "沈阳市 · 森林火灾" and shenyang["short_en"].startswith("Shenyang")
    html = seven_client.get("/plans?lang=zh").get_data(as_text=True)
    assert 'href="/plan/10-shenyang-forest-fire"' in html and 'href="/plans?sort=duties' in html
    assert seven_client.get("/plans?sort=colour").status_code == 400


@pytest.mark.parametrize("args, expected", [
    ({"plan": SHENYANG}, {SHENYANG}),
    ({"place": "沈阳市"}, {SHENYANG}),
    ({"place": "Shenyang"}, {SHENYANG}),
    ({"type": "snowstorm"}, SNOW),
    ({"type": "snowstorm", "place": "盘锦市"}, {"04-panjin-snowstorm"}),
])
def test_units_filter_api_page(seven_client, args, expected):
    keys = plan_keys(seven_client)
    units = seven_client.get("/api/units", query_string=args).get_json()["units"]
    assert units and {keys[u["plan"]] for u in units} == expected
    page = seven_client.get("/units", query_string={**args, "format": "json"}).get_json()
    assert {keys[u["plan"]] for u in page["units"]} == expected
    assert sorted(f["name"] for f in page["filters"]) == sorted(args)
    html = seven_client.get("/units", query_string={**args, "lang": "zh"}).get_data(as_text=True)
    assert 'class="active-filter"' in html and "取消筛选" in html
    for f in page["filters"]:  # each filter's removal link drops it and keeps the others
        sep = "&" if "?" in f["remove"] else "?"
        rest = seven_client.get(f["remove"] + sep + "format=json").get_json()["filters"]
        assert sorted(x["name"] for x in rest) == sorted(k for k in args if k != f["name"])


def test_units_name_their_plan(seven_client):
    html = seven_client.get("/units?lang=zh").get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<td><a href=\"[^\"]+\"><span class=\"label\" lang=\"zh\"[^>]*>市公安局</span></a></td>\s*"
                      r"<td><a class=\"plan-name\"[^>]*>([^<]+)</a>", html)
    assert len(rows) >= 3 and len(set(rows)) == len(rows), rows  # three 市公安局, each with its own plan


def test_units_filter_cli(runner, seven):
    result = runner.invoke(main, ["--home", str(seven.home), "units", "--json", "--type", "snowstorm"])
    assert result.exit_code == 0, result.output
    plans = {u["plan"].rsplit("/", 1)[-1] for u in json.loads(result.output)["units"]}
    assert plans == SNOW
    text = runner.invoke(main, ["units", "--home", str(seven.home), "--place", "沈阳市"]).output
    assert "沈阳市 · 森林火灾" in text and "聊城" not in text
    bad = runner.invoke(main, ["--home", str(seven.home), "units", "--place", "Atlantis"])
    assert bad.exit_code == 1 and "no plan of the place 'Atlantis'" in bad.output


def test_search_filter_api_page_cli(seven_client, runner, seven):
    keys = plan_keys(seven_client)
    every = seven_client.get("/api/search", query_string={"q": "公安局", "per_page": 100}).get_json()
    assert len({p for h in every["hits"] for p in h["plan"]}) > 1
    for args, expected in (({"plan": SHENYANG}, {SHENYANG}), ({"place": "沈阳市"}, {SHENYANG}),
                           ({"type": "snowstorm"}, SNOW)):
        api = seven_client.get("/api/search", query_string={"q": "公安局", "per_page": 100, **args}).get_json()
        assert api["hits"] and {keys[p] for h in api["hits"] for p in h["plan"]} <= expected
        assert all(h["plan"] for h in api["hits"])  # concepts belong to no plan: left out
        page = seven_client.get("/search", query_string={"q": "公安局", "format": "json", **args}).get_json()
        assert page["total"] == api["total"] and [f["name"] for f in page["filters"]] == list(args)
    html = seven_client.get("/search", query_string={"q": "公安局", "place": "沈阳市", "lang": "zh"}).get_data(as_text=True)
    assert "取消筛选" in html and "沈阳市" in html
    assert '<select name="place"><option value="">' in html and '<option value="沈阳市" selected>' in html  # kept
    assert html.count(" selected>") == 1
    remove = re.search(r'<a class="remove" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "place=" not in remove and "q=" in remove
    assert seven_client.get(remove + "&format=json").get_json()["total"] == every["total"]
    result = runner.invoke(main, ["--home", str(seven.home), "search", "公安局", "--json", "--plan", SHENYANG])
    assert result.exit_code == 0 and {keys[p] for h in json.loads(result.output)["hits"] for p in h["plan"]} == {SHENYANG}


def test_search_hits_name_their_plan(seven_client):
    html = seven_client.get("/search?q=公安局&lang=zh").get_data(as_text=True)
    names = re.findall(r'class="plan-name"[^>]*>([^<]+)<', html)
    assert len(set(names)) >= 3


def test_search_plan_facet_is_the_plan_filter(seven_client):
    page = seven_client.get("/search?q=公安局&format=json").get_json()
    facet = page["facet_values"]["plan"]
    assert all("·" in v["label_zh"] for v in facet)  # short names, not IRIs
    chosen = seven_client.get(facet[0]["href"] + "&format=json").get_json()
    assert chosen["filters"][0]["name"] == "plan" and chosen["total"] == facet[0]["count"]


def test_ask_filter_api_page_cli(seven_client, runner, seven):
    keys = plan_keys(seven_client)
    q = "谁负责天气预报"
    every = seven_client.get("/api/ask", query_string={"q": q}).get_json()
    assert len({e["plan"] for a in every["answers"] for e in a["evidence"]}) > 1
    for args in ({"plan": "liaocheng-heavy-pollution-member-duties"}, {"place": "聊城市"},
                 {"type": "heavy-pollution-weather"}):
        api = seven_client.get("/api/ask", query_string={"q": q, **args}).get_json()
        assert api["answers"] and {keys[e["plan"]] for a in api["answers"] for e in a["evidence"]} == \
            {"liaocheng-heavy-pollution-member-duties"}
        page = seven_client.get("/ask", query_string={"q": q, "format": "json", **args}).get_json()
        assert [p["key"] for p in page["chosen_plans"]] == ["liaocheng-heavy-pollution-member-duties"]
    html = seven_client.get("/ask", query_string={"q": q, "lang": "zh"}).get_data(as_text=True)
    assert len(set(re.findall(r'class="plan-name"[^>]*>([^<]+)<', html))) > 1  # answers name their plans
    result = runner.invoke(main, ["--home", str(seven.home), "ask", q, "--json", "--place", "Liaocheng"])
    assert result.exit_code == 0
    assert {keys[e["plan"]] for a in json.loads(result.output)["answers"] for e in a["evidence"]} == \
        {"liaocheng-heavy-pollution-member-duties"}


def test_overlaps_filter_api_page_cli(seven_client, runner, seven):
    api = seven_client.get("/api/overlaps", query_string={"plan": SHENYANG}).get_json()
    assert api["plan"] and api["plan"].endswith(SHENYANG)
    page = seven_client.get("/overlaps", query_string={"plan": SHENYANG, "lang": "zh"}).get_data(as_text=True)
    assert f'value="{SHENYANG}" selected' in page
    result = runner.invoke(main, ["overlaps", "--home", str(seven.home), "--plan", SHENYANG, "--json"])
    assert result.exit_code == 0 and json.loads(result.output)["plan"].endswith(SHENYANG)
    assert seven_client.get("/api/overlaps", query_string={"plan": "nope"}).status_code == 400


def test_search_unit_facet_names_the_place(seven_client):
    values = seven_client.get("/search?q=公安局&format=json").get_json()["facet_values"]["unit"]
    labels = [v["label_zh"] for v in values]
    assert len(labels) == len(set(labels)) and "市公安局（沈阳市）" in labels


def test_the_front_page_stays_small_with_many_plans(seven_client, monkeypatch):
    # Beyond PLAN_MENU_MAX plans (30) the ask form narrows by place and type, not by a menu of every
    # plan, and the page lists HOME_PLANS of them with a link to all (at 10,000 plans: 2.7 MB, 4 s).
    html = seven_client.get("/?lang=en").get_data(as_text=True)
    assert '<select name="plan">' in html and 'href="/plans">All' not in html  # seven plans: the menu
    monkeypatch.setattr("kg.service.pages.PLAN_MENU_MAX", 3)
    monkeypatch.setattr("kg.service.pages.HOME_PLANS", 2)
    html = seven_client.get("/?lang=en").get_data(as_text=True)
    assert '<select name="plan">' not in html
    assert '<select name="place">' in html and '<select name="type">' in html
    assert len(re.findall(r'<li><a href="/plan/', html)) == 2
    assert '<a href="/plans">All 7 plans →</a>' in html
    page = seven_client.get("/ask", query_string={"q": "谁负责天气预报", "place": "聊城市", "lang": "en"})
    assert re.search(r'<option value="聊城市" selected>', page.get_data(as_text=True))
    page = seven_client.get("/ask", query_string={"q": "谁负责天气预报", "type": "snowstorm", "lang": "en"})
    chosen = re.search(r'<p class="filter">(.*?)</p>', page.get_data(as_text=True), re.S).group(1)
    assert len(re.findall(r'<a href="/plan/', chosen)) == 2 and "</a>、<a" in chosen  # the plans apart


def test_a_forms_all_is_no_choice(seven_client):
    # The form's first option (all plans, all places, all types) sends an empty value: every plan.
    q = "谁负责天气预报"
    every = seven_client.get("/api/ask", query_string={"q": q}).get_json()
    for args in ({"plan": ""}, {"place": "", "type": ""}, {"plan": "", "place": "", "type": ""}):
        page = seven_client.get("/ask", query_string={"q": q, "format": "json", **args})
        assert page.status_code == 200, page.data[:200]
        assert page.get_json()["chosen_plans"] == []
        assert seven_client.get("/api/ask", query_string={"q": q, **args}).get_json()["answers"] == every["answers"]
        assert seven_client.get("/search", query_string={"q": q, **args}).status_code == 200


def test_search_and_units_filters_stay_small_with_many_plans(seven_client, monkeypatch):
    # Beyond PLAN_MENU_MAX plans /search and /units offer no menu of every plan (10,000 options at
    # 10,000 plans) but places and types, say how many plans there are and link to the list; a plan
    # chosen (from a link) stays chosen when the form narrows further.
    for path in ("/search?q=扬尘&lang=en", "/units?lang=en"):
        html = seven_client.get(path).get_data(as_text=True)
        assert '<select name="plan">' in html and 'href="/plans">7 plans' not in html  # seven plans: the menu
    monkeypatch.setattr("kg.service.pages.PLAN_MENU_MAX", 3)
    for path in ("/search?q=扬尘&lang=en", "/units?lang=en"):
        html = seven_client.get(path).get_data(as_text=True)
        assert '<select name="plan">' not in html
        assert '<select name="place">' in html and '<select name="type">' in html
        assert '<a class="hint" href="/plans">7 plans: narrow by place and type' in html
    html = seven_client.get("/search", query_string={"q": "森林防火", "plan": SHENYANG, "lang": "en"}).get_data(as_text=True)
    form = re.search(r'<form class="plan-filter".*?</form>', html, re.S).group(0)
    assert f'<input type="hidden" name="plan" value="{SHENYANG}">' in form
    assert '<input type="hidden" name="q" value="森林防火">' in form
    narrowed = seven_client.get("/search", query_string={"q": "森林防火", "plan": SHENYANG, "type": "forest-fire",
                                                        "format": "json"}).get_json()
    plain = seven_client.get("/search", query_string={"q": "森林防火", "plan": SHENYANG, "format": "json"}).get_json()
    assert plain["total"] > 0 and narrowed["total"] == plain["total"]  # the plan kept: its type narrows no more


def test_a_plan_page_asks_and_searches_that_plan(seven_client, monkeypatch):
    # At scale a plan is chosen from /plans: its page asks and searches that plan alone, and the front
    # page's narrowing form keeps the plan asked of when there is no menu of plans.
    html = seven_client.get(f"/plan/{SHENYANG}?lang=en").get_data(as_text=True)
    form = re.search(r'<form class="ask-form plan-ask".*?</form>', html, re.S).group(0)
    assert 'action="/ask"' in form and f'<input type="hidden" name="plan" value="{SHENYANG}">' in form
    assert f'<a href="/search?plan={SHENYANG}">Search this plan</a>' in html
    q = "谁负责天气预报"
    answer = seven_client.get("/ask", query_string={"q": q, "plan": SHENYANG, "format": "json"}).get_json()
    assert answer["answer"]["answers"] and [p["key"] for p in answer["chosen_plans"]] == [SHENYANG]
    monkeypatch.setattr("kg.service.pages.PLAN_MENU_MAX", 3)
    html = seven_client.get("/ask", query_string={"q": q, "plan": SHENYANG, "lang": "en"}).get_data(as_text=True)
    form = re.search(r'<form class="ask-form".*?</form>', html, re.S).group(0)
    assert '<select name="plan">' not in form
    assert f'<input type="hidden" name="plan" value="{SHENYANG}">' in form


def test_an_unknown_plan_place_or_type_names_a_few_known_ones(seven_client):
    # An error names ten of what is known and how many in all, not every one (10,000 plan keys).
    from kg.service.plans import _some

    assert _some(list("abc")) == "a, b, c"
    assert _some([str(i) for i in range(25)]) == "0, 1, 2, 3, 4, 5, 6, 7, 8, 9 … (25 in all; `kg plans` or /plans lists them)"
    for args in ({"plan": "nope"}, {"place": "Atlantis"}, {"type": "meteor-strike"}):
        answer = seven_client.get("/api/search", query_string={"q": "公安局", **args})
        assert answer.status_code == 400 and "known: " in answer.get_json()["error"]
