// The live viewer: Server-Sent Events from /api/v1/events/stream, a virtualized list (only the
// visible rows exist in the DOM, so thousands of events per second stay smooth), a detail pane,
// charts. Event data is untrusted: every value goes in with textContent, never as HTML.
// The list asks the server for at most SAMPLE events a second, evenly spread; the charts are drawn
// from the server's per-second summaries, which count every matching event.
"use strict";

const ROW = 22;            // px per row (see .row in valentia.css)
const KEEP = 50000;        // events kept in memory
// events per second the list gets at most (?sample=N in the page's address asks for another rate)
const SAMPLE = Math.min(100000, Math.max(1, Number(new URLSearchParams(location.search).get("sample")) || 200));
const store = [];          // every event received under any filter, newest last (at most KEEP)
const pending = [];        // received while paused, shown on resume
const seen = new Set();    // source + id of every event in store and pending: a restarted stream repeats none
let events = [];           // what the list shows: the store through the current filter, newest last
let matches = () => true;  // the current filter, evaluated here as the server does
let selected = null;
let paused = false;
let source = null;
let thisStream = new WeakSet(); // the events the current stream sent
let dirty = false;
let received = 0;
let dropped = 0;
let lastSummary = null;    // {matched, sent, at}: the last second the server summed up

const list = document.getElementById("list");
const spacer = document.getElementById("spacer");
const detail = document.getElementById("detail");
const state = document.getElementById("state");
const pauseButton = document.getElementById("pause");
const numbers = new Intl.NumberFormat("en");

const key = (event) => (event.source || "") + "\u0000" + (event.id || "");

// ---- the stream ------------------------------------------------------------------------------

// Applies the filter box: at once to what was received (client-side), and to the server's stream,
// which restarts with it. The events already here stay; the new stream adds only unseen ones.
async function connect() {
  const filter = document.getElementById("filter").value.trim();
  // the new stream starts at the end of the log: a catch-up from an older position would reach the
  // list but not the charts' per-second summaries. Whatever a stream sends again (the old one's
  // last frames, a reconnection) is recognised by its id and not shown twice.
  const url = "/api/v1/events/stream?from=end&sample=" + SAMPLE + (filter ? "&filter=" + encodeURIComponent(filter) : "");
  const errorBox = document.getElementById("filter-error");
  errorBox.textContent = "";
  const local = eventFilter.compile(filter);
  if (local) refilter(local);
  state.textContent = "connecting";
  state.className = "state";
  // EventSource cannot read an error body: ask once with fetch so a bad filter shows its message
  const check = await fetch(url + "&validate=true", { cache: "no-store" }).catch(() => null);
  if (check && check.status === 400) {
    errorBox.textContent = (await check.json()).error;
    if (source) source.close();
    source = null;
    state.textContent = "filter error";
    state.className = "state";
    return;
  }
  thisStream = new WeakSet();
  // a filter the server takes but this page does not evaluate (a CEL macro such as exists, a
  // timestamp, arithmetic; see filter.js): show what the new stream sends
  if (!local) refilter((event) => thisStream.has(event));
  if (source) source.close();
  source = null;
  dropped = 0;
  lastSummary = null;
  source = new EventSource(url);
  const mine = source;
  // "ready" comes once the server reads the log at the asked position
  source.addEventListener("ready", () => { showState(); state.className = "state live"; });
  source.addEventListener("message", (m) => {
    let event;
    try { event = JSON.parse(m.data); } catch (e) { return; }
    take(event);
  });
  // once a second: every matching event counted for the charts, and how many the list got
  source.addEventListener("summary", (m) => {
    if (mine !== source) return;
    let summary;
    try { summary = JSON.parse(m.data); } catch (e) { return; }
    chartsTake(summary);
    lastSummary = { matched: summary.matched, sent: summary.sent, at: Date.now() };
    dirty = true;
  });
  source.addEventListener("dropped", (m) => {
    try { dropped += JSON.parse(m.data).dropped; } catch (e) { /* ignore */ }
  });
  source.addEventListener("error", () => { state.textContent = "reconnecting"; state.className = "state"; });
}

// One event from the server: kept unless already here; shown now, or on resume when paused.
function take(event) {
  const id = key(event);
  if (seen.has(id)) return;
  seen.add(id);
  thisStream.add(event);
  received++;
  dirty = true; // the counts move on even while paused
  if (paused) {
    pending.push(event);
    trim(pending);
    showState();
    return;
  }
  store.push(event);
  trim(store);
  if (matches(event)) events.push(event);
}

