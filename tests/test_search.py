"""Keyword search: index built with the graph, highlights, facets, paging, hostile input."""

from __future__ import annotations

import pytest

from kg.build.pipeline import build
from kg.errors import BadRequest
from kg.service.facade import Service
from kg.stores.local import DataHome


def test_chinese_words_find_duties(service):
    results = service.search("扬尘", {"kind": "duty"})
    assert results["total"] == 4
    assert all("<mark" in h["snippet"] and "扬尘" in h["text"] for h in results["hits"])


def test_english_words_find_concepts_and_units(service):
    results = service.search("public security")
    kinds = {h["kind"] for h in results["hits"]}
    assert "unit" in kinds
    assert any(h["title_zh"] == "市公安局" for h in results["hits"])


def test_facets_count_and_filter(service):
    results = service.search("重污染天气")
    assert results["facets"]["kind"]["duty"] >= 10
    police = next(u for u in service.units() if u["label_zh"] == "市公安局")["iri"]
    filtered = service.search("重污染天气", {"unit": police, "kind": "duty"})
    assert 0 < filtered["total"] < results["facets"]["kind"]["duty"]
    assert all(police in h["unit"] for h in filtered["hits"])


def test_facet_values_are_the_most_frequent_and_keep_the_chosen_one(service, client):
    everything = service.search("工作", facet_limit=1000)
    units = everything["facets"]["unit"]
    assert everything["facet_sizes"]["unit"] == len(units) > 3
    top = service.search("工作", facet_limit=3)
    assert list(top["facets"]["unit"].items()) == list(units.items())[:3]  # by count, then value
    assert top["facet_sizes"] == everything["facet_sizes"] and top["total"] == everything["total"]
    # a chosen filter value is always listed, even where a value of the same count sorts first
    actions = everything["facets"]["action"]
    tied = [a for a in actions if next(iter(service.search("工作", {"action": a}, facet_limit=1000)["facets"]["action"])) != a]
    assert tied
    for action in tied:
        assert action in service.search("工作", {"action": action}, facet_limit=1)["facets"]["action"]
    body = client.get("/api/search", query_string={"q": "工作", "facet_limit": 2}).get_json()
    assert all(len(values) <= 2 for values in body["facets"].values()) and body["facet_sizes"]["unit"] > 2
    for bad in ("0", "1001", "many"):
        response = client.get("/api/search", query_string={"q": "工作", "facet_limit": bad})
        assert response.status_code == 400 and "facet_limit" in response.get_json()["error"]


def test_facet_counts_are_whooshs_own_grouping(service):
    """kg/search/facets.py counts what whoosh's ``groupedby`` counts, value by value, for every facet."""
    from whoosh import sorting

    from kg.search.searcher import FACETS

    searcher = service.searcher
    for text in ("工作", "扬尘", "车辆 OR 企业"):
        answer = service.search(text, facet_limit=1000)
        with searcher.reading() as reading:
            facets = {name: sorting.FieldFacet(name, allow_overlap=True, maptype=sorting.Count) for name in FACETS}
            results = reading.search(searcher._parse(text), groupedby=facets, limit=None)
            assert len(results) == answer["total"] > 0
            for name in FACETS:
                expected = {value: n for value, n in results.groups(name).items() if value not in ("", None)}
                assert answer["facets"][name] == expected, (text, name)
                assert answer["facet_sizes"][name] == len(expected)


def test_warming_reads_the_most_frequent_terms_and_changes_no_answer(service):
    """A warmed searcher holds the postings of the most frequent terms, scored, and answers as a
    searcher that read them on demand."""
    from kg.search.searcher import INDEX_DIR, TEXT_FIELDS, Searcher

    index = service.build.path / INDEX_DIR
    cold = Searcher(index, service.thesaurus)
    warmed = Searcher(index, service.thesaurus)
    budget = 400
    with warmed.reading() as reading:
        held = warmed._postings.warm(reading, TEXT_FIELDS, warmed._lengths, budget)
        frequencies = sorted(((info.doc_frequency(), field, term) for field in TEXT_FIELDS
                              for term, info in reading.reader().iter_field(field)), reverse=True)
    memo = warmed._postings._memo
    assert 0 < held <= budget and sum(len(entry[0]) for entry in memo.values()) == held
    assert all(entry[2] is not None for entry in memo.values())  # scored, not only decoded
    most = frequencies[0]
    assert (most[1], most[2].decode()) in memo and next(reversed(memo)) == (most[1], most[2].decode())
    for text in ("工作", "扬尘", "public security", "应急 NOT 车辆"):
        assert warmed.search(text) == cold.search(text)


