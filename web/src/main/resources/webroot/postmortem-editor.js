// Writing a postmortem in the page: a new one (blank or for an incident), every section in a
// Markdown text area with its preview, the timeline (entries added and edited; an entry drafted
// from the evidence keeps its time; the edit trail shown), testimonies and findings citing
// evidence picked from the timeline, action items, and the status (draft, in review, final). The
// blameless review runs on the text not saved yet as the person types. A save is based on the
// revision the editor started from: when someone else saved first (409), the sections both
// changed are shown side by side to keep yours or take theirs, or the page reloads theirs; nothing
// is overwritten silently. Only roles that may write postmortems get these controls (the service
// checks anyway). Everything typed or read is inserted as text, never as HTML.
"use strict";

const pmEditor = {
  ROLES: ["viewer", "responder", "operator", "admin"],
  // the document's sections, in the service's order (PostmortemSections.NAMES)
  NAMES: ["title", "incidentId", "date", "authors", "summary", "impact", "trigger", "detection",
    "resolution", "contributingFactors", "actionItems", "wentWell", "wentWrong", "gotLucky",
    "timeline", "testimonies", "findings", "recommendations", "supportingInformation"],
  PROSE: [["summary", "Summary"], ["impact", "Impact"], ["trigger", "Trigger"],
    ["detection", "Detection"], ["resolution", "Resolution"]],
  LISTS: [["contributingFactors", "Contributing factors"], ["wentWell", "Lessons: what went well"],
    ["wentWrong", "Lessons: what went wrong"], ["gotLucky", "Lessons: where we got lucky"],
    ["recommendations", "Recommendations"], ["supportingInformation", "Supporting information"]],
  LABELS: {
    title: "Title", incidentId: "Incident", date: "Date", authors: "Authors", actionItems: "Action items",
    timeline: "Timeline", testimonies: "Testimonies", findings: "Findings",
  },
  LINT_DELAY_MS: 500,

  id: null,
  base: null,       // the document as of `revision`, what the edits are based on
  revision: 0,
  status: "draft",
  draft: null,      // the document being edited
  remarks: [],
  lintTimer: null,
  lintSeq: 0,
  closing: false,
  seq: 0,

  el: (tag, text, cls) => valentia.el(tag, text, cls),

  mayWrite() {
    const role = valentia.session && valentia.session.role;
    return pmEditor.ROLES.indexOf(role) >= pmEditor.ROLES.indexOf("responder");
  },

  clone: (v) => JSON.parse(JSON.stringify(v)),
  same: (a, b) => JSON.stringify(a) === JSON.stringify(b),
  path: (id) => "/api/v1/postmortems/" + encodeURIComponent(id),
  problem: (answer) => (answer.body && (answer.body.error || answer.body.text)) || ("HTTP " + answer.status),
  uid(what) { pmEditor.seq += 1; return "pm-" + what + "-" + pmEditor.seq; },

  state(text, cls) {
    const box = document.getElementById("pm-state");
    if (!box) return;
    box.textContent = text || "";
    box.className = "pm-state" + (cls ? " " + cls : "");
  },

  // ---- a new postmortem ------------------------------------------------------------------------

  async setUpCreate() {
    const section = document.getElementById("authoring");
    if (!pmEditor.mayWrite()) {
      section.hidden = true;
      return;
    }
    section.hidden = false;
    const select = document.getElementById("pm-new-incident");
    const answer = await valentia.api("GET", "/api/v1/incidents");
    if (answer.status === 200) {
      for (const incident of (answer.body.incidents || []).slice().reverse()) {
        const option = pmEditor.el("option", (incident.title || incident.id) + " — " + incident.id);
        option.value = incident.id;
        select.appendChild(option);
      }
    }
    document.getElementById("pm-create-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const title = document.getElementById("pm-new-title").value.trim();
      const incidentId = select.value;
      const body = { document: title ? { title } : {} };
      if (incidentId) body.incidentId = incidentId;
      const out = document.getElementById("pm-create-state");
      out.textContent = "creating…";
      const created = await valentia.api("POST", "/api/v1/postmortems", body);
      if (created.status !== 201) {
        out.textContent = "not created: " + pmEditor.problem(created);
        out.className = "error";
        return;
      }
      out.textContent = "created " + created.body.id;
      out.className = "ok";
      document.getElementById("pm-new-title").value = "";
      pmEditor.start(created.body);
    });
  },

  // ---- opening and loading -----------------------------------------------------------------------

  async open(id) {
    const answer = await valentia.api("GET", pmEditor.path(id));
    if (answer.status !== 200) {
      records.notice("cannot open " + id + " for editing: " + pmEditor.problem(answer), "error");
      return;
    }
    pmEditor.start(answer.body);
  },

  // Shows the editor for `pm` (an API answer with id, revision and document).
  start(pm) {
    pmEditor.id = pm.id;
    pmEditor.load(pm);
    document.getElementById("document").hidden = true;
    document.getElementById("editor").hidden = false;
    history.replaceState(null, "", "/postmortems?id=" + encodeURIComponent(pm.id) + "&edit=1");
    const title = document.getElementById("pm-title");
    if (title) title.focus();
  },

  load(pm) {
    pmEditor.base = pm.document;
    pmEditor.revision = pm.revision;
    pmEditor.status = pm.document.status || pm.status || "draft";
    pmEditor.draft = pmEditor.clone(pm.document);
    pmEditor.closing = false;
    document.getElementById("pm-conflict").hidden = true;
    document.getElementById("pm-conflict").replaceChildren();
    pmEditor.render();
    pmEditor.lint();
  },

  close() {
    if (pmEditor.dirty() && !pmEditor.closing) {
      pmEditor.closing = true;
      pmEditor.state("unsaved changes: press Close again to drop them", "warning");
      return;
    }
    document.getElementById("editor").hidden = true;
    document.getElementById("document").hidden = false;
    postmortemsPage.open(pmEditor.id);
  },

  dirty() {
    return pmEditor.changed().length > 0;
  },

  changed() {
    return pmEditor.NAMES.filter((n) => !pmEditor.same(pmEditor.draft[n], pmEditor.base[n]));
  },

  // Called after every edit of the draft: says what is unsaved and reviews the text soon.
  edited() {
    pmEditor.closing = false;
    pmEditor.refresh();
    clearTimeout(pmEditor.lintTimer);
    pmEditor.lintTimer = setTimeout(pmEditor.lint, pmEditor.LINT_DELAY_MS);
  },

  refresh() {
    const changed = pmEditor.changed();
    pmEditor.state(changed.length ? "unsaved changes in " + changed.map(pmEditor.label).join(", ") : "saved as revision " + pmEditor.revision,
      changed.length ? "warning" : "ok");
    pmEditor.statusButtons();
  },

  label(name) {
    const known = pmEditor.LABELS[name] ||
      (pmEditor.PROSE.find(([k]) => k === name) || pmEditor.LISTS.find(([k]) => k === name) || [])[1];
    return known || name;
  },

  // ---- the form --------------------------------------------------------------------------------

  render() {
    const root = document.getElementById("pm-form");
    root.replaceChildren();
    const d = pmEditor.draft;
    document.getElementById("pm-editing").textContent = "Editing " + pmEditor.id;
    const badge = document.getElementById("pm-status");
    badge.textContent = pmEditor.status;
    badge.className = "badge status-" + pmEditor.status;
    document.getElementById("pm-revision").textContent = "revision " + pmEditor.revision;
    const exportLink = document.getElementById("pm-export");
    exportLink.href = pmEditor.path(pmEditor.id) + "/export?format=markdown";

    const head = pmEditor.group(root, "About", "pm-about");
    pmEditor.input(head, "title", "Title", d.title, (v) => { d.title = v; });
    pmEditor.input(head, "date", "Date", d.date, (v) => { d.date = v; }, "e.g. 2026-11-29");
    pmEditor.input(head, "authors", "Authors (comma-separated)", (d.authors || []).join(", "),
      (v) => { d.authors = v.split(",").map((s) => s.trim()).filter(Boolean); });
    pmEditor.input(head, "incidentId", "Incident", d.incidentId, (v) => { d.incidentId = v; });

    for (const [key, title] of pmEditor.PROSE) {
      const g = pmEditor.group(root, title, "pm-group-" + key);
      pmEditor.markdown(g, key, title + " (Markdown)", d[key], (v) => { d[key] = v; });
    }
    pmEditor.timeline(root);
    pmEditor.testimonies(root);
    pmEditor.findings(root);
    pmEditor.actionItems(root);
    for (const [key, title] of pmEditor.LISTS) {
      const g = pmEditor.group(root, title, "pm-group-" + key);
      pmEditor.markdown(g, key, title + " (one per line)", (d[key] || []).join("\n"),
        (v) => { d[key] = v.split("\n").map((s) => s.trim()).filter(Boolean); }, true);
    }
    const other = pmEditor.el("div", null, "pm-remarks");
    other.id = "pm-remarks-other";
    root.appendChild(other);
    pmEditor.refresh();
    pmEditor.showRemarks();
  },

  group(parent, title, id) {
    const section = pmEditor.el("section", null, "part pm-group");
    if (id) section.id = id;
    section.appendChild(pmEditor.el("h3", title));
    parent.appendChild(section);
    return section;
  },

  remarksBox(parent, where) {
    const box = pmEditor.el("div", null, "pm-remarks");
    box.dataset.remarks = where;
    parent.appendChild(box);
    return box;
  },

  // A labelled one-line input.
  input(parent, key, label, value, onChange, placeholder, type) {
    const row = pmEditor.el("div", null, "pm-input");
    const id = key.startsWith("pm-") ? key : "pm-" + key;
    const l = pmEditor.el("label", label);
    l.htmlFor = id;
    const input = document.createElement("input");
    input.id = id;
    input.type = type || "text";
    input.value = value || "";
    if (placeholder) input.placeholder = placeholder;
    input.addEventListener("input", () => { onChange(input.value); pmEditor.edited(); });
    row.append(l, input);
    parent.appendChild(row);
    if (!key.startsWith("pm-")) pmEditor.remarksBox(parent, key);
    return input;
  },

  // A labelled Markdown text area with its preview beside it (below it on a narrow screen).
  markdown(parent, key, label, value, onChange, asList, where) {
    const field = pmEditor.el("div", null, "pm-field");
    const id = key.startsWith("pm-") ? key : "pm-" + key;
    const l = pmEditor.el("label", label);
    l.htmlFor = id;
    const area = document.createElement("textarea");
    area.id = id;
    area.rows = asList ? 4 : 5;
    area.value = value || "";
    const preview = pmEditor.el("div", null, "md-preview");
    preview.id = id + "-preview";
    preview.setAttribute("role", "region");
    preview.setAttribute("aria-label", "preview of " + label);
    const show = () => {
      const text = asList ? area.value.split("\n").filter((s) => s.trim()).map((s) => "- " + s.trim()).join("\n") : area.value;
      preview.replaceChildren(pmMarkdown.render(text));
      if (!text.trim()) preview.appendChild(pmEditor.el("p", "nothing written yet", "empty"));
    };
    area.addEventListener("input", () => { onChange(area.value); show(); pmEditor.edited(); });
    show();
    const editor = pmEditor.el("div", null, "pm-edit");
    editor.append(l, area);
    field.append(editor, preview);
    parent.appendChild(field);
    pmEditor.remarksBox(parent, where || key);
    return area;
  },

  button(text, cls, onClick) {
    const b = pmEditor.el("button", text, cls);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  },

  // ---- the timeline ------------------------------------------------------------------------------

  timeline(root) {
    const d = pmEditor.draft;
    const g = pmEditor.group(root, "Timeline", "pm-group-timeline");
    g.appendChild(pmEditor.el("p", "An entry drafted from the evidence keeps the time of its events; every change is kept in its trail.", "hint"));
    const list = pmEditor.el("ol", null, "pm-timeline");
    list.id = "pm-timeline";
    d.timeline = d.timeline || [];
    d.timeline.forEach((entry, n) => {
      const li = pmEditor.el("li", null, "pm-entry");
      li.dataset.id = entry.id || "";
      const fromEvidence = entry.evidence && entry.evidence.length > 0;
      const row = pmEditor.el("div", null, "pm-entry-row");
      const timeId = pmEditor.uid("time");
      const tl = pmEditor.el("label", "Time", "visually-hidden");
      tl.htmlFor = timeId;
      const time = document.createElement("input");
      time.id = timeId;
      time.className = "pm-entry-time";
      time.value = entry.time || "";
      if (fromEvidence) {
        time.readOnly = true;
        time.title = "the time of the events it cites";
      }
      time.addEventListener("input", () => { entry.time = time.value; pmEditor.edited(); });
      const textId = pmEditor.uid("entry");
      const xl = pmEditor.el("label", "What happened at " + (entry.time || "this time"), "visually-hidden");
      xl.htmlFor = textId;
      const text = document.createElement("input");
      text.id = textId;
      text.className = "pm-entry-text";
      text.value = entry.text || "";
      text.addEventListener("input", () => { entry.text = text.value; pmEditor.edited(); });
      row.append(tl, time, xl, text);
      if (!fromEvidence) {
        row.appendChild(pmEditor.button("Remove", "pm-remove", () => {
          d.timeline.splice(n, 1);
          pmEditor.render();
        }));
      }
      li.appendChild(row);
      li.appendChild(pmEditor.el("div", (fromEvidence ? "cites " + entry.evidence.join(", ") : "annotation") +
        (entry.addedBy ? " · added by " + entry.addedBy : entry.id ? "" : " · new, not saved yet"), "cites"));
      const trail = (pmEditor.base.timeline || []).find((b) => b.id && b.id === entry.id);
      if (trail && trail.edits && trail.edits.length) {
        const edits = pmEditor.el("ul", null, "pm-trail");
        for (const e of trail.edits) {
          edits.appendChild(pmEditor.el("li", (e.field || "text") + " edited by " + e.by + " at " + e.at +
            ": “" + e.before + "” → “" + e.after + "”", "edit"));
        }
        li.appendChild(edits);
      }
      pmEditor.remarksBox(li, "timeline[" + n + "]");
      list.appendChild(li);
    });
    if (d.timeline.length === 0) list.appendChild(pmEditor.el("li", "no entry yet", "empty"));
    g.appendChild(list);

    const add = pmEditor.el("div", null, "pm-add-entry");
    const time = pmEditor.input(add, "pm-new-time", "Time of the new entry", "", () => {}, "HH:MM or 2026-11-29T04:05:00Z");
    const text = pmEditor.input(add, "pm-new-text", "What happened", "", () => {});
    add.appendChild(pmEditor.button("Add entry", "", () => {
      if (!time.value.trim() || !text.value.trim()) {
        pmEditor.state("a new timeline entry needs a time and a text", "error");
        return;
      }
      d.timeline.push({ id: "", time: time.value.trim(), text: text.value.trim(), evidence: [], addedBy: "", edits: [] });
      pmEditor.render();
      document.getElementById("pm-new-time").focus();
    })).id = "pm-add-entry";
    g.appendChild(add);
  },

  // A picker of the timeline's evidence for `item` (a testimony or finding).
  evidencePicker(parent, item) {
    item.evidence = item.evidence || [];
    const details = document.createElement("details");
    details.className = "pm-evidence";
    const summary = pmEditor.el("summary", "Evidence from the timeline (" + item.evidence.length + " cited)");
    details.appendChild(summary);
    const fieldset = document.createElement("fieldset");
    fieldset.appendChild(pmEditor.el("legend", "Events this cites", "visually-hidden"));
    const citable = (pmEditor.draft.timeline || []).filter((e) => e.evidence && e.evidence.length);
    if (citable.length === 0) fieldset.appendChild(pmEditor.el("p", "the timeline cites no events yet", "empty"));
    const update = () => { summary.textContent = "Evidence from the timeline (" + item.evidence.length + " cited)"; pmEditor.edited(); };
    for (const entry of citable) {
      const id = pmEditor.uid("cite");
      const row = pmEditor.el("div", null, "pm-cite");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.id = id;
      box.value = entry.evidence.join(",");
      box.checked = entry.evidence.every((e) => item.evidence.includes(e));
      box.addEventListener("change", () => {
        if (box.checked) {
          for (const e of entry.evidence) if (!item.evidence.includes(e)) item.evidence.push(e);
        } else {
          item.evidence = item.evidence.filter((e) => !entry.evidence.includes(e));
        }
        update();
      });
      const label = pmEditor.el("label", entry.time + " " + entry.text);
      label.htmlFor = id;
      row.append(box, label);
      fieldset.appendChild(row);
    }
    const known = new Set(citable.flatMap((e) => e.evidence));
    for (const other of item.evidence.filter((e) => !known.has(e))) {
      fieldset.appendChild(pmEditor.el("p", "also cites " + other + " (not on the timeline)", "cites"));
    }
    details.appendChild(fieldset);
    parent.appendChild(details);
  },

  // ---- testimonies and findings --------------------------------------------------------------------

  testimonies(root) {
    const d = pmEditor.draft;
    d.testimonies = d.testimonies || [];
    const g = pmEditor.group(root, "Testimonies", "pm-group-testimonies");
    const list = pmEditor.el("div", null, "pm-cards");
    list.id = "pm-testimonies";
    d.testimonies.forEach((t, n) => {
      const card = pmEditor.el("article", null, "pm-card pm-testimony");
      card.appendChild(pmEditor.el("h4", "Testimony " + (n + 1)));
      const facts = pmEditor.el("div", null, "pm-facts");
      pmEditor.input(facts, pmEditor.uid("who"), "Who", t.who, (v) => { t.who = v; }).classList.add("pm-t-who");
      pmEditor.input(facts, pmEditor.uid("role"), "Role at the time", t.role, (v) => { t.role = v; }).classList.add("pm-t-role");
      pmEditor.input(facts, pmEditor.uid("given"), "Given", t.given, (v) => { t.given = v; }, "when it was given").classList.add("pm-t-given");
      card.appendChild(facts);
      pmEditor.markdown(card, pmEditor.uid("statement"), "Statement (Markdown)", t.statement,
        (v) => { t.statement = v; }, false, "testimonies[" + n + "]").classList.add("pm-t-statement");
      pmEditor.evidencePicker(card, t);
      card.appendChild(pmEditor.button("Remove testimony", "pm-remove", () => { d.testimonies.splice(n, 1); pmEditor.render(); }));
      list.appendChild(card);
    });
    g.appendChild(list);
    const add = pmEditor.button("Add testimony", "", () => {
      d.testimonies.push({ who: "", role: "", given: "", statement: "", evidence: [] });
      pmEditor.render();
      const whos = document.querySelectorAll("#pm-testimonies .pm-t-who");
      if (whos.length) whos[whos.length - 1].focus();
    });
    add.id = "pm-add-testimony";
    g.appendChild(add);
  },

  findings(root) {
    const d = pmEditor.draft;
    d.findings = d.findings || [];
    const g = pmEditor.group(root, "Findings", "pm-group-findings");
    g.appendChild(pmEditor.el("p", "A finding stands on evidence: pick the events it rests on.", "hint"));
    const list = pmEditor.el("div", null, "pm-cards");
    list.id = "pm-findings";
    d.findings.forEach((f, n) => {
      const card = pmEditor.el("article", null, "pm-card pm-finding");
      card.appendChild(pmEditor.el("h4", "Finding " + (n + 1)));
      pmEditor.markdown(card, pmEditor.uid("finding"), "Finding (one paragraph, Markdown)", f.text,
        (v) => { f.text = v; }, false, "findings[" + n + "]").classList.add("pm-f-text");
      pmEditor.evidencePicker(card, f);
      card.appendChild(pmEditor.button("Remove finding", "pm-remove", () => { d.findings.splice(n, 1); pmEditor.render(); }));
      list.appendChild(card);
    });
    g.appendChild(list);
    const add = pmEditor.button("Add finding", "", () => {
      d.findings.push({ text: "", evidence: [] });
      pmEditor.render();
      const texts = document.querySelectorAll("#pm-findings .pm-f-text");
      if (texts.length) texts[texts.length - 1].focus();
    });
    add.id = "pm-add-finding";
    g.appendChild(add);
  },

  // ---- action items --------------------------------------------------------------------------------

  actionItems(root) {
    const d = pmEditor.draft;
    d.actionItems = d.actionItems || [];
    const g = pmEditor.group(root, "Action items", "pm-group-actionItems");
    const list = pmEditor.el("div", null, "pm-actions");
    list.id = "pm-actions";
    const types = pmEditor.datalist(g, "pm-types", ["mitigate", "prevent", "process", "detect", "repair"]);
    const statuses = pmEditor.datalist(g, "pm-statuses", ["open", "in progress", "done", "won't do"]);
    d.actionItems.forEach((a, n) => {
      const card = pmEditor.el("div", null, "pm-action");
      card.setAttribute("role", "group");
      card.setAttribute("aria-label", "action item " + (n + 1));
      const fields = [["action", "Action", "text"], ["type", "Type", "text"], ["owner", "Owner", "text"],
        ["due", "Due", "date"], ["status", "Status", "text"], ["bug", "Bug or ticket", "text"]];
      for (const [key, label, type] of fields) {
        const input = pmEditor.input(card, pmEditor.uid("a-" + key), label, a[key], (v) => { a[key] = v; }, undefined, type);
        input.classList.add("pm-a-" + key);
        if (key === "type") input.setAttribute("list", types);
        if (key === "status") input.setAttribute("list", statuses);
      }
      card.appendChild(pmEditor.button("Remove", "pm-remove", () => { d.actionItems.splice(n, 1); pmEditor.render(); }));
      list.appendChild(card);
    });
    if (d.actionItems.length === 0) list.appendChild(pmEditor.el("p", "no action item yet", "empty"));
    g.appendChild(list);
    pmEditor.remarksBox(g, "actionItems");
    const add = pmEditor.button("Add action item", "", () => {
      d.actionItems.push({ action: "", type: "", owner: "", due: "", status: "open", bug: "" });
      pmEditor.render();
      const actions = document.querySelectorAll("#pm-actions .pm-a-action");
      if (actions.length) actions[actions.length - 1].focus();
    });
    add.id = "pm-add-action";
    g.appendChild(add);
  },

  datalist(parent, id, values) {
    const list = document.createElement("datalist");
    list.id = id;
    for (const v of values) {
      const o = document.createElement("option");
      o.value = v;
      list.appendChild(o);
    }
    parent.appendChild(list);
    return id;
  },

  // ---- the blameless review as one types ---------------------------------------------------------

  async lint() {
    if (!pmEditor.id) return;
    const seq = ++pmEditor.lintSeq;
    const document_ = {};
    for (const n of pmEditor.NAMES) document_[n] = pmEditor.draft[n];
    const answer = await valentia.api("POST", "/api/v1/postmortems/review", { id: pmEditor.id, document: document_ });
    if (seq !== pmEditor.lintSeq) return;   // a newer text is being reviewed
    const out = document.getElementById("pm-review-state");
    if (answer.status !== 200) {
      out.textContent = "the blameless review could not run: " + pmEditor.problem(answer);
      out.className = "pm-review error";
      return;
    }
    pmEditor.remarks = answer.body.problems || [];
    pmEditor.showRemarks();
    pmEditor.statusButtons();
  },

  showRemarks() {
    for (const box of document.querySelectorAll("#pm-form .pm-remarks")) box.replaceChildren();
    const out = document.getElementById("pm-review-state");
    const n = pmEditor.remarks.length;
    out.textContent = n === 0 ? "Blameless review: no remarks" : "Blameless review: " + n + " remark" + (n === 1 ? "" : "s") + ", shown beside what they are about";
    out.className = "pm-review " + (n === 0 ? "ok" : "warning");
    for (const r of pmEditor.remarks) {
      const where = String(r.where || "");
      const find = (w) => document.querySelector("#pm-form [data-remarks=\"" + CSS.escape(w) + "\"]");
      const box = find(where) || find(where.replace(/\[.*$/, "")) || document.getElementById("pm-remarks-other");
      if (!box) continue;
      const remark = pmEditor.el("div", null, "remark");
      remark.appendChild(pmEditor.el("strong", r.rule + ": "));
      remark.appendChild(pmEditor.el("span", "“" + r.text + "” — " + r.why));
      if (r.suggestion) remark.appendChild(pmEditor.el("div", "suggestion: " + r.suggestion, "suggestion"));
      box.appendChild(remark);
    }
  },

  // ---- saving, conflicts, status ----------------------------------------------------------------------

  async save() {
    const changed = pmEditor.changed();
    if (changed.length === 0) {
      pmEditor.state("nothing to save", "ok");
      return;
    }
    const sections = {};
    for (const n of changed) sections[n] = pmEditor.draft[n];
    const note = document.getElementById("pm-note").value.trim();
    const body = { expectedRevision: pmEditor.revision, sections };
    if (note) body.note = note;
    pmEditor.state("saving…");
    const answer = await valentia.api("PUT", pmEditor.path(pmEditor.id), body);
    if (answer.status === 200) {
      document.getElementById("pm-note").value = "";
      pmEditor.load(answer.body);
      pmEditor.state("saved as revision " + answer.body.revision, "ok");
    } else if (answer.status === 409) {
      await pmEditor.conflict();
    } else {
      const problems = (answer.body && answer.body.problems) || [];
      pmEditor.state("not saved: " + (problems.length ? problems.join("; ") : pmEditor.problem(answer)), "error");
    }
  },

  // Someone saved first: per section both changed, theirs beside yours; the rest merges itself.
  async conflict() {
    const latest = await valentia.api("GET", pmEditor.path(pmEditor.id));
    if (latest.status !== 200) {
      pmEditor.state("someone else saved first, and the latest revision cannot be read: " + pmEditor.problem(latest), "error");
      return;
    }
    const theirs = latest.body.document;
    const merged = pmEditor.clone(theirs);
    const conflicts = [];
    const takenFromThem = [];
    for (const n of pmEditor.NAMES) {
      const mine = pmEditor.draft[n];
      const base = pmEditor.base[n];
      const other = theirs[n];
      if (pmEditor.same(mine, base)) {
        if (!pmEditor.same(other, base)) takenFromThem.push(n);
      } else if (pmEditor.same(other, base) || pmEditor.same(other, mine)) {
        merged[n] = pmEditor.clone(mine);
      } else {
        conflicts.push(n);
      }
    }
    const panel = document.getElementById("pm-conflict");
    panel.replaceChildren();
    panel.hidden = false;
    panel.appendChild(pmEditor.el("h3", "Someone else saved revision " + latest.body.revision + " while you were editing revision " + pmEditor.revision));
    if (takenFromThem.length) {
      panel.appendChild(pmEditor.el("p", "Only they changed " + takenFromThem.map(pmEditor.label).join(", ") + ": their text is kept."));
    }
    const choices = {};
    if (conflicts.length === 0) {
      panel.appendChild(pmEditor.el("p", "None of the sections you changed was changed by them: save to keep both."));
    }
    for (const n of conflicts) {
      const fieldset = document.createElement("fieldset");
      fieldset.className = "pm-merge";
      fieldset.dataset.section = n;
      fieldset.appendChild(pmEditor.el("legend", pmEditor.label(n) + ": both changed"));
      const sides = pmEditor.el("div", null, "pm-sides");
      for (const [side, value, title] of [["yours", pmEditor.draft[n], "Yours"], ["theirs", theirs[n], "Theirs (revision " + latest.body.revision + ")"]]) {
        const col = pmEditor.el("div", null, "pm-side pm-" + side);
        const id = pmEditor.uid("merge-" + side);
        const radio = document.createElement("input");
        radio.type = "radio";
        radio.name = "merge-" + n;
        radio.id = id;
        radio.value = side;
        radio.checked = side === "yours";
        radio.addEventListener("change", () => { choices[n] = side; });
        const label = pmEditor.el("label", side === "yours" ? "Keep yours" : "Take theirs");
        label.htmlFor = id;
        const pick = pmEditor.el("div", null, "pm-pick");
        pick.append(radio, label);
        col.append(pmEditor.el("h4", title), pick, pmEditor.el("pre", pmEditor.show(value), "pm-value"));
        sides.appendChild(col);
      }
      choices[n] = "yours";
      fieldset.appendChild(sides);
      panel.appendChild(fieldset);
    }
    const actions = pmEditor.el("div", null, "actions");
    const keep = pmEditor.button("Save the merge", "primary", async () => {
      for (const n of conflicts) merged[n] = choices[n] === "yours" ? pmEditor.clone(pmEditor.draft[n]) : pmEditor.clone(theirs[n]);
      panel.hidden = true;
      panel.replaceChildren();
      pmEditor.base = theirs;
      pmEditor.revision = latest.body.revision;
      pmEditor.status = theirs.status;
      pmEditor.draft = merged;
      pmEditor.render();
      await pmEditor.save();
    });
    keep.id = "pm-merge-save";
    const reload = pmEditor.button("Reload theirs and drop my changes", "", () => pmEditor.load(latest.body));
    reload.id = "pm-reload";
    actions.append(keep, reload);
    panel.appendChild(actions);
    pmEditor.state("not saved: someone else saved first; choose per section below, then save the merge", "error");
    panel.scrollIntoView({ block: "start" });
    (panel.querySelector("input") || keep).focus();
  },

  // A section's value as people read it.
  show(value) {
    if (typeof value === "string") return value || "(empty)";
    if (!Array.isArray(value) || value.length === 0) return "(none)";
    return value.map((v) => {
      if (typeof v === "string") return "- " + v;
      if (v.statement !== undefined) return "- " + v.who + (v.role ? " (" + v.role + ")" : "") + ": " + v.statement;
      if (v.action !== undefined) return "- " + [v.action, v.type, v.owner, v.due, v.status, v.bug].join(" | ");
      if (v.time !== undefined) return "- " + v.time + " " + v.text;
      return "- " + (v.text || JSON.stringify(v)) + (v.evidence && v.evidence.length ? " [evidence: " + v.evidence.join(", ") + "]" : "");
    }).join("\n");
  },

  statusButtons() {
    const dirty = pmEditor.dirty();
    const s = pmEditor.status;
    const review = document.getElementById("pm-to-review");
    const final = document.getElementById("pm-to-final");
    const draft = document.getElementById("pm-to-draft");
    review.hidden = s !== "draft";
    final.hidden = s !== "in-review";
    draft.hidden = s === "draft";
    for (const b of [review, final, draft]) {
      b.disabled = dirty;
      b.title = dirty ? "save your changes first" : "";
    }
    if (!dirty && pmEditor.remarks.length > 0) {
      final.disabled = true;
      final.title = "the blameless review has remarks left";
    }
  },

  async setStatus(status) {
    if (pmEditor.dirty()) {
      pmEditor.state("save your changes before changing the status", "error");
      return;
    }
    const answer = await valentia.api("POST", pmEditor.path(pmEditor.id) + "/status", { expectedRevision: pmEditor.revision, status });
    if (answer.status === 200) {
      pmEditor.load(answer.body);
      pmEditor.state("now " + answer.body.status + " (revision " + answer.body.revision + ")", "ok");
    } else if (answer.status === 409) {
      const latest = await valentia.api("GET", pmEditor.path(pmEditor.id));
      if (latest.status === 200) pmEditor.load(latest.body);
      pmEditor.state("someone else saved revision " + pmEditor.revision + " first; it is shown now: check it and try again", "error");
    } else if (answer.status === 422) {
      pmEditor.remarks = answer.body.remarks || [];
      pmEditor.showRemarks();
      pmEditor.statusButtons();
      pmEditor.state(pmEditor.problem(answer), "error");
    } else {
      pmEditor.state("status not changed: " + pmEditor.problem(answer), "error");
    }
  },

  wire() {
    document.getElementById("pm-save").addEventListener("click", () => pmEditor.save());
    document.getElementById("pm-close").addEventListener("click", () => pmEditor.close());
    document.getElementById("pm-to-review").addEventListener("click", () => pmEditor.setStatus("in-review"));
    document.getElementById("pm-to-final").addEventListener("click", () => pmEditor.setStatus("final"));
    document.getElementById("pm-to-draft").addEventListener("click", () => pmEditor.setStatus("draft"));
    document.getElementById("editor").addEventListener("keydown", (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key === "s") {
        e.preventDefault();
        pmEditor.save();
      }
    });
  },
};
