// The notifications page: receivers with their delivery state and a test message each, the routing
// tree, silences (create, expire) and the latest deliveries. Everything from the server is
// inserted as text. Controls the session's role may not use are disabled and say why.
"use strict";

const notificationsPage = {
  ROLES: ["viewer", "responder", "operator", "admin"],
  cards: new Map(), // receiver name -> {state, result}
  shown: { silences: null, log: null, route: null, receivers: null },

  // Whether the session's role is at least `needed`.
  may(needed) {
    const role = valentia.session && valentia.session.role;
    const have = notificationsPage.ROLES.indexOf(role);
    return have >= 0 && have >= notificationsPage.ROLES.indexOf(needed);
  },

  // Disables `button` unless the role is at least `needed`, with a title saying why.
  guard(button, needed, what) {
    if (notificationsPage.may(needed)) {
      button.disabled = false;
      button.removeAttribute("title");
      return;
    }
    button.disabled = true;
    button.title = "the " + ((valentia.session && valentia.session.role) || "anonymous") +
      " role may not " + what + " (needs " + needed + ")";
  },

  notice(text, cls) {
    const notice = document.getElementById("notice");
    notice.textContent = text;
    notice.className = "notice" + (cls ? " " + cls : "");
  },

  problem(answer) {
    return (answer.body && (answer.body.error || answer.body.text)) || "";
  },

  // PT1M30S -> 1m30s; anything else is shown as it came.
  duration(iso) {
    if (typeof iso !== "string") return String(iso);
    const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$/.exec(iso);
    if (!m) return iso;
    const text = (m[1] ? m[1] + "h" : "") + (m[2] ? m[2] + "m" : "") + (m[3] ? m[3] + "s" : "");
    return text || "0s";
  },

  // An RFC 3339 time as "2026-12-07 05:22:18Z"; anything else as it came.
  time(value) {
    if (typeof value !== "string" || !/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(value)) return value;
    return value.replace("T", " ").replace(/\.\d+/, "");
  },

  // One value of a record as text (nested values as compact JSON).
  text(key, value) {
    if (value === null || value === undefined) return "";
    if (typeof value === "object") return JSON.stringify(value);
    return typeof value === "string" ? notificationsPage.time(value) : String(value);
  },

  // ---- receivers and routing ----------------------------------------------------------------

  async overview() {
    const answer = await valentia.api("GET", "/api/v1/notifications");
    if (answer.status === 404) {
      notificationsPage.notice("the notifications service is not running in this platform", "warning");
      return null;
    }
    if (answer.status !== 200) {
      notificationsPage.notice("cannot read the notifications (" + answer.status + "): " +
        notificationsPage.problem(answer), "error");
      return null;
    }
    const o = answer.body || {};
    document.getElementById("pipeline").textContent =
      (o.enabled ? "routing is on" : "no route is configured: nothing is sent") +
      (typeof o.groups === "number" ? " · " + o.groups + " alert group" + (o.groups === 1 ? "" : "s") : "") +
      (o.externalUrl ? " · links point to " + o.externalUrl : "");
    notificationsPage.receivers(o.receivers || [], o.delivery);
    notificationsPage.routing(o.route);
    return o;
  },

  // The delivery state objects that belong to `name` (the API may answer a list or a map).
  deliveryOf(delivery, name) {
    if (Array.isArray(delivery)) return delivery.filter((d) => d && d.receiver === name);
    if (delivery && typeof delivery === "object" && delivery[name] !== undefined) {
      const mine = delivery[name];
      return Array.isArray(mine) ? mine : [mine];
    }
    return [];
  },

  receivers(list, delivery) {
    const ul = document.getElementById("receivers");
    const names = JSON.stringify(list.map((r) => [r.name, r.integrations]));
    if (names !== notificationsPage.shown.receivers) {
      notificationsPage.shown.receivers = names;
      notificationsPage.cards.clear();
      ul.replaceChildren();
      if (list.length === 0) ul.appendChild(valentia.el("li", "no receivers configured", "empty"));
      for (const r of list) ul.appendChild(notificationsPage.card(r));
    }
    for (const r of list) {
      const card = notificationsPage.cards.get(r.name);
      if (card) notificationsPage.state(card.state, notificationsPage.deliveryOf(delivery, r.name));
    }
  },

  card(r) {
    const li = valentia.el("li", null, "receiver");
    li.dataset.receiver = r.name;
    li.appendChild(valentia.el("h3", r.name));
    const integrations = valentia.el("ul", null, "integrations");
    for (const i of r.integrations || []) {
      const item = valentia.el("li");
      item.appendChild(valentia.el("span", i.kind, "badge kind-" + String(i.kind).replace(/[^a-z]/g, "")));
      item.appendChild(valentia.el("span", " " + (i.url || "")));
      integrations.appendChild(item);
    }
    if ((r.integrations || []).length === 0) integrations.appendChild(valentia.el("li", "no integrations", "empty"));
    li.appendChild(integrations);
    const state = valentia.el("div", null, "delivery");
    li.appendChild(state);
    const actions = valentia.el("div", null, "actions");
    const button = valentia.el("button", "Send test message");
    button.type = "button";
    button.className = "test-message";
    button.setAttribute("aria-label", "Send test message to " + r.name);
    notificationsPage.guard(button, "operator", "send test messages");
    const result = valentia.el("span", "", "test-result");
    result.setAttribute("role", "status");
    button.addEventListener("click", () => notificationsPage.test(r.name, button, result));
    actions.appendChild(button);
    actions.appendChild(result);
    li.appendChild(actions);
    notificationsPage.cards.set(r.name, { state, result });
    return li;
  },

  // The delivery state of a receiver: one table row per integration, every field the API gives.
  state(box, entries) {
    box.replaceChildren();
    if (entries.length === 0) {
      box.appendChild(valentia.el("p", "nothing delivered yet", "empty"));
      return;
    }
    const keys = notificationsPage.columns(entries, ["integration", "kind", "host", "lastSuccess",
      "lastFailure", "consecutiveFailures", "queued", "failing", "lastError"], ["receiver"]);
    box.appendChild(notificationsPage.table(keys, entries, "items delivery-state"));
  },

  // Keys present in `records`: the preferred ones first in their order, then the others.
  columns(records, preferred, skip) {
    const seen = new Set();
    for (const r of records) for (const k of Object.keys(r || {})) seen.add(k);
    const keys = preferred.filter((k) => seen.has(k));
    for (const k of seen) if (!keys.includes(k) && !(skip || []).includes(k)) keys.push(k);
    return keys;
  },

  table(keys, records, cls) {
    const table = valentia.el("table", null, cls);
    const head = valentia.el("tr");
    for (const k of keys) {
      const th = valentia.el("th", notificationsPage.label(k));
      th.scope = "col";
      head.appendChild(th);
    }
    table.appendChild(valentia.el("thead")).appendChild(head);
    const body = valentia.el("tbody");
    for (const r of records) body.appendChild(notificationsPage.row(keys, r));
    table.appendChild(body);
    return table;
  },

  row(keys, record) {
    const tr = valentia.el("tr");
    for (const k of keys) {
      const value = notificationsPage.text(k, record[k]);
      const td = valentia.el("td", value);
      if (/outcome|state/.test(k) && value) td.className = "outcome-" + value.toLowerCase().replace(/[^a-z-]/g, "");
      if (/error/i.test(k) && value) td.className = "error";
      tr.appendChild(td);
    }
    return tr;
  },

  // lastSuccess -> last success; group_by -> group by
  label(key) {
    if (key === "status") return "HTTP status";
    return key.replace(/_/g, " ").replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  },

  async test(receiver, button, result) {
    button.disabled = true;
    result.textContent = "sending…";
    result.className = "test-result";
    const answer = await valentia.api("POST", "/api/v1/notifications/test", { receiver });
    notificationsPage.guard(button, "operator", "send test messages");
    if (answer.status >= 200 && answer.status < 300) {
      const r = answer.body || {};
      // a delivery record: its outcome (delivered, attempt-failed, ...) and the HTTP status
      const outcome = r.outcome || r.state || "sent";
      result.textContent = "test message: " + outcome +
        (r.integration ? " via " + notificationsPage.text("integration", r.integration) : "") +
        (typeof r.status === "number" ? " (HTTP " + r.status + ")" : "") +
        (r.error ? ": " + r.error : "");
      result.className = "test-result " + (r.error || /fail|given/.test(String(outcome)) ? "error" : "ok");
    } else {
      result.textContent = "test message refused (" + answer.status + "): " + notificationsPage.problem(answer);
      result.className = "test-result error";
    }
    notificationsPage.log();
    notificationsPage.overview();
  },

  routing(route) {
    const shown = JSON.stringify(route || null);
    if (shown === notificationsPage.shown.route) return;
    notificationsPage.shown.route = shown;
    const tree = document.getElementById("route");
    tree.replaceChildren();
    if (!route) {
      tree.appendChild(valentia.el("li", "no route configured (notifications.route): nothing is sent", "empty"));
      return;
    }
    tree.appendChild(notificationsPage.node(route, true));
  },

  node(route, root) {
    const li = valentia.el("li", null, "route");
    const line = valentia.el("div", null, "route-line");
    const matchers = route.matchers || [];
    if (matchers.length === 0) {
      line.appendChild(valentia.el("span", root ? "every alert" : "any alert", "matcher any"));
    }
    for (const m of matchers) line.appendChild(valentia.el("code", m, "matcher"));
    line.appendChild(valentia.el("span", " → ", "arrow"));
    line.appendChild(valentia.el("strong", route.receiver || "(inherited receiver)", "route-receiver"));
    li.appendChild(line);
    const facts = [];
    if ((route.group_by || []).length) facts.push("group by " + route.group_by.join(", "));
    if (route.group_wait) facts.push("wait " + notificationsPage.duration(route.group_wait));
    if (route.group_interval) facts.push("interval " + notificationsPage.duration(route.group_interval));
    if (route.repeat_interval) facts.push("repeat " + notificationsPage.duration(route.repeat_interval));
    if (route.continue) facts.push("continue");
    li.appendChild(valentia.el("div", facts.join(" · "), "route-facts"));
    if ((route.routes || []).length) {
      const children = valentia.el("ul", null, "route-children");
      for (const child of route.routes) children.appendChild(notificationsPage.node(child, false));
      li.appendChild(children);
    }
    return li;
  },

  // ---- silences -----------------------------------------------------------------------------

  async silences() {
    const answer = await valentia.api("GET", "/api/v1/silences");
    const rows = document.getElementById("silence-rows");
    if (answer.status !== 200) {
      notificationsPage.shown.silences = null;
      const row = valentia.el("tr");
      const cell = valentia.el("td", answer.status === 404 ? "no silences: the notifications service is not running"
        : "cannot read silences (" + answer.status + "): " + notificationsPage.problem(answer), "error");
      cell.colSpan = 7;
      row.appendChild(cell);
      rows.replaceChildren(row);
      return;
    }
    const list = Array.isArray(answer.body) ? answer.body : (answer.body && answer.body.silences) || [];
    const shown = JSON.stringify([list, valentia.session && valentia.session.role]);
    if (shown === notificationsPage.shown.silences) return;
    notificationsPage.shown.silences = shown;
    rows.replaceChildren();
    if (list.length === 0) {
      const row = valentia.el("tr");
      const cell = valentia.el("td", "no silences", "empty");
      cell.colSpan = 7;
      row.appendChild(cell);
      rows.appendChild(row);
    }
    for (const s of list) rows.appendChild(notificationsPage.silenceRow(s));
  },

  silenceRow(s) {
    const state = (s.status && s.status.state) || "unknown";
    const tr = valentia.el("tr", null, "silence state-" + state);
    tr.dataset.id = s.id;
    const badge = valentia.el("td");
    badge.appendChild(valentia.el("span", state, "badge silence-" + state));
    tr.appendChild(badge);
    const matchers = valentia.el("td");
    for (const m of s.matchers || []) {
      matchers.appendChild(valentia.el("code", typeof m === "string" ? m : JSON.stringify(m), "matcher"));
    }
    tr.appendChild(matchers);
    tr.appendChild(valentia.el("td", notificationsPage.time(s.startsAt), "when"));
    tr.appendChild(valentia.el("td", notificationsPage.time(s.endsAt), "when"));
    tr.appendChild(valentia.el("td", s.createdBy));
    tr.appendChild(valentia.el("td", s.comment));
    const action = valentia.el("td");
    if (state === "active" || state === "pending") {
      const button = valentia.el("button", "Expire");
      button.type = "button";
      button.className = "expire";
      button.setAttribute("aria-label", "Expire silence " + (s.matchers || []).join(", "));
      notificationsPage.guard(button, "responder", "expire silences");
      button.addEventListener("click", () => notificationsPage.expire(s, button));
      action.appendChild(button);
    }
    tr.appendChild(action);
    return tr;
  },

  async create(event) {
    event.preventDefault();
    const problems = document.getElementById("silence-problems");
    const result = document.getElementById("silence-result");
    problems.replaceChildren();
    result.textContent = "";
    const matchers = document.getElementById("silence-matchers").value
      .split("\n").map((line) => line.trim()).filter(Boolean);
    const body = {
      matchers,
      duration: document.getElementById("silence-duration").value.trim(),
      comment: document.getElementById("silence-comment").value,
    };
    const button = document.getElementById("silence-create");
    button.disabled = true;
    const answer = await valentia.api("POST", "/api/v1/silences", body);
    notificationsPage.guard(button, "responder", "create silences");
    if (answer.status === 201 || answer.status === 200) {
      result.textContent = "silence " + ((answer.body && answer.body.id) || "") + " created";
      result.className = "ok";
      document.getElementById("silence-matchers").value = "";
      document.getElementById("silence-comment").value = "";
      await notificationsPage.silences();
      return;
    }
    result.textContent = "not created (" + answer.status + ")";
    result.className = "error";
    const list = (answer.body && Array.isArray(answer.body.problems) && answer.body.problems.length)
      ? answer.body.problems : [notificationsPage.problem(answer) || "the server answered " + answer.status];
    for (const p of list) problems.appendChild(valentia.el("li", p, "error"));
  },

  async expire(s, button) {
    const what = (s.matchers || []).join(", ");
    if (!confirm("Expire the silence of " + what + " now? Its alerts will notify again.")) return;
    button.disabled = true;
    const answer = await valentia.api("DELETE", "/api/v1/silences/" + encodeURIComponent(s.id));
    const result = document.getElementById("expire-result");
    if (answer.status === 200) {
      result.textContent = "silence of " + what + " expired";
      result.className = "ok";
    } else {
      notificationsPage.guard(button, "responder", "expire silences");
      result.textContent = "not expired (" + answer.status + "): " + notificationsPage.problem(answer);
      result.className = "error";
    }
    await notificationsPage.silences();
  },

  // ---- the log ------------------------------------------------------------------------------

  async log() {
    const answer = await valentia.api("GET", "/api/v1/notifications/log?limit=50");
    const head = document.getElementById("log-head");
    const rows = document.getElementById("log-rows");
    if (answer.status !== 200) {
      notificationsPage.shown.log = null;
      head.replaceChildren();
      const row = valentia.el("tr");
      row.appendChild(valentia.el("td", answer.status === 404 ? "the notifications service is not running"
        : "cannot read the log (" + answer.status + "): " + notificationsPage.problem(answer), "error"));
      rows.replaceChildren(row);
      return;
    }
    const list = Array.isArray(answer.body) ? answer.body : (answer.body && answer.body.records) || [];
    const shown = JSON.stringify(list);
    if (shown === notificationsPage.shown.log) return;
    notificationsPage.shown.log = shown;
    head.replaceChildren();
    rows.replaceChildren();
    if (list.length === 0) {
      rows.appendChild(valentia.el("tr")).appendChild(valentia.el("td", "nothing sent yet", "empty"));
      return;
    }
    const keys = notificationsPage.columns(list, ["at", "time", "receiver", "integration", "outcome",
      "status", "kind", "attempt", "error", "nextAttemptAt", "groupKey", "notificationId", "id"]);
    const header = valentia.el("tr");
    for (const k of keys) {
      const th = valentia.el("th", notificationsPage.label(k));
      th.scope = "col";
      header.appendChild(th);
    }
    head.appendChild(header);
    for (const r of list) rows.appendChild(notificationsPage.row(keys, r));
  },

  async refresh() {
    await Promise.all([notificationsPage.overview(), notificationsPage.silences(), notificationsPage.log()]);
  },

  async start() {
    const session = await valentia.requireSession();
    if (!session) return;
    const create = document.getElementById("silence-create");
    notificationsPage.guard(create, "responder", "create silences");
    document.getElementById("silence-form").addEventListener("submit", notificationsPage.create);
    await notificationsPage.refresh();
    setInterval(notificationsPage.refresh, 5000);
  },
};

notificationsPage.start();
