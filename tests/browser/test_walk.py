"""The first hour walked in Chromium (#23): seven plans (`kg build data/plans tests/data/dev`), every
page of the review, desktop (1280×900) and phone (390×844), in Chinese and English. On every page:
no console error, no request off the server, no page wider than the phone; every link on every page
answers (no 404, no 5xx). Then the review's broken steps that live in the browser: the search's
clear-filter link (D1), hidden facet values (D30) and results before facets on a phone (D25).

``KG_SCREENSHOTS=DIR`` also saves a screenshot of every page walked (not needed by the test)."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import urljoin, urlsplit
from urllib.request import Request, urlopen

import pytest
from playwright.sync_api import expect

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SHENYANG = "10-shenyang-forest-fire"
LIAOCHENG = "liaocheng-heavy-pollution-member-duties"
# The review's pages (REPORT.md, "Page by page"), with seven plans.
PAGES = [
    "/", "/ask?q=谁负责天气预报", "/ask?q=工地扬尘归谁管？", "/ask?q=谁管猫？", "/ask?q=谁负责天气预报&place=聊城市",
    "/search?q=扬尘", "/search?q=公安局", "/search?q=扬尘&kind=duty", "/search?q=dsut", f"/search?q=公安局&plan={SHENYANG}",
    "/units", "/units?type=snowstorm", "/plans", "/plans?sort=duties",
    f"/plan/{LIAOCHENG}", "/unit/liao-cheng-shi/shi-gong-an-ju", "/duty/liaocheng-heavy-pollution-member-duties/06-02",
    "/concept/", "/concept/issue", "/concept/issue/dust", "/compare", "/compare?a=03-huludao-snowstorm&b=04-panjin-snowstorm",
    "/overlaps", f"/overlaps?plan={SHENYANG}", "/query", "/id/", "/id/unit/liao-cheng-shi/shi-gong-an-ju",
    "/unit/liao-cheng-shi/nope", "/compare?a=x&b=y",
]
def _status(url: str) -> int:
    try:
        with urlopen(Request(url, headers={"Accept": "text/html"}), timeout=60) as response:
            response.read()
            return response.status
    except HTTPError as exc:
        return exc.code


class Walk:
    def __init__(self, base: str):
        self.base = base
        self.host = urlsplit(base).netloc
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.widths: dict[str, int] = {}
        self.links: set[str] = set()
        self.pages = 0


def _walk(browser, base: str, viewport: dict, lang: str, walk: Walk, shots: Path | None) -> None:
    context = browser.new_context(base_url=base, viewport=viewport, locale="zh-CN" if lang == "zh" else "en-US")
    page = context.new_page()
    page.set_default_timeout(20_000)

    def guard(route):
        parts = urlsplit(route.request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != walk.host:
            walk.outside.append(route.request.url)
            return route.abort()
        return route.continue_()

    page.route("**/*", guard)
    page.on("console", lambda m: walk.errors.append(f"{page.url}: {m.text}") if m.type == "error"
            and "status of 4" not in m.text else None)  # the error pages' own 404/400 status is not a fault
    page.on("pageerror", lambda e: walk.errors.append(f"{page.url}: {e}"))
    for number, path in enumerate(PAGES):
        url = path + ("&" if "?" in path else "?") + f"lang={lang}"
        response = page.goto(url, wait_until="networkidle")
        failed = response.status >= 400  # the walk's error pages: their language switch is the same error
        walk.pages += 1
        walk.widths[f"{viewport['width']} {url}"] = page.evaluate("document.documentElement.scrollWidth")
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            absolute = urljoin(base + url, href)
            if urlsplit(absolute).netloc == walk.host and urlsplit(absolute).scheme.startswith("http"):
                if failed and urlsplit(absolute).path == urlsplit(base + url).path:
                    continue
                walk.links.add(absolute.split("#")[0])
        if shots is not None:
            name = f"{number:02d}-{viewport['width']}-{lang}-{path.strip('/').replace('/', '_').replace('?', '_')[:50] or 'home'}.png"
            page.screenshot(path=str(shots / name), full_page=viewport == PHONE)
    context.close()


@pytest.fixture(scope="module")
def walked(browser, seven_server) -> Walk:
    shots = os.environ.get("KG_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
    walk = Walk(seven_server)
    for viewport in (DESKTOP, PHONE):
        for lang in ("zh", "en"):
            _walk(browser, seven_server, viewport, lang, walk, Path(shots) if shots else None)
    return walk


def test_walk_quiet_and_local(walked):
    assert walked.pages == 4 * len(PAGES)
    assert walked.outside == [], f"requests left the server: {walked.outside[:5]}"
    assert walked.errors == [], f"console errors: {walked.errors[:5]}"


def test_walk_no_page_wider_than_a_phone(walked):
    phone = {k: v for k, v in walked.widths.items() if k.startswith("390 ")}
    too_wide = {k: v for k, v in phone.items() if v > PHONE["width"]}
    assert not too_wide, too_wide
    desktop = {k: v for k, v in walked.widths.items() if k.startswith("1280 ")}
    assert max(desktop.values()) <= DESKTOP["width"], desktop
    print(f"\nwalk: {walked.pages} pages, widest phone page {max(phone.values())} px, {len(walked.links)} links")


def test_walk_every_link_answers(walked):
    with ThreadPoolExecutor(4) as pool:
        statuses = dict(zip(sorted(walked.links), pool.map(_status, sorted(walked.links))))
    broken = {url: code for url, code in statuses.items() if code == 404 or code >= 500}
    assert len(statuses) > 300
    assert not broken, f"{len(broken)} of {len(statuses)} links broken: {list(broken.items())[:10]}"
    print(f"\nlinks followed: {len(statuses)}, answers: {sorted(set(statuses.values()))}")


@pytest.fixture
def phone_page(browser, seven_server):
    context = browser.new_context(base_url=seven_server, viewport=PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()
    assert errors == []


@pytest.fixture
def desktop_page(browser, seven_server):
    context = browser.new_context(base_url=seven_server, viewport=DESKTOP)
    page = context.new_page()
    yield page
    context.close()


def test_d1_clear_filter_in_the_browser(desktop_page):
    page = desktop_page
    page.goto("/search?q=扬尘&lang=zh")
    total = page.locator("p.total").inner_text()
    page.locator("[data-facet=kind] a", has_text="职责").first.click()
    expect(page.locator(".active-filter")).to_contain_text("职责")
    with page.expect_navigation() as nav:
        page.locator(".active-filter a.remove").first.click()
    assert nav.value.status == 200
    expect(page.locator("p.total")).to_have_text(total)
    expect(page.locator(".active-filter")).to_have_count(0)


def test_d30_show_every_facet_value(desktop_page):
    page = desktop_page
    page.goto("/search?q=负责&lang=zh")
    units = page.locator("[data-facet=unit] li")
    before = units.count()
    page.locator("[data-facet=unit] a.more-values").click()
    page.wait_for_url("**more=unit**")
    assert units.count() > before
    page.locator("[data-facet=unit] a.more-values", has_text="收起").click()
    expect(units).to_have_count(before)


def test_d25_phone_results_before_facets_and_one_row_of_nav(phone_page):
    page = phone_page
    page.goto("/search?q=扬尘&lang=zh")
    first_hit = page.locator("li.hit").first.bounding_box()
    facets = page.locator("aside.facets").bounding_box()
    assert first_hit["y"] < facets["y"] and first_hit["y"] < PHONE["height"]
    nav = page.locator("header.site nav").bounding_box()
    header = page.locator("header.site").bounding_box()
    assert header["height"] < 110 and nav["height"] < 50  # brand and language, then one row of links
    for path in ("/compare?a=03-huludao-snowstorm&b=04-panjin-snowstorm", "/id/unit/liao-cheng-shi/shi-gong-an-ju"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
