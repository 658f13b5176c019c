"""The ``kg`` command through click's runner: contracts from DESIGN.md, one-line errors."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest
from rdflib import Graph

from kg.cli import main

COMMANDS = ["build", "units", "sparql", "validate", "export", "eval", "serve"]


def run(runner, settings, *args):
    return runner.invoke(main, ["--home", str(settings.home), *args], catch_exceptions=False)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(runner, command):
    result = runner.invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_build_then_units_json(runner, home):
    result = run(runner, home, "build")
    assert result.exit_code == 0, result.output
    assert "18 units" in result.output
    units = json.loads(run(runner, home, "units", "--json").output)["units"]
    assert len(units) == 18
    for unit in units:
        assert set(unit) >= {"iri", "label_zh", "label_en", "agency_type", "duties", "plan"}
        assert unit["iri"].isascii()
        assert unit["label_zh"] and unit["label_en"].isascii() and unit["agency_type"]
        assert unit["duties"] >= 1
    by_name = {u["label_zh"]: u for u in units}
    assert by_name["市公安局"]["label_en"] == "Liaocheng Municipal Public Security Bureau"
    assert by_name["国网聊城供电公司"]["label_en"] == "State Grid Liaocheng Power Supply Company"
    assert {"各县(市、区)人民政府", "市属开发区管委会"} <= set(by_name)


def test_validate_conforms(runner, built):
    result = run(runner, built, "validate")
    assert result.exit_code == 0, result.output
    assert "conforms" in result.output


def test_validate_fails_on_a_broken_graph(runner, home, monkeypatch):
    from kg.models import Unit

    def no_type(name, plan, thesaurus):
        return Unit(name=name, label_en="x", agency_type=None)

    monkeypatch.setattr("kg.extraction.duties.make_unit", no_type)
    run(runner, home, "build")
    result = run(runner, home, "validate", "--json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["conforms"] is False
    assert any("agencyType" in v["path"] for v in report["violations"])


@pytest.mark.parametrize("fmt", ["ttl", "nt", "nq", "trig", "jsonld"])
def test_export_formats_parse(runner, built, fmt):
    result = run(runner, built, "export", "--format", fmt)
    assert result.exit_code == 0
    quads = list(ox.parse(result.stdout_bytes, format=ox.RdfFormat.from_extension(fmt)))
    graphs = {str(q.graph_name) for q in quads}
    assert len(quads) > 1000
    if fmt in ("nq", "trig", "jsonld"):  # the named graphs survive: plan, its units, ontology, thesaurus, summaries
        assert {g.rsplit("/graph/", 1)[1].split("/")[0] for g in graphs} == {
            "liaocheng-heavy-pollution-member-duties>", "units", "ontology>", "thesaurus>", "summaries>"}, graphs


def test_export_to_file(runner, built, tmp_path):
    target = tmp_path / "all.ttl"
    assert run(runner, built, "export", "-o", str(target)).exit_code == 0
    assert len(Graph().parse(target, format="turtle")) > 1000


QUERY = "SELECT ?zh WHERE { ?u a dg:MemberUnit ; skos:prefLabel ?zh . FILTER(LANG(?zh) = 'zh') } ORDER BY ?zh"


def test_sparql_json_and_csv(runner, built):
    rows = json.loads(run(runner, built, "sparql", QUERY).output)["results"]["bindings"]
    assert len(rows) == 18
    table = list(csv.reader(io.StringIO(run(runner, built, "sparql", QUERY, "--format", "csv").output)))
    assert table[0] == ["zh"] and len(table) == 19


def test_sparql_from_file_and_construct(runner, built, tmp_path):
    query = tmp_path / "q.rq"
    query.write_text("CONSTRUCT { ?d dg:role ?r } WHERE { ?d dg:role ?r }", encoding="utf-8")
    result = run(runner, built, "sparql", str(query), "--format", "turtle")
    assert len(Graph().parse(data=result.output, format="turtle")) > 50


@pytest.mark.parametrize(
    "args, message",
    [
        (["sparql", "SELECT WHERE {"], "SPARQL syntax error"),
        (["sparql", "ASK {}", "--format", "turtle"], "not one for results"),
        (["build", "/no/such/plan.txt"], "no such file"),
    ],
)
def test_errors_are_one_line(runner, built, args, message):
    result = runner.invoke(main, ["--home", str(built.home), *args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_unbuilt_home_says_what_to_do(runner, home):
    result = runner.invoke(main, ["--home", str(home.home), "units"])
    assert result.exit_code == 1
    assert result.output.strip() == f"error: nothing built in {home.home}; run `kg build` first"


def test_kg_home_environment_variable(runner, built, monkeypatch):
    monkeypatch.setenv("KG_HOME", str(built.home))
    result = runner.invoke(main, ["units", "--json"])
    assert len(json.loads(result.output)["units"]) == 18


def test_base_iri_is_configurable(runner, home, monkeypatch):
    monkeypatch.setenv("KG_BASE_IRI", "http://example.org/x")
    from kg.config import Settings

    settings = Settings.from_env(home.home)
    assert settings.base_iri == "http://example.org/x/"
    run(runner, settings, "build")
    units = json.loads(run(runner, settings, "units", "--json").output)["units"]
    assert all(u["iri"].startswith("http://example.org/x/unit/") for u in units)
