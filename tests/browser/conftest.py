"""Browser fixtures: one real server over the session's data home, one Debian chromium per session
(driven by Playwright, never `playwright install`), and pages that refuse every request leaving
the server and remember console errors; a test fails when either happened.

These tests fail, not skip, when chromium is missing: `make test` installs it (as root)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from ..servers import close_app, serve

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


@contextmanager
def served(settings) -> Iterator[str]:
    """The web app over ``settings`` served by werkzeug on 127.0.0.1 (a free port) in a thread."""
    from web import create_app

    app = create_app({"SETTINGS": settings})
    try:
        with serve(app) as url:
            yield url
    finally:
        close_app(app)


@pytest.fixture(scope="session")
def live_server(built):
    """The session's data home (the seed) served."""
    with served(built) as url:
        yield url


@pytest.fixture(scope="session")
def seven_server(seven):
    """Seven plans (`kg build data/plans tests/data/dev`, the review's) served."""
    with served(seven) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install chromium (make test does it as root)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


class Watch:
    """What a page did that it should not: requests off the server, console errors, page errors."""

    def __init__(self):
        self.outside: list[str] = []
        self.errors: list[str] = []


@pytest.fixture
def watch():
    return Watch()


@pytest.fixture
def page(browser, live_server, watch):
    host = urlsplit(live_server).netloc
    context = browser.new_context(base_url=live_server, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)

    def guard(route):
        url = route.request.url
        if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).netloc != host:
            watch.outside.append(url)
            return route.abort()
        return route.continue_()

    page.route("**/*", guard)
    page.on("console", lambda m: watch.errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: watch.errors.append(f"{page.url}: {e}"))
    yield page
    context.close()
    assert watch.outside == [], f"requests left the server: {watch.outside}"
    assert watch.errors == [], f"console errors: {watch.errors}"
