"""One count, one meaning (#23): every count of duties a page, a command or an example query shows,
computed two ways, on seven plans. "Duties" count every clause assigned to a unit (``dg:Duty``,
boilerplate included) everywhere but /compare, which counts substantive duties and says so."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter

from kg.cli import main
from kg.config import ROOT

EXAMPLE = ROOT / "ontology" / "queries" / "plan-overview.rq"


def sparql_rows(runner, home, query: str) -> list[dict]:
    result = runner.invoke(main, ["--home", str(home), "sparql", query, "--format", "csv"])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.output)))


def test_plan_counts_agree(seven_client, runner, seven):
    cli = {p["iri"]: p for p in json.loads(runner.invoke(main, ["--home", str(seven.home), "plans", "--json"]).output)["plans"]}
    example = {r["plan"]: int(r["duties"]) for r in sparql_rows(runner, seven.home, str(EXAMPLE))}
    counted = {r["plan"]: int(r["n"]) for r in sparql_rows(
        runner, seven.home, "SELECT ?plan (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a dg:Duty ; dg:plan ?plan } GROUP BY ?plan")}
    listed = {p["iri"]: p["duties"] for p in seven_client.get("/plans?format=json").get_json()["plans"]}
    assert len(counted) == 7
    assert listed == counted == example == {iri: p["duties"] for iri, p in cli.items()}
    for iri, plan in cli.items():
        page = seven_client.get(f"/plan/{plan['key']}?format=json").get_json()
        assert page["counts"]["duties"] == counted[iri], plan["key"]
    print("\nduties per plan (page = kg plans = plan-overview.rq = COUNT):",
          {p["key"]: counted[i] for i, p in cli.items()})


def test_unit_counts_agree(seven_client, runner, seven):
    cli = json.loads(runner.invoke(main, ["--home", str(seven.home), "units", "--json"]).output)["units"]
    counted = Counter()
    for row in sparql_rows(runner, seven.home, "SELECT ?unit ?plan (COUNT(DISTINCT ?d) AS ?n) WHERE { "
                           "?d a dg:Duty ; dg:plan ?plan ; dg:assignedTo ?unit } GROUP BY ?unit ?plan"):
        counted[(row["unit"], row["plan"])] = int(row["n"])
    assert {(u["iri"], u["plan"]): u["duties"] for u in cli} == {k: counted[k] for k in ((u["iri"], u["plan"]) for u in cli)}
    assert sum(u["duties"] for u in cli) == sum(counted.values())
    page = seven_client.get("/units?format=json").get_json()["units"]
    assert {(u["iri"], u["plan"]): u["duties"] for u in page} == {(u["iri"], u["plan"]): u["duties"] for u in cli}
    api = seven_client.get("/api/units").get_json()["units"]
    assert api == cli
    for unit in cli[::9]:  # a unit's page counts the same clauses
        data = seven_client.get(unit["iri"].replace("https://w3id.org/dutygraph/id", "") + "?format=json").get_json()
        assert data["counts"]["duties"] == sum(u["duties"] for u in cli if u["iri"] == unit["iri"]), unit["label_zh"]


def test_compare_counts_substantive_duties(seven_client, runner, seven):
    a, b = "03-huludao-snowstorm", "04-panjin-snowstorm"
    page = seven_client.get(f"/compare?a={a}&b={b}&format=json").get_json()["comparison"]
    cli = json.loads(runner.invoke(main, ["--home", str(seven.home), "compare", a, b, "--json"]).output)
    def counts(table):
        return {row["agency_type"]: (row["duties_a"], row["duties_b"]) for row in table["agency_types"]}

    assert counts(page) == counts(cli)
    rows = sparql_rows(runner, seven.home, f"""SELECT ?type (COUNT(DISTINCT ?d) AS ?n) WHERE {{
        ?d a dg:Duty ; dg:plan <https://w3id.org/dutygraph/id/plan/{a}> ; dg:assignedTo ?unit .
        FILTER NOT EXISTS {{ ?d a dg:BoilerplateDuty }}
        ?unit dg:agencyType ?type }} GROUP BY ?type""")
    counted = {r["type"]: int(r["n"]) for r in rows}
    shown = {row["agency_type"]: row["duties_a"] for row in cli["agency_types"] if row["duties_a"]}
    assert shown == counted
