// A timeline drawn as SVG: one lane per kind of entry, a dot per entry at its time, coloured by
// severity, with a time axis. Built with createElementNS and textContent only: entry text is
// untrusted and never parsed as markup.
"use strict";

const timeline = (() => {
  const SVG = "http://www.w3.org/2000/svg";
  const LANE = 26;
  const LEFT = 150;
  const RIGHT = 16;
  const TOP = 8;
  const AXIS = 26;

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  function clock(ms, span) {
    const d = new Date(ms);
    const iso = d.toISOString();
    if (span > 2 * 86400000) return iso.slice(5, 16).replace("T", " ");
    return iso.slice(11, span > 600000 ? 16 : span > 10000 ? 19 : 23);
  }

  // entries: [{time: ISO string, lane: string, label: string, severity: string, id: string}]
  // options: {onSelect(entry), width}
  function draw(container, entries, options) {
    options = options || {};
    container.replaceChildren();
    const items = entries
      .map((e) => Object.assign({}, e, { ms: Date.parse(e.time) }))
      .filter((e) => !Number.isNaN(e.ms))
      .sort((a, b) => a.ms - b.ms);
    if (items.length === 0) {
      container.appendChild(valentia.el("p", "no entries with a time to draw", "notice"));
      return;
    }
    const lanes = [...new Set(items.map((e) => e.lane || "other"))];
    const width = Math.max(480, options.width || container.clientWidth || 800);
    const height = TOP + lanes.length * LANE + AXIS;
    const first = items[0].ms;
    const last = items[items.length - 1].ms;
    const span = Math.max(last - first, 1000);
    const x = (ms) => LEFT + ((ms - first) / span) * (width - LEFT - RIGHT);
    const root = svg("svg", {
      class: "timeline", width, height, viewBox: "0 0 " + width + " " + height,
      role: "img", "aria-label": "timeline of " + items.length + " entries",
    });
    lanes.forEach((lane, i) => {
      const y = TOP + i * LANE + LANE / 2;
      root.appendChild(svg("line", { class: "lane", x1: LEFT, x2: width - RIGHT, y1: y, y2: y }));
      const name = lane.length > 22 ? lane.slice(0, 21) + "…" : lane;
      root.appendChild(svg("text", { class: "lane-name", x: LEFT - 8, y: y + 4, "text-anchor": "end" }, name));
    });
    const axisY = TOP + lanes.length * LANE + 4;
    root.appendChild(svg("line", { class: "axis", x1: LEFT, x2: width - RIGHT, y1: axisY, y2: axisY }));
    const ticks = 5;
    for (let i = 0; i <= ticks; i++) {
      const ms = first + (span * i) / ticks;
      const tx = x(ms);
      root.appendChild(svg("line", { class: "tick", x1: tx, x2: tx, y1: axisY, y2: axisY + 4 }));
      root.appendChild(svg("text", {
        class: "tick-label", x: tx, y: axisY + 16,
        "text-anchor": i === 0 ? "start" : i === ticks ? "end" : "middle",
      }, clock(ms, span)));
    }
    for (const entry of items) {
      const lane = lanes.indexOf(entry.lane || "other");
      const dot = svg("circle", {
        class: "mark sev-" + (entry.severity || "info") + (entry.evidence ? " own" : ""),
        cx: x(entry.ms), cy: TOP + lane * LANE + LANE / 2, r: entry.evidence ? 7 : 5, tabindex: 0,
        "data-id": entry.id || "",
      });
      dot.appendChild(svg("title", {}, entry.time + "  " + (entry.label || "")));
      if (options.onSelect) {
        dot.addEventListener("click", () => options.onSelect(entry));
        dot.addEventListener("keydown", (ev) => { if (ev.key === "Enter") options.onSelect(entry); });
      }
      root.appendChild(dot);
    }
    container.appendChild(root);
  }

  return { draw };
})();
