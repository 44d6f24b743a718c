// The live viewer: Server-Sent Events from /api/v1/events/stream, a virtualized list (only the
// visible rows exist in the DOM, so thousands of events per second stay smooth), a detail pane,
// charts. Event data is untrusted: every value goes in with textContent, never as HTML.
"use strict";

const ROW = 22;            // px per row (see .row in valentia.css)
const KEEP = 50000;        // events kept in memory
const events = [];         // newest last
let selected = null;
let paused = false;
let source = null;
let dirty = false;
let received = 0;
let dropped = 0;

const list = document.getElementById("list");
const spacer = document.getElementById("spacer");
const detail = document.getElementById("detail");
const state = document.getElementById("state");

// ---- the stream ------------------------------------------------------------------------------

async function connect() {
  if (source) source.close();
  source = null;
  state.textContent = "connecting";
  state.className = "state";
  const filter = document.getElementById("filter").value.trim();
  const url = "/api/v1/events/stream?from=end" + (filter ? "&filter=" + encodeURIComponent(filter) : "");
  const errorBox = document.getElementById("filter-error");
  errorBox.textContent = "";
  // EventSource cannot read an error body: ask once with fetch so a bad filter shows its message
  const check = await fetch(url + "&validate=true", { cache: "no-store" }).catch(() => null);
  if (check && check.status === 400) {
    errorBox.textContent = (await check.json()).error;
    state.textContent = "filter error";
    state.className = "state";
    return;
  }
  events.length = 0;
  received = 0;
  dropped = 0;
  selected = null;
  dirty = true;
  source = new EventSource(url);
  // "ready" comes once the server reads the log at the asked position
  source.addEventListener("ready", () => { state.textContent = paused ? "paused" : "live"; state.className = "state live"; });
  source.addEventListener("message", (m) => {
    let event;
    try { event = JSON.parse(m.data); } catch (e) { return; }
    received++;
    chartsTake(event);
    dirty = true; // the counts move on even while paused
    if (paused) return;
    events.push(event);
    if (events.length > KEEP) events.splice(0, events.length - KEEP);
    dirty = true;
  });
  source.addEventListener("dropped", (m) => {
    try { dropped += JSON.parse(m.data).dropped; } catch (e) { /* ignore */ }
  });
  source.addEventListener("error", () => { state.textContent = "reconnecting"; state.className = "state"; });
}

document.getElementById("filter-form").addEventListener("submit", (e) => { e.preventDefault(); connect(); });
document.getElementById("pause").addEventListener("click", (e) => {
  paused = !paused;
  e.target.textContent = paused ? "Resume" : "Pause";
  state.textContent = paused ? "paused" : "live";
});

// ---- the virtualized list (newest on top) ----------------------------------------------------

function render() {
  if (!dirty) return;
  dirty = false;
  spacer.style.height = (events.length * ROW) + "px";
  const first = Math.floor(list.scrollTop / ROW);
  const count = Math.ceil(list.clientHeight / ROW) + 2;
  const rows = [];
  for (let i = first; i < Math.min(events.length, first + count); i++) {
    const event = events[events.length - 1 - i];
    const row = valentia.el("div", null, "row sev-" + (event.severity || "info") + (event === selected ? " selected" : ""));
    row.style.top = (i * ROW) + "px";
    row.appendChild(valentia.el("span", (event.time || "").replace("T", " ").slice(0, 23), "time"));
    row.appendChild(valentia.el("span", event.severity || "info", "sev"));
    row.appendChild(valentia.el("span", event.type, "type"));
    row.appendChild(valentia.el("span", event.subject || "", "subject"));
    row.appendChild(valentia.el("span", event.data === undefined ? "" : JSON.stringify(event.data), "data"));
    row.addEventListener("click", () => { selected = event; show(event); dirty = true; });
    rows.push(row);
  }
  spacer.replaceChildren(...rows);
  document.getElementById("counts").textContent =
    events.length + " shown, " + received + " received" + (dropped ? ", " + dropped + " dropped by the server" : "");
}

function show(event) {
  detail.textContent = JSON.stringify(event, null, 2);
}

list.addEventListener("scroll", () => { dirty = true; });
function frame() { render(); requestAnimationFrame(frame); }
requestAnimationFrame(frame);

