// The event search page over GET /api/v1/events/search: a Lucene query, a time range, facets that
// narrow the query when clicked, highlighted snippets, cursor paging, and the matches over time.
// Everything from the server is inserted as text: a snippet's <b>…</b> marks become <mark>
// elements around text nodes (record.js), nothing the server sends is parsed as markup.
"use strict";

const BUCKETS = 24;

const searchPage = {
  // The cursors of the pages seen so far: cursors[n] fetches page n (null for the first).
  cursors: [null],
  page: 0,
  request: null, // {q, from, to, sort, size} of the search shown
  histogramToken: 0,
  showToken: 0, // answers to an older search or page are dropped

  // The chosen time range as ISO instants (either may be null: unbounded).
  range() {
    const preset = document.getElementById("range").value;
    const spans = { "15m": 15 * 60e3, "1h": 3600e3, "24h": 24 * 3600e3, "7d": 7 * 24 * 3600e3 };
    if (spans[preset]) {
      return { from: new Date(Date.now() - spans[preset]).toISOString(), to: null };
    }
    if (preset === "custom") {
      const read = (id) => {
        const value = document.getElementById(id).value;
        return value ? new Date(value).toISOString() : null;
      };
      return { from: read("from"), to: read("to") };
    }
    return { from: null, to: null };
  },

  // A datetime-local input's value (local time) for an ISO instant.
  local(iso) {
    const d = new Date(iso);
    const pad = (n) => String(n).padStart(2, "0");
    const ms = d.getMilliseconds();
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" +
      pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()) +
      (ms ? "." + String(ms).padStart(3, "0") : "");
  },

  url(request, cursor, extra) {
    const params = new URLSearchParams();
    if (request.q) params.set("q", request.q);
    if (request.from) params.set("from", request.from);
    if (request.to) params.set("to", request.to);
    params.set("sort", request.sort);
    params.set("size", String(request.size));
    if (cursor) params.set("cursor", cursor);
    for (const [k, v] of Object.entries(extra || {})) params.set(k, v);
    return "/api/v1/events/search?" + params.toString();
  },

  // Starts a new search from the form: first page, fresh histogram, the URL remembers it.
  start() {
    const { from, to } = searchPage.range();
    searchPage.request = {
      q: document.getElementById("q").value.trim(),
      from, to,
      sort: document.getElementById("sort").value,
      size: Number(document.getElementById("size").value),
    };
    const shown = new URLSearchParams();
    if (searchPage.request.q) shown.set("q", searchPage.request.q);
    if (from) shown.set("from", from);
    if (to) shown.set("to", to);
    if (searchPage.request.sort !== "newest") shown.set("sort", searchPage.request.sort);
    history.replaceState(null, "", "/search" + (shown.toString() ? "?" + shown.toString() : ""));
    searchPage.cursors = [null];
    searchPage.page = 0;
    document.getElementById("summary").textContent = "searching…";
    searchPage.show();
    searchPage.histogram();
  },

  async show() {
    const token = ++searchPage.showToken;
    const request = searchPage.request;
    const answer = await valentia.api("GET", searchPage.url(request, searchPage.cursors[searchPage.page]));
    if (token !== searchPage.showToken) return;
    const results = document.getElementById("results");
    if (!records.answered(answer, "search")) {
      results.replaceChildren();
      document.getElementById("facets").replaceChildren();
      document.getElementById("summary").textContent = "";
      searchPage.pager(null);
      return;
    }
    records.notice("");
    const body = answer.body;
    if (searchPage.page === 0) {
      records.facets(document.getElementById("facets"), body.facets, (dimension, value) => {
        const box = document.getElementById("q");
        const term = dimension + ":" + records.quote(value);
        box.value = box.value.trim() ? "(" + box.value.trim() + ") AND " + term : term;
        searchPage.start();
      });
    }
    const hits = body.hits || [];
    const first = searchPage.page * request.size + 1;
    document.getElementById("summary").textContent = body.total === 0 ? "no events match"
      : body.total + (body.total === 1 ? " event matches" : " events match") + "; " + first + "–" + (first + hits.length - 1) + " shown";
    results.start = first;
    results.replaceChildren(...hits.map(searchPage.hit));
    if (body.nextCursor) searchPage.cursors[searchPage.page + 1] = body.nextCursor;
    searchPage.pager(body.nextCursor);
  },

  hit(hit) {
    const e = hit.source || {};
    const li = valentia.el("li", null, "result sev-" + (e.severity || "info"));
    li.dataset.id = hit.id;
    const head = valentia.el("div", null, "hit-head");
    const time = valentia.el("time", hit.time.replace("T", " ").replace("Z", " UTC"), "when");
    time.dateTime = hit.time;
    head.appendChild(time);
    head.appendChild(valentia.el("span", e.severity || "info", "badge severity-" + (e.severity || "info")));
    head.appendChild(valentia.el("span", records.short(e.type), "badge type"));
    if (e.subject) head.appendChild(valentia.el("code", e.subject, "hit-subject"));
    if (e.incidentid) {
      const link = valentia.el("a", "incident " + e.incidentid, "incident-link");
      link.href = "/incidents?id=" + encodeURIComponent(e.incidentid);
      head.appendChild(link);
    }
    if (e.experimentid) head.appendChild(valentia.el("span", "run " + e.experimentid, "when"));
    li.appendChild(head);
    const line = valentia.el("div", null, "snippet-line");
    // a snippet without a highlight (a query on exact fields only) says less than the data
    if (hit.snippet && hit.snippet.includes("<b>")) {
      line.appendChild(records.snippet(hit.snippet));
    } else {
      const data = e.data === undefined ? "" : JSON.stringify(e.data);
      line.textContent = data.length > 240 ? data.slice(0, 240) + "…" : data;
    }
    li.appendChild(line);
    const toggle = valentia.el("button", "show event", "link-button");
    toggle.type = "button";
    toggle.setAttribute("aria-expanded", "false");
    toggle.addEventListener("click", () => {
      const open = li.querySelector("pre");
      if (open) {
        open.remove();
        toggle.textContent = "show event";
        toggle.setAttribute("aria-expanded", "false");
        return;
      }
      li.appendChild(valentia.el("pre", JSON.stringify(e, null, 2), "event-json"));
      toggle.textContent = "hide event";
      toggle.setAttribute("aria-expanded", "true");
    });
    head.appendChild(toggle);
    return li;
  },

  pager(next) {
    document.getElementById("first").disabled = searchPage.page === 0;
    document.getElementById("prev").disabled = searchPage.page === 0;
    document.getElementById("next").disabled = !next;
    document.getElementById("page").textContent = searchPage.request ? "page " + (searchPage.page + 1) : "";
  },

  // Matches over time: the range cut in BUCKETS slices, each counted exactly by the API (a search
  // of size 1 per slice, reading its total). Without a start, the range begins at the oldest match.
  async histogram() {
    const token = ++searchPage.histogramToken;
    const box = document.getElementById("histogram");
    const note = document.getElementById("histogram-note");
    const request = searchPage.request;
    // the bars of the previous search go at once, never shown as this one's
    box.replaceChildren();
    note.textContent = "counting the matches over time…";
    let from = request.from ? Date.parse(request.from) : NaN;
    const to = request.to ? Date.parse(request.to) : Date.now();
    if (!Number.isFinite(from)) {
      const oldest = await valentia.api("GET", searchPage.url({ ...request, sort: "oldest", size: 1 }, null, { facet: "none" }));
      if (token !== searchPage.histogramToken) return;
      const hit = oldest.status === 200 && (oldest.body.hits || [])[0];
      if (!hit) {
        box.replaceChildren();
        note.textContent = "";
        return;
      }
      from = Date.parse(hit.time);
    }
    // the last slice ends at the range's end (exclusive), so one just after the newest match
    const end = request.to ? to : Math.max(to, from) + 1;
    const span = Math.max(end - from, 1);
    const step = span / BUCKETS;
    const slices = [];
    for (let i = 0; i < BUCKETS; i++) {
      slices.push({ from: from + Math.round(i * step), to: i === BUCKETS - 1 ? end : from + Math.round((i + 1) * step) });
    }
    const counts = new Array(BUCKETS).fill(null);
    // a few at a time: the counts are cheap, the event loop of the server is shared
    for (let i = 0; i < BUCKETS; i += 6) {
      await Promise.all(slices.slice(i, i + 6).map(async (s, j) => {
        const answer = await valentia.api("GET", searchPage.url({
          ...request, from: new Date(s.from).toISOString(), to: new Date(s.to).toISOString(), size: 1,
        }, null, { facet: "none" }));
        counts[i + j] = answer.status === 200 ? answer.body.total : null;
      }));
      if (token !== searchPage.histogramToken) return;
    }
    searchPage.drawHistogram(box, slices, counts);
    const [unit, ms] = [["day", 86400e3], ["hour", 3600e3], ["minute", 60e3], ["second", 1e3], ["millisecond", 1]]
      .find(([, size]) => step >= size) || ["millisecond", 1];
    const amount = Math.round(step / ms * 10) / 10;
    const width = amount + " " + unit + (amount === 1 ? "" : "s");
    note.textContent = "matches over time: " + BUCKETS + " bars of " + width + ", each counted exactly by the search API; click a bar to search its time.";
  },

  drawHistogram(box, slices, counts) {
    const NS = "http://www.w3.org/2000/svg";
    const width = 960;
    const height = 120;
    const left = 40;
    const bottom = 22;
    const max = Math.max(1, ...counts.map((c) => c || 0));
    const svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.setAttribute("class", "histogram search-histogram");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "matches over time, at most " + max + " per bar");
    const node = (tag, attrs, text) => {
      const n = document.createElementNS(NS, tag);
      for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
      if (text !== undefined) n.textContent = text;
      svg.appendChild(n);
      return n;
    };
    const plot = height - bottom - 6;
    const barWidth = (width - left) / slices.length;
    node("line", { x1: left, y1: height - bottom, x2: width, y2: height - bottom, class: "axis" });
    node("text", { x: left - 4, y: 10, class: "axis-label", "text-anchor": "end" }, String(max));
    node("text", { x: left - 4, y: height - bottom, class: "axis-label", "text-anchor": "end" }, "0");
    slices.forEach((s, i) => {
      const c = counts[i];
      const h = c ? Math.max(2, Math.round(c / max * plot)) : 0;
      const bar = node("rect", {
        x: left + i * barWidth + 1, y: height - bottom - h, width: Math.max(1, barWidth - 2), height: h,
        class: "bar" + (c === null ? " unknown" : ""),
      });
      const title = document.createElementNS(NS, "title");
      title.textContent = (c === null ? "?" : c) + " from " + new Date(s.from).toISOString() + " to " + new Date(s.to).toISOString();
      bar.appendChild(title);
      // the whole column is the target, so a slice with few matches is still easy to click
      const hit = node("rect", {
        x: left + i * barWidth, y: 0, width: barWidth, height: height - bottom, class: "bar-target",
        tabindex: 0, role: "button", "aria-label": "search the " + title.textContent,
      });
      hit.appendChild(title.cloneNode(true));
      hit.addEventListener("click", () => searchPage.zoom(s));
      hit.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          searchPage.zoom(s);
        }
      });
    });
    const label = (t) => new Date(t).toISOString().slice(0, 19).replace("T", " ");
    node("text", { x: left, y: height - 6, class: "axis-label", "text-anchor": "start" }, label(slices[0].from));
    node("text", { x: width, y: height - 6, class: "axis-label", "text-anchor": "end" }, label(slices[slices.length - 1].to) + " UTC");
    box.replaceChildren(svg);
  },

  zoom(slice) {
    document.getElementById("range").value = "custom";
    document.getElementById("from").value = searchPage.local(new Date(slice.from).toISOString());
    document.getElementById("to").value = searchPage.local(new Date(slice.to).toISOString());
    searchPage.start();
  },

  wire() {
    document.getElementById("search-form").addEventListener("submit", (e) => {
      e.preventDefault();
      searchPage.start();
    });
    for (const id of ["range", "sort", "size"]) document.getElementById(id).addEventListener("change", searchPage.start);
    for (const id of ["from", "to"]) {
      document.getElementById(id).addEventListener("change", () => {
        document.getElementById("range").value = "custom";
      });
    }
    document.getElementById("next").addEventListener("click", () => {
      searchPage.page++;
      searchPage.show();
    });
    document.getElementById("prev").addEventListener("click", () => {
      searchPage.page = Math.max(0, searchPage.page - 1);
      searchPage.show();
    });
    document.getElementById("first").addEventListener("click", () => {
      searchPage.page = 0;
      searchPage.show();
    });
    const params = new URLSearchParams(location.search);
    document.getElementById("q").value = params.get("q") || "";
    if (params.get("from") || params.get("to")) {
      document.getElementById("range").value = "custom";
      if (params.get("from")) document.getElementById("from").value = searchPage.local(params.get("from"));
      if (params.get("to")) document.getElementById("to").value = searchPage.local(params.get("to"));
    }
    if (["oldest", "relevance"].includes(params.get("sort"))) document.getElementById("sort").value = params.get("sort");
  },
};

searchPage.wire();
valentia.requireSession().then((s) => { if (s) searchPage.start(); });
