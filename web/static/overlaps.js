// The /overlaps pictures: the network of shared targets and the collaboration network, drawn with
// vis-network (served from this server) from /overlaps/data.json. Where each node goes comes from the
// server (kg/overlaps/layout.py), laid out for this picture's width, so every reload draws the same
// picture, no label lies on another and labels are at their full size. The mouse wheel scrolls the
// page until the picture is clicked (focused); then it zooms, and dragging moves the picture.
// Clicking a node lists its clauses beside the picture. All text is set with textContent.
(function () {
  "use strict";
  var containers = document.querySelectorAll(".network[data-src]");
  if (!containers.length || typeof vis === "undefined") return;
  var lang = containers[0].dataset.lang === "en" ? "en" : "zh";
  var other = lang === "en" ? "zh" : "en";
  var FONT = { face: "system-ui, 'Noto Sans CJK SC', sans-serif", size: 14, color: "#1d2328" };
  var GROUPS = {
    unit: { shape: "box", color: { background: "#dbe9f6", border: "#3b6fa0" }, shapeProperties: { borderRadius: 2 } },
    object: { shape: "box", color: { background: "#fbe3bd", border: "#b0772a" }, shapeProperties: { borderRadius: 6 } },
    issue: { shape: "box", color: { background: "#f6d0d0", border: "#a04545" }, shapeProperties: { borderRadius: 6 } },
    action: { shape: "box", color: { background: "#dcefd2", border: "#4f7a3a" }, shapeProperties: { borderRadius: 6 } }
  };
  var KIND_COLOURS = { duplication: "#b03a2e", overlap: "#b9770e", fragmentation: "#2874a6", gap: "#9a9a9a" };
  var ROLE_COLOURS = { lead: "#b03a2e", joint: "#b9770e", support: "#2874a6", shared: "#9a9a9a" };
  var NARROW = 600; // below this many pixels, the phone's layout

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
      who.textContent = duty.units.map(label).join(lang === "en" ? ", " : "、") + " ";
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

  function listAlone(graph) {
    var holder = document.getElementById("collaboration-alone");
    if (!holder || !graph.alone || !graph.alone.length) return;
    holder.textContent = holder.dataset.label + (lang === "en" ? ": " : "：");
    graph.alone.forEach(function (unit, i) {
      var a = document.createElement("a");
      a.href = unit.href;
      a.textContent = label(unit);
      holder.append(a, i < graph.alone.length - 1 ? (lang === "en" ? ", " : "、") : "");
    });
  }

  function draw(container, data) {
    var kind = container.dataset.kind;
    var graph = data[kind];
    if (kind === "collaboration") listAlone(graph);
    if (!graph.nodes.length) {
      container.classList.add("empty");
      container.removeAttribute("tabindex");
      container.textContent = container.dataset.empty;
      container.dataset.nodes = "0";
      container.dataset.stable = "true";
      return;
    }
    var width = container.clientWidth;
    var layout = width < NARROW ? graph.layouts.narrow : graph.layouts.wide;
    var scale = Math.min(1.25, width / layout.width);
    container.style.height = Math.max(160, Math.ceil(layout.height * scale) + 16) + "px";
    var byId = {};
    var nodes = graph.nodes.map(function (n) {
      byId[n.id] = n;
      var at = layout.nodes[n.id];
      return { id: n.id, label: n.label, title: n["label_" + other] || "", x: at[0], y: at[1],
               group: kind === "network" ? n.group : "unit" };
    });
    var edges = graph.edges.map(function (e, i) {
      var edge = { id: i, from: e.from, to: e.to };
      if (kind === "collaboration") {
        edge.arrows = e.role === "shared" ? "" : "to";
        edge.dashes = e.role === "shared";
        edge.color = { color: ROLE_COLOURS[e.role] || "#999" };
        edge.title = e["role_" + lang];
        edge.width = Math.min(4, 1 + (e.value || 1) / 2);
      } else {
        edge.color = { color: KIND_COLOURS[e.kind] || "#b8c2cc" };
        edge.dashes = e.kind === "gap";
        edge.width = 2;
      }
      return edge;
    });
    var network = new vis.Network(container, { nodes: new vis.DataSet(nodes), edges: new vis.DataSet(edges) }, {
      groups: GROUPS,
      nodes: { font: FONT, margin: { top: 6, bottom: 6, left: 10, right: 10 }, borderWidth: 1 },
      edges: { smooth: false, selectionWidth: 1 },
      physics: false,
      layout: { improvedLayout: false },
      interaction: { hover: true, tooltipDelay: 150, zoomView: false, dragView: false }
    });
    var home = { position: { x: layout.width / 2, y: layout.height / 2 }, scale: scale, animation: false };
    network.moveTo(home);
    container.dataset.stable = "true";
    container.dataset.scale = String(scale);
    // The wheel and a drag belong to the page until the picture is clicked or tabbed to.
    container.addEventListener("focus", function () {
      container.classList.add("active");
      network.setOptions({ interaction: { zoomView: true, dragView: true } });
    });
    container.addEventListener("blur", function () {
      container.classList.remove("active");
      network.setOptions({ interaction: { zoomView: false, dragView: false } });
    });
    var reset = document.createElement("button");
    reset.type = "button";
    reset.className = "reset-view";
    reset.textContent = lang === "en" ? "Reset view" : "复原";
    reset.addEventListener("click", function () { network.moveTo(home); });
    container.parentElement.appendChild(reset);
    // Reachable by the browser tests (and the console), to find where a node is drawn.
    window.dutygraphNetworks = window.dutygraphNetworks || {};
    window.dutygraphNetworks[container.id] = network;
    var panel = document.getElementById(container.id + "-duties");
    network.on("click", function (params) {
      // vis-network keeps the pointer to itself, so the click would not focus the picture
      if (document.activeElement !== container) container.focus({ preventScroll: true });
      if (params.nodes.length && panel) showDuties(panel, byId[params.nodes[0]], data);
    });
    container.dataset.nodes = String(nodes.length);
    container.dataset.edges = String(edges.length);
  }

  fetch(containers[0].dataset.src, { headers: { Accept: "application/json" } })
    .then(function (r) { return r.json(); })
    .then(function (data) { containers.forEach(function (c) { draw(c, data); }); });
})();