// ---- charts ----------------------------------------------------------------------------------

const WINDOW = 60;                         // seconds shown
const perType = new Map();                 // type -> Map(second -> count)
const frameTimes = [];                     // [second, p99 ms]
const mtu = new Map();                     // "from\u0000to" -> {ok, size}
let rateChart = null;
let frameChart = null;

function chartsTake(event) {
  const second = Math.floor(Date.now() / 1000);
  const type = event.type;
  if (!perType.has(type)) perType.set(type, new Map());
  const counts = perType.get(type);
  counts.set(second, (counts.get(second) || 0) + 1);
  const data = event.data || {};
  if (type === "io.valentia.probe.frame.stats.v1" && typeof data.p99Micros === "number") {
    frameTimes.push([second, data.p99Micros / 1000]);
    if (frameTimes.length > 600) frameTimes.shift();
  }
  if ((type === "io.valentia.probe.mtu.ping.v1" || type === "io.valentia.probe.mtu.mismatch.v1") && data.peer) {
    const from = (event.subject || event.source || "?").split("->")[0];
    const ok = type === "io.valentia.probe.mtu.ping.v1" ? data.ok === true : false;
    mtu.set(from + "\u0000" + data.peer, { ok, size: data.sizeBytes || data.smallestFailingBytes });
  }
}

function topTypes() {
  const totals = [...perType.entries()].map(([t, m]) => [t, [...m.values()].reduce((a, b) => a + b, 0)]);
  totals.sort((a, b) => b[1] - a[1]);
  return totals.slice(0, 6).map((e) => e[0]);
}

function drawCharts() {
  const now = Math.floor(Date.now() / 1000);
  const xs = [];
  for (let s = now - WINDOW; s <= now; s++) xs.push(s);
  const types = topTypes();
  const series = types.map((t) => xs.map((s) => perType.get(t).get(s) || 0));
  for (const m of perType.values()) for (const s of m.keys()) if (s < now - WINDOW) m.delete(s);
  const width = Math.max(300, document.getElementById("rate-chart").clientWidth || 400);
  const colours = ["#1f6fb2", "#b8420f", "#2a8a3e", "#8a2a8a", "#a58a00", "#555"];
  if (window.uPlot) {
    const key = types.join("|");
    if (!rateChart || rateChart.key !== key) {
      if (rateChart) rateChart.destroy();
      rateChart = new uPlot({
        width, height: 180,
        series: [{}].concat(types.map((t, i) => ({ label: t.replace(/^io\.valentia\./, ""), stroke: colours[i] }))),
        axes: [{}, {}],
      }, [xs].concat(series), document.getElementById("rate-chart"));
      rateChart.key = key;
    } else {
      rateChart.setData([xs].concat(series));
    }
    const fx = frameTimes.map((f) => f[0]);
    const fy = frameTimes.map((f) => f[1]);
    if (!frameChart) {
      frameChart = new uPlot({
        width, height: 180,
        series: [{}, { label: "p99 ms", stroke: "#b8420f" }],
        axes: [{}, {}],
      }, [fx, fy], document.getElementById("frame-chart"));
    } else {
      frameChart.setData([fx, fy]);
    }
  }
  drawMtu();
}

function drawMtu() {
  const table = document.getElementById("mtu");
  const hosts = new Set();
  for (const key of mtu.keys()) { const [a, b] = key.split("\u0000"); hosts.add(a); hosts.add(b); }
  const names = [...hosts].sort().slice(0, 24);
  const rows = [];
  const head = valentia.el("tr");
  head.appendChild(valentia.el("th", "from \\ to"));
  for (const n of names) head.appendChild(valentia.el("th", n));
  rows.push(head);
  for (const a of names) {
    const tr = valentia.el("tr");
    tr.appendChild(valentia.el("th", a));
    for (const b of names) {
      const cell = mtu.get(a + "\u0000" + b);
      tr.appendChild(valentia.el("td", cell ? (cell.ok ? "ok" : "fail " + (cell.size || "")) : "", cell ? (cell.ok ? "ok" : "fail") : ""));
    }
    rows.push(tr);
  }
  table.replaceChildren(...rows);
}

setInterval(drawCharts, 1000);

valentia.requireSession().then((session) => { if (session) connect(); });
