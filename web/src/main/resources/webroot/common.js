// Shared by every page: the session, API calls with the CSRF token, the navigation bar.
// Everything from the server is inserted with textContent, never as HTML.
"use strict";

const valentia = {
  session: null,

  el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  },

  // The current session, or a redirect to the login page.
  async requireSession() {
    const response = await fetch("/api/v1/session", { cache: "no-store" });
    if (response.status === 401) {
      location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search));
      return null;
    }
    valentia.session = await response.json();
    const who = document.getElementById("who");
    if (who) who.textContent = valentia.session.name + " (" + valentia.session.role + ")";
    const logout = document.getElementById("logout");
    if (logout) logout.addEventListener("click", valentia.logout);
    return valentia.session;
  },

  // An API call; changes carry the session's CSRF token. Answers {status, body}.
  async api(method, path, body) {
    const headers = {};
    if (method !== "GET" && valentia.session && valentia.session.csrfToken) {
      headers["X-CSRF-Token"] = valentia.session.csrfToken;
    }
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, {
      method, headers, cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let parsed = null;
    const text = await response.text();
    try { parsed = text ? JSON.parse(text) : null; } catch (e) { parsed = { text }; }
    return { status: response.status, body: parsed };
  },

  async logout() {
    await valentia.api("DELETE", "/api/v1/session");
    location.assign("/login");
  },
};
