// The frame the incidents and postmortems pages share, built from the page's parameters before the
// page's own scripts run: the header with the navigation bar (the page's link marked current), and
// the record list (a heading, the search box, the notice, facets, results and the open document).
// Parameters on <body>: data-kind, the page's path without "/" (incidents, postmortems), and
// data-heading, the list's heading. What only one page has is written in its HTML, in <body>, with
// data-slot="before-list" (placed in <main> before the list) or data-slot="after-document" (placed
// in the list's section after the document). Load it after common.js and before the page's scripts.
"use strict";

const recordPage = {
  // The navigation bar of every page, in order.
  links: [
    ["/", "Dashboard"], ["/live", "Live"], ["/experiments", "Experiments"], ["/incidents", "Incidents"],
    ["/postmortems", "Postmortems"], ["/search", "Search"], ["/notifications", "Notifications"],
  ],

  header(current) {
    const header = document.createElement("header");
    header.appendChild(valentia.el("h1", "Valentia"));
    const nav = document.createElement("nav");
    recordPage.links.forEach(([href, label], i) => {
      if (i > 0) nav.appendChild(document.createTextNode(" "));
      const a = valentia.el("a", label);
      a.href = href;
      if (href === current) a.setAttribute("aria-current", "page");
      nav.appendChild(a);
    });
    header.appendChild(nav);
    const who = document.createElement("span");
    who.id = "who";
    header.appendChild(who);
    const logout = valentia.el("button", "Log out");
    logout.id = "logout";
    logout.type = "button";
    header.appendChild(logout);
    return header;
  },

  list(heading) {
    const section = document.createElement("section");
    section.appendChild(valentia.el("h2", heading));
    const form = document.createElement("form");
    form.id = "search";
    const q = document.createElement("input");
    q.id = "q";
    q.type = "search";
    q.setAttribute("aria-label", "Search (Lucene syntax)");
    q.placeholder = "search (Lucene syntax)";
    form.appendChild(q);
    const submit = valentia.el("button", "Search");
    submit.type = "submit";
    form.appendChild(submit);
    section.appendChild(form);
    for (const [tag, name] of [["p", "notice"], ["ul", "facets"], ["ul", "results"], ["div", "document"]]) {
      const node = valentia.el(tag, null, name);
      node.id = name;
      section.appendChild(node);
    }
    return section;
  },

  build() {
    const body = document.body;
    const slot = (name) => [...body.querySelectorAll(":scope > [data-slot='" + name + "']")];
    const main = valentia.el("main", null, "single wide");
    const list = recordPage.list(body.dataset.heading);
    main.append(...slot("before-list"), list);
    list.append(...slot("after-document"));
    body.prepend(recordPage.header("/" + body.dataset.kind), main);
  },
};

recordPage.build();
