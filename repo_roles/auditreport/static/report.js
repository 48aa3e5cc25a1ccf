// repo-roles audit report: renders the audit document embedded in this page (no network, no
// dependencies). Every text from the document goes in through textContent, never as HTML: a
// file name in a scanned repository cannot inject markup.
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("audit-data").textContent);
  var SVGNS = "http://www.w3.org/2000/svg";
  var ROLE_COLORS = {
    "backend.logic": "#3b6fb6", "backend.tests": "#7fa7dd", "backend.docs": "#b9cfee",
    "frontend.ui": "#d9822b", "frontend.assets": "#f0b77a", "frontend.tests": "#f7d9b5", "frontend.docs": "#fbeede",
    "config": "#6a9f58", "generated": "#9d9d9d", "vendored": "#8b6bb1", "unclassified": "#d1c9b8"
  };
  var TEAM_PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
    "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#2ca02c"];
  var NONE = "#e4e4e4";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) { for (var k in attrs) { if (Object.prototype.hasOwnProperty.call(attrs, k)) node.setAttribute(k, attrs[k]); } }
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function svg(tag, attrs) {
    var node = document.createElementNS(SVGNS, tag);
    for (var k in attrs) { if (Object.prototype.hasOwnProperty.call(attrs, k)) node.setAttribute(k, attrs[k]); }
    return node;
  }
  function fmt(n) { return Number(n).toLocaleString("en-US"); }
  function pct(a, b) { return b ? (100 * a / b) : null; }
  function pctText(p) { return p === null ? "-" : p.toFixed(1) + "%"; }
  function bytesText(n) {
    if (n < 1024) return n + " B";
    if (n < 1048576) return (n / 1024).toFixed(1) + " KiB";
    return (n / 1048576).toFixed(1) + " MiB";
  }
  function scale(p) {  // 0% red .. 50% amber .. 100% green
    if (p === null) return NONE;
    var h = Math.round(1.2 * p);  // hue 0..120
    return "hsl(" + h + ",62%,52%)";
  }
  function topRole(node) {
    var best = null, n = -1;
    for (var r in node.roles) { if (node.roles[r] > n) { best = r; n = node.roles[r]; } }
    return best;
  }
  var teamIndex = {};
  D.teams.forEach(function (t, i) { teamIndex[t.owner] = i; });
  function teamColor(owner) {
    if (!owner) return NONE;
    var i = teamIndex[owner];
    return i === undefined || i >= TEAM_PALETTE.length ? "#8c8c8c" : TEAM_PALETTE[i];
  }
  function mainOwner(node) { return node.owners.length ? node.owners[0][0] : null; }

  var COLORINGS = {
    role: { label: "role", color: function (n) { var r = topRole(n); return ROLE_COLORS[r] || NONE; } },
    team: { label: "owning team", color: function (n) { return n.unowned * 2 > n.files ? NONE : teamColor(mainOwner(n)); } },
    docs: { label: "doc coverage", color: function (n) { return scale(pct(n.docs[0], n.docs[1])); } },
    tests: { label: "test presence", color: function (n) { return scale(pct(n.tests[0], n.tests[1])); } }
  };
  var state = { node: D.tree, coloring: "role", size: "files", trail: [D.tree] };

  // --- squarified treemap (Bruls, Huizing, van Wijk 2000) ---------------------------------
  function worst(row, side, total) {
    var s = 0, max = 0, min = Infinity;
    row.forEach(function (r) { s += r.area; if (r.area > max) max = r.area; if (r.area < min) min = r.area; });
    var s2 = s * s, w2 = side * side;
    return Math.max(w2 * max / s2, s2 / (w2 * min));
  }
  function squarify(items, x, y, w, h) {
    var total = 0;
    items.forEach(function (it) { total += it.value; });
    var out = [];
    if (!total || w <= 0 || h <= 0) return out;
    var scaleF = (w * h) / total;
    var rest = items.map(function (it) { return { item: it, area: it.value * scaleF }; });
    while (rest.length) {
      var side = Math.min(w, h), row = [rest[0]], i = 1;
      while (i < rest.length && worst(row.concat([rest[i]]), side) <= worst(row, side)) { row.push(rest[i]); i++; }
      rest = rest.slice(i);
      var rowArea = 0;
      row.forEach(function (r) { rowArea += r.area; });
      if (w >= h) {  // lay the row out as a column on the left
        var cw = rowArea / h, cy = y;
        row.forEach(function (r) { var rh = r.area / cw; out.push({ item: r.item, x: x, y: cy, w: cw, h: rh }); cy += rh; });
        x += cw; w -= cw;
      } else {  // as a row on top
        var rh2 = rowArea / w, cx = x;
        row.forEach(function (r) { var rw = r.area / rh2; out.push({ item: r.item, x: cx, y: y, w: rw, h: rh2 }); cx += rw; });
        y += rh2; h -= rh2;
      }
    }
    return out;
  }
  function valueOf(node) { return state.size === "bytes" ? node.bytes : state.size === "lines" ? node.lines : node.files; }
  function layoutItems(node) {
    return (node.children || []).map(function (c) { return { node: c, value: valueOf(c) }; })
      .filter(function (it) { return it.value > 0; })
      .sort(function (a, b) { return b.value - a.value; });
  }

  var tooltip;
  function describe(node) {
    var lines = [node.path || "(project root)"];
    var role = topRole(node);
    if (role) {
      var share = node.roles[role] / node.files;
      lines.push("role: " + role + (node.kind === "dir" ? " (" + Math.round(100 * share) + "% of files)" : ""));
    }
    lines.push("owners: " + (node.owners.length ? node.owners.map(function (o) { return o[0]; }).join(", ") : "none"));
    lines.push("files: " + fmt(node.files) + " · lines: " + fmt(node.lines) + " · size: " + bytesText(node.bytes) +
      (node.unowned ? " · unowned: " + fmt(node.unowned) : ""));
    lines.push("doc coverage: " + pctText(pct(node.docs[0], node.docs[1])) + " (" + fmt(node.docs[0]) + "/" + fmt(node.docs[1]) + " items)");
    lines.push("test presence: " + pctText(pct(node.tests[0], node.tests[1])) + " (" + fmt(node.tests[0]) + "/" + fmt(node.tests[1]) + " modules)");
    lines.push("findings: " + fmt(node.findings));
    if (node.folded) lines.push("(contents aggregated: too many files to list)");
    return lines;
  }
  function showTip(evt, node) {
    tooltip.textContent = "";
    describe(node).forEach(function (line, i) { tooltip.appendChild(el(i ? "div" : "strong", null, line)); });
    tooltip.style.display = "block";
    moveTip(evt);
  }
  function moveTip(evt) {
    var x = evt.clientX + 14, y = evt.clientY + 14;
    var w = tooltip.offsetWidth, h = tooltip.offsetHeight;
    if (x + w > window.innerWidth - 4) x = evt.clientX - w - 14;
    if (y + h > window.innerHeight - 4) y = evt.clientY - h - 14;
    tooltip.style.left = Math.max(0, x) + "px";
    tooltip.style.top = Math.max(0, y) + "px";
  }
  function hideTip() { tooltip.style.display = "none"; }

  function up(toIndex) {
    hideTip();
    state.trail = state.trail.slice(0, toIndex + 1);
    state.node = state.trail[state.trail.length - 1];
    drawTreemap();
  }

  function tile(group, rect, node, depth) {
    var color = COLORINGS[state.coloring].color(node);
    var g = svg("g", { "class": "tile " + (node.kind === "dir" ? "dir" : "file"), "data-path": node.path });
    g.appendChild(svg("rect", { x: rect.x + 0.5, y: rect.y + 0.5, width: Math.max(0, rect.w - 1),
      height: Math.max(0, rect.h - 1), fill: color }));
    group.appendChild(g);
    g.addEventListener("mousemove", function (evt) { evt.stopPropagation(); showTip(evt, node); });
    g.addEventListener("mouseleave", hideTip);
    return g;
  }
  function label(group, rect, text, cls) {
    if (rect.w < 40 || rect.h < 14) return;
    var t = svg("text", { x: rect.x + 4, y: rect.y + 12, "class": cls || "label" });
    var max = Math.floor((rect.w - 8) / 6.5);
    t.textContent = text.length > max ? text.slice(0, Math.max(1, max - 1)) + "…" : text;
    group.appendChild(t);
  }
  // Nested levels are drawn while tiles stay large enough to read (at most MAX_LEVELS deep);
  // a click drills into the directory clicked (a file: its directory), keeping the trail.
  var MAX_LEVELS = 4, HEADER = 15;
  function drawLevel(group, r, node, chain, level) {
    var g = tile(group, r, node, level);
    var dirChain = node.kind === "dir" ? chain.concat([node]) : chain;
    g.addEventListener("click", function (evt) { evt.stopPropagation(); drillChain(dirChain); });
    var inner = layoutItems(node);
    var nested = node.kind === "dir" && inner.length && level < MAX_LEVELS && r.w > 40 && r.h > HEADER + 24;
    if (nested) {
      squarify(inner, r.x + 2, r.y + HEADER + 1, r.w - 4, r.h - HEADER - 3).forEach(function (r2) {
        drawLevel(g, r2, r2.item.node, dirChain, level + 1);
      });
    }
    if (level === 1 || nested) label(g, r, node.name + (node.kind === "dir" ? "/" : ""), level === 1 ? "label" : "label inner");
    else if (r.w > 56 && r.h > 28) label(g, r, node.name + (node.kind === "dir" ? "/" : ""), "label inner");
  }
  function drillChain(chain) {
    var target = null;
    for (var i = chain.length - 1; i >= 0; i--) { if (chain[i].children) { target = i; break; } }
    if (target === null) return;
    hideTip();
    state.trail = state.trail.concat(chain.slice(0, target + 1));
    state.node = chain[target];
    drawTreemap();
  }
  function drawTreemap() {
    var box = document.getElementById("treemap");
    var W = box.clientWidth || 960, H = Math.round(Math.min(620, Math.max(360, W * 0.55)));
    box.textContent = "";
    var root = svg("svg", { width: W, height: H, viewBox: "0 0 " + W + " " + H, role: "img" });
    var items = layoutItems(state.node);
    squarify(items, 0, 0, W, H).forEach(function (r) { drawLevel(root, r, r.item.node, [], 1); });
    if (!items.length) {
      var empty = svg("text", { x: 12, y: 24, "class": "label" });
      empty.textContent = state.node.folded ? "Contents aggregated at this depth (too many files to draw)." : "No files.";
      root.appendChild(empty);
    }
    box.appendChild(root);
    drawTrail();
    drawLegend();
  }
  function drawTrail() {
    var trail = document.getElementById("trail");
    trail.textContent = "";
    state.trail.forEach(function (node, i) {
      if (i) trail.appendChild(document.createTextNode(" / "));
      var name = i ? node.name : "(root)";
      if (i === state.trail.length - 1) { trail.appendChild(el("strong", null, name)); return; }
      var a = el("a", { href: "#", "data-depth": String(i) }, name);
      a.addEventListener("click", function (evt) { evt.preventDefault(); up(i); });
      trail.appendChild(a);
    });
  }
  function drawLegend() {
    var legend = document.getElementById("legend");
    legend.textContent = "";
    function key(color, text) {
      var item = el("span", { "class": "key" });
      var sw = el("span", { "class": "swatch" });
      sw.style.background = color;
      item.appendChild(sw);
      item.appendChild(document.createTextNode(text));
      legend.appendChild(item);
    }
    if (state.coloring === "role") {
      Object.keys(ROLE_COLORS).forEach(function (r) { if (D.roles[r]) key(ROLE_COLORS[r], r); });
    } else if (state.coloring === "team") {
      D.teams.slice(0, TEAM_PALETTE.length).forEach(function (t) { key(teamColor(t.owner), t.owner); });
      if (D.teams.length > TEAM_PALETTE.length) key("#8c8c8c", "other teams");
      key(NONE, "mostly unowned");
    } else {
      [0, 25, 50, 75, 100].forEach(function (p) { key(scale(p), p + "%"); });
      key(NONE, state.coloring === "docs" ? "nothing counted" : "no module needs a test");
    }
  }

  // --- sortable tables with bars -----------------------------------------------------------
  function sortable(columns, rows, id) {
    var table = el("table", { "class": "sortable", id: id });
    var thead = el("thead"), tr = el("tr");
    var tbody = el("tbody");
    var order = { col: -1, dir: 1 };
    columns.forEach(function (c, i) {
      var th = el("th", { "class": c.num ? "num" : "", title: "sort" }, c.label);
      th.addEventListener("click", function () {
        order.dir = order.col === i ? -order.dir : (c.num ? -1 : 1);
        order.col = i;
        rows.sort(function (a, b) {
          var x = c.value(a), y = c.value(b);
          if (x === null) return 1;
          if (y === null) return -1;
          return (x < y ? -1 : x > y ? 1 : 0) * order.dir;
        });
        fill();
      });
      tr.appendChild(th);
    });
    thead.appendChild(tr);
    table.appendChild(thead);
    table.appendChild(tbody);
    function fill() {
      tbody.textContent = "";
      rows.forEach(function (row) {
        var r = el("tr");
        columns.forEach(function (c) {
          var td = el("td", { "class": c.num ? "num" : "" });
          if (c.bar) {
            var p = c.value(row);
            var wrap = el("div", { "class": "barwrap" });
            var bar = el("div", { "class": "bar" });
            bar.style.width = (p === null ? 0 : Math.max(0, Math.min(100, p))) + "%";
            bar.style.background = scale(p);
            wrap.appendChild(bar);
            td.appendChild(wrap);
            td.appendChild(el("span", { "class": "barlabel" }, pctText(p)));
          } else {
            td.textContent = c.text ? c.text(row) : String(c.value(row));
          }
          r.appendChild(td);
        });
        tbody.appendChild(r);
      });
    }
    fill();
    return table;
  }
  function ratioTable(id, rows, column, a, b, aLabel, bLabel) {
    return sortable([
      { label: column, value: function (r) { return r.name; } },
      { label: aLabel, num: true, value: function (r) { return r[a]; }, text: function (r) { return fmt(r[a]); } },
      { label: bLabel, num: true, value: function (r) { return r[b]; }, text: function (r) { return fmt(r[b]); } },
      { label: "percent", num: true, bar: true, value: function (r) { return pct(r[a], r[b]); } }
    ], rows.slice(), id);
  }
  function matrix() {
    var roles = Object.keys(ROLE_COLORS).filter(function (r) { return D.teams.some(function (t) { return t.by_role[r]; }); });
    var cols = [{ label: "owner", value: function (t) { return t.owner; } },
      { label: "files", num: true, value: function (t) { return t.files; }, text: function (t) { return fmt(t.files); } }];
    roles.forEach(function (r) {
      cols.push({ label: r.replace("backend.", "be.").replace("frontend.", "fe."), num: true, value: function (t) { return t.by_role[r] || 0; },
        text: function (t) { return t.by_role[r] ? fmt(t.by_role[r]) : ""; } });
    });
    if (D.ownership.roster) {
      cols.push({ label: "responsible for", value: function (t) { return t.in_roster ? t.responsible.join(", ") : "NOT IN ROSTER"; } });
    }
    return sortable(cols, D.teams.slice(), "owner-role");
  }

  // --- findings ------------------------------------------------------------------------------
  function fileList(files, total) {
    var ul = el("ul", { "class": "files" });
    files.forEach(function (f) { ul.appendChild(el("li", null, f[0] + " — " + fmt(f[1]))); });
    if (total > files.length) ul.appendChild(el("li", { "class": "more" }, "… and " + fmt(total - files.length) + " more files"));
    return ul;
  }
  function expandable(summaryNodes, files, total) {
    var d = el("details", { "class": "group" });
    var s = el("summary");
    summaryNodes.forEach(function (n) { s.appendChild(n); });
    d.appendChild(s);
    var filled = false;
    d.addEventListener("toggle", function () {  // files are built on first opening only
      if (d.open && !filled) { d.appendChild(fileList(files, total)); filled = true; }
    });
    return d;
  }
  function findingsSection() {
    var box = document.getElementById("findings");
    var F = D.findings;
    if (!F.total) { box.appendChild(el("p", null, "All checks passed!")); return; }
    box.appendChild(el("h3", null, "By rule"));
    var max = F.by_rule.length ? F.by_rule[0].count : 1;
    F.by_rule.forEach(function (r) {
      var link = el("a", { href: "#rule-" + r.rule, "class": "rule" }, r.rule);
      var bar = el("span", { "class": "inlinebar" });
      bar.style.width = Math.max(2, 160 * r.count / max) + "px";
      box.appendChild(expandable([link, document.createTextNode(" " + r.name + " (" + r.severity + ") — " +
        fmt(r.count) + " findings in " + fmt(r.files_total) + " files "), bar], r.files, r.files_total));
    });
    box.appendChild(el("h3", null, "By owning team"));
    var tmax = F.by_team.length ? F.by_team[0].count : 1;
    F.by_team.forEach(function (t) {
      var bar = el("span", { "class": "inlinebar" });
      bar.style.width = Math.max(2, 160 * t.count / tmax) + "px";
      var rules = Object.keys(t.rules).map(function (k) { return k + " " + fmt(t.rules[k]); }).join(", ");
      box.appendChild(expandable([el("strong", null, t.owner), document.createTextNode(" — " + fmt(t.count) +
        " findings in " + fmt(t.files_total) + " files (" + rules + ") "), bar], t.files, t.files_total));
    });
    var docs = document.getElementById("rule-docs");
    Object.keys(D.rules).sort().forEach(function (id) {
      var sec = el("details", { id: "rule-" + id, "class": "ruledoc" });
      var sum = el("summary");
      sum.appendChild(el("strong", null, id + " " + D.rules[id].name));
      sum.appendChild(document.createTextNode(" — " + D.rules[id].summary + " (also: repo-roles rule " + id + ")"));
      sec.appendChild(sum);
      sec.appendChild(el("pre", null, D.rules[id].doc));
      docs.appendChild(sec);
    });
    function openRule() {  // a link to #rule-ID opens that rule's documentation
      var target = location.hash && document.getElementById(location.hash.slice(1));
      if (target && target.tagName === "DETAILS") target.open = true;
    }
    window.addEventListener("hashchange", openRule);
    openRule();
  }
  function arrow(d) { return d === null ? "·" : d > 0 ? "▲" : d < 0 ? "▼" : "="; }
  function signed(d, unit) {
    if (d === null) return "n/a";
    if (d === 0) return "0";
    return (d > 0 ? "+" : "") + (Number.isInteger(d) ? fmt(d) : d.toFixed(1)) + (unit ? " " + unit : "");
  }
  function compareSection() {
    var C = D.compare, box = document.getElementById("compare");
    if (!C) { box.parentNode.removeChild(box); return; }
    box.appendChild(el("h2", null, "Change since the previous audit"));
    var rows = [["files", C.files], ["unowned files", C.unowned], ["findings", C.findings]]
      .map(function (p) { return { name: p[0], before: p[1].before, after: p[1].after, delta: p[1].delta }; })
      .concat(C.findings_by_rule.filter(function (r) { return r.delta; }));
    function changeTable(id, list, unit, isPct) {
      return sortable([
        { label: "", value: function (r) { return r.name; } },
        { label: "before", num: true, value: function (r) { return r.before; }, text: function (r) { return r.before === null ? "-" : isPct ? r.before.toFixed(1) + "%" : fmt(r.before); } },
        { label: "after", num: true, value: function (r) { return r.after; }, text: function (r) { return r.after === null ? "-" : isPct ? r.after.toFixed(1) + "%" : fmt(r.after); } },
        { label: "change", num: true, value: function (r) { return r.delta; }, text: function (r) { return arrow(r.delta) + " " + signed(r.delta, unit); } }
      ], list.slice(), id);
    }
    box.appendChild(changeTable("compare-counts", rows, "", false));
    box.appendChild(el("h3", null, "Documentation coverage by owning team"));
    box.appendChild(changeTable("compare-docs", C.docs_by_owner, "pp", true));
    box.appendChild(el("h3", null, "Test presence by owning team"));
    box.appendChild(changeTable("compare-tests", C.tests_by_owner, "pp", true));
  }

  // --- page ------------------------------------------------------------------------------------
  function main() {
    tooltip = document.getElementById("tooltip");
    var p = D.project;
    document.getElementById("title").textContent = "repo-roles audit of " + p.root + (p.scope ? "/" + p.scope : "");
    var sev = D.findings.by_severity;
    document.getElementById("headline").textContent = fmt(D.files) + " files · " + fmt(D.ownership.unowned) +
      " unowned · " + fmt(D.findings.total) + " findings (" + fmt(sev.error) + " errors, " + fmt(sev.warning) +
      " warnings, " + fmt(sev.info) + " info)" + (p.config ? " · config " + p.config : " · no config file");
    Object.keys(COLORINGS).forEach(function (key) {
      var input = document.getElementById("color-" + key);
      input.checked = key === state.coloring;
      input.addEventListener("change", function () { if (input.checked) { state.coloring = key; drawTreemap(); } });
    });
    var size = document.getElementById("size-by");
    size.addEventListener("change", function () { state.size = size.value; drawTreemap(); });
    document.getElementById("treemap").addEventListener("mouseleave", hideTip);
    drawTreemap();
    window.addEventListener("resize", drawTreemap);
    document.getElementById("matrix").appendChild(matrix());
    var docs = document.getElementById("docs");
    docs.appendChild(el("h3", null, "By owning team"));
    docs.appendChild(ratioTable("docs-by-owner", D.docs.by_owner, "owner", "covered", "total", "documented", "items"));
    docs.appendChild(el("h3", null, "By top directory"));
    docs.appendChild(ratioTable("docs-by-directory", D.docs.by_directory, "directory", "covered", "total", "documented", "items"));
    var nm = D.docs.not_measured;
    if (nm.files) {
      docs.appendChild(el("p", { "class": "note" }, fmt(nm.files) + " files of the required roles not measured (no documentation analyzer): " +
        nm.by_language.slice(0, 12).map(function (e) { return e[0] + " " + fmt(e[1]); }).join(", ")));
    }
    var tests = document.getElementById("tests");
    tests.appendChild(el("h3", null, "By owning team"));
    tests.appendChild(ratioTable("tests-by-owner", D.tests.by_owner, "owner", "tested", "modules", "with tests", "modules"));
    tests.appendChild(el("h3", null, "By top directory"));
    tests.appendChild(ratioTable("tests-by-directory", D.tests.by_directory, "directory", "tested", "modules", "with tests", "modules"));
    findingsSection();
    compareSection();
    document.body.setAttribute("data-ready", "1");
  }
  main();
})();