def test_paging(service):
    first = service.search("工作", per_page=3)
    second = service.search("工作", page=2, per_page=3)
    assert first["pages"] >= 2 and len(first["hits"]) == 3
    assert {h["iri"] for h in first["hits"]}.isdisjoint({h["iri"] for h in second["hits"]})
    beyond = service.search("工作", page=first["pages"] + 1, per_page=3)
    assert beyond["hits"] == [] and beyond["total"] == first["total"]  # not the last page again


def test_snippets_escape_document_text(service):
    for hit in service.search("市").get("hits", []):
        assert "<script" not in hit["snippet"]


@pytest.mark.parametrize(
    "text",
    ["", "x" * 100_000, "(" * 1000 + "扬尘" + ")" * 1000, "AND OR NOT", '"unclosed', "title_zh:", "*"],
)
def test_absurd_input_is_a_clear_error_or_an_answer(service, text):
    try:
        results = service.search(text)
    except BadRequest as exc:
        assert str(exc)
    else:
        assert results["total"] >= 0


@pytest.mark.parametrize("text", ["x" * 100_000, "(" * 1000 + "a" + ")" * 1000])
def test_api_answers_400_for_absurd_input(client, text):
    response = client.get("/api/search", query_string={"q": text})
    assert response.status_code == 400
    assert response.get_json()["error"]


def test_api_search_and_suggest(client):
    body = client.get("/api/search", query_string={"q": "渣土车", "per_page": 5}).get_json()
    assert body["total"] >= 1 and body["per_page"] == 5
    suggestions = client.get("/api/suggest", query_string={"q": "dump"}).get_json()["suggestions"]
    assert {"label": "dump truck", "preferred": "muck truck"}.items() <= suggestions[0].items()
    assert suggestions[0]["synonym"] is True


def test_suggest_chinese(service):
    labels = [s["label"] for s in service.suggest("渣土")]
    assert "渣土车" in labels


def test_index_is_swapped_with_the_graph(home, other_plan):
    build(home)
    first = DataHome(home.home).current()
    build(home, [other_plan])
    current = DataHome(home.home).current()
    assert current != first and (current.path / "index").is_dir()
    assert Service(home).search("扬尘", {"kind": "duty"})["total"] == 0
    assert Service(home).search("交通管制", {"kind": "duty"})["total"] == 1


def test_match_function_inside_sparql(service):
    query = """SELECT ?text WHERE { ?d a dg:Duty ; dg:text ?text .
               FILTER(<https://w3id.org/dutygraph/fn#match>(?text, "扬尘")) }"""
    import json

    rows = json.loads(service.sparql(query)[0])["results"]["bindings"]
    assert len(rows) == 4


def test_match_function_through_the_endpoint(client):
    query = 'SELECT ?text WHERE { ?d a dg:Duty ; dg:text ?text . FILTER(kgfn:match(?text, "渣土车")) }'
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.data
    rows = response.get_json()["results"]["bindings"]
    assert [r["text"]["value"] for r in rows] == ["加大对渣土车、砂石车等违反规定上路行驶车辆的检查执法力度"]


def test_the_index_and_the_duty_table_read_one_segmentation_of_a_clause():
    """The search index's analyzer and the duty table's words (ask) come from one width-folded
    segmentation of a clause: full-width "ＰＭ２．５" is indexed as pm2.5 (it was left out), and every
    word the duty table holds is a token of the index."""
    from kg.text import chinese_analyzer, content_words, search_words

    text = "加强ＰＭ２．５和施工工地扬尘监测，"
    tokens = [t.text for t in chinese_analyzer()(text)]
    assert "pm2.5" in tokens and "工地" in tokens and "扬尘" in tokens
    assert set(content_words(text)) <= set(tokens)
    assert search_words("施工工地扬尘") is search_words("施工工地扬尘")  # segmented once
