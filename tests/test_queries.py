"""Every example query in ontology/queries/ says what it asks and answers it on the seed."""

from __future__ import annotations

import json

import pytest

from kg.config import ROOT

QUERIES = sorted((ROOT / "ontology" / "queries").glob("*.rq"))


def test_there_are_at_least_twelve():
    assert len(QUERIES) >= 12


@pytest.mark.parametrize("path", QUERIES, ids=[p.stem for p in QUERIES])
def test_query_answers_on_the_seed(client, path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# ") and "?" in text.splitlines()[0] + text.splitlines()[1], "open with the question"
    response = client.post("/sparql", data=text.encode(), content_type="application/sparql-query")
    assert response.status_code == 200, response.data
    rows = json.loads(response.data)["results"]["bindings"]
    assert rows, f"{path.name} returned no rows on the seed"


def test_every_query_is_in_the_readme():
    readme = (ROOT / "ontology" / "queries" / "README.md").read_text(encoding="utf-8")
    for path in QUERIES:
        assert f"`{path.name}`" in readme
