"""The web UI in headless Chromium: ask, search with a facet, unit → concept → duty, the SPARQL
editor, the language switch, the /overlaps pictures, and no console error or outside request on
any page (the ``page`` fixture checks both after every test)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

DUST_UNITS = ("市住房城乡建设局", "市城管局", "市交通运输局")


def test_ask_flow(page):
    page.goto("/?lang=zh")
    box = page.locator("input[name=q]")
    box.fill("who handles construction dust?")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/ask\?q="))
    answers = page.locator("ol.answers > li")
    for unit in DUST_UNITS:
        card = answers.filter(has_text=unit)
        expect(card).to_have_count(1)
        expect(card.locator("ul.evidence li mark").first).to_be_visible()
    expect(page.locator(".understood-concepts a.chip")).to_contain_text(["施工扬尘"])
    page.locator("details.sparql summary").click()
    expect(page.locator("details.sparql pre")).to_contain_text("SELECT")


def test_ask_nothing_is_honest(page):
    page.goto("/ask?q=who+feeds+the+pandas%3F&lang=en")
    expect(page.locator(".no-answer")).to_contain_text("does not answer")


def test_search_with_a_facet_and_autocomplete(page):
    page.goto("/search?lang=zh")
    box = page.locator("input[name=q]")
    box.press_sequentially("渣土")
    expect(page.locator("#search-suggestions option").first).to_have_attribute("value", re.compile("渣土"))
    box.fill("扬尘")
    box.press("Enter")
    total = page.locator("p.total").inner_text()
    expect(page.locator("p.snippet mark").first).to_be_visible()
    page.locator("[data-facet=kind] a", has_text="职责").first.click()
    page.wait_for_url(re.compile(r"kind=duty"))
    expect(page.locator(".active-filter")).to_contain_text("职责")
    assert page.locator("p.total").inner_text() != total
    expect(page.locator("li.hit").first).to_be_visible()


def test_unit_concept_duty_navigation(page):
    page.goto("/units?lang=zh")
    page.get_by_role("link", name="市城管局", exact=True).click()
    expect(page.locator("h1")).to_contain_text("市城管局")
    expect(page.locator(".overlaps-with li").first).to_be_visible()
    page.locator("a.chip-issue", has_text="施工扬尘").first.click()
    expect(page.locator("h1")).to_contain_text("施工扬尘")
    expect(page.locator(".units-involved")).to_contain_text("市住房城乡建设局")
    page.locator("ul.duties a.clause").first.click()
    expect(page).to_have_url(re.compile(r"/duty/"))
    expect(page.locator("blockquote.record mark")).to_have_count(1)
    expect(page.locator("dl.provenance")).to_contain_text(".txt")


def test_editor_query(page):
    page.goto("/query?lang=en")
    page.locator(".examples-list a").first.click()
    expect(page.locator("table.results-table tbody tr").first).to_be_visible()
    expect(page.locator("#share")).to_have_attribute("href", re.compile(r"^/query\?query="))
    page.locator("textarea[name=query]").fill(
        "SELECT ?unit WHERE { ?unit a dg:MemberUnit } ORDER BY ?unit LIMIT 3")
    page.locator("form#editor button[type=submit]").click()
    rows = page.locator("table.results-table tbody tr")
    expect(rows).to_have_count(3)
    link = rows.first.locator("a.iri")
    expect(link).to_have_attribute("href", re.compile(r"^/unit/"))
    expect(page.locator(".downloads a", has_text="csv")).to_have_attribute("href", re.compile(r"^/sparql\?query=.*format=csv"))


def test_language_switch(page):
    page.goto("/units?lang=zh")
    expect(page.locator("html")).to_have_attribute("lang", "zh")
    page.locator("#lang-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("header nav")).to_contain_text("Search")
    expect(page.locator("table.units")).to_contain_text("Urban Management Bureau")
    page.goto("/")  # the choice is remembered
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("header nav")).to_contain_text("Overlaps")


def test_overlaps_pictures(page):
    page.goto("/overlaps?lang=en")
    for picture in ("#network", "#collaboration"):
        expect(page.locator(f"{picture} canvas")).to_have_count(1)
        expect(page.locator(picture)).to_have_attribute("data-nodes", re.compile(r"^[1-9]\d*$"))
    page.locator("#network").scroll_into_view_if_needed()  # the findings come first
    canvas = page.locator("#network canvas").bounding_box()
    assert canvas["width"] > 200 and canvas["height"] > 200
    expect(page.locator("#network")).to_have_attribute("data-stable", "true")
    unit = "https://w3id.org/dutygraph/id/unit/liao-cheng-shi/shi-cheng-guan-ju"
    spot = page.evaluate("""(id) => { const n = window.dutygraphNetworks.network;
        n.moveTo({position: n.getPositions([id])[id], scale: 1.5, animation: false});
        return n.canvasToDOM(n.getPositions([id])[id]); }""", unit)
    page.mouse.click(canvas["x"] + spot["x"], canvas["y"] + spot["y"])
    expect(page.locator("#network-duties h3")).to_contain_text("Urban Management Bureau")
    expect(page.locator("#network-duties a.clause").first).to_be_visible()
    cells = page.locator("table.heatmap td a")
    assert cells.count() > 10
    expect(page.locator(".findings")).to_contain_text("vehicle emissions")
    cells.first.click()
    expect(page).to_have_url(re.compile(r"/overlaps/pair\?"))
    expect(page.locator(".pair-target a.clause").first).to_be_visible()


def test_every_page_quiet(page):
    """No console error, no outside request on any page (checked by the fixture)."""
    for path in ("/", "/?lang=en", "/search?q=成品油", "/units", "/unit/liao-cheng-shi/shi-gong-an-ju",
                 "/concept/object/muck-truck", "/duty/liaocheng-heavy-pollution-member-duties/06-02",
                 "/plan/liaocheng-heavy-pollution-member-duties", "/query", "/overlaps?kind=duplication",
                 "/id/plan/liaocheng-heavy-pollution-member-duties", "/compare"):
        response = page.goto(path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
