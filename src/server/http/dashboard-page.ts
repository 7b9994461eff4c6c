/**
 * The live dashboard: one self-contained HTML page (inline CSS and JS, an inline SVG chart; no
 * framework, no CDN — the CSP in routes.ts forbids anything else). It reads /api/events
 * (Server-Sent Events, one `state` per sample interval; the first carries the history) and
 * draws rooms, peers (RTT, loss, throughput) and the traffic of the last minutes.
 * Everything from the server is inserted as text (textContent), never as HTML.
 */

const STYLE = `
:root { --bg:#0f1419; --panel:#172029; --line:#26323d; --text:#d8e0e7; --dim:#8796a4;
  --in:#4fa3ff; --out:#ffa64d; --ok:#3ecf8e; --warn:#f5c04a; --bad:#ff6b6b; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background:var(--bg); color:var(--text); }
header { display:flex; flex-wrap:wrap; align-items:center; gap:12px 20px; padding:14px 22px; border-bottom:1px solid var(--line); }
header h1 { font-size:18px; margin:0; font-weight:600; }
header .meta { color:var(--dim); }
.pill { padding:2px 10px; border-radius:999px; font-weight:600; font-size:12px; text-transform:uppercase; letter-spacing:.04em; }
.pill.ok { background:rgba(62,207,142,.15); color:var(--ok); }
.pill.warn { background:rgba(245,192,74,.15); color:var(--warn); }
.pill.bad { background:rgba(255,107,107,.15); color:var(--bad); }
#link { margin-left:auto; color:var(--dim); font-size:12px; }
main { padding:18px 22px; display:grid; gap:18px; }
.banner { padding:12px 16px; border-radius:8px; border:1px solid var(--warn); color:var(--warn); background:rgba(245,192,74,.08); }
.banner[hidden] { display:none; }
.tiles { display:grid; grid-template-columns:repeat(auto-fit, minmax(150px, 1fr)); gap:12px; }
.tile { background:var(--panel); border:1px solid var(--line); border-radius:8px; padding:10px 14px; }
.tile .label { color:var(--dim); font-size:12px; text-transform:uppercase; letter-spacing:.05em; }
.tile .value { font-size:22px; font-weight:600; margin-top:2px; font-variant-numeric:tabular-nums; }
section { background:var(--panel); border:1px solid var(--line); border-radius:8px; padding:12px 16px; }
section h2 { font-size:14px; margin:0 0 10px; color:var(--dim); text-transform:uppercase; letter-spacing:.05em; font-weight:600; }
.legend span { margin-right:16px; font-size:12px; color:var(--dim); }
.legend i { display:inline-block; width:18px; height:3px; vertical-align:middle; margin-right:6px; }
#chart { width:100%; height:220px; display:block; }
#chart text { fill:var(--dim); font-size:11px; }
#chart .grid { stroke:var(--line); stroke-width:1; }
#rooms { display:grid; grid-template-columns:repeat(auto-fit, minmax(640px, 1fr)); gap:12px; }
.scroll { overflow-x:auto; }
.room { border:1px solid var(--line); border-radius:8px; padding:10px 12px; }
.room h3 { margin:0 0 8px; font-size:15px; display:flex; justify-content:space-between; }
.room h3 small { color:var(--dim); font-weight:normal; }
table { width:100%; border-collapse:collapse; font-variant-numeric:tabular-nums; }
th, td { text-align:right; padding:3px 6px; border-bottom:1px solid var(--line); white-space:nowrap; }
th.l, td.l { text-align:left; }
th { color:var(--dim); font-weight:500; font-size:12px; }
.empty { color:var(--dim); font-style:italic; }
footer { padding:0 22px 18px; color:var(--dim); font-size:12px; }
footer a { color:var(--dim); margin-right:14px; }
`;

