// What the incident and postmortem pages share: search results with facets and highlighted
// snippets, section headings, and the "service not running" notice. Everything from the server is
// inserted as text: a snippet's <b>…</b> highlights become <mark> elements around text nodes, the
// rest of the snippet is never parsed as markup.
"use strict";

const records = {
  notice(text, cls) {
    const notice = document.getElementById("notice");
    notice.textContent = text || "";
    notice.className = "notice" + (cls ? " " + cls : "");
  },

  // Answers true when the API answered; says why not otherwise.
  answered(answer, what) {
    if (answer.status === 404 && answer.body && /no such API route/.test(answer.body.error || "")) {
      records.notice("postmortem service not running: start it (role postmortem) to see " + what + ".", "warning");
      return false;
    }
    if (answer.status !== 200 && answer.status !== 201) {
      records.notice(what + ": " + answer.status + " " + ((answer.body && answer.body.error) || ""), "error");
      return false;
    }
    return true;
  },

  // A snippet with <b>…</b> marks, as text nodes and <mark> elements.
  snippet(text) {
    const span = document.createElement("span");
    span.className = "snippet";
    const parts = String(text).split(/(<b>|<\/b>)/);
    let marked = false;
    for (const part of parts) {
      if (part === "<b>") { marked = true; continue; }
      if (part === "</b>") { marked = false; continue; }
      if (part) span.appendChild(marked ? valentia.el("mark", part) : document.createTextNode(part));
    }
    return span;
  },

  // Facet counts as clickable chips that narrow the query.
  facets(container, facets, onPick) {
    container.replaceChildren();
    for (const [dimension, counts] of Object.entries(facets || {})) {
      const list = Array.isArray(counts) ? counts : Object.entries(counts).map(([value, count]) => ({ value, count }));
      if (list.length === 0) continue;
      const li = valentia.el("li", dimension + ": ", "facet");
      for (const { value, count } of list) {
        const chip = valentia.el("button", value + " (" + count + ")", "chip");
        chip.type = "button";
        chip.addEventListener("click", () => onPick(dimension, value));
        li.appendChild(chip);
      }
      container.appendChild(li);
    }
  },

  section(parent, title) {
    const section = valentia.el("section", null, "part");
    section.appendChild(valentia.el("h3", title));
    parent.appendChild(section);
    return section;
  },

  // A list of strings, or "none written" when empty.
  list(parent, items) {
    const ul = document.createElement("ul");
    ul.className = "plain";
    if (!items || items.length === 0) ul.appendChild(valentia.el("li", "none written", "empty"));
    for (const item of items || []) ul.appendChild(valentia.el("li", typeof item === "string" ? item : JSON.stringify(item)));
    parent.appendChild(ul);
    return ul;
  },

  quote(value) {
    return "\"" + String(value).replace(/(["\\])/g, "\\$1") + "\"";
  },

  short(type) {
    return String(type || "").replace(/^io\.valentia\./, "").replace(/\.v\d+$/, "");
  },
};