// Keeps at most KEEP events in a buffer, forgetting the oldest.
function trim(buffer) {
  if (buffer.length <= KEEP) return;
  const gone = buffer.splice(0, buffer.length - KEEP);
  for (const event of gone) seen.delete(key(event));
  if (buffer === store) {
    const left = new Set(gone);
    let cut = 0;
    while (cut < events.length && left.has(events[cut])) cut++;
    if (cut) events.splice(0, cut);
  }
}

function refilter(predicate) {
  matches = predicate;
  events = store.filter((event) => matches(event));
  if (selected && !matches(selected)) { selected = null; detail.textContent = "select an event to see the raw CloudEvent"; }
  dirty = true;
  showState();
}

function newWhilePaused() {
  return pending.reduce((n, event) => n + (matches(event) ? 1 : 0), 0);
}

function showState() {
  if (!source) return;
  state.textContent = paused ? "paused — " + numbers.format(newWhilePaused()) + " new" : "live";
}

function resume() {
  paused = false;
  for (const event of pending.splice(0)) {
    store.push(event);
    if (matches(event)) events.push(event);
  }
  trim(store);
  dirty = true;
}

document.getElementById("filter-form").addEventListener("submit", (e) => { e.preventDefault(); connect(); });
pauseButton.addEventListener("click", () => {
  if (paused) resume(); else paused = true;
  pauseButton.textContent = paused ? "Resume" : "Pause";
  pauseButton.setAttribute("aria-pressed", String(paused));
  showState();
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
    numbers.format(events.length) + " shown, " + numbers.format(received) + " received" +
    (dropped ? ", " + numbers.format(dropped) + " dropped by the server" : "");
  if (paused) showState();
  const sampled = lastSummary && Date.now() - lastSummary.at < 3000 && lastSummary.sent < lastSummary.matched;
  document.getElementById("sampling").textContent = sampled
    ? "showing " + lastSummary.sent + " of " + lastSummary.matched + " per second (the charts count every event)"
    : "";
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
const frameTimes = [];                     // {second, hz, bucket, counts, p99} per stats event
const mtu = new Map();                     // "from\u0000to" -> {ok, size}
let rateChart = null;

// Axis labels far enough apart not to touch at any width: a time label every 70 px at least
// (hh:mm:ss, one line), counts every 24 px with room for their width.
const clock = (second) => new Date(second * 1000).toTimeString().slice(0, 8);
const RATE_AXES = [
  { space: 70, size: 28, values: (u, splits) => splits.map(clock) },
  {
    space: 24,
    values: (u, splits) => splits.map((v) => (Number.isInteger(v) ? numbers.format(v) : "")),
    size: (u, values) => 16 + 7 * Math.max(1, ...(values || []).map((v) => String(v).length)),
  },
];

function rateWidth() {
  return Math.max(200, document.getElementById("rate-chart").clientWidth || 400);
}

window.addEventListener("resize", () => {
  if (rateChart) rateChart.setSize({ width: rateWidth(), height: 180 });
});

// One second's summary from the server: counts by type, frame-time histograms summed by rate and
// bucket width, the last MTU result of each pair.
function chartsTake(summary) {
  const second = summary.second;
  for (const [type, n] of Object.entries(summary.types || {})) {
    if (!perType.has(type)) perType.set(type, new Map());
    const counts = perType.get(type);
    counts.set(second, (counts.get(second) || 0) + n);
  }
  for (const f of summary.frames || []) {
    if (!Array.isArray(f.counts)) continue;
    frameTimes.push({ second, hz: f.hz, bucket: f.bucketMicros, counts: f.counts });
    if (frameTimes.length > 600) frameTimes.shift();
  }
  for (const cell of summary.mtu || []) {
    mtu.set(cell.from + "\u0000" + cell.peer, { ok: cell.ok === true, size: cell.size });
  }
}

function topTypes() {
  const totals = [...perType.entries()].map(([t, m]) => [t, [...m.values()].reduce((a, b) => a + b, 0)]);
  totals.sort((a, b) => b[1] - a[1]);
  return totals.slice(0, 6).map((e) => e[0]);
}

function drawCharts() {
  dirty = true; // the sampling notice ages
  const now = Math.floor(Date.now() / 1000);
  const xs = [];
  for (let s = now - WINDOW; s <= now; s++) xs.push(s);
  const types = topTypes();
  const series = types.map((t) => xs.map((s) => perType.get(t).get(s) || 0));
  for (const m of perType.values()) for (const s of m.keys()) if (s < now - WINDOW) m.delete(s);
  const colours = ["#1f6fb2", "#b8420f", "#2a8a3e", "#8a2a8a", "#a58a00", "#555"];
  if (window.uPlot) {
    const key = types.join("|");
    if (!rateChart || rateChart.key !== key) {
      if (rateChart) rateChart.destroy();
      rateChart = new uPlot({
        width: rateWidth(), height: 180,
        series: [{}].concat(types.map((t, i) => ({ label: t.replace(/^io\.valentia\./, ""), stroke: colours[i] }))),
        axes: RATE_AXES,
      }, [xs].concat(series), document.getElementById("rate-chart"));
      rateChart.key = key;
    } else {
      rateChart.setData([xs].concat(series));
    }
  }
  drawFrames(now);
  drawMtu();
}

// The frame-time distribution of the last WINDOW seconds: the stats events' histograms summed,
// drawn as SVG bars with the frame budget (1000 / hz ms) marked.
function drawFrames(now) {
  while (frameTimes.length && frameTimes[0].second < now - WINDOW) frameTimes.shift();
  const box = document.getElementById("frame-chart");
  const summary = document.getElementById("frame-summary");
  if (frameTimes.length === 0) {
    box.replaceChildren();
    summary.textContent = "no frame stats in the last " + WINDOW + " s";
    return;
  }
  const bucket = frameTimes[frameTimes.length - 1].bucket;
  const hz = frameTimes[frameTimes.length - 1].hz;
  const sums = [];
  let frames = 0;
  for (const f of frameTimes) {
    if (f.bucket !== bucket) continue;
    f.counts.forEach((c, i) => { sums[i] = (sums[i] || 0) + c; frames += c; });
  }
  const NS = "http://www.w3.org/2000/svg";
  const width = Math.max(200, box.clientWidth || 400);
  const height = 180;
  const left = 40, bottom = 20, top = 8;
  const max = Math.max(1, ...sums.map((v) => v || 0));
  const barWidth = (width - left - 8) / sums.length;
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("width", width);
  svg.setAttribute("height", height);
  svg.setAttribute("class", "histogram");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", "frame-time distribution of " + frames + " frames");
  const add = (tag, attrs, text) => {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    svg.appendChild(node);
    return node;
  };
  // a log scale, so that the few late frames stay visible beside thousands of on-time ones
  const y = (v) => top + (height - top - bottom) * (1 - Math.log10(1 + v) / Math.log10(1 + max));
  sums.forEach((v, i) => {
    if (!v) return;
    const late = (i * bucket) / 1000 > 1000 / hz;
    const bar = add("rect", { x: left + i * barWidth, y: y(v), width: Math.max(1, barWidth - 1),
      height: height - bottom - y(v), class: late ? "bar late" : "bar" });
    const from = (i * bucket) / 1000;
    const upTo = i === sums.length - 1 ? "+" : "–" + ((i + 1) * bucket) / 1000;
    bar.appendChild(document.createElementNS(NS, "title")).textContent = from + upTo + " ms: " + v + " frames";
  });
  const budgetX = left + ((1000 / hz) * 1000 / bucket) * barWidth;
  add("line", { x1: budgetX, x2: budgetX, y1: top, y2: height - bottom, class: "budget" });
  // the budget's label on the side of its line with room for it
  const budgetLeft = budgetX > width - 100;
  add("text", { x: budgetLeft ? budgetX - 3 : budgetX + 3, y: top + 10, class: "axis-label",
    "text-anchor": budgetLeft ? "end" : "start" }, "budget " + (1000 / hz).toFixed(1) + " ms");
  add("line", { x1: left, x2: width - 8, y1: height - bottom, y2: height - bottom, class: "axis" });
  // a label every STEP ms, STEP the smallest of 1, 2, 5, 10, 20, 50... that keeps them 48 px apart
  const pxPerMs = (1000 / bucket) * barWidth;
  const step = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000].find((n) => n * pxPerMs >= 48) || 10000;
  for (let ms = 0; ms <= (sums.length * bucket) / 1000; ms += step) {
    const x = left + ms * pxPerMs;
    if (x > width - 20) break;
    add("text", { x, y: height - 6, class: "axis-label", "text-anchor": ms === 0 ? "start" : "middle" }, ms + " ms");
  }
  add("text", { x: left - 4, y: top + 8, class: "axis-label", "text-anchor": "end" }, String(max));
  box.replaceChildren(svg);
  const late = sums.reduce((a, v, i) => a + ((i * bucket) / 1000 > 1000 / hz ? v || 0 : 0), 0);
  summary.textContent = frames + " frames in the last " + WINDOW + " s at " + hz + " Hz; " + late +
    " over the budget";
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
