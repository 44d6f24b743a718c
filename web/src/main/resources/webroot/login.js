"use strict";

// Where to go after the login: a path of this origin only. The browser's own URL parser decides,
// so "/\\evil.example", "/\t/evil.example" and other forms a browser reads as another host go home.
function valentiaNext(next) {
  if (!next || !next.startsWith("/")) return "/";
  let url;
  try { url = new URL(next, location.origin); } catch (e) { return "/"; }
  if (url.origin !== location.origin) return "/";
  return url.pathname + url.search + url.hash;
}

document.getElementById("login").addEventListener("submit", async (event) => {
  event.preventDefault();
  const token = document.getElementById("token").value;
  const response = await fetch("/api/v1/session", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ token }),
  });
  if (!response.ok) {
    let message = "login failed (" + response.status + ")";
    try { message = (await response.json()).error || message; } catch (e) { /* keep */ }
    document.getElementById("error").textContent = message;
    return;
  }
  location.assign(valentiaNext(new URLSearchParams(location.search).get("next")));
});
