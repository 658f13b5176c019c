// The SPARQL editor: runs the query in the textarea against the endpoint (/sparql) when the page
// was opened with ?query=, and draws the results as a table. Every value is set as text; IRIs of
// this graph link to their pages (units, duties, plans, concepts), others to themselves.
(function () {
  "use strict";
  var form = document.getElementById("editor");
  var results = document.getElementById("results");
  if (!form || !results) return;
  var base = form.dataset.base, concepts = form.dataset.concepts;
  var pageKinds = ["unit", "duty", "plan"];

  function pagePath(iri) {
    if (iri.indexOf(base) === 0) {
      var rest = iri.slice(base.length);
      var kind = rest.split("/")[0];
      if (pageKinds.indexOf(kind) >= 0 && rest.indexOf("/") > 0 && !/\/span$/.test(rest)) return "/" + rest;
      return "/id/" + rest;
    }
    if (iri.indexOf(concepts) === 0) return "/concept/" + iri.slice(concepts.length);
    return /^https?:\/\//.test(iri) ? iri : null;
  }

  function cell(term) {
    var td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      var href = pagePath(term.value);
      var node = document.createElement(href ? "a" : "span");
      if (href) node.href = href;
      node.textContent = term.value;
      node.className = "iri";
      td.appendChild(node);
    } else {
      td.textContent = term.value;
      if (term["xml:lang"]) td.lang = term["xml:lang"];
    }
    return td;
  }

  function show(message, isError) {
    var p = document.createElement("p");
    p.className = isError ? "status error" : "status";
    p.id = "status";
    p.textContent = message;
    results.replaceChildren(p);
  }

  function table(data) {
    if (typeof data.boolean === "boolean") { show("ASK → " + data.boolean); return; }
    var vars = data.head.vars, rows = data.results.bindings;
    var t = document.createElement("table");
    t.className = "data results-table";
    var head = t.createTHead().insertRow();
    vars.forEach(function (v) { var th = document.createElement("th"); th.textContent = "?" + v; head.appendChild(th); });
    var body = t.createTBody();
    rows.forEach(function (row) {
      var tr = body.insertRow();
      vars.forEach(function (v) { tr.appendChild(cell(row[v])); });
    });
    var p = document.createElement("p");
    p.className = "status";
    p.id = "status";
    p.textContent = rows.length + " rows";
    results.replaceChildren(p, t);
  }

  var query = form.elements.query.value;
  if (!new URLSearchParams(location.search).get("query")) return;
  fetch(form.dataset.endpoint + "?query=" + encodeURIComponent(query), {
    headers: { Accept: "application/sparql-results+json, text/turtle;q=0.5" }
  }).then(function (r) {
    var type = r.headers.get("Content-Type") || "";
    if (!r.ok) return r.text().then(function (text) { show(r.status + ": " + text, true); });
    if (type.indexOf("json") >= 0) return r.json().then(table);
    return r.text().then(function (text) {
      var pre = document.createElement("pre");
      pre.textContent = text;
      results.replaceChildren(pre);
    });
  }).catch(function (e) { show(String(e), true); });
})();