const SCRIPT = `
(function () {
'use strict';
var history = []; // traffic points, oldest first (inside this function: window.history is not ours)
var windowMs = 300000;
var $ = function (id) { return document.getElementById(id); };
function el(tag, text, cls) { var e = document.createElement(tag); if (text !== undefined) e.textContent = String(text); if (cls) e.className = cls; return e; }
function rate(b) { if (!(b > 0)) return '0 B/s'; var u = ['B/s', 'kB/s', 'MB/s', 'GB/s'], i = 0; while (b >= 1000 && i < 3) { b /= 1000; i++; } return (b < 10 && i > 0 ? b.toFixed(1) : Math.round(b)) + ' ' + u[i]; }
function count(n) { return n >= 1e6 ? (n / 1e6).toFixed(1) + 'M' : n >= 1e4 ? (n / 1e3).toFixed(1) + 'k' : String(Math.round(n)); }
function dur(s) { s = Math.floor(s); var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60; return h > 0 ? h + 'h ' + m + 'm' : m > 0 ? m + 'm ' + (s % 60) + 's' : s + 's'; }
function pill(text, kind) { var p = $('status'); p.textContent = text; p.className = 'pill ' + kind; }

function render(st) {
  windowMs = st.historyWindowMs || windowMs;
  if (st.history) history = st.history.slice();
  else if (st.rates && (history.length === 0 || st.rates.t > history[history.length - 1].t)) history.push(st.rates);
  var newest = history.length ? history[history.length - 1].t : 0;
  while (history.length && history[0].t < newest - windowMs) history.shift();

  var core = st.core.status;
  var live = st.status === 'running' && core === 'running';
  pill(st.status === 'running' ? (core === 'running' ? 'relaying' : 'core ' + core) : st.status, live ? 'ok' : st.status === 'stopped' ? 'bad' : 'warn');
  $('version').textContent = 'v' + st.version;
  $('meta').textContent = 'Godot ' + st.godot + ' \\u00b7 UDP ' + (st.listen.udp || 'not listening')
    + (st.dtls ? ' (DTLS)' : '') + ' \\u00b7 up ' + dur(st.uptime);
  var banner = $('banner');
  banner.hidden = core === 'running';
  banner.textContent = core === 'running' ? '' : (st.core.detail || ('relay core ' + core));

  var connected = st.peers.filter(function (p) { return p.state === 'connected'; }).length;
  var r = st.rates || { bytesIn: 0, bytesOut: 0, packetsIn: 0, packetsOut: 0 };
  var drops = 0; for (var k in st.totals.drops) drops += st.totals.drops[k];
  $('t-peers').textContent = connected + ' / ' + st.config.maxClients;
  $('t-rooms').textContent = st.rooms.length + ' / ' + st.config.maxRooms;
  $('t-in').textContent = rate(r.bytesIn);
  $('t-out').textContent = rate(r.bytesOut);
  $('t-pps').textContent = count(r.packetsIn) + ' / ' + count(r.packetsOut);
  $('t-drops').textContent = count(drops);
  renderRooms(st);
  renderDrops(st.totals.drops);
  drawChart();
}

function peerTable(peers) {
  var t = el('table'), head = el('tr');
  ['Peer', 'Address', 'RTT', 'Loss', 'In', 'Out', 'Packets in / out', 'Connected'].forEach(function (h, i) { head.appendChild(el('th', h, i < 2 ? 'l' : '')); });
  t.appendChild(head);
  peers.forEach(function (p) {
    var tr = el('tr'); tr.setAttribute('data-peer', p.id);
    tr.appendChild(el('td', p.id + (p.state === 'connected' ? '' : ' (auth)'), 'l'));
    tr.appendChild(el('td', p.address.indexOf(':') >= 0 ? '[' + p.address + ']:' + p.port : p.address + ':' + p.port, 'l'));
    tr.appendChild(el('td', Math.round(p.rttMs) + ' ms'));
    tr.appendChild(el('td', (p.loss * 100).toFixed(1) + ' %'));
    tr.appendChild(el('td', rate(p.inRate)));
    tr.appendChild(el('td', rate(p.outRate)));
    tr.appendChild(el('td', count(p.packetsIn) + ' / ' + count(p.packetsOut)));
    tr.appendChild(el('td', dur(p.connectedFor)));
    t.appendChild(tr);
  });
  var wrap = el('div', undefined, 'scroll'); wrap.appendChild(t);
  return wrap;
}

function renderRooms(st) {
  var box = $('rooms'), byId = {};
  st.peers.forEach(function (p) { byId[p.id] = p; });
  box.textContent = '';
  var groups = st.rooms.map(function (room) {
    return { id: room.id, label: 'Room ' + room.id, cap: room.capacity, peers: room.peers.map(function (id) { return byId[id]; }).filter(Boolean) };
  });
  var lobby = st.peers.filter(function (p) { return p.room === null; });
  if (lobby.length) groups.push({ id: '', label: 'Not in a room', cap: 0, peers: lobby });
  if (!groups.length) { box.appendChild(el('div', st.core.status === 'running' ? 'No rooms yet: waiting for Godot clients.' : 'No relay core: no rooms.', 'empty')); return; }
  groups.forEach(function (g) {
    var card = el('div', undefined, 'room'); card.setAttribute('data-room', g.id);
    var h = el('h3', g.label); h.appendChild(el('small', g.peers.length + (g.cap ? ' / ' + g.cap : '') + ' peers'));
    card.appendChild(h);
    card.appendChild(g.peers.length ? peerTable(g.peers) : el('div', 'empty room', 'empty'));
    box.appendChild(card);
  });
}

function renderDrops(drops) {
  var box = $('drops'), rows = Object.keys(drops).filter(function (k) { return drops[k] > 0; });
  box.textContent = '';
  if (!rows.length) { box.appendChild(el('div', 'No packets refused.', 'empty')); return; }
  var t = el('table'), head = el('tr'); head.appendChild(el('th', 'Reason', 'l')); head.appendChild(el('th', 'Count')); t.appendChild(head);
  rows.sort(function (a, b) { return drops[b] - drops[a]; }).forEach(function (k) {
    var tr = el('tr'); tr.appendChild(el('td', k, 'l')); tr.appendChild(el('td', count(drops[k]))); t.appendChild(tr);
  });
  box.appendChild(t);
}

/** A round grid step (1, 2 or 5 × 10^n) at least v. */
function niceStep(v) { if (!(v > 0)) return 250; var p = Math.pow(10, Math.floor(Math.log10(v))), m = v / p; return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p; }

function drawChart() {
  var svg = $('chart'), W = svg.clientWidth || 800, H = 220, L = 64, R = 12, T = 10, B = 24;
  svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
  var newest = history.length ? history[history.length - 1].t : 0;
  var max = 4 * niceStep(history.reduce(function (m, p) { return Math.max(m, p.bytesIn, p.bytesOut); }, 0) * 1.05 / 4);
  var x = function (t) { return L + (W - L - R) * (1 - (newest - t) / windowMs); };
  var y = function (v) { return T + (H - T - B) * (1 - v / max); };
  var NS = 'http://www.w3.org/2000/svg', g = $('axes');
  g.textContent = '';
  for (var i = 0; i <= 4; i++) {
    var v = max * i / 4, yy = y(v);
    var ln = document.createElementNS(NS, 'line'); ln.setAttribute('class', 'grid');
    ln.setAttribute('x1', L); ln.setAttribute('x2', W - R); ln.setAttribute('y1', yy); ln.setAttribute('y2', yy); g.appendChild(ln);
    var tx = document.createElementNS(NS, 'text'); tx.setAttribute('x', L - 6); tx.setAttribute('y', yy + 4); tx.setAttribute('text-anchor', 'end'); tx.textContent = rate(v); g.appendChild(tx);
  }
  var step = windowMs <= 60000 ? 10000 : windowMs <= 180000 ? 30000 : 60000;
  for (var ago = 0; ago <= windowMs; ago += step) {
    var lx = document.createElementNS(NS, 'text'); lx.setAttribute('x', x(newest - ago)); lx.setAttribute('y', H - 6);
    lx.setAttribute('text-anchor', ago === 0 ? 'end' : ago === windowMs ? 'start' : 'middle');
    lx.textContent = ago === 0 ? 'now' : '-' + (ago % 60000 === 0 ? ago / 60000 + 'm' : ago / 1000 + 's'); g.appendChild(lx);
  }
  ['In', 'Out'].forEach(function (d) {
    var pts = history.map(function (p) { return x(p.t).toFixed(1) + ',' + y(p['bytes' + d]).toFixed(1); });
    var line = $('line-' + d.toLowerCase());
    line.setAttribute('points', pts.join(' '));
    line.setAttribute('data-count', String(pts.length));
  });
  svg.setAttribute('data-newest', String(newest));
}

function connect() {
  var es = new EventSource('api/events');
  es.addEventListener('open', function () { $('link').textContent = 'live'; });
  es.addEventListener('state', function (e) { render(JSON.parse(e.data)); });
  es.addEventListener('bye', function () { $('link').textContent = 'server stopped'; pill('stopped', 'bad'); es.close(); });
  es.addEventListener('error', function () { if (es.readyState !== 2) $('link').textContent = 'reconnecting\\u2026'; });
}
window.addEventListener('resize', drawChart);
connect();
})();
`;

