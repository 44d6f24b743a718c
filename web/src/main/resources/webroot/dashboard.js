// The dashboard's authenticated parts: open incidents, the chaos injector (halt switch, active runs
// and their faults, halt-all and release), recent denials and lease revocations. Health (public) is
// health.js. Everything from the server is inserted as text, never as HTML.
"use strict";

const ROLES = ["viewer", "responder", "operator", "admin"];
const DENIALS_AND_REVOCATIONS = ["io.valentia.probe.syscall.denied.v1", "io.valentia.probe.lsm.denied.v1",
  "io.valentia.lease.revoked.v1"];

const dashboard = {
  chaos: null, // the halt switch as GET /api/v1/halt answered it; null: no chaos service

  may(role) {
    const mine = ROLES.indexOf(valentia.session && valentia.session.role);
    return mine >= ROLES.indexOf(role);
  },

  // "3m", "2h 5m", "4d 1h": how long ago (or, with a future time, how long until).
  age(iso, now) {
    let s = Math.abs(Math.round(((now || Date.now()) - Date.parse(iso)) / 1000));
    if (!Number.isFinite(s)) return "?";
    if (s < 60) return s + "s";
    const d = Math.floor(s / 86400); s -= d * 86400;
    const h = Math.floor(s / 3600); s -= h * 3600;
    const m = Math.floor(s / 60); s -= m * 60;
    if (d) return d + "d" + (h ? " " + h + "h" : "");
    if (h) return h + "h" + (m ? " " + m + "m" : "");
    return m + "m" + (s ? " " + s + "s" : "");
  },

  notice(id, text, cls) {
    const p = document.getElementById(id);
    p.textContent = text || "";
    p.className = "notice" + (cls ? " " + cls : "");
  },

  // Why an API answer is not a 200: the role behind it is not running, or the error it gave.
  trouble(answer, role) {
    if (answer.status === 404 && answer.body && /no such API route/.test(answer.body.error || "")) {
      return "the " + role + " service is not running in this platform";
    }
    return answer.status + " " + ((answer.body && answer.body.error) || "");
  },

  async incidents() {
    const answer = await valentia.api("GET", "/api/v1/incidents");
    const body = document.getElementById("incidents");
    const tile = document.getElementById("tile-incidents");
    if (answer.status !== 200) {
      dashboard.notice("incidents-notice", "cannot read incidents: " + dashboard.trouble(answer, "postmortem"), "warning");
      body.replaceChildren();
      tile.textContent = "?";
      return;
    }
    dashboard.notice("incidents-notice", "");
    const closed = ["resolved", "in-review", "closed"];
    const open = ((answer.body && answer.body.incidents) || [])
      .filter((i) => !closed.includes(i.status))
      .sort((a, b) => String(a.severity).localeCompare(String(b.severity)) || Date.parse(b.opened) - Date.parse(a.opened));
    tile.textContent = String(open.length);
    tile.className = open.length ? "bad" : "good";
    body.replaceChildren();
    if (open.length === 0) {
      const tr = valentia.el("tr");
      const td = valentia.el("td", "no open incidents", "empty");
      td.colSpan = 5;
      tr.appendChild(td);
      body.appendChild(tr);
    }
    for (const i of open.slice(0, 50)) {
      const tr = valentia.el("tr");
      const sev = valentia.el("td");
      sev.appendChild(valentia.el("span", i.severity, "badge " + String(i.severity).toLowerCase()));
      tr.appendChild(sev);
      const title = valentia.el("td");
      const link = valentia.el("a", i.title || i.id);
      link.href = "/incidents?id=" + encodeURIComponent(i.id);
      title.appendChild(link);
      tr.appendChild(title);
      const age = valentia.el("td", dashboard.age(i.opened), "when");
      age.title = "opened " + i.opened;
      tr.appendChild(age);
      tr.appendChild(valentia.el("td", (i.subjects || []).join(", "), "subjects"));
      const status = valentia.el("td");
      status.appendChild(valentia.el("span", i.status, "badge status-" + i.status));
      tr.appendChild(status);
      body.appendChild(tr);
    }
  },

  async chaosState() {
    const answer = await valentia.api("GET", "/api/v1/halt");
    const state = document.getElementById("chaos-state");
    const halt = document.getElementById("halt");
    const release = document.getElementById("release");
    const tileChaos = document.getElementById("tile-chaos");
    const tileFaults = document.getElementById("tile-faults");
    if (answer.status !== 200) {
      dashboard.chaos = null;
      state.textContent = "cannot read the halt switch: " + dashboard.trouble(answer, "chaos");
      state.className = "chaos-state warning";
      halt.disabled = true;
      halt.title = "no chaos injector answers in this platform";
      release.hidden = true;
      tileChaos.textContent = "not running";
      tileChaos.className = "";
      tileFaults.textContent = "?";
      document.getElementById("runs").replaceChildren();
      return;
    }
    const chaos = answer.body;
    dashboard.chaos = chaos;
    const runs = chaos.runs || [];
    if (chaos.halted) {
      state.textContent = "HALTED: every fault reverted, new runs and faults are refused until the halt is released.";
      state.className = "chaos-state halted";
    } else if (chaos.refusing) {
      state.textContent = "refusing new faults: " + chaos.refusing;
      state.className = "chaos-state warning";
    } else {
      state.textContent = "armed: " + runs.length + " run" + (runs.length === 1 ? "" : "s") + " in progress, " +
        chaos.activeFaults + " active fault" + (chaos.activeFaults === 1 ? "" : "s") + ".";
      state.className = "chaos-state";
    }
    tileChaos.textContent = chaos.halted ? "halted" : "armed";
    tileChaos.className = chaos.halted ? "bad" : "good";
    tileFaults.textContent = String(chaos.activeFaults);
    tileFaults.className = chaos.activeFaults ? "warn" : "good";
    const operator = dashboard.may("operator");
    const why = "the " + (valentia.session && valentia.session.role) + " role may not halt (needs operator)";
    halt.disabled = !operator || chaos.halted;
    halt.title = !operator ? why : chaos.halted ? "already halted"
      : "revert every active fault on every injector and refuse new runs";
    release.hidden = !chaos.halted;
    release.disabled = !operator;
    release.title = operator ? "let runs and faults start again" : why;
    await dashboard.runs(runs);
  },

  // The runs in progress, with the faults each injected, from their chaos.experiment.* events.
  async runs(ids) {
    const list = document.getElementById("runs");
    const items = [];
    for (const id of ids.slice(0, 20)) {
      const li = valentia.el("li", null, "run");
      const answer = await valentia.api("GET", "/api/v1/events/search?sort=oldest&facet=none&size=200&q=" +
        encodeURIComponent("experimentid:" + records.quote(id)));
      const hits = answer.status === 200 ? (answer.body.hits || []) : [];
      const started = hits.find((h) => h.source && h.source.type === "io.valentia.chaos.experiment.started.v1");
      const head = valentia.el("div", null, "run-head");
      head.appendChild(valentia.el("span", "running", "badge status-open"));
      head.appendChild(valentia.el("strong", started ? started.source.data.title : "run"));
      head.appendChild(valentia.el("code", " " + id, "when"));
      if (started) head.appendChild(valentia.el("span", " started " + dashboard.age(started.time) + " ago", "when"));
      li.appendChild(head);
      const faults = hits.filter((h) => h.source && h.source.type === "io.valentia.chaos.experiment.step.v1" &&
        h.source.data && h.source.data.status === "succeeded" && h.source.data.output && h.source.data.output.fault);
      const ul = valentia.el("ul", null, "faults");
      for (const f of faults) {
        const out = f.source.data.output;
        const until = out.until ? Date.parse(out.until) : NaN;
        const line = valentia.el("li");
        line.appendChild(valentia.el("span", out.fault, "badge fault"));
        line.appendChild(valentia.el("span", " " + (out.targets || []).join(", ") + " "));
        line.appendChild(valentia.el("span", f.source.data.activity, "when"));
        if (Number.isFinite(until)) {
          line.appendChild(valentia.el("span", until > Date.now()
            ? " reverts itself in " + dashboard.age(out.until) : " reached its duration", "when"));
        }
        ul.appendChild(line);
      }
      if (answer.status !== 200) {
        ul.appendChild(valentia.el("li", "its faults cannot be read: " + dashboard.trouble(answer, "postmortem (search)"), "empty"));
      } else if (faults.length === 0) {
        ul.appendChild(valentia.el("li", "no fault injected yet", "empty"));
      }
      li.appendChild(ul);
      items.push(li);
    }
    if (items.length === 0) items.push(valentia.el("li", "no runs in progress", "empty"));
    list.replaceChildren(...items);
  },

  // Opens the confirmation for a halt ("halt") or a release ("release").
  ask(mode) {
    const dialog = document.getElementById("halt-dialog");
    dialog.dataset.mode = mode;
    const chaos = dashboard.chaos || {};
    document.getElementById("halt-dialog-title").textContent = mode === "halt" ? "Halt all chaos?" : "Release the halt?";
    document.getElementById("halt-dialog-text").textContent = mode === "halt"
      ? "Every injector reverts every active fault (" + (chaos.activeFaults || 0) + " here), stops its runs (their" +
        " rollbacks still run) and refuses new runs until the halt is released."
      : "Injectors will accept new runs and faults again.";
    const confirmButton = document.getElementById("halt-confirm");
    confirmButton.textContent = mode === "halt" ? "Halt now" : "Release";
    confirmButton.className = mode === "halt" ? "danger" : "primary";
    const reason = document.getElementById("halt-reason");
    reason.value = "";
    reason.required = mode === "halt";
    dialog.showModal();
    reason.focus();
  },

  async send(mode, reason) {
    const result = document.getElementById("halt-result");
    result.textContent = mode === "halt" ? "halting…" : "releasing…";
    result.className = "notice";
    const body = mode === "halt" ? { reason } : { release: true, reason: reason || undefined };
    const answer = await valentia.api("POST", "/api/v1/halt", body);
    if (answer.status === 200) {
      const n = answer.body.revertedFaults || 0;
      result.textContent = mode === "halt"
        ? "Halted: " + n + " fault" + (n === 1 ? "" : "s") + " reverted here; every injector was told. New runs are refused."
        : "Released: runs and faults may start again.";
      result.className = "notice ok";
    } else {
      result.textContent = (mode === "halt" ? "halt" : "release") + " refused (" + answer.status + "): " +
        ((answer.body && answer.body.error) || "");
      result.className = "notice error";
    }
    await dashboard.chaosState();
  },

  async recent() {
    const query = "type:(" + DENIALS_AND_REVOCATIONS.map(records.quote).join(" OR ") + ")";
    const answer = await valentia.api("GET", "/api/v1/events/search?sort=newest&facet=none&size=15&q=" + encodeURIComponent(query));
    const body = document.getElementById("recent");
    if (answer.status !== 200) {
      dashboard.notice("recent-notice", "cannot search events: " + dashboard.trouble(answer, "postmortem (search)"), "warning");
      body.replaceChildren();
      return;
    }
    const hits = answer.body.hits || [];
    dashboard.notice("recent-notice", hits.length ? "the newest " + hits.length + " of " + answer.body.total : "");
    body.replaceChildren();
    if (hits.length === 0) {
      const tr = valentia.el("tr");
      const td = valentia.el("td", "no denials or lease revocations recorded", "empty");
      td.colSpan = 4;
      tr.appendChild(td);
      body.appendChild(tr);
    }
    for (const hit of hits) {
      const e = hit.source || {};
      const d = e.data || {};
      const tr = valentia.el("tr", null, "sev-" + (e.severity || "info"));
      const when = valentia.el("td", dashboard.age(hit.time) + " ago", "when");
      when.title = hit.time;
      tr.appendChild(when);
      let what;
      let detail;
      if (e.type === "io.valentia.lease.revoked.v1") {
        what = "lease revoked";
        detail = [d.resource, d.reason, d.detail].filter(Boolean).join(" · ");
      } else if (e.type === "io.valentia.probe.lsm.denied.v1") {
        what = "LSM denied";
        detail = [d.operation, d.comm, d.name || d.path, d.profile].filter(Boolean).join(" · ");
      } else {
        what = "syscall denied";
        detail = [d.syscall, d.comm, d.action, d.count > 1 ? "×" + d.count : null].filter(Boolean).join(" · ");
      }
      const whatCell = valentia.el("td");
      const link = valentia.el("a", what);
      link.href = "/search?q=" + encodeURIComponent("id:" + records.quote(hit.id));
      whatCell.appendChild(link);
      tr.appendChild(whatCell);
      tr.appendChild(valentia.el("td", e.subject || "", "subjects"));
      tr.appendChild(valentia.el("td", detail, "detail-cell"));
      body.appendChild(tr);
    }
  },

  wire() {
    document.getElementById("halt").addEventListener("click", () => dashboard.ask("halt"));
    document.getElementById("release").addEventListener("click", () => dashboard.ask("release"));
    const dialog = document.getElementById("halt-dialog");
    document.getElementById("halt-cancel").addEventListener("click", () => dialog.close("cancel"));
    document.getElementById("halt-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const reason = document.getElementById("halt-reason").value.trim();
      if (dialog.dataset.mode === "halt" && !reason) return;
      dialog.close("confirm");
      dashboard.send(dialog.dataset.mode, reason);
    });
  },
};

(async () => {
  const response = await fetch("/api/v1/session", { cache: "no-store" });
  if (response.status !== 200) {
    const who = document.getElementById("who");
    const link = valentia.el("a", "Log in");
    link.href = "/login";
    who.replaceChildren(link);
    for (const id of ["incidents-notice", "recent-notice"]) dashboard.notice(id, "log in to see this");
    document.getElementById("chaos-state").textContent = "log in to see the chaos injector";
    return;
  }
  valentia.session = await response.json();
  document.getElementById("who").textContent = valentia.session.name + " (" + valentia.session.role + ")";
  const logout = document.getElementById("logout");
  logout.hidden = false;
  logout.addEventListener("click", valentia.logout);
  dashboard.wire();
  dashboard.incidents();
  dashboard.chaosState();
  dashboard.recent();
  setInterval(dashboard.chaosState, 5000);
  setInterval(() => { dashboard.incidents(); dashboard.recent(); }, 10000);
})();
