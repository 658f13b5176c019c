"""/overlaps in Chromium at 1280×900 and 390×844, over the seed (one plan) and over seven plans: the
page opens on one plan and says how to change it, every finding has its clauses and links, the
pictures are the same on every reload, no label lies on another and labels are at a readable size at
the zoom the page opens with, and the mouse wheel scrolls the page until the picture is clicked.
A screenshot of each is written to $KG_SCREENSHOTS (or the test's temporary folder)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
READABLE = 0.85  # the least zoom at which a 14 px label is still a 12 px label


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("KG_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _open(browser, base: str, path: str, size: str, watch, bypass_csp: bool = False):
    context = browser.new_context(base_url=base, viewport=SIZES[size], locale="zh-CN", bypass_csp=bypass_csp,
                                  is_mobile=size == "phone", has_touch=size == "phone")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.errors.append(str(e)))
    page.goto(path)
    expect(page.locator("#network")).to_have_attribute("data-stable", "true")
    expect(page.locator("#collaboration")).to_have_attribute("data-stable", "true")
    return context, page


NODE_BOXES = """(id) => { const n = window.dutygraphNetworks[id]; if (!n) return [];
    return Object.keys(n.getPositions()).map(k => n.getBoundingBox(k)); }"""


def _no_label_on_another(page, picture: str) -> int:
    boxes = page.evaluate(NODE_BOXES, picture)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = a["right"] <= b["left"] or b["right"] <= a["left"] or a["bottom"] <= b["top"] or b["bottom"] <= a["top"]
            assert apart, (picture, a, b)
    return len(boxes)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("build", ["one-plan", "seven-plans"])
def test_overlaps_page(browser, live_server, seven_server, watch, shots, size, build):
    base = live_server if build == "one-plan" else seven_server
    context, page = _open(browser, base, "/overlaps", size, watch)
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]  # nothing overflows
        scope = page.locator("#scope")
        expect(scope).to_contain_text("聊城市重污染天气应急指挥部成员单位及职责")
        if build == "seven-plans":
            expect(scope).to_contain_text("7 个预案")
            expect(scope).to_contain_text("选择另一个")
            expect(page.locator("select[name=plan] option")).to_have_count(7)
        findings = page.locator("li.finding")
        expect(findings).to_have_count(7)
        first = findings.first
        expect(first.locator(".strength")).to_contain_text(re.compile(r"\d+ 个单位，\d+ 个牵头，\d+ 条条款"))
        expect(first.locator("a.clause").first).to_be_visible()
        expect(first.locator(".pairs a").first).to_have_attribute("href", re.compile(r"^/overlaps/pair\?"))
        for fmt in ("CSV", "GraphML", "GEXF"):
            expect(page.locator(".downloads a", has_text=fmt)).to_have_attribute("href", re.compile(r"^/api/overlaps\."))
        for picture in ("network", "collaboration"):
            assert float(page.locator(f"#{picture}").get_attribute("data-scale")) >= READABLE
            assert _no_label_on_another(page, picture) > 3
        page.screenshot(path=str(shots / f"overlaps-{build}-{size}.png"), full_page=True)
    finally:
        context.close()
    assert watch.errors == []


def test_the_same_picture_on_every_reload(browser, seven_server, watch):
    context, page = _open(browser, seven_server, "/overlaps?plan=15-yueyang-special-equipment-accident", "desktop", watch)
    try:
        first = page.evaluate("window.dutygraphNetworks.network.getPositions()")
        page.reload()
        expect(page.locator("#network")).to_have_attribute("data-stable", "true")
        assert page.evaluate("window.dutygraphNetworks.network.getPositions()") == first
    finally:
        context.close()


def test_the_wheel_scrolls_the_page_until_the_picture_is_clicked(browser, live_server, watch):
    # page.wait_for_function evaluates its predicate, which the pages' Content-Security-Policy forbids
    context, page = _open(browser, live_server, "/overlaps", "desktop", watch, bypass_csp=True)
    try:
        picture = page.locator("#network")
        picture.scroll_into_view_if_needed()
        spot = picture.bounding_box()
        page.mouse.move(spot["x"] + spot["width"] / 2, spot["y"] + spot["height"] / 2)
        scale = page.evaluate("window.dutygraphNetworks.network.getScale()")
        before = page.evaluate("window.scrollY")
        page.mouse.wheel(0, 300)
        page.wait_for_function(f"window.scrollY > {before}")
        assert page.evaluate("window.dutygraphNetworks.network.getScale()") == scale
        picture.click(position={"x": 5, "y": 5})  # an empty corner: focus, no node
        expect(picture).to_have_class(re.compile(r"\bactive\b"))
        spot = picture.bounding_box()
        page.mouse.move(spot["x"] + spot["width"] / 2, spot["y"] + spot["height"] / 2)
        scrolled = page.evaluate("window.scrollY")
        page.mouse.wheel(0, -300)
        page.wait_for_function(f"window.dutygraphNetworks.network.getScale() > {scale}")
        assert page.evaluate("window.scrollY") == scrolled
    finally:
        context.close()


def test_a_pair_of_units_of_different_plans_is_explained(browser, seven_server, watch):
    base = "https://w3id.org/dutygraph/id/unit/"
    context = browser.new_context(base_url=seven_server, viewport=SIZES["desktop"])
    page = context.new_page()
    try:
        page.goto(f"/overlaps/pair?a={base}liao-cheng-shi/shi-gong-an-ju&b={base}shen-yang-shi/shi-gong-an-ju")
        expect(page.locator("#different-plans")).to_contain_text("属于不同的预案")
        expect(page.locator("#different-plans")).to_contain_text("沈阳市森林火灾应急预案")
        expect(page.locator("#different-plans a", has_text="对比")).to_have_attribute("href", re.compile(r"^/compare\?a="))
    finally:
        context.close()
