// The experiments page: an editor for a Chaos Toolkit experiment (JSON or YAML) whose problems are
// shown at their line, a dry-run plan with what the allow-list refuses, runs (started here, listed,
// each followed live from the event stream and its journal, aborted), and schedules (created,
// listed with their next firings and history, paused, resumed, deleted). Everything from the server or from the
// experiment is inserted as text, never as HTML. Controls the session's role may not use are
// disabled and say why.
"use strict";

const experimentsPage = {
  ROLES: ["viewer", "responder", "operator", "admin"],
  PHASES: ["steady-state-before", "method", "steady-state-during", "steady-state-after", "rollback"],
  run: null,        // the run shown: {id, title, start, status, steps: Map, faults: Map, source}
  runsTimer: null,
  runTimer: null,

  el: (tag, text, cls) => valentia.el(tag, text, cls),

  may(needed) {
    const role = valentia.session && valentia.session.role;
    const have = experimentsPage.ROLES.indexOf(role);
    return have >= 0 && have >= experimentsPage.ROLES.indexOf(needed);
  },

  // Disables `control` unless the role is at least `needed`, with a title saying why.
  guard(control, needed, what) {
    if (experimentsPage.may(needed)) {
      control.disabled = false;
      control.removeAttribute("title");
      return;
    }
    control.disabled = true;
    control.title = "the " + ((valentia.session && valentia.session.role) || "anonymous") +
      " role may not " + what + " (needs " + needed + ")";
  },

  notice(text, cls) {
    const notice = document.getElementById("notice");
    notice.textContent = text;
    notice.className = "notice" + (cls ? " " + cls : "");
  },

  problem(answer) {
    return (answer.body && (answer.body.error || answer.body.text)) || ("HTTP " + answer.status);
  },

  time(value) {
    if (typeof value !== "string" || !/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(value)) return value || "";
    return value.replace("T", " ").replace(/\.\d+/, "");
  },

  // ---- the editor ----------------------------------------------------------------------------

  source: () => document.getElementById("experiment-source"),

  isYaml() {
    const chosen = document.getElementById("experiment-format").value;
    if (chosen !== "auto") return chosen === "yaml";
    const text = experimentsPage.source().value.replace(/^(\s|#.*\n)*/, "");
    return !(text.startsWith("{") || text.startsWith("["));
  },

  // POSTs the editor's text as it is (JSON or YAML) with the session's CSRF token.
  async sendSource(path) {
    const response = await fetch(path, {
      method: "POST",
      cache: "no-store",
      headers: {
        "Content-Type": experimentsPage.isYaml() ? "application/yaml" : "application/json",
        "X-CSRF-Token": (valentia.session && valentia.session.csrfToken) || "",
      },
      body: experimentsPage.source().value,
    });
    const text = await response.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch (e) { body = { text }; }
    return { status: response.status, body };
  },

  // Line numbers beside the text, problem lines marked.
  gutter(badLines) {
    const lines = experimentsPage.source().value.split("\n").length;
    const gutter = document.getElementById("gutter");
    gutter.textContent = "";
    for (let i = 1; i <= lines; i++) {
      const line = experimentsPage.el("span", String(i), badLines && badLines.has(i) ? "line bad" : "line");
      line.dataset.line = String(i);
      gutter.appendChild(line);
      gutter.appendChild(document.createTextNode("\n"));
    }
    gutter.scrollTop = experimentsPage.source().scrollTop;
  },

  // Selects line `n` of the editor and scrolls to it.
  goToLine(n, column) {
    const area = experimentsPage.source();
    const lines = area.value.split("\n");
    let start = 0;
    for (let i = 0; i < n - 1 && i < lines.length; i++) start += lines[i].length + 1;
    const end = start + (lines[n - 1] || "").length;
    area.focus();
    area.setSelectionRange(column ? Math.min(start + column - 1, end) : start, end);
    const lineHeight = parseFloat(getComputedStyle(area).lineHeight) || 16;
    area.scrollTop = Math.max(0, (n - 3) * lineHeight);
  },

  // Shows `problems` ({path, location "line:column", message}) under the editor and in the gutter.
  showProblems(problems) {
    const list = document.getElementById("problems");
    list.textContent = "";
    const bad = new Set();
    for (const p of problems || []) {
      const li = experimentsPage.el("li", null, "problem");
      const m = /^(\d+):(\d+)$/.exec(p.location || "");
      if (m) {
        const line = Number(m[1]);
        bad.add(line);
        li.dataset.line = String(line);
        const go = experimentsPage.el("button", "line " + line + ", column " + m[2], "link go-to-line");
        go.type = "button";
        go.addEventListener("click", () => experimentsPage.goToLine(line, Number(m[2])));
        li.appendChild(go);
      } else {
        li.appendChild(experimentsPage.el("span", "no line", "when"));
      }
      li.appendChild(document.createTextNode(" "));
      if (p.path) li.appendChild(experimentsPage.el("code", p.path));
      li.appendChild(experimentsPage.el("span", (p.path ? ": " : "") + p.message, "message"));
      list.appendChild(li);
    }
    experimentsPage.gutter(bad);
  },

  result(text, cls) {
    const node = document.getElementById("editor-result");
    node.textContent = text;
    node.className = cls || "";
  },

  async validate() {
    experimentsPage.result("validating…");
    const answer = await experimentsPage.sendSource("/api/v1/experiments/validate");
    if (answer.status === 200 && answer.body && answer.body.valid) {
      experimentsPage.showProblems([]);
      experimentsPage.result("valid", "ok");
      return true;
    }
    const problems = (answer.body && answer.body.problems) || [{ message: experimentsPage.problem(answer) }];
    experimentsPage.showProblems(problems);
    experimentsPage.result(problems.length + " problem(s)", "error");
    return false;
  },

  async plan() {
    experimentsPage.result("planning…");
    const answer = await experimentsPage.sendSource("/api/v1/experiments/plan");
    if (answer.status !== 200) {
      const problems = (answer.body && answer.body.problems) || [{ message: experimentsPage.problem(answer) }];
      experimentsPage.showProblems(problems);
      experimentsPage.result(problems.length + " problem(s)", "error");
      return null;
    }
    experimentsPage.showProblems([]);
    experimentsPage.showPlan(answer.body);
    const refused = answer.body.refused || [];
    experimentsPage.result(refused.length ? "the allow-list refuses " + refused.length + " target(s)" : "planned: every target is allowed",
      refused.length ? "error" : "ok");
    return answer.body;
  },

  showPlan(plan) {
    document.getElementById("plan-section").hidden = false;
    document.getElementById("plan-heading").textContent = "“" + plan.title + "”: " + (plan.steps || []).length + " step(s); the method ends at +" +
      plan.timeline.methodEnd + " s";
    const refused = document.getElementById("plan-refused");
    refused.textContent = "";
    if (!(plan.refused || []).length) {
      refused.appendChild(experimentsPage.el("li", "every fault target is on the allow-list", "ok"));
    }
    for (const r of plan.refused || []) refused.appendChild(experimentsPage.el("li", "refused: " + r, "error"));
    const rows = document.getElementById("plan-rows");
    rows.textContent = "";
    for (const s of plan.steps || []) {
      const tr = document.createElement("tr");
      const targets = s.targets || [];
      const refusedHere = (plan.refused || []).filter((r) => r.startsWith(s.name + ": "));
      for (const text of [s.phase, s.type, s.name, s.does, targets.join(", ")]) tr.appendChild(experimentsPage.el("td", text));
      tr.appendChild(experimentsPage.el("td", targets.length ? (refusedHere.length ? "refused" : "yes") : "",
        refusedHere.length ? "error" : "ok"));
      if (refusedHere.length) tr.className = "refused";
      rows.appendChild(tr);
    }
    const timeline = document.getElementById("plan-timeline");
    timeline.textContent = "";
    for (const f of plan.timeline.faults || []) {
      timeline.appendChild(experimentsPage.el("li", f.activity + ": " + f.fault + " on " + (f.targets || []).join(", ") +
        " from +" + f.start + " s to " + (f.end === undefined ? "(no duration)" : "+" + f.end + " s")));
    }
    if (!(plan.timeline.faults || []).length) timeline.appendChild(experimentsPage.el("li", "no faults", "empty"));
  },

  async start() {
    experimentsPage.result("starting…");
    const answer = await experimentsPage.sendSource("/api/v1/experiments/runs");
    if (answer.status !== 202) {
      if (answer.body && answer.body.problems) experimentsPage.showProblems(answer.body.problems);
      experimentsPage.result("not started: " + experimentsPage.problem(answer), "error");
      return;
    }
    experimentsPage.showProblems([]);
    experimentsPage.result("started run " + answer.body.runId, "ok");
    location.hash = "run=" + encodeURIComponent(answer.body.runId);
    experimentsPage.loadRuns();
  },

  async openFile(file) {
    if (!file) return;
    experimentsPage.source().value = await file.text();
    const format = document.getElementById("experiment-format");
    if (/\.ya?ml$/i.test(file.name)) format.value = "yaml";
    else if (/\.json$/i.test(file.name)) format.value = "json";
    experimentsPage.showProblems([]);
    experimentsPage.result("opened " + file.name);
  },

  // ---- runs ----------------------------------------------------------------------------------

  badge(status) {
    return experimentsPage.el("span", status, "badge run-" + status);
  },

  async loadRuns() {
    const answer = await valentia.api("GET", "/api/v1/experiments/runs");
    const rows = document.getElementById("run-rows");
    rows.textContent = "";
    if (answer.status !== 200 || !Array.isArray(answer.body)) {
      const tr = document.createElement("tr");
      tr.appendChild(experimentsPage.el("td", answer.status === 404 ? "the chaos service does not run in this platform" :
        experimentsPage.problem(answer), "empty"));
      tr.firstChild.colSpan = 5;
      rows.appendChild(tr);
      return [];
    }
    if (!answer.body.length) {
      const tr = document.createElement("tr");
      tr.appendChild(experimentsPage.el("td", "no runs yet", "empty"));
      tr.firstChild.colSpan = 5;
      rows.appendChild(tr);
    }
    for (const r of answer.body) {
      const tr = document.createElement("tr");
      tr.dataset.run = r.runId;
      const status = document.createElement("td");
      status.appendChild(experimentsPage.badge(r.status));
      tr.appendChild(status);
      tr.appendChild(experimentsPage.el("td", r.title || ""));
      tr.appendChild(experimentsPage.el("td", experimentsPage.time(r.start)));
      tr.appendChild(experimentsPage.el("td", experimentsPage.time(r.end)));
      const link = experimentsPage.el("a", r.runId);
      link.href = "#run=" + encodeURIComponent(r.runId);
      const td = document.createElement("td");
      td.appendChild(link);
      tr.appendChild(td);
      rows.appendChild(tr);
    }
    return answer.body;
  },

  // Opens the run named in the location's hash (#run=ID), or closes the run view.
  async route() {
    const m = /^#run=(.+)$/.exec(location.hash);
    const id = m ? decodeURIComponent(m[1]) : null;
    if (experimentsPage.run && experimentsPage.run.id === id) return;
    experimentsPage.closeRun();
    if (id) await experimentsPage.openRun(id);
  },

  closeRun() {
    const run = experimentsPage.run;
    if (run && run.source) run.source.close();
    experimentsPage.run = null;
    document.getElementById("run-section").hidden = true;
  },

  async openRun(id) {
    const run = { id, title: "", status: "running", steps: new Map(), faults: new Map(), source: null, ended: false };
    experimentsPage.run = run;
    document.getElementById("run-section").hidden = false;
    document.getElementById("run-id").textContent = id;
    document.getElementById("run-name").textContent = "";
    document.getElementById("run-reason").textContent = "";
    document.getElementById("journal").textContent = "";
    document.getElementById("abort-result").textContent = "";
    for (const phase of experimentsPage.PHASES) document.getElementById("phase-" + phase).textContent = "";
    experimentsPage.renderFaults();
    const runs = await experimentsPage.loadRuns();
    const known = runs.find((r) => r.runId === id);
    if (known) {
      run.title = known.title || "";
      run.start = known.start;
    }
    experimentsPage.showRunHeader();
    experimentsPage.follow(run);
    await experimentsPage.refreshRun(run);
    document.getElementById("run-section").scrollIntoView({ block: "start" });
  },

  showRunHeader() {
    const run = experimentsPage.run;
    if (!run) return;
    const status = document.getElementById("run-status");
    status.textContent = run.status;
    status.className = "badge run-" + run.status;
    document.getElementById("run-name").textContent = run.title;
    const abort = document.getElementById("abort");
    experimentsPage.guard(abort, "operator", "abort a run");
    if (!abort.disabled && run.status !== "running") {
      abort.disabled = true;
      abort.title = "the run has ended (" + run.status + ")";
    }
  },

  // The run's events, live: every event whose experimentid is the run, from its start.
  follow(run) {
    // from a little before the run started; a run whose start is not known yet (a schedule's)
    // from an hour ago, its journal fills in the rest once it ends
    const from = new Date(run.start ? Date.parse(run.start) - 5000 : Date.now() - 3600000).toISOString();
    const filter = "experimentid == '" + run.id.replace(/'/g, "") + "'";
    const url = "/api/v1/events/stream?from=" + encodeURIComponent(from) + "&filter=" + encodeURIComponent(filter);
    const state = document.getElementById("run-stream");
    state.textContent = "connecting";
    state.className = "state";
    const source = new EventSource(url);
    run.source = source;
    source.addEventListener("ready", () => { state.textContent = "live"; state.className = "state live"; });
    source.addEventListener("error", () => {
      if (run.ended) return;
      state.textContent = "reconnecting";
      state.className = "state";
    });
    source.addEventListener("message", (m) => {
      let event;
      try { event = JSON.parse(m.data); } catch (e) { return; }
      if (experimentsPage.run === run) experimentsPage.take(run, event);
    });
  },

  // One event of the run.
  take(run, event) {
    const data = event.data || {};
    const type = String(event.type || "");
    if (type.includes(".experiment.started.")) {
      run.title = data.title || run.title;
    } else if (type.includes(".experiment.step.")) {
      experimentsPage.step(run, {
        phase: data.phase, name: data.activity, type: data.activityType, status: data.status,
        start: data.start, end: data.end, output: data.output, error: data.error,
      });
    } else if (type.includes(".experiment.deviated.")) {
      document.getElementById("run-reason").textContent = "the steady state deviated (" + data.phase + "): " + data.probe + ": " + data.reason;
    } else if (type.includes(".experiment.aborted.")) {
      run.status = "aborted";
      document.getElementById("run-reason").textContent = "aborted by " + data.by + ": " + data.reason;
    } else if (type.includes(".experiment.rolledback.")) {
      for (const name of data.rollbacks || []) {
        if (!run.steps.has("rollback/" + name)) experimentsPage.step(run, { phase: "rollback", name, type: "action", status: "succeeded" });
      }
      if (!data.succeeded) document.getElementById("run-reason").textContent = "rollbacks failed: " + (data.failures || []).join("; ");
    } else if (type.includes(".experiment.completed.")) {
      run.status = data.status;
      if (data.reason) document.getElementById("run-reason").textContent = data.reason;
      experimentsPage.ended(run);
    }
    experimentsPage.showRunHeader();
  },

  // Adds or updates the step `s` ({phase, name, type, status, start, end, output, error}).
  step(run, s) {
    const phase = experimentsPage.PHASES.includes(s.phase) ? s.phase : "method";
    const key = phase + "/" + s.name;
    let li = run.steps.get(key);
    if (!li) {
      li = document.createElement("li");
      li.dataset.name = s.name;
      run.steps.set(key, li);
      document.getElementById("phase-" + phase).appendChild(li);
    }
    li.textContent = "";
    li.className = "step step-" + s.status;
    li.appendChild(experimentsPage.badge(s.status));
    li.appendChild(experimentsPage.el("span", s.name, "step-name"));
    if (s.type) li.appendChild(experimentsPage.el("span", " " + s.type, "when"));
    const output = s.output;
    if (output && output.fault) {
      li.appendChild(experimentsPage.el("span", " " + output.fault + " on " + [].concat(output.targets || []).join(", "), "step-detail"));
      run.faults.set(key, { activity: s.name, fault: output.fault, targets: [].concat(output.targets || []), until: output.until });
      experimentsPage.renderFaults();
    } else if (output && output.wait) {
      li.appendChild(experimentsPage.el("span", " " + output.wait, "step-detail"));
    }
    if (s.error) li.appendChild(experimentsPage.el("div", s.error, "error"));
  },

  renderFaults() {
    const run = experimentsPage.run;
    const rows = document.getElementById("fault-rows");
    rows.textContent = "";
    if (!run || !run.faults.size) {
      const tr = document.createElement("tr");
      tr.appendChild(experimentsPage.el("td", "none yet", "empty"));
      tr.firstChild.colSpan = 5;
      rows.appendChild(tr);
      return;
    }
    for (const f of run.faults.values()) {
      const tr = document.createElement("tr");
      tr.className = "fault";
      tr.appendChild(experimentsPage.el("td", f.activity));
      tr.appendChild(experimentsPage.el("td", f.fault));
      tr.appendChild(experimentsPage.el("td", f.targets.join(", ")));
      tr.appendChild(experimentsPage.el("td", experimentsPage.time(f.until)));
      let remaining = "no duration";
      if (run.ended) remaining = "reverted";
      else if (f.until) {
        const left = Math.max(0, Math.round((Date.parse(f.until) - Date.now()) / 1000));
        remaining = left > 0 ? left + " s" : "ending";
      }
      tr.appendChild(experimentsPage.el("td", remaining, "remaining"));
      rows.appendChild(tr);
    }
  },

  // The run's journal (a placeholder while it runs); the steps from it once it has ended, in case
  // the stream missed some.
  async refreshRun(run) {
    const answer = await valentia.api("GET", "/api/v1/experiments/runs/" + encodeURIComponent(run.id));
    if (experimentsPage.run !== run) return;
    if (answer.status !== 200) {
      document.getElementById("run-reason").textContent = experimentsPage.problem(answer);
      return;
    }
    const journal = answer.body;
    run.title = (journal.experiment && journal.experiment.title) || journal.title || run.title;
    if (journal.status && journal.status !== "running") {
      run.status = journal.status;
      if (journal.reason) document.getElementById("run-reason").textContent = journal.reason;
      const states = journal.steady_states || {};
      const fill = (phase, list) => (list || []).forEach((r) => experimentsPage.step(run, {
        phase, name: r.activity && r.activity.name, type: r.activity && r.activity.type, status: r.status,
        output: r.output, error: (r.exception || [])[0],
      }));
      fill("steady-state-before", states.before && states.before.probes);
      fill("method", journal.run);
      fill("steady-state-during", states.during);
      fill("steady-state-after", states.after && states.after.probes);
      fill("rollback", journal.rollbacks);
      document.getElementById("journal").textContent = JSON.stringify(journal, null, 2);
      run.journalDone = true;
      experimentsPage.ended(run);
    } else {
      document.getElementById("journal").textContent = JSON.stringify(journal, null, 2);
    }
    experimentsPage.showRunHeader();
  },

  ended(run) {
    if (run.ended) return;
    run.ended = true;
    if (run.source) run.source.close();
    const state = document.getElementById("run-stream");
    state.textContent = "ended";
    state.className = "state";
    experimentsPage.renderFaults();
    if (!run.journalDone) experimentsPage.refreshRun(run);
    experimentsPage.loadRuns();
  },

  async abort(e) {
    e.preventDefault();
    const run = experimentsPage.run;
    if (!run) return;
    const reason = document.getElementById("abort-reason").value.trim();
    if (!confirm("Abort the run “" + run.title + "”? Its faults are reverted and its rollbacks run.")) return;
    const result = document.getElementById("abort-result");
    result.textContent = "aborting…";
    const answer = await valentia.api("POST", "/api/v1/experiments/runs/" + encodeURIComponent(run.id) + "/abort",
      reason ? { reason } : {});
    result.textContent = answer.status === 202 ? "aborting: " + answer.body.reason : "not aborted: " + experimentsPage.problem(answer);
    result.className = answer.status === 202 ? "ok" : "error";
  },

  // ---- schedules -----------------------------------------------------------------------------

  async loadSchedules() {
    const answer = await valentia.api("GET", "/api/v1/schedules");
    const rows = document.getElementById("schedule-rows");
    rows.textContent = "";
    if (answer.status !== 200 || !Array.isArray(answer.body)) {
      const tr = document.createElement("tr");
      tr.appendChild(experimentsPage.el("td", experimentsPage.problem(answer), "empty"));
      tr.firstChild.colSpan = 7;
      rows.appendChild(tr);
      return;
    }
    if (!answer.body.length) {
      const tr = document.createElement("tr");
      tr.appendChild(experimentsPage.el("td", "no schedules", "empty"));
      tr.firstChild.colSpan = 7;
      rows.appendChild(tr);
    }
    for (const s of answer.body) rows.appendChild(experimentsPage.scheduleRow(s));
  },

  scheduleRow(s) {
    const tr = document.createElement("tr");
    tr.dataset.schedule = s.id;
    tr.appendChild(experimentsPage.el("td", s.id));
    tr.appendChild(experimentsPage.el("td", s.title || ""));
    const when = experimentsPage.el("td", s.schedule);
    if (s.paused) {
      when.appendChild(document.createTextNode(" "));
      when.appendChild(experimentsPage.el("span", "paused", "badge schedule-paused"));
    }
    tr.appendChild(when);
    const next = document.createElement("td");
    const nextRuns = s.nextRuns || (s.nextRun ? [s.nextRun] : []);
    if (!nextRuns.length) next.appendChild(experimentsPage.el("span", s.paused ? "none while paused" : "none", "empty"));
    const nextList = experimentsPage.el("ul", null, "firings");
    for (const n of nextRuns) nextList.appendChild(experimentsPage.el("li", experimentsPage.time(n)));
    next.appendChild(nextList);
    tr.appendChild(next);
    const o = s.options || {};
    const options = [
      "zone " + o.zone,
      o.jitter && o.jitter !== "0ms" ? "jitter " + experimentsPage.millis(o.jitter) : "no jitter",
      (o.blackouts || []).length ? "blackouts " + o.blackouts.join(", ") : "no blackout",
      "concurrency " + o.concurrency,
      "missed " + o.missed,
    ];
    tr.appendChild(experimentsPage.el("td", options.join("; "), "options"));
    const history = document.createElement("td");
    const fired = experimentsPage.el("ul", null, "firings");
    for (const f of (s.history || []).slice(-5).reverse()) {
      fired.appendChild(experimentsPage.el("li", experimentsPage.time(f.at) + " " + f.outcome + (f.runId ? " " + f.runId : "")));
    }
    if (!(s.history || []).length) fired.appendChild(experimentsPage.el("li", "never fired", "empty"));
    history.appendChild(fired);
    tr.appendChild(history);
    const actions = document.createElement("td");
    actions.className = "row-actions";
    const toggle = experimentsPage.el("button", s.paused ? "Resume" : "Pause", s.paused ? "resume" : "pause");
    toggle.type = "button";
    toggle.setAttribute("aria-label", (s.paused ? "Resume" : "Pause") + " schedule " + s.id);
    experimentsPage.guard(toggle, "operator", (s.paused ? "resume" : "pause") + " a schedule");
    toggle.addEventListener("click", () => experimentsPage.pauseSchedule(s.id, !s.paused));
    actions.appendChild(toggle);
    const remove = experimentsPage.el("button", "Delete", "danger delete");
    remove.type = "button";
    remove.setAttribute("aria-label", "Delete schedule " + s.id);
    experimentsPage.guard(remove, "operator", "delete a schedule");
    remove.addEventListener("click", () => experimentsPage.deleteSchedule(s.id));
    actions.appendChild(remove);
    tr.appendChild(actions);
    return tr;
  },

  async pauseSchedule(id, pause) {
    const answer = await valentia.api("POST", "/api/v1/schedules/" + encodeURIComponent(id) + (pause ? "/pause" : "/resume"));
    const result = document.getElementById("schedule-result");
    result.textContent = answer.status === 200 ? (pause ? "paused " : "resumed ") + id : "not changed: " + experimentsPage.problem(answer);
    result.className = answer.status === 200 ? "ok" : "error";
    await experimentsPage.loadSchedules();
  },

  // "60000ms" -> "1m"; anything else as it came.
  millis(text) {
    const m = /^(\d+)ms$/.exec(String(text));
    if (!m) return String(text);
    let ms = Number(m[1]);
    const parts = [];
    for (const [unit, size] of [["h", 3600000], ["m", 60000], ["s", 1000]]) {
      if (ms >= size) { parts.push(Math.floor(ms / size) + unit); ms %= size; }
    }
    if (ms) parts.push(ms + "ms");
    return parts.join("") || "0s";
  },

  async deleteSchedule(id) {
    if (!confirm("Delete the schedule “" + id + "”? Runs in progress go on.")) return;
    const answer = await valentia.api("DELETE", "/api/v1/schedules/" + encodeURIComponent(id));
    const result = document.getElementById("schedule-result");
    result.textContent = answer.status === 200 ? "deleted " + id : "not deleted: " + experimentsPage.problem(answer);
    result.className = answer.status === 200 ? "ok" : "error";
    await experimentsPage.loadSchedules();
  },

  async createSchedule(e) {
    e.preventDefault();
    const result = document.getElementById("schedule-result");
    const problems = document.getElementById("schedule-problems");
    problems.textContent = "";
    result.textContent = "checking the experiment…";
    result.className = "";
    // the plan gives the experiment as JSON, whichever form the editor holds
    const plan = await experimentsPage.plan();
    if (!plan) {
      result.textContent = "the experiment has problems (see above)";
      result.className = "error";
      return;
    }
    const value = (id) => document.getElementById(id).value.trim();
    const options = { concurrency: value("schedule-concurrency") };
    if (value("schedule-zone")) options.zone = value("schedule-zone");
    if (value("schedule-jitter")) options.jitter = value("schedule-jitter");
    if (value("schedule-blackouts")) options.blackouts = value("schedule-blackouts").split(",").map((b) => b.trim()).filter((b) => b);
    const body = { schedule: value("schedule-spec"), experiment: plan.document, options };
    if (value("schedule-id")) body.id = value("schedule-id");
    const answer = await valentia.api("POST", "/api/v1/schedules", body);
    if (answer.status === 201) {
      result.textContent = "created " + answer.body.id + (answer.body.nextRun ? ", next run " + experimentsPage.time(answer.body.nextRun) : "");
      result.className = "ok";
      document.getElementById("schedule-id").value = "";
    } else {
      result.textContent = "not created: " + experimentsPage.problem(answer);
      result.className = "error";
      for (const p of (answer.body && answer.body.problems) || []) problems.appendChild(experimentsPage.el("li", p, "error"));
    }
    await experimentsPage.loadSchedules();
  },

  // ---- start ---------------------------------------------------------------------------------

  async init() {
    const session = await valentia.requireSession();
    if (!session) return;
    for (const [id, what] of [["validate", "validate an experiment"], ["plan", "dry-run an experiment"],
      ["run", "run an experiment"], ["schedule-create", "create a schedule"]]) {
      experimentsPage.guard(document.getElementById(id), "operator", what);
    }
    const area = experimentsPage.source();
    area.addEventListener("input", () => experimentsPage.gutter(null));
    area.addEventListener("scroll", () => { document.getElementById("gutter").scrollTop = area.scrollTop; });
    document.getElementById("experiment-file").addEventListener("change", (e) => experimentsPage.openFile(e.target.files[0]));
    document.getElementById("validate").addEventListener("click", experimentsPage.validate);
    document.getElementById("plan").addEventListener("click", experimentsPage.plan);
    document.getElementById("run").addEventListener("click", experimentsPage.start);
    document.getElementById("abort-form").addEventListener("submit", experimentsPage.abort);
    document.getElementById("schedule-form").addEventListener("submit", experimentsPage.createSchedule);
    window.addEventListener("hashchange", experimentsPage.route);
    experimentsPage.gutter(null);
    await Promise.all([experimentsPage.loadRuns(), experimentsPage.loadSchedules()]);
    await experimentsPage.route();
    setInterval(() => {
      const run = experimentsPage.run;
      if (run) {
        experimentsPage.renderFaults();
        // the journal replaces the placeholder shortly after the run's last event
        if (!run.journalDone) experimentsPage.refreshRun(run);
      }
    }, 1000);
    setInterval(() => { if (!document.hidden) experimentsPage.loadSchedules(); }, 10000);
  },
};

experimentsPage.init();