const BODY = `
<header>
  <h1>gdwire relay <span id="version" class="meta"></span></h1>
  <span id="status" class="pill warn">connecting</span>
  <span id="meta" class="meta"></span>
  <span id="link">connecting…</span>
</header>
<main>
  <div id="banner" class="banner" role="alert" hidden></div>
  <div class="tiles">
    <div class="tile"><div class="label">Peers</div><div class="value" id="t-peers">–</div></div>
    <div class="tile"><div class="label">Rooms</div><div class="value" id="t-rooms">–</div></div>
    <div class="tile"><div class="label">In</div><div class="value" id="t-in">–</div></div>
    <div class="tile"><div class="label">Out</div><div class="value" id="t-out">–</div></div>
    <div class="tile"><div class="label">Packets/s in / out</div><div class="value" id="t-pps">–</div></div>
    <div class="tile"><div class="label">Relay drops</div><div class="value" id="t-drops">–</div></div>
  </div>
  <section>
    <h2>Traffic</h2>
    <div class="legend"><span><i style="background:var(--in)"></i>in (from peers)</span><span><i style="background:var(--out)"></i>out (to peers)</span></div>
    <svg id="chart" role="img" aria-label="traffic over the last minutes" preserveAspectRatio="none">
      <g id="axes"></g>
      <polyline id="line-in" fill="none" stroke="#4fa3ff" stroke-width="2" points="" data-count="0"></polyline>
      <polyline id="line-out" fill="none" stroke="#ffa64d" stroke-width="2" points="" data-count="0"></polyline>
    </svg>
  </section>
  <section><h2>Rooms and peers</h2><div id="rooms"><div class="empty">Waiting for data…</div></div></section>
  <section><h2>Relay drops by reason</h2><div id="drops"></div></section>
</main>
<footer><a href="metrics">/metrics</a><a href="healthz">/healthz</a><a href="api/state">/api/state</a></footer>
`;

let cached: string | null = null;

/** The page (built once). */
export function dashboardPage(): string {
  cached ??= `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gdwire relay</title>
<style>${STYLE}</style>
</head>
<body>${BODY}<script>${SCRIPT}</script>
</body>
</html>
`;
  return cached;
}
