// Incidents and postmortems, from the postmortem service's API (/api/v1/incidents,
// /api/v1/postmortems/search). When that service does not run here the API answers 404 and the
// page says so. Text only, never HTML (snippets' highlights are shown as plain text).
"use strict";

const kind = document.body.dataset.kind;

async function search(q) {
  const path = kind === "incidents"
    ? "/api/v1/incidents" + (q ? "?q=" + encodeURIComponent(q) : "")
    : "/api/v1/postmortems/search?q=" + encodeURIComponent(q || "*:*");
  const answer = await valentia.api("GET", path);
  const notice = document.getElementById("notice");
  const results = document.getElementById("results");
  const facets = document.getElementById("facets");
  results.replaceChildren();
  facets.replaceChildren();
  if (answer.status === 404) {
    notice.textContent = "postmortem service not running: start it (role postmortem) to see " + kind + ".";
    notice.className = "notice warning";
    return;
  }
  if (answer.status !== 200) {
    notice.textContent = "the search failed (" + answer.status + "): " + ((answer.body && answer.body.error) || "");
    notice.className = "notice error";
    return;
  }
  notice.textContent = "";
  const body = answer.body || {};
  const hits = Array.isArray(body) ? body : (body.hits || body.incidents || body.postmortems || []);
  for (const [facet, counts] of Object.entries(body.facets || {})) {
    const parts = Object.entries(counts).map(([v, n]) => v + " " + n).join(", ");
    facets.appendChild(valentia.el("li", facet + ": " + parts));
  }
  if (hits.length === 0) results.appendChild(valentia.el("li", "nothing found"));
  for (const hit of hits) {
    const id = hit.id || hit.incidentId || hit.postmortemId || "";
    const li = valentia.el("li", "[" + (hit.status || hit.severity || "") + "] " + id + " " +
      (hit.title || hit.summary || "") + (hit.snippet ? " — " + hit.snippet : ""));
    li.addEventListener("click", () => open(id));
    results.appendChild(li);
  }
}

async function open(id) {
  const answer = await valentia.api("GET", "/api/v1/" + kind + "/" + encodeURIComponent(id));
  document.getElementById("document").textContent =
    answer.status === 200 ? JSON.stringify(answer.body, null, 2) : "cannot open " + id + " (" + answer.status + ")";
}

document.getElementById("search").addEventListener("submit", (e) => {
  e.preventDefault();
  search(document.getElementById("q").value.trim());
});

valentia.requireSession().then((s) => { if (s) search(""); });
