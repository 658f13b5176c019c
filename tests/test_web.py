"""The app factory, health check and units API."""

from __future__ import annotations

from web import create_app


def test_healthz_reports_the_build(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["built"] is True
    assert body["plans"] == ["liaocheng-heavy-pollution-member-duties"]
    assert body["triples"] > 1000


def test_healthz_on_an_empty_home(home):
    client = create_app({"TESTING": True, "SETTINGS": home}).test_client()
    body = client.get("/healthz").get_json()
    assert body["status"] == "empty" and body["built"] is False


def test_units_api_matches_the_cli_contract(client):
    units = client.get("/api/units").get_json()["units"]
    assert len(units) == 18
    assert {"iri", "label_zh", "label_en", "agency_type", "duties", "plan"} <= set(units[0])


def test_unbuilt_api_answers_503_with_a_message(home):
    client = create_app({"TESTING": True, "SETTINGS": home}).test_client()
    response = client.get("/api/units")
    assert response.status_code == 503
    assert "kg build" in response.get_json()["error"]


def test_security_headers(client):
    response = client.get("/healthz")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
