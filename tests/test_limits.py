"""Limits and headers: per-client rate limit (429 + Retry-After), body size (413), security headers,
and a server that follows a rebuild."""

from __future__ import annotations

from dataclasses import replace

import pytest

from web import create_app


@pytest.fixture
def apps():
    made = []
    yield made
    for app in made:
        app.extensions["kg_endpoint"].close()  # the SPARQL worker processes of each app


@pytest.fixture
def make_client(apps):
    def make(settings, **changes):
        app = create_app({"TESTING": True, "SETTINGS": replace(settings, **changes)})
        apps.append(app)
        return app.test_client()

    return make


def test_rate_limit_answers_429_with_retry_after(built, make_client):
    client = make_client(built, rate_limit=5)
    codes = [client.get("/api/units").status_code for _ in range(7)]
    assert codes[:5] == [200] * 5 and codes[5:] == [429, 429]
    response = client.get("/api/units")
    assert int(response.headers["Retry-After"]) >= 1
    assert "too many requests" in response.get_json()["error"]
    assert client.get("/healthz").status_code == 200  # health and pages are not limited
    other = client.get("/api/units", environ_base={"REMOTE_ADDR": "127.0.0.9"})
    assert other.status_code == 200  # the limit is per client


def test_body_size_limit(built, make_client):
    client = make_client(built, max_body=1000)
    response = client.post("/sparql", data={"query": "ASK {}" + " " * 5000})
    assert response.status_code == 413
    assert client.post("/sparql", data={"query": "ASK {}"}).status_code == 200


def test_security_headers_on_every_answer(client):
    for path in ("/healthz", "/api/units", "/sparql?query=ASK%7B%7D", "/", "/nowhere"):
        headers = client.get(path).headers
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path
        assert headers["X-Frame-Options"] == "DENY", path


def test_server_follows_a_rebuild(home, other_plan, make_client):
    from kg.build.pipeline import build

    build(home)
    client = make_client(home)
    assert len(client.get("/api/units").get_json()["units"]) == 18
    build(home, [other_plan])
    assert len(client.get("/api/units").get_json()["units"]) == 1
