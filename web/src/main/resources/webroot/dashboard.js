// The dashboard's authenticated parts: open incidents, active experiments with halt-all, recent
// denials and lease revocations. Health (public) is health.js. Text only, never HTML.
"use strict";

function fill(id, items, empty) {
  const list = document.getElementById(id);
  list.replaceChildren();
  if (items.length === 0) list.appendChild(valentia.el("li", empty));
  for (const [text, cls] of items) list.appendChild(valentia.el("li", text, cls));
}

async function incidents() {
  const answer = await valentia.api("GET", "/api/v1/incidents?status=open");
  if (answer.status === 404) return fill("incidents", [], "postmortem service not running");
  if (answer.status !== 200) return fill("incidents", [], "cannot read incidents (" + answer.status + ")");
  const list = Array.isArray(answer.body) ? answer.body : (answer.body.incidents || answer.body.hits || []);
  fill("incidents", list.map((i) => ["[" + (i.severity || "?") + "] " + (i.id || "") + " " + (i.title || i.summary || ""), i.severity]), "no open incidents");
}

async function experiments() {
  const answer = await valentia.api("GET", "/api/v1/experiments?status=running");
  const halt = document.getElementById("halt");
  if (answer.status === 404) {
    halt.disabled = true;
    halt.title = "the chaos service is not running in this platform";
    return fill("experiments", [], "chaos service not running");
  }
  halt.disabled = false;
  if (answer.status !== 200) return fill("experiments", [], "cannot read experiments (" + answer.status + ")");
  const list = Array.isArray(answer.body) ? answer.body : (answer.body.experiments || []);
  fill("experiments", list.map((e) => [(e.id || "") + " " + (e.title || "") + " " + (e.status || ""), null]), "no active experiments");
}

async function haltAll() {
  if (!confirm("Halt every chaos experiment and revert every active fault?")) return;
  const answer = await valentia.api("POST", "/api/v1/halt", { reason: "halt-all from the dashboard" });
  const result = document.getElementById("halt-result");
  result.textContent = answer.status < 300
    ? "halted"
    : "refused (" + answer.status + "): " + ((answer.body && answer.body.error) || "");
  result.className = answer.status < 300 ? "ok" : "error";
  experiments();
}

function recent() {
  const types = ["io.valentia.probe.syscall.denied.v1", "io.valentia.probe.lsm.denied.v1", "io.valentia.lease.revoked.v1"];
  const filter = "type in [" + types.map((t) => "'" + t + "'").join(", ") + "]";
  const from = new Date(Date.now() - 24 * 3600 * 1000).toISOString();
  const items = [];
  const source = new EventSource("/api/v1/events/stream?from=" + encodeURIComponent(from) + "&filter=" + encodeURIComponent(filter));
  source.addEventListener("message", (m) => {
    let e;
    try { e = JSON.parse(m.data); } catch (x) { return; }
    const d = e.data || {};
    const what = e.type.includes("lease") ? "lease " + (d.leaseId || "") + " revoked: " + (d.reason || "")
      : "denied " + (d.syscall || d.operation || "") + " for " + (d.comm || "") + " (" + (d.action || d.profile || "") + ")";
    items.unshift([(e.time || "").slice(0, 19).replace("T", " ") + " " + (e.subject || "") + " " + what, e.severity]);
    if (items.length > 20) items.pop();
    fill("recent", items, "none in the last 24 hours");
  });
  fill("recent", [], "none in the last 24 hours");
}

(async () => {
  const response = await fetch("/api/v1/session", { cache: "no-store" });
  if (response.status !== 200) {
    const who = document.getElementById("who");
    const link = valentia.el("a", "Log in");
    link.href = "/login";
    who.replaceChildren(link);
    return;
  }
  valentia.session = await response.json();
  document.getElementById("who").textContent = valentia.session.name + " (" + valentia.session.role + ")";
  const logout = document.getElementById("logout");
  logout.hidden = false;
  logout.addEventListener("click", valentia.logout);
  document.getElementById("halt").addEventListener("click", haltAll);
  incidents();
  experiments();
  recent();
  setInterval(() => { incidents(); experiments(); }, 10000);
})();
