// The incidents page: the list (narrowed by a text filter), and one incident with its evidence
// drawn as a timeline, its lifecycle, and the way to its postmortem.
"use strict";

const incidentsPage = {
  all: [],
  current: null,

  async load() {
    const answer = await valentia.api("GET", "/api/v1/incidents");
    if (!records.answered(answer, "incidents")) return;
    records.notice("");
    incidentsPage.all = (answer.body && answer.body.incidents) || [];
    incidentsPage.render(document.getElementById("q").value.trim());
    const wanted = new URLSearchParams(location.search).get("id");
    if (wanted && !incidentsPage.current) incidentsPage.open(wanted);
  },

  render(q) {
    const words = q.toLowerCase().split(/\s+/).filter(Boolean);
    const shown = incidentsPage.all.filter((i) => {
      const text = [i.id, i.title, i.status, i.severity, i.rule, ...(i.subjects || [])].join(" ").toLowerCase();
      return words.every((w) => text.includes(w));
    });
    const counts = {};
    for (const dimension of ["status", "severity", "rule"]) {
      const tally = {};
      for (const i of shown) tally[i[dimension]] = (tally[i[dimension]] || 0) + 1;
      counts[dimension] = Object.entries(tally).map(([value, count]) => ({ value, count }));
    }
    records.facets(document.getElementById("facets"), counts, (dimension, value) => {
      const box = document.getElementById("q");
      box.value = (box.value + " " + value).trim();
      incidentsPage.render(box.value);
    });
    const results = document.getElementById("results");
    results.replaceChildren();
    if (shown.length === 0) results.appendChild(valentia.el("li", "no incidents" + (q ? " match" : " yet")));
    for (const i of shown.slice().reverse()) {
      const li = valentia.el("li", null, "result");
      li.appendChild(valentia.el("span", i.severity, "badge " + String(i.severity).toLowerCase()));
      li.appendChild(valentia.el("span", i.status, "badge status-" + i.status));
      li.appendChild(valentia.el("span", " " + i.title + " "));
      li.appendChild(valentia.el("span", i.opened, "when"));
      li.addEventListener("click", () => incidentsPage.open(i.id));
      results.appendChild(li);
    }
  },

  async open(id) {
    const answer = await valentia.api("GET", "/api/v1/incidents/" + encodeURIComponent(id));
    const doc = document.getElementById("document");
    doc.replaceChildren();
    if (answer.status !== 200) {
      doc.appendChild(valentia.el("p", "cannot open " + id + " (" + answer.status + ")", "error"));
      return;
    }
    const i = answer.body;
    incidentsPage.current = i;
    history.replaceState(null, "", "/incidents?id=" + encodeURIComponent(i.id));
    doc.appendChild(valentia.el("h2", i.title));
    const facts = valentia.el("dl", null, "facts");
    for (const [k, v] of [["id", i.id], ["severity", i.severity], ["status", i.status], ["rule", i.rule],
      ["opened", i.opened], ["last activity", i.lastActivity],
      ["subjects", (i.subjects || []).join(", ")], ["experiments", (i.experiments || []).join(", ") || "none"]]) {
      facts.appendChild(valentia.el("dt", k));
      facts.appendChild(valentia.el("dd", v));
    }
    doc.appendChild(facts);

    const actions = valentia.el("div", null, "actions");
    for (const next of ["mitigated", "resolved", "in-review", "closed", "open"]) {
      if (next === i.status) continue;
      const button = valentia.el("button", next === "open" ? "reopen" : "mark " + next);
      button.type = "button";
      button.addEventListener("click", () => incidentsPage.move(i.id, next));
      actions.appendChild(button);
    }
    const postmortem = valentia.el("button", "postmortem", "primary");
    postmortem.type = "button";
    postmortem.id = "to-postmortem";
    postmortem.addEventListener("click", () => incidentsPage.postmortem(i));
    actions.appendChild(postmortem);
    doc.appendChild(actions);
    doc.appendChild(valentia.el("p", "", "notice")).id = "action-notice";

    const evidence = records.section(doc, "Evidence timeline (" + (i.evidence || []).length +
      " events of the incident, with the events of its subjects around them)");
    const drawing = valentia.el("div", null, "timeline-box");
    drawing.id = "timeline";
    evidence.appendChild(drawing);
    const list = valentia.el("ol", null, "evidence");
    evidence.appendChild(list);
    const raw = valentia.el("pre", "", "detail small");
    raw.id = "evidence-detail";
    evidence.appendChild(raw);
    await incidentsPage.evidence(i, drawing, list, raw);
  },

  // What the evidence shows: the incident's own events (by id) and every event of its subjects
  // and experiments from 10 minutes before it opened to 10 minutes after its last activity, as the
  // postmortem's drafted timeline takes them. The incident's own evidence is marked.
  async evidence(i, drawing, list, raw) {
    const ids = (i.evidence || []).slice(0, 200);
    const parts = [];
    if (ids.length) parts.push("id:(" + ids.map(records.quote).join(" OR ") + ")");
    if ((i.subjects || []).length) parts.push("subject:(" + i.subjects.slice(0, 50).map(records.quote).join(" OR ") + ")");
    if ((i.experiments || []).length) parts.push("experimentid:(" + i.experiments.slice(0, 50).map(records.quote).join(" OR ") + ")");
    if (parts.length === 0) {
      list.appendChild(valentia.el("li", "no evidence recorded"));
      return;
    }
    const margin = 10 * 60 * 1000;
    const from = new Date(Date.parse(i.opened) - margin).toISOString();
    const to = new Date(Date.parse(i.lastActivity) + margin).toISOString();
    const answer = await valentia.api("GET", "/api/v1/events/search?sort=oldest&facet=none&size=500" +
      "&from=" + encodeURIComponent(from) + "&to=" + encodeURIComponent(to) +
      "&q=" + encodeURIComponent(parts.join(" OR ") + " AND NOT type:\"io.valentia.audit.v1\""));
    if (answer.status !== 200) {
      list.appendChild(valentia.el("li", "the evidence could not be read (" + answer.status + "): " +
        ((answer.body && answer.body.error) || ""), "error"));
      return;
    }
    const own = new Set(ids);
    const hits = answer.body.hits || [];
    const entries = hits.map((h) => ({
      id: h.id,
      time: h.time,
      lane: records.short(h.source && h.source.type),
      severity: (h.source && h.source.severity) || "info",
      label: records.short(h.source && h.source.type) + " " + ((h.source && h.source.subject) || "") +
        (own.has(h.id) ? " (evidence)" : ""),
      evidence: own.has(h.id),
      source: h.source,
    }));
    const show = (entry) => {
      raw.textContent = JSON.stringify(entry.source, null, 2);
      for (const li of list.children) li.classList.toggle("selected", li.dataset.id === entry.id);
    };
    timeline.draw(drawing, entries, { onSelect: show });
    for (const entry of entries) {
      const li = valentia.el("li", entry.time + "  " + entry.label, "sev-" + entry.severity + (entry.evidence ? " own" : ""));
      li.dataset.id = entry.id;
      li.addEventListener("click", () => show(entry));
      list.appendChild(li);
    }
    const found = new Set(hits.map((h) => h.id));
    const missing = ids.filter((id) => !found.has(id)).length;
    if (missing) list.appendChild(valentia.el("li", missing + " evidence events are not indexed yet", "empty"));
    if (answer.body.total > hits.length) {
      list.appendChild(valentia.el("li", "the first " + hits.length + " of " + answer.body.total + " events are shown", "empty"));
    }
  },

  async move(id, status) {
    const answer = await valentia.api("POST", "/api/v1/incidents/" + encodeURIComponent(id) + "/status",
      { status, by: valentia.session && valentia.session.name });
    const notice = document.getElementById("action-notice");
    if (answer.status === 200) {
      await incidentsPage.load();
      await incidentsPage.open(id);
    } else {
      notice.textContent = "could not mark " + status + ": " + ((answer.body && answer.body.error) || answer.status);
      notice.className = "notice error";
    }
  },

  // Opens the incident's postmortem, drafting it from the evidence when there is none yet.
  async postmortem(i) {
    const found = await valentia.api("GET", "/api/v1/postmortems");
    const hit = found.status === 200 && (found.body.postmortems || []).find((p) => p.incidentId === i.id);
    if (hit) {
      location.assign("/postmortems?id=" + encodeURIComponent(hit.id));
      return;
    }
    const created = await valentia.api("POST", "/api/v1/postmortems", { incidentId: i.id });
    const notice = document.getElementById("action-notice");
    if (created.status === 201) {
      location.assign("/postmortems?id=" + encodeURIComponent(created.body.id));
    } else {
      notice.textContent = "could not draft the postmortem: " + ((created.body && created.body.error) || created.status);
      notice.className = "notice error";
    }
  },
};

document.getElementById("search").addEventListener("submit", (e) => {
  e.preventDefault();
  incidentsPage.render(document.getElementById("q").value.trim());
});

valentia.requireSession().then((s) => { if (s) incidentsPage.load(); });
