// Comunica (@comunica/query-sparql, from npm) against a DutyGraph endpoint, as a JavaScript
// analyst would run it: node tests/clients/comunica.mjs ENDPOINT. Prints one JSON object with what
// each query form gave; tests/test_sparql_clients.py runs it and checks the answers.
import { QueryEngine } from "@comunica/query-sparql";

const endpoint = process.argv[2];
const PREFIX = "PREFIX dg: <https://w3id.org/dutygraph/ontology#>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n";
const engine = new QueryEngine();
const context = { sources: [{ type: "sparql", value: endpoint }] };

const rows = await (await engine.queryBindings(
  PREFIX + 'SELECT ?unit ?zh WHERE { ?unit a dg:MemberUnit ; skos:prefLabel ?zh . FILTER(LANG(?zh) = "zh") } ORDER BY ?zh',
  context)).toArray();
const ask = await engine.queryBoolean(PREFIX + "ASK { ?u skos:prefLabel \"市公安局\"@zh }", context);
const quads = await (await engine.queryQuads(
  PREFIX + "CONSTRUCT { ?d dg:role ?r } WHERE { ?d dg:role ?r }", context)).toArray();
console.log(JSON.stringify({
  select: rows.map((b) => ({ unit: b.get("unit").value, zh: b.get("zh").value, lang: b.get("zh").language })),
  ask,
  construct: quads.length,
}));
