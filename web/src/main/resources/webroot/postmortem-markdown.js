// A small Markdown preview for the postmortem editor: paragraphs, headings, bulleted and numbered
// lists, fenced and inline code, bold, italics and http(s) links. It builds DOM nodes and puts
// every piece of text in with textContent, so no text is ever parsed as HTML: markup typed into a
// section (an <img onerror>, a </textarea>) shows as the characters typed. Raw HTML is not
// supported on purpose.
"use strict";

const pmMarkdown = {
  // The preview of `text` as a DocumentFragment.
  render(text) {
    const out = document.createDocumentFragment();
    const lines = String(text || "").replace(/\r\n?/g, "\n").split("\n");
    let paragraph = [];
    let list = null;
    const flush = () => {
      if (paragraph.length) {
        const p = document.createElement("p");
        pmMarkdown.inline(p, paragraph.join("\n"));
        out.appendChild(p);
        paragraph = [];
      }
    };
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      if (/^\s*```/.test(line)) {
        flush();
        list = null;
        const code = [];
        for (i++; i < lines.length && !/^\s*```/.test(lines[i]); i++) code.push(lines[i]);
        const pre = document.createElement("pre");
        pre.appendChild(valentia.el("code", code.join("\n")));
        out.appendChild(pre);
        continue;
      }
      const heading = /^(#{1,6})\s+(.*)$/.exec(line);
      const bullet = /^\s*[-*+]\s+(.*)$/.exec(line);
      const numbered = /^\s*\d+[.)]\s+(.*)$/.exec(line);
      if (heading) {
        flush();
        list = null;
        const h = document.createElement("h" + Math.min(6, heading[1].length + 3));
        pmMarkdown.inline(h, heading[2]);
        out.appendChild(h);
      } else if (bullet || numbered) {
        flush();
        const tag = bullet ? "ul" : "ol";
        if (!list || list.tagName.toLowerCase() !== tag) {
          list = document.createElement(tag);
          out.appendChild(list);
        }
        const li = document.createElement("li");
        pmMarkdown.inline(li, (bullet || numbered)[1]);
        list.appendChild(li);
      } else if (line.trim() === "") {
        flush();
        list = null;
      } else {
        list = null;
        paragraph.push(line);
      }
    }
    flush();
    return out;
  },

  // Appends `text` to `parent` with `code`, **bold**, *italics* and [links](https://...).
  inline(parent, text) {
    const pattern = /`([^`]+)`|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*|_([^_\s][^_]*)_|\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g;
    let last = 0;
    let m;
    while ((m = pattern.exec(text)) !== null) {
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      if (m[1] !== undefined) parent.appendChild(valentia.el("code", m[1]));
      else if (m[2] !== undefined) parent.appendChild(valentia.el("strong", m[2]));
      else if (m[3] !== undefined || m[4] !== undefined) parent.appendChild(valentia.el("em", m[3] !== undefined ? m[3] : m[4]));
      else {
        const a = valentia.el("a", m[5]);
        a.href = m[6];
        a.rel = "noopener noreferrer";
        parent.appendChild(a);
      }
      last = pattern.lastIndex;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
  },
};
