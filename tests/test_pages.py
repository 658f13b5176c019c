"""The HTML pages (web/pages.py, web/overlaps.py) through Flask's test client: each page answers,
has a JSON twin, 404s for IRIs that are not there, escapes document text, switches language, and
sends a Content-Security-Policy without inline scripts."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import quote

import pytest

from kg.build.pipeline import build
from kg.config import Settings
from kg.service.browse import segments
from kg.vocab import page_path

BASE = "https://w3id.org/dutygraph/id/"
PLAN = "liaocheng-heavy-pollution-member-duties"
CG = "liao-cheng-shi/shi-cheng-guan-ju"
JT = "liao-cheng-shi/shi-jiao-tong-yun-shu-ju"
PAGES = {
    "/": "home",
    "/ask?q=" + quote("工地扬尘归谁管？"): "ask",
    "/search?q=" + quote("扬尘"): "search",
    "/units": "units",
    f"/unit/{CG}": "unit",
    "/concept/object/muck-truck": "concept",
    f"/duty/{PLAN}/07-02": "duty",
    f"/plan/{PLAN}": "plan",
    "/query?query=" + quote("SELECT * WHERE { ?s ?p ?o } LIMIT 1"): "query",
    "/overlaps": "overlaps",
    f"/overlaps/pair?a={quote(BASE + 'unit/' + CG)}&b={quote(BASE + 'unit/' + JT)}": "pair",
}


class Scripts(HTMLParser):
    """Collects <script> elements: inline ones (with text) and external sources."""

    def __init__(self):
        super().__init__()
        self.inline, self.sources, self._in = [], [], False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            src = dict(attrs).get("src")
            self._in = not src
            if src:
                self.sources.append(src)

    def handle_data(self, data):
        if self._in and data.strip():
            self.inline.append(data)

    def handle_endtag(self, tag):
        self._in = False


@pytest.mark.parametrize("url", PAGES)
def test_every_page_answers_with_local_assets_and_no_inline_script(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    scripts = Scripts()
    scripts.feed(html)
    assert scripts.inline == []
    assert all(src.startswith("/") for src in scripts.sources)
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html.replace(f'href="{BASE}', "")), "nothing from elsewhere"
    policy = response.headers["Content-Security-Policy"]
    scripts_policy = policy.split("script-src")[1].split(";")[0]
    assert scripts_policy.strip() == "'self'" and "unsafe-eval" not in policy
    # Inline styles only on the editor's page (YASGUI positions its widgets with style attributes).
    assert ("unsafe-inline" in policy) == url.startswith("/query")


@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_a_json_twin(client, url):
    joiner = "&" if "?" in url else "?"
    response = client.get(f"{url}{joiner}format=json")
    assert response.status_code == 200
    assert response.is_json and response.get_json()


@pytest.mark.parametrize("url", [
    "/unit/liao-cheng-shi/nobody", "/unit/..%2Fetc", "/concept/object/nothing", "/concept/nonsense/muck-truck",
    f"/duty/{PLAN}/99-99", f"/plan/{PLAN}-not", "/duty/<script>", "/vendor/vis/other.js",
    f"/overlaps/pair?a={quote(BASE + 'unit/x')}&b={quote(BASE + 'unit/y')}",
])
def test_unknown_things_are_404(client, url):
    assert client.get(url).status_code == 404


def test_ask_page_shows_units_roles_evidence_and_sparql(client):
    html = client.get("/ask?q=" + quote("who handles construction dust?")).get_data(as_text=True)
    for unit in ("市住房城乡建设局", "市城管局", "市交通运输局"):
        assert unit in html
    assert 'class="role role-lead"' in html
    assert "<mark>扬尘</mark>" in html or "<mark>" in html
    assert "<details class=\"sparql\">" in html and "SELECT" in html
    assert 'href="/unit/liao-cheng-shi/shi-zhu-fang-cheng-xiang-jian-she-ju"' in html


def test_ask_page_is_honest_when_nothing_answers(client):
    response = client.get("/ask?q=" + quote("who feeds the pandas?"))
    html = response.get_data(as_text=True)
    assert 'class="no-answer"' in html
    answer = client.get("/ask?format=json&q=" + quote("who feeds the pandas?")).get_json()["answer"]
    assert answer["answers"] == [] and answer["understood"]


def test_search_facets_filter_and_page(client):
    data = client.get("/search?format=json&q=" + quote("扬尘")).get_json()
    kinds = {v["value"]: v for v in data["facet_values"]["kind"]}
    assert "duty" in kinds and kinds["duty"]["href"].startswith("/search?")
    filtered = client.get(kinds["duty"]["href"] + "&format=json").get_json()
    assert {h["kind"] for h in filtered["hits"]} == {"duty"}
    assert filtered["filters"][0]["name"] == "kind"
    assert data["next"] and client.get(data["next"]).status_code == 200
    html = client.get(kinds["duty"]["href"]).get_data(as_text=True)
    assert "<mark" in html and "&lt;mark" not in html


def test_unit_page_groups_duties_and_lists_partners_overlaps_and_rows(client):
    data = client.get(f"/unit/{CG}?format=json").get_json()
    assert data["label_zh"] == "市城管局" and data["counts"]["duties"] > 3
    assert any(g["action"] for g in data["by_action"])
    assert {o["label_zh"] for o in data["overlaps"]} >= {"市住房城乡建设局", "市交通运输局"}
    assert data["records"][0]["row"] == 8 and "市政工程" in data["records"][0]["text"]
    partners = client.get("/unit/liao-cheng-shi/shi-sheng-tai-huan-jing-ju?format=json").get_json()["partners"]
    assert "市公安局" in {p["label_zh"] for p in partners}


def test_concept_page_has_hierarchy_synonyms_units_and_duties(client):
    data = client.get("/concept/object/muck-truck?format=json").get_json()
    assert data["label_zh"] == "渣土车" and "dump truck" in data["alt_en"] and "渣土运输车" in data["alt_zh"]
    assert [b["href"] for b in data["broader"]][-1].startswith("/concept/object/")
    assert "市公安局" in {u["label_zh"] for u in data["units"]}
    vehicle = client.get("/concept/object/vehicle?format=json").get_json()
    assert vehicle["narrower"] and not vehicle["broader"]


def test_duty_page_marks_the_clause_in_its_paragraph_with_provenance(client):
    data = client.get(f"/duty/{PLAN}/07-02?format=json").get_json()
    marked = [s["text"] for s in data["record"]["segments"] if s["mark"]]
    assert marked == [data["text"]]
    assert "".join(s["text"] for s in data["record"]["segments"]) == data["record"]["text"]
    assert data["row"] == 7 and data["plan"]["source"].endswith(".txt")
    assert data["end"] - data["start"] == len(data["text"])
    html = client.get(f"/duty/{PLAN}/07-02").get_data(as_text=True)
    assert f"<mark>{data['text']}</mark>" in html


def test_plan_page_counts(client):
    data = client.get(f"/plan/{PLAN}?format=json").get_json()
    assert data["counts"]["rows"] == 17 and data["counts"]["units"] == len(data["members"]) >= 17
    assert data["source"].endswith(".txt")


def test_query_page_lists_examples_and_downloads(client):
    data = client.get("/query?format=json&query=" + quote("ASK { ?s ?p ?o }")).get_json()
    assert data["examples"] and all(e["title_zh"] and e["title_en"] and not e["title_en"].startswith("#")
                                    and "en:" not in e["title_en"] for e in data["examples"])
    assert set(data["downloads"]) == {"results"}  # only the formats an ASK can be answered in
    assert {f: link["file"] for f, link in data["downloads"]["results"].items()} == {
        "json": "ask-result.srj", "xml": "ask-result.srx", "csv": "ask-result.csv", "tsv": "ask-result.tsv"}
    assert data["share"].startswith("/query?query=")
    graph = client.get("/query?format=json&query=" + quote("DESCRIBE <urn:x>")).get_json()
    assert set(graph["downloads"]) == {"graphs"} and set(graph["downloads"]["graphs"]) == {"turtle", "ntriples", "rdfxml", "jsonld"}


def test_the_editor_is_served_from_this_server(client):
    page = client.get("/query?lang=en")
    html = page.get_data(as_text=True)
    assert "/vendor/yasgui/yasgui.min.js" in html and "https://" not in html.split("<main>")[0]
    with client.get("/vendor/yasgui/yasgui.min.js") as script:
        assert script.status_code == 200 and len(script.data) > 100_000
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    assert client.get("/vendor/yasgui/package.json").status_code == 404


def test_overlaps_page_filters_and_data(client):
    page = client.get("/overlaps?format=json&kind=fragmentation").get_json()
    assert {f["kind"] for f in page["findings"]} == {"fragmentation"}
    dust = [f for f in page["findings"] if f["target"] and f["target"]["label_en"] == "dust"]
    assert {u["label_zh"] for u in dust[0]["units"]} == {"市住房城乡建设局", "市城管局", "市交通运输局"}
    assert all(c["text"] and c["href"].startswith("/duty/") for p in dust[0]["parties"] for c in p["clauses"])
    assert dust[0]["strength"] == {"units": 3, "leading": 3, "clauses": 6} and dust[0]["pairs"]
    assert page["heatmap"]["peak"] > 0 and page["data"].startswith("/overlaps/data.json")
    assert page["downloads"]["csv"] == "/api/overlaps.csv?plan=liaocheng-heavy-pollution-member-duties"
    data = client.get(page["data"]).get_json()
    assert data["network"]["nodes"] and data["collaboration"]["edges"]
    assert all(d in data["duties"] for n in data["network"]["nodes"] for d in n["duties"])
    assert set(data["network"]["layouts"]) == {"wide", "narrow"}
    dusty = client.get("/overlaps?format=json&issue=https://w3id.org/dutygraph/concept/issue/dust").get_json()
    assert dusty["findings"] and len(dusty["findings"]) < len(client.get("/overlaps?format=json").get_json()["findings"])
    assert client.get("/overlaps?kind=nonsense").status_code == 400
    assert client.get("/overlaps?action=https://w3id.org/dutygraph/concept/object/vehicle").status_code == 400


def test_overlaps_heatmap_is_of_parties_in_clusters(client):
    heatmap = client.get("/overlaps?format=json").get_json()["heatmap"]
    names = [r["label_zh"] for r in heatmap["rows"]]
    assert "各县(市、区)人民政府、市属开发区管委会" not in names  # it shares no finding with another unit
    assert all(not c["shared"] for r in heatmap["rows"] for c in r["cells"] if c["self"])
    dust = {"市住房城乡建设局", "市城管局", "市交通运输局"}
    at = [i for i, n in enumerate(names) if n in dust]
    assert at == list(range(at[0], at[0] + 3))  # a cluster sits together


def test_pair_page_lists_shared_findings_and_explains_one_entry(client):
    base = "https://w3id.org/dutygraph/id/unit/liao-cheng-shi/"
    pair = client.get(f"/overlaps/pair?format=json&a={quote(base + 'shi-cheng-guan-ju')}&b={quote(base + 'shi-jiao-tong-yun-shu-ju')}").get_json()
    assert pair["shared"] == 1 and pair["findings"][0]["target"]["label_zh"] == "扬尘"
    sides = pair["findings"][0]["sides"]
    assert [s["units"][0]["label_zh"] for s in sides] == ["市城管局", "市交通运输局"]
    texts = [c["text"] for s in sides for c in s["clauses"]]
    assert len(texts) == len(set(texts))  # D15: each clause once
    row_one = client.get(f"/overlaps/pair?format=json&a={quote(base + 'ge-xian-shi-qu-ren-min-zheng-fu')}"
                         f"&b={quote(base + 'shi-shu-kai-fa-qu-guan-wei-hui')}").get_json()
    assert row_one["same_entry"] and row_one["shared"] == 0


def test_language_switch_sets_a_cookie_and_labels(client):
    response = client.get(f"/unit/{CG}?lang=en")
    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html and "lang=en" in response.headers["Set-Cookie"]
    assert 'title="市城管局"' in html and "Urban Management Bureau" in html
    html = client.get(f"/unit/{CG}").get_data(as_text=True)  # the cookie remembers
    assert '<html lang="en">' in html and ">Search<" in html
    html = client.get(f"/unit/{CG}?lang=zh").get_data(as_text=True)
    assert '<html lang="zh">' in html and ">搜索<" in html and 'title="Liaocheng Municipal Urban Management Bureau"' in html


def test_vis_network_is_served_from_the_pyvis_wheel(client):
    with client.get("/vendor/vis/vis-network.min.js") as response:  # closes the file it streams
        assert response.status_code == 200 and b"vis" in response.data[:2000]


def test_page_paths():
    assert page_path(BASE + "unit/a/b", BASE) == "/unit/a/b"
    assert page_path(BASE + "duty/p/01-02/span", BASE) == "/id/duty/p/01-02/span"
    assert page_path(BASE + "record/p/01", BASE) == "/id/record/p/01"
    assert page_path("https://w3id.org/dutygraph/concept/object/muck-truck", BASE) == "/concept/object/muck-truck"
    assert page_path("https://example.org/x", BASE) is None
    assert page_path(BASE + "unit/<x>", BASE) is None


def test_segments_cover_the_text_and_mark_the_spans():
    pieces = segments("<b>扬尘</b>治理", [[3, 5], [4, 9], [20, 30]])
    assert "".join(p["text"] for p in pieces) == "<b>扬尘</b>治理"
    assert [p["text"] for p in pieces if p["mark"]] == ["扬尘"]


# ------------------------------------------------------------------ document text is text

SCRIPT = "<script>alert(1)</script>"
HOSTILE_PLAN = (
    "聊城市测试应急指挥部 成员单位及职责\n\n序号\t成员单位\t职 责\n"
    f"1\t市公安局\t负责加大对渣土车{SCRIPT}的检查执法力度；会同市城管局负责施工工地扬尘治理工作；完成市指挥部交办的其他工作。\n"
    "2\t市城管局\t负责施工工地扬尘<b>治理</b>工作；配合市公安局检查渣土车。\n"
)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    from web import create_app

    folder = tmp_path_factory.mktemp("hostile")
    plan = folder / "hostile_test-plan.txt"
    plan.write_text(HOSTILE_PLAN, encoding="utf-8")
    settings = Settings.from_env(folder / "home")
    build(settings, [plan])
    app = create_app({"TESTING": True, "SETTINGS": settings})
    yield app.test_client()
    app.extensions["kg_endpoint"].close()


HOSTILE_PAGES = [
    "/ask?q=" + quote("渣土车归谁管？"),
    "/search?q=" + quote("渣土车"),
    "/search?q=script",
    "/unit/liao-cheng-shi/shi-gong-an-ju",
    "/unit/liao-cheng-shi/shi-cheng-guan-ju",
    "/concept/object/muck-truck",
    "/duty/hostile-test-plan/01-01",
    "/duty/hostile-test-plan/02-01",
    "/plan/hostile-test-plan",
    "/overlaps",
    "/overlaps?kind=gap",
    f"/overlaps/pair?a={quote(BASE + 'unit/liao-cheng-shi/shi-gong-an-ju')}&b={quote(BASE + 'unit/liao-cheng-shi/shi-cheng-guan-ju')}",
]


@pytest.mark.parametrize("url", HOSTILE_PAGES)
def test_document_text_renders_as_text(hostile, url):
    response = hostile.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<script>alert" not in html and "<b>治理" not in html
    scripts = Scripts()
    scripts.feed(html)
    assert scripts.inline == []


def test_hostile_text_is_shown_escaped_where_it_appears(hostile):
    html = hostile.get("/duty/hostile-test-plan/01-01").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert SCRIPT in hostile.get("/duty/hostile-test-plan/01-01?format=json").get_json()["text"]
    assert "&lt;b&gt;治理&lt;/b&gt;" in hostile.get("/unit/liao-cheng-shi/shi-cheng-guan-ju").get_data(as_text=True)


def test_snippets_with_anything_but_marks_are_escaped(app):
    from web.pages import snippet

    assert str(snippet('a <mark class="match term0">b</mark> c')) == 'a <mark class="match term0">b</mark> c'
    assert str(snippet("a <mark>b</mark><img src=x onerror=alert(1)>")).startswith("a &lt;mark&gt;")


def test_units_are_listed_a_few_plans_a_page(tmp_path, monkeypatch):
    import kg.service.pages as service_module
    from kg.build.pipeline import build
    from kg.config import Settings
    from kg.service.facade import Service
    from web import create_app

    from .conftest import ROOT, SEED

    settings = Settings.from_env(tmp_path / "home")
    build(settings, [SEED, ROOT / "tests" / "data" / "dev" / "04_panjin_snowstorm.txt"])
    service = Service(settings)
    keys = [p["key"] for p in service.build.manifest["plans"]]
    everyone = service.units()
    by_plan = {key: service.units([key]) for key in keys}
    assert all(by_plan.values()) and sum(map(len, by_plan.values())) == len(everyone)
    assert all(u["plan"] == service.plan_iri(key) for key, units in by_plan.items() for u in units)

    monkeypatch.setattr(service_module, "UNITS_PAGE_PLANS", 1)
    client = create_app({"SETTINGS": settings}).test_client()
    first = client.get("/units?format=json").get_json()

    def bare(units):  # the page's units also carry their page and their plan's short name
        return [{k: u[k] for k in by_plan[keys[0]][0]} for u in units]

    assert first["pages"] == 2 and bare(first["units"]) == by_plan[keys[0]]
    assert bare(client.get("/units?page=2&format=json").get_json()["units"]) == by_plan[keys[1]]
    page = client.get("/units").get_data(as_text=True)
    assert 'href="/units?page=2"' in page and by_plan[keys[0]][0]["label_zh"] in page
    assert by_plan[keys[1]][0]["label_zh"] not in page
    assert client.get("/units?page=3").status_code == 400
    assert client.get("/api/units", query_string={"plan": keys[1]}).get_json()["units"] == by_plan[keys[1]]
    assert client.get("/api/units", query_string={"plan": "nowhere"}).status_code == 400
