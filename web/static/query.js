// The SPARQL editor: YASGUI (served from this server) in place of the plain form. The query
// from the URL (or an example) is run at once; Ctrl+Enter runs; the predeclared prefixes and the
// ontology's terms are completed (never from the network); the share link and the download links
// follow the query (only the formats of its form, each saved with its extension); IRIs of this
// graph in the results table link to their pages.
(function () {
  "use strict";
  var form = document.getElementById("editor");
  var host = document.getElementById("yasgui");
  if (!form || !host || !window.Yasgui) return;
  var data = form.dataset;
  var prefixes = JSON.parse(data.prefixes), terms = JSON.parse(data.terms);
  var base = data.base, concepts = data.concepts, endpoint = data.endpoint;
  var Yasqe = window.Yasgui.Yasqe;

  // Completion from this graph's own vocabulary: no request to prefix.cc or LOV.
  Yasqe.forkAutocompleter("prefixes", {
    name: "dg-prefixes", persistenceId: null,
    get: function () { return Object.keys(prefixes).map(function (p) { return p + ": <" + prefixes[p] + ">"; }); }
  }, false);
  Yasqe.registerAutocompleter({
    name: "dg-terms", bulk: false, autoShow: true,
    isValidCompletionPosition: function (yasqe) {
      var token = yasqe.getCompleteToken();
      return /^[A-Za-z][\w-]*:[\w-]*$/.test(token.string || "");
    },
    get: function (yasqe, token) {
      var typed = token && token.string || "";
      return terms.filter(function (t) { return t.indexOf(typed) === 0 && t !== typed; });
    }
  }, false);
  Yasqe.defaults.autocompleters = ["dg-prefixes", "variables", "dg-terms"];

  function pagePath(iri) {
    if (iri.indexOf(base) === 0) {
      var rest = iri.slice(base.length), kind = rest.split("/")[0];
      if (["unit", "duty", "plan"].indexOf(kind) >= 0 && rest.indexOf("/") > 0 && !/\/span$/.test(rest)) return "/" + rest;
      return "/id/" + rest;
    }
    if (iri.indexOf(concepts) === 0) return "/concept/" + iri.slice(concepts.length);
    return null;
  }


  // Two result views beside YASR's table and raw response, drawn here (no outside library):
  // a bar chart of a numeric column, and a pivot table (rows × columns, summing a numeric column).
  var lang = document.documentElement.lang === "en" ? "en" : "zh";
  var words = { chart: { zh: "图表", en: "Chart" }, pivot: { zh: "透视表", en: "Pivot" },
                rows: { zh: "行", en: "Rows" }, columns: { zh: "列", en: "Columns" }, values: { zh: "值", en: "Values" },
                count: { zh: "计数", en: "count" }, first: { zh: "前 40 行", en: "first 40 rows" } };
  var SVG = "http://www.w3.org/2000/svg";
  function table(yasr) {
    var results = yasr.results;
    if (!results || !results.getVariables || !results.getBindings || !results.getBindings()) return null;
    var vars = results.getVariables(), rows = results.getBindings();
    var numeric = vars.filter(function (v) {
      return rows.length && rows.every(function (r) { return !r[v] || (r[v].value !== "" && !isNaN(Number(r[v].value))); });
    });
    return { vars: vars, rows: rows, numeric: numeric, text: vars.filter(function (v) { return numeric.indexOf(v) < 0; }) };
  }
  function icon(text) { var span = document.createElement("span"); span.textContent = text; return span; }
  function value(row, v) { return row[v] ? row[v].value : ""; }

  function Chart(yasr) { this.yasr = yasr; this.priority = 5; this.label = words.chart[lang]; }
  Chart.prototype.canHandleResults = function () { var t = table(this.yasr); return !!(t && t.numeric.length && t.text.length); };
  Chart.prototype.getIcon = function () { return icon("▇"); };
  Chart.prototype.draw = function () {
    var t = table(this.yasr), label = t.text[0], measure = t.numeric[0], rows = t.rows.slice(0, 40);
    var max = Math.max.apply(null, rows.map(function (r) { return Number(value(r, measure)) || 0; }).concat([1]));
    var svg = document.createElementNS(SVG, "svg"), bar = 18, left = 220, width = 760;
    svg.setAttribute("viewBox", "0 0 " + (left + width + 60) + " " + (rows.length * (bar + 6) + 10));
    svg.setAttribute("class", "dg-chart");
    svg.setAttribute("role", "img");
    rows.forEach(function (r, i) {
      var y = 5 + i * (bar + 6), n = Number(value(r, measure)) || 0;
      var name = document.createElementNS(SVG, "text");
      name.setAttribute("x", left - 8); name.setAttribute("y", y + bar - 4); name.setAttribute("text-anchor", "end");
      name.textContent = t.text.slice(0, 2).map(function (v) { return value(r, v); }).filter(Boolean).join(" · ").slice(0, 28);
      var rect = document.createElementNS(SVG, "rect");
      rect.setAttribute("x", left); rect.setAttribute("y", y); rect.setAttribute("height", bar);
      rect.setAttribute("width", Math.max(1, width * n / max));
      var num = document.createElementNS(SVG, "text");
      num.setAttribute("x", left + width * n / max + 6); num.setAttribute("y", y + bar - 4);
      num.textContent = String(n);
      svg.append(name, rect, num);
    });
    var caption = document.createElement("p");
    caption.className = "dg-caption";
    caption.textContent = "?" + measure + (t.rows.length > rows.length ? " (" + words.first[lang] + ")" : "");
    this.yasr.resultsEl.replaceChildren(caption, svg);
  };

  function Pivot(yasr) { this.yasr = yasr; this.priority = 4; this.label = words.pivot[lang]; this.choice = {}; }
  Pivot.prototype.canHandleResults = function () { var t = table(this.yasr); return !!(t && t.text.length >= 2); };
  Pivot.prototype.getIcon = function () { return icon("⊞"); };
  Pivot.prototype.draw = function () {
    var self = this, t = table(this.yasr), choice = this.choice;
    if (t.text.indexOf(choice.rows) < 0) choice.rows = t.text[0];
    if (t.text.indexOf(choice.columns) < 0) choice.columns = t.text.find(function (v) { return v !== choice.rows; });
    if (choice.values !== "" && t.numeric.indexOf(choice.values) < 0) choice.values = t.numeric[0] || "";
    var controls = document.createElement("div");
    controls.className = "dg-pivot-controls";
    [["rows", t.text], ["columns", t.text], ["values", [""].concat(t.numeric)]].forEach(function (spec) {
      var labelEl = document.createElement("label"), select = document.createElement("select");
      labelEl.textContent = words[spec[0]][lang] + " ";
      spec[1].forEach(function (v) {
        var option = document.createElement("option");
        option.value = v; option.textContent = v ? "?" + v : words.count[lang]; option.selected = v === choice[spec[0]];
        select.appendChild(option);
      });
      select.addEventListener("change", function () { choice[spec[0]] = select.value; self.draw(); });
      labelEl.appendChild(select);
      controls.appendChild(labelEl);
    });
    var cells = {}, rowKeys = [], colKeys = [];
    t.rows.forEach(function (r) {
      var rk = value(r, choice.rows), ck = value(r, choice.columns);
      if (rowKeys.indexOf(rk) < 0) rowKeys.push(rk);
      if (colKeys.indexOf(ck) < 0) colKeys.push(ck);
      var key = rk + "\u0000" + ck;
      cells[key] = (cells[key] || 0) + (choice.values ? Number(value(r, choice.values)) || 0 : 1);
    });
    colKeys = colKeys.slice(0, 30);
    var grid = document.createElement("table");
    grid.className = "data dg-pivot";
    var head = grid.createTHead().insertRow();
    head.appendChild(document.createElement("th"));
    colKeys.forEach(function (c) { var th = document.createElement("th"); th.textContent = c; head.appendChild(th); });
    var body = grid.createTBody();
    rowKeys.slice(0, 200).forEach(function (rk) {
      var tr = body.insertRow(), th = document.createElement("th");
      th.textContent = rk;
      tr.appendChild(th);
      colKeys.forEach(function (ck) { var td = tr.insertCell(); td.textContent = cells[rk + "\u0000" + ck] || ""; });
    });
    var wrap = document.createElement("div");
    wrap.className = "dg-pivot-wrap";
    wrap.appendChild(grid);
    this.yasr.resultsEl.replaceChildren(controls, wrap);
  };
  window.Yasgui.Yasr.registerPlugin("chart", Chart);
  window.Yasgui.Yasr.registerPlugin("pivot", Pivot);

  // YASGUI's error display reads the endpoint with new URL(), which refuses a path: a failed query
  // then showed an empty box. It gets the whole address; the links on the page keep the path.
  var endpointUrl = new URL(endpoint, location.href).href;
  var yasgui = new window.Yasgui(host, {
    requestConfig: { endpoint: endpointUrl, method: "POST" },
    copyEndpointOnNewTab: false,
    populateFromUrl: false,
    persistenceId: null,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpointUrl }]; } },
    yasqe: { value: form.elements.query.value, editorHeight: "16rem", resizeable: true,
             createShareableLink: function (y) { return location.origin + "/query?query=" + encodeURIComponent(y.getValue()); } },
    yasr: { prefixes: prefixes, defaultPlugin: "table", pluginOrder: ["table", "pivot", "chart", "response"],
            plugins: { table: { dynamicConfig: { compact: true } } } }
  });
  form.hidden = true;
  var tab = yasgui.getTab();
  var yasqe = tab.getYasqe();
  // The endpoint predeclares its prefixes: the editor knows them too, so dg: is no syntax error.
  var mode = yasqe.getMode(), startState = mode.startState;
  mode.startState = function () {
    var state = startState.apply(this, arguments);
    Object.keys(prefixes).forEach(function (p) { if (!(p in state.prefixes)) state.prefixes[p] = prefixes[p]; });
    return state;
  };
  yasqe.setValue(yasqe.getValue());

  var share = document.getElementById("share");
  var downloads = document.getElementById("downloads");
  var formats = {
    results: { json: "srj", xml: "srx", csv: "csv", tsv: "tsv" },
    graphs: { turtle: "ttl", ntriples: "nt", rdfxml: "rdf", jsonld: "jsonld" }
  };

  // The share link and the downloads follow the query; the address bar too, so it can be copied.
  function follow() {
    var query = yasqe.getValue();
    var link = "/query?query=" + encodeURIComponent(query);
    share.href = link;
    if (location.pathname + location.search !== link) history.replaceState(null, "", link);
    var queryForm = (yasqe.getQueryType && yasqe.getQueryType() || "SELECT").toUpperCase();
    var kind = queryForm === "CONSTRUCT" || queryForm === "DESCRIBE" ? "graphs" : "results";
    var label = document.createElement("strong");
    label.textContent = downloads.dataset["label" + kind[0].toUpperCase() + kind.slice(1)] + ":";
    var links = [label];
    Object.keys(formats[kind]).forEach(function (name) {
      var a = document.createElement("a");
      a.href = endpoint + "?query=" + encodeURIComponent(query) + "&format=" + name;
      a.download = queryForm.toLowerCase() + "-result." + formats[kind][name];
      a.textContent = name;
      a.dataset.format = name;
      links.push(a);
    });
    downloads.replaceChildren.apply(downloads, links);
  }
  yasqe.on("change", follow);
  follow();

  // IRIs of this graph link to their pages in the table, shown in the simple view (values, not terms).
  var yasr = tab.getYasr();
  if (yasr.plugins.table && yasr.plugins.table.persistentConfig) yasr.plugins.table.persistentConfig.compact = true;
  yasr.on("drawn", function () {
    host.querySelectorAll(".yasr td a[href]").forEach(function (a) {
      var path = pagePath(a.getAttribute("href"));
      if (path) { a.setAttribute("href", path); a.classList.add("iri"); a.removeAttribute("target"); }
    });
  });

  // An example runs in place: no reload, the address follows.
  document.querySelectorAll(".examples-list a[data-name]").forEach(function (a) {
    a.addEventListener("click", function (event) {
      event.preventDefault();
      var query = new URL(a.href).searchParams.get("query");
      yasqe.setValue(query);
      yasqe.query();
      host.scrollIntoView({ block: "start" });
    });
  });

  if (data.run) yasqe.query();
})();
