// Renders GET /health (public, no login needed) like `ceph -s`: the status badge, each raised
// check with its summary and detail lines, the services of this process and the Kafka cluster.
// Everything from the server is inserted as text (textContent), never as HTML.
"use strict";

const health = {
  // Detail lines shown before "N more" folds the rest away.
  DETAIL_SHOWN: 5,

  el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  },

  short(status) {
    return String(status || "").replace(/^HEALTH_/, "");
  },

  async refresh() {
    let report;
    try {
      const response = await fetch("/health", { cache: "no-store" });
      report = await response.json();
    } catch (e) {
      const status = document.getElementById("status");
      status.textContent = "unreachable";
      status.className = "status HEALTH_ERR";
      return;
    }
    const status = document.getElementById("status");
    status.textContent = report.status;
    status.className = "status " + report.status;
    health.checks(report.checks || {});
    health.services(report.services || {});
    health.kafka(report.kafka || {});
  },

  checks(checks) {
    const list = document.getElementById("checks");
    list.replaceChildren();
    const names = Object.keys(checks);
    const tile = document.getElementById("tile-health");
    if (tile) {
      const counts = {};
      for (const name of names) counts[checks[name].severity] = (counts[checks[name].severity] || 0) + 1;
      tile.textContent = names.length === 0 ? "all checks pass"
        : Object.entries(counts).map(([s, n]) => n + " " + health.short(s)).join(", ");
      tile.className = names.length === 0 ? "good" : (counts.HEALTH_ERR ? "bad" : "warn");
    }
    if (names.length === 0) {
      list.appendChild(health.el("li", "all checks pass", "check-none"));
      return;
    }
    for (const name of names) {
      const check = checks[name];
      const li = health.el("li", null, "check " + check.severity + (check.muted ? " muted" : ""));
      const head = health.el("div", null, "check-head");
      head.appendChild(health.el("span", health.short(check.severity), "badge check-" + check.severity));
      if (check.muted) head.appendChild(health.el("span", "muted", "badge"));
      head.appendChild(health.el("code", name, "check-name"));
      head.appendChild(health.el("span", check.summary, "check-summary"));
      li.appendChild(head);
      const detail = check.detail || [];
      if (detail.length) {
        const lines = health.el("ul", null, "check-detail");
        for (const line of detail.slice(0, health.DETAIL_SHOWN)) lines.appendChild(health.el("li", line));
        li.appendChild(lines);
        if (detail.length > health.DETAIL_SHOWN) {
          const more = health.el("details", null, "check-more");
          more.appendChild(health.el("summary", (detail.length - health.DETAIL_SHOWN) + " more detail lines"));
          const rest = health.el("ul", null, "check-detail");
          for (const line of detail.slice(health.DETAIL_SHOWN)) rest.appendChild(health.el("li", line));
          more.appendChild(rest);
          li.appendChild(more);
        }
      }
      list.appendChild(li);
    }
  },

  services(services) {
    const list = document.getElementById("services");
    list.replaceChildren();
    const entries = Object.entries(services);
    let running = 0;
    for (const [name, service] of entries) {
      const state = String(service.state || "unknown");
      if (state === "running") running++;
      const li = health.el("li");
      li.appendChild(health.el("span", state, "badge service-" + state));
      li.appendChild(health.el("strong", name));
      if (service.detail) li.appendChild(health.el("span", " " + service.detail, "when"));
      list.appendChild(li);
    }
    if (entries.length === 0) list.appendChild(health.el("li", "no services", "empty"));
    const tile = document.getElementById("tile-services");
    if (tile) {
      tile.textContent = running + " of " + entries.length + " running";
      tile.className = running === entries.length ? "good" : "warn";
    }
  },

  kafka(kafka) {
    document.getElementById("kafka").textContent = (kafka.bootstrap || "?") +
      (kafka.embedded ? " (embedded broker)" : "") + (kafka.reachable ? ", reachable" : ", unreachable");
    document.getElementById("kafka").className = "kafka " + (kafka.reachable ? "ok" : "error");
    const topics = document.getElementById("topics");
    topics.replaceChildren();
    const all = Object.values(kafka.topics || {});
    const records = all.reduce((sum, t) => sum + (t.records >= 0 ? t.records : 0), 0);
    document.getElementById("topics-summary").textContent = all.length + " topics, " + records + " records";
    for (const [name, topic] of Object.entries(kafka.topics || {})) {
      const tr = health.el("tr");
      tr.appendChild(health.el("td", name.replace(/^valentia\./, "")));
      tr.appendChild(health.el("td", topic.partitions, "num"));
      tr.appendChild(health.el("td", topic.replicationFactor, "num"));
      tr.appendChild(health.el("td", topic.records >= 0 ? topic.records : "?", "num"));
      tr.title = name;
      topics.appendChild(tr);
    }
  },
};

health.refresh();
setInterval(health.refresh, 5000);
