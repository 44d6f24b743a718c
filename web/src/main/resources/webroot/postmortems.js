// The postmortems page: search with facets and highlights, and one postmortem as the inquiry
// reads it: the SRE-book sections, the evidence timeline drawn, testimonies side by side,
// findings and recommendations, the blameless review's remarks beside what they are about, and
// every revision with a comparison of any two. Writing one is postmortem-editor.js.
"use strict";

const postmortemsPage = {
  query: "",

  async search(q) {
    postmortemsPage.query = q;
    const answer = await valentia.api("GET", "/api/v1/postmortems/search?size=50&q=" + encodeURIComponent(q || "*:*"));
    const results = document.getElementById("results");
    results.replaceChildren();
    if (!records.answered(answer, "postmortems")) return;
    records.notice(answer.body.total + " postmortem" + (answer.body.total === 1 ? "" : "s"));
    records.facets(document.getElementById("facets"), answer.body.facets, (dimension, value) => {
      const field = dimension === "incident" ? "incidentid" : dimension;
      const box = document.getElementById("q");
      box.value = ((q && q !== "*:*" ? q + " AND " : "") + field + ":" + records.quote(value)).trim();
      postmortemsPage.search(box.value);
    });
    const hits = answer.body.hits || [];
    if (hits.length === 0) results.appendChild(valentia.el("li", "nothing found"));
    for (const hit of hits) {
      const p = hit.source || {};
      const li = valentia.el("li", null, "result");
      li.appendChild(valentia.el("span", p.status || "", "badge status-" + (p.status || "")));
      li.appendChild(valentia.el("span", " " + (p.title || hit.id) + " "));
      li.appendChild(valentia.el("span", "rev " + (p.revision || "?") + ", " + (hit.time || ""), "when"));
      if (hit.snippet) {
        const line = valentia.el("div", null, "snippet-line");
        line.appendChild(records.snippet(hit.snippet));
        li.appendChild(line);
      }
      li.addEventListener("click", () => postmortemsPage.open(hit.id));
      results.appendChild(li);
    }
  },

  async open(id, revision) {
    if (!document.getElementById("editor").hidden && pmEditor.dirty() && !pmEditor.closing) {
      pmEditor.closing = true;
      pmEditor.state("unsaved changes: save them, or open that again to drop them", "warning");
      return;
    }
    const path = "/api/v1/postmortems/" + encodeURIComponent(id) + (revision ? "/revisions/" + revision : "");
    const [answer, review, revisions] = await Promise.all([
      valentia.api("GET", path),
      valentia.api("GET", "/api/v1/postmortems/" + encodeURIComponent(id) + "/review"),
      valentia.api("GET", "/api/v1/postmortems/" + encodeURIComponent(id) + "/revisions"),
    ]);
    const doc = document.getElementById("document");
    doc.replaceChildren();
    doc.hidden = false;
    document.getElementById("editor").hidden = true;
    if (answer.status !== 200) {
      doc.appendChild(valentia.el("p", "cannot open " + id + " (" + answer.status + ")", "error"));
      return;
    }
    history.replaceState(null, "", "/postmortems?id=" + encodeURIComponent(id) + (revision ? "&revision=" + revision : ""));
    const pm = answer.body;
    const d = pm.document || {};
    const remarks = revision ? [] : ((review.status === 200 && review.body.problems) || []);
    const remarksAt = (where) => remarks.filter((r) => r.where === where ||
      String(r.where).startsWith(where + ".") || String(r.where).startsWith(where + "["));

    const head = valentia.el("div", null, "pm-head");
    head.appendChild(valentia.el("h2", d.title || pm.title || id));
    head.appendChild(valentia.el("span", d.status || pm.status, "badge status-" + (d.status || pm.status)));
    // the document's own date and authors (the SRE template's header), then who revised it
    const authors = (d.authors && d.authors.length) ? d.authors : (pm.authors || []);
    head.appendChild(valentia.el("span", (d.date ? " " + d.date + " ·" : "") +
      " revision " + pm.revision + " of " + pm.latestRevision +
      (authors.length ? " · by " + authors.join(", ") : "") + " · updated " + (pm.updated || ""), "when"));
    if (d.incidentId || pm.incidentId) {
      const link = valentia.el("a", " incident " + (d.incidentId || pm.incidentId));
      link.href = "/incidents?id=" + encodeURIComponent(d.incidentId || pm.incidentId);
      head.appendChild(link);
    }
    if (!revision && pmEditor.mayWrite()) {
      const edit = valentia.el("button", "Edit", "primary");
      edit.type = "button";
      edit.id = "pm-edit";
      edit.addEventListener("click", () => pmEditor.open(id));
      head.appendChild(edit);
    }
    doc.appendChild(head);
    if (revision && revision !== pm.latestRevision) {
      doc.appendChild(valentia.el("p", "an earlier revision, shown as it was; the review applies to the latest", "notice warning"));
    }

    const review_ = records.section(doc, "Blameless review");
    review_.id = "review";
    if (revision) {
      review_.appendChild(valentia.el("p", "open the latest revision to see the review", "empty"));
    } else if (review.status !== 200) {
      review_.appendChild(valentia.el("p", "the review could not run (" + review.status + ")", "error"));
    } else if (remarks.length === 0) {
      review_.appendChild(valentia.el("p", "no remarks: the wording is blameless and the testimony agrees with the evidence", "ok"));
    } else {
      review_.appendChild(valentia.el("p", remarks.length + " remark" + (remarks.length === 1 ? "" : "s") + ", shown beside what they are about"));
    }

    for (const [key, title] of [["summary", "Summary"], ["impact", "Impact"], ["trigger", "Trigger"],
      ["detection", "Detection"], ["resolution", "Resolution"]]) {
      const s = records.section(doc, title);
      s.appendChild(valentia.el("p", d[key] || "not written yet", d[key] ? "prose" : "empty"));
      postmortemsPage.remarks(s, remarksAt(key));
    }
    const factors = records.section(doc, "Contributing factors");
    records.list(factors, d.contributingFactors);
    postmortemsPage.remarks(factors, remarksAt("contributingFactors"));

    postmortemsPage.timeline(doc, d.timeline || [], remarks);
    postmortemsPage.testimonies(doc, d.testimonies || [], remarksAt);

    const findings = records.section(doc, "Findings");
    const fl = valentia.el("ol", null, "findings");
    (d.findings || []).forEach((f, n) => {
      const li = valentia.el("li", f.text);
      if (f.evidence && f.evidence.length) li.appendChild(valentia.el("div", "evidence: " + f.evidence.join(", "), "cites"));
      postmortemsPage.remarks(li, remarksAt("findings[" + n + "]"));
      fl.appendChild(li);
    });
    if ((d.findings || []).length) findings.appendChild(fl);
    else findings.appendChild(valentia.el("p", "none written", "empty"));
    const recommendations = records.section(doc, "Recommendations");
    records.list(recommendations, d.recommendations);
    postmortemsPage.remarks(recommendations, remarksAt("recommendations"));

    const actions = records.section(doc, "Action items");
    const table = valentia.el("table", null, "items");
    const header = table.createTHead().insertRow();
    for (const h of ["action", "type", "owner", "due", "status", "bug"]) header.appendChild(valentia.el("th", h));
    const body = table.createTBody();
    for (const a of d.actionItems || []) {
      const row = body.insertRow();
      for (const v of [a.action, a.type, a.owner, a.due, a.status, a.bug]) row.appendChild(valentia.el("td", v || ""));
    }
    if (!(d.actionItems || []).length) body.insertRow().appendChild(valentia.el("td", "none written", "empty"));
    actions.appendChild(table);
    postmortemsPage.remarks(actions, remarksAt("actionItems"));

    const lessons = records.section(doc, "Lessons");
    for (const [key, title] of [["wentWell", "What went well"], ["wentWrong", "What went wrong"], ["gotLucky", "Where we got lucky"]]) {
      lessons.appendChild(valentia.el("h4", title));
      records.list(lessons, d[key]);
      postmortemsPage.remarks(lessons, remarksAt(key));
    }

    const supporting = records.section(doc, "Supporting information");
    records.list(supporting, d.supportingInformation);
    postmortemsPage.remarks(supporting, remarksAt("supportingInformation"));

    const other = remarks.filter((r) => !/^(summary|impact|trigger|detection|resolution|contributingFactors|findings\[|testimonies\[|timeline|wentWell|wentWrong|gotLucky|recommendations|actionItems|supportingInformation)/.test(r.where));
    if (other.length) postmortemsPage.remarks(review_, other);

    postmortemsPage.revisions(doc, id, pm, revisions);
  },

  remarks(parent, list) {
    for (const r of list) {
      const box = valentia.el("div", null, "remark");
      box.appendChild(valentia.el("strong", r.rule + ": "));
      box.appendChild(valentia.el("span", "“" + r.text + "” — " + r.why));
      if (r.suggestion) box.appendChild(valentia.el("div", "suggestion: " + r.suggestion, "suggestion"));
      parent.appendChild(box);
    }
  },

  timeline(doc, entries, remarks) {
    const s = records.section(doc, "Timeline (" + entries.length + " entries, drafted from the evidence)");
    const drawing = valentia.el("div", null, "timeline-box");
    drawing.id = "timeline";
    s.appendChild(drawing);
    const list = valentia.el("ol", null, "evidence");
    const drawn = entries.map((e, n) => ({
      id: e.id || String(n),
      time: e.time,
      lane: e.evidence && e.evidence.length ? String(e.text || "").split(/\s+/)[0] || "evidence" : "annotation",
      label: e.text,
      severity: e.evidence && e.evidence.length ? "info" : "note",
    }));
    timeline.draw(drawing, drawn, {
      onSelect: (entry) => {
        for (const li of list.children) li.classList.toggle("selected", li.dataset.id === entry.id);
        const li = [...list.children].find((x) => x.dataset.id === entry.id);
        if (li) li.scrollIntoView({ block: "nearest" });
      },
    });
    entries.forEach((e, n) => {
      const li = valentia.el("li", null, "entry");
      li.dataset.id = e.id || String(n);
      li.appendChild(valentia.el("span", e.time, "when"));
      li.appendChild(valentia.el("span", " " + e.text));
      if (e.evidence && e.evidence.length) li.appendChild(valentia.el("span", "  cites " + e.evidence.join(", "), "cites"));
      else li.appendChild(valentia.el("span", "  added by " + (e.addedBy || "?"), "cites"));
      for (const edit of e.edits || []) {
        li.appendChild(valentia.el("div", (edit.field || "text") + " edited by " + edit.by + " at " + edit.at + ": “" + edit.before + "” → “" + edit.after + "”", "edit"));
      }
      postmortemsPage.remarks(li, remarks.filter((r) => r.where === "timeline[" + n + "]"));
      list.appendChild(li);
    });
    s.appendChild(list);
  },

  testimonies(doc, testimonies, remarksAt) {
    const s = records.section(doc, "Testimonies");
    const grid = valentia.el("div", null, "testimonies");
    grid.id = "testimonies";
    testimonies.forEach((t, n) => {
      const card = valentia.el("article", null, "testimony");
      card.appendChild(valentia.el("h4", t.who + (t.role ? " — " + t.role : "")));
      card.appendChild(valentia.el("div", "given " + (t.given || "?"), "when"));
      card.appendChild(valentia.el("p", t.statement, "prose"));
      if (t.evidence && t.evidence.length) card.appendChild(valentia.el("div", "cites " + t.evidence.join(", "), "cites"));
      postmortemsPage.remarks(card, remarksAt("testimonies[" + n + "]"));
      grid.appendChild(card);
    });
    if (testimonies.length === 0) grid.appendChild(valentia.el("p", "no testimony recorded", "empty"));
    s.appendChild(grid);
  },

  revisions(doc, id, pm, answer) {
    const s = records.section(doc, "Revisions");
    s.id = "revisions";
    if (answer.status !== 200) {
      s.appendChild(valentia.el("p", "cannot list revisions (" + answer.status + ")", "error"));
      return;
    }
    const list = valentia.el("ol", null, "revisions");
    for (const r of answer.body.revisions || []) {
      const li = valentia.el("li", null, r.revision === pm.revision ? "selected" : "");
      const open = valentia.el("a", "revision " + r.revision);
      open.href = "/postmortems?id=" + encodeURIComponent(id) + "&revision=" + r.revision;
      open.addEventListener("click", (e) => { e.preventDefault(); postmortemsPage.open(id, r.revision); });
      li.appendChild(open);
      li.appendChild(valentia.el("span", " " + r.action + " by " + r.author + " at " + r.time +
        (r.sections && r.sections.length ? " (" + r.sections.join(", ") + ")" : "") + (r.note ? " — " + r.note : "")));
      list.appendChild(li);
    }
    s.appendChild(list);
    const form = valentia.el("form", null, "compare");
    const from = valentia.el("input");
    from.type = "number"; from.min = "1"; from.id = "compare-from"; from.value = String(Math.max(1, pm.latestRevision - 1));
    const to = valentia.el("input");
    to.type = "number"; to.min = "1"; to.id = "compare-to"; to.value = String(pm.latestRevision);
    const go = valentia.el("button", "compare");
    go.type = "submit";
    form.append(valentia.el("span", "compare revision "), from, valentia.el("span", " with "), to, go);
    const out = valentia.el("div", null, "diff");
    out.id = "diff";
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const answer = await valentia.api("GET", "/api/v1/postmortems/" + encodeURIComponent(id) +
        "/compare?from=" + encodeURIComponent(from.value) + "&to=" + encodeURIComponent(to.value));
      out.replaceChildren();
      if (answer.status !== 200) {
        out.appendChild(valentia.el("p", "cannot compare: " + ((answer.body && answer.body.error) || answer.status), "error"));
        return;
      }
      const changed = answer.body.sections || [];
      if (changed.length === 0) out.appendChild(valentia.el("p", "no section differs", "empty"));
      for (const c of changed) {
        const box = valentia.el("div", null, "section-diff");
        box.appendChild(valentia.el("h4", c.section));
        const show = (v) => (typeof v === "string" ? v : JSON.stringify(v, null, 1));
        if ((c.added && c.added.length) || (c.removed && c.removed.length)) {
          for (const a of c.added || []) box.appendChild(valentia.el("div", "+ " + show(a), "added"));
          for (const r of c.removed || []) box.appendChild(valentia.el("div", "− " + show(r), "removed"));
        } else {
          box.appendChild(valentia.el("div", "− " + show(c.before), "removed"));
          box.appendChild(valentia.el("div", "+ " + show(c.after), "added"));
        }
        out.appendChild(box);
      }
    });
    s.append(form, out);
  },
};

document.getElementById("search").addEventListener("submit", (e) => {
  e.preventDefault();
  postmortemsPage.search(document.getElementById("q").value.trim());
});

pmEditor.wire();

valentia.requireSession().then(async (s) => {
  if (!s) return;
  const params = new URLSearchParams(location.search);
  postmortemsPage.search("");
  pmEditor.setUpCreate();
  if (params.get("id")) {
    await postmortemsPage.open(params.get("id"), params.get("revision") ? Number(params.get("revision")) : undefined);
    if (params.get("edit") && pmEditor.mayWrite()) pmEditor.open(params.get("id"));
  }
});
