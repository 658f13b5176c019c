"""One real server (werkzeug, threaded) over the seed with a 2 s query timeout and writes enabled by
a token, shared by the hostile cases; each case's status and time are collected and printed at the
end of the run, for the record."""

from __future__ import annotations

import pytest

from tests.servers import close_app, copy_settings, serve

TIMEOUT = 2.0
TOKEN = "adversarial-token"
RESULTS: list[tuple[str, int | str, float]] = []


@pytest.fixture(scope="session")
def hostile_server(built, tmp_path_factory):
    from web import create_app

    settings = copy_settings(built, tmp_path_factory.mktemp("hostile"), query_timeout=TIMEOUT, update_token=TOKEN,
                             rate_limit=0)
    app = create_app({"TESTING": True, "SETTINGS": settings})
    with serve(app) as base:
        yield base
    close_app(app)


def pytest_terminal_summary(terminalreporter):
    if RESULTS:
        terminalreporter.write_line("hostile cases (status, seconds):")
        for name, status, seconds in RESULTS:
            terminalreporter.write_line(f"  {name:<40} {status!s:>5} {seconds:7.3f}")
