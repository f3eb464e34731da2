//! The page's stylesheet and script, inlined so that the report is one file that works
//! offline, in light and dark, on screen and on paper.

pub const STYLE: &str = r#"
:root {
  --bg: #f6f7f9; --panel: #ffffff; --text: #1c1f24; --muted: #5d6570; --line: #dde1e6;
  --head: #19212e; --head-text: #f3f5f8; --code-bg: #f0f2f5; --mark: #fff4c2;
  --err: #c4281c; --err-bg: #fdecea; --warn: #9a5b00; --warn-bg: #fff4e0;
  --info: #1559b3; --info-bg: #e8f0fc; --ok: #1e7a34; --ok-bg: #e7f6eb;
  --add: #e6f6ea; --add-text: #135c26; --del: #fdebec; --del-text: #8e1b1b; --link: #1559b3;
  --on-badge: #ffffff;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #111418; --panel: #1a1e24; --text: #e4e7eb; --muted: #9aa3ad; --line: #2e343c;
    --head: #0b0e12; --head-text: #f3f5f8; --code-bg: #232830; --mark: #4a4016;
    --err: #ff7b6e; --err-bg: #3a1d1b; --warn: #f0b45a; --warn-bg: #362a14;
    --info: #7fb2ff; --info-bg: #18263a; --ok: #6fd08a; --ok-bg: #17301e;
    --add: #15301d; --add-text: #8fe0a4; --del: #3a1b1d; --del-text: #ff9c9c; --link: #8ab8ff;
    --on-badge: #111418;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: var(--text); background: var(--bg); overflow-wrap: break-word; }
a { color: var(--link); }
code, pre { font: 12.5px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
code { background: var(--code-bg); border-radius: 4px; padding: 0 3px; }
.wrap { max-width: 1760px; margin: 0 auto; padding: 0 28px; }
header.top { background: var(--head); color: var(--head-text); }
header.top .wrap { padding-top: 14px; padding-bottom: 12px; display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 18px; }
header.top h1 { margin: 0; font-size: 20px; font-weight: 650; }
header.top h1 .ws { font-weight: 400; opacity: .85; }
header.top .meta { margin: 0; font-size: 12.5px; opacity: .8; min-width: 0; }
header.top .meta code { background: rgba(255,255,255,.12); color: inherit; }
header.top nav { margin-left: auto; display: flex; gap: 14px; font-size: 13px; }
header.top nav a { color: var(--head-text); opacity: .85; text-decoration: none; }
header.top nav a:hover { opacity: 1; text-decoration: underline; }
.cmd { display: inline-block; max-width: 46ch; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; vertical-align: bottom; }
main { padding-bottom: 48px; }
h2 { font-size: 17px; margin: 22px 0 8px; }
h2 .sub { font-weight: 400; color: var(--muted); font-size: 13px; margin-left: 8px; }
.first { display: grid; grid-template-columns: minmax(0, 1.35fr) minmax(0, 1fr); gap: 14px; margin-top: 16px; }
.verdict { border-radius: 10px; padding: 14px 18px; border: 1px solid var(--line); border-left: 6px solid var(--ok); background: var(--ok-bg); }
.verdict.fail { border-left-color: var(--err); background: var(--err-bg); }
.verdict.warn { border-left-color: var(--warn); background: var(--warn-bg); }
.verdict .headline { font-size: 21px; font-weight: 700; margin: 0 0 4px; }
.verdict.fail .headline { color: var(--err); } .verdict.warn .headline { color: var(--warn); } .verdict.pass .headline { color: var(--ok); }
.verdict p { margin: 2px 0; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }
.sev { display: flex; gap: 8px; margin-bottom: 8px; }
.sev div { flex: 1; border-radius: 8px; padding: 6px 10px; background: var(--code-bg); }
.sev b { display: block; font-size: 22px; line-height: 1.1; }
.sev .error b { color: var(--err); } .sev .warning b { color: var(--warn); } .sev .info b { color: var(--info); }
.sections { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 2px 14px; font-size: 13px; }
.sections a { display: flex; justify-content: space-between; gap: 6px; color: inherit; text-decoration: none; padding: 1px 0; border-bottom: 1px dashed var(--line); }
.sections a:hover { color: var(--link); }
.sections a.none { color: var(--muted); }
.badge { display: inline-block; border-radius: 4px; padding: 0 6px; font-size: 11.5px; font-weight: 650; line-height: 18px; white-space: nowrap; }
.badge.error { background: var(--err); color: var(--on-badge); } .badge.warning { background: var(--warn); color: var(--on-badge); } .badge.info { background: var(--info); color: var(--on-badge); }
.badge.block { background: transparent; color: var(--err); border: 1px solid var(--err); }
.muted { color: var(--muted); }
ol.top { list-style: none; margin: 0; padding: 0; background: var(--panel); border: 1px solid var(--line); border-radius: 10px; overflow: hidden; }
ol.top li { border-top: 1px solid var(--line); }
ol.top li:first-child { border-top: 0; }
ol.top li.blocking { box-shadow: inset 4px 0 0 var(--err); }
ol.top a { display: grid; grid-template-columns: 1.6em 5.2em minmax(0, 1.7fr) 3.2em minmax(0, .75fr) minmax(0, 1.3fr); gap: 10px; align-items: center; padding: 7px 12px; color: inherit; text-decoration: none; min-height: 36px; }
ol.top a:hover { background: var(--code-bg); }
ol.top .n { color: var(--muted); text-align: right; }
ol.top .cut { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
ol.top .what b { font-weight: 600; }
ol.top .where { color: var(--muted); font-size: 13px; }
ol.top .times { font-size: 12px; font-weight: 650; color: var(--muted); text-align: center; }
ol.top .times b { display: inline-block; min-width: 2.4em; border-radius: 9px; background: var(--code-bg); padding: 0 5px; color: var(--text); }
ol.top .fix { font-size: 13px; }
ol.top .fix::before { content: "Fix: "; color: var(--muted); }
.more { margin: 6px 2px 0; color: var(--muted); font-size: 13px; }
details > summary { cursor: pointer; }
details.rule { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; margin: 6px 0; }
details.rule > summary { list-style: none; display: grid; grid-template-columns: 1em 5.2em minmax(0, 1fr) auto auto; gap: 10px; align-items: center; padding: 8px 12px; }
details.rule > summary::-webkit-details-marker { display: none; }
details.rule > summary::before { content: "▸"; color: var(--muted); }
details.rule[open] > summary::before { content: "▾"; }
details.rule > summary .title { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
details.rule > summary .count { font-weight: 650; }
.rule-body { padding: 0 14px 12px 36px; }
.rule-body > p { margin: 4px 0 8px; }
details.doc { margin: 6px 0 10px; border-left: 3px solid var(--line); padding-left: 10px; }
details.doc > summary { color: var(--link); }
details.doc h4 { margin: 10px 0 4px; font-size: 13.5px; }
details.doc p, details.doc li { max-width: 95ch; }
pre { margin: 6px 0; padding: 8px 10px; background: var(--code-bg); border-radius: 6px; white-space: pre-wrap; overflow-wrap: anywhere; }
.cluster { border-top: 1px solid var(--line); padding: 8px 0 4px; }
.cluster:first-of-type { border-top: 0; }
.cluster .msg { margin: 2px 0; }
.cluster .remedy { margin: 2px 0 4px; }
.cluster .remedy::before { content: "Fix: "; font-weight: 600; }
.places { list-style: none; margin: 4px 0; padding: 0; }
.places > li { margin: 3px 0; }
.place > summary { color: var(--muted); }
.place > summary code { color: var(--text); }
.finding { padding: 4px 0 6px; }
.finding .loc { font-size: 13px; color: var(--muted); }
.snippet { padding: 4px 0; }
.snippet span { display: block; padding: 0 8px; }
.snippet span.hit { background: var(--mark); }
.snippet i { font-style: normal; color: var(--muted); display: inline-block; min-width: 3.2em; user-select: none; }
.diff span { display: block; padding: 0 8px; }
.diff .add { background: var(--add); color: var(--add-text); }
.diff .del { background: var(--del); color: var(--del-text); }
.diff .hunk { color: var(--muted); }
.fixtitle { margin: 6px 0 0; font-size: 13px; }
.fixtitle .badge { margin-left: 6px; background: var(--code-bg); color: var(--muted); font-weight: 500; }
.help { margin: 4px 0; color: var(--muted); }
details.fold { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; margin: 8px 0; }
details.fold > summary { padding: 9px 12px; font-weight: 600; }
details.fold > summary .muted { font-weight: 400; margin-left: 6px; }
.fold-body { padding: 0 12px 12px; }
.filters { display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: center; padding: 8px 0; font-size: 13px; }
.filters input[type=search] { width: 16em; padding: 3px 6px; }
.filters select, .filters input { font: inherit; color: var(--text); background: var(--panel); border: 1px solid var(--line); border-radius: 4px; }
.filters label { white-space: nowrap; }
.filters .shown { margin-left: auto; color: var(--muted); }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
th, td { text-align: left; padding: 5px 7px; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
thead th { position: sticky; top: 0; background: var(--code-bg); z-index: 1; cursor: pointer; user-select: none; font-weight: 600; }
th[aria-sort="ascending"]::after { content: " ▲"; } th[aria-sort="descending"]::after { content: " ▼"; }
td.cut { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
td.public { color: var(--err); font-weight: 600; }
tr.ghost td.path::after { content: "generated CRUD"; margin-left: 6px; font-size: 11px; color: var(--warn); border: 1px solid var(--warn); border-radius: 3px; padding: 0 3px; white-space: nowrap; }
ul.checklist { list-style: none; padding: 0; margin: 0; background: var(--panel); border: 1px solid var(--line); border-radius: 10px; }
ul.checklist li { border-top: 1px solid var(--line); padding: 8px 12px; }
ul.checklist li:first-child { border-top: 0; }
ul.checklist label { display: grid; grid-template-columns: 1.6em minmax(0, 1fr); gap: 2px 6px; cursor: pointer; }
ul.checklist input { margin-top: 3px; }
ul.checklist .where { grid-column: 2; font-size: 13px; color: var(--muted); }
ul.checklist li.done .item { text-decoration: line-through; color: var(--muted); }
.progress { display: inline-block; width: 140px; height: 8px; background: var(--code-bg); border-radius: 4px; vertical-align: middle; margin-left: 8px; overflow: hidden; }
.progress i { display: block; height: 100%; background: var(--ok); width: 0; }
footer { color: var(--muted); font-size: 12px; padding: 16px 0 30px; }
@media (max-width: 1100px) { .first { grid-template-columns: minmax(0, 1fr); } }
@media print {
  :root { --bg: #fff; --panel: #fff; --text: #000; --muted: #444; --line: #bbb; --code-bg: #f3f3f3; --head: #fff; --head-text: #000; }
  body { font-size: 10.5pt; background: #fff; }
  .wrap { max-width: none; padding: 0; }
  header.top { border-bottom: 2px solid #000; }
  header.top nav, .filters, details.doc, .noprint { display: none !important; }
  header.top .meta code { background: none; }
  .cmd { max-width: none; white-space: normal; }
  .first { grid-template-columns: minmax(0, 1fr); }
  details:not(.place)::details-content { content-visibility: visible; display: block; }
  details.place::details-content { content-visibility: hidden; display: none; }
  ol.top li, ul.checklist li, .finding, .places > li { break-inside: avoid; }
  details.rule > summary::before { content: ""; }
  thead th { position: static; }
  #endpoints thead th { overflow-wrap: normal; }
  table { font-size: 8.5pt; }
  #endpoints col:nth-child(1) { width: 7% !important; } #endpoints col:nth-child(2) { width: 29% !important; }
  #endpoints col:nth-child(3) { width: 10% !important; } #endpoints col:nth-child(4) { width: 7% !important; }
  #endpoints col:nth-child(5), #endpoints col:nth-child(6) { width: 11% !important; }
  #endpoints col:nth-child(7) { width: 8% !important; } #endpoints col:nth-child(8) { width: 17% !important; }
  td.cut, ol.top .cut, details.rule > summary .title { white-space: normal; overflow: visible; text-overflow: clip; }
  ol.top a { grid-template-columns: 1.6em 5.2em minmax(0, 1fr) 3.2em minmax(0, 1fr); }
  ol.top .fix { grid-column: 3 / -1; }
  tr { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  pre { white-space: pre-wrap; }
}
"#;

pub const SCRIPT: &str = r##"
(function () {
  "use strict";
  var page = document.documentElement;

  // Opens the folds around a target (a finding, a rule, a section) and scrolls to it.
  function reveal(id) {
    var target = id && document.getElementById(id);
    if (!target) return;
    for (var el = target; el; el = el.parentElement) {
      if (el.tagName === "DETAILS") el.open = true;
    }
    if (target.tagName === "DETAILS") target.open = true;
    target.scrollIntoView({ block: "start" });
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href^='#']");
    if (!link) return;
    var id = link.getAttribute("href").slice(1);
    if (!document.getElementById(id)) return;
    event.preventDefault();
    history.replaceState(null, "", "#" + id);
    reveal(id);
  });
  if (location.hash) reveal(decodeURIComponent(location.hash.slice(1)));

  // Sortable tables: click a header; numbers sort as numbers.
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("thead th").forEach(function (th, column) {
      th.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        table.querySelectorAll("thead th").forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[column].textContent.trim(), y = b.cells[column].textContent.trim();
          var order = x.localeCompare(y, undefined, { numeric: true });
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });

  // Inventory filters: every control narrows the rows shown.
  var inventory = document.getElementById("endpoints");
  var filters = document.getElementById("endpoint-filters");
  if (inventory && filters) {
    var controls = filters.querySelectorAll("input, select");
    var shown = document.getElementById("endpoints-shown");
    var apply = function () {
      var want = {};
      controls.forEach(function (c) { want[c.name] = c.type === "checkbox" ? c.checked : c.value; });
      var text = (want.q || "").toLowerCase();
      var count = 0;
      Array.prototype.forEach.call(inventory.tBodies[0].rows, function (row) {
        var d = row.dataset;
        var visible = (!want.public || d.reach === "public")
          && (!want.ghost || d.ghost === "1")
          && (!want.writes || d.writes === "1")
          && (!want.userdata || d.userdata === "1")
          && (!want.group || d.group === want.group)
          && (!want.verb || d.verb === want.verb)
          && (!text || row.textContent.toLowerCase().indexOf(text) >= 0);
        row.hidden = !visible;
        if (visible) count += 1;
      });
      if (shown) shown.textContent = count + " of " + inventory.tBodies[0].rows.length + " shown";
    };
    controls.forEach(function (c) { c.addEventListener(c.type === "search" ? "input" : "change", apply); });
    var reset = document.getElementById("endpoint-reset");
    if (reset) reset.addEventListener("click", function () {
      controls.forEach(function (c) { if (c.type === "checkbox") c.checked = false; else c.value = ""; });
      apply();
    });
    apply();
  }

  // The manual checklist keeps its ticks in this browser, per workspace.
  var list = document.getElementById("checklist");
  if (list) {
    var key = "xsguard-audit:" + page.dataset.workspace + ":checklist";
    var ticks = {};
    try { ticks = JSON.parse(localStorage.getItem(key) || "{}") || {}; } catch (e) { ticks = {}; }
    var boxes = list.querySelectorAll("input[type=checkbox]");
    var progress = function () {
      var done = 0;
      boxes.forEach(function (b) {
        b.closest("li").classList.toggle("done", b.checked);
        if (b.checked) done += 1;
      });
      var label = document.getElementById("checklist-progress");
      if (label) label.textContent = done + " of " + boxes.length + " done";
      var bar = document.getElementById("checklist-bar");
      if (bar) bar.style.width = (100 * done / boxes.length) + "%";
    };
    boxes.forEach(function (b) {
      b.checked = ticks[b.value] === true;
      b.addEventListener("change", function () {
        if (b.checked) ticks[b.value] = true; else delete ticks[b.value];
        try { localStorage.setItem(key, JSON.stringify(ticks)); } catch (e) { /* private mode: ticks last for this visit */ }
        progress();
      });
    });
    progress();
  }

  // On paper everything is unfolded; the screen's folds come back afterwards.
  var folded = [];
  window.addEventListener("beforeprint", function () {
    folded = Array.prototype.filter.call(document.querySelectorAll("details:not(.doc):not(.place)"), function (d) { return !d.open; });
    folded.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    folded.forEach(function (d) { d.open = false; });
    folded = [];
  });
})();
"##;
