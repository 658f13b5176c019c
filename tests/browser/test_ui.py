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


def _editor_value(page, text: str) -> None:
    page.evaluate("text => document.querySelector('.yasqe .CodeMirror').CodeMirror.setValue(text)", text)


def test_editor_runs_examples_and_queries_with_results_in_view(page):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/query?lang=en")
    expect(page.locator(".yasqe .CodeMirror")).to_be_visible()
    expect(page.locator("form#editor")).to_be_hidden()  # YASGUI replaces the plain form
    page.locator(".examples-list a[data-name=duties-per-agency-type]").click()
    first = page.locator(".yasr table tbody tr").first
    expect(first).to_be_visible()
    assert first.bounding_box()["y"] < 900, "the results start below the fold"
    expect(page.locator("#share")).to_have_attribute("href", re.compile(r"^/query\?query="))
    assert "/query?query=" in page.url  # the address follows the query: it can be shared as it is
    # A query typed by hand, run with Ctrl+Enter; this graph's IRIs link to their pages.
    _editor_value(page, "SELECT ?unit WHERE { ?unit a dg:MemberUnit } ORDER BY ?unit LIMIT 3")
    page.locator(".yasqe .CodeMirror textarea").press("Control+Enter")
    expect(page.locator(".yasr table tbody tr")).to_have_count(3)
    expect(page.locator(".yasr table tbody a.iri").first).to_have_attribute("href", re.compile(r"^/unit/"))
    csv = page.locator("#downloads a[data-format=csv]")
    expect(csv).to_have_attribute("href", re.compile(r"^/sparql\?query=.*&format=csv$"))
    expect(csv).to_have_attribute("download", "select-result.csv")
    expect(page.locator("#downloads a[data-format=turtle]")).to_have_count(0)  # not for a SELECT
    _editor_value(page, "CONSTRUCT WHERE { ?d dg:role dg:lead } LIMIT 2")
    expect(page.locator("#downloads a[data-format=turtle]")).to_have_attribute("download", "construct-result.ttl")
    expect(page.locator("#downloads a[data-format=csv]")).to_have_count(0)


def test_editor_shows_why_a_query_failed(page, watch):
    # The endpoint's reason, in the results' place (an empty box before: YASGUI's error display
    # threw on a relative endpoint address).
    page.goto("/query?lang=en")
    _editor_value(page, "SELECT ?x WHERE { ?s ?p ?o } GROUP BY ?s")
    page.locator(".yasqe .CodeMirror textarea").press("Control+Enter")
    expect(page.locator(".yasr .errorResult")).to_contain_text(
        "SPARQL syntax error at line 1, column 41: The SELECT contains a variable that is unbound")
    # The browser logs the 400 itself; nothing else may go wrong on the page.
    assert watch.errors and all("status of 400" in e for e in watch.errors), watch.errors
    watch.errors.clear()


def test_editor_draws_a_chart_and_a_pivot_table(page):
    page.goto("/query?lang=en")
    page.locator(".examples-list a[data-name=lead-units-per-issue]").click()
    expect(page.locator(".yasr table tbody tr").first).to_be_visible()
    page.locator(".yasr .select_chart").click()
    expect(page.locator("svg.dg-chart rect").first).to_be_visible()
    page.locator(".yasr .select_pivot").click()
    expect(page.locator("table.dg-pivot tbody tr").first).to_be_visible()
    page.locator(".dg-pivot-controls select").nth(2).select_option("lead")
    expect(page.locator("table.dg-pivot tbody td").first).to_be_visible()


def test_editor_completes_predeclared_prefixes_and_ontology_terms(page):
    page.goto("/query?lang=en")
    _editor_value(page, "SELECT * WHERE { ?d ")
    page.evaluate("() => { const cm = document.querySelector('.yasqe .CodeMirror').CodeMirror;"
                  " cm.focus(); cm.setCursor(cm.lineCount(), 0); }")
    page.keyboard.type("dg:assig")
    expect(page.locator(".CodeMirror-hints li", has_text="dg:assignedTo")).to_be_visible()
    expect(page.locator(".yasqe .CodeMirror-lint-marker-error, .yasqe .parseErrorIcon")).to_have_count(0)


def test_a_browser_at_the_endpoint_lands_in_the_editor(page):
    page.goto("/sparql?query=" + "ASK%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D")
    expect(page).to_have_url(re.compile(r"/query\?query=ASK"))
    expect(page.locator(".yasr")).to_contain_text(re.compile("true", re.IGNORECASE))


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
