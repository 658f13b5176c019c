// The /overlaps pictures: the unit–object network and the collaboration network, drawn with
// vis-network (served from this server) from /overlaps/data.json. Clicking a node lists its
// duties beside the picture. All text is set with textContent; labels follow the page language.
(function () {
  "use strict";
  var containers = document.querySelectorAll(".network[data-src]");
  if (!containers.length || typeof vis === "undefined") return;
  var lang = containers[0].dataset.lang === "en" ? "en" : "zh";
  var other = lang === "en" ? "zh" : "en";
  var GROUPS = {
    unit: { shape: "box", color: { background: "#dbe9f6", border: "#3b6fa0" }, font: { size: 14 } },
    object: { shape: "dot", color: { background: "#f4c27a", border: "#b0772a" } },
    issue: { shape: "diamond", color: { background: "#e59c9c", border: "#a04545" } },
    action: { shape: "triangle", color: { background: "#b9d8a8", border: "#4f7a3a" } }
  };
  var ROLE_COLOURS = { lead: "#b03a2e", joint: "#d68910", support: "#2874a6", shared: "#7d7d7d" };

  function label(x) { return x["label_" + lang] || x["label_" + other] || x.id; }

  function showDuties(panel, node, data) {
    var heading = document.createElement("h3");
    if (node.href) {
      var a = document.createElement("a");
      a.href = node.href;
      a.textContent = label(node);
      heading.appendChild(a);
    } else {
      heading.textContent = label(node);
    }
    heading.title = node["label_" + other] || "";
    var list = document.createElement("ul");
    list.className = "evidence";
    (node.duties || []).forEach(function (iri) {
      var duty = data.duties[iri];
      if (!duty) return;
      var li = document.createElement("li");
      var who = document.createElement("span");
      who.className = "who";
      who.textContent = duty.units.map(label).join("、") + " ";
      var link = document.createElement("a");
      link.href = duty.href;
      link.className = "clause";
      link.lang = "zh";
      link.textContent = duty.text;
      li.append(who, link);
      list.appendChild(li);
    });
    panel.replaceChildren(heading, list);
  }

  function draw(container, data) {
    var kind = container.dataset.kind;
    var graph = data[kind];
    var byId = {};
    var nodes = graph.nodes.map(function (n) {
      byId[n.id] = n;
      return { id: n.id, label: label(n), title: n["label_" + other] || "", group: kind === "network" ? n.group : "unit",
               value: n.value };
    });
    var edges = graph.edges.map(function (e, i) {
      var edge = { id: i, from: e.from, to: e.to, value: e.value };
      if (kind === "collaboration") {
        edge.arrows = "to";
        edge.color = { color: ROLE_COLOURS[e.role] || "#999" };
        edge.title = e["role_" + lang];
      } else {
        edge.color = { color: "#b8c2cc" };
      }
      return edge;
    });
    var network = new vis.Network(container, { nodes: new vis.DataSet(nodes), edges: new vis.DataSet(edges) }, {
      groups: GROUPS,
      nodes: { font: { face: "system-ui, sans-serif", size: 13 }, scaling: { min: 8, max: 28 } },
      edges: { smooth: false, scaling: { min: 1, max: 6 } },
      physics: { solver: "forceAtlas2Based", stabilization: { iterations: 250 } },
      interaction: { hover: true, tooltipDelay: 150 }
    });
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({ physics: false });
      container.dataset.stable = "true";
    });
    // Reachable by the browser tests (and the console), to find where a node is drawn.
    window.dutygraphNetworks = window.dutygraphNetworks || {};
    window.dutygraphNetworks[container.id] = network;
    var panel = document.getElementById(container.id + "-duties");
    network.on("click", function (params) {
      if (params.nodes.length && panel) showDuties(panel, byId[params.nodes[0]], data);
    });
    container.dataset.nodes = String(nodes.length);
    container.dataset.edges = String(edges.length);
  }

  fetch(containers[0].dataset.src, { headers: { Accept: "application/json" } })
    .then(function (r) { return r.json(); })
    .then(function (data) { containers.forEach(function (c) { draw(c, data); }); });
})();
